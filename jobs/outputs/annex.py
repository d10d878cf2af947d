"""The annex to the draft: every submitted unit's texts, whole (phu-luc-y-kien-don-vi.docx).

The draft (``draft``) says each shared point once and only counts what a single unit wrote;
this annex is where nothing a unit wrote is lost. It follows the draft's outline: each
narrative field in the order of sections III, V and VI, then the limitations table, then the
notes on the indicators; under each, every submitted unit that wrote something, in roster
order, with its text as typed (one paragraph per line). Same 36-HD page as the draft
(``wordpage``); unit text as plain runs, never fields or links; same input, same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sheets_schema import Column, Schema

from ..model import RunInfo, UnitOutcome
from .draft import narrative_fields, plain
from .draft_points import ANNEX_TITLE
from .rollup import submitted_reports
from .wordpage import WordPage, pinned_bytes
from .wordxml import Run

ANNEX = "phu-luc-y-kien-don-vi.docx"


def annex_bytes(schema: Schema, outcomes: list[UnitOutcome], run: RunInfo) -> bytes:
    """The annex as .docx bytes; the same input gives the same bytes."""
    return pinned_bytes(_Annex(schema, outcomes, run).build())


class _Annex(WordPage):
    def __init__(self, schema: Schema, outcomes: list[UnitOutcome], run: RunInfo) -> None:
        super().__init__(schema, run)
        self.units = list(submitted_reports(outcomes))

    def build(self) -> Any:
        subject = (
            f"ý kiến của các tổ chức cơ sở đảng (toàn văn), kèm theo Báo cáo tổng hợp "
            f"{self.review_subject()}"
        )
        self.heading_block(ANNEX_TITLE.upper(), subject)
        self.para(
            f"Toàn văn các nội dung do {len(self.units)} đơn vị đã nộp báo cáo ghi, theo từng "
            "mục của báo cáo, các đơn vị xếp theo danh sách của Huyện ủy.",
            italic=True,
        )
        n = 0
        for place in (2, 4, 5):
            for f in narrative_fields(self.schema, place):
                n += 1
                self.heading(f"{n}. {f.label}", 1)
                written = [(o, r.values.get(f.id)) for o, r in self.units]
                written = [(o, v) for o, v in written if v is not None and str(v).strip()]
                if not written:
                    self.para("Không có đơn vị nào ghi nội dung này.", italic=True)
                for o, value in written:
                    self.unit_text(o.unit.name, str(value))
        for tab in self.schema.tabs:
            if tab.table is None:
                continue
            n += 1
            self.heading(f"{n}. {tab.heading.capitalize()}", 1)
            for o, r in self.units:
                rows = r.values.get(tab.table.name) or []
                if rows:
                    self.body.paragraph([(o.unit.name + ":", "b")], keep_next=True)
                for row in rows:
                    self.row(row, tab.table.columns)
        self.notes(n + 1)
        self.properties(f"{ANNEX_TITLE} — {self.schema.title}")
        return self.doc

    def unit_text(self, name: str, text: str) -> None:
        """A unit's name, then its text in whole, one paragraph per line it typed."""
        self.body.paragraph([(name + ":", "b")], keep_next=True)
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line.strip():
                self.body.paragraph(line.strip())

    def row(self, row: dict[str, Any], columns: Sequence[Column]) -> None:
        """One row: "– first column", then each other column on its own indented line."""
        parts = [c for c in columns if row.get(c.id) not in (None, "")]
        if not parts:
            return
        lead: list[Run] = [("– ", ""), (plain(row[parts[0].id]), "")]
        last = len(parts) <= 1
        self.body.paragraph(lead, after_pt=None if last else 0, keep_next=not last)
        for i, col in enumerate(parts[1:], start=2):
            # Paragraphs, not line breaks: a justified line ending in a break is stretched.
            self.body.paragraph(
                [(f"{col.label}: ", "i"), (plain(row[col.id]), "")],
                first_line_mm=0,
                left_mm=10,
                after_pt=None if i == len(parts) else 0,
            )

    def notes(self, n: int) -> None:
        """Each unit's notes on the indicators, by unit in roster order."""
        labels = {i.key: i.label for i in self.schema.indicators}
        noted = []
        for o, r in self.units:
            lines = [
                (labels.get(key, key), res.note.strip())
                for key, res in r.indicators.items()
                if res.note and res.note.strip()
            ]
            if lines:
                noted.append((o.unit.name, lines))
        if not noted:
            return
        self.heading(f"{n}. Ghi chú của các đơn vị về kết quả thực hiện các chỉ tiêu", 1)
        for name, lines in noted:
            self.body.paragraph([(name + ":", "b")], keep_next=True)
            for label, note in lines:
                self.body.paragraph([(f"{label}: ", "i"), (note, "")])
