"""Write the run's outputs: the workbook, status.json, values.csv and findings.csv.

Each file is written whole to a temporary name in the same folder and renamed into place, so a
reader never sees half a file and a failed run leaves the previous outputs as they were.

status.json is rewritten every run. The other artefacts (``ARTEFACTS``: the workbook and the two
CSV files, and whatever else a run renders) are rewritten only when something they show has
changed — a unit's data, status, submission or message, the day (the countdown), the deadline,
the version of the code that draws them — so a run where nothing changed costs almost nothing
and a workbook someone has open is not replaced for nothing. The workbook's Nhật ký then shows the last run that changed it;
status.json always shows the latest run.

What they show is summed up in a fingerprint kept in a stamp file. The artefacts form one
generation: the stamp is removed before the first of them is replaced and written again only
after the last one (and status.json) is in place. A run killed anywhere in between leaves no
stamp, so the next run rewrites every artefact; temporary files a killed run left behind are
removed at the start of the next one.

A file a person edited (the workbook, the Word documents) is never replaced: ``edits`` tells
whose each file is, and ``placing`` writes the generation beside it, archives what the job
replaces and prunes the archive.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sheets_schema import Code, Finding, Schema, Severity

from ..model import RunInfo, Status, UnitOutcome
from ..oserrors import os_reason
from .annex import ANNEX, annex_bytes
from .atomic import OutputError, atomic_write
from .draft import DRAFT, draft_bytes
from .edits import (
    Holder,
    MemoryLedger,
    OutputLedger,
    Placement,
    announce,
    kept_outputs,
    survey,
)
from .feedback import FEEDBACK_DIR, SnapshotLookup, write_feedback
from .placing import ARCHIVE, Artefact, archive_replaced, forget_superseded, write_generation
from .status_table import inactive_reason
from .workbook import write_workbook

log = logging.getLogger("tonghop.outputs")
WORKBOOK = "tong-hop.xlsx"
STATUS_JSON = "status.json"
FINGERPRINT = ".tong-hop.fingerprint"
# A spreadsheet program opening a CSV runs a cell starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What atomic_write leaves behind when it is killed: ".<name>.<pid>.tmp".
_TEMP = re.compile(r"^\..+\.\d+\.tmp$")
_BOM = "\ufeff"


def _renderer_digest() -> str:
    # The writers' own code: a new version of tonghop that draws the outputs differently makes
    # the next run rewrite them once, even when no unit's data changed.
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


RENDERER = _renderer_digest()


@dataclass
class Generation:
    """What the renders of one run share."""

    out_dir: Path
    schema: Schema
    outcomes: list[UnitOutcome]
    run: RunInfo
    truncations: list[tuple[str, Finding]]


def artefacts(gen: Generation) -> list[Artefact]:
    """Every output rewritten together when what they show changes (status.json aside).

    To add an output, add one entry here; write_outputs writes, stamps and cleans it up.
    """

    def workbook() -> bytes:
        buffer = io.BytesIO()
        gen.truncations.extend(write_workbook(buffer, gen.schema, gen.outcomes, gen.run,
                                              link_base=gen.out_dir))  # fmt: skip
        return buffer.getvalue()

    def findings() -> bytes:
        found = [(o.unit.code, f) for o in gen.outcomes for f in unit_findings(o)]
        found += gen.truncations  # collected by the workbook's render, which runs first
        return findings_csv(found).encode("utf-8")

    return [
        Artefact(WORKBOOK, workbook, editable=True),
        Artefact(DRAFT, lambda: draft_bytes(gen.schema, gen.outcomes, gen.run), editable=True),
        Artefact(ANNEX, lambda: annex_bytes(gen.schema, gen.outcomes, gen.run), editable=True),
        Artefact("values.csv", lambda: values_csv(gen.outcomes, gen.schema).encode("utf-8")),
        Artefact("findings.csv", findings),
    ]


def write_outputs(out_dir: Path, schema: Schema, outcomes: list[UnitOutcome], run: RunInfo,
                  archive_keep: int = 10, snapshot_of: SnapshotLookup | None = None,
                  ledger: OutputLedger | None = None) -> dict[str, Path]:  # fmt: skip
    """Write the run's outputs into ``out_dir`` as one generation; return their paths by name
    (where each output's current generation is: beside a kept file, see ``edits``).

    ``snapshot_of`` (content hash → kept file) lets each Excel unit with findings get its
    annotated copy in ``phan-hoi/``; without it that folder is left alone. Those copies are
    written one by one (each atomically, each only when its file or findings changed) before
    the generation, since each depends on its own unit alone. ``ledger`` remembers what the
    job wrote, so that a file a person edited is told apart (the state; without it, only for
    this call). ``run.kept_outputs`` is set to the files left in place.
    """
    ledger = ledger if ledger is not None else MemoryLedger()
    gen = Generation(out_dir, schema, outcomes, run, [])
    items = artefacts(gen)
    status_path = out_dir / STATUS_JSON
    remove_leftovers({out_dir, out_dir / ARCHIVE, out_dir / FEEDBACK_DIR,
                      *((out_dir / item.name).parent for item in items)})  # fmt: skip
    if snapshot_of is not None:
        write_feedback(out_dir / FEEDBACK_DIR, outcomes, snapshot_of)
    stamp = out_dir / FINGERPRINT
    places = _survey(out_dir, items, ledger, stamp, run)
    run.kept_outputs = kept_outputs(out_dir, places)
    digest = fingerprint(schema, outcomes, run)
    current = {name: place.current() for name, place in places.items()}
    if _stamp(stamp) == digest and status_path.exists() and all(current.values()):
        announce(run.kept_outputs, out_dir, ledger, run.run_id)
        atomic_write(status_path, _bytes(status_json(outcomes, run).encode("utf-8")))
        log.debug("nội dung bảng tổng hợp không đổi: giữ nguyên “%s”", current[WORKBOOK])
        return {**{n: p for n, p in current.items() if p}, STATUS_JSON: status_path}
    targets = {name: place.target(run.as_of) for name, place in places.items()}
    run.kept_outputs = kept_outputs(out_dir, places, targets)
    announce(run.kept_outputs, out_dir, ledger, run.run_id)
    # From here until the new stamp, the folder may hold two generations: no stamp says so.
    try:
        stamp.unlink(missing_ok=True)
        _sync_dir(out_dir)
    except OSError as exc:
        raise OutputError(f"không xóa được {stamp}: {os_reason(exc)}") from exc
    for item in items:
        if item.editable and archive_keep > 0:
            archive_replaced(places[item.name], targets[item.name], item.name, out_dir)
    written = write_generation(items, places, targets, ledger, run, out_dir)
    _sync_dir(out_dir)
    status = status_json(outcomes, run).encode("utf-8")
    atomic_write(status_path, _bytes(status))
    for item in items:
        forget_superseded(
            item, places[item.name], written[item.name], out_dir, archive_keep, ledger
        )
    # A generation beside a file that was held open is not the usual one: no stamp, so the
    # next run writes again and tries the usual names.
    if all(path == places[n].main or places[n].holder is Holder.PERSON for n, path in written.items()):  # fmt: skip
        atomic_write(stamp, lambda fh: fh.write(digest.encode("ascii")))
    return {**written, STATUS_JSON: status_path}


def _survey(out_dir: Path, items: list[Artefact], ledger: OutputLedger, stamp: Path,
            run: RunInfo) -> dict[str, Placement]:  # fmt: skip
    """Whose each output's files are; a file adopted after an upgrade is recorded as the job's."""

    def unchanged_since_stamp(path: Path) -> bool:
        # Nothing recorded (the first run of this version): the stamp is written after the last
        # file of a complete generation, so a file no newer than it was not saved since.
        try:
            return path.stat().st_mtime_ns <= stamp.stat().st_mtime_ns
        except OSError:
            return False

    places = {}
    for item in items:
        place = survey(out_dir / item.name, ledger.written_outputs(item.name), item.editable,
                       unchanged_since_stamp)  # fmt: skip
        if place.adopted and place.digest:
            ledger.record_output(item.name, place.digest, run.run_id - 1)
        places[item.name] = place
    return places


def remove_leftovers(folders: Iterable[Path]) -> list[Path]:
    """Delete the temporary files (``.<name>.<pid>.tmp``) killed runs left in our folders."""
    removed: list[Path] = []
    for folder in sorted(set(folders)):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if _TEMP.match(path.name) and path.is_file() and not path.is_symlink():
                try:
                    path.unlink()
                except OSError as exc:
                    log.warning("không xóa được tệp tạm còn sót “%s”: %s", path, os_reason(exc))
                    continue
                removed.append(path)
    if removed:
        log.info("đã xóa %d tệp tạm do lần chạy bị dừng giữa chừng để lại: %s", len(removed),
                 ", ".join(str(p) for p in removed[:3]))  # fmt: skip
    return removed


def _bytes(data: bytes) -> Callable[[Any], Any]:
    return lambda fh: fh.write(data)


def _stamp(path: Path) -> str | None:
    try:
        return path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _sync_dir(folder: Path) -> None:
    """Make the renames in ``folder`` durable, where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the renames still happened
    finally:
        os.close(fd)


def unit_findings(outcome: UnitOutcome) -> list[Finding]:
    """Every finding about one unit's file, as findings.csv and the status sheet list them."""
    return source_findings(outcome) + (outcome.report.findings if outcome.report else [])


def source_findings(outcome: UnitOutcome) -> list[Finding]:
    """A finding for a unit whose file could not be read, so the Lỗi sheet says why."""
    if outcome.status is Status.INVALID and outcome.report is None:
        return [Finding(Severity.ERROR, Code.UNREADABLE, "", "", "", outcome.message)]
    if outcome.status is Status.UNREACHABLE:
        return [Finding(Severity.ERROR, Code.UNREACHABLE, "", "", "", outcome.message)]
    return []


def fingerprint(schema: Schema, outcomes: list[UnitOutcome], run: RunInfo, renderer: str = RENDERER) -> str:  # fmt: skip
    """A digest of everything the workbook and CSV files show, except the run clock.

    ``renderer`` stands for the code that draws them (``RENDERER``, by default).
    """
    h = hashlib.sha256(renderer.encode())
    for part in (schema.id, schema.version, schema.fingerprint, run.as_of.date().isoformat(),
                 run.deadline_text, run.timezone, str(run.conference), json.dumps(run.counts, sort_keys=True),
                 json.dumps([run.district_name, run.district_parent, run.district_place, run.targets, run.district_results, run.draft], sort_keys=True)):  # fmt: skip
        h.update(part.encode("utf-8") + b"\0")
    if any(o.status is Status.UNREACHABLE for o in outcomes):
        h.update(run.as_of.isoformat().encode())  # the age of their last good data is shown
    for o in outcomes:
        fields = (o.unit, o.status.value, o.content_hash, _iso(o.submitted_at), _iso(o.modified_at),
                  o.amended_after_submit, o.message, o.link, _iso(o.data_as_of), o.deadline_at.isoformat())  # fmt: skip
        h.update(repr(fields).encode("utf-8") + b"\0")
    return h.hexdigest()


def unwritable(folder: Path) -> str | None:
    """Why ``folder`` cannot take our outputs (created if missing), or None when it can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".tonghop-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return os_reason(exc)
    return None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def run_header(run: RunInfo) -> dict[str, Any]:
    """The run's facts that open status.json, for a district and a province alike."""
    return {
        "as_of": run.as_of.isoformat(),
        "deadline": run.deadline_at.isoformat(),
        "deadline_date": run.deadline.isoformat(),
        "deadline_inclusive": run.deadline_inclusive,
        "deadline_text": run.deadline_text,
        "timezone": run.timezone,
        "schema": run.schema_id,
        "schema_version": run.schema_version,
        "district": {"code": run.district_code, "name": run.district_name},
        "run_id": run.run_id,
        "counts": {
            k: (int(v) if float(v).is_integer() and not k.endswith("_rate") else v)
            for k, v in run.counts.items()
        },
    }


def status_json(outcomes: list[UnitOutcome], run: RunInfo) -> str:
    """The status.json document of contract.md."""
    tz = run.as_of.tzinfo
    doc = {
        **run_header(run),
        "units": [
            {
                "code": o.unit.code,
                "name": o.unit.name,
                "type": o.unit.type,
                "status": o.status.value,
                "status_label": o.status.label,
                "completeness": None if o.completeness is None else round(o.completeness, 4),
                "errors": o.errors,
                "warnings": o.warnings,
                "confirmed": o.confirmed,
                "submitted_at": _iso(o.submitted_at.astimezone(tz) if o.submitted_at else None),
                "modified_at": _iso(o.modified_at.astimezone(tz) if o.modified_at else None),
                "amended_after_submit": o.amended_after_submit,
                # Saved within Google's modifiedTime lag of the deadline: the office confirms.
                "near_deadline": o.near_deadline,
                # When the data shown was read: for an unreachable unit, the age of its last good data.
                "data_as_of": _iso(o.data_as_of.astimezone(tz) if o.data_as_of else None),
                "deadline": o.deadline_at.isoformat(),
                "message": o.message,
                "link": o.link,
            }
            for o in outcomes
        ]
        # Units outside their active dates: listed, never expected (contract.md's `closed`).
        + [
            {
                "code": u.code,
                "name": u.name,
                "type": u.type,
                "status": "closed",
                "status_label": "Không phải nộp",
                "completeness": None,
                "errors": 0,
                "warnings": 0,
                "confirmed": False,
                "submitted_at": None,
                "modified_at": None,
                "amended_after_submit": False,
                "near_deadline": False,
                "data_as_of": None,
                "deadline": None,
                "message": inactive_reason(u, run),
                "link": "",
            }
            for u in run.inactive
        ],
        # Outputs left in place (a person edited them, or they were held open) and the file
        # this run's generation went to instead, relative to the output folder.
        "kept_outputs": [
            {"file": k.file, "new_file": k.new_file, "reason": k.reason} for k in run.kept_outputs
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def csv_text(value: Any) -> str | int | float:
    """A value as a CSV field: numbers stay numbers (unquoted), everything else is text
    (quoted by the writer); text a unit typed never starts like a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START) and not re.fullmatch(r"-?\d+([.,]\d+)?", text):
        return "'" + text
    return text


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    """UTF-8 text with a BOM (Excel then reads it as UTF-8), every text field quoted, so a
    ``;`` or ``,`` inside a value never splits it whatever the reader's list separator is."""
    out = io.StringIO()
    out.write(_BOM)
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_text(v) for v in row])
    return out.getvalue()


def values_csv(outcomes: list[UnitOutcome], schema: Schema) -> str:
    """Every parsed value in long form: unit_code, tab, field, row, value."""
    tables = {t.name: t for t in schema.tables}

    def rows() -> Iterable[list[Any]]:
        for o in outcomes:
            report = o.report
            if report is None or not report.is_template:
                continue
            for f in schema.fields:
                value = report.values.get(f.id)
                if value is not None:
                    yield [o.unit.code, f.tab, f.id, None, value]
            for name, table in tables.items():
                numbers = report.table_rows.get(name) or []
                for i, row in enumerate(report.values.get(name) or []):
                    number = numbers[i] if i < len(numbers) else i + 1
                    for col in table.columns:
                        if row.get(col.id) is not None:
                            yield [o.unit.code, table.tab, col.id, number, row[col.id]]

    return _csv(["unit_code", "tab", "field", "row", "value"], rows())


def findings_csv(findings: list[tuple[str, Finding]]) -> str:
    header = ["unit_code", "severity", "code", "tab", "cell", "field", "message", "value"]
    return _csv(header, ([code, f.severity.value, f.code.value, f.tab, f.cell, f.field, f.message, f.value]
                         for code, f in findings))  # fmt: skip
