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

``demo_mistakes.MISTAKES`` turns a valid report into one with an error real units make; such a report may
hold strings where numbers belong, and one marker tuple ``("percent_format", fraction)`` that
asks the writer for a percent-formatted cell (see ``percent_sign``). ``MISTAKE_SEVERITY`` says
what the checker should find for each.

Everything is deterministic for a given ``random.Random`` seed. The Vietnamese text the demo
picks from (unit names, people, notes, paragraphs) is declared in ``demo_text.toml``; this
module holds only the logic that picks from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from random import Random

from .paraphrase import reword
from .text import HcRow, Paragraph, load_demo_text

__all__ = [
    "DEMO_UNITS",
    "KD_IDS",
    "KS_IDS",
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


_TEXT = load_demo_text()

# Roster type code → the label of the template's tt_loai_hinh dropdown.
TYPE_LABELS: Mapping[str, str] = _TEXT.type_labels

NOT_APPLICABLE = "Không áp dụng"

_LOCAL = ("xa", "thi_tran")  # "xã, thị trấn" in the template's "applies to" column
_EMAIL_DOMAIN = "example.vn"


def _unit(code: str, name: str, type_: str) -> DemoUnit:
    # The e-mail is the code without its type prefix: XA_VINH_HUNG_A → vinhhunga@example.vn.
    local = code.split("_", 1)[1].replace("_", "").lower()
    return DemoUnit(code, name, type_, f"{local}@{_EMAIL_DOMAIN}")


DEMO_UNITS: list[DemoUnit] = [_unit(u.code, u.name, u.type) for u in _TEXT.units]


def demo_units(n: int, rng: Random) -> list[DemoUnit]:
    """The first ``n`` demo units; beyond the fixed list, invented schools and cooperatives."""
    if n < 0:
        raise ValueError(f"the number of demo units must be >= 0, got {n}")
    units = list(DEMO_UNITS[:n])
    codes = {u.code for u in DEMO_UNITS}
    emails = {u.email for u in DEMO_UNITS}
    counters: dict[tuple[str, str], int] = {}
    while len(units) < n:
        kind = rng.choice(_TEXT.extra_kinds)
        place = rng.choice(_TEXT.places)
        number = counters.get((kind.prefix, place.code), 0) + 1
        counters[(kind.prefix, place.code)] = number
        unit = _unit(
            f"{kind.prefix}_{place.code}_{number}",
            kind.name.format(place=place.name, n=number),
            kind.type,
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
        kind = "local"
    elif unit.type == "luc_luong_vu_trang":
        kind = "cong_an" if "Công an" in unit.name else "quan_su"
    elif unit.type == "su_nghiep":
        kind = "truong" if "Trường" in unit.name else "y_te" if "Y tế" in unit.name else "su_nghiep"
    elif unit.type == "doanh_nghiep":
        kind = "doanh_nghiep"
    else:
        kind = "co_quan"
    return _TEXT.tasks[kind]


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


def _person(rng: Random) -> str:
    surname = rng.choice(_TEXT.khmer_surnames if rng.random() < 0.12 else _TEXT.surnames)
    middles, names = _TEXT.male if rng.random() < 0.6 else _TEXT.female
    return f"{surname} {rng.choice(middles)} {rng.choice(names)}"


def _phone(rng: Random) -> str:
    digits = rng.choice(_TEXT.mobile_prefixes) + "".join(str(rng.randrange(10)) for _ in range(7))
    style = rng.random()
    if style < 0.6:
        return digits
    sep = " " if style < 0.85 else "."
    return sep.join((digits[:4], digits[4:7], digits[7:]))


def _position(unit: DemoUnit, members: int, rng: Random) -> str:
    if unit.type in _LOCAL:
        kind = "local"
    elif _is_committee(unit):
        kind = "committee"
    else:
        kind = "cell_with_committee" if members >= 9 else "cell"
    return rng.choice(_TEXT.positions[kind])


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
        hard = du_bao in (_KHO_DAT, _KHONG_DAT)
        forecast = _TEXT.forecast_hard if hard else _TEXT.forecast_will_meet
        out[f"ct_{key}_ghi_chu"] = f"{_TEXT.shortfall_notes[key]} {forecast}"
    elif rng.random() < 0.1:
        out[f"ct_{key}_ghi_chu"] = rng.choice(_TEXT.met_notes)
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
        out["tt_dan_so"] = population  # Thông tin's Dân số: the weight of thu_nhap's roll-up
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
        out["ct_chi_bo_htt_ghi_chu"] = _TEXT.no_cells_note

    exempt = round(members * rng.uniform(0.02, 0.08))
    rate(
        "dang_vien_htt", rng.choice((85.0, 90.0)), max(1, members - exempt), (1.0, 9.0), (2.0, 10.0)
    )
    return out


# ---------------------------------------------------------------------------------------------
# Kiểm điểm: each section is a list of paragraphs; a paragraph is a list of slots; a slot is a
# choice of sentences per group ("dp": communes and the town, "khac": the others). The first
# paragraph is always used, then 1-3 of the rest in order.

KD_IDS: tuple[str, ...] = tuple(_TEXT.kiem_diem)  # the 12 self-review sections, in template order


# Ground truth for bench/grouping.py: per field, (label, sentence) for every sentence written;
# the label is the bank entry the sentence came from, however it was reworded.
Labels = dict[str, list[tuple[str, str]]]


def _rewording(rng: Random, unit: DemoUnit, where: str) -> Random:
    """A generator for the rewording of one unit's section, derived from ``rng``'s state
    without drawing from it: the demo's other values stay what they were for a seed."""
    state = rng.getstate()[1]
    return Random(f"{unit.code}/{where}/{state[-1]}/{sum(state)}")


def _section(
    paragraphs: tuple[Paragraph, ...],
    group: str,
    ctx: Mapping[str, str],
    rng: Random,
    rewording: Random | None = None,
    labels: list[tuple[str, str]] | None = None,
) -> str:
    extra = rng.randint(1, min(3, len(paragraphs) - 1))
    chosen = [0, *sorted(rng.sample(range(1, len(paragraphs)), extra))]
    texts = []
    for index in chosen:
        sentences = []
        for slot in paragraphs[index]:
            template = rng.choice(slot[group])
            sentence = template.format(**ctx)
            if rewording is not None:
                sentence = reword(sentence, _TEXT.paraphrase, rewording)
            if labels is not None:
                labels.append((template, sentence))
            sentences.append(sentence)
        texts.append(" ".join(sentences))
    return "\n".join(texts)  # one line per paragraph, as Alt+Enter in a cell


# ---------------------------------------------------------------------------------------------
# Hạn chế - Giải pháp.

_CHU_QUAN, _KHACH_QUAN = "Chủ quan", "Khách quan"


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


def _hc_rows(
    group: str,
    ctx: Mapping[str, str],
    rng: Random,
    rewording: Random | None = None,
    labels: list[tuple[str, str]] | None = None,
) -> list[dict[str, object]]:
    fitting: list[HcRow] = [r for r in _TEXT.hc_rows if r.fits in ("all", group)]
    subjective = [r for r in fitting if r.loai_nguyen_nhan == _CHU_QUAN]
    first = rng.choice(subjective)  # the template requires at least one subjective cause
    rest = [r for r in fitting if r is not first]
    chosen = [first, *rng.sample(rest, rng.randint(1, 4))]
    rng.shuffle(chosen)
    rows: list[dict[str, object]] = []
    for row in chosen:
        who = row.chiu_trach_nhiem.format(**ctx) if rng.random() < 0.85 else None
        han_che = row.han_che
        if rewording is not None:
            han_che = reword(han_che, _TEXT.paraphrase, rewording)
        if labels is not None:
            labels.append((row.han_che, han_che))
        rows.append(
            {
                "han_che": han_che,
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


def valid_report(unit: DemoUnit, rng: Random, labels: Labels | None = None) -> Report:
    """A complete report that passes every rule of the template, as typed values by field id.

    ``labels``, when given, receives the ground truth of the texts: per field id (and
    "hc_bang.han_che"), the bank entry of every sentence written, with the sentence."""
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
    for section, paragraphs in _TEXT.kiem_diem.items():
        found = None if labels is None else labels.setdefault(section, [])
        rewording = _rewording(rng, unit, section)
        report[section] = _section(paragraphs, group, ctx, rng, rewording, found)
    report.update(_inspections(unit, rng))
    found = None if labels is None else labels.setdefault("hc_bang.han_che", [])
    report["hc_bang"] = _hc_rows(group, ctx, rng, _rewording(rng, unit, "hc_bang"), found)
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
