"""Verifying many files: folders expanded to the PDFs in them, the work spread over cores.

An archivist checks a folder of statements, a coordinator a round's worth: verification is
CPU-bound (parsing, hashing, certificate paths, revocation lists), so with more than one
file the reports are made in worker processes (one per core by default) and come back in
the order the files were given. Workers only read; the leader records in the register.
"""

from __future__ import annotations

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
    folder elsewhere is not part of the archive). A folder without PDFs is an error, so a
    mistyped folder is not mistaken for "nothing failed".
    """
    files: list[Path] = []
    for argument in arguments:
        if not argument.is_dir():
            files.append(argument)
            continue
        found = sorted(_pdfs_below(argument))
        if not found:
            raise InputFileError(
                _("the folder {folder} holds no PDF files").format(folder=argument),
                hint=_("give the folder that holds the signed statements (*.pdf)"),
            )
        files.extend(found)
    return files


def _pdfs_below(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, folders, names in os.walk(folder, followlinks=False):
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
    processes (0: one per core)."""
    from .statement import verify_file

    workers = min(jobs or os.cpu_count() or 1, len(paths))
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        return [verify_file(path, options) for path in paths]
    from ..batch.run import worker_pool

    chunk = max(1, min(16, len(paths) // (workers * 4)))
    with worker_pool(workers, _init_worker, (options, os.getpid())) as pool:
        return list(pool.map(_verify_one, paths, chunksize=chunk))


def _init_worker(options: VerifyOptions, leader: int) -> None:
    from ..batch.lifeline import prepare_worker

    prepare_worker(leader)  # Ctrl-C is the leader's; the worker ends with the leader
    _STATE["options"] = options


def _verify_one(path: Path) -> VerificationReport:
    from .statement import verify_file

    return verify_file(path, _STATE["options"])
