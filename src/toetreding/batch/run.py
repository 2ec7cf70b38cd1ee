"""Running a batch: validate all → render in parallel → sign in one process → verify in
parallel → manifest and summary. Progress goes through a callback.

Every step is recorded in the register when it happens: right after a party's file is
renamed into place, the leader — the only process that writes the register — appends that
party's entry, before the party counts as done. A kill between the two is found and
repaired by the next run (see :mod:`.recovery`); the manifest is saved every few seconds
and reconciled with the register the same way.

A party that fails at any stage — a full disk while its file is written included — is
recorded with its error and the others go on; the outcome says which failed and why (the
CLI exits 3 then). Ctrl-C and SIGTERM stop the run cleanly (:mod:`.lifeline`): work in
progress is finished or dropped, the manifest and summary are saved, and
:class:`BatchInterrupted` carries an outcome that counts exactly what was written and
recorded. One batch at a time may work in an output folder (a lock the kernel releases
when the process dies, so a killed run never blocks the next).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import OutputError, ToetredingError
from ..fileio import write_atomically
from ..i18n import _
from ..register import EntryKind, opened
from ..round.files import ACCEPTANCE_FILE, ACCEPTED_FILE, ROUND_FILE, RoundParty, write_round_file
from ..signing_config import SignatureLevel
from ..spreadsheet import as_text_cell
from .input import BatchPlan, PlannedParty
from .lifeline import Interrupts
from .manifest import MANIFEST_NAME, Manifest, file_sha256, write_problem
from .recovery import (
    RECOVERED,
    Recorder,
    recovered_render,
)

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): 'render', 'sign' or 'verify'."""

_Call = tuple[Callable[..., Any], tuple[Any, ...]]
"""A function to run in a worker process (or to set one up) and its arguments."""

STATEMENT_FILE = "verklaring.pdf"
SUMMARY_FILE = "overzicht.csv"
LOCK_FILE = ".batch.lock"
_OURS = (STATEMENT_FILE, ROUND_FILE, ACCEPTED_FILE, ACCEPTANCE_FILE, MANIFEST_NAME, SUMMARY_FILE)


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch."""

    output: Path
    jobs: int = 0
    """Worker processes for rendering (0: one per CPU)."""


@dataclass
class BatchOutcome:
    """What a batch did. Every counted step was written *and* recorded in the register."""

    total: int
    rendered: int = 0
    skipped: int = 0
    recovered: int = 0
    """Outputs of an interrupted run that were found unrecorded and recorded now."""
    failures: dict[str, str] = field(default_factory=dict)
    manifest: Path | None = None
    summary: Path | None = None
    seconds: float = 0.0
    interrupted: int | None = None
    """The signal that stopped the run (SIGINT, SIGTERM), or None."""


class BatchInterrupted(KeyboardInterrupt):
    """The run was stopped by Ctrl-C or SIGTERM; ``outcome`` says what it did until then
    (its manifest and summary were saved)."""

    def __init__(self, outcome: BatchOutcome) -> None:
        super().__init__(outcome.interrupted)
        self.outcome = outcome


def run_batch(
    settings: Settings,
    plan: BatchPlan,
    options: BatchOptions,
    *,
    progress: Progress | None = None,
) -> BatchOutcome:
    """Run every stage for every planned party (raises :class:`BatchInterrupted` on Ctrl-C
    or SIGTERM once the run has wound down)."""
    started = time.perf_counter()
    folder = _output_folder(options.output)
    outcome = BatchOutcome(total=len(plan.parties))
    with (
        locked(folder),
        Interrupts() as interrupts,
        opened(settings.register, settings.workspace) as register,
    ):
        if register is not None:
            register.check_writable()  # before any output: a run must be able to record
        _remove_half_written(folder)
        manifest = Manifest(folder, plan.path.resolve())
        recorder = Recorder(register, interrupts)
        run = _Run(settings, plan, options, manifest, outcome, recorder, progress or _silent)
        try:
            run.all_stages()
        except KeyboardInterrupt as stop:
            outcome.interrupted = getattr(stop, "signal_number", signal.SIGINT)
        finally:
            interrupts.wind_down()
            run.finish(started)
    if outcome.interrupted is not None:
        raise BatchInterrupted(outcome)
    return outcome


def _batch_leftover(entry: Path) -> bool:
    """Whether ``entry`` is something a batch run makes (a run killed before its manifest)."""
    if entry.name == LOCK_FILE or entry.name.startswith("."):
        return entry.name == LOCK_FILE or entry.name.endswith(".part")
    if entry.is_symlink():
        return False
    if entry.is_dir():
        return all(
            child.name in _OURS or (child.name.startswith(".") and child.name.endswith(".part"))
            for child in entry.iterdir()
        )
    return entry.name in _OURS


def _output_folder(folder: Path) -> Path:
    """The output folder: new, empty, or one an earlier batch made (it holds our manifest).

    Any other folder — the workspace itself, a folder with keys — is refused, so a
    mistyped ``-o`` cannot mix batch output into (or over) files that are not the batch's.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            _("'{folder}' is not a folder").format(folder=folder),
            hint=_("give a folder for the batch output"),
        )
    if folder.is_dir() and not (folder / MANIFEST_NAME).is_file():
        strangers = sorted(p.name for p in folder.iterdir() if not _batch_leftover(p))
        if strangers:
            shown = ", ".join(strangers[:5]) + (" …" if len(strangers) > 5 else "")
            raise OutputError(
                _(
                    "the output folder '{folder}' already holds files that are not a batch's "
                    "({files})"
                ).format(folder=folder, files=shown),
                hint=_("give a new or empty folder, or the folder of an earlier run of this batch"),
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(write_problem(folder, error)) from None
    return folder


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One run (batch, collect, accept) per round folder at a time: two would write and
    record the same work twice. The kernel drops the lock when the process dies."""
    path = folder / LOCK_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    except OSError as error:
        raise OutputError(write_problem(path, error)) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                _(
                    "another toetreding run (batch, collect or accept) is working in '{folder}'"
                ).format(folder=folder),
                hint=_("wait for it to finish, or stop it (Ctrl-C), then run again"),
            ) from None
        yield
    finally:
        os.close(descriptor)


def _remove_half_written(folder: Path) -> None:
    """Temporary files of a killed run (write_atomically's '.<name>.*.part'): never valid."""
    for pattern in (".*.part", "*/.*.part"):
        for path in folder.glob(pattern):
            if path.name.startswith(tuple(f".{name}." for name in _OURS)):
                path.unlink(missing_ok=True)


def _digest(path: Path) -> str | None:
    """SHA-256 of a file, or None when there is no readable file."""
    try:
        return file_sha256(path) if path.is_file() else None
    except OSError:
        return None


def _silent(stage: str, done: int, total: int) -> None:
    """No progress reporting."""


def _label(party: PlannedParty) -> str:
    return f"{party.name} ({party.code})"


def worker_pool(jobs: int, initializer: Any, arguments: tuple[Any, ...]) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean server process, never from this one, which may
    # hold threads (Typst's thread pool, an HTTP client) whose locks a plain fork would copy
    # mid-use — a worker then deadlocks inside Typst (seen under pytest)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        _start_forkserver_deaf_to_ctrl_c()
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=initializer, initargs=arguments
    )


def _start_forkserver_deaf_to_ctrl_c() -> None:
    """Start the fork server (and its resource tracker) with Ctrl-C ignored.

    A Ctrl-C reaches the whole process group. A worker forked from the server gets the
    server's original SIGINT disposition before its initialiser tells it to ignore
    SIGINT; if that disposition is Python's KeyboardInterrupt, a Ctrl-C in the first
    second of a run printed tracebacks from the server or a starting worker. Started
    with SIGINT ignored, the server, the tracker and every worker ignore it from birth;
    the leader alone handles it.
    """
    import threading
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass(frozen=True)
class _RenderJob:
    party: PlannedParty
    output: Path
    inputs: dict[str, str]
    found: str | None
    """SHA-256 of a statement already there that the register does not know."""


@dataclass(frozen=True)
class _SignJob:
    party: PlannedParty
    source: Path
    source_digest: str
    target: Path


@dataclass
class _Run:
    """One run's shared state; a method per stage and per decision."""

    settings: Settings
    plan: BatchPlan
    options: BatchOptions
    manifest: Manifest
    outcome: BatchOutcome
    recorder: Recorder
    report: Progress

    @property
    def interrupts(self) -> Interrupts:
        return self.recorder.interrupts

    def all_stages(self) -> None:
        self.render()

    def finish(self, started: float) -> None:
        """Save the manifest and the summary (also after an interrupt or an error)."""
        self.outcome.recovered = self.recorder.recovered
        self.outcome.manifest = self.manifest.path
        self.manifest.save()
        self.outcome.summary = _write_summary(self.manifest.folder, self.plan, self.manifest)
        self.outcome.seconds = time.perf_counter() - started

    def output(self, party: PlannedParty, name: str) -> Path:
        return self.manifest.folder / party.code / name

    def escapes(self, party: PlannedParty) -> str | None:
        """Why the party's folder or files lead outside the output folder (None: they don't).

        A link planted in an earlier run's folder must not make the batch write elsewhere.
        """
        folder = self.manifest.folder / party.code
        for path in (folder, folder / STATEMENT_FILE, folder / ROUND_FILE):
            if path.is_symlink():
                return _(
                    "'{path}' is a symbolic link; a batch writes only real files in its folder"
                ).format(path=path)
        return None

    def fail(self, code: str, stage: str, message: str) -> None:
        self.manifest.fail(code, stage, message)
        self.outcome.failures[code] = f"{stage}: {message}"

    # --- render -------------------------------------------------------------------------

    def render(self) -> None:
        from ..render.templates import templates_digest
        from .workers import init_renderer, render_one

        version = templates_digest(self.settings.templates_dir)
        todo: dict[str, tuple[_RenderJob, _Call]] = {}
        for party in self.plan.parties:
            job = self._plan_render(party, version)
            if job is not None:
                statement = party.statement.model_dump_json(by_alias=True)
                todo[party.code] = (job, (render_one, (party.code, statement, str(job.output))))
        self.report("render", 0, len(todo))
        if todo:
            self._in_parallel(
                "render",
                (init_renderer, (self.settings, os.getpid())),
                {code: call for code, (_job, call) in todo.items()},
                lambda code, result: self._rendered(todo[code][0], result),
            )

    def _plan_render(self, party: PlannedParty, version: str) -> _RenderJob | None:
        """The job to render ``party``, or None when it is done (or cannot be done)."""
        inputs = {"invoer_sha256": party.input_digest, "sjablonen_sha256": version}
        output = self.output(party, STATEMENT_FILE)
        escape = self.escapes(party)
        if escape is not None:
            self.fail(party.code, "render", escape)
            return None
        digest = _digest(output)
        if digest is not None and self._render_known(party, output, digest, inputs):
            self.outcome.skipped += 1
            self._send_with_round_file(party, output, digest)
            return None
        if digest is not None and _answered(output.parent):
            self.fail(
                party.code,
                "render",
                _(
                    "its statement was sent out and returns have come in; a new statement "
                    "would no longer match them, so it is kept as it is"
                )
                + " — "
                + _("to change it, prepare a new round in a new folder"),
            )
            return None
        try:
            output.parent.mkdir(exist_ok=True)
        except OSError as error:
            self.fail(
                party.code,
                "render",
                _("cannot create the folder: {reason}").format(reason=error.strerror),
            )
            return None
        index = self.recorder.index
        unrecorded = digest is not None and index.enabled and not index.made(digest, _RENDER)
        return _RenderJob(party, output, inputs, digest if unrecorded else None)

    def _render_known(
        self, party: PlannedParty, output: Path, digest: str, inputs: dict[str, str]
    ) -> bool:
        """Whether the statement there is this input's render (manifest or register says
        so); a statement only the manifest knows is recorded now."""
        index = self.recorder.index
        entry = index.made(digest, _RENDER)
        if self.manifest.holds(party.code, "render", inputs, output):
            if entry is None and index.enabled:
                self.recorder.record(
                    recovered_render(_label(party), self.plan.path, output, digest, **inputs)
                )
            return True
        if entry is not None and all(entry.payload.get(k) == v for k, v in inputs.items()):
            self.manifest.record(
                party.code,
                "render",
                bestand=self.manifest.relative(output),
                sha256=digest,
                **inputs,
            )
            return True
        return False

    def _rendered(self, job: _RenderJob, result: tuple[str, str | None, str | None, str]) -> None:
        _code, digest, error, _templates = result
        code = job.party.code
        if job.found is not None and job.found != digest:
            # the unrecorded statement found there was not this input's render (or stays
            # after a failed render): it leaves a trace
            replaced = {"vervangen_door": digest} if digest else {}
            self.recorder.record(
                recovered_render(
                    _label(job.party), self.plan.path, job.output, job.found, **replaced
                )
            )
        if digest is None:
            self.fail(code, "render", error or _("unknown error"))
            return
        payload: dict[str, Any] = {
            "batch": str(self.plan.path.resolve()),
            "partij": _label(job.party),
            "uitvoer": str(job.output.resolve()),
            "uitvoer_sha256": digest,
            **job.inputs,
        }
        if job.found == digest:
            payload[RECOVERED] = True  # the interrupted run had made exactly this render
        self.recorder.record((_RENDER, payload), made=job.output)
        self.manifest.record(
            code, "render", bestand=self.manifest.relative(job.output), sha256=digest, **job.inputs
        )
        self.outcome.rendered += 1
        self._send_with_round_file(job.party, job.output, digest)

    def _send_with_round_file(self, party: PlannedParty, statement: Path, digest: str) -> None:
        """The round file that goes out with the statement (rewritten when it changed):
        what `collect` matches a return against, and what the party is asked to return."""
        section = self.plan.round
        try:
            write_round_file(
                RoundParty(
                    round_id=section.reference if section else self.plan.path.stem,
                    code=party.code,
                    name=party.name,
                    covenant=self.plan.covenant.id,
                    statement_sha256=digest,
                    statement_size=statement.stat().st_size,
                    statement_date=party.statement.request.date,
                    due=section.due if section else None,
                    minimum_level=(section.minimum_level if section else SignatureLevel.B_T).value,
                    folder=statement.parent,
                    covenant_title=self.plan.covenant.title,
                    facts=_notice_facts(party),
                )
            )
        except (ToetredingError, OSError) as error:
            message = error.message if isinstance(error, ToetredingError) else str(error)
            self.fail(party.code, "render", message)

    # --- parallel stages ----------------------------------------------------------------

    def _in_parallel(
        self,
        stage: str,
        setup: _Call,
        calls: dict[str, _Call],
        handle: Callable[[str, Any], None],
    ) -> None:
        """Run ``calls`` in worker processes; ``handle`` each result as it arrives, with
        signals held off while it writes. On an interrupt: no new jobs, the running ones
        finish, their results are still recorded, then the interrupt goes on."""
        jobs = self.options.jobs or os.cpu_count() or 1
        futures: dict[Future[Any], str] = {}
        handled: set[Future[Any]] = set()
        with worker_pool(min(jobs, len(calls)), *setup) as pool:
            try:
                for code, (function, arguments) in calls.items():
                    futures[pool.submit(function, *arguments)] = code
                for done, future in enumerate(as_completed(futures), 1):
                    handled.add(future)
                    with self.interrupts.deferred():
                        self._take(stage, futures[future], future, handle)
                    self.report(stage, done, len(calls))
                    self.manifest.save_if_due()
            except KeyboardInterrupt:
                self.interrupts.wind_down()
                pool.shutdown(wait=True, cancel_futures=True)
                for future, code in futures.items():
                    finished = future.done() and not future.cancelled()
                    if future not in handled and finished and future.exception() is None:
                        handle(code, future.result())
                raise

    def _take(
        self, stage: str, code: str, future: Future[Any], handle: Callable[[str, Any], None]
    ) -> None:
        try:
            result = future.result()
        except BrokenProcessPool:
            if self.interrupts.pending is None:  # killed on its own (out of memory, kill)
                self.fail(code, stage, _("a worker process stopped unexpectedly; run again"))
            return  # else stopped with the whole process group: not done, not failed
        except Exception as error:  # a bug in one party's work must not stop the others
            self.fail(code, stage, f"{type(error).__name__}: {error}")
            return
        handle(code, result)


_RENDER = EntryKind.RENDER


def _notice_facts(party: PlannedParty) -> dict[str, str]:
    """What the notice of accession will say about the covenant and this party."""
    from ..embedded import EmbeddedStatement

    covenant = party.statement.covenant
    return {
        "convenant_datum": covenant.date.isoformat(),
        "convenant_publicatie": covenant.publication,
        "met_bijlagen": "ja" if covenant.with_annexes else "nee",
        "toetredingsartikel": covenant.accession_article,
        "bekendmaking": covenant.announcement or "de Staatscourant",
        "coordinerende_partij": covenant.coordinator.name,
        "coordinerende_partij_plaats": covenant.coordinator.place,
        "partij_aanduiding": EmbeddedStatement.from_statement(party.statement).party_designation,
    }


def _answered(folder: Path) -> bool:
    """Whether a party's prepared statement has been returned or accepted (then it is final)."""
    from ..round.files import RETURNS_FOLDER

    returns = folder / RETURNS_FOLDER
    return (folder / ACCEPTANCE_FILE).exists() or (returns.is_dir() and any(returns.glob("*.json")))


def _municipality_name(code: str) -> str:
    from ..municipalities import lookup

    found = lookup(code)
    return found.official_name if found is not None else ""


def _write_summary(folder: Path, plan: BatchPlan, manifest: Manifest) -> Path:
    """overzicht.csv: one row per party of the batch that any run handled, from the manifest.

    A run with ``--only`` updates its parties' rows and keeps every other party's row as
    the manifest has it, so the summary and the manifest always tell the same story.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["cbs_code", "gemeente", "status", "fout", "verklaring", "verklaring_sha256"])
    planned = {party.code: party.name for party in plan.parties}
    listed = plan.listed or tuple(planned)
    # parties an earlier run of another batch file left in this folder's manifest come last
    earlier = tuple(code for code in sorted(manifest.parties) if code not in listed)
    for code in (*listed, *earlier):
        entry = manifest.parties.get(code, {})
        if code not in planned and not entry:
            continue  # never handled by any run (or an invalid row): nothing to report
        name = planned.get(code) or _municipality_name(code)
        render = entry.get("render") or {}
        error = entry.get("fout")
        status = "mislukt" if error else "opgemaakt" if render else "open"
        writer.writerow(
            as_text_cell(cell)
            for cell in [
                code,
                name,
                status,
                f"{error['stap']}: {error['melding']}" if error else "",
                render.get("bestand", ""),
                render.get("sha256", ""),
            ]
        )
    path = folder / SUMMARY_FILE
    try:  # BOM: Excel reads UTF-8 then
        write_atomically(path, out.getvalue().encode("utf-8-sig"))
    except OSError as error:
        raise OutputError(
            _("the summary could not be saved: {reason}").format(reason=write_problem(path, error))
        ) from None
    return path
