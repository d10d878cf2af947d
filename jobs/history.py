"""Field history: which figure a unit changed, from what to what, when, and who.

The job compares each version of a unit it reads with the previous one it kept, field by field
(by field id, so a new template version does not make every field look changed), and keeps one
row per changed value in the state. Recording costs a dictionary comparison for the units that
changed; nothing is re-read. The history does not depend on the raw snapshots, so keeping or
pruning those never loses it.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sheets_schema import ParsedReport, Schema
from sheets_schema.findings import a1
from sheets_schema.values import fmt_number

from .config import Config
from .model import UnitOutcome
from .state import CachedParse, ChangeRow, State, StateError

# A text longer than this is shown as "đã sửa (n ký tự → m ký tự)" in the workbook; the whole
# change stays available through `tonghop history`.
LONG_TEXT = 120


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs between two versions of a unit the job read."""

    unit_code: str
    run_id: int
    changed_at: datetime  # when the unit saved it: Drive's modifiedTime or the file's time
    seen_at: datetime  # the run's "now", when the job saw it
    editor: str  # Drive's lastModifyingUser display name; "" for files
    field: str  # the field id, or the table column id
    row: int | None  # the table row (1-based) for a table cell
    tab: str
    cell: str
    old: Any
    new: Any

    def label(self, schema: Schema) -> str:
        """What a reader calls this field: its label in the current schema, else its id."""
        if self.row is not None:
            table = next((t for t in schema.tables if any(c.id == self.field for c in t.columns)),
                         None)  # fmt: skip
            if table is None:
                return f"{self.field}, dòng {self.row}"
            return f"{table.label}: {table.column(self.field).label}, dòng {self.row}"
        if schema.has_field(self.field):
            return schema.field(self.field).label
        return self.field


# ---------------------------------------------------------------------- recording
def _encode(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return json.dumps({"$datetime": value.isoformat()})
    if isinstance(value, date):
        return json.dumps({"$date": value.isoformat()})
    return json.dumps(value, ensure_ascii=False)


def _decode(text: str | None) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict):
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def _encoded(value: Any) -> Any:
    """A value as the state keeps it in a parse (dates as {"$date": …})."""
    text = _encode(value)
    return None if text is None else json.loads(text)


def diff_values(previous: dict[str, Any], prev_cells: dict[str, Any], current: ParsedReport,
                schema: Schema) -> list[tuple[str, int | None, str, str, Any, Any]]:  # fmt: skip
    """(field, row, tab, cell, old, new) for each value that differs, compared by id.

    ``previous`` holds values as the state keeps them (JSON, dates encoded). A field only one
    version knows (a field added or dropped by a new template) is not a change.
    """
    out: list[tuple[str, int | None, str, str, Any, Any]] = []
    tables = {t.name: t for t in schema.tables}
    # The template's own version cell changes with every new template: not a unit's change.
    own = {f.id for f in schema.fields if f.template_version}
    for key, new in current.values.items():
        if key not in previous or key in own:
            continue
        old = previous[key]
        if key in tables:
            out.extend(_diff_table(tables[key].name, old or [], new or [], current,
                                   [c.id for c in tables[key].columns]))  # fmt: skip
            continue
        if _same(old, _encoded(new)):
            continue
        tab, cell = current.cells.get(key) or prev_cells.get(key) or ("", "")
        out.append((key, None, tab, cell, _decode(json.dumps(old)), new))
    return out


def _diff_table(name: str, old_rows: list[dict[str, Any]], new_rows: list[dict[str, Any]],
                current: ParsedReport, columns: list[str]) -> Iterable[tuple[str, int | None, str, str, Any, Any]]:  # fmt: skip
    tab, first = current.cells.get(name) or ("", "A1")
    numbers = current.table_rows.get(name) or []
    for i in range(max(len(old_rows), len(new_rows))):
        old = old_rows[i] if i < len(old_rows) else {}
        new = new_rows[i] if i < len(new_rows) else {}
        number = numbers[i] if i < len(numbers) else i + 1
        for c, col in enumerate(columns):
            before, after = old.get(col), new.get(col)
            if _same(before, _encoded(after)):
                continue
            cell = _offset(first, number - 1, c)
            out_old = _decode(json.dumps(before)) if before is not None else None
            yield (col, i + 1, tab, cell, out_old, after)


def _offset(top_left: str, rows: int, cols: int) -> str:
    letters = "".join(ch for ch in top_left if ch.isalpha())
    digits = "".join(ch for ch in top_left if ch.isdigit())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return a1(int(digits or 1) + rows, col + cols)


def record(state: State, schema: Schema, code: str, entry: CachedParse, run_id: int,
           as_of: datetime) -> int:  # fmt: skip
    """Compare ``entry`` with the unit's previous kept parse and store what changed.

    Call before the new parse replaces the old one. Returns how many values changed. A version
    with the same content, or either side not the template, records nothing.
    """
    previous = state.last_parse_json(code)
    if previous is None or previous[0] == entry.content_hash or not entry.report.is_template:
        return 0
    old = json.loads(previous[1])
    if not old.get("is_template", True):
        return 0
    changes = diff_values(old.get("values") or {}, old.get("cells") or {}, entry.report, schema)
    if not changes:
        return 0
    changed_at = min(entry.modified_time, as_of).isoformat()
    rows: list[ChangeRow] = [
        (code, run_id, changed_at, as_of.isoformat(), entry.editor, field, row, tab, cell,
         _encode(before), _encode(after))
        for field, row, tab, cell, before, after in changes
    ]  # fmt: skip
    state.add_changes(rows)
    return len(rows)


# ---------------------------------------------------------------------- reading
def _change(row: ChangeRow) -> FieldChange:
    code, run_id, changed, seen, editor, field, number, tab, cell, old, new = row
    return FieldChange(code, run_id, datetime.fromisoformat(changed), datetime.fromisoformat(seen),
                       editor or "", field, number, tab, cell, _decode(old), _decode(new))  # fmt: skip


def unit_history(state: State, code: str, field: str | None = None,
                 since: datetime | None = None) -> list[FieldChange]:  # fmt: skip
    """Every recorded change of ``code``'s fields, oldest first."""
    return [_change(r) for r in state.changes(code, field, since)]


def changes_after_submission(state: State) -> list[FieldChange]:
    """Every unit's changes seen after the run that first saw it submitted, newest first."""
    rows = [_change(r) for r in state.changes(after_first_submission=True)]
    rows.sort(key=lambda c: (c.changed_at, c.run_id), reverse=True)
    return rows


# ---------------------------------------------------------------------- words
def show_value(value: Any, long_text: int | None = None) -> str:
    """A value as a Vietnamese reader writes it: 1.234,5 · 23/03/2023 · Có · (trống)."""
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float):
        return (
            fmt_number(float(value), 4) if not float(value).is_integer() else fmt_number(value, 0)
        )
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def is_long(change: FieldChange) -> bool:
    """Whether the old or the new value is a text too long to show whole in the workbook."""
    return any(isinstance(v, str) and len(v) > LONG_TEXT for v in (change.old, change.new))


def shown_change(change: FieldChange) -> tuple[str, str]:
    """Old and new as the workbook shows them; a long text as ("đã sửa (n ký tự → m ký tự)",
    "")."""
    old, new = change.old, change.new
    if is_long(change):
        n = len(old) if isinstance(old, str) else 0
        m = len(new) if isinstance(new, str) else 0
        return f"đã sửa ({fmt_number(n, 0)} ký tự → {fmt_number(m, 0)} ký tự)", ""
    return show_value(old), show_value(new)


def unit_deadlines(outcomes: Sequence[UnitOutcome]) -> dict[str, datetime]:
    """Each unit's first late instant (its own deadline, if it has one), by code."""
    return {o.unit.code: o.deadline_at for o in outcomes}


def after_deadline(change: FieldChange, deadlines: Mapping[str, datetime]) -> bool:
    """Whether the unit made this change at or after its deadline (``unit_deadlines``)."""
    deadline = deadlines.get(change.unit_code)
    return deadline is not None and change.changed_at >= deadline


def late_changes_line(changes: Sequence[FieldChange], outcomes: Sequence[UnitOutcome]) -> str:
    """One sentence for the draft's section I: how many units changed figures after the
    deadline, and which ("" when none did)."""
    deadlines = unit_deadlines(outcomes)
    names = {o.unit.code: o.unit.name for o in outcomes}
    changed = {c.unit_code for c in changes if after_deadline(c, deadlines)}
    late = [o.unit.code for o in outcomes if o.unit.code in changed]  # roster order
    if not late:
        return ""
    listed = "; ".join(names[c] for c in late)  # unit names may hold commas
    return (
        f"Có {len(late)} đơn vị sửa số liệu sau hạn nộp: {listed} (chi tiết ở trang “Lịch sử "
        f"thay đổi” của bản tổng hợp)."
    )


def history_lines(changes: Sequence[FieldChange], schema: Schema, timezone: str) -> list[str]:
    """The `tonghop history` text: one block per change, oldest first, whole values."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(timezone)
    lines: list[str] = []
    for c in changes:
        who = f", người sửa: {c.editor}" if c.editor else ""
        lines.append(
            f"{c.changed_at.astimezone(tz):%d/%m/%Y %H:%M} · {c.label(schema)} "
            f"(trang “{c.tab}”, ô {c.cell}){who}"
        )
        lines.append(f"    cũ:  {show_value(c.old)}")
        lines.append(f"    mới: {show_value(c.new)}")
        lines.append(
            f"    hệ thống thấy lúc {c.seen_at.astimezone(tz):%d/%m/%Y %H:%M}, lần chạy {c.run_id}"
        )
    return lines


# ---------------------------------------------------------------------- the command
class HistoryError(Exception):
    """`tonghop history` cannot answer; the message says why and what to do."""


def _since(text: str, timezone: str) -> datetime:
    from zoneinfo import ZoneInfo

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise HistoryError(
            f"--since {text!r} không phải ngày hay thời điểm; ghi dạng 2023-03-23 hoặc "
            f"2023-03-23T08:00+07:00"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def history_text(config: Config, code: str, field: str | None = None,
                 since: str | None = None) -> list[str]:  # fmt: skip
    """The lines `tonghop history CODE` prints: a heading, then each change, oldest first."""
    from sheets_schema import load_schema

    from .roster import roster_of

    schema = load_schema(config.report.schema)
    units = {u.code.casefold(): u for u in roster_of(config)}
    unit = units.get(code.casefold())
    if unit is None:
        raise HistoryError(f"không có đơn vị mã {code} trong danh sách đơn vị; kiểm tra lại mã")
    known = {f.id for f in schema.fields} | {c.id for t in schema.tables for c in t.columns}
    if field is not None and field not in known:
        raise HistoryError(
            f"mẫu báo cáo không có trường {field}; mã trường ở cột “Trường” trang Lỗi hoặc "
            f"trong values.csv"
        )
    when = _since(since, config.report.timezone) if since else None
    if not config.output.state.exists():
        raise HistoryError(
            f"chưa có tệp trạng thái {config.output.state}: hãy chạy trước "
            + shlex.join(["tonghop", "sync", "--config", str(config.path)])
        )
    try:
        state = State(config.output.state)
        try:
            changes = unit_history(state, unit.code, field, when)
        finally:
            state.close()
    except StateError as exc:
        raise HistoryError(str(exc)) from exc
    head = f"{unit.code} – {unit.name}: "
    if not changes:
        return [head + "chưa có thay đổi nào giữa các phiên bản hệ thống đã đọc."]
    note = (
        "thời điểm sửa theo Google Drive"
        if any(c.editor for c in changes)
        else "thời điểm sửa là thời điểm tệp được lưu (hoặc Google Drive ghi nhận)"
    )
    return [f"{head}{len(changes)} thay đổi ({note}).",
            *history_lines(changes, schema, config.report.timezone)]  # fmt: skip
