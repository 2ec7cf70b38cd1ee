"""Checks on the signer's certificate that must pass before anything is signed.

A signature made with an expired, not-yet-valid or wrongly-purposed certificate is
worthless later, so `sign` refuses it up front with a message that names the certificate
and the problem. (Revocation is checked against the CA only from B-LT up, where the
validation data is embedded; see :mod:`toetreding.sign.services`.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asn1crypto import x509

from ..errors import CredentialError
from ..i18n import _
from ..mandate import CertificateFacts

SIGNING_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})
"""Either allows signing documents; PKIoverheid signature certificates carry non_repudiation."""


@dataclass(frozen=True)
class CertificateSummary:
    """How a certificate is identified in messages, signatures and the register."""

    common_name: str
    subject: str
    issuer: str
    serial_number: str
    sha256_fingerprint: str
    not_before: dt.datetime
    not_after: dt.datetime

    @property
    def short(self) -> str:
        """E.g. ``'J. de Vries' (serial 1A2B…, issued by DEMO CA)``."""
        return _("'{name}' (serial {serial}, issued by {issuer})").format(
            name=self.common_name, serial=self.serial_number, issuer=self.issuer
        )


def summarise(certificate: x509.Certificate) -> CertificateSummary:
    """The identifying facts of ``certificate``."""
    subject = certificate.subject.native
    issuer = certificate.issuer.native
    return CertificateSummary(
        common_name=str(subject.get("common_name", certificate.subject.human_friendly)),
        subject=certificate.subject.human_friendly,
        issuer=str(issuer.get("common_name", certificate.issuer.human_friendly)),
        serial_number=format(certificate.serial_number, "X"),
        sha256_fingerprint=certificate.sha256.hex().upper(),
        not_before=certificate.not_valid_before,
        not_after=certificate.not_valid_after,
    )


def check_signing_certificate(certificate: x509.Certificate, at: dt.datetime) -> None:
    """Refuse a certificate that is not valid at ``at`` or not meant for signatures."""
    facts = summarise(certificate)
    if at < facts.not_before:
        raise CredentialError(
            _("the certificate {certificate} is not valid yet: valid from {since} UTC").format(
                certificate=facts.short, since=f"{facts.not_before:%Y-%m-%d %H:%M}"
            ),
            hint=_("sign after that moment, or check the computer's clock"),
        )
    if at > facts.not_after:
        raise CredentialError(
            _("the certificate {certificate} expired on {until} UTC").format(
                certificate=facts.short, until=f"{facts.not_after:%Y-%m-%d %H:%M}"
            ),
            hint=_(
                "a signature with an expired certificate is not valid; use the renewed "
                "certificate (ask the certificate service provider for one)"
            ),
        )
    usages = certificate.key_usage_value
    if usages is not None and not set(usages.native) & SIGNING_KEY_USAGES:
        found = ", ".join(sorted(usages.native)) or _("none")
        raise CredentialError(
            _(
                "the certificate {certificate} is not meant for signing (key usage: {usages})"
            ).format(certificate=facts.short, usages=found),
            hint=_(
                "use the signature certificate (key usage digitalSignature or "
                "nonRepudiation), not the authentication or encryption certificate of the card"
            ),
        )


def facts(certificate: x509.Certificate) -> CertificateFacts:
    """The holder facts the chain-of-authority rules compare with the chain."""
    subject: dict[str, str] = {}
    for key, value in certificate.subject.native.items():
        subject[str(key)] = ", ".join(value) if isinstance(value, list) else str(value)
    issuer: dict[str, str] = {}
    for key, value in certificate.issuer.native.items():
        issuer[str(key)] = ", ".join(value) if isinstance(value, list) else str(value)
    return CertificateFacts(
        subject=subject,
        serial_number=format(certificate.serial_number, "X"),
        sha256_fingerprint=certificate.sha256.hex().upper(),
        issuer=issuer,
    )


def same_holder(first: x509.Certificate | None, second: x509.Certificate | None) -> str | None:
    """Why two certificates belong to one holder — the same certificate, the same key, or
    the same subject serialNumber from the same issuer — or None when they do not.

    The consent must be another person's act than the party's signature: a party that
    binds the coordinator's chain to its own certificate must not consent to itself.
    """
    if first is None or second is None:
        return None
    if first.dump() == second.dump():
        return _("the same certificate")
    if first.public_key.dump() == second.public_key.dump():
        return _("the same key")
    serial = first.subject.native.get("serial_number")
    same_issuer = first.issuer.dump() == second.issuer.dump()
    if serial and serial == second.subject.native.get("serial_number") and same_issuer:
        return _("the same holder, serialNumber {serial}").format(serial=serial)
    return None
