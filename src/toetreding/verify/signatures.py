"""Per-signature checks: integrity, trust, revocation (hard-fail), time, level, changes.

pyHanko does the cryptography and the path validation; this module decides what its
findings mean for a statement, in ETSI EN 319 102-1 terms, and is strict where a
verifier for archives must be:

- revocation is hard-fail: unknown status is INDETERMINATE, never "probably fine";
- only changes a statement may legitimately get after a signature are accepted: later
  signatures in the statement's own fields, and LTA updates (DSS, document timestamps);
  anything on a page, in the page tree or catalog, or a new annotation fails it;
- the signature container must hold exactly the CMS object: bytes smuggled into the
  zero padding of /Contents fail it;
- a timestamp that is present but invalid or untrusted makes the signature
  INDETERMINATE: a claimed level must be proven, not assumed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from asn1crypto import x509

from ..sign.certificates import summarise
from ..signing_config import SignatureLevel
from .diffpolicy import STATEMENT_DIFF_POLICY
from .report import CertificateInfo, Indication, SignatureReport, TimestampInfo

PADES_SUBFILTER = "/ETSI.CAdES.detached"
TIMESTAMP_SUBFILTER = "/ETSI.RFC3161"
ALLOWED_AFTER_SIGNING = ("NONE", "LTA_UPDATES", "FORM_FILLING")

logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # findings go into the report


@dataclass(frozen=True)
class VerifyOptions:
    """How to verify."""

    trust_roots: tuple[x509.Certificate, ...]
    at: dt.datetime | None = None
    """Validation moment (default: now)."""
    allow_fetching: bool = True
    """Fetch OCSP/CRL when the document does not carry them."""
    required_level: SignatureLevel | None = None


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


def padding_is_clean(signature: Any) -> bool:
    """The hex /Contents holds the DER object followed by zero bytes only."""
    from pyhanko.sign.validation.pdf_embedded import extract_contents

    data = extract_contents(signature.sig_object)
    if len(data) < 2 or data[0] != 0x30:
        return False
    first = data[1]
    if first < 0x80:
        length, header = first, 2
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            return False
        length, header = int.from_bytes(data[2 : 2 + count], "big"), 2 + count
    end = header + length
    return end <= len(data) and not any(data[end:])


HEX_CONTAINER = re.compile(rb"<[0-9A-Fa-f]*>")


Finding = tuple[Indication, str, str]


def container_problems(
    data: bytes, signature: Any, trust_roots: tuple[x509.Certificate, ...] = ()
) -> list[Finding]:
    """Strict checks on what the signature does not cover: the /Contents hex string itself.

    The byte range leaves out exactly the ``<…>`` that holds the CMS object. PDF readers
    ignore whitespace in hex strings and a CMS object carries unsigned certificates, so
    both could be altered without breaking the signature. A statement signed by toetreding
    never has either, so any such change is reported as tampering.
    """
    problems: list[Finding] = []
    failed = Indication.FAILED, "FORMAT_FAILURE"
    try:
        start, length, second = (int(v) for v in list(signature.sig_object["/ByteRange"])[:3])
    except (KeyError, TypeError, ValueError):
        return [(*failed, "the signature has no usable /ByteRange")]
    gap = data[start + length : second]
    if not HEX_CONTAINER.fullmatch(gap):
        problems.append(
            (
                *failed,
                "the unsigned gap of the byte range holds more than the hex signature container",
            )
        )
    elif gap != gap.upper() and gap != gap.lower():
        # signers write the container in one case; mixed case means it was edited afterwards
        problems.append(
            (*failed, "the signature container was edited after signing (mixed-case hex)")
        )
    if not padding_is_clean(signature):
        problems.append(
            (
                *failed,
                "the signature container holds bytes besides the signature (tampered /Contents)",
            )
        )
    problems.extend(_embedded_certificate_problems(signature, trust_roots))
    return problems


def _embedded_certificate_problems(
    signature: Any, trust_roots: tuple[x509.Certificate, ...]
) -> list[Finding]:
    """Every certificate carried in the CMS object must be intact: its issuer (carried too,
    or a trust root) must be known and its signature must hold."""
    from cryptography import x509 as pyca

    try:
        raw = [c.chosen.dump() for c in signature.signed_data["certificates"]]
        certificates = [pyca.load_der_x509_certificate(blob) for blob in raw]
        anchors = [pyca.load_der_x509_certificate(root.dump()) for root in trust_roots]
    except Exception:
        return [
            (
                Indication.FAILED,
                "FORMAT_FAILURE",
                "a certificate carried in the signature is damaged",
            )
        ]
    by_subject = {c.subject.public_bytes(): c for c in [*anchors, *certificates]}
    problems: list[Finding] = []
    for certificate in certificates:
        issuer = by_subject.get(certificate.issuer.public_bytes())
        if issuer is None:
            problems.append(
                (
                    Indication.INDETERMINATE,
                    "NO_CERTIFICATE_CHAIN_FOUND",
                    f"the certificate '{certificate.subject.rfc4514_string()}' carried in the signature "
                    "names an issuer that is neither carried nor trusted (damaged or foreign)",
                )
            )
            continue
        try:
            certificate.verify_directly_issued_by(issuer)
        except Exception:
            problems.append(
                (
                    Indication.FAILED,
                    "FORMAT_FAILURE",
                    f"the certificate '{certificate.subject.rfc4514_string()}' carried in the "
                    "signature is damaged (its issuer's signature does not match)",
                )
            )
    return problems


def _context(
    reader: Any, options: VerifyOptions, *, moment: dt.datetime | None = None, offline: bool = False
) -> Any:
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import ValidationContext

    kwargs: dict[str, Any] = {
        "trust_roots": list(options.trust_roots),
        "allow_fetching": options.allow_fetching and not offline,
        "revocation_mode": "hard-fail",
    }
    if not kwargs["allow_fetching"]:
        kwargs["crls"], kwargs["ocsps"] = [], []  # only what the document itself carries
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
    try:
        attributes = _signed_attribute(signature, "signer_attributes_v2")
        if attributes is None:
            return None
        for claimed in attributes["claimed_attributes"]:
            value = claimed["values"][0].native
            if isinstance(value, str):
                return value
    except Exception:
        return None
    return None


def _commitment(signature: Any) -> str | None:
    try:
        value = _signed_attribute(signature, "commitment_type")
        return None if value is None else str(value["commitment_type_id"].native)
    except Exception:
        return None


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment else None


def check_signature(
    reader: Any, signature: Any, options: VerifyOptions, data: bytes
) -> SignatureReport:
    """Validate one regular (PAdES) signature."""
    from pyhanko.sign.validation import validate_pdf_signature

    report = SignatureReport(field_name=str(signature.field_name), kind="signature")
    report.revision = signature.signed_revision
    subfilter = str(signature.sig_object.get("/SubFilter", ""))
    if subfilter != PADES_SUBFILTER:
        report.fail(
            Indication.INDETERMINATE,
            "FORMAT_FAILURE",
            f"not a PAdES signature (sub-filter {subfilter or 'missing'})",
        )
    for indication, sub_indication, problem in container_problems(
        data, signature, options.trust_roots
    ):
        report.fail(indication, sub_indication, problem)
    try:
        status = validate_pdf_signature(
            signature,
            _context(reader, options),
            _context(reader, options),
            diff_policy=STATEMENT_DIFF_POLICY,
        )
    except Exception as error:
        report.fail(
            Indication.FAILED, "FORMAT_FAILURE", f"the signature cannot be evaluated: {error}"
        )
        return report
    report.intact = bool(status.intact and status.valid)
    report.signer = certificate_info(status.signing_cert)
    report.claimed_role = _claimed_role(signature)
    report.commitment_type = _commitment(signature)
    report.coverage = status.coverage.name.lower().replace("_", "-") if status.coverage else None
    level_name = status.modification_level.name if status.modification_level else "OTHER"
    report.modifications_after = level_name.lower().replace("_", "-")
    _judge_integrity(report, status, level_name)
    stamp = status.timestamp_validity
    if stamp is not None:
        report.timestamp = TimestampInfo(
            time=_iso(stamp.timestamp),
            authority=certificate_info(stamp.signing_cert).common_name,
            valid=bool(stamp.intact and stamp.valid),
            trusted=bool(stamp.trusted),
        )
        if not (stamp.intact and stamp.valid):
            report.fail(
                Indication.INDETERMINATE,
                "SIG_CONSTRAINTS_FAILURE",
                "the signature timestamp is invalid",
            )
        elif not stamp.trusted:
            report.fail(
                Indication.INDETERMINATE,
                "SIG_CONSTRAINTS_FAILURE",
                "the signature timestamp's authority is not trusted",
            )
    proven = bool(stamp is not None and stamp.intact and stamp.valid and stamp.trusted)
    if proven and stamp is not None:
        report.signing_time, report.signing_time_source = _iso(stamp.timestamp), "timestamp"
    else:
        report.signing_time, report.signing_time_source = _iso(status.signer_reported_dt), "claimed"
    trusted = bool(status.trusted)
    if not trusted and proven and stamp is not None and report.intact:
        # an expired certificate is fine if a trusted timestamp proves the signature existed
        # while it was valid: validate again at that moment, with the document's own data
        try:
            past = validate_pdf_signature(
                signature,
                _context(reader, options, moment=stamp.timestamp, offline=True),
                _context(reader, options),
                diff_policy=STATEMENT_DIFF_POLICY,
                skip_diff=True,
            )
            trusted = bool(past.trusted and not past.revoked)
        except Exception:
            trusted = False
    report.trusted = trusted
    if status.revoked:
        report.revocation = "revoked"
        report.fail(Indication.FAILED, "REVOKED", "the signer's certificate is revoked")
    elif trusted:
        certificate = status.signing_cert
        names_service = bool(certificate.crl_distribution_points or certificate.ocsp_urls)
        # certificates that name no OCSP/CRL service cannot be checked; say so (EU DSS calls
        # such signatures INDETERMINATE; the test and demo PKIs differ on this on purpose)
        report.revocation = "good" if names_service else "not checkable (no revocation service)"
    elif report.intact:
        trust_problem = status.trust_problem_indic
        sub = (
            str(getattr(trust_problem, "name", trust_problem))
            if trust_problem
            else "NO_CERTIFICATE_CHAIN_FOUND"
        )
        report.fail(
            Indication.INDETERMINATE,
            sub,
            "the signer's certificate could not be validated against the trust roots, or its "
            "revocation status is unknown (hard-fail)",
        )
    report.level = _level(reader, signature, report, proven, options) if report.intact else None
    return report


def _judge_integrity(report: SignatureReport, status: Any, level_name: str) -> None:
    if not status.intact:
        report.fail(
            Indication.FAILED, "HASH_FAILURE", "the document was changed: the digest does not match"
        )
    elif not status.valid:
        report.fail(
            Indication.FAILED,
            "SIG_CRYPTO_FAILURE",
            "the signature value is not valid for this signer",
        )
    coverage = status.coverage.name if status.coverage else "UNCLEAR"
    if coverage not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        report.fail(
            Indication.FAILED,
            "FORMAT_FAILURE",
            "the signature does not cover a whole revision of the file",
        )
    if level_name not in ALLOWED_AFTER_SIGNING or status.docmdp_ok is False:
        report.fail(
            Indication.FAILED,
            "FORMAT_FAILURE",
            "the document was changed after this signature in a way a statement may not be "
            f"(change level: {level_name.lower()})",
        )


def _level(
    reader: Any, signature: Any, report: SignatureReport, proven: bool, options: VerifyOptions
) -> str:
    """The PAdES baseline level this signature reaches, judged from what is proven."""
    level = SignatureLevel.B_B
    later_stamps = [
        s
        for s in reader.embedded_timestamp_signatures
        if s.signed_revision > signature.signed_revision
    ]
    stamps_ok = [s for s in later_stamps if _document_timestamp_ok(reader, s, options)]
    if proven or stamps_ok:
        level = SignatureLevel.B_T
        if _has_validation_data(reader, signature, options):
            level = SignatureLevel.B_LT
            if stamps_ok:
                level = SignatureLevel.B_LTA
    if options.required_level is not None and level.rank < options.required_level.rank:
        report.fail(
            Indication.INDETERMINATE,
            "SIG_CONSTRAINTS_FAILURE",
            f"the signature reaches PAdES {level.value}, not the required {options.required_level.value}",
        )
    return level.value


def _document_timestamp_ok(reader: Any, stamp: Any, options: VerifyOptions) -> bool:
    from pyhanko.sign.validation import validate_pdf_timestamp

    try:
        status = validate_pdf_timestamp(stamp, _context(reader, options), skip_diff=True)
    except Exception:
        return False
    return bool(status.intact and status.valid and status.trusted)


def _has_validation_data(reader: Any, signature: Any, options: VerifyOptions) -> bool:
    """B-LT: the document itself holds what validates the signer (no network)."""
    if "/DSS" not in reader.root:
        return False
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        status = validate_pdf_signature(
            signature, _context(reader, options, offline=True), skip_diff=True
        )
    except Exception:
        return False
    return bool(status.trusted and not status.revoked)


def check_document_timestamp(
    reader: Any, stamp: Any, options: VerifyOptions, data: bytes
) -> SignatureReport:
    """Validate one document timestamp (B-LTA)."""
    from pyhanko.sign.validation import validate_pdf_timestamp

    report = SignatureReport(field_name=str(stamp.field_name), kind="document-timestamp")
    report.revision = stamp.signed_revision
    if not padding_is_clean(stamp):
        report.fail(
            Indication.FAILED, "FORMAT_FAILURE", "the timestamp container holds extra bytes"
        )
    try:
        status = validate_pdf_timestamp(
            stamp, _context(reader, options), diff_policy=STATEMENT_DIFF_POLICY
        )
    except Exception as error:
        report.fail(
            Indication.FAILED, "FORMAT_FAILURE", f"the timestamp cannot be evaluated: {error}"
        )
        return report
    report.intact = bool(status.intact and status.valid)
    report.signer = certificate_info(status.signing_cert)
    report.trusted = bool(status.trusted)
    report.signing_time, report.signing_time_source = _iso(status.timestamp), "timestamp"
    report.timestamp = TimestampInfo(
        time=_iso(status.timestamp),
        authority=report.signer.common_name,
        valid=report.intact,
        trusted=report.trusted,
    )
    report.coverage = status.coverage.name.lower().replace("_", "-") if status.coverage else None
    level_name = status.modification_level.name if status.modification_level else "OTHER"
    report.modifications_after = level_name.lower().replace("_", "-")
    _judge_integrity(report, status, level_name)
    if report.intact and not report.trusted:
        report.fail(
            Indication.INDETERMINATE,
            "NO_CERTIFICATE_CHAIN_FOUND",
            "the timestamp authority is not trusted",
        )
    report.revocation = "good" if report.trusted else "unknown"
    return report
