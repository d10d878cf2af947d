"""How the draft words what it says: who made a point, the points only one unit made, the
limitations grouped by cause, the indicators' lead and shortfalls, the counts in prose. Plain
strings; ``draft`` puts them on the page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .level import DISTRICT, Level
from .rollup import DistrictIndicator
from .synthesis import Point, Settings, find_points

SHORT = "Chưa đạt"
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
    # (unit, sentence) → the rows it was written in, so a point finds its rows in one lookup
    # per sentence (not one pass over every row per point).
    written: dict[tuple[str, str], list[int]] = {}
    for n, (unit, _, text) in enumerate(texts):
        for piece in _pieces(text):
            written.setdefault((unit, piece), []).append(n)
    out = []
    for point in find_points(texts, settings):
        numbers = sorted({n for s in point.sentences for n in written.get((s.unit, s.text), ())})
        members = [rows[n] for n in numbers]
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


def indicators_lead(rows: Sequence[DistrictIndicator], level: Level = DISTRICT) -> str:
    """How many indicators met or exceeded the level's own target, which fell short by how
    much, and which cannot be judged yet."""
    judged = [d for d in rows if d.assessment in ("Vượt", "Đạt", SHORT)]
    over = sum(d.assessment == "Vượt" for d in judged)
    met = sum(d.assessment == "Đạt" for d in judged)
    short = [d for d in judged if d.assessment == SHORT]
    text = (
        f"Kết quả toàn {level.whole} tổng hợp từ các đơn vị đã nộp; chỉ tiêu tỷ lệ tính bằng "
        "tổng tử số chia tổng mẫu số. "
    )
    resolution = f"chỉ tiêu Nghị quyết Đại hội Đảng bộ {level.whole}"
    if not judged:
        text += f"Chưa có chỉ tiêu nào đủ số liệu để đánh giá so với {resolution}."
    else:
        text += (
            f"So với {resolution}, trong {len(judged)} chỉ tiêu có đủ số liệu để đánh giá, "
            f"{over + met} chỉ tiêu đạt và vượt ({over} vượt, {met} đạt)"
        )
        if short:
            parts = [f"{_lower(d.label)} (đạt {d.ratio_text})" for d in short]
            text += f", {len(short)} chỉ tiêu chưa đạt: " + "; ".join(parts)
        text += "."
    rest = len(rows) - len(judged)
    if rest:
        text += (
            f" {rest} chỉ tiêu chưa đánh giá được do chưa có chỉ tiêu của {level.whole} hoặc chưa có "
            "số liệu."
        )
    return text


def shortfall_sentence(d: DistrictIndicator, level: Level = DISTRICT) -> str:
    """One sentence for an indicator short of the level's own target."""
    from .draft import number_text  # the draft's number format, one rounding

    # The figures as the table and "Toàn huyện" show them (one rounding).
    unit = f" {d.unit}" if d.unit and d.unit != "%" else ""
    pct = "%" if d.unit == "%" else ""
    return (
        f"{d.label}: kết quả toàn {level.whole} {number_text(d.shown_result, d.kind)}{pct}{unit}, "
        f"chỉ tiêu {number_text(d.shown_target, d.target_kind)}{pct}{unit}, đạt "
        f"{d.ratio_text} so với chỉ tiêu; {d.meeting}/{d.reporting} đơn vị báo cáo đạt chỉ "
        "tiêu của mình."
    )


def count_words(label: str, value: str) -> str:
    """ "Kiểm tra tổ chức đảng (lượt)" and 45 → "kiểm tra tổ chức đảng 45 lượt"."""
    label = label.lstrip("—- ").removeprefix("trong đó:").strip()
    head, _, unit = label.partition(" (")
    unit = unit.rstrip(")")
    if unit and unit != "tổng số":
        return f"{_lower(head)} {value} {unit}"
    return f"{_lower(head)} {value}"


def _lower(text: str) -> str:
    """The first letter in lower case, unless the first word is an abbreviation (BHYT)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]
