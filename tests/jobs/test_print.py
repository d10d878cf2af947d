"""The consolidated workbook of the demo district reads and prints: rows tall enough for their
wrapped text, every sheet A4 landscape one page wide with its header rows repeated, print areas
that hold every cell and chart, no link to a path on the server. Where LibreOffice is installed
the workbook is rendered to PDF for real."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from jobs.config import load_config
from jobs.demo import DEMO_AS_OF, make_demo
from jobs.job import SyncOptions, SyncResult, run_sync
from jobs.model import Status
from jobs.outputs import fit
from jobs.outputs.workbook import SHEET_NAMES
from sync.excel import ExcelFolderSource

NOT_SUBMITTED = {
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.OVERDUE,
    Status.INVALID,
    Status.UNREACHABLE,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[SyncResult, Path]:
    folder = tmp_path_factory.mktemp("print")
    make_demo(folder, 30, seed=7, workers=1)
    config = load_config(folder / "tonghop.toml", env={})
    assert config.source.folder is not None
    options = SyncOptions(as_of=datetime.fromisoformat(DEMO_AS_OF), out_dir=folder / "out")
    result = run_sync(config, ExcelFolderSource(config.source.folder), options)
    return result, folder / "out"


@pytest.fixture(scope="module")
def book(demo: tuple[SyncResult, Path]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(demo[1] / "tong-hop.xlsx")


def _width(ws: Any, col: int) -> float:
    # openpyxl keeps equal neighbouring columns as one dimension (G covering G:H).
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= dim.max and dim.width:
            return float(dim.width)
    return 8.43


def _merged_width(ws: Any, cell: Any) -> float:
    for rng in ws.merged_cells.ranges:
        if rng.min_row == cell.row and rng.min_col == cell.column:
            px = sum(fit.column_px(_width(ws, c)) for c in range(rng.min_col, rng.max_col + 1))
            return (px - 5) / fit.DIGIT_PX
    return _width(ws, cell.column)


def test_every_sheet_is_a4_landscape_one_page_wide_with_header_rows(
    book: openpyxl.Workbook,
) -> None:
    assert tuple(book.sheetnames[: len(SHEET_NAMES)]) == SHEET_NAMES
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.paperSize == 9, ws.title  # A4
        assert setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # fitToWidth="1" is the default, so xlsxwriter leaves it out
        assert (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows, ws.title


def test_print_areas_cover_every_cell_and_chart(book: openpyxl.Workbook) -> None:
    charted = set()
    for ws in book.worksheets:
        assert ws.print_area, ws.title
        area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
        min_col, min_row, max_col, max_row = range_boundaries(area.split("!")[-1].replace("$", ""))
        assert (min_col, min_row) == (1, 1)
        used = [c for row in ws.iter_rows() for c in row if c.value not in (None, "")]
        if ws.title == "Lỗi":  # its last column, the English finding code, is not printed
            assert ws.cell(3, max_col + 1).value == "Mã lỗi"
            used = [c for c in used if c.column <= max_col]
        assert max(c.row for c in used) <= max_row, ws.title
        assert max(c.column for c in used) <= max_col, ws.title
        for chart in ws._charts:
            anchor = chart.anchor
            assert anchor._from.row + 1 <= max_row and anchor._from.col + 1 <= max_col
            assert anchor.to.row + 1 <= max_row, f"{ws.title}: chart below the print area"
            assert anchor.to.col + 1 <= max_col, f"{ws.title}: chart right of the print area"
            charted.add(ws.title)
    assert {"Tình trạng", "Nhật ký"} <= charted


def test_rows_are_tall_enough_for_their_wrapped_text(book: openpyxl.Workbook) -> None:
    """A lower bound that does not reuse the estimator: even if every character were as narrow
    as 4.5 pixels, a text needs this many lines, and each line 11 points."""
    tall = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                    continue
                room = fit.column_px(_merged_width(ws, cell)) - 6
                lines = sum(max(1, -(-len(p) * 4.5 // room)) for p in cell.value.split("\n"))
                height = ws.row_dimensions[cell.row].height or 15.0
                assert height >= min(409, lines * 11), (ws.title, cell.coordinate, height)
                assert height <= 409
                tall += height > 15
    assert tall > 50
    narratives = book["Kiểm điểm"]
    longest = max(
        (c for c in narratives["F"] if isinstance(c.value, str)), key=lambda c: len(c.value)
    )
    assert 15 < (narratives.row_dimensions[longest.row].height or 0) <= 409


def test_rows_carry_no_empty_line() -> None:
    """Seen on Kiểm điểm: a line that fits its 90-wide column was given two, and every row 3 pt
    more, which padded the sheet by pages."""
    one = (
        "Hạn chế là việc làm theo ở một số đảng viên chưa thường xuyên; việc xây dựng, nhân "
        "rộng mô hình mới."
    )
    assert fit.lines_needed(one, 90) == 1
    assert fit.row_height(1) == 13.5 and fit.row_height(8) == 102.75  # Excel: 12,75 pt a line
    # Still never short in Excel, which draws whole-pixel glyph widths at a 13 px em.
    gdi = sum(round(fit.text_px(ch) * 13 / (10 * 96 / 72)) for ch in one)
    assert gdi <= fit.column_px(90) - 6


def test_text_fits_estimates() -> None:
    assert fit.lines_needed("một\nhai\nba", 40) == 3
    assert fit.lines_needed("chữ " * 200, 20) > fit.lines_needed("chữ " * 200, 60) > 1
    assert fit.lines_needed("x" * 400, 10) > 1  # a word longer than the line is broken
    assert fit.row_height(1000) == fit.MAX_ROW_PT
    cut = fit.cut_to_fit("Báo cáo dài. " * 2000, 30, " [tiếp]")
    assert cut.endswith(" [tiếp]") and fit.fits(cut, 30)


def test_excel_units_show_file_names_never_server_paths(
    demo: tuple[SyncResult, Path], book: openpyxl.Workbook
) -> None:
    result, out = demo
    units = json.loads((out / "status.json").read_text("utf-8"))["units"]
    links = {u["code"]: u["link"] for u in units}
    for o in result.outcomes:
        assert links[o.unit.code] in ("", o.unit.sheet), o.unit.code
    assert not any(str(out.parent) in (link or "") for link in links.values())
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.hyperlink is not None:
                    target = cell.hyperlink.target or ""
                    assert target.startswith("https://") or not target, (ws.title, target)
                if isinstance(cell.value, str):
                    assert str(out.parent) not in cell.value, (ws.title, cell.coordinate)
    status = book["Tình trạng"]
    header = next(r for r in status.iter_rows(values_only=True) if "Liên kết" in r)
    col = header.index("Liên kết") + 1
    shown = {c.value for c in status[get_column_letter(col)] if c.value}
    assert {o.unit.sheet for o in result.outcomes if o.link} <= shown


def test_call_list_names_who_to_ring(
    demo: tuple[SyncResult, Path], book: openpyxl.Workbook
) -> None:
    result, _ = demo
    rows = list(book["Tình trạng"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if str(r[0]).startswith("CÁC ĐƠN VỊ CHƯA NỘP"))
    head = rows[at + 1]
    assert [h for h in head if h] == [
        "STT", "Mã đơn vị", "Tên đơn vị", "Tình trạng", "Người báo cáo", "Điện thoại",
        "Còn thiếu", "Ghi chú",
    ]  # fmt: skip
    col = {h: i for i, h in enumerate(head) if h}
    waiting = [o for o in result.outcomes if o.status in NOT_SUBMITTED]
    assert waiting, "the demo has units that have not submitted"
    body = rows[at + 2 : at + 2 + len(waiting)]
    assert [r[0] for r in body] == list(range(1, len(waiting) + 1))  # numbers, not text
    assert sorted(r[col["Mã đơn vị"]] for r in body) == sorted(o.unit.code for o in waiting)
    assert f"({len(waiting)} đơn vị)" in rows[at][0]
    by_code = {r[col["Mã đơn vị"]]: r for r in body}
    for o in waiting:
        row = by_code[o.unit.code]
        assert row[col["Tình trạng"]] == o.status.label
        if o.report is not None and o.report.values.get("tt_nguoi_bao_cao"):
            assert row[col["Người báo cáo"]] == str(o.report.values["tt_nguoi_bao_cao"]).strip()
    # The call list comes before the full table.
    table = next(i for i, r in enumerate(rows) if r[0] == "STT" and "Loại hình" in r)
    assert table > at + len(waiting)


def test_counts_are_numbers_and_the_two_times_are_said(book: openpyxl.Workbook) -> None:
    rows = list(book["Tình trạng"].iter_rows(values_only=True))
    labels = next(r for r in rows if "Dự kiến" in r and "Đã nộp" in r)
    values = rows[rows.index(labels) + 1]
    counts = [v for v, label in zip(values, labels, strict=True) if label and "Tỷ lệ" not in label]
    assert counts and all(isinstance(v, int) for v in counts)
    # Rates are the notes' own words ("Đã nộp: 25 (67,6%)"), so an English-locale PC cannot
    # show 67.6% under them; completeness is whole percent, the same in any locale.
    rates = [v for v, label in zip(values, labels, strict=True) if label and "Tỷ lệ" in label]
    notes = " ".join(str(r[0]) for r in rows[:10] if r[0])
    assert rates and all(isinstance(v, str) and f"({v})" in notes for v in rates)
    head = next(r for r in rows if "Hoàn thành (%)" in r)
    done = [r[head.index("Hoàn thành (%)")] for r in rows[rows.index(head) + 1 :]]
    assert all(isinstance(v, int) for v in done if v is not None) and any(done)
    text = " ".join(str(v) for r in rows for v in r if v)
    assert "Số liệu thay đổi lần cuối:" in text
    assert "status.json" not in text and "Asia/Ho_Chi_Minh" not in text
    for ws in book.worksheets:  # no printed sheet names a file or a zone id
        printed = " ".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v)
        assert "status.json" not in printed and "Asia/" not in printed, ws.title
    # The demo has no Google status sheet: nothing sends the clerk to one.
    assert "Google" not in text
    assert "Cập nhật lúc" not in text


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_every_sheet(demo: tuple[SyncResult, Path], tmp_path: Path) -> None:
    workbook = demo[1] / "tong-hop.xlsx"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(workbook)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pages = _pages((tmp_path / "tong-hop.pdf").read_bytes())
    book = openpyxl.load_workbook(workbook, read_only=True)
    sheets = len(book.sheetnames)
    rows = sum(ws.max_row or 0 for ws in book.worksheets)
    # Every sheet starts a page; one page wide means no sheet spills sideways, so the pages
    # grow with the rows only (a page holds more than 8 rows even of wrapped text).
    assert sheets <= pages <= sheets + rows // 8


def test_units_that_need_not_report_are_listed_so_the_counts_reconcile(
    demo: tuple[SyncResult, Path], book: openpyxl.Workbook
) -> None:
    result, _ = demo
    (closed,) = result.run.inactive  # the demo closes one unit on 31/12/2022
    texts = [str(v) for r in book["Tình trạng"].iter_rows(values_only=True) for v in r if v]
    line = next(t for t in texts if closed.code in t and "không phải nộp" in t)
    assert closed.name in line and "31/12/2022" in line
    expected = int(result.run.counts["expected"])
    assert any(
        f"Danh sách có {expected + 1} đơn vị; 1 đơn vị không phải nộp" in t
        and f"dự kiến {expected} đơn vị" in t
        for t in texts
    )
    log = [str(v) for r in book["Nhật ký"].iter_rows(values_only=True) for v in r if v]
    assert any(closed.code in t for t in log)


def test_findings_sheet_shows_labels_never_field_ids(
    demo: tuple[SyncResult, Path], book: openpyxl.Workbook
) -> None:
    result, _ = demo
    ids = {f.field for o in result.outcomes if o.report for f in o.report.findings if f.field}
    assert ids
    ws = book["Lỗi"]
    header = [c.value for c in ws[3]]
    shown = {r[header.index("Mục")] for r in ws.iter_rows(min_row=4, values_only=True)}
    assert not ids & shown
    messages = " ".join(
        str(r[header.index("Nội dung")]) for r in ws.iter_rows(min_row=4, values_only=True)
    )
    assert not any(i in messages for i in ids if "_" in i)


def test_the_draft_names_units_that_need_not_report(demo: tuple[SyncResult, Path]) -> None:
    result, out = demo
    (closed,) = result.run.inactive
    paragraphs = [p.text for p in docx.Document(str(out / "bao-cao-tong-hop.docx")).paragraphs]
    line = next(t for t in paragraphs if t.startswith("Đơn vị không phải báo cáo (1): "))
    assert closed.name in line and "31/12/2022" in line
    assert closed.code not in line  # report wording: names, not roster codes


def test_status_json_lists_units_that_need_not_report_as_closed(
    demo: tuple[SyncResult, Path],
) -> None:
    result, out = demo
    (closed,) = result.run.inactive
    units = json.loads((out / "status.json").read_text(encoding="utf-8"))["units"]
    (entry,) = [u for u in units if u["code"] == closed.code]
    assert entry["status"] == "closed" and "31/12/2022" in entry["message"]
    assert len(units) == int(result.run.counts["expected"]) + 1
