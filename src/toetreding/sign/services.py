"""Trust roots, timestamp authority and validation context: what B-T and up need.

Revocation checking is *hard-fail* for real (pyHanko's "require" mode): every certificate
in the path below the trust anchor needs a revocation answer, from the CA's OCSP
responder or CRL, or from a CRL file named in the configuration. Without one, or when a
certificate is revoked, signing stops. (pyHanko's "hard-fail" only checks certificates
that *declare* a revocation service; its default soft-fail would call a revoked signer
fine.)

A timestamp authority is an http(s) URL, or — for the demo workspace only — ``demo:FILE``:
a throwaway TSA key and certificate in a PEM file, used in-process. It is refused unless
its certificate says DEMO, so it cannot pass for a real timestamp service.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import crl, keys, x509

from ..errors import ConfigError, SigningError
from ..i18n import _
from ..signing_config import SignatureLevel

TSA_TIMEOUT_SECONDS = 15


def timestamper_for(level: SignatureLevel, url: str | None) -> Any:
    """An RFC 3161 client when the level needs one; refuses a missing URL."""
    if not level.needs_timestamp:
        return None
    if not url:
        raise ConfigError(
            _("level {level} needs a timestamp authority, and none is configured").format(
                level=level.value
            ),
            hint=_(
                "give --tsa URL, set TOETREDING_TSA, or 'ondertekening.tijdstempeldienst' in "
                "toetreding.yaml"
            ),
        )
    if url.startswith(DEMO_TSA_PREFIX):
        return demo_timestamper(Path(url.removeprefix(DEMO_TSA_PREFIX)))
    if not url.startswith(("http://", "https://")):
        raise ConfigError(
            _("timestamp authority '{url}' is not an http(s) URL").format(url=url),
            hint=_("give the TSA's URL, e.g. http://tsa.example.nl/tsa"),
        )
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=TSA_TIMEOUT_SECONDS)


DEMO_TSA_PREFIX = "demo:"


def demo_timestamper(path: Path) -> Any:
    """The demo workspace's own timestamp authority (a key and certificate in ``path``)."""
    from cryptography import x509 as pyca
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    try:
        data = path.read_bytes() if path.is_file() else b""
        certificates = pyca.load_pem_x509_certificates(data) if data else []
        key = serialization.load_pem_private_key(data, password=None) if data else None
    except (OSError, ValueError, TypeError):
        certificates, key = [], None
    if not certificates or key is None:
        raise ConfigError(
            _("the demo timestamp authority '{path}' is missing or unreadable").format(path=path),
            hint=_("run `toetreding demo` again, or configure a real TSA URL"),
        )
    certificate = x509.Certificate.load(certificates[0].public_bytes(serialization.Encoding.DER))
    if "DEMO" not in certificate.subject.human_friendly:
        raise ConfigError(
            _(
                "'{path}' is not a demo timestamp authority (its certificate does not say DEMO)"
            ).format(path=path),
            hint=_("a real archive needs a real TSA: give its http(s) URL"),
        )
    key_info = keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    others = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [
            x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
            for c in certificates[1:]
        ]
    )
    return _demo_class(DummyTimeStamper)(
        tsa_cert=certificate, tsa_key=key_info, certs_to_embed=others, loaded_key=key
    )


@functools.cache
def _demo_class(base: Any) -> Any:
    """pyHanko's test TSA, signing with the key loaded once.

    Why: pyHanko's dummy TSA loads its private key anew for every token, and loading an
    RSA key checks it (≈ 50 ms) — two thirds of a B-T consent in a coordinator's round
    (issue #15). The token is built exactly as pyHanko builds it; only the signature
    over the signed attributes is made with the key that was already loaded. If pyHanko
    renames that step, pyHanko's own (slower) code runs instead.
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import general

    attribute: Any = general.simple_cms_attribute  # pyHanko's helpers are untyped
    signing_certificate: Any = general.as_signing_certificate

    class DemoTimeStamper(base):  # type: ignore[misc]
        def __init__(self, *, loaded_key: Any, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._loaded_key = loaded_key

        def _sign_tst_info(
            self, tst_info_data: bytes, md_algorithm: str, moment: dt.datetime
        ) -> tuple[bytes, Any]:
            from asn1crypto import cms, core

            if not isinstance(self._loaded_key, RSAPrivateKey):
                own: tuple[bytes, Any] = super()._sign_tst_info(tst_info_data, md_algorithm, moment)
                return own
            algorithm = getattr(hashes, md_algorithm.upper())()
            digest = hashes.Hash(algorithm)
            digest.update(tst_info_data)
            attributes = cms.CMSAttributes(
                [
                    attribute("content_type", "tst_info"),
                    attribute("signing_time", cms.Time({"utc_time": core.UTCTime(moment)})),
                    attribute("signing_certificate", signing_certificate(self.tsa_cert)),
                    attribute("message_digest", digest.finalize()),
                ]
            )
            signature = self._loaded_key.sign(attributes.dump(), PKCS1v15(), algorithm)
            return signature, attributes

    return DemoTimeStamper


def validation_context_for(
    level: SignatureLevel,
    trust_roots: Sequence[x509.Certificate],
    other_certs: Sequence[x509.Certificate] = (),
    *,
    required: bool = False,
    crls: Sequence[crl.CertificateList] = (),
) -> Any:
    """A hard-fail validation context, when the level embeds validation data (or asked)."""
    if not (level.needs_validation_data or required):
        return None
    if not trust_roots:
        raise ConfigError(
            _(
                "level {level} checks the signer's certificate chain, but no trust root is "
                "configured"
            ).format(level=level.value),
            hint=_(
                "give --trust ROOT.pem or list the root certificates under "
                "'ondertekening.vertrouwensankers' in toetreding.yaml"
            ),
        )
    from pyhanko_certvalidator import ValidationContext

    from ..fetching import owned_on_demand_backend

    return ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=list(other_certs),
        crls=list(crls),
        allow_fetching=True,
        fetcher_backend=owned_on_demand_backend(),
        revocation_mode="require",
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
            _(
                "the timestamp authority at {url} could not be reached or gave no valid answer"
            ).format(url=tsa_url),
            hint=_(
                "check the URL and the network (proxy, firewall) and try again; nothing was written"
            ),
        )
    if "revoked" in lowered:
        return SigningError(
            _("the signer's certificate (or a CA certificate above it) is revoked"),
            hint=_("a revoked certificate may not sign; use a valid certificate"),
        )
    if names & {"InsufficientRevinfoError", "StaleRevinfoError"} or "revocation" in lowered:
        return SigningError(
            _(
                "the revocation status of the signer's certificate (or of a CA certificate above "
                "it) could not be established: no OCSP or CRL answer (hard-fail)"
            ),
            hint=_(
                "check that the CA's OCSP responder or CRL is reachable, or name a current "
                "CRL file under 'ondertekening.intrekkingslijsten'; nothing was signed"
            ),
        )
    if (
        names & {"PathValidationError", "PathBuildingError", "InsufficientRevinfoError"}
        or "could not be validated" in lowered
    ):
        return SigningError(
            _(
                "the signer's certificate could not be validated against the trust roots "
                "(hard-fail)"
            ),
            hint=_(
                "check that the trust roots (vertrouwensankers) contain the CA's root and that "
                "the CA's OCSP responder or CRL is reachable; nothing was signed"
            ),
        )
    return SigningError(
        _("signing failed ({error}); nothing was written").format(error=type(error).__name__),
        hint=_(
            "run again with TOETREDING_DEBUG=1 to see the details, and report it if it persists"
        ),
    )


def check_signer_trusted(
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    trust_roots: Sequence[x509.Certificate],
    key_usage: set[str],
    crls: Sequence[crl.CertificateList] = (),
) -> None:
    """Validate the signer's chain and revocation status now (hard-fail), or refuse.

    Used from B-B up whenever trust roots are configured; for B-LT/B-LTA pyHanko does the
    same while collecting the validation data.
    """
    import asyncio

    from pyhanko_certvalidator import CertificateValidator

    context = validation_context_for(SignatureLevel.B_LT, trust_roots, chain, crls=crls)
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
        # not translated: explain_signing_failure recognises this English text
        wrapped = SigningError("The signer's certificate could not be validated")
        wrapped.__cause__ = error
        raise explain_signing_failure(wrapped, None) from None


def probe_timestamp_authority(timestamper: Any, url: str | None) -> None:
    """Ask the timestamp authority for one token now, or refuse.

    Run before any PIN or passphrase is asked: a secretariat should not type a PIN (and on
    a card spend an attempt) for a B-T…B-LTA signature that then fails on an unreachable
    TSA. A real request is the only honest test that the TSA answers with a valid token.
    """
    if timestamper is None:
        return
    import asyncio

    try:
        # no session is shared: pyHanko opens and closes one for the request
        asyncio.run(timestamper.async_dummy_response("sha256"))
    except Exception as error:
        raise explain_signing_failure(error, url) from None
