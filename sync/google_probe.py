"""`tonghop doctor --google-probe`: what real Google keeps of the template, tried once.

Nothing about Google's .xlsx conversion can be checked from the machines that build tonghop.
The probe does, with the configured credentials, what provisioning does to a unit's sheet — on
a scratch copy that is always deleted:

1. uploads the template with conversion (as `provision`), in the configured folder;
2. reads back named ranges, conditional formats, validations and protection, and compares them
   with the template's rules (sync/google_rules.py);
3. sets it up as provisioning does (locale, protection, percent format, lost rules re-added)
   and reads it back again;
4. types values as a unit would (USER_ENTERED, vi_VN): "95%" and "95" into percent cells,
   "1.234,5" into a number cell, "15/03/2023" into a date cell; reads them the way sync does;
5. deletes the scratch file, even when a step failed.

The result is a Vietnamese checklist (kept or lost, and what the job does about it) and a JSON
record in the state folder (`google-probe.json`), which `doctor` shows on later runs.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gspread.urls import DRIVE_FILES_API_V3_URL
from openpyxl.utils.cell import get_column_letter

from sheets_schema.values import read_date, read_number

from .google import ACCESS_ERRORS, GoogleSource, report_from_spreadsheet
from .google_admin import _restore_checks, _set_up_sheet, _upload
from .google_rules import FEATURES, RuleCheck, TemplateRule, compare, read_back, template_rules

log = logging.getLogger(__name__)

PROBE_FILE = "google-probe.json"
TYPED = {"percent": "95%", "percent_bare": "95", "number": "1.234,5", "date": "15/03/2023"}
EXPECTED: dict[str, Any] = {"percent": 95.0, "percent_bare": 95.0, "number": 1234.5,
                            "date": date(2023, 3, 15)}  # fmt: skip


@dataclass(frozen=True)
class ProbeItem:
    """One line of the checklist: what was tried, kept or not, what the job does about it."""

    name: str
    ok: bool
    detail: str
    action: str = ""


@dataclass
class ProbeResult:
    items: list[ProbeItem]
    lost: list[tuple[str, str, str]]  # (feature, sheet, range) the conversion dropped
    deleted: bool
    at: str

    def record(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"at": self.at, "deleted": self.deleted, "lost": self.lost,
                "items": [asdict(i) for i in self.items]}  # fmt: skip
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)


def rule_range(rule: TemplateRule) -> str:
    """The rule's ranges in A1, space-separated (as an .xlsx sqref)."""
    parts = []
    for r0, c0, r1, c1 in rule.boxes:
        a = f"{get_column_letter(c0 + 1)}{r0 + 1}"
        b = f"{get_column_letter(c1)}{r1}"
        parts.append(a if a == b else f"{a}:{b}")
    return " ".join(parts)


def checklist(check: RuleCheck) -> list[ProbeItem]:
    """One item per feature the template uses: kept x/y, and what provisioning does."""
    items = []
    for feature, (kept, total) in check.by_feature().items():
        if kept == total:
            items.append(ProbeItem(FEATURES[feature], True, f"Google giữ {kept}/{total}"))
        else:
            items.append(
                ProbeItem(
                    FEATURES[feature],
                    False,
                    f"Google bỏ {total - kept}/{total} khi chuyển .xlsx sang Google Trang tính",
                    "“tonghop provision” thêm lại sau khi tải lên (công thức tùy chỉnh, lời "
                    "nhắc ở phần trợ giúp của ô); khi tổng hợp, hệ thống vẫn kiểm tra đầy đủ.",
                )
            )
    return items


def run_probe(
    client: Any,
    xlsx: bytes,
    *,
    folder_id: str,
    required_names: Collection[str],
    percent_names: Sequence[str],
    number_name: str,
    date_name: str,
    record_to: Path | None = None,
) -> ProbeResult:
    """Provision a scratch copy of ``xlsx``, read it back, type into it, delete it."""
    http = client.http_client
    items: list[ProbeItem] = []
    lost: list[tuple[str, str, str]] = []
    file_id: str | None = None
    name = f"tonghop - kiểm tra Google (xóa được) {uuid.uuid4().hex[:8]}"
    rules = template_rules(xlsx)
    try:
        file_id = _upload(http, folder_id or "root", name, xlsx)
        items.append(ProbeItem("Tải mẫu lên và chuyển sang Google Trang tính", True, name))
        before = read_back(http, file_id)
        meta = http.fetch_sheet_metadata(file_id, params={"fields": "namedRanges(name)"})
        names = {str(n.get("name")) for n in meta.get("namedRanges", [])}
        missing = sorted(set(required_names) - names)
        items.append(
            ProbeItem("Vùng được đặt tên của mẫu", not missing,
                      f"giữ {len(set(required_names)) - len(missing)}/{len(set(required_names))}"
                      + (f"; mất {', '.join(missing[:6])}" if missing else ""),
                      "Báo người phát triển: đơn vị sẽ bị báo thiếu ô." if missing else "")
        )  # fmt: skip
        converted = compare(rules, before)
        lost = [(r.feature, r.sheet, rule_range(r)) for r in converted.lost]
        items += checklist(converted)
        items.append(_protection_item(before))
        problems = _set_up_sheet(http, file_id, required_names, percent_names)
        problems += _restore_checks(http, "probe", file_id, rules)
        after = compare(rules, read_back(http, file_id))
        items.append(
            ProbeItem("Sau khi cấp bảng tính: đủ quy tắc của mẫu", not after.lost,
                      after.summary_vi(), " ".join(problems))
        )  # fmt: skip
        items += _typed_items(client, file_id, percent_names, number_name, date_name)
    except ACCESS_ERRORS as exc:
        items.append(ProbeItem("Thử trên Google", False, f"dừng giữa chừng: {exc}"[:300],
                               "Chạy “tonghop doctor” (không có --google-probe) để xem lỗi "
                               "tài khoản, quyền hoặc thư mục, sửa rồi chạy lại."))  # fmt: skip
    finally:
        deleted = file_id is None or _delete(http, file_id)
    if file_id is not None:
        items.append(
            ProbeItem("Xóa bảng tính thử", deleted, name if deleted else f"chưa xóa được {name}",
                      "" if deleted else "Xóa tay tệp này trên Drive.")
        )  # fmt: skip
    result = ProbeResult(items, lost, deleted, datetime.now(UTC).isoformat(timespec="seconds"))
    if record_to is not None:
        result.record(record_to)
    return result


def _protection_item(answer: Any) -> ProbeItem:
    guards = [p for s in answer.get("sheets", []) for p in s.get("protectedRanges") or []]
    locking = [p for p in guards if not p.get("warningOnly")]
    if locking:
        return ProbeItem(
            "Bảo vệ trang sau khi chuyển đổi", False,
            f"Google biến bảo vệ trang thành {len(locking)} vùng khóa (đơn vị không nhập được)",
            "“tonghop provision” xóa các vùng khóa này và đặt bảo vệ chỉ cảnh báo.",
        )  # fmt: skip
    what = "không giữ bảo vệ trang" if not guards else "chỉ cảnh báo"
    return ProbeItem("Bảo vệ trang sau khi chuyển đổi", True, what,
                     "“tonghop provision” đặt bảo vệ chỉ cảnh báo cho nhãn.")  # fmt: skip


def _typed_items(
    client: Any, file_id: str, percent_names: Sequence[str], number_name: str, date_name: str
) -> list[ProbeItem]:
    """Type as a unit would, read back as sync does, compare with what the unit meant."""
    targets = {"percent": percent_names[0], "percent_bare": percent_names[1],
               "number": number_name, "date": date_name}  # fmt: skip
    book = client.open_by_key(file_id)
    book.values_batch_update(
        {
            "valueInputOption": "USER_ENTERED",
            "data": [{"range": targets[k], "values": [[TYPED[k]]]} for k in targets],
        }
    )
    report = report_from_spreadsheet(GoogleSource(client).fetch(file_id))
    items = []
    for kind, target in targets.items():
        block = report.blocks.get(target)
        cell = block.cell(0, 0) if block is not None and not block.error else None
        if cell is None:
            got: Any = None
        elif kind == "date":
            got = read_date(cell)[0]
        else:
            got = read_number(cell, percent=kind.startswith("percent"))[0]
        ok = got == EXPECTED[kind]
        shown = f"gõ “{TYPED[kind]}” → đọc được {got!r} (định dạng {cell.number_format if cell else '?'})"
        action = "" if ok else _typed_action(kind)
        items.append(ProbeItem(f"Nhập như đơn vị: {_KIND_VI[kind]}", ok, shown, action))
    return items


_KIND_VI = {"percent": "tỷ lệ có dấu %", "percent_bare": "tỷ lệ không có dấu %",
            "number": "số kiểu Việt Nam", "date": "ngày/tháng/năm"}  # fmt: skip


def _typed_action(kind: str) -> str:
    if kind == "percent_bare":
        return ("Google không tự hiểu số gõ vào ô % là phần trăm: hướng dẫn đơn vị dùng Google "
                "gõ kèm dấu % (ví dụ 97,18%); số sai sẽ bị báo lỗi vượt giới hạn, không âm thầm.")  # fmt: skip
    if kind == "percent":
        return ("Tỷ lệ gõ kèm % bị đọc sai: hệ thống cảnh báo “có thể đã nhập 0,95 thay vì 95%”; "
                "báo người phát triển kèm tệp google-probe.json.")  # fmt: skip
    return (
        "Kiểm tra khu vực (Tệp → Cài đặt → Khu vực: Việt Nam) rồi chạy lại; báo người phát triển."
    )


def _delete(http: Any, file_id: str) -> bool:
    try:
        http.request("delete", f"{DRIVE_FILES_API_V3_URL}/{file_id}",
                     params={"supportsAllDrives": "true"})  # fmt: skip
        return True
    except ACCESS_ERRORS as exc:
        log.warning("chưa xóa được tệp thử %s trên Drive (hãy xóa tay): %s", file_id, exc)
        return False


def recorded(path: Path) -> dict[str, Any] | None:
    """The last probe's record, or None (never run, or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
