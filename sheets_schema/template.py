"""Render the blank template workbook from the schema, with xlsxwriter.

Every input cell gets a workbook-level defined name equal to its field id; that name, not a cell
address, is how every reader finds it, so inserted rows or columns never break parsing. Only
features that survive LibreOffice and an upload to Google Sheets are used: defined names, data
validation (checks.py), conditional formats, formulas over defined names (the progress line,
progress.py), sheet protection without a password, number formats, frozen panes, page setup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from . import checks, progress
from .model import (
    FILLED_NAME,
    INDICATOR_FILLED_NAME,
    INDICATOR_REQUIRED_NAME,
    PROGRESS_NAME,
    REQUIRED_NAME,
    Field,
    FieldType,
    Indicator,
    Schema,
    Tab,
)

LISTS_SHEET = "Danh mục"
GUIDE_SHEET = "Hướng dẫn"
# Pinned so that the same schema and unit always give the same bytes.
_CREATED = datetime(2023, 1, 1)
_INPUT_FILL = "#FFF8DC"
_GREY = "#D9D9D9"
_HEAD_FILL = "#1F4E78"
_MAX_ROW_PT = 409  # Excel's largest row height
_HEADER_ROW = 3  # 0-based: the table header under title, subtitle and note


def fit_height(*texts: tuple[str, float, float], minimum: float = 15.75) -> float:
    """A row height (pt) fitting every (text, column width in characters, font pt) wrapped.

    Column widths count the digit "0" of the default font; a Times New Roman letter of the same
    size is about as wide, and the estimate leaves a margin so nothing prints cut.
    """
    lines_pt = minimum
    for text, width, size in texts:
        per_line = max(1.0, width * 11 / size * 0.95 - 1)
        lines = sum(max(1, -(-len(p) // int(per_line))) for p in text.split("\n"))
        lines_pt = max(lines_pt, lines * size * 1.3 + 4)
    return min(_MAX_ROW_PT, round(lines_pt, 1))


# Hints of the cells the district prefills, in the blank template that has no unit: the unit
# types them (or asks for its prefilled copy) instead of being told not to touch empty cells.
BLANK_HINTS = {
    "unit_code": "Mẫu trống: nhập đúng mã đơn vị Huyện ủy đã cấp (hỏi Văn phòng Huyện ủy), hoặc "
    "xin Văn phòng Huyện ủy bảng tính đã điền sẵn mã và tên của đơn vị.",
    "unit_name": "Mẫu trống: nhập tên đơn vị như trong danh sách của Huyện ủy.",
}


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
        self.where: dict[str, tuple[str, int, int]] = {}  # defined name → (sheet, row, col)
        self.sheets: dict[str, Worksheet] = {}
        self.last: dict[str, tuple[int, int]] = {}  # sheet title → last used (row, col)
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
            "guide_head": wb.add_format({**base, "bold": True, "font_size": 13, "text_wrap": True}),
            "progress": wb.add_format({**base, "bold": True, "font_color": "#1F4E78", "text_wrap": True,
                                       "valign": "vcenter", "border": 1, "bg_color": "#E2EFDA"}),
            "red": wb.add_format(checks.RED),
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
                # Percent points, shown with a "%" label beside. (Google copies get a percent
                # format at provisioning, google_admin: there a typed "95%" could otherwise keep
                # this format and read as 0.95. Not here: a percent format in the .xlsx would
                # send every filled file to the slow reader, sync/excel.py.)
                FieldType.PERCENT: "0.00",
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
        self.sheets = {tab.title: sheets[tab.id] for tab in self.schema.tabs}
        lists = self.wb.add_worksheet(LISTS_SHEET)
        self.write_lists(lists)
        for tab in self.schema.tabs:
            ws = sheets[tab.id]
            getattr(self, f"layout_{tab.layout}")(ws, tab)
        self.write_progress(lists, sheets[self.schema.tabs[0].id])
        self.add_red_rules()
        for tab in self.schema.tabs:
            ws = sheets[tab.id]
            last_row, last_col = self.last[tab.title]
            self.page_setup(ws, last_row, last_col, repeat=_HEADER_ROW, landscape=True)
            ws.protect("", {"format_rows": True, "format_columns": True})
        self.write_guide(guide)
        guide.protect("", {"format_columns": True, "format_rows": True})
        self.wb.worksheets()[1].activate()

    @staticmethod
    def page_setup(
        ws: Worksheet, last_row: int, last_col: int, *, repeat: int | None, landscape: bool
    ) -> None:
        """A4, one page wide, header rows repeated, print area over all content."""
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.print_area(0, 0, last_row, last_col)
        if repeat is not None:
            ws.repeat_rows(repeat)

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
        self.where[ident] = (ws.get_name(), row, col)

    def validate(self, ws: Worksheet, row: int, col: int, f: Field) -> None:
        """The field's data validation (checks.py), in the warning style."""
        source = self.list_refs.get(f.choice_list or "xac_nhan")
        cell = xlsxwriter.utility.xl_rowcol_to_cell(row, col)
        options = checks.field_validation(self.schema, f, cell, source)
        if options is not None:
            ws.data_validation(row, col, row, col, options)

    def prefill(self, f: Field) -> Any:
        """What the district writes into ``f`` in this copy; None leaves it for the unit."""
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
    def rule_notes(self) -> dict[str, list[str]]:
        """Each [[rule]]'s meaning, keyed by the field it marks, for the hint column."""
        notes: dict[str, list[str]] = {}
        for rule in self.schema.rules:
            notes.setdefault(rule.left, []).append(checks.cross_rule(self.schema, rule).meaning)
        return notes

    def layout_form(self, ws: Worksheet, tab: Tab) -> None:
        self.heading(ws, tab, 3)
        widths = [("STT", 6), ("Nội dung", 55), ("Giá trị", 34), ("Hướng dẫn", 45)]
        for col, (title, width) in enumerate(widths):
            ws.write_string(_HEADER_ROW, col, title, self.f["head"])
            ws.set_column(col, col, width)
        ws.freeze_panes(_HEADER_ROW + 1, 0)
        notes = self.rule_notes()
        for i, f in enumerate(tab.fields):
            row = _HEADER_ROW + 1 + i
            # The blank template has no unit to prefill: its code and name are the unit's to type.
            own = self.unit is None and f.prefill in BLANK_HINTS
            if own:
                f = replace(f, hint=BLANK_HINTS[f.prefill or ""])
            hint = " ".join([f.hint, *(f"Ô đỏ khi sai: {n}" for n in notes.get(f.id, []))]).strip()
            ws.write_number(row, 0, i + 1, self.f["center"])
            ws.write_string(row, 1, f.label, self.f["label"])
            ws.write_string(row, 3, hint, self.f["hint"])
            ws.set_row(row, fit_height((f.label, 55, 12), (hint, 45, 10), (" ", 34, 12)))
            value = self.prefill(f)
            locked = f.prefill is not None and f.prefill != "unit_type" and not own
            fmt = self.f["locked_value"] if locked else self.input_format(f.type)
            if value is None:
                ws.write_blank(row, 2, None, fmt)
            else:
                ws.write_string(row, 2, str(value), fmt)
            if not locked:
                self.validate(ws, row, 2, f)
            self.name(ws, f.id, row, 2)
        self.last[tab.title] = (_HEADER_ROW + len(tab.fields), 3)

    def layout_narrative(self, ws: Worksheet, tab: Tab) -> None:
        self.heading(ws, tab, 2)
        for col, (title, width) in enumerate([("STT", 6), ("Nội dung kiểm điểm", 36),
                                              ("Báo cáo của đơn vị", 100)]):  # fmt: skip
            ws.write_string(_HEADER_ROW, col, title, self.f["head"])
            ws.set_column(col, col, width)
        ws.freeze_panes(_HEADER_ROW + 1, 0)
        for i, f in enumerate(tab.fields):
            row = _HEADER_ROW + 1 + i
            ws.set_row(row, 150)
            ws.write_number(row, 0, i + 1, self.f["center"])
            ws.write_string(row, 1, f.label, self.f["label"])
            ws.write_blank(row, 2, None, self.input_format(f.type, wrap=True))
            options = checks.field_validation(self.schema, f, "C1")
            assert options is not None
            options["input_message"] = checks.short_message(
                options["input_message"] + " Có thể viết nhiều đoạn (Alt+Enter hoặc Ctrl+Enter "
                "để xuống dòng trong ô)."
            )
            ws.data_validation(row, 2, row, 2, options)
            self.name(ws, f.id, row, 2)
        self.last[tab.title] = (_HEADER_ROW + len(tab.fields), 2)

    def layout_indicators(self, ws: Worksheet, tab: Tab) -> None:
        heads = [("STT", 5), ("Chỉ tiêu", 44), ("Đơn vị tính", 20), ("NQ đề ra (đến 2025)", 13),
                 ("Kết quả giữa nhiệm kỳ", 13), ("Tử số", 13), ("Mẫu số", 13),
                 ("Dự báo cuối nhiệm kỳ", 13), ("Ghi chú", 36)]  # fmt: skip
        self.heading(ws, tab, len(heads) - 1)
        for col, (title, width) in enumerate(heads):
            ws.write_string(_HEADER_ROW, col, title, self.f["head"])
            ws.set_column(col, col, width)
        ws.set_row(_HEADER_ROW, 48)
        self.note(
            ws, len(heads) - 1,
            "Tỷ lệ (%) nhập số phần trăm, ví dụ 97,18 (không cần gõ dấu %). Chỉ tiêu không áp dụng: "
            "nhập “Không áp dụng” vào ô Kết quả và ghi lý do ở cột Ghi chú. Ô chuyển đỏ: tử số lớn "
            "hơn mẫu số, kết quả không khớp tử số/mẫu số, thiếu ghi chú bắt buộc, hoặc ô bắt buộc "
            "còn trống sau khi đã xác nhận hoàn thành (xem trang “Hướng dẫn”).",
        )  # fmt: skip
        ws.set_row(2, 48)
        ws.freeze_panes(_HEADER_ROW + 1, 2)
        row, group = _HEADER_ROW + 1, None
        for i, ind in enumerate(tab.indicators):
            if ind.group != group:
                group = ind.group
                ws.merge_range(row, 0, row, len(heads) - 1, group, self.f["group"])
                row += 1
            self.indicator_row(ws, row, i + 1, ind)
            row += 1
        self.last[tab.title] = (row - 1, len(heads) - 1)

    def indicator_row(self, ws: Worksheet, row: int, number: int, ind: Indicator) -> None:
        grey = self.unit is not None and not ind.applies(self.unit.type)
        label = ind.label + (" (không áp dụng cho loại hình đơn vị)" if grey else "")
        label_fmt = self.f["grey"] if grey else self.f["label"]
        ws.write_number(row, 0, number, self.f["center"])
        ws.write_string(row, 1, label, label_fmt)
        ws.write_string(row, 2, ind.unit, label_fmt)
        # Room for a three-line note (the Ghi chú column), or the label if it is longer.
        ws.set_row(row, fit_height((label, 44, 12), (ind.unit, 20, 12), minimum=48))
        for col, part in zip(range(3, 9), ("nq", "kq", "tu_so", "mau_so", "du_bao", "ghi_chu"),
                             strict=True):  # fmt: skip
            if part not in ind.parts:
                ws.write_string(row, col, "—", self.f["grey"])
                continue
            f = self.schema.field(ind.field_id(part))
            ws.write_blank(row, col, None, self.input_format(f.type, grey=grey))
            self.validate(ws, row, col, f)
            self.name(ws, f.id, row, col)

    def layout_table(self, ws: Worksheet, tab: Tab) -> None:
        table = tab.table
        assert table is not None
        last = len(table.columns)
        self.heading(ws, tab, last)
        hint = (
            "Mỗi dòng một hạn chế. Dòng đã có nội dung phải ghi đủ: "
            + ", ".join(table.column(c).label for c in table.row_required)
            + f". Cần ít nhất một dòng có nguyên nhân “{table.require_value}”."
        )
        self.note(ws, last, hint + " Nếu chưa có dòng nào như vậy, cột "
                  f"“{table.column(table.require_column).label if table.require_column else ''}” "
                  "chuyển đỏ.")  # fmt: skip
        ws.write_string(_HEADER_ROW, 0, "STT", self.f["head"])
        ws.set_column(0, 0, 5)
        for c, col in enumerate(table.columns, start=1):
            ws.write_string(_HEADER_ROW, c, col.label, self.f["head"])
            ws.set_column(c, c, col.width)
        ws.set_row(_HEADER_ROW, 34)
        ws.freeze_panes(_HEADER_ROW + 1, 0)
        first, end = _HEADER_ROW + 1, _HEADER_ROW + table.max_rows
        for r in range(first, end + 1):
            ws.set_row(r, 48)  # three wrapped lines of a typed limitation
            ws.write_number(r, 0, r - first + 1, self.f["center"])
            for c, col in enumerate(table.columns, start=1):
                ws.write_blank(r, c, None, self.input_format(col.type))
        for c, col in enumerate(table.columns, start=1):
            options = checks.column_validation(
                self.schema, col, hint, self.list_refs.get(col.choice_list or "")
            )
            ws.data_validation(first, c, end, c, options)
        self.wb.define_name(table.name, "=" + abs_ref(ws.get_name(), first, 1, end, last))
        self.where[table.name] = (ws.get_name(), first, 1)
        self.last[tab.title] = (end, last)
        self.table_red_rules(ws, table, first, end)

    def table_red_rules(self, ws: Worksheet, table: Any, first: int, end: int) -> None:
        """The required cause missing: the whole cause column turns red while rows exist."""
        body = abs_ref(ws.get_name(), first, 1, end, len(table.columns)).split("!")[1]
        if table.require_column and table.require_value:
            c = 1 + [col.id for col in table.columns].index(table.require_column)
            column = abs_ref(ws.get_name(), first, c, end, c).split("!")[1]
            value = checks.text_literal(table.require_value)
            ws.conditional_format(first, c, end, c, {
                "type": "formula", "format": self.f["red"],
                "criteria": f"=AND(COUNTA({body})>0,COUNTIF({column},{value})=0)",
            })  # fmt: skip
        sign_off = next((f.id for f in self.schema.fields if f.sign_off), None)
        if sign_off:
            signed = checks.signed_test(self.schema, self.ref_from(ws.get_name())(sign_off))
            ws.conditional_format(first, 1, first, len(table.columns), {
                "type": "formula", "format": self.f["red"],
                "criteria": f"=AND({signed},COUNTA({body})=0)",
            })  # fmt: skip

    # ------------------------------------------------------------------ checks and progress
    def ref_from(self, sheet: str, *, indirect: bool = True) -> checks.Ref:
        """How a formula on ``sheet`` names a field: its cell on the same sheet, else its name.

        A conditional format may not name another tab in Google Sheets (nor, in Excel, point
        there directly), and Google drops rules that name a defined name on upload: another
        tab's cell is reached through INDIRECT("name"), which Excel, LibreOffice and Google all
        evaluate. Cell formulas (the progress helpers) name it directly (``indirect=False``).
        """

        def ref(field_id: str) -> str:
            where = self.where.get(field_id)
            if where is None or where[0] != sheet:
                return f'INDIRECT("{field_id}")' if indirect else field_id
            return xlsxwriter.utility.xl_rowcol_to_cell(where[1], where[2], True, True)

        return ref

    def add_red_rules(self) -> None:
        unit_type = self.unit.type if self.unit else None
        for rule in checks.red_rules(self.schema, unit_type):
            where = self.where.get(rule.target)
            if where is None:
                continue
            sheet, row, col = where
            formula = rule.build(self.ref_from(sheet))
            self.sheets[sheet].conditional_format(row, col, row, col, {
                "type": "formula", "criteria": formula, "format": self.f["red"],
            })  # fmt: skip

    def write_progress(self, lists: Worksheet, first_tab: Worksheet) -> None:
        """Helper cells on the hidden lists sheet, and the progress line on the first tab."""
        unit_type = self.unit.type if self.unit else None
        col = len(self.schema.choices) + 1
        lists.write_string(0, col, "Tiến độ (công thức của mẫu)")
        lists.write_string(0, col + 1, "Đã nhập")
        lists.write_string(0, col + 2, "Cần nhập")
        ref = self.ref_from(LISTS_SHEET, indirect=False)
        indicators = self.schema.indicators
        for i, ind in enumerate(indicators, start=1):
            counts = progress.indicator_progress(self.schema, ind, unit_type, ref)
            lists.write_string(i, col, ind.key)
            lists.write_formula(i, col + 1, counts.filled, None, 0)
            lists.write_formula(i, col + 2, counts.required, None, counts.blank_required)
        n = len(indicators)
        self.wb.define_name(
            INDICATOR_FILLED_NAME, "=" + abs_ref(LISTS_SHEET, 1, col + 1, n, col + 1)
        )
        self.wb.define_name(
            INDICATOR_REQUIRED_NAME, "=" + abs_ref(LISTS_SHEET, 1, col + 2, n, col + 2)
        )
        total_row = n + 2
        required = progress.blank_required(self.schema, unit_type)
        lists.write_string(total_row, col, "Tổng")
        lists.write_formula(
            total_row, col + 1, progress.filled_total(self.schema, INDICATOR_FILLED_NAME), None, 0
        )
        lists.write_formula(total_row, col + 2,
                            progress.required_total(self.schema, INDICATOR_REQUIRED_NAME), None,
                            required)  # fmt: skip
        self.wb.define_name(FILLED_NAME, "=" + abs_ref(LISTS_SHEET, total_row, col + 1))
        self.wb.define_name(REQUIRED_NAME, "=" + abs_ref(LISTS_SHEET, total_row, col + 2))
        # The line itself: row 3 of the first tab, across the table, under the heading.
        first_tab.merge_range(2, 0, 2, 3, "", self.f["progress"])
        first_tab.write_formula(
            2, 0, progress.progress_line(self.schema, FILLED_NAME, REQUIRED_NAME),
            self.f["progress"], progress.progress_words(self.schema, 0, required, False),
        )  # fmt: skip
        first_tab.set_row(2, 36)
        self.wb.define_name(PROGRESS_NAME, "=" + abs_ref(first_tab.get_name(), 2, 0))

    def write_guide(self, ws: Worksheet) -> None:
        width = (
            70  # fits an A4 page in portrait at 100% even where Calibri is replaced by a wider font
        )
        ws.set_column(0, 0, width)
        lines = guide_lines(self.schema)
        for row, (text, head) in enumerate(lines):
            ws.write_string(row, 0, text, self.f["guide_head"] if head else self.f["guide"])
            ws.set_row(row, fit_height((text, width, 13 if head else 12)))
        self.page_setup(ws, len(lines) - 1, 0, repeat=None, landscape=False)


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
        ("", False),
        ("Mẫu tự kiểm tra khi nhập", True),
        ("11. Khi chọn một ô nhập, một ghi chú nhỏ cho biết cần nhập gì. Nếu gõ giá trị sai (chữ "
         "vào ô số, số ngoài giới hạn, ngày ngoài nhiệm kỳ hoặc sau hôm nay, nội dung quá ngắn hay "
         "quá dài), bảng tính hiện cảnh báo: chọn Không (No) để nhập lại; chọn Có (Yes) thì giá "
         "trị vẫn được giữ nhưng sẽ bị báo lỗi khi Huyện ủy tổng hợp. Google Trang tính đánh dấu "
         "ô đó bằng một tam giác đỏ ở góc; trong LibreOffice, Công cụ → Thám tử → Đánh dấu dữ "
         "liệu không hợp lệ khoanh các ô sai.", False),
        ("12. Ô chuyển màu đỏ khi số liệu giữa các ô không khớp nhau:", False),
        *((f"  • {m}", False) for m in red_meanings(schema)),
        (f"13. Dòng tiến độ ở đầu trang “{schema.tabs[0].title}” (“Đã nhập x/y mục bắt buộc”) tự "
         "cập nhật khi nhập. Dòng này chỉ đếm các ô bắt buộc đã có nội dung, không kiểm tra giá "
         "trị có đúng hay không, nên khi còn ô sai (ô đỏ, ô có cảnh báo) số “đã nhập” có thể cao "
         "hơn mức hoàn thành do Huyện ủy tính: Huyện ủy chỉ tính các ô có giá trị hợp lệ. Số mục "
         "cần nhập thay đổi theo loại hình đơn vị, theo chỉ tiêu “Không áp dụng” và theo các ghi "
         "chú bắt buộc.", False),
        (f"14. Mẫu phiên bản {schema.version}. Bảng tính theo mẫu cũ vẫn được đọc, kèm lời nhắc "
         "dùng mẫu mới.", False),
    ]  # fmt: skip


def red_meanings(schema: Schema) -> list[str]:
    """Each conditional format's meaning, once, in the order the template applies them."""
    seen: list[str] = []
    for rule in checks.red_rules(schema, None):
        if rule.meaning not in seen:
            seen.append(rule.meaning)
    for meaning in checks.table_meanings(schema):
        if meaning not in seen:
            seen.append(meaning)
    sign_off = next((f for f in schema.fields if f.sign_off), None)
    if sign_off and schema.tables:
        seen.append(
            f"Đã chọn “{checks.yes_label(schema)}” ở ô xác nhận mà bảng "
            f"“{schema.tables[0].label}” chưa có dòng nào (dòng đầu của bảng chuyển đỏ)."
        )
    return seen
