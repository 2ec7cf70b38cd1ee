"""How the CLI talks to people: results on stdout, problems on stderr, exit codes from one table.

Library errors arrive as :class:`~toetreding.errors.ToetredingError` with a message that
already says what to do; here they are only printed. Anything else is a bug: it gets a
short note and exit code 1, and the traceback only with ``TOETREDING_DEBUG=1``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import typer

from ..errors import ExitCode, ToetredingError
from ..i18n import _
from ..textformat import dutch_time as dutch_time  # shown times: one definition

if TYPE_CHECKING:
    from rich.console import Console

    from ..secrets import Secret, SecretRequest

T = TypeVar("T")


PIPED_WIDTH = 200
"""Columns for output that goes to a file or pipe: wide enough that a panel or table does
not break a path or a hash over two lines (rich would assume 80)."""


def _console(*, stderr: bool) -> Console:
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty() and "COLUMNS" not in os.environ
    # piped output: no colours (rich leaves them out itself), and no narrow wrapping
    return Console(
        stderr=stderr,
        highlight=False,
        soft_wrap=True,
        width=PIPED_WIDTH if piped else None,
    )


@cache
def stdout() -> Console:
    """Console for results (rich is imported on first use: `--help` stays fast)."""
    return _console(stderr=False)


@cache
def stderr() -> Console:
    """Console for problems and progress."""
    return _console(stderr=True)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than newline and tab: in data (a certificate's name, a token's
label, a file name) they could move the cursor, clear the screen or forge a line."""


def shown_name(name: str) -> str:
    """A file name as text on one line: a line break or other control character in a name
    someone else chose is shown as an escape, never as a break (a fake result line)."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in name
    )


def escape(text: str) -> str:
    """Make data safe to print: rich markup ('[red]') and terminal control sequences
    (ESC, CR, …) are shown as text, never acted on."""
    from rich.markup import escape as rich_escape

    shown = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)
    return rich_escape(shown)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn library errors into a message and the right exit code; never a traceback."""
    try:
        yield
    except ToetredingError as error:
        stderr().print("[bold red]" + _("error:") + f"[/] {escape(error.message)}")
        if error.hint:
            stderr().print(f"  [yellow]→[/] {escape(error.hint)}")
        raise typer.Exit(int(error.exit_code)) from None
    except KeyboardInterrupt as stop:
        stderr().print("[red]" + _("interrupted") + "[/]; " + _("nothing was written"))
        # the shell's convention: 130 for Ctrl-C, 143 for a SIGTERM the leader handled
        raise typer.Exit(128 + getattr(stop, "signal_number", 2)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as error:  # a bug, not a user mistake
        if os.environ.get("TOETREDING_DEBUG"):
            raise
        stderr().print(
            "[bold red]" + _("internal error:") + f"[/] {escape(type(error).__name__)}: "
            f"{escape(str(error))}\n  → "
            + _(
                "this is a bug in toetreding; run again with TOETREDING_DEBUG=1 and report the "
                "output"
            )
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
            _("no {question} was given and there is no terminal to ask on").format(
                question=request.question
            ),
            hint=_("set {variable} or give --secret-file FILE").format(
                variable=request.kind.environment_variable
            ),
        )
    import getpass

    try:
        value = getpass.getpass(f"{request.question}: ", stream=sys.stderr)
    except EOFError:
        value = ""
    if not value:
        raise CredentialError(_("no {question} was entered").format(question=request.question))
    return Secret(value)
