"""`tonghop doctor` and `tonghop provision`: set-up checks and unit sheets, for the IT person."""

from __future__ import annotations

from pathlib import Path

from sheets_schema import (
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

from .config import Config
from .outputs import unwritable
from .roster import RosterError, load_roster, write_roster_sheet_column
from .sources import SourceSetupError, account_email, google_client

# A failing unit or status sheet is worth fixing but does not stop a sync: the unit gets its
# status and the local outputs are still written.
_NOT_BLOCKING = ("Đơn vị ", "Bảng tình trạng")


def blocks_sync(check: Check) -> bool:
    """Whether this failing check would stop `tonghop sync`."""
    return not check.ok and not check.name.startswith(_NOT_BLOCKING)


class ProvisionFailed(Exception):
    """Provisioning could not finish; the units done so far are in the roster already."""


def run_doctor(config: Config) -> list[Check]:
    """Every check that would stop or spoil a sync, in the order a person fixes them."""
    checks = [Check("Cấu hình", True, str(config.path))]
    try:
        schema = load_schema(config.report.schema)
        checks.append(Check("Mẫu báo cáo", True, f"{schema.id} phiên bản {schema.version}"))
        checks.append(_targets(config, schema))
    except SchemaError as exc:
        return [
            *checks,
            Check("Mẫu báo cáo", False, str(exc), "Sửa tệp mẫu (schema) theo thông báo."),
        ]
    try:
        units = load_roster(config.units.registry)
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
    refs = [SheetRef(u.code, u.sheet) for u in units]
    types = {u.code: u.type for u in units}
    if config.source.kind == "excel":
        checks += _excel_checks(config, refs, types, schema)
    needs_google = config.source.kind == "google" or bool(config.google.status_spreadsheet)
    if needs_google:
        checks += _google_checks(config, refs if config.source.kind == "google" else [], schema)
    return checks


def _targets(config: Config, schema: Schema) -> Check:
    """Which indicators have a district target: the others read "chưa có chỉ tiêu"."""
    missing = [i.key for i in schema.indicators if i.key not in config.targets]
    given = len(schema.indicators) - len(missing)
    detail = f"{given}/{len(schema.indicators)} chỉ tiêu có chỉ tiêu của Huyện ([targets])"
    if missing:
        detail += f"; chưa có: {', '.join(missing)}"
    return Check("Chỉ tiêu của Huyện", True, detail)


def _writable(folder: Path, name: str) -> Check:
    why = unwritable(folder)
    if why:
        return Check(name, False, f"{folder}: {why}", "Cấp quyền ghi cho người chạy cron.")
    return Check(name, True, f"{folder}: ghi được")


def _excel_checks(
    config: Config, refs: list[SheetRef], types: dict[str, str], schema: object
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
    source = ExcelFolderSource(folder)
    checks = [Check("Thư mục bảng tính", True, str(folder))]
    for ref, version in source.versions(refs).items():
        name = f"Đơn vị {ref}"
        if isinstance(version, SourceProblem):
            ok = version.kind.value == "missing"  # not started yet: not something to fix here
            checks.append(
                Check(name, ok, version.message_vi, "" if ok else "Kiểm tra tệp và quyền đọc.")
            )
            continue
        assert isinstance(version, Version)
        pulled = source.pull(SheetRef(ref, Path(version.link).name), version)
        if isinstance(pulled, SourceProblem):
            checks.append(
                Check(name, False, pulled.message_vi, "Yêu cầu đơn vị gửi lại tệp đúng mẫu.")
            )
            continue
        report = parse_report(schema, pulled.raw, ParseContext(ref, types.get(ref)))  # type: ignore[arg-type]
        if not report.is_template:
            checks.append(
                Check(
                    name,
                    False,
                    "không đúng mẫu báo cáo",
                    "Gửi đơn vị mẫu: tonghop template --unit " + ref,
                )
            )
        else:
            checks.append(Check(name, True, f"đúng mẫu, hoàn thành {report.completeness:.0%}"))
    return checks


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

            checks = [check_key_file(key_file)]
        return checks
    return doctor(
        client,
        refs,
        required_names=schema.names,  # type: ignore[attr-defined]
        expected_version=schema.version,  # type: ignore[attr-defined]
        status_spreadsheet=config.google.status_spreadsheet,
        key_file=key_file,
        service_account_email=email,
    )


def run_provision(config: Config) -> dict[str, str]:
    """Create a Google Sheet from the template for every roster unit without one."""
    from sync.google_admin import ProvisionError, provision

    if config.source.kind != "google":
        raise ProvisionFailed(f'{config.path}: provision is for [source] kind = "google"')
    if not config.google.folder_id:
        raise ProvisionFailed(
            f"{config.path}: set [google] folder_id to a Shared Drive folder the service account can "
            "add files to (service accounts have no storage of their own)"
        )
    schema = load_schema(config.report.schema)
    units = load_roster(config.units.registry)
    by_code = {u.code: u for u in units}
    try:
        client = google_client(config, write=True)
        email = account_email(config)
    except SourceSetupError as exc:
        raise ProvisionFailed(str(exc)) from exc

    def render(code: str) -> bytes:
        u = by_code[code]
        return render_template(schema, UnitInfo(u.code, u.name, u.type))

    try:
        created = provision(
            client,
            [SheetRef(u.code, u.sheet) for u in units],
            render,
            lambda code: by_code[code].email or None,
            config.google.folder_id,
            email,
        )
    except ProvisionError as exc:
        if exc.provisioned:
            write_roster_sheet_column(config.units.registry, exc.provisioned)
        raise ProvisionFailed(f"{exc} ({len(exc.provisioned)} units done and recorded)") from exc
    if created:
        write_roster_sheet_column(config.units.registry, created)
    return created
