"""values.csv and findings.csv: UTF-8 with a BOM, every text field quoted, no formula starts."""

from __future__ import annotations

import csv
import io

import pytest

from jobs.outputs.files import findings_csv
from sheets_schema import Code, Finding, Severity

EVIL = "Ghi chú;=cmd|' /C calc'!A0"


def _finding(value: str) -> Finding:
    return Finding(
        Severity.WARNING, Code.UNREADABLE, "Thông tin", "C12", "tt_ghi_chu", "Sai", value
    )


def _split(line: str, separator: str) -> list[str]:
    """A spreadsheet's reading of a line: a separator splits only outside quotes, and every
    quote character toggles quoting, wherever it stands."""
    cells, cell, quoted = [], "", False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == separator and not quoted:
            cells.append(cell)
            cell = ""
        else:
            cell += ch
    return [*cells, cell]


def test_the_value_reads_back_whole() -> None:
    text = findings_csv([("XA_A", _finding(EVIL))])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1][-1] == EVIL


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_no_list_separator_makes_a_cell_start_like_a_formula(separator: str) -> None:
    text = findings_csv([("XA_A", _finding(EVIL))])
    for line in text.removeprefix("\ufeff").splitlines():
        for cell in _split(line, separator):
            assert not cell.startswith(("=", "+", "-", "@")), (separator, cell)


def test_text_quoted_numbers_plain_formula_starts_escaped() -> None:
    text = findings_csv([("XA_A", _finding("=1+1")), ("XA_B", _finding("-5"))])
    lines = text.removeprefix("\ufeff").splitlines()
    assert lines[0] == '"unit_code","severity","code","tab","cell","field","message","value"'
    assert lines[1].endswith(',"\'=1+1"')
    assert lines[2].endswith(',"-5"')  # a number typed as text stays text, not a formula start
