"""The consolidated workbook's unit-data sheets: indicators, self-reviews, inspections,
limitations and findings. Each reads the schema for what to show, so a new indicator or count
in the schema file appears here without a code change.

District totals are computed only over units that have submitted (on time or late): a report
still being typed, or one that failed validation, must not move a number the district quotes.
"""

from __future__ import annotations

from collections.abc import Iterator
from statistics import fmean

from xlsxwriter.worksheet import Worksheet

from sheets_schema import (
    Code,
    FieldType,
    Finding,
    Indicator,
    IndicatorResult,
    ParsedReport,
    Severity,
)

from ..model import UnitOutcome
from .cells import Book, Source, cell_offset

# Widest a column of unit text gets in the consolidated workbook: wider columns only shrink
# the printed page (every sheet prints one page wide).
_TEXT_MAX = 30
_SEVERITY = {Severity.ERROR: ("Lỗi", "#FFC7CE"), Severity.WARNING: ("Cảnh báo", "#FFEB9C")}


def with_data(outcomes: list[UnitOutcome]) -> Iterator[tuple[UnitOutcome, ParsedReport]]:
    """Units whose (possibly last good) report is a readable template, in roster order."""
    for o in outcomes:
        if o.report is not None and o.report.is_template:
            yield o, o.report


def unit_columns(book: Book, outcomes: list[UnitOutcome]) -> list[tuple[str, float]]:
    """The unit columns every sheet starts with, as wide as the codes and names need."""
    codes = book.fit_width((o.unit.code for o in outcomes), 9, 26)
    names = book.fit_width((o.unit.name for o in outcomes), 14, 22)
    return [("Mã đơn vị", codes), ("Tên đơn vị", names), ("Tình trạng", 12)]


def _unit_cells(book: Book, ws: Worksheet, row: int, o: UnitOutcome) -> None:
    book.text(ws, row, 0, o.unit.code, book.fmt())
    book.text(ws, row, 1, o.unit.name, book.fmt())
    book.text(ws, row, 2, o.status.label, book.fmt(fill=o.status.color))


def _source(o: UnitOutcome, report: ParsedReport, field_id: str) -> Source:
    tab, cell = report.cells.get(field_id, ("", ""))
    return Source(o.unit.code, tab, cell, field_id)


def _number_kind(ftype: FieldType) -> str:
    return {FieldType.INTEGER: "int", FieldType.PERCENT: "pct_points"}.get(ftype, "dec")


# ------------------------------------------------------------------ Chỉ tiêu

_INDICATOR_COLUMNS: list[tuple[str, float]] = [
    ("Mã đơn vị", 15), ("Tên đơn vị", 22), ("Tình trạng", 12), ("Nhóm", 12), ("Chỉ tiêu", 30),
    ("Đơn vị tính", 10), ("NQ đề ra", 9), ("Kết quả", 9), ("Tử số", 9), ("Mẫu số", 9),
    ("Tỷ lệ so với NQ", 9), ("Đánh giá", 9), ("Dự báo", 9), ("Ghi chú", 28),
    ("Tính vào tổng hợp", 8),
]  # fmt: skip


def write_indicators(book: Book, ws: Worksheet, outcomes: list[UnitOutcome]) -> None:
    """One row per unit × applicable indicator; the district roll-up is on "Toàn huyện"."""
    units = list(with_data(outcomes))
    head = 3
    book.title(ws, "CHỈ TIÊU NGHỊ QUYẾT THEO ĐƠN VỊ")
    columns = list(_INDICATOR_COLUMNS)
    columns[:3] = unit_columns(book, [o for o, _ in units])
    columns[5] = ("Đơn vị tính", book.fit_width((i.unit for i in book.schema.indicators), 7, 14))
    book.header(ws, head, columns)
    row = head
    for o, report in units:
        for ind in book.schema.indicators:
            result = report.indicators.get(ind.key)
            if result is not None and result.applicable:
                row += 1
                _indicator_row(book, ws, row, o, report, ind, result)
    book.finish(ws, head, row, len(_INDICATOR_COLUMNS) - 1, freeze_cols=2)
    book.link(
        ws,
        1,
        0,
        "internal:'Toàn huyện'!A1",
        "Tổng hợp toàn huyện so với chỉ tiêu của huyện: xem trang “Toàn huyện” (bấm vào đây).",
        last_col=4,
    )


def _indicator_row(
    book: Book,
    ws: Worksheet,
    row: int,
    o: UnitOutcome,
    report: ParsedReport,
    ind: Indicator,
    r: IndicatorResult,
) -> None:
    kind = _number_kind(ind.type)
    _unit_cells(book, ws, row, o)
    book.text(ws, row, 3, ind.group, book.fmt())
    book.text(ws, row, 4, ind.label, book.fmt())
    book.text(ws, row, 5, ind.unit, book.fmt())
    book.value(ws, row, 6, r.target, kind)
    if r.not_applicable:
        book.text(ws, row, 7, book.schema.not_applicable, book.fmt())
    else:
        book.value(ws, row, 7, r.result, kind)
    book.value(ws, row, 8, r.numerator if ind.is_rate else None, "int")
    book.value(ws, row, 9, r.denominator if ind.is_rate else None, "int")
    book.value(ws, row, 10, r.ratio, "ratio")
    book.value(ws, row, 11, r.assessment)
    book.value(ws, row, 12, r.forecast, source=_source(o, report, ind.field_id("du_bao")))
    book.value(ws, row, 13, r.note, source=_source(o, report, ind.field_id("ghi_chu")))
    book.value(ws, row, 14, "Có" if o.status.submitted else "Không")


# ------------------------------------------------------------------ Kiểm điểm


def write_narratives(book: Book, ws: Worksheet, outcomes: list[UnitOutcome]) -> None:
    """The self-review sections, one row per unit × section, long text wrapped."""
    fields = [f for t in book.schema.tabs if t.layout == "narrative" for f in t.fields]
    head = 2
    book.title(
        ws,
        "BÁO CÁO KIỂM ĐIỂM CỦA BAN CHẤP HÀNH, THEO ĐƠN VỊ",
        "Lọc cột “Mục” để so sánh một nội dung giữa các đơn vị.",
    )
    units = list(with_data(outcomes))
    columns = [*unit_columns(book, [o for o, _ in units]), ("STT", 4.5), ("Mục", 24)]
    book.header(ws, head, [*columns, ("Nội dung", 90)])
    row = head
    for o, report in units:
        for n, f in enumerate(fields, start=1):
            row += 1
            _unit_cells(book, ws, row, o)
            book.value(ws, row, 3, n, "int")
            book.text(ws, row, 4, f.label, book.fmt())
            book.value(ws, row, 5, report.values.get(f.id), source=_source(o, report, f.id))
    book.finish(ws, head, row, 5)


# ------------------------------------------------------------------ Kiểm tra giám sát


def write_counts(book: Book, ws: Worksheet, outcomes: list[UnitOutcome]) -> None:
    """Inspection counts by unit, one column per field, and a totals row over submitted units."""
    tabs = [t for t in book.schema.tabs if t.layout == "form" and t.rollup]
    fields = [(f, t.rollup or "sum") for t in tabs for f in t.fields]
    head = 2
    book.title(ws, "CÔNG TÁC KIỂM TRA, GIÁM SÁT, THI HÀNH KỶ LUẬT ĐẢNG, THEO ĐƠN VỊ")
    units = list(with_data(outcomes))
    columns = unit_columns(book, [o for o, _ in units])
    book.header(ws, head, [*columns, *((f.label, 10) for f, _ in fields)])
    row = head
    for o, report in units:
        row += 1
        _unit_cells(book, ws, row, o)
        for c, (f, _) in enumerate(fields, start=3):
            book.value(ws, row, c, report.values.get(f.id), _number_kind(f.type))
    book.finish(ws, head, row, len(fields) + 2, freeze_cols=2)
    submitted = [r for o, r in units if o.status.submitted]
    total = row + 1
    book.text(ws, total, 0, "Tổng cộng", book.fmt(fill="#F2F2F2", bold=True))
    book.text(ws, total, 1, f"{len(submitted)} đơn vị đã nộp", book.fmt(fill="#F2F2F2", bold=True))
    book.value(ws, total, 2, None, fill="#F2F2F2")
    for c, (f, how) in enumerate(fields, start=3):
        values = [r.values[f.id] for r in submitted if _is_number(r.values.get(f.id))]
        value = (sum(values) if how == "sum" else fmean(values)) if values else None
        kind = _number_kind(f.type) if how == "sum" else "dec"
        book.value(ws, total, c, value, kind, fill="#F2F2F2")
    book.note(
        ws,
        total + 1,
        "Dòng tổng cộng chỉ tính các đơn vị đã nộp (đúng hạn hoặc trễ hạn).",
        0,
        len(fields) + 2,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ------------------------------------------------------------------ Hạn chế - Giải pháp


def write_limitations(book: Book, ws: Worksheet, outcomes: list[UnitOutcome]) -> None:
    """Every unit's limitations table rows, with the unit first."""
    head = 2
    book.title(ws, "HẠN CHẾ, YẾU KÉM, NGUYÊN NHÂN VÀ GIẢI PHÁP CỦA CÁC ĐƠN VỊ")
    tables = book.schema.tables
    columns = [c for t in tables for c in t.columns]
    units = list(with_data(outcomes))
    widths = [(c.label, min(c.width, _TEXT_MAX)) for c in columns]
    book.header(ws, head, [*unit_columns(book, [o for o, _ in units]), ("Dòng", 5), *widths])
    row = head
    for o, report in units:
        for table in tables:
            tab, first = report.cells.get(table.name, ("", ""))
            numbers = report.table_rows.get(table.name, [])
            for i, values in enumerate(report.values.get(table.name) or []):
                row += 1
                body_row = numbers[i] if i < len(numbers) else i + 1
                _unit_cells(book, ws, row, o)
                book.value(ws, row, 3, body_row, "int")
                for c, col in enumerate(table.columns):
                    where = cell_offset(first, body_row - 1, c) if first else ""
                    source = Source(o.unit.code, tab, where, table.name)
                    book.value(ws, row, 4 + c, values.get(col.id), source=source)
    book.finish(ws, head, row, len(columns) + 3)


# ------------------------------------------------------------------ Lỗi


def write_findings(book: Book, ws: Worksheet, outcomes: list[UnitOutcome]) -> None:
    """Every finding of every unit, plus the workbook's own truncation findings, each linked
    to the unit's file and cell.

    A finding shows where it is as the unit sees its template (tab, cell, the field's label),
    never a field id. The stable code (as in findings.csv) is the last column, outside the
    print area: it is for looking up the fix in the guide, not for the printed page.
    """
    head = 2
    book.title(
        ws,
        "LỖI VÀ CẢNH BÁO CỦA CÁC ĐƠN VỊ",
        "Với đơn vị dùng Google Sheets, bấm vào ô ở cột “Ô” để mở đúng ô đó trong bảng tính "
        "của đơn vị. Cột cuối “Mã lỗi” (không in) dùng để tra cách sửa ở mục B3 của tài liệu "
        "hướng dẫn.",
    )
    unit_cols = unit_columns(book, outcomes)[:2]
    codes = book.fit_width((c.value for c in Code), 8, 16)
    labels = book.fit_width(
        (book.schema.label_of(f.field) for o in outcomes if o.report for f in o.report.findings),
        12,
        24,
    )
    columns = [
        *unit_cols,
        ("Mức độ", 8.5),
        ("Trang", 12),
        ("Ô", 6),
        ("Mục", labels),
        ("Nội dung", 60),
        ("Giá trị", 20),
        ("Mã lỗi", codes),
    ]
    book.header(ws, head, columns)
    ours: dict[str, list[Finding]] = {}
    for code, finding in book.truncated:
        ours.setdefault(code, []).append(finding)
    row = head
    for o in outcomes:
        findings = (o.report.findings if o.report is not None else []) + ours.get(o.unit.code, [])
        for f in findings:
            row += 1
            label, fill = _SEVERITY[f.severity]
            book.text(ws, row, 0, o.unit.code, book.fmt())
            book.text(ws, row, 1, o.unit.name, book.fmt())
            book.text(ws, row, 2, label, book.fmt(fill=fill))
            book.text(ws, row, 3, f.tab, book.fmt())
            url = book.file_url(o, f.tab, f.cell)  # Google only: files are not linked
            book.link(ws, row, 4, url, f.cell or ("(mở tệp)" if url else ""))
            book.text(ws, row, 5, book.schema.label_of(f.field) if f.field else "", book.fmt())
            book.text(ws, row, 6, f.message, book.fmt())
            book.text(ws, row, 7, f.value, book.fmt())
            book.text(ws, row, 8, f.code.value, book.fmt())
    last = len(columns) - 1
    book.finish(ws, head, row, last, freeze_cols=2)
    book.print_columns(ws, last - 1)  # the code column stays on screen, off the page
