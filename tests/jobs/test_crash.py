"""A sync killed (SIGKILL) at any point: the next run leaves every output agreeing.

The sync runs in a real child process that kills itself from an audit hook, just before the
N-th rename into the output folder or just after the N-th temporary file is opened: no function
of ours is replaced. The next run, in-process, must leave the workbook, the CSV files and
status.json showing the same generation as a clean run over the same state.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from sheets_schema import Schema
from tests.jobs.district import District

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
from jobs.config import load_config
from jobs.job import SyncOptions, run_sync
from sync.excel import ExcelFolderSource

root, as_of, event, n = Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]), sys.argv[3], int(sys.argv[4])
out = str(root / "out")
seen = 0
armed = False

def hook(name, args):
    global seen, armed
    if armed:
        signal.raise_signal(signal.SIGKILL)
    if event == "rename" and name == "os.rename" and str(args[1]).startswith(out):
        seen += 1
        if seen == n:
            signal.raise_signal(signal.SIGKILL)  # before the n-th rename
    if event == "open" and name == "open" and str(args[0]).startswith(out) \\
            and str(args[0]).endswith(".tmp"):
        seen += 1
        armed = seen == n  # killed at the next event: the temporary file exists, maybe empty

config = load_config(root / "tonghop.toml", env={})
sys.addaudithook(hook)
run_sync(config, ExcelFolderSource(config.source.folder), SyncOptions(as_of=as_of))
"""


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 3, 21, hour, minute, tzinfo=VN)


def _killed_sync(root: Path, as_of: datetime, event: str, n: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(root), as_of.isoformat(), event,
                           str(n)], env=env, cwd=root, capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode in (0, -signal.SIGKILL), done.stderr.decode()
    return done.returncode


def _workbook_statuses(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path, read_only=True)["Tình trạng"]
    rows = list(ws.iter_rows(values_only=True))
    # The full table is the last one headed "Mã đơn vị" (the call list sits above it).
    top = max(i for i, row in enumerate(rows) if row and "Mã đơn vị" in row)
    header = rows[top]
    code, status = header.index("Mã đơn vị"), header.index("Tình trạng")
    return {
        str(row[code]): str(row[status])
        for row in rows[top + 1 :]
        if len(row) > status and isinstance(row[code], str) and row[code].startswith("XA_")
    }


def _json_statuses(path: Path) -> dict[str, str]:
    doc = json.loads(path.read_text("utf-8"))
    return {u["code"]: u["status_label"] for u in doc["units"]}


def assert_one_generation(district: District, as_of: datetime) -> None:
    """The outputs agree with each other and with a clean run over the same state."""
    out = district.root / "out"
    reference = district.root / "reference"
    district.sync(as_of, out_dir=reference)
    assert _workbook_statuses(out / "tong-hop.xlsx") == _json_statuses(out / "status.json")
    assert _json_statuses(out / "status.json") == _json_statuses(reference / "status.json")
    assert _workbook_statuses(out / "tong-hop.xlsx") == _workbook_statuses(
        reference / "tong-hop.xlsx"
    )
    for name in ("values.csv", "findings.csv"):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    leftovers = [p.name for p in out.rglob("*.tmp")]
    assert leftovers == []


def _first_run(district: District) -> District:
    """Run 1: both units read, XA_A submitted on time."""
    district.add("XA_A")
    district.add("XA_B")
    district.save("XA_A", district.values("XA_A"), datetime(2023, 3, 20, 9, tzinfo=VN))
    district.save("XA_B", district.values("XA_B", tt_xac_nhan=None), at(8))
    district.sync(at(9))
    return district


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, schema: Schema) -> District:
    return _first_run(District(tmp_path_factory.mktemp("crash") / "district", schema))


def _copy(base: District, tmp_path: Path) -> District:
    root = tmp_path / "district"
    shutil.copytree(base.root, root, symlinks=True)
    return District(root, base.schema, list(base.units))


def test_a_run_killed_after_the_workbook_does_not_leave_it_stale(
    schema: Schema, tmp_path: Path
) -> None:
    """The reported sequence: on time → (file gone: unreachable, run killed after the workbook
    and status.json were replaced) → file back: the workbook must not keep "unreachable"."""
    # Built in place, not copied: the links, and so the fingerprint, name the folder.
    district = _first_run(District(tmp_path / "district", schema))
    sheet = district.root / "sheets" / "XA_A.xlsx"
    aside = district.root / "XA_A.xlsx"
    shutil.move(sheet, aside)
    # Renames: the archived workbook, draft and annex, then the workbook itself; kill before the
    # fifth.
    assert _killed_sync(district.root, at(10), "rename", 5) == -signal.SIGKILL
    out = district.root / "out"
    assert "Không truy cập được" in _workbook_statuses(out / "tong-hop.xlsx")["XA_A"]
    shutil.move(aside, sheet)
    result = district.sync(at(11))
    assert district.status(result, "XA_A") == "on_time"
    assert _workbook_statuses(out / "tong-hop.xlsx")["XA_A"] == "Đúng hạn"
    assert_one_generation(district, at(11))


@pytest.mark.parametrize(
    ("event", "n"), [("rename", n) for n in range(1, 11)] + [("open", n) for n in range(1, 11)]
)
def test_killed_anywhere_the_next_run_writes_one_generation(
    base: District, tmp_path: Path, event: str, n: int
) -> None:
    district = _copy(base, tmp_path)
    district.save("XA_B", district.values("XA_B"), at(9, 30))  # XA_B signs off
    _killed_sync(district.root, at(10), event, n)
    district.sync(at(10, 30))
    assert_one_generation(district, at(10, 30))
