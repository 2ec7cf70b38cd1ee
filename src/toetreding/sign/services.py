"""Trust roots, timestamp authority and validation context: what B-T and up need.

Revocation checking is *hard-fail*: when the status of a certificate in the chain cannot
be established, or it is revoked, signing at B-LT/B-LTA stops. pyHanko's default
(soft-fail) would embed whatever it found and call a revoked signer fine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import x509

from ..errors import ConfigError, SigningError
from ..signing_config import SignatureLevel
from .credentials import load_certificates

TSA_TIMEOUT_SECONDS = 15


def load_trust_roots(paths: Sequence[Path]) -> list[x509.Certificate]:
    """The trust anchors from their files."""
    roots: list[x509.Certificate] = []
    for path in paths:
        roots.extend(load_certificates(path))
    return roots


def timestamper_for(level: SignatureLevel, url: str | None) -> Any:
    """An RFC 3161 client when the level needs one; refuses a missing URL."""
    if not level.needs_timestamp:
        return None
    if not url:
        raise ConfigError(
            f"level {level.value} needs a timestamp authority, and none is configured",
            hint="give --tsa URL, set TOETREDING_TSA, or 'ondertekening.tijdstempeldienst' in "
            "toetreding.yaml",
        )
    if not url.startswith(("http://", "https://")):
        raise ConfigError(
            f"timestamp authority '{url}' is not an http(s) URL",
            hint="give the TSA's URL, e.g. http://tsa.example.nl/tsa",
        )
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=TSA_TIMEOUT_SECONDS)


def validation_context_for(
    level: SignatureLevel,
    trust_roots: Sequence[x509.Certificate],
    other_certs: Sequence[x509.Certificate] = (),
    *,
    required: bool = False,
) -> Any:
    """A hard-fail validation context, when the level embeds validation data (or asked)."""
    if not (level.needs_validation_data or required):
        return None
    if not trust_roots:
        raise ConfigError(
            f"level {level.value} checks the signer's certificate chain, but no trust root is "
            "configured",
            hint="give --trust ROOT.pem or list the root certificates under "
            "'ondertekening.vertrouwensankers' in toetreding.yaml",
        )
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=list(other_certs),
        allow_fetching=True,
        revocation_mode="hard-fail",
    )


def explain_signing_failure(error: BaseException, tsa_url: str | None) -> SigningError:
    """Translate pyHanko and network failures into a message with a fix."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 6:
        chain.append(current)
        current = current.__cause__ or current.__context__
    names = {type(e).__name__ for e in chain}
    text = " — ".join(str(e) for e in chain if str(e))
    lowered = text.lower()
    if names & {
        "TimestampRequestError",
        "ClientConnectorError",
        "ClientError",
        "TimeoutError",
        "ServerDisconnectedError",
        "ClientResponseError",
        "InvalidURL",
    } or ("timestamp" in lowered and "request" in lowered):
        return SigningError(
            f"the timestamp authority at {tsa_url} could not be reached or gave no valid answer",
            hint="check the URL and the network (proxy, firewall) and try again; nothing was written",
        )
    if "revoked" in lowered:
        return SigningError(
            f"the signer's certificate is revoked: {text}",
            hint="a revoked certificate may not sign; use a valid certificate",
        )
    if (
        names & {"PathValidationError", "PathBuildingError", "InsufficientRevinfoError"}
        or "could not be validated" in lowered
    ):
        return SigningError(
            f"the signer's certificate could not be validated (hard-fail): {text}",
            hint="check that the trust roots (vertrouwensankers) contain the CA's root and that "
            "the CA's OCSP responder or CRL is reachable; nothing was signed",
        )
    return SigningError(f"signing failed: {text or type(error).__name__}")


def check_signer_trusted(
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    trust_roots: Sequence[x509.Certificate],
    key_usage: set[str],
) -> None:
    """Validate the signer's chain and revocation status now (hard-fail), or refuse.

    Used from B-B up whenever trust roots are configured; for B-LT/B-LTA pyHanko does the
    same while collecting the validation data.
    """
    import asyncio

    from pyhanko_certvalidator import CertificateValidator

    context = validation_context_for(SignatureLevel.B_LT, trust_roots, chain)
    validator = CertificateValidator(
        certificate, intermediate_certs=list(chain), validation_context=context
    )

    async def validate_then_release() -> None:
        try:
            await validator.async_validate_usage(key_usage)  # type: ignore[no-untyped-call]
        finally:
            await context.aclose()  # close the HTTP session on the loop that opened it

    try:
        asyncio.run(validate_then_release())
    except Exception as error:
        wrapped = SigningError("The signer's certificate could not be validated")
        wrapped.__cause__ = error
        raise explain_signing_failure(wrapped, None) from None
