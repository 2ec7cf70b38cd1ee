"""One adjustment to Typer's help: a named argument does not also show its Python type.

Typer (≥ 0.26) lists an argument as ``NAME <type>``, e.g. ``FILE.pdf <list[Path]>``: the
type is the Python annotation, which means nothing to a clerk. Options already show only
their metavar when one is given; every argument here is given one too (``verzoek.yaml``,
``STATEMENT.pdf``), and this makes arguments follow the same rule. Kept in one place so a
Typer upgrade that changes the hook is found at once (tests/test_cli.py checks the help).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument


def _named_arguments_hide_their_type() -> None:
    original = TyperArgument.display_type_rich

    def display_type_rich(self: TyperArgument, ctx: Any) -> str | None:
        if self.metavar is not None:
            return None
        result: str | None = original(self, ctx)
        return result

    TyperArgument.display_type_rich = display_type_rich  # type: ignore[method-assign,assignment]


_named_arguments_hide_their_type()
