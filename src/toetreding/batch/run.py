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
import hashlib
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
from ..secrets import SecretPrompt
from ..workflow import signature_entry
from .input import BatchPlan, PlannedParty
from .lifeline import Interrupts
from .manifest import MANIFEST_NAME, Manifest, file_sha256, write_problem
from .recovery import (
    RECOVERED,
    FoundSignature,
    Recorder,
    party_signature_over,
    recovered_render,
    recovered_signature,
)

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): 'render', 'sign' or 'verify'."""

_Call = tuple[Callable[..., Any], tuple[Any, ...]]
"""A function to run in a worker process (or to set one up) and its arguments."""

STATEMENT_FILE = "verklaring.pdf"
SIGNED_FILE = "verklaring-ondertekend.pdf"
SUMMARY_FILE = "overzicht.csv"
LOCK_FILE = ".batch.lock"
_OURS = (STATEMENT_FILE, SIGNED_FILE, MANIFEST_NAME, SUMMARY_FILE)


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch."""

    output: Path
    jobs: int = 0
    """Worker processes for rendering and verifying (0: one per CPU)."""
    sign: Any = None
    """A SignerChoice to sign with (None: render only)."""
    verify: bool = True
    trust_roots: tuple[Path, ...] = ()
    crls: tuple[Path, ...] = ()
    """Revocation list files for verifying; default: the config's intrekkingslijsten."""


@dataclass
class BatchOutcome:
    """What a batch did. Every counted step was written *and* recorded in the register."""

    total: int
    rendered: int = 0
    signed: int = 0
    verified: int = 0
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
    prompt: SecretPrompt | None = None,
) -> BatchOutcome:
    """Run every stage for every planned party (raises :class:`BatchInterrupted` on Ctrl-C
    or SIGTERM once the run has wound down)."""
    started = time.perf_counter()
    if options.sign is not None:
        # the signer profile, key, level and TSA are checked before a single statement is
        # rendered: a typo in --sign must not cost a full render of every party first
        from ..model import SignatureSlot
        from ..sign.setup import check_before_secret

        check_before_secret(settings, options.sign, SignatureSlot.PARTY)
        if plan.parties:  # every statement of a batch bears the batch's date
            import datetime as dt

            from ..sign.signing import AMSTERDAM, refuse_signing_before_date

            today = dt.datetime.now(dt.UTC).astimezone(AMSTERDAM).date()
            refuse_signing_before_date(max(p.statement.request.date for p in plan.parties), today)
    folder = _output_folder(options.output)
    outcome = BatchOutcome(total=len(plan.parties))
    with _locked(folder), Interrupts() as interrupts, opened(settings.register) as register:
        if register is not None:
            register.check_writable()  # before any output: a run must be able to record
        _remove_half_written(folder)
        manifest = Manifest(folder, plan.path.resolve())
        recorder = Recorder(register, interrupts)
        run = _Run(
            settings, plan, options, manifest, outcome, recorder, progress or _silent, prompt
        )
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
def _locked(folder: Path) -> Iterator[None]:
    """One batch per output folder at a time (two would sign and record twice)."""
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
                _("another batch is working in '{folder}'").format(folder=folder),
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


def _pool(jobs: int, initializer: Any, arguments: tuple[Any, ...]) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean server process, never from this one, which may
    # hold threads (Typst's thread pool, an HTTP client) whose locks a plain fork would copy
    # mid-use — a worker then deadlocks inside Typst (seen under pytest)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=initializer, initargs=arguments
    )


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
    prompt: SecretPrompt | None

    @property
    def interrupts(self) -> Interrupts:
        return self.recorder.interrupts

    def all_stages(self) -> None:
        self.render()
        if self.options.sign is None:
            return
        self.sign()
        if self.options.verify:
            self.verify()

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
        for path in (folder, folder / STATEMENT_FILE, folder / SIGNED_FILE):
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

    # --- sign ---------------------------------------------------------------------------

    def sign(self) -> None:
        from ..model import SignatureSlot
        from ..sign import open_statement_signer

        todo = [job for party in self.plan.parties if (job := self._plan_sign(party))]
        self.report("sign", 0, len(todo))
        if not todo:
            return
        with open_statement_signer(
            self.settings, self.options.sign, SignatureSlot.PARTY, self.prompt
        ) as signer:
            for done, job in enumerate(todo, 1):
                self._sign_one(signer, job)
                self.report("sign", done, len(todo))
                self.manifest.save_if_due()

    def _plan_sign(self, party: PlannedParty) -> _SignJob | None:
        """The job to sign ``party``, or None when it is done or its render is not."""
        rendered = self.manifest.parties.get(party.code, {}).get("render")
        if not isinstance(rendered, dict) or party.code in self.outcome.failures:
            return None
        escape = self.escapes(party)
        if escape is not None:
            self.fail(party.code, "sign", escape)
            return None
        source = self.output(party, STATEMENT_FILE)
        job = _SignJob(party, source, str(rendered["sha256"]), self.output(party, SIGNED_FILE))
        digest = _digest(job.target)
        if digest is not None and self._signed_known(job, digest):
            return None
        return job

    def _signed_known(self, job: _SignJob, digest: str) -> bool:
        """Whether the signed file there is kept: manifest or register know it, or it is the
        signed form of the current statement (then recorded now, never signed again)."""
        index = self.recorder.index
        entry = index.made(digest, _SIGNATURE)
        expect = {"invoer_sha256": job.source_digest}
        if (entry is not None or not index.enabled) and self.manifest.holds(
            job.party.code, "sign", expect, job.target
        ):
            return True
        if entry is not None and entry.payload.get("invoer_sha256") == job.source_digest:
            self._adopt_signed(job, digest, entry.payload.get("niveau"))
            return True
        found = self._signature_over_statement(job)
        if entry is None and index.enabled:
            self.recorder.record(
                recovered_signature(
                    found,
                    job.source,
                    job.source_digest if found else None,
                    job.target,
                    digest,
                )
            )
        if found is None:
            return False  # not over this statement: signed again (the old one has a trace)
        self._adopt_signed(job, digest, None)
        return True

    def _signature_over_statement(self, job: _SignJob) -> FoundSignature | None:
        from ..model import SignatureSlot

        try:
            statement = job.source.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(statement).hexdigest() != job.source_digest:
            return None
        return party_signature_over(job.target, statement, SignatureSlot.PARTY.value)

    def _adopt_signed(self, job: _SignJob, digest: str, level: Any) -> None:
        self.manifest.record(
            job.party.code,
            "sign",
            bestand=self.manifest.relative(job.target),
            sha256=digest,
            invoer_sha256=job.source_digest,
            niveau=level,
        )

    def _sign_one(self, signer: Any, job: _SignJob) -> None:
        """Sign one party; its file and its entry are written together or not at all."""
        signed = self._signature(signer, job)
        if signed is None:
            return
        with self.interrupts.deferred():
            try:
                digest = write_atomically(job.target, signed.data)
            except ToetredingError as error:
                self.fail(job.party.code, "sign", error.message)
                return
            except OSError as error:
                self.fail(job.party.code, "sign", write_problem(job.target, error))
                return
            entry = signature_entry(signed, job.source, job.source_digest, job.target, digest)
            self.recorder.record(entry, made=job.target)
            self._adopt_signed(job, digest, signed.level.value)
            self.outcome.signed += 1

    def _signature(self, signer: Any, job: _SignJob) -> Any:
        """The signed document in memory, or None (the party failed)."""
        from ..model import SignatureSlot
        from ..sign import SignerPresentation, read_statement

        party = job.party
        try:
            if file_sha256(job.source) != job.source_digest:
                raise OutputError(
                    _("{file} changed after it was rendered; run the batch again").format(
                        file=job.source
                    )
                )
            presentation = SignerPresentation(
                function=party.function,
                on_behalf_of=party.on_behalf_of,
                name=party.statement.authority.signer.name,
                location=party.statement.request.place,
            )
            return signer.sign(read_statement(job.source), SignatureSlot.PARTY.value, presentation)
        except ToetredingError as error:
            self.fail(party.code, "sign", error.message)
        except OSError as error:
            self.fail(
                party.code,
                "sign",
                _("cannot read '{file}': {reason}").format(file=job.source, reason=error.strerror),
            )
        return None

    # --- verify -------------------------------------------------------------------------

    def verify(self) -> None:
        from .workers import init_verifier, verify_one

        roots = self.options.trust_roots or self.settings.signing.trust_roots
        crls = self.options.crls or self.settings.signing.crls
        todo: dict[str, tuple[PlannedParty, str]] = {}
        for party in self.plan.parties:
            digest = self._plan_verify(party)
            if digest is not None:
                todo[party.code] = (party, digest)
        self.report("verify", 0, len(todo))
        if not todo:
            return
        arguments = ([str(r) for r in roots], [str(c) for c in crls], True, os.getpid())
        self._in_parallel(
            "verify",
            (init_verifier, arguments),
            {
                code: (verify_one, (code, str(self.output(party, SIGNED_FILE))))
                for code, (party, _digest) in todo.items()
            },
            lambda code, result: self._verified(*todo[code], result),
        )

    def _plan_verify(self, party: PlannedParty) -> str | None:
        """The signed file's SHA-256 when it is to be verified, else None."""
        signed = self.manifest.parties.get(party.code, {}).get("sign")
        if not isinstance(signed, dict) or party.code in self.outcome.failures:
            return None
        digest = str(signed.get("sha256", ""))
        index = self.recorder.index
        passed = {"invoer_sha256": digest, "resultaat": "PASSED"}
        if self.manifest.matching(party.code, "verify", passed) and (
            index.passed(digest) or not index.enabled
        ):
            return None
        if index.passed(digest):  # recorded, but the manifest was not saved since
            self.manifest.record(party.code, "verify", **passed)
            return None
        return digest

    def _verified(
        self, party: PlannedParty, digest: str, result: tuple[str, str, list[str]]
    ) -> None:
        code, verdict, problems = result
        self.recorder.record(
            (
                EntryKind.VALIDATION,
                {
                    "document_sha256": digest,
                    "resultaat": verdict,
                    "verantwoordelijke": "toetreding batch",
                    "partij": _label(party),
                },
            )
        )
        self.manifest.record(code, "verify", invoer_sha256=digest, resultaat=verdict)
        if verdict == "PASSED":
            self.outcome.verified += 1
        else:
            self.fail(code, "verify", "; ".join(problems) or verdict)

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
        with _pool(min(jobs, len(calls)), *setup) as pool:
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
_SIGNATURE = EntryKind.SIGNATURE


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
    writer.writerow(
        [
            "cbs_code",
            "gemeente",
            "status",
            "fout",
            "verklaring",
            "verklaring_sha256",
            "ondertekend",
            "ondertekend_sha256",
            "verificatie",
        ]
    )
    planned = {party.code: party.name for party in plan.parties}
    listed = plan.listed or tuple(planned)
    # parties an earlier run of another batch file left in this folder's manifest come last
    earlier = tuple(code for code in sorted(manifest.parties) if code not in listed)
    for code in (*listed, *earlier):
        entry = manifest.parties.get(code, {})
        if code not in planned and not entry:
            continue  # never handled by any run (or an invalid row): nothing to report
        name = planned.get(code) or _municipality_name(code)
        render, sign, verify = (entry.get(k) or {} for k in ("render", "sign", "verify"))
        # a stage counts only for the output of the stage before it: a signature of an
        # earlier rendering, or a verification of an earlier signed file, is stale
        if sign and sign.get("invoer_sha256") != render.get("sha256"):
            sign = {}
        if verify and verify.get("invoer_sha256") != sign.get("sha256"):
            verify = {}
        error = entry.get("fout")
        status = (
            "mislukt"
            if error
            else "geverifieerd"
            if verify.get("resultaat") == "PASSED"
            else "ondertekend"
            if sign
            else "opgemaakt"
            if render
            else "open"
        )
        writer.writerow(
            [
                code,
                name,
                status,
                f"{error['stap']}: {error['melding']}" if error else "",
                render.get("bestand", ""),
                render.get("sha256", ""),
                sign.get("bestand", ""),
                sign.get("sha256", ""),
                verify.get("resultaat", ""),
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
