"""Google's partial-response field masks (`fields=`), parsed and applied to a JSON value.

Syntax, as Sheets and Drive accept it: `a,b/c,d(e,f(g)),*`. A path selects a key; `/` walks
into an object; parentheses select several keys below one; lists are walked transparently.
"""

from __future__ import annotations

from typing import Any

Mask = dict[str, "Mask | None"]  # None: the whole value below this key


class MaskError(ValueError):
    """The mask does not parse (Google answers 400 INVALID_ARGUMENT)."""


def parse_mask(text: str) -> Mask:
    """Parse a field mask into a tree of selected keys."""
    tree: Mask = {}
    pos = _parse_list(text.replace(" ", ""), 0, tree)
    if pos != len(text.replace(" ", "")):
        raise MaskError(f"unexpected {text[pos:]!r} in field mask {text!r}")
    return tree


def _parse_list(text: str, pos: int, into: Mask) -> int:
    while pos < len(text):
        pos = _parse_item(text, pos, into)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        break
    return pos


def _parse_item(text: str, pos: int, into: Mask) -> int:
    start = pos
    while pos < len(text) and text[pos] not in ",()":
        pos += 1
    path = [p for p in text[start:pos].split("/") if p]
    if not path:
        raise MaskError(f"empty path at {start} in field mask {text!r}")
    node = into
    for key in path[:-1]:
        child = node.get(key, {})
        if child is None:  # already selected whole: nothing narrower to add
            return _skip_group(text, pos)
        node[key] = child
        node = child
    last = path[-1]
    if pos < len(text) and text[pos] == "(":
        sub = node.get(last, {})
        if sub is None:
            return _skip_group(text, pos)
        node[last] = sub
        pos = _parse_list(text, pos + 1, sub)
        if pos >= len(text) or text[pos] != ")":
            raise MaskError(f"unbalanced parenthesis in field mask {text!r}")
        return pos + 1
    node[last] = None
    return pos


def _skip_group(text: str, pos: int) -> int:
    if pos >= len(text) or text[pos] != "(":
        return pos
    depth = 0
    while pos < len(text):
        depth += {"(": 1, ")": -1}.get(text[pos], 0)
        pos += 1
        if depth == 0:
            break
    return pos


def mask_selects(tree: Mask | None, *path: str) -> bool:
    """True when the mask keeps something at or below `path` (None keeps everything)."""
    node: Mask | None = tree
    for key in path:
        if node is None:
            return True
        if "*" in node:
            node = node["*"]
            continue
        if key not in node:
            return False
        node = node[key]
    return True


def apply_mask(value: Any, tree: Mask | None) -> Any:
    """Keep only what the mask selects; empty objects that result are dropped from parents."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply_mask(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if "*" in tree:
            sub = tree.get(key, tree["*"])
        elif key in tree:
            sub = tree[key]
        else:
            continue
        kept = apply_mask(item, sub)
        if isinstance(kept, dict) and not kept and item:
            continue
        out[key] = kept
    return out
