"""Rendering: statement data → Jinja templates → Typst → PDF/A with empty signature fields."""

from .pipeline import RenderedStatement, RenderOutcome, StatementRenderer, render_statement

__all__ = ["RenderOutcome", "RenderedStatement", "StatementRenderer", "render_statement"]
