"""Only the command that runs is built (cli/one_command.py), and nothing a user sees changes.

Each command's help and a usage error are compared between the narrowed app and the whole
app, in process with Typer's test runner; a mistyped command, no command and shell
completion keep the whole app.
"""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from toetreding.cli import app
from toetreding.cli.one_command import _command_name, app_for

COMMANDS = sorted(
    [name for info in app.registered_commands if (name := _command_name(info))]
    + [str(info.name) for info in app.registered_groups]
)
ENVIRONMENT = {"TOETREDING_TAAL": "en", "COLUMNS": "120"}


def _run(target: Any, arguments: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(target, arguments, env=ENVIRONMENT)
    return result.exit_code, result.output


def test_every_command_and_group_is_found() -> None:
    assert {"render", "sign", "verify", "register", "mandate", "accept"} <= set(COMMANDS)
    for name in COMMANDS:
        narrowed = app_for(app, [name], {})
        assert narrowed is not app, name
        kept = len(narrowed.registered_commands) + len(narrowed.registered_groups)
        assert kept == 1, name
    # the app itself is left whole
    assert len(app.registered_commands) + len(app.registered_groups) == len(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_help_and_usage_errors_are_the_same(name: str) -> None:
    for arguments in ([name, "--help"], [name, "--no-such-option"], ["--version", name]):
        narrowed = app_for(app, arguments, {})
        assert _run(narrowed, arguments) == _run(app, arguments), arguments


@pytest.mark.parametrize(
    "arguments",
    [[], ["--help"], ["--version"], ["verfy", "x.pdf"], ["nothing"], ["-x"]],
)
def test_no_command_or_an_unknown_one_keeps_the_whole_app(arguments: list[str]) -> None:
    assert app_for(app, arguments, {}) is app


def test_a_mistyped_command_still_gets_a_suggestion() -> None:
    code, output = _run(app_for(app, ["verfy"], {}), ["verfy"])
    assert code == 2 and "verify" in output


def test_shell_completion_keeps_the_whole_app() -> None:
    assert app_for(app, ["verify"], {"_TOETREDING_COMPLETE": "complete_bash"}) is app
