"""What Drive's .xlsx → Google Sheets conversion keeps of a workbook's in-sheet checks.

Modelled on Google's documentation, not on our generator:

* conditional formatting: "custom formulas can only reference the same sheet … to reference
  another sheet, use INDIRECT"; named ranges in conditional formats are dropped on upload. A
  rule whose formula names another tab (`!`) or a defined name outside INDIRECT is dropped;
  every other formula rule becomes a CUSTOM_FORMULA BooleanRule.
* data validation: Google has conditions, `inputMessage`, `showCustomUi` and `strict`. A list
  over a range becomes ONE_OF_RANGE, a decimal rule a NUMBER_* condition, a whole-number rule
  a plain NUMBER_* condition (the "whole" part is lost), a custom formula CUSTOM_FORMULA, a
  date between fixed dates a DATE_* condition. Text length, a prompt without a rule and a
  date rule relative to TODAY() have no equivalent and are dropped. Error messages have no
  field and are dropped; the prompt becomes `inputMessage`.

Every drop is recorded in `book.dropped` as (feature, sheet title, range) so tests can compare
what a probe reports with exactly what this conversion lost. With `import_protection`, a
protected tab becomes a protected range that locks everyone but the owner out (Google's
behaviour here is undocumented: the option lets tests cover that outcome).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from openpyxl.utils.cell import range_boundaries

from . import cells as C
from .sheets import Spreadsheet

_STRING = re.compile(r'"(?:[^"]|"")*"')
_INDIRECT = re.compile(r"INDIRECT\([^()]*\)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_NUMBER = {
    None: "NUMBER_BETWEEN", "between": "NUMBER_BETWEEN", "notBetween": "NUMBER_NOT_BETWEEN",
    "equal": "NUMBER_EQ", "notEqual": "NUMBER_NOT_EQ", "greaterThan": "NUMBER_GREATER",
    "greaterThanOrEqual": "NUMBER_GREATER_THAN_EQ", "lessThan": "NUMBER_LESS",
    "lessThanOrEqual": "NUMBER_LESS_THAN_EQ",
}  # fmt: skip
_DATE = {None: "DATE_BETWEEN", "between": "DATE_BETWEEN", "notBetween": "DATE_NOT_BETWEEN",
         "equal": "DATE_EQ", "greaterThan": "DATE_AFTER", "greaterThanOrEqual": "DATE_ON_OR_AFTER",
         "lessThan": "DATE_BEFORE", "lessThanOrEqual": "DATE_ON_OR_BEFORE"}  # fmt: skip
_RED = {"backgroundColor": {"red": 1.0, "green": 0.78, "blue": 0.81}}


def import_checks(book: Spreadsheet, *, import_protection: bool = False) -> None:
    """Turn the workbook's conditional formats and validations into Google's, dropping the rest."""
    names = {nr.name.lower() for nr in book.named_ranges}
    for meta in book.sheets:
        ws = meta.ws
        for cf in ws.conditional_formatting:
            ranges = [_grid(meta.sheet_id, part) for part in str(cf.sqref).split()]
            for cf_rule in cf.rules:
                if not cf_rule.formula:
                    continue
                formula = str(cf_rule.formula[0])
                if _names_elsewhere(formula, names):
                    feature = "red_indirect" if "INDIRECT(" in formula.upper() else "red_same_tab"
                    book.dropped.append((feature, ws.title, str(cf.sqref)))
                    continue
                book.conditional.setdefault(meta.sheet_id, []).append(
                    {
                        "ranges": ranges,
                        "booleanRule": {
                            "condition": {
                                "type": "CUSTOM_FORMULA",
                                "values": [{"userEnteredValue": "=" + formula}],
                            },
                            "format": _RED,
                        },
                    }
                )
        for dv in ws.data_validations.dataValidation:
            feature, condition = _condition(dv)
            if condition is None:
                book.dropped.append((feature, ws.title, str(dv.sqref)))
                continue
            if feature == "whole":  # kept as a plain number rule: the "whole" part is lost
                book.dropped.append((feature, ws.title, str(dv.sqref)))
            rule: dict[str, Any] = {"condition": condition}
            if dv.errorStyle in (None, "stop"):
                rule["strict"] = True
            if dv.prompt:
                rule["inputMessage"] = str(dv.prompt)
            if dv.type == "list":
                rule["showCustomUi"] = True
            cells = book.validations.setdefault(meta.sheet_id, {})
            for part in str(dv.sqref).split():
                c0, r0, c1, r1 = (int(x or 0) for x in range_boundaries(part))
                for r in range(r0 - 1, r1):
                    for c in range(c0 - 1, c1):
                        cells[(r, c)] = rule
        if import_protection and ws.protection.sheet:
            book.protected.append(
                {"protectedRangeId": book._new_id(), "range": {"sheetId": meta.sheet_id},
                 "warningOnly": False, "requestingUserCanEdit": True}
            )  # fmt: skip


def _names_elsewhere(formula: str, names: set[str]) -> bool:
    """Whether a formula names another tab or a defined name outside INDIRECT(…)."""
    bare = _INDIRECT.sub("0", _STRING.sub('""', formula))
    bare = _STRING.sub('""', bare)
    return "!" in bare or any(w.lower() in names for w in _WORD.findall(bare))


def _grid(sheet_id: int, part: str) -> dict[str, int]:
    c0, r0, c1, r1 = (int(x or 0) for x in range_boundaries(part))
    rng = {"startRowIndex": r0 - 1, "endRowIndex": r1,
           "startColumnIndex": c0 - 1, "endColumnIndex": c1}  # fmt: skip
    return {"sheetId": sheet_id, **rng} if sheet_id else rng


def _value(text: Any) -> dict[str, str]:
    return {"userEnteredValue": str(text)}


def _condition(dv: Any) -> tuple[str, dict[str, Any] | None]:
    f1 = None if dv.formula1 in (None, "") else str(dv.formula1)
    f2 = None if dv.formula2 in (None, "") else str(dv.formula2)
    values = [_value(f) for f in (f1, f2) if f is not None]
    kind = dv.type
    if kind == "list":
        if f1 and f1.startswith('"'):
            items = f1.strip('"').split(",")
            return "list", {"type": "ONE_OF_LIST", "values": [_value(i) for i in items]}
        return "list", {"type": "ONE_OF_RANGE", "values": [_value("=" + (f1 or "").lstrip("="))]}
    if kind == "custom":
        return "custom", {
            "type": "CUSTOM_FORMULA",
            "values": [_value("=" + (f1 or "").lstrip("="))],
        }
    if kind in ("decimal", "whole"):
        feature = "number" if kind == "decimal" else "whole"
        return feature, {"type": _NUMBER.get(dv.operator, "NUMBER_BETWEEN"), "values": values}
    if kind == "date":
        if any("TODAY" in (f or "").upper() for f in (f1, f2)):
            return "date_today", None
        shown = [_value(_date(f)) for f in (f1, f2) if f is not None]
        return "date", {"type": _DATE.get(dv.operator, "DATE_BETWEEN"), "values": shown}
    if kind == "textLength":
        return "length", None
    return "input_only", None


def _date(serial: str) -> str:
    day = C.EPOCH + timedelta(days=int(float(serial)))
    return day.strftime("%d/%m/%Y")
