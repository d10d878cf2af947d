"""Bring a district's outputs from its Google Drive folder into the province's local copy.

A district may share its ``out/`` as a Drive folder (uploaded by hand, or kept in step by
Google Drive for desktop) instead of a network folder. For a ``drive_folder`` entry the province
asks Drive for the folder (one ``files.get``: a folder not shared with the service account
answers 404), lists it (one ``files.list``), and downloads ``status.json`` and ``values.csv``
(``files.get?alt=media``) only when Drive holds another version than the copy. The copy is
written whole (both files or neither) with Drive's ``modifiedTime`` as each file's time, so the
copy is then read, checked for staleness and fingerprinted as a folder entry is
(``read.read_district``).

Two files of one name in the folder (Drive keeps both when a person uploads again and chooses
"keep both") are resolved to the newest. A file Drive converted to a Google Sheet, or one over
the size the reader accepts, is refused before any download. When Google cannot be reached, the
previous copy is read again and the log says so; with no copy yet the district is missing.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..oserrors import os_reason
from .entries import DistrictEntry
from .read import MAX_STATUS_BYTES, MAX_VALUES_BYTES, STATUS, VALUES, DistrictStatus

log = logging.getLogger("tonghop.province")

_NAMES = {STATUS: MAX_STATUS_BYTES, VALUES: MAX_VALUES_BYTES}
_LIST_FIELDS = "nextPageToken,files(id,name,mimeType,modifiedTime,size,md5Checksum)"
_MAX_PAGES = 20  # 20 × 1,000 files: an outputs folder holds a few dozen
_MANIFEST = ".drive.json"  # what the copy holds: name → Drive id, modifiedTime, size, md5
_FOLDER_MIME = "application/vnd.google-apps.folder"


class _TooLarge(Exception):
    """The named file's download is over the size the reader accepts."""


@dataclass(frozen=True)
class DriveProblem:
    """Why the copy cannot be brought up to date: the district's status and what to do."""

    status: DistrictStatus
    message: str


def refresh_copy(http: Any, entry: DistrictEntry, account: str) -> DriveProblem | None:
    """Bring ``entry.folder`` up to date with ``entry.drive_folder``; None when it is.

    ``http`` is the gspread client's HTTP client (read-only scopes); ``account`` the service
    account's e-mail, for the message that asks the district to share its folder.
    """
    from gspread.urls import DRIVE_FILES_API_V3_URL

    from sync.google import ACCESS_ERRORS

    link = entry.drive_link
    who = account or "tài khoản dịch vụ (service account) của tỉnh"
    try:
        folder = http.request(
            "get",
            f"{DRIVE_FILES_API_V3_URL}/{entry.drive_folder}",
            params={"fields": "id,name,mimeType", "supportsAllDrives": "true"},
        ).json()
        if folder.get("mimeType") != _FOLDER_MIME:
            return DriveProblem(
                DistrictStatus.INVALID,
                f"drive_folder của huyện ({link}) là một tệp, không phải thư mục: tỉnh ghi đường "
                f"liên kết của thư mục chứa values.csv và status.json.",
            )
        listed = _list(http, DRIVE_FILES_API_V3_URL, entry.drive_folder)
    except ACCESS_ERRORS as exc:
        code = getattr(getattr(exc, "response", None), "status_code", None)
        if code in (403, 404):
            _forget(entry.folder)
            return DriveProblem(
                DistrictStatus.MISSING,
                f"Tỉnh chưa xem được thư mục Drive của huyện ({link}): thư mục không còn, đường "
                f"liên kết sai, hoặc chưa được chia sẻ. Huyện mở thư mục, bấm Chia sẻ, thêm {who} "
                f"với quyền Người xem.",
            )
        return _unreachable(entry, link, exc)
    wanted = _newest(listed)
    for name, limit in _NAMES.items():
        meta = wanted.get(name)
        if meta is None:
            continue
        if meta.get("mimeType", "").startswith("application/vnd.google-apps."):
            return DriveProblem(
                DistrictStatus.INVALID,
                f"Tệp {name} trong thư mục Drive của huyện ({link}) đã bị Drive chuyển thành "
                f"Google Trang tính nên không tải về được: huyện xóa tệp đó và tải lên lại tệp "
                f"gốc, tắt “Chuyển đổi tệp tải lên” trong Cài đặt của Drive.",
            )
        if int(meta.get("size") or 0) > limit:
            return DriveProblem(
                DistrictStatus.INVALID,
                f"Tệp {name} trong thư mục Drive của huyện ({link}) lớn hơn {limit // 2**20} "
                f"MiB: đây không phải kết quả tonghop ghi; huyện kiểm tra lại thư mục.",
            )
    try:
        _update(http, DRIVE_FILES_API_V3_URL, entry.folder, wanted)
    except ACCESS_ERRORS as exc:
        return _unreachable(entry, link, exc)
    except _TooLarge as exc:
        return DriveProblem(
            DistrictStatus.INVALID,
            f"Tệp {exc} trong thư mục Drive của huyện ({link}) lớn hơn "
            f"{_NAMES[str(exc)] // 2**20} MiB: đây không phải kết quả tonghop ghi; huyện kiểm "
            f"tra lại thư mục.",
        )
    except OSError as exc:
        return DriveProblem(
            DistrictStatus.MISSING,
            f"Không ghi được bản sao kết quả của huyện vào {entry.folder} ({os_reason(exc)}): "
            f"kiểm tra quyền ghi và chỗ trống của thư mục trạng thái.",
        )
    return None


def _list(http: Any, url: str, folder: str) -> list[dict[str, Any]]:
    params: dict[str, Any] = {
        "q": f"'{folder}' in parents and trashed = false",
        "fields": _LIST_FIELDS,
        "pageSize": 1000,
        "supportsAllDrives": "true",
        "includeItemsFromAllDrives": "true",
    }
    files: list[dict[str, Any]] = []
    for _ in range(_MAX_PAGES):
        page = http.request("get", url, params=params).json()
        files.extend(f for f in page.get("files", []) if isinstance(f, dict))
        token = page.get("nextPageToken")
        if not token:
            break
        params["pageToken"] = token
    return files


def _newest(files: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Of the files we read, the newest of each name (RFC 3339 UTC times sort as text)."""
    out: dict[str, dict[str, Any]] = {}
    for f in files:
        name = f.get("name")
        if name in _NAMES and str(f.get("modifiedTime", "")) > str(
            out.get(name, {}).get("modifiedTime", "")
        ):
            out[name] = f
    return out


def _key(meta: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(meta.get(k, "")) for k in ("id", "modifiedTime", "size", "md5Checksum")}


def _update(http: Any, url: str, copy: Path, wanted: dict[str, dict[str, Any]]) -> None:
    """Download what changed, then put every file in place; a file Drive no longer has is
    removed from the copy, so the district reads as missing rather than from an old copy."""
    from sync.google import parse_time

    copy.mkdir(parents=True, exist_ok=True)
    manifest = copy / _MANIFEST
    try:
        held = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        held = {}
    fresh: dict[str, Path] = {}
    try:
        for name, meta in wanted.items():
            if held.get(name) == _key(meta) and (copy / name).is_file():
                continue
            response = http.request(
                "get", f"{url}/{meta['id']}", params={"alt": "media", "supportsAllDrives": "true"}
            )
            data = response.content
            if len(data) > _NAMES[name]:
                raise _TooLarge(name)  # more than its listed size said
            fd, temp_name = tempfile.mkstemp(prefix=f".{name}.", dir=copy)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            moment = parse_time(str(meta["modifiedTime"])).timestamp()
            os.utime(temp_name, (moment, moment))
            fresh[name] = Path(temp_name)
        for name, temp in fresh.items():
            os.replace(temp, copy / name)
        fresh.clear()
        for name in _NAMES.keys() - wanted.keys():
            (copy / name).unlink(missing_ok=True)
        now = {name: _key(meta) for name, meta in wanted.items()}
        if now != held:
            manifest.write_text(json.dumps(now), "utf-8")
    finally:
        for temp in fresh.values():
            temp.unlink(missing_ok=True)


def _forget(copy: Path) -> None:
    """A folder the province may no longer see is not read from an old copy."""
    for name in (*_NAMES, _MANIFEST):
        (copy / name).unlink(missing_ok=True)


def _unreachable(entry: DistrictEntry, link: str, exc: BaseException) -> DriveProblem | None:
    """Google could not be reached: read the previous copy if there is one."""
    if all((entry.folder / name).is_file() for name in _NAMES):
        log.warning(
            "huyện %s: không kết nối được Google Drive (%s); dùng bản sao lần trước ở %s",
            entry.code, type(exc).__name__, entry.folder,
        )  # fmt: skip
        return None
    return DriveProblem(
        DistrictStatus.MISSING,
        f"Không kết nối được Google Drive để lấy kết quả của huyện ({link}) và chưa có bản sao "
        f"nào: tỉnh chạy lại tonghop sync khi có mạng.",
    )


def copy_drive_folders(config: Config) -> dict[str, DriveProblem]:
    """Bring each ``drive_folder`` district's local copy up to date; district code → why not."""
    entries = [e for e in config.source.districts if e.drive_folder]
    if not entries:
        return {}
    from ..sources import SourceSetupError, account_email, google_client

    try:
        account = account_email(config)
        http = google_client(config).http_client
    except SourceSetupError as exc:
        problem = DriveProblem(DistrictStatus.MISSING, f"Chưa đọc được Google Drive: {exc}")
        return {e.code: problem for e in entries}
    found = {e.code: refresh_copy(http, e, account) for e in entries}
    return {code: p for code, p in found.items() if p is not None}
