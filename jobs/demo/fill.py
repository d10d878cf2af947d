"""Type a report into a template workbook the way a unit would: into the named cells.

Used by the demo district and the tests. Values are written as a person's spreadsheet would
store them: numbers as numbers, dates as dates, and whatever text they typed as text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import openpyxl

from sync.excel import area

PERCENT_FORMAT = "percent_format"  # ("percent_format", 0.085): typed "8,5%" into a general cell


def fill_workbook(
    template: bytes,
    values: Mapping[str, Any],
    columns: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """Return ``template`` with ``values`` typed into the cells named by their field ids.

    A table (a list of row dicts) fills its named body row by row; ``columns`` gives each
    table's column ids in sheet order (else each dict's own order). Unknown names are an
    error: a demo or test that types into a cell the template lacks is a bug.
    """
    wb = openpyxl.load_workbook(io.BytesIO(template))
    for name, value in values.items():
        if name not in wb.defined_names:
            raise KeyError(f"the template has no defined name {name!r}")
        ((sheet, ref),) = list(wb.defined_names[name].destinations)
        ws = wb[sheet]
        box = area(ref)
        if box is None:
            raise KeyError(f"the template's name {name!r} is not a cell area: {ref}")
        min_row, min_col = box[0], box[1]
        if isinstance(value, list):
            order = (columns or {}).get(name)
            for r, row in enumerate(value):
                cells = [row.get(c) for c in order] if order else list(row.values())
                for c, cell_value in enumerate(cells):
                    _put(ws.cell(min_row + r, min_col + c), cell_value)
        else:
            _put(ws.cell(min_row, min_col), value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _put(cell: Any, value: Any) -> None:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == PERCENT_FORMAT:
        cell.value = value[1]
        cell.number_format = "0.00%"
        return
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # typed into a text cell: text, not a formula
