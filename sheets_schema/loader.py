"""Load a schema file into a ``Schema``, checking it as it is read.

A broken schema is the district IT person's mistake, not a unit's: it stops everything with one
line that names the file and the entry, instead of a traceback halfway through a sync. That line
is read by the office, so it is Vietnamese; keys, ids and allowed values stay quoted as written.
Every value is read through ``reading.Reader``, which checks its kind (a string, a number, a
table …) before anything here uses it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path

from .model import (
    REFERENCES,
    ROLLUPS,
    Column,
    Field,
    FieldType,
    Indicator,
    Rule,
    Schema,
    Tab,
    Table,
)
from .reading import Entry, Reader, SchemaError, name_of, read_toml, shown

__all__ = ["BUILTIN", "SchemaError", "build_schema", "load_schema", "parse_schema"]

BUILTIN = ("midterm_2020_2025",)

_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
# Names Excel or Sheets would read as a cell (A1, XFD1048576) or an R1C1 reference.
_CELL_LIKE = re.compile(r"^([a-z]{1,3}[0-9]+|r[0-9]*c[0-9]*)$")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_OPS = ("==", "<=", ">=", "<", ">")
_LAYOUTS = ("form", "indicators", "narrative", "table")
_PATTERNS = ("phone_vn", "email")
_PREFILLS = ("unit_code", "unit_name", "unit_type", "version")
_TYPES = tuple(t.value for t in FieldType)
_TAB_ROLLUPS = ("sum", "mean")  # how a form tab's counts add up across units
_COLUMN_WIDTH_MAX = 255  # Excel's widest column
_TOP = "phần đầu tệp"  # the keys before any [section]
_NARRATIVE = "[narrative]"
_INDICATOR_RULES = "[indicator_rules]"

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
# The keys each layout reads; on a tab of another layout they would be silently ignored.
_LAYOUT_KEYS = {
    "form": {"field", "rollup"},
    "narrative": {"field"},
    "indicators": {"indicator"},
    "table": {"table", "column", "max_rows", "row_required", "min_complete_rows", "require_value"},
}
_LAYOUT_ONLY: set[str] = set().union(*_LAYOUT_KEYS.values())
_TAB_KEYS = {"id", "title", "layout", "heading"} | _LAYOUT_ONLY
_TOP_KEYS = {
    "id", "version", "previous_versions", "title", "subject", "term_start", "unit_types", "choices", "narrative",
    "indicator_rules", "tab", "rule",
}  # fmt: skip
_NARRATIVE_KEYS = {"min_chars", "placeholders"}
_INDICATOR_RULE_KEYS = {
    "not_applicable", "rate_tolerance", "note_required_when_assessment",
    "note_required_when_forecast",
}  # fmt: skip
_RULE_KEYS = {"id", "left", "op", "right"}
_REQUIRE_KEYS = {"column", "value"}


def load_schema(ref: str | Path = "midterm_2020_2025") -> Schema:
    """Load a built-in schema by id, or a schema file by path."""
    if isinstance(ref, str) and ref in BUILTIN:
        text = resources.files(__package__).joinpath(f"{ref}.toml").read_text("utf-8")
        return parse_schema(text, source=f"{ref}.toml")
    path = Path(ref)
    if not path.is_file():
        known = ", ".join(BUILTIN)
        raise SchemaError(f"{path}: không có tệp mẫu (schema) này (mẫu có sẵn: {known})")
    return parse_schema(path.read_text("utf-8"), source=str(path))


def parse_schema(text: str, source: str = "<schema>") -> Schema:
    """Build and check a ``Schema`` from the text of a schema file."""
    schema = build_schema(read_toml(text, source), source)
    return replace(schema, fingerprint=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


def build_schema(doc: Entry, source: str = "<schema>") -> Schema:
    """Build and check a ``Schema`` from a parsed schema file (what ``tomllib`` returns).

    The schema carries no fingerprint: that is a hash of the file's text, which only
    ``parse_schema`` has."""
    return _Builder(source).build(doc)


class _Builder(Reader):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.ids: dict[str, str] = {}  # id → where it was declared
        self.fields: dict[str, Field] = {}  # single-cell fields declared so far
        self.choices: dict[str, tuple[str, ...]] = {}
        self.unit_types: dict[str, str] = {}

    def claim(self, ident: str, where: str) -> None:
        if not _ID.match(ident):
            raise self.fail(
                where, f"id {ident!r} phải viết chữ thường không dấu, có dấu gạch dưới (snake_case)"
            )
        if _CELL_LIKE.match(ident.replace("_", "")):
            raise self.fail(where, f"id {ident!r} có thể bị đọc nhầm thành địa chỉ ô")
        if len(ident) > 255:
            raise self.fail(where, f"id {ident!r} dài quá 255 ký tự, giới hạn tên vùng của Excel")
        self.unique(ident, where, self.ids, "id")

    def unique(self, name: str, where: str, seen: dict[str, str], what: str) -> None:
        """Record ``name`` in ``seen``; a second one is an error naming the first."""
        if name in seen:
            raise self.fail(where, f"{what} {name!r} bị trùng (đã khai ở {seen[name]})")
        seen[name] = where

    def ftype(self, entry: Entry, where: str) -> FieldType:
        return FieldType(self.choice(entry, "type", _TYPES, where))

    def choice_list(
        self, entry: Entry, ftype: FieldType, where: str
    ) -> tuple[str | None, tuple[str, ...]]:
        if ftype is not FieldType.CHOICE:
            if "choices" in entry:
                raise self.fail(where, "có choices nhưng type không phải 'choice'")
            return None, ()
        name = self.text(entry, "choices", where)
        if name not in self.choices:
            raise self.fail(where, f"danh sách lựa chọn {name!r} chưa khai trong [choices]")
        return name, self.choices[name]

    def build(self, doc: Entry) -> Schema:
        self.keys(doc, _TOP_KEYS, _TOP)
        schema_id = self.text(doc, "id", _TOP)
        self.choices = self.choice_lists(doc)
        self.unit_types = self.unit_type_labels(doc)
        term_start = self.day(doc, "term_start", _TOP)
        tab_entries = self.tables(doc, "tab", _TOP, "tab")
        if not tab_entries:
            raise self.fail(_TOP, "thiếu trang: cần ít nhất một mục [[tab]]")
        tabs = tuple(self.tab(t, i) for i, t in enumerate(tab_entries))
        titles: dict[str, str] = {}
        tab_ids: dict[str, str] = {}
        for t in tabs:
            # Excel takes "Thông tin" and "THÔNG TIN" for the same sheet.
            if t.title.casefold() in titles:
                raise self.fail(f"trang {t.title!r}", "tên trang bị trùng")
            titles[t.title.casefold()] = t.title
            self.unique(t.id, f"trang {t.title!r}", tab_ids, "id trang")
        rule_ids: dict[str, str] = {}
        rules = []
        for i, entry in enumerate(self.tables(doc, "rule", _TOP, "rule")):
            rule = self.rule(entry, i)
            self.unique(rule.id, f"quy tắc thứ {i + 1}", rule_ids, "id")
            rules.append(rule)
        narrative = self.table(doc, "narrative", _TOP)
        self.keys(narrative, _NARRATIVE_KEYS, _NARRATIVE)
        ind = self.table(doc, "indicator_rules", _TOP)
        self.keys(ind, _INDICATOR_RULE_KEYS, _INDICATOR_RULES)
        tolerance = self.number(ind, "rate_tolerance", _INDICATOR_RULES)
        if tolerance is not None and tolerance < 0:
            raise self.fail(_INDICATOR_RULES, "khóa 'rate_tolerance' phải là số không âm")
        schema = Schema(
            id=schema_id,
            version=self.text(doc, "version", _TOP),
            title=self.text(doc, "title", _TOP, default=schema_id),
            subject=self.text(doc, "subject", _TOP, default=""),
            term_start=term_start,
            unit_types=self.unit_types,
            choices=self.choices,
            tabs=tabs,
            rules=tuple(rules),
            previous_versions=self.texts(doc, "previous_versions", _TOP),
            min_chars=self.integer(narrative, "min_chars", _NARRATIVE, 50, least=1),
            placeholders=self.texts(narrative, "placeholders", _NARRATIVE),
            not_applicable=self.text(ind, "not_applicable", _INDICATOR_RULES, "Không áp dụng"),
            rate_tolerance=0.1 if tolerance is None else tolerance,
            note_when_assessment=self.texts(
                ind, "note_required_when_assessment", _INDICATOR_RULES, ("Chưa đạt",)
            ),
            note_when_forecast=self.texts(ind, "note_required_when_forecast", _INDICATOR_RULES),
            source=self.source,
        )
        self.check_fields(schema)
        return schema

    def check_fields(self, schema: Schema) -> None:
        """What one field's keys cannot say alone: its version is one this schema knows, and
        its date bounds are in order."""
        known = (schema.version, *schema.previous_versions)
        for f in schema.fields:
            where = f"trường {f.id!r}"
            if f.since is not None and f.since not in known:
                raise self.fail(
                    where,
                    f"since = {f.since!r} không phải phiên bản của mẫu này "
                    f"({', '.join(repr(v) for v in known)})",
                )
            lo, hi = f.min_date, f.max_date
            if isinstance(lo, date) and isinstance(hi, date) and lo > hi:
                raise self.fail(where, f"min_date ({lo:%d/%m/%Y}) sau max_date ({hi:%d/%m/%Y})")

    def choice_lists(self, doc: Entry) -> dict[str, tuple[str, ...]]:
        out = {}
        for name, items in self.table(doc, "choices", _TOP).items():
            if (
                not isinstance(items, list)
                or not items
                or not all(isinstance(i, str) and i.strip() for i in items)
            ):
                raise self.fail(
                    f"[choices] {name}",
                    f"phải là danh sách các nhãn trong ngoặc kép, không để trống, "
                    f"không phải {shown(items)}",
                )
            out[name] = tuple(items)
        return out

    def unit_type_labels(self, doc: Entry) -> dict[str, str]:
        labels = self.table(doc, "unit_types", _TOP)
        if not labels:
            raise self.fail(_TOP, "thiếu mục [unit_types]")
        return {code: self.text(labels, code, "[unit_types]") for code in labels}

    def tab(self, entry: Entry, index: int) -> Tab:
        where = f"trang thứ {index + 1}"
        self.keys(entry, _TAB_KEYS, where)
        title = self.text(entry, "title", where)
        where = f"trang {title!r}"
        if len(title) > 31 or _BAD_TITLE.search(title):
            raise self.fail(where, "tên trang dài tối đa 31 ký tự, không có []:*?/\\")
        tab_id = self.text(entry, "id", where)
        layout = self.choice(entry, "layout", _LAYOUTS, where)
        stray = sorted(set(entry) & _LAYOUT_ONLY - _LAYOUT_KEYS[layout])
        if stray:
            raise self.fail(where, f"khóa {stray[0]!r} không dùng cho trang có layout {layout!r}")
        fields = [self.field(f, title) for f in self.tables(entry, "field", where, "tab.field")]
        if layout == "narrative" and not all(
            f.narrative and f.type is FieldType.TEXT for f in fields
        ):
            raise self.fail(
                where, "trang có layout 'narrative' chỉ gồm trường type 'text' có narrative = true"
            )
        self.fields.update((f.id, f) for f in fields)
        indicators = tuple(
            self.indicator(i, title)
            for i in self.tables(entry, "indicator", where, "tab.indicator")
        )
        for ind in indicators:
            fields.extend(self.indicator_fields(ind, title))
        table = self.table_of(entry, title) if layout == "table" else None
        return Tab(
            id=tab_id,
            title=title,
            layout=layout,
            heading=self.text(entry, "heading", where, default=title),
            fields=tuple(fields),
            indicators=indicators,
            table=table,
            rollup=self.maybe_choice(entry, "rollup", _TAB_ROLLUPS, where),
        )

    def field(self, entry: Entry, tab: str) -> Field:
        where = f"trang {tab!r}, trường {name_of(entry, 'id')}"
        self.keys(entry, _FIELD_KEYS, where)
        ident = self.text(entry, "id", where)
        self.claim(ident, where)
        ftype = self.ftype(entry, where)
        choice_name, choices = self.choice_list(entry, ftype, where)
        lo, hi = self.bounds(entry, where)
        return Field(
            id=ident,
            label=self.text(entry, "label", where),
            type=ftype,
            tab=tab,
            required=self.flag(entry, "required", where, True),
            choices=choices,
            choice_list=choice_name,
            min=lo,
            max=hi,
            min_date=self.date_bound(entry, "min_date", where),
            max_date=self.date_bound(entry, "max_date", where),
            pattern=self.maybe_choice(entry, "pattern", _PATTERNS, where),
            max_length=self.max_length(entry, ftype, where),
            prefill=self.maybe_choice(entry, "prefill", _PREFILLS, where),
            hint=self.text(entry, "hint", where, default=""),
            narrative=self.flag(entry, "narrative", where, False),
            sign_off=self.flag(entry, "sign_off", where, False),
            template_version=self.flag(entry, "template_version", where, False),
            must_equal_unit_code=self.flag(entry, "must_equal_unit_code", where, False),
            unit_type=self.flag(entry, "unit_type", where, False),
            since=self.since(entry, where),
        )

    def since(self, entry: Entry, where: str) -> str | None:
        value = self.maybe_text(entry, "since", where)
        if value is not None and self.flag(entry, "required", where, True):
            # An old file lacks the cell: a required one would leave it forever incomplete.
            raise self.fail(
                where,
                "trường thêm ở phiên bản sau (có since) phải là trường không bắt buộc "
                "(required = false)",
            )
        return value

    def max_length(self, entry: Entry, ftype: FieldType, where: str) -> int | None:
        if "max_length" not in entry:
            return None
        if ftype is not FieldType.TEXT:
            raise self.fail(where, "max_length chỉ đặt cho trường có type 'text'")
        return self.integer(entry, "max_length", where, 0, least=1)

    def bounds(self, entry: Entry, where: str) -> tuple[float | None, float | None]:
        lo, hi = self.number(entry, "min", where), self.number(entry, "max", where)
        if lo is not None and hi is not None and lo > hi:
            raise self.fail(where, f"'min' ({lo}) lớn hơn 'max' ({hi})")
        return lo, hi

    def indicator(self, entry: Entry, tab: str) -> Indicator:
        where = f"trang {tab!r}, chỉ tiêu {name_of(entry, 'key')}"
        self.keys(entry, _INDICATOR_KEYS, where)
        key = self.text(entry, "key", where)
        ftype = self.ftype(entry, where)
        if not ftype.is_number:
            raise self.fail(where, f"type của chỉ tiêu phải là kiểu số, không phải {ftype.value!r}")
        better = self.choice(entry, "better", ("higher", "lower"), where)
        rollup = self.text(entry, "rollup", where)
        if rollup == "mean":
            raise self.fail(
                where,
                "rollup 'mean' không còn là số liệu toàn huyện (trung bình cộng của các đơn vị "
                "không phải kết quả của huyện): dùng 'weighted' (kèm weight = một trường số của "
                "đơn vị, ví dụ tt_dan_so) hoặc 'entered' (số liệu thống kê của huyện, ghi trong "
                '[district_results]), và reference = "mean" để giữ số trung bình làm cột tham '
                "khảo",
            )
        rollup = self.choice(entry, "rollup", ROLLUPS, where)
        self.rollup_keys(entry, rollup, where)
        self.need(entry, "applies_to", where)
        applies = self.texts(entry, "applies_to", where)
        unknown = [t for t in applies if t != "all" and t not in self.unit_types]
        if not applies or unknown:
            raise self.fail(
                where,
                f"applies_to phải ghi 'all' hoặc các loại đơn vị đã khai trong [unit_types] "
                f"({', '.join(self.unit_types)}); đang ghi {list(applies)}",
            )
        if ("numerator" in entry) != ("denominator" in entry):
            raise self.fail(where, "chỉ tiêu tỷ lệ cần cả numerator lẫn denominator")
        if rollup == "ratio" and "numerator" not in entry:
            raise self.fail(where, "rollup 'ratio' cần numerator và denominator")
        if "du_bao" not in self.choices:
            raise self.fail(where, "chỉ tiêu cần danh sách lựa chọn 'du_bao' trong [choices]")
        lo, hi = self.bounds(entry, where)
        return Indicator(
            key=key,
            label=self.text(entry, "label", where),
            unit=self.text(entry, "unit", where, default=""),
            group=self.text(entry, "group", where, default=""),
            type=ftype,
            better=better,
            applies_to=frozenset(applies),
            rollup=rollup,
            min=lo,
            max=hi,
            numerator=self.maybe_text(entry, "numerator", where),
            denominator=self.maybe_text(entry, "denominator", where),
            weight=self.maybe_text(entry, "weight", where),
            threshold=self.number(entry, "threshold", where),
            district_label=self.maybe_text(entry, "district_label", where),
            district_unit=self.maybe_text(entry, "district_unit", where),
            reference=self.maybe_choice(entry, "reference", REFERENCES, where),
        )

    def rollup_keys(self, entry: Entry, rollup: str, where: str) -> None:
        """The keys each roll-up needs, and none that belong to another."""
        own = {"weighted": {"weight"}, "count": {"threshold", "district_label", "district_unit"}}
        for kind, keys in own.items():
            stray = sorted(k for k in keys if k in entry and kind != rollup)
            if stray:
                raise self.fail(
                    where, f"{stray[0]!r} chỉ dùng với rollup {kind!r}, không dùng với {rollup!r}"
                )
        if rollup == "weighted":
            self.need(entry, "weight", where)
            weight = self.text(entry, "weight", where)
            f = self.fields.get(weight)
            if f is None or not f.type.is_number:
                raise self.fail(
                    where, f"weight {weight!r} phải là một trường kiểu số đã khai ở trang trước"
                )
        if rollup == "count":
            self.need(entry, "threshold", where)
            self.number(entry, "threshold", where)
            self.text(entry, "district_label", where)

    def indicator_fields(self, ind: Indicator, tab: str) -> list[Field]:
        fields = ind.fields(tab, forecasts=self.choices["du_bao"])
        for f in fields:
            self.claim(f.id, f"trang {tab!r}, chỉ tiêu {ind.key!r}")
        return list(fields)

    def table_of(self, entry: Entry, tab: str) -> Table:
        where = f"trang {tab!r}"
        name = self.text(entry, "table", where)
        self.claim(name, where)
        self.need(entry, "column", where)
        columns = [self.column(c, where) for c in self.tables(entry, "column", where, "tab.column")]
        if not columns:
            raise self.fail(where, "bảng cần ít nhất một cột [[tab.column]]")
        seen: dict[str, str] = {}
        for c in columns:
            self.unique(c.id, f"{where}, cột {c.id!r}", seen, "id cột")
        ids = [c.id for c in columns]
        row_required = self.texts(
            entry, "row_required", where, tuple(c.id for c in columns if c.required)
        )
        for cid in row_required:
            if cid not in ids:
                raise self.fail(where, f"row_required ghi cột {cid!r} không có trong bảng")
        max_rows = self.integer(entry, "max_rows", where, 30, least=1)
        min_rows = self.integer(entry, "min_complete_rows", where, 1, least=0)
        if min_rows > max_rows:
            raise self.fail(
                where, f"'min_complete_rows' ({min_rows}) lớn hơn 'max_rows' ({max_rows})"
            )
        column, value = None, None
        if "require_value" in entry:
            req = self.table(entry, "require_value", where)
            rwhere = f"{where}, require_value"
            self.keys(req, _REQUIRE_KEYS, rwhere)
            column, value = self.text(req, "column", rwhere), self.text(req, "value", rwhere)
            if column not in ids:
                raise self.fail(where, f"require_value ghi cột {column!r} không có trong bảng")
            choices = columns[ids.index(column)].choices
            if choices and value not in choices:
                raise self.fail(
                    where, f"require_value {value!r} không phải một lựa chọn của cột {column!r}"
                )
        return Table(
            name=name,
            tab=tab,
            label=self.text(entry, "heading", where, default=tab),
            max_rows=max_rows,
            columns=tuple(columns),
            row_required=row_required,
            min_complete_rows=min_rows,
            require_column=column,
            require_value=value,
        )

    def column(self, entry: Entry, where: str) -> Column:
        where = f"{where}, cột {name_of(entry, 'id')}"
        self.keys(entry, _COLUMN_KEYS, where)
        ident = self.text(entry, "id", where)
        ftype = self.ftype(entry, where)
        choice_name, choices = self.choice_list(entry, ftype, where)
        width = self.number(entry, "width", where)
        if width is not None and not 0 < width <= _COLUMN_WIDTH_MAX:
            raise self.fail(where, f"khóa 'width' phải là số lớn hơn 0, tối đa {_COLUMN_WIDTH_MAX}")
        return Column(
            id=ident,
            label=self.text(entry, "label", where),
            type=ftype,
            required=self.flag(entry, "required", where, True),
            choices=choices,
            choice_list=choice_name,
            max_date=self.date_bound(entry, "max_date", where),
            width=20 if width is None else width,
        )

    def rule(self, entry: Entry, index: int) -> Rule:
        where = f"quy tắc {name_of(entry, 'id')}" if "id" in entry else f"quy tắc thứ {index + 1}"
        self.keys(entry, _RULE_KEYS, where)
        ident = self.text(entry, "id", where, default=f"rule_{index + 1}")
        left = self.text(entry, "left", where)
        # right: one field id, or a list of them that are summed
        right = self.need(entry, "right", where)
        if isinstance(right, str):
            right_ids: tuple[str, ...] = (self.text(entry, "right", where),)
        elif isinstance(right, list):
            right_ids = self.texts(entry, "right", where)
        else:
            raise self.wrong(where, "right", "một id trường, hoặc danh sách các id trường", right)
        if not right_ids:
            raise self.fail(where, "khóa 'right' cần ít nhất một id trường")
        op = self.choice(entry, "op", _OPS, where)
        for operand in (left, *right_ids):
            if operand not in self.ids:
                raise self.fail(where, f"ghi trường {operand!r} chưa được khai")
        return Rule(id=ident, left=left, op=op, right=right_ids)
