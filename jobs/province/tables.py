"""The province's cross-district tables, built with pandas from every unit's row.

Each figure is one call of the district roll-up (``jobs/outputs/rollup.district_rollup``) over
a set of units — one district's, one unit type's across the province, or all of them — and
pandas lays the figures out as indicator × district and indicator × type pivots, and counts
units by district or type and status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sheets_schema import Schema

from ..model import DistrictFigure, Status, UnitOutcome
from ..outputs.rollup import DistrictIndicator, district_rollup

# Count columns of the per-district and per-type tables, in order.
COUNTS = ("expected", "submitted", "on_time", "late", "overdue", "not_reporting")


@dataclass(frozen=True)
class ProvinceTables:
    """Everything the province's outputs show, computed once."""

    province: list[DistrictIndicator]  # the province figure of each indicator
    by_district: pd.DataFrame  # indicator key × district code: each district's figure
    by_type: pd.DataFrame  # indicator key × unit type: the figure over that type's units
    district_counts: pd.DataFrame  # district code × COUNTS
    type_counts: pd.DataFrame  # unit type × COUNTS


def _figures(schema: Schema, groups: Mapping[str, list[UnitOutcome]],
             targets: Mapping[str, float], entered: Mapping[str, DistrictFigure]) -> pd.DataFrame:  # fmt: skip
    """indicator key × group: the roll-up of each group's units (shown values, half up)."""
    long = [
        {"indicator": d.indicator.key, "group": name, "value": d.shown_result}
        for name, units in groups.items()
        for d in district_rollup(schema, units, targets, entered)
    ]
    keys = [ind.key for ind in schema.indicators]
    if not long:
        return pd.DataFrame(index=pd.Index(keys, name="indicator"))
    frame = pd.DataFrame(long).pivot(index="indicator", columns="group", values="value")
    return frame.reindex(index=keys, columns=list(groups))


def _counts(units: pd.DataFrame, by: str, order: Sequence[str]) -> pd.DataFrame:
    """``by`` × COUNTS from one row per unit (its ``by`` value and status)."""
    if units.empty:
        return pd.DataFrame(0, index=pd.Index(order, name=by), columns=list(COUNTS))
    table = pd.crosstab(units[by], units["status"]).reindex(index=list(order), fill_value=0)
    col = lambda s: table[s] if s in table.columns else 0  # noqa: E731
    out = pd.DataFrame(index=table.index)
    out["expected"] = table.sum(axis=1)
    out["on_time"] = col(Status.ON_TIME.value)
    out["late"] = col(Status.LATE.value)
    out["submitted"] = out["on_time"] + out["late"]
    out["overdue"] = col(Status.OVERDUE.value)
    out["not_reporting"] = out["expected"] - out["submitted"]
    return out[list(COUNTS)].fillna(0).astype(int)


def province_tables(schema: Schema, districts: Mapping[str, list[UnitOutcome]],
                    targets: Mapping[str, float], entered: Mapping[str, DistrictFigure],
                    unit_types: Sequence[str]) -> ProvinceTables:  # fmt: skip
    """The province's figures and tables from every usable district's units.

    Districts' own figures use no targets (the province's [targets] are the province's); the
    province's ``entered`` figures come from its own [district_results].
    """
    everyone = [o for units in districts.values() for o in units]
    province = district_rollup(schema, everyone, targets, entered)
    by_district = _figures(schema, districts, {}, {})
    types = [t for t in unit_types if any(o.unit.type == t for o in everyone)]
    by_type = _figures(schema, {t: [o for o in everyone if o.unit.type == t] for t in types},
                       {}, {})  # fmt: skip
    rows = pd.DataFrame(
        [(d, o.unit.type, o.status.value) for d, units in districts.items() for o in units],
        columns=["district", "type", "status"],
    )
    return ProvinceTables(
        province, by_district, by_type,
        _counts(rows, "district", list(districts)), _counts(rows, "type", types),
    )  # fmt: skip


def figure(frame: pd.DataFrame, row: str, col: str) -> float | None:
    """A pivot's cell as a float, None when empty or absent."""
    if row not in frame.index or col not in frame.columns:
        return None
    value: Any = frame.at[row, col]
    return None if pd.isna(value) else float(value)


def count(frame: pd.DataFrame, row: str, col: str) -> int:
    """A count table's cell as an int (0 when absent)."""
    if row not in frame.index or col not in frame.columns:
        return 0
    value: Any = frame.at[row, col]
    return int(value)
