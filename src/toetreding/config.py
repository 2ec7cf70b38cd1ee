"""Settings: argument > environment (TOETREDING_*) > config file > built-in defaults.

The config file is ``toetreding.yaml``. It is found, in this order: the path given with
``--config``; ``$TOETREDING_CONFIG``; the first ``toetreding.yaml`` in the current folder or
one of its parents (so commands run inside a workspace find its settings); the bundled
default in ``config/toetreding.yaml``. Paths inside a config file are relative to it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .errors import ConfigError, Problem, ValidationFailed
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


class _ConfigModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_alias=True,
        validate_by_name=False,
        use_attribute_docstrings=True,
    )


class Colours(_ConfigModel):
    """House colours as #RRGGBB."""

    primary: HexColour = Field(default="#154273", alias="primair")
    """Headings, rules and the title."""
    text: HexColour = Field(default="#000000", alias="tekst")


class HouseStyle(_ConfigModel):
    """How statements look."""

    logo: str | None = Field(default=None, alias="logo")
    """PNG or SVG file, relative to the config file; it must lie inside the workspace."""
    font: str = Field(default="Libertinus Serif", alias="lettertype")
    """Font family; the default ships with Typst, so nothing needs installing."""
    font_dir: str | None = Field(default=None, alias="lettertypemap")
    """Folder with extra font files (OTF/TTF), relative to the config file."""
    colours: Colours = Field(default_factory=Colours, alias="kleuren")


class OutputOptions(_ConfigModel):
    """What kind of PDF to make."""

    profile: OutputProfile = Field(default=OutputProfile.PDFA_2A, alias="profiel")
    """pdfa-2a: PDF/A-2a + PDF/UA-1 (archives' preference); pdfa-3a: PDF/A-3a + PDF/UA-1."""
    language: Language = Field(default=Language.DUTCH, alias="taal")
    """Document language when the request does not set one."""


class ConfigFile(_ConfigModel):
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
            f"config file '{config_path}' not found",
            hint="give an existing toetreding.yaml with --config or TOETREDING_CONFIG",
        )
    located = config_path or find_config_file(cwd)
    if located is not None:
        config = validate(read_yaml(located), ConfigFile)
        base = located.resolve().parent
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
    )
    settings = _apply_environment(settings, env)
    _check_paths(settings, located)
    return settings


def _apply_environment(settings: Settings, env: Mapping[str, str]) -> Settings:
    problems: list[Problem] = []
    profile = language = None
    if value := env.get("TOETREDING_PROFILE"):
        try:
            profile = OutputProfile(value)
        except ValueError:
            allowed = ", ".join(p.value for p in OutputProfile)
            problems.append(
                Problem(f"TOETREDING_PROFILE={value!r} is not a profile", hint=f"use {allowed}")
            )
    if value := env.get("TOETREDING_LANG"):
        try:
            language = Language(value)
        except ValueError:
            problems.append(
                Problem(f"TOETREDING_LANG={value!r} is not a language", hint="use nl or en")
            )
    if value := env.get("TOETREDING_LEVEL"):
        try:
            level = SignatureLevel(value.upper())
        except ValueError:
            allowed = ", ".join(level.value for level in SignatureLevel)
            problems.append(
                Problem(f"TOETREDING_LEVEL={value!r} is not a PAdES level", hint=f"use {allowed}")
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
    where = str(config_path) if config_path else "the settings"
    if settings.logo is not None and not settings.logo.is_file():
        raise ConfigError(
            f"{where}: huisstijl.logo '{settings.logo}' does not exist",
            hint="put the PNG or SVG in the workspace and give its path relative to toetreding.yaml",
        )
    if settings.font_dir is not None and not settings.font_dir.is_dir():
        raise ConfigError(
            f"{where}: huisstijl.lettertypemap '{settings.font_dir}' is not a folder",
            hint="create it and put the font files (OTF/TTF) in it, or remove the key",
        )
    if settings.templates_dir is not None:
        check_templates_dir(settings.templates_dir)
    for root in settings.signing.trust_roots:
        if not root.is_file():
            raise ConfigError(
                f"{where}: ondertekening.vertrouwensankers: '{root}' does not exist",
                hint="give the root certificate file (PEM or DER) relative to toetreding.yaml",
            )
    for revocation_list in settings.signing.crls:
        if not revocation_list.is_file():
            raise ConfigError(
                f"{where}: ondertekening.intrekkingslijsten: '{revocation_list}' does not exist",
                hint="give the CRL file (PEM or DER) relative to toetreding.yaml",
            )


def check_templates_dir(folder: Path) -> None:
    """Refuse a templates folder that does not exist."""
    if not folder.is_dir():
        raise ConfigError(
            f"templates folder '{folder}' does not exist",
            hint="give a folder holding templates named like the bundled ones (nl/verklaring.typ.j2)",
        )


def default_config_text() -> str:
    """The documented default config file, for `toetreding demo` and for reference."""
    return (bundled("config") / CONFIG_FILE_NAME).read_text(encoding="utf-8")
