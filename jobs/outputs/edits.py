"""The office's edits are never overwritten: whose each output file is, and where a generation
goes when the usual file may not be replaced.

The job remembers the SHA-256 of every generation it wrote of each output (in the state,
through ``OutputLedger``). A file whose content is none of them is a person's: someone opened
``bao-cao-tong-hop.docx`` in Word and saved it. Such a file is never replaced, moved or pruned.
The new generation is written beside it, in the same folder, under a name carrying the data's
time: ``bao-cao-tong-hop (số liệu 25-03 09h00).docx``. That copy is the job's own: the next
generation replaces it (under its own time; the old one goes to the archive), unless a person
edited that one too. A file the job cannot replace, because Excel or Word holds it open on
Windows, gets the same treatment for that run.

Contents decide, not modified times: a copy or a restore changes a file's time without changing
whose it is. The one exception is the first run after an upgrade, when nothing was recorded
yet: a file not modified since the last complete generation's stamp was written is taken as
the job's; anything else is kept as a person's, which only costs a copy beside it.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Protocol

from ..model import KeptOutput
from ..oserrors import os_reason

log = logging.getLogger("tonghop.outputs")
# The words in a new generation's name beside a kept file: "(số liệu 25-03 09h00)".
BESIDE_WORDS = "số liệu"
EDITED = "edited"
IN_USE = "in_use"
# Digests kept per output besides those of the files still on disk: the archive's generations
# are among the latest ``archive_keep`` of them, so this margin covers them with room to spare.
LEDGER_MARGIN = 20


class OutputLedger(Protocol):
    """What the job wrote, remembered across runs (``jobs.state.State`` implements it)."""

    def written_outputs(self, artefact: str) -> set[str]:
        """Digests of every generation of ``artefact`` the job wrote (and still remembers)."""
        ...

    def record_output(self, artefact: str, digest: str, run_id: int) -> None: ...

    def forget_outputs(self, artefact: str, keep_newest: int, keep: set[str]) -> None:
        """Forget all but the newest ``keep_newest`` digests of ``artefact`` and those in ``keep``."""
        ...

    def edit_noticed(self, path: str) -> bool:
        """Whether the log already said that the file at ``path`` was edited."""
        ...

    def notice_edit(self, path: str, run_id: int) -> None: ...

    def forget_edits(self, under: str, keep: set[str]) -> None:
        """Forget the notices of files in the folder ``under`` other than ``keep``."""
        ...


@dataclass
class MemoryLedger:
    """A ledger for one call: without the state, every run is like the first after an upgrade."""

    written: dict[str, dict[str, int]] = field(default_factory=dict)
    noticed: set[str] = field(default_factory=set)

    def written_outputs(self, artefact: str) -> set[str]:
        return set(self.written.get(artefact, {}))

    def record_output(self, artefact: str, digest: str, run_id: int) -> None:
        self.written.setdefault(artefact, {})[digest] = run_id

    def forget_outputs(self, artefact: str, keep_newest: int, keep: set[str]) -> None:
        rows = self.written.get(artefact, {})
        newest = sorted(rows, key=lambda d: rows[d], reverse=True)[:keep_newest]
        self.written[artefact] = {d: r for d, r in rows.items() if d in keep or d in newest}

    def edit_noticed(self, path: str) -> bool:
        return path in self.noticed

    def notice_edit(self, path: str, run_id: int) -> None:
        self.noticed.add(path)

    def forget_edits(self, under: str, keep: set[str]) -> None:
        self.noticed = {p for p in self.noticed if p in keep or not Path(p).is_relative_to(under)}


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes; OSError when it cannot be read (held open, gone)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class Holder(Enum):
    """Whose the file at an output's usual name is."""

    ABSENT = "absent"  # no file: the generation goes there
    JOB = "job"  # a generation the job wrote: replaced by the next one
    PERSON = "person"  # edited since the job wrote it: kept, the generation goes beside
    IN_USE = "in_use"  # cannot even be read (held open): kept for this run
    OTHER = "other"  # not a regular file (a folder in the way): tried, and beside if refused


@dataclass
class Placement:
    """One output's files: the usual one, and the generations beside it."""

    main: Path
    holder: Holder
    digest: str | None  # of the usual file, when it was read
    beside_job: list[Path]  # the job's copies beside it, newest first
    beside_person: list[Path]  # copies beside it a person changed
    adopted: bool = False  # taken as the job's on the first run after an upgrade

    @property
    def kept(self) -> bool:
        """Whether the usual file must be left as it is."""
        return self.holder in (Holder.PERSON, Holder.IN_USE)

    def current(self) -> Path | None:
        """The file that holds the job's latest generation; None when none is on disk."""
        if self.kept:
            return self.beside_job[0] if self.beside_job else None
        return self.main if self.holder is Holder.JOB else None

    def target(self, as_of: datetime) -> Path:
        """Where this run's generation goes: the usual name, or beside a kept file."""
        return beside_path(self, as_of) if self.kept else self.main

    def person_files(self) -> list[Path]:
        """Every file of this output a person changed: the usual one first."""
        return ([self.main] if self.holder is Holder.PERSON else []) + self.beside_person


def survey(main: Path, written: set[str], editable: bool,
           unrecorded_is_job: Callable[[Path], bool]) -> Placement:  # fmt: skip
    """Find out whose ``main`` and the copies beside it are.

    ``written``: the digests the job wrote of this output. Only an ``editable`` output's usual
    file is read: the others (CSV files) are the job's whatever they hold. With nothing
    recorded, ``unrecorded_is_job(main)`` decides (the first run after an upgrade).
    """
    holder, digest, adopted = Holder.JOB, None, False
    if not main.exists() and not main.is_symlink():
        holder = Holder.ABSENT
    elif not main.is_file():
        holder = Holder.OTHER
    elif editable:
        try:
            digest = file_digest(main)
        except OSError:
            holder = Holder.IN_USE
        else:
            adopted = not written and unrecorded_is_job(main)
            holder = Holder.JOB if digest in written or adopted else Holder.PERSON
    job: list[Path] = []
    person: list[Path] = []
    for path in beside_files(main):
        try:
            (job if file_digest(path) in written else person).append(path)
        except OSError:
            continue  # held open or gone: neither ours to touch nor known to be edited
    job.sort(key=mtime, reverse=True)
    return Placement(main, holder, digest, job, sorted(person), adopted)


def beside_files(main: Path) -> list[Path]:
    """The files named as generations beside ``main``: ``<stem> (số liệu dd-mm HHhMM)[ n]<ext>``."""
    pattern = re.compile(
        rf"{re.escape(main.stem)} \({BESIDE_WORDS} \d\d-\d\d \d\dh\d\d\)(?: \d+)?"
        rf"{re.escape(main.suffix)}"
    )
    try:
        names = [p for p in main.parent.iterdir() if p.is_file()]
    except OSError:
        return []
    # Names are compared composed: a Mac-made copy may spell "số liệu" decomposed.
    return sorted(p for p in names if pattern.fullmatch(unicodedata.normalize("NFC", p.name)))


def beside_path(place: Placement, as_of: datetime) -> Path:
    """The name of a generation beside ``place.main``, for data as of ``as_of`` (local time).

    A name already taken by a file that is not the job's gets a number: " 2", " 3", …
    """
    base = f"{place.main.stem} ({BESIDE_WORDS} {as_of:%d-%m %Hh%M})"
    for n in itertools.count(1):
        path = place.main.with_name(f"{base}{'' if n == 1 else f' {n}'}{place.main.suffix}")
        if path in place.beside_job or not (path.exists() or path.is_symlink()):
            return path
    raise AssertionError("unreachable")


def kept_outputs(out_dir: Path, places: dict[str, Placement],
                 targets: dict[str, Path] | None = None) -> list[KeptOutput]:  # fmt: skip
    """What Tình trạng and status.json say: each file kept, and where the generation is.

    ``targets`` (by output name, as ``places``): where this run writes; without them, where
    the latest generation already is.
    """
    kept = []
    for name, place in places.items():
        new = _relative(targets[name] if targets else place.current(), out_dir)
        for path in place.person_files():
            kept.append(KeptOutput(_relative(path, out_dir) or path.name, new, EDITED))
        if place.holder is Holder.IN_USE:
            kept.append(KeptOutput(_relative(place.main, out_dir) or name, new, IN_USE))
    return kept


def announce(kept: Iterable[KeptOutput], out_dir: Path, ledger: OutputLedger, run_id: int) -> None:
    """Say once in the log that a file was edited and kept (forgetting files no longer
    edited), and that one could not be read."""
    seen = set()
    for item in kept:
        if item.reason == IN_USE:  # said every run it lasts: it clears when the file is closed
            log.warning(
                "Không đọc được tệp “%s” (có thể tệp đang mở trong Excel hoặc Word): hệ thống "
                "không ghi đè, bản mới được ghi bên cạnh (%s).",
                item.file, f"“{item.new_file}”" if item.new_file else "khi có số liệu mới",
            )  # fmt: skip
            continue
        key = str((out_dir / item.file).resolve())
        seen.add(key)
        if ledger.edit_noticed(key):
            continue
        where = f"“{item.new_file}”" if item.new_file else "khi có số liệu mới"
        log.warning(
            "Tệp “%s” đã được sửa sau lần hệ thống ghi: hệ thống giữ nguyên tệp này, không ghi "
            "đè, và ghi bản mới bên cạnh, tên có thời điểm số liệu (%s).",
            item.file, where,
        )  # fmt: skip
        ledger.notice_edit(key, run_id)
    ledger.forget_edits(str(out_dir.resolve()), seen)


def say_in_use(main: Path, new: Path, exc: OSError) -> None:
    """The line for a file that could not be replaced (held open in Excel or Word)."""
    log.warning(
        "Không ghi đè được tệp “%s” (%s): bản mới được ghi bên cạnh, “%s”. Hãy đóng tệp; lần "
        "chạy sau sẽ ghi lại vào đúng tên.",
        main.name, _refusal(exc), new.name,
    )  # fmt: skip


def _refusal(exc: OSError) -> str:
    # The system's own words are English (or the PC's language): say what it means instead.
    if isinstance(exc, IsADirectoryError) or exc.errno in (errno.EISDIR, errno.ENOTEMPTY):
        return "tên đó đang là một thư mục"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
        return "tệp đang mở trong Excel hoặc Word, hoặc bị khóa"
    return f"hệ thống từ chối: {os_reason(exc)}"


def mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _relative(path: Path | None, out_dir: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(out_dir).as_posix()
    except ValueError:
        return path.name
