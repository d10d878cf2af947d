"""The job's vocabulary: roster units, statuses and each unit's outcome in a run."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from sheets_schema.report import ParsedReport

if TYPE_CHECKING:
    from .history import FieldChange


class Status(StrEnum):
    """A unit's status in a run; the values are part of status.json."""

    ON_TIME = "on_time"
    LATE = "late"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    OVERDUE = "overdue"
    INVALID = "invalid"
    UNREACHABLE = "unreachable"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def color(self) -> str:
        """Background colour for this status in the workbook and the status sheet."""
        return _COLORS[self]

    @property
    def submitted(self) -> bool:
        return self in (Status.ON_TIME, Status.LATE)


_LABELS = {
    Status.ON_TIME: "Đúng hạn",
    Status.LATE: "Trễ hạn",
    Status.IN_PROGRESS: "Đang thực hiện",
    Status.NOT_STARTED: "Chưa bắt đầu",
    Status.OVERDUE: "Quá hạn chưa nộp",
    Status.INVALID: "Sai mẫu",
    Status.UNREACHABLE: "Không truy cập được",
}
_COLORS = {
    Status.ON_TIME: "#C6EFCE",
    Status.LATE: "#FFEB9C",
    Status.IN_PROGRESS: "#DDEBF7",
    Status.NOT_STARTED: "#EDEDED",
    Status.OVERDUE: "#FFC7CE",
    Status.INVALID: "#F4B084",
    Status.UNREACHABLE: "#D9D2E9",
}

UNIT_TYPES = ("xa", "thi_tran", "co_quan", "luc_luong_vu_trang", "su_nghiep", "doanh_nghiep")


@dataclass(frozen=True)
class Unit:
    """One row of the roster."""

    code: str
    name: str
    type: str
    sheet: str = ""
    email: str = ""
    deadline: date | None = None  # overrides the report deadline
    active_from: date | None = None
    active_to: date | None = None

    def active_on(self, day: date) -> bool:
        """Expected on ``day``: opened on or before it and not yet closed or merged."""
        if self.active_from and day < self.active_from:
            return False
        return not (self.active_to and day > self.active_to)


@dataclass
class UnitOutcome:
    """Everything the outputs show about one unit after a run."""

    unit: Unit
    status: Status
    deadline_at: datetime  # the first late instant, aware
    report: ParsedReport | None = None  # the data shown (the last good data when unreachable)
    submitted_at: datetime | None = None
    modified_at: datetime | None = None
    amended_after_submit: bool = False
    link: str = ""
    message: str = ""  # Vietnamese: why invalid or unreachable, or what is missing
    data_as_of: datetime | None = None  # when the shown data was read
    content_hash: str = ""  # SHA-256 of the snapshot the shown data came from
    # Submitted within the source's time lag of the deadline: the status stands, the office
    # confirms with the unit ("sát hạn — cần xác nhận").
    near_deadline: bool = False

    @property
    def completeness(self) -> float | None:
        return None if self.report is None else self.report.completeness

    @property
    def errors(self) -> int:
        return 0 if self.report is None else self.report.errors

    @property
    def warnings(self) -> int:
        return 0 if self.report is None else self.report.warnings

    @property
    def confirmed(self) -> bool:
        return False if self.report is None else self.report.confirmed


@dataclass(frozen=True)
class HistoryPoint:
    """Counts at one earlier run, for the submissions-over-time chart."""

    at: datetime
    expected: int
    submitted: int
    on_time: int


@dataclass(frozen=True)
class KeptOutput:
    """An output file the job did not replace, and where that run's generation went instead.

    ``reason`` is "edited" (a person changed it since the job wrote it) or "in_use" (it could
    not be replaced, e.g. Excel or Word holds it open). Paths are relative to the output folder;
    ``new_file`` is None until a generation has been written beside it.
    """

    file: str
    new_file: str | None
    reason: str


@dataclass
class RunInfo:
    """Facts about a run that every output states."""

    run_id: int
    as_of: datetime  # aware, in the report's time zone
    schema_id: str
    schema_version: str
    deadline: date
    deadline_inclusive: bool
    deadline_at: datetime  # the first late instant for units without their own deadline
    deadline_text: str  # Vietnamese: the deadline in words
    timezone: str
    conference: date | None
    source_kind: str
    counts: dict[str, float] = field(default_factory=dict)
    history: list[HistoryPoint] = field(default_factory=list)
    precision_text: str = ""  # Vietnamese: how precise submission times are
    started_at: datetime | None = None
    pulled: int = 0  # units read this run (changed since the last run)
    reused: int = 0  # units whose file had not changed
    # The issuing body for the Word draft's header ([district]) and the district's own
    # Nghị quyết targets by indicator id ([targets]); empty when not configured.
    district_name: str = ""
    district_parent: str = ""
    district_place: str = ""
    district_code: str = ""  # [district] code: in status.json, for the province that reads it
    targets: dict[str, float] = field(default_factory=dict)
    # The district's own statistic per ``entered`` indicator ([district_results]).
    district_results: dict[str, DistrictFigure] = field(default_factory=dict)
    # Filled in by write_outputs before it renders: outputs a person edited (or that were held
    # open) and the files the new generation went to instead, for Tình trạng and status.json.
    kept_outputs: list[KeptOutput] = field(default_factory=list)
    # Roster units outside their active_from/active_to on the run's day: listed, not expected.
    inactive: list[Unit] = field(default_factory=list)
    status_sheet: bool = False  # a Google status sheet is configured ([google] status_spreadsheet)
    # Field changes seen after each unit's first submission, newest first (jobs/history.py).
    field_changes: list[FieldChange] = field(default_factory=list)
    # [draft]: how the draft groups the units' sentences (jobs.outputs.synthesis.Settings).
    draft: dict[str, float] = field(default_factory=dict)


class DistrictFigure(NamedTuple):
    """A figure the district takes from its own statistics, with where it comes from."""

    value: float
    source: str  # "Chi cục Thống kê huyện, 3/2023"


def entered_line(key: str) -> str:
    """An example of the line the office adds under [district_results] for indicator ``key``."""
    return f'{key} = {{ value = 8.9, source = "Chi cục Thống kê huyện, 3/2023" }}'


def count_outcomes(outcomes: list[UnitOutcome]) -> dict[str, float]:
    """The counts the district quotes; rates are Σnumerator / Σdenominator."""
    by_status = Counter(o.status for o in outcomes)
    expected = len(outcomes)
    counts: dict[str, float] = {"expected": expected}
    for status in Status:
        counts[status.value] = by_status.get(status, 0)
    counts["submitted"] = by_status[Status.ON_TIME] + by_status[Status.LATE]
    counts["submitted_rate"] = round(counts["submitted"] / expected, 4) if expected else 0.0
    counts["on_time_rate"] = round(counts["on_time"] / expected, 4) if expected else 0.0
    return counts


def whole_percent(fraction: float | None) -> int | None:
    """Completeness in whole percent, rounded down (97,9% → 97; 100 only when complete): the
    one way every output, log line and command shows it.

    A whole number reads the same with any decimal separator, so the table's number cell and
    the call list's "Hoàn thành 97%" agree on a PC set to English as on one set to Vietnamese.
    """
    return None if fraction is None else math.floor(fraction * 100 + 1e-9)
