"""Reading certificates and revocation lists from files (PEM or DER), with clear errors.

Files named in a configuration may be anything a clerk points at: a folder, a device that
never ends, a key instead of a certificate. Each is read with a size limit and refused
with a sentence that names the file and what it should hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from asn1crypto import crl, x509

from ..errors import CredentialError
from ..filelimits import read_limited
from ..i18n import _

MAX_FILE_BYTES = 16 * 1024 * 1024
"""No certificate bundle or CRL a signer or verifier needs is larger than this."""


def _read(path: Path, what: str) -> bytes:
    """The file's bytes: a regular file of at most MAX_FILE_BYTES (a FIFO or device is refused
    before it is opened, so neither blocks nor fills memory)."""
    return read_limited(
        path,
        limit=MAX_FILE_BYTES,
        what=what,
        error=CredentialError,
        missing_hint=_("give the path of a PEM or DER file"),
        size_hint=_("give the certificate or revocation list itself, not an archive"),
    )


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Certificates from a PEM (one or more) or DER file."""
    from cryptography import x509 as pyca_x509
    from cryptography.hazmat.primitives import serialization

    data = _read(path, _("certificate file"))
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            found = pyca_x509.load_pem_x509_certificates(data)
        else:
            found = [pyca_x509.load_der_x509_certificate(data)]
        return [x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in found]
    except ValueError:
        raise CredentialError(
            _("'{path}' holds no readable X.509 certificate").format(path=path),
            hint=_("give a PEM file (-----BEGIN CERTIFICATE-----) or a DER-encoded certificate"),
        ) from None


def load_trust_roots(paths: Sequence[Path]) -> list[x509.Certificate]:
    """The trust anchors from their files."""
    roots: list[x509.Certificate] = []
    for path in paths:
        roots.extend(load_certificates(path))
    return roots


def load_crls(paths: Sequence[Path]) -> list[crl.CertificateList]:
    """Certificate revocation lists from PEM (X509 CRL) or DER files."""
    from cryptography import x509 as pyca_x509
    from cryptography.hazmat.primitives import serialization

    lists: list[crl.CertificateList] = []
    for path in paths:
        data = _read(path, _("revocation list"))
        try:
            if b"-----BEGIN X509 CRL-----" in data:
                parsed = pyca_x509.load_pem_x509_crl(data)
            else:
                parsed = pyca_x509.load_der_x509_crl(data)
            lists.append(crl.CertificateList.load(parsed.public_bytes(serialization.Encoding.DER)))
        except ValueError:
            raise CredentialError(
                _("'{path}' holds no readable revocation list (CRL)").format(path=path),
                hint=_("give a CRL as PEM (-----BEGIN X509 CRL-----) or DER"),
            ) from None
    return lists
