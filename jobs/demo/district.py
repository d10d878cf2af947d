"""`tonghop demo`: a demo district on disk — a config, a roster and filled unit workbooks.

The mix of units is seeded and realistic: most submit on time, some late, some are still
typing, some never start, one sends a file that is not the template, and several make the
mistakes real units make. File times are set around the March 2023 deadline.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl

from sheets_schema import FieldType, Schema, UnitInfo, load_schema, render_template

from .content import DemoUnit, demo_units, in_progress_report, valid_report
from .fill import fill_workbook
from .mistakes import MISTAKE_SEVERITY, MISTAKES

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = datetime(2023, 3, 23, tzinfo=TZ)
DEMO_AS_OF = "2023-03-25T09:00:00+07:00"

CONFIG = """\
# Huyện minh họa: mọi số liệu, tên người, số điện thoại đều giả định.
# Tệp do `tonghop demo` tạo. Đường dẫn trong tệp tính từ thư mục chứa tệp này.

[report]
schema = "midterm_2020_2025"
deadline = 2023-03-23          # "trước ngày 23/3/2023"
deadline_inclusive = false     # đúng hạn là trước 0 giờ ngày 23/3/2023, giờ Việt Nam
timezone = "Asia/Ho_Chi_Minh"
conference = 2023-04-10

[units]
registry = "units.csv"

[source]
kind = "excel"
folder = "sheets"

[output]
dir = "out"
state = "state/tonghop.sqlite"

[district]                     # cơ quan ban hành, ghi ở đầu bản dự thảo Word
name = "HUYỆN ỦY VĨNH LỢI"
parent = "ĐẢNG BỘ TỈNH BẠC LIÊU"
place = "Vĩnh Lợi"

[targets]                      # chỉ tiêu Nghị quyết của huyện (giả định cho bản minh họa)
tang_truong = 8.5              # %/năm
thu_nhap = 60.0                # triệu đồng/người/năm
thu_ngan_sach = 55000.0        # triệu đồng
san_luong_lua = 350000.0       # tấn/năm
san_luong_thuy_san = 32000.0   # tấn/năm
ho_ngheo = 2.0                 # %, càng thấp càng tốt
bhyt = 93.0                    # %
nuoc_sach = 99.0               # %
lao_dong_dao_tao = 70.0        # %
tieu_chi_ntm = 5               # xã đạt chuẩn nông thôn mới (19/19 tiêu chí)
giao_quan = 100.0              # %
ket_nap_dang_vien = 250        # đảng viên
chi_bo_htt = 85.0              # %
dang_vien_htt = 88.0           # %

[district_results]             # số liệu thống kê của huyện, kèm nguồn
tang_truong = { value = 8.9, source = "Chi cục Thống kê huyện, 3/2023 (số liệu minh họa)" }
"""


@dataclass(frozen=True)
class Plan:
    """What one demo unit does: its scenario, the mistake it makes, when it last saved."""

    unit: DemoUnit
    scenario: (
        str  # on_time · late · in_progress · not_started · errors · invalid · extended · closed
    )
    mistake: str | None
    saved_at: datetime | None


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    config: Path
    units: int
    scenarios: dict[str, int]


def plan_district(n: int | None, seed: int) -> list[Plan]:
    """Decide each unit's scenario, deterministically for ``seed``."""
    rng = Random(seed)
    units = demo_units(n if n is not None else 38, rng)
    count = len(units)
    shares = [("invalid", max(1, count // 40) if count >= 5 else 0), ("not_started", round(count * 0.08)),
              ("in_progress", round(count * 0.10)), ("late", round(count * 0.10)),
              ("errors", round(count * 0.10)), ("extended", 1 if count >= 10 else 0),
              ("closed", 1 if count >= 20 else 0)]  # fmt: skip
    scenarios: list[str] = []
    for name, k in shares:
        scenarios += [name] * k
    scenarios += ["on_time"] * (count - len(scenarios))
    # Keep the communes (first eight) among the on-time and late units mostly, as in life,
    # but shuffle everything else.
    head, tail = scenarios[: max(0, count - 8)], scenarios[max(0, count - 8) :]
    rng.shuffle(head)
    order = tail + head
    error_kinds = sorted(k for k, sev in MISTAKE_SEVERITY.items() if sev == "error")
    # bad_phone turned from an error into a warning when landlines became valid; it is not
    # planted, so the seeded mix of the other units stays as it was.
    soft_kinds = sorted(
        k
        for k, sev in MISTAKE_SEVERITY.items()
        if sev != "error" and k not in ("unsigned", "bad_phone")
    )
    plans = []
    for unit, scenario in zip(units, order, strict=True):
        mistake = None
        if scenario == "errors":
            mistake = rng.choice(error_kinds)
        elif scenario == "on_time" and rng.random() < 0.3:
            mistake = rng.choice(soft_kinds)
        plans.append(Plan(unit, scenario, mistake, _saved_at(scenario, rng)))
    return plans


def _saved_at(scenario: str, rng: Random) -> datetime | None:
    minutes = rng.randint(0, 59)
    if scenario == "not_started":
        return None
    if scenario == "late":
        return DEADLINE + timedelta(hours=rng.randint(0, 40), minutes=minutes)
    if scenario == "extended":  # its own deadline is 27/3; it submits on 25/3
        return datetime(2023, 3, 25, 8, minutes, tzinfo=TZ)
    start = datetime(2023, 3, 14, 7, tzinfo=TZ)
    return start + timedelta(hours=rng.randint(0, 8 * 24 - 2), minutes=minutes)


def make_demo(
    folder: Path,
    units: int | None = None,
    seed: int = 2023,
    workers: int | None = None,
    out_dir: Path | None = None,
) -> DemoResult:
    """Write the demo district into ``folder`` (created if needed).

    Its config sends the outputs to ``out_dir`` (default: ``folder``/out), written relative to
    the config so that every command reading it (sync, remind, doctor) finds the same folder.
    """
    load_schema()
    plans = plan_district(units, seed)
    sheets = folder / "sheets"
    sheets.mkdir(parents=True, exist_ok=True)
    config = CONFIG
    if out_dir is not None:
        try:
            where = Path(os.path.relpath(out_dir.resolve(), folder.resolve())).as_posix()
        except ValueError:  # another drive (Windows): no relative path exists
            where = out_dir.resolve().as_posix()
        config = config.replace('dir = "out"', f"dir = {_toml_string(where)}", 1)
    (folder / "tonghop.toml").write_text(config, "utf-8")
    _write_roster(folder / "units.csv", plans)
    jobs = [(p, seed, i) for i, p in enumerate(plans) if p.saved_at is not None]
    workers = workers or (os.cpu_count() or 1)
    if len(jobs) > 20 and workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_unit_file, jobs, chunksize=8))
    else:
        results = [_unit_file(job) for job in jobs]
    for (plan, _, _), data in zip(jobs, results, strict=True):
        path = sheets / f"{plan.unit.code}.xlsx"
        path.write_bytes(data)
        assert plan.saved_at is not None
        stamp = plan.saved_at.timestamp()
        os.utime(path, (stamp, stamp))
    counts = Counter(p.scenario for p in plans)
    return DemoResult(folder, folder / "tonghop.toml", len(plans), dict(counts))


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_roster(path: Path, plans: list[Plan]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["code", "name", "type", "sheet", "email", "deadline", "active_from", "active_to"]
        )
        for p in plans:
            deadline = "2023-03-27" if p.scenario == "extended" else ""
            active_to = "2022-12-31" if p.scenario == "closed" else ""
            out.writerow([p.unit.code, p.unit.name, p.unit.type, f"{p.unit.code}.xlsx",
                          p.unit.email, deadline, "", active_to])  # fmt: skip


_SCHEMA: Schema | None = None


def _unit_file(job: tuple[Plan, int, int]) -> bytes:
    """The bytes of one unit's workbook, as the unit left it."""
    global _SCHEMA
    plan, seed, index = job
    if _SCHEMA is None:
        _SCHEMA = load_schema()
    schema = _SCHEMA
    rng = Random(f"{seed}:{index}:{plan.unit.code}")
    unit = plan.unit
    if plan.scenario == "invalid":
        return _not_the_template(unit)
    if plan.scenario == "in_progress":
        values = in_progress_report(unit, rng)
    else:
        values = valid_report(unit, rng)
    if plan.mistake:
        values = MISTAKES[plan.mistake](values, rng)
    template = render_template(schema, UnitInfo(unit.code, unit.name, unit.type))
    columns = {t.name: [c.id for c in t.columns] for t in schema.tables}
    return fill_workbook(template, as_picked(schema, values), columns)


def as_picked(schema: Schema, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as a unit leaves them in the template: a yes/no answer is the word picked
    from the cell's list ("Có"), never a stored TRUE/FALSE that would show as "FALSE" in its
    feedback copy; a sign-off not yet given is an empty cell."""
    out = dict(values)
    for f in schema.fields:
        value = out.get(f.id)
        if f.type is not FieldType.BOOL or not isinstance(value, bool):
            continue
        # The template's list for a yes/no cell (the sign-off's "Có" · "Không").
        words = schema.choices.get(f.choice_list or "xac_nhan", ("Có", "Không"))
        if value:
            out[f.id] = words[0]
        else:
            out[f.id] = None if f.sign_off or len(words) < 2 else words[1]
    return out


def _not_the_template(unit: DemoUnit) -> bytes:
    """What a unit sends when it ignores the template: its own table in a fresh workbook."""
    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws.title = "Báo cáo"
    ws["A1"] = f"BÁO CÁO SƠ KẾT GIỮA NHIỆM KỲ — {unit.name}"
    for r, row in enumerate(_free_form_rows(), start=3):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _free_form_rows() -> Iterator[tuple[str, str]]:
    yield ("Nội dung", "Kết quả")
    yield ("Tổng số đảng viên", "45")
    yield ("Kết nạp đảng viên mới", "6")
    yield ("Tự đánh giá", "Hoàn thành tốt nhiệm vụ")
