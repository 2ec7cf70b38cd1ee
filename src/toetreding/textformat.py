"""Wording helpers for documents: dates in long form, lists in running text.

Dutch documents write dates as '28 november 2026' (no capital, no leading zero); the
English template writes '28 November 2026'. Locale settings of the machine are never
used, so the same input gives the same text everywhere.
"""

from __future__ import annotations

import datetime as dt

_MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
_AND = {"nl": "en", "en": "and"}


def long_date(value: dt.date, language: str = "nl") -> str:
    """'2026-11-28' → '28 november 2026' (nl) or '28 November 2026' (en)."""
    return f"{value.day} {_MONTHS[language][value.month - 1]} {value.year}"


def enumerate_words(items: list[str], language: str = "nl") -> str:
    """['a', 'b', 'c'] → 'a, b en c' — how a list reads in a sentence."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_AND[language]} {items[-1]}"


HET_WORDS = ("hoofd", "lid", "bestuur", "college", "comité", "hoofdbestuur")
"""Office and organ nouns that take 'het' (afdelingshoofd, bestuurslid, college); the rest 'de'."""


def office_article(office: str) -> str:
    """'de' or 'het' for an office as the formula names it ('het afdelingshoofd')."""
    head = office.strip().lower().split(" ")[0] if office.strip() else ""
    return "het" if head.endswith(HET_WORDS) else "de"


def with_article(name: str) -> str:
    """'college van …' → 'het college van …'; 'Minister …' → 'de Minister …'; unchanged
    when it already starts with an article."""
    if name.lower().startswith(("de ", "het ")):
        return name
    return f"{office_article(name)} {name}"
