"""The command line under cron and pipes: one line per run, nothing wrapped, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sheets_schema import Schema
from tests.helpers import typed_workbook, valid_values
from tests.jobs.test_cli import REPO, tonghop


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quiet")
    assert tonghop("demo", "--dir", folder, "--units", "12").returncode == 0
    return folder


AS_OF = "2023-03-25T09:00:00+07:00"


def test_sync_without_a_terminal_is_one_line_then_silence(demo: Path) -> None:
    res = tonghop("sync", "--config", demo / "tonghop.toml", "--as-of", AS_OF)
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "tonghop sync: lần chạy " in lines[0] and "đã nộp" in lines[0]
    # The same run again (nothing changed) prints nothing (tests/jobs/test_cron.py).
    res = tonghop("sync", "--config", demo / "tonghop.toml", "--as-of", AS_OF)
    assert (res.stdout, res.stderr) == ("", "")


def test_sync_verbose_shows_the_table_unwrapped(demo: Path) -> None:
    env_columns = {"COLUMNS": "40"}  # a narrow pipe: titles and paths must still not wrap
    res = subprocess.run(
        [sys.executable, "-m", "jobs", "sync", "-v", "--config", str(demo / "tonghop.toml"),
         "--as-of", AS_OF],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO), **env_columns},
        timeout=600,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Đúng hạn" in res.stdout
    workbook = str(demo / "out" / "tong-hop.xlsx")
    assert any(line.endswith(workbook) for line in res.stdout.splitlines()), res.stdout


def test_demo_run_it_line_is_not_wrapped(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "jobs", "demo", "--dir", str(tmp_path / ("a-long-folder-name-" * 4)), "--units", "3"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "30"},
        timeout=600,
    )  # fmt: skip
    run_it = [line for line in res.stderr.splitlines() if line.startswith("Chạy thử: ")]
    assert run_it and run_it[0].endswith("--as-of 2023-03-25T09:00:00+07:00")


def test_a_closed_pipe_exits_quietly(tmp_path: Path, schema: Schema) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(typed_workbook(schema, valid_values(schema)))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    check = subprocess.Popen([sys.executable, "-m", "jobs", "check", str(path), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # fmt: skip
    assert check.stdout is not None and check.stderr is not None
    first = check.stdout.readline()
    check.stdout.close()  # as `| head -1` does
    err = check.stderr.read().decode()
    check.wait(timeout=120)
    assert first.strip() == b"{"
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_markup_like_text_is_shown_as_is(tmp_path: Path, schema: Schema) -> None:
    path = tmp_path / "x.xlsx"
    values = {**valid_values(schema), "tt_so_chi_bo": "[google] [bold]mười[/bold]"}
    path.write_bytes(typed_workbook(schema, values))
    res = tonghop("check", path)
    assert res.returncode == 1
    assert "[google]" in res.stdout and "[bold]" in res.stdout


@pytest.mark.parametrize(
    "as_of", ["9999-12-31T23:59:59-12:00", "1999-12-31T23:59:59+07:00", "2100-01-01T00:00:00+00:00"]
)
def test_as_of_outside_the_century_is_one_line(demo: Path, as_of: str) -> None:
    for command in ("sync", "remind"):
        res = tonghop(command, "--config", demo / "tonghop.toml", "--as-of", as_of)
        assert res.returncode == 2 and "Traceback" not in res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "2000–2099" in lines[0], res.stderr


def test_remind_reads_the_outputs_of_the_sync_it_follows(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cfg = demo / "tonghop.toml"
    assert tonghop("sync", "--config", cfg, "--out-dir", out, "--as-of", AS_OF).returncode == 0
    res = tonghop("remind", "--config", cfg, "--out-dir", out)
    assert res.returncode == 0, res.stderr
    lagging = [u for u in json.loads((out / "status.json").read_text("utf-8"))["units"]
               if u["status"] not in ("on_time", "late")]  # fmt: skip
    assert f"{len(lagging)} đơn vị cần nhắc." in res.stdout
