"""The template declared as typed objects: what a schema file becomes once loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"  # percent points: 97.18 means 97,18%
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"

    @property
    def is_number(self) -> bool:
        return self in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.PERCENT)


# A date bound is a fixed date, or one of the names below resolved when parsing.
RUN_DATE = "run_date"
TERM_START = "term_start"
DateBound = date | str | None

# Defined names the template gives its own cells (the progress line and its helpers). Schema ids
# start with a letter, so a leading underscore can never collide with one; readers and outputs
# skip these names, and the parser never reads them as inputs.
OWN_NAME_PREFIX = "_"
PROGRESS_NAME = "_tien_do"  # "Đã nhập x/y mục bắt buộc …" on the first data tab
FILLED_NAME = "_da_nhap"  # x
REQUIRED_NAME = "_can_nhap"  # y
INDICATOR_FILLED_NAME = "_chi_tieu_da_nhap"  # per indicator: filled items (helper column)
INDICATOR_REQUIRED_NAME = "_chi_tieu_can_nhap"  # per indicator: required items (helper column)
OWN_NAMES = (PROGRESS_NAME, FILLED_NAME, REQUIRED_NAME, INDICATOR_FILLED_NAME,
             INDICATOR_REQUIRED_NAME)  # fmt: skip


def is_own_name(name: str) -> bool:
    """Whether a defined name belongs to the template's own formula cells, not to an input."""
    return name.startswith(OWN_NAME_PREFIX) and not name.lower().startswith("_xlnm.")


# How an indicator's district figure is made (see ``Indicator``):
#   sum       the units' results added up;
#   ratio     100·Σtử số / Σmẫu số, never a mean of the units' percentages;
#   weighted  Σ(result·weight) / Σweight, the weight a unit field such as Dân số;
#   count     how many units reach ``threshold`` (communes at 19/19 criteria);
#   entered   the district's own statistic, typed by the office in [district_results].
# A plain mean of units is never a district figure: ``reference = "mean"`` shows it beside the
# figure, labelled as a reference.
ROLLUPS = ("sum", "ratio", "weighted", "count", "entered")
REFERENCES = ("mean",)

# Parts of an indicator row; each is an input cell named ct_{key}_{part}.
INDICATOR_PARTS = ("nq", "kq", "tu_so", "mau_so", "du_bao", "ghi_chu")


@dataclass(frozen=True)
class Field:
    """One input cell: a workbook-level defined name equal to ``id``."""

    id: str
    label: str
    type: FieldType
    tab: str  # the tab's title, as users see it
    required: bool = True
    choices: tuple[str, ...] = ()
    choice_list: str | None = None  # the name of the list in [choices]
    min: float | None = None
    max: float | None = None
    min_date: DateBound = None
    max_date: DateBound = None
    pattern: str | None = None
    max_length: int | None = None  # characters, checked by the parser and the template
    prefill: str | None = None  # unit_code · unit_name · unit_type · version
    hint: str = ""
    narrative: bool = False
    sign_off: bool = False
    template_version: bool = False
    must_equal_unit_code: bool = False
    unit_type: bool = False
    indicator: str | None = None  # the indicator key, for ct_* cells
    part: str | None = None  # nq · kq · tu_so · mau_so · du_bao · ghi_chu
    # The template version that added this cell: a file of an earlier version (one of the
    # schema's previous_versions) lacks it, and is read without it instead of being rejected.
    since: str | None = None

    @property
    def plain_label(self) -> str:
        """The label as it reads alone, at the start of a message: a breakdown row's dash or
        "trong đó:" is left out ("— Khiển trách" → "Khiển trách")."""
        text = self.label.lstrip("—–- ").removeprefix("trong đó:").strip()
        return text[:1].upper() + text[1:] if text else self.label


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    group: str
    type: FieldType
    better: str  # higher · lower
    applies_to: frozenset[str]  # unit types, or {"all"}
    rollup: str  # one of ROLLUPS
    min: float | None = None
    max: float | None = None
    numerator: str | None = None
    denominator: str | None = None
    weight: str | None = None  # weighted: the id of the unit field each result is weighted by
    threshold: float | None = None  # count: a unit counts when its result reaches this
    # count: what the district figure counts ("Số xã đạt chuẩn nông thôn mới") and its unit.
    district_label: str | None = None
    district_unit: str | None = None
    reference: str | None = None  # "mean": the units' plain mean, shown only as a reference

    @property
    def result_label(self) -> str:
        """The district figure's label: a count says what it counts, others are the indicator."""
        return self.district_label or self.label

    @property
    def result_unit(self) -> str:
        return self.district_unit or self.unit

    @property
    def is_rate(self) -> bool:
        return self.numerator is not None

    def field_id(self, part: str) -> str:
        return f"ct_{self.key}_{part}"

    def applies(self, unit_type: str | None) -> bool:
        """Whether a unit of this type must answer; an unknown type is asked everything."""
        return "all" in self.applies_to or unit_type is None or unit_type in self.applies_to

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(p for p in INDICATOR_PARTS if self.is_rate or p not in ("tu_so", "mau_so"))

    def fields(self, tab: str, forecasts: tuple[str, ...]) -> tuple[Field, ...]:
        """The input cells of the indicator's row, one per part; ``forecasts`` are the
        choices of its Dự báo cell (the schema's du_bao list)."""
        out = []
        for part in self.parts:
            lo: float | None = None
            hi: float | None = None
            if part in ("nq", "kq"):
                ftype, lo, hi = self.type, self.min, self.max
                label = f"{self.label} — {'Nghị quyết đề ra' if part == 'nq' else 'Kết quả'}"
            elif part in ("tu_so", "mau_so"):
                ftype, lo = FieldType.DECIMAL, 0
                label = f"{self.label} — {self.numerator if part == 'tu_so' else self.denominator}"
            elif part == "du_bao":
                ftype, label = FieldType.CHOICE, f"{self.label} — Dự báo cuối nhiệm kỳ"
            else:
                ftype, label = FieldType.TEXT, f"{self.label} — Ghi chú"
            forecast = part == "du_bao"
            out.append(
                Field(
                    id=self.field_id(part),
                    label=label,
                    type=ftype,
                    tab=tab,
                    required=part != "ghi_chu",
                    choices=forecasts if forecast else (),
                    choice_list="du_bao" if forecast else None,
                    min=lo,
                    max=hi,
                    indicator=self.key,
                    part=part,
                )
            )
        return tuple(out)


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    type: FieldType
    required: bool = True
    choices: tuple[str, ...] = ()
    choice_list: str | None = None
    max_date: DateBound = None
    width: float = 20


@dataclass(frozen=True)
class Table:
    """A table body under one defined name; the whole table counts as one completeness item."""

    name: str
    tab: str
    label: str
    max_rows: int
    columns: tuple[Column, ...]
    row_required: tuple[str, ...]
    min_complete_rows: int = 1
    require_column: str | None = None
    require_value: str | None = None

    def column(self, column_id: str) -> Column:
        return next(c for c in self.columns if c.id == column_id)


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: left op sum(right), checked when every operand is a valid number."""

    id: str
    left: str
    op: str  # == · <= · >= · < · >
    right: tuple[str, ...]


@dataclass(frozen=True)
class Tab:
    id: str
    title: str
    layout: str  # form · indicators · narrative · table
    heading: str
    fields: tuple[Field, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    table: Table | None = None
    rollup: str | None = None


@dataclass(frozen=True)
class Schema:
    id: str
    version: str
    title: str
    subject: str  # the title as a sentence ("Sơ kết … Nghị quyết Đại hội …"); "" → from title
    term_start: date
    unit_types: dict[str, str]  # roster code → label in tt_loai_hinh
    choices: dict[str, tuple[str, ...]]
    tabs: tuple[Tab, ...]
    rules: tuple[Rule, ...]
    # Earlier template versions whose files are still read (with a warning to switch).
    previous_versions: tuple[str, ...] = ()
    min_chars: int = 50
    placeholders: tuple[str, ...] = ()
    not_applicable: str = "Không áp dụng"
    rate_tolerance: float = 0.1
    note_when_assessment: tuple[str, ...] = ("Chưa đạt",)
    note_when_forecast: tuple[str, ...] = ("Khó đạt", "Không đạt")
    source: str = ""
    fingerprint: str = ""  # a hash of the schema file's text: parses depend on it
    _by_id: dict[str, Field] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({f.id: f for t in self.tabs for f in t.fields})

    @property
    def fields(self) -> tuple[Field, ...]:
        """Every single-cell input, in template order."""
        return tuple(f for t in self.tabs for f in t.fields)

    def field(self, field_id: str) -> Field:
        return self._by_id[field_id]

    def has_field(self, field_id: str) -> bool:
        return field_id in self._by_id

    def label_of(self, name: str) -> str:
        """What a person calls a field or table: its label; ``name`` itself when unknown."""
        if name in self._by_id:
            return self._by_id[name].label
        return next((t.label for t in self.tables if t.name == name), name)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for t in self.tabs for i in t.indicators)

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(t.table for t in self.tabs if t.table is not None)

    @property
    def names(self) -> tuple[str, ...]:
        """Every defined name a template workbook must carry."""
        return tuple(f.id for f in self.fields) + tuple(t.name for t in self.tables)

    @property
    def shapes(self) -> dict[str, tuple[int, int]]:
        """Each defined name's declared (height, width): a field is one cell, a table its
        ``max_rows`` × columns. Readers never read a name over more than this."""
        out = {f.id.lower(): (1, 1) for f in self.fields}
        out.update({t.name.lower(): (t.max_rows, len(t.columns)) for t in self.tables})
        return out

    def tab_by_id(self, tab_id: str) -> Tab:
        return next(t for t in self.tabs if t.id == tab_id)

    def type_of_label(self, label: str) -> str | None:
        """The roster type code whose tt_loai_hinh label is ``label``."""
        return next((code for code, lab in self.unit_types.items() if lab == label), None)
