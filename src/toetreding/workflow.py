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

import contextlib
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Settings
from .i18n import _, ui_language
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

    with opened(settings.register, settings.workspace) as register:
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
                        {"bestand": register.stored_path(name), "sha256": digest}
                        for name, digest in outcome.inputs
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
    with opened(settings.register, settings.workspace) as register:
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
    with opened(settings.register, settings.workspace) as register:
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
    from .archive_config import official_record

    responsible = official_record(settings.archive, record_by)  # before any work
    with opened(settings.register, settings.workspace) as register:
        assert register is not None
        register.check_writable()
        reports = verify_files(files, options)
        # a file that was never read (lost with its worker, or not readable) was not
        # validated: no entry says it was (found in review: "UNREADABLE" entries without a
        # hash for good files a killed worker never reached)
        items = [
            (EntryKind.VALIDATION, validation_payload(report, responsible))
            for report in reports
            if report.sha256 is not None
        ]
        from .batch.lifeline import Interrupts

        # every entry in one transaction, and a Ctrl-C now is only noted: the verifying is
        # done, so the register gets all of this run's validations (and says so), never part
        with Interrupts() as interrupts:
            interrupts.wind_down()
            register.append_many(items)
    return reports, settings.register


def validation_payload(report: Any, responsible: dict[str, Any]) -> dict[str, Any]:
    """A validation as the register records it (Archiefregeling art. 24 under c: the
    signature holder, the certificate, the moment and result, the responsible official)."""
    from .verify.report import text_of_path

    return {
        "document": text_of_path(report.file),
        "document_sha256": report.sha256,
        "moment": report.validated_at,
        "resultaat": report.verdict,
        "verantwoordelijke": responsible,
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
    }


def archive_recorded(
    settings: Settings,
    statements: list[Path],
    output: Path,
    options: Any,
    *,
    by: str | None = None,
    overwrite: bool = False,
) -> Any:
    """Verify signed statements, record each validation, and write one ingest package per
    statement into ``output`` (see :mod:`toetreding.archive.package`).

    Everything that can be refused is refused before anything is recorded: an unknown
    official, a target folder that is not ours (or ours without ``overwrite``), a file
    that cannot be read or is not a toetreding statement, a package that cannot be made.
    Every package is made in full in a hidden folder first; then the validations are
    recorded, and only then are the packages renamed into place.
    """
    from .archive.package import (
        ArchiveOutcome,
        PackageInput,
        clean_leftovers,
        earlier_validations,
        locked_output,
        package_name,
        place_package,
        refuse_foreign_target,
        stage_package,
    )
    from .archive_config import official_record, responsible_record
    from .errors import InputFileError
    from .outputs import protected_files
    from .verify.many import pdf_files, verify_files
    from .verify.statement import signed_statement_data

    official = (
        official_record(settings.archive, by)
        if by
        else responsible_record(settings.archive, "archive")
    )
    files = pdf_files(statements)
    made = _prepare_archive_folder(output)
    try:
        protected = frozenset(path.resolve() for path in protected_files(settings))
        outcome = ArchiveOutcome(register=settings.register)
        with locked_output(output), opened(settings.register, settings.workspace) as register:
            clean_leftovers(output)  # an interrupted run's half-made folders
            taken: set[str] = set()
            names = [package_name(path, taken) for path in files]
            for name in names:
                refuse_foreign_target(output / name, overwrite)
            if register is not None:
                register.check_writable()
                _refuse_a_damaged_history(register)
            history = list(register.entries(EntryKind.VALIDATION.value)) if register else []
            reports = verify_files(files, options)
            refused = [r for r in reports if not r.readable or not r.document.is_statement]
            if refused:
                raise InputFileError(
                    _(
                        "not archived: {files} cannot be read or are not toetreding statements"
                    ).format(files=", ".join(r.file for r in refused[:5])),
                    hint=_("archive signed statements only; `toetreding verify` says what each is"),
                )
            contents = [_unchanged_bytes(report) for report in reports]
            staged: list[Any] = []
            try:
                # every package is made in full before anything is recorded: a statement whose
                # data cannot be described stops the run without a trace
                for report, name, data in zip(reports, names, contents, strict=True):
                    item = PackageInput(
                        source=Path(report.file),
                        data=data,
                        report=report,
                        statement=signed_statement_data(data),
                        official=official,
                        earlier_validations=earlier_validations(history, report.sha256),
                        workspace=settings.workspace,
                        archive=settings.archive,
                        language=ui_language(),
                        protected=protected,
                    )
                    staged.append(stage_package(item, output, name, overwrite=overwrite))
                if register is not None:
                    from .batch.lifeline import Interrupts

                    items = [
                        (
                            EntryKind.VALIDATION,
                            {**validation_payload(report, official), "pakket": str(output / name)},
                        )
                        for report, name in zip(reports, names, strict=True)
                    ]
                    with Interrupts() as interrupts:
                        interrupts.wind_down()
                        register.append_many(items)
                while staged:
                    outcome.packages.append(place_package(staged.pop(0), overwrite=overwrite))
            finally:
                for package in staged:
                    package.discard()
    except BaseException:
        if made:  # a refused run leaves no empty folder behind (a folder with packages stays)
            with contextlib.suppress(OSError):
                output.rmdir()
        raise
    return outcome


def _unchanged_bytes(report: Any) -> bytes:
    """The file's bytes, which must be those just verified."""
    from .errors import InputFileError

    source = Path(report.file)
    try:
        data = _regular_file_bytes(source)
    except InputFileError:
        raise
    if hashlib.sha256(data).hexdigest() != report.sha256:
        raise InputFileError(
            _("'{path}' changed while it was being archived").format(path=source),
            hint=_("archive it again once nothing writes to it"),
        )
    return data


def _refuse_a_damaged_history(register: Any) -> None:
    """The package's validation events are copied from the register: only from a register
    whose hash chain holds (found in review: an edited entry put an official who never
    validated, dated years before the statement, into the MDTO of a package)."""
    from .register import RegisterError

    check = register.verify()
    if not check.intact:
        raise RegisterError(
            _(
                "the register is damaged, so its history cannot go into an archive package: {problems}"
            ).format(problems="; ".join(check.problems[:3])),
            hint=_("run `toetreding register verify`, and repair or restore the register first"),
        )


def _prepare_archive_folder(output: Path) -> bool:
    """The folder packages go into: made when missing (its parent must exist); True when
    this run made it."""
    from .errors import OutputError

    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise OutputError(
            _("'{path}' is not a folder").format(path=output),
            hint=_("give -o a folder (it is made when it does not exist)"),
        )
    if not output.exists():
        if not output.parent.is_dir():
            raise OutputError(
                _("the folder '{folder}' does not exist").format(folder=output.parent),
                hint=_("create it first, or give -o a folder inside an existing one"),
            )
        try:
            output.mkdir()
        except OSError as error:
            raise OutputError(
                _("cannot make the folder '{path}': {reason}").format(
                    path=output, reason=error.strerror
                )
            ) from None
        return True
    return False


@dataclass(frozen=True)
class RenewalItem:
    """One statement `extend --due` looked at."""

    path: Path
    due: Any
    """Its schedule before (``pki.renewal.RenewalDue``), None when it holds no signature."""
    renewed: bool = False
    next_due: Any = None
    """The schedule after renewal."""
    entry: int | None = None
    problem: str | None = None
    """Why it was not looked at or not renewed (unreadable, inside an archive package)."""


@dataclass
class RenewalOutcome:
    """What `extend --due` found and did."""

    window_end: dt.datetime
    items: list[RenewalItem] = field(default_factory=list)
    register: Path | None = None


def renew_due_recorded(
    settings: Settings,
    paths: list[Path],
    window: str,
    *,
    tsa_url: str | None,
    trust_roots: Any,
    crls: Any = (),
    verify_options: Any = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> RenewalOutcome:
    """Renew, in place, every statement whose evidence is due within ``window`` (B-LTA
    renewal: fresh validation data and a new document timestamp), and record each.

    A statement is replaced atomically by its renewed version, which holds the old one
    unchanged as its first part (an incremental update), and only when that version
    verifies at least as well as the old one (``verify_options``) and its next renewal
    falls beyond the window — a timestamp from a TSA whose certificate expires as soon
    would renew nothing, and a scheduled run would renew it again every time. Left
    alone, and reported: anything that is not a toetreding statement (a signed decision
    document pinned by a chain must keep its hash), statements in an archive package or
    a coordinator's round (their manifests record their hashes), links and anything
    that is not a regular file.
    """
    from .archive.package import MANIFEST
    from .errors import ToetredingError
    from .pki.renewal import renewal_due, window_end
    from .verify.many import pdf_files

    moment = now or dt.datetime.now(dt.UTC)
    end = window_end(window, moment)  # a bad window fails before anything is read
    files = pdf_files(paths)
    outcome = RenewalOutcome(window_end=end, register=settings.register)
    with opened(settings.register, settings.workspace) as register:
        if register is not None and not dry_run:
            register.check_writable()
        for path in files:
            if RENEWAL_LEFTOVER.fullmatch(path.name):
                # a renewal stopped before its file was put in place: not a statement
                if not dry_run:
                    path.unlink(missing_ok=True)
                continue
            try:
                data = _regular_file_bytes(path)
                due = renewal_due(data, source=path)
            except (OSError, ToetredingError) as error:
                problem = error.message if isinstance(error, ToetredingError) else str(error)
                outcome.items.append(RenewalItem(path, None, problem=problem))
                continue
            if due is None or not due.due_by(end):
                outcome.items.append(RenewalItem(path, due))
                continue
            kept = _kept_as_is(path, MANIFEST)
            if kept is not None:
                outcome.items.append(RenewalItem(path, due, problem=kept))
                continue
            if dry_run:
                outcome.items.append(RenewalItem(path, due))
                continue
            try:
                renewed = _renew_one(
                    register, path, data, due, end, tsa_url, trust_roots, crls, verify_options
                )
            except ToetredingError as error:  # one statement's trouble does not stop the rest
                renewed = RenewalItem(path, due, problem=error.message)
            outcome.items.append(renewed)
    return outcome


MAX_RENEWAL_BYTES = 512 * 1024 * 1024
RENEWAL_LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}\.renewed\.pdf")
"""The hidden file a renewal writes next to a statement before putting it in its place."""


def _regular_file_bytes(path: Path) -> bytes:
    """A named file's bytes; a link, pipe, device or folder is refused before it is opened
    (a FIFO would block for ever, /dev/zero never end)."""
    import os
    import stat as stat_module

    from .errors import InputFileError

    try:
        info = os.lstat(path)
    except OSError as error:
        raise InputFileError(
            _("cannot read '{path}': {reason}").format(path=path, reason=error.strerror)
        ) from None
    if stat_module.S_ISLNK(info.st_mode):
        raise InputFileError(
            _("'{path}' is a symbolic link; toetreding reads the file itself").format(path=path),
            hint=_("name the file it points to"),
        )
    if not stat_module.S_ISREG(info.st_mode):
        raise InputFileError(_("'{path}' is not a regular file").format(path=path))
    if info.st_size > MAX_RENEWAL_BYTES:
        raise InputFileError(_("'{path}' is larger than 512 MB").format(path=path))
    return path.read_bytes()


def _kept_as_is(path: Path, manifest: str) -> str | None:
    """Why a statement must keep its bytes (its hash is bookkept elsewhere), or None."""
    from .round.files import RETURNS_FOLDER, ROUND_FILE

    folder = path.parent
    if (folder / manifest).is_file():
        return _(
            "it lies in an archive package, whose manifest and metadata would no longer "
            "match: renew the statement in the workspace and archive it again"
        )
    if (folder / ROUND_FILE).is_file() or (
        folder.name == RETURNS_FOLDER and (folder.parent / ROUND_FILE).is_file()
    ):
        return _(
            "it is part of a coordinator's round, whose files record its SHA-256: renew a "
            "copy outside the round folder"
        )
    return None


def _renew_one(
    register: Register | None,
    path: Path,
    data: bytes,
    due: Any,
    window_end: dt.datetime,
    tsa_url: str | None,
    trust_roots: Any,
    crls: Any,
    verify_options: Any,
) -> RenewalItem:
    """Extend one statement to a fresh B-LTA next to it, check it, then put it in its place."""
    import os
    import tempfile

    from .errors import OutputError, SigningError
    from .pki.renewal import renewal_due
    from .sign import extend_statement

    before = _statement_report(path, verify_options)
    if before is not None and not before.document.is_statement:
        raise SigningError(
            _("not a toetreding statement: left as it is (its hash may be pinned elsewhere)")
        )
    handle, name = tempfile.mkstemp(
        prefix=f".{path.name[:180]}.", suffix=".renewed.pdf", dir=path.parent
    )
    os.close(handle)
    temporary = Path(name)
    temporary.unlink()
    try:
        extended = extend_statement(
            path,
            temporary,
            SignatureLevel.B_LTA,
            tsa_url=tsa_url,
            trust_roots=trust_roots,
            crls=crls,
        )
        if extended.source_sha256 != hashlib.sha256(data).hexdigest():
            raise OutputError(
                _("'{path}' changed while it was being renewed; it was left as it is").format(
                    path=path
                )
            )
        renewed = temporary.read_bytes()
        if not renewed.startswith(data):  # an incremental update, never a rewrite
            raise OutputError(
                _("internal: the renewed '{path}' does not keep the signed original").format(
                    path=path
                )
            )
        after = _statement_report(temporary, verify_options)
        if before is not None and after is not None and before.passed and not after.passed:
            raise SigningError(
                _(
                    "the renewed statement does not pass verification ({verdict}) where the "
                    "original did; the original was left as it is"
                ).format(verdict=after.verdict)
            )
        next_due = renewal_due(renewed, source=path)
        if next_due is not None and next_due.due_by(window_end):
            raise SigningError(
                _(
                    "a new timestamp from this timestamp authority would be due again on "
                    "{date} (its certificate or algorithm ends then), within the window: the "
                    "statement was left as it is"
                ).format(date=next_due.due.date().isoformat()),
                hint=_("renew with a timestamp authority whose certificate runs longer (--tsa)"),
            )
        os.chmod(temporary, os.stat(path).st_mode & 0o7777)  # the file keeps its permissions
        entry = None
        if register is not None:
            # recorded before the file is replaced: a stop in between leaves the original
            # in place (still true evidence) and an entry naming a renewal that the next
            # run makes again, never a renewed file the register does not know
            item = (
                EntryKind.EXTENSION,
                {
                    "document": str(path),
                    "invoer_sha256": extended.source_sha256,
                    "uitvoer": str(path),
                    "uitvoer_sha256": extended.sha256,
                    "niveau": SignatureLevel.B_LTA.value,
                    "stappen": list(extended.steps),
                    "vernieuwing": {
                        "was_verschuldigd": due.due.isoformat(),
                        "reden": due.reason,
                        "volgende": next_due.due.isoformat() if next_due else None,
                    },
                    "tijdstip": dt.datetime.now(dt.UTC).isoformat(),
                },
            )
            (recorded,) = register.append_many([item])
            entry = recorded.seq
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return RenewalItem(path, due, renewed=True, next_due=next_due, entry=entry)


def _statement_report(path: Path, options: Any) -> Any:
    """The verification report of ``path`` (None without options: not checked)."""
    if options is None:
        return None
    from .verify import verify_file

    return verify_file(path, options)
