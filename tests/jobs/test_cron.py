"""`tonghop sync` as cron or the Task Scheduler runs it: no terminal, nothing typed in.

Silent when nothing the office sees changed, one Vietnamese line (with the workbook's status
words) when something did, the reason when it could not run; one line per run in the log file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.jobs.test_cli import tonghop
from tests.jobs.test_language import english_words

AS_OF = "2023-03-25T09:00:00+07:00"


def cron(config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """A run with stdin, stdout and stderr none of them a terminal, as cron starts it."""
    return tonghop("sync", "--config", config, "--as-of", AS_OF, *extra, stdin=subprocess.DEVNULL)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    assert tonghop("demo", "--dir", tmp_path, "--units", "12").returncode == 0
    return tmp_path


def test_quiet_when_nothing_changed_one_line_when_something_did(demo: Path) -> None:
    config = demo / "tonghop.toml"
    first = cron(config)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    (line,) = first.stderr.splitlines()
    assert line.startswith("tonghop sync: lần chạy 1, tính đến 25/03/2023 09:00: đã nộp ")
    assert "Đúng hạn" in line and "lần chạy đầu" in line
    assert "on_time" not in line and english_words(line) == [], line

    again = cron(config)
    assert again.returncode == 0
    assert (again.stdout, again.stderr) == ("", "")

    # A unit's file disappears: its status changes, and that is the one line.
    gone = sorted((demo / "sheets").glob("*.xlsx"))[0]
    gone.unlink()
    changed = cron(config)
    assert changed.stdout == ""
    (line,) = changed.stderr.splitlines()
    assert f"thay đổi: {gone.stem} " in line and "→ Không truy cập được" in line, line
    assert english_words(line) == [], line

    log = (demo / "state" / "tonghop.log").read_text(encoding="utf-8").splitlines()
    assert len(log) == 3
    assert [" lần chạy 1," in log[0], " lần chạy 2," in log[1], " lần chạy 3," in log[2]] == [
        True
    ] * 3
    assert "không có thay đổi" in log[1] and "bảng tổng hợp: " in log[1]


def test_an_error_prints_its_reason_and_is_logged(demo: Path) -> None:
    config = demo / "tonghop.toml"
    assert cron(config).returncode == 0  # a working set-up that later breaks
    for path in (demo / "sheets").iterdir():
        path.unlink()
    (demo / "sheets").rmdir()
    res = cron(config)
    assert res.returncode == 2
    assert res.stdout == ""
    (line,) = res.stderr.splitlines()
    assert line.startswith("tonghop sync: ") and "không phải thư mục" in line
    log = (demo / "state" / "tonghop.log").read_text(encoding="utf-8")
    assert "tonghop sync: lỗi: " in log and "không phải thư mục" in log


def test_the_log_file_is_configurable(demo: Path) -> None:
    config = demo / "tonghop.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            'state = "state/tonghop.sqlite"',
            'state = "state/tonghop.sqlite"\nlog = "nhat-ky/chay.log"',
        ),
        encoding="utf-8",
    )
    assert cron(config).returncode == 0
    assert cron(config).returncode == 0
    assert len((demo / "nhat-ky" / "chay.log").read_text(encoding="utf-8").splitlines()) == 2
    assert not (demo / "state" / "tonghop.log").exists()

    config.write_text(
        text.replace('state = "state/tonghop.sqlite"', 'state = "state/tonghop.sqlite"\nlog = ""'),
        encoding="utf-8",
    )
    assert cron(config).returncode == 0
    assert not (demo / "state" / "tonghop.log").exists()
