"""Cells of an openpyxl workbook as the Sheets API shows them, and A1 ranges.

Conversions follow what Google does with a converted .xlsx: dates become serial numbers
(days since 1899-12-30) with a DATE format, Excel error strings become `errorValue`, formats
become `numberFormat{type, pattern}`, formatted text follows the vi_VN locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils.cell import column_index_from_string, get_column_letter

EPOCH = datetime(1899, 12, 30)

# Excel's error literals and Google's ErrorValue.type for each.
ERROR_TYPES = {
    "#NULL!": "NULL_VALUE",
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#VALUE!": "VALUE",
    "#REF!": "REF",
    "#NAME?": "NAME",
    "#NUM!": "NUM",
    "#N/A": "N_A",
    "#ERROR!": "ERROR",
}
ERROR_MESSAGES = {
    "REF": "Reference does not exist.",
    "N_A": "Value not available.",
    "DIVIDE_BY_ZERO": "Function DIVIDE parameter 2 cannot be zero.",
    "VALUE": "Function expects number values.",
    "NAME": "Unknown function.",
}

_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "horizontalAlignment": "LEFT",
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "Arial",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "hyperlinkDisplayType": "PLAIN_TEXT",
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


def number(value: float | int) -> float | int:
    """A number as Google prints it: integral doubles without a fraction."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def to_serial(value: datetime | date | time | timedelta) -> float | int:
    """A date or time as a Sheets serial number (days since 1899-12-30, local wall clock)."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return number(delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400)
    if isinstance(value, date):
        return (value - EPOCH.date()).days
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return number((seconds + value.microsecond / 1e6) / 86400)
    return number(value.total_seconds() / 86400)


def format_type(fmt: str | None) -> str | None:
    """Google's NumberFormat.type for an Excel number format (None for General)."""
    if not fmt or fmt == "General":
        return None
    if fmt == "@":
        return "TEXT"
    bare = _LITERALS.sub("", fmt)
    if "%" in bare:
        return "PERCENT"
    kind = is_datetime(fmt)
    if kind:
        return {"datetime": "DATE_TIME", "date": "DATE", "time": "TIME"}[kind]
    if "E+" in bare.upper():
        return "SCIENTIFIC"
    if any(sym in fmt for sym in ("$", "₫", "€")):
        return "CURRENCY"
    return "NUMBER"


def pattern_for(number_format: dict[str, Any]) -> str:
    """An Excel format for a Google NumberFormat written through the API."""
    if number_format.get("pattern"):
        return str(number_format["pattern"])
    return {
        "PERCENT": "0.00%",
        "DATE": "dd/mm/yyyy",
        "DATE_TIME": "dd/mm/yyyy hh:mm:ss",
        "TIME": "hh:mm:ss",
        "TEXT": "@",
        "NUMBER": "#,##0.00",
        "CURRENCY": '#,##0 "₫"',
        "SCIENTIFIC": "0.00E+00",
    }.get(str(number_format.get("type", "")), "General")


def is_error(cell: XlCell) -> bool:
    return cell.data_type == "e" or (
        cell.data_type != "s" and isinstance(cell.value, str) and cell.value in ERROR_TYPES
    )


def is_formula(cell: XlCell) -> bool:
    return cell.data_type == "f"


def effective_value(cell: XlCell) -> dict[str, Any] | None:
    """ExtendedValue of what the cell shows; None for empty and formula cells.

    openpyxl keeps a formula's text, not its result, so a formula cell has no effective
    value here (the unit input cells this project reads never hold formulas).
    """
    value = cell.value
    if value is None or is_formula(cell):
        return None
    if is_error(cell):
        kind = ERROR_TYPES.get(str(value), "ERROR")
        return {"errorValue": {"type": kind, "message": ERROR_MESSAGES.get(kind, str(value))}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": number(value)}
    if isinstance(value, datetime | date | time | timedelta):
        return {"numberValue": to_serial(value)}
    return {"stringValue": str(value)}


def user_entered_value(cell: XlCell) -> dict[str, Any] | None:
    if cell.value is None:
        return None
    if is_formula(cell):
        return {"formulaValue": str(cell.value)}
    if is_error(cell):
        return {"formulaValue": f"={cell.value}"}
    return effective_value(cell)


def number_format(cell: XlCell) -> dict[str, Any] | None:
    kind = format_type(cell.number_format)
    if kind is None:
        if isinstance(cell.value, datetime | date):
            return {"type": "DATE", "pattern": "dd/mm/yyyy"}
        return None
    return {"type": kind, "pattern": cell.number_format}


def formatted_value(cell: XlCell) -> str | None:
    """The text Google would display, in the vi_VN locale ("1.234,5", "12,5%", "01/02/2025")."""
    value = cell.value
    if value is None or is_formula(cell):
        return None
    if is_error(cell):
        return str(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = cell.number_format or "General"
    kind = format_type(fmt)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S" if kind == "DATE_TIME" else "%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, int | float):
        if kind == "PERCENT":
            return _vi_number(value * 100, _decimals(fmt), grouping=False) + "%"
        if kind in ("NUMBER", "CURRENCY"):
            return _vi_number(value, _decimals(fmt), grouping="," in _LITERALS.sub("", fmt))
        return _vi_number(value, None, grouping=False)
    return str(value)


def _decimals(fmt: str) -> int:
    bare = _LITERALS.sub("", fmt).split(";")[0]
    if "." not in bare:
        return 0
    return len(re.match(r"[0#?]*", bare.split(".", 1)[1]).group(0))  # type: ignore[union-attr]


def _vi_number(value: float, decimals: int | None, *, grouping: bool) -> str:
    if decimals is None:
        plain = number(value)
        text = str(plain) if isinstance(plain, int) else f"{plain:.10g}"
        return text.replace(".", ",")
    text = f"{value:,.{decimals}f}" if grouping else f"{value:.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


# ------------------------------------------------------------------------------ A1 ranges

_A1 = re.compile(
    r"^(?P<c0>\$?[A-Za-z]{1,3})?(?P<r0>\$?\d+)?(?::(?P<c1>\$?[A-Za-z]{1,3})?(?P<r1>\$?\d+)?)?$"
)


@dataclass(frozen=True)
class Bounds:
    """A rectangle, 0-based, ends exclusive; None where the A1 text leaves it open."""

    r0: int | None
    c0: int | None
    r1: int | None
    c1: int | None


def parse_a1(text: str) -> Bounds | None:
    """Parse `A1`, `A1:B2`, `A:B`, `1:3`, `A5:A`; None when it is not A1 notation."""
    m = _A1.match(text.strip())
    if not m or not text.strip():
        return None
    c0, r0, c1, r1 = (m.group(k) for k in ("c0", "r0", "c1", "r1"))
    if ":" not in text:
        if not (c0 and r0):
            return None
        c1, r1 = c0, r0
    elif not (c0 or r0) or not (c1 or r1):
        return None

    def col(s: str | None) -> int | None:
        return column_index_from_string(s.lstrip("$").upper()) - 1 if s else None

    def row(s: str | None) -> int | None:
        return int(s.lstrip("$")) - 1 if s else None

    rr0, rr1, cc0, cc1 = row(r0), row(r1), col(c0), col(c1)
    if rr0 is not None and rr1 is not None and rr1 < rr0:
        rr0, rr1 = rr1, rr0
    if cc0 is not None and cc1 is not None and cc1 < cc0:
        cc0, cc1 = cc1, cc0
    return Bounds(
        rr0 if rr0 is not None else (0 if rr1 is not None or c0 else None),
        cc0 if cc0 is not None else (0 if cc1 is not None or r0 else None),
        rr1 + 1 if rr1 is not None else None,
        cc1 + 1 if cc1 is not None else None,
    )


def a1(r0: int, c0: int, r1: int, c1: int) -> str:
    """A1 text of a 0-based, end-exclusive rectangle."""
    first = f"{get_column_letter(c0 + 1)}{r0 + 1}"
    last = f"{get_column_letter(c1)}{r1}"
    return first if (r1 - r0, c1 - c0) == (1, 1) else f"{first}:{last}"


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range: quoted unless plain ASCII."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and parse_a1(title) is None:
        return title
    return "'" + title.replace("'", "''") + "'"


def split_sheet(text: str) -> tuple[str | None, str]:
    """Split `'My sheet'!A1:B2` into (title, "A1:B2"); (None, text) without a sheet part."""
    if text.startswith("'"):
        i = 1
        while i < len(text):
            if text[i] == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    i += 2
                    continue
                break
            i += 1
        title = text[1:i].replace("''", "'")
        rest = text[i + 1 :]
        return title, rest[1:] if rest.startswith("!") else rest
    if "!" in text:
        title, rest = text.rsplit("!", 1)
        return title, rest
    return None, text
