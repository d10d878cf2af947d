"""A percent typed in Google is read right whether Google keeps a cell's format or switches it.

Google's choice is undocumented: typing "95%" into a cell whose number format is explicit may
store 0.95 under that format ("keep") or switch the cell to a percent format ("switch"). The
fake models both; a provisioned sheet's percent cells carry a percent format, so "95%" reads 95 either
way (provisioning gives them one), and a cell without one that holds 0.95 (a sheet the unit
uploaded itself, with the .xlsx template's "0.00") gets a warning naming the likely slip.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import gspread
import pytest

from sheets_schema import FieldType, ParseContext, Schema, UnitInfo, parse_report, render_template
from sheets_schema.findings import Severity
from sync.base import SheetRef
from sync.google import GoogleSource, report_from_spreadsheet, spreadsheet_key
from sync.google_admin import provision
from tests.fake_google import FakeGoogle

from .conftest import SA_EMAIL

MAKE = Callable[..., gspread.Client]
UNIT = UnitInfo("XA_A", "Đảng bộ xã A", "xa")
SLIP = "có thể đã nhập 0,95 thay vì 95%"


def _sheet(fake: FakeGoogle, client: gspread.Client, schema: Schema, mode: str, *,
           plain_format: bool = False) -> str:  # fmt: skip
    """A unit's sheet: made by `provision`, or (``plain_format``) uploaded by the unit itself
    from the .xlsx, whose percent cells keep the template's "0.00"."""
    data = render_template(schema, UNIT)
    fake.percent_entry = mode
    if plain_format:
        key = fake.add_spreadsheet(data, title="Xã A")
        fake.book(key).percent_entry = mode
        return key
    fake.add_shared_drive_folder("thu-muc")
    percent = [f.id for f in schema.fields if f.type is FieldType.PERCENT]
    urls = provision(client, [SheetRef("XA_A", "")], lambda code: data, lambda code: None,
                     "thu-muc", SA_EMAIL, required_names=schema.names,
                     percent_names=percent)  # fmt: skip
    return spreadsheet_key(urls["XA_A"]) or ""


def _typed(client: gspread.Client, key: str, text: str, schema: Schema) -> tuple[object, list[str]]:
    """Type ``text`` as a unit would (USER_ENTERED, vi_VN), read it back the way sync does."""
    client.open_by_key(key).values_update(
        "ct_bhyt_nq", params={"valueInputOption": "USER_ENTERED"}, body={"values": [[text]]}
    )
    raw = report_from_spreadsheet(GoogleSource(client).fetch(key))
    report = parse_report(schema, raw, ParseContext("XA_A", "xa", date(2023, 3, 20)))
    found = [f for f in report.findings if f.field == "ct_bhyt_nq"]
    assert all(f.severity is Severity.WARNING for f in found)  # never blocks the report
    return report.values.get("ct_bhyt_nq"), [f.message for f in found]


@pytest.mark.parametrize("mode", ["switch", "keep"])
def test_95_percent_typed_in_the_template_reads_95(fake: FakeGoogle, make_client: MAKE,
                                                  schema: Schema, mode: str) -> None:  # fmt: skip
    client = make_client()
    key = _sheet(fake, client, schema, mode)
    value, notes = _typed(client, key, "95%", schema)
    assert value == 95 and notes == []
    value, notes = _typed(make_client(), key, "97,18%", schema)  # vi_VN decimal comma
    assert value == pytest.approx(97.18) and notes == []


def test_a_cell_that_keeps_a_plain_format_gets_the_slip_named(
    fake: FakeGoogle, make_client: MAKE, schema: Schema
) -> None:
    key = _sheet(fake, make_client(), schema, "keep", plain_format=True)
    value, notes = _typed(make_client(), key, "95%", schema)
    assert value == pytest.approx(0.95)  # what Google stored, never silently 95 nor dropped
    assert len(notes) == 1 and SLIP in notes[0]
    # The same cell where Google switches the format: read right, nothing to say.
    key = _sheet(fake, make_client(), schema, "switch", plain_format=True)
    assert _typed(make_client(), key, "95%", schema) == (95, [])


def test_0_95_typed_without_a_percent_format_is_a_warning(
    fake: FakeGoogle, make_client: MAKE, schema: Schema
) -> None:
    key = _sheet(fake, make_client(), schema, "keep", plain_format=True)
    value, notes = _typed(make_client(), key, "0,95", schema)
    assert value == pytest.approx(0.95) and len(notes) == 1 and SLIP in notes[0]
