"""One unit's outcome in a run: its status, its submission history and its message.

What was read (a fresh parse, a reused one, or why nothing could be read) becomes the unit's
``UnitOutcome``: the submission is recorded, amended or withdrawn in the state
(``_track_submission``), the status follows domain.md's rules (``decide_status``), an
unreachable or unreadable unit keeps its last good data (``_problem_outcome``), and the message
says what the unit should do (``_message``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sheets_schema import Code, Finding, ParsedReport, Schema, Severity
from sync.base import ProblemKind, SourceProblem, Version

from . import history
from .model import Status, Unit, UnitOutcome
from .state import CachedParse, State, Submission

Fresh = tuple[CachedParse, bytes, str] | SourceProblem  # (parse, snapshot bytes, ext) or why not


def settle(state: State, schema: Schema, unit: Unit, version: Version | SourceProblem | None,
           reused: CachedParse | None, fresh: Fresh | None, run_id: int, as_of: datetime,
           deadline_at: datetime, unit_key: str) -> UnitOutcome:  # fmt: skip
    """Turn what was read into the unit's outcome, updating its submission history."""
    outcome = UnitOutcome(unit, Status.NOT_STARTED, deadline_at)
    problem = version if isinstance(version, SourceProblem) else None
    if isinstance(fresh, SourceProblem):
        problem = fresh
    if problem is not None:
        return _problem_outcome(state, outcome, problem, as_of)
    assert isinstance(version, Version)
    if fresh is not None:
        assert not isinstance(fresh, SourceProblem)
        entry, snapshot, ext = fresh
        if snapshot:
            state.store_snapshot(snapshot, ext, run_id)
        entry = replace(entry, cache_key=unit_key)
        history.record(state, schema, unit.code, entry, run_id, as_of)  # before it is replaced
        state.save_parse(unit.code, entry)
        _track_submission(state, unit, entry, run_id, as_of)
    else:
        assert reused is not None
        entry = reused
    report = _with_time_findings(entry.report, version.modified_time, as_of, schema)
    outcome.report = report
    outcome.link = version.link
    outcome.modified_at = max(version.modified_time, entry.modified_time)
    outcome.data_as_of = entry.read_at
    outcome.content_hash = entry.content_hash
    submission = state.active_submission(unit.code)
    if submission is not None:
        outcome.submitted_at = submission.submitted_at
        outcome.amended_after_submit = state.amended(submission)
    outcome.status = decide_status(report, submission, as_of, deadline_at)
    outcome.message = _message(outcome, submission)
    return outcome


def _track_submission(state: State, unit: Unit, entry: CachedParse, run_id: int,
                      as_of: datetime) -> None:  # fmt: skip
    report, digest = entry.report, entry.content_hash
    # A file time later than the run's clock cannot be when it was saved: use when we saw it.
    at = min(entry.modified_time, as_of)
    active = state.active_submission(unit.code)
    if not report.is_template:
        return
    if report.submitted:
        if active is None:
            state.submit(unit.code, at, digest, run_id)
        else:
            state.amend(active, at, digest, run_id)
    elif active is not None:
        if not report.confirmed:
            state.withdraw(active, at, run_id)  # the sign-off was removed
        else:
            state.amend(active, at, digest, run_id)  # edited after submission, now with errors


def _with_time_findings(report: ParsedReport, modified: datetime | None, as_of: datetime,
                        schema: Schema) -> ParsedReport:  # fmt: skip
    """The report with a warning when the file's modified time cannot be right."""
    if modified is None:
        return report
    shown = modified.astimezone(as_of.tzinfo).strftime("%H:%M %d/%m/%Y")
    if modified > as_of:
        message = (
            f"Thời điểm sửa tệp ({shown}) muộn hơn lúc hệ thống đọc tệp: đồng hồ máy lưu tệp "
            f"có thể sai. Thời điểm nộp được tính "
            f"là lúc hệ thống thấy bản này lần đầu; hãy chỉnh đồng hồ máy rồi lưu lại tệp."
        )
        code = Code.FILE_TIME_FUTURE
    elif modified.astimezone(as_of.tzinfo).date() < schema.term_start:
        message = (
            f"Thời điểm sửa tệp ({shown}) trước ngày bắt đầu nhiệm kỳ "
            f"({schema.term_start:%d/%m/%Y}): đồng hồ máy lưu tệp có thể sai, nên thời điểm nộp "
            f"có thể không đúng. Hãy chỉnh đồng hồ máy rồi lưu lại tệp."
        )
        code = Code.FILE_TIME_BEFORE_TERM
    else:
        return report
    warning = Finding(Severity.WARNING, code, "", "", "", message, modified.isoformat())
    return replace(report, findings=[*report.findings, warning])


NEAR_DEADLINE_VI = "Sát hạn — cần xác nhận"


def flag_near_deadline(outcomes: list[UnitOutcome], lag_minutes: int) -> None:
    """Flag submissions within ``lag_minutes`` of the deadline, either side.

    Google stamps a Sheets edit on Drive's modifiedTime coalesced, minutes late: a sign-off
    just before or after the deadline may carry the wrong side's time. The status the time
    gives stands; the flag asks the office to confirm with the unit.
    """
    lag = timedelta(minutes=lag_minutes)
    for o in outcomes:
        if o.submitted_at is None or o.status not in (Status.ON_TIME, Status.LATE) or not lag:
            continue
        if abs(o.submitted_at - o.deadline_at) <= lag:
            o.near_deadline = True
            note = (
                f"{NEAR_DEADLINE_VI}: thời điểm nộp ghi nhận cách hạn chưa tới {lag_minutes} "
                "phút, mà Google có thể ghi giờ sửa chậm vài phút; Văn phòng xác nhận lại với "
                "đơn vị."
            )
            o.message = f"{o.message.strip()} {note}".strip()


def decide_status(report: ParsedReport, submission: Submission | None, as_of: datetime,
                  deadline_at: datetime) -> Status:  # fmt: skip
    """The status of a unit whose spreadsheet was read."""
    if not report.is_template:
        return Status.INVALID
    if submission is not None and report.submitted:
        return Status.ON_TIME if submission.submitted_at < deadline_at else Status.LATE
    if as_of >= deadline_at:
        return Status.OVERDUE
    if report.items_filled == 0 and not report.confirmed:
        return Status.NOT_STARTED
    return Status.IN_PROGRESS


def _problem_outcome(
    state: State, outcome: UnitOutcome, problem: SourceProblem, as_of: datetime
) -> UnitOutcome:
    outcome.link = problem.link
    outcome.message = problem.message_vi
    last = state.cached(outcome.unit.code)
    if problem.kind is ProblemKind.INVALID:
        outcome.status = Status.INVALID
        outcome.report = None
        if problem.keep_last:  # the reader gave up on the new file: show the last good data
            _keep_last(state, outcome, last)
        return outcome
    if problem.kind is ProblemKind.MISSING and last is None:
        outcome.status = Status.OVERDUE if as_of >= outcome.deadline_at else Status.NOT_STARTED
        return outcome
    # Unreachable, or a file that disappeared: keep the last good data and say how old it is.
    outcome.status = Status.UNREACHABLE
    if problem.kind is ProblemKind.MISSING:
        outcome.message = (
            "Không còn tìm thấy bảng tính của đơn vị (đã bị xóa, đổi tên hoặc chuyển đi); đang giữ "
            "số liệu đọc được lần trước. Đề nghị đơn vị khôi phục hoặc báo đường dẫn mới."
        )
    _keep_last(state, outcome, last)
    return outcome


def _keep_last(state: State, outcome: UnitOutcome, last: CachedParse | None) -> None:
    """Show the unit's last good data (and its submission) with today's problem."""
    if last is not None and last.report.is_template:
        outcome.report = last.report
        outcome.data_as_of = last.read_at
        outcome.content_hash = last.content_hash
        outcome.modified_at = last.modified_time
        outcome.link = outcome.link or last.link
        submission = state.active_submission(outcome.unit.code)
        if submission is not None:
            outcome.submitted_at = submission.submitted_at
            outcome.amended_after_submit = state.amended(submission)


def not_pulled(state: State, unit: Unit, as_of: datetime, deadline_at: datetime) -> UnitOutcome:
    """A unit left out by --only: shown as the last run left it."""
    outcome = UnitOutcome(unit, Status.NOT_STARTED, deadline_at)
    last = state.last_observation(unit.code)
    cached = state.cached(unit.code)
    submission = state.active_submission(unit.code)
    if cached is not None:
        outcome.report = cached.report
        outcome.data_as_of = cached.read_at
        outcome.content_hash = cached.content_hash
        outcome.modified_at = cached.modified_time
        outcome.link = cached.link
        outcome.status = decide_status(cached.report, submission, as_of, deadline_at)
    if submission is not None:
        outcome.submitted_at = submission.submitted_at
        outcome.amended_after_submit = state.amended(submission)
    if last is not None and last.status in (Status.INVALID.value, Status.UNREACHABLE.value):
        outcome.status = Status(last.status)
        outcome.message = last.message
        outcome.link = last.link or outcome.link
    elif cached is None and as_of >= deadline_at:
        outcome.status = Status.OVERDUE
    if cached is None and last is None:
        outcome.message = (
            "Hệ thống chưa đọc bảng tính của đơn vị lần nào (các lần chạy đến nay chỉ đọc một số "
            "đơn vị, theo --only); lần chạy tonghop sync không có --only sẽ đọc đơn vị này."
        )
    if not outcome.message:
        outcome.message = _message(outcome, submission)
    return outcome


def _message(outcome: UnitOutcome, submission: Submission | None) -> str:
    report = outcome.report
    if report is None:
        return (
            "Chưa có bảng tính báo cáo."
            if outcome.status in (Status.NOT_STARTED, Status.OVERDUE)
            else ""
        )
    if outcome.status is Status.INVALID:
        return "Bảng tính không đúng mẫu báo cáo: hãy dùng mẫu do Huyện ủy gửi."
    parts = []
    if report.errors:
        parts.append(f"Còn {report.errors} lỗi cần sửa")
    if submission is not None and report.confirmed and report.errors:
        # The submission stands in the state: fixing the errors restores it with its time.
        when = submission.submitted_at.astimezone(outcome.deadline_at.tzinfo)
        parts.append(
            f"đã nộp lúc {when:%H:%M %d/%m/%Y} nhưng bản sửa sau đó còn lỗi nên tạm chưa tính "
            "là đã nộp; sửa hết lỗi thì thời điểm nộp cũ được giữ nguyên"
        )
    elif report.confirmed and report.errors:
        parts.append("đã xác nhận hoàn thành nhưng chưa tính là đã nộp vì còn lỗi")
    elif not report.confirmed and report.errors == 0:
        parts.append("chưa xác nhận hoàn thành (chọn “Có” ở ô Đã hoàn thành, trang Thông tin)")
    if submission is not None and outcome.amended_after_submit:
        parts.append("có sửa đổi sau khi nộp")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""
