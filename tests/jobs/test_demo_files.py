"""The demo's unit files are the real template as a unit leaves it: the template's own cell
styles (yellow inputs, grey prefilled cells), lists answered with their words, not TRUE/FALSE."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from jobs.demo.district import make_demo
from sheets_schema import FieldType, Schema, UnitInfo, load_schema, render_template


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-files")
    make_demo(folder, 20, seed=3, workers=1)
    return folder


def _cell(wb: openpyxl.Workbook, name: str) -> openpyxl.cell.Cell:
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "").split(":")[0]]


def test_unit_files_keep_the_templates_look_and_answer_lists_with_words(demo: Path) -> None:
    schema: Schema = load_schema()
    with (demo / "units.csv").open(encoding="utf-8") as fh:
        roster = {r["code"]: r for r in csv.DictReader(fh)}
    seen_signed = seen_unsigned = 0
    for path in sorted((demo / "sheets").glob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        if "tt_ma_don_vi" not in wb.defined_names:
            continue  # the unit that sent its own table instead of the template
        unit = roster[path.stem]
        template = openpyxl.load_workbook(
            io.BytesIO(render_template(schema, UnitInfo(unit["code"], unit["name"], unit["type"])))
        )
        for f in schema.fields:
            got, blank = _cell(wb, f.id), _cell(template, f.id)
            # Filled or empty, every cell keeps the template's fill and protection.
            assert got.fill.fgColor.rgb == blank.fill.fgColor.rgb, (path.name, f.id)
            assert got.protection.locked == blank.protection.locked, (path.name, f.id)
            if f.type is FieldType.BOOL:
                assert not isinstance(got.value, bool), (path.name, f.id, got.value)
            if f.sign_off:
                assert got.value in ("Có", None), (path.name, got.value)
                seen_signed += got.value == "Có"
                seen_unsigned += got.value is None
    assert seen_signed and seen_unsigned
