"""Measure each hostile-file class: `tonghop check` and a demo-district sync with the file in
place, wall time and peak memory of all processes (the job and its workers, summed, sampled
every 20 ms from /proc). Run: `.venv/bin/python -m bench.hostile` (Linux)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.hostile_files import BUILDERS, write_hostile

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2023-03-25T09:00:00+07:00"
UNIT = "XA_VINH_HUNG"


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(args: list[str]) -> tuple[int, float, int]:
    """Exit code, seconds, peak summed RSS of the process tree in bytes."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TONGHOP_CONFIG", None)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "jobs", *args], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.02)
    return proc.returncode, time.monotonic() - start, peak


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        subprocess.run([sys.executable, "-m", "jobs", "demo", "--dir", str(demo), "--units", "30",
                        "--seed", "7"], cwd=REPO, check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
        good = (demo / "sheets" / f"{UNIT}.xlsx").read_bytes()
        print("| class | check: exit, s, peak MiB | sync (30 units): exit, s, peak MiB | unit |")
        print("|---|---|---|---|")
        for kind in ["clean", *BUILDERS]:
            d = Path(tmp) / kind
            shutil.copytree(demo, d, symlinks=True)
            target = d / "sheets" / f"{UNIT}.xlsx"
            if kind != "clean":
                saved = target.stat()
                write_hostile(kind, target, good)
                if target.is_file() and not target.is_symlink():  # same saving time as clean
                    os.utime(target, ns=(saved.st_atime_ns, saved.st_mtime_ns))
            c = measure(["check", str(target)])
            s = measure(["sync", "--config", str(d / "tonghop.toml"), "--as-of", AS_OF])
            status = json.loads((d / "out" / "status.json").read_text("utf-8"))
            units = status.get("units", status)
            unit = (
                next((u for u in units if u.get("code") == UNIT), {})
                if isinstance(units, list)
                else {}
            )
            print(f"| {kind} | {c[0]}, {c[1]:.2f}, {c[2] / 2**20:.0f} "
                  f"| {s[0]}, {s[1]:.2f}, {s[2] / 2**20:.0f} | {unit.get('status', '?')} |",
                  flush=True)  # fmt: skip
            shutil.rmtree(d)


if __name__ == "__main__":
    main()
