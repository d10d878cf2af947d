"""Times and numbers as the district reads them: local wall-clock times, Vietnamese percents
and ages. The helpers every output module shares, below them all."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sheets_schema.values import fmt_number, round_half_up


def percent_decimals(fraction: float) -> int:
    """Decimals to show ``fraction`` as a percent: one, or as many more (up to four) as it takes
    not to print "100%" for a value that is not 1.

    An assessment of "Chưa đạt" next to a ratio printed as "100,0%" (0.9998 rounded) reads as a
    mistake; the ratios are rounded to 6 places, so four decimals of a percent always tell.
    The test uses the same half-up rounding the figure is shown with.
    """
    decimals = 1
    points = percent_points(fraction)
    while decimals < 4 and points != 100 and round_half_up(points, decimals) == 100:
        decimals += 1
    return decimals


def percent_points(fraction: float) -> Decimal:
    """``fraction`` × 100, exactly (0.1 × 100 in floats is 10.000000000000002)."""
    return Decimal(repr(float(fraction))) * 100


def shown(value: float, decimals: int) -> float:
    """``value`` as it is shown with ``decimals`` places (half up), for a workbook cell whose
    number format shows exactly those places: the cell then displays what the draft prints,
    whatever rounding the spreadsheet program applies."""
    return float(round_half_up(value, decimals))


def shown_ratio(fraction: float, decimals: int) -> float:
    """A ratio as shown as a percent with ``decimals`` places: 1.0025 at one place → 1.003."""
    return float(round_half_up(percent_points(fraction), decimals) / 100)


def fmt_percent(fraction: float | None, decimals: int | None = None) -> str:
    """0.975 → "97,5%"; 1.0025 → "100,3%" (half up); 0.9998 → "99,98%", never "100%";
    None → "—". ``decimals`` fixes the places, zeros kept (a table column shown alike, as its
    cells' number format shows it), else they are chosen and trailing zeros dropped."""
    if fraction is None:
        return "—"
    if decimals is None:
        return f"{fmt_number(percent_points(fraction), percent_decimals(fraction))}%"
    # Fixed places, zeros kept: what a cell formatted "0.0%" shows (97,0%, not 97%).
    text = f"{round_half_up(percent_points(fraction), decimals):,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + "%"


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
