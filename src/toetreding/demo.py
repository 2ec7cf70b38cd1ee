"""`toetreding demo`: a complete workspace from the bundled example, rendered on the spot.

It is the newcomer's first command, so it only needs the package itself: it copies the
Huizen example (gemeente Huizen joining the modelconvenant PGA radicalisering en
extremisme), writes the JSON Schemas beside it, renders the statement with the
workspace's own config, makes a throwaway PKI (root "DEMO — niet voor productie") with its own timestamp
authority and revocation list, signs the statement as the burgemeester at PAdES B-LTA, adds
the coordinating party's consent, renews the archive timestamp as an archivist would
(`extend`), and verifies the result (recording the validation in the workspace's register).

A demo folder is made once: its keys made the signatures in it, so making new keys there
would turn every earlier signed file into a FAIL. An existing folder is refused; without a
folder name the next free ``toetreding-demo-N`` is used.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .config import load_settings
from .demo_pki import DEMO_PASSPHRASE, DEMO_SIGNING_CONFIG, DemoPki, create_demo_pki
from .errors import OutputError
from .i18n import _
from .pki.files import load_crls, load_trust_roots
from .render import RenderOutcome
from .resources import bundled
from .schema import write_schemas
from .sign import ExtendOutcome, SignerChoice, SignOutcome
from .signing_config import SignatureLevel
from .verify import VerificationReport, options_from_settings
from .workflow import extend_recorded, render_recorded, sign_recorded, verify_recorded

DEMO_MARKER = ".toetreding-demo"
EXAMPLE = "huizen"
DEFAULT_FOLDER = Path("toetreding-demo")


@dataclass(frozen=True)
class DemoOutcome:
    """What the demo made."""

    workspace: Path
    request: Path
    rendered: RenderOutcome
    pki: DemoPki
    signed: SignOutcome
    accepted: SignOutcome
    renewed: ExtendOutcome
    register: Path | None
    verification: VerificationReport


def free_demo_folder(base: Path = DEFAULT_FOLDER) -> Path:
    """``base`` when it does not exist yet, else the first free ``base-2``, ``base-3``, …"""
    candidate = base
    number = 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def create_demo(workspace: Path) -> DemoOutcome:
    """Create a demo workspace in ``workspace`` (new or empty) and run the whole flow."""
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
    rendered = render_recorded(request, workspace / "verklaring.pdf", settings).outcome
    signed = sign_recorded(
        settings,
        rendered.output,
        workspace / "verklaring-ondertekend.pdf",
        SignerChoice(profile=pki.party.profile),
    ).outcome
    accepted = sign_recorded(
        settings,
        signed.output,
        workspace / "verklaring-met-instemming.pdf",
        SignerChoice(profile=pki.coordinator.profile),
    ).outcome
    # years later an archivist renews the archive timestamp (B-LTA renewal): fresh
    # validation data for every signature and timestamp, then a new document timestamp
    renewed = extend_recorded(
        settings,
        accepted.output,
        workspace / "verklaring-verlengd.pdf",
        SignatureLevel.B_LTA,
        tsa_url=settings.signing.tsa,
        trust_roots=load_trust_roots(settings.signing.trust_roots),
        crls=load_crls(settings.signing.crls),
    ).outcome
    assert isinstance(renewed, ExtendOutcome)
    reports, _register = verify_recorded(
        settings,
        [renewed.output],
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
        renewed=renewed,
        register=settings.register,
        verification=reports[0],
    )


def _prepare_folder(workspace: Path) -> None:
    if workspace.is_symlink():
        raise OutputError(
            _("'{folder}' is a symbolic link").format(folder=workspace),
            hint=_("give a new folder"),
        )
    if workspace.exists() and not workspace.is_dir():
        raise OutputError(
            _("'{folder}' exists and is not a folder").format(folder=workspace),
            hint=_("choose another name"),
        )
    if workspace.is_dir() and any(workspace.iterdir()):
        if (workspace / DEMO_MARKER).is_file():
            raise OutputError(
                _(
                    "'{folder}' already holds a demo workspace; a new demo there would replace "
                    "the keys that signed its statements, and every signed file in it would "
                    "then fail"
                ).format(folder=workspace),
                hint=_(
                    "keep it and run `toetreding demo` without a folder (it makes the next free "
                    "toetreding-demo-N), or give a new folder: toetreding demo NEW-FOLDER"
                ),
            )
        raise OutputError(
            _("'{folder}' already holds files that are not a toetreding demo").format(
                folder=workspace
            ),
            hint=_("give an empty or new folder: toetreding demo NEW-FOLDER"),
        )
    workspace.mkdir(parents=True, exist_ok=True)
