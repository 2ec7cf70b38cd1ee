"""Writing outputs safely: to a temporary file beside the target, then an atomic rename.

A reader (or a crash) never sees half a PDF, a failure leaves nothing behind, and an
existing file is replaced only once the new one is complete.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def check_output_path(output: Path, *inputs: Path) -> None:
    """Refuse outputs whose folder is missing or that would overwrite an input."""
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(
            f"output folder '{folder}' does not exist",
            hint=f"create it first (mkdir -p {folder}) or choose another -o path",
        )
    if output.is_dir():
        raise OutputError(
            f"'{output}' is a folder", hint="give a file name, e.g. -o verklaring.pdf"
        )
    resolved = output.resolve()
    for source in inputs:
        if source.exists() and source.resolve() == resolved:
            raise OutputError(
                f"'{output}' is also the input; the input is never overwritten",
                hint="choose another output name",
            )


def write_atomically(output: Path, data: bytes) -> str:
    """Write ``data`` to ``output`` via a temporary file and rename; return its SHA-256."""
    check_output_path(output)
    folder = output.parent if str(output.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual mode
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()
