"""The job where `resource` and `fcntl` do not exist, as on Windows.

A fresh interpreter installs an import blocker for those two modules before anything of ours is
imported, then runs the real commands: nothing of ours is patched, the code has to take its
portable route (filelock's soft lock, psutil's RSS watchdog for the memory limit). Only psutil,
whose Linux backend needs `resource`, is loaded before the blocker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.jobs.test_cli import REPO

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys

    # psutil's Linux backend uses `resource` itself (its Windows one does not): load it first,
    # then take `resource` out of sys.modules so that our own imports of it fail.
    import psutil

    class NoPosixOnly(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name in ("resource", "fcntl"):
                raise ImportError(f"No module named {name!r} (blocked: as on Windows)")
            return None

    for name in ("resource", "fcntl"):
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, NoPosixOnly())
    """
)


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code), *args],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip


def test_sync_runs_without_resource_and_fcntl(tmp_path: Path) -> None:
    res = _python(
        """
        import sys
        from jobs.commands.cli import main
        assert main(["demo", "--dir", sys.argv[1], "--units", "5"]) == 0
        code = main(["sync", "--config", sys.argv[1] + "/tonghop.toml",
                     "--as-of", "2023-03-25T09:00:00+07:00"])
        for name in ("resource", "fcntl"):
            assert name not in sys.modules, name
        sys.exit(code)
        """,
        str(tmp_path),
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    status = json.loads((tmp_path / "out" / "status.json").read_text(encoding="utf-8"))
    assert status["counts"]["expected"] == 5
    # The units were read in workers and have real statuses, not "the reader died".
    assert {u["status"] for u in status["units"]} - {"invalid", "unreachable"}


def test_memory_limit_without_resource_is_the_rss_watchdog() -> None:
    res = _python(
        """
        import time
        from jobs import limits
        from jobs.isolation import Failure, Isolated

        def hog(n):
            if n == 0:
                return "small"
            chunks = []
            for _ in range(60):  # up to 600 MB, written so it is resident
                chunks.append(b"x" * (10 * 1024 * 1024))
                time.sleep(0.005)
            return "not stopped"

        print(limits.mechanism())
        out = Isolated(hog, [0, 1], workers=1, memory_mb=60, seconds=60).run()
        print(out[0])
        assert isinstance(out[1], Failure), out[1]
        print(out[1].message_vi)
        """
    )
    assert res.returncode == 0, res.stderr
    mechanism, first, failure = res.stdout.strip().splitlines()
    assert "psutil" in mechanism and "RLIMIT_AS" not in mechanism
    assert first == "small"
    assert "vượt giới hạn bộ nhớ 60 MiB" in failure


def test_memory_limit_on_linux_is_rlimit() -> None:
    from jobs import limits

    if sys.platform == "linux":
        assert "RLIMIT_AS" in limits.mechanism()


def test_output_redirected_in_a_windows_code_page_stays_vietnamese(tmp_path: Path) -> None:
    """Windows hands a redirected stream (the Task Scheduler's `>> file`) its ANSI code page."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "cp1252"}
    env.pop("TONGHOP_CONFIG", None)
    for argv in (["demo", "--dir", str(tmp_path), "--units", "3"],
                 ["sync", "--config", str(tmp_path / "tonghop.toml"), "--as-of", "2023-03-25T09:00:00+07:00"],
                 ["doctor", "--config", str(tmp_path / "tonghop.toml")]):  # fmt: skip
        res = subprocess.run([sys.executable, "-m", "jobs", *argv], capture_output=True,
                             env=env, timeout=600)  # fmt: skip
        assert res.returncode == 0, res.stderr
        out = (res.stdout + res.stderr).decode("utf-8")  # raises if it is not UTF-8
        assert "Traceback" not in out and "\\u" not in out
    assert "Đúng hạn" in res.stdout.decode("utf-8") or "Đạt" in res.stdout.decode("utf-8")


def test_workers_started_by_spawn_give_the_outputs_fork_gives(tmp_path: Path) -> None:
    """Windows has no fork: its workers are spawned, so the reader's function and jobs are
    pickled into a fresh interpreter instead of inherited. Hiding fork from multiprocessing (as
    the blocker hides `resource`; nothing of ours is patched) makes the job take that route; its
    outputs must be byte for byte those of the forked workers."""
    script = """
        import multiprocessing, sys
        if sys.argv[2] == "spawn":
            multiprocessing.get_all_start_methods = lambda: ["spawn"]
        from jobs.commands.cli import main
        from jobs.limits import worker_context
        print(worker_context().get_start_method())
        assert main(["demo", "--dir", sys.argv[1], "--units", "8"]) == 0
        sys.exit(main(["sync", "--config", sys.argv[1] + "/tonghop.toml",
                       "--as-of", "2023-03-25T09:00:00+07:00"]))
        """
    outputs = {}
    for method in ("fork", "spawn"):
        res = _python(script, str(tmp_path / method), method)
        assert res.returncode == 0, res.stderr
        assert res.stdout.split()[0] == method and "Traceback" not in res.stderr
        out = tmp_path / method / "out"
        status = json.loads((out / "status.json").read_text("utf-8"))
        outputs[method] = (
            (out / "values.csv").read_bytes(),
            (out / "findings.csv").read_bytes(),
            [(u["code"], u["status"], u["completeness"]) for u in status["units"]],
        )
    assert outputs["spawn"] == outputs["fork"]
    assert {s for _, s, _ in outputs["spawn"][2]} - {"invalid", "unreachable"}
