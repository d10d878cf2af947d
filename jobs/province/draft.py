"""The province's draft report (bao-cao-tong-hop.docx): the district's report builder
(``jobs/outputs/draft``) over every unit of every usable district, in the province's words.

What differs from a district's draft, and only that, is here:

- Section I goes district by district: whether its outputs were used (and if not, what the
  district must do) and how its units reported, in a table with the province's total.
- Section II gives the province's figure of each indicator (the same roll-up table as a
  district's, against the province's [targets]), then each district's figure of each
  indicator side by side; an indicator short of the province's target names the districts
  whose own figure is short of it.
- III–VI are the same synthesis of the units' texts, but a point is told in the body when the
  units of several districts make it ([draft] min_units counts districts here), and who made
  it is said by district: "(14 đơn vị thuộc 3 huyện, thị, thành ủy: Huyện ủy Vĩnh Lợi (6); …)".
  The texts whole are in each district's own annex; the province writes none.
- The appendix lists the units that have not submitted, by district, for the province's
  office to chase; every unit's status is in each district's report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sheets_schema import Schema, assess

from ..model import RunInfo, UnitOutcome
from ..outputs.draft import SECTIONS, ReportDraft, indicator_groups, number_text
from ..outputs.draft_points import ANNEX_TITLE, SHORT, indicators_lead, shortfall_sentence
from ..outputs.level import PROVINCE
from ..outputs.rollup import DistrictIndicator, number_kind
from ..outputs.status_table import count_units
from ..outputs.synthesis import Point, Settings
from ..outputs.wordpage import pinned_bytes
from ..outputs.words import fmt_percent
from ..outputs.wordxml import FullRow
from .read import DistrictRead, DistrictStatus
from .tables import ProvinceTables, count, figure

DISTRICTS = "huyện, thị, thành ủy"  # the province's members, in an attribution
# Districts side by side in one table of section II: beyond this, the next table goes on.
_PER_TABLE = 7
_STATUS_COLUMNS = (
    ("TT", 10), ("Huyện, thị, thành ủy", 45), ("Phải báo cáo", 18), ("Đã nộp", 16),
    ("Đúng hạn", 16), ("Trễ hạn", 16), ("Quá hạn chưa nộp", 18), ("Kết quả của huyện", 26),
)  # fmt: skip
_MISSING_COLUMNS = (("TT", 12), ("Huyện, thị, thành ủy", 50), ("Đơn vị", 70), ("Tình trạng", 33))


def draft_bytes(schema: Schema, run: RunInfo, reads: Sequence[DistrictRead],
                districts: dict[str, list[UnitOutcome]], tables: ProvinceTables) -> bytes:  # fmt: skip
    """The province's draft as .docx bytes; the same input gives the same bytes."""
    draft = _ProvinceDraft(schema, run, reads, districts, tables, Settings.of(run.draft))
    return pinned_bytes(draft.build())


class _ProvinceDraft(ReportDraft):
    level = PROVINCE

    def __init__(self, schema: Schema, run: RunInfo, reads: Sequence[DistrictRead],
                 districts: dict[str, list[UnitOutcome]], tables: ProvinceTables,
                 settings: Settings) -> None:  # fmt: skip
        outcomes = [o for units in districts.values() for o in units]
        super().__init__(schema, outcomes, run, settings)
        self.reads = list(reads)
        self.districts = districts
        self.tables = tables
        self.district_names = {r.entry.code: r.entry.name for r in reads}
        self.district_of = {o.unit.code: d for d, units in districts.items() for o in units}

    def included_who(self) -> str:
        return (
            f"kết quả của {len(self.districts)}/{len(self.reads)} {DISTRICTS} trực thuộc, gồm "
            f"{len(self.units)} tổ chức cơ sở đảng đã nộp báo cáo (đúng hạn hoặc trễ hạn)"
        )

    # ------------------------------------------------------------------ I
    def whole_counts(self) -> str:
        """The province's units in one sentence; none known while no district is usable."""
        if not self.districts:
            return (
                "Chưa có số liệu về các tổ chức cơ sở đảng vì chưa tổng hợp được kết quả của huyện "
                "nào (lý do từng huyện ở dưới bảng)."
            )
        return f"Toàn tỉnh: {self.counts_sentence(count_units(self.outcomes, self.run))}"

    def section_status(self) -> None:
        self.heading(SECTIONS[0], 1)
        self.para(
            f"Các tổ chức cơ sở đảng gửi báo cáo về huyện ủy, thị ủy, thành ủy "
            f"{self.deadline_words()}; mỗi huyện, thị, thành ủy tổng hợp và gửi kết quả về "
            f"{self.level.committee}. Đã tổng hợp được kết quả của {len(self.districts)}/"
            f"{len(self.reads)} {DISTRICTS}. " + self.whole_counts()
        )
        counts = self.tables.district_counts
        rows: list[Sequence[str]] = []
        totals = Counter[str]()
        for n, r in enumerate(self.reads, start=1):
            code = r.entry.code
            if code in counts.index:
                c = {name: count(counts, code, name) for name in counts.columns}
                totals.update(c)
                figures = [
                    str(c[k]) for k in ("expected", "submitted", "on_time", "late", "overdue")
                ]
            else:
                figures = ["", "", "", "", ""]
            rows.append([str(n), r.entry.name, *figures, r.status.label])
        rows.append(["", self.level.total, *(str(totals[k]) for k in
                     ("expected", "submitted", "on_time", "late", "overdue")), ""])  # fmt: skip
        self.table(_STATUS_COLUMNS, rows, frozenset({0, 2, 3, 4, 5, 6}))
        for r in self.reads:
            if r.status is not DistrictStatus.OK:
                self.para(f"Chưa tổng hợp số liệu của {r.entry.name} ({r.status.label.lower()}): "
                          f"{r.message}")  # fmt: skip

    # ------------------------------------------------------------------ II
    def section_indicators(self) -> None:
        self.new_section(landscape=True)
        self.heading(SECTIONS[1], 1)
        rows = self.tables.province
        self.para(indicators_lead(rows, self.level))
        self.rollup_table(rows)
        codes = [r.entry.code for r in self.reads if r.entry.code in self.districts]
        for start in range(0, len(codes), _PER_TABLE):
            part = codes[start : start + _PER_TABLE]
            of = f" ({start // _PER_TABLE + 1}/{-(-len(codes) // _PER_TABLE)})"
            self.para(f"Kết quả của từng {DISTRICTS}"
                      f"{of if len(codes) > _PER_TABLE else ''}:", bold=True, indent=False)  # fmt: skip
            self.districts_table(rows, part)
        self.new_section(landscape=False)
        for d in rows:
            if d.assessment == SHORT:
                self.para(shortfall_sentence(d, self.level) + self.short_districts(d, codes))

    def districts_table(self, rows: Sequence[DistrictIndicator], codes: Sequence[str]) -> None:
        """Indicator × district: each district's own figure, then the province's."""
        # "triệu đồng/người/năm" is one word to a line breaker: the unit column holds it.
        width = (252 - 10 - 54 - 32 - 24) / max(len(codes), 1)
        columns = [("TT", 10.0), ("Chỉ tiêu", 54.0), ("Đơn vị tính", 32.0)]
        columns += [(self.district_names[c], width) for c in codes]
        columns.append((self.level.total, 24.0))
        lines: list[Sequence[str] | FullRow] = []
        for g, (group, members) in enumerate(indicator_groups(rows).items(), start=1):
            lines.append(FullRow(f"{g}. {group}"))
            for n, d in members:
                values = [figure(self.tables.by_district, d.indicator.key, c) for c in codes]
                lines.append([str(n), d.label, d.unit,
                              *(number_text(v, number_kind(d.indicator, v)) for v in values),
                              number_text(d.shown_result, d.kind)])  # fmt: skip
        self.table(columns, lines, frozenset(range(3, len(columns))) | {0})

    def short_districts(self, d: DistrictIndicator, codes: Sequence[str]) -> str:
        """ " Chưa đạt chỉ tiêu của tỉnh: A (đạt 96,1%); B (đạt 99,2%)." or ""."""
        short = []
        for code in codes:
            value = figure(self.tables.by_district, d.indicator.key, code)
            ratio, verdict = assess(d.indicator, d.shown_target, value)
            if verdict == SHORT and ratio is not None:
                short.append(f"{self.district_names[code]} (đạt {fmt_percent(ratio)})")
        if not short:
            return ""
        return f" Chưa đạt chỉ tiêu của {self.level.whole}: {'; '.join(short)}."

    # ------------------------------------------------------------------ who made a point
    def shared(self, units: Sequence[str]) -> bool:
        if len(self.districts) < 2:  # one district: its units, as a district's draft
            return super().shared(units)
        return len({self.district_of.get(u, u) for u in units}) >= self.settings.min_units

    def who(self, units: Sequence[str], total: int) -> str:
        by = Counter(self.district_of.get(u, u) for u in units)
        shown = [f"{self.district_names.get(d, d)} ({n})" for d, n in by.items()][: self.listed]
        rest = len(by) - len(shown)
        text = "; ".join(shown) + (f" và {rest} {DISTRICTS} khác" if rest else "")
        if len(by) == len(self.districts) > 2:
            return f"({len(units)} đơn vị, thuộc tất cả {len(by)} {DISTRICTS})"
        return f"({len(units)} đơn vị thuộc {len(by)} {DISTRICTS}: {text})"

    def singles(self, points: Sequence[Point]) -> str:
        by = Counter(self.district_of.get(u, u) for p in points for u in dict.fromkeys(p.units))
        shown = [f"{self.district_names.get(d, d)} ({n})" for d, n in by.items()][: self.listed]
        rest = len(by) - len(shown)
        where = "; ".join(shown) + (f" và {rest} {DISTRICTS} khác" if rest else "")
        return (
            f"Ngoài ra, {len(points)} ý kiến chỉ do đơn vị của một {DISTRICTS} nêu (số đơn vị "
            f"nêu: {where}); toàn văn tại {ANNEX_TITLE.lower()} kèm báo cáo của từng huyện."
        )

    # ------------------------------------------------------------------ appendix
    def appendix(self) -> None:
        today = self.run.as_of.date()
        rows = [
            [self.district_names[d], o.unit.name, o.status.label]
            for d, units in self.districts.items()
            for o in units
            if not o.status.submitted and o.unit.active_on(today)
        ]
        if not rows:
            return
        self.new_section(landscape=False)
        self.heading("PHỤ LỤC: CÁC ĐƠN VỊ CHƯA NỘP BÁO CÁO", 1)
        self.para(f"{len(rows)} tổ chức cơ sở đảng chưa nộp báo cáo, theo từng {DISTRICTS}; "
                  "tình trạng của mọi đơn vị xem tại báo cáo tổng hợp của từng huyện.",
                  italic=True)  # fmt: skip
        self.table(_MISSING_COLUMNS, [[str(n), *r] for n, r in enumerate(rows, start=1)],
                   frozenset({0}))  # fmt: skip
