"""Run each unit's read and parse in a worker process, under a memory and a time limit.

A unit's file is untrusted, and the readers underneath are not all Python: calamine (Rust)
aborts the whole process when an allocation fails, and a parser stuck on a pathological file
never returns. So every unit is handed to a worker process of its own pool slot, one unit at a
time, and the parent watches each slot: a result, a death (abort, segfault, the OOM killer), or
the unit's time running out. A failed unit becomes a ``Failure`` with a Vietnamese reason, its
worker is replaced, and the other units go on.

The memory limit (jobs/limits.py: where the platform has no ``resource``, e.g. Windows, an RSS
watchdog in the worker stands in) is ``RLIMIT_AS`` set in the worker at start to its own address space plus
``unit_memory_mb``. Measured (README, "Giới hạn"): a worker forked from the job has ~170 MiB
of address space but ~40 MiB resident, and a report's read adds < 10 MiB to either, so a
limit relative to the worker's own size lets every normal report through while a 1.2 GB
inflation or calamine's 512 GB request fails at once. ``RLIMIT_DATA`` behaves the same on
Linux ≥ 4.7 but misses file-backed mappings; watching RSS from the parent reacts only after
the memory is already taken.

Workers are forked (POSIX), so the function and its jobs are inherited, never pickled; only a
job's index goes to the worker and its result comes back.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from .limits import MEMORY_EXIT, Conn, limit_memory, worker_context
from .worker_life import (
    die_with_parent,
    drop_parent_end,
    forget_parent_ends,
    keep_parent_end,
    stop_on_sigterm,
    worker_signals,
)

log = logging.getLogger(__name__)

J = TypeVar("J")
R = TypeVar("R")

MIB = 1024 * 1024


@dataclass(frozen=True)
class Failure:
    """Why a unit's worker gave no result: English for the log, Vietnamese for people."""

    reason: str
    message_vi: str


def memory_failure(memory_mb: int) -> Failure:
    return Failure(
        f"over the memory limit of {memory_mb} MiB",
        f"Tệp quá lớn hoặc quá phức tạp để đọc (vượt giới hạn bộ nhớ {memory_mb} MiB). Hãy tải "
        "mẫu báo cáo, chép số liệu vào đó và gửi lại; nếu tệp đúng là lớn như vậy, báo Huyện ủy "
        "nâng unit_memory_mb trong mục [limits] của tonghop.toml.",
    )


def time_failure(seconds: int) -> Failure:
    return Failure(
        f"not read within {seconds} s",
        f"Đọc tệp quá {seconds} giây nên đã dừng (tệp quá lớn, quá phức tạp, hoặc không phải "
        "tệp thông thường). Hãy tải mẫu báo cáo, chép số liệu vào đó và gửi lại.",
    )


def crash_failure(exitcode: int | None, memory_mb: int) -> Failure:
    if exitcode == MEMORY_EXIT:  # ended by the memory watchdog (no RLIMIT_AS here, jobs/limits.py)
        return memory_failure(memory_mb)
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
    else:
        name = f"exit code {exitcode}"
    return Failure(
        f"the reader died ({name})",
        f"Trình đọc bảng tính bị dừng đột ngột khi đọc tệp này ({name}), thường do tệp quá lớn "
        f"(vượt giới hạn bộ nhớ {memory_mb} MiB) hoặc bị hỏng. Hãy mở bằng Excel, lưu lại, "
        "hoặc chép số liệu sang mẫu mới và gửi lại.",
    )


def error_failure(detail: str) -> Failure:
    return Failure(
        f"the reader failed: {detail}",
        "Không đọc được tệp do một lỗi của chương trình khi đọc (đã ghi vào nhật ký để kiểm tra). "
        "Hãy mở bằng Excel, lưu lại và gửi lại; nếu vẫn lỗi, báo Huyện ủy.",
    )


def _worker(conn: Conn, fn: Callable[[Any], Any], jobs: Sequence[Any], memory_mb: int) -> None:
    forget_parent_ends()  # else the job's death is no end-of-file here (jobs/worker_life.py)
    die_with_parent()
    worker_signals()  # the parent decides when to stop
    faulthandler.disable()  # a crash is reported once, by the parent, not as a C stack dump
    limit_memory(memory_mb)
    while True:
        try:
            index = conn.recv()
        except EOFError:
            return
        if index is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(jobs[index]))
        except MemoryError:
            conn.send((index, ("memory", "")))
            return  # its heap may be fragmented or half-freed: a fresh worker takes over
        except Exception:  # a bug on one unit's file must not stop the others: logged by the parent
            reply = ("error", traceback.format_exc(limit=-8))
        try:
            conn.send((index, reply))
        except MemoryError:
            conn.send((index, ("memory", "")))
            return


# Jobs sent ahead to each worker: the next one waits in its pipe, so a worker never idles
# while the job collects a result. A crash is still charged to the job it was working on, the
# first one sent and not answered; the ones behind it go back to the queue.
_AHEAD = 2


class _Slot:
    def __init__(self, process: BaseProcess, conn: Conn) -> None:
        self.process = process
        self.conn = conn
        self.sent: deque[int] = deque()  # jobs sent and not answered; the first is running
        self.started = 0.0  # when the first of them started


class Isolated(Generic[J, R]):
    """Apply ``fn`` to each job in worker processes, one job per worker at a time."""

    def __init__(
        self,
        fn: Callable[[J], R],
        jobs: Sequence[J],
        *,
        workers: int,
        memory_mb: int,
        seconds: int,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        self.fn = fn
        self.jobs = jobs
        self.workers = max(1, min(workers, len(jobs)))
        self.memory_mb = memory_mb
        self.seconds = seconds
        self.on_done = on_done
        self.ctx = worker_context()
        self.results: dict[int, R | Failure] = {}
        self.pending: deque[int] = deque()

    def run(self) -> list[R | Failure]:
        """Every job's result or ``Failure``, in the jobs' order."""
        if not self.jobs:
            return []
        self.pending = deque(range(len(self.jobs)))
        slots: list[_Slot] = []
        with stop_on_sigterm():
            try:
                for _ in range(self.workers):
                    slots.append(self._start())  # one by one: a SIGTERM here stops those started
                self._loop(slots)
            finally:
                for slot in slots:
                    self._stop(slot)
        return [self.results[i] for i in range(len(self.jobs))]

    def _loop(self, slots: list[_Slot]) -> None:
        while len(self.results) < len(self.jobs):
            for i, slot in enumerate(slots):
                slots[i] = self._fill(slot)
            busy = [s for s in slots if s.sent]
            now = time.monotonic()
            timeout = max(0.0, min(s.started + self.seconds for s in busy) - now)
            ready = set(wait([w for s in busy for w in (s.conn, s.process.sentinel)], timeout))
            for i, slot in enumerate(slots):
                if not slot.sent:
                    continue
                if slot.conn in ready or slot.process.sentinel in ready:
                    slots[i] = self._collect(slot)
                elif time.monotonic() - slot.started > self.seconds:
                    slots[i] = self._fail(slot, time_failure(self.seconds), kill=True)

    def _start(self) -> _Slot:
        parent, child = self.ctx.Pipe()
        keep_parent_end(parent)  # closed in this worker and in every later one
        process = self.ctx.Process(
            target=_worker, args=(child, self.fn, self.jobs, self.memory_mb), daemon=True
        )
        process.start()
        child.close()
        return _Slot(process, parent)

    def _fill(self, slot: _Slot) -> _Slot:
        if not slot.sent and not slot.process.is_alive():  # died idle (killed from outside)
            self._stop(slot)
            slot = self._start()
        while len(slot.sent) < _AHEAD and self.pending:
            index = self.pending.popleft()
            try:
                slot.conn.send(index)
            except OSError:  # it just died: its death is collected with the job it was on
                self.pending.appendleft(index)
                break
            if not slot.sent:
                slot.started = time.monotonic()
            slot.sent.append(index)
        return slot

    def _collect(self, slot: _Slot) -> _Slot:
        assert slot.sent
        try:
            if not slot.conn.poll():
                raise EOFError
            index, (tag, payload) = slot.conn.recv()
        except (EOFError, OSError):
            slot.process.join(5)
            return self._fail(slot, crash_failure(slot.process.exitcode, self.memory_mb))
        if tag == "memory":
            return self._fail(slot, memory_failure(self.memory_mb))
        assert index == slot.sent[0]
        slot.sent.popleft()
        slot.started = time.monotonic()
        if tag == "ok":
            self._done(index, payload)
            return slot
        log.error("lỗi chương trình khi đọc tệp thứ %d:\n%s", index, payload)
        last = str(payload).strip().splitlines()[-1:] or [""]
        self._done(index, error_failure(last[0]))
        return slot

    def _fail(self, slot: _Slot, failure: Failure, *, kill: bool = False) -> _Slot:
        """Charge ``failure`` to the job the slot's worker was on, requeue the jobs sent after
        it, and put a fresh worker in the slot."""
        if kill:
            slot.process.kill()
        self._done(slot.sent.popleft(), failure)
        self.pending.extendleft(reversed(slot.sent))
        slot.sent.clear()
        self._stop(slot)
        return self._start()

    def _done(self, index: int, result: R | Failure) -> None:
        self.results[index] = result
        if self.on_done:
            self.on_done()

    @staticmethod
    def _stop(slot: _Slot) -> None:
        if slot.process.is_alive() and not slot.sent:
            with contextlib.suppress(OSError):  # already gone: killed below if not
                slot.conn.send(None)
            slot.process.join(2)
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join()
        slot.conn.close()
        drop_parent_end(slot.conn)
