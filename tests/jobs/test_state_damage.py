"""A damaged state file stops the job with one Vietnamese line saying what to do, never a traceback.

Each case damages a real SQLite file (or the lock) the way a disk, a crash or a hand edit would,
then runs the real command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from jobs.state import integrity_problem
from sheets_schema import Schema
from tests.jobs.district import District
from tests.jobs.test_cli import tonghop

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = "2023-03-22T09:00:00+07:00"


def _sql(statement: str) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        con = sqlite3.connect(db)
        con.execute(statement)
        con.commit()
        con.close()

    return damage


def _replace_with(data: bytes) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        for extra in ("-wal", "-shm"):
            db.with_name(db.name + extra).unlink(missing_ok=True)
        db.write_bytes(data)

    return damage


def _truncate(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.truncate(size // 2)


def _lock_is_a_folder(db: Path) -> None:
    lock = db.with_name(db.name + ".lock")
    lock.unlink(missing_ok=True)
    lock.mkdir()


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory, schema: Schema) -> District:
    district = District(tmp_path_factory.mktemp("state") / "district", schema)
    district.add("XA_A")
    district.add("XA_B")
    district.save("XA_A", district.values("XA_A"), datetime(2023, 3, 20, 9, tzinfo=VN))
    district.sync(datetime(2023, 3, 21, 9, tzinfo=VN))
    return district


CASES = {
    "undecodable text": _sql("UPDATE parses SET report = CAST(X'FFFE41' AS TEXT)"),
    "report not JSON": _sql("UPDATE parses SET report = 'không phải JSON'"),
    "submitted_at not ISO": _sql("UPDATE submissions SET submitted_at = 'hôm qua'"),
    "not SQLite": _replace_with(b"ghi chu cua ai do, khong phai SQLite\n" * 50),
    "truncated": _truncate,
}


@pytest.mark.parametrize("case", [*CASES, "lock is a folder"])
def test_damaged_state_is_one_line_naming_the_file_and_the_fix(
    synced: District, tmp_path: Path, case: str
) -> None:
    root = tmp_path / "district"
    shutil.copytree(synced.root, root)
    db = root / "state" / "tonghop.sqlite"
    (CASES.get(case) or _lock_is_a_folder)(db)
    res = tonghop("sync", "--config", root / "tonghop.toml", "--as-of", AS_OF)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    line = lines[0]
    assert line.startswith("tonghop sync: ")
    if case == "lock is a folder":
        assert "tonghop.sqlite.lock" in line and "xóa hoặc chuyển" in line
    else:
        assert str(db) in line and "bị hỏng" in line
        assert "sao lưu" in line and "mất thời điểm nộp" in line
    if case == "not SQLite":
        assert "(không phải tệp dữ liệu SQLite)" in line, line  # SQLite's words, translated


@pytest.mark.parametrize("case", ["truncated", "not SQLite"])
def test_doctor_runs_the_integrity_check(synced: District, tmp_path: Path, case: str) -> None:
    root = tmp_path / "district"
    shutil.copytree(synced.root, root)
    db = root / "state" / "tonghop.sqlite"
    assert integrity_problem(db) is None
    CASES[case](db)
    assert integrity_problem(db)
    res = tonghop("doctor", "--config", root / "tonghop.toml")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "Tệp trạng thái" in res.stdout and "sao lưu" in res.stdout


def test_integrity_check_of_a_sound_or_absent_file(synced: District, tmp_path: Path) -> None:
    assert integrity_problem(tmp_path / "none.sqlite") is None
    assert integrity_problem(synced.root / "state" / "tonghop.sqlite") is None
    os.mkdir(tmp_path / "folder.sqlite")
    assert integrity_problem(tmp_path / "folder.sqlite")
