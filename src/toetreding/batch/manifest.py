"""The batch manifest: per party, what was done, from which input, to which output.

A rerun reads it to skip what is still valid (same input digest, output file present with
the recorded SHA-256) and to redo the rest. It is rewritten atomically, so an interrupted
run leaves the last complete manifest; outputs are written atomically too, so a party is
either done (file and entry) or will be redone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from ..fileio import write_atomically

SCHEMA = "toetreding-batch/1"
MANIFEST_NAME = "manifest.json"


class Manifest:
    """Per-party records, keyed by CBS code."""

    def __init__(self, folder: Path, batch_file: Path) -> None:
        self.path = folder / MANIFEST_NAME
        self.batch_file = batch_file
        self.parties: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("schema") == SCHEMA:
                    self.parties = dict(data.get("partijen", {}))
            except (OSError, ValueError):
                self.parties = {}  # unreadable: start over (outputs are checked by hash anyway)

    def entry(self, code: str) -> dict[str, Any]:
        """The record of one party (created empty)."""
        return self.parties.setdefault(code, {})

    def stage_done(self, code: str, stage: str, expect: dict[str, str]) -> bool:
        """Whether ``stage`` is recorded with these inputs and its output is still intact."""
        record = self.parties.get(code, {}).get(stage)
        if not isinstance(record, dict):
            return False
        if any(record.get(key) != value for key, value in expect.items()):
            return False
        output = record.get("bestand")
        if output is None:
            return True
        path = Path(output)
        return path.is_file() and file_sha256(path) == record.get("sha256")

    def record(self, code: str, stage: str, **values: Any) -> None:
        """Set what a stage produced (and clear an old error)."""
        entry = self.entry(code)
        entry[stage] = {**values, "tijdstip": dt.datetime.now(dt.UTC).isoformat()}
        entry.pop("fout", None)

    def fail(self, code: str, stage: str, message: str) -> None:
        """Record a failure."""
        self.entry(code)["fout"] = {"stap": stage, "melding": message}

    def save(self) -> None:
        """Write atomically."""
        data = {"schema": SCHEMA, "batch": str(self.batch_file), "partijen": self.parties}
        write_atomically(
            self.path, json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True).encode()
        )


def file_sha256(path: Path) -> str:
    """SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
