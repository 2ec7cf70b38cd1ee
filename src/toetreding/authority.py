"""Loading a chain of authority for `toetreding mandate`: from YAML, or from a statement PDF.

A chain can be checked on its own (bevoegdheid.yaml), for a particular statement request
(then the covenant, the party and the decision to join are known), or as it travels inside
a rendered or signed statement (read from the PDF's XMP alone, no other file needed).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from .embedded import EmbeddedDataError, read_from_xmp
from .errors import InputFileError
from .i18n import _
from .inputs import load_model, load_request
from .mandate import CertificateFacts, ChainContext, ChainVerdict, check_chain, consent_context
from .model import Authority, Organ, PartyForm


@dataclass(frozen=True)
class LoadedChain:
    """A chain with whatever statement facts came with it."""

    authority: Authority
    source: Path
    covenant_id: str | None = None
    party_name: str | None = None
    form: PartyForm | None = None
    organs: tuple[Organ, ...] = ()
    accession_decisions: tuple[str, ...] = ()
    coordinator: str | None = None
    """The coordinating party that consents (known from a request or a statement)."""
    consent_authority: Authority | None = None
    """The coordinating party's own chain, for its consent."""


def load_chain(path: Path, request: Path | None = None) -> LoadedChain:
    """The chain in ``path`` (bevoegdheid.yaml or a statement PDF), with the request's facts."""
    if request is not None:
        statement = load_request(request)
        authority = (
            statement.authority if path.suffix.lower() == ".pdf" else load_model(path, Authority)
        )
        return LoadedChain(
            authority=authority,
            source=path,
            covenant_id=statement.covenant.id,
            party_name=statement.municipality_name,
            form=statement.covenant.party_form,
            organs=statement.party_organs,
            accession_decisions=tuple(d.id for d in statement.accession_decisions),
            coordinator=statement.covenant.coordinator.name,
            consent_authority=statement.covenant.coordinator.authority,
        )
    if path.suffix.lower() == ".pdf":
        return _chain_from_pdf(path)
    return LoadedChain(authority=load_model(path, Authority), source=path)


def _chain_from_pdf(path: Path) -> LoadedChain:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    from .sign.document import read_pdf_bytes

    data = read_pdf_bytes(path)  # bounded; devices and pipes refused (as when signing)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        metadata = reader.root.get("/Metadata")
        embedded = read_from_xmp(metadata.get_object().data) if metadata is not None else None
    except EmbeddedDataError as error:
        raise InputFileError(f"'{path}': {error}") from None
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputFileError(
            _("'{path}' is not a readable PDF: {reason}").format(path=path, reason=error)
        ) from None
    if embedded is None:
        raise InputFileError(
            _("'{path}' carries no toetreding chain of authority").format(path=path),
            hint=_("give bevoegdheid.yaml, or a statement rendered by toetreding"),
        )
    return LoadedChain(
        authority=embedded.authority,
        source=path,
        covenant_id=embedded.covenant_id,
        party_name=embedded.party_name,
        form=embedded.party_form,
        organs=tuple(embedded.organs),
        accession_decisions=tuple(embedded.accession_decisions),
        coordinator=embedded.coordinator.name,
        consent_authority=embedded.coordinator.authority,
    )


def certificate_facts_from_file(path: Path) -> CertificateFacts:
    """The holder facts of a certificate file (PEM or DER)."""
    from .pki.certificates import facts
    from .pki.files import load_certificates

    certificates = load_certificates(path)
    return facts(certificates[0])


def check_authority(
    path: Path,
    *,
    at: dt.date | None = None,
    signer_certificate: Path | None = None,
    request: Path | None = None,
    consent: bool = False,
) -> tuple[LoadedChain, ChainVerdict]:
    """Load and check a chain: at ``at`` (default today), optionally for a certificate.

    With ``consent`` the coordinating party's chain is checked (for its consent) instead of
    the party's; that chain comes with a request or a statement PDF.
    """
    chain = load_chain(path, request)
    moment = at or dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()  # as sign and verify
    certificate = certificate_facts_from_file(signer_certificate) if signer_certificate else None
    if consent:
        if (
            chain.consent_authority is None
            or chain.coordinator is None
            or chain.covenant_id is None
        ):
            raise InputFileError(
                _(
                    "the coordinating party's chain is in the covenant, which this file does "
                    "not name"
                ),
                hint=_("give a statement PDF, or bevoegdheid.yaml with --for verzoek.yaml"),
            )
        context = consent_context(
            moment,
            covenant_id=chain.covenant_id,
            coordinator=chain.coordinator,
            certificate=certificate,
        )
        consent_chain = LoadedChain(
            authority=chain.consent_authority,
            source=path,
            covenant_id=chain.covenant_id,
            coordinator=chain.coordinator,
        )
        return consent_chain, check_chain(chain.consent_authority, context)
    context = ChainContext(
        at=moment,
        covenant_id=chain.covenant_id,
        party_name=chain.party_name,
        form=chain.form,
        organs=tuple(o.organ_name for o in chain.organs),
        accession_decisions=chain.accession_decisions,
        certificate=certificate,
    )
    return chain, check_chain(chain.authority, context)
