"""Write the consolidated workbook (tong-hop.xlsx) the district office opens, prints and quotes.

Sheets, in order: Tình trạng, Toàn huyện, Chỉ tiêu, Kiểm điểm, Kiểm tra giám sát, Hạn chế - Giải pháp,
Lỗi, Nhật ký. Cells hold values, never formulas; text typed by units is always written as text;
times are wall-clock times in the report's time zone. The same input gives the same bytes.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from sheets_schema import Finding, Schema

from ..model import HistoryPoint, RunInfo, Status, UnitOutcome
from .cells import FONT, Book, link_text, printable
from .district import write_district
from .history_sheet import write_history
from .sheets import (
    write_counts,
    write_findings,
    write_indicators,
    write_limitations,
    write_narratives,
)
from .status_table import (
    LINK_COL,
    MODIFIED_COL,
    SUBMITTED_COL,
    CallRow,
    CountItem,
    StatusTable,
    TableValue,
    check_where,
    closed_units_lines,
    status_table,
    zone_text,
)
from .words import fmt_percent, local_time

SHEET_NAMES = (
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
# xlsxwriter would otherwise turn "=1+1" into a formula, "http://…" into a link and
# "1.234,5"-like strings into numbers: unit text must stay exactly what was typed.
_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_format_properties": FONT,
}
# Column widths of the status table; None: from the content, within (low, high).
_STATUS_WIDTHS: dict[str, float | tuple[float, float]] = {
    "STT": 4.5, "Mã đơn vị": (9, 26), "Tên đơn vị": (14, 24), "Loại hình": 12, "Tình trạng": 12,
    "Hoàn thành (%)": 9, "Lỗi": 5, "Cảnh báo": 7.5, "Đã xác nhận": 7.5, "Hạn nộp": 12,
    "Thời điểm nộp": 15, "Sửa lần cuối": 15, "Sửa sau khi nộp": 6.5, "Ghi chú": 30,
    "Liên kết": (10, 24),
}  # fmt: skip
# The call list sits on the status table's columns: (label, first column, last column).
_CALL_COLUMNS = (
    ("STT", 0, 0), ("Mã đơn vị", 1, 1), ("Tên đơn vị", 2, 2), ("Tình trạng", 3, 4),
    ("Người báo cáo", 5, 8), ("Điện thoại", 9, 10), ("Còn thiếu", 11, 12), ("Ghi chú", 13, 14),
)  # fmt: skip
_SOURCE_KINDS = {"excel": "Thư mục tệp Excel (.xlsx)", "google": "Google Sheets"}


def write_workbook(
    target: str | os.PathLike[str] | io.BytesIO,
    schema: Schema,
    outcomes: list[UnitOutcome],
    run: RunInfo,
    *,
    link_base: str | os.PathLike[str] | None = None,
) -> list[tuple[str, Finding]]:
    """Write the consolidated workbook to a path or a BytesIO.

    ``outcomes`` are in roster order. Google units link to their sheet; Excel units show their
    file name, never a path on the server (``link_base`` is accepted for older callers and no
    longer used). A path target is replaced only once the new workbook is complete, so readers
    never see half a file. Returns the TRUNCATED findings made for unit text longer than an
    Excel cell holds, as (unit code, finding); they are also on "Lỗi".
    """
    del link_base  # links are file names now: nothing is relative to the output folder
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, dict(_OPTIONS))
    wb.set_properties(
        {
            "title": f"Tổng hợp {schema.title}",
            "subject": f"{schema.id} {schema.version}",
            "comments": f"Lần chạy {run.run_id}",
            # Pinned to the run's time, not now(), so the same run writes the same bytes.
            "created": local_time(run.as_of, run.timezone),
        }
    )
    book = Book(wb, schema, run)
    sheets = {name: wb.add_worksheet(name) for name in SHEET_NAMES}
    table = status_table(outcomes, run, schema.unit_types)
    _write_status(book, sheets["Tình trạng"], table, outcomes)
    write_district(book, sheets["Toàn huyện"], outcomes)
    write_indicators(book, sheets["Chỉ tiêu"], outcomes)
    write_narratives(book, sheets["Kiểm điểm"], outcomes)
    write_counts(book, sheets["Kiểm tra giám sát"], outcomes)
    write_limitations(book, sheets["Hạn chế - Giải pháp"], outcomes)
    write_findings(book, sheets["Lỗi"], outcomes)  # after the others: it lists their cuts
    write_history(book, sheets["Lịch sử thay đổi"], outcomes)
    _write_log(book, sheets["Nhật ký"], table)
    book.close()
    wb.close()
    _save(target, buffer.getvalue())
    return list(book.truncated)


def _save(target: str | os.PathLike[str] | io.BytesIO, data: bytes) -> None:
    if isinstance(target, io.BytesIO):
        target.write(data)
        return
    path = Path(target)
    # mkstemp makes an owner-only file: keep the old workbook's mode, or the usual 0644,
    # so district staff sharing the output folder can still open it.
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------ Tình trạng


def _write_status(
    book: Book, ws: Worksheet, table: StatusTable, outcomes: list[UnitOutcome]
) -> None:
    """Notes and counts, the units to ring, the full status table, then a chart of statuses."""
    last_col = len(table.header) - 1
    _status_widths(book, ws, table)
    book.title(ws, "TÌNH TRẠNG NỘP BÁO CÁO SƠ KẾT GIỮA NHIỆM KỲ", book.schema.title)
    row = 2
    for note in table.book_notes:
        book.note(ws, row, note, 0, last_col)
        row += 1
    _write_count_block(book, ws, row + 1, table)
    row = _write_calls(book, ws, row + 4, table.calls)
    head = row + 2
    ws.write_string(head - 1, 0, "TÌNH TRẠNG TẤT CẢ CÁC ĐƠN VỊ", book.style("subtitle"))
    book.header(ws, head, [(h, book.layout(ws).widths[c]) for c, h in enumerate(table.header)])
    for i, (values, o) in enumerate(zip(table.rows, outcomes, strict=True)):
        _write_status_row(book, ws, head + 1 + i, values, o)
    last = head + len(table.rows)
    # No frozen rows: the notes and the call list above the table would fill the screen.
    ws.autofilter(head, 0, max(last, head), last_col)
    printable(ws, head)
    last = _write_closed(book, ws, last + 2, book.run)
    _write_status_chart(book, ws, last + 3, table)


def _write_closed(book: Book, ws: Worksheet, row: int, run: RunInfo) -> int:
    """Roster units that need not report, one line each with the reason, from ``row``;
    returns the last row used (``row - 2`` when there are none: nothing is written)."""
    lines = closed_units_lines(run)
    if not lines:
        return row - 2
    title = f"ĐƠN VỊ KHÔNG PHẢI NỘP BÁO CÁO ({len(lines)} đơn vị, không tính vào số dự kiến)"
    ws.write_string(row, 0, title, book.style("subtitle"))
    book.used(ws, row, 0)
    for i, line in enumerate(lines, start=1):
        book.note(ws, row + i, f"{i}. {line}", 0, 14)
    return row + len(lines)


def _status_widths(book: Book, ws: Worksheet, table: StatusTable) -> None:
    for c, label in enumerate(table.header):
        width = _STATUS_WIDTHS.get(label, 12)
        if isinstance(width, tuple):
            texts = [str(r[c]) for r in table.rows if r[c] is not None]
            if c == LINK_COL:
                texts = [link_text(t) for t in texts]
            width = book.fit_width(texts, *width)
        book.width(ws, c, width)


def _write_count_block(book: Book, ws: Worksheet, row: int, table: StatusTable) -> None:
    for c, item in enumerate(table.counts, start=1):
        book.text(ws, row, c, item.label, book.style("head"))
        _count_value(book, ws, row + 1, c, item)


def _count_value(book: Book, ws: Worksheet, row: int, col: int, item: CountItem) -> None:
    """A count as a number; a rate as the text the notes above use ("67,6%"), so the two
    agree whatever decimal separator the reader's Windows is set to."""
    if item.is_rate:
        text = "" if item.value is None else fmt_percent(item.value)
        book.text(ws, row, col, text, book.fmt("text_right"))
    else:
        book.value(ws, row, col, item.value, "int")


def _write_calls(book: Book, ws: Worksheet, row: int, calls: list[CallRow]) -> int:
    """The units to ring about their report, from ``row``; returns the last row written."""
    title = f"CÁC ĐƠN VỊ CHƯA NỘP, CẦN GỌI NHẮC ({len(calls)} đơn vị)"
    ws.write_string(row, 0, title, book.style("subtitle"))
    book.used(ws, row, 0)
    if not calls:
        book.note(ws, row + 1, "Tất cả các đơn vị đã nộp báo cáo.", 0, 8)
        return row + 1
    head = row + 1
    for label, first, last in _CALL_COLUMNS:
        _span(book, ws, head, first, last, label, book.style("head"))
    for n, call in enumerate(calls, start=1):
        r = head + n
        fill = call.status.color
        book.value(ws, r, 0, n, "int", fill=fill)
        values = (call.code, call.name, call.status.label, call.reporter, call.phone,
                  call.missing, call.note)  # fmt: skip
        for (_, first, last), value in zip(_CALL_COLUMNS[1:], values, strict=True):
            _span(book, ws, r, first, last, value, book.fmt(fill=fill))
    return head + len(calls)


def _span(
    book: Book, ws: Worksheet, row: int, first: int, last: int, text: str, fmt: Format
) -> None:
    """Text over columns first..last, merged when more than one."""
    if last > first:
        ws.merge_range(row, first, row, last, "", fmt)
    book.text(ws, row, first, text, fmt, last_col=last)


def _write_status_row(
    book: Book, ws: Worksheet, row: int, values: list[TableValue], o: UnitOutcome
) -> None:
    fill = o.status.color
    times = {SUBMITTED_COL: o.submitted_at, MODIFIED_COL: o.modified_at}
    for col, value in enumerate(values):
        if col in times:
            book.value(ws, row, col, times[col], fill=fill)
        elif col == LINK_COL:
            url = book.file_url(o)
            text = link_text(str(value or ""))
            if url:
                book.link(ws, row, col, url, text, fill)
            else:
                book.text(ws, row, col, text, book.fmt(fill=fill))
        else:
            kind = "one_dec" if isinstance(value, float) else "int"
            book.value(ws, row, col, value, kind, fill=fill)


def _write_status_chart(book: Book, ws: Worksheet, row: int, table: StatusTable) -> None:
    """A column chart of units per status, beside a small counts table under the status table."""
    counts = {item.key: item.value for item in table.counts}
    col = 1
    ws.write_string(row - 1, 0, "SỐ ĐƠN VỊ THEO TÌNH TRẠNG", book.style("subtitle"))
    book.text(ws, row, col, "Tình trạng", book.style("head"))
    book.text(ws, row, col + 1, "Số đơn vị", book.style("head"))
    for i, status in enumerate(Status, start=1):
        book.text(ws, row + i, col, status.label, book.fmt(fill=status.color))
        book.value(ws, row + i, col + 1, counts.get(status.value, 0), "int")
    chart = book.wb.add_chart({"type": "column"})
    name = ws.get_name()
    chart.add_series(
        {
            "name": "Số đơn vị",
            "categories": [name, row + 1, col, row + len(Status), col],
            "values": [name, row + 1, col + 1, row + len(Status), col + 1],
            "points": [
                {"fill": {"color": s.color}, "border": {"color": "#7F7F7F"}} for s in Status
            ],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": "Số đơn vị theo tình trạng"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"major_gridlines": {"visible": True}, "num_format": "0"})
    book.chart(ws, row, col + 3, chart, 1.2, 1.1)


# ------------------------------------------------------------------ Nhật ký


def _write_log(book: Book, ws: Worksheet, table: StatusTable) -> None:
    """Run facts as label/value rows, and submissions over time as a table and a line chart."""
    run = book.run
    book.title(ws, "NHẬT KÝ LẦN CHẠY")
    book.width(ws, 0, 30)
    book.width(ws, 1, 45)
    facts: list[tuple[str, object, str]] = [
        ("Lần chạy số", run.run_id, "int"),
        ("Thời điểm tính tình trạng", run.as_of, "text"),
        ("Bắt đầu chạy lúc", run.started_at, "text"),
        ("Nguồn dữ liệu", _SOURCE_KINDS.get(run.source_kind, run.source_kind), "text"),
        ("Mẫu báo cáo", book.schema.title or run.schema_id, "text"),
        ("Phiên bản mẫu", run.schema_version, "text"),
        ("Hạn nộp", _strip_label(run.deadline_text, "Hạn nộp:"), "text"),
        ("Cách hiểu hạn nộp", _deadline_rule(run), "text"),
        ("Giờ dùng trong bảng", zone_text(run), "text"),
        ("Hội nghị sơ kết", run.conference, "text"),
        ("Độ chính xác thời điểm nộp", run.precision_text, "text"),
        ("Số đơn vị đọc mới lần này", run.pulled, "int"),
        ("Số đơn vị dùng lại dữ liệu lần trước (tệp không đổi)", run.reused, "int"),
    ]
    for r, (label, value, kind) in enumerate(facts, start=2):
        book.text(ws, r, 0, label, book.style("label"))
        book.value(ws, r, 1, value, kind)
    for r, item in enumerate(table.counts, start=len(facts) + 2):
        book.text(ws, r, 0, item.label, book.style("label"))
        _count_value(book, ws, r, 1, item)
    end = len(facts) + len(table.counts) + 3
    book.note(ws, end, check_where(run), 0, 1)
    for i, line in enumerate(closed_units_lines(run), start=1):
        book.note(ws, end + i, f"Không phải nộp: {line}", 0, 1)
    _write_history(book, ws, 3, 3, _history(run, table))
    printable(ws, 0)


def _strip_label(text: str, label: str) -> str:
    """``text`` without a leading ``label`` (the fact's own label is in the cell beside it)."""
    text = text.strip()
    return text[len(label) :].strip() if text.casefold().startswith(label.casefold()) else text


def _deadline_rule(run: RunInfo) -> str:
    last = local_time(run.deadline_at, run.timezone)
    before = f"nộp trước {last:%H:%M} ngày {last:%d/%m/%Y}"
    if run.deadline_inclusive:
        return f"Tính cả ngày {run.deadline:%d/%m/%Y}: {before} là đúng hạn."
    return f"Không tính ngày {run.deadline:%d/%m/%Y}: {before} mới là đúng hạn."


def _history(run: RunInfo, table: StatusTable) -> list[HistoryPoint]:
    """Earlier runs, then this run (unless the history already ends with it)."""
    counts = {i.key: int(i.value or 0) for i in table.counts if not i.is_rate}
    now = HistoryPoint(run.as_of, counts["expected"], counts["submitted"], counts["on_time"])
    points = sorted(run.history, key=lambda p: p.at)
    if not points or points[-1].at != run.as_of:
        points.append(now)
    return points


def _write_history(
    book: Book, ws: Worksheet, row: int, col: int, points: list[HistoryPoint]
) -> None:
    """The history table at (row, col), with a line chart of the counts under it."""
    ws.write_string(row - 1, col, "DIỄN BIẾN QUA CÁC LẦN CHẠY", book.style("subtitle"))
    book.used(ws, row - 1, col)
    for c, (label, width) in enumerate(
        (("Thời điểm", 17), ("Dự kiến", 10), ("Đã nộp", 10), ("Đúng hạn", 10))
    ):
        book.width(ws, col + c, width)
        book.text(ws, row, col + c, label, book.style("head"))
    for r, p in enumerate(points, start=row + 1):
        book.value(ws, r, col, p.at)
        for c, value in enumerate((p.expected, p.submitted, p.on_time), start=1):
            book.value(ws, r, col + c, value, "int")
    last = row + len(points)
    chart = book.wb.add_chart({"type": "line"})
    name = ws.get_name()
    for c, color in ((1, "#7F7F7F"), (2, "#2E75B6"), (3, "#548235")):
        chart.add_series(
            {
                "name": [name, row, col + c],
                "categories": [name, row + 1, col, last, col],
                "values": [name, row + 1, col + c, last, col + c],
                "line": {
                    "color": color,
                    "width": 2.25,
                    **({"dash_type": "dash"} if c == 1 else {}),
                },
                "marker": {
                    "type": "circle",
                    "size": 5,
                    "fill": {"color": color},
                    "border": {"color": color},
                },
            }
        )
    chart.set_title({"name": "Số đơn vị đã nộp và nộp đúng hạn qua các lần chạy"})
    # A text axis: runs a few hours apart must not collapse into one day on a date axis.
    chart.set_x_axis(
        {"text_axis": True, "num_format": "dd/mm hh:mm", "num_font": {"rotation": -45}}
    )
    chart.set_y_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    book.chart(ws, last + 2, col, chart, 1.2, 1.2)
