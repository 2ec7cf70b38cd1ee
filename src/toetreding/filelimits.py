"""Reading a file someone named, without trusting what it is: bounded, regular files only.

Every input toetreding reads by name (YAML, CSV, secrets, certificates, CRLs, PKCS#12 files,
decision documents) may be a mistake or a trap: ``/dev/zero`` never ends, ``/dev/urandom``
never ends either, and merely *opening* a named pipe (FIFO) blocks until someone writes to
it. So, before anything is opened, :func:`read_limited` asks the file system what the path
is and refuses anything but a regular file; it then opens without blocking, checks the
opened file again (the path may have been swapped in between), and reads at most
``limit + 1`` bytes, so a file that is too large is refused without ever being held in
memory whole. Each refusal is the caller's own error class, with a sentence that names
the file and what it should hold.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from .errors import InputFileError, ToetredingError
from .i18n import _

_CHUNK = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
"""O_NONBLOCK: even if a FIFO slipped past the first check, opening it does not block."""


def _not_regular_hint() -> str:
    return _("give the path of an ordinary file; devices, named pipes and sockets are never read")


def describe_kind(mode: int) -> str:
    """What a non-regular file is, in words a clerk can act on."""
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode):
        return _("a character device")
    if stat.S_ISBLK(mode):
        return _("a block device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a regular file")


def format_size(size: int) -> str:
    """4096 → '4 KB', 2097152 → '2 MB' (binary units, as the limits are written)."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return _("{count} bytes").format(count=size)


def _refuse(
    error: type[ToetredingError],
    sentence: str,
    what: str,
    path: Path,
    hint: str | None,
    **values: object,
) -> ToetredingError:
    """``sentence`` (translated, with ``{what}`` and ``{path}``) as the caller's error."""
    return error(sentence.format(what=what, path=path, **values), hint=hint)


def _unreadable(
    error: type[ToetredingError], what: str, path: Path, failure: OSError
) -> ToetredingError:
    return _refuse(
        error,
        _("{what} '{path}' cannot be read ({reason})"),
        what,
        path,
        None,
        reason=failure.strerror,
    )


def _open_regular(
    path: Path,
    *,
    limit: int | None,
    what: str,
    error: type[ToetredingError],
    missing_hint: str | None,
    size_hint: str | None,
    missing_message: str | None = None,
) -> int:
    """A descriptor of ``path`` once it is known to be a regular file within ``limit``."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        if missing_message is not None:
            raise error(missing_message, hint=missing_hint) from None
        raise _refuse(
            error, _("{what} '{path}' does not exist"), what, path, missing_hint
        ) from None
    except OSError as failure:
        raise _unreadable(error, what, path, failure) from None
    _check_regular(info, path, limit=limit, what=what, error=error, size_hint=size_hint)
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as failure:
        raise _unreadable(error, what, path, failure) from None
    try:
        _check_regular(
            os.fstat(descriptor), path, limit=limit, what=what, error=error, size_hint=size_hint
        )
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _check_regular(
    info: os.stat_result,
    path: Path,
    *,
    limit: int | None,
    what: str,
    error: type[ToetredingError],
    size_hint: str | None,
) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(
            error,
            _("{what} '{path}' is {kind}, not a regular file"),
            what,
            path,
            _not_regular_hint(),
            kind=describe_kind(info.st_mode),
        )
    if limit is not None and info.st_size > limit:
        raise _too_large(error, what, path, limit, size_hint)


def _too_large(
    error: type[ToetredingError], what: str, path: Path, limit: int, hint: str | None
) -> ToetredingError:
    return _refuse(
        error, _("{what} '{path}' is larger than {size}"), what, path, hint, size=format_size(limit)
    )


def read_limited(
    path: Path,
    *,
    limit: int,
    what: str | None = None,
    error: type[ToetredingError] = InputFileError,
    missing_hint: str | None = None,
    size_hint: str | None = None,
    missing_message: str | None = None,
) -> bytes:
    """The bytes of the regular file ``path``, refusing devices, pipes, folders and files
    larger than ``limit`` bytes (the size is checked before reading and while reading, as
    some files, e.g. under /proc, claim a size of 0). ``what`` names the file in messages
    ("the covenant", default "file"); ``missing_message`` replaces the whole message for a
    path that does not exist."""
    what = _("file") if what is None else what
    descriptor = _open_regular(
        path,
        limit=limit,
        what=what,
        error=error,
        missing_hint=missing_hint,
        size_hint=size_hint,
        missing_message=missing_message,
    )
    chunks: list[bytes] = []
    total = 0
    try:
        while total <= limit:
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as failure:
        raise _unreadable(error, what, path, failure) from None
    finally:
        os.close(descriptor)
    if total > limit:
        raise _too_large(error, what, path, limit, size_hint)
    return b"".join(chunks)


def sha256_of_file(
    path: Path,
    *,
    what: str | None = None,
    error: type[ToetredingError] = InputFileError,
    missing_hint: str | None = None,
) -> str:
    """SHA-256 of a regular file of any size, read in chunks (never whole in memory)."""
    what = _("file") if what is None else what
    descriptor = _open_regular(
        path, limit=None, what=what, error=error, missing_hint=missing_hint, size_hint=None
    )
    digest = hashlib.sha256()
    try:
        while chunk := os.read(descriptor, _CHUNK):
            digest.update(chunk)
    except OSError as failure:
        raise _unreadable(error, what, path, failure) from None
    finally:
        os.close(descriptor)
    return digest.hexdigest()
