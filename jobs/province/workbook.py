"""The province's tong-hop.xlsx, through the district workbook's writer (``outputs/cells.Book``).

Sheets: Toàn tỉnh (indicator × district, the province's figure, its target and the verdict),
Các huyện (each district's status and its units' counts), Theo loại hình (counts and figures by
unit type across the province). Same house style as the district's: values, not formulas;
landscape A4, one page wide, header rows repeated.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from sheets_schema import Schema

from ..model import RunInfo
from ..outputs.cells import FONT, Book, ratio_kind
from ..outputs.rollup import DistrictIndicator, number_kind
from ..outputs.words import local_time
from .read import DistrictRead
from .tables import COUNTS, ProvinceTables, count, figure

SHEETS = ("Toàn tỉnh", "Các huyện", "Theo loại hình")
_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_format_properties": FONT,
}
_ASSESSMENT_FILL = {"Vượt": "#C6EFCE", "Đạt": "#E2EFDA", "Chưa đạt": "#FFC7CE"}
_COUNT_LABELS = {
    "expected": "Số đơn vị phải nộp", "submitted": "Đã nộp", "on_time": "Đúng hạn",
    "late": "Trễ hạn", "overdue": "Quá hạn chưa nộp", "not_reporting": "Chưa nộp (mọi lý do)",
}  # fmt: skip


def workbook_bytes(schema: Schema, run: RunInfo, reads: Sequence[DistrictRead],
                   tables: ProvinceTables, type_labels: dict[str, str]) -> bytes:  # fmt: skip
    """The province workbook as .xlsx bytes; the same input gives the same bytes."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, dict(_OPTIONS))
    wb.set_properties({"title": f"Tổng hợp toàn tỉnh {schema.title}",
                       "subject": f"{schema.id} {schema.version}", "comments": f"Lần chạy {run.run_id}",
                       "created": local_time(run.as_of, run.timezone)})  # fmt: skip
    book = Book(wb, schema, run)
    sheets = {name: wb.add_worksheet(name) for name in SHEETS}
    names = {r.entry.code: r.entry.name for r in reads}
    _province(book, sheets["Toàn tỉnh"], tables, names)
    _districts(book, sheets["Các huyện"], reads, tables.district_counts)
    _types(book, sheets["Theo loại hình"], tables, type_labels)
    book.close()
    wb.close()
    return buffer.getvalue()


def _province(book: Book, ws: Worksheet, t: ProvinceTables, names: dict[str, str]) -> None:
    head = 3
    districts = list(t.by_district.columns)
    book.title(ws, "TỔNG HỢP TOÀN TỈNH SO VỚI CHỈ TIÊU NGHỊ QUYẾT CỦA TỈNH", book.schema.title)
    columns = [("STT", 5), ("Nhóm", 16), ("Chỉ tiêu", 36), ("Đơn vị tính", 17)]
    columns += [(names.get(d, d), 11) for d in districts]
    columns += [("Kết quả toàn tỉnh", 12), ("Chỉ tiêu của tỉnh", 11), ("Tỷ lệ so với chỉ tiêu", 10),
                ("Đánh giá", 12), ("Cách tổng hợp", 34)]  # fmt: skip
    book.header(ws, head, columns)
    book.note(
        ws,
        2,
        "Kết quả toàn tỉnh và của từng huyện tính lại từ số liệu của từng đơn vị cơ sở đã nộp "
        "(không lấy kết quả đã làm tròn của huyện): chỉ tiêu tỷ lệ = Σ tử số / Σ mẫu số của mọi "
        "đơn vị; bình quân gia quyền tính trên mọi đơn vị; số liệu do tỉnh nhập lấy ở mục "
        "[district_results] của tỉnh. Huyện chưa có kết quả dùng được để trống (xem trang Các huyện).",
        0,
        len(columns) - 1,
    )
    first = 4 + len(districts)
    for n, d in enumerate(t.province, start=1):
        row = head + n
        _indicator_row(book, ws, row, n, d, t.by_district, districts)
        book.value(ws, row, first, d.shown_result, d.kind, fill="#DDEBF7")
        book.value(ws, row, first + 1, d.shown_target, d.target_kind)
        book.value(ws, row, first + 2, d.shown_ratio, ratio_kind(d.ratio_decimals))
        book.text(
            ws, row, first + 3, d.assessment, book.fmt(fill=_ASSESSMENT_FILL.get(d.assessment))
        )
        book.text(ws, row, first + 4, d.how_at("tỉnh"), book.fmt())
    book.finish(ws, head, head + len(t.province), len(columns) - 1, freeze_cols=3)


def _districts(
    book: Book, ws: Worksheet, reads: Sequence[DistrictRead], counts: pd.DataFrame
) -> None:
    head = 2
    book.title(ws, "TÌNH HÌNH BÁO CÁO CỦA CÁC HUYỆN",
               "Mỗi huyện một dòng: kết quả của huyện có dùng được không, và số đơn vị cơ sở theo tình trạng.")  # fmt: skip
    columns = [("STT", 5), ("Mã huyện", 14), ("Tên", 22), ("Tình trạng", 13),
               ("Lần chạy của huyện", 15), *[(_COUNT_LABELS[c], 9) for c in COUNTS],
               ("Tỷ lệ nộp", 8), ("Ghi chú", 44)]  # fmt: skip
    book.header(ws, head, columns)
    row = head
    for n, r in enumerate(reads, start=1):
        row += 1
        book.value(ws, row, 0, n, "int")
        book.text(ws, row, 1, r.entry.code, book.fmt())
        book.text(ws, row, 2, r.entry.name, book.fmt())
        book.text(ws, row, 3, r.status.label, book.fmt(fill=r.status.color))
        book.value(ws, row, 4, r.as_of, "datetime")
        usable = r.entry.code in counts.index
        for c, name in enumerate(COUNTS):
            shown = count(counts, r.entry.code, name) if usable else None
            book.value(ws, row, 5 + c, shown, "int")
        expected = count(counts, r.entry.code, "expected")
        rate = count(counts, r.entry.code, "submitted") / expected if expected else None
        book.value(ws, row, 5 + len(COUNTS), rate, "ratio")
        book.text(ws, row, 6 + len(COUNTS), r.message, book.fmt())
    total = {name: sum(count(counts, d, name) for d in counts.index) for name in COUNTS}
    row += 1
    book.text(ws, row, 2, "Toàn tỉnh (các huyện dùng được)", book.fmt(bold=True))
    for c, name in enumerate(COUNTS):
        book.value(ws, row, 5 + c, total[name], "int")
    expected = total["expected"]
    rate = total["submitted"] / expected if expected else None
    book.value(ws, row, 5 + len(COUNTS), rate, "ratio")
    book.finish(ws, head, row, len(columns) - 1, freeze_cols=3)


def _types(book: Book, ws: Worksheet, t: ProvinceTables, labels: dict[str, str]) -> None:
    head = 2
    book.title(ws, "TỔNG HỢP THEO LOẠI HÌNH ĐƠN VỊ TRÊN TOÀN TỈNH",
               "Số đơn vị theo tình trạng, và kết quả từng chỉ tiêu tính trên các đơn vị cùng loại hình.")  # fmt: skip
    types = list(t.type_counts.index)
    columns = [("STT", 5), ("Nhóm", 16), ("Chỉ tiêu / Loại hình", 36), ("Đơn vị tính", 17)]
    columns += [(labels.get(k, k), 12) for k in types]
    book.header(ws, head, columns)
    row = head
    for c_name in COUNTS:
        row += 1
        book.text(ws, row, 2, _COUNT_LABELS[c_name], book.fmt(bold=True))
        for c, k in enumerate(types):
            book.value(ws, row, 4 + c, count(t.type_counts, k, c_name), "int")
    for n, d in enumerate(t.province, start=1):
        row += 1
        _indicator_row(book, ws, row, n, d, t.by_type, types)
    book.finish(ws, head, row, len(columns) - 1, freeze_cols=3)


def _indicator_row(book: Book, ws: Worksheet, row: int, n: int, d: DistrictIndicator,
                   frame: pd.DataFrame, groups: Sequence[str]) -> None:  # fmt: skip
    """An indicator's number, group, label and unit, then its figure in each of ``groups``
    (the columns from the fifth on), as ``frame`` holds them."""
    book.value(ws, row, 0, n, "int")
    book.text(ws, row, 1, d.indicator.group, book.fmt())
    book.text(ws, row, 2, d.label, book.fmt())
    book.text(ws, row, 3, d.unit, book.fmt())
    for c, key in enumerate(groups):
        value = figure(frame, d.indicator.key, key)
        book.value(ws, row, 4 + c, value, number_kind(d.indicator, value))
