"""Workers die with the job: no reader process outlives a killed or stopped sync.

A forked worker inherits a copy of every file descriptor the job holds, including the job's
own end of the worker's pipe (and of its siblings' pipes). A worker waiting for its next job
would then never see end-of-file when the job dies, and sat forever holding the state's SQLite
files (issue 19: two 55 MB workers left by every interrupted cron run). Four guards:

- ``forget_parent_ends()``, first thing in the worker, closes the job's ends of all pipes;
- on Linux, ``PR_SET_PDEATHSIG`` asks the kernel to kill the worker when the job dies, even by
  SIGKILL; elsewhere a thread in the worker watches the job and exits when it is gone;
- ``stop_on_sigterm()`` turns the job's SIGTERM (``timeout``, a systemd stop) into
  ``SystemExit`` while a pool runs, so the pool's own cleanup stops its workers first.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

_PR_SET_PDEATHSIG = 1
_PARENT_CHECK_SECONDS = 0.5
# The job's ends of the pipes of its live workers, closed in each new worker.
_parent_ends: set[Any] = set()


def keep_parent_end(conn: Any) -> None:
    """Register the job's end of a worker's pipe (before starting that worker)."""
    _parent_ends.add(conn)


def drop_parent_end(conn: Any) -> None:
    _parent_ends.discard(conn)


def forget_parent_ends() -> None:
    """In a new worker: close the job's pipe ends it inherited, so that the job's death
    (the last holder of those ends) is end-of-file in the worker's pipe."""
    for conn in list(_parent_ends):
        with contextlib.suppress(OSError):
            conn.close()
    _parent_ends.clear()


def die_with_parent() -> None:
    """In a new worker: end this process when the job that started it ends."""
    parent = os.getppid() if hasattr(os, "getppid") else None
    if sys.platform.startswith("linux") and _pdeathsig():
        if parent is not None and os.getppid() != parent:  # it died before prctl took hold
            os._exit(1)
        return
    _watch_parent(parent)


def _pdeathsig() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int | None) -> None:
    process = multiprocessing.parent_process()
    sentinel = process.sentinel if process is not None and sys.platform == "win32" else None

    def watch() -> None:
        if sentinel is not None:  # Windows (spawn): the job's process handle
            from multiprocessing.connection import wait

            wait([sentinel])
            os._exit(1)
        while True:  # POSIX without prctl: the job is gone when we are re-parented
            threading.Event().wait(_PARENT_CHECK_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="tonghop-parent-watch", daemon=True).start()


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """While a pool runs: SIGTERM raises ``SystemExit(143)`` in the job, so the pool's
    ``finally`` stops its workers before the job exits. Only the main thread can catch signals;
    elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # not settable here (an embedding program)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def worker_signals() -> None:
    """In a new worker: the job decides when to stop (SIGINT ignored), and SIGTERM is the
    default, not the job's handler inherited through fork."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
