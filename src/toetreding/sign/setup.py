"""From settings and command-line choices to an open :class:`StatementSigner`.

Which key: ``--pkcs12 FILE`` or ``--pkcs11-module LIB`` on the command line, else the
profile named with ``--signer``, else the profile for the field being signed (``veld``),
else the config's default profile. How the signer is presented (function, on whose
behalf, place) comes from the profile, command-line options override it, and the
certificate's title and organisation fill what is still missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509

from ..config import Settings, found_config_module_reason, unsafe_module_reason
from ..errors import ConfigError, CredentialError, SigningError
from ..fileio import check_output_path
from ..i18n import _
from ..model import SignatureSlot
from ..pki.certificates import SIGNING_KEY_USAGES, check_signing_certificate
from ..pki.files import load_certificates, load_crls, load_trust_roots
from ..resources import bundled
from ..secrets import SecretKind, SecretPrompt, SecretRequest, obtain_secret
from ..signing_config import Pkcs11Location, SignatureLevel, SignerProfile
from .appearance import APPEARANCE_TEMPLATE, AppearanceStyle
from .credentials import SigningCredential, open_pkcs11, open_pkcs12
from .document import StatementPdf, choose_slot, read_statement
from .services import (
    check_signer_trusted,
    probe_timestamp_authority,
    timestamper_for,
    validation_context_for,
)
from .signing import (
    AMSTERDAM,
    SignerPresentation,
    SignOptions,
    SignOutcome,
    StatementSigner,
    check_authority,
    refuse_signing_before_date,
    sign_statement,
)
from .tokens import check_token


@dataclass(frozen=True)
class SignerChoice:
    """What the user asked for on the command line (all optional)."""

    profile: str | None = None
    pkcs12: Path | None = None
    pkcs11: Pkcs11Location | None = None
    secret_file: Path | None = None
    level: SignatureLevel | None = None
    tsa_url: str | None = None
    trust_roots: tuple[Path, ...] = ()
    crls: tuple[Path, ...] = ()
    """Revocation list files; default: the config's intrekkingslijsten."""
    invisible: bool = False
    function: str | None = None
    on_behalf_of: str | None = None
    name: str | None = None
    location: str | None = None
    extra_chain: tuple[Path, ...] = field(default_factory=tuple)


def pick_profile(
    settings: Settings, choice: SignerChoice, slot: SignatureSlot | None
) -> tuple[str, SignerProfile] | None:
    """The signer profile to use, or None when the key is given on the command line."""
    profiles = settings.signing.signers
    if choice.profile is not None:
        if choice.profile not in profiles:
            known = ", ".join(sorted(profiles)) or _("none are configured")
            raise ConfigError(
                _("there is no signer profile '{profile}'").format(profile=choice.profile),
                hint=_("profiles under 'ondertekening.ondertekenaars': {profiles}").format(
                    profiles=known
                ),
            )
        return choice.profile, profiles[choice.profile]
    if choice.pkcs12 is not None or choice.pkcs11 is not None:
        return None
    if slot is not None:
        for name, profile in profiles.items():
            if profile.slot == slot.value:
                return name, profile
    if settings.signing.default_signer is not None:
        name = settings.signing.default_signer
        return name, profiles[name]
    if len(profiles) == 1:
        return next(iter(profiles.items()))
    raise ConfigError(
        _("no signing key was given"),
        hint=_(
            "use --signer PROFILE, --pkcs12 FILE or --pkcs11-module LIB, or set "
            "'ondertekening.standaard' in toetreding.yaml"
        ),
    )


def configured_modules(settings: Settings, profile: str | None = None) -> tuple[Path, ...]:
    """The PKCS#11 modules the signer profiles name (only ``profile``'s when given)."""
    signing = settings.signing
    if profile is not None and profile not in signing.signers:
        known = ", ".join(sorted(signing.signers)) or _("none are configured")
        raise ConfigError(
            _("there is no signer profile '{profile}'").format(profile=profile),
            hint=_("profiles under 'ondertekening.ondertekenaars': {profiles}").format(
                profiles=known
            ),
        )
    if profile is not None and signing.signers[profile].pkcs11 is None:
        raise ConfigError(
            _(
                "signer profile '{profile}' signs with a PKCS#12 file, not a smartcard or token"
            ).format(profile=profile),
            hint=_("give the profile of a smartcard (one with 'pkcs11'), or --module LIBRARY.so"),
        )
    chosen = [signing.signers[profile]] if profile else list(signing.signers.values())
    modules = tuple(signing.path(p.pkcs11.module) for p in chosen if p.pkcs11 is not None)
    for module in modules:
        refuse_found_config_module(settings, module)
    return modules


def refuse_found_config_module(settings: Settings, module: Path) -> None:
    """A module named by a config that was found, not given, must be one the system
    installed (see :func:`toetreding.config.found_config_module_reason`)."""
    if settings.config_given:
        return
    reason = found_config_module_reason(module, settings.workspace)
    if reason is not None:
        raise CredentialError(
            _(
                "the PKCS#11 module '{module}' named by {config} {reason}; a module is code, and "
                "a config that was found rather than named only loads one the system installed"
            ).format(module=module, config=settings.config_path, reason=reason),
            hint=_(
                "if you trust this config, name it: --config {config} (or TOETREDING_CONFIG); "
                "or give the module yourself with --pkcs11-module"
            ).format(config=settings.config_path),
        )


def preferred_slot(settings: Settings, choice: SignerChoice) -> str | None:
    """The field the chosen profile is meant for, if it says."""
    if choice.profile and choice.profile in settings.signing.signers:
        return settings.signing.signers[choice.profile].slot
    return None


@dataclass(frozen=True)
class KeySource:
    """Where the key is and what unlocks it: options first, then the signer profile."""

    pkcs12: Path | None
    pkcs11: Pkcs11Location | None
    secret_file: Path | None
    extra_chain: tuple[Path, ...]


def key_source(
    settings: Settings, choice: SignerChoice, profile: SignerProfile | None
) -> KeySource:
    """Resolve the key's location; a missing .p12 or unsafe module is refused here."""
    signing = settings.signing
    secret_file = choice.secret_file
    if secret_file is None and profile is not None and profile.secret_file:
        secret_file = signing.path(profile.secret_file)
    extra = list(choice.extra_chain)
    if profile is not None:
        extra.extend(signing.path(p) for p in profile.intermediates)
    pkcs12_path = choice.pkcs12
    pkcs11 = choice.pkcs11
    if pkcs12_path is None and pkcs11 is None and profile is not None:
        pkcs12_path = signing.path(profile.pkcs12) if profile.pkcs12 else None
        if profile.pkcs11 is not None:  # relative to the config file, like every path in it
            module = signing.path(profile.pkcs11.module)
            refuse_found_config_module(settings, module)
            pkcs11 = profile.pkcs11.model_copy(update={"module": str(module)})
    if pkcs12_path is not None:
        if not pkcs12_path.is_file():
            raise CredentialError(
                _("PKCS#12 file '{path}' not found").format(path=pkcs12_path),
                hint=_("check --pkcs12 or 'pkcs12' in the signer profile"),
            )
        return KeySource(pkcs12_path, None, secret_file, tuple(extra))
    if pkcs11 is not None:
        unsafe = unsafe_module_reason(Path(pkcs11.module))
        if unsafe is not None:
            raise CredentialError(
                _("PKCS#11 module '{module}' {problem}").format(
                    module=pkcs11.module, problem=unsafe
                ),
                hint=_("give the PKCS#11 library installed by the card's software or the system"),
            )
        return KeySource(None, pkcs11, secret_file, tuple(extra))
    raise ConfigError(
        _("no signing key was given"), hint=_("use --pkcs12 FILE or --pkcs11-module LIB")
    )


def open_credential(source: KeySource, prompt: SecretPrompt | None) -> SigningCredential:
    """Open the key (asks for the secret once)."""
    if source.pkcs12 is not None:
        passphrase = obtain_secret(
            SecretRequest(SecretKind.PASSPHRASE, f"'{source.pkcs12.name}'"),
            secret_file=source.secret_file,
            prompt=prompt,
        )
        return open_pkcs12(source.pkcs12, passphrase, source.extra_chain)
    assert source.pkcs11 is not None  # key_source returns one of the two
    pkcs11 = source.pkcs11
    pin = obtain_secret(
        # the module (code that will be loaded) is named in the question, before any PIN
        SecretRequest(
            SecretKind.PIN,
            _("token '{token}' via PKCS#11 module {module}").format(
                token=pkcs11.token or _("(first)"), module=pkcs11.module
            ),
        ),
        secret_file=source.secret_file,
        prompt=prompt,
    )
    return open_pkcs11(pkcs11, pin, source.extra_chain)


@dataclass(frozen=True)
class CheckedSetup:
    """Everything `sign` checked before it asks for a PIN or passphrase."""

    profile: SignerProfile | None
    source: KeySource
    level: SignatureLevel
    tsa_url: str | None
    trust_roots: tuple[asn1_x509.Certificate, ...]
    crls: tuple[Any, ...]
    known_certificate: asn1_x509.Certificate | None
    """The signing certificate when it could be read without a secret (a token's)."""


def check_before_secret(
    settings: Settings,
    choice: SignerChoice,
    slot: SignatureSlot | None,
    formula: tuple[str, str] | None = None,
    statement: StatementPdf | None = None,
) -> CheckedSetup:
    """Check the whole setup, so nobody types a PIN for a signature that cannot succeed.

    In order: the profile and the key's location; the level's needs (a TSA for B-T and up,
    trust roots for B-LT/B-LTA); for a token, that the module loads, the token is present,
    its PIN is not locked and the key's certificate is on it, valid, meant for signing,
    trusted and not revoked, and — for ``statement`` — authorised by its chain of authority
    for ``slot``; finally that the timestamp authority answers. A PKCS#12 file keeps its
    certificate behind the passphrase: its certificate and chain are checked right after
    it is opened, before anything is signed.
    """
    picked = pick_profile(settings, choice, slot)
    profile = picked[1] if picked else None
    source = key_source(settings, choice, profile)
    level = choice.level or settings.signing.level
    tsa_url = choice.tsa_url or settings.signing.tsa
    roots = tuple(load_trust_roots(choice.trust_roots or settings.signing.trust_roots))
    crls = tuple(load_crls(choice.crls or settings.signing.crls))
    timestamper = timestamper_for(level, tsa_url)
    validation_context_for(level, roots)  # refuses B-LT/B-LTA without trust roots
    known: asn1_x509.Certificate | None = None
    if source.pkcs11 is not None:
        token = check_token(source.pkcs11)
        known = token.certificate
        now = dt.datetime.now(dt.UTC)
        check_signing_certificate(known, now)
        if roots:
            chain = [*token.others]
            for extra in source.extra_chain:
                chain.extend(load_certificates(extra))
            usages = known.key_usage_value
            wanted = set(usages.native) & SIGNING_KEY_USAGES if usages else set()
            check_signer_trusted(known, chain, roots, wanted or {"non_repudiation"}, crls)
        if statement is not None and slot is not None:
            presentation = presentation_for(choice, profile, known, formula)
            check_authority(statement, slot, known, presentation, now)
    probe_timestamp_authority(timestamper, tsa_url)
    return CheckedSetup(profile, source, level, tsa_url, roots, crls, known)


def presentation_for(
    choice: SignerChoice,
    profile: SignerProfile | None,
    certificate: asn1_x509.Certificate,
    formula: tuple[str, str] | None = None,
) -> SignerPresentation:
    """Function, on whose behalf, name and place: options > profile > the formula the
    statement's chain asks for (``formula``) > certificate."""
    subject = certificate.subject.native
    function = (
        choice.function
        or (profile.function if profile else None)
        or (formula[0] if formula else None)
        or subject.get("title")
    )
    on_behalf = (
        choice.on_behalf_of
        or (profile.on_behalf_of if profile else None)
        or (formula[1] if formula else None)
        or subject.get("organization_name")
    )
    if not function or not on_behalf:
        raise ConfigError(
            _(
                "the signature must say in which function and on whose behalf you sign "
                "(Awb 10:10: the act names the original mandator)"
            ),
            hint=_(
                "give --function 'burgemeester van Huizen' --on-behalf-of 'de gemeente Huizen', "
                "or use a signer profile with 'functie' and 'namens'"
            ),
        )
    return SignerPresentation(
        function=str(function),
        on_behalf_of=str(on_behalf),
        name=choice.name or (profile.name if profile else None),
        location=choice.location or (profile.location if profile else None),
    )


def appearance_style(settings: Settings) -> AppearanceStyle:
    """The workspace's house style for the visible signature."""
    template = bundled("templates") / APPEARANCE_TEMPLATE
    if (
        settings.templates_dir is not None
        and (settings.templates_dir / APPEARANCE_TEMPLATE).is_file()
    ):
        template = settings.templates_dir / APPEARANCE_TEMPLATE
    return AppearanceStyle(
        font=settings.font,
        font_dir=settings.font_dir,
        primary=settings.colours.primary,
        ink=settings.colours.text,
        template=template,
    )


def open_statement_signer(
    settings: Settings,
    choice: SignerChoice,
    slot: SignatureSlot | None = None,
    prompt: SecretPrompt | None = None,
    formula: tuple[str, str] | None = None,
    statement: StatementPdf | None = None,
) -> StatementSigner:
    """Check the setup, then open the key: ready to sign many files.

    The secret is asked only after :func:`check_before_secret` found nothing wrong.
    """
    setup = check_before_secret(settings, choice, slot, formula, statement)
    credential = open_credential(setup.source, prompt)
    try:
        if setup.known_certificate is not None and (
            credential.certificate.dump() != setup.known_certificate.dump()
        ):
            raise CredentialError(
                _(
                    "the token's key came with another certificate than the one checked before "
                    "the PIN was asked"
                ),
                hint=_(
                    "name the key and its certificate unambiguously ('sleutel' and "
                    "'certificaat' in the profile); `toetreding tokens` lists them"
                ),
            )
        options = SignOptions(
            presentation=presentation_for(choice, setup.profile, credential.certificate, formula),
            level=setup.level,
            tsa_url=setup.tsa_url,
            trust_roots=setup.trust_roots,
            crls=setup.crls,
            invisible=choice.invisible,
        )
        return StatementSigner(credential, options, appearance_style(settings))
    except BaseException:
        credential.close()
        raise


def refuse_unprovable_acceptance(
    settings: Settings, choice: SignerChoice, slot: SignatureSlot
) -> None:
    """The acceptance fixes the effective date, so by default it must be timestamped.

    Checked before the key is opened: a clerk never types a PIN for a signature that
    `verify` would then fail.
    """
    level = choice.level or settings.signing.level
    if (
        slot is SignatureSlot.COORDINATOR
        and not level.needs_timestamp
        and settings.verification.acceptance_needs_timestamp
    ):
        raise SigningError(
            _(
                "the consent fixes the date the accession takes effect, so its moment must be "
                "proven by a timestamp; PAdES {level} has none"
            ).format(level=level.value),
            hint=_(
                "sign the consent at B-T or higher (--level B-T, with --tsa URL or "
                "'ondertekening.tijdstempeldienst'); nothing was signed"
            ),
        )


def sign_file(
    settings: Settings,
    source: Path,
    output: Path,
    choice: SignerChoice,
    slot_name: str | None = None,
    prompt: SecretPrompt | None = None,
) -> SignOutcome:
    """Sign one statement: pick the field, open the key, sign, write atomically.

    The statement is read and its field chosen *before* the key is opened, so a wrong file
    never costs a PIN entry.
    """
    check_output_path(output, source)
    statement = read_statement(source)
    slot = choose_slot(statement, slot_name or preferred_slot(settings, choice))
    refuse_unprovable_acceptance(settings, choice, slot)
    if statement.embedded is not None and slot is SignatureSlot.PARTY:
        today = dt.datetime.now(dt.UTC).astimezone(AMSTERDAM).date()
        refuse_signing_before_date(statement.embedded.date, today)
    formula = statement.embedded.formula_for(slot) if statement.embedded else None
    with open_statement_signer(settings, choice, slot, prompt, formula, statement) as signer:
        return sign_statement(source, output, signer, slot.value, statement=statement)
