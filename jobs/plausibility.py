"""Across units: a result of a very different scale from the units of the same type.

A unit whose PC uses English (US) number settings and types "18.900" as the guide says gets
18.9. Against its own target the parser warns (sheets_schema.plausible); this module compares
each result with the median of the same indicator over the units of the same type, which
catches a slip even when the target was typed with the same slip. It needs every unit's
results, so it runs in the job once all units are read, not in the parser.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from sheets_schema import Code, Finding, Schema, Severity
from sheets_schema.findings import show
from sheets_schema.plausible import is_positive, scale_slip

from .model import UnitOutcome

# Fewer units than this of a type give no meaningful median.
MIN_PEERS = 3


def add_plausibility(schema: Schema, outcomes: list[UnitOutcome]) -> None:
    """Add a warning to each report whose indicator result is more than 100 times off the
    median of units of the same roster type; at most one such warning per result.

    Reports are changed in place. Calling it again adds nothing new (a report that already
    carries the warning, from the parser or an earlier call, keeps just that one).
    """
    results: dict[tuple[str, str], list[float]] = defaultdict(list)
    for o in outcomes:
        if o.report is None or not o.report.is_template:
            continue
        for key, r in o.report.indicators.items():
            if r.applicable and not r.not_applicable and is_positive(r.result):
                results[(o.unit.type, key)].append(float(r.result))  # type: ignore[arg-type]
    indicators = {ind.key: ind for ind in schema.indicators}
    for o in outcomes:
        report = o.report
        if report is None or not report.is_template:
            continue
        for key, r in report.indicators.items():
            peers = results.get((o.unit.type, key), [])
            if len(peers) < MIN_PEERS or not is_positive(r.result):
                continue
            middle = median(peers)
            slip = scale_slip(r.result, middle, "kết quả phổ biến của các đơn vị cùng loại hình")
            ind = indicators.get(key)
            field_id = ind.field_id("kq") if ind is not None else key
            if not slip or any(
                f.code is Code.IMPLAUSIBLE_SCALE and f.field == field_id for f in report.findings
            ):
                continue
            tab, cell = report.cells.get(field_id, ("", ""))
            message = f"{ind.label if ind is not None else key}: kết quả {slip}"
            report.findings.append(
                Finding(
                    Severity.WARNING,
                    Code.IMPLAUSIBLE_SCALE,
                    tab,
                    cell,
                    field_id,
                    message,
                    show(r.result),
                )
            )
