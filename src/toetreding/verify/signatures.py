"""Per-signature checks: integrity, changes after signing, trust, revocation, time, level.

pyHanko does the cryptography and the path validation; this module decides what its
findings mean for a statement, in ETSI EN 319 102-1 terms, and is strict where a
verifier for archives must be:

- revocation is hard-fail for real: every certificate in the path (except the trust
  anchor) needs a revocation answer (CRL or OCSP); no answer is INDETERMINATE with
  TRY_LATER, as EU DSS says — never "probably fine";
- only the changes on the positive list of :mod:`.changes` may follow a signature; each
  other change is named, and pyHanko's own structural difference analysis must agree;
- the signature container must hold exactly the CMS object (see :mod:`.container`);
- a timestamp that is present but invalid or untrusted makes the signature
  INDETERMINATE: a claimed level must be proven, not assumed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import Any

from asn1crypto import x509

from ..i18n import _
from ..pki.certificates import summarise
from ..signing_config import SignatureLevel
from .changes import forbidden
from .container import container_problems, padding_is_clean
from .options import VerifyOptions
from .report import (
    CertificateInfo,
    ChangeInfo,
    Indication,
    SignatureReport,
    TimeSource,
    TimestampInfo,
)
from .review import FileReview
from .wording import explain_evaluation_failure

PADES_SUBFILTER = "/ETSI.CAdES.detached"
CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far a signer's clock may run ahead of the timestamp authority's."""
MAX_TIMESTAMP_DELAY = dt.timedelta(hours=1)
"""How long after the claimed moment a signature timestamp may be made (`sign` asks for it
at once; seconds pass, or minutes when the authority is slow)."""


def _judge_timestamp_delay(
    report: SignatureReport, stamped: dt.datetime, claimed: dt.datetime
) -> None:
    """The signature timestamp must follow the moment the signer claimed, and soon.

    The timestamp token sits outside what the signature covers: anyone can replace it with
    a new token over the same signature value, made later (found in review: the consent's
    token swapped a day later, then extended again, moved the effective date under PASSED).
    The claimed moment (/M) is signed, so a token made long after it, or before it, is
    refused as proof of when the signature was made.
    """
    delay = stamped - claimed
    if delay < -CLOCK_SKEW:
        report.fail(
            Indication.INDETERMINATE,
            "TIMESTAMP_ORDER_FAILURE",
            _(
                "the signature timestamp ({stamped}) is earlier than the moment the signer "
                "claimed ({claimed}); a signature timestamp is made after signing"
            ).format(stamped=iso(stamped), claimed=iso(claimed)),
        )
    elif delay > MAX_TIMESTAMP_DELAY:
        report.fail(
            Indication.INDETERMINATE,
            "SIG_CONSTRAINTS_FAILURE",
            _(
                "the signature timestamp ({stamped}) was made more than an hour after the "
                "moment the signer claimed ({claimed}); it proves only that the signature "
                "existed then, and such a token can be replaced by anyone"
            ).format(stamped=iso(stamped), claimed=iso(claimed)),
        )


logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # findings go into the report
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


def certificate_info(certificate: x509.Certificate) -> CertificateInfo:
    """Identification of a certificate for the report and the register."""
    facts = summarise(certificate)
    return CertificateInfo(
        common_name=facts.common_name,
        subject=facts.subject,
        issuer=facts.issuer,
        serial_number=facts.serial_number,
        sha256=facts.sha256_fingerprint,
    )


def _context(
    reader: Any, options: VerifyOptions, *, moment: dt.datetime | None = None, offline: bool = False
) -> Any:
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import ValidationContext

    from ..fetching import owned_on_demand_backend

    fetching = options.allow_fetching and not offline
    kwargs: dict[str, Any] = {
        "trust_roots": list(options.trust_roots),
        "allow_fetching": fetching,
        "fetcher_backend": owned_on_demand_backend() if fetching else None,
        "revocation_mode": "require",
        "crls": list(options.crls),
        "ocsps": [],
    }
    when = moment or options.at
    if when is not None:
        kwargs["moment"] = when
        kwargs["retroactive_revinfo"] = True
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:
        dss = None
    if dss is not None:
        return dss.as_validation_context(kwargs)
    return ValidationContext(**kwargs)


def _signed_attribute(signature: Any, name: str) -> Any:
    for attribute in signature.signer_info["signed_attrs"]:
        if attribute["type"].native == name:
            return attribute["values"][0]
    return None


def _claimed_role(signature: Any) -> str | None:
    """The claimed role: exactly one claimed attribute, an X.520 title with one text value.

    Anything else (a role in another attribute type, two titles, a title with two values)
    is read as no role at all, so the formula rule fails it: a second role could say
    something else than the first ("geen instemming") and a reader could show either.
    """
    try:
        attributes = _signed_attribute(signature, "signer_attributes_v2")
        if attributes is None:
            return None
        claimed = list(attributes["claimed_attributes"])
        if len(claimed) != 1:
            return None
        (only,) = claimed
        if only["type"].dotted != "2.5.4.12" or len(only["values"]) != 1:
            return None
        value = only["values"][0].native
        return value if isinstance(value, str) else None
    except Exception:
        return None


def _commitment(signature: Any) -> str | None:
    try:
        value = _signed_attribute(signature, "commitment_type")
        return None if value is None else str(value["commitment_type_id"].native)
    except Exception:
        return None


def iso(moment: dt.datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC."""
    return moment.astimezone(dt.UTC).isoformat() if moment else None


def check_signature(
    reader: Any,
    signature: Any,
    options: VerifyOptions,
    data: bytes,
    review: FileReview,
    trusted_stamp_revisions: tuple[int, ...] = (),
) -> SignatureReport:
    """Validate one regular (PAdES) signature.

    ``trusted_stamp_revisions``: the revisions of the file's document timestamps that are
    intact and trusted (judged once per file, not again for every signature).
    """
    from pyhanko.sign.validation import validate_pdf_signature

    report = SignatureReport(field_name=str(signature.field_name), kind="signature")
    report.revision = signature.signed_revision
    subfilter = str(signature.sig_object.get("/SubFilter", ""))
    if subfilter != PADES_SUBFILTER:
        shown = subfilter.lstrip("/")
        report.fail(
            Indication.INDETERMINATE,
            "FORMAT_FAILURE",
            _("not a PAdES baseline signature (sub-filter {subfilter})").format(subfilter=shown)
            if shown
            else _("not a PAdES baseline signature (sub-filter missing)"),
        )
    for indication, sub_indication, problem in container_problems(
        data, signature, options.trust_roots
    ):
        report.fail(indication, sub_indication, problem)
    try:
        status = validate_pdf_signature(
            signature, _context(reader, options), _context(reader, options), skip_diff=True
        )
    except Exception as error:
        report.fail(*explain_evaluation_failure(error))
        _judge_changes(report, signature, review)
        return report
    report.digest_matches = bool(status.intact)
    report.signature_value_valid = bool(status.valid)
    report.signer = certificate_info(status.signing_cert)
    report.claimed_role = _claimed_role(signature)
    report.commitment_type = _commitment(signature)
    _judge_integrity(report, status)
    _judge_changes(report, signature, review)
    stamp = status.timestamp_validity
    if stamp is not None:
        report.timestamp = TimestampInfo(
            time=iso(stamp.timestamp),
            authority=certificate_info(stamp.signing_cert).common_name,
            valid=bool(stamp.intact and stamp.valid),
            trusted=bool(stamp.trusted),
        )
        if not (stamp.intact and stamp.valid):
            report.fail(
                Indication.INDETERMINATE,
                "SIG_CONSTRAINTS_FAILURE",
                _("the signature timestamp is invalid"),
            )
        elif not stamp.trusted:
            report.fail(
                Indication.INDETERMINATE,
                "SIG_CONSTRAINTS_FAILURE",
                _(
                    "the signature timestamp's authority is not trusted, or its certificate's "
                    "revocation status is unknown"
                ),
            )
    proven = bool(stamp is not None and stamp.intact and stamp.valid and stamp.trusted)
    if proven and stamp is not None and status.signer_reported_dt is not None:
        _judge_timestamp_delay(report, stamp.timestamp, status.signer_reported_dt)
    if proven and stamp is not None:
        report.signing_time = iso(stamp.timestamp)
        report.signing_time_source = TimeSource.SIGNATURE_TIMESTAMP
    elif status.signer_reported_dt is not None:
        report.signing_time = iso(status.signer_reported_dt)
        report.signing_time_source = TimeSource.CLAIMED
    _judge_trust(report, reader, signature, status, stamp if proven else None, options)
    report.level = (
        _level(reader, signature, report, proven, options, trusted_stamp_revisions)
        if report.intact
        else None
    )
    return report


def _judge_integrity(report: SignatureReport, status: Any) -> None:
    if not status.intact:
        report.fail(
            Indication.FAILED,
            "HASH_FAILURE",
            _("the document was changed: the digest does not match"),
        )
    elif not status.valid:
        report.fail(
            Indication.FAILED,
            "SIG_CRYPTO_FAILURE",
            _("the signature value is not valid for this signer"),
        )
    coverage = status.coverage.name if status.coverage else "UNCLEAR"
    report.coverage = {"ENTIRE_FILE": "entire-file", "ENTIRE_REVISION": "entire-revision"}.get(
        coverage, "partial"
    )
    if coverage not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        report.fail(
            Indication.FAILED,
            "FORMAT_FAILURE",
            _("the signature does not cover a whole revision of the file"),
        )


def _judge_changes(report: SignatureReport, signature: Any, review: FileReview) -> None:
    """Name every change after the signature; fail it on any change off the positive list.

    For a statement, pyHanko's structural difference analysis must agree as well: an object
    replaced in a way neither it nor our rules can explain also fails the signature.
    """
    try:
        changes = review.changes_after(signature.signed_revision)
    except Exception:
        report.fail(
            Indication.FAILED,
            "FORMAT_FAILURE",
            _("the changes made after this signature cannot be read safely"),
        )
        return
    if _certified_as_final(signature):
        # DocMDP P=1: nothing but validation data and document timestamps may follow
        changes = [
            replace(
                c,
                allowed=False,
                description=_(
                    "{change}, though the document was certified as final (DocMDP P=1)"
                ).format(change=c.description),
            )
            if c.allowed and c.later_signature
            else c
            for c in changes
        ]
    report.changes_after_signing = [
        ChangeInfo(c.revision, c.description, c.allowed) for c in changes
    ]
    for change in forbidden(changes):
        report.fail(
            Indication.FAILED,
            "FORMAT_FAILURE",
            _("changed after signing: {change}").format(change=change.description),
        )
    later_revisions = signature.signed_revision < review.reader.xrefs.total_revisions - 1
    if forbidden(changes) or not later_revisions or review.policy.statement_fields is None:
        # pyHanko's second opinion is asked for statements only: on other PDFs it refuses
        # legitimate layouts (a signature field added under an existing parent field). It
        # is asked whenever anything follows the signature, also when our own review saw
        # no change: a change our review cannot see (a page-tree node taken for a page by
        # viewers) once PASSED that way.
        return
    if review.pyhanko_objects_after(signature.signed_revision):
        report.fail(
            Indication.FAILED,
            "FORMAT_FAILURE",
            _(
                "changed after signing: objects this signature covers were replaced in a way "
                "toetreding cannot explain"
            ),
        )


def _certified_as_final(signature: Any) -> bool:
    try:
        level = signature.docmdp_level
    except Exception:
        return False
    return getattr(level, "name", "") == "NO_CHANGES"


def _judge_trust(
    report: SignatureReport,
    reader: Any,
    signature: Any,
    status: Any,
    stamp: Any,
    options: VerifyOptions,
) -> None:
    from pyhanko.sign.validation import validate_pdf_signature

    trusted = bool(status.trusted)
    if not trusted and stamp is not None and report.intact and not status.revoked:
        # an expired certificate is fine if a trusted timestamp proves the signature existed
        # while it was valid: validate again at that moment, with the document's own data
        try:
            past = validate_pdf_signature(
                signature,
                _context(reader, options, moment=stamp.timestamp, offline=True),
                _context(reader, options),
                skip_diff=True,
            )
            trusted = bool(past.trusted and not past.revoked)
        except Exception:
            trusted = False
    report.certificate_trusted = trusted
    if status.revoked:
        report.revocation = "revoked"
        report.fail(Indication.FAILED, "REVOKED", _("the signer's certificate is revoked"))
    elif trusted:
        report.revocation = "good"
    elif report.intact:
        report.fail(*_trust_problem(status, _path_failure(status, reader, options)))


def _path_failure(status: Any, reader: Any, options: VerifyOptions) -> str | None:
    """Why a path that was found did not validate: the validator's error class name.

    pyHanko reports every such failure as CERTIFICATE_CHAIN_GENERAL_FAILURE; the reader
    of the report needs to know whether revocation data was missing, a certificate had
    expired or an algorithm is weak, so the found path is validated again for the reason.
    """
    import asyncio

    from pyhanko_certvalidator.validate import async_validate_path

    path = getattr(status, "validation_path", None)
    if path is None:
        return None
    context = _context(reader, options)

    async def validate() -> None:
        try:
            await async_validate_path(context, path)
        finally:
            await context.aclose()

    try:
        asyncio.run(validate())
    except Exception as error:
        return type(error).__name__
    return None


def _trust_problem(status: Any, failure: str | None) -> tuple[Indication, str, str]:
    indication = getattr(status.trust_problem_indic, "name", None) or "NO_CERTIFICATE_CHAIN_FOUND"
    if failure in ("InsufficientRevinfoError", "StaleRevinfoError"):
        indication = "TRY_LATER"
    elif failure in ("ExpiredError", "NotYetValidError", "InsufficientPOEError"):
        indication = "OUT_OF_BOUNDS_NO_POE"
    elif failure == "DisallowedAlgorithmError":
        indication = "CRYPTO_CONSTRAINTS_FAILURE"
    if indication == "TRY_LATER" or "REVOCATION" in indication:
        return (
            Indication.INDETERMINATE,
            "TRY_LATER",
            _(
                "the revocation status of the signer's certificate, or of a CA certificate "
                "above it, is unknown: no CRL or OCSP answer was available (hard-fail)"
            ),
        )
    if indication in ("OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "EXPIRED"):
        return (
            Indication.INDETERMINATE,
            "OUT_OF_BOUNDS_NO_POE",
            _(
                "the signer's certificate was not valid at the validation moment, and no "
                "trusted timestamp proves the signature was made while it was"
            ),
        )
    if "CRYPTO" in indication:
        return (
            Indication.INDETERMINATE,
            "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            _(
                "weak algorithm in the chain: a certificate in the signer's chain is signed "
                "with an algorithm that is no longer considered secure"
            ),
        )
    return (
        Indication.INDETERMINATE,
        "NO_CERTIFICATE_CHAIN_FOUND",
        _("the signer's certificate does not chain to a trusted root"),
    )


def _level(
    reader: Any,
    signature: Any,
    report: SignatureReport,
    proven: bool,
    options: VerifyOptions,
    trusted_stamp_revisions: tuple[int, ...],
) -> str:
    """The PAdES baseline level this signature reaches, judged from what is proven."""
    level = SignatureLevel.B_B
    later_stamp = any(r > signature.signed_revision for r in trusted_stamp_revisions)
    if proven or later_stamp:
        level = SignatureLevel.B_T
        if _has_validation_data(reader, signature, options):
            level = SignatureLevel.B_LT
            if later_stamp:
                level = SignatureLevel.B_LTA
    if options.required_level is not None and level.rank < options.required_level.rank:
        report.fail(
            Indication.INDETERMINATE,
            "SIG_CONSTRAINTS_FAILURE",
            _("the signature reaches PAdES {level}, not the required {required}").format(
                level=level.value, required=options.required_level.value
            ),
        )
    return level.value


def _has_validation_data(reader: Any, signature: Any, options: VerifyOptions) -> bool:
    """B-LT: the document itself holds what validates the signer (no network)."""
    if "/DSS" not in reader.root:
        return False
    from pyhanko.sign.validation import validate_pdf_signature

    bare = VerifyOptions(trust_roots=options.trust_roots, at=options.at, allow_fetching=False)
    try:
        status = validate_pdf_signature(
            signature, _context(reader, bare, offline=True), skip_diff=True
        )
    except Exception:
        return False
    return bool(status.trusted and not status.revoked)


def check_document_timestamp(
    reader: Any, stamp: Any, options: VerifyOptions, data: bytes, review: FileReview
) -> SignatureReport:
    """Validate one document timestamp (B-LTA)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko.sign.validation.pdf_embedded import extract_contents

    report = SignatureReport(field_name=str(stamp.field_name), kind="document-timestamp")
    report.revision = stamp.signed_revision
    try:
        clean = padding_is_clean(extract_contents(stamp.sig_object))
    except (PdfError, ValueError, KeyError, TypeError):
        clean = False
    if not clean:
        report.fail(
            Indication.FAILED, "FORMAT_FAILURE", _("the timestamp container holds extra bytes")
        )
    try:
        status = validate_pdf_timestamp(stamp, _context(reader, options), skip_diff=True)
    except Exception as error:
        report.fail(*explain_evaluation_failure(error, "timestamp"))
        _judge_changes(report, stamp, review)
        return report
    report.digest_matches = bool(status.intact)
    report.signature_value_valid = bool(status.valid)
    report.signer = certificate_info(status.signing_cert)
    report.certificate_trusted = bool(status.trusted)
    report.signing_time = iso(status.timestamp)
    report.signing_time_source = TimeSource.DOCUMENT_TIMESTAMP
    report.timestamp = TimestampInfo(
        time=iso(status.timestamp),
        authority=report.signer.common_name,
        valid=report.intact,
        trusted=report.certificate_trusted,
    )
    _judge_integrity(report, status)
    _judge_changes(report, stamp, review)
    if report.intact and not report.certificate_trusted:
        report.fail(
            Indication.INDETERMINATE,
            "NO_CERTIFICATE_CHAIN_FOUND",
            _(
                "the timestamp authority is not trusted, or its certificate's revocation "
                "status is unknown"
            ),
        )
    report.revocation = "good" if report.certificate_trusted else "unknown"
    return report
