"""Turn what a unit stored in a cell into a typed value, the Vietnamese way.

Each reader returns ``(value, issues)``: ``value`` is None when nothing usable was found, and
``issues`` says why (an error) or what was assumed (a warning). Nothing here raises on bad input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal

from babel.numbers import NumberFormatError, parse_decimal

from .findings import Code, Severity
from .raw import Cell, CellValue

EXCEL_ERRORS = frozenset(
    ["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NULL!", "#NUM!", "#ERROR!", "#SPILL!",
     "#CALC!", "#GETTING_DATA"]
)  # fmt: skip
EXCEL_CELL_LIMIT = 32_767
_SERIAL_EPOCH = date(1899, 12, 30)  # day 0 of Excel and Sheets serial dates
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_EN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")  # "1,235": English grouping
_EN_FULL = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")  # "1,234.5"
_EN_DECIMAL = re.compile(r"^[+-]?\d+\.(\d{1,2}|\d{4,})$")  # "8.5": not a Vietnamese grouping
_TEXT_DATE = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d")
TRUE_WORDS = _TRUE = frozenset(
    ["có", "co", "x", "đã", "da", "true", "yes", "1", "✓", "✔", "rồi", "đồng ý"]
)
_FALSE = frozenset(["không", "khong", "false", "no", "0", "chưa", "chua"])


@dataclass(frozen=True, slots=True)
class Issue:
    code: Code
    severity: Severity
    message: str


Result = tuple[object, list[Issue]]


def error(code: Code, message: str) -> Issue:
    return Issue(code, Severity.ERROR, message)


def warning(code: Code, message: str) -> Issue:
    return Issue(code, Severity.WARNING, message)


def nfc(text: str) -> str:
    """Unicode NFC: phones and Macs type decomposed diacritics."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """The key two labels are compared by: NFC, case-folded, single-spaced."""
    return _SPACES.sub(" ", nfc(text)).strip().casefold()


# Enough digits for any float's decimal string (up to 309 digits) and its decimals.
_WIDE = Context(prec=400)


def round_half_up(value: float | Decimal, decimals: int) -> Decimal:
    """``value`` to ``decimals`` places, half up as offices count: 100,25 → 100,3.

    The one rounding of every figure the district shows (workbook and draft). It rounds the
    number's shortest decimal string, not its binary value: 100.25 is stored as
    100.2499999…, which float formatting (and round()) would turn into 100,2.
    """
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    if not exact.is_finite():
        return exact
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP, _WIDE)
    return rounded if rounded else abs(rounded)  # no "-0"


def fmt_number(value: float | Decimal, decimals: int = 2) -> str:
    """1234.5 → "1.234,5": how Vietnamese readers write numbers, rounded half up to at most
    ``decimals`` places (trailing zeros dropped)."""
    rounded = round_half_up(value, decimals)
    if not rounded.is_finite():
        return str(float(rounded))
    text = f"{rounded:,f}"
    if decimals > 0:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not _SPACES.sub("", value))


def formula_error(value: CellValue) -> str | None:
    """The Excel/Sheets error text a formula left in the cell, if any."""
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


# Google's effectiveFormat.numberFormat.type of a date or time (the xlsx path gives datetimes).
_GOOGLE_DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})


def read_number(
    cell: Cell,
    *,
    percent: bool = False,
    bounds: tuple[float | None, float | None] = (None, None),
    example: str = "1.234,5",
) -> Result:
    """A number, from a stored number or Vietnamese text; percent fields in percent points.

    ``bounds`` (the field's min and max) settle an ambiguous "88,000": when the English reading
    (88000) is outside them and the Vietnamese one (88) inside, the Vietnamese one wins.
    """
    value = cell.value
    if isinstance(value, bool):
        return None, [error(Code.NOT_A_NUMBER, f"Ô chứa giá trị đúng/sai ({value}), cần nhập số.")]
    if isinstance(value, int | float) and cell.number_format.upper() in _GOOGLE_DATE_TYPES:
        # Google stores a typed date as its serial number (45000) with a DATE format type.
        return None, [error(Code.NOT_A_NUMBER, "Ô chứa ngày tháng, cần nhập số.")]
    if isinstance(value, int | float):
        number = float(value)
        # Excel and Sheets store "8,5%" as 0.085 with a percent format: it means 8.5 points.
        if percent and cell.is_percent:
            return _tidy(number * 100), []
        if percent and 0 < abs(number) <= 1:
            # "95%" typed where the cell kept an explicit non-percent format is stored 0.95:
            # read as 0.95 points, it would pass every bound silently. Say so.
            return _tidy(number), [warning(Code.AMBIGUOUS_NUMBER, _small_percent(number))]
        return _tidy(number), []
    if isinstance(value, datetime | date):
        return None, [error(Code.NOT_A_NUMBER, "Ô chứa ngày tháng, cần nhập số.")]
    return _number_from_text(str(value), percent=percent, bounds=bounds, example=example)


def _small_percent(number: float) -> str:
    shown, times = fmt_number(number, 4), fmt_number(number * 100, 2)
    return (
        f"Tỷ lệ {shown} trong ô không có định dạng phần trăm: có thể đã nhập {shown} thay vì "
        f"{times}%. Nếu tỷ lệ đúng là {shown}%, giữ nguyên; nếu không, gõ lại kèm dấu % "
        f"({times}%)."
    )


def _tidy(number: float) -> float:
    # 0.085 * 100 = 8.500000000000002: round away the binary noise, not real digits.
    return round(number, 9)


def _inside(number: float, bounds: tuple[float | None, float | None]) -> bool:
    lo, hi = bounds
    return (lo is None or number >= lo) and (hi is None or number <= hi)


def _number_from_text(
    raw: str,
    *,
    percent: bool,
    bounds: tuple[float | None, float | None],
    example: str = "1.234,5",
) -> Result:
    text = _SPACES.sub("", nfc(raw))
    issues: list[Issue] = []
    if text.endswith("%"):
        text = text[:-1]
        if not percent:
            return None, [error(Code.NOT_A_NUMBER, f"“{raw}” có dấu %, ô này cần một số thường.")]
    if _EN_THOUSANDS.match(text) and text.count(",") == 1:
        english, vietnamese = float(text.replace(",", "")), float(text.replace(",", "."))
        if not _inside(english, bounds) and _inside(vietnamese, bounds):
            issues.append(
                warning(
                    Code.AMBIGUOUS_NUMBER,
                    f"“{raw}” được hiểu là {fmt_number(vietnamese, 3)} (dấu phẩy thập phân), vì "
                    f"{fmt_number(english)} nằm ngoài giới hạn của ô. Hãy kiểm tra lại.",
                )
            )
            return _tidy(vietnamese), issues
    if _EN_THOUSANDS.match(text) or _EN_FULL.match(text):
        number = float(text.replace(",", ""))
        issues.append(
            warning(
                Code.AMBIGUOUS_NUMBER,
                f"“{raw}” được hiểu là {fmt_number(number)}. Theo cách viết Việt Nam, dấu chấm "
                f"ngăn cách hàng nghìn, dấu phẩy là thập phân: nếu ý bạn khác, hãy sửa lại.",
            )
        )
        return _tidy(number), issues
    if _EN_DECIMAL.match(text):
        number = float(text)
        issues.append(
            warning(
                Code.AMBIGUOUS_NUMBER,
                f"“{raw}” được hiểu là {fmt_number(number)} (dấu chấm thập phân). Hãy gõ "
                f"{fmt_number(number)} với dấu phẩy thập phân.",
            )
        )
        return _tidy(number), issues
    try:
        number = float(parse_decimal(text, locale="vi", strict=True))
    except (NumberFormatError, ValueError):
        return None, [
            error(
                Code.NOT_A_NUMBER,
                f"“{_short(raw)}” không phải là số. Hãy nhập một số, ví dụ {example} "
                f"({_example_words(example)}).",
            )
        ]
    return _tidy(number), issues


def _example_words(example: str) -> str:
    if "," in example:
        return "dấu chấm ngăn cách hàng nghìn, dấu phẩy thập phân"
    return "số nguyên, dấu chấm ngăn cách hàng nghìn"


def read_date(cell: Cell) -> Result:
    """A date from a stored date, a serial number, or dd/mm/yyyy text (with a warning)."""
    value = cell.value
    if isinstance(value, datetime):
        return value.date(), []
    if isinstance(value, date):
        return value, []
    if isinstance(value, bool):
        return None, [error(Code.NOT_A_DATE, "Ô cần một ngày, ví dụ 20/03/2023.")]
    if isinstance(value, int | float):
        if 1 <= value < 2_958_466:
            return _SERIAL_EPOCH + timedelta(days=int(value)), []
        return None, [error(Code.NOT_A_DATE, f"{value} không phải ngày. Hãy nhập dd/mm/yyyy.")]
    text = _SPACES.sub("", nfc(str(value)))
    for fmt in _TEXT_DATE:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        shown = parsed.strftime("%d/%m/%Y")
        return parsed, [
            warning(
                Code.TEXT_DATE,
                f"“{value}” là chữ, được hiểu là ngày {shown} (ngày/tháng/năm). Hãy chọn ô và "
                f"nhập lại dạng ngày để tránh hiểu nhầm.",
            )
        ]
    return None, [
        error(
            Code.NOT_A_DATE,
            f"“{_short(str(value))}” không phải ngày. Hãy nhập theo dạng ngày/tháng/năm, "
            f"ví dụ 20/03/2023.",
        )
    ]


def read_bool(cell: Cell) -> Result:
    """A checkbox: TRUE/FALSE, or what people type for yes (x, có, đã) and no."""
    value = cell.value
    if isinstance(value, bool):
        return value, []
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value), []
    key = fold(str(value))
    if key in _TRUE:
        return True, []
    if key in _FALSE:
        return False, []
    return None, [
        error(
            Code.NOT_A_BOOL,
            f"“{_short(str(value))}” không rõ có hay không. Hãy chọn Có hoặc Không.",
        )
    ]


def read_choice(cell: Cell, choices: tuple[str, ...]) -> Result:
    """One of the labels, matched after NFC and case folding; the canonical label is returned."""
    key = fold(str(cell.value))
    for label in choices:
        if fold(label) == key:
            return label, []
    options = " · ".join(choices)
    return None, [
        error(
            Code.INVALID_CHOICE,
            f"“{_short(str(cell.value))}” không có trong danh sách. Hãy chọn một trong: {options}.",
        )
    ]


def read_text(cell: Cell) -> Result:
    """Text as typed, NFC-normalised and trimmed; a stored number becomes its plain digits."""
    value = cell.value
    if isinstance(value, bool):
        return ("Có" if value else "Không"), []
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), []
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y"), []
    return nfc(str(value)).strip(), []


def show_short(text: str) -> str:
    """A value shortened for a message."""
    return _short(text)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
