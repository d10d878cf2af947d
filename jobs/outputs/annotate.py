"""What an annotated copy is: the unit's workbook, each finding's cell filled and commented.

A copy of the unit's workbook with every finding's cell filled red (error) or yellow
(warning) and a Vietnamese comment saying what is wrong and what to type. Findings without a
cell go into one comment on A1 of the first sheet.

The unit's values stay as they were. The copy is made by editing the package's XML in place
(`xlsx_marks`): styles.xml gains the two fills, the marked sheets their cell formats and
comments; every other part is copied byte for byte, so formulas keep their saved results and
drawings survive, and the work stays bounded whatever the sheet's size. Only a shape that
module does not edit, in a small file, is copied with openpyxl instead (which keeps values,
styles, names, validations, merges and comments, but drops drawings and writes a formula as
its saved result). ``annotated_copy`` then re-reads the copy (`verify`): a copy that differs
from the unit's file, or hides a mark, is refused, never published.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterable
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from sheets_schema import Finding, Severity
from sync.guard import Limits

from .sheet_stream import SheetBytes
from .verify import CopyRejected, verify_copy
from .xlsx_marks import Mark, Package, Unsupported, is_strict

log = logging.getLogger("tonghop.outputs")

ERROR_FILL = "FF8B8B"  # red, strong enough to stand out from the template's pale input cells
WARNING_FILL = "FFD54F"  # amber: the input cells are already a pale yellow (#FFF8DC)
AUTHOR = "Văn phòng Huyện ủy"
_MAX_COMMENT = 30_000  # Excel's comment limit is 32,767 characters
# Past this much unpacked XML no copy is made (the reader, which streams, has read the file).
MAX_UNPACKED = 40_000_000
# openpyxl holds the whole workbook in memory, some 20–50× its XML: it is used only below this
# much worksheet XML (a real report has ~250 KB).
MAX_OPENPYXL_SHEETS = 4_000_000
# Cells one finding may colour; a finding over a larger area marks its top-left cell only.
_MAX_MARKED = 1_000
STRICT_VI = (
    "định dạng Strict Open XML không được hỗ trợ; hãy lưu lại thành sổ làm việc Excel thông thường"
)


class AnnotateError(Exception):
    """The workbook could not be annotated, or its copy failed the re-read; one line."""


def annotate_workbook(data: bytes, findings: Iterable[Finding]) -> bytes:
    """The .xlsx ``data`` with each finding's cell highlighted and commented; values untouched."""
    return _annotate(data, list(findings))[0]


def annotated_copy(data: bytes, findings: Iterable[Finding], limits: Limits | None = None) -> bytes:  # fmt: skip
    """``annotate_workbook``, then the copy re-read and compared (``verify``): AnnotateError
    when it differs from ``data`` or a mark would not be seen."""
    copy, marks, rewritten, scanned = _annotate(data, list(findings))
    try:
        verify_copy(data, copy, marks, limits or Limits(), rewritten=rewritten, scanned=scanned)
    except CopyRejected as exc:
        raise AnnotateError(f"bản sao không đạt khi đọc lại ({exc}), không dùng") from exc
    return copy


Made = tuple[
    bytes, dict[str, list[Mark]], bool, dict[str, SheetBytes]
]  # copy, marks, by openpyxl, scans


def _annotate(data: bytes, findings: list[Finding]) -> Made:
    _check_size(data)
    if is_strict(data):
        raise AnnotateError(STRICT_VI)
    try:
        with Package(data) as pkg:
            plan = _plan(pkg, findings)
            return pkg.mark(plan, AUTHOR), plan, False, pkg.scanned()
    except (Unsupported, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        log.debug("annotating with openpyxl instead: %s", exc)
        why = str(exc)
    _check_openpyxl_size(data, why)
    return (*_annotate_with_openpyxl(data, findings), True, {})


def _plan(pkg: Package, findings: list[Finding]) -> dict[str, list[Mark]]:
    """The marks per sheet: each finding's cells filled, one comment on the first of them."""
    titles = list(pkg.sheets)
    groups = _group(findings, titles)
    wanted: dict[str, set[tuple[int, int]]] = {}
    for title, box in groups:
        if title is not None:
            c1, r1, c2, r2 = box
            wanted.setdefault(title, set()).update(
                (c, r) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
            )
    if titles:
        wanted.setdefault(titles[0], set()).add((1, 1))
    tops = {title: pkg.covering(title, cells) for title, cells in wanted.items()}

    def top_left(title: str, col: int, row: int) -> tuple[int, int]:
        return tops[title].get((col, row), (col, row))

    fills: dict[tuple[str, int, int], bool] = {}  # cell → has an error
    notes: dict[tuple[str, int, int], list[str]] = {}
    loose: list[Finding] = []
    for (title, box), found in groups.items():
        if title is None:
            loose = found
            continue
        error = any(f.severity is Severity.ERROR for f in found)
        c1, r1, c2, r2 = box
        cells = [top_left(title, c, r) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        for col, row in cells:
            fills[title, col, row] = fills.get((title, col, row), False) or error
        notes.setdefault((title, *cells[0]), []).append(_comment_text(found, general=False))
    if loose and titles:
        at = (titles[0], *top_left(titles[0], 1, 1))
        notes.setdefault(at, []).insert(0, _comment_text(loose, general=True))
    plan: dict[str, list[Mark]] = {}
    for key in fills.keys() | notes.keys():
        title, col, row = key
        fill = None if key not in fills else ERROR_FILL if fills[key] else WARNING_FILL
        note = _cut("\n\n".join(notes[key])) if key in notes else None
        plan.setdefault(title, []).append(Mark(row, col, fill, note))
    return plan


def _group(findings: list[Finding], titles: list[str]) -> dict[tuple[Any, Any], list[Finding]]:
    """Findings by (sheet title, cell box); those naming no cell of the file under (None, None)."""
    out: dict[tuple[Any, Any], list[Finding]] = {}
    for f in findings:
        target = _target(titles, f)
        out.setdefault(target if target is not None else (None, None), []).append(f)
    return out


def _annotate_with_openpyxl(data: bytes, findings: list[Finding]) -> tuple[bytes, dict[str, list[Mark]]]:  # fmt: skip
    # The slow way, for the few shapes Package does not edit, in small files only.
    wb = _load(data, data_only=False)
    # The cells the file holds, not its whole used range: iter_rows() would create every cell
    # up to a stray value at XFD1048576 (17 billion of them).
    formulas = [c for ws in wb.worksheets for c in ws._cells.values() if c.data_type == "f"]
    if formulas:
        _keep_saved_results(formulas, _load(data, data_only=True))
    titles = [ws.title for ws in wb.worksheets]
    marks: dict[str, list[Mark]] = {}
    for (title, box), found in _group(findings, titles).items():
        if title is None:
            cell = _writable(wb.worksheets[0], 1, 1)
            text = _comment_text(found, general=True)
            _comment(cell, text)
            marks.setdefault(titles[0], []).append(Mark(cell.row, cell.column, None, text))
        else:
            marks.setdefault(title, []).extend(_mark(wb[title], box, found))
    out = io.BytesIO()
    try:
        wb.save(out)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise AnnotateError(f"không lưu được bản sao đánh dấu lỗi ({exc})") from exc
    return out.getvalue(), marks


def _check_openpyxl_size(data: bytes, why: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheets = sum(i.file_size for i in zf.infolist() if i.filename.startswith("xl/worksheets/"))
    if sheets > MAX_OPENPYXL_SHEETS:
        raise AnnotateError(
            f"tệp quá lớn ({sheets:,} byte XML trang tính) để chép theo cách dự phòng; "
            f"cách sửa trực tiếp không dùng được ({why})".replace(",", ".")
        )


def _check_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise AnnotateError(f"not an .xlsx workbook: {exc}") from exc
    if unpacked > MAX_UNPACKED:
        raise AnnotateError(
            f"{unpacked:,} bytes unpacked, over {MAX_UNPACKED:,}: too large to annotate"
        )


def _load(data: bytes, *, data_only: bool) -> Any:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only, rich_text=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError) as exc:  # fmt: skip
        raise AnnotateError(f"cannot open the workbook: {exc}") from exc


def _keep_saved_results(formulas: list[Any], results: Any) -> None:
    # openpyxl writes a formula without its saved result; `check` would then report it as never
    # calculated. Keep the value the unit sees instead, where the file holds one.
    for cell in formulas:
        saved = results[cell.parent.title].cell(cell.row, cell.column)
        if saved.value is None:
            continue  # no saved result: the formula stays, and so does its finding
        # Value and type together: a text result starting with "=" stays text.
        cell._value, cell.data_type = saved.value, saved.data_type


Box = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based)


def _target(titles: list[str], f: Finding) -> tuple[str, Box] | None:
    """(sheet title, cell box) for a finding, or None when it names no cell of the file."""
    if not f.tab or not f.cell or f.tab not in titles:
        return None
    try:
        box = range_boundaries(f.cell)
    except (ValueError, TypeError):
        return None
    if any(b is None for b in box):
        return None  # a whole row or column: not a cell to mark
    c1, r1, c2, r2 = (int(b) for b in box)  # type: ignore[arg-type]
    if (c2 - c1 + 1) * (r2 - r1 + 1) > _MAX_MARKED:
        c2, r2 = c1, r1  # a huge area (a stretched name, a stray far value): mark its corner
    return f.tab, (c1, r1, c2, r2)


def _mark(ws: Worksheet, box: Box, findings: list[Finding]) -> list[Mark]:
    error = any(f.severity is Severity.ERROR for f in findings)
    colour = ERROR_FILL if error else WARNING_FILL
    fill = PatternFill("solid", fgColor=colour)
    min_col, min_row, max_col, max_row = box
    cells: list[Any] = []
    for row in range(min_row, max_row + 1):
        for col in range(min_col, max_col + 1):
            cell = _writable(ws, row, col)
            cell.fill = fill
            cells.append(cell)
    if not cells:
        return []
    text = _comment_text(findings, general=False)
    _comment(cells[0], text)
    first = Mark(cells[0].row, cells[0].column, colour, text)
    return [first] + [Mark(c.row, c.column, colour) for c in cells[1:]]


def _writable(ws: Worksheet, row: int, col: int) -> Any:
    """The cell at (row, col), or the top-left cell of the merged range it lies in."""
    cell = ws.cell(row, col)
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
                return ws.cell(merged.min_row, merged.min_col)
    return cell


def _comment_text(findings: list[Finding], *, general: bool) -> str:
    lines = ["Những điều cần sửa trong tệp:"] if general else []
    for f in findings:
        level = "Lỗi" if f.severity is Severity.ERROR else "Cảnh báo"
        where = f" (trang “{f.tab}”, ô {f.cell})" if general and f.tab and f.cell else ""
        where = where or (f" (trang “{f.tab}”)" if general and f.tab else "")
        lines.append(f"{level}{where}: {f.message}")
    return "\n".join(lines)


def _comment(cell: Any, text: str) -> None:
    old = cell.comment
    if old is not None and old.text:
        text += "\n\n— Ghi chú có sẵn trong tệp: " + old.text
    text = _cut(text)
    lines = text.count("\n") + 1 + len(text) // 60
    comment = Comment(text, AUTHOR, width=360, height=min(600, 20 * lines + 20))
    cell.comment = comment


def _cut(text: str) -> str:
    if len(text) > _MAX_COMMENT:
        text = text[: _MAX_COMMENT - 40] + "\n… (xem thêm trong findings.csv)"
    return text
