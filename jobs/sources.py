"""Build the configured source and status-sheet writer: the only place that picks an adapter."""

from __future__ import annotations

from sync.base import Source
from sync.excel import ExcelFolderSource

from .config import Config
from .job import StatusWriter


class SourceSetupError(Exception):
    """The source cannot be set up (no folder, bad key file); one line for the CLI."""


def make_source(config: Config) -> Source:
    if config.source.kind == "excel":
        folder = config.source.folder
        if folder is None or not folder.is_dir():
            raise SourceSetupError(f"{config.path}: [source] folder {folder} is not a folder")
        return ExcelFolderSource(folder)
    raise SourceSetupError(
        f"{config.path}: [source] kind {config.source.kind!r} is not available yet"
    )


def make_status_writer(config: Config) -> StatusWriter | None:
    return None
