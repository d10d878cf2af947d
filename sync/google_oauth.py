"""A person's Google credentials for `provision`, for districts without a Shared Drive.

Service accounts own no Drive storage, and a Shared Drive needs a paid Workspace plan: the
unit sheets are then created by a person of the district office, through the installed-app
OAuth flow (google-auth-oauthlib). The person signs in once in a browser; the resulting
refresh token is kept in the state folder, readable by its owner only (0600), and later runs
refresh it at the token endpoint without a browser. The files belong to that person.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from google.oauth2.credentials import Credentials

from .http import WRITE_SCOPES, GoogleConfigError

log = logging.getLogger(__name__)

# Sheets and Drive in full: the person creates files in an existing folder and shares them.
OAUTH_SCOPES = WRITE_SCOPES

Flow = Callable[[Path, Sequence[str]], Credentials]


def browser_flow(client_secret: Path, scopes: Sequence[str]) -> Credentials:
    """The installed-app flow: opens a browser on this machine, listens on a local port."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_secrets_file(str(client_secret), scopes=list(scopes))
    credentials = flow.run_local_server(port=0, open_browser=True)
    if not isinstance(credentials, Credentials):
        raise GoogleConfigError(
            "đăng nhập Google trên trình duyệt không trả về quyền của người dùng"
        )
    return credentials


def person_credentials(
    client_secret: Path,
    token_file: Path,
    *,
    scopes: Sequence[str] = OAUTH_SCOPES,
    flow: Flow = browser_flow,
) -> Credentials:
    """The stored credentials of the person who provisions, or a new sign-in (`flow`).

    GoogleConfigError names what is wrong (no client file, a token file that is not a
    stored authorisation), never a secret.
    """
    if token_file.exists():
        try:
            info = json.loads(token_file.read_text(encoding="utf-8"))
            credentials = Credentials.from_authorized_user_info(info, scopes=list(scopes))
        except (OSError, ValueError, KeyError) as exc:
            raise GoogleConfigError(
                f"{token_file} không phải phiên đăng nhập Google đã lưu ({type(exc).__name__}); "
                "xóa tệp này rồi chạy lại `tonghop provision --oauth` để đăng nhập"
            ) from None
        if not credentials.refresh_token:
            raise GoogleConfigError(
                f"{token_file} không có mã làm mới (refresh token); xóa tệp này rồi đăng nhập lại"
            )
        _restrict(token_file)
        return credentials
    if not client_secret.is_file():
        raise GoogleConfigError(
            f"không có tệp OAuth client {client_secret}: tạo một OAuth client ID loại Desktop "
            "app tại Google Cloud console → APIs & Services → Credentials rồi tải tệp JSON "
            "của nó về"
        )
    credentials = flow(client_secret, scopes)
    save_token(token_file, credentials)
    log.info("đã lưu phiên đăng nhập Google vào “%s” (chỉ chủ tài khoản máy đọc được)", token_file)
    return credentials


def save_token(token_file: Path, credentials: Credentials) -> None:
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
