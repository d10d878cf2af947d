"""Real-world oddities of .xlsx files, rebuilt as small fixtures from a typed unit report.

Each builder takes the bytes of a real filled report (``base``) and returns a variant with one
oddity that Excel, Apache POI, calamine or a hand-edited file produce (issue 19): Strict OOXML,
UTF-16 worksheet parts, cells of a row out of order or twice, XML comments in styles or under
``<worksheet>``, the same part twice in the zip, content types declared only by Overrides,
comments already on the marked sheet, and values an openpyxl round trip would change. Two
builders make the large attack files (1.1M cells under an existing comment, 1.15M merged
ranges). ``python -m tests.oddities DIR`` writes them all into DIR.
"""

from __future__ import annotations

import io
import random
import re
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment

from sheets_schema import Schema, load_schema
from sheets_schema.template import UnitInfo
from tests.helpers import typed_workbook, valid_values

TAB = "Kiểm tra giám sát"  # the tab of the finding every fixture has (C14 ≠ the sum of C15:C18)
CELL = "C14"
SHEET = "xl/worksheets/sheet5.xml"  # that tab's part in typed_workbook's package
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def base(schema: Schema | None = None) -> bytes:
    """A real filled report of unit XA with one error, at Kiểm tra giám sát!C14."""
    schema = schema or load_schema("midterm_2020_2025")
    values = valid_values(schema, "xa", "XA")
    values["ks_kl_dang_vien"] = 7
    return typed_workbook(schema, values, UnitInfo("XA", "Xã A", "xa"))


def parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def rezip(items: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore", UserWarning)  # a name twice, on purpose
        for name, body in items:
            zf.writestr(zipfile.ZipInfo(name, (2023, 3, 20, 8, 0, 0)), body,
                        compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()


def edit(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    return rezip([(n, change(b) if n == name else b) for n, b in parts(data)])


# ---------------------------------------------------------------------- the oddities


def strict(data: bytes) -> bytes:
    """Strict Open XML, as Excel's "Strict Open XML Spreadsheet" saves it: other namespaces."""
    swaps = [
        (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
         b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
        (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
    ]  # fmt: skip
    out = []
    for name, body in parts(data):
        for old, new in swaps:
            body = body.replace(old, new)
        out.append((name, body))
    return rezip(out)


def utf16(data: bytes) -> bytes:
    """The marked worksheet stored as UTF-16 with a byte-order mark (some exporters do)."""

    def change(body: bytes) -> bytes:
        text = body.decode("utf-8")
        text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
        return ('<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n' + text).encode(
            "utf-16"
        )

    return edit(data, SHEET, change)


def unordered_cells(data: bytes) -> bytes:
    """The cells of every row of the marked sheet in reverse order (D14 before C14 …)."""

    def change(body: bytes) -> bytes:
        def flip(m: re.Match[bytes]) -> bytes:
            cells = re.findall(rb"<c\b.*?(?:/>|</c>)", m.group(2), re.S)
            return m.group(1) + b"".join(reversed(cells)) + m.group(3)

        return re.sub(rb"(<row\b[^>]*>)(.*?)(</row>)", flip, body, flags=re.S)

    return edit(data, SHEET, change)


def duplicate_cell(data: bytes) -> bytes:
    """The marked cell written twice in its row, the same value both times."""

    def change(body: bytes) -> bytes:
        m = re.search(rb'<c r="C14".*?</c>', body, re.S)
        assert m is not None
        return body[: m.end()] + m.group() + body[m.end() :]

    return edit(data, SHEET, change)


def comments_in_styles(data: bytes) -> bytes:
    """XML comments first in cellXfs and in fills: index 0 is a comment, not a format."""

    def change(body: bytes) -> bytes:
        body = re.sub(rb"(<cellXfs\b[^>]*>)", rb"\1<!-- formats -->", body, count=1)
        return re.sub(rb"(<fills\b[^>]*>)", rb"\1<!-- fills -->", body, count=1)

    return edit(data, "xl/styles.xml", change)


def comment_under_worksheet(data: bytes) -> bytes:
    """An XML comment and a processing instruction directly under <worksheet>."""

    def change(body: bytes) -> bytes:
        return re.sub(rb"(<worksheet\b[^>]*>)", rb"\1<!-- made by hand --><?tool x?>", body,
                      count=1)  # fmt: skip

    return edit(data, SHEET, change)


def duplicate_entry(data: bytes) -> bytes:
    """The marked sheet stored twice in the zip (readers use the last)."""
    items = parts(data)
    body = dict(items)[SHEET]
    return rezip([*items, (SHEET, body)])


def overrides_only_rels(data: bytes) -> bytes:
    """[Content_Types].xml without a Default for .rels: each rels part has an Override."""
    items = parts(data)
    rels = [n for n, _ in items if n.endswith(".rels")]

    def change(body: bytes) -> bytes:
        body = re.sub(rb'<Default Extension="rels"[^>]*/>', b"", body)
        add = b"".join(
            b'<Override PartName="/' + n.encode() + b'" ContentType="application/'
            b'vnd.openxmlformats-package.relationships+xml"/>'
            for n in rels
        )
        return body.replace(b"</Types>", add + b"</Types>")

    return rezip([(n, change(b) if n == "[Content_Types].xml" else b) for n, b in items])


def with_comment(data: bytes, ref: str = "B5", text: str = "Ghi chú của đơn vị") -> bytes:
    """A comment of the unit's own on the marked sheet (saved by openpyxl, as many tools do)."""
    wb = openpyxl.load_workbook(io.BytesIO(data), rich_text=True)
    wb[TAB][ref].comment = Comment(text, "Đơn vị")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def control_escape(data: bytes) -> bytes:
    """A text value holding "_x0001_" (an escaped control character) and a unit comment."""

    def change(body: bytes) -> bytes:
        return body.replace(b"<is><t>", b"<is><t>_x0001_ ", 1)

    return with_comment(edit(data, SHEET, change))


def values_openpyxl_changes(data: bytes) -> bytes:
    """Values an openpyxl round trip would change (a rich-text run of spaces, a float written
    with 17 digits, an empty string) on a sheet that has a comment of its own."""
    data = with_comment(data)

    def change(body: bytes) -> bytes:
        extra = (
            b'<row r="40"><c r="A40" t="inlineStr"><is><r><t>a</t></r><r><t xml:space="preserve">'
            b'   </t></r><r><t>b</t></r></is></c><c r="B40"><v>0.10000000000000001</v></c>'
            b'<c r="C40" t="inlineStr"><is><t></t></is></c></row>'
        )
        return body.replace(b"</sheetData>", extra + b"</sheetData>")

    return edit(data, SHEET, change)


# ---------------------------------------------------------------------- the large attacks


def many_cells(data: bytes, cells: int = 1_100_000, comment: bool = True) -> bytes:
    """One sheet of ``cells`` small numbers (34 MB of XML at 1.1M) below the report, on the
    marked tab, which also holds one comment of the unit's own."""
    data = with_comment(data) if comment else data
    rnd = random.Random(19)
    rows = []
    per_row = 11
    for i in range(cells // per_row):
        r = 100 + i
        cs = "".join(f'<c r="{col}{r}"><v>{rnd.randrange(1000)}</v></c>' for col in "EFGHIJKLMNO")
        rows.append(f'<row r="{r}">{cs}</row>')
    blob = "".join(rows).encode()
    return edit(data, SHEET, lambda body: body.replace(b"</sheetData>", blob + b"</sheetData>"))


def many_merges(data: bytes, merges: int = 1_150_000) -> bytes:
    """``merges`` merged ranges (two cells each) below the report on the marked tab."""
    rnd = random.Random(23)
    refs = []
    cols = [openpyxl.utils.get_column_letter(c) for c in range(5, 45, 2)]
    nxt = [openpyxl.utils.get_column_letter(c + 1) for c in range(5, 45, 2)]
    r = 100
    while len(refs) < merges:
        for a, b in zip(cols, nxt, strict=True):
            if rnd.random() < 0.9:
                refs.append(f'<mergeCell ref="{a}{r}:{b}{r}"/>')
        r += 1
    blob = "".join(refs[:merges]).encode()

    def change(body: bytes) -> bytes:
        if b"</mergeCells>" in body:
            body = re.sub(rb'(<mergeCells\b[^>]*?)\s*count="\d+"', rb"\1", body, count=1)
            return body.replace(b"</mergeCells>", blob + b"</mergeCells>")
        return body.replace(b"</sheetData>", b"</sheetData><mergeCells>" + blob + b"</mergeCells>")

    return edit(data, SHEET, change)


ODDITIES: dict[str, Callable[[bytes], bytes]] = {
    "strict": strict,
    "utf16": utf16,
    "unordered-cells": unordered_cells,
    "duplicate-cell": duplicate_cell,
    "comments-in-styles": comments_in_styles,
    "comment-under-worksheet": comment_under_worksheet,
    "duplicate-entry": duplicate_entry,
    "overrides-only-rels": overrides_only_rels,
    "unit-comment": with_comment,
    "control-escape": control_escape,
    "openpyxl-would-change-values": values_openpyxl_changes,
}
LARGE: dict[str, Callable[[bytes], bytes]] = {"many-cells": many_cells, "many-merges": many_merges}


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    data = base()
    (out / "base.xlsx").write_bytes(data)
    for name, build in {**ODDITIES, **LARGE}.items():
        (out / f"{name}.xlsx").write_bytes(build(data))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "oddities")
