"""Writing cells of the consolidated workbook safely: text stays text, long text is cut with a
finding, times are local, links point back to the unit's cell, and every sheet prints well.

Shared by the sheet writers in ``workbook`` and ``workbook_sheets``; not a public API.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from sheets_schema import Code, Finding, Schema, Severity
from sheets_schema.findings import a1, show
from sheets_schema.values import EXCEL_CELL_LIMIT, fmt_number

from ..model import RunInfo, UnitOutcome
from .words import local_time

# Excel's own limits: characters in a URL, and hyperlinks per worksheet.
_MAX_URL = 2079
_MAX_LINKS = 65_530
_GOOGLE_KEY = re.compile(r"^https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_HEAD_FILL = "#1F4E78"

# Cell kinds → number formats ("@" marks text). Excel shows the separators of the reader's
# locale, so "#,##0.00" reads "1.234,50" on a Vietnamese machine.
NUMBER_FORMATS = {
    "text": "@",
    "int": "#,##0",
    "dec": "#,##0.00",
    "pct_points": "0.00",
    "one_dec": "0.0",
    "ratio": "0.0%",
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
    "label": {"bold": True, "valign": "top"},
}


@dataclass(frozen=True)
class Source:
    """Where a written value came from: the unit and its cell, for truncation findings."""

    unit_code: str
    tab: str
    cell: str
    field: str


class Book:
    """The workbook being written, with cached formats and the findings writing produced."""

    def __init__(
        self, wb: xlsxwriter.Workbook, schema: Schema, run: RunInfo, link_base: Path | None
    ) -> None:
        self.wb = wb
        self.schema = schema
        self.run = run
        self.link_base = link_base
        self.truncated: list[tuple[str, Finding]] = []
        self._formats: dict[tuple[Any, ...], Format] = {}
        self._links: dict[str, int] = {}  # worksheet name → hyperlinks written

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
            if fill:
                props["bg_color"] = fill
            if bold:
                props["bold"] = True
            if link:
                props.update(font_color="#0563C1", underline=1)
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def style(self, name: str) -> Format:
        """A format outside table bodies: one of _STYLES (head, title, subtitle, note, label)."""
        if ("style", name) not in self._formats:
            self._formats[("style", name)] = self.wb.add_format(_STYLES[name])
        return self._formats[("style", name)]

    # ------------------------------------------------------------------ values
    def text(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        value: str,
        fmt: Format | None = None,
        source: Source | None = None,
    ) -> None:
        """Write ``value`` as text, never as a formula, number or link, within Excel's limit.

        Text over 32,767 characters is cut, and when it came from a unit the cut is reported
        as a TRUNCATED finding: nothing is shortened silently.
        """
        if len(value) > EXCEL_CELL_LIMIT:
            if source is not None:
                self.truncated.append((source.unit_code, self._truncation(ws, value, source)))
            value = value[: EXCEL_CELL_LIMIT - 1] + "…"
        ws.write_string(row, col, value, fmt)

    def _truncation(self, ws: Worksheet, value: str, source: Source) -> Finding:
        kept = fmt_number(EXCEL_CELL_LIMIT - 1, 0)
        message = (
            f"Nội dung dài {fmt_number(len(value), 0)} ký tự, vượt giới hạn "
            f"{fmt_number(EXCEL_CELL_LIMIT, 0)} ký tự một ô của Excel: trang “{ws.get_name()}” "
            f"của bản tổng hợp chỉ giữ {kept} ký tự đầu. Bản đầy đủ vẫn ở bảng tính của đơn vị; "
            "hãy rút gọn nếu có thể."
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
        """Write any parsed value by its Python type; ``kind`` picks the number format."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            ws.write_blank(row, col, None, self.fmt(kind, fill=fill))
        elif isinstance(value, bool):
            ws.write_string(row, col, "Có" if value else "Không", self.fmt("text", fill=fill))
        elif isinstance(value, int | float):
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
        """A header row of (label, width) pairs; sets the column widths."""
        for col, (label, width) in enumerate(columns):
            ws.write_string(row, col, label, self.style("head"))
            ws.set_column(col, col, width)
        ws.set_row(row, 32)

    def title(self, ws: Worksheet, text: str, subtitle: str = "") -> None:
        ws.write_string(0, 0, text, self.style("title"))
        if subtitle:
            ws.write_string(1, 0, subtitle, self.style("note"))

    def finish(
        self, ws: Worksheet, head_row: int, last_row: int, last_col: int, freeze_cols: int = 0
    ) -> None:
        """Frozen header, autofilter over the body, landscape A4 fitted to the page width."""
        ws.freeze_panes(head_row + 1, freeze_cols)
        ws.autofilter(head_row, 0, max(last_row, head_row), last_col)
        printable(ws, head_row)

    # ------------------------------------------------------------------ links
    def link(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        url: str | None,
        text: str,
        fmt_fill: str | None = None,
    ) -> None:
        """Write ``text`` (ours, never a unit's) linking to ``url``; plain text past the limits."""
        count = self._links.get(ws.get_name(), 0)
        if url and count < _MAX_LINKS and len(url) <= _MAX_URL:
            try:
                if ws.write_url(row, col, url, self.fmt(fill=fmt_fill, link=True), text) == 0:
                    self._links[ws.get_name()] = count + 1
                    return
            except ValueError:  # a link Excel cannot express: keep the text
                pass
        self.text(ws, row, col, text, self.fmt(fill=fmt_fill))

    def file_url(self, outcome: UnitOutcome, tab: str = "", cell: str = "") -> str | None:
        """A link to the unit's spreadsheet, at ``tab``!``cell`` when given.

        Google: https://docs.google.com/spreadsheets/d/KEY/edit#gid=ID&range=C5 (the gid is
        known once a Google read recorded sheet ids). A local file: an ``external:`` link,
        relative to the workbook's folder so the output folder can be moved with the sheets.
        """
        link = outcome.link.strip()
        if not link:
            return None
        google = _GOOGLE_KEY.match(link)
        if google:
            base = f"https://docs.google.com/spreadsheets/d/{google.group(1)}/edit"
            sheet_id = outcome.report.sheet_ids.get(tab) if outcome.report else None
            if sheet_id is None:
                return base
            return f"{base}#gid={sheet_id}" + (f"&range={cell}" if cell else "")
        if "://" in link:
            return link
        anchor = f"#'{tab.replace(chr(39), chr(39) * 2)}'!{cell}" if tab and cell else ""
        return f"external:{self._local_path(link)}{anchor}"

    def _local_path(self, link: str) -> str:
        path = os.path.abspath(link)
        if self.link_base is not None:
            try:
                return os.path.relpath(path, self.link_base)
            except ValueError:  # another drive on Windows: stay absolute
                pass
        return path


def printable(ws: Worksheet, repeat_row: int | None = None) -> None:
    """Landscape A4, one page wide, header row repeated, page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&RTrang &P/&N")
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)


def cell_offset(top_left: str, rows: int, cols: int) -> str:
    """ "C5" moved down ``rows`` and right ``cols``: a table body's cell."""
    row, col = xl_cell_to_rowcol(top_left)
    return a1(row + rows + 1, col + cols + 1)
