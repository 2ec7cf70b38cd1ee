"""`toetreding accept`: the coordinating party consents to every good return, in one go.

This is the one legitimate "one key, many statements": the coordinating party's own
consent, signed by its own official in the consent field of each statement a party
returned and `collect` found acceptable. Everything is checked before the PIN is asked
(the signer's setup and the coordinator's chain for these statements, see
:func:`toetreding.sign.setup.check_before_secret`); the key is opened once. The consent
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
from .parallel import Progress, RoundInterrupted

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
        try:
            to_sign = [job for job in outcome.candidates if not _signed_before(job, recorder)]
            to_sign = _still_acceptable(
                settings, to_sign, outcome, recorder, interrupts, jobs, report
            )
            if to_sign:
                _sign_all(settings, choice, prompt, to_sign, recorder, outcome, interrupts, report)
            _verify_all(settings, outcome, recorder, interrupts, jobs, report)
        except KeyboardInterrupt as stop:
            outcome.interrupted = getattr(stop, "signal_number", signal.SIGINT)
        finally:
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


def _still_acceptable(
    settings: Settings,
    jobs: list[AcceptJob],
    outcome: AcceptOutcome,
    recorder: Recorder,
    interrupts: Interrupts,
    workers: int,
    report: Progress,
) -> list[AcceptJob]:
    """The jobs whose return passes the checks again, right before the consent.

    A verdict file is only a file in a folder: one planted there, or a return whose
    certificate was revoked since `collect`, must never get the coordinating party's
    consent. So each return is judged again (in workers) against its party's prepared
    statement, and only what still passes is signed.
    """
    from .collect import StoredReturn, record_verdict, unrecorded_statement
    from .parallel import in_workers
    from .workers import check_one_return, init_checker

    by_code = {job.party.code: job for job in jobs}
    passing: set[str] = set()

    def handle(code: str, verdict: dict[str, Any]) -> None:
        if verdict.get("uitslag") == ACCEPTABLE:
            passing.add(code)
            return
        job = by_code[code]
        outcome.failures[code] = _(
            "checked again before the consent, the return does not pass: {reasons}"
        ).format(reasons="; ".join(str(r) for r in verdict.get("redenen") or []))
        # the new judgement is recorded and replaces the verdict file: status shows the
        # reasons, and the next accept does not offer this return again
        stored = StoredReturn(job.party, job.source_sha256, job.source, job.source.name, False)
        record_verdict(stored, verdict, recorder, STEP)

    for code, job in list(by_code.items()):
        refusal = unrecorded_statement(job.party, recorder)
        if refusal is not None:
            with interrupts.deferred():
                handle(code, refusal)
            del by_code[code]

    report("check", 0, len(jobs))
    in_workers(
        workers,
        (init_checker, (settings, os.getpid())),
        {
            code: (
                check_one_return,
                (
                    code,
                    str(job.source),
                    str(job.party.statement),
                    job.party.statement_sha256,
                    job.party.minimum_level,
                ),
            )
            for code, job in by_code.items()
        },
        handle,
        lambda code, message: outcome.failures.__setitem__(code, message),
        interrupts,
        lambda done, total: report("check", done, total),
    )
    return [job for job in jobs if job.party.code in passing]


def _sign_all(
    settings: Settings,
    choice: Any,
    prompt: SecretPrompt | None,
    jobs: list[AcceptJob],
    recorder: Recorder,
    outcome: AcceptOutcome,
    interrupts: Interrupts,
    report: Progress,
) -> None:
    """Check everything, ask the secret once, and consent to each statement in turn."""
    from ..sign import open_statement_signer, read_statement
    from ..sign.signing import check_authority
    from ..workflow import signature_entry

    first = read_statement(jobs[0].source)
    formula = first.embedded.formula_for(SignatureSlot.COORDINATOR) if first.embedded else None
    slot = SignatureSlot.COORDINATOR
    report("sign", 0, len(jobs))
    with open_statement_signer(settings, choice, slot, prompt, formula, first) as signer:
        # the key behind a PKCS#12 passphrase is known only now: a key the coordinator's
        # chain does not authorise stops the whole run here, once, not once per party
        check_authority(
            first, slot, signer.credential.certificate, signer.options.presentation, _now()
        )
        for done, job in enumerate(jobs, 1):
            code = job.party.code
            try:
                if _file_sha256(job.source) != job.source_sha256:
                    raise OutputError(
                        _("{file} changed after it was collected; run collect again").format(
                            file=job.source
                        )
                    )
                signed = signer.sign(read_statement(job.source), slot.value)
                with interrupts.deferred():
                    digest = write_atomically(job.target, signed.data)
                    item = signature_entry(
                        signed, job.source, job.source_sha256, job.target, digest
                    )
                    recorder.record(item, made=job.target)
                    outcome.signed += 1
            except ToetredingError as error:
                outcome.failures[code] = error.message
            report("sign", done, len(jobs))


def _verify_all(
    settings: Settings,
    outcome: AcceptOutcome,
    recorder: Recorder,
    interrupts: Interrupts,
    jobs: int,
    report: Progress,
) -> None:
    """Verify every consented file (in workers), record it, then write instemming.json."""
    from .parallel import in_workers
    from .workers import init_checker, verify_acceptance

    ready = {
        job.party.code: job
        for job in outcome.candidates
        if job.party.code not in outcome.failures and _file_sha256(job.target) is not None
    }
    report("verify", 0, len(ready))

    def handle(code: str, result: dict[str, Any]) -> None:
        job = ready[code]
        entry = recorder.record(
            (
                EntryKind.VALIDATION,
                {
                    "document_sha256": result["sha256"],
                    "resultaat": result["verificatie"],
                    "verantwoordelijke": recorder.responsible,
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
        if result["verificatie"] == "PASSED":
            outcome.accepted[code] = result["ingangsdatum"]
        else:
            outcome.failures[code] = "; ".join(result["redenen"]) or result["verificatie"]

    in_workers(
        jobs,
        (init_checker, (settings, os.getpid())),
        {code: (verify_acceptance, (code, str(job.target))) for code, job in ready.items()},
        handle,
        lambda code, message: outcome.failures.__setitem__(code, message),
        interrupts,
        lambda done, total: report("verify", done, total),
    )
