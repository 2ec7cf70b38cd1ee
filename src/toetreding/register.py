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

The head cannot be "healed" by an ordinary step: every append first checks that the head
file still matches the database (present, readable, naming an entry that exists with that
hash). A missing, emptied or mismatching head stops every writer until someone runs the
deliberate ``register repair``, which re-anchors the head *and records itself* — with what
it found — as an entry in the chain, so the repair stays visible for ever. The head file is
replaced atomically (temporary file, fsync, rename, folder fsync). A register that was
deleted while its head survives is reported as lost, never silently started afresh.
Checking (``register verify``, ``log``, ``export``) opens the database read-only and
creates or alters nothing.
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
import stat
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal

from .errors import ToetredingError
from .i18n import N_, _

GENESIS = "0" * 64
FORMAT = "toetreding-register/1"

PATH_KEYS: Final = ("document", "uitvoer", "batch", "pakket")
"""Payload keys that hold a file path. They are stored relative to the workspace (POSIX
form), so a register moved or archived with its workspace still names its files, and no
temporary or personal folder names leak into the record; a file outside the workspace
keeps its absolute path."""


def _repair_hint() -> str:
    return _(
        "run `toetreding register verify` to see what is wrong; if you are sure, "
        "`toetreding register repair --reason '…'` re-anchors it and records that it did"
    )


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
    RETURN = "retour"
    """A party's signed statement received in a round, with the verdict `collect` gave."""
    REPAIR = "herstel"
    SEAL = "verzegeling"
    """An RFC 3161 timestamp over the head hash (see register_seal)."""


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
class _Finding:
    """A problem `verify` found: its English message (marked with ``N_``) and the values
    for its fields, so that it is shown in the user's language but recorded in English
    (a repair's payload keeps what was found, and payloads never change with the language)."""

    message: str
    values: dict[str, object]

    def english(self) -> str:
        """As recorded in the register."""
        return self.message.format(**self.values)

    def translated(self) -> str:
        """As shown to the user."""
        return _(self.message).format(**self.values)


@dataclass(frozen=True)
class _Walk:
    """What walking the chain found."""

    entries: int
    head_hash: str
    findings: list[_Finding]
    repairs: list[str]


@dataclass(frozen=True)
class RegisterCheck:
    """The outcome of `register verify`."""

    entries: int
    head_hash: str
    problems: tuple[str, ...]
    repairs: tuple[str, ...] = ()
    """Deliberate repairs recorded in the chain (not problems, but an auditor must see them)."""

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
    """A register file. Cheap to open; use as a context manager or call close().

    ``Register(path)`` opens it for writing (creating a new one when neither the database
    nor its head exists); :meth:`open_readonly` opens an existing one for checking only.
    """

    def __init__(
        self, path: Path, *, readonly: bool = False, workspace: Path | None = None
    ) -> None:
        self.path = path
        self.head_path = head_path_of(path)
        self.readonly = readonly
        self.workspace = Path(os.path.abspath(workspace or path.parent)).resolve()
        """The folder that recorded paths are relative to (default: the register's own)."""
        if readonly:
            self._db = _connect_readonly(path)
            return
        if not path.parent.is_dir():
            raise RegisterError(
                _("the register's folder '{folder}' does not exist").format(folder=path.parent),
                hint=_(
                    "create it, or set 'register' in toetreding.yaml to a path in the workspace"
                ),
            )
        refuse_lost_register(path)
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
                _("'{path}' is not a usable register: {error}").format(path=path, error=error),
                hint=_(
                    "point 'register' in toetreding.yaml at a new file, and keep the damaged one"
                ),
            ) from None

    @classmethod
    def open_readonly(cls, path: Path) -> Register:
        """Open an existing register for reading; nothing is created or changed."""
        return cls(path, readonly=True)

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
        """Add entries in one transaction (a batch records hundreds at once).

        Refused while the head file does not match the database (see the module docstring):
        an ordinary step must not paper over entries removed from the end.
        """
        if not items:
            return []
        if self.readonly:
            raise RegisterError(_("'{path}' was opened read-only").format(path=self.path))
        return self._commit(items, anchored=True)

    def _commit(
        self, items: list[tuple[EntryKind, dict[str, Any]]], *, anchored: bool
    ) -> list[Entry]:
        """Append under the writer lock. ``anchored``: refuse unless the head matches the
        database (every ordinary write); otherwise re-anchor the head (the repair)."""
        with self._writer_lock():
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    last = self._db.execute(
                        "SELECT seq, entry_hash FROM entries ORDER BY seq DESC LIMIT 1"
                    ).fetchone()
                    seq, previous = (last[0], last[1]) if last else (0, GENESIS)
                    problem = self._head_mismatch(seq) if anchored else None
                    if problem is not None:
                        raise RegisterError(
                            _("the register '{path}' is not written to: {problem}").format(
                                path=self.path, problem=problem
                            ),
                            hint=_repair_hint(),
                        )
                    written = self._insert(items, seq, previous)
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.DatabaseError as error:
                raise RegisterError(
                    _("cannot write to the register '{path}': {error}").format(
                        path=self.path, error=error
                    )
                ) from None
            if anchored:
                self._advance_head(written[-1].seq, written[-1].entry_hash)
            else:
                write_head(self.head_path, written[-1].seq, written[-1].entry_hash)
            return written

    def check_writable(self) -> None:
        """Fail now, before any output is written, when an entry could not be appended."""
        if self.readonly:
            raise RegisterError(_("'{path}' was opened read-only").format(path=self.path))
        try:
            with self._writer_lock():
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    last = self._db.execute("SELECT MAX(seq) FROM entries").fetchone()[0] or 0
                    problem = self._head_mismatch(last)
                finally:
                    self._db.execute("ROLLBACK")
        except (sqlite3.DatabaseError, OSError) as error:
            raise RegisterError(
                _("cannot write to the register '{path}': {error}").format(
                    path=self.path, error=error
                ),
                hint=_("check that the workspace is writable and the disk is not full"),
            ) from None
        if problem is not None:
            raise RegisterError(
                _("the register '{path}' is not written to: {problem}").format(
                    path=self.path, problem=problem
                ),
                hint=_repair_hint(),
            )
        if self.head_path.exists() and not os.access(self.head_path, os.W_OK):
            raise RegisterError(
                _("the register's head file '{path}' is not writable").format(path=self.head_path)
            )

    def stored_path(self, path: str | Path) -> str:
        """How a file's path is recorded: relative to the workspace when inside it."""
        absolute = Path(os.path.abspath(path)).resolve()
        if absolute.is_relative_to(self.workspace):
            return absolute.relative_to(self.workspace).as_posix()
        return str(absolute)

    def _with_stored_paths(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {
            key: self.stored_path(value)
            if key in PATH_KEYS and isinstance(value, str) and value
            else value
            for key, value in raw.items()
        }

    def _insert(
        self, items: list[tuple[EntryKind, dict[str, Any]]], seq: int, previous: str
    ) -> list[Entry]:
        written: list[Entry] = []
        for kind, raw in items:
            # exactly what is hashed and stored
            payload = json.loads(canonical(self._with_stored_paths(raw)))
            seq += 1
            moment = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
            digest = entry_hash(seq, moment, kind.value, payload, previous)
            self._db.execute(
                "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                (seq, moment, kind.value, canonical(payload), previous, digest),
            )
            written.append(Entry(seq, moment, kind.value, payload, previous, digest))
            previous = digest
        return written

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """One writer at a time from the transaction to the head file: a ``flock`` on the
        database file (independent of SQLite's own POSIX locks)."""
        with open(self.path, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _head_mismatch(self, last_seq: int) -> str | None:
        """Why the head file does not anchor the database (None when it does)."""
        head = read_head(self.head_path)
        if head is None:
            return (
                _(
                    "its head file '{name}' is missing although the register holds {count} entries"
                ).format(name=self.head_path.name, count=last_seq)
                if last_seq
                else None
            )
        if head == UNREADABLE:
            return _("its head file '{name}' is empty or unreadable").format(
                name=self.head_path.name
            )
        seq, digest = head
        if seq > last_seq:
            return _(
                "the head file records entry {seq} but the register ends at entry {last}: "
                "entries were removed from the end"
            ).format(seq=seq, last=last_seq)
        if seq == 0:
            if last_seq:
                return _(
                    "the head file records no entries although the register holds {count}: "
                    "the head file was reset or replaced by an older one"
                ).format(count=last_seq)
            return None if digest == GENESIS else _("the head file is unreadable")
        row = self._db.execute("SELECT entry_hash FROM entries WHERE seq = ?", (seq,)).fetchone()
        if row is None or row[0] != digest:
            return _("entry {seq} differs from the one the head file records").format(seq=seq)
        return None

    def _advance_head(self, seq: int, digest: str) -> None:
        """Move the head file forward (never back), atomically, under a lock.

        Called under :meth:`_writer_lock`, so two writers cannot move the head back and
        forth, and no writer sees another's committed entry before its head.
        """
        current = read_head(self.head_path)
        if isinstance(current, tuple) and current[0] >= seq:
            return
        write_head(self.head_path, seq, digest)

    def repair(self, reason: str, by: str | None = None) -> Entry:
        """Re-anchor the head on the database as it is, and record that in the chain.

        The entry keeps what was found (the chain's problems and the old head), so a
        repair never hides what it repaired.
        """
        if not reason.strip():
            raise RegisterError(
                _("a repair needs a reason"),
                hint=_("say why, e.g. --reason 'head file lost in restore'"),
            )
        if os.path.lexists(self.head_path) and not stat.S_ISREG(os.lstat(self.head_path).st_mode):
            raise RegisterError(
                _("the register's head file '{path}' is not a regular file").format(
                    path=self.head_path
                ),
                hint=_("move it away first; the repair then writes a new one"),
            )
        walk = self._walk()
        old_head = read_head(self.head_path)
        payload = {
            "reden": reason,
            "door": by,
            "gevonden": [finding.english() for finding in walk.findings],  # never translated
            "oude_kop": list(old_head) if isinstance(old_head, tuple) else None,
            "aantal_regels": walk.entries,
        }
        (entry,) = self._commit([(EntryKind.REPAIR, payload)], anchored=False)
        return entry

    def entries(self, kind: str | None = None) -> Iterator[Entry]:
        """Entries in order (optionally of one kind)."""
        for entry, _stored in self._stored_entries(kind):
            yield entry

    def _stored_entries(self, kind: str | None = None) -> Iterator[tuple[Entry, Any]]:
        """Entries with their payload as stored (the text the chain vouches for)."""
        query = "SELECT seq, recorded_at, kind, payload, previous_hash, entry_hash FROM entries"
        arguments: tuple[str, ...] = ()
        if kind is not None:
            query += " WHERE kind = ?"
            arguments = (kind,)
        for row in self._db.execute(query + " ORDER BY seq", arguments):
            try:
                payload = json.loads(row[3])
            except (json.JSONDecodeError, TypeError):
                payload = {"unreadable": row[3]}
            yield Entry(row[0], row[1], row[2], payload, row[4], row[5]), row[3]

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

    def sound_up_to(self) -> int:
        """The last entry up to which every entry hashes as stored and follows the one
        before (0 when the first does not): the history a seal can still vouch for."""
        previous = GENESIS
        sound = 0
        for entry, stored in self._stored_entries():
            recomputed = entry_hash(
                entry.seq, entry.recorded_at, entry.kind, entry.payload, entry.previous_hash
            )
            if (
                entry.seq != sound + 1
                or entry.previous_hash != previous
                or recomputed != entry.entry_hash
                or stored != canonical(entry.payload)
            ):
                break
            sound = entry.seq
            previous = entry.entry_hash
        return sound

    def verify(self) -> RegisterCheck:
        """Walk the chain; name every entry that was edited, removed, inserted or moved."""
        walk = self._walk()
        return RegisterCheck(
            entries=walk.entries,
            head_hash=walk.head_hash,
            problems=tuple(finding.translated() for finding in walk.findings),
            repairs=tuple(walk.repairs),
        )

    def _walk(self) -> _Walk:
        """The chain's problems (in English, with their values) and its recorded repairs."""
        problems: list[_Finding] = []
        previous = GENESIS
        expected_seq = 1
        count = 0
        last_hash = GENESIS
        hashes: dict[int, str] = {}
        repairs: list[str] = []
        for entry, stored in self._stored_entries():
            count += 1
            if entry.seq > expected_seq + 1:
                problems.append(
                    _Finding(
                        N_("entry {first}–{last} is missing (deleted)"),
                        {"first": expected_seq, "last": entry.seq - 1},
                    )
                )
            elif entry.seq > expected_seq:
                problems.append(
                    _Finding(N_("entry {seq} is missing (deleted)"), {"seq": expected_seq})
                )
            elif entry.seq != expected_seq:
                problems.append(_Finding(N_("entry {seq} is out of order"), {"seq": entry.seq}))
            if entry.previous_hash != previous:
                problems.append(
                    _Finding(
                        N_(
                            "entry {seq} ({kind}) does not follow the entry before it: "
                            "an entry was deleted, inserted or moved here"
                        ),
                        {"seq": entry.seq, "kind": entry.kind},
                    )
                )
            recomputed = entry_hash(
                entry.seq, entry.recorded_at, entry.kind, entry.payload, entry.previous_hash
            )
            # the payload is written in canonical form; stored otherwise (a key named twice,
            # which a JSON reader may take either way) it is not what the hash vouches for
            if recomputed != entry.entry_hash or stored != canonical(entry.payload):
                problems.append(
                    _Finding(
                        N_(
                            "entry {seq} ({kind}, {moment}) was changed after it "
                            "was written (its hash does not match its content)"
                        ),
                        {"seq": entry.seq, "kind": entry.kind, "moment": entry.recorded_at},
                    )
                )
            previous = entry.entry_hash
            last_hash = entry.entry_hash
            hashes[entry.seq] = entry.entry_hash
            expected_seq = entry.seq + 1
            if entry.kind == EntryKind.REPAIR.value:
                repairs.append(_describe_repair(entry))
        problems.extend(self._check_head(hashes, count))
        return _Walk(entries=count, head_hash=last_hash, findings=problems, repairs=repairs)

    def _check_head(self, hashes: dict[int, str], count: int) -> list[_Finding]:
        head = read_head(self.head_path)
        path = str(self.head_path)
        if head is None:
            return (
                [_Finding(N_("the head file '{path}' is missing"), {"path": path})] if count else []
            )
        if not isinstance(head, tuple):
            return [_Finding(N_("the head file '{path}' is empty or unreadable"), {"path": path})]
        seq, digest = head
        if seq == 0 and not count:
            return []
        if seq not in hashes:
            return [
                _Finding(
                    N_(
                        "the register ends before entry {seq}, which the head file records: "
                        "entries were removed from the end (truncated)"
                    ),
                    {"seq": seq},
                )
            ]
        if hashes[seq] != digest:
            return [
                _Finding(N_("entry {seq} differs from the one the head file records"), {"seq": seq})
            ]
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
        raise RegisterError(
            _("unknown export format '{format}'").format(format=fmt), hint=_("use jsonl or csv")
        )


def head_path_of(path: Path) -> Path:
    """The head file that belongs to a register file."""
    return path.with_name(path.name + ".head")


UNREADABLE: Final = "unreadable"
"""read_head's answer for a head file that exists but says nothing usable."""

_HEAD_LIMIT = 4096


def read_head(path: Path) -> tuple[int, str] | Literal["unreadable"] | None:
    """(seq, hash) from a head file; None when there is none; UNREADABLE when it is junk."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return UNREADABLE  # a pipe would block, a folder or link is not ours
        with open(path, "rb") as stream:
            raw = stream.read(_HEAD_LIMIT)
    except FileNotFoundError:
        return None
    except OSError:
        return UNREADABLE
    parts = raw.decode("ascii", errors="replace").split()
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
        return UNREADABLE
    return int(parts[0]), parts[1]


def write_head(path: Path, seq: int, digest: str) -> None:
    """Replace the head file atomically: temporary file, fsync, rename, folder fsync."""
    if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
        raise RegisterError(
            _("the register's head file '{path}' is not a regular file").format(path=path),
            hint=_("move it away and run `toetreding register repair --reason '…'`"),
        )
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(f"{seq} {digest}\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def refuse_lost_register(path: Path) -> None:
    """A head that names entries while the database is gone or empty means the register was lost."""
    head = read_head(head_path_of(path))
    if not isinstance(head, tuple) or head[0] == 0:
        return
    size = path.stat().st_size if path.is_file() else None
    if size:
        return
    if size is None:
        message = _(
            "the register '{path}' is missing, but its head file records {count} entries: "
            "the register was lost"
        )
    else:
        message = _(
            "the register '{path}' is empty, but its head file records {count} entries: "
            "the register was lost"
        )
    raise RegisterError(
        message.format(path=path, count=head[0]),
        hint=_(
            "restore it from a backup; a new register is not started over a lost one "
            "(move the head file away only if you mean to start afresh and can account for it)"
        ),
    )


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Open for reading only; without a pending WAL, as immutable so no -wal/-shm appear."""
    refuse_lost_register(path)
    if not path.is_file():
        raise RegisterError(
            _("there is no register at '{path}' yet").format(path=path),
            hint=_(
                "run the command inside your workspace (the folder with toetreding.yaml) or "
                "give --config FILE; in a new workspace the register is made by the first "
                "render or signature"
            ),
        )
    if path.stat().st_size == 0:
        raise RegisterError(
            _("'{path}' is an empty file, not a register").format(path=path),
            hint=_("point 'register' in toetreding.yaml at the register file"),
        )
    pending = path.with_name(path.name + "-wal")
    mode = "ro&immutable=1"  # nothing pending: read the file as it is, no side files
    if pending.exists():
        path, mode = _private_copy(path, pending), "ro"
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode={mode}"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise RegisterError(
            _("'{path}' is not a register: {error}").format(path=path, error=error)
        ) from None
    if "entries" not in tables:
        db.close()
        raise RegisterError(
            _("'{path}' is not a register (it has no entries table)").format(path=path),
            hint=_("point 'register' in toetreding.yaml at the register file"),
        )
    return db


def _private_copy(path: Path, pending: Path) -> Path:
    """Database and pending WAL copied to a private folder, so reading them (which needs
    SQLite's shared-memory file) creates nothing beside the evidence itself."""
    import atexit
    import shutil

    folder = Path(tempfile.mkdtemp(prefix="toetreding-register-"))
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / path.name
    shutil.copyfile(path, copy)
    shutil.copyfile(pending, folder / pending.name)
    return copy


def _describe_repair(entry: Entry) -> str:
    """A recorded repair, for the user (what it found is shown as it was recorded)."""
    reason = entry.payload.get("reden", "")
    found = entry.payload.get("gevonden") or []
    values = {"seq": entry.seq, "moment": entry.recorded_at[:19], "reason": reason}
    if found:
        return _("entry {seq} ({moment}): repaired — {reason} (found then: {found})").format(
            found="; ".join(str(f) for f in found), **values
        )
    return _("entry {seq} ({moment}): repaired — {reason}").format(**values)


@contextlib.contextmanager
def opened(path: Path | None, workspace: Path | None = None) -> Iterator[Register | None]:
    """A register when one is configured, else None (recording is then skipped);
    ``workspace``: the folder recorded paths are relative to."""
    if path is None:
        yield None
        return
    register = Register(path, workspace=workspace)
    try:
        yield register
    finally:
        register.close()
