"""The platform layer under per-unit isolation: how a worker's memory is capped here.

On Linux the cap is ``RLIMIT_AS`` (see jobs/isolation.py for why): an allocation past it fails
at once, inside the reader. Windows (and any Python without the ``resource`` module or
``/proc``) has no such limit for a process of its own, so there a watchdog thread in the
worker reads the worker's resident memory (psutil) every few milliseconds and ends the worker
with ``MEMORY_EXIT`` when it passes its start size plus the limit; the parent reports that as
the memory limit. The time limit is the parent's clock and works everywhere.

``mechanism()`` says in Vietnamese which of the two applies, for `tonghop doctor`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from pathlib import Path

if sys.platform == "win32":
    # What a context's Pipe() gives on each platform, for the pool's annotations.
    from multiprocessing.connection import PipeConnection as Conn
    from multiprocessing.context import SpawnContext as WorkerContext
else:
    from multiprocessing.connection import Connection as Conn
    from multiprocessing.context import ForkContext, SpawnContext

    WorkerContext = ForkContext | SpawnContext

__all__ = ["MEMORY_EXIT", "Conn", "WorkerContext", "limit_memory", "mechanism", "worker_context"]

MIB = 1024 * 1024

# The exit code of a worker the RSS watchdog ended (not a signal, not Python's own codes).
MEMORY_EXIT = 86

# How often the watchdog looks: a reader allocating 1 GB/s overshoots by at most ~20 MB.
_WATCH_SECONDS = 0.02

_STATM = Path("/proc/self/statm")


def _has_rlimit() -> bool:
    if sys.platform == "win32":
        return False
    try:
        import resource  # noqa: F401
    except ImportError:
        return False
    return _STATM.exists()


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def mechanism() -> str:
    """Which memory limit a unit's worker gets on this machine, in Vietnamese."""
    if _has_rlimit():
        return "giới hạn vùng nhớ của tiến trình (RLIMIT_AS), áp ngay khi cấp phát"
    if _has_psutil():
        return (
            "theo dõi bộ nhớ thường trú (psutil) mỗi 20 ms, dừng tiến trình đọc khi vượt giới hạn"
        )
    return "không có (thiếu mô-đun resource và psutil); chỉ còn giới hạn thời gian"


def limit_memory(memory_mb: int) -> None:
    """Cap this (worker) process at its current size plus ``memory_mb``, as the platform can."""
    if _has_rlimit():
        _limit_address_space(memory_mb)
    elif _has_psutil():
        _start_watchdog(memory_mb)


def _limit_address_space(memory_mb: int) -> None:
    if sys.platform == "win32":  # unreachable there; tells mypy --platform win32 as much
        return
    import resource

    pages = int(_STATM.read_text(encoding="ascii").split()[0])
    current = pages * os.sysconf("SC_PAGE_SIZE")
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = current + memory_mb * MIB
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _start_watchdog(memory_mb: int) -> None:
    import psutil

    me = psutil.Process()
    ceiling = me.memory_info().rss + memory_mb * MIB
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(_WATCH_SECONDS):
            if me.memory_info().rss > ceiling:
                os._exit(MEMORY_EXIT)  # no cleanup: the heap is the problem

    threading.Thread(target=watch, name="tonghop-memory-watchdog", daemon=True).start()


def worker_context() -> WorkerContext:
    """Fork where the platform has it (the worker inherits the jobs); else spawn (Windows)."""
    if sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def peak_rss_mib(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), in MiB; 0 when
    the platform cannot tell (children on Windows)."""
    if sys.platform != "win32":
        try:
            import resource
        except ImportError:
            pass
        else:
            who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
            # ru_maxrss is KiB on Linux, bytes on macOS.
            scale = 1 if sys.platform == "darwin" else 1024
            return resource.getrusage(who).ru_maxrss * scale / MIB
    if children or not _has_psutil():
        return 0.0
    import psutil

    info = psutil.Process().memory_info()
    return float(getattr(info, "peak_wset", info.rss)) / MIB
