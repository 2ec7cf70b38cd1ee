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


def dutch_time(moment: str | dt.datetime | None, *, seconds: bool = True) -> str:
    """A moment as Dutch clock time with its zone ("2026-12-01 03:09:09 CET").

    Reports and registers keep UTC in ISO form; people read the time of the Netherlands,
    and always see which zone it is in. A moment without a zone is taken as UTC.
    """
    if moment is None or moment == "":
        return "unknown"
    from zoneinfo import ZoneInfo

    if isinstance(moment, str):
        text = moment
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        local = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    except (OverflowError, ValueError):  # e.g. a forged time at the very end of year 9999
        return moment.isoformat()
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")
