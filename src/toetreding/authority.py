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

from .embedded import EmbeddedDataError, read_from_xmp
from .errors import InputFileError
from .inputs import load_model, load_request
from .mandate import CertificateFacts, ChainContext, ChainVerdict, check_chain
from .model import Authority


@dataclass(frozen=True)
class LoadedChain:
    """A chain with whatever statement facts came with it."""

    authority: Authority
    source: Path
    covenant_id: str | None = None
    party_name: str | None = None
    accession_decision: str | None = None


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
            accession_decision=statement.accession_decision.id,
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
        raise InputFileError(f"'{path}' is not a readable PDF: {error}") from None
    if embedded is None:
        raise InputFileError(
            f"'{path}' carries no toetreding chain of authority",
            hint="give bevoegdheid.yaml, or a statement rendered by toetreding",
        )
    return LoadedChain(
        authority=embedded.authority,
        source=path,
        covenant_id=embedded.covenant_id,
        party_name=embedded.party_name,
        accession_decision=embedded.accession_decision,
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
) -> tuple[LoadedChain, ChainVerdict]:
    """Load and check a chain: at ``at`` (default today), optionally for a certificate."""
    chain = load_chain(path, request)
    accession = chain.accession_decision
    if accession is None and len(chain.authority.decisions) == 1:
        accession = chain.authority.decisions[0].id
    context = ChainContext(
        at=at or dt.date.today(),
        covenant_id=chain.covenant_id,
        party_name=chain.party_name,
        accession_decision=accession,
        certificate=certificate_facts_from_file(signer_certificate) if signer_certificate else None,
    )
    return chain, check_chain(chain.authority, context)
