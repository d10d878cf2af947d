"""`make bench`: speed and memory of the sync, as ratios against a baseline run in the same session.

The baseline is what a person would write by hand: ``pandas.read_excel(f, sheet_name=None)``
over every unit file. Figures go to ``bench/RESULTS.md`` with the machine and the command.
"""

from __future__ import annotations

import io
import platform
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd

from sheets_schema import ParseContext, load_schema, parse_report
from sync.excel import ExcelFolderSource, read_xlsx

from ..config import load_config
from ..demo import DEMO_AS_OF, make_demo
from ..job import SyncOptions, SyncResult, run_sync
from ..limits import peak_rss_mib
from ..outputs.annex import ANNEX, annex_bytes
from ..outputs.draft import DRAFT, draft_bytes
from .argparse_vi import ViArgumentParser

GOALS = {"full": 0.5, "unchanged": 0.05, "memory_mib": 1024}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_ms(fn: Callable[[], object], repeat: int = 30) -> float:
    return statistics.median(timed(fn) for _ in range(repeat)) * 1000


def baseline(files: list[Path]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files:
            pd.read_excel(f, sheet_name=None, engine="openpyxl")


def readers(sample: Path) -> dict[str, float]:
    """Median time to read (and for ours, parse) one filled report with each reader."""
    import python_calamine

    data = sample.read_bytes()
    schema = load_schema()
    ctx = ParseContext()
    raw = read_xlsx(data)

    def calamine() -> None:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "ours, openpyxl reader: read_xlsx(engine='openpyxl') + parse_report": median_ms(
                lambda: parse_report(schema, read_xlsx(data, engine="openpyxl"), ctx)
            ),
            "ours, fast reader (calamine values + workbook.xml names) + parse_report": median_ms(
                lambda: parse_report(schema, read_xlsx(data, engine="calamine"), ctx)
            ),
            "parse_report alone (cells already read)": median_ms(
                lambda: parse_report(schema, raw, ctx)
            ),
            "python-calamine alone: values of every sheet, no names, no formats": median_ms(
                calamine
            ),
            "baseline pandas.read_excel(sheet_name=None), openpyxl engine": median_ms(
                lambda: pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl")
            ),
        }


def google_calls(units: int) -> list[str]:
    """Sheets and Drive calls per sync for a district on the local fake of Google's APIs."""
    try:
        from tests.fake_google import FakeGoogle
    except ImportError:
        return ["(the Google call counts need the repository's tests/ folder)"]
    import csv as csv_mod
    from datetime import UTC

    from sync.google import GoogleSource
    from sync.http import build_client

    with tempfile.TemporaryDirectory(prefix="tonghop-bench-g-") as tmp, FakeGoogle() as fake:
        folder = Path(tmp) / "demo"
        make_demo(folder, units, seed=2024)
        rows = list(csv_mod.DictReader((folder / "units.csv").open(encoding="utf-8")))
        keys = {}
        for row in rows:
            path = folder / "sheets" / row["sheet"]
            if path.exists():
                mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                keys[row["code"]] = fake.add_spreadsheet(
                    path, title=row["code"], modified_time=mtime
                )
                row["sheet"] = keys[row["code"]]
            else:
                row["sheet"] = ""
        with (folder / "units.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv_mod.DictWriter(fh, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        text = (
            (folder / "tonghop.toml")
            .read_text("utf-8")
            .replace('kind = "excel"', 'kind = "google"')
        )
        (folder / "tonghop.toml").write_text(text, "utf-8")
        config = load_config(folder / "tonghop.toml", env={"TONGHOP_GOOGLE_API_URL": fake.url})
        client = build_client(base_url=fake.url, reads_per_minute=None)
        as_of = datetime.fromisoformat(DEMO_AS_OF)

        def run() -> tuple[int, int]:
            fake.reset_log()
            run_sync(config, GoogleSource(client), SyncOptions(as_of=as_of))
            return fake.count(api="sheets"), fake.count(api="drive")

        first, same = run(), run()
        edited = 0
        for code in sorted(keys):
            if edited == max(1, units // 20):
                break
            try:
                fake.edit(keys[code], "tt_chuc_vu", "Bí thư Chi bộ")
            except Exception:
                continue
            edited += 1
        some = run()
        fake.reset_log()
        for key in keys.values():  # what a straightforward gspread script does
            sheet = client.open_by_key(key)
            for ws in sheet.worksheets():
                ws.get_all_values()
        naive = (fake.count(api="sheets"), fake.count(api="drive"))
    n = len(keys)
    return [
        f"Google API calls per sync, {units}-unit demo district ({n} with a sheet) on the local fake "
        "(`tests/fake_google`), no status sheet:",
        "",
        "| run | Sheets calls | Drive calls |",
        "|---|---|---|",
        f"| first run | {first[0]} | {first[1]} |",
        f"| nothing changed | {same[0]} | {same[1]} |",
        f"| 5% of units changed ({max(1, units // 20)} edited) | {some[0]} | {some[1]} |",
        f"| straightforward gspread script (`open_by_key`, then `get_all_values` per tab), every run | {naive[0]} | {naive[1]} |",
        "",
        "Drive calls: one listing per run, plus one `files.get` (modifiedTime, version) after each "
        "Sheets read, for a unit edited between the listing and its read (Drive quota, not Sheets).",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    p = ViArgumentParser(
        prog="python -m jobs.commands.bench",
        description="Đo tốc độ và bộ nhớ của lệnh sync trên một huyện mẫu, so với cách đọc tay "
        "bằng pandas trong cùng lần đo; kết quả ghi vào bench/RESULTS.md (lệnh make bench).",
    )
    p.add_argument("--units", type=int, default=1000, metavar="SỐ",
                   help="số đơn vị của huyện mẫu (mặc định: 1000)")  # fmt: skip
    p.add_argument("--out", type=Path, default=Path("bench/RESULTS.md"), metavar="TỆP",
                   help="tệp ghi kết quả (mặc định: bench/RESULTS.md)")  # fmt: skip
    p.add_argument("--google-units", type=int, default=200, metavar="SỐ",
                   help="số bảng tính đọc qua Google giả lập (mặc định: 200)")  # fmt: skip
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tonghop-bench-") as tmp:
        folder = Path(tmp) / "demo"
        t_demo = timed(lambda: make_demo(folder, args.units, seed=2023))
        config = load_config(folder / "tonghop.toml", env={})
        assert config.source.folder is not None
        source = ExcelFolderSource(config.source.folder)
        files = sorted(config.source.folder.glob("*.xlsx"))
        as_of = datetime.fromisoformat(DEMO_AS_OF)
        rss_before = peak_rss_mib()
        synced: list[SyncResult] = []
        t_full = timed(lambda: synced.append(run_sync(config, source, SyncOptions(as_of=as_of))))
        rss_self = peak_rss_mib()
        rss_child = peak_rss_mib(children=True)
        t_same = timed(lambda: run_sync(config, source, SyncOptions(as_of=as_of)))
        # The Word draft and its annex are written inside the full sync; time them again alone
        # for their share (best of 3: the first pays for importing scikit-learn).
        schema = load_schema(config.report.schema)
        result = synced[0]
        t_draft = min(
            timed(lambda: draft_bytes(schema, result.outcomes, result.run)) for _ in range(3)
        )
        t_annex = min(
            timed(lambda: annex_bytes(schema, result.outcomes, result.run)) for _ in range(3)
        )
        draft_size = len(draft_bytes(schema, result.outcomes, result.run))
        annex_size = len(annex_bytes(schema, result.outcomes, result.run))
        t_base = timed(lambda: baseline(files))
        per_report = readers(next(f for f in files if f.stat().st_size > 15_000))

    full, same = t_full / t_base, t_same / t_base
    peak = max(rss_self, rss_child)
    lines = [
        "# Benchmark results",
        "",
        f"- when: {datetime.now().isoformat(timespec='seconds')}",
        f"- machine: {platform.machine()}, {platform.processor() or 'cpu'} × {_cpus()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- command: `make bench` (`python -m jobs.commands.bench --units {args.units}`)",
        f"- district: {args.units} demo units ({len(files)} files; generated in {t_demo:.1f} s)",
        "",
        "| measure | seconds | ratio to baseline | goal | met |",
        "|---|---|---|---|---|",
        f"| baseline: `pandas.read_excel(f, sheet_name=None)` over every file | {t_base:.2f} | 1.00 | | |",
        f"| full sync (every unit read, parsed, state and all outputs written) | {t_full:.2f} | {full:.3f} | ≤ {GOALS['full']} | {_ok(full <= GOALS['full'])} |",
        f"| sync with nothing changed | {t_same:.2f} | {same:.3f} | ≤ {GOALS['unchanged']} | {_ok(same <= GOALS['unchanged'])} |",
        "",
        f"The Word draft (`{DRAFT}`, {draft_size / 1e6:.1f} MB) takes {t_draft:.2f} s to render "
        f"and its annex (`{ANNEX}`, {annex_size / 1e6:.1f} MB) {t_annex:.2f} s (best of 3, "
        f"alone, same session): both {(t_draft + t_annex) / t_full:.1%} of the full sync "
        f"(goal ≤ 15%: {_ok((t_draft + t_annex) / t_full <= 0.15)}).",
        "",
        f"Peak memory (max RSS): main process {rss_self:.0f} MiB (it was {rss_before:.0f} MiB before the "
        f"sync, after generating the demo), largest parsing worker {rss_child:.0f} MiB; goal under "
        f"{GOALS['memory_mib']} MiB: {_ok(peak < GOALS['memory_mib'])}.",
        "",
        "Median time for one filled report (30 runs each):",
        "",
        "| reader | ms |",
        "|---|---|",
        *[f"| {name} | {ms:.1f} |" for name, ms in per_report.items()],
        "",
    ]
    lines += google_calls(args.google_units)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), "utf-8")
    print("\n".join(lines))
    return 0


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def _ok(flag: bool) -> str:
    return "yes" if flag else "no"


if __name__ == "__main__":
    sys.exit(main())
