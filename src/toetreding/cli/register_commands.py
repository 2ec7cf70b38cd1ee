"""`toetreding register`: log, verify, seal, repair and export the workspace's register."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import _
from .app import ConfigOption, OverwriteOption, app
from .console import call, dutch_time, escape, stderr, stdout

if TYPE_CHECKING:
    from ..config import Settings
    from ..register import Entry
    from ..register_seal import RegisterReport


register_app = typer.Typer(
    help=_("The workspace's hash-chained register of renders, signatures and validations."),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(
    register_app,
    name="register",
    short_help=_("The hash-chained register: log, verify, repair, export."),
)


def _register_path(configured: Path | None) -> Path:
    from ..errors import ConfigError

    path = configured
    if path is None:
        raise ConfigError(_("the register is switched off ('register: null')"))
    return path


def _settings(config: Path | None) -> Settings:
    from ..config import load_settings

    return load_settings(config)


@register_app.command(
    "log", short_help=_("Show the newest register entries."), help=_("Show the newest entries.")
)
def register_log(
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", help=_("Show the newest N entries."))
    ] = 20,
    config: ConfigOption = None,
) -> None:
    def action() -> list[Entry]:
        from ..register import Register

        with Register.open_readonly(_register_path(_settings(config).register)) as register:
            return list(register.entries())[-limit:]

    from rich.table import Table

    table = Table("#", _("when"), _("kind"), _("what"), _("hash"))
    for entry in call(action):
        payload = entry.payload
        what = payload.get("uitvoer") or payload.get("keten_sha256") or ""
        if payload.get("ondertekenaar"):
            what = f"{payload['ondertekenaar']} → {what}"
        table.add_row(
            str(entry.seq),
            dutch_time(entry.recorded_at),
            entry.kind,
            escape(str(what)),
            entry.entry_hash[:12],
        )
    stdout().print(table)


@register_app.command(
    "verify",
    short_help=_("Check the register's hash chain, head and seals."),
    help=_(
        "Check the hash chain; names any edited, deleted, inserted, moved or truncated entry, "
        "and checks every seal (timestamp over the head) against the chain as it is now."
    ),
)
def register_verify(config: ConfigOption = None) -> None:
    def action() -> RegisterReport:
        from ..config import load_settings
        from ..pki.files import load_crls, load_trust_roots
        from ..register_seal import check_register

        settings = load_settings(config)
        path = _register_path(settings.register)
        return check_register(
            path,
            load_trust_roots(settings.signing.trust_roots),
            load_crls(settings.signing.crls),
        )

    report = call(action)
    check = report.chain
    for repair in check.repairs:
        stderr().print("[yellow]" + _("note:") + f"[/] {escape(repair)}")
    last = report.seals.last_sealed
    if report.intact:
        stdout().print(
            "[green]✓[/] "
            + _("register intact: {count} entries, head {head}").format(
                count=check.entries, head=check.head_hash
            )
        )
    else:
        stderr().print(
            "[bold red]✗[/] " + _("register damaged ({count} entries):").format(count=check.entries)
        )
        for problem in report.problems:
            stderr().print(f"  - {escape(problem)}")
    if last is not None:
        stdout().print(
            "[green]✓[/] "
            + _(
                "sealed up to entry {entry} at {moment} by {tsa}; later entries rest on the "
                "chain alone"
            ).format(
                entry=last.sealed_entry,
                moment=dutch_time(last.sealed_at),
                tsa=escape(last.authority),
            )
        )
        if last.trusted is None:
            stdout().print(
                "  "
                + _(
                    "the timestamp authority was not checked against trust roots (none are "
                    "configured: 'ondertekening.vertrouwensankers')"
                )
            )
    elif not report.seals.seals:
        stdout().print(
            _("not sealed: run `toetreding register seal` to anchor it with a timestamp")
        )
    if not report.intact:
        raise typer.Exit(1)


@register_app.command(
    "seal",
    short_help=_("Timestamp the register's head (RFC 3161), so history cannot be rewritten."),
    help=_("""Seal the register: a timestamp authority signs the hash of its newest entry and the time.

The token is kept in the register as an entry; `register verify` checks every seal, so
rewriting anything before a sealed entry is found even by someone who rewrote the head
file too. Seal at the end of every working day or round, and before an archive transfer."""),
)
def register_seal(
    tsa: Annotated[
        str | None,
        typer.Option(
            "--tsa",
            metavar="URL",
            help=_("Timestamp authority (default: 'ondertekening.tijdstempeldienst')."),
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="KEY",
            help=_(
                "The official who seals (a key of archief.medewerkers; default: "
                "archief.verantwoordelijke)."
            ),
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    def action() -> Entry:
        from ..config import load_settings
        from ..register_seal import seal_with_settings

        return seal_with_settings(load_settings(config), tsa=tsa, by=by)

    entry = call(action)
    stdout().print(
        "[green]✓[/] "
        + _("sealed entry {sealed} at {moment} (seal recorded as entry {entry})").format(
            sealed=entry.payload["verzegeld_volgnummer"],
            moment=dutch_time(entry.payload.get("tijdstip")),
            entry=entry.seq,
        )
    )
    stdout().print(
        "  "
        + _("head {head}; keep this line outside the workspace as well").format(
            head=entry.entry_hash
        )
    )


@register_app.command(
    "repair",
    short_help=_("Re-anchor a register after a known loss (recorded)."),
    help=_("""Re-anchor a register whose head file was lost or damaged; the repair is itself recorded.

Use only after `register verify` and after looking for a backup of the head file: the
repair entry keeps what verify found, so it is visible to every later check."""),
)
def register_repair(
    reason: Annotated[
        str,
        typer.Option(
            "--reason", metavar="TEXT", help=_("Why the register is re-anchored (recorded).")
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="NAME", help=_("Who repairs it (recorded), e.g. a name and role.")
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    def action() -> Entry:
        from ..register import Register

        with Register(_register_path(_settings(config).register)) as register:
            return register.repair(reason, by)

    entry = call(action)
    stdout().print(
        "[yellow]✓[/] "
        + _("register re-anchored at entry {number} ({kind}); head {head}").format(
            number=entry.seq, kind=entry.kind, head=entry.entry_hash
        )
    )
    found = entry.payload.get("gevonden") or []
    for problem in found:
        stdout().print(
            "  " + _("recorded as found: {problem}").format(problem=escape(str(problem)))
        )


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    mdto = "mdto"


@register_app.command(
    "export",
    short_help=_("Export every entry as JSON lines, CSV or MDTO (XML)."),
    help=_(
        "Export every entry: JSON lines, CSV (a spreadsheet), or MDTO (the register described "
        "as an archival record, one event per entry, checked against Nationaal Archief's XSD)."
    ),
)
def register_export(
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            metavar="jsonl|csv|mdto",
            help=_("jsonl, csv or mdto (default: from the -o file name, else jsonl)."),
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help=_("File to write, .jsonl, .csv or .xml (default: stdout)."),
        ),
    ] = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    by_name = {
        ".csv": ExportFormat.csv,
        ".jsonl": ExportFormat.jsonl,
        ".json": ExportFormat.jsonl,
        ".xml": ExportFormat.mdto,
    }
    named = by_name.get(output.suffix.lower()) if output is not None else None
    if fmt is not None and named is not None and fmt is not named:
        raise typer.BadParameter(
            _(
                "--format {format} does not fit the file name '{name}'; leave --format out or "
                "give a .{suffix} name"
            ).format(
                format=fmt.value,
                suffix="xml" if fmt is ExportFormat.mdto else fmt.value,
                name=output.name if output else "",
            ),
            param_hint="--format",
        )
    chosen = fmt or named or ExportFormat.jsonl

    def action() -> str:
        from ..config import load_settings
        from ..errors import ConfigError
        from ..fileio import write_atomically
        from ..outputs import EXPORT, guard_output
        from ..register import Register

        settings = load_settings(config)
        if settings.register is None:
            raise ConfigError(_("the register is switched off ('register: null')"))
        if output is not None:
            guard_output(output, EXPORT, settings, overwrite=overwrite)
        with Register.open_readonly(settings.register) as register:
            if chosen is ExportFormat.mdto:
                from ..archive import mdto
                from ..archive.register_mdto import register_as_mdto

                xml = register_as_mdto(register.entries(), settings.archive, settings.register.name)
                problems = mdto.validate(xml)
                if problems:
                    raise ConfigError(
                        _(
                            "internal: the MDTO metadata {file} does not validate: {problems}"
                        ).format(file="register", problems="; ".join(problems[:3]))
                    )
                text = xml.decode("utf-8")
            else:
                text = register.export(chosen.value)
        if output is not None:
            write_atomically(output, text.encode("utf-8"))
        return text

    text = call(action)
    if output is None:
        import sys

        sys.stdout.write(text)
    else:
        stderr().print(
            "[green]✓[/] "
            + _("wrote {file} ({format})").format(file=escape(str(output)), format=chosen.value)
        )
