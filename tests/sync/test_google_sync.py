"""The whole sync with source.kind = "google", against the local fake, beside the Excel path."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gspread
import pytest

from jobs.config import Config, load_config
from jobs.demo import DEMO_AS_OF, make_demo
from jobs.job import SyncOptions, SyncResult, run_sync
from jobs.sources import make_status_writer
from sync.excel import ExcelFolderSource
from sync.google import GoogleSource, spreadsheet_key
from sync.http import build_client
from tests.fake_google import FakeGoogle
from tests.jobs.test_language import english_words

AS_OF = datetime.fromisoformat(DEMO_AS_OF)
REPO = Path(__file__).resolve().parents[2]
CONFIG = """\
[report]
deadline = 2023-03-23
conference = 2023-04-10

[units]
registry = "units.csv"

[source]
kind = "google"

[google]
status_spreadsheet = "{status}"
reads_per_minute = {rpm}

[output]
dir = "out"
state = "state/tonghop.sqlite"
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gdemo") / "excel"
    make_demo(folder, 24, seed=5, workers=1)
    return folder


def google_district(
    fake: FakeGoogle, demo: Path, root: Path, rpm: int = 6000
) -> tuple[Config, dict[str, str]]:
    """The demo district moved to the fake: each file a native Google Sheet, the roster with URLs."""
    root.mkdir(parents=True)
    keys: dict[str, str] = {}
    with (demo / "units.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        path = demo / "sheets" / row["sheet"]
        if path.exists():
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            key = fake.add_spreadsheet(path, title=row["code"], modified_time=modified)
            keys[row["code"]] = key
            row["sheet"] = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
        else:
            row["sheet"] = ""
    with (root / "units.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    status = fake.add_spreadsheet(_blank(), title="Tình trạng nộp báo cáo", shared="writer")
    (root / "tonghop.toml").write_text(CONFIG.format(status=status, rpm=rpm), "utf-8")
    config = load_config(root / "tonghop.toml", env={"TONGHOP_GOOGLE_API_URL": fake.url})
    return config, keys


def _blank() -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Ghi chú"
    wb.active["A1"] = "Không được xóa"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sync(config: Config, client: gspread.Client, **kw: Any) -> SyncResult:
    return run_sync(
        config, GoogleSource(client), SyncOptions(as_of=AS_OF, **kw), make_status_writer(config)
    )


def excel_sync(demo: Path) -> SyncResult:
    config = load_config(demo / "tonghop.toml", env={})
    assert config.source.folder is not None
    return run_sync(config, ExcelFolderSource(config.source.folder), SyncOptions(as_of=AS_OF))


def unit_reads(fake: FakeGoogle, keys: dict[str, str]) -> int:
    ids = set(keys.values())
    return sum(
        1 for r in fake.requests if r.api == "sheets" and r.path.split("/")[3].split(":")[0] in ids
    )


def test_google_path_gives_the_same_outputs_as_excel(
    fake: FakeGoogle, make_client: Any, demo: Path, tmp_path: Path
) -> None:
    config, _keys = google_district(fake, demo, tmp_path / "g")
    google = sync(config, make_client())
    excel = excel_sync(demo)
    assert {o.unit.code: o.status for o in google.outcomes} == {
        o.unit.code: o.status for o in excel.outcomes
    }
    assert len({o.status for o in google.outcomes}) >= 4
    assert {o.unit.code: o.submitted_at for o in google.outcomes} == {
        o.unit.code: o.submitted_at for o in excel.outcomes
    }
    g_out, x_out = tmp_path / "g" / "out", demo / "out"
    assert (g_out / "values.csv").read_text("utf-8") == (x_out / "values.csv").read_text("utf-8")
    assert (g_out / "findings.csv").read_text("utf-8") == (x_out / "findings.csv").read_text(
        "utf-8"
    )
    g_status = json.loads((g_out / "status.json").read_text("utf-8"))
    x_status = json.loads((x_out / "status.json").read_text("utf-8"))
    assert g_status["counts"] == x_status["counts"]
    assert google.status_sheet == "written"


def test_call_counts_first_run_then_two_edits(
    fake: FakeGoogle, make_client: Any, demo: Path, tmp_path: Path
) -> None:
    config, keys = google_district(fake, demo, tmp_path / "g")
    client = make_client()
    fake.reset_log()
    first = sync(config, client)
    listings = [
        r
        for r in fake.requests
        if r.api == "drive" and r.method == "GET" and r.path == "/drive/v3/files"
    ]
    assert len(listings) == 1
    expected_with_sheet = [o.unit.code for o in first.outcomes if o.unit.code in keys]
    assert (
        unit_reads(fake, keys) == len(expected_with_sheet) == first.run.pulled
    )  # one read per unit
    fake.reset_log()
    sync(config, client)
    assert unit_reads(fake, keys) == 0  # nothing changed: no Sheets read at all
    a, b = sorted(expected_with_sheet)[:2]
    fake.edit(keys[a], "tt_chuc_vu", "Bí thư")
    fake.edit(keys[b], "tt_chuc_vu", "Phó Bí thư")
    fake.reset_log()
    result = sync(config, client)
    assert unit_reads(fake, keys) == 2
    assert (result.run.pulled, result.run.reused) == (2, len(expected_with_sheet) - 2)
    # The status sheet: one metadata read and one write per run, the table once.
    status_key = config.google.status_spreadsheet
    writes = [
        r
        for r in fake.requests
        if r.api == "sheets" and status_key in r.path and r.method == "POST"
    ]
    assert len(writes) == 1
    table = fake.values(status_key, "'Tình trạng'!A1:Q200")
    flat = [c for row in table for c in row]
    assert flat.count("Mã đơn vị") == 1
    assert sum(1 for row in table if len(row) > 1 and row[1] in keys) == len(expected_with_sheet)
    assert fake.values(status_key, "'Ghi chú'!A1:A1") == [
        ["Không được xóa"]
    ]  # nothing else touched


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ("403", "unreachable", "Người xem"),
        ("404", "unreachable", "đã bị xóa"),
        ("400_precondition", "invalid", "Google Trang tính"),
        ("500", "unreachable", ""),
        ("html502", "unreachable", ""),
        ("403_disabled", "unreachable", "API"),
    ],
)
def test_each_fault_hits_one_unit_only(fault: str, status: str, words: str, fake: FakeGoogle, make_client: Any,
                                       demo: Path, tmp_path: Path) -> None:  # fmt: skip
    config, keys = google_district(fake, demo, tmp_path / "g")
    client = make_client(max_attempts=3)
    first = {o.unit.code: o for o in sync(config, client).outcomes}
    victim = next(code for code, o in first.items() if o.status.value == "on_time")
    fake.edit(keys[victim], "tt_chuc_vu", "Bí thư")  # changed, so it must be read again
    fake.set_fault(keys[victim], fault, api="sheets")
    if fault == "404":
        fake.delete(keys[victim])
    elif fault == "403":
        fake.share(keys[victim], None)
    second = {o.unit.code: o for o in sync(config, client).outcomes}
    hit = second[victim]
    assert hit.status.value == status, hit.message
    assert words in hit.message
    if status == "unreachable":
        assert hit.report is not None and hit.data_as_of is not None  # the last good data is kept
    others = {c: o.status for c, o in second.items() if c != victim}
    assert others == {c: o.status for c, o in first.items() if c != victim}


def test_paced_full_run_sees_no_429(fake: FakeGoogle, demo: Path, tmp_path: Path) -> None:
    fake.set_quota(10, 1.0)  # Google's 60 a minute, scaled to a short test
    config, keys = google_district(fake, demo, tmp_path / "g", rpm=480)  # 8 a second, under it
    from jobs.sources import make_source

    result = run_sync(config, make_source(config), SyncOptions(as_of=AS_OF))
    assert fake.count(status=429) == 0
    assert result.run.pulled == sum(1 for o in result.outcomes if o.unit.code in keys)


def test_cli_sync_doctor_and_provision_against_the_fake(
    fake: FakeGoogle, demo: Path, tmp_path: Path
) -> None:
    root = tmp_path / "g"
    _config, keys = google_district(fake, demo, root)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TONGHOP_GOOGLE_API_URL": fake.url,
        "COLUMNS": "200",
    }
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)

    def tonghop(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "jobs", *args, "--config", str(root / "tonghop.toml")],
                              capture_output=True, text=True, env=env, timeout=300)  # fmt: skip

    res = tonghop("sync", "--as-of", DEMO_AS_OF)
    assert res.returncode == 0, res.stderr
    assert (root / "out" / "tong-hop.xlsx").exists()
    victim = sorted(keys)[0]
    fake.share(keys[victim], None)
    res = tonghop("doctor")
    assert res.returncode == 0, res.stdout  # a broken unit does not stop a sync
    line = next(line for line in res.stdout.splitlines() if victim in line)
    assert "✗" in line
    # provision: units without a sheet get one in the Shared Drive folder, recorded in the roster.
    fake.add_shared_drive_folder("folder-1")
    text = (
        (root / "tonghop.toml")
        .read_text("utf-8")
        .replace("[output]", 'folder_id = "folder-1"\n\n[output]')
    )
    text = text.replace("reads_per_minute = 6000\nfolder_id", "reads_per_minute = 6000\nfolder_id")
    (root / "tonghop.toml").write_text(text, "utf-8")
    missing = [
        r["code"]
        for r in csv.DictReader((root / "units.csv").open(encoding="utf-8"))
        if not r["sheet"]
    ]
    assert missing
    res = tonghop("provision")
    assert res.returncode == 0, res.stderr + res.stdout
    rows = {
        r["code"]: r["sheet"] for r in csv.DictReader((root / "units.csv").open(encoding="utf-8"))
    }
    assert all(rows[c].startswith("https://docs.google.com/spreadsheets/d/") for c in missing)
    files_before = len(fake.requests)
    res = tonghop("provision")  # twice: nothing created twice
    assert res.returncode == 0
    uploads = [r for r in fake.requests[files_before:] if r.path.startswith("/upload/")]
    assert uploads == []
    shutil.rmtree(root / "out")


@pytest.mark.parametrize("content", ["not json at all", '{"type": "authorized_user"}', None])
def test_bad_key_file_stops_before_touching_anything(
    fake: FakeGoogle, demo: Path, tmp_path: Path, content: str | None
) -> None:
    root = tmp_path / "g"
    google_district(fake, demo, root)
    key = root / "service-account.json"
    if content is not None:
        key.write_text(content, "utf-8")
    text = (
        (root / "tonghop.toml")
        .read_text("utf-8")
        .replace("[google]", f'[google]\ncredentials = "{key}"')
    )
    (root / "tonghop.toml").write_text(text, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TONGHOP_GOOGLE_API_URL", None)
    fake.reset_log()
    res = subprocess.run([sys.executable, "-m", "jobs", "sync", "--config", str(root / "tonghop.toml")],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and str(key) in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (root / "out").exists() and not (root / "state").exists()
    assert fake.requests == []


def test_an_api_without_grid_data_still_gives_the_values(
    demo: Path, make_client: Any, tmp_path: Path
) -> None:
    with FakeGoogle(grid_data=False) as minimal:
        config, _keys = google_district(minimal, demo, tmp_path / "g")
        client = build_client(base_url=minimal.url, reads_per_minute=None)
        result = run_sync(config, GoogleSource(client), SyncOptions(as_of=AS_OF))
    excel = excel_sync(demo)
    assert {o.unit.code: o.status for o in result.outcomes} == {
        o.unit.code: o.status for o in excel.outcomes
    }


def test_finding_links_open_the_unit_sheet_at_the_cell(
    fake: FakeGoogle, make_client: Any, demo: Path, tmp_path: Path
) -> None:
    import openpyxl

    config, _keys = google_district(fake, demo, tmp_path / "g")
    sync(config, make_client())
    wb = openpyxl.load_workbook(tmp_path / "g" / "out" / "tong-hop.xlsx")
    # xlsxwriter stores what follows "#" as the link's location.
    links = [
        c.hyperlink.target + ("#" + c.hyperlink.location if c.hyperlink.location else "")
        for row in wb["Lỗi"].iter_rows()
        for c in row
        if c.hyperlink
    ]
    assert links and all(
        link.startswith("https://docs.google.com/spreadsheets/d/") for link in links
    )
    assert any("#gid=" in link and "&range=" in link for link in links), links[:3]


def test_a_new_day_costs_no_sheets_read(
    fake: FakeGoogle, make_client: Any, demo: Path, tmp_path: Path
) -> None:
    config, keys = google_district(fake, demo, tmp_path / "g")
    client = make_client()
    first = sync(config, client)
    fake.reset_log()
    later = run_sync(config, GoogleSource(client), SyncOptions(as_of=AS_OF.replace(day=26)), None)
    assert unit_reads(fake, keys) == 0 and later.run.pulled == 0
    assert [o.status for o in later.outcomes] == [o.status for o in first.outcomes]


def test_a_unit_signing_off_between_listing_and_read_gets_the_later_time(
    fake: FakeGoogle, make_client: Any, demo: Path, tmp_path: Path
) -> None:
    config, keys = google_district(fake, demo, tmp_path / "g")
    excel = {o.unit.code: o for o in excel_sync(demo).outcomes}
    code = next(c for c, o in excel.items() if o.status.value == "on_time" and c in keys)
    key = keys[code]
    # Not signed off when Drive lists it; times before the run's clock (a file time after it
    # would be a future time, counted from when the job first saw it).
    fake.edit(key, "tt_xac_nhan", False, at=datetime(2023, 3, 20, 8, tzinfo=UTC))
    listed = fake.file(key).modified
    signed = listed + timedelta(minutes=5)
    fake.on_request(key, lambda: fake.edit(key, "tt_xac_nhan", True, at=signed), api="sheets")

    result = {o.unit.code: o for o in sync(config, make_client()).outcomes}

    assert result[code].submitted_at == signed > listed
    assert result[code].modified_at == signed
    again = {o.unit.code: o for o in sync(config, make_client()).outcomes}
    assert again[code].submitted_at == signed  # read again (the token moved), time kept


def test_cli_provision_oauth_as_a_person_without_a_shared_drive(
    fake: FakeGoogle, demo: Path, tmp_path: Path
) -> None:
    from google.oauth2.credentials import Credentials

    from sync.google_oauth import save_token

    root = tmp_path / "g"
    google_district(fake, demo, root)
    # The browser step happened once before: the person's sign-in is in the state folder.
    fake.refresh_tokens["1//refresh-vanphong"] = "desktop-client"
    token = root / "state" / "google-oauth-token.json"
    save_token(token, Credentials(token=None, refresh_token="1//refresh-vanphong",
                                  token_uri="https://oauth2.googleapis.com/token",
                                  client_id="desktop-client", client_secret="s3cret"))  # fmt: skip
    missing = [
        r["code"]
        for r in csv.DictReader((root / "units.csv").open(encoding="utf-8"))
        if not r["sheet"]
    ]
    assert missing
    env = {**os.environ, "PYTHONPATH": str(REPO), "TONGHOP_GOOGLE_API_URL": fake.url,
           "COLUMNS": "200"}  # fmt: skip
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    res = subprocess.run([sys.executable, "-m", "jobs", "provision", "--oauth", "--config",
                          str(root / "tonghop.toml")], capture_output=True, text=True, env=env,
                         timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stderr + res.stdout
    assert "bảng tính đơn vị đã sẵn sàng" in res.stdout
    rows = {
        r["code"]: r["sheet"]
        for r in csv.DictReader((root / "units.csv").open("r", encoding="utf-8"))
    }
    for code in missing:
        f = fake.file(rows[code].split("/d/")[1].split("/")[0])
        assert ("vanphong@example.vn", "owner") in {
            (p.get("emailAddress"), p["role"]) for p in f.permissions
        }
        assert f.book is not None
        assert (f.book.locale, f.book.time_zone) == ("vi_VN", "Asia/Ho_Chi_Minh")
    assert {t.issuer for t in fake.tokens} == {"oauth:desktop-client"}
    assert token.stat().st_mode & 0o777 == 0o600


def test_sync_doctor_and_status_writer_share_one_pacing_file(
    fake: FakeGoogle, demo: Path, tmp_path: Path
) -> None:
    from jobs.sources import google_client
    from sync.http import SharedRateLimiter

    config, _keys = google_district(fake, demo, tmp_path / "g", rpm=50)
    readers = [google_client(config), google_client(config, write=True)]  # sync, writer/doctor
    limiters = [c.http_client.read_limiter for c in readers]
    assert all(isinstance(lim, SharedRateLimiter) for lim in limiters)
    paths = {lim.path for lim in limiters if isinstance(lim, SharedRateLimiter)}
    assert paths == {config.output.state.with_name("google-pacing")}


def test_a_real_key_with_a_remote_api_url_is_refused_by_sync_and_doctor(
    fake: FakeGoogle, demo: Path, tmp_path: Path, key_file: Path
) -> None:
    from jobs.commands.doctor import blocks_sync, run_doctor
    from jobs.sources import SourceSetupError, make_source

    root = tmp_path / "g"
    google_district(fake, demo, root)
    text = (root / "tonghop.toml").read_text("utf-8")
    (root / "tonghop.toml").write_text(
        text.replace("[google]", f'[google]\ncredentials = "{key_file}"'), "utf-8"
    )
    env = {"TONGHOP_GOOGLE_API_URL": "https://sheets-emulator.example.com"}
    config = load_config(root / "tonghop.toml", env=env)
    with pytest.raises(SourceSetupError, match="không phải máy này"):
        make_source(config)
    checks = {c.name: c for c in run_doctor(config)}
    refused = checks["Địa chỉ API Google"]
    assert not refused.ok and blocks_sync(refused) and "TONGHOP_GOOGLE_API_URL" in refused.fix
    assert fake.requests == [] and fake.tokens == []  # the key never left


def test_a_status_sheet_that_cannot_be_written_says_why_in_vietnamese(
    fake: FakeGoogle, make_client: Any, demo: Path, tmp_path: Path
) -> None:
    config, _keys = google_district(fake, demo, tmp_path / "g")
    assert config.google.status_spreadsheet
    fake.files[spreadsheet_key(config.google.status_spreadsheet) or ""].sa_role = "reader"
    result = sync(config, make_client())
    assert result.status_sheet.startswith("bảng tình trạng trên Google chưa cập nhật: ")
    assert "Người chỉnh sửa" in result.status_sheet
    assert english_words(result.status_sheet) == [], result.status_sheet
    assert (tmp_path / "g" / "out" / "tong-hop.xlsx").exists()  # the local outputs are written
