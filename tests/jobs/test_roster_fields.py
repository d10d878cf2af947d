"""Unit codes and e-mails in the roster: what names files and what goes into a mail header."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.outputs.atomic import OutputError, atomic_write
from jobs.roster import load_roster
from jobs.roster_fields import code_problem, parse_emails
from sheets_schema import Schema
from sheets_schema.template import UnitInfo
from tests.helpers import typed_workbook, valid_values
from tests.jobs.test_cli import tonghop
from tests.jobs.test_roster import roster_error, write_csv


def test_codes_that_map_to_one_file_name_are_an_error_naming_both_rows(tmp_path: Path) -> None:
    # CQ/NH and CQ_NH both became phan-hoi/CQ_NH.xlsx: one unit's report mailed to the other.
    path = write_csv(tmp_path, "code,name,type\nCQ/NH,Một,co_quan\nXA,Xã,xa\nCQ_NH,Hai,co_quan\n")
    error = roster_error(path)
    assert any("dòng 2 và 4" in p and '"CQ/NH" và "CQ_NH"' in p for p in error.problems)
    assert any("dòng 2" in p and "'/'" in p for p in error.problems)  # and the character itself
    path = write_csv(tmp_path, "code,name,type\nCQ_NH,Một,co_quan\ncq_nh,Hai,co_quan\n")
    assert "dòng 2 và 3" in str(roster_error(path))


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("X" * 250, "250 byte"),  # crashed every sync with ENAMETOOLONG
        ("Đ" * 33, "66 byte"),  # Vietnamese letters are 2–3 bytes each
        ("../x", "'.' '/'"),
        ("A B", "U+0020"),
        ("A\u200bB", "U+200B"),
        ("CON:1", "':'"),
    ],
)
def test_a_code_is_letters_digits_underscore_and_dash_within_64_bytes(
    tmp_path: Path, code: str, why: str
) -> None:
    path = write_csv(tmp_path, f"code,name,type\n{code},Một,xa\n")
    error = roster_error(path)
    assert "dòng 2, cột code (A)" in str(error) and why in str(error), str(error)


def test_good_codes_pass() -> None:
    for code in ("XA_VINH_HUNG", "cq-ban-to-chuc", "Đ" * 32, "X" * 64, "SN_THPT_LE_VAN_DAU"):
        assert code_problem(code) is None, code


@pytest.mark.parametrize("column", ["name", "email", "sheet", "code"])
@pytest.mark.parametrize("brk", ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\v"])
def test_a_line_break_in_any_roster_field_is_an_error(
    tmp_path: Path, column: str, brk: str
) -> None:
    cells = {"code": "XA", "name": "Xã", "type": "xa", "sheet": "XA.xlsx", "email": "a@x.vn"}
    cells[column] = cells[column][:1] + brk + "Bcc: b@evil.vn"
    line = ",".join(f'"{v}"' for v in cells.values())
    path = write_csv(tmp_path, f"code,name,type,sheet,email\n{line}\n")
    error = roster_error(path)
    assert f"cột {column}" in str(error) and "xuống dòng" in str(error), str(error)


@pytest.mark.parametrize(
    "email",
    [
        "not an email",
        "a@x.vn, b@y.vn",
        "a@x.vn b@y.vn",
        "@x.vn",
        "a@",
        "a@localhost",
        "a@x.vn;",
        "Tên <a@x.vn> <b@y.vn>",
        "a@x.vn>",
    ],
)
def test_an_email_cell_holds_addresses_the_parser_reads_whole(tmp_path: Path, email: str) -> None:
    path = write_csv(tmp_path, f'code,name,type,email\nXA,Xã,xa,"{email}"\n')
    assert "cột email" in str(roster_error(path))


def test_several_addresses_only_with_semicolons(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        'code,name,type,email\nXA,Xã,xa," a@x.vn ;Văn phòng <vp@vinhloi.gov.vn>"\nXB,B,xa,\n',
    )
    a, b = load_roster(path)
    assert a.email == "a@x.vn; Văn phòng <vp@vinhloi.gov.vn>" and b.email == ""
    addresses, why = parse_emails(a.email)
    assert why is None and [x.addr_spec for x in addresses] == ["a@x.vn", "vp@vinhloi.gov.vn"]


def test_a_name_the_file_system_refuses_is_one_clear_error(tmp_path: Path) -> None:
    # The temporary file's cleanup used to raise ENAMETOOLONG a second time.
    with pytest.raises(OutputError, match="tên tệp quá dài"):
        atomic_write(tmp_path / ("X" * 300 + ".xlsx"), lambda fh: fh.write(b"x"))
    assert list(tmp_path.iterdir()) == []


def test_check_annotate_with_a_too_long_target_name(tmp_path: Path, schema: Schema) -> None:
    src = tmp_path / "XA.xlsx"
    values = valid_values(schema, "xa", "XA")
    values["ks_kl_dang_vien"] = 7
    src.write_bytes(typed_workbook(schema, values, UnitInfo("XA", "Xã", "xa")))
    res = tonghop("check", src, "--annotate", tmp_path / ("X" * 300 + ".xlsx"))
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert "tên tệp" in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
