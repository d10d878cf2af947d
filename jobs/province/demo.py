"""`tonghop demo --province`: Bạc Liêu's seven district-level committees and the province.

Each district is a demo district of its own (its own seed), already synced so its out/ folder
exists; the province's tonghop.toml lists their out/ folders under [source] kind = "districts".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DISTRICTS = (
    ("BAC_LIEU", "Thành ủy Bạc Liêu", "bac-lieu", "Bạc Liêu"),
    ("GIA_RAI", "Thị ủy Giá Rai", "gia-rai", "Giá Rai"),
    ("VINH_LOI", "Huyện ủy Vĩnh Lợi", "vinh-loi", "Vĩnh Lợi"),
    ("HOA_BINH", "Huyện ủy Hòa Bình", "hoa-binh", "Hòa Bình"),
    ("HONG_DAN", "Huyện ủy Hồng Dân", "hong-dan", "Hồng Dân"),
    ("PHUOC_LONG", "Huyện ủy Phước Long", "phuoc-long", "Phước Long"),
    ("DONG_HAI", "Huyện ủy Đông Hải", "dong-hai", "Đông Hải"),
)
PROVINCE = """\
# Tỉnh minh họa: mọi số liệu đều giả định. Tệp do `tonghop demo --province` tạo.
# Đơn vị báo cáo của tỉnh là các huyện: mỗi mục [[source.district]] trỏ tới thư mục kết quả
# của một huyện. Đường dẫn trong tệp tính từ thư mục chứa tệp này.

[report]
schema = "midterm_2020_2025"
deadline = 2023-03-23
deadline_inclusive = false
timezone = "Asia/Ho_Chi_Minh"
conference = 2023-04-20

[source]
kind = "districts"
{entries}
[output]
dir = "out"
state = "state/tonghop.sqlite"

[district]
name = "TỈNH ỦY BẠC LIÊU"
parent = "ĐẢNG BỘ TỈNH BẠC LIÊU"
place = "Bạc Liêu"
code = "BAC_LIEU_TINH"

[targets]                      # chỉ tiêu Nghị quyết của tỉnh (giả định cho bản minh họa)
thu_ngan_sach = 380000.0
san_luong_lua = 2400000.0
ho_ngheo = 2.0
bhyt = 93.0
nuoc_sach = 99.0
lao_dong_dao_tao = 70.0
tieu_chi_ntm = 35
ket_nap_dang_vien = 1750
chi_bo_htt = 85.0
dang_vien_htt = 88.0

[district_results]             # số liệu thống kê của tỉnh, kèm nguồn
tang_truong = {{ value = 7.4, source = "Cục Thống kê tỉnh, 3/2023 (số liệu minh họa)" }}
"""


@dataclass(frozen=True)
class ProvinceDemo:
    folder: Path
    config: Path
    districts: int


def entries_toml(rows: list[tuple[str, str, str]]) -> str:
    """[[source.district]] entries for (code, name, folder) rows."""
    return "".join(
        f'\n[[source.district]]\ncode = "{code}"\nname = "{name}"\nfolder = "{folder}"\n'
        for code, name, folder in rows
    )


def make_province_demo(folder: Path, units: int | None = None, seed: int = 2023) -> ProvinceDemo:
    """Seven synced demo districts beside a province config that reads their outputs."""
    from ..config import load_config
    from ..demo import DEMO_AS_OF, make_demo
    from ..job import SyncOptions, run_sync
    from ..sources import make_source

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for n, (code, name, slug, place) in enumerate(DISTRICTS):
        home = folder / slug
        make_demo(home, units, seed=seed + n)
        toml = home / "tonghop.toml"
        text = toml.read_text("utf-8").replace(
            'name = "HUYỆN ỦY VĨNH LỢI"', f'name = "{name.upper()}"'
        )
        text = text.replace('place = "Vĩnh Lợi"', f'place = "{place}"\ncode = "{code}"')
        toml.write_text(text, "utf-8")
        config = load_config(toml, env={})
        run_sync(config, make_source(config), SyncOptions(as_of=datetime.fromisoformat(DEMO_AS_OF)))
        rows.append((code, name, f"../{slug}/out"))
    province = folder / "tinh"
    province.mkdir(exist_ok=True)
    config_path = province / "tonghop.toml"
    config_path.write_text(PROVINCE.format(entries=entries_toml(rows)), "utf-8")
    return ProvinceDemo(province, config_path, len(rows))
