"""The province's draft report (bao-cao-tong-hop.docx), a short stand-in.

Section I says, per district, whether its outputs were used and how its units reported;
section II gives, per indicator, each district's figure beside the province's, its target and
the verdict — the same rows as the workbook's "Toàn tỉnh". The district's draft builder is
being rewritten (a synthesis of units' texts); once it lands, the province's draft should use
it with districts in place of units.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from sheets_schema import Schema
from sheets_schema.values import fmt_number

from ..model import RunInfo, UnitOutcome
from ..outputs.words import local_time
from .read import DistrictRead
from .tables import ProvinceTables, count, figure

_FONT = "Times New Roman"


def _number(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    number = float(value)  # type: ignore[arg-type]
    return fmt_number(number, 0 if number.is_integer() else 2)


def draft_bytes(schema: Schema, run: RunInfo, reads: Sequence[DistrictRead],
                districts: dict[str, list[UnitOutcome]], tables: ProvinceTables) -> bytes:  # fmt: skip
    """The draft as .docx bytes."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = _FONT
    style.font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin = section.bottom_margin = Mm(20)
    head = doc.add_paragraph()
    head.add_run(run.district_name or "TỈNH ỦY").bold = True
    mark = doc.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    mark.add_run("DỰ THẢO").bold = True
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(f"BÁO CÁO TỔNG HỢP TOÀN TỈNH\n{schema.title}").bold = True
    when = local_time(run.as_of, run.timezone)
    doc.add_paragraph(f"Số liệu tổng hợp đến {when:%H:%M} ngày {when:%d/%m/%Y}.")

    doc.add_heading("I. TÌNH HÌNH BÁO CÁO CỦA CÁC HUYỆN", level=2)
    counts = tables.district_counts
    total = sum(count(counts, d, "expected") for d in counts.index)
    done = sum(count(counts, d, "submitted") for d in counts.index)
    used = sum(1 for r in reads if r.entry.code in districts)
    doc.add_paragraph(
        f"Tổng hợp từ kết quả của {used}/{len(reads)} huyện: {done}/{total} đơn vị cơ sở đã nộp "
        f"báo cáo ({fmt_number(100 * done / total, 1) if total else '0'}%)."
    )
    for r in reads:
        line = f"{r.entry.name}: "
        if r.entry.code in counts.index:
            c = {name: count(counts, r.entry.code, name) for name in counts.columns}
            line += (f"{c['submitted']}/{c['expected']} đơn vị đã nộp ({c['on_time']} đúng hạn, "
                     f"{c['late']} trễ hạn), {c['overdue']} quá hạn chưa nộp.")  # fmt: skip
        else:
            line += f"{r.status.label.lower()}: {r.message}"
        doc.add_paragraph(line, style="List Bullet")

    landscape = doc.add_section()
    landscape.orientation = WD_ORIENT.LANDSCAPE
    landscape.page_width, landscape.page_height = Mm(297), Mm(210)
    doc.add_heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", level=2)
    names = [r.entry.name for r in reads if r.entry.code in tables.by_district.columns]
    codes = [c for c in tables.by_district.columns]
    table = doc.add_table(rows=1, cols=5 + len(codes))
    table.style = "Table Grid"
    header = ["Chỉ tiêu", *names, "Toàn tỉnh", "Chỉ tiêu của tỉnh", "Tỷ lệ", "Đánh giá"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for d in tables.province:
        cells = table.add_row().cells
        values = [f"{d.label} ({d.unit})",
                  *[_number(figure(tables.by_district, d.indicator.key, c)) for c in codes],
                  _number(d.shown_result), _number(d.shown_target), d.ratio_text, d.assessment]  # fmt: skip
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    # The indicator's name gets room; the figures share what is left of the landscape page.
    table.autofit = False
    rest = (247 - 50) / (len(header) - 1)
    for n, column in enumerate(table.columns):  # the grid LibreOffice lays the table out by
        column.width = Mm(50 if n == 0 else rest)
    for row in table.rows:
        for n, cell in enumerate(row.cells):
            cell.width = Mm(50 if n == 0 else rest)
            for p in cell.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(9)
    for r in table.rows[0].cells[0].paragraphs[0].runs:
        r.bold = True
    buffer = io.BytesIO()
    doc.core_properties.created = when
    doc.core_properties.modified = when
    doc.save(buffer)
    return buffer.getvalue()
