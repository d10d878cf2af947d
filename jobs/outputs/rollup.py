"""The district roll-up as data: one row per indicator, against the district's own targets.

The workbook's "Toàn huyện" sheet and section II of the Word draft both show these rows, so
the two are equal by construction. Only submitted units (on time or late) count: a report still
being typed, or one that failed validation, must not move a number the district quotes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from statistics import fmean

from sheets_schema import FieldType, Indicator, IndicatorResult, ParsedReport, Schema, assess

from ..model import UnitOutcome

NO_TARGET = "chưa có chỉ tiêu"
NO_DATA = "chưa có số liệu"
HOW_WORDS = {
    "sum": "Tổng các đơn vị",
    "mean": "Trung bình cộng các đơn vị",
    "ratio": "Σ tử số / Σ mẫu số × 100 (không lấy trung bình các tỷ lệ)",
}


@dataclass(frozen=True)
class DistrictIndicator:
    """One indicator for the whole district."""

    indicator: Indicator
    target: float | None  # the district's own target ([targets]), None when not set
    result: float | None  # the roll-up over submitted units
    numerator: float | None  # Σ tử số, rate indicators only
    denominator: float | None  # Σ mẫu số
    ratio: float | None  # result/target, or target/result when lower is better
    assessment: str  # Vượt · Đạt · Chưa đạt · chưa có chỉ tiêu · chưa có số liệu
    reporting: int  # submitted units that gave a value
    meeting: int  # of the submitted units, those meeting their own target

    @property
    def kind(self) -> str:
        """The number format of the result: whole numbers show no decimals."""
        return number_kind(self.indicator, self.result)

    @property
    def target_kind(self) -> str:
        """The number format of the target, by the same rule."""
        return number_kind(self.indicator, self.target)

    @property
    def how(self) -> str:
        """How the result is rolled up, in words."""
        return HOW_WORDS.get(self.indicator.rollup, self.indicator.rollup)


def number_kind(ind: Indicator, value: float | None) -> str:
    """ "int" for a whole number, else the indicator's own decimals ("pct_points" or "dec")."""
    if value is not None and float(value).is_integer():
        return "int"
    return "pct_points" if ind.type is FieldType.PERCENT else "dec"


def submitted_reports(outcomes: list[UnitOutcome]) -> Iterator[tuple[UnitOutcome, ParsedReport]]:
    """Submitted units with a readable report, in roster order: what the district totals use."""
    for o in outcomes:
        if o.status.submitted and o.report is not None and o.report.is_template:
            yield o, o.report


def district_rollup(
    schema: Schema, outcomes: list[UnitOutcome], targets: Mapping[str, float]
) -> list[DistrictIndicator]:
    """Every indicator of ``schema``, in schema order, rolled up over the submitted units."""
    reports = [r for _, r in submitted_reports(outcomes)]
    rows = []
    for ind in schema.indicators:
        results = [
            r.indicators[ind.key]
            for r in reports
            if ind.key in r.indicators and r.indicators[ind.key].applicable
        ]
        valued = [r for r in results if not r.not_applicable and r.result is not None]
        result, numerator, denominator = rollup(ind, valued)
        target = targets.get(ind.key)
        ratio, assessment = assess(ind, target, result)
        if target is None:
            assessment = NO_TARGET
        elif result is None:
            assessment = NO_DATA
        rows.append(
            DistrictIndicator(
                indicator=ind,
                target=target,
                result=result,
                numerator=numerator,
                denominator=denominator,
                ratio=ratio,
                assessment=assessment or NO_DATA,
                reporting=len(valued),
                meeting=sum(1 for r in results if r.met),
            )
        )
    return rows


def rollup(
    ind: Indicator, results: list[IndicatorResult]
) -> tuple[float | None, float | None, float | None]:
    """(district value, Σnumerator, Σdenominator) of ``ind`` over the given unit results.

    ``ratio`` is 100·Σtu_so/Σmau_so over units that gave both: a mean of unit percentages
    would let a 50-household unit weigh as much as a 5,000-household one.
    """
    if ind.rollup == "ratio":
        pairs = [
            (r.numerator, r.denominator)
            for r in results
            if r.numerator is not None and r.denominator is not None
        ]
        if not pairs:
            return None, None, None
        num = sum(p[0] for p in pairs)
        den = sum(p[1] for p in pairs)
        return (100 * num / den if den else None), num, den
    values = [r.result for r in results if r.result is not None]
    if not values:
        return None, None, None
    return (sum(values) if ind.rollup == "sum" else fmean(values)), None, None
