"""The workbook's "Lịch sử thay đổi" sheet: what units changed after they first submitted.

Newest first; a change made at or after the unit's deadline is marked. A long text shows only
its length before and after; `tonghop history CODE` prints the whole change.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from sheets_schema.values import fmt_number

from ..history import after_deadline, is_long, shown_change, unit_deadlines
from ..model import UnitOutcome
from .cells import Book

SHEET = "Lịch sử thay đổi"
_LATE_FILL = "#FFC7CE"
# The sheet lists the newest changes only, so a long review's workbook stays quick to write
# and to print; `tonghop history` keeps every one.
MAX_ROWS = 2000


def write_history(book: Book, ws: Worksheet, outcomes: list[UnitOutcome]) -> None:
    """One row per field a unit changed after its first submission, newest first."""
    head = 3
    every = book.run.field_changes
    deadlines = unit_deadlines(outcomes)
    late_units = {c.unit_code for c in every if after_deadline(c, deadlines)}
    changes = every[:MAX_ROWS]  # newest first
    book.title(ws, "LỊCH SỬ THAY ĐỔI SAU KHI NỘP")
    book.note(
        ws,
        1,
        "Các ô đơn vị sửa sau lần đầu hệ thống thấy đơn vị đã nộp, mới nhất trước. Thời điểm "
        "sửa là thời điểm Google Drive ghi nhận (bảng tính Google) hoặc thời điểm lưu tệp (tệp "
        "Excel); dòng tô đỏ là sửa từ hạn nộp trở đi. Nội dung dài chỉ ghi số ký tự; toàn văn "
        "xem bằng lệnh tonghop history MÃ_ĐƠN_VỊ.",
        0,
        11,
    )
    summary = (
        f"{fmt_number(len(every))} thay đổi; {len(late_units)} đơn vị sửa sau hạn nộp."
        if every
        else "Chưa có đơn vị nào sửa báo cáo sau khi nộp."
    )
    if len(every) > MAX_ROWS:
        summary += (
            f" Bảng chỉ liệt kê {fmt_number(MAX_ROWS)} thay đổi mới nhất; các thay đổi cũ hơn "
            "xem bằng lệnh tonghop history MÃ_ĐƠN_VỊ."
        )
    book.note(ws, 2, summary, 0, 11)
    names = {o.unit.code: o.unit.name for o in outcomes}
    labels = [c.label(book.schema) for c in changes]
    book.header(
        ws,
        head,
        [
            ("STT", 4.5),
            ("Thời điểm sửa", 15.5),
            ("Mã đơn vị", book.fit_width((c.unit_code for c in changes), 9, 18)),
            ("Tên đơn vị", book.fit_width(names.values(), 14, 24)),
            ("Mục", book.fit_width(labels, 16, 34)),
            ("Trang", 11),
            ("Ô", 6),
            ("Giá trị cũ", 22),
            ("Giá trị mới", 22),
            ("Người sửa", 14),
            ("Sau hạn nộp", 8),
            ("Lần chạy", 6.5),
        ],
    )
    row = head
    for number, (change, label) in enumerate(zip(changes, labels, strict=True), start=1):
        row += 1
        late = after_deadline(change, deadlines)
        fill = _LATE_FILL if late else None
        old, new = shown_change(change)
        book.value(ws, row, 0, number, "int", fill=fill)
        book.value(ws, row, 1, change.changed_at, "datetime", fill=fill)
        book.text(ws, row, 2, change.unit_code, book.fmt(fill=fill))
        book.text(ws, row, 3, names.get(change.unit_code, ""), book.fmt(fill=fill))
        book.text(ws, row, 4, label, book.fmt(fill=fill))
        book.text(ws, row, 5, change.tab, book.fmt(fill=fill))
        book.text(ws, row, 6, change.cell, book.fmt(fill=fill))
        if is_long(change):  # one cell over both columns: the lengths and where the text is
            ws.merge_range(row, 7, row, 8, "", book.fmt(fill=fill))
            whole = f"{old}; toàn văn: tonghop history {change.unit_code} --field {change.field}"
            book.text(ws, row, 7, whole, book.fmt(fill=fill), last_col=8)
        else:
            book.text(ws, row, 7, old, book.fmt(fill=fill))
            book.text(ws, row, 8, new, book.fmt(fill=fill))
        book.text(ws, row, 9, change.editor, book.fmt(fill=fill))
        book.text(ws, row, 10, "Sau hạn" if late else "", book.fmt(fill=fill))
        book.value(ws, row, 11, change.run_id, "int", fill=fill)
    book.finish(ws, head, row, 11, freeze_cols=3)
