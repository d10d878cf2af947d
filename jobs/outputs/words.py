"""Times and numbers as the district reads them: local wall-clock times, Vietnamese percents
and ages. The helpers every output module shares, below them all."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sheets_schema.values import fmt_number


def percent_decimals(fraction: float) -> int:
    """Decimals to show ``fraction`` as a percent: one, or as many more (up to four) as it takes
    not to print "100%" for a value that is not 1.

    An assessment of "Chưa đạt" next to a ratio printed as "100,0%" (0.9998 rounded) reads as a
    mistake; the ratios are rounded to 6 places, so four decimals of a percent always tell.
    """
    decimals = 1
    while decimals < 4 and fraction != 1 and round(fraction * 100, decimals) == 100:
        decimals += 1
    return decimals


def fmt_percent(fraction: float | None) -> str:
    """0.975 → "97,5%"; 0.9998 → "99,98%", never "100%"; None → "—"."""
    if fraction is None:
        return "—"
    return f"{fmt_number(fraction * 100, percent_decimals(fraction))}%"


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
