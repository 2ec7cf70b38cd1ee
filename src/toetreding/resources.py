"""Where the bundled templates, default configuration and examples live.

In a wheel they are copied into ``toetreding/_bundled/``; in a source checkout (editable
install, tests) they are the top-level ``templates/``, ``config/`` and ``examples/``
folders. Callers ask for a name and never care which.
"""

from __future__ import annotations

from pathlib import Path

from .i18n import _

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """Folder of bundled resources: 'templates', 'config' or 'examples'."""
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        _("bundled folder '{name}' is missing from the installation; reinstall toetreding").format(
            name=name
        )
    )
