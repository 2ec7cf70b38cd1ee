"""How to verify: trust roots, revocation data, moment, required level, time policy, and
the covenants (as published) that say who may consent.

:func:`options_from_settings` turns the workspace's settings (and command-line choices)
into :class:`VerifyOptions`, so the CLI, the demo and batch verify alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import crl, x509

from ..i18n import _
from ..model import Covenant
from ..signing_config import SignatureLevel

if TYPE_CHECKING:
    from ..config import Settings


@dataclass(frozen=True)
class TrustedCovenant:
    """A covenant as published, read from a file the verifier chose."""

    source: str
    covenant: Covenant


@dataclass(frozen=True)
class VerifyOptions:
    """How to verify."""

    trust_roots: tuple[x509.Certificate, ...]
    at: dt.datetime | None = None
    """Validation moment (default: now)."""
    allow_fetching: bool = True
    """Fetch OCSP/CRL when the document does not carry them."""
    required_level: SignatureLevel | None = None
    crls: tuple[crl.CertificateList, ...] = ()
    """Revocation lists known beforehand (e.g. a CA's CRL file), used next to the document's."""
    acceptance_needs_timestamp: bool = True
    """The acceptance fixes the effective date, so by default its moment must be proven."""
    covenants: tuple[TrustedCovenant, ...] = ()
    """The covenants the verifier trusts (as published): a consent's chain must be theirs."""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Sent to worker processes with certificates and CRLs as DER, loaded there anew.

        An unpickled asn1crypto object skips its class's set-up; in a fresh worker whose
        code had not yet built such an object the usual way, its re-encoding failed ("not
        enough values to unpack") — the verdict then depended on what ran before.
        """
        return (
            _options_from_der,
            (
                tuple(root.dump() for root in self.trust_roots),
                self.at,
                self.allow_fetching,
                self.required_level,
                tuple(revocations.dump() for revocations in self.crls),
                self.acceptance_needs_timestamp,
                self.covenants,
            ),
        )


def _options_from_der(
    roots: tuple[bytes, ...],
    at: dt.datetime | None,
    allow_fetching: bool,
    required_level: SignatureLevel | None,
    crls: tuple[bytes, ...],
    acceptance_needs_timestamp: bool,
    covenants: tuple[TrustedCovenant, ...],
) -> VerifyOptions:
    return VerifyOptions(
        trust_roots=tuple(x509.Certificate.load(der) for der in roots),
        at=at,
        allow_fetching=allow_fetching,
        required_level=required_level,
        crls=tuple(crl.CertificateList.load(der) for der in crls),
        acceptance_needs_timestamp=acceptance_needs_timestamp,
        covenants=covenants,
    )


def options_from_settings(
    settings: Settings,
    trust_files: Sequence[Path] = (),
    crl_files: Sequence[Path] = (),
    *,
    at: dt.datetime | None = None,
    offline: bool = False,
    required_level: SignatureLevel | None = None,
    covenant_files: Sequence[Path] = (),
) -> VerifyOptions:
    """Verification options from the settings; given files replace the configured ones."""
    from ..errors import ConfigError
    from ..pki.files import load_crls, load_trust_roots

    roots = load_trust_roots(tuple(trust_files) or settings.signing.trust_roots)
    if not roots:
        raise ConfigError(
            _("no trust roots: verify needs to know which root certificates to trust"),
            hint=_("give --trust ROOT.pem or list them under 'ondertekening.vertrouwensankers'"),
        )
    return VerifyOptions(
        trust_roots=tuple(roots),
        at=at,
        allow_fetching=not offline,
        required_level=required_level,
        crls=tuple(load_crls(tuple(crl_files) or settings.signing.crls)),
        acceptance_needs_timestamp=settings.verification.acceptance_needs_timestamp,
        covenants=load_trusted_covenants(
            tuple(covenant_files)
            or tuple(settings.signing.path(p) for p in settings.verification.covenants)
        ),
    )


def load_trusted_covenants(paths: Sequence[Path]) -> tuple[TrustedCovenant, ...]:
    """Read the covenants the verifier trusts (each validated like any covenant file)."""
    from ..inputs import load_model

    return tuple(TrustedCovenant(str(path), load_model(path, Covenant)) for path in paths)
