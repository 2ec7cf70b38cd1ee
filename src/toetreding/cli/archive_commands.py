"""`toetreding archive`: ingest packages (statement, MDTO, report, manifest) for the archive."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import _, ngettext
from .app import ConfigOption, CrlOption, OfflineOption, OverwriteOption, TrustOption, app
from .console import call, escape, shown_name, stderr, stdout

if TYPE_CHECKING:
    from ..archive.package import ArchiveOutcome


@app.command(
    short_help=_("Write an archive ingest package per signed statement (MDTO, report, manifest)."),
    help=_("""Write an ingest package per signed statement, for a DMS or e-Depot.

Each package holds the statement byte for byte, MDTO metadata (informatieobject and
bestand, checked against Nationaal Archief's XSD), the validation report as JSON and as
PDF/A, the decision documents the chain pins when they are in the workspace, and a
manifest that `sha256sum -c manifest-sha256.txt` checks. The validation made for the
package is recorded in the register with the responsible official (--by).

Exit 0 when every statement passed verification, 4 when one did not (its package is
written all the same, and its metadata says so)."""),
)
def archive(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="STATEMENT.pdf|FOLDER",
            help=_("Signed statements; a folder stands for every PDF in it and its subfolders."),
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FOLDER",
            help=_("Folder for the packages (made when missing); one subfolder per statement."),
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="KEY",
            help=_(
                "The official responsible for the validation (a key of archief.medewerkers; "
                "default: archief.verantwoordelijke)."
            ),
        ),
    ] = None,
    trust: TrustOption = None,
    crl: CrlOption = None,
    covenant: Annotated[
        list[Path] | None,
        typer.Option(
            "--covenant",
            metavar="convenant.yaml",
            help=_("The covenant as published; repeatable (default: 'verificatie.convenanten')."),
        ),
    ] = None,
    offline: OfflineOption = False,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    def action() -> ArchiveOutcome:
        from ..config import load_settings
        from ..verify import options_from_settings
        from ..workflow import archive_recorded

        settings = load_settings(config)
        options = options_from_settings(
            settings,
            tuple(trust or ()),
            tuple(crl or ()),
            offline=offline,
            covenant_files=tuple(covenant or ()),
        )
        outcome: ArchiveOutcome = archive_recorded(
            settings, files, output, options, by=by, overwrite=overwrite
        )
        return outcome

    outcome = call(action)
    for package in outcome.packages:
        mark = "[green]✓[/]" if package.passed else "[bold red]✗[/]"
        stdout().print(
            f"{mark} "
            + _("{statement}: {verdict}; package {folder} ({count} files)").format(
                statement=escape(shown_name(str(package.statement))),
                verdict=package.verdict,
                folder=escape(shown_name(str(package.folder))),
                count=len(package.files),
            )
        )
        for warning in package.warnings:
            stderr().print("  [yellow]" + _("note:") + f"[/] {escape(warning)}")
    if outcome.register is not None:
        stdout().print(
            ngettext(
                "recorded {count} validation in {register}",
                "recorded {count} validations in {register}",
                len(outcome.packages),
            ).format(count=len(outcome.packages), register=escape(str(outcome.register)))
        )
    if not all(package.passed for package in outcome.packages):
        raise typer.Exit(4)
