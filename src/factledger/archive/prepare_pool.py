"""Worker processes for the prepare stage, with a hard CPU-time bound on each job.

A page's text extraction is mostly one C call (lexbor's parse, pypdf's decoding), which no Python
timer can interrupt. So each worker process runs its job under ``RLIMIT_CPU``: the kernel stops the
worker (SIGXCPU) once the job has used its CPU seconds, the pool reports ``PrepareTimeoutError`` for
that job and starts a fresh worker, and the other jobs never notice. ``concurrent.futures``'
process pool cannot do this: one dead worker breaks the whole pool.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import queue
import resource
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from multiprocessing.connection import Connection
from typing import Any, Final, ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")
_STOP: Final = None


class PrepareTimeoutError(Exception):
    """A job used more CPU time than allowed and its worker was stopped."""


class PrepareWorkerError(Exception):
    """A worker process died during a job for another reason (killed, out of memory)."""


def _serve(connection: Connection, cpu_seconds: float) -> None:
    """The worker's loop: run each job under a CPU-time limit; send back its result or exception."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    # SIGXCPU's default action dumps core: a stopped worker must not leave a core file behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is _STOP:
            return
        function, argument = job
        used = resource.getrusage(resource.RUSAGE_SELF)
        limit = math.ceil(used.ru_utime + used.ru_stime + cpu_seconds)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
        try:
            outcome: tuple[bool, Any] = (True, function(argument))
        except BaseException as exc:
            outcome = (False, exc)
        connection.send(outcome)


class _Worker:
    def __init__(self, context: Any, cpu_seconds: float) -> None:
        self.connection, child = multiprocessing.Pipe()
        self.process = context.Process(target=_serve, args=(child, cpu_seconds), daemon=True)
        self.process.start()
        child.close()

    def run(self, function: Callable[[Any], Any], argument: Any) -> Any:
        self.connection.send((function, argument))
        ok, value = self.connection.recv()  # EOFError when the worker died
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(_STOP)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class PreparePool(Executor):
    """``workers`` spawned processes, each job limited to ``cpu_seconds`` of CPU (see the module doc).

    Only ``submit(fn, arg)`` with one picklable argument, which is all the runner needs."""

    def __init__(self, workers: int, cpu_seconds: float) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._cpu_seconds = cpu_seconds
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[Any], Any], Any] | None] = (
            queue.SimpleQueue()
        )
        self._shutdown = False
        self._threads = [threading.Thread(target=self._slot, daemon=True) for _ in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        if self._shutdown:
            raise RuntimeError("cannot submit to a pool that was shut down")
        if len(args) != 1 or kwargs:
            raise TypeError("PreparePool runs functions of one positional argument")
        future: Future[_T] = Future()
        self._jobs.put((future, fn, args[0]))
        return future

    def _slot(self) -> None:
        """One worker process's thread: feed it jobs; replace it when a job killed it."""
        worker: _Worker | None = None
        try:
            # Started at once, not at the first job: a new interpreter's imports take a few tenths of a
            # second, which then overlap the run's first fetches instead of holding up its first pages.
            worker = _Worker(self._context, self._cpu_seconds)
            while (item := self._jobs.get()) is not None:
                future, function, argument = item
                if not future.set_running_or_notify_cancel():
                    continue
                if worker is None:
                    worker = _Worker(self._context, self._cpu_seconds)
                try:
                    future.set_result(worker.run(function, argument))
                except (EOFError, OSError):
                    worker.process.join(timeout=5)
                    code = worker.process.exitcode
                    worker.connection.close()
                    worker = None
                    if code == -signal.SIGXCPU:
                        future.set_exception(PrepareTimeoutError(f"more than {self._cpu_seconds:g} s of CPU"))
                    else:
                        future.set_exception(PrepareWorkerError(f"worker process died (exit code {code})"))
                except BaseException as exc:
                    future.set_exception(exc)
        finally:
            if worker is not None:
                worker.stop()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shutdown = True
        if cancel_futures:
            while True:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in self._threads:
            self._jobs.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
