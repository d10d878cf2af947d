"""Demo data: the content of a fictional run of the mid-term review in Huyện ủy Vĩnh Lợi.

Everything here is invented for demonstrations and tests (``tonghop demo``): the unit names
follow the real district's communes and agencies, but every figure, person, telephone number and
e-mail address (all under ``example.vn``) is made up. Nothing here is real report data.

The module only produces values; writing them into workbooks is someone else's job. A report is
a ``dict`` keyed by the template's field ids (schema ``midterm_2020_2025``), holding what a unit
would have typed as typed Python values:

- text → ``str``; integer → ``int``; decimal and percent → ``float`` (percent points: 97.18
  means 97,18%); date → ``datetime.date``; bool → ``bool``; choice → the exact Vietnamese label;
- ``hc_bang`` → a list of row dicts keyed by the column ids;
- counts inside indicators (``tieu_chi_ntm``, ``ket_nap_dang_vien``, every ``tu_so`` and
  ``mau_so``) are ``int``;
- a key that is absent means the cell is left empty. ``tt_phien_ban`` is never set: the template
  prefills it.

A party cell (chi bộ) has no subordinate cells, so it answers the indicator ``chi_bo_htt`` with
``NOT_APPLICABLE`` in its result cell and a note, as the template allows, and leaves that
indicator's other cells empty.

``MISTAKES`` turns a valid report into one with an error real units make; such a report may
hold strings where numbers belong, and one marker tuple ``("percent_format", fraction)`` that
asks the writer for a percent-formatted cell (see ``percent_sign``). ``MISTAKE_SEVERITY`` says
what the checker should find for each.

Everything is deterministic for a given ``random.Random`` seed.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from random import Random
from typing import NamedTuple

__all__ = [
    "DEMO_UNITS",
    "KD_IDS",
    "KS_IDS",
    "MISTAKES",
    "MISTAKE_SEVERITY",
    "NOT_APPLICABLE",
    "TYPE_LABELS",
    "DemoUnit",
    "Report",
    "demo_units",
    "in_progress_report",
    "valid_report",
]

Report = dict[str, object]


@dataclass(frozen=True, slots=True)
class DemoUnit:
    """One fictional roster unit: its code, name, roster type code and e-mail address."""

    code: str
    name: str
    type: str
    email: str


# Roster type code → the label of the template's tt_loai_hinh dropdown.
TYPE_LABELS: Mapping[str, str] = {
    "xa": "Đảng bộ xã",
    "thi_tran": "Đảng bộ thị trấn",
    "co_quan": "Cơ quan",
    "luc_luong_vu_trang": "Lực lượng vũ trang",
    "su_nghiep": "Đơn vị sự nghiệp",
    "doanh_nghiep": "Doanh nghiệp",
}

NOT_APPLICABLE = "Không áp dụng"

_LOCAL = ("xa", "thi_tran")  # "xã, thị trấn" in the template's "applies to" column
_EMAIL_DOMAIN = "example.vn"


def _unit(code: str, name: str, type_: str) -> DemoUnit:
    # The e-mail is the code without its type prefix: XA_VINH_HUNG_A → vinhhunga@example.vn.
    local = code.split("_", 1)[1].replace("_", "").lower()
    return DemoUnit(code, name, type_, f"{local}@{_EMAIL_DOMAIN}")


DEMO_UNITS: list[DemoUnit] = [
    _unit("TT_CHAU_HUNG", "Đảng bộ thị trấn Châu Hưng", "thi_tran"),
    _unit("XA_VINH_HUNG", "Đảng bộ xã Vĩnh Hưng", "xa"),
    _unit("XA_VINH_HUNG_A", "Đảng bộ xã Vĩnh Hưng A", "xa"),
    _unit("XA_CHAU_HUNG_A", "Đảng bộ xã Châu Hưng A", "xa"),
    _unit("XA_HUNG_THANH", "Đảng bộ xã Hưng Thành", "xa"),
    _unit("XA_HUNG_HOI", "Đảng bộ xã Hưng Hội", "xa"),
    _unit("XA_CHAU_THOI", "Đảng bộ xã Châu Thới", "xa"),
    _unit("XA_LONG_THANH", "Đảng bộ xã Long Thạnh", "xa"),
    _unit("CQ_VP_HUYEN_UY", "Chi bộ Văn phòng Huyện ủy", "co_quan"),
    _unit("CQ_BAN_TO_CHUC", "Chi bộ Ban Tổ chức Huyện ủy", "co_quan"),
    _unit("CQ_UB_KIEM_TRA", "Chi bộ Ủy ban Kiểm tra Huyện ủy", "co_quan"),
    _unit("CQ_BAN_TUYEN_GIAO", "Chi bộ Ban Tuyên giáo Huyện ủy", "co_quan"),
    _unit("CQ_BAN_DAN_VAN", "Chi bộ Ban Dân vận Huyện ủy", "co_quan"),
    _unit("CQ_CHINH_QUYEN", "Đảng bộ cơ quan Chính quyền huyện", "co_quan"),
    _unit("CQ_MTTQ_DOAN_THE", "Chi bộ Mặt trận Tổ quốc và các đoàn thể huyện", "co_quan"),
    _unit("CQ_VIEN_KIEM_SAT", "Chi bộ Viện Kiểm sát nhân dân huyện", "co_quan"),
    _unit("CQ_TOA_AN", "Chi bộ Tòa án nhân dân huyện", "co_quan"),
    _unit("CQ_THI_HANH_AN", "Chi bộ Chi cục Thi hành án dân sự huyện", "co_quan"),
    _unit("CQ_CHI_CUC_THUE", "Chi bộ Chi cục Thuế huyện", "co_quan"),
    _unit("CQ_KHO_BAC", "Chi bộ Kho bạc Nhà nước huyện", "co_quan"),
    _unit("CQ_BHXH", "Chi bộ Bảo hiểm xã hội huyện", "co_quan"),
    _unit("CQ_NH_CSXH", "Chi bộ Phòng Giao dịch Ngân hàng Chính sách xã hội huyện", "co_quan"),
    _unit("LLVT_QUAN_SU", "Đảng bộ Quân sự huyện", "luc_luong_vu_trang"),
    _unit("LLVT_CONG_AN", "Đảng bộ Công an huyện", "luc_luong_vu_trang"),
    _unit("SN_THPT_VINH_HUNG", "Chi bộ Trường THPT Vĩnh Hưng", "su_nghiep"),
    _unit("SN_THPT_LE_VAN_DAU", "Chi bộ Trường THPT Lê Văn Đẩu", "su_nghiep"),
    _unit("SN_PT_DTNT", "Chi bộ Trường Phổ thông Dân tộc nội trú huyện", "su_nghiep"),
    _unit("SN_TT_Y_TE", "Đảng bộ Trung tâm Y tế huyện", "su_nghiep"),
    _unit("SN_TT_CHINH_TRI", "Chi bộ Trung tâm Chính trị huyện", "su_nghiep"),
    _unit(
        "SN_TT_VH_TT_TT", "Chi bộ Trung tâm Văn hóa, Thể thao và Truyền thanh huyện", "su_nghiep"
    ),
    _unit(
        "SN_TT_GDNN_GDTX",
        "Chi bộ Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện",
        "su_nghiep",
    ),
    _unit("SN_BQL_DU_AN", "Chi bộ Ban Quản lý dự án đầu tư xây dựng huyện", "su_nghiep"),
    _unit("SN_TT_DV_NONG_NGHIEP", "Chi bộ Trung tâm Dịch vụ nông nghiệp huyện", "su_nghiep"),
    _unit("DN_DIEN_LUC", "Chi bộ Điện lực Vĩnh Lợi", "doanh_nghiep"),
    _unit("DN_CAP_NUOC", "Chi bộ Chi nhánh Cấp nước Vĩnh Lợi", "doanh_nghiep"),
    _unit("DN_BUU_DIEN", "Chi bộ Bưu điện huyện Vĩnh Lợi", "doanh_nghiep"),
    _unit(
        "DN_AGRIBANK",
        "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh huyện Vĩnh Lợi",
        "doanh_nghiep",
    ),
    _unit("DN_HTX_HUNG_THANH", "Chi bộ Hợp tác xã Nông nghiệp Hưng Thành", "doanh_nghiep"),
]

# Places and kinds of unit used to invent more units than the fixed list holds.
_PLACES = (
    ("Châu Hưng", "CHAU_HUNG"),
    ("Vĩnh Hưng", "VINH_HUNG"),
    ("Vĩnh Hưng A", "VINH_HUNG_A"),
    ("Châu Hưng A", "CHAU_HUNG_A"),
    ("Hưng Thành", "HUNG_THANH"),
    ("Hưng Hội", "HUNG_HOI"),
    ("Châu Thới", "CHAU_THOI"),
    ("Long Thạnh", "LONG_THANH"),
)
_EXTRA_KINDS = (
    ("SN_TH", "Chi bộ Trường Tiểu học {place} số {n}", "su_nghiep"),
    ("SN_THCS", "Chi bộ Trường THCS {place} số {n}", "su_nghiep"),
    ("SN_MN", "Chi bộ Trường Mầm non {place} số {n}", "su_nghiep"),
    ("DN_HTX", "Chi bộ Hợp tác xã Nông nghiệp {place} số {n}", "doanh_nghiep"),
)


def demo_units(n: int, rng: Random) -> list[DemoUnit]:
    """The first ``n`` demo units; beyond the fixed list, invented schools and cooperatives."""
    if n < 0:
        raise ValueError(f"the number of demo units must be >= 0, got {n}")
    units = list(DEMO_UNITS[:n])
    codes = {u.code for u in DEMO_UNITS}
    emails = {u.email for u in DEMO_UNITS}
    counters: dict[tuple[str, str], int] = {}
    while len(units) < n:
        prefix, pattern, type_ = rng.choice(_EXTRA_KINDS)
        place, place_code = rng.choice(_PLACES)
        number = counters.get((prefix, place_code), 0) + 1
        counters[(prefix, place_code)] = number
        unit = _unit(
            f"{prefix}_{place_code}_{number}", pattern.format(place=place, n=number), type_
        )
        if unit.code in codes or unit.email in emails:  # cannot happen today; stay unique anyway
            continue
        codes.add(unit.code)
        emails.add(unit.email)
        units.append(unit)
    return units


# ---------------------------------------------------------------------------------------------
# Who the unit is, in words the prose needs.


def _is_committee(unit: DemoUnit) -> bool:
    """An đảng bộ (with subordinate cells) rather than a chi bộ."""
    return unit.name.startswith("Đảng bộ")


def _task(unit: DemoUnit) -> str:
    """The unit's political task, as a verb phrase."""
    if unit.type in _LOCAL:
        return "phát triển kinh tế - xã hội, bảo đảm quốc phòng - an ninh"
    if unit.type == "luc_luong_vu_trang":
        if "Công an" in unit.name:
            return "giữ vững an ninh chính trị, bảo đảm trật tự, an toàn xã hội trên địa bàn"
        return "xây dựng lực lượng vũ trang huyện vững mạnh, sẵn sàng chiến đấu, bảo vệ địa bàn"
    if unit.type == "su_nghiep":
        if "Trường" in unit.name:
            return "nâng cao chất lượng dạy và học, xây dựng trường đạt chuẩn quốc gia"
        if "Y tế" in unit.name:
            return "nâng cao chất lượng khám, chữa bệnh và chăm sóc sức khỏe Nhân dân"
        return "nâng cao chất lượng hoạt động sự nghiệp, phục vụ tốt Nhân dân"
    if unit.type == "doanh_nghiep":
        return "hoàn thành kế hoạch sản xuất, kinh doanh, chăm lo đời sống người lao động"
    return "nâng cao chất lượng tham mưu, thực hiện tốt nhiệm vụ chuyên môn"


def _context(unit: DemoUnit, members: int, admitted: int) -> dict[str, str]:
    local = unit.type in _LOCAL
    if _is_committee(unit):
        leader, body = "Ban Chấp hành Đảng bộ", "Đảng bộ"
    else:
        # A cell of fewer than 9 members elects no committee (chi ủy), only a secretary.
        leader, body = ("Chi ủy" if members >= 9 else "Chi bộ"), "Chi bộ"
    return {
        "cq": leader,
        "to_chuc": body,
        "dv": unit.name,
        "dp": "địa phương" if local else "cơ quan, đơn vị",
        "nv": _task(unit),
        "phoi_hop": (
            "chính quyền, Mặt trận Tổ quốc và các đoàn thể"
            if local
            else "thủ trưởng cơ quan, đơn vị, công đoàn và đoàn thanh niên"
        ),
        "ubnd": "Ủy ban nhân dân thị trấn" if unit.type == "thi_tran" else "Ủy ban nhân dân xã",
        "ket_nap": str(admitted),
    }


# ---------------------------------------------------------------------------------------------
# Thông tin.


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SURNAMES = _words("Nguyễn Trần Lê Phạm Huỳnh Võ Đặng Bùi Lâm Dương Trương")
_KHMER_SURNAMES = _words("Thạch Danh Sơn Lý")
# (middle names, given names)
_MALE = (
    _words("Văn Minh Thanh Hoàng Quốc Hữu"),
    _words("Hùng Phước Tuấn Dũng Nhân Lợi Khánh Tâm Hải Trung Phong Thắng"),
)
_FEMALE = (
    _words("Thị Ngọc Thanh Kim Mỹ Thu"),
    _words("Hằng Thảo Linh Trinh Nhung Diễm Phượng Hoa Hương Yến Xuân Tuyết"),
)
_MOBILE_PREFIXES = _words("090 091 093 094 096 097 098 086 088 089 070 076 077 079 081 083 085")


def _person(rng: Random) -> str:
    surname = rng.choice(_KHMER_SURNAMES if rng.random() < 0.12 else _SURNAMES)
    middles, names = _MALE if rng.random() < 0.6 else _FEMALE
    return f"{surname} {rng.choice(middles)} {rng.choice(names)}"


def _phone(rng: Random) -> str:
    digits = rng.choice(_MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(7))
    style = rng.random()
    if style < 0.6:
        return digits
    sep = " " if style < 0.85 else "."
    return sep.join((digits[:4], digits[4:7], digits[7:]))


def _position(unit: DemoUnit, members: int, rng: Random) -> str:
    options: tuple[str, ...]
    if unit.type in _LOCAL:
        options = (
            "Phó Bí thư Thường trực Đảng ủy",
            "Chánh Văn phòng Đảng ủy",
            "Cán bộ Văn phòng Đảng ủy",
        )
    elif _is_committee(unit):
        options = (
            "Phó Bí thư Đảng ủy",
            "Ủy viên Ban Thường vụ Đảng ủy",
            "Cán bộ Văn phòng Đảng ủy",
        )
    elif members >= 9:
        options = ("Bí thư Chi bộ", "Phó Bí thư Chi bộ", "Chi ủy viên")
    else:
        options = ("Bí thư Chi bộ", "Phó Bí thư Chi bộ")
    return rng.choice(options)


def _size(unit: DemoUnit, rng: Random) -> tuple[int, int]:
    """Party members and subordinate cells."""
    if unit.type in _LOCAL:
        return rng.randint(200, 600), rng.randint(12, 24)
    if _is_committee(unit):
        return rng.randint(45, 180), rng.randint(3, 9)
    return rng.randint(5, 60), 0


# ---------------------------------------------------------------------------------------------
# Chỉ tiêu.

_VUOT, _DAT, _CHUA_DAT = "Vượt", "Đạt", "Chưa đạt"
_KHO_DAT, _KHONG_DAT = "Khó đạt", "Không đạt"

_SHORTFALL_NOTES = {
    "tang_truong": "Sản xuất bị ảnh hưởng bởi dịch COVID-19 và giá vật tư nông nghiệp tăng cao.",
    "thu_nhap": "Giá vật tư đầu vào tăng, giá tôm, giá lúa không ổn định nên thu nhập tăng chậm.",
    "thu_ngan_sach": "Nguồn thu từ đất và một số khoản phí, lệ phí đạt thấp.",
    "san_luong_lua": (
        "Thời tiết bất lợi, sâu bệnh vụ Hè Thu làm giảm năng suất; một phần diện tích chuyển"
        " sang mô hình lúa - tôm."
    ),
    "san_luong_thuy_san": "Tôm nuôi thiệt hại do thời tiết thay đổi đột ngột và dịch bệnh.",
    "ho_ngheo": "Áp dụng chuẩn nghèo đa chiều giai đoạn 2022 - 2025 làm phát sinh thêm hộ nghèo.",
    "bhyt": "Một bộ phận người dân đi làm ăn xa, chưa tham gia bảo hiểm y tế hộ gia đình.",
    "nuoc_sach": "Một số hộ ở các ấp vùng sâu chưa có tuyến ống cấp nước tập trung.",
    "lao_dong_dao_tao": "Lao động trẻ đi làm ăn xa nhiều, việc mở lớp đào tạo nghề gặp khó khăn.",
    "tieu_chi_ntm": "Tiêu chí thu nhập, hộ nghèo chưa đạt theo bộ tiêu chí giai đoạn 2021 - 2025.",
    "giao_quan": (
        "Có thanh niên trúng tuyển nhưng không có mặt ngày giao quân, đã xử lý theo quy định."
    ),
    "ket_nap_dang_vien": "Nguồn quần chúng ưu tú còn ít, nhiều đoàn viên đi làm ăn xa.",
    "chi_bo_htt": "Một số chi bộ trực thuộc chất lượng sinh hoạt chưa cao, chưa hoàn thành tốt.",
    "dang_vien_htt": "Một số đảng viên lớn tuổi, sức khỏe yếu, chưa hoàn thành tốt nhiệm vụ.",
}
_MET_NOTES = ("Số liệu ước thực hiện đến 31/12/2022.", "Theo số liệu thống kê năm 2022.")


def _outcome(rng: Random) -> str:
    """Which way an indicator goes: most meet or exceed their target, some fall short."""
    r = rng.random()
    return _VUOT if r < 0.6 else _DAT if r < 0.85 else _CHUA_DAT


def _assessment(nq: float, kq: float, lower: bool) -> tuple[str, float]:
    """The assessment the tool computes, and the ratio it is computed from."""
    ratio = (math.inf if kq == 0 else nq / kq) if lower else kq / nq
    if ratio > 1:
        return _VUOT, ratio
    return (_DAT if ratio == 1 else _CHUA_DAT), ratio


def _amount(
    rng: Random,
    nq: float,
    outcome: str,
    up: tuple[float, float],
    down: tuple[float, float],
    digits: int,
) -> float:
    """A result near a higher-is-better target: up/down are relative gains and shortfalls."""
    if outcome == _DAT:
        return nq
    factor = 1 + rng.uniform(*up) if outcome == _VUOT else 1 - rng.uniform(*down)
    return float(round(nq * factor, digits))


def _rate(
    rng: Random,
    mau: int,
    nq: float,
    outcome: str,
    up: tuple[float, float],
    down: tuple[float, float],
    lower: bool = False,
) -> tuple[int, float]:
    """A numerator for ``mau`` whose rate lands on the outcome's side of ``nq`` (percent points).

    up/down are how far, in percent points, a better or worse result lies from the target. The
    integer numerator may not land exactly; the assessment is computed from it afterwards.
    """
    exact = nq * mau / 100
    if outcome == _DAT and abs(exact - round(exact)) < 1e-9:
        tu = round(exact)
    else:
        better = -1 if lower else 1
        if outcome == _CHUA_DAT:
            target = nq - better * rng.uniform(*down)
        else:
            target = nq + better * rng.uniform(*(up if outcome == _VUOT else (0.05, 0.5)))
        tu = min(mau, max(0, round(min(100.0, max(0.0, target)) * mau / 100)))
    return tu, round(100 * tu / mau, 2)


def _close(
    rng: Random, key: str, nq: float, kq: float, lower: bool = False, cap: float | None = None
) -> Report:
    """The forecast and note that go with a computed result, consistent with it."""
    assessment, ratio = _assessment(nq, kq, lower)
    if assessment == _VUOT:
        du_bao = _VUOT if rng.random() < 0.75 else _DAT
    elif assessment == _DAT:
        du_bao = _DAT if rng.random() < 0.85 else _VUOT
    elif ratio >= 0.95:
        du_bao = _DAT if rng.random() < 0.6 else _KHO_DAT
    elif ratio >= 0.8:
        du_bao = _KHO_DAT if rng.random() < 0.7 else _DAT
    elif ratio >= 0.6:
        du_bao = _KHO_DAT if rng.random() < 0.5 else _KHONG_DAT
    else:
        du_bao = _KHONG_DAT
    if du_bao == _VUOT and cap is not None and nq >= cap:
        du_bao = _DAT  # nothing lies beyond 100% or 19 of 19 criteria
    out: Report = {f"ct_{key}_du_bao": du_bao}
    if assessment == _CHUA_DAT or du_bao in (_KHO_DAT, _KHONG_DAT):
        note = _SHORTFALL_NOTES[key]
        if du_bao in (_KHO_DAT, _KHONG_DAT):
            note += " Dự báo khó hoàn thành chỉ tiêu vào cuối nhiệm kỳ."
        else:
            note += " Phấn đấu đạt chỉ tiêu vào cuối nhiệm kỳ."
        out[f"ct_{key}_ghi_chu"] = note
    elif rng.random() < 0.1:
        out[f"ct_{key}_ghi_chu"] = rng.choice(_MET_NOTES)
    return out


def _indicators(unit: DemoUnit, members: int, cells: int, rng: Random) -> Report:
    """Every ct_* value that applies to the unit's type; the others are left out."""
    out: Report = {}

    def plain(key: str, nq: float, kq: float, cap: float | None = None) -> None:
        out[f"ct_{key}_nq"] = nq
        out[f"ct_{key}_kq"] = kq
        out.update(_close(rng, key, nq, kq, cap=cap))

    def rate(
        key: str,
        nq: float,
        mau: int,
        up: tuple[float, float],
        down: tuple[float, float],
        lower: bool = False,
    ) -> None:
        tu, kq = _rate(rng, mau, nq, _outcome(rng), up, down, lower)
        out[f"ct_{key}_nq"] = nq
        out[f"ct_{key}_kq"] = kq
        out[f"ct_{key}_tu_so"] = tu
        out[f"ct_{key}_mau_so"] = mau
        out.update(_close(rng, key, nq, kq, lower, cap=None if lower else 100.0))

    if unit.type in _LOCAL:
        town = unit.type == "thi_tran"
        nq = rng.choice((7.0, 7.5, 8.0, 8.5, 9.0, 10.0))
        plain("tang_truong", nq, _amount(rng, nq, _outcome(rng), (0.02, 0.2), (0.05, 0.3), 2))
        nq = rng.choice((55.0, 58.0, 60.0, 62.0, 65.0))
        plain("thu_nhap", nq, _amount(rng, nq, _outcome(rng), (0.01, 0.12), (0.02, 0.12), 1))
        nq = float(rng.randrange(120, 220) * 100 if town else rng.randrange(25, 90) * 100)
        plain("thu_ngan_sach", nq, _amount(rng, nq, _outcome(rng), (0.02, 0.35), (0.03, 0.2), 1))
        nq = float(rng.randrange(80, 150) * 100 if town else rng.randrange(300, 700) * 100)
        plain("san_luong_lua", nq, _amount(rng, nq, _outcome(rng), (0.01, 0.1), (0.02, 0.12), 0))
        nq = float(rng.randrange(40, 150) * 10 if town else rng.randrange(150, 700) * 10)
        plain(
            "san_luong_thuy_san", nq, _amount(rng, nq, _outcome(rng), (0.02, 0.2), (0.05, 0.25), 0)
        )

        households = rng.randint(5200, 7800) if town else rng.randint(2800, 6500)
        population = round(households * rng.uniform(3.4, 3.9))
        rate(
            "ho_ngheo",
            rng.choice((1.5, 2.0, 2.5, 3.0)),
            households,
            (0.1, 0.5),
            (0.1, 0.8),
            lower=True,
        )
        rate("bhyt", rng.choice((90.0, 92.0, 93.0, 95.0)), population, (0.2, 4.0), (0.5, 5.0))
        rate("nuoc_sach", rng.choice((97.0, 98.0, 99.0, 100.0)), households, (0.1, 2.5), (0.3, 4.0))
        rate(
            "lao_dong_dao_tao",
            rng.choice((60.0, 65.0, 70.0, 75.0)),
            round(population * rng.uniform(0.55, 0.65)),
            (0.5, 8.0),
            (1.0, 8.0),
        )

        if unit.type == "xa":
            nq_ntm = rng.choice((19, 19, 19, 18, 17))
            outcome = _outcome(rng)
            if outcome == _VUOT and nq_ntm < 19:
                kq_ntm = rng.randint(nq_ntm + 1, 19)
            elif outcome == _CHUA_DAT:
                kq_ntm = rng.randint(15, nq_ntm - 1)
            else:
                kq_ntm = nq_ntm
            plain("tieu_chi_ntm", nq_ntm, kq_ntm, cap=19)

        # Conscription quotas are met in full or just missed: no one enlists beyond the quota.
        quota = rng.randint(20, 48)
        enlisted = quota if rng.random() < 0.85 else quota - rng.randint(1, 2)
        out["ct_giao_quan_nq"] = 100.0
        out["ct_giao_quan_kq"] = round(100 * enlisted / quota, 2)
        out["ct_giao_quan_tu_so"] = enlisted
        out["ct_giao_quan_mau_so"] = quota
        out.update(_close(rng, "giao_quan", 100.0, round(100 * enlisted / quota, 2), cap=100.0))

    nq_admit = max(1, round(members * rng.uniform(0.08, 0.14)))
    outcome = _outcome(rng)
    if outcome == _VUOT:
        admitted = nq_admit + rng.randint(1, max(1, nq_admit // 4))
    elif outcome == _CHUA_DAT:
        admitted = max(0, nq_admit - rng.randint(1, max(1, nq_admit // 3)))
    else:
        admitted = nq_admit
    plain("ket_nap_dang_vien", nq_admit, admitted)

    if cells > 0:
        rate("chi_bo_htt", rng.choice((80.0, 85.0, 90.0)), cells, (1.0, 15.0), (3.0, 15.0))
    else:
        out["ct_chi_bo_htt_kq"] = NOT_APPLICABLE
        out["ct_chi_bo_htt_ghi_chu"] = "Chi bộ cơ sở, không có chi bộ trực thuộc."

    exempt = round(members * rng.uniform(0.02, 0.08))
    rate(
        "dang_vien_htt", rng.choice((85.0, 90.0)), max(1, members - exempt), (1.0, 9.0), (2.0, 10.0)
    )
    return out


# ---------------------------------------------------------------------------------------------
# Kiểm điểm: each section is a list of paragraphs; a paragraph is a list of slots; a slot is a
# choice of sentences, or a choice per group ("dp": communes and the town, "khac": the others).
# The first paragraph is always used, then 1-3 of the rest in order.

_Slot = tuple[str, ...] | dict[str, tuple[str, ...]]
_Paragraph = tuple[_Slot, ...]

_KD: dict[str, tuple[_Paragraph, ...]] = {
    "kd_lanh_dao_thuc_hien": (
        (
            (
                "Ngay sau Đại hội, {cq} đã ban hành chương trình hành động thực hiện Nghị quyết"
                " Đại hội {dv} nhiệm kỳ 2020 - 2025, gắn với Nghị quyết Đại hội Đảng bộ huyện"
                " Vĩnh Lợi và Nghị quyết Đại hội Đảng bộ tỉnh Bạc Liêu.",
                "Trên cơ sở Nghị quyết Đại hội {dv} nhiệm kỳ 2020 - 2025, {cq} đã cụ thể hóa"
                " thành chương trình, kế hoạch toàn khóa và hằng năm, gắn với Nghị quyết Đại hội"
                " Đảng bộ huyện Vĩnh Lợi.",
            ),
            (
                "Các chỉ tiêu, nhiệm vụ được phân kỳ theo từng năm, phân công cấp ủy viên phụ"
                " trách, làm cơ sở để kiểm tra, đánh giá kết quả thực hiện.",
                "Việc quán triệt, triển khai Nghị quyết được thực hiện nghiêm túc đến toàn thể"
                " cán bộ, đảng viên, tỷ lệ đảng viên tham dự đạt trên 95%.",
            ),
        ),
        (
            {
                "dp": (
                    "Kinh tế của địa phương tiếp tục phát triển; sản xuất nông nghiệp chuyển dịch"
                    " theo hướng nâng cao giá trị, mô hình lúa - tôm, lúa chất lượng cao được"
                    " nhân rộng.",
                    "Kinh tế duy trì tăng trưởng khá; diện tích lúa chất lượng cao, lúa hữu cơ"
                    " tiếp tục mở rộng, các hợp tác xã, tổ hợp tác hoạt động ngày càng hiệu quả.",
                ),
                "khac": (
                    "{cq} đã lãnh đạo {dp} hoàn thành tốt nhiệm vụ chính trị được giao, tập trung"
                    " {nv}.",
                    "Nhiệm vụ chính trị của {dp} được lãnh đạo thực hiện đạt kết quả khá toàn"
                    " diện; {to_chuc} tập trung {nv}.",
                ),
            },
            {
                "dp": (
                    "Chương trình xây dựng nông thôn mới được quan tâm chỉ đạo, kết cấu hạ tầng"
                    " giao thông nông thôn từng bước hoàn thiện.",
                    "Các chính sách hỗ trợ hộ nghèo, hộ cận nghèo, gia đình chính sách được thực"
                    " hiện kịp thời, đúng đối tượng; quốc phòng - an ninh được giữ vững.",
                ),
                "khac": (
                    "Phần lớn chỉ tiêu chuyên môn đạt và vượt kế hoạch, được cấp trên ghi nhận.",
                    "Việc thực hiện các chỉ tiêu chuyên môn cơ bản đạt và vượt kế hoạch đề ra.",
                ),
            },
        ),
        (
            (
                "Nửa đầu nhiệm kỳ diễn ra trong bối cảnh dịch bệnh COVID-19 ảnh hưởng nặng nề;"
                " {cq} đã kịp thời lãnh đạo vừa phòng, chống dịch, vừa duy trì hoạt động, ổn"
                " định đời sống cán bộ và Nhân dân.",
                "Trong điều kiện dịch bệnh COVID-19 diễn biến phức tạp những năm 2021 - 2022,"
                " {to_chuc} đã linh hoạt trong lãnh đạo, chỉ đạo, bảo đảm hoàn thành nhiệm vụ.",
            ),
        ),
        (
            (
                "Công tác xây dựng Đảng được chú trọng; chất lượng sinh hoạt chi bộ từng bước"
                " được nâng lên, từ đầu nhiệm kỳ đến nay kết nạp được {ket_nap} đảng viên mới.",
                "Công tác xây dựng Đảng và hệ thống chính trị được quan tâm thường xuyên; từ đầu"
                " nhiệm kỳ đã kết nạp {ket_nap} đảng viên mới.",
            ),
            (
                "Đến giữa nhiệm kỳ, đa số chỉ tiêu Nghị quyết đạt và vượt tiến độ, tạo tiền đề"
                " hoàn thành toàn diện Nghị quyết trong nửa nhiệm kỳ còn lại.",
                "Nhìn chung, phần lớn chỉ tiêu Nghị quyết đạt và vượt tiến độ; một số chỉ tiêu"
                " còn khó khăn cần tập trung lãnh đạo trong thời gian tới.",
            ),
        ),
    ),
    "kd_dieu_le_tap_trung_dan_chu": (
        (
            (
                "{cq} đã ban hành Quy chế làm việc nhiệm kỳ 2020 - 2025, phân công nhiệm vụ cụ"
                " thể cho từng cấp ủy viên.",
                "Ngay từ đầu nhiệm kỳ, {cq} xây dựng và ban hành Quy chế làm việc, chương trình"
                " công tác toàn khóa, phân công rõ người, rõ việc, rõ trách nhiệm.",
            ),
            (
                "Điều lệ Đảng và Quy định số 24-QĐ/TW của Ban Chấp hành Trung ương về thi hành"
                " Điều lệ Đảng được quán triệt và chấp hành nghiêm túc.",
                "Các quy định của Điều lệ Đảng và hướng dẫn thi hành Điều lệ Đảng được chấp"
                " hành nghiêm túc.",
            ),
        ),
        (
            (
                "Nguyên tắc tập trung dân chủ được thực hiện nghiêm; các vấn đề quan trọng đều"
                " được đưa ra tập thể thảo luận dân chủ, quyết định theo đa số.",
                "Nguyên tắc tập trung dân chủ, tập thể lãnh đạo, cá nhân phụ trách được giữ vững;"
                " những vấn đề thuộc thẩm quyền đều được tập thể bàn bạc, biểu quyết theo đa số.",
            ),
            (
                "Người đứng đầu phát huy vai trò, trách nhiệm, nêu gương trong lãnh đạo thực hiện"
                " nhiệm vụ.",
                "Cấp ủy viên và người đứng đầu nêu cao tinh thần trách nhiệm, không có biểu hiện"
                " độc đoán, gia trưởng hoặc dựa dẫm vào tập thể.",
            ),
        ),
        (
            (
                "Sinh hoạt chi bộ được duy trì định kỳ theo Hướng dẫn số 12-HD/BTCTW của Ban Tổ"
                " chức Trung ương; nội dung sinh hoạt từng bước được đổi mới.",
                "Chế độ sinh hoạt định kỳ được duy trì nền nếp; sinh hoạt chuyên đề được tổ chức"
                " ít nhất một quý một lần, nội dung thiết thực, gắn với nhiệm vụ chính trị.",
            ),
        ),
        (
            (
                "Tuy vậy, có lúc việc thực hiện quy chế làm việc chưa chặt chẽ, một số cuộc họp"
                " chuẩn bị nội dung chưa chu đáo.",
                "Tuy nhiên, việc thảo luận, đóng góp ý kiến trong một số cuộc họp còn hạn chế,"
                " tính chiến đấu chưa cao.",
            ),
        ),
    ),
    "kd_doan_ket_noi_bo": (
        (
            (
                "{to_chuc} luôn coi trọng công tác xây dựng đoàn kết nội bộ, xác định đây là yếu"
                " tố quyết định thành công trong thực hiện nhiệm vụ chính trị.",
                "Xây dựng đoàn kết, thống nhất trong nội bộ được {cq} xác định là nhiệm vụ"
                " thường xuyên, quan trọng.",
            ),
            (
                "Trong nửa đầu nhiệm kỳ, nội bộ cấp ủy và {dp} luôn đoàn kết, thống nhất cao về"
                " tư tưởng và hành động.",
                "Nội bộ đoàn kết, thống nhất; không có đơn thư phản ánh mất đoàn kết nội bộ.",
            ),
        ),
        (
            (
                "Cán bộ, đảng viên thẳng thắn trao đổi, góp ý trên tinh thần xây dựng; những ý"
                " kiến khác nhau được giải quyết kịp thời thông qua sinh hoạt cấp ủy.",
                "Mọi vấn đề phát sinh đều được trao đổi thẳng thắn, cởi mở trong tập thể, không"
                " để kéo dài gây ảnh hưởng đến đoàn kết.",
            ),
            ("Mối quan hệ phối hợp giữa cấp ủy với {phoi_hop} được duy trì chặt chẽ, hiệu quả.",),
        ),
        (
            (
                "Tuy nhiên, vẫn còn một số cán bộ, đảng viên ngại va chạm, chưa mạnh dạn góp ý"
                " cho đồng chí, đồng nghiệp.",
                "Bên cạnh đó, tinh thần phê bình trong một số trường hợp còn nể nang, ảnh hưởng"
                " đến chất lượng xây dựng đoàn kết.",
            ),
        ),
        (
            (
                "Thời gian tới, {cq} tiếp tục phát huy truyền thống đoàn kết, thường xuyên nắm"
                " bắt tư tưởng cán bộ, đảng viên để kịp thời giải quyết những vấn đề phát sinh.",
            ),
        ),
    ),
    "kd_phuong_thuc_lanh_dao": (
        (
            (
                "Thực hiện Kết luận 21-KL/TW ngày 25/10/2021 của Ban Chấp hành Trung ương Đảng"
                " khóa XIII về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị, {cq} đã"
                " xây dựng kế hoạch thực hiện gắn với đổi mới phương thức lãnh đạo, phong cách,"
                " lề lối làm việc.",
                "{cq} đã quán triệt và xây dựng kế hoạch thực hiện Kết luận 21-KL/TW của Ban"
                " Chấp hành Trung ương Đảng khóa XIII về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ"
                " thống chính trị, kiên quyết ngăn chặn, đẩy lùi các biểu hiện “tự diễn biến”,"
                " “tự chuyển hóa”.",
            ),
        ),
        (
            (
                "Phương thức lãnh đạo có bước đổi mới theo hướng ban hành nghị quyết ngắn gọn,"
                " sát thực tế, tập trung vào những vấn đề trọng tâm, khâu đột phá.",
                "Việc ban hành nghị quyết, chương trình, kế hoạch được thực hiện có trọng tâm,"
                " trọng điểm, sát với tình hình thực tế của {dp}.",
            ),
            (
                "Cấp ủy viên được phân công phụ trách lĩnh vực, thường xuyên đi cơ sở, nắm bắt"
                " tâm tư, nguyện vọng của cán bộ, đảng viên và Nhân dân.",
                "Tác phong làm việc ngày càng sâu sát, nói đi đôi với làm; ứng dụng công nghệ"
                " thông tin trong điều hành được đẩy mạnh.",
            ),
        ),
        (
            (
                "{to_chuc} đã tổ chức cho cán bộ, đảng viên tự soi, tự sửa theo các biểu hiện suy"
                " thoái về tư tưởng chính trị, đạo đức, lối sống nêu trong Kết luận 21-KL/TW.",
                "Việc tự soi, tự sửa theo Kết luận 21-KL/TW được gắn với kiểm điểm, đánh giá,"
                " xếp loại chất lượng hằng năm.",
            ),
        ),
        (
            (
                "Tuy nhiên, việc đổi mới phương thức lãnh đạo ở một số mặt còn chậm; một số nghị"
                " quyết chuyên đề còn chung chung, thiếu giải pháp cụ thể.",
                "Dù vậy, lề lối làm việc ở một số bộ phận còn mang tính hành chính, việc theo"
                " dõi, đôn đốc thực hiện nghị quyết có lúc chưa thường xuyên.",
            ),
        ),
    ),
    "kd_tu_phe_binh": (
        (
            (
                "Công tác tự phê bình và phê bình được thực hiện nghiêm túc qua kiểm điểm, đánh"
                " giá, xếp loại tập thể, cá nhân hằng năm theo hướng dẫn của cấp trên.",
                "Hằng năm, {cq} tổ chức kiểm điểm tự phê bình và phê bình tập thể, cá nhân đúng"
                " quy trình, hướng dẫn của Ban Thường vụ Huyện ủy.",
            ),
            (
                "Các bản kiểm điểm cơ bản chỉ rõ ưu điểm, hạn chế và đề ra biện pháp khắc phục.",
                "Nội dung kiểm điểm gắn với trách nhiệm được giao và kết quả thực hiện nhiệm vụ"
                " của từng cá nhân.",
            ),
        ),
        (
            (
                "Các hạn chế, khuyết điểm được chỉ ra qua kiểm điểm đều có kế hoạch khắc phục,"
                " được theo dõi đến khi hoàn thành.",
                "Việc khắc phục hạn chế, khuyết điểm sau kiểm điểm được theo dõi, đánh giá cụ"
                " thể, có chuyển biến tích cực.",
            ),
        ),
        (
            (
                "Tuy nhiên, tự phê bình và phê bình ở một số trường hợp còn nể nang, né tránh,"
                " ngại va chạm; tính chiến đấu chưa cao.",
                "Hạn chế là một số đảng viên còn tâm lý ngại va chạm, tự phê bình chưa sâu, phê"
                " bình còn chung chung.",
            ),
        ),
        (
            (
                "{cq} xác định tiếp tục nâng cao chất lượng tự phê bình và phê bình, gắn với"
                " trách nhiệm nêu gương của cấp ủy viên và người đứng đầu.",
            ),
        ),
    ),
    "kd_hoc_tap_lam_theo_bac": (
        (
            (
                "Thực hiện Kết luận 01-KL/TW ngày 18/5/2021 của Bộ Chính trị về tiếp tục thực"
                " hiện Chỉ thị 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong"
                " cách Hồ Chí Minh và Kế hoạch 18 của Ban Thường vụ Tỉnh ủy, {cq} đã xây dựng kế"
                " hoạch triển khai đến cán bộ, đảng viên.",
                "{cq} đã quán triệt Kết luận 01-KL/TW của Bộ Chính trị về tiếp tục thực hiện Chỉ"
                " thị 05-CT/TW, cụ thể hóa Kế hoạch 18 của Ban Thường vụ Tỉnh ủy Bạc Liêu thành"
                " kế hoạch của cấp mình.",
            ),
            (
                "Chuyên đề toàn khóa “Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí"
                " Minh về ý chí tự lực, tự cường và khát vọng phát triển đất nước phồn vinh, hạnh"
                " phúc” được tổ chức học tập nghiêm túc.",
            ),
        ),
        (
            (
                "Cán bộ, đảng viên đăng ký làm theo gắn với nhiệm vụ được giao; việc làm theo"
                " được đưa vào nội dung sinh hoạt chi bộ hằng tháng.",
                "Mỗi cán bộ, đảng viên xây dựng bản đăng ký học tập và làm theo, được đánh giá"
                " trong kiểm điểm cuối năm.",
            ),
            (
                "Nhiều mô hình, điển hình “Dân vận khéo”, “Việc tốt quanh ta” được phát hiện,"
                " biểu dương, nhân rộng.",
                "Nhiều tập thể, cá nhân tiêu biểu được khen thưởng, lan tỏa tinh thần trách"
                " nhiệm, nêu gương trong {dp}.",
            ),
        ),
        (
            (
                "Việc thực hiện Kết luận 01-KL/TW được gắn với Nghị quyết Trung ương 4 khóa XII,"
                " khóa XIII và các quy định về trách nhiệm nêu gương, góp phần ngăn chặn biểu"
                " hiện suy thoái.",
            ),
        ),
        (
            (
                "Hạn chế là việc làm theo ở một số đảng viên chưa thường xuyên; việc xây dựng,"
                " nhân rộng mô hình mới còn ít.",
                "Tuy vậy, việc cụ thể hóa nội dung làm theo ở một số nơi còn chung chung, khó"
                " đánh giá kết quả.",
            ),
        ),
    ),
    "kd_han_che": (
        (
            (
                "Bên cạnh kết quả đạt được, việc lãnh đạo thực hiện Nghị quyết nửa đầu nhiệm kỳ"
                " còn một số hạn chế, khuyết điểm.",
                "Quá trình lãnh đạo thực hiện Nghị quyết Đại hội nửa đầu nhiệm kỳ vẫn còn những"
                " hạn chế, khuyết điểm cần thẳng thắn nhìn nhận.",
            ),
            {
                "dp": (
                    "Một số chỉ tiêu kinh tế chưa đạt theo tiến độ; chuyển dịch cơ cấu sản xuất"
                    " còn chậm, liên kết tiêu thụ sản phẩm chưa bền vững.",
                    "Giảm nghèo chưa thật sự bền vững, số hộ cận nghèo còn nhiều; một số tiêu chí"
                    " nông thôn mới đạt chưa vững chắc.",
                ),
                "khac": (
                    "Một số nhiệm vụ chuyên môn triển khai còn chậm so với kế hoạch; việc ứng"
                    " dụng công nghệ thông tin còn hạn chế.",
                    "Chất lượng tham mưu ở một số lĩnh vực chưa cao; công tác phối hợp có lúc"
                    " chưa chặt chẽ.",
                ),
            },
        ),
        (
            (
                "Chất lượng sinh hoạt ở một số chi bộ chưa cao, nội dung còn đơn điệu; công tác"
                " phát triển đảng viên ở một số nơi còn khó khăn.",
                "Công tác kiểm tra, giám sát ở một số lĩnh vực chưa thường xuyên; việc phát hiện,"
                " chấn chỉnh sai sót có lúc chưa kịp thời.",
            ),
        ),
        (
            (
                "Việc nắm bắt tâm tư, nguyện vọng của cán bộ, đảng viên và Nhân dân có lúc chưa"
                " kịp thời.",
                "Công tác tuyên truyền, vận động ở một số thời điểm chưa sâu rộng, hiệu quả chưa"
                " cao.",
            ),
        ),
        (
            (
                "Tự phê bình và phê bình ở một số trường hợp còn nể nang, né tránh; việc khắc phục"
                " hạn chế sau kiểm điểm có nội dung còn chậm.",
            ),
        ),
    ),
    "kd_nguyen_nhan_chu_quan": (
        (
            (
                "Nguyên nhân chủ quan là một số cấp ủy viên chưa phát huy hết vai trò, trách"
                " nhiệm trong lãnh đạo, chỉ đạo lĩnh vực được phân công.",
                "Về chủ quan, {cq} có lúc chưa quyết liệt trong lãnh đạo, chỉ đạo thực hiện một"
                " số chỉ tiêu khó.",
            ),
            (
                "Người đứng đầu một số bộ phận chưa sâu sát, đôn đốc chưa thường xuyên.",
                "Việc cụ thể hóa nghị quyết thành chương trình, kế hoạch ở một số lĩnh vực còn"
                " chậm, thiếu giải pháp đột phá.",
            ),
        ),
        (
            (
                "Năng lực, trình độ của một bộ phận cán bộ, đảng viên chưa đáp ứng yêu cầu nhiệm"
                " vụ trong tình hình mới; tinh thần tự học tập, nâng cao trình độ chưa cao.",
                "Một bộ phận cán bộ, đảng viên còn tâm lý ngại khó, ngại đổi mới, trông chờ, ỷ"
                " lại vào cấp trên.",
            ),
        ),
        (
            (
                "Công tác kiểm tra, giám sát việc thực hiện nghị quyết chưa thường xuyên; việc"
                " sơ kết, rút kinh nghiệm có lúc chưa kịp thời.",
                "Sự phối hợp giữa các bộ phận trong tổ chức thực hiện có lúc chưa chặt chẽ, đồng"
                " bộ.",
            ),
        ),
        (
            (
                "Tự phê bình và phê bình chưa thật sự trở thành nền nếp thường xuyên; tính chiến"
                " đấu trong sinh hoạt đảng ở một số nơi còn hạn chế.",
            ),
        ),
    ),
    "kd_nguyen_nhan_khach_quan": (
        (
            (
                "Dịch bệnh COVID-19 kéo dài trong những năm 2020 - 2021 ảnh hưởng lớn đến sản"
                " xuất, đời sống và việc tổ chức các hoạt động.",
                "Nửa đầu nhiệm kỳ chịu ảnh hưởng nặng nề của đại dịch COVID-19, nhiều hoạt động"
                " phải tạm dừng hoặc chuyển sang hình thức trực tuyến.",
            ),
        ),
        (
            {
                "dp": (
                    "Thời tiết diễn biến bất thường, xâm nhập mặn, dịch bệnh trên cây trồng, vật"
                    " nuôi gây thiệt hại cho sản xuất.",
                    "Giá vật tư nông nghiệp, phân bón, thức ăn thủy sản tăng cao trong khi giá"
                    " lúa, giá tôm không ổn định, ảnh hưởng thu nhập của người dân.",
                ),
                "khac": (
                    "Biên chế, nhân sự còn thiếu so với khối lượng công việc; nhiều cán bộ, đảng"
                    " viên phải kiêm nhiệm.",
                    "Kinh phí, cơ sở vật chất, trang thiết bị phục vụ hoạt động còn hạn chế.",
                ),
            },
        ),
        (
            (
                "Một số cơ chế, chính sách của cấp trên thay đổi, hướng dẫn thực hiện chưa kịp"
                " thời.",
                "Nguồn lực đầu tư còn hạn hẹp, chưa đáp ứng yêu cầu phát triển.",
            ),
        ),
        (
            (
                "Tình hình kinh tế trong nước và thế giới có nhiều biến động, giá cả tăng cao tác"
                " động đến việc thực hiện các mục tiêu đề ra.",
            ),
        ),
    ),
    "kd_bai_hoc": (
        (
            (
                "Qua nửa nhiệm kỳ, {cq} rút ra một số bài học kinh nghiệm.",
                "Từ thực tiễn lãnh đạo nửa đầu nhiệm kỳ, {cq} rút ra những bài học kinh nghiệm"
                " chủ yếu.",
            ),
            (
                "Phải thường xuyên chăm lo xây dựng {to_chuc} trong sạch, vững mạnh; giữ vững"
                " nguyên tắc tập trung dân chủ, phát huy sức mạnh đoàn kết nội bộ.",
            ),
        ),
        (
            (
                "Cấp ủy phải bám sát Nghị quyết, cụ thể hóa bằng chương trình, kế hoạch sát thực"
                " tế, phân công rõ người, rõ việc, rõ trách nhiệm, rõ thời gian hoàn thành.",
            ),
        ),
        (
            (
                "Phát huy vai trò nêu gương của cấp ủy viên, người đứng đầu; nói đi đôi với làm.",
                "Người đứng đầu phải gương mẫu, quyết liệt, dám nghĩ, dám làm, dám chịu trách"
                " nhiệm.",
            ),
        ),
        (
            (
                "Tăng cường kiểm tra, giám sát, kịp thời phát hiện, tháo gỡ khó khăn, vướng mắc"
                " trong quá trình thực hiện.",
            ),
        ),
        (
            (
                "Thường xuyên lắng nghe, nắm bắt tâm tư, nguyện vọng của cán bộ, đảng viên và"
                " Nhân dân; phát huy sức mạnh của cả hệ thống chính trị.",
            ),
        ),
    ),
    "kd_bien_phap_khac_phuc": (
        (
            (
                "Để khắc phục hạn chế, khuyết điểm, {cq} đề ra các biện pháp trọng tâm.",
                "{cq} xác định các biện pháp khắc phục hạn chế, khuyết điểm trong nửa nhiệm kỳ"
                " còn lại.",
            ),
            (
                "Xây dựng kế hoạch khắc phục cụ thể, phân công cấp ủy viên theo dõi, đôn đốc thực"
                " hiện, định kỳ đánh giá kết quả.",
            ),
        ),
        (
            (
                "Nâng cao chất lượng sinh hoạt chi bộ, đổi mới nội dung sinh hoạt theo hướng"
                " thiết thực; tăng cường tự phê bình và phê bình, khắc phục tình trạng nể nang,"
                " né tránh.",
            ),
        ),
        (
            (
                "Tăng cường kiểm tra, giám sát việc thực hiện các chỉ tiêu còn chậm tiến độ; xử"
                " lý nghiêm tập thể, cá nhân thiếu trách nhiệm.",
                "Chú trọng đào tạo, bồi dưỡng nâng cao năng lực cán bộ, đảng viên, nhất là đội"
                " ngũ cấp ủy viên và cán bộ trẻ.",
            ),
        ),
        (
            {
                "dp": (
                    "Tập trung huy động nguồn lực cho các tiêu chí nông thôn mới còn thấp, đẩy"
                    " mạnh giảm nghèo bền vững, phát triển các mô hình sản xuất hiệu quả.",
                ),
                "khac": (
                    "Đẩy mạnh cải cách hành chính, ứng dụng công nghệ thông tin trong quản lý,"
                    " điều hành, nâng cao chất lượng thực hiện nhiệm vụ chuyên môn.",
                ),
            },
        ),
    ),
    "kd_nhiem_vu_giai_phap": (
        (
            (
                "Nửa nhiệm kỳ còn lại, {cq} tập trung lãnh đạo thực hiện thắng lợi các mục tiêu,"
                " chỉ tiêu Nghị quyết Đại hội {dv} nhiệm kỳ 2020 - 2025.",
                "Trong nửa nhiệm kỳ còn lại, {to_chuc} quyết tâm hoàn thành đạt và vượt các mục"
                " tiêu, chỉ tiêu, nhiệm vụ Nghị quyết Đại hội đã đề ra.",
            ),
        ),
        (
            {
                "dp": (
                    "Đẩy mạnh chuyển đổi cơ cấu sản xuất nông nghiệp theo hướng nâng cao giá trị,"
                    " phát triển mô hình lúa - tôm, lúa hữu cơ gắn với liên kết tiêu thụ; huy"
                    " động nguồn lực xây dựng nông thôn mới nâng cao.",
                    "Tập trung phát triển kinh tế, tăng thu nhập cho người dân; thực hiện tốt các"
                    " chính sách an sinh xã hội, giảm nghèo bền vững; giữ vững quốc phòng - an"
                    " ninh.",
                ),
                "khac": (
                    "Tập trung {nv}; nâng cao chất lượng, hiệu quả công tác tham mưu, phục vụ.",
                    "Đẩy mạnh cải cách hành chính, chuyển đổi số; nâng cao chất lượng đội ngũ cán"
                    " bộ, đảng viên đáp ứng yêu cầu nhiệm vụ.",
                ),
            },
        ),
        (
            (
                "Tiếp tục đẩy mạnh xây dựng, chỉnh đốn Đảng theo Kết luận 21-KL/TW; thực hiện có"
                " hiệu quả Kết luận 01-KL/TW về học tập và làm theo tư tưởng, đạo đức, phong cách"
                " Hồ Chí Minh.",
            ),
        ),
        (
            (
                "Nâng cao chất lượng sinh hoạt chi bộ và công tác phát triển đảng viên; tăng"
                " cường kiểm tra, giám sát, kịp thời chấn chỉnh những hạn chế, khuyết điểm.",
            ),
        ),
        (
            (
                "Chuẩn bị tốt các điều kiện, nhất là công tác nhân sự, tiến tới Đại hội {dv}"
                " nhiệm kỳ 2025 - 2030.",
            ),
        ),
    ),
}

KD_IDS: tuple[str, ...] = tuple(_KD)  # the 12 self-review sections, in template order


def _section(
    paragraphs: tuple[_Paragraph, ...], group: str, ctx: Mapping[str, str], rng: Random
) -> str:
    extra = rng.randint(1, min(3, len(paragraphs) - 1))
    chosen = [0, *sorted(rng.sample(range(1, len(paragraphs)), extra))]
    texts = []
    for index in chosen:
        sentences = []
        for slot in paragraphs[index]:
            options = slot[group] if isinstance(slot, dict) else slot
            sentences.append(rng.choice(options))
        texts.append(" ".join(sentences).format(**ctx))
    return "\n".join(texts)  # one line per paragraph, as Alt+Enter in a cell


# ---------------------------------------------------------------------------------------------
# Hạn chế - Giải pháp.

_CHU_QUAN, _KHACH_QUAN = "Chủ quan", "Khách quan"


class _HcRow(NamedTuple):
    han_che: str
    loai_nguyen_nhan: str
    nguyen_nhan: str
    giai_phap: str
    chiu_trach_nhiem: str
    fits: str  # "dp" (communes and the town), "khac" (the others) or "all"


_HC_ROWS = (
    _HcRow(
        "Chất lượng sinh hoạt chi bộ ở một số nơi chưa cao, nội dung còn đơn điệu",
        _CHU_QUAN,
        "Bí thư chi bộ chưa đầu tư chuẩn bị nội dung sinh hoạt; cấp ủy chưa thường xuyên hướng dẫn",
        "Tập huấn nghiệp vụ cho bí thư chi bộ; cấp ủy viên dự sinh hoạt chi bộ định kỳ",
        "Thường trực cấp ủy",
        "all",
    ),
    _HcRow(
        "Tự phê bình và phê bình còn nể nang, né tránh",
        _CHU_QUAN,
        "Một số cán bộ, đảng viên ngại va chạm, tính chiến đấu chưa cao",
        "Gắn kiểm điểm với trách nhiệm nêu gương; đánh giá, xếp loại đúng thực chất",
        "Bí thư, người đứng đầu",
        "all",
    ),
    _HcRow(
        "Công tác kiểm tra, giám sát chưa thường xuyên ở một số lĩnh vực",
        _CHU_QUAN,
        "Chương trình kiểm tra, giám sát chưa sát thực tế; cán bộ làm công tác kiểm tra kiêm nhiệm",
        "Xây dựng chương trình kiểm tra, giám sát có trọng tâm; bồi dưỡng nghiệp vụ kiểm tra",
        "Cấp ủy viên phụ trách công tác kiểm tra",
        "all",
    ),
    _HcRow(
        "Công tác phát triển đảng viên chưa đạt kế hoạch",
        _CHU_QUAN,
        "Chưa quan tâm đúng mức việc tạo nguồn, bồi dưỡng quần chúng ưu tú",
        "Giao chỉ tiêu tạo nguồn cho từng chi bộ, đoàn thể; phân công đảng viên giúp đỡ quần chúng",
        "Cấp ủy viên phụ trách công tác tổ chức",
        "all",
    ),
    _HcRow(
        "Chuyển dịch cơ cấu sản xuất nông nghiệp còn chậm",
        _CHU_QUAN,
        "Chỉ đạo chưa quyết liệt; vai trò của hợp tác xã, tổ hợp tác chưa được phát huy",
        "Xây dựng kế hoạch chuyển đổi theo từng ấp; hỗ trợ hợp tác xã liên kết tiêu thụ sản phẩm",
        "{ubnd}",
        "dp",
    ),
    _HcRow(
        "Giảm nghèo chưa bền vững, tỷ lệ hộ cận nghèo còn cao",
        _CHU_QUAN,
        "Việc rà soát, hỗ trợ sinh kế cho hộ nghèo chưa sát với nhu cầu từng hộ",
        "Hỗ trợ sinh kế theo nhu cầu từng hộ; phân công đảng viên giúp đỡ hộ nghèo",
        "Mặt trận Tổ quốc và các đoàn thể",
        "dp",
    ),
    _HcRow(
        "Ứng dụng công nghệ thông tin, chuyển đổi số còn chậm",
        _CHU_QUAN,
        "Một bộ phận cán bộ, đảng viên ngại thay đổi, kỹ năng sử dụng còn hạn chế",
        "Tập huấn kỹ năng số; đưa việc sử dụng phần mềm quản lý văn bản vào đánh giá cán bộ",
        "Văn phòng cấp ủy",
        "khac",
    ),
    _HcRow(
        "Chất lượng tham mưu ở một số lĩnh vực chưa cao",
        _CHU_QUAN,
        "Năng lực của một bộ phận cán bộ chưa đáp ứng yêu cầu; chưa chủ động nghiên cứu",
        "Bồi dưỡng chuyên môn, bố trí cán bộ phù hợp; đánh giá cán bộ theo kết quả công việc",
        "Thủ trưởng cơ quan, đơn vị",
        "khac",
    ),
    _HcRow(
        "Sản lượng lúa một số vụ giảm",
        _KHACH_QUAN,
        "Thời tiết bất thường, mưa trái mùa, dịch bệnh trên lúa",
        "Hướng dẫn lịch thời vụ; khuyến cáo giống chống chịu; tăng cường dự báo sâu bệnh",
        "{ubnd}",
        "dp",
    ),
    _HcRow(
        "Thu nhập của người dân tăng chậm",
        _KHACH_QUAN,
        "Giá vật tư nông nghiệp tăng cao, giá tôm, giá lúa không ổn định",
        "Vận động liên kết tiêu thụ, giảm chi phí đầu vào; phát triển ngành nghề phi nông nghiệp",
        "{ubnd}",
        "dp",
    ),
    _HcRow(
        "Hạ tầng giao thông nông thôn một số tuyến xuống cấp",
        _KHACH_QUAN,
        "Nguồn lực đầu tư hạn hẹp, ảnh hưởng của triều cường",
        "Lồng ghép các chương trình mục tiêu; vận động Nhân dân đóng góp, hiến đất",
        "{ubnd}",
        "dp",
    ),
    _HcRow(
        "Một số hoạt động, sinh hoạt bị gián đoạn trong năm 2021",
        _KHACH_QUAN,
        "Ảnh hưởng của dịch bệnh COVID-19",
        "Tổ chức sinh hoạt bù; sử dụng hình thức trực tuyến khi cần thiết",
        "Văn phòng cấp ủy",
        "all",
    ),
    _HcRow(
        "Biên chế còn thiếu, cán bộ kiêm nhiệm nhiều việc",
        _KHACH_QUAN,
        "Thực hiện tinh giản biên chế theo quy định",
        "Sắp xếp, phân công hợp lý; đề nghị cấp trên bổ sung biên chế",
        "Thủ trưởng cơ quan, đơn vị",
        "khac",
    ),
    _HcRow(
        "Cơ sở vật chất, trang thiết bị còn thiếu",
        _KHACH_QUAN,
        "Nguồn kinh phí đầu tư còn hạn chế",
        "Đề xuất cấp trên bố trí kinh phí; huy động xã hội hóa",
        "Thủ trưởng cơ quan, đơn vị",
        "khac",
    ),
)
_HC_DEADLINES = (
    date(2023, 6, 30),
    date(2023, 12, 31),
    date(2024, 6, 30),
    date(2024, 12, 31),
    date(2025, 6, 30),
    date(2025, 12, 31),
    None,
    None,
)


def _hc_rows(group: str, ctx: Mapping[str, str], rng: Random) -> list[dict[str, object]]:
    fitting = [r for r in _HC_ROWS if r.fits in ("all", group)]
    subjective = [r for r in fitting if r.loai_nguyen_nhan == _CHU_QUAN]
    first = rng.choice(subjective)  # the template requires at least one subjective cause
    rest = [r for r in fitting if r is not first]
    chosen = [first, *rng.sample(rest, rng.randint(1, 4))]
    rng.shuffle(chosen)
    rows: list[dict[str, object]] = []
    for row in chosen:
        who = row.chiu_trach_nhiem.format(**ctx) if rng.random() < 0.85 else None
        rows.append(
            {
                "han_che": row.han_che,
                "loai_nguyen_nhan": row.loai_nguyen_nhan,
                "nguyen_nhan": row.nguyen_nhan,
                "giai_phap": row.giai_phap,
                "chiu_trach_nhiem": who,
                "thoi_han": rng.choice(_HC_DEADLINES),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Kiểm tra giám sát.

KS_IDS: tuple[str, ...] = (  # the 18 inspection counts, in template order
    "ks_kt_to_chuc",
    "ks_kt_dang_vien",
    "ks_ktdh_to_chuc",
    "ks_ktdh_dang_vien",
    "ks_ktdh_co_vi_pham",
    "ks_kt_tai_chinh",
    "ks_gs_to_chuc",
    "ks_gs_dang_vien",
    "ks_kl_to_chuc",
    "ks_kl_dang_vien",
    "ks_kl_khien_trach",
    "ks_kl_canh_cao",
    "ks_kl_cach_chuc",
    "ks_kl_khai_tru",
    "ks_to_cao_nhan",
    "ks_to_cao_giai_quyet",
    "ks_khieu_nai_nhan",
    "ks_khieu_nai_giai_quyet",
)


def _some(rng: Random, p: float, high: int) -> int:
    """0 with probability 1 - p, else 1..high."""
    return rng.randint(1, high) if rng.random() < p else 0


def _inspections(unit: DemoUnit, rng: Random) -> Report:
    if unit.type in _LOCAL:
        scale = 3
    elif _is_committee(unit):
        scale = 2
    else:
        scale = 1
    flagged = _some(rng, 0.2 * scale, scale)
    forms = {
        "ks_kl_khien_trach": _some(rng, 0.25 * scale, scale),
        "ks_kl_canh_cao": _some(rng, 0.15 * scale, max(1, scale - 1)),
        "ks_kl_cach_chuc": _some(rng, 0.03 * scale, 1),
        "ks_kl_khai_tru": _some(rng, 0.08 * scale, 1),
    }
    to_cao = _some(rng, 0.2 * scale, scale)
    khieu_nai = _some(rng, 0.1 * scale, 1)
    return {
        "ks_kt_to_chuc": rng.randint(scale, 3 * scale) if scale > 1 else 0,
        "ks_kt_dang_vien": rng.randint(2 * scale, 8 * scale),
        # Only a đảng bộ has party organisations under it to inspect or discipline.
        "ks_ktdh_to_chuc": _some(rng, 0.05 * scale, 1) if scale > 1 else 0,
        "ks_ktdh_dang_vien": flagged,
        "ks_ktdh_co_vi_pham": rng.randint(0, flagged),
        "ks_kt_tai_chinh": rng.randint(1, 2 * scale) if scale > 1 else _some(rng, 0.5, 1),
        "ks_gs_to_chuc": rng.randint(scale, 3 * scale) if scale > 1 else 0,
        "ks_gs_dang_vien": rng.randint(2 * scale, 6 * scale),
        "ks_kl_to_chuc": _some(rng, 0.02 * scale, 1) if scale > 1 else 0,
        "ks_kl_dang_vien": sum(forms.values()),
        **forms,
        "ks_to_cao_nhan": to_cao,
        "ks_to_cao_giai_quyet": to_cao if rng.random() < 0.8 else rng.randint(0, to_cao),
        "ks_khieu_nai_nhan": khieu_nai,
        "ks_khieu_nai_giai_quyet": khieu_nai if rng.random() < 0.8 else 0,
    }


# ---------------------------------------------------------------------------------------------
# Whole reports.


def valid_report(unit: DemoUnit, rng: Random) -> Report:
    """A complete report that passes every rule of the template, as typed values by field id."""
    members, cells = _size(unit, rng)
    report: Report = {
        "tt_ma_don_vi": unit.code,
        "tt_ten_don_vi": unit.name,
        "tt_loai_hinh": TYPE_LABELS[unit.type],
        "tt_so_dang_vien": members,
        "tt_so_chi_bo": cells,
        "tt_nguoi_bao_cao": _person(rng),
        "tt_chuc_vu": _position(unit, members, rng),
        "tt_dien_thoai": _phone(rng),
        "tt_email": unit.email,
        "tt_ngay_bao_cao": date(2023, 3, rng.randint(6, 22)),
        "tt_xac_nhan": True,
    }
    indicators = _indicators(unit, members, cells, rng)
    report.update(indicators)
    admitted = indicators["ct_ket_nap_dang_vien_kq"]
    ctx = _context(unit, members, admitted if isinstance(admitted, int) else 0)
    group = "dp" if unit.type in _LOCAL else "khac"
    for section, paragraphs in _KD.items():
        report[section] = _section(paragraphs, group, ctx, rng)
    report.update(_inspections(unit, rng))
    report["hc_bang"] = _hc_rows(group, ctx, rng)
    return report


def in_progress_report(unit: DemoUnit, rng: Random) -> Report:
    """A report still being typed: not signed off, with sections, indicators and counts empty."""
    report = valid_report(unit, rng)
    report["tt_xac_nhan"] = False
    for section in rng.sample(KD_IDS, rng.randint(3, 9)):
        del report[section]
    keys = sorted(k[3 : -len("_du_bao")] for k in report if k.endswith("_du_bao"))
    for key in rng.sample(keys, rng.randint(1, max(1, len(keys) // 2))):
        for suffix in ("kq", "du_bao", "ghi_chu", "tu_so", "mau_so"):  # the target stays
            report.pop(f"ct_{key}_{suffix}", None)
    if rng.random() < 0.5:
        dropped: tuple[str, ...] | list[str] = KS_IDS
    else:
        dropped = rng.sample(KS_IDS, rng.randint(2, 8))
    for field in dropped:
        del report[field]
    if rng.random() < 0.4:
        del report["hc_bang"]
    if rng.random() < 0.5:
        del report["tt_ngay_bao_cao"]
    return report


# ---------------------------------------------------------------------------------------------
# Mistakes real units make. Each takes a valid report and returns a new one holding what the
# user actually typed; the input is never changed. MISTAKE_SEVERITY says what the checker
# should find: "error" (blocks submission), "warning" (accepted but doubtful) or "none".


def _copy(report: Report) -> Report:
    out = dict(report)
    rows = report.get("hc_bang")
    if isinstance(rows, list):
        out["hc_bang"] = [dict(row) for row in rows]
    return out


def _vn_number(value: float) -> str:
    """97.18 → "97,18"; 12345.5 → "12.345,5": the Vietnamese way, at most two decimals."""
    whole, _, frac = f"{value:,.2f}".partition(".")
    frac = frac.rstrip("0")
    whole = whole.replace(",", ".")
    return f"{whole},{frac}" if frac else whole


def _float(report: Report, key: str) -> float:
    value = report[key]
    if type(value) is not float:
        raise TypeError(f"{key} holds {value!r}, not a float: is this a valid report?")
    return value


def _int(report: Report, key: str) -> int:
    value = report[key]
    if type(value) is not int:
        raise TypeError(f"{key} holds {value!r}, not an int: is this a valid report?")
    return value


def _floats(report: Report, suffixes: tuple[str, ...]) -> list[str]:
    return [
        k
        for k, v in report.items()
        if k.startswith("ct_") and k.endswith(suffixes) and type(v) is float
    ]


_RATE_KEYS = (
    "ho_ngheo",
    "bhyt",
    "nuoc_sach",
    "lao_dong_dao_tao",
    "giao_quan",
    "chi_bo_htt",
    "dang_vien_htt",
)


def text_in_number(report: Report, rng: Random) -> Report:
    """Words in a number cell: "khoảng 500", "chưa thống kê". Severity: error."""
    out = _copy(report)
    amounts = [k for k in _floats(report, ("_kq",)) if k[3:-3] not in _RATE_KEYS]
    if amounts and rng.random() < 0.6:
        key = rng.choice(amounts)
        out[key] = f"khoảng {round(_float(report, key), -2):,.0f}".replace(",", ".")
    else:
        about = f"khoảng {round(_int(report, 'tt_so_dang_vien'), -1)}"
        out["tt_so_dang_vien"] = rng.choice(("chưa thống kê", "đang tổng hợp", about))
    return out


def vietnamese_number_text(report: Report, rng: Random) -> Report:
    """A number kept as text the Vietnamese way ("12.345,5", "97,18"). Severity: none.

    The text is never ambiguous: it has a decimal comma with one or two digits after it, so
    parsed the Vietnamese way it is exactly the valid value.
    """
    out = _copy(report)
    fields = _floats(report, ("_kq", "_nq"))
    fractional = [k for k in fields if not _float(report, k).is_integer()]
    if fractional:
        # Prefer a figure with a thousands separator too, the case most likely to be misread.
        big = [k for k in fractional if _float(report, k) >= 1000]
        key = rng.choice(big or fractional)
        out[key] = _vn_number(_float(report, key))
    else:
        key = "ct_dang_vien_htt_nq"
        out[key] = f"{_float(report, key):.1f}".replace(".", ",")  # "90,0"
    return out


def missing_narrative(report: Report, rng: Random) -> Report:
    """A self-review section left as a placeholder. Severity: error."""
    out = _copy(report)
    out[rng.choice(KD_IDS)] = rng.choice(("đang cập nhật", ".", "Đang cập nhật", "x"))
    return out


def discipline_sum(report: Report, rng: Random) -> Report:
    """The disciplined-members total disagrees with its four forms. Severity: error."""
    out = _copy(report)
    parts = ("ks_kl_khien_trach", "ks_kl_canh_cao", "ks_kl_cach_chuc", "ks_kl_khai_tru")
    total = sum(_int(report, p) for p in parts)
    wrong = total + rng.randint(1, 2)
    # Stay within the members rule, so that only the sum rule is broken.
    if wrong > _int(report, "tt_so_dang_vien"):
        wrong = total - 1
    out["ks_kl_dang_vien"] = wrong
    return out


def no_subjective_cause(report: Report, rng: Random) -> Report:
    """Every limitation blamed on outside causes. Severity: error."""
    out = _copy(report)
    rows = out["hc_bang"]
    assert isinstance(rows, list)
    for row in rows:
        row["loai_nguyen_nhan"] = _KHACH_QUAN
    return out


def percent_sign(report: Report, rng: Random) -> Report:
    """A percent typed as "8,5%": the sheet stores 0.085 with a percent format. Severity: none.

    The value becomes the tuple ``("percent_format", fraction)``: the writer must store the
    fraction in the cell with a percent number format. Read correctly, it is the valid value.
    """
    out = _copy(report)
    fields = [k for k in _floats(report, ("_kq", "_nq")) if k[3:-3] in _RATE_KEYS]
    key = rng.choice(fields)
    out[key] = ("percent_format", round(_float(report, key) / 100, 6))
    return out


def text_date(report: Report, rng: Random) -> Report:
    """The report date typed as text "15/03/2023". Severity: warning."""
    out = _copy(report)
    day = report["tt_ngay_bao_cao"]
    assert isinstance(day, date)
    out["tt_ngay_bao_cao"] = day.strftime("%d/%m/%Y")
    return out


def nfd_text(report: Report, rng: Random) -> Report:
    """A dropdown label typed with decomposed diacritics (phones, Macs). Severity: none."""
    out = _copy(report)
    choices = ["tt_loai_hinh", *(k for k in report if k.endswith("_du_bao"))]
    key = rng.choice(choices)
    value = report[key]
    assert isinstance(value, str)
    out[key] = unicodedata.normalize("NFD", value)
    return out


def unsigned(report: Report, rng: Random) -> Report:
    """Everything filled but the sign-off left unticked. Severity: none (not submitted)."""
    out = _copy(report)
    out["tt_xac_nhan"] = False
    return out


def ambiguous_number(report: Report, rng: Random) -> Report:
    """A number whose separator reads both ways ("45,321", "93,330"). Severity: warning.

    Read the Vietnamese way it is still the valid value (a decimal comma).
    """
    out = _copy(report)
    key = "ct_dang_vien_htt_kq"
    out[key] = f"{_float(report, key):.3f}".replace(".", ",")
    return out


def rate_mismatch(report: Report, rng: Random) -> Report:
    """A rate that disagrees with its numerator and denominator (last year's figure typed).

    Severity: error.
    """
    out = _copy(report)
    key = "ct_dang_vien_htt_kq"
    value = _float(report, key)
    shift = rng.uniform(2.0, 6.0)
    out[key] = round(value - shift if value - shift >= 0 else value + shift, 2)
    return out


def bad_phone(report: Report, rng: Random) -> Report:
    """An 11-digit Bạc Liêu landline where a 10-digit number is required. Severity: error."""
    out = _copy(report)
    out["tt_dien_thoai"] = f"0291 3 8{rng.randint(10, 99)} {rng.randint(100, 999)}"
    return out


def incomplete_row(report: Report, rng: Random) -> Report:
    """A limitation written down without its solution. Severity: error."""
    out = _copy(report)
    rows = out["hc_bang"]
    assert isinstance(rows, list)
    row = rng.choice(rows)
    row["giai_phap"] = None
    return out


MISTAKES: dict[str, Callable[[Report, Random], Report]] = {
    "text_in_number": text_in_number,
    "vietnamese_number_text": vietnamese_number_text,
    "missing_narrative": missing_narrative,
    "discipline_sum": discipline_sum,
    "no_subjective_cause": no_subjective_cause,
    "percent_sign": percent_sign,
    "text_date": text_date,
    "nfd_text": nfd_text,
    "unsigned": unsigned,
    "ambiguous_number": ambiguous_number,
    "rate_mismatch": rate_mismatch,
    "bad_phone": bad_phone,
    "incomplete_row": incomplete_row,
}

MISTAKE_SEVERITY: Mapping[str, str] = {
    "text_in_number": "error",
    "vietnamese_number_text": "none",
    "missing_narrative": "error",
    "discipline_sum": "error",
    "no_subjective_cause": "error",
    "percent_sign": "none",
    "text_date": "warning",
    "nfd_text": "none",
    "unsigned": "none",
    "ambiguous_number": "warning",
    "rate_mismatch": "error",
    "bad_phone": "error",
    "incomplete_row": "error",
}
