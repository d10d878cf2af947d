"""`python -m bench.history`: what the field history costs, and how big the state grows.

A demo district of ``--units`` units is synced once in full; then, ``--runs`` times, a share
of the units (``--share``, 5 % by default) each change two figures in their file and the
district syncs again. The time spent in the history's own code (recording the changes, reading
them back, drawing the "Lịch sử thay đổi" sheet) is measured inside those syncs, by timing
those three functions, and compared with the whole sync. The state's size is reported at the
end: the SQLite file and its parts, and the raw snapshots beside it.

Files are edited in their XML (a number cell rewritten in place), as a person saving the
workbook would change it, without the cost of rendering a workbook per edit.
"""

from __future__ import annotations

import html
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jobs.history
import jobs.outputs.workbook
from jobs.commands.argparse_vi import ViArgumentParser
from jobs.config import load_config
from jobs.demo import DEMO_AS_OF, make_demo
from jobs.job import SyncOptions, run_sync
from sheets_schema import load_schema
from sync.excel import ExcelFolderSource, read_xlsx

from .sections import met, publish

EDITED = ("tt_so_chi_bo", "tt_so_dang_vien")


class Clock:
    """Seconds spent inside the wrapped functions since the last reset."""

    def __init__(self) -> None:
        self.spent = 0.0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - start

        return timed


def _cells(sample: Path) -> dict[str, tuple[str, str]]:
    """field id → (tab title, A1 cell) of the edited fields, from one unit file."""
    schema = load_schema()
    raw = read_xlsx(sample.read_bytes(), shapes=schema.shapes)
    from sheets_schema.findings import a1

    return {f: (raw.blocks[f].sheet, a1(raw.blocks[f].row, raw.blocks[f].col)) for f in EDITED}


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """tab title → its worksheet part, from workbook.xml and its relationships."""
    book = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel.group(0))
        target = re.search(r'Target="([^"]+)"', rel.group(0))
        if rid and target:
            targets[rid.group(1)] = target.group(1).lstrip("/").removeprefix("xl/")
    out = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", book):
        name = re.search(r'name="([^"]+)"', sheet.group(0))
        rid = re.search(r'r:id="([^"]+)"', sheet.group(0))
        if name and rid and rid.group(1) in targets:
            out[html.unescape(name.group(1))] = "xl/" + targets[rid.group(1)]
    return out


def _edit(path: Path, cells: dict[str, tuple[str, str]], value: int, at: datetime) -> bool:
    """Write ``value`` into the edited cells of ``path``; False when a cell is not there."""
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    sheets = _sheet_parts(parts)
    for tab, cell in cells.values():
        part = sheets.get(tab)
        if part is None or part not in parts:
            return False
        xml = parts[part].decode("utf-8")
        pattern = re.compile(rf'<c r="{cell}"([^>]*?)(/>|>.*?</c>)', re.S)
        match = pattern.search(xml)
        if match is None:
            return False
        attrs = re.sub(r'\s+t="[^"]*"', "", match.group(1))
        xml = xml[: match.start()] + f'<c r="{cell}"{attrs}><v>{value}</v></c>' + xml[match.end() :]
        parts[part] = xml.encode("utf-8")
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    os.replace(tmp, path)
    os.utime(path, (at.timestamp(), at.timestamp()))
    return True


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _state_bytes(state: Path) -> tuple[int, int]:
    """(the SQLite file with its -wal, the snapshots folder) in bytes."""
    db = sum(f.stat().st_size for f in state.parent.glob(state.name + "*") if f.is_file())
    return db, _size(state.parent / "snapshots")


def _table_bytes(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        rows = []
    finally:
        con.close()
    return {name: int(size) for name, size in rows}


def main(argv: list[str] | None = None) -> int:
    p = ViArgumentParser(
        prog="python -m bench.history",
        description="Đo chi phí của lịch sử thay đổi và dung lượng trạng thái: một huyện mẫu "
        "đồng bộ đủ một lần, rồi nhiều lần, mỗi lần một phần đơn vị sửa hai số liệu.",
    )
    p.add_argument("--units", type=int, default=1000, metavar="SỐ",
                   help="số đơn vị của huyện mẫu (mặc định: 1000)")  # fmt: skip
    p.add_argument("--runs", type=int, default=100, metavar="SỐ",
                   help="số lần đồng bộ sau lần đầu (mặc định: 100)")  # fmt: skip
    p.add_argument("--share", type=float, default=0.05, metavar="TỶ_LỆ",
                   help="phần đơn vị sửa số liệu mỗi lần, từ 0 đến 1 (mặc định: 0.05)")  # fmt: skip
    p.add_argument("--out", type=Path, default=Path("bench/RESULTS.md"), metavar="TỆP",
                   help="tệp ghi kết quả (mặc định: bench/RESULTS.md)")  # fmt: skip
    p.add_argument("--minutes", type=float, default=0, metavar="PHÚT",
                   help="dừng các lần đồng bộ sau chừng ấy phút (mặc định: không giới hạn)")  # fmt: skip
    args = p.parse_args(argv)

    clock = Clock()
    jobs.history.record = clock.wrap(jobs.history.record)  # type: ignore[method-assign]
    jobs.history.changes_after_submission = clock.wrap(jobs.history.changes_after_submission)  # type: ignore[method-assign]
    jobs.outputs.workbook.write_history = clock.wrap(jobs.outputs.workbook.write_history)  # type: ignore[attr-defined]

    rng = random.Random(18)
    with tempfile.TemporaryDirectory(prefix="tonghop-bench-history-") as tmp:
        folder = Path(tmp) / "demo"
        make_demo(folder, args.units, seed=2023)
        config = load_config(folder / "tonghop.toml", env={})
        assert config.source.folder is not None
        source = ExcelFolderSource(config.source.folder)
        files = sorted(config.source.folder.glob("*.xlsx"))
        cells = _cells(next(f for f in files if f.stat().st_size > 15_000))
        as_of = datetime.fromisoformat(DEMO_AS_OF)

        def sync(when: datetime) -> tuple[float, float]:
            clock.spent = 0.0
            start = time.perf_counter()
            run_sync(config, source, SyncOptions(as_of=when))
            return time.perf_counter() - start, clock.spent

        full, full_history = sync(as_of)
        print(f"full sync: {full:.2f} s, history {full_history:.3f} s", flush=True)
        sizes0 = _state_bytes(config.output.state)
        changed_runs: list[tuple[float, float]] = []
        editable = list(files)
        edits = 0
        deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
        for run in range(1, args.runs + 1):
            if deadline is not None and time.monotonic() > deadline:
                break  # out of time: report the runs done, and the growth per run
            when = as_of + timedelta(hours=run)
            for path in rng.sample(editable, max(1, round(args.units * args.share))):
                if _edit(path, cells, 1000 + run, when - timedelta(minutes=5)):
                    edits += 1
                else:
                    editable.remove(path)  # not a template file: never edited again
            changed_runs.append(sync(when))
            took, spent = changed_runs[-1]
            print(f"run {run}: {took:.2f} s, history {spent:.3f} s", flush=True)
        state_file = config.output.state
        db_bytes, snapshots = _state_bytes(state_file)
        tables = _table_bytes(state_file)
        con = sqlite3.connect(state_file)
        changes = con.execute("SELECT COUNT(*) FROM field_changes").fetchone()[0]
        con.close()

    done = len(changed_runs)
    per_run_db = (db_bytes - sizes0[0]) / done if done else 0.0
    per_run_snap = (snapshots - sizes0[1]) / done if done else 0.0
    full_share = full_history / full
    last = changed_runs[-10:] or [(1.0, 0.0)]
    changed_time = sum(t for t, _ in last) / len(last)
    changed_share = sum(h for _, h in last) / sum(t for t, _ in last)
    worst = max((h / t for t, h in changed_runs), default=0.0)
    mib = 1024 * 1024
    lines = [
        f"- when: {datetime.now().isoformat(timespec='seconds')}; command: "
        f"`python -m bench.history --units {args.units} --runs {args.runs} --share {args.share}`",
        f"- {args.units} demo units ({len(files)} files); full sync, then {args.runs} syncs each "
        f"after {args.share:.0%} of the units changed two figures ({edits} file edits in all)",
        "",
        "| measure | value | goal | met |",
        "|---|---|---|---|",
        f"| full sync | {full:.2f} s | | |",
        f"| history's share of the full sync | {full_share:.1%} | ≤ 10% | {met(full_share <= 0.10)} |",
        f"| sync with {args.share:.0%} changed (mean of the last 10) | {changed_time:.2f} s | | |",
        f"| history's share of those syncs | {changed_share:.1%} | ≤ 20% | {met(changed_share <= 0.20)} |",
        f"| history's share, worst of the runs done | {worst:.1%} | | |",
        f"| field changes kept | {changes:,} rows | | |",
        f"| runs done (of {args.runs} asked) | {done} | | |",
        f"| state database (SQLite, with -wal) after them | {db_bytes / mib:.1f} MiB | | |",
        f"| — growth per run / after {args.runs} runs (linear) | {per_run_db / mib:.2f} MiB / {(sizes0[0] + per_run_db * args.runs) / mib:.1f} MiB | | |",
        *[
            f"| — table {name} | {size / mib:.1f} MiB | | |"
            for name, size in sorted(tables.items(), key=lambda kv: -kv[1])[:6]
        ],
        f"| raw snapshots beside it (every version read) | {snapshots / mib:.1f} MiB | | |",
        f"| — growth per run / after {args.runs} runs (linear) | {per_run_snap / mib:.2f} MiB / {(sizes0[1] + per_run_snap * args.runs) / mib:.1f} MiB | | |",
        "",
        "The history's time is measured inside the syncs: `jobs.history.record` (compare a "
        "changed unit with its previous parse, store the changed values), "
        "`changes_after_submission` (read them back for the workbook) and the sheet's writer.",
        "",
    ]
    return publish(args.out, "Field history: cost and state size", lines)


if __name__ == "__main__":
    sys.exit(main())
