"""The template's red cells and validations survive provisioning, checked by a read-back.

The fake's conversion drops what Google documents it drops (tests/fake_google/convert.py);
provisioning reads the new sheet back, re-adds what was lost, and the sheet then holds every
rule of the template. Protection the conversion may add is replaced by the warning-only guard.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import gspread
import openpyxl
import pytest

from sheets_schema import Schema, UnitInfo, render_template
from sync.base import SheetRef
from sync.google import spreadsheet_key
from sync.google_admin import ProvisionError, provision
from sync.google_rules import compare, read_back, template_rules
from tests.fake_google import FakeGoogle

from .conftest import SA_EMAIL

MAKE = Callable[..., gspread.Client]
FOLDER = "thu-muc-so-ket"
UNIT = UnitInfo("XA_A", "Đảng bộ xã A", "xa")


def _provision(client: gspread.Client, schema: Schema, **kw: Any) -> tuple[str, list[str]]:
    warnings: list[str] = []
    urls = provision(
        client, [SheetRef("XA_A", "")], lambda code: render_template(schema, UNIT),
        lambda code: "xa-a@example.vn", kw.pop("folder_id", FOLDER), SA_EMAIL,
        required_names=schema.names, on_warning=lambda code, text: warnings.append(text), **kw,
    )  # fmt: skip
    return spreadsheet_key(urls["XA_A"]) or "", warnings


def test_every_red_cell_and_validation_is_in_the_sheet_after_provision(
    fake: FakeGoogle, make_client: MAKE, schema: Schema
) -> None:
    fake.add_shared_drive_folder(FOLDER)
    client = make_client()
    key, warnings = _provision(client, schema)
    assert warnings == []
    book = fake.book(key)
    dropped = {feature for feature, _sheet, _where in book.dropped}
    # What Google has no equivalent for was lost in the conversion …
    assert {"length", "whole", "input_only", "date_today"} <= dropped
    # … and the red cells reaching other tabs through INDIRECT were kept by it.
    assert not {"red_indirect", "red_same_tab"} & dropped
    # Read back as Google answers: every rule of the template is there now.
    xlsx = render_template(schema, UNIT)
    check = compare(template_rules(xlsx), read_back(client.http_client, key))
    assert check.lost == () and len(check.kept) == len(template_rules(xlsx))
    # Independently of our comparison: every conditional format and every validated cell of
    # the .xlsx has its counterpart in the fake's sheet.
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    for ws in wb.worksheets:
        meta = book.sheet_by_title(ws.title)
        assert meta is not None
        rules = sum(len(cf.rules) for cf in ws.conditional_formatting)
        assert len(book.conditional.get(meta.sheet_id, [])) == rules, ws.title
        cells = book.validations.get(meta.sheet_id, {})
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for row in range(rng.min_row, rng.max_row + 1):
                    for col in range(rng.min_col, rng.max_col + 1):
                        rule = cells.get((row - 1, col - 1))
                        assert rule is not None, (ws.title, row, col)
                        assert rule.get("strict") is not True  # a warning, never a block
    # A text-length rule became a custom formula with the prompt as its help text.
    info = book.sheet_by_title("Kiểm điểm")
    assert info is not None
    narrative = next(iter(book.validations[info.sheet_id].values()))
    assert narrative["condition"]["type"] == "CUSTOM_FORMULA"
    assert "LEN(" in narrative["condition"]["values"][0]["userEnteredValue"]
    assert narrative["inputMessage"]
    # A second run adds nothing twice.
    before = {sid: len(rules) for sid, rules in book.conditional.items()}
    _provision(client, schema)
    assert {sid: len(r) for sid, r in fake.book(key).conditional.items()} == before


def test_protection_from_the_conversion_is_replaced_by_the_warning_guard(
    fake: FakeGoogle, make_client: MAKE, schema: Schema
) -> None:
    fake.add_shared_drive_folder(FOLDER)
    fake.import_protection = True  # Google turns sheet protection into locking ranges
    key, warnings = _provision(make_client(), schema)
    assert warnings == []
    book = fake.book(key)
    assert book.protected and all(p["warningOnly"] for p in book.protected)
    requests = [r for sid in book.requests for r in book.requests[sid]]
    assert any("deleteProtectedRange" in r for r in requests)


def test_a_shared_drive_search_covers_that_drive_only(
    fake: FakeGoogle, make_client: MAKE, schema: Schema
) -> None:
    fake.add_shared_drive_folder(FOLDER, "drive-huyen-uy")
    fake.incomplete_search = True  # what allDrives may answer; one drive is searched whole
    client = make_client()
    key, _ = _provision(client, schema)
    lists = [r for r in fake.requests if r.api == "drive" and r.path.endswith("/files")
             and r.method == "GET"]  # fmt: skip
    assert lists and all(r.query.get("corpora") == ["drive"] for r in lists)
    assert all(r.query.get("driveId") == ["drive-huyen-uy"] for r in lists)
    again, _ = _provision(client, schema)  # found again in that drive: not uploaded twice
    assert again == key


def test_a_wrong_folder_id_gets_folder_advice(fake: FakeGoogle, make_client: MAKE, schema) -> None:
    with pytest.raises(ProvisionError) as info:
        _provision(make_client(), schema, folder_id="ma-thu-muc-sai")
    text = info.value.message_vi
    assert "folder_id" in text and "ma-thu-muc-sai" in text
    assert "Chia sẻ" not in text and "đã bị xóa" not in text  # not the sync-time advice


def test_a_403_on_create_gets_shared_drive_membership_advice(
    fake: FakeGoogle, make_client: MAKE, schema: Schema
) -> None:
    fake.add_shared_drive_folder(FOLDER)
    fake.set_fault("*", "403", api="drive", path_contains="/upload/", method="POST")
    with pytest.raises(ProvisionError) as info:
        _provision(make_client(), schema)
    text = info.value.message_vi
    assert "Shared Drive" in text and SA_EMAIL in text and "thành viên" in text
    assert "đơn vị" in text.lower() and "không cần làm gì" in text
