"""ParsedReport ⇄ JSON, so the state can keep each unit's last good parse."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sheets_schema import Code, Finding, IndicatorResult, ParsedReport, Severity


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(report: ParsedReport) -> str:
    return json.dumps(
        {
            "values": _encode(report.values),
            "findings": [f.as_dict() for f in report.findings],
            "items_total": report.items_total,
            "items_filled": report.items_filled,
            "confirmed": report.confirmed,
            "indicators": {k: vars_of(i) for k, i in report.indicators.items()},
            "is_template": report.is_template,
            "unit_type": report.unit_type,
            "cells": report.cells,
            "table_rows": report.table_rows,
            "sheet_ids": report.sheet_ids,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def vars_of(ind: IndicatorResult) -> dict[str, Any]:
    return {k: getattr(ind, k) for k in IndicatorResult.__dataclass_fields__}


def loads(text: str) -> ParsedReport:
    doc = json.loads(text)
    findings = [
        Finding(
            Severity(f["severity"]),
            Code(f["code"]),
            f["tab"],
            f["cell"],
            f["field"],
            f["message"],
            f["value"],
        )
        for f in doc["findings"]
    ]
    return ParsedReport(
        values=_decode(doc["values"]),
        findings=findings,
        items_total=doc["items_total"],
        items_filled=doc["items_filled"],
        confirmed=doc["confirmed"],
        indicators={k: IndicatorResult(**v) for k, v in doc["indicators"].items()},
        is_template=doc["is_template"],
        unit_type=doc["unit_type"],
        cells={k: (v[0], v[1]) for k, v in doc["cells"].items()},
        table_rows=doc["table_rows"],
        sheet_ids=doc["sheet_ids"],
    )
