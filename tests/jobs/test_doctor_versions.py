"""`tonghop doctor` lists units whose file comes from an earlier template version."""

from __future__ import annotations

from pathlib import Path

from jobs.commands.doctor import blocks_sync, run_doctor
from jobs.config import load_config
from jobs.demo.district import make_demo
from jobs.demo.fill import fill_workbook
from sheets_schema import load_schema


def test_doctor_lists_units_on_an_old_template(tmp_path: Path) -> None:
    schema = load_schema()
    make_demo(tmp_path, 8, seed=3, workers=1)
    files = sorted((tmp_path / "sheets").glob("*.xlsx"))
    for old in files:  # the demo has a unit that did not use the template at all: skip it
        try:
            data = fill_workbook(old.read_bytes(), {"tt_phien_ban": schema.previous_versions[0]})
        except KeyError:
            continue
        old.write_bytes(data)
        break
    checks = run_doctor(load_config(tmp_path / "tonghop.toml", env={}))
    found = [c for c in checks if c.name == "Đơn vị dùng mẫu cũ"]
    assert len(found) == 1, [c.name for c in checks]
    check = found[0]
    assert not check.ok and not blocks_sync(check)  # flagged, but the sync still runs
    assert f"({schema.previous_versions[0]})" in check.detail and "1 đơn vị" in check.detail
    assert "tonghop template --unit" in check.fix


def test_google_probe_on_an_excel_district_says_it_was_skipped(tmp_path: Path) -> None:
    make_demo(tmp_path, 4, seed=3, workers=1)
    checks = run_doctor(load_config(tmp_path / "tonghop.toml", env={}), google_probe=True)
    (probe,) = [c for c in checks if c.name == "Thử trên Google (--google-probe)"]
    assert probe.ok and probe.detail.startswith('bỏ qua: [source] kind = "excel"')
