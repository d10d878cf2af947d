"""The demo district of `make sync`, synced for real: the annex holds every unit's texts
exactly once; the body says each point once, names only units that wrote it, reads as a
report (no form labels) and fits in 30 pages when LibreOffice renders it."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest

from jobs.config import load_config
from jobs.demo import DEMO_AS_OF, make_demo
from jobs.job import SyncOptions, SyncResult, run_sync
from jobs.outputs.annex import ANNEX, annex_bytes
from jobs.outputs.cells import FULL_TEXT_FILE
from jobs.outputs.draft import DRAFT, SECTIONS, narrative_fields
from jobs.outputs.draft_points import PLACEHOLDER
from jobs.outputs.rollup import submitted_reports
from jobs.outputs.synthesis import NAME_MASK, NUMBER_MASK, find_points, match_key
from sync.excel import ExcelFolderSource

FORM_WORDS = re.compile(
    r"Loại nguyên nhân:|\d+ nội dung\.|UTC|giờ Việt Nam|\b(?:kd|ct|ks|hc|tt)_[a-z_]+"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SyncResult]:
    folder = tmp_path_factory.mktemp("annex") / "demo"
    make_demo(folder, workers=1)  # the district `make sync` builds
    config = load_config(folder / "tonghop.toml", env={})
    assert config.source.folder is not None
    options = SyncOptions(as_of=datetime.fromisoformat(DEMO_AS_OF), out_dir=folder / "out")
    return folder / "out", run_sync(config, ExcelFolderSource(config.source.folder), options)


def _blocks(document: Any) -> dict[tuple[str, str], list[str]]:
    """The annex read back: (section heading, unit name) → its paragraphs, in order."""
    out: dict[tuple[str, str], list[str]] = {}
    section = unit = ""
    for p in document.paragraphs:
        if p.style.name == "Heading 1":
            section, unit = p.text, ""
        elif section and p.runs and p.runs[0].bold and p.text.endswith(":"):
            unit = p.text[:-1]
            assert (section, unit) not in out, f"{unit} twice under {section}"
            out[(section, unit)] = []
        elif section and unit and p.text.strip():
            out[(section, unit)].append(p.text)
    return out


def test_annex_holds_every_sentence_of_every_submitted_unit_once(
    demo: tuple[Path, SyncResult],
) -> None:
    out, result = demo
    assert FULL_TEXT_FILE == ANNEX  # where the workbook's cut cells say the whole text is
    schema = load_config_schema(result)
    blocks = _blocks(docx.Document(str(out / ANNEX)))
    units = list(submitted_reports(result.outcomes))
    assert len(units) >= 20
    fields = [f for place in (2, 4, 5) for f in narrative_fields(schema, place)]
    for n, f in enumerate(fields, start=1):
        heading = f"{n}. {f.label}"
        named = [name for (section, name) in blocks if section == heading]
        wrote = [o.unit.name for o, r in units if str(r.values.get(f.id) or "").strip()]
        assert named == wrote  # roster order, submitted units only, each once
        for o, r in units:
            if o.unit.name in wrote:
                lines = [x.strip() for x in str(r.values[f.id]).split("\n") if x.strip()]
                assert blocks[(heading, o.unit.name)] == lines  # whole, in order, once
    # The limitations table: each row's limitation under its unit, once.
    table = next(t for t in schema.tabs if t.table is not None)
    heading = f"{len(fields) + 1}. {table.heading.capitalize()}"
    for o, r in units:
        rows = r.values.get(table.table.name) or []  # type: ignore[union-attr]
        if rows:
            lines = blocks[(heading, o.unit.name)]
            assert [x for x in lines if x.startswith("– ")] == [
                f"– {row['han_che']}" for row in rows
            ]


def test_annex_same_input_same_bytes(demo: tuple[Path, SyncResult]) -> None:
    _, result = demo
    schema = load_config_schema(result)
    first = annex_bytes(schema, result.outcomes, result.run)
    assert first == annex_bytes(schema, result.outcomes, result.run)


def load_config_schema(result: SyncResult) -> Any:
    from sheets_schema.loader import load_schema

    return load_schema(result.run.schema_id)


def _body(out: Path) -> list[Any]:
    return docx.Document(str(out / DRAFT)).paragraphs


ACTOR = "(?i:ban chấp hành đảng bộ|ban thường vụ đảng ủy|đảng ủy|chi ủy|cấp ủy|đảng bộ|chi bộ)"


def test_body_points_name_only_units_that_wrote_them(demo: tuple[Path, SyncResult]) -> None:
    out, result = demo
    schema = load_config_schema(result)
    paragraphs = _body(out)
    units = list(submitted_reports(result.outcomes))
    by_name = {o.unit.name: (o, r) for o, r in units}
    by_code = {o.unit.code: r for o, r in units}
    checked = 0
    for place in (2, 4, 5):
        for f in narrative_fields(schema, place):
            start = next(i for i, p in enumerate(paragraphs) if p.text.endswith(f.label))
            texts = [
                (o.unit.code, o.unit.name, str(r.values[f.id]))
                for o, r in units
                if str(r.values.get(f.id) or "").strip()
            ]
            points = {p.text.rstrip("."): p for p in find_points(texts)}
            for para in paragraphs[start + 1 :]:
                if para.text == PLACEHOLDER:
                    break
                found = re.match(r"- (.+) \((?:tất cả )?(\d+) đơn vị(?:: (.+))?\)\.$", para.text)
                if not found:
                    continue
                text, count, names = found.group(1), int(found.group(2)), found.group(3)
                listed = re.sub(r" và \d+ đơn vị khác$", "", names or "").split("; ")
                listed = [n for n in listed if n] or [name for _, name, _ in texts]
                assert len(listed) <= count
                point = points[text.rstrip(".")]
                assert len(point.units) == count
                # Independently of the grouping: every unit named wrote a sentence like it.
                pattern = re.escape(text).replace(re.escape(NAME_MASK), ".+")
                pattern = pattern.replace(re.escape(NUMBER_MASK), r"[\d.,/]+")
                # A committee or party body the units name differently is said generically.
                for generic in ("Cấp ủy", "cấp ủy", "Tổ chức đảng", "tổ chức đảng"):
                    pattern = pattern.replace(re.escape(generic), ACTOR)
                for name in listed:
                    _, report = by_name[name]
                    own = str(report.values[f.id])
                    keys = [match_key(s, name) for s in re.split(r"(?<=[.!?])\s+|\n", own)]
                    # Shared syllables (Jaccard): blind to reordered clauses, unlike the TF-IDF.
                    target = set(match_key(text, name).split())
                    best = max(
                        len(target & set(k.split())) / len(target | set(k.split())) for k in keys
                    )
                    assert best >= 0.45, (name, text, best)
                    checked += 1
                # The wording is a real sentence of one of the point's units.
                written = [str(by_code[u].values[f.id]) for u in point.units]
                assert any(re.search(pattern, own) for own in written), text
    assert checked > 100


def test_body_says_each_sentence_once_in_report_words(demo: tuple[Path, SyncResult]) -> None:
    out, _ = demo
    paragraphs = [p.text for p in _body(out)]
    said = [t for t in paragraphs if t.startswith("- ")]
    said += [t for t in paragraphs if t.startswith(("Nguyên nhân: ", "Giải pháp"))]
    assert len(said) > 50
    twice = [t for t, n in Counter(said).items() if n > 1]
    assert twice == []
    text = "\n".join(paragraphs)
    assert FORM_WORDS.search(text) is None, FORM_WORDS.search(text)
    assert " – ".join(SECTIONS[:6]) == " – ".join(
        t for t in paragraphs if t in SECTIONS[:6]
    )  # every section, in order


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_demo_body_fits_in_30_pages_and_the_annex_renders(
    demo: tuple[Path, SyncResult], tmp_path: Path
) -> None:
    out, _ = demo
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out / DRAFT), str(out / ANNEX)],
        check=True, capture_output=True, timeout=400,
    )  # fmt: skip

    def pages(name: str) -> int:
        pdf = (tmp_path / name).with_suffix(".pdf").read_bytes()
        return len(re.findall(rb"/Type\s*/Page[^s]", pdf))

    assert 8 <= pages(DRAFT) <= 30
    assert pages(ANNEX) > pages(DRAFT)  # the whole texts are longer than their synthesis
