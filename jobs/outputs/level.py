"""The words a report uses for its own level: a district's Huyện ủy reports on its grassroots
units, a province's Tỉnh ủy on its district-level committees. The Word builders (``draft``,
``draft_points``, ``wordpage``) take a ``Level`` and never spell a level out themselves, so
the province's draft is the district's with other words (``jobs/province/draft``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    whole: str  # "huyện": "toàn huyện", "chỉ tiêu của huyện"
    committee: str  # "Huyện ủy": who the units report to
    symbol: str  # the document number's suffix: "Số   -BC/HU"
    members: str  # who reports to it, in lower case
    superior: str  # who the report goes up to, "Nơi nhận" (báo cáo)
    recipients: tuple[str, ...]  # the other "Nơi nhận" lines, before "Lưu Văn phòng …"

    @property
    def total(self) -> str:
        """ "Toàn huyện": the column of the whole level's figure."""
        return f"Toàn {self.whole}"


DISTRICT = Level(
    whole="huyện",
    committee="Huyện ủy",
    symbol="HU",
    members="các tổ chức cơ sở đảng",
    superior="Ban Thường vụ Tỉnh ủy",
    recipients=("Các đồng chí ủy viên Ban Chấp hành", "Các tổ chức cơ sở đảng"),
)
PROVINCE = Level(
    whole="tỉnh",
    committee="Tỉnh ủy",
    symbol="TU",
    members="các huyện ủy, thị ủy, thành ủy trực thuộc",
    superior="Ban Bí thư Trung ương Đảng",
    recipients=(
        "Văn phòng Trung ương Đảng",
        "Các đồng chí Tỉnh ủy viên",
        "Các huyện ủy, thị ủy, thành ủy trực thuộc",
    ),
)
