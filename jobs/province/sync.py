"""`tonghop sync` for a province: read every district's outputs, consolidate, write outputs.

    lock → copy the Drive folders of ``drive_folder`` districts (``drive``) → for each district:
    read and check its outputs → rebuild its units → the province's
    figures (the district roll-up over every unit) → tong-hop.xlsx, values.csv, status.json,
    the draft

A district that cannot be used gets a status and a message; it never stops the province. The
outputs are written only when a district's outputs (or the configuration, or this code) have
changed since the last run; otherwise only status.json's "as_of" moves.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from filelock import FileLock, Timeout

from sheets_schema import load_schema

from ..config import Config
from ..model import RunInfo, UnitOutcome, count_outcomes
from ..oserrors import os_reason
from ..outputs.atomic import atomic_write
from ..outputs.files import run_header
from .drive import DriveProblem, copy_drive_folders
from .read import (
    STATUS,
    VALUES,
    VALUES_HEADER,
    DistrictRead,
    DistrictStatus,
    qualified_rows,
    read_district,
)  # fmt: skip
from .tables import ProvinceTables, province_tables
from .units import all_outcomes, wanted_fields

log = logging.getLogger("tonghop.province")
WORKBOOK = "tong-hop.xlsx"
DRAFT = "bao-cao-tong-hop.docx"
_STAMP = ".tong-hop-tinh.fingerprint"


class ProvinceError(Exception):
    """The province's job could not run; the message is one Vietnamese line saying why."""


@dataclass
class ProvinceResult:
    run: RunInfo
    reads: list[DistrictRead]
    outcomes: dict[str, list[UnitOutcome]] = field(default_factory=dict)
    tables: ProvinceTables | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    rewritten: bool = True  # False: nothing any district shows had changed


def _code_digest() -> str:
    h = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted([*here.glob("*.py"), *(here.parent / "outputs").glob("*.py")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _inputs_digest(config: Config, problems: dict[str, DriveProblem]) -> str:
    """What the outputs depend on: the config, this code, each district's two files (and why
    a Drive folder could not be copied)."""
    h = hashlib.sha256(config.path.read_bytes() + _code_digest().encode())
    for e in config.source.districts:
        h.update(f"{e.code}\0{e.folder}\0".encode())
        if e.code in problems:
            h.update(f"drive:{problems[e.code].message}\0".encode())
        for name in (STATUS, VALUES):
            try:
                st = (e.folder / name).stat()
                h.update(f"{name}:{st.st_mtime_ns}:{st.st_size}\0".encode())
            except OSError:
                h.update(f"{name}:-\0".encode())
    return h.hexdigest()


def run_province(
    config: Config, as_of: datetime | None = None, out_dir: Path | None = None
) -> ProvinceResult:
    """Run the province's consolidation once."""
    schema = load_schema(config.report.schema)
    now = (as_of or datetime.now(UTC)).astimezone(config.tz)
    out = out_dir or config.output.dir
    for folder, what in ((out, "kết quả"), (config.output.state.parent, "trạng thái")):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProvinceError(
                f"không tạo được thư mục {what} {folder}: {os_reason(exc)}"
            ) from exc
    lock = FileLock(str(config.output.state.with_name("tonghop-tinh.lock")))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ProvinceError("một lần tổng hợp khác đang chạy; chờ nó xong rồi chạy lại") from None
    try:
        return _run(config, schema, now, out)
    finally:
        lock.release()


def _run(config: Config, schema: Any, now: datetime, out: Path) -> ProvinceResult:
    counter = config.output.state.with_name("tonghop-tinh.json")
    run_id = _next_run(counter)
    problems = copy_drive_folders(config)
    digest = _inputs_digest(config, problems)
    stamp = out / _STAMP
    paths = {name: out / name for name in (WORKBOOK, VALUES, STATUS, DRAFT)}
    reads: list[DistrictRead] = []
    if _read_text(stamp) == digest and all(p.exists() for p in paths.values()):
        _touch_status(paths[STATUS], now, run_id)
        run = _run_info(config, schema, now, run_id, {})
        return ProvinceResult(run, reads, outputs=paths, rewritten=False)
    wanted = wanted_fields(schema)
    reads = [
        DistrictRead(e, problems[e.code].status, problems[e.code].message)
        if e.code in problems
        else read_district(e, schema, wanted)
        for e in config.source.districts
    ]
    for r in reads:
        if r.status is not DistrictStatus.OK:
            log.warning("huyện %s: %s: %s", r.entry.code, r.status.label, r.message)
    districts = all_outcomes(schema, reads, config.deadline_at(None))
    everyone = [o for units in districts.values() for o in units]
    run = _run_info(config, schema, now, run_id, count_outcomes(everyone))
    tables = province_tables(schema, districts, config.targets, config.district_results,
                             list(schema.unit_types))  # fmt: skip
    from .draft import draft_bytes
    from .workbook import workbook_bytes

    rendered = {
        WORKBOOK: workbook_bytes(schema, run, reads, tables, dict(schema.unit_types)),
        DRAFT: draft_bytes(schema, run, reads, districts, tables),
        STATUS: status_json(run, reads, districts).encode("utf-8"),
    }
    stamp.unlink(missing_ok=True)
    atomic_write(paths[VALUES], lambda fh: _values_csv(fh, reads, districts))
    for name, data in rendered.items():
        _write(paths[name], data)
    atomic_write(stamp, lambda fh: fh.write(digest.encode()))
    return ProvinceResult(run, reads, districts, tables, paths)


def _values_csv(
    fh: BinaryIO, reads: list[DistrictRead], districts: dict[str, list[UnitOutcome]]
) -> None:
    """The province's values.csv: every used district's rows, as the district wrote them, with
    the unit codes qualified as in status.json ("VL/XA_A"); a level above reads it as a
    district's."""
    fh.write((VALUES_HEADER + "\n").encode("utf-8"))
    for r in reads:
        if r.entry.code in districts:
            fh.writelines(qualified_rows(r))


def _write(path: Path, data: bytes) -> None:
    atomic_write(path, lambda fh: fh.write(data))


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError:
        return ""


def _next_run(path: Path) -> int:
    try:
        number = int(json.loads(path.read_text("utf-8")).get("runs", 0)) + 1
    except (OSError, ValueError, AttributeError):
        number = 1
    atomic_write(path, lambda fh: fh.write(json.dumps({"runs": number}).encode()))
    return number


def _run_info(config: Config, schema: Any, now: datetime, run_id: int,
              counts: dict[str, float]) -> RunInfo:  # fmt: skip
    return RunInfo(
        run_id=run_id, as_of=now, schema_id=schema.id, schema_version=schema.version,
        deadline=config.report.deadline, deadline_inclusive=config.report.deadline_inclusive,
        deadline_at=config.deadline_at(None), deadline_text=config.deadline_text(None),
        timezone=config.report.timezone, conference=config.report.conference,
        source_kind="districts", counts=counts, district_name=config.district.name,
        district_parent=config.district.parent, district_place=config.district.place,
        district_code=config.district.code, targets=dict(config.targets),
        district_results=dict(config.district_results), draft=dict(config.draft),
    )  # fmt: skip


def status_json(
    run: RunInfo, reads: list[DistrictRead], districts: dict[str, list[UnitOutcome]]
) -> str:
    """The province's status.json: the district's format (a level above can read it as a
    district's), with a "districts" list giving each district's status."""
    units = []
    for r in reads:
        for u in r.units if r.entry.code in districts else []:
            units.append({**u, "code": f"{r.entry.code}/{u.get('code')}"})
    doc = {
        **run_header(run),
        "districts": [
            {
                "code": r.entry.code,
                "name": r.entry.name,
                "status": r.status.value,
                "status_label": r.status.label,
                "message": r.message,
                "as_of": r.as_of.isoformat() if r.as_of else None,
                "units": len(districts.get(r.entry.code, [])),
            }
            for r in reads
        ],
        "units": units,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _touch_status(path: Path, now: datetime, run_id: int) -> None:
    """Nothing changed: the last check moves, the rest of status.json stays as written."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return
    doc["as_of"], doc["run_id"] = now.isoformat(), run_id
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))
