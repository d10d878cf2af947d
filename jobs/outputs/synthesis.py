"""Forty reports into one: the points several units make, each said once, with who made it.

Plain strings in, points out; no Word here (``draft`` lays the points out, ``annex`` prints the
texts whole). The steps, each a function a test can call on its own:

1. ``split_sentences``: a unit's text into sentences, on Vietnamese sentence ends (. ! ? …)
   and line breaks, not after an abbreviation (TP., ThS., v.v.), an initial or a list number.
2. ``match_key``: what two sentences are compared by: lower case, the unit's own name, dates
   and numbers masked, punctuation gone. "Chi bộ Trường THCS A kết nạp 3 đảng viên" and
   "Đảng bộ xã B kết nạp 12 đảng viên" differ only where they should.
3. ``find_points``: near-duplicates grouped. Each distinct key becomes a TF-IDF vector of
   syllables and pairs of syllables (scikit-learn ``TfidfVectorizer``, word 1–2-grams);
   two keys are the same point when their cosine similarity reaches ``Settings.similarity``;
   points are the connected components of that graph (``scipy.sparse.csgraph``).
4. The point's wording is its most central real sentence (the largest summed similarity to
   the group's sentences, counting repeats), lightly normalised: the unit's own name and the
   numbers that differ between the group's sentences become "…"-style placeholders, and a
   committee or party body the units name differently ("Chi ủy" / "Ban Chấp hành Đảng bộ")
   becomes "cấp ủy" / "tổ chức đảng". Nothing else is invented: every other word printed was
   written by one of the point's units.

Why this method (measured with ``python -m bench.grouping``, figures in bench/RESULTS.md):
a Vietnamese syllable is a word-piece written apart, so syllables and syllable pairs are what
the texts share; a bag of them does not see a reordered clause, and a synonym or a dropped
word moves the cosine little. TF-IDF weights the syllables every sentence of a Party report
shares ("đảng viên", "Nghị quyết") low, so two different points on one subject stay apart. On
the demo (38 units) at 0.65: precision 0.998, recall 0.989; on the reworded set 0.993 / 0.977.
Character n-grams (char_wb 2–4) needed 0.80 for the same precision and were 3× slower to
vectorise (pure-Python n-gram loop); rapidfuzz's token-set ratio (no weighting: boilerplate
makes different points look alike) peaked at precision 0.978, its plain ratio lost recall on
reordered clauses (0.91). The similarity is one sparse product per block of rows, so memory
stays bounded however many units report; identical keys are counted once.

Deterministic: the same texts in the same order give the same points in the same order.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = [
    "Point",
    "Sentence",
    "Settings",
    "find_points",
    "match_key",
    "normalised",
    "split_sentences",
]

# Sentence ends: a stop, then (after closing quotes or brackets) space, then what may begin a
# sentence. Whether it really ends one is decided in split_sentences.
_END = re.compile(r"[.!?…]+[\"”’')\]]*\s+")
# Words that end in a stop without ending a sentence; compared in lower case.
_ABBREVIATIONS = frozenset(
    "tp tx tt ts ths pgs gs bs ks cn kts đ/c đc v.v vv tr st sl nxb ubnd hđnd q p ô b".split()
)
_LIST_MARK = re.compile(r"^\s*(?:[0-9]{1,3}|[ivxlc]{1,5}|[a-zđ])[.)]$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-–—+•*·]|[0-9]{1,3}[.)]|[a-zđ]\))\s+", re.IGNORECASE)
_DATE = re.compile(r"\b\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_FIGURE = re.compile(f"{_DATE.pattern}|{_NUMBER.pattern}")
_NOT_WORD = re.compile(r"[^\w]+")
NAME_MASK = "(tên đơn vị)"
NUMBER_MASK = "…"


@dataclass(frozen=True)
class Settings:
    """Thresholds of the grouping ([draft] in tonghop.toml)."""

    similarity: float = 0.65  # cosine of two sentences' TF-IDF vectors: the same point
    min_units: int = 2  # units that must make a point for it to be told in the body
    names_listed: int = 6  # unit names printed after a point; more are counted

    @classmethod
    def of(cls, given: Mapping[str, float]) -> Settings:
        """Settings from [draft]'s keys; the others keep their defaults."""
        base = cls()
        return cls(
            similarity=float(given.get("similarity", base.similarity)),
            min_units=int(given.get("min_units", base.min_units)),
            names_listed=int(given.get("names_listed", base.names_listed)),
        )


class Sentence(NamedTuple):  # a tuple: made once per sentence of every unit's text
    """One sentence as a unit wrote it."""

    unit: str  # the unit's id (code)
    text: str
    key: str  # what it is compared by (match_key)


@dataclass(frozen=True)
class Point:
    """Sentences of several (or one) units that say the same thing."""

    text: str  # the wording to print: a real sentence, lightly normalised
    units: tuple[str, ...]  # the units that wrote one of its sentences, in input order
    sentences: tuple[Sentence, ...] = field(repr=False)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``: one per sentence end or line; list marks and bullets off."""
    return list(_split(text))


# A text many units send alike (the district's model wording) is split once.
@functools.lru_cache(maxsize=1 << 12)
def _split(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for line in unicodedata.normalize("NFC", text).replace("\r", "\n").split("\n"):
        line = _BULLET.sub("", line, count=1).strip()
        start = 0
        for m in _END.finditer(line):
            piece = line[start : m.end()].strip()
            following = line[m.end() : m.end() + 1]
            if not following or not (following.isupper() or following.isdigit()):
                continue  # "…, ví dụ: xã A. và xã B" or a number's thousands: not an end
            if _LIST_MARK.match(piece) or _is_abbreviation(line[start : m.start()]):
                continue
            out.append(piece)
            start = m.end()
        rest = line[start:].strip()
        if rest:
            out.append(rest)
    return tuple(s for s in out if any(c.isalnum() for c in s))


def _is_abbreviation(before: str) -> bool:
    words = before.split()
    if not words:
        return False
    last = words[-1].lower()
    # An initial ("N. V. A.") or a listed abbreviation.
    return (len(last) == 1 and last.isalpha()) or last in _ABBREVIATIONS


@functools.lru_cache(maxsize=1 << 12)
def _name_variants(name: str) -> tuple[str, ...]:
    """The unit's name, and the name without its first words ("Đảng bộ xã A" → "xã A"),
    longest first."""
    words = unicodedata.normalize("NFC", name).split()
    variants = {" ".join(words)} if words else set()
    for cut in (2, 3):
        if len(words) > cut + 1:
            variants.add(" ".join(words[cut:]))
    return tuple(sorted(variants, key=lambda v: (-len(v), v)))


# Kept across fields: compiling a case-blind Unicode pattern per unit and field was most of the
# time at 1,000 units. Only the points' wordings need it; keys compare in lower case.
@functools.lru_cache(maxsize=1024)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    variants = _name_variants(name)
    if not variants:
        return None
    return re.compile("|".join(re.escape(v) for v in variants), re.IGNORECASE)


def match_key(sentence: str, unit_name: str = "") -> str:
    """What ``sentence`` is compared by: lower case, ``unit_name``, dates and numbers masked,
    punctuation and repeated spaces gone."""
    return _key(sentence, _lower_variants(unit_name))


def _key(sentence: str, names: tuple[str, ...]) -> str:
    return _nfc_key(unicodedata.normalize("NFC", sentence), names)


def _nfc_key(sentence: str, names: tuple[str, ...]) -> str:
    """``_key`` of a sentence already in NFC (``split_sentences`` gives them so)."""
    text = sentence.lower()
    for name in names:
        text = text.replace(name, " đơnvị ")
    return _masked(text)


# Units copy the same sentences (the guidance's wording, the district's own report): once
# their names are out, a sentence is masked once however many units wrote it.
@functools.lru_cache(maxsize=1 << 16)
def _masked(text: str) -> str:
    text = _FIGURE.sub(" 0 ", text)  # a date or a number, one pass
    return " ".join(_NOT_WORD.sub(" ", text).split())


def sentences_of(units: Iterable[tuple[str, str, str]]) -> list[Sentence]:
    """Every sentence of (unit id, unit name, text) triples, in order."""
    out = []
    for unit, name, text in units:
        pieces = _split(text)  # NFC already
        if not pieces:
            continue
        lowered = unicodedata.normalize("NFC", text).lower()
        names = tuple(v for v in _lower_variants(name) if v in lowered)
        for s in pieces:
            key = _nfc_key(s, names)
            if key:
                out.append(Sentence(unit, s, key))
    return out


@functools.lru_cache(maxsize=1 << 12)
def _lower_variants(name: str) -> tuple[str, ...]:
    return tuple(v.lower() for v in _name_variants(name))


Grouping = Callable[[list[str], float], list[int]]


def find_points(
    units: Sequence[tuple[str, str, str]],
    settings: Settings | None = None,
    grouping: Grouping | None = None,
) -> list[Point]:
    """The points of the texts of (unit id, unit name, text): most units first, then in the
    order they first appear. Every sentence belongs to exactly one point.

    ``grouping`` (distinct keys, threshold → a group label per key) replaces the TF-IDF
    grouping; bench/grouping.py compares others with it."""
    settings = settings or Settings()
    names = {unit: name for unit, name, _ in units}
    sentences = sentences_of(units)
    if not sentences:
        return []
    # Identical keys are compared once; ``said[k]`` are the sentence numbers with key k.
    index: dict[str, int] = {}
    said: list[list[int]] = []
    for n, s in enumerate(sentences):
        k = index.setdefault(s.key, len(index))
        if k == len(said):
            said.append([])
        said[k].append(n)
    vectors = _vectors(list(index)) if len(index) > 1 else None
    if vectors is None:
        labels = [0]
    elif grouping is not None:
        labels = grouping(list(index), settings.similarity)
    else:
        labels = _components(vectors, settings.similarity)
    groups: dict[int, list[int]] = {}
    for k, label in enumerate(labels):
        groups.setdefault(label, []).append(k)
    points = []
    for keys in groups.values():
        numbers = sorted(n for k in keys for n in said[k])
        members = [sentences[n] for n in numbers]
        centre = sentences[said[_centre(vectors, keys, [len(said[k]) for k in keys])][0]]
        units_in = tuple(dict.fromkeys(s.unit for s in members))
        text = normalised(centre, members, names.get(centre.unit, ""))
        points.append((-len(units_in), numbers[0], Point(text, units_in, tuple(members))))
    points.sort(key=lambda p: (p[0], p[1]))
    return [p for _, _, p in points]


def normalised(centre: Sentence, members: Sequence[Sentence], unit_name: str = "") -> str:
    """``centre``'s text with its unit's name, and each number or date not found in every
    member sentence, masked; as is when it is the point's only sentence's unit."""
    text = centre.text
    if len({s.unit for s in members}) < 2:
        return text
    pattern = _name_pattern(unit_name)
    if pattern is not None:
        text = pattern.sub(NAME_MASK, text)
    # A date is one token (masked whole or kept whole), then the other numbers.
    shared: set[str] | None = None
    for said in {s.text for s in members}:
        found = set(_FIGURE.findall(said))
        shared = found if shared is None else shared & found
        if not shared:
            break
    keep = shared or set()
    text = _FIGURE.sub(lambda m: m.group(0) if m.group(0) in keep else NUMBER_MASK, text)
    return _common_body(text, centre, members)


# Who acts in a unit's sentence: its committee ("Chi ủy", "Ban Chấp hành Đảng bộ") or its
# party body ("Chi bộ", "Đảng bộ"), longest first so "Ban Chấp hành Đảng bộ" is one word.
_COMMITTEES = ("ban chấp hành đảng bộ", "ban thường vụ đảng ủy", "đảng ủy", "chi ủy", "cấp ủy")
_BODIES = ("đảng bộ", "chi bộ")
_ACTOR = re.compile(r"\b(" + "|".join(_COMMITTEES + _BODIES) + r")\b", re.IGNORECASE)
_GENERIC = {**dict.fromkeys(_COMMITTEES, "cấp ủy"), **dict.fromkeys(_BODIES, "tổ chức đảng")}


def _common_body(text: str, centre: Sentence, members: Sequence[Sentence]) -> str:
    """``text`` (the centre's wording) with each committee or party body the other units do
    not name alike said generically: a point "Chi ủy đã ban hành …" that Đảng bộ units share
    reads "Cấp ủy đã ban hành …". An occurrence every member has (a name such as "Đảng bộ huyện
    Vĩnh Lợi") stays; the first ones go, where the sentence names who acted."""
    own = _actors(centre.key)
    if not own:
        return text
    # Members that wrote the same key count alike: each distinct key is searched once.
    counted = [_actors(key) for key in {s.key for s in members}]
    excess = {t: n - min(c.get(t, 0) for c in counted) for t, n in own.items()}
    if not any(excess.values()):
        return text

    def generic(m: re.Match[str]) -> str:
        term = m.group(0).lower()
        if excess.get(term, 0) <= 0:
            return m.group(0)
        excess[term] -= 1
        word = _GENERIC[term]
        # "Chi bộ" is capitalised anywhere (one named body); "cấp ủy" only opening a sentence.
        opens = not text[: m.start()].strip(" -–—•*\t")
        return word[:1].upper() + word[1:] if opens else word

    return _ACTOR.sub(generic, text)


def _actors(key: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for term in _ACTOR.findall(key):
        found[term] = found.get(term, 0) + 1
    return found


# ---------------------------------------------------------------------- the similarity


def _vectors(keys: list[str]) -> object:
    """TF-IDF vectors (rows, L2-normalised) of syllables and pairs of syllables."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w+\b",  # every syllable, one letter ("ở", "0") too
        sublinear_tf=True,
        dtype=_float64(),
    )
    return vectorizer.fit_transform(keys)


def _float64() -> type:
    import numpy as np

    return np.float64


_BLOCK = 512  # rows compared at a time: memory stays at a block's row of similarities


def _components(vectors: object, threshold: float) -> list[int]:
    """The connected components of "cosine ≥ threshold", a label per row, in row order."""
    import numpy as np
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.csgraph import connected_components

    x = csr_matrix(vectors)
    n = x.shape[0]
    rows: list[Any] = []
    cols: list[Any] = []
    xt = x.T.tocsc()
    for start in range(0, n, _BLOCK):
        block = (x[start : start + _BLOCK] @ xt).tocoo()
        keep = block.data >= threshold
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # Relabel in order of first row so the groups come out in the texts' order.
    seen: dict[int, int] = {}
    return [seen.setdefault(int(v), len(seen)) for v in labels]


def _centre(vectors: object, keys: list[int], weights: list[int]) -> int:
    """The key among ``keys`` with the largest summed similarity to the group's sentences."""
    if len(keys) == 1:
        return keys[0]
    import numpy as np
    from scipy.sparse import csr_matrix

    x = csr_matrix(vectors)[keys]
    similarity = (x @ x.T).toarray()
    score = similarity @ np.asarray(weights, dtype=np.float64)
    best = max(range(len(keys)), key=lambda i: (round(float(score[i]), 9), weights[i], -i))
    return keys[best]
