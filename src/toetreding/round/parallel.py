"""Running a round's checks in worker processes, results handled by the leader as they come.

The leader is the only process that writes state files and the register; a result is
handled with Ctrl-C and SIGTERM held off, so a file and its entry are written together.
On an interrupt no new work starts, finished results are still handled, and the interrupt
goes on (the caller reports what was done).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..batch.lifeline import Interrupts
from ..batch.run import worker_pool

Call = tuple[Callable[..., Any], tuple[Any, ...]]


class RoundInterrupted(KeyboardInterrupt):
    """A round step (collect, accept) stopped by Ctrl-C or SIGTERM; ``outcome`` counts what
    was done and recorded until then (its ``interrupted`` holds the signal)."""

    def __init__(self, outcome: Any) -> None:
        super().__init__(outcome.interrupted)
        self.outcome = outcome


Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): 'match', 'check', 'sign' or 'verify'."""


def in_workers(
    jobs: int,
    setup: Call,
    calls: dict[str, Call],
    handle: Callable[[str, Any], None],
    failed: Callable[[str, str], None],
    interrupts: Interrupts,
    progress: Callable[[int, int], None],
) -> None:
    """Run ``calls`` (by key) in up to ``jobs`` workers; ``handle`` each result."""
    if not calls:
        return
    workers = min(jobs or os.cpu_count() or 1, len(calls))
    futures: dict[Future[Any], str] = {}
    handled: set[Future[Any]] = set()
    with worker_pool(workers, *setup) as pool:
        try:
            for key, (function, arguments) in calls.items():
                futures[pool.submit(function, *arguments)] = key
            for done, future in enumerate(as_completed(futures), 1):
                handled.add(future)
                with interrupts.deferred():
                    _take(futures[future], future, handle, failed, interrupts)
                progress(done, len(calls))
        except KeyboardInterrupt:
            interrupts.wind_down()
            pool.shutdown(wait=True, cancel_futures=True)
            for future, key in futures.items():
                finished = future.done() and not future.cancelled()
                if future not in handled and finished and future.exception() is None:
                    handle(key, future.result()[1])
            raise


def _take(
    key: str,
    future: Future[Any],
    handle: Callable[[str, Any], None],
    failed: Callable[[str, str], None],
    interrupts: Interrupts,
) -> None:
    result = _result("", key, future, lambda _stage, k, message: failed(k, message), interrupts)
    if result is not None:
        handle(key, result)


Submit = Callable[[str, str, Call], None]
"""submit(stage, key, call): start one more call in the workers."""


def in_pipeline(
    jobs: int,
    setup: Call,
    first: list[tuple[str, str, Call]],
    handle: Callable[[str, str, Any, Submit], None],
    failed: Callable[[str, str, str], None],
    interrupts: Interrupts,
    after_interrupt: Callable[[str, str, Any], None],
) -> None:
    """Run calls in up to ``jobs`` workers, where handling one result may start another.

    Each call has a stage and a key; ``handle(stage, key, result, submit)`` runs in the
    leader as results come (outside ``interrupts.deferred()``: it defers what must not be
    cut in half itself), and may ``submit`` follow-up calls. ``failed(stage, key, message)``
    takes a call that raised. On an interrupt no new call starts; results that were
    finished but not handled go to ``after_interrupt`` and the interrupt goes on.
    """
    if not first:
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(first)))
    pending: dict[Future[Any], tuple[str, str]] = {}
    with worker_pool(workers, *setup) as pool:

        def submit(stage: str, key: str, call: Call) -> None:
            function, arguments = call
            pending[pool.submit(function, *arguments)] = (stage, key)

        try:
            for stage, key, call in first:
                submit(stage, key, call)
            while pending:
                done, _running = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    stage, key = pending.pop(future)
                    result = _result(stage, key, future, failed, interrupts)
                    if result is not None:
                        handle(stage, key, result, submit)
        except KeyboardInterrupt:
            interrupts.wind_down()
            pool.shutdown(wait=True, cancel_futures=True)
            for future, (stage, key) in pending.items():
                if future.done() and not future.cancelled() and future.exception() is None:
                    after_interrupt(stage, key, future.result()[1])
            raise
        except BaseException:  # e.g. a wrong passphrase: stop at once, start nothing more
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _result(
    stage: str,
    key: str,
    future: Future[Any],
    failed: Callable[[str, str, str], None],
    interrupts: Interrupts,
) -> Any:
    from ..i18n import _

    try:
        _key, result = future.result()
    except BrokenProcessPool:
        if interrupts.pending is None:
            failed(stage, key, _("a worker process stopped unexpectedly; run again"))
        return None
    except Exception as error:  # a bug with one file must not stop the others
        failed(stage, key, f"{type(error).__name__}: {error}")
        return None
    return result
