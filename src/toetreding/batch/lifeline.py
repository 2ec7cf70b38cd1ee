"""Signals and process lifetimes in a batch: the leader stops cleanly, workers end with it.

Leader. Ctrl-C (SIGINT) and SIGTERM become an :class:`Interrupted` exception, so every
``finally`` and context manager runs — the signer's appearance sandbox and key, half-written
``.part`` files — and the run can report exactly what it wrote. While one party's output
is put in place and recorded, the exception waits (:meth:`Interrupts.deferred`): as far as
a signal goes, a file and its register entry are written together. Once the run winds
down (drains finished work, saves the manifest and summary) further signals are only noted,
so a second Ctrl-C cannot cut the bookkeeping short.

Workers. They are forked by multiprocessing's forkserver, so their parent is the
forkserver, not the leader: ``PR_SET_PDEATHSIG`` would watch the wrong process. And the
forkserver itself exits only when every holder of its "alive" pipe has gone — the leader
*and every worker* — while an idle worker waits for its next job for ever. So each worker
watches the leader itself (a pidfd on Linux, polling elsewhere) and stops when it
disappears; the forkserver and multiprocessing's resource tracker then follow on their own.
A worker ignores SIGINT (a terminal's Ctrl-C reaches the whole process group; the leader
decides what happens) and turns SIGTERM into :class:`WorkerStopped`, which unwinds the
current job and runs the cleanups (the Typst sandbox holds names and e-mail addresses).
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing import util
from types import FrameType, TracebackType
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

LEADER_SIGNALS = (signal.SIGINT, signal.SIGTERM)
WORKER_GRACE_SECONDS = 5.0
"""How long a worker whose leader died may take to stop by itself before it is cut off."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM reached the leader (a KeyboardInterrupt, so it is treated as one)."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


class Interrupts:
    """The leader's SIGINT/SIGTERM handling for the length of a run (a context manager).

    Outside the main thread signals cannot be handled; then nothing is installed and
    Python's own Ctrl-C behaviour stays.
    """

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}
        self._deferring = 0
        self._winding_down = False
        self.pending: int | None = None
        """A signal that arrived while it had to wait."""

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for number in LEADER_SIGNALS:
                self._previous[number] = signal.signal(number, self._arrived)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()

    def _arrived(self, number: int, frame: FrameType | None) -> None:
        if self._deferring or self._winding_down:
            self.pending = self.pending or number
            return
        raise Interrupted(number)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Let a signal wait until the block is done (then raise it), e.g. file + record."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
        if not self._deferring and not self._winding_down and self.pending is not None:
            number, self.pending = self.pending, None
            raise Interrupted(number)

    def wind_down(self) -> None:
        """From now on signals are only noted: the run is finishing its bookkeeping."""
        self._winding_down = True


# --- workers -------------------------------------------------------------------------------


class WorkerStopped(SystemExit):
    """SIGTERM (or the leader's death) in a worker: unwind the job, clean up, exit."""


_CLEANUPS: list[Callable[[], None]] = []


def prepare_worker(leader: int, cleanup: Callable[[], None] | None = None) -> None:
    """Call first in a worker's initialiser: signal handling, cleanup, the leader watch."""
    from .. import deferred_imports

    deferred_imports.install(defer_packages=True)  # a worker is toetreding's own process
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    if cleanup is not None:
        _CLEANUPS.append(cleanup)
        # runs when the worker ends normally or by an exception (multiprocessing calls
        # finalizers then; atexit does not run in its children)
        util.Finalize(None, cleanup, exitpriority=10)
    watch = threading.Thread(
        target=_watch_leader, args=(leader,), name="toetreding-leader-watch", daemon=True
    )
    watch.start()


def until_stopped(job: Callable[P, R]) -> Callable[P, R]:
    """Wrap a worker job: when the worker is stopped mid-job it exits, never returning to
    the pool's loop (which would catch the exception, send it to the leader and take the
    next job)."""

    @functools.wraps(job)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return job(*args, **kwargs)
        except WorkerStopped as stop:
            _run_cleanups()
            os._exit(stop.code if isinstance(stop.code, int) else 1)

    return guarded


_STOPPING = threading.Event()


def _stop_worker(number: int, frame: FrameType | None) -> None:
    """SIGTERM handler: stop once. A second SIGTERM (the process group's, then the leader
    watch's) must not cut the first stop's cleanup short."""
    if _STOPPING.is_set():
        return
    _STOPPING.set()
    raise WorkerStopped(128 + number)


def _run_cleanups() -> None:
    for cleanup in _CLEANUPS:
        with contextlib.suppress(Exception):
            cleanup()


def _watch_leader(leader: int) -> None:
    """Wait for the leader to end; then stop this worker (gently first)."""
    _wait_for_exit(leader)
    main = threading.main_thread().ident
    if main is not None and not _STOPPING.is_set():
        signal.pthread_kill(main, signal.SIGTERM)  # the main thread's handler unwinds
    time.sleep(WORKER_GRACE_SECONDS)
    _run_cleanups()  # the main thread is stuck somewhere: clean up and leave regardless
    os._exit(128 + signal.SIGTERM)


def _wait_for_exit(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux ≥ 5.3, or the leader is gone already
        _poll_until_gone(pid)
        return
    try:
        select.select([handle], [], [])  # readable once the process has ended
    finally:
        os.close(handle)


def _poll_until_gone(pid: int) -> None:
    while True:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return  # gone (a PermissionError: the pid now belongs to another user's process)
        time.sleep(0.5)
