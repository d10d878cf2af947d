"""The worker pool on real processes: a job that aborts, stalls, eats memory or raises fails
alone, with its reason, and every other job's result comes back in order."""

from __future__ import annotations

import os
import time

from jobs.isolation import Failure, Isolated


def work(job: str) -> str:
    if job == "abort":
        os.abort()  # what calamine does when an allocation fails
    if job == "stall":
        time.sleep(60)
    if job == "eat":
        return str(len(bytearray(2 << 30)))  # 2 GiB
    if job == "raise":
        raise RuntimeError("a bug on this file")
    if job == "die":
        os._exit(3)
    return job.upper()


def test_each_failure_stays_with_its_job() -> None:
    jobs = ["a", "abort", "b", "stall", "c", "eat", "d", "raise", "e", "die", "f"]
    out = Isolated(work, jobs, workers=2, memory_mb=256, seconds=2).run()
    assert [o for o in out if not isinstance(o, Failure)] == ["A", "B", "C", "D", "E", "F"]
    failures = {j: o for j, o in zip(jobs, out, strict=True) if isinstance(o, Failure)}
    assert "SIGABRT" in failures["abort"].reason
    assert "within 2 s" in failures["stall"].reason
    assert "memory limit of 256 MiB" in failures["eat"].reason
    assert "a bug on this file" in failures["raise"].reason
    assert "exit code 3" in failures["die"].reason
    for failure in failures.values():
        assert "Hãy" in failure.message_vi


def test_one_worker_and_no_jobs() -> None:
    assert Isolated(work, [], workers=4, memory_mb=64, seconds=5).run() == []
    done: list[int] = []
    out = Isolated(work, ["x", "y"], workers=1, memory_mb=64, seconds=5,
                   on_done=lambda: done.append(1)).run()  # fmt: skip
    assert out == ["X", "Y"] and len(done) == 2
