"""Every real-world oddity of tests/oddities.py gives a clear message or a valid copy.

A valid copy: `check` reads the same findings from it as from the unit's file, every value
is the same to calamine and openpyxl, the marked cell shows our fill and comment in openpyxl,
each zip name is stored once, and every part has a content type.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jobs.outputs.annotate import ERROR_FILL, annotate_workbook, annotated_copy
from jobs.outputs.feedback import make_copies
from jobs.outputs.verify import CopyRejected, verify_copy
from jobs.outputs.xlsx_marks import Mark
from sheets_schema import ParseContext, Schema, parse_report
from sync.excel import WorkbookError, read_xlsx
from sync.guard import Limits
from tests import oddities
from tests.jobs.test_cli import tonghop

CTX = ParseContext("XA", "xa")


@pytest.fixture(scope="module")
def base(schema: Schema) -> bytes:
    return oddities.base(schema)


def findings(schema: Schema, data: bytes) -> list:
    return parse_report(schema, read_xlsx(data), CTX).findings


def _values(data: bytes) -> dict:
    """Every value of every sheet, as calamine reads it (openpyxl cannot read some oddities)."""
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def _assert_valid_copy(schema: Schema, data: bytes, copy: bytes, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Duplicate name" or other warning either
        names = zipfile.ZipFile(io.BytesIO(copy)).namelist()
    assert len(names) == len(set(names))
    found = findings(schema, data)
    assert [f.as_dict() for f in findings(schema, copy)] == [f.as_dict() for f in found]
    if name != "utf16":  # calamine reads a UTF-16 part as empty; the reader uses openpyxl
        assert _values(copy) == _values(data)
    ws = openpyxl.load_workbook(io.BytesIO(copy))[oddities.TAB]
    assert ws[oddities.CELL].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert "phải bằng" in ws[oddities.CELL].comment.text


@pytest.mark.parametrize("name", sorted(set(oddities.ODDITIES) - {"strict"}))
def test_each_oddity_gets_a_valid_copy_made_in_place(
    schema: Schema, base: bytes, name: str
) -> None:
    data = oddities.ODDITIES[name](base)
    found = findings(schema, data)
    assert any(f.tab == oddities.TAB and f.cell == oddities.CELL for f in found)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Python's "Duplicate name" warning included
        copy = annotated_copy(data, found, Limits())
    _assert_valid_copy(schema, data, copy, name)
    # In place, not through openpyxl: the unit's own parts (its theme) are kept byte for byte.
    theme = "xl/theme/theme1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as a, zipfile.ZipFile(io.BytesIO(copy)) as b:
        assert b.read(theme) == a.read(theme)


def test_strict_is_one_clear_message_in_check_and_annotate(tmp_path: Path, base: bytes) -> None:
    src = tmp_path / "strict.xlsx"
    src.write_bytes(oddities.strict(base))
    with pytest.raises(WorkbookError) as caught:
        read_xlsx(src.read_bytes())
    message = (
        "định dạng Strict Open XML không được hỗ trợ; hãy lưu lại thành sổ làm việc Excel "
        "thông thường"
    )
    assert caught.value.message_vi == message
    for extra in ([], ["--annotate", str(tmp_path / "ra.xlsx")]):
        res = tonghop("check", src, *extra)
        assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr
        assert "missing" not in res.stderr and "thiếu" not in res.stderr


def test_utf16_parts_are_read_not_refused(schema: Schema, base: bytes) -> None:
    data = oddities.utf16(base)
    assert (
        parse_report(schema, read_xlsx(data), CTX).values
        == parse_report(schema, read_xlsx(base), CTX).values
    )


def test_unordered_cells_the_mark_lands_on_the_cell_readers_show(
    schema: Schema, base: bytes
) -> None:
    data = oddities.unordered_cells(base)
    copy = annotate_workbook(data, findings(schema, data))
    body = zipfile.ZipFile(io.BytesIO(copy)).read(oddities.SHEET)
    assert body.count(b'r="C14"') == 1


def test_a_comment_at_the_base_style_no_longer_crashes(tmp_path: Path, base: bytes) -> None:
    src = tmp_path / "s.xlsx"
    src.write_bytes(oddities.comments_in_styles(base))
    out = tmp_path / "ra.xlsx"
    res = tonghop("check", src, "--annotate", out)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    assert out.exists()


def test_a_copy_that_changed_a_value_is_refused(schema: Schema, base: bytes) -> None:
    # What the openpyxl path did to rich text, floats and empty strings: any such change is
    # caught by the re-read, whichever path made the copy.
    found = findings(schema, base)
    copy = annotate_workbook(base, found)
    changed = oddities.edit(copy, oddities.SHEET, lambda b: b.replace(b"<v>7</v>", b"<v>8</v>", 1))
    with pytest.raises(CopyRejected, match=r"other values|differs"):
        verify_copy(base, changed, {oddities.TAB: [Mark(14, 3, ERROR_FILL)]}, Limits())
    verify_copy(base, copy, {oddities.TAB: [Mark(14, 3, ERROR_FILL)]}, Limits())


def test_findings_are_printed_even_when_no_copy_can_be_made(tmp_path: Path, base: bytes) -> None:
    src = tmp_path / "s.xlsx"
    src.write_bytes(oddities.control_escape(base))
    res = tonghop("check", src, "--annotate", tmp_path / "ra.xlsx")
    assert "Traceback" not in res.stderr, res.stderr
    assert "C14" in res.stdout  # the findings, whatever became of the copy


def test_a_large_sheet_is_copied_bounded_and_a_limit_skips_the_copy(
    tmp_path: Path, schema: Schema, base: bytes
) -> None:
    # The attack of issue 19 at a fifth of its size: 220k cells under a unit comment, which
    # used to force openpyxl's whole-workbook load outside any limit.
    data = oddities.many_cells(base, cells=220_000)
    path = tmp_path / "lon.xlsx"
    path.write_bytes(data)
    found = findings(schema, data)
    (copy,) = make_copies([("XA", path, found)], Limits())
    assert isinstance(copy, bytes), copy
    ws = openpyxl.load_workbook(io.BytesIO(copy), read_only=False)[oddities.TAB]
    assert ws[oddities.CELL].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert ws["B5"].comment.text == "Ghi chú của đơn vị"  # the unit's own note kept
    # Under a limit it cannot meet, in its worker: a clear reason, no copy, the caller goes on.
    (small,) = make_copies([("XA", path, found)], Limits(unit_memory_mb=8))
    assert isinstance(small, str) and "giới hạn bộ nhớ 8 MiB" in small, small
    (slow,) = make_copies([("XA", path, found)], Limits(unit_seconds=0))
    assert isinstance(slow, str) and "0 giây" in slow, slow
