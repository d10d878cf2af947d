"""The sync job end to end on real files, real SQLite and real outputs."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from filelock import FileLock

from jobs.job import SyncError
from sheets_schema import Schema
from tests.jobs.district import District

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 9, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2023, month, day, hour, minute, second, tzinfo=VN)


@pytest.fixture
def district(tmp_path: Path, schema: Schema) -> District:
    return District(tmp_path / "district", schema)


@pytest.mark.parametrize(
    ("inclusive", "saved", "expected"),
    [
        (False, at(22, 23, 59, 59), "on_time"),
        (False, at(23, 0, 0, 0), "late"),
        (True, at(23, 23, 59, 59), "on_time"),
        (True, at(24, 0, 0, 0), "late"),
        (True, at(22, 16, 59, 59).astimezone(ZoneInfo("UTC")), "on_time"),  # UTC times convert
    ],
)
def test_deadline_edges_at_midnight_vietnam_time(
    district: District, inclusive: bool, saved: datetime, expected: str
) -> None:
    district.inclusive = inclusive
    district.add("XA_A")
    district.save("XA_A", district.values("XA_A"), saved)
    result = district.sync(at(25))
    assert district.status(result, "XA_A") == expected
    text = "hết ngày 23/3/2023" if inclusive else "trước 00:00 ngày 23/3/2023"
    assert text in result.run.deadline_text


def test_statuses_before_and_after_the_deadline(district: District) -> None:
    for code in ("XA_DONE", "XA_TYPING", "XA_NONE", "XA_EMPTY", "XA_BROKEN"):
        district.add(code)
    district.add("XA_EXT", deadline="2023-03-27")
    district.add("XA_OLD", active_to="2022-12-31")
    district.save("XA_DONE", district.values("XA_DONE"), at(20))
    district.save(
        "XA_TYPING", district.values("XA_TYPING", tt_xac_nhan=None, kd_bai_hoc=None), at(20)
    )
    district.save("XA_EMPTY", {}, at(19))
    (district.root / "sheets" / "XA_BROKEN.xlsx").write_bytes(b"this is not a workbook")
    district.save("XA_EXT", district.values("XA_EXT"), at(25, 8))
    before = district.sync(at(21))
    got = {o.unit.code: o.status.value for o in before.outcomes}
    assert got == {"XA_DONE": "on_time", "XA_TYPING": "in_progress", "XA_NONE": "not_started",
                   "XA_EMPTY": "not_started", "XA_BROKEN": "invalid", "XA_EXT": "on_time"}  # fmt: skip
    after = district.sync(at(26))
    got = {o.unit.code: o.status.value for o in after.outcomes}
    assert (
        got["XA_TYPING"] == "overdue" and got["XA_NONE"] == "overdue" and got["XA_EXT"] == "on_time"
    )
    c = after.run.counts
    assert (c["expected"], c["submitted"], c["on_time"], c["late"], c["overdue"], c["invalid"]) == (
        6,
        2,
        2,
        0,
        3,
        1,
    )
    assert c["submitted_rate"] == pytest.approx(2 / 6, abs=1e-4)
    broken = next(o for o in after.outcomes if o.unit.code == "XA_BROKEN")
    assert "không phải bảng tính Excel" in broken.message


def test_amendment_keeps_submitted_at_and_withdrawal_is_recorded(district: District) -> None:
    district.add("XA_A")
    district.save("XA_A", district.values("XA_A"), at(20, 10))
    first = district.sync(at(20, 12)).outcomes[0]
    assert first.status.value == "on_time" and first.submitted_at == at(20, 10)
    # An edit after the deadline is an amendment: the submission time does not move.
    district.save("XA_A", district.values("XA_A", tt_so_chi_bo=15), at(24, 8))
    second = district.sync(at(24, 9)).outcomes[0]
    assert second.status.value == "on_time" and second.submitted_at == at(20, 10)
    assert second.amended_after_submit and second.modified_at == at(24, 8)
    # Removing the sign-off withdraws the submission.
    district.save("XA_A", district.values("XA_A", tt_xac_nhan="Không"), at(24, 10))
    third = district.sync(at(24, 11)).outcomes[0]
    assert third.status.value == "overdue" and third.submitted_at is None
    # Signing off again is a new, late submission; history is kept.
    district.save("XA_A", district.values("XA_A"), at(24, 12))
    fourth = district.sync(at(24, 13)).outcomes[0]
    assert fourth.status.value == "late" and fourth.submitted_at == at(24, 12)
    status = json.loads((district.root / "out" / "status.json").read_text("utf-8"))
    assert status["units"][0]["submitted_at"] == "2023-03-24T12:00:00+07:00"


def test_an_amendment_with_errors_holds_the_submission_until_fixed(district: District) -> None:
    """Submitted means signed off with no errors: an edit that brings an error (sign-off kept)
    stops the unit counting as submitted, says so with its submission time, and fixing the
    error restores the submission with that time."""
    district.add("XA_A")
    district.save("XA_A", district.values("XA_A"), at(20, 10))
    assert district.sync(at(20, 12)).outcomes[0].status.value == "on_time"
    district.save("XA_A", district.values("XA_A", tt_so_chi_bo="mười"), at(24, 8))
    broken = district.sync(at(24, 9)).outcomes[0]
    assert broken.status.value == "overdue" and broken.submitted_at == at(20, 10)
    assert "đã nộp lúc 10:00 20/03/2023 nhưng bản sửa sau đó còn lỗi" in broken.message
    assert "thời điểm nộp cũ được giữ nguyên" in broken.message
    district.save("XA_A", district.values("XA_A", tt_so_chi_bo=12), at(24, 10))
    fixed = district.sync(at(24, 11)).outcomes[0]
    assert fixed.status.value == "on_time" and fixed.submitted_at == at(20, 10)


def test_unchanged_units_are_not_parsed_again(district: District) -> None:
    for code in ("XA_A", "XA_B", "XA_C"):
        district.add(code)
        district.save(code, district.values(code), at(20))
    first = district.sync(at(21))
    assert (first.run.pulled, first.run.reused) == (3, 0)
    second = district.sync(at(21, 10))
    assert (second.run.pulled, second.run.reused) == (0, 3)
    district.save("XA_B", district.values("XA_B", tt_so_chi_bo=3), at(21, 11))
    third = district.sync(at(21, 12))
    assert (third.run.pulled, third.run.reused) == (1, 2)
    snapshots = list((district.root / "state" / "snapshots").rglob("*.xlsx"))
    assert len(snapshots) == 4  # content-addressed: an unchanged unit costs no space


def test_outputs_read_back(district: District) -> None:
    district.add("XA_A")
    district.add("CQ_B", "co_quan")
    evil = '=HYPERLINK("http://x.example","bấm")'
    district.save(
        "XA_A",
        district.values("XA_A", tt_nguoi_bao_cao=evil, tt_dien_thoai="12", tt_so_chi_bo="mười"),
        at(20),
    )
    district.save("CQ_B", district.values("CQ_B"), at(21))
    district.sync(at(25))
    out = district.root / "out"
    wb = openpyxl.load_workbook(out / "tong-hop.xlsx")
    assert wb.sheetnames == [
        "Tình trạng",
        "Toàn huyện",
        "Chỉ tiêu",
        "Kiểm điểm",
        "Kiểm tra giám sát",
        "Hạn chế - Giải pháp",
        "Lỗi",
        "Lịch sử thay đổi",
        "Nhật ký",
    ]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate} is a formula"
    status = json.loads((out / "status.json").read_text("utf-8"))
    assert {u["code"]: u["status"] for u in status["units"]} == {
        "XA_A": "overdue",
        "CQ_B": "on_time",
    }
    assert status["counts"]["expected"] == 2 and status["counts"]["on_time"] == 1
    assert status["as_of"] == "2023-03-25T09:00:00+07:00"
    values = list(csv.DictReader(io.StringIO((out / "values.csv").read_text("utf-8-sig"))))
    assert {"unit_code", "tab", "field", "row", "value"} == set(values[0])
    reporter = next(
        v for v in values if v["unit_code"] == "XA_A" and v["field"] == "tt_nguoi_bao_cao"
    )
    assert reporter["value"] == "'" + evil  # escaped so a spreadsheet never runs it
    hc = [v for v in values if v["unit_code"] == "CQ_B" and v["tab"] == "Hạn chế - Giải pháp"]
    assert hc and all(v["row"] == "1" for v in hc)
    findings = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text("utf-8-sig"))))
    phone = next(f for f in findings if f["field"] == "tt_dien_thoai")
    assert (
        phone["unit_code"] == "XA_A" and phone["severity"] == "warning" and phone["cell"] == "C13"
    )


def test_a_second_sync_waits_for_none(district: District) -> None:
    district.add("XA_A")
    lock = FileLock(str(district.root / "state" / "tonghop.sqlite.lock"))
    (district.root / "state").mkdir(parents=True, exist_ok=True)
    with lock, pytest.raises(SyncError, match="một lần đồng bộ khác đang chạy"):
        district.sync(at(21))
    district.sync(at(21))  # released: runs


def test_outputs_not_writable_stops_with_a_reason(district: District) -> None:
    district.add("XA_A")
    (district.root / "out").write_text("a file where the folder should be")
    with pytest.raises(SyncError, match="không ghi được kết quả"):
        district.sync(at(21))


def test_history_grows_with_each_run(district: District) -> None:
    district.add("XA_A")
    district.sync(at(20))
    district.save("XA_A", district.values("XA_A"), at(20, 10))
    result = district.sync(at(21))
    assert [(p.submitted, p.expected) for p in result.run.history] == [(0, 1), (1, 1)]
    assert (
        result.run.history[-1].at == at(21)
        and timedelta(0) < result.run.history[-1].at - result.run.history[0].at
    )


def test_nothing_changed_keeps_the_workbook_and_refreshes_status_json(district: District) -> None:
    district.add("XA_A")
    district.add("XA_B")
    district.save("XA_A", district.values("XA_A"), at(20))
    district.sync(at(21, 9))
    out = district.root / "out"
    before = (out / "tong-hop.xlsx").read_bytes()
    mtime = (out / "tong-hop.xlsx").stat().st_mtime_ns
    district.sync(at(21, 9, 30))
    assert (out / "tong-hop.xlsx").stat().st_mtime_ns == mtime
    assert (
        json.loads((out / "status.json").read_text("utf-8"))["as_of"] == "2023-03-21T09:30:00+07:00"
    )
    district.save("XA_B", district.values("XA_B"), at(21, 10))
    district.sync(at(21, 11))
    after = (out / "tong-hop.xlsx").read_bytes()
    assert after != before
    archived = list((out / "archive").glob("tong-hop-*.xlsx"))
    assert len(archived) == 1 and archived[0].read_bytes() == before


def test_only_pulls_the_named_units_and_keeps_the_others(district: District) -> None:
    for code in ("XA_A", "XA_B"):
        district.add(code)
    district.save("XA_A", district.values("XA_A"), at(20))
    district.save("XA_B", district.values("XA_B", tt_xac_nhan=None), at(20))
    district.sync(at(21))
    district.save("XA_B", district.values("XA_B"), at(21, 10))  # B signs off, but is not pulled
    only_a = district.sync(at(21, 11), only=["XA_A"])
    assert (only_a.run.pulled, only_a.run.reused) == (0, 1)
    assert {o.unit.code: o.status.value for o in only_a.outcomes} == {
        "XA_A": "on_time",
        "XA_B": "in_progress",
    }
    everyone = district.sync(at(21, 12))
    assert district.status(everyone, "XA_B") == "on_time"
    with pytest.raises(SyncError, match="XA_ZZZ"):
        district.sync(at(21, 13), only=["XA_ZZZ"])


def test_unreadable_and_vanished_files(district: District) -> None:
    district.add("XA_A")
    district.add("XA_BAD")
    path = district.save("XA_A", district.values("XA_A"), at(20))
    (district.root / "sheets" / "XA_BAD.xlsx").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    district.sync(at(21))
    findings = list(
        csv.DictReader(io.StringIO((district.root / "out" / "findings.csv").read_text("utf-8-sig")))
    )
    bad = [f for f in findings if f["unit_code"] == "XA_BAD"]
    assert [f["code"] for f in bad] == ["unreadable"] and "mật khẩu" in bad[0]["message"]
    path.unlink()  # the file disappears after it was read: keep the last good data
    result = district.sync(at(22))
    gone = next(o for o in result.outcomes if o.unit.code == "XA_A")
    assert gone.status.value == "unreachable" and gone.report is not None and gone.report.confirmed
    assert gone.submitted_at == at(20) and "Không còn tìm thấy" in gone.message
    status = json.loads((district.root / "out" / "status.json").read_text("utf-8"))
    entry = next(u for u in status["units"] if u["code"] == "XA_A")
    assert entry["status"] == "unreachable" and entry["data_as_of"] is not None


def test_a_new_day_parses_kept_snapshots_without_reading_files_again(district: District) -> None:
    district.add("XA_A")
    district.add("XA_EARLY")
    district.save("XA_A", district.values("XA_A"), at(20))
    # Dated tomorrow: an error today ("not after the day of the run"), fine tomorrow.
    district.save(
        "XA_EARLY", district.values("XA_EARLY", tt_ngay_bao_cao=date(2023, 3, 21)), at(20, 22)
    )
    first = district.sync(at(20, 23))
    assert district.status(first, "XA_EARLY") == "in_progress"
    second = district.sync(at(21, 8))
    assert (second.run.pulled, second.run.reused) == (0, 0)  # both parsed again from snapshots
    assert district.status(second, "XA_EARLY") == "on_time"
    early = next(o for o in second.outcomes if o.unit.code == "XA_EARLY")
    assert early.submitted_at == at(20, 22)  # the file's time, not the day it became valid


def test_outputs_drawn_by_older_code_are_rewritten_once(district: District) -> None:
    """After an upgrade the workbook is drawn again even when no unit's data changed."""
    from jobs.outputs.files import FINGERPRINT, RENDERER, fingerprint

    district.add("XA_A")
    district.save("XA_A", district.values("XA_A"), at(20))
    first = district.sync(at(21))
    out = district.root / "out"
    workbook = out / "tong-hop.xlsx"
    stamp = (out / FINGERPRINT).read_text("ascii")
    assert stamp == fingerprint(district.schema, first.outcomes, first.run)
    mtime = workbook.stat().st_mtime_ns
    district.sync(at(21, 10))
    assert workbook.stat().st_mtime_ns == mtime  # same code, same data: kept
    # The stamp an older version of the writers left for the same data.
    older = fingerprint(district.schema, first.outcomes, first.run, renderer="0.0.9")
    assert older != stamp and RENDERER != "0.0.9"
    (out / FINGERPRINT).write_text(older, "ascii")
    district.sync(at(21, 20))
    assert workbook.stat().st_mtime_ns != mtime
    assert (out / FINGERPRINT).read_text("ascii") == stamp


def test_only_on_a_new_state_says_the_others_are_not_read_yet(district: District) -> None:
    for code in ("XA_A", "XA_B"):
        district.add(code)
        district.save(code, district.values(code), at(20))
    result = district.sync(at(25), only=("XA_A",))
    read, left = (next(o for o in result.outcomes if o.unit.code == c) for c in ("XA_A", "XA_B"))
    assert read.status.value == "on_time"
    assert "chưa đọc bảng tính của đơn vị lần nào" in left.message
    assert "không có --only" in left.message


def test_a_closed_unit_is_said_without_brackets_in_brackets(district: District) -> None:
    import re

    import docx

    district.add("XA_A")
    district.add("XA_OLD", active_to="2022-12-31")
    district.save("XA_A", district.values("XA_A"), at(20))
    district.sync(at(25))
    text = "\n".join(
        p.text for p in docx.Document(district.root / "out" / "bao-cao-tong-hop.docx").paragraphs
    )
    assert "theo danh sách đơn vị đã ngừng hoạt động sau ngày 31/12/2022" in text
    assert not re.search(r"\([^()]*\(", text), "a bracket opened inside another"
