"""Signing statements: one open key, many documents, each written whole or not at all.

:class:`StatementSigner` holds what is expensive or personal — the opened key (one PIN
entry), the timestamp client, the validation context, the Typst appearance drawer — and
signs one statement after another. :func:`sign_statement` is the one-file convenience
the CLI calls.

What every signature says (ETSI EN 319 142 / PAdES): sub-filter ``ETSI.CAdES.detached``;
an *approval* signature (never a certification with DocMDP P=1, which would forbid the
later updates B-LT/B-LTA need); commitment type *proof of approval*; the claimed role
("burgemeester van Huizen, namens de gemeente Huizen", Awb 10:10 names the original
mandator); place and signing time. There is deliberately no ``/Reason``: PAdES baseline
(ETSI EN 319 142-1) forbids it next to a commitment type, and EU DSS then no longer
recognises the signature as PAdES-BASELINE at all. The signature space is reserved up front, so
the key signs once per document (pyHanko's default signs a dummy first to measure it).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader

from ..errors import CredentialError, SigningError, ToetredingError
from ..fileio import check_output_path, write_atomically
from ..i18n import _
from ..mandate import ChainVerdict, check_chain
from ..model import SignatureSlot
from ..pki.certificates import (
    SIGNING_KEY_USAGES,
    CertificateSummary,
    check_signing_certificate,
    same_holder,
    summarise,
)
from ..pki.certificates import facts as certificate_facts
from ..signing_config import SignatureLevel
from .appearance import (
    AppearanceDrawer,
    AppearanceStyle,
    AppearanceText,
    place_appearance,
    read_drawing,
)
from .credentials import SigningCredential
from .doctimestamp import add_document_timestamp
from .document import StatementPdf, choose_slot, read_statement
from .services import (
    check_signer_trusted,
    explain_signing_failure,
    timestamper_for,
    validation_context_for,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

TITLE_ATTRIBUTE = "2.5.4.12"
"""X.520 'title': the claimed role as a UTF-8 directory string (Unicode-safe, any reader)."""

TIMESTAMP_TOKEN_ALLOWANCE = 8_000
"""Bytes (DER) allowed for an RFC 3161 token with its TSA chain."""


def reserved_hex_chars(credential: SigningCredential, timestamped: bool) -> int:
    """Room for the CMS container in the PDF, in hex characters, sized from the chain.

    Reserving too much costs every reader: the hex string is parsed character by
    character (24 000 characters took a verifier 60 ms). B-LT revocation data goes into
    the DSS, not into the signature, so the chain, the signed attributes, the signature
    value and (from B-T) one timestamp token are all that must fit.
    """
    certificates = sum(len(c.dump()) for c in [credential.certificate, *credential.chain])
    der = certificates + 3_000 + (TIMESTAMP_TOKEN_ALLOWANCE if timestamped else 0)
    return 2 * der + 2 * 1_024  # hex doubles it; a little slack on top


@dataclass(frozen=True)
class SignerPresentation:
    """How the signature presents the signer (from the profile or the command line)."""

    function: str
    on_behalf_of: str
    name: str | None = None
    location: str | None = None

    @property
    def claimed_role(self) -> str:
        """E.g. 'burgemeester van Huizen, namens de gemeente Huizen'."""
        return f"{self.function}, namens {self.on_behalf_of}"


@dataclass(frozen=True)
class SignOptions:
    """Everything about one signing run except the key."""

    presentation: SignerPresentation
    level: SignatureLevel = SignatureLevel.B_B
    tsa_url: str | None = None
    trust_roots: tuple[asn1_x509.Certificate, ...] = ()
    crls: tuple[Any, ...] = ()
    """Revocation lists (asn1crypto CertificateList) known beforehand, next to OCSP/CRL online."""
    invisible: bool = False


@dataclass(frozen=True)
class SignedStatement:
    """A signed statement in memory."""

    data: bytes
    slot: SignatureSlot
    level: SignatureLevel
    signing_time: dt.datetime
    signer: CertificateSummary
    claimed_role: str
    chain_digest: str | None = None
    """Digest of the chain of authority that was checked (the party's or the coordinator's)."""


@dataclass(frozen=True)
class SignOutcome:
    """What `sign` wrote."""

    output: Path
    sha256: str
    size: int
    signed: SignedStatement
    source_sha256: str = ""
    """SHA-256 of the document before this signature."""


@dataclass
class StatementSigner:
    """Signs many statements with one opened key. Use as a context manager."""

    credential: SigningCredential
    options: SignOptions
    appearance: AppearanceStyle
    _drawer: AppearanceDrawer | None = field(default=None, init=False)
    _timestamper: Any = field(default=None, init=False)
    _validation_context: Any = field(default=None, init=False)
    _key_usage: set[str] = field(default_factory=set, init=False)
    _summary: CertificateSummary = field(init=False)
    _reserved: int = field(default=0, init=False)
    _drawings: dict[tuple[AppearanceText, float, float], PdfFileReader] = field(
        default_factory=dict, init=False
    )

    def __post_init__(self) -> None:
        certificate = self.credential.certificate
        check_signing_certificate(certificate, dt.datetime.now(dt.UTC))
        self._summary = summarise(certificate)
        usages = certificate.key_usage_value
        self._key_usage = set(usages.native) & SIGNING_KEY_USAGES if usages else set()
        level = self.options.level
        if self.options.trust_roots and not level.needs_validation_data:
            # B-B/B-T embed no validation data, but a revoked or untrusted signer must
            # still be refused when we can know it (B-LT/B-LTA: pyHanko checks it).
            check_signer_trusted(
                certificate,
                self.credential.chain,
                self.options.trust_roots,
                self._key_usage or {"non_repudiation"},
                self.options.crls,
            )
        self._timestamper = timestamper_for(level, self.options.tsa_url)
        self._reserved = reserved_hex_chars(self.credential, level.needs_timestamp)
        self._validation_context = validation_context_for(
            level, self.options.trust_roots, self.credential.chain, crls=self.options.crls
        )

    def __enter__(self) -> StatementSigner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the appearance sandbox and the key (logs out of a token)."""
        if self._drawer is not None:
            self._drawer.close()
            self._drawer = None
        self.credential.close()

    @property
    def signer_summary(self) -> CertificateSummary:
        """Who signs."""
        return self._summary

    def sign(
        self,
        statement: StatementPdf,
        slot_name: str | None = None,
        presentation: SignerPresentation | None = None,
    ) -> SignedStatement:
        """Sign ``statement`` in its next free field (or ``slot_name``).

        ``presentation`` overrides the signer's function and "namens" for this statement
        (batch: one key, the formula names each party).

        Only the party's signature is drawn. The acceptance is a *later* signature over a
        tagged (PDF/UA) document, and any visible change to its widget is something a
        validator must either find in the structure tree (EU DSS: "undefined object
        modification") or in the page image (EU DSS: "visual difference"); its moment is
        in the signature, where the statement's text says to find it.
        """
        presentation = presentation or self.options.presentation
        slot = choose_slot(statement, slot_name)
        now = dt.datetime.now(dt.UTC)
        verdict = check_authority(statement, slot, self.credential.certificate, presentation, now)
        if not self._summary.not_before <= now <= self._summary.not_after:
            # a long batch may outlive the certificate: check every time (cheaply)
            check_signing_certificate(self.credential.certificate, now)
        state = statement.fields[slot.value]
        drawing = None
        if (
            slot is SignatureSlot.PARTY
            and not self.options.invisible
            and state.width > 1
            and state.height > 1
        ):
            text = self._appearance_text(slot, now, statement.language, presentation)
            drawing = self._draw(text, state.width, state.height)
        try:
            data = self._sign_bytes(statement.data, slot, drawing, presentation)
        except ToetredingError:
            raise
        except Exception as error:
            raise explain_signing_failure(error, self.options.tsa_url) from None
        return SignedStatement(
            data=data,
            slot=slot,
            level=self.options.level,
            signing_time=now,
            signer=self.signer_summary,
            claimed_role=presentation.claimed_role,
            chain_digest=verdict.chain_digest if verdict else None,
        )

    def _draw(self, text: AppearanceText, width: float, height: float) -> PdfFileReader:
        # The appearance shows the time to the minute, so statements signed in the same
        # minute by the same signer look the same: draw once, reuse the bytes (a batch of
        # hundreds then typesets a handful of appearances instead of one per statement).
        key = (text, round(width, 2), round(height, 2))
        cached = self._drawings.get(key)
        if cached is None:
            if self._drawer is None:
                self._drawer = AppearanceDrawer(self.appearance)
            cached = read_drawing(self._drawer.draw(text, width, height))
            if len(self._drawings) >= 8:
                self._drawings.clear()
            self._drawings[key] = cached
        return cached

    def _appearance_text(
        self,
        slot: SignatureSlot,
        now: dt.datetime,
        language: str,
        presentation: SignerPresentation,
    ) -> AppearanceText:
        summary = self.signer_summary
        local = now.astimezone(AMSTERDAM)
        english = language == "en"
        if english:
            caption = (
                "Electronically signed" if slot is SignatureSlot.PARTY else "Consent to accession"
            )
            moment = f"{local:%d %B %Y, %H:%M} ({local.tzname()})"
            on_behalf = f"on behalf of {presentation.on_behalf_of}"
            certificate = f"certificate {summary.serial_number[:16]} · {summary.issuer}"
        else:
            from ..textformat import long_date

            caption = (
                "Elektronisch ondertekend"
                if slot is SignatureSlot.PARTY
                else "Instemming met toetreding"
            )
            moment = f"{long_date(local.date(), 'nl')}, {local:%H:%M} uur ({local.tzname()})"
            on_behalf = f"namens {presentation.on_behalf_of}"
            certificate = f"certificaat {summary.serial_number[:16]} · {summary.issuer}"
        return AppearanceText(
            caption=caption,
            name=presentation.name or summary.common_name,
            function=presentation.function,
            on_behalf_line=on_behalf,
            moment_line=moment,
            certificate_line=certificate,
            lang=language,
        )

    def _sign_bytes(
        self,
        data: bytes,
        slot: SignatureSlot,
        drawing: PdfFileReader | None,
        presentation: SignerPresentation,
    ) -> bytes:
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.metadata.model import VENDOR
        from pyhanko.sign import signers
        from pyhanko.sign.ades.api import CAdESSignedAttrSpec, GenericCommitment, SignerAttrSpec
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko.stamp.noop import NoOpStampStyle

        Pdf17Signer = _pdf17_signer_class()

        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        _align_producer(writer, generic, VENDOR)
        if drawing is not None:
            place_appearance(writer, slot.value, drawing)
        role = cms.AttCertAttribute(
            {
                "type": TITLE_ATTRIBUTE,
                "values": [
                    asn1_x509.DirectoryString(name="utf8_string", value=presentation.claimed_role)
                ],
            }
        )
        level = self.options.level
        metadata = signers.PdfSignatureMetadata(
            field_name=slot.value,
            subfilter=SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            location=presentation.location,
            name=presentation.name or self.signer_summary.common_name,
            certify=False,
            embed_validation_info=level.needs_validation_data,
            validation_context=self._validation_context,
            signer_key_usage=self._key_usage or {"non_repudiation"},
            cades_signed_attr_spec=CAdESSignedAttrSpec(
                commitment_type=GenericCommitment.PROOF_OF_APPROVAL.asn1,
                signer_attributes=SignerAttrSpec(claimed_attrs=[role], certified_attrs=[]),
            ),
        )
        pdf_signer = Pdf17Signer(
            metadata,
            self.credential.signer,
            timestamper=self._timestamper,
            stamp_style=NoOpStampStyle(),
        )
        output = io.BytesIO()
        pdf_signer.sign_pdf(
            writer,
            output=output,
            existing_fields_only=True,
            bytes_reserved=self._reserved,
        )
        if level is SignatureLevel.B_LTA:
            return add_document_timestamp(
                output.getvalue(), self._timestamper, self._validation_context
            )
        return output.getvalue()


@functools.cache
def _pdf17_signer_class() -> Any:
    from pyhanko.sign import signers

    class Pdf17Signer(signers.PdfSigner):
        """A PdfSigner that keeps the file at PDF 1.7, as PDF/A-2 and PDF/A-3 require.

        pyHanko declares ISO 32002 and sets the catalog's /Version to 2.0 when the key is
        an EC key (ECDSA in PDF 2.0 terms). ECDSA signatures in CMS are equally valid in a
        PDF 1.7 file (ISO 32000-1 allows any CMS algorithm), so only the ETSI extension
        that PAdES defines for PDF 1.7 is declared.
        """

        def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
            from pyhanko.sign.signers import constants

            pdf_out.ensure_output_version(version=(1, 7))
            if pdf_out.output_version < (2, 0):
                pdf_out.register_extension(constants.ESIC_EXTENSION_1)

    return Pdf17Signer


def _align_producer(writer: Any, generic: Any, vendor: str) -> None:
    """Make Info /Producer what pyHanko will write into the XMP, so the two agree (PDF/A)."""
    try:
        info = writer.trailer["/Info"].get_object()
    except KeyError:
        return
    info["/Producer"] = generic.TextStringObject(vendor)
    writer.update_container(info)


def refuse_signing_before_date(dated: dt.date, today: dt.date) -> None:
    """A statement is not signed before the date it bears (`verify` would fail it: one of
    the two dates would be untrue)."""
    if today < dated:
        raise SigningError(
            _(
                "the statement is dated {dated}, after today ({today}); "
                "a statement cannot be signed before the date it bears"
            ).format(dated=dated.isoformat(), today=today.isoformat()),
            hint=_(
                "sign it on or after that date, or correct 'datum' in the request and render "
                "it again"
            ),
        )


def check_authority(
    statement: StatementPdf,
    slot: SignatureSlot,
    certificate: asn1_x509.Certificate,
    presentation: SignerPresentation,
    now: dt.datetime,
) -> ChainVerdict:
    """The signer must be authorised by the chain the statement carries.

    The party's signature by the party's chain; the consent by the coordinating party's
    own chain, which the party signed into the statement (so nobody can swap it later).
    There is no switch to skip this. `sign` runs it before asking for a PIN when the
    certificate can be read without one (a token), and again for every statement it signs.
    """
    embedded = statement.embedded
    if embedded is None:
        raise SigningError(
            _(
                "'{path}' carries no chain of authority, so toetreding cannot check "
                "that you may sign it"
            ).format(path=statement.path),
            hint=_("render the statement again with this version of toetreding"),
        )
    at = now.astimezone(AMSTERDAM).date()
    if slot is SignatureSlot.PARTY:
        refuse_signing_before_date(embedded.date, at)
    facts = certificate_facts(certificate)
    who = summarise(certificate).short
    formula = presentation.claimed_role
    if slot is SignatureSlot.PARTY:
        context = embedded.party_context(at, facts, formula)
        authority = embedded.authority
        refusal = _(
            "the chain of authority does not authorise {who} to sign for {party} now:\n{reasons}"
        )
        party = embedded.party_name
        hint = _(
            "correct bevoegdheid.yaml (or use the authorised person's certificate), "
            "render again, then sign; check with `toetreding mandate check`"
        )
    else:
        same = same_holder(statement.party_certificate, certificate)
        if same:
            raise SigningError(
                _(
                    "{who} also made the party's signature ({why}); the "
                    "consent is the coordinating party's own act and must come from someone "
                    "else"
                ).format(who=who, why=same),
                hint=_(
                    "the official the covenant names in 'coordinerende_partij.bevoegdheid' "
                    "signs the consent with his own certificate"
                ),
            )
        context = embedded.consent_context(at, facts, formula)
        authority = embedded.coordinator.authority
        refusal = _(
            "the chain of authority does not authorise {who} to consent for {party} now:\n{reasons}"
        )
        party = embedded.coordinator.name
        hint = _(
            "the consent must be signed by the official the covenant names in "
            "'coordinerende_partij.bevoegdheid', with the formula that chain asks for"
        )
    verdict = check_chain(authority, context)
    if not verdict.authorised:
        reasons = "\n".join(f"  - {breach}" for breach in verdict.breaches)
        raise SigningError(refusal.format(who=who, party=party, reasons=reasons), hint=hint)
    return verdict


def sign_statement(
    source: Path,
    output: Path,
    signer: StatementSigner,
    slot_name: str | None = None,
    *,
    statement: StatementPdf | None = None,
) -> SignOutcome:
    """Sign one statement file into ``output`` (never the input; atomic)."""
    check_output_path(output, source)
    statement = statement or read_statement(source)
    signed = signer.sign(statement, slot_name)
    digest = write_atomically(output, signed.data)
    return SignOutcome(
        output=output,
        sha256=digest,
        size=len(signed.data),
        signed=signed,
        source_sha256=hashlib.sha256(statement.data).hexdigest(),
    )


def refuse_if_unusable(credential: SigningCredential) -> None:
    """Early check used by callers that open a key before they have documents."""
    try:
        check_signing_certificate(credential.certificate, dt.datetime.now(dt.UTC))
    except CredentialError:
        credential.close()
        raise
