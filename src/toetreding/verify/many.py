"""Verifying many files: folders expanded to the PDFs in them, the work spread over cores.

An archivist checks a folder of statements, a coordinator a round's worth: verification is
CPU-bound (parsing, hashing, certificate paths, revocation lists), so with more than one
file the reports are made in worker processes (one per core by default) and come back in
the order the files were given. Workers only read; the leader records in the register.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..i18n import _
from .options import VerifyOptions
from .report import VerificationReport

_STATE: dict[str, Any] = {}

PARALLEL_FROM = 8
"""Fewer files are verified in this process: a worker imports pyHanko and the rest anew
(≈ 1 s, in parallel), which only pays off from a handful of files per core."""


def pdf_files(arguments: Sequence[Path]) -> list[Path]:
    """The files to verify: each argument as given, a folder as the PDFs below it.

    A folder contributes its regular files named *.pdf (any case), in every subfolder,
    sorted by path; symbolic links inside it are not followed (a link to a device or to a
    folder elsewhere is not part of the archive). A folder without PDFs, or one with a
    subfolder that cannot be read, is an error: an archive check that skipped part of the
    archive must not end in "all passed". A file named twice is verified once.
    """
    files: list[Path] = []
    seen: set[Path] = set()
    for argument in arguments:
        found = sorted(_pdfs_below(argument)) if argument.is_dir() else [argument]
        if argument.is_dir() and not found:
            raise InputFileError(
                _("the folder {folder} holds no PDF files").format(folder=argument),
                hint=_("give the folder that holds the signed statements (*.pdf)"),
            )
        for path in found:
            key = Path(os.path.abspath(path))
            if key not in seen:
                seen.add(key)
                files.append(path)
    return files


def _pdfs_below(folder: Path) -> list[Path]:
    def unreadable(error: OSError) -> None:
        raise InputFileError(
            _("the folder {folder} cannot be read: {reason}").format(
                folder=error.filename or folder, reason=error.strerror or error
            ),
            hint=_(
                "give a folder whose subfolders you may all read, or verify the readable "
                "ones by name; nothing was verified"
            ),
        )

    found: list[Path] = []
    for root, folders, names in os.walk(folder, onerror=unreadable, followlinks=False):
        folders.sort()
        for name in names:
            path = Path(root) / name
            if name.lower().endswith(".pdf") and path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def verify_files(
    paths: Sequence[Path], options: VerifyOptions, *, jobs: int = 0
) -> list[VerificationReport]:
    """A report per file, in the order given; with more than one file, in ``jobs`` worker
    processes (0: one per core). A file whose worker stopped (killed, out of memory) gets
    an unreadable report saying so; the other files are still reported."""
    from .statement import verify_file

    workers = min(jobs or os.cpu_count() or 1, len(paths))
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        return [verify_file(path, options) for path in paths]
    reports: dict[int, VerificationReport] = {}
    pending = list(range(len(paths)))
    for _attempt in range(2):  # a stopped worker breaks the whole pool: retry once
        if pending:
            reports.update(_in_pool(paths, pending, options, workers))
            pending = [index for index in pending if index not in reports]
    for index in pending:
        reports[index] = _lost(paths[index])
    return [reports[index] for index in range(len(paths))]


def _in_pool(
    paths: Sequence[Path], indices: list[int], options: VerifyOptions, workers: int
) -> dict[int, VerificationReport]:
    """The reports of ``indices`` one pool could make (a broken pool leaves gaps)."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from ..batch.lifeline import Interrupts
    from ..batch.run import worker_pool

    done: dict[int, VerificationReport] = {}
    with Interrupts() as interrupts:
        pool = worker_pool(min(workers, len(indices)), _init_worker, (options, os.getpid()))
        try:
            with interrupts.deferred():  # a signal waits until every file is handed out
                futures: dict[int, Future[VerificationReport]] = {
                    index: pool.submit(_verify_one, paths[index]) for index in indices
                }
            for index, future in futures.items():
                try:
                    done[index] = future.result()
                except BrokenProcessPool:
                    continue
        except KeyboardInterrupt:
            # Ctrl-C or SIGTERM (the leader's): start nothing new, let the running files
            # finish, then go on with the interrupt (the CLI exits 130 or 143)
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    return done


def _lost(path: Path) -> VerificationReport:
    return VerificationReport(
        file=str(path),
        sha256=None,
        readable=False,
        error=_(
            "not verified: a worker process stopped while verifying (killed, or out of "
            "memory), also when tried again; verify this file again on its own"
        ),
        validated_at=dt.datetime.now(dt.UTC).isoformat(),
    )


def _init_worker(options: VerifyOptions, leader: int) -> None:
    from ..batch.lifeline import prepare_worker

    prepare_worker(leader)  # Ctrl-C is the leader's; the worker ends with the leader
    _STATE["options"] = options


def _verify_one(path: Path) -> VerificationReport:
    from ..batch.lifeline import until_stopped
    from .statement import verify_file

    report: VerificationReport = until_stopped(verify_file)(path, _STATE["options"])
    return report
