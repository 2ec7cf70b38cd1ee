"""Frozen, validated domain models: covenant, party, decisions, authority chain, request.

The YAML files that clerks write use Dutch keys (``partij``, ``besluit``, ``kenmerk``);
Python code uses English names. Every model forbids unknown keys, so a misspelt key is
reported instead of silently ignored. This module does no I/O: files are read in
:mod:`toetreding.inputs`, which also turns validation errors into located messages.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .municipalities import CBS_CODE_PATTERN, lookup

_CONTROL_CHARS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def _printable(value: str) -> str:
    """Reject invisible control, soft-hyphen and direction characters.

    They cannot be typeset in an archival PDF and are a classic way to make a printed
    text differ from what a reader sees (bidi overrides), so refuse them at the door.
    """
    match = _CONTROL_CHARS.search(value)
    if match:
        raise ValueError(
            f"contains the invisible control character U+{ord(match.group()):04X} "
            f"at position {match.start() + 1}; remove it (it is often pasted from a word processor)"
        )
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty; write the text or leave the key out where it is optional")
    return value


Text = Annotated[str, AfterValidator(_printable), AfterValidator(_non_blank)]
"""A line of text from YAML: printable, not blank."""


class Language(StrEnum):
    """Languages the bundled templates are written in."""

    DUTCH = "nl"
    ENGLISH = "en"


class OutputProfile(StrEnum):
    """The archival PDF flavours a statement can be rendered in."""

    PDFA_2A = "pdfa-2a"
    """PDF/A-2a + PDF/UA-1: the Nationaal Archief's preference; no attachments allowed."""
    PDFA_3A = "pdfa-3a"
    """PDF/A-3a + PDF/UA-1: allows machine-readable attachments (statement data, chain)."""

    @property
    def pdf_standards(self) -> list[str]:
        """The standards Typst must enforce for this profile."""
        return {"pdfa-2a": ["a-2a", "ua-1"], "pdfa-3a": ["a-3a", "ua-1"]}[self.value]

    @property
    def label(self) -> str:
        """Human name of the profile."""
        return {"pdfa-2a": "PDF/A-2a + PDF/UA-1", "pdfa-3a": "PDF/A-3a + PDF/UA-1"}[self.value]


class SignatureSlot(StrEnum):
    """The two signature fields every statement carries, in the order they are signed.

    The party signs first; the coordinating party's acceptance is the second, later
    signature, and its moment is the statement's effective date.
    """

    PARTY = "ondertekening-partij"
    COORDINATOR = "aanvaarding-coordinator"

    @property
    def label(self) -> str:
        """What the slot is for, in words for messages."""
        return {
            "ondertekening-partij": "the party's signature",
            "aanvaarding-coordinator": "the coordinating party's acceptance",
        }[self.value]


class _Model(BaseModel):
    """Shared settings: Dutch keys in, frozen objects out, unknown keys refused."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        str_strip_whitespace=True,
        use_attribute_docstrings=True,
    )


# --------------------------------------------------------------------------- covenant


class CoordinatingParty(_Model):
    """The party that accepts accessions on behalf of all parties to the covenant."""

    name: Text = Field(alias="naam")
    """Official name, e.g. 'de Minister van Justitie en Veiligheid'."""
    represented_by: Text | None = Field(default=None, alias="vertegenwoordigd_door")
    """Function of whoever signs the acceptance, e.g. 'de Nationaal Coördinator …'."""
    place: Text | None = Field(default=None, alias="plaats")
    """Place where the acceptance is signed."""


class Covenant(_Model):
    """The covenant a party joins. Data, never hard-coded in templates."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")] = Field(alias="id")
    """Short, stable identifier; authority links name it in their scope."""
    title: Text = Field(alias="titel")
    """Full title as it appears on the covenant."""
    short_title: Text | None = Field(default=None, alias="korte_titel")
    version: Text | None = Field(default=None, alias="versie")
    """Version label, when the covenant has one; a date, a version or both is required."""
    date: dt.date | None = Field(default=None, alias="datum")
    coordinator: CoordinatingParty = Field(alias="coordinerende_partij")
    accession_article: Text = Field(alias="toetredingsartikel")
    """The article that allows accession, e.g. 'artikel 16'."""
    parties: list[Text] = Field(default_factory=list, alias="partijen")
    """Current parties, named in the recitals."""
    recitals: list[Text] = Field(default_factory=list, alias="overwegingen")
    """Standard recitals every statement for this covenant repeats."""

    @model_validator(mode="after")
    def _needs_date_or_version(self) -> Covenant:
        if self.date is None and self.version is None:
            raise ValueError(
                "a covenant needs 'datum' or 'versie' (or both) so the statement names "
                "exactly which text is joined"
            )
        return self


# ------------------------------------------------------------------ authority chain


class LinkKind(StrEnum):
    """Kinds of authority link, with the law each rests on."""

    REPRESENTATION = "vertegenwoordiging"
    """Art. 171 lid 1 Gemeentewet: the burgemeester represents the gemeente."""
    ASSIGNMENT = "aanwijzing"
    """Art. 171 lid 2 Gemeentewet: the burgemeester assigns representation to someone."""
    MANDATE = "mandaat"
    """Awb 10:1: power to decide in the name of a bestuursorgaan."""
    POWER_OF_ATTORNEY = "volmacht"
    """Awb 10:12 with Burgerlijk Wetboek 3:60: private-law acts."""
    AUTHORISATION = "machtiging"
    """Awb 10:12: power to perform acts that are neither decisions nor private-law acts."""
    SUBMANDATE = "ondermandaat"
    """Awb 10:9: a mandatee passes the mandate on, only where the mandator allows it."""
    SUBSTITUTION = "waarneming"
    """Art. 77/78 Gemeentewet: locoburgemeester or appointed waarnemend burgemeester."""


DEFAULT_LEGAL_BASIS: dict[LinkKind, str] = {
    LinkKind.REPRESENTATION: "artikel 171, eerste lid, Gemeentewet",
    LinkKind.ASSIGNMENT: "artikel 171, tweede lid, Gemeentewet",
    LinkKind.MANDATE: "artikel 10:1 Algemene wet bestuursrecht",
    LinkKind.POWER_OF_ATTORNEY: "artikel 10:12 Algemene wet bestuursrecht",
    LinkKind.AUTHORISATION: "artikel 10:12 Algemene wet bestuursrecht",
    LinkKind.SUBMANDATE: "artikel 10:9 Algemene wet bestuursrecht",
    LinkKind.SUBSTITUTION: "artikel 77 Gemeentewet",
}


class DocumentReference(_Model):
    """A file a decision rests on, pinned by its SHA-256 so a swap is noticed."""

    file: Text = Field(alias="bestand")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] = Field(alias="sha256")


class Decision(_Model):
    """A besluit: the written decision an authority link rests on."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")] = Field(alias="id")
    organ: Text = Field(alias="orgaan")
    """The bestuursorgaan that decided, e.g. 'college van burgemeester en wethouders'."""
    date: dt.date = Field(alias="datum")
    reference: Text = Field(alias="kenmerk")
    subject: Text = Field(alias="onderwerp")
    document: DocumentReference | None = Field(default=None, alias="document")


class CertificateIdentity(_Model):
    """What identifies the signer's certificate. Everything given must match, and at least
    one thing given must be unique to the person or key: the SHA-256 fingerprint, the
    subject's serialNumber (PKIoverheid gives each holder one), or the certificate's serial
    number together with its issuer. A name or organisation alone binds nobody: every
    certificate of that organisation carries it."""

    subject: dict[str, Text] = Field(default_factory=dict, alias="onderwerp")
    """Subject attributes that must match, e.g. {serial_number: …, common_name: …}."""
    issuer: dict[str, Text] = Field(default_factory=dict, alias="uitgever")
    """Issuer attributes that must match, e.g. {common_name: …}; goes with 'serienummer'."""
    serial_number: Text | None = Field(default=None, alias="serienummer")
    fingerprint_sha256: Annotated[str, Field(pattern=r"^[0-9A-Fa-f:]{64,95}$")] | None = Field(
        default=None, alias="vingerafdruk_sha256"
    )


class Person(_Model):
    """The holder of a function who receives authority."""

    function: Text = Field(alias="functie")
    """E.g. 'burgemeester', 'wethouder', 'locoburgemeester'."""
    name: Text = Field(alias="naam")
    certificate: CertificateIdentity | None = Field(default=None, alias="certificaat")


class AuthorityLink(_Model):
    """One step in the chain from the competent organ to the person who signs."""

    kind: LinkKind = Field(alias="soort")
    grantor: Text = Field(alias="van")
    """Organ or function that grants, e.g. 'college van burgemeester en wethouders'."""
    grantee: Person = Field(alias="aan")
    legal_basis: Text | None = Field(default=None, alias="grondslag")
    """Defaults to the article that goes with the kind."""
    decision: Text | None = Field(default=None, alias="besluit")
    """The id of the decision in 'besluiten' this link rests on."""
    scope: list[Text] = Field(default_factory=list, alias="reikwijdte")
    """Covenant ids or document kinds covered; empty means 'not limited'."""
    instructions: Text | None = Field(default=None, alias="instructies")
    submandate_allowed: bool = Field(default=False, alias="ondermandaat_toegestaan")
    valid_from: dt.date | None = Field(default=None, alias="geldig_vanaf")
    valid_until: dt.date | None = Field(default=None, alias="geldig_tot")
    revoked_on: dt.date | None = Field(default=None, alias="ingetrokken_op")

    @property
    def effective_legal_basis(self) -> str:
        """The stated legal basis, or the one the law attaches to this kind of link."""
        return self.legal_basis or DEFAULT_LEGAL_BASIS[self.kind]

    @model_validator(mode="after")
    def _period_in_order(self) -> AuthorityLink:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("'geldig_tot' lies before 'geldig_vanaf'; swap or correct the dates")
        return self


class Authority(_Model):
    """The decisions and the chain of authority behind one signature."""

    decisions: list[Decision] = Field(alias="besluiten", min_length=1)
    chain: list[AuthorityLink] = Field(alias="keten", min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Authority:
        ids = [d.id for d in self.decisions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"decision id(s) used twice: {', '.join(duplicates)}")
        for index, link in enumerate(self.chain):
            if link.decision is not None and link.decision not in ids:
                raise ValueError(
                    f"keten[{index}].besluit names '{link.decision}', which is not among "
                    f"'besluiten' ({', '.join(ids)}); use one of those ids"
                )
        return self

    def decision(self, decision_id: str) -> Decision:
        """The decision with this id (ids are checked to resolve on validation)."""
        return next(d for d in self.decisions if d.id == decision_id)

    @property
    def signer(self) -> Person:
        """The last grantee: the person who signs the statement."""
        return self.chain[-1].grantee


# ------------------------------------------------------------------------ request


def _known_cbs_code(code: str) -> str:
    code = code.strip().upper()
    if not CBS_CODE_PATTERN.match(code):
        raise ValueError(
            f"'{code}' is not a CBS municipality code; write 'GM' and four digits, e.g. GM0406"
        )
    if lookup(code) is None:
        raise ValueError(
            f"'{code}' is not one of the 342 municipalities of 1 January 2025; "
            "check the code at CBS (gemeentelijke indeling) — merged municipalities get new codes"
        )
    return code


CbsCode = Annotated[str, AfterValidator(_known_cbs_code)]


class PartyInput(_Model):
    """The joining party as the request names it."""

    cbs_code: CbsCode = Field(alias="cbs_code")
    address: Text | None = Field(default=None, alias="adres")
    """Postal address, printed under the party's name."""


class Contact(_Model):
    """Contact person for the covenant's execution."""

    name: Text = Field(alias="naam")
    function: Text | None = Field(default=None, alias="functie")
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = Field(
        default=None, alias="email"
    )
    phone: Text | None = Field(default=None, alias="telefoon")


class StatementRequest(_Model):
    """What a clerk writes for one statement: the party, the files it rests on, when and where."""

    covenant_file: Text = Field(alias="convenant")
    """Path of the covenant YAML, relative to this file."""
    authority_file: Text = Field(alias="bevoegdheid")
    """Path of the decisions-and-authority YAML, relative to this file."""
    accession_decision: Text | None = Field(default=None, alias="toetredingsbesluit")
    """Id of the decision to join; may be left out when the authority file has only one."""
    party: PartyInput = Field(alias="partij")
    contact: Contact | None = Field(default=None, alias="contactpersoon")
    place: Text = Field(alias="plaats")
    """Place of signing."""
    date: dt.date = Field(alias="datum")
    """Date of the statement; also the document date in the PDF (never the clock)."""
    reference: Text | None = Field(default=None, alias="kenmerk")
    """The party's own reference for this statement."""
    language: Language | None = Field(default=None, alias="taal")
    """Document language; when absent the configured language (default nl) is used."""
    extra_recitals: list[Text] = Field(default_factory=list, alias="aanvullende_overwegingen")


# ------------------------------------------------------------------ resolved whole


class Statement(_Model):
    """Everything one toetredingsverklaring says, resolved and cross-checked."""

    request: StatementRequest
    covenant: Covenant
    authority: Authority

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_alias=True, validate_by_name=True
    )

    @property
    def municipality_name(self) -> str:
        """Official name of the joining gemeente (CBS suffix removed)."""
        found = lookup(self.request.party.cbs_code)
        assert found is not None  # validated on load
        return found.official_name

    @property
    def accession_decision(self) -> Decision:
        """The decision to join: named explicitly, or the only decision there is."""
        wanted = self.request.accession_decision
        if wanted is None:
            return self.authority.decisions[0]
        return self.authority.decision(wanted)
