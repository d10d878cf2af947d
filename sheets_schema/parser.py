"""Parse the cells under a template's defined names into values, findings and completeness.

Pure: the input is a ``RawReport`` (from any source), the output a ``ParsedReport``. Validation
is lazy: every finding is collected, none stops the parse, and a workbook that is not the
template yields findings, never an exception.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from . import values as v
from .findings import Code, Finding, Severity, a1, show
from .model import RUN_DATE, TERM_START, DateBound, Field, FieldType, Indicator, Schema, Table
from .plausible import scale_slip
from .raw import Block, Cell, RawReport
from .report import IndicatorResult, ParseContext, ParsedReport

# A mobile is 0 and 9 digits (03, 05, 07, 08, 09 today); a landline is 02, a 1–2 digit area code
# and the number: 11 digits. A 10-digit 02… is a landline with a digit missing.
_MOBILE = re.compile(r"^0[3-9]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: math.isclose(a, b, abs_tol=1e-9),
    "<=": lambda a, b: a <= b + 1e-9,
    ">=": lambda a, b: a >= b - 1e-9,
    "<": operator.lt,
    ">": operator.gt,
}
_OP_WORDS = {"==": "phải bằng", "<=": "không được lớn hơn", ">=": "không được nhỏ hơn",
             "<": "phải nhỏ hơn", ">": "phải lớn hơn"}  # fmt: skip


def parse_report(schema: Schema, raw: RawReport, ctx: ParseContext | None = None) -> ParsedReport:
    """Parse one unit's spreadsheet against ``schema``."""
    return _Parser(schema, raw, ctx or ParseContext()).run()


class _Parser:
    def __init__(self, schema: Schema, raw: RawReport, ctx: ParseContext) -> None:
        self.schema = schema
        self.raw = raw
        self.ctx = ctx
        self.findings: list[Finding] = []
        self.values: dict[str, Any] = {}
        self.cells: dict[str, tuple[str, str]] = {}
        self.bad: set[str] = set()  # field ids with an error finding
        self.present: set[str] = set()  # field ids whose named cell exists and is readable
        self.items: dict[str, bool] = {}  # completeness item → filled with a valid value
        self.indicators: dict[str, IndicatorResult] = {}
        self.table_rows: dict[str, list[int]] = {}

    # ------------------------------------------------------------------ findings
    def add(
        self,
        code: Code,
        severity: Severity,
        field_id: str,
        message: str,
        value: object = None,
        *,
        tab: str | None = None,
        cell: str | None = None,
    ) -> None:
        where_tab, where_cell = self.cells.get(field_id, ("", ""))
        self.findings.append(
            Finding(
                severity, code, tab or where_tab, cell or where_cell, field_id, message, show(value)
            )
        )
        if severity is Severity.ERROR:
            self.bad.add(field_id)

    def issues(self, f: Field, issues: list[v.Issue], raw_value: object) -> None:
        for issue in issues:
            self.add(
                issue.code, issue.severity, f.id, f"{f.plain_label}: {issue.message}", raw_value
            )

    # ------------------------------------------------------------------ the run
    def run(self) -> ParsedReport:
        present = self.check_structure()
        is_template = present >= len(self.schema.names) / 2 and "tt_ma_don_vi" in self.present
        if not is_template:
            return self.not_the_template()
        self.check_locale()
        unit_type = self.read_unit_type()
        for f in self.schema.fields:
            if f.indicator is None and not f.unit_type:
                self.read_field(f)
        for ind in self.schema.indicators:
            self.read_indicator(ind, unit_type)
        for table in self.schema.tables:
            self.read_table(table)
        self.check_rules()
        confirmed = self.values.get(self.sign_off_id()) is True
        self.findings.sort(key=self.position)
        total = len(self.items)
        filled = sum(self.items.values())
        return ParsedReport(
            values=self.values,
            findings=self.findings,
            items_total=total,
            items_filled=filled if is_template else 0,
            confirmed=confirmed,
            indicators=self.indicators,
            is_template=is_template,
            unit_type=unit_type,
            cells=self.cells,
            table_rows=self.table_rows,
            sheet_ids=dict(self.raw.sheet_ids),
        )

    def not_the_template(self) -> ParsedReport:
        """A workbook that is not the template: say so once, instead of once per missing cell."""
        missing = [
            f.field for f in self.findings if f.code in (Code.MISSING_NAME, Code.BROKEN_NAME)
        ]
        tabs = [f for f in self.findings if f.code is Code.MISSING_TAB]
        # Labels, as the unit sees them in the template: "Mã đơn vị", not "tt_ma_don_vi".
        labels = [f"“{self.label_of(name)}”" for name in missing[:5]]
        examples = ", ".join(labels) + (", …" if len(missing) > 5 else "")
        summary = Finding(
            Severity.ERROR, Code.MISSING_NAME, "", "", "",
            f"Bảng tính không đúng mẫu báo cáo: thiếu {len(missing)}/{len(self.schema.names)} ô "
            f"của mẫu ({examples}). Hãy tải mẫu do Huyện ủy gửi và điền vào đó, không tự lập bảng.",
        )  # fmt: skip
        return ParsedReport(
            values={}, findings=[*tabs, summary], items_total=len(self.schema.names),
            items_filled=0, confirmed=False, is_template=False,
        )  # fmt: skip

    def position(self, f: Finding) -> tuple[int, int, str]:
        """Template order: by tab, then row and column of the cell."""
        order = [t.title for t in self.schema.tabs]
        tab = order.index(f.tab) if f.tab in order else len(order)
        m = re.match(r"([A-Z]+)(\d+)", f.cell)
        row = int(m.group(2)) if m else 0
        return tab, row, (m.group(1).rjust(3) if m else "")

    def older_file(self) -> bool:
        """Whether the file says it was made from one of the schema's earlier templates (read
        from the raw version cell: structure is checked before any field is read)."""
        f = next((f for f in self.schema.fields if f.template_version), None)
        block = self.raw.blocks.get(f.id) if f is not None else None
        value = block.cell(0, 0).value if block is not None and block.cells else None
        return isinstance(value, str) and value.strip() in self.schema.previous_versions

    def added_later(self, name: str) -> bool:
        return self.schema.has_field(name) and self.schema.field(name).since is not None

    def sign_off_id(self) -> str:
        return next((f.id for f in self.schema.fields if f.sign_off), "")

    def check_structure(self) -> int:
        """Report missing tabs and names; return how many names are usable."""
        titles = set(self.raw.sheet_titles)
        for schema_tab in self.schema.tabs:
            if schema_tab.title not in titles:
                self.findings.append(
                    Finding(
                        Severity.ERROR, Code.MISSING_TAB, schema_tab.title, "", "",
                        f"Thiếu trang “{schema_tab.title}” của mẫu báo cáo. Đừng xóa hay đổi tên trang: "
                        f"hãy khôi phục bản trước (Tệp → Lịch sử phiên bản) hoặc xin mẫu mới.",
                    )
                )  # fmt: skip
        usable = 0
        older = self.older_file()
        for name in self.schema.names:
            block = self.raw.blocks.get(name)
            tab = self.tab_of(name)
            if block is None and older and self.added_later(name):
                continue  # a cell the file's (earlier) template did not have yet
            if block is None:
                # Google drops a named range whose cells or tab were deleted instead of showing
                # #REF!: a missing name in a template workbook usually means just that.
                where = (
                    f"trang “{tab}” chứa ô này đã bị xóa"
                    if tab and tab not in titles
                    else "ô đã bị xóa hoặc vùng được đặt tên bị mất khi xóa hàng, cột hay ô"
                )
                self.findings.append(
                    Finding(
                        Severity.ERROR, Code.MISSING_NAME, tab, "", name,
                        f"Không tìm thấy ô “{self.label_of(name)}” (tên vùng {name}): {where}. Hãy "
                        f"khôi phục bản trước khi xóa (Tệp → Lịch sử phiên bản → Xem lịch sử phiên "
                        f"bản, chọn bản cũ, bấm Khôi phục phiên bản này); đừng sao chép số liệu sang "
                        f"tệp khác mà hãy dùng mẫu do Huyện ủy gửi.",
                    )
                )  # fmt: skip
            elif block.error is not None or block.sheet is None or not block.cells:
                self.findings.append(
                    Finding(
                        Severity.ERROR, Code.BROKEN_NAME, tab, "", name,
                        f"Ô “{self.label_of(name)}” (tên vùng {name}) đã bị xóa ({block.error or '#REF!'}). "
                        f"Hãy khôi phục bản trước (Tệp → Lịch sử phiên bản) thay vì xóa hàng, cột hay ô.",
                        block.error or "",
                    )
                )  # fmt: skip
            else:
                usable += 1
                self.present.add(name)
                self.cells[name] = (block.sheet, a1(block.row, block.col))
                if block.covers is not None:
                    self.too_large(name, block)
        for tab, cell in self.raw.far_cells.items():
            self.findings.append(
                Finding(
                    Severity.WARNING, Code.FAR_CELLS, tab, cell, "",
                    f"Trang “{tab}” có giá trị ở ô {cell}, rất xa vùng của mẫu báo cáo; giá trị "
                    f"này không được đọc. Hãy xóa các ô thừa ngoài vùng mẫu.",
                )
            )  # fmt: skip
        self.bad.update(n for n in self.schema.names if n not in self.present)
        return usable

    def check_locale(self) -> None:
        """A Google Sheet outside the Vietnam locale reads typed numbers and dates the
        English way ("1.234" is stored as 1,234; "05/03/2023" as 3 May): say how to fix it.
        The locale is None for .xlsx files, which carry none."""
        locale = self.raw.locale
        if locale is None or locale.lower().startswith("vi"):
            return
        self.findings.append(
            Finding(
                Severity.WARNING, Code.SHEET_LOCALE, "", "", "",
                f"Bảng tính đang đặt khu vực “{locale}”, không phải Việt Nam: số gõ 1.234 có thể "
                f"bị hiểu thành 1,234 và ngày 05/03/2023 thành ngày 3 tháng 5. Hãy chọn Tệp → Cài "
                f"đặt → Khu vực (Locale): Việt Nam, múi giờ (GMT+07:00) Hà Nội, bấm Lưu, rồi kiểm "
                f"tra lại các số và ngày đã nhập.",
                locale,
            )
        )  # fmt: skip

    def too_large(self, name: str, block: Block) -> None:
        """A name stretched past the template's area: only its declared cells were read."""
        assert block.covers is not None and block.sheet is not None
        (h, w), size = block.covers, f"{block.height}×{block.width}"
        self.findings.append(
            Finding(
                Severity.ERROR, Code.NAME_TOO_LARGE, block.sheet, a1(block.row, block.col), name,
                f"Vùng “{self.label_of(name)}” (tên vùng {name}) trong tệp rộng {h}×{w} ô, mẫu chỉ "
                f"có {size} ô nên chỉ đọc {size} ô đầu. Hãy khôi phục bản trước (Tệp → Lịch sử "
                f"phiên bản) hoặc dùng mẫu mới; đừng chèn hàng, cột vào vùng này hay sửa tên vùng.",
            )
        )  # fmt: skip
        self.bad.add(name)

    def tab_of(self, name: str) -> str:
        if self.schema.has_field(name):
            return self.schema.field(name).tab
        return next((t.tab for t in self.schema.tables if t.name == name), "")

    def label_of(self, name: str) -> str:
        return self.schema.label_of(name)

    def block(self, name: str) -> Block | None:
        return self.raw.blocks.get(name) if name in self.present else None

    # ------------------------------------------------------------------ single fields
    def cell(self, field_id: str) -> Cell | None:
        block = self.block(field_id)
        return block.cell(0, 0) if block is not None else None

    def read_unit_type(self) -> str | None:
        f = next((f for f in self.schema.fields if f.unit_type), None)
        if f is None:
            return self.ctx.unit_type
        value = self.read_field(f)
        declared = self.schema.type_of_label(value) if isinstance(value, str) else None
        if self.ctx.unit_type and declared and declared != self.ctx.unit_type:
            expected = self.schema.unit_types.get(self.ctx.unit_type, self.ctx.unit_type)
            self.add(
                Code.UNIT_TYPE_MISMATCH, Severity.WARNING, f.id,
                f"{f.plain_label}: đơn vị chọn “{value}” nhưng danh sách đơn vị của Huyện ủy ghi "
                f"“{expected}”. Các chỉ tiêu được tính theo “{expected}”; nếu sai, báo Văn phòng Huyện ủy.",
                value,
            )  # fmt: skip
        return self.ctx.unit_type or declared

    def read_field(self, f: Field, *, required: bool | None = None, item: bool = True) -> Any:
        """Read, type and check one field; record its value and completeness item."""
        need = f.required if required is None else required
        counts = item and need and not f.sign_off and f.prefill is None
        cell = self.cell(f.id)
        if cell is None:  # missing or broken name: already reported
            self.values[f.id] = None
            if counts:
                self.items[f.id] = False
            return None
        value = self.typed(f, cell, need)
        self.values[f.id] = value
        if counts:
            self.items[f.id] = value is not None and f.id not in self.bad
        return value

    def typed(self, f: Field, cell: Cell, need: bool) -> Any:
        raw = cell.value
        if v.is_blank(raw) and cell.formula:
            self.add(
                Code.FORMULA_ERROR,
                Severity.ERROR,
                f.id,
                _unfinished_formula(f.plain_label, cell.formula),
                cell.formula,
            )
            return None
        if v.is_blank(raw):
            if need and not f.sign_off:
                self.add(
                    Code.REQUIRED,
                    Severity.ERROR,
                    f.id,
                    f"{f.plain_label}: chưa nhập. {self.what_to_type(f)}",
                )
            return False if f.sign_off else None
        bad_formula = v.formula_error(raw)
        if bad_formula:
            self.add(
                Code.FORMULA_ERROR, Severity.ERROR, f.id,
                f"{f.plain_label}: ô báo lỗi công thức {bad_formula}. Hãy xóa công thức và nhập trực tiếp giá trị.",
                raw,
            )  # fmt: skip
            return None
        value, issues = self.coerce(f, cell)
        self.issues(f, issues, raw)
        if value is None:
            return None
        return self.check_value(f, value, raw)

    def coerce(self, f: Field, cell: Cell) -> tuple[Any, list[v.Issue]]:
        t = f.type
        if t.is_number:
            # A whole-number count is never shown a decimal example.
            example = "1.234" if t is FieldType.INTEGER else "1.234,5"
            return v.read_number(
                cell, percent=t is FieldType.PERCENT, bounds=(f.min, f.max), example=example
            )
        if t is FieldType.DATE:
            return v.read_date(cell)
        if t is FieldType.BOOL:
            return v.read_bool(cell)
        if t is FieldType.CHOICE:
            return v.read_choice(cell, f.choices)
        return v.read_text(cell)

    def check_value(self, f: Field, value: Any, raw: object) -> Any:
        """Range, pattern and content rules of one typed value; None when it breaks one."""
        t = f.type
        if t.is_number:
            if t is FieldType.INTEGER and not float(value).is_integer():
                self.add(Code.NOT_INTEGER, Severity.ERROR, f.id,
                         f"{f.plain_label}: {v.fmt_number(value)} không phải số nguyên. Hãy nhập số nguyên.", raw)  # fmt: skip
                return None
            if not self.in_range(f, f.plain_label, float(value), f.min, f.max, raw):
                return None
            return int(value) if t is FieldType.INTEGER else float(value)
        if t is FieldType.DATE:
            return (
                value
                if self.date_in_range(f.id, f.plain_label, value, f.min_date, f.max_date, raw)
                else None
            )
        if t is FieldType.TEXT:
            return self.check_text(f, value, raw)
        return value

    def in_range(self, f: Field, label: str, number: float, lo: float | None, hi: float | None,
                 raw: object) -> bool:  # fmt: skip
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            if lo is not None and hi is not None:
                bounds = f"từ {v.fmt_number(lo)} đến {v.fmt_number(hi)}"
            elif lo is not None:
                bounds = f"từ {v.fmt_number(lo)} trở lên"
            else:
                bounds = f"không quá {v.fmt_number(hi or 0)}"
            self.add(Code.OUT_OF_RANGE, Severity.ERROR, f.id,
                     f"{label}: {v.fmt_number(number)} nằm ngoài giới hạn; giá trị hợp lệ {bounds}.", raw)  # fmt: skip
            return False
        return True

    def bound(self, b: DateBound) -> date | None:
        if b == RUN_DATE:
            return self.ctx.today
        if b == TERM_START:
            return self.schema.term_start
        return b if isinstance(b, date) else None

    def date_in_range(self, field_id: str, label: str, value: date, lo: DateBound, hi: DateBound,
                      raw: object, *, cell: str | None = None) -> bool:  # fmt: skip
        low, high = self.bound(lo), self.bound(hi)
        shown = value.strftime("%d/%m/%Y")
        if low is not None and value < low:
            self.add(Code.DATE_OUT_OF_RANGE, Severity.ERROR, field_id,
                     f"{label}: ngày {shown} trước {low:%d/%m/%Y}. Kiểm tra lại ngày/tháng/năm "
                     f"(có thể máy hiểu nhầm thành tháng/ngày).", raw, cell=cell)  # fmt: skip
            return False
        if high is not None and value > high:
            why = "hôm nay" if hi == RUN_DATE else f"{high:%d/%m/%Y}"
            self.add(Code.DATE_OUT_OF_RANGE, Severity.ERROR, field_id,
                     f"{label}: ngày {shown} sau {why}. Kiểm tra lại ngày/tháng/năm "
                     f"(có thể máy hiểu nhầm thành tháng/ngày).", raw, cell=cell)  # fmt: skip
            return False
        return True

    def check_text(self, f: Field, text: str, raw: object) -> str | None:
        if len(text) > v.EXCEL_CELL_LIMIT:
            self.add(Code.TEXT_TOO_LONG, Severity.WARNING, f.id,
                     f"{f.plain_label}: dài {len(text):,} ký tự, vượt giới hạn {v.EXCEL_CELL_LIMIT:,} ký tự "
                     f"một ô của Excel; bản tổng hợp chỉ giữ phần đầu. Hãy rút gọn.".replace(",", "."), raw)  # fmt: skip
        if f.must_equal_unit_code and self.ctx.unit_code and text != self.ctx.unit_code:
            self.add(Code.UNIT_CODE_MISMATCH, Severity.ERROR, f.id,
                     f"{f.plain_label}: bảng tính ghi mã “{text}” nhưng đây là bảng của đơn vị "
                     f"“{self.ctx.unit_code}”. Hãy dùng đúng bảng tính Huyện ủy gửi cho đơn vị.", raw)  # fmt: skip
            return None
        if f.max_length is not None and len(text) > f.max_length:
            self.add(Code.TEXT_TOO_LONG, Severity.ERROR, f.id,
                     f"{f.plain_label}: dài {len(text)} ký tự, tối đa {f.max_length} ký tự. Hãy rút gọn.", raw)  # fmt: skip
            return None
        if f.template_version and text != self.schema.version:
            self.version_warning(f, text, raw)
        if f.pattern == "phone_vn":
            return self.check_phone(f, text, raw)
        if f.pattern == "email" and not _EMAIL.match(text):
            self.add(Code.PATTERN, Severity.ERROR, f.id,
                     f"{f.plain_label}: “{text}” không phải địa chỉ email. Hãy nhập dạng ten@donvi.vn hoặc để trống.", raw)  # fmt: skip
            return None
        if f.narrative:
            return self.check_narrative(f, text, raw)
        return text

    def version_warning(self, f: Field, text: str, raw: object) -> None:
        """A file from an earlier template is still read; it (and an unknown version) is flagged."""
        if text in self.schema.previous_versions:
            message = (
                f"{f.plain_label}: bảng tính theo mẫu cũ, phiên bản “{text}”; đã có mẫu mới phiên bản "
                f"“{self.schema.version}”. Số liệu vẫn được đọc; lần báo cáo sau hãy dùng mẫu mới "
                f"(xin Văn phòng Huyện ủy)."
            )
        else:
            message = (
                f"{f.plain_label}: bảng tính ghi phiên bản mẫu “{text}”, không phải phiên bản nào Huyện ủy "
                f"đã phát hành (mẫu hiện hành là “{self.schema.version}”). Hãy đối chiếu với mẫu mới."
            )
        self.add(Code.WRONG_VERSION, Severity.WARNING, f.id, message, raw)

    def check_phone(self, f: Field, text: str, raw: object) -> str | None:
        digits = re.sub(r"[\s.\-()]", "", text)
        if re.fullmatch(r"\+?84\d{9,10}", digits):
            digits = "0" + digits.removeprefix("+")[2:]  # +84 912 345 678: the country code
        if isinstance(raw, int | float) and re.fullmatch(r"\d{9}|2\d{9}", digits):
            # Typed into a number cell, 0912345678 lost its leading zero.
            self.add(Code.LEADING_ZERO_LOST, Severity.WARNING, f.id,
                     f"{f.plain_label}: ô lưu số {digits} nên mất số 0 đầu; được hiểu là 0{digits}. "
                     f"Hãy định dạng ô là văn bản và nhập lại.", raw)  # fmt: skip
            return "0" + digits
        if not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
            # A warning, not an error: a number we cannot place does not make the report wrong.
            self.add(Code.PATTERN, Severity.WARNING, f.id,
                     f"{f.plain_label}: “{text}” không giống số điện thoại Việt Nam. Di động có 10 chữ số "
                     f"(ví dụ 0912 345 678), máy bàn có 11 chữ số bắt đầu bằng 02 (ví dụ "
                     f"0291 3 851 896); hãy kiểm tra lại.", raw)  # fmt: skip
        return text

    def check_narrative(self, f: Field, text: str, raw: object) -> str | None:
        key = v.fold(text).strip(" .…-_")
        if v.fold(text) in {v.fold(p) for p in self.schema.placeholders} or key in {
            v.fold(p).strip(" .…-_") for p in self.schema.placeholders
        }:
            self.add(Code.PLACEHOLDER, Severity.ERROR, f.id,
                     f"{f.plain_label}: “{text}” chưa phải nội dung báo cáo. Hãy viết nội dung thật "
                     f"(ít nhất {self.schema.min_chars} ký tự).", raw)  # fmt: skip
            return None
        if len(text) < self.schema.min_chars:
            self.add(Code.TOO_SHORT, Severity.ERROR, f.id,
                     f"{f.plain_label}: mới có {len(text)} ký tự. Phần này cần nội dung đầy đủ, ít nhất "
                     f"{self.schema.min_chars} ký tự.", raw)  # fmt: skip
            return None
        return text

    def what_to_type(self, f: Field) -> str:
        if f.prefill in ("unit_code", "unit_name"):
            # Empty in the blank template: the unit may type it, or use its prefilled copy.
            return (
                "Hãy dùng bảng tính Huyện ủy gửi cho đơn vị (đã điền sẵn ô này); nếu dùng mẫu "
                "trống, nhập đúng như danh sách đơn vị của Huyện ủy."
            )
        if f.prefill == "version":
            return "Ô này do Huyện ủy điền sẵn: hãy dùng đúng bảng tính Huyện ủy gửi cho đơn vị."
        if f.type is FieldType.CHOICE:
            return "Hãy chọn một giá trị trong danh sách: " + " · ".join(f.choices) + "."
        if f.type is FieldType.DATE:
            return "Hãy nhập ngày dạng ngày/tháng/năm, ví dụ 20/03/2023."
        if f.type is FieldType.INTEGER:
            # The same bound the hint states: "từ 1 trở lên" where 0 is not allowed.
            if f.min is not None and f.min > 0:
                return f"Hãy nhập số nguyên từ {v.fmt_number(f.min, 0)} trở lên."
            return "Hãy nhập số nguyên (0 nếu không phát sinh)."
        if f.type.is_number:
            return "Hãy nhập số, ví dụ 1.234,5."
        if f.narrative:
            return f"Hãy viết nội dung, ít nhất {self.schema.min_chars} ký tự."
        return "Hãy nhập nội dung."

    # ------------------------------------------------------------------ indicators
    def read_indicator(self, ind: Indicator, unit_type: str | None) -> None:
        fields = {p: self.schema.field(ind.field_id(p)) for p in ind.parts}
        if not ind.applies(unit_type):
            for f in fields.values():
                cell = self.cell(f.id)
                self.values[f.id] = None
                if cell is not None and not v.is_blank(cell.value):
                    self.add(Code.NOT_APPLICABLE_VALUE, Severity.WARNING, f.id,
                             f"{f.plain_label}: chỉ tiêu này không áp dụng cho loại hình đơn vị; giá trị "
                             f"không được tổng hợp. Có thể xóa ô này.", cell.value)  # fmt: skip
            self.indicators[ind.key] = IndicatorResult(ind.key, applicable=False)
            return
        kq_cell = self.cell(ind.field_id("kq"))
        declared_na = (
            kq_cell is not None
            and isinstance(kq_cell.value, str)
            and (v.fold(kq_cell.value) == v.fold(self.schema.not_applicable))
        )
        if declared_na:
            self.values[ind.field_id("kq")] = self.schema.not_applicable
            self.items[ind.field_id("kq")] = True
            for p, f in fields.items():
                if p not in ("kq", "ghi_chu"):
                    self.read_field(f, required=False, item=False)
            note = self.read_note(ind, fields["ghi_chu"], f"“{self.schema.not_applicable}”")
            self.indicators[ind.key] = IndicatorResult(
                ind.key, True, not_applicable=True, note=note
            )
            return
        got = {p: self.read_field(f) for p, f in fields.items() if p != "ghi_chu"}
        target, result = got.get("nq"), got.get("kq")
        num, den = got.get("tu_so"), got.get("mau_so")
        if ind.is_rate:
            self.check_rate(ind, result, num, den)
        slip = scale_slip(result, target, "chỉ tiêu Nghị quyết đề ra")
        if slip:  # a dot/comma slip: the result is a number, but 1.000 times off the target
            self.add(Code.IMPLAUSIBLE_SCALE, Severity.WARNING, ind.field_id("kq"),
                     f"{ind.label}: kết quả {slip}", result)  # fmt: skip
        ratio, assessment = assess(ind, target, result)
        forecast = got.get("du_bao")
        reason = None
        if assessment in self.schema.note_when_assessment:
            reason = f"đánh giá “{assessment}”"
        elif forecast in self.schema.note_when_forecast:
            reason = f"dự báo “{forecast}”"
        note = self.read_note(ind, fields["ghi_chu"], reason)
        self.indicators[ind.key] = IndicatorResult(
            ind.key, True, target=target, result=result, numerator=num, denominator=den,
            ratio=ratio, assessment=assessment, forecast=forecast, note=note,
        )  # fmt: skip

    def read_note(self, ind: Indicator, f: Field, reason: str | None) -> Any:
        """The indicator's note, required (and counted) when ``reason`` says why."""
        cell = self.cell(f.id)
        if reason and cell is not None and v.is_blank(cell.value):
            self.add(Code.NOTE_REQUIRED, Severity.ERROR, f.id,
                     f"{ind.label}: kết quả {reason}, cần ghi chú nêu lý do ở cột Ghi chú.")  # fmt: skip
            self.values[f.id] = None
            self.items[f.id] = False
            return None
        return self.read_field(f, required=reason is not None)

    def check_rate(self, ind: Indicator, result: float | None, num: float | None,
                   den: float | None) -> None:  # fmt: skip
        tu, mau, kq = ind.field_id("tu_so"), ind.field_id("mau_so"), ind.field_id("kq")
        if num is None or den is None:
            return
        if den <= 0:
            self.add(Code.OUT_OF_RANGE, Severity.ERROR, mau,
                     f"{ind.label}: mẫu số ({ind.denominator}) phải lớn hơn 0.", den)  # fmt: skip
            self.invalid(mau)
            return
        if num > den:
            self.add(Code.RATE_NUMERATOR_EXCEEDS, Severity.ERROR, tu,
                     f"{ind.label}: tử số ({ind.numerator}: {v.fmt_number(num)}) lớn hơn mẫu số "
                     f"({ind.denominator}: {v.fmt_number(den)}). Kiểm tra lại hai số này.", num)  # fmt: skip
            self.invalid(tu)
            return
        if result is None:
            return
        expected = 100 * num / den
        if abs(expected - result) > self.schema.rate_tolerance + 1e-9:
            self.add(Code.RATE_MISMATCH, Severity.ERROR, kq,
                     f"{ind.label}: kết quả {v.fmt_number(result)}% không khớp tử số/mẫu số "
                     f"({v.fmt_number(num)}/{v.fmt_number(den)} = {v.fmt_number(expected)}%). "
                     f"Hãy sửa kết quả hoặc tử số, mẫu số.", result)  # fmt: skip
            self.invalid(kq)

    def invalid(self, field_id: str) -> None:
        """A required item whose value an error refutes is not complete (domain: complete means
        filled with a valid value)."""
        if field_id in self.items:
            self.items[field_id] = False

    # ------------------------------------------------------------------ tables
    def read_table(self, table: Table) -> None:
        self.values[table.name] = []
        self.table_rows[table.name] = []
        block = self.block(table.name)
        if block is None:
            self.items[table.name] = False
            return
        errors_before = len(self.bad)
        complete = 0
        required_seen = False
        for r in range(block.height):
            cells = [block.cell(r, c) for c in range(len(table.columns))]
            if all(v.is_blank(c.value) for c in cells):
                continue
            row: dict[str, Any] = {}
            ok = True
            for c, (col, cell) in enumerate(zip(table.columns, cells, strict=True)):
                where = a1(block.row + r, block.col + c)
                value = self.table_cell(table, col, cell, where)
                row[col.id] = value
                if value is None and (col.id in table.row_required or not v.is_blank(cell.value)):
                    ok = False
            complete += ok
            if table.require_column and row.get(table.require_column) == table.require_value:
                required_seen = True
            self.values[table.name].append(row)
            self.table_rows[table.name].append(r + 1)
        _tab, _first = self.cells[table.name]
        if complete < table.min_complete_rows:
            self.add(Code.TABLE_EMPTY, Severity.ERROR, table.name,
                     f"{table.label}: cần ít nhất {table.min_complete_rows} dòng đầy đủ các cột "
                     f"{', '.join(table.column(c).label for c in table.row_required)}.")  # fmt: skip
        elif table.require_column and not required_seen:
            col = table.column(table.require_column)
            self.add(Code.NO_SUBJECTIVE_CAUSE, Severity.ERROR, table.name,
                     f"{table.label}: chưa có dòng nào có {col.label} là “{table.require_value}”. "
                     f"Hãy nêu rõ nguyên nhân {table.require_value.lower() if table.require_value else ''}.")  # fmt: skip
        self.items[table.name] = len(self.bad) == errors_before and table.name not in self.bad

    def table_cell(self, table: Table, col: Any, cell: Cell, where: str) -> Any:
        label = f"{table.label}, cột “{col.label}”"
        raw = cell.value
        if v.is_blank(raw) and cell.formula:
            self.add(Code.FORMULA_ERROR, Severity.ERROR, table.name,
                     _unfinished_formula(label, cell.formula), cell.formula, cell=where)  # fmt: skip
            return None
        if v.is_blank(raw):
            if col.id in table.row_required:
                self.add(Code.ROW_INCOMPLETE, Severity.ERROR, table.name,
                         f"{label}: dòng đã có nội dung nhưng thiếu cột này. Hãy nhập đủ "
                         f"{', '.join(table.column(c).label for c in table.row_required)}.", cell=where)  # fmt: skip
            return None
        bad_formula = v.formula_error(raw)
        if bad_formula:
            self.add(Code.FORMULA_ERROR, Severity.ERROR, table.name,
                     f"{label}: ô báo lỗi công thức {bad_formula}. Hãy nhập trực tiếp giá trị.", raw, cell=where)  # fmt: skip
            return None
        if col.type is FieldType.CHOICE:
            value, issues = v.read_choice(cell, col.choices)
        elif col.type is FieldType.DATE:
            value, issues = v.read_date(cell)
        else:
            value, issues = v.read_text(cell)
        for issue in issues:
            self.add(
                issue.code, issue.severity, table.name, f"{label}: {issue.message}", raw, cell=where
            )
        if value is None:
            return None
        if isinstance(value, date) and not self.date_in_range(
            table.name, label, value, None, col.max_date, raw, cell=where
        ):
            return None
        if isinstance(value, str) and len(value) > v.EXCEL_CELL_LIMIT:
            self.add(Code.TEXT_TOO_LONG, Severity.WARNING, table.name,
                     f"{label}: dài hơn {v.EXCEL_CELL_LIMIT} ký tự; bản tổng hợp chỉ giữ phần đầu.", cell=where)  # fmt: skip
        return value

    # ------------------------------------------------------------------ cross-field rules
    def check_rules(self) -> None:
        for rule in self.schema.rules:
            ids = (rule.left, *rule.right)
            operands = [self.values.get(i) for i in ids]
            if any(
                i in self.bad or not isinstance(x, int | float)
                for i, x in zip(ids, operands, strict=True)
            ):
                continue
            left, right = float(operands[0]), float(sum(operands[1:]))  # type: ignore[arg-type]
            if _OPS[rule.op](left, right):
                continue
            lf = self.schema.field(rule.left)
            names = " + ".join(self.schema.field(i).label.strip("— ") for i in rule.right)
            self.add(Code.RULE_VIOLATION, Severity.ERROR, rule.left,
                     f"{lf.label} ({v.fmt_number(left)}) {_OP_WORDS[rule.op]} {names} "
                     f"({v.fmt_number(right)}). Hãy kiểm tra lại các số này.", operands[0])  # fmt: skip
            self.items[rule.left] = False


def _unfinished_formula(label: str, formula: str) -> str:
    return (
        f"{label}: ô chứa công thức {v.show_short(formula)} nhưng tệp không lưu kết quả. Hãy nhập "
        f"trực tiếp giá trị (hoặc mở tệp bằng Excel, LibreOffice rồi lưu lại)."
    )


def assess(
    ind: Indicator, target: float | None, result: float | None
) -> tuple[float | None, str | None]:
    """The ratio to target and the assessment Vượt (> 1) · Đạt (= 1) · Chưa đạt (< 1)."""
    if target is None or result is None:
        return None, None
    if ind.better == "lower":
        num, den = target, result
    else:
        num, den = result, target
    if den == 0:
        # Nothing to divide by: 0 poor households against any target, or a zero target.
        return None, ("Đạt" if num == 0 else "Vượt")
    ratio = round(num / den, 6)
    if math.isclose(ratio, 1.0, abs_tol=1e-6):
        return 1.0, "Đạt"
    return ratio, ("Vượt" if ratio > 1 else "Chưa đạt")
