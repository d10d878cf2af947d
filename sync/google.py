"""Google Sheets as a source: one Drive listing for versions, one Sheets read per pulled unit.

Why one `spreadsheets.get` with grid data and a fields mask, and not `values:batchGet`.
Measured against the local fake, on the real template filled with a valid report (113 named
ranges, 7 tabs); `python -m pytest tests/sync/test_read_strategy.py -s` prints the same table
for a template-sized synthetic workbook (845 KB / 91 KB / 42 KB / 85 KB there):

    strategy                                         calls      bytes  formats
    spreadsheets.get, grid data, no fields mask        1   1,367,213    yes
    spreadsheets.get, grid data, fields mask (ours)    1     147,566    yes
    metadata + values:batchGet UNFORMATTED_VALUE       2      24,736    no
    spreadsheets.get, ranges=<every name>, mask        1     119,586    yes

(Bytes are the fake's, pretty-printed like Google's answers: the ratios carry over, the
absolute numbers are estimates.) `values:batchGet` is the smallest but loses the number
format, so a unit's "8,5%" (stored 0.085 with a percent format) cannot be told from a typed
0.085; it needs a second call to learn which names exist, and a name deleted between the
two calls fails the whole batch. Passing the names as `ranges=` has the same failure mode and
puts a ~3 KB query string on every call. (Google leaves a broken named range out of every
answer rather than returning #REF!: a deleted name is simply absent, and the parser tells
the unit to restore an earlier version.) Without a mask Google also sends every cell's full
effective format and per-row metadata: 9× the bytes, already 1.4 MB of the ~2 MB a response
should stay under, before a unit writes long "Kiểm điểm" sections. The mask keeps what the
parser needs: tab titles and ids, named ranges, locale, time zone, and each cell's
effectiveValue and effectiveFormat.numberFormat. One read per changed unit also keeps a
57-unit district under the 60 reads/minute/user quota with the pacing in `sync.http`
(50/min: a full re-read takes about 70 s).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import gspread
import requests
from google.auth.exceptions import GoogleAuthError, TransportError
from gspread.exceptions import APIError
from gspread.urls import DRIVE_FILES_API_V3_URL

from sheets_schema.model import is_own_name
from sheets_schema.raw import Block, Cell, RawReport, pad_grid

from .base import ProblemKind, Pulled, SheetRef, SourceProblem, Version

log = logging.getLogger(__name__)

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GRID_FIELDS = (
    "properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index),"
    "data(startRow,startColumn,rowData(values(effectiveValue,effectiveFormat/numberFormat)))),"
    "namedRanges(name,range)"
)
_FILE_FIELDS = "id,name,mimeType,modifiedTime,version,trashed,webViewLink"
_LIST_FIELDS = f"nextPageToken,files({_FILE_FIELDS})"
# lastModifyingUser: who made the last edit, for the field history (no extra call).
_AFTER_READ_FIELDS = "id,modifiedTime,version,lastModifyingUser(displayName)"

# Errors of one Google call that concern that call only: classified, never raised to the job.
ACCESS_ERRORS = (APIError, requests.RequestException, GoogleAuthError)

_ERROR_TEXT = {
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "ERROR": "#ERROR!",
    "LOADING": "#LOADING!",
}

_KEY_IN_PATH = re.compile(r"/(?:spreadsheets|file)/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
_KEY_IN_QUERY = re.compile(r"[?&#](?:key|id)=([A-Za-z0-9_-]+)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_PUBLISHED = re.compile(r"/spreadsheets/(?:u/\d+/)?d/e/[A-Za-z0-9_-]+")


def spreadsheet_key(sheet: str) -> str | None:
    """The spreadsheet key in a roster's `sheet` cell: a Google URL or a bare key; else None."""
    text = sheet.strip()
    if not text or is_published_link(text):
        return None
    if "/" in text or "?" in text:
        m = _KEY_IN_PATH.search(text) or _KEY_IN_QUERY.search(text)
        return m.group(1) if m else None
    return text if _BARE_KEY.fullmatch(text) else None


def sheet_url(key: str) -> str:
    """The address a person opens for a spreadsheet key."""
    return f"https://docs.google.com/spreadsheets/d/{key}/edit"


class GoogleSource:
    """Units' Google Sheets, read through an injected gspread Client.

    `service_account_email` is the address units must share their sheets with; it is named
    in the fixes people are told. `page_size` is the Drive listing's page (1000, its maximum).
    """

    kind = "google"

    def __init__(
        self, client: gspread.Client, *, service_account_email: str = "", page_size: int = 1000
    ) -> None:
        self._http = client.http_client
        self.service_account_email = service_account_email
        self.page_size = page_size

    @staticmethod
    def problem_for_roster_entry(sheet: str) -> SourceProblem:
        """Why a roster `sheet` cell that holds no spreadsheet key cannot be read."""
        return _bad_roster_entry(sheet) if sheet.strip() else _missing()

    # ------------------------------------------------------------------ versions

    def versions(self, refs: Sequence[SheetRef]) -> Mapping[str, Version | SourceProblem]:
        """Modified times of every unit from ONE paged Drive listing (no Sheets quota).

        A unit whose file the listing does not show gets one Drive `files.get` to tell why.
        """
        out: dict[str, Version | SourceProblem] = {}
        keys: dict[str, str] = {}
        for ref in refs:
            key = spreadsheet_key(ref.sheet)
            if not ref.sheet.strip():
                out[ref.code] = _missing()
            elif key is None:
                out[ref.code] = _bad_roster_entry(ref.sheet)
            else:
                keys[ref.code] = key
        if keys:
            try:
                listed = self.list_spreadsheets()
            except ACCESS_ERRORS as exc:
                if _fails_the_run(exc):
                    # The account, the clock, the quota or the network: asking again for every
                    # unit would only fail again (and spend the quota). Classified once.
                    problem = classify(exc, api="drive", link="", email=self.service_account_email)
                    log.error("không đọc được danh sách tệp trên Google Drive, lần này không đọc "
                              "được đơn vị nào: %s", problem.message_vi)  # fmt: skip
                    log.debug("chi tiết lỗi đọc danh sách tệp trên Drive: %s", problem.reason)
                    for code, key in keys.items():
                        out[code] = replace(problem, link=sheet_url(key))
                    return {ref.code: out[ref.code] for ref in refs}
                # An API that rejects the listing itself (an emulator): ask file by file.
                log.warning(
                    "không đọc được danh sách tệp trên Drive (%s): tìm từng đơn vị một", exc
                )
                listed = {}
            looked_up: dict[str, Version | SourceProblem] = {}
            for code, key in keys.items():
                if key not in looked_up:
                    looked_up[key] = self._version_of(key, listed.get(key))
                out[code] = looked_up[key]
        return {ref.code: out[ref.code] for ref in refs}

    def list_spreadsheets(self) -> dict[str, dict[str, Any]]:
        """Every spreadsheet the service account can see, by key (trashed ones included)."""
        params: dict[str, Any] = {
            "q": f"mimeType = '{SHEET_MIME}'",
            "pageSize": self.page_size,
            "fields": _LIST_FIELDS,
            "supportsAllDrives": "true",
            "includeItemsFromAllDrives": "true",
            "corpora": "allDrives",
        }
        files: dict[str, dict[str, Any]] = {}
        while True:
            page = self._http.request("get", DRIVE_FILES_API_V3_URL, params=params).json()
            for item in page.get("files", []):
                files[item["id"]] = item
            token = page.get("nextPageToken")
            if not token:
                return files
            params["pageToken"] = token

    def _version_of(self, key: str, listed: dict[str, Any] | None) -> Version | SourceProblem:
        meta = listed
        if meta is None:
            try:
                meta = self._http.request(
                    "get",
                    f"{DRIVE_FILES_API_V3_URL}/{key}",
                    params={"fields": _FILE_FIELDS, "supportsAllDrives": "true"},
                ).json()
            except ACCESS_ERRORS as exc:
                return classify(
                    exc, api="drive", link=sheet_url(key), email=self.service_account_email
                )
        assert meta is not None
        link = meta.get("webViewLink") or sheet_url(key)
        if meta.get("trashed"):
            return _trashed(link)
        mime = meta.get("mimeType", "")
        if mime == XLSX_MIME:
            return _uploaded_xlsx(
                link,
                "Drive reports an uploaded .xlsx, not a Google Sheet",
                _who(self.service_account_email),
            )
        if mime != SHEET_MIME:
            return _not_a_spreadsheet(link, mime)
        modified = meta["modifiedTime"]
        token = f"{modified}#{meta['version']}" if meta.get("version") else modified
        return Version(token=token, modified_time=parse_time(modified), link=link)

    # ------------------------------------------------------------------ pull

    def pull(self, ref: SheetRef, version: Version) -> Pulled | SourceProblem:
        """Read one unit with ONE Sheets call; errors come back as a SourceProblem."""
        key = spreadsheet_key(ref.sheet)
        if key is None:
            return _bad_roster_entry(ref.sheet) if ref.sheet.strip() else _missing()
        link = version.link or sheet_url(key)
        try:
            data = self.fetch(key)
            if _lacks_grid_data(data):
                data = self._values_fallback(key, data)
        except ACCESS_ERRORS as exc:
            problem = classify(exc, api="sheets", link=link, email=self.service_account_email)
            # The unit's status says it (and cron stays quiet while nothing changes); -v shows it.
            log.info("đơn vị %s: %s", ref.code, problem.message_vi)
            log.debug("đơn vị %s: chi tiết: %s", ref.code, problem.reason)
            return problem
        # The parsed response, serialised again: the snapshot is exactly what was parsed.
        snapshot = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        modified, editor = self.modified_after_read(ref.code, key, version)
        return Pulled(
            raw=report_from_spreadsheet(data),
            snapshot=snapshot,
            snapshot_ext="json",
            modified_time=modified,
            modified_by=editor,
        )

    def modified_after_read(
        self, code: str, key: str, version: Version
    ) -> tuple[datetime | None, str]:
        """The file's modified time asked right after the read (one Drive `files.get`), and
        the display name of who last edited it ("" when Drive does not say).

        The listing was taken before the reads, and reading a large roster at the paced rate
        takes minutes (listings may also lag): a unit that signed off in between was read
        with content newer than the listing's time. When `modifiedTime` or `version` moved,
        the later time is returned; None when they did not or Drive could not say (the
        listing's time then stands).
        """
        try:
            meta = self._http.request(
                "get",
                f"{DRIVE_FILES_API_V3_URL}/{key}",
                params={"fields": _AFTER_READ_FIELDS, "supportsAllDrives": "true"},
            ).json()
            modified = parse_time(str(meta["modifiedTime"]))
        except (*ACCESS_ERRORS, KeyError, ValueError, TypeError) as exc:
            log.warning("đơn vị %s: không biết thời điểm sửa tệp sau khi đọc (%s)", code, exc)
            return None, ""
        user = meta.get("lastModifyingUser")
        editor = str(user.get("displayName") or "") if isinstance(user, dict) else ""
        token = f"{meta['modifiedTime']}#{meta['version']}" if meta.get("version") else None
        if token == version.token or modified <= version.modified_time:
            return None, editor
        log.info(
            "đơn vị %s sửa tệp trong lúc đang đọc (lúc %s): lần chạy sau sẽ đọc lại", code, modified
        )
        return modified, editor

    def fetch(self, key: str) -> Mapping[str, Any]:
        """The spreadsheets.get answer for one key: grid data under GRID_FIELDS, no ranges.

        Named ranges are deliberately not passed as `ranges=`: one broken name would fail
        the whole call, and every name is answered anyway.
        """
        params: dict[str, Any] = {"includeGridData": "true", "fields": GRID_FIELDS}
        return self._http.fetch_sheet_metadata(key, params=params)

    def _values_fallback(self, key: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """For an API (an emulator) that answers without grid data: one values:batchGet of
        every named range, folded into the answer as grid data. Number formats are then
        unknown, so a typed percent sign cannot be recognised; the log says so."""
        names = [str(n.get("name", "")) for n in data.get("namedRanges", [])]
        merged = json.loads(json.dumps(data))  # a deep copy we may extend
        if not names:
            return merged
        log.warning("bảng tính %s trả về không kèm định dạng ô: chỉ đọc giá trị", key)
        params: dict[str, Any] = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
        }
        answer = self._http.values_batch_get(key, names, params=params)
        sheets = {
            int(s.get("properties", {}).get("sheetId", 0)): s for s in merged.get("sheets", [])
        }
        for named, value_range in zip(
            merged.get("namedRanges", []), answer.get("valueRanges", []), strict=False
        ):
            rng = named.get("range", {})
            sheet = sheets.get(int(rng.get("sheetId", 0)))
            if sheet is None:
                continue
            rows = [
                {"values": [{"effectiveValue": _effective(v)} for v in row]}
                for row in value_range.get("values", [])
            ]
            sheet.setdefault("data", []).append(
                {
                    "startRow": int(rng.get("startRowIndex", 0)),
                    "startColumn": int(rng.get("startColumnIndex", 0)),
                    "rowData": rows,
                }
            )
        return merged


# ---------------------------------------------------------------------- response → RawReport


def _lacks_grid_data(data: Mapping[str, Any]) -> bool:
    sheets = data.get("sheets", [])
    return bool(sheets) and bool(data.get("namedRanges")) and not any("data" in s for s in sheets)


def _effective(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": "" if value is None else str(value)}


def report_from_spreadsheet(data: Mapping[str, Any]) -> RawReport:
    """Build the parser's input from a spreadsheets.get answer with grid data.

    One Block per named range: 1-based anchor, cells padded to the range; a range whose tab
    no longer exists gives a Block with error "#REF!". Open-ended ranges stop at the data.
    """
    props = data.get("properties", {})
    titles: list[str] = []
    grids: dict[int, tuple[str, _Grid]] = {}
    sheet_ids: dict[str, int] = {}
    for sheet in data.get("sheets", []):
        sp = sheet.get("properties", {})
        title = str(sp.get("title", ""))
        titles.append(title)
        sheet_ids[title] = int(sp.get("sheetId", 0))
        grids[sheet_ids[title]] = (title, _Grid(sheet.get("data", [])))
    blocks: dict[str, Block] = {}
    for named in data.get("namedRanges", []):
        name = str(named.get("name", ""))
        if is_own_name(name):
            continue  # the template's own formula cells (the progress line), never inputs
        rng = named.get("range", {})
        found = grids.get(int(rng.get("sheetId", 0)))  # Google leaves sheetId 0 out
        if found is None:
            blocks[name] = Block(name=name, sheet=None, row=0, col=0, error="#REF!")
            continue
        title, grid = found
        r0, c0 = int(rng.get("startRowIndex", 0)), int(rng.get("startColumnIndex", 0))
        r1 = int(rng.get("endRowIndex", max(grid.height, r0 + 1)))
        c1 = int(rng.get("endColumnIndex", max(grid.width, c0 + 1)))
        rows = [[grid.cell(r, c) for c in range(c0, c1)] for r in range(r0, r1)]
        blocks[name] = Block(
            name=name,
            sheet=title,
            row=r0 + 1,
            col=c0 + 1,
            cells=pad_grid(rows, r1 - r0, c1 - c0),
        )
    return RawReport(
        sheet_titles=tuple(titles),
        blocks=blocks,
        locale=props.get("locale"),
        time_zone=props.get("timeZone"),
        sheet_ids=sheet_ids,
    )


class _Grid:
    """The stored cells of one tab (sparse), from its GridData pieces."""

    def __init__(self, pieces: Sequence[Mapping[str, Any]]) -> None:
        self.cells: dict[tuple[int, int], Cell] = {}
        self.height = self.width = 0
        for piece in pieces:
            r0, c0 = int(piece.get("startRow", 0)), int(piece.get("startColumn", 0))
            for dr, row in enumerate(piece.get("rowData", [])):
                for dc, value in enumerate(row.get("values", [])):
                    cell = cell_from_json(value)
                    if cell.value is not None or cell.number_format:
                        self.cells[(r0 + dr, c0 + dc)] = cell
                        self.height = max(self.height, r0 + dr + 1)
                        self.width = max(self.width, c0 + dc + 1)

    def cell(self, r: int, c: int) -> Cell:
        return self.cells.get((r, c)) or Cell()


def cell_from_json(data: Mapping[str, Any]) -> Cell:
    """A CellData as the parser's Cell: stored value, and Google's number-format type."""
    fmt = str(data.get("effectiveFormat", {}).get("numberFormat", {}).get("type", ""))
    ev = data.get("effectiveValue") or {}
    value: Any = None
    if "numberValue" in ev:
        value = ev["numberValue"]  # serial dates stay numbers; the format says DATE
    elif "stringValue" in ev:
        value = str(ev["stringValue"])
    elif "boolValue" in ev:
        value = bool(ev["boolValue"])
    elif "errorValue" in ev:
        value = _ERROR_TEXT.get(str(ev["errorValue"].get("type", "")), "#ERROR!")
    return Cell(value=value, number_format=fmt)


def parse_time(text: str) -> datetime:
    """Drive's RFC 3339 UTC time ("2023-03-20T08:15:30.123Z") as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# ---------------------------------------------------------------------- errors → problems


def classify(exc: BaseException, *, api: str, link: str, email: str) -> SourceProblem:
    """A SourceProblem for a failed Google call, with the fix in Vietnamese.

    `api` is "sheets" or "drive": Drive answers 404 both for a deleted file and for one not
    shared with the service account, so its 404 message names both causes.
    """
    who = _who(email)
    if isinstance(exc, APIError):
        status = exc.response.status_code
        error = exc.error if isinstance(exc.error, Mapping) else {}
        disabled = _disabled_service(error)
        if disabled is not None:
            return _service_disabled(disabled, link)
        if status == 401:
            return SourceProblem(
                ProblemKind.UNREACHABLE,
                f"{api}: 401 {error.get('message', '')}".strip(),
                "Google không chấp nhận khóa của tài khoản dịch vụ (khóa sai, đã bị xóa hoặc "
                "hết hạn). Quản trị viên tạo khóa mới trong Google Cloud console → IAM & Admin "
                "→ Service accounts → Keys và cập nhật tệp khóa trong cấu hình.",
                link,
            )
        reasons = {e.get("reason") for e in error.get("errors") or [] if isinstance(e, Mapping)}
        if status == 403 and not reasons & _RATE_REASONS:
            return _not_shared(who, link, f"{api}: 403 permission denied")
        if status == 404:
            if api == "drive":
                return SourceProblem(
                    ProblemKind.UNREACHABLE,
                    f"drive: file not found (deleted, wrong URL in the roster, or not shared "
                    f"with {who})",
                    "Không tìm thấy bảng tính của đơn vị: đường dẫn trong danh sách đơn vị có "
                    "thể sai, tệp đã bị xóa, hoặc chưa được chia sẻ. Văn phòng Huyện ủy kiểm tra "
                    "lại đường dẫn; đơn vị kiểm tra tệp vẫn còn trong Drive và đã bấm Chia sẻ, "
                    f"thêm {who} với quyền Người xem.",
                    link,
                )
            return SourceProblem(
                ProblemKind.UNREACHABLE,
                "sheets: 404 spreadsheet not found (deleted or wrong URL in the roster)",
                "Không tìm thấy bảng tính: tệp đã bị xóa hoặc đường dẫn trong danh sách đơn vị "
                "sai. Văn phòng Huyện ủy kiểm tra lại đường dẫn bảng tính của đơn vị.",
                link,
            )
        if status == 400 and error.get("status") == "FAILED_PRECONDITION":
            return _uploaded_xlsx(link, f"{api}: 400 FAILED_PRECONDITION, an uploaded .xlsx", who)
        if status in (403, 429):  # a 403 here is Drive's rate limit
            return SourceProblem(
                ProblemKind.UNREACHABLE,
                f"{api}: 429 rate limited after retries",
                "Google tạm thời giới hạn số lượt đọc. Hệ thống giữ dữ liệu lần trước và sẽ đọc "
                "lại ở lần đồng bộ sau; không cần làm gì.",
                link,
            )
        if status >= 500 or status == 408:
            return _network(f"{api}: HTTP {status} after retries", link)
        return SourceProblem(
            ProblemKind.UNREACHABLE,
            f"{api}: HTTP {status} {error.get('status', '')} {error.get('message', '')}".strip(),
            f"Google từ chối yêu cầu đọc (mã lỗi {status}). Báo quản trị viên hệ thống "
            "kiểm tra bằng lệnh “tonghop doctor”.",
            link,
        )
    if isinstance(exc, GoogleAuthError) and is_clock_skew(exc):
        return SourceProblem(
            ProblemKind.UNREACHABLE,
            f"{api}: token refused, the server clock is off (invalid_grant iat/exp)",
            CLOCK_SKEW_VI,
            link,
        )
    if isinstance(exc, GoogleAuthError) and not isinstance(exc, TransportError):
        return SourceProblem(
            ProblemKind.UNREACHABLE,
            f"{api}: credentials refused ({type(exc).__name__})",
            "Không đăng nhập được vào Google bằng tài khoản dịch vụ (khóa sai hoặc đã bị thu "
            "hồi, hoặc mạng lỗi). Quản trị viên chạy “tonghop doctor” để kiểm tra.",
            link,
        )
    return _network(f"{api}: {type(exc).__name__} after retries", link)


# Drive's 403 reasons that mean "too fast", not "not shared" (retried by sync.http first).
_RATE_REASONS = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "sharingRateLimitExceeded"}
)


def _who(email: str) -> str:
    return email or "tài khoản dịch vụ (service account) của hệ thống"


def _fails_the_run(exc: BaseException) -> bool:
    """Whether a failed listing says something about every unit (credentials, clock, quota,
    no connection at all), not about the listing request itself: a 400/404 from an emulator,
    or a 5xx or timeout of the one heavy call, after which light per-file lookups may pass."""
    if isinstance(exc, APIError):
        return not (exc.code in (400, 404, 408, -1) or exc.code >= 500)
    return not isinstance(exc, requests.Timeout)


def is_clock_skew(exc: BaseException) -> bool:
    """Google's token endpoint refusing a JWT whose iat/exp do not fit its clock."""
    text = str(exc)
    # Word-bounded: a revoked refresh token says "Token has been expired", not a clock issue.
    return "invalid_grant" in text and (
        "Invalid JWT" in text or re.search(r"\b(iat|exp)\b", text) is not None
    )


CLOCK_SKEW_VI = (
    "Đồng hồ của máy chạy tonghop lệch so với giờ chuẩn nên Google từ chối đăng nhập "
    "(invalid_grant: iat/exp). Quản trị viên chỉnh lại giờ máy chủ: bật đồng bộ giờ tự động "
    "(lệnh “timedatectl set-ntp true” trên Linux, hoặc Cài đặt → Ngày giờ → Đặt giờ tự động "
    "trên Windows), rồi chạy lại; “tonghop doctor” cho biết máy đang lệch bao nhiêu giây."
)


def _disabled_service(error: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for detail in error.get("details") or []:
        if isinstance(detail, Mapping) and detail.get("reason") == "SERVICE_DISABLED":
            meta = detail.get("metadata")
            return meta if isinstance(meta, Mapping) else {}
    return None


def _service_disabled(meta: Mapping[str, Any], link: str) -> SourceProblem:
    service = str(meta.get("service", ""))
    name = {
        "sheets.googleapis.com": "Google Sheets API",
        "drive.googleapis.com": "Google Drive API",
    }.get(service, str(meta.get("serviceTitle") or service or "API của Google"))
    project = str(meta.get("consumer", "")).removeprefix("projects/")
    where = f" (dự án {project})" if project else ""
    return SourceProblem(
        ProblemKind.UNREACHABLE,
        f"{name} is disabled (SERVICE_DISABLED) in project {project or 'unknown'}",
        f"{name} chưa được bật cho dự án Google Cloud của hệ thống{where}. Quản trị viên vào "
        f"Google Cloud console → APIs & Services → Library, tìm “{name}”, bấm Enable (Bật), "
        "chờ vài phút rồi chạy lại.",
        link,
    )


def _not_shared(who: str, link: str, reason: str) -> SourceProblem:
    return SourceProblem(
        ProblemKind.UNREACHABLE,
        f"{reason}: not shared with {who}",
        f"Hệ thống chưa được quyền xem bảng tính này. Đơn vị mở bảng tính, bấm Chia sẻ, thêm "
        f"{who} với quyền Người xem rồi bấm Gửi.",
        link,
    )


def _network(reason: str, link: str) -> SourceProblem:
    return SourceProblem(
        ProblemKind.UNREACHABLE,
        reason,
        "Không kết nối được tới Google (lỗi mạng hoặc máy chủ Google tạm thời gặp sự cố). Hệ "
        "thống giữ dữ liệu lần trước và sẽ thử lại ở lần đồng bộ sau.",
        link,
    )


def _uploaded_xlsx(link: str, reason: str, who: str) -> SourceProblem:
    return SourceProblem(
        ProblemKind.INVALID,
        reason,
        "Tệp của đơn vị là tệp Excel (.xlsx) tải lên Drive, chưa phải Google Trang tính nên "
        "hệ thống không đọc được. Mở tệp, chọn Tệp → Lưu dưới dạng Google Trang tính; đó là một "
        f"tệp MỚI: bấm Chia sẻ trên tệp mới, thêm {who} với quyền Người xem, rồi gửi đường dẫn "
        "của bảng tính mới cho Văn phòng Huyện ủy.",
        link,
    )


def is_published_link(sheet: str) -> bool:
    """A "Publish to the web" link (…/spreadsheets/d/e/2PACX…): no key the API can read."""
    return bool(_PUBLISHED.search(sheet))


def _published_link(text: str) -> SourceProblem:
    return SourceProblem(
        ProblemKind.UNREACHABLE,
        f"the roster holds a publish-to-web link, not the spreadsheet's own: {text.strip()[:80]!r}",
        "Đường dẫn trong danh sách đơn vị là liên kết “Xuất bản lên web” (dạng "
        "…/spreadsheets/d/e/2PACX…), hệ thống không đọc được bảng tính qua liên kết này. Đơn vị "
        "mở bảng tính, sao chép địa chỉ trên thanh địa chỉ của trình duyệt (dạng "
        "https://docs.google.com/spreadsheets/d/<mã>/edit) và gửi cho Văn phòng Huyện ủy để ghi "
        "vào cột “sheet” của danh sách đơn vị.",
    )


def _not_a_spreadsheet(link: str, mime: str) -> SourceProblem:
    return SourceProblem(
        ProblemKind.INVALID,
        f"the roster points at a {mime or 'non-spreadsheet'} file, not a Google Sheet",
        "Đường dẫn trong danh sách đơn vị không trỏ tới một Google Trang tính. Văn phòng Huyện "
        "ủy kiểm tra lại đường dẫn bảng tính của đơn vị.",
        link,
    )


def _trashed(link: str) -> SourceProblem:
    return SourceProblem(
        ProblemKind.UNREACHABLE,
        "the spreadsheet is in the Drive trash (treated as deleted)",
        "Bảng tính của đơn vị đang nằm trong Thùng rác của Google Drive. Đơn vị khôi phục tệp "
        "(Drive → Thùng rác → Khôi phục) hoặc báo Văn phòng Huyện ủy cấp bảng tính mới.",
        link,
    )


def _missing() -> SourceProblem:
    return SourceProblem(
        ProblemKind.MISSING,
        "no spreadsheet in the roster yet",
        "Đơn vị chưa có bảng tính. Văn phòng Huyện ủy chạy “tonghop provision” hoặc ghi đường "
        "dẫn bảng tính của đơn vị vào danh sách đơn vị.",
    )


def _bad_roster_entry(text: str) -> SourceProblem:
    if is_published_link(text):
        return _published_link(text)
    shown = text.strip()[:80]
    return SourceProblem(
        ProblemKind.UNREACHABLE,
        f"the roster's sheet value is neither a Google Sheets URL nor a key: {shown!r}",
        f"Cột “sheet” trong danh sách đơn vị không phải đường dẫn hay mã của Google Trang tính "
        f"(“{shown}”). Văn phòng Huyện ủy sửa lại bằng đường dẫn dạng "
        "https://docs.google.com/spreadsheets/d/…/edit.",
    )
