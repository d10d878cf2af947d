"""The Excel source: a folder of .xlsx files, one per unit.

Two readers, chosen per file. openpyxl reads everything we need — defined names, values, each
cell's number format, error cells — but costs ~20 ms a report. python-calamine reads values
~15× faster but exposes neither defined names nor number formats, and turns error cells into
empty strings. So the fast path takes values from calamine and the defined names from
xl/workbook.xml, and is used only when the file provably holds nothing calamine would lose: no
error cells in any sheet and no percent number format in the stylesheet (the template has none;
a unit typing "8,5%" adds one). Any other file goes through openpyxl. ``make bench`` measures
both; tests check that both readers give the same parse.

Before either reader sees a file, ``sync.guard`` checks it (a regular file, sizes, zip caps, no
DTD or entity), and only the schema's names are read, each over at most its declared shape. A
tab with a value far outside the template's area is read by openpyxl over the declared rows
only: calamine would materialise the whole used range.
"""

from __future__ import annotations

import functools
import io
import logging
import posixpath
import re
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from sheets_schema.findings import a1
from sheets_schema.model import is_own_name
from sheets_schema.raw import Block, Cell, RawReport, pad_grid

from .base import ProblemKind, Pulled, SheetRef, SourceProblem, Version
from .guard import Limits, WorkbookError, open_parts, read_regular_file

__all__ = [
    "ExcelFolderSource",
    "Limits",
    "Shapes",
    "WorkbookError",
    "area",
    "has_utf16_parts",
    "read_xlsx",
]

log = logging.getLogger(__name__)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
STRICT_VI = (
    "định dạng Strict Open XML không được hỗ trợ; hãy lưu lại thành sổ làm việc Excel thông thường"
)
_PERCENT_BUILTIN = {"9", "10"}  # 0% and 0.00%
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# A formula cell: its <f> is the first child of <c r="…">.
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<(?:\w+:)?f[\s>/]'
)
# Cell and row references (`<c r="B7"`, `<row r="7"`): the only ` r="` attributes in a sheet.
_CELL_LETTERS = re.compile(rb' r="([A-Z]{1,3})[0-9]')
_REF_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]{1,7})"')
_PREFIXED = re.compile(rb"<\w+:worksheet\b")
_COUNT = re.compile(rb'\b(?:count|uniqueCount)="([0-9]{1,20})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([^"]*)"')

Shapes = Mapping[str, tuple[int, int]]  # defined name (lower case) → (height, width) declared
# Without a schema's shapes, no name is read over more than this many rows and columns.
GENERIC_SHAPE = (1000, 100)
# How far past the template's area (its names' bounding box on a tab) a typed value may sit
# before it is called stray, ignored with a warning, and calamine is not used for the file.
_NEAR_ROWS, _NEAR_COLS = 1000, 100
# What openpyxl raises on a damaged file that passed the guard (found by tests/sync/
# test_fuzz_xlsx.py): malformed XML (SyntaxError covers expat's and lxml's), missing parts,
# attributes of the wrong type or count.
_OPENPYXL_ERRORS = (
    zipfile.BadZipFile, InvalidFileException, SyntaxError, KeyError, ValueError, TypeError,
    AttributeError, IndexError, OSError, EOFError,
)  # fmt: skip
_BROKEN_VI = "Tệp bảng tính bị hỏng, không đọc được. Hãy mở bằng Excel, lưu lại và gửi lại."


def read_xlsx(
    data: bytes,
    *,
    engine: str = "auto",
    shapes: Shapes | None = None,
    limits: Limits | None = None,
) -> RawReport:
    """Read the cells under every defined name of an .xlsx file into a ``RawReport``.

    ``engine`` is "auto" (calamine when the file is safe for it), "openpyxl" or "calamine".
    ``shapes`` are the schema's names and their declared (height, width): only those names are
    read and never over more than their declared area (a larger one is marked on its block for
    the parser to report). The file first passes ``sync.guard``'s checks under ``limits``;
    a refused or unreadable file raises ``WorkbookError``.
    """
    limits = limits or Limits()
    parts = open_parts(data, limits)
    book = _book(parts)
    names = _clip(book.names, shapes)
    far, bounded = _outside(book, parts, names)
    if engine != "openpyxl" and not bounded and not (engine == "auto" and has_utf16_parts(data)):
        try:
            if engine == "calamine" or _calamine_safe(parts, book.own):
                return _read_calamine(data, book, names)
        except Exception as exc:  # calamine's own error types: fall back to openpyxl
            log.debug("fast reader declined (%s); using openpyxl", exc)
    raw = _read_openpyxl(data, parts, names)
    return RawReport(raw.sheet_titles, raw.blocks, far_cells=far) if far else raw


def has_utf16_parts(data: bytes) -> bool:
    """Whether a worksheet or shared-strings part is stored in UTF-16: calamine reads such a
    part as empty, so the file goes to openpyxl."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if info.filename.startswith("xl/") and info.filename.endswith(".xml"):
                    with zf.open(info) as fh:
                        head = fh.read(2)
                    if head in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
                        return True
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False  # the guard has read it already; a reader will say what is wrong
    return False


@dataclass(frozen=True)
class _Book:
    """What xl/workbook.xml says: tab titles, defined names, and each tab's sheet part."""

    titles: tuple[str, ...]
    names: dict[str, tuple[str | None, str]]  # name → (sheet, A1 area) or (None, reason)
    parts: dict[str, str]  # tab title → zip entry of its worksheet XML
    # Sheet part → cells of the template's own formulas (its progress line under names such
    # as _tien_do): never inputs, so they need not send a file to the slower reader.
    own: dict[str, set[str]] = field(default_factory=dict)


def _xml(body: bytes, what: str) -> Element:
    """Parse an XML part with defusedxml, refusing any DTD (the guard already scanned)."""
    try:
        return defused_fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WorkbookError(f"corrupt .xlsx part {what}: {exc}", _BROKEN_VI) from exc


def _book(parts: Mapping[str, bytes]) -> _Book:
    if "xl/workbook.xml" not in parts:
        raise WorkbookError("corrupt .xlsx workbook: no xl/workbook.xml", _BROKEN_VI)
    root = _xml(parts["xl/workbook.xml"], "xl/workbook.xml")
    if root.tag.startswith(_STRICT):
        # Strict OOXML (Excel's "Strict Open XML Spreadsheet"): other namespaces throughout,
        # which neither reader maps; without this every tab would be reported missing.
        raise WorkbookError("Strict Open XML workbook", STRICT_VI)
    targets: dict[str, str] = {}
    rels = parts.get("xl/_rels/workbook.xml.rels")
    if rels is not None:
        for rel in _xml(rels, "xl/_rels/workbook.xml.rels").iter(_PKG_REL):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id", "")] = posixpath.normpath(path)
    titles = []
    sheet_parts = {}
    for sh in root.iter(f"{_MAIN}sheet"):
        title = sh.get("name", "")
        titles.append(title)
        part = targets.get(sh.get(_REL_ID, ""))
        if part is not None:
            sheet_parts[title] = part
    return _Book(tuple(titles), _defined_names(root, tuple(titles)), sheet_parts,
                 _own_cells(root, sheet_parts))  # fmt: skip


def _own_cells(root: Element, sheet_parts: Mapping[str, str]) -> dict[str, set[str]]:
    """Sheet part → the cells under the template's own (underscore) workbook-level names."""
    own: dict[str, set[str]] = defaultdict(set)
    for dn in root.iter(f"{_MAIN}definedName"):
        if not is_own_name(dn.get("name", "")) or dn.get("localSheetId") is not None:
            continue
        sheet, ref = _destination(dn.text or "", None)
        box = area(ref) if sheet is not None else None
        if sheet is None or sheet not in sheet_parts or box is None:
            continue
        if (box[2] - box[0] + 1) * (box[3] - box[1] + 1) > 1000:
            continue  # not the template's few helper cells: let it count as a unit's formula
        own[sheet_parts[sheet]].update(
            f"{get_column_letter(c)}{r}"
            for r in range(box[0], box[2] + 1)
            for c in range(box[1], box[3] + 1)
        )
    return dict(own)


def _defined_names(root: Element, titles: tuple[str, ...]) -> dict[str, tuple[str | None, str]]:
    """Defined names straight from xl/workbook.xml (calamine has no names)."""
    found: dict[str, tuple[str | None, str]] = {}
    scoped: list[tuple[str, str, str | None]] = []
    for dn in root.iter(f"{_MAIN}definedName"):
        name, text, local = dn.get("name", ""), dn.text or "", dn.get("localSheetId")
        if name.startswith("_xlnm.") or is_own_name(name):
            continue  # print areas and filters; the template's own formula cells
        if local is None:
            found[name.lower()] = _destination(text, None)
        else:
            scope = titles[int(local)] if local.isdigit() and int(local) < len(titles) else None
            scoped.append((name.lower(), text, scope))
    for key, text, scope in scoped:
        if key not in found or found[key][0] is None:
            found[key] = _destination(text, scope)
    return found


@dataclass(frozen=True)
class _Name:
    sheet: str | None
    ref: str  # the A1 area to read, or the reason it is broken when sheet is None
    covers: tuple[int, int] | None = None  # (height, width) in the file, when larger than read


def _clip(names: Mapping[str, tuple[str | None, str]], shapes: Shapes | None) -> dict[str, _Name]:
    """Each wanted name, cut to its declared shape: only the declared cells are ever read."""
    out: dict[str, _Name] = {}
    for name, (sheet, ref) in names.items():
        if shapes is not None and name not in shapes:
            continue  # not the schema's: never read
        height, width = shapes[name] if shapes is not None else GENERIC_SHAPE
        box = area(ref) if sheet is not None else None
        if box is None:
            out[name] = _Name(sheet, ref)
            continue
        r1, c1, r2, c2 = box
        if r2 - r1 + 1 <= height and c2 - c1 + 1 <= width:
            out[name] = _Name(sheet, ref)
            continue
        clipped = f"{a1(r1, c1)}:{a1(min(r2, r1 + height - 1), min(c2, c1 + width - 1))}"
        out[name] = _Name(sheet, clipped, (r2 - r1 + 1, c2 - c1 + 1))
    return out


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _outside(
    book: _Book, parts: Mapping[str, bytes], names: Mapping[str, _Name]
) -> tuple[dict[str, str], bool]:
    """Values far outside the template's area, per tab read: {tab: A1 of the farthest}; and
    whether any tab read is too large (or unknowable) for calamine, which would materialise the
    whole used range (one value at XFD1048576 asks it for 512 GB)."""
    boxes: dict[str, tuple[int, int]] = {}
    for n in names.values():
        box = area(n.ref) if n.sheet is not None else None
        if box is not None and n.sheet is not None:
            bottom, right = boxes.get(n.sheet, (0, 0))
            boxes[n.sheet] = (max(bottom, box[2]), max(right, box[3]))
    far: dict[str, str] = {}
    bounded = False
    for sheet, (bottom, right) in boxes.items():
        xml = parts.get(book.parts.get(sheet, ""))
        if xml is None:
            continue
        if _PREFIXED.search(xml, 0, 4096):
            bounded = True  # a namespace prefix on every tag: let openpyxl read it, bounded
            continue
        letters = _CELL_LETTERS.findall(xml)
        if len(letters) != xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>"):
            bounded = True  # cells placed by position, not by reference: let openpyxl count
        max_row = max(map(int, _REF_ROW.findall(xml)), default=0)
        widest = max(map(len, letters), default=0)
        max_col = _col(max((c for c in letters if len(c) == widest), default=b""))
        if max_row > bottom + _NEAR_ROWS or max_col > right + _NEAR_COLS:
            far[sheet] = a1(max_row, max(max_col, 1))
            bounded = True
        dim = _DIMENSION.search(xml)
        dim_box = area(dim.group(1).decode("ascii", "replace")) if dim else None
        if dim_box is not None and (
            dim_box[2] > bottom + _NEAR_ROWS or dim_box[3] > right + _NEAR_COLS
        ):
            bounded = True  # a stated used range that large: calamine may reserve it
    return far, bounded


def _calamine_safe(parts: Mapping[str, bytes], own: Mapping[str, set[str]] | None = None) -> bool:
    """True when calamine would lose nothing (no error cells, no percent formats in use) and
    is not asked to reserve what a count in the file claims (it aborts the process when a
    shared-string count of 4,000,000,000 cannot be allocated). ``own`` are the template's own
    formula cells per sheet part (read from the file when not given)."""
    if own is None:
        own = _book(parts).own
    total = sum(len(body) for body in parts.values())
    for name, body in parts.items():
        if name.endswith("sharedStrings.xml") and any(
            int(n) > total for n in _COUNT.findall(body[:4096])
        ):
            return False
    for name, body in parts.items():
        if (
            name.startswith("xl/worksheets/")
            and name.endswith(".xml")
            and _needs_openpyxl(body, own.get(name, set()))
        ):
            return False
    if "xl/styles.xml" not in parts:
        return True
    styles = _xml(parts["xl/styles.xml"], "xl/styles.xml")
    custom = {
        nf.get("numFmtId", ""): nf.get("formatCode", "") for nf in styles.iter(f"{_MAIN}numFmt")
    }
    xfs = styles.find(f"{_MAIN}cellXfs")
    for xf in xfs if xfs is not None else ():
        fmt_id = xf.get("numFmtId", "0")
        if fmt_id in _PERCENT_BUILTIN or Cell(0, custom.get(fmt_id, "")).is_percent:
            return False
    return True


def _needs_openpyxl(sheet_xml: bytes, own: set[str]) -> bool:
    """Error cells (calamine blanks them) or a unit's formulas (their result may be missing)."""
    return bool(_ERROR_CELL.search(sheet_xml) or _input_formulas(sheet_xml, own))


def _input_formulas(sheet_xml: bytes, own: set[str]) -> bool:
    """Whether the sheet holds a formula other than the template's own."""
    if not _FORMULA.search(sheet_xml):
        return False
    cells = _FORMULA_CELL.findall(sheet_xml)
    if len(cells) < len(_FORMULA.findall(sheet_xml)):
        return True  # a layout we do not recognise: assume the worst
    return any(ref.decode() not in own for ref in cells)


def _read_calamine(data: bytes, book: _Book, names: Mapping[str, _Name]) -> RawReport:
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids: dict[str, list[list[Any]]] = {}

    def grid(sheet: str) -> list[list[Any]]:
        if sheet not in grids:
            grids[sheet] = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return grids[sheet]

    def cells(sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[list[Cell]]:
        rows = grid(sheet)
        out = []
        for r in range(r1, r2 + 1):
            row = rows[r - 1] if r - 1 < len(rows) else []
            out.append(
                [_value_cell(row[c - 1]) if c - 1 < len(row) else Cell() for c in range(c1, c2 + 1)]
            )
        return out

    return _blocks(book.titles, names, cells)


def _value_cell(value: Any) -> Cell:
    if value == "" or value is None:
        return Cell()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)  # as openpyxl gives whole numbers
    return Cell(value, "")


def _read_openpyxl(
    data: bytes, parts: Mapping[str, bytes], names: Mapping[str, _Name]
) -> RawReport:
    raw = _load_openpyxl(data, names, data_only=True)
    if not _has_formulas(parts, _book(parts).own):
        return raw
    # Formulas written by a program hold no result: say which formula, instead of "empty".
    formulas = _load_openpyxl(data, names, data_only=False)
    blocks = dict(raw.blocks)
    for name, block in raw.blocks.items():
        other = formulas.blocks.get(name)
        if other is None or not block.cells:
            continue
        rows = tuple(
            tuple(
                Cell(c.value, c.number_format, _formula_of(other.cell(r, k)))
                if c.value is None and _formula_of(other.cell(r, k))
                else c
                for k, c in enumerate(row)
            )
            for r, row in enumerate(block.cells)
        )
        blocks[name] = Block(
            block.name, block.sheet, block.row, block.col, rows, block.error, block.covers
        )
    return RawReport(raw.sheet_titles, blocks, raw.locale, raw.time_zone, raw.sheet_ids)


def _formula_of(cell: Cell) -> str:
    value = cell.value
    return value if isinstance(value, str) and value.startswith("=") else ""


def _has_formulas(parts: Mapping[str, bytes], own: Mapping[str, set[str]]) -> bool:
    return any(
        _input_formulas(body, own.get(n, set()))
        for n, body in parts.items()
        if n.startswith("xl/worksheets/") and n.endswith(".xml")
    )


def _load_openpyxl(data: bytes, names: Mapping[str, _Name], *, data_only: bool) -> RawReport:
    try:
        wb = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
        )
    except _OPENPYXL_ERRORS as exc:
        raise WorkbookError(
            f"corrupt .xlsx workbook: {exc}",
            "Tệp bảng tính bị hỏng, không mở được. Hãy mở bằng Excel, lưu lại và gửi lại.",
        ) from exc
    try:
        return _report(wb, names)
    except _OPENPYXL_ERRORS as exc:
        raise WorkbookError(f"corrupt .xlsx workbook: {exc}", _BROKEN_VI) from exc
    finally:
        wb.close()


def _destination(text: str, scope: str | None) -> tuple[str | None, str]:
    """Split "'Thông tin'!$C$5" into its sheet and range without openpyxl's formula tokenizer,
    which costs more than reading the cells. Anything but one plain area counts as broken."""
    text = text.lstrip("=")
    sheet_part, bang, ref = text.rpartition("!")
    if "#REF!" in text.upper() or "," in ref or not ref:
        return None, "#REF!"
    if not bang:
        return (scope, ref.replace("$", "")) if scope else (None, "#REF!")
    if sheet_part.startswith("'") and sheet_part.endswith("'"):
        sheet_part = sheet_part[1:-1].replace("''", "'")
    if not sheet_part or sheet_part.startswith("["):  # another workbook
        return None, "#REF!"
    return sheet_part, ref.replace("$", "")


CellReader = Any  # (sheet, r1, c1, r2, c2) -> rows of Cells


@functools.lru_cache(maxsize=4096)  # the same template refs in every report
def area(ref: str) -> tuple[int, int, int, int] | None:
    """An A1 area ("C5", "B4:G33", with or without $) as 1-based (row1, col1, row2, col2)."""
    try:
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    except (ValueError, TypeError):
        return None
    if c1 is None or r1 is None or c2 is None or r2 is None:
        return None
    return r1, c1, r2, c2


def _blocks(titles: tuple[str, ...], names: Mapping[str, _Name], read: CellReader) -> RawReport:
    """Build a Block per defined name, reading each (clipped) rectangle through ``read``."""
    blocks: dict[str, Block] = {}
    for name, n in names.items():
        if n.sheet is None or n.sheet not in titles:
            blocks[name] = Block(name, None, 0, 0, error=n.ref if n.sheet is None else "#REF!")
            continue
        box = area(n.ref)
        if box is None:  # not an A1 area, or whole rows or columns
            blocks[name] = Block(name, None, 0, 0, error="#REF!")
            continue
        r1, c1, r2, c2 = box
        rows = read(n.sheet, r1, c1, r2, c2)
        cells = pad_grid(rows, r2 - r1 + 1, c2 - c1 + 1)
        blocks[name] = Block(name, n.sheet, r1, c1, cells, covers=n.covers)
    return RawReport(sheet_titles=titles, blocks=blocks)


def _report(wb: Any, names: Mapping[str, _Name]) -> RawReport:
    titles = tuple(wb.sheetnames)
    # Read each sheet once, over the rows its (clipped) names cover.
    wanted: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for n in names.values():
        box = area(n.ref) if n.sheet is not None and n.sheet in titles else None
        if n.sheet is not None and box is not None:
            wanted[n.sheet].append(box)
    grids: dict[str, dict[int, tuple[Any, ...]]] = {}
    for sheet, boxes in wanted.items():
        top, bottom = min(b[0] for b in boxes), max(b[2] for b in boxes)
        right = max(b[3] for b in boxes)
        rows = wb[sheet].iter_rows(min_row=top, max_row=bottom, min_col=1, max_col=right)
        grids[sheet] = dict(enumerate(rows, start=top))

    def read(sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[list[Cell]]:
        grid = grids.get(sheet, {})
        out = []
        for r in range(r1, r2 + 1):
            row = grid.get(r, ())
            out.append(
                [_cell(row[c - 1]) if c - 1 < len(row) else Cell() for c in range(c1, c2 + 1)]
            )
        return out

    return _blocks(titles, names, read)


def _cell(cell: Any) -> Cell:
    value = getattr(cell, "value", None)
    if value is None:
        return Cell()
    return Cell(value, getattr(cell, "number_format", "") or "")


class ExcelFolderSource:
    """Units' .xlsx files in one folder; the roster's ``sheet`` column names each file."""

    kind = "excel"

    def __init__(
        self, folder: Path, *, limits: Limits | None = None, shapes: Shapes | None = None
    ) -> None:
        self.folder = folder
        self.limits = limits or Limits()
        self.shapes = shapes

    def bounded(self, limits: Limits, shapes: Shapes | None) -> ExcelFolderSource:
        """The same folder read under ``limits``, each name cut to its declared shape."""
        return ExcelFolderSource(self.folder, limits=limits, shapes=shapes)

    def link_of(self, path: Path) -> str:
        """The file's name relative to the source folder: what a person is shown.

        Never the path on the server: it means nothing on another machine and breaks as soon
        as an output is copied or e-mailed.
        """
        try:
            return path.relative_to(self.folder).as_posix()
        except ValueError:  # the roster named a file outside the folder
            return path.name

    def path_of(self, ref: SheetRef) -> Path:
        path = self.folder / ref.sheet
        if not path.suffix and not path.exists() and path.with_suffix(".xlsx").exists():
            return path.with_suffix(".xlsx")  # the roster named the file without its extension
        return path

    def versions(self, refs: Sequence[SheetRef]) -> Mapping[str, Version | SourceProblem]:
        out: dict[str, Version | SourceProblem] = {}
        for ref in refs:
            path = self.path_of(ref)
            if not ref.sheet:
                out[ref.code] = SourceProblem(
                    ProblemKind.MISSING, "no file named in the roster",
                    "Danh sách đơn vị chưa ghi tên tệp báo cáo của đơn vị.",
                )  # fmt: skip
                continue
            try:
                st = path.stat()
            except FileNotFoundError:
                out[ref.code] = self._other_format(path) or SourceProblem(
                    ProblemKind.MISSING, f"{path} does not exist yet",
                    f"Chưa có tệp báo cáo “{ref.sheet}”.", self.link_of(path),
                )  # fmt: skip
                continue
            except OSError as exc:
                out[ref.code] = SourceProblem(
                    ProblemKind.UNREACHABLE, f"{path}: {exc.strerror}",
                    f"Không đọc được tệp “{ref.sheet}”: kiểm tra quyền truy cập thư mục.", self.link_of(path),
                )  # fmt: skip
                continue
            modified = datetime.fromtimestamp(st.st_mtime, UTC)
            out[ref.code] = Version(f"{st.st_mtime_ns}:{st.st_size}", modified, self.link_of(path))
        return out

    def _other_format(self, path: Path) -> SourceProblem | None:
        """The unit's report saved under the same name in a format we do not read (.ods from
        LibreOffice, an old .xls): say so, instead of "no file yet"."""
        for ext, why in ((".ods", "bảng tính LibreOffice/OpenOffice"), (".xls", "định dạng Excel cũ")):  # fmt: skip
            other = path.with_suffix(ext)
            if other != path and other.is_file():
                menu = "Excel 2007-365" if ext == ".ods" else "Sổ làm việc Excel (.xlsx)"
                return SourceProblem(
                    ProblemKind.INVALID, f"{other} instead of {path.name}",
                    f"Chưa có tệp “{path.name}”; trong thư mục có “{other.name}” ({why}), chương "
                    f"trình chỉ đọc .xlsx: hãy mở tệp đó, lưu lại dạng .xlsx: Tệp → Lưu thành → "
                    f"{menu}, đặt tên “{path.name}”.", self.link_of(other), keep_last=True,
                )  # fmt: skip
        return None

    def pull(self, ref: SheetRef, version: Version) -> Pulled | SourceProblem:
        path = self.path_of(ref)
        if not path.resolve().is_relative_to(self.folder.resolve()):
            return SourceProblem(
                ProblemKind.INVALID, f"{path} leads outside {self.folder} through a link",
                f"“{ref.sheet}” là liên kết trỏ ra ngoài thư mục báo cáo; hãy đặt chính tệp báo "
                f"cáo .xlsx vào thư mục, không dùng liên kết.", self.link_of(path),
            )  # fmt: skip
        try:
            data = read_regular_file(path, self.limits)
            raw = read_xlsx(data, shapes=self.shapes, limits=self.limits)
        except WorkbookError as exc:
            return SourceProblem(
                ProblemKind.INVALID, f"{path}: {exc}", exc.message_vi, self.link_of(path)
            )
        except OSError as exc:
            return SourceProblem(ProblemKind.UNREACHABLE, f"{path}: {exc.strerror}",
                                 f"Không đọc được tệp “{ref.sheet}”.", self.link_of(path))  # fmt: skip
        return Pulled(raw, data, "xlsx")
