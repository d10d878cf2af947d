"""The Source seam: how the job asks any outside system for units' spreadsheets.

A source answers two questions. ``versions`` is cheap and bulk: for every unit, a token that
changes whenever its content may have changed, and the file's modified time. ``pull`` is the
expensive read of one unit, done only when its token changed. Either may answer with a
``SourceProblem`` instead of raising, so one broken unit never stops the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sheets_schema.raw import RawReport


@dataclass(frozen=True, slots=True)
class SheetRef:
    """Where one unit's spreadsheet lives: a file name (excel) or a URL or key (google)."""

    code: str
    sheet: str


@dataclass(frozen=True, slots=True)
class Version:
    """What a cheap look at a unit's spreadsheet tells: a change token and when it changed."""

    token: str
    modified_time: datetime  # timezone-aware
    link: str  # a URL, or a file name relative to the source folder (never a server path)


class ProblemKind(StrEnum):
    MISSING = "missing"  # no file yet: the unit has not started
    INVALID = "invalid"  # there is something, but it is not a readable template spreadsheet
    UNREACHABLE = "unreachable"  # permission, deleted, network: keep the last good data


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """Why a unit could not be read: an English reason for logs, a Vietnamese fix for people."""

    kind: ProblemKind
    reason: str
    message_vi: str
    link: str = ""
    # The reader gave up on the file (a memory or time limit, a crash): show the unit's last
    # good data with the problem, as for an unreachable sheet, instead of dropping it.
    keep_last: bool = False


@dataclass(frozen=True, slots=True)
class Pulled:
    """One unit's spreadsheet as read: the parser's input and the bytes kept as a snapshot."""

    raw: RawReport
    snapshot: bytes
    snapshot_ext: str  # "xlsx" or "json"
    # When the content read was last changed, if the source learned it after the read and it
    # is later than the version's (a unit edited the file between the listing and the read).
    modified_time: datetime | None = None
    # Who made the last edit, as the source names them (Drive's lastModifyingUser); "" if unknown.
    modified_by: str = ""


class Source(Protocol):
    """One adapter per outside system (an Excel folder, Google Sheets)."""

    kind: str

    def versions(self, refs: Sequence[SheetRef]) -> Mapping[str, Version | SourceProblem]:
        """Change tokens and modified times for every unit, keyed by unit code."""
        ...

    def pull(self, ref: SheetRef, version: Version) -> Pulled | SourceProblem:
        """Read one unit's spreadsheet in full."""
        ...
