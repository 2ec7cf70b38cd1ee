"""One error tree for the whole library.

Every error a user can cause derives from :class:`ToetredingError`. Each carries a
message written for the person at the keyboard (what is wrong, where, and what to do
instead) and the process exit code the CLI should use, so the CLI never has to guess
and never shows a traceback for a mistake in the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .i18n import ngettext


class ExitCode(IntEnum):
    """The single exit-code table used by every command (see README)."""

    OK = 0
    INPUT = 1
    USAGE = 2
    BATCH_FAILED_ITEMS = 3
    NOT_VERIFIED = 4


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    key_path: str | None = None
    hint: str | None = None

    def location(self) -> str:
        """`file:line:column` as far as known, for editors that jump to it."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: "
        if self.key_path:
            text += f"{self.key_path}: "
        text += self.message
        if self.hint:
            text += f" — {self.hint}"
        return text


class ToetredingError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code: ExitCode = ExitCode.INPUT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class InputFileError(ToetredingError):
    """A file we were asked to read is missing, unreadable or not what it should be."""


class ValidationFailed(ToetredingError):
    """One or more input files do not match the model; lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        heading = ngettext(
            "{count} problem in the input:", "{count} problems in the input:", count
        ).format(count=count)
        super().__init__(heading + "\n" + "\n".join(f"  {p}" for p in problems))


class ConfigError(ToetredingError):
    """The configuration (file, environment or arguments) is inconsistent."""


class TemplateError(ToetredingError):
    """A template could not be loaded or rendered; names the template and line."""


class RenderError(ToetredingError):
    """Typesetting failed (a Typst error or warning, a missing asset or glyph)."""


class OutputError(ToetredingError):
    """The output cannot be written where asked (missing folder, same as input, …)."""


class CredentialError(ToetredingError):
    """A key or certificate cannot be used: wrong PIN or passphrase, missing token or key,
    expired certificate, a certificate not meant for signing."""


class SigningError(ToetredingError):
    """The document cannot be signed as asked: not a statement, field missing or already
    signed, timestamp authority unreachable, signer revoked or untrusted."""
