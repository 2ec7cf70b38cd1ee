"""The `toetreding` command line: parse → one library call → present.

Each command imports the library parts it needs inside its body, so `toetreding --help`
does not load Typst, pyHanko or pydantic.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .._version import __version__
from .console import call, escape, stderr, stdout

app = typer.Typer(
    name="toetreding",
    help="Produce, sign, verify and archive toetredingsverklaringen (accession statements).",
    epilog="Exit codes: 0 ok, 1 input or user error, 2 usage, "
    "3 batch finished with failed items, 4 verification failed or not trusted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


# The choices mirror model.Language and model.OutputProfile; they are repeated here so that
# `toetreding --help` does not import pydantic (tests check the values stay in step).
class LanguageChoice(StrEnum):
    nl = "nl"
    en = "en"


class ProfileChoice(StrEnum):
    pdfa_2a = "pdfa-2a"
    pdfa_3a = "pdfa-3a"


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file (default: $TOETREDING_CONFIG, else the nearest toetreding.yaml).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        stdout().print(f"toetreding {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Produce, sign, verify and archive toetredingsverklaringen.

    Exit codes: 0 ok · 1 input or user error · 2 usage · 3 batch finished with failed
    items · 4 verification failed or not trusted.
    """


@app.command()
def render(
    request: Annotated[Path, typer.Argument(help="The statement request (verzoek.yaml).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PDF to write.")],
    lang: Annotated[
        LanguageChoice | None, typer.Option("--lang", help="Document language (nl or en).")
    ] = None,
    preview: Annotated[
        Path | None, typer.Option("--preview", help="Also write a PNG of page 1.")
    ] = None,
    profile: Annotated[
        ProfileChoice | None,
        typer.Option("--profile", help="pdfa-2a (PDF/A-2a + UA-1, default) or pdfa-3a."),
    ] = None,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Folder with templates that override ours.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Render a statement request to an archival PDF (PDF/A + PDF/UA) with empty signature fields."""

    def action() -> object:
        from ..config import load_settings
        from ..model import Language, OutputProfile
        from ..render import render_statement

        settings = load_settings(config).with_overrides(
            profile=OutputProfile(profile.value) if profile else None,
            templates_dir=templates,
        )
        if templates is not None:
            from ..config import check_templates_dir

            check_templates_dir(templates)
        return render_statement(
            request,
            output,
            settings,
            language=Language(lang.value) if lang else None,
            preview=preview,
        )

    outcome = call(action)
    from ..render import RenderOutcome

    assert isinstance(outcome, RenderOutcome)
    stdout().print(
        f"[green]✓[/] wrote {escape(str(outcome.output))} "
        f"({outcome.size:,} bytes, {outcome.language}, {outcome.profile}; "
        f"signature fields: {', '.join(outcome.fields) or 'none'})"
    )
    if outcome.preview:
        stdout().print(f"[green]✓[/] preview {escape(str(outcome.preview))}")
    stdout().print(f"sha256 {outcome.sha256}  {escape(str(outcome.output))}")


@app.command()
def schema(
    folder: Annotated[Path, typer.Argument(help="Folder to write the JSON Schemas into.")] = Path(
        "schemas"
    ),
) -> None:
    """Write JSON Schemas for the YAML files (for editor completion and checking)."""

    def action() -> list[Path]:
        from ..schema import write_schemas

        return write_schemas(folder)

    for path in call(action):
        stdout().print(f"[green]✓[/] {escape(str(path))}")


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(help="Folder for the demo workspace.")] = Path(
        "toetreding-demo"
    ),
) -> None:
    """Create a demo workspace (gemeente Huizen) and render its statement. Not for production."""

    def action() -> object:
        from ..demo import create_demo

        return create_demo(folder)

    outcome = call(action)
    from ..demo import DemoOutcome

    assert isinstance(outcome, DemoOutcome)
    stdout().print(
        f"[bold]Demo workspace[/] {escape(str(outcome.workspace))}  [yellow](demo data — not for production)[/]"
    )
    stdout().print(
        f"[green]✓[/] rendered {escape(str(outcome.rendered.output))} ({outcome.rendered.profile})"
    )
    stdout().print(f"sha256 {outcome.rendered.sha256}  {escape(str(outcome.rendered.output))}")
    stdout().print(
        "Next: edit the YAML files there and run "
        f"[bold]toetreding render verzoek.yaml -o verklaring.pdf[/] inside {escape(str(outcome.workspace))}"
    )


def run() -> None:
    """Entry point with the exit-code contract (usage errors → 2, handled by Typer)."""
    try:
        app()
    except KeyboardInterrupt:
        stderr().print("[red]interrupted[/]")
        raise SystemExit(130) from None
