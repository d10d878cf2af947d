"""Times and numbers as the district reads them: local wall-clock times, Vietnamese percents
and ages. The helpers every output module shares, below them all."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sheets_schema.values import fmt_number


def fmt_percent(fraction: float | None) -> str:
    """0.975 → "97,5%"; None → "—"."""
    return "—" if fraction is None else f"{fmt_number(fraction * 100, 1)}%"


def local_time(moment: datetime, timezone: str) -> datetime:
    """``moment`` as a naive wall-clock time in ``timezone``; naive input is taken as local."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def fmt_datetime(moment: datetime | None, timezone: str) -> str:
    """ "dd/mm/yyyy HH:MM" in ``timezone``, or "" for None."""
    return "" if moment is None else f"{local_time(moment, timezone):%d/%m/%Y %H:%M}"


def age_words(age: timedelta) -> str:
    """How old something is, in words: "5 phút trước", "2 giờ trước", "3 ngày trước"."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "dưới 1 phút trước"
    if minutes < 60:
        return f"{minutes} phút trước"
    if minutes < 48 * 60:
        return f"{minutes // 60} giờ trước"
    return f"{minutes // (24 * 60)} ngày trước"
