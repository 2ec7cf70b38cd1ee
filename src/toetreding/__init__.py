"""toetreding: produce, sign, verify and archive toetredingsverklaringen.

The public API is small and stable; heavy engines (Typst, pyHanko) load only when a
function that needs them is called, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import deferred_imports
from ._version import __version__

deferred_imports.install()  # fast_hex only: library users keep pyHanko as it is

if TYPE_CHECKING:
    from .config import Settings, load_settings
    from .errors import ToetredingError
    from .inputs import load_request
    from .render import StatementRenderer, render_statement

__all__ = [
    "Settings",
    "StatementRenderer",
    "ToetredingError",
    "__version__",
    "load_request",
    "load_settings",
    "render_statement",
]

_LAZY = {
    "Settings": "config",
    "load_settings": "config",
    "ToetredingError": "errors",
    "load_request": "inputs",
    "StatementRenderer": "render",
    "render_statement": "render",
}


def __getattr__(name: str) -> Any:
    """Import public names on first use (keeps `toetreding --help` fast)."""
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'toetreding' has no attribute {name!r}")
