"""Compiled templates kept between runs, as Python keeps compiled modules in __pycache__.

Why: Jinja compiles a template to Python code on first use; the statement template and its
includes take ≈ 60 ms to compile, about a tenth of a cold `toetreding render` (issue #16),
and every render worker of a batch paid it again.

How: Jinja's file-system bytecode cache in the user's cache folder
(``$TOETREDING_CACHE_DIR``, else ``$XDG_CACHE_HOME/toetreding``, else
``~/.cache/toetreding``; only absolute paths), subfolder ``jinja``. What is cached is code
that will run, so it is used only when nobody else can have written it:

- every folder from the root down to ``jinja`` (after resolving links) belongs to this
  user or root and is writable by no one else — a world-writable folder such as /tmp
  only with its sticky bit, so nobody can move our entries; ``jinja`` itself is 0700;
- each entry, opened without following links, is a regular file of this user that no one
  else may write;
- the key names everything that shapes the compiled code: the environment's class, its
  compile-time settings (delimiters, whitespace handling, autoescape, the sandbox's
  intercepted operators, …), Jinja's and Python's versions and toetreding's version —
  code compiled by another environment, or by an older Jinja, is never loaded; Jinja also
  compares a checksum of the template source.

Anything else, or any error, means no cache: the template is simply compiled, as before.
Writes are atomic (Jinja writes a temporary file and renames it), so parallel render
workers can share the folder.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from ._version import __version__

CACHE_ENV = "TOETREDING_CACHE_DIR"


def cache_folder() -> Path | None:
    """Where toetreding keeps what it may recompute (None: no absolute place is known)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit) if Path(explicit).is_absolute() else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "toetreding"
    home = Path.home()
    return home / ".cache" / "toetreding" if home.is_absolute() else None


def template_cache(environment: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """The bytecode cache for ``environment``, or None when none can be used safely."""
    try:
        base = cache_folder()
        if base is None:
            return None
        folder = base / "jinja"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        real = Path(os.path.realpath(folder))
        if not _only_ours(real) or stat.S_IMODE(real.lstat().st_mode) != 0o700:
            return None
    except (OSError, RuntimeError):  # no home, read-only, …
        return None
    return _KeyedCache(real, environment_fingerprint(environment))


def environment_fingerprint(environment: jinja2.Environment) -> str:
    """What shapes the code Jinja compiles for this environment, as one digest."""
    kind = type(environment)

    def named(value: Any) -> str:
        return getattr(value, "__qualname__", None) or repr(value)

    parts = [
        f"{kind.__module__}.{kind.__qualname__}",
        f"jinja {jinja2.__version__}",
        f"python {sys.version}",
        f"toetreding {__version__}",
        *(
            f"{name}={getattr(environment, name)!r}"
            for name in (
                "block_start_string",
                "block_end_string",
                "variable_start_string",
                "variable_end_string",
                "comment_start_string",
                "comment_end_string",
                "line_statement_prefix",
                "line_comment_prefix",
                "trim_blocks",
                "lstrip_blocks",
                "newline_sequence",
                "keep_trailing_newline",
                "optimized",
                "is_async",
                "sandboxed",
            )
        ),
        f"autoescape={named(environment.autoescape)}",
        f"finalize={named(environment.finalize)}",
        f"undefined={named(environment.undefined)}",
        f"extensions={sorted(environment.extensions)}",
        f"binops={sorted(getattr(environment, 'intercepted_binops', ()))}",
        f"unops={sorted(getattr(environment, 'intercepted_unops', ()))}",
        f"code generator={named(environment.code_generator_class)}",
        f"source={_source_digest(kind)}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _source_digest(kind: type) -> str:
    """The digest of the file that defines the environment's class (a changed sandbox in a
    development copy changes the key even when the version number does not)."""
    try:
        source = sys.modules[kind.__module__].__file__
        return hashlib.sha256(Path(source).read_bytes()).hexdigest() if source else "-"
    except (KeyError, OSError):
        return "-"


def _only_ours(folder: Path) -> bool:
    """Every folder from the root to ``folder`` belongs to us or root and nobody else may
    change what is in it (a shared folder only with its sticky bit)."""
    user = os.getuid()
    for part in [folder, *folder.parents]:
        info = part.lstat()
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            return False
        if info.st_uid not in (user, 0):
            return False
        if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            return False
    return True


class _KeyedCache(FileSystemBytecodeCache):
    """Jinja's cache with the environment's fingerprint in every key, reading only entries
    that are this user's own regular files."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        super().__init__(str(directory), "%s.cache")
        self.fingerprint = fingerprint

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.fingerprint}/{name}", filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            descriptor = os.open(
                self._get_cache_filename(bucket), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
            )
        except OSError:
            return  # not there (or a link): compile
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
                return  # not ours alone: compile instead
            try:
                bucket.load_bytecode(stream)
            except Exception:  # a damaged entry (cut short by a full disk): compile
                bucket.reset()
