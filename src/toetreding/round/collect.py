"""`toetreding collect`: take in the signed returns of a round, whatever they are called.

Every PDF in the inboxes is read once; the same file sent twice (or a re-send of the same
signed file) is one return. A return is matched to its party by content
(:mod:`.matching`), stored in that party's folder under its own SHA-256, judged
(:mod:`.returns`) in worker processes, recorded in the register, and only then given its
verdict file — so after a kill -9 the next run finishes exactly what was left:

* a stored return without a verdict file whose entry is in the register gets its verdict
  file from that entry (it is not judged or recorded twice);
* a stored return without either is judged again (it is in the round folder, so the
  inbox it came from no longer matters).

A file that matches no party is reported and left alone: it is not part of the round.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..archive_config import responsible_record
from ..batch.lifeline import Interrupts
from ..batch.recovery import Recorder
from ..batch.run import locked
from ..config import Settings
from ..errors import OutputError, ToetredingError
from ..fileio import write_atomically
from ..i18n import _
from ..register import EntryKind, opened
from .files import (
    ACCEPTABLE,
    REJECTED,
    RETURNS_FOLDER,
    RoundParty,
    encode,
    read_state,
    round_parties,
)
from .matching import PreparedIndex
from .parallel import Progress, RoundInterrupted

RETURN_SCHEMA = "toetreding-retour/1"
MAX_RETURN_BYTES = 64 * 1024 * 1024
"""A signed statement is well under a megabyte; a larger file is no return of ours."""
STEP = "toetreding collect"
"""The step that recorded a verdict (the official who answers for it is recorded beside it)."""


@dataclass(frozen=True)
class Unmatched:
    """A file from the inbox that is not a return of this round, and why."""

    file: Path
    reason: str


@dataclass
class CollectOutcome:
    """What `collect` did. Every counted return was stored, judged *and* recorded."""

    files: int = 0
    acceptable: list[str] = field(default_factory=list)
    """CBS codes with a return found acceptable in this run."""
    rejected: dict[str, list[str]] = field(default_factory=dict)
    """CBS code → the reasons of its rejected return(s) in this run."""
    duplicates: int = 0
    """Files whose bytes were already collected (by an earlier run, or met twice now)."""
    sources: dict[str, list[str]] = field(default_factory=dict)
    """CBS code → the file names its returns in this run arrived under."""
    unmatched: list[Unmatched] = field(default_factory=list)
    recovered: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: int | None = None


@dataclass(frozen=True)
class StoredReturn:
    """A return stored in its party's folder, waiting for its verdict."""

    party: RoundParty
    sha256: str
    pdf: Path
    source: str
    """The file name it arrived under (informative only)."""
    claimed_only: bool
    """Matched only by what it says about itself: it is not the prepared statement."""

    @property
    def verdict_file(self) -> Path:
        return self.pdf.with_suffix(".json")


def return_id(sha256: str) -> str:
    """The file name (without suffix) a return is stored under."""
    return sha256[:32]


def collect(
    settings: Settings,
    folder: Path,
    inboxes: Sequence[Path],
    *,
    jobs: int = 0,
    progress: Progress | None = None,
) -> CollectOutcome:
    """Collect the returns in ``inboxes`` into the round in ``folder``."""
    from ..verify import options_from_settings

    started = time.perf_counter()
    options_from_settings(settings)  # trust roots and covenants readable: said before any work
    parties = round_parties(folder)
    index = PreparedIndex(parties)
    files = list(_inbox_files(folder, inboxes))
    outcome = CollectOutcome(files=len(files))
    report = progress or (lambda stage, done, total: None)
    responsible = (
        responsible_record(settings.archive, "collect") if settings.register is not None else None
    )
    with (
        locked(folder),
        Interrupts() as interrupts,
        opened(settings.register, settings.workspace) as register,
    ):
        if register is not None:
            register.check_writable()
        recorder = Recorder(register, interrupts, responsible)
        try:
            stored = _store(files, index, outcome, report)
            stored += _left_by_an_earlier_run(parties, {s.pdf for s in stored})
            todo = [s for s in stored if not _finish_recorded(s, recorder, outcome)]
            _judge(settings, todo, jobs, recorder, outcome, interrupts, report)
        except KeyboardInterrupt as stop:
            import signal

            outcome.interrupted = getattr(stop, "signal_number", signal.SIGINT)
        finally:
            interrupts.wind_down()
    outcome.seconds = time.perf_counter() - started
    if outcome.interrupted is not None:
        raise RoundInterrupted(outcome)
    return outcome


def _inbox_files(folder: Path, inboxes: Sequence[Path]) -> Iterator[Path]:
    """The files to look at: files named, and the PDFs in folders named (and below)."""
    round_folder = folder.resolve()
    for inbox in inboxes:
        if not inbox.exists():
            raise OutputError(
                _("'{path}' does not exist").format(path=inbox),
                hint=_("give the folder (or the files) where the returned statements are"),
            )
        resolved = inbox.resolve()
        if resolved == round_folder or round_folder in resolved.parents:
            raise OutputError(
                _("'{path}' lies inside the round folder '{folder}'").format(
                    path=inbox, folder=folder
                ),
                hint=_(
                    "save the returned statements in a separate inbox folder; the round "
                    "folder holds the prepared statements themselves"
                ),
            )
        if inbox.is_file():
            yield inbox
            continue
        for base, folders, names in os.walk(inbox, followlinks=False):
            folders.sort()
            for name in sorted(names):
                if name.lower().endswith(".pdf") and not name.startswith("."):
                    yield Path(base) / name


def _read_return(path: Path) -> bytes | str:
    """The file's bytes, or why it cannot be taken in."""
    try:
        if not path.is_file():
            return _("not a regular file")
        with path.open("rb") as stream:
            data = stream.read(MAX_RETURN_BYTES + 1)
    except OSError as error:
        return _("cannot read the file: {reason}").format(reason=error.strerror or error)
    if len(data) > MAX_RETURN_BYTES:
        return _("larger than 64 MB, which no returned statement is")
    return data


def _store(
    files: list[Path], index: PreparedIndex, outcome: CollectOutcome, report: Progress
) -> list[StoredReturn]:
    """Match every file to its party and store it there (once per distinct content)."""
    stored: dict[str, StoredReturn] = {}
    report("match", 0, len(files))
    for done, path in enumerate(files, 1):
        report("match", done, len(files))
        data = _read_return(path)
        if isinstance(data, str):
            outcome.unmatched.append(Unmatched(path, data))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in stored:
            outcome.duplicates += 1
            continue
        party = index.prepared_in(data)
        claimed_only = party is None
        if party is None:
            party = index.claimed_by(data)
        if party is None:
            outcome.unmatched.append(Unmatched(path, _unmatched_reason(data)))
            continue
        pdf = party.folder / RETURNS_FOLDER / f"{return_id(digest)}.pdf"
        item = StoredReturn(party, digest, pdf, path.name, claimed_only)
        if read_state(item.verdict_file) is not None and _same_file(pdf, digest):
            outcome.duplicates += 1  # collected by an earlier run
            continue
        try:
            pdf.parent.mkdir(exist_ok=True)
            if pdf.parent.is_symlink():
                raise OutputError(
                    _(
                        "'{path}' is a symbolic link; a round writes only real files in its folder"
                    ).format(path=pdf.parent)
                )
            if not _same_file(pdf, digest):
                write_atomically(pdf, data)
        except (OSError, ToetredingError) as error:
            message = error.message if isinstance(error, ToetredingError) else str(error)
            outcome.failures[party.code] = message
            continue
        stored[digest] = item
    return list(stored.values())


def _unmatched_reason(data: bytes) -> str:
    if not data.lstrip()[:5].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        return _("not a PDF")
    return _(
        "not a statement of this round: it does not contain any prepared statement, and it "
        "does not say it is one of this round's parties"
    )


def _same_file(path: Path, digest: str) -> bool:
    try:
        return (
            path.is_file()
            and not path.is_symlink()
            and hashlib.sha256(path.read_bytes()).hexdigest() == digest
        )
    except OSError:
        return False


def _left_by_an_earlier_run(parties: list[RoundParty], known: set[Path]) -> list[StoredReturn]:
    """Returns an interrupted run stored but did not finish (no verdict file yet)."""
    left = []
    for party in parties:
        returns = party.folder / RETURNS_FOLDER
        if not returns.is_dir() or returns.is_symlink():
            continue
        for pdf in sorted(returns.glob("*.pdf")):
            if pdf in known or pdf.is_symlink() or read_state(pdf.with_suffix(".json")):
                continue
            try:
                data = pdf.read_bytes()
            except OSError:
                continue
            digest = hashlib.sha256(data).hexdigest()
            if pdf.stem != return_id(digest):
                continue  # not a file we stored
            try:
                claimed_only = not data.startswith(party.statement.read_bytes())
            except OSError:
                claimed_only = False  # the check says the prepared statement is missing
            left.append(StoredReturn(party, digest, pdf, pdf.name, claimed_only))
    return left


def _finish_recorded(item: StoredReturn, recorder: Recorder, outcome: CollectOutcome) -> bool:
    """Whether the return was judged and recorded by a run killed before its verdict file
    (then that file is written now from the register entry)."""
    entry = recorder.index.returned(item.sha256)
    if (
        entry is None
        or entry.payload.get("ronde") != item.party.round_id
        # registers written before paths were stored relative to the workspace hold it absolute
        or entry.payload.get("uitvoer")
        not in (recorder.stored_path(item.pdf), str(item.pdf.resolve()))
    ):
        return False  # judged for another round folder (or never): judged here anew
    verdict = {key: entry.payload.get(key) for key in _VERDICT_KEYS}
    _write_verdict(item, verdict, entry.seq, entry.payload.get("ontvangen"))
    outcome.recovered += 1
    _count(item, verdict, outcome)
    return True


_VERDICT_KEYS = ("uitslag", "redenen", "verificatie", "ondertekenaar", "niveau", "ondertekend")


def _judge(
    settings: Settings,
    todo: list[StoredReturn],
    jobs: int,
    recorder: Recorder,
    outcome: CollectOutcome,
    interrupts: Interrupts,
    report: Progress,
) -> None:
    """Judge every stored return (in workers), then record it and write its verdict."""
    from .parallel import in_workers
    from .workers import check_call, init_checker

    by_key = {item.sha256: item for item in todo}
    checkable = []
    for item in todo:
        refusal = (
            _not_prepared(item.party)
            if item.claimed_only
            else unrecorded_statement(item.party, recorder)
        )
        if refusal is None:
            checkable.append(item)
            continue
        with interrupts.deferred():
            _conclude(item, refusal, recorder, outcome)
    calls = {
        item.sha256: check_call(item.sha256, item.pdf, item.sha256, item.party)
        for item in checkable
    }
    report("check", 0, len(calls))
    in_workers(
        jobs,
        (init_checker, (settings, os.getpid())),
        calls,
        lambda key, verdict: _conclude(by_key[key], verdict, recorder, outcome),
        lambda key, message: outcome.failures.__setitem__(by_key[key].party.code, message),
        interrupts,
        lambda done, total: report("check", done, total),
    )


def unrecorded_statement(party: RoundParty, recorder: Recorder) -> dict[str, Any] | None:
    """A rejection when the register does not record the party's prepared statement as
    rendered for that party (the files in the round folder are only files: a statement
    swapped in there, with a round file to match, must not become what returns are judged
    against). None when it does, or when there is no register to ask."""
    index = recorder.index
    if not index.enabled or party.statement_sha256 in index.rendered(party.code):
        return None
    return {
        "uitslag": REJECTED,
        "redenen": [
            _(
                "the prepared statement in the round folder for {party} is not one the "
                "register recorded as prepared for it (it was replaced or made elsewhere); "
                "nothing can be accepted against it — prepare it again with `toetreding batch`"
            ).format(party=party.name)
        ],
        "verificatie": None,
        "ondertekenaar": None,
        "niveau": None,
        "ondertekend": None,
    }


def _not_prepared(party: RoundParty) -> dict[str, Any]:
    return {
        "uitslag": REJECTED,
        "redenen": [
            _(
                "this is not the statement prepared for {party}: it does not begin with the "
                "prepared statement (SHA-256 {digest}), so it was edited or made again before "
                "it was signed; have the prepared statement signed unchanged"
            ).format(party=party.name, digest=party.statement_sha256[:16] + "…")
        ],
        "verificatie": None,
        "ondertekenaar": None,
        "niveau": None,
        "ondertekend": None,
    }


def _conclude(
    item: StoredReturn, verdict: dict[str, Any], recorder: Recorder, outcome: CollectOutcome
) -> None:
    """Record the verdict in the register, then write the verdict file; count it."""
    record_verdict(item, verdict, recorder)
    _count(item, verdict, outcome)


def record_verdict(
    item: StoredReturn, verdict: dict[str, Any], recorder: Recorder, step: str = STEP
) -> None:
    """Record a return's verdict in the register, then write its verdict file (a later
    verdict for the same return — accept's re-check — replaces the file; the register
    keeps both)."""
    received = dt.datetime.now(dt.UTC).isoformat()
    payload = {
        "ronde": item.party.round_id,
        "partij": f"{item.party.name} ({item.party.code})",
        "cbs_code": item.party.code,
        "document_sha256": item.sha256,
        "uitvoer": str(item.pdf.resolve()),
        "uitvoer_sha256": item.sha256,
        "bron": item.source,
        "ontvangen": received,
        "verantwoordelijke": recorder.responsible,
        "stap": step,
        **verdict,
    }
    entry = recorder.record((EntryKind.RETURN, payload))
    _write_verdict(item, verdict, entry.seq if entry else None, received)


def _write_verdict(
    item: StoredReturn, verdict: dict[str, Any], seq: int | None, received: Any
) -> None:
    data = {
        "schema": RETURN_SCHEMA,
        "sha256": item.sha256,
        "bestand": item.pdf.name,
        "bron": item.source,
        "ontvangen": str(received or dt.datetime.now(dt.UTC).isoformat()),
        "register_volgnummer": seq,
        **verdict,
    }
    write_atomically(item.verdict_file, encode(data))


def _count(item: StoredReturn, verdict: dict[str, Any], outcome: CollectOutcome) -> None:
    code = item.party.code
    outcome.sources.setdefault(code, []).append(item.source)
    if verdict.get("uitslag") == ACCEPTABLE:
        outcome.acceptable.append(code)
    else:
        outcome.rejected.setdefault(code, []).extend(str(r) for r in verdict.get("redenen") or [])


__all__ = ["CollectOutcome", "Unmatched", "collect"]
