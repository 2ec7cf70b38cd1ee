"""The template context in English, for the unofficial translation of a statement.

:mod:`toetreding.render.context` builds the context from the data (Dutch names, Dutch
citations); this module turns a built context into the same keys with English values, so
one set of keys serves both templates. The words come from the covenant's own English text
and from :mod:`toetreding.render.english`.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputFileError
from ..i18n import _, ngettext
from ..model import EnglishTranslation, Organ, Statement
from ..textformat import enumerate_words
from .english import (
    Glossary,
    make_glossary,
    translate_citation,
    translate_publication,
    translate_role,
    translate_term,
)


def in_english(context: dict[str, Any], statement: Statement) -> dict[str, Any]:
    """The same context with the data's Dutch names in English, for the unofficial translation.

    Every key keeps its meaning, so a template reads ``covenant.title`` or ``decision.organ``
    in either language; here the value is English: the covenant's own English text (its
    ``vertaling_en``), municipal offices and organs from the built-in glossary with the
    Dutch term in brackets, and citations of Dutch law the English way (see
    :mod:`toetreding.render.english`). Names the glossary does not know (people, places,
    organisations) stay as they are. Added for the English template: ``covenant.dutch_title``
    and ``covenant.dutch_short_title`` (the authentic title, shown in brackets),
    ``organ_with_article`` on each decision, and ``representation.formula_english`` (the
    signing formula in English; ``formula`` stays the Dutch wording the signature states).
    Decision subjects (``subject``) stay Dutch free text, which the English template leaves
    out: it names a decision by organ, date and kenmerk.
    """
    covenant = statement.covenant
    english = _english_text(statement)
    words = make_glossary(english.terms)
    party = context["party"]["name"]

    def term(text: str | None) -> str | None:
        return translate_term(text, words) if text else text

    def citation(text: str | None) -> str | None:
        return translate_citation(text, words) if text else text

    coordinator = context["covenant"]["coordinator"]
    representation = context["representation"]
    appointment = representation["appointment"]
    contact = context["contact"]
    formula = representation["formula"]
    return {
        **context,
        "covenant": {
            **context["covenant"],
            "title": english.title,
            "short_title": english.short_title or english.title,
            "dutch_title": covenant.title,
            "dutch_short_title": covenant.short_title or covenant.title,
            "publication": translate_publication(covenant.publication, words),
            "accession_article": citation(covenant.accession_article),
            "announcement": term(covenant.announcement),
            "parties": english.parties,
            "parties_text": enumerate_words(english.parties, "en"),
            "recitals": english.recitals,
            "coordinator": {
                **coordinator,
                "name": term(coordinator["name"]),
                "place": term(coordinator["place"]),
                "signer": {
                    **coordinator["signer"],
                    "function": term(coordinator["signer"]["function"]),
                },
                "original_mandator": term(coordinator["original_mandator"]),
                "chain": [_link_in_english(link, words) for link in coordinator["chain"]],
            },
        },
        "party": {
            **context["party"],
            "organs": [_organ_in_english(organ, party, words) for organ in covenant.organs],
        },
        "accession_decisions": [
            _decision_in_english(d, words) for d in context["accession_decisions"]
        ],
        "decision": _decision_in_english(context["decision"], words),
        "signer": {
            **context["signer"],
            "function": term(context["signer"]["function"]),
            "office": term(context["signer"]["office"]),
        },
        "representation": {
            **representation,
            "legal_basis": citation(representation["legal_basis"]),
            "original_mandator": term(representation["original_mandator"]),
            "appointment": {
                **appointment,
                "decision": _decision_in_english(appointment["decision"], words),
            }
            if appointment
            else None,
            "formula_english": translate_role(formula, words) if formula else None,
        },
        "chain": [_link_in_english(link, words) for link in context["chain"]],
        "decisions": [_decision_in_english(d, words) for d in context["decisions"]],
        "statement": {**context["statement"], "place": term(context["statement"]["place"])},
        "contact": {**contact, "function": term(contact["function"])} if contact else None,
    }


def _english_text(statement: Statement) -> EnglishTranslation:
    """The covenant's English text, complete for this statement, or a message saying what to add."""
    covenant = statement.covenant
    where = {"file": statement.request.covenant_file, "covenant": covenant.id}
    english = covenant.english
    if english is None:
        raise InputFileError(
            _(
                "the covenant file {file} (id {covenant}) has no English text, so the English "
                "translation cannot be made: add 'vertaling_en' to the covenant file"
            ).format(**where),
            hint=_(
                "give 'vertaling_en' with 'titel' and 'overwegingen' (and 'partijen' and "
                "'termen' for the names the covenant uses, e.g. its coordinating party); see "
                "examples/huizen/convenant.yaml — or render in Dutch (--lang nl)"
            ),
        )
    for key, dutch, translated in (
        ("overwegingen", covenant.recitals, english.recitals),
        ("partijen", covenant.parties, english.parties),
    ):
        if len(dutch) != len(translated):
            raise InputFileError(
                ngettext(
                    "the covenant file {file} (id {covenant}): 'vertaling_en.{key}' has "
                    "{translated} item(s) where '{key}' has {dutch}; the English statement "
                    "repeats each one",
                    "the covenant file {file} (id {covenant}): 'vertaling_en.{key}' has "
                    "{translated} item(s) where '{key}' has {dutch}; the English statement "
                    "repeats each one",
                    len(translated),
                ).format(**where, key=key, translated=len(translated), dutch=len(dutch)),
                hint=_(
                    "translate every item of '{key}' into 'vertaling_en.{key}', in the same order"
                ).format(key=key),
            )
    if statement.request.extra_recitals:
        raise InputFileError(
            _(
                "the request's 'aanvullende_overwegingen' are Dutch text with no English "
                "version, so the English translation of the statement would be incomplete"
            ),
            hint=_(
                "render this request in Dutch (--lang nl), or leave "
                "'aanvullende_overwegingen' out of the request for the English rendering"
            ),
        )
    return english


def _the(name: str) -> str:
    return name if name.casefold().startswith("the ") else f"the {name}"


def _organ_in_english(organ: Organ, party: str, words: Glossary) -> dict[str, str]:
    title = translate_term(organ.organ_name, words)
    return {
        "id": organ.value,
        "title": title,
        "of_party": f"{title} of {party}",
        "with_article": f"the {title} of {party}",
    }


def _decision_in_english(decision: dict[str, Any] | None, words: Glossary) -> dict[str, Any] | None:
    if decision is None:
        return None
    organ = translate_term(decision["organ"], words)
    basis = decision["legal_basis"]
    publication = decision["publication"]
    return {
        **decision,
        "organ": organ,
        "organ_with_article": _the(organ),
        "legal_basis": translate_citation(basis, words) if basis else None,
        "publication": translate_publication(publication, words) if publication else None,
    }


def _link_in_english(link: dict[str, Any], words: Glossary) -> dict[str, Any]:
    grantor = link["grantor"]
    return {
        **link,
        "grantor": translate_term(grantor, words) if grantor else None,
        "grantee": {
            **link["grantee"],
            "function": translate_term(link["grantee"]["function"], words),
        },
        "legal_basis": translate_citation(link["legal_basis"], words),
        "decision": _decision_in_english(link["decision"], words),
    }
