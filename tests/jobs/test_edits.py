"""The office's edits are never overwritten: real Word and Excel edits, then real syncs.

The draft is edited with python-docx and the workbook with openpyxl, as a person saving them
would change them; a file the job cannot replace is a real refusal of the file system, not a
replaced function.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest

from jobs.outputs.draft import DRAFT
from jobs.outputs.files import FINGERPRINT, WORKBOOK
from sheets_schema import Schema
from tests.jobs.district import District

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2023, 3, 21, 8, tzinfo=VN)
CODES = ("XA_A", "XA_B", "XA_C")
OFFICE_NOTE = "Ý kiến của Văn phòng Huyện ủy: bổ sung kết quả quý I."


def beside(name: str, as_of: datetime) -> str:
    stem, ext = name.rsplit(".", 1)
    return f"{stem} (số liệu {as_of:%d-%m %Hh%M}).{ext}"


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def sheet_text(path: Path, sheet: str = "Tình trạng") -> str:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)


def status(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "status.json").read_text("utf-8"))


def edit_draft(path: Path) -> bytes:
    document = docx.Document(str(path))
    document.add_paragraph(OFFICE_NOTE)
    document.save(str(path))
    return path.read_bytes()


def edit_workbook(path: Path) -> bytes:
    book = openpyxl.load_workbook(path)
    book["Tình trạng"]["Q2"] = "Đã gọi XA_B lúc 9 giờ"
    book.save(path)
    return path.read_bytes()


@pytest.fixture
def district(tmp_path: Path, schema: Schema) -> District:
    district = District(tmp_path / "district", schema)
    for code in CODES:
        district.add(code)
        district.save(code, district.values(code), START - timedelta(days=1))
    district.sync(START)
    return district


def test_edited_draft_and_workbook_survive_twelve_syncs(district: District) -> None:
    out = district.root / "out"
    draft = edit_draft(out / DRAFT)
    workbook = edit_workbook(out / WORKBOOK)
    # An older version archived (and pruned) edited copies: one such copy must stay for good.
    archive = out / "archive"
    archive.mkdir()
    old_edit = archive / "bao-cao-tong-hop-20230320-080000-r1.docx"
    old_edit.write_bytes(draft)
    person_beside: Path | None = None
    for i in range(12):
        as_of = START + timedelta(minutes=10 * (i + 1))
        code = CODES[i % len(CODES)]
        district.save(code, district.values(code, tt_so_dang_vien=400 + i), as_of - timedelta(minutes=5))  # fmt: skip
        result = district.sync(as_of)
        assert (out / DRAFT).read_bytes() == draft
        assert (out / WORKBOOK).read_bytes() == workbook
        new_draft, new_book = out / beside(DRAFT, as_of), out / beside(WORKBOOK, as_of)
        assert result.outputs[DRAFT] == new_draft and result.outputs[WORKBOOK] == new_book
        when = f"{as_of:%d/%m/%Y %H:%M}"
        assert when in docx_text(new_draft) and OFFICE_NOTE not in docx_text(new_draft)
        tinh_trang = sheet_text(new_book)
        assert when in tinh_trang
        line = next(t for t in tinh_trang.splitlines() if t.startswith("Tệp đã được sửa tay"))
        assert f"{WORKBOOK} (bản mới: {new_book.name})" in line
        assert f"{DRAFT} (bản mới: {new_draft.name})" in line
        kept = {k["file"]: k for k in status(out)["kept_outputs"]}
        assert kept[DRAFT] == {"file": DRAFT, "new_file": new_draft.name, "reason": "edited"}
        assert kept[WORKBOOK] == {"file": WORKBOOK, "new_file": new_book.name, "reason": "edited"}
        if i == 5:  # a person edits the copy beside the draft too: it is theirs from now on
            person_beside = new_draft
            person_bytes = edit_draft(new_draft)
        if person_beside is not None and i > 5:
            assert person_beside.read_bytes() == person_bytes
            assert kept[person_beside.name]["new_file"] == new_draft.name
        # One copy of the job's own beside each kept file: the superseded ones are gone.
        copies = sorted(p.name for p in out.glob("* (số liệu *)*"))
        expected = {new_draft.name, new_book.name} | ({person_beside.name} if person_beside else set())  # fmt: skip
        assert set(copies) == expected
    archived = sorted(p.name for p in archive.iterdir())
    assert old_edit.name in archived and old_edit.read_bytes() == draft
    # The job's own generations are pruned to archive_keep (10) for each output.
    job_drafts = [n for n in archived if n.startswith("bao-cao-tong-hop-") and n != old_edit.name]
    assert len(job_drafts) == 10
    assert len([n for n in archived if n.startswith("tong-hop-")]) == 10


def test_an_edit_alone_writes_the_generation_beside_once_and_logs_it_once(
    district: District, caplog: pytest.LogCaptureFixture
) -> None:
    out = district.root / "out"
    draft = edit_draft(out / DRAFT)
    before = (out / WORKBOOK).read_bytes()
    with caplog.at_level(logging.WARNING, logger="tonghop"):
        for minutes in (10, 20, 30):
            district.sync(START + timedelta(minutes=minutes))
    # Nothing changed but the draft: the job's own draft appears beside it at the next run,
    # and later runs leave everything as it is.
    first = out / beside(DRAFT, START + timedelta(minutes=10))
    assert first.exists() and (out / DRAFT).read_bytes() == draft
    assert sorted(p.name for p in out.glob("* (số liệu *)*")) == [first.name]
    assert (out / WORKBOOK).read_bytes() != before  # rewritten once, to say so on Tình trạng
    assert f"{DRAFT} (bản mới: {first.name})" in sheet_text(out / WORKBOOK)
    said = [r.getMessage() for r in caplog.records if "đã được sửa" in r.getMessage()]
    assert said == [
        f"Tệp “{DRAFT}” đã được sửa sau lần hệ thống ghi: hệ thống giữ nguyên tệp này, không "
        f"ghi đè, và ghi bản mới bên cạnh, tên có thời điểm số liệu (“{first.name}”)."
    ]
    # The office takes its edited draft away: the next generation goes back to the usual name.
    first_bytes = first.read_bytes()
    (out / DRAFT).rename(district.root / "ban-da-sua.docx")
    district.save("XA_A", district.values("XA_A", tt_so_dang_vien=401), START + timedelta(minutes=35))  # fmt: skip
    result = district.sync(START + timedelta(minutes=40))
    assert result.outputs[DRAFT] == out / DRAFT and not first.exists()
    assert status(out)["kept_outputs"] == []
    archived = [p.read_bytes() for p in (out / "archive").glob("bao-cao-tong-hop-*.docx")]
    assert first_bytes in archived


def test_a_file_that_cannot_be_replaced_goes_beside_without_a_crash(
    district: District, caplog: pytest.LogCaptureFixture
) -> None:
    out = district.root / "out"
    # A real refusal: the workbook's name is taken by a folder with a file in it, so the
    # rename over it fails (as Windows refuses while Excel holds the workbook open).
    (out / WORKBOOK).unlink()
    (out / WORKBOOK).mkdir()
    (out / WORKBOOK / "giu-cho.txt").write_text("x")
    first_at = START + timedelta(minutes=10)
    district.save("XA_A", district.values("XA_A", tt_so_dang_vien=401), first_at - timedelta(minutes=5))  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="tonghop"):
        result = district.sync(first_at)
    first = out / beside(WORKBOOK, first_at)
    assert result.outputs[WORKBOOK] == first and first.is_file()
    assert f"{first_at:%d/%m/%Y %H:%M}" in sheet_text(first)
    assert status(out)["kept_outputs"] == [
        {"file": WORKBOOK, "new_file": first.name, "reason": "in_use"}
    ]
    said = [r.getMessage() for r in caplog.records if "Không ghi đè được" in r.getMessage()]
    assert said == [
        f"Không ghi đè được tệp “{WORKBOOK}” (tên đó đang là một thư mục): bản mới được ghi "
        f"bên cạnh, “{first.name}”. Hãy đóng tệp; lần chạy sau sẽ ghi lại vào đúng tên."
    ]
    assert not (out / FINGERPRINT).exists()  # so the next run tries the usual name again
    # Still refused at the next run: a newer copy replaces the job's own earlier one.
    second_at = START + timedelta(minutes=20)
    district.sync(second_at)
    second = out / beside(WORKBOOK, second_at)
    assert second.is_file() and not first.exists()
    # Closed again: the workbook is back at its name, the copy beside it gone.
    (out / WORKBOOK / "giu-cho.txt").unlink()
    (out / WORKBOOK).rmdir()
    third = district.sync(START + timedelta(minutes=30))
    assert third.outputs[WORKBOOK] == out / WORKBOOK and (out / WORKBOOK).is_file()
    assert not second.exists() and status(out)["kept_outputs"] == []
    assert (out / FINGERPRINT).exists()


def _downgrade(state: Path) -> None:
    """Make the state what an older version left: no record of what it wrote."""
    db = sqlite3.connect(state)
    db.executescript("DROP TABLE outputs_written; DROP TABLE output_edits; PRAGMA user_version=1;")
    db.close()


def test_first_run_after_an_upgrade_replaces_its_own_files_and_keeps_edited_ones(
    district: District,
) -> None:
    out = district.root / "out"
    _downgrade(district.root / "state" / "tonghop.sqlite")
    old_book = (out / WORKBOOK).read_bytes()
    # Saved after the last generation's stamp: an edit, though nothing recorded says so.
    draft = edit_draft(out / DRAFT)
    as_of = START + timedelta(minutes=10)
    district.save("XA_A", district.values("XA_A", tt_so_dang_vien=401), as_of - timedelta(minutes=5))  # fmt: skip
    result = district.sync(as_of)
    assert result.outputs[WORKBOOK] == out / WORKBOOK and (out / WORKBOOK).read_bytes() != old_book
    assert [p.read_bytes() for p in (out / "archive").glob("tong-hop-*.xlsx")] == [old_book]
    assert (out / DRAFT).read_bytes() == draft
    assert result.outputs[DRAFT] == out / beside(DRAFT, as_of)


def test_no_edit_no_copy(district: District) -> None:
    out = district.root / "out"
    for i in range(3):
        as_of = START + timedelta(minutes=10 * (i + 1))
        district.save("XA_B", district.values("XA_B", tt_so_dang_vien=500 + i), as_of - timedelta(minutes=5))  # fmt: skip
        result = district.sync(as_of)
        assert result.outputs[DRAFT] == out / DRAFT and result.outputs[WORKBOOK] == out / WORKBOOK
    assert not list(out.glob("* (số liệu *)*")) and status(out)["kept_outputs"] == []
    assert not re.search("sửa tay", sheet_text(out / WORKBOOK))


def test_the_record_of_what_was_written_stays_bounded(tmp_path: Path) -> None:
    from jobs.state import State

    state = State(tmp_path / "state" / "tonghop.sqlite")
    digests = [f"{n:064x}" for n in range(60)]
    for run, digest in enumerate(digests, start=1):
        state.record_output(DRAFT, digest, run)
    state.record_output(WORKBOOK, digests[0], 1)
    state.forget_outputs(DRAFT, keep_newest=30, keep={digests[0]})
    assert state.written_outputs(DRAFT) == {digests[0], *digests[30:]}
    assert state.written_outputs(WORKBOOK) == {digests[0]}  # another output's record is its own
    state.notice_edit(str(tmp_path / "out" / DRAFT), 1)
    state.notice_edit(str(tmp_path / "elsewhere" / DRAFT), 1)
    state.forget_edits(str(tmp_path / "out"), set())
    assert not state.edit_noticed(str(tmp_path / "out" / DRAFT))
    assert state.edit_noticed(str(tmp_path / "elsewhere" / DRAFT))
    state.close()
