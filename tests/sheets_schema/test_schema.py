"""The schema file: complete against the spec, checked when loaded, extensible by data alone."""

from __future__ import annotations

import io
import re
from importlib import resources

import openpyxl
import pytest

from sheets_schema import (
    Code,
    ParseContext,
    Schema,
    SchemaError,
    load_schema,
    parse_report,
    parse_schema,
)
from sync.excel import read_xlsx
from tests.helpers import TODAY, typed_workbook, valid_values
from tests.jobs.test_language import english_words
from tests.test_schema_ids import RATES, spec_ids


def test_builtin_schema_declares_exactly_the_spec(schema: Schema) -> None:
    assert set(schema.names) == spec_ids()
    assert [t.title for t in schema.tabs] == [
        "Thông tin",
        "Chỉ tiêu",
        "Kiểm điểm",
        "Kiểm tra giám sát",
        "Hạn chế - Giải pháp",
    ]
    assert schema.indicators[5].key == "ho_ngheo" and schema.indicators[5].better == "lower"
    assert {i.key for i in schema.indicators if i.rollup == "ratio"} == set(RATES)
    assert schema.field("tt_email").required is False


BASE = resources.files("sheets_schema").joinpath("midterm_2020_2025.toml").read_text("utf-8")


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            lambda t: t.replace('id = "tt_chuc_vu"', 'id = "tt_nguoi_bao_cao"'),
            "id 'tt_nguoi_bao_cao' bị trùng",
        ),
        (lambda t: t.replace('id = "tt_chuc_vu"', 'id = "kt1"'), "phải viết chữ thường không dấu"),
        (
            lambda t: t.replace('id = "tt_chuc_vu"', 'id = "ab_12"'),
            "có thể bị đọc nhầm thành địa chỉ ô",
        ),
        (
            lambda t: t.replace(
                'label = "Chức vụ"\n  type = "text"', 'label = "Chức vụ"\n  type = "txt"'
            ),
            "type 'txt' không hợp lệ",
        ),
        (
            lambda t: t.replace('right = "ks_to_cao_nhan"', 'right = "ks_to_cao_nhận"'),
            "ghi trường 'ks_to_cao_nhận' chưa được khai",
        ),
        (
            lambda t: t.replace('choices = "loai_hinh"', 'choices = "loai_hinh_x"'),
            "chưa khai trong [choices]",
        ),
        (
            lambda t: t.replace('  prefill = "unit_name"', '  prefil = "unit_name"'),
            "khóa 'prefil' không hợp lệ",
        ),
        (lambda t: t.replace('applies_to = ["xa"]', 'applies_to = ["xaa"]'), "đang ghi ['xaa']"),
        (
            lambda t: (
                t + "\n[[rule]]\nleft = 'ks_kt_to_chuc'\nop = '=>'\nright = 'ks_kt_dang_vien'\n"
            ),
            "op '=>' không hợp lệ",
        ),
        (
            lambda t: t.replace("id = ", "id == ", 1),
            "không phải TOML hợp lệ: dòng 12, cột 5: id == ",
        ),
        # District figures: a mean is no longer one; each roll-up declares what it needs.
        (
            lambda t: t.replace('rollup = "entered"', 'rollup = "mean"'),
            "rollup 'mean' không còn là số liệu toàn huyện",
        ),
        (lambda t: t.replace('weight = "tt_dan_so"', ""), "thiếu khóa bắt buộc 'weight'"),
        (
            lambda t: t.replace('weight = "tt_dan_so"', 'weight = "tt_chuc_vu"'),
            "phải là một trường kiểu số",
        ),
        (lambda t: t.replace("threshold = 19", ""), "thiếu khóa bắt buộc 'threshold'"),
        (
            lambda t: t.replace('rollup = "entered"', 'rollup = "entered"\n  threshold = 3'),
            "'threshold' chỉ dùng với rollup 'count'",
        ),
        (
            lambda t: t.replace('  reference = "mean"', '  reference = "median"', 1),
            "reference 'median' không hợp lệ",
        ),
        (
            lambda t: t.replace("required = false\n  since", "required = true\n  since"),
            "phải là trường không bắt buộc",
        ),
        # A value of the wrong kind names the key, the kind wanted and the value found.
        (
            lambda t: t.replace("min_chars = 50", 'min_chars = "abc"'),
            "[narrative]: khóa 'min_chars' phải là số nguyên, không phải \"abc\"",
        ),
        (
            lambda t: t.replace("required = false\n  since", 'required = "false"\n  since'),
            "trường 'tt_dan_so': khóa 'required' phải là true hoặc false, không có ngoặc kép",
        ),
        (
            lambda t: t.replace("width = 40", 'width = "40"', 1),
            "cột 'han_che': khóa 'width' phải là một số, không phải \"40\"",
        ),
        (
            lambda t: t.replace('applies_to = ["xa"]', 'applies_to = "xa"'),
            "khóa 'applies_to' phải là danh sách các chuỗi ký tự",
        ),
        (
            lambda t: t[: t.index("[[tab]]")].replace(
                "\n[unit_types]", '\ntab = "x"\n[unit_types]'
            ),
            "khóa 'tab' phải là danh sách các bảng, mỗi bảng mở đầu bằng [[tab]], không phải \"x\"",
        ),
        (
            lambda t: t.replace("max_rows = 30", "max_rows = 0"),
            "'max_rows' phải là số nguyên dương",
        ),
        # Duplicates: tab ids, tab titles (Excel ignores case), column ids, rule ids.
        (
            lambda t: t.replace('id = "chi_tieu"', 'id = "thong_tin"'),
            "id trang 'thong_tin' bị trùng",
        ),
        (lambda t: t.replace('title = "Chỉ tiêu"', 'title = "THÔNG TIN"'), "tên trang bị trùng"),
        (lambda t: t.replace('id = "nguyen_nhan"', 'id = "han_che"'), "id cột 'han_che' bị trùng"),
        (
            lambda t: t.replace('id = "kl_le_so_dang_vien"', 'id = "co_vi_pham_le_ktdh"'),
            "id 'co_vi_pham_le_ktdh' bị trùng",
        ),
        # What one layout reads is not silently ignored on another; ranges are in order.
        (
            lambda t: t.replace(
                'heading = "BÁO CÁO KIỂM ĐIỂM CỦA BAN CHẤP HÀNH"',
                'heading = "BÁO CÁO KIỂM ĐIỂM CỦA BAN CHẤP HÀNH"\nrollup = "sum"',
            ),
            "trang 'Kiểm điểm': khóa 'rollup' không dùng cho trang có layout 'narrative'",
        ),
        (
            lambda t: t.replace("narrative = true", "narrative = false", 1),
            "chỉ gồm trường type 'text' có narrative = true",
        ),
        (
            lambda t: t.replace("min = 0\n  max = 100", "min = 101\n  max = 100", 1),
            "chỉ tiêu 'ho_ngheo': 'min' (101) lớn hơn 'max' (100)",
        ),
        (
            lambda t: t.replace("min_complete_rows = 1", "min_complete_rows = 31"),
            "'min_complete_rows' (31) lớn hơn 'max_rows' (30)",
        ),
        # A field's version is one the schema knows; its date bounds are in order.
        (
            lambda t: t.replace('since = "2023.3"', 'since = "2024.1"'),
            "trường 'tt_dan_so': since = '2024.1' không phải phiên bản của mẫu này",
        ),
        (
            lambda t: t.replace(
                'min_date = "term_start"\n  max_date = "run_date"',
                "min_date = 2024-01-01\n  max_date = 2023-01-01",
            ),
            "trường 'tt_ngay_bao_cao': min_date (01/01/2024) sau max_date (01/01/2023)",
        ),
    ],
)
def test_broken_schema_names_file_and_entry(edit, words) -> None:  # type: ignore[no-untyped-def]
    text = edit(BASE)
    assert text != BASE
    with pytest.raises(SchemaError) as info:
        parse_schema(text, source="my-schema.toml")
    assert str(info.value).startswith("my-schema.toml: ")
    assert words in str(info.value)


def test_missing_schema_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SchemaError, match="không có tệp mẫu"):
        load_schema(tmp_path / "nope.toml")


# The words the schema's messages were written in, beyond english_words' common ones.
SCHEMA_ENGLISH = set(
    """unknown allowed key tab indicator field column rule line duplicate must missing declared
    level document needs belongs under given operator names valid""".split()
)


@pytest.mark.parametrize(
    "text",
    [
        BASE.replace('rollup = "sum"', 'rollup = "summ"', 1),
        BASE.replace("[[tab]]", "[[tab]]\nbogus = 1", 1),
        BASE.replace('  prefill = "unit_name"', "  điền sẵn = 1", 1),
        BASE.replace('\nop = "', '\nop = "=>', 1),
        BASE.replace('  prefill = "unit_name"', '  prefill = "unit_nam"', 1),
        BASE + "\n[[tab]]\nbogus = [1, 2\n",
        BASE.replace("term_start = ", 'term_start = "1/10/2020" #', 1),
        BASE.replace("min_chars = 50", 'min_chars = "năm mươi"', 1),
        BASE.replace("required = false\n  since", 'required = "false"\n  since', 1),
        BASE.replace('id = "chi_tieu"', 'id = "thong_tin"', 1),
    ],
)
def test_broken_schema_messages_are_vietnamese(text: str) -> None:
    """What the office's IT person reads: keys, ids and allowed values stay as written, quoted
    or listed after "được dùng:"; every word around them is Vietnamese."""
    assert text != BASE
    with pytest.raises(SchemaError) as info:
        parse_schema(text, source="my-schema.toml")
    message = str(info.value)
    prose = re.sub(r"'[^']*'|\(được dùng: [^)]*\)", " ", message)
    assert english_words(prose) == [], message
    assert [w for w in re.findall("[A-Za-z]+", prose) if w.lower() in SCHEMA_ENGLISH] == [], message
    assert re.search("[ảạắằẳẵặấầẩẫậđẻẽẹếềểễệỉĩịỏọốồổỗộớờởỡợủụứừửữựỳỷỹỵ]", prose), message


EXTRA = """
  [[tab.indicator]]
  key = "ty_le_che_phu"
  label = "Tỷ lệ che phủ cây xanh"
  unit = "%"
  group = "Môi trường"
  type = "percent"
  min = 0
  max = 100
  better = "higher"
  numerator = "Diện tích cây xanh"
  denominator = "Diện tích tự nhiên"
  applies_to = ["all"]
  rollup = "ratio"
"""
EXTRA_ROW = """
  [[tab.field]]
  id = "ks_gs_tai_chinh"
  label = "Giám sát tài chính đảng"
  type = "integer"
  min = 0
"""


def test_adding_an_indicator_and_a_row_is_a_data_edit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = BASE.replace(
        "# ---------------------------------------------------------------- Kiểm điểm",
        EXTRA + "\n# Kiểm điểm",
        1,
    )
    text = text.replace(
        "# ---------------------------------------------------------------- Hạn chế - Giải pháp",
        EXTRA_ROW + "\n# HC",
        1,
    )
    path = tmp_path / "extended.toml"
    path.write_text(text, "utf-8")
    schema = load_schema(path)
    assert {"ct_ty_le_che_phu_tu_so", "ks_gs_tai_chinh"} <= set(schema.names)
    values = valid_values(schema)
    values.update(ct_ty_le_che_phu_nq=40, ct_ty_le_che_phu_kq=50, ct_ty_le_che_phu_tu_so=50,
                  ct_ty_le_che_phu_mau_so=100, ct_ty_le_che_phu_du_bao="Vượt", ks_gs_tai_chinh=2)  # fmt: skip
    data = typed_workbook(schema, values)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert "ct_ty_le_che_phu_mau_so" in wb.defined_names and "ks_gs_tai_chinh" in wb.defined_names
    report = parse_report(schema, read_xlsx(data), ParseContext("XA_VINH_HUNG", "xa", TODAY))
    assert report.findings == [] and report.completeness == 1.0
    assert report.indicators["ty_le_che_phu"].assessment == "Vượt"
    assert report.values["ks_gs_tai_chinh"] == 2
    # ...and the new indicator is validated like the others.
    values["ct_ty_le_che_phu_tu_so"] = 150
    report = parse_report(
        schema, read_xlsx(typed_workbook(schema, values)), ParseContext("XA_VINH_HUNG", "xa", TODAY)
    )
    assert [f.code for f in report.findings] == [Code.RATE_NUMERATOR_EXCEEDS]
