"""The annotated copy made by editing the package's XML: what changes, what stays byte for byte."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.comments import Comment

from jobs.outputs.feedback import ERROR_FILL, WARNING_FILL, annotate_workbook
from jobs.outputs.xlsx_marks import MAIN, Mark, Package
from sheets_schema import Finding, Severity
from sheets_schema.findings import Code
from tests.jobs.district import District
from tests.jobs.test_sync import at


def finding(tab: str, cell: str, severity: Severity = Severity.ERROR, msg: str = "Sai") -> Finding:
    return Finding(severity, Code.NOT_A_NUMBER, tab, cell, "", msg)


def plain_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws["B2"] = "mười"
    ws["D2"] = 4
    ws["B5"] = "=D2*2"
    ws.merge_cells("F3:G4")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_missing_cells_and_rows_are_created_in_order() -> None:
    data = plain_workbook()
    found = [finding("Số liệu", "C2"), finding("Số liệu", "A4", Severity.WARNING),
             finding("Số liệu", "B2"), finding("Số liệu", "G4", msg="Ô gộp")]  # fmt: skip
    out = annotate_workbook(data, found)
    wb = openpyxl.load_workbook(io.BytesIO(out))
    ws = wb["Số liệu"]
    assert ws["C2"].fill.fgColor.rgb.endswith(ERROR_FILL) and ws["C2"].value is None
    assert ws["A4"].fill.fgColor.rgb.endswith(WARNING_FILL)
    assert ws["B2"].value == "mười" and ws["B2"].comment is not None
    # A cell inside a merged range is marked on the range's top-left cell.
    assert ws["F3"].comment is not None and "Ô gộp" in ws["F3"].comment.text
    sheet = etree.fromstring(parts(out)["xl/worksheets/sheet1.xml"])
    rows = [int(r.get("r")) for r in sheet.iter(f"{{{MAIN}}}row")]
    assert rows == sorted(rows) and len(rows) == len(set(rows))
    for row in sheet.iter(f"{{{MAIN}}}row"):
        cols = [openpyxl.utils.cell.coordinate_from_string(c.get("r"))[0] for c in row]
        idx = [openpyxl.utils.column_index_from_string(c) for c in cols]
        assert idx == sorted(idx) and len(idx) == len(set(idx))


def test_only_styles_marked_sheets_and_their_links_change(district: District) -> None:
    district.add("XA_A")
    path = district.save("XA_A", district.values("XA_A", ks_kl_dang_vien=7), at(20))
    data = path.read_bytes()
    titles = openpyxl.load_workbook(path).sheetnames
    out = annotate_workbook(data, [finding(titles[1], "C8"), finding("", "")])
    before, after = parts(data), parts(out)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed == {"[Content_Types].xml", "xl/styles.xml", "xl/worksheets/sheet1.xml",
                       "xl/worksheets/sheet2.xml"}  # fmt: skip
    added = set(after) - set(before)
    assert {n.rsplit("/", 1)[0] for n in added} == {"xl/comments", "xl/drawings",
                                                    "xl/worksheets/_rels"}  # fmt: skip


def test_a_sheet_with_its_own_comments_keeps_them() -> None:
    """Ours are merged into the sheet's own comments part and drawing, in place."""
    wb = openpyxl.load_workbook(io.BytesIO(plain_workbook()))
    wb["Số liệu"]["B2"].comment = Comment("Ghi chú của đơn vị", "Chi bộ")
    buf = io.BytesIO()
    wb.save(buf)
    with Package(buf.getvalue()) as pkg:
        data = pkg.mark({"Số liệu": [Mark(2, 2, ERROR_FILL, "Sai"), Mark(3, 3, None, "Mới")]},
                        "Văn phòng")  # fmt: skip
    ws = openpyxl.load_workbook(io.BytesIO(data))["Số liệu"]
    note = ws["B2"].comment.text
    assert note.startswith("Sai") and note.endswith("Ghi chú của đơn vị")
    assert ws["C3"].comment.text == "Mới" and ws["B2"].fill.fgColor.rgb.endswith(ERROR_FILL)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not any("tonghop" in n for n in names)  # no second comments part: Excel allows one
    out = openpyxl.load_workbook(io.BytesIO(annotate_workbook(buf.getvalue(), [finding("Số liệu", "B2")])))  # fmt: skip
    note = out["Số liệu"]["B2"].comment.text
    assert note.startswith("Lỗi: Sai") and "Ghi chú của đơn vị" in note


def test_text_xml_cannot_hold_is_replaced_not_fatal() -> None:
    out = annotate_workbook(plain_workbook(), [finding("Số liệu", "B2", msg="giá trị “a\x01b”")])
    note = openpyxl.load_workbook(io.BytesIO(out))["Số liệu"]["B2"].comment.text
    assert "a?b" in note


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_fills_and_comments(tmp_path: Path) -> None:
    src = tmp_path / "ban-sao.xlsx"
    src.write_bytes(annotate_workbook(plain_workbook(), [finding("Số liệu", "B2", msg="Nhập số")]))
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "lo-out"), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    ws = openpyxl.load_workbook(tmp_path / "lo-out" / "ban-sao.xlsx")["Số liệu"]
    assert ws["B2"].value == "mười" and "Nhập số" in ws["B2"].comment.text
    assert ws["B2"].fill.fgColor.rgb.endswith(ERROR_FILL)


@pytest.fixture
def district(tmp_path: Path, schema: object) -> District:
    return District(tmp_path / "district", schema)  # type: ignore[arg-type]
