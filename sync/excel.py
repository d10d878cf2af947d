"""The Excel source: a folder of .xlsx files, one per unit, read with openpyxl.

openpyxl, not python-calamine: calamine is faster at raw values but exposes neither defined
names nor number formats, and both are essential (names locate every field; the percent format
tells 0.085 typed as "8,5%" from 0.085). ``make bench`` measures the reading cost.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from sheets_schema.raw import Block, Cell, RawReport, pad_grid

from .base import ProblemKind, Pulled, SheetRef, SourceProblem, Version

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted .xlsx files and old .xls files are OLE containers


class WorkbookError(Exception):
    """A file that cannot be read as an .xlsx workbook; the message says why, in English."""

    def __init__(self, reason: str, message_vi: str) -> None:
        super().__init__(reason)
        self.message_vi = message_vi


def read_xlsx(data: bytes) -> RawReport:
    """Read the cells under every defined name of an .xlsx file into a ``RawReport``."""
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
    try:
        wb = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
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


def _report(wb: Any) -> RawReport:
    titles = tuple(wb.sheetnames)
    names = _names(wb)
    # Group names by sheet and read each sheet once, over the rows the names cover.
    wanted: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = defaultdict(list)
    blocks: dict[str, Block] = {}
    for name, (sheet, ref) in names.items():
        if sheet is None or sheet not in titles:
            blocks[name] = Block(name, None, 0, 0, error=ref if sheet is None else "#REF!")
            continue
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            blocks[name] = Block(name, None, 0, 0, error="#REF!")
            continue
        if None in (min_col, min_row, max_col, max_row):
            blocks[name] = Block(name, None, 0, 0, error="#REF!")  # whole rows/columns
            continue
        wanted[sheet].append((name, (min_row, min_col, max_row, max_col)))  # type: ignore[arg-type]
    for sheet, items in wanted.items():
        ws = wb[sheet]
        top = min(b[0] for _, b in items)
        bottom = max(b[2] for _, b in items)
        right = max(b[3] for _, b in items)
        grid: dict[int, tuple[Any, ...]] = {}
        for r, row in enumerate(
            ws.iter_rows(min_row=top, max_row=bottom, min_col=1, max_col=right), start=top
        ):
            grid[r] = row
        for name, (r1, c1, r2, c2) in items:
            rows = []
            for r in range(r1, r2 + 1):
                cells = grid.get(r, ())
                rows.append(
                    [
                        _cell(cells[c - 1]) if c - 1 < len(cells) else Cell()
                        for c in range(c1, c2 + 1)
                    ]
                )
            blocks[name] = Block(name, sheet, r1, c1, pad_grid(rows, r2 - r1 + 1, c2 - c1 + 1))
    return RawReport(sheet_titles=titles, blocks=blocks)


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

    def path_of(self, ref: SheetRef) -> Path:
        return self.folder / ref.sheet

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
                    f"Chưa có tệp báo cáo “{ref.sheet}”.", str(path),
                )  # fmt: skip
                continue
            except OSError as exc:
                out[ref.code] = SourceProblem(
                    ProblemKind.UNREACHABLE, f"{path}: {exc.strerror}",
                    f"Không đọc được tệp “{ref.sheet}”: kiểm tra quyền truy cập thư mục.", str(path),
                )  # fmt: skip
                continue
            modified = datetime.fromtimestamp(st.st_mtime, UTC)
            out[ref.code] = Version(f"{st.st_mtime_ns}:{st.st_size}", modified, str(path))
        return out

    def pull(self, ref: SheetRef, version: Version) -> Pulled | SourceProblem:
        path = self.path_of(ref)
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            return SourceProblem(ProblemKind.INVALID, f"{path} is a folder",
                                 f"“{ref.sheet}” là thư mục, không phải tệp báo cáo.", str(path))  # fmt: skip
        except OSError as exc:
            return SourceProblem(ProblemKind.UNREACHABLE, f"{path}: {exc.strerror}",
                                 f"Không đọc được tệp “{ref.sheet}”.", str(path))  # fmt: skip
        try:
            raw = read_xlsx(data)
        except WorkbookError as exc:
            return SourceProblem(ProblemKind.INVALID, f"{path}: {exc}", exc.message_vi, str(path))
        return Pulled(raw, data, "xlsx")
