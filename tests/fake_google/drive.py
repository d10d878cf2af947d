"""Drive v3 files as the fake keeps them, and the `q` search syntax subset it understands."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import GoogleError, error
from .sheets import Spreadsheet

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
EDIT_ROLES = ("owner", "organizer", "fileOrganizer", "writer")


@dataclass
class FakeFile:
    """One Drive file: a native spreadsheet (`book`) or an uploaded file (`media`)."""

    id: str
    name: str
    mime_type: str
    created: datetime
    modified: datetime
    sa_role: str | None  # the service account's access; None: not shared with it
    parents: list[str] = field(default_factory=list)
    trashed: bool = False
    version: int = 1
    book: Spreadsheet | None = None
    media: bytes = b""
    drive_id: str | None = None
    permissions: list[dict[str, Any]] = field(default_factory=list)
    # (wall-clock second, modified, version) of each earlier state, for a lagging listing.
    history: list[tuple[float, datetime, int]] = field(default_factory=list)
    # Drive's lastModifyingUser.displayName: who made the last edit ("" → not returned).
    modified_by: str = ""

    def as_listed(self, lag: float) -> dict[str, Any]:
        """The File resource as a listing `lag` seconds behind shows it: the state the file
        had then (Drive's search index trails edits)."""
        out = self.to_json()
        cutoff = time.time() - lag
        for changed_at, modified, version in reversed(self.history):
            if changed_at <= cutoff:
                break
            out["modifiedTime"], out["version"] = rfc3339(modified), str(version)
        return out

    @property
    def native(self) -> bool:
        return self.mime_type == SHEET_MIME and self.book is not None

    def touch(self, at: datetime | None = None, by: str | None = None) -> None:
        """Record a change: Drive bumps modifiedTime and version on any edit.

        `at` backdates the edit (a test playing a past day); it never goes backwards. `by` is
        the editor's display name, for lastModifyingUser."""
        if by is not None:
            self.modified_by = by
        self.history.append((time.time(), self.modified, self.version))
        now = (at or datetime.now(UTC)).astimezone(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self.modified = max(now, self.modified + timedelta(milliseconds=1))
        self.version += 1

    def to_json(self) -> dict[str, Any]:
        """The full File resource; callers cut it down with the request's `fields`."""
        can_edit = self.sa_role in EDIT_ROLES
        out: dict[str, Any] = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime_type,
            "parents": list(self.parents),
            "trashed": self.trashed,
            "explicitlyTrashed": self.trashed,
            "createdTime": rfc3339(self.created),
            "modifiedTime": rfc3339(self.modified),
            "version": str(self.version),
            "webViewLink": self.web_view_link,
            "shared": len(self.permissions) > 1,
            "ownedByMe": self.sa_role == "owner",
            "capabilities": {
                "canEdit": can_edit,
                "canCopy": True,
                "canShare": can_edit,
                "canDownload": True,
                "canTrash": self.sa_role in ("owner", "organizer"),
            },
        }
        if self.drive_id:
            out["driveId"] = self.drive_id
        if self.modified_by:
            out["lastModifyingUser"] = {"kind": "drive#user", "displayName": self.modified_by}
        if not self.native:
            out["size"] = str(len(self.media))
            out["md5Checksum"] = hashlib.md5(self.media).hexdigest()
            if "." in self.name:
                out["fileExtension"] = self.name.rsplit(".", 1)[1]
            out["originalFilename"] = self.name
        return out

    @property
    def web_view_link(self) -> str:
        if self.mime_type in (SHEET_MIME, XLSX_MIME):
            tail = "" if self.native else "&rtpof=true&sd=true"
            return f"https://docs.google.com/spreadsheets/d/{self.id}/edit?usp=drivesdk{tail}"
        return f"https://drive.google.com/file/d/{self.id}/view?usp=drivesdk"


def rfc3339(moment: datetime) -> str:
    """Drive's timestamp text: UTC, milliseconds, a Z."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


# --------------------------------------------------------------------------- search syntax

_STRING = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\""""
_CLAUSE = re.compile(
    rf"""\s*(?:
        (?P<field>mimeType|name|trashed)\s*(?P<op>!=|=|\bcontains\b)\s*
            (?P<value>{_STRING}|true|false)
      | (?P<parent1>{_STRING})\s+in\s+parents
      | parents\s+in\s+(?P<parent2>{_STRING})
    )\s*""",
    re.VERBOSE | re.IGNORECASE,
)
_AND = re.compile(r"and\b\s*", re.IGNORECASE)


def _unquote(token: str) -> str | bool:
    if token.lower() in ("true", "false"):
        return token.lower() == "true"
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def parse_query(q: str) -> list[tuple[str, str, str | bool]]:
    """Parse `a and b and …` into (field, op, value) clauses; raise 400 on anything else."""
    clauses: list[tuple[str, str, str | bool]] = []
    pos = 0
    q = q.strip()
    while pos < len(q):
        m = _CLAUSE.match(q, pos)
        if not m:
            raise invalid_query(q)
        if m.group("field"):
            clauses.append((m.group("field"), m.group("op").lower(), _unquote(m.group("value"))))
        else:
            parent = m.group("parent1") or m.group("parent2")
            clauses.append(("parents", "in", _unquote(parent)))
        pos = m.end()
        if pos < len(q):
            a = _AND.match(q, pos)
            if not a:
                raise invalid_query(q)
            pos = a.end()
    return clauses


def matches(f: FakeFile, clauses: list[tuple[str, str, str | bool]]) -> bool:
    for name, op, value in clauses:
        if name == "parents":
            ok = value in f.parents
        elif name == "trashed":
            ok = f.trashed == value
        else:
            actual = f.mime_type if name.lower() == "mimetype" else f.name
            ok = str(value) in actual if op == "contains" else (actual == value) == (op == "=")
        if not ok:
            return False
    return True


def invalid_query(q: str) -> GoogleError:
    return error("drive", 400, f"Invalid Value: {q}", reason="invalid")
