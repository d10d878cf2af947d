"""The fast (calamine) and thorough (openpyxl) .xlsx readers give the same parse."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from jobs.demo import make_demo
from jobs.demo.fill import PERCENT_FORMAT
from sheets_schema import Code, ParseContext, Schema, parse_report
from sync.excel import _calamine_safe, read_xlsx
from sync.guard import Limits, open_parts
from tests.helpers import TODAY, typed_workbook, valid_values

CTX = ParseContext(today=date(2023, 3, 25))


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("readers")
    make_demo(folder, 45, seed=11, workers=1)
    return sorted((folder / "sheets").glob("*.xlsx"))


def same_parse(schema: Schema, data: bytes, ctx: ParseContext = CTX) -> None:
    fast = parse_report(schema, read_xlsx(data), ctx)  # calamine whenever the file is safe for it
    thorough = parse_report(schema, read_xlsx(data, engine="openpyxl"), ctx)
    assert fast.values == thorough.values
    assert fast.findings == thorough.findings
    assert (fast.items_filled, fast.items_total, fast.confirmed) == (
        thorough.items_filled, thorough.items_total, thorough.confirmed)  # fmt: skip


def test_readers_agree_on_the_demo_district(schema: Schema, demo_files: list[Path]) -> None:
    assert len(demo_files) > 30
    for path in demo_files:
        same_parse(schema, path.read_bytes())
    safe = [p for p in demo_files if _calamine_safe(open_parts(p.read_bytes(), Limits()))]
    assert len(safe) > len(demo_files) * 0.8  # the fast path is the common one


def test_percent_format_and_error_cells_take_the_thorough_path(schema: Schema) -> None:
    values = valid_values(schema)
    plain = typed_workbook(schema, values)
    with_percent = typed_workbook(schema, {**values, "ct_bhyt_kq": (PERCENT_FORMAT, 0.96)})
    assert _calamine_safe(open_parts(plain, Limits()))
    assert not _calamine_safe(open_parts(with_percent, Limits()))
    report = parse_report(
        schema, read_xlsx(with_percent), ParseContext("XA_VINH_HUNG", "xa", TODAY)
    )
    assert report.values["ct_bhyt_kq"] == 96.0 and report.errors == 0

    wb = openpyxl.load_workbook(io.BytesIO(plain))
    ((sheet, ref),) = list(wb.defined_names["tt_so_chi_bo"].destinations)
    cell = wb[sheet][ref.replace("$", "")]
    cell.value = "#DIV/0!"
    cell.data_type = "e"
    out = io.BytesIO()
    wb.save(out)
    assert not _calamine_safe(open_parts(out.getvalue(), Limits()))
    report = parse_report(
        schema, read_xlsx(out.getvalue()), ParseContext("XA_VINH_HUNG", "xa", TODAY)
    )
    (hit,) = report.findings
    assert (
        hit.code is Code.FORMULA_ERROR and hit.field == "tt_so_chi_bo" and "#DIV/0!" in hit.message
    )


def test_a_formula_without_a_stored_result_is_named(schema: Schema) -> None:
    # openpyxl, like any program that is not a spreadsheet, writes formulas without results.
    wb = openpyxl.load_workbook(io.BytesIO(typed_workbook(schema, valid_values(schema))))
    ((sheet, ref),) = list(wb.defined_names["tt_so_chi_bo"].destinations)
    wb[sheet][ref.replace("$", "")] = "=SUM(C8:C9)"
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    assert not _calamine_safe(open_parts(data, Limits()))
    report = parse_report(schema, read_xlsx(data), ParseContext("XA_VINH_HUNG", "xa", TODAY))
    (hit,) = report.findings
    assert hit.code is Code.FORMULA_ERROR and hit.field == "tt_so_chi_bo"
    assert "=SUM(C8:C9)" in hit.message and "nhập" in hit.message
