"""Setting up the Google side: `doctor` checks and `provision` of units' spreadsheets.

Both are libraries for thin CLI commands: `doctor` returns Check results (what is wrong and
the fix, in Vietnamese for the district's IT person), `provision` returns the URLs to record
in the roster. Neither reads configuration or the environment.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gspread
from google.auth.exceptions import RefreshError
from gspread.exceptions import APIError
from gspread.urls import DRIVE_FILES_API_V3_URL

from .base import ProblemKind, SheetRef, SourceProblem
from .google import (
    ACCESS_ERRORS,
    CLOCK_SKEW_VI,
    SHEET_MIME,
    XLSX_MIME,
    GoogleSource,
    classify,
    is_clock_skew,
    is_published_link,
    report_from_spreadsheet,
    sheet_url,
    spreadsheet_key,
)
from .google_oauth import is_sign_in_refused
from .google_rules import compare, read_back, template_rules, verify_and_restore
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


_KIND_VI = {
    ProblemKind.MISSING: "chưa có bảng tính",
    ProblemKind.INVALID: "không đọc được như mẫu báo cáo",
    ProblemKind.UNREACHABLE: "không truy cập được",
}


def _failed(name: str, problem: SourceProblem) -> Check:
    """A failed check as a person reads it: what, in Vietnamese, and the fix; the English
    reason goes to the log (-v)."""
    log.debug("%s: chi tiết: %s", name, problem.reason)
    return Check(name, False, _KIND_VI[problem.kind], problem.message_vi)


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
        checks.append(_failed("Google Drive API", problem))
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
            checks.append(_failed("Google Sheets API", problem))
    except ACCESS_ERRORS as exc:
        problem = classify(exc, api="sheets", link="", email=email)
        checks.append(_failed("Google Sheets API", problem))
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
        return _failed(name, problem)
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
        return _failed(name, problem)
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
            "Lịch sử phiên bản) hoặc tạo lại từ mẫu bằng “tonghop provision”.",
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


def check_unit_rules(client: gspread.Client, ref: SheetRef, rules: Sequence[Any]) -> Check:
    """What the unit's sheet holds of the template's red cells and validations (read back)."""
    name = f"Đơn vị {ref.code}: kiểm tra trong bảng tính"
    key = spreadsheet_key(ref.sheet) or ""
    try:
        check = compare(rules, read_back(client.http_client, key))
    except ACCESS_ERRORS as exc:
        return Check(name, False, f"không đọc lại được ({type(exc).__name__})")
    if not check.lost:
        return Check(name, True, check.summary_vi())
    return Check(
        name,
        False,
        check.summary_vi(),
        "Chỉ là trợ giúp khi nhập (ô đỏ, cảnh báo): khi tổng hợp hệ thống vẫn kiểm tra đầy đủ. "
        "Bảng tính tạo bằng “tonghop provision” được thêm lại các quy tắc này.",
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
        status = exc.response.status_code if isinstance(exc, APIError) else None
        if status in (403, 404):  # the unit wording asks for Viewer; this sheet needs Editor
            return Check(
                name,
                False,
                "chưa mở được bảng tình trạng",
                "Đường dẫn ở [google] status_spreadsheet sai, bảng đã bị xóa, hoặc chưa được "
                f"chia sẻ: mở bảng tình trạng, bấm Chia sẻ, thêm "
                f"{service_account_email or 'tài khoản dịch vụ của hệ thống'} với quyền Người "
                "chỉnh sửa rồi bấm Gửi.",
            )
        problem = classify(exc, api="drive", link=sheet_url(key), email=service_account_email)
        return _failed(name, problem)
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
    rules_of: Callable[[str], Sequence[Any]] | None = None,
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
        unit = check_unit(
            client,
            ref,
            required_names=required_names,
            expected_version=expected_version,
            service_account_email=email,
        )
        checks.append(unit)
        if unit.ok and rules_of is not None:
            checks.append(check_unit_rules(client, ref, rules_of(ref.code)))
    if status_spreadsheet:
        checks.append(check_status_sheet(client, status_spreadsheet, email))
    return checks


# ------------------------------------------------------------------------------- provision


class ProvisionError(Exception):
    """Provisioning stopped; `provisioned` holds the units done before, `message_vi` the fix."""

    def __init__(
        self,
        message: str,
        message_vi: str,
        provisioned: Mapping[str, str],
        *,
        sign_in_refused: bool = False,
    ) -> None:
        super().__init__(message)
        self.message_vi = message_vi
        self.provisioned = dict(provisioned)
        # Google refused the stored sign-in (invalid_grant): signing in again is the fix.
        self.sign_in_refused = sign_in_refused


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
    required_names: Collection[str] = (),
    on_warning: Callable[[str, str], None] | None = None,
    percent_names: Collection[str] = (),
) -> dict[str, str]:
    """Create a native Google Sheet from the template for each unit without a sheet.

    Each unit's rendered .xlsx is uploaded into `folder_id` (a Shared Drive folder the service
    account belongs to, or any folder of the person whose OAuth credentials the client
    carries; "" is that person's My Drive) with conversion to Google Sheets, which keeps the
    defined names as named ranges. Then, with one read and one write per sheet: the names
    are checked (`required_names`), the locale set to vi_VN and the time zone to
    Asia/Ho_Chi_Minh, and each tab protected as warning-only except its named ranges (the
    labels, so no unit is ever locked out). It is shared with the unit's e-mail as writer
    and the service account as reader.

    Idempotent: a file of the same name already in the folder is reused and only what it
    lacks is set, so a rerun after a failure creates nothing twice; an upload is never
    resent before looking for the file again. What did not survive, and sharing e-mails
    Drive could not send, go to `on_warning(code, message_vi)` without stopping. Returns
    {code: url} for the units handled.
    """
    http = client.http_client
    warn = on_warning or (lambda code, text: log.warning("tạo bảng tính %s: %s", code, text))
    parent = folder_id or "root"
    done: dict[str, str] = {}
    drive_id = None
    if folder_id and any(not ref.sheet.strip() for ref in units):
        try:
            drive_id = _folder_drive(http, folder_id)
        except ACCESS_ERRORS as exc:
            # A person signed in with the drive.file scope cannot read a folder the app did
            # not create: the upload into it still says whether the folder exists.
            # (Any other failure here comes back on the upload, where it is explained.)
            log.info("thư mục %s: %s; tìm trong đó như thư mục của My Drive", folder_id, exc)
    for ref in units:
        if ref.sheet.strip():
            continue
        name = file_name(ref.code)
        try:
            xlsx = render_xlsx(ref.code)
            file_id = _find_in_folder(http, parent, name, drive_id)
            if file_id is None:
                file_id = _upload_checked(http, parent, name, xlsx, drive_id)
                log.info("tạo bảng tính %s: đã tạo tệp %s", ref.code, file_id)
            for problem in _set_up_sheet(http, file_id, required_names, percent_names):
                warn(ref.code, problem)
            for problem in _restore_checks(http, ref.code, file_id, template_rules(xlsx)):
                warn(ref.code, problem)
            for problem in _ensure_shared(
                http, file_id, share_email_of(ref.code), service_account_email, notify
            ):
                warn(ref.code, problem)
        except APIError as exc:
            raise _provision_error(exc, ref.code, folder_id, service_account_email, done) from exc
        except RefreshError as exc:
            if is_clock_skew(exc) or not is_sign_in_refused(exc):
                raise _access_error(exc, ref.code, done) from exc
            raise ProvisionError(
                f"unit {ref.code}: the stored sign-in was refused (invalid_grant)",
                "Google từ chối phiên đăng nhập đã lưu (invalid_grant: hết hạn hoặc bị thu hồi): "
                "xóa tệp đăng nhập đã lưu rồi chạy lại “tonghop provision --oauth”.",
                done,
                sign_in_refused=True,
            ) from exc
        except ACCESS_ERRORS as exc:
            raise _access_error(exc, ref.code, done) from exc
        done[ref.code] = sheet_url(file_id)
    return done


def _access_error(exc: BaseException, code: str, done: Mapping[str, str]) -> ProvisionError:
    if is_clock_skew(exc):
        return ProvisionError(f"unit {code}: token refused, clock off", CLOCK_SKEW_VI, done)
    return ProvisionError(
        f"unit {code}: {type(exc).__name__} talking to Google",
        "Không kết nối được tới Google; chạy lại “tonghop provision” (các đơn vị đã tạo "
        "không bị tạo lại).",
        done,
    )


def _restore_checks(http: Any, code: str, file_id: str, rules: Sequence[Any]) -> list[str]:
    """Put back the template's red cells and validations the conversion lost (read back)."""
    before, after = verify_and_restore(http, file_id, rules)
    if before.lost:
        log.info("tạo bảng tính %s: %s; đã thêm lại %d quy tắc sau khi tải lên", code,
                 before.summary_vi(), len(before.lost) - len(after.lost))  # fmt: skip
    if not after.lost:
        return []
    return [
        f"Sau khi thêm lại, bảng tính vẫn thiếu {len(after.lost)} quy tắc kiểm tra của mẫu "
        f"({after.summary_vi()}). Chạy “tonghop doctor --google-probe” để xem Google giữ được "
        "gì; đơn vị vẫn được kiểm tra đầy đủ khi tổng hợp."
    ]


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _folder_drive(http: Any, folder_id: str) -> str | None:
    """The Shared Drive id of the folder (None in My Drive); a wrong id answers 404 here."""
    meta = http.request(
        "get",
        f"{DRIVE_FILES_API_V3_URL}/{folder_id}",
        params={"fields": "id,mimeType,driveId", "supportsAllDrives": "true"},
    ).json()
    return str(meta["driveId"]) if meta.get("driveId") else None


def _find_in_folder(
    http: Any, folder_id: str, name: str, drive_id: str | None = None
) -> str | None:
    """The file of that name in the folder. In a Shared Drive the search covers that drive
    only (corpora=drive), which Drive always searches whole; elsewhere an answer flagged
    incompleteSearch is logged (the caller then relies on its own upload's answer)."""
    q = (
        f"name = {_quote(name)} and {_quote(folder_id)} in parents and trashed = false "
        f"and mimeType = '{SHEET_MIME}'"
    )
    params = {
        "q": q,
        "pageSize": 10,
        "fields": "incompleteSearch,files(id,name)",
        "supportsAllDrives": "true",
        "includeItemsFromAllDrives": "true",
        **({"corpora": "drive", "driveId": drive_id} if drive_id else {"corpora": "user"}),
    }
    answer = http.request("get", DRIVE_FILES_API_V3_URL, params=params).json()
    if answer.get("incompleteSearch"):
        log.warning("Google Drive chỉ tìm được trong một phần các ổ khi tìm “%s”", name)
    files = answer.get("files", [])
    return str(files[0]["id"]) if files else None


_UPLOAD_ATTEMPTS = 3


def _upload_checked(
    http: Any, folder_id: str, name: str, xlsx: bytes, drive_id: str | None = None
) -> str:
    """Upload once at a time; after any failure look for the file before uploading again:
    a create whose answer was lost (a dropped connection, a 5xx) may have been applied."""
    for attempt in range(1, _UPLOAD_ATTEMPTS + 1):
        try:
            return _upload(http, folder_id, name, xlsx)
        except (APIError, *ACCESS_ERRORS) as exc:
            transient = (
                not isinstance(exc, APIError) or exc.code in (408, 429, -1) or (exc.code >= 500)
            )
            if not transient:
                raise
            found = _find_in_folder(http, folder_id, name, drive_id)
            if found is not None:
                log.info(
                    "tải lên “%s” bị lỗi (%s) nhưng tệp đã có trên Drive: %s", name, exc, found
                )
                return found
            if attempt == _UPLOAD_ATTEMPTS:
                raise
            log.info("tải lên “%s” bị lỗi (%s), tệp chưa được tạo: tải lên lại", name, exc)
            getattr(http, "pause", time.sleep)(min(2.0**attempt, 8.0))
    raise AssertionError("unreachable")


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
    send = getattr(http, "request_once", None) or http.request
    response = send(
        "post",
        UPLOAD_URL,
        params={"uploadType": "multipart", "supportsAllDrives": "true", "fields": "id"},
        data=body,
        headers={"Content-Type": f"multipart/related; boundary={boundary}"},
    )
    return str(response.json()["id"])


LOCALE, TIME_ZONE = "vi_VN", "Asia/Ho_Chi_Minh"
PERCENT_FORMAT = {"type": "PERCENT", "pattern": "0.00%"}
_SETUP_FIELDS = (
    "properties(locale,timeZone),"
    "sheets(properties(sheetId,title),protectedRanges(protectedRangeId,warningOnly)),"
    "namedRanges(name,range)"
)


def _set_up_sheet(
    http: Any, file_id: str, required_names: Collection[str], percent_names: Collection[str] = ()
) -> list[str]:
    """One read, then (if anything is missing) one batchUpdate: Vietnam locale and time
    zone, warning-only protection of each tab's labels, a percent format on the percent
    fields (`percent_names`). Returns what did not survive."""
    meta = http.fetch_sheet_metadata(file_id, params={"fields": _SETUP_FIELDS})
    props = meta.get("properties", {})
    names = meta.get("namedRanges", [])
    problems = []
    lost = sorted(set(required_names) - {str(n.get("name")) for n in names})
    if lost:
        shown = ", ".join(lost[:8]) + ("…" if len(lost) > 8 else "")
        problems.append(
            f"{len(lost)} vùng được đặt tên của mẫu không còn sau khi chuyển sang Google Trang "
            f"tính ({shown}): đơn vị này sẽ bị báo thiếu ô. Xóa tệp trên Drive rồi chạy lại "
            "“tonghop provision”, hoặc báo người phát triển kiểm tra mẫu."
        )
    requests: list[dict[str, Any]] = []
    if props.get("locale") != LOCALE or props.get("timeZone") != TIME_ZONE:
        requests.append(
            {
                "updateSpreadsheetProperties": {
                    "properties": {"locale": LOCALE, "timeZone": TIME_ZONE},
                    "fields": "locale,timeZone",
                }
            }
        )
    inputs: dict[int, list[dict[str, Any]]] = {}
    for named in names:
        rng = dict(named.get("range", {}))
        inputs.setdefault(int(rng.get("sheetId", 0)), []).append(rng)
    for sheet in meta.get("sheets", []):
        sp = sheet.get("properties", {})
        sheet_id = int(sp.get("sheetId", 0))
        guards = sheet.get("protectedRanges") or []
        # Google may turn the template's sheet protection into protected ranges on import:
        # those lock the unit out of its own input cells. Replace them by the warning-only
        # guard (the labels warn, no cell is ever locked).
        for hard in (p for p in guards if not p.get("warningOnly")):
            log.info("trang “%s”: đã bỏ lớp bảo vệ Google thêm khi chuyển đổi (nó khóa ô nhập)",
                     sp.get("title"))  # fmt: skip
            requests.append(
                {"deleteProtectedRange": {"protectedRangeId": hard["protectedRangeId"]}}
            )
        if any(p.get("warningOnly") for p in guards):
            continue  # protected on an earlier run
        requests.append(
            {
                "addProtectedRange": {
                    "protectedRange": {
                        "range": {"sheetId": sheet_id},
                        "unprotectedRanges": inputs.get(sheet_id, []),
                        "description": "tonghop: nhãn của mẫu (chỉ cảnh báo, không khóa)",
                        "warningOnly": True,
                    }
                }
            }
        )
    if not requests:
        return problems
    # Percent fields get a percent format: a "95%" typed into a cell whose explicit format is
    # "0.00" may keep it and store 0.95 (Google does not document which); with a percent
    # format it is 0.95 *as a percent*, read as 95. Set with the first set-up only.
    for named in names:
        if str(named.get("name")) in percent_names:
            requests.append(
                {
                    "repeatCell": {
                        "range": dict(named.get("range", {})),
                        "cell": {"userEnteredFormat": {"numberFormat": PERCENT_FORMAT}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
    body = {"requests": requests, "includeSpreadsheetInResponse": True,
            "responseIncludeGridData": False}  # fmt: skip
    after = http.batch_update(file_id, body).get("updatedSpreadsheet", {})
    got = after.get("properties", {})
    if (got.get("locale"), got.get("timeZone")) != (LOCALE, TIME_ZONE):
        problems.append(
            f"Không đặt được khu vực Việt Nam (đang là {got.get('locale')}, "
            f"{got.get('timeZone')}): mở bảng tính, chọn Tệp → Cài đặt → Khu vực: Việt Nam, "
            "Múi giờ: (GMT+07:00) Hà Nội."
        )
    unguarded = [
        str(sh.get("properties", {}).get("title"))
        for sh in after.get("sheets", [])
        if not any(p.get("warningOnly") for p in sh.get("protectedRanges", []))
        or not all(p.get("warningOnly") for p in sh.get("protectedRanges", []))
    ]
    if unguarded:
        problems.append(f"Không bảo vệ (chỉ cảnh báo) được nhãn của trang: {', '.join(unguarded)}.")
    return problems


def _ensure_shared(
    http: Any, file_id: str, unit_email: str | None, sa_email: str, notify: bool
) -> list[str]:
    """Share with the unit (writer) and the service account (reader); returns warnings.

    Drive's 403 sharing rate limits are retried by the HTTP client; a 400
    invalidSharingRequest (Drive could not send the invitation e-mail) is a warning."""
    url = f"{DRIVE_FILES_API_V3_URL}/{file_id}/permissions"
    listed = http.request(
        "get",
        url,
        params={"fields": "permissions(id,type,role,emailAddress)", "supportsAllDrives": "true"},
    ).json()
    roles = {
        str(p.get("emailAddress", "")).lower(): p.get("role") for p in listed.get("permissions", [])
    }
    wanted = [(sa_email, "reader", False)] if sa_email else []
    if unit_email:
        wanted.insert(0, (unit_email, "writer", notify))
    warnings = []
    for email, role, send in wanted:
        have = roles.get(email.lower())
        if have in ("owner", "organizer", "fileOrganizer", "writer") or have == role:
            continue
        try:
            http.request(
                "post",
                url,
                params={"supportsAllDrives": "true", "sendNotificationEmail": str(send).lower()},
                json={"type": "user", "role": role, "emailAddress": email},
            )
        except APIError as exc:
            if "invalidSharingRequest" not in _reasons(exc):
                raise
            warnings.append(
                f"Drive không chia sẻ được với {email} (không gửi được thư mời: "
                f"{_message(exc)}). Mở bảng tính, bấm Chia sẻ, thêm {email} với quyền "
                f"{'Người chỉnh sửa' if role == 'writer' else 'Người xem'} rồi gửi đường dẫn "
                "cho đơn vị."
            )
    return warnings


def _reasons(exc: APIError) -> set[str]:
    error = exc.error if isinstance(exc.error, Mapping) else {}
    return {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, Mapping)}


def _message(exc: APIError) -> str:
    error = exc.error if isinstance(exc.error, Mapping) else {}
    return str(error.get("message", ""))[:160]


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
    status = exc.response.status_code if exc.response is not None else exc.code
    if status == 404:
        return ProvisionError(
            f"unit {code}: folder {folder_id!r} not found (wrong [google] folder_id, or not "
            "visible to the account provisioning)",
            f"Không tìm thấy thư mục cấp bảng tính (folder_id = “{folder_id}”): mã thư mục trong "
            "[google] folder_id sai, hoặc tài khoản đang cấp bảng tính không thấy thư mục đó. "
            "Mở thư mục trên Drive, chép phần mã sau “/folders/” trên thanh địa chỉ vào "
            "folder_id; nếu thư mục ở Bộ nhớ dùng chung (Shared Drive), thêm tài khoản "
            f"{sa_email or 'dịch vụ'} làm thành viên rồi chạy lại.",
            done,
        )
    if status == 403 and not reasons & {"rateLimitExceeded", "userRateLimitExceeded"}:
        return ProvisionError(
            f"unit {code}: 403 creating in folder {folder_id!r} (not a member of the Shared "
            "Drive, or no edit right on the folder)",
            f"Tài khoản {sa_email or 'dịch vụ'} không được tạo tệp trong thư mục “{folder_id}”: "
            "mở Bộ nhớ dùng chung (Shared Drive) chứa thư mục, bấm Quản lý thành viên, thêm tài "
            "khoản này với vai trò Người quản lý nội dung (Content manager), rồi chạy lại "
            "“tonghop provision”. Các đơn vị không cần làm gì.",
            done,
        )
    problem = classify(exc, api="drive", link="", email=sa_email)
    return ProvisionError(f"unit {code}: {problem.reason}", problem.message_vi, done)
