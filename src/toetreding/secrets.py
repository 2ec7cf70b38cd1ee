"""PINs and passphrases: where they may come from, and how they stay out of sight.

A secret comes from, in this order: a file named on the command line or in the signer
profile (first line), the environment (``TOETREDING_PIN`` for tokens,
``TOETREDING_PASSPHRASE`` for PKCS#12 files), or a hidden prompt that the *caller*
supplies (the library never prompts). There is deliberately no way to pass one as a
command-line value: argv is visible to every user of the machine (``ps``).

A :class:`Secret` hides its value from ``repr``/``str``, so it cannot leak into a log
line, an error message or a traceback's locals by accident.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .errors import CredentialError
from .filelimits import read_limited
from .i18n import _

PIN_ENV = "TOETREDING_PIN"
PASSPHRASE_ENV = "TOETREDING_PASSPHRASE"
MAX_SECRET_FILE_BYTES = 4096
"""A PIN or passphrase file holds one line; anything larger is the wrong file."""


class Secret:
    """A PIN or passphrase. ``reveal()`` is the only way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for handing to the key store."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not picklable (it must not reach disk or another process)")


class SecretKind(StrEnum):
    """What the secret unlocks."""

    PIN = "PIN"
    PASSPHRASE = "passphrase"

    @property
    def environment_variable(self) -> str:
        """The variable that may hold it."""
        return PIN_ENV if self is SecretKind.PIN else PASSPHRASE_ENV


@dataclass(frozen=True)
class SecretRequest:
    """What a prompt should ask for, e.g. "PIN for token 'burgemeester'"."""

    kind: SecretKind
    subject: str

    @property
    def question(self) -> str:
        """The prompt text, e.g. "PIN for token 'burgemeester'" (also used inside sentences)."""
        if self.kind is SecretKind.PIN:
            return _("PIN for {subject}").format(subject=self.subject)
        return _("passphrase for {subject}").format(subject=self.subject)

    @property
    def definite(self) -> str:
        """The question with its article, e.g. "the PIN for token 'burgemeester'", for use
        inside a sentence (Dutch: "de pincode", but "het wachtwoord")."""
        if self.kind is SecretKind.PIN:
            return _("the PIN for {subject}").format(subject=self.subject)
        return _("the passphrase for {subject}").format(subject=self.subject)


SecretPrompt = Callable[[SecretRequest], Secret]
"""Asks a person for a secret (the CLI's hidden prompt); raises if it cannot."""


def obtain_secret(
    request: SecretRequest,
    *,
    secret_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    prompt: SecretPrompt | None = None,
) -> Secret:
    """Find the secret: file, then environment, then the prompt."""
    if secret_file is not None:
        return read_secret_file(secret_file, request)
    env = os.environ if environ is None else environ
    value = env.get(request.kind.environment_variable)
    if value:
        return Secret(value)
    if prompt is not None:
        return prompt(request)
    raise CredentialError(
        _("no {secret} was given").format(secret=request.question),
        hint=_(
            "set {variable}, give a file holding it "
            "(--secret-file or 'wachtwoordbestand' in the signer profile), or run in a terminal "
            "to be asked"
        ).format(variable=request.kind.environment_variable),
    )


def read_secret_file(path: Path, request: SecretRequest) -> Secret:
    """The first line of ``path`` (without its line ending).

    The file must be a small regular file: a device such as /dev/zero or /dev/urandom never
    ends, and a named pipe blocks whoever opens it, so both are refused before reading.
    """
    data = read_limited(
        path,
        limit=MAX_SECRET_FILE_BYTES,
        what=_("the file with {secret}").format(secret=request.definite),
        error=CredentialError,
        missing_hint=_("check the path given with --secret-file or 'wachtwoordbestand'"),
        size_hint=_(
            "a secret file holds one line: the PIN or passphrase; check that this is the right file"
        ),
    )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialError(
            _("the file with {secret} '{path}' is not UTF-8 text").format(
                secret=request.definite, path=path
            ),
            hint=_("it must be a readable UTF-8 text file with the secret on its first line"),
        ) from None
    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or not lines[0]:
        raise CredentialError(
            _("the file '{path}' is empty; it should hold {secret}").format(
                path=path, secret=request.definite
            ),
            hint=_("put the secret on the first line"),
        )
    return Secret(lines[0])
