"""TonghopHTTPClient: base-URL seam, bounded retry, pacing, credentials — over real HTTP."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from gspread.exceptions import APIError

from sync.base import Pulled, SheetRef, SourceProblem
from sync.google import GoogleSource
from sync.http import (
    READ_SCOPES,
    WRITE_SCOPES,
    GoogleConfigError,
    RateLimiter,
    SharedRateLimiter,
    TonghopHTTPClient,
    build_client,
    load_credentials,
    service_account_email,
)
from tests.fake_google import FakeGoogle

from .conftest import SA_EMAIL, Sleeps
from .workbooks import unit_workbook

MAKE = Callable[..., gspread.Client]
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets/"


def get(client: gspread.Client, key: str) -> requests.Response:
    return client.http_client.request("get", SHEETS + key, params={"fields": "spreadsheetId"})


def test_rewrites_both_google_hosts_and_ignores_proxies(fake: FakeGoogle, make_client: MAKE):
    client = make_client()
    http = client.http_client
    assert isinstance(http, TonghopHTTPClient)
    assert http.rewrite("https://sheets.googleapis.com/v4/x") == f"{fake.url}/v4/x"
    assert http.rewrite("https://www.googleapis.com/drive/v3/files") == f"{fake.url}/drive/v3/files"
    assert http.rewrite("https://docs.google.com/x") == "https://docs.google.com/x"
    assert http.session.trust_env is False
    assert http.timeout == (2.0, 1.5)
    key = fake.add_spreadsheet(unit_workbook())
    assert client.open_by_key(key).title  # gspread's own calls go through the seam too


def test_no_base_url_leaves_google_urls(key_file: Path) -> None:
    client = build_client(key_file=key_file)
    http = client.http_client
    assert isinstance(http, TonghopHTTPClient)
    assert http.rewrite(SHEETS + "k") == SHEETS + "k"
    assert http.session.trust_env is True
    assert http.timeout == (10.0, 60.0)  # gspread's default would be None: wait forever


def test_retry_after_is_honoured_and_jitter_applies(fake: FakeGoogle, make_client, sleeps):
    key = fake.add_spreadsheet(unit_workbook())
    fake.set_fault(key, "429", times=2, retry_after=3)
    assert get(make_client(), key).ok
    assert sleeps == [3.0, 3.0]  # Retry-After beats the 0.5 s and 1 s jittered backoff
    assert fake.count(status=429) == 2 and fake.count(status=200) == 1


def test_full_jitter_backoff_grows_and_is_capped(fake: FakeGoogle, make_client, sleeps) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    fake.set_fault(key, "500", times=5)
    client = make_client(max_attempts=6, jitter=lambda: 1.0, max_delay=4.0, max_total_wait=100)
    assert get(client, key).ok
    assert sleeps == [1.0, 2.0, 4.0, 4.0, 4.0]


def test_retry_is_bounded_by_attempts(fake: FakeGoogle, make_client: MAKE, sleeps) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    fake.set_fault(key, "500")
    with pytest.raises(APIError) as info:
        get(make_client(max_attempts=3), key)
    assert info.value.code == 500
    assert fake.count() == 3 and len(sleeps) == 2


def test_retry_is_bounded_by_total_wait(fake: FakeGoogle, make_client: MAKE, sleeps) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    fake.set_fault(key, "429", retry_after=30)
    with pytest.raises(APIError):
        get(make_client(max_total_wait=10), key)
    assert fake.count() == 1 and sleeps == []  # waiting 30 s would exceed the budget


def test_html_502_is_retried(fake: FakeGoogle, make_client: MAKE, sleeps: Sleeps) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    fake.set_fault(key, "html502", times=1)
    assert get(make_client(), key).ok
    fake.set_fault(key, "html502")
    with pytest.raises(APIError) as info:
        get(make_client(max_attempts=2), key)
    assert info.value.code == -1  # gspread could not parse the HTML body
    assert info.value.response.status_code == 502


@pytest.mark.parametrize("kind", ["403", "403_disabled", "404", "400_precondition"])
def test_other_4xx_are_never_retried(fake: FakeGoogle, make_client, sleeps, kind) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    fake.set_fault(key, kind)
    with pytest.raises(APIError):
        get(make_client(), key)
    assert fake.count() == 1 and sleeps == []


def test_read_timeout_is_retried_for_reads(fake: FakeGoogle, make_client: MAKE, sleeps) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    fake.set_fault(key, "timeout", times=1)
    started = time.monotonic()
    assert get(make_client(), key).ok
    assert time.monotonic() - started < 2.4  # the 1.5 s read timeout, not the 2.5 s stall
    assert len(sleeps) == 1


def test_dropped_connection_retried_for_reads_not_for_writes(
    fake: FakeGoogle, make_client: MAKE, caplog: pytest.LogCaptureFixture
) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    client = make_client()
    fake.set_fault(key, "reset", times=1)
    with caplog.at_level(logging.INFO, logger="sync.http"):
        assert get(client, key).ok
    (retry,) = [r.getMessage() for r in caplog.records if r.name == "sync.http"]
    assert "lần thử 1/" in retry and "bị lỗi: lỗi kết nối mạng (ConnectionError)" in retry
    fake.reset_log()
    fake.set_fault(key, "reset", times=1)
    body = {"requests": [{"addSheet": {"properties": {"title": "Mới"}}}]}
    with pytest.raises(requests.ConnectionError):
        client.http_client.batch_update(key, body)
    assert fake.count(method="POST") == 1  # a write whose answer was lost is not sent again
    assert "Mới" not in fake.sheet_titles(key)


def test_drive_rate_limit_403_is_retried_but_not_disabled_api(fake, make_client, sleeps):
    client = make_client()
    url = "https://www.googleapis.com/drive/v3/files"
    fake.set_fault("*", "403_rate", times=1, api="drive")
    assert client.http_client.request("get", url).ok
    assert fake.count() == 2 and len(sleeps) == 1
    fake.set_fault("*", "403_disabled", api="drive")
    with pytest.raises(APIError):
        client.http_client.request("get", url)
    assert fake.count() == 3  # accessNotConfigured (domain usageLimits) is not a rate limit
    assert len(sleeps) == 1


# ------------------------------------------------------------------------------ pacing


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_rate_limiter_spaces_calls_evenly() -> None:
    clock = FakeClock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(5):
        limiter.acquire()
        starts.append(clock.now)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
    assert gaps == [1.2] * 4  # 60 s / 50
    clock.now += 10  # idle time is not banked into a burst
    limiter.acquire()
    limiter.acquire()
    assert round(clock.now - (starts[-1] + 10), 6) == 1.2


def test_rate_limiter_is_thread_safe() -> None:
    frozen = 0.0
    waits: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            waits.append(round(seconds, 6))

    limiter = RateLimiter(600, clock=lambda: frozen, sleep=record)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Every caller got its own slot: 0.1 s apart, none shared, none skipped.
    assert sorted(waits) == [round(0.1 * i, 6) for i in range(1, 20)]


def test_only_sheets_reads_are_paced(fake: FakeGoogle) -> None:
    clock = FakeClock()
    key = fake.add_spreadsheet(unit_workbook())
    client = build_client(
        base_url=fake.url, reads_per_minute=60, clock=clock, sleep=clock.sleep, jitter=lambda: 0
    )
    for _ in range(3):
        get(client, key)
    client.list_spreadsheet_files()  # Drive: not a Sheets read
    client.http_client.batch_update(
        key, {"requests": [{"addSheet": {"properties": {"title": "X"}}}]}
    )
    assert clock.now == pytest.approx(102.0)  # 3 reads: 0 + 1 + 1 s; the rest unpaced


class SharedClock(FakeClock):
    """One fake wall clock for the fake's quota windows and the client's pacing and sleeps:
    a run of minutes takes milliseconds. Thread-safe (the fake reads it from its threads)."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 1_700_000_010.0  # 10 s into a minute
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def quota_run(
    clock: SharedClock, n: int, **options: Any
) -> tuple[FakeGoogle, list[Pulled | SourceProblem]]:
    fake = FakeGoogle(quota=(60, 60.0), clock=clock).start()  # Google's 60 reads a minute
    refs = [SheetRef(f"U{i}", fake.add_spreadsheet(unit_workbook(f"U{i}"))) for i in range(n)]
    src = GoogleSource(
        build_client(base_url=fake.url, clock=clock, wall_clock=clock, sleep=clock.sleep,
                     jitter=lambda: 0.5, **options)
    )  # fmt: skip
    versions = src.versions(refs)
    results = [src.pull(ref, versions[ref.code]) for ref in refs]  # type: ignore[arg-type]
    fake.stop()
    return fake, results


def test_paced_run_under_a_60_per_minute_quota_sees_no_429() -> None:
    clock = SharedClock()
    fake, results = quota_run(clock, 130, reads_per_minute=50)
    assert fake.count(api="sheets") == 130 and fake.count(status=429) == 0
    assert all(isinstance(r, Pulled) for r in results)  # no unit unreachable
    assert 130 * 1.2 - 2 <= clock.now - 1_700_000_010 <= 130 * 1.2 + 2  # 50 a minute


def test_a_429_waits_for_the_next_minute_and_slows_down() -> None:
    clock = SharedClock()
    fake, results = quota_run(clock, 130, reads_per_minute=600)  # far over the quota
    assert all(isinstance(r, Pulled) for r in results)  # nothing given up: no unreachable unit
    assert 1 <= fake.count(status=429) <= 3  # the pacing slowed down after the first
    assert fake.count(status=200, api="sheets") == 130


def test_a_429_without_retry_after_sleeps_to_the_minute_boundary(fake: FakeGoogle) -> None:
    clock = SharedClock()
    clock.now += 30  # 40 s into the minute
    key = fake.add_spreadsheet(unit_workbook())
    fake.set_fault(key, "429", times=1)
    client = build_client(base_url=fake.url, reads_per_minute=None, wall_clock=clock,
                          sleep=clock.sleep, jitter=lambda: 0.5, minute_jitter=2.0)  # fmt: skip
    get(client, key)
    assert clock.now == pytest.approx(1_700_000_040.0 + 60 - 40 + 1.0)  # :00 next minute, +1 s


def test_doctor_and_sync_share_the_pacing_file(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "state" / "google-pacing"
    sync_side = SharedRateLimiter(path, 60, clock=clock, sleep=clock.sleep)
    doctor_side = SharedRateLimiter(path, 60, clock=clock, sleep=clock.sleep)
    start = clock.now
    for limiter in (sync_side, doctor_side, sync_side, doctor_side):
        limiter.acquire()
    assert clock.now - start == pytest.approx(3.0)  # 4 calls, one a second, across both
    sync_side.hold_until(clock.now + 30)
    doctor_side.acquire()
    assert clock.now - start == pytest.approx(33.0)


# ------------------------------------------------------------------------------ credentials


def test_service_account_token_and_scopes(fake: FakeGoogle, key_file: Path) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    reader = build_client(key_file=key_file, base_url=fake.url, reads_per_minute=None)
    get(reader, key)
    get(reader, key)
    writer = build_client(key_file=key_file, base_url=fake.url, write=True)
    writer.http_client.batch_update(key, {"requests": [{"addSheet": {"properties": {}}}]})
    read_grant, write_grant = fake.tokens
    assert set(read_grant.scopes) == set(READ_SCOPES)
    assert set(write_grant.scopes) == set(WRITE_SCOPES)
    assert fake.count(api="token") == 2  # one exchange per client, then the token is reused
    assert all(r.auth == "valid" for r in fake.requests if r.api != "token")
    assert service_account_email(key_file) == SA_EMAIL


def test_anonymous_with_base_url_sends_no_authorization(fake: FakeGoogle, make_client) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    get(make_client(), key)
    assert fake.count(api="token") == 0
    assert [r.auth for r in fake.requests] == ["none"]


def test_no_credentials_and_no_base_url_is_a_config_error() -> None:
    with pytest.raises(GoogleConfigError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        build_client()


SECRET = "-----BEGIN PRIVATE KEY-----\nTOPSECRETMATERIAL\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "không có tệp khóa"),
        ("{not json " + SECRET, "không phải dạng JSON"),
        (
            json.dumps({"type": "authorized_user", "refresh_token": SECRET}),
            "không phải khóa của tài khoản dịch vụ",
        ),
        (json.dumps(["a", SECRET]), "không phải khóa của tài khoản dịch vụ"),
        (json.dumps({"type": "service_account", "client_email": "a@b"}), "thiếu private_key"),
        (
            json.dumps(
                {
                    "type": "service_account",
                    "client_email": "a@b",
                    "token_uri": "https://oauth2.googleapis.com/token",
                    "private_key": SECRET,
                }
            ),
            "không phải khóa riêng PEM hợp lệ",
        ),
    ],
)
def test_bad_key_files_name_the_file_not_the_key(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(GoogleConfigError) as info:
        load_credentials(path, READ_SCOPES)
    message = str(info.value)
    assert expected in message and str(path) in message
    assert "TOPSECRET" not in message and "PRIVATE KEY" not in message
    assert info.value.__cause__ is None  # nothing chained that could quote the key


def test_refused_connection_is_retried_even_for_writes(sleeps: Sleeps) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = build_client(base_url=f"http://127.0.0.1:{port}", sleep=sleeps, max_attempts=3)
    with pytest.raises(requests.ConnectionError):
        client.http_client.batch_update("k", {"requests": []})
    assert len(sleeps) == 2  # nothing was sent, so resending cannot apply a write twice


@pytest.mark.parametrize("url", ["http://127.0.0.1:9", "http://localhost:8080", "http://[::1]:9"])
def test_real_credentials_may_go_to_a_local_emulator(url: str, key_file: Path) -> None:
    client = build_client(key_file=key_file, base_url=url)
    assert client.http_client.base_url == url  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url", ["https://sheets.example.com", "http://10.0.0.5:8080", "http://127.0.0.1.evil.io"]
)
def test_real_credentials_are_refused_for_another_host(url: str, key_file: Path) -> None:
    with pytest.raises(GoogleConfigError, match="TONGHOP_GOOGLE_API_URL"):
        build_client(key_file=key_file, base_url=url)
    # Without credentials nothing secret can leave: an emulator elsewhere is allowed.
    assert build_client(base_url=url).http_client.base_url == url  # type: ignore[attr-defined]


def test_a_pacing_file_from_a_clock_set_back_does_not_stall(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "google-pacing"
    path.write_text(f"{clock.now + 3600:.3f}\n", "ascii")  # written before the clock went back
    SharedRateLimiter(path, 60, clock=clock, sleep=clock.sleep).acquire()
    assert clock.now - 100.0 <= SharedRateLimiter.MAX_AHEAD
