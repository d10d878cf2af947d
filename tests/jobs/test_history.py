"""Field history: each changed value between two versions the job read, by field id."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest

from jobs.history import late_changes_line, unit_history
from jobs.outputs.history_sheet import MAX_ROWS, SHEET
from jobs.outputs.workbook import write_workbook
from jobs.state import State
from sheets_schema import Schema, load_schema
from tests.jobs.district import District

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LONG = "Chi bộ đã triển khai đầy đủ các nghị quyết của cấp trên, " * 6


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2023, 3, day, hour, 0, tzinfo=VN)


@pytest.fixture
def district(tmp_path: Path, schema: Schema) -> District:
    d = District(tmp_path / "district", schema)
    d.add("XA_A")
    d.add("XA_B")
    return d


def _history(district: District, code: str, field: str | None = None) -> list:
    state = State(district.config.output.state)
    try:
        return unit_history(state, code, field)
    finally:
        state.close()


def _sheet_rows(district: District) -> list[tuple]:
    book = openpyxl.load_workbook(district.root / "out" / "tong-hop.xlsx")
    ws = book["Lịch sử thay đổi"]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[head][:12] == ("STT", "Thời điểm sửa", "Mã đơn vị", "Tên đơn vị", "Mục", "Trang",
                               "Ô", "Giá trị cũ", "Giá trị mới", "Người sửa", "Sau hạn nộp",
                               "Lần chạy")  # fmt: skip
    return rows[head + 1 :]


def test_a_number_a_text_and_a_cleared_field(district: District, schema: Schema) -> None:
    district.save("XA_A", district.values("XA_A", kd_bai_hoc=LONG), at(20))
    district.save("XA_B", district.values("XA_B"), at(20))
    first = district.sync(at(20, 12))
    assert first.run.field_changes == []
    changed = district.values("XA_A", tt_so_dang_vien=420, tt_chuc_vu="Bí thư", tt_email=None,
                              kd_bai_hoc=LONG + "Bổ sung.")  # fmt: skip
    district.save("XA_A", changed, at(21))
    district.sync(at(21, 12))

    by_field = {c.field: c for c in _history(district, "XA_A")}
    assert set(by_field) == {"tt_so_dang_vien", "tt_chuc_vu", "tt_email", "kd_bai_hoc"}
    number = by_field["tt_so_dang_vien"]
    assert (number.old, number.new) == (412, 420)
    assert number.tab == "Thông tin" and re.fullmatch(r"[A-Z]+\d+", number.cell)
    assert number.label(schema) == schema.field("tt_so_dang_vien").label
    assert number.changed_at == at(21) and number.seen_at == at(21, 12) and number.editor == ""
    assert (by_field["tt_chuc_vu"].old, by_field["tt_chuc_vu"].new) == (
        "Phó Bí thư Thường trực",
        "Bí thư",
    )
    assert (by_field["tt_email"].old, by_field["tt_email"].new) == ("vinhhung@example.vn", None)
    text = by_field["kd_bai_hoc"]
    assert text.old == LONG.strip() and text.new == LONG + "Bổ sung."  # whole, via history
    assert _history(district, "XA_B") == []
    assert [c.field for c in _history(district, "XA_A", "tt_chuc_vu")] == ["tt_chuc_vu"]

    rows = {r[4]: r for r in _sheet_rows(district)}
    cleared = rows[schema.field("tt_email").label]
    assert (cleared[2], cleared[7], cleared[8]) == ("XA_A", "vinhhung@example.vn", "(trống)")
    assert rows[schema.field("tt_so_dang_vien").label][7:9] == ("412", "420")
    long_row = rows[schema.field("kd_bai_hoc").label]
    assert long_row[7] == (
        f"đã sửa ({len(LONG) - 1} ký tự → {len(LONG) + 8} ký tự); toàn văn: tonghop history XA_A "
        f"--field kd_bai_hoc"
    )
    assert all(r[10] in ("", None) for r in rows.values())  # before the deadline: not marked


def test_amended_after_the_deadline_is_marked(district: District, schema: Schema) -> None:
    for code in ("XA_A", "XA_B"):
        district.save(code, district.values(code), at(20))
    district.sync(at(20, 12))
    district.save("XA_B", district.values("XA_B", tt_so_chi_bo=15), at(22))  # before: not marked
    district.sync(at(22, 12))
    district.save("XA_A", district.values("XA_A", tt_so_chi_bo=16), at(24))  # after 23/3
    result = district.sync(at(24, 12))

    rows = _sheet_rows(district)
    assert [(r[2], r[7], r[8], r[10]) for r in rows] == [
        ("XA_A", "14", "16", "Sau hạn"),  # newest first
        ("XA_B", "14", "15", ""),
    ]
    assert rows[0][1] == datetime(2023, 3, 24, 9, 0)
    line = late_changes_line(result.run.field_changes, result.outcomes)
    assert line.startswith("Có 1 đơn vị sửa số liệu sau hạn nộp: Đơn vị XA_A")
    assert "XA_B" not in line
    draft = docx.Document(str(district.root / "out" / "bao-cao-tong-hop.docx"))
    assert line in [p.text for p in draft.paragraphs]  # said once, in section I


def test_the_sheet_lists_the_newest_changes_only_past_its_limit(
    district: District, schema: Schema, tmp_path: Path
) -> None:
    for code in ("XA_A", "XA_B"):
        district.save(code, district.values(code), at(20))
    district.sync(at(20, 12))
    district.save("XA_A", district.values("XA_A", tt_so_chi_bo=16), at(24))
    result = district.sync(at(24, 12))
    (change,) = result.run.field_changes
    many = [
        replace(change, unit_code=code, old=n, new=n + 1, changed_at=at(24) - timedelta(seconds=n))
        for n in range(MAX_ROWS + 5)
        for code in ["XA_A" if n == MAX_ROWS + 4 else "XA_B"]  # the oldest is XA_A's, late
    ]
    target = tmp_path / "tong-hop.xlsx"
    write_workbook(target, schema, result.outcomes, replace(result.run, field_changes=many))

    ws = openpyxl.load_workbook(target)[SHEET]
    texts = [str(c.value) for r in ws.iter_rows(max_row=4) for c in r if c.value]
    assert any("2.005 thay đổi; 2 đơn vị sửa sau hạn nộp." in t for t in texts)
    assert any("chỉ liệt kê 2.000 thay đổi mới nhất" in t for t in texts)
    numbers = [r[0] for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert numbers == list(range(1, MAX_ROWS + 1))  # the newest 2,000, in order


def test_changes_before_the_first_submission_are_not_on_the_sheet(district: District) -> None:
    district.save("XA_A", district.values("XA_A", tt_xac_nhan=None), at(19))
    district.sync(at(19, 12))
    district.save("XA_A", district.values("XA_A"), at(20))  # signs off: the submission
    district.sync(at(20, 12))
    assert [c.field for c in _history(district, "XA_A")] == ["tt_xac_nhan"]
    assert _sheet_rows(district) == []


def test_a_schema_upgrade_shows_no_false_changes(district: District, tmp_path: Path) -> None:
    district.save("XA_A", district.values("XA_A"), at(20))
    district.sync(at(20, 12))
    # A new template version with a field added before the others: every cell below it moves.
    import sheets_schema

    text = Path(sheets_schema.__file__).with_name("midterm_2020_2025.toml")
    source = text.read_text("utf-8")
    source = source.replace('version = "2023.2"', 'version = "2023.3"').replace(
        'previous_versions = ["2023.1"]', 'previous_versions = ["2023.1", "2023.2"]'
    )
    added = (
        '  [[tab.field]]\n  id = "tt_dia_chi"\n  label = "Địa chỉ"\n  type = "text"\n'
        "  required = false\n\n"
    )
    source = source.replace(
        '  [[tab.field]]\n  id = "tt_ten_don_vi"', added + '  [[tab.field]]\n  id = "tt_ten_don_vi"'
    )
    new_file = tmp_path / "schema-2023.3.toml"
    new_file.write_text(source, "utf-8")
    new_schema = load_schema(new_file)
    assert new_schema.version == "2023.3" and new_schema.has_field("tt_dia_chi")
    config = district.root / "tonghop.toml"
    config.write_text(
        config.read_text("utf-8").replace('"midterm_2020_2025"', f'"{new_file.as_posix()}"'),
        "utf-8",
    )
    # The same file read under the new schema: nothing changed.
    district.sync(at(20, 13))
    assert _history(district, "XA_A") == []
    # The unit moves to the new template and changes one figure.
    district.schema = new_schema
    district.save("XA_A", district.values("XA_A", tt_so_chi_bo=15), at(21))
    district.sync(at(21, 12))
    changes = _history(district, "XA_A")
    assert [(c.field, c.old, c.new) for c in changes] == [("tt_so_chi_bo", 14, 15)]
    # The cell is where the new template puts it, one row lower than in the old one.
    assert changes[0].tab == "Thông tin"
    assert changes[0].cell == _cell_of(new_schema, "tt_so_chi_bo")
    assert _cell_of(new_schema, "tt_so_chi_bo") != _cell_of(load_schema(), "tt_so_chi_bo")


def _cell_of(schema: Schema, field: str) -> str:
    from sheets_schema.template import render_template
    from sync.excel import read_xlsx

    raw = read_xlsx(render_template(schema), shapes=schema.shapes)
    block = raw.blocks[field]
    from sheets_schema.findings import a1

    return a1(block.row, block.col)


def test_the_history_command_prints_each_change_in_vietnamese(
    district: District, schema: Schema, capsys: pytest.CaptureFixture[str]
) -> None:
    from jobs.commands.cli import main

    district.save("XA_A", district.values("XA_A"), at(20))
    district.sync(at(20, 12))
    district.save("XA_A", district.values("XA_A", tt_so_dang_vien=1234, kd_bai_hoc=LONG), at(21))
    district.sync(at(21, 12))
    config = str(district.root / "tonghop.toml")
    assert main(["history", "XA_A", "--config", config]) == 0
    out = capsys.readouterr().out
    assert out.startswith("XA_A – Đơn vị XA_A: 2 thay đổi")
    label = schema.field("tt_so_dang_vien").label
    assert f"21/03/2023 09:00 · {label} (trang “Thông tin”, ô " in out
    assert "    cũ:  412\n    mới: 1.234\n" in out
    assert LONG.strip() in out  # the whole text, not its length
    assert "lần chạy 2" in out
    assert main(["history", "XA_A", "--field", "tt_so_dang_vien", "--config", config]) == 0
    assert "2 thay đổi" not in capsys.readouterr().out
    assert main(["history", "XA_A", "--since", "2023-03-22", "--config", config]) == 0
    assert "chưa có thay đổi nào" in capsys.readouterr().out
    assert main(["history", "XA_ZZ", "--config", config]) == 2
    assert "không có đơn vị mã XA_ZZ" in capsys.readouterr().err
    assert main(["history", "XA_A", "--field", "khong_co", "--config", config]) == 2
    assert "mẫu báo cáo không có trường khong_co" in capsys.readouterr().err
