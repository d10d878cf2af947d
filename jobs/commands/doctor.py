"""`tonghop doctor` and `tonghop provision`: set-up checks and unit sheets, for the IT person."""

from __future__ import annotations

import functools
import os
import shlex
from pathlib import Path
from typing import Any

from sheets_schema import (
    Code,
    ParsedReport,
    Schema,
    SchemaError,
    UnitInfo,
    load_schema,
    parse_report,
    render_template,
)
from sheets_schema.report import ParseContext
from sync.base import SheetRef, SourceProblem, Version
from sync.excel import ExcelFolderSource
from sync.google_admin import Check

from ..config import Config
from ..isolation import Failure, Isolated
from ..limits import mechanism as limits_mechanism
from ..model import entered_line, whole_percent
from ..outputs import unwritable
from ..roster import RosterError, roster_of, write_roster_sheet_column
from ..sources import SourceSetupError, account_email, google_client, pacing_file
from ..state import damaged, integrity_problem

# A failing unit, district or status sheet is worth fixing but does not stop a sync: the unit
# (district) gets its status and the local outputs are still written.
_DISTRICT = "Kết quả của "  # a province's check of one district's outputs
_NOT_BLOCKING = ("Đơn vị ", "Bảng tình trạng", _DISTRICT)


def blocks_sync(check: Check) -> bool:
    """Whether this failing check would stop `tonghop sync`."""
    return not check.ok and not check.name.startswith(_NOT_BLOCKING)


class ProvisionFailed(Exception):
    """Provisioning could not finish; the units done so far are in the roster already."""


def run_doctor(config: Config, *, google_probe: bool = False) -> list[Check]:
    """Every check that would stop or spoil a sync, in the order a person fixes them.

    With ``google_probe``, also try real Google once on a scratch copy (sync/google_probe.py).
    """
    checks = [Check("Cấu hình", True, str(config.path))]
    try:
        schema = load_schema(config.report.schema)
        checks.append(Check("Mẫu báo cáo", True, f"{schema.id} phiên bản {schema.version}"))
        whole = "tỉnh" if config.source.kind == "districts" else "huyện"
        checks.append(_targets(config, schema, whole))
        checks.append(_district_results(config, schema, whole))
    except SchemaError as exc:
        return [
            *checks,
            Check("Mẫu báo cáo", False, str(exc), "Sửa tệp mẫu (schema) theo thông báo."),
        ]
    if config.source.kind == "districts":
        checks.append(_writable(config.output.dir, "Thư mục kết quả"))
        checks.append(_writable(config.output.state.parent, "Thư mục trạng thái"))
        checks += _district_checks(config, schema)
        return [*checks, _probe_skipped(config)] if google_probe else checks
    try:
        units = roster_of(config)
        checks.append(
            Check("Danh sách đơn vị", True, f"{config.units.registry}: {len(units)} đơn vị")
        )
    except RosterError as exc:
        return [
            *checks,
            Check("Danh sách đơn vị", False, str(exc), "Sửa dòng, cột được nêu rồi chạy lại."),
        ]
    checks.append(_writable(config.output.dir, "Thư mục kết quả"))
    checks.append(_writable(config.output.state.parent, "Thư mục trạng thái"))
    checks.append(_state_integrity(config.output.state))
    refs = [SheetRef(u.code, u.sheet) for u in units]
    types = {u.code: u.type for u in units}
    if config.source.kind == "excel":
        checks.append(_read_limits(config))
        checks += _excel_checks(config, refs, types, schema)
    needs_google = config.source.kind == "google" or bool(config.google.status_spreadsheet)
    if needs_google:
        checks += _google_checks(config, refs if config.source.kind == "google" else [], schema)
        checks += _google_probe(config, schema, units, run=google_probe)
    elif google_probe:
        checks.append(_probe_skipped(config))
    return checks


def _district_checks(config: Config, schema: Schema) -> list[Check]:
    """A province: each district's outputs read and checked as the sync will (a Drive folder's
    copy brought up to date first). A district that fails gets a status; the sync goes on."""
    from ..province.drive import copy_drive_folders
    from ..province.read import DistrictStatus, read_district
    from ..province.units import wanted_fields

    problems = copy_drive_folders(config)
    wanted = wanted_fields(schema)
    checks = []
    for e in config.source.districts:
        name = f"{_DISTRICT}{e.name} ({e.code})"
        if e.code in problems:
            problem = problems[e.code]
            checks.append(Check(name, False, problem.status.label, problem.message))
            continue
        read = read_district(e, schema, wanted)
        if read.status is DistrictStatus.OK:
            when = f", số liệu tính đến {read.as_of:%H:%M %d/%m/%Y}" if read.as_of else ""
            checks.append(Check(name, True, f"{len(read.units)} đơn vị{when}; {e.where}"))
        else:
            checks.append(Check(name, False, read.status.label, read.message))
    return checks


def _google_probe(config: Config, schema: Schema, units: Any, *, run: bool) -> list[Check]:
    """The probe's checklist (``run``), else what the last probe recorded."""
    from sync.google_probe import PROBE_FILE, recorded, run_probe

    record = config.output.state.with_name(PROBE_FILE)
    name = "Thử trên Google (--google-probe)"
    if not run:
        last = recorded(record)
        if last is None:
            probe = tonghop_command(config, "doctor", "--google-probe")
            return [Check(name, True, "chưa chạy", f"Chạy một lần: {probe}")]
        bad = [i["name"] for i in last.get("items", []) if not i.get("ok")]
        detail = f"lần chạy {last.get('at')}: " + (f"mất/sai: {'; '.join(bad)}" if bad else "đủ")
        return [Check(name, True, detail)]
    if config.source.kind != "google":
        return [_probe_skipped(config)]
    as_person = config.google.oauth_client is not None
    try:
        client = _person_client(config) if as_person else google_client(config, write=True)
    except SourceSetupError as exc:
        return [Check(name, False, str(exc), "Sửa tài khoản Google theo các dòng ở trên.")]
    unit = next(iter(units), None)
    info = UnitInfo(unit.code, unit.name, unit.type) if unit is not None else None
    percent = [f.id for f in schema.fields if f.type.value == "percent"]
    number = next(f.id for f in schema.fields if f.type.value == "integer" and not f.indicator)
    day = next(f.id for f in schema.fields if f.type.value == "date")
    result = run_probe(
        client, render_template(schema, info), folder_id=config.google.folder_id,
        required_names=schema.names, percent_names=percent, number_name=number, date_name=day,
        record_to=record,
    )  # fmt: skip
    # The probe's findings never stop a sync: they say what units' sheets lack.
    return [Check(f"Đơn vị thử Google: {i.name}", i.ok, i.detail, i.action) for i in result.items]


def _probe_skipped(config: Config) -> Check:
    """--google-probe asked where units do not fill Google Sheets: say so, not nothing."""
    return Check(
        "Thử trên Google (--google-probe)",
        True,
        f'bỏ qua: [source] kind = "{config.source.kind}", các đơn vị không điền trên Google '
        f'Trang tính; phép thử chỉ dùng khi [source] kind = "google"',
    )


def _targets(config: Config, schema: Schema, whole: str) -> Check:
    """Which indicators have a target of the district (``whole``: "huyện", or "tỉnh" for a
    province): the others read "chưa có chỉ tiêu"."""
    missing = [i.key for i in schema.indicators if i.key not in config.targets]
    given = len(schema.indicators) - len(missing)
    detail = f"{given}/{len(schema.indicators)} chỉ tiêu có chỉ tiêu của {whole} ([targets])"
    if missing:
        detail += f"; chưa có: {', '.join(missing)}"
    return Check(f"Chỉ tiêu của {whole}", True, detail)


def _district_results(config: Config, schema: Schema, whole: str) -> Check:
    """The district's own statistics ([district_results]) for ``entered`` indicators: without
    one, the workbook and the draft read "chưa nhập" for it."""
    entered = [i for i in schema.indicators if i.rollup == "entered"]
    missing = [i for i in entered if i.key not in config.district_results]
    detail = f"{len(entered) - len(missing)}/{len(entered)} số liệu của {whole} đã nhập"
    if not missing:
        return Check(f"Số liệu của {whole}", True, detail)
    names = ", ".join(f"{i.label} ({i.key})" for i in missing)
    lines = "; ".join(entered_line(i.key) for i in missing)
    return Check(
        f"Số liệu của {whole}",
        True,
        f"{detail}; chưa nhập: {names}",
        f"Thêm vào tonghop.toml, mục [district_results], dòng: {lines} (thay số liệu và nguồn).",
    )


def _read_limits(config: Config) -> Check:
    """How each unit's file is bounded on this machine (the memory mechanism differs on Windows)."""
    lim = config.limits
    return Check(
        "Giới hạn khi đọc tệp",
        True,
        f"bộ nhớ {lim.unit_memory_mb} MiB mỗi đơn vị: {limits_mechanism()}; "
        f"thời gian {lim.unit_seconds} giây mỗi đơn vị",
    )


def _writable(folder: Path, name: str) -> Check:
    why = unwritable(folder)
    if why:
        return Check(name, False, f"{folder}: {why}", "Cấp quyền ghi cho người chạy cron.")
    return Check(name, True, f"{folder}: ghi được")


def _state_integrity(path: Path) -> Check:
    """SQLite's integrity check of the state file (read-only; a missing file is a first run)."""
    problem = integrity_problem(path)
    if problem is None:
        detail = f"{path}: nguyên vẹn" if path.exists() else f"{path}: chưa có (lần chạy đầu)"
        return Check("Tệp trạng thái", True, detail)
    message = str(damaged(path, problem))
    what, _, fix = message.partition(" Cách sửa: ")
    return Check("Tệp trạng thái", False, what, fix[:1].upper() + fix[1:])


def _excel_checks(
    config: Config, refs: list[SheetRef], types: dict[str, str], schema: Schema
) -> list[Check]:
    folder = config.source.folder
    if folder is None or not folder.is_dir():
        return [
            Check(
                "Thư mục bảng tính",
                False,
                f"{folder}: không có",
                "Tạo thư mục hoặc sửa [source] folder.",
            )
        ]
    # Read as a sync reads: every file in a worker under [limits], so a hostile file is one
    # failing line here, never a hung or killed doctor.
    source = ExcelFolderSource(folder).bounded(config.limits, schema.shapes)
    checks = [Check("Thư mục bảng tính", True, str(folder))]
    versions: dict[str, str] = {}
    jobs: list[tuple[ExcelFolderSource, str, Version]] = []
    for ref, version in source.versions(refs).items():
        if isinstance(version, SourceProblem):
            ok = version.kind.value == "missing"  # not started yet: not something to fix here
            fix = (
                ""
                if ok
                else "Yêu cầu đơn vị gửi lại tệp .xlsx như đã nêu."
                if version.kind.value == "invalid"
                else "Kiểm tra tệp và quyền đọc."
            )
            checks.append(Check(f"Đơn vị {ref}", ok, version.message_vi, fix))
        else:
            assert isinstance(version, Version)
            jobs.append((source, ref, version))
    pool = Isolated(
        functools.partial(_read_one, schema=schema, types=types), jobs, workers=os.cpu_count() or 1,
        memory_mb=config.limits.unit_memory_mb, seconds=config.limits.unit_seconds,
    )  # fmt: skip
    for (_, ref, read), report in zip(jobs, pool.run(), strict=True):
        name = f"Đơn vị {ref}"
        if isinstance(report, Failure | SourceProblem):
            checks.append(
                Check(name, False, report.message_vi, "Yêu cầu đơn vị gửi lại tệp đúng mẫu.")
            )
            continue
        if not report.is_template:
            checks.append(
                Check(
                    name,
                    False,
                    "không đúng mẫu báo cáo",
                    "Gửi đơn vị mẫu điền sẵn: "
                    + shlex.join(
                        [
                            "tonghop",
                            "template",
                            "--config",
                            str(config.path),
                            "--unit",
                            ref,
                            "--out",
                            f"{ref}.xlsx",
                        ]
                    ),
                )
            )
        elif wrong := [f for f in report.findings if f.code == Code.UNIT_CODE_MISMATCH]:
            # Another unit's file under this unit's name: sync shows it as this unit's error.
            checks.append(
                Check(
                    name,
                    False,
                    wrong[0].message,
                    f"Đặt đúng tệp của đơn vị {ref} vào thư mục, hoặc sửa cột sheet của đơn vị "
                    f"này trong {config.units.registry.name}.",
                )
            )
        else:
            detail = f"đúng mẫu, hoàn thành {whole_percent(report.completeness)}%"
            checks.append(_newer_elsewhere(folder / read.link, name, detail))
            versions[ref] = str(report.values.get("tt_phien_ban") or "")
    return checks + _old_versions(config, schema, versions)


def _newer_elsewhere(path: Path, name: str, detail: str) -> Check:
    """A unit's .xlsx with a newer .ods or .xls of the same name beside it: the unit may have
    saved its latest work in a format the job does not read."""
    for ext in (".ods", ".xls"):
        other = path.with_suffix(ext)
        try:
            newer = other.stat().st_mtime > path.stat().st_mtime
        except OSError:
            continue
        if newer:
            return Check(
                name,
                False,
                f"{detail}; nhưng “{other.name}” mới hơn “{path.name}” và chỉ tệp .xlsx được đọc",
                f"Nếu “{other.name}” là bản mới nhất: mở nó, lưu lại dạng .xlsx (Tệp → Lưu thành "
                f"→ Excel 2007-365) đè lên “{path.name}”; nếu không, xóa nó.",
            )
    return Check(name, True, detail)


def _read_one(job: tuple[ExcelFolderSource, str, Version], schema: Schema,
              types: dict[str, str]) -> ParsedReport | SourceProblem:  # fmt: skip
    """In a worker: one unit's file read and parsed, or why it cannot be."""
    source, ref, version = job
    pulled = source.pull(SheetRef(ref, Path(version.link).name), version)
    if isinstance(pulled, SourceProblem):
        return pulled
    return parse_report(schema, pulled.raw, ParseContext(ref, types.get(ref)))


def tonghop_command(config: Config, *args: str) -> str:
    """A command to suggest, as it runs from any folder: with this configuration's path."""
    return shlex.join(["tonghop", *args, "--config", str(config.path)])


def _old_versions(config: Config, schema: object, versions: dict[str, str]) -> list[Check]:
    """Units whose file is from an earlier template: still read, but worth a new copy."""
    current = schema.version  # type: ignore[attr-defined]
    old = sorted(code for code, version in versions.items() if version and version != current)
    if not old:
        return []
    listed = ", ".join(f"{code} ({versions[code]})" for code in old)
    return [
        Check(
            "Đơn vị dùng mẫu cũ",
            False,  # still read ("Đơn vị …" never blocks a sync), but worth a new copy
            f"{len(old)} đơn vị dùng mẫu khác phiên bản hiện hành {current}: {listed}",
            "Gửi mẫu mới cho các đơn vị này, mỗi đơn vị một tệp điền sẵn, ví dụ: "
            + tonghop_command(config, "template", "--unit", old[0], "--out", f"{old[0]}.xlsx"),
        )
    ]


def _google_checks(config: Config, refs: list[SheetRef], schema: object) -> list[Check]:
    from sync.google_admin import doctor

    key_file = config.google.credentials
    try:
        client = google_client(config, write=bool(config.google.status_spreadsheet))
        email = account_email(config)
    except SourceSetupError as exc:
        fix = "Ghi đường dẫn tệp khóa JSON vào [google] credentials hoặc GOOGLE_APPLICATION_CREDENTIALS."
        checks = [Check("Tài khoản Google", False, str(exc), fix)]
        if key_file is not None:
            from sync.google_admin import check_key_file

            key_check = check_key_file(key_file)
            if not key_check.ok:
                return [key_check]
            if config.google.api_url:  # a good key refused for where it would be sent
                fix = (
                    "Bỏ biến môi trường TONGHOP_GOOGLE_API_URL (chỉ dùng cho trình giả lập trên "
                    "chính máy này: 127.0.0.1 hoặc localhost) rồi chạy lại."
                )
                return [key_check, Check("Địa chỉ API Google", False, str(exc), fix)]
            return [key_check]
        return checks

    def rules_of(code: str) -> list[Any]:
        from sync.google_rules import template_rules

        u = by_code.get(code)
        info = UnitInfo(u.code, u.name, u.type) if u is not None else None
        return template_rules(render_template(schema, info))  # type: ignore[arg-type]

    by_code = {u.code: u for u in roster_of(config)} if refs else {}
    return doctor(
        client,
        refs,
        rules_of=rules_of if refs else None,
        required_names=schema.names,  # type: ignore[attr-defined]
        expected_version=schema.version,  # type: ignore[attr-defined]
        status_spreadsheet=config.google.status_spreadsheet,
        key_file=key_file,
        service_account_email=email,
    )


OAUTH_TOKEN_NAME = "google-oauth-token.json"


def oauth_token_file(config: Config) -> Path:
    """Where a person's Google sign-in for `provision` is kept (state folder, 0600)."""
    return config.output.state.with_name(OAUTH_TOKEN_NAME)


def run_provision(
    config: Config, *, oauth: bool = False, oauth_port: int = 0
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Create a Google Sheet from the template for every roster unit without one.

    With `oauth` (or `[google] oauth_client` set) the sheets are created by a person signed in
    through the browser once, and owned by them; else by the service account in a Shared
    Drive folder. Returns {code: url} and the (code, Vietnamese warning) pairs.
    """
    from sync.google_admin import ProvisionError, provision

    if config.source.kind != "google":
        try:
            code = next((u.code for u in roster_of(config)), "MÃ_ĐƠN_VỊ")
        except RosterError:
            code = "MÃ_ĐƠN_VỊ"
        raise ProvisionFailed(
            f'{config.path}: lệnh provision chỉ dùng khi [source] kind = "google" (bảng tính '
            f"Google); với các tệp .xlsx, gửi mỗi đơn vị mẫu điền sẵn, ví dụ: "
            + tonghop_command(config, "template", "--unit", code, "--out", f"{code}.xlsx")
        )
    as_person = oauth or config.google.oauth_client is not None
    if not config.google.folder_id and not as_person:
        raise ProvisionFailed(
            f"{config.path}: ghi vào [google] folder_id mã một thư mục trong Bộ nhớ dùng chung "
            "(Shared Drive) mà tài khoản dịch vụ được thêm tệp (tài khoản dịch vụ không có dung "
            "lượng riêng), hoặc tạo bằng tài khoản của một người: "
            + tonghop_command(config, "provision", "--oauth")
        )
    schema = load_schema(config.report.schema)
    units = roster_of(config)
    by_code = {u.code: u for u in units}
    try:
        client = (
            _person_client(config, oauth_port) if as_person else google_client(config, write=True)
        )
        email = account_email(config)
    except SourceSetupError as exc:
        raise ProvisionFailed(str(exc)) from exc

    def render(code: str) -> bytes:
        u = by_code[code]
        return render_template(schema, UnitInfo(u.code, u.name, u.type))

    warnings: list[tuple[str, str]] = []
    try:
        created = provision(
            client,
            [SheetRef(u.code, u.sheet) for u in units],
            render,
            lambda code: by_code[code].email or None,
            config.google.folder_id,
            email,
            required_names=schema.names,
            on_warning=lambda code, text: warnings.append((code, text)),
            percent_names=[f.id for f in schema.fields if f.type.value == "percent"],
        )
    except ProvisionError as exc:
        if exc.provisioned:
            write_roster_sheet_column(config.units.registry, exc.provisioned)
        if exc.sign_in_refused and as_person:
            from sync.google_oauth import sign_in_refused_vi

            raise ProvisionFailed(sign_in_refused_vi(oauth_token_file(config))) from exc
        raise ProvisionFailed(
            f"{exc.message_vi} (đã tạo và ghi vào danh sách {len(exc.provisioned)} đơn vị)"
        ) from exc
    if created:
        write_roster_sheet_column(config.units.registry, created)
    return created, warnings


def _person_client(config: Config, port: int = 0) -> Any:
    """A client on the stored sign-in of the person provisioning (browser the first time)."""
    from sync.google_oauth import browser_flow, person_credentials
    from sync.http import GoogleConfigError, build_client

    client_file = config.google.oauth_client or config.path.parent / "client_secret.json"
    try:
        credentials = person_credentials(
            client_file,
            oauth_token_file(config),
            flow=functools.partial(browser_flow, port=port),
        )
        return build_client(
            credentials=credentials,
            base_url=config.google.api_url,
            reads_per_minute=config.google.reads_per_minute,
            pacing_file=pacing_file(config),
        )
    except GoogleConfigError as exc:
        raise SourceSetupError(str(exc)) from exc
