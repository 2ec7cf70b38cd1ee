"""Running a batch: validate all → render in parallel → sign in one process → verify in
parallel → record → manifest and summary. Progress goes through a callback.

A party that fails at any stage is recorded with its error and the others go on; the
outcome says which failed and why (the CLI exits 3 then).
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import OutputError, ToetredingError
from ..fileio import write_atomically
from ..register import EntryKind, opened
from ..secrets import SecretPrompt
from ..workflow import signature_entry
from .input import BatchPlan, PlannedParty
from .manifest import Manifest, file_sha256

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): 'render', 'sign' or 'verify'."""

STATEMENT_FILE = "verklaring.pdf"
SIGNED_FILE = "verklaring-ondertekend.pdf"
SUMMARY_FILE = "overzicht.csv"


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
    """What a batch did."""

    total: int
    rendered: int = 0
    signed: int = 0
    verified: int = 0
    skipped: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    manifest: Path | None = None
    summary: Path | None = None
    seconds: float = 0.0


def run_batch(
    settings: Settings,
    plan: BatchPlan,
    options: BatchOptions,
    *,
    progress: Progress | None = None,
    prompt: SecretPrompt | None = None,
) -> BatchOutcome:
    """Run every stage for every planned party."""
    started = time.perf_counter()
    folder = options.output
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"'{folder}' is not a folder", hint="give a folder for the batch output")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(folder, plan.path)
    outcome = BatchOutcome(total=len(plan.parties))
    report = progress or (lambda stage, done, total: None)
    jobs = options.jobs or os.cpu_count() or 1
    records: list[tuple[EntryKind, dict[str, Any]]] = []
    try:
        _render(settings, plan, manifest, outcome, jobs, report, records)
        if options.sign is not None:
            _sign(settings, plan, manifest, outcome, options, report, records, prompt)
            if options.verify:
                roots = options.trust_roots or settings.signing.trust_roots
                _verify(
                    plan,
                    manifest,
                    outcome,
                    jobs,
                    (roots, options.crls or settings.signing.crls),
                    report,
                    records,
                )
    finally:
        manifest.save()
        with opened(settings.register) as register:
            if register is not None:
                register.append_many(records)
        outcome.manifest = manifest.path
        outcome.summary = _write_summary(folder, plan, manifest)
        outcome.seconds = time.perf_counter() - started
    return outcome


def _party_folder(options_output: Path, party: PlannedParty) -> Path:
    folder = options_output / party.code
    folder.mkdir(exist_ok=True)
    return folder


def _pool(jobs: int, initializer: Any, arguments: tuple[Any, ...]) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean server process, never from this one, which may
    # hold threads (Typst's thread pool, an HTTP client) whose locks a plain fork would copy
    # mid-use — a worker then deadlocks inside Typst (seen under pytest)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=initializer, initargs=arguments
    )


def _render(
    settings: Settings,
    plan: BatchPlan,
    manifest: Manifest,
    outcome: BatchOutcome,
    jobs: int,
    report: Progress,
    records: list[Any],
) -> None:
    from ..render.templates import templates_digest
    from .workers import init_renderer, render_one

    template_version = templates_digest(settings.templates_dir)
    todo = []
    for party in plan.parties:
        expect = {"invoer_sha256": party.input_digest, "sjablonen_sha256": template_version}
        if manifest.stage_done(party.code, "render", expect):
            outcome.skipped += 1
            continue
        output = _party_folder(manifest.path.parent, party) / STATEMENT_FILE
        todo.append((party, output))
    done = 0
    total = len(todo)
    report("render", done, total)
    if not todo:
        return
    by_code = {party.code: (party, output) for party, output in todo}
    with _pool(min(jobs, total), init_renderer, (settings,)) as pool:
        futures = [
            pool.submit(
                render_one, party.code, party.statement.model_dump_json(by_alias=True), str(output)
            )
            for party, output in todo
        ]
        for future in as_completed(futures):
            code, digest, error, _digest_of_templates = future.result()
            party, output = by_code[code]
            if digest is None:
                manifest.fail(code, "render", error or "unknown error")
                outcome.failures[code] = f"render: {error}"
            else:
                manifest.record(
                    code,
                    "render",
                    bestand=str(output),
                    sha256=digest,
                    invoer_sha256=party.input_digest,
                    sjablonen_sha256=template_version,
                )
                records.append(
                    (
                        EntryKind.RENDER,
                        {
                            "batch": str(plan.path),
                            "partij": f"{party.name} ({code})",
                            "uitvoer": str(output.resolve()),
                            "uitvoer_sha256": digest,
                            "invoer_sha256": party.input_digest,
                            "sjablonen_sha256": template_version,
                        },
                    )
                )
                outcome.rendered += 1
            done += 1
            report("render", done, total)
            if done % 50 == 0:
                manifest.save()


def _sign(
    settings: Settings,
    plan: BatchPlan,
    manifest: Manifest,
    outcome: BatchOutcome,
    options: BatchOptions,
    report: Progress,
    records: list[Any],
    prompt: SecretPrompt | None,
) -> None:
    from ..model import SignatureSlot
    from ..sign import SignerPresentation, open_statement_signer, read_statement

    todo = []
    for party in plan.parties:
        rendered = manifest.parties.get(party.code, {}).get("render")
        if not isinstance(rendered, dict) or party.code in outcome.failures:
            continue
        if manifest.stage_done(party.code, "sign", {"invoer_sha256": rendered.get("sha256", "")}):
            continue
        todo.append((party, Path(rendered["bestand"]), rendered["sha256"]))
    total = len(todo)
    report("sign", 0, total)
    if not todo:
        return
    with open_statement_signer(settings, options.sign, SignatureSlot.PARTY, prompt) as signer:
        for done, (party, source, source_digest) in enumerate(todo, 1):
            target = source.parent / SIGNED_FILE
            try:
                if file_sha256(source) != source_digest:
                    raise OutputError(
                        f"{source} changed after it was rendered; run the batch again"
                    )
                presentation = SignerPresentation(
                    function=party.function,
                    on_behalf_of=party.on_behalf_of,
                    name=party.statement.authority.signer.name,
                    location=party.statement.request.place,
                )
                signed = signer.sign(
                    read_statement(source), SignatureSlot.PARTY.value, presentation
                )
                digest = write_atomically(target, signed.data)
            except ToetredingError as error:
                manifest.fail(party.code, "sign", error.message)
                outcome.failures[party.code] = f"sign: {error.message}"
            else:
                manifest.record(
                    party.code,
                    "sign",
                    bestand=str(target),
                    sha256=digest,
                    invoer_sha256=source_digest,
                    niveau=signed.level.value,
                )
                records.append(signature_entry(signed, source, source_digest, target, digest))
                outcome.signed += 1
            report("sign", done, total)
            if done % 50 == 0:
                manifest.save()


def _verify(
    plan: BatchPlan,
    manifest: Manifest,
    outcome: BatchOutcome,
    jobs: int,
    trust: tuple[tuple[Path, ...], tuple[Path, ...]],
    report: Progress,
    records: list[Any],
) -> None:
    from .workers import init_verifier, verify_one

    roots, crls = trust

    todo = []
    for party in plan.parties:
        signed = manifest.parties.get(party.code, {}).get("sign")
        if not isinstance(signed, dict) or party.code in outcome.failures:
            continue
        if manifest.stage_done(
            party.code, "verify", {"invoer_sha256": signed.get("sha256", ""), "resultaat": "PASSED"}
        ):
            continue
        todo.append((party, signed["bestand"], signed["sha256"]))
    total = len(todo)
    report("verify", 0, total)
    if not todo:
        return
    info = {party.code: (party, digest) for party, _path, digest in todo}
    arguments = ([str(r) for r in roots], [str(c) for c in crls], True)
    with _pool(min(jobs, total), init_verifier, arguments) as pool:
        futures = [pool.submit(verify_one, party.code, path) for party, path, _digest in todo]
        for done, future in enumerate(as_completed(futures), 1):
            code, verdict, problems = future.result()
            party, digest = info[code]
            manifest.record(code, "verify", invoer_sha256=digest, resultaat=verdict)
            records.append(
                (
                    EntryKind.VALIDATION,
                    {
                        "document_sha256": digest,
                        "resultaat": verdict,
                        "verantwoordelijke": "toetreding batch",
                        "partij": f"{party.name} ({code})",
                    },
                )
            )
            if verdict == "PASSED":
                outcome.verified += 1
            else:
                manifest.fail(code, "verify", "; ".join(problems) or verdict)
                outcome.failures[code] = f"verify: {'; '.join(problems) or verdict}"
            report("verify", done, total)


def _write_summary(folder: Path, plan: BatchPlan, manifest: Manifest) -> Path:
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
    for party in plan.parties:
        entry = manifest.parties.get(party.code, {})
        render, sign, verify = (entry.get(k) or {} for k in ("render", "sign", "verify"))
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
                party.code,
                party.name,
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
    write_atomically(path, out.getvalue().encode("utf-8-sig"))  # BOM: Excel reads UTF-8 then
    return path
