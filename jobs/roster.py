"""The roster: the units the district expects a report from, read from units.csv or units.xlsx.

The district edits this file by hand, usually in Excel, so reading it is forgiving about what
Excel does (a BOM, ``;`` as the delimiter in Vietnamese locales, numbers typed as codes, real
date cells) and strict about what would distort the counts (duplicate codes, unknown unit types,
unreadable dates). Every problem names the file, the row as the spreadsheet shows it (the header
is row 1) and the column; all problems are collected, and the error's message is the first one.
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
import os
import re
import shutil
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .config import Config
from .model import UNIT_TYPES, Unit
from .oserrors import os_reason
from .roster_fields import code_problem, file_key, line_break_problem, parse_emails

log = logging.getLogger(__name__)

COLUMNS = ("code", "name", "type", "sheet", "email", "deadline", "active_from", "active_to")
REQUIRED = ("code", "name", "type")
DATE_COLUMNS = ("deadline", "active_from", "active_to")
CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_EDGE_INVISIBLES = "\u200b\u200c\u200d\u2060\ufeff"
# Excel's menus as a Vietnamese Excel names them, as every other message says them.
_SAVE_AS_UTF8 = "trong Excel chọn Tệp → Lưu thành → “CSV UTF-8 (Phân cách bằng dấu phẩy) (*.csv)”"
_SAVE_AS_XLSX = "Tệp → Lưu thành → “Sổ làm việc Excel (*.xlsx)”"
MAX_FIELD = 1_000  # characters in one roster cell; a name or URL is far shorter

Row = tuple[int, list[object]]  # the row number as the spreadsheet shows it, and its cells


class RosterError(ValueError):
    """The roster cannot be used. ``problems`` lists every problem; the message is the first."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems) or [message]


def load_roster(
    path: Path, *, unit_types: Collection[str] = UNIT_TYPES, sheet_folder: Path | None = None
) -> list[Unit]:
    """Read and check the roster; the units come back in file order.

    With ``sheet_folder`` (the Excel source's folder), each ``sheet`` must name a file inside
    it: an absolute path, a ``..`` or a link leading outside is an error on that row.
    """
    rows = _read_rows(path)
    columns = _header(path, rows)
    problems: list[str] = []
    units: list[Unit] = []
    codes: list[tuple[int, str]] = []
    for number, cells in rows[1:]:
        if not any(_text(cell) for cell in cells):
            continue  # a blank line
        reader = _RowReader(path, number, cells, columns, problems, sheet_folder)
        codes.append((number, reader.text("code")))
        unit = reader.unit(unit_types)
        if unit is not None:
            units.append(unit)
    problems.extend(_duplicates(path, codes, columns["code"]))
    if not problems and not units:
        problems.append(
            f"{path}: chưa có đơn vị nào; thêm mỗi đơn vị một dòng dưới dòng tiêu đề "
            f"({', '.join(REQUIRED)}, …)"
        )
    if problems:
        more = f" (và {len(problems) - 1} lỗi khác)" if len(problems) > 1 else ""
        raise RosterError(problems[0] + more, problems)
    return units


def roster_of(config: Config) -> list[Unit]:
    """The configured roster; for an Excel source, every ``sheet`` must lie in its folder."""
    folder = config.source.folder if config.source.kind == "excel" else None
    return load_roster(config.units.registry, sheet_folder=folder)


def expected_units(units: Iterable[Unit], day: date) -> list[Unit]:
    """The units expected to report on ``day``: opened and not yet closed or merged."""
    return [unit for unit in units if unit.active_on(day)]


def write_roster_sheet_column(path: Path, updates: Mapping[str, str]) -> None:
    """Set the ``sheet`` cell of the units with the given codes, keeping everything else.

    Adds a ``sheet`` column after the last header if the roster has none. Every code must be
    in the roster, else nothing is written. The new file is written beside the old one and
    renamed over it, so a crash never leaves half a roster. An .xlsx roster is re-saved by
    openpyxl: values, formatting and other sheets are kept, but images and charts are not.
    """
    wanted = {_text(code): value for code, value in updates.items()}
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        _write_csv_sheet_column(path, wanted)
    elif suffix in XLSX_SUFFIXES:
        _write_xlsx_sheet_column(path, wanted)
    else:
        raise _unsupported(path)


# --- reading ------------------------------------------------------------------------------------


def _read_rows(path: Path) -> list[Row]:
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise _unsupported(path)
    if not path.is_file():
        raise RosterError(
            f"{path}: không có tệp danh sách đơn vị; tạo tệp hoặc sửa [units] registry"
        )
    if suffix in CSV_SUFFIXES:
        text, _ = _decode(path)
        rows = _csv_rows(text, path)
        return [(number, list(cells)) for number, cells in enumerate(rows, start=1)]
    return _xlsx_rows(path)


def _unsupported(path: Path) -> RosterError:
    return RosterError(
        f"{path}: danh sách đơn vị phải là tệp .csv hoặc .xlsx; trong Excel chọn Tệp → Lưu "
        f"thành rồi chọn “Sổ làm việc Excel (*.xlsx)” hoặc “CSV UTF-8 (Phân cách bằng dấu phẩy) "
        f"(*.csv)”"
    )


def _decode(path: Path) -> tuple[str, bool]:
    """The CSV's text and whether it began with a BOM."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: không đọc được danh sách đơn vị: {os_reason(exc)}") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text (*.txt)" (tab-separated UTF-16): read as it is; a roster written
        # back (provision) becomes UTF-8 with a BOM, which Excel opens as well.
        try:
            return raw.decode("utf-16"), True
        except UnicodeDecodeError as exc:
            raise RosterError(
                f"{path}: tệp UTF-16 bị hỏng ở byte {exc.start}; {_SAVE_AS_UTF8}"
            ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel's plain "CSV (Comma delimited)" writes the Windows code page (1258 or 1252).
        line = raw[: exc.start].count(b"\n") + 1
        raise RosterError(
            f"{path} dòng {line}: tệp không phải văn bản UTF-8 (Excel đã lưu theo bảng mã "
            f"Windows); {_SAVE_AS_UTF8}"
        ) from exc
    return text, raw.startswith(b"\xef\xbb\xbf")


def _csv_rows(text: str, path: Path | None = None) -> list[list[str]]:
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:  # e.g. a field over the csv module's limit of 131,072 characters
        raise RosterError(
            f"{path or 'danh sách đơn vị'} dòng {reader.line_num}: không đọc được dòng này; "
            f"mỗi ô tối đa {_n(MAX_FIELD)} ký tự, kiểm tra dấu ngoặc kép chưa đóng"
        ) from exc


def _delimiter(text: str) -> str:
    """``,``, ``;`` or tab: whichever splits the header line into the most roster columns.

    Excel in a Vietnamese locale writes ``;`` because ``,`` is the decimal separator.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")

    def score(delimiter: str) -> tuple[int, int, int]:
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            cells = []  # an over-long header: reported when the rows are read
        names = {_column_name(cell) for cell in cells}
        return len(names & set(REQUIRED)), len(names & set(COLUMNS)), len(cells)

    return max((",", ";", "\t"), key=score)


def _xlsx_rows(path: Path) -> list[Row]:
    workbook = _open_workbook(path, read_only=True)
    try:
        sheet = workbook.worksheets[0]
        # Files written by other tools may declare wrong dimensions; read every row instead.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        return [(number, list(cells)) for number, cells in enumerate(rows, start=1)]
    finally:
        workbook.close()


def _open_workbook(path: Path, *, read_only: bool) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():
            # Workbooks saved by LibreOffice or Google Sheets often trigger style warnings.
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(
                path,
                read_only=read_only,
                data_only=read_only,
                keep_vba=path.suffix.lower() == ".xlsm",
            )
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        # openpyxl's own words are English ("File is not a zip file"): say what they mean.
        why = (
            "không phải tệp Excel .xlsx"
            if isinstance(exc, InvalidFileException | zipfile.BadZipFile)
            else "tệp .xlsx bị hỏng hoặc thiếu phần bên trong"
        )
        raise RosterError(
            f"{path}: không phải sổ tính .xlsx đọc được ({why}); mở bằng Excel rồi lưu lại: "
            f"{_SAVE_AS_XLSX}"
        ) from exc
    except OSError as exc:
        raise RosterError(f"{path}: không đọc được danh sách đơn vị: {os_reason(exc)}") from exc


def _header(path: Path, rows: list[Row]) -> dict[str, int]:
    """Map each known column to its index; the header must be row 1."""
    if not rows or not any(_text(cell) for cell in rows[0][1]):
        raise RosterError(
            f"{path} dòng 1: dòng đầu phải là dòng tiêu đề: {', '.join(COLUMNS)} "
            f"({len(COLUMNS) - len(REQUIRED)} cột cuối không bắt buộc)"
        )
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(rows[0][1]):
        name = _column_name(cell)
        if name in columns:
            raise RosterError(
                f"{path} dòng 1: cột {name} xuất hiện hai lần (cột "
                f"{get_column_letter(columns[name] + 1)} và {get_column_letter(index + 1)}); "
                f"xóa hoặc đổi tên một cột"
            )
        if name in COLUMNS:
            columns[name] = index
        elif name:
            ignored.append(name)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise RosterError(
            f"{path} dòng 1: thiếu cột {', '.join(missing)}; dòng tiêu đề phải có "
            f"{', '.join(REQUIRED)} (không bắt buộc: {', '.join(COLUMNS[len(REQUIRED) :])})"
        )
    for name in ignored:
        close = [c for c in COLUMNS if c not in columns and _similar(name, c)]
        hint = f" (có phải định ghi {close[0]}?)" if close else ""
        log.warning("%s: cột “%s” không phải cột của danh sách đơn vị, bỏ qua%s", path, name, hint)
    return columns


class _RowReader:
    """Reads one data row into a ``Unit``, adding each problem it finds to ``problems``."""

    def __init__(
        self,
        path: Path,
        number: int,
        cells: list[object],
        columns: dict[str, int],
        problems: list[str],
        sheet_folder: Path | None = None,
    ) -> None:
        self.sheet_folder = sheet_folder
        self.path = path
        self.number = number
        self.cells = cells
        self.columns = columns
        self.problems = problems

    def where(self, column: str) -> str:
        letter = get_column_letter(self.columns[column] + 1)
        return f"{self.path} dòng {self.number}, cột {column} ({letter})"

    def raw(self, column: str) -> object:
        index = self.columns.get(column)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, column: str) -> str:
        return _text(self.raw(column))

    def unit(self, unit_types: Collection[str]) -> Unit | None:
        before = len(self.problems)
        self.check_cells()
        if len(self.problems) > before:
            return None  # a NUL or an over-long cell: the row's values are not to be trusted
        code, name = self.text("code"), self.text("name")
        for column, value in (("code", code), ("name", name)):
            if not value:
                self.problems.append(f"{self.where(column)}: {column} đang trống; hãy điền vào")
        if code and (why := code_problem(code)):
            self.problems.append(f"{self.where('code')}: {why}")
        addresses, why = parse_emails(self.text("email"))
        if why:
            self.problems.append(f"{self.where('email')}: {why}")
        unit_type = self.unit_type(unit_types)
        dates = {column: self.date(column) for column in DATE_COLUMNS if column in self.columns}
        active_from, active_to = dates.get("active_from"), dates.get("active_to")
        if active_from and active_to and active_from > active_to:
            self.problems.append(
                f"{self.where('active_from')}: active_from {_dmy(active_from)} sau "
                f"active_to {_dmy(active_to)}; đổi chỗ hai ngày hoặc sửa một ngày"
            )
        self.check_sheet()
        if len(self.problems) > before:
            return None
        return Unit(
            code=code,
            name=name,
            type=unit_type,
            sheet=self.text("sheet"),
            email="; ".join(str(a) for a in addresses),
            deadline=dates.get("deadline"),
            active_from=active_from,
            active_to=active_to,
        )

    def unit_type(self, unit_types: Collection[str]) -> str:
        value = self.text("type")
        # Accept the id written as words ("Thị trấn" for thi_tran), but only if it is an id.
        for candidate in (value, value.lower(), _slug(value)):
            if candidate in unit_types:
                return candidate
        found = f'"{value}" không phải loại đơn vị' if value else "type đang trống"
        self.problems.append(
            f"{self.where('type')}: {found}; dùng một trong {', '.join(unit_types)}"
        )
        return ""

    def date(self, column: str) -> date | None:
        value = self.raw(column)
        try:
            return _parse_date(value)
        except ValueError:
            self.problems.append(
                f"{self.where(column)}: {_text(value)!r} không phải ngày; "
                f"viết dd/mm/yyyy (23/03/2023) hoặc yyyy-mm-dd (2023-03-23)"
            )
            return None

    def check_cells(self) -> None:
        """No NUL character and no over-long text in any cell of the row."""
        for index, cell in enumerate(self.cells):
            if not isinstance(cell, str):
                continue
            names = [name for name, i in self.columns.items() if i == index]
            where = (
                self.where(names[0])
                if names
                else f"{self.path} dòng {self.number}, cột {get_column_letter(index + 1)}"
            )
            broke = line_break_problem(_text(cell)) if names else None
            if "\x00" in cell:
                self.problems.append(
                    f"{where}: có ký tự NUL (mã 0), tệp có thể bị hỏng; xóa ký tự đó hoặc mở tệp "
                    f"bằng Excel rồi lưu lại"
                )
            elif len(cell) > MAX_FIELD:
                self.problems.append(
                    f"{where}: dài {_n(len(cell))} ký tự, quá giới hạn {_n(MAX_FIELD)} ký tự; "
                    f"rút ngắn nội dung ô này"
                )
            elif broke:  # a name goes into a mail's Subject, an address into its To
                self.problems.append(f"{where}: {broke}")

    def check_sheet(self) -> None:
        """An Excel unit's ``sheet`` names a file inside the source folder, nothing outside."""
        sheet = self.text("sheet")
        if self.sheet_folder is None or not sheet:
            return
        folder = self.sheet_folder
        parts = sheet.replace("\\", "/").split("/")
        if (
            Path(sheet).is_absolute()
            or sheet.startswith(("/", "\\"))
            or re.match(r"^[A-Za-z]:", sheet)
        ):
            why = "là đường dẫn tuyệt đối"
        elif ".." in parts:
            why = 'có ".." (trỏ ra ngoài thư mục)'
        else:
            # A link inside the folder that leads outside is a file's problem, not the roster's:
            # the source makes that one unit invalid (sync/excel.py), the district runs on.
            return
        self.problems.append(
            f'{self.where("sheet")}: "{sheet}" {why}; sheet phải là tên một tệp nằm trong thư '
            f"mục {folder}, ví dụ {self.text('code') or 'MA_DON_VI'}.xlsx"
        )


def _duplicates(path: Path, codes: list[tuple[int, str]], code_index: int) -> list[str]:
    # Codes name files and tabs; two codes differing only in case collide on Windows and macOS,
    # and two that map to one file name (CQ/NH, CQ_NH) would share one unit's annotated copy.
    first: dict[str, tuple[int, str]] = {}
    problems = []
    letter = get_column_letter(code_index + 1)
    for number, code in codes:
        if not code:
            continue  # reported as empty already
        key = file_key(code)
        if key not in first:
            first[key] = (number, code)
            continue
        row, other = first[key]
        if other == code:
            same = f'mã "{code}" xuất hiện hai lần'
        elif other.casefold() == code.casefold():
            same = f'mã "{code}" xuất hiện hai lần (viết "{other}" và "{code}", chữ hoa hay chữ thường vẫn là một mã)'
        else:
            same = f'mã "{other}" và "{code}" trùng nhau khi thành tên tệp ({key}.xlsx)'

        problems.append(
            f"{path} dòng {row} và {number}, cột code ({letter}): {same}; mỗi đơn vị cần một "
            f"mã riêng"
        )
    return problems


# --- values -------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as NFC text without surrounding blanks; numbers typed as codes lose no digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 101 typed in Excel arrives as 101.0 from some writers
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFC", str(value))
    return text.strip().strip(_EDGE_INVISIBLES).strip()


def _column_name(value: object) -> str:
    """A header cell as a column id: case and surrounding blanks ignored, "Active from" ok."""
    return re.sub(r"[\s-]+", "_", _text(value).lower())


def _slug(value: str) -> str:
    """ASCII id from words: "Lực lượng vũ trang" → "luc_luong_vu_trang"."""
    text = unicodedata.normalize("NFD", value.lower().replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _parse_date(value: object) -> date | None:
    """A real date cell, or text in dd/mm/yyyy or yyyy-mm-dd; raises ``ValueError`` otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.time() != time(0):
            raise ValueError("a date and time")
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("not text")  # e.g. an Excel serial number in an unformatted cell
    text = _text(value)
    if not text:
        return None
    if match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)  # ValueError for 31/02/2023


def _n(number: int) -> str:
    """1.000 as Vietnamese writes it."""
    return f"{number:,}".replace(",", ".")


def _dmy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


# --- writing ------------------------------------------------------------------------------------


def _write_csv_sheet_column(path: Path, updates: Mapping[str, str]) -> None:
    text, bom = _decode(path)
    delimiter = _delimiter(text)
    rows = _csv_rows(text, path)
    columns = _header(path, [(number, list(cells)) for number, cells in enumerate(rows[:1], 1)])
    header = rows[0]
    if "sheet" in columns:
        sheet_index = columns["sheet"]
    else:
        while header and not header[-1].strip():
            header.pop()
        header.append("sheet")
        sheet_index = len(header) - 1
    found: set[str] = set()
    for cells in rows[1:]:
        code = _text(cells[columns["code"]]) if columns["code"] < len(cells) else ""
        if code in updates:
            cells.extend([""] * (sheet_index + 1 - len(cells)))
            cells[sheet_index] = updates[code]
            found.add(code)
    _check_found(path, updates, found)
    buffer = io.StringIO()
    newline = "\r\n" if "\r\n" in text else "\n"
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    data = ("\ufeff" if bom else "") + buffer.getvalue()
    _replace(path, lambda tmp: tmp.write_text(data, encoding="utf-8", newline=""))


def _write_xlsx_sheet_column(path: Path, updates: Mapping[str, str]) -> None:
    if not path.is_file():
        raise RosterError(
            f"{path}: không có tệp danh sách đơn vị; tạo tệp hoặc sửa [units] registry"
        )
    workbook = _open_workbook(path, read_only=False)
    sheet = workbook.worksheets[0]
    header: list[object] = [cell.value for cell in sheet[1]]
    columns = _header(path, [(1, header)])
    if "sheet" in columns:
        sheet_column = columns["sheet"] + 1
    else:
        filled = [index for index, value in enumerate(header, 1) if _text(value)]
        sheet_column = filled[-1] + 1
        sheet.cell(row=1, column=sheet_column, value="sheet")
    found: set[str] = set()
    for number in range(2, sheet.max_row + 1):
        code = _text(sheet.cell(row=number, column=columns["code"] + 1).value)
        if code in updates:
            cell = sheet.cell(row=number, column=sheet_column)
            cell.value = updates[code]
            cell.data_type = "s"  # a value beginning with "=" must stay text, not a formula
            found.add(code)
    _check_found(path, updates, found)
    _replace(path, lambda tmp: workbook.save(tmp))


def _check_found(path: Path, updates: Mapping[str, str], found: set[str]) -> None:
    missing = [code for code in updates if code not in found]
    if missing:
        raise RosterError(
            f"{path}: không có dòng nào mang mã {', '.join(missing)}; chưa ghi gì "
            f"(thêm đơn vị vào danh sách trước)"
        )


def _replace(path: Path, write: Callable[[Path], object]) -> None:
    """Write a sibling temporary file and rename it over ``path``."""
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise RosterError(
            f"{path}: không thay được tệp danh sách ({os_reason(exc)}); đóng tệp trong Excel rồi "
            f"thử lại"
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
