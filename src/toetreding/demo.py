"""`toetreding demo`: a complete workspace from the bundled example, rendered on the spot.

It is the newcomer's first command, so it only needs the package itself: it copies the
Huizen example (gemeente Huizen joining the modelconvenant PGA radicalisering en
extremisme), writes the JSON Schemas beside it, and renders the statement with the
workspace's own config. Later stages (signing, verification) hook in here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .config import load_settings
from .errors import OutputError
from .render import RenderOutcome, render_statement
from .resources import bundled
from .schema import write_schemas

DEMO_MARKER = ".toetreding-demo"
EXAMPLE = "huizen"


@dataclass(frozen=True)
class DemoOutcome:
    """What the demo made."""

    workspace: Path
    request: Path
    rendered: RenderOutcome


def create_demo(workspace: Path) -> DemoOutcome:
    """Create (or refresh) a demo workspace in ``workspace`` and render its statement."""
    _prepare_folder(workspace)
    source = bundled("examples") / EXAMPLE
    for item in sorted(source.iterdir()):
        if item.is_file():
            shutil.copyfile(item, workspace / item.name)
    (workspace / DEMO_MARKER).write_text(
        "Demo workspace made by `toetreding demo`. Not for production use.\n", encoding="utf-8"
    )
    write_schemas(workspace / "schemas")
    settings = load_settings(workspace / "toetreding.yaml")
    request = workspace / "verzoek.yaml"
    rendered = render_statement(request, workspace / "verklaring.pdf", settings)
    return DemoOutcome(workspace=workspace, request=request, rendered=rendered)


def _prepare_folder(workspace: Path) -> None:
    if workspace.exists() and not workspace.is_dir():
        raise OutputError(f"'{workspace}' exists and is not a folder", hint="choose another name")
    if workspace.is_dir() and any(workspace.iterdir()) and not (workspace / DEMO_MARKER).exists():
        raise OutputError(
            f"'{workspace}' already holds files that are not a toetreding demo",
            hint="give an empty or new folder: toetreding demo NEW-FOLDER",
        )
    workspace.mkdir(parents=True, exist_ok=True)
