"""Load a schema file into a ``Schema``, checking it as it is read.

A broken schema is the district IT person's mistake, not a unit's: it stops everything with one
line that names the file and the entry, instead of a traceback halfway through a sync.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from .model import (
    REFERENCES,
    ROLLUPS,
    RUN_DATE,
    TERM_START,
    Column,
    DateBound,
    Field,
    FieldType,
    Indicator,
    Rule,
    Schema,
    Tab,
    Table,
)

BUILTIN = ("midterm_2020_2025",)

_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
# Names Excel or Sheets would read as a cell (A1, XFD1048576) or an R1C1 reference.
_CELL_LIKE = re.compile(r"^([a-z]{1,3}[0-9]+|r[0-9]*c[0-9]*)$")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_OPS = ("==", "<=", ">=", "<", ">")
_LAYOUTS = ("form", "indicators", "narrative", "table")
_PATTERNS = ("phone_vn", "email")
_PREFILLS = ("unit_code", "unit_name", "unit_type", "version")

_FIELD_KEYS = {
    "id", "label", "type", "required", "choices", "min", "max", "min_date", "max_date",
    "pattern", "max_length", "prefill", "hint", "narrative", "sign_off", "template_version",
    "must_equal_unit_code", "unit_type", "since",
}  # fmt: skip
_INDICATOR_KEYS = {
    "key", "label", "unit", "group", "type", "min", "max", "better", "applies_to", "rollup",
    "numerator", "denominator", "weight", "threshold", "district_label", "district_unit",
    "reference",
}  # fmt: skip
_COLUMN_KEYS = {"id", "label", "type", "required", "choices", "max_date", "width"}
_TAB_KEYS = {
    "id", "title", "layout", "heading", "field", "indicator", "column", "table", "max_rows",
    "row_required", "min_complete_rows", "require_value", "rollup",
}  # fmt: skip
_TOP_KEYS = {
    "id", "version", "previous_versions", "title", "subject", "term_start", "unit_types", "choices", "narrative",
    "indicator_rules", "tab", "rule",
}  # fmt: skip


class SchemaError(ValueError):
    """The schema file is broken; the message names the file and the entry."""


def load_schema(ref: str | Path = "midterm_2020_2025") -> Schema:
    """Load a built-in schema by id, or a schema file by path."""
    if isinstance(ref, str) and ref in BUILTIN:
        text = resources.files(__package__).joinpath(f"{ref}.toml").read_text("utf-8")
        return parse_schema(text, source=f"{ref}.toml")
    path = Path(ref)
    if not path.is_file():
        known = ", ".join(BUILTIN)
        raise SchemaError(f"{path}: no such schema file (built-in schemas: {known})")
    return parse_schema(path.read_text("utf-8"), source=str(path))


def parse_schema(text: str, source: str = "<schema>") -> Schema:
    """Build and check a ``Schema`` from the text of a schema file."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"{source}: not valid TOML: {exc}") from exc
    schema = _Builder(source).build(doc)
    return replace(schema, fingerprint=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.ids: dict[str, str] = {}  # id → where it was declared
        self.fields: dict[str, Field] = {}  # single-cell fields declared so far

    def fail(self, where: str, message: str) -> SchemaError:
        return SchemaError(f"{self.source}: {where}: {message}")

    def claim(self, ident: str, where: str) -> None:
        if not isinstance(ident, str) or not _ID.match(ident):
            raise self.fail(where, f"id {ident!r} must be lower-case snake_case with an underscore")
        if _CELL_LIKE.match(ident.replace("_", "")):
            raise self.fail(where, f"id {ident!r} could be read as a cell reference")
        if len(ident) > 255:
            raise self.fail(where, f"id {ident!r} is longer than a defined name may be")
        if ident in self.ids:
            raise self.fail(where, f"duplicate id {ident!r} (first declared in {self.ids[ident]})")
        self.ids[ident] = where

    def keys(self, entry: dict[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r} (allowed: {sorted(allowed)})")

    def need(self, entry: dict[str, Any], key: str, where: str) -> Any:
        if key not in entry:
            raise self.fail(where, f"missing required key {key!r}")
        return entry[key]

    def ftype(self, value: Any, where: str) -> FieldType:
        try:
            return FieldType(value)
        except ValueError:
            allowed = ", ".join(t.value for t in FieldType)
            raise self.fail(where, f"unknown type {value!r} (allowed: {allowed})") from None

    def date_bound(self, value: Any, where: str) -> DateBound:
        if value is None or isinstance(value, date) or value in (RUN_DATE, TERM_START):
            return value
        raise self.fail(where, f"date bound {value!r} must be a date, {RUN_DATE} or {TERM_START}")

    def choice_list(self, entry: dict[str, Any], where: str) -> tuple[str | None, tuple[str, ...]]:
        if entry.get("type") != "choice":
            if "choices" in entry:
                raise self.fail(where, "choices given for a field that is not of type choice")
            return None, ()
        name = self.need(entry, "choices", where)
        if name not in self.choices:
            raise self.fail(where, f"choice list {name!r} is not declared under [choices]")
        return name, self.choices[name]

    def build(self, doc: dict[str, Any]) -> Schema:
        self.keys(doc, _TOP_KEYS, "top level")
        schema_id = self.need(doc, "id", "top level")
        self.choices: dict[str, tuple[str, ...]] = {}
        for name, items in doc.get("choices", {}).items():
            if (
                not isinstance(items, list)
                or not items
                or not all(isinstance(i, str) for i in items)
            ):
                raise self.fail(f"[choices] {name}", "must be a non-empty list of labels")
            self.choices[name] = tuple(items)
        unit_types = dict(doc.get("unit_types", {}))
        if not unit_types:
            raise self.fail("top level", "missing [unit_types]")
        self.unit_types = unit_types
        term_start = self.need(doc, "term_start", "top level")
        if not isinstance(term_start, date):
            raise self.fail("term_start", "must be a date such as 2020-10-01")
        tabs = tuple(self.tab(t, i) for i, t in enumerate(self.need(doc, "tab", "top level")))
        titles = [t.title for t in tabs]
        dup = next((t for t in titles if titles.count(t) > 1), None)
        if dup:
            raise self.fail(f"tab {dup!r}", "duplicate tab title")
        rules = tuple(self.rule(r, i) for i, r in enumerate(doc.get("rule", [])))
        narrative = doc.get("narrative", {})
        ind = doc.get("indicator_rules", {})
        return Schema(
            id=schema_id,
            version=str(self.need(doc, "version", "top level")),
            title=str(doc.get("title", schema_id)),
            subject=str(doc.get("subject", "")),
            term_start=term_start,
            unit_types=unit_types,
            choices=self.choices,
            tabs=tabs,
            rules=rules,
            previous_versions=tuple(str(x) for x in doc.get("previous_versions", ())),
            min_chars=int(narrative.get("min_chars", 50)),
            placeholders=tuple(narrative.get("placeholders", ())),
            not_applicable=str(ind.get("not_applicable", "Không áp dụng")),
            rate_tolerance=float(ind.get("rate_tolerance", 0.1)),
            note_when_assessment=tuple(ind.get("note_required_when_assessment", ("Chưa đạt",))),
            note_when_forecast=tuple(ind.get("note_required_when_forecast", ())),
            source=self.source,
        )

    def tab(self, entry: dict[str, Any], index: int) -> Tab:
        where = f"tab #{index + 1}"
        self.keys(entry, _TAB_KEYS, where)
        title = self.need(entry, "title", where)
        where = f"tab {title!r}"
        if len(title) > 31 or _BAD_TITLE.search(title):
            raise self.fail(where, "a tab title must be at most 31 characters without []:*?/\\")
        layout = self.need(entry, "layout", where)
        if layout not in _LAYOUTS:
            raise self.fail(where, f"unknown layout {layout!r} (allowed: {', '.join(_LAYOUTS)})")
        fields = [self.field(f, title) for f in entry.get("field", [])]
        self.fields.update((f.id, f) for f in fields)
        indicators = tuple(self.indicator(i, title) for i in entry.get("indicator", []))
        for ind in indicators:
            fields.extend(self.indicator_fields(ind, title))
        table = self.table(entry, title) if layout == "table" else None
        return Tab(
            id=self.need(entry, "id", where),
            title=title,
            layout=layout,
            heading=entry.get("heading", title),
            fields=tuple(fields),
            indicators=indicators,
            table=table,
            rollup=entry.get("rollup"),
        )

    def field(self, entry: dict[str, Any], tab: str) -> Field:
        where = f"tab {tab!r} field {entry.get('id', '?')!r}"
        self.keys(entry, _FIELD_KEYS, where)
        ident = self.need(entry, "id", where)
        self.claim(ident, where)
        ftype = self.ftype(self.need(entry, "type", where), where)
        choice_name, choices = self.choice_list(entry, where)
        pattern = entry.get("pattern")
        if pattern is not None and pattern not in _PATTERNS:
            raise self.fail(where, f"unknown pattern {pattern!r} (allowed: {', '.join(_PATTERNS)})")
        prefill = entry.get("prefill")
        if prefill is not None and prefill not in _PREFILLS:
            raise self.fail(where, f"unknown prefill {prefill!r} (allowed: {', '.join(_PREFILLS)})")
        return Field(
            id=ident,
            label=self.need(entry, "label", where),
            type=ftype,
            tab=tab,
            required=bool(entry.get("required", True)),
            choices=choices,
            choice_list=choice_name,
            min=entry.get("min"),
            max=entry.get("max"),
            min_date=self.date_bound(entry.get("min_date"), where),
            max_date=self.date_bound(entry.get("max_date"), where),
            pattern=pattern,
            max_length=self.max_length(entry, ftype, where),
            prefill=prefill,
            hint=entry.get("hint", ""),
            narrative=bool(entry.get("narrative", False)),
            sign_off=bool(entry.get("sign_off", False)),
            template_version=bool(entry.get("template_version", False)),
            must_equal_unit_code=bool(entry.get("must_equal_unit_code", False)),
            unit_type=bool(entry.get("unit_type", False)),
            since=self.since(entry, where),
        )

    def since(self, entry: dict[str, Any], where: str) -> str | None:
        value = entry.get("since")
        if value is None:
            return None
        if entry.get("required", True):
            # An old file lacks the cell: a required one would leave it forever incomplete.
            raise self.fail(where, "a field added in a later version ('since') must be optional")
        return str(value)

    def max_length(self, entry: dict[str, Any], ftype: FieldType, where: str) -> int | None:
        value = entry.get("max_length")
        if value is None:
            return None
        if ftype is not FieldType.TEXT or not isinstance(value, int) or value < 1:
            raise self.fail(where, "max_length must be a positive whole number on a text field")
        return value

    def indicator(self, entry: dict[str, Any], tab: str) -> Indicator:
        where = f"tab {tab!r} indicator {entry.get('key', '?')!r}"
        self.keys(entry, _INDICATOR_KEYS, where)
        ftype = self.ftype(self.need(entry, "type", where), where)
        if not ftype.is_number:
            raise self.fail(where, f"an indicator's type must be a number type, not {ftype.value}")
        better = self.need(entry, "better", where)
        if better not in ("higher", "lower"):
            raise self.fail(where, f"better must be 'higher' or 'lower', not {better!r}")
        rollup = self.need(entry, "rollup", where)
        if rollup == "mean":
            raise self.fail(
                where,
                "rollup 'mean' is no longer a district figure (a plain mean of units is not the "
                "district's result): use 'weighted' (with weight = a unit field such as "
                "tt_dan_so) or 'entered' (the district's statistic in [district_results]), and "
                'reference = "mean" to keep the mean as a reference column',
            )
        if rollup not in ROLLUPS:
            raise self.fail(where, f"unknown rollup {rollup!r} (allowed: {', '.join(ROLLUPS)})")
        self.rollup_keys(entry, rollup, where)
        applies = self.need(entry, "applies_to", where)
        unknown = [t for t in applies if t != "all" and t not in self.unit_types]
        if not applies or unknown:
            raise self.fail(where, f"applies_to names unknown unit types {unknown}")
        if ("numerator" in entry) != ("denominator" in entry):
            raise self.fail(where, "a rate indicator needs both numerator and denominator")
        if rollup == "ratio" and "numerator" not in entry:
            raise self.fail(where, "rollup 'ratio' needs numerator and denominator")
        if "du_bao" not in self.choices:
            raise self.fail(where, "indicators need the choice list 'du_bao' under [choices]")
        return Indicator(
            key=self.need(entry, "key", where),
            label=self.need(entry, "label", where),
            unit=entry.get("unit", ""),
            group=entry.get("group", ""),
            type=ftype,
            better=better,
            applies_to=frozenset(applies),
            rollup=rollup,
            min=entry.get("min"),
            max=entry.get("max"),
            numerator=entry.get("numerator"),
            denominator=entry.get("denominator"),
            weight=entry.get("weight"),
            threshold=entry.get("threshold"),
            district_label=entry.get("district_label"),
            district_unit=entry.get("district_unit"),
            reference=entry.get("reference"),
        )

    def rollup_keys(self, entry: dict[str, Any], rollup: str, where: str) -> None:
        """The keys each roll-up needs, and none that belong to another."""
        own = {"weighted": {"weight"}, "count": {"threshold", "district_label", "district_unit"}}
        for kind, keys in own.items():
            stray = sorted(k for k in keys if k in entry and kind != rollup)
            if stray:
                raise self.fail(where, f"{stray[0]!r} belongs to rollup {kind!r}, not {rollup!r}")
        if rollup == "weighted":
            weight = self.need(entry, "weight", where)
            f = self.fields.get(weight)
            if f is None or not f.type.is_number:
                raise self.fail(
                    where, f"weight {weight!r} must name a number field declared on an earlier tab"
                )
        if rollup == "count":
            threshold = self.need(entry, "threshold", where)
            if isinstance(threshold, bool) or not isinstance(threshold, int | float):
                raise self.fail(where, "threshold must be a number")
            self.need(entry, "district_label", where)
        reference = entry.get("reference")
        if reference is not None and reference not in REFERENCES:
            raise self.fail(
                where, f"unknown reference {reference!r} (allowed: {', '.join(REFERENCES)})"
            )

    def indicator_fields(self, ind: Indicator, tab: str) -> list[Field]:
        where = f"tab {tab!r} indicator {ind.key!r}"
        out = []
        for part in ind.parts:
            ident = ind.field_id(part)
            self.claim(ident, where)
            if part in ("nq", "kq"):
                ftype, lo, hi, label = ind.type, ind.min, ind.max, ind.label
                label = f"{ind.label} — {'Nghị quyết đề ra' if part == 'nq' else 'Kết quả'}"
            elif part in ("tu_so", "mau_so"):
                ftype, lo, hi = FieldType.DECIMAL, 0, None
                label = f"{ind.label} — {ind.numerator if part == 'tu_so' else ind.denominator}"
            elif part == "du_bao":
                ftype, lo, hi = FieldType.CHOICE, None, None
                label = f"{ind.label} — Dự báo cuối nhiệm kỳ"
            else:
                ftype, lo, hi = FieldType.TEXT, None, None
                label = f"{ind.label} — Ghi chú"
            out.append(
                Field(
                    id=ident,
                    label=label,
                    type=ftype,
                    tab=tab,
                    required=part != "ghi_chu",
                    choices=self.choices["du_bao"] if part == "du_bao" else (),
                    choice_list="du_bao" if part == "du_bao" else None,
                    min=lo,
                    max=hi,
                    indicator=ind.key,
                    part=part,
                )
            )
        return out

    def table(self, entry: dict[str, Any], tab: str) -> Table:
        where = f"tab {tab!r}"
        name = self.need(entry, "table", where)
        self.claim(name, where)
        columns = []
        for col in self.need(entry, "column", where):
            cwhere = f"{where} column {col.get('id', '?')!r}"
            self.keys(col, _COLUMN_KEYS, cwhere)
            choice_name, choices = self.choice_list(col, cwhere)
            columns.append(
                Column(
                    id=self.need(col, "id", cwhere),
                    label=self.need(col, "label", cwhere),
                    type=self.ftype(self.need(col, "type", cwhere), cwhere),
                    required=bool(col.get("required", True)),
                    choices=choices,
                    choice_list=choice_name,
                    max_date=self.date_bound(col.get("max_date"), cwhere),
                    width=float(col.get("width", 20)),
                )
            )
        ids = [c.id for c in columns]
        row_required = tuple(entry.get("row_required", [c.id for c in columns if c.required]))
        for cid in row_required:
            if cid not in ids:
                raise self.fail(where, f"row_required names unknown column {cid!r}")
        req = entry.get("require_value")
        if req is not None:
            if req.get("column") not in ids:
                raise self.fail(where, f"require_value names unknown column {req.get('column')!r}")
            column = columns[ids.index(req["column"])]
            if column.choices and req.get("value") not in column.choices:
                raise self.fail(where, f"require_value {req.get('value')!r} is not a choice")
        return Table(
            name=name,
            tab=tab,
            label=entry.get("heading", tab),
            max_rows=int(entry.get("max_rows", 30)),
            columns=tuple(columns),
            row_required=row_required,
            min_complete_rows=int(entry.get("min_complete_rows", 1)),
            require_column=req["column"] if req else None,
            require_value=req["value"] if req else None,
        )

    def rule(self, entry: dict[str, Any], index: int) -> Rule:
        where = f"rule {entry.get('id', f'#{index + 1}')!r}"
        left = self.need(entry, "left", where)
        right = self.need(entry, "right", where)
        right_ids = (right,) if isinstance(right, str) else tuple(right)
        op = self.need(entry, "op", where)
        if op not in _OPS:
            raise self.fail(where, f"unknown operator {op!r} (allowed: {', '.join(_OPS)})")
        for ident in (left, *right_ids):
            if ident not in self.ids:
                raise self.fail(where, f"names unknown field {ident!r}")
        return Rule(id=entry.get("id", f"rule_{index + 1}"), left=left, op=op, right=right_ids)
