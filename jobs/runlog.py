"""What a scheduled sync says about itself: one Vietnamese line, and only when it matters.

Under cron or the Task Scheduler every word printed is mailed or kept, so `tonghop sync`
without a terminal stays silent when nothing the office sees has changed since the last run,
prints one line when something has, and prints the reason when it could not run. What changed
is found by comparing the units in status.json before and after the run: a status, a figure
of completeness, errors or warnings, a confirmation, a submission time or a newer save of the
unit's file. The log file (``[output] log``) gets one line for every run, changed or not.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .model import Status
from .oserrors import os_reason

log = logging.getLogger(__name__)

STATUS_JSON = "status.json"

# What the office sees of a unit; data_as_of and deadline move with the clock alone.
_SEEN = ("status", "completeness", "errors", "warnings", "confirmed", "submitted_at",
         "modified_at", "amended_after_submit", "message", "link")  # fmt: skip
_SHOWN_CHANGES = 5  # units named in the line; the rest are counted


def units_shown(out_dir: Path) -> dict[str, dict[str, Any]] | None:
    """The units of the last run's status.json by code; None when there is none to read."""
    try:
        doc = json.loads((out_dir / STATUS_JSON).read_text(encoding="utf-8"))
        return {u["code"]: {k: u.get(k) for k in _SEEN} for u in doc["units"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.debug("chưa có status.json của lần chạy trước để so sánh: %s", exc)
        return None


@dataclass
class Changes:
    """What changed between two runs, as the office sees it."""

    first_run: bool = False
    lines: list[str] = field(default_factory=list)  # one short Vietnamese phrase per unit

    def __bool__(self) -> bool:
        return self.first_run or bool(self.lines)

    def text(self) -> str:
        if self.first_run:
            return "lần chạy đầu"
        shown = "; ".join(self.lines[:_SHOWN_CHANGES])
        more = len(self.lines) - _SHOWN_CHANGES
        return shown + (f"; và {more} đơn vị khác" if more > 0 else "")


def changes(
    before: Mapping[str, Mapping[str, Any]] | None, after: Mapping[str, Mapping[str, Any]] | None
) -> Changes:
    """The units whose shown state differs between ``before`` and ``after`` (status.json)."""
    if before is None or after is None:
        return Changes(first_run=True)
    lines = []
    for code, now in after.items():
        was = before.get(code)
        if was is None:
            lines.append(f"{code} mới trong danh sách ({_label(now.get('status'))})")
        elif was.get("status") != now.get("status"):
            lines.append(f"{code} {_label(was.get('status'))} → {_label(now.get('status'))}")
        elif any(was.get(k) != now.get(k) for k in _SEEN):
            lines.append(f"{code} ({_label(now.get('status'))}) {_what(was, now)}")
    lines += [f"{code} không còn trong danh sách" for code in before if code not in after]
    return Changes(lines=lines)


def _what(was: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    """What changed for a unit whose status did not."""
    parts = []
    if was.get("completeness") != now.get("completeness") and now.get("completeness") is not None:
        parts.append(
            f"hoàn thành {_percent(was.get('completeness'))} → {_percent(now['completeness'])}"
        )
    if was.get("errors") != now.get("errors"):
        parts.append(f"lỗi {was.get('errors')} → {now.get('errors')}")
    if was.get("confirmed") != now.get("confirmed"):
        parts.append("đã xác nhận hoàn thành" if now.get("confirmed") else "bỏ xác nhận hoàn thành")
    if was.get("amended_after_submit") != now.get("amended_after_submit") and now.get(
        "amended_after_submit"
    ):
        parts.append("sửa sau khi nộp")
    if not parts and was.get("modified_at") != now.get("modified_at"):
        parts.append("lưu lại tệp")
    return ", ".join(parts) or "có thay đổi"


def _percent(value: object) -> str:
    if not isinstance(value, int | float):
        return "—"
    return f"{value * 100:.0f}%"


def _label(status: object) -> str:
    if status == "closed":  # listed in status.json, never expected
        return "Không phải nộp"
    try:
        return Status(str(status)).label
    except ValueError:
        return str(status)


def summary(counts: Mapping[str, float], as_of: datetime, workbook: Path | None) -> str:
    """The run's counts in the workbook's words: "đã nộp 25/37 (Đúng hạn 21, Trễ hạn 4), …"."""
    expected = int(counts.get("expected", 0))
    submitted = int(counts.get("submitted", 0))
    by_status = ", ".join(
        f"{s.label} {int(counts[s.value])}" for s in Status if counts.get(s.value)
    )
    text = f"tính đến {as_of:%d/%m/%Y %H:%M}: đã nộp {submitted}/{expected} đơn vị ({by_status})"
    return text + (f"; bảng tổng hợp: {workbook}" if workbook else "")


def append(path: Path | None, at: datetime, line: str, *, create: bool = True) -> None:
    """Add one line to the log file; a log that cannot be written never stops the job.

    ``create=False`` writes only into a folder that already exists: a run that stops at
    set-up (a bad key file, a wrong config) leaves nothing behind on a first try, and its
    reason goes to stderr, which the person setting it up reads."""
    if path is None or (not create and not path.parent.is_dir()):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"{at.isoformat(timespec='seconds')} {' '.join(line.split())}\n")
    except OSError as exc:
        log.warning("không ghi được nhật ký %s: %s", path, os_reason(exc))
