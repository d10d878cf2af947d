"""A sync killed (SIGKILL) or stopped (SIGTERM) while its workers read leaves no worker behind.

The sync is a real `tonghop sync` process over a demo district; its workers are found as its
child processes while they read, and must all be gone within 5 s of the signal.

The demo's 40 reports are read in about 0.3 s, too short a window to kill the sync in on a fast
machine (CI once saw both workers finish before the signal). So each report is also copied under
five more codes: 240 units keep the workers reading for more than a second.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from jobs.demo import make_demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("orphans") / "d"
    make_demo(folder, 40, seed=3, workers=1)
    roster = folder / "units.csv"
    with roster.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    copies = []
    for copy in range(1, 6):
        for row in rows:
            sheet = folder / "sheets" / row["sheet"]
            if not row["sheet"] or sheet.is_symlink() or not sheet.is_file():
                continue  # the demo's FIFO and link units stay single
            code = f"{row['code']}_{copy}"
            shutil.copyfile(sheet, folder / "sheets" / f"{code}.xlsx")
            copies.append({**row, "code": code, "sheet": f"{code}.xlsx"})
    with roster.open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=list(rows[0])).writerows(copies)
    return folder


def _alive(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_worker_outlives_the_sync(demo: Path, sig: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # A new day each time, so every unit is read again by the workers.
    day = 10 if sig == signal.SIGKILL else 11
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", "sync", "--config", str(demo / "tonghop.toml"),
         "--as-of", f"2023-03-{day}T09:00:00+07:00",],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    workers: list[int] = []
    try:
        sync = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = [c.pid for c in sync.children()]
            time.sleep(0.005)
        assert len(workers) >= 2, "the sync ended before its workers were seen"
        time.sleep(0.05)  # mid-read
        assert proc.poll() is None and len(_alive(workers)) >= 2
        proc.send_signal(sig)
        proc.wait(30)
        end = time.monotonic() + 5
        while _alive(workers) and time.monotonic() < end:
            time.sleep(0.05)
        assert _alive(workers) == [], f"workers left after {sig.name}"
        if sig == signal.SIGTERM:
            assert proc.returncode in (143, -signal.SIGTERM)
            assert b"Traceback" not in (proc.stderr.read() if proc.stderr else b"")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in _alive(workers):  # a failed run must not leave its orphans to the machine
            os.kill(pid, signal.SIGKILL)
