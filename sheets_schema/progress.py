"""The live progress line of the template: "Đã nhập x/y mục bắt buộc", as formulas.

It counts the same items as the parser's completeness (``ParsedReport.items_*``): required
fields that are neither prefilled nor the sign-off, the indicator parts that apply to the
unit's type (the note only where one is required), and each table as one item. A formula
cannot re-run the parser's checks, so an item counts as filled when its cell is not empty: with
an invalid value in it, x can be higher here than in the checker's completeness.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checks import Ref, applies_test, not_applicable_test, note_reason, signed_test
from .model import Field, Indicator, Schema


def counted_fields(schema: Schema) -> list[Field]:
    """Single fields outside the indicators that count as one completeness item each."""
    return [
        f
        for f in schema.fields
        if f.indicator is None and f.required and not f.sign_off and f.prefill is None
    ]


def _filled(cell: str) -> str:
    return f"(LEN({cell})>0)"


@dataclass(frozen=True)
class IndicatorProgress:
    """Formulas for one indicator's (filled, required) item counts, and the blank values."""

    filled: str
    required: str
    blank_required: int


def indicator_progress(
    schema: Schema, ind: Indicator, unit_type: str | None, ref: Ref
) -> IndicatorProgress:
    parts = [p for p in ind.parts if p != "ghi_chu"]
    na = not_applicable_test(schema, ref(ind.field_id("kq")))
    reason = note_reason(schema, ind, ref)
    note = ref(ind.field_id("ghi_chu"))
    app = applies_test(schema, ind, unit_type, ref) or "TRUE"
    filled_parts = "+".join(_filled(ref(ind.field_id(p))) for p in parts)
    filled = f"=IF({app},IF({na},1+{_filled(note)},{filled_parts}+{reason}*{_filled(note)}),0)"
    required = f"=IF({app},IF({na},2,{len(parts)}+{reason}),0)"
    applies_blank = unit_type is None or ind.applies(unit_type)
    return IndicatorProgress(filled, required, len(parts) if applies_blank else 0)


def filled_total(schema: Schema, indicator_filled: str) -> str:
    """x: filled single fields, filled indicator items (a helper range), non-empty tables."""
    terms = [_filled(f.id) for f in counted_fields(schema)]
    terms.append(f"SUM({indicator_filled})")
    terms += [f"(COUNTA({t.name})>0)" for t in schema.tables]
    return "=" + "+".join(terms)


def required_total(schema: Schema, indicator_required: str) -> str:
    """y: the number of required items, which depends on the unit's answers."""
    fixed = len(counted_fields(schema)) + len(schema.tables)
    return f"={fixed}+SUM({indicator_required})"


def blank_required(schema: Schema, unit_type: str | None) -> int:
    """y for an empty copy (the cached value xlsxwriter writes beside the formula)."""
    fixed = len(counted_fields(schema)) + len(schema.tables)
    return fixed + sum(
        len([p for p in i.parts if p != "ghi_chu"])
        for i in schema.indicators
        if unit_type is None or i.applies(unit_type)
    )


# The count is of non-empty cells, not of valid ones: the line must not read as an acceptance.
COUNT_CAVEAT = " (chỉ đếm ô đã có nội dung, chưa phải kết quả kiểm tra)"
SIGNED_WORDS = (
    ". Đã chọn “Có” xác nhận hoàn thành; Huyện ủy kiểm tra lại khi tổng hợp và chỉ tính là "
    "đã nộp khi không còn lỗi."
)


def _unsigned_words(label: str) -> str:
    return f". Chưa xác nhận hoàn thành (ô “{label}”)."


def progress_line(schema: Schema, filled: str, required: str) -> str:
    """The text of the progress cell: x/y, that x is not a check, and the sign-off."""
    sign_off = next((f.id for f in schema.fields if f.sign_off), None)
    text = f'="Đã nhập "&{filled}&"/"&{required}&" mục bắt buộc{COUNT_CAVEAT}"'
    if sign_off:
        unsigned = _unsigned_words(schema.field(sign_off).label)
        text += f'&IF({signed_test(schema, sign_off)},"{SIGNED_WORDS}","{unsigned}")'
    return text


def progress_words(schema: Schema, filled: int, required: int, signed: bool) -> str:
    """The progress line as the formula would show it (the cached value of a new copy)."""
    sign_off = next((f for f in schema.fields if f.sign_off), None)
    text = f"Đã nhập {filled}/{required} mục bắt buộc{COUNT_CAVEAT}"
    if sign_off is None:
        return text
    return text + (SIGNED_WORDS if signed else _unsigned_words(sign_off.label))
