"""What parsing one unit's spreadsheet yields: typed values, findings, completeness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .findings import Finding, Severity


@dataclass(frozen=True)
class ParseContext:
    """What the parser knows besides the cells: the roster's view of the unit and the day."""

    unit_code: str | None = None
    unit_type: str | None = None  # roster type code (xa, thi_tran, …)
    today: date | None = None  # the run's date in the report's time zone


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator for one unit, with what the tool computes (never asks for)."""

    key: str
    applicable: bool
    not_applicable: bool = False  # the unit answered "Không áp dụng"
    target: float | None = None
    result: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    ratio: float | None = None
    assessment: str | None = None  # Vượt · Đạt · Chưa đạt
    forecast: str | None = None
    note: str | None = None

    @property
    def met(self) -> bool | None:
        """Met or exceeded its own target; None when there is nothing to judge."""
        return None if self.assessment is None else self.assessment in ("Vượt", "Đạt")


@dataclass
class ParsedReport:
    """The parser's answer for one spreadsheet."""

    values: dict[str, Any]
    findings: list[Finding]
    items_total: int
    items_filled: int
    confirmed: bool
    indicators: dict[str, IndicatorResult] = field(default_factory=dict)
    is_template: bool = True
    unit_type: str | None = None
    # field id → (tab title, A1 cell) where it was read, to link findings and values back.
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)
    table_rows: dict[str, list[int]] = field(default_factory=dict)  # 1-based body rows kept
    sheet_ids: dict[str, int] = field(default_factory=dict)  # Google sheetId per tab title

    @property
    def completeness(self) -> float:
        return self.items_filled / self.items_total if self.items_total else 0.0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def submitted(self) -> bool:
        """Signed off and free of errors (warnings allowed)."""
        return self.confirmed and self.errors == 0
