"""Every formula the template generates evaluates, and none points where Google drops it.

The static test reads the rendered workbooks with openpyxl. The evaluation test puts every
conditional-format and validation formula into a spare cell of the sheet it belongs to (so its
same-sheet references mean what they mean in the rule), lets LibreOffice recalculate the file,
and reads the values back: no error value anywhere, and in a valid signed-off report no cell is
red. Needs `soffice` (skipped when absent).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheets_schema import Schema, UnitInfo, render_template
from tests.helpers import typed_workbook, valid_values

SOFFICE = shutil.which("soffice")
UNIT = UnitInfo("XA_VINH_HUNG", "Đảng bộ xã Vĩnh Hưng", "xa")
_ERRORS = ("#", "Err:")
_STRING = re.compile(r'"(?:[^"]|"")*"')
_INDIRECT = re.compile(r'INDIRECT\("(?:[^"]|"")*"\)')


def _cf_formulas(wb: openpyxl.Workbook) -> list[tuple[str, str, str]]:
    """(sheet, range, formula) of every conditional format."""
    out = []
    for ws in wb.worksheets:
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                out += [(ws.title, str(cf.sqref), f) for f in rule.formula]
    return out


def _dv_formulas(wb: openpyxl.Workbook) -> list[tuple[str, str, str]]:
    """(sheet, range, formula) of every validation formula, as a cell formula that evaluates
    to one value (a list's source becomes the number of its rows)."""
    out = []
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            for f in (dv.formula1, dv.formula2):
                if f in (None, ""):
                    continue
                f = str(f).lstrip("=")
                out.append((ws.title, str(dv.sqref), f"ROWS({f})" if dv.type == "list" else f))
    return out


def _workbooks(schema: Schema) -> dict[str, bytes]:
    done = valid_values(schema)
    gap = dict(done)
    del gap["kd_bai_hoc"]
    return {
        "blank": render_template(schema),
        "unit": render_template(schema, UNIT),
        "valid": typed_workbook(schema, done, UNIT),
        "gap": typed_workbook(schema, gap, UNIT),
        "office": typed_workbook(schema, valid_values(schema, "co_quan", "CQ_VP")),
    }


def test_no_conditional_format_names_another_tab_or_a_name_outside_indirect(
    schema: Schema,
) -> None:
    for name, data in list(_workbooks(schema).items())[:2]:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        names = {n.lower() for n in wb.defined_names}
        rules = _cf_formulas(wb)
        assert rules, name
        indirect = 0
        for sheet, where, formula in rules:
            indirect += len(_INDIRECT.findall(formula))
            bare = _STRING.sub('""', _INDIRECT.sub("0", formula))
            assert "!" not in bare, (name, sheet, where, formula)
            words = {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", bare)}
            assert not words & names, (name, sheet, where, sorted(words & names))
        assert indirect > 0, name  # the sign-off cell is on another tab: reached by INDIRECT
        # The malformed rule of issue 16 (a trailing comma) never comes back.
        assert not any(f.rstrip().endswith(",") for _, _, f in rules + _dv_formulas(wb))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_every_generated_formula_evaluates_in_libreoffice(schema: Schema, tmp_path: Path) -> None:
    placed: dict[str, list[tuple[str, str, str, str, str]]] = {}
    files = []
    for name, data in _workbooks(schema).items():
        wb = openpyxl.load_workbook(io.BytesIO(data))
        spots = []
        for kind, formulas in (("cf", _cf_formulas(wb)), ("dv", _dv_formulas(wb))):
            for sheet, where, formula in formulas:
                ws = wb[sheet]
                row = sum(1 for s in spots if s[0] == sheet) + 1
                cell = ws.cell(row, 60)  # column BH: far right of every tab's content
                cell.value = "=" + formula
                spots.append((sheet, cell.coordinate, kind, where, formula))
        # The template's own cell formulas (the progress line and its helpers) are evaluated
        # where they are.
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("=") and c.column != 60:
                        spots.append((ws.title, c.coordinate, "cell", c.coordinate, c.value))
        path = tmp_path / f"{name}.xlsx"
        wb.save(path)
        files.append(path)
        placed[name] = spots
    out = tmp_path / "out"
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for name, spots in placed.items():
        wb = openpyxl.load_workbook(out / f"{name}.xlsx", data_only=True)
        values: dict[tuple[str, str], Any] = {}
        for sheet, coord, kind, where, formula in spots:
            value = wb[sheet][coord].value
            values[(sheet, where)] = value
            assert value is not None, (name, sheet, where, formula)
            assert not (isinstance(value, str) and value.startswith(_ERRORS)), (
                name, sheet, kind, where, formula, value,
            )  # fmt: skip
        red = [(s, w, f) for s, c, k, w, f in spots if k == "cf" and wb[s][c].value is True]
        if name in ("blank", "unit", "valid", "office"):
            # Nothing typed and not signed, or a complete valid report: no cell is red.
            assert red == [], (name, red[:5])
        else:
            # Signed off with one required narrative empty: exactly that cell is red.
            ((sheet, where, formula),) = red
            assert "LEN($C$" in formula and sheet == "Kiểm điểm", (sheet, where, formula)
