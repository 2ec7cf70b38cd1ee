"""The `toetreding` command line: parse → one library call → present.

Each command imports the library parts it needs inside its body, so `toetreding --help`
does not load Typst, pyHanko or pydantic.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._version import __version__
from . import helpstyle  # noqa: F401  (Typer help: no Python types)
from .console import call, dutch_time, escape, hidden_prompt, stderr, stdout

if TYPE_CHECKING:
    from ..authority import LoadedChain
    from ..batch import BatchOutcome, BatchPlan
    from ..config import Settings
    from ..mandate import ChainVerdict
    from ..register import Entry, RegisterCheck
    from ..verify import VerificationReport
    from ..workflow import Recorded

app = typer.Typer(
    name="toetreding",
    help="Produce, sign, verify and archive toetredingsverklaringen (accession statements).",
    epilog="Exit codes: 0 ok, 1 input or user error, 2 usage, "
    "3 batch finished with failed items, 4 verification failed or not trusted.",
    no_args_is_help=True,
    add_completion=True,
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


class LevelChoice(StrEnum):
    b_b = "B-B"
    b_t = "B-T"
    b_lt = "B-LT"
    b_lta = "B-LTA"


class ExtendLevel(StrEnum):
    """The levels `extend` can reach (B-B is where every signature starts)."""

    b_t = "B-T"
    b_lt = "B-LT"
    b_lta = "B-LTA"


class FieldChoice(StrEnum):
    party = "ondertekening-partij"
    coordinator = "instemming-coordinator"


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="toetreding.yaml",
        help="Config file (default: $TOETREDING_CONFIG, else the nearest toetreding.yaml).",
        show_default=False,
    ),
]


OverwriteOption = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Replace the output file if it exists (an earlier output; workspace files such "
        "as the register, keys and configuration are never replaced).",
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


@app.command(short_help="YAML → archival PDF (PDF/A-2a + PDF/UA-1) with empty signature fields.")
def render(
    request: Annotated[
        Path, typer.Argument(metavar="verzoek.yaml", help="The statement request (verzoek.yaml).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE.pdf", help="PDF to write.")
    ],
    lang: Annotated[
        LanguageChoice | None,
        typer.Option("--lang", metavar="nl|en", help="Document language (nl or en)."),
    ] = None,
    preview: Annotated[
        Path | None,
        typer.Option("--preview", metavar="PAGE1.png", help="Also write a PNG of page 1."),
    ] = None,
    profile: Annotated[
        ProfileChoice | None,
        typer.Option(
            "--profile",
            metavar="pdfa-2a|pdfa-3a",
            help="pdfa-2a (PDF/A-2a + UA-1, default) or pdfa-3a.",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates", metavar="FOLDER", help="Folder with templates that override ours."
        ),
    ] = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    """Render a statement request to an archival PDF (PDF/A + PDF/UA) with empty signature fields."""

    def action() -> object:
        from ..config import load_settings
        from ..model import Language, OutputProfile
        from ..workflow import render_recorded

        settings = load_settings(config).with_overrides(
            profile=OutputProfile(profile.value) if profile else None,
            templates_dir=templates,
        )
        if templates is not None:
            from ..config import check_templates_dir

            check_templates_dir(templates)
        return render_recorded(
            request,
            output,
            settings,
            language=Language(lang.value) if lang else None,
            preview=preview,
            overwrite=overwrite,
        )

    recorded = call(action)
    from ..render import RenderOutcome
    from ..workflow import Recorded

    assert isinstance(recorded, Recorded) and isinstance(recorded.outcome, RenderOutcome)
    outcome = recorded.outcome
    stdout().print(
        f"[green]✓[/] wrote {escape(str(outcome.output))} "
        f"({outcome.size:,} bytes, {outcome.language}, {outcome.profile}; "
        f"signature fields: {', '.join(outcome.fields) or 'none — not for signing'})"
    )
    if outcome.preview:
        stdout().print(f"[green]✓[/] preview {escape(str(outcome.preview))}")
    stdout().print(f"sha256 {outcome.sha256}  {escape(str(outcome.output))}")
    _report_register(recorded)


@app.command(short_help="Write JSON Schemas for editor completion of the YAML files.")
def schema(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help="Folder to write the JSON Schemas into.")
    ] = Path("schemas"),
) -> None:
    """Write JSON Schemas for the YAML files (for editor completion and checking)."""

    def action() -> list[Path]:
        from ..schema import write_schemas

        return write_schemas(folder)

    for path in call(action):
        stdout().print(f"[green]✓[/] {escape(str(path))}")


@app.command(
    short_help="Build a demo workspace offline: render, sign B-LTA, consent, renew, verify."
)
def demo(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="FOLDER",
            help="New or empty folder for the workspace (default: ./toetreding-demo, or the "
            "next free toetreding-demo-N).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build a complete demo workspace, offline: render, sign at B-LTA, consent, renew, verify.

    Copies the worked example (gemeente Huizen joining a covenant), renders the statement
    (PDF/A-2a + PDF/UA-1), makes a throwaway PKI with its own timestamp authority and
    revocation list, signs as the burgemeester at PAdES B-LTA, adds the coordinating party's
    consent, renews the archive timestamp (`extend`) and verifies the result. Everything
    in it is labelled DEMO and is NOT FOR PRODUCTION. An existing demo is never replaced.
    """

    def action() -> object:
        from ..demo import create_demo, free_demo_folder

        return create_demo(folder if folder is not None else free_demo_folder())

    outcome = call(action)
    from ..demo import DemoOutcome

    assert isinstance(outcome, DemoOutcome)
    stdout().print(
        f"[bold]Demo workspace[/] {escape(str(outcome.workspace))}  [yellow](demo data — not for production)[/]"
    )
    stdout().print(
        f"[green]✓[/] rendered {escape(str(outcome.rendered.output))} ({outcome.rendered.profile})"
    )
    stdout().print(
        f"[green]✓[/] demo PKI in {escape(str(outcome.pki.root.parent))} — root "
        "[yellow]'DEMO — niet voor productie'[/], passphrase in "
        f"{escape(str(outcome.pki.passphrase_file))}"
    )
    for label, signed in (("signed", outcome.signed), ("accepted", outcome.accepted)):
        info = signed.signed
        stdout().print(
            f"[green]✓[/] {label} {escape(str(signed.output))}: {info.slot.value}, PAdES "
            f"{info.level.value}, {escape(info.signer.common_name)} ({escape(info.claimed_role)})"
        )
    renewed = outcome.renewed
    stdout().print(
        f"[green]✓[/] renewed {escape(str(renewed.output))}: fresh validation data and a new "
        "archive timestamp (B-LTA renewal, as `toetreding extend` does for the archive)"
    )
    stdout().print(f"sha256 {renewed.sha256}  {escape(str(renewed.output))}")
    if outcome.register is not None:
        stdout().print(f"[green]✓[/] recorded in the register {escape(str(outcome.register))}")
    from .present import show_report

    stdout().print("[bold]Verification of the renewed statement[/] (toetreding verify):")
    show_report(outcome.verification)
    stdout().print(
        f"Next: [bold]cd {escape(str(outcome.workspace))}[/], then [bold]toetreding render "
        "verzoek.yaml -o mijn-verklaring.pdf[/] and [bold]toetreding sign mijn-verklaring.pdf "
        "-o ondertekend.pdf[/] (uses the demo profile); README lists more"
    )


def dutch_date(moment: dt.datetime) -> dt.date:
    """The calendar date in the Netherlands at ``moment`` (chains are checked by date)."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Amsterdam")).date()


def parse_moment(value: str) -> dt.datetime:
    """The one syntax of every --at: a date (YYYY-MM-DD, taken at 12:00 in the Netherlands)
    or an ISO time (without a zone it is Dutch time). A bad value is a usage error (exit 2)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a date or time; write YYYY-MM-DD (e.g. 2026-12-01) or an ISO "
            "time such as 2026-12-01T14:30+01:00"
        ) from None
    if moment.tzinfo is None:
        if len(value.strip()) <= 10:  # a date alone: midday, away from both midnights
            moment = moment.replace(hour=12)
        moment = moment.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    return moment


AtOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--at",
        parser=parse_moment,
        metavar="DATE|TIME",
        help="The moment: YYYY-MM-DD (midday, Dutch time) or an ISO time; default: now.",
    ),
]
TrustOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--trust",
        metavar="ROOT.pem",
        help="Root certificate (PEM/DER) to trust; repeat for more. Default: the config's "
        "vertrouwensankers.",
        show_default=False,
    ),
]
CrlOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--crl",
        metavar="CA.crl",
        help="Certificate revocation list (PEM/DER) to use next to OCSP/CRL online; repeat for "
        "more. Default: the config's intrekkingslijsten.",
        show_default=False,
    ),
]
TsaOption = Annotated[
    str | None,
    typer.Option(
        "--tsa",
        metavar="URL",
        help="Timestamp authority URL (default: config or $TOETREDING_TSA).",
        show_default=False,
    ),
]


@app.command(
    short_help="Sign a statement (PAdES) with a .p12 file or a smartcard, after checking authority."
)
def sign(
    source: Annotated[
        Path,
        typer.Argument(metavar="STATEMENT.pdf", help="The statement PDF to sign (never changed)."),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE.pdf", help="Signed PDF to write.")
    ],
    field: Annotated[
        FieldChoice | None,
        typer.Option(
            "--field",
            metavar="FIELD",
            help="Field to sign (default: the next free one; party first).",
        ),
    ] = None,
    signer: Annotated[
        str | None,
        typer.Option("--signer", metavar="PROFILE", help="Signer profile from toetreding.yaml."),
    ] = None,
    pkcs12: Annotated[
        Path | None,
        typer.Option(
            "--pkcs12", metavar="KEY.p12", help="PKCS#12 file (.p12/.pfx) with key and certificate."
        ),
    ] = None,
    pkcs11_module: Annotated[
        Path | None,
        typer.Option(
            "--pkcs11-module", metavar="LIBRARY.so", help="PKCS#11 library of the smartcard/HSM."
        ),
    ] = None,
    token: Annotated[
        str | None, typer.Option("--token", metavar="LABEL", help="PKCS#11 token label.")
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", metavar="LABEL", help="PKCS#11 key label.")
    ] = None,
    key_id: Annotated[
        str | None, typer.Option("--key-id", metavar="HEX", help="PKCS#11 key id (hex).")
    ] = None,
    cert: Annotated[
        str | None,
        typer.Option(
            "--cert", metavar="LABEL", help="PKCS#11 certificate label (default: the key's)."
        ),
    ] = None,
    secret_file: Annotated[
        Path | None,
        typer.Option(
            "--secret-file",
            metavar="FILE",
            help="File whose first line is the PIN or passphrase. Otherwise $TOETREDING_PIN / "
            "$TOETREDING_PASSPHRASE, else a hidden prompt. Never give a secret as a value.",
        ),
    ] = None,
    level: Annotated[
        LevelChoice | None,
        typer.Option(
            "--level",
            metavar="LEVEL",
            help="PAdES level (default: config; B-LTA for records kept long).",
        ),
    ] = None,
    tsa: TsaOption = None,
    trust: TrustOption = None,
    crl: CrlOption = None,
    invisible: Annotated[
        bool, typer.Option("--invisible", help="Sign without a visible appearance.")
    ] = False,
    function: Annotated[
        str | None,
        typer.Option(
            "--function",
            metavar="FUNCTION",
            help="Signer's function, e.g. 'burgemeester van Huizen'.",
        ),
    ] = None,
    on_behalf_of: Annotated[
        str | None,
        typer.Option(
            "--on-behalf-of", metavar="WHOM", help="On whose behalf, e.g. 'de gemeente Huizen'."
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Name shown (default: the certificate's)."),
    ] = None,
    location: Annotated[
        str | None, typer.Option("--location", metavar="PLACE", help="Place of signing.")
    ] = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    """Sign a statement (PAdES, PKCS#12 or PKCS#11), in its next free signature field."""

    def action() -> object:
        from ..config import load_settings
        from ..sign import SignerChoice
        from ..signing_config import SignatureLevel, pkcs11_from_options
        from ..workflow import sign_recorded

        pkcs11 = None
        if pkcs11_module is not None:
            pkcs11 = pkcs11_from_options(pkcs11_module, token, key, key_id, cert)
        choice = SignerChoice(
            profile=signer,
            pkcs12=pkcs12,
            pkcs11=pkcs11,
            secret_file=secret_file,
            level=SignatureLevel(level.value) if level else None,
            tsa_url=tsa,
            trust_roots=tuple(trust or ()),
            crls=tuple(crl or ()),
            invisible=invisible,
            function=function,
            on_behalf_of=on_behalf_of,
            name=name,
            location=location,
        )
        return sign_recorded(
            load_settings(config),
            source,
            output,
            choice,
            field.value if field else None,
            prompt=hidden_prompt,
            overwrite=overwrite,
        )

    recorded = call(action)
    from ..sign import SignOutcome
    from ..workflow import Recorded

    assert isinstance(recorded, Recorded) and isinstance(recorded.outcome, SignOutcome)
    outcome = recorded.outcome
    signed = outcome.signed
    stdout().print(
        f"[green]✓[/] signed {escape(str(outcome.output))}: field {signed.slot.value}, "
        f"PAdES {signed.level.value}, by {escape(signed.signer.common_name)} "
        f"({escape(signed.claimed_role)}) at {dutch_time(signed.signing_time)}"
    )
    if signed.chain_digest:
        stdout().print(
            f"[green]✓[/] chain of authority checked (sha256 {signed.chain_digest[:16]}…)"
        )
    stdout().print(f"sha256 {outcome.sha256}  {escape(str(outcome.output))}")
    _report_register(recorded)


@app.command(short_help="List smartcards/tokens and the key names a signer profile needs.")
def tokens(
    module: Annotated[
        Path | None,
        typer.Option(
            "--module",
            metavar="LIBRARY.so",
            help="PKCS#11 library (default: the one in the signer profile, else OpenSC or "
            "SoftHSM2 where Debian installs them).",
            show_default=False,
        ),
    ] = None,
    signer: Annotated[
        str | None,
        typer.Option("--signer", metavar="PROFILE", help="Use this signer profile's module."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    config: ConfigOption = None,
) -> None:
    """List smartcards and tokens, with the certificate and key names a signer profile needs.

    Reads only what a token shows without a PIN (certificates, public keys), so no PIN is
    asked and no attempt is spent.
    """

    def action() -> object:
        from ..sign.setup import configured_modules
        from ..sign.tokens import tokens_overview

        configured: tuple[Path, ...] = ()
        if module is None:
            from ..config import load_settings

            configured = configured_modules(load_settings(config), signer)
        return tokens_overview(module, configured)

    overview = call(action)
    from ..sign.tokens import TokenOverview
    from .tokens_view import show_tokens

    assert isinstance(overview, TokenOverview)
    show_tokens(overview, as_json=as_json)


@app.command(
    short_help="Raise a signed statement to B-T/B-LT/B-LTA, or renew its archive timestamp."
)
def extend(
    source: Annotated[
        Path, typer.Argument(metavar="SIGNED.pdf", help="A signed statement (never changed).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE.pdf", help="Extended PDF to write.")
    ],
    level: Annotated[
        ExtendLevel,
        typer.Option("--level", metavar="LEVEL", help="Level to reach: B-T, B-LT or B-LTA."),
    ] = ExtendLevel.b_lta,
    tsa: TsaOption = None,
    trust: TrustOption = None,
    crl: CrlOption = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    """Raise a signed statement to B-T/B-LT/B-LTA (archive renewal); earlier signatures stay valid."""

    def action() -> object:
        from ..config import load_settings
        from ..pki.files import load_crls, load_trust_roots
        from ..signing_config import SignatureLevel
        from ..workflow import extend_recorded

        settings = load_settings(config)
        roots = load_trust_roots(tuple(trust or ()) or settings.signing.trust_roots)
        return extend_recorded(
            settings,
            source,
            output,
            SignatureLevel(level.value),
            tsa_url=tsa or settings.signing.tsa,
            trust_roots=roots,
            crls=load_crls(tuple(crl or ()) or settings.signing.crls),
            overwrite=overwrite,
            named_files=(*(trust or ()), *(crl or ())),
        )

    recorded = call(action)
    from ..sign import ExtendOutcome
    from ..workflow import Recorded

    assert isinstance(recorded, Recorded) and isinstance(recorded.outcome, ExtendOutcome)
    outcome = recorded.outcome
    stdout().print(
        f"[green]✓[/] extended {escape(str(outcome.output))} to PAdES {outcome.level.value} "
        f"({outcome.signatures} signature(s)): {escape('; '.join(outcome.steps))}"
    )
    stdout().print(f"sha256 {outcome.sha256}  {escape(str(outcome.output))}")
    _report_register(recorded)


def _report_register(recorded: Recorded) -> None:
    for warning in recorded.warnings:
        stderr().print(f"[yellow]warning:[/] {escape(warning)}")
    if recorded.register is not None and recorded.entries:
        numbers = ", ".join(str(n) for n in recorded.entries)
        stdout().print(f"recorded in {escape(str(recorded.register))} (entry {numbers})")


@app.command(
    short_help="Verify signatures, document and chain of authority (exit 0 only when all pass)."
)
def verify(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE.pdf", help="Signed statements to verify.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    trust: TrustOption = None,
    crl: CrlOption = None,
    at: AtOption = None,
    level: Annotated[
        LevelChoice | None,
        typer.Option(
            "--level",
            metavar="LEVEL",
            help="Require at least this PAdES level for every signature.",
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only validation data in the documents.")
    ] = False,
    record: Annotated[
        bool, typer.Option("--record", help="Write a validation entry to the register (art. 24c).")
    ] = False,
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="Responsible official, for --record.")
    ] = None,
    covenant: Annotated[
        list[Path] | None,
        typer.Option(
            "--covenant",
            metavar="convenant.yaml",
            help="The covenant as published (convenant.yaml), whose coordinating party's "
            "chain a consent must match; repeatable (default: 'verificatie.convenanten').",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Verify signatures, document and chain of authority. Exit 0 only when all pass, 4 when not."""
    if record and not by:
        raise typer.BadParameter(
            "--record needs --by NAME (the responsible official)", param_hint="--by"
        )
    if by and not record:
        raise typer.BadParameter(
            "--by names the official responsible for a recorded validation; add --record "
            "(or leave --by out)",
            param_hint="--by",
        )

    def action() -> tuple[list[VerificationReport], Path | None]:
        from ..config import load_settings
        from ..signing_config import SignatureLevel
        from ..verify import options_from_settings
        from ..workflow import verify_recorded

        settings = load_settings(config)
        options = options_from_settings(
            settings,
            tuple(trust or ()),
            tuple(crl or ()),
            at=at,
            offline=offline,
            required_level=SignatureLevel(level.value) if level else None,
            covenant_files=tuple(covenant or ()),
        )
        return verify_recorded(settings, files, options, record_by=by if record else None)

    reports, register = call(action)
    if as_json:
        import json
        import sys

        payload = [r.to_dict() for r in reports]
        sys.stdout.write(
            json.dumps(payload if len(payload) > 1 else payload[0], indent=2, ensure_ascii=False)
            + "\n"
        )
    else:
        from .present import show_report

        for report in reports:
            show_report(report)
        if register is not None:
            stdout().print(f"recorded {len(reports)} validation(s) in {escape(str(register))}")
    if any(not r.readable for r in reports):
        raise typer.Exit(1)
    if not all(r.passed for r in reports):
        raise typer.Exit(4)


@app.command(short_help="Render, sign and verify statements for many parties at once.")
def batch(
    batch_file: Annotated[
        Path, typer.Argument(metavar="BATCH.yaml", help="The batch file (YAML).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FOLDER", help="Folder for all outputs.")
    ],
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", metavar="N", min=0, help="Worker processes (0: one per CPU)."),
    ] = 0,
    sign_profile: Annotated[
        str | None,
        typer.Option(
            "--sign", metavar="PROFILE", help="Sign every statement with this signer profile."
        ),
    ] = None,
    level: Annotated[
        LevelChoice | None, typer.Option("--level", metavar="LEVEL", help="PAdES level for --sign.")
    ] = None,
    tsa: TsaOption = None,
    trust: TrustOption = None,
    only: Annotated[
        str | None,
        typer.Option("--only", metavar="GM0406,…", help="Only these parties, e.g. GM0406,GM0376."),
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Go on without the invalid rows (listed first).")
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Do not verify after signing.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Render (and sign, and verify) statements for many parties at once; resumable.

    Exit 0 when every party is done, 3 when some failed (the others are still done),
    130 after Ctrl-C and 143 after SIGTERM (what was done is kept; run again to go on).
    """

    def plan_action() -> tuple[Settings, BatchPlan]:
        from ..batch import load_batch
        from ..config import load_settings

        wanted = {c.strip().upper() for c in only.split(",")} if only else None
        # absolute: each statement names its batch file, and a rerun from another folder
        # must see the same inputs (else it redoes everything)
        return load_settings(config), load_batch(batch_file.resolve(), wanted)

    settings, plan = call(plan_action)
    if plan.problems:
        console = stderr()
        console.print(f"[bold red]{len(plan.problems)} invalid row(s):[/]")
        for problem in plan.problems:
            console.print(f"  {escape(str(problem))}")
        if not skip_invalid:
            console.print(
                "  [yellow]→[/] fix them, or run again with --skip-invalid to go on without them"
            )
            raise typer.Exit(1)

    def run_action() -> BatchOutcome:
        from ..batch import BatchOptions, run_batch
        from ..sign import SignerChoice
        from ..signing_config import SignatureLevel

        choice = None
        if sign_profile is not None:
            choice = SignerChoice(
                profile=sign_profile,
                level=SignatureLevel(level.value) if level else None,
                tsa_url=tsa,
                trust_roots=tuple(trust or ()),
            )
        options = BatchOptions(
            output=output,
            jobs=jobs,
            sign=choice,
            verify=not no_verify,
            trust_roots=tuple(trust or ()),
        )
        from ..batch import BatchInterrupted

        with _batch_progress() as progress:
            try:
                return run_batch(settings, plan, options, progress=progress, prompt=hidden_prompt)
            except BatchInterrupted as stop:
                return stop.outcome

    outcome = call(run_action)
    _batch_summary(outcome)
    if outcome.interrupted is not None:
        raise typer.Exit(128 + outcome.interrupted)  # the shell's convention: 130, 143
    if outcome.failures:
        raise typer.Exit(3)


def _batch_progress() -> Any:
    """A progress callback: a rich bar with rate and ETA on a terminal, plain lines otherwise."""
    import contextlib
    import sys

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Items per second."""

        def render(self, task: Any) -> Text:
            return Text(f"{task.speed:5.1f}/s" if task.speed else "    –/s")

    labels = {"render": "opmaken", "sign": "ondertekenen", "verify": "verifiëren"}

    @contextlib.contextmanager
    def bar() -> Any:
        if not sys.stderr.isatty():
            last: dict[str, int] = {}

            def plain(stage: str, done: int, total: int) -> None:
                step = max(1, total // 10)
                if done == total or done - last.get(stage, -step) >= step:
                    last[stage] = done
                    stderr().print(f"{labels[stage]}: {done}/{total}")

            yield plain
            return
        columns = (
            TextColumn("{task.description:>13}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "{task.speed:>5.1f}/s" if False else "[progress.percentage]{task.percentage:>3.0f}%"
            ),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=stderr(), transient=False) as progress:
            tasks: dict[str, Any] = {}

            def update(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(labels[stage], total=max(total, 1))
                progress.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

            yield update

    return bar()


def _batch_summary(outcome: BatchOutcome) -> None:
    from rich.table import Table

    # "recovered" (outputs of an interrupted run recorded after the fact) only when there
    # are any: eight columns do not fit a plain 80-column log
    recovered = ["recovered"] if outcome.recovered else []
    table = Table(
        "parties", "rendered", "signed", "verified", "unchanged", *recovered, "failed", "seconds"
    )
    table.add_row(
        str(outcome.total),
        str(outcome.rendered),
        str(outcome.signed),
        str(outcome.verified),
        str(outcome.skipped),
        *([str(outcome.recovered)] if outcome.recovered else []),
        f"[red]{len(outcome.failures)}[/]" if outcome.failures else "0",
        f"{outcome.seconds:.1f}",
    )
    stdout().print(table)
    for code, message in sorted(outcome.failures.items())[:20]:
        stderr().print(f"[red]✗[/] {code}: {escape(message)}")
    if len(outcome.failures) > 20:
        stderr().print(f"… and {len(outcome.failures) - 20} more (see the summary CSV)")
    stdout().print(f"manifest {escape(str(outcome.manifest))}")
    stdout().print(f"summary  {escape(str(outcome.summary))}")
    if outcome.interrupted is not None:
        import signal

        number = signal.Signals(outcome.interrupted)
        cause = "Ctrl-C" if number is signal.SIGINT else number.name
        counts = (
            f"{outcome.rendered} rendered, {outcome.signed} signed, {outcome.verified} verified"
        )
        if outcome.recovered:
            counts += f" ({outcome.recovered} recovered)"
        stderr().print(
            f"[red]interrupted[/] ({cause}); written and recorded before stopping: {counts}; "
            f"manifest {escape(str(outcome.manifest))} and summary "
            f"{escape(str(outcome.summary))} are up to date\n"
            "  [yellow]→[/] run the same command again to go on; what is done is skipped"
        )


mandate_app = typer.Typer(
    help="Check and show chains of authority (who may sign for whom).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(mandate_app, name="mandate")

ChainFile = Annotated[
    Path,
    typer.Argument(
        metavar="bevoegdheid.yaml|STATEMENT.pdf",
        help="bevoegdheid.yaml, or a statement PDF (reads the chain it carries).",
    ),
]


@mandate_app.command("check", short_help="Check that a chain of authority authorises the signer.")
def mandate_check(
    file: ChainFile,
    at: AtOption = None,
    signer: Annotated[
        Path | None,
        typer.Option(
            "--signer",
            metavar="CERT.pem",
            help="Certificate (PEM/DER) that must match the last grantee.",
        ),
    ] = None,
    request: Annotated[
        Path | None,
        typer.Option(
            "--for",
            metavar="verzoek.yaml",
            help="Statement request (verzoek.yaml): covenant, party, decision.",
        ),
    ] = None,
    consent: Annotated[
        bool,
        typer.Option(
            "--consent",
            help="Check the coordinating party's chain for its consent (from a statement PDF "
            "or the covenant named by --for) instead of the party's.",
        ),
    ] = False,
) -> None:
    """Check a chain of authority; exit 0 when it authorises, 1 with the reasons when not."""

    def action() -> tuple[LoadedChain, ChainVerdict]:
        from ..authority import check_authority

        return check_authority(
            file,
            at=dutch_date(at) if at else None,
            signer_certificate=signer,
            request=request,
            consent=consent,
        )

    chain, verdict = call(action)
    rules = ", ".join(verdict.checked)
    if verdict.authorised:
        stdout().print(
            f"[green]✓[/] the chain authorises {escape(verdict.signer)}"
            + (f" for {escape(chain.party_name)}" if chain.party_name else "")
            + (
                f" to consent for {escape(chain.coordinator)}"
                if consent and chain.coordinator
                else ""
            )
            + f" (rules: {rules})"
        )
        stdout().print(f"chain sha256 {verdict.chain_digest}")
        return
    stderr().print(f"[bold red]✗[/] the chain does not authorise {escape(verdict.signer)}:")
    for breach in verdict.breaches:
        stderr().print("  - " + escape(f"[{breach.rule}] {breach}"))
    raise typer.Exit(1)


@mandate_app.command("show", short_help="Show a chain of authority as a tree.")
def mandate_show(file: ChainFile) -> None:
    """Show a chain of authority as a tree, from the organ that decided to the signer."""

    def action() -> object:
        from ..authority import load_chain

        return load_chain(file)

    chain = call(action)
    from rich.tree import Tree

    from ..authority import LoadedChain

    assert isinstance(chain, LoadedChain)
    authority = chain.authority
    decisions = {d.id: d for d in authority.decisions}
    root = Tree(
        f"[bold]{escape(authority.chain[0].grantor or 'de wet (artikel 171, eerste lid, Gemeentewet)')}[/]"
    )
    node = root
    for link in authority.chain:
        label = (
            f"[cyan]{escape(link.kind.value)}[/] → [bold]{escape(link.grantee.function)}[/] "
            f"({escape(link.grantee.name)}) — {escape(link.effective_legal_basis)}"
        )
        node = node.add(label)
        decision = decisions.get(link.decision) if link.decision else None
        if decision is not None:
            node.add(
                f"besluit {escape(decision.organ)} {decision.date} ({escape(decision.reference)})"
            )
        period = f"geldig {link.valid_from or '…'} t/m {link.valid_until or '…'}"
        if link.revoked_on:
            period += f", [red]ingetrokken op {link.revoked_on}[/]"
        node.add(period)
        if link.scope:
            node.add(f"reikwijdte: {escape(', '.join(link.scope))}")
        if link.submandate_allowed:
            node.add("ondermandaat toegestaan")
        if link.grantee.certificate is not None:
            identity = link.grantee.certificate
            shown = ", ".join(f"{k}={v}" for k, v in identity.subject.items())
            if identity.serial_number:
                shown += f" serial={identity.serial_number}"
            node.add(f"certificaat: {escape(shown or 'fingerprint')}")
    stdout().print(root, soft_wrap=False)


register_app = typer.Typer(
    help="The workspace's hash-chained register of renders, signatures and validations.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(
    register_app,
    name="register",
    short_help="The hash-chained register: log, verify, repair, export.",
)


def _register_path(config: Path | None) -> Path:
    from ..config import load_settings
    from ..errors import ConfigError

    path = load_settings(config).register
    if path is None:
        raise ConfigError("the register is switched off ('register: null')")
    return path


@register_app.command("log", short_help="Show the newest register entries.")
def register_log(
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", help="Show the newest N entries.")
    ] = 20,
    config: ConfigOption = None,
) -> None:
    """Show the newest entries."""

    def action() -> list[Entry]:
        from ..register import Register

        with Register.open_readonly(_register_path(config)) as register:
            return list(register.entries())[-limit:]

    from rich.table import Table

    table = Table("#", "when", "kind", "what", "hash")
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


@register_app.command("verify", short_help="Check the register's hash chain and head.")
def register_verify(config: ConfigOption = None) -> None:
    """Check the hash chain; names any edited, deleted, inserted, moved or truncated entry."""

    def action() -> RegisterCheck:
        from ..register import Register

        with Register.open_readonly(_register_path(config)) as register:
            return register.verify()

    check = call(action)
    for repair in check.repairs:
        stderr().print(f"[yellow]note:[/] {escape(repair)}")
    if check.intact:
        stdout().print(
            f"[green]✓[/] register intact: {check.entries} entries, head {check.head_hash}"
        )
        return
    stderr().print(f"[bold red]✗[/] register damaged ({check.entries} entries):")
    for problem in check.problems:
        stderr().print(f"  - {escape(problem)}")
    raise typer.Exit(1)


@register_app.command("repair", short_help="Re-anchor a register after a known loss (recorded).")
def register_repair(
    reason: Annotated[
        str,
        typer.Option(
            "--reason", metavar="TEXT", help="Why the register is re-anchored (recorded)."
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="NAME", help="Who repairs it (recorded), e.g. a name and role."
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Re-anchor a register whose head file was lost or damaged; the repair is itself recorded.

    Use only after `register verify` and after looking for a backup of the head file: the
    repair entry keeps what verify found, so it is visible to every later check.
    """

    def action() -> Entry:
        from ..register import Register

        with Register(_register_path(config)) as register:
            return register.repair(reason, by)

    entry = call(action)
    stdout().print(
        f"[yellow]✓[/] register re-anchored at entry {entry.seq} ({entry.kind}); "
        f"head {entry.entry_hash}"
    )
    found = entry.payload.get("gevonden") or []
    for problem in found:
        stdout().print(f"  recorded as found: {escape(str(problem))}")


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@register_app.command("export", short_help="Export every entry as JSON lines or CSV.")
def register_export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", metavar="jsonl|csv", help="jsonl or csv.")
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write, .jsonl or .csv (default: stdout).",
        ),
    ] = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    """Export every entry (for the archive or a spreadsheet)."""

    def action() -> str:
        from ..config import load_settings
        from ..errors import ConfigError
        from ..fileio import write_atomically
        from ..outputs import EXPORT, guard_output
        from ..register import Register

        settings = load_settings(config)
        if settings.register is None:
            raise ConfigError("the register is switched off ('register: null')")
        if output is not None:
            guard_output(output, EXPORT, settings, overwrite=overwrite)
        with Register.open_readonly(settings.register) as register:
            text = register.export(fmt.value)
        if output is not None:
            write_atomically(output, text.encode("utf-8"))
        return text

    text = call(action)
    if output is None:
        import sys

        sys.stdout.write(text)


def run() -> None:
    """Entry point with the exit-code contract (usage errors → 2, handled by Typer)."""
    try:
        app()
    except KeyboardInterrupt:
        stderr().print("[red]interrupted[/]")
        raise SystemExit(130) from None
