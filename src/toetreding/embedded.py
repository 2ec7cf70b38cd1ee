"""The statement's data and chain of authority, carried inside the PDF's XMP metadata.

`verify` must be able to check the chain of authority decades later from the PDF alone,
without any register. So `render` writes the statement's facts and the full chain
(decisions and links) as canonical JSON into the document's XMP packet, in our own
namespace, together with the PDF/A extension-schema description that PDF/A-2 requires for
custom properties. The XMP is part of the document before it is signed, so every
signature covers it; `sign` reads it back to check the signer against the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ElementTree
from xml.sax.saxutils import escape

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .i18n import _
from .mandate import (
    CertificateFacts,
    ChainContext,
    chain_digest,
    consent_context,
    expected_formula,
    parse_formula,
    party_context,
)
from .model import Authority, Organ, PartyForm, SignatureSlot, Statement

NAMESPACE = "http://ns.toetreding.nl/verklaring/1.0/"
PREFIX = "toetreding"
FORMAT_VERSION = 2
"""2: the party form, the organs, one decision to join per organ and the coordinating
party's own chain (so `verify` can judge the consent); 1 had none of these."""


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_alias=True, validate_by_name=True, defer_build=True
    )


class EmbeddedCoordinator(_Frozen):
    """The coordinating party as the party signed it: who consents, and by what chain."""

    name: str = Field(alias="naam")
    place: str = Field(alias="plaats")
    authority: Authority = Field(alias="bevoegdheid")


class EmbeddedStatement(_Frozen):
    """What a statement PDF says about itself, machine-readably."""

    version: int = Field(default=FORMAT_VERSION, alias="versie")
    covenant_id: str = Field(alias="convenant_id")
    covenant_title: str = Field(alias="convenant_titel")
    covenant_version: str | None = Field(default=None, alias="convenant_versie")
    covenant_date: dt.date = Field(alias="convenant_datum")
    covenant_publication: str = Field(alias="convenant_publicatie")
    party_form: PartyForm = Field(alias="partijvorm")
    organs: list[Organ] = Field(default_factory=list, alias="organen")
    coordinator: EmbeddedCoordinator = Field(alias="coordinerende_partij")
    party_code: str = Field(alias="partij_cbs_code")
    party_name: str = Field(alias="partij_naam")
    date: dt.date = Field(alias="datum")
    place: str = Field(alias="plaats")
    reference: str | None = Field(default=None, alias="kenmerk")
    accession_decisions: list[str] = Field(alias="toetredingsbesluiten", min_length=1)
    authority: Authority = Field(alias="bevoegdheid")

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("versie", FORMAT_VERSION) != FORMAT_VERSION:
            raise ValueError(
                _(
                    "the statement data is format {found}; this version of "
                    "toetreding reads format {supported} (which names the party form and the "
                    "coordinating party's chain): render the statement again"
                ).format(found=repr(data.get("versie")), supported=FORMAT_VERSION)
            )
        return data

    @classmethod
    def from_statement(cls, statement: Statement) -> EmbeddedStatement:
        """The embedded form of a loaded statement."""
        covenant = statement.covenant
        coordinator = covenant.coordinator
        return cls.model_validate(
            {
                "convenant_id": covenant.id,
                "convenant_titel": covenant.title,
                "convenant_versie": covenant.version,
                "convenant_datum": covenant.date,
                "convenant_publicatie": covenant.publication,
                "partijvorm": covenant.party_form,
                "organen": list(covenant.organs),
                "coordinerende_partij": {
                    "naam": coordinator.name,
                    "plaats": coordinator.place,
                    "bevoegdheid": coordinator.authority.model_dump(mode="json", by_alias=True),
                },
                "partij_cbs_code": statement.request.party.cbs_code,
                "partij_naam": statement.municipality_name,
                "datum": statement.request.date,
                "plaats": statement.request.place,
                "kenmerk": statement.request.reference,
                "toetredingsbesluiten": [d.id for d in statement.accession_decisions],
                "bevoegdheid": statement.authority.model_dump(mode="json", by_alias=True),
            }
        )

    def party_context(
        self, at: dt.date, certificate: CertificateFacts | None, formula: str | None
    ) -> ChainContext:
        """What the party's signature is checked against (`sign` and `verify` alike)."""
        return party_context(
            at,
            covenant_id=self.covenant_id,
            party_name=self.party_name,
            form=self.party_form,
            organs=self.organs,
            accession_decisions=self.accession_decisions,
            certificate=certificate,
            formula=formula,
        )

    def consent_context(
        self, at: dt.date, certificate: CertificateFacts | None, formula: str | None
    ) -> ChainContext:
        """What the coordinating party's consent is checked against."""
        return consent_context(
            at,
            covenant_id=self.covenant_id,
            coordinator=self.coordinator.name,
            certificate=certificate,
            formula=formula,
        )

    def formula_for(self, slot: SignatureSlot) -> tuple[str, str] | None:
        """(function, on whose behalf) as this statement's chains ask for the field's signer."""
        today = dt.date.today()
        if slot is SignatureSlot.PARTY:
            authority, context = self.authority, self.party_context(today, None, None)
        else:
            authority = self.coordinator.authority
            context = self.consent_context(today, None, None)
        formula = expected_formula(authority, context)
        return parse_formula(formula) if formula else None

    @property
    def party_designation(self) -> str:
        """Who joins, in words: 'gemeente Huizen', or its organs ('college van burgemeester
        en wethouders van Huizen')."""
        if self.party_form is PartyForm.LEGAL_PERSON:
            return f"gemeente {self.party_name}"
        return " en ".join(f"{organ.organ_name} van {self.party_name}" for organ in self.organs)

    def canonical_json(self) -> str:
        """Sorted keys, no spaces, UTF-8: the same data always gives the same text."""
        return canonical_json(self.model_dump(mode="json", by_alias=True))

    @property
    def chain_digest(self) -> str:
        """SHA-256 of the canonical chain (see :func:`toetreding.mandate.chain_digest`)."""
        return chain_digest(self.authority)

    @property
    def digest(self) -> str:
        """SHA-256 of the whole embedded record."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def canonical_json(value: object) -> str:
    """Sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_SCHEMA_DESCRIPTION = (
    '<rdf:li rdf:parseType="Resource">'
    "<pdfaSchema:schema>toetreding statement and chain of authority</pdfaSchema:schema>"
    f"<pdfaSchema:namespaceURI>{NAMESPACE}</pdfaSchema:namespaceURI>"
    f"<pdfaSchema:prefix>{PREFIX}</pdfaSchema:prefix>"
    "<pdfaSchema:property><rdf:Seq>"
    '<rdf:li rdf:parseType="Resource">'
    "<pdfaProperty:name>verklaring</pdfaProperty:name>"
    "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
    "<pdfaProperty:category>external</pdfaProperty:category>"
    "<pdfaProperty:description>The statement's data and its chain of authority (decisions "
    "and links) as canonical JSON</pdfaProperty:description>"
    "</rdf:li>"
    '<rdf:li rdf:parseType="Resource">'
    "<pdfaProperty:name>ketenDigest</pdfaProperty:name>"
    "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
    "<pdfaProperty:category>internal</pdfaProperty:category>"
    "<pdfaProperty:description>SHA-256 of the canonical chain of authority</pdfaProperty:description>"
    "</rdf:li>"
    "</rdf:Seq></pdfaSchema:property>"
    "</rdf:li>"
)


def add_to_xmp(xmp: bytes, embedded: EmbeddedStatement) -> bytes:
    """Typst's XMP packet with our properties and their extension-schema description added."""
    text = xmp.decode("utf-8")
    schemas_end = "</rdf:Bag></pdfaExtension:schemas>"
    rdf_end = "</rdf:RDF>"
    if text.count(schemas_end) != 1 or text.count(rdf_end) != 1:
        raise ValueError(_("the XMP packet does not have the expected PDF/A extension-schema list"))
    text = text.replace(schemas_end, _SCHEMA_DESCRIPTION + schemas_end)
    description = (
        f'<rdf:Description rdf:about="" xmlns:{PREFIX}="{NAMESPACE}">'
        f"<{PREFIX}:verklaring>{escape(embedded.canonical_json())}</{PREFIX}:verklaring>"
        f"<{PREFIX}:ketenDigest>{embedded.chain_digest}</{PREFIX}:ketenDigest>"
        "</rdf:Description>"
    )
    return text.replace(rdf_end, description + rdf_end).encode("utf-8")


class EmbeddedDataError(ValueError):
    """The PDF's XMP holds toetreding data that cannot be read (damaged or tampered)."""


def read_from_xmp(xmp: bytes) -> EmbeddedStatement | None:
    """Our embedded record from an XMP packet; None when there is none."""
    try:
        root = ElementTree.fromstring(xmp)
    except ElementTree.ParseError as error:
        raise EmbeddedDataError(
            _("the XMP metadata is not well-formed XML: {reason}").format(reason=error)
        ) from None
    text = _property(root, "verklaring")
    if text is None:
        return None
    try:
        record = EmbeddedStatement.model_validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise EmbeddedDataError(
            _("the embedded statement data is not readable JSON (at character {position})").format(
                position=error.pos
            )
        ) from None
    except ValidationError as error:
        raise EmbeddedDataError(_explain(error)) from None
    digest = _property(root, "ketenDigest")
    if digest is not None and digest.strip() != record.chain_digest:
        raise EmbeddedDataError(_("the embedded chain does not match its own digest (ketenDigest)"))
    return record


def _explain(error: ValidationError) -> str:
    """The embedded record's faults in a sentence (never the validator's own wording)."""
    problems = error.errors(include_url=False)
    # the version check (_known_version) is the only error of the record as a whole that a
    # ValueError raises; its message is already a translated sentence
    version = next((p for p in problems if not p["loc"] and p["type"] == "value_error"), None)
    if version is not None:
        return str(version["msg"]).removeprefix("Value error, ")
    named = [".".join(str(part) for part in p["loc"]) or _("the record") for p in problems[:3]]
    if len(problems) > 3:
        return _(
            "the embedded statement data does not have the form toetreding writes (at "
            "{places} and {more} more): it was damaged or made by something else"
        ).format(places=", ".join(named), more=len(problems) - 3)
    return _(
        "the embedded statement data does not have the form toetreding writes (at "
        "{places}): it was damaged or made by something else"
    ).format(places=", ".join(named))


def _property(root: ElementTree.Element, local_name: str) -> str | None:
    """A simple property in our namespace, written as an element or as an attribute.

    RDF allows both forms, and signing tools rewrite one into the other (pyHanko writes
    simple properties as attributes of rdf:Description).
    """
    qualified = f"{{{NAMESPACE}}}{local_name}"
    values = [e.text for e in root.iter(qualified) if e.text]
    values += [e.attrib[qualified] for e in root.iter() if qualified in e.attrib]
    if len(values) > 1:
        raise EmbeddedDataError(
            _("the XMP metadata holds toetreding:{name} more than once").format(name=local_name)
        )
    return values[0] if values else None
