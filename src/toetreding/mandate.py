"""Who may sign what: the chain-of-authority rules, as pure functions.

Dutch law in short (see DESIGN.md §2). How a gemeente joins depends on the covenant's party
list. As a *legal person*: the college decides to join (Gemeentewet art. 160 lid 1 onder e);
the burgemeester represents the gemeente by law for his term (art. 171 lid 1, appointed by
Royal Decree, art. 61) and may assign that to someone (171 lid 2); a locoburgemeester or
appointed substitute acts when he cannot (art. 77/78). As *organs* (college and/or
burgemeester, each for its own powers): each organ decides to join and acts by mandate
(Awb 10:3, a general mandate in writing, 10:5), passed on by ondermandaat only where the
mandator allows it (10:9), and the act names the original mandator (10:10). The coordinating
party's consent rests on its own chain in the same way (an organ acting by mandate).

Each rule takes the data and returns the ways the data breaks it, written for a legal
officer, with the article. :func:`check_chain` runs them all. Nothing here reads files,
keys or clocks: `sign` and `verify` feed in the moment and the certificate, so both apply
exactly the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .i18n import _
from .model import (
    Authority,
    AuthorityLink,
    CertificateIdentity,
    Decision,
    LinkKind,
    Organ,
    PartyForm,
)
from .textformat import with_article

MANDATE_KINDS = frozenset(
    {LinkKind.MANDATE, LinkKind.POWER_OF_ATTORNEY, LinkKind.AUTHORISATION, LinkKind.SUBMANDATE}
)
"""Links by which an organ's authority is passed on (Awb 10:3, 10:12, 10:9)."""

WRITTEN_DECISION_KINDS = MANDATE_KINDS | {
    LinkKind.ASSIGNMENT,
    LinkKind.SUBSTITUTION,
    LinkKind.REPRESENTATION,
}
"""Links that rest on a written decision: a mandate (Awb 10:5), an assignment (art. 171
lid 2), a designation as substitute (art. 77), and the appointment behind a
representation by law (the Royal Decree, art. 61)."""

LEGAL_PERSON_FIRST = frozenset({LinkKind.REPRESENTATION, LinkKind.SUBSTITUTION})
"""Who represents the gemeente as a legal person: the burgemeester or his substitute."""

ORGAN_FIRST = frozenset({LinkKind.MANDATE, LinkKind.POWER_OF_ATTORNEY, LinkKind.AUTHORISATION})
"""How an organ lets someone act for it: a mandate, volmacht or machtiging."""

WRITTEN_ARTICLE: dict[LinkKind, str] = {
    LinkKind.REPRESENTATION: "artikel 171, eerste lid, en artikel 61 Gemeentewet",
    LinkKind.ASSIGNMENT: "artikel 171, tweede lid, Gemeentewet",
    LinkKind.SUBSTITUTION: "artikel 77 en 78 Gemeentewet",
    LinkKind.MANDATE: "artikel 10:3 en 10:5, tweede lid, Awb",
    LinkKind.POWER_OF_ATTORNEY: "artikel 10:12 en 10:5, tweede lid, Awb",
    LinkKind.AUTHORISATION: "artikel 10:12 en 10:5, tweede lid, Awb",
    LinkKind.SUBMANDATE: "artikel 10:9 en 10:5, tweede lid, Awb",
}
"""The provision that asks each kind of link to rest on a written decision."""

PERIOD_ARTICLE: dict[LinkKind, str] = {
    LinkKind.REPRESENTATION: "artikel 61, tweede lid, Gemeentewet (ambtstermijn)",
    LinkKind.ASSIGNMENT: "artikel 171, tweede lid, Gemeentewet",
    LinkKind.SUBSTITUTION: "artikel 77 en 78 Gemeentewet",
}
"""Where a link's period comes from when it is not a mandate (Awb 10:3 and 10:8)."""


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says about its holder (read by the caller, not here)."""

    subject: dict[str, str]
    """Subject attributes by asn1crypto name: common_name, serial_number, title, …"""
    serial_number: str
    """Certificate serial number, hexadecimal."""
    sha256_fingerprint: str
    """SHA-256 of the DER certificate, hexadecimal."""
    issuer: dict[str, str] = field(default_factory=dict)
    """Issuer attributes by asn1crypto name."""


@dataclass(frozen=True)
class RuleBreach:
    """One way the chain fails one rule."""

    rule: str
    """Stable id, e.g. 'in-force'."""
    message: str
    """What is wrong, in words a legal officer understands."""
    article: str
    """The provision the rule comes from."""
    link: int | None = None
    """1-based position of the offending link, if one."""

    def __str__(self) -> str:
        if self.link:
            return _("link {number}: {message} ({article})").format(
                number=self.link, message=self.message, article=self.article
            )
        return f"{self.message} ({self.article})"


@dataclass(frozen=True)
class ChainContext:
    """What the chain is checked against: the moment, on whose behalf, and the evidence."""

    at: dt.date
    """The signing moment (date)."""
    covenant_id: str | None = None
    """The covenant signed; without it the scope rule is not applied."""
    party_name: str | None = None
    """The gemeente's name, e.g. 'Huizen': functions and organs may be written 'van Huizen'."""
    form: PartyForm | None = None
    """How the principal acts; without it only the form-independent rules apply."""
    organs: tuple[str, ...] = ()
    """With the organ form: the organs that are party, e.g. ('college van burgemeester en
    wethouders',) for a gemeente or ('Minister van Justitie en Veiligheid',) for the
    coordinating party."""
    accession_decisions: tuple[str, ...] = ()
    """Ids of the decisions to join (one per joining organ); empty for a consent."""
    certificate: CertificateFacts | None = None
    formula: str | None = None
    """The signing formula, e.g. 'burgemeester van Huizen, namens de gemeente Huizen'."""


def party_context(
    at: dt.date,
    *,
    covenant_id: str,
    party_name: str,
    form: PartyForm,
    organs: Sequence[Organ | str],
    accession_decisions: Sequence[str],
    certificate: CertificateFacts | None = None,
    formula: str | None = None,
) -> ChainContext:
    """The context for a gemeente's signature."""
    return ChainContext(
        at=at,
        covenant_id=covenant_id,
        party_name=party_name,
        form=form,
        organs=tuple(o.organ_name if isinstance(o, Organ) else Organ(o).organ_name for o in organs),
        accession_decisions=tuple(accession_decisions),
        certificate=certificate,
        formula=formula,
    )


def consent_context(
    at: dt.date,
    *,
    covenant_id: str,
    coordinator: str,
    certificate: CertificateFacts | None = None,
    formula: str | None = None,
) -> ChainContext:
    """The context for the coordinating party's consent: its organ acts through its chain."""
    return ChainContext(
        at=at,
        covenant_id=covenant_id,
        form=PartyForm.ORGANS,
        organs=(coordinator,),
        certificate=certificate,
        formula=formula,
    )


@dataclass(frozen=True)
class ChainVerdict:
    """The outcome of checking a chain."""

    breaches: tuple[RuleBreach, ...]
    checked: tuple[str, ...]
    """Ids of the rules that were applied (some need a certificate or formula)."""
    signer: str
    original_mandator: str | None
    chain_digest: str

    @property
    def authorised(self) -> bool:
        """True when no rule is broken."""
        return not self.breaches


def normalise(text: str) -> str:
    """Lower case, single spaces, no leading article, Unicode NFC (a decomposed 'ö' as macOS
    types it equals the composed one): for comparing functions and organs."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).strip().lower())
    return re.sub(r"^(de|het|the) ", "", text)


def chain_digest(authority: Authority) -> str:
    """SHA-256 over the canonical JSON of decisions and chain (what the register records)."""
    canonical = json.dumps(
        authority.model_dump(mode="json", by_alias=True),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def original_mandator(chain: Sequence[AuthorityLink]) -> str | None:
    """Who a mandate-based signature must name as acting 'namens' (Awb 10:10).

    The grantor of the first mandate-like link: a submandate still acts on behalf of the
    organ that granted the original mandate, never on behalf of the intermediate mandatee.
    """
    for link in chain:
        if link.kind in MANDATE_KINDS:
            return link.grantor
    return None


# --------------------------------------------------------------------------- rules


def _organ_forms(organ: str, party: str | None) -> set[str]:
    """How an organ may be written: bare, 'van PARTY', and for the college 'burgemeester en
    wethouders' (the name Awb 10:10 formulas use)."""
    forms = _forms(organ, party)
    if normalise(organ) in {"college van burgemeester en wethouders", "college"}:
        forms |= _forms("burgemeester en wethouders", party) | _forms("college", party)
        forms |= _forms("college van burgemeester en wethouders", party)
    return forms


def _is_organ(text: str | None, organ: str, party: str | None) -> bool:
    return text is not None and normalise(text) in _organ_forms(organ, party)


def _is_mayor(function: str, party: str | None) -> bool:
    """Whether a function is the burgemeester's (of ``party`` when known)."""
    if party is None:
        return re.fullmatch(r"burgemeester( van .+)?", normalise(function)) is not None
    return normalise(function) in _forms("burgemeester", party)


def accession_decided(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """The decision to join was taken by the organ the party form requires.

    A legal person: one decision of the college (art. 160 lid 1 onder e Gemeentewet). The
    organ form: every organ that is party decided itself, each within its own powers, so
    each decision names the power it exercises ('grondslag').
    """
    found = []
    breaches = []
    for decision_id in context.accession_decisions:
        decision = _decision(authority, decision_id)
        if decision is None:
            breaches.append(
                RuleBreach(
                    "accession-decision",
                    _("the decision to join '{decision}' is not among the decisions").format(
                        decision=decision_id
                    ),
                    "Aanwijzingen voor convenanten, aanwijzing 5 (bevoegdheid blijkt uit de stukken)",
                )
            )
        else:
            found.append(decision)
            if decision.date > context.at:
                breaches.append(
                    RuleBreach(
                        "accession-decision",
                        _(
                            "the decision to join of {date} ({reference}) had not "
                            "been taken yet on {moment}; nobody may sign before it"
                        ).format(
                            date=decision.date, reference=decision.reference, moment=context.at
                        ),
                        "Aanwijzingen voor convenanten, aanwijzing 5",
                    )
                )
    party = context.party_name
    if context.form is PartyForm.LEGAL_PERSON:
        college = Organ.COLLEGE.organ_name
        for decision in found:
            if not _is_organ(decision.organ, college, party):
                breaches.append(
                    RuleBreach(
                        "accession-decision",
                        _(
                            "the decision to join was taken by '{organ}'; for the gemeente "
                            "as a legal person it is the college's (college van burgemeester en "
                            "wethouders)"
                        ).format(organ=decision.organ),
                        "artikel 160, eerste lid, onder e, Gemeentewet",
                    )
                )
    elif context.form is PartyForm.ORGANS:
        for organ in context.organs:
            if not any(_is_organ(d.organ, organ, party) for d in found):
                breaches.append(
                    RuleBreach(
                        "accession-decision",
                        _(
                            "the {organ} is party, but no decision of the {organ} to join is "
                            "named; each organ joins by its own decision (name it in "
                            "'toetredingsbesluit')"
                        ).format(organ=organ),
                        "Aanwijzingen voor convenanten, aanwijzing 5",
                    )
                )
        for decision in found:
            if not any(_is_organ(decision.organ, o, party) for o in context.organs):
                breaches.append(
                    RuleBreach(
                        "accession-decision",
                        _(
                            "the decision to join was taken by '{organ}', which is not "
                            "party to the covenant ({parties})"
                        ).format(organ=decision.organ, parties=", ".join(context.organs)),
                        "Aanwijzingen voor convenanten, aanwijzing 5",
                    )
                )
            elif not decision.legal_basis:
                breaches.append(
                    RuleBreach(
                        "accession-decision",
                        _(
                            "the decision of the {organ} to join ({reference}) "
                            "does not name the power it exercises; an organ binds only its own "
                            "powers, so add 'grondslag' to the decision"
                        ).format(organ=decision.organ, reference=decision.reference),
                        "Aanwijzingen voor convenanten, aanwijzing 5",
                    )
                )
    return breaches


def party_form_respected(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """The chain is the kind the party form needs.

    A legal person is represented by its burgemeester by law, or by his substitute, and
    the burgemeester may assign that to someone (art. 171, 77); an organ acts through a
    mandate, volmacht or machtiging it grants itself (Awb 10:3, 10:12), passed on by
    ondermandaat (10:9).
    """
    first = authority.chain[0]
    party = context.party_name
    if context.form is None:
        allowed = LEGAL_PERSON_FIRST | ORGAN_FIRST
        if first.kind in allowed:
            return []
        return [
            RuleBreach(
                "party-form",
                _(
                    "the chain starts with a {kind}, which can only pass on authority "
                    "someone already has"
                ).format(kind=first.kind.value),
                "artikel 171 Gemeentewet; artikel 10:3 Awb",
                1,
            )
        ]
    breaches = []
    if context.form is PartyForm.LEGAL_PERSON:
        if first.kind not in LEGAL_PERSON_FIRST:
            breaches.append(
                RuleBreach(
                    "party-form",
                    _(
                        "the gemeente as a legal person is represented by its burgemeester by law "
                        "(or by whoever stands in for him); a {kind} from "
                        "'{grantor}' cannot give that — start the chain with "
                        "'vertegenwoordiging' (or 'waarneming')"
                    ).format(kind=first.kind.value, grantor=first.grantor),
                    "artikel 171, eerste lid, en artikel 77 Gemeentewet",
                    1,
                )
            )
        for index, link in enumerate(authority.chain[1:], 2):
            if link.kind is not LinkKind.ASSIGNMENT:
                breaches.append(
                    RuleBreach(
                        "party-form",
                        _(
                            "a {kind} cannot pass on the representation of the gemeente; "
                            "the burgemeester assigns it to someone by 'aanwijzing'"
                        ).format(kind=link.kind.value),
                        "artikel 171, tweede lid, Gemeentewet",
                        index,
                    )
                )
        return breaches
    if first.kind not in ORGAN_FIRST:
        breaches.append(
            RuleBreach(
                "party-form",
                _(
                    "here the organs are party ({organs}), and an organ acts "
                    "through a mandate it grants; a {kind} is how a gemeente as a "
                    "legal person is represented — start the chain with 'mandaat' from the organ"
                ).format(organs=", ".join(context.organs), kind=first.kind.value),
                "artikel 10:3 Awb",
                1,
            )
        )
        return breaches
    if not any(_is_organ(first.grantor, organ, party) for organ in context.organs):
        breaches.append(
            RuleBreach(
                "party-form",
                _(
                    "the {kind} comes from '{grantor}', which is not party "
                    "({organs}); only the organ itself can grant it"
                ).format(
                    kind=first.kind.value, grantor=first.grantor, organs=", ".join(context.organs)
                ),
                "artikel 10:3, eerste lid, Awb",
                1,
            )
        )
    signer = authority.signer.function
    for organ in context.organs:
        acts_itself = _is_organ(organ, Organ.MAYOR.organ_name, None) and _is_mayor(signer, party)
        if not _is_organ(first.grantor, organ, party) and not acts_itself:
            breaches.append(
                RuleBreach(
                    "party-form",
                    _(
                        "the {organ} is party too, but the chain gives '{signer}' no authority of "
                        "the {organ}; add its mandate, or let the {organ} sign"
                    ).format(organ=organ, signer=signer),
                    "artikel 10:3 en 10:10 Awb",
                )
            )
    for index, link in enumerate(authority.chain[1:], 2):
        if link.kind not in MANDATE_KINDS:
            breaches.append(
                RuleBreach(
                    "party-form",
                    _(
                        "a {kind} cannot pass on an organ's mandate; use 'ondermandaat' "
                        "(where the mandate allows it) or 'machtiging'"
                    ).format(kind=link.kind.value),
                    "artikel 10:9 en 10:12 Awb",
                    index,
                )
            )
    return breaches


def representation_by_law(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """A representation by law is the burgemeester's own, from his appointment, for his term."""
    breaches = []
    party = context.party_name
    for index, link in enumerate(authority.chain, 1):
        if link.kind is not LinkKind.REPRESENTATION:
            continue
        article = "artikel 171, eerste lid, en artikel 61 Gemeentewet"
        if index != 1:
            breaches.append(
                RuleBreach(
                    "representation",
                    _(
                        "a representation by law is the burgemeester's own and cannot be received "
                        "from someone in the chain"
                    ),
                    article,
                    index,
                )
            )
        if not _is_mayor(link.grantee.function, party):
            breaches.append(
                RuleBreach(
                    "representation",
                    _(
                        "'{function}' does not represent the gemeente by law; only "
                        "the burgemeester does (someone else by 'aanwijzing' or 'waarneming')"
                    ).format(function=link.grantee.function),
                    article,
                    index,
                )
            )
        if link.valid_until is None:
            breaches.append(
                RuleBreach(
                    "representation",
                    _(
                        "the representation lasts for the burgemeester's term; give the end of his "
                        "term in 'geldig_tot' (and its start in 'geldig_vanaf')"
                    ),
                    "artikel 61, tweede lid, Gemeentewet",
                    index,
                )
            )
    return breaches


def assignment_follows_mayor(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """An aanwijzing is the burgemeester's (or his substitute's) assignment of representation."""
    breaches = []
    for index, link in enumerate(authority.chain, 1):
        if link.kind is not LinkKind.ASSIGNMENT:
            continue
        previous = authority.chain[index - 2] if index > 1 else None
        if previous is None or previous.kind not in LEGAL_PERSON_FIRST:
            breaches.append(
                RuleBreach(
                    "assignment",
                    _(
                        "an 'aanwijzing' must follow the burgemeester's representation (or his "
                        "substitute's): only he can assign it"
                    ),
                    "artikel 171, tweede lid, Gemeentewet",
                    index,
                )
            )
    return breaches


SUBSTITUTE_GRANTORS = ("college van burgemeester en wethouders", "commissaris van de koning")
"""Who designates a substitute: the college a wethouder (art. 77), the Commissaris van de
Koning a waarnemend burgemeester (art. 78)."""


def substitution_first(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """A substitute stands in for the burgemeester himself, so the chain starts there; he is
    designated by the college (a wethouder, art. 77) or by the Commissaris van de Koning (a
    waarnemend burgemeester, art. 78)."""
    breaches = []
    for index, link in enumerate(authority.chain, 1):
        if link.kind is not LinkKind.SUBSTITUTION:
            continue
        if index != 1:
            breaches.append(
                RuleBreach(
                    "substitution",
                    _(
                        "a 'waarneming' stands in for the burgemeester and starts the chain; it "
                        "cannot be received from someone in the chain"
                    ),
                    "artikel 77 en 78 Gemeentewet",
                    index,
                )
            )
        grantor = normalise(link.grantor or "")
        if not any(
            grantor in _organ_forms(allowed, context.party_name) for allowed in SUBSTITUTE_GRANTORS
        ):
            breaches.append(
                RuleBreach(
                    "substitution",
                    _(
                        "'{grantor}' cannot designate a substitute for the burgemeester: the "
                        "college designates a wethouder (art. 77), the Commissaris van de Koning "
                        "appoints a waarnemend burgemeester (art. 78)"
                    ).format(grantor=link.grantor),
                    "artikel 77 en 78 Gemeentewet",
                    index,
                )
            )
        if not re.search(r"burgemeester|wethouder", normalise(link.grantee.function)):
            breaches.append(
                RuleBreach(
                    "substitution",
                    _(
                        "'{function}' cannot stand in for the burgemeester: a "
                        "wethouder (locoburgemeester) or a waarnemend burgemeester does"
                    ).format(function=link.grantee.function),
                    "artikel 77 en 78 Gemeentewet",
                    index,
                )
            )
    return breaches


def nobody_grants_himself(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """An organ or official cannot mandate, assign or designate itself: a link must pass
    authority to someone else."""
    breaches = []
    for index, link in enumerate(authority.chain, 1):
        if link.grantor is None:
            continue
        if normalise(link.grantee.function) in _organ_forms(link.grantor, context.party_name):
            breaches.append(
                RuleBreach(
                    "self-grant",
                    _(
                        "'{grantor}' grants the {kind} to itself; a mandate or "
                        "assignment passes authority to someone else (an organ acts itself "
                        "without one)"
                    ).format(grantor=link.grantor, kind=link.kind.value),
                    "artikel 10:1 en 10:3 Awb",
                    index,
                )
            )
    return breaches


def links_connect(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Each link is granted by whoever received the previous one."""
    breaches = []
    for index in range(1, len(authority.chain)):
        previous, link = authority.chain[index - 1], authority.chain[index]
        if link.grantor is None:
            continue  # a representation by law; its own rule says it must come first
        if normalise(link.grantor) not in _forms(previous.grantee.function, context.party_name):
            breaches.append(
                RuleBreach(
                    "connected",
                    _(
                        "'{grantor}' grants this {kind}, but the previous link gave "
                        "authority to '{holder}'; only who holds authority can "
                        "pass it on"
                    ).format(
                        grantor=link.grantor, kind=link.kind.value, holder=previous.grantee.function
                    ),
                    "artikel 10:3 en 10:9 Awb; artikel 171, tweede lid, Gemeentewet",
                    index + 1,
                )
            )
    return breaches


def submandate_allowed(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Ondermandaat only where the previous mandate allows it."""
    breaches = []
    for index, link in enumerate(authority.chain):
        if link.kind is not LinkKind.SUBMANDATE:
            continue
        previous = authority.chain[index - 1] if index else None
        if previous is None or previous.kind not in MANDATE_KINDS:
            breaches.append(
                RuleBreach(
                    "submandate",
                    _("an ondermandaat must follow a mandate, volmacht or machtiging"),
                    "artikel 10:9 Awb",
                    index + 1,
                )
            )
        elif not previous.submandate_allowed:
            breaches.append(
                RuleBreach(
                    "submandate",
                    _(
                        "'{holder}' passes the {kind} on, but the "
                        "{kind} it received does not allow ondermandaat "
                        "(ondermandaat_toegestaan is not set)"
                    ).format(holder=previous.grantee.function, kind=previous.kind.value),
                    "artikel 10:9, eerste lid, Awb",
                    index + 1,
                )
            )
    return breaches


def in_force(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Every link (and the decision it rests on) is in force at the signing moment."""
    at = context.at
    breaches = []
    for index, link in enumerate(authority.chain, 1):
        what = {"kind": link.kind.value, "grantee": link.grantee.function}
        period_article = PERIOD_ARTICLE.get(link.kind, "artikel 10:3 en 10:8 Awb (geldigheid)")
        if link.valid_from and at < link.valid_from:
            breaches.append(
                RuleBreach(
                    "in-force",
                    _("the {kind} to '{grantee}' takes effect on {start}, after {moment}").format(
                        **what, start=link.valid_from, moment=at
                    ),
                    period_article,
                    index,
                )
            )
        if link.valid_until and at > link.valid_until:
            breaches.append(
                RuleBreach(
                    "in-force",
                    _("the {kind} to '{grantee}' ended on {end}, before {moment}").format(
                        **what, end=link.valid_until, moment=at
                    ),
                    period_article,
                    index,
                )
            )
        if link.revoked_on and at >= link.revoked_on:
            breaches.append(
                RuleBreach(
                    "in-force",
                    _("the {kind} to '{grantee}' was withdrawn on {withdrawn}").format(
                        **what, withdrawn=link.revoked_on
                    ),
                    "artikel 10:8 Awb",
                    index,
                )
            )
        if link.decision:
            decision = _decision(authority, link.decision)
            if decision is not None and at < decision.date:
                breaches.append(
                    RuleBreach(
                        "in-force",
                        _(
                            "the {kind} to '{grantee}' rests on the decision of {date} "
                            "({reference}), which had not been taken yet on {moment}"
                        ).format(
                            **what, date=decision.date, reference=decision.reference, moment=at
                        ),
                        WRITTEN_ARTICLE.get(link.kind, "artikel 10:5 Awb"),
                        index,
                    )
                )
    return breaches


def written_decisions(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Every link rests on a written decision: the mandate, assignment or designation
    itself, or for a representation by law the Royal Decree that appointed the burgemeester."""
    breaches = []
    for index, link in enumerate(authority.chain, 1):
        if link.kind not in WRITTEN_DECISION_KINDS or link.decision:
            continue
        if link.kind is LinkKind.REPRESENTATION:
            message = _(
                "the {kind} to '{grantee}' names no decision; add 'besluit' with the id of "
                "the Royal Decree that appointed the burgemeester"
            )
        else:
            message = _(
                "the {kind} to '{grantee}' names no decision; add 'besluit' with the id of "
                "the decision that grants the {kind}"
            )
        breaches.append(
            RuleBreach(
                "written",
                message.format(kind=link.kind.value, grantee=link.grantee.function),
                WRITTEN_ARTICLE[link.kind],
                index,
            )
        )
    return breaches


def scope_covers(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Every link's scope covers this covenant (an empty scope is unlimited)."""
    return [
        RuleBreach(
            "scope",
            _("the {kind} to '{grantee}' covers {scope}, not the covenant '{covenant}'").format(
                kind=link.kind.value,
                grantee=link.grantee.function,
                scope=", ".join(link.scope),
                covenant=context.covenant_id,
            ),
            "artikel 10:3 en 10:6 Awb (reikwijdte en instructies)",
            index,
        )
        for index, link in enumerate(authority.chain, 1)
        if link.scope and context.covenant_id is not None and context.covenant_id not in link.scope
    ]


def certificate_matches(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """The signing certificate is the one that proves the last grantee."""
    certificate = context.certificate
    assert certificate is not None
    grantee = authority.signer
    identity = grantee.certificate
    last = len(authority.chain)
    if identity is None or not (
        identity.subject or identity.serial_number or identity.fingerprint_sha256
    ):
        return [
            RuleBreach(
                "certificate",
                _(
                    "the chain does not say which certificate proves '{name}' "
                    "({function}); add 'certificaat' (onderwerp, serienummer or "
                    "vingerafdruk_sha256) to the last link"
                ).format(name=grantee.name, function=grantee.function),
                "Aanwijzingen voor convenanten (bevoegdheid blijkt uit de stukken)",
                last,
            )
        ]
    if not _identifies_one_holder(identity):
        return [
            RuleBreach(
                "certificate",
                _(
                    "the chain binds the certificate of '{name}' by name or organisation "
                    "only, or by a serial number without its issuer "
                    "({attributes}), which other "
                    "certificates can carry too; add 'vingerafdruk_sha256', or 'uitgever' (the "
                    "issuing CA) with 'onderwerp.serial_number' (the holder's serialNumber) or "
                    "'serienummer', to the last link"
                ).format(
                    name=grantee.name,
                    attributes=", ".join(sorted(identity.subject)) or _("nothing unique"),
                ),
                "Aanwijzingen voor convenanten (bevoegdheid blijkt uit de stukken)",
                last,
            )
        ]
    problems = _name_problems(
        identity.subject,
        certificate.subject,
        missing=_("the certificate has no {attribute}, the chain expects {wanted}"),
        differs=_("{attribute} is {found}, the chain expects {wanted}"),
    )
    problems += _name_problems(
        identity.issuer,
        certificate.issuer,
        missing=_("the issuer has no {attribute}, the chain expects {wanted}"),
        differs=_("issuer {attribute} is {found}, the chain expects {wanted}"),
    )
    if identity.serial_number and _hex(identity.serial_number) != _hex(certificate.serial_number):
        problems.append(
            _("serial number is {found}, the chain expects {wanted}").format(
                found=certificate.serial_number, wanted=identity.serial_number
            )
        )
    if identity.fingerprint_sha256 and _hex(identity.fingerprint_sha256) != _hex(
        certificate.sha256_fingerprint
    ):
        problems.append(_("SHA-256 fingerprint differs from the one in the chain"))
    if not problems:
        return []
    return [
        RuleBreach(
            "certificate",
            _("the signing certificate is not the one of '{name}' ({function}): {problems}").format(
                name=grantee.name, function=grantee.function, problems="; ".join(problems)
            ),
            "Aanwijzingen voor convenanten (bevoegdheid blijkt uit de stukken)",
            last,
        )
    ]


def _name_problems(
    expected: Mapping[str, str], actual: Mapping[str, str], *, missing: str, differs: str
) -> list[str]:
    """Each expected name attribute the certificate lacks or holds otherwise, in words
    (``missing`` and ``differs`` are translated sentences with {attribute}, {found}, {wanted})."""
    problems = []
    for key, wanted in expected.items():
        found = actual.get(key)
        if found is None:
            problems.append(missing.format(attribute=key, wanted=repr(wanted)))
        elif normalise(found) != normalise(wanted):
            problems.append(differs.format(attribute=key, found=repr(found), wanted=repr(wanted)))
    return problems


FORMULA_SEPARATOR = re.compile(r",\s*namens\s+", re.IGNORECASE)


def parse_formula(formula: str) -> tuple[str, str] | None:
    """'FUNCTION, namens ON-BEHALF-OF' → (function, on behalf of); None without 'namens'."""
    parts = FORMULA_SEPARATOR.split(formula.strip(), maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        return None
    return parts[0].strip(), parts[1].strip().rstrip(",")


def _forms(name: str, party: str | None) -> set[str]:
    """A function or organ as it may be written: bare, or followed by 'van PARTY'."""
    bare = normalise(name)
    if party is None:
        return {bare}
    # 'De Bilt', 'De Wolden', 'Het Hogeland': the article is part of the name, so the
    # name is compared as written too (normalise() drops a leading article)
    forms = {bare}
    for written in {normalise(party), _plain(party)}:
        suffix = f" van {written}"
        forms |= {bare + suffix, bare.removesuffix(suffix)}
    return forms


def _plain(text: str) -> str:
    """Lower case, single spaces, Unicode NFC — the article kept."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).strip().lower())


def formula_names_mandator(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """The formula is exactly 'FUNCTION, namens WHOM' for this chain (Awb 10:10).

    Compared as whole phrases (normalised), never as substrings: 'gemeente Enkhuizen' does
    not contain 'gemeente Huizen' in this sense. FUNCTION is the last grantee's function;
    WHOM is the original mandator when authority was passed on by mandate (10:10 names
    the mandator, not an intermediate), otherwise the party itself ('de gemeente Huizen').
    """
    formula = context.formula
    assert formula is not None
    parsed = parse_formula(formula)
    if parsed is None:
        return [
            RuleBreach(
                "formula",
                _(
                    "the signing formula '{formula}' does not say on whose behalf the signer "
                    "acts; write 'FUNCTION, namens WHOM', e.g. 'burgemeester van Huizen, namens "
                    "de gemeente Huizen'"
                ).format(formula=formula),
                "artikel 10:10 Awb",
            )
        ]
    function, behalf = parsed
    party = context.party_name
    breaches = []
    grantee = authority.signer
    if normalise(function) not in _forms(grantee.function, party):
        breaches.append(
            RuleBreach(
                "formula",
                _(
                    "the signing formula names the function '{function}', but the chain "
                    "authorises '{authorised}'"
                ).format(function=function, authorised=grantee.function),
                "artikel 10:10 Awb",
                len(authority.chain),
            )
        )
    whom = principal(authority, context)
    if whom is None:
        return breaches
    expected, wanted, mandator = whom
    if normalise(behalf) not in expected:
        breaches.append(
            RuleBreach(
                "formula",
                (
                    _(
                        "the signing formula acts 'namens {behalf}', but for this chain it must "
                        "be 'namens {wanted}' (the original mandator)"
                    )
                    if mandator
                    else _(
                        "the signing formula acts 'namens {behalf}', but for this chain it must "
                        "be 'namens {wanted}'"
                    )
                ).format(behalf=behalf, wanted=wanted),
                "artikel 10:10 Awb",
            )
        )
    return breaches


def principal(authority: Authority, context: ChainContext) -> tuple[set[str], str, bool] | None:
    """On whose behalf the signer acts: (accepted normalised forms, how to write it, whether
    it is an original mandator); None when nothing is known to compare with.

    The gemeente itself when it joins as a legal person; otherwise the original mandator
    (Awb 10:10 names the mandator, never an intermediate mandatee).
    """
    party = context.party_name
    mandator = original_mandator(authority.chain)
    if party is not None and (context.form is PartyForm.LEGAL_PERSON or mandator is None):
        return {normalise(f"gemeente {party}")}, f"de gemeente {party}", False
    if mandator is None:
        return None
    written = with_article(mandator if party is None else _with_party(mandator, party))
    return _organ_forms(mandator, party), written, True


def expected_formula(authority: Authority, context: ChainContext) -> str | None:
    """The formula this chain asks for, e.g. 'burgemeester van Huizen, namens de gemeente
    Huizen' (what `sign` and `batch` present when nothing else is given)."""
    whom = principal(authority, context)
    if whom is None:
        return None
    return f"{authority.signer.function}, namens {whom[1]}"


def _with_party(name: str, party: str) -> str:
    """'burgemeester' → 'burgemeester van Huizen' (unchanged when it already says so)."""
    bare = re.sub(r"\s+", " ", name.strip())
    if normalise(bare).endswith(f" van {normalise(party)}"):
        return bare
    return f"{bare} van {party}"


Rule = Callable[[Authority, ChainContext], list[RuleBreach]]

RULES: tuple[tuple[str, Rule], ...] = (
    ("accession-decision", accession_decided),
    ("party-form", party_form_respected),
    ("representation", representation_by_law),
    ("assignment", assignment_follows_mayor),
    ("substitution", substitution_first),
    ("connected", links_connect),
    ("self-grant", nobody_grants_himself),
    ("submandate", submandate_allowed),
    ("in-force", in_force),
    ("written", written_decisions),
    ("scope", scope_covers),
)


@dataclass(frozen=True)
class _Applied:
    breaches: list[RuleBreach] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


def check_chain(authority: Authority, context: ChainContext) -> ChainVerdict:
    """Apply every rule; the certificate and formula rules only when those are given."""
    applied = _Applied()
    rules = [
        (i, r)
        for i, r in RULES
        if (i != "scope" or context.covenant_id is not None)
        and (i != "accession-decision" or context.accession_decisions)
    ]
    if context.certificate is not None:
        rules.append(("certificate", certificate_matches))
    if context.formula is not None:
        rules.append(("formula", formula_names_mandator))
    for rule_id, rule in rules:
        applied.checked.append(rule_id)
        applied.breaches.extend(rule(authority, context))
    signer = authority.signer
    return ChainVerdict(
        breaches=tuple(applied.breaches),
        checked=tuple(applied.checked),
        signer=f"{signer.name} ({signer.function})",
        original_mandator=original_mandator(authority.chain),
        chain_digest=chain_digest(authority),
    )


def _identifies_one_holder(identity: CertificateIdentity) -> bool:
    """Whether the identity names something unique to one person or key (see the model).

    A serial number — the certificate's, or the holder's subject serialNumber — is unique
    only within the CA that assigned it, so it binds only together with the issuer.
    """
    return bool(
        identity.fingerprint_sha256
        or (identity.issuer and identity.subject.get("serial_number", "").strip())
        or (identity.serial_number and identity.issuer)
    )


def _decision(authority: Authority, decision_id: str) -> Decision | None:
    return next((d for d in authority.decisions if d.id == decision_id), None)


def _hex(value: str) -> str:
    return re.sub(r"[^0-9a-f]", "", value.lower()).lstrip("0")
