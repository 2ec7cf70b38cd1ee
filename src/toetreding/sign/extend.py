"""`toetreding extend`: raise a signed statement's PAdES level later, for archive renewal.

Every step is an incremental update, so the earlier signatures stay valid byte for byte:

- to B-T: signatures without a signature timestamp get a *document* timestamp over them
  (ETSI EN 319 142-1 accepts a document timestamp as proof of existence for B-T);
- to B-LT: the certificates and revocation data of every signature and timestamp go into
  the document security store (DSS), checked hard-fail;
- to B-LTA: a new document timestamp covers all of that. Run it again before the last
  timestamp's certificate expires (or its algorithm weakens) to renew the archive chain.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import crl, x509

from ..errors import SigningError, ToetredingError
from ..fileio import check_output_path, write_atomically
from ..i18n import _
from ..signing_config import SignatureLevel
from .doctimestamp import add_document_timestamp
from .document import open_reader, read_pdf_bytes
from .services import explain_signing_failure, timestamper_for, validation_context_for


@dataclass(frozen=True)
class ExtendOutcome:
    """What `extend` wrote."""

    output: Path
    sha256: str
    size: int
    level: SignatureLevel
    signatures: int
    steps: tuple[str, ...]
    source_sha256: str = ""


def extend_statement(
    source: Path,
    output: Path,
    level: SignatureLevel,
    *,
    tsa_url: str | None,
    trust_roots: Sequence[x509.Certificate],
    crls: Sequence[crl.CertificateList] = (),
) -> ExtendOutcome:
    """Extend every signature in ``source`` to ``level``; write ``output`` atomically."""
    check_output_path(output, source)
    if level is SignatureLevel.B_B:
        raise SigningError(
            _("B-B is the lowest level; there is nothing to extend to"),
            hint=_("choose --level B-T, B-LT or B-LTA"),
        )
    data = read_pdf_bytes(source)
    try:
        extended, count, steps = _extend_bytes(data, source, level, tsa_url, trust_roots, crls)
    except ToetredingError:
        raise
    except Exception as error:
        raise explain_signing_failure(error, tsa_url) from None
    digest = write_atomically(output, extended)
    return ExtendOutcome(
        output=output,
        sha256=digest,
        size=len(extended),
        level=level,
        signatures=count,
        steps=tuple(steps),
        source_sha256=hashlib.sha256(data).hexdigest(),
    )


STEP_TIMESTAMP = "document timestamp over the signatures (B-T)"
STEP_VALIDATION_DATA = "certificates and revocation data in the DSS (B-LT)"
STEP_ARCHIVE_TIMESTAMP = "archive document timestamp (B-LTA)"
"""The steps `extend` took, as the register records them (``stappen``): stable English;
:func:`step_words` gives them in the user's language."""


def step_words(step: str) -> str:
    """One of the ``STEP_*`` values in the user's language, for display."""
    words = {
        STEP_TIMESTAMP: _("document timestamp over the signatures (B-T)"),
        STEP_VALIDATION_DATA: _("certificates and revocation data in the DSS (B-LT)"),
        STEP_ARCHIVE_TIMESTAMP: _("archive document timestamp (B-LTA)"),
    }
    return words.get(step, step)


def _extend_bytes(
    data: bytes,
    source: Path,
    level: SignatureLevel,
    tsa_url: str | None,
    trust_roots: Sequence[x509.Certificate],
    crls: Sequence[crl.CertificateList],
) -> tuple[bytes, int, list[str]]:
    from pyhanko.sign.validation import add_validation_info

    reader = open_reader(data, source)
    signatures = reader.embedded_regular_signatures
    if not signatures:
        raise SigningError(
            _("'{path}' holds no signature to extend").format(path=source),
            hint=_("sign it first with `toetreding sign`"),
        )
    timestamper = timestamper_for(level, tsa_url)
    context = validation_context_for(level, trust_roots, required=False, crls=crls)
    steps: list[str] = []
    existing_stamps = reader.embedded_timestamp_signatures
    lacking_time = [s for s in signatures if not has_signature_timestamp(s)]
    if lacking_time and not existing_stamps:
        data = add_document_timestamp(data, timestamper, context)
        steps.append(STEP_TIMESTAMP)
    if level.needs_validation_data:
        reader = open_reader(data, source)
        for index in range(len(reader.embedded_signatures)):
            reader = open_reader(data, source)
            signature = reader.embedded_signatures[index]
            if _has_validation_record(reader, signature):
                # its validation data is in the DSS already and a later timestamp covers
                # it: rewriting that record is a change no validator can explain (the
                # renewal of a B-LTA statement adds data only for the newest timestamp)
                continue
            result: Any = add_validation_info(signature, context, output=io.BytesIO())
            data = result.getvalue()
        steps.append(STEP_VALIDATION_DATA)
    if level is SignatureLevel.B_LTA:
        data = add_document_timestamp(data, timestamper, context)
        steps.append(STEP_ARCHIVE_TIMESTAMP)
    return data, len(signatures), steps


def _has_validation_record(reader: Any, signature: Any) -> bool:
    """Whether the DSS holds a validation record (VRI) for this signature already.

    The VRI key is the upper-case SHA-1 of the signature's /Contents value (ISO 32000-2,
    12.8.4.4), computed as pyHanko computes it when it writes one (of the hex form of the
    CMS object): a name, not a security function.
    """
    try:
        dss = reader.root.get("/DSS")
        if dss is None:
            return False
        vri = dss.get_object().get("/VRI")
        if vri is None:
            return False
        contents = signature.pkcs7_content.hex().encode("ascii")
    except Exception:  # no readable record: add one
        return False
    key = "/" + hashlib.sha1(contents, usedforsecurity=False).hexdigest().upper()
    return key in vri.get_object()


def has_signature_timestamp(signature: Any) -> bool:
    """Whether a signature carries an RFC 3161 signature timestamp (unsigned attribute)."""
    unsigned = signature.signer_info["unsigned_attrs"]
    if unsigned.native is None:
        return False
    return any(attribute["type"].native == "signature_time_stamp_token" for attribute in unsigned)
