"""Putting a rendered generation in place.

Each output is renamed over its usual file, or written beside that file when it is a person's
or cannot be replaced (``edits`` says whose each file is); the job's copies a generation
replaces or supersedes go to the archive, which is pruned to ``archive_keep`` of the job's own
generations per output and never loses a copy a person changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..model import KeptOutput, RunInfo
from ..oserrors import os_reason
from .atomic import OutputError, _write_temp, atomic_write
from .edits import (
    IN_USE,
    LEDGER_MARGIN,
    Holder,
    OutputLedger,
    Placement,
    beside_path,
    file_digest,
    mtime,
    say_in_use,
)

log = logging.getLogger("tonghop.outputs")
ARCHIVE = "archive"


@dataclass(frozen=True)
class Artefact:
    """One output file of a generation: its name in the output folder and how to render it.

    ``name`` may hold a subfolder (``phan-hoi/X.xlsx``). ``render`` returns the file's bytes;
    renders run in list order, so one may use what an earlier one collected. An ``editable``
    output is one people open and change (the workbook, the Word documents): a copy someone
    changed is never replaced (the generation goes beside it), and its generations are
    archived.
    """

    name: str
    render: Callable[[], bytes]
    editable: bool = False


def archive_replaced(place: Placement, target: Path, name: str, out_dir: Path) -> None:
    """Archive the job's file this generation replaces (a person's is never replaced)."""
    if (target == place.main and place.holder is Holder.JOB) or target in place.beside_job:
        _archive(target, name, out_dir)


def _archive(path: Path, name: str, out_dir: Path) -> None:
    try:
        archive_copy(path, name, out_dir / ARCHIVE)
    except OSError as exc:
        raise OutputError(f"không lưu được bản cũ {path} vào {out_dir / ARCHIVE}: "
                          f"{os_reason(exc)}") from exc  # fmt: skip


def write_generation(items: list[Artefact], places: dict[str, Placement],
                     targets: dict[str, Path], ledger: OutputLedger, run: RunInfo,
                     out_dir: Path) -> dict[str, Path]:  # fmt: skip
    """Render every output, then rename each into place; return where each went.

    A file that cannot be replaced (held open) gets the generation beside it instead.
    """
    temps: list[tuple[Path, str]] = []
    written: dict[str, Path] = {}
    try:
        for item in items:  # render everything first: a failing render replaces nothing
            target = targets[item.name]
            target.parent.mkdir(parents=True, exist_ok=True)
            data = item.render()
            # Recorded before the rename: a run killed after it must not find its own file edited.
            ledger.record_output(item.name, hashlib.sha256(data).hexdigest(), run.run_id)
            temps.append((_write_temp(target, partial(_write, data)), item.name))
        for tmp, name in temps:
            written[name] = _place(tmp, targets[name], places[name], run)
    except OSError as exc:
        raise OutputError(f"không ghi được kết quả vào {out_dir}: {os_reason(exc)}") from exc
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    return written


def _place(tmp: Path, target: Path, place: Placement, run: RunInfo) -> Path:
    """Rename ``tmp`` over ``target``; when the usual file refuses, beside it. Where it went."""
    try:
        os.replace(tmp, target)
        return target
    except OSError as exc:
        if target != place.main:
            raise
        # Windows refuses to replace a file Excel or Word holds open (a sharing violation).
        beside = beside_path(place, run.as_of)
        os.replace(tmp, beside)
        say_in_use(target, beside, exc)
        run.kept_outputs.append(KeptOutput(target.name, beside.name, IN_USE))
        return beside


def forget_superseded(item: Artefact, place: Placement, written: Path, out_dir: Path, keep: int,
                      ledger: OutputLedger) -> None:  # fmt: skip
    """Archive and remove the job's copies the new generation superseded; prune the archive
    and the ledger."""
    for path in place.beside_job:
        if path == written:
            continue
        try:
            if item.editable and keep > 0:
                _archive(path, item.name, out_dir)  # the same copy twice is archived once
            path.unlink()
        except (OSError, OutputError) as exc:  # held open: still the job's, for a later run
            why = os_reason(exc) if isinstance(exc, OSError) else exc
            log.debug("chưa xóa được bản cũ “%s” (lần chạy sau sẽ thử lại): %s", path, why)
    ours = ledger.written_outputs(item.name)
    if item.editable and keep > 0:
        prune_archive(out_dir / ARCHIVE, item.name, keep, ours)
    on_disk = {d for d in (place.digest,) if d and place.holder is Holder.JOB}
    ledger.forget_outputs(item.name, keep + LEDGER_MARGIN, on_disk)


def archive_copy(current: Path, artefact: str, folder: Path) -> None:
    """Copy a generation of ``artefact`` that is about to be replaced or removed into ``folder``.

    The copy is named after the output, not the file (a copy beside an edited file is archived
    as ``bao-cao-tong-hop-<time>-<digest>.docx`` too, so pruning finds every generation), with
    its modified time and the start of its digest: the same copy is archived once.
    """
    name = PurePosixPath(artefact)
    stamp = datetime.fromtimestamp(current.stat().st_mtime).strftime("%Y%m%d-%H%M%S")
    data = current.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    target = folder / f"{name.stem}-{stamp}-{digest[:8]}{name.suffix}"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(target, lambda fh: fh.write(data))


def prune_archive(folder: Path, artefact: str, keep: int, written: set[str]) -> None:
    """Remove the oldest of the job's archived generations of ``artefact`` beyond ``keep``.

    A copy whose content the job did not write (a person edited it, here or before it was
    archived by an older version) is never removed and does not count against ``keep``.
    """
    name = PurePosixPath(artefact)
    pattern = re.compile(
        # Older versions named copies "-r<run>" instead of the digest's start.
        rf"{re.escape(name.stem)}-\d{{8}}-\d{{6}}-(?:r-?\d+|[0-9a-f]{{8}}){re.escape(name.suffix)}"
    )
    try:
        copies = [p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_file()]
    except OSError:
        return
    if len(copies) <= keep:
        return  # nothing could be pruned: no need to read them
    ours = []
    for path in copies:
        with contextlib.suppress(OSError):
            if file_digest(path) in written:
                ours.append(path)
    ours.sort(key=mtime)
    for stale in ours[: max(0, len(ours) - keep)]:
        try:
            stale.unlink()
        except OSError as exc:
            log.debug("chưa xóa được bản lưu cũ “%s”: %s", stale, os_reason(exc))


def _write(data: bytes, fh: BinaryIO) -> None:
    fh.write(data)
