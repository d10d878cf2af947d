"""File times that cannot be right: later than the run's clock, or before the term began."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sheets_schema import Schema
from tests.jobs.district import District

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 9, year: int = 2023, month: int = 3) -> datetime:
    return datetime(year, month, day, hour, tzinfo=VN)


@pytest.fixture
def district(tmp_path: Path, schema: Schema) -> District:
    d = District(tmp_path / "district", schema)
    d.add("XA_A")
    return d


def codes(result: object, code: str = "XA_A") -> list[str]:
    outcome = next(o for o in result.outcomes if o.unit.code == code)  # type: ignore[attr-defined]
    return [f.code.value for f in outcome.report.findings]


def test_a_file_time_in_the_future_counts_from_when_the_job_saw_it(district: District) -> None:
    district.save("XA_A", district.values("XA_A"), at(1, year=2030))
    first = district.sync(at(24))  # after the deadline: the file's 2030 would be late anyway
    outcome = first.outcomes[0]
    assert "file-time-future" in codes(first)
    assert outcome.submitted_at == at(24) and outcome.status.value == "late"
    assert outcome.warnings >= 1 and outcome.errors == 0
    later = district.sync(at(25))
    assert later.outcomes[0].submitted_at == at(24)  # the first sighting, kept


def test_a_future_time_before_the_deadline_is_on_time_when_seen_before_it(
    district: District,
) -> None:
    district.save("XA_A", district.values("XA_A"), at(1, year=2030))
    result = district.sync(at(21))
    assert result.outcomes[0].status.value == "on_time"
    assert result.outcomes[0].submitted_at == at(21)


def test_a_file_time_before_the_term_is_a_warning(district: District) -> None:
    district.save("XA_A", district.values("XA_A"), datetime(1970, 1, 2, tzinfo=UTC))
    result = district.sync(at(21))
    assert "file-time-before-term" in codes(result)
    finding = next(
        f for f in result.outcomes[0].report.findings if f.code.value == "file-time-before-term"
    )
    assert finding.severity.value == "warning" and "nhiệm kỳ" in finding.message


def test_an_ordinary_time_has_no_such_warning(district: District) -> None:
    district.save("XA_A", district.values("XA_A"), at(20))
    result = district.sync(at(21))
    assert not {"file-time-future", "file-time-before-term"} & set(codes(result))
    assert result.outcomes[0].submitted_at == at(20)
