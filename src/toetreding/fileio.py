"""Writing outputs safely: to a temporary file beside the target, then an atomic rename.

A reader (or a crash) never sees half a PDF, a failure leaves nothing behind, and an
existing file is replaced only once the new one is complete.

Which files a *command* may write is decided earlier, in :mod:`toetreding.outputs`. As a
last line of defence for every code path, nothing here ever replaces an SQLite database
(the register): nothing toetreding writes through this module is one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError
from .i18n import _

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def check_output_path(output: Path, *inputs: Path) -> None:
    """Refuse outputs whose folder is missing or that would overwrite an input."""
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(
            _("output folder '{folder}' does not exist").format(folder=folder),
            hint=_("create it first (mkdir -p {folder}) or choose another -o path").format(
                folder=folder
            ),
        )
    if output.is_dir():
        raise OutputError(
            _("'{path}' is a folder").format(path=output),
            hint=_("give a file name, e.g. -o verklaring.pdf"),
        )
    for source in inputs:
        if same_file(output, source):
            raise OutputError(
                _("'{path}' is also the input; the input is never overwritten").format(path=output),
                hint=_("choose another output name"),
            )
    if _is_database(output):
        raise OutputError(
            _("'{path}' is a database (the register?); it is never overwritten").format(
                path=output
            ),
            hint=_("choose another output name"),
        )


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _is_database(path: Path) -> bool:
    try:
        if not path.is_file():
            return False
        with path.open("rb") as stream:
            return stream.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def same_file(path: Path, other: Path) -> bool:
    """Same file by resolved path, or by identity (hard link, case-insensitive name)."""
    try:
        if path.resolve() == other.resolve():
            return True
        return path.exists() and other.exists() and os.path.samefile(path, other)
    except OSError:
        return False


def write_atomically(output: Path, data: bytes) -> str:
    """Write ``data`` to ``output`` via a temporary file and rename; return its SHA-256."""
    check_output_path(output)
    folder = output.parent if str(output.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{output.name[:200]}.", suffix=".part", dir=folder
        )
    except OSError as error:
        raise _write_error(output, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual mode
        os.replace(temporary, output)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _write_error(output, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def _write_error(output: Path, error: OSError) -> OutputError:
    """An OS error while writing, said so a clerk can act on it."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(
            _("cannot write '{path}': the disk is full ({reason})").format(
                path=output, reason=error.strerror
            ),
            hint=_("make room and run again; nothing was half-written"),
        )
    return OutputError(
        _("cannot write '{path}': {reason}").format(path=output, reason=error.strerror),
        hint=_("check the name (at most 255 characters), the folder's permissions and free space"),
    )
