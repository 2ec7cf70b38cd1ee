"""A real PKCS#11 token for tests: SoftHSM2, initialised in a temporary folder.

The token holds the test PKI's signer keys (RSA and ECDSA) and certificates, imported
through PKCS#11 itself. SoftHSM2 reads ``SOFTHSM2_CONF`` when the module is initialised,
so the session fixture sets it before anything loads the module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)

TOKEN_LABEL = "toetreding-test"
USER_PIN = "246810"
SO_PIN = "13579135"


def softhsm_module() -> Path | None:
    """The SoftHSM2 PKCS#11 library, if installed."""
    for candidate in MODULE_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def softhsm_missing_reason() -> str | None:
    """Why PKCS#11 tests cannot run here, or None when they can."""
    if softhsm_module() is None or shutil.which("softhsm2-util") is None:
        return "softhsm2 is not installed (Debian package softhsm2; .ci/run installs it)"
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        return "python-pkcs11 is not installed (pip install 'toetreding[test]')"
    return None


@dataclass(frozen=True)
class SoftToken:
    module: Path
    config: Path
    label: str
    pin: str

    @property
    def environment(self) -> dict[str, str]:
        return {"SOFTHSM2_CONF": str(self.config)}


def init_token(folder: Path) -> SoftToken:
    """A fresh, empty token in ``folder``; SOFTHSM2_CONF is set for this process."""
    module = softhsm_module()
    assert module is not None
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    config = folder / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )
    os.environ["SOFTHSM2_CONF"] = str(config)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--so-pin",
            SO_PIN,
            "--pin",
            USER_PIN,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(config)},
    )
    return SoftToken(module=module, config=config, label=TOKEN_LABEL, pin=USER_PIN)


def import_key(
    token: SoftToken, key: Any, certificate_der: bytes, label: str, key_id: bytes
) -> None:
    """Put a private key and its certificate on the token (as a card issuer would)."""
    import pkcs11
    from pkcs11 import Attribute
    from pkcs11.util.ec import decode_ec_private_key
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    lib = pkcs11.lib(str(token.module))
    with lib.get_token(token_label=token.label).open(rw=True, user_pin=token.pin) as session:
        if isinstance(key, rsa.RSAPrivateKey):
            der = key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
            attributes = decode_rsa_private_key(der)
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            der = key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
            attributes = decode_ec_private_key(der)
        else:  # pragma: no cover - tests only use RSA and EC
            raise TypeError(type(key))
        attributes.update(
            {
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.SIGN: True,
                Attribute.LABEL: label,
                Attribute.ID: key_id,
            }
        )
        session.create_object(attributes)
        certificate = decode_x509_certificate(certificate_der)
        certificate.update({Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: key_id})
        session.create_object(certificate)
