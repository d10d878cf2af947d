"""Load a schema file into a ``Schema``, checking it as it is read.

A broken schema is the district IT person's mistake, not a unit's: it stops everything with one
line that names the file and the entry, instead of a traceback halfway through a sync. That line
is read by the office, so it is Vietnamese; keys, ids and allowed values stay quoted as written.
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

_AT_END = "lỗi ở cuối tệp (có thể thiếu dấu đóng ngoặc hoặc dấu ngoặc kép)"
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)$")
_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
# Names Excel or Sheets would read as a cell (A1, XFD1048576) or an R1C1 reference.
_CELL_LIKE = re.compile(r"^([a-z]{1,3}[0-9]+|r[0-9]*c[0-9]*)$")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_OPS = ("==", "<=", ">=", "<", ">")
_LAYOUTS = ("form", "indicators", "narrative", "table")
_PATTERNS = ("phone_vn", "email")
_PREFILLS = ("unit_code", "unit_name", "unit_type", "version")
_TOP = "phần đầu tệp"  # the keys before any [section]

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
    """The schema file is broken; the message (Vietnamese) names the file and the entry."""


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
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = _toml_position(exc, text)
        raise SchemaError(f"{source}: không phải TOML hợp lệ: {where}") from exc
    schema = _Builder(source).build(doc)
    return replace(schema, fingerprint=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


def _toml_position(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """Where tomllib stopped, in Vietnamese, with the line as written: its reason is English."""
    # Python 3.14 gives lineno/colno; before that, only the message's "(at line 13, column 3)".
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if line is None or column is None:
        found = _TOML_AT.search(str(exc))
        if found is None:
            return _AT_END
        line, column = int(found.group(1)), int(found.group(2))
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return _AT_END
    return f"dòng {line}, cột {column}: {lines[line - 1].strip()}"


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.ids: dict[str, str] = {}  # id → where it was declared
        self.fields: dict[str, Field] = {}  # single-cell fields declared so far

    def fail(self, where: str, message: str) -> SchemaError:
        return SchemaError(f"{self.source}: {where}: {message}")

    def claim(self, ident: str, where: str) -> None:
        if not isinstance(ident, str) or not _ID.match(ident):
            raise self.fail(
                where, f"id {ident!r} phải viết chữ thường không dấu, có dấu gạch dưới (snake_case)"
            )
        if _CELL_LIKE.match(ident.replace("_", "")):
            raise self.fail(where, f"id {ident!r} có thể bị đọc nhầm thành địa chỉ ô")
        if len(ident) > 255:
            raise self.fail(where, f"id {ident!r} dài quá 255 ký tự, giới hạn tên vùng của Excel")
        if ident in self.ids:
            raise self.fail(where, f"id {ident!r} bị trùng (đã khai ở {self.ids[ident]})")
        self.ids[ident] = where

    def keys(self, entry: dict[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise self.fail(
                where, f"khóa {unknown[0]!r} không hợp lệ (được dùng: {sorted(allowed)})"
            )

    def need(self, entry: dict[str, Any], key: str, where: str) -> Any:
        if key not in entry:
            raise self.fail(where, f"thiếu khóa bắt buộc {key!r}")
        return entry[key]

    def ftype(self, value: Any, where: str) -> FieldType:
        try:
            return FieldType(value)
        except ValueError:
            allowed = ", ".join(t.value for t in FieldType)
            raise self.fail(where, f"type {value!r} không hợp lệ (được dùng: {allowed})") from None

    def date_bound(self, value: Any, where: str) -> DateBound:
        if value is None or isinstance(value, date) or value in (RUN_DATE, TERM_START):
            return value
        raise self.fail(
            where,
            f"giới hạn ngày {value!r} phải là một ngày (ví dụ 2023-03-23), "
            f"{RUN_DATE!r} hoặc {TERM_START!r}",
        )

    def choice_list(self, entry: dict[str, Any], where: str) -> tuple[str | None, tuple[str, ...]]:
        if entry.get("type") != "choice":
            if "choices" in entry:
                raise self.fail(where, "có choices nhưng type không phải 'choice'")
            return None, ()
        name = self.need(entry, "choices", where)
        if name not in self.choices:
            raise self.fail(where, f"danh sách lựa chọn {name!r} chưa khai trong [choices]")
        return name, self.choices[name]

    def build(self, doc: dict[str, Any]) -> Schema:
        self.keys(doc, _TOP_KEYS, _TOP)
        schema_id = self.need(doc, "id", _TOP)
        self.choices: dict[str, tuple[str, ...]] = {}
        for name, items in doc.get("choices", {}).items():
            if (
                not isinstance(items, list)
                or not items
                or not all(isinstance(i, str) for i in items)
            ):
                raise self.fail(f"[choices] {name}", "phải là danh sách các nhãn, không để trống")
            self.choices[name] = tuple(items)
        unit_types = dict(doc.get("unit_types", {}))
        if not unit_types:
            raise self.fail(_TOP, "thiếu mục [unit_types]")
        self.unit_types = unit_types
        term_start = self.need(doc, "term_start", _TOP)
        if not isinstance(term_start, date):
            raise self.fail("term_start", "phải là một ngày, không có ngoặc kép, ví dụ 2020-10-01")
        tabs = tuple(self.tab(t, i) for i, t in enumerate(self.need(doc, "tab", _TOP)))
        titles = [t.title for t in tabs]
        dup = next((t for t in titles if titles.count(t) > 1), None)
        if dup:
            raise self.fail(f"trang {dup!r}", "tên trang bị trùng")
        rules = tuple(self.rule(r, i) for i, r in enumerate(doc.get("rule", [])))
        narrative = doc.get("narrative", {})
        ind = doc.get("indicator_rules", {})
        return Schema(
            id=schema_id,
            version=str(self.need(doc, "version", _TOP)),
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
        where = f"trang thứ {index + 1}"
        self.keys(entry, _TAB_KEYS, where)
        title = self.need(entry, "title", where)
        where = f"trang {title!r}"
        if len(title) > 31 or _BAD_TITLE.search(title):
            raise self.fail(where, "tên trang dài tối đa 31 ký tự, không có []:*?/\\")
        layout = self.need(entry, "layout", where)
        if layout not in _LAYOUTS:
            raise self.fail(
                where, f"layout {layout!r} không hợp lệ (được dùng: {', '.join(_LAYOUTS)})"
            )
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
        where = f"trang {tab!r}, trường {entry.get('id', '?')!r}"
        self.keys(entry, _FIELD_KEYS, where)
        ident = self.need(entry, "id", where)
        self.claim(ident, where)
        ftype = self.ftype(self.need(entry, "type", where), where)
        choice_name, choices = self.choice_list(entry, where)
        pattern = entry.get("pattern")
        if pattern is not None and pattern not in _PATTERNS:
            raise self.fail(
                where, f"pattern {pattern!r} không hợp lệ (được dùng: {', '.join(_PATTERNS)})"
            )
        prefill = entry.get("prefill")
        if prefill is not None and prefill not in _PREFILLS:
            raise self.fail(
                where, f"prefill {prefill!r} không hợp lệ (được dùng: {', '.join(_PREFILLS)})"
            )
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
            raise self.fail(
                where,
                "trường thêm ở phiên bản sau (có since) phải là trường không bắt buộc "
                "(required = false)",
            )
        return str(value)

    def max_length(self, entry: dict[str, Any], ftype: FieldType, where: str) -> int | None:
        value = entry.get("max_length")
        if value is None:
            return None
        if ftype is not FieldType.TEXT or not isinstance(value, int) or value < 1:
            raise self.fail(
                where, "max_length phải là số nguyên dương, chỉ đặt cho trường có type 'text'"
            )
        return value

    def indicator(self, entry: dict[str, Any], tab: str) -> Indicator:
        where = f"trang {tab!r}, chỉ tiêu {entry.get('key', '?')!r}"
        self.keys(entry, _INDICATOR_KEYS, where)
        ftype = self.ftype(self.need(entry, "type", where), where)
        if not ftype.is_number:
            raise self.fail(where, f"type của chỉ tiêu phải là kiểu số, không phải {ftype.value!r}")
        better = self.need(entry, "better", where)
        if better not in ("higher", "lower"):
            raise self.fail(where, f"better phải là 'higher' hoặc 'lower', không phải {better!r}")
        rollup = self.need(entry, "rollup", where)
        if rollup == "mean":
            raise self.fail(
                where,
                "rollup 'mean' không còn là số liệu toàn huyện (trung bình cộng của các đơn vị "
                "không phải kết quả của huyện): dùng 'weighted' (kèm weight = một trường số của "
                "đơn vị, ví dụ tt_dan_so) hoặc 'entered' (số liệu thống kê của huyện, ghi trong "
                '[district_results]), và reference = "mean" để giữ số trung bình làm cột tham '
                "khảo",
            )
        if rollup not in ROLLUPS:
            raise self.fail(
                where, f"rollup {rollup!r} không hợp lệ (được dùng: {', '.join(ROLLUPS)})"
            )
        self.rollup_keys(entry, rollup, where)
        applies = self.need(entry, "applies_to", where)
        unknown = [t for t in applies if t != "all" and t not in self.unit_types]
        if not applies or unknown:
            raise self.fail(
                where,
                f"applies_to phải ghi 'all' hoặc các loại đơn vị đã khai trong [unit_types] "
                f"({', '.join(self.unit_types)}); đang ghi {applies}",
            )
        if ("numerator" in entry) != ("denominator" in entry):
            raise self.fail(where, "chỉ tiêu tỷ lệ cần cả numerator lẫn denominator")
        if rollup == "ratio" and "numerator" not in entry:
            raise self.fail(where, "rollup 'ratio' cần numerator và denominator")
        if "du_bao" not in self.choices:
            raise self.fail(where, "chỉ tiêu cần danh sách lựa chọn 'du_bao' trong [choices]")
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
                raise self.fail(
                    where, f"{stray[0]!r} chỉ dùng với rollup {kind!r}, không dùng với {rollup!r}"
                )
        if rollup == "weighted":
            weight = self.need(entry, "weight", where)
            f = self.fields.get(weight)
            if f is None or not f.type.is_number:
                raise self.fail(
                    where, f"weight {weight!r} phải là một trường kiểu số đã khai ở trang trước"
                )
        if rollup == "count":
            threshold = self.need(entry, "threshold", where)
            if isinstance(threshold, bool) or not isinstance(threshold, int | float):
                raise self.fail(where, "threshold phải là một số")
            self.need(entry, "district_label", where)
        reference = entry.get("reference")
        if reference is not None and reference not in REFERENCES:
            raise self.fail(
                where, f"reference {reference!r} không hợp lệ (được dùng: {', '.join(REFERENCES)})"
            )

    def indicator_fields(self, ind: Indicator, tab: str) -> list[Field]:
        where = f"trang {tab!r}, chỉ tiêu {ind.key!r}"
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
        where = f"trang {tab!r}"
        name = self.need(entry, "table", where)
        self.claim(name, where)
        columns = []
        for col in self.need(entry, "column", where):
            cwhere = f"{where}, cột {col.get('id', '?')!r}"
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
                raise self.fail(where, f"row_required ghi cột {cid!r} không có trong bảng")
        req = entry.get("require_value")
        if req is not None:
            if req.get("column") not in ids:
                raise self.fail(
                    where, f"require_value ghi cột {req.get('column')!r} không có trong bảng"
                )
            column = columns[ids.index(req["column"])]
            if column.choices and req.get("value") not in column.choices:
                raise self.fail(
                    where,
                    f"require_value {req.get('value')!r} không phải một lựa chọn của cột "
                    f"{req['column']!r}",
                )
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
        where = f"quy tắc {entry['id']!r}" if "id" in entry else f"quy tắc thứ {index + 1}"
        left = self.need(entry, "left", where)
        right = self.need(entry, "right", where)
        right_ids = (right,) if isinstance(right, str) else tuple(right)
        op = self.need(entry, "op", where)
        if op not in _OPS:
            raise self.fail(where, f"op {op!r} không hợp lệ (được dùng: {', '.join(_OPS)})")
        for ident in (left, *right_ids):
            if ident not in self.ids:
                raise self.fail(where, f"ghi trường {ident!r} chưa được khai")
        return Rule(id=entry.get("id", f"rule_{index + 1}"), left=left, op=op, right=right_ids)
