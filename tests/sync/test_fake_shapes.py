"""The fake's answers, checked against Google's own discovery documents.

google-api-python-client ships the Sheets v4 and Drive v3 discovery documents; every key the
fake returns must be a property those schemas declare, with a compatible JSON type (int64
travels as a string), recursively through $ref. Enums are checked too.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import googleapiclient
import pytest
import requests

from tests.fake_google import FakeGoogle

from .workbooks import unit_workbook

DOCS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


def load(name: str) -> dict[str, Any]:
    return json.loads((DOCS / name).read_text(encoding="utf-8"))["schemas"]  # type: ignore[no-any-return]


SHEETS = load("sheets.v4.json")
DRIVE = load("drive.v3.json")


def violations(value: Any, schema: dict[str, Any], schemas: dict[str, Any], path: str) -> list[str]:
    if "$ref" in schema:
        return violations(value, schemas[schema["$ref"]], schemas, path)
    kind = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} not in enum"]
    if kind == "object" or (kind is None and "properties" in schema):
        if not isinstance(value, dict):
            return [f"{path}: expected object, got {type(value).__name__}"]
        out = []
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                out += violations(item, props[key], schemas, f"{path}.{key}")
            elif extra is not None:
                out += violations(item, extra, schemas, f"{path}.{key}")
            else:
                out.append(f"{path}.{key}: not declared")
        return out
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: expected array"]
        return [
            v
            for i, item in enumerate(value)
            for v in violations(item, schema.get("items", {}), schemas, f"{path}[{i}]")
        ]
    expected = {
        "string": (str,),
        "integer": (int,),
        "number": (int, float),
        "boolean": (bool,),
    }.get(kind or "")
    if expected is None:
        return []  # "any"
    if isinstance(value, bool) and kind != "boolean":
        return [f"{path}: boolean where {kind} is declared"]
    if not isinstance(value, expected):
        return [f"{path}: {type(value).__name__} where {kind} is declared"]
    return []


def check(body: Any, name: str, schemas: dict[str, Any]) -> None:
    assert violations(body, {"$ref": name}, schemas, name) == []


@pytest.fixture
def key(fake: FakeGoogle) -> str:
    key = fake.add_spreadsheet(unit_workbook(error_cell="#DIV/0!"), title="Hình dạng")
    fake.edit(key, "'Hướng dẫn'!B2", date(2023, 3, 1))
    return key


def call(fake: FakeGoogle, method: str, path: str, **kwargs: Any) -> Any:
    response = requests.request(method, fake.url + path, timeout=5, **kwargs)
    assert response.ok, response.text
    return response.json()


def test_spreadsheet_with_and_without_grid(fake: FakeGoogle, key: str) -> None:
    body = call(
        fake,
        "POST",
        f"/v4/spreadsheets/{key}:batchUpdate",
        json={
            "requests": [
                {
                    "mergeCells": {
                        "range": {
                            "sheetId": 0,
                            "startRowIndex": 0,
                            "endRowIndex": 1,
                            "startColumnIndex": 0,
                            "endColumnIndex": 3,
                        },
                        "mergeType": "MERGE_ALL",
                    }
                },
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": 0, "startRowIndex": 2, "endRowIndex": 4},
                            "description": "Ô điền sẵn",
                            "warningOnly": True,
                        }
                    }
                },
                {
                    "addConditionalFormatRule": {
                        "index": 0,
                        "rule": {
                            "ranges": [{"sheetId": 0, "startRowIndex": 2, "endRowIndex": 9}],
                            "booleanRule": {
                                "condition": {"type": "BLANK"},
                                "format": {
                                    "backgroundColor": {"red": 1, "green": 0.9, "blue": 0.6}
                                },
                            },
                        },
                    }
                },
            ]
        },
    )
    check(body, "BatchUpdateSpreadsheetResponse", SHEETS)
    for query in (
        {"includeGridData": "false"},
        {"includeGridData": "true"},
        {"includeGridData": "true", "ranges": ["tt_ma_don_vi", "'Chỉ tiêu'!A1:D5"]},
    ):
        body = call(fake, "GET", f"/v4/spreadsheets/{key}", params=query)
        check(body, "Spreadsheet", SHEETS)
    sheets = body["sheets"]
    assert [s["properties"]["title"] for s in sheets] == ["Thông tin", "Chỉ tiêu"]
    cells = sheets[1]["data"][0]["rowData"][2]["values"]
    assert cells[2]["effectiveFormat"]["numberFormat"]["type"] == "PERCENT"
    assert cells[3]["effectiveValue"]["errorValue"]["type"] == "DIVIDE_BY_ZERO"


def test_masked_spreadsheet_is_a_subset(fake: FakeGoogle, key: str) -> None:
    mask = "properties(title,locale),sheets(properties(title),data/rowData/values/effectiveValue)"
    body = call(fake, "GET", f"/v4/spreadsheets/{key}", params={"fields": mask})
    check(body, "Spreadsheet", SHEETS)
    assert set(body) == {"properties", "sheets"}
    assert set(body["properties"]) == {"title", "locale"}
    assert set(body["sheets"][0]) == {"properties", "data"}
    assert set(body["sheets"][0]["data"][0]) == {"rowData"}


def test_values_endpoints(fake: FakeGoogle, key: str) -> None:
    base = f"/v4/spreadsheets/{key}"
    body = call(
        fake,
        "GET",
        f"{base}/values:batchGet",
        params={
            "ranges": ["tt_ma_don_vi", "hc_bang", "'Thông tin'!A1:C9", "Chỉ tiêu"],
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
        },
    )
    check(body, "BatchGetValuesResponse", SHEETS)
    assert body["valueRanges"][0] == {
        "range": "'Thông tin'!B3",
        "majorDimension": "ROWS",
        "values": [["XA_VINH_HUNG"]],
    }
    body = call(fake, "GET", f"{base}/values/tt_ngay_bao_cao")
    check(body, "ValueRange", SHEETS)
    assert body["values"] == [["15/03/2023"]]  # FORMATTED_VALUE in the vi_VN locale
    body = call(
        fake,
        "PUT",
        f"{base}/values/'Hướng dẫn'!A5",
        params={"valueInputOption": "USER_ENTERED"},
        json={"values": [["12,5", "=1+1"]]},
    )
    check(body, "UpdateValuesResponse", SHEETS)
    body = call(
        fake,
        "POST",
        f"{base}/values:batchUpdate",
        json={
            "valueInputOption": "RAW",
            "data": [{"range": "'Hướng dẫn'!A6", "values": [[1, None]]}],
        },
    )
    check(body, "BatchUpdateValuesResponse", SHEETS)
    body = call(fake, "POST", f"{base}/values/'Hướng dẫn'!A5:B6:clear")
    check(body, "ClearValuesResponse", SHEETS)
    body = call(fake, "POST", f"{base}/values:batchClear", json={"ranges": ["'Hướng dẫn'!A7"]})
    check(body, "BatchClearValuesResponse", SHEETS)


def test_drive_file_filelist_permissions_about(fake: FakeGoogle, key: str) -> None:
    fake.add_spreadsheet(unit_workbook(), native=False)
    body = call(fake, "GET", f"/drive/v3/files/{key}", params={"fields": "*"})
    check(body, "File", DRIVE)
    assert body["version"].isdigit() and body["modifiedTime"].endswith("Z")
    for fields in ("*", "nextPageToken,files(id,name,mimeType,modifiedTime,version,trashed)"):
        body = call(fake, "GET", "/drive/v3/files", params={"fields": fields, "pageSize": 1})
        check(body, "FileList", DRIVE)
    assert body["nextPageToken"] and len(body["files"]) == 1
    body = call(
        fake,
        "POST",
        f"/drive/v3/files/{key}/permissions",
        json={"type": "user", "role": "writer", "emailAddress": "a@example.vn"},
    )
    check(body, "Permission", DRIVE)
    body = call(fake, "GET", f"/drive/v3/files/{key}/permissions", params={"fields": "*"})
    check(body, "PermissionList", DRIVE)
    body = call(fake, "GET", "/drive/v3/about", params={"fields": "user"})
    check(body, "About", DRIVE)


def test_errors_have_googles_shape(fake: FakeGoogle, key: str) -> None:
    response = requests.get(f"{fake.url}/v4/spreadsheets/nope", timeout=5)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error == {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }
    response = requests.get(f"{fake.url}/drive/v3/files/nope", timeout=5)
    error = response.json()["error"]
    assert error["code"] == 404 and error["errors"][0]["reason"] == "notFound"
    fake.set_fault(key, "403_disabled", times=1, api="sheets")
    error = requests.get(f"{fake.url}/v4/spreadsheets/{key}", timeout=5).json()["error"]
    assert error["status"] == "PERMISSION_DENIED"
    assert error["details"][0]["reason"] == "SERVICE_DISABLED"
    response = requests.post(
        f"{fake.url}/v4/spreadsheets/{key}:batchUpdate",
        json={"requests": [{"frobnicate": {}}]},
        timeout=5,
    )
    assert response.status_code == 400 and "frobnicate" in response.json()["error"]["message"]
    xlsx = fake.add_spreadsheet(unit_workbook(), native=False)
    error = requests.get(f"{fake.url}/v4/spreadsheets/{xlsx}", timeout=5).json()["error"]
    assert (error["code"], error["status"]) == (400, "FAILED_PRECONDITION")
