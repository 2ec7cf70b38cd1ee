"""The Typer CLI: the only place that imports typer or rich."""

from .app import app, run

main = run

__all__ = ["app", "main"]
