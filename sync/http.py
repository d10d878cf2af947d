"""The HTTP transport under gspread: base-URL seam, timeouts, bounded retry, read pacing.

gspread has no base-URL option and, in 6.2.1, no usable retry (`BackOffHTTPClient` retries
without bound, ignores Retry-After, never retries an HTML 5xx and keeps its counter on the
class). `TonghopHTTPClient` replaces both: it is the `http_client` gspread builds every request
on, so every call our code or gspread makes goes through it.

Build a client with `build_client`; library code never reads the environment: the base URL
(`TONGHOP_GOOGLE_API_URL`) and the key file are parameters the caller read once at the edge.
"""

from __future__ import annotations

import email.utils
import functools
import ipaddress
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import gspread
import requests
from filelock import FileLock
from filelock import Timeout as FileLockTimeout
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.exceptions import TransportError
from google.auth.transport.requests import AuthorizedSession
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import FileType, HTTPClient, HTTPClientType, ParamsType
from gspread.utils import convert_credentials
from urllib3.exceptions import NewConnectionError

log = logging.getLogger(__name__)

SHEETS_PREFIX = "https://sheets.googleapis.com"
GOOGLEAPIS_PREFIX = "https://www.googleapis.com"

# Reading units needs nothing more than these; a leaked read-only token cannot edit a sheet.
READ_SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
)
# Only the status-sheet writer and `provision` get these.
WRITE_SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
)

DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds; Google cuts requests at ~180 s
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# Drive signals rate limits as 403 with these reasons and asks clients to back off and retry.
_DRIVE_RATE_REASONS = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "sharingRateLimitExceeded"}
)


class GoogleConfigError(Exception):
    """The Google configuration (key file, base URL) cannot be used; the message says why."""


class RateLimiter:
    """Spaces calls evenly: at most `per_minute` per 60 s, one every 60/per_minute seconds.

    Thread-safe: each caller reserves the next free slot under a lock, then sleeps outside it.
    """

    def __init__(
        self,
        per_minute: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute must be positive, got {per_minute}")
        self.interval = 60.0 / per_minute
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def slow_down(self, factor: float = 1.5, *, floor_per_minute: float = 10.0) -> None:
        """Space calls further apart (after a 429: the quota is shared with someone else)."""
        with self._lock:
            self.interval = min(self.interval * factor, 60.0 / floor_per_minute)

    def hold_until(self, moment: float) -> None:
        """No slot before `moment` (in this limiter's clock)."""
        with self._lock:
            self._next = max(self._next, moment)

    def acquire(self) -> float:
        """Wait for the next slot; return how long this call waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


class SharedRateLimiter(RateLimiter):
    """A RateLimiter whose next free slot lives in a file, under a file lock, so every process
    of one account (`sync`, and a `doctor` run beside it) shares the per-user quota.

    The file holds the wall-clock time (seconds since the epoch) of the next free slot; a
    missing or garbled file means "now". `hold_until` pushes that slot forward for everyone
    (after a 429, to the next minute).
    """

    def __init__(
        self,
        path: str | Path,
        per_minute: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        lock_timeout: float = 30.0,
    ) -> None:
        super().__init__(per_minute, clock=clock, sleep=sleep)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file_lock = FileLock(str(self.path) + ".lock", timeout=lock_timeout)

    def _read(self) -> float:
        try:
            return float(self.path.read_text(encoding="ascii").strip() or "-inf")
        except (OSError, ValueError):
            return float("-inf")

    def _write(self, value: float) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(f"{value:.3f}\n", encoding="ascii")
        tmp.replace(self.path)

    # A stored slot further ahead than this is a clock set back, not a reservation.
    MAX_AHEAD = 90.0

    def acquire(self) -> float:
        with self._lock:
            now = self._clock()
            try:
                with self._file_lock:
                    stored = min(self._read(), now + self.MAX_AHEAD)
                    slot = max(now, stored, self._next)
                    self._write(slot + self.interval)
            except FileLockTimeout:
                log.warning(
                    "tệp điều tiết nhịp gọi Google “%s” bị khóa quá lâu: tiến trình này tự điều tiết "
                    "riêng",
                    self.path,
                )
                slot = max(now, self._next)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold_until(self, moment: float) -> None:
        with self._lock:
            self._next = max(self._next, moment)
            try:
                with self._file_lock:
                    self._write(max(moment, min(self._read(), moment + self.MAX_AHEAD)))
            except FileLockTimeout:
                log.warning(
                    "tệp điều tiết nhịp gọi Google “%s” bị khóa quá lâu: lệnh tạm dừng chỉ giữ trong "
                    "tiến trình này",
                    self.path,
                )


OAUTH_TOKEN_PREFIX = "https://oauth2.googleapis.com"


class _TokenSession(requests.Session):
    """The session tokens are fetched with. With a base URL (an emulator on this machine)
    Google's token host is swapped for it too: google-auth pins a stored sign-in's token
    endpoint to oauth2.googleapis.com, and the emulator plays that endpoint as well."""

    def __init__(self, base_url: str | None) -> None:
        super().__init__()
        self.base_url = base_url
        self.trust_env = base_url is None

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        text = url.decode() if isinstance(url, bytes) else url
        if self.base_url and text.startswith(OAUTH_TOKEN_PREFIX):
            text = self.base_url + text[len(OAUTH_TOKEN_PREFIX) :]
        return super().request(method, text, *args, **kwargs)


class TonghopHTTPClient(HTTPClient):
    """gspread's HTTP client with a base-URL seam, timeouts, bounded retry and read pacing.

    - `base_url`: replaces https://sheets.googleapis.com and https://www.googleapis.com (an
      emulator or the test fake); proxies from the environment are then ignored.
    - `timeout`: (connect, read) seconds for every request, the token exchange included.
    - Retries 429, 408 and 5xx (an HTML 5xx too), read timeouts and dropped connections, with
      full-jitter exponential backoff, honouring Retry-After; at most `max_attempts` tries and
      `max_total_wait` seconds of sleeping. Other 4xx are raised at once. 429 and 5xx are
      retried for every method, as Google asks; but a POST whose answer was lost (read
      timeout, dropped connection) may have been applied, so it is retried only when it
      never left (connect timeout, connection refused): a write is not resent blindly.
    - `reads_per_minute`: Sheets GETs are spaced evenly to stay under the per-user read quota
      (60/min); None disables pacing. With `pacing_file` the spacing is shared, through that
      file, by every process of the account (a `doctor` beside a running `sync`).
    - A 429 without Retry-After waits for the next minute (Google's per-minute quotas refill
      on the minute, measured on `wall_clock`) plus up to `minute_jitter` seconds, and slows
      the pacing down for the rest of the run.
    """

    def __init__(
        self,
        auth: Credentials | None,
        session: requests.Session | None = None,
        *,
        base_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 5,
        max_total_wait: float = 150.0,
        base_delay: float = 1.0,
        max_delay: float = 32.0,
        reads_per_minute: float | None = 50.0,
        pacing_file: str | Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        minute_jitter: float = 3.0,
    ) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        if session is None:
            if auth is None:
                raise GoogleConfigError("credentials or a session are required")
            credentials = convert_credentials(auth)
            token_http = _TokenSession(self.base_url)
            session = AuthorizedSession(credentials, auth_request=AuthRequest(token_http))
        super().__init__(cast(Credentials, auth), session)
        if auth is not None:
            self.auth = convert_credentials(auth)
        if self.base_url:
            # requests would send 127.0.0.1 through an HTTP(S)_PROXY from the environment.
            self.session.trust_env = False
        self.set_timeout(timeout)
        self.max_attempts = max(1, max_attempts)
        self.max_total_wait = max_total_wait
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.read_limiter: RateLimiter | None = None
        if reads_per_minute and pacing_file is not None:
            self.read_limiter = SharedRateLimiter(
                pacing_file, reads_per_minute, clock=wall_clock, sleep=sleep
            )
        elif reads_per_minute:
            self.read_limiter = RateLimiter(reads_per_minute, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._jitter = jitter
        self._wall_clock = wall_clock
        self.minute_jitter = minute_jitter

    def rewrite(self, url: str) -> str:
        """The URL actually requested: Google's hosts swapped for the base URL, if any."""
        if self.base_url:
            for prefix in (SHEETS_PREFIX, GOOGLEAPIS_PREFIX):
                if url.startswith(prefix):
                    return self.base_url + url[len(prefix) :]
        return url

    def request(
        self,
        method: str,
        endpoint: str,
        params: ParamsType | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: FileType = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        return self.send(method, endpoint, params, data, json, files, headers)

    def request_once(
        self,
        method: str,
        endpoint: str,
        params: ParamsType | None = None,
        data: bytes | None = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        """One attempt, never retried: for a create whose failure the caller must first
        check (an upload may have landed although its answer was lost)."""
        return self.send(method, endpoint, params, data, None, None, headers, attempts=1)

    def send(
        self,
        method: str,
        endpoint: str,
        params: ParamsType | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: FileType = None,
        headers: MutableMapping[str, str] | None = None,
        *,
        attempts: int | None = None,
    ) -> requests.Response:
        """`request` with an attempt limit (default `max_attempts`)."""
        max_attempts = attempts or self.max_attempts
        verb = method.upper()
        url = self.rewrite(endpoint)
        paced = verb == "GET" and endpoint.startswith(SHEETS_PREFIX)
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            if paced and self.read_limiter is not None:
                self.read_limiter.acquire()
            failure: Exception
            try:
                response = self.session.request(
                    method=method,
                    url=url,
                    json=json,
                    params=params,
                    data=data,
                    files=files,
                    headers=headers,
                    timeout=self.timeout,
                )
            except (requests.RequestException, TransportError) as exc:
                if not _transient(exc, verb):
                    raise
                failure, why, delay = exc, network_words(exc), self._backoff(attempt)
            else:
                if response.ok:
                    return response
                failure = APIError(response)
                if not _retryable(response):
                    raise failure
                why = f"HTTP {response.status_code}"
                retry_after = _retry_after(response)
                delay = max(self._backoff(attempt), retry_after or 0.0)
                if response.status_code == 429 and retry_after is None:
                    delay = self._until_next_minute(paced)
            if attempt >= max_attempts or waited + delay > self.max_total_wait:
                log.warning(
                    "thôi gọi %s %s sau %d lần thử: %s",
                    verb,
                    _path(endpoint),
                    attempt,
                    why,
                )
                raise failure
            log.info(
                "gọi lại %s %s sau %.2f giây (lần thử %d/%d bị lỗi: %s)",
                verb,
                _path(endpoint),
                delay,
                attempt,
                max_attempts,
                why,
            )
            self._sleep(delay)
            waited += delay

    def pause(self, seconds: float) -> None:
        """Sleep with the injected sleep (callers pacing their own retries use this)."""
        self._sleep(seconds)

    def server_date(self) -> datetime | None:
        """Google's clock: the `Date` header of one unauthenticated request (no token is
        fetched, so it works when a skewed clock makes the token exchange fail); None when
        there is no answer or no usable header."""
        probe = requests.Session()
        probe.trust_env = self.base_url is None
        try:
            response = probe.get(
                self.rewrite(f"{GOOGLEAPIS_PREFIX}/drive/v3/about"),
                params={"fields": "kind"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            log.warning("không hỏi được giờ của máy chủ Google: %s", network_words(exc))
            return None
        finally:
            probe.close()
        try:
            when = email.utils.parsedate_to_datetime(response.headers.get("Date", ""))
        except (TypeError, ValueError):
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)

    def _until_next_minute(self, paced: bool) -> float:
        """Seconds to the next minute boundary plus jitter, when the quota refills; the
        pacing slows down and (shared) holds every reader until then."""
        now = self._wall_clock()
        delay = 60.0 - now % 60.0 + self._jitter() * self.minute_jitter
        limiter = self.read_limiter
        if paced and limiter is not None:
            limiter.slow_down()
            if isinstance(limiter, SharedRateLimiter):
                limiter.hold_until(now + delay)
        return delay

    def _backoff(self, attempt: int) -> float:
        # Full jitter: spreads the retries of many clients hit by the same outage.
        return self._jitter() * min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


def network_words(exc: BaseException) -> str:
    """A failed connection in the log's words (the class name stays, for whoever debugs)."""
    if isinstance(exc, requests.exceptions.SSLError):
        what = "lỗi chứng chỉ SSL"
    elif isinstance(exc, requests.Timeout):
        what = "quá thời gian chờ"
    elif isinstance(exc, requests.ConnectionError | TransportError):
        what = "lỗi kết nối mạng"
    else:
        what = "lỗi khi gọi Google"
    return f"{what} ({type(exc).__name__})"


def _transient(exc: Exception, verb: str) -> bool:
    if isinstance(exc, requests.ConnectTimeout | TransportError):
        return True  # the request never reached Google
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, NewConnectionError):
        return True  # refused before anything was sent
    if verb not in _IDEMPOTENT:
        return False  # it may have been applied: never send a write twice
    return isinstance(
        exc, requests.Timeout | requests.ConnectionError | requests.exceptions.ChunkedEncodingError
    )


def _retryable(response: requests.Response) -> bool:
    status = response.status_code
    if status in (408, 429) or status >= 500:
        return True  # includes HTML 5xx pages, where APIError.code is -1
    if status == 403:
        try:
            reasons = {e.get("reason") for e in response.json()["error"].get("errors", [])}
        except (ValueError, KeyError, TypeError, AttributeError):
            return False
        return bool(reasons & _DRIVE_RATE_REASONS)
    return False


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date); None when absent or garbled."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _path(url: str) -> str:
    # Log the path only: query strings can carry ranges but never need to reach the log.
    return url.split("?", 1)[0]


# ------------------------------------------------------------------------------ credentials

# The fields google-auth needs from a service-account key file (names only: no key here).
_REQUIRED_KEY_FIELDS = tuple("client_email private_key token_uri".split())


def read_service_account_key(key_file: str | Path) -> dict[str, Any]:
    """Read and check a service-account key file; GoogleConfigError names what is wrong.

    Messages name the file and the missing or wrong field, never the key's content.
    """
    path = Path(key_file)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GoogleConfigError(f"không có tệp khóa tài khoản dịch vụ {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise GoogleConfigError(
            f"không đọc được tệp khóa tài khoản dịch vụ {path}: {reason}"
        ) from None
    try:
        info = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GoogleConfigError(
            f"tệp khóa tài khoản dịch vụ {path} không phải dạng JSON (lỗi ở dòng {exc.lineno}): "
            "tải khóa JSON tại Google Cloud console → IAM & Admin → Service accounts → Keys"
        ) from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        kind = info.get("type") if isinstance(info, dict) else type(info).__name__
        raise GoogleConfigError(
            f"{path} không phải khóa của tài khoản dịch vụ (loại của tệp là {str(kind)[:40]!r}, "
            "cần 'service_account'): tạo khóa cho một tài khoản dịch vụ tại Google Cloud console "
            "→ IAM & Admin → Service accounts → Keys"
        )
    missing = [k for k in _REQUIRED_KEY_FIELDS if not info.get(k)]
    if missing:
        raise GoogleConfigError(
            f"tệp khóa tài khoản dịch vụ {path} thiếu {', '.join(missing)}: hãy tải khóa mới"
        )
    return info


def service_account_email(key_file: str | Path) -> str:
    """The client_email of a service-account key file (the address units share with)."""
    return str(read_service_account_key(key_file)["client_email"])


def load_credentials(key_file: str | Path, scopes: tuple[str, ...]) -> Credentials:
    """Service-account credentials with exactly `scopes`; GoogleConfigError if unusable."""
    info = read_service_account_key(key_file)
    try:
        return service_account.Credentials.from_service_account_info(info, scopes=list(scopes))
    except (ValueError, TypeError):
        # The cause may quote key material: it is deliberately not chained or logged.
        raise GoogleConfigError(
            f"tệp khóa tài khoản dịch vụ {key_file}: private_key không phải khóa riêng PEM hợp "
            "lệ; hãy tải khóa mới"
        ) from None


def is_loopback(url: str) -> bool:
    """Whether a base URL names this machine (127.0.0.0/8, ::1, localhost)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_remote_base_url(base_url: str | None) -> None:
    """Real credentials go to Google or to a local emulator, never to another host: a
    TONGHOP_GOOGLE_API_URL pointing elsewhere would hand it every token."""
    if base_url and not is_loopback(base_url):
        raise GoogleConfigError(
            f"TONGHOP_GOOGLE_API_URL là {base_url}, không phải máy này: khóa Google thật chỉ được "
            "gửi tới chính Google hoặc tới trình giả lập trên 127.0.0.1/localhost. Bỏ biến "
            "TONGHOP_GOOGLE_API_URL để làm việc với Google."
        )


def build_client(
    *,
    key_file: str | Path | None = None,
    base_url: str | None = None,
    write: bool = False,
    credentials: Credentials | None = None,
    **http_options: Any,
) -> gspread.Client:
    """A gspread Client on a `TonghopHTTPClient`.

    Read-only scopes unless `write` (the status sheet and `provision` only); `credentials`
    (a person's, already scoped) replace the key file. With `base_url`
    and no key file the requests carry no authorisation (AnonymousCredentials), for an
    emulator or the test fake. `http_options` go to TonghopHTTPClient (timeout, retry
    limits, reads_per_minute, clock/sleep/jitter).
    """
    if credentials is not None:  # a person's OAuth credentials (provisioning)
        refuse_remote_base_url(base_url)
    elif key_file is not None:
        refuse_remote_base_url(base_url)
        credentials = load_credentials(key_file, WRITE_SCOPES if write else READ_SCOPES)
    elif base_url:
        credentials = AnonymousCredentials()
    else:
        raise GoogleConfigError(
            "chưa có khóa tài khoản Google: ghi đường dẫn tệp khóa JSON của tài khoản dịch vụ "
            "vào [google] credentials trong tonghop.toml, hoặc đặt biến "
            "GOOGLE_APPLICATION_CREDENTIALS"
        )
    # gspread instantiates the class it is given with (auth, session): bind our options.
    factory = functools.partial(TonghopHTTPClient, base_url=base_url, **http_options)
    return gspread.Client(credentials, http_client=cast(HTTPClientType, factory))
