"""From settings and command-line choices to an open :class:`StatementSigner`.

Which key: ``--pkcs12 FILE`` or ``--pkcs11-module LIB`` on the command line, else the
profile named with ``--signer``, else the profile for the field being signed (``veld``),
else the config's default profile. How the signer is presented (function, on whose
behalf, place) comes from the profile, command-line options override it, and the
certificate's title and organisation fill what is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings, unsafe_module_reason
from ..errors import ConfigError, CredentialError, SigningError
from ..fileio import check_output_path
from ..model import SignatureSlot
from ..pki.files import load_crls, load_trust_roots
from ..resources import bundled
from ..secrets import SecretKind, SecretPrompt, SecretRequest, obtain_secret
from ..signing_config import Pkcs11Location, SignatureLevel, SignerProfile
from .appearance import APPEARANCE_TEMPLATE, AppearanceStyle
from .credentials import SigningCredential, open_pkcs11, open_pkcs12
from .document import choose_slot, read_statement
from .signing import SignerPresentation, SignOptions, SignOutcome, StatementSigner, sign_statement


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
            known = ", ".join(sorted(profiles)) or "none are configured"
            raise ConfigError(
                f"there is no signer profile '{choice.profile}'",
                hint=f"profiles under 'ondertekening.ondertekenaars': {known}",
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
        "no signing key was given",
        hint="use --signer PROFILE, --pkcs12 FILE or --pkcs11-module LIB, or set "
        "'ondertekening.standaard' in toetreding.yaml",
    )


def preferred_slot(settings: Settings, choice: SignerChoice) -> str | None:
    """The field the chosen profile is meant for, if it says."""
    if choice.profile and choice.profile in settings.signing.signers:
        return settings.signing.signers[choice.profile].slot
    return None


def open_credential(
    settings: Settings,
    choice: SignerChoice,
    profile: SignerProfile | None,
    prompt: SecretPrompt | None,
) -> SigningCredential:
    """Open the key (asks for the secret once)."""
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
            module = str(signing.path(profile.pkcs11.module))
            pkcs11 = profile.pkcs11.model_copy(update={"module": module})
    if pkcs12_path is not None:
        if not pkcs12_path.is_file():
            raise CredentialError(
                f"PKCS#12 file '{pkcs12_path}' not found",
                hint="check --pkcs12 or 'pkcs12' in the signer profile",
            )
        passphrase = obtain_secret(
            SecretRequest(SecretKind.PASSPHRASE, f"'{pkcs12_path.name}'"),
            secret_file=secret_file,
            prompt=prompt,
        )
        return open_pkcs12(pkcs12_path, passphrase, extra)
    if pkcs11 is not None:
        unsafe = unsafe_module_reason(Path(pkcs11.module))
        if unsafe is not None:
            raise CredentialError(
                f"PKCS#11 module '{pkcs11.module}' {unsafe}",
                hint="give the PKCS#11 library installed by the card's software or the system",
            )
        pin = obtain_secret(
            # the module (code that will be loaded) is named in the question, before any PIN
            SecretRequest(
                SecretKind.PIN,
                f"token '{pkcs11.token or '(first)'}' via PKCS#11 module {pkcs11.module}",
            ),
            secret_file=secret_file,
            prompt=prompt,
        )
        return open_pkcs11(pkcs11, pin, extra)
    raise ConfigError("no signing key was given", hint="use --pkcs12 FILE or --pkcs11-module LIB")


def presentation_for(
    choice: SignerChoice,
    profile: SignerProfile | None,
    credential: SigningCredential,
    formula: tuple[str, str] | None = None,
) -> SignerPresentation:
    """Function, on whose behalf, name and place: options > profile > the formula the
    statement's chain asks for (``formula``) > certificate."""
    subject = credential.certificate.subject.native
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
            "the signature must say in which function and on whose behalf you sign "
            "(Awb 10:10: the act names the original mandator)",
            hint="give --function 'burgemeester van Huizen' --on-behalf-of 'de gemeente Huizen', "
            "or use a signer profile with 'functie' and 'namens'",
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
) -> StatementSigner:
    """Open the key and prepare timestamping and validation: ready to sign many files."""
    picked = pick_profile(settings, choice, slot)
    profile = picked[1] if picked else None
    level = choice.level or settings.signing.level
    roots = load_trust_roots(choice.trust_roots or settings.signing.trust_roots)
    credential = open_credential(settings, choice, profile, prompt)
    try:
        options = SignOptions(
            presentation=presentation_for(choice, profile, credential, formula),
            level=level,
            tsa_url=choice.tsa_url or settings.signing.tsa,
            trust_roots=tuple(roots),
            crls=tuple(load_crls(choice.crls or settings.signing.crls)),
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
            f"the consent fixes the date the accession takes effect, so its moment must be "
            f"proven by a timestamp; PAdES {level.value} has none",
            hint="sign the consent at B-T or higher (--level B-T, with --tsa URL or "
            "'ondertekening.tijdstempeldienst'); nothing was signed",
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
    formula = statement.embedded.formula_for(slot) if statement.embedded else None
    with open_statement_signer(settings, choice, slot, prompt, formula) as signer:
        return sign_statement(source, output, signer, slot.value, statement=statement)
