"""The language toetreding speaks to people: Dutch or English, through gettext.

Messages are written in English in the code (``_("…")``, with ``{name}`` fields filled by
``.format`` after translation) and translated to Dutch in the catalogue
``locale/nl/LC_MESSAGES/toetreding.po`` (compiled to ``.mo``; `make messages` extracts and
compiles with Babel, and a test fails when a message lacks its Dutch text or the ``.mo``
is stale). Documents are not affected: their language is the statement's own (``--lang``).

The language is chosen once per process: ``TOETREDING_TAAL`` (``nl`` or ``en``) when set,
else the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set):
Dutch when it starts with ``nl``, English otherwise. Machine-readable output — JSON keys,
register kinds, CSV columns, verdict words such as PASSED — never changes with it.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

DOMAIN = "toetreding"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_VARIABLE = "TOETREDING_TAAL"
LANGUAGES = ("nl", "en")
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language_from(environ: Mapping[str, str]) -> str:
    """``nl`` or ``en`` for this environment (see the module's docstring)."""
    chosen = environ.get(LANGUAGE_VARIABLE, "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "").strip()
        if value:
            return "nl" if value.lower().startswith("nl") else "en"
    return "en"


@cache
def ui_language() -> str:
    """The language of this process's messages."""
    return language_from(os.environ)


@cache
def _catalogue() -> _gettext.NullTranslations:
    if ui_language() == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[ui_language()], fallback=True)


def _(message: str) -> str:
    """``message`` in the user's language."""
    return _catalogue().gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it here: for texts kept in a
    table or a machine field and translated with ``_()`` where they are shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the user's language."""
    return _catalogue().ngettext(singular, plural, count)


def reset_language() -> None:
    """Read the language from the environment again (tests that switch it)."""
    ui_language.cache_clear()
    _catalogue.cache_clear()


def number(value: float, decimals: int = 0) -> str:
    """A number as the user's language writes it: 58,379.5 in English, 58.379,5 in Dutch."""
    text = f"{value:,.{decimals}f}"
    if ui_language() == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
