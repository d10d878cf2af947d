"""A small district on disk for job tests: config, roster and unit workbooks typed for real."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jobs.config import Config, load_config
from jobs.job import SyncOptions, SyncResult, run_sync
from sheets_schema import Schema
from sheets_schema.template import UnitInfo
from sync.excel import ExcelFolderSource
from tests.helpers import typed_workbook, valid_values

CONFIG = """\
[report]
schema = "midterm_2020_2025"
deadline = 2023-03-23
deadline_inclusive = {inclusive}
timezone = "Asia/Ho_Chi_Minh"
conference = 2023-04-10

[units]
registry = "units.csv"

[source]
kind = "excel"
folder = "sheets"

[output]
dir = "out"
state = "state/tonghop.sqlite"
"""


@dataclass
class District:
    root: Path
    schema: Schema
    units: list[dict[str, str]] = field(default_factory=list)
    inclusive: bool = False

    def add(self, code: str, type_: str = "xa", **extra: str) -> None:
        self.units.append({"code": code, "name": f"Đơn vị {code}", "type": type_,
                           "sheet": f"{code}.xlsx", **extra})  # fmt: skip
        self.write_roster()

    def write_roster(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "sheets").mkdir(exist_ok=True)
        (self.root / "tonghop.toml").write_text(
            CONFIG.format(inclusive=str(self.inclusive).lower()), "utf-8"
        )
        cols = ["code", "name", "type", "sheet", "email", "deadline", "active_from", "active_to"]
        with (self.root / "units.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, cols)
            w.writeheader()
            for u in self.units:
                w.writerow({c: u.get(c, "") for c in cols})

    def values(self, code: str, **changes: Any) -> dict[str, Any]:
        unit = next(u for u in self.units if u["code"] == code)
        values = valid_values(self.schema, unit["type"], code)
        values.update(changes)
        return values

    def save(self, code: str, values: dict[str, Any], at: datetime) -> Path:
        """Write the unit's workbook and set its modified time, as saving it at ``at`` would."""
        unit = next(u for u in self.units if u["code"] == code)
        path = self.root / "sheets" / unit["sheet"]
        path.write_bytes(
            typed_workbook(self.schema, values, UnitInfo(code, unit["name"], unit["type"]))
        )
        os.utime(path, (at.timestamp(), at.timestamp()))
        return path

    @property
    def config(self) -> Config:
        return load_config(self.root / "tonghop.toml", env={})

    def sync(self, as_of: datetime, **kw: Any) -> SyncResult:
        config = self.config
        assert config.source.folder is not None
        return run_sync(
            config, ExcelFolderSource(config.source.folder), SyncOptions(as_of=as_of, **kw)
        )

    def status(self, result: SyncResult, code: str) -> str:
        return next(o.status.value for o in result.outcomes if o.unit.code == code)
