"""`toetreding archive`: one ingest package per signed statement, for a DMS or e-Depot.

A package is a folder that can be handed over as it is::

    <name>/
      <name>.pdf                       the signed statement, byte for byte
      <name>.mdto.xml                  MDTO informatieobject: the statement as a record
      <name>.pdf.mdto.xml              MDTO bestand: size, format (PRONOM), SHA-256
      validatierapport.json            the validation report (toetreding-verify/2)
      validatierapport.pdf             the same report for people, PDF/A-2a + PDF/UA-1
      validatierapport.mdto.xml        MDTO informatieobject: the validation as a record
      validatierapport.*.mdto.xml      MDTO bestand for each report file
      besluiten/…                      decision documents the chain pins, when present
      manifest-sha256.txt              `sha256sum -c` checks every file above

The MDTO metadata is written in Dutch whatever the user's language (it is read by Dutch
archives); the PDF report is in the user's language. The metadata is taken from the statement *as the party signed it* (its signed revision),
never from a later, unsigned revision; the events are the statement's creation (its
date), each signature (moment, holder, certificate, result), and every validation the
register holds for exactly these bytes plus the one made now, each with the official who
answers for it (Archiefregeling art. 24 under c). Every MDTO file is checked against the
XSD shipped with toetreding before the package is written.

A decision document is taken along only from inside the workspace, as a regular file
(no link), and only when its SHA-256 is the one the signed chain pins: the statement's
data is the author's, and may name any path.

Writing is atomic per package: everything goes into a hidden temporary folder next to the
target, which is renamed into place last. An existing package is replaced only with
``overwrite``, and only when it is one of ours (it holds our manifest), so a statement
named ``pki.pdf`` can never replace the workspace's ``pki`` folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..archive_config import ArchiveOptions
from ..embedded import EmbeddedStatement
from ..errors import OutputError
from ..i18n import _
from ..register import Entry, EntryKind
from ..verify.report import VerificationReport
from . import mdto

MANIFEST = "manifest-sha256.txt"
REPORT = "validatierapport"
DECISIONS = "besluiten"
MAX_DECISION_BYTES = 200 * 1024 * 1024
TOOL_SOURCE = "toetreding"


@dataclass(frozen=True)
class PackageOutcome:
    """One package written."""

    statement: Path
    folder: Path
    files: tuple[str, ...]
    """The files in the package, relative to it (the manifest's lines)."""
    verdict: str
    passed: bool
    warnings: tuple[str, ...] = ()


@dataclass
class ArchiveOutcome:
    """Every package `archive` wrote, and where it recorded its validations."""

    packages: list[PackageOutcome] = field(default_factory=list)
    register: Path | None = None


@dataclass(frozen=True)
class PackageInput:
    """Everything one package is made of (gathered by the workflow)."""

    source: Path
    data: bytes
    report: VerificationReport
    statement: EmbeddedStatement | None
    official: dict[str, Any]
    earlier_validations: tuple[Entry, ...]
    workspace: Path
    archive: ArchiveOptions
    language: str
    protected: frozenset[Path] = frozenset()
    """The workspace's keys, secrets, configuration and register (resolved): never packaged."""


def package_name(source: Path, taken: set[str]) -> str:
    """A safe folder name from the statement's file name, unique within this run.

    File names can hold anything a file system allows (newlines, control characters,
    right-to-left marks); an archive's systems should not have to. Letters, digits and
    ``._-`` stay, the rest becomes ``_``.
    """
    stem = unicodedata.normalize("NFC", source.stem)
    safe = re.sub(r"[^\w.-]", "_", stem, flags=re.ASCII).strip("._") or "verklaring"
    safe = safe[:80]
    name, counter = safe, 2
    while name.lower() in taken:
        name, counter = f"{safe}-{counter}", counter + 1
    taken.add(name.lower())
    return name


@dataclass(frozen=True)
class StagedPackage:
    """A package made in full in a hidden folder, not yet in place."""

    staging: Path
    target: Path
    outcome: PackageOutcome

    def discard(self) -> None:
        """Remove the hidden folder (the run stopped before placing it)."""
        shutil.rmtree(self.staging, ignore_errors=True)


def stage_package(item: PackageInput, output: Path, name: str, *, overwrite: bool) -> StagedPackage:
    """Make the whole package for one statement in a hidden folder next to its target:
    every file, the validated MDTO, the manifest. Nothing is in place yet, so the caller
    can still record first, or give up without a trace."""
    target = output / name
    refuse_foreign_target(target, overwrite)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=output))
    try:
        files, warnings = _fill(staging, item, name)
        _write_manifest(staging, files)
        _usual_modes(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    outcome = PackageOutcome(
        statement=item.source,
        folder=target,
        files=(*files, MANIFEST),
        verdict=str(item.report.verdict),
        passed=item.report.passed,
        warnings=tuple(warnings),
    )
    return StagedPackage(staging, target, outcome)


def place_package(staged: StagedPackage, *, overwrite: bool) -> PackageOutcome:
    """Rename a staged package into place (checking the target once more)."""
    try:
        refuse_foreign_target(staged.target, overwrite)
        _replace(staged.staging, staged.target)
    except BaseException:
        staged.discard()
        raise
    return staged.outcome


def refuse_foreign_target(target: Path, overwrite: bool) -> None:
    """Refuse to replace anything but one of our packages, and that only with ``overwrite``.

    Ours means: a real folder whose manifest lists exactly the files in it (any file the
    manifest does not list — someone's notes, a scan — would be lost by replacing it).
    """
    if not os.path.lexists(target):
        return
    extra = _not_in_manifest(target)
    if extra is None:
        raise OutputError(
            _("'{path}' exists and is not an archive package; it is left alone").format(
                path=target
            ),
            hint=_("choose another folder with -o, or rename the statement"),
        )
    if extra:
        raise OutputError(
            _(
                "the package '{path}' holds files its manifest does not list ({files}); it is "
                "left alone"
            ).format(path=target, files=", ".join(extra[:5])),
            hint=_("move those files out first, or choose another folder with -o"),
        )
    if not overwrite:
        raise OutputError(
            _("the package '{path}' exists already").format(path=target),
            hint=_("add --overwrite to replace it, or choose another folder with -o"),
        )


def _not_in_manifest(target: Path) -> list[str] | None:
    """The files in ``target`` its manifest does not list; None when it is no package."""
    if target.is_symlink() or not target.is_dir():
        return None
    try:
        lines = (target / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    listed = set()
    for line in lines:
        digest, _sep, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or not name:
            return None
        listed.add(name)
    present = {
        path.relative_to(target).as_posix()
        for path in target.rglob("*")
        if path.is_file() or path.is_symlink()
    }
    return sorted(present - listed - {MANIFEST})


def clean_leftovers(output: Path) -> list[str]:
    """Remove what an interrupted run left in ``output`` (hidden ``.….partial`` folders and
    ``.….old-PID`` ones, except an old package whose replacement never arrived, which is
    put back); call it only while holding :func:`locked_output`."""
    removed = []
    for path in sorted(output.iterdir()):
        name = path.name
        if not name.startswith(".") or not path.is_dir() or path.is_symlink():
            continue
        old = re.fullmatch(r"\.(.+)\.old-[0-9]+", name)
        if old is not None and not os.path.lexists(output / old.group(1)):
            # killed between moving the old package aside and placing the new one: the
            # old one is the only copy, so it goes back
            os.replace(path, output / old.group(1))
            continue
        if old is not None or name.endswith(".partial"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(name)
    return removed


@contextlib.contextmanager
def locked_output(output: Path) -> Iterator[None]:
    """One `archive` run per output folder at a time (a lock on the folder itself)."""
    import fcntl

    handle = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                _("another `toetreding archive` is writing into '{path}'").format(path=output),
                hint=_("wait for it to finish"),
            ) from None
        yield
    finally:
        os.close(handle)


def _usual_modes(folder: Path) -> None:
    """Folders 0777 and files 0666 less the umask, as any other tool makes them (a
    temporary folder is private, and a DMS account must be able to read the package)."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def _replace(staging: Path, target: Path) -> None:
    """Rename the finished package into place; an old package is moved aside first and
    removed only after the new one stands."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _fill(staging: Path, item: PackageInput, name: str) -> tuple[list[str], list[str]]:
    """Write every file of the package into ``staging``; return their names and warnings."""
    from .report_pdf import report_pdf

    warnings: list[str] = []
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    statement_file = f"{name}.pdf"
    files: dict[str, bytes] = {statement_file: item.data}
    report_json = (
        json.dumps(_portable_report(item, statement_file), indent=2, ensure_ascii=False) + "\n"
    ).encode("utf-8")
    files[f"{REPORT}.json"] = report_json
    files[f"{REPORT}.pdf"] = report_pdf(item.report, item.official, statement_file, item.language)
    decisions, decision_warnings = _decision_documents(item)
    warnings.extend(decision_warnings)
    for relative, data in decisions.items():
        files[f"{DECISIONS}/{relative}"] = data

    statement_id = _statement_identification(item)
    metadata: dict[str, bytes] = {
        f"{name}.mdto.xml": mdto.information_object_xml(
            _statement_object(item, statement_id, statement_file, decisions)
        ),
        f"{REPORT}.mdto.xml": mdto.information_object_xml(_report_object(item, statement_id, name)),
    }
    statement_ref = _reference(_statement_name(item), statement_id)
    report_ref = _reference(_report_name(name), _report_identification(item))
    representations = {
        statement_file: (statement_ref, _format_of(item)),
        f"{REPORT}.json": (report_ref, _json_format()),
        f"{REPORT}.pdf": (report_ref, mdto.pronom_pdfa_2a()),
    }
    for file_name, (represents, file_format) in representations.items():
        metadata[f"{file_name}.mdto.xml"] = mdto.file_xml(
            _file_object(file_name, files[file_name], represents, file_format, now)
        )
    for relative, data in decisions.items():
        decision_name = f"{DECISIONS}/{relative}"
        metadata[f"{decision_name}.mdto.xml"] = mdto.file_xml(
            _file_object(decision_name, data, _decision_reference(item, relative), None, now)
        )
    for file_name, xml in metadata.items():
        problems = mdto.validate(xml)
        if problems:  # our own writing is wrong: never hand over metadata the archive refuses
            raise OutputError(
                _("internal: the MDTO metadata {file} does not validate: {problems}").format(
                    file=file_name, problems="; ".join(problems[:3])
                )
            )
    files.update(metadata)
    for relative, data in files.items():
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(files), warnings


def _portable_report(item: PackageInput, statement_file: str) -> dict[str, Any]:
    """The report as the package keeps it: the statement named as it lies in the package,
    and a covenant file named relative to the workspace (no folder of this machine)."""
    data = item.report.to_dict()
    data["file"] = statement_file
    for key in ("chain", "consent_chain"):
        chain = data.get(key)
        if isinstance(chain, dict) and isinstance(chain.get("confirmed_by"), str):
            confirmed = Path(chain["confirmed_by"])
            workspace = item.workspace.resolve()
            if confirmed.is_absolute() and confirmed.is_relative_to(workspace):
                chain["confirmed_by"] = confirmed.relative_to(workspace).as_posix()
            elif confirmed.is_absolute():
                chain["confirmed_by"] = confirmed.name
    return data


def _write_manifest(staging: Path, files: Sequence[str]) -> None:
    """``<sha256>  <path>`` per file, as `sha256sum -c manifest-sha256.txt` reads it."""
    lines = []
    for relative in sorted(files):
        digest = hashlib.sha256((staging / relative).read_bytes()).hexdigest()
        lines.append(f"{digest}  {relative}\n")
    (staging / MANIFEST).write_text("".join(lines), encoding="utf-8")


# --- the statement as a record ------------------------------------------------------------


def _reference(name: object, identification: mdto.Identification | None = None) -> mdto.Reference:
    """A reference whose name may come from the PDF, a certificate or an old register
    entry: shown printable (control characters as code points), never refused."""
    return mdto.Reference(mdto.printable(name), identification)


def _identification(kenmerk: object, source: object) -> mdto.Identification:
    return mdto.Identification(mdto.printable(kenmerk), mdto.printable(source))


def _tooi(name: object, code: str) -> mdto.Reference:
    return mdto.tooi_organisation(mdto.printable(name), code)


def _concept(concept: Any) -> mdto.Concept:
    """A term from the configuration (label, code, vocabulary)."""
    return mdto.Concept(
        mdto.printable(concept.label),
        mdto.printable(concept.code) if concept.code else None,
        mdto.printable(concept.vocabulary),
    )


def _party_reference(item: PackageInput) -> mdto.Reference | None:
    statement = item.statement
    if statement is None:
        return None
    code = statement.party_code.lower()
    if re.fullmatch(r"gm[0-9]{4}", code):
        return _tooi(f"gemeente {statement.party_name}", code)
    return _reference(statement.party_name)


def _archive_creator(item: PackageInput) -> mdto.Reference:
    creator = item.archive.creator
    if creator is not None:
        if creator.tooi:
            return _tooi(creator.name, creator.tooi)
        return _reference(creator.name)
    party = _party_reference(item)
    if party is not None:
        return party
    return _reference(str(item.official.get("organisatie") or "onbekende organisatie"))


def _statement_identification(item: PackageInput) -> mdto.Identification:
    statement = item.statement
    if statement is not None and statement.reference and statement.reference.strip():
        return _identification(statement.reference, _party_words(statement))
    return _identification(f"sha256:{item.report.sha256}", TOOL_SOURCE)


def _statement_name(item: PackageInput) -> str:
    statement = item.statement
    if statement is None:
        return f"Ondertekend document {item.source.name}"
    return f"Toetredingsverklaring {_party_words(statement)} – {statement.covenant_title}"


def _party_words(statement: EmbeddedStatement) -> str:
    """'gemeente Huizen' for a municipality (the data holds the bare name)."""
    if re.fullmatch(r"GM[0-9]{4}", statement.party_code.upper()):
        return f"gemeente {statement.party_name}"
    return statement.party_name


def _statement_object(
    item: PackageInput,
    identification: mdto.Identification,
    statement_file: str,
    decisions: dict[str, bytes],
) -> mdto.InformationObject:
    statement = item.statement
    identifications = [identification]
    if identification.source != TOOL_SOURCE:
        identifications.append(_identification(f"sha256:{item.report.sha256}", TOOL_SOURCE))
    events = [*_creation_events(item), *_signature_events(item), *_validation_events(item)]
    related: list[mdto.RelatedObject] = []
    if statement is not None:
        by_id = {d.id: d for d in statement.authority.decisions}
        for decision_id in statement.accession_decisions:
            decision = by_id.get(decision_id)
            if decision is not None:
                related.append(_decision_relation(decision, _party_words(statement), "Heeft nodig"))
        related.append(
            mdto.RelatedObject(
                _reference(
                    f"{statement.covenant_title} ({statement.covenant_publication})",
                    _identification(statement.covenant_id, statement.coordinator.name),
                ),
                mdto.relation_type("Refereert aan"),
            )
        )
        related.append(
            mdto.RelatedObject(
                _reference(
                    f"Instemming van {statement.coordinator.name} met de toetreding",
                    _identification(
                        f"sha256:{item.report.sha256}#instemming-coordinator", TOOL_SOURCE
                    ),
                ),
                mdto.relation_type("Heeft nodig"),
            )
        )
        for decision in statement.authority.decisions:
            if decision.id not in statement.accession_decisions:
                related.append(
                    _decision_relation(decision, _party_words(statement), "Refereert aan")
                )
    related.append(
        mdto.RelatedObject(
            _reference(
                _report_name(statement_file.removesuffix(".pdf")), _report_identification(item)
            ),
            mdto.relation_type("Wordt aangehaald door"),
        )
    )
    archive = item.archive
    classification = (_concept(archive.classification),) if archive.classification else ()
    category = archive.information_category
    return mdto.InformationObject(
        identifications=tuple(identifications),
        name=mdto.printable(_statement_name(item)),
        aggregation_level=mdto.aggregation_archiefstuk(),
        classification=classification,
        language="nl",
        events=tuple(events),
        appraisal=_appraisal(archive),
        retention=_retention(item),
        information_category=_concept(category) if category else None,
        representations=(
            _reference(
                statement_file, _identification(f"sha256:{item.report.sha256}", TOOL_SOURCE)
            ),
        ),
        related=tuple(related),
        archive_creator=_archive_creator(item),
        use_restrictions=(mdto.no_use_restriction(),),
    )


def _decision_relation(decision: Any, party: str, relation: str) -> mdto.RelatedObject:
    return mdto.RelatedObject(
        _reference(
            f"{decision.subject} ({decision.organ}, {decision.date.isoformat()})",
            _identification(decision.reference, party),
        ),
        mdto.relation_type(relation),
    )


def _appraisal(archive: ArchiveOptions) -> mdto.Concept:
    return mdto.appraisal_temporary() if archive.appraisal == "V" else mdto.appraisal_permanent()


RETENTION_TRIGGER = mdto.Concept(
    "Beëindiging van de deelname aan het convenant", None, "Begrippenlijst toetreding"
)
"""When a retention period starts. Selection lists count it from when the matter is
closed — for an accession, when the party's participation in the covenant ends — which
no document here can know: so the trigger is named and no end date is computed (a date
counted from the accession would destroy records of a covenant still in force)."""


def _retention(item: PackageInput) -> mdto.Retention | None:
    period = item.archive.retention
    if item.archive.appraisal != "V" or period is None:
        return None
    return mdto.Retention(period=period, trigger=RETENTION_TRIGGER)


def _creation_events(item: PackageInput) -> list[mdto.Event]:
    statement = item.statement
    if statement is None:
        return []
    return [
        mdto.Event(
            mdto.event_type(mdto.CREATION),
            statement.date,
            _party_reference(item),
            None,
        )
    ]


def _signature_events(item: PackageInput) -> list[mdto.Event]:
    events = []
    for signature in item.report.signatures:
        if signature.kind != "signature":
            continue
        holder = signature.signer.common_name if signature.signer else "?"
        if signature.claimed_role:
            holder += f", {signature.claimed_role}"
        identification = (
            _identification(
                signature.signer.sha256.lower(), "SHA-256 van het ondertekeningscertificaat"
            )
            if signature.signer
            else None
        )
        result = signature.indication.value + (
            f" ({signature.sub_indication})" if signature.sub_indication else ""
        )
        source = signature.signing_time_source.value if signature.signing_time_source else None
        if source:
            result += "; tijdstip " + TIME_SOURCE_WORDS.get(source, source)
        events.append(
            mdto.Event(
                mdto.event_type(mdto.SIGNING),
                _aware(signature.signing_time),
                _reference(holder, identification),
                mdto.printable(result),
            )
        )
    return events


TIME_SOURCE_WORDS = {
    "signature-timestamp": "bewezen door een tijdstempel op de handtekening",
    "document-timestamp": "bewezen door een documenttijdstempel",
    "claimed": "opgegeven door de ondertekenaar, niet bewezen",
}
"""On what a signing moment rests, as the metadata says it (the indications themselves
— TOTAL-PASSED and so on — are ETSI's terms and stay as they are)."""


def _validation_events(item: PackageInput) -> list[mdto.Event]:
    events = []
    for entry in item.earlier_validations:
        payload = entry.payload
        official = payload.get("verantwoordelijke")
        events.append(
            mdto.Event(
                mdto.event_type(mdto.SIGNATURE_VALIDATION),
                _aware(payload.get("moment") or entry.recorded_at),
                _official_reference(official),
                mdto.printable(payload.get("resultaat") or "?"),
            )
        )
    events.append(
        mdto.Event(
            mdto.event_type(mdto.SIGNATURE_VALIDATION),
            _aware(item.report.validated_at),
            _official_reference(item.official),
            str(item.report.verdict),
        )
    )
    return events


def _official_reference(official: object) -> mdto.Reference:
    """The responsible official; older entries recorded only a name (or a tool's name)."""
    if not isinstance(official, dict):
        return _reference(str(official or "niet vastgelegd"))
    words = [str(official.get("naam") or "?")]
    words += [
        str(official[key])
        for key in ("functie", "organisatie")
        if str(official.get(key) or "").strip()
    ]
    identification = None
    if official.get("kenmerk"):
        identification = _identification(
            str(official["kenmerk"]), str(official.get("organisatie") or TOOL_SOURCE)
        )
    return _reference(", ".join(words), identification)


def _aware(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- the validation report as a record ----------------------------------------------------


def _report_identification(item: PackageInput) -> mdto.Identification:
    moment = (item.report.validated_at or "")[:19]
    return _identification(f"validatie:{item.report.sha256}:{moment}", TOOL_SOURCE)


def _report_name(name: str) -> str:
    return f"Validatierapport {name}.pdf"


def _report_object(
    item: PackageInput, statement_id: mdto.Identification, name: str
) -> mdto.InformationObject:
    return mdto.InformationObject(
        identifications=(_report_identification(item),),
        name=mdto.printable(_report_name(name)),
        aggregation_level=mdto.aggregation_archiefstuk(),
        language=item.language,
        events=(
            mdto.Event(
                mdto.event_type(mdto.CREATION),
                _aware(item.report.validated_at),
                _official_reference(item.official),
                str(item.report.verdict),
            ),
        ),
        appraisal=_appraisal(item.archive),
        retention=_retention(item),
        representations=(
            _reference(f"{REPORT}.json"),
            _reference(f"{REPORT}.pdf"),
        ),
        related=(
            mdto.RelatedObject(
                _reference(_statement_name(item), statement_id),
                mdto.relation_type("Refereert aan"),
            ),
        ),
        archive_creator=_archive_creator(item),
        use_restrictions=(mdto.no_use_restriction(),),
    )


# --- files ----------------------------------------------------------------------------------


PRONOM_PDFA = {
    "PDF/A-2a": "fmt/476",
    "PDF/A-2b": "fmt/477",
    "PDF/A-2u": "fmt/478",
    "PDF/A-3a": "fmt/479",
    "PDF/A-3b": "fmt/480",
    "PDF/A-3u": "fmt/481",
}
"""PRONOM's identifiers for the PDF/A parts and levels a statement can claim."""


def _format_of(item: PackageInput) -> mdto.Concept:
    """The format the statement claims (its XMP pdfaid, which the signature covers)."""
    pdfa = item.report.document.pdfa or ""
    code = PRONOM_PDFA.get(pdfa)
    if code is None:
        return _format_by_name(item.source.name)
    return mdto.Concept(pdfa, code, mdto.PRONOM_LIST)


def _json_format() -> mdto.Concept:
    return mdto.Concept("JSON Data Interchange Format", "fmt/817", mdto.PRONOM_LIST)


def _file_object(
    name: str,
    data: bytes,
    represents: mdto.Reference,
    file_format: mdto.Concept | None,
    now: dt.datetime,
) -> mdto.FileObject:
    digest = hashlib.sha256(data).hexdigest()
    return mdto.FileObject(
        identification=_identification(f"sha256:{digest}", TOOL_SOURCE),
        name=name.rsplit("/", 1)[-1],
        size=len(data),
        format=file_format or _format_by_name(name),
        checksum_algorithm=mdto.sha256_algorithm(),
        checksum_value=digest,
        checksum_date=now,
        represents=represents,
    )


def _format_by_name(name: str) -> mdto.Concept:
    if name.lower().endswith(".pdf"):
        return mdto.Concept("Acrobat PDF - Portable Document Format", None, mdto.PRONOM_LIST)
    return mdto.Concept("niet geïdentificeerd formaat", None, mdto.PRONOM_LIST)


# --- decision documents -------------------------------------------------------------------


def _decision_documents(item: PackageInput) -> tuple[dict[str, bytes], list[str]]:
    """The decision files the signed chain pins, found in the workspace with that hash."""
    found: dict[str, bytes] = {}
    warnings: list[str] = []
    statement = item.statement
    if statement is None:
        return found, warnings
    workspace = item.workspace.resolve()
    decisions = [*statement.authority.decisions, *statement.coordinator.authority.decisions]
    for decision in decisions:
        pinned = decision.document
        if pinned is None:
            continue
        data, problem = _read_pinned(workspace, pinned.file, pinned.sha256, item.protected)
        if problem is not None:
            warnings.append(
                _("decision {id}: {file} not taken along: {problem}").format(
                    id=decision.id, file=pinned.file, problem=problem
                )
            )
            continue
        assert data is not None
        name = _decision_file_name(decision)
        if name in found:
            warnings.append(
                _(
                    "decision {id}: {file} not taken along: another decision's file has its name"
                ).format(id=decision.id, file=pinned.file)
            )
            continue
        found[name] = data
    return found, warnings


def _decision_file_name(decision: Any) -> str:
    """The name a decision's pinned document gets in the package (id, then file name)."""
    base = _safe(Path(decision.document.file).name) or "besluit"
    return f"{_safe(decision.id)}-{base}"[:120]


def _safe(name: str) -> str:
    """A name with only letters, digits and ``._-`` (the rest becomes ``_``)."""
    return re.sub(r"[^\w.-]", "_", name, flags=re.ASCII).strip(".")


def _read_pinned(
    workspace: Path, file: str, sha256: str, protected: frozenset[Path] = frozenset()
) -> tuple[bytes | None, str | None]:
    """A PDF inside the workspace whose SHA-256 is ``sha256``, read without following links.

    The path and the hash come from the statement's author, who could pin the hash of a
    guessed secret (a passphrase file holds few possibilities): only PDF files are taken,
    and never one of the workspace's protected files (keys, secrets, configuration,
    register), whatever their name.
    """
    if "\x00" in file or Path(file).is_absolute():
        return None, _("the path is not relative to the workspace")
    if not file.lower().endswith(".pdf"):
        return None, _("only PDF documents are taken along")
    candidate = workspace / file
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None, _("not found in the workspace")
    if not resolved.is_relative_to(workspace) or resolved != Path(os.path.normpath(candidate)):
        return None, _("it lies outside the workspace or is reached through a link")
    if resolved in protected:
        return None, _("it is one of the workspace's protected files (keys, secrets, settings)")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        handle = os.open(resolved, flags)
    except OSError:
        return None, _("it cannot be read")
    opened = os.fstat(handle)
    if not stat.S_ISREG(opened.st_mode):  # a folder, pipe or device
        os.close(handle)
        return None, _("it is not a regular file")
    if (opened.st_dev, opened.st_ino) in _identities(protected):  # a hard link to a key
        os.close(handle)
        return None, _("it is one of the workspace's protected files (keys, secrets, settings)")
    with os.fdopen(handle, "rb") as stream:
        data = stream.read(MAX_DECISION_BYTES + 1)
    if len(data) > MAX_DECISION_BYTES:
        return None, _("it is larger than 200 MB")
    # the kind before the hash: the answer must not tell whether a guessed hash was right
    if not data.startswith(b"%PDF-"):
        return None, _("only PDF documents are taken along")
    if hashlib.sha256(data).hexdigest() != sha256.lower():
        return None, _("its SHA-256 is not the one the signed chain pins")
    return data, None


def _identities(paths: frozenset[Path]) -> set[tuple[int, int]]:
    """(device, inode) of each existing file: the same file under another name."""
    found = set()
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        found.add((info.st_dev, info.st_ino))
    return found


def _decision_reference(item: PackageInput, relative: str) -> mdto.Reference:
    statement = item.statement
    assert statement is not None
    # the decision whose file this is, by its whole name: matching on the id alone took
    # decision 'college' for the file of 'college-2026-11-10' (found in review)
    for decision in [*statement.authority.decisions, *statement.coordinator.authority.decisions]:
        if decision.document is not None and _decision_file_name(decision) == relative:
            return _reference(
                f"{decision.subject} ({decision.organ}, {decision.date.isoformat()})",
                _identification(decision.reference, _party_words(statement)),
            )
    return _reference(relative)


def earlier_validations(entries: Sequence[Entry], sha256: str | None) -> tuple[Entry, ...]:
    """The register's validations of exactly these bytes, oldest first."""
    return tuple(
        entry
        for entry in entries
        if entry.kind == EntryKind.VALIDATION.value
        and entry.payload.get("document_sha256") == sha256
    )
