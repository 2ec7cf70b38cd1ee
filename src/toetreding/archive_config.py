"""The `archief` section of toetreding.yaml: whose archive this is, who answers for a
validation, and how the records are classified and kept.

Archiefregeling art. 24 (under c) asks that a validated signature is recorded with *the
official responsible for the validation*. A name typed on the command line identifies no
one, so officials are declared here once (name, function, organisation) and named by
their key: ``verify --record --by KEY``; ``collect`` and ``accept`` record the official in
``verantwoordelijke``. The archive creator (``archiefvormer``) is identified by its TOOI
code (e.g. ``gm0406`` for gemeente Huizen), as MDTO metadata expects.

This module only describes settings; it imports nothing heavy.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .config_model import ConfigModel
from .errors import ConfigError
from .i18n import _

TOOI_CODE = r"^[a-z]{2,4}[0-9]{2,6}$"
"""A TOOI organisation code: gm0406 (gemeente), pv27 (provincie), ws0155 (waterschap),
mnre1034 (ministerie), oorg10103 (other organisations)."""

DURATION = r"^P([0-9]{1,3}Y([0-9]{1,4}M)?([0-9]{1,5}D)?|[0-9]{1,4}M([0-9]{1,5}D)?|[0-9]{1,5}D)$"
"""An ISO 8601 period in years, months and days (P10Y, P6M, P1Y6M): what a retention
period in a selection list is."""


def _plain_text(value: str) -> str:
    """Names and terms go into archival metadata as they are: no control characters (XML
    cannot carry most of them, and a reader cannot see them), and not blank."""
    if not value.strip():
        raise ValueError(_("this may not be empty or only spaces"))
    for character in value:
        if ord(character) < 0x20 or 0x7F <= ord(character) <= 0x9F:
            raise ValueError(
                _("this holds the control character U+{code}; write plain text").format(
                    code=f"{ord(character):04X}"
                )
            )
    return value


PlainText = Annotated[str, AfterValidator(_plain_text)]
"""Text for archival metadata (see :func:`_plain_text`)."""


class Organisation(ConfigModel):
    """An organisation, identified by its TOOI code."""

    name: PlainText = Field(alias="naam")
    """Its official name, e.g. 'gemeente Huizen'."""
    tooi: str | None = Field(default=None, alias="tooi")
    """Its TOOI code, e.g. gm0406 (https://identifier.overheid.nl/tooi/id/gemeente/gm0406)."""

    @field_validator("tooi")
    @classmethod
    def _tooi_code(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(TOOI_CODE, value):
            raise ValueError(
                _(
                    "'{value}' is not a TOOI code: lower-case letters and digits, e.g. gm0406 "
                    "(gemeente), pv27 (provincie), ws0155 (waterschap)"
                ).format(value=value)
            )
        return value


class Official(ConfigModel):
    """An official who may answer for validations (Archiefregeling art. 24 under c)."""

    name: PlainText = Field(alias="naam")
    """Name as it should stand in the record, e.g. 'mr. A. de Vries'."""
    role: PlainText = Field(alias="functie")
    """Function, e.g. 'adviseur informatiebeheer'."""
    organisation: PlainText | None = Field(default=None, alias="organisatie")
    """Organisation (default: the archive creator's name)."""
    identifier: PlainText | None = Field(default=None, alias="kenmerk")
    """An identifier in the organisation's own systems (e.g. a personnel number)."""


class ArchiveConcept(ConfigModel):
    """A term from a vocabulary (MDTO 'begrip'): label, optional code, the list it is from."""

    label: PlainText = Field(alias="label")
    code: PlainText | None = Field(default=None, alias="code")
    vocabulary: PlainText = Field(alias="lijst")
    """The vocabulary's name, e.g. 'Selectielijst gemeenten en intergemeentelijke organen 2020'."""


class ArchiveOptions(ConfigModel):
    """The `archief` section: archive creator, responsible officials, classification, retention."""

    creator: Organisation | None = Field(default=None, alias="archiefvormer")
    """The organisation whose archive the statements belong to."""
    officials: dict[str, Official] = Field(default_factory=dict, alias="medewerkers")
    """Officials by key, named with `verify --record --by KEY`."""
    responsible: str | None = Field(default=None, alias="verantwoordelijke")
    """The key of the official `collect`, `accept` and the demo record as responsible."""
    classification: ArchiveConcept | None = Field(default=None, alias="classificatie")
    """Where the statements sit in the organisation's classification (e.g. a selection list item)."""
    appraisal: Literal["B", "V"] = Field(default="B", alias="waardering")
    """B: to be kept permanently (blijvend te bewaren); V: to be destroyed after the retention period."""
    retention: str | None = Field(default=None, alias="bewaartermijn")
    """Retention period as an ISO 8601 duration (e.g. P10Y); required with waardering V."""
    information_category: ArchiveConcept | None = Field(default=None, alias="informatiecategorie")
    """The selection list category the appraisal follows from."""

    @field_validator("retention")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        if value is not None and (
            not re.fullmatch(DURATION, value) or not any(c in "123456789" for c in value)
        ):
            raise ValueError(
                _(
                    "'{value}' is not a retention period: write an ISO 8601 period such as "
                    "P10Y (ten years), P6M or P1Y6M"
                ).format(value=value)
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ArchiveOptions:
        if self.responsible is not None and self.responsible not in self.officials:
            raise ValueError(
                _("verantwoordelijke '{key}' is not one of the medewerkers ({known})").format(
                    key=self.responsible, known=", ".join(sorted(self.officials)) or "none"
                )
            )
        if self.appraisal == "V" and self.retention is None:
            raise ValueError(_("waardering V (to be destroyed) needs a bewaartermijn, e.g. P10Y"))
        if self.appraisal == "B" and self.retention is not None:
            raise ValueError(
                _(
                    "a bewaartermijn goes with waardering V; records with waardering B are "
                    "kept permanently (remove the bewaartermijn, or set waardering: V)"
                )
            )
        return self


def official_record(options: ArchiveOptions, key: str) -> dict[str, Any]:
    """The official named ``key``, as a register payload records them.

    Raises ConfigError naming the known keys (and the YAML to add) when there is no such
    official: a validation must be answered for by someone the organisation declared.
    """
    official = options.officials.get(key)
    if official is None:
        known = ", ".join(sorted(options.officials))
        raise ConfigError(
            _("there is no official '{key}' in archief.medewerkers of toetreding.yaml").format(
                key=key
            )
            + (_(" (known: {known})").format(known=known) if known else ""),
            hint=_(
                "declare who answers for validations once, e.g.\n"
                "archief:\n  medewerkers:\n    {key}:\n      naam: A. de Vries\n"
                "      functie: adviseur informatiebeheer\n"
                "and name them with --by {key}"
            ).format(key=key if key.isidentifier() else "adevries"),
        )
    creator = options.creator
    record: dict[str, Any] = {
        "sleutel": key,
        "naam": official.name,
        "functie": official.role,
        "organisatie": official.organisation or (creator.name if creator else None),
    }
    if creator is not None and creator.tooi and official.organisation in (None, creator.name):
        record["tooi"] = creator.tooi
    if official.identifier:
        record["kenmerk"] = official.identifier
    return record


def responsible_record(options: ArchiveOptions, step: str) -> dict[str, Any]:
    """The configured responsible official, for a step that records validations
    (``step``: the command, for the message)."""
    if options.responsible is None:
        raise ConfigError(
            _(
                "`{step}` records validations, and toetreding.yaml names no official responsible "
                "for them (archief.verantwoordelijke)"
            ).format(step=step),
            hint=_(
                "add, e.g.\narchief:\n  medewerkers:\n    adevries:\n      naam: A. de Vries\n"
                "      functie: adviseur informatiebeheer\n  verantwoordelijke: adevries"
            ),
        )
    return official_record(options, options.responsible)
