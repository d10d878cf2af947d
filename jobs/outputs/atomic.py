"""Writing one output file atomically: a temporary sibling, fsynced, renamed over the target.

Its own module so that both the run's outputs (``files``) and the units' annotated copies
(``feedback``) use it without importing each other. Every failure, including a name the file
system refuses (too long, a reserved character), comes out as ``OutputError`` with a
Vietnamese reason, and never leaves the temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..oserrors import os_reason


class OutputError(Exception):
    """An output could not be written; the previous one is still in place."""


def atomic_write(path: Path, write: Callable[[Any], Any]) -> None:
    """Write through ``write(fh)`` to a temporary file, fsync, and rename over ``path``."""
    tmp = _write_temp(path, write)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise OutputError(f"không ghi được {path}: {os_reason(exc)}") from exc


def _write_temp(path: Path, write: Callable[[Any], Any]) -> Path:
    """Write through ``write(fh)`` to ``path``'s temporary sibling, fsynced; return the sibling."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        _discard(tmp)
        raise OutputError(f"không ghi được {path}: {os_reason(exc)}") from exc
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: Path) -> None:
    # The cleanup must not raise again: when the name itself was refused (ENAMETOOLONG), the
    # unlink fails the same way, and the first error is the one to report.
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)
