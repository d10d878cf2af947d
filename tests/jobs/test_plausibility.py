"""A dot/comma slip (18.900 read as 18,9 on an English-locale PC) is a warning that names it:
against the unit's own target (in the parser, so `tonghop check` says it too) and against the
units of the same type (in the job, over every unit)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from jobs.plausibility import add_plausibility
from sheets_schema import Code, Schema, Severity, load_schema
from tests.helpers import parse_values, valid_values
from tests.jobs.district import District

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def _slips(report: object) -> list:
    return [f for f in report.findings if f.code is Code.IMPLAUSIBLE_SCALE]  # type: ignore[attr-defined]


def test_a_result_a_thousand_times_below_its_target_is_a_warning(schema: Schema) -> None:
    values = valid_values(schema)
    values["ct_thu_ngan_sach_nq"] = 18_000
    values["ct_thu_ngan_sach_kq"] = 18.9  # "18.900" typed on an English-locale PC
    values["ct_thu_ngan_sach_ghi_chu"] = "Chưa đạt do nguồn thu giảm."  # "Chưa đạt" needs one
    report = parse_values(schema, values)
    (slip,) = _slips(report)
    assert slip.severity is Severity.WARNING and slip.field == "ct_thu_ngan_sach_kq"
    assert slip.cell and slip.tab
    assert "Thu ngân sách nhà nước trên địa bàn" in slip.message
    assert "“18.900”" in slip.message and "dấu chấm" in slip.message
    # A warning: the report is still accepted.
    assert report.errors == 0


def test_a_result_a_thousand_times_above_its_target_names_the_comma(schema: Schema) -> None:
    values = valid_values(schema)
    values["ct_thu_ngan_sach_nq"] = 12.5
    values["ct_thu_ngan_sach_kq"] = 12_925  # "12,925" read as twelve thousand
    (slip,) = _slips(parse_values(schema, values))
    assert "“12,925”" in slip.message and "dấu phẩy" in slip.message


def test_results_of_the_same_scale_say_nothing(schema: Schema) -> None:
    values = valid_values(schema)
    values["ct_thu_ngan_sach_nq"] = 18_000
    values["ct_thu_ngan_sach_kq"] = 1_900  # 9.5 times below: poor, not a slip
    assert _slips(parse_values(schema, values)) == []


def test_a_result_far_from_units_of_its_type_is_a_warning_in_the_sync(
    schema: Schema, tmp_path: Path
) -> None:
    """The target was typed with the same slip, so only the other communes show it."""
    district = District(tmp_path, schema)
    at = datetime(2023, 3, 20, 9, 0, tzinfo=TZ)
    for code in ("XA_A", "XA_B", "XA_C", "XA_D"):
        district.add(code)
    for code, result in (("XA_A", 18_900), ("XA_B", 21_000), ("XA_C", 17_500)):
        district.save(code, district.values(code, ct_thu_ngan_sach_nq=18_000,
                                            ct_thu_ngan_sach_kq=result), at)  # fmt: skip
    district.save("XA_D", district.values("XA_D", ct_thu_ngan_sach_nq=18.0,
                                          ct_thu_ngan_sach_kq=18.9), at)  # fmt: skip
    result = district.sync(datetime(2023, 3, 25, 9, 0, tzinfo=TZ))
    by_code = {o.unit.code: o for o in result.outcomes}
    (slip,) = _slips(by_code["XA_D"].report)
    assert "cùng loại hình (18.200)" in slip.message and "“18.900”" in slip.message
    assert all(_slips(by_code[c].report) == [] for c in ("XA_A", "XA_B", "XA_C"))
    # In the outputs a clerk and the unit read.
    with (tmp_path / "out" / "findings.csv").open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"] == "implausible-scale"]
    assert [(r["unit_code"], r["severity"], r["field"]) for r in rows] == [
        ("XA_D", "warning", "ct_thu_ngan_sach_kq")
    ]
    # Idempotent: running it again over the same outcomes adds nothing.
    add_plausibility(schema, result.outcomes)
    assert len(_slips(by_code["XA_D"].report)) == 1
