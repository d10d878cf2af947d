"""The demo's text banks, read from ``text.toml`` and handed out as typed values.

The names, places, notes and paragraphs ``demo_content`` picks from are declared as data in
``text.toml`` beside this module; this module only reads and checks that file. Order is
kept everywhere: the demo picks entries by position, so the same seed gives the same report.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

__all__ = [
    "GROUPS",
    "DemoText",
    "DemoTextError",
    "ExtraKind",
    "HcRow",
    "Paragraph",
    "Paraphrase",
    "Place",
    "Slot",
    "UnitEntry",
    "load_demo_text",
    "parse_demo_text",
]

GROUPS = ("dp", "khac")  # communes and the town; every other unit

# A slot is one sentence of a paragraph: the sentences to choose from, per group.
Slot = Mapping[str, tuple[str, ...]]
Paragraph = tuple[Slot, ...]


class UnitEntry(NamedTuple):
    code: str
    name: str
    type: str


class Place(NamedTuple):
    name: str
    code: str


class ExtraKind(NamedTuple):
    prefix: str
    name: str  # a pattern with {place} and {n}
    type: str


class Paraphrase(NamedTuple):
    """How a sentence may be reworded ([paraphrase]; see paraphrase.py)."""

    openers: tuple[str, ...]
    droppable: tuple[str, ...]
    synonyms: tuple[tuple[str, str], ...]


class HcRow(NamedTuple):
    han_che: str
    loai_nguyen_nhan: str
    nguyen_nhan: str
    giai_phap: str
    chiu_trach_nhiem: str
    fits: str  # "dp" (communes and the town), "khac" (the others) or "all"


@dataclass(frozen=True, slots=True)
class DemoText:
    """Everything in ``text.toml``, one attribute per bank."""

    type_labels: Mapping[str, str]
    units: tuple[UnitEntry, ...]
    places: tuple[Place, ...]
    extra_kinds: tuple[ExtraKind, ...]
    surnames: tuple[str, ...]
    khmer_surnames: tuple[str, ...]
    male: tuple[tuple[str, ...], tuple[str, ...]]  # (middle names, given names)
    female: tuple[tuple[str, ...], tuple[str, ...]]
    mobile_prefixes: tuple[str, ...]
    positions: Mapping[str, tuple[str, ...]]
    tasks: Mapping[str, str]
    shortfall_notes: Mapping[str, str]
    met_notes: tuple[str, ...]
    forecast_hard: str
    forecast_will_meet: str
    no_cells_note: str
    kiem_diem: Mapping[str, tuple[Paragraph, ...]]
    hc_rows: tuple[HcRow, ...]
    paraphrase: Paraphrase


class DemoTextError(ValueError):
    """The text file is broken; the message names the file and the entry."""


_FILE = "text.toml"


def load_demo_text() -> DemoText:
    """Read the packaged ``text.toml``."""
    text = resources.files(__package__).joinpath(_FILE).read_text("utf-8")
    return parse_demo_text(text, source=_FILE)


def parse_demo_text(text: str, source: str = "<demo text>") -> DemoText:
    """Build and check a ``DemoText`` from the text of a demo text file."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DemoTextError(f"{source}: not valid TOML: {exc}") from exc
    return _Reader(source).read(doc)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> DemoTextError:
        return DemoTextError(f"{self.source}: {where}: {message}")

    def table(self, value: object, where: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a table")
        return value

    def tables(self, value: object, where: str) -> list[dict[str, object]]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "expected a non-empty list of tables")
        return [self.table(v, f"{where}[{i}]") for i, v in enumerate(value)]

    def string(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, f"expected non-empty text, got {value!r}")
        return value

    def strings(self, value: object, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "expected a non-empty list of text")
        return tuple(self.string(v, f"{where}[{i}]") for i, v in enumerate(value))

    def texts(self, value: object, where: str) -> dict[str, str]:
        return {k: self.string(v, f"{where}.{k}") for k, v in self.table(value, where).items()}

    def records(self, value: object, names: tuple[str, ...], where: str) -> list[list[str]]:
        """A list of tables whose keys are exactly ``names``, as their values in that order."""
        out = []
        for i, row in enumerate(self.tables(value, where)):
            if set(row) != set(names):
                raise self.fail(f"{where}[{i}]", f"expected exactly the keys {', '.join(names)}")
            out.append([self.string(row[n], f"{where}[{i}].{n}") for n in names])
        return out

    def read(self, doc: dict[str, object]) -> DemoText:
        units = self.table(doc.get("units"), "units")
        people = self.table(doc.get("people"), "people")
        notes = self.table(doc.get("indicator_notes"), "indicator_notes")
        positions = self.table(doc.get("positions"), "positions")
        kiem_diem = self.table(doc.get("kiem_diem"), "kiem_diem")

        hc_rows = tuple(HcRow(*r) for r in self.records(doc.get("hc_row"), HcRow._fields, "hc_row"))
        for i, row in enumerate(hc_rows):
            if row.fits not in ("all", *GROUPS):
                raise self.fail(f"hc_row[{i}].fits", f"expected all, dp or khac, got {row.fits!r}")
        return DemoText(
            type_labels=self.texts(doc.get("type_labels"), "type_labels"),
            units=tuple(
                UnitEntry(*r)
                for r in self.records(units.get("fixed"), UnitEntry._fields, "units.fixed")
            ),
            places=tuple(
                Place(*r) for r in self.records(units.get("places"), Place._fields, "units.places")
            ),
            extra_kinds=tuple(
                ExtraKind(*r)
                for r in self.records(
                    units.get("extra_kinds"), ExtraKind._fields, "units.extra_kinds"
                )
            ),
            surnames=self.strings(people.get("surnames"), "people.surnames"),
            khmer_surnames=self.strings(people.get("khmer_surnames"), "people.khmer_surnames"),
            male=(
                self.strings(people.get("male_middle"), "people.male_middle"),
                self.strings(people.get("male_given"), "people.male_given"),
            ),
            female=(
                self.strings(people.get("female_middle"), "people.female_middle"),
                self.strings(people.get("female_given"), "people.female_given"),
            ),
            mobile_prefixes=self.strings(people.get("mobile_prefixes"), "people.mobile_prefixes"),
            positions={k: self.strings(v, f"positions.{k}") for k, v in positions.items()},
            tasks=self.texts(doc.get("tasks"), "tasks"),
            shortfall_notes=self.texts(notes.get("shortfall"), "indicator_notes.shortfall"),
            met_notes=self.strings(notes.get("met"), "indicator_notes.met"),
            forecast_hard=self.string(notes.get("forecast_hard"), "indicator_notes.forecast_hard"),
            forecast_will_meet=self.string(
                notes.get("forecast_will_meet"), "indicator_notes.forecast_will_meet"
            ),
            no_cells_note=self.string(notes.get("no_cells"), "indicator_notes.no_cells"),
            kiem_diem={k: self.section(v, f"kiem_diem.{k}") for k, v in kiem_diem.items()},
            hc_rows=hc_rows,
            paraphrase=self.paraphrase(doc.get("paraphrase"), "paraphrase"),
        )

    def paraphrase(self, value: object, where: str) -> Paraphrase:
        table = self.table(value, where)
        pairs = []
        synonyms = table.get("synonyms", [])
        if not isinstance(synonyms, list):
            raise self.fail(f"{where}.synonyms", "expected a list of pairs")
        for i, pair in enumerate(synonyms):
            words = self.strings(pair, f"{where}.synonyms[{i}]")
            if len(words) != 2:
                raise self.fail(f"{where}.synonyms[{i}]", "expected two interchangeable phrases")
            pairs.append((words[0], words[1]))
        return Paraphrase(
            openers=self.strings(table.get("openers"), f"{where}.openers"),
            droppable=self.strings(table.get("droppable"), f"{where}.droppable"),
            synonyms=tuple(pairs),
        )

    def section(self, value: object, where: str) -> tuple[Paragraph, ...]:
        paragraphs = self.tables(value, where)
        if len(paragraphs) < 2:  # the first, then at least one of the rest
            raise self.fail(where, "expected at least two paragraphs")
        return tuple(
            tuple(
                self.slot(s, f"{where}[{i}].sentence[{j}]")
                for j, s in enumerate(self.tables(p.get("sentence"), f"{where}[{i}].sentence"))
            )
            for i, p in enumerate(paragraphs)
        )

    def slot(self, value: dict[str, object], where: str) -> Slot:
        if set(value) == {"all"}:
            options = self.strings(value["all"], f"{where}.all")
            return dict.fromkeys(GROUPS, options)  # the same choice for every group
        if set(value) == set(GROUPS):
            return {g: self.strings(value[g], f"{where}.{g}") for g in GROUPS}
        raise self.fail(where, "expected either `all`, or both `dp` and `khac`")
