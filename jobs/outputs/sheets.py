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

from sheets_schema import FieldType, Finding, Indicator, IndicatorResult, ParsedReport, Severity

from ..model import UnitOutcome
from .cells import Book, Source, cell_offset

_UNIT_COLUMNS = [("Mã đơn vị", 16), ("Tên đơn vị", 30), ("Tình trạng", 14)]
_SEVERITY = {Severity.ERROR: ("Lỗi", "#FFC7CE"), Severity.WARNING: ("Cảnh báo", "#FFEB9C")}


def with_data(outcomes: list[UnitOutcome]) -> Iterator[tuple[UnitOutcome, ParsedReport]]:
    """Units whose (possibly last good) report is a readable template, in roster order."""
    for o in outcomes:
        if o.report is not None and o.report.is_template:
            yield o, o.report


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

_INDICATOR_COLUMNS = [
    *_UNIT_COLUMNS, ("Nhóm", 14), ("Chỉ tiêu", 34), ("Đơn vị tính", 12), ("NQ đề ra", 11),
    ("Kết quả", 11), ("Tử số", 11), ("Mẫu số", 11), ("Tỷ lệ so với NQ", 11), ("Đánh giá", 10),
    ("Dự báo", 10), ("Ghi chú", 36), ("Tính vào tổng hợp", 11),
]  # fmt: skip


def write_indicators(book: Book, ws: Worksheet, outcomes: list[UnitOutcome]) -> None:
    """One row per unit × applicable indicator; the district roll-up is on "Toàn huyện"."""
    units = list(with_data(outcomes))
    head = 3
    book.title(ws, "CHỈ TIÊU NGHỊ QUYẾT THEO ĐƠN VỊ")
    book.header(ws, head, _INDICATOR_COLUMNS)
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
        "Tổng hợp toàn huyện so với chỉ tiêu của Huyện: xem trang “Toàn huyện” (bấm vào đây).",
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
    book.header(ws, head, [*_UNIT_COLUMNS, ("STT", 5), ("Mục", 30), ("Nội dung", 100)])
    row = head
    for o, report in with_data(outcomes):
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
    book.header(ws, head, [*_UNIT_COLUMNS, *((f.label, 13) for f, _ in fields)])
    ws.set_row(head, 75)
    row = head
    units = list(with_data(outcomes))
    for o, report in units:
        row += 1
        _unit_cells(book, ws, row, o)
        for c, (f, _) in enumerate(fields, start=3):
            book.value(ws, row, c, report.values.get(f.id), _number_kind(f.type))
    book.finish(ws, head, row, len(fields) + 2, freeze_cols=2)
    submitted = [r for o, r in units if o.status.submitted]
    total = row + 1
    ws.write_string(total, 0, "Tổng cộng", book.fmt(fill="#F2F2F2", bold=True))
    book.text(ws, total, 1, f"{len(submitted)} đơn vị đã nộp", book.fmt(fill="#F2F2F2", bold=True))
    ws.write_blank(total, 2, None, book.fmt(fill="#F2F2F2"))
    for c, (f, how) in enumerate(fields, start=3):
        values = [r.values[f.id] for r in submitted if _is_number(r.values.get(f.id))]
        value = (sum(values) if how == "sum" else fmean(values)) if values else None
        kind = _number_kind(f.type) if how == "sum" else "dec"
        book.value(ws, total, c, value, kind, fill="#F2F2F2")
    ws.write_string(
        total + 1,
        0,
        "Dòng tổng cộng chỉ tính các đơn vị đã nộp (đúng hạn hoặc trễ hạn).",
        book.style("note"),
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
    book.header(ws, head, [*_UNIT_COLUMNS, ("Dòng", 6), *((c.label, c.width) for c in columns)])
    row = head
    for o, report in with_data(outcomes):
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
    to the unit's file and cell."""
    head = 2
    book.title(
        ws,
        "LỖI VÀ CẢNH BÁO CỦA CÁC ĐƠN VỊ",
        "Bấm vào ô ở cột “Ô” để mở đúng ô đó trong bảng tính của đơn vị.",
    )
    book.header(
        ws,
        head,
        [
            ("Mã đơn vị", 16),
            ("Tên đơn vị", 28),
            ("Mức độ", 10),
            ("Mã lỗi", 18),
            ("Trang", 16),
            ("Ô", 8),
            ("Trường", 22),
            ("Nội dung", 70),
            ("Giá trị", 24),
        ],
    )
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
            book.text(ws, row, 3, f.code.value, book.fmt())
            book.text(ws, row, 4, f.tab, book.fmt())
            url = book.file_url(o, f.tab, f.cell)
            book.link(ws, row, 5, url, f.cell or ("(mở tệp)" if url else ""))
            book.text(ws, row, 6, f.field, book.fmt())
            book.text(ws, row, 7, f.message, book.fmt())
            book.text(ws, row, 8, f.value, book.fmt())
    book.finish(ws, head, row, 8, freeze_cols=2)
