"""Read one district's outputs (status.json and values.csv) and check them before use.

A district's folder is trusted no more than a unit's file: it must be the outputs of the same
report (schema id, a version the province reads), of the district the entry names (its code
in status.json), written whole (values.csv not older than the data status.json describes) and
in the format the job writes (UTF-8 with a BOM, text quoted, numbers not). Anything else gives
the district a status and a Vietnamese message; it never stops the province.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import IO, Any

from sheets_schema import Schema

from ..oserrors import read_reason
from .entries import DistrictEntry

VALUES = "values.csv"
STATUS = "status.json"
_HEADER = '"unit_code","tab","field","row","value"'
_BOM = "\ufeff"
VALUES_HEADER = _BOM + _HEADER  # values.csv's first line, as the job writes it
MAX_STATUS_BYTES = 64 * 1024 * 1024
# A 1,000-unit district writes about 10 MiB; this is a file that is not a district's outputs.
MAX_VALUES_BYTES = 512 * 1024 * 1024
# values.csv is written after the data it holds was read: a file older than that (beyond the
# clock's rounding) is a copy left from an earlier run.
_STALE_SLACK_S = 2.0
csv.field_size_limit(32_767 * 4)  # a cell's text, at most Excel's limit in UTF-8 bytes


class DistrictStatus(StrEnum):
    """A district's status in the province's run; the values are part of its status.json."""

    OK = "ok"
    MISSING = "missing"
    STALE = "stale"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def color(self) -> str:
        return _COLORS[self]


_LABELS = {
    DistrictStatus.OK: "Đã tổng hợp",
    DistrictStatus.MISSING: "Thiếu kết quả",
    DistrictStatus.STALE: "Kết quả cũ",
    DistrictStatus.INVALID: "Không dùng được",
}
_COLORS = {
    DistrictStatus.OK: "#C6EFCE",
    DistrictStatus.MISSING: "#FFC7CE",
    DistrictStatus.STALE: "#FFEB9C",
    DistrictStatus.INVALID: "#F4B084",
}


@dataclass
class DistrictRead:
    """What was read of one district: its status, and its data when usable."""

    entry: DistrictEntry
    status: DistrictStatus
    message: str = ""  # Vietnamese: what is wrong and what the district should do
    as_of: datetime | None = None  # the district's last run, from its status.json
    units: list[dict[str, Any]] = field(default_factory=list)  # status.json "units"
    # unit code → field id → value, for the fields in ``wanted``; a table's id → its rows, as
    # row number → column id → value.
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    schema_version: str = ""
    # values.csv's bytes as read and checked: the province's values.csv passes them on
    # (``values.qualified_rows``) without reading the file a second time.
    raw: bytes = b""


def _problem(entry: DistrictEntry, status: DistrictStatus, message: str,
             doc: dict[str, Any] | None = None) -> DistrictRead:  # fmt: skip
    read = DistrictRead(entry, status, message)
    if doc is not None:
        read.as_of = _time(doc.get("as_of"))
        units = doc.get("units")
        read.units = [u for u in units if isinstance(u, dict)] if isinstance(units, list) else []
    return read


def _time(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


# What the province keeps of values.csv: (tab, field id) → None for a field, or the table's
# name for a table's column.
Wanted = Mapping[tuple[str, str], str | None]


def read_district(entry: DistrictEntry, schema: Schema, wanted: Wanted) -> DistrictRead:
    """Read and check ``entry``'s outputs; keep the values ``wanted`` names."""
    folder = entry.folder
    status_path, values_path = folder / STATUS, folder / VALUES
    for path in (status_path, values_path):
        if not path.is_file():
            return _problem(entry, DistrictStatus.MISSING,
                            f"Không thấy tệp {path.name} trong {entry.where}: huyện cần chạy "
                            f"tonghop sync và chia sẻ thư mục kết quả (out/) của mình.")  # fmt: skip
    try:
        if status_path.stat().st_size > MAX_STATUS_BYTES:
            raise ValueError("quá lớn")
        doc = json.loads(status_path.read_text("utf-8"))
        if not isinstance(doc, dict):
            raise ValueError("không phải một đối tượng JSON")
    except (OSError, ValueError) as exc:
        return _problem(entry, DistrictStatus.INVALID,
                        f"Không đọc được {STATUS} của huyện ({read_reason(exc)}); huyện cần chạy lại "
                        f"tonghop sync.")  # fmt: skip
    why = _foreign(doc, entry, schema)
    if why:
        return _problem(entry, DistrictStatus.INVALID, why, doc)
    read = _problem(entry, DistrictStatus.OK, "", doc)
    read.schema_version = str(doc.get("schema_version"))
    newest = max((t for u in read.units if (t := _time(u.get("data_as_of"))) is not None),
                 default=None)  # fmt: skip
    written = datetime.fromtimestamp(os.stat(values_path).st_mtime).astimezone()
    if newest is not None and written.timestamp() + _STALE_SLACK_S < newest.timestamp():
        read.status = DistrictStatus.STALE
        read.message = (
            f"Tệp {VALUES} (ghi lúc {written:%H:%M %d/%m/%Y}) cũ hơn số liệu mà {STATUS} mô tả "
            f"(đọc lúc {newest.astimezone(written.tzinfo):%H:%M %d/%m/%Y}): thư mục chia sẻ chưa "
            f"được cập nhật đủ. Số liệu của huyện chưa được tổng hợp; huyện cần chia sẻ lại cả "
            f"thư mục kết quả."
        )
        return read
    try:
        if values_path.stat().st_size > MAX_VALUES_BYTES:
            raise ValueError(f"lớn hơn {MAX_VALUES_BYTES // 2**20} MiB")
        read.raw = values_path.read_bytes()
        codes = {str(u.get("code")) for u in read.units}
        read.values = _values(read.raw.decode("utf-8"), codes, wanted)
    except (OSError, ValueError) as exc:
        read.status = DistrictStatus.INVALID
        read.message = (
            f"Tệp {VALUES} của huyện không đúng định dạng tonghop ghi ({read_reason(exc)}); huyện cần chạy "
            f"lại tonghop sync, không sửa tay tệp này."
        )
    return read


def _foreign(doc: dict[str, Any], entry: DistrictEntry, schema: Schema) -> str:
    """Why ``doc`` is not this district's outputs for this report; "" when it is."""
    their_id, version = doc.get("schema"), str(doc.get("schema_version") or "")
    if their_id != schema.id:
        return (
            f"Kết quả của huyện theo mẫu báo cáo “{their_id}”, không phải mẫu “{schema.id}” của "
            f"tỉnh: không tổng hợp. Kiểm tra {entry.where} có đúng là kết quả sơ kết của "
            f"huyện không."
        )
    accepted = (schema.version, *schema.previous_versions)
    if version not in accepted:
        return (
            f"Huyện dùng mẫu “{schema.id}” phiên bản {version or '(không ghi)'}, tỉnh đọc phiên "
            f"bản {' hoặc '.join(accepted)}: không tổng hợp số liệu của huyện. Huyện và tỉnh cần "
            f"dùng cùng phiên bản mẫu ([report] schema trong tonghop.toml)."
        )
    district = doc.get("district")
    code = district.get("code") if isinstance(district, dict) else None
    if not code:
        return (
            f'{STATUS} của huyện không ghi mã huyện: huyện cần thêm code = "{entry.code}" vào '
            f"mục [district] trong tonghop.toml của mình rồi chạy lại tonghop sync."
        )
    if str(code).casefold() != entry.code.casefold():
        return (
            f"{entry.where[0].upper()}{entry.where[1:]} chứa kết quả của huyện mã {code}, không "
            f"phải {entry.code}: kiểm tra lại đường dẫn {'drive_folder' if entry.drive_folder else 'folder'} "
            f"của mục này trong tonghop.toml của tỉnh."
        )
    return ""


def qualified_rows(read: DistrictRead) -> Iterator[bytes]:
    """The district's values.csv rows as read (``raw``, header off), each unit code qualified
    with the district's ("XA_A" → "VL/XA_A"): a quoted value may span lines, so a line starts a
    row only when the lines before it closed every quote."""
    lines = iter(read.raw.split(b"\n"))
    next(lines, None)  # the header, checked on read
    prefix = b'"' + read.entry.code.encode() + b"/"
    inside = False
    for line in lines:
        if not line and not inside:
            continue  # the file's last newline
        yield (line if inside else prefix + line[1:]) + b"\n"
        if line.count(b'"') % 2:
            inside = not inside


def _values(text: str, codes: set[str], wanted: Wanted) -> dict[str, dict[str, Any]]:
    """unit → field → value from values.csv, read as it is written: numbers unquoted, text
    quoted (a bare word where a number belongs is a file edited by hand, refused)."""
    out: dict[str, dict[str, Any]] = {}
    with io.StringIO(text, newline="") as fh:
        head = fh.readline().rstrip("\r\n")
        if not head.startswith(_BOM):
            raise ValueError("thiếu dấu BOM UTF-8 ở đầu tệp")
        if head[1:] != _HEADER:
            raise ValueError(f"dòng tiêu đề là {head[1:80]!r}, cần {_HEADER}")
        for n, row in _rows(fh):
            if len(row) != 5:
                raise ValueError(f"dòng {n} có {len(row)} cột, cần 5")
            code, tab, field_id, number, value = row
            if code not in codes:
                raise ValueError(f"dòng {n}: đơn vị {code} không có trong {STATUS}")
            key = (str(tab), str(field_id))
            if key not in wanted:
                continue
            unit = out.setdefault(str(code), {})
            table = wanted[key]
            if table is None and number == "":
                unit[key[1]] = value
            elif table is not None and isinstance(number, float) and number.is_integer():
                unit.setdefault(table, {}).setdefault(int(number), {})[key[1]] = value
            else:
                raise ValueError(f"dòng {n}: số dòng {number!r} không hợp với mục {field_id}")
    return out


def _rows(fh: IO[str]) -> Iterator[tuple[int, list[Any]]]:
    """values.csv's rows after the header, numbered from 2 as the checks above say them; a row
    the csv module refuses is a ValueError in Vietnamese too (its own words are English)."""
    reader = csv.reader(fh, quoting=csv.QUOTE_NONNUMERIC)
    for n in itertools.count(2):
        try:
            row = next(reader)
        except StopIteration:
            return
        except ValueError as exc:  # QUOTE_NONNUMERIC: a bare word where a number belongs
            raise ValueError(
                f"dòng {n}: có chữ không trong dấu ngoặc kép ở chỗ phải là số"
            ) from exc
        except csv.Error as exc:
            raise ValueError(f"dòng {n}: không đọc được theo dạng CSV") from exc
        yield n, row
