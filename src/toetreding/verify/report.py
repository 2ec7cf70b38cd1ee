"""What `verify` found, as plain data: shown by the CLI, written as JSON, recorded.

The JSON form is versioned (``"schema": "toetreding-verify/1"``); fields are only ever
added within a version. Indications follow ETSI EN 319 102-1: TOTAL-PASSED,
INDETERMINATE or TOTAL-FAILED, with a sub-indication from that standard where one fits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA = "toetreding-verify/1"


class Indication(StrEnum):
    """ETSI EN 319 102-1 main indications."""

    PASSED = "TOTAL-PASSED"
    INDETERMINATE = "INDETERMINATE"
    FAILED = "TOTAL-FAILED"


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
    trusted: bool


@dataclass
class SignatureReport:
    """One signature (or document timestamp) and its verdict."""

    field_name: str
    kind: str
    """'signature' or 'document-timestamp'."""
    indication: Indication = Indication.INDETERMINATE
    sub_indication: str | None = None
    problems: list[str] = field(default_factory=list)
    intact: bool = False
    signer: CertificateInfo | None = None
    trusted: bool = False
    revocation: str = "unknown"
    """'good', 'revoked', 'unknown'."""
    signing_time: str | None = None
    signing_time_source: str | None = None
    """'timestamp' (proven) or 'claimed' (the signer's clock)."""
    timestamp: TimestampInfo | None = None
    level: str | None = None
    """PAdES baseline level reached: B-B, B-T, B-LT, B-LTA (None when not even B-B)."""
    coverage: str | None = None
    modifications_after: str | None = None
    claimed_role: str | None = None
    commitment_type: str | None = None
    revision: int | None = None

    def fail(self, indication: Indication, sub_indication: str, problem: str) -> None:
        """Record a problem; keep the worst indication."""
        order = [Indication.PASSED, Indication.INDETERMINATE, Indication.FAILED]
        if self.sub_indication is None or order.index(indication) > order.index(self.indication):
            self.indication = indication
            self.sub_indication = sub_indication
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
    checked_at: str | None = None
    signer: str | None = None
    original_mandator: str | None = None
    digest: str | None = None
    breaches: list[str] = field(default_factory=list)


@dataclass
class DocumentReport:
    """Facts about the document as a whole."""

    pdfa: str | None = None
    pdfua: str | None = None
    party: str | None = None
    covenant: str | None = None
    statement_date: str | None = None
    effective_date: str | None = None
    """The acceptance signature's (proven) moment: when the accession took effect."""
    problems: list[str] = field(default_factory=list)


@dataclass
class VerificationReport:
    """Everything `verify` says about one file."""

    file: str
    sha256: str | None
    readable: bool
    signatures: list[SignatureReport] = field(default_factory=list)
    document: DocumentReport = field(default_factory=DocumentReport)
    chain: ChainReport | None = None
    error: str | None = None
    validated_at: str | None = None

    @property
    def passed(self) -> bool:
        """True only when every part passes."""
        return (
            self.readable
            and bool(self.signatures)
            and all(s.indication is Indication.PASSED for s in self.signatures)
            and not self.document.problems
            and self.chain is not None
            and self.chain.authorised
        )

    @property
    def verdict(self) -> str:
        """One word for a glance."""
        if not self.readable:
            return "UNREADABLE"
        return "PASSED" if self.passed else "FAILED"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        data = asdict(self)
        data["verdict"] = self.verdict
        return {"schema": SCHEMA, **data}
