"""`toetreding accept`: the coordinating party consents to every good return, in one go.

This is the one legitimate "one key, many statements": the coordinating party's own
consent, signed by its own official in the consent field of each statement a party
returned and `collect` found acceptable. Everything is checked before the PIN is asked
(the signer's setup and the coordinator's chain for these statements, see
:func:`toetreding.sign.setup.check_before_secret`); the key is opened once, when the first
return passes its check again (see :class:`_Consents` for how the work overlaps). The consent
fixes the date the accession takes effect, so it is signed at B-T or higher: that date is
the moment its timestamp proves, which `verify` (run on every accepted statement) reports.

Per party: the consented file is written atomically, its signature recorded, then it is
verified and the verification recorded, and only then is ``instemming.json`` written. A
kill -9 anywhere is finished by the next run: a consented file the register knows (or
that is provably the consent over the chosen return) is verified, never signed again; any
other file there is recorded as replaced and signed anew.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..archive_config import responsible_record
from ..batch.lifeline import Interrupts
from ..batch.recovery import Recorder, party_signature_over, recovered_signature
from ..batch.run import locked
from ..config import Settings
from ..errors import OutputError, SigningError, ToetredingError
from ..fileio import write_atomically
from ..i18n import _
from ..model import SignatureSlot
from ..register import EntryKind, opened
from ..secrets import SecretPrompt
from ..signing_config import SignatureLevel
from .files import (
    ACCEPTABLE,
    ACCEPTANCE_FILE,
    ACCEPTED_FILE,
    RETURNS_FOLDER,
    RoundParty,
    acceptance_of,
    encode,
    returns_of,
    round_parties,
)
from .parallel import Call, Progress, RoundInterrupted, Submit

ACCEPTANCE_SCHEMA = "toetreding-instemming/1"
STEP = "toetreding accept"


@dataclass(frozen=True)
class AcceptJob:
    """One consent to give: over the party's acceptable return, into its consented file."""

    party: RoundParty
    source: Path
    source_sha256: str

    @property
    def target(self) -> Path:
        return self.party.folder / ACCEPTED_FILE


@dataclass
class AcceptOutcome:
    """What `accept` did (or, with ``dry_run``, would do)."""

    candidates: list[AcceptJob] = field(default_factory=list)
    signed: int = 0
    accepted: dict[str, str | None] = field(default_factory=dict)
    """CBS code → the effective date `verify` proved, for every party verified now."""
    failures: dict[str, str] = field(default_factory=dict)
    recovered: int = 0
    dry_run: bool = False
    seconds: float = 0.0
    interrupted: int | None = None


def planned_acceptances(parties: list[RoundParty]) -> list[AcceptJob]:
    """Every party with an acceptable return and no consent yet (its newest such return)."""
    jobs = []
    for party in parties:
        if acceptance_of(party) is not None:
            continue
        good = [r for r in returns_of(party) if r.get("uitslag") == ACCEPTABLE]
        if not good:
            continue
        newest = good[-1]
        source = party.folder / RETURNS_FOLDER / str(newest.get("bestand", ""))
        if source.parent != party.folder / RETURNS_FOLDER or not source.is_file():
            continue  # a verdict file naming another place, or nothing, was not written by us
        jobs.append(AcceptJob(party, source, str(newest["sha256"])))
    return jobs


def accept(
    settings: Settings,
    folder: Path,
    choice: Any,
    *,
    prompt: SecretPrompt | None = None,
    dry_run: bool = False,
    jobs: int = 0,
    progress: Progress | None = None,
) -> AcceptOutcome:
    """Consent to every acceptable return in the round in ``folder`` with ``choice``."""
    started = time.perf_counter()
    outcome = AcceptOutcome(dry_run=dry_run)
    outcome.candidates = planned_acceptances(round_parties(folder))
    if dry_run or not outcome.candidates:
        outcome.seconds = time.perf_counter() - started
        return outcome
    _refuse_untimestamped(settings, choice)
    from ..verify import options_from_settings

    options_from_settings(settings)  # every consent is verified: that must be possible
    report = progress or (lambda stage, done, total: None)
    responsible = (
        responsible_record(settings.archive, "accept") if settings.register is not None else None
    )
    with (
        locked(folder),
        Interrupts() as interrupts,
        opened(settings.register, settings.workspace) as register,
    ):
        if register is not None:
            register.check_writable()
        recorder = Recorder(register, interrupts, responsible)
        consents = _Consents(settings, choice, prompt, recorder, outcome, interrupts, report)
        try:
            signed_before = [job for job in outcome.candidates if _signed_before(job, recorder)]
            to_sign = consents.registered([j for j in outcome.candidates if j not in signed_before])
            consents.run(to_sign, signed_before, jobs)
        except KeyboardInterrupt as stop:
            outcome.interrupted = getattr(stop, "signal_number", signal.SIGINT)
        finally:
            consents.close()
            interrupts.wind_down()
            outcome.recovered = recorder.recovered
    outcome.seconds = time.perf_counter() - started
    if outcome.interrupted is not None:
        raise RoundInterrupted(outcome)
    return outcome


def _refuse_untimestamped(settings: Settings, choice: Any) -> None:
    level = choice.level or settings.signing.level
    if level.rank < SignatureLevel.B_T.rank:
        raise SigningError(
            _(
                "the consent fixes the date each accession takes effect, so its moment must be "
                "proven by a timestamp; PAdES {level} has none"
            ).format(level=level.value),
            hint=_(
                "accept at B-T or higher (--level B-T, with --tsa URL or "
                "'ondertekening.tijdstempeldienst'); nothing was signed"
            ),
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _file_sha256(path: Path) -> str | None:
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _signed_before(job: AcceptJob, recorder: Recorder) -> bool:
    """Whether the consented file there is this job's, signed by an earlier (killed) run.

    Known to the register: kept. Unknown but provably the consent over the chosen return:
    recorded now (flagged recovered) and kept. Anything else there is recorded as replaced
    and signed anew, so it leaves a trace.
    """
    digest = _file_sha256(job.target)
    if digest is None:
        return False
    entry = recorder.index.made(digest, EntryKind.ACCEPTANCE)
    if entry is not None and entry.payload.get("invoer_sha256") == job.source_sha256:
        return True
    try:
        source = job.source.read_bytes()
    except OSError:
        source = b""
    over = hashlib.sha256(source).hexdigest() == job.source_sha256
    found = (
        party_signature_over(job.target, source, SignatureSlot.COORDINATOR.value) if over else None
    )
    if found is not None and entry is not None:
        return True  # recorded (for this very return) by the run that was killed
    # a consent over this return that the register does not know is recorded now and kept;
    # any other file here is recorded as replaced before it is signed over
    _signature_kind, payload = recovered_signature(
        found, job.source, job.source_sha256 if found else None, job.target, digest
    )
    payload["toelichting"] = (
        "found in the round folder after an interrupted accept: the file was written, its "
        "entry was not"
        if found
        else "found where the consent belongs, not a consent over the party's return: replaced"
    )
    recorder.record((EntryKind.ACCEPTANCE, payload))
    return found is not None


class _Consents:
    """Check again, consent, verify: one pipeline over the worker processes.

    Each return is judged again in a worker right before its consent (a verdict file is
    only a file in a folder: one planted there, or a return whose certificate was revoked
    since `collect`, must never get the coordinating party's consent). The leader signs each
    return that still passes as its judgement arrives — the key is opened (the secret asked)
    at the first one — and hands the consented file to a worker to be verified, while the
    other workers go on checking. So the leader's signing and the workers' checks and
    verifications overlap instead of taking turns.
    """

    def __init__(
        self,
        settings: Settings,
        choice: Any,
        prompt: SecretPrompt | None,
        recorder: Recorder,
        outcome: AcceptOutcome,
        interrupts: Interrupts,
        report: Progress,
    ) -> None:
        self.settings = settings
        self.choice = choice
        self.prompt = prompt
        self.recorder = recorder
        self.outcome = outcome
        self.interrupts = interrupts
        self.report = report
        self.signer: Any = None
        self.jobs: dict[str, AcceptJob] = {}
        self.counts = {"check": [0, 0], "sign": [0, 0], "verify": [0, 0]}

    def registered(self, jobs: list[AcceptJob]) -> list[AcceptJob]:
        """The jobs whose prepared statement the register records as rendered for the
        party; the others are rejected now, recorded, and never signed."""
        from .collect import unrecorded_statement

        kept = []
        for job in jobs:
            refusal = unrecorded_statement(job.party, self.recorder)
            if refusal is None:
                kept.append(job)
                continue
            with self.interrupts.deferred():
                self._reject(job, refusal)
        return kept

    def run(self, to_sign: list[AcceptJob], signed_before: list[AcceptJob], workers: int) -> None:
        from .parallel import in_pipeline
        from .workers import check_call, init_checker, verify_acceptance

        self.jobs = {job.party.code: job for job in [*to_sign, *signed_before]}
        first: list[tuple[str, str, Call]] = [
            (
                "check",
                job.party.code,
                check_call(job.party.code, job.source, job.source_sha256, job.party),
            )
            for job in to_sign
        ]
        first += [
            ("verify", job.party.code, (verify_acceptance, (job.party.code, str(job.target))))
            for job in signed_before
        ]
        self.counts["check"][1] = len(to_sign)
        self.counts["verify"][1] = len(signed_before)
        self.report("check", 0, len(to_sign))
        in_pipeline(
            workers,
            (init_checker, (self.settings, os.getpid())),
            first,
            self._handle,
            self._failed,
            self.interrupts,
            self._after_interrupt,
        )

    def close(self) -> None:
        """Release the key (logs out of a token)."""
        if self.signer is not None:
            self.signer.close()
            self.signer = None

    def _progress(self, stage: str) -> None:
        done_total = self.counts[stage]
        done_total[0] += 1
        self.report(stage, done_total[0], done_total[1])

    def _handle(self, stage: str, code: str, result: dict[str, Any], submit: Submit) -> None:
        from .workers import verify_acceptance

        job = self.jobs[code]
        if stage == "verify":
            with self.interrupts.deferred():
                self._record_verification(job, result)
            self._progress("verify")
            return
        self._progress("check")
        if result.get("uitslag") != ACCEPTABLE:
            with self.interrupts.deferred():
                self._reject(job, result)
            return
        self.counts["sign"][1] += 1
        self.report("sign", *self.counts["sign"])  # before the key is used: "signing: 0/1"
        signed = self._sign(job)
        self._progress("sign")
        if signed:
            self.counts["verify"][1] += 1
            submit("verify", code, (verify_acceptance, (code, str(job.target))))

    def _failed(self, stage: str, code: str, message: str) -> None:
        self.outcome.failures[code] = message
        self._progress(stage)

    def _after_interrupt(self, stage: str, code: str, result: dict[str, Any]) -> None:
        """A result finished when the run was interrupted: kept, but nothing new is signed."""
        job = self.jobs[code]
        if stage == "verify":
            self._record_verification(job, result)
        elif result.get("uitslag") != ACCEPTABLE:
            self._reject(job, result)

    def _reject(self, job: AcceptJob, verdict: dict[str, Any]) -> None:
        """Record the new judgement; it replaces the verdict file, so status shows the
        reasons and the next accept does not offer this return again."""
        from .collect import StoredReturn, record_verdict

        self.outcome.failures[job.party.code] = _(
            "checked again before the consent, the return does not pass: {reasons}"
        ).format(reasons="; ".join(str(r) for r in verdict.get("redenen") or []))
        stored = StoredReturn(job.party, job.source_sha256, job.source, job.source.name, False)
        record_verdict(stored, verdict, self.recorder, STEP)

    def _open_signer(self, job: AcceptJob) -> Any:
        """Open the key once, at the first return that passes (the secret is asked then):
        a key the coordinator's chain does not authorise stops the whole run here."""
        if self.signer is None:
            from ..sign import open_statement_signer, read_statement
            from ..sign.signing import check_authority

            first = read_statement(job.source, check_structure=False)  # verified whole
            slot = SignatureSlot.COORDINATOR
            formula = first.embedded.formula_for(slot) if first.embedded else None
            signer = open_statement_signer(
                self.settings, self.choice, slot, self.prompt, formula, first
            )
            try:
                check_authority(
                    first, slot, signer.credential.certificate, signer.options.presentation, _now()
                )
            except BaseException:
                signer.close()
                raise
            self.signer = signer
        return self.signer

    def _sign(self, job: AcceptJob) -> bool:
        """Consent to one return: write the consented file and record the signature."""
        from ..sign import read_statement
        from ..workflow import signature_entry

        signer = self._open_signer(job)
        try:
            # read once: the bytes hashed are the bytes signed (the check judged these too)
            statement = read_statement(job.source, check_structure=False)
            if hashlib.sha256(statement.data).hexdigest() != job.source_sha256:
                raise OutputError(
                    _("{file} changed after it was collected; run collect again").format(
                        file=job.source
                    )
                )
            signed = signer.sign(statement, SignatureSlot.COORDINATOR.value)
            with self.interrupts.deferred():
                digest = write_atomically(job.target, signed.data)
                item = signature_entry(signed, job.source, job.source_sha256, job.target, digest)
                self.recorder.record(item, made=job.target)
                self.outcome.signed += 1
        except ToetredingError as error:
            self.outcome.failures[job.party.code] = error.message
            return False
        return True

    def _record_verification(self, job: AcceptJob, result: dict[str, Any]) -> None:
        """Record the verification of a consented file, then write ``instemming.json``."""
        entry = self.recorder.record(
            (
                EntryKind.VALIDATION,
                {
                    "document_sha256": result["sha256"],
                    "resultaat": result["verificatie"],
                    "verantwoordelijke": self.recorder.responsible,
                    "stap": STEP,
                    "ronde": job.party.round_id,
                    "partij": f"{job.party.name} ({job.party.code})",
                    "ingangsdatum": result["ingangsdatum"],
                },
            )
        )
        data = {
            "schema": ACCEPTANCE_SCHEMA,
            "bron": job.source.name,
            "bron_sha256": job.source_sha256,
            "bestand": ACCEPTED_FILE,
            "register_volgnummer": entry.seq if entry else None,
            "vastgelegd": dt.datetime.now(dt.UTC).isoformat(),
            **result,
        }
        write_atomically(job.party.folder / ACCEPTANCE_FILE, encode(data))
        code = job.party.code
        if result["verificatie"] == "PASSED":
            self.outcome.accepted[code] = result["ingangsdatum"]
        else:
            self.outcome.failures[code] = "; ".join(result["redenen"]) or result["verificatie"]
