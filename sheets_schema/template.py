"""Render the blank template workbook from the schema, with xlsxwriter.

Every input cell gets a workbook-level defined name equal to its field id; that name, not a cell
address, is how every reader finds it, so inserted rows or columns never break parsing. Only
features that survive LibreOffice and an upload to Google Sheets are used: defined names, list
validation, sheet protection without a password, number formats, frozen panes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .model import Field, FieldType, Indicator, Schema, Tab

LISTS_SHEET = "Danh mục"
GUIDE_SHEET = "Hướng dẫn"
# Pinned so that the same schema and unit always give the same bytes.
_CREATED = datetime(2023, 1, 1)
_INPUT_FILL = "#FFF8DC"
_GREY = "#D9D9D9"
_HEAD_FILL = "#1F4E78"


@dataclass(frozen=True)
class UnitInfo:
    """What the district prefills in a unit's copy."""

    code: str
    name: str
    type: str  # roster type code


def quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def abs_ref(
    title: str, row: int, col: int, row2: int | None = None, col2: int | None = None
) -> str:
    """An absolute reference such as 'Thông tin'!$C$5 or …!$B$4:$G$33 (0-based input)."""
    start = xlsxwriter.utility.xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
    if row2 is None or col2 is None:
        return f"{quote_sheet(title)}!{start}"
    end = xlsxwriter.utility.xl_rowcol_to_cell(row2, col2, row_abs=True, col_abs=True)
    return f"{quote_sheet(title)}!{start}:{end}"


def render_template(schema: Schema, unit: UnitInfo | None = None) -> bytes:
    """The template as .xlsx bytes; prefilled for ``unit`` when given."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties(
        {"title": schema.title, "subject": schema.id, "comments": f"Mẫu phiên bản {schema.version}",
         "created": _CREATED}
    )  # fmt: skip
    _Renderer(wb, schema, unit).render()
    wb.close()
    return buffer.getvalue()


class _Renderer:
    def __init__(self, wb: xlsxwriter.Workbook, schema: Schema, unit: UnitInfo | None) -> None:
        self.wb = wb
        self.schema = schema
        self.unit = unit
        self.list_refs: dict[str, str] = {}
        base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}
        self.f: dict[str, Format] = {
            "title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center",
                                    "valign": "vcenter", "text_wrap": True}),
            "sub": wb.add_format({**base, "italic": True, "align": "center", "text_wrap": True}),
            "head": wb.add_format({**base, "bold": True, "font_color": "white", "bg_color": _HEAD_FILL,
                                   "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}),
            "label": wb.add_format({**base, "border": 1, "text_wrap": True}),
            "group": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDEBF7"}),
            "center": wb.add_format({**base, "border": 1, "align": "center"}),
            "hint": wb.add_format({**base, "italic": True, "font_color": "#595959", "border": 1,
                                   "text_wrap": True, "font_size": 10}),
            "grey": wb.add_format({**base, "border": 1, "bg_color": _GREY, "text_wrap": True}),
            "guide": wb.add_format({**base, "text_wrap": True}),
            "guide_head": wb.add_format({**base, "bold": True, "font_size": 13}),
            "locked_value": wb.add_format({**base, "border": 1, "bg_color": "#F2F2F2", "bold": True,
                                           "num_format": "@"}),
        }  # fmt: skip
        self.inputs: dict[tuple[FieldType, bool], Format] = {}

    def input_format(self, ftype: FieldType, *, grey: bool = False, wrap: bool = False) -> Format:
        key = (ftype, grey or wrap)
        if key not in self.inputs:
            num = {
                FieldType.INTEGER: "#,##0",
                FieldType.DECIMAL: "#,##0.##",
                FieldType.PERCENT: "0.00",  # percent points, shown with a "%" label beside
                FieldType.DATE: "dd/mm/yyyy",
                FieldType.TEXT: "@",  # text, so a phone keeps its leading zero
            }.get(ftype, "General")
            self.inputs[key] = self.wb.add_format(
                {"font_name": "Times New Roman", "font_size": 12, "valign": "top", "border": 1,
                 "locked": False, "num_format": num, "bg_color": _GREY if grey else _INPUT_FILL,
                 "text_wrap": ftype is FieldType.TEXT})  # fmt: skip
        return self.inputs[key]

    # ------------------------------------------------------------------ workbook
    def render(self) -> None:
        guide = self.wb.add_worksheet(GUIDE_SHEET)
        sheets = {tab.id: self.wb.add_worksheet(tab.title) for tab in self.schema.tabs}
        lists = self.wb.add_worksheet(LISTS_SHEET)
        self.write_lists(lists)
        for tab in self.schema.tabs:
            ws = sheets[tab.id]
            ws.set_landscape()
            ws.set_paper(9)  # A4
            ws.fit_to_pages(1, 0)
            getattr(self, f"layout_{tab.layout}")(ws, tab)
            ws.protect("", {"format_rows": True, "format_columns": True})
        self.write_guide(guide)
        guide.protect("", {"format_columns": True})
        self.wb.worksheets()[1].activate()

    def write_lists(self, ws: Worksheet) -> None:
        for col, (name, items) in enumerate(self.schema.choices.items()):
            ws.write_string(0, col, name)
            for row, item in enumerate(items, start=1):
                ws.write_string(row, col, item)
            self.list_refs[name] = "=" + abs_ref(LISTS_SHEET, 1, col, len(items), col)
        ws.hide()
        ws.protect("")

    def heading(self, ws: Worksheet, tab: Tab, last_col: int) -> None:
        ws.merge_range(0, 0, 0, last_col, tab.heading, self.f["title"])
        ws.set_row(0, 36)
        who = f"Đơn vị: {self.unit.name}" if self.unit else "Đơn vị: ……………………"
        ws.merge_range(1, 0, 1, last_col, f"{self.schema.title} — {who}", self.f["sub"])
        ws.set_row(1, 32)

    def note(self, ws: Worksheet, last_col: int, text: str) -> None:
        """An instruction line under the heading, across the whole table."""
        ws.merge_range(2, 0, 2, last_col, text, self.f["guide"])
        ws.set_row(2, 34)

    def name(self, ws: Worksheet, ident: str, row: int, col: int) -> None:
        self.wb.define_name(ident, "=" + abs_ref(ws.get_name(), row, col))

    def validate(
        self, ws: Worksheet, row: int, col: int, f: Field, row2: int | None = None
    ) -> None:
        last = row if row2 is None else row2
        if f.type is FieldType.CHOICE or (
            f.type is FieldType.BOOL and "xac_nhan" in self.schema.choices
        ):
            source = self.list_refs[f.choice_list or "xac_nhan"]
            ws.data_validation(row, col, last, col, {
                "validate": "list", "source": source, "error_type": "warning",
                "error_title": "Giá trị không có trong danh sách",
                "error_message": "Hãy chọn một giá trị trong danh sách thả xuống.",
                "input_title": f.label[:32], "input_message": (f.hint or "Chọn trong danh sách.")[:255],
            })  # fmt: skip
        elif f.hint:
            ws.data_validation(row, col, last, col, {
                "validate": "any", "input_title": f.label[:32], "input_message": f.hint[:255],
            })  # fmt: skip

    def prefill(self, f: Field) -> Any:
        if f.prefill == "version":
            return self.schema.version
        if self.unit is None:
            return None
        return {
            "unit_code": self.unit.code,
            "unit_name": self.unit.name,
            "unit_type": self.schema.unit_types.get(self.unit.type),
        }.get(f.prefill or "")

    # ------------------------------------------------------------------ layouts
    def layout_form(self, ws: Worksheet, tab: Tab) -> None:
        self.heading(ws, tab, 3)
        for col, (title, width) in enumerate(
            [("STT", 6), ("Nội dung", 55), ("Giá trị", 34), ("Hướng dẫn", 45)]
        ):
            ws.write_string(3, col, title, self.f["head"])
            ws.set_column(col, col, width)
        ws.freeze_panes(4, 0)
        for i, f in enumerate(tab.fields):
            row = 4 + i
            ws.write_number(row, 0, i + 1, self.f["center"])
            ws.write_string(row, 1, f.label, self.f["label"])
            ws.write_string(row, 3, f.hint, self.f["hint"])
            value = self.prefill(f)
            locked = f.prefill is not None and f.prefill != "unit_type"
            fmt = self.f["locked_value"] if locked else self.input_format(f.type)
            if value is None:
                ws.write_blank(row, 2, None, fmt)
            else:
                ws.write_string(row, 2, str(value), fmt)
            if not locked:
                self.validate(ws, row, 2, f)
            self.name(ws, f.id, row, 2)

    def layout_narrative(self, ws: Worksheet, tab: Tab) -> None:
        self.heading(ws, tab, 2)
        for col, (title, width) in enumerate([("STT", 6), ("Nội dung kiểm điểm", 36),
                                              ("Báo cáo của đơn vị", 100)]):  # fmt: skip
            ws.write_string(3, col, title, self.f["head"])
            ws.set_column(col, col, width)
        ws.freeze_panes(4, 0)
        for i, f in enumerate(tab.fields):
            row = 4 + i
            ws.set_row(row, 150)
            ws.write_number(row, 0, i + 1, self.f["center"])
            ws.write_string(row, 1, f.label, self.f["label"])
            ws.write_blank(row, 2, None, self.input_format(f.type, wrap=True))
            ws.data_validation(row, 2, row, 2, {
                "validate": "any", "input_title": "Viết nội dung",
                "input_message": f"Ít nhất {self.schema.min_chars} ký tự, có thể nhiều đoạn "
                                 "(Alt+Enter hoặc Ctrl+Enter để xuống dòng trong ô).",
            })  # fmt: skip
            self.name(ws, f.id, row, 2)

    def layout_indicators(self, ws: Worksheet, tab: Tab) -> None:
        heads = [("STT", 5), ("Chỉ tiêu", 44), ("Đơn vị tính", 20), ("NQ đề ra (đến 2025)", 13),
                 ("Kết quả giữa nhiệm kỳ", 13), ("Tử số", 13), ("Mẫu số", 13),
                 ("Dự báo cuối nhiệm kỳ", 13), ("Ghi chú", 36)]  # fmt: skip
        self.heading(ws, tab, len(heads) - 1)
        for col, (title, width) in enumerate(heads):
            ws.write_string(3, col, title, self.f["head"])
            ws.set_column(col, col, width)
        ws.set_row(3, 48)
        self.note(
            ws, len(heads) - 1,
            "Tỷ lệ (%) nhập số phần trăm, ví dụ 97,18 (không cần gõ dấu %). Chỉ tiêu không áp dụng: "
            "nhập “Không áp dụng” vào ô Kết quả và ghi lý do ở cột Ghi chú.",
        )  # fmt: skip
        ws.freeze_panes(4, 2)
        row, group = 4, None
        for i, ind in enumerate(tab.indicators):
            if ind.group != group:
                group = ind.group
                ws.merge_range(row, 0, row, len(heads) - 1, group, self.f["group"])
                row += 1
            self.indicator_row(ws, row, i + 1, ind)
            row += 1

    def indicator_row(self, ws: Worksheet, row: int, number: int, ind: Indicator) -> None:
        grey = self.unit is not None and not ind.applies(self.unit.type)
        label = ind.label + (" (không áp dụng cho loại hình đơn vị)" if grey else "")
        label_fmt = self.f["grey"] if grey else self.f["label"]
        ws.write_number(row, 0, number, self.f["center"])
        ws.write_string(row, 1, label, label_fmt)
        ws.write_string(row, 2, ind.unit, label_fmt)
        for col, part in zip(range(3, 9), ("nq", "kq", "tu_so", "mau_so", "du_bao", "ghi_chu"),
                             strict=True):  # fmt: skip
            if part not in ind.parts:
                ws.write_string(row, col, "—", self.f["grey"])
                continue
            f = self.schema.field(ind.field_id(part))
            ws.write_blank(row, col, None, self.input_format(f.type, grey=grey))
            if f.type is FieldType.CHOICE:
                self.validate(ws, row, col, f)
            self.name(ws, f.id, row, col)

    def layout_table(self, ws: Worksheet, tab: Tab) -> None:
        table = tab.table
        assert table is not None
        last = len(table.columns)
        self.heading(ws, tab, last)
        self.note(
            ws, last,
            "Mỗi dòng một hạn chế. Dòng đã có nội dung phải ghi đủ: "
            + ", ".join(table.column(c).label for c in table.row_required)
            + f". Cần ít nhất một dòng có nguyên nhân “{table.require_value}”.",
        )  # fmt: skip
        ws.write_string(3, 0, "STT", self.f["head"])
        ws.set_column(0, 0, 5)
        for c, col in enumerate(table.columns, start=1):
            ws.write_string(3, c, col.label, self.f["head"])
            ws.set_column(c, c, col.width)
        ws.freeze_panes(4, 0)
        first, end = 4, 4 + table.max_rows - 1
        for r in range(first, end + 1):
            ws.write_number(r, 0, r - first + 1, self.f["center"])
            for c, col in enumerate(table.columns, start=1):
                ws.write_blank(r, c, None, self.input_format(col.type))
        for c, col in enumerate(table.columns, start=1):
            if col.choice_list:
                ws.data_validation(first, c, end, c, {
                    "validate": "list", "source": self.list_refs[col.choice_list],
                    "error_type": "warning", "error_title": "Giá trị không có trong danh sách",
                    "error_message": "Hãy chọn một giá trị trong danh sách thả xuống.",
                })  # fmt: skip
        self.wb.define_name(table.name, "=" + abs_ref(ws.get_name(), first, 1, end, last))

    def write_guide(self, ws: Worksheet) -> None:
        ws.set_column(0, 0, 110)
        lines = guide_lines(self.schema)
        for row, (text, head) in enumerate(lines):
            ws.write_string(row, 0, text, self.f["guide_head"] if head else self.f["guide"])


def guide_lines(schema: Schema) -> list[tuple[str, bool]]:
    """The instructions tab, in Vietnamese: (text, is_heading) lines."""
    tabs = " → ".join(f"“{t.title}”" for t in schema.tabs)
    return [
        (schema.title, True),
        (f"Mẫu phiên bản {schema.version}. Hướng dẫn điền báo cáo.", False),
        ("", False),
        ("1. Điền lần lượt các trang: " + tabs + ".", False),
        ("2. Chỉ nhập vào các ô nền vàng. Các ô khác đã khóa; không xóa, đổi tên trang, không xóa "
         "hay chèn hàng, cột trong bảng.", False),
        ("3. Số viết theo kiểu Việt Nam: dấu chấm ngăn cách hàng nghìn, dấu phẩy thập phân "
         "(1.234,5). Tỷ lệ (%) nhập số phần trăm, ví dụ 97,18; không gõ dấu %.", False),
        ("4. Ngày viết ngày/tháng/năm, ví dụ 20/03/2023.", False),
        ("5. Chỉ tiêu không áp dụng cho đơn vị: nhập “Không áp dụng” vào ô Kết quả và ghi lý do ở "
         "cột Ghi chú. Chỉ tiêu chưa đạt hoặc dự báo khó đạt, không đạt: bắt buộc ghi chú.", False),
        (f"6. Mỗi mục kiểm điểm viết nội dung thật, ít nhất {schema.min_chars} ký tự; không ghi "
         "“đang cập nhật”, “x”, “.”.", False),
        ("7. Số liệu kiểm tra, giám sát: nhập 0 nếu không phát sinh. Tổng số đảng viên bị kỷ luật "
         "phải bằng tổng các hình thức.", False),
        ("8. Bảng hạn chế: mỗi dòng ghi đủ hạn chế, loại nguyên nhân, nguyên nhân, giải pháp; phải "
         "có ít nhất một nguyên nhân chủ quan.", False),
        ("9. Khi hoàn thành, chọn “Có” ở ô “Đã hoàn thành, gửi Ban Thường vụ Huyện ủy” (trang "
         "Thông tin). Báo cáo được tính là đã nộp khi đã xác nhận và không còn lỗi; hệ thống tự "
         "ghi nhận thời điểm nộp.", False),
        ("10. Bảng tổng hợp tình trạng các đơn vị được cập nhật định kỳ; lỗi của từng ô được liệt "
         "kê để đơn vị sửa.", False),
    ]  # fmt: skip
