"""MDTO metadata for a signed toetredingsverklaring, written as MDTO-XML 1.0.2.

A municipality hands its records over to an archive (e-depot) together with metadata in
MDTO, the Nationaal Archief's standard (Metagegevens voor Duurzaam Toegankelijke
Overheidsinformatie). The receiving system checks that metadata against the official XML
schema and refuses what does not validate, so this module writes documents that follow the
schema to the letter and can check them against it itself (:func:`validate`) before anything
leaves the municipality.

Two kinds of document exist: one for the *informatieobject* (the statement as a record:
its kenmerk, title, events, appraisal, relations) and one for each *bestand* (the PDF that
represents it: size, format, checksum). The dataclasses here carry English names; their
docstrings name the MDTO element each field becomes. Fields are declared in the order of
the XSD sequences, and the writer emits them in that order, because XSD sequences are
ordered and an element out of place invalidates the document.

Left out on purpose, because a statement has no use for them: ``raadpleeglocatie``,
``dekkingInTijd`` and ``dekkingInRuimte``.

Text is refused, not cleaned: a string holding a character that XML 1.0 cannot carry
(control characters such as U+0001, lone surrogates, U+FFFE/U+FFFF) raises ValueError
naming the field. Silently dropping characters from a title or a name would make the
archived metadata differ from the signed document without anyone noticing. Everything
else (``<``, ``&``, ``]]>``, quotes, right-to-left text) is escaped by the serializer and
reads back exactly; a carriage return is written as ``&#13;`` so that it survives too.

Error messages are plain English: they report a programming or data error in the caller
(the workflow builds these objects from checked input), not a message for the CLI user.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

NAMESPACE: Final = "https://www.nationaalarchief.nl/mdto"
"""The MDTO-XML target namespace."""
XSD_NAME: Final = "MDTO-XML1.0.2.xsd"
"""The schema file shipped next to this module (a byte-for-byte copy of Nationaal Archief's)."""
_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"

# --- Begrippenlijsten -----------------------------------------------------------------------
# The names below are written in begripBegrippenlijst/verwijzingNaam. Those marked "official
# example" appear verbatim in Nationaal Archief's MDTO-XML examples; those marked "by analogy"
# do not appear in any official example and follow the same pattern ("Begrippenlijst <name of
# the list in the MDTO metagegevensschema> MDTO").

AGGREGATION_LIST: Final = "Begrippenlijst Aggregatieniveaus MDTO"  # official example
EVENT_TYPE_LIST: Final = "Begrippenlijst EventTypeLijst MDTO"  # official example
APPRAISAL_LIST: Final = "Begrippenlijst Waarderingen MDTO"  # official example
CHECKSUM_ALGORITHM_LIST: Final = "Begrippenlijst ChecksumAlgoritme MDTO"  # official example
PRONOM_LIST: Final = "PRONOM-register"  # official example (bestandsformaat)
RELATION_TYPE_LIST: Final = "Begrippenlijst Relatietypen (informatieobject) MDTO"  # by analogy
INVOLVED_RELATION_LIST: Final = "Begrippenlijst Relatietypen (betrokkene) MDTO"  # by analogy
USE_RESTRICTION_LIST: Final = "Begrippenlijst BeperkingGebruikTypeLijst MDTO"  # by analogy

EVENT_TYPES: Final = frozenset(
    {
        "Creatie",
        "Ontvangst",
        "Verzending",
        "Opname",
        "Digitalisering",
        "Vervanging",
        "Bevriezing",
        "Conversie",
        "Export",
        "Import",
        "Kopie",
        "Migratie",
        "Vernietigen",
        "Overbrenging",
        "Uitplaatsing",
        "Wijziging",
        "Publicatie",
        "Accordering",
        "Validatie Handtekening",
    }
)
"""The labels of MDTO's EventTypeLijst (MDTO metagegevensschema, section Begrippenlijsten)."""

CREATION: Final = "Creatie"
"""The statement was drawn up (rendered)."""
SIGNING: Final = "Accordering"
"""A signature was placed. The EventTypeLijst has no label 'Ondertekening'; 'Accordering' is
defined as approving an information object, "bijvoorbeeld door een digitale handtekening",
which is what a signature on the statement does."""
SIGNATURE_VALIDATION: Final = "Validatie Handtekening"
"""The signatures were validated: the list's own label for checking that a digital signature
was really placed by the actor concerned (Archiefregeling art. 24 wants its moment, result
and responsible official recorded, which eventTijd, eventResultaat and
eventVerantwoordelijkeActor carry)."""

RELATION_TYPES: Final = frozenset(
    {
        "Heeft Versie",
        "Wordt aangehaald door",
        "Is vervangen door",
        "Is vereist door",
        "Is een versie van",
        "Refereert aan",
        "Vervangt",
        "Heeft nodig",
    }
)
"""The labels of MDTO's list Relatietypen (informatieobject), after Dublin Core terms."""

INVOLVED_RELATIONS: Final = frozenset({"Belanghebbende", "Indiener", "Rechthebbende"})
"""The labels of MDTO's list Relatietypen (betrokkene)."""

USE_RESTRICTION_TYPES: Final = frozenset({"Geen beperking", "Nader te bepalen", "Overig"})
"""The labels of MDTO's BeperkingGebruikTypeLijst."""

_CHECKSUM_HEX_LENGTHS: Final = {"SHA224": 56, "SHA256": 64, "SHA384": 96, "SHA512": 128}
"""Hex digits per SHA-2 digest, keyed by the label without its hyphen ('SHA-256' or 'SHA256')."""

_TOOI_CODE: Final = re.compile(r"[a-z]{2,4}[0-9]{2,6}", re.ASCII)

# --- Text and value checks ------------------------------------------------------------------


def printable(value: object, empty: str = "(leeg)") -> str:
    """``value`` as text this module accepts, for data that arrives from elsewhere (a PDF's
    own statement data, a certificate's name, an old register entry): every character XML
    1.0 cannot carry, and every other control character, is written as its code point
    (``U+0001``), and blank text becomes ``empty``. The writer itself still refuses such
    text, so nothing slips through unnoticed where a caller forgot this."""
    text = "".join(
        ch
        if ch in "\t\n\r"
        or (not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F) and _NOT_XML_CHAR.fullmatch(ch) is None)
        else f"U+{ord(ch):04X}"
        for ch in str(value)
    )
    return text if text.strip(_XSD_WHITESPACE) else empty


_NOT_XML_CHAR: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XSD_WHITESPACE: Final = " \t\n\r"
"""What the XSD pattern escape \\s matches; NietLegeWaarde needs one character outside it."""
_LANGUAGE: Final = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", re.ASCII)
"""xsd:language, the type of taal."""
_DURATION: Final = re.compile(r"P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?", re.ASCII)
_EVENT_TIME: Final = re.compile(
    r"-?[0-9]{4,}"  # year
    r"(?:-[0-9]{2}"  # month
    r"(?:-[0-9]{2}"  # day
    r"(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)?)?)?"  # time
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?",  # timezone
    re.ASCII,
)
"""The lexical shapes of eventTijd's union: gYear, gYearMonth, date, dateTime (each with an
optional timezone). The schema checks the ranges; this catches free text early."""


def _check_text(where: str, value: object, *, required: bool = True) -> None:
    """Refuse what XML 1.0 cannot carry, and (for NietLegeWaarde fields) blank values."""
    if not isinstance(value, str):
        raise TypeError(f"{where} must be a str, not {type(value).__name__}")
    bad = _NOT_XML_CHAR.search(value)
    if bad is not None:
        raise ValueError(
            f"{where} contains U+{ord(bad.group()):04X} at position {bad.start()}, "
            "a character XML 1.0 cannot carry; remove it from the input"
        )
    if required and not value.strip(_XSD_WHITESPACE):
        raise ValueError(f"{where} is empty or only whitespace; MDTO requires a value here")


def _check_date(where: str, value: object) -> None:
    """xsd:date fields take a date; a datetime would write a time the type does not allow."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{where} must be a datetime.date (not a datetime), got {value!r}")


def _aware_datetime(where: str, value: dt.datetime) -> str:
    """ISO 8601 with offset, to the second. A time without offset names no moment."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{where} is a naive datetime ({value.isoformat()}); give it a timezone, "
            "e.g. ZoneInfo('Europe/Amsterdam'), so the archived moment is unambiguous"
        )
    return value.isoformat(timespec="seconds")


def _event_time(where: str, value: dt.datetime | dt.date | str) -> str:
    if isinstance(value, dt.datetime):
        return _aware_datetime(where, value)
    if isinstance(value, dt.date):
        return value.isoformat()
    _check_text(where, value)
    if _EVENT_TIME.fullmatch(value) is None:
        raise ValueError(
            f"{where} {value!r} is not a year, year-month, date or date-time as "
            "ISO 8601 writes them (e.g. 2026, 2026-03, 2026-03-02, 2026-03-02T14:05:00+01:00)"
        )
    return value


# --- Durations ------------------------------------------------------------------------------


def parse_duration(value: str) -> tuple[int, int, int]:
    """Years, months and days of an ISO 8601 duration written as PnYnMnD.

    Retention periods in selection lists are whole years or months (P10Y, P20Y, P6M), so only
    that form is accepted: ASCII digits, components in the order Y, M, D, at least one of
    them. Weeks (P1W), times (PT1H), fractions and signs raise ValueError naming the value,
    as do lower-case letters, which xsd:duration does not allow either.
    """
    if not isinstance(value, str):
        raise TypeError(f"a duration must be a str, not {type(value).__name__}")
    match = _DURATION.fullmatch(value)
    if match is None or value == "P":
        raise ValueError(
            f"duration {value!r} is not of the form PnYnMnD (e.g. P10Y, P6M, P1Y6M); "
            "weeks, times, fractions and signs are not supported"
        )
    years, months, days = (int(part) if part else 0 for part in match.groups())
    return years, months, days


def add_duration(start: dt.date, duration: str) -> dt.date:
    """The date a PnYnMnD duration after ``start``, the way XML Schema adds durations.

    Years and months first; a day that does not exist in the resulting month is pinned to the
    month's last day (2024-02-29 + P1Y = 2025-02-28, 2026-01-31 + P1M = 2026-02-28); then the
    days are added. MDTO defines termijnEinddatum as start plus looptijd, so this is the
    arithmetic an archive will use to check it.
    """
    years, months, days = parse_duration(duration)
    month_index = start.year * 12 + (start.month - 1) + years * 12 + months
    year, month = divmod(month_index, 12)
    month += 1
    try:
        last_day = (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1)
        last_day -= dt.timedelta(days=1)
        result = dt.date(year, month, min(start.day, last_day.day)) + dt.timedelta(days=days)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{start.isoformat()} + {duration} falls outside the calendar") from exc
    return result


# --- The metadata ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Identification:
    """identificatieGegevens: a kenmerk and the source within which it is unique.

    MDTO does not want bare numbers: "2026/0412" means nothing without the register that
    issued it, so the source is required.
    """

    kenmerk: str
    """identificatieKenmerk, e.g. '2026/0412'."""
    source: str
    """identificatieBron, e.g. 'Registratie toetredingsverklaringen gemeente Huizen'."""

    def __post_init__(self) -> None:
        _check_text("Identification.kenmerk", self.kenmerk)
        _check_text("Identification.source", self.source)


@dataclass(frozen=True)
class Reference:
    """verwijzingGegevens: a pointer to another object, actor or list, by name and, where
    known, by identification (MDTO: "Ja, indien bekend") so the archive can resolve it."""

    name: str
    """verwijzingNaam."""
    identification: Identification | None = None
    """verwijzingIdentificatie."""

    def __post_init__(self) -> None:
        _check_text("Reference.name", self.name)


@dataclass(frozen=True)
class Concept:
    """begripGegevens: a term from a named list (begrippenlijst).

    MDTO lets organisations use their own lists, so a label means something only together
    with the list it comes from; hence the list is required.
    """

    label: str
    """begripLabel, as the list writes it."""
    code: str | None
    """begripCode, when the list assigns codes (e.g. 'B' for 'Blijvend te bewaren')."""
    list_name: str
    """begripBegrippenlijst/verwijzingNaam."""

    def __post_init__(self) -> None:
        _check_text("Concept.label", self.label)
        if self.code is not None:
            _check_text("Concept.code", self.code, required=False)
        _check_text("Concept.list_name", self.list_name)


@dataclass(frozen=True)
class Event:
    """eventGegevens: something that happened to the record (created, signed, validated).

    For signed records the Archiefregeling (art. 24 under c) asks for the moment and result of
    the signature validation and the official responsible for it; an event carries exactly
    those three.
    """

    type: Concept
    """eventType, normally from :func:`event_type`."""
    time: dt.datetime | dt.date | str | None = None
    """eventTijd. The XSD allows gYear, gYearMonth, date and dateTime. A datetime must be
    timezone-aware and is written to the second with its offset; a str must already have one
    of those four shapes."""
    actor: Reference | None = None
    """eventVerantwoordelijkeActor: the responsible official or organisation."""
    result: str | None = None
    """eventResultaat, e.g. 'geslaagd (PASSED)' for a validation."""

    def __post_init__(self) -> None:
        if self.time is not None:
            _event_time("Event.time", self.time)
        if self.result is not None:
            _check_text("Event.result", self.result, required=False)


@dataclass(frozen=True)
class Retention:
    """termijnGegevens: how long something lasts (the bewaartermijn, or a restriction's term).

    MDTO's rules for a term are enforced here: without an end date both the trigger and the
    period are needed (otherwise the term says nothing), and when the start date and the
    period are known the end date is their sum; it is computed when not given and refused
    when given but different.
    """

    period: str | None = None
    """termijnLooptijd, an ISO 8601 duration PnYnMnD such as P10Y (see :func:`parse_duration`)."""
    start_date: dt.date | None = None
    """termijnStartdatumLooptijd: when the trigger happened."""
    trigger: Concept | None = None
    """termijnTriggerStartLooptijd: the event that starts the period (e.g. an EventTypeLijst
    term or a selection list's trigger)."""
    end_date: dt.date | None = None
    """termijnEinddatum."""

    def __post_init__(self) -> None:
        if self.period is not None:
            _check_text("Retention.period", self.period)
            parse_duration(self.period)
        if self.start_date is not None:
            _check_date("Retention.start_date", self.start_date)
        if self.end_date is not None:
            _check_date("Retention.end_date", self.end_date)
        if self.start_date is not None and self.period is not None:
            computed = add_duration(self.start_date, self.period)
            if self.end_date is None:
                object.__setattr__(self, "end_date", computed)
            elif self.end_date != computed:
                raise ValueError(
                    f"Retention.end_date {self.end_date.isoformat()} is not start_date "
                    f"{self.start_date.isoformat()} + {self.period} = {computed.isoformat()}; "
                    "MDTO defines the end date as that sum"
                )
        if self.end_date is None and (self.trigger is None or self.period is None):
            raise ValueError(
                "Retention without an end date needs both a trigger and a period; "
                "otherwise it says nothing about when the term ends"
            )


@dataclass(frozen=True)
class RelatedObject:
    """gerelateerdInformatieobjectGegevens: another record this one stands in relation to,
    such as the college decision to join, the covenant itself, or a consent."""

    reference: Reference
    """gerelateerdInformatieobjectVerwijzing."""
    relation: Concept
    """gerelateerdInformatieobjectTypeRelatie, normally from :func:`relation_type`."""


@dataclass(frozen=True)
class Involved:
    """betrokkeneGegevens: a person or organisation relevant to the record (not its creator),
    e.g. the covenant's secretariat as Belanghebbende."""

    relation: Concept
    """betrokkeneTypeRelatie, normally from :func:`involved_relation`."""
    actor: Reference
    """betrokkeneActor."""


@dataclass(frozen=True)
class UseRestriction:
    """beperkingGebruikGegevens. The XSD requires at least one per informatieobject, also when
    nothing is restricted: then the type is 'Geen beperking' (:func:`no_use_restriction`)."""

    type: Concept
    """beperkingGebruikType, normally from :func:`use_restriction_type`."""
    description: str | None = None
    """beperkingGebruikNadereBeschrijving."""
    documentation: tuple[Reference, ...] = ()
    """beperkingGebruikDocumentatie."""
    term: Retention | None = None
    """beperkingGebruikTermijn."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "documentation", tuple(self.documentation))
        if self.description is not None:
            _check_text("UseRestriction.description", self.description, required=False)


@dataclass(frozen=True, kw_only=True)
class InformationObject:
    """informatieobject: the statement as an archival record.

    Fields follow the XSD sequence (identificatie first, beperkingGebruik last). Required by
    the XSD: at least one identification, the name, the appraisal (waardering), the archive
    creator (archiefvormer) and at least one use restriction (beperkingGebruik).
    """

    identifications: tuple[Identification, ...]
    """identificatie (one or more): the statement's kenmerk in the municipality's register."""
    name: str
    """naam: the title."""
    aggregation_level: Concept | None = None
    """aggregatieniveau; a statement is an 'Archiefstuk' (:func:`aggregation_archiefstuk`)."""
    classification: tuple[Concept, ...] = ()
    """classificatie, e.g. a document type or a place in the municipality's ordering plan."""
    keywords: tuple[str, ...] = ()
    """trefwoord."""
    description: str | None = None
    """omschrijving."""
    language: str | None = None
    """taal, an xsd:language tag such as 'nl'."""
    events: tuple[Event, ...] = ()
    """event: creation, each signature, each validation, in the order they happened."""
    appraisal: Concept
    """waardering: B (:func:`appraisal_permanent`) or V (:func:`appraisal_temporary`)."""
    retention: Retention | None = None
    """bewaartermijn; leave it out for records kept permanently."""
    information_category: Concept | None = None
    """informatiecategorie: the selection list category the retention is based on."""
    part_of: tuple[Reference, ...] = ()
    """isOnderdeelVan: the dossier holding the statement."""
    representations: tuple[Reference, ...] = ()
    """heeftRepresentatie: the bestand (the signed PDF)."""
    additional_metadata: tuple[Reference, ...] = ()
    """aanvullendeMetagegevens, e.g. a validation report kept as a separate file."""
    related: tuple[RelatedObject, ...] = ()
    """gerelateerdInformatieobject: the college decision, the covenant, the consent."""
    archive_creator: Reference
    """archiefvormer: the municipality, e.g. :func:`tooi_organisation`."""
    involved: tuple[Involved, ...] = ()
    """betrokkene."""
    activity: Reference | None = None
    """activiteit: the business activity in which the record was made."""
    use_restrictions: tuple[UseRestriction, ...]
    """beperkingGebruik (one or more)."""

    def __post_init__(self) -> None:
        for name in (
            "identifications",
            "classification",
            "keywords",
            "events",
            "part_of",
            "representations",
            "additional_metadata",
            "related",
            "involved",
            "use_restrictions",
        ):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.identifications:
            raise ValueError("InformationObject.identifications is empty; MDTO requires one")
        if not self.use_restrictions:
            raise ValueError(
                "InformationObject.use_restrictions is empty; MDTO requires at least one "
                "beperkingGebruik (use no_use_restriction() when nothing is restricted)"
            )
        _check_text("InformationObject.name", self.name)
        for keyword in self.keywords:
            _check_text("InformationObject.keywords", keyword, required=False)
        if self.description is not None:
            _check_text("InformationObject.description", self.description, required=False)
        if self.language is not None:
            _check_text("InformationObject.language", self.language)
            if _LANGUAGE.fullmatch(self.language) is None:
                raise ValueError(
                    f"InformationObject.language {self.language!r} is not a language tag "
                    "(xsd:language, e.g. 'nl' or 'nl-NL')"
                )


@dataclass(frozen=True, kw_only=True)
class FileObject:
    """bestand: one file that represents an informatieobject, e.g. the signed PDF/A.

    The checksum lets the archive prove years later that the file is the one handed over.
    For the SHA-2 algorithms the value must be hexadecimal of the digest's length: the XSD
    only asks for a non-empty string, and a truncated checksum would pass it unnoticed.
    """

    identification: Identification
    """identificatie."""
    name: str
    """naam: the file name."""
    size: int
    """omvang: bytes."""
    format: Concept
    """bestandsformaat, a PRONOM term such as :func:`pronom_pdfa_2a`."""
    checksum_algorithm: Concept
    """checksum/checksumAlgoritme, e.g. :func:`sha256_algorithm`."""
    checksum_value: str
    """checksum/checksumWaarde, hexadecimal."""
    checksum_date: dt.datetime
    """checksum/checksumDatum (xsd:dateTime), timezone-aware."""
    url: str | None = None
    """URLBestand."""
    represents: Reference
    """isRepresentatieVan: the informatieobject (its name and identification)."""

    def __post_init__(self) -> None:
        _check_text("FileObject.name", self.name)
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise ValueError(f"FileObject.size must be a non-negative int, got {self.size!r}")
        _check_text("FileObject.checksum_value", self.checksum_value)
        digits = _CHECKSUM_HEX_LENGTHS.get(self.checksum_algorithm.label.replace("-", "").upper())
        if digits is not None and (
            len(self.checksum_value) != digits
            or re.fullmatch(r"[0-9a-fA-F]+", self.checksum_value) is None
        ):
            raise ValueError(
                f"FileObject.checksum_value must be {digits} hexadecimal digits for "
                f"{self.checksum_algorithm.label}, got {len(self.checksum_value)} characters"
            )
        if not isinstance(self.checksum_date, dt.datetime):
            raise TypeError("FileObject.checksum_date must be a datetime (xsd:dateTime)")
        _aware_datetime("FileObject.checksum_date", self.checksum_date)
        if self.url is not None:
            _check_text("FileObject.url", self.url)


# --- Vocabulary -----------------------------------------------------------------------------


def pronom_pdfa_2a() -> Concept:
    """PDF/A-2a as PRONOM identifies it (fmt/476)."""
    return Concept("PDF/A-2a", "fmt/476", PRONOM_LIST)


def pronom_pdfa_3a() -> Concept:
    """PDF/A-3a as PRONOM identifies it (fmt/479; fmt/477-478 are 2b/2u, fmt/480-481 3b/3u)."""
    return Concept("PDF/A-3a", "fmt/479", PRONOM_LIST)


def sha256_algorithm() -> Concept:
    """SHA-256, labelled as MDTO's ChecksumAlgoritme list writes it: 'SHA-256'.

    Nationaal Archief's example bestand writes 'SHA256'; the list itself (the normative
    part) writes 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512', and a begripLabel is meant to
    be the label as the list assigns it, so the list wins.
    """
    return Concept("SHA-256", None, CHECKSUM_ALGORITHM_LIST)


def aggregation_archiefstuk() -> Concept:
    """'Archiefstuk': a single record, which a signed statement is."""
    return Concept("Archiefstuk", None, AGGREGATION_LIST)


def appraisal_permanent() -> Concept:
    """Waardering B: to be kept permanently."""
    return Concept("Blijvend te bewaren", "B", APPRAISAL_LIST)


def appraisal_temporary() -> Concept:
    """Waardering V: to be destroyed after the retention period (give a Retention)."""
    return Concept("Tijdelijk te bewaren", "V", APPRAISAL_LIST)


def _from_list(label: str, allowed: frozenset[str], list_name: str) -> Concept:
    if label not in allowed:
        raise ValueError(
            f"{label!r} is not in {list_name} (choose from {', '.join(sorted(allowed))}); "
            "for a term of your own, make a Concept naming your own list"
        )
    return Concept(label, None, list_name)


def event_type(label: str) -> Concept:
    """An event type from MDTO's EventTypeLijst, e.g. :data:`CREATION`, :data:`SIGNING` or
    :data:`SIGNATURE_VALIDATION`.

    The list is open, but a label outside it must not be attributed to it: anything not in
    :data:`EVENT_TYPES` raises ValueError.
    """
    return _from_list(label, EVENT_TYPES, EVENT_TYPE_LIST)


def relation_type(label: str) -> Concept:
    """A relation type from MDTO's list Relatietypen (informatieobject).

    For a statement: 'Heeft nodig' for the college decision or consent it rests on,
    'Refereert aan' for the covenant it joins.
    """
    return _from_list(label, RELATION_TYPES, RELATION_TYPE_LIST)


def involved_relation(label: str) -> Concept:
    """A relation type from MDTO's list Relatietypen (betrokkene)."""
    return _from_list(label, INVOLVED_RELATIONS, INVOLVED_RELATION_LIST)


def use_restriction_type(label: str) -> Concept:
    """A restriction type from MDTO's BeperkingGebruikTypeLijst."""
    return _from_list(label, USE_RESTRICTION_TYPES, USE_RESTRICTION_LIST)


def no_use_restriction() -> UseRestriction:
    """The beperkingGebruik to write when nothing restricts use (the XSD requires one)."""
    return UseRestriction(use_restriction_type("Geen beperking"))


def tooi_organisation(name: str, code: str) -> Reference:
    """A government organisation identified by its TOOI code, e.g. ('gemeente Huizen', 'gm0406').

    The kenmerk is the code as TOOI writes it (lower case, as in
    https://identifier.overheid.nl/tooi/id/gemeente/gm0406) and the source is 'TOOI', within
    which the code is unique.
    """
    if not isinstance(code, str) or _TOOI_CODE.fullmatch(code) is None:
        raise ValueError(
            f"TOOI code {code!r} is not of the form gm0406, pv27, ws0155, mnre1034 or oorg10103"
        )
    return Reference(name, Identification(code, "TOOI"))


# --- Writing --------------------------------------------------------------------------------


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _identification(parent: ET.Element, tag: str, value: Identification) -> None:
    element = _add(parent, tag)
    _add(element, "identificatieKenmerk", value.kenmerk)
    _add(element, "identificatieBron", value.source)


def _reference(parent: ET.Element, tag: str, value: Reference) -> None:
    element = _add(parent, tag)
    _add(element, "verwijzingNaam", value.name)
    if value.identification is not None:
        _identification(element, "verwijzingIdentificatie", value.identification)


def _concept(parent: ET.Element, tag: str, value: Concept) -> None:
    element = _add(parent, tag)
    _add(element, "begripLabel", value.label)
    if value.code is not None:
        _add(element, "begripCode", value.code)
    _reference(element, "begripBegrippenlijst", Reference(value.list_name))


def _term(parent: ET.Element, tag: str, value: Retention) -> None:
    element = _add(parent, tag)
    if value.trigger is not None:
        _concept(element, "termijnTriggerStartLooptijd", value.trigger)
    if value.start_date is not None:
        _add(element, "termijnStartdatumLooptijd", value.start_date.isoformat())
    if value.period is not None:
        _add(element, "termijnLooptijd", value.period)
    if value.end_date is not None:
        _add(element, "termijnEinddatum", value.end_date.isoformat())


def _event(parent: ET.Element, value: Event) -> None:
    element = _add(parent, "event")
    _concept(element, "eventType", value.type)
    if value.time is not None:
        _add(element, "eventTijd", _event_time("Event.time", value.time))
    if value.actor is not None:
        _reference(element, "eventVerantwoordelijkeActor", value.actor)
    if value.result is not None:
        _add(element, "eventResultaat", value.result)


def _use_restriction(parent: ET.Element, value: UseRestriction) -> None:
    element = _add(parent, "beperkingGebruik")
    _concept(element, "beperkingGebruikType", value.type)
    if value.description is not None:
        _add(element, "beperkingGebruikNadereBeschrijving", value.description)
    for documentation in value.documentation:
        _reference(element, "beperkingGebruikDocumentatie", documentation)
    if value.term is not None:
        _term(element, "beperkingGebruikTermijn", value.term)


def _document(root: ET.Element) -> bytes:
    """The whole document: declaration, namespaces, four-space indentation, final newline.

    ElementTree writes attributes in insertion order and elements in the order built, so the
    same objects always give the same bytes. The namespaces are declared as plain attributes
    on unprefixed tags, which keeps ElementTree's global prefix registry out of it.
    """
    mdto = ET.Element(
        "MDTO",
        {"xmlns": NAMESPACE, "xmlns:xsi": _XSI, "xsi:schemaLocation": f"{NAMESPACE} {XSD_NAME}"},
    )
    mdto.append(root)
    ET.indent(mdto, space="    ")
    body = ET.tostring(mdto, encoding="unicode")
    # Only text can hold a carriage return here (tags, attributes and indentation are ours);
    # a raw one would come back as a line feed from any XML parser, a reference survives.
    body = body.replace("\r", "&#13;")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def information_object_xml(obj: InformationObject) -> bytes:
    """The MDTO-XML document (UTF-8) describing one informatieobject."""
    root = ET.Element("informatieobject")
    for identification in obj.identifications:
        _identification(root, "identificatie", identification)
    _add(root, "naam", obj.name)
    if obj.aggregation_level is not None:
        _concept(root, "aggregatieniveau", obj.aggregation_level)
    for classification in obj.classification:
        _concept(root, "classificatie", classification)
    for keyword in obj.keywords:
        _add(root, "trefwoord", keyword)
    if obj.description is not None:
        _add(root, "omschrijving", obj.description)
    if obj.language is not None:
        _add(root, "taal", obj.language)
    for event in obj.events:
        _event(root, event)
    _concept(root, "waardering", obj.appraisal)
    if obj.retention is not None:
        _term(root, "bewaartermijn", obj.retention)
    if obj.information_category is not None:
        _concept(root, "informatiecategorie", obj.information_category)
    for parent in obj.part_of:
        _reference(root, "isOnderdeelVan", parent)
    for representation in obj.representations:
        _reference(root, "heeftRepresentatie", representation)
    for additional in obj.additional_metadata:
        _reference(root, "aanvullendeMetagegevens", additional)
    for related in obj.related:
        element = _add(root, "gerelateerdInformatieobject")
        _reference(element, "gerelateerdInformatieobjectVerwijzing", related.reference)
        _concept(element, "gerelateerdInformatieobjectTypeRelatie", related.relation)
    _reference(root, "archiefvormer", obj.archive_creator)
    for involved in obj.involved:
        element = _add(root, "betrokkene")
        _concept(element, "betrokkeneTypeRelatie", involved.relation)
        _reference(element, "betrokkeneActor", involved.actor)
    if obj.activity is not None:
        _reference(root, "activiteit", obj.activity)
    for restriction in obj.use_restrictions:
        _use_restriction(root, restriction)
    return _document(root)


def file_xml(obj: FileObject) -> bytes:
    """The MDTO-XML document (UTF-8) describing one bestand."""
    root = ET.Element("bestand")
    _identification(root, "identificatie", obj.identification)
    _add(root, "naam", obj.name)
    _add(root, "omvang", str(obj.size))
    _concept(root, "bestandsformaat", obj.format)
    checksum = _add(root, "checksum")
    _concept(checksum, "checksumAlgoritme", obj.checksum_algorithm)
    _add(checksum, "checksumWaarde", obj.checksum_value)
    _add(checksum, "checksumDatum", _aware_datetime("FileObject.checksum_date", obj.checksum_date))
    if obj.url is not None:
        _add(root, "URLBestand", obj.url)
    _reference(root, "isRepresentatieVan", obj.represents)
    return _document(root)


# --- Validating -----------------------------------------------------------------------------


def _etree() -> Any:
    """lxml.etree, imported on first use: writing needs only the standard library."""
    from lxml import etree  # type: ignore[import-untyped]

    return etree


def _safe_parser() -> Any:
    """No entity expansion, no network, no DTD: the documents checked may come from anywhere."""
    return _etree().XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@functools.cache
def _schema() -> Any:
    """The shipped XSD, compiled once per process."""
    etree = _etree()
    data = resources.files("toetreding.archive").joinpath(XSD_NAME).read_bytes()
    return etree.XMLSchema(etree.fromstring(data, _safe_parser()))


def validate(xml: bytes) -> list[str]:
    """The ways ``xml`` breaks MDTO-XML 1.0.2, as 'line N: message'; [] when it is valid.

    A document that is not even well-formed gives one problem, the parser's. Element names in
    messages are shown without the MDTO namespace, which every one of them shares.
    """
    etree = _etree()
    try:
        document = etree.fromstring(xml, _safe_parser())
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.msg}"]
    try:
        _schema().assertValid(document)
    except etree.DocumentInvalid as exc:
        return [
            f"line {error.line}: {str(error.message).replace('{' + NAMESPACE + '}', '')}"
            for error in exc.error_log
        ]
    return []
