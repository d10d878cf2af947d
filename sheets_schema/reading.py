"""Typed reads from a parsed schema file, each failing with a line that says where and what.

tomllib hands back whatever the file holds: a string where the tabs belong, "false" in quotes,
a list where a table was meant. Every value the loader uses is read through one of these, so a
value of the wrong kind stops the load as a ``SchemaError`` naming the entry, the key and the
kind expected, in Vietnamese, instead of as a Python traceback somewhere further on.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from datetime import date, datetime, time
from typing import Any

from .model import RUN_DATE, TERM_START, DateBound

Entry = dict[str, Any]  # one TOML table, as tomllib gives it

_TEXT = "chuỗi ký tự trong ngoặc kép"
_TEXTS = 'danh sách các chuỗi ký tự, ví dụ ["a", "b"]'
_DAY = "một ngày, không có ngoặc kép, ví dụ 2020-10-01"
_SHOWN_MAX = 40  # characters of a wrong value quoted back
_AT_END = "lỗi ở cuối tệp (có thể thiếu dấu đóng ngoặc hoặc dấu ngoặc kép)"
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)$")


class SchemaError(ValueError):
    """The schema file is broken; the message (Vietnamese) names the file and the entry."""


def read_toml(text: str, source: str) -> Entry:
    """The schema file's text as TOML values; a syntax error says where, in Vietnamese."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = _toml_position(exc, text)
        raise SchemaError(f"{source}: không phải TOML hợp lệ: {where}") from exc


def _toml_position(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """Where tomllib stopped, with the line as written: its own reason is English."""
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


def shown(value: object) -> str:
    """A wrong value as the schema file spells it, kept short; a list or a table by its kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= _SHOWN_MAX else value[: _SHOWN_MAX - 1] + "…"
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "một danh sách" if value else "một danh sách trống"
    if isinstance(value, dict):
        return "một bảng" if value else "một bảng trống"
    return "giá trị trống" if value is None else repr(value)


def name_of(entry: Entry, key: str) -> str:
    """An entry's id for naming it in a message, before the id itself has been checked."""
    value = entry.get(key)
    return repr(value) if isinstance(value, str) else "'?'"


class Reader:
    """Reads the keys of a schema file's tables; every failure names ``source``.

    A date is a ``date`` and never a ``datetime``: a TOML date-time is one, a ``datetime`` is
    also a ``date`` to isinstance, and it would not compare with the dates it is checked against.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> SchemaError:
        return SchemaError(f"{self.source}: {where}: {message}")

    def wrong(self, where: str, key: str, expected: str, value: object) -> SchemaError:
        return self.fail(where, f"khóa {key!r} phải là {expected}, không phải {shown(value)}")

    def keys(self, entry: Entry, allowed: set[str], where: str) -> None:
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise self.fail(
                where, f"khóa {unknown[0]!r} không hợp lệ (được dùng: {sorted(allowed)})"
            )

    def need(self, entry: Entry, key: str, where: str) -> object:
        if key not in entry:
            raise self.fail(where, f"thiếu khóa bắt buộc {key!r}")
        return entry[key]

    def text(self, entry: Entry, key: str, where: str, default: str | None = None) -> str:
        """A string; required unless a default is given. Blank only where the default is ""."""
        if default is not None and key not in entry:
            return default
        value = self.need(entry, key, where)
        if not isinstance(value, str):
            raise self.wrong(where, key, _TEXT, value)
        if not value.strip() and default != "":
            raise self.fail(where, f"khóa {key!r} không được để trống")
        return value

    def maybe_text(self, entry: Entry, key: str, where: str) -> str | None:
        """An optional string: ``None`` when the key is absent."""
        return self.text(entry, key, where) if key in entry else None

    def choice(self, entry: Entry, key: str, allowed: tuple[str, ...], where: str) -> str:
        """One of ``allowed``, required."""
        value = self.text(entry, key, where)
        if value not in allowed:
            raise self.fail(
                where, f"{key} {value!r} không hợp lệ (được dùng: {', '.join(allowed)})"
            )
        return value

    def maybe_choice(
        self, entry: Entry, key: str, allowed: tuple[str, ...], where: str
    ) -> str | None:
        """One of ``allowed``, or ``None`` when the key is absent."""
        return self.choice(entry, key, allowed, where) if key in entry else None

    def flag(self, entry: Entry, key: str, where: str, default: bool) -> bool:
        value = entry.get(key, default)
        if not isinstance(value, bool):
            raise self.wrong(where, key, "true hoặc false, không có ngoặc kép", value)
        return value

    def integer(self, entry: Entry, key: str, where: str, default: int, least: int) -> int:
        """A whole number no smaller than ``least``."""
        value = entry.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.wrong(where, key, "số nguyên", value)
        if value < least:
            wanted = "số nguyên dương" if least == 1 else f"số nguyên từ {least} trở lên"
            raise self.fail(where, f"khóa {key!r} phải là {wanted}, không phải {value}")
        return value

    def number(self, entry: Entry, key: str, where: str) -> float | None:
        """An optional number, integer or decimal, kept as written (1 stays 1, not 1.0)."""
        if key not in entry:
            return None
        value = entry[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.wrong(where, key, "một số", value)
        return value

    def day(self, entry: Entry, key: str, where: str) -> date:
        value = self.need(entry, key, where)
        if not isinstance(value, date) or isinstance(value, datetime):
            raise self.wrong(where, key, _DAY, value)
        return value

    def date_bound(self, entry: Entry, key: str, where: str) -> DateBound:
        """An optional bound on a date: a date, or the name of one resolved when parsing."""
        value = entry.get(key)
        if value in (RUN_DATE, TERM_START) and isinstance(value, str):
            return value
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        raise self.fail(
            where,
            f"khóa {key!r} phải là một ngày (ví dụ 2023-03-23), {RUN_DATE!r} hoặc "
            f"{TERM_START!r}, không phải {shown(value)}",
        )

    def table(self, entry: Entry, key: str, where: str) -> Entry:
        """An optional table ([section] or { … }): empty when absent."""
        value = entry.get(key, {})
        if not isinstance(value, dict):
            raise self.wrong(where, key, f"một bảng [{key}] hoặc {{ … }}", value)
        return value

    def tables(self, entry: Entry, key: str, where: str, header: str) -> list[Entry]:
        """An optional list of tables, each opened by ``[[header]]``: empty when absent."""
        value = entry.get(key, [])
        if not isinstance(value, list):
            raise self.wrong(
                where, key, f"danh sách các bảng, mỗi bảng mở đầu bằng [[{header}]]", value
            )
        self.items(value, dict, key, f"một bảng [[{header}]]", where)
        return value

    def texts(
        self, entry: Entry, key: str, where: str, default: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        """A list of strings; ``default`` when absent."""
        if key not in entry:
            return default
        value = entry[key]
        if not isinstance(value, list):
            raise self.wrong(where, key, _TEXTS, value)
        self.items(value, str, key, _TEXT, where)
        return tuple(value)

    def items(self, value: list[Any], kind: type, key: str, expected: str, where: str) -> None:
        """Every item of a list is of ``kind``; the first that is not is named by its place."""
        bad = next((i for i, item in enumerate(value) if not isinstance(item, kind)), None)
        if bad is not None:
            raise self.fail(
                where,
                f"mục thứ {bad + 1} của khóa {key!r} phải là {expected}, "
                f"không phải {shown(value[bad])}",
            )
