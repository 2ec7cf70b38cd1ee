"""Typer's own words (usage line, sections, usage errors) in the user's language.

Typer (≥ 0.26) carries its own copy of Click (``typer._click``) whose words are fixed
English ("Usage:", "Error: …", "Invalid value for '--at': …", "Show this message and
exit."), while ``typer.core`` asks the standard library's ``gettext`` (no catalogue of its
own) for "Options", "Commands", "required", "Aborted!". Here, in one place, both are
pointed at toetreding's catalogue: ``typer.core``'s ``_`` is ours; the usage prefix, the
help of every option (ours are translated already; Typer's help and completion options are
not) and the printing of usage errors are wrapped. Error texts are matched against the
English patterns below and rebuilt from the catalogue; an unknown text stays as it is. A
Typer upgrade that changes any of this fails tests/test_language.py.
"""

from __future__ import annotations

import re
from typing import IO, Any

from typer import core as typer_core
from typer._click import exceptions as click_exceptions
from typer._click import formatting as click_formatting
from typer._click.utils import echo

from ..i18n import N_, _, ngettext

FRAMEWORK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Aborted!"),
    N_("required"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)
"""Words Typer shows that are translated through ``typer.core``'s ``_`` or option help."""

ERROR_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), message)
    for pattern, message in (
        (
            r"Invalid value for (?P<param_hint>.+?): (?P<message>.*)",
            N_("Invalid value for {param_hint}: {message}"),
        ),
        (r"Invalid value: (?P<message>.*)", N_("Invalid value: {message}")),
        (
            r"'(?P<value>.*)' is not one of (?P<choices>.*)\.",
            N_("'{value}' is not one of {choices}."),
        ),
        (r"Input should be greater than or equal to (?P<limit>\S+)", N_("must be {limit} or more")),
        (r"Input should be a valid integer.*", N_("must be a whole number")),
        (r"Missing option (?P<param_hint>.+?)\.", N_("Missing option {param_hint}.")),
        (r"Missing argument (?P<param_hint>.+?)\.", N_("Missing argument {param_hint}.")),
        (r"Missing parameter: (?P<name>.*)", N_("Missing parameter: {name}")),
        (
            r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)",
            N_("No such option: {name} (possible options: {options})"),
        ),
        (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
        (
            r"Got unexpected extra arguments? \((?P<arguments>.*)\)",
            N_("Got unexpected extra arguments ({arguments})"),
        ),
        (r"Option (?P<name>'.*') requires an argument\.", N_("Option {name} requires a value.")),
        (
            r"Option (?P<name>'.*') does not take a value\.",
            N_("Option {name} does not take a value."),
        ),
        (
            r"(?P<message>.*)\. Did you mean (?P<suggestions>.*)\?",
            N_("{message}. Did you mean {suggestions}?"),
        ),
    )
)
"""Typer's English error texts (left) and the message each is rebuilt from (right)."""


def translate_framework_text(text: str) -> str:
    """A Typer/Click error text in the user's language (unknown texts unchanged)."""
    text = text.removeprefix("Value error, ")  # pydantic's prefix for a validator's message
    for pattern, message in ERROR_PATTERNS:
        found = pattern.fullmatch(text)
        if found is not None:
            fields = {
                name: translate_framework_text(value) if name == "message" else value
                for name, value in found.groupdict(default="").items()
            }
            return _(message).format(**fields)
    return text


def _error_line(error: click_exceptions.ClickException) -> str:
    return _("Error: {message}").format(message=translate_framework_text(error.format_message()))


def _show_click_exception(
    self: click_exceptions.ClickException, file: IO[Any] | None = None
) -> None:
    echo(_error_line(self), file=file, err=file is None, color=self.show_color)


def _show_usage_error(self: click_exceptions.UsageError, file: IO[Any] | None = None) -> None:
    color = None
    if self.ctx is not None:
        hint = ""
        if self.ctx.command.get_help_option(self.ctx) is not None:
            hint = (
                _("Try '{command} {option}' for help.").format(
                    command=self.ctx.command_path, option=self.ctx.help_option_names[0]
                )
                + "\n"
            )
        color = self.ctx.color
        echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
    echo(_error_line(self), file=file, err=file is None, color=color)


def speak_the_users_language() -> None:
    """Point Typer's words at toetreding's catalogue (see the module's docstring)."""
    typer_core._ = _  # type: ignore[attr-defined]
    if hasattr(typer_core, "ngettext"):
        typer_core.ngettext = ngettext
    write_usage = click_formatting.HelpFormatter.write_usage

    def translated_write_usage(
        self: click_formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        write_usage(self, prog, args, prefix if prefix is not None else _("Usage:") + " ")

    click_formatting.HelpFormatter.write_usage = translated_write_usage  # type: ignore[method-assign]
    help_record = typer_core.TyperOption.get_help_record

    def translated_help_record(self: typer_core.TyperOption, ctx: Any) -> Any:
        if self.help:  # ours are translated already (a Dutch text is not a message id)
            self.help = _(self.help)
        return help_record(self, ctx)

    typer_core.TyperOption.get_help_record = translated_help_record  # type: ignore[method-assign]
    click_exceptions.ClickException.show = _show_click_exception  # type: ignore[method-assign]
    click_exceptions.UsageError.show = _show_usage_error  # type: ignore[method-assign]


speak_the_users_language()
