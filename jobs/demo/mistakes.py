"""Mistakes real units make, as edits of a valid demo report (see ``demo_content``).

Each function takes a valid report and returns a new one holding what the user actually typed;
the input is never changed. ``MISTAKE_SEVERITY`` says what the checker should find: "error"
(blocks submission), "warning" (accepted but doubtful) or "none".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from random import Random

from .content import _KHACH_QUAN, KD_IDS, Report


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
    """A Bạc Liêu landline with a digit missing (10 digits, 02…). Severity: warning."""
    out = _copy(report)
    out["tt_dien_thoai"] = f"0291 3 8{rng.randint(10, 99)} {rng.randint(10, 99)}"
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
    "bad_phone": "warning",
    "incomplete_row": "error",
}
