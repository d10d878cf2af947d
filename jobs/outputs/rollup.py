"""The district roll-up as data: one row per indicator, against the district's own targets.

The workbook's "Toàn huyện" sheet and section II of the Word draft both show these rows, so
the two are equal by construction; both show each figure through the ``shown_*`` values below
(one rounding, half up), so they also print the same digits. Only submitted units (on time or
late) count: a report still being typed, or one that failed validation, must not move a number
the district quotes.

A district figure means what it says (see ``sheets_schema.model.ROLLUPS``): a sum, a ratio of
sums, a mean weighted by a unit field such as population, a count of units reaching a threshold,
or the district's own statistic entered by the office. The units' plain mean is only ever a
reference beside the figure (``reference``), never the figure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from statistics import fmean

from sheets_schema import FieldType, Indicator, IndicatorResult, ParsedReport, Schema, assess
from sheets_schema.values import fmt_number

from ..model import DistrictFigure, UnitOutcome, entered_line
from .words import fmt_percent, percent_decimals, shown, shown_ratio

NO_TARGET = "chưa có chỉ tiêu"
NO_DATA = "chưa có số liệu"
NOT_ENTERED = "chưa nhập"  # an entered indicator without its [district_results] line
REFERENCE_LABEL = "Trung bình cộng các đơn vị (tham khảo)"
RESULT_PLACES = 2  # decimals a district figure, target or reference is shown with, at most
HOW_WORDS = {
    "sum": "Tổng các đơn vị",
    "ratio": "Σ tử số / Σ mẫu số × 100 (không lấy trung bình các tỷ lệ)",
}


@dataclass(frozen=True)
class DistrictIndicator:
    """One indicator for the whole district."""

    indicator: Indicator
    target: float | None  # the district's own target ([targets]), None when not set
    result: float | None  # the district figure (see the module docstring)
    numerator: float | None  # Σ tử số, rate indicators only
    denominator: float | None  # Σ mẫu số
    ratio: float | None  # result/target, or target/result when lower is better
    assessment: str  # Vượt · Đạt · Chưa đạt · chưa có chỉ tiêu · chưa có số liệu · chưa nhập
    reporting: int  # submitted units that gave a value
    meeting: int  # of the submitted units, those meeting their own target
    reference: float | None = None  # the units' plain mean, when the schema asks for it
    source: str = ""  # entered: where the district's figure comes from
    weight_total: float | None = None  # weighted: Σ weight over the units weighed
    unweighted: tuple[str, ...] = ()  # weighted: units with a result but no weight, not counted
    weight_label: str = ""  # weighted: the weight field's label ("Dân số")
    ratio_decimals: int = 1  # places every ratio of the roll-up is shown with (one column)

    @property
    def label(self) -> str:
        """What the district figure is: a count says what it counts."""
        return self.indicator.result_label

    @property
    def unit(self) -> str:
        return self.indicator.result_unit

    @property
    def kind(self) -> str:
        """The number format of the result: whole numbers show no decimals."""
        return number_kind(self.indicator, self.shown_result)

    @property
    def target_kind(self) -> str:
        """The number format of the target, by the same rule."""
        return number_kind(self.indicator, self.shown_target)

    @property
    def reference_kind(self) -> str:
        return number_kind(self.indicator, self.shown_reference)

    # The figures as shown (half up): the workbook stores these, the draft prints them.
    @property
    def shown_result(self) -> float | None:
        return _shown(self.result, RESULT_PLACES)

    @property
    def shown_target(self) -> float | None:
        return _shown(self.target, RESULT_PLACES)

    @property
    def shown_reference(self) -> float | None:
        return _shown(self.reference, RESULT_PLACES)

    @property
    def shown_numerator(self) -> float | None:
        return _shown(self.numerator, 0)

    @property
    def shown_denominator(self) -> float | None:
        return _shown(self.denominator, 0)

    @property
    def shown_ratio(self) -> float | None:
        return None if self.ratio is None else shown_ratio(self.ratio, self.ratio_decimals)

    @property
    def ratio_text(self) -> str:
        """The ratio as the table shows it ("101,9%"), "" without one."""
        return "" if self.ratio is None else fmt_percent(self.ratio, self.ratio_decimals)

    @property
    def how(self) -> str:
        """How the result is rolled up, in words (with the source of an entered figure)."""
        return self.how_at("huyện")

    def how_at(self, whole: str) -> str:
        """``how``, for the level ``whole`` ("huyện", "tỉnh") whose office enters figures."""
        ind = self.indicator
        if ind.rollup == "entered":
            if self.result is None:
                return (
                    f"Số liệu của {whole} do Văn phòng nhập: chưa nhập. Thêm vào tonghop.toml, "
                    f"mục [district_results], dòng: {entered_line(ind.key)} (thay số liệu và "
                    "nguồn)."
                )
            return f"Số liệu của {whole} do Văn phòng nhập; nguồn: {self.source}."
        if ind.rollup == "count":
            direction = "trở lên" if ind.better == "higher" else "trở xuống"
            return f"Đếm số đơn vị có “{ind.label}” từ {fmt_number(ind.threshold or 0)} {direction}"
        if ind.rollup == "weighted":
            return self.weighted_words()
        return HOW_WORDS.get(ind.rollup, ind.rollup)

    def weighted_words(self) -> str:
        weight = self.weight_label or self.indicator.weight or ""
        text = f"Bình quân gia quyền theo {weight}: Σ(kết quả × {weight}) / Σ {weight}"
        if self.weight_total is not None:
            text += f" (tổng {weight} {fmt_number(self.weight_total, 0)})"
        if self.unweighted:
            names = ", ".join(self.unweighted)
            text += f"; {len(self.unweighted)} đơn vị chưa ghi {weight} nên không tính: {names}"
        return text


def _shown(value: float | None, places: int) -> float | None:
    return None if value is None else shown(value, places)


def number_kind(ind: Indicator, value: float | None) -> str:
    """ "int" for a whole number, else the indicator's own decimals ("pct_points" or "dec")."""
    if value is not None and float(value).is_integer():
        return "int"
    if ind.rollup == "count":
        return "dec"  # a count of units, whatever the type of the units' results
    return "pct_points" if ind.type is FieldType.PERCENT else "dec"


def submitted_reports(outcomes: list[UnitOutcome]) -> Iterator[tuple[UnitOutcome, ParsedReport]]:
    """Submitted units with a readable report, in roster order: what the district totals use."""
    for o in outcomes:
        if o.status.submitted and o.report is not None and o.report.is_template:
            yield o, o.report


def district_rollup(
    schema: Schema,
    outcomes: list[UnitOutcome],
    targets: Mapping[str, float],
    entered: Mapping[str, DistrictFigure] | None = None,
) -> list[DistrictIndicator]:
    """Every indicator of ``schema``, in schema order, rolled up over the submitted units of
    ``outcomes`` (any list: a district's units, or a province's districts).

    ``entered`` holds the district's own figures ([district_results]) for ``entered``
    indicators; one without its figure reads "chưa nhập" with the line to add.
    """
    units = list(submitted_reports(outcomes))
    rows = []
    for ind in schema.indicators:
        applicable = [
            (o, r, r.indicators[ind.key])
            for o, r in units
            if ind.key in r.indicators and r.indicators[ind.key].applicable
        ]
        valued = [
            (o, r, res)
            for o, r, res in applicable
            if not res.not_applicable and res.result is not None
        ]
        figure = (entered or {}).get(ind.key) if ind.rollup == "entered" else None
        rolled = _rollup(ind, valued, figure)
        if ind.weight and schema.has_field(ind.weight):
            rolled = replace(rolled, weight_label=schema.field(ind.weight).label)
        target = targets.get(ind.key)
        ratio, assessment = assess(ind, target, rolled.result)
        if ind.rollup == "entered" and figure is None:
            assessment = NOT_ENTERED
        elif target is None:
            assessment = NO_TARGET
        elif rolled.result is None:
            assessment = NO_DATA
        values = [res.result for _, _, res in valued if res.result is not None]
        rows.append(
            replace(
                rolled,
                target=target,
                ratio=ratio,
                assessment=assessment or NO_DATA,
                reporting=len(valued),
                meeting=sum(1 for _, _, res in applicable if res.met),
                reference=fmean(values) if ind.reference == "mean" and values else None,
            )
        )
    # One column, one display: every ratio gets the places the closest-to-100% one needs, so
    # the table, its chart's labels (one number format) and the draft all agree.
    places = max((percent_decimals(d.ratio) for d in rows if d.ratio is not None), default=1)
    return [replace(d, ratio_decimals=places) for d in rows]


def _rollup(
    ind: Indicator,
    valued: list[tuple[UnitOutcome, ParsedReport, IndicatorResult]],
    figure: DistrictFigure | None,
) -> DistrictIndicator:
    """The district figure of ``ind`` over the units that gave a result (the other fields are
    filled in by ``district_rollup``).

    ``ratio`` is 100·Σtu_so/Σmau_so over units that gave both: a mean of unit percentages
    would let a 50-household unit weigh as much as a 5,000-household one; ``weighted`` holds
    the same for income per head, by population.
    """
    row = DistrictIndicator(ind, None, None, None, None, None, "", 0, 0)
    results = [res for _, _, res in valued]
    if ind.rollup == "entered":
        if figure is None:
            return row
        return replace(row, result=figure.value, source=figure.source)
    if ind.rollup == "ratio":
        pairs = [
            (r.numerator, r.denominator)
            for r in results
            if r.numerator is not None and r.denominator is not None
        ]
        if not pairs:
            return row
        num = sum(p[0] for p in pairs)
        den = sum(p[1] for p in pairs)
        return replace(row, result=100 * num / den if den else None, numerator=num, denominator=den)
    values = [r.result for r in results if r.result is not None]
    if not values:
        return row
    if ind.rollup == "count":
        threshold = ind.threshold if ind.threshold is not None else 0.0
        reached = [
            v for v in values if (v >= threshold if ind.better == "higher" else v <= threshold)
        ]
        return replace(row, result=float(len(reached)))
    if ind.rollup == "weighted":
        return _weighted(row, ind, valued)
    return replace(row, result=sum(values))


def _weighted(
    row: DistrictIndicator,
    ind: Indicator,
    valued: list[tuple[UnitOutcome, ParsedReport, IndicatorResult]],
) -> DistrictIndicator:
    """Σ(result × weight) / Σ weight over units that gave both; the others are named."""
    pairs: list[tuple[float, float]] = []
    missing: list[str] = []
    for o, report, res in valued:
        weight = report.values.get(ind.weight or "")
        if isinstance(weight, int | float) and not isinstance(weight, bool) and weight > 0:
            pairs.append((float(res.result or 0.0), float(weight)))
        else:
            missing.append(o.unit.name)
    total = sum(w for _, w in pairs)
    result = sum(v * w for v, w in pairs) / total if total else None
    return replace(row, result=result, weight_total=total or None, unweighted=tuple(missing))
