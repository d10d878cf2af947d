"""The province consolidates its districts from their outputs (values.csv, status.json).

The demo province (seven synced demo districts) is built once; each test works on a copy. The
expected figures are recomputed here from the districts' files with the csv module alone, the
way a reader checking the province's numbers by hand would.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tomllib
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jobs.commands.cli import main
from jobs.province.demo import DISTRICTS, make_province_demo
from sheets_schema import Schema

AS_OF = "2023-03-25T09:00:00+07:00"
SUBMITTED = ("on_time", "late")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("province") / "demo"
    make_province_demo(folder, units=6, seed=11)
    return folder


@pytest.fixture
def province(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(built, copy, symlinks=True, copy_function=shutil.copy2)
    return copy


def _sync(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["sync", "--config", str(folder / "tinh" / "tonghop.toml"), "--as-of", AS_OF]) == 0
    return capsys.readouterr().out


def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [tuple(c.value for c in r) for r in ws.iter_rows()]


def _units(district: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(unit code → status entry, unit code → field → value) from a district's out/."""
    status = json.loads((district / "out" / "status.json").read_text("utf-8"))
    values: dict[str, dict[str, Any]] = defaultdict(dict)
    with (district / "out" / "values.csv").open(encoding="utf-8-sig", newline="") as fh:
        for code, _tab, field, row, value in list(csv.reader(fh, quoting=csv.QUOTE_NONNUMERIC))[1:]:
            if row == "":
                values[code][field] = value
    return {u["code"]: u for u in status["units"]}, values


def _half_up(value: float, places: int = 2) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def _expected(schema: Schema, units: list[tuple[dict[str, Any], dict[str, Any]]],
              entered: dict[str, float]) -> dict[str, float | None]:  # fmt: skip
    """Each indicator's figure over ``units`` (submitted ones), recomputed from their rows."""
    out: dict[str, float | None] = {}
    for ind in schema.indicators:
        rows = []
        for status, values in units:
            kq = values.get(ind.field_id("kq"))
            if (status["status"] in SUBMITTED and ind.applies(status["type"])
                    and isinstance(kq, float)):  # fmt: skip
                rows.append(values)
        kq = [v[ind.field_id("kq")] for v in rows]
        if ind.rollup == "entered":
            out[ind.key] = entered.get(ind.key)
        elif ind.rollup == "ratio":
            pairs = [(v.get(ind.field_id("tu_so")), v.get(ind.field_id("mau_so"))) for v in rows]
            pairs = [(a, b) for a, b in pairs if isinstance(a, float) and isinstance(b, float)]
            den = sum(b for _, b in pairs)
            out[ind.key] = 100 * sum(a for a, _ in pairs) / den if den else None
        elif ind.rollup == "weighted":
            pairs = [(v[ind.field_id("kq")], v.get(ind.weight)) for v in rows]
            pairs = [(a, w) for a, w in pairs if isinstance(w, float) and w > 0]
            total = sum(w for _, w in pairs)
            out[ind.key] = sum(a * w for a, w in pairs) / total if total else None
        elif ind.rollup == "count":
            out[ind.key] = float(sum(1 for x in kq if x >= (ind.threshold or 0))) if kq else None
        else:
            out[ind.key] = sum(kq) if kq else None
    return {k: None if v is None else _half_up(v) for k, v in out.items()}


def test_every_province_figure_is_recomputed_from_the_units_rows(
    province: Path, schema: Schema, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _sync(province, capsys)
    assert "7/7 huyện dùng được" in line
    config = tomllib.loads((province / "tinh" / "tonghop.toml").read_text("utf-8"))
    entered = {k: v["value"] for k, v in config["district_results"].items()}
    per_district = {}
    everyone = []
    for _code, _name, slug, _place in DISTRICTS:
        statuses, values = _units(province / slug)
        units = [(s, values.get(c, {})) for c, s in statuses.items()]
        per_district[slug] = _expected(schema, units, {})
        everyone += units
    whole = _expected(schema, everyone, entered)
    assert sum(v is not None for v in whole.values()) >= 10  # the demo has figures to check

    rows = _rows(province / "tinh" / "out" / "tong-hop.xlsx", "Toàn tỉnh")
    head = next(i for i, r in enumerate(rows) if r[0] == "STT")
    header = list(rows[head])
    names = [name for _c, name, _s, _p in DISTRICTS]
    assert header[4:11] == names and header[11] == "Kết quả toàn tỉnh"
    labels = {ind.key: ind.result_label for ind in schema.indicators}
    body = {r[2]: r for r in rows[head + 1 :] if r[2]}
    for key, label in labels.items():
        row = body[label]
        assert row[11] == whole[key], (key, row[11], whole[key])
        for n, (_c, _n, slug, _p) in enumerate(DISTRICTS):
            expected = None if key in entered else per_district[slug][key]
            assert row[4 + n] == expected, (key, slug, row[4 + n], expected)
        target = config["targets"].get(key)
        assert row[12] == target

    status = json.loads((province / "tinh" / "out" / "status.json").read_text("utf-8"))
    assert status["counts"]["expected"] == len(everyone)
    assert status["counts"]["submitted"] == sum(1 for s, _ in everyone if s["status"] in SUBMITTED)
    assert [d["status"] for d in status["districts"]] == ["ok"] * 7
    # The province's values.csv is a district's, with qualified codes: a level above reads it.
    with (province / "tinh" / "out" / "values.csv").open(encoding="utf-8-sig") as fh:
        codes = {r["unit_code"] for r in csv.DictReader(fh)}
    assert codes and all("/" in c for c in codes)
    assert codes <= {u["code"] for u in status["units"]}


def test_missing_and_stale_districts_get_a_status_and_the_rest_is_consolidated(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (province / "gia-rai" / "out" / "values.csv").unlink()
    stale = province / "hong-dan" / "out" / "values.csv"
    os.utime(stale, (stale.stat().st_atime, datetime(2020, 1, 1).timestamp()))
    line = _sync(province, capsys)
    assert "5/7 huyện dùng được" in line
    assert "Thị ủy Giá Rai: thiếu kết quả" in line and "Huyện ủy Hồng Dân: kết quả cũ" in line

    rows = _rows(province / "tinh" / "out" / "tong-hop.xlsx", "Các huyện")
    by_code = {r[1]: r for r in rows if r[1] in {c for c, *_ in DISTRICTS}}
    assert by_code["GIA_RAI"][3] == "Thiếu kết quả" and "values.csv" in by_code["GIA_RAI"][-1]
    assert by_code["HONG_DAN"][3] == "Kết quả cũ" and "cũ hơn" in by_code["HONG_DAN"][-1]
    assert by_code["GIA_RAI"][5] is None
    expected = 0
    for code, _name, slug, _place in DISTRICTS:
        if code in ("GIA_RAI", "HONG_DAN"):
            continue
        statuses, _values = _units(province / slug)
        assert by_code[code][3] == "Đã tổng hợp" and by_code[code][5] == len(statuses)
        expected += len(statuses)
    status = json.loads((province / "tinh" / "out" / "status.json").read_text("utf-8"))
    assert status["counts"]["expected"] == expected
    assert {d["code"]: d["status"] for d in status["districts"]}["HONG_DAN"] == "stale"


def test_another_schema_version_is_refused_with_a_clear_line(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = province / "dong-hai" / "out" / "status.json"
    doc = json.loads(path.read_text("utf-8"))
    doc["schema_version"] = "2019.1"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    wrong = province / "phuoc-long" / "out" / "status.json"
    doc = json.loads(wrong.read_text("utf-8"))
    doc["district"]["code"] = "HOA_BINH"  # another district's outputs in this folder
    wrong.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    line = _sync(province, capsys)
    assert "5/7 huyện dùng được" in line and "Huyện ủy Đông Hải: không dùng được" in line
    status = json.loads((province / "tinh" / "out" / "status.json").read_text("utf-8"))
    by_code = {d["code"]: d for d in status["districts"]}
    assert by_code["DONG_HAI"]["status"] == "invalid"
    message = by_code["DONG_HAI"]["message"]
    assert message.startswith(
        "Huyện dùng mẫu “midterm_2020_2025” phiên bản 2019.1, tỉnh đọc phiên bản"
    )
    assert "không tổng hợp số liệu của huyện" in message
    assert (
        "chứa kết quả của huyện mã HOA_BINH, không phải PHUOC_LONG"
        in by_code["PHUOC_LONG"]["message"]
    )


def test_values_written_otherwise_are_refused(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = province / "bac-lieu" / "out" / "values.csv"
    path.write_bytes(path.read_bytes().removeprefix("\ufeff".encode()))  # saved again without BOM
    _sync(province, capsys)
    status = json.loads((province / "tinh" / "out" / "status.json").read_text("utf-8"))
    district = {d["code"]: d for d in status["districts"]}["BAC_LIEU"]
    assert district["status"] == "invalid" and "thiếu dấu BOM UTF-8" in district["message"]


def test_nothing_changed_rewrites_nothing(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _sync(province, capsys)
    workbook = province / "tinh" / "out" / "tong-hop.xlsx"
    before = workbook.stat().st_mtime_ns
    assert "kết quả các huyện không đổi" in _sync(province, capsys)
    assert workbook.stat().st_mtime_ns == before
    os.utime(province / "vinh-loi" / "out" / "values.csv")  # the district wrote it again
    assert "7/7 huyện dùng được" in _sync(province, capsys)
    assert workbook.stat().st_mtime_ns != before
