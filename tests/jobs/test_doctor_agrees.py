"""`doctor` says what `sync` will say, and every command of the demo uses one output folder.

Each case is set up on a real demo district, then both commands run as a person runs them:
sync's status.json and findings.csv, doctor's lines, compared.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.jobs.test_cli import REPO, tonghop

AS_OF = "2023-03-25T09:00:00+07:00"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    assert tonghop("demo", "--dir", tmp_path, "--units", "6").returncode == 0
    return tmp_path


def units(demo: Path) -> list[dict[str, str]]:
    with (demo / "units.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def sync(demo: Path) -> dict[str, dict[str, object]]:
    res = tonghop("sync", "--config", demo / "tonghop.toml", "--as-of", AS_OF)
    assert res.returncode == 0, res.stderr
    doc = json.loads((demo / "out" / "status.json").read_text(encoding="utf-8"))
    return {u["code"]: u for u in doc["units"]}


def doctor(demo: Path) -> dict[str, str]:
    """Doctor's line for each check (no terminal: one line per check), by the check's name."""
    res = tonghop("doctor", "--config", demo / "tonghop.toml")
    assert "Traceback" not in res.stderr, res.stderr
    lines = {}
    for line in res.stdout.splitlines():
        if line[:2] in ("✓ ", "✗ "):
            name, _, rest = line[2:].partition(": ")
            lines[name] = line[:1] + " " + rest
    return lines


def _ods(path: Path) -> None:
    """A minimal OpenDocument spreadsheet, laid out as LibreOffice writes one."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )  # stored, first: the ODF rule
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", "<manifest:manifest/>", zipfile.ZIP_DEFLATED)


def test_a_file_with_another_units_code(demo: Path) -> None:
    rows = [u for u in units(demo) if (demo / "sheets" / u["sheet"]).exists()]
    a, b = rows[0], rows[1]
    shutil.copyfile(demo / "sheets" / b["sheet"], demo / "sheets" / a["sheet"])
    shown = sync(demo)[a["code"]]
    assert shown["errors"]
    findings = (demo / "out" / "findings.csv").read_text(encoding="utf-8-sig")
    mismatch = [r for r in csv.DictReader(findings.splitlines()) if r["unit_code"] == a["code"]
                and r["code"] == "unit-code-mismatch"]  # fmt: skip
    assert mismatch and f"“{b['code']}”" in mismatch[0]["message"]

    line = doctor(demo)[f"Đơn vị {a['code']}"]
    assert line.startswith("✗ ") and mismatch[0]["message"] in line, line
    assert f"Đặt đúng tệp của đơn vị {a['code']}" in line


@pytest.mark.parametrize("ext", [".ods", ".xls"])
def test_another_format_beside_the_missing_xlsx(demo: Path, ext: str) -> None:
    unit = next(u for u in units(demo) if (demo / "sheets" / u["sheet"]).exists())
    xlsx = demo / "sheets" / unit["sheet"]
    other = xlsx.with_suffix(ext)
    xlsx.unlink()
    if ext == ".ods":
        _ods(other)
    else:
        other.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    shown = sync(demo)[unit["code"]]
    assert shown["status"] == "invalid"
    message = str(shown["message"])
    assert f"“{other.name}”" in message and f"đặt tên “{xlsx.name}”" in message
    assert ("Excel 2007-365" if ext == ".ods" else "Sổ làm việc Excel") in message
    assert "bị hỏng" not in message and "Chưa có tệp báo cáo" not in message

    line = doctor(demo)[f"Đơn vị {unit['code']}"]
    assert line == f"✗ {message} — Cách sửa: Yêu cầu đơn vị gửi lại tệp .xlsx như đã nêu.", line


def test_a_newer_ods_beside_the_xlsx_is_pointed_out(demo: Path) -> None:
    import os

    good = doctor(demo)
    unit = next(u for u in units(demo) if good[f"Đơn vị {u['code']}"].startswith("✓ đúng mẫu"))
    xlsx = demo / "sheets" / unit["sheet"]
    ods = xlsx.with_suffix(".ods")
    _ods(ods)
    os.utime(ods, (xlsx.stat().st_mtime + 3600,) * 2)
    line = doctor(demo)[f"Đơn vị {unit['code']}"]
    assert line.startswith("✗ đúng mẫu") and f"“{ods.name}” mới hơn “{xlsx.name}”" in line, line
    os.utime(ods, (xlsx.stat().st_mtime - 3600,) * 2)
    assert doctor(demo)[f"Đơn vị {unit['code']}"].startswith("✓ đúng mẫu")


def test_an_ods_named_in_the_roster_or_as_xlsx_is_not_called_corrupt(demo: Path) -> None:
    rows = units(demo)
    named, disguised = rows[0], rows[1]
    _ods(demo / "sheets" / f"{named['code']}.ods")
    named["sheet"] = f"{named['code']}.ods"
    _ods(demo / "sheets" / disguised["sheet"])  # an .ods renamed to .xlsx
    with (demo / "units.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    shown = sync(demo)
    lines = doctor(demo)
    for unit in (named, disguised):
        message = str(shown[unit["code"]]["message"])
        assert shown[unit["code"]]["status"] == "invalid"
        assert "LibreOffice" in message and "Tệp → Lưu thành → Excel 2007-365" in message
        assert "bị hỏng" not in message
        assert lines[f"Đơn vị {unit['code']}"].startswith(f"✗ {message}")
    res = tonghop("check", demo / "sheets" / disguised["sheet"])
    assert res.returncode == 2 and "Excel 2007-365" in res.stderr and "bị hỏng" not in res.stderr


def test_a_duplicated_roster_code(demo: Path) -> None:
    text = (demo / "units.csv").read_text(encoding="utf-8")
    first = text.splitlines()[1]
    (demo / "units.csv").write_text(text + first + "\n", encoding="utf-8")
    res = tonghop("sync", "--config", demo / "tonghop.toml", "--as-of", AS_OF)
    assert res.returncode == 2
    reason = res.stderr.strip().removeprefix("tonghop sync: ")
    assert "dòng 2 và 8" in reason and "xuất hiện hai lần" in reason

    check = tonghop("doctor", "--config", demo / "tonghop.toml")
    assert check.returncode == 1  # it would stop sync: doctor says so at set-up
    assert f"✗ Danh sách đơn vị: {reason}" in check.stdout, check.stdout


def test_make_sync_remind_and_doctor_use_one_output_folder(tmp_path: Path) -> None:
    """`make sync` on a fresh checkout (the venv stands in for `make setup`), then the other
    commands on the demo config, with no --out-dir anywhere."""
    bin_dir = Path(sys.executable).parent
    stamp = tmp_path / "stamp"
    stamp.touch()
    res = subprocess.run(
        ["make", "-f", str(REPO / "Makefile"), "sync", f"BIN={bin_dir}", f"STAMP={stamp}",
         "-o", str(stamp)],
        cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    assert (out / "status.json").exists() and (out / "tong-hop.xlsx").exists()
    assert not (tmp_path / "demo" / "out").exists()

    config = tmp_path / "demo" / "tonghop.toml"
    # The hint `tonghop demo` printed writes there too.
    hint = next(line for line in res.stderr.splitlines() if line.startswith("Chạy thử: "))
    assert hint == f"Chạy thử: tonghop sync --config demo/tonghop.toml --as-of {AS_OF}"
    before = (out / "status.json").stat().st_mtime_ns
    again = tonghop("sync", "--config", "demo/tonghop.toml", "--as-of", AS_OF, cwd=tmp_path)
    assert again.returncode == 0 and (out / "status.json").stat().st_mtime_ns > before

    remind = tonghop("remind", "--config", config, "--as-of", AS_OF, cwd=tmp_path)
    assert remind.returncode == 0, remind.stderr
    assert "đơn vị cần nhắc" in remind.stdout

    lines = doctor(tmp_path / "demo")
    if sys.platform == "linux":
        assert "RLIMIT_AS" in lines["Giới hạn khi đọc tệp"]
    shown, _, writable = lines["Thư mục kết quả"].removeprefix("✓ ").rpartition(": ")
    assert Path(shown).resolve() == out.resolve() and writable == "ghi được"
