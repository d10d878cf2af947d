"""A local HTTP fake of the Google Sheets v4 and Drive v3 APIs, backed by real workbooks.

The real gspread client talks to it over HTTP once its base URL replaces
`https://sheets.googleapis.com` and `https://www.googleapis.com`. Each fake spreadsheet is an
openpyxl workbook, so values, number formats and defined names are those of a real .xlsx file.

    with FakeGoogle() as fake:
        key = fake.add_spreadsheet(xlsx_bytes, title="Xã Vĩnh Hưng")
        fake.set_fault(key, "429", times=1, retry_after=0.1)
        ...  # a client built with base_url=fake.url
        assert fake.count(api="sheets") == 1

What the service account may see is modelled per file (`shared`): an unshared file is absent
from Drive listings, answers 404 to Drive and 403 to Sheets, as Google does.
"""

from __future__ import annotations

import base64
import email.utils
import json
import re
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import drive_api, errors, sheets_api
from .drive import EDIT_ROLES, SHEET_MIME, XLSX_MIME, FakeFile
from .errors import GoogleError
from .sheets import Spreadsheet, set_text_or_value

SERVICE_ACCOUNT_EMAIL = "tonghop-sync@tonghop-demo.iam.gserviceaccount.com"
FAULT_KINDS = (
    "429",
    "500",
    "html502",
    "timeout",
    "reset",
    "403",
    "403_disabled",
    "403_rate",
    "404",
    "400_precondition",
    "lost",  # the request is applied, then the connection drops before the answer
    "400_sharing",  # permissions.create: invalidSharingRequest (the notification failed)
    "403_sharing_rate",  # permissions.create: sharingRateLimitExceeded
)


@dataclass(frozen=True)
class RequestRecord:
    """One request the fake received. `auth`: "none", "valid" (a token it issued) or "invalid"."""

    method: str
    path: str
    query: dict[str, list[str]]
    api: str  # "sheets", "drive" or "token"
    status: int
    auth: str
    size: int = 0  # bytes of the request body (Google takes about 2 MB at most)


@dataclass(frozen=True)
class TokenGrant:
    """One service-account token exchange: the JWT's issuer and requested scopes."""

    issuer: str
    scopes: tuple[str, ...]
    token: str


@dataclass
class Fault:
    kind: str
    times: int | None
    retry_after: float | None
    api: str | None
    path_contains: str | None = None
    method: str | None = None


@dataclass
class Hook:
    """A test's action run when a matching request arrives, before it is answered."""

    file_id: str
    action: Callable[[], None]
    api: str | None
    method: str | None
    times: int | None


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)
    logged: bool = False  # already in the request log (a stalled request is logged on arrival)


class FakeGoogle:
    """The fake's state and its server; use as a context manager or call start()/stop().

    `quota=(limit, window_seconds)` caps Sheets reads (GETs) in a sliding window and answers
    429 RESOURCE_EXHAUSTED past it. `timeout_sleep` is how long a `timeout` fault stalls.
    A service account cannot create files outside registered Shared Drive folders
    (`add_shared_drive_folder`) unless `service_account_storage=True`.
    """

    def __init__(
        self,
        *,
        service_account_email: str = SERVICE_ACCOUNT_EMAIL,
        quota: tuple[int, float] | None = None,
        timeout_sleep: float = 2.0,
        service_account_storage: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        grid_data: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.grid_data = grid_data  # False: an emulator without spreadsheets.get grid data
        # The locale and time zone a converted upload gets: the uploader's account defaults.
        self.upload_locale, self.upload_time_zone = "en_US", "America/Los_Angeles"
        # How many seconds Drive listings trail edits (files.get is always current).
        self.listing_lag = 0.0
        # What an upload's conversion does with sheet protection and typed percents (both
        # undocumented: tests choose). See convert.py and Spreadsheet.percent_entry.
        self.import_protection = False
        # Drive may answer a listing with incompleteSearch: true (some drives not searched).
        self.incomplete_search = False
        self.percent_entry = "switch"
        self.service_account_email = service_account_email
        self.timeout_sleep = timeout_sleep
        self.service_account_storage = service_account_storage
        self.files: dict[str, FakeFile] = {}
        self.shared_drive_folders: dict[str, str] = {}
        self.folders: set[str] = set()  # My Drive folders shared with the caller (add_folder)
        self._faults: dict[str, list[Fault]] = {}
        self._hooks: list[Hook] = []
        self._quota = quota
        # Quota windows are read on `clock` (wall-clock seconds; a test may pass a fake clock
        # shared with the client). `clock_offset`: how far Google's clock is ahead of ours.
        self.clock = clock
        self.clock_offset = 0.0
        self._reads: dict[int, int] = {}
        # OAuth refresh tokens the fake's /token accepts: refresh token → client id.
        self.refresh_tokens: dict[str, str] = {}
        # Who a request with an OAuth token acts as (a person of the district office).
        self.person_email = "vanphong@example.vn"
        self._caller = threading.local()
        self._log: list[RequestRecord] = []
        self._tokens: list[TokenGrant] = []
        self._lock = threading.RLock()
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0
        self.internal_errors: list[str] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeGoogle:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((self._host, self._port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL to use in place of https://sheets.googleapis.com and www.googleapis.com."""
        assert self._server is not None, "the fake is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # ------------------------------------------------------------------ files

    def add_spreadsheet(
        self,
        xlsx: bytes | str | Path,
        *,
        file_id: str | None = None,
        title: str | None = None,
        modified_time: datetime | None = None,
        native: bool = True,
        parents: Iterable[str] = (),
        shared: bool | str = True,
    ) -> str:
        """Add a spreadsheet from .xlsx bytes or a path; return its file id.

        `native=False` keeps it as an uploaded .xlsx (Sheets endpoints answer 400
        FAILED_PRECONDITION). `shared`: False (the service account cannot see it), True
        (Editor) or a Drive role such as "reader".
        """
        if isinstance(xlsx, str | Path):
            path = Path(xlsx)
            data = path.read_bytes()
            file_id = file_id or path.stem
            title = title or path.stem
        else:
            data = xlsx
        with self._lock:
            fid = file_id or self._new_id()
            name = title or f"Bảng tính {len(self.files) + 1}"
            role = None if shared is False else ("writer" if shared is True else str(shared))
            if native:
                book = Spreadsheet.from_xlsx(data, name)
                f = self.new_file(name, SHEET_MIME, list(parents), book=book, file_id=fid)
            else:
                f = self.new_file(name + ".xlsx", XLSX_MIME, list(parents), media=data, file_id=fid)
            f.sa_role = role
            f.permissions = [
                {
                    "kind": "drive#permission",
                    "id": "perm0000",
                    "type": "user",
                    "role": "owner",
                    "emailAddress": "vanphong@example.vn",
                }
            ]
            if role is not None:
                f.permissions.append(
                    {
                        "kind": "drive#permission",
                        "id": "perm0001",
                        "type": "user",
                        "role": role,
                        "emailAddress": self.service_account_email,
                    }
                )
            if modified_time is not None:
                f.modified = f.created = modified_time.astimezone(UTC)
            return fid

    def add_file(
        self,
        name: str,
        data: bytes,
        *,
        parents: Iterable[str] = (),
        mime_type: str = "application/octet-stream",
        modified_time: datetime | None = None,
    ) -> str:
        """Add an uploaded (blob) file the service account can read; return its id."""
        with self._lock:
            f = self.new_file(name, mime_type, list(parents), media=data)
            f.sa_role = "reader"
            if modified_time is not None:
                f.modified = f.created = modified_time.astimezone(UTC)
            return f.id

    def add_shared_drive_folder(self, folder_id: str, drive_id: str | None = None) -> None:
        """Register a Shared Drive folder the service account belongs to (may create there)."""
        with self._lock:
            self.shared_drive_folders[folder_id] = drive_id or f"drive-{folder_id}"

    def add_folder(self, folder_id: str) -> None:
        """Register a My Drive folder the caller can see (not in any Shared Drive)."""
        with self._lock:
            self.folders.add(folder_id)

    def new_file(
        self,
        name: str,
        mime: str,
        parents: list[str],
        *,
        book: Spreadsheet | None = None,
        media: bytes = b"",
        drive_id: str | None = None,
        file_id: str | None = None,
    ) -> FakeFile:
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        creator_email = self.caller()
        by_person = creator_email != self.service_account_email
        f = FakeFile(
            id=file_id or self._new_id(),
            name=name,
            mime_type=mime,
            created=now,
            modified=now,
            sa_role=("organizer" if drive_id else None if by_person else "owner"),
            parents=parents,
            book=book,
            media=media,
            drive_id=drive_id,
        )
        # Whoever creates a file holds a permission on it: the account itself in My Drive, or
        # its Shared Drive membership.
        creator = {"kind": "drive#permission", "id": "perm0000", "type": "user"}
        role = "organizer" if drive_id else "owner"
        f.permissions = [{**creator, "role": role, "emailAddress": creator_email}]
        self.files[f.id] = f
        return f

    def check_can_create(self, parents: list[str]) -> str | None:
        """The Shared Drive id of the parents; 403 storageQuotaExceeded outside one."""
        for parent in parents:
            if parent in self.shared_drive_folders:
                return self.shared_drive_folders[parent]
            if parent != "root" and parent not in self.folders:
                raise errors.not_found("drive", parent)  # a folder nobody here can see
        if self.caller() == self.service_account_email and not self.service_account_storage:
            raise errors.storage_quota_exceeded()  # a person has storage of their own
        return None

    def _new_id(self) -> str:
        self._counter += 1
        digest = base64.urlsafe_b64encode(
            zlib.crc32(str(self._counter).encode()).to_bytes(4, "big") * 8
        ).decode()
        return "1" + digest[:43].replace("=", "A")

    def caller(self) -> str:
        """Who the request being served acts as: the service account (also for anonymous
        requests) or, with an OAuth token, `person_email`."""
        return getattr(self._caller, "email", self.service_account_email)

    def role(self, f: FakeFile) -> str | None:
        """The caller's access to a file: Drive role, or None (cannot see it)."""
        who = self.caller()
        if who == self.service_account_email:
            return f.sa_role
        return next(
            (p["role"] for p in f.permissions if str(p.get("emailAddress", "")).lower() == who),
            None,
        )

    def file(self, file_id: str) -> FakeFile:
        return self.files[file_id]

    def book(self, file_id: str) -> Spreadsheet:
        book = self.files[file_id].book
        assert book is not None, f"{file_id} is not a native spreadsheet"
        return book

    def edit(
        self,
        file_id: str,
        name_or_a1: str,
        value: Any,
        *,
        at: datetime | None = None,
        by: str | None = None,
    ) -> None:
        """Change one cell as a user would (a named range's first cell, or `Tab!A1`); `at`
        is when, for Drive's modifiedTime (default now); `by` the editor's display name."""
        with self._lock:
            f = self.files[file_id]
            book = self.book(file_id)
            area = book.resolve(name_or_a1)
            xl = area.sheet.ws.cell(area.r0 + 1, area.c0 + 1)
            set_text_or_value(xl, value)
            if isinstance(value, date) and xl.number_format == "General":
                xl.number_format = "dd/mm/yyyy"
            f.touch(at, by)

    def share(self, file_id: str, role: str | None = "reader") -> None:
        """Share with the service account (role) or unshare (None)."""
        with self._lock:
            self.files[file_id].sa_role = role

    def trash(self, file_id: str) -> None:
        with self._lock:
            self.files[file_id].trashed = True
            self.files[file_id].touch()

    def delete(self, file_id: str) -> None:
        with self._lock:
            del self.files[file_id]

    def values(self, file_id: str, rng: str) -> list[list[Any]]:
        """Unformatted values of a range (trailing empties dropped), for assertions."""
        with self._lock:
            book = self.book(file_id)
            body = book.read_values(book.resolve(rng), "UNFORMATTED_VALUE", "SERIAL_NUMBER")
            return body.get("values", [])

    def sheet_titles(self, file_id: str) -> list[str]:
        return [s.ws.title for s in self.book(file_id).sheets]

    def sheet_requests(self, file_id: str, title: str) -> list[dict[str, Any]]:
        """Every formatting/structure request received for one tab, in order."""
        book = self.book(file_id)
        meta = book.sheet_by_title(title)
        assert meta is not None, f"no tab {title!r}"
        return list(book.requests.get(meta.sheet_id, []))

    def cell_format(self, file_id: str, title: str, row: int, col: int) -> dict[str, Any]:
        """userEnteredFormat written through the API at 1-based (row, col) of a tab."""
        book = self.book(file_id)
        meta = book.sheet_by_title(title)
        assert meta is not None, f"no tab {title!r}"
        return dict(book.cell_formats.get(meta.sheet_id, {}).get((row - 1, col - 1), {}))

    # ------------------------------------------------------------------ faults, quota, log

    def set_fault(
        self,
        file_id: str,
        kind: str,
        times: int | None = None,
        retry_after: float | None = None,
        api: str | None = None,
        *,
        path_contains: str | None = None,
        method: str | None = None,
    ) -> None:
        """Make requests for a file ('*': every request) fail `times` times (None: always).

        `api` limits the fault to "sheets" or "drive" requests; `400_precondition` is a
        Sheets answer and defaults to it. `retry_after` (seconds) adds a Retry-After header.
        `path_contains` and `method` narrow it further (e.g. "/upload/", "POST"); the
        sharing faults default to POST …/permissions.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {FAULT_KINDS}")
        if kind == "400_precondition" and api is None:
            api = "sheets"
        if kind in ("400_sharing", "403_sharing_rate"):
            path_contains, method = path_contains or "/permissions", method or "POST"
        fault = Fault(kind, times, retry_after, api, path_contains, method and method.upper())
        with self._lock:
            self._faults.setdefault(file_id, []).append(fault)

    def on_request(
        self,
        file_id: str,
        action: Callable[[], None],
        *,
        api: str | None = None,
        method: str | None = "GET",
        times: int | None = 1,
    ) -> None:
        """Run `action` (e.g. a user's `edit`) when a request for `file_id` arrives, before
        it is answered: what a person does between two of the client's calls, such as
        signing off after the Drive listing and before the Sheets read."""
        with self._lock:
            self._hooks.append(Hook(file_id, action, api, method and method.upper(), times))

    def _take_hooks(self, file_id: str | None, api: str, method: str) -> list[Hook]:
        taken = []
        for hook in list(self._hooks):
            if hook.file_id not in (file_id, "*") or hook.api not in (None, api):
                continue
            if hook.method not in (None, method):
                continue
            taken.append(hook)
            if hook.times is not None:
                hook.times -= 1
                if hook.times <= 0:
                    self._hooks.remove(hook)
        return taken

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_quota(self, limit: int, window: float) -> None:
        with self._lock:
            self._quota = (limit, window)
            self._reads = {}

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    @property
    def tokens(self) -> list[TokenGrant]:
        with self._lock:
            return list(self._tokens)

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    def count(
        self, api: str | None = None, method: str | None = None, status: int | None = None
    ) -> int:
        return sum(
            1
            for r in self.requests
            if (api is None or r.api == api)
            and (method is None or r.method == method.upper())
            and (status is None or r.status == status)
        )

    def _take_fault(self, file_id: str | None, api: str, method: str, path: str) -> Fault | None:
        for key in ([file_id] if file_id else []) + ["*"]:
            for fault in self._faults.get(key, []):
                if fault.api not in (None, api) or fault.method not in (None, method):
                    continue
                if fault.path_contains is not None and fault.path_contains not in path:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults[key].remove(fault)
                return fault
        return None

    def _over_quota(self) -> bool:
        """Google's per-minute quotas refill on the minute: `limit` reads per fixed window
        (a window is a "minute", scaled down in tests), counted on `clock`."""
        if self._quota is None:
            return False
        limit, window = self._quota
        index = int(self.clock() // window)
        used = self._reads.get(index, 0)
        if used >= limit:
            return True
        self._reads = {index: used + 1}
        return False

    def now(self) -> float:
        """Google's wall clock (Date headers, token lifetimes): real time + `clock_offset`."""
        return time.time() + self.clock_offset

    # ------------------------------------------------------------------ dispatch

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> _Answer | None:
        """Answer one request; None means: drop the connection without answering."""
        split = urlsplit(raw_path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        api = "token" if path == "/token" else ("sheets" if path.startswith("/v4/") else "drive")
        auth = self._auth_state(headers.get("authorization"))
        self._caller.email = self._identity(headers.get("authorization"))

        def record(status: int) -> None:
            with self._lock:
                self._log.append(
                    RequestRecord(method, unquote(path), query, api, status, auth, len(body))
                )

        answer = self._answer(method, path, query, headers, body, api, auth, record)
        if answer is None or not answer.logged:
            record(answer.status if answer else 0)
        return answer

    def _identity(self, header: str | None) -> str:
        token = (header or "").removeprefix("Bearer ").strip()
        with self._lock:
            grant = next((t for t in self._tokens if t.token == token), None)
        if grant is not None and grant.issuer.startswith("oauth:"):
            return self.person_email.lower()
        return self.service_account_email

    def _auth_state(self, header: str | None) -> str:
        if not header:
            return "none"
        token = header.removeprefix("Bearer ").strip()
        with self._lock:
            return "valid" if any(t.token == token for t in self._tokens) else "invalid"

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        api: str,
        auth: str,
        record: Callable[[int], None],
    ) -> _Answer | None:
        if api == "token":
            return self._token(body)
        if auth == "invalid":
            return _error(
                errors.error(
                    api, 401, "Request had invalid authentication credentials.", reason="authError"
                )
            )
        file_id = _file_id_of(path)
        with self._lock:
            hooks = self._take_hooks(file_id, api, method)
        for hook in hooks:
            hook.action()
        with self._lock:
            fault = self._take_fault(file_id, api, method, path)
        if fault is not None:
            if fault.kind == "lost":
                self._serve(method, path, query, headers, body, api)  # applied, never answered
                return None
            if fault.kind == "timeout":
                # Logged now (status 0), then answered normally, long after the client left.
                record(0)
                time.sleep(self.timeout_sleep)
                return replace(self._serve(method, path, query, headers, body, api), logged=True)
            if fault.kind == "reset":
                return None
            return self._fault_answer(fault, api, file_id or "")
        return self._serve(method, path, query, headers, body, api)

    def _serve(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        api: str,
    ) -> _Answer:
        if api == "sheets" and method == "GET":
            with self._lock:
                if self._over_quota():
                    return _error(errors.rate_limited("sheets"))
        try:
            payload = json.loads(body) if body and "json" in headers.get("content-type", "") else {}
            with self._lock:
                status, result = self._route(method, path, query, headers, payload, body)
        except GoogleError as exc:
            return _error(exc)
        except Exception as exc:
            # A bug in the fake, not a Google answer: kept for the test fixture to fail on.
            self.internal_errors.append(f"{method} {path}: {traceback.format_exc()}")
            return _Answer(599, f"fake_google internal error: {exc!r}".encode(), "text/plain")
        if status == 204:
            return _Answer(204, b"", "text/html")
        if isinstance(result, drive_api.Media):  # a download: the file's bytes, not JSON
            return _Answer(status, result.data, result.mime_type)
        # Google pretty-prints its JSON with two-space indents; sizes measured here match.
        text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        return _Answer(status, text.encode("utf-8"))

    def _fault_answer(self, fault: Fault, api: str, file_id: str) -> _Answer:
        kind = fault.kind
        exc = {
            "429": lambda: errors.rate_limited(api, fault.retry_after),
            "500": lambda: errors.internal(api),
            "html502": errors.html_bad_gateway,
            "403": lambda: errors.permission_denied(api, file_id),
            "403_disabled": lambda: errors.service_disabled(api),
            "403_rate": lambda: errors.user_rate_limited(api),
            "404": lambda: errors.not_found(api, file_id),
            "400_precondition": lambda: errors.failed_precondition(api),
            "400_sharing": errors.invalid_sharing_request,
            "403_sharing_rate": errors.sharing_rate_limited,
        }[kind]()
        if fault.retry_after is not None:
            exc.headers["Retry-After"] = errors._seconds(fault.retry_after)
        return _error(exc)

    def _token(self, body: bytes) -> _Answer:
        form = parse_qs(body.decode("utf-8"))
        if (form.get("grant_type") or [""])[0] == "refresh_token":
            return self._refresh(form)
        assertion = (form.get("assertion") or [""])[0]
        try:
            payload_b64 = assertion.split(".")[1]
            claims = json.loads(
                base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4))
            )
        except (IndexError, ValueError):
            text = json.dumps({"error": "invalid_grant", "error_description": "Invalid JWT."})
            return _Answer(400, text.encode())
        iat, exp = float(claims.get("iat", 0)), float(claims.get("exp", 0))
        now = self.now()
        if not (iat - 300 <= now <= exp + 300) or exp - iat > 3600:
            # What Google answers a JWT signed by a machine whose clock is off.
            text = json.dumps({
                "error": "invalid_grant",
                "error_description": "Invalid JWT: Token must be a short-lived token (60 "
                "minutes) and in a reasonable timeframe. Check your iat and exp values in the "
                "JWT claim.",
            })  # fmt: skip
            return _Answer(400, text.encode())
        with self._lock:
            token = f"ya29.fake-token-{len(self._tokens) + 1}"
            scopes = tuple(str(claims.get("scope", "")).split())
            self._tokens.append(TokenGrant(str(claims.get("iss", "")), scopes, token))
        text = json.dumps({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
        return _Answer(200, text.encode())

    def _refresh(self, form: dict[str, list[str]]) -> _Answer:
        """The OAuth refresh-token grant of an installed app (a person's stored token)."""
        refresh = (form.get("refresh_token") or [""])[0]
        client_id = (form.get("client_id") or [""])[0]
        with self._lock:
            known = self.refresh_tokens.get(refresh)
            if known is None or known != client_id:
                text = json.dumps(
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    }
                )
                return _Answer(400, text.encode())
            token = f"ya29.fake-oauth-{len(self._tokens) + 1}"
            scopes = tuple((form.get("scope") or [""])[0].split())
            self._tokens.append(TokenGrant(f"oauth:{client_id}", scopes, token))
        text = json.dumps(
            {"access_token": token, "expires_in": 3599, "token_type": "Bearer",
             "scope": " ".join(scopes)}
        )  # fmt: skip
        return _Answer(200, text.encode())

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        payload: dict[str, Any],
        raw: bytes,
    ) -> tuple[int, Any]:
        if path == "/v4/spreadsheets" and method == "POST":
            return 200, self._create_spreadsheet(payload)
        m = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(.*)", path)
        if m:
            return 200, self._sheets(method, unquote(m.group(1)), m.group(2), query, payload)
        if path == "/drive/v3/about" and method == "GET":
            return 200, drive_api.about(self, query)
        if path == "/drive/v3/files":
            if method == "GET":
                return 200, drive_api.list_files(self, query)
            if method == "POST":
                return 200, drive_api.create_file(self, query, payload)
        if path == "/upload/drive/v3/files" and method == "POST":
            return 200, drive_api.upload(self, query, headers.get("content-type", ""), raw)
        m = re.fullmatch(r"/drive/v3/files/([^/]+)(/copy|/permissions|/comments)?", path)
        if m:
            return self._drive_file(method, unquote(m.group(1)), m.group(2) or "", query, payload)
        raise errors.error("drive", 404, f"Unknown endpoint {method} {path}", reason="notFound")

    def _sheets(
        self,
        method: str,
        key: str,
        rest: str,
        query: dict[str, list[str]],
        payload: dict[str, Any],
    ) -> Any:
        f = self.files.get(key)
        if f is None:
            raise errors.not_found("sheets", key)
        if self.role(f) is None:
            raise errors.permission_denied("sheets", key)
        if not f.native:
            raise errors.failed_precondition("sheets")
        if method != "GET" and self.role(f) not in EDIT_ROLES:
            raise errors.permission_denied("sheets", key)
        if rest == "" and method == "GET":
            return sheets_api.get_spreadsheet(f, query, grid_data=self.grid_data)
        if rest == ":batchUpdate" and method == "POST":
            return sheets_api.batch_update(f, payload)
        if rest == "/values:batchGet" and method == "GET":
            return sheets_api.values_batch_get(f, query)
        if rest == "/values:batchUpdate" and method == "POST":
            return sheets_api.values_batch_update(f, payload)
        if rest == "/values:batchClear" and method == "POST":
            return sheets_api.values_batch_clear(f, payload)
        if rest.startswith("/values/"):
            rng = rest[len("/values/") :]
            for suffix, handler in ((":clear", "clear"), (":append", "append")):
                if rng.endswith(suffix) and method == "POST":
                    rng = unquote(rng[: -len(suffix)])
                    if handler == "clear":
                        return sheets_api.values_clear(f, rng)
                    return sheets_api.values_append(f, rng, query, payload)
            rng = unquote(rng)
            if method == "GET":
                return sheets_api.values_get(f, rng, query)
            if method == "PUT":
                return sheets_api.values_update(f, rng, query, payload)
        raise errors.error("sheets", 404, f"Unknown endpoint {method} {rest}")

    def _create_spreadsheet(self, payload: dict[str, Any]) -> Any:
        props = payload.get("properties", {})
        title = props.get("title", "Bảng tính không có tiêu đề")
        sheets = payload.get("sheets") or []
        first = (sheets[0].get("properties", {}).get("title") if sheets else None) or "Trang tính1"
        book = Spreadsheet.blank(title, first)
        book.locale = props.get("locale", book.locale)
        book.time_zone = props.get("timeZone", book.time_zone)
        f = self.new_file(title, SHEET_MIME, [], book=book)
        return book.to_json(f.id, grid=False)

    def _drive_file(
        self,
        method: str,
        file_id: str,
        rest: str,
        query: dict[str, list[str]],
        payload: dict[str, Any],
    ) -> tuple[int, Any]:
        f = self.files.get(file_id)
        known = file_id in self.shared_drive_folders or file_id in self.folders
        if f is None and known and method == "GET" and not rest:
            folder = {"kind": "drive#file", "id": file_id, "name": file_id,
                      "mimeType": "application/vnd.google-apps.folder"}  # fmt: skip
            if file_id in self.shared_drive_folders:
                folder["driveId"] = self.shared_drive_folders[file_id]
            return 200, drive_api.apply_mask(folder, drive_api._mask(query, "id,name,mimeType"))
        if f is None or self.role(f) is None:  # Drive hides what it does not share: 404
            raise errors.not_found("drive", file_id)
        if rest == "" and method == "GET" and drive_api.one(query, "alt") == "media":
            return 200, drive_api.media(f)
        if rest == "" and method == "GET":
            return 200, drive_api.file_json(f, query)
        if rest == "" and method == "PATCH":
            return 200, drive_api.update_file(f, query, payload)
        if rest == "" and method == "DELETE":
            del self.files[file_id]
            return 204, None
        if rest == "/copy" and method == "POST":
            return 200, drive_api.copy_file(self, f, query, payload)
        if rest == "/permissions" and method == "POST":
            if self.role(f) not in EDIT_ROLES:
                raise errors.permission_denied("drive", file_id)
            return 200, drive_api.create_permission(self, f, payload)
        if rest == "/permissions" and method == "GET":
            return 200, drive_api.list_permissions(f, query)
        if rest == "/comments" and method == "GET":  # gspread's copy() reads them: none here
            return 200, {"kind": "drive#commentList", "comments": []}
        raise errors.error("drive", 404, f"Unknown endpoint {method} {rest}", reason="notFound")


def _file_id_of(path: str) -> str | None:
    m = re.match(r"/(?:v4/spreadsheets|drive/v3/files)/([^/:]+)", path)
    return unquote(m.group(1)) if m else None


def _error(exc: GoogleError) -> _Answer:
    if isinstance(exc.body, str):
        return _Answer(exc.code, exc.body.encode("utf-8"), "text/html; charset=UTF-8", exc.headers)
    text = json.dumps(exc.body, ensure_ascii=False, indent=2) + "\n"
    return _Answer(exc.code, text.encode("utf-8"), headers=exc.headers)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGoogle
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.fake.handle(self.command, self.path, headers, body)
        if answer is None:
            self.close_connection = True  # a dropped connection: no answer at all
            return
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header carries Google's clock (the fake's, shifted by clock_offset).
        return email.utils.formatdate(self.fake.now(), usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is `FakeGoogle.requests`
