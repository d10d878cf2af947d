"""Paragraphs and tables of a python-docx document, built as WordprocessingML elements directly.

python-docx finds the insertion point of every new paragraph by scanning the whole body, so a
draft of a thousand units' texts (tens of thousands of paragraphs) takes minutes; appending
before the body's final section properties is constant time. Only text is ever written here:
no fields, no links, so a unit's text stays plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from docx.oxml.ns import qn
from lxml import etree

# Characters XML 1.0 cannot carry; a unit's text may hold them (pasted from elsewhere).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TWIPS_PER_MM = 1440 / 25.4
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_P, _R, _T, _PPR, _RPR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:pPr"), qn("w:rPr")
_VAL = qn("w:val")

# A run: its text and its flags, any of "b" bold, "i" italic, "u" underlined, "x" boxed,
# "h" highlighted (yellow: a place the office fills in).
Run = tuple[str, str]


def clean(text: str) -> str:
    """Text as a run can hold it: without the control characters XML forbids."""
    return _NOT_XML.sub("", text)


def twips(mm: float) -> str:
    return str(round(mm * _TWIPS_PER_MM))


class FullRow(str):
    """A table row given as one text spanning every column (a group's title), in bold."""

    __slots__ = ()


class Body:
    """Appends paragraphs and tables at the end of a document's body, before its final
    section properties."""

    def __init__(self, document: Any) -> None:
        self._end = document.element.body.sectPr

    def _add(self, element: Any) -> Any:
        self._end.addprevious(element)
        return element

    def paragraph(
        self,
        runs: Sequence[Run] | str = (),
        *,
        style: str | None = None,
        align: str | None = None,
        first_line_mm: float | None = None,
        left_mm: float | None = None,
        after_pt: float | None = None,
        keep_next: bool = False,
        size: float | None = None,
    ) -> Any:
        """A paragraph of ``runs`` (or one plain text); ``align`` is left, right, center, both."""
        p = etree.Element(_P)
        _paragraph(p, runs, style, align, first_line_mm, left_mm, after_pt, keep_next, size)
        return self._add(p)

    def table(
        self,
        widths_mm: Sequence[float],
        header: Sequence[str],
        rows: Iterable[Sequence[str] | FullRow],
        *,
        text_style: str,
        numeric: frozenset[int] = frozenset(),
    ) -> Any:
        """A bordered table ("Table Grid") with fixed column widths and a header row repeated
        on every page; a ``FullRow`` spans all columns."""
        tbl = etree.Element(qn("w:tbl"))
        pr = etree.SubElement(tbl, qn("w:tblPr"))
        etree.SubElement(pr, qn("w:tblStyle")).set(_VAL, "TableGrid")
        width = etree.SubElement(pr, qn("w:tblW"))
        width.set(qn("w:w"), twips(sum(widths_mm)))
        width.set(qn("w:type"), "dxa")
        etree.SubElement(pr, qn("w:jc")).set(_VAL, "center")
        etree.SubElement(pr, qn("w:tblLayout")).set(qn("w:type"), "fixed")
        grid = etree.SubElement(tbl, qn("w:tblGrid"))
        cell_widths = [twips(w) for w in widths_mm]
        for w in cell_widths:
            etree.SubElement(grid, qn("w:gridCol")).set(qn("w:w"), w)
        head = etree.SubElement(tbl, qn("w:tr"))
        etree.SubElement(etree.SubElement(head, qn("w:trPr")), qn("w:tblHeader")).set(_VAL, "true")
        for label, w in zip(header, cell_widths, strict=True):
            _cell(head, w, [(label, "b")], text_style, "center")
        total = twips(sum(widths_mm))
        for values in rows:
            tr = etree.SubElement(tbl, qn("w:tr"))
            etree.SubElement(etree.SubElement(tr, qn("w:trPr")), qn("w:cantSplit"))
            if isinstance(values, FullRow):
                tc = _cell(tr, total, [(values, "b")], text_style, None)
                span = etree.Element(qn("w:gridSpan"))
                span.set(_VAL, str(len(widths_mm)))
                tc[0].append(span)
                continue
            for i, (value, w) in enumerate(zip(values, cell_widths, strict=True)):
                runs = [(value, "")] if value else []
                _cell(tr, w, runs, text_style, "right" if i in numeric else None)
        return self._add(tbl)


def _cell(tr: Any, width: str, runs: Sequence[Run], style: str, align: str | None) -> Any:
    tc = etree.SubElement(tr, qn("w:tc"))
    w = etree.SubElement(etree.SubElement(tc, qn("w:tcPr")), qn("w:tcW"))
    w.set(qn("w:w"), width)
    w.set(qn("w:type"), "dxa")
    _paragraph(etree.SubElement(tc, _P), runs, style, align, None, None, None, False, None)
    return tc


def _paragraph(p: Any, runs: Sequence[Run] | str, style: str | None, align: str | None,
               first_line_mm: float | None, left_mm: float | None, after_pt: float | None,
               keep_next: bool, size: float | None) -> None:  # fmt: skip
    # Children of w:pPr in the order the schema requires: pStyle, keepNext, spacing, ind, jc.
    if style or align or keep_next or after_pt is not None or first_line_mm is not None or left_mm:
        ppr = etree.SubElement(p, _PPR)
        if style:
            etree.SubElement(ppr, qn("w:pStyle")).set(_VAL, style)
        if keep_next:
            etree.SubElement(ppr, qn("w:keepNext"))
        if after_pt is not None:
            etree.SubElement(ppr, qn("w:spacing")).set(qn("w:after"), str(round(after_pt * 20)))
        if first_line_mm is not None or left_mm:
            ind = etree.SubElement(ppr, qn("w:ind"))
            if left_mm:
                ind.set(qn("w:left"), twips(left_mm))
            if first_line_mm is not None:
                ind.set(qn("w:firstLine"), twips(first_line_mm))
        if align:
            etree.SubElement(ppr, qn("w:jc")).set(_VAL, align)
    if isinstance(runs, str):
        runs = [(runs, "")] if runs else []
    for text, flags in runs:
        r = etree.SubElement(p, _R)
        if flags or size:
            rpr = etree.SubElement(r, _RPR)
            # rPr children in schema order: b, i, sz, highlight, u, bdr.
            if "b" in flags:
                etree.SubElement(rpr, qn("w:b"))
            if "i" in flags:
                etree.SubElement(rpr, qn("w:i"))
            if size:
                etree.SubElement(rpr, qn("w:sz")).set(_VAL, str(round(size * 2)))
            if "h" in flags:
                etree.SubElement(rpr, qn("w:highlight")).set(_VAL, "yellow")
            if "u" in flags:
                etree.SubElement(rpr, qn("w:u")).set(_VAL, "single")
            if "x" in flags:
                bdr = etree.SubElement(rpr, qn("w:bdr"))
                for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1")):
                    bdr.set(qn(key), value)
        t = etree.SubElement(r, _T)
        t.text = clean(text)
        t.set(_XML_SPACE, "preserve")
