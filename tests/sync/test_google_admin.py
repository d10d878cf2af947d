"""doctor names each broken unit with its fix; provision creates unit sheets exactly once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import gspread
import pytest

from sync.base import SheetRef
from sync.google import GoogleSource, spreadsheet_key
from sync.google_admin import Check, ProvisionError, doctor, provision
from sync.http import build_client
from tests.fake_google import SHEET_MIME, FakeGoogle

from .conftest import SA_EMAIL
from .workbooks import REQUIRED_NAMES, VERSION, unit_workbook

MAKE = Callable[..., gspread.Client]


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_doctor_names_broken_units_with_fixes(fake: FakeGoogle, key_file: Path) -> None:
    refs = [
        SheetRef("OK", fake.add_spreadsheet(unit_workbook("OK"))),
        SheetRef("UNSHARED", fake.add_spreadsheet(unit_workbook(), shared=False)),
        SheetRef("XLSX", fake.add_spreadsheet(unit_workbook(), native=False)),
        SheetRef("NO_TABLE", fake.add_spreadsheet(unit_workbook(drop_names=["hc_bang"]))),
        SheetRef("BROKEN", fake.add_spreadsheet(unit_workbook(broken_names=["ct_bhyt_kq"]))),
        SheetRef("OLD", fake.add_spreadsheet(unit_workbook(version="2022.9"))),
        SheetRef("EN_US", fake.add_spreadsheet(unit_workbook("EN_US"))),
        SheetRef("NONE", ""),
    ]
    fake.book(refs[-2].sheet).locale = "en_US"
    status = fake.add_spreadsheet(unit_workbook(), shared="reader")
    client = build_client(key_file=key_file, base_url=fake.url, reads_per_minute=None)

    checks = by_name(
        doctor(
            client,
            refs,
            required_names=REQUIRED_NAMES,
            expected_version=VERSION,
            status_spreadsheet=status,
            key_file=key_file,
        )
    )

    key_check = checks["Tệp khóa tài khoản dịch vụ"]
    assert key_check.ok and SA_EMAIL in key_check.detail
    assert checks["Google Drive API"].ok and SA_EMAIL in checks["Google Drive API"].detail
    assert checks["Google Sheets API"].ok
    assert checks["Đơn vị OK"].ok and VERSION in checks["Đơn vị OK"].detail
    assert "khu vực vi_VN, múi giờ Asia/Ho_Chi_Minh" in checks["Đơn vị OK"].detail
    assert checks["Đồng hồ máy chủ"].ok and "giây" in checks["Đồng hồ máy chủ"].detail
    failing = {name: c for name, c in checks.items() if not c.ok}
    assert set(failing) == {
        "Đơn vị UNSHARED",
        "Đơn vị XLSX",
        "Đơn vị NO_TABLE",
        "Đơn vị BROKEN",
        "Đơn vị OLD",
        "Đơn vị EN_US",
        "Đơn vị NONE",
        "Bảng tình trạng",
    }
    assert SA_EMAIL in failing["Đơn vị UNSHARED"].fix
    assert "Lưu dưới dạng Google Trang tính" in failing["Đơn vị XLSX"].fix
    assert "hc_bang" in failing["Đơn vị NO_TABLE"].detail
    assert "ct_bhyt_kq" in failing["Đơn vị BROKEN"].detail
    assert "2022.9" in failing["Đơn vị OLD"].detail and "mẫu" in failing["Đơn vị OLD"].fix
    assert "tonghop provision" in failing["Đơn vị NONE"].fix
    assert "en_US" in failing["Đơn vị EN_US"].detail and "Việt Nam" in failing["Đơn vị EN_US"].fix
    assert "Người chỉnh sửa" in failing["Bảng tình trạng"].fix
    assert all(c.fix for c in failing.values())


def test_doctor_stops_at_a_disabled_api(fake: FakeGoogle, make_client: MAKE) -> None:
    refs = [SheetRef("OK", fake.add_spreadsheet(unit_workbook("OK")))]
    fake.set_fault("*", "403_disabled", api="sheets")
    checks = doctor(make_client(), refs, required_names=REQUIRED_NAMES)
    names = [c.name for c in checks]
    assert names == ["Đồng hồ máy chủ", "Google Drive API", "Google Sheets API"]
    sheets = checks[2]
    assert not sheets.ok and "Google Sheets API" in sheets.fix and "APIs & Services" in sheets.fix


def test_doctor_with_a_bad_key_file(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text('{"type": "authorized_user"}', encoding="utf-8")
    (check,) = doctor(None, [], required_names=(), key_file=path)
    assert not check.ok and str(path) in check.detail and "IAM" in check.fix


# ------------------------------------------------------------------------------- provision

FOLDER = "folder-so-ket"
UNIT_EMAILS = {"XA_A": "vanphong.xaa@example.vn", "XA_B": None}


def run_provision(client: gspread.Client, units: list[SheetRef]) -> dict[str, str]:
    return provision(
        client,
        units,
        render_xlsx=lambda code: unit_workbook(code),
        share_email_of=UNIT_EMAILS.get,
        folder_id=FOLDER,
        service_account_email=SA_EMAIL,
    )


def test_provision_creates_native_sheets_once(fake: FakeGoogle, make_client: MAKE) -> None:
    fake.add_shared_drive_folder(FOLDER)
    existing = fake.add_spreadsheet(unit_workbook("XA_C"))
    units = [SheetRef("XA_A", ""), SheetRef("XA_B", " "), SheetRef("XA_C", existing)]
    client = make_client()

    urls = run_provision(client, units)

    assert set(urls) == {"XA_A", "XA_B"}
    uploads = [r for r in fake.requests if r.path == "/upload/drive/v3/files"]
    assert len(uploads) == 2 and uploads[0].query["uploadType"] == ["multipart"]
    for code, url in urls.items():
        key = spreadsheet_key(url)
        assert key
        f = fake.file(key)
        assert f.mime_type == SHEET_MIME and f.parents == [FOLDER] and f.drive_id
        assert f.name == f"Sơ kết giữa nhiệm kỳ - {code}"
        # Converted from the template's .xlsx: the defined names became named ranges.
        src = GoogleSource(client)
        ref = SheetRef(code, url)
        version = src.versions([ref])[code]
        raw = src.pull(ref, version)  # type: ignore[arg-type]
        assert raw.raw.blocks["tt_ma_don_vi"].cell().value == code  # type: ignore[union-attr]
    perms_a = fake.file(spreadsheet_key(urls["XA_A"]) or "").permissions
    assert {(p.get("emailAddress"), p["role"]) for p in perms_a} >= {
        ("vanphong.xaa@example.vn", "writer"),
        (SA_EMAIL, "organizer"),
    }
    before = len(fake.files)
    fake.reset_log()

    again = run_provision(client, units)

    assert again == urls
    assert len(fake.files) == before
    assert not [r for r in fake.requests if r.method == "POST"]  # nothing created or shared


def test_provision_outside_a_shared_drive_explains(fake: FakeGoogle, make_client: MAKE) -> None:
    with pytest.raises(ProvisionError) as info:
        run_provision(make_client(), [SheetRef("XA_A", "")])
    message = str(info.value)
    assert "Shared Drive" in message and SA_EMAIL in message and "OAuth" in message
    assert "Bộ nhớ dùng chung" in info.value.message_vi
    assert info.value.provisioned == {}
    assert len(fake.files) == 0


def test_doctor_compares_the_clock_with_googles_date_header(fake: FakeGoogle, key_file) -> None:
    fake.clock_offset = -900  # our clock 15 minutes ahead of Google's
    client = build_client(key_file=key_file, base_url=fake.url, reads_per_minute=None)
    checks = doctor(client, [], required_names=REQUIRED_NAMES)
    clock = by_name(checks)["Đồng hồ máy chủ"]
    assert not clock.ok
    assert re.search(r"nhanh (899|900|901) giây", clock.detail), clock.detail
    assert "timedatectl set-ntp true" in clock.fix
    drive = by_name(checks)["Google Drive API"]
    assert not drive.ok and "Đồng hồ" in drive.fix  # the token refused: told as the clock
