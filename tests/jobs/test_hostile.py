"""Hostile files in a unit's place: `check` refuses them, a sync goes on without them.

Every file is generated here from a real unit workbook (tests/hostile_files.py). For each
class: `tonghop check` exits 2 with a Vietnamese reason (or, for the classes that are read
with a finding, reports it); a sync of a small district with that file in place completes, the
unit is invalid with a reason, and every other unit's status and values are those of a clean
run. Times and memory are measured by scripts (bench/RESULTS.md), never asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobs.config import ConfigError
from jobs.job import SyncResult
from sheets_schema import Schema
from tests.hostile_files import BUILDERS, READ_WITH_FINDING, parts_of, write_hostile, zip_of
from tests.jobs.district import District

VN = ZoneInfo("Asia/Ho_Chi_Minh")
REPO = Path(__file__).resolve().parents[2]
AS_OF = datetime(2023, 3, 25, 9, tzinfo=VN)
SAVED = datetime(2023, 3, 20, 9, tzinfo=VN)
TARGET = "XA_H"


def build(root: Path, schema: Schema) -> District:
    """Four units: two submitted, one half typed, one with no file yet; XA_H is the target."""
    d = District(root, schema)
    for code in ("XA_A", "XA_B", "XA_C", "XA_NONE", TARGET):
        d.add(code)
    d.save("XA_A", d.values("XA_A"), SAVED)
    d.save("XA_B", d.values("XA_B", tt_so_dang_vien=None), SAVED)
    d.save("XA_C", d.values("XA_C"), SAVED)
    d.save(TARGET, d.values(TARGET), SAVED)
    return d


def by_code(result: SyncResult) -> dict[str, tuple[str, Any]]:
    return {
        o.unit.code: (o.status.value, o.report.values if o.report else None)
        for o in result.outcomes
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, schema: Schema) -> dict[str, Any]:
    d = build(tmp_path_factory.mktemp("clean"), schema)
    return by_code(d.sync(AS_OF))


def tonghop(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160"}
    env.pop("TONGHOP_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "jobs", *map(str, args)],
        cwd=REPO, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_hostile_file_is_one_invalid_unit(
    kind: str, tmp_path: Path, schema: Schema, clean: dict[str, Any]
) -> None:
    d = build(tmp_path / "district", schema)
    target = d.root / "sheets" / f"{TARGET}.xlsx"
    write_hostile(kind, target, target.read_bytes())
    if kind in READ_WITH_FINDING:  # saved on the same day as in the clean run
        os.utime(target, (SAVED.timestamp(), SAVED.timestamp()))

    res = tonghop("check", target)
    assert "Traceback" not in res.stderr
    result = d.sync(AS_OF)
    seen = by_code(result)
    for code, expected in clean.items():
        if code != TARGET:
            assert seen[code] == expected, code
    outcome = next(o for o in result.outcomes if o.unit.code == TARGET)

    if kind in READ_WITH_FINDING:
        assert res.returncode in (0, 1), res.stderr
        assert outcome.report is not None
        codes = {f.code.value for f in outcome.report.findings}
        if kind == "string-count-4e9":  # read without calamine: the unit is as clean
            assert seen[TARGET] == clean[TARGET]
        elif kind == "far-value":  # ignored with a warning: the unit is as in the clean run
            assert "far-cells" in codes and "XFD1048576" in res.stdout
            assert seen[TARGET] == clean[TARGET]
        else:  # only the declared cells were read, and the unit is told what to restore
            assert "name-too-large" in codes
            assert outcome.status.value != "on_time"
        return
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert outcome.status.value == "invalid"
    assert outcome.message and any(ch in outcome.message for ch in "ệạảố"), outcome.message
    assert outcome.report is None


def test_cli_sync_completes_with_a_fifo_and_a_bomb(tmp_path: Path, schema: Schema) -> None:
    d = build(tmp_path / "district", schema)
    write_hostile("fifo", d.root / "sheets" / f"{TARGET}.xlsx", b"")
    write_hostile(
        "bomb-sheet",
        d.root / "sheets" / "XA_C.xlsx",
        (d.root / "sheets" / "XA_A.xlsx").read_bytes(),
    )
    res = tonghop("sync", "--config", d.root / "tonghop.toml", "--as-of", AS_OF.isoformat())
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert (d.root / "out" / "tong-hop.xlsx").exists()


def test_a_unit_over_the_memory_limit_keeps_its_last_good_data(
    tmp_path: Path, schema: Schema
) -> None:
    d = build(tmp_path / "district", schema)
    first = by_code(d.sync(AS_OF))
    config = d.root / "tonghop.toml"
    config.write_text(config.read_text("utf-8") + "\n[limits]\nunit_memory_mb = 4\n", "utf-8")
    path = d.root / "sheets" / f"{TARGET}.xlsx"
    # The same report with 12 MB of pictures: within every cap but the memory limit.
    parts = parts_of(path.read_bytes())
    parts["xl/media/image1.bin"] = os.urandom(12 << 20)
    path.write_bytes(zip_of(parts))
    os.utime(path, (SAVED.timestamp() + 60, SAVED.timestamp() + 60))

    result = d.sync(AS_OF)
    outcome = next(o for o in result.outcomes if o.unit.code == TARGET)
    assert outcome.status.value == "invalid"
    assert "bộ nhớ 4 MiB" in outcome.message
    assert outcome.report is not None and outcome.report.values == first[TARGET][1]
    assert outcome.submitted_at is not None
    assert {c: v for c, v in by_code(result).items() if c != TARGET} == {
        c: v for c, v in first.items() if c != TARGET
    }


def test_limits_are_read_from_the_config(tmp_path: Path, schema: Schema) -> None:
    d = build(tmp_path / "district", schema)
    assert d.config.limits.unit_memory_mb == 512 and d.config.limits.unit_seconds == 30
    config = d.root / "tonghop.toml"
    text = config.read_text("utf-8")
    config.write_text(text + "\n[limits]\nmax_file_mb = 3\nunit_seconds = 5\n", "utf-8")
    assert (d.config.limits.max_file_mb, d.config.limits.unit_seconds) == (3, 5)
    config.write_text(text + "\n[limits]\nunit_seconds = 0\n", "utf-8")
    with pytest.raises(ConfigError, match=r"\[limits\] unit_seconds phải là số nguyên"):
        _ = d.config
    config.write_text(text + "\n[limits]\nmax_files = 3\n", "utf-8")
    with pytest.raises(ConfigError, match=r"không có khóa \[limits\] max_files"):
        _ = d.config


def test_a_link_out_of_the_folder_is_that_units_problem(tmp_path: Path, schema: Schema) -> None:
    """A link in the sheets folder that leads outside it makes one unit invalid; the roster
    stays valid and the district runs on (a roster error would stop every unit)."""
    district = District(tmp_path / "district", schema)
    district.add("XA_A")
    district.add("XA_B")
    district.save("XA_A", district.values("XA_A"), datetime(2023, 3, 20, 9, tzinfo=VN))
    outside = tmp_path / "elsewhere.xlsx"
    district.save("XA_B", district.values("XA_B"), datetime(2023, 3, 20, 9, tzinfo=VN))
    sheet = district.root / "sheets" / "XA_B.xlsx"
    sheet.rename(outside)
    sheet.symlink_to(outside)
    result = district.sync(datetime(2023, 3, 21, 9, tzinfo=VN))
    assert district.status(result, "XA_A") == "on_time"
    assert district.status(result, "XA_B") == "invalid"
    gone = next(o for o in result.outcomes if o.unit.code == "XA_B")
    assert "liên kết" in gone.message


def test_doctor_reads_unit_files_under_the_same_limits(tmp_path: Path, schema: Schema) -> None:
    """doctor reads each file in a worker: a FIFO, a bomb and a file over the memory limit
    are each one failing unit line, and the good units are still checked."""
    from jobs.commands.doctor import blocks_sync, run_doctor

    d = build(tmp_path / "district", schema)
    good = (d.root / "sheets" / "XA_A.xlsx").read_bytes()
    write_hostile("fifo", d.root / "sheets" / f"{TARGET}.xlsx", b"")
    write_hostile("bomb-sheet", d.root / "sheets" / "XA_C.xlsx", good)
    parts = parts_of(good)
    parts["xl/media/image1.bin"] = os.urandom(12 << 20)  # within every cap but the memory limit
    (d.root / "sheets" / "XA_B.xlsx").write_bytes(zip_of(parts))
    config = d.root / "tonghop.toml"
    config.write_text(config.read_text("utf-8") + "\n[limits]\nunit_memory_mb = 4\n", "utf-8")

    checks = {c.name: c for c in run_doctor(d.config)}
    assert checks["Đơn vị XA_A"].ok, checks["Đơn vị XA_A"]
    for code, said in ((TARGET, "FIFO"), ("XA_C", ""), ("XA_B", "bộ nhớ 4 MiB")):
        check = checks[f"Đơn vị {code}"]
        assert not check.ok and not blocks_sync(check), check
        assert said in check.detail and any(ch in check.detail for ch in "ệạảốớ"), check
