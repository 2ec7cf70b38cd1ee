"""Keeping data data: every value a template prints becomes a Typst string literal.

Typst markup is a programming language: ``#read("/etc/passwd")`` runs code, ``*x*`` makes
bold, ``$x$`` starts maths, ``<a>`` makes a label. Escaping each special character in
markup is fragile (``--``, ``...``, ``//`` and smart quotes are rewritten too). Instead the
Jinja environment's ``finalize`` hook turns every printed value into
``#("...");`` — an embedded *string* expression, which Typst shows verbatim, character for
character. The trailing ``;`` ends the expression, so text that follows (a full stop, a
bracket) is never read as part of it.

Template authors who need a value inside Typst *code* (``set document(title: …)``) use the
``code`` filter, which gives the bare literal ``"..."``; output of that filter is marked
so that ``finalize`` leaves it alone.
"""

from __future__ import annotations

from typing import Any

_STRING_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_STRING_TABLE = str.maketrans(_STRING_ESCAPES)


class TypstCode(str):
    """Text that is already valid Typst and must be printed as is (trusted: template-made)."""

    __slots__ = ()


def string_literal(value: str) -> str:
    """The Typst string literal for ``value``: quoted, with backslash escapes."""
    return '"' + value.translate(_STRING_TABLE) + '"'


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def finalize(value: Any) -> str:
    """Jinja finalize hook: data → inert Typst string expression; template code untouched."""
    if value is None:
        return ""
    if isinstance(value, TypstCode):
        return str(value)
    return TypstCode(f"#({string_literal(_as_text(value))});")


def code_filter(value: Any) -> TypstCode:
    """``{{ x | code }}``: the value as a Typst string literal, for use inside code."""
    if isinstance(value, TypstCode):
        return value
    return TypstCode("none" if value is None else string_literal(_as_text(value)))


def ucfirst_filter(value: Any) -> str:
    """``{{ x | ucfirst }}``: first letter capitalised, the rest untouched (Jinja's
    ``capitalize`` would lowercase 'Minister' and 'Openbaar Ministerie')."""
    text = _as_text(value)
    return text[:1].upper() + text[1:]
