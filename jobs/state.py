"""The job's memory: runs, observations, submissions and raw snapshots, in SQLite.

Submission times live here because a Google Sheet has no submit event: the time is the
modified time of the first version the job saw submitted, and it never moves later. Later edits
are amendments; removing the sign-off withdraws the submission. Nothing is ever deleted.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sheets_schema import ParsedReport

from . import codec
from .model import HistoryPoint
from .oserrors import os_reason

# One field_changes row as stored: unit, run, changed_at, seen_at, editor, field, row, tab,
# cell, old JSON, new JSON.
ChangeRow = tuple[str, int, str, str, str, str, int | None, str, str, str | None, str | None]

# Each entry upgrades the database by one version (PRAGMA user_version). Append only.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        finished_at TEXT,
        source_kind TEXT NOT NULL,
        expected INTEGER, submitted INTEGER, on_time INTEGER, late INTEGER,
        pulled INTEGER, reused INTEGER,
        note TEXT
    );
    CREATE TABLE observations (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        unit_code TEXT NOT NULL,
        token TEXT, content_hash TEXT, modified_time TEXT,
        status TEXT NOT NULL, completeness REAL, errors INTEGER, warnings INTEGER,
        confirmed INTEGER, problem_kind TEXT, message TEXT, link TEXT,
        PRIMARY KEY (run_id, unit_code)
    );
    CREATE TABLE parses (
        unit_code TEXT PRIMARY KEY,
        token TEXT NOT NULL, cache_key TEXT NOT NULL, content_hash TEXT NOT NULL,
        modified_time TEXT NOT NULL, link TEXT, read_at TEXT NOT NULL, report TEXT NOT NULL
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        unit_code TEXT NOT NULL,
        submitted_at TEXT NOT NULL, content_hash TEXT NOT NULL, seen_run INTEGER NOT NULL,
        withdrawn_at TEXT, withdrawn_run INTEGER
    );
    CREATE INDEX submissions_unit ON submissions(unit_code);
    CREATE TABLE amendments (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id),
        unit_code TEXT NOT NULL, modified_time TEXT NOT NULL, content_hash TEXT NOT NULL,
        run_id INTEGER NOT NULL
    );
    CREATE TABLE snapshots (
        hash TEXT PRIMARY KEY, ext TEXT NOT NULL, size INTEGER NOT NULL, first_run INTEGER
    );
    """,
    # What the job wrote of each output, so that a file a person edited is told apart and kept
    # (jobs/outputs/edits.py); and the edited files the log has already mentioned.
    """
    CREATE TABLE IF NOT EXISTS outputs_written (
        artefact TEXT NOT NULL, digest TEXT NOT NULL, run_id INTEGER NOT NULL,
        PRIMARY KEY (artefact, digest)
    );
    CREATE TABLE IF NOT EXISTS output_edits (path TEXT PRIMARY KEY, run_id INTEGER NOT NULL);
    """,
    # Field history (jobs/history.py): one row per field whose value differs between two
    # versions of a unit the job read. Old and new are JSON; tab and cell where it was read.
    """
    CREATE TABLE IF NOT EXISTS field_changes (
        id INTEGER PRIMARY KEY,
        unit_code TEXT NOT NULL, run_id INTEGER NOT NULL,
        changed_at TEXT NOT NULL, seen_at TEXT NOT NULL, editor TEXT NOT NULL DEFAULT '',
        field TEXT NOT NULL, row INTEGER, tab TEXT NOT NULL, cell TEXT NOT NULL,
        old TEXT, new TEXT
    );
    CREATE INDEX IF NOT EXISTS field_changes_unit ON field_changes(unit_code, id);
    """,
)


class StateError(Exception):
    """The state database cannot be opened, read or written; the message says what to do."""


# What a damaged row raises while it is decoded: bad JSON, a time that is not ISO, a missing key.
_DECODING = (ValueError, KeyError, TypeError, IndexError, AttributeError)
_F = TypeVar("_F", bound=Callable[..., Any])


def damaged(path: Path, what: str) -> StateError:
    """The error for a state file that is damaged: what to do, and what each way loses."""
    return StateError(
        f"tệp trạng thái {path} bị hỏng ({what}). Cách sửa: khôi phục tệp này từ bản sao lưu; "
        f"hoặc chuyển nó (cùng các tệp -wal, -shm bên cạnh) sang chỗ khác rồi chạy lại để dựng lại từ các tệp báo cáo và bản chụp "
        f"trong {path.parent / 'snapshots'} (sẽ mất thời điểm nộp đã ghi nhận đến nay, lịch sử "
        f"sửa đổi và các lần chạy trước)."
    )


# SQLite's usual complaints, in the words of the person who must act on them.
_SQLITE_WORDS = (
    ("database is locked", "tệp đang bị một chương trình khác giữ"),
    ("readonly database", "tệp hoặc thư mục của nó chỉ cho đọc"),
    ("disk i/o error", "lỗi đọc/ghi ổ đĩa"),
    ("unable to open database file", "không mở được tệp (thư mục không có hoặc không có quyền)"),
    ("database or disk is full", "ổ đĩa đã đầy"),
    ("file is not a database", "không phải tệp dữ liệu SQLite"),
    ("database disk image is malformed", "dữ liệu SQLite bên trong tệp bị hỏng"),
)


def sqlite_words(text: str) -> str:
    """SQLite's message in Vietnamese where it is one of the usual ones, else quoted as SQLite's."""
    low = text.lower()
    for english, words in _SQLITE_WORDS:
        if english in low:
            return words
    return f"SQLite báo: {text}"


def _explain(path: Path, exc: BaseException) -> StateError:
    text = " ".join(str(exc).split())
    if isinstance(exc, sqlite3.OperationalError) and "decode" not in text:
        # Locked, read-only, disk full: the file itself is fine.
        return StateError(
            f"không đọc/ghi được tệp trạng thái {path}: {sqlite_words(text)}; kiểm tra quyền ghi "
            f"và dung lượng đĩa, rồi chạy lại"
        )
    if isinstance(exc, sqlite3.DatabaseError | sqlite3.OperationalError):
        return damaged(path, sqlite_words(text))
    return damaged(path, f"một dòng dữ liệu không đọc được ({type(exc).__name__})")


def _guarded(method: _F) -> _F:
    """Turn a damaged database or row met inside ``method`` into a ``StateError``."""

    @functools.wraps(method)
    def wrapper(self: State, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StateError:
            raise
        except (sqlite3.DatabaseError, *_DECODING) as exc:
            raise _explain(self.path, exc) from exc

    return wrapper  # type: ignore[return-value]


def integrity_problem(path: Path) -> str | None:
    """SQLite's own integrity check of the state file, read-only; None when it is sound or absent."""
    if not path.exists():
        return None
    if not path.is_file():
        return f"{path} không phải là tệp"
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = db.execute("PRAGMA integrity_check").fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        return sqlite_words(" ".join(str(exc).split()))
    found = [str(row[0]) for row in rows]
    return None if found == ["ok"] else "; ".join(found[:3])


@dataclass(frozen=True)
class CachedParse:
    token: str
    cache_key: str
    content_hash: str
    modified_time: datetime
    link: str
    read_at: datetime
    report: ParsedReport
    editor: str = ""  # who made the last edit, when the source says (not kept in the table)


@dataclass(frozen=True)
class Submission:
    id: int
    unit_code: str
    submitted_at: datetime
    content_hash: str


@dataclass(frozen=True)
class Observation:
    status: str
    problem_kind: str | None
    message: str
    link: str
    modified_time: datetime | None


class State:
    """One SQLite database and a content-addressed snapshot folder beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.snapshots = path.parent / "snapshots"
        if path.is_dir():
            raise StateError(f"{path} là thư mục, không phải tệp trạng thái; sửa [output] state")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except StateError:
            raise
        except sqlite3.DatabaseError as exc:
            raise _explain(path, exc) from exc
        except OSError as exc:
            raise StateError(
                f"không mở được tệp trạng thái {path}: {os_reason(exc)}; kiểm tra đường dẫn "
                f"[output] state và quyền ghi thư mục"
            ) from exc

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StateError(
                f"tệp trạng thái {self.path} do bản tonghop mới hơn ghi (lược đồ {version}); "
                f"hãy nâng cấp tonghop"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in script.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------------ runs
    @_guarded
    def begin_run(self, started_at: datetime, as_of: datetime, source_kind: str) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started_at, as_of, source_kind) VALUES (?, ?, ?)",
            (started_at.isoformat(), as_of.isoformat(), source_kind),
        )
        return int(cur.lastrowid or 0)

    @_guarded
    def finish_run(self, run_id: int, finished_at: datetime, counts: dict[str, float],
                   pulled: int, reused: int, note: str = "") -> None:  # fmt: skip
        self.db.execute(
            "UPDATE runs SET finished_at=?, expected=?, submitted=?, on_time=?, late=?, pulled=?,"
            " reused=?, note=? WHERE id=?",
            (finished_at.isoformat(), counts.get("expected", 0), counts.get("submitted", 0),
             counts.get("on_time", 0), counts.get("late", 0), pulled, reused, note, run_id),
        )  # fmt: skip

    @_guarded
    def history(self) -> list[HistoryPoint]:
        """Counts at each finished run, oldest first, by the run's as-of time."""
        rows = self.db.execute(
            "SELECT as_of, expected, submitted, on_time FROM runs WHERE finished_at IS NOT NULL"
            " ORDER BY as_of, id"
        ).fetchall()
        return [
            HistoryPoint(datetime.fromisoformat(a), e or 0, s or 0, o or 0) for a, e, s, o in rows
        ]

    # ------------------------------------------------------------------ parses
    @_guarded
    def cached(self, code: str) -> CachedParse | None:
        row = self.db.execute(
            "SELECT token, cache_key, content_hash, modified_time, link, read_at, report"
            " FROM parses WHERE unit_code=?",
            (code,),
        ).fetchone()
        if row is None:
            return None
        token, key, digest, modified, link, read_at, report = row
        return CachedParse(token, key, digest, datetime.fromisoformat(modified), link or "",
                           datetime.fromisoformat(read_at), codec.loads(report))  # fmt: skip

    @_guarded
    def save_parse(self, code: str, entry: CachedParse) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO parses VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (code, entry.token, entry.cache_key, entry.content_hash, entry.modified_time.isoformat(),
             entry.link, entry.read_at.isoformat(), codec.dumps(entry.report)),
        )  # fmt: skip

    # ------------------------------------------------------------------ snapshots
    @_guarded
    def store_snapshot(self, data: bytes, ext: str, run_id: int) -> str:
        """Keep ``data`` under its SHA-256; an unchanged unit costs no space. Returns the hash."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.snapshots / digest[:2] / f"{digest}.{ext}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        self.db.execute(
            "INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?)", (digest, ext, len(data), run_id)
        )
        return digest

    @_guarded
    def snapshot_path(self, digest: str) -> Path | None:
        row = self.db.execute("SELECT ext FROM snapshots WHERE hash=?", (digest,)).fetchone()
        return None if row is None else self.snapshots / digest[:2] / f"{digest}.{row[0]}"

    # ------------------------------------------------------------------ observations
    @_guarded
    def observe(self, run_id: int, code: str, *, token: str | None, content_hash: str | None,
                modified_time: datetime | None, status: str, report: ParsedReport | None,
                problem_kind: str | None, message: str, link: str) -> None:  # fmt: skip
        self.db.execute(
            "INSERT OR REPLACE INTO observations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, code, token, content_hash, modified_time.isoformat() if modified_time else None,
             status, None if report is None else report.completeness,
             None if report is None else report.errors, None if report is None else report.warnings,
             None if report is None else int(report.confirmed), problem_kind, message, link),
        )  # fmt: skip

    @_guarded
    def last_observation(self, code: str) -> Observation | None:
        row = self.db.execute(
            "SELECT status, problem_kind, message, link, modified_time FROM observations"
            " WHERE unit_code=? ORDER BY run_id DESC LIMIT 1",
            (code,),
        ).fetchone()
        if row is None:
            return None
        status, kind, message, link, modified = row
        return Observation(status, kind, message or "", link or "",
                           datetime.fromisoformat(modified) if modified else None)  # fmt: skip

    # ------------------------------------------------------------------ submissions
    @_guarded
    def active_submission(self, code: str) -> Submission | None:
        row = self.db.execute(
            "SELECT id, submitted_at, content_hash FROM submissions"
            " WHERE unit_code=? AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1",
            (code,),
        ).fetchone()
        if row is None:
            return None
        return Submission(row[0], code, datetime.fromisoformat(row[1]), row[2])

    @_guarded
    def submit(self, code: str, at: datetime, content_hash: str, run_id: int) -> Submission:
        cur = self.db.execute(
            "INSERT INTO submissions (unit_code, submitted_at, content_hash, seen_run)"
            " VALUES (?, ?, ?, ?)",
            (code, at.isoformat(), content_hash, run_id),
        )
        return Submission(int(cur.lastrowid or 0), code, at, content_hash)

    @_guarded
    def withdraw(self, submission: Submission, at: datetime, run_id: int) -> None:
        self.db.execute(
            "UPDATE submissions SET withdrawn_at=?, withdrawn_run=? WHERE id=?",
            (at.isoformat(), run_id, submission.id),
        )

    @_guarded
    def amend(self, submission: Submission, at: datetime, content_hash: str, run_id: int) -> None:
        """Record an edit after submission, once per distinct content."""
        seen = self.db.execute(
            "SELECT 1 FROM amendments WHERE submission_id=? AND content_hash=?",
            (submission.id, content_hash),
        ).fetchone()
        if seen is None and content_hash != submission.content_hash:
            self.db.execute(
                "INSERT INTO amendments (submission_id, unit_code, modified_time, content_hash,"
                " run_id) VALUES (?, ?, ?, ?, ?)",
                (submission.id, submission.unit_code, at.isoformat(), content_hash, run_id),
            )

    @_guarded
    def amended(self, submission: Submission) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM amendments WHERE submission_id=? LIMIT 1", (submission.id,)
        ).fetchone()
        return row is not None

    @_guarded
    def withdrawals(self, code: str) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM submissions WHERE unit_code=? AND withdrawn_at IS NOT NULL",
            (code,),
        ).fetchone()
        return int(row[0])

    # ------------------------------------------------------------------ outputs written
    # The OutputLedger of jobs/outputs/edits.py: what the job wrote, to tell a person's edit.
    @_guarded
    def written_outputs(self, artefact: str) -> set[str]:
        rows = self.db.execute("SELECT digest FROM outputs_written WHERE artefact=?", (artefact,))
        return {row[0] for row in rows}

    @_guarded
    def record_output(self, artefact: str, digest: str, run_id: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO outputs_written VALUES (?, ?, ?)", (artefact, digest, run_id)
        )

    @_guarded
    def forget_outputs(self, artefact: str, keep_newest: int, keep: set[str]) -> None:
        rows = self.db.execute(
            "SELECT digest FROM outputs_written WHERE artefact=? ORDER BY run_id DESC, digest",
            (artefact,),
        ).fetchall()
        stale = [(artefact, d) for (d,) in rows[keep_newest:] if d not in keep]
        self.db.executemany("DELETE FROM outputs_written WHERE artefact=? AND digest=?", stale)

    @_guarded
    def edit_noticed(self, path: str) -> bool:
        row = self.db.execute("SELECT 1 FROM output_edits WHERE path=?", (path,)).fetchone()
        return row is not None

    @_guarded
    def notice_edit(self, path: str, run_id: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO output_edits VALUES (?, ?)", (path, run_id))

    @_guarded
    def forget_edits(self, under: str, keep: set[str]) -> None:
        rows = self.db.execute("SELECT path FROM output_edits").fetchall()
        gone = [(p,) for (p,) in rows if p not in keep and Path(p).is_relative_to(under)]
        self.db.executemany("DELETE FROM output_edits WHERE path=?", gone)

    # ------------------------------------------------------------------ field history
    @_guarded
    def last_parse_json(self, code: str) -> tuple[str, str] | None:
        """The unit's last kept parse as (content hash, report JSON), undecoded."""
        row = self.db.execute(
            "SELECT content_hash, report FROM parses WHERE unit_code=?", (code,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    @_guarded
    def add_changes(self, rows: list[ChangeRow]) -> None:
        self.db.executemany(
            "INSERT INTO field_changes (unit_code, run_id, changed_at, seen_at, editor, field,"
            " row, tab, cell, old, new) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )

    @_guarded
    def changes(self, code: str | None = None, field: str | None = None,
                since: datetime | None = None, after_first_submission: bool = False,
                ) -> list[ChangeRow]:  # fmt: skip
        """Field changes, oldest first; filtered by unit, field id, time, and to those seen
        after the run that first saw the unit submitted."""
        sql = (
            "SELECT unit_code, run_id, changed_at, seen_at, editor, field, row, tab, cell, old,"
            " new FROM field_changes c WHERE 1=1"
        )
        args: list[Any] = []
        if code is not None:
            sql += " AND unit_code=?"
            args.append(code)
        if field is not None:
            sql += " AND field=?"
            args.append(field)
        if after_first_submission:
            sql += (
                " AND run_id > (SELECT MIN(seen_run) FROM submissions s"
                " WHERE s.unit_code=c.unit_code)"
            )
        rows = self.db.execute(sql + " ORDER BY id", args).fetchall()
        if since is not None:  # times are ISO text with offsets: compare them as times
            rows = [r for r in rows if datetime.fromisoformat(r[2]) >= since]
        return [tuple(r) for r in rows]
