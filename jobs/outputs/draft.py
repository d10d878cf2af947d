"""The Word draft of the district's consolidated report (bao-cao-tong-hop.docx).

What the office would write from forty reports, in the register of a Party report, laid out
after Hướng dẫn 36-HD/VPTW (``wordpage``). The content follows the review's outline and is read
from the schema, never listed here: indicators (layout "indicators") go to II, narrative
fields to III (some to V and VI, below), form tabs with a roll-up to IV, tables to V. A new
field or tab in the schema appears in the draft without a code change. Only submitted units
are included, as in the workbook's totals.

The narrative sections are a synthesis (``synthesis``): each point several units make is said
once, with how many units and which; what one unit alone wrote is counted and left to the
annex (``annex``, phu-luc-y-kien-don-vi.docx), which holds every unit's texts whole. A
highlighted line under each item is where the Ban Thường vụ writes its own assessment.

Unit text is inserted as plain runs, never as fields or links. Same input, same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

from sheets_schema import Column, Field, FieldType, Schema
from sheets_schema.values import fmt_number

from ..history import late_changes_line
from ..model import RunInfo, Status, UnitOutcome
from .draft_points import (
    PLACEHOLDER,
    SHORT,
    attribution,
    count_words,
    indicators_lead,
    limitations,
    shortfall_sentence,
    singles_paragraph,
)
from .level import Level
from .rollup import RESULT_PLACES, DistrictIndicator, district_rollup, submitted_reports
from .status_table import COUNT_LABELS, HEADER, count_units, inactive_reason, status_table
from .synthesis import Point, Settings, find_points
from .wordpage import WordPage, cell_lines, pinned_bytes
from .words import fmt_datetime, fmt_percent
from .wordxml import FullRow

DRAFT = "bao-cao-tong-hop.docx"

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
_ROLLUP_NUMERIC = frozenset({3, 4, 5, 6, 7, 9, 10})


def rollup_columns(level: Level) -> tuple[tuple[str, float], ...]:
    """Section II's columns (header, mm) for a landscape page."""
    return (
        ("TT", 10), ("Chỉ tiêu", 56), ("Đơn vị tính", 28), (f"Chỉ tiêu của {level.whole}", 20),
        (f"Kết quả toàn {level.whole}", 22), ("Σ tử số", 22), ("Σ mẫu số", 24),
        ("Tỷ lệ so với chỉ tiêu", 18), ("Đánh giá", 18), ("Số đơn vị báo cáo", 16),
        ("Số đơn vị đạt chỉ tiêu của mình", 18),
    )  # fmt: skip


def draft_bytes(
    schema: Schema, outcomes: list[UnitOutcome], run: RunInfo, settings: Settings | None = None
) -> bytes:
    """The draft as .docx bytes; the same input gives the same bytes."""
    settings = settings or Settings.of(run.draft)
    return pinned_bytes(ReportDraft(schema, outcomes, run, settings).build())


def write_draft(fh: Any, schema: Schema, outcomes: list[UnitOutcome], run: RunInfo) -> None:
    """Write the draft to an open binary file."""
    fh.write(draft_bytes(schema, outcomes, run))


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


def narrative_fields(schema: Schema, place: int) -> list[Field]:
    """The narrative fields the outline puts in section ``place`` (0-based: 2 is III)."""
    fields = [f for t in schema.tabs if t.layout == "narrative" for f in t.fields]
    return [f for f in fields if _NARRATIVE_PLACE.get(f.id, 2) == place]


class ReportDraft(WordPage):
    def __init__(
        self, schema: Schema, outcomes: list[UnitOutcome], run: RunInfo, settings: Settings
    ) -> None:
        super().__init__(schema, run)
        self.outcomes = outcomes
        self.settings = settings
        self.units = list(submitted_reports(outcomes))
        self.names = {o.unit.code: o.unit.name for o, _ in self.units}
        self.printed: set[str] = set()  # every point's wording once in the whole body

    def build(self) -> Any:
        subject = f"tổng hợp {self.review_subject()} của {self.level.members}"
        self.heading_block("BÁO CÁO", subject)
        self.para(self.included_line(), italic=True)
        self.section_status()
        self.section_indicators()
        self.heading(SECTIONS[2], 1)
        self.narratives(narrative_fields(self.schema, 2))
        self.section_counts()
        self.section_limitations()
        self.heading(SECTIONS[5], 1)
        self.narratives(narrative_fields(self.schema, 5))
        self.closing_block()
        self.appendix()
        self.properties(f"Dự thảo báo cáo tổng hợp — {self.schema.title}")
        return self.doc

    def included_line(self) -> str:
        when = fmt_datetime(self.run.as_of, self.run.timezone)
        return (
            f"Dự thảo tổng hợp từ {self.included_who()}, số liệu tính đến {when}; đơn vị chưa "
            f"nộp không được tính. Dự thảo do hệ "
            "thống lập tự động, cần được rà soát, biên tập trước khi trình."
        )

    def included_who(self) -> str:
        """Whose reports the draft is made from."""
        return f"{len(self.units)} đơn vị đã nộp báo cáo (đúng hạn hoặc trễ hạn)"

    # ------------------------------------------------------------------ I
    def deadline_words(self) -> str:
        """ "hết ngày 22/3/2023" or "trước ngày 23/3/2023"."""
        day = f"{self.run.deadline.day}/{self.run.deadline.month}/{self.run.deadline.year}"
        return f"hết ngày {day}" if self.run.deadline_inclusive else f"trước ngày {day}"

    def counts_sentence(self, counts: dict[str, int]) -> str:
        """ "Số đơn vị phải báo cáo: 37. Đã nộp: …; chưa nộp: …." from ``count_units``."""
        expected = counts["expected"]

        def share(key: str) -> str:
            n = counts.get(key, 0)
            return f"{n} đơn vị ({fmt_percent(n / expected) if expected else '—'})"

        others = [
            f"{COUNT_LABELS[s.value].lower()} {share(s.value)}"
            for s in Status
            if not s.submitted and counts.get(s.value, 0)
        ]
        return (
            f"Số đơn vị phải báo cáo: {expected}. Đã nộp: {share('submitted')}, trong đó đúng "
            f"hạn {share('on_time')}, trễ hạn {share('late')}; chưa nộp: "
            + ("; ".join(others) if others else "không có")
            + "."
        )

    def section_status(self) -> None:
        self.heading(SECTIONS[0], 1)
        counts = count_units(self.outcomes, self.run)
        self.para(
            f"Các tổ chức cơ sở đảng gửi báo cáo về {self.level.committee} "
            f"{self.deadline_words()}. {self.counts_sentence(counts)}"
        )
        expected = counts["expected"]
        today = self.run.as_of.date()
        missing = [o for o in self.outcomes if not o.status.submitted and o.unit.active_on(today)]
        if missing:
            names = "; ".join(f"{o.unit.name} ({o.status.label.lower()})" for o in missing)
            self.para(f"Các đơn vị chưa nộp ({len(missing)}): {names}.")
        elif expected:
            self.para("Tất cả các đơn vị đã nộp báo cáo.")
        late = late_changes_line(self.run.field_changes, self.outcomes)
        if late:
            self.para(late)
        # Units outside their active dates, so the roster's count reconciles with "phải báo cáo".
        if self.run.inactive:
            names = "; ".join(
                f"{u.name} ({inactive_reason(u, self.run)})" for u in self.run.inactive
            )
            self.para(f"Đơn vị không phải báo cáo ({len(self.run.inactive)}): {names}.")

    # ------------------------------------------------------------------ II
    def section_indicators(self) -> None:
        # Eleven columns of figures need the width of a landscape page.
        self.new_section(landscape=True)
        self.heading(SECTIONS[1], 1)
        rows = district_rollup(
            self.schema, self.outcomes, self.run.targets, self.run.district_results
        )
        self.para(indicators_lead(rows, self.level))
        self.rollup_table(rows)
        # Back to portrait for the prose: the sentences no longer fill a landscape page alone.
        self.new_section(landscape=False)
        for d in rows:
            if d.assessment == SHORT:
                self.para(shortfall_sentence(d, self.level))

    def rollup_table(self, rows: Sequence[DistrictIndicator]) -> None:
        """The level's figure of each indicator, by the indicators' groups."""
        lines: list[Sequence[str] | FullRow] = []
        for g, (group, members) in enumerate(indicator_groups(rows).items(), start=1):
            lines.append(FullRow(f"{g}. {group}"))
            lines += [rollup_cells(n, d) for n, d in members]
        self.table(rollup_columns(self.level), lines, _ROLLUP_NUMERIC)

    # ------------------------------------------------------------------ III, V, VI narratives
    def narratives(self, fields: list[Field], start: int = 1) -> None:
        for n, f in enumerate(fields, start=start):
            self.heading(f"{n}. {f.label}", 2)
            texts = [
                (o.unit.code, o.unit.name, str(r.values[f.id]))
                for o, r in self.units
                if _filled(r.values.get(f.id))
            ]
            self.points(texts)

    def points(self, texts: list[tuple[str, str, str]]) -> None:
        """The shared points of ``texts``, the single ones in a paragraph, the placeholder."""
        if not texts:
            self.para("Chưa có đơn vị nào báo cáo nội dung này.")
            return
        found = find_points(texts, self.settings)
        for p in found:
            if self.shared(p.units):
                self.point(p.text, self.who(p.units, len(texts)))
        singles = [p for p in found if not self.shared(p.units)]
        if singles:
            self.para(self.singles(singles))
        self.body.paragraph([(PLACEHOLDER, "ih")])

    @property
    def listed(self) -> int:
        return self.settings.names_listed

    def shared(self, units: Sequence[str]) -> bool:
        """Whether a point these units make is told in the body (else counted, for the annex)."""
        return len(units) >= self.settings.min_units

    def who(self, units: Sequence[str], total: int) -> str:
        """The point's "(n đơn vị: …)", out of ``total`` units that wrote on the item."""
        return attribution(units, self.names, total, self.listed)

    def singles(self, points: Sequence[Point]) -> str:
        """The paragraph that counts the points not told in the body."""
        return singles_paragraph(points, self.names, self.listed)

    def point(self, text: str, who: str) -> None:
        """ "- The point (n đơn vị: …)." with the sentence's stop after the count."""
        self.printed.add(text)
        stop = text[-1] if text.endswith((".", "!", "?")) else "."
        head = text[:-1] if text.endswith((".", "!", "?")) else text
        self.body.paragraph([("- " + head + " ", ""), (who, "i"), (stop, "")])

    # ------------------------------------------------------------------ IV
    def section_counts(self) -> None:
        self.heading(SECTIONS[3], 1)
        tabs = [t for t in self.schema.tabs if t.layout == "form" and t.rollup]
        reports = [r for _, r in self.units]
        for tab in tabs:
            if len(tabs) > 1:
                self.heading(tab.heading, 2)
            rows: list[Sequence[str]] = []
            said: list[str] = []
            for n, f in enumerate(tab.fields, start=1):
                values = [r.values[f.id] for r in reports if _is_number(r.values.get(f.id))]
                if tab.rollup == "mean":
                    total = sum(values) / len(values) if values else None
                else:
                    total = sum(values) if values else None
                kind = "int" if f.type is FieldType.INTEGER and tab.rollup != "mean" else "dec"
                rows.append([str(n), f.label, number_text(total, kind), str(len(values))])
                if total:
                    words = count_words(f.label, number_text(total, kind))
                    if f.label.startswith(("—", "-", "trong đó")) and said:
                        # A breakdown of the line above it: "kỷ luật 28 (khiển trách 16, …)".
                        head, _, inner = said[-1].partition(" (")
                        inner = inner.rstrip(")")
                        said[-1] = f"{head} ({inner + ', ' if inner else ''}{words})"
                    else:
                        said.append(words)
            how = "bình quân" if tab.rollup == "mean" else "tổng cộng"
            if said:
                nil = any(row[2] in ("", "0") for row in rows)
                self.para(
                    f"Theo báo cáo của {len(reports)} đơn vị đã nộp, {how}: "
                    + "; ".join(said)
                    + (". Các nội dung còn lại không phát sinh" if nil else "")
                    + ". Chi tiết tại bảng sau."
                )
            elif not reports:
                self.para("Chưa có đơn vị nào nộp báo cáo; chưa có số liệu để tổng hợp.")
            elif not any(row[3] != "0" for row in rows):
                self.para(f"{len(reports)} đơn vị đã nộp chưa nhập số liệu mục này.")
            else:
                self.para(f"Theo báo cáo của {len(reports)} đơn vị đã nộp, không phát sinh.")
            columns = (
                ("TT", 10),
                ("Nội dung", 105),
                (self.level.total, 25),
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
            shown = [c for c in table.columns if c is not group_col]
            text_cols = [c for c in shown if c.type is FieldType.TEXT]
            if not text_cols:
                continue
            # The limitation, then its cause and remedy: the two columns after it.
            main, details = text_cols[0], [(c.id, c.label) for c in text_cols[1:3]]
            for value, rows in self.grouped_rows(table.name, group_col, table.require_value):
                n += 1
                if group_col is None:
                    title = tab.heading.capitalize()
                elif "nguyên nhân" in group_col.label.lower():
                    title = f"Hạn chế do nguyên nhân {value.lower()}"
                else:
                    title = f"{tab.heading.capitalize()}: {value.lower()}"
                self.heading(f"{n}. {title}", 2)
                self.limitation_points(rows, main.id, details)
        self.narratives(narrative_fields(self.schema, 4), start=n + 1)

    def limitation_points(
        self, rows: list[tuple[str, str, dict[str, Any]]], main: str, details: list[tuple[str, str]]
    ) -> None:
        total = len({unit for unit, _, _ in rows})
        found = limitations(rows, main, details, self.settings)
        singles = [x.point for x in found if not self.shared(x.point.units)]
        for item in found:
            p = item.point
            if not self.shared(p.units):
                continue
            self.point(p.text, self.who(p.units, total))
            for label, text in item.details:
                if text in self.printed:
                    continue
                self.printed.add(text)
                end = "" if text.endswith((".", "!", "?", "…")) else "."
                self.body.paragraph(
                    [(f"{label}: ", "i"), (text + end, "")], first_line_mm=0, left_mm=10, after_pt=3
                )
        if singles:
            self.para(self.singles(singles))

    def grouped_rows(
        self, name: str, group_col: Column | None, first: str | None
    ) -> list[tuple[str, list[tuple[str, str, dict[str, Any]]]]]:
        """The table's rows with their unit, grouped by ``group_col`` (``first`` first, then
        its choices in order, then other values, then rows without one)."""
        rows = [
            (o.unit.code, o.unit.name, row)
            for o, r in self.units
            for row in (r.values.get(name) or [])
        ]
        if group_col is None:
            return [("", rows)] if rows else []
        order = [first] if first else []
        order += list(group_col.choices or self.schema.choices.get(group_col.choice_list or "", ()))
        groups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {v: [] for v in order}
        for row in rows:
            key = str(row[2].get(group_col.id) or "").strip() or "chưa phân loại"
            groups.setdefault(key, []).append(row)
        return [(k, v) for k, v in groups.items() if v]

    # ------------------------------------------------------------------ closing block
    def closing_block(self) -> None:
        """The 36-HD foot of a report: "Nơi nhận:" at the left, the signing block at the right,
        left for the office to complete (who signs is decided when the draft is approved)."""
        self.para()
        left, right = self.two_cells(75)
        superior = self.level.superior
        if "THÀNH PHỐ" in (self.run.district_parent or ""):  # a district of a city
            superior = superior.replace("Tỉnh ủy", "Thành ủy")
        office = (self.run.district_name or "cấp ủy").split(" ", 2)[:2]
        recipients = [
            f"- {superior} (báo cáo),",
            *(f"- {r}," for r in self.level.recipients),
            f"- Lưu Văn phòng {' '.join(office).capitalize()}.",
        ]
        left_aligned = WD_ALIGN_PARAGRAPH.LEFT
        cell_lines(left, [("Nơi nhận:", True, True)], align=left_aligned, size=12)
        cell_lines(left, [(r, False, False) for r in recipients], align=left_aligned, size=11)
        cell_lines(
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
            rows.append(["" if v is None else plain(v) for v in picked])
        self.table(_APPENDIX_COLUMNS, rows, frozenset({0, 3}))


def indicator_groups(
    rows: Sequence[DistrictIndicator],
) -> dict[str, list[tuple[int, DistrictIndicator]]]:
    """The indicators by their group, in order, each with its number (1-based)."""
    groups: dict[str, list[tuple[int, DistrictIndicator]]] = {}
    for n, d in enumerate(rows, start=1):
        groups.setdefault(d.indicator.group, []).append((n, d))
    return groups


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


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def plain(value: object) -> str:
    """A cell's value as text: dates as dd/mm/yyyy, decimals as Vietnamese numbers."""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return number_text(value, "dec")
    return str(value)
