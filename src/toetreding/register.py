"""The register: an append-only, hash-chained record of renders, chains, signatures and
validations (Archiefregeling art. 24c), in one SQLite file in the workspace.

Every entry stores the SHA-256 of the previous entry, and its own hash covers its number,
moment, kind, payload and that previous hash. Editing, deleting, inserting or reordering
entries breaks the chain at a place `register verify` can name. Deleting entries at the
*end* leaves a shorter but consistent chain, so the head (number and hash of the newest
entry) is also written to a small file beside the database (``….head``); truncation below
that head is reported too. (Someone who can rewrite both files can rewrite history: keep a
copy of the head that `register verify` prints somewhere else, e.g. in the archive's
own system, for proof against that.)

Writers take SQLite's write lock (``BEGIN IMMEDIATE``) before reading the last hash, so
two processes appending at once are serialised and lose nothing; WAL mode lets readers
carry on meanwhile.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import ToetredingError

GENESIS = "0" * 64
FORMAT = "toetreding-register/1"


class RegisterError(ToetredingError):
    """The register cannot be opened or written."""


class EntryKind(StrEnum):
    """What an entry records."""

    RENDER = "render"
    CHAIN = "bevoegdheid"
    SIGNATURE = "ondertekening"
    ACCEPTANCE = "aanvaarding"
    EXTENSION = "verlenging"
    VALIDATION = "validatie"


@dataclass(frozen=True)
class Entry:
    """One register entry."""

    seq: int
    recorded_at: str
    kind: str
    payload: dict[str, Any]
    previous_hash: str
    entry_hash: str

    def as_dict(self) -> dict[str, Any]:
        """For export."""
        return {
            "seq": self.seq,
            "recorded_at": self.recorded_at,
            "kind": self.kind,
            "payload": self.payload,
            "previous_hash": self.previous_hash,
            "entry_hash": self.entry_hash,
        }


@dataclass(frozen=True)
class RegisterCheck:
    """The outcome of `register verify`."""

    entries: int
    head_hash: str
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        """True when nothing was found wrong."""
        return not self.problems


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    seq: int, recorded_at: str, kind: str, payload: dict[str, Any], previous: str
) -> str:
    """The hash an entry must carry."""
    body = canonical(
        {
            "seq": seq,
            "recorded_at": recorded_at,
            "kind": kind,
            "payload": payload,
            "previous": previous,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class Register:
    """A register file. Cheap to open; use as a context manager or call close()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.head_path = path.with_name(path.name + ".head")
        if not path.parent.is_dir():
            raise RegisterError(
                f"the register's folder '{path.parent}' does not exist",
                hint="create it, or set 'register' in toetreding.yaml to a path in the workspace",
            )
        try:
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, recorded_at TEXT "
                "NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, previous_hash TEXT NOT NULL, "
                "entry_hash TEXT NOT NULL)"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
        except sqlite3.DatabaseError as error:
            raise RegisterError(
                f"'{path}' is not a usable register: {error}",
                hint="point 'register' in toetreding.yaml at a new file, and keep the damaged one",
            ) from None

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def append(self, kind: EntryKind, payload: dict[str, Any]) -> Entry:
        """Add one entry at the end of the chain (serialised across processes)."""
        return self.append_many([(kind, payload)])[0]

    def append_many(self, items: list[tuple[EntryKind, dict[str, Any]]]) -> list[Entry]:
        """Add entries in one transaction (a batch records hundreds at once)."""
        if not items:
            return []
        written: list[Entry] = []
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                last = self._db.execute(
                    "SELECT seq, entry_hash FROM entries ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                seq, previous = (last[0], last[1]) if last else (0, GENESIS)
                for kind, raw in items:
                    payload = json.loads(canonical(raw))  # exactly what is hashed and stored
                    seq += 1
                    moment = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
                    digest = entry_hash(seq, moment, kind.value, payload, previous)
                    self._db.execute(
                        "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                        (seq, moment, kind.value, canonical(payload), previous, digest),
                    )
                    written.append(Entry(seq, moment, kind.value, payload, previous, digest))
                    previous = digest
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as error:
            raise RegisterError(f"cannot write to the register '{self.path}': {error}") from None
        self._advance_head(written[-1].seq, written[-1].entry_hash)
        return written

    def _advance_head(self, seq: int, digest: str) -> None:
        """Move the head file forward (never back), under a file lock."""
        with open(self.head_path, "a+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            current = handle.read().split()
            if current and current[0].isdigit() and int(current[0]) >= seq:
                return
            handle.seek(0)
            handle.truncate()
            handle.write(f"{seq} {digest}\n")
            handle.flush()
            os.fsync(handle.fileno())

    def entries(self, kind: str | None = None) -> Iterator[Entry]:
        """Entries in order (optionally of one kind)."""
        query = "SELECT seq, recorded_at, kind, payload, previous_hash, entry_hash FROM entries"
        arguments: tuple[str, ...] = ()
        if kind is not None:
            query += " WHERE kind = ?"
            arguments = (kind,)
        for row in self._db.execute(query + " ORDER BY seq", arguments):
            try:
                payload = json.loads(row[3])
            except json.JSONDecodeError:
                payload = {"unreadable": row[3]}
            yield Entry(row[0], row[1], row[2], payload, row[4], row[5])

    def find_document(self, sha256: str) -> Entry | None:
        """The newest entry that produced a document with this hash (render or signature)."""
        found = None
        for entry in self.entries():
            if entry.payload.get("uitvoer_sha256") == sha256:
                found = entry
        return found

    def has_chain(self, digest: str) -> bool:
        """Whether this chain of authority was recorded already."""
        return any(e.payload.get("keten_sha256") == digest for e in self.entries(EntryKind.CHAIN))

    def verify(self) -> RegisterCheck:
        """Walk the chain; name every entry that was edited, removed, inserted or moved."""
        problems: list[str] = []
        previous = GENESIS
        expected_seq = 1
        count = 0
        last_hash = GENESIS
        hashes: dict[int, str] = {}
        for entry in self.entries():
            count += 1
            if entry.seq != expected_seq:
                problems.append(
                    f"entry {expected_seq}"
                    + (f"–{entry.seq - 1}" if entry.seq - 1 > expected_seq else "")
                    + " is missing (deleted)"
                    if entry.seq > expected_seq
                    else f"entry {entry.seq} is out of order"
                )
            if entry.previous_hash != previous:
                problems.append(
                    f"entry {entry.seq} ({entry.kind}) does not follow the entry before it: "
                    "an entry was deleted, inserted or moved here"
                )
            recomputed = entry_hash(
                entry.seq, entry.recorded_at, entry.kind, entry.payload, entry.previous_hash
            )
            if recomputed != entry.entry_hash:
                problems.append(
                    f"entry {entry.seq} ({entry.kind}, {entry.recorded_at}) was changed after it "
                    "was written (its hash does not match its content)"
                )
            previous = entry.entry_hash
            last_hash = entry.entry_hash
            hashes[entry.seq] = entry.entry_hash
            expected_seq = entry.seq + 1
        problems.extend(self._check_head(hashes, count))
        return RegisterCheck(entries=count, head_hash=last_hash, problems=tuple(problems))

    def _check_head(self, hashes: dict[int, str], count: int) -> list[str]:
        try:
            text = self.head_path.read_text(encoding="ascii").split()
        except FileNotFoundError:
            return [f"the head file '{self.head_path}' is missing"] if count else []
        if len(text) != 2 or not text[0].isdigit():
            return [f"the head file '{self.head_path}' is unreadable"]
        seq, digest = int(text[0]), text[1]
        if seq not in hashes:
            return [
                f"the register ends before entry {seq}, which the head file records: entries "
                "were removed from the end (truncated)"
            ]
        if hashes[seq] != digest:
            return [f"entry {seq} differs from the one the head file records"]
        return []

    def export(self, fmt: str) -> str:
        """All entries as JSON lines or CSV."""
        if fmt == "jsonl":
            return "".join(canonical(e.as_dict()) + "\n" for e in self.entries())
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(
                ["seq", "recorded_at", "kind", "payload", "previous_hash", "entry_hash"]
            )
            for e in self.entries():
                writer.writerow(
                    [
                        e.seq,
                        e.recorded_at,
                        e.kind,
                        canonical(e.payload),
                        e.previous_hash,
                        e.entry_hash,
                    ]
                )
            return out.getvalue()
        raise RegisterError(f"unknown export format '{fmt}'", hint="use jsonl or csv")


@contextlib.contextmanager
def opened(path: Path | None) -> Iterator[Register | None]:
    """A register when one is configured, else None (recording is then skipped)."""
    if path is None:
        yield None
        return
    register = Register(path)
    try:
        yield register
    finally:
        register.close()
