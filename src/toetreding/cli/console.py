"""How the CLI talks to people: results on stdout, problems on stderr, exit codes from one table.

Library errors arrive as :class:`~toetreding.errors.ToetredingError` with a message that
already says what to do; here they are only printed. Anything else is a bug: it gets a
short note and exit code 1, and the traceback only with ``TOETREDING_DEBUG=1``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import typer

from ..errors import ExitCode, ToetredingError

if TYPE_CHECKING:
    from rich.console import Console

    from ..secrets import Secret, SecretRequest

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


def hidden_prompt(request: SecretRequest) -> Secret:
    """Ask for a PIN or passphrase without echo; only on a terminal."""
    import sys

    from ..errors import CredentialError
    from ..secrets import Secret

    if not sys.stdin.isatty():
        raise CredentialError(
            f"no {request.question} was given and there is no terminal to ask on",
            hint=f"set {request.kind.environment_variable} or give --secret-file FILE",
        )
    import getpass

    try:
        value = getpass.getpass(f"{request.question}: ", stream=sys.stderr)
    except EOFError:
        value = ""
    if not value:
        raise CredentialError(f"no {request.question} was entered")
    return Secret(value)


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
    local = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")
