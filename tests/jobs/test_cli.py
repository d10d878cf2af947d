"""The command line as users and cron run it: real processes, real files, exit codes."""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sheets_schema import Schema
from tests.helpers import typed_workbook, valid_values

REPO = Path(__file__).resolve().parents[2]


def tonghop(
    *args: str | Path, cwd: Path | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160"}
    env.pop("TONGHOP_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "jobs", *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        **kw,
    )  # type: ignore[call-overload]


def test_blank_template_checks_to_zero_and_filled_copy_to_one(
    tmp_path: Path, schema: Schema
) -> None:
    blank = tmp_path / "t.xlsx"
    assert tonghop("template", "--out", blank).returncode == 0
    res = tonghop("check", blank, "--json")
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    assert set(doc) == {
        "unit_code",
        "completeness",
        "confirmed",
        "errors",
        "warnings",
        "findings",
        "values",
    }
    assert doc["completeness"] == 0 and doc["confirmed"] is False
    required = {
        f.id for f in schema.fields if f.required and not f.sign_off and f.prefill != "version"
    }
    assert required <= {f["field"] for f in doc["findings"] if f["code"] == "required"}

    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(typed_workbook(schema, valid_values(schema)))
    res = tonghop("check", filled, "--json")
    assert res.returncode == 0, res.stdout
    doc = json.loads(res.stdout)
    assert doc["completeness"] == 1.0 and doc["errors"] == 0 and doc["unit_code"] == "XA_VINH_HUNG"
    assert doc["values"]["tt_ngay_bao_cao"] == "2023-03-15"
    assert doc["values"]["hc_bang"][0]["loai_nguyen_nhan"] == "Chủ quan"


def test_check_prints_findings_by_tab(tmp_path: Path, schema: Schema) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(
        typed_workbook(
            schema, {**valid_values(schema), "ks_kl_dang_vien": 9, "tt_so_chi_bo": "mười"}
        )
    )
    res = tonghop("check", path)
    assert res.returncode == 1
    assert "Kiểm tra giám sát" in res.stdout and "Thông tin" in res.stdout
    assert "không phải là số" in res.stdout and "2 lỗi" in res.stdout


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "không có tệp này"),
        (b"plain text, not a workbook", "không phải bảng tính Excel (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "định dạng .xls cũ"),
        (b"PK\x03\x04 broken zip", "bị hỏng"),
    ],
)
def test_check_unreadable_files_exit_2(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / "report.xlsx"
    if content is not None:
        path.write_bytes(content)
    res = tonghop("check", path)
    assert res.returncode == 2
    assert words in res.stderr and "Traceback" not in res.stderr
    # --json still prints its object, with the one reason as an "unreadable" error.
    res = tonghop("check", path, "--json")
    assert res.returncode == 2
    doc = json.loads(res.stdout)
    assert doc["errors"] == 1 and doc["values"] == {}
    assert [f["code"] for f in doc["findings"]] == ["unreadable"]
    assert words in doc["findings"][0]["message"]


def test_check_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "xin chào")
    res = tonghop("check", path)
    assert res.returncode == 2 and "bị hỏng" in res.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    res = tonghop("demo", "--dir", folder, "--units", "60", "--seed", "7")
    assert res.returncode == 0, res.stderr
    return folder


def test_demo_sync_shows_four_statuses(demo: Path) -> None:
    # -v: the status table, which a run without a terminal (cron) leaves out.
    res = tonghop(
        "sync", "-v", "--config", demo / "tonghop.toml", "--as-of", "2023-03-25T09:00:00+07:00"
    )
    assert res.returncode == 0, res.stderr
    status = json.loads((demo / "out" / "status.json").read_text("utf-8"))
    assert len({u["status"] for u in status["units"]}) >= 4
    assert "Đúng hạn" in res.stdout and "tong-hop.xlsx" in res.stdout


def test_completeness_reads_the_same_in_the_log_check_and_workbook(demo: Path) -> None:
    """One way to show completeness everywhere: whole percent, rounded down (97,9% → 97%)."""
    res = tonghop(
        "sync", "-v", "--config", demo / "tonghop.toml", "--as-of", "2023-03-25T09:00:00+07:00"
    )
    status = json.loads((demo / "out" / "status.json").read_text("utf-8"))
    unit = next(u for u in status["units"]
                if u["completeness"] and round(u["completeness"] * 100, 6) % 1 > 0.5)  # fmt: skip
    shown = f"{math.floor(unit['completeness'] * 100)}%"
    assert f"đơn vị {unit['code']}: " in res.stderr
    line = next(x for x in res.stderr.splitlines() if f"đơn vị {unit['code']}: " in x)
    assert f"đã nhập {shown}" in line, line
    checked = tonghop("check", demo / "sheets" / f"{unit['code']}.xlsx")
    assert f"hoàn thành {shown} (" in checked.stdout, checked.stdout
    ws = openpyxl.load_workbook(demo / "out" / "tong-hop.xlsx")["Tình trạng"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert f"Hoàn thành {shown}" in " ".join(texts)


def test_sync_errors_are_one_line(tmp_path: Path) -> None:
    res = tonghop("sync", "--config", tmp_path / "missing.toml")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) <= 2
    res = tonghop("sync", "--config", tmp_path / "missing.toml", "--as-of", "2023-03-25")
    assert res.returncode == 2 and "+07:00" in res.stderr


def test_killed_run_leaves_the_previous_workbook_whole(demo: Path) -> None:
    cfg = demo / "tonghop.toml"
    assert tonghop("sync", "--config", cfg, "--as-of", "2023-03-25T09:00:00+07:00").returncode == 0
    workbook = demo / "out" / "tong-hop.xlsx"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    seen = set()
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 1.8):
        # Each run is a new day, so every unit is parsed again and the workbook rewritten.
        as_of = f"2023-03-{10 + int(delay * 10):02d}T09:00:00+07:00"
        proc = subprocess.Popen([sys.executable, "-m", "jobs", "sync", "--config", str(cfg), "--as-of", as_of],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        wb = openpyxl.load_workbook(workbook, read_only=True)  # whole, whatever the moment
        assert wb.sheetnames[0] == "Tình trạng"
        wb.close()
        seen.add(hashlib.sha256(workbook.read_bytes()).hexdigest())
    # The lock of a killed run does not block the next one.
    res = tonghop("sync", "--config", cfg, "--as-of", "2023-03-26T09:00:00+07:00")
    assert res.returncode == 0, res.stderr
    assert seen


def test_template_refuses_a_name_excel_would_not_open(tmp_path: Path) -> None:
    res = tonghop("template", "--out", tmp_path / "mau.txt")
    assert res.returncode == 2 and "phải là tệp .xlsx" in res.stderr
    assert not (tmp_path / "mau.txt").exists()
