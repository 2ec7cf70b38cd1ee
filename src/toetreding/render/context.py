"""What templates see: the statement as plain, pre-formatted values.

Templates hold all wording (so a municipality can adapt it); this module hands them the
facts in a form that needs no logic: dates already in long form in the document's
language, the official party name, who joins in which form, the chain of authority step by
step with the article each step rests on, and the coordinating party's own chain. Every
value is a plain ``str``/``list``/``dict``/``bool``, and the Jinja environment prints each
one as an inert Typst string (see :mod:`toetreding.render.escape`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..mandate import expected_formula, original_mandator, party_context
from ..model import (
    Authority,
    AuthorityLink,
    Covenant,
    Decision,
    LinkKind,
    Organ,
    PartyForm,
    SignatureSlot,
    Statement,
)
from ..municipalities import lookup
from ..textformat import enumerate_words, long_date, office_article, with_article
from .english_context import in_english

PARTY_FIELD = SignatureSlot.PARTY.value
"""Name of the signature field for the joining party."""
COORDINATOR_FIELD = SignatureSlot.COORDINATOR.value
"""Name of the signature field for the coordinating party's consent."""

ACCESSION_BASIS_LEGAL_PERSON = "artikel 160, eerste lid, onder e, Gemeentewet"
"""The college decides on private-law acts of the gemeente, such as joining a covenant."""

DateText = Callable[[dt.date | None], str | None]


def build_context(
    statement: Statement, language: str, style: dict[str, Any], profile_label: str
) -> dict[str, Any]:
    """The complete, documented template context for one statement (templates/README.md)."""

    def date(value: dt.date | None) -> str | None:
        return long_date(value, language) if value else None

    request = statement.request
    covenant = statement.covenant
    municipality = lookup(request.party.cbs_code)
    assert municipality is not None  # validated on load
    name = municipality.official_name
    chain = statement.authority.chain
    signer = statement.authority.signer
    form = covenant.party_form
    mandator = original_mandator(chain)
    formula = expected_formula(
        statement.authority,
        party_context(
            request.date,
            covenant_id=covenant.id,
            party_name=name,
            form=form,
            organs=covenant.organs,
            accession_decisions=[d.id for d in statement.accession_decisions],
        ),
    )
    context: dict[str, Any] = {
        "lang": language,
        "profile": profile_label,
        "covenant": _covenant(covenant, date, language),
        "party": {
            "name": name,
            "cbs_code": municipality.code,
            "province": municipality.province,
            "address": request.party.address,
            "form": "legal-person" if form is PartyForm.LEGAL_PERSON else "organs",
            "organs": [_organ(organ, name) for organ in covenant.organs],
        },
        "accession_decisions": [
            _decision(
                d, date, ACCESSION_BASIS_LEGAL_PERSON if form is PartyForm.LEGAL_PERSON else None
            )
            for d in statement.accession_decisions
        ],
        "decision": _decision(
            statement.accession_decision,
            date,
            ACCESSION_BASIS_LEGAL_PERSON if form is PartyForm.LEGAL_PERSON else None,
        ),
        "signer": {
            "name": signer.name,
            "function": signer.function,
            "office": _office(signer.function, name),
            "office_article": office_article(_office(signer.function, name)),
            "is_mayor": _office(signer.function, name).lower() == "burgemeester",
        },
        "representation": {
            "kind": chain[0].kind.value,
            "last_kind": chain[-1].kind.value,
            "legal_basis": chain[0].effective_legal_basis,
            "appointment": _appointment(chain[0], statement.authority, date),
            "by_mandate": chain[0].kind in _MANDATE_KINDS,
            "original_mandator": mandator,
            "mandator_organ": _organ_of(mandator, covenant, name),
            "mandator_with_article": with_article(mandator) if mandator else None,
            "formula": formula,
        },
        "chain": [
            _link(index, link, statement.authority, date) for index, link in enumerate(chain, 1)
        ],
        "decisions": [_decision(d, date) for d in statement.authority.decisions],
        "statement": {
            "place": request.place,
            "date": date(request.date),
            "reference": request.reference,
            "extra_recitals": request.extra_recitals,
        },
        "contact": request.contact.model_dump(by_alias=False) if request.contact else None,
        "style": style,
        "fields": {"party": PARTY_FIELD, "coordinator": COORDINATOR_FIELD},
    }
    return in_english(context, statement) if language == "en" else context


_MANDATE_KINDS = {
    LinkKind.MANDATE,
    LinkKind.POWER_OF_ATTORNEY,
    LinkKind.AUTHORISATION,
    LinkKind.SUBMANDATE,
}


def _covenant(covenant: Covenant, date: DateText, language: str) -> dict[str, Any]:
    coordinator = covenant.coordinator
    chain = coordinator.authority.chain
    signer = coordinator.authority.signer
    return {
        "id": covenant.id,
        "title": covenant.title,
        "short_title": covenant.short_title or covenant.title,
        "version": covenant.version,
        "date": date(covenant.date),
        "publication": covenant.publication,
        "with_annexes": covenant.with_annexes,
        "accession_article": covenant.accession_article,
        "announcement": covenant.announcement,
        "parties": covenant.parties,
        "parties_text": enumerate_words(covenant.parties, language),
        "recitals": covenant.recitals,
        "coordinator": {
            "name": coordinator.name,
            "place": coordinator.place,
            "signer": {"name": signer.name, "function": signer.function},
            "original_mandator": original_mandator(chain),
            "by_mandate": chain[0].kind in _MANDATE_KINDS,
            "chain": [
                _link(index, link, coordinator.authority, date)
                for index, link in enumerate(chain, 1)
            ],
        },
    }


def _organ(organ: Organ, party: str) -> dict[str, str]:
    article = "het" if organ is Organ.COLLEGE else "de"
    return {
        "id": organ.value,
        "title": organ.organ_name,
        "of_party": f"{organ.organ_name} van {party}",
        "with_article": f"{article} {organ.organ_name} van {party}",
    }


def _organ_of(mandator: str | None, covenant: Covenant, party: str) -> str | None:
    """Which party organ ('college' or 'burgemeester') granted the first mandate, if one."""
    if mandator is None:
        return None
    bare = _office(mandator, party).lower().removeprefix("het ").removeprefix("de ")
    for organ in Organ:
        if bare in {organ.organ_name, organ.value} or (
            organ is Organ.COLLEGE and bare == "burgemeester en wethouders"
        ):
            return organ.value
    return None


def _office(function: str, party: str) -> str:
    """'burgemeester van Huizen' → 'burgemeester' (the form Awb 10:10 formulas use)."""
    text = " ".join(function.split())
    suffix = f" van {party}"
    return text[: -len(suffix)] if text.lower().endswith(suffix.lower()) else text


def _decision(
    decision: Decision, date: DateText, default_basis: str | None = None
) -> dict[str, Any]:
    return {
        "id": decision.id,
        "organ": decision.organ,
        "date": date(decision.date),
        "reference": decision.reference,
        "subject": decision.subject,
        "organ_with_article": with_article(decision.organ),
        "legal_basis": decision.legal_basis or default_basis,
        "publication": decision.publication,
        "document": decision.document.file if decision.document else None,
        "sha256": decision.document.sha256 if decision.document else None,
    }


def _appointment(
    link: AuthorityLink, authority: Authority, date: DateText
) -> dict[str, Any] | None:
    """For a representation by law: the appointment and the term it lasts."""
    if link.kind is not LinkKind.REPRESENTATION:
        return None
    decision = authority.decision(link.decision) if link.decision else None
    return {
        "decision": _decision(decision, date) if decision else None,
        "term_from": date(link.valid_from),
        "term_until": date(link.valid_until),
    }


def _link(index: int, link: AuthorityLink, authority: Authority, date: DateText) -> dict[str, Any]:
    decision = authority.decision(link.decision) if link.decision else None
    return {
        "step": index,
        "kind": link.kind.value,
        "by_law": link.kind is LinkKind.REPRESENTATION,
        "grantor": link.grantor,
        "grantee": {"name": link.grantee.name, "function": link.grantee.function},
        "legal_basis": link.effective_legal_basis,
        "decision": _decision(decision, date) if decision else None,
        "instructions": link.instructions,
        "submandate_allowed": link.submandate_allowed,
        "valid_from": date(link.valid_from),
        "valid_until": date(link.valid_until),
        "revoked_on": date(link.revoked_on),
    }


# ------------------------------------------------------------------------- English
