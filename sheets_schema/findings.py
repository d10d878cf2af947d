"""Findings: every problem in a report as data, with a stable code, a position and a fix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # blocks submission
    WARNING = "warning"  # accepted but doubtful


class Code(StrEnum):
    """Stable finding codes. Values are part of findings.csv: never rename one."""

    # the workbook is not this template
    MISSING_TAB = "missing-tab"
    MISSING_NAME = "missing-name"
    BROKEN_NAME = "broken-name"
    WRONG_VERSION = "wrong-version"
    SHEET_LOCALE = "sheet-locale"  # a Google Sheet not set to the Vietnam locale
    NAME_TOO_LARGE = "name-too-large"  # a name covers more than the template declares
    FAR_CELLS = "far-cells"  # values far outside the template's area, ignored
    # a single value
    REQUIRED = "required"
    FORMULA_ERROR = "formula-error"
    NOT_A_NUMBER = "not-a-number"
    NOT_INTEGER = "not-integer"
    AMBIGUOUS_NUMBER = "ambiguous-number"
    OUT_OF_RANGE = "out-of-range"
    NOT_A_DATE = "not-a-date"
    TEXT_DATE = "text-date"
    DATE_OUT_OF_RANGE = "date-out-of-range"
    NOT_A_BOOL = "not-a-bool"
    INVALID_CHOICE = "invalid-choice"
    PATTERN = "pattern-mismatch"
    LEADING_ZERO_LOST = "leading-zero-lost"
    PLACEHOLDER = "placeholder-text"
    TOO_SHORT = "too-short"
    TEXT_TOO_LONG = "text-too-long"
    UNIT_CODE_MISMATCH = "unit-code-mismatch"
    UNIT_TYPE_MISMATCH = "unit-type-mismatch"
    # across fields
    RULE_VIOLATION = "rule-violation"
    RATE_NUMERATOR_EXCEEDS = "rate-numerator-exceeds"
    RATE_MISMATCH = "rate-mismatch"
    NOTE_REQUIRED = "note-required"
    NOT_APPLICABLE_VALUE = "not-applicable-value"
    IMPLAUSIBLE_SCALE = "implausible-scale"  # >100× off the target or like units: a ./, slip
    # the limitations table
    ROW_INCOMPLETE = "row-incomplete"
    TABLE_EMPTY = "table-empty"
    NO_SUBJECTIVE_CAUSE = "no-required-row"
    # the source: the file could not be read at all
    UNREADABLE = "unreadable"
    UNREACHABLE = "unreachable"
    # the source: the file's modified time cannot be right
    FILE_TIME_FUTURE = "file-time-future"
    FILE_TIME_BEFORE_TERM = "file-time-before-term"
    # the outputs
    TRUNCATED = "truncated"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where it is (tab, A1 cell, field id), what is wrong and what to type."""

    severity: Severity
    code: Code
    tab: str
    cell: str
    field: str
    message: str  # Vietnamese, for the unit
    value: str = ""  # the raw value as typed, shortened

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code.value,
            "tab": self.tab,
            "cell": self.cell,
            "field": self.field,
            "message": self.message,
            "value": self.value,
        }


def a1(row: int, col: int) -> str:
    """1-based (row, col) → "B5"."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def show(value: object, limit: int = 80) -> str:
    """A raw value as a short string for a finding: what the unit typed, shortened."""
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
