"""load_config on real files: resolution, precedence, every mistake's message, deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.config import Config, ConfigError, ReportConfig, SourceConfig, UnitsConfig, load_config

VN = timezone(timedelta(hours=7))

MINIMAL = """\
[report]
schema = "midterm_2020_2025"
deadline = 2023-03-23

[units]
registry = "units.csv"

[source]
kind = "excel"
folder = "sheets"
"""


def write_district(folder: Path, text: str = MINIMAL) -> Path:
    """A config file with its roster beside it; returns the config's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text("code,name,type\nVH,Vĩnh Hưng,xa\n", encoding="utf-8")
    path = folder / "tonghop.toml"
    path.write_text(text, encoding="utf-8")
    return path


def replace(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


def config_error(tmp_path: Path, text: str) -> str:
    path = write_district(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


# --- reading and resolving ----------------------------------------------------------------------


def test_minimal_config_gets_defaults_and_paths_relative_to_its_folder(tmp_path: Path) -> None:
    path = write_district(tmp_path / "district")
    config = load_config(path, env={})

    folder = tmp_path / "district"
    assert config.path == path
    assert config.base_dir == folder
    assert config.report == ReportConfig(
        schema="midterm_2020_2025", deadline=date(2023, 3, 23), conference=None
    )
    assert config.report.deadline_inclusive is False
    assert config.report.timezone == "Asia/Ho_Chi_Minh"
    assert config.units == UnitsConfig(registry=folder / "units.csv")
    assert config.source == SourceConfig(kind="excel", folder=folder / "sheets")
    assert config.output.dir == folder / "out"
    assert config.output.state == folder / "state" / "tonghop.sqlite"
    assert config.output.archive_keep == 10
    assert config.google.credentials is None
    assert config.google.reads_per_minute == 50
    assert config.google.api_url is None
    assert isinstance(config.tz, ZoneInfo)
    assert config.tz.key == "Asia/Ho_Chi_Minh"


def test_full_config_reads_every_key(tmp_path: Path) -> None:
    absolute_out = tmp_path / "elsewhere" / "out"
    text = f"""\
[report]
schema = "midterm_2020_2025"
deadline = 2023-03-23
deadline_inclusive = true
timezone = "Asia/Bangkok"
conference = 2023-04-10

[units]
registry = "units.csv"

[source]
kind = "google"

[google]
credentials = "keys/sa.json"
status_spreadsheet = "1AbC"
reads_per_minute = 30
folder_id = "0ABCdrive"
oauth_client = "client.json"

[output]
dir = "{absolute_out.as_posix()}"
state = "../state/db.sqlite"
archive_keep = 0
"""
    path = write_district(tmp_path / "d", text)
    config = load_config(path, env={})

    assert config.report.deadline_inclusive is True
    assert config.report.timezone == "Asia/Bangkok"
    assert config.report.conference == date(2023, 4, 10)
    assert config.source.kind == "google"
    assert config.source.folder is None
    assert config.google.credentials == tmp_path / "d" / "keys" / "sa.json"
    assert config.google.status_spreadsheet == "1AbC"
    assert config.google.reads_per_minute == 30
    assert config.google.folder_id == "0ABCdrive"
    assert config.google.oauth_client == tmp_path / "d" / "client.json"
    assert config.output.dir == absolute_out  # absolute stays absolute
    assert config.output.state == tmp_path / "d" / ".." / "state" / "db.sqlite"
    assert config.output.archive_keep == 0


def test_config_with_a_bom_is_read(tmp_path: Path) -> None:
    path = write_district(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_config(path, env={}).report.deadline == date(2023, 3, 23)


def test_schema_path_is_resolved_relative_to_the_config(tmp_path: Path) -> None:
    path = write_district(tmp_path, replace('"midterm_2020_2025"', '"schemas/mine.toml"'))
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "mine.toml").write_text("", encoding="utf-8")
    config = load_config(path, env={})
    assert config.report.schema == str(tmp_path / "schemas" / "mine.toml")


def test_missing_schema_file_names_the_path_and_builtins(tmp_path: Path) -> None:
    message = config_error(tmp_path, replace('"midterm_2020_2025"', '"mine.toml"'))
    assert str(tmp_path / "mine.toml") in message
    assert "midterm_2020_2025" in message


# --- where the config comes from ----------------------------------------------------------------


def test_explicit_path_beats_environment(tmp_path: Path) -> None:
    given_path = write_district(tmp_path / "given")
    env_path = write_district(tmp_path / "env")
    config = load_config(given_path, env={"TONGHOP_CONFIG": str(env_path)})
    assert config.path == given_path


def test_environment_beats_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_district(tmp_path / "cwd")
    env_path = write_district(tmp_path / "env")
    monkeypatch.chdir(tmp_path / "cwd")
    assert load_config(None, env={"TONGHOP_CONFIG": str(env_path)}).path == env_path


def test_relative_environment_path_is_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_district(tmp_path / "d")
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={"TONGHOP_CONFIG": "d/tonghop.toml"})
    assert config.path == tmp_path / "d" / "tonghop.toml"
    assert config.units.registry == tmp_path / "d" / "units.csv"


def test_default_is_tonghop_toml_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_district(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert load_config(None, env={"TONGHOP_CONFIG": ""}).path == tmp_path / "tonghop.toml"


def test_missing_config_says_how_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(None, env={})
    message = str(caught.value)
    assert str(tmp_path / "tonghop.toml") in message
    assert "tonghop demo" in message
    assert "tonghop doctor --config demo/tonghop.toml" in message  # the step after the demo
    assert "\n" not in message


def test_missing_config_from_environment_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TONGHOP_CONFIG"):
        load_config(None, env={"TONGHOP_CONFIG": str(tmp_path / "nope.toml")})


def test_config_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="là thư mục"):
        load_config(tmp_path, env={})


def test_credentials_from_config_beat_the_environment(tmp_path: Path) -> None:
    path = write_district(tmp_path, MINIMAL + '[google]\ncredentials = "sa.json"\n')
    config = load_config(path, env={"GOOGLE_APPLICATION_CREDENTIALS": "/keys/other.json"})
    assert config.google.credentials == tmp_path / "sa.json"


def test_credentials_from_the_environment_are_resolved_at_the_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_district(tmp_path / "d")
    monkeypatch.chdir(tmp_path)
    env = {"GOOGLE_APPLICATION_CREDENTIALS": "keys/sa.json", "TONGHOP_GOOGLE_API_URL": "http://x/"}
    config = load_config(path, env=env)
    assert config.google.credentials == tmp_path / "keys" / "sa.json"
    assert config.google.api_url == "http://x"


# --- mistakes -----------------------------------------------------------------------------------


def test_typo_in_a_key_names_it_and_lists_the_allowed_keys(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        replace("deadline = 2023-03-23", "deadline = 2023-03-23\ndeadline_inclusiv = true"),
    )
    assert "[report] deadline_inclusiv" in message
    assert "có phải ý bạn là deadline_inclusive?" in message
    assert "schema, deadline, deadline_inclusive, timezone, conference" in message


def test_unknown_section_lists_the_allowed_sections(tmp_path: Path) -> None:
    message = config_error(tmp_path, MINIMAL + "[ouptut]\ndir = 'x'\n")
    assert "[ouptut]" in message
    assert "có phải ý bạn là output?" in message
    assert "[report], [units], [source], [google], [output]" in message


def test_key_outside_any_section(tmp_path: Path) -> None:
    message = config_error(tmp_path, 'timezone = "Asia/Ho_Chi_Minh"\n' + MINIMAL)
    assert "khóa timezone nằm ngoài mọi mục" in message and "dưới mục [report]" in message


def test_registry_that_is_a_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "units").mkdir()
    message = config_error(tmp_path, MINIMAL.replace("units.csv", "units"))
    assert "là một thư mục" in message


def test_deadline_in_quotes_says_how_to_write_it(tmp_path: Path) -> None:
    message = config_error(tmp_path, replace("2023-03-23", '"23/3/2023"'))
    assert "[report] deadline" in message
    assert "deadline = 2023-03-23" in message
    assert "không có ngoặc kép" in message
    assert '"23/3/2023"' in message


def test_deadline_without_quotes_in_day_month_year_is_a_syntax_error_with_its_line(
    tmp_path: Path,
) -> None:
    message = config_error(tmp_path, replace("2023-03-23", "23/3/2023"))
    assert "dòng 3" in message
    assert "deadline = 23/3/2023" in message
    assert "yyyy-mm-dd" in message


def test_deadline_with_a_time_is_refused(tmp_path: Path) -> None:
    message = config_error(tmp_path, replace("2023-03-23", "2023-03-23T17:00:00"))
    assert "[report] deadline phải là ngày" in message


def test_deadline_is_required(tmp_path: Path) -> None:
    message = config_error(tmp_path, replace("deadline = 2023-03-23", ""))
    assert "thiếu [report] deadline" in message


def test_deadline_inclusive_must_be_a_boolean(tmp_path: Path) -> None:
    text = replace("deadline = 2023-03-23", 'deadline = 2023-03-23\ndeadline_inclusive = "false"')
    message = config_error(tmp_path, text)
    assert "[report] deadline_inclusive phải là true hoặc false" in message


def test_conference_must_be_a_date(tmp_path: Path) -> None:
    text = replace("deadline = 2023-03-23", 'deadline = 2023-03-23\nconference = "10/4/2023"')
    assert "[report] conference phải là ngày" in config_error(tmp_path, text)


def test_unknown_time_zone(tmp_path: Path) -> None:
    text = replace("deadline = 2023-03-23", 'deadline = 2023-03-23\ntimezone = "Asia/Hanoi"')
    message = config_error(tmp_path, text)
    assert '[report] timezone = "Asia/Hanoi" không phải múi giờ đã biết' in message


@pytest.mark.parametrize("kind", ["drive", "Excel", ""])
def test_unknown_source_kind(tmp_path: Path, kind: str) -> None:
    message = config_error(tmp_path, replace('kind = "excel"', f'kind = "{kind}"'))
    assert '[source] kind = "' in message
    assert '"excel", "google" hoặc "districts"' in message


def test_excel_source_needs_a_folder(tmp_path: Path) -> None:
    message = config_error(tmp_path, replace('folder = "sheets"', ""))
    assert "thiếu [source] folder" in message


def test_missing_roster_names_its_path(tmp_path: Path) -> None:
    message = config_error(tmp_path, replace('"units.csv"', '"roster/units.xlsx"'))
    assert str(tmp_path / "roster" / "units.xlsx") in message
    assert "[units] registry" in message


def test_registry_must_be_text(tmp_path: Path) -> None:
    message = config_error(tmp_path, replace('"units.csv"', "3"))
    assert "[units] registry phải là chữ trong ngoặc kép" in message


@pytest.mark.parametrize(
    ("section", "line"),
    [
        ("google", "reads_per_minute = 0"),
        ("google", 'reads_per_minute = "50"'),
        ("output", "archive_keep = -1"),
        ("output", "archive_keep = true"),
    ],
)
def test_whole_numbers(tmp_path: Path, section: str, line: str) -> None:
    message = config_error(tmp_path, MINIMAL + f"[{section}]\n{line}\n")
    assert f"[{section}] {line.split()[0]} phải là số nguyên" in message


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    message = config_error(tmp_path, 'output = "out"\n' + MINIMAL)
    assert "output phải là một mục" in message


def test_config_not_in_utf8(tmp_path: Path) -> None:
    path = write_district(tmp_path)
    path.write_bytes(MINIMAL.replace("[units]", "# Đơn\n[units]").encode("cp1258"))
    with pytest.raises(ConfigError, match="dòng 5: không phải văn bản UTF-8"):
        load_config(path, env={})


# --- deadlines ----------------------------------------------------------------------------------


def make_config(inclusive: bool, tz: str = "Asia/Ho_Chi_Minh") -> Config:
    report = ReportConfig("midterm_2020_2025", date(2023, 3, 23), inclusive, tz)
    return Config(
        Path("/d/tonghop.toml"),
        Path("/d"),
        report,
        UnitsConfig(Path("/d/units.csv")),
        SourceConfig("excel", Path("/d/sheets")),
    )


def test_exclusive_deadline_is_late_from_midnight_starting_the_day() -> None:
    first_late = make_config(False).deadline_at(None)
    assert first_late == datetime(2023, 3, 23, 0, 0, tzinfo=VN)
    assert first_late.utcoffset() == timedelta(hours=7)
    assert datetime(2023, 3, 22, 23, 59, 59, tzinfo=VN) < first_late  # on time
    # 17:00 UTC on the 22nd is already midnight in Việt Nam.
    assert datetime(2023, 3, 22, 17, 0, tzinfo=UTC) >= first_late
    assert datetime(2023, 3, 22, 16, 59, 59, tzinfo=UTC) < first_late


def test_inclusive_deadline_keeps_the_whole_day() -> None:
    first_late = make_config(True).deadline_at(None)
    assert first_late == datetime(2023, 3, 24, 0, 0, tzinfo=VN)
    assert datetime(2023, 3, 23, 23, 59, 59, tzinfo=VN) < first_late
    assert datetime(2023, 3, 23, 17, 0, tzinfo=UTC) >= first_late


def test_unit_deadline_overrides_the_report_deadline() -> None:
    config = make_config(False)
    assert config.deadline_at(date(2023, 3, 30)) == datetime(2023, 3, 30, tzinfo=VN)
    assert make_config(True).deadline_at(date(2023, 3, 30)) == datetime(2023, 3, 31, tzinfo=VN)


@given(
    instant=st.datetimes(
        min_value=datetime(2023, 3, 20), max_value=datetime(2023, 3, 27), timezones=st.just(UTC)
    ),
    inclusive=st.booleans(),
)
def test_late_exactly_when_the_local_date_is_past_the_deadline(
    instant: datetime, inclusive: bool
) -> None:
    config = make_config(inclusive)
    local_day = instant.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    on_time_by_calendar = (
        local_day <= date(2023, 3, 23) if inclusive else local_day < date(2023, 3, 23)
    )
    assert (instant < config.deadline_at(None)) == on_time_by_calendar


def test_deadline_text_in_vietnamese() -> None:
    assert make_config(False).deadline_text(None) == (
        "Hạn nộp: trước 00:00 ngày 23/3/2023, giờ Việt Nam (UTC+7)"
    )
    assert make_config(True).deadline_text(None) == (
        "Hạn nộp: hết ngày 23/3/2023 (trước 00:00 ngày 24/3/2023), giờ Việt Nam (UTC+7)"
    )
    assert make_config(False).deadline_text(date(2023, 4, 5)) == (
        "Hạn nộp: trước 00:00 ngày 5/4/2023, giờ Việt Nam (UTC+7)"
    )


def test_deadline_text_in_another_zone_names_it() -> None:
    assert make_config(False, "Asia/Kolkata").deadline_text(None) == (
        "Hạn nộp: trước 00:00 ngày 23/3/2023, giờ Asia/Kolkata (UTC+5:30)"
    )
    assert make_config(True, "America/New_York").deadline_at(None) == datetime(
        2023, 3, 24, tzinfo=ZoneInfo("America/New_York")
    )
    assert (
        make_config(True, "America/New_York")
        .deadline_text(None)
        .endswith("giờ America/New_York (UTC-4)")
    )


def test_a_province_lists_its_districts(tmp_path: Path) -> None:
    text = replace('kind = "excel"', 'kind = "districts"').replace('folder = "sheets"\n', "")
    assert "cần ít nhất một mục [[source.district]]" in config_error(tmp_path, text)
    entry = (
        '\n[[source.district]]\ncode = "VINH_LOI"\nname = "Huyện ủy Vĩnh Lợi"\nfolder = "vl/out"\n'
    )
    assert 'mã huyện "VINH_LOI" bị lặp lại' in config_error(tmp_path, text + entry + entry)
    bad = entry.replace('"VINH_LOI"', '"VINH LOI"')
    assert 'code = "VINH LOI" chỉ được gồm chữ, số, _ và -' in config_error(tmp_path, text + bad)
    config = load_config(write_district(tmp_path, text + entry), env={})
    assert config.source.kind == "districts"
    assert [(d.code, d.folder) for d in config.source.districts] == [
        ("VINH_LOI", tmp_path / "vl/out")
    ]
