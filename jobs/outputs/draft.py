"""The Word draft of the district's consolidated report (bao-cao-tong-hop.docx).

Laid out after Hướng dẫn 36-HD/VPTW (2018) on the layout of Party documents: A4, Times New
Roman, body 14 pt, margins top/bottom 20 mm, left 30 mm, right 15 mm; the issuing body top left
and "ĐẢNG CỘNG SẢN VIỆT NAM" top right; "BÁO CÁO" and its subject; page numbers from the second
page; and a boxed "DỰ THẢO" mark.

The content follows the review's outline and is read from the schema, never listed here:
indicators (layout "indicators") go to II, narrative fields to III (some to V and VI, below),
form tabs with a roll-up to IV, tables to V. A new field or tab in the schema appears in the
draft without a code change. Only submitted units are included, as in the workbook's totals.

Unit text is inserted as plain runs, never as fields or links; long text goes in whole (the
workbook may cut it at Excel's cell limit, the draft does not). Same input, same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from sheets_schema import Column, Field, FieldType, Schema
from sheets_schema.values import fmt_number

from ..model import RunInfo, Status, UnitOutcome
from .rollup import RESULT_PLACES, DistrictIndicator, district_rollup, submitted_reports
from .status_table import COUNT_LABELS, HEADER, count_units, status_table
from .words import fmt_datetime, fmt_percent, local_time
from .wordxml import Body, FullRow, Run, clean

DRAFT = "bao-cao-tong-hop.docx"
FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 10
# Hướng dẫn 36-HD/VPTW: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]

SECTIONS = (
    "I. TÌNH HÌNH BÁO CÁO",
    "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
    "III. KIỂM ĐIỂM TẬP THỂ BAN CHẤP HÀNH",
    "IV. KIỂM TRA, GIÁM SÁT, THI HÀNH KỶ LUẬT",
    "V. HẠN CHẾ, NGUYÊN NHÂN",
    "VI. GIẢI PHÁP, NHIỆM VỤ",
    "PHỤ LỤC: TÌNH TRẠNG NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ",
)
# The outline puts the lessons with the limitations (V) and the remedies and tasks under VI;
# every other narrative field, including any new one, is part of the self-review (III).
_NARRATIVE_PLACE = {
    "kd_bai_hoc": 4,
    "kd_bien_phap_khac_phuc": 5,
    "kd_nhiem_vu_giai_phap": 5,
}
# Widths in mm, each at least its longest header word in bold plus the cell's two 1.9 mm
# margins: at 10 mm "STT" broke into "ST" over "T".
_APPENDIX_COLUMNS = (
    ("STT", 12), ("Tên đơn vị", 64), ("Tình trạng", 30), ("Hoàn thành (%)", 22),
    ("Thời điểm nộp", 37),
)  # fmt: skip
_ROLLUP_COLUMNS = (
    ("TT", 10), ("Chỉ tiêu", 56), ("Đơn vị tính", 28), ("Chỉ tiêu của huyện", 20),
    ("Kết quả toàn huyện", 22), ("Σ tử số", 22), ("Σ mẫu số", 24), ("Tỷ lệ so với chỉ tiêu", 18),
    ("Đánh giá", 18), ("Số đơn vị báo cáo", 16), ("Số đơn vị đạt chỉ tiêu của mình", 18),
)  # fmt: skip
_ROLLUP_NUMERIC = frozenset({3, 4, 5, 6, 7, 9, 10})
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def draft_bytes(schema: Schema, outcomes: list[UnitOutcome], run: RunInfo) -> bytes:
    """The draft as .docx bytes; the same input gives the same bytes."""
    doc = _Draft(schema, outcomes, run).build()
    buffer = io.BytesIO()
    doc.save(buffer)
    return _pinned_zip(buffer.getvalue())


def write_draft(fh: Any, schema: Schema, outcomes: list[UnitOutcome], run: RunInfo) -> None:
    """Write the draft to an open binary file."""
    fh.write(draft_bytes(schema, outcomes, run))


def _pinned_zip(data: bytes) -> bytes:
    """The package again with every member's time fixed: python-docx stamps the wall clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            pinned = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(pinned, src.read(info))
    return out.getvalue()


def number_text(value: float | None, kind: str) -> str:
    """A number as Vietnamese readers write it, rounded half up as the workbook shows it; whole
    numbers without decimals; "" for none."""
    if value is None:
        return ""
    if kind == "ratio":
        return fmt_percent(value)
    if kind == "int" or float(value).is_integer():
        return fmt_number(value, 0)
    return fmt_number(value, RESULT_PLACES)


class _Draft:
    def __init__(self, schema: Schema, outcomes: list[UnitOutcome], run: RunInfo) -> None:
        self.schema = schema
        self.outcomes = outcomes
        self.run = run
        self.units = list(submitted_reports(outcomes))
        self.doc = docx.Document()
        self.table_style = self.doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        self.body = Body(self.doc)

    # ------------------------------------------------------------------ the document
    def build(self) -> Any:
        self.page_setup()
        self.styles()
        self.heading_block()
        self.section_status()
        self.section_indicators()
        self.section_narratives()
        self.section_counts()
        self.section_limitations()
        self.section_tasks()
        self.closing_block()
        self.appendix()
        self.properties()
        return self.doc

    def page_setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        # Numbered from the second page, centred at the top; "DỰ THẢO" on every later page.
        section.different_first_page_header_footer = True
        _fill_header(section.header.paragraphs[0], TEXT_WIDTH_MM)

    def new_section(self, *, landscape: bool) -> None:
        """Continue on a new page in the other orientation, with the same margins and header."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(210), Mm(297)
        section.header.is_linked_to_previous = False
        width = (297 if landscape else 210) - MARGINS_MM["left"] - MARGINS_MM["right"]
        _fill_header(section.header.paragraphs[0], width)

    def styles(self) -> None:
        normal = self.doc.styles["Normal"]
        _font(normal.element, BODY_PT)
        fmt = normal.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Mm(10)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(6)
        fmt.line_spacing = 1.0
        for name, size in (("Heading 1", BODY_PT), ("Heading 2", BODY_PT), ("Heading 3", BODY_PT)):
            style = self.doc.styles[name]
            _font(style.element, size, bold=True)
            style.font.italic = name == "Heading 3"
            style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 6)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.first_line_indent = Mm(0 if name == "Heading 1" else 10)
            style.paragraph_format.keep_with_next = True
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        table = self.table_style
        table.base_style = normal
        _font(table.element, TABLE_PT)
        table.paragraph_format.first_line_indent = Mm(0)
        table.paragraph_format.space_after = Pt(0)
        table.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        for header_style in ("Header", "Footer"):
            _font(self.doc.styles[header_style].element, 13)
            # The template's stops sit where a Letter page's centre and margin are.
            self.doc.styles[header_style].paragraph_format.tab_stops.clear_all()

    def properties(self) -> None:
        props = self.doc.core_properties
        # Pinned to the run's time, not now(), so the same run writes the same bytes.
        at = self.run.as_of.astimezone(UTC).replace(tzinfo=None)
        props.created = at
        props.modified = at
        props.last_printed = at
        props.revision = 1
        props.author = "tonghop"
        props.last_modified_by = "tonghop"
        props.title = f"Dự thảo báo cáo tổng hợp — {self.schema.title}"
        props.subject = f"{self.schema.id} {self.schema.version}"
        props.comments = f"Lần chạy {self.run.run_id}"
        props.keywords = "dự thảo"

    # ------------------------------------------------------------------ helpers
    def para(
        self,
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        align: str | None = None,
        indent: bool = True,
        size: float | None = None,
    ) -> Any:
        flags = ("b" if bold else "") + ("i" if italic else "")
        return self.body.paragraph(
            [(text, flags)] if text else [],
            align=align,
            first_line_mm=None if indent else 0,
            size=size,
        )

    def heading(self, text: str, level: int) -> None:
        self.body.paragraph(text, style=f"Heading{level}")

    def unit_text(self, name: str, text: str) -> None:
        """A unit's name, then its text in whole, one paragraph per line it typed."""
        self.body.paragraph([(name + ":", "b")], keep_next=True)
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line.strip():
                self.body.paragraph(line.strip())

    def table(
        self,
        columns: Sequence[tuple[str, float]],
        rows: Iterable[Sequence[str] | FullRow],
        numeric: frozenset[int] = frozenset(),
    ) -> None:
        """A bordered table with a repeated header row; ``rows`` are texts, "" for blank;
        the ``numeric`` columns are right-aligned."""
        self.body.table(
            [w for _, w in columns],
            [label for label, _ in columns],
            rows,
            text_style=self.table_style.style_id,
            numeric=numeric,
        )

    def two_cells(self, left_mm: float) -> tuple[Any, Any]:
        """A borderless row of two cells across the text width: the header and the foot."""
        block = self.doc.add_table(rows=1, cols=2)
        block.autofit = False
        widths = (Mm(left_mm), Mm(TEXT_WIDTH_MM - left_mm))
        for cell, col, width in zip(block.rows[0].cells, block.columns, widths, strict=True):
            cell.width = col.width = width
        left, right = block.rows[0].cells
        return left, right

    # ------------------------------------------------------------------ heading block
    def heading_block(self) -> None:
        run = self.run
        self.body.paragraph([("DỰ THẢO", "bx")], align="right", first_line_mm=0, size=13)
        left, right = self.two_cells(75)
        lines = [
            (run.district_parent or "ĐẢNG BỘ …", False, False),
            (run.district_name or "CẤP ỦY …", True, False),
            ("*", False, False),
            ("Số      -BC/HU", False, False),
        ]
        _cell_lines(left, lines)
        year = local_time(run.as_of, run.timezone).year
        place = run.district_place or "…"
        _cell_lines(
            right,
            [
                ("ĐẢNG CỘNG SẢN VIỆT NAM", True, False),
                (f"{place}, ngày      tháng      năm {year}", False, True),
            ],
        )
        title_run = right.paragraphs[0].runs[0]
        title_run.underline = True
        title_run.font.size = Pt(15)
        right.paragraphs[1].paragraph_format.space_before = Pt(6)
        self.para()
        self.para("BÁO CÁO", bold=True, align="center", indent=False, size=16)
        subject = self.schema.subject or self.schema.title.removeprefix("BÁO CÁO").strip().lower()
        subject = f"tổng hợp {subject[:1].lower()}{subject[1:]} của các tổ chức cơ sở đảng"
        # "2020 – 2025" is one term: no line break inside it (it broke as "2020 –" / "2025").
        subject = re.sub(r"(\d) ([–-]) (\d)", "\\1\u00a0\\2\u00a0\\3", subject)
        self.para(
            subject[:1].upper() + subject[1:],
            bold=True,
            align="center",
            indent=False,
        )
        self.para("-----", align="center", indent=False)
        self.para(self.included_line(), italic=True)

    def included_line(self) -> str:
        when = fmt_datetime(self.run.as_of, self.run.timezone)
        return (
            f"Dự thảo tổng hợp từ {len(self.units)} đơn vị đã nộp báo cáo (đúng hạn hoặc trễ "
            f"hạn), số liệu tính đến {when}; đơn vị chưa nộp không được tính. Dự thảo do hệ "
            "thống lập tự động, cần được rà soát, biên tập trước khi trình."
        )

    # ------------------------------------------------------------------ I
    def section_status(self) -> None:
        self.heading(SECTIONS[0], 1)
        counts = count_units(self.outcomes, self.run)
        expected = counts["expected"]

        def share(key: str) -> str:
            n = counts.get(key, 0)
            rate = fmt_percent(n / expected) if expected else "—"
            return f"{n} đơn vị ({rate})"

        self.para(self.run.deadline_text.strip() + ".")
        self.para(f"Số đơn vị phải báo cáo: {expected}.")
        self.para(
            f"Đã nộp: {share('submitted')}, trong đó đúng hạn {share('on_time')}, trễ hạn "
            f"{share('late')}. Tỷ lệ tính bằng số đơn vị nộp chia cho số đơn vị phải báo cáo."
        )
        others = [
            f"{COUNT_LABELS[s.value].lower()} {share(s.value)}"
            for s in Status
            if not s.submitted and counts.get(s.value, 0)
        ]
        self.para("Chưa nộp: " + ("; ".join(others) if others else "không có") + ".")
        day = self.run.as_of.date()
        missing = [o for o in self.outcomes if not o.status.submitted and o.unit.active_on(day)]
        if missing:
            names = "; ".join(f"{o.unit.name} ({o.status.label.lower()})" for o in missing)
            self.para(f"Các đơn vị chưa nộp ({len(missing)}): {names}.")
        elif expected:
            self.para("Tất cả các đơn vị đã nộp báo cáo.")

    # ------------------------------------------------------------------ II
    def section_indicators(self) -> None:
        # Eleven columns of figures need the width of a landscape page.
        self.new_section(landscape=True)
        self.heading(SECTIONS[1], 1)
        rows = district_rollup(
            self.schema, self.outcomes, self.run.targets, self.run.district_results
        )
        self.para(
            "Kết quả toàn huyện tổng hợp từ các đơn vị đã nộp, so với chỉ tiêu Nghị quyết của "
            "Huyện; chỉ tiêu tỷ lệ cộng tử số và mẫu số của các đơn vị rồi mới chia."
        )
        groups: dict[str, list[tuple[int, DistrictIndicator]]] = {}
        for n, d in enumerate(rows, start=1):
            groups.setdefault(d.indicator.group, []).append((n, d))
        lines: list[Sequence[str] | FullRow] = []
        for g, (group, members) in enumerate(groups.items(), start=1):
            lines.append(FullRow(f"{_roman(g)}. {group}"))
            lines += [rollup_cells(n, d) for n, d in members]
        self.table(_ROLLUP_COLUMNS, lines, _ROLLUP_NUMERIC)
        self.new_section(landscape=False)

    # ------------------------------------------------------------------ III, V, VI narratives
    def narrative_fields(self, place: int) -> list[Field]:
        fields = [f for t in self.schema.tabs if t.layout == "narrative" for f in t.fields]
        return [f for f in fields if _NARRATIVE_PLACE.get(f.id, 2) == place]

    def narratives(self, fields: list[Field], start: int = 1) -> None:
        total = len(self.units)
        for n, f in enumerate(fields, start=start):
            self.heading(f"{n}. {f.label}", 2)
            filled = [
                (o, str(r.values[f.id])) for o, r in self.units if _filled(r.values.get(f.id))
            ]
            self.para(f"{len(filled)}/{total} đơn vị báo cáo.", italic=True)
            for o, text in filled:
                self.unit_text(o.unit.name, text)

    def section_narratives(self) -> None:
        self.heading(SECTIONS[2], 1)
        self.narratives(self.narrative_fields(2))

    # ------------------------------------------------------------------ IV
    def section_counts(self) -> None:
        self.heading(SECTIONS[3], 1)
        tabs = [t for t in self.schema.tabs if t.layout == "form" and t.rollup]
        reports = [r for _, r in self.units]
        for tab in tabs:
            if len(tabs) > 1:
                self.heading(tab.heading, 2)
            self.para(f"Tổng hợp từ {len(reports)} đơn vị đã nộp.", italic=True)
            rows = []
            for n, f in enumerate(tab.fields, start=1):
                values = [r.values[f.id] for r in reports if _is_number(r.values.get(f.id))]
                if tab.rollup == "mean":
                    total = sum(values) / len(values) if values else None
                else:
                    total = sum(values) if values else None
                kind = "int" if f.type is FieldType.INTEGER and tab.rollup != "mean" else "dec"
                rows.append([str(n), f.label, number_text(total, kind), str(len(values))])
            columns = (
                ("TT", 10),
                ("Nội dung", 105),
                ("Toàn huyện", 25),
                ("Số đơn vị có số liệu", 25),
            )
            self.table(columns, rows, frozenset({2, 3}))

    # ------------------------------------------------------------------ V
    def section_limitations(self) -> None:
        self.heading(SECTIONS[4], 1)
        n = 0
        for tab in self.schema.tabs:
            if tab.table is None:
                continue
            table = tab.table
            group_col = table.column(table.require_column) if table.require_column else None
            for value, rows in self.grouped_rows(table.name, group_col, table.require_value):
                n += 1
                title = (
                    tab.heading.capitalize() if group_col is None else f"{group_col.label}: {value}"
                )
                self.heading(f"{n}. {title}", 2)
                self.para(f"{len(rows)} nội dung.", italic=True)
                for name, row in rows:
                    self.limitation(name, row, table.columns, group_col)
        lessons = self.narrative_fields(4)
        if lessons:
            self.narratives(lessons, start=n + 1)

    def grouped_rows(
        self, name: str, group_col: Column | None, first: str | None
    ) -> list[tuple[str, list[tuple[str, dict[str, Any]]]]]:
        """The table's rows with their unit's name, grouped by ``group_col`` (``first`` first,
        then its choices in order, then other values, then rows without one)."""
        rows = [(o.unit.name, row) for o, r in self.units for row in (r.values.get(name) or [])]
        if group_col is None:
            return [("", rows)] if rows else []
        order = [first] if first else []
        order += list(group_col.choices or self.schema.choices.get(group_col.choice_list or "", ()))
        groups: dict[str, list[tuple[str, dict[str, Any]]]] = {v: [] for v in order}
        for unit, row in rows:
            key = str(row.get(group_col.id) or "").strip() or "Chưa phân loại"
            groups.setdefault(key, []).append((unit, row))
        return [(k, v) for k, v in groups.items() if v]

    def limitation(
        self, unit: str, row: dict[str, Any], columns: Sequence[Column], group_col: Column | None
    ) -> None:
        """One row: "– Unit: limitation", then each other column on its own indented line."""
        parts = [c for c in columns if c is not group_col and row.get(c.id) not in (None, "")]
        lead: list[Run] = [("– " + unit + ": ", "b")]
        if parts:
            lead.append((_plain(row[parts[0].id]), ""))
        last = len(parts) <= 1
        self.body.paragraph(lead, after_pt=None if last else 0, keep_next=not last)
        for i, col in enumerate(parts[1:], start=2):
            # Paragraphs, not line breaks: a justified line ending in a break is stretched.
            self.body.paragraph(
                [(f"{col.label}: ", "i"), (_plain(row[col.id]), "")],
                first_line_mm=0,
                left_mm=10,
                after_pt=None if i == len(parts) else 0,
            )

    # ------------------------------------------------------------------ VI
    def section_tasks(self) -> None:
        self.heading(SECTIONS[5], 1)
        self.narratives(self.narrative_fields(5))

    # ------------------------------------------------------------------ closing block
    def closing_block(self) -> None:
        """The 36-HD foot of a report: "Nơi nhận:" at the left, the signing block at the right,
        left for the office to complete (who signs is decided when the draft is approved)."""
        self.para()
        left, right = self.two_cells(75)
        superior = "Thành ủy" if "THÀNH PHỐ" in (self.run.district_parent or "") else "Tỉnh ủy"
        office = (self.run.district_name or "cấp ủy").split(" ", 2)[:2]
        recipients = [
            f"- Ban Thường vụ {superior} (báo cáo),",
            "- Các đồng chí ủy viên Ban Chấp hành,",
            "- Các tổ chức cơ sở đảng,",
            f"- Lưu Văn phòng {' '.join(office).capitalize()}.",
        ]
        left_aligned = WD_ALIGN_PARAGRAPH.LEFT
        _cell_lines(left, [("Nơi nhận:", True, True)], align=left_aligned, size=12)
        _cell_lines(left, [(r, False, False) for r in recipients], align=left_aligned, size=11)
        _cell_lines(
            right,
            [
                ("T/M BAN THƯỜNG VỤ", True, False),
                ("BÍ THƯ", True, False),
                ("", False, False),
                ("", False, False),
                ("", False, False),
                ("(ký, ghi rõ họ và tên)", False, True),
            ],
        )

    # ------------------------------------------------------------------ appendix
    def appendix(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.heading(SECTIONS[6], 1)
        table = status_table(self.outcomes, self.run, self.schema.unit_types)
        self.para(" · ".join(table.notes[-1:]), italic=True)
        index = [HEADER.index(name) for name, _ in _APPENDIX_COLUMNS]
        rows = []
        for values in table.rows:
            picked = [values[i] for i in index]
            rows.append(["" if v is None else _plain(v) for v in picked])
        self.table(_APPENDIX_COLUMNS, rows, frozenset({0, 3}))


def rollup_cells(n: int, d: DistrictIndicator) -> list[str]:
    """Section II's row for one indicator, as the draft prints it."""
    # The figures as "Toàn huyện" shows them (``shown_*``: one rounding); the units' mean is a
    # workbook reference only and never printed here.
    return [
        str(n),
        f"{d.label} (nguồn: {d.source})" if d.source else d.label,
        d.unit,
        number_text(d.shown_target, d.target_kind),
        number_text(d.shown_result, d.kind),
        number_text(d.shown_numerator, "int"),
        number_text(d.shown_denominator, "int"),
        d.ratio_text,
        d.assessment,
        str(d.reporting),
        str(d.meeting),
    ]


# ---------------------------------------------------------------------- low-level helpers


def _fill_header(header: Paragraph, width_mm: float) -> None:
    """The page header: the page number centred, a boxed "DỰ THẢO" at the right margin."""
    header.paragraph_format.tab_stops.add_tab_stop(Mm(width_mm / 2), WD_TAB_ALIGNMENT.CENTER)
    header.paragraph_format.tab_stops.add_tab_stop(Mm(width_mm), WD_TAB_ALIGNMENT.RIGHT)
    header.add_run("\t")
    _page_field(header)
    header.add_run("\t")
    _boxed(header.add_run("DỰ THẢO"), size=11)


def _font(element: Any, size: float, *, bold: bool = False) -> None:
    """Times New Roman for every script (Vietnamese needs the same face for all), no theme font."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for tag in ("w:color", "w:sz", "w:szCs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    for tag in ("w:sz", "w:szCs"):
        sz = OxmlElement(tag)
        sz.set(qn("w:val"), str(int(size * 2)))
        rpr.append(sz)
    if bold:
        rpr.append(OxmlElement("w:b"))


def _boxed(run: Any, size: float) -> None:
    """A run with a border box around it: the "DỰ THẢO" mark."""
    run.bold = True
    run.font.size = Pt(size)
    border = OxmlElement("w:bdr")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        border.set(qn(key), value)
    run._r.get_or_add_rPr().append(border)


def _page_field(paragraph: Paragraph) -> None:
    """The current page number as a PAGE field (Word and LibreOffice fill it in)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _cell_lines(
    cell: Any,
    lines: list[tuple[str, bool, bool]],
    *,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    size: float | None = None,
) -> None:
    """(text, bold, italic) lines as paragraphs of ``cell``, after any it already holds."""
    for text, bold, italic in lines:
        first = cell.paragraphs[0]
        p = first if len(cell.paragraphs) == 1 and not first.runs else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.first_line_indent = Mm(0)
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(clean(text))
        run.bold = bold or None
        run.italic = italic or None
        if size is not None:
            run.font.size = Pt(size)


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain(value: object) -> str:
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return number_text(value, "dec")
    return str(value)


def _roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out
