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

import docx
import openpyxl
import pytest

from jobs.commands.cli import main
from jobs.province.demo import DISTRICTS, PROVINCE, entries_toml, make_province_demo
from sheets_schema import Schema
from tests.jobs.test_language import english_words

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


def test_unreadable_district_files_are_explained_in_vietnamese(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (province / "dong-hai" / "out" / "status.json").write_text("{bad", "utf-8")
    values = province / "bac-lieu" / "out" / "values.csv"
    values.write_bytes(values.read_bytes() + b'"XA","ct","x",1,"\xff"\r\n')
    bare = province / "phuoc-long" / "out" / "values.csv"
    with bare.open(encoding="utf-8-sig", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh))  # a row as Excel shows it; text may span lines
    bare.write_bytes(bare.read_bytes() + b'"XA","ct","x",abc,"v"\r\n')
    line = _sync(province, capsys)
    assert "4/7 huyện dùng được" in line
    status = json.loads((province / "tinh" / "out" / "status.json").read_text("utf-8"))
    messages = {d["code"]: d["message"] for d in status["districts"]}
    assert "(không phải JSON hợp lệ, dòng 1 cột 2)" in messages["DONG_HAI"]
    assert "(không phải văn bản UTF-8)" in messages["BAC_LIEU"]
    assert f"(dòng {rows + 1}: có chữ không trong dấu ngoặc kép" in messages["PHUOC_LONG"]
    for code in ("DONG_HAI", "BAC_LIEU", "PHUOC_LONG"):
        assert english_words(messages[code]) == [], messages[code]


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


def _docx(path: Path) -> tuple[str, list[list[list[str]]]]:
    """A document's paragraphs (one text) and its tables (rows of cell texts)."""
    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return text, tables


def _number(text: str) -> float | None:
    """A Vietnamese number as the draft prints it ("425.586,5") back to a float."""
    return float(text.replace(".", "").replace(",", ".")) if text else None


def test_the_draft_is_the_report_builder_with_districts_in_place_of_units(
    province: Path, schema: Schema, capsys: pytest.CaptureFixture[str]
) -> None:
    (province / "gia-rai" / "out" / "values.csv").unlink()
    _sync(province, capsys)
    text, tables = _docx(province / "tinh" / "out" / "bao-cao-tong-hop.docx")
    issuer = tables[0][0][0]  # the header block's left cell
    assert "TỈNH ỦY BẠC LIÊU" in issuer and "-BC/TU" in issuer
    assert "của các huyện ủy, thị ủy, thành ủy trực thuộc" in text

    # I: one row per district, its counts those of its own status.json; the missing one says so.
    status_rows = next(t for t in tables if t[0][1] == "Huyện, thị, thành ủy")
    by_name = {r[1]: r for r in status_rows[1:]}
    for _code, name, slug, _place in DISTRICTS:
        if slug == "gia-rai":
            assert by_name[name][2:7] == [""] * 5 and by_name[name][7] == "Thiếu kết quả"
            continue
        statuses, _ = _units(province / slug)
        submitted = sum(1 for s in statuses.values() if s["status"] in SUBMITTED)
        assert by_name[name][2:4] == [str(len(statuses)), str(submitted)], name
    assert "Chưa tổng hợp số liệu của Thị ủy Giá Rai (thiếu kết quả): Không thấy tệp" in text

    # II: each district's figure is the workbook's (itself recomputed from the units' rows).
    wb = _rows(province / "tinh" / "out" / "tong-hop.xlsx", "Toàn tỉnh")
    head = next(i for i, r in enumerate(wb) if r[0] == "STT")
    names = list(wb[head][4:10])
    figures = {r[2]: r for r in wb[head + 1 :] if r[2]}
    side = next(t for t in tables if t[0][3:4] == [names[0]])
    assert side[0][3:-1] == names and side[0][-1] == "Toàn tỉnh"
    checked = 0
    for row in side[1:]:
        if row[1] not in figures:
            continue  # a group's heading row
        expected = figures[row[1]]
        for n in range(len(names)):
            assert _number(row[3 + n]) == expected[4 + n], (row[1], names[n])
        checked += 1
    assert checked == len(schema.indicators)

    # A shortfall names the districts whose own figure is short of the province's target.
    shortfalls = 0
    for ind in schema.indicators:
        row = dict(zip(wb[head], figures[ind.result_label], strict=True))
        target = row["Chỉ tiêu của tỉnh"]
        if row["Đánh giá"] != "Chưa đạt" or target is None:
            continue
        sentence = next(p for p in text.split("\n") if p.startswith(ind.result_label + ": kết quả"))
        lower = ind.better == "lower"
        short = [name for name in names if row[name] is not None
                 and (row[name] > target if lower else row[name] < target)]  # fmt: skip
        said = sentence.partition("Chưa đạt chỉ tiêu của tỉnh: ")[2]
        assert [part.split(" (đạt")[0] for part in said.split("; ") if part] == short
        shortfalls += 1
    assert shortfalls  # the demo province falls short somewhere

    # III-VI: a point is said by district, never by a unit list.
    assert "thuộc tất cả 6 huyện, thị, thành ủy)" in text or "huyện, thị, thành ủy: " in text
    assert " đơn vị: " not in text


def test_a_level_above_reads_the_provinces_outputs_as_a_districts(
    province: Path, schema: Schema, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each level runs the same job on its children's outputs: two provinces' out/ folders
    (here the demo province and a copy under another code) consolidate again, and every figure
    of the level above is the one recomputed from the units' rows, three codes deep."""
    _sync(province, capsys)
    second = province / "tinh2" / "out"
    shutil.copytree(province / "tinh" / "out", second, copy_function=shutil.copy2)
    doc = json.loads((second / "status.json").read_text("utf-8"))
    doc["district"]["code"] = "TINH_B"
    (second / "status.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    top = province / "vung"
    top.mkdir()
    rows = [("BAC_LIEU_TINH", "Tỉnh ủy Bạc Liêu", "../tinh/out"),
            ("TINH_B", "Tỉnh ủy B", "../tinh2/out")]  # fmt: skip
    (top / "tonghop.toml").write_text(PROVINCE.format(entries=entries_toml(rows)), "utf-8")
    assert main(["sync", "--config", str(top / "tonghop.toml"), "--as-of", AS_OF]) == 0
    assert "2/2 huyện dùng được" in capsys.readouterr().out

    everyone = []
    for _code, _name, slug, _place in DISTRICTS:
        statuses, values = _units(province / slug)
        everyone += [(s, values.get(c, {})) for c, s in statuses.items()]
    config = tomllib.loads((top / "tonghop.toml").read_text("utf-8"))
    entered = {k: v["value"] for k, v in config["district_results"].items()}
    twice = _expected(schema, everyone * 2, entered)
    rows_ = _rows(top / "out" / "tong-hop.xlsx", "Toàn tỉnh")
    head = next(i for i, r in enumerate(rows_) if r[0] == "STT")
    column = list(rows_[head]).index("Kết quả toàn tỉnh")
    body = {r[2]: r for r in rows_[head + 1 :] if r[2]}
    for ind in schema.indicators:
        assert body[ind.result_label][column] == twice[ind.key], ind.key

    status = json.loads((top / "out" / "status.json").read_text("utf-8"))
    assert status["counts"]["expected"] == 2 * len(everyone)
    with (top / "out" / "values.csv").open(encoding="utf-8-sig", newline="") as fh:
        codes = {r["unit_code"] for r in csv.DictReader(fh)}
    assert {c.split("/")[0] for c in codes} == {"BAC_LIEU_TINH", "TINH_B"}
    assert all(c.count("/") == 2 for c in codes)
    assert codes <= {u["code"] for u in status["units"]}


def test_no_usable_district_still_writes_a_draft_that_says_so(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _code, _name, slug, _place in DISTRICTS:
        (province / slug / "out" / "values.csv").unlink()
    line = _sync(province, capsys)
    assert "0/7 huyện dùng được" in line
    text, _tables = _docx(province / "tinh" / "out" / "bao-cao-tong-hop.docx")
    assert "Chưa có chỉ tiêu nào đủ số liệu để đánh giá so với chỉ tiêu Nghị quyết Đại hội " \
        "Đảng bộ tỉnh." in text  # fmt: skip
    assert "trong 0 chỉ tiêu" not in text
    assert "Chưa có đơn vị nào nộp báo cáo; chưa có số liệu để tổng hợp." in text  # IV
    assert "chưa tổng hợp được kết quả của huyện nào" in text and "chưa nộp: không có" not in text
    assert "của 0 đơn vị" not in text
    for _code, name, _slug, _place in DISTRICTS:
        assert f"Chưa tổng hợp số liệu của {name} (thiếu kết quả)" in text


def test_only_is_refused_for_a_province_with_a_line(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(province / "tinh" / "tonghop.toml")
    assert main(["sync", "--config", config, "--only", "VINH_LOI"]) == 2
    assert "không dùng được --only" in capsys.readouterr().err
    assert not (province / "tinh" / "out" / "tong-hop.xlsx").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["remind"],
        ["provision"],
        ["history", "VINH_LOI/XA_A"],
        ["template", "--out", "x.xlsx", "--unit", "XA_A"],
    ],
)
def test_district_commands_on_a_province_config_say_so(
    built: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--config", str(built / "tinh" / "tonghop.toml")]) == 2
    err = capsys.readouterr().err
    assert "là cấu hình của tỉnh" in err and "ở cấp tỉnh chỉ dùng sync và doctor" in err
