"""Numbers that are possible but not plausible: a dot/comma slip typed on a PC set to another
locale. On a Windows PC with English (US) regional settings, "18.900" (eighteen thousand nine
hundred, as the guide writes it) is read as 18.9, and "12,5" as 125. The value is a valid
number, so no range check catches it; its scale against a reference does.
"""

from __future__ import annotations

from .values import fmt_number

# A value more than this many times off its reference is a warning (a slip is ×1.000 or more).
SLIP_FACTOR = 100.0


def is_positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def scale_slip(value: object, reference: object, reference_words: str) -> str | None:
    """The warning's text when ``value`` is more than ``SLIP_FACTOR`` times off ``reference``
    (both positive), naming the likely slip; None when the two are of the same scale.

    ``reference_words`` says what the reference is ("chỉ tiêu Nghị quyết đề ra"); the
    reference's value follows it in brackets.
    """
    if not (is_positive(value) and is_positive(reference)):
        return None
    v, ref = float(value), float(reference)  # type: ignore[arg-type]
    if max(v / ref, ref / v) <= SLIP_FACTOR:
        return None
    shown = fmt_number(v, 3)
    if v < ref:
        typed = fmt_number(v * 1000, 0)
        slip = (
            f"có thể đã gõ “{typed}” trên máy tính cài định dạng số tiếng Anh, nên dấu chấm "
            f"phân cách hàng nghìn bị hiểu là dấu thập phân và số thành {shown}"
        )
        direction = "nhỏ hơn"
    else:
        typed = fmt_number(v / 1000, 3)
        slip = (
            f"có thể đã gõ “{typed}” trên máy tính cài định dạng số tiếng Anh, nên dấu phẩy "
            f"thập phân bị hiểu là dấu phân cách hàng nghìn và số thành {shown}"
        )
        direction = "lớn hơn"
    return (
        f"{shown} {direction} {reference_words} ({fmt_number(ref)}) hơn {fmt_number(SLIP_FACTOR, 0)} lần: {slip}. "
        f"Kiểm tra lại số này (xem mục B1a “Định dạng số của máy tính” trong tài liệu hướng dẫn); nếu số đúng thì "
        f"ghi rõ ở cột Ghi chú."
    )
