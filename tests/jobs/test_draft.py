"""The Word draft and the "Toàn huyện" sheet, from a real sync of a small district with
district targets: the .docx is opened with python-docx, the workbook with openpyxl."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from docx.shared import Mm

from jobs.config import ConfigError, load_config
from jobs.job import SyncResult
from jobs.outputs.annex import ANNEX
from jobs.outputs.draft import DRAFT, SECTIONS, draft_bytes
from jobs.outputs.draft_points import ANNEX_TITLE, PLACEHOLDER
from jobs.outputs.fit import text_px
from jobs.outputs.rollup import NO_TARGET
from jobs.outputs.synthesis import Settings
from jobs.outputs.wordxml import clean
from jobs.outputs.workbook import write_workbook
from sheets_schema import Schema, parse_schema
from sheets_schema.loader import load_schema
from tests.jobs.district import District

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2023, 3, 25, 9, 0, tzinfo=VN)
TRICKY = '=HYPERLINK("http://evil.example")'
LONG = "Đảng bộ lãnh đạo thực hiện Nghị quyết. " * 600  # ~24,000 characters, kept whole
# bhyt: higher is better, lower: ho_ngheo. Each unit types 96% for every rate indicator.
TARGETS = """
[district]
name = "HUYỆN ỦY VĨNH LỢI"
parent = "ĐẢNG BỘ TỈNH BẠC LIÊU"
place = "Vĩnh Lợi"

[targets]
bhyt = 95.0
nuoc_sach = 99
lao_dong_dao_tao = 96.0
ho_ngheo = 97.0
giao_quan = 95.5
"""
SUBMITTED = ("XA_A", "TT_B", "CQ_C")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[District, SyncResult]:
    schema = load_schema()
    district = District(tmp_path_factory.mktemp("d") / "district", schema)
    district.add("XA_A", "xa")
    district.add("TT_B", "thi_tran")
    district.add("CQ_C", "co_quan")
    district.add("XA_D", "xa")  # typing, not signed off
    district.add("XA_E", "xa")  # no file at all
    with (district.root / "tonghop.toml").open("a", encoding="utf-8") as fh:
        fh.write(TARGETS)
    district.save(
        "XA_A", district.values("XA_A", kd_bai_hoc=LONG), datetime(2023, 3, 20, tzinfo=VN)
    )
    # TT_B: ho_ngheo at 5% (50/1000): the district's ratio moves, and Σ/Σ is checked below.
    b = district.values("TT_B", kd_doan_ket_noi_bo=TRICKY + " " + "x" * 60)
    b.update(ct_ho_ngheo_tu_so=50, ct_ho_ngheo_mau_so=1000, ct_ho_ngheo_kq=5.0)
    b.update(ct_ho_ngheo_nq=6.0)
    district.save("TT_B", b, datetime(2023, 3, 24, tzinfo=VN))
    district.save("CQ_C", district.values("CQ_C"), datetime(2023, 3, 21, tzinfo=VN))
    district.save(
        "XA_D", district.values("XA_D", tt_xac_nhan="Không"), datetime(2023, 3, 21, tzinfo=VN)
    )
    return district, district.sync(AS_OF)


@pytest.fixture(scope="module")
def document(synced: tuple[District, SyncResult]) -> Any:
    return docx.Document(str(synced[0].root / "out" / DRAFT))


@pytest.fixture(scope="module")
def sheet(synced: tuple[District, SyncResult]) -> Any:
    return openpyxl.load_workbook(synced[0].root / "out" / "tong-hop.xlsx")["Toàn huyện"]


def _texts(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _number(text: str) -> float | None:
    """ "1.234,5" or "97,5%" back to a number; "" → None."""
    text = text.strip().rstrip("%")
    return float(text.replace(".", "").replace(",", ".")) if text else None


def test_statuses_are_what_the_tests_assume(synced: tuple[District, SyncResult]) -> None:
    district, result = synced
    assert [district.status(result, c) for c in SUBMITTED] == ["on_time", "late", "on_time"]
    assert district.status(result, "XA_D") == "overdue"
    assert result.run.targets["nuoc_sach"] == 99.0
    assert result.run.district_name == "HUYỆN ỦY VĨNH LỢI"


# ------------------------------------------------------------------ layout


def test_page_size_margins_and_font(document: Any) -> None:
    first = document.sections[0]
    assert abs(first.page_width - Mm(210)) < Mm(1) and abs(first.page_height - Mm(297)) < Mm(1)
    for section in document.sections:
        assert Mm(20) - Mm(0.1) <= section.top_margin <= Mm(25) + Mm(0.1)
        assert Mm(20) - Mm(0.1) <= section.bottom_margin <= Mm(25) + Mm(0.1)
        assert Mm(30) - Mm(0.1) <= section.left_margin <= Mm(35) + Mm(0.1)
        assert Mm(15) - Mm(0.1) <= section.right_margin <= Mm(20) + Mm(0.1)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert 13 <= normal.font.size.pt <= 14
    fonts = normal.element.rPr.rFonts
    assert {
        fonts.get(f"{{{fonts.nsmap['w']}}}{a}") for a in ("ascii", "hAnsi", "cs", "eastAsia")
    } == {"Times New Roman"}


def test_header_block_title_and_draft_mark(document: Any) -> None:
    block = " ".join(c.text for c in document.tables[0].rows[0].cells)
    for words in ("ĐẢNG BỘ TỈNH BẠC LIÊU", "HUYỆN ỦY VĨNH LỢI", "-BC/HU", "ĐẢNG CỘNG SẢN VIỆT NAM"):
        assert words in block
    assert "Vĩnh Lợi, ngày" in block and "năm 2023" in block
    texts = _texts(document)
    assert texts[0] == "DỰ THẢO" and "BÁO CÁO" in texts
    subject = texts[texts.index("BÁO CÁO") + 1]
    assert subject == (
        "Tổng hợp sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội, nhiệm kỳ 2020\u00a0–\u00a02025 "
        "của các tổ chức cơ sở đảng"
    )
    header = document.sections[0].header._element.xml
    assert "DỰ THẢO" in header and 'w:instr="PAGE"' in header
    assert any("tổng hợp từ 3 đơn vị đã nộp" in t.lower() for t in texts)


def test_every_section_heading(document: Any) -> None:
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == list(SECTIONS)


# ------------------------------------------------------------------ content


def _section(doc: Any, heading: str) -> list[str]:
    """Paragraph texts under the heading that starts with ``heading``, up to the next heading
    of the same or a higher level."""
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text.startswith(heading))
    level = paragraphs[start].style.name
    out = []
    for p in paragraphs[start + 1 :]:
        if p.style.name == level or (level == "Heading 2" and p.style.name == "Heading 1"):
            break
        out.append(p.text)
    return out


def test_reporting_situation_names_the_missing_units(document: Any) -> None:
    paragraphs = [t for t in _section(document, SECTIONS[0]) if t.strip()]
    assert len(paragraphs) <= 2  # one or two paragraphs, not a form
    text = " ".join(paragraphs)
    assert "Số đơn vị phải báo cáo: 5." in text
    assert (
        "Đã nộp: 3 đơn vị (60%), trong đó đúng hạn 2 đơn vị (40%), trễ hạn 1 đơn vị (20%)" in text
    )
    assert "UTC" not in text and "giờ Việt Nam" not in text
    assert "Đơn vị XA_D (quá hạn chưa nộp)" in text and "Đơn vị XA_E (quá hạn chưa nộp)" in text
    assert "Đơn vị XA_A (" not in text


def test_every_narrative_section_is_a_synthesis_with_a_placeholder(
    document: Any, synced: tuple[District, SyncResult]
) -> None:
    schema = synced[0].schema
    narratives = [f for f in schema.fields if f.narrative]
    assert narratives and all(f.id.startswith("kd_") for f in narratives)
    for f in narratives:
        heading = next(p.text for p in document.paragraphs if p.text.endswith(f.label))
        body = [t for t in _section(document, heading) if t.strip()]
        assert body[-1] == PLACEHOLDER  # where the Ban Thường vụ writes its own assessment
        # The three units' texts are the District helper's same sentence: one point, said once.
        assert len(body) >= 2 and re.match(r"- .+ \((tất cả )?\d+ đơn vị[:)].*\.$", body[0])
        assert not any(t.endswith(":") and t.startswith("Đơn vị ") for t in body)
    lessons = _section(
        document,
        next(p.text for p in document.paragraphs if p.text.endswith("Bài học kinh nghiệm")),
    )
    # XA_A's 24,000 characters are not pasted: one unit's point is counted, the text is in
    # the annex.
    assert LONG.strip() not in " ".join(lessons)
    assert any("ý kiến riêng" in t and ANNEX_TITLE in t for t in lessons)


def test_unit_text_stays_plain_text(synced: tuple[District, SyncResult]) -> None:
    # TT_B alone wrote it: the annex holds it, as text; neither document turns it into a link.
    for name in (DRAFT, ANNEX):
        xml = zipfile.ZipFile(synced[0].root / "out" / name).read("word/document.xml").decode()
        assert "<w:hyperlink" not in xml and "<w:fldSimple" not in xml
        assert "<w:instrText" not in xml
    assert "HYPERLINK(&quot;http://evil.example&quot;)" in xml or 'HYPERLINK("http://evil' in xml
    assert clean("a\x0bb\x00c\td") == "abc\td"


def test_limitations_grouped_by_cause_subjective_first(document: Any) -> None:
    body = _section(document, SECTIONS[4])
    groups = [t for t in body if re.match(r"\d+\. Hạn chế do nguyên nhân ", t)]
    assert groups[0] == "1. Hạn chế do nguyên nhân chủ quan"
    assert not any("Loại nguyên nhân" in t or re.search(r"\d+ nội dung\.", t) for t in body)
    # The three units list the same limitation: said once, with its three units.
    rows = [t for t in body if t.startswith("- ")]
    assert rows[0] == "- Công tác tuyên truyền có lúc chưa sâu rộng (tất cả 3 đơn vị)."
    assert any(t.startswith("Nguyên nhân: ") for t in body)
    assert any("Bài học kinh nghiệm" in t for t in body)


def test_counts_table_sums_submitted_units(document: Any) -> None:
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Nội dung")
    rows = {r.cells[1].text: r.cells[2].text for r in table.rows[1:]}
    assert rows["Kiểm tra tổ chức đảng (lượt)"] == "9"  # 3 units × 3, not XA_D's
    assert rows["Đảng viên bị thi hành kỷ luật (tổng số)"] == "6"


def test_recipients_and_signing_block_before_the_appendix(document: Any) -> None:
    foot = document.tables[-2]
    left, right = (c.text for c in foot.rows[0].cells)
    assert left.startswith("Nơi nhận:") and "Ban Thường vụ Tỉnh ủy" in left
    assert left.endswith("Lưu Văn phòng Huyện ủy.")
    assert right.startswith("T/M BAN THƯỜNG VỤ\nBÍ THƯ")


def test_appendix_lists_every_unit(document: Any) -> None:
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells][:3] == ["STT", "Tên đơn vị", "Tình trạng"]
    assert [r.cells[1].text for r in table.rows[1:]] == [
        f"Đơn vị {c}" for c in (*SUBMITTED, "XA_D", "XA_E")
    ]


def test_table_headers_never_break_inside_a_word(document: Any) -> None:
    # Each header word, in bold 10 pt, fits its column with the cell's margins (1.9 mm a side).
    # Arial's widths (fit.text_px) are an upper bound for Times New Roman's.
    margins_mm = 2 * 1.9
    tables = [t for t in document.tables if t.rows[0]._tr.xpath("./w:trPr/w:tblHeader")]
    assert len(tables) >= 3  # the roll-up, the counts and the appendix
    for table in tables:
        for cell in table.rows[0].cells:
            for word in cell.text.split():
                needed = text_px(word, 10, bold=True) * 25.4 / 96 + margins_mm
                assert needed <= cell.width.mm, (word, cell.width.mm)


# ------------------------------------------------------------------ the roll-up, both places


def _sheet_rows(ws: Any) -> tuple[dict[str, int], list[list[Any]]]:
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == "STT")
    col = {h: i for i, h in enumerate(rows[at]) if h}
    body = []
    for r in rows[at + 1 :]:
        if r[0] is None:
            break
        body.append(r)
    return col, body


def test_rollup_table_equals_the_sheet(document: Any, sheet: Any) -> None:
    col, body = _sheet_rows(sheet)
    assert all(h for h in col)  # every header filled in
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Chỉ tiêu")
    drafted = [[c.text for c in r.cells] for r in table.rows[1:] if r.cells[0].text.isdigit()]
    assert len(drafted) == len(body) == 14
    pairs = [
        ("Chỉ tiêu của huyện (NQ đề ra)", 3), ("Kết quả toàn huyện", 4), ("Σ tử số", 5),
        ("Σ mẫu số", 6), ("Số đơn vị báo cáo", 9), ("Số đơn vị đạt/vượt chỉ tiêu của mình", 10),
    ]  # fmt: skip
    for row, cells in zip(body, drafted, strict=True):
        assert cells[1] == row[col["Chỉ tiêu"]] and cells[2] == row[col["Đơn vị tính"]]
        assert cells[8] == row[col["Đánh giá"]]
        for name, i in pairs:
            value = row[col[name]]
            expected = None if value is None else round(value, 2)
            assert _number(cells[i]) == expected, (row[col["Chỉ tiêu"]], name)
        ratio = row[col["Tỷ lệ so với chỉ tiêu"]]
        assert _number(cells[7]) == (None if ratio is None else round(100 * ratio, 1))
    # Group rows, as in the schema.
    groups = [r.cells[0].text for r in table.rows[1:] if not r.cells[0].text.isdigit()]
    assert groups == [  # never Roman numerals inside section II
        "1. Kinh tế",
        "2. Văn hóa - Xã hội",
        "3. Quốc phòng - An ninh",
        "4. Xây dựng Đảng",
    ]


def test_targets_are_assessed_in_each_direction(sheet: Any) -> None:
    col, body = _sheet_rows(sheet)
    by_key = {r[col["Chỉ tiêu"]]: r for r in body}
    schema = load_schema()
    label = {i.key: i.label for i in schema.indicators}

    def get(key: str, name: str) -> Any:
        return by_key[label[key]][col[name]]

    # Higher is better: 96% against 95% is Vượt, against 99% Chưa đạt, against 96% Đạt.
    assert get("bhyt", "Đánh giá") == "Vượt"
    # 96 / 95 = 101,05…%: stored as shown, 101,1% (the draft prints the same).
    assert get("bhyt", "Tỷ lệ so với chỉ tiêu") == 1.011
    assert get("nuoc_sach", "Đánh giá") == "Chưa đạt"
    assert get("lao_dong_dao_tao", "Đánh giá") == "Đạt"
    # Lower is better: (960 + 50) / (1000 + 1000) = 50.5% poor households against 97%: Vượt,
    # ratio target / result.
    assert get("ho_ngheo", "Kết quả toàn huyện") == pytest.approx(50.5)
    assert get("ho_ngheo", "Σ tử số") == 1010 and get("ho_ngheo", "Σ mẫu số") == 2000
    assert get("ho_ngheo", "Tỷ lệ so với chỉ tiêu") == 1.921  # 97 / 50,5 = 192,08…%
    assert get("ho_ngheo", "Đánh giá") == "Vượt"
    assert get("thu_nhap", "Đánh giá") == NO_TARGET
    assert get("thu_nhap", "Tỷ lệ so với chỉ tiêu") is None
    # Counts are numbers; whole numbers have no decimals.
    cell = sheet.cell(
        next(
            i
            for i, r in enumerate(sheet.iter_rows(values_only=True), 1)
            if r[2] == label["ho_ngheo"]
        ),
        col["Σ tử số"] + 1,
    )
    assert cell.number_format == "#,##0" and isinstance(get("bhyt", "Số đơn vị báo cáo"), int)


def test_lower_is_better_short_of_target(synced: tuple[District, SyncResult]) -> None:
    district, result = synced
    run = replace(result.run, targets={"ho_ngheo": 40.0})
    doc = docx.Document(io.BytesIO(draft_bytes(district.schema, result.outcomes, run)))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Chỉ tiêu")
    label = next(i.label for i in district.schema.indicators if i.key == "ho_ngheo")
    row = next(r for r in table.rows if r.cells[1].text == label)
    assert row.cells[8].text == "Chưa đạt" and row.cells[7].text == "79,2%"  # 40 / 50.5


def test_chart_inside_the_print_area(synced: tuple[District, SyncResult], sheet: Any) -> None:
    archive = zipfile.ZipFile(synced[0].root / "out" / "tong-hop.xlsx")
    sheet_xml = archive.read("xl/worksheets/sheet2.xml").decode()  # "Toàn huyện" is second
    assert "<drawing" in sheet_xml
    rels = archive.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
    target = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', rels)
    assert target is not None
    anchor = archive.read(f"xl/drawings/{target.group(1)}").decode()
    rows = [int(r) for r in re.findall(r"<xdr:row>(\d+)</xdr:row>", anchor)]
    area = sheet.print_area
    last_row = int(re.findall(r"\$(\d+)", area)[-1])
    assert rows and max(rows) + 1 <= last_row
    # The bars' labels carry the table's decimal: at "0%" a 99,7% short of target read 100%.
    drawing_rels = archive.read(f"xl/drawings/_rels/{target.group(1)}.rels").decode()
    chart = re.search(r'Target="\.\./charts/(chart\d+\.xml)"', drawing_rels)
    assert chart is not None
    chart_xml = archive.read(f"xl/charts/{chart.group(1)}").decode()
    labels = re.search(r"<c:dLbls>.*?</c:dLbls>", chart_xml, re.S)
    assert labels is not None and 'formatCode="0.0%"' in labels.group(0)


def _chart_label_format(workbook: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(workbook))
    charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    xml = next(x for x in map(archive.read, charts) if "Tỷ lệ so với chỉ tiêu".encode() in x)
    found = re.search(r'<c:dLbls>.*?formatCode="([^"]+)"', xml.decode(), re.S)
    assert found is not None
    return found.group(1)


def test_chart_labels_never_round_a_shortfall_to_100(synced: tuple[District, SyncResult]) -> None:
    """96% typed against a target of 96.02%: 99,98% and Chưa đạt; a one-decimal label would
    read 100,0%, so the labels take the decimals the table takes."""
    district, result = synced
    for targets, expected in (({"bhyt": 96.02}, "0.00%"), ({"bhyt": 95.0}, "0.0%")):
        buffer = io.BytesIO()
        write_workbook(
            buffer, district.schema, result.outcomes, replace(result.run, targets=targets)
        )
        assert _chart_label_format(buffer.getvalue()) == expected


# ------------------------------------------------------------------ writing


def test_same_input_same_bytes_and_pinned_times(synced: tuple[District, SyncResult]) -> None:
    district, result = synced
    first = draft_bytes(district.schema, result.outcomes, result.run)
    assert first == draft_bytes(district.schema, result.outcomes, result.run)
    props = docx.Document(io.BytesIO(first)).core_properties
    assert props.created == props.modified == AS_OF


def test_a_new_narrative_field_appears_without_code(synced: tuple[District, SyncResult]) -> None:
    result = synced[1]
    text = resources.files("sheets_schema").joinpath("midterm_2020_2025.toml").read_text("utf-8")
    extra = """
  [[tab.field]]
  id = "kd_chuyen_doi_so"
  label = "Chuyển đổi số trong hoạt động của cấp ủy"
  type = "text"
  narrative = true
"""
    at = text.index(
        "# ---------------------------------------------------------------- Kiểm tra giám sát"
    )
    schema: Schema = parse_schema(text[:at] + extra + text[at:])
    outcomes = []
    for o in result.outcomes:
        if o.report is not None:
            text = f"Số hóa hồ sơ đảng viên của {o.unit.name}, đạt 100%."
            report = replace(o.report, values={**o.report.values, "kd_chuyen_doi_so": text})
            o = replace(o, report=report)
        outcomes.append(o)
    doc = docx.Document(io.BytesIO(draft_bytes(schema, outcomes, result.run)))
    body = _section(
        doc,
        next(
            p.text
            for p in doc.paragraphs
            if p.text.endswith("Chuyển đổi số trong hoạt động của cấp ủy")
        ),
    )
    assert body == [
        "- Số hóa hồ sơ đảng viên của (tên đơn vị), đạt 100% (tất cả 3 đơn vị).",
        PLACEHOLDER,
    ]


def test_draft_archived_when_it_changes(
    synced: tuple[District, SyncResult], tmp_path: Path
) -> None:
    district = District(tmp_path / "again", synced[0].schema)
    district.add("XA_A")
    district.save("XA_A", district.values("XA_A"), datetime(2023, 3, 20, tzinfo=VN))
    district.sync(datetime(2023, 3, 21, 9, tzinfo=VN))
    out = district.root / "out"
    before = (out / DRAFT).read_bytes()
    district.sync(datetime(2023, 3, 21, 9, 30, tzinfo=VN))  # nothing changed: kept as it was
    assert not (out / "archive").exists() or not list((out / "archive").glob("bao-cao-*"))
    with (district.root / "tonghop.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[targets]\nbhyt = 90.0\n")  # a new target changes what the draft shows
    district.sync(datetime(2023, 3, 21, 10, tzinfo=VN))
    archived = list((out / "archive").glob("bao-cao-tong-hop-*.docx"))
    assert len(archived) == 1 and archived[0].read_bytes() == before
    assert (out / DRAFT).read_bytes() != before


# ------------------------------------------------------------------ configuration


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "[targets]\nbhyt_x = 95.0\n",
            "[targets] bhyt_x không phải chỉ tiêu của mẫu midterm_2020_2025 (có phải ý bạn là bhyt?)",
        ),
        (
            '[targets]\nbhyt = "95%"\n',
            '[targets] bhyt phải là số, không có ngoặc kép, ví dụ bhyt = 95.0 (đang ghi chữ "95%")',
        ),
        ("[targets]\nbhyt = true\n", "[targets] bhyt phải là số"),
        ("[targets]\nbhyt = nan\n", "[targets] bhyt phải là một số hữu hạn"),
        ("[district]\nname = 5\n", "[district] name phải là chữ trong ngoặc kép"),
        ('[district]\nnam = "HUYỆN ỦY"\n', "không có khóa [district] nam (có phải ý bạn là name?)"),
    ],
)
def test_bad_targets_and_district_are_config_errors(
    tmp_path: Path, section: str, message: str
) -> None:
    district = District(tmp_path / "bad", load_schema())
    district.add("XA_A")
    with (district.root / "tonghop.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n" + section)
    with pytest.raises(ConfigError) as caught:
        load_config(district.root / "tonghop.toml", env={})
    assert message in str(caught.value)


def test_targets_and_district_are_read(synced: tuple[District, SyncResult]) -> None:
    config = synced[0].config
    assert config.district.place == "Vĩnh Lợi" and config.district.parent == "ĐẢNG BỘ TỈNH BẠC LIÊU"
    assert dict(config.targets) == {"bhyt": 95.0, "nuoc_sach": 99.0, "lao_dong_dao_tao": 96.0,
                                    "ho_ngheo": 97.0, "giao_quan": 95.5}  # fmt: skip


# ------------------------------------------------------------------ rendered


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_draft_renders_to_pdf(synced: tuple[District, SyncResult], tmp_path: Path) -> None:
    source = synced[0].root / "out" / DRAFT
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdf = (tmp_path / DRAFT).with_suffix(".pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 4  # heading page, landscape indicators, narratives…, appendix


def test_doctor_names_indicators_without_a_target(synced: tuple[District, SyncResult]) -> None:
    from jobs.commands.doctor import run_doctor

    check = next(c for c in run_doctor(synced[0].config) if c.name == "Chỉ tiêu của huyện")
    assert check.ok and check.detail.startswith("5/14 chỉ tiêu có chỉ tiêu của huyện")
    assert "tang_truong" in check.detail and "bhyt," not in check.detail


def test_draft_thresholds_are_read_and_checked(tmp_path: Path) -> None:
    district = District(tmp_path / "cfg", load_schema())
    district.add("XA_A")
    toml = district.root / "tonghop.toml"
    base = toml.read_text("utf-8")
    toml.write_text(base + "\n[draft]\nsimilarity = 0.8\nmin_units = 3\n", "utf-8")
    config = load_config(toml, env={})
    assert dict(config.draft) == {"similarity": 0.8, "min_units": 3}
    assert Settings.of(config.draft) == Settings(similarity=0.8, min_units=3)
    for bad, message in (
        ("similarity = 2", "[draft] similarity phải là một số lớn hơn 0 và không quá 1"),
        ('similarity = "0.6"', "[draft] similarity phải là một số"),
        ("min_units = 0", "[draft] min_units phải là số nguyên từ 1 trở lên"),
        ("similarty = 0.6", "không có khóa [draft] similarty (có phải ý bạn là similarity?)"),
    ):
        toml.write_text(base + f"\n[draft]\n{bad}\n", "utf-8")
        with pytest.raises(ConfigError) as caught:
            load_config(toml, env={})
        assert message in str(caught.value)
