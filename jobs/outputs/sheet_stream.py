"""Edit a few rows of a worksheet part without loading the sheet: bounded time and memory.

A unit's sheet may hold a million cells (34 MB of XML); a DOM of it takes ~650 MB and seconds.
The marks touch a handful of rows, so the part is kept as bytes: the rows to mark are found
by a scan of the row tags, each is parsed alone (inside the sheet's own root tag, so its
namespaces hold), edited, and spliced back; everything else is copied as it is.

That scan is exact only when every ``<`` starts a tag, so a part holding XML comments,
processing instructions or CDATA sections is first normalised (parsed whole, those removed,
written back), but only when it is small; a part in another encoding (UTF-16) is recoded to
UTF-8 first. What is not understood raises ``Unsupported``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree
from openpyxl.utils.cell import column_index_from_string

from .xlsx_xml import MAIN, PARSER, Unsupported, normalised_tree, recode_utf8

# A part is normalised through a DOM only up to this size (a DOM is ~20× its XML).
MAX_DOM_BYTES = 8_000_000
_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_ROOT = re.compile(rb"<(?P<p>[\w.-]+:)?worksheet\b" + _ATTRS + rb">")
_DECL = re.compile(rb"^\s*<\?xml\b[^>]*\?>")
_TAG = re.compile(rb"<(/?)([\w.-]+:)?([\w.-]+)\b" + _ATTRS + rb"?(/?)>")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([0-9]{1,7})["']""")


@dataclass
class _Row:
    number: int
    start: int
    end: int  # one past its last byte


class SheetBytes:
    """One worksheet part as bytes, with the positions the marking needs."""

    def __init__(self, body: bytes) -> None:
        body = recode_utf8(body)
        if _needs_dom(body):
            if len(body) > MAX_DOM_BYTES:
                raise Unsupported("a large sheet with XML comments or processing instructions")
            tree = normalised_tree(body)
            body = etree.tostring(tree, encoding="UTF-8", xml_declaration=True)
        self.body = body
        root = _ROOT.search(body)
        if root is None:
            raise Unsupported("no worksheet root")
        self.prefix = (root.group("p") or b"").decode()
        self.root_tag = root.group()
        self.root_close = f"</{self.prefix}worksheet>".encode()
        check = etree.fromstring(self.root_tag + self.root_close, PARSER)
        if check.tag != f"{{{MAIN}}}worksheet":
            raise Unsupported(f"worksheet root is {check.tag}")  # Strict OOXML, or not a sheet
        self.nsmap = check.nsmap
        self.head_end = root.end()
        self._find_sheet_data()

    def _name(self, local: str) -> bytes:
        return f"{self.prefix}{local}".encode()

    def _find_sheet_data(self) -> None:
        start = re.compile(b"<" + self._name("sheetData") + rb"\b" + _ATTRS + rb">")
        m = start.search(self.body, self.head_end)
        if m is None:
            raise Unsupported("no sheetData")  # the DOM editor's case; rare, left alone
        self.data_open = m
        if m.group().endswith(b"/>"):
            self.data_start = self.data_end = m.end()
            self.self_closed = True
        else:
            self.data_start = m.end()
            close = self.body.find(b"</" + self._name("sheetData") + b">", m.end())
            if close < 0:
                raise Unsupported("sheetData not closed")
            self.data_end = close
            self.self_closed = False
        self.rows = self._rows()

    def _rows(self) -> list[_Row]:
        # One pass over the row tags (a byte search skips the cells between them); a row's end
        # is looked up only for the rows edited.
        needle = b"<" + self._name("row")
        tag = re.compile(needle + rb"""(?=[\s/>])[^>]*?\sr\s*=\s*["']([0-9]{1,7})["'][^>]*?(/?)>""")
        rows: list[_Row] = []
        pos, end = self.data_start, self.data_end
        body = self.body
        while (at := body.find(needle, pos, end)) >= 0:
            m = tag.match(body, at, end)
            if m is None:
                if body[at + len(needle) : at + len(needle) + 1] in (
                    b" ",
                    b"/",
                    b">",
                    b"\t",
                    b"\n",
                    b"\r",
                ):
                    raise Unsupported("a row without its number")
                pos = at + 1
                continue
            number = int(m.group(1))
            if rows and rows[-1].number >= number:
                raise Unsupported("rows out of order or twice")
            rows.append(_Row(number, at, -1 if m.group(2) else 0))
            pos = m.end()
        return rows

    def row_end(self, index: int) -> int:
        """One past the last byte of ``rows[index]``."""
        row = self.rows[index]
        if row.end == -1:  # <row …/>
            return self.body.index(b">", row.start) + 1
        if row.end:
            return row.end
        limit = self.rows[index + 1].start if index + 1 < len(self.rows) else self.data_end
        close = b"</" + self._name("row") + b">"
        found = self.body.find(close, row.start, limit)
        if found < 0:
            raise Unsupported("a row not closed")
        row.end = found + len(close)
        return row.end

    # ------------------------------------------------------------------ reading

    def parse(self, start: int, end: int) -> etree._Element:
        """The elements in ``body[start:end]`` parsed inside the sheet's root tag."""
        wrapper = etree.fromstring(self.root_tag + self.body[start:end] + self.root_close, PARSER)
        return wrapper

    def col_styles(self) -> list[tuple[int, int, int]]:
        """(min, max, style) of each <col> with a style, from the part before <sheetData>."""
        head = self.body[self.head_end : self.data_open.start()]
        out = []
        for col in self.parse_fragment(head).iter(f"{{{MAIN}}}col"):
            if col.get("style"):
                out.append((int(col.get("min", "0")), int(col.get("max", "0")),
                            int(col.get("style", "0"))))  # fmt: skip
        return out

    def parse_fragment(self, fragment: bytes) -> etree._Element:
        try:
            return etree.fromstring(self.root_tag + fragment + self.root_close, PARSER)
        except etree.XMLSyntaxError as exc:
            raise Unsupported(f"sheet XML: {exc}") from exc

    def merges_covering(self, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:  # fmt: skip
        """For each (col, row) in ``cells`` that lies in a merged range: its top-left cell."""
        wanted = set(cells)
        if not wanted:
            return {}
        start = self.body.find(b"<" + self._name("mergeCells"), self.data_end)
        if start < 0:
            return {}
        end = self.body.find(b"</" + self._name("mergeCells") + b">", start)
        end = len(self.body) if end < 0 else end
        low = min(r for _, r in wanted)
        high = max(r for _, r in wanted)
        out: dict[tuple[int, int], tuple[int, int]] = {}
        ref = re.compile(b"<" + self._name("mergeCell") + rb"""\b[^>]*?\bref\s*=\s*["']"""
                         rb"([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?")  # fmt: skip
        # A million merged ranges are possible: rows are compared first, as integers, and
        # only a range over a wanted row is looked at further.
        for m in ref.finditer(self.body, start, end):
            r1 = int(m.group(2))
            if r1 > high:
                continue
            last_row = m.group(4)
            r2 = int(last_row) if last_row else r1
            if r2 < low:
                continue
            c1 = column_index_from_string(m.group(1).decode())
            c2 = column_index_from_string(m.group(3).decode()) if last_row else c1
            for col, row in wanted:
                if c1 <= col <= c2 and r1 <= row <= r2 and (col, row) not in out:
                    out[col, row] = (c1, r1)
        return out

    def top_level(self) -> Iterator[tuple[str, int]]:
        """(local name, start offset) of each child of <worksheet> after <sheetData>."""
        pos = self.body.find(b">", self.data_end) + 1 if not self.self_closed else self.data_end
        depth = 0
        merge_close = b"</" + self._name("mergeCells") + b">"
        while True:
            m = _TAG.search(self.body, pos)
            if m is None:
                return
            closing, local, empty = m.group(1), m.group(3).decode(), m.group(4)
            if closing:
                depth -= 1
                if depth < 0:
                    return  # </worksheet>
                pos = m.end()
                continue
            if depth == 0:
                yield local, m.start()
            if local == "mergeCells" and depth == 0 and not empty:
                skip = self.body.find(merge_close, m.end())
                pos = m.end() if skip < 0 else skip + len(merge_close)
                continue
            if not empty:
                depth += 1
            pos = m.end()


def _needs_dom(body: bytes) -> bool:
    decl = _DECL.match(body)
    rest = body[decl.end() :] if decl else body
    return b"<!--" in rest or b"<?" in rest or b"<![CDATA[" in rest or b"<!DOCTYPE" in rest


class RowEditor:
    """The rows of one sheet to change: parsed one by one, spliced back by ``result``."""

    def __init__(self, sheet: SheetBytes) -> None:
        self.sheet = sheet
        self.by_number = {row.number: i for i, row in enumerate(sheet.rows)}
        self.edited: dict[int, etree._Element] = {}  # row number → its element (new or edited)
        self.insert_before: list[tuple[int, etree._Element]] = []

    def row(self, number: int) -> etree._Element:
        if number in self.edited:
            return self.edited[number]
        if number in self.by_number:
            i = self.by_number[number]
            (element,) = list(self.sheet.parse(self.sheet.rows[i].start, self.sheet.row_end(i)))
        else:
            prefix = self.sheet.prefix[:-1] or None
            element = etree.Element(f"{{{MAIN}}}row", r=str(number), nsmap={prefix: MAIN})
        self.edited[number] = element
        return element

    def result(self, legacy: bytes | None = None) -> bytes:
        """The part with the edited rows (and ``legacy``, a <legacyDrawing> tag, if given)."""
        s = self.sheet
        pieces: list[bytes] = []
        pos = 0
        if s.self_closed and self.edited:
            open_tag = s.data_open.group()
            pieces.append(s.body[: s.data_open.start()])
            pieces.append(open_tag[:-2] + b">")
            pieces += [_row_bytes(self.edited[n]) for n in sorted(self.edited)]
            pieces.append(b"</" + s._name("sheetData") + b">")
            pos = s.data_open.end()
        else:
            starts = [(row.start, row) for row in s.rows]
            cursor = 0
            for number in sorted(self.edited):
                index = self.by_number.get(number)
                if index is not None:
                    pieces.append(s.body[pos : s.rows[index].start])
                    pieces.append(_row_bytes(self.edited[number]))
                    pos = s.row_end(index)
                    continue
                while cursor < len(starts) and starts[cursor][1].number < number:
                    cursor += 1
                at = starts[cursor][0] if cursor < len(starts) else s.data_end
                if at < pos:
                    raise Unsupported("rows out of order")
                pieces.append(s.body[pos:at])
                pieces.append(_row_bytes(self.edited[number]))
                pos = at
        if legacy is None:
            pieces.append(s.body[pos:])
            return b"".join(pieces)
        found = next((o for name, o in s.top_level() if name in AFTER_LEGACY), None)
        at = s.body.rfind(s.root_close) if found is None else found
        if at < pos:
            raise Unsupported("cannot place the comments' drawing")
        pieces += [s.body[pos:at], legacy, s.body[at:]]
        return b"".join(pieces)


# Worksheet children that come after <legacyDrawing> (ECMA-376 CT_Worksheet sequence).
AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                "webPublishItems", "tableParts", "extLst")  # fmt: skip


def _row_bytes(row: etree._Element) -> bytes:
    return etree.tostring(row, encoding="UTF-8", xml_declaration=False)
