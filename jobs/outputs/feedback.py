"""`phan-hoi/<code>.xlsx`: each Excel unit's own file, its findings marked where it typed.

A copy of the unit's workbook (the snapshot the run read, never the live file) with every
finding's cell filled red (error) or yellow (warning) and a Vietnamese comment saying what is
wrong and what to type. Findings without a cell go into one comment on A1 of the first sheet.

The unit's values stay as they were. The copy is made by editing the package's XML in place
(`xlsx_marks`): styles.xml gains the two fills, the marked sheets their cell formats and a
comments part; every other part is copied byte for byte, so formulas keep their saved results
and drawings survive. A sheet that already has comments of its own (or another shape that
module does not edit) is copied with openpyxl instead, which keeps values, styles, defined
names, validations, merges and the unit's comments but drops drawings and cannot store a
formula with its saved result: there a formula with a result is written as that result (the
value the unit sees). Either way `tonghop check` on the copy gives the same findings as on the
original.

Only files the reader accepted are opened again: a unit whose file was refused (hostile,
corrupt, encrypted) gets no copy. A copy is rewritten only when the file or its findings
changed, and copies of units that no longer have findings are removed.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from sheets_schema import Finding, Severity

from ..model import Status, UnitOutcome
from ..roster_fields import file_stem
from .atomic import OutputError, atomic_write
from .xlsx_marks import Mark, Package, Unsupported

log = logging.getLogger("tonghop.outputs")

FEEDBACK_DIR = "phan-hoi"
MANIFEST = ".phan-hoi.json"
# Bump when the annotation changes, so every copy is written again.
_VERSION = "2"
ERROR_FILL = "FF8B8B"  # red, strong enough to stand out from the template's pale input cells
WARNING_FILL = "FFD54F"  # amber: the input cells are already a pale yellow (#FFF8DC)
AUTHOR = "Văn phòng Huyện ủy"
_MAX_COMMENT = 30_000  # Excel's comment limit is 32,767 characters
# openpyxl holds the whole workbook in memory, some 20–50× its XML: past this much unpacked
# XML a copy is not made (the reader, which streams, has already read the file).
MAX_UNPACKED = 40_000_000
# Cells one finding may colour; a finding over a larger area marks its top-left cell only.
_MAX_MARKED = 1_000

# A kept snapshot's path from its content hash (State.snapshot_path), or None.
SnapshotLookup = Callable[[str], Path | None]


class AnnotateError(Exception):
    """The workbook could not be annotated (openpyxl could not open or save it)."""


def annotate_workbook(data: bytes, findings: Iterable[Finding]) -> bytes:
    """The .xlsx ``data`` with each finding's cell highlighted and commented; values untouched."""
    findings = list(findings)
    _check_size(data)
    try:
        with Package(data) as pkg:
            return pkg.mark(_plan(pkg, findings), AUTHOR)
    except (Unsupported, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        log.debug("annotating with openpyxl instead: %s", exc)
    return _annotate_with_openpyxl(data, findings)


def _plan(pkg: Package, findings: list[Finding]) -> dict[str, list[Mark]]:
    """The marks per sheet: each finding's cells filled, one comment on the first of them."""
    titles = list(pkg.sheets)
    merges = {t: pkg.merged(t) for t in {f.tab for f in findings if f.tab in pkg.sheets}}
    if titles:
        merges.setdefault(titles[0], pkg.merged(titles[0]))

    def top_left(title: str, col: int, row: int) -> tuple[int, int]:
        for c1, r1, c2, r2 in merges[title]:
            if c1 <= col <= c2 and r1 <= row <= r2:
                return c1, r1
        return col, row

    fills: dict[tuple[str, int, int], bool] = {}  # cell → has an error
    notes: dict[tuple[str, int, int], list[str]] = {}
    loose: list[Finding] = []
    for (title, box), found in _group(findings, titles).items():
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


def _annotate_with_openpyxl(data: bytes, findings: list[Finding]) -> bytes:
    # The slow way, for the shapes Package does not edit (a sheet with comments of its own).
    wb = _load(data, data_only=False)
    # The cells the file holds, not its whole used range: iter_rows() would create every cell
    # up to a stray value at XFD1048576 (17 billion of them).
    formulas = [c for ws in wb.worksheets for c in ws._cells.values() if c.data_type == "f"]
    if formulas:
        _keep_saved_results(formulas, _load(data, data_only=True))
    titles = [ws.title for ws in wb.worksheets]
    for (title, box), found in _group(findings, titles).items():
        if title is None:
            _comment(_writable(wb.worksheets[0], 1, 1), _comment_text(found, general=True))
        else:
            _mark(wb[title], box, found)
    out = io.BytesIO()
    try:
        wb.save(out)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise AnnotateError(f"cannot save the annotated copy: {exc}") from exc
    return out.getvalue()


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


def _mark(ws: Worksheet, box: Box, findings: list[Finding]) -> None:
    error = any(f.severity is Severity.ERROR for f in findings)
    fill = PatternFill("solid", fgColor=ERROR_FILL if error else WARNING_FILL)
    min_col, min_row, max_col, max_row = box
    first = None
    for row in range(min_row, max_row + 1):
        for col in range(min_col, max_col + 1):
            cell = _writable(ws, row, col)
            cell.fill = fill
            first = first or cell
    if first is not None:
        _comment(first, _comment_text(findings, general=False))


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


# ---------------------------------------------------------------------- the run's copies


def write_feedback(folder: Path, outcomes: list[UnitOutcome], snapshot_of: SnapshotLookup) -> dict[str, Path]:  # fmt: skip
    """Write ``folder/<code>.xlsx`` for each Excel unit with findings; remove stale copies.

    Returns the copies by unit code. A unit whose copy cannot be made is logged and skipped:
    one odd file never stops the run.
    """
    wanted: dict[str, tuple[UnitOutcome, Path, str]] = {}
    for o in outcomes:
        snapshot = _annotatable(o, snapshot_of)
        if snapshot is not None:
            wanted[o.unit.code] = (o, snapshot, _digest(o))
    manifest_path = folder / MANIFEST
    manifest = _read_manifest(manifest_path)
    if not wanted and not manifest and not folder.exists():
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    new_manifest: dict[str, str] = {}
    for code, (o, snapshot, digest) in wanted.items():
        target = folder / file_name(code)
        if manifest.get(code) == digest and _exists(target):
            written[code], new_manifest[code] = target, digest
            continue
        assert o.report is not None
        try:
            data = annotate_workbook(snapshot.read_bytes(), o.report.findings)
        except (AnnotateError, OSError) as exc:
            log.warning("no annotated copy for %s: %s", code, exc)
            continue
        except Exception as exc:  # a reader's surprise on one odd file must not cost the run
            log.warning("no annotated copy for %s: %s: %s", code, type(exc).__name__, exc)
            continue
        try:
            atomic_write(target, partial(_write_bytes, data))
        except OutputError as exc:  # e.g. a name the file system refuses: this unit's problem
            log.warning("no annotated copy for %s: %s", code, exc)
            continue
        written[code], new_manifest[code] = target, digest
    keep = {p.name for p in written.values()}
    for stale in folder.glob("*.xlsx"):
        if stale.name not in keep:
            stale.unlink(missing_ok=True)
    try:
        text = json.dumps(new_manifest, ensure_ascii=False, sort_keys=True, indent=1)
        atomic_write(manifest_path, lambda fh: fh.write(text.encode("utf-8")))
    except OutputError as exc:  # only costs a rewrite next run
        log.warning("feedback manifest not written: %s", exc)
    return written


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name the file system refuses (too long): there is no such copy
        return False


def _write_bytes(data: bytes, fh: Any) -> None:
    fh.write(data)


def file_name(code: str) -> str:
    """The copy's file name for a unit code (anything but letters, digits, ``.-_`` → ``_``)."""
    return f"{file_stem(code)}.xlsx"


def _annotatable(o: UnitOutcome, snapshot_of: SnapshotLookup) -> Path | None:
    # Unreachable: the kept copy may no longer be what the unit has. No report: the reader
    # refused the file, so it is never opened again.
    if o.status is Status.UNREACHABLE or o.report is None or not o.report.findings:
        return None
    if not o.content_hash:
        return None
    path = snapshot_of(o.content_hash)
    if path is None or path.suffix != ".xlsx" or not path.exists():
        return None  # a Google unit, or a snapshot gone: the status sheet shows its findings
    return path


def _digest(o: UnitOutcome) -> str:
    assert o.report is not None
    h = hashlib.sha256(f"{_VERSION}|{ERROR_FILL}|{WARNING_FILL}|{o.content_hash}|".encode())
    for f in o.report.findings:
        h.update(repr(f.as_dict()).encode("utf-8") + b"\0")
    return h.hexdigest()


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}
