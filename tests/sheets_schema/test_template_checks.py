"""The checks the template carries (validations, red cells, progress line) against the parser.

The template is read back with openpyxl, as Excel would see it; validation rules are evaluated
here from each DataValidation's type, operator and formulas, never from our own generator.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.datavalidation import DataValidation

from sheets_schema import (
    Cell,
    Code,
    Field,
    FieldType,
    ParseContext,
    RawReport,
    Schema,
    Severity,
    UnitInfo,
    parse_report,
    render_template,
)
from sheets_schema.checks import TITLE_LIMIT
from sheets_schema.model import OWN_NAMES, is_own_name
from sheets_schema.values import TRUE_WORDS
from sync.excel import read_xlsx
from tests.helpers import TODAY, parse_values, typed_workbook, valid_values

UNIT = UnitInfo("XA_VINH_HUNG", "Đảng bộ xã Vĩnh Hưng", "xa")
OFFICE = UnitInfo("CQ_VP", "Chi bộ Văn phòng Huyện ủy", "co_quan")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _where(wb: openpyxl.Workbook, name: str) -> tuple[str, str]:
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return sheet, ref.replace("$", "")


def validation_at(wb: openpyxl.Workbook, name: str) -> DataValidation | None:
    sheet, ref = _where(wb, name)
    cell = ref.split(":")[0]
    found = [dv for dv in wb[sheet].data_validations.dataValidation if cell in dv.sqref]
    assert len(found) <= 1, f"{name}: {len(found)} validations on one cell"
    return found[0] if found else None


def typed_inputs(schema: Schema) -> list[Field]:
    """Every input a unit types (prefilled, locked cells are not typed)."""
    return [f for f in schema.fields if f.prefill in (None, "unit_type")]


def free_text(schema: Schema) -> list[str]:
    """Text inputs without any rule on their value: a note, nothing to validate."""
    return [
        f.id
        for f in typed_inputs(schema)
        if f.type is FieldType.TEXT and not f.narrative and f.max_length is None
    ]


# ------------------------------------------------------------------------ every input covered
def expected_kind(f: Field) -> str:
    if f.part == "kq":
        return "custom"  # a number within bounds, or "Không áp dụng"
    return {
        FieldType.INTEGER: "whole",
        FieldType.DECIMAL: "decimal",
        FieldType.PERCENT: "decimal",
        FieldType.DATE: "date",
        FieldType.CHOICE: "list",
        FieldType.BOOL: "list",
        FieldType.TEXT: "textLength",
    }[f.type]


def _bounds(dv: DataValidation) -> tuple[float | None, float | None]:
    op = dv.operator or "between"
    one = float(dv.formula1) if dv.formula1 not in (None, "") else None
    if op == "between":
        return one, float(dv.formula2)
    return {"greaterThanOrEqual": (one, None), "lessThanOrEqual": (None, one)}[op]


@pytest.mark.parametrize("unit", [None, UNIT, OFFICE], ids=["blank", "xa", "co_quan"])
def test_every_typed_input_has_a_validation_of_its_kind(schema: Schema, unit: Any) -> None:
    wb = _load(render_template(schema, unit))
    missing, wrong = [], []
    for f in typed_inputs(schema):
        dv = validation_at(wb, f.id)
        if f.id in free_text(schema):
            continue
        if dv is None:
            missing.append(f.id)
            continue
        assert dv.errorStyle == "warning", f"{f.id}: a pasted value must never be blocked"
        if dv.type != expected_kind(f):
            wrong.append((f.id, dv.type, expected_kind(f)))
            continue
        if dv.type in ("whole", "decimal"):
            lo, hi = _bounds(dv)
            assert (lo, hi) == (f.min, f.max) or (f.min is None and lo == -1e15), f.id
        if dv.type == "custom":
            assert "ISNUMBER" in dv.formula1 and schema.not_applicable.lower() in dv.formula1
            for bound in (f.min, f.max):
                assert bound is None or f"{bound:g}" in dv.formula1, f.id
        if dv.type == "date":
            serial = (datetime.combine(schema.term_start, datetime.min.time()) - _EXCEL_EPOCH).days
            assert float(dv.formula1) == serial and dv.formula2 == "TODAY()", f.id
        if dv.type == "textLength":
            want = ("greaterThanOrEqual", schema.min_chars) if f.narrative else (
                "lessThanOrEqual", f.max_length)  # fmt: skip
            assert (dv.operator, int(dv.formula1)) == want, f.id
        title, message = dv.promptTitle or "", dv.prompt or ""
        assert len(title) <= TITLE_LIMIT and len(dv.errorTitle or "") <= TITLE_LIMIT
        if title != f.label:  # cut on a word boundary, the full label in the message
            assert title.endswith("…") and f.label.startswith(title[:-1]), (f.id, title)
            assert not f.label[len(title) - 1].isalnum(), (f.id, title)
            assert message.startswith(f.label), f.id
        assert f.label in (dv.error or ""), f.id
    assert not missing and not wrong, (missing, wrong)
    # The table body: the cause is a list, the deadline a date within its bound.
    sheet, ref = _where(wb, "hc_bang")
    kinds = {dv.type or "any" for dv in wb[sheet].data_validations.dataValidation if ref[:1] <= ref}
    assert {"list", "date", "any"} <= kinds
    thoi_han = next(dv for dv in wb[sheet].data_validations.dataValidation if dv.type == "date")
    assert thoi_han.operator == "lessThanOrEqual" and thoi_han.errorStyle == "warning"


def test_free_text_inputs_are_listed(schema: Schema) -> None:
    """The text inputs with no rule at all: the indicators' notes, nothing else."""
    assert {i.split("_")[-1] for i in free_text(schema)} == {"chu"}  # ct_*_ghi_chu


def test_titles_were_cut_mid_word_and_are_not_anymore(schema: Schema) -> None:
    wb = _load(render_template(schema))
    dv = validation_at(wb, "ct_tang_truong_kq")
    assert dv is not None and dv.promptTitle == "Tốc độ tăng giá trị sản xuất…"
    assert dv.prompt.startswith("Tốc độ tăng giá trị sản xuất bình quân — Kết quả.")


# ------------------------------------------------------------------------ the rules agree
def _serial(value: date | datetime) -> float:
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    return (value - _EXCEL_EPOCH).total_seconds() / 86400


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _operand(text: str, today: date) -> float:
    return _serial(today) if text.upper() == "TODAY()" else float(text)


def _compare(x: float, dv: DataValidation, today: date) -> bool:
    op = dv.operator or "between"
    a = _operand(dv.formula1, today)
    if op == "between":
        return a <= x <= _operand(dv.formula2, today)
    return {
        "greaterThanOrEqual": x >= a,
        "lessThanOrEqual": x <= a,
        "greaterThan": x > a,
        "lessThan": x < a,
        "equal": x == a,
    }[op]


_CUSTOM = re.compile(r'^OR\(LOWER\(TRIM\(([A-Z]+\d+)\)\)="([^"]*)",AND\((.*)\)\)$')


def _custom(dv: DataValidation, value: Any) -> bool:
    """Evaluate the result cell's rule: 'not applicable', or a number within bounds."""
    m = _CUSTOM.match(dv.formula1.lstrip("="))
    assert m, f"a custom rule this test cannot read: {dv.formula1}"
    cell, na, parts = m.groups()
    if isinstance(value, str) and " ".join(value.split()).lower() == na:
        return True
    x = _number(value)
    for part in parts.split(","):
        if part == f"ISNUMBER({cell})":
            if x is None:
                return False
        elif part == f"{cell}=INT({cell})":
            assert x is not None
            if not x.is_integer():
                return False
        else:
            op, bound = re.fullmatch(rf"{cell}(>=|<=)(-?[\d.]+)", part).groups()  # type: ignore[union-attr]
            assert x is not None
            if not (x >= float(bound) if op == ">=" else x <= float(bound)):
                return False
    return True


def template_accepts(wb: openpyxl.Workbook, dv: DataValidation, value: Any, today: date) -> bool:
    """Would the spreadsheet accept ``value`` without its warning? Per the DataValidation."""
    if dv.type == "custom":
        return _custom(dv, value)
    if dv.type in ("whole", "decimal"):
        x = _number(value)
        if x is None or (dv.type == "whole" and not x.is_integer()):
            return False
        return _compare(x, dv, today)
    if dv.type == "date":
        if isinstance(value, date):
            return _compare(_serial(value), dv, today)
        x = _number(value)  # a number typed into a date cell is a date serial to a spreadsheet
        return x is not None and _compare(x, dv, today)
    if dv.type == "textLength":
        text = value if isinstance(value, str) else str(value)
        return _compare(len(text), dv, today)
    if dv.type == "list":
        sheet, ref = dv.formula1.replace("$", "").rsplit("!", 1)
        items = [c.value for row in wb[sheet.strip("'")][ref] for c in row]
        return value in items
    raise AssertionError(f"unknown validation type {dv.type}")


# The parser's single-field checks (cross-field codes are the red cells' business).
_SINGLE = {
    Code.FORMULA_ERROR, Code.NOT_A_NUMBER, Code.NOT_INTEGER, Code.AMBIGUOUS_NUMBER,
    Code.OUT_OF_RANGE, Code.NOT_A_DATE, Code.DATE_OUT_OF_RANGE, Code.NOT_A_BOOL,
    Code.INVALID_CHOICE, Code.PATTERN, Code.PLACEHOLDER, Code.TOO_SHORT, Code.TEXT_TOO_LONG,
}  # fmt: skip


# Rules a spreadsheet validation cannot express the way the parser checks them. Each gap says
# when it applies; a disagreement outside every gap fails the test.
KNOWN_GAPS: dict[str, Callable[[Field, Any, bool, bool], bool]] = {
    # The parser reads numbers a unit stored as text the Vietnamese way ("1.234,5"); a number
    # validation only accepts a stored number, so the template is stricter there.
    "number stored as text": lambda f, v, t, p: f.type.is_number and isinstance(v, str) and p,
    # Dates typed as text ("20/03/2023") are read by the parser, with a warning.
    "date stored as text": lambda f, v, t, p: f.type is FieldType.DATE and isinstance(v, str),
    # Excel has no regular expressions: phone and e-mail are checked for length only.
    "phone/e-mail pattern": lambda f, v, t, p: f.pattern is not None and t and not p,
    # Yes/no and choices: the parser also takes case and spacing variants, x, TRUE, 1.
    "choice variants": lambda f, v, t, p: f.type in (FieldType.CHOICE, FieldType.BOOL) and p,
    # A value the parser rejects before typing it (a date in a number cell reads as a date).
    "date in a number or text cell": lambda f, v, t, p: (
        isinstance(v, date) and f.type is not FieldType.DATE
    ),
    # The parser rounds a stored number to 9 decimals (binary noise such as 8.500000000000002);
    # a validation compares the stored number itself.
    "binary noise": lambda f, v, t, p: _number(v) is not None and _number(v) != round(v, 9),
    # A zero denominator is allowed alone but not beside a numerator: a red cell, not a
    # validation (the rule involves two cells).
    "zero denominator": lambda f, v, t, p: f.part == "mau_so" and _number(v) == 0,
    # Spaces around a text: the parser trims, LEN counts them.
    "surrounding spaces": lambda f, v, t, p: isinstance(v, str) and v != v.strip(),
    # A number in a text cell is its digits to LEN, a float's shortest form to the parser.
    "number in a text cell": lambda f, v, t, p: f.type is FieldType.TEXT and not isinstance(v, str),
}


@pytest.fixture(scope="module")
def filled(schema: Schema) -> tuple[RawReport, openpyxl.Workbook]:
    data = typed_workbook(schema, valid_values(schema), UNIT)
    return read_xlsx(data), _load(data)


def _parser_accepts(schema: Schema, raw: RawReport, f: Field, value: Any) -> bool:
    block = raw.blocks[f.id]
    blocks = dict(raw.blocks)
    blocks[f.id] = replace(block, cells=((Cell(value, ""),),))
    report = parse_report(
        schema, replace(raw, blocks=blocks), ParseContext(UNIT.code, UNIT.type, TODAY)
    )
    return not any(
        x.field == f.id and x.severity is Severity.ERROR and x.code in _SINGLE
        for x in report.findings
    )


def _values(f: Field) -> st.SearchStrategy[Any]:
    words = st.text(alphabet="aăbcdđ eêgoôơ0123456789,.-@", min_size=1, max_size=80)
    near = st.sampled_from([x for x in (f.min, f.max) if x is not None] or [0.0])
    return st.one_of(
        st.integers(-200, 100_000),
        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
        near.flatmap(lambda b: st.sampled_from([b - 1, b - 0.01, b, b + 0.01, b + 1])),
        st.dates(date(2015, 1, 1), date(2030, 12, 31)),
        words,
        st.sampled_from([*f.choices, "Không áp dụng", " không  áp dụng ", "Có", "có", "x"]),
        st.integers(1, 400).map(lambda n: ("Ban Chấp hành lãnh đạo " * 20)[:n].strip()),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@example(data=None)  # replaced below by the explicit examples
def test_template_verdict_agrees_with_parser(
    schema: Schema, filled: tuple[RawReport, openpyxl.Workbook], data: Any
) -> None:
    raw, wb = filled
    fields = [f for f in typed_inputs(schema) if f.id not in free_text(schema)]
    if data is None:
        cases = [
            (schema.field("tt_so_dang_vien"), 0),
            (schema.field("tt_so_dang_vien"), 1),
            (schema.field("ct_bhyt_kq"), 100.01),
            (schema.field("ct_bhyt_kq"), "Không áp dụng"),
            (schema.field("ct_tieu_chi_ntm_kq"), 18.5),
            (schema.field("tt_ngay_bao_cao"), TODAY + timedelta(days=1)),
            (schema.field("tt_ngay_bao_cao"), date(2020, 9, 30)),
            (schema.field("kd_bai_hoc"), "x" * (schema.min_chars - 1)),
            (schema.field("kd_bai_hoc"), "đang cập nhật"),
            (schema.field("tt_nguoi_bao_cao"), "A" * 101),
        ]
    else:
        f = data.draw(st.sampled_from(fields))
        cases = [(f, data.draw(_values(f)))]
    for f, value in cases:
        dv = validation_at(wb, f.id)
        assert dv is not None, f.id
        t = template_accepts(wb, dv, value, TODAY)
        p = _parser_accepts(schema, raw, f, value)
        if t != p:
            gaps = [name for name, applies in KNOWN_GAPS.items() if applies(f, value, t, p)]
            assert gaps, (
                f"{f.id} = {value!r}: template {'accepts' if t else 'flags'}, parser {'accepts' if p else 'rejects'}"
            )


def test_parser_checks_the_schema_max_length(schema: Schema) -> None:
    values = valid_values(schema)
    values["tt_nguoi_bao_cao"] = "Nguyễn " * 20
    report = parse_values(schema, values)
    hits = [x for x in report.findings if x.field == "tt_nguoi_bao_cao"]
    assert [(x.code, x.severity) for x in hits] == [(Code.TEXT_TOO_LONG, Severity.ERROR)]
    assert "tối đa 100 ký tự" in hits[0].message


# ------------------------------------------------------------------------ red cells
def _formulas(wb: openpyxl.Workbook, name: str) -> list[str]:
    sheet, ref = _where(wb, name)
    out = []
    for rng in wb[sheet].conditional_formatting:
        if ref in rng.sqref:
            out += [f for rule in rng.rules for f in rule.formula]
    return out


def test_cross_field_rules_are_red_cells(schema: Schema) -> None:
    wb = _load(render_template(schema))
    tu = _formulas(wb, "ct_bhyt_tu_so")
    assert any(">" in f and "ISNUMBER" in f for f in tu)
    kq = _formulas(wb, "ct_bhyt_kq")
    assert any("ABS(100*" in f and f"{schema.rate_tolerance:g}" in f for f in kq)
    for rule in schema.rules:
        left = _formulas(wb, rule.left)
        assert any(f.startswith("IF(COUNT(") and "SUM(" in f for f in left), rule.id
    # A rule across tabs refers to the other tab's cell through INDIRECT of its defined name
    # (Google drops a conditional format that names another tab or a name directly).
    cross = [f for f in _formulas(wb, "ks_kl_dang_vien") if "tt_so_dang_vien" in f]
    assert cross and "!" not in cross[0] and 'INDIRECT("tt_so_dang_vien")' in cross[0]
    # Required cells after sign-off, on every tab; the cause column of the table.
    for fid in ("tt_so_dang_vien", "kd_bai_hoc", "ks_kt_to_chuc", "ct_bhyt_nq"):
        assert any('="có"' in f and "=TRUE" in f for f in _formulas(wb, fid)), fid
    sheet, _ref = _where(wb, "hc_bang")
    table_rules = [f for r in wb[sheet].conditional_formatting for x in r.rules for f in x.formula]
    assert any("COUNTIF(" in f and '"Chủ quan"' in f for f in table_rules)
    # Nothing a unit types is in a formula: every literal is a schema label or number.
    literals = {
        lit
        for ws in wb.worksheets
        for r in ws.conditional_formatting
        for x in r.rules
        for f in x.formula
        for lit in re.findall(r'"([^"]*)"', f)
    }
    allowed = {*schema.choices["xac_nhan"], *schema.unit_types.values(), *schema.note_when_forecast,
               schema.not_applicable.lower(), *schema.choices["loai_nguyen_nhan"],
               *TRUE_WORDS, "có"}  # fmt: skip
    # The INDIRECT("name") arguments are the schema's own field ids.
    assert literals <= allowed | {f.id for f in schema.fields}


def test_prefilled_copy_has_no_red_cells_for_indicators_that_do_not_apply(schema: Schema) -> None:
    wb = _load(render_template(schema, OFFICE))
    assert _formulas(wb, "ct_thu_nhap_nq") == []
    assert _formulas(wb, "ct_ket_nap_dang_vien_nq")  # applies to every type


# ------------------------------------------------------------------------ progress line
def test_progress_line_and_its_names(schema: Schema) -> None:
    wb = _load(render_template(schema))
    assert set(OWN_NAMES) <= set(wb.defined_names)
    assert all(is_own_name(n) and not schema.has_field(n) for n in OWN_NAMES)
    sheet, ref = _where(wb, "_tien_do")
    assert sheet == schema.tabs[0].title
    formula = wb[sheet][ref].value
    assert formula.startswith('="Đã nhập "&_da_nhap&"/"&_can_nhap&" mục bắt buộc (chỉ đếm ô')
    assert "tt_xac_nhan" in formula
    # Signed off is not accepted: the line says the district's check decides.
    assert "Huyện ủy kiểm tra lại khi tổng hợp" in formula


def test_own_formula_cells_are_neither_inputs_nor_findings(schema: Schema) -> None:
    """A valid report checks clean: the template's formulas give no value and no finding."""
    data = typed_workbook(schema, valid_values(schema), UNIT)
    for engine in ("openpyxl", "auto"):
        raw = read_xlsx(data, engine=engine)
        assert not [n for n in raw.blocks if is_own_name(n)]
        report = parse_report(schema, raw, ParseContext(UNIT.code, UNIT.type, TODAY))
        assert report.findings == [] and report.completeness == 1.0
        assert not [k for k in report.values if is_own_name(k)]


def test_a_units_formula_in_an_input_is_still_reported(schema: Schema) -> None:
    """Beside the template's own formulas, a unit's formula (saved without its result by a
    program) still sends the file to the reader that sees formulas, and is reported."""
    wb = _load(typed_workbook(schema, valid_values(schema), UNIT))
    sheet, ref = _where(wb, "tt_so_chi_bo")
    wb[sheet][ref] = "=2+3"
    out = io.BytesIO()
    wb.save(out)
    raw = read_xlsx(out.getvalue())
    report = parse_report(schema, raw, ParseContext(UNIT.code, UNIT.type, TODAY))
    hits = [x for x in report.findings if x.field == "tt_so_chi_bo"]
    assert [x.code for x in hits] == [Code.FORMULA_ERROR] and "=2+3" in hits[0].message
    assert [x.field for x in report.findings] == ["tt_so_chi_bo"]


# ------------------------------------------------------------------------ page setup
@pytest.mark.parametrize("unit", [None, UNIT], ids=["blank", "prefilled"])
def test_every_sheet_prints_on_a4_one_page_wide(schema: Schema, unit: Any) -> None:
    wb = _load(render_template(schema, unit))
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
        assert ws.print_area, ws.title
        last = ws.print_area.split(":")[-1].replace("$", "")
        assert openpyxl.utils.cell.coordinate_to_tuple(last)[0] >= ws.max_row, ws.title
        for row, dim in ws.row_dimensions.items():
            assert dim.height is None or dim.height <= 409, (ws.title, row)
        if ws.title != "Hướng dẫn":
            assert ws.print_title_rows == "$4:$4", ws.title
    guide = wb["Hướng dẫn"]
    assert guide.column_dimensions["A"].width <= 75  # an A4 page in portrait
    for row in range(1, guide.max_row + 1):
        text = guide.cell(row, 1).value or ""
        height = guide.row_dimensions[row].height or 15
        assert height >= 15 * -(-len(text) // 75), (row, text[:40])


def test_guide_explains_red_cells_triangles_and_progress(schema: Schema) -> None:
    wb = _load(render_template(schema))
    text = "\n".join(str(c.value or "") for c in wb["Hướng dẫn"]["A"])
    assert "tam giác" in text and "màu đỏ" in text and "Đã nhập x/y" in text
    assert "tử số lớn hơn mẫu số" in text
    for rule in schema.rules:
        assert schema.field(rule.left).label in text
