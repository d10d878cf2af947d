"""`doctor --google-probe` against the fake: its checklist names exactly what the fake drops.

The fake's conversion (tests/fake_google/convert.py) drops what Google documents it drops; the
expected losses are computed by that conversion on its own, never from the probe's answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import gspread

from sheets_schema import FieldType, Schema, UnitInfo, render_template
from sync.google_probe import PROBE_FILE, recorded, run_probe
from sync.google_rules import FEATURES
from tests.fake_google import FakeGoogle
from tests.fake_google.convert import import_checks
from tests.fake_google.sheets import Spreadsheet

from .test_google_sync import REPO, google_district
from .test_google_sync import demo as demo  # the demo district fixture, shared

MAKE = Callable[..., gspread.Client]
UNIT = UnitInfo("XA_A", "Đảng bộ xã A", "xa")
FOLDER = "thu-muc-thu"


def _probe(client: gspread.Client, schema: Schema, record: Path, xlsx: bytes):  # type: ignore[no-untyped-def]
    percent = [f.id for f in schema.fields if f.type is FieldType.PERCENT]
    return run_probe(
        client, xlsx, folder_id=FOLDER, required_names=schema.names, percent_names=percent,
        number_name="tt_so_dang_vien", date_name="tt_ngay_bao_cao", record_to=record,
    )  # fmt: skip


def test_the_checklist_names_exactly_what_the_fake_drops(
    fake: FakeGoogle, make_client: MAKE, schema: Schema, tmp_path: Path
) -> None:
    fake.add_shared_drive_folder(FOLDER)
    xlsx = render_template(schema, UNIT)
    expected = Spreadsheet.from_xlsx(xlsx, "x")
    import_checks(expected)
    assert expected.dropped  # the conversion does lose something
    record = tmp_path / "state" / PROBE_FILE
    files_before = set(fake.files)

    result = _probe(make_client(), schema, record, xlsx)

    assert Counter(result.lost) == Counter(expected.dropped)
    by_name = {i.name: i for i in result.items}
    dropped = {feature for feature, _s, _r in expected.dropped}
    for feature, label in FEATURES.items():
        if label in by_name:
            assert by_name[label].ok is (feature not in dropped), label
            if feature in dropped:
                assert "provision" in by_name[label].action
    assert {f for f, label in FEATURES.items() if label in by_name} >= dropped
    assert by_name["Sau khi cấp bảng tính: đủ quy tắc của mẫu"].ok
    assert by_name["Vùng được đặt tên của mẫu"].ok
    # Typed as a unit would in vi_VN, read the way sync reads.
    assert by_name["Nhập như đơn vị: tỷ lệ có dấu %"].ok
    assert by_name["Nhập như đơn vị: số kiểu Việt Nam"].ok
    assert by_name["Nhập như đơn vị: ngày/tháng/năm"].ok
    # The fake does not turn a bare 95 in a percent cell into 95% (Google may): said so.
    bare = by_name["Nhập như đơn vị: tỷ lệ không có dấu %"]
    assert not bare.ok and "gõ kèm dấu %" in bare.action
    # The scratch file is gone; the record is where doctor reads it.
    assert set(fake.files) == files_before and result.deleted
    last = recorded(record)
    assert last is not None and Counter(map(tuple, last["lost"])) == Counter(expected.dropped)
    json.dumps(last)  # plain JSON


def test_the_scratch_file_is_deleted_even_when_a_step_fails(
    fake: FakeGoogle, make_client: MAKE, schema: Schema, tmp_path: Path
) -> None:
    fake.add_shared_drive_folder(FOLDER)
    files_before = set(fake.files)
    fake.set_fault("*", "403", api="sheets")  # every Sheets call refused after the upload
    result = _probe(make_client(), schema, tmp_path / PROBE_FILE, render_template(schema, UNIT))
    fake.clear_faults()
    by_name = {i.name: i for i in result.items}
    assert not by_name["Thử trên Google"].ok and by_name["Thử trên Google"].action
    assert by_name["Xóa bảng tính thử"].ok and set(fake.files) == files_before


def test_cli_doctor_google_probe_prints_the_checklist(
    fake: FakeGoogle, demo: Path, tmp_path: Path
) -> None:
    root = tmp_path / "g"
    google_district(fake, demo, root)
    fake.add_shared_drive_folder("folder-1")
    text = (root / "tonghop.toml").read_text("utf-8")
    (root / "tonghop.toml").write_text(
        text.replace("[output]", 'folder_id = "folder-1"\n\n[output]'), "utf-8"
    )
    files_before = set(fake.files)
    env = {**os.environ, "PYTHONPATH": str(REPO), "TONGHOP_GOOGLE_API_URL": fake.url,
           "COLUMNS": "300"}  # fmt: skip
    res = subprocess.run([sys.executable, "-m", "jobs", "doctor", "--google-probe", "--config",
                          str(root / "tonghop.toml")], capture_output=True, text=True, env=env,
                         timeout=600)  # fmt: skip
    assert "Traceback" not in res.stderr, res.stderr
    out = " ".join(res.stdout.split())
    assert "Đơn vị thử Google: Kiểm tra độ dài nội dung" in out
    assert "Đơn vị thử Google: Xóa bảng tính thử" in out
    assert set(fake.files) == files_before
    record = recorded(root / "state" / PROBE_FILE)
    assert record is not None and record["deleted"] is True
    # A later doctor shows what the probe found.
    res = subprocess.run([sys.executable, "-m", "jobs", "doctor", "--config",
                          str(root / "tonghop.toml")], capture_output=True, text=True, env=env,
                         timeout=600)  # fmt: skip
    assert "Thử trên Google (--google-probe)" in " ".join(res.stdout.split())
