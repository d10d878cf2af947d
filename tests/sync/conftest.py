"""Fixtures for the Google path: the local fake, and real gspread clients pointed at it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gspread
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sync.http import build_client
from tests.fake_google import SERVICE_ACCOUNT_EMAIL, FakeGoogle

SA_EMAIL = SERVICE_ACCOUNT_EMAIL


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    """A started fake; a `timeout` fault stalls 2.5 s (clients in tests read-time out at
    1.5 s, so a busy machine is not mistaken for a timeout)."""
    with FakeGoogle(timeout_sleep=2.5) as server:
        yield server
    assert not server.internal_errors, "\n".join(server.internal_errors)


class Sleeps(list[float]):
    """A sleep that records instead of waiting: retry tests assert on the delays."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(fake: FakeGoogle, sleeps: Sleeps) -> Callable[..., gspread.Client]:
    """A real gspread client on TonghopHTTPClient, against the fake, with no real waiting.

    Defaults: no read pacing, retries sleep into `sleeps`, deterministic jitter (0.5).
    """

    def build(**options: Any) -> gspread.Client:
        options.setdefault("reads_per_minute", None)
        options.setdefault("sleep", sleeps)
        options.setdefault("jitter", lambda: 0.5)
        options.setdefault("timeout", (2.0, 1.5))
        return build_client(base_url=fake.url, **options)

    return build


@pytest.fixture
def key_file(tmp_path: Path, fake: FakeGoogle) -> Path:
    """A throwaway service-account key whose token_uri is the fake's /token."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "tonghop-demo",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": SA_EMAIL,
        "client_id": "123456789",
        "token_uri": f"{fake.url}/token",
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    return path
