"""The province's units: every district's units, rebuilt from the district's outputs.

Each unit becomes a ``UnitOutcome`` again (its status from the district's status.json, its
indicator figures from values.csv), so the province's figures come from the same roll-up
functions as a district's (``jobs/outputs/rollup.py``) run over all units' rows: a ratio is
Σtử số/Σmẫu số over every unit of the province, never a mean of districts' rounded results.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sheets_schema import IndicatorResult, ParsedReport, Schema, assess

from ..model import Status, Unit, UnitOutcome
from .read import DistrictRead, Wanted


def wanted_fields(schema: Schema) -> Wanted:
    """Everything a unit reported, as values.csv holds it: the figures the roll-ups read, the
    texts and tables the draft synthesises, and the province's own values.csv (which a level
    above reads as a district's) passes on."""
    wanted: dict[tuple[str, str], str | None] = {(f.tab, f.id): None for f in schema.fields}
    for table in schema.tables:
        wanted.update({(table.tab, c.id): table.name for c in table.columns})
    return wanted


def _report_values(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """A unit's values as the parser gives them (a table is a list of rows) and the tables'
    row numbers, from what ``read`` kept (a table is row number → row)."""
    out, numbers = {}, {}
    for key, value in values.items():
        if isinstance(value, dict):
            numbers[key] = sorted(value)
            out[key] = [value[n] for n in numbers[key]]
        else:
            out[key] = value
    return out, numbers


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def indicator_results(
    schema: Schema, unit_type: str, values: dict[str, Any]
) -> dict[str, IndicatorResult]:
    """The unit's indicator results, as the parser made them, from its written values."""
    out = {}
    for ind in schema.indicators:
        if not ind.applies(unit_type):
            out[ind.key] = IndicatorResult(ind.key, applicable=False)
            continue
        kq = values.get(ind.field_id("kq"))
        if isinstance(kq, str) and kq.strip().casefold() == schema.not_applicable.casefold():
            out[ind.key] = IndicatorResult(ind.key, True, not_applicable=True)
            continue
        target, result = _number(values.get(ind.field_id("nq"))), _number(kq)
        ratio, assessment = assess(ind, target, result)
        forecast = values.get(ind.field_id("du_bao"))
        out[ind.key] = IndicatorResult(
            ind.key, True, target=target, result=result,
            numerator=_number(values.get(ind.field_id("tu_so"))),
            denominator=_number(values.get(ind.field_id("mau_so"))),
            ratio=ratio, assessment=assessment,
            forecast=forecast if isinstance(forecast, str) else None,
        )  # fmt: skip
    return out


def _status(text: Any) -> Status:
    try:
        return Status(str(text))
    except ValueError:
        return Status.INVALID


def _when(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def district_outcomes(
    schema: Schema, read: DistrictRead, fallback_deadline: datetime
) -> list[UnitOutcome]:
    """One outcome per unit the district lists; codes qualified as DISTRICT/UNIT."""
    out = []
    for u in read.units:
        code, kind = str(u.get("code") or ""), str(u.get("type") or "")
        if not code or u.get("status") == "closed":
            continue
        kept = read.values.get(code)
        report = None
        if kept is not None:
            values, numbers = _report_values(kept)
            report = ParsedReport(
                values=values, findings=[], items_total=0, items_filled=0,
                confirmed=bool(u.get("confirmed")),
                indicators=indicator_results(schema, kind, values), unit_type=kind,
                table_rows=numbers,
            )  # fmt: skip
        outcome = UnitOutcome(
            Unit(f"{read.entry.code}/{code}", str(u.get("name") or code), kind),
            _status(u.get("status")),
            _when(u.get("deadline")) or fallback_deadline,
            report=report,
            submitted_at=_when(u.get("submitted_at")),
            modified_at=_when(u.get("modified_at")),
            amended_after_submit=bool(u.get("amended_after_submit")),
        )
        out.append(outcome)
    return out


def all_outcomes(
    schema: Schema, reads: Iterable[DistrictRead], fallback_deadline: datetime
) -> dict[str, list[UnitOutcome]]:
    """District code → its units' outcomes, for the districts whose outputs are usable."""
    return {r.entry.code: district_outcomes(schema, r, fallback_deadline)
            for r in reads if r.status.value == "ok"}  # fmt: skip
