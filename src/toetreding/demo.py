"""`toetreding demo`: a complete workspace from the bundled example, rendered on the spot.

It is the newcomer's first command, so it only needs the package itself: it copies the
Huizen example (gemeente Huizen joining the modelconvenant PGA radicalisering en
extremisme), writes the JSON Schemas beside it, renders the statement with the
workspace's own config, makes a throwaway PKI (root "DEMO — niet voor productie"), signs
the statement as the burgemeester, adds the coordinating party's acceptance, and
verifies the result (recording the validation in the workspace's register).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .config import load_settings
from .demo_pki import DEMO_PASSPHRASE, DEMO_SIGNING_CONFIG, DemoPki, create_demo_pki
from .errors import OutputError
from .render import RenderOutcome
from .resources import bundled
from .schema import write_schemas
from .sign import SignerChoice, SignOutcome
from .verify import VerificationReport, options_from_settings
from .workflow import render_recorded, sign_recorded, verify_recorded

DEMO_MARKER = ".toetreding-demo"
EXAMPLE = "huizen"


@dataclass(frozen=True)
class DemoOutcome:
    """What the demo made."""

    workspace: Path
    request: Path
    rendered: RenderOutcome
    pki: DemoPki
    signed: SignOutcome
    accepted: SignOutcome
    register: Path | None
    verification: VerificationReport


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
    batch_folder = workspace / "batch"
    batch_folder.mkdir(exist_ok=True)
    for item in sorted((bundled("examples") / "batch").iterdir()):
        if item.is_file():
            shutil.copyfile(item, batch_folder / item.name)
    pki = create_demo_pki(workspace / "pki")
    config = workspace / "toetreding.yaml"
    with config.open("a", encoding="utf-8") as stream:
        stream.write(DEMO_SIGNING_CONFIG.format(passphrase=DEMO_PASSPHRASE))
    settings = load_settings(config)
    request = workspace / "verzoek.yaml"
    # the demo refreshes its own outputs on a re-run (its folder is marked as a demo)
    rendered = render_recorded(
        request, workspace / "verklaring.pdf", settings, overwrite=True
    ).outcome
    signed = sign_recorded(
        settings,
        rendered.output,
        workspace / "verklaring-ondertekend.pdf",
        SignerChoice(profile=pki.party.profile),
        overwrite=True,
    ).outcome
    accepted = sign_recorded(
        settings,
        signed.output,
        workspace / "verklaring-met-instemming.pdf",
        SignerChoice(profile=pki.coordinator.profile),
        overwrite=True,
    ).outcome
    reports, _ = verify_recorded(
        settings,
        [accepted.output],
        options_from_settings(settings),
        record_by="toetreding demo" if settings.register is not None else None,
    )
    return DemoOutcome(
        workspace=workspace,
        request=request,
        rendered=rendered,
        pki=pki,
        signed=signed,
        accepted=accepted,
        register=settings.register,
        verification=reports[0],
    )


def _prepare_folder(workspace: Path) -> None:
    if workspace.exists() and not workspace.is_dir():
        raise OutputError(f"'{workspace}' exists and is not a folder", hint="choose another name")
    marker = workspace / DEMO_MARKER
    if workspace.is_symlink():
        raise OutputError(f"'{workspace}' is a symbolic link", hint="give a real folder")
    if workspace.is_dir() and any(workspace.iterdir()) and not marker.is_file():
        raise OutputError(
            f"'{workspace}' already holds files that are not a toetreding demo",
            hint="give an empty or new folder: toetreding demo NEW-FOLDER",
        )
    if workspace.is_dir():
        _refuse_links(workspace)
    workspace.mkdir(parents=True, exist_ok=True)


def _refuse_links(workspace: Path) -> None:
    """A demo folder with symbolic links could make the refresh write outside it: refused."""
    import os

    for folder, dirs, names in os.walk(workspace):
        for name in (*dirs, *names):
            path = Path(folder) / name
            if path.is_symlink():
                raise OutputError(
                    f"'{path}' is a symbolic link; the demo writes only real files in its folder",
                    hint="give an empty or new folder: toetreding demo NEW-FOLDER",
                )
