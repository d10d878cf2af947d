"""The template's own checks survive LibreOffice, and its progress line agrees with the checker.

Needs `soffice` (skipped when absent); each test uses a private LibreOffice profile so that
concurrent runs never share one.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jobs.commands.cli import main as tonghop
from sheets_schema import Schema, UnitInfo, render_template
from sheets_schema.model import OWN_NAMES, PROGRESS_NAME
from tests.helpers import typed_workbook, valid_values

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def convert(files: list[Path], out: Path, profile: Path, target: str = "xlsx") -> list[Path]:
    """Open each file in LibreOffice and save it again (which recalculates every formula)."""
    out.mkdir(exist_ok=True)
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", target, "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    done = [out / f"{f.stem}.{target}" for f in files]
    assert all(p.exists() for p in done), f"LibreOffice wrote {sorted(out.iterdir())}"
    return done


def summary(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        kinds = Counter(dv.type or "any" for dv in ws.data_validations.dataValidation)
        styles = Counter(dv.errorStyle or "stop" for dv in ws.data_validations.dataValidation)
        cf = sum(len(r.rules) for r in ws.conditional_formatting)
        sheets[ws.title] = (dict(kinds), dict(styles), cf, ws.print_title_rows)
    sheet, ref = next(iter(wb.defined_names[PROGRESS_NAME].destinations))
    return {
        "names": set(wb.defined_names),
        "sheets": sheets,
        "progress": wb[sheet][ref.replace("$", "")].value,
    }


def test_checks_survive_a_libreoffice_round_trip(schema: Schema, tmp_path: Path) -> None:
    files = []
    for name, unit in [("blank", None), ("unit", UnitInfo("XA_A", "Đảng bộ xã A", "xa"))]:
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(render_template(schema, unit))
        files.append(path)
    for before, after in zip(files, convert(files, tmp_path / "out", tmp_path / "lo"), strict=True):
        a, b = summary(before), summary(after)
        assert set(OWN_NAMES) | set(schema.names) <= b["names"]
        assert a["names"] <= b["names"]
        for title, (kinds, styles, cf, titles) in a["sheets"].items():
            if title == "Danh mục":
                continue  # the hidden lists: nothing to check there
            assert b["sheets"][title][0] == kinds, title  # every validation, of its kind
            assert b["sheets"][title][1] == styles, title  # still warnings only
            assert b["sheets"][title][2] == cf, title  # every red-cell rule
            assert b["sheets"][title][3] == titles, title
        assert str(b["progress"]).startswith('="Đã nhập "&_da_nhap&"/"&_can_nhap&"')


def _check_counts(path: Path, capsys: pytest.CaptureFixture[str], unit: str) -> tuple[int, int]:
    """x/y from `tonghop check` (the parser's completeness), as a person would run it."""
    code = tonghop(["check", str(path), "--unit", unit])
    text = " ".join(capsys.readouterr().out.split())
    assert code in (0, 1), text
    m = re.search(r"\((\d+)/(\d+) mục\)", text)
    assert m, text
    return int(m.group(1)), int(m.group(2))


def test_progress_line_after_libreoffice_recalculates_matches_the_checker(
    schema: Schema, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases: dict[str, tuple[bytes, str, bool]] = {}
    # A valid, signed-off report of a xã, typed into its prefilled copy.
    xa = valid_values(schema)
    cases["xa"] = (typed_workbook(schema, xa, UnitInfo("XA_VINH_HUNG", "Xã", "xa")), "xa", True)
    # A valid office report typed into the blank template: the type comes from tt_loai_hinh.
    office = valid_values(schema, "co_quan", "CQ_VP")
    cases["office"] = (typed_workbook(schema, office), "co_quan", True)
    # Not signed yet; an indicator not applicable and a forecast that needs a note: y grows.
    na = dict(xa)
    na["tt_xac_nhan"] = "Không"
    na["ct_thu_nhap_kq"] = "Không áp dụng"
    na["ct_thu_nhap_ghi_chu"] = "Địa bàn không thống kê riêng."
    na["ct_bhyt_du_bao"] = "Khó đạt"
    na["ct_bhyt_ghi_chu"] = "Dân số biến động."
    cases["na"] = (typed_workbook(schema, na, UnitInfo("XA_VINH_HUNG", "Xã", "xa")), "xa", False)
    # A required cell left empty: the line counts one fewer, as the checker does.
    gap = dict(xa)
    del gap["kd_bai_hoc"]
    cases["gap"] = (typed_workbook(schema, gap, UnitInfo("XA_VINH_HUNG", "Xã", "xa")), "xa", True)
    files = []
    for name, (data, _type, _signed) in cases.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        files.append(path)
    recalculated = convert(files, tmp_path / "out", tmp_path / "lo")
    seen = {}
    for (name, (_data, _type, signed)), source, done in zip(
        cases.items(), files, recalculated, strict=True
    ):
        wb = openpyxl.load_workbook(io.BytesIO(done.read_bytes()), data_only=True)
        sheet, ref = next(iter(wb.defined_names[PROGRESS_NAME].destinations))
        line = str(wb[sheet][ref.replace("$", "")].value)
        m = re.match(
            r"Đã nhập (\d+)/(\d+) mục bắt buộc \(chỉ đếm [^)]*\)\. (Đã chọn|Chưa xác nhận)", line
        )
        assert m, line
        unit = "CQ_VP" if name == "office" else "XA_VINH_HUNG"
        assert (int(m.group(1)), int(m.group(2))) == _check_counts(source, capsys, unit), name
        assert (m.group(3) == "Đã chọn") is signed, line
        # The count is not an acceptance: the line says the district's check decides.
        assert not signed or "Huyện ủy kiểm tra lại" in line, line
        seen[name] = (int(m.group(1)), int(m.group(2)))
    assert seen["office"][1] < seen["xa"][1]  # indicators of a xã do not apply to an office
    assert seen["gap"] == (seen["xa"][0] - 1, seen["xa"][1])


def test_blank_and_prefilled_templates_print_one_page_wide(schema: Schema, tmp_path: Path) -> None:
    blank, prefilled = tmp_path / "mau-trong.xlsx", tmp_path / "mau-xa.xlsx"
    blank.write_bytes(render_template(schema))
    prefilled.write_bytes(render_template(schema, UnitInfo("XA_VINH_HUNG", "Đảng bộ xã Vĩnh Hưng", "xa")))  # fmt: skip
    pdfs = convert([blank, prefilled], tmp_path / "pdf", tmp_path / "lo", target="pdf")
    for source, pdf in zip((blank, prefilled), pdfs, strict=True):
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))
        wb = openpyxl.load_workbook(source, read_only=True)
        shown = [ws for ws in wb.worksheets if ws.sheet_state != "hidden"]
        rows = sum(ws.max_row or 0 for ws in shown)
        # Every sheet starts a page; one page wide means the pages grow with the rows only.
        assert len(shown) <= pages <= len(shown) + rows // 8, (source.name, pages)
