"""doctor names each broken unit with its fix; provision creates unit sheets exactly once."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gspread
import pytest
from google.oauth2.credentials import Credentials

from sync.base import SheetRef
from sync.google import GoogleSource, spreadsheet_key
from sync.google_admin import Check, ProvisionError, doctor, provision
from sync.google_oauth import OAUTH_SCOPES, person_credentials, save_token
from sync.http import GoogleConfigError, build_client
from tests.fake_google import SHEET_MIME, FakeGoogle
from tests.jobs.test_language import english_words

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
    # What a person reads is Vietnamese; Google's English reason is for the log (-v).
    assert failing["Đơn vị UNSHARED"].detail == "không truy cập được"
    for check in failing.values():  # (fixes name roster columns such as “sheet”: identifiers)
        assert english_words(check.detail) == [], check


def test_a_status_sheet_not_shared_asks_for_editor_not_viewer(
    fake: FakeGoogle, key_file: Path
) -> None:
    hidden = fake.add_spreadsheet(unit_workbook(), shared=False)
    client = build_client(key_file=key_file, base_url=fake.url, reads_per_minute=None)
    checks = by_name(doctor(client, [], required_names=REQUIRED_NAMES, expected_version=VERSION,
                            status_spreadsheet=hidden, key_file=key_file))  # fmt: skip
    sheet = checks["Bảng tình trạng"]
    assert not sheet.ok and "Người chỉnh sửa" in sheet.fix and "Người xem" not in sheet.fix
    assert SA_EMAIL in sheet.fix


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
    fake.add_folder(FOLDER)  # a My Drive folder shared with the service account
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


def provision_with_warnings(
    client: gspread.Client, units: list[SheetRef], **kw: Any
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    warnings: list[tuple[str, str]] = []
    kw.setdefault("folder_id", FOLDER)
    kw.setdefault("service_account_email", SA_EMAIL)
    urls = provision(
        client,
        units,
        render_xlsx=lambda code: unit_workbook(code),
        share_email_of=UNIT_EMAILS.get,
        required_names=REQUIRED_NAMES,
        on_warning=lambda code, text: warnings.append((code, text)),
        **kw,
    )
    return urls, warnings


def test_a_provisioned_sheet_is_in_vietnam_locale_with_labels_guarded(fake, make_client):
    fake.add_shared_drive_folder(FOLDER)
    assert fake.upload_locale == "en_US"  # what a converted upload gets on its own
    client = make_client()
    fake.reset_log()
    urls, warnings = provision_with_warnings(client, [SheetRef("XA_A", "")])
    assert warnings == []
    sheets_calls = [r.method for r in fake.requests if r.api == "sheets"]
    # One read, one batchUpdate for the new sheet, one read back of its checks (all kept here:
    # nothing to add again).
    assert sheets_calls == ["GET", "POST", "GET"]
    key = spreadsheet_key(urls["XA_A"]) or ""
    meta = client.http_client.fetch_sheet_metadata(key, params={"fields": "properties"})
    assert (meta["properties"]["locale"], meta["properties"]["timeZone"]) == (
        "vi_VN",
        "Asia/Ho_Chi_Minh",
    )
    book = fake.book(key)
    assert len(book.protected) == len(book.sheets)  # one per tab
    assert all(p["warningOnly"] for p in book.protected)  # nobody is ever locked out
    info = book.sheet_by_title("Thông tin")
    assert info is not None
    (guard,) = [p for p in book.protected if p["range"].get("sheetId", 0) == info.sheet_id]
    unguarded = {
        (r.get("startRowIndex"), r.get("startColumnIndex")) for r in guard["unprotectedRanges"]
    }
    assert (2, 1) in unguarded  # tt_ma_don_vi at B3: the unit types there without a warning


def test_names_lost_in_conversion_are_reported(fake: FakeGoogle, make_client: MAKE) -> None:
    fake.add_shared_drive_folder(FOLDER)
    warnings: list[tuple[str, str]] = []
    provision(
        make_client(), [SheetRef("XA_A", "")],
        render_xlsx=lambda code: unit_workbook(code, broken_names=["ct_bhyt_kq"]),
        share_email_of=UNIT_EMAILS.get, folder_id=FOLDER, service_account_email=SA_EMAIL,
        required_names=REQUIRED_NAMES, on_warning=lambda c, t: warnings.append((c, t)),
    )  # fmt: skip
    ((code, text),) = warnings
    assert code == "XA_A" and "ct_bhyt_kq" in text and "tonghop provision" in text


def test_an_upload_whose_answer_was_lost_is_not_created_twice(fake, make_client) -> None:
    fake.add_shared_drive_folder(FOLDER)
    fake.set_fault("*", "lost", times=1, path_contains="/upload/", method="POST")
    urls, _ = provision_with_warnings(make_client(), [SheetRef("XA_A", "")])
    uploads = [r for r in fake.requests if r.path == "/upload/drive/v3/files"]
    assert len(uploads) == 1  # applied once, answer lost, never resent
    sheets = [f for f in fake.files.values() if f.name == "Sơ kết giữa nhiệm kỳ - XA_A"]
    assert len(sheets) == 1 and urls["XA_A"].endswith(f"/d/{sheets[0].id}/edit")


def test_an_upload_refused_with_a_5xx_is_looked_for_then_sent_again(
    fake, make_client, sleeps
) -> None:
    fake.add_shared_drive_folder(FOLDER)
    fake.set_fault("*", "500", times=1, path_contains="/upload/", method="POST")
    urls, _ = provision_with_warnings(make_client(), [SheetRef("XA_A", "")])
    uploads = [r.status for r in fake.requests if r.path == "/upload/drive/v3/files"]
    assert uploads == [500, 200]
    assert sleeps == [2.0]  # one pause before the second upload, through the injected sleep
    assert len([f for f in fake.files.values() if f.name.endswith("XA_A")]) == 1
    assert "XA_A" in urls


def test_a_failed_sharing_invitation_is_a_warning(fake: FakeGoogle, make_client: MAKE) -> None:
    fake.add_shared_drive_folder(FOLDER)
    fake.set_fault("*", "400_sharing", times=1)
    urls, warnings = provision_with_warnings(make_client(), [SheetRef("XA_A", "")])
    assert set(urls) == {"XA_A"}  # not an abort
    ((code, text),) = warnings
    assert code == "XA_A" and "vanphong.xaa@example.vn" in text and "Chia sẻ" in text
    perms = fake.file(spreadsheet_key(urls["XA_A"]) or "").permissions
    assert (SA_EMAIL, "organizer") in {(p.get("emailAddress"), p["role"]) for p in perms}


def test_a_sharing_rate_limit_is_retried(fake: FakeGoogle, make_client: MAKE, sleeps) -> None:
    fake.add_shared_drive_folder(FOLDER)
    fake.set_fault("*", "403_sharing_rate", times=2)
    urls, warnings = provision_with_warnings(make_client(), [SheetRef("XA_A", "")])
    assert warnings == [] and len(sleeps) >= 2
    perms = fake.file(spreadsheet_key(urls["XA_A"]) or "").permissions
    assert ("vanphong.xaa@example.vn", "writer") in {
        (p.get("emailAddress"), p["role"]) for p in perms
    }


# ------------------------------------------------------------------------- a person's OAuth


def oauth_files(tmp_path: Path, fake: FakeGoogle) -> tuple[Path, Path]:
    client_secret = tmp_path / "client_secret.json"
    client_secret.write_text(json.dumps({"installed": {
        "client_id": "tonghop-desktop.apps.googleusercontent.com", "client_secret": "s3cret",
        "auth_uri": f"{fake.url}/auth", "token_uri": f"{fake.url}/token",
        "redirect_uris": ["http://localhost"]}}), "utf-8")  # fmt: skip
    return client_secret, tmp_path / "state" / "google-oauth-token.json"


def signed_in(fake: FakeGoogle, client_secret: Path, scopes: Any) -> Credentials:
    """What the browser step yields: the person's refresh token (registered at the fake)."""
    fake.refresh_tokens["1//refresh-vanphong"] = "tonghop-desktop.apps.googleusercontent.com"
    return Credentials(
        token=None, refresh_token="1//refresh-vanphong", token_uri=f"{fake.url}/token",
        client_id="tonghop-desktop.apps.googleusercontent.com", client_secret="s3cret",
        scopes=list(scopes),
    )  # fmt: skip


def test_provision_with_a_persons_oauth_owns_the_files(fake, tmp_path: Path, sleeps) -> None:
    client_secret, token_file = oauth_files(tmp_path, fake)
    flows: list[Path] = []

    def flow(path: Path, scopes: Any) -> Credentials:
        flows.append(path)
        return signed_in(fake, path, scopes)

    creds = person_credentials(client_secret, token_file, flow=flow)
    assert flows == [client_secret]
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert "1//refresh-vanphong" in token_file.read_text("utf-8")
    # A later run: the stored sign-in, refreshed at the token endpoint, no browser.
    again = person_credentials(client_secret, token_file, flow=flow)
    assert flows == [client_secret] and again.refresh_token == creds.refresh_token
    client = build_client(credentials=again, base_url=fake.url, reads_per_minute=None,
                          sleep=sleeps)  # fmt: skip

    urls, warnings = provision_with_warnings(client, [SheetRef("XA_A", "")], folder_id="")

    assert warnings == []
    f = fake.file(spreadsheet_key(urls["XA_A"]) or "")
    roles = {(p.get("emailAddress"), p["role"]) for p in f.permissions}
    assert ("vanphong@example.vn", "owner") in roles  # the person owns it
    assert (SA_EMAIL, "reader") in roles and ("vanphong.xaa@example.vn", "writer") in roles
    assert f.parents == ["root"] and f.drive_id is None
    assert [t.issuer for t in fake.tokens] == ["oauth:tonghop-desktop.apps.googleusercontent.com"]
    assert fake.book(f.id).locale == "vi_VN"


def test_a_revoked_sign_in_is_refused_clearly(fake, tmp_path: Path) -> None:
    client_secret, token_file = oauth_files(tmp_path, fake)
    save_token(token_file, signed_in(fake, client_secret, OAUTH_SCOPES))
    fake.refresh_tokens.clear()  # the person revoked the app's access
    client = build_client(credentials=person_credentials(client_secret, token_file),
                          base_url=fake.url, max_attempts=1)  # fmt: skip
    with pytest.raises(ProvisionError) as info:
        provision_with_warnings(client, [SheetRef("XA_A", "")], folder_id="")
    assert "Google" in info.value.message_vi


def test_oauth_needs_its_client_file(tmp_path: Path) -> None:
    with pytest.raises(GoogleConfigError, match="Desktop app"):
        person_credentials(tmp_path / "missing.json", tmp_path / "token.json")


def test_real_person_credentials_never_go_to_another_host(fake, tmp_path: Path) -> None:
    client_secret, _ = oauth_files(tmp_path, fake)
    with pytest.raises(GoogleConfigError, match="TONGHOP_GOOGLE_API_URL"):
        build_client(credentials=signed_in(fake, client_secret, OAUTH_SCOPES),
                     base_url="https://emulator.example.com")  # fmt: skip
