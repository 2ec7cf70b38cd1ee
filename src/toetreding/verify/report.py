"""What `verify` found, as plain data: shown by the CLI, written as JSON, recorded.

The JSON form is versioned (``"schema": "toetreding-verify/2"``, documented in README);
fields are only ever added within a version. Indications follow ETSI EN 319 102-1:
TOTAL-PASSED, INDETERMINATE or TOTAL-FAILED, with a sub-indication from that standard
where one fits. Every problem is a sentence a records manager understands; no internal
error text reaches a report.

Version 2 renamed what version 1 called ``intact`` (now ``digest_matches`` and
``signature_value_valid``), ``trusted`` (``certificate_trusted``) and
``modifications_after`` (``changes_after_signing``, a list that names each change), and
added the time basis (``signing_time_source``, ``proven_no_later_than``), the document's
``is_statement`` and the verdict ``NOT-A-STATEMENT``. Within version 2, ``consent_chain``
was added: the coordinating party's chain checked for the consent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA = "toetreding-verify/2"


class Indication(StrEnum):
    """ETSI EN 319 102-1 main indications."""

    PASSED = "TOTAL-PASSED"
    INDETERMINATE = "INDETERMINATE"
    FAILED = "TOTAL-FAILED"


class TimeSource(StrEnum):
    """On what a moment rests."""

    SIGNATURE_TIMESTAMP = "signature-timestamp"
    """Proven: a trusted RFC 3161 timestamp over the signature value."""
    DOCUMENT_TIMESTAMP = "document-timestamp"
    """Proven: the moment of a trusted document timestamp (for document timestamps)."""
    CLAIMED = "claimed"
    """What the signer's own computer said: not proven."""


class Verdict(StrEnum):
    """One word for a glance."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    NOT_A_STATEMENT = "NOT-A-STATEMENT"
    UNREADABLE = "UNREADABLE"


@dataclass(frozen=True)
class CertificateInfo:
    """Who a certificate names, and how to find it again."""

    common_name: str
    subject: str
    issuer: str
    serial_number: str
    sha256: str


@dataclass(frozen=True)
class TimestampInfo:
    """A signature or document timestamp."""

    time: str | None
    authority: str | None
    valid: bool
    """The timestamp token's own signature and its imprint of the signature hold."""
    trusted: bool
    """The timestamp authority chains to a trust root (revocation checked hard-fail)."""


@dataclass(frozen=True)
class ChangeInfo:
    """One change made after a signature, in a later revision of the file."""

    revision: int
    description: str
    allowed: bool


@dataclass
class SignatureReport:
    """One signature (or document timestamp) and its verdict."""

    field_name: str
    kind: str
    """'signature' or 'document-timestamp'."""
    indication: Indication = Indication.INDETERMINATE
    sub_indication: str | None = None
    problems: list[str] = field(default_factory=list)
    digest_matches: bool = False
    """The bytes the signature covers are exactly the bytes that were signed."""
    signature_value_valid: bool = False
    """The signature value was made with the key of the certificate it names."""
    coverage: str | None = None
    """'entire-file', 'entire-revision' (later revisions follow) or 'partial'."""
    signer: CertificateInfo | None = None
    certificate_trusted: bool = False
    """The signer's certificate chains to a trust root and was valid when it signed."""
    revocation: str = "unknown"
    """'good', 'revoked' or 'unknown' (no answer: hard-fail makes that INDETERMINATE)."""
    signing_time: str | None = None
    signing_time_source: TimeSource | None = None
    proven_no_later_than: str | None = None
    """The earliest trusted timestamp made after this signature that covers it."""
    timestamp: TimestampInfo | None = None
    level: str | None = None
    """PAdES baseline level reached: B-B, B-T, B-LT, B-LTA (None when not even B-B)."""
    changes_after_signing: list[ChangeInfo] = field(default_factory=list)
    claimed_role: str | None = None
    commitment_type: str | None = None
    revision: int | None = None

    @property
    def intact(self) -> bool:
        """Digest and signature value both hold (the cryptographic core)."""
        return self.digest_matches and self.signature_value_valid

    def fail(self, indication: Indication, sub_indication: str, problem: str) -> None:
        """Record a problem; keep the worst indication."""
        order = [Indication.PASSED, Indication.INDETERMINATE, Indication.FAILED]
        if self.sub_indication is None or order.index(indication) > order.index(self.indication):
            self.indication = indication
            self.sub_indication = sub_indication
        if problem not in self.problems:
            self.problems.append(problem)

    def conclude(self) -> None:
        """TOTAL-PASSED only when no check found a problem."""
        if not self.problems:
            self.indication = Indication.PASSED
            self.sub_indication = None


@dataclass
class ChainReport:
    """The chain of authority carried in the signed revision, checked at signing time."""

    present: bool
    authorised: bool = False
    checked_at: list[str] = field(default_factory=list)
    """The dates the chain was checked at (the proven moment, or the claimed moment and
    the latest moment proven)."""
    time_basis: str | None = None
    """In words: on what the signing moment rests."""
    signer: str | None = None
    original_mandator: str | None = None
    digest: str | None = None
    breaches: list[str] = field(default_factory=list)
    confirmed_by: str | None = None
    """For the consent: the trusted covenant file its chain was confirmed against."""


@dataclass
class DocumentReport:
    """Facts about the document as a whole."""

    is_statement: bool = False
    """The signed revision is a toetreding statement (its fields and statement data)."""
    pdfa: str | None = None
    pdfua: str | None = None
    party: str | None = None
    covenant: str | None = None
    statement_date: str | None = None
    effective_date: str | None = None
    """The acceptance's proven moment (date, Europe/Amsterdam): when the accession took
    effect. Only set when proven, unless the policy accepts a claimed moment."""
    effective_date_source: TimeSource | None = None
    problems: list[str] = field(default_factory=list)
    renewal_due: str | None = None
    """By when a new archive timestamp must be added (``extend --due``), from the newest
    timestamp's TSA certificate and algorithms (see pki/renewal.py); None: no signature."""
    renewal_reason: str | None = None
    """Why then: tsa-certificate-expires, algorithm-weakens, certificate-expires, …"""


@dataclass
class VerificationReport:
    """Everything `verify` says about one file."""

    file: str
    sha256: str | None
    readable: bool
    signatures: list[SignatureReport] = field(default_factory=list)
    document: DocumentReport = field(default_factory=DocumentReport)
    chain: ChainReport | None = None
    consent_chain: ChainReport | None = None
    """The coordinating party's chain, checked for the consent (None while there is none)."""
    error: str | None = None
    validated_at: str | None = None

    @property
    def passed(self) -> bool:
        """True only when every part passes."""
        return (
            self.readable
            and self.document.is_statement
            and bool(self.signatures)
            and all(s.indication is Indication.PASSED for s in self.signatures)
            and not self.document.problems
            and self.chain is not None
            and self.chain.authorised
            and (self.consent_chain is None or self.consent_chain.authorised)
        )

    @property
    def verdict(self) -> Verdict:
        """One word for a glance."""
        if not self.readable:
            return Verdict.UNREADABLE
        if not self.document.is_statement:
            return Verdict.NOT_A_STATEMENT
        return Verdict.PASSED if self.passed else Verdict.FAILED

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["file"] = text_of_path(self.file)
        return {"schema": SCHEMA, **data}


def text_of_path(name: str) -> str:
    """A file name as text any UTF-8 output can carry: bytes that are not UTF-8 (kept by
    Python as surrogates) written as \\xNN (found in review: one such name broke the JSON
    and --record output of a whole folder, with a traceback)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
