"""The workbook's "Toàn huyện" sheet: the district roll-up against the district's own targets,
with a chart of the percentage of target per indicator inside the print area.

The rows come from ``rollup.district_rollup``, the same rows section II of the Word draft shows.
"""

from __future__ import annotations

import logging

from xlsxwriter.worksheet import Worksheet

from ..model import UnitOutcome, entered_line
from .cells import NUMBER_FORMATS, Book, ratio_kind
from .rollup import NOT_ENTERED, REFERENCE_LABEL, district_rollup, submitted_reports

log = logging.getLogger("tonghop.outputs")

SHEET = "Toàn huyện"
COLUMNS = [
    ("STT", 5), ("Nhóm", 20), ("Chỉ tiêu", 44), ("Đơn vị tính", 20),
    ("Chỉ tiêu của huyện (NQ đề ra)", 13), ("Kết quả toàn huyện", 13), ("Σ tử số", 12),
    ("Σ mẫu số", 12), ("Tỷ lệ so với chỉ tiêu", 11), ("Đánh giá", 14),
    ("Số đơn vị báo cáo", 10), ("Số đơn vị đạt/vượt chỉ tiêu của mình", 13),
    (REFERENCE_LABEL, 14), ("Cách tổng hợp", 40),
]  # fmt: skip
HEAD_ROW = 3
_ASSESSMENT_FILL = {"Vượt": "#C6EFCE", "Đạt": "#E2EFDA", "Chưa đạt": "#FFC7CE"}
_REFERENCE_FILL = "#F2F2F2"  # greyed: a reference beside the figures, not one of them
_CHART_ROWS = 28  # rows the chart covers below the table (at the default row height)


def write_district(book: Book, ws: Worksheet, outcomes: list[UnitOutcome]) -> None:
    """One row per indicator, then a bar chart of the % of target; all inside the print area."""
    rows = district_rollup(book.schema, outcomes, book.run.targets, book.run.district_results)
    included = sum(1 for _ in submitted_reports(outcomes))
    for d in rows:
        if d.assessment == NOT_ENTERED:
            # Info, not a warning: a cron run stays quiet; `tonghop doctor` shows it too.
            log.info(
                "Chỉ tiêu “%s” lấy số liệu của huyện nhưng chưa nhập: thêm vào tonghop.toml, mục "
                "[district_results], dòng: %s (thay số liệu và nguồn).",
                d.label,
                entered_line(d.indicator.key),
            )
    book.title(ws, "TỔNG HỢP TOÀN HUYỆN SO VỚI CHỈ TIÊU NGHỊ QUYẾT CỦA HUYỆN", book.schema.title)
    book.header(ws, HEAD_ROW, COLUMNS)
    book.note(
        ws,
        2,
        f"Tổng hợp từ {included} đơn vị đã nộp (đúng hạn hoặc trễ hạn); đơn vị chưa nộp không được "
        "tính. Chỉ tiêu tỷ lệ cộng tử số và mẫu số của các đơn vị rồi mới chia. Tỷ lệ so với chỉ "
        "tiêu = kết quả / chỉ tiêu (chỉ tiêu càng thấp càng tốt: chỉ tiêu / kết quả). Cột "
        f"“{REFERENCE_LABEL}” chỉ để tham khảo, không phải kết quả của huyện.",
        0,
        len(COLUMNS) - 1,
    )
    for n, d in enumerate(rows, start=1):
        row = HEAD_ROW + n
        ind = d.indicator
        book.value(ws, row, 0, n, "int")
        book.text(ws, row, 1, ind.group, book.fmt())
        book.text(ws, row, 2, d.label, book.fmt())
        book.text(ws, row, 3, d.unit, book.fmt())
        # The figures as shown, rounded once (half up) to the places their format shows: the
        # cell then displays the draft's digits in any spreadsheet program.
        book.value(ws, row, 4, d.shown_target, d.target_kind)
        book.value(ws, row, 5, d.shown_result, d.kind)
        book.value(ws, row, 6, d.shown_numerator, "int")
        book.value(ws, row, 7, d.shown_denominator, "int")
        book.value(ws, row, 8, d.shown_ratio, ratio_kind(d.ratio_decimals))
        book.text(ws, row, 9, d.assessment, book.fmt(fill=_ASSESSMENT_FILL.get(d.assessment)))
        book.value(ws, row, 10, d.reporting, "int")
        book.value(ws, row, 11, d.meeting, "int")
        book.value(ws, row, 12, d.shown_reference, d.reference_kind, fill=_REFERENCE_FILL)
        book.text(ws, row, 13, d.how, book.fmt())
    last = HEAD_ROW + len(rows)
    book.finish(ws, HEAD_ROW, last, len(COLUMNS) - 1, freeze_cols=3)
    chart_row = last + 2
    _chart(book, ws, chart_row, len(rows), rows[0].ratio_decimals if rows else 1)


def _chart(book: Book, ws: Worksheet, row: int, count: int, decimals: int) -> None:
    """Horizontal bars of the ratio to target per indicator (blank without a target), 100% marked
    by the axis crossing so bars left of it are short of target.

    The labels carry the table's ratio column format: every ratio of the roll-up has the same
    places (one, or more when a ratio just short of 1 would read "100,0%" next to "Chưa đạt"),
    so a bar's label and its table cell show the same digits."""
    name = ws.get_name()
    chart = book.wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "Tỷ lệ so với chỉ tiêu",
            "categories": [name, HEAD_ROW + 1, 2, HEAD_ROW + count, 2],
            "values": [name, HEAD_ROW + 1, 8, HEAD_ROW + count, 8],
            "fill": {"color": "#2E75B6"},
            # The table's own ratio format: at "0%" a 99,7% Chưa đạt was labelled 100%.
            "data_labels": {"value": True, "num_format": NUMBER_FORMATS[ratio_kind(decimals)]},
        }
    )
    chart.set_title({"name": "Kết quả toàn huyện so với chỉ tiêu của huyện (%)"})
    chart.set_legend({"none": True})
    chart.set_x_axis(
        {"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}, "crossing": 0}
    )
    # Indicators top to bottom in table order.
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}, "interval_unit": 1})
    # The Book keeps the chart inside the print area (Book.close).
    book.chart(ws, row, 1, chart, x_scale=1100 / 480, y_scale=(_CHART_ROWS * 20 - 10) / 288)
