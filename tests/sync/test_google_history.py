"""Field history on the Google path: the editor's name comes from Drive's lastModifyingUser,
asked in the files.get the job already makes after a read (over HTTP, against the fake)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jobs.config import load_config
from jobs.history import unit_history
from jobs.job import SyncOptions, run_sync
from jobs.state import State
from sheets_schema import Schema
from sheets_schema.template import UnitInfo
from sync.google import GoogleSource
from tests.fake_google import FakeGoogle
from tests.helpers import typed_workbook, valid_values

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CONFIG = """\
[report]
deadline = 2023-03-23
conference = 2023-04-10

[units]
registry = "units.csv"

[source]
kind = "google"

[output]
dir = "out"
state = "state/tonghop.sqlite"
"""


def test_the_editor_of_a_google_change_is_named(
    fake: FakeGoogle, make_client: Any, schema: Schema, tmp_path: Path
) -> None:
    data = typed_workbook(schema, valid_values(schema, "xa", "XA_A"),
                          UnitInfo("XA_A", "Đảng bộ xã A", "xa"))  # fmt: skip
    key = fake.add_spreadsheet(
        data, title="XA_A", modified_time=datetime(2023, 3, 20, 2, tzinfo=VN)
    )
    (tmp_path / "units.csv").write_text(
        "code,name,type,sheet\n"
        f"XA_A,Đảng bộ xã A,xa,https://docs.google.com/spreadsheets/d/{key}/edit\n",
        "utf-8",
    )
    (tmp_path / "tonghop.toml").write_text(CONFIG, "utf-8")
    config = load_config(tmp_path / "tonghop.toml", env={"TONGHOP_GOOGLE_API_URL": fake.url})

    def sync(day: int) -> None:
        as_of = datetime(2023, 3, day, 12, tzinfo=VN)
        run_sync(config, GoogleSource(make_client()), SyncOptions(as_of=as_of))

    sync(20)
    fake.reset_log()
    fake.edit(key, "tt_so_chi_bo", 15, at=datetime(2023, 3, 21, 9, tzinfo=VN), by="Trần Thị Bình")
    sync(21)
    gets = [r for r in fake.requests if r.api == "drive" and key in r.path]
    assert len(gets) == 1 and "lastModifyingUser(displayName)" in str(gets[0].query)

    state = State(config.output.state)
    try:
        changes = unit_history(state, "XA_A")
    finally:
        state.close()
    assert [(c.field, c.old, c.new, c.editor) for c in changes] == [
        ("tt_so_chi_bo", 14, 15, "Trần Thị Bình")
    ]
    assert changes[0].changed_at == datetime(2023, 3, 21, 9, tzinfo=VN)
