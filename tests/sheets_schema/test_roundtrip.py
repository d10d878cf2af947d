"""Property: any valid report, typed into a template as a user would, parses back unchanged."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_schema import Code, FieldType, Schema, load_schema
from tests.helpers import TODAY, parse_values

SCHEMA = load_schema()
VI_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
word = st.text(alphabet=VI_LETTERS + VI_LETTERS.upper(), min_size=2, max_size=9)
sentence = st.lists(word, min_size=2, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")
# A name or a title: within the 100 characters such a cell takes (8 words of ≤ 9 letters: ≤ 80).
short = st.lists(word, min_size=2, max_size=8).map(lambda ws: " ".join(ws).capitalize() + ".")
narrative = (
    st.lists(sentence, min_size=1, max_size=6)
    .map(" ".join)
    .filter(lambda t: len(t) >= SCHEMA.min_chars)
)
day = st.dates(min_value=date(2020, 10, 1), max_value=TODAY)
amount = st.integers(min_value=0, max_value=10**7).map(lambda c: c / 100)  # two decimals


def vi_text(number: float) -> str:
    """1234.5 → "1.234,5", written independently of the code under test."""
    whole, _, frac = f"{number:.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = ".".join([whole, *groups])
    frac = frac.rstrip("0")
    return f"{text},{frac}" if frac else text


@st.composite
def typed_number(draw: Any, number: float) -> Any:
    """A number as a user leaves it: a number, or Vietnamese text in a text cell."""
    return draw(st.sampled_from([number, vi_text(number)]))


@st.composite
def valid_report(draw: Any, schema: Schema = SCHEMA) -> tuple[str, dict[str, Any], dict[str, Any]]:
    unit_type = draw(st.sampled_from(sorted(schema.unit_types)))
    typed: dict[str, Any] = {}
    expect: dict[str, Any] = {}

    def put(fid: str, value: Any, shown: Any = None) -> None:
        typed[fid] = value if shown is None else shown
        expect[fid] = value

    put("tt_ma_don_vi", "DV_01")
    put("tt_ten_don_vi", draw(short))
    put("tt_loai_hinh", schema.unit_types[unit_type])
    members = draw(st.integers(1, 2000))
    put("tt_so_dang_vien", members)
    put("tt_so_chi_bo", draw(st.integers(0, 60)))
    put("tt_nguoi_bao_cao", draw(short))
    put("tt_chuc_vu", draw(short))
    digits = (
        "0"
        + draw(st.sampled_from("35789"))
        + draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    )
    sep = draw(st.sampled_from(["", " ", "."]))
    put("tt_dien_thoai", sep.join([digits[:4], digits[4:7], digits[7:]]))
    put("tt_email", draw(st.sampled_from([None, "van.phong@example.vn"])))
    put("tt_ngay_bao_cao", draw(day))
    typed["tt_xac_nhan"] = draw(st.sampled_from(["Có", True, "x", "có"]))
    expect["tt_xac_nhan"] = True
    for f in schema.fields:
        if f.narrative:
            put(f.id, draw(narrative))
    for ind in schema.indicators:
        ids = {p: ind.field_id(p) for p in ind.parts}
        if not ind.applies(unit_type):
            continue
        if ind.is_rate:
            den = draw(st.integers(1, 100_000))
            num = draw(st.integers(0, den))
            kq = round(100 * num / den, 2)
            put(ids["tu_so"], float(num), draw(typed_number(num)))
            put(ids["mau_so"], float(den), draw(typed_number(den)))
            put(ids["kq"], kq, draw(typed_number(kq)))
            put(ids["nq"], draw(st.integers(0, 100)).__float__())
        elif ind.type is FieldType.INTEGER:
            hi = int(ind.max or 10_000)
            put(ids["nq"], draw(st.integers(0, hi)))
            put(ids["kq"], draw(st.integers(0, hi)))
        else:
            nq, kq = draw(amount), draw(amount)
            put(ids["nq"], nq, draw(typed_number(nq)))
            put(ids["kq"], kq, draw(typed_number(kq)))
        put(ids["du_bao"], draw(st.sampled_from(ind_choices(schema))))
        put(ids["ghi_chu"], draw(sentence))
    counts = {f.id: draw(st.integers(0, 20)) for f in schema.fields if f.id.startswith("ks_")}
    counts["ks_ktdh_co_vi_pham"] = min(counts["ks_ktdh_co_vi_pham"], counts["ks_ktdh_dang_vien"])
    forms = ["ks_kl_khien_trach", "ks_kl_canh_cao", "ks_kl_cach_chuc", "ks_kl_khai_tru"]
    for form in forms:
        counts[form] = min(counts[form], members // 4)
    counts["ks_kl_dang_vien"] = sum(counts[k] for k in forms)
    counts["ks_to_cao_giai_quyet"] = min(counts["ks_to_cao_giai_quyet"], counts["ks_to_cao_nhan"])
    counts["ks_khieu_nai_giai_quyet"] = min(
        counts["ks_khieu_nai_giai_quyet"], counts["ks_khieu_nai_nhan"]
    )
    for k, n in counts.items():
        put(k, n)
    rows = []
    for i in range(draw(st.integers(1, 5))):
        rows.append({
            "han_che": draw(sentence),
            "loai_nguyen_nhan": "Chủ quan" if i == 0 else draw(st.sampled_from(["Chủ quan", "Khách quan"])),
            "nguyen_nhan": draw(sentence),
            "giai_phap": draw(sentence),
            "chiu_trach_nhiem": draw(st.one_of(st.none(), sentence)),
            "thoi_han": draw(st.one_of(st.none(), st.dates(date(2023, 1, 1), date(2025, 12, 31)))),
        })  # fmt: skip
    typed["hc_bang"] = rows
    expect["hc_bang"] = rows
    return unit_type, typed, expect


def ind_choices(schema: Schema) -> list[str]:
    return list(schema.choices["du_bao"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_report())
def test_valid_report_round_trips(case: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    unit_type, typed, expect = case
    report = parse_values(SCHEMA, typed, unit_code="DV_01", unit_type=unit_type)
    # Random results may be thousands of times off their random targets: a scale warning is
    # right there (tests/jobs/test_plausibility.py), and it never changes a value.
    # A rate of at most 1 in a cell without a percent format may be "95%" typed where the
    # format stayed "0.00" (issue 16): a warning only, naming the slip; the value is kept.
    slips = [f for f in report.findings if f.code is Code.AMBIGUOUS_NUMBER]
    assert all(0 < abs(float(f.value)) <= 1 and "thay vì" in f.message for f in slips)
    rest = [
        f for f in report.findings if f.code not in (Code.IMPLAUSIBLE_SCALE, Code.AMBIGUOUS_NUMBER)
    ]
    assert rest == []
    assert report.completeness == 1.0
    assert report.confirmed
    for fid, value in expect.items():
        assert report.values[fid] == value, fid
