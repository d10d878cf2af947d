"""Build the configured source and status-sheet writer: the only place that picks an adapter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sheets_schema import load_schema
from sync.base import Source
from sync.excel import ExcelFolderSource

from .config import Config
from .job import StatusWriter
from .model import RunInfo, UnitOutcome


class SourceSetupError(Exception):
    """The source cannot be set up (no folder, bad key file); one line for the CLI."""


def google_client(config: Config, *, write: bool = False) -> Any:
    """A gspread client for the configured account and API URL (read-only unless ``write``)."""
    from sync.http import GoogleConfigError, build_client

    g = config.google
    if g.credentials is None and not g.api_url:
        raise SourceSetupError(
            f"{config.path}: chưa có khóa tài khoản Google: ghi đường dẫn tệp khóa JSON của tài "
            f"khoản dịch vụ vào [google] credentials, hoặc đặt biến GOOGLE_APPLICATION_CREDENTIALS"
        )
    try:
        return build_client(
            key_file=g.credentials,
            base_url=g.api_url,
            write=write,
            reads_per_minute=g.reads_per_minute,
            # Shared by every tonghop process of this account: doctor beside a running sync.
            pacing_file=pacing_file(config),
        )
    except GoogleConfigError as exc:
        raise SourceSetupError(str(exc)) from exc


def pacing_file(config: Config) -> Path:
    """Where the Sheets read pacing is shared between processes (next to the state)."""
    return config.output.state.with_name("google-pacing")


def account_email(config: Config) -> str:
    """The service account's e-mail (to tell units whom to share with), or ""."""
    from sync.http import GoogleConfigError, service_account_email

    if config.google.credentials is None:
        return ""
    try:
        return service_account_email(config.google.credentials)
    except GoogleConfigError as exc:
        raise SourceSetupError(str(exc)) from exc


def make_source(config: Config) -> Source:
    if config.source.kind == "excel":
        folder = config.source.folder
        if folder is None or not folder.is_dir():
            raise SourceSetupError(
                f"{config.path}: [source] folder {folder} không phải thư mục (chưa có, hoặc là "
                f"một tệp); tạo thư mục chứa các tệp báo cáo hoặc sửa đường dẫn"
            )
        return ExcelFolderSource(folder)
    from sync.google import GoogleSource

    # Checked before anything is touched: a bad key file stops the job with one line.
    email = account_email(config)
    return GoogleSource(google_client(config), service_account_email=email)


def make_status_writer(config: Config) -> StatusWriter | None:
    """Writes Tình trạng and Lỗi cần sửa to the configured status spreadsheet, if there is one."""
    if not config.google.status_spreadsheet:
        return None
    from sync.status_sheet import LinkedTable, write_status_table

    from .outputs import status_table
    from .outputs.fix_table import fix_table

    client = google_client(config, write=True)
    email = account_email(config)
    labels = load_schema(config.report.schema).unit_types

    def write(outcomes: list[UnitOutcome], run: RunInfo) -> None:
        table = status_table(outcomes, run, labels)
        fixes = fix_table(outcomes)
        write_status_table(
            client,
            config.google.status_spreadsheet,
            table.header,
            table.rows,
            [s.color for s in table.statuses],
            notes=table.notes,
            service_account_email=email,
            linked=LinkedTable(
                fixes.title, fixes.header, fixes.rows, fixes.colors, fixes.links, fixes.link_column
            ),
        )

    return write
