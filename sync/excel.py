"""The Excel source: a folder of .xlsx files, one per unit.

Two readers, chosen per file. openpyxl reads everything we need — defined names, values, each
cell's number format, error cells — but costs ~20 ms a report. python-calamine reads values
~15× faster but exposes neither defined names nor number formats, and turns error cells into
empty strings. So the fast path takes values from calamine and the defined names from
xl/workbook.xml, and is used only when the file provably holds nothing calamine would lose: no
error cells in any sheet and no percent number format in the stylesheet (the template has none;
a unit typing "8,5%" adds one). Any other file goes through openpyxl. ``make bench`` measures
both; tests check that both readers give the same parse.
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from sheets_schema.model import is_own_name
from sheets_schema.raw import Block, Cell, RawReport, pad_grid

from .base import ProblemKind, Pulled, SheetRef, SourceProblem, Version

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted .xlsx files and old .xls files are OLE containers


class WorkbookError(Exception):
    """A file that cannot be read as an .xlsx workbook; the message says why, in English."""

    def __init__(self, reason: str, message_vi: str) -> None:
        super().__init__(reason)
        self.message_vi = message_vi


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PERCENT_BUILTIN = {"9", "10"}  # 0% and 0.00%
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# A formula cell: its <f> is the first child of <c r="…">.
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<(?:\w+:)?f[\s>/]'
)
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def read_xlsx(data: bytes, *, engine: str = "auto") -> RawReport:
    """Read the cells under every defined name of an .xlsx file into a ``RawReport``.

    ``engine`` is "auto" (calamine when the file is safe for it), "openpyxl" or "calamine".
    """
    _check_signature(data)
    if engine != "openpyxl":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                fast = _calamine_safe(zf) or engine == "calamine"
                if fast:
                    return _read_calamine(data, zf)
        except Exception as exc:
            log.debug("fast reader declined (%s); using openpyxl", exc)
    return _read_openpyxl(data)


def _check_signature(data: bytes) -> None:
    if data[:4] == _OLE_MAGIC:
        raise WorkbookError(
            "the file is encrypted or an old .xls workbook",
            "Tệp có mật khẩu hoặc là định dạng .xls cũ. Hãy bỏ mật khẩu và lưu lại dạng .xlsx "
            "(Tệp → Lưu thành → Sổ làm việc Excel).",
        )
    if not data.startswith(b"PK"):
        raise WorkbookError(
            "not an .xlsx workbook (no zip signature)",
            "Tệp không phải bảng tính Excel (.xlsx). Hãy tải mẫu báo cáo và điền vào đó.",
        )


def _own_cells(zf: zipfile.ZipFile) -> dict[str, set[str]]:
    """Sheet part (xl/worksheets/sheetN.xml) → cells of the template's own formulas.

    The template's progress line and its helpers are formulas under names such as _tien_do;
    they are never inputs, so they need not send a file to the slower reader.
    """
    try:
        root = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = {}
    for sh in root.iter(f"{_MAIN}sheet"):
        target = targets.get(sh.get(_REL), "")
        parts[sh.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    own: dict[str, set[str]] = defaultdict(set)
    for dn in root.iter(f"{_MAIN}definedName"):
        if not is_own_name(dn.get("name", "")) or dn.get("localSheetId") is not None:
            continue
        sheet, ref = _destination(dn.text or "", None)
        box = area(ref) if sheet is not None else None
        if (
            sheet in parts
            and box is not None
            and (box[2] - box[0] + 1) * (box[3] - box[1] + 1) <= 1000
        ):
            own[parts[sheet]].update(
                f"{get_column_letter(c)}{r}"
                for r in range(box[0], box[2] + 1)
                for c in range(box[1], box[3] + 1)
            )
    return own


def _input_formulas(sheet_xml: bytes, own: set[str]) -> bool:
    """Whether the sheet holds a formula other than the template's own."""
    if not _FORMULA.search(sheet_xml):
        return False
    cells = _FORMULA_CELL.findall(sheet_xml)
    if len(cells) < len(_FORMULA.findall(sheet_xml)):
        return True  # a layout we do not recognise: assume the worst
    return any(ref.decode() not in own for ref in cells)


def _calamine_safe(zf: zipfile.ZipFile) -> bool:
    """True when calamine would lose nothing: no error cells and no percent formats in use."""
    own = _own_cells(zf)
    for name in zf.namelist():
        if (
            name.startswith("xl/worksheets/")
            and name.endswith(".xml")
            and _needs_openpyxl(zf.read(name), own.get(name, set()))
        ):
            return False
    try:
        styles = ET.fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return True
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


def _workbook_names(
    zf: zipfile.ZipFile,
) -> tuple[tuple[str, ...], dict[str, tuple[str | None, str]]]:
    """Sheet titles and defined names straight from xl/workbook.xml (calamine has no names)."""
    root = ET.fromstring(zf.read("xl/workbook.xml"))
    titles = tuple(sh.get("name", "") for sh in root.iter(f"{_MAIN}sheet"))
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
    return titles, found


def _read_calamine(data: bytes, zf: zipfile.ZipFile) -> RawReport:
    import python_calamine

    titles, names = _workbook_names(zf)
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

    return _blocks(titles, names, cells)


def _value_cell(value: Any) -> Cell:
    if value == "" or value is None:
        return Cell()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)  # as openpyxl gives whole numbers
    return Cell(value, "")


def _read_openpyxl(data: bytes) -> RawReport:
    raw = _load_openpyxl(data, data_only=True)
    if not _has_formulas(data):
        return raw
    # Formulas written by a program hold no result: say which formula, instead of "empty".
    formulas = _load_openpyxl(data, data_only=False)
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
        blocks[name] = Block(block.name, block.sheet, block.row, block.col, rows, block.error)
    return RawReport(raw.sheet_titles, blocks, raw.locale, raw.time_zone, raw.sheet_ids)


def _formula_of(cell: Cell) -> str:
    value = cell.value
    return value if isinstance(value, str) and value.startswith("=") else ""


def _has_formulas(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            own = _own_cells(zf)
            return any(
                _input_formulas(zf.read(n), own.get(n, set()))
                for n in zf.namelist()
                if n.startswith("xl/worksheets/") and n.endswith(".xml")
            )
    except (zipfile.BadZipFile, OSError):
        return False


def _load_openpyxl(data: bytes, *, data_only: bool) -> RawReport:
    try:
        wb = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
        )
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise WorkbookError(
            f"corrupt .xlsx workbook: {exc}",
            "Tệp bảng tính bị hỏng, không mở được. Hãy mở bằng Excel, lưu lại và gửi lại.",
        ) from exc
    try:
        return _report(wb)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise WorkbookError(
            f"corrupt .xlsx workbook: {exc}",
            "Tệp bảng tính bị hỏng, không đọc được. Hãy mở bằng Excel, lưu lại và gửi lại.",
        ) from exc
    finally:
        wb.close()


def _names(wb: Any) -> dict[str, tuple[str | None, str]]:
    """Defined name → (sheet, A1 range), or (None, reason) when it points nowhere usable."""
    found: dict[str, tuple[str | None, str]] = {}
    scoped = [(ws.title, ws.defined_names) for ws in wb.worksheets if hasattr(ws, "defined_names")]
    for scope, names in [(None, wb.defined_names), *scoped]:
        for name, dn in names.items():
            if is_own_name(name):
                continue  # the template's own formula cells, never inputs
            key = name.lower()
            if key in found and found[key][0] is not None:
                continue  # a workbook-level name wins over a sheet-scoped twin
            found[key] = _destination(str(dn.attr_text or ""), scope)
    return found


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


def area(ref: str) -> tuple[int, int, int, int] | None:
    """An A1 area ("C5", "B4:G33", with or without $) as 1-based (row1, col1, row2, col2)."""
    try:
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    except (ValueError, TypeError):
        return None
    if c1 is None or r1 is None or c2 is None or r2 is None:
        return None
    return r1, c1, r2, c2


def _blocks(
    titles: tuple[str, ...], names: dict[str, tuple[str | None, str]], read: CellReader
) -> RawReport:
    """Build a Block per defined name, reading each rectangle through ``read``."""
    blocks: dict[str, Block] = {}
    for name, (sheet, ref) in names.items():
        if sheet is None or sheet not in titles:
            blocks[name] = Block(name, None, 0, 0, error=ref if sheet is None else "#REF!")
            continue
        box = area(ref)
        if box is None:  # not an A1 area, or whole rows or columns
            blocks[name] = Block(name, None, 0, 0, error="#REF!")
            continue
        r1, c1, r2, c2 = box
        rows = read(sheet, r1, c1, r2, c2)
        blocks[name] = Block(name, sheet, r1, c1, pad_grid(rows, r2 - r1 + 1, c2 - c1 + 1))
    return RawReport(sheet_titles=titles, blocks=blocks)


def _report(wb: Any) -> RawReport:
    titles = tuple(wb.sheetnames)
    names = _names(wb)
    # Read each sheet once, over the rows its names cover.
    wanted: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for sheet, ref in names.values():
        box = area(ref) if sheet is not None and sheet in titles else None
        if sheet is not None and box is not None:
            wanted[sheet].append(box)
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

    def __init__(self, folder: Path) -> None:
        self.folder = folder

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
                out[ref.code] = SourceProblem(
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

    def pull(self, ref: SheetRef, version: Version) -> Pulled | SourceProblem:
        path = self.path_of(ref)
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            return SourceProblem(ProblemKind.INVALID, f"{path} is a folder",
                                 f"“{ref.sheet}” là thư mục, không phải tệp báo cáo.", self.link_of(path))  # fmt: skip
        except OSError as exc:
            return SourceProblem(ProblemKind.UNREACHABLE, f"{path}: {exc.strerror}",
                                 f"Không đọc được tệp “{ref.sheet}”.", self.link_of(path))  # fmt: skip
        try:
            raw = read_xlsx(data)
        except WorkbookError as exc:
            return SourceProblem(
                ProblemKind.INVALID, f"{path}: {exc}", exc.message_vi, self.link_of(path)
            )
        return Pulled(raw, data, "xlsx")
