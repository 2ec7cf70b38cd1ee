"""The Typer CLI: the only place that imports typer or rich."""

from .. import deferred_imports

# this process is toetreding's own: pyHanko's package initialisers run only when needed
# (before anything imports pyHanko; see deferred_imports)
deferred_imports.install(defer_packages=True)

from . import param_coercion  # noqa: E402

# plain command-line values converted without building pydantic adapters (issue #16)
param_coercion.install()

from . import archive_commands, register_commands, round_commands  # noqa: E402, F401  (their commands)
from .app import app, run  # noqa: E402  (after the deferral is installed)

main = run

__all__ = ["app", "main"]
