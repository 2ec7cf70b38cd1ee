"""The batch manifest: per party, what was done, from which input, to which output.

A rerun reads it to skip what is still valid (same input digest, output file present with
the recorded SHA-256) and to redo the rest. It is rewritten atomically, so an interrupted
run leaves the last complete manifest; outputs are written atomically too.

The manifest is a convenience, saved every few seconds; the register is the record, written
per party as each step happens. After a kill the manifest may lag behind: the run then
reconciles it with the output folder and the register (see :mod:`.recovery`).

Paths are stored relative to the output folder (the manifest's own folder), so a rerun
from any working directory — or of a moved output folder — finds them. Where a party's
outputs are is fixed (``<folder>/<code>/<file>``), so a record is checked at that place;
the path a record stores is only informative, which is how older manifests (schema 1, with
paths relative to wherever the batch was started, or absolute) are still read correctly.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from ..errors import OutputError
from ..fileio import write_atomically
from ..i18n import _

SCHEMA = "toetreding-batch/2"
READABLE = frozenset({"toetreding-batch/1", SCHEMA})
MANIFEST_NAME = "manifest.json"
SAVE_INTERVAL_SECONDS = 2.0
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class Manifest:
    """Per-party records, keyed by CBS code."""

    def __init__(self, folder: Path, batch_file: Path) -> None:
        self.folder = folder
        self.path = folder / MANIFEST_NAME
        self.batch_file = batch_file
        self.parties: dict[str, dict[str, Any]] = {}
        self._saved_at = time.monotonic()
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("schema") in READABLE:
                    self.parties = dict(data.get("partijen", {}))
            except (OSError, ValueError):
                self.parties = {}  # unreadable: start over (outputs are checked by hash anyway)

    def entry(self, code: str) -> dict[str, Any]:
        """The record of one party (created empty)."""
        return self.parties.setdefault(code, {})

    def relative(self, path: Path) -> str:
        """How a path in the output folder is written down (POSIX, relative to the folder)."""
        return path.relative_to(self.folder).as_posix()

    def matching(self, code: str, stage: str, expect: dict[str, str]) -> dict[str, Any] | None:
        """The record of ``stage`` when it was made from these inputs, else None."""
        record = self.parties.get(code, {}).get(stage)
        if not isinstance(record, dict):
            return None
        if any(record.get(key) != value for key, value in expect.items()):
            return None
        return record

    def holds(self, code: str, stage: str, expect: dict[str, str], output: Path) -> bool:
        """Whether ``stage`` is recorded with these inputs and ``output`` is that output.

        The record's own path is not trusted (older manifests stored it relative to the
        folder the batch was started from); it is brought up to date when it matches.
        """
        record = self.matching(code, stage, expect)
        if record is None or not output.is_file():
            return False
        try:
            if file_sha256(output) != record.get("sha256"):
                return False
        except OSError:
            return False
        record["bestand"] = self.relative(output)
        return True

    def record(self, code: str, stage: str, **values: Any) -> None:
        """Set what a stage produced (and clear an old error)."""
        entry = self.entry(code)
        entry[stage] = {**values, "tijdstip": dt.datetime.now(dt.UTC).isoformat()}
        entry.pop("fout", None)

    def fail(self, code: str, stage: str, message: str) -> None:
        """Record a failure."""
        self.entry(code)["fout"] = {"stap": stage, "melding": message}

    def save_if_due(self) -> None:
        """Save when the last save is a few seconds old (the register has every step)."""
        if time.monotonic() - self._saved_at >= SAVE_INTERVAL_SECONDS:
            self.save()

    def save(self) -> None:
        """Write atomically."""
        data = {"schema": SCHEMA, "batch": str(self.batch_file), "partijen": self.parties}
        encoded = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True).encode()
        try:
            write_atomically(self.path, encoded)
        except OSError as error:
            raise OutputError(
                _("the manifest could not be saved: {reason}").format(
                    reason=write_problem(self.path, error)
                ),
                hint=_(
                    "every finished step is in the register; run the batch again once "
                    "the output folder is writable and it picks up from there"
                ),
            ) from None
        self._saved_at = time.monotonic()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_problem(path: Path, error: OSError) -> str:
    """A one-line reason why ``path`` could not be written (a full disk said plainly)."""
    reason = error.strerror or type(error).__name__
    if error.errno in DISK_FULL:
        return _(
            "cannot write '{path}': the disk is full ({reason}); make room and run again"
        ).format(path=path, reason=reason)
    return _("cannot write '{path}': {reason}").format(path=path, reason=reason)
