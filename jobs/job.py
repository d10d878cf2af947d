"""The scheduled job, as a readable sequence of steps.

    lock → roster → versions (cheap, bulk) → pull and parse what changed → submissions and
    statuses → state → outputs (each written whole, then renamed into place) → status sheet

One unit's trouble becomes that unit's status; only a reason that stops the whole job (bad
configuration, another sync running, outputs not writable) raises ``SyncError``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from sheets_schema import (
    ParseContext,
    Schema,
    load_schema,
    parse_report,
)
from sheets_schema.raw import RawReport
from sync.base import ProblemKind, Pulled, SheetRef, Source, SourceProblem, Version
from sync.excel import ExcelFolderSource, read_xlsx

from . import history
from .config import Config
from .isolation import Failure, Isolated
from .model import HistoryPoint, RunInfo, Unit, UnitOutcome, count_outcomes, whole_percent
from .oserrors import os_reason
from .outcome import Fresh, flag_near_deadline, not_pulled, settle
from .plausibility import add_plausibility
from .roster import expected_units, roster_of
from .state import CachedParse, State, StateError

log = logging.getLogger("tonghop.sync")


class SyncError(Exception):
    """The job could not run; the message is one line saying why."""


@dataclass
class SyncOptions:
    as_of: datetime | None = None
    only: Sequence[str] | None = None
    out_dir: Path | None = None
    progress: bool = False
    workers: int | None = None


@dataclass
class SyncResult:
    run: RunInfo
    outcomes: list[UnitOutcome]
    outputs: dict[str, Path] = field(default_factory=dict)
    status_sheet: str = ""  # "", "written", or why it failed


# A status-sheet writer takes the outcomes and run facts; None when not configured.
StatusWriter = Callable[[list[UnitOutcome], RunInfo], None]


def run_sync(
    config: Config,
    source: Source,
    options: SyncOptions | None = None,
    status_writer: StatusWriter | None = None,
) -> SyncResult:
    """Run the whole job once."""
    from .outputs import OutputError, write_outputs  # the workbook writer is heavy to import
    from .outputs.feedback import Snapshots  # copies made under the units' limits

    options = options or SyncOptions()
    if options.as_of is not None and (why := as_of_problem(options.as_of)):
        raise SyncError(why)
    schema = load_schema(config.report.schema)
    tz = config.tz
    started = datetime.now(UTC)
    as_of = (options.as_of or started).astimezone(tz)
    roster = roster_of(config)
    expected = expected_units(roster, as_of.date())
    if options.only:
        unknown = sorted(set(options.only) - {u.code for u in expected})
        if unknown:
            raise SyncError(
                f"--only nêu đơn vị không có trong danh sách phải nộp ngày {as_of:%d/%m/%Y}: "
                f"{', '.join(unknown)}; kiểm tra lại mã đơn vị"
            )
    out_dir = options.out_dir or config.output.dir
    _check_writable(out_dir)

    lock_path = config.output.state.with_name(config.output.state.name + ".lock")
    lock = FileLock(str(lock_path))
    try:
        # Inside the try: [output] state under a file (a typo, a stray copy) is an OSError too.
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=0)
    except Timeout:  # an OSError (TimeoutError) too: caught first
        raise SyncError(
            f"một lần đồng bộ khác đang chạy (đang giữ {lock_path}); chờ nó xong rồi chạy lại"
        ) from None
    except OSError as exc:
        raise SyncError(
            f"không tạo được tệp khóa {lock_path} ({os_reason(exc)}); hãy xóa hoặc chuyển đi "
            f"tệp hay thư mục đang chắn đường dẫn đó, hoặc sửa [output] state, rồi chạy lại"
        ) from exc
    try:
        try:
            state = State(config.output.state)
        except StateError as exc:
            raise SyncError(str(exc)) from exc
        try:
            result = _run(config, schema, source, options, state, expected, as_of, started)
            result.run.inactive = [u for u in roster if u not in expected]
            result.run.status_sheet = bool(config.google.status_spreadsheet)
            add_plausibility(schema, result.outcomes)  # across units: needs every unit's results
            if config.source.kind == "google":
                flag_near_deadline(result.outcomes, config.google.modified_lag_minutes)
            snapshots = Snapshots(state.snapshot_path, config.limits, options.workers)
            result.outputs = write_outputs(out_dir, schema, result.outcomes, result.run,
                                           config.output.archive_keep, snapshots,
                                           ledger=state)  # fmt: skip
            if status_writer is not None:
                result.status_sheet = _write_status_sheet(status_writer, result)
            state.finish_run(result.run.run_id, datetime.now(UTC), result.run.counts,
                             result.run.pulled, result.run.reused, result.status_sheet)  # fmt: skip
        except (OutputError, StateError) as exc:
            raise SyncError(str(exc)) from exc
        finally:
            state.close()
    finally:
        lock.release()
    _log_summary(result)
    return result


def as_of_problem(value: datetime) -> str | None:
    """Why ``value`` cannot be a run's "now" (outside 2000–2099, or no offset); None if it can."""
    if value.tzinfo is None or value.utcoffset() is None:
        return f"--as-of {value.isoformat()} thiếu múi giờ; thêm độ lệch, ví dụ +07:00"
    if not 2000 <= value.year <= 2099:
        return (
            f"--as-of {value.isoformat()} nằm ngoài khoảng năm 2000–2099; ghi thời điểm dạng "
            f"2023-03-22T23:59:59+07:00"
        )
    return None


def _check_writable(out_dir: Path) -> None:
    from .outputs import unwritable

    why = unwritable(out_dir)
    if why:
        raise SyncError(
            f"không ghi được kết quả vào thư mục {out_dir}: {why}; kiểm tra quyền ghi và dung lượng "
            f"đĩa, hoặc sửa [output] dir"
        )


def _write_status_sheet(writer: StatusWriter, result: SyncResult) -> str:
    try:
        writer(result.outcomes, result.run)
    except Exception as exc:  # any failure there must not cost the local outputs
        # StatusSheetError carries what to do in Vietnamese; anything else is named only.
        why = getattr(exc, "message_vi", "") or f"lỗi {type(exc).__name__} khi ghi"
        log.info("bảng tình trạng trên Google chưa cập nhật: %s", why)
        log.debug("bảng tình trạng: chi tiết: %s", exc)
        return f"bảng tình trạng trên Google chưa cập nhật: {why}"  # the CLI prints it
    return "written"


def cache_key(schema: Schema, unit: Unit, as_of: datetime) -> str:
    """What a parse depends on besides the file: the schema, the unit and the day."""
    parts = (
        f"{schema.id}|{schema.version}|{schema.fingerprint}|{unit.code}|{unit.type}|{as_of.date()}"
    )
    return hashlib.sha256(parts.encode()).hexdigest()[:24]


# ---------------------------------------------------------------------- the run
def _run(config: Config, schema: Schema, source: Source, options: SyncOptions, state: State,
         expected: list[Unit], as_of: datetime, started: datetime) -> SyncResult:  # fmt: skip
    run_id = state.begin_run(started, as_of, source.kind)
    targets = [u for u in expected if not options.only or u.code in options.only]
    versions = source.versions([SheetRef(u.code, u.sheet) for u in targets])
    ctx_today = as_of.date()

    # Decide what must be read, then read it (local files in worker processes, under limits).
    todo: list[tuple[Unit, Version]] = []
    reuse: dict[str, CachedParse] = {}
    fresh: dict[str, Fresh] = {}
    for unit in targets:
        version = versions.get(unit.code)
        if not isinstance(version, Version):
            continue
        cached = state.cached(unit.code)
        if cached and cached.token == version.token:
            if cached.cache_key == cache_key(schema, unit, as_of):
                reuse[unit.code] = cached
                continue
            # Same file, but the schema, the unit or the day changed: parse the kept snapshot
            # again instead of reading the source (no Google read for an unchanged sheet).
            again = _reparse(state, schema, unit, cached, ctx_today)
            if again is not None:
                fresh[unit.code] = again
                continue
        todo.append((unit, version))
    fresh.update(_pull_all(source, schema, config, todo, ctx_today, options))

    outcomes = []
    for unit in expected:
        deadline_at = config.deadline_at(unit.deadline)
        with state.transaction():
            if unit not in targets:
                outcome = not_pulled(state, unit, as_of, deadline_at)
            else:
                outcome = settle(state, schema, unit, versions.get(unit.code), reuse.get(unit.code),
                                  fresh.get(unit.code), run_id, as_of, deadline_at, unit_key=cache_key(schema, unit, as_of))  # fmt: skip
            state.observe(run_id, unit.code, token=None, content_hash=None,
                          modified_time=outcome.modified_at, status=outcome.status.value,
                          report=outcome.report, problem_kind=None, message=outcome.message,
                          link=outcome.link)  # fmt: skip
        outcomes.append(outcome)
        log.debug(
            "đơn vị %s: %s, đã nhập %s, %d lỗi, %d cảnh báo, %s",
            unit.code, outcome.status.label,
            "-" if outcome.completeness is None else f"{whole_percent(outcome.completeness)}%",
            outcome.errors, outcome.warnings,
            "đọc tệp mới" if unit.code in fresh else "tệp không đổi" if unit.code in reuse else outcome.message or "-",
        )  # fmt: skip

    counts = count_outcomes(outcomes)
    run = RunInfo(
        run_id=run_id,
        as_of=as_of,
        schema_id=schema.id,
        schema_version=schema.version,
        deadline=config.report.deadline,
        deadline_inclusive=config.report.deadline_inclusive,
        deadline_at=config.deadline_at(None),
        deadline_text=config.deadline_text(None),
        timezone=config.report.timezone,
        conference=config.report.conference,
        source_kind=source.kind,
        counts=counts,
        history=[*state.history()],
        precision_text=_precision_text(state, as_of),
        started_at=started,
        pulled=len(todo),
        reused=len(reuse),
        district_name=config.district.name,
        district_parent=config.district.parent,
        district_place=config.district.place,
        district_code=config.district.code,
        targets=dict(config.targets),
        district_results=dict(config.district_results),
        field_changes=history.changes_after_submission(state),
        draft=dict(config.draft),
    )
    run.history.append(
        HistoryPoint(
            as_of, int(counts["expected"]), int(counts["submitted"]), int(counts["on_time"])
        )
    )
    return SyncResult(run, outcomes)


def _pull_all(source: Source, schema: Schema, config: Config, todo: list[tuple[Unit, Version]],
              today: object, options: SyncOptions) -> dict[str, Fresh]:  # fmt: skip
    """Pull and parse every changed unit.

    Local files are read in worker processes, one unit at a time each, under the memory and
    time limits of ``[limits]`` (jobs/isolation.py): a file that crashes, exhausts or stalls
    its reader makes that unit invalid and nothing else. Google answers are parsed here: they
    are JSON built by the API (no zip, no XML, sizes bounded by the grid), and the client and
    its rate limit live in this process.
    """
    limits = config.limits
    results: dict[str, Fresh] = {}
    bar = _Bar(len(todo)) if options.progress and todo else None
    try:
        if isinstance(source, ExcelFolderSource):
            bounded = source.bounded(limits, schema.shapes)
            jobs = [(bounded, u, v, today) for u, v in todo]
            pool = Isolated(
                functools.partial(_pull_one, schema=schema), jobs,
                workers=options.workers or os.cpu_count() or 1, memory_mb=limits.unit_memory_mb,
                seconds=limits.unit_seconds, on_done=bar.advance if bar else None,
            )  # fmt: skip
            for (_, unit, version, _), out in zip(jobs, pool.run(), strict=True):
                results[unit.code] = _from_failure(out, unit, version)
        else:
            for unit, version in todo:
                results[unit.code] = _pull_one((source, unit, version, today), schema)
                if bar:
                    bar.advance()
    finally:
        if bar:
            bar.stop()
    return results


def _from_failure(out: Fresh | Failure, unit: Unit, version: Version) -> Fresh:
    """A worker that gave no result: the unit is invalid and keeps its last good data."""
    if not isinstance(out, Failure):
        return out
    # The unit's status says it; -v shows it here too.
    log.info("đơn vị %s: %s", unit.code, out.message_vi)
    log.debug("đơn vị %s: %s: chi tiết: %s", unit.code, version.link, out.reason)
    return SourceProblem(
        ProblemKind.INVALID, out.reason, out.message_vi, version.link, keep_last=True
    )


def _pull_one(job: tuple[Source, Unit, Version, object], schema: Schema) -> Fresh:
    source, unit, version, today = job
    pulled = source.pull(SheetRef(unit.code, unit.sheet), version)
    if isinstance(pulled, SourceProblem):
        return pulled
    assert isinstance(pulled, Pulled)
    report = parse_report(schema, pulled.raw, ParseContext(unit.code, unit.type, today))  # type: ignore[arg-type]
    digest = hashlib.sha256(pulled.snapshot).hexdigest()
    # The token stays the listing's, so an edit racing the read is read again next run.
    modified = max(version.modified_time, pulled.modified_time or version.modified_time)
    entry = CachedParse(version.token, "", digest, modified, version.link,
                        datetime.now(UTC), report, editor=pulled.modified_by)  # fmt: skip
    return entry, pulled.snapshot, pulled.snapshot_ext


def _reparse(
    state: State, schema: Schema, unit: Unit, cached: CachedParse, today: date
) -> Fresh | None:
    """Parse the snapshot behind ``cached`` again; None when it cannot be read back."""
    path = state.snapshot_path(cached.content_hash)
    if path is None or not path.exists():
        return None
    try:
        raw = decode_snapshot(path.read_bytes(), path.suffix.lstrip("."), schema.shapes)
    except Exception as exc:
        log.debug("bản lưu của %s không đọc lại được, sẽ đọc lại tệp: %s", unit.code, exc)
        return None
    report = parse_report(schema, raw, ParseContext(unit.code, unit.type, today))
    entry = CachedParse(cached.token, "", cached.content_hash, cached.modified_time, cached.link,
                        cached.read_at, report)  # fmt: skip
    return entry, b"", ""


def decode_snapshot(
    data: bytes, ext: str, shapes: Mapping[str, tuple[int, int]] | None = None
) -> RawReport:
    """The parser's input from a kept snapshot: an .xlsx file or a Google API answer."""
    if ext == "xlsx":
        return read_xlsx(data, shapes=shapes)
    if ext == "json":
        from sync.google import report_from_spreadsheet

        return report_from_spreadsheet(json.loads(data))
    raise ValueError(f"unknown snapshot kind {ext!r}")


class _Bar:
    def __init__(self, total: int) -> None:
        from rich.progress import Progress

        self.progress = Progress(transient=True)
        self.task = self.progress.add_task("pulling units", total=total)
        self.progress.start()

    def advance(self) -> None:
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()


# ---------------------------------------------------------------------- counts
def _precision_text(state: State, as_of: datetime) -> str:
    history = state.history()
    base = (
        "Thời điểm nộp là thời điểm sửa cuối cùng của phiên bản đầu tiên mà hệ thống thấy đã xác "
        "nhận hoàn thành và không còn lỗi; hệ thống đọc các bảng tính theo định kỳ nên độ chính xác "
        "phụ thuộc khoảng cách giữa hai lần chạy"
    )
    if history:
        gap = as_of - history[-1].at
        minutes = max(0, int(gap.total_seconds() // 60))
        if minutes < 24 * 60:
            return base + f" (lần chạy trước cách lần này {minutes} phút)."
    return base + "."


def _log_summary(result: SyncResult) -> None:
    from .runlog import summary

    log.info(
        "lần chạy %d, %s; đọc %d tệp mới, %d không đổi",
        result.run.run_id, summary(result.run.counts, result.run.as_of, result.outputs.get("tong-hop.xlsx")),
        result.run.pulled, result.run.reused,
    )  # fmt: skip
