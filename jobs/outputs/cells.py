"""Writing cells of the consolidated workbook safely: text stays text, long text is cut with a
finding, times are local, links point back to the unit's cell, and every sheet prints well.

Every row holding wrapped text is given the height its text needs at its column's width (see
``fit``), and every sheet gets a print area that covers its cells and charts. Both are settled
in ``Book.close``, once all cells are written.

Shared by the sheet writers in ``workbook`` and ``sheets``; not a public API.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from sheets_schema import Code, Finding, Schema, Severity
from sheets_schema.findings import a1, show
from sheets_schema.values import EXCEL_CELL_LIMIT, fmt_number

from ..model import RunInfo, UnitOutcome
from . import fit
from .status_table import shown_link
from .words import local_time, percent_decimals, shown_ratio

log = logging.getLogger("tonghop.outputs")
# Excel's own limits: characters in a URL, and hyperlinks per worksheet.
_MAX_URL = 2079
_MAX_LINKS = 65_530
_GOOGLE_KEY = re.compile(r"^https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_HEAD_FILL = "#1F4E78"
# The workbook's font. Arial, not Calibri: LibreOffice draws it with the metric-compatible
# Liberation Sans, so the row heights ``fit`` computes hold in both programs. Without the
# "none" scheme Excel would show the theme's font (Calibri) instead.
FONT = {"font_name": "Arial", "font_size": 10, "font_scheme": "none"}
# The units' whole texts are in the draft's annex (annex.ANNEX), not in the draft's body.
FULL_TEXT_FILE = "phu-luc-y-kien-don-vi.docx"
# Appended to a unit's text cut to the 409-point row Excel allows.
CUT_NOTE = (
    " … [Nội dung dài, ô này chỉ in được phần đầu; toàn văn ở phụ lục "
    f"{FULL_TEXT_FILE} và trong báo cáo của đơn vị.]"
)
_DEFAULT_WIDTH = 8.43
_DEFAULT_ROW_PT = 15.0
_CHART_PX = (480, 288)  # xlsxwriter's default chart size

# Cell kinds → number formats ("@" marks text). Excel shows the separators of the reader's
# locale, so "#,##0.00" reads "1.234,50" on a Vietnamese machine.
NUMBER_FORMATS = {
    "text": "@",
    "text_right": "@",  # a figure written as text (a rate in words: "67,6%"), aligned as numbers
    "int": "#,##0",
    "dec": "#,##0.00",
    "pct_points": "0.00",
    "one_dec": "0.0",
    "dec_1": "#,##0.0",  # a dec or pct_points value with one decimal: 65,5, not 65,50
    "ratio": "0.0%",
    # A ratio near 1 that is not 1 gets the decimals that keep it from showing 100,0%.
    "ratio_2": "0.00%",
    "ratio_3": "0.000%",
    "ratio_4": "0.0000%",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}
_STYLES: dict[str, dict[str, Any]] = {
    "head": {
        "bold": True,
        "font_color": "#FFFFFF",
        "bg_color": _HEAD_FILL,
        "text_wrap": True,
        "valign": "vcenter",
        "align": "center",
        "border": 1,
        "border_color": "#BFBFBF",
    },
    "title": {"bold": True, "font_size": 14, "font_color": _HEAD_FILL},
    "subtitle": {"bold": True, "font_size": 12},
    "note": {"italic": True, "font_color": "#404040"},
    "wrapped_note": {"italic": True, "font_color": "#404040", "text_wrap": True, "valign": "top"},
    "label": {"bold": True, "valign": "top", "text_wrap": True},
}


@dataclass
class _Layout:
    """What a sheet holds so far: column widths, the height each row needs, used extent."""

    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    fixed: dict[int, float] = field(default_factory=dict)
    last_row: int = 0
    last_col: int = 0
    print_last_col: int | None = None  # columns past this one are left out of the print area
    charts: list[tuple[int, int, float, float]] = field(default_factory=list)

    def width(self, first: int, last: int) -> float:
        """The width of columns first..last together, in characters."""
        if first == last:
            return self.widths.get(first, _DEFAULT_WIDTH)
        px = sum(fit.column_px(self.widths.get(c, _DEFAULT_WIDTH)) for c in range(first, last + 1))
        return (px - 5) / fit.DIGIT_PX

    def height_pt(self, row: int) -> float:
        return max(self.heights.get(row, 0.0), self.fixed.get(row, 0.0)) or _DEFAULT_ROW_PT

    def chart_end(self, row: int, col: int, px_w: float, px_h: float) -> tuple[int, int]:
        """The last row and column a chart of px_w × px_h anchored at (row, col) covers."""
        c, used = col, 0.0
        while True:
            used += fit.column_px(self.widths.get(c, _DEFAULT_WIDTH))
            if used >= px_w:
                break
            c += 1
        r, used = row, 0.0
        while True:
            used += self.height_pt(r) * 4 / 3
            if used >= px_h:
                break
            r += 1
        return r, c


@dataclass(frozen=True)
class Source:
    """Where a written value came from: the unit and its cell, for truncation findings."""

    unit_code: str
    tab: str
    cell: str
    field: str


def ratio_kind(decimals: int) -> str:
    """The ``NUMBER_FORMATS`` key of a ratio shown with ``decimals`` decimals of a percent."""
    return "ratio" if decimals == 1 else f"ratio_{decimals}"


class Book:
    """The workbook being written, with cached formats and the findings writing produced."""

    def __init__(self, wb: xlsxwriter.Workbook, schema: Schema, run: RunInfo) -> None:
        self.wb = wb
        self.schema = schema
        self.run = run
        self.truncated: list[tuple[str, Finding]] = []
        self._formats: dict[tuple[Any, ...], Format] = {}
        self._fonts: dict[int, tuple[float, bool]] = {}  # id(format) → (size, bold) if it wraps
        self._links: dict[str, int] = {}  # worksheet name → hyperlinks written
        self._layouts: dict[str, _Layout] = {}
        self._sheets: dict[str, Worksheet] = {}

    def _add_format(self, props: dict[str, Any]) -> Format:
        fmt = self.wb.add_format(props)
        if props.get("text_wrap"):
            self._fonts[id(fmt)] = (
                float(props.get("font_size", FONT["font_size"])),
                bool(props.get("bold")),
            )
        return fmt

    def layout(self, ws: Worksheet) -> _Layout:
        """The sizes recorded for ``ws`` (created on first use)."""
        name = ws.get_name()
        if name not in self._layouts:
            self._layouts[name] = _Layout()
            self._sheets[name] = ws
        return self._layouts[name]

    # ------------------------------------------------------------------ formats
    def fmt(
        self,
        kind: str = "text",
        *,
        fill: str | None = None,
        bold: bool = False,
        link: bool = False,
    ) -> Format:
        """A bordered body-cell format of ``kind`` (a key of NUMBER_FORMATS), cached."""
        key = (kind, fill, bold, link)
        if key not in self._formats:
            props: dict[str, Any] = {"border": 1, "border_color": "#BFBFBF", "valign": "top"}
            props["num_format"] = NUMBER_FORMATS[kind]
            if kind == "text":
                props["text_wrap"] = True
            elif kind == "text_right":
                props["align"] = "right"
            if fill:
                props["bg_color"] = fill
            if bold:
                props["bold"] = True
            if link:
                props.update(font_color="#0563C1", underline=1)
            self._formats[key] = self._add_format(props)
        return self._formats[key]

    def style(self, name: str) -> Format:
        """A format outside table bodies: one of _STYLES (head, title, subtitle, note, label)."""
        if ("style", name) not in self._formats:
            self._formats[("style", name)] = self._add_format(_STYLES[name])
        return self._formats[("style", name)]

    # ------------------------------------------------------------------ sizes
    def width(self, ws: Worksheet, col: int, width: float, last: int | None = None) -> None:
        """Set columns col..last to ``width`` characters, and remember it for row heights."""
        last = col if last is None else last
        ws.set_column(col, last, width)
        for c in range(col, last + 1):
            self.layout(ws).widths[c] = width

    def fit_width(self, texts: Iterable[str], low: float, high: float, bold: bool = False) -> float:
        """A column width that shows the longest of ``texts`` on one line, within [low, high]."""
        px = max((fit.text_px(t, bold=bold) for t in texts if t), default=0.0)
        return max(low, min(high, fit.width_for(px)))

    def row_height(self, ws: Worksheet, row: int, height: float) -> None:
        """Give ``row`` at least ``height`` points (more if its text needs more)."""
        fixed = self.layout(ws).fixed
        fixed[row] = max(fixed.get(row, 0.0), height)

    def used(self, ws: Worksheet, row: int, col: int) -> None:
        """Mark (row, col) as content, for the print area."""
        lay = self.layout(ws)
        lay.last_row = max(lay.last_row, row)
        lay.last_col = max(lay.last_col, col)

    def _fit(self, ws: Worksheet, row: int, col: int, last_col: int, text: str, fmt: Format | None,
             source: Source | None) -> str:  # fmt: skip
        """Record the height ``text`` needs; cut a unit's text past Excel's 409-point row."""
        lay = self.layout(ws)
        lay.last_row = max(lay.last_row, row)
        lay.last_col = max(lay.last_col, last_col)
        font = self._fonts.get(id(fmt)) if fmt is not None else None
        if font is None:
            return text
        size, bold = font
        width = lay.width(col, last_col)
        lines = fit.lines_needed(text, width, size, bold)
        if source is not None and lines * fit.line_height(size) + fit.ROW_PAD_PT > fit.MAX_ROW_PT:
            log.debug("%s: %s %s cut to one printed row", source.unit_code, source.tab, source.cell)
            text = fit.cut_to_fit(text, width, CUT_NOTE, size=size)
            lines = fit.lines_needed(text, width, size, bold)
        height = fit.row_height(lines, size)
        if height > lay.heights.get(row, 0.0):
            lay.heights[row] = height
        return text

    # ------------------------------------------------------------------ values
    def text(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        value: str,
        fmt: Format | None = None,
        source: Source | None = None,
        last_col: int | None = None,
    ) -> None:
        """Write ``value`` as text, never as a formula, number or link, within Excel's limit.

        With a wrapping format the row is made tall enough for the text at the column's width
        (``last_col`` for a merged cell). A unit's text (``source`` given) taller than Excel's
        409-point row is cut with a note that the whole text is in the Word draft. Text over
        32,767 characters, Excel's cell limit, is reported as a TRUNCATED finding: nothing is
        shortened silently.
        """
        original = value
        value = self._fit(ws, row, col, col if last_col is None else last_col, value, fmt, source)
        if len(value) > EXCEL_CELL_LIMIT:
            value = value[: EXCEL_CELL_LIMIT - 1] + "…"
        if len(original) > EXCEL_CELL_LIMIT and source is not None:
            finding = self._truncation(
                ws,
                original,
                len(value) - (len(CUT_NOTE) if value.endswith(CUT_NOTE) else 0),
                source,
            )
            self.truncated.append((source.unit_code, finding))
        ws.write_string(row, col, value, fmt)

    def _truncation(self, ws: Worksheet, value: str, kept: int, source: Source) -> Finding:
        message = (
            f"Nội dung dài {fmt_number(len(value), 0)} ký tự, vượt giới hạn "
            f"{fmt_number(EXCEL_CELL_LIMIT, 0)} ký tự một ô của Excel: trang “{ws.get_name()}” "
            f"của bản tổng hợp chỉ giữ {fmt_number(kept, 0)} ký tự đầu. Bản đầy đủ vẫn ở bảng "
            f"tính của đơn vị và trong phụ lục {FULL_TEXT_FILE}; hãy rút gọn nếu có thể."
        )
        return Finding(
            Severity.WARNING,
            Code.TRUNCATED,
            source.tab,
            source.cell,
            source.field,
            message,
            show(value),
        )

    def value(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        value: object,
        kind: str = "text",
        fill: str | None = None,
        source: Source | None = None,
    ) -> None:
        """Write any parsed value by its Python type; ``kind`` picks the number format.

        A whole number shows no decimals, whatever ``kind`` says (5, not 5,00), and a number
        with one decimal shows one (65,5, not 65,50), as the draft writes them.
        """
        self.used(ws, row, col)
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            ws.write_blank(row, col, None, self.fmt(kind, fill=fill))
        elif isinstance(value, bool):
            ws.write_string(row, col, "Có" if value else "Không", self.fmt("text", fill=fill))
        elif isinstance(value, int | float):
            if kind in _DECIMAL_KINDS and float(value).is_integer():
                kind = "int"
            elif kind in ("dec", "pct_points") and math.isclose(value, round(value, 1)):
                kind = "dec_1"
            elif kind == "ratio":
                # Stored as shown (half up): Excel and LibreOffice then print the draft's digits.
                decimals = percent_decimals(value)
                kind, value = ratio_kind(decimals), shown_ratio(value, decimals)
            ws.write_number(row, col, value, self.fmt(kind, fill=fill))
        elif isinstance(value, datetime):
            local = local_time(value, self.run.timezone)
            ws.write_datetime(row, col, local, self.fmt("datetime", fill=fill))
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, self.fmt("date", fill=fill))
        else:
            self.text(ws, row, col, str(value), self.fmt("text", fill=fill), source)

    # ------------------------------------------------------------------ layout
    def header(self, ws: Worksheet, row: int, columns: Sequence[tuple[str, float]]) -> None:
        """A header row of (label, width) pairs; sets the column widths (labels wrap)."""
        for col, (_, width) in enumerate(columns):
            self.width(ws, col, width)
        for col, (label, _) in enumerate(columns):
            self.text(ws, row, col, label, self.style("head"))
        self.row_height(ws, row, 27)

    def title(self, ws: Worksheet, text: str, subtitle: str = "") -> None:
        ws.write_string(0, 0, text, self.style("title"))
        self.row_height(ws, 0, 21)
        self.used(ws, 0, 0)
        if subtitle:
            ws.write_string(1, 0, subtitle, self.style("note"))
            self.used(ws, 1, 0)

    def note(self, ws: Worksheet, row: int, text: str, first: int = 0, last: int = 0) -> None:
        """A wrapped italic line of ours across columns first..last (merged when more than one)."""
        fmt = self.style("wrapped_note")
        if last > first:
            ws.merge_range(row, first, row, last, "", fmt)
        self.text(ws, row, first, text, fmt, last_col=last)

    def chart(self, ws: Worksheet, row: int, col: int, chart: Chart,
              x_scale: float = 1.0, y_scale: float = 1.0) -> None:  # fmt: skip
        """Insert ``chart`` at (row, col) and keep its extent inside the sheet's print area."""
        ws.insert_chart(row, col, chart, {"x_scale": x_scale, "y_scale": y_scale})
        self.layout(ws).charts.append((row, col, _CHART_PX[0] * x_scale, _CHART_PX[1] * y_scale))

    def chart_extent(self, ws: Worksheet) -> list[tuple[int, int, int, int]]:
        """Each chart's (first row, first col, last row, last col), as the print area covers."""
        lay = self.layout(ws)
        return [(r, c, *lay.chart_end(r, c, w, h)) for r, c, w, h in lay.charts]

    def finish(
        self, ws: Worksheet, head_row: int, last_row: int, last_col: int, freeze_cols: int = 0
    ) -> None:
        """Frozen header, autofilter over the body, landscape A4 fitted to the page width."""
        ws.freeze_panes(head_row + 1, freeze_cols)
        ws.autofilter(head_row, 0, max(last_row, head_row), last_col)
        printable(ws, head_row)

    def close(self) -> None:
        """Set every row's height and every sheet's print area; call once all is written."""
        for name, lay in self._layouts.items():
            ws = self._sheets[name]
            for row in sorted(lay.heights.keys() | lay.fixed.keys()):
                height = lay.height_pt(row)
                if height > _DEFAULT_ROW_PT + 0.75 or row in lay.fixed:
                    ws.set_row(row, height)
            last_row, last_col = lay.last_row, lay.last_col
            for _, _, r, c in self.chart_extent(ws):
                last_row, last_col = max(last_row, r), max(last_col, c)
            if lay.print_last_col is not None:
                last_col = min(last_col, lay.print_last_col)
            ws.print_area(0, 0, last_row, last_col)

    def print_columns(self, ws: Worksheet, last_col: int) -> None:
        """Print only columns up to ``last_col``: later ones are for the screen."""
        self.layout(ws).print_last_col = last_col

    # ------------------------------------------------------------------ links
    def link(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        url: str | None,
        text: str,
        fmt_fill: str | None = None,
        last_col: int | None = None,
    ) -> None:
        """Write ``text`` (ours, never a unit's) linking to ``url``; plain text past the limits.

        ``last_col`` merges the cell up to that column: LibreOffice never lets a link's text
        run over into the empty cells beside it, so a long one needs the room.
        """
        count = self._links.get(ws.get_name(), 0)
        if url and count < _MAX_LINKS and len(url) <= _MAX_URL:
            try:
                fmt = self.fmt(fill=fmt_fill, link=True)
                if last_col is not None and last_col > col:
                    ws.merge_range(row, col, row, last_col, "", fmt)
                if ws.write_url(row, col, url, fmt, text) == 0:
                    self.used(ws, row, col if last_col is None else last_col)
                    self._links[ws.get_name()] = count + 1
                    return
            except ValueError:  # a link Excel cannot express: keep the text
                pass
        self.text(ws, row, col, text, self.fmt(fill=fmt_fill))

    def file_url(self, outcome: UnitOutcome, tab: str = "", cell: str = "") -> str | None:
        """A link to the unit's Google spreadsheet, at ``tab``!``cell`` when given.

        https://docs.google.com/spreadsheets/d/KEY/edit#gid=ID&range=C5 (the gid is known once
        a Google read recorded sheet ids). None for a local file: a link to a path on the
        server breaks as soon as the workbook is copied or e-mailed, so files are named instead.
        """
        link = outcome.link.strip()
        google = _GOOGLE_KEY.match(link)
        if not google:
            return None
        base = f"https://docs.google.com/spreadsheets/d/{google.group(1)}/edit"
        sheet_id = outcome.report.sheet_ids.get(tab) if outcome.report else None
        if sheet_id is None:
            return base
        return f"{base}#gid={sheet_id}" + (f"&range={cell}" if cell else "")


def link_text(link: str) -> str:
    """What a reader sees for a unit's link: "Mở bảng tính Google" or the file's name."""
    if _GOOGLE_KEY.match(link.strip()):
        return "Mở bảng tính Google"
    return shown_link(link)


_DECIMAL_KINDS = {"dec", "pct_points", "one_dec"}


def printable(ws: Worksheet, repeat_row: int | None = None) -> None:
    """Landscape A4, one page wide, header row repeated, page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&RTrang &P/&N")
    ws.repeat_rows(repeat_row if repeat_row is not None else 0)


def cell_offset(top_left: str, rows: int, cols: int) -> str:
    """ "C5" moved down ``rows`` and right ``cols``: a table body's cell."""
    row, col = xl_cell_to_rowcol(top_left)
    return a1(row + rows + 1, col + cols + 1)
