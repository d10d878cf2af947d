"""The status table: one row per unit, the counts the district quotes, and notes in words.

The same table goes to the consolidated workbook's first sheet and to the Google status sheet,
so it holds only plain values (text and numbers) and knows nothing about either writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from zoneinfo import ZoneInfo

from ..config import zone_words
from ..model import RunInfo, Status, Unit, UnitOutcome, count_outcomes, whole_percent
from .words import age_words, fmt_datetime, fmt_percent, local_time

TableValue = str | int | float | None

HEADER = [
    "STT", "Mã đơn vị", "Tên đơn vị", "Loại hình", "Tình trạng", "Hoàn thành (%)", "Lỗi",
    "Cảnh báo", "Đã xác nhận", "Hạn nộp", "Thời điểm nộp", "Sửa lần cuối", "Sửa sau khi nộp",
    "Ghi chú", "Liên kết",
]  # fmt: skip
# Positions writers need: the workbook writes real datetimes over the two time columns.
COMPLETENESS_COL = HEADER.index("Hoàn thành (%)")
SUBMITTED_COL = HEADER.index("Thời điểm nộp")
MODIFIED_COL = HEADER.index("Sửa lần cuối")
LINK_COL = HEADER.index("Liên kết")

# Count keys (as in status.json) and their labels, in the order the outputs show them.
COUNT_LABELS: Mapping[str, str] = {
    "expected": "Dự kiến",
    "submitted": "Đã nộp",
    **{s.value: s.label for s in Status},
}
# Rates the district quotes, as DHIS2 does: (numerator key, denominator key, label).
RATES = (
    ("submitted", "expected", "Tỷ lệ nộp"),
    ("on_time", "expected", "Tỷ lệ đúng hạn"),
)


@dataclass(frozen=True)
class CountItem:
    """One figure of the counts block: a count of units, or a rate as a fraction (0.975)."""

    key: str
    label: str
    value: float | None
    is_rate: bool = False


@dataclass
class StatusTable:
    """Rows in roster order, each row's status (for its colour), counts and notes in words.

    ``notes`` are for the Google status sheet, rewritten every run: they give the time of the
    last check. ``book_notes`` are for the workbook, rewritten only when what it shows changed:
    they give the time of that change and say where the last check's time is.
    """

    header: list[str]
    rows: list[list[TableValue]]
    statuses: list[Status]
    notes: list[str]
    counts: list[CountItem] = field(default_factory=list)
    book_notes: list[str] = field(default_factory=list)
    calls: list[CallRow] = field(default_factory=list)


# Units the office should ring, most urgent first; then in roster order.
CALL_ORDER = (Status.OVERDUE, Status.INVALID, Status.UNREACHABLE, Status.IN_PROGRESS,
              Status.NOT_STARTED)  # fmt: skip
# The template's fields naming the person who fills in the report and their phone.
REPORTER_FIELD = "tt_nguoi_bao_cao"
PHONE_FIELD = "tt_dien_thoai"


@dataclass(frozen=True)
class CallRow:
    """A unit that has not submitted: who to ring, and what its report still lacks."""

    code: str
    name: str
    status: Status
    reporter: str
    phone: str
    missing: str
    note: str


def status_table(
    outcomes: list[UnitOutcome],
    run: RunInfo,
    type_labels: Mapping[str, str],
) -> StatusTable:
    """Build the status table of a run; ``type_labels`` maps roster type codes to labels."""
    counts = count_items(count_units(outcomes, run))
    rows = [_row(n, o, run, type_labels) for n, o in enumerate(outcomes, start=1)]
    return StatusTable(
        header=list(HEADER),
        rows=rows,
        statuses=[o.status for o in outcomes],
        notes=_notes(run, counts, checked=True),
        counts=counts,
        book_notes=_notes(run, counts, checked=False),
        calls=call_list(outcomes, run),
    )


def call_list(outcomes: list[UnitOutcome], run: RunInfo) -> list[CallRow]:
    """Active units that have not submitted, most urgent status first, with the reporter's
    name and phone from their last readable data."""
    day = run.as_of.date()
    waiting = [o for o in outcomes if o.status in CALL_ORDER and o.unit.active_on(day)]
    waiting.sort(key=lambda o: CALL_ORDER.index(o.status))  # stable: roster order within
    return [
        CallRow(
            o.unit.code,
            o.unit.name,
            o.status,
            _typed(o, REPORTER_FIELD),
            _typed(o, PHONE_FIELD),
            missing_words(o),
            o.message.strip(),
        )
        for o in waiting
    ]


def _typed(o: UnitOutcome, field_id: str) -> str:
    value = o.report.values.get(field_id) if o.report is not None else None
    return "" if value is None else str(value).strip()


def missing_words(o: UnitOutcome) -> str:
    """What a unit's report still lacks, in words: "Hoàn thành 60%; 3 lỗi; chưa xác nhận"."""
    if o.report is None or not o.report.is_template:
        return "Chưa có báo cáo đọc được"
    parts = [f"Hoàn thành {whole_percent(o.completeness)}%"]
    if o.errors:
        parts.append(f"{o.errors} lỗi cần sửa")
    if not o.confirmed:
        parts.append("chưa xác nhận hoàn thành")
    return "; ".join(parts)


# ------------------------------------------------------------------ counts


def count_units(outcomes: list[UnitOutcome], run: RunInfo) -> dict[str, int]:
    """Counts by key (expected, submitted, on_time, …): the run's, or else counted from the
    outcomes of units active on the run's day, the same way the job counts them."""
    day = run.as_of.date()
    counted = run.counts or count_outcomes([o for o in outcomes if o.unit.active_on(day)])
    return {key: int(counted.get(key, 0)) for key in COUNT_LABELS}


def count_items(counts: Mapping[str, int]) -> list[CountItem]:
    """The counts block: every count, with each rate (Σnumerator/Σdenominator) after its count."""
    items: list[CountItem] = []
    for key, label in COUNT_LABELS.items():
        items.append(CountItem(key, label, counts.get(key, 0)))
        for num, den, rate_label in RATES:
            if num == key:
                items.append(CountItem(f"{num}_rate", rate_label, _rate(counts, num, den), True))
    return items


def _rate(counts: Mapping[str, int], num: str, den: str) -> float | None:
    # Every unit counts once in both sums, so this is Σnumerator/Σdenominator over units,
    # never a mean of per-unit percentages.
    total = counts.get(den, 0)
    return counts.get(num, 0) / total if total else None


# ------------------------------------------------------------------ rows


def _row(
    number: int, o: UnitOutcome, run: RunInfo, type_labels: Mapping[str, str]
) -> list[TableValue]:
    completeness = o.completeness
    return [
        number,
        o.unit.code,
        o.unit.name,
        type_labels.get(o.unit.type, o.unit.type),
        o.status.label,
        whole_percent(completeness),
        o.errors if o.report is not None else None,
        o.warnings if o.report is not None else None,
        "Có" if o.confirmed else "Không",
        deadline_words(o.deadline_at, run),
        fmt_datetime(o.submitted_at, run.timezone),
        fmt_datetime(o.modified_at, run.timezone),
        "Có" if o.amended_after_submit else "",
        _note(o, run),
        shown_link(o.link),
    ]


def shown_link(link: str) -> str:
    """A unit's link as people may see it: a URL as it is, a file by its name.

    Sources give a file's name relative to the source folder; a path (kept in the state by an
    older version, or typed with backslashes) is cut to its last part, so no output shows
    where files sit on the server.
    """
    link = link.strip()
    if not link or "://" in link:
        return link
    path: PurePath = PureWindowsPath(link) if "\\" in link else PurePosixPath(link)
    return path.name if path.is_absolute() or ".." in path.parts else link


def _note(o: UnitOutcome, run: RunInfo) -> str:
    parts = [o.message.strip()] if o.message.strip() else []
    if o.status is Status.UNREACHABLE:
        if o.report is None or o.data_as_of is None:
            parts.append("chưa có dữ liệu nào đọc được")
        else:
            when = fmt_datetime(o.data_as_of, run.timezone)
            parts.append(f"dữ liệu cũ từ {age_words(run.as_of - o.data_as_of)} ({when})")
    if not o.unit.active_on(run.as_of.date()):
        parts.append("ngoài thời gian hoạt động, không tính vào số dự kiến")
    return "; ".join(parts)


def deadline_words(deadline_at: datetime, run: RunInfo) -> str:
    """A unit's deadline as people say it: "trước ngày 23/03/2023" or "đến hết ngày …".

    ``deadline_at`` is the first late instant; "(hạn riêng)" marks a unit's own deadline.
    """
    local = local_time(deadline_at, run.timezone)
    if local.hour == local.minute == local.second == 0:
        if run.deadline_inclusive:
            text = f"đến hết ngày {local.date() - timedelta(days=1):%d/%m/%Y}"
        else:
            text = f"trước ngày {local:%d/%m/%Y}"
    else:
        text = f"trước {local:%H:%M} ngày {local:%d/%m/%Y}"
    return text + (" (hạn riêng)" if deadline_at != run.deadline_at else "")


# ------------------------------------------------------------------ notes


def check_where(run: RunInfo) -> str:
    """Where the last check's time is, for a clerk: the workbook is rewritten only on change.

    The Google status sheet is named only when the district has one.
    """
    text = (
        "Bảng tổng hợp chỉ được ghi lại khi số liệu của đơn vị thay đổi; những lần kiểm tra "
        "không thấy gì thay đổi thì không ghi lại bảng này."
    )
    if run.status_sheet:
        text += (
            " Thời điểm kiểm tra lần cuối xem trên trang “Tình trạng” của bảng theo dõi "
            "trên Google."
        )
    return text


def zone_text(run: RunInfo) -> str:
    """The report's clock in words: "giờ Việt Nam (UTC+7)", never the zone's technical name."""
    at = run.as_of if run.as_of.tzinfo is not None else run.as_of.replace(tzinfo=UTC)
    return zone_words(run.timezone, at.astimezone(ZoneInfo(run.timezone)))


def _notes(run: RunInfo, counts: list[CountItem], *, checked: bool) -> list[str]:
    deadline = run.deadline_text.strip()
    if deadline and not deadline.casefold().startswith("hạn"):
        deadline = f"Hạn nộp: {deadline}"
    when = f"{fmt_datetime(run.as_of, run.timezone)}, {zone_text(run)}"
    notes = [
        deadline,
        f"Kiểm tra lần cuối lúc {when}; trang này được ghi lại sau mỗi lần kiểm tra."
        if checked
        else f"Số liệu thay đổi lần cuối: {when}. {check_where(run)}",
        conference_words(run),
        run.precision_text.strip(),
        counts_line(counts),
        roster_line(run, counts),
        *kept_lines(run),
    ]
    return [n for n in notes if n]


def kept_lines(run: RunInfo) -> list[str]:
    """One line per reason for the output files the job left in place and wrote beside."""
    lines = []
    for reason, words in (
        ("edited", "Tệp đã được sửa tay, hệ thống giữ nguyên, không ghi đè"),
        ("in_use", "Tệp đang mở nên không ghi đè được lần này"),
    ):
        kept = [k for k in run.kept_outputs if k.reason == reason]
        if kept:
            parts = [f"{k.file} (bản mới: {k.new_file})" if k.new_file else k.file for k in kept]
            lines.append(f"{words}: {'; '.join(parts)}.")
    return lines


def roster_line(run: RunInfo, counts: list[CountItem]) -> str:
    """How the roster's rows add up to "Dự kiến" when some units need not report; else empty."""
    if not run.inactive:
        return ""
    expected = next((int(i.value or 0) for i in counts if i.key == "expected"), 0)
    return (
        f"Danh sách có {expected + len(run.inactive)} đơn vị; {len(run.inactive)} đơn vị không "
        f"phải nộp (ngoài thời gian hoạt động, xem danh sách cuối trang), nên dự kiến "
        f"{expected} đơn vị."
    )


def closed_units_lines(run: RunInfo) -> list[str]:
    """One line per roster unit that need not report on the run's day, with the reason.

    "Chi bộ Trường THPT Lê Văn Đẩu (SN_THPT_LE_VAN_DAU): không phải nộp, theo danh sách đơn vị
    đã ngừng hoạt động sau ngày 31/12/2022." For the status sheet and the draft.
    """
    return [
        f"{u.name} ({u.code}): không phải nộp, {inactive_reason(u, run)}." for u in run.inactive
    ]


def inactive_reason(unit: Unit, run: RunInfo) -> str:
    """Why ``unit`` is not expected on the run's day, from its active_from/active_to."""
    day = local_time(run.as_of, run.timezone).date()
    if unit.active_to is not None and day > unit.active_to:
        return f"theo danh sách đơn vị đã ngừng hoạt động sau ngày {unit.active_to:%d/%m/%Y}"
    if unit.active_from is not None and day < unit.active_from:
        return f"theo danh sách đơn vị chỉ bắt đầu hoạt động từ ngày {unit.active_from:%d/%m/%Y}"
    return "ngoài thời gian hoạt động ghi trong danh sách đơn vị"


def conference_words(run: RunInfo) -> str:
    """The countdown: "Còn 16 ngày đến Hội nghị sơ kết ngày 10/04/2023"; empty without a date."""
    if run.conference is None:
        return ""
    days = (run.conference - local_time(run.as_of, run.timezone).date()).days
    when = f"{run.conference:%d/%m/%Y}"
    if days > 0:
        return f"Còn {days} ngày đến Hội nghị sơ kết ngày {when}."
    if days == 0:
        return f"Hội nghị sơ kết diễn ra hôm nay, {when}."
    return f"Hội nghị sơ kết đã diễn ra ngày {when}."


def counts_line(counts: list[CountItem]) -> str:
    """ "Dự kiến: 40 · Đã nộp: 39 (97,5%) · …": every count, rates beside their numerators."""
    rates = {i.key.removesuffix("_rate"): i.value for i in counts if i.is_rate}
    parts = []
    for item in counts:
        if item.is_rate:
            continue
        text = f"{item.label}: {int(item.value or 0)}"
        if item.key in rates:
            text += f" ({fmt_percent(rates[item.key])})"
        parts.append(text)
    return " · ".join(parts)
