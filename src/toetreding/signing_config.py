"""The `ondertekening` section of toetreding.yaml: signer profiles, level, TSA, trust roots.

A signer profile names where the key is (a PKCS#12 file or a PKCS#11 token) and how the
signature presents the signer (function, on whose behalf, place). It never holds a PIN
or passphrase: those come from a prompt, ``TOETREDING_PIN`` / ``TOETREDING_PASSPHRASE`` or
a file named here (``wachtwoordbestand``), so that config files can be shared safely.

This module only describes and resolves settings; it imports nothing heavy, so reading
the config stays fast for commands that do not sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import Field, model_validator

from .config_model import ConfigModel
from .i18n import _


class SignatureLevel(StrEnum):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    B_B = "B-B"
    """Signature only."""
    B_T = "B-T"
    """Plus a trusted timestamp on the signature: proves when it existed."""
    B_LT = "B-LT"
    """Plus the certificates and revocation data in the document (DSS)."""
    B_LTA = "B-LTA"
    """Plus a document timestamp over everything: renewable, for records kept long."""

    @property
    def rank(self) -> int:
        """0 for B-B up to 3 for B-LTA, for comparisons."""
        return list(SignatureLevel).index(self)

    @property
    def needs_timestamp(self) -> bool:
        """Whether signing at this level needs a timestamp authority."""
        return self.rank >= 1

    @property
    def needs_validation_data(self) -> bool:
        """Whether this level embeds certificates and revocation data."""
        return self.rank >= 2


class Pkcs11Location(ConfigModel):
    """Where the key sits on a smartcard, USB token or HSM."""

    module: str = Field(alias="module")
    """The PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so or the card vendor's .so."""
    token: str | None = Field(default=None, alias="token")
    """Token label; needed when more than one token is present."""
    key_label: str | None = Field(default=None, alias="sleutel")
    """Label of the private key on the token."""
    key_id: str | None = Field(default=None, alias="sleutel_id", pattern=r"^([0-9A-Fa-f]{2})+$")
    """Id of the private key (hex), instead of or next to the label."""
    cert_label: str | None = Field(default=None, alias="certificaat")
    """Label of the certificate on the token; defaults to the key's label or id."""

    @model_validator(mode="after")
    def _key_named(self) -> Pkcs11Location:
        if self.key_label is None and self.key_id is None:
            raise ValueError(_("name the key: give 'sleutel' (label) or 'sleutel_id' (hex id)"))
        return self


class SignerProfile(ConfigModel):
    """One person's signing key and how the signature presents them."""

    pkcs12: str | None = Field(default=None, alias="pkcs12")
    """PKCS#12 file (.p12/.pfx), relative to the config file."""
    pkcs11: Pkcs11Location | None = Field(default=None, alias="pkcs11")
    secret_file: str | None = Field(default=None, alias="wachtwoordbestand")
    """File holding the passphrase or PIN (first line), relative to the config file.
    Without it: TOETREDING_PASSPHRASE / TOETREDING_PIN, else a hidden prompt."""
    name: str | None = Field(default=None, alias="naam")
    """Name as shown in the signature; default: the certificate's common name."""
    function: str = Field(alias="functie")
    """The signer's function, e.g. 'burgemeester van Huizen'."""
    on_behalf_of: str = Field(alias="namens")
    """On whose behalf the signer acts, e.g. 'de gemeente Huizen' (Awb 10:10)."""
    location: str | None = Field(default=None, alias="plaats")
    """Place of signing, e.g. 'Huizen'."""
    slot: str | None = Field(default=None, alias="veld")
    """Which field this signer fills: ondertekening-partij or instemming-coordinator."""
    intermediates: list[str] = Field(default_factory=list, alias="tussencertificaten")
    """Extra CA certificates (PEM) to include, when the key store lacks them."""

    @model_validator(mode="after")
    def _one_key_store(self) -> SignerProfile:
        if (self.pkcs12 is None) == (self.pkcs11 is None):
            raise ValueError(
                _("give exactly one key store: 'pkcs12' (a file) or 'pkcs11' (a token)")
            )
        return self


class SigningOptions(ConfigModel):
    """Defaults for `toetreding sign`, `extend` and the signing step of `batch`."""

    level: SignatureLevel = Field(default=SignatureLevel.B_B, alias="niveau")
    """PAdES level: B-B, B-T, B-LT or B-LTA (B-LTA for records kept long)."""
    tsa: str | None = Field(default=None, alias="tijdstempeldienst")
    """URL of the RFC 3161 timestamp authority (needed from B-T up); in the demo workspace
    only, ``demo:pki/demo-tsa.pem`` (a throwaway TSA, refused unless it says DEMO)."""
    trust_roots: list[str] = Field(default_factory=list, alias="vertrouwensankers")
    """Root certificates (PEM or DER files) that signatures and timestamps must chain to."""
    crls: list[str] = Field(default_factory=list, alias="intrekkingslijsten")
    """Certificate revocation lists (CRL files, PEM or DER) to use next to what the CAs
    publish online: for a CA that is not reachable from here, or for the demo PKI."""
    default_signer: str | None = Field(default=None, alias="standaard")
    """Profile used when `sign` gets no --signer, --pkcs12 or --pkcs11-module."""
    signers: dict[str, SignerProfile] = Field(default_factory=dict, alias="ondertekenaars")
    """Signer profiles by name."""

    @model_validator(mode="after")
    def _default_exists(self) -> SigningOptions:
        if self.default_signer is not None and self.default_signer not in self.signers:
            raise ValueError(
                _("'standaard' names '{signer}', which is not among 'ondertekenaars'").format(
                    signer=self.default_signer
                )
            )
        return self


class VerificationOptions(ConfigModel):
    """The `verificatie` section: what `verify` (and `sign`, up front) demands."""

    acceptance_needs_timestamp: bool = Field(default=True, alias="aanvaarding_vereist_tijdstempel")
    """The acceptance's moment is the effective date, so it must be proven by a signature
    timestamp (PAdES B-T or higher). Set to false only to read old statements whose
    acceptance was signed at B-B; their effective date is then reported as claimed."""
    covenants: list[str] = Field(default_factory=list, alias="convenanten")
    """The covenants as published, whose coordinating party's chain a consent is checked
    against (paths relative to this file). A statement carries that chain itself, but the
    party drew it up: only a covenant the verifier trusts confirms who may consent."""


@dataclass(frozen=True)
class ResolvedSigning:
    """Signing settings with paths made absolute against the config file's folder."""

    level: SignatureLevel
    tsa: str | None
    trust_roots: tuple[Path, ...]
    crls: tuple[Path, ...]
    default_signer: str | None
    signers: dict[str, SignerProfile]
    base: Path

    def path(self, value: str) -> Path:
        """A path from the config, made absolute."""
        return (self.base / value).resolve()


def resolve_signing(options: SigningOptions, base: Path) -> ResolvedSigning:
    """Make the signing section's paths absolute."""
    tsa = options.tsa
    if tsa is not None and tsa.startswith("demo:"):
        tsa = "demo:" + str((base / tsa.removeprefix("demo:")).resolve())
    return ResolvedSigning(
        level=options.level,
        tsa=tsa,
        trust_roots=tuple((base / p).resolve() for p in options.trust_roots),
        crls=tuple((base / p).resolve() for p in options.crls),
        default_signer=options.default_signer,
        signers=dict(options.signers),
        base=base,
    )


def pkcs11_from_options(
    module: Path, token: str | None, key: str | None, key_id: str | None, cert: str | None
) -> Pkcs11Location:
    """A token location from command-line options, with a readable error when incomplete."""
    from pydantic import ValidationError

    from .errors import ConfigError

    try:
        return Pkcs11Location.model_validate(
            {
                "module": str(module),
                "token": token,
                "sleutel": key,
                "sleutel_id": key_id,
                "certificaat": cert,
            }
        )
    except ValidationError as error:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise ConfigError(
            _("the PKCS#11 options are incomplete: {reasons}").format(reasons=reasons),
            hint=_("give --key LABEL or --key-id HEX (and --token LABEL when several are present)"),
        ) from None
