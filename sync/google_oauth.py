"""A person's Google credentials for `provision`, for districts without a Shared Drive.

Service accounts own no Drive storage, and a Shared Drive needs a paid Workspace plan: the
unit sheets are then created by a person of the district office, through the installed-app
OAuth flow (google-auth-oauthlib). The person signs in once in a browser; the resulting
refresh token is kept in the state folder, readable by its owner only (0600), and later runs
refresh it at the token endpoint without a browser. The files belong to that person.

Scope: `drive.file` only, the narrowest that works: it lets the app create files, share
them and edit them with the Sheets API, and nothing else of the person's Drive (the files
`provision` made are the only ones it ever sees again). Google grants a refresh token only on
a consent screen, so the flow always asks for consent (`prompt=consent`) and a sign-in that
comes back without one is refused before anything is saved. On a server without a browser,
`port` fixes the local port so it can be forwarded over SSH (README, "provision --oauth").
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from google.oauth2.credentials import Credentials

from .http import GoogleConfigError

log = logging.getLogger(__name__)

# Files this app creates (and shares, and fills through the Sheets API): nothing else.
OAUTH_SCOPES = ("https://www.googleapis.com/auth/drive.file",)
_SCOPE_NAMES = {
    "https://www.googleapis.com/auth/drive.file": "Drive: chỉ các tệp do tonghop tạo (drive.file)",
}

Flow = Callable[[Path, Sequence[str]], Credentials]


def browser_flow(client_secret: Path, scopes: Sequence[str], port: int = 0) -> Credentials:
    """The installed-app flow: a browser consent screen, answered on a local port.

    ``port`` 0 picks a free port and opens this machine's browser; a fixed port does not open
    one and prints the address instead, for a browser on another machine that forwards the
    port over SSH (`ssh -L PORT:localhost:PORT server`).
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_secrets_file(str(client_secret), scopes=list(scopes))
    credentials = flow.run_local_server(
        host="localhost",
        port=port,
        open_browser=port == 0,
        prompt="consent",  # without it Google issues no refresh token on a second sign-in
        access_type="offline",
        authorization_prompt_message=(
            "Mở địa chỉ sau trong trình duyệt để đăng nhập Google và cấp quyền cho tonghop:\n"
            "{url}\n"
        ),
        success_message="Đã đăng nhập. Có thể đóng cửa sổ này và quay lại tonghop.",
    )
    if not isinstance(credentials, Credentials):
        raise GoogleConfigError("Đăng nhập Google không trả về thông tin đăng nhập của người dùng.")
    return credentials


def person_credentials(
    client_secret: Path,
    token_file: Path,
    *,
    scopes: Sequence[str] = OAUTH_SCOPES,
    flow: Flow = browser_flow,
) -> Credentials:
    """The stored credentials of the person who provisions, or a new sign-in (`flow`).

    GoogleConfigError names what is wrong in one Vietnamese line (no client file, a token file
    that is not a stored sign-in, a sign-in without a refresh token, scopes not granted),
    never a secret.
    """
    if token_file.exists():
        try:
            info = json.loads(token_file.read_text(encoding="utf-8"))
            credentials = Credentials.from_authorized_user_info(info, scopes=list(scopes))
        except (OSError, ValueError, KeyError) as exc:
            raise GoogleConfigError(
                f"Tệp {token_file} không phải thông tin đăng nhập Google đã lưu "
                f"({type(exc).__name__}): xóa tệp này rồi chạy lại “tonghop provision --oauth” "
                "để đăng nhập lại."
            ) from None
        if not credentials.refresh_token:
            raise GoogleConfigError(
                f"Tệp {token_file} không có mã làm mới (refresh token): xóa tệp này rồi chạy lại "
                "“tonghop provision --oauth” để đăng nhập lại."
            )
        _restrict(token_file)
        return credentials
    if not client_secret.is_file():
        raise GoogleConfigError(
            f"Không có tệp OAuth client {client_secret}: trong Google Cloud console → APIs & "
            "Services → Credentials, tạo OAuth client ID loại Desktop app và tải tệp JSON của "
            "nó về đường dẫn này."
        )
    try:
        credentials = flow(client_secret, scopes)
    except Warning as exc:  # oauthlib: "Scope has changed" when only some scopes were ticked
        granted = getattr(exc, "new_scope", None) or []
        raise GoogleConfigError(scopes_refused_vi(granted, scopes)) from None
    granted = getattr(credentials, "granted_scopes", None)
    if granted is not None and set(scopes) - set(granted):
        raise GoogleConfigError(scopes_refused_vi(granted, scopes))
    if not credentials.refresh_token:
        raise GoogleConfigError(
            "Google không cấp mã làm mới (refresh token) cho lần đăng nhập này nên không lưu "
            "được: vào https://myaccount.google.com/permissions, gỡ quyền của ứng dụng tonghop, "
            "rồi chạy lại “tonghop provision --oauth”."
        )
    save_token(token_file, credentials)
    log.info("Đã lưu đăng nhập Google vào %s (chỉ chủ tệp đọc được)", token_file)
    return credentials


def scopes_refused_vi(granted: Iterable[str], wanted: Sequence[str]) -> str:
    """One line: which permissions the person ticked and which are missing."""
    have = [s for s in granted if s]
    missing = [s for s in wanted if s not in set(have)]

    def show(items: Iterable[str]) -> str:
        return ", ".join(_SCOPE_NAMES.get(s, s) for s in items) or "không có"

    return (
        f"Chưa cấp đủ quyền trên màn hình đồng ý của Google: đã cấp {show(have)}; còn thiếu "
        f"{show(missing)}. Chạy lại “tonghop provision --oauth” và đánh dấu mọi ô quyền được hỏi."
    )


def sign_in_refused_vi(token_file: Path) -> str:
    """One line for a stored sign-in Google refuses (invalid_grant: expired or revoked)."""
    return (
        "Google từ chối phiên đăng nhập đã lưu (invalid_grant: đã hết hạn hoặc bị thu hồi; ứng "
        "dụng OAuth ở chế độ Testing chỉ giữ đăng nhập 7 ngày). Xóa tệp "
        f"{token_file} rồi chạy lại “tonghop provision --oauth” để đăng nhập lại."
    )


def is_sign_in_refused(exc: BaseException) -> bool:
    """Google's token endpoint refusing a stored refresh token (not a clock problem)."""
    text = str(exc)
    return "invalid_grant" in text and "Invalid JWT" not in text


def save_token(token_file: Path, credentials: Any) -> None:
    """Write the sign-in with 0600 permissions from the first byte (never world-readable)."""
    token_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = token_file.with_name(token_file.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(credentials.to_json())
    os.chmod(tmp, 0o600)  # an existing tmp file kept its old mode
    tmp.replace(token_file)


def _restrict(path: Path) -> None:
    if os.name == "posix" and path.stat().st_mode & 0o077:
        log.warning("tệp “%s” để người khác đọc được: đã giới hạn chỉ chủ tệp đọc được", path)
        os.chmod(path, 0o600)
