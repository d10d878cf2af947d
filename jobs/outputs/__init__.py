"""Everything a run renders: the consolidated workbook and its sheets, the Word draft, the
status table, status.json and the CSV files. The job hands over one finished result (and
a ledger of what it wrote before); nothing here reaches up into the job.

Modules: ``files`` writes every output of a run atomically, never over a file a person edited
(``edits`` tells whose each file is; ``placing`` writes beside it and keeps the archive);
``workbook`` and ``sheets`` lay out the workbook over the cell helpers in ``cells``, which size
rows and print areas with the text measures of ``fit``; ``status_table`` is the table (and call
list) shared with the Google status sheet; ``words`` holds the time and number wording all of
them use. ``rollup`` computes the district roll-up against the district's targets once, for
both the "Toàn huyện" sheet (``district``) and the Word draft (``draft``, over the XML helpers
in ``wordxml``).
"""

from .files import OutputError, atomic_write, unwritable, write_outputs
from .status_table import StatusTable, status_table
from .workbook import SHEET_NAMES, write_workbook

__all__ = [
    "SHEET_NAMES",
    "OutputError",
    "StatusTable",
    "atomic_write",
    "status_table",
    "unwritable",
    "write_outputs",
    "write_workbook",
]
