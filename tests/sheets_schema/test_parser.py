"""One test per finding code, each on a real .xlsx file typed the way a unit would."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import date
from typing import Any

import openpyxl
import pytest

from jobs.demo.fill import PERCENT_FORMAT
from sheets_schema import Cell, Code, ParseContext, Schema, Severity, parse_report, render_template
from sync.excel import read_xlsx
from tests.helpers import NARRATIVE, TODAY, parse_values, typed_workbook, valid_values


@pytest.fixture(scope="module")
def cells(schema: Schema) -> dict[str, str]:
    """Each defined name's first cell, read independently of our reader with openpyxl."""
    wb = openpyxl.load_workbook(io.BytesIO(render_template(schema)))
    out = {}
    for name, dn in wb.defined_names.items():
        ((_, ref),) = list(dn.destinations)
        out[name] = ref.replace("$", "").split(":")[0]
    return out


def test_valid_report_has_no_findings(schema: Schema) -> None:
    report = parse_values(schema, valid_values(schema))
    assert report.findings == []
    assert report.completeness == 1.0
    assert report.confirmed and report.submitted
    assert report.values["tt_so_dang_vien"] == 412
    assert report.values["tt_ngay_bao_cao"] == date(2023, 3, 15)
    assert report.values["hc_bang"][0]["loai_nguyen_nhan"] == "Chủ quan"


def findings_for(schema: Schema, changes: dict[str, Any], **kw: Any) -> list[Any]:
    values = valid_values(schema)
    values.update(changes)
    return parse_values(schema, values, **kw).findings


CASES = [
    # (changes, code, severity, field, words in the message)
    ({"tt_so_dang_vien": None}, Code.REQUIRED, Severity.ERROR, "tt_so_dang_vien", "chưa nhập"),
    ({"tt_so_dang_vien": "#REF!"}, Code.FORMULA_ERROR, Severity.ERROR, "tt_so_dang_vien", "#REF!"),
    (
        {"tt_so_dang_vien": "chưa thống kê"},
        Code.NOT_A_NUMBER,
        Severity.ERROR,
        "tt_so_dang_vien",
        "không phải là số",
    ),
    ({"tt_so_dang_vien": 12.5}, Code.NOT_INTEGER, Severity.ERROR, "tt_so_dang_vien", "số nguyên"),
    (
        {"tt_so_dang_vien": "1,235"},
        Code.AMBIGUOUS_NUMBER,
        Severity.WARNING,
        "tt_so_dang_vien",
        "1.235",
    ),
    (
        {"ct_bhyt_nq": "95,000"},
        Code.AMBIGUOUS_NUMBER,
        Severity.WARNING,
        "ct_bhyt_nq",
        "95 (dấu phẩy thập phân)",
    ),
    ({"tt_so_dang_vien": 0}, Code.OUT_OF_RANGE, Severity.ERROR, "tt_so_dang_vien", "từ 1 trở lên"),
    (
        {"tt_ngay_bao_cao": "hôm qua"},
        Code.NOT_A_DATE,
        Severity.ERROR,
        "tt_ngay_bao_cao",
        "ngày/tháng/năm",
    ),
    (
        {"tt_ngay_bao_cao": "15/03/2023"},
        Code.TEXT_DATE,
        Severity.WARNING,
        "tt_ngay_bao_cao",
        "15/03/2023",
    ),
    (
        {"tt_ngay_bao_cao": date(2023, 5, 3)},
        Code.DATE_OUT_OF_RANGE,
        Severity.ERROR,
        "tt_ngay_bao_cao",
        "sau hôm nay",
    ),
    (
        {"tt_ngay_bao_cao": date(2019, 5, 3)},
        Code.DATE_OUT_OF_RANGE,
        Severity.ERROR,
        "tt_ngay_bao_cao",
        "trước",
    ),
    ({"tt_email": "a@b"}, Code.PATTERN, Severity.ERROR, "tt_email", "ten@donvi.vn"),
    ({"tt_xac_nhan": "chắc vậy"}, Code.NOT_A_BOOL, Severity.ERROR, "tt_xac_nhan", "Có hoặc Không"),
    ({"tt_loai_hinh": "Xã"}, Code.INVALID_CHOICE, Severity.ERROR, "tt_loai_hinh", "Đảng bộ xã"),
    ({"tt_dien_thoai": "12345"}, Code.PATTERN, Severity.WARNING, "tt_dien_thoai", "10 chữ số"),
    (
        {"tt_dien_thoai": 2913851896},
        Code.LEADING_ZERO_LOST,
        Severity.WARNING,
        "tt_dien_thoai",
        "02913851896",
    ),
    (
        {"tt_dien_thoai": 912345678},
        Code.LEADING_ZERO_LOST,
        Severity.WARNING,
        "tt_dien_thoai",
        "0912345678",
    ),
    (
        {"kd_doan_ket_noi_bo": "đang cập nhật"},
        Code.PLACEHOLDER,
        Severity.ERROR,
        "kd_doan_ket_noi_bo",
        "nội dung thật",
    ),
    (
        {"kd_doan_ket_noi_bo": "Đoàn kết tốt."},
        Code.TOO_SHORT,
        Severity.ERROR,
        "kd_doan_ket_noi_bo",
        "50 ký tự",
    ),
    (
        {"tt_ma_don_vi": "XA_KHAC"},
        Code.UNIT_CODE_MISMATCH,
        Severity.ERROR,
        "tt_ma_don_vi",
        "XA_VINH_HUNG",
    ),
    (
        {"tt_loai_hinh": "Cơ quan"},
        Code.UNIT_TYPE_MISMATCH,
        Severity.WARNING,
        "tt_loai_hinh",
        "Đảng bộ xã",
    ),
    ({"tt_phien_ban": "2021.0"}, Code.WRONG_VERSION, Severity.WARNING, "tt_phien_ban", "2023.3"),
    ({"tt_phien_ban": "2023.1"}, Code.WRONG_VERSION, Severity.WARNING, "tt_phien_ban", "mẫu cũ"),
    ({"ks_kl_dang_vien": 5}, Code.RULE_VIOLATION, Severity.ERROR, "ks_kl_dang_vien", "phải bằng"),
    (
        {"ks_to_cao_giai_quyet": 2},
        Code.RULE_VIOLATION,
        Severity.ERROR,
        "ks_to_cao_giai_quyet",
        "không được lớn hơn",
    ),
    (
        {"ct_bhyt_tu_so": 1200},
        Code.RATE_NUMERATOR_EXCEEDS,
        Severity.ERROR,
        "ct_bhyt_tu_so",
        "lớn hơn mẫu số",
    ),
    ({"ct_bhyt_kq": 90}, Code.RATE_MISMATCH, Severity.ERROR, "ct_bhyt_kq", "96%"),
    ({"ct_thu_nhap_kq": 5}, Code.NOTE_REQUIRED, Severity.ERROR, "ct_thu_nhap_ghi_chu", "Chưa đạt"),
    (
        {"ct_thu_nhap_du_bao": "Khó đạt"},
        Code.NOTE_REQUIRED,
        Severity.ERROR,
        "ct_thu_nhap_ghi_chu",
        "Khó đạt",
    ),
]


@pytest.mark.parametrize(
    ("changes", "code", "severity", "field", "words"),
    CASES,
    ids=[c[1].value + "-" + c[3] for c in CASES],
)
def test_each_finding_code(schema, cells, changes, code, severity, field, words) -> None:  # type: ignore[no-untyped-def]
    findings = findings_for(schema, changes)
    hits = [f for f in findings if f.code is code and f.field == field]
    assert hits, f"expected {code} on {field}, got {[(f.code.value, f.field) for f in findings]}"
    hit = hits[0]
    assert hit.severity is severity
    assert hit.cell == cells[field]
    assert hit.tab == schema.field(field).tab
    assert words in hit.message
    # Messages are Vietnamese and name the field.
    assert schema.field(field).label.split(" — ")[0][:10] in hit.message or field.startswith("ct_")


# Errors on items the unit fills (the unit's type and code are prefilled, the sign-off is a
# signal of its own and the e-mail is optional: none is an item of completeness).
ERRORS = [
    c
    for c in CASES
    if c[2] is Severity.ERROR
    and c[3] not in ("tt_loai_hinh", "tt_ma_don_vi", "tt_xac_nhan", "tt_email")
]


@pytest.mark.parametrize(
    ("changes", "field"),
    [(c[0], c[3]) for c in ERRORS],
    ids=[c[1].value + "-" + c[3] for c in ERRORS],
)
def test_an_error_leaves_the_report_incomplete(schema: Schema, changes: dict[str, Any],
                                               field: str) -> None:  # fmt: skip
    """Complete means every required item filled with a valid value: an item an error refutes
    (a rate whose result does not match its numerator and denominator too) is not complete."""
    values = valid_values(schema)
    values.update(changes)
    report = parse_values(schema, values)
    assert report.errors and report.completeness < 1, field


def test_a_rate_that_does_not_match_its_parts_is_not_complete(schema: Schema) -> None:
    """98% where tử số/mẫu số give 96%: above the target, so no note is asked for; the one
    error is the mismatch, and it alone keeps the report from 100%."""
    values = valid_values(schema)
    values["ct_bhyt_kq"] = 98
    report = parse_values(schema, values)
    assert [f.code for f in report.findings if f.severity is Severity.ERROR] == [Code.RATE_MISMATCH]
    assert report.completeness < 1


def test_not_applicable_value_warns(schema: Schema, cells: dict[str, str]) -> None:
    values = valid_values(schema, "co_quan", "CQ_X")
    values["ct_thu_nhap_kq"] = 50
    report = parse_values(schema, values, unit_code="CQ_X", unit_type="co_quan")
    (hit,) = [f for f in report.findings if f.code is Code.NOT_APPLICABLE_VALUE]
    assert hit.severity is Severity.WARNING and hit.cell == cells["ct_thu_nhap_kq"]
    assert "không áp dụng" in hit.message
    assert report.values["ct_thu_nhap_kq"] is None
    assert report.errors == 0


def test_table_rules(schema: Schema, cells: dict[str, str]) -> None:
    incomplete = [{"han_che": "Chưa kịp thời.", "loai_nguyen_nhan": "Chủ quan", "nguyen_nhan": None,
                   "giai_phap": "Khắc phục.", "chiu_trach_nhiem": None, "thoi_han": None}]  # fmt: skip
    findings = findings_for(schema, {"hc_bang": incomplete})
    row = [f for f in findings if f.code is Code.ROW_INCOMPLETE]
    assert row and row[0].cell == "D5" and "Nguyên nhân" in row[0].message
    assert any(f.code is Code.TABLE_EMPTY for f in findings)

    objective = [{"han_che": "Thiên tai.", "loai_nguyen_nhan": "Khách quan", "nguyen_nhan": "Hạn mặn.",
                  "giai_phap": "Chủ động.", "chiu_trach_nhiem": None, "thoi_han": None}]  # fmt: skip
    (hit,) = [
        f
        for f in findings_for(schema, {"hc_bang": objective})
        if f.code is Code.NO_SUBJECTIVE_CAUSE
    ]
    assert hit.cell == cells["hc_bang"] and "Chủ quan" in hit.message
    assert findings_for(schema, {"hc_bang": []})[0].code is Code.TABLE_EMPTY

    late = [{**objective[0], "loai_nguyen_nhan": "Chủ quan", "thoi_han": date(2026, 1, 1)}]
    (hit,) = [
        f for f in findings_for(schema, {"hc_bang": late}) if f.code is Code.DATE_OUT_OF_RANGE
    ]
    assert hit.cell == "G5" and "31/12/2025" in hit.message


def test_not_the_template(schema: Schema) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Báo cáo"
    out = io.BytesIO()
    wb.save(out)
    report = parse_report(schema, read_xlsx(out.getvalue()), ParseContext())
    assert not report.is_template
    tabs = [f.tab for f in report.findings if f.code is Code.MISSING_TAB]
    assert tabs == [t.title for t in schema.tabs]
    assert report.completeness == 0.0 and report.errors == len(tabs) + 1
    (summary,) = [f for f in report.findings if f.code is Code.MISSING_NAME]
    assert f"thiếu {len(schema.names)}/{len(schema.names)} ô" in summary.message
    assert "“Mã đơn vị”" in summary.message and "tt_ma_don_vi" not in summary.message


def test_deleted_tab_breaks_names(schema: Schema) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(typed_workbook(schema, valid_values(schema))))
    del wb["Kiểm tra giám sát"]
    out = io.BytesIO()
    wb.save(out)
    report = parse_report(schema, read_xlsx(out.getvalue()), ParseContext("XA_VINH_HUNG", "xa"))
    assert any(f.code is Code.MISSING_TAB and f.tab == "Kiểm tra giám sát" for f in report.findings)
    broken = [f for f in report.findings if f.code is Code.BROKEN_NAME]
    assert {f.field for f in broken} == {f.id for f in schema.fields if f.id.startswith("ks_")}
    assert report.is_template and report.errors > 0 and report.completeness < 1


def test_vietnamese_typing_is_understood(schema: Schema) -> None:
    values = valid_values(schema)
    values.update(
        ct_thu_ngan_sach_kq="1.234,5",  # number typed as text, Vietnamese style
        ct_thu_ngan_sach_nq=" 1.000 ",
        ct_bhyt_kq="96%",  # percent sign typed into a text cell
        ct_tang_truong_kq=(PERCENT_FORMAT, 0.085),  # "8,5%" typed: 0.085 with a percent format
        ct_tang_truong_nq="8,5",
        tt_loai_hinh=unicodedata.normalize("NFD", "đảng bộ XÃ"),
        tt_xac_nhan="x",
    )
    report = parse_values(schema, values)
    assert report.errors == 0, report.findings
    assert report.values["ct_thu_ngan_sach_kq"] == 1234.5
    assert report.values["ct_thu_ngan_sach_nq"] == 1000
    assert report.values["ct_bhyt_kq"] == 96.0
    assert report.values["ct_tang_truong_kq"] == 8.5
    assert report.indicators["tang_truong"].assessment == "Đạt"
    assert report.values["tt_loai_hinh"] == "Đảng bộ xã"
    assert report.confirmed


def test_not_applicable_answer_needs_a_note(schema: Schema) -> None:
    values = valid_values(schema)
    values.update(ct_giao_quan_kq="Không áp dụng", ct_giao_quan_nq=None, ct_giao_quan_tu_so=None,
                  ct_giao_quan_mau_so=None, ct_giao_quan_du_bao=None)  # fmt: skip
    report = parse_values(schema, values)
    assert [f.field for f in report.findings] == ["ct_giao_quan_ghi_chu"]
    values["ct_giao_quan_ghi_chu"] = "Năm nay không được giao chỉ tiêu."
    report = parse_values(schema, values)
    assert report.errors == 0 and report.indicators["giao_quan"].not_applicable
    assert report.values["ct_giao_quan_kq"] == "Không áp dụng"


def test_assessment_and_lower_is_better(schema: Schema) -> None:
    values = valid_values(schema)
    values.update(
        ct_ho_ngheo_nq=2.0, ct_ho_ngheo_tu_so=15, ct_ho_ngheo_mau_so=1000, ct_ho_ngheo_kq=1.5
    )
    report = parse_values(schema, values)
    ind = report.indicators["ho_ngheo"]
    assert ind.ratio == pytest.approx(2.0 / 1.5, rel=1e-5) and ind.assessment == "Vượt"
    values.update(ct_ho_ngheo_kq=2.5, ct_ho_ngheo_tu_so=25, ct_ho_ngheo_ghi_chu="Do dịch bệnh.")
    ind = parse_values(schema, values).indicators["ho_ngheo"]
    assert ind.assessment == "Chưa đạt" and ind.ratio == pytest.approx(0.8)


def test_sign_off_is_not_counted_and_errors_block_submission(schema: Schema) -> None:
    values = valid_values(schema)
    values["tt_xac_nhan"] = None
    report = parse_values(schema, values)
    assert report.completeness == 1.0 and not report.confirmed and not report.submitted
    values.update(tt_xac_nhan="Có", kd_bai_hoc=".")
    report = parse_values(schema, values)
    assert report.confirmed and not report.submitted and report.completeness < 1


def test_blank_template_has_an_error_per_required_field(schema: Schema) -> None:
    report = parse_report(schema, read_xlsx(render_template(schema)), ParseContext())
    assert report.completeness == 0.0
    required = {
        f.id for f in schema.fields if f.required and not f.sign_off and f.prefill != "version"
    }
    flagged = {f.field for f in report.findings if f.code is Code.REQUIRED}
    assert required <= flagged
    assert NARRATIVE  # the helper narrative is long enough to count


def test_text_over_excel_limit_warns(schema: Schema, cells: dict[str, str]) -> None:
    # Excel files cannot hold more than 32,767 characters in a cell, but a Google Sheet can
    # (50,000): build the parser's input as the Google source would hand it over.
    raw = read_xlsx(typed_workbook(schema, valid_values(schema)))
    long_text = "Đoàn kết, thống nhất cao trong Ban Chấp hành. " * 900
    block = raw.blocks["kd_doan_ket_noi_bo"]
    blocks = dict(raw.blocks)
    blocks[block.name] = replace(block, cells=((Cell(long_text),),))
    report = parse_report(
        schema, replace(raw, blocks=blocks), ParseContext("XA_VINH_HUNG", "xa", TODAY)
    )
    (hit,) = report.findings
    assert hit.code is Code.TEXT_TOO_LONG and hit.severity is Severity.WARNING
    assert hit.cell == cells["kd_doan_ket_noi_bo"] and "32.767" in hit.message
    assert report.values["kd_doan_ket_noi_bo"] == long_text.strip()  # nothing lost in the values


@pytest.mark.parametrize(
    "phone",
    ["0912 345 678", "0912.345.678", "0912-345-678", "0291 3 851 896", "02913851896",
     "(0291) 3851 896", "+84 912 345 678", "84 291 3851 896", "0386 123 456"],
)  # fmt: skip
def test_mobiles_and_landlines_are_accepted(schema, phone: str) -> None:  # type: ignore[no-untyped-def]
    findings = findings_for(schema, {"tt_dien_thoai": phone})
    assert not [f for f in findings if f.field == "tt_dien_thoai"], phone


@pytest.mark.parametrize("phone", ["12345", "0912 345 67", "0291 385 18 96 1", "máy lẻ 12"])
def test_a_phone_that_fits_neither_is_a_warning_and_kept(schema, phone: str) -> None:  # type: ignore[no-untyped-def]
    report = parse_values(schema, {**valid_values(schema), "tt_dien_thoai": phone})
    hits = [f for f in report.findings if f.field == "tt_dien_thoai"]
    assert [f.severity for f in hits] == [Severity.WARNING]
    assert report.values["tt_dien_thoai"] == phone and report.errors == 0


@pytest.mark.parametrize("email", ["a.b+tag@ủyban.vn", "phong.to-chuc@bac-lieu.gov.vn"])
def test_no_email_makes_a_correct_report_an_error(schema, email: str) -> None:  # type: ignore[no-untyped-def]
    assert parse_values(schema, {**valid_values(schema), "tt_email": email}).errors == 0


def test_giao_quan_over_its_quota_is_an_error(schema) -> None:  # type: ignore[no-untyped-def]
    # The template's rule for every rate indicator: tu_so ≤ mau_so (template-spec.md).
    report = parse_values(schema, {**valid_values(schema), "ct_giao_quan_tu_so": 42,
                                   "ct_giao_quan_mau_so": 40, "ct_giao_quan_kq": 105.0})  # fmt: skip
    codes = [f.code for f in report.findings if f.field.startswith("ct_giao_quan") and f.is_error]
    assert Code.RATE_NUMERATOR_EXCEEDS in codes and Code.OUT_OF_RANGE in codes  # kq 105 > 100


def test_a_breakdown_rows_message_names_it_without_its_dash(schema: Schema) -> None:
    """ "— Khiển trách" is a row under "Đảng viên bị thi hành kỷ luật": alone at the start of a
    message (the reminder's "ô C15: …") it reads "Khiển trách"."""
    values = valid_values(schema)
    values["ks_kl_khien_trach"] = None
    report = parse_values(schema, values)
    (hit,) = [f for f in report.findings if f.field == "ks_kl_khien_trach" and f.is_error]
    assert hit.message.startswith("Khiển trách: chưa nhập"), hit.message
