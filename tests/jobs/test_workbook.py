"""The consolidated workbook and the status table, read back from real .xlsx files.

Unit reports are real: the template is rendered, typed into with openpyxl, read by the Excel
source and parsed, exactly as a sync would see them.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from random import Random
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from jobs.demo.content import DemoUnit, valid_report
from jobs.model import HistoryPoint, RunInfo, Status, Unit, UnitOutcome
from jobs.outputs.cells import CUT_NOTE
from jobs.outputs.status_table import HEADER, status_table
from jobs.outputs.words import fmt_percent
from jobs.outputs.workbook import SHEET_NAMES, write_workbook
from sheets_schema import (
    Code,
    ParseContext,
    ParsedReport,
    Schema,
    Severity,
    load_schema,
    parse_report,
    render_template,
)
from sheets_schema.values import fmt_number
from sync.excel import read_xlsx

VN = timezone(timedelta(hours=7))
AS_OF = datetime(2023, 3, 25, 9, 0, tzinfo=VN)
DEADLINE_AT = datetime(2023, 3, 23, 0, 0, tzinfo=VN)
LONG_TEXT = ("Đảng bộ đã lãnh đạo thực hiện đạt và vượt nhiều chỉ tiêu. " * 800)[:40_000]
TRICKY = ['=HYPERLINK("http://x")', "+84 912", "1.234,5", "=1+1", "@x http://example.vn"]
GOOGLE = "https://docs.google.com/spreadsheets/d/KEY_abc-123/edit"


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def _type_into(template: bytes, values: dict[str, Any], schema: Schema) -> bytes:
    """Type ``values`` into the template's named cells, as a unit would."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    for name, value in values.items():
        ((sheet, ref),) = list(wb.defined_names[name].destinations)
        col, row, _, _ = range_boundaries(ref.replace("$", ""))
        if isinstance(value, list):
            columns = [c.id for c in schema.tables[0].columns]
            for r, line in enumerate(value):
                for c, column in enumerate(columns):
                    _put(wb[sheet].cell(row + r, col + c), line.get(column))
        else:
            _put(wb[sheet].cell(row, col), value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _put(cell: Any, value: Any) -> None:
    cell.value = ("Có" if value else "Không") if isinstance(value, bool) else value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # typed as text (a leading apostrophe), not a formula


def _report(schema: Schema, unit: Unit, values: dict[str, Any], folder: Path) -> ParsedReport:
    data = _type_into(render_template(schema), values, schema)
    (folder / f"{unit.code}.xlsx").write_bytes(data)
    ctx = ParseContext(unit_code=unit.code, unit_type=unit.type, today=AS_OF.date())
    return parse_report(schema, read_xlsx(data), ctx)


def _values(unit: Unit, seed: int, tu: int, mau: int) -> dict[str, Any]:
    values = valid_report(DemoUnit(unit.code, unit.name, unit.type, "x@example.vn"), Random(seed))
    if unit.type in ("xa", "thi_tran"):
        values.update(ct_bhyt_tu_so=tu, ct_bhyt_mau_so=mau, ct_bhyt_kq=round(100 * tu / mau, 2))
        note = None if 100 * tu / mau >= 80 else "Một bộ phận người dân chưa tham gia BHYT."
        values.update(ct_bhyt_nq=80.0, ct_bhyt_du_bao="Đạt", ct_bhyt_ghi_chu=note)
    return values


UNITS = [
    Unit("XA_VINH_HUNG", "Đảng bộ xã Vĩnh Hưng", "xa", "XA_VINH_HUNG.xlsx"),
    Unit("TT_CHAU_HUNG", "Đảng bộ thị trấn Châu Hưng", "thi_tran", "TT_CHAU_HUNG.xlsx"),
    Unit("XA_HUNG_HOI", "Đảng bộ xã Hưng Hội", "xa", "XA_HUNG_HOI.xlsx"),
    Unit("CQ_VP_HUYEN_UY", "Chi bộ Văn phòng Huyện ủy", "co_quan"),
    Unit("DN_DIEN_LUC", "Chi bộ Điện lực Vĩnh Lợi", "doanh_nghiep", "DN_DIEN_LUC.xlsx"),
]


@pytest.fixture(scope="module")
def outcomes(schema: Schema, tmp_path_factory: pytest.TempPathFactory) -> list[UnitOutcome]:
    """Five units: on time (tricky text), late (40,000 characters), in progress with errors,
    unreachable on Google with its last good data, and not started."""
    sheets = tmp_path_factory.mktemp("district") / "sheets"
    sheets.mkdir()
    xa, tt, in_progress, google, absent = UNITS

    tricky = _values(xa, 1, 900, 1000)
    tricky["ct_bhyt_ghi_chu"] = TRICKY[0]
    # Just over target: a ratio of 1.0002, which one decimal would print as 100,0%.
    tricky.update(ct_thu_nhap_nq=100.0, ct_thu_nhap_kq=100.02, ct_thu_nhap_du_bao="Vượt")
    # One decimal, shown as typed: 8,5, not 8,50.
    tricky.update(ct_tang_truong_nq=8.5, ct_tang_truong_kq=9.25, ct_tang_truong_du_bao="Vượt")
    rows = tricky["hc_bang"]
    assert isinstance(rows, list)
    rows[0].update(han_che=TRICKY[3], nguyen_nhan=TRICKY[4], chiu_trach_nhiem=TRICKY[1])
    rows[1].update(giai_phap=TRICKY[2])

    long_report = _report(schema, tt, _values(tt, 2, 50, 100), sheets)
    # A Google cell holds up to 50,000 characters, an .xlsx cell 32,767 (openpyxl cuts on save):
    # put the long text where a Google read would.
    long_report.values["kd_bai_hoc"] = LONG_TEXT

    wrong = _values(in_progress, 3, 1, 1000)
    wrong["tt_dien_thoai"] = TRICKY[1]
    wrong["tt_xac_nhan"] = False

    old = _values(google, 4, 0, 1)
    old["tt_dien_thoai"] = "0912.345.67"
    old_report = _report(schema, google, old, sheets)
    old_report.sheet_ids = {"Thông tin": 42, "Chỉ tiêu": 43}

    def local(unit: Unit) -> str:
        return str(sheets / unit.sheet)

    submitted = datetime(2023, 3, 20, 3, 0, tzinfo=UTC)
    return [
        UnitOutcome(
            xa,
            Status.ON_TIME,
            DEADLINE_AT,
            _report(schema, xa, tricky, sheets),
            submitted_at=submitted,
            modified_at=submitted + timedelta(days=1),
            amended_after_submit=True,
            link=local(xa),
            data_as_of=AS_OF,
        ),
        UnitOutcome(
            tt,
            Status.LATE,
            DEADLINE_AT + timedelta(days=2),
            long_report,
            submitted_at=datetime(2023, 3, 24, 2, 0, tzinfo=UTC),
            modified_at=datetime(2023, 3, 24, 2, 0, tzinfo=UTC),
            link=local(tt),
            data_as_of=AS_OF,
        ),
        UnitOutcome(
            in_progress,
            Status.IN_PROGRESS,
            DEADLINE_AT,
            _report(schema, in_progress, wrong, sheets),
            link=local(in_progress),
            message="Còn thiếu: xác nhận hoàn thành.",
            data_as_of=AS_OF,
        ),
        UnitOutcome(
            google,
            Status.UNREACHABLE,
            DEADLINE_AT,
            old_report,
            link=GOOGLE,
            message="Không mở được bảng tính: chưa chia sẻ cho tài khoản dịch vụ.",
            data_as_of=AS_OF - timedelta(hours=2),
        ),
        UnitOutcome(
            absent,
            Status.NOT_STARTED,
            DEADLINE_AT,
            link=local(absent),
            message="Chưa có tệp báo cáo “DN_DIEN_LUC.xlsx”.",
        ),
    ]


@pytest.fixture(scope="module")
def run() -> RunInfo:
    return RunInfo(
        run_id=7,
        as_of=AS_OF,
        schema_id="midterm_2020_2025",
        schema_version="2023.1",
        deadline=date(2023, 3, 23),
        deadline_inclusive=False,
        deadline_at=DEADLINE_AT,
        deadline_text="trước ngày 23/03/2023 (nộp trước 00:00 ngày 23/03/2023 là đúng hạn)",
        timezone="Asia/Ho_Chi_Minh",
        conference=date(2023, 4, 10),
        source_kind="excel",
        history=[
            HistoryPoint(datetime(2023, 3, 24, 9, 0, tzinfo=VN), 5, 1, 1),
            HistoryPoint(datetime(2023, 3, 24, 9, 30, tzinfo=VN), 5, 1, 1),
        ],
        precision_text="Thời điểm nộp chính xác đến 30 phút (chu kỳ chạy).",
        pulled=3,
        reused=1,
    )


@pytest.fixture(scope="module")
def written(
    schema: Schema,
    outcomes: list[UnitOutcome],
    run: RunInfo,
) -> tuple[Path, list[Any]]:
    out = Path(outcomes[0].link).parent.parent / "out"
    out.mkdir()
    path = out / "tong-hop.xlsx"
    return path, write_workbook(path, schema, outcomes, run)


@pytest.fixture(scope="module")
def book(written: tuple[Path, list[Any]]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(written[0])


def _rows(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def _table(ws: Any, first: str, has: str = "") -> tuple[list[Any], list[list[Any]]]:
    """The header row starting with ``first`` (and holding ``has``) and the rows under it until
    a blank first cell."""
    rows = _rows(ws)
    at = next(i for i, r in enumerate(rows) if r[0] == first and (not has or has in r))
    body = []
    for r in rows[at + 1 :]:
        if r[0] in (None, ""):
            break
        body.append(r)
    return rows[at], body


# ------------------------------------------------------------------ the parsed fixture itself


def test_fixture_reports_are_what_the_tests_assume(outcomes: list[UnitOutcome]) -> None:
    tricky, long, wrong, old, _ = (o.report for o in outcomes)
    assert tricky is not None and tricky.errors == 0
    assert tricky.values["ct_bhyt_ghi_chu"] == TRICKY[0]
    assert long is not None and long.errors == 0 and len(long.values["kd_bai_hoc"]) == 40_000
    assert wrong is not None and any(f.code is Code.PATTERN for f in wrong.findings)
    assert old is not None and old.findings


# ------------------------------------------------------------------ the workbook


def test_sheets_in_order(book: openpyxl.Workbook) -> None:
    assert (
        tuple(book.sheetnames)
        == SHEET_NAMES
        == (
            "Tình trạng",
            "Toàn huyện",
            "Chỉ tiêu",
            "Kiểm điểm",
            "Kiểm tra giám sát",
            "Hạn chế - Giải pháp",
            "Lỗi",
            "Lịch sử thay đổi",
            "Nhật ký",
        )
    )


def test_status_sheet_rows_in_roster_order(book: openpyxl.Workbook) -> None:
    ws = book["Tình trạng"]
    header, body = _table(ws, "STT", "Loại hình")
    assert header[: len(HEADER)] == HEADER
    col = {h: i for i, h in enumerate(HEADER)}
    assert [r[col["Mã đơn vị"]] for r in body] == [u.code for u in UNITS]
    assert [r[col["Tình trạng"]] for r in body] == [
        "Đúng hạn",
        "Trễ hạn",
        "Đang thực hiện",
        "Không truy cập được",
        "Chưa bắt đầu",
    ]
    first = body[0]
    assert first[col["Hoàn thành (%)"]] == 100
    assert first[col["Loại hình"]] == "Đảng bộ xã"
    assert first[col["Thời điểm nộp"]] == datetime(2023, 3, 20, 10, 0)  # 03:00 UTC, local
    assert first[col["Sửa sau khi nộp"]] == "Có"
    assert first[col["Hạn nộp"]] == "trước ngày 23/03/2023"
    assert "(hạn riêng)" in body[1][col["Hạn nộp"]]
    assert "dữ liệu cũ từ 2 giờ trước" in body[3][col["Ghi chú"]]
    assert body[4][col["Ghi chú"]].startswith("Chưa có tệp báo cáo")
    assert body[4][col["Hoàn thành (%)"]] is None
    # Not frozen: the notes and the call list above the table would fill the screen.
    assert ws.freeze_panes is None and ws.auto_filter.ref
    last = next(r for r in ws.iter_rows(min_col=2, max_col=2) if r[0].value == UNITS[-1].code)
    assert str(last[0].fill.fgColor.rgb).endswith(Status.NOT_STARTED.color.lstrip("#"))


def test_status_sheet_states_counts_and_deadline(book: openpyxl.Workbook) -> None:
    text = " ".join(str(v) for r in _rows(book["Tình trạng"]) for v in r if v is not None)
    assert "Còn 16 ngày đến Hội nghị sơ kết ngày 10/04/2023" in text
    assert "Hạn nộp: trước ngày 23/03/2023" in text
    assert "Đã nộp: 2 (40%)" in text and "Đúng hạn: 1 (20%)" in text


def test_charts_are_built(written: tuple[Path, list[Any]]) -> None:
    names = zipfile.ZipFile(written[0]).namelist()
    assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml"} <= set(names)


def test_indicator_rows_and_ratio_rollup(book: openpyxl.Workbook, schema: Schema) -> None:
    ws = book["Chỉ tiêu"]
    header, body = _table(ws, "Mã đơn vị")
    assert header[:15] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Tình trạng",
        "Nhóm",
        "Chỉ tiêu",
        "Đơn vị tính",
        "NQ đề ra",
        "Kết quả",
        "Tử số",
        "Mẫu số",
        "Tỷ lệ so với NQ",
        "Đánh giá",
        "Dự báo",
        "Ghi chú",
        "Tính vào tổng hợp",
    ]
    bhyt = schema.indicators[[i.key for i in schema.indicators].index("bhyt")]
    units = {r[0]: r for r in body if r[4] == bhyt.label}
    assert units["XA_VINH_HUNG"][7:10] == [90, 900, 1000]
    assert units["XA_VINH_HUNG"][10] == pytest.approx(90 / 80)
    assert units["XA_VINH_HUNG"][11] == "Vượt"
    assert "CQ_VP_HUYEN_UY" not in units  # the indicator does not apply to an agency
    # The roll-up is on its own sheet now; this one points there.
    assert not any(r[0] == "Toàn huyện" for r in _rows(ws))
    assert "xem trang “Toàn huyện”" in str(ws["A2"].value)


def test_a_ratio_near_one_never_prints_as_100_percent(
    book: openpyxl.Workbook, schema: Schema
) -> None:
    # "Vượt" next to "100,0%" reads as a mistake: the cell shows as many decimals as it takes.
    ws = book["Chỉ tiêu"]
    _, body = _table(ws, "Mã đơn vị")
    thu_nhap = next(i for i in schema.indicators if i.key == "thu_nhap")
    at = next(i for i, r in enumerate(body) if r[0] == "XA_VINH_HUNG" and r[4] == thu_nhap.label)
    row = body[at]
    assert row[10] == pytest.approx(1.0002) and row[11] == "Vượt"
    header_row = next(c.row for c in ws["A"] if c.value == "Mã đơn vị")
    assert ws.cell(header_row + 1 + at, 11).number_format == "0.00%"
    bhyt = next(r for r in body if r[0] == "XA_VINH_HUNG" and r[4] != thu_nhap.label and r[10])
    assert ws.cell(header_row + 1 + body.index(bhyt), 11).number_format == "0.0%"
    assert [fmt_percent(x) for x in (0.9998, 1.0, 0.975, 0.999999)] == [
        "99,98%",
        "100%",
        "97,5%",
        "99,9999%",
    ]


def test_numbers_show_no_trailing_zero_decimal(book: openpyxl.Workbook, schema: Schema) -> None:
    ws = book["Chỉ tiêu"]
    header_row = next(c.row for c in ws["A"] if c.value == "Mã đơn vị")
    label = next(i.label for i in schema.indicators if i.key == "tang_truong")
    row = next(r for r in ws.iter_rows(min_row=header_row + 1) if r[0].value == "XA_VINH_HUNG"
               and r[4].value == label)  # fmt: skip
    assert (row[6].value, row[6].number_format) == (8.5, "#,##0.0")
    assert (row[7].value, row[7].number_format) == (9.25, "0.00")  # percent points
    # No number anywhere is printed with a second decimal that is a zero.
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, float) and cell.number_format.endswith(".00"):
                    assert round(cell.value, 1) != cell.value, (sheet.title, cell.coordinate)


def test_district_rollup_sheet(book: openpyxl.Workbook, schema: Schema) -> None:
    ws = book["Toàn huyện"]
    header, body = _table(ws, "STT")
    assert all(isinstance(h, str) and h for h in header[:13])  # every header filled in
    col = {h: i for i, h in enumerate(header) if h}
    bhyt = next(i for i in schema.indicators if i.key == "bhyt")
    row = next(r for r in body if r[col["Chỉ tiêu"]] == bhyt.label)
    # Only the two submitted units, Σtu/Σmau, not the mean of their percentages.
    # 100 × 950 / 1100 = 86,3636…, stored as shown (two places, half up).
    assert row[col["Kết quả toàn huyện"]] == 86.36
    assert row[col["Σ tử số"]] == 950 and row[col["Σ mẫu số"]] == 1100
    # Counts are numbers, not "1/2" text: 90% ≥ 80% met its own target; 50% did not.
    assert row[col["Số đơn vị báo cáo"]] == 2
    assert row[col["Số đơn vị đạt/vượt chỉ tiêu của mình"]] == 1
    assert row[col["Đánh giá"]] == "chưa có chỉ tiêu"  # this run has no [targets]
    assert len(body) == len(schema.indicators)
    assert "Tổng hợp từ 2 đơn vị đã nộp" in str(ws["A3"].value)


def test_narratives_counts_and_limitations(
    book: openpyxl.Workbook, outcomes: list[UnitOutcome]
) -> None:
    header, body = _table(book["Kiểm điểm"], "Mã đơn vị")
    assert header[3:6] == ["STT", "Mục", "Nội dung"]
    assert len(body) == 12 * 4  # every unit with a readable report; none for "not started"
    assert {r[0] for r in body} == {u.code for u in UNITS[:4]}

    header, body = _table(book["Kiểm tra giám sát"], "Mã đơn vị")
    assert header[3] == "Kiểm tra tổ chức đảng (lượt)"
    total = next(r for r in _rows(book["Kiểm tra giám sát"]) if r[0] == "Tổng cộng")
    submitted = [o.report for o in outcomes[:2] if o.report is not None]
    assert total[3] == sum(r.values["ks_kt_to_chuc"] for r in submitted)
    assert total[1] == "2 đơn vị đã nộp"

    header, body = _table(book["Hạn chế - Giải pháp"], "Mã đơn vị")
    assert header[:5] == ["Mã đơn vị", "Tên đơn vị", "Tình trạng", "Dòng", "Hạn chế, yếu kém"]
    first = next(r for r in body if r[0] == "XA_VINH_HUNG")
    assert first[1] == "Đảng bộ xã Vĩnh Hưng" and first[3] == 1 and first[4] == TRICKY[3]
    assert isinstance(next(r for r in body if r[9] is not None)[9], datetime)  # a real date


def test_unit_text_stays_text(book: openpyxl.Workbook) -> None:
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.data_type == "s"
                if cell.value in TRICKY:
                    found[cell.value] = cell.data_type
    assert found == dict.fromkeys(TRICKY, "s")
    # Links are ours only: the status sheet's file links, the findings' cell links, and the
    # jump to the district roll-up; never one made from a unit's text.
    linked = {
        ws.title for ws in book.worksheets for row in ws.iter_rows() for c in row if c.hyperlink
    }
    assert linked == {"Tình trạng", "Chỉ tiêu", "Lỗi"}


def test_truncation_is_reported(
    written: tuple[Path, list[Any]], book: openpyxl.Workbook, outcomes: list[UnitOutcome]
) -> None:
    truncated = written[1]
    assert len(truncated) == 1
    code, finding = truncated[0]
    assert code == "TT_CHAU_HUNG"
    assert finding.code is Code.TRUNCATED and finding.severity is Severity.WARNING
    report = outcomes[1].report
    assert report is not None
    assert (finding.tab, finding.cell) == report.cells["kd_bai_hoc"]
    assert "40.000" in finding.message and "32.767" in finding.message
    # Cut to the tallest row Excel prints (409 pt), saying where the whole text is.
    cut = [c.value for r in book["Kiểm điểm"].iter_rows() for c in r if isinstance(c.value, str)]
    longest = max(cut, key=len)
    assert 1_000 < len(longest) < 32_767
    assert longest.endswith(CUT_NOTE) and "phu-luc-y-kien-don-vi.docx" in CUT_NOTE
    assert LONG_TEXT.startswith(longest.removesuffix(CUT_NOTE).rstrip(" …"))
    assert f"giữ {fmt_number(len(longest) - len(CUT_NOTE), 0)} ký tự đầu" in finding.message
    _, errors = _table(book["Lỗi"], "Mã đơn vị")
    assert any(
        r[0] == "TT_CHAU_HUNG" and r[8] == "truncated" and r[2] == "Cảnh báo" for r in errors
    )


def test_findings_sheet_links_to_the_cell(
    book: openpyxl.Workbook, outcomes: list[UnitOutcome]
) -> None:
    ws = book["Lỗi"]
    header, body = _table(ws, "Mã đơn vị")
    assert header == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Mức độ",
        "Trang",
        "Ô",
        "Mục",
        "Nội dung",
        "Giá trị",
        "Mã lỗi",
    ]
    # The English code is the last column and is not printed; the field shows by its label.
    assert ws.print_area == "'Lỗi'!$A$1:$H$" + str(ws.max_row)
    assert not any(r[5] and "_" in r[5] for r in body)
    expected = sum(len(o.report.findings) for o in outcomes if o.report is not None) + 1
    assert len(body) == expected
    links = {ws.cell(c.row, 1).value: c.hyperlink for c in ws["E"] if c.hyperlink is not None}
    # A local file is never linked: a path on the server breaks once the workbook is copied.
    assert "XA_HUNG_HOI" not in links
    phone = outcomes[2].report.cells["tt_dien_thoai"]  # type: ignore[union-attr]
    local = next(r for r in body if r[0] == "XA_HUNG_HOI" and r[5] == "Điện thoại")
    assert local[4] == phone[1]
    google = links["CQ_VP_HUYEN_UY"]
    phone = outcomes[3].report.cells["tt_dien_thoai"]  # type: ignore[union-attr]
    # Excel keeps the part after "#" as the link's location and joins them when followed.
    assert f"{google.target}#{google.location}" == (
        f"https://docs.google.com/spreadsheets/d/KEY_abc-123/edit#gid=42&range={phone[1]}"
    )
    row = next(r for r in body if r[0] == "XA_HUNG_HOI" and r[5] == "Điện thoại")
    assert row[2] == "Cảnh báo" and row[7] == TRICKY[1]  # a phone that fits no form: a warning


def test_log_sheet(book: openpyxl.Workbook, schema: Schema) -> None:
    facts = {r[0]: r[1] for r in _rows(book["Nhật ký"]) if r[0] is not None}
    assert facts["Lần chạy số"] == 7
    assert facts["Thời điểm tính tình trạng"] == datetime(2023, 3, 25, 9, 0)
    assert facts["Mẫu báo cáo"] == schema.title
    assert facts["Giờ dùng trong bảng"] == "giờ Việt Nam (UTC+7)"
    assert facts["Số đơn vị đọc mới lần này"] == 3
    assert facts["Tỷ lệ nộp"] == "40%"  # text, as the notes say it, in any Windows locale
    history = [r[3:7] for r in _rows(book["Nhật ký"]) if isinstance(r[3], datetime)]
    assert history[-1] == [datetime(2023, 3, 25, 9, 0), 5, 2, 1]
    assert len(history) == 3


def test_same_input_same_bytes(
    schema: Schema, outcomes: list[UnitOutcome], run: RunInfo, written: tuple[Path, list[Any]]
) -> None:
    again = written[0].with_name("again.xlsx")
    write_workbook(again, schema, outcomes, run)
    assert again.read_bytes() == written[0].read_bytes()
    buffer = io.BytesIO()
    write_workbook(buffer, schema, outcomes, run, link_base=written[0].parent)
    assert buffer.getvalue() == written[0].read_bytes()


def test_a_run_with_no_units(schema: Schema, run: RunInfo) -> None:
    buffer = io.BytesIO()
    assert write_workbook(buffer, schema, [], replace(run, history=[])) == []
    assert tuple(openpyxl.load_workbook(buffer).sheetnames) == SHEET_NAMES


# ------------------------------------------------------------------ the status table alone


def test_status_table_counts_and_notes(
    schema: Schema, outcomes: list[UnitOutcome], run: RunInfo
) -> None:
    table = status_table(outcomes, run, schema.unit_types)
    assert table.header == HEADER
    assert table.statuses == [o.status for o in outcomes]
    assert [r[0] for r in table.rows] == [1, 2, 3, 4, 5]
    assert table.rows[0][HEADER.index("Thời điểm nộp")] == "20/03/2023 10:00"
    assert table.rows[2][HEADER.index("Đã xác nhận")] == "Không"
    assert table.notes[0].startswith("Hạn nộp: trước ngày 23/03/2023")
    assert table.notes[1].startswith("Kiểm tra lần cuối lúc 25/03/2023 09:00")
    assert table.book_notes[1].startswith("Số liệu thay đổi lần cuối: 25/03/2023 09:00")
    # Printed: no file names or zone ids a clerk cannot act on, and no Google sheet that the
    # district does not have.
    assert "09:00, giờ Việt Nam (UTC+7)." in table.book_notes[1]
    assert all("status.json" not in n and "Asia/" not in n for n in table.book_notes)
    assert all("Google" not in n for n in table.book_notes)
    with_sheet = status_table(outcomes, replace(run, status_sheet=True), schema.unit_types)
    assert "trên Google" in with_sheet.book_notes[1]
    assert run.precision_text in table.notes
    assert table.notes[-1].startswith("Dự kiến: 5 · Đã nộp: 2 (40%) · Đúng hạn: 1 (20%)")


def test_rates_are_vietnamese_and_follow_run_counts(
    schema: Schema, outcomes: list[UnitOutcome], run: RunInfo
) -> None:
    counted = replace(run, counts={"expected": 40, "submitted": 39, "on_time": 37})
    line = status_table(outcomes, counted, schema.unit_types).notes[-1]
    assert "Đã nộp: 39 (97,5%)" in line and "Đúng hạn: 37 (92,5%)" in line


def test_a_path_kept_from_an_older_run_shows_as_a_file_name(
    book: openpyxl.Workbook, schema: Schema, outcomes: list[UnitOutcome], run: RunInfo
) -> None:
    # The fixture's links are absolute paths, as an older version stored them in the state.
    assert Path(outcomes[0].link).is_absolute()
    table = status_table(outcomes, run, schema.unit_types)
    links = [r[HEADER.index("Liên kết")] for r in table.rows]
    assert links == [
        "XA_VINH_HUNG.xlsx",
        "TT_CHAU_HUNG.xlsx",
        "XA_HUNG_HOI.xlsx",
        GOOGLE,
        "DN_DIEN_LUC.xlsx",
    ]
    text = [str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value]
    assert not any(str(Path(outcomes[0].link).parent) in t for t in text)
