"""How the draft words the points ``synthesis`` finds: who made a point, the points only one
unit made, the limitations grouped by cause. Plain strings; ``draft`` puts them on the page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .synthesis import Point, Settings, find_points

ANNEX_TITLE = "Phụ lục ý kiến của các đơn vị"
PLACEHOLDER = (
    "[Đánh giá chung của Ban Thường vụ về nội dung này: Văn phòng dự thảo, "
    "Ban Thường vụ cho ý kiến.]"
)


def attribution(units: Sequence[str], names: Mapping[str, str], total: int, listed: int) -> str:
    """ "(12 đơn vị: A; B; … và 6 đơn vị khác)", all of them when few, "(tất cả 25 đơn vị)"."""
    n = len(units)
    if n == total and n > 2:
        return f"(tất cả {n} đơn vị)"
    shown = [names.get(u, u) for u in units[:listed]]
    rest = n - len(shown)
    text = "; ".join(shown)  # names hold commas ("Trung tâm Văn hóa, Thể thao …")
    if rest:
        text += f" và {rest} đơn vị khác"
    return f"({n} đơn vị: {text})"


def singles_paragraph(points: Sequence[Point], names: Mapping[str, str], listed: int) -> str:
    """One short paragraph for the points a single unit made, pointing to the annex."""
    units = list(dict.fromkeys(u for p in points for u in p.units))
    shown = [names.get(u, u) for u in units[:listed]]
    who = "; ".join(shown) + (
        f" và {len(units) - len(shown)} đơn vị khác" if len(units) > len(shown) else ""
    )
    return (
        f"Ngoài ra, {len(units)} đơn vị ({who}) nêu thêm {len(points)} ý kiến riêng, "
        f"toàn văn tại {ANNEX_TITLE} kèm theo."
    )


@dataclass(frozen=True)
class Limitation:
    """A limitation several rows name, with what their rows give as cause and remedy."""

    point: Point
    details: tuple[tuple[str, str], ...]  # (column label, its most common wording)


def limitations(
    rows: Sequence[tuple[str, str, dict[str, object]]],
    main: str,
    details: Sequence[tuple[str, str]],
    settings: Settings,
) -> list[Limitation]:
    """Rows (unit id, unit name, row) grouped by the similar text of column ``main``; for each
    group, each of ``details`` (column id, label) worded as most of the group's rows word it."""
    texts = [(unit, name, _text(row.get(main))) for unit, name, row in rows]
    out = []
    for point in find_points(texts, settings):
        said = {(s.unit, s.text) for s in point.sentences}
        members = [
            (unit, name, row)
            for unit, name, row in rows
            if any((unit, t) in said for t in _pieces(_text(row.get(main))))
        ]
        found = []
        for column, label in details:
            top = find_points([(u, n, _text(r.get(column))) for u, n, r in members], settings)
            if top:
                found.append((label, top[0].text))
        out.append(Limitation(point, tuple(found)))
    return out


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _pieces(text: str) -> list[str]:
    from .synthesis import split_sentences

    return split_sentences(text)
