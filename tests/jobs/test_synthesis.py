"""The synthesis on plain strings: sentences, masks, points, representatives, determinism."""

from __future__ import annotations

import random

from jobs.outputs.synthesis import (
    NAME_MASK,
    NUMBER_MASK,
    Settings,
    find_points,
    match_key,
    split_sentences,
)


def test_sentences_end_on_vietnamese_stops_and_lines() -> None:
    text = (
        "Kết nạp 12 đảng viên mới. Thu ngân sách đạt 1.234,5 triệu đồng! Có đạt không? "
        "Đạt…\nDòng thứ hai không có dấu chấm"
    )
    assert split_sentences(text) == [
        "Kết nạp 12 đảng viên mới.",
        "Thu ngân sách đạt 1.234,5 triệu đồng!",
        "Có đạt không?",
        "Đạt…",
        "Dòng thứ hai không có dấu chấm",
    ]


def test_no_end_after_abbreviations_initials_or_list_numbers() -> None:
    assert split_sentences("Làm việc với UBND TP. Bạc Liêu về dự án. Kết quả tốt.") == [
        "Làm việc với UBND TP. Bạc Liêu về dự án.",
        "Kết quả tốt.",
    ]
    assert split_sentences("Đồng chí Nguyễn V. An phụ trách. Tốt.") == [
        "Đồng chí Nguyễn V. An phụ trách.",
        "Tốt.",
    ]
    # A list's numbers and bullets are not sentences; a lower-case word after a stop goes on.
    assert split_sentences("1. Ưu điểm: tốt.\n- Hạn chế: còn ít.\n+ Đạt 95%. và hơn") == [
        "Ưu điểm: tốt.",
        "Hạn chế: còn ít.",
        "Đạt 95%. và hơn",
    ]
    assert split_sentences("  \n\n - \n") == []


def test_keys_mask_the_unit_numbers_and_dates() -> None:
    a = match_key(
        "Đảng bộ xã Vĩnh Hưng kết nạp 12 đảng viên, tính đến ngày 3/2/2022.",
        "Đảng bộ xã Vĩnh Hưng",
    )
    b = match_key(
        "Chi bộ Trường THCS Hưng Hội số 2 kết nạp 3 đảng viên, tính đến ngày 15/12/2021",
        "Chi bộ Trường THCS Hưng Hội số 2",
    )
    assert a == b
    # The name without its first words ("xã Vĩnh Hưng") is the unit's name too.
    assert match_key("Xã Vĩnh Hưng đạt chuẩn.", "Đảng bộ xã Vĩnh Hưng") == match_key(
        "Xã Hưng Hội đạt chuẩn.", "Đảng bộ xã Hưng Hội"
    )
    assert match_key("Kết nạp 12 đảng viên") != match_key("Kết nạp 12 quần chúng")


# Three points: A in four wordings (the original, a reordered clause, a synonym, a dropped
# word), B in two, C once; D is on A's subject but says something else.
A = [
    "Nguyên tắc tập trung dân chủ được thực hiện nghiêm; các vấn đề quan trọng đều được đưa ra tập thể thảo luận dân chủ, quyết định theo đa số.",
    "Các vấn đề quan trọng đều được đưa ra tập thể thảo luận dân chủ, quyết định theo đa số; nguyên tắc tập trung dân chủ được thực hiện nghiêm.",
    "Nguyên tắc tập trung dân chủ được chấp hành nghiêm; các vấn đề quan trọng đều được đưa ra tập thể thảo luận dân chủ, quyết định theo đa số.",
    "Nguyên tắc tập trung dân chủ được thực hiện nghiêm; các vấn đề quan trọng được đưa ra tập thể thảo luận, quyết định theo đa số.",
]
B = [
    "Từ đầu nhiệm kỳ đến nay, {name} kết nạp được 14 đảng viên mới.",
    "Từ đầu nhiệm kỳ đến nay {name} đã kết nạp được 9 đảng viên mới.",
]
C = "Tuyến đường liên ấp Nhà Việc – Cái Dầy được nâng cấp bằng nguồn vốn xã hội hóa."
D = "Tuy vậy, việc thực hiện quy chế làm việc có lúc chưa chặt chẽ, một số cuộc họp chuẩn bị chưa chu đáo."


def _units() -> list[tuple[str, str, str]]:
    names = [f"Chi bộ Trường Tiểu học Châu Thới số {n}" for n in range(1, 7)]
    texts = [
        A[0] + " " + B[0].format(name=names[0]),
        A[1] + "\n" + D,
        A[2] + " " + B[1].format(name=names[2]),
        A[3],
        C,
        "",
    ]
    return [(f"U{n}", name, text) for n, (name, text) in enumerate(zip(names, texts, strict=True))]


def test_paraphrases_are_one_point_and_different_points_stay_apart() -> None:
    points = find_points(_units())
    by_units = [(p.units, p.text) for p in points]
    assert by_units[0] == (("U0", "U1", "U2", "U3"), A[0])  # most units first; the original
    assert by_units[1][0] == ("U0", "U2")
    # The unit's name and the numbers that differ are masked; what all share is kept.
    assert (
        by_units[1][1]
        == f"Từ đầu nhiệm kỳ đến nay, {NAME_MASK} kết nạp được {NUMBER_MASK} đảng viên mới."
    )
    assert sorted(p.units for p in points[2:]) == [("U1",), ("U4",)]
    # A date all share is kept whole, one they differ on is masked whole.
    same = [("A", "Chi bộ A", "Thực hiện Kết luận 21-KL/TW ngày 25/10/2021, kết nạp 3 đảng viên."),
            ("B", "Chi bộ B", "Thực hiện Kết luận 21-KL/TW ngày 25/10/2021, kết nạp 5 đảng viên.")]  # fmt: skip
    assert find_points(same)[0].text == (
        f"Thực hiện Kết luận 21-KL/TW ngày 25/10/2021, kết nạp {NUMBER_MASK} đảng viên."
    )
    other = [same[0], ("B", "Chi bộ B", same[1][2].replace("25/10", "18/5"))]
    assert f"ngày {NUMBER_MASK}, kết nạp {NUMBER_MASK}" in find_points(other)[0].text
    assert {p.text for p in points[2:]} == {C, D}  # one unit's point is its sentence, as written


def test_every_sentence_in_exactly_one_point_and_attribution_true() -> None:
    units = _units()
    points = find_points(units)
    said = [(s.unit, s.text) for p in points for s in p.sentences]
    written = [(u, s) for u, _, t in units for s in split_sentences(t)]
    assert sorted(said) == sorted(written)
    for p in points:
        assert p.units == tuple(dict.fromkeys(s.unit for s in p.sentences))
        assert any(p.text == s.text for s in p.sentences) or NUMBER_MASK in p.text


def test_same_input_same_points_and_order_does_not_change_the_groups() -> None:
    units = _units()
    first = find_points(units)
    assert find_points(units) == first
    shuffled = units[:]
    random.Random(4).shuffle(shuffled)
    assert {frozenset(p.units) for p in find_points(shuffled)} == {
        frozenset(p.units) for p in first
    }


def test_threshold_from_settings() -> None:
    # At a similarity of 1 only identical keys are one point.
    strict = find_points(_units(), Settings(similarity=1.0))
    assert max(len(p.units) for p in strict) == 1
    assert Settings.of({"similarity": 0.8, "min_units": 3}) == Settings(0.8, 3)


def test_a_point_shared_by_other_kinds_of_unit_names_its_actor_generically() -> None:
    """Chi bộ and Đảng bộ units make the same point: it must not read as one kind's."""
    said = [
        ("U1", "Chi bộ Trường THCS A", "Chi ủy đã ban hành chương trình hành động thực hiện "
         "Nghị quyết Đại hội Đảng bộ huyện Vĩnh Lợi nhiệm kỳ 2020 - 2025."),
        ("U2", "Đảng bộ xã B", "Ban Chấp hành Đảng bộ đã ban hành chương trình hành động thực "
         "hiện Nghị quyết Đại hội Đảng bộ huyện Vĩnh Lợi nhiệm kỳ 2020 - 2025."),
        ("U3", "Chi bộ Trường THCS C", "Chi ủy đã ban hành chương trình hành động thực hiện "
         "Nghị quyết Đại hội Đảng bộ huyện Vĩnh Lợi nhiệm kỳ 2020 - 2025."),
    ]  # fmt: skip
    (point,) = find_points(said)
    assert point.units == ("U1", "U2", "U3")
    assert point.text.startswith("Cấp ủy đã ban hành chương trình hành động")
    assert "Nghị quyết Đại hội Đảng bộ huyện Vĩnh Lợi" in point.text  # a name every unit wrote
    # Units of one kind keep their own word.
    (alike,) = find_points([said[0], said[2]])
    assert alike.text.startswith("Chi ủy đã ban hành")
    # Within a sentence the generic word is in lower case ("Chi bộ" was capitalised as a name).
    mid = [(u, n, "Trong năm 2022, " + t[0].lower() + t[1:]) for u, n, t in said]
    (point,) = find_points(mid)
    assert point.text.startswith("Trong năm 2022, cấp ủy đã ban hành"), point.text
