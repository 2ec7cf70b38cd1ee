"""Compiled templates kept between runs, as Python keeps compiled modules in __pycache__.

Why: Jinja compiles a template to Python code on first use; the statement template and its
includes take ≈ 60 ms to compile, about a tenth of a cold `toetreding render` (issue #16),
and every render worker of a batch paid it again.

How: Jinja's file-system bytecode cache in the user's cache folder
(``$TOETREDING_CACHE_DIR``, else ``$XDG_CACHE_HOME/toetreding``, else
``~/.cache/toetreding``), subfolder ``jinja``. A cached entry is used only for the same
template source (Jinja compares a checksum), the same Jinja and Python (Jinja's header) and
the same environment: the key names the environment and toetreding's version, because code
compiled by another environment (not sandboxed, other settings) must never be run by ours.
The folder must be a real folder owned by this user and closed to others (0700), as Jinja
requires of its own default folder; anything else, or any error, means no cache: the
template is simply compiled, as before. Writes are atomic (Jinja writes a temporary file
and renames it), so parallel render workers can share the folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from ._version import __version__

CACHE_ENV = "TOETREDING_CACHE_DIR"


def cache_folder() -> Path:
    """Where toetreding keeps what it may recompute (the folder need not exist)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "toetreding"


class _EnvironmentKeyedCache(FileSystemBytecodeCache):
    """Jinja's cache with the environment's name and our version in every key."""

    def __init__(self, directory: Path, environment_name: str) -> None:
        super().__init__(str(directory), "%s.cache")
        self.environment_name = environment_name

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.environment_name}/{__version__}/{name}", filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged entry (cut short by a full disk): compile instead
            bucket.reset()


def template_cache(environment_name: str) -> jinja2.BytecodeCache | None:
    """The bytecode cache for one kind of environment, or None when none can be used safely."""
    try:
        folder = cache_folder() / "jinja"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
        if (
            not stat.S_ISDIR(info.st_mode)
            or info.st_uid != os.getuid()
            or stat.S_IMODE(info.st_mode) & 0o077
        ):
            return None  # a link, someone else's folder, or open to others: not ours to run
    except (OSError, RuntimeError):  # no home, read-only, …
        return None
    return _EnvironmentKeyedCache(folder, environment_name)
