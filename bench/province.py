"""`python -m bench.province`: a province of ``--districts`` districts × ``--units`` units,
consolidated from the districts' outputs.

A few real demo districts of ``--units`` units are generated and synced (their out/ folders
are what a province reads); the province's district folders are copies of those outputs, each
with its own district code in status.json, so ``--districts`` × ``--units`` unit rows are read.
The province's sync then runs as `tonghop sync --config <province>` does, in a child process
(for its peak memory): once in full, then with nothing changed.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from jobs.commands.argparse_vi import ViArgumentParser
from jobs.config import load_config
from jobs.demo import DEMO_AS_OF, make_demo
from jobs.job import SyncOptions, run_sync
from jobs.province.demo import PROVINCE, entries_toml
from jobs.province.sync import run_province
from jobs.sources import make_source

from .sections import met, publish

GOALS = {"full_s": 10.0, "unchanged_s": 1.0, "memory_mib": 1024}


def _district(folder: Path, units: int, seed: int) -> Path:
    make_demo(folder, units, seed=seed)
    config = load_config(folder / "tonghop.toml", env={})
    run_sync(config, make_source(config), SyncOptions(as_of=datetime.fromisoformat(DEMO_AS_OF)))
    return folder / "out"


_RUN = (
    "import resource, sys; from jobs.commands.cli import main; code = main(sys.argv[1:]); "
    "sys.stderr.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); sys.exit(code)"
)


def _child(config: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MiB) of one `tonghop sync` of the province, run as
    its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    args = ["sync", "--config", str(config), "--as-of", DEMO_AS_OF]
    done = subprocess.run([sys.executable, "-c", _RUN, *args], check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, int(done.stderr.strip().splitlines()[-1]) / 1024


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of ``fn()``."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    p = ViArgumentParser(
        prog="python -m bench.province",
        description="Đo thời gian và bộ nhớ khi tỉnh tổng hợp từ kết quả của các huyện: một "
        "lần đủ, rồi một lần không có gì thay đổi.",
    )
    p.add_argument("--districts", type=int, default=50, metavar="SỐ",
                   help="số huyện của tỉnh (mặc định: 50)")  # fmt: skip
    p.add_argument("--units", type=int, default=200, metavar="SỐ",
                   help="số đơn vị của mỗi huyện (mặc định: 200)")  # fmt: skip
    p.add_argument("--sources", type=int, default=2, metavar="SỐ",
                   help="số huyện mẫu thật được tạo; các huyện còn lại chép từ đó (mặc định: 2)")  # fmt: skip
    p.add_argument("--out", type=Path, default=Path("bench/RESULTS.md"), metavar="TỆP",
                   help="tệp ghi kết quả (mặc định: bench/RESULTS.md)")  # fmt: skip
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tonghop-bench-province-") as tmp:
        root = Path(tmp)
        sources = [_district(root / f"src{i}", args.units, 100 + i) for i in range(args.sources)]
        rows = []
        csv_bytes = 0
        for n in range(args.districts):
            code = f"HUYEN_{n + 1:02d}"
            out = root / "districts" / code / "out"
            out.mkdir(parents=True)
            source = sources[n % len(sources)]
            shutil.copy2(source / "values.csv", out / "values.csv")
            doc = json.loads((source / "status.json").read_text("utf-8"))
            doc["district"] = {"code": code, "name": f"Huyện {n + 1}"}
            (out / "status.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
            csv_bytes += (out / "values.csv").stat().st_size
            rows.append((code, f"Huyện {n + 1}", f"../districts/{code}/out"))
        province = root / "tinh"
        province.mkdir()
        config = province / "tonghop.toml"
        config.write_text(PROVINCE.format(entries=entries_toml(rows)), "utf-8")
        child = _child(config)  # the command as cron runs it: startup, imports, memory
        shutil.rmtree(province / "out")
        cfg = load_config(config, env={})
        as_of = datetime.fromisoformat(DEMO_AS_OF)
        full = _timed(lambda: run_province(cfg, as_of))
        same = _timed(lambda: run_province(cfg, as_of))
        status = json.loads((province / "out" / "status.json").read_text("utf-8"))
        unit_rows = status["counts"]["expected"]
        used = sum(1 for d in status["districts"] if d["status"] == "ok")

    lines = [
        f"- when: {datetime.now().isoformat(timespec='seconds')}; command: "
        f"`python -m bench.province --districts {args.districts} --units {args.units}`",
        f"- {args.districts} districts ({used} read as usable), {unit_rows:,} unit rows; the "
        f"districts' values.csv total {csv_bytes / 2**20:.0f} MiB (every value, texts included)",
        "",
        "| province sync | wall s | CPU s | peak RSS MiB | goal | met |",
        "|---|---|---|---|---|---|",
        f"| full: every district's outputs read, all outputs written (in process) | {full[0]:.2f} | {full[1]:.2f} | | ≤ {GOALS['full_s']:.0f} s | {met(full[0] <= GOALS['full_s'])} |",
        f"| nothing changed (in process) | {same[0]:.2f} | {same[1]:.2f} | | ≤ {GOALS['unchanged_s']:.0f} s | {met(same[0] <= GOALS['unchanged_s'])} |",
        f"| full, as the command `tonghop sync --config <province>` (own process: start-up and imports included) | {child[0]:.2f} | {child[1]:.2f} | {child[2]:.0f} | ≤ {GOALS['memory_mib']} MiB | {met(child[2] <= GOALS['memory_mib'])} |",
        "",
        "Wall time on a shared machine depends on its load; CPU time is what the sync itself "
        "used. Peak RSS is the sync process's own.",
        "",
    ]
    return publish(args.out, "Province: districts consolidated from their outputs", lines)


if __name__ == "__main__":
    sys.exit(main())
