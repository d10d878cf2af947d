"""GoogleSource against the fake: call counts, the RawReport it builds, every failure kind."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import gspread
import pytest

from sheets_schema.raw import RawReport
from sync.base import ProblemKind, Pulled, SheetRef, SourceProblem, Version
from sync.google import GoogleSource, spreadsheet_key
from tests.fake_google import FakeGoogle

from .conftest import SA_EMAIL
from .workbooks import VERSION, unit_workbook

MAKE = Callable[..., gspread.Client]


def source(make_client: MAKE, **options: object) -> GoogleSource:
    return GoogleSource(make_client(**options), service_account_email=SA_EMAIL)


def pulled(result: Pulled | SourceProblem) -> RawReport:
    assert isinstance(result, Pulled), result
    return result.raw


def version_of(result: Version | SourceProblem) -> Version:
    assert isinstance(result, Version), result
    return result


def add_units(fake: FakeGoogle, codes: list[str]) -> list[SheetRef]:
    refs = []
    for code in codes:
        key = fake.add_spreadsheet(unit_workbook(code), title=f"Báo cáo {code}")
        refs.append(SheetRef(code, f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"))
    return refs


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("https://docs.google.com/spreadsheets/d/1AbC-_9/edit#gid=0", "1AbC-_9"),
        ("https://docs.google.com/spreadsheets/d/1AbC-_9/edit?usp=sharing", "1AbC-_9"),
        ("https://docs.google.com/spreadsheets/u/1/d/1AbC/edit", "1AbC"),
        ("https://drive.google.com/open?id=1XyZ", "1XyZ"),
        ("  1AbC-_9  ", "1AbC-_9"),
        ("", None),
        ("bao cao xa.xlsx", None),
        ("https://example.com/nothing", None),
        ("https://docs.google.com/spreadsheets/d/e/2PACX-1vQx9_abc/pubhtml", None),
    ],
)
def test_spreadsheet_key_from_roster_cell(text: str, key: str | None) -> None:
    assert spreadsheet_key(text) == key


def test_versions_is_one_drive_listing_and_no_sheets_read(fake: FakeGoogle, make_client: MAKE):
    refs = add_units(fake, ["XA_A", "XA_B", "XA_C"])
    refs.append(SheetRef("XA_D", fake.add_spreadsheet(unit_workbook("XA_D"))))  # a bare key
    fake.reset_log()

    versions = source(make_client).versions(refs)

    assert fake.count(api="drive") == 1
    assert fake.count(api="sheets") == 0
    for ref in refs:
        v = version_of(versions[ref.code])
        assert v.modified_time.tzinfo is not None
        assert v.link.startswith("https://docs.google.com/spreadsheets/d/")
    assert list(versions) == ["XA_A", "XA_B", "XA_C", "XA_D"]


def test_listing_is_paged(fake: FakeGoogle, make_client: MAKE) -> None:
    refs = add_units(fake, [f"U{i:02d}" for i in range(5)])
    src = GoogleSource(make_client(), service_account_email=SA_EMAIL, page_size=2)
    fake.reset_log()
    versions = src.versions(refs)
    assert all(isinstance(v, Version) for v in versions.values())
    listing = [r for r in fake.requests if r.path == "/drive/v3/files"]
    assert len(listing) == 3 and fake.count() == 3  # 2 + 2 + 1 files, no per-file lookups
    assert [r.query.get("pageToken") for r in listing] == [None, ["2"], ["4"]]


def test_token_changes_on_edit_and_not_otherwise(fake: FakeGoogle, make_client: MAKE) -> None:
    refs = add_units(fake, ["XA_A", "XA_B"])
    src = source(make_client)
    first = src.versions(refs)
    again = src.versions(refs)
    assert first == again
    key = spreadsheet_key(refs[0].sheet)
    assert key
    fake.edit(key, "tt_so_dang_vien", 415)
    after = src.versions(refs)
    assert version_of(after["XA_A"]).token != version_of(first["XA_A"]).token
    assert version_of(after["XA_A"]).modified_time > version_of(first["XA_A"]).modified_time
    assert after["XA_B"] == first["XA_B"]


def test_pull_is_one_sheets_read_and_builds_blocks(fake: FakeGoogle, make_client: MAKE) -> None:
    (ref,) = add_units(fake, ["XA_VINH_HUNG"])
    src = source(make_client)
    version = version_of(src.versions([ref])["XA_VINH_HUNG"])
    fake.reset_log()

    result = src.pull(ref, version)

    # One Sheets read, and one Drive files.get for the time after it (no Sheets quota).
    assert fake.count(api="sheets") == 1 and fake.count() == 2
    request = fake.requests[0]
    assert request.query["includeGridData"] == ["true"]
    assert "ranges" not in request.query
    raw = pulled(result)
    assert raw.sheet_titles == ("Thông tin", "Chỉ tiêu", "Hạn chế - Giải pháp", "Hướng dẫn")
    assert (raw.locale, raw.time_zone) == ("vi_VN", "Asia/Ho_Chi_Minh")
    code = raw.blocks["tt_ma_don_vi"]
    assert (code.sheet, code.row, code.col) == ("Thông tin", 3, 2)
    assert code.cell().value == "XA_VINH_HUNG"
    assert raw.blocks["tt_so_dang_vien"].cell().value == 412
    percent = raw.blocks["ct_bhyt_kq"].cell()
    assert percent.value == pytest.approx(0.085) and percent.number_format == "PERCENT"
    assert percent.is_percent
    day = raw.blocks["tt_ngay_bao_cao"].cell()
    assert day.value == 45000 and day.number_format == "DATE"  # 15/03/2023, a serial number
    assert raw.blocks["tt_xac_nhan"].cell().value is True
    assert raw.blocks["tt_phien_ban"].cell().value == VERSION
    assert raw.blocks["ct_bhyt_ghi_chu"].cell().value is None
    table = raw.blocks["hc_bang"]
    assert (table.row, table.col, table.height, table.width) == (3, 1, 5, 6)
    assert table.cell(0, 0).value == "Công tác tuyên truyền có lúc chưa sâu rộng."
    assert table.cell(0, 2).value == "=1+1 không phải công thức"  # text stays text
    assert table.cell(0, 4).value is None  # padded
    assert table.cell(0, 5).number_format == "DATE"
    assert table.cell(1, 0).value == "Chưa điền hết"
    assert table.cell(4, 5).value is None  # trailing empty rows padded
    assert isinstance(result, Pulled) and result.snapshot_ext == "json"
    snapshot = json.loads(result.snapshot)
    assert snapshot["properties"]["title"] == "Báo cáo XA_VINH_HUNG"


def test_errors_and_broken_names_come_back_as_values(fake: FakeGoogle, make_client: MAKE):
    key = fake.add_spreadsheet(unit_workbook(error_cell="#N/A", broken_names=["tt_so_dang_vien"]))
    ref = SheetRef("XA", key)
    src = source(make_client)
    raw = pulled(src.pull(ref, version_of(src.versions([ref])["XA"])))
    assert raw.blocks["ct_bhyt_ghi_chu"].cell().value == "#N/A"
    assert "tt_so_dang_vien" not in raw.blocks  # Google drops a #REF! name on conversion
    assert raw.blocks["tt_ma_don_vi"].cell().value == "XA_VINH_HUNG"  # the rest still read


def test_deleted_tab_drops_its_names(fake: FakeGoogle, make_client: MAKE) -> None:
    key = fake.add_spreadsheet(unit_workbook())
    client = make_client()
    sheet_id = client.open_by_key(key).worksheet("Chỉ tiêu").id
    client.http_client.batch_update(key, {"requests": [{"deleteSheet": {"sheetId": sheet_id}}]})
    src = GoogleSource(client)
    ref = SheetRef("XA", key)
    raw = pulled(src.pull(ref, version_of(src.versions([ref])["XA"])))
    assert "Chỉ tiêu" not in raw.sheet_titles
    assert "ct_bhyt_kq" not in raw.blocks  # Google answers no named range at all, not #REF!
    assert raw.blocks["tt_ma_don_vi"].error is None


# --------------------------------------------------------------------------- versions problems


def test_versions_diagnoses_each_broken_unit_and_leaves_others(fake: FakeGoogle, make_client):
    good = add_units(fake, ["OK_1", "OK_2"])
    unshared = fake.add_spreadsheet(unit_workbook(), shared=False)
    deleted = fake.add_spreadsheet(unit_workbook())
    fake.delete(deleted)
    trashed = fake.add_spreadsheet(unit_workbook())
    fake.trash(trashed)
    xlsx = fake.add_spreadsheet(unit_workbook(), native=False)
    refs = [
        *good,
        SheetRef("UNSHARED", unshared),
        SheetRef("DELETED", f"https://docs.google.com/spreadsheets/d/{deleted}/edit"),
        SheetRef("TRASHED", trashed),
        SheetRef("XLSX", xlsx),
        SheetRef("EMPTY", ""),
        SheetRef("GARBAGE", "bao cao cua xa.xlsx"),
    ]
    fake.reset_log()

    out = source(make_client).versions(refs)

    assert isinstance(out["OK_1"], Version) and isinstance(out["OK_2"], Version)
    problems = {code: p for code, p in out.items() if isinstance(p, SourceProblem)}
    assert {c: p.kind for c, p in problems.items()} == {
        "UNSHARED": ProblemKind.UNREACHABLE,
        "DELETED": ProblemKind.UNREACHABLE,
        "TRASHED": ProblemKind.UNREACHABLE,
        "XLSX": ProblemKind.INVALID,
        "EMPTY": ProblemKind.MISSING,
        "GARBAGE": ProblemKind.UNREACHABLE,
    }
    # Drive answers 404 to both a deleted file and one not shared: the fix names both.
    assert SA_EMAIL in problems["UNSHARED"].message_vi
    assert "Người xem" in problems["UNSHARED"].message_vi
    assert "đã bị xóa" in problems["DELETED"].message_vi
    assert "Thùng rác" in problems["TRASHED"].message_vi
    assert "Lưu dưới dạng Google Trang tính" in problems["XLSX"].message_vi
    assert "tonghop provision" in problems["EMPTY"].message_vi
    assert "bao cao cua xa.xlsx" in problems["GARBAGE"].message_vi
    # one listing (trashed file seen in it), then one get per unlisted file, no Sheets call
    assert fake.count(api="drive") == 1 + 3
    assert fake.count(api="sheets") == 0


def test_drive_api_disabled_marks_every_unit(fake: FakeGoogle, make_client: MAKE) -> None:
    refs = add_units(fake, ["A", "B"])
    fake.set_fault("*", "403_disabled", api="drive")
    out = source(make_client).versions(refs)
    for code in ("A", "B"):
        problem = out[code]
        assert isinstance(problem, SourceProblem)
        assert problem.kind is ProblemKind.UNREACHABLE
        assert "Google Drive API" in problem.message_vi
        assert "APIs & Services" in problem.message_vi
    assert fake.count(api="drive") == 1  # not retried


# ----------------------------------------------------------------------------- pull problems


@pytest.mark.parametrize(
    ("kind", "expected", "words"),
    [
        ("403", ProblemKind.UNREACHABLE, [SA_EMAIL, "Chia sẻ", "Người xem"]),
        ("403_disabled", ProblemKind.UNREACHABLE, ["Google Sheets API", "APIs & Services"]),
        ("404", ProblemKind.UNREACHABLE, ["đã bị xóa", "đường dẫn"]),
        ("400_precondition", ProblemKind.INVALID, ["Tệp → Lưu dưới dạng Google Trang tính"]),
        ("500", ProblemKind.UNREACHABLE, ["Không kết nối được tới Google", "lần đồng bộ sau"]),
        ("html502", ProblemKind.UNREACHABLE, ["Không kết nối được tới Google"]),
        ("timeout", ProblemKind.UNREACHABLE, ["Không kết nối được tới Google"]),
        ("reset", ProblemKind.UNREACHABLE, ["Không kết nối được tới Google"]),
        ("429", ProblemKind.UNREACHABLE, ["giới hạn số lượt đọc"]),
    ],
)
def test_each_fault_is_a_problem_for_that_unit_only(
    fake: FakeGoogle, make_client: MAKE, kind: str, expected: ProblemKind, words: list[str]
) -> None:
    refs = add_units(fake, ["BEFORE", "BROKEN", "AFTER"])
    src = source(make_client, max_attempts=3)
    versions = src.versions(refs)
    broken_key = spreadsheet_key(refs[1].sheet)
    assert broken_key
    fake.set_fault(broken_key, kind, api="sheets")

    results = {ref.code: src.pull(ref, version_of(versions[ref.code])) for ref in refs}

    problem = results["BROKEN"]
    assert isinstance(problem, SourceProblem), problem
    assert problem.kind is expected
    for word in words:
        assert word in problem.message_vi
    assert problem.link == version_of(versions["BROKEN"]).link
    assert pulled(results["BEFORE"]).blocks["tt_ma_don_vi"].cell().value == "BEFORE"
    assert pulled(results["AFTER"]).blocks["tt_ma_don_vi"].cell().value == "AFTER"
    transient = kind in ("500", "html502", "timeout", "reset", "429")
    tries = fake.count(api="sheets") - 2
    assert tries == (3 if transient else 1)


def test_transient_fault_then_success_is_read(fake: FakeGoogle, make_client: MAKE, sleeps):
    (ref,) = add_units(fake, ["XA"])
    key = spreadsheet_key(ref.sheet)
    assert key
    fake.set_fault(key, "429", times=2, retry_after=0.25)
    src = source(make_client)
    version = version_of(src.versions([ref])["XA"])
    fake.reset_log()
    raw = pulled(src.pull(ref, version))
    assert raw.blocks["tt_ma_don_vi"].cell().value == "XA"
    assert fake.count(api="sheets", status=429) == 2
    assert sleeps == [0.5, 1.0]  # max(jittered backoff, Retry-After 0.25)


def test_service_account_path_uses_read_only_token(fake: FakeGoogle, key_file) -> None:
    from sync.http import READ_SCOPES, build_client

    refs = add_units(fake, ["XA"])
    client = build_client(key_file=key_file, base_url=fake.url, reads_per_minute=None)
    src = GoogleSource(client, service_account_email=SA_EMAIL)
    pulled(src.pull(refs[0], version_of(src.versions(refs)["XA"])))
    (grant,) = fake.tokens
    assert grant.issuer == SA_EMAIL
    assert set(grant.scopes) == set(READ_SCOPES)
    api_calls = [r for r in fake.requests if r.api != "token"]
    assert api_calls and all(r.auth == "valid" for r in api_calls)


def test_modified_time_is_utc_from_drive(fake: FakeGoogle, make_client: MAKE) -> None:
    when = datetime(2023, 3, 22, 16, 59, 59, 123000, tzinfo=UTC)  # 23:59:59 in Vĩnh Lợi
    key = fake.add_spreadsheet(unit_workbook(), modified_time=when)
    v = version_of(source(make_client).versions([SheetRef("XA", key)])["XA"])
    assert v.modified_time == when


def test_report_from_googles_omissions() -> None:
    """Google leaves out sheetId 0, zero offsets, open range ends and empty cells."""
    from sync.google import report_from_spreadsheet

    data = {
        "properties": {"title": "t", "locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"},
        "sheets": [
            {"properties": {"sheetId": 0, "title": "A"},
             "data": [{"rowData": [{}, {"values": [{}, {"effectiveValue": {"numberValue": 7}}]}]}]},
            {"properties": {"sheetId": 99, "title": "B"},
             "data": [{"startRow": 2, "startColumn": 1,
                       "rowData": [{"values": [{"effectiveValue": {"stringValue": "x"}}]},
                                   {"values": [{"effectiveValue": {"errorValue": {"type": "N_A"}},
                                                "effectiveFormat": {"numberFormat": {
                                                    "type": "NUMBER"}}}]}]}]},
        ],
        "namedRanges": [
            {"name": "on_first", "range": {"startRowIndex": 1, "endRowIndex": 2,
                                           "startColumnIndex": 1, "endColumnIndex": 2}},
            {"name": "whole_column", "range": {"sheetId": 99, "startColumnIndex": 1,
                                               "endColumnIndex": 2}},
            {"name": "gone", "range": {"sheetId": 12345, "endRowIndex": 1, "endColumnIndex": 1}},
        ],
    }  # fmt: skip
    raw = report_from_spreadsheet(data)
    assert raw.sheet_titles == ("A", "B")
    assert raw.blocks["on_first"].cell().value == 7
    column = raw.blocks["whole_column"]
    assert (column.sheet, column.row, column.col, column.height) == ("B", 1, 2, 4)
    assert [column.cell(r).value for r in range(4)] == [None, None, "x", "#N/A"]
    assert column.cell(3).number_format == "NUMBER"
    assert raw.blocks["gone"].error == "#REF!"


def test_a_failed_listing_falls_back_to_one_lookup_per_unit(
    fake: FakeGoogle, make_client: MAKE
) -> None:
    refs = add_units(fake, ["A", "B"])
    fake.set_fault("*", "500", api="drive", times=3)  # the listing gives up after its retries
    out = GoogleSource(make_client(max_attempts=3)).versions(refs)
    assert all(isinstance(v, Version) for v in out.values())
    lookups = [
        r for r in fake.requests if r.api == "drive" and r.path.startswith("/drive/v3/files/")
    ]
    assert len(lookups) == 2


# --------------------------------------------------------------------------- the listing race


def test_an_edit_between_listing_and_read_gives_the_later_time(fake: FakeGoogle, make_client):
    (ref,) = add_units(fake, ["XA_A"])
    key = spreadsheet_key(ref.sheet)
    assert key
    src = source(make_client)
    listed = version_of(src.versions([ref])["XA_A"])
    later = listed.modified_time + timedelta(minutes=7)
    # The unit signs off after the listing, just before its read arrives.
    fake.on_request(key, lambda: fake.edit(key, "tt_so_dang_vien", 420, at=later), api="sheets")
    fake.reset_log()

    result = src.pull(ref, listed)

    assert isinstance(result, Pulled)
    assert result.raw.blocks["tt_so_dang_vien"].cell().value == 420  # the newer content
    assert result.modified_time == later
    # One Sheets read, then one Drive files.get for the file's time and version.
    assert [(r.api, r.method) for r in fake.requests] == [("sheets", "GET"), ("drive", "GET")]
    # The editor's name rides on the same call (field history), at no extra request.
    assert fake.requests[1].query["fields"] == [
        "id,modifiedTime,version,lastModifyingUser(displayName)"
    ]


def test_no_edit_since_the_listing_keeps_the_listing_time(fake: FakeGoogle, make_client):
    (ref,) = add_units(fake, ["XA_A"])
    src = source(make_client)
    listed = version_of(src.versions([ref])["XA_A"])
    result = src.pull(ref, listed)
    assert isinstance(result, Pulled) and result.modified_time is None


def test_files_get_failing_after_the_read_keeps_the_read(fake: FakeGoogle, make_client):
    (ref,) = add_units(fake, ["XA_A"])
    key = spreadsheet_key(ref.sheet)
    assert key
    src = source(make_client, max_attempts=1)
    listed = version_of(src.versions([ref])["XA_A"])
    fake.set_fault(key, "500", api="drive")
    result = src.pull(ref, listed)
    assert isinstance(result, Pulled) and result.modified_time is None


# --------------------------------------------------------------------------- a failed listing


@pytest.mark.parametrize("kind", ["429", "403_disabled"])
def test_a_listing_refused_for_the_run_is_classified_once(fake, make_client: MAKE, kind: str):
    refs = add_units(fake, ["A", "B", "C"])
    fake.set_fault("*", kind, api="drive")
    out = GoogleSource(make_client(max_attempts=2)).versions(refs)
    problems = [p for p in out.values() if isinstance(p, SourceProblem)]
    assert len(problems) == 3 and len({p.message_vi for p in problems}) == 1
    assert {p.link for p in problems} == {
        f"https://docs.google.com/spreadsheets/d/{spreadsheet_key(r.sheet)}/edit" for r in refs
    }
    # The listing (and its one retry when it was a 429); no per-unit lookups, no reads.
    assert fake.count(api="drive") == (2 if kind == "429" else 1)
    assert fake.count(api="sheets") == 0


def test_clock_skew_is_told_once_as_fix_the_server_clock(fake: FakeGoogle, key_file) -> None:
    from sync.http import build_client

    refs = add_units(fake, ["A", "B", "C"])
    fake.clock_offset = -900  # Google's clock 15 minutes behind ours: our JWT is "future"
    client = build_client(key_file=key_file, base_url=fake.url, reads_per_minute=None)
    out = GoogleSource(client).versions(refs)
    problems = [p for p in out.values() if isinstance(p, SourceProblem)]
    assert len(problems) == 3
    assert all("Đồng hồ" in p.message_vi and "giờ" in p.message_vi for p in problems)
    assert "clock" in problems[0].reason
    assert fake.count(api="token") == 1 and fake.count(api="drive") == 0


def test_a_publish_to_web_link_says_which_link_to_copy(fake: FakeGoogle, make_client: MAKE):
    link = "https://docs.google.com/spreadsheets/d/e/2PACX-1vQx9_abcDEF/pubhtml?gid=0&single=true"
    out = source(make_client).versions([SheetRef("XA", link)])
    problem = out["XA"]
    assert isinstance(problem, SourceProblem)
    assert "Xuất bản lên web" in problem.message_vi and "/edit" in problem.message_vi
    assert "thanh địa chỉ" in problem.message_vi
    assert fake.count() == 0  # nothing asked of Google for a link it cannot answer


def test_saved_as_google_sheets_says_share_the_new_file_again(fake, make_client: MAKE):
    key = fake.add_spreadsheet(unit_workbook(), native=False)
    out = source(make_client).versions([SheetRef("XA", key)])
    problem = out["XA"]
    assert isinstance(problem, SourceProblem) and problem.kind is ProblemKind.INVALID
    assert "Lưu dưới dạng Google Trang tính" in problem.message_vi
    assert "MỚI" in problem.message_vi and SA_EMAIL in problem.message_vi


def test_a_lagging_listing_still_gives_the_time_of_what_was_read(fake: FakeGoogle, make_client):
    (ref,) = add_units(fake, ["XA_A"])
    key = spreadsheet_key(ref.sheet)
    assert key
    before = fake.file(key).modified
    fake.listing_lag = 120.0  # Drive's listing trails edits by two minutes
    fake.edit(key, "tt_xac_nhan", False)  # the unit edits just before the run
    src = source(make_client)
    listed = version_of(src.versions([ref])["XA_A"])
    assert listed.modified_time == before  # the listing does not show the edit yet
    result = src.pull(ref, listed)
    assert isinstance(result, Pulled)
    assert result.raw.blocks["tt_xac_nhan"].cell().value is False  # the read does
    assert result.modified_time == fake.file(key).modified > before
