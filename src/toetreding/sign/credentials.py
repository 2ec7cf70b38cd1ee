"""Signing keys: a PKCS#12 file or a PKCS#11 token, opened once and used for many documents.

Both give a :class:`SigningCredential`, which wraps a pyHanko ``Signer``. Opening is the
only step that needs the PIN or passphrase; it happens once per run, so a secretariat
signing hundreds of statements enters the PIN once. A wrong PIN is tried exactly once:
we never retry, so we never use up the token's retry counter.

The PKCS#12 signer keeps the decoded private key in memory. pyHanko's own file signer
decodes the key again for every signature, which costs more than the signature itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from ..errors import CredentialError
from ..filelimits import read_limited
from ..i18n import _
from ..pki.files import load_certificates
from ..secrets import Secret
from ..signing_config import Pkcs11Location

MAX_PKCS12_BYTES = 1024 * 1024
"""A key with its certificate chain is a few kilobytes; the file is read whole, so capped."""


@dataclass
class SigningCredential:
    """An open key with its certificate and the CA certificates that go with it."""

    signer: Signer
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    description: str
    _closers: list[Any] = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Log out of a token; forget the key."""
        while self._closers:
            closer = self._closers.pop()
            with contextlib.suppress(Exception):  # closing must not hide the real outcome
                closer()


class KeptKeySigner(Signer):
    """A pyHanko signer over a private key held in memory (decoded once)."""

    def __init__(
        self,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate],
    ) -> None:
        self._key = key
        super().__init__(
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs(list(chain)),  # type: ignore[no-untyped-call]
            embed_roots=True,
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algorithm = mechanism.signature_algo
        key = self._key
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algorithm == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            pss = padding.PSS(
                mgf=padding.MGF1(hash_algorithm), salt_length=hash_algorithm.digest_size
            )
            return key.sign(data, pss, hash_algorithm)
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        if algorithm == "ed25519" and isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        raise CredentialError(
            _("the key cannot make {algorithm} signatures").format(algorithm=algorithm)
        )


def _to_asn1(certificate: Any) -> x509.Certificate:
    return x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def open_pkcs12(
    path: Path, passphrase: Secret | None, extra_chain: Sequence[Path] = ()
) -> SigningCredential:
    """Open a PKCS#12 file; the key is decoded once and kept."""
    data = read_limited(
        path,
        limit=MAX_PKCS12_BYTES,
        what=_("PKCS#12 file"),
        error=CredentialError,
        missing_message=_("PKCS#12 file '{path}' not found").format(path=path),
        missing_hint=_("give the .p12/.pfx file with --pkcs12 or in the signer profile"),
        size_hint=_(
            "a .p12/.pfx file with a key and its certificates is a few kilobytes; "
            "check that this is the right file"
        ),
    )
    password = passphrase.reveal().encode("utf-8") if passphrase is not None else None
    try:
        key, certificate, additional = pkcs12.load_key_and_certificates(data, password)
    except ValueError as error:
        if "password" in str(error).lower() or "mac" in str(error).lower():
            raise CredentialError(
                _("the passphrase for '{path}' is wrong").format(path=path),
                hint=_("check TOETREDING_PASSPHRASE, the passphrase file or what you typed"),
            ) from None
        raise CredentialError(
            _("'{path}' is not a readable PKCS#12 file").format(path=path),
            hint=_("export the key and certificate again as .p12/.pfx"),
        ) from None
    if key is None or certificate is None:
        raise CredentialError(
            _("'{path}' lacks a private key or its certificate").format(path=path),
            hint=_("export the signature key together with its certificate"),
        )
    if not isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    ):
        raise CredentialError(
            _("the key in '{path}' is of a type toetreding cannot sign with").format(path=path)
        )
    chain = [_to_asn1(c) for c in additional]
    for extra in extra_chain:
        chain.extend(load_certificates(extra))
    signing_certificate = _to_asn1(certificate)
    return SigningCredential(
        signer=KeptKeySigner(key, signing_certificate, chain),
        certificate=signing_certificate,
        chain=chain,
        description=_("PKCS#12 file '{path}'").format(path=path),
    )


def open_pkcs11(
    location: Pkcs11Location, pin: Secret, extra_chain: Sequence[Path] = ()
) -> SigningCredential:
    """Log in to a token once and find the key and certificate on it."""
    from pkcs11 import exceptions as p11

    from .tokens import find_token, load_module, refuse_locked_pin

    library, pkcs11 = load_module(Path(location.module))
    token = find_token(library, location.token, pkcs11)
    label = token.label.strip()
    refuse_locked_pin(token, pkcs11)
    try:
        session = token.open(user_pin=pin.reveal())
    except p11.PinIncorrect:
        raise CredentialError(
            _(
                "the PIN for token '{token}' is wrong (tried once; toetreding does not retry)"
            ).format(token=label),
            hint=_(
                "check TOETREDING_PIN, the PIN file or what you typed; "
                "too many wrong PINs lock the card"
            ),
        ) from None
    except p11.PinLocked:
        raise CredentialError(
            _("the PIN of token '{token}' is locked").format(token=label),
            hint=_("unblock it with the PUK"),
        ) from None
    except p11.PKCS11Error as error:
        raise CredentialError(
            _("cannot log in to token '{token}': {error}").format(
                token=label, error=type(error).__name__
            )
        ) from None
    try:
        return _credential_on_token(session, location, label, extra_chain, pkcs11)
    except BaseException:
        session.close()
        raise


def _credential_on_token(
    session: Any,
    location: Pkcs11Location,
    token_label: str,
    extra_chain: Sequence[Path],
    pkcs11: Any,
) -> SigningCredential:
    from pyhanko.sign.pkcs11 import PKCS11Signer

    key_id = bytes.fromhex(location.key_id) if location.key_id else None
    query: dict[str, Any] = {"object_class": pkcs11.ObjectClass.PRIVATE_KEY}
    if location.key_label:
        query["label"] = location.key_label
    if key_id:
        query["id"] = key_id
    try:
        key = session.get_key(**query)
    except pkcs11.NoSuchKey:
        named = location.key_label or location.key_id
        raise CredentialError(
            _("no private key '{key}' on token '{token}'").format(key=named, token=token_label),
            hint=_("`toetreding tokens` lists the certificates and their labels and ids"),
        ) from None
    except pkcs11.MultipleObjectsReturned:
        raise CredentialError(
            _("more than one key matches on token '{token}'; give both label and id").format(
                token=token_label
            )
        ) from None
    is_ec = key.key_type == pkcs11.KeyType.EC
    signer = PKCS11Signer(
        session,
        key_label=location.key_label,
        key_id=key_id,
        cert_label=location.cert_label or location.key_label,
        cert_id=key_id if not (location.cert_label or location.key_label) else None,
        use_raw_mechanism=is_ec,  # SoftHSM2 and many cards only do raw ECDSA
    )
    try:
        certificate = signer.signing_cert
    except Exception:
        raise CredentialError(
            _("no certificate for the key on token '{token}'").format(token=token_label),
            hint=_("name it with 'certificaat' (its label) in the signer profile"),
        ) from None
    chain = list(signer.cert_registry)
    for extra in extra_chain:
        extra_certs = load_certificates(extra)
        chain.extend(extra_certs)
        for c in extra_certs:
            signer.cert_registry.register(c)
    credential = SigningCredential(
        signer=signer,
        certificate=certificate,
        chain=chain,
        description=_("key on token '{token}'").format(token=token_label),
    )
    credential._closers.append(session.close)
    return credential
