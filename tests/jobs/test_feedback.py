"""phan-hoi/<code>.xlsx and `check --annotate`: the unit's own file, its findings marked."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jobs.commands.check import check_file
from jobs.config import load_config
from jobs.demo import DEMO_AS_OF, make_demo
from jobs.job import SyncOptions, run_sync
from jobs.outputs.feedback import ERROR_FILL, WARNING_FILL, annotate_workbook
from sheets_schema import ParseContext, Schema, Severity, parse_report
from sync.excel import ExcelFolderSource, read_xlsx
from tests.jobs.district import District
from tests.jobs.test_cli import tonghop
from tests.jobs.test_sync import at

AS_OF = datetime.fromisoformat(DEMO_AS_OF)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fbdemo") / "d"
    make_demo(folder, 24, seed=5, workers=1)
    config = load_config(folder / "tonghop.toml", env={})
    assert config.source.folder is not None
    run_sync(config, ExcelFolderSource(config.source.folder), SyncOptions(as_of=AS_OF))
    return folder


@pytest.fixture
def district(tmp_path: Path, schema: Schema) -> District:
    return District(tmp_path / "district", schema)


def roster(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "units.csv").open(encoding="utf-8-sig") as fh:
        return {r["code"]: r for r in csv.DictReader(fh)}


def findings_of(path: Path, schema: Schema, code: str, unit_type: str) -> list[dict[str, str]]:
    ctx = ParseContext(unit_code=code, unit_type=unit_type, today=AS_OF.date())
    return [f.as_dict() for f in check_file(path, schema, ctx).report.findings]


def cell_values(path: Path) -> dict[tuple[str, str], Any]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets
            for row in ws.iter_rows() for c in row if c.value is not None}  # fmt: skip


def names(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    out = {k: str(v.attr_text) for k, v in wb.defined_names.items()}
    for ws in wb.worksheets:
        out.update({f"{ws.title}!{k}": str(v.attr_text) for k, v in ws.defined_names.items()})
    return out


def test_demo_district_copies_for_units_with_findings(demo: Path, schema: Schema) -> None:
    units = roster(demo)
    with (demo / "out" / "findings.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    unreadable = {r["unit_code"] for r in rows if r["code"] in ("unreadable", "unreachable")}
    with_findings = {r["unit_code"] for r in rows} - unreadable
    copies = {p.stem: p for p in (demo / "out" / "phan-hoi").glob("*.xlsx")}
    assert copies and set(copies) == with_findings
    for code, copy in copies.items():
        original = demo / "sheets" / units[code]["sheet"]
        expected = findings_of(original, schema, code, units[code]["type"])
        # The annotated copy passes `check` with the same findings as the original.
        assert findings_of(copy, schema, code, units[code]["type"]) == expected, code
        assert len(expected) == sum(1 for r in rows if r["unit_code"] == code)
        # The unit's values and defined names are untouched.
        assert cell_values(copy) == cell_values(original), code
        assert names(copy) == names(original), code


def test_cells_are_filled_and_commented(demo: Path, schema: Schema) -> None:
    units = roster(demo)
    code = "CQ_UB_KIEM_TRA"
    copy = demo / "out" / "phan-hoi" / f"{code}.xlsx"
    ctx = ParseContext(unit_code=code, unit_type=units[code]["type"], today=AS_OF.date())
    report = check_file(copy, schema, ctx).report
    wb = openpyxl.load_workbook(copy)
    marked = [f for f in report.findings if f.tab and f.cell]
    assert marked
    for f in marked:
        cell = wb[f.tab][f.cell]
        colours = {f2.severity for f2 in marked if (f2.tab, f2.cell) == (f.tab, f.cell)}
        want = ERROR_FILL if Severity.ERROR in colours else WARNING_FILL
        assert cell.fill.fgColor.rgb.endswith(want), (f.tab, f.cell)
        assert cell.comment is not None and f.message in cell.comment.text
        assert ("Lỗi: " if f.is_error else "Cảnh báo: ") in cell.comment.text
    original = openpyxl.load_workbook(demo / "sheets" / units[code]["sheet"])
    untouched = [(ws.title, c.coordinate) for ws in original.worksheets for row in ws.iter_rows()
                 for c in row if c.value is not None][:200]  # fmt: skip
    cells = {(f.tab, f.cell) for f in marked}
    for title, ref in untouched:
        if (title, ref) not in cells:
            assert wb[title][ref].comment is None


def test_findings_without_a_cell_go_on_a1(tmp_path: Path, schema: Schema) -> None:
    """A workbook that is not the template: its structure findings land on the first sheet."""
    wb = openpyxl.Workbook()
    wb.active.title = "Báo cáo"
    wb.active["A1"] = "Báo cáo của chi bộ"
    wb.active["B3"] = 412
    buf = io.BytesIO()
    wb.save(buf)
    report = parse_report(schema, read_xlsx(buf.getvalue()), ParseContext(today=date(2023, 3, 20)))
    assert report.findings and not any(f.cell for f in report.findings)
    out = openpyxl.load_workbook(io.BytesIO(annotate_workbook(buf.getvalue(), report.findings)))
    note = out["Báo cáo"]["A1"].comment
    assert note is not None and report.findings[0].message in note.text
    assert out["Báo cáo"]["A1"].value == "Báo cáo của chi bộ" and out["Báo cáo"]["B3"].value == 412


def _with_formula(data: bytes, ref: str, formula: str, result: str) -> bytes:
    """The workbook with ``ref`` on the first data sheet holding a formula and its saved result."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                pattern = rb'<c r="' + ref.encode() + rb'"([^>]*?)(/>|>.*?</c>)'
                new = rb'<c r="' + ref.encode() + rb'"\1><f>' + formula.encode() + rb"</f><v>"
                new += result.encode() + rb"</v></c>"
                body, n = re.subn(pattern, new, body)  # \1: the cell's own attributes
                assert n == 1, ref
            dst.writestr(item, body)
    return out.getvalue()


def test_a_formula_with_a_saved_result_keeps_its_value(
    tmp_path: Path, schema: Schema, district: District
) -> None:
    district.add("XA_A")
    path = district.save("XA_A", district.values("XA_A", tt_so_dang_vien=None), at(20))
    raw = read_xlsx(path.read_bytes())
    tab, ref = parse_report(schema, raw, ParseContext("XA_A", "xa")).cells["tt_so_dang_vien"]
    assert openpyxl.load_workbook(path).worksheets[1].title == tab
    data = _with_formula(path.read_bytes(), ref, "400+12", "412")
    src = tmp_path / "f.xlsx"
    src.write_bytes(data)
    out = tmp_path / "f-phan-hoi.xlsx"
    res = tonghop("check", src, "--annotate", out)
    assert res.returncode in (0, 1), res.stderr
    ctx = ParseContext(unit_code="XA_A", unit_type="xa", today=AS_OF.date())
    assert check_file(out, schema, ctx).report.values["tt_so_dang_vien"] == 412
    # The unit's formula stays, with the result the unit saw.
    assert openpyxl.load_workbook(out)[tab][ref].value == "=400+12"
    assert openpyxl.load_workbook(out, data_only=True)[tab][ref].value == 412
    assert [f.as_dict() for f in check_file(out, schema, ctx).report.findings] == [
        f.as_dict() for f in check_file(src, schema, ctx).report.findings
    ]


def test_check_annotate_writes_the_same_copy(demo: Path, tmp_path: Path, schema: Schema) -> None:
    units = roster(demo)
    code = "CQ_BAN_TO_CHUC"
    original = demo / "sheets" / units[code]["sheet"]
    out = tmp_path / "ra" / "phản hồi.xlsx"
    out.parent.mkdir()
    res = tonghop("check", original, "--annotate", out)
    assert res.returncode == 1, res.stderr  # it has errors
    assert findings_of(out, schema, code, units[code]["type"]) == findings_of(
        original, schema, code, units[code]["type"]
    )
    assert cell_values(out) == cell_values(original)
    res = tonghop("check", original, "--annotate", original)
    assert res.returncode == 2 and "không ghi đè" in res.stderr
    assert findings_of(original, schema, code, units[code]["type"])  # not overwritten


def test_copies_are_rewritten_only_when_changed_and_stale_ones_removed(
    district: District,
) -> None:
    district.add("XA_A")
    district.add("XA_B")
    district.add("XA_C")
    district.save("XA_A", district.values("XA_A", ks_kl_dang_vien=7), at(20))
    district.save("XA_B", district.values("XA_B", ks_kl_dang_vien=7), at(20))
    (district.root / "sheets" / "XA_C.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    district.sync(at(21))
    folder = district.root / "out" / "phan-hoi"
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["XA_A.xlsx", "XA_B.xlsx"]
    first = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.xlsx")}
    district.sync(at(21, 10))
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.xlsx")} == first
    # XA_B fixes its file; XA_A's copy is deleted by someone: it comes back.
    district.save("XA_B", district.values("XA_B"), at(21, 11))
    (folder / "XA_A.xlsx").unlink()
    result = district.sync(at(21, 12))
    assert next(o for o in result.outcomes if o.unit.code == "XA_B").report.findings == []
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["XA_A.xlsx"]
