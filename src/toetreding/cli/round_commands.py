"""The coordinator's round on the command line: collect, accept, status, notice.

`batch` prepares the round (in app.py); these commands take it further. Each one parses,
makes one library call (toetreding.round) and shows the outcome.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import _, ngettext, number
from .app import (
    ConfigOption,
    KeyOption,
    LevelChoice,
    OverwriteOption,
    Pkcs11ModuleOption,
    Pkcs12Option,
    SecretFileOption,
    SignerOption,
    TokenOption,
    TsaOption,
    app,
    key_choice,
    progress_bar,
)
from .console import call, escape, hidden_prompt, shown_name, stderr, stdout

if TYPE_CHECKING:
    from ..round.accept import AcceptOutcome
    from ..round.collect import CollectOutcome
    from ..round.status import RoundStatus

RoundOption = Annotated[
    Path,
    typer.Option(
        "--round",
        "-r",
        metavar="FOLDER",
        help=_("The round's folder (the output folder of `toetreding batch`)."),
    ),
]
JobsOption = Annotated[
    int,
    typer.Option("--jobs", "-j", metavar="N", min=0, help=_("Worker processes (0: one per CPU).")),
]


def _settings(config: Path | None, round_folder: Path) -> Any:
    """The settings of the round's workspace: --config, else the toetreding.yaml found from
    the round folder up (not from wherever the command is typed), so its register is used."""
    from ..config import load_settings

    start = round_folder if round_folder.is_dir() else Path.cwd()
    return load_settings(config, cwd=start.resolve())


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            _("'{value}' is not a date; write it as YYYY-MM-DD").format(value=value),
            param_hint=option,
        ) from None


@app.command(
    short_help=_("Collect the signed returns of a round and check each one for its party."),
    help=_("""Collect the signed statements parties returned (any file names; duplicates and
re-sends are recognised), match each to its party by content, and check it: exactly the
prepared statement, signed by someone the party's chain authorises, at the round's level.
Every return is recorded in the register with its verdict; a rejection comes with the
reason to send back.

Exit 0 when every file was a good return, 3 when some were rejected or not recognised."""),
)
def collect(
    inboxes: Annotated[
        list[Path],
        typer.Argument(
            metavar="INBOX", help=_("Folders (searched for PDFs) or files that came back.")
        ),
    ],
    round_folder: RoundOption,
    jobs: JobsOption = 0,
    config: ConfigOption = None,
) -> None:
    def action() -> CollectOutcome:
        from ..round.collect import collect
        from ..round.parallel import RoundInterrupted

        settings = _settings(config, round_folder)
        with progress_bar() as progress:
            try:
                return collect(settings, round_folder, inboxes, jobs=jobs, progress=progress)
            except RoundInterrupted as stop:
                stopped: CollectOutcome = stop.outcome
                return stopped

    outcome = call(action)
    _show_collected(outcome)
    _show_interrupted(outcome.interrupted)
    if outcome.interrupted is not None:
        raise typer.Exit(128 + outcome.interrupted)
    if outcome.rejected or outcome.unmatched or outcome.failures:
        raise typer.Exit(3)


def _show_interrupted(interrupted: int | None) -> None:
    if interrupted is None:
        return
    import signal

    cause = "Ctrl-C" if interrupted == signal.SIGINT else signal.Signals(interrupted).name
    stderr().print(
        "[yellow]"
        + _("interrupted ({cause}): what is shown was done and recorded; the rest was not").format(
            cause=cause
        )
        + "[/]\n  [yellow]→[/] "
        + _("run the same command again to go on; what is done is skipped")
    )


def _show_collected(outcome: CollectOutcome) -> None:
    out = stdout()
    out.print(
        ngettext("{count} file read", "{count} files read", outcome.files).format(
            count=outcome.files
        )
        + "; "
        + _(
            "{acceptable} acceptable, {rejected} rejected, {duplicates} seen before (the same "
            "bytes), {unmatched} not of this round"
        ).format(
            acceptable=len(outcome.acceptable),
            rejected=len(outcome.rejected),
            duplicates=outcome.duplicates,
            unmatched=len(outcome.unmatched),
        )
        + f" ({number(outcome.seconds, 1)} s)"
    )

    def arrived(code: str) -> str:
        names = ", ".join(shown_name(n) for n in outcome.sources.get(code, []))
        return f"  [dim]← {escape(names)}[/]" if names else ""

    for code in sorted(set(outcome.acceptable)):
        out.print(
            f"[green]✓[/] {code}: " + _("acceptable; ready for `toetreding accept`") + arrived(code)
        )
    for code, reasons in sorted(outcome.rejected.items()):
        out.print(f"[red]✗[/] {code}: " + _("rejected") + arrived(code))
        for reason in dict.fromkeys(reasons):
            out.print(f"    – {escape(reason)}")
    for item in outcome.unmatched:
        out.print(f"[yellow]?[/] {escape(shown_name(str(item.file)))}: {escape(item.reason)}")
    for code, message in sorted(outcome.failures.items()):
        stderr().print(f"[red]✗[/] {code}: {escape(message)}")
    if outcome.recovered:
        out.print(
            _("{count} return(s) of an interrupted run were finished from the register").format(
                count=outcome.recovered
            )
        )


@app.command(
    short_help=_("Consent, as the coordinating party, to every acceptable return (one PIN)."),
    help=_("""Sign the coordinating party's consent in every statement that `collect` found
acceptable and that has no consent yet: one key, one PIN, after checking the signer and
its chain of authority. The consent is timestamped (B-T or higher): its proven moment is
the date the accession takes effect. Every consented statement is verified.

Exit 0 when all were accepted, 3 when some failed (a consent that did not pass
verify included)."""),
)
def accept(
    round_folder: RoundOption,
    signer: SignerOption = None,
    pkcs12: Pkcs12Option = None,
    pkcs11_module: Pkcs11ModuleOption = None,
    token: TokenOption = None,
    key: KeyOption = None,
    secret_file: SecretFileOption = None,
    level: Annotated[
        LevelChoice | None,
        typer.Option("--level", metavar="LEVEL", help=_("PAdES level (B-T or higher).")),
    ] = None,
    tsa: TsaOption = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=_("Only list what would be accepted; sign nothing.")),
    ] = False,
    jobs: JobsOption = 0,
    config: ConfigOption = None,
) -> None:
    def action() -> AcceptOutcome:
        from ..round.accept import accept
        from ..round.parallel import RoundInterrupted

        choice = key_choice(
            signer, pkcs12, (pkcs11_module, token, key, None, None), secret_file, level, tsa
        )
        settings = _settings(config, round_folder)
        with progress_bar() as progress:
            try:
                return accept(
                    settings,
                    round_folder,
                    choice,
                    prompt=hidden_prompt,
                    dry_run=dry_run,
                    jobs=jobs,
                    progress=progress,
                )
            except RoundInterrupted as stop:
                halted: AcceptOutcome = stop.outcome
                return halted

    outcome = call(action)
    _show_accepted(outcome)
    _show_interrupted(outcome.interrupted)
    if outcome.interrupted is not None:
        raise typer.Exit(128 + outcome.interrupted)
    if outcome.failures:
        raise typer.Exit(3)


def _show_accepted(outcome: AcceptOutcome) -> None:
    out = stdout()
    if outcome.dry_run or not outcome.candidates:
        if not outcome.candidates:
            out.print(_("nothing to accept: no acceptable return without a consent"))
            return
        out.print(
            ngettext(
                "would accept {count} statement (nothing was signed):",
                "would accept {count} statements (nothing was signed):",
                len(outcome.candidates),
            ).format(count=len(outcome.candidates))
        )
        for job in outcome.candidates:
            out.print(f"  {job.party.code}  {escape(job.party.name)}  ← {escape(job.source.name)}")
        return
    for code, effective in sorted(outcome.accepted.items()):
        out.print(
            f"[green]✓[/] {code}: "
            + _("accepted; the accession took effect on {date}").format(date=effective or "?")
        )
    for code, message in sorted(outcome.failures.items()):
        stderr().print(f"[red]✗[/] {code}: {escape(message)}")
    out.print(
        _("{signed} consent(s) signed, {accepted} verified and accepted ({seconds} s)").format(
            signed=outcome.signed,
            accepted=len(outcome.accepted),
            seconds=number(outcome.seconds, 1),
        )
    )


@app.command(
    short_help=_("Where every party of a round stands (table, JSON, CSV or an HTML page)."),
    help=_("""Show every party of a round: prepared, returned, rejected (with the reason),
overdue, accepted (with the date the accession took effect), a consent that failed, or not
confirmed by the register. Read from the round's small state files, each checked against
the workspace's register, so it is instant and can be asked at any time."""),
)
def status(
    round_folder: RoundOption,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", metavar="FILE.csv", help=_("Also write the table as CSV.")),
    ] = None,
    html_file: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE.html",
            help=_("Also write one self-contained, accessible HTML page to open or mail."),
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="YYYY-MM-DD", help=_("Status on this date (default: today).")),
    ] = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    as_of = _date(on, "--on")

    def action() -> RoundStatus:
        from ..fileio import write_atomically
        from ..outputs import CSV, HTML, guard_output
        from ..round.status import round_status
        from ..round.status_page import status_page

        settings = _settings(config, round_folder)
        for file, kind, option in ((csv_file, CSV, "--csv"), (html_file, HTML, "--html")):
            if file is not None:
                guard_output(file, kind, settings, overwrite=overwrite, option=option)
        found = round_status(round_folder, as_of, settings.register)
        if csv_file is not None:
            write_atomically(csv_file, found.to_csv().encode("utf-8-sig"))
        if html_file is not None:
            write_atomically(html_file, status_page(found).encode("utf-8"))
        return found

    found = call(action)
    if as_json:
        import json
        import sys

        sys.stdout.write(json.dumps(found.to_json(), indent=1, ensure_ascii=False) + "\n")
    else:
        _show_status(found)
    for file in (csv_file, html_file):
        if file is not None:
            stderr().print("[green]✓[/] " + _("wrote {file}").format(file=escape(str(file))))


def _show_status(found: RoundStatus) -> None:
    from rich.table import Table

    from ..round.status import STATE_WORDS, PartyState

    colours = {
        PartyState.ACCEPTED: "green",
        PartyState.RETURNED: "cyan",
        PartyState.REJECTED: "red",
        PartyState.FAILED: "red",
        PartyState.OVERDUE: "yellow",
        PartyState.PREPARED: "default",
        PartyState.UNCONFIRMED: "red",
    }
    table = Table(
        _("party"),
        _("CBS code"),
        _("state"),
        _("effective date"),
        _("renew by"),
        _("returns"),
        _("reasons"),
    )
    for party in found.parties:
        colour = colours[party.state]
        table.add_row(
            escape(party.name),
            party.code,
            f"[{colour}]{_(STATE_WORDS[party.state])}[/]",
            party.effective_date or "",
            (party.renewal_due or "")[:10],
            str(party.returns),
            escape("; ".join(party.reasons)),
        )
    out = stdout()
    out.print(
        _("round {round}: {covenant}, status on {date}").format(
            round=escape(found.round_id),
            covenant=escape(found.covenant_title or found.covenant),
            date=found.as_of.isoformat(),
        )
    )
    out.print(table)
    if found.note:
        stderr().print("[yellow]![/] " + escape(found.note))
    out.print(
        ", ".join(
            f"{count} {_(STATE_WORDS[state])}" for state, count in found.counts.items() if count
        )
    )


@app.command(
    short_help=_("Write the Staatscourant notice of the accessions (PDF/A and text)."),
    help=_("""Write the notice of accession (mededeling van toetreding) for the parties whose
accession took effect in the period: as PDF/A and, beside it, as plain text (.txt) for the
publisher. Made from the round's data, with each party's effective date."""),
)
def notice(
    round_folder: RoundOption,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE.pdf", help=_("The notice (PDF/A) to write.")),
    ],
    since: Annotated[
        str | None,
        typer.Option("--from", metavar="YYYY-MM-DD", help=_("First effective date to include.")),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="YYYY-MM-DD", help=_("Last effective date to include.")),
    ] = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    first, last = _date(since, "--from"), _date(until, "--until")

    def action() -> Any:
        from ..outputs import PDF, TEXT, guard_output
        from ..round.notice import write_notice

        settings = _settings(config, round_folder)
        guard_output(output, PDF, settings, overwrite=overwrite)
        guard_output(output.with_suffix(".txt"), TEXT, settings, overwrite=overwrite)
        return write_notice(settings, round_folder, output, since=first, until=last)

    written = call(action)
    for accession in written.accessions:
        stdout().print(
            f"  {accession.code}  {escape(accession.designation)}  "
            + _("effective {date}").format(date=accession.effective.isoformat())
        )
    stdout().print(
        "[green]✓[/] "
        + _("wrote {pdf} and {text}").format(
            pdf=escape(str(written.pdf)), text=escape(str(written.text))
        )
    )
