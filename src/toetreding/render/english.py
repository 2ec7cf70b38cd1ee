"""Dutch names and citations in English, for the unofficial English statement.

The English statement is a translation in which every sentence is English, yet the Dutch
legal terms stay recognisable: an office or organ is translated with the Dutch term in
brackets ("Mayor (burgemeester) of Huizen"), and an article of Dutch law is cited in the
English style with the act's Dutch name in brackets ("Article 171(1) of the Municipalities
Act (Gemeentewet)"). These functions do that for the names and citations in the data.

They only translate what they recognise: a name or citation they do not know comes back
unchanged, because it is a name (of a person, a place, an organisation), not a sentence.
The covenant's own names (its coordinating party, that party's officials, the organs of its
decisions) are the covenant's business: its ``vertaling_en.termen`` extend and override the
built-in glossary, which knows only the municipal offices every statement uses.

Everything here is pure: text in, text out, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple


class Term(NamedTuple):
    """How one Dutch name reads in English."""

    plain: str
    """Without the Dutch term, e.g. 'Mayor' (for a sentence that quotes the Dutch anyway)."""
    bracketed: str
    """With the Dutch term in brackets where a reader needs it, e.g. 'Mayor (burgemeester)'."""
    office: bool = False
    """A municipal office or organ that goes with a place: 'burgemeester van Huizen'."""


Glossary = Mapping[str, Term]
"""Normalised Dutch name (see :func:`term_key`) → its English forms."""


def _term(english: str, dutch: str | None = None, *, office: bool = False) -> Term:
    return Term(english, f"{english} ({dutch})" if dutch else english, office)


BUILT_IN: dict[str, Term] = {
    "college van burgemeester en wethouders": _term(
        "Municipal Executive", "college van burgemeester en wethouders", office=True
    ),
    "burgemeester en wethouders": _term(
        "Municipal Executive", "burgemeester en wethouders", office=True
    ),
    "college": _term("Municipal Executive", "college"),
    "burgemeester": _term("Mayor", "burgemeester", office=True),
    "waarnemend burgemeester": _term("Acting Mayor", "waarnemend burgemeester", office=True),
    "locoburgemeester": _term("Deputy Mayor", "locoburgemeester", office=True),
    "wethouder": _term("Alderman", "wethouder", office=True),
    "gemeentesecretaris": _term("Municipal Secretary", "gemeentesecretaris", office=True),
    "secretaris": _term("Municipal Secretary", "secretaris"),
    "griffier": _term("Clerk of the Council", "griffier", office=True),
    "gemeenteraad": _term("Municipal Council", "gemeenteraad", office=True),
    "gemeente": _term("municipality"),
    "de koning (koninklijk besluit)": Term(
        "the King (Royal Decree)", "the King (Royal Decree, koninklijk besluit)"
    ),
    "koning": _term("King"),
    "koninklijk besluit": _term("Royal Decree", "koninklijk besluit"),
    "commissaris van de koning": _term("King's Commissioner", "Commissaris van de Koning"),
    "staatscourant": _term("Government Gazette", "Staatscourant"),
    "staatsblad": _term("Bulletin of Acts and Decrees", "Staatsblad"),
    "gemeenteblad": _term("Municipal Gazette", "Gemeenteblad"),
    "convenant": _term("covenant"),
    "den haag": _term("The Hague"),
    "'s-gravenhage": _term("The Hague"),
}
"""The municipal offices and public names every statement may use."""


class Act(NamedTuple):
    """A Dutch act as an English citation names it."""

    english: str
    dutch: str


_ACT_NAMES: tuple[tuple[tuple[str, ...], Act], ...] = (
    (("gemeentewet", "gemw", "gemw."), Act("Municipalities Act", "Gemeentewet")),
    (
        ("algemene wet bestuursrecht", "awb"),
        Act("General Administrative Law Act", "Algemene wet bestuursrecht"),
    ),
    (("burgerlijk wetboek", "bw"), Act("Civil Code", "Burgerlijk Wetboek")),
    (("provinciewet",), Act("Provinces Act", "Provinciewet")),
    (("waterschapswet",), Act("Water Boards Act", "Waterschapswet")),
    (
        ("wet gemeenschappelijke regelingen", "wgr"),
        Act("Joint Regulations Act", "Wet gemeenschappelijke regelingen"),
    ),
    (("wet open overheid", "woo"), Act("Open Government Act", "Wet open overheid")),
    (
        ("algemene verordening gegevensbescherming", "avg"),
        Act("General Data Protection Regulation", "Algemene verordening gegevensbescherming"),
    ),
    (
        ("uitvoeringswet algemene verordening gegevensbescherming", "uavg"),
        Act(
            "General Data Protection Regulation Implementation Act",
            "Uitvoeringswet Algemene verordening gegevensbescherming",
        ),
    ),
    (("wet politiegegevens", "wpg"), Act("Police Data Act", "Wet politiegegevens")),
    (
        ("wet justitiële en strafvorderlijke gegevens", "wjsg"),
        Act(
            "Judicial Data and Criminal Records Act", "Wet justitiële en strafvorderlijke gegevens"
        ),
    ),
    (("grondwet",), Act("Constitution", "Grondwet")),
)
"""Acts an article of which a statement may cite: Dutch names and common abbreviations."""
_ACTS: dict[str, Act] = {name: act for names, act in _ACT_NAMES for name in names}

_ORDINALS = {
    "eerste": 1,
    "tweede": 2,
    "derde": 3,
    "vierde": 4,
    "vijfde": 5,
    "zesde": 6,
    "zevende": 7,
    "achtste": 8,
    "negende": 9,
    "tiende": 10,
    "elfde": 11,
    "twaalfde": 12,
}

_CITATION = re.compile(
    r"""
    ^(?:artikel|art\.?)\s+(?P<article>\d+[a-z]?(?:[.:]\d+[a-z]?)*)
    (?:,?\s+(?:(?P<ordinal>"""
    + "|".join(_ORDINALS)
    + r""")\s+lid|lid\s+(?P<paragraph>\d+))
    )?
    (?:,?\s+(?:onder|sub|onderdeel)\s+(?P<item>[a-z]{1,2}|\d{1,2})°?)?
    (?:,?\s+(?P<of>van\s+(?:de|het)\s+)?(?P<act>\S.*?))?
    ,?\s*$
    """,
    re.IGNORECASE | re.VERBOSE,
)

_GAZETTES = {
    "stcrt": "Government Gazette, Stcrt.",
    "staatscourant": "Government Gazette, Stcrt.",
    "stb": "Bulletin of Acts and Decrees, Stb.",
    "staatsblad": "Bulletin of Acts and Decrees, Stb.",
    "gmb": "Municipal Gazette, Gmb.",
    "gemeenteblad": "Municipal Gazette, Gmb.",
}
_PUBLICATION = re.compile(
    r"^(?P<gazette>stcrt|staatscourant|stb|staatsblad|gmb|gemeenteblad)\.?\s+(?P<rest>\d{4}\b.*)$",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(de|het)\s+(.+)$", re.IGNORECASE)
_MUNICIPALITY = re.compile(r"^gemeente\s+(.+)$", re.IGNORECASE)


def term_key(text: str) -> str:
    """How a Dutch name is looked up: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


def make_glossary(covenant_terms: Mapping[str, str] | None = None) -> dict[str, Term]:
    """The built-in glossary, extended and overridden by a covenant's ``termen``.

    A covenant's English name is used exactly as written (it decides whether the Dutch name
    goes in brackets); an overridden municipal office still combines with a place.
    """
    glossary = dict(BUILT_IN)
    for dutch, english in (covenant_terms or {}).items():
        key = term_key(dutch)
        office = key in BUILT_IN and BUILT_IN[key].office
        glossary[key] = Term(english, english, office)
    return glossary


def translate_term(text: str, glossary: Glossary | None = None, *, bracket: bool = True) -> str:
    """A Dutch name in English, or the text unchanged when it is not a known name.

    'college van burgemeester en wethouders' → 'Municipal Executive (college van
    burgemeester en wethouders)'; 'burgemeester van Huizen' → 'Mayor (burgemeester) of
    Huizen'; 'de gemeente Huizen' → 'the municipality of Huizen'; 'de Staatscourant' →
    'the Government Gazette (Staatscourant)'. With ``bracket=False`` the Dutch term is left
    out (for a sentence that quotes the Dutch wording in full anyway).
    """
    words = " ".join(text.split())
    found = _lookup(words, glossary if glossary is not None else BUILT_IN, bracket)
    return _match_case(words, found) if found is not None else text


def _lookup(words: str, glossary: Glossary, bracket: bool) -> str | None:
    direct = _direct(words, glossary, bracket)
    if direct is not None:
        return direct
    article = _ARTICLE.match(words)
    if article:
        inner = _lookup(article.group(2), glossary, bracket)
        if inner is not None:
            return inner if inner.casefold().startswith("the ") else f"the {inner}"
        return None
    office = _office_of_place(words, glossary, bracket)
    if office is not None:
        return office
    municipality = _MUNICIPALITY.match(words)
    if municipality and _is_place(municipality.group(1)):
        return f"municipality of {municipality.group(1)}"
    return None


def _direct(words: str, glossary: Glossary, bracket: bool) -> str | None:
    """An exact glossary entry, also when the glossary has it with 'de'/'het' before it."""
    key = term_key(words)
    entry = glossary.get(key)
    if entry is not None:
        return entry.bracketed if bracket else entry.plain
    for article in ("de ", "het "):
        entry = glossary.get(article + key)
        if entry is not None:
            english = entry.bracketed if bracket else entry.plain
            return english[4:] if english.casefold().startswith("the ") else english
    return None


def _office_of_place(words: str, glossary: Glossary, bracket: bool) -> str | None:
    """'burgemeester van Huizen' → 'Mayor (burgemeester) of Huizen'.

    Only offices the glossary marks as such, and only before a place: 'College van
    Beroep' or 'Raad van State' are names, not offices of a municipality.
    """
    positions = [match.start() for match in re.finditer(r" van ", words, re.IGNORECASE)]
    for position in reversed(positions):  # longest office first
        head, place = words[:position], words[position + len(" van ") :]
        entry = glossary.get(term_key(head))
        if entry is None or not entry.office or not _is_place(place):
            continue
        where = _lookup(place, glossary, bracket) if _names_municipality(place) else place
        return f"{entry.bracketed if bracket else entry.plain} of {where or place}"
    return None


def _names_municipality(text: str) -> bool:
    return re.match(r"^(?:de\s+)?gemeente\s+", text, re.IGNORECASE) is not None


def _is_place(text: str) -> bool:
    """A place name (or 'de gemeente X'), not more Dutch words ('van de raad')."""
    return _names_municipality(text) or not text[:1].islower()


def _match_case(source: str, english: str) -> str:
    """'De gemeente Huizen' → 'The municipality of Huizen' (capital stays a capital)."""
    if source[:1].isupper() and english[:1].islower():
        return english[:1].upper() + english[1:]
    return english


def translate_citation(text: str, glossary: Glossary | None = None) -> str:
    """An article of Dutch law cited the English way, or the text unchanged.

    'artikel 171, eerste lid, Gemeentewet' → 'Article 171(1) of the Municipalities Act
    (Gemeentewet)'; 'artikel 160, eerste lid, onder e, Gemeentewet' → 'Article 160(1)(e) of
    the Municipalities Act (Gemeentewet)'; 'artikel 10:3 Algemene wet bestuursrecht' →
    'Article 10:3 of the General Administrative Law Act (Algemene wet bestuursrecht)';
    'artikel 16' → 'Article 16'. An act the function does not know keeps its Dutch name
    (or the covenant's English name for it, from ``glossary``).
    """
    words = " ".join(text.split())
    match = _CITATION.match(words)
    if match is None:
        return text
    english = f"Article {match.group('article')}"
    paragraph = match.group("paragraph") or (
        _ORDINALS[match.group("ordinal").casefold()] if match.group("ordinal") else None
    )
    if paragraph is not None:
        english += f"({paragraph})"
    if match.group("item"):
        english += f"({match.group('item')})"
    act = match.group("act")
    if act is None:
        return english
    return f"{english} of {_act(act, bool(match.group('of')), glossary)}"


def _act(name: str, had_article: bool, glossary: Glossary | None) -> str:
    known = _ACTS.get(term_key(name))
    if known is not None:
        return f"the {known.english} ({known.dutch})"
    named = translate_term(name, glossary if glossary is not None else BUILT_IN)
    if named != name:
        return named if named.casefold().startswith("the ") else f"the {named}"
    return f"the {name}" if had_article else name


def translate_publication(text: str, glossary: Glossary | None = None) -> str:
    """A publication reference the English way, keeping the exact Dutch reference.

    'Stcrt. 2019, 12345' → 'Government Gazette, Stcrt. 2019, 12345'; 'Staatsblad 2019, 1' →
    'Bulletin of Acts and Decrees, Stb. 2019, 1'. Anything else is tried as a name
    ('de Staatscourant') and otherwise comes back unchanged (a web address, say).
    """
    words = " ".join(text.split())
    match = _PUBLICATION.match(words)
    if match is None:
        return translate_term(text, glossary)
    return f"{_GAZETTES[match.group('gazette').casefold()]} {match.group('rest')}"


def translate_role(text: str, glossary: Glossary | None = None) -> str:
    """A signing formula in plain English: 'burgemeester van Huizen, namens de gemeente
    Huizen' → 'Mayor of Huizen, on behalf of the municipality of Huizen'.

    Without the Dutch terms in brackets: a statement quotes the Dutch formula beside it,
    because that Dutch wording is what the electronic signature states.
    """
    words = " ".join(text.split())
    function, separator, whom = words.rpartition(", namens ")
    if not separator:
        return translate_term(words, glossary, bracket=False)
    return (
        f"{translate_term(function, glossary, bracket=False)}, "
        f"on behalf of {translate_term(whom, glossary, bracket=False)}"
    )
