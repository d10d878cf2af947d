"""Read ``tonghop.toml`` once, at the edge, into one frozen, typed ``Config``.

Everything the job needs from the configuration file and the environment is resolved here: paths
become absolute (relative to the config file's folder), the time zone is checked, and the Google
environment variables are read. Library code takes values from ``Config`` and never reads
``os.environ``.

Every mistake stops with a ``ConfigError`` whose message is one line for the district IT person:
the file, the ``[section] key``, what was found and how to write it instead.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheets_schema.loader import BUILTIN as BUILTIN_SCHEMAS
from sheets_schema.loader import SchemaError, load_schema
from sync.guard import Limits

from .model import DistrictFigure, entered_line
from .oserrors import os_reason
from .province.entries import DistrictEntry, read_districts

DEFAULT_CONFIG = "tonghop.toml"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_SCHEMA = "midterm_2020_2025"
SOURCE_KINDS = ("excel", "google", "districts")
# Beside the state: the province's local copies of its districts' Drive folders, one per code.
DRIVE_COPIES = "huyen-drive"

# Zone names shown to readers as "giờ Việt Nam" instead of the IANA name.
_VIETNAM_ZONES = frozenset({"Asia/Ho_Chi_Minh", "Asia/Saigon"})

_ALLOWED: dict[str, tuple[str, ...]] = {
    "report": ("schema", "deadline", "deadline_inclusive", "timezone", "conference"),
    "units": ("registry",),
    "source": ("kind", "folder", "district"),
    "google": (
        "credentials", "status_spreadsheet", "reads_per_minute", "folder_id", "oauth_client",
        "modified_lag_minutes",
    ),
    "output": ("dir", "state", "archive_keep", "log"),
    "remind": ("smtp_host", "smtp_port", "starttls", "sender", "username", "password_env"),
    "district": ("name", "parent", "place", "code"),
    "limits": tuple(f.name for f in fields(Limits)),
    "draft": ("similarity", "min_units", "names_listed"),
}  # fmt: skip
# [targets] and [district_results] have no fixed keys: their keys are the schema's indicator
# ids, checked against it.
_FREE_SECTIONS = ("targets", "district_results")
_REQUIRED: dict[str, tuple[str, ...]] = {
    "report": ("deadline",),
    "units": ("registry",),
    "source": ("kind",),
}
_TOML_LINE = re.compile(r"at line (\d+)")


class ConfigError(ValueError):
    """The configuration cannot be used; the message is one line naming the file and the fix."""


SourceKind = Literal["excel", "google", "districts"]


@dataclass(frozen=True)
class ReportConfig:
    """``[report]``: which template, and the deadline as a wall-clock date."""

    schema: str  # a built-in schema id, or the absolute path of a schema file
    deadline: date
    deadline_inclusive: bool = False
    timezone: str = DEFAULT_TIMEZONE
    conference: date | None = None

    @property
    def tz(self) -> ZoneInfo:
        """The report's time zone; every deadline is a local date in it."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class UnitsConfig:
    """``[units]``: the roster of expected units."""

    registry: Path


@dataclass(frozen=True)
class SourceConfig:
    """``[source]``: where the units' reports are read from."""

    kind: SourceKind
    folder: Path | None = None  # the folder of .xlsx files, for kind "excel"
    # kind "districts" (a province): each district's code, name and output folder.
    districts: tuple[DistrictEntry, ...] = ()


@dataclass(frozen=True)
class GoogleConfig:
    """``[google]`` plus the Google environment variables, resolved once here."""

    credentials: Path | None = None  # the key file, else GOOGLE_APPLICATION_CREDENTIALS
    status_spreadsheet: str = ""  # key or URL of the district status sheet
    api_url: str | None = None  # TONGHOP_GOOGLE_API_URL: an emulator replacing Google's hosts
    reads_per_minute: int = 50
    folder_id: str = ""  # a Drive / Shared Drive folder for provisioning and listing
    oauth_client: Path | None = None  # an OAuth "Desktop app" client: provision as a person
    # How late Drive's modifiedTime may trail a Sheets edit: a submission this close to the
    # deadline is flagged for the office to confirm with the unit.
    modified_lag_minutes: int = 10


@dataclass(frozen=True)
class OutputConfig:
    """``[output]``: where the outputs and the job's state live."""

    dir: Path = Path("out")
    state: Path = Path("state/tonghop.sqlite")
    archive_keep: int = 10
    # One line per `tonghop sync` (jobs/runlog.py); default tonghop.log beside the state,
    # log = "" for none.
    log: Path | None = None


@dataclass(frozen=True)
class RemindConfig:
    """``[remind]``: how `tonghop remind --send` reaches an SMTP server. The password is read
    from the environment variable named by ``password_env``, never from the file."""

    smtp_host: str = ""
    smtp_port: int = 587
    starttls: bool = True
    sender: str = ""
    username: str = ""
    password_env: str = "TONGHOP_SMTP_PASSWORD"
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class DistrictConfig:
    """``[district]``: the issuing body named in the Word draft's header block."""

    name: str = ""  # e.g. "HUYỆN ỦY VĨNH LỢI"
    parent: str = ""  # e.g. "ĐẢNG BỘ TỈNH BẠC LIÊU"
    place: str = ""  # e.g. "Vĩnh Lợi", for "Vĩnh Lợi, ngày … tháng … năm …"
    code: str = ""  # e.g. "VINH_LOI": written to status.json, checked by the province reading it


@dataclass(frozen=True)
class Config:
    """The whole configuration: the file it came from and its sections."""

    path: Path  # the config file, absolute
    base_dir: Path  # its folder; relative paths in the file are relative to it
    report: ReportConfig
    units: UnitsConfig
    source: SourceConfig
    google: GoogleConfig = field(default_factory=GoogleConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    remind: RemindConfig = field(default_factory=RemindConfig)
    district: DistrictConfig = field(default_factory=DistrictConfig)
    # ``[targets]``: the district's own Nghị quyết target per indicator id (only those given).
    targets: Mapping[str, float] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)  # [limits]: caps on each unit's file
    # ``[district_results]``: the district's own statistic for each ``entered`` indicator.
    district_results: Mapping[str, DistrictFigure] = field(default_factory=dict)
    # [draft]: how the draft groups near-identical sentences (keys as in DRAFT_DEFAULTS).
    draft: Mapping[str, float] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        """The report's time zone."""
        return self.report.tz

    def deadline_at(self, unit_deadline: date | None = None) -> datetime:
        """The first late instant (aware, in the report time zone) for a unit's deadline.

        With ``deadline_inclusive`` false, "trước ngày 23/3/2023" is late from 23/3/2023 00:00
        local time; with it true, the whole 23rd is on time and lateness starts on the 24th.
        ``unit_deadline`` is the roster's per-unit override; ``None`` means the report deadline.
        """
        day = unit_deadline or self.report.deadline
        if self.report.deadline_inclusive:
            day += timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=self.tz)

    def deadline_text(self, unit_deadline: date | None = None) -> str:
        """The deadline and its interpretation in Vietnamese words, for every output."""
        day = unit_deadline or self.report.deadline
        first_late = self.deadline_at(unit_deadline)
        zone = zone_words(self.report.timezone, first_late)
        if self.report.deadline_inclusive:
            return (
                f"Hạn nộp: hết ngày {_vn_date(day)} "
                f"(trước 00:00 ngày {_vn_date(first_late.date())}), {zone}"
            )
        return f"Hạn nộp: trước 00:00 ngày {_vn_date(day)}, {zone}"


def load_config(path: Path | None, *, env: Mapping[str, str]) -> Config:
    """Find, read and check the configuration.

    The file is ``path`` (from ``--config``), else ``env["TONGHOP_CONFIG"]``, else
    ``./tonghop.toml``. ``env`` is the process environment, passed in by the entry point.
    """
    if path is not None:
        origin = "ghi ở --config"
    elif env.get("TONGHOP_CONFIG"):
        path, origin = Path(env["TONGHOP_CONFIG"]), "ghi ở TONGHOP_CONFIG"
    else:
        path, origin = Path(DEFAULT_CONFIG), "mặc định"
    path = path.expanduser().absolute()
    if path.is_dir():
        raise ConfigError(f"{path}: là thư mục; hãy ghi đường dẫn tới tệp tonghop.toml trong đó")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: không có tệp cấu hình ({origin}); chạy `tonghop demo --dir demo` để tạo "
            f"một huyện mẫu kèm demo/tonghop.toml (chép rồi sửa thành cấu hình của huyện), sau "
            f"đó `tonghop doctor --config demo/tonghop.toml`"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: không đọc được tệp cấu hình: {os_reason(exc)}") from exc
    doc = _parse_toml(raw, path)
    return _Reader(path, env).build(doc)


# tomllib's reasons (English) for the slips people make in a config, in Vietnamese.
_TOML_REASONS = (
    ("Unescaped '\\'", "dấu \\ trong chuỗi"),
    ("Invalid hex value", "dấu \\ trong chuỗi"),
    ("Unterminated string", "thiếu dấu ngoặc kép đóng"),
    ("Illegal character", "ký tự không được phép"),
    ("Expected '=' after a key", "thiếu dấu = sau tên khóa"),
    ("Invalid value", "giá trị không hợp lệ"),
    ("Invalid statement", "dòng không đúng dạng khóa = giá trị"),
    ("Cannot declare", "mục khai báo hai lần"),
    ("Cannot overwrite a value", "khóa ghi hai lần"),
    ("Invalid date or datetime", "ngày giờ không hợp lệ"),
    ("Expected ']'", "thiếu dấu ]"),
)
_TOML_COLUMN = re.compile(r"column (\d+)")


def _toml_reason(english: str) -> str:
    """tomllib's reason in Vietnamese, with the column when it gives one."""
    what = next((vi for en, vi in _TOML_REASONS if english.startswith(en)), "lỗi cú pháp")
    column = _TOML_COLUMN.search(english)
    return f"{what}, cột {column.group(1)}" if column else what


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path} dòng {line}: không phải văn bản UTF-8; lưu lại tệp với mã UTF-8"
        ) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = _toml_reason(str(exc))
        message = f"{path}: sai cú pháp TOML ({reason})"
        found = _TOML_LINE.search(str(exc))
        if found:
            lines = text.splitlines()
            number = int(found.group(1))
            if 0 < number <= len(lines):
                bad = lines[number - 1].strip()
                message = f"{path} dòng {number}: sai cú pháp TOML ({reason}): {bad}"
                # The commonest slip: a Vietnamese date written as in a letter.
                if re.search(r"\d{1,2}/\d{1,2}/\d{4}", bad):
                    message += (
                        " (viết ngày dạng yyyy-mm-dd, không có dấu ngoặc kép, ví dụ 2023-03-23)"
                    )
                # A Windows path pasted as it is: "\U", "\b"… are escapes inside "…".
                elif re.search(r'"[^"]*\\[^"]*"', bad):
                    message += (
                        ' (đường dẫn Windows: viết dấu / thay cho \\, ví dụ "C:/bao-cao/don-vi", '
                        'hoặc gấp đôi dấu \\, ví dụ "C:\\\\bao-cao\\\\don-vi")'
                    )
        raise ConfigError(message) from exc


class _Reader:
    """Turns the parsed TOML document into a ``Config``, stopping at the first mistake."""

    def __init__(self, path: Path, env: Mapping[str, str]) -> None:
        self.file = path
        self.base = path.parent
        self.env = env

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.file}: {message}")

    def build(self, doc: dict[str, Any]) -> Config:
        sections = self.sections(doc)
        report = self.report(sections["report"])
        output = self.output(sections["output"])
        source = self.source(sections["source"], output.state.parent / DRIVE_COPIES)
        # A province has no roster of units: its districts are listed under [source].
        units = (
            UnitsConfig(registry=self.file)
            if source.kind == "districts"
            else self.units(sections["units"])
        )
        google = self.google(sections["google"])
        remind = self.remind(sections["remind"])
        district = self.district(sections["district"])
        targets = self.targets(sections["targets"], report.schema)
        limits = self.limits(sections["limits"])
        draft = self.draft(sections["draft"])
        results = self.district_results(sections["district_results"], report.schema)
        return Config(self.file, self.base, report, units, source, google, output, remind,
                      district, targets, limits, results, draft=draft)  # fmt: skip

    def sections(self, doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
        known = (*_ALLOWED, *_FREE_SECTIONS)
        allowed = ", ".join(f"[{name}]" for name in known)
        for name, value in doc.items():
            if name not in known and not isinstance(value, dict):  # a key above every [section]
                home = [f"[{section}]" for section, keys in _ALLOWED.items() if name in keys]
                where = f"mục {' hoặc '.join(home)}" if home else f"mục của nó ({allowed})"
                raise self.fail(
                    f"khóa {name} nằm ngoài mọi mục: chuyển dòng {name} = … xuống dưới {where}"
                )
            if name not in known:
                raise self.fail(
                    f"không có mục [{name}]{_did_you_mean(name, known)}; "
                    f"các mục được dùng: {allowed}"
                )
            if not isinstance(value, dict):
                raise self.fail(
                    f"{name} phải là một mục: viết [{name}] trên một dòng riêng, rồi đến các khóa"
                )
            keys = _ALLOWED.get(name, ())
            for key in value if name in _ALLOWED else ():
                if key not in keys:
                    raise self.fail(
                        f"không có khóa [{name}] {key}{_did_you_mean(key, keys)}; "
                        f"các khóa được dùng trong [{name}]: {', '.join(keys)}"
                    )
        for name, keys in _REQUIRED.items():
            if name == "units" and doc.get("source", {}).get("kind") == "districts":
                continue
            for key in keys:
                if key not in doc.get(name, {}):
                    raise self.fail(f"thiếu [{name}] {key}; thêm khóa này dưới [{name}]")
        return {name: doc.get(name, {}) for name in known}

    # --- sections -----------------------------------------------------------------------------

    def report(self, table: dict[str, Any]) -> ReportConfig:
        schema = self.text(table, "report", "schema", DEFAULT_SCHEMA).strip()
        if schema not in BUILTIN_SCHEMAS:
            resolved = self.resolve(schema)
            if not resolved.is_file():
                raise self.fail(
                    f'[report] schema = "{schema}" không phải mẫu có sẵn '
                    f"({', '.join(BUILTIN_SCHEMAS)}) cũng không phải tệp có thật ({resolved})"
                )
            schema = str(resolved)
        timezone = self.text(table, "report", "timezone", DEFAULT_TIMEZONE).strip()
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise self.fail(
                f'[report] timezone = "{timezone}" không phải múi giờ đã biết; '
                f'dùng tên IANA như "{DEFAULT_TIMEZONE}"'
            ) from exc
        return ReportConfig(
            schema=schema,
            deadline=self.date(table, "report", "deadline"),
            deadline_inclusive=self.boolean(table, "report", "deadline_inclusive", False),
            timezone=timezone,
            conference=self.date(table, "report", "conference") if "conference" in table else None,
        )

    def units(self, table: dict[str, Any]) -> UnitsConfig:
        registry = self.path(table, "units", "registry", "")
        if registry.is_dir():
            raise self.fail(
                f"[units] registry: {registry} là một thư mục; ghi đường dẫn tới tệp danh sách "
                f"đơn vị trong đó (units.csv hoặc units.xlsx)"
            )
        if not registry.is_file():
            raise self.fail(
                f"[units] registry: không có tệp danh sách đơn vị {registry}; tạo tệp (units.csv "
                f"hoặc units.xlsx) hoặc sửa đường dẫn (tính từ thư mục chứa tệp cấu hình)"
            )
        return UnitsConfig(registry=registry)

    def source(self, table: dict[str, Any], copies: Path) -> SourceConfig:
        text = self.text(table, "source", "kind", "").strip()
        if text not in SOURCE_KINDS:
            raise self.fail(
                f'[source] kind = "{text}" không hợp lệ; ghi "excel", "google" hoặc "districts"'
            )
        if text == "districts":
            return SourceConfig(
                kind="districts",
                districts=read_districts(
                    table, self.resolve, self.fail, lambda code: copies / code
                ),
            )
        kind: SourceKind = "excel" if text == "excel" else "google"
        folder = self.optional_path(table, "source", "folder")
        if kind == "excel" and folder is None:
            raise self.fail(
                'thiếu [source] folder: kind "excel" đọc một thư mục tệp .xlsx; '
                'thêm ví dụ folder = "sheets" dưới [source]'
            )
        return SourceConfig(kind=kind, folder=folder)

    def google(self, table: dict[str, Any]) -> GoogleConfig:
        credentials = self.optional_path(table, "google", "credentials")
        if credentials is None and self.env.get("GOOGLE_APPLICATION_CREDENTIALS"):
            # As the Google libraries do: a relative path here is relative to the working folder.
            env_path = Path(self.env["GOOGLE_APPLICATION_CREDENTIALS"]).expanduser()
            credentials = env_path.absolute()
        return GoogleConfig(
            credentials=credentials,
            status_spreadsheet=self.text(table, "google", "status_spreadsheet", "").strip(),
            api_url=(self.env.get("TONGHOP_GOOGLE_API_URL") or "").strip().rstrip("/") or None,
            reads_per_minute=self.integer(table, "google", "reads_per_minute", 50, minimum=1),
            modified_lag_minutes=self.integer(
                table, "google", "modified_lag_minutes", 10, minimum=0
            ),
            folder_id=self.text(table, "google", "folder_id", "").strip(),
            oauth_client=self.optional_path(table, "google", "oauth_client"),
        )

    def output(self, table: dict[str, Any]) -> OutputConfig:
        defaults = OutputConfig()
        state = self.path(table, "output", "state", str(defaults.state))
        log = (
            self.optional_path(table, "output", "log")
            if "log" in table
            else state.with_name("tonghop.log")
        )
        return OutputConfig(
            dir=self.path(table, "output", "dir", str(defaults.dir)),
            state=state,
            archive_keep=self.integer(
                table, "output", "archive_keep", defaults.archive_keep, minimum=0
            ),
            log=log,
        )

    def remind(self, table: dict[str, Any]) -> RemindConfig:
        password_env = self.text(table, "remind", "password_env", "TONGHOP_SMTP_PASSWORD").strip()
        return RemindConfig(
            smtp_host=self.text(table, "remind", "smtp_host", "").strip(),
            smtp_port=self.integer(table, "remind", "smtp_port", 587, minimum=1),
            starttls=self.boolean(table, "remind", "starttls", True),
            sender=self.text(table, "remind", "sender", "").strip(),
            username=self.text(table, "remind", "username", "").strip(),
            password_env=password_env,
            password=self.env.get(password_env, ""),
        )

    def district(self, table: dict[str, Any]) -> DistrictConfig:
        return DistrictConfig(
            name=self.text(table, "district", "name", "").strip(),
            parent=self.text(table, "district", "parent", "").strip(),
            place=self.text(table, "district", "place", "").strip(),
            code=self.text(table, "district", "code", "").strip(),
        )

    def targets(self, table: dict[str, Any], schema_ref: str) -> dict[str, float]:
        """``[targets]``: numbers keyed by the schema's indicator ids, in the file's order."""
        targets: dict[str, float] = {}
        for key, value in table.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(
                    f"[targets] {key} phải là số, không có ngoặc kép, ví dụ {key} = 95.0 "
                    f"(đang ghi {_describe(value)})"
                )
            if not math.isfinite(value):
                raise self.fail(f"[targets] {key} phải là một số hữu hạn (đang ghi {value})")
            targets[key] = float(value)
        if not targets:
            return targets
        try:
            schema = load_schema(schema_ref)
        except SchemaError:
            return targets  # the schema's own error is reported where it is loaded
        ids = [i.key for i in schema.indicators]
        for key in targets:
            if key not in ids:
                raise self.fail(
                    f"[targets] {key} không phải chỉ tiêu của mẫu {schema.id}"
                    f"{_did_you_mean(key, ids)}; các mã chỉ tiêu: {', '.join(ids)}"
                )
        return targets

    def district_results(self, table: dict[str, Any], schema_ref: str) -> dict[str, DistrictFigure]:
        """``[district_results]``: ``key = { value = 8.9, source = "…" }`` for each indicator the
        schema rolls up as ``entered``; a figure without its source is not accepted."""
        out: dict[str, DistrictFigure] = {}
        for key, entry in table.items():
            example = entered_line(key)
            if not isinstance(entry, dict) or set(entry) - {"value", "source"}:
                raise self.fail(
                    f"[district_results] {key} phải ghi số liệu kèm nguồn, dạng {example} "
                    f"(đang ghi {_describe(entry)})"
                )
            value, source = entry.get("value"), entry.get("source")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(
                    f"[district_results] {key}: value phải là số, không có ngoặc kép, dạng "
                    f"{example} (đang ghi {_describe(value)})"
                )
            if not math.isfinite(value):
                raise self.fail(f"[district_results] {key}: value phải là một số hữu hạn")
            if not isinstance(source, str) or not source.strip():
                raise self.fail(
                    f"[district_results] {key}: thiếu nguồn số liệu (source), dạng {example}"
                )
            out[key] = DistrictFigure(float(value), source.strip())
        if not out:
            return out
        try:
            schema = load_schema(schema_ref)
        except SchemaError:
            return out  # the schema's own error is reported where it is loaded
        entered = [i.key for i in schema.indicators if i.rollup == "entered"]
        for key in out:
            if key not in entered:
                raise self.fail(
                    f"[district_results] {key} không phải chỉ tiêu huyện tự nhập số liệu của mẫu "
                    f"{schema.id}{_did_you_mean(key, entered)}; các chỉ tiêu nhập ở đây: "
                    f"{', '.join(entered) or 'không có'}"
                )
        return out

    # --- typed values -------------------------------------------------------------------------

    def resolve(self, value: str) -> Path:
        """A path from the file: absolute stays absolute, relative is from the config folder."""
        path = Path(value.strip()).expanduser()
        return path if path.is_absolute() else self.base / path

    def path(self, table: dict[str, Any], section: str, key: str, default: str) -> Path:
        value = self.text(table, section, key, default).strip()
        if not value:
            raise self.fail(
                f'[{section}] {key} đang trống; ghi một đường dẫn trong ngoặc kép, ví dụ {key} = "…"'
            )
        return self.resolve(value)

    def optional_path(self, table: dict[str, Any], section: str, key: str) -> Path | None:
        value = self.text(table, section, key, "").strip()
        return self.resolve(value) if value else None

    def text(self, table: dict[str, Any], section: str, key: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.fail(
                f'[{section}] {key} phải là chữ trong ngoặc kép, ví dụ {key} = "…" '
                f"(đang là {_describe(value)})"
            )
        return value

    def limits(self, table: dict[str, Any]) -> Limits:
        defaults = Limits()
        return Limits(
            **{
                f.name: self.integer(table, "limits", f.name, getattr(defaults, f.name), minimum=1)
                for f in fields(Limits)
            }
        )

    def draft(self, table: dict[str, Any]) -> dict[str, float]:
        """``[draft]``: ``similarity`` (0–1: how alike two sentences must be to count as one
        point), ``min_units`` (units making a point for the draft to tell it), ``names_listed``
        (unit names printed after a point). Only the keys given; the rest keep their defaults."""
        out: dict[str, float] = {}
        if "similarity" in table:
            value = table["similarity"]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise self.fail(
                    "[draft] similarity phải là một số lớn hơn 0 và không quá 1, ví dụ "
                    f"similarity = 0.6 (đang là {_describe(value)})"
                )
            out["similarity"] = float(value)
        for key in ("min_units", "names_listed"):
            if key in table:
                out[key] = self.integer(table, "draft", key, 0, minimum=1)
        return out

    def boolean(self, table: dict[str, Any], section: str, key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(
                f"[{section}] {key} phải là true hoặc false, không có ngoặc kép "
                f"(đang là {_describe(value)})"
            )
        return value

    def integer(
        self, table: dict[str, Any], section: str, key: str, default: int, *, minimum: int
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(
                f"[{section}] {key} phải là số nguyên từ {minimum} trở lên, không có ngoặc kép "
                f"(đang là {_describe(value)})"
            )
        return value

    def date(self, table: dict[str, Any], section: str, key: str) -> date:
        value = table.get(key)
        # A TOML datetime is also a ``date``; a deadline is a day, so refuse the time part.
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        raise self.fail(
            f"[{section}] {key} phải là ngày viết dạng yyyy-mm-dd, không có ngoặc kép, "
            f"ví dụ {key} = 2023-03-23 (đang là {_describe(value)})"
        )


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f'chữ "{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return f"ngày giờ {value.isoformat()}"
    if isinstance(value, date):
        return f"ngày {value.isoformat()}"
    if isinstance(value, dict):
        return "một bảng"
    if isinstance(value, list):
        return "một danh sách"
    return repr(value)


def _did_you_mean(name: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (có phải ý bạn là {close[0]}?)" if close else ""


def _vn_date(day: date) -> str:
    """A date as Vietnamese documents write it: 23/3/2023."""
    return f"{day.day}/{day.month}/{day.year}"


def zone_words(name: str, at: datetime) -> str:
    """ "giờ Việt Nam (UTC+7)", or the zone's name and its offset at ``at`` for other zones."""
    offset = at.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    label = "Việt Nam" if name in _VIETNAM_ZONES else name
    return f"giờ {label} ({utc})"
