"""Every command tonghop suggests runs as printed: doctor's fixes, error messages, the demo's
"run it:" line and the README's examples. Each is copied out of real output and run for real."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("tonghop")
# A command in backticks, or one that runs to the end of its line.
_QUOTED = re.compile(r"`(tonghop [^`]+)`")
_TRAILING = re.compile(
    r"(?:^|: )(tonghop (?:sync|check|template|demo|doctor|remind|provision)\b[^`\n]*)$", re.M
)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``tonghop …`` as a person would type it (stdout not a terminal)."""
    assert command[0] == "tonghop", command
    head = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "jobs"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TONGHOP_CONFIG", None)
    return subprocess.run([*head, *command[1:]], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600)  # fmt: skip


def suggested(text: str) -> list[list[str]]:
    found = [m.group(1) for m in _QUOTED.finditer(text)]
    found += [m.group(1) for m in _TRAILING.finditer(text) if "`" not in m.group(1)]
    return [shlex.split(command.strip().rstrip(".")) for command in dict.fromkeys(found)]


def assert_ran(res: subprocess.CompletedProcess[str], command: list[str]) -> None:
    assert "Traceback" not in res.stderr, (command, res.stderr)
    assert res.returncode in (0, 1), (command, res.returncode, res.stderr)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A demo district (with an invalid unit), and what `tonghop demo` printed."""
    folder = tmp_path_factory.mktemp("suggested") / "demo"
    res = run(["tonghop", "demo", "--dir", str(folder), "--units", "12"], cwd=folder.parent)
    assert res.returncode == 0, res.stderr
    return folder, res.stderr


def test_the_demo_run_it_line_runs(demo: tuple[Path, str]) -> None:
    folder, printed = demo
    commands = suggested(printed)
    assert commands and commands[0][:2] == ["tonghop", "sync"]
    for command in commands:
        res = run(command, cwd=folder.parent)
        assert res.returncode == 0, res.stderr
        assert res.stdout == ""  # not a terminal: only the one log line, on stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_doctors_fixes_run(demo: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo
    res = run(["tonghop", "doctor", "--config", str(folder / "tonghop.toml")], cwd=tmp_path)
    assert "Kiểm tra" in res.stdout or "Đạt" in res.stdout
    commands = suggested(res.stdout)
    kinds = {command[1] for command in commands}
    assert {"template", "sync"} <= kinds, res.stdout
    for command in commands:
        assert_ran(run(command, cwd=tmp_path), command)
    assert list(tmp_path.glob("*.xlsx")), "the template command wrote the unit's file"


def test_error_messages_commands_run(demo: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo
    # No configuration here: the error says how to make one.
    res = run(["tonghop", "sync"], cwd=tmp_path)
    assert res.returncode == 2
    commands = suggested(res.stderr)
    assert commands, res.stderr
    for command in commands:
        assert_ran(run(command, cwd=tmp_path), command)
    # remind before any sync into that folder: the error names the sync to run.
    res = run(["tonghop", "remind", "--config", str(folder / "tonghop.toml"), "--out-dir",
               str(tmp_path / "elsewhere")], cwd=tmp_path)  # fmt: skip
    assert res.returncode == 2
    commands = suggested(res.stderr)
    assert [c[:2] for c in commands] == [["tonghop", "sync"]], res.stderr
    for command in commands:
        assert_ran(run(command, cwd=tmp_path), command)
    again = run(["tonghop", "remind", "--config", str(folder / "tonghop.toml"), "--out-dir",
                 str(tmp_path / "elsewhere")], cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text("utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith(".venv/bin/tonghop "):
                lines.append(line.removeprefix(".venv/bin/"))
    return lines


def test_readme_examples_run(demo: tuple[Path, str], tmp_path: Path) -> None:
    """The README's examples, run in a folder holding a district's tonghop.toml."""
    folder, _ = demo
    here = tmp_path / "district"
    shutil.copytree(folder, here)
    commands = readme_commands()
    assert len(commands) >= 4
    for line in commands:
        command = shlex.split(line)
        assert_ran(run(command, cwd=here), command)
