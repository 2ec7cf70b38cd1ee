"""Verifying a statement file: every signature, the document, and the chain of authority.

The chain is read from the XMP of the revision the party signed (not the newest one:
pyHanko allows metadata updates after signing, so a later revision could carry a
different chain) and checked by the same rules as `sign`, at the proven signing moment,
with the signing certificate and the signature's claimed role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..embedded import EmbeddedDataError, EmbeddedStatement, read_from_xmp
from ..mandate import ChainContext, check_chain
from ..model import SignatureSlot
from .report import ChainReport, Indication, SignatureReport, VerificationReport
from .signatures import VerifyOptions, check_document_timestamp, check_signature

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def verify_file(path: Path, options: VerifyOptions) -> VerificationReport:
    """Verify one file; never raises for bad input (the report says what is wrong)."""
    started = dt.datetime.now(dt.UTC).isoformat()
    try:
        data = path.read_bytes()
    except OSError as error:
        return VerificationReport(
            file=str(path),
            sha256=None,
            readable=False,
            error=f"cannot read: {error.strerror}",
            validated_at=started,
        )
    report = VerificationReport(
        file=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        readable=False,
        validated_at=started,
    )
    try:
        _verify(data, report, options)
    except RecursionError:
        report.readable = False
        report.error = "the PDF is nested too deeply to read safely"
    except Exception as error:  # hostile input must never crash the verifier
        if not report.readable:
            report.error = f"not a readable PDF: {type(error).__name__}: {error}"[:500]
        else:
            report.document.problems.append(
                f"could not be evaluated: {type(error).__name__}: {error}"[:500]
            )
    return report


def _verify(data: bytes, report: VerificationReport, options: VerifyOptions) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%PDF-" not in data[:1024]:
        report.error = "not a PDF (no %PDF header)"
        return
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    if reader.encrypted:
        report.error = "the PDF is encrypted; a statement never is, and it cannot be verified"
        return
    _ = reader.root["/Pages"]
    report.readable = True
    signatures = reader.embedded_signatures
    if not signatures:
        report.document.problems.append("the document holds no signature")
    for signature in signatures:
        subfilter = str(signature.sig_object.get("/SubFilter", ""))
        if signature.sig_object_type == "/DocTimeStamp" or subfilter == "/ETSI.RFC3161":
            result = check_document_timestamp(reader, signature, options, data)
        else:
            result = check_signature(reader, signature, options, data)
        result.conclude()
        report.signatures.append(result)
    _document(reader, report)
    _chain_and_dates(reader, signatures, report)


def _document(reader: Any, report: VerificationReport) -> None:
    document = report.document
    xmp = _xmp(reader.root)
    if xmp is None:
        document.problems.append("no XMP metadata: PDF/A identification is missing")
        return
    text = xmp.decode("utf-8", errors="replace")
    part = _xmp_value(text, "pdfaid:part")
    conformance = _xmp_value(text, "pdfaid:conformance")
    ua = _xmp_value(text, "pdfuaid:part")
    document.pdfa = f"PDF/A-{part}{(conformance or '').lower()}" if part else None
    document.pdfua = f"PDF/UA-{ua}" if ua else None
    if document.pdfa is None:
        document.problems.append("the PDF/A identification is missing from the metadata")
    if document.pdfua is None:
        document.problems.append("the PDF/UA identification is missing from the metadata")


def _chain_and_dates(reader: Any, signatures: list[Any], report: VerificationReport) -> None:
    by_field = {r.field_name: r for r in report.signatures}
    party_sig = next(
        (s for s in signatures if str(s.field_name) == SignatureSlot.PARTY.value), None
    )
    party = by_field.get(SignatureSlot.PARTY.value)
    acceptance = by_field.get(SignatureSlot.COORDINATOR.value)
    if acceptance is not None and acceptance.signing_time:
        report.document.effective_date = _local_date(acceptance.signing_time)
    if party_sig is None or party is None:
        report.chain = ChainReport(present=False, breaches=["the party's signature is missing"])
        return
    try:
        signed_xmp = _xmp(reader.get_historical_resolver(party_sig.signed_revision).root)
        embedded = read_from_xmp(signed_xmp) if signed_xmp else None
        latest_xmp = _xmp(reader.root)
        latest = read_from_xmp(latest_xmp) if latest_xmp else None
    except EmbeddedDataError as error:
        report.chain = ChainReport(present=False, breaches=[str(error)])
        return
    if embedded is None:
        report.chain = ChainReport(
            present=False, breaches=["the signed statement carries no chain of authority"]
        )
        return
    if latest != embedded:
        report.document.problems.append(
            "the statement data in the metadata was changed after the party signed"
        )
    _statement_facts(embedded, report)
    report.chain = _check_chain(embedded, party, party_sig)


def _statement_facts(embedded: EmbeddedStatement, report: VerificationReport) -> None:
    report.document.party = f"gemeente {embedded.party_name} ({embedded.party_code})"
    report.document.covenant = embedded.covenant_title
    report.document.statement_date = embedded.date.isoformat()


def _check_chain(
    embedded: EmbeddedStatement, party: SignatureReport, party_sig: Any
) -> ChainReport:
    from ..sign.certificates import facts

    when = party.signing_time
    at = dt.datetime.fromisoformat(when).astimezone(AMSTERDAM).date() if when else dt.date.today()
    verdict = check_chain(
        embedded.authority,
        ChainContext(
            at=at,
            covenant_id=embedded.covenant_id,
            party_name=embedded.party_name,
            accession_decision=embedded.accession_decision,
            certificate=facts(party_sig.signer_cert),
            formula=party.claimed_role or "",
        ),
    )
    return ChainReport(
        present=True,
        authorised=verdict.authorised,
        checked_at=at.isoformat(),
        signer=verdict.signer,
        original_mandator=verdict.original_mandator,
        digest=verdict.chain_digest,
        breaches=[str(b) for b in verdict.breaches],
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


def _local_date(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(AMSTERDAM).date().isoformat()


__all__ = ["Indication", "VerifyOptions", "verify_file"]
