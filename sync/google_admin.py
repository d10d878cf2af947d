"""Setting up the Google side: `doctor` checks and `provision` of units' spreadsheets.

Both are libraries for thin CLI commands: `doctor` returns Check results (what is wrong and
the fix, in Vietnamese for the district's IT person), `provision` returns the URLs to record
in the roster. Neither reads configuration or the environment.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gspread
from gspread.exceptions import APIError
from gspread.urls import DRIVE_FILES_API_V3_URL

from .base import SheetRef
from .google import (
    ACCESS_ERRORS,
    CLOCK_SKEW_VI,
    SHEET_MIME,
    XLSX_MIME,
    GoogleSource,
    classify,
    is_published_link,
    report_from_spreadsheet,
    sheet_url,
    spreadsheet_key,
)
from .http import GoogleConfigError, load_credentials, read_service_account_key

log = logging.getLogger(__name__)

UPLOAD_URL = "https://www.googleapis.com/upload/drive/v3/files"
VERSION_NAME = "tt_phien_ban"
_PROBE_KEY = "tonghop-doctor-probe"  # never a real key: Sheets answers 404 when it is enabled


@dataclass(frozen=True, slots=True)
class Check:
    """One doctor finding: what was checked, whether it passed, what was seen, how to fix."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


# ---------------------------------------------------------------------------------- doctor


def check_key_file(key_file: str | Path) -> Check:
    """The key file is readable, is a service-account key, and its private key loads."""
    name = "Tệp khóa tài khoản dịch vụ"
    try:
        email = str(read_service_account_key(key_file)["client_email"])
        load_credentials(key_file, ())
    except GoogleConfigError as exc:
        return Check(
            name,
            False,
            str(exc),
            "Tải khóa JSON của tài khoản dịch vụ: Google Cloud console → IAM & Admin → Service "
            "accounts → Keys → Add key → JSON, rồi ghi đường dẫn vào [google] credentials.",
        )
    return Check(name, True, f"{key_file}: tài khoản dịch vụ {email}")


MAX_CLOCK_SKEW = 240.0  # seconds; Google refuses tokens from a clock ~5 minutes off


def check_clock(client: gspread.Client, now: Callable[[], datetime] | None = None) -> Check:
    """This machine's clock against the `Date` header Google answers with."""
    name = "Đồng hồ máy chủ"
    server = client.http_client.server_date()  # type: ignore[attr-defined]
    if server is None:
        return Check(name, True, "không đọc được giờ của Google (bỏ qua)")
    local = (now or (lambda: datetime.now(UTC)))()
    skew = (local - server).total_seconds()
    side = "nhanh" if skew > 0 else "chậm"
    detail = f"máy này {side} {abs(skew):.0f} giây so với giờ của Google"
    if abs(skew) > MAX_CLOCK_SKEW:
        return Check(name, False, detail, CLOCK_SKEW_VI)
    return Check(name, True, detail)


def check_apis(client: gspread.Client) -> tuple[list[Check], str]:
    """Drive and Sheets APIs reachable and enabled; also returns the account's e-mail."""
    http = client.http_client
    checks = []
    email = ""
    try:
        about = http.request(
            "get", "https://www.googleapis.com/drive/v3/about", params={"fields": "user"}
        ).json()
        email = str(about.get("user", {}).get("emailAddress", ""))
        checks.append(Check("Google Drive API", True, f"truy cập được với {email or '?'}"))
    except ACCESS_ERRORS as exc:
        problem = classify(exc, api="drive", link="", email=email)
        checks.append(Check("Google Drive API", False, problem.reason, problem.message_vi))
    try:
        http.fetch_sheet_metadata(_PROBE_KEY, params={"fields": "spreadsheetId"})
        checks.append(Check("Google Sheets API", True, "truy cập được"))
    except APIError as exc:
        problem = classify(exc, api="sheets", link="", email=email)
        enabled = exc.response.status_code in (403, 404) and "SERVICE_DISABLED" not in str(
            exc.error
        )
        if enabled:  # the probe key does not exist: any 404/403 proves the API answers
            checks.append(Check("Google Sheets API", True, "truy cập được"))
        else:
            checks.append(Check("Google Sheets API", False, problem.reason, problem.message_vi))
    except ACCESS_ERRORS as exc:
        problem = classify(exc, api="sheets", link="", email=email)
        checks.append(Check("Google Sheets API", False, problem.reason, problem.message_vi))
    return checks, email


def check_unit(
    client: gspread.Client,
    ref: SheetRef,
    *,
    required_names: Collection[str],
    expected_version: str | None,
    service_account_email: str,
) -> Check:
    """One unit: found, shared, a native Google Sheet, the template's names, readable."""
    name = f"Đơn vị {ref.code}"
    key = spreadsheet_key(ref.sheet)
    if key is None and is_published_link(ref.sheet):
        problem = GoogleSource.problem_for_roster_entry(ref.sheet)
        return Check(name, False, "liên kết “Xuất bản lên web”", problem.message_vi)
    if key is None:
        what = "chưa có bảng tính" if not ref.sheet.strip() else f"“{ref.sheet}” không hợp lệ"
        return Check(
            name,
            False,
            what,
            "Chạy “tonghop provision” hoặc ghi đường dẫn Google Trang tính của đơn vị vào cột "
            "sheet của danh sách đơn vị.",
        )
    http = client.http_client
    link = sheet_url(key)
    try:
        meta = http.request(
            "get",
            f"{DRIVE_FILES_API_V3_URL}/{key}",
            params={"fields": "id,name,mimeType,trashed", "supportsAllDrives": "true"},
        ).json()
    except ACCESS_ERRORS as exc:
        problem = classify(exc, api="drive", link=link, email=service_account_email)
        return Check(name, False, problem.reason, problem.message_vi)
    if meta.get("trashed"):
        return Check(name, False, "tệp nằm trong Thùng rác", "Khôi phục tệp từ Thùng rác Drive.")
    if meta.get("mimeType") == XLSX_MIME:
        return Check(
            name,
            False,
            "tệp Excel tải lên, chưa phải Google Trang tính",
            "Mở tệp → Tệp → Lưu dưới dạng Google Trang tính, rồi ghi đường dẫn mới vào danh "
            "sách đơn vị.",
        )
    if meta.get("mimeType") != SHEET_MIME:
        return Check(name, False, f"không phải bảng tính ({meta.get('mimeType')})",
                     "Sửa đường dẫn trong danh sách đơn vị.")  # fmt: skip
    try:
        report = report_from_spreadsheet(GoogleSource(client).fetch(key))
    except ACCESS_ERRORS as exc:
        problem = classify(exc, api="sheets", link=link, email=service_account_email)
        return Check(name, False, problem.reason, problem.message_vi)
    missing = sorted(n for n in required_names if n not in report.blocks)
    broken = sorted(n for n, b in report.blocks.items() if b.error and n in required_names)
    if missing or broken:
        listed = ", ".join((missing + broken)[:8]) + ("…" if len(missing + broken) > 8 else "")
        return Check(
            name,
            False,
            f"{meta.get('name')}: thiếu {len(missing)} và hỏng {len(broken)} vùng được đặt tên "
            f"của mẫu ({listed})",
            "Bảng tính không đúng mẫu hoặc đã bị sửa cấu trúc: khôi phục phiên bản trước (Tệp → "
            "Nhật ký phiên bản) hoặc tạo lại từ mẫu bằng “tonghop provision”.",
        )
    found = _version(report.blocks.get(VERSION_NAME))
    if expected_version is not None and found != expected_version:
        return Check(
            name,
            False,
            f"{meta.get('name')}: mẫu phiên bản {found or '(trống)'}, cần {expected_version}",
            "Đơn vị đang dùng mẫu cũ: tạo bảng tính mới từ mẫu hiện hành và chép số liệu sang.",
        )
    where = f"khu vực {report.locale or '?'}, múi giờ {report.time_zone or '?'}"
    if not (report.locale or "").lower().startswith("vi"):
        return Check(
            name,
            False,
            f"{meta.get('name')}: {where}, không phải Việt Nam (số 1.234 bị hiểu thành 1,234)",
            "Đơn vị (hoặc người tạo tệp) mở bảng tính, chọn Tệp → Cài đặt → Khu vực (Locale): "
            "Việt Nam, Múi giờ: (GMT+07:00) Hà Nội, bấm Lưu cài đặt; rồi kiểm tra lại số và "
            "ngày đã nhập.",
        )
    return Check(
        name,
        True,
        f"{meta.get('name')}: đọc được, {len(report.blocks)} vùng được đặt tên, mẫu {found}, "
        f"{where}",
    )


def _version(block: Any) -> str:
    if block is None or block.error:
        return ""
    value = block.cell(0, 0).value
    return "" if value is None else str(value).strip()


def check_status_sheet(
    client: gspread.Client, key_or_url: str, service_account_email: str
) -> Check:
    """The status sheet exists, is a Google Sheet, and the service account may edit it."""
    name = "Bảng tình trạng"
    key = spreadsheet_key(key_or_url)
    if key is None:
        return Check(name, False, f"“{key_or_url}” không phải đường dẫn Google Trang tính",
                     "Sửa [google] status_spreadsheet trong tonghop.toml.")  # fmt: skip
    try:
        meta = client.http_client.request(
            "get",
            f"{DRIVE_FILES_API_V3_URL}/{key}",
            params={"fields": "id,name,mimeType,capabilities(canEdit)",
                    "supportsAllDrives": "true"},
        ).json()  # fmt: skip
    except ACCESS_ERRORS as exc:
        problem = classify(exc, api="drive", link=sheet_url(key), email=service_account_email)
        return Check(name, False, problem.reason, problem.message_vi)
    if meta.get("mimeType") != SHEET_MIME:
        return Check(name, False, "không phải Google Trang tính",
                     "Dùng một Google Trang tính làm bảng tình trạng.")  # fmt: skip
    if not meta.get("capabilities", {}).get("canEdit"):
        return Check(
            name,
            False,
            f"{meta.get('name')}: chỉ có quyền xem",
            f"Mở bảng tình trạng, bấm Chia sẻ, thêm {service_account_email} với quyền Người "
            "chỉnh sửa.",
        )
    return Check(name, True, f"{meta.get('name')}: ghi được")


def doctor(
    client: gspread.Client | None,
    refs: Sequence[SheetRef],
    *,
    required_names: Collection[str],
    expected_version: str | None = None,
    status_spreadsheet: str = "",
    key_file: str | Path | None = None,
    service_account_email: str = "",
) -> list[Check]:
    """Every check, in the order a person fixes them; stops early where later ones can't run.

    `client` is None when it could not be built (the key file check then says why).
    """
    checks: list[Check] = []
    if key_file is not None:
        checks.append(check_key_file(key_file))
    if client is None:
        return checks
    checks.append(check_clock(client))
    api_checks, email = check_apis(client)
    checks.extend(api_checks)
    email = service_account_email or email
    if not all(c.ok for c in api_checks):
        return checks
    for ref in refs:
        checks.append(
            check_unit(
                client,
                ref,
                required_names=required_names,
                expected_version=expected_version,
                service_account_email=email,
            )
        )
    if status_spreadsheet:
        checks.append(check_status_sheet(client, status_spreadsheet, email))
    return checks


# ------------------------------------------------------------------------------- provision


class ProvisionError(Exception):
    """Provisioning stopped; `provisioned` holds the units done before, `message_vi` the fix."""

    def __init__(self, message: str, message_vi: str, provisioned: Mapping[str, str]) -> None:
        super().__init__(message)
        self.message_vi = message_vi
        self.provisioned = dict(provisioned)


def default_file_name(code: str) -> str:
    return f"Sơ kết giữa nhiệm kỳ - {code}"


def provision(
    client: gspread.Client,
    units: Sequence[SheetRef],
    render_xlsx: Callable[[str], bytes],
    share_email_of: Callable[[str], str | None],
    folder_id: str,
    service_account_email: str,
    *,
    file_name: Callable[[str], str] = default_file_name,
    notify: bool = True,
) -> dict[str, str]:
    """Create a native Google Sheet from the template for each unit without a sheet.

    Each unit's rendered .xlsx is uploaded into `folder_id` (a Shared Drive folder the service
    account belongs to) with conversion to Google Sheets, which keeps the defined names as
    named ranges; it is shared with the unit's e-mail as writer and the service account as
    reader. Idempotent: a file of the same name already in the folder is reused, so a rerun
    after a failure creates nothing twice. Returns {code: url} for the units handled.
    """
    http = client.http_client
    done: dict[str, str] = {}
    for ref in units:
        if ref.sheet.strip():
            continue
        name = file_name(ref.code)
        try:
            file_id = _find_in_folder(http, folder_id, name)
            if file_id is None:
                file_id = _upload(http, folder_id, name, render_xlsx(ref.code))
                log.info("provision %s: created %s", ref.code, file_id)
            _ensure_shared(http, file_id, share_email_of(ref.code), service_account_email, notify)
        except APIError as exc:
            raise _provision_error(exc, ref.code, folder_id, service_account_email, done) from exc
        except ACCESS_ERRORS as exc:
            raise ProvisionError(
                f"unit {ref.code}: {type(exc).__name__} talking to Google",
                "Không kết nối được tới Google; chạy lại “tonghop provision” (các đơn vị đã tạo "
                "không bị tạo lại).",
                done,
            ) from exc
        done[ref.code] = sheet_url(file_id)
    return done


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _find_in_folder(http: Any, folder_id: str, name: str) -> str | None:
    q = (
        f"name = {_quote(name)} and {_quote(folder_id)} in parents and trashed = false "
        f"and mimeType = '{SHEET_MIME}'"
    )
    params = {
        "q": q,
        "pageSize": 10,
        "fields": "files(id,name)",
        "supportsAllDrives": "true",
        "includeItemsFromAllDrives": "true",
        "corpora": "allDrives",
    }
    files = http.request("get", DRIVE_FILES_API_V3_URL, params=params).json().get("files", [])
    return str(files[0]["id"]) if files else None


def _upload(http: Any, folder_id: str, name: str, xlsx: bytes) -> str:
    metadata = {"name": name, "mimeType": SHEET_MIME, "parents": [folder_id]}
    boundary = f"tonghop-{uuid.uuid4().hex}"
    while boundary.encode() in xlsx:
        boundary = f"tonghop-{uuid.uuid4().hex}"
    body = (
        (
            f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
            f"{json.dumps(metadata, ensure_ascii=False)}\r\n"
            f"--{boundary}\r\nContent-Type: {XLSX_MIME}\r\n\r\n"
        ).encode()
        + xlsx
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = http.request(
        "post",
        UPLOAD_URL,
        params={"uploadType": "multipart", "supportsAllDrives": "true", "fields": "id"},
        data=body,
        headers={"Content-Type": f"multipart/related; boundary={boundary}"},
    )
    return str(response.json()["id"])


def _ensure_shared(
    http: Any, file_id: str, unit_email: str | None, sa_email: str, notify: bool
) -> None:
    url = f"{DRIVE_FILES_API_V3_URL}/{file_id}/permissions"
    listed = http.request(
        "get",
        url,
        params={"fields": "permissions(id,type,role,emailAddress)", "supportsAllDrives": "true"},
    ).json()
    roles = {
        str(p.get("emailAddress", "")).lower(): p.get("role") for p in listed.get("permissions", [])
    }
    wanted = [(sa_email, "reader", False)]
    if unit_email:
        wanted.insert(0, (unit_email, "writer", notify))
    for email, role, send in wanted:
        have = roles.get(email.lower())
        if have in ("owner", "organizer", "fileOrganizer", "writer") or have == role:
            continue
        http.request(
            "post",
            url,
            params={"supportsAllDrives": "true", "sendNotificationEmail": str(send).lower()},
            json={"type": "user", "role": role, "emailAddress": email},
        )


def _provision_error(
    exc: APIError, code: str, folder_id: str, sa_email: str, done: Mapping[str, str]
) -> ProvisionError:
    error = exc.error if isinstance(exc.error, Mapping) else {}
    reasons = {e.get("reason") for e in error.get("errors", []) if isinstance(e, Mapping)}
    if "storageQuotaExceeded" in reasons:
        return ProvisionError(
            f"unit {code}: the service account cannot own files ('Service Accounts do not have "
            f"storage quota'). Make {folder_id} a folder of a Shared Drive and add {sa_email} "
            "to that Shared Drive as Content manager, or provision with a person's OAuth "
            "credentials.",
            f"Tài khoản dịch vụ không được sở hữu tệp trên Drive. Tạo một Bộ nhớ dùng chung "
            f"(Shared Drive), thêm {sa_email} làm Người quản lý nội dung, đặt thư mục cấp bảng "
            "tính trong đó rồi chạy lại; hoặc chạy provision bằng tài khoản Google của một người.",
            done,
        )
    problem = classify(exc, api="drive", link="", email=sa_email)
    return ProvisionError(f"unit {code}: {problem.reason}", problem.message_vi, done)
