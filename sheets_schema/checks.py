"""The checks a template carries inside itself, generated from the schema.

Two kinds, both features that Excel, LibreOffice and Google Sheets keep:

* a data validation per input cell (whole number, decimal, date, text length, list), in the
  *warning* style so nothing a unit pastes is blocked — the same bounds the parser checks;
* conditional formats for rules across cells (tử số > mẫu số, kết quả ≠ tử số/mẫu số, the
  [[rule]] sums, the "Chủ quan" cause, required cells empty after sign-off): the cell turns red.

Every formula here is assembled from the schema's ids, bounds and choice labels; no text a unit
types ever becomes part of one. A conditional format reaches a cell on another sheet as
INDIRECT("its defined name"): Excel does not let a conditional format point at another sheet
directly, and Google Sheets drops, on upload, one that names another tab or a defined name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .model import RUN_DATE, TERM_START, Column, DateBound, Field, FieldType, Indicator, Schema
from .values import TRUE_WORDS, fmt_number

TITLE_LIMIT = 32  # Excel's limit for a validation's input and error titles
MESSAGE_LIMIT = 255  # … and for its messages
RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
# Tolerances the parser allows, in formula form (the parser compares floats with 1e-9 slack).
_EPS = "1E-9"

_OP_NEGATION = {"==": "ABS({l}-{r})>" + _EPS, "<=": "{l}>{r}+" + _EPS, ">=": "{l}<{r}-" + _EPS,
                "<": "{l}>={r}", ">": "{l}<={r}"}  # fmt: skip
OP_WORDS = {"==": "phải bằng", "<=": "không được lớn hơn", ">=": "không được nhỏ hơn",
            "<": "phải nhỏ hơn", ">": "phải lớn hơn"}  # fmt: skip

Ref = Callable[[str], str]  # a field id → how a formula on the current sheet refers to its cell


def text_literal(text: str) -> str:
    """A schema string as a formula literal ("Chủ quan" → "\"Chủ quan\"")."""
    return '"' + text.replace('"', '""') + '"'


def short_title(label: str) -> str:
    """The label as a validation title: at most 32 characters, cut on a word boundary."""
    if len(label) <= TITLE_LIMIT:
        return label
    cut = label[: TITLE_LIMIT - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,—–-(") + "…"


def short_message(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1].rstrip() + "…"


def _bounds_words(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"từ {fmt_number(lo)} đến {fmt_number(hi)}"
    if lo is not None:
        return f"từ {fmt_number(lo)} trở lên"
    if hi is not None:
        return f"không quá {fmt_number(hi)}"
    return ""


def date_bound(schema: Schema, bound: DateBound) -> date | str | None:
    """A fixed date, "TODAY()" for the run date, or None."""
    if bound == RUN_DATE:
        return "TODAY()"
    if bound == TERM_START:
        return schema.term_start
    return bound if isinstance(bound, date) else None


def _date_words(lo: date | str | None, hi: date | str | None) -> str:
    def show(b: date | str) -> str:
        return "hôm nay" if isinstance(b, str) else b.strftime("%d/%m/%Y")

    if lo is not None and hi is not None:
        return f"từ {show(lo)} đến {show(hi)}"
    if lo is not None:
        return f"từ {show(lo)} trở đi"
    if hi is not None:
        return f"không sau {show(hi)}"
    return ""


def rule_words(schema: Schema, f: Field) -> str:
    """What a valid value of ``f`` looks like, in Vietnamese (empty when anything goes)."""
    t = f.type
    if f.part == "kq":
        kind = "số nguyên" if t is FieldType.INTEGER else "số"
        na = f"hoặc “{schema.not_applicable}”"
        return f"{kind} {_bounds_words(f.min, f.max)} {na}".replace("  ", " ")
    if t is FieldType.INTEGER:
        return f"số nguyên {_bounds_words(f.min, f.max)}".strip()
    if t is FieldType.PERCENT:
        return f"số phần trăm {_bounds_words(f.min, f.max)} (không gõ dấu %)".replace("  ", " ")
    if t is FieldType.DECIMAL:
        return f"số {_bounds_words(f.min, f.max)}".strip()
    if t is FieldType.DATE:
        lo, hi = date_bound(schema, f.min_date), date_bound(schema, f.max_date)
        return f"ngày/tháng/năm {_date_words(lo, hi)}".strip()
    if t in (FieldType.CHOICE, FieldType.BOOL):
        return "một giá trị trong danh sách thả xuống"
    if f.narrative:
        return f"nội dung ít nhất {schema.min_chars} ký tự"
    if f.max_length is not None:
        return f"tối đa {f.max_length} ký tự"
    return ""


def _texts(label: str, hint: str, words: str) -> dict[str, str]:
    """Titles and messages: the label in full, in the message when the title would cut it."""
    title = short_title(label)
    lead = "" if title == label else f"{label}. "
    what = hint or (f"Nhập {words}." if words else "")
    return {
        "input_title": title,
        "input_message": short_message(lead + what) if lead + what else "",
        "error_type": "warning",
        "error_title": "Giá trị chưa đúng yêu cầu",
        "error_message": short_message(
            f"{label}: cần {words}. Chọn Có (Yes) để giữ giá trị này (khi tổng hợp sẽ bị báo "
            f"lỗi), Không (No) để nhập lại."
        ),
    }


def _number_rule(lo: float | None, hi: float | None) -> dict[str, Any]:
    if lo is not None and hi is not None:
        return {"criteria": "between", "minimum": lo, "maximum": hi}
    if lo is not None:
        return {"criteria": ">=", "value": lo}
    if hi is not None:
        return {"criteria": "<=", "value": hi}
    return {"criteria": ">=", "value": -1e15}  # any number


def _date_value(bound: date | str) -> Any:
    return "=" + bound if isinstance(bound, str) else datetime(bound.year, bound.month, bound.day)


def _date_rule(lo: date | str | None, hi: date | str | None) -> dict[str, Any] | None:
    if lo is not None and hi is not None:
        return {"criteria": "between", "minimum": _date_value(lo), "maximum": _date_value(hi)}
    if lo is not None:
        return {"criteria": ">=", "value": _date_value(lo)}
    if hi is not None:
        return {"criteria": "<=", "value": _date_value(hi)}
    return None


def not_applicable_test(schema: Schema, cell: str) -> str:
    """TRUE when ``cell`` holds the "not applicable" answer (case and spaces ignored)."""
    return f"LOWER(TRIM({cell}))={text_literal(schema.not_applicable.lower())}"


def field_validation(
    schema: Schema, f: Field, cell: str, list_source: str | None = None
) -> dict[str, Any] | None:
    """xlsxwriter ``data_validation`` options for the input cell ``cell`` (A1, e.g. "E6")."""
    words = rule_words(schema, f)
    texts = _texts(f.label, f.hint, words)
    t = f.type
    if t in (FieldType.CHOICE, FieldType.BOOL):
        if list_source is None:
            return None
        return {"validate": "list", "source": list_source, **texts,
                "input_message": texts["input_message"] or "Chọn trong danh sách."}  # fmt: skip
    if f.part == "kq":
        # The result cell also takes the "not applicable" answer, which a decimal rule would flag.
        parts = [f"ISNUMBER({cell})"]
        if f.min is not None:
            parts.append(f"{cell}>={f.min:g}")
        if f.max is not None:
            parts.append(f"{cell}<={f.max:g}")
        if t is FieldType.INTEGER:
            parts.append(f"{cell}=INT({cell})")
        formula = f"=OR({not_applicable_test(schema, cell)},AND({','.join(parts)}))"
        return {"validate": "custom", "value": formula, "ignore_blank": True, **texts}
    if t.is_number:
        kind = "integer" if t is FieldType.INTEGER else "decimal"
        return {"validate": kind, **_number_rule(f.min, f.max), **texts}
    if t is FieldType.DATE:
        rule = _date_rule(date_bound(schema, f.min_date), date_bound(schema, f.max_date))
        return {"validate": "date", **rule, **texts} if rule else None
    if f.narrative:
        return {"validate": "length", "criteria": ">=", "value": schema.min_chars, **texts}
    if f.max_length is not None:
        return {"validate": "length", "criteria": "<=", "value": f.max_length, **texts}
    if f.hint:
        return {"validate": "any", "input_title": texts["input_title"],
                "input_message": texts["input_message"]}  # fmt: skip
    return None


def column_validation(
    schema: Schema, col: Column, table_hint: str, list_source: str | None
) -> dict[str, Any]:
    """Options for a whole column of a table body."""
    if col.type is FieldType.CHOICE and list_source is not None:
        words = "một giá trị trong danh sách thả xuống: " + " · ".join(col.choices)
        return {"validate": "list", "source": list_source, **_texts(col.label, table_hint, words)}
    if col.type is FieldType.DATE:
        hi = date_bound(schema, col.max_date)
        rule = _date_rule(None, hi)
        words = f"ngày/tháng/năm {_date_words(None, hi)}".strip()
        if rule:
            return {"validate": "date", **rule, **_texts(col.label, table_hint, words)}
    texts = _texts(col.label, table_hint, "")
    return {"validate": "any", "input_title": texts["input_title"],
            "input_message": texts["input_message"]}  # fmt: skip


# ---------------------------------------------------------------------- conditional formats
@dataclass(frozen=True)
class RedRule:
    """A conditional format: ``target`` (a field id) turns red when ``formula`` is TRUE.

    ``formula`` is built by ``build(ref)``, because how a formula names a cell depends on the
    sheet it sits on. ``meaning`` is the rule in Vietnamese, for the guide and the hint column.
    """

    target: str
    build: Callable[[Ref], str]
    meaning: str
    kind: str  # rate · rule · note · signed_off · table


def rate_rules(schema: Schema, ind: Indicator) -> list[RedRule]:
    tu, mau, kq = ind.field_id("tu_so"), ind.field_id("mau_so"), ind.field_id("kq")
    tol = f"{schema.rate_tolerance:g}+{_EPS}"

    def numerator(ref: Ref) -> str:
        t, m = ref(tu), ref(mau)
        return f"=AND(ISNUMBER({t}),ISNUMBER({m}),{t}>{m})"

    def denominator(ref: Ref) -> str:
        t, m = ref(tu), ref(mau)
        return f"=AND(ISNUMBER({t}),ISNUMBER({m}),{m}<=0)"

    # A Google copy's result cell has a percent format (provisioning): "96%" is stored 0.96,
    # "96" typed in the .xlsx is 96. Red only when neither reading matches the ratio.
    def result(ref: Ref) -> str:
        t, m, k = ref(tu), ref(mau), ref(kq)
        return (f"=IF(AND(ISNUMBER({k}),ISNUMBER({t}),ISNUMBER({m})),"
                f"IF(AND({m}>0,{t}<={m}),AND(ABS(100*{t}/{m}-{k})>{tol},"
                f"ABS(100*{t}/{m}-100*{k})>{tol}),FALSE),FALSE)")  # fmt: skip

    return [
        RedRule(tu, numerator, "Chỉ tiêu tỷ lệ: tử số lớn hơn mẫu số.", "rate"),
        RedRule(mau, denominator, "Chỉ tiêu tỷ lệ: mẫu số phải lớn hơn 0.", "rate"),
        RedRule(
            kq, result,
            f"Chỉ tiêu tỷ lệ: kết quả lệch quá {fmt_number(schema.rate_tolerance)} điểm phần trăm "
            "so với 100 × tử số / mẫu số.", "rate",
        ),
    ]  # fmt: skip


def cross_rule(schema: Schema, rule: Any) -> RedRule:
    """A [[rule]]: left op sum(right), red only when every operand is a number (as the parser)."""
    ids = (rule.left, *rule.right)

    def build(ref: Ref) -> str:
        left, right = ref(rule.left), f"SUM({','.join(ref(i) for i in rule.right)})"
        broken = _OP_NEGATION[rule.op].format(l=left, r=right)
        count = f"COUNT({','.join(ref(i) for i in ids)})"
        return f"=IF({count}={len(ids)},{broken},FALSE)"

    names = " + ".join(f"“{schema.field(i).label.strip('— ')}”" for i in rule.right)
    meaning = f"“{schema.field(rule.left).label}” {OP_WORDS[rule.op]} {names}."
    return RedRule(rule.left, build, meaning, "rule")


def yes_label(schema: Schema) -> str:
    """The sign-off answer that means "done" (the first item of its list)."""
    return schema.choices.get("xac_nhan", ("Có",))[0]


def signed_test(schema: Schema, cell: str) -> str:
    """TRUE when the sign-off cell says "done" the way the parser reads it: the list's "Có",
    a ticked checkbox (TRUE), 1, or one of the words the parser takes for yes."""
    words = dict.fromkeys([yes_label(schema).lower(), *sorted(TRUE_WORDS)])
    tests = [f"{cell}=TRUE", f"{cell}=1"]
    tests += [f"LOWER(TRIM({cell}))={text_literal(w)}" for w in words if w not in ("true", "1")]
    return "OR(" + ",".join(tests) + ")"


def applies_test(schema: Schema, ind: Indicator, unit_type: str | None, ref: Ref) -> str | None:
    """A formula TRUE when ``ind`` applies to the unit, or None when it always applies.

    For a prefilled copy the roster type is known; a blank template asks the unit's own
    tt_loai_hinh answer (an empty or unknown answer asks everything, as the parser does).
    """
    if "all" in ind.applies_to:
        return None
    if unit_type is not None:
        return "TRUE" if ind.applies(unit_type) else "FALSE"
    type_field = next((f for f in schema.fields if f.unit_type), None)
    if type_field is None:
        return None
    others = [lab for code, lab in schema.unit_types.items() if code not in ind.applies_to]
    if not others:
        return None
    cell = ref(type_field.id)
    return "NOT(OR(" + ",".join(f"{cell}={text_literal(o)}" for o in others) + "))"


def note_reason(schema: Schema, ind: Indicator, ref: Ref) -> str:
    """TRUE when the indicator's note is required: declared not applicable, the forecast is one
    of note_when_forecast, or the assessment is Chưa đạt (ratio rounded to 6 places below 1)."""
    nq, kq, du = ref(ind.field_id("nq")), ref(ind.field_id("kq")), ref(ind.field_id("du_bao"))
    num, den = (nq, kq) if ind.better == "lower" else (kq, nq)
    parts = [not_applicable_test(schema, kq)]
    parts += [f"{du}={text_literal(x)}" for x in schema.note_when_forecast]
    if "Chưa đạt" in schema.note_when_assessment:
        parts.append(
            f"IF(AND(ISNUMBER({nq}),ISNUMBER({kq})),IF({den}=0,FALSE,ROUND({num}/{den},6)<0.9999985),FALSE)"
        )
    return "OR(" + ",".join(parts) + ")"


def indicator_rules(
    schema: Schema, ind: Indicator, unit_type: str | None, sign_off: str
) -> list[RedRule]:
    """Required parts left empty after sign-off, and a note missing where one is required."""
    out: list[RedRule] = []
    if unit_type is not None and not ind.applies(unit_type):
        return out
    kq = ind.field_id("kq")
    for part in ind.parts:
        fid = ind.field_id(part)
        if part == "ghi_chu":

            def note(ref: Ref, fid: str = fid) -> str:
                app = applies_test(schema, ind, unit_type, ref)
                cond = [f"LEN({ref(fid)})=0", note_reason(schema, ind, ref)]
                return "=AND(" + ",".join(([app] if app else []) + cond) + ")"

            out.append(RedRule(fid, note, "Chỉ tiêu chưa đạt, dự báo khó đạt, không đạt hoặc "
                               "không áp dụng mà chưa ghi chú lý do.", "note"))  # fmt: skip
            continue

        def empty(ref: Ref, fid: str = fid) -> str:
            app = applies_test(schema, ind, unit_type, ref)
            cond = [signed_test(schema, ref(sign_off)), f"LEN({ref(fid)})=0"]
            if fid != kq:
                cond.append(f"NOT({not_applicable_test(schema, ref(kq))})")
            return "=AND(" + ",".join(([app] if app else []) + cond) + ")"

        out.append(RedRule(fid, empty, signed_off_meaning(schema), "signed_off"))
    return out


def signed_off_meaning(schema: Schema) -> str:
    return (
        f"Đã chọn “{yes_label(schema)}” ở ô xác nhận hoàn thành nhưng ô bắt buộc này còn để trống."
    )


def required_empty(schema: Schema, f: Field, sign_off: str) -> RedRule:
    def build(ref: Ref) -> str:
        return f"=AND({signed_test(schema, ref(sign_off))},LEN({ref(f.id)})=0)"

    return RedRule(f.id, build, signed_off_meaning(schema), "signed_off")


def red_rules(schema: Schema, unit_type: str | None) -> list[RedRule]:
    """Every single-cell conditional format of the template, from the schema."""
    sign_off = next((f.id for f in schema.fields if f.sign_off), None)
    out: list[RedRule] = []
    for ind in schema.indicators:
        if ind.is_rate and (unit_type is None or ind.applies(unit_type)):
            out += rate_rules(schema, ind)
    out += [cross_rule(schema, r) for r in schema.rules]
    for ind in schema.indicators:
        out += indicator_rules(schema, ind, unit_type, sign_off or "")
    if sign_off:
        for f in schema.fields:
            if f.indicator is None and f.required and not f.sign_off and f.prefill in (
                None, "unit_type"
            ):  # fmt: skip
                out.append(required_empty(schema, f, sign_off))
    return out


def table_meanings(schema: Schema) -> list[str]:
    out = []
    for table in schema.tables:
        if table.require_column and table.require_value:
            col = table.column(table.require_column)
            out.append(
                f"{table.label}: chưa có dòng nào có {col.label} là “{table.require_value}” "
                f"(cả cột {col.label} chuyển đỏ)."
            )
    return out
