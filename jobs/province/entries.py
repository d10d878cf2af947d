"""The province's ``[[source.district]]`` entries: each district's code, name and output folder.

[source]
kind = "districts"

[[source.district]]
code = "VINH_LOI"
name = "Huyện ủy Vĩnh Lợi"
folder = "../vinh-loi/out"      # the district's output folder (values.csv, status.json)

[[source.district]]
code = "HOA_BINH"
name = "Huyện ủy Hòa Bình"
drive_folder = "https://drive.google.com/drive/folders/1AbC…"   # or the folder's id

A ``drive_folder`` entry is read through the Drive API (``jobs/province/drive``) into a local
copy beside the state, and that copy is then read as a folder entry is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_KEYS = ("code", "name", "folder", "drive_folder")
# A Drive folder's id, alone or in its link (…/drive/folders/ID, …/drive/u/0/folders/ID?usp=…,
# …/open?id=ID).
_DRIVE_ID = re.compile(r"[A-Za-z0-9_-]{10,}")
_DRIVE_LINK = re.compile(r"(?:/folders/|[?&]id=)([A-Za-z0-9_-]{10,})")


@dataclass(frozen=True)
class DistrictEntry:
    """One district the province consolidates: where its outputs are.

    ``folder`` is always where they are read from: the district's own folder, or for a
    ``drive_folder`` entry the local copy the job keeps of that Drive folder.
    """

    code: str
    name: str
    folder: Path
    drive_folder: str = ""  # the Drive folder's id, "" for a folder entry

    @property
    def drive_link(self) -> str:
        """The Drive folder's link, "" for a folder entry."""
        if not self.drive_folder:
            return ""
        return f"https://drive.google.com/drive/folders/{self.drive_folder}"

    @property
    def where(self) -> str:
        """Where the district's outputs are, as a person finds them."""
        if self.drive_folder:
            return f"thư mục Drive {self.drive_link}"
        return f"thư mục {self.folder}"


def drive_folder_id(text: str) -> str | None:
    """The folder id in a Drive folder's link or id, or None."""
    text = text.strip()
    if _DRIVE_ID.fullmatch(text):
        return text
    m = _DRIVE_LINK.search(text) if "drive.google.com" in text else None
    return m.group(1) if m else None


def read_districts(table: dict[str, Any], resolve: Callable[[str], Path],
                   fail: Callable[[str], Exception],
                   drive_cache: Callable[[str], Path]) -> tuple[DistrictEntry, ...]:  # fmt: skip
    """Check and read the entries; ``fail`` makes the one-line configuration error and
    ``drive_cache`` names the local copy of a district's Drive folder."""
    example = (
        '[[source.district]] với code = "VINH_LOI", name = "Huyện ủy Vĩnh Lợi", folder = "…/out" '
        '(hoặc drive_folder = "https://drive.google.com/drive/folders/…")'
    )
    items = table.get("district")
    if not isinstance(items, list) or not items:
        raise fail(f'[source] kind = "districts" cần ít nhất một mục {example}')
    out: list[DistrictEntry] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise fail(
                f"[[source.district]] thứ {n} phải là một mục có các khóa {', '.join(_KEYS)}"
            )
        extra = sorted(set(item) - set(_KEYS))
        if extra:
            raise fail(
                f"[[source.district]] thứ {n}: không có khóa {', '.join(extra)}; các khóa được "
                f"dùng: {', '.join(_KEYS)}"
            )
        values = {k: item.get(k) for k in ("code", "name")}
        missing = [k for k, v in values.items() if not isinstance(v, str) or not v.strip()]
        places = [k for k in ("folder", "drive_folder") if k in item]
        if len(places) != 1:
            missing.append("folder hoặc drive_folder (một trong hai)")
        else:
            where = item[places[0]]
            if not isinstance(where, str) or not where.strip():
                missing.append(places[0])
        if missing:
            raise fail(
                f"[[source.district]] thứ {n}: thiếu {', '.join(missing)} (chuỗi trong ngoặc kép)"
            )
        code = str(values["code"]).strip()
        if not _CODE.match(code):
            raise fail(
                f'[[source.district]] thứ {n}: code = "{code}" chỉ được gồm chữ, số, _ và -, tối đa 64 ký tự'
            )
        if code.casefold() in seen:
            raise fail(f'[[source.district]]: mã huyện "{code}" bị lặp lại')
        seen.add(code.casefold())
        name = str(values["name"]).strip()
        if places[0] == "folder":
            out.append(DistrictEntry(code, name, resolve(str(item["folder"]))))
            continue
        folder_id = drive_folder_id(str(item["drive_folder"]))
        if folder_id is None:
            raise fail(
                f'[[source.district]] thứ {n}: drive_folder = "{item["drive_folder"]}" không phải '
                "đường liên kết hay mã của một thư mục Google Drive (dạng "
                "https://drive.google.com/drive/folders/…)"
            )
        out.append(DistrictEntry(code, name, drive_cache(code), folder_id))
    return tuple(out)
