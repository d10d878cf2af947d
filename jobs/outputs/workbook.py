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
from xlsxwriter.worksheet import Worksheet

from sheets_schema import Finding, Schema

from ..model import HistoryPoint, RunInfo, Status, UnitOutcome
from .cells import Book, printable
from .district import write_district
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
    StatusTable,
    TableValue,
    status_table,
)
from .words import local_time

SHEET_NAMES = (
    "Tình trạng",
    "Toàn huyện",
    "Chỉ tiêu",
    "Kiểm điểm",
    "Kiểm tra giám sát",
    "Hạn chế - Giải pháp",
    "Lỗi",
    "Nhật ký",
)
# xlsxwriter would otherwise turn "=1+1" into a formula, "http://…" into a link and
# "1.234,5"-like strings into numbers: unit text must stay exactly what was typed.
_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
_STATUS_WIDTHS = {
    "STT": 5, "Mã đơn vị": 16, "Tên đơn vị": 30, "Loại hình": 16, "Tình trạng": 16,
    "Hoàn thành (%)": 11, "Lỗi": 7, "Cảnh báo": 9, "Đã xác nhận": 10, "Hạn nộp": 22,
    "Thời điểm nộp": 16, "Sửa lần cuối": 16, "Sửa sau khi nộp": 10, "Ghi chú": 44,
    "Liên kết": 32,
}  # fmt: skip
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

    ``outcomes`` are in roster order. Links to local unit files are relative to ``link_base``,
    by default the target's folder. A path target is replaced only once the new workbook is
    complete, so readers never see half a file. Returns the TRUNCATED findings made for unit
    text longer than an Excel cell holds, as (unit code, finding); they are also on "Lỗi".
    """
    if link_base is None and not isinstance(target, io.BytesIO):
        link_base = Path(target).resolve().parent
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
    book = Book(wb, schema, run, Path(link_base) if link_base is not None else None)
    sheets = {name: wb.add_worksheet(name) for name in SHEET_NAMES}
    table = status_table(outcomes, run, schema.unit_types)
    _write_status(book, sheets["Tình trạng"], table, outcomes)
    write_district(book, sheets["Toàn huyện"], outcomes)
    write_indicators(book, sheets["Chỉ tiêu"], outcomes)
    write_narratives(book, sheets["Kiểm điểm"], outcomes)
    write_counts(book, sheets["Kiểm tra giám sát"], outcomes)
    write_limitations(book, sheets["Hạn chế - Giải pháp"], outcomes)
    write_findings(book, sheets["Lỗi"], outcomes)  # after the others: it lists their cuts
    _write_log(book, sheets["Nhật ký"], table)
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
    """The status table, coloured by status, under its notes and counts, with a chart."""
    book.title(ws, "TÌNH TRẠNG NỘP BÁO CÁO SƠ KẾT GIỮA NHIỆM KỲ", book.schema.title)
    for n, note in enumerate(table.notes):
        ws.write_string(2 + n, 1, note)
    counts_row = 3 + len(table.notes)
    _write_count_block(book, ws, counts_row, table)
    head = counts_row + 3
    book.header(ws, head, [(h, _STATUS_WIDTHS.get(h, 14)) for h in table.header])
    for i, (values, o) in enumerate(zip(table.rows, outcomes, strict=True)):
        _write_status_row(book, ws, head + 1 + i, values, o)
    last = head + len(table.rows)
    book.finish(ws, head, last, len(table.header) - 1, freeze_cols=3)
    ws.print_area(0, 0, last, len(table.header) - 1)
    _write_status_chart(book, ws, head, len(table.header) + 1, table)


def _write_count_block(book: Book, ws: Worksheet, row: int, table: StatusTable) -> None:
    for c, item in enumerate(table.counts, start=1):
        ws.write_string(row, c, item.label, book.style("head"))
        book.value(ws, row + 1, c, item.value, "ratio" if item.is_rate else "int")
    ws.set_row(row, 45)


def _write_status_row(
    book: Book, ws: Worksheet, row: int, values: list[TableValue], o: UnitOutcome
) -> None:
    fill = o.status.color
    times = {SUBMITTED_COL: o.submitted_at, MODIFIED_COL: o.modified_at}
    for col, value in enumerate(values):
        if col in times:
            book.value(ws, row, col, times[col], fill=fill)
        elif col == LINK_COL and value:
            book.link(ws, row, col, book.file_url(o), str(value), fill)
        else:
            kind = "one_dec" if isinstance(value, float) else "int"
            book.value(ws, row, col, value, kind, fill=fill)


def _write_status_chart(book: Book, ws: Worksheet, row: int, col: int, table: StatusTable) -> None:
    """A column chart of units per status, from a small counts table beside the status table."""
    counts = {item.key: item.value for item in table.counts}
    ws.write_string(row, col, "Tình trạng", book.style("head"))
    ws.write_string(row, col + 1, "Số đơn vị", book.style("head"))
    ws.set_column(col, col, 20)
    ws.set_column(col + 1, col + 1, 10)
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
    ws.insert_chart(row + len(Status) + 2, col, chart, {"x_scale": 1.2, "y_scale": 1.1})


# ------------------------------------------------------------------ Nhật ký


def _write_log(book: Book, ws: Worksheet, table: StatusTable) -> None:
    """Run facts as label/value rows, and submissions over time as a table and a line chart."""
    run = book.run
    book.title(ws, "NHẬT KÝ LẦN CHẠY")
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 60)
    facts: list[tuple[str, object, str]] = [
        ("Lần chạy số", run.run_id, "int"),
        ("Thời điểm tính tình trạng", run.as_of, "text"),
        ("Bắt đầu chạy lúc", run.started_at, "text"),
        ("Nguồn dữ liệu", _SOURCE_KINDS.get(run.source_kind, run.source_kind), "text"),
        ("Mẫu báo cáo", run.schema_id, "text"),
        ("Phiên bản mẫu", run.schema_version, "text"),
        ("Hạn nộp", run.deadline_text, "text"),
        ("Cách hiểu hạn nộp", _deadline_rule(run), "text"),
        ("Múi giờ", run.timezone, "text"),
        ("Hội nghị sơ kết", run.conference, "text"),
        ("Độ chính xác thời điểm nộp", run.precision_text, "text"),
        ("Số đơn vị đọc mới lần này", run.pulled, "int"),
        ("Số đơn vị dùng lại dữ liệu lần trước (tệp không đổi)", run.reused, "int"),
        *((i.label, i.value, "ratio" if i.is_rate else "int") for i in table.counts),
    ]
    for r, (label, value, kind) in enumerate(facts, start=2):
        ws.write_string(r, 0, label, book.style("label"))
        book.value(ws, r, 1, value, kind)
    _write_history(book, ws, 3, 3, _history(run, table))
    printable(ws)


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
    for c, (label, width) in enumerate(
        (("Thời điểm", 17), ("Dự kiến", 10), ("Đã nộp", 10), ("Đúng hạn", 10))
    ):
        ws.write_string(row, col + c, label, book.style("head"))
        ws.set_column(col + c, col + c, width)
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
    ws.insert_chart(last + 2, col, chart, {"x_scale": 1.2, "y_scale": 1.2})
