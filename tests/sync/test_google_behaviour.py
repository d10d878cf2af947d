"""The real template on the fake behaving as Google does: what a unit types reaches the parser
as Google stores it (serial dates with a DATE format, en_US numbers, dropped named ranges)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import gspread

from sheets_schema import Code, ParseContext, ParsedReport, Schema, Severity, parse_report
from sync.base import Pulled, SheetRef, Version
from sync.google import GoogleSource
from tests.fake_google import FakeGoogle
from tests.helpers import TODAY, typed_workbook, valid_values

MAKE = Callable[..., gspread.Client]


def read(fake: FakeGoogle, client: gspread.Client, schema: Schema, key: str) -> ParsedReport:
    src = GoogleSource(client)
    ref = SheetRef("XA_VINH_HUNG", key)
    version = src.versions([ref])["XA_VINH_HUNG"]
    assert isinstance(version, Version), version
    pulled = src.pull(ref, version)
    assert isinstance(pulled, Pulled), pulled
    return parse_report(schema, pulled.raw, ParseContext("XA_VINH_HUNG", "xa", TODAY))


def unit_sheet(fake: FakeGoogle, schema: Schema) -> str:
    return fake.add_spreadsheet(typed_workbook(schema, valid_values(schema)), title="XA")


def codes(report: ParsedReport) -> dict[str, tuple[Code, Severity]]:
    return {f.field: (f.code, f.severity) for f in report.findings}


def test_valid_sheet_in_vietnam_locale_has_no_findings(fake, make_client: MAKE, schema) -> None:
    report = read(fake, make_client(), schema, unit_sheet(fake, schema))
    assert report.findings == []


def test_a_date_typed_into_a_number_field_is_an_error(fake, make_client: MAKE, schema) -> None:
    key = unit_sheet(fake, schema)
    fake.edit(key, "tt_so_dang_vien", date(2023, 3, 5))  # Sheets makes it 44990, format DATE
    report = read(fake, make_client(), schema, key)
    (finding,) = [f for f in report.findings if f.field == "tt_so_dang_vien"]
    assert (finding.code, finding.severity) == (Code.NOT_A_NUMBER, Severity.ERROR)
    assert "ngày tháng" in finding.message
    assert report.values["tt_so_dang_vien"] is None and not report.submitted


def test_en_us_locale_warns_and_its_fractions_are_integer_errors(fake, make_client, schema):
    key = unit_sheet(fake, schema)
    fake.book(key).locale, fake.book(key).time_zone = "en_US", "America/Los_Angeles"
    fake.edit(key, "tt_so_dang_vien", 1.234)  # "1.234" typed in en_US: one point two three
    report = read(fake, make_client(), schema, key)
    found = codes(report)
    assert found["tt_so_dang_vien"] == (Code.NOT_INTEGER, Severity.ERROR)
    (locale,) = [f for f in report.findings if f.code is Code.SHEET_LOCALE]
    assert locale.severity is Severity.WARNING and locale.value == "en_US"
    assert "Tệp → Cài đặt" in locale.message and "Việt Nam" in locale.message


def test_a_deleted_tab_loses_its_names_and_says_restore(fake, make_client: MAKE, schema) -> None:
    key = unit_sheet(fake, schema)
    client = make_client()
    tab = "Kiểm tra giám sát"
    sheet_id = client.open_by_key(key).worksheet(tab).id
    client.http_client.batch_update(key, {"requests": [{"deleteSheet": {"sheetId": sheet_id}}]})
    report = read(fake, client, schema, key)
    assert any(f.code is Code.MISSING_TAB and f.tab == tab for f in report.findings)
    lost = [f for f in report.findings if f.code is Code.MISSING_NAME]
    assert {f.field for f in lost} == {f.id for f in schema.fields if f.tab == tab}
    assert all("Lịch sử phiên bản" in f.message and "đã bị xóa" in f.message for f in lost)
    assert not [f for f in report.findings if f.code is Code.BROKEN_NAME]  # Google: no #REF!


def test_a_name_lost_while_its_tab_stays_says_restore(fake, make_client: MAKE, schema) -> None:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(typed_workbook(schema, valid_values(schema))))
    wb.defined_names["tt_so_dang_vien"].attr_text = "#REF!"  # its cells were deleted
    out = io.BytesIO()
    wb.save(out)
    key = fake.add_spreadsheet(out.getvalue())
    report = read(fake, make_client(), schema, key)
    (lost,) = [f for f in report.findings if f.field == "tt_so_dang_vien"]
    assert lost.code is Code.MISSING_NAME and lost.tab == schema.field("tt_so_dang_vien").tab
    assert "Lịch sử phiên bản" in lost.message and "Khôi phục" in lost.message
