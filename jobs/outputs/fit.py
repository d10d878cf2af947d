"""How much room a text needs in a worksheet cell: its width in pixels and its wrapped lines.

Excel and LibreOffice do not grow a row to fit wrapped text written by a program, so the
workbook must set every row's height itself. The estimate uses the glyph widths of Arial
(LibreOffice renders it with the metric-compatible Liberation Sans), the workbook's font, and
wraps words the way both programs do. It errs a little on the generous side: a row slightly too
tall reads fine, one too short prints text on top of the next row.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Arial glyph advance widths in 1/2048 em, grouped by width. Letters with Vietnamese marks take
# their base letter's width (the marks sit above or below); ơ and ư carry a horn to the right.
_GROUPS = {
    455: "ijl",
    569: " !,./:;[\\]ftI|'",
    682: "()-r`“”‘’·",
    800: '"*{}',
    1024: "^Jckvsxyz",
    1196: "+<=>~×",
    1251: "FTZ",
    1343: "ơư",
    1366: "ABEKPSVXY&",
    1479: "CDHNRUwĐ",
    1593: "GOQ",
    1706: "Mm",
    1760: "ƠƯ",
    1821: "%",
    1933: "W",
    2048: "@—…",
}
_WIDTH = {ch: w for w, chars in _GROUPS.items() for ch in chars}
_DEFAULT = 1139  # digits, most lower-case letters
_BOLD = 1.08  # bold Arial is about 8% wider
# No slack on the widths: Excel draws Arial 10 at 96 dpi with a 13 px em and whole-pixel
# advances, which is never wider than these advances at the nominal 13.33 px (checked over the
# demo's texts); LibreOffice makes every column about 6% wider than Excel does (it converts
# widths with Arial's unrounded 7.41 px digit). The 6% slack this had padded rows by a line.
_SLACK = 1.0
_SPACE = 569

MAX_ROW_PT = 409.0  # Excel's tallest row
# Excel's own fit of N wrapped lines of Arial 10 is N × 12.75 pt; one pixel more for rounding.
ROW_PAD_PT = 0.75
DIGIT_PX = 7  # width of "0" in Arial 10 at 96 dpi: Excel's unit of column width
_CELL_PAD_PX = 6  # the margin Excel and LibreOffice keep inside a cell, both sides together


def line_height(size: float) -> float:
    """The height of one line of text in points (Excel gives Arial 10 rows of 12.75 pt)."""
    return size * 1.275


def row_height(lines: int, size: float = 10.0) -> float:
    """Points a row needs for ``lines`` lines of text at ``size``, capped at Excel's 409."""
    return min(MAX_ROW_PT, round(lines * line_height(size) + ROW_PAD_PT, 2))


def column_px(width: float) -> int:
    """Pixel width of a column ``width`` characters wide (Excel's own conversion)."""
    return int(width * DIGIT_PX + 5) if width > 0 else 0


def width_for(px: float) -> float:
    """The column width, in characters, that shows ``px`` pixels of text."""
    return round((px + _CELL_PAD_PX - 5) / DIGIT_PX + 0.5, 1)


@lru_cache(maxsize=65_536)
def _word_units(word: str) -> int:
    total = 0
    for ch in word:
        w = _WIDTH.get(ch)
        if w is None:
            parts = unicodedata.normalize("NFD", ch)
            base = parts[:1]
            if "\u031b" in parts:  # the horn of ơ, ư under a tone mark
                base = "Ơ" if base.isupper() else "ơ"
            w = _WIDTH.get(base, _DEFAULT if ch.isprintable() and ord(ch) < 0x2E80 else 2048)
        total += w
    return total


def _factor(size: float, bold: bool) -> float:
    """Pixels per font unit at ``size`` points, with the slack."""
    return size * 96 / 72 / 2048 * (_BOLD if bold else 1.0) * _SLACK


def text_px(text: str, size: float = 10.0, bold: bool = False) -> float:
    """The width of ``text`` on one line, in pixels at 96 dpi."""
    units = sum(_word_units(w) for w in text.split(" ")) + _SPACE * text.count(" ")
    return units * _factor(size, bold)


def lines_needed(text: str, width: float, size: float = 10.0, bold: bool = False) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` characters wide.

    Explicit line breaks count; a word longer than the line is broken, as both programs do.
    """
    room = max(column_px(width) - _CELL_PAD_PX, DIGIT_PX) / _factor(size, bold)
    if len(text) <= 120:  # codes, names, labels: the same few texts again and again
        return _short_lines(text, room)
    return _lines(text, room)


@lru_cache(maxsize=65_536)
def _short_lines(text: str, room: float) -> int:
    return _lines(text, room)


def _lines(text: str, room: float) -> int:
    """Greedy word wrap of ``text`` in ``room`` font units (the work is in integer units)."""
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            w = _word_units(word) if word else 0
            if used and used + _SPACE + w > room:
                lines += 1
                used = 0.0
            elif used:
                used += _SPACE
            if w > room:  # a very long word (a URL): it is broken across lines
                extra = int(w // room)
                lines += extra
                used += w - extra * room
            else:
                used += w
    return lines


def fits(text: str, width: float, max_pt: float = MAX_ROW_PT, size: float = 10.0) -> bool:
    """Whether ``text`` wrapped in a ``width`` column fits in a row of ``max_pt`` points."""
    return lines_needed(text, width, size) * line_height(size) + ROW_PAD_PT <= max_pt


def cut_to_fit(text: str, width: float, tail: str, size: float = 10.0) -> str:
    """The longest word-boundary prefix of ``text`` that, followed by ``tail``, fits in 409 pt."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(text[:mid] + tail, width, size=size):
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo]
    space = cut.rfind(" ")
    if space > lo * 0.8:
        cut = cut[:space]
    return cut.rstrip() + tail
