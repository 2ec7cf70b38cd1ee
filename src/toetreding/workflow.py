"""The steps a user runs, each recorded in the workspace's register.

`render`, `sign` and `extend` themselves know nothing of the register (they do one job
each); this module runs them and writes what the archive must keep (Archiefregeling
art. 24c): what was rendered from which inputs with which templates, which chain of
authority was carried, and every signature with the signer's certificate identification.
It is what the CLI, the demo and batch call.

Order matters for the archive: the register is opened and checked writable *before* any
output is made (a read-only or damaged register stops the step before a PIN is asked or a
file appears), and a step reports success only after its entry is written. When the entry
cannot be written after all, the output just made is removed again, so no unrecorded
statement is left behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Settings
from .i18n import _
from .mandate import chain_digest
from .model import Language, SignatureSlot
from .outputs import PDF, PNG, guard_output
from .register import EntryKind, Register, RegisterError, opened
from .secrets import SecretPrompt
from .signing_config import SignatureLevel


@dataclass(frozen=True)
class Recorded:
    """An outcome plus what the register said about it."""

    outcome: Any
    register: Path | None
    entries: tuple[int, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def render_recorded(
    request: Path,
    output: Path,
    settings: Settings,
    *,
    language: Language | None = None,
    preview: Path | None = None,
    overwrite: bool = False,
) -> Recorded:
    """Render a statement and record the render (and its chain, the first time it is seen)."""
    guard_output(output, PDF, settings, inputs=(request,), overwrite=overwrite)
    if preview is not None:
        guard_output(
            preview,
            PNG,
            settings,
            inputs=(request, output),
            overwrite=overwrite,
            option="--preview",
        )
    from .inputs import load_request
    from .render import render_statement  # Jinja and Typst: only the render path loads them

    with opened(settings.register) as register:
        if register is not None:
            register.check_writable()
        statement = load_request(request)  # before any output: it may be refused
        outcome = render_statement(request, output, settings, language=language, preview=preview)
        if register is None:
            return Recorded(outcome, None)
        items: list[tuple[EntryKind, dict[str, Any]]] = []
        # both chains the statement carries: the party's, and the coordinating party's that
        # its consent will be checked against (a consent entry names that digest)
        for chain in (statement.authority, statement.covenant.coordinator.authority):
            digest = chain_digest(chain)
            if not register.has_chain(digest) and all(
                item[1].get("keten_sha256") != digest for item in items
            ):
                items.append(
                    (
                        EntryKind.CHAIN,
                        {
                            "keten_sha256": digest,
                            "bevoegdheid": chain.model_dump(mode="json", by_alias=True),
                        },
                    )
                )
        items.append(
            (
                EntryKind.RENDER,
                {
                    "invoer": [
                        {"bestand": name, "sha256": digest} for name, digest in outcome.inputs
                    ],
                    "uitvoer": str(output.resolve()),
                    "uitvoer_sha256": outcome.sha256,
                    "sjablonen_sha256": outcome.template_digest,
                    "gegevens_sha256": outcome.embedded_digest,
                    "keten_sha256": outcome.chain_digest,
                    "profiel": outcome.profile,
                    "taal": outcome.language,
                    **(outcome.summary or {}),
                },
            )
        )
        written = record_or_withdraw(register, items, output, outcome.preview)
        return Recorded(outcome, settings.register, tuple(e.seq for e in written))


def record_or_withdraw(
    register: Register, items: list[tuple[EntryKind, dict[str, Any]]], *outputs: Path | None
) -> list[Any]:
    """Append the entries; if that fails, remove the outputs just made and say so."""
    try:
        return register.append_many(items)
    except RegisterError as error:
        for made in outputs:
            if made is not None:
                made.unlink(missing_ok=True)
        raise RegisterError(
            _(
                "{message}; the output just written was removed again, so nothing "
                "unrecorded is left behind"
            ).format(message=error.message),
            hint=error.hint,
        ) from None


def _known_document(register: Register | None, source: Path) -> list[str]:
    """A warning when the PDF in hand is not one this workspace's register produced."""
    if register is None:
        return []
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if register.find_document(digest) is None:
        return [
            _(
                "'{file}' is not in this workspace's register: it was not rendered or signed "
                "here, or it changed since (sha256 {digest}…)"
            ).format(file=source, digest=digest[:16])
        ]
    return []


def signature_entry(
    signed: Any, source: Path, source_sha256: str, output: Path, output_sha256: str
) -> tuple[EntryKind, dict[str, Any]]:
    """The register entry for one signature (party) or acceptance (coordinator)."""
    kind = EntryKind.SIGNATURE if signed.slot is SignatureSlot.PARTY else EntryKind.ACCEPTANCE
    return kind, {
        "document": str(source.resolve()),
        "invoer_sha256": source_sha256,
        "uitvoer": str(output.resolve()),
        "uitvoer_sha256": output_sha256,
        "veld": signed.slot.value,
        "niveau": signed.level.value,
        "ondertekenaar": signed.signer.common_name,
        "onderwerp": signed.signer.subject,
        "rol": signed.claimed_role,
        "certificaat": {
            "uitgever": signed.signer.issuer,
            "serienummer": signed.signer.serial_number,
            "sha256": signed.signer.sha256_fingerprint,
        },
        "tijdstip": signed.signing_time.isoformat(),
        "keten_sha256": signed.chain_digest,
    }


def sign_recorded(
    settings: Settings,
    source: Path,
    output: Path,
    choice: Any,
    slot_name: str | None = None,
    prompt: SecretPrompt | None = None,
    *,
    overwrite: bool = False,
) -> Recorded:
    """Sign a statement (see :func:`toetreding.sign.sign_file`) and record the signature."""
    from .sign import SignOutcome, sign_file

    named = (source, *choice.trust_roots, *choice.crls, *choice.extra_chain)
    guard_output(output, PDF, settings, inputs=named, overwrite=overwrite)
    with opened(settings.register) as register:
        if register is not None:
            register.check_writable()
        warnings = _known_document(register, source) if source.is_file() else []
        outcome: SignOutcome = sign_file(settings, source, output, choice, slot_name, prompt)
        if register is None:
            return Recorded(outcome, None, warnings=tuple(warnings))
        signed = outcome.signed
        item = signature_entry(signed, source, outcome.source_sha256, output, outcome.sha256)
        (entry,) = record_or_withdraw(register, [item], output)
        return Recorded(outcome, settings.register, (entry.seq,), tuple(warnings))


def extend_recorded(
    settings: Settings,
    source: Path,
    output: Path,
    level: SignatureLevel,
    *,
    tsa_url: str | None,
    trust_roots: Any,
    crls: Any = (),
    overwrite: bool = False,
    named_files: tuple[Path, ...] = (),
) -> Recorded:
    """Raise a signed statement's level and record it (``named_files``: the trust-root and
    CRL files given on the command line, which the output may not replace either)."""
    from .sign import extend_statement

    guard_output(output, PDF, settings, inputs=(source, *named_files), overwrite=overwrite)
    with opened(settings.register) as register:
        if register is not None:
            register.check_writable()
        warnings = _known_document(register, source) if source.is_file() else []
        outcome = extend_statement(
            source, output, level, tsa_url=tsa_url, trust_roots=trust_roots, crls=crls
        )
        if register is None:
            return Recorded(outcome, None, warnings=tuple(warnings))
        item = (
            EntryKind.EXTENSION,
            {
                "document": str(source.resolve()),
                "invoer_sha256": outcome.source_sha256,
                "uitvoer": str(output.resolve()),
                "uitvoer_sha256": outcome.sha256,
                "niveau": outcome.level.value,
                "stappen": list(outcome.steps),
                "tijdstip": dt.datetime.now(dt.UTC).isoformat(),
            },
        )
        (entry,) = record_or_withdraw(register, [item], output)
        return Recorded(outcome, settings.register, (entry.seq,), tuple(warnings))


def verify_recorded(
    settings: Settings,
    files: list[Path],
    options: Any,
    *,
    record_by: str | None = None,
) -> tuple[list[Any], Path | None]:
    """Verify files (a folder: the PDFs in it), in worker processes when there are several;
    with ``record_by``, write an Archiefregeling 24c entry for each."""
    from .errors import ConfigError
    from .verify.many import pdf_files, verify_files

    files = pdf_files(files)
    if record_by is None:
        return verify_files(files, options), None
    if settings.register is None:
        raise ConfigError(
            _("--record needs a register, and it is switched off ('register: null')"),
            hint=_("set 'register' in toetreding.yaml or TOETREDING_REGISTER"),
        )
    with opened(settings.register) as register:
        assert register is not None
        register.check_writable()
        reports = verify_files(files, options)
        items = [
            (
                EntryKind.VALIDATION,
                {
                    "document": report.file,
                    "document_sha256": report.sha256,
                    "moment": report.validated_at,
                    "resultaat": report.verdict,
                    "verantwoordelijke": record_by,
                    "handtekeningen": [
                        {
                            "veld": s.field_name,
                            "houder": s.signer.common_name if s.signer else None,
                            "certificaat": {
                                "uitgever": s.signer.issuer,
                                "serienummer": s.signer.serial_number,
                                "sha256": s.signer.sha256,
                            }
                            if s.signer
                            else None,
                            "indicatie": s.indication.value,
                            "subindicatie": s.sub_indication,
                            "niveau": s.level,
                            "tijdstip": s.signing_time,
                            "tijdstip_bron": s.signing_time_source,
                        }
                        for s in report.signatures
                    ],
                    "keten_gemachtigd": report.chain.authorised if report.chain else False,
                    "ingangsdatum": report.document.effective_date,
                },
            )
            for report in reports
        ]
        from .batch.lifeline import Interrupts

        # every entry in one transaction, and a Ctrl-C now is only noted: the verifying is
        # done, so the register gets all of this run's validations (and says so), never part
        with Interrupts() as interrupts:
            interrupts.wind_down()
            register.append_many(items)
    return reports, settings.register
