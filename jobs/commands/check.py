"""`tonghop check`: validate one filled workbook against the template."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sheets_schema import ParseContext, ParsedReport, Schema, parse_report
from sync.excel import WorkbookError, read_xlsx
from sync.guard import Limits, read_regular_file

from ..isolation import Failure, Isolated
from ..oserrors import os_reason

log = logging.getLogger(__name__)


class UnreadableFile(Exception):
    """FILE cannot be read at all (not found, not an .xlsx, encrypted, corrupt)."""


@dataclass
class CheckResult:
    unit_code: str | None
    report: ParsedReport

    def as_json(self) -> dict[str, Any]:
        """The object `check --json` prints (contract.md)."""
        r = self.report
        return {
            "unit_code": self.unit_code,
            "completeness": round(r.completeness, 4),
            "confirmed": r.confirmed,
            "errors": r.errors,
            "warnings": r.warnings,
            "findings": [f.as_dict() for f in r.findings],
            "values": {k: jsonable(v) for k, v in r.values.items()},
        }


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def check_file(
    path: Path, schema: Schema, ctx: ParseContext, limits: Limits | None = None
) -> CheckResult:
    """Read and parse one .xlsx report; raise ``UnreadableFile`` when it cannot be read.

    The read and the parse run in a worker process under the same checks and memory and time
    limits as a sync (jobs/isolation.py), so a hostile file ends in ``UnreadableFile`` too.
    """
    limits = limits or Limits()
    (out,) = Isolated(
        _check_one, [(path, schema, ctx, limits)], workers=1,
        memory_mb=limits.unit_memory_mb, seconds=limits.unit_seconds,
    ).run()  # fmt: skip
    if isinstance(out, Failure):
        log.info("%s: chi tiết kỹ thuật: %s", path, out.reason)  # for -v
        raise UnreadableFile(f"{path}: {out.message_vi}")
    if isinstance(out, str):
        raise UnreadableFile(out)
    return out


def _check_one(job: tuple[Path, Schema, ParseContext, Limits]) -> CheckResult | str:
    """In the worker: the result, or why the file cannot be read (in Vietnamese)."""
    path, schema, ctx, limits = job
    try:
        data = read_regular_file(path, limits)
    except FileNotFoundError:
        return f"{path}: không có tệp này; kiểm tra lại tên và thư mục"
    except PermissionError:
        return f"{path}: không có quyền đọc tệp này"
    except WorkbookError as exc:
        return f"{path}: {exc.message_vi}"
    except OSError as exc:
        return f"{path}: không đọc được tệp ({os_reason(exc)})"
    try:
        raw = read_xlsx(data, shapes=schema.shapes, limits=limits)
    except WorkbookError as exc:
        return f"{path}: {exc.message_vi}"
    report = parse_report(schema, raw, ctx)
    code = ctx.unit_code or _text(report.values.get("tt_ma_don_vi"))
    return CheckResult(code, report)


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 80 else text[:40] + "…" + text[-30:]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def write_annotated(
    source: Path, target: Path, result: CheckResult, limits: Limits | None = None
) -> None:
    """Write ``target``: ``source`` with each finding's cell highlighted and commented.

    Raises ValueError (one line, Vietnamese) when that cannot be done; ``source`` is never
    written to.
    """
    from ..outputs import OutputError, atomic_write
    from ..outputs.feedback import make_copies

    if target.suffix.lower() != ".xlsx":
        raise ValueError(
            f"--annotate {_short(target)}: bản sao phải là tệp .xlsx (đặt tên có đuôi .xlsx)"
        )
    try:
        same = target.exists() and target.resolve() == source.resolve()
    except OSError as exc:  # a name the file system refuses (too long, a reserved character)
        raise ValueError(
            f"--annotate {_short(target)}: không dùng được tên tệp này ({os_reason(exc)}); hãy "
            f"đặt tên ngắn hơn"
        ) from exc
    if same:
        raise ValueError(
            f"--annotate {_short(target)}: đó chính là tệp đang kiểm tra, không ghi đè; hãy đặt tên khác"
        )
    # Made in a worker under the same memory and time limits as the read, and re-read before
    # it is written, as a sync's copies are.
    (made,) = make_copies([("", source, result.report.findings)], limits or Limits(), 1)
    if isinstance(made, str):
        raise ValueError(
            f"--annotate {_short(target)}: không tạo được bản sao đánh dấu lỗi ({made})"
        )
    try:
        atomic_write(target, lambda fh: fh.write(made))
    except (OutputError, OSError) as exc:
        why = os_reason(exc) if isinstance(exc, OSError) else exc
        raise ValueError(
            f"--annotate {_short(target)}: không tạo được bản sao đánh dấu lỗi ({why})"
        ) from exc
