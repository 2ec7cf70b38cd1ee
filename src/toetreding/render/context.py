"""What templates see: the statement as plain, pre-formatted values.

Templates hold all wording (so a municipality can adapt it); this module hands them the
facts in a form that needs no logic: dates already in long form in the document's
language, the official party name, the chain of authority step by step. Every value is
a plain ``str``/``list``/``dict``, and the Jinja environment prints each one as an inert
Typst string (see :mod:`toetreding.render.escape`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..mandate import original_mandator
from ..model import AuthorityLink, Decision, LinkKind, SignatureSlot, Statement
from ..municipalities import lookup
from ..textformat import enumerate_words, long_date

PARTY_FIELD = SignatureSlot.PARTY.value
"""Name of the signature field for the joining party."""
COORDINATOR_FIELD = SignatureSlot.COORDINATOR.value
"""Name of the signature field for the coordinating party's acceptance."""

_MANDATE_KINDS = {
    LinkKind.MANDATE,
    LinkKind.POWER_OF_ATTORNEY,
    LinkKind.AUTHORISATION,
    LinkKind.SUBMANDATE,
}


def build_context(
    statement: Statement, language: str, style: dict[str, Any], profile_label: str
) -> dict[str, Any]:
    """The complete, documented template context for one statement."""

    def date(value: dt.date | None) -> str | None:
        return long_date(value, language) if value else None

    request = statement.request
    covenant = statement.covenant
    municipality = lookup(request.party.cbs_code)
    assert municipality is not None  # validated on load
    chain = statement.authority.chain
    decision = statement.accession_decision
    signer = statement.authority.signer
    return {
        "lang": language,
        "profile": profile_label,
        "covenant": {
            "id": covenant.id,
            "title": covenant.title,
            "short_title": covenant.short_title or covenant.title,
            "version": covenant.version,
            "date": date(covenant.date),
            "accession_article": covenant.accession_article,
            "parties": covenant.parties,
            "parties_text": enumerate_words(covenant.parties, language),
            "recitals": covenant.recitals,
            "coordinator": {
                "name": covenant.coordinator.name,
                "represented_by": covenant.coordinator.represented_by,
                "place": covenant.coordinator.place,
            },
        },
        "party": {
            "name": municipality.official_name,
            "cbs_code": municipality.code,
            "province": municipality.province,
            "address": request.party.address,
        },
        "decision": _decision(decision, date),
        "signer": {"name": signer.name, "function": signer.function},
        "representation": {
            "kind": chain[-1].kind.value,
            "legal_basis": chain[-1].effective_legal_basis,
            "grantor": chain[-1].grantor,
            "by_mandate": chain[-1].kind in _MANDATE_KINDS,
            "original_mandator": original_mandator(chain),
        },
        "chain": [_link(index, link, statement, date) for index, link in enumerate(chain, 1)],
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


def _decision(decision: Decision, date: Any) -> dict[str, Any]:
    return {
        "id": decision.id,
        "organ": decision.organ,
        "date": date(decision.date),
        "reference": decision.reference,
        "subject": decision.subject,
        "document": decision.document.file if decision.document else None,
        "sha256": decision.document.sha256 if decision.document else None,
    }


def _link(index: int, link: AuthorityLink, statement: Statement, date: Any) -> dict[str, Any]:
    decision = statement.authority.decision(link.decision) if link.decision else None
    return {
        "step": index,
        "kind": link.kind.value,
        "grantor": link.grantor,
        "grantee": {"name": link.grantee.name, "function": link.grantee.function},
        "legal_basis": link.effective_legal_basis,
        "decision": _decision(decision, date) if decision else None,
        "scope": link.scope,
        "instructions": link.instructions,
        "submandate_allowed": link.submandate_allowed,
        "valid_from": date(link.valid_from),
        "valid_until": date(link.valid_until),
        "revoked_on": date(link.revoked_on),
    }
