"""The prepare stage's worker pool: a job over its CPU time stops only that job (issue 14 §2)."""

from __future__ import annotations

import pytest

from factledger.archive.prepare_pool import PreparePool, PrepareTimeoutError

pytestmark = pytest.mark.integration


def double(value: int) -> int:
    return value * 2


def refuse(value: int) -> int:
    raise ValueError(f"bad value {value}")


def spin(_value: int) -> int:
    # Hostile input: a job that never ends on its own, as one C call on a hostile page would not.
    while True:
        pass


def test_a_job_over_its_cpu_time_is_stopped_and_the_pool_goes_on() -> None:
    pool = PreparePool(1, cpu_seconds=1.0)
    try:
        stuck = pool.submit(spin, 0)
        after = pool.submit(double, 21)
        with pytest.raises(PrepareTimeoutError, match="more than 1 s of CPU"):
            stuck.result(timeout=120)
        assert after.result(timeout=120) == 42  # run by the worker that replaced the stopped one
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_a_job_error_reaches_the_caller_and_the_worker_stays() -> None:
    pool = PreparePool(1, cpu_seconds=30.0)
    try:
        with pytest.raises(ValueError, match="bad value 3"):
            pool.submit(refuse, 3).result(timeout=120)
        assert pool.submit(double, 5).result(timeout=120) == 10
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_the_worker_processes_start_before_the_first_job() -> None:
    # Their imports then overlap the run's first fetches instead of holding up its first pages.
    import multiprocessing
    import time

    pool = PreparePool(2, cpu_seconds=30.0)
    try:
        deadline = time.monotonic() + 60
        while len(multiprocessing.active_children()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(multiprocessing.active_children()) == 2
        assert pool.submit(double, 4).result(timeout=120) == 8
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    assert multiprocessing.active_children() == []
