"""A schema file of the wrong shape stops with one Vietnamese line, never a Python traceback.

The real schema file is parsed, and every key in it, at every depth, is replaced by a value of
each TOML kind (a string, a number, a boolean, a date, a list, a table …, with their edge
values: blank, zero, negative, nan) or removed. Each mutated document must either load into a
``Schema`` whose every attribute has its declared type, or raise ``SchemaError``: one line,
naming the file, with no English around the keys and values it quotes. A value of another
kind than the original must be refused, never coerced. There is no TOML writer
in the environment, so the documents go to ``build_schema``, the loader's step after tomllib.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import tomllib
import types
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from importlib import resources
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from sheets_schema import SchemaError, parse_schema
from sheets_schema.loader import build_schema
from tests.jobs.test_language import english_words
from tests.sheets_schema.test_schema import SCHEMA_ENGLISH

BASE = resources.files("sheets_schema").joinpath("midterm_2020_2025.toml").read_text("utf-8")
DOC = tomllib.loads(BASE)
SOURCE = "my-schema.toml"

DROP = object()  # the key removed instead of replaced
# One value of each kind TOML can write, and the edge values of each.
KINDS: tuple[object, ...] = (
    "abc", "", "  ", 7, 0, -3, 2.5, math.nan, math.inf, True, False, "true", "false", [], ["abc"],
    [7], [{"abc": 7}], {}, {"abc": 7}, date(2021, 1, 1), datetime(2021, 1, 1, 8, 0), time(8, 0),
    DROP,
)  # fmt: skip

Path = tuple[str | int, ...]


def paths(node: object, path: Path = ()) -> Iterator[Path]:
    """Every key and list item below ``node``. Of a list, the first item and each item of a new
    shape (a table with other keys, or other kinds of value) stand for the rest, which would
    only repeat them."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from paths(value, (*path, key))
    elif isinstance(node, list):
        shapes: set[object] = set()
        for i, item in enumerate(node):
            shape = (
                frozenset((k, type(v)) for k, v in item.items())
                if isinstance(item, dict)
                else type(item)
            )
            if shape not in shapes:
                shapes.add(shape)
                yield (*path, i)
                yield from paths(item, (*path, i))


def replaced(node: Any, path: Path, value: object) -> Any:
    """A copy of ``node`` with ``path`` set to ``value`` (or removed), sharing the rest."""
    key, rest = path[0], path[1:]
    copy = dict(node) if isinstance(node, dict) else list(node)
    if rest:
        copy[key] = replaced(node[key], rest, value)
    elif value is DROP:
        del copy[key]
    else:
        copy[key] = value
    return copy


def kind(value: object) -> str:
    """A value's TOML kind: an integer and a decimal are both a number, a bool is not one."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__  # str, list, dict, date, datetime, time


# The keys that take more than one kind: a date bound is a date or the name of one, a rule's
# right side one field id or a list of them. Any other key given another kind must be refused,
# not coerced ("false" read as true, 2023.10 as "2023.1").
SEVERAL_KINDS = {"min_date", "max_date", "right"}


def original(path: Path) -> object:
    node: Any = DOC
    for key in path:
        node = node[key]
    return node


def spelled(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


PATHS = list(paths(DOC))


# What a message may quote as written: keys and ids, values, allowed values, [section] headers.
QUOTED = r"'[^']*'|\"[^\"]*\"|\(được dùng: [^)]*\)|\[\[?[a-z_.]+\]\]?"


@functools.cache
def checker(hint: Any) -> Callable[[object], bool]:
    """Whether a value is of the annotated type, strictly: no bool for a number, no datetime
    for a date, every item of a tuple, dict or frozenset checked; a dataclass by its class
    (``ill_typed`` looks inside)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        alternatives = [checker(a) for a in args]
        return lambda v: any(ok(v) for ok in alternatives)
    if origin in (tuple, frozenset):
        item = checker(args[0])
        return lambda v: isinstance(v, origin) and all(item(i) for i in v)
    if origin is dict:
        key, value = checker(args[0]), checker(args[1])
        return lambda v: isinstance(v, dict) and all(key(k) and value(i) for k, i in v.items())
    if hint is type(None):
        return lambda v: v is None
    if hint in (int, float):
        kinds = int if hint is int else int | float
        return lambda v: isinstance(v, kinds) and not isinstance(v, bool) and math.isfinite(v)
    if hint is date:
        return lambda v: isinstance(v, date) and not isinstance(v, datetime)
    return lambda v: isinstance(v, hint)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def ill_typed(obj: Any, name: str) -> Iterator[str]:
    """The attributes of a dataclass instance, and of those it holds, not of their type."""
    hints = _hints(type(obj))
    for f in dataclasses.fields(obj):
        value, where = getattr(obj, f.name), f"{name}.{f.name}"
        if not checker(hints[f.name])(value):
            yield f"{where} = {value!r}"
        elif dataclasses.is_dataclass(value):
            yield from ill_typed(value, where)
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    yield from ill_typed(item, f"{where}[{i}]")


def test_the_mutations_reach_every_depth() -> None:
    assert len(PATHS) * len(KINDS) > 5000
    assert {len(p) for p in PATHS} == {1, 2, 3, 4, 5, 6}
    assert ("tab", 1, "indicator", 9, "threshold") in PATHS  # the one count roll-up
    assert ("tab", 4, "require_value", "column") in PATHS
    assert ("rule", 1, "right", 0) in PATHS


def test_the_real_schema_is_well_typed() -> None:
    schema = build_schema(DOC, SOURCE)
    assert list(ill_typed(schema, "schema")) == []
    assert schema == dataclasses.replace(parse_schema(BASE, SOURCE), fingerprint="")


@pytest.mark.parametrize("path", PATHS, ids=spelled)
def test_any_value_of_the_wrong_kind_is_a_schema_error(path: Path) -> None:
    crashes, unreadable, untyped, coerced = [], [], [], []
    several = any(key in SEVERAL_KINDS for key in path if isinstance(key, str))
    for value in KINDS:
        where = f"{spelled(path)} = {'(xóa)' if value is DROP else repr(value)}"
        try:
            schema = build_schema(replaced(DOC, path, value), SOURCE)
        except SchemaError as exc:
            message = str(exc)
            prose = re.sub(QUOTED, " ", message)
            words = english_words(prose)
            words += [w for w in re.findall("[A-Za-z]+", prose) if w.lower() in SCHEMA_ENGLISH]
            if words or not message.startswith(f"{SOURCE}: ") or "\n" in message:
                unreadable.append(f"{where}: {message} {words}")
        except Exception as exc:  # what the test is looking for
            crashes.append(f"{where}: {type(exc).__name__}: {exc}")
        else:
            untyped += [f"{where}: {bad}" for bad in ill_typed(schema, "schema")]
            if value is not DROP and kind(value) != kind(original(path)) and not several:
                coerced.append(where)
    assert crashes == [], "\n".join(crashes)
    assert unreadable == [], "\n".join(unreadable)
    assert untyped == [], "\n".join(untyped)
    assert coerced == [], "loaded although of another kind:\n" + "\n".join(coerced)
