"""How the CLI talks to people: results on stdout, problems on stderr, exit codes from one table.

Library errors arrive as :class:`~toetreding.errors.ToetredingError` with a message that
already says what to do; here they are only printed. Anything else is a bug: it gets a
short note and exit code 1, and the traceback only with ``TOETREDING_DEBUG=1``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import typer

from ..errors import ExitCode, ToetredingError

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")


@cache
def stdout() -> Console:
    """Console for results (rich is imported on first use: `--help` stays fast)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


@cache
def stderr() -> Console:
    """Console for problems and progress."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """Make text safe to print through rich markup (data may contain '[')."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn library errors into a message and the right exit code; never a traceback."""
    try:
        yield
    except ToetredingError as error:
        stderr().print(f"[bold red]error:[/] {escape(error.message)}")
        if error.hint:
            stderr().print(f"  [yellow]→[/] {escape(error.hint)}")
        raise typer.Exit(int(error.exit_code)) from None
    except KeyboardInterrupt:
        stderr().print("[red]interrupted[/]; nothing was written")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as error:  # a bug, not a user mistake
        if os.environ.get("TOETREDING_DEBUG"):
            raise
        stderr().print(
            f"[bold red]internal error:[/] {escape(type(error).__name__)}: {escape(str(error))}\n"
            "  → this is a bug in toetreding; run again with TOETREDING_DEBUG=1 and report the output"
        )
        raise typer.Exit(int(ExitCode.INPUT)) from None


def call(action: Callable[[], T]) -> T:
    """Run one library call with errors reported."""
    with reported_errors():
        return action()
