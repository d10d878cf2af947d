"""The province's ``[[source.district]]`` entries: each district's code, name and output folder.

[source]
kind = "districts"

[[source.district]]
code = "VINH_LOI"
name = "Huyện ủy Vĩnh Lợi"
folder = "../vinh-loi/out"      # the district's output folder (values.csv, status.json)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_KEYS = ("code", "name", "folder")


@dataclass(frozen=True)
class DistrictEntry:
    """One district the province consolidates: where its outputs are."""

    code: str
    name: str
    folder: Path


def read_districts(table: dict[str, Any], resolve: Callable[[str], Path],
                   fail: Callable[[str], Exception]) -> tuple[DistrictEntry, ...]:  # fmt: skip
    """Check and read the entries; ``fail`` makes the one-line configuration error."""
    example = (
        '[[source.district]] với code = "VINH_LOI", name = "Huyện ủy Vĩnh Lợi", folder = "…/out"'
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
        values = {k: item.get(k) for k in _KEYS}
        missing = [k for k, v in values.items() if not isinstance(v, str) or not v.strip()]
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
        out.append(DistrictEntry(code, str(values["name"]).strip(), resolve(str(values["folder"]))))
    return tuple(out)
