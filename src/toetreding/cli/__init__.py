"""The Typer CLI: the only place that imports typer or rich."""

from . import round_commands  # noqa: F401  (registers collect, accept, status, notice)
from .app import app, run

main = run

__all__ = ["app", "main"]
