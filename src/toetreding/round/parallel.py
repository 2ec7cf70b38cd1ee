"""Running a round's checks in worker processes, results handled by the leader as they come.

The leader is the only process that writes state files and the register; a result is
handled with Ctrl-C and SIGTERM held off, so a file and its entry are written together.
On an interrupt no new work starts, finished results are still handled, and the interrupt
goes on (the caller reports what was done).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, as_completed
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
    from ..i18n import _

    try:
        _key, result = future.result()
    except BrokenProcessPool:
        if interrupts.pending is None:
            failed(key, _("a worker process stopped unexpectedly; run again"))
        return
    except Exception as error:  # a bug with one file must not stop the others
        failed(key, f"{type(error).__name__}: {error}")
        return
    handle(key, result)
