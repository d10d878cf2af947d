"""The page every Word output shares: a Party document laid out after Hướng dẫn 36-HD/VPTW.

A4, Times New Roman, body 14 pt, margins top/bottom 20 mm, left 30 mm, right 15 mm; the issuing
body top left and "ĐẢNG CỘNG SẢN VIỆT NAM" top right; the title and its subject; page numbers
from the second page; a boxed "DỰ THẢO" mark. The draft (``draft``) and the annex of the units'
texts (``annex``) are both built on ``WordPage``; both come out as the same bytes for the same
input (``pinned_bytes``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from sheets_schema import Schema

from ..model import RunInfo
from .level import DISTRICT, Level
from .words import local_time
from .wordxml import Body, FullRow, clean

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 10
# Hướng dẫn 36-HD/VPTW: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def pinned_bytes(document: Any) -> bytes:
    """The document as .docx bytes with every member's time fixed: python-docx stamps the
    wall clock, and the same input must give the same bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            pinned = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(pinned, src.read(info))
    return out.getvalue()


class WordPage:
    """A new 36-HD document for ``schema`` and ``run``: page, styles and helpers to fill it."""

    level: Level = DISTRICT  # whose report: its number's suffix (-BC/HU), its words

    def __init__(self, schema: Schema, run: RunInfo) -> None:
        self.schema = schema
        self.run = run
        self.doc = docx.Document()
        self.table_style = self.doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        self.body = Body(self.doc)
        self.page_setup()
        self.styles()

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

    def properties(self, title: str) -> None:
        props = self.doc.core_properties
        # Pinned to the run's time, not now(), so the same run writes the same bytes.
        at = self.run.as_of.astimezone(UTC).replace(tzinfo=None)
        props.created = at
        props.modified = at
        props.last_printed = at
        props.revision = 1
        props.author = "tonghop"
        props.last_modified_by = "tonghop"
        props.title = title
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
        # One piece: "Nơi nhận" and the signature never part over a page break.
        block.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        left, right = block.rows[0].cells
        return left, right

    def heading_block(self, title: str, subject: str) -> None:
        """ "DỰ THẢO", the issuing body and "ĐẢNG CỘNG SẢN VIỆT NAM", then ``title`` and its
        ``subject`` centred."""
        run = self.run
        self.body.paragraph([("DỰ THẢO", "bx")], align="right", first_line_mm=0, size=13)
        left, right = self.two_cells(75)
        lines = [
            (run.district_parent or "ĐẢNG BỘ …", False, False),
            (run.district_name or "CẤP ỦY …", True, False),
            ("*", False, False),
            (f"Số      -BC/{self.level.symbol}", False, False),
        ]
        cell_lines(left, lines)
        year = local_time(run.as_of, run.timezone).year
        place = run.district_place or "…"
        cell_lines(
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
        self.para(title, bold=True, align="center", indent=False, size=16)
        # "2020 – 2025" is one term: no line break inside it (it broke as "2020 –" / "2025").
        subject = re.sub(r"(\d) ([–-]) (\d)", "\\1\u00a0\\2\u00a0\\3", subject)
        self.para(subject[:1].upper() + subject[1:], bold=True, align="center", indent=False)
        self.para("-----", align="center", indent=False)

    def review_subject(self) -> str:
        """What the review is about, in lower case: "sơ kết giữa nhiệm kỳ …"."""
        subject = self.schema.subject or self.schema.title.removeprefix("BÁO CÁO").strip().lower()
        return subject[:1].lower() + subject[1:]


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


def cell_lines(
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
