"""Drive v3 endpoints: files list/get/create/copy/update/delete, upload, permissions, about."""

from __future__ import annotations

import email.parser
import email.policy
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .convert import import_checks
from .drive import SHEET_MIME, XLSX_MIME, FakeFile, matches, parse_query
from .errors import error, invalid_argument
from .fields import MaskError, apply_mask, parse_mask
from .sheets import Spreadsheet
from .sheets_api import Query, one

if TYPE_CHECKING:
    from .server import FakeGoogle

_FILE_DEFAULT = "kind,id,name,mimeType"
_LIST_DEFAULT = "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)"


def _mask(query: Query, default: str) -> Any:
    text = one(query, "fields", default)
    try:
        return parse_mask(text)
    except MaskError as exc:
        raise error(
            "drive", 400, f"Invalid field selection {text}", reason="invalidParameter"
        ) from exc


@dataclass(frozen=True)
class Media:
    """A download's answer (files.get with alt=media): the bytes as stored."""

    data: bytes
    mime_type: str


def media(f: FakeFile) -> Media:
    """files.get?alt=media: a blob's bytes; a Google Docs editors file has none to give."""
    if f.mime_type.startswith("application/vnd.google-apps."):
        raise error(
            "drive", 403, "Only files with binary content can be downloaded. Use Export with "
            "Docs Editors files.", reason="fileNotDownloadable",
        )  # fmt: skip
    return Media(f.media, f.mime_type)


def file_json(f: FakeFile, query: Query) -> Any:
    return apply_mask(f.to_json(), _mask(query, _FILE_DEFAULT))


def list_files(fake: FakeGoogle, query: Query) -> dict[str, Any]:
    """files.list over what the service account can see; trashed files included unless asked."""
    clauses = parse_query(one(query, "q"))
    size_text = one(query, "pageSize", "100")
    size = int(size_text) if size_text.isdigit() else -1
    if not 1 <= size <= 1000:
        raise error("drive", 400, f"Invalid Value: pageSize={size_text}", reason="invalid")
    visible = [f for f in fake.files.values() if fake.role(f) is not None and matches(f, clauses)]
    corpora = one(query, "corpora", "user")
    if corpora == "drive":
        drive = one(query, "driveId")
        if not drive or one(query, "includeItemsFromAllDrives") != "true":
            raise error("drive", 403, "The driveId parameter and includeItemsFromAllDrives "
                        "must be set when corpora is drive.", reason="teamDriveIdRequired")  # fmt: skip
        visible = [f for f in visible if f.drive_id == drive]
    token = one(query, "pageToken")
    start = int(token) if token.isdigit() else 0
    page = visible[start : start + size]
    body: dict[str, Any] = {
        "kind": "drive#fileList",
        # allDrives may skip drives; a single drive (corpora=drive) is always searched whole.
        "incompleteSearch": fake.incomplete_search and corpora == "allDrives",
        "files": [f.as_listed(fake.listing_lag) for f in page],
    }
    if start + size < len(visible):
        body["nextPageToken"] = str(start + size)
    return apply_mask(body, _mask(query, _LIST_DEFAULT))


def create_file(fake: FakeGoogle, query: Query, body: dict[str, Any]) -> Any:
    """files.create without content (gspread's Client.create): an empty spreadsheet."""
    parents = list(body.get("parents") or [])
    drive_id = fake.check_can_create(parents)
    mime = body.get("mimeType") or "application/octet-stream"
    book = Spreadsheet.blank(body.get("name", "Untitled")) if mime == SHEET_MIME else None
    f = fake.new_file(body.get("name", "Untitled"), mime, parents, book=book, drive_id=drive_id)
    return file_json(f, query)


def copy_file(fake: FakeGoogle, source: FakeFile, query: Query, body: dict[str, Any]) -> Any:
    parents = list(body.get("parents") or source.parents)
    drive_id = fake.check_can_create(parents)
    book = source.book.clone() if source.book is not None else None
    name = body.get("name") or f"Copy of {source.name}"
    if book is not None:
        book.title = name
    f = fake.new_file(
        name, source.mime_type, parents, book=book, media=source.media, drive_id=drive_id
    )
    return file_json(f, query)


def upload(fake: FakeGoogle, query: Query, content_type: str, data: bytes) -> Any:
    """files.create with uploadType=multipart: JSON metadata, then the content.

    With metadata mimeType = Google Sheets and .xlsx content, Drive converts the workbook into
    a native spreadsheet; its workbook-level defined names become named ranges.
    """
    if one(query, "uploadType") != "multipart":
        raise invalid_argument("drive", "Only uploadType=multipart is supported by the fake.")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + data
    )
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if len(parts) != 2:
        raise invalid_argument("drive", "Multipart upload needs metadata and media parts.")
    meta = json.loads(_payload(parts[0]) or b"{}")
    media = _payload(parts[1])
    media_type = parts[1].get_content_type()
    parents = list(meta.get("parents") or [])
    drive_id = fake.check_can_create(parents)
    name = meta.get("name", "Untitled")
    target = meta.get("mimeType") or media_type
    if target == SHEET_MIME:
        if media_type != XLSX_MIME:
            raise invalid_argument("drive", f"Cannot convert {media_type} to a spreadsheet.")
        book = Spreadsheet.from_xlsx(media, name)
        import_checks(book, import_protection=fake.import_protection)
        book.percent_entry = fake.percent_entry
        # A converted upload takes the uploader's default locale, not the file's: commonly
        # en_US, where "1.234" typed into a number cell is stored as 1.234.
        book.locale, book.time_zone = fake.upload_locale, fake.upload_time_zone
        f = fake.new_file(name, SHEET_MIME, parents, book=book, drive_id=drive_id)
    else:
        f = fake.new_file(name, target, parents, media=media, drive_id=drive_id)
    return file_json(f, query)


def _payload(part: Any) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def update_file(f: FakeFile, query: Query, body: dict[str, Any]) -> Any:
    if "name" in body:
        f.name = body["name"]
        if f.book is not None:
            f.book.title = body["name"]
    if "trashed" in body:
        f.trashed = bool(body["trashed"])
    f.touch()
    return file_json(f, query)


def create_permission(fake: FakeGoogle, f: FakeFile, body: dict[str, Any]) -> dict[str, Any]:
    kind, role = body.get("type"), body.get("role")
    if kind not in ("user", "group", "domain", "anyone") or role not in (
        "owner",
        "organizer",
        "fileOrganizer",
        "writer",
        "commenter",
        "reader",
    ):
        raise invalid_argument("drive", f"Invalid permission type or role: {kind}/{role}")
    address = body.get("emailAddress")
    for existing in f.permissions:
        if address and existing.get("emailAddress") == address:
            existing["role"] = role  # Drive updates the role of an existing grantee
            return existing
    permission = {
        "kind": "drive#permission",
        "id": f"perm{len(f.permissions) + 1:04d}",
        "type": kind,
        "role": role,
    }
    if address:
        permission["emailAddress"] = address
    f.permissions.append(permission)
    if address and address.lower() == fake.service_account_email.lower():
        f.sa_role = role
    return permission


def list_permissions(f: FakeFile, query: Query) -> Any:
    body = {"kind": "drive#permissionList", "permissions": f.permissions}
    return apply_mask(body, _mask(query, "kind,permissions"))


def about(fake: FakeGoogle, query: Query) -> Any:
    body = {
        "kind": "drive#about",
        "user": {
            "kind": "drive#user",
            "displayName": fake.service_account_email.split("@")[0],
            "me": True,
            "permissionId": "00000000000000000001",
            "emailAddress": fake.service_account_email,
        },
    }
    if not one(query, "fields"):
        raise error(
            "drive", 400, "The 'fields' parameter is required for this method.", reason="required"
        )
    return apply_mask(body, _mask(query, "user"))
