"""A sign-off minutes from the deadline keeps its status and is flagged for confirmation.

Drive's modifiedTime trails Sheets edits, coalesced, by minutes: the job cannot know which
side of the deadline a sign-off 3 minutes before it really fell on, so it says so.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jobs.model import Status
from jobs.outcome import NEAR_DEADLINE_VI
from tests.fake_google import FakeGoogle

from .test_google_sync import demo as demo  # the demo district fixture, shared
from .test_google_sync import excel_sync, google_district, sync


def test_a_sign_off_3_minutes_before_the_deadline_is_flagged(
    fake: FakeGoogle, make_client: Any, demo: Path, tmp_path: Path
) -> None:
    config, keys = google_district(fake, demo, tmp_path / "g")
    deadline_at = config.deadline_at()
    excel = {o.unit.code: o for o in excel_sync(demo).outcomes}
    on_time = [c for c, o in excel.items() if o.status is Status.ON_TIME and c in keys]
    close, early = on_time[0], on_time[1]
    for code in (close, early):
        fake.edit(keys[code], "tt_xac_nhan", False, at=datetime(2023, 3, 20, 8, tzinfo=UTC))
    fake.edit(keys[early], "tt_xac_nhan", True, at=deadline_at - timedelta(hours=5))
    signed = deadline_at - timedelta(minutes=3)
    fake.edit(keys[close], "tt_xac_nhan", True, at=signed)
    fake.listing_lag = 3600.0  # the listing still shows the file before the sign-off

    result = {o.unit.code: o for o in sync(config, make_client()).outcomes}

    assert result[close].status is Status.ON_TIME  # the status its time gives stands
    assert result[close].submitted_at == signed
    assert result[close].near_deadline and NEAR_DEADLINE_VI in result[close].message
    assert not result[early].near_deadline and NEAR_DEADLINE_VI not in result[early].message
    units = {
        u["code"]: u for u in json.loads((config.output.dir / "status.json").read_text())["units"]
    }
    assert NEAR_DEADLINE_VI in units[close]["message"]
    assert NEAR_DEADLINE_VI not in units[early]["message"]
    assert units[close]["near_deadline"] is True and units[early]["near_deadline"] is False
