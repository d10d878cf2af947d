"""The template's in-sheet checks in Google's terms: list, compare after upload, restore.

The template (.xlsx) carries conditional formats (red cells) and data validations. Google's
conversion keeps what it has an equivalent for and drops the rest: a conditional format may
only name its own tab (another tab goes through INDIRECT), and Google's data validation has
conditions, `inputMessage`, `showCustomUi` and `strict`, nothing else: no text length, no
whole-number kind, no input message on its own, no relative date ("TODAY()") in a date rule
and no custom error message.

`template_rules` reads the rendered template and turns every rule into the Google rule it
should become: kinds Google lacks become custom formulas (text length, whole numbers, dates),
the prompt becomes `inputMessage`, every rule stays a warning (`strict: false`). `compare`
reads back what a spreadsheet holds and says, rule by rule, what was kept and what was lost;
`restore_requests` re-adds the lost ones with `addConditionalFormatRule` / `setDataValidation`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import openpyxl
from openpyxl.utils.cell import get_column_letter, range_boundaries

# A conditional format and the validations, as one spreadsheets.get answer (grid data only for
# the validations: they live in each cell).
READ_BACK_FIELDS = (
    "sheets(properties(sheetId,title),conditionalFormats,"
    "protectedRanges(protectedRangeId,range,warningOnly,unprotectedRanges),"
    "data(startRow,startColumn,rowData(values(dataValidation))))"
)
RED_FORMAT = {
    "backgroundColor": {"red": 1.0, "green": 0.7803922, "blue": 0.80784315},
    "textFormat": {"foregroundColor": {"red": 0.6117647, "green": 0.0, "blue": 0.023529412}},
}
# Feature → its name in the checklist (Vietnamese, for the district's IT person).
FEATURES = {
    "red_same_tab": "Ô đỏ (định dạng có điều kiện) trong cùng trang",
    "red_indirect": "Ô đỏ tham chiếu ô ở trang khác qua INDIRECT",
    "list": "Danh sách thả xuống",
    "number": "Kiểm tra số (số thập phân, tỷ lệ %)",
    "whole": "Kiểm tra số nguyên",
    "length": "Kiểm tra độ dài nội dung",
    "date": "Kiểm tra ngày có mốc cố định",
    "date_today": "Kiểm tra ngày “không sau hôm nay” (TODAY())",
    "custom": "Kiểm tra bằng công thức (kết quả hoặc “Không áp dụng”)",
    "input_only": "Lời nhắc khi chọn ô (không kiểm tra giá trị)",
}
_EPOCH = date(1899, 12, 30)
_NUMBER_OPS = {
    None: "NUMBER_BETWEEN", "between": "NUMBER_BETWEEN", "notBetween": "NUMBER_NOT_BETWEEN",
    "equal": "NUMBER_EQ", "notEqual": "NUMBER_NOT_EQ", "greaterThan": "NUMBER_GREATER",
    "greaterThanOrEqual": "NUMBER_GREATER_THAN_EQ", "lessThan": "NUMBER_LESS",
    "lessThanOrEqual": "NUMBER_LESS_THAN_EQ",
}  # fmt: skip
_DATE_OPS = {None: "DATE_BETWEEN", "between": "DATE_BETWEEN", "notBetween": "DATE_NOT_BETWEEN",
             "equal": "DATE_EQ", "greaterThan": "DATE_AFTER",
             "greaterThanOrEqual": "DATE_ON_OR_AFTER", "lessThan": "DATE_BEFORE",
             "lessThanOrEqual": "DATE_ON_OR_BEFORE"}  # fmt: skip
_FORMULA_OPS = {"equal": "=", "notEqual": "<>", "greaterThan": ">", "greaterThanOrEqual": ">=",
                "lessThan": "<", "lessThanOrEqual": "<="}  # fmt: skip
_STRING = re.compile(r'"(?:[^"]|"")*"')

Box = tuple[int, int, int, int]  # 0-based r0, c0 and exclusive r1, c1


@dataclass(frozen=True)
class TemplateRule:
    """One rule of the template and the Google rule it should be on `sheet` over `boxes`."""

    kind: str  # "red" (conditional format) or "validation"
    feature: str  # a key of FEATURES
    sheet: str
    boxes: tuple[Box, ...]
    google: Mapping[str, Any]  # a BooleanRule (red) or a DataValidationRule (validation)
    # A Google condition type that also counts as kept (a fixed-date rule converted to
    # Google's own DATE_* condition: its date values' text form is not documented).
    also: str = ""

    def grid_ranges(self, sheet_id: int) -> list[dict[str, int]]:
        return [
            {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1,
             "startColumnIndex": c0, "endColumnIndex": c1}
            for r0, c0, r1, c1 in self.boxes
        ]  # fmt: skip


def template_rules(xlsx: bytes) -> list[TemplateRule]:
    """Every conditional format and validation of a rendered template, in Google's terms."""
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    out: list[TemplateRule] = []
    for ws in wb.worksheets:
        for cf in ws.conditional_formatting:
            boxes = _boxes(str(cf.sqref))
            for cf_rule in cf.rules:
                if not cf_rule.formula:
                    continue
                formula = "=" + str(cf_rule.formula[0]).lstrip("=")
                feature = "red_indirect" if "INDIRECT(" in formula.upper() else "red_same_tab"
                google = {
                    "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
                    "format": RED_FORMAT,
                }  # fmt: skip
                out.append(TemplateRule("red", feature, ws.title, boxes, google))
        for dv in ws.data_validations.dataValidation:
            boxes = _boxes(str(dv.sqref))
            feature, condition = _condition(dv, boxes[0])
            also = _DATE_OPS.get(dv.operator, "DATE_BETWEEN") if feature == "date" else ""
            message = " ".join(x for x in (dv.promptTitle, dv.prompt) if x)
            rule: dict[str, Any] = {"condition": condition, "strict": False}
            if message:
                rule["inputMessage"] = message.strip()
            if feature == "list":
                rule["showCustomUi"] = True
            out.append(TemplateRule("validation", feature, ws.title, boxes, rule, also))
    return out


def _boxes(sqref: str) -> tuple[Box, ...]:
    out = []
    for part in sqref.split():
        c0, r0, c1, r1 = (int(x or 0) for x in range_boundaries(part))
        out.append((r0 - 1, c0 - 1, r1, c1))
    return tuple(out)


def _value(text: str) -> dict[str, str]:
    return {"userEnteredValue": text}


def _condition(dv: Any, box: Box) -> tuple[str, dict[str, Any]]:
    """(feature, Google BooleanCondition) for an openpyxl DataValidation."""
    cell = f"{get_column_letter(box[1] + 1)}{box[0] + 1}"
    kind, op = dv.type, dv.operator
    f1 = str(dv.formula1).lstrip("=") if dv.formula1 not in (None, "") else None
    f2 = str(dv.formula2).lstrip("=") if dv.formula2 not in (None, "") else None
    if kind == "list" and f1:
        return "list", {"type": "ONE_OF_RANGE", "values": [_value("=" + f1)]}
    if kind == "custom" and f1:
        return "custom", _custom(f1)
    if kind == "decimal" and _integral(f1) and (f2 is None or _integral(f2)):
        values = [_value(_number_text(x)) for x in (f1, f2) if x is not None]
        return "number", {"type": _NUMBER_OPS.get(op, "NUMBER_BETWEEN"), "values": values}
    if kind in ("decimal", "whole"):
        tests = [f"ISNUMBER({cell})"] + ([f"{cell}=INT({cell})"] if kind == "whole" else [])
        tests += _bound_tests(cell, op, f1, f2, _number_text)
        return ("whole" if kind == "whole" else "number"), _custom(f"AND({','.join(tests)})")
    if kind == "textLength":
        tests = _bound_tests(f"LEN({cell})", op, f1, f2, _number_text)
        return "length", _custom(tests[0] if len(tests) == 1 else f"AND({','.join(tests)})")
    if kind == "date":
        relative = "TODAY" in f"{f1}{f2}".upper()
        tests = [f"ISNUMBER({cell})", *_bound_tests(cell, op, f1, f2, _date_text)]
        return ("date_today" if relative else "date"), _custom(f"AND({','.join(tests)})")
    return "input_only", _custom("TRUE")  # a prompt only: a rule that always passes


def _custom(formula: str) -> dict[str, Any]:
    return {"type": "CUSTOM_FORMULA", "values": [_value("=" + formula.lstrip("="))]}


def _bound_tests(left: str, op: str | None, f1: str | None, f2: str | None, show: Any) -> list[str]:
    if op in (None, "between") and f1 is not None and f2 is not None:
        return [f"{left}>={show(f1)}", f"{left}<={show(f2)}"]
    if op == "notBetween" and f1 is not None and f2 is not None:
        return [f"OR({left}<{show(f1)},{left}>{show(f2)})"]
    if f1 is None:
        return []
    return [f"{left}{_FORMULA_OPS.get(op or 'equal', '=')}{show(f1)}"]


def _integral(text: str | None) -> bool:
    try:
        return text is not None and float(text).is_integer() and abs(float(text)) < 1e16
    except ValueError:
        return False


def _number_text(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return text  # a formula
    return str(int(number)) if number.is_integer() else repr(number)


def _date_text(text: str) -> str:
    try:
        day = _EPOCH + timedelta(days=int(float(text)))
    except ValueError:
        return text  # TODAY() or another formula
    return f"DATE({day.year},{day.month},{day.day})"


# ---------------------------------------------------------------------- compare and restore


@dataclass(frozen=True)
class RuleCheck:
    """What a spreadsheet kept of the template's rules (read back after upload)."""

    kept: tuple[TemplateRule, ...]
    lost: tuple[TemplateRule, ...]
    sheets_missing: tuple[str, ...] = ()

    def by_feature(self) -> dict[str, tuple[int, int]]:
        """feature → (kept, total), in FEATURES order, for the features the template uses."""
        out: dict[str, tuple[int, int]] = {}
        for feature in FEATURES:
            kept = sum(1 for r in self.kept if r.feature == feature)
            lost = sum(1 for r in self.lost if r.feature == feature)
            if kept or lost:
                out[feature] = (kept, kept + lost)
        return out

    def summary_vi(self) -> str:
        """One line: kept x/y red-cell rules and x/y validations, and what was lost."""
        red = [r for r in self.kept + self.lost if r.kind == "red"]
        red_kept = sum(1 for r in self.kept if r.kind == "red")
        dv = len(self.kept) + len(self.lost) - len(red)
        dv_kept = len(self.kept) - red_kept
        text = f"Google giữ {red_kept}/{len(red)} quy tắc ô đỏ, {dv_kept}/{dv} kiểm tra dữ liệu"
        lost = [f"{FEATURES[f]} ({t - k}/{t})" for f, (k, t) in self.by_feature().items() if k < t]
        return text + (f"; mất: {'; '.join(lost)}" if lost else "")


def normal_formula(text: str) -> str:
    """A formula compared as Google may rewrite it: no "=", "$", spaces or case outside text."""
    text = str(text).strip().lstrip("=")
    parts, last = [], 0
    for m in _STRING.finditer(text):
        parts.append(re.sub(r"[\s$]", "", text[last : m.start()]).upper())
        parts.append(m.group(0))
        last = m.end()
    parts.append(re.sub(r"[\s$]", "", text[last:]).upper())
    return "".join(parts)


def _condition_key(condition: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    values = []
    for v in condition.get("values") or []:
        raw = str(v.get("userEnteredValue", v.get("relativeDate", "")))
        try:
            raw = _number_text(str(float(raw.replace(",", "."))))
        except ValueError:
            raw = normal_formula(raw)
        values.append(raw)
    return str(condition.get("type", "")), tuple(values)


def _range_key(rng: Mapping[str, Any]) -> Box:
    return (
        int(rng.get("startRowIndex", 0)),
        int(rng.get("startColumnIndex", 0)),
        int(rng.get("endRowIndex", 0)),
        int(rng.get("endColumnIndex", 0)),
    )


def _cells(boxes: Iterable[Box]) -> Iterable[tuple[int, int]]:
    for r0, c0, r1, c1 in boxes:
        for r in range(r0, r1):
            for c in range(c0, c1):
                yield r, c


def _validations(sheet: Mapping[str, Any]) -> dict[tuple[int, int], Mapping[str, Any]]:
    out = {}
    for piece in sheet.get("data") or []:
        r0, c0 = int(piece.get("startRow", 0)), int(piece.get("startColumn", 0))
        for dr, row in enumerate(piece.get("rowData") or []):
            for dc, value in enumerate(row.get("values") or []):
                if value.get("dataValidation"):
                    out[(r0 + dr, c0 + dc)] = value["dataValidation"]
    return out


def compare(rules: Sequence[TemplateRule], answer: Mapping[str, Any]) -> RuleCheck:
    """Rule by rule, whether the spreadsheet (a READ_BACK_FIELDS answer) holds it.

    A red-cell rule is kept when a conditional format over the same ranges has the same formula
    (up to "$", spaces and case); a validation when every cell of its ranges has a rule of the
    same condition, and a help text where the template has one.
    """
    sheets = {str(s.get("properties", {}).get("title")): s for s in answer.get("sheets", [])}
    kept: list[TemplateRule] = []
    lost: list[TemplateRule] = []
    missing: set[str] = set()
    cache: dict[str, Any] = {}
    for rule in rules:
        sheet = sheets.get(rule.sheet)
        if sheet is None:
            missing.add(rule.sheet)
            lost.append(rule)
            continue
        want = _condition_key(rule.google["condition"])
        if rule.kind == "red":
            have = {
                (tuple(sorted(_range_key(r) for r in cf.get("ranges", []))),
                 _condition_key(cf.get("booleanRule", {}).get("condition", {})))
                for cf in sheet.get("conditionalFormats") or []
            }  # fmt: skip
            ok = (tuple(sorted(rule.boxes)), want) in have
        else:
            cells = cache.setdefault(rule.sheet, _validations(sheet))
            ok = all(
                (dv := cells.get(cell)) is not None
                and (
                    _condition_key(dv.get("condition", {})) == want
                    or (rule.also and dv.get("condition", {}).get("type") == rule.also)
                )
                and (dv.get("inputMessage") or "inputMessage" not in rule.google)
                for cell in _cells(rule.boxes)
            )
        (kept if ok else lost).append(rule)
    return RuleCheck(tuple(kept), tuple(lost), tuple(sorted(missing)))


def restore_requests(lost: Iterable[TemplateRule], sheet_ids: Mapping[str, int]) -> list[dict]:
    """batchUpdate requests that put the lost rules back (setDataValidation replaces)."""
    out: list[dict[str, Any]] = []
    for rule in lost:
        sheet_id = sheet_ids.get(rule.sheet)
        if sheet_id is None:
            continue
        ranges = rule.grid_ranges(sheet_id)
        if rule.kind == "red":
            body = {"ranges": ranges, "booleanRule": dict(rule.google)}
            out.append({"addConditionalFormatRule": {"rule": body, "index": 0}})
        else:
            out += [{"setDataValidation": {"range": r, "rule": dict(rule.google)}} for r in ranges]
    return out


def sheet_ids(answer: Mapping[str, Any]) -> dict[str, int]:
    return {
        str(s.get("properties", {}).get("title")): int(s.get("properties", {}).get("sheetId", 0))
        for s in answer.get("sheets", [])
    }


def read_back(http: Any, file_id: str) -> Mapping[str, Any]:
    """One spreadsheets.get: tabs, conditional formats, protected ranges, validations."""
    params = {"includeGridData": "true", "fields": READ_BACK_FIELDS}
    return dict(http.fetch_sheet_metadata(file_id, params=params))


def verify_and_restore(
    http: Any, file_id: str, rules: Sequence[TemplateRule]
) -> tuple[RuleCheck, RuleCheck]:
    """Read back what the sheet kept; re-add what it lost; read back again.

    Returns (what conversion kept, what the sheet holds now). Costs one read when nothing was
    lost, else two reads and one batchUpdate.
    """
    answer = read_back(http, file_id)
    before = compare(rules, answer)
    if not before.lost:
        return before, before
    requests = restore_requests(before.lost, sheet_ids(answer))
    if requests:
        http.batch_update(file_id, {"requests": requests})
    return before, compare(rules, read_back(http, file_id))
