"""Build only the command that is run, not all of them.

Why: before Typer runs a command it turns every registered command into a Click command,
reading each function's signature and annotations: ≈ 35–45 ms of every cold start on the
2-core machine this was measured on (issue #16), for the one command that runs.

When the first word after the program name (the options before it are flags only:
``--version``, ``--help``) names a command or command group, Typer is given a copy of the
app that holds just that one. The command's own help, usage errors and behaviour are the
same, because it is the same command. In every other case — no command, a mistyped one
(Typer suggests the nearest), shell completion — the whole app is used.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any


def app_for(app: Any, arguments: Sequence[str], environment: Mapping[str, str]) -> Any:
    """``app`` narrowed to the command ``arguments`` name, or ``app`` itself."""
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in environment):
        return app  # shell completion lists every command
    name = next((word for word in arguments if not word.startswith("-")), None)
    if name is None:
        return app
    commands = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if len(commands) + len(groups) != 1:
        return app
    narrowed = copy.copy(app)
    narrowed.registered_commands = commands
    narrowed.registered_groups = groups
    return narrowed


def _command_name(info: Any) -> str | None:
    """The name Typer gives a registered command (its function's name, dashed)."""
    if info.name:
        return str(info.name)
    callback = info.callback
    if callback is None:
        return None
    return str(callback.__name__).lower().replace("_", "-")
