"""Verifying a statement file: is it a statement, every signature, the document, the chain.

Whether a PDF is a toetreding statement is decided from the revision its first signature
covers (its signature fields and statement data), so no later update can make a statement
look like something else. A PDF that is not a statement is told so first; its signatures
are still judged.

The chain is read from the XMP of the revision the party signed (not the newest one:
pyHanko allows metadata updates after signing, so a later revision could carry a
different chain) and checked by the same rules as `sign`, at the signing moment as far as
it is *proven*: a signature timestamp proves it; otherwise the moment is the one the
signer claims, checked together with the latest moment a later timestamp proves, and the
report says which. There is no fallback to today's date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..embedded import EmbeddedDataError, EmbeddedStatement, read_from_xmp
from ..i18n import _, ngettext
from ..mandate import CertificateFacts, ChainContext, chain_digest, check_chain, normalise
from ..model import Authority, SignatureSlot
from ..pki.certificates import same_holder
from .changes import ChangePolicy
from .filestructure import structure_problems
from .options import VerifyOptions
from .reading import read_signatures
from .report import (
    ChainReport,
    Indication,
    SignatureReport,
    TimeSource,
    VerificationReport,
)
from .review import FileReview
from .signatures import check_document_timestamp, check_signature
from .wording import explain_evaluation_failure, explain_unreadable

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

CLOCK_TOLERANCE = dt.timedelta(minutes=10)
"""How far a signer's claimed time may lie after a timestamp that covers it (clock drift)."""


def verify_file(path: Path, options: VerifyOptions) -> VerificationReport:
    """Verify one file; never raises for bad input (the report says what is wrong)."""
    started = dt.datetime.now(dt.UTC).isoformat()
    try:
        data = _read(path)
    except OSError as error:
        return VerificationReport(
            file=str(path),
            sha256=None,
            readable=False,
            error=_("cannot read the file: {reason}").format(
                reason=error.strerror or _("unreadable")
            ),
            validated_at=started,
        )
    return verify_data(data, path, options, started)


def verify_data(
    data: bytes, path: Path, options: VerifyOptions, started: str | None = None
) -> VerificationReport:
    """Verify bytes already read from ``path`` (a caller that checked those very bytes —
    their hash, their prefix — must verify them too, not the file again)."""
    report = VerificationReport(
        file=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        readable=False,
        validated_at=started or dt.datetime.now(dt.UTC).isoformat(),
    )
    try:
        _verify(data, report, options)
    except Exception as error:  # hostile input must never crash the verifier
        if not report.readable:
            report.error = explain_unreadable(error)
        else:
            report.document.problems.append(
                _("part of the document could not be evaluated: its structure is damaged")
            )
    return report


MAX_PDF_BYTES = 512 * 1024 * 1024


def _read(path: Path) -> bytes:
    """The file's bytes; folders, devices and pipes are refused before they are opened."""
    if not path.exists():
        raise OSError(2, _("no such file"))
    if not path.is_file():
        raise OSError(21, _("it is a folder") if path.is_dir() else _("not a regular file"))
    with path.open("rb") as stream:
        data = stream.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise OSError(27, _("larger than 512 MB, which no statement is"))
    return data


def _verify(data: bytes, report: VerificationReport, options: VerifyOptions) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    header = data.find(b"%PDF-", 0, 1024)
    if header < 0:
        report.error = _("not a PDF (no %PDF header)")
        return
    if header > 0:
        report.error = ngettext(
            "the file has {count} bytes before its %PDF- header; toetreding reads only "
            "PDF files that start with the header (the signature may be intact, but cannot "
            "be checked here)",
            "the file has {count} bytes before its %PDF- header; toetreding reads only "
            "PDF files that start with the header (the signature may be intact, but cannot "
            "be checked here)",
            header,
        ).format(count=header)
        return
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    if reader.encrypted:
        report.error = _("the PDF is encrypted; a statement never is, and it cannot be verified")
        return
    _pages = reader.root["/Pages"]
    report.readable = True
    signatures = read_signatures(reader, report.document.problems)
    slots = _statement_slots(reader, signatures)
    report.document.is_statement = bool(slots)
    review = FileReview(
        reader,
        ChangePolicy(statement_fields=slots or None),
        [s.signed_revision for s in signatures if s.signed_revision is not None],
    )
    if not signatures:
        report.document.problems.append(_("the document holds no signature"))
    stamps = {
        index: _check_one(reader, signature, options, data, review, ())
        for index, signature in enumerate(signatures)
        if _is_timestamp_signature(signature)
    }
    trusted = tuple(
        r.revision
        for r in stamps.values()
        if r.revision is not None and r.intact and r.certificate_trusted
    )
    for index, signature in enumerate(signatures):
        result = stamps.get(index) or _check_one(reader, signature, options, data, review, trusted)
        report.signatures.append(result)
    report.document.problems.extend(structure_problems(data, reader, _signed_end(signatures)))
    _time_bounds(report)
    for result in report.signatures:
        result.conclude()
    if signatures:
        _renewal(reader, report)
    if not report.document.is_statement:
        return
    _document(reader, report)
    _chain_and_dates(reader, signatures, report, options)


def _renewal(reader: Any, report: VerificationReport) -> None:
    """By when the evidence must be renewed (a new archive timestamp), from the document
    alone; an archivist plans `extend --due` by it."""
    from ..pki.renewal import renewal_due_in

    try:
        due = renewal_due_in(reader)
    except Exception:  # damaged evidence is reported by the signature checks themselves
        return
    if due is not None:
        report.document.renewal_due = due.due.isoformat()
        report.document.renewal_reason = due.reason


def _signed_end(signatures: list[Any]) -> int | None:
    """Where the earliest signed revision ends (the end of its byte range)."""
    ends = []
    for signature in signatures:
        try:
            byte_range = [int(v) for v in signature.sig_object["/ByteRange"]]
            ends.append(byte_range[2] + byte_range[3])
        except Exception:
            continue
    return min(ends) if ends else None


def _is_timestamp_signature(signature: Any) -> bool:
    try:
        subfilter = str(signature.sig_object.get("/SubFilter", ""))
        return bool(signature.sig_object_type == "/DocTimeStamp" or subfilter == "/ETSI.RFC3161")
    except Exception:
        return False


def _check_one(
    reader: Any,
    signature: Any,
    options: VerifyOptions,
    data: bytes,
    review: FileReview,
    trusted_stamps: tuple[int, ...],
) -> SignatureReport:
    """One signature's report; a signature too damaged to judge fails on its own."""
    try:
        if _is_timestamp_signature(signature):
            return check_document_timestamp(reader, signature, options, data, review)
        return check_signature(reader, signature, options, data, review, trusted_stamps)
    except Exception as error:
        try:
            name = str(signature.field_name)
        except Exception:
            name = "?"
        report = SignatureReport(field_name=name, kind="signature")
        report.fail(*explain_evaluation_failure(error))
        return report


def _statement_slots(reader: Any, signatures: list[Any]) -> tuple[str, ...]:
    """The statement's signature fields, read from the first signed revision (or the file)."""
    revisions = [s.signed_revision for s in signatures if s.signed_revision is not None]
    try:
        view = reader.get_historical_resolver(min(revisions)) if revisions else reader
        fields = view.root["/AcroForm"]["/Fields"]
        names = {str(f.get_object().get("/T")) for f in fields}
    except Exception:
        return ()
    if SignatureSlot.PARTY.value not in names:
        return ()
    return tuple(slot.value for slot in SignatureSlot if slot.value in names)


def _time_bounds(report: VerificationReport) -> None:
    """For each signature: the earliest trusted timestamp made after it that covers it.

    A later signature's timestamp and a later document timestamp both cover every earlier
    revision, so they prove that an earlier signature existed by then.
    """
    proofs: list[tuple[int, dt.datetime]] = []
    for result in report.signatures:
        stamp = result.timestamp
        if result.revision is None or stamp is None or stamp.time is None:
            continue
        if stamp.valid and stamp.trusted:
            proofs.append((result.revision, dt.datetime.fromisoformat(stamp.time)))
    for result in report.signatures:
        if result.kind != "signature" or result.revision is None:
            continue
        later = [moment for revision, moment in proofs if revision > result.revision]
        if not later:
            continue
        bound = min(later)
        result.proven_no_later_than = bound.isoformat()
        if (
            result.signing_time_source is TimeSource.CLAIMED
            and result.signing_time
            and dt.datetime.fromisoformat(result.signing_time) > bound + CLOCK_TOLERANCE
        ):
            result.fail(
                Indication.INDETERMINATE,
                "SIG_CONSTRAINTS_FAILURE",
                _(
                    "the signing time the signer claims ({claimed}) is later than a timestamp "
                    "that proves the signature already existed ({proven})"
                ).format(claimed=_local(result.signing_time), proven=_local(bound.isoformat())),
            )


def _document(reader: Any, report: VerificationReport) -> None:
    document = report.document
    xmp = _xmp(reader.root)
    if xmp is None:
        document.problems.append(_("no XMP metadata: PDF/A identification is missing"))
        return
    text = xmp.decode("utf-8", errors="replace")
    part = _xmp_value(text, "pdfaid:part")
    conformance = _xmp_value(text, "pdfaid:conformance")
    ua = _xmp_value(text, "pdfuaid:part")
    document.pdfa = f"PDF/A-{part}{(conformance or '').lower()}" if part else None
    document.pdfua = f"PDF/UA-{ua}" if ua else None
    if document.pdfa is None:
        document.problems.append(_("the PDF/A identification is missing from the metadata"))
    if document.pdfua is None:
        document.problems.append(_("the PDF/UA identification is missing from the metadata"))


def _chain_and_dates(
    reader: Any, signatures: list[Any], report: VerificationReport, options: VerifyOptions
) -> None:
    by_field = {r.field_name: r for r in report.signatures}
    party_sig = _signature(signatures, SignatureSlot.PARTY)
    party = by_field.get(SignatureSlot.PARTY.value)
    consent_sig = _signature(signatures, SignatureSlot.COORDINATOR)
    consent = by_field.get(SignatureSlot.COORDINATOR.value)
    if party_sig is None or party is None:
        report.chain = ChainReport(present=False, breaches=[_("the party's signature is missing")])
        # nothing is signed: what the file says about itself is shown, and proves nothing
        try:
            unsigned_xmp = _xmp(reader.root)
            unsigned = read_from_xmp(unsigned_xmp) if unsigned_xmp else None
        except EmbeddedDataError:
            unsigned = None
        if unsigned is not None:
            _statement_facts(unsigned, report)
        return
    try:
        signed_xmp = _xmp(reader.get_historical_resolver(party_sig.signed_revision).root)
        embedded = read_from_xmp(signed_xmp) if signed_xmp else None
    except EmbeddedDataError as error:
        report.chain = ChainReport(present=False, breaches=[str(error)])
        return
    try:
        latest_xmp = _xmp(reader.root)
        latest = read_from_xmp(latest_xmp) if latest_xmp else None
    except EmbeddedDataError:
        latest = None
    if embedded is None:
        report.chain = ChainReport(
            present=False, breaches=[_("the signed statement carries no chain of authority")]
        )
        return
    if latest != embedded:
        report.document.problems.append(
            _("the statement data in the metadata was changed after the party signed")
        )
    _statement_facts(embedded, report)
    report.document.problems.extend(_signed_before_dated(embedded.date, party))
    report.chain = _check_chain(
        embedded.authority,
        party,
        party_sig,
        embedded.party_context,
    )
    _confirm_party_terms(embedded, options, report.chain)
    if consent is None or consent_sig is None:
        return
    # The consent is judged by the coordinator's chain the *party* signed: a chain added
    # or changed later could name anyone.
    report.consent_chain = _check_chain(
        embedded.coordinator.authority,
        consent,
        consent_sig,
        embedded.consent_context,
    )
    _confirm_consent_chain(embedded, options, report.consent_chain)
    same = same_holder(party_sig.signer_cert, consent_sig.signer_cert)
    if same:
        report.consent_chain.authorised = False
        report.consent_chain.breaches.append(
            _(
                "the consent is signed by the holder of the party's signature ({holder}); the "
                "coordinating party's consent must be another person's act"
            ).format(holder=same)
        )
    misplaced = _consent_moment_problems(party, consent, report)
    report.document.problems.extend(misplaced)
    if report.consent_chain.authorised and not misplaced:
        _effective_date(consent, report, options)
    elif not report.consent_chain.authorised:
        report.document.problems.append(
            _(
                "the consent is not given by an official whom the chain of {coordinator} "
                "authorises, so the accession has not taken effect"
            ).format(coordinator=embedded.coordinator.name)
        )


def _trusted_covenant(embedded: EmbeddedStatement, options: VerifyOptions) -> Any:
    """The covenant as published the verifier trusts for this statement, or None."""
    return next((t for t in options.covenants if t.covenant.id == embedded.covenant_id), None)


def _party_term_differences(embedded: EmbeddedStatement, covenant: Any) -> list[str]:
    """Where the statement's terms of joining differ from the covenant as published: the
    party form and organs decide who joins and so whose chain authorises the signer."""
    differences = []
    if embedded.party_form != covenant.party_form:
        differences.append(
            _(
                "the statement has the party join as '{carried}', the covenant as '{published}'"
            ).format(carried=embedded.party_form.value, published=covenant.party_form.value)
        )
    if sorted(embedded.organs) != sorted(covenant.organs):
        differences.append(
            _("the statement names the organs {carried}, the covenant {published}").format(
                carried=", ".join(o.value for o in embedded.organs) or "—",
                published=", ".join(o.value for o in covenant.organs) or "—",
            )
        )
    if embedded.covenant_version != covenant.version:
        differences.append(
            _("the covenant's version is '{carried}', not '{published}'").format(
                carried=embedded.covenant_version or "—", published=covenant.version or "—"
            )
        )
    return differences


def _confirm_party_terms(
    embedded: EmbeddedStatement, options: VerifyOptions, chain: ChainReport
) -> None:
    """The party's chain is judged under the statement's party form, which the party drew
    up: where a covenant is trusted, that form must be the covenant's (a college mandate
    was reported as authorised under a covenant only the gemeente itself may join)."""
    trusted = _trusted_covenant(embedded, options)
    if trusted is None:
        return
    differences = _party_term_differences(embedded, trusted.covenant)
    if differences:
        chain.authorised = False
        chain.breaches.append(
            _(
                "the statement does not match the covenant you trust ({source}): {differences}"
            ).format(source=trusted.source, differences="; ".join(differences))
        )


def _confirm_consent_chain(
    embedded: EmbeddedStatement, options: VerifyOptions, chain: ChainReport
) -> None:
    """The chain a consent is judged by must be the coordinating party's as published.

    The statement carries that chain, but the party drew the statement up: a party could
    name its own colleague as the consenting official. So the chain is compared with the
    covenant the verifier trusts (``--covenant`` or ``verificatie.convenanten``); without
    one, the consent cannot be confirmed and does not count.
    """
    trusted = _trusted_covenant(embedded, options)
    if trusted is None:
        chain.authorised = False
        known = ", ".join(t.covenant.id for t in options.covenants) or _("none")
        chain.breaches.append(
            _(
                "who may consent comes only from the statement itself, which the party drew up; "
                "confirm it against the covenant '{covenant}' as published: give it with "
                "--covenant FILE or under 'verificatie.convenanten' (trusted now: {trusted})"
            ).format(covenant=embedded.covenant_id, trusted=known)
        )
        return
    covenant = trusted.covenant
    differences = _party_term_differences(embedded, covenant)
    if normalise(covenant.coordinator.name) != normalise(embedded.coordinator.name):
        differences.append(
            _("the coordinating party is '{carried}', not '{published}'").format(
                carried=embedded.coordinator.name, published=covenant.coordinator.name
            )
        )
    if chain_digest(covenant.coordinator.authority) != chain_digest(embedded.coordinator.authority):
        differences.append(_("the coordinating party's chain of authority differs"))
    for sentence, carried, published in (
        (
            _("the covenant's title is '{carried}', not '{published}'"),
            embedded.covenant_title,
            covenant.title,
        ),
        (
            _("the covenant's date is '{carried}', not '{published}'"),
            embedded.covenant_date,
            covenant.date,
        ),
        (
            _("the covenant's publication is '{carried}', not '{published}'"),
            embedded.covenant_publication,
            covenant.publication,
        ),
    ):
        if carried != published:
            differences.append(sentence.format(carried=carried, published=published))
    if differences:
        chain.authorised = False
        chain.breaches.append(
            _(
                "the statement does not match the covenant you trust ({source}): {differences}"
            ).format(source=trusted.source, differences="; ".join(differences))
        )
    else:
        chain.confirmed_by = trusted.source


def _consent_moment_problems(
    party: SignatureReport, consent: SignatureReport, report: VerificationReport
) -> list[str]:
    """The consent follows the party's signature and does not lie in the future: a consent
    dated before the statement was signed, or after the validation, sets no effective date."""
    problems = []
    if consent.signing_time and party.signing_time:
        consent_at = dt.datetime.fromisoformat(consent.signing_time)
        party_at = dt.datetime.fromisoformat(party.signing_time)
        if consent_at + CLOCK_TOLERANCE < party_at:
            problems.append(
                _(
                    "the consent's moment ({consent}) lies before the party's signature "
                    "({party}); one cannot consent to a statement not yet signed"
                ).format(consent=_local(consent.signing_time), party=_local(party.signing_time))
            )
    if (
        consent.signing_time
        and report.validated_at
        and (
            dt.datetime.fromisoformat(consent.signing_time)
            > dt.datetime.fromisoformat(report.validated_at) + CLOCK_TOLERANCE
        )
    ):
        problems.append(
            _(
                "the consent's moment ({consent}) lies after this validation: a moment in the "
                "future proves nothing"
            ).format(consent=_local(consent.signing_time))
        )
    return problems


def _signed_before_dated(dated: dt.date, party: SignatureReport) -> list[str]:
    """A statement cannot be signed before the date it bears: one of the two is untrue.

    Compared as Dutch calendar dates; the signature's own moment (proven or claimed), else
    the latest moment a later timestamp proves it existed by.
    """
    moment = party.signing_time or party.proven_no_later_than
    if moment is None or _date(moment) >= dated:
        return []
    return [
        _(
            "the party's signature is dated {signed}, before the statement's own date "
            "({dated}): a statement cannot be signed before it was drawn up, so either its "
            "date or the signing moment is untrue"
        ).format(signed=_local(moment), dated=dated.isoformat())
    ]


def _signature(signatures: list[Any], slot: SignatureSlot) -> Any:
    return next((s for s in signatures if str(s.field_name) == slot.value), None)


def _effective_date(
    acceptance: SignatureReport, report: VerificationReport, options: VerifyOptions
) -> None:
    """The accession takes effect at the acceptance's moment, which must be proven."""
    document = report.document
    if acceptance.signing_time is None:
        document.problems.append(
            _(
                "the consent names no signing moment and has no timestamp: the effective date "
                "is unknown"
            )
        )
        return
    if acceptance.signing_time_source is TimeSource.SIGNATURE_TIMESTAMP:
        document.effective_date = _local_date(acceptance.signing_time)
        document.effective_date_source = TimeSource.SIGNATURE_TIMESTAMP
        return
    if options.acceptance_needs_timestamp:
        document.problems.append(
            _(
                "the consent carries no trusted signature timestamp, so its moment — the "
                "effective date — is only claimed ({claimed}), not proven; the consent must be "
                "signed at PAdES B-T or higher (policy: verificatie.aanvaarding_vereist_tijdstempel)"
            ).format(claimed=_local(acceptance.signing_time))
        )
        return
    document.effective_date = _local_date(acceptance.signing_time)
    document.effective_date_source = TimeSource.CLAIMED


def _statement_facts(embedded: EmbeddedStatement, report: VerificationReport) -> None:
    report.document.party = f"{embedded.party_designation} ({embedded.party_code})"
    report.document.covenant = embedded.covenant_title
    report.document.statement_date = embedded.date.isoformat()


def _check_moments(party: SignatureReport) -> tuple[list[dt.date], str | None]:
    """The dates to check the chain at, and in words on what they rest."""
    proven_by = party.proven_no_later_than
    if party.signing_time and party.signing_time_source is TimeSource.SIGNATURE_TIMESTAMP:
        return [_date(party.signing_time)], _(
            "proven by the signature timestamp ({moment})"
        ).format(moment=_local(party.signing_time))
    if party.signing_time:
        moments = [_date(party.signing_time)]
        if proven_by:
            if _date(proven_by) not in moments:
                moments.append(_date(proven_by))
            return moments, _(
                "claimed by the signer ({claimed}), not proven; a later timestamp proves the "
                "signature existed by {proven}"
            ).format(claimed=_local(party.signing_time), proven=_local(proven_by))
        return moments, _("claimed by the signer ({claimed}), not proven: no timestamp").format(
            claimed=_local(party.signing_time)
        )
    if proven_by:
        return [_date(proven_by)], _(
            "not stated by the signer; a later timestamp proves the signature existed by {proven}"
        ).format(proven=_local(proven_by))
    return [], None


def _check_chain(
    authority: Authority,
    signed: SignatureReport,
    signature: Any,
    context_at: Callable[[dt.date, CertificateFacts, str], ChainContext],
) -> ChainReport:
    """One signature against its chain, at every moment the report can stand behind."""
    from ..pki.certificates import facts

    moments, basis = _check_moments(signed)
    if not moments:
        return ChainReport(
            present=True,
            authorised=False,
            breaches=[
                _(
                    "the moment of signing is unknown (no signing time and no timestamp), so "
                    "whether the signer was authorised then cannot be checked"
                )
            ],
        )
    breaches: list[str] = []
    verdicts = []
    certificate = facts(signature.signer_cert)
    for moment in moments:
        verdict = check_chain(authority, context_at(moment, certificate, signed.claimed_role or ""))
        verdicts.append(verdict)
        breaches.extend(str(b) for b in verdict.breaches if str(b) not in breaches)
    first = verdicts[0]
    return ChainReport(
        present=True,
        authorised=all(v.authorised for v in verdicts),
        checked_at=[m.isoformat() for m in moments],
        time_basis=basis,
        signer=first.signer,
        original_mandator=first.original_mandator,
        digest=first.chain_digest,
        breaches=breaches,
    )


def _xmp(root: Any) -> bytes | None:
    metadata = root.get("/Metadata")
    if metadata is None:
        return None
    data: bytes = metadata.get_object().data
    return data


def _xmp_value(text: str, name: str) -> str | None:
    found = re.search(rf'{name}(?:="([^"]*)"|>([^<]*)<)', text)
    return (found.group(1) or found.group(2)) if found else None


def _date(iso: str) -> dt.date:
    return dt.datetime.fromisoformat(iso).astimezone(AMSTERDAM).date()


def _local_date(iso: str) -> str:
    return _date(iso).isoformat()


def _local(iso: str) -> str:
    moment = dt.datetime.fromisoformat(iso).astimezone(AMSTERDAM)
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"


__all__ = ["Indication", "VerifyOptions", "verify_file"]


def signed_statement_data(data: bytes) -> EmbeddedStatement | None:
    """The statement data as the *party signed it* (its signed revision's XMP), or None.

    For metadata that leaves toetreding (the archive's MDTO): the latest XMP is whatever
    the last writer put there, while the signed revision's is covered by the party's
    signature. Never raises for bad input.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        party = _signature(list(reader.embedded_regular_signatures), SignatureSlot.PARTY)
        if party is None:
            return None
        signed_xmp = _xmp(reader.get_historical_resolver(party.signed_revision).root)
        return read_from_xmp(signed_xmp) if signed_xmp else None
    except Exception:  # a hostile file: no data, never a crash (verify says what is wrong)
        return None
