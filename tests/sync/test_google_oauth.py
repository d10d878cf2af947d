"""A person's sign-in never locks them out: each failure is one Vietnamese line, no traceback.

The browser step is the one part replaced (the `flow` seam of `person_credentials`): what it
returns or raises is what Google and oauthlib produce — a token answer without a refresh token,
oauthlib's own "Scope has changed" warning for a partly ticked consent screen.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from google.oauth2.credentials import Credentials
from oauthlib.oauth2.rfc6749.parameters import parse_token_response

from sync.google_oauth import OAUTH_SCOPES, person_credentials, save_token
from sync.http import GoogleConfigError
from tests.fake_google import FakeGoogle

from .test_google_sync import REPO, google_district
from .test_google_sync import demo as demo  # the demo district fixture, shared

SHEETS = "https://www.googleapis.com/auth/spreadsheets"


def _client_file(tmp_path: Path) -> Path:
    path = tmp_path / "client_secret.json"
    path.write_text(json.dumps({"installed": {
        "client_id": "desktop-client", "client_secret": "s3cret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"]}}), "utf-8")  # fmt: skip
    return path


def test_a_sign_in_without_a_refresh_token_is_refused_before_saving(tmp_path: Path) -> None:
    token = tmp_path / "state" / "google-oauth-token.json"

    def second_sign_in(path: Path, scopes: Any) -> Credentials:
        # What Google answers a repeated consent without prompt=consent: no refresh token.
        return Credentials(token="ya29.x", refresh_token=None, client_id="desktop-client",
                           client_secret="s3cret", scopes=list(scopes))  # fmt: skip

    with pytest.raises(GoogleConfigError) as info:
        person_credentials(_client_file(tmp_path), token, flow=second_sign_in)
    text = str(info.value)
    assert "refresh token" in text and "tonghop provision --oauth" in text and "\n" not in text
    assert not token.exists()  # nothing saved that would fail on the next run


def test_partial_consent_names_the_scopes_granted_and_missing(tmp_path: Path) -> None:
    wanted = [*OAUTH_SCOPES, SHEETS]

    def ticked_one_box(path: Path, scopes: Any) -> Credentials:
        # oauthlib's own check of Google's token answer, which granted only one scope.
        answer = {"access_token": "ya29.x", "token_type": "Bearer", "expires_in": 3599,
                  "refresh_token": "1//r", "scope": OAUTH_SCOPES[0]}  # fmt: skip
        os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)
        parse_token_response(json.dumps(answer), scope=list(scopes))
        raise AssertionError("oauthlib accepted a narrowed scope")

    with pytest.raises(GoogleConfigError) as info:
        person_credentials(_client_file(tmp_path), tmp_path / "t.json", scopes=wanted,
                           flow=ticked_one_box)  # fmt: skip
    text = str(info.value)
    assert "đã cấp Drive: chỉ các tệp do tonghop tạo (drive.file)" in text
    assert f"còn thiếu {SHEETS}" in text and "\n" not in text


def test_granted_scopes_short_of_the_request_are_caught_too(tmp_path: Path) -> None:
    def relaxed(path: Path, scopes: Any) -> Credentials:
        return Credentials(token="ya29.x", refresh_token="1//r", scopes=list(scopes),
                           granted_scopes=[])  # fmt: skip

    with pytest.raises(GoogleConfigError, match="đã cấp không có; còn thiếu"):
        person_credentials(_client_file(tmp_path), tmp_path / "t.json", flow=relaxed)


def test_the_narrowest_scope_is_asked(tmp_path: Path) -> None:
    asked: list[list[str]] = []

    def flow(path: Path, scopes: Any) -> Credentials:
        asked.append(list(scopes))
        return Credentials(token="ya29.x", refresh_token="1//r", scopes=list(scopes))

    person_credentials(_client_file(tmp_path), tmp_path / "t.json", flow=flow)
    assert asked == [["https://www.googleapis.com/auth/drive.file"]]


def test_cli_an_expired_sign_in_is_one_line_naming_the_token_file(
    fake: FakeGoogle,
    demo: Path,
    tmp_path: Path,
) -> None:
    root = tmp_path / "g"
    google_district(fake, demo, root)
    fake.add_shared_drive_folder("folder-1")
    token = root / "state" / "google-oauth-token.json"
    # A sign-in stored 8 days ago by an app in "Testing": Google refuses its refresh token.
    save_token(token, Credentials(token=None, refresh_token="1//expired",
                                  token_uri="https://oauth2.googleapis.com/token",
                                  client_id="desktop-client", client_secret="s3cret"))  # fmt: skip
    before = list(csv.DictReader((root / "units.csv").open(encoding="utf-8")))
    env = {**os.environ, "PYTHONPATH": str(REPO), "TONGHOP_GOOGLE_API_URL": fake.url,
           "COLUMNS": "300"}  # fmt: skip
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    res = subprocess.run([sys.executable, "-m", "jobs", "provision", "--oauth", "--config",
                          str(root / "tonghop.toml")], capture_output=True, text=True, env=env,
                         timeout=300)  # fmt: skip
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert "invalid_grant" in lines[0] and "Xóa tệp" in lines[0]
    assert str(token) in " ".join(res.stderr.split())
    assert list(csv.DictReader((root / "units.csv").open(encoding="utf-8"))) == before
