"""`phan-hoi/<code>.xlsx`: each Excel unit's own file, its findings marked where it typed.

What a copy is, is `annotate`'s business; here is which copies a run writes. Only files the
reader accepted are opened again: a unit whose file was refused (hostile, corrupt, encrypted)
gets no copy. A copy is rewritten only when the file or its findings changed, and copies of
units that no longer have findings are removed.

Each copy is made in a worker process (jobs/isolation.py) under the unit's own memory and time
limits, as its file was read, and re-read before it is published (``annotated_copy``). A copy
that would break a limit, or fails the re-read, is skipped with a warning naming the unit;
the run goes on, and the unit's findings still reach it through findings.csv and reminders.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sheets_schema import Finding
from sync.guard import Limits

from ..isolation import Failure, Isolated
from ..model import Status, UnitOutcome
from ..oserrors import os_reason
from ..roster_fields import file_stem
from .annotate import ERROR_FILL, WARNING_FILL, AnnotateError, annotate_workbook, annotated_copy
from .atomic import OutputError, atomic_write

__all__ = ["ERROR_FILL", "FEEDBACK_DIR", "MANIFEST", "WARNING_FILL", "AnnotateError",
           "Snapshots", "annotate_workbook", "annotated_copy", "file_name", "write_feedback"]  # fmt: skip

log = logging.getLogger("tonghop.outputs")

FEEDBACK_DIR = "phan-hoi"
MANIFEST = ".phan-hoi.json"
# Bump when the annotation changes, so every copy is written again.
_VERSION = "3"

# A kept snapshot's path from its content hash (State.snapshot_path), or None.
SnapshotLookup = Callable[[str], Path | None]


@dataclass(frozen=True)
class Snapshots:
    """The run's kept snapshots (content hash → path), and the limits a copy is made under."""

    lookup: SnapshotLookup
    limits: Limits = field(default_factory=Limits)
    workers: int | None = None

    def __call__(self, content_hash: str) -> Path | None:
        return self.lookup(content_hash)


# ---------------------------------------------------------------------- the run's copies


def write_feedback(folder: Path, outcomes: list[UnitOutcome], snapshot_of: SnapshotLookup) -> dict[str, Path]:  # fmt: skip
    """Write ``folder/<code>.xlsx`` for each Excel unit with findings; remove stale copies.

    Returns the copies by unit code. A unit whose copy cannot be made is logged and skipped:
    one odd file never stops the run.
    """
    wanted: dict[str, tuple[UnitOutcome, Path, str]] = {}
    for o in outcomes:
        snapshot = _annotatable(o, snapshot_of)
        if snapshot is not None:
            wanted[o.unit.code] = (o, snapshot, _digest(o))
    manifest_path = folder / MANIFEST
    manifest = _read_manifest(manifest_path)
    if not wanted and not manifest and not folder.exists():
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    new_manifest: dict[str, str] = {}
    todo: list[tuple[str, Path, list[Finding]]] = []
    for code, (o, snapshot, digest) in wanted.items():
        target = folder / file_name(code)
        if manifest.get(code) == digest and _exists(target):
            written[code], new_manifest[code] = target, digest
            continue
        assert o.report is not None
        todo.append((code, snapshot, o.report.findings))
    limits = snapshot_of.limits if isinstance(snapshot_of, Snapshots) else Limits()
    workers = snapshot_of.workers if isinstance(snapshot_of, Snapshots) else None
    for (code, _, _), made in zip(todo, make_copies(todo, limits, workers), strict=True):
        if isinstance(made, str):
            log.warning("không tạo được bản sao phản hồi cho %s: %s", code, made)
            continue
        target = folder / file_name(code)
        try:
            atomic_write(target, partial(_write_bytes, made))
        except OutputError as exc:  # e.g. a name the file system refuses: this unit's problem
            log.warning("không tạo được bản sao phản hồi cho %s: %s", code, exc)
            continue
        written[code], new_manifest[code] = target, wanted[code][2]
    keep = {p.name for p in written.values()}
    for stale in folder.glob("*.xlsx"):
        if stale.name not in keep:
            stale.unlink(missing_ok=True)
    try:
        text = json.dumps(new_manifest, ensure_ascii=False, sort_keys=True, indent=1)
        atomic_write(manifest_path, lambda fh: fh.write(text.encode("utf-8")))
    except OutputError as exc:  # only costs a rewrite next run
        log.warning(
            "chưa ghi được danh sách bản sao phản hồi (lần chạy sau sẽ ghi lại các bản sao): %s",
            exc,
        )
    return written


def make_copies(todo: Sequence[tuple[str, Path, list[Finding]]], limits: Limits,
                workers: int | None = None) -> list[bytes | str]:  # fmt: skip
    """Each (code, snapshot, findings)'s verified copy, or why there is none (Vietnamese).

    Made in worker processes under ``limits`` (the unit's memory and time), one unit each.
    """
    if not todo:
        return []
    jobs = [(path, findings, limits) for _, path, findings in todo]
    pool = Isolated(_copy_job, jobs, workers=workers or os.cpu_count() or 1,
                    memory_mb=limits.unit_memory_mb, seconds=limits.unit_seconds)  # fmt: skip
    out: list[bytes | str] = []
    for result in pool.run():
        if isinstance(result, Failure):
            out.append(f"{_limit_text(result)} ({result.reason})")
        else:
            out.append(result)
    return out


def _limit_text(failure: Failure) -> str:
    # The worker's reasons speak of reading a file; here the file is being copied.
    first = failure.message_vi.split(". ")[0]
    return (
        first.replace("để đọc", "để chép")
        .replace("Đọc tệp", "Chép tệp")
        .replace("khi đọc tệp", "khi chép tệp")
    )


def _copy_job(job: tuple[Path, list[Finding], Limits]) -> bytes | str:
    """In a worker: the verified copy, or why not."""
    path, findings, limits = job
    try:
        return annotated_copy(path.read_bytes(), findings, limits)
    except AnnotateError as exc:
        return str(exc)
    except OSError as exc:
        return f"không đọc được bản lưu của tệp ({os_reason(exc)})"
    except MemoryError:
        raise  # the worker reports the memory limit, and a fresh one takes over
    except Exception as exc:  # a reader's surprise on one odd file must not cost the run
        log.debug("chép ghi chú vào bản sao phản hồi bị lỗi: %s", exc, exc_info=True)
        return f"tệp có cấu trúc mà hệ thống không chép được ({type(exc).__name__})"


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name the file system refuses (too long): there is no such copy
        return False


def _write_bytes(data: bytes, fh: Any) -> None:
    fh.write(data)


def file_name(code: str) -> str:
    """The copy's file name for a unit code (anything but letters, digits, ``.-_`` → ``_``)."""
    return f"{file_stem(code)}.xlsx"


def _annotatable(o: UnitOutcome, snapshot_of: SnapshotLookup) -> Path | None:
    # Unreachable: the kept copy may no longer be what the unit has. No report: the reader
    # refused the file, so it is never opened again.
    if o.status is Status.UNREACHABLE or o.report is None or not o.report.findings:
        return None
    if not o.content_hash:
        return None
    path = snapshot_of(o.content_hash)
    if path is None or path.suffix != ".xlsx" or not path.exists():
        return None  # a Google unit, or a snapshot gone: the status sheet shows its findings
    return path


def _digest(o: UnitOutcome) -> str:
    assert o.report is not None
    h = hashlib.sha256(f"{_VERSION}|{ERROR_FILL}|{WARNING_FILL}|{o.content_hash}|".encode())
    for f in o.report.findings:
        h.update(repr(f.as_dict()).encode("utf-8") + b"\0")
    return h.hexdigest()


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}
