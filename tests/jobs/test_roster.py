"""load_roster and write_roster_sheet_column on real CSV and .xlsx files."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from jobs.model import Unit
from jobs.roster import RosterError, expected_units, load_roster, write_roster_sheet_column
from tests.jobs.test_language import english_words

HEADER = "code,name,type,sheet,email,deadline,active_from,active_to"


def write_csv(tmp_path: Path, text: str, name: str = "units.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "units.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def cp1258(text: str) -> bytes:
    """Encode as Excel's "CSV (Comma delimited)" does on a Vietnamese Windows: tone marks apart."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base, tone = unicodedata.normalize("NFC", decomposed[:-1]), decomposed[-1]
            out += (base + tone).encode("cp1258")
    return out


def roster_error(path: Path) -> RosterError:
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(path))
    return caught.value


# --- reading ------------------------------------------------------------------------------------


def test_csv_with_every_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        f"{HEADER}\n"
        "VH,Đảng ủy xã Vĩnh Hưng,xa,vh.xlsx,vh@example.vn,30/03/2023,,\n"
        "CH,Đảng ủy thị trấn Châu Hưng,thi_tran,,,,2023-01-01,31/12/2023\n",
    )
    assert load_roster(path) == [
        Unit("VH", "Đảng ủy xã Vĩnh Hưng", "xa", "vh.xlsx", "vh@example.vn", date(2023, 3, 30)),
        Unit(
            "CH",
            "Đảng ủy thị trấn Châu Hưng",
            "thi_tran",
            active_from=date(2023, 1, 1),
            active_to=date(2023, 12, 31),
        ),
    ]


def test_csv_with_a_bom_and_only_the_required_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,name,type\r\nVH,Vĩnh Hưng,xa\r\n", bom=True)
    assert load_roster(path) == [Unit("VH", "Vĩnh Hưng", "xa")]


def test_semicolon_csv_from_vietnamese_excel(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "code;name;type;deadline\nVH;Vĩnh Hưng, xã;xa;23/03/2023\n", bom=True
    )
    assert load_roster(path) == [Unit("VH", "Vĩnh Hưng, xã", "xa", deadline=date(2023, 3, 23))]


def test_unicode_text_from_excel_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode Text (*.txt)": UTF-16 with a BOM, tab-separated; and written back as
    UTF-8 with a BOM when provision records a sheet."""
    path = tmp_path / "units.csv"
    path.write_bytes("code\tname\ttype\r\nVH\tĐảng bộ xã Vĩnh Hưng\txa\r\n".encode("utf-16"))
    assert load_roster(path) == [Unit("VH", "Đảng bộ xã Vĩnh Hưng", "xa")]
    write_roster_sheet_column(path, {"VH": "https://docs.google.com/spreadsheets/d/abc/edit"})
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_roster(path)[0].sheet == "https://docs.google.com/spreadsheets/d/abc/edit"


def test_headers_are_matched_loosely_and_extra_columns_ignored(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, " Code ,NAME,Type,Ghi chú,Active From\nVH,Vĩnh Hưng,xa,bỏ qua,01/02/2023\n"
    )
    assert load_roster(path) == [Unit("VH", "Vĩnh Hưng", "xa", active_from=date(2023, 2, 1))]


def test_values_are_nfc_and_stripped_and_blank_lines_skipped(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Đảng ủy xã Hưng Hội")
    path = write_csv(tmp_path, f"code,name,type\n\n  HH , {decomposed}\u00a0, xa \n,,\n")
    [unit] = load_roster(path)
    assert unit.code == "HH"
    assert unit.name == "Đảng ủy xã Hưng Hội"
    assert unicodedata.is_normalized("NFC", unit.name)


def test_type_written_as_words_is_accepted(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "code,name,type\nCH,Châu Hưng,Thị trấn\nLL,Quân sự,Lực lượng vũ trang\n"
    )
    assert [unit.type for unit in load_roster(path)] == ["thi_tran", "luc_luong_vu_trang"]


def test_custom_unit_types(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,name,type\nP1,Phường 1,phuong\n")
    assert load_roster(path, unit_types=("phuong",))[0].type == "phuong"
    assert "dùng một trong xa, thi_tran" in str(roster_error(path))


def test_xlsx_roster_with_real_dates_and_numeric_codes(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["Code", "Name", "Type", "Sheet", "Email", "Deadline", "Active_from", "Active_to"],
            [101, "Chi bộ Trường THCS Vĩnh Hưng", "su_nghiep", None, None, datetime(2023, 3, 30)],
            [],
            [
                102.0,
                " Đảng ủy xã Long Thạnh ",
                "xa",
                "https://docs.google.com/x",
                None,
                None,
                "01/01/2023",
                date(2023, 6, 30),
            ],
        ],
    )
    assert load_roster(path) == [
        Unit("101", "Chi bộ Trường THCS Vĩnh Hưng", "su_nghiep", deadline=date(2023, 3, 30)),
        Unit(
            "102",
            "Đảng ủy xã Long Thạnh",
            "xa",
            sheet="https://docs.google.com/x",
            active_from=date(2023, 1, 1),
            active_to=date(2023, 6, 30),
        ),
    ]


def test_xlsx_error_names_the_row_and_column(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["code", "name", "type", "deadline"],
            ["VH", "Vĩnh Hưng", "xa", datetime(2023, 3, 23, 17, 0)],
        ],
    )
    assert "dòng 2, cột deadline (D)" in str(roster_error(path))


def test_expected_units_on_a_day() -> None:
    units = [
        Unit("A", "A", "xa"),
        Unit("B", "B", "xa", active_from=date(2023, 3, 1)),
        Unit("C", "C", "xa", active_to=date(2023, 2, 28)),
        Unit("D", "D", "xa", active_from=date(2023, 1, 1), active_to=date(2023, 3, 1)),
    ]
    assert [u.code for u in expected_units(units, date(2023, 3, 1))] == ["A", "B", "D"]
    assert [u.code for u in expected_units(units, date(2023, 2, 28))] == ["A", "C", "D"]
    assert [u.code for u in expected_units(units, date(2023, 3, 2))] == ["A", "B"]


# --- mistakes -----------------------------------------------------------------------------------


def test_windows_code_page_csv_says_to_save_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(cp1258("code,name,type\r\nVH,Đảng ủy xã Vĩnh Hưng,xa\r\n"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    message = str(roster_error(path))
    assert "dòng 2" in message
    assert "Tệp → Lưu thành → “CSV UTF-8 (Phân cách bằng dấu phẩy) (*.csv)”" in message
    assert english_words(message) == [], message


def test_duplicate_codes_name_both_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "code,name,type\nVH,Vĩnh Hưng,xa\nCH,Châu Hưng,thi_tran\nvh,Khác,xa\n"
    )
    message = str(roster_error(path))
    assert "dòng 2 và 4, cột code (A)" in message
    assert "xuất hiện hai lần" in message


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (",Vĩnh Hưng,xa", "dòng 2, cột code (A): code đang trống"),
        ("VH,,xa", "dòng 2, cột name (B): name đang trống"),
        ("VH,Vĩnh Hưng,", "dòng 2, cột type (C): type đang trống"),
        ("VH,Vĩnh Hưng,phuong", 'cột type (C): "phuong" không phải loại đơn vị; dùng một trong xa, '
                                "thi_tran, co_quan, luc_luong_vu_trang, su_nghiep, doanh_nghiep"),
        ("VH,Vĩnh Hưng,xa,23.3.23", "dòng 2, cột deadline (D): '23.3.23' không phải ngày; "
                                    "viết dd/mm/yyyy (23/03/2023) hoặc yyyy-mm-dd (2023-03-23)"),
        ("VH,Vĩnh Hưng,xa,31/02/2023", "cột deadline (D): '31/02/2023' không phải ngày"),
        ("VH,Vĩnh Hưng,xa,03/23/2023", "cột deadline (D): '03/23/2023' không phải ngày"),
        ("VH,Vĩnh Hưng,xa,,01/05/2023,01/03/2023", "dòng 2, cột active_from (E): active_from "
                                                   "01/05/2023 sau active_to 01/03/2023"),
    ],
)  # fmt: skip
def test_row_mistakes(tmp_path: Path, row: str, expected: str) -> None:
    path = write_csv(tmp_path, f"code,name,type,deadline,active_from,active_to\n{row}\n")
    assert expected in str(roster_error(path))


def test_row_numbers_count_blank_lines_as_the_spreadsheet_does(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,name,type\nVH,Vĩnh Hưng,xa\n\nCH,Châu Hưng,phuong\n")
    assert "dòng 4, cột type (C)" in str(roster_error(path))


def test_every_problem_is_collected(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,name,type\n,A,xa\nB,,xa\nC,C,zz\n")
    error = roster_error(path)
    assert len(error.problems) == 3
    assert str(error).endswith("(và 2 lỗi khác)")
    assert "dòng 4" in error.problems[2]


def test_missing_required_columns_are_listed(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,ten,loai\nVH,Vĩnh Hưng,xa\n")
    message = str(roster_error(path))
    assert "dòng 1: thiếu cột name, type" in message


def test_header_must_be_row_one(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, [["DANH SÁCH TỔ CHỨC CƠ SỞ ĐẢNG"], ["code", "name", "type"]])
    assert "dòng 1: thiếu cột code, name, type" in str(roster_error(path))
    path = write_csv(tmp_path, "\ncode,name,type\nVH,Vĩnh Hưng,xa\n")
    assert "dòng 1: dòng đầu phải là dòng tiêu đề" in str(roster_error(path))


def test_duplicate_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,name,type,Code\nVH,Vĩnh Hưng,xa,X\n")
    assert "cột code xuất hiện hai lần (cột A và D)" in str(roster_error(path))


def test_roster_without_units(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,name,type\n\n")
    assert "chưa có đơn vị nào" in str(roster_error(path))


def test_empty_file(tmp_path: Path) -> None:
    assert "dòng 1" in str(roster_error(write_csv(tmp_path, "")))


def test_unsupported_and_missing_and_broken_files(tmp_path: Path) -> None:
    xls = tmp_path / "units.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    message = str(roster_error(xls))
    assert "Tệp → Lưu thành" in message and "“Sổ làm việc Excel (*.xlsx)”" in message
    assert english_words(message) == [], message
    assert "không có tệp danh sách đơn vị" in str(roster_error(tmp_path / "nope.csv"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"code,name,type\nVH,V\xc4\xa9nh H\xc6\xb0ng,xa\n")  # a CSV named .xlsx
    message = str(roster_error(broken))
    assert "không phải sổ tính .xlsx đọc được (không phải tệp Excel .xlsx)" in message
    assert "Tệp → Lưu thành → “Sổ làm việc Excel (*.xlsx)”" in message
    assert english_words(message) == [], message


# --- writing the sheet column -------------------------------------------------------------------


def test_write_sheet_column_in_a_csv_keeps_everything_else(tmp_path: Path) -> None:
    text = (
        "code;name;type;sheet;ghi chú\r\n"
        "VH;Vĩnh Hưng, xã;xa;;giữ nguyên\r\n"
        "\r\n"
        "CH;Châu Hưng;thi_tran;old;\r\n"
    )
    path = write_csv(tmp_path, text, bom=True)
    write_roster_sheet_column(path, {"VH": "https://docs.google.com/spreadsheets/d/1", "CH": "k2"})
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == (
        "code;name;type;sheet;ghi chú\r\n"
        "VH;Vĩnh Hưng, xã;xa;https://docs.google.com/spreadsheets/d/1;giữ nguyên\r\n"
        "\r\n"
        "CH;Châu Hưng;thi_tran;k2;\r\n"
    )
    assert [u.sheet for u in load_roster(path)] == [
        "https://docs.google.com/spreadsheets/d/1",
        "k2",
    ]


def test_write_sheet_column_adds_the_column_when_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,name,type\nVH,Vĩnh Hưng,xa\nCH,Châu Hưng,thi_tran\n")
    write_roster_sheet_column(path, {"CH": "key-ch"})
    assert path.read_text("utf-8") == (
        "code,name,type,sheet\nVH,Vĩnh Hưng,xa\nCH,Châu Hưng,thi_tran,key-ch\n"
    )
    assert [u.sheet for u in load_roster(path)] == ["", "key-ch"]


def test_write_sheet_column_refuses_unknown_codes_and_writes_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,name,type,sheet\nVH,Vĩnh Hưng,xa,\n")
    before = path.read_bytes()
    with pytest.raises(RosterError, match="không có dòng nào mang mã XX"):
        write_roster_sheet_column(path, {"VH": "k", "XX": "k"})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["units.csv"]  # no temporary file left


def test_write_sheet_column_in_xlsx_keeps_everything_else(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "type", "ghi chú"])
    sheet.append([101, "Chi bộ Trường THCS", "su_nghiep", "giữ"])
    sheet.append(["VH", "Vĩnh Hưng", "xa", None])
    sheet["A1"].font = Font(bold=True)
    workbook.create_sheet("Ghi chép")["A1"] = "khác"
    path = tmp_path / "units.xlsx"
    workbook.save(path)

    write_roster_sheet_column(path, {"101": "=not a formula", "VH": "https://x/vh"})

    reread = openpyxl.load_workbook(path)
    first = reread.worksheets[0]
    assert [c.value for c in first[1]] == ["code", "name", "type", "ghi chú", "sheet"]
    assert [c.value for c in first[2]] == [
        101,
        "Chi bộ Trường THCS",
        "su_nghiep",
        "giữ",
        "=not a formula",
    ]
    assert first["E2"].data_type == "s"
    assert first["E3"].value == "https://x/vh"
    assert first["A1"].font.bold
    assert reread.sheetnames == ["Sheet", "Ghi chép"]
    assert reread["Ghi chép"]["A1"].value == "khác"
    assert [u.sheet for u in load_roster(path)] == ["=not a formula", "https://x/vh"]


# --- staying inside the folder, hostile cells ---------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "words"),
    [
        ("../../etc/passwd", '".."'),
        ("sub/../../x.xlsx", '".."'),
        ("/etc/passwd", "đường dẫn tuyệt đối"),
        ("C:\\Users\\x.xlsx", "đường dẫn tuyệt đối"),
        ("..\\x.xlsx", '".."'),
    ],
)
def test_an_excel_sheet_must_lie_in_the_source_folder(
    tmp_path: Path, sheet: str, words: str
) -> None:
    folder = tmp_path / "sheets"
    folder.mkdir()
    path = write_csv(tmp_path, f"code,name,type,sheet\nVH,Vĩnh Hưng,xa,{sheet}\n")
    with pytest.raises(RosterError) as caught:
        load_roster(path, sheet_folder=folder)
    message = str(caught.value)
    assert "dòng 2, cột sheet (D)" in message and words in message and "\n" not in message
    assert load_roster(path)[0].sheet == sheet  # a Google roster has no folder to stay in


def test_a_file_in_a_subfolder_is_inside(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    path = write_csv(tmp_path, "code,name,type,sheet\nVH,Vĩnh Hưng,xa,xa/VH.xlsx\n")
    assert load_roster(path, sheet_folder=folder)[0].sheet == "xa/VH.xlsx"


def test_nul_bytes_and_over_long_cells_are_errors(tmp_path: Path) -> None:
    long_name = "x" * 1_001
    path = write_csv(
        tmp_path, f"code,name,type\nVH,Vĩnh\x00Hưng,xa\nHH,{long_name},xa\nAB,An Bình,xa,\x00\n"
    )
    error = roster_error(path)
    assert "dòng 2, cột name (B): có ký tự NUL" in error.problems[0]
    assert "dòng 3, cột name (B): dài 1.001 ký tự, quá giới hạn 1.000" in error.problems[1]
    assert "dòng 4, cột D: có ký tự NUL" in error.problems[2]


def test_a_field_over_the_csv_modules_limit_is_a_roster_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'code,name,type\nVH,"' + "x" * 200_000 + '",xa\n')
    message = str(roster_error(path))
    assert "dòng 2" in message and "tối đa 1.000 ký tự" in message
    assert english_words(message) == [] and "limit" not in message, message
    unclosed = write_csv(tmp_path, 'code,name,type\nVH,"' + "x" * 200_000 + "\n")
    assert "dấu ngoặc kép" in str(roster_error(unclosed))
