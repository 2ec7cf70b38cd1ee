"""Settings: argument > environment (TOETREDING_*) > config file > built-in defaults.

The config file is ``toetreding.yaml``. It is found, in this order: the path given with
``--config``; ``$TOETREDING_CONFIG``; the first ``toetreding.yaml`` in the current folder or
one of its parents (so commands run inside a workspace find its settings); the bundled
default in ``config/toetreding.yaml``. Paths inside a config file are relative to it.

A config that was *found* rather than given is treated with suspicion, because a folder
can be handed to a clerk (an inbox, an unpacked zip) with a ``toetreding.yaml`` planted
above it: a found config must belong to the current user (or root); one found in a
*parent* folder may name files only inside its own folder tree (templates, logo, fonts,
keys, secrets, trust roots, revocation lists, the register) and may not name a PKCS#11
module at all — a module is code, and is loaded only from the user's own configuration
(``--config``, ``$TOETREDING_CONFIG``, the current folder's file) or ``--pkcs11-module``.
Templates are data either way (a sandboxed Jinja, see render/templates.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated

from pydantic import Field

from .archive_config import ArchiveOptions
from .config_model import ConfigModel
from .errors import ConfigError, Problem, ValidationFailed
from .i18n import _
from .inputs import read_yaml, validate
from .model import Language, OutputProfile
from .resources import bundled
from .signing_config import (
    ResolvedSigning,
    SignatureLevel,
    SigningOptions,
    VerificationOptions,
    resolve_signing,
)

CONFIG_FILE_NAME = "toetreding.yaml"
REGISTER_FILE_NAME = "toetreding-register.sqlite"

HexColour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]


class Colours(ConfigModel):
    """House colours as #RRGGBB."""

    primary: HexColour = Field(default="#154273", alias="primair")
    """Headings, rules and the title."""
    text: HexColour = Field(default="#000000", alias="tekst")


class HouseStyle(ConfigModel):
    """How statements look."""

    logo: str | None = Field(default=None, alias="logo")
    """PNG or SVG file, relative to the config file; it must lie inside the workspace."""
    font: str = Field(default="Libertinus Serif", alias="lettertype")
    """Font family; the default ships with Typst, so nothing needs installing."""
    font_dir: str | None = Field(default=None, alias="lettertypemap")
    """Folder with extra font files (OTF/TTF), relative to the config file."""
    colours: Colours = Field(default_factory=Colours, alias="kleuren")


class OutputOptions(ConfigModel):
    """What kind of PDF to make."""

    profile: OutputProfile = Field(default=OutputProfile.PDFA_2A, alias="profiel")
    """pdfa-2a: PDF/A-2a + PDF/UA-1 (archives' preference); pdfa-3a: PDF/A-3a + PDF/UA-1."""
    language: Language = Field(default=Language.DUTCH, alias="taal")
    """Document language when the request does not set one."""


class ConfigFile(ConfigModel):
    """The structure of toetreding.yaml."""

    house_style: HouseStyle = Field(default_factory=HouseStyle, alias="huisstijl")
    output: OutputOptions = Field(default_factory=OutputOptions, alias="uitvoer")
    templates: str | None = Field(default=None, alias="sjablonen")
    """Folder with templates that replace bundled ones of the same name."""
    signing: SigningOptions = Field(default_factory=SigningOptions, alias="ondertekening")
    verification: VerificationOptions = Field(
        default_factory=VerificationOptions, alias="verificatie"
    )
    register_file: str | None = Field(default=REGISTER_FILE_NAME, alias="register")
    """The register (SQLite) of renders, signatures and validations; null switches it off."""
    archive: ArchiveOptions = Field(default_factory=ArchiveOptions, alias="archief")
    """Archive creator, responsible officials, classification and retention."""


@dataclass(frozen=True)
class Settings:
    """Resolved settings with absolute paths; what the library works with."""

    config_path: Path | None
    workspace: Path
    """Folder that templates may read from (logo, fonts): the config file's folder."""
    profile: OutputProfile
    language: Language
    font: str
    font_dir: Path | None
    logo: Path | None
    colours: Colours
    templates_dir: Path | None
    signing: ResolvedSigning
    register: Path | None
    """The register file, or None when switched off."""
    verification: VerificationOptions = field(default_factory=VerificationOptions)
    archive: ArchiveOptions = field(default_factory=ArchiveOptions)
    config_given: bool = False
    """Whether the config was named (--config, TOETREDING_CONFIG) rather than found by
    searching: a found one may only load a PKCS#11 module the system installed."""

    def with_overrides(
        self,
        *,
        profile: OutputProfile | None = None,
        language: Language | None = None,
        templates_dir: Path | None = None,
    ) -> Settings:
        """A copy with command-line arguments applied (None keeps the current value)."""
        return replace(
            self,
            profile=profile or self.profile,
            language=language or self.language,
            templates_dir=templates_dir or self.templates_dir,
        )


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest toetreding.yaml in ``start`` or its parents, or None."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_FILE_NAME
        if path.is_file():
            return path
    return None


def load_settings(
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Resolve settings from defaults, the config file and the environment."""
    env = os.environ if environ is None else environ
    if config_path is None and env.get("TOETREDING_CONFIG"):
        config_path = Path(env["TOETREDING_CONFIG"])
    if config_path is not None and not config_path.is_file():
        raise ConfigError(
            _("config file '{path}' not found").format(path=config_path),
            hint=_("give an existing toetreding.yaml with --config or TOETREDING_CONFIG"),
        )
    located = config_path or find_config_file(cwd)
    if located is not None:
        if config_path is None:
            _check_found_config_owner(located)
        config = validate(read_yaml(located), ConfigFile)
        _refuse_nul_paths(config, located)
        base = located.resolve().parent
        if config_path is None and base != (cwd or Path.cwd()).resolve():
            _confine_inherited_config(config, located, base)
    else:
        config = ConfigFile()
        base = (cwd or Path.cwd()).resolve()

    def relative(value: str | None) -> Path | None:
        return None if value is None else (base / value).resolve()

    settings = Settings(
        config_path=located.resolve() if located else None,
        workspace=base,
        profile=config.output.profile,
        language=config.output.language,
        font=config.house_style.font,
        font_dir=relative(config.house_style.font_dir),
        logo=relative(config.house_style.logo),
        colours=config.house_style.colours,
        templates_dir=relative(config.templates),
        signing=resolve_signing(config.signing, base),
        register=relative(config.register_file),
        verification=config.verification,
        archive=config.archive,
        config_given=config_path is not None,
    )
    if settings.templates_dir is not None and not settings.templates_dir.is_relative_to(base):
        raise ConfigError(
            _(
                "{config}: sjablonen points outside the workspace ({folder}); "
                "templates from a config must lie in the config's own folder tree (a link out of "
                "it counts as outside)"
            ).format(config=located, folder=settings.templates_dir),
            hint=_(
                "copy the templates into {workspace}, or pass --templates DIR on the command line"
            ).format(workspace=base),
        )
    settings = _apply_environment(settings, env)
    _check_paths(settings, located)
    return settings


def _refuse_nul_paths(config: ConfigFile, located: Path | None) -> None:
    """A NUL byte (written as an escape) cannot be in a path; say where, not crash."""
    for key, value in _named_paths(config):
        if value is not None and "\x00" in value:
            raise ConfigError(
                _("{config}: {key} contains a NUL character, which no file name can hold").format(
                    config=located, key=key
                ),
                hint=_("write the path as plain text"),
            )


def _named_paths(config: ConfigFile) -> list[tuple[str, str | None]]:
    """Every file path a config names, with its key."""
    named: list[tuple[str, str | None]] = [
        ("sjablonen", config.templates),
        ("huisstijl.logo", config.house_style.logo),
        ("huisstijl.lettertypemap", config.house_style.font_dir),
        ("register", config.register_file),
    ]
    signing = config.signing
    named += [("ondertekening.vertrouwensankers", p) for p in signing.trust_roots]
    named += [("ondertekening.intrekkingslijsten", p) for p in signing.crls]
    if signing.tsa is not None and signing.tsa.startswith("demo:"):
        named.append(("ondertekening.tijdstempeldienst", signing.tsa.removeprefix("demo:")))
    for name, profile in signing.signers.items():
        key = f"ondertekening.ondertekenaars.{name}"
        named += [
            (f"{key}.pkcs12", profile.pkcs12),
            (f"{key}.wachtwoordbestand", profile.secret_file),
        ]
        named += [(f"{key}.tussencertificaten", p) for p in profile.intermediates]
        if profile.pkcs11 is not None:
            named.append((f"{key}.pkcs11.module", profile.pkcs11.module))
    return named


def _check_found_config_owner(path: Path) -> None:
    """A config found by searching must be the user's own (or root's), not someone else's."""
    owner = path.stat().st_uid
    if owner not in (os.getuid(), 0):
        raise ConfigError(
            _(
                "the config file '{path}' was found by searching but belongs to another user "
                "(uid {owner}); it is not used"
            ).format(path=path, owner=owner),
            hint=_("if you trust it, name it explicitly with --config; otherwise remove it"),
        )


def _confine_inherited_config(config: ConfigFile, located: Path, base: Path) -> None:
    """A config found in a parent folder names only files in its own folder tree, no module."""
    for name, profile in config.signing.signers.items():
        if profile.pkcs11 is not None:
            raise ConfigError(
                _(
                    "{config}: ondertekening.ondertekenaars.{name}.pkcs11 names a PKCS#11 module, "
                    "and this config was found in a parent folder, not given or in the current "
                    "folder; a module is code and is not loaded from a config found that way"
                ).format(config=located, name=name),
                hint=_("run in {folder}, pass --config {config}, or give --pkcs11-module").format(
                    folder=base, config=located
                ),
            )
    named = _named_paths(config)
    for key, value in named:
        if value is None:
            continue
        target = (base / value).resolve()
        if not target.is_relative_to(base):
            raise ConfigError(
                _(
                    "{config}: {key} points outside the config's own folder ({target}); a config "
                    "found in a parent folder may only name files inside its own folder tree"
                ).format(config=located, key=key, target=target),
                hint=_(
                    "if you trust this config, pass --config {config}; otherwise remove it"
                ).format(config=located),
            )


def _apply_environment(settings: Settings, env: Mapping[str, str]) -> Settings:
    problems: list[Problem] = []
    profile = language = None
    if value := env.get("TOETREDING_PROFILE"):
        try:
            profile = OutputProfile(value)
        except ValueError:
            allowed = ", ".join(p.value for p in OutputProfile)
            problems.append(
                Problem(
                    _("TOETREDING_PROFILE={value} is not a profile").format(value=repr(value)),
                    hint=_("use {allowed}").format(allowed=allowed),
                )
            )
    if value := env.get("TOETREDING_LANG"):
        try:
            language = Language(value)
        except ValueError:
            problems.append(
                Problem(
                    _("TOETREDING_LANG={value} is not a language").format(value=repr(value)),
                    hint=_("use nl or en"),
                )
            )
    if value := env.get("TOETREDING_LEVEL"):
        try:
            level = SignatureLevel(value.upper())
        except ValueError:
            allowed = ", ".join(level.value for level in SignatureLevel)
            problems.append(
                Problem(
                    _("TOETREDING_LEVEL={value} is not a PAdES level").format(value=repr(value)),
                    hint=_("use {allowed}").format(allowed=allowed),
                )
            )
        else:
            settings = replace(settings, signing=replace(settings.signing, level=level))
    if value := env.get("TOETREDING_TSA"):
        settings = replace(settings, signing=replace(settings.signing, tsa=value))
    if problems:
        raise ValidationFailed(problems)
    if "TOETREDING_REGISTER" in env:
        value = env["TOETREDING_REGISTER"].strip()
        off = value.lower() in ("", "none", "null", "off")
        settings = replace(settings, register=None if off else Path(value).resolve())
    templates = Path(env["TOETREDING_TEMPLATES"]) if env.get("TOETREDING_TEMPLATES") else None
    return settings.with_overrides(profile=profile, language=language, templates_dir=templates)


def _check_paths(settings: Settings, config_path: Path | None) -> None:
    where = str(config_path) if config_path else _("the settings")
    if settings.logo is not None and not settings.logo.is_file():
        raise ConfigError(
            _("{where}: huisstijl.logo '{path}' does not exist").format(
                where=where, path=settings.logo
            ),
            hint=_(
                "put the PNG or SVG in the workspace and give its path relative to toetreding.yaml"
            ),
        )
    if settings.font_dir is not None and not settings.font_dir.is_dir():
        raise ConfigError(
            _("{where}: huisstijl.lettertypemap '{path}' is not a folder").format(
                where=where, path=settings.font_dir
            ),
            hint=_("create it and put the font files (OTF/TTF) in it, or remove the key"),
        )
    if settings.templates_dir is not None:
        check_templates_dir(settings.templates_dir)
    _check_pkcs11_modules(settings, where)
    for root in settings.signing.trust_roots:
        if not root.is_file():
            raise ConfigError(
                _("{where}: ondertekening.vertrouwensankers: '{path}' does not exist").format(
                    where=where, path=root
                ),
                hint=_("give the root certificate file (PEM or DER) relative to toetreding.yaml"),
            )
    for revocation_list in settings.signing.crls:
        if not revocation_list.is_file():
            raise ConfigError(
                _("{where}: ondertekening.intrekkingslijsten: '{path}' does not exist").format(
                    where=where, path=revocation_list
                ),
                hint=_("give the CRL file (PEM or DER) relative to toetreding.yaml"),
            )


def _check_pkcs11_modules(settings: Settings, where: str) -> None:
    """A module named in a config is loaded as code: only from a file others cannot change."""
    for name, profile in settings.signing.signers.items():
        if profile.pkcs11 is None:
            continue
        module = settings.signing.path(profile.pkcs11.module)
        problem = unsafe_module_reason(module)
        if problem is not None:
            raise ConfigError(
                _(
                    "{where}: ondertekening.ondertekenaars.{name}.pkcs11.module '{module}' {reason}"
                ).format(where=where, name=name, module=module, reason=problem),
                hint=_(
                    "give the PKCS#11 library installed by the card's software or the system "
                    "(e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so)"
                ),
            )


def unsafe_module_reason(module: Path) -> str | None:
    """Why a PKCS#11 library may not be loaded (None when it may)."""
    import stat

    try:
        info = module.stat()
    except OSError:
        return None  # a missing module is reported, with its own hint, when signing
    if not stat.S_ISREG(info.st_mode):
        return _("is not a regular file")
    if info.st_uid not in (os.getuid(), 0):
        return _("belongs to another user (uid {owner}), so it could run their code").format(
            owner=info.st_uid
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return _("can be changed by other users (group- or world-writable), so it is not loaded")
    return None


def found_config_module_reason(module: Path, workspace: Path) -> str | None:
    """Why a config that was *found* (not named) may not load this PKCS#11 module.

    Loading a module runs its code, before any PIN is asked (the token is checked first).
    A folder handed to you can carry a ``toetreding.yaml`` and a library beside it, and when
    you unpack it the files are yours (as root: root's). So a found config may only name a
    module the system installed: outside the config's folder tree, and the file and every
    folder above it owned by root and writable by nobody else — e.g. OpenSC's
    ``/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so`` or a card vendor's package.
    """
    import stat

    resolved = module.resolve()
    if resolved.is_relative_to(workspace.resolve()):
        return _("lies inside the workspace the config was found in")
    for part in (resolved, *resolved.parents):
        try:
            info = part.stat()
        except OSError:
            return None  # a missing module is reported, with its own hint, when it is used
        if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return _(
                "is not a module the system installed ('{path}' can be changed by a user other "
                "than root)"
            ).format(path=part)
    return None


def check_templates_dir(folder: Path) -> None:
    """Refuse a templates folder that does not exist."""
    if not folder.is_dir():
        raise ConfigError(
            _("templates folder '{folder}' does not exist").format(folder=folder),
            hint=_(
                "give a folder holding templates named like the bundled ones (nl/verklaring.typ.j2)"
            ),
        )


def default_config_text() -> str:
    """The documented default config file, for `toetreding demo` and for reference."""
    return (bundled("config") / CONFIG_FILE_NAME).read_text(encoding="utf-8")
