"""`toetreding demo`: a complete workspace from the bundled example, rendered on the spot.

It is the newcomer's first command, so it only needs the package itself: it copies the
Huizen example (gemeente Huizen joining the modelconvenant PGA radicalisering en
extremisme), writes the JSON Schemas beside it, renders the statement with the
workspace's own config, makes a throwaway PKI (root "DEMO — niet voor productie") with its own timestamp
authority and revocation list, signs the statement as the burgemeester at PAdES B-LTA, adds
the coordinating party's consent, renews the archive timestamp as an archivist would
(`extend`), and verifies the result (recording the validation in the workspace's register).
Then it runs a coordinator's round of five municipalities (:mod:`.demo_round`): prepare,
returns, collect, accept, status page and notice.

A demo folder is made once: its keys made the signatures in it, so making new keys there
would turn every earlier signed file into a FAIL. An existing folder is refused; without a
folder name the next free ``toetreding-demo-N`` is used.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import load_settings
from .demo_pki import DEMO_PASSPHRASE, DEMO_SIGNING_CONFIG, DemoPki, create_demo_pki
from .demo_round import DemoRound, run_demo_round
from .errors import OutputError
from .i18n import _
from .pki.files import load_crls, load_trust_roots
from .register_seal import seal_with_settings
from .render import RenderOutcome
from .resources import bundled
from .schema import write_schemas
from .sign import ExtendOutcome, SignerChoice, SignOutcome
from .signing_config import SignatureLevel
from .verify import VerificationReport, options_from_settings
from .workflow import (
    archive_recorded,
    extend_recorded,
    render_recorded,
    sign_recorded,
    verify_recorded,
)

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
    round: DemoRound
    archived: Any = None
    """The archive package of the renewed statement (``archive.package.PackageOutcome``)."""
    seal: Any = None
    """The register's seal made at the end (a register ``Entry``), or None without a register."""


def claim_demo_folder(requested: Path | None) -> Path:
    """The demo's folder, made by this run (so nobody else can have planted links in it).

    Without a name: ``toetreding-demo``, else the first free ``toetreding-demo-2``, ``-3``, …
    — each tried with an atomic ``mkdir``, so two demos started at once never share one.
    A named folder is made, or, if it exists, must be an empty folder of the current user
    that nobody else can write to.
    """
    if requested is None:
        number = 1
        while True:
            candidate = DEFAULT_FOLDER if number == 1 else Path(f"{DEFAULT_FOLDER}-{number}")
            try:
                candidate.mkdir()
            except FileExistsError:
                number += 1
                continue
            except OSError as error:
                raise _cannot_make(candidate, error) from None
            return candidate
    _prepare_folder(requested)
    return requested


def create_demo(requested: Path | None = None) -> DemoOutcome:
    """Create a demo workspace in ``workspace`` (new or empty) and run the whole flow."""
    workspace = claim_demo_folder(requested)
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
        record_by="archivaris" if settings.register is not None else None,
    )
    coordinator_round = run_demo_round(workspace, settings, pki)
    # the hand-over to the archive: one ingest package, then the register sealed with a
    # timestamp over its head (Archiefregeling art. 24 under c; issue #17)
    archived = archive_recorded(
        settings,
        [renewed.output],
        workspace / "archief",
        options_from_settings(settings),
        by="archivaris",
    )
    seal = (
        seal_with_settings(settings, tsa=None, by="archivaris")
        if settings.register is not None
        else None
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
        round=coordinator_round,
        archived=archived.packages[0],
        seal=seal,
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
    if workspace.is_dir():
        _refuse_shared(workspace)
        return
    try:
        workspace.mkdir(parents=True)
    except OSError as error:
        raise _cannot_make(workspace, error) from None


def _refuse_shared(workspace: Path) -> None:
    """An existing empty folder is used only when it is the user's own and only theirs:
    in a folder others can write to, they could plant links the demo would write through."""
    import stat

    info = workspace.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise OutputError(
            _(
                "'{folder}' belongs to another user or others can write to it, so files "
                "could be planted in it while the demo writes"
            ).format(folder=workspace),
            hint=_("give a new folder: toetreding demo NEW-FOLDER"),
        )


def _cannot_make(folder: Path, error: OSError) -> OutputError:
    return OutputError(
        _("the folder '{folder}' cannot be made: {reason}").format(
            folder=folder, reason=error.strerror or type(error).__name__
        ),
        hint=_("give a folder in a place where you may write, e.g. your home folder"),
    )
