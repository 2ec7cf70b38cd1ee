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

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .i18n import _
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
            _(
                "contains the invisible control character U+{code} at position {position}; "
                "remove it (it is often pasted from a word processor)"
            ).format(code=f"{ord(match.group()):04X}", position=match.start() + 1)
        )
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("is empty; write the text or leave the key out where it is optional"))
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
    COORDINATOR = "instemming-coordinator"

    @property
    def label(self) -> str:
        """What the slot is for, in words for messages."""
        if self is SignatureSlot.PARTY:
            return _("the party's signature")
        return _("the coordinating party's consent")


class _Model(BaseModel):
    """Shared settings: Dutch keys in, frozen objects out, unknown keys refused."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        str_strip_whitespace=True,
        # field docstrings become schema descriptions in schema.py, not at import
        defer_build=True,
    )


# ------------------------------------------------------------------ authority chain


class LinkKind(StrEnum):
    """Kinds of authority link, with the law each rests on."""

    REPRESENTATION = "vertegenwoordiging"
    """Art. 171 lid 1 Gemeentewet: the burgemeester represents the gemeente by law, for
    as long as his term lasts (appointment by Royal Decree, art. 61); granted by nobody."""
    ASSIGNMENT = "aanwijzing"
    """Art. 171 lid 2 Gemeentewet: the burgemeester assigns representation to someone."""
    MANDATE = "mandaat"
    """Awb 10:3 (10:1 defines it): an organ lets someone act in its name."""
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
    LinkKind.MANDATE: "artikel 10:3 Algemene wet bestuursrecht",
    LinkKind.POWER_OF_ATTORNEY: "artikel 10:12 Algemene wet bestuursrecht",
    LinkKind.AUTHORISATION: "artikel 10:12 Algemene wet bestuursrecht",
    LinkKind.SUBMANDATE: "artikel 10:9 Algemene wet bestuursrecht",
    LinkKind.SUBSTITUTION: "artikel 77, eerste lid, Gemeentewet",
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
    legal_basis: Text | None = Field(default=None, alias="grondslag")
    """The power the decision exercises, e.g. 'artikel 160, eerste lid, onder e, Gemeentewet'.
    For the decision to join of a legal person this defaults to that article."""
    publication: Text | None = Field(default=None, alias="publicatie")
    """Where the decision was published, e.g. a mandate regulation in the Staatscourant."""
    document: DocumentReference | None = Field(default=None, alias="document")


class CertificateIdentity(_Model):
    """What identifies the signer's certificate. Everything given must match, and at least
    one thing given must be unique to the person or key: the SHA-256 fingerprint, or the
    issuer together with the subject's serialNumber (PKIoverheid CAs give each holder one)
    or with the certificate's serial number. A name or organisation alone binds nobody:
    every certificate of that organisation carries it; a serial number alone neither,
    because each CA numbers its own."""

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
    grantor: Text | None = Field(default=None, alias="van")
    """Organ or function that grants, e.g. 'college van burgemeester en wethouders'.
    Absent for a representation by law (art. 171 lid 1): nobody grants that."""
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
            raise ValueError(
                _("'geldig_tot' lies before 'geldig_vanaf'; swap or correct the dates")
            )
        if self.kind is LinkKind.REPRESENTATION and self.grantor is not None:
            raise ValueError(
                _(
                    "a 'vertegenwoordiging' (artikel 171, eerste lid, Gemeentewet) comes from the "
                    "law, not from '{grantor}': remove 'van', name the Royal Decree that "
                    "appointed the burgemeester in 'besluit' and give his term in 'geldig_vanaf' "
                    "and 'geldig_tot'"
                ).format(grantor=self.grantor)
            )
        if self.kind is not LinkKind.REPRESENTATION and self.grantor is None:
            raise ValueError(
                _(
                    "a '{kind}' is granted by someone: add 'van' with the organ or "
                    "function that grants it"
                ).format(kind=self.kind.value)
            )
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
            raise ValueError(
                _("decision id(s) used twice: {ids}").format(ids=", ".join(duplicates))
            )
        for index, link in enumerate(self.chain):
            if link.decision is not None and link.decision not in ids:
                raise ValueError(
                    _(
                        "keten[{index}].besluit names '{decision}', which is not among "
                        "'besluiten' ({ids}); use one of those ids"
                    ).format(index=index, decision=link.decision, ids=", ".join(ids))
                )
        return self

    def decision(self, decision_id: str) -> Decision:
        """The decision with this id (ids are checked to resolve on validation)."""
        return next(d for d in self.decisions if d.id == decision_id)

    @property
    def signer(self) -> Person:
        """The last grantee: the person who signs the statement."""
        return self.chain[-1].grantee


# --------------------------------------------------------------------------- covenant


class PartyForm(StrEnum):
    """How a gemeente joins a covenant: the covenant's party list decides (DESIGN.md §2)."""

    LEGAL_PERSON = "rechtspersoon"
    """The gemeente as a legal person: the college decides (art. 160 lid 1 onder e
    Gemeentewet), the burgemeester represents it by law (art. 171 lid 1)."""
    ORGANS = "organen"
    """The competent organs (college and/or burgemeester), each for its own powers; an
    organ acts through a mandate (Awb 10:3) and signs in the form of Awb 10:10."""


class Organ(StrEnum):
    """The organs of a gemeente that can be party to a covenant."""

    COLLEGE = "college"
    MAYOR = "burgemeester"

    @property
    def organ_name(self) -> str:
        """The organ's name without the gemeente, e.g. 'college van burgemeester en wethouders'."""
        return {
            "college": "college van burgemeester en wethouders",
            "burgemeester": "burgemeester",
        }[self.value]


class CoordinatingParty(_Model):
    """The party whose written consent makes an accession take effect, and its own chain.

    The consent is the coordinating party's own act (Aanwijzingen voor convenanten,
    aanwijzing 6 and its toelichting): it has its own text and signature block, and the
    official who signs it needs authority of his own (e.g. a mandate regulation of the
    ministry). `sign` and `verify` check the consent against this chain.
    """

    name: Text = Field(alias="naam")
    """The organ that consents, e.g. 'de Minister van Justitie en Veiligheid'."""
    place: Text = Field(alias="plaats")
    """Place where the consent is signed, e.g. 'Den Haag'."""
    authority: Authority = Field(alias="bevoegdheid")
    """The decisions and chain from this organ to the official who signs the consent."""

    @model_validator(mode="before")
    @classmethod
    def _old_form(cls, data: object) -> object:
        if isinstance(data, dict) and "vertegenwoordigd_door" in data:
            raise ValueError(
                _(
                    "'vertegenwoordigd_door' is no longer used: the consent is the coordinating "
                    "party's own act and rests on its own chain; replace it with 'bevoegdheid' "
                    "('besluiten' with the mandate regulation, 'keten' with the mandate to the "
                    "official who signs, with his certificate); see examples/huizen/convenant.yaml"
                )
            )
        return data


def _covenant_keys_added() -> dict[str, str]:
    """Keys a covenant file of toetreding 0.1 lacks, with what each says (for the message)."""
    return {
        "partijvorm": _("'partijvorm' (rechtspersoon, or organen with 'organen')"),
        "datum": _("'datum' (the date of the covenant)"),
        "publicatie": _("'publicatie' (where it was published, e.g. 'Stcrt. 2019, 12345')"),
    }


class EnglishTranslation(_Model):
    """The covenant's own words in English, for the unofficial English statement.

    A title, a recital or the name of a ministry cannot be translated by rule, and the
    translation a covenant uses (or its parties agreed) is a fact about that covenant, so
    it travels with the covenant's data, like the Dutch text. The English statement repeats
    these one to one: one English recital per Dutch recital, one English party per party.
    """

    title: Text = Field(alias="titel")
    """The covenant's title in English; the statement shows the Dutch title beside it."""
    short_title: Text | None = Field(default=None, alias="korte_titel")
    parties: list[Text] = Field(default_factory=list, alias="partijen")
    """The current parties in English, in the order of 'partijen'."""
    recitals: list[Text] = Field(default_factory=list, alias="overwegingen")
    """The recitals in English, in the order of 'overwegingen'."""
    terms: dict[Text, Text] = Field(default_factory=dict, alias="termen")
    """Dutch name → English name for the names this covenant's data uses that the built-in
    glossary does not know (the coordinating party, its official's function, the organs
    of its decisions, e.g. 'de Minister van Justitie en Veiligheid' → 'the Minister of
    Justice and Security'); they also override the built-in glossary."""


class Covenant(_Model):
    """The covenant a party joins. Data, never hard-coded in templates."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")] = Field(alias="id")
    """Short, stable identifier; authority links name it in their scope."""
    title: Text = Field(alias="titel")
    """Full title as it appears on the covenant."""
    short_title: Text | None = Field(default=None, alias="korte_titel")
    version: Text | None = Field(default=None, alias="versie")
    """Version label, when the covenant has one."""
    date: dt.date = Field(alias="datum")
    """The date of the covenant (of its signing by the first parties)."""
    publication: Text = Field(alias="publicatie")
    """Publication reference, e.g. 'Stcrt. 2019, 12345' (aanwijzing 25)."""
    with_annexes: bool = Field(default=True, alias="met_bijlagen")
    """The covenant has annexes, which the accession includes ('met bijlagen')."""
    party_form: PartyForm = Field(alias="partijvorm")
    """Whether gemeenten join as a legal person or as organs."""
    organs: list[Organ] = Field(default_factory=list, alias="organen")
    """With partijvorm 'organen': which organs are party (college, burgemeester)."""
    coordinator: CoordinatingParty = Field(alias="coordinerende_partij")
    accession_article: Text = Field(alias="toetredingsartikel")
    """The article that allows accession, e.g. 'artikel 16'."""
    announcement: Text | None = Field(default=None, alias="bekendmaking")
    """Where an accession is announced, e.g. 'de Staatscourant' (aanwijzing 6, toelichting)."""
    parties: list[Text] = Field(default_factory=list, alias="partijen")
    """Current parties, named in the recitals."""
    recitals: list[Text] = Field(default_factory=list, alias="overwegingen")
    """Standard recitals every statement for this covenant repeats."""
    english: EnglishTranslation | None = Field(default=None, alias="vertaling_en")
    """The covenant's text in English; needed only to render the English translation."""

    @model_validator(mode="before")
    @classmethod
    def _old_form(cls, data: object) -> object:
        """A covenant file written for toetreding 0.1 gets one message that says what to add."""
        if not isinstance(data, dict):
            return data
        missing = [text for key, text in _covenant_keys_added().items() if key not in data]
        coordinator = data.get("coordinerende_partij")
        if isinstance(coordinator, dict) and "vertegenwoordigd_door" in coordinator:
            missing.append(
                _(
                    "'coordinerende_partij.bevoegdheid' (the consenting official's own chain) in "
                    "place of 'coordinerende_partij.vertegenwoordigd_door'"
                )
            )
        if missing:
            raise ValueError(
                _(
                    "this covenant file lacks what a statement must say about the covenant and "
                    "who joins; add {keys}; see examples/huizen/convenant.yaml"
                ).format(keys=", ".join(missing))
            )
        return data

    @model_validator(mode="after")
    def _organs_match_form(self) -> Covenant:
        if self.party_form is PartyForm.ORGANS and not self.organs:
            raise ValueError(
                _(
                    "with 'partijvorm: organen' list the organs that are party under 'organen' "
                    "(college, burgemeester or both)"
                )
            )
        if self.party_form is PartyForm.LEGAL_PERSON and self.organs:
            raise ValueError(
                _(
                    "'organen' goes with 'partijvorm: organen'; with 'rechtspersoon' the "
                    "gemeente itself is party — remove 'organen' or change the form"
                )
            )
        if len(set(self.organs)) != len(self.organs):
            raise ValueError(_("'organen' names an organ twice"))
        return self


# ------------------------------------------------------------------------ request


def _known_cbs_code(code: str) -> str:
    code = code.strip().upper()
    if not CBS_CODE_PATTERN.match(code):
        raise ValueError(
            _(
                "'{code}' is not a CBS municipality code; write 'GM' and four digits, e.g. GM0406"
            ).format(code=code)
        )
    if lookup(code) is None:
        raise ValueError(
            _(
                "'{code}' is not one of the 342 municipalities of 1 January 2025; "
                "check the code at CBS (gemeentelijke indeling) — merged municipalities get new "
                "codes"
            ).format(code=code)
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


def _one_or_more(value: object) -> object:
    """One id as written ('college-2026-11-10') is a list of one."""
    return [value] if isinstance(value, str) else value


class StatementRequest(_Model):
    """What a clerk writes for one statement: the party, the files it rests on, when and where."""

    covenant_file: Text = Field(alias="convenant")
    """Path of the covenant YAML, relative to this file."""
    authority_file: Text = Field(alias="bevoegdheid")
    """Path of the decisions-and-authority YAML, relative to this file."""
    accession_decision: Annotated[list[Text], BeforeValidator(_one_or_more)] | None = Field(
        default=None, alias="toetredingsbesluit"
    )
    """Id of the decision to join (with two organs as party: one per organ, as a list); may
    be left out when the authority file has only one decision."""
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
        extra="forbid", frozen=True, validate_by_alias=True, validate_by_name=True, defer_build=True
    )

    @property
    def municipality_name(self) -> str:
        """Official name of the joining gemeente (CBS suffix removed)."""
        found = lookup(self.request.party.cbs_code)
        assert found is not None  # validated on load
        return found.official_name

    @property
    def accession_decisions(self) -> tuple[Decision, ...]:
        """The decisions to join: named explicitly, or the only decision there is."""
        wanted = self.request.accession_decision
        if wanted is None:
            return (self.authority.decisions[0],)
        return tuple(self.authority.decision(i) for i in wanted)

    @property
    def accession_decision(self) -> Decision:
        """The (first) decision to join."""
        return self.accession_decisions[0]

    @property
    def party_organs(self) -> tuple[Organ, ...]:
        """The organs that join (empty when the gemeente joins as a legal person)."""
        return tuple(self.covenant.organs)
