"""The demo district's content obeys the template's rules, checked here independently.

The rules below are restated from the template specification, not imported from the module
under test, so that a mistake in the generator cannot hide behind the same mistake in its check.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import Counter
from datetime import date
from random import Random

import pytest

from jobs.demo.content import (
    DEMO_UNITS,
    KD_IDS,
    KS_IDS,
    DemoUnit,
    demo_units,
    in_progress_report,
    valid_report,
)
from jobs.demo.mistakes import MISTAKE_SEVERITY, MISTAKES

ROSTER_TYPES = {"xa", "thi_tran", "co_quan", "luc_luong_vu_trang", "su_nghiep", "doanh_nghiep"}
LABELS = {
    "xa": "Đảng bộ xã",
    "thi_tran": "Đảng bộ thị trấn",
    "co_quan": "Cơ quan",
    "luc_luong_vu_trang": "Lực lượng vũ trang",
    "su_nghiep": "Đơn vị sự nghiệp",
    "doanh_nghiep": "Doanh nghiệp",
}
COMMUNES = (
    "Vĩnh Hưng",
    "Vĩnh Hưng A",
    "Châu Hưng A",
    "Hưng Thành",
    "Hưng Hội",
    "Châu Thới",
    "Long Thạnh",
)

TT_FIELDS = {
    "tt_ma_don_vi",
    "tt_ten_don_vi",
    "tt_loai_hinh",
    "tt_so_dang_vien",
    "tt_so_chi_bo",
    "tt_nguoi_bao_cao",
    "tt_chuc_vu",
    "tt_dien_thoai",
    "tt_email",
    "tt_ngay_bao_cao",
    "tt_xac_nhan",
}
KD_FIELDS = {
    "kd_lanh_dao_thuc_hien",
    "kd_dieu_le_tap_trung_dan_chu",
    "kd_doan_ket_noi_bo",
    "kd_phuong_thuc_lanh_dao",
    "kd_tu_phe_binh",
    "kd_hoc_tap_lam_theo_bac",
    "kd_han_che",
    "kd_nguyen_nhan_chu_quan",
    "kd_nguyen_nhan_khach_quan",
    "kd_bai_hoc",
    "kd_bien_phap_khac_phuc",
    "kd_nhiem_vu_giai_phap",
}
KS_FIELDS = {
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
}
HC_COLUMNS = {
    "han_che",
    "loai_nguyen_nhan",
    "nguyen_nhan",
    "giai_phap",
    "chiu_trach_nhiem",
    "thoi_han",
}
DISCIPLINE_FORMS = ("ks_kl_khien_trach", "ks_kl_canh_cao", "ks_kl_cach_chuc", "ks_kl_khai_tru")

LOCAL = {"xa", "thi_tran"}
# indicator → (lower is better, is a rate, the roster types it applies to)
INDICATORS: dict[str, tuple[bool, bool, set[str]]] = {
    "tang_truong": (False, False, LOCAL),
    "thu_nhap": (False, False, LOCAL),
    "thu_ngan_sach": (False, False, LOCAL),
    "san_luong_lua": (False, False, LOCAL),
    "san_luong_thuy_san": (False, False, LOCAL),
    "ho_ngheo": (True, True, LOCAL),
    "bhyt": (False, True, LOCAL),
    "nuoc_sach": (False, True, LOCAL),
    "lao_dong_dao_tao": (False, True, LOCAL),
    "tieu_chi_ntm": (False, False, {"xa"}),
    "giao_quan": (False, True, LOCAL),
    "ket_nap_dang_vien": (False, False, ROSTER_TYPES),
    "chi_bo_htt": (False, True, ROSTER_TYPES),
    "dang_vien_htt": (False, True, ROSTER_TYPES),
}
FORECASTS = {"Vượt", "Đạt", "Khó đạt", "Không đạt"}
PLAUSIBLE = {  # result ranges a Vĩnh Lợi reader would not frown at
    "tang_truong": (3.0, 15.0),
    "thu_nhap": (45.0, 75.0),
    "ho_ngheo": (0.5, 5.0),
    "bhyt": (80.0, 100.0),
    "nuoc_sach": (90.0, 100.0),
    "tieu_chi_ntm": (15, 19),
}
SEEDS = (0, 1, 2023)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def assessment(nq: float, kq: float, lower: bool) -> str:
    ratio = (float("inf") if kq == 0 else nq / kq) if lower else kq / nq
    return "Vượt" if ratio > 1 else "Đạt" if ratio == 1 else "Chưa đạt"


def parse_vietnamese(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def applicable(unit_type: str) -> list[str]:
    return [x for x, (_, _, types) in INDICATORS.items() if unit_type in types]


def indicator_fields(x: str) -> set[str]:
    fields = {f"ct_{x}_{s}" for s in ("nq", "kq", "du_bao", "ghi_chu")}
    if INDICATORS[x][1]:
        fields |= {f"ct_{x}_tu_so", f"ct_{x}_mau_so"}
    return fields


def problems_of(unit: DemoUnit, r: dict[str, object]) -> list[str]:
    """Every way the report breaks a rule of the template; empty when it is valid."""
    bad: list[str] = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            bad.append(what)

    # Which keys: exactly the template's ids, and only the indicators for this type.
    allowed = TT_FIELDS | KD_FIELDS | KS_FIELDS | {"hc_bang"}
    for x in applicable(unit.type):
        allowed |= indicator_fields(x)
    if unit.type in LOCAL:
        allowed.add("tt_dan_so")  # communes and the town give their population (the weight)
    need(set(r) <= allowed, f"unexpected keys {sorted(set(r) - allowed)}")
    required = TT_FIELDS | KD_FIELDS | KS_FIELDS | {"hc_bang"}
    need(required <= set(r), f"missing keys {sorted(required - set(r))}")
    need("tt_phien_ban" not in r, "tt_phien_ban is prefilled by the template")

    # Thông tin.
    need(r.get("tt_ma_don_vi") == unit.code, "tt_ma_don_vi")
    need(r.get("tt_ten_don_vi") == unit.name, "tt_ten_don_vi")
    need(r.get("tt_loai_hinh") == LABELS[unit.type], "tt_loai_hinh")
    members = r.get("tt_so_dang_vien")
    need(type(members) is int and members >= 1, "tt_so_dang_vien >= 1")
    if not isinstance(members, int):
        members = 0
    if unit.type in LOCAL:
        need(200 <= members <= 600, f"commune members {members}")
    if unit.name.startswith("Chi bộ"):
        need(5 <= members <= 60, f"cell members {members}")
    cells = r.get("tt_so_chi_bo")
    need(type(cells) is int and cells >= 0, "tt_so_chi_bo >= 0")
    if unit.type in LOCAL:
        people = r.get("tt_dan_so")
        # A Bạc Liêu commune has some 10,000–30,000 people: 2,800–7,800 households × 3.4–3.9.
        need(type(people) is int and 9_000 <= people <= 31_000, f"population {people}")
    for key in ("tt_nguoi_bao_cao", "tt_chuc_vu"):
        need(isinstance(r.get(key), str) and bool(str(r.get(key)).strip()), key)
    phone = r.get("tt_dien_thoai")
    need(isinstance(phone, str) and re.fullmatch(r"[0-9 .]+", phone) is not None, "phone chars")
    digits = re.sub(r"[ .]", "", str(phone))
    # A mobile (0 and 9 digits) or an 11-digit landline (02…), as the template's hint says.
    need(re.fullmatch(r"0[3-9]\d{8}|02\d{9}", digits) is not None, f"phone {phone!r}")
    email = r.get("tt_email")
    need(
        isinstance(email, str) and re.fullmatch(r"[a-z0-9.]+@example\.vn", email) is not None,
        "email",
    )
    day = r.get("tt_ngay_bao_cao")
    need(type(day) is date and day.year == 2023 and day.month == 3, f"report date {day!r}")
    need(r.get("tt_xac_nhan") is True, "tt_xac_nhan")

    # Chỉ tiêu.
    for x in applicable(unit.type):
        lower, is_rate, _ = INDICATORS[x]
        kq = r.get(f"ct_{x}_kq")
        note = r.get(f"ct_{x}_ghi_chu")
        if kq == "Không áp dụng":
            need(x == "chi_bo_htt" and cells == 0, f"{x}: not applicable only for a cell")
            need(isinstance(note, str) and bool(note.strip()), f"{x}: not applicable needs a note")
            continue
        nq = r.get(f"ct_{x}_nq")
        need(is_number(nq) and is_number(kq), f"{x}: nq/kq numbers")
        if not (is_number(nq) and is_number(kq)):
            continue
        assert isinstance(nq, int | float) and isinstance(kq, int | float)
        need(nq > 0 and kq >= 0, f"{x}: signs")
        if is_rate:
            tu, mau = r.get(f"ct_{x}_tu_so"), r.get(f"ct_{x}_mau_so")
            need(type(tu) is int and type(mau) is int, f"{x}: tu/mau ints")
            if isinstance(tu, int) and isinstance(mau, int):
                need(0 <= tu <= mau and mau > 0, f"{x}: 0 <= tu_so <= mau_so")
                need(kq == round(100 * tu / max(mau, 1), 2), f"{x}: kq {kq} vs {tu}/{mau}")
            need(type(kq) is float and type(nq) is float, f"{x}: percents are floats")
        if x in PLAUSIBLE:
            lo, hi = PLAUSIBLE[x]
            need(lo <= kq <= hi, f"{x}: implausible {kq}")
        forecast = r.get(f"ct_{x}_du_bao")
        need(forecast in FORECASTS, f"{x}: forecast {forecast!r}")
        verdict = assessment(nq, kq, lower)
        if verdict == "Chưa đạt" or forecast in ("Khó đạt", "Không đạt"):
            need(isinstance(note, str) and len(note.strip()) >= 10, f"{x}: note required")
        if verdict == "Chưa đạt":
            need(forecast != "Vượt", f"{x}: a missed target forecast to be exceeded")
        else:
            need(forecast in ("Vượt", "Đạt"), f"{x}: a met target forecast to fail")
        need(note is None or isinstance(note, str), f"{x}: note type")
    if unit.type == "xa":
        need(type(r.get("ct_tieu_chi_ntm_kq")) is int, "NTM criteria are counted")
    if unit.type in LOCAL:
        lua = r.get("ct_san_luong_lua_kq")
        need(isinstance(lua, float), "rice is a number")
        if isinstance(lua, float):
            need((20_000 if unit.type == "xa" else 5_000) <= lua <= 90_000, f"rice {lua}")

    # Kiểm điểm.
    for key in KD_FIELDS:
        text = r.get(key)
        need(isinstance(text, str), f"{key}: text")
        if not isinstance(text, str):
            continue
        need(len(text.strip()) >= 150, f"{key}: too short")
        need(unicodedata.normalize("NFC", text) == text, f"{key}: NFC")
        need(2 <= len(text.split("\n")) <= 4, f"{key}: 2-4 paragraphs")
        need(all(len(p) > 40 for p in text.split("\n")), f"{key}: empty paragraph")
        need("{" not in text and "}" not in text, f"{key}: unfilled placeholder")
        need(
            re.search("[ạảãáàâầấậẩẫăắằặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ]", text) is not None,
            f"{key}: diacritics",
        )
    need("Kết luận 21-KL/TW" in str(r.get("kd_phuong_thuc_lanh_dao")), "KL 21")
    hoc_tap = str(r.get("kd_hoc_tap_lam_theo_bac"))
    for must in ("Kết luận 01-KL/TW", "Chỉ thị 05", "Kế hoạch 18"):
        need(must in hoc_tap, f"học tập và làm theo Bác: {must}")
    need("chủ quan" in str(r.get("kd_nguyen_nhan_chu_quan")).lower(), "subjective causes")

    # Kiểm tra giám sát.
    ks = {k: r.get(k) for k in KS_FIELDS}
    need(all(type(v) is int and v >= 0 for v in ks.values()), "ks: ints >= 0")
    n = {k: v for k, v in ks.items() if isinstance(v, int)}
    if len(n) == len(ks):
        need(n["ks_ktdh_co_vi_pham"] <= n["ks_ktdh_dang_vien"], "co_vi_pham <= ktdh_dang_vien")
        need(n["ks_kl_dang_vien"] == sum(n[f] for f in DISCIPLINE_FORMS), "discipline sum")
        need(n["ks_kl_dang_vien"] <= members, "discipline <= members")
        need(n["ks_to_cao_giai_quyet"] <= n["ks_to_cao_nhan"], "to cao")
        need(n["ks_khieu_nai_giai_quyet"] <= n["ks_khieu_nai_nhan"], "khieu nai")

    # Hạn chế - Giải pháp.
    rows = r.get("hc_bang")
    need(isinstance(rows, list) and 2 <= len(rows) <= 5, "hc_bang: 2-5 rows")
    if not isinstance(rows, list):
        return bad
    for row in rows:
        need(set(row) == HC_COLUMNS, f"hc_bang columns {sorted(row)}")
        for col in ("han_che", "nguyen_nhan", "giai_phap"):
            need(isinstance(row[col], str) and len(row[col].strip()) > 10, f"hc_bang {col}")
        need(row["loai_nguyen_nhan"] in ("Chủ quan", "Khách quan"), "hc_bang cause")
        need(row["chiu_trach_nhiem"] is None or isinstance(row["chiu_trach_nhiem"], str), "who")
        need("{" not in str(row["chiu_trach_nhiem"]), "hc_bang: unfilled placeholder")
        deadline = row["thoi_han"]
        need(
            deadline is None or (type(deadline) is date and deadline <= date(2025, 12, 31)),
            f"hc_bang deadline {deadline!r}",
        )
    need(any(row["loai_nguyen_nhan"] == "Chủ quan" for row in rows), "a subjective cause")
    return bad


def all_reports(seeds: tuple[int, ...] = SEEDS) -> list[tuple[DemoUnit, dict[str, object]]]:
    out = []
    for seed in seeds:
        rng = Random(seed)
        out += [(u, valid_report(u, rng)) for u in DEMO_UNITS]
    return out


# --- units -----------------------------------------------------------------------------------


def test_demo_units_are_the_district() -> None:
    assert 36 <= len(DEMO_UNITS) <= 42
    by_code = {u.code: u for u in DEMO_UNITS}
    assert len(by_code) == len(DEMO_UNITS)
    assert len({u.name for u in DEMO_UNITS}) == len(DEMO_UNITS)
    assert len({u.email for u in DEMO_UNITS}) == len(DEMO_UNITS)
    assert by_code["TT_CHAU_HUNG"].name == "Đảng bộ thị trấn Châu Hưng"
    assert by_code["TT_CHAU_HUNG"].type == "thi_tran"
    communes = sorted(u.name for u in DEMO_UNITS if u.type == "xa")
    assert communes == sorted(f"Đảng bộ xã {c}" for c in COMMUNES)
    assert by_code["XA_VINH_HUNG_A"].email == "vinhhunga@example.vn"
    assert {u.type for u in DEMO_UNITS} == ROSTER_TYPES
    for u in DEMO_UNITS:
        assert re.fullmatch(r"[A-Z]+(_[A-Z0-9]+)+", u.code), u.code
        assert re.fullmatch(r"[a-z0-9]+@example\.vn", u.email), u.email
        assert unicodedata.normalize("NFC", u.name) == u.name
        assert u.name.startswith(("Đảng bộ ", "Chi bộ "))


def test_section_and_count_ids_are_the_templates() -> None:
    assert len(KD_IDS) == 12 and set(KD_IDS) == KD_FIELDS
    assert len(KS_IDS) == 18 and set(KS_IDS) == KS_FIELDS
    assert KD_IDS[0] == "kd_lanh_dao_thuc_hien" and KD_IDS[-1] == "kd_nhiem_vu_giai_phap"
    assert KS_IDS[0] == "ks_kt_to_chuc" and KS_IDS[-1] == "ks_khieu_nai_giai_quyet"


def test_demo_units_is_frozen() -> None:
    with pytest.raises(AttributeError):
        DEMO_UNITS[0].code = "X"  # type: ignore[misc]


def test_demo_units_prefix_and_extension() -> None:
    assert demo_units(0, Random(1)) == []
    assert demo_units(5, Random(1)) == DEMO_UNITS[:5]
    assert demo_units(len(DEMO_UNITS), Random(1)) == DEMO_UNITS
    many = demo_units(150, Random(7))
    assert len(many) == 150
    assert many[: len(DEMO_UNITS)] == DEMO_UNITS
    assert len({u.code for u in many}) == 150
    assert len({u.email for u in many}) == 150
    assert len({u.name for u in many}) == 150
    for u in many[len(DEMO_UNITS) :]:
        assert u.type in ROSTER_TYPES
        assert re.fullmatch(r"[A-Z]+(_[A-Z0-9]+)+", u.code), u.code
        assert re.search(r" số \d+$", u.name), u.name
    assert demo_units(150, Random(7)) == many
    assert demo_units(150, Random(8)) != many
    with pytest.raises(ValueError):
        demo_units(-1, Random(0))


# --- valid reports ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_every_valid_report_obeys_every_rule(seed: int) -> None:
    rng = Random(seed)
    failures = {}
    for unit in demo_units(60, Random(seed)):
        bad = problems_of(unit, valid_report(unit, rng))
        if bad:
            failures[unit.code] = bad
    assert failures == {}


def test_indicators_follow_the_unit_type() -> None:
    for unit, r in all_reports((5,)):
        present = {k.split("_", 1)[1].rsplit("_", 1)[0] for k in r if k.endswith("_nq")}
        expected = set(applicable(unit.type))
        if r.get("ct_chi_bo_htt_kq") == "Không áp dụng":
            expected.discard("chi_bo_htt")
        assert present == expected, unit.code


def test_cells_without_subordinate_cells_answer_not_applicable() -> None:
    for _, r in all_reports((9,)):
        if r["tt_so_chi_bo"] == 0:
            assert r["ct_chi_bo_htt_kq"] == "Không áp dụng"
            assert "ct_chi_bo_htt_mau_so" not in r


def test_most_targets_are_met_and_some_are_not() -> None:
    verdicts: Counter[str] = Counter()
    forecasts: Counter[object] = Counter()
    for unit, r in all_reports():
        for x in applicable(unit.type):
            kq, nq = r.get(f"ct_{x}_kq"), r.get(f"ct_{x}_nq")
            if isinstance(kq, int | float) and isinstance(nq, int | float):
                verdicts[assessment(nq, kq, INDICATORS[x][0])] += 1
                forecasts[r[f"ct_{x}_du_bao"]] += 1
    total = sum(verdicts.values())
    assert verdicts["Vượt"] + verdicts["Đạt"] > 0.7 * total
    assert verdicts["Chưa đạt"] > 0.05 * total
    assert verdicts["Đạt"] > 0
    assert set(forecasts) == FORECASTS


def test_self_review_prose_varies_between_units() -> None:
    reports = [r for _, r in all_reports((11,))]
    for key in KD_FIELDS:
        distinct = {r[key] for r in reports}
        assert len(distinct) >= len(reports) // 3, key


def test_unit_names_reach_the_prose() -> None:
    for unit, r in all_reports((4,)):
        assert unit.name in str(r["kd_lanh_dao_thuc_hien"])
        assert "Đảng bộ huyện Vĩnh Lợi" in str(r["kd_lanh_dao_thuc_hien"])


def test_phones_come_in_the_ways_people_type_them() -> None:
    phones = [str(r["tt_dien_thoai"]) for _, r in all_reports()]
    assert any(" " in p for p in phones)
    assert any("." in p for p in phones)
    assert any(p.isdigit() for p in phones)


def test_reports_are_deterministic() -> None:
    unit = DEMO_UNITS[3]
    assert valid_report(unit, Random(42)) == valid_report(unit, Random(42))
    assert valid_report(unit, Random(42)) != valid_report(unit, Random(43))
    assert in_progress_report(unit, Random(42)) == in_progress_report(unit, Random(42))
    first = [valid_report(u, Random(1)) for u in DEMO_UNITS]
    again = [valid_report(u, Random(1)) for u in DEMO_UNITS]
    assert first == again


# --- reports in progress ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_in_progress_reports_are_unsigned_and_incomplete(seed: int) -> None:
    rng = Random(seed)
    for unit in DEMO_UNITS:
        r = in_progress_report(unit, rng)
        assert r["tt_xac_nhan"] is False
        assert r["tt_ma_don_vi"] == unit.code
        assert "tt_phien_ban" not in r
        missing_kd = KD_FIELDS - set(r)
        assert missing_kd, unit.code
        results = [x for x in applicable(unit.type) if f"ct_{x}_kq" not in r]
        assert results, unit.code
        allowed = TT_FIELDS | KD_FIELDS | KS_FIELDS | {"hc_bang"}
        for x in applicable(unit.type):
            allowed |= indicator_fields(x)
        if unit.type in LOCAL:
            allowed.add("tt_dan_so")
        assert set(r) <= allowed


# --- mistakes --------------------------------------------------------------------------------


REQUIRED_MISTAKES = {
    "text_in_number",
    "vietnamese_number_text",
    "missing_narrative",
    "discipline_sum",
    "no_subjective_cause",
    "percent_sign",
    "text_date",
    "nfd_text",
    "unsigned",
}


def changed(before: dict[str, object], after: dict[str, object]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def mistake_cases() -> list[tuple[str, DemoUnit, int]]:
    units = [DEMO_UNITS[0], DEMO_UNITS[1], DEMO_UNITS[8], DEMO_UNITS[13], DEMO_UNITS[22]]
    return [(name, u, seed) for name in MISTAKES for u in units for seed in (0, 1, 2)]


def test_every_mistake_has_a_severity() -> None:
    assert set(MISTAKES) >= REQUIRED_MISTAKES
    assert set(MISTAKE_SEVERITY) == set(MISTAKES)
    assert set(MISTAKE_SEVERITY.values()) <= {"error", "warning", "none"}
    assert MISTAKE_SEVERITY["text_in_number"] == "error"
    assert MISTAKE_SEVERITY["text_date"] == "warning"
    assert MISTAKE_SEVERITY["unsigned"] == "none"
    for name, fn in MISTAKES.items():
        assert fn.__doc__ and "Severity" in fn.__doc__, name


@pytest.mark.parametrize(("name", "unit", "seed"), mistake_cases())
def test_mistake_does_what_it_says(name: str, unit: DemoUnit, seed: int) -> None:
    valid = valid_report(unit, Random(seed))
    pristine = copy.deepcopy(valid)
    wrong = MISTAKES[name](valid, Random(seed + 100))
    assert valid == pristine, "the valid report was changed in place"
    assert wrong is not valid
    diff = changed(valid, wrong)
    assert diff, "nothing changed"
    assert MISTAKES[name](valid, Random(seed + 100)) == wrong  # deterministic
    CHECKS[name](valid, wrong, diff)


def _one(diff: set[str]) -> str:
    assert len(diff) == 1, diff
    return next(iter(diff))


def check_text_in_number(valid: dict, wrong: dict, diff: set[str]) -> None:
    key = _one(diff)
    assert key == "tt_so_dang_vien" or (key.startswith("ct_") and key.endswith("_kq"))
    assert is_number(valid[key])
    assert isinstance(wrong[key], str)
    assert re.search(r"[a-zà-ỹ]", wrong[key])  # words a number parser must refuse


def check_vietnamese_number_text(valid: dict, wrong: dict, diff: set[str]) -> None:
    key = _one(diff)
    text = wrong[key]
    assert isinstance(text, str) and "," in text
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{1,2}", text), text  # never "1,234"-ambiguous
    assert parse_vietnamese(text) == pytest.approx(valid[key], abs=1e-9)


def check_missing_narrative(valid: dict, wrong: dict, diff: set[str]) -> None:
    key = _one(diff)
    assert key in KD_FIELDS
    assert len(wrong[key].strip()) < 50


def check_discipline_sum(valid: dict, wrong: dict, diff: set[str]) -> None:
    assert _one(diff) == "ks_kl_dang_vien"
    total = wrong["ks_kl_dang_vien"]
    assert isinstance(total, int) and 0 <= total <= wrong["tt_so_dang_vien"]
    assert total != sum(wrong[f] for f in DISCIPLINE_FORMS)


def check_no_subjective_cause(valid: dict, wrong: dict, diff: set[str]) -> None:
    assert _one(diff) == "hc_bang"
    assert len(wrong["hc_bang"]) == len(valid["hc_bang"])
    assert all(row["loai_nguyen_nhan"] != "Chủ quan" for row in wrong["hc_bang"])
    for old, new in zip(valid["hc_bang"], wrong["hc_bang"], strict=True):
        assert {k: v for k, v in old.items() if k != "loai_nguyen_nhan"} == {
            k: v for k, v in new.items() if k != "loai_nguyen_nhan"
        }


def check_percent_sign(valid: dict, wrong: dict, diff: set[str]) -> None:
    key = _one(diff)
    x = key[3:].rsplit("_", 1)[0]
    assert INDICATORS[x][1], "only a percent field can carry a percent format"
    marker, fraction = wrong[key]
    assert marker == "percent_format"
    assert 0 <= fraction <= 1
    assert fraction * 100 == pytest.approx(valid[key], abs=1e-6)


def check_text_date(valid: dict, wrong: dict, diff: set[str]) -> None:
    assert _one(diff) == "tt_ngay_bao_cao"
    assert re.fullmatch(r"\d{2}/03/2023", wrong["tt_ngay_bao_cao"])
    assert wrong["tt_ngay_bao_cao"] == valid["tt_ngay_bao_cao"].strftime("%d/%m/%Y")


def check_nfd_text(valid: dict, wrong: dict, diff: set[str]) -> None:
    key = _one(diff)
    assert key == "tt_loai_hinh" or key.endswith("_du_bao")
    assert unicodedata.normalize("NFC", wrong[key]) == valid[key]
    assert unicodedata.normalize("NFD", wrong[key]) == wrong[key]


def check_unsigned(valid: dict, wrong: dict, diff: set[str]) -> None:
    assert _one(diff) == "tt_xac_nhan"
    assert wrong["tt_xac_nhan"] is False


def check_ambiguous_number(valid: dict, wrong: dict, diff: set[str]) -> None:
    key = _one(diff)
    assert re.fullmatch(r"\d{1,3},\d{3}", wrong[key]), wrong[key]
    assert parse_vietnamese(wrong[key]) == pytest.approx(valid[key], abs=1e-9)


def check_rate_mismatch(valid: dict, wrong: dict, diff: set[str]) -> None:
    key = _one(diff)
    x = key[3:-3]
    assert key.endswith("_kq") and INDICATORS[x][1]
    computed = 100 * wrong[f"ct_{x}_tu_so"] / wrong[f"ct_{x}_mau_so"]
    assert abs(wrong[key] - computed) > 0.1
    assert 0 <= wrong[key] <= 100


def check_bad_phone(valid: dict, wrong: dict, diff: set[str]) -> None:
    assert _one(diff) == "tt_dien_thoai"
    digits = re.sub(r"\D", "", wrong["tt_dien_thoai"])
    assert digits.startswith("02") and len(digits) == 10  # a landline needs 11


def check_incomplete_row(valid: dict, wrong: dict, diff: set[str]) -> None:
    assert _one(diff) == "hc_bang"
    broken = [row for row in wrong["hc_bang"] if not row["giai_phap"]]
    assert len(broken) == 1 and broken[0]["han_che"]


CHECKS = {
    "text_in_number": check_text_in_number,
    "vietnamese_number_text": check_vietnamese_number_text,
    "missing_narrative": check_missing_narrative,
    "discipline_sum": check_discipline_sum,
    "no_subjective_cause": check_no_subjective_cause,
    "percent_sign": check_percent_sign,
    "text_date": check_text_date,
    "nfd_text": check_nfd_text,
    "unsigned": check_unsigned,
    "ambiguous_number": check_ambiguous_number,
    "rate_mismatch": check_rate_mismatch,
    "bad_phone": check_bad_phone,
    "incomplete_row": check_incomplete_row,
}


def test_every_mistake_is_checked_here() -> None:
    assert set(CHECKS) == set(MISTAKES)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistakes_work_on_every_unit(name: str) -> None:
    rng = Random(3)
    for unit in demo_units(45, Random(3)):
        valid = valid_report(unit, rng)
        wrong = MISTAKES[name](valid, rng)
        assert changed(valid, wrong), (name, unit.code)
        CHECKS[name](valid, wrong, changed(valid, wrong))


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_the_checker_here_sees_what_should_be_found(name: str) -> None:
    # Guards the guard: the rules restated in this file notice every error and warning.
    for unit, valid in all_reports((8,))[:20]:
        wrong = MISTAKES[name](valid, Random(2))
        found = problems_of(unit, wrong)
        if MISTAKE_SEVERITY[name] == "none":
            continue
        assert found, (name, unit.code)


def test_the_other_findings_stay_away() -> None:
    # A mistake whose severity is "none" leaves a report that, read the way the template says
    # (NFC, Vietnamese numbers, percent formats), is the valid one again.
    for name in ("vietnamese_number_text", "percent_sign", "nfd_text"):
        for unit, valid in all_reports((6,))[:20]:
            wrong = MISTAKES[name](valid, Random(1))
            restored = dict(wrong)
            for key in changed(valid, wrong):
                value = wrong[key]
                if isinstance(value, tuple):
                    restored[key] = round(value[1] * 100, 6)
                elif name == "vietnamese_number_text":
                    restored[key] = parse_vietnamese(str(value))
                else:
                    restored[key] = unicodedata.normalize("NFC", str(value))
            assert problems_of(unit, restored) == [], (name, unit.code)
