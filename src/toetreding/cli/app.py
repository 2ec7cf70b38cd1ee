"""The `toetreding` command line: parse → one library call → present.

Each command imports the library parts it needs inside its body, so `toetreding --help`
does not load Typst, pyHanko or pydantic.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._version import __version__
from ..i18n import _, ngettext, number
from . import helpstyle, usage_language  # noqa: F401  (Typer help: no Python types; its words translated)
from .console import call, dutch_time, escape, hidden_prompt, stderr, stdout

if TYPE_CHECKING:
    from ..authority import LoadedChain
    from ..batch import BatchOutcome, BatchPlan
    from ..config import Settings
    from ..mandate import ChainVerdict
    from ..verify import VerificationReport
    from ..workflow import Recorded

app = typer.Typer(
    name="toetreding",
    help=_("Produce, sign, verify and archive toetredingsverklaringen (accession statements)."),
    epilog=_(
        "Exit codes: 0 ok, 1 input or user error, 2 usage, "
        "3 batch finished with failed items, 4 verification failed or not trusted."
    ),
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
        help=_("Config file (default: $TOETREDING_CONFIG, else the nearest toetreding.yaml)."),
        show_default=False,
    ),
]


OverwriteOption = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help=_(
            "Replace the output file if it exists (an earlier output; workspace files such "
            "as the register, keys and configuration are never replaced)."
        ),
    ),
]


def _version(value: bool) -> None:
    if value:
        stdout().print(f"toetreding {__version__}")
        raise typer.Exit()


@app.callback(
    help=_("Produce, sign, verify and archive toetredingsverklaringen (accession statements).")
)
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version.")),
    ] = False,
) -> None:
    """The options before the command (the help text is in the decorator, translated)."""


@app.command(
    short_help=_("YAML → archival PDF (PDF/A-2a + PDF/UA-1) with empty signature fields."),
    help=_(
        "Render a statement request to an archival PDF (PDF/A + PDF/UA) with empty signature fields."
    ),
)
def render(
    request: Annotated[
        Path,
        typer.Argument(metavar="verzoek.yaml", help=_("The statement request (verzoek.yaml).")),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE.pdf", help=_("PDF to write."))
    ],
    lang: Annotated[
        LanguageChoice | None,
        typer.Option("--lang", metavar="nl|en", help=_("Document language (nl or en).")),
    ] = None,
    preview: Annotated[
        Path | None,
        typer.Option("--preview", metavar="PAGE1.png", help=_("Also write a PNG of page 1.")),
    ] = None,
    profile: Annotated[
        ProfileChoice | None,
        typer.Option(
            "--profile",
            metavar="pdfa-2a|pdfa-3a",
            help=_("pdfa-2a (PDF/A-2a + UA-1, default) or pdfa-3a."),
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates", metavar="FOLDER", help=_("Folder with templates that override ours.")
        ),
    ] = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
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
    fields = ", ".join(outcome.fields) or _("none — not for signing")
    stdout().print(
        "[green]✓[/] "
        + _(
            "wrote {file} ({size} bytes, {language}, {profile}; signature fields: {fields})"
        ).format(
            file=escape(str(outcome.output)),
            size=number(outcome.size),
            language=outcome.language,
            profile=outcome.profile,
            fields=escape(fields),
        )
    )
    if outcome.preview:
        stdout().print(
            "[green]✓[/] " + _("preview {file}").format(file=escape(str(outcome.preview)))
        )
    stdout().print(f"sha256 {outcome.sha256}  {escape(str(outcome.output))}")
    _report_register(recorded)


@app.command(
    short_help=_("Write JSON Schemas for editor completion of the YAML files."),
    help=_("Write JSON Schemas for the YAML files (for editor completion and checking)."),
)
def schema(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help=_("Folder to write the JSON Schemas into."))
    ] = Path("schemas"),
) -> None:
    def action() -> list[Path]:
        from ..schema import write_schemas

        return write_schemas(folder)

    for path in call(action):
        stdout().print(f"[green]✓[/] {escape(str(path))}")


@app.command(
    short_help=_(
        "Build a demo workspace offline: render, sign B-LTA, consent, renew, verify, a round."
    ),
    help=_("""Build a complete demo workspace, offline: render, sign at B-LTA, consent, renew, verify.

Copies the worked example (gemeente Huizen joining a covenant), renders the statement
(PDF/A-2a + PDF/UA-1), makes a throwaway PKI with its own timestamp authority and
revocation list, signs as the burgemeester at PAdES B-LTA, adds the coordinating party's
consent, renews the archive timestamp (`extend`) and verifies the result. Then it runs a
coordinator's round of five municipalities: prepare, signed returns (two of them wrong),
collect, accept, a status page and the Staatscourant notice. Everything in it is labelled
DEMO and is NOT FOR PRODUCTION. An existing demo is never replaced."""),
)
def demo(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="FOLDER",
            help=_(
                "New or empty folder for the workspace (default: ./toetreding-demo, or the "
                "next free toetreding-demo-N)."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    def action() -> object:
        from ..demo import create_demo

        return create_demo(folder)

    outcome = call(action)
    from ..demo import DemoOutcome

    assert isinstance(outcome, DemoOutcome)
    console = stdout()
    console.print(
        "[bold]"
        + _("Demo workspace {folder}").format(folder=escape(str(outcome.workspace)))
        + "[/]  [yellow]"
        + _("(demo data — not for production)")
        + "[/]"
    )
    console.print(
        "[green]✓[/] "
        + _("rendered {file} ({profile})").format(
            file=escape(str(outcome.rendered.output)), profile=outcome.rendered.profile
        )
    )
    console.print(
        "[green]✓[/] "
        + _(
            "demo PKI in {folder} — root 'DEMO — niet voor productie', passphrase in {file}"
        ).format(
            folder=escape(str(outcome.pki.root.parent)),
            file=escape(str(outcome.pki.passphrase_file)),
        )
    )
    for label, signed in (
        (_("signed {file}: {field}, PAdES {level}, {signer} ({role})"), outcome.signed),
        (_("consented {file}: {field}, PAdES {level}, {signer} ({role})"), outcome.accepted),
    ):
        info = signed.signed
        console.print(
            "[green]✓[/] "
            + label.format(
                file=escape(str(signed.output)),
                field=info.slot.value,
                level=info.level.value,
                signer=escape(info.signer.common_name),
                role=escape(info.claimed_role),
            )
        )
    renewed = outcome.renewed
    console.print(
        "[green]✓[/] "
        + _(
            "renewed {file}: fresh validation data and a new archive timestamp (B-LTA "
            "renewal, as `toetreding extend` does for the archive)"
        ).format(file=escape(str(renewed.output)))
    )
    console.print(f"sha256 {renewed.sha256}  {escape(str(renewed.output))}")
    if outcome.register is not None:
        console.print(
            "[green]✓[/] "
            + _("recorded in the register {file}").format(file=escape(str(outcome.register)))
        )
    from .present import show_report

    console.print(_("Verification of the renewed statement (toetreding verify):"))
    show_report(outcome.verification)
    _show_demo_round(outcome)
    if outcome.archived is not None:
        console.print(
            "[green]✓[/] "
            + _(
                "archive package {folder}: the statement, MDTO metadata (checked against the "
                "XSD), the validation report (JSON and PDF/A) and a SHA-256 manifest"
            ).format(folder=escape(str(outcome.archived.folder)))
        )
    if outcome.seal is not None:
        console.print(
            "[green]✓[/] "
            + _("register sealed up to entry {entry} with a timestamp (demo TSA)").format(
                entry=outcome.seal.payload["verzegeld_volgnummer"]
            )
        )
    console.print(
        _(
            "Next: cd {folder}, then toetreding render verzoek.yaml -o mijn-verklaring.pdf and "
            "toetreding sign mijn-verklaring.pdf -o ondertekend.pdf (uses the demo profile); "
            "README lists more"
        ).format(folder=escape(str(outcome.workspace)))
    )


def _show_demo_round(outcome: Any) -> None:
    """What the demo's coordinator round did, with the files to look at."""
    found = outcome.round
    console = stdout()
    console.print(
        "[bold]"
        + _("A coordinator's round of five municipalities ({folder}):").format(
            folder=escape(str(found.folder))
        )
        + "[/]"
    )
    collected = found.collected
    console.print(
        "[green]✓[/] "
        + _(
            "collect {inbox}: {files} files, {acceptable} acceptable, {rejected} rejected, "
            "{duplicates} duplicate"
        ).format(
            inbox=escape(str(found.inbox)),
            files=collected.files,
            acceptable=len(collected.acceptable),
            rejected=len(collected.rejected),
            duplicates=collected.duplicates,
        )
    )
    for code, reasons in sorted(collected.rejected.items()):
        console.print(f"  [red]✗[/] {code}: {escape(reasons[0])}")
    console.print(
        "[green]✓[/] "
        + _("accept: the coordinating party consented to {count}, in effect on {dates}").format(
            count=len(found.accepted.accepted),
            dates=", ".join(sorted({d or "?" for d in found.accepted.accepted.values()})),
        )
    )
    console.print(
        "[green]✓[/] "
        + _("status page {page}; notice {pdf} and {text}").format(
            page=escape(str(found.status_page)),
            pdf=escape(str(found.notice.pdf)),
            text=escape(str(found.notice.text)),
        )
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
            _(
                "'{value}' is not a date or time; write YYYY-MM-DD (e.g. 2026-12-01) or an ISO "
                "time such as 2026-12-01T14:30+01:00"
            ).format(value=value)
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
        help=_("The moment: YYYY-MM-DD (midday, Dutch time) or an ISO time; default: now."),
    ),
]
OfflineOption = Annotated[
    bool, typer.Option("--offline", help=_("Use only validation data in the documents."))
]
TrustOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--trust",
        metavar="ROOT.pem",
        help=_(
            "Root certificate (PEM/DER) to trust; repeat for more. Default: the config's "
            "vertrouwensankers."
        ),
        show_default=False,
    ),
]
CrlOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--crl",
        metavar="CA.crl",
        help=_(
            "Certificate revocation list (PEM/DER) to use next to OCSP/CRL online; repeat for "
            "more. Default: the config's intrekkingslijsten."
        ),
        show_default=False,
    ),
]
TsaOption = Annotated[
    str | None,
    typer.Option(
        "--tsa",
        metavar="URL",
        help=_("Timestamp authority URL (default: config or $TOETREDING_TSA)."),
        show_default=False,
    ),
]

SignerOption = Annotated[
    str | None,
    typer.Option("--signer", metavar="PROFILE", help=_("Signer profile from toetreding.yaml.")),
]

Pkcs12Option = Annotated[
    Path | None,
    typer.Option(
        "--pkcs12",
        metavar="KEY.p12",
        help=_("PKCS#12 file (.p12/.pfx) with key and certificate."),
    ),
]

Pkcs11ModuleOption = Annotated[
    Path | None,
    typer.Option(
        "--pkcs11-module", metavar="LIBRARY.so", help=_("PKCS#11 library of the smartcard/HSM.")
    ),
]

TokenOption = Annotated[
    str | None, typer.Option("--token", metavar="LABEL", help=_("PKCS#11 token label."))
]

KeyOption = Annotated[
    str | None, typer.Option("--key", metavar="LABEL", help=_("PKCS#11 key label."))
]

SecretFileOption = Annotated[
    Path | None,
    typer.Option(
        "--secret-file",
        metavar="FILE",
        help=_(
            "File whose first line is the PIN or passphrase. Otherwise $TOETREDING_PIN / "
            "$TOETREDING_PASSPHRASE, else a hidden prompt. Never give a secret as a value."
        ),
    ),
]


def key_choice(
    profile: str | None,
    pkcs12: Path | None,
    pkcs11: tuple[Path | None, str | None, str | None, str | None, str | None],
    secret_file: Path | None,
    level: LevelChoice | None,
    tsa: str | None,
    **more: Any,
) -> Any:
    """A SignerChoice from the key options `sign` and `accept` share (pkcs11: module,
    token, key label, key id, certificate label); ``more`` are sign's own options."""
    from ..sign import SignerChoice
    from ..signing_config import SignatureLevel, pkcs11_from_options

    module, token, key, key_id, cert = pkcs11
    location = pkcs11_from_options(module, token, key, key_id, cert) if module else None
    return SignerChoice(
        profile=profile,
        pkcs12=pkcs12,
        pkcs11=location,
        secret_file=secret_file,
        level=SignatureLevel(level.value) if level else None,
        tsa_url=tsa,
        **more,
    )


@app.command(
    short_help=_(
        "Sign a statement (PAdES) with a .p12 file or a smartcard, after checking authority."
    ),
    help=_("Sign a statement (PAdES, PKCS#12 or PKCS#11), in its next free signature field."),
)
def sign(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="STATEMENT.pdf", help=_("The statement PDF to sign (never changed).")
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE.pdf", help=_("Signed PDF to write."))
    ],
    field: Annotated[
        FieldChoice | None,
        typer.Option(
            "--field",
            metavar="FIELD",
            help=_("Field to sign (default: the next free one; party first)."),
        ),
    ] = None,
    signer: SignerOption = None,
    pkcs12: Pkcs12Option = None,
    pkcs11_module: Pkcs11ModuleOption = None,
    token: TokenOption = None,
    key: KeyOption = None,
    key_id: Annotated[
        str | None, typer.Option("--key-id", metavar="HEX", help=_("PKCS#11 key id (hex)."))
    ] = None,
    cert: Annotated[
        str | None,
        typer.Option(
            "--cert", metavar="LABEL", help=_("PKCS#11 certificate label (default: the key's).")
        ),
    ] = None,
    secret_file: SecretFileOption = None,
    level: Annotated[
        LevelChoice | None,
        typer.Option(
            "--level",
            metavar="LEVEL",
            help=_("PAdES level (default: config; B-LTA for records kept long)."),
        ),
    ] = None,
    tsa: TsaOption = None,
    trust: TrustOption = None,
    crl: CrlOption = None,
    invisible: Annotated[
        bool, typer.Option("--invisible", help=_("Sign without a visible appearance."))
    ] = False,
    function: Annotated[
        str | None,
        typer.Option(
            "--function",
            metavar="FUNCTION",
            help=_("Signer's function, e.g. 'burgemeester van Huizen'."),
        ),
    ] = None,
    on_behalf_of: Annotated[
        str | None,
        typer.Option(
            "--on-behalf-of", metavar="WHOM", help=_("On whose behalf, e.g. 'de gemeente Huizen'.")
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help=_("Name shown (default: the certificate's).")),
    ] = None,
    location: Annotated[
        str | None, typer.Option("--location", metavar="PLACE", help=_("Place of signing."))
    ] = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    def action() -> object:
        from ..config import load_settings
        from ..workflow import sign_recorded

        choice = key_choice(
            signer,
            pkcs12,
            (pkcs11_module, token, key, key_id, cert),
            secret_file,
            level,
            tsa,
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
        "[green]✓[/] "
        + _("signed {file}: field {field}, PAdES {level}, by {signer} ({role}) at {moment}").format(
            file=escape(str(outcome.output)),
            field=signed.slot.value,
            level=signed.level.value,
            signer=escape(signed.signer.common_name),
            role=escape(signed.claimed_role),
            moment=dutch_time(signed.signing_time),
        )
    )
    if signed.chain_digest:
        stdout().print(
            "[green]✓[/] "
            + _("chain of authority checked (sha256 {digest}…)").format(
                digest=signed.chain_digest[:16]
            )
        )
    stdout().print(f"sha256 {outcome.sha256}  {escape(str(outcome.output))}")
    _report_register(recorded)


@app.command(
    short_help=_("List smartcards/tokens and the key names a signer profile needs."),
    help=_("""List smartcards and tokens, with the certificate and key names a signer profile needs.

Reads only what a token shows without a PIN (certificates, public keys), so no PIN is
asked and no attempt is spent."""),
)
def tokens(
    module: Annotated[
        Path | None,
        typer.Option(
            "--module",
            metavar="LIBRARY.so",
            help=_(
                "PKCS#11 library (default: the one in the signer profile, else OpenSC or "
                "SoftHSM2 where Debian installs them)."
            ),
            show_default=False,
        ),
    ] = None,
    signer: Annotated[
        str | None,
        typer.Option("--signer", metavar="PROFILE", help=_("Use this signer profile's module.")),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=_("Print JSON instead of tables."))
    ] = False,
    config: ConfigOption = None,
) -> None:
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
    short_help=_("Raise a signed statement to B-T/B-LT/B-LTA, or renew its archive timestamp."),
    help=_(
        "Raise a signed statement to B-T/B-LT/B-LTA (archive renewal); earlier signatures stay valid."
    ),
)
def extend(
    sources: Annotated[
        list[Path],
        typer.Argument(
            metavar="SIGNED.pdf|FOLDER",
            help=_(
                "A signed statement (never changed; with --due: statements or folders, "
                "renewed in place)."
            ),
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE.pdf", help=_("Extended PDF to write.")),
    ] = None,
    level: Annotated[
        ExtendLevel,
        typer.Option("--level", metavar="LEVEL", help=_("Level to reach: B-T, B-LT or B-LTA.")),
    ] = ExtendLevel.b_lta,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            metavar="WINDOW",
            help=_(
                "Renew (B-LTA) every statement whose newest archive timestamp, its TSA "
                "certificate or its algorithm expires within WINDOW (90d, 6w, 12m, 2y), in "
                "place; the others are left as they are."
            ),
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=_("With --due: list what is due, change nothing.")),
    ] = False,
    tsa: TsaOption = None,
    trust: TrustOption = None,
    crl: CrlOption = None,
    overwrite: OverwriteOption = False,
    config: ConfigOption = None,
) -> None:
    if due is not None:
        from ..errors import ConfigError
        from ..pki.renewal import window_end

        try:  # a mistyped window is a usage error, said before anything is read
            window_end(due, dt.datetime.now(dt.UTC))
        except ConfigError as error:
            raise typer.BadParameter(
                f"{error.message} ({error.hint})" if error.hint else error.message,
                param_hint="--due",
            ) from None
        if output is not None or overwrite:
            raise typer.BadParameter(
                _("--due renews statements in place; leave out -o and --overwrite"),
                param_hint="--due",
            )
        _extend_due(sources, due, dry_run, tsa, trust, crl, config)
        return
    if dry_run:
        raise typer.BadParameter(_("--dry-run goes with --due"), param_hint="--dry-run")
    if len(sources) != 1 or output is None:
        raise typer.BadParameter(
            _("give one signed statement and -o FILE.pdf (or --due WINDOW for folders)"),
            param_hint="SIGNED.pdf",
        )
    source = sources[0]

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
    from ..sign.extend import step_words
    from ..workflow import Recorded

    assert isinstance(recorded, Recorded) and isinstance(recorded.outcome, ExtendOutcome)
    outcome = recorded.outcome
    stdout().print(
        "[green]✓[/] "
        + ngettext(
            "extended {file} to PAdES {level} ({count} signature): {steps}",
            "extended {file} to PAdES {level} ({count} signatures): {steps}",
            outcome.signatures,
        ).format(
            file=escape(str(outcome.output)),
            level=outcome.level.value,
            count=outcome.signatures,
            steps=escape("; ".join(step_words(step) for step in outcome.steps)),
        )
    )
    stdout().print(f"sha256 {outcome.sha256}  {escape(str(outcome.output))}")
    _report_register(recorded)


def _extend_due(
    sources: list[Path],
    window: str,
    dry_run: bool,
    tsa: str | None,
    trust: list[Path] | None,
    crl: list[Path] | None,
    config: Path | None,
) -> None:
    """`extend --due WINDOW`: renew what is due, say what is not and when it will be."""

    def action() -> Any:
        from ..config import load_settings
        from ..pki.files import load_crls, load_trust_roots
        from ..verify import options_from_settings
        from ..workflow import renew_due_recorded

        settings = load_settings(config)
        # a renewed statement replaces the original only when it verifies as well
        options = (
            None
            if dry_run
            else options_from_settings(settings, tuple(trust or ()), tuple(crl or ()))
        )
        return renew_due_recorded(
            settings,
            sources,
            window,
            tsa_url=tsa or settings.signing.tsa,
            trust_roots=load_trust_roots(tuple(trust or ()) or settings.signing.trust_roots),
            crls=load_crls(tuple(crl or ()) or settings.signing.crls),
            verify_options=options,
            dry_run=dry_run,
        )

    from .console import shown_name
    from .present import renewal_words

    outcome = call(action)
    console = stdout()
    for item in outcome.items:
        name = escape(shown_name(str(item.path)))
        if item.problem is not None:
            stderr().print(f"[red]✗[/] {name}: {escape(item.problem)}")
        elif item.due is None:
            console.print(f"– {name}: " + _("no signature, nothing to renew"))
        elif item.renewed:
            console.print(
                f"[green]✓[/] {name}: "
                + _("renewed (was due {due}); next renewal {next}").format(
                    due=renewal_words(item.due), next=renewal_words(item.next_due)
                )
            )
        elif item.due.due_by(outcome.window_end):
            console.print(
                f"[yellow]![/] {name}: " + _("due {due}").format(due=renewal_words(item.due))
            )
        else:
            console.print(
                f"  {name}: "
                + _("not due; next renewal {next}").format(next=renewal_words(item.due))
            )
    renewed = sum(1 for item in outcome.items if item.renewed)
    waiting = sum(
        1
        for item in outcome.items
        if item.due is not None and not item.renewed and item.due.due_by(outcome.window_end)
    )
    console.print(
        _(
            "{renewed} renewed, {waiting} due and not renewed, {total} looked at (window until {end})"
        ).format(
            renewed=renewed,
            waiting=waiting,
            total=len(outcome.items),
            end=outcome.window_end.date().isoformat(),
        )
    )
    if any(item.problem is not None for item in outcome.items) or (waiting and not dry_run):
        raise typer.Exit(3)


def _report_register(recorded: Recorded) -> None:
    for warning in recorded.warnings:
        stderr().print("[yellow]" + _("warning:") + f"[/] {escape(warning)}")
    if recorded.register is not None and recorded.entries:
        numbers = ", ".join(str(n) for n in recorded.entries)
        stdout().print(
            ngettext(
                "recorded in {register} (entry {numbers})",
                "recorded in {register} (entries {numbers})",
                len(recorded.entries),
            ).format(register=escape(str(recorded.register)), numbers=numbers)
        )


@app.command(
    short_help=_("Verify signatures, document and chain of authority (exit 0 only when all pass)."),
    help=_(
        "Verify signatures, document and chain of authority. Exit 0 only when all pass, 4 when not."
    ),
)
def verify(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE.pdf|FOLDER",
            help=_(
                "Signed statements to verify; a folder stands for every PDF in it and its "
                "subfolders (several files are verified in parallel, one worker per core)."
            ),
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the report as JSON."))] = False,
    trust: TrustOption = None,
    crl: CrlOption = None,
    at: AtOption = None,
    level: Annotated[
        LevelChoice | None,
        typer.Option(
            "--level",
            metavar="LEVEL",
            help=_("Require at least this PAdES level for every signature."),
        ),
    ] = None,
    offline: OfflineOption = False,
    record: Annotated[
        bool,
        typer.Option("--record", help=_("Write a validation entry to the register (art. 24c).")),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="KEY",
            help=_(
                "The official responsible for a recorded validation: a key of "
                "archief.medewerkers in toetreding.yaml (their name, function and "
                "organisation are recorded)."
            ),
        ),
    ] = None,
    covenant: Annotated[
        list[Path] | None,
        typer.Option(
            "--covenant",
            metavar="convenant.yaml",
            help=_(
                "The covenant as published (convenant.yaml), whose coordinating party's "
                "chain a consent must match; repeatable (default: 'verificatie.convenanten')."
            ),
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    if record and not by:
        raise typer.BadParameter(
            _("--record needs --by KEY (the responsible official, from archief.medewerkers)"),
            param_hint="--by",
        )
    if by and not record:
        raise typer.BadParameter(
            _(
                "--by names the official responsible for a recorded validation; add --record "
                "(or leave --by out)"
            ),
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

        payload = [r.to_dict() for r in reports]
        # a list for several files or any folder (a script cannot know how many PDFs a
        # folder holds), one object for one file named
        several = len(payload) > 1 or any(path.is_dir() for path in files)
        sys.stdout.write(
            json.dumps(payload if several else payload[0], indent=2, ensure_ascii=False) + "\n"
        )
    else:
        from .console import reported_errors
        from .present import show_report

        with reported_errors():  # a report of a hostile file must never end in a traceback
            for report in reports:
                show_report(report)
        if len(reports) > 1:
            passed = sum(1 for r in reports if r.passed)
            stdout().print(
                ngettext(
                    "{count} file verified: {passed} passed, {failed} not",
                    "{count} files verified: {passed} passed, {failed} not",
                    len(reports),
                ).format(count=len(reports), passed=passed, failed=len(reports) - passed)
            )
        if register is not None:
            recorded = sum(1 for r in reports if r.sha256 is not None)  # read, so validated
            stdout().print(
                ngettext(
                    "recorded {count} validation in {register}",
                    "recorded {count} validations in {register}",
                    recorded,
                ).format(count=recorded, register=escape(str(register)))
            )
    if any(not r.readable for r in reports):
        raise typer.Exit(1)
    if not all(r.passed for r in reports):
        raise typer.Exit(4)


@app.command(
    short_help=_("Prepare a round: render every party's statement and its round file."),
    help=_("""Prepare a round: render the statement of every party in BATCH.yaml, each with
a round file (ronde.json) that `collect` matches the signed returns against; resumable.

Each party signs its own statement with its own key; then `toetreding collect`,
`toetreding accept`, `toetreding status` and `toetreding notice` take the round further.

Exit 0 when every party is done, 3 when some failed (the others are still done),
130 after Ctrl-C and 143 after SIGTERM (what was done is kept; run again to go on)."""),
)
def batch(
    batch_file: Annotated[
        Path, typer.Argument(metavar="BATCH.yaml", help=_("The batch file (YAML)."))
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FOLDER", help=_("The round's folder for all outputs.")
        ),
    ],
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", metavar="N", min=0, help=_("Worker processes (0: one per CPU).")
        ),
    ] = 0,
    only: Annotated[
        str | None,
        typer.Option(
            "--only", metavar="GM0406,…", help=_("Only these parties, e.g. GM0406,GM0376.")
        ),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help=_("Go on without the invalid rows (listed first).")),
    ] = False,
    sign_profile: Annotated[
        str | None, typer.Option("--sign", hidden=True, metavar="PROFILE")
    ] = None,
    config: ConfigOption = None,
) -> None:
    if sign_profile is not None:
        stderr().print(
            "[red]✗[/] "
            + _(
                "batch no longer signs the parties' statements: one key cannot sign for every "
                "burgemeester; each party signs its own statement with its own key"
            )
            + "\n  [yellow]→[/] "
            + _(
                "prepare with `toetreding batch`, send each party its statement, then "
                "`toetreding collect INBOX -r FOLDER` and `toetreding accept -r FOLDER "
                "--signer PROFILE` (the coordinating party's consent, one PIN for all)"
            )
        )
        raise typer.Exit(2)

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
        count = len(plan.problems)
        console.print(
            "[bold red]"
            + ngettext("{count} invalid row:", "{count} invalid rows:", count).format(count=count)
            + "[/]"
        )
        for problem in plan.problems:
            console.print(f"  {escape(str(problem))}")
        if not skip_invalid:
            console.print(
                "  [yellow]→[/] "
                + _("fix them, or run again with --skip-invalid to go on without them")
            )
            raise typer.Exit(1)

    def run_action() -> BatchOutcome:
        from ..batch import BatchInterrupted, BatchOptions, run_batch

        with progress_bar() as progress:
            try:
                return run_batch(
                    settings, plan, BatchOptions(output=output, jobs=jobs), progress=progress
                )
            except BatchInterrupted as stop:
                return stop.outcome

    outcome = call(run_action)
    _batch_summary(outcome)
    if outcome.interrupted is not None:
        raise typer.Exit(128 + outcome.interrupted)  # the shell's convention: 130, 143
    if outcome.failures:
        raise typer.Exit(3)


def progress_bar() -> Any:
    """A progress callback: a rich bar with rate and ETA on a terminal, plain lines otherwise."""
    import contextlib

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

    labels = {
        "render": _("rendering"),
        "sign": _("signing"),
        "verify": _("verifying"),
        "match": _("matching"),
        "check": _("checking"),
    }

    @contextlib.contextmanager
    def bar() -> Any:
        if not sys.stderr.isatty():
            last: dict[str, int] = {}

            def plain(stage: str, done: int, total: int) -> None:
                if total == 0:
                    return  # nothing to do in this stage: the summary says "unchanged"
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
                if total == 0:
                    return
                if stage not in tasks:
                    tasks[stage] = progress.add_task(labels[stage], total=max(total, 1))
                progress.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

            yield update

    return bar()


def _batch_summary(outcome: BatchOutcome) -> None:
    from rich.table import Table

    # "recovered" (outputs of an interrupted run recorded after the fact) only when there
    # are any: eight columns do not fit a plain 80-column log
    recovered = [_("recovered")] if outcome.recovered else []
    table = Table(
        _("parties"),
        _("rendered"),
        _("unchanged"),
        *recovered,
        _("failed"),
        _("seconds"),
    )
    table.add_row(
        str(outcome.total),
        str(outcome.rendered),
        str(outcome.skipped),
        *([str(outcome.recovered)] if outcome.recovered else []),
        f"[red]{len(outcome.failures)}[/]" if outcome.failures else "0",
        number(outcome.seconds, 1),
    )
    stdout().print(table)
    for code, message in sorted(outcome.failures.items())[:20]:
        stderr().print(f"[red]✗[/] {code}: {escape(message)}")
    if len(outcome.failures) > 20:
        stderr().print(
            _("… and {count} more (see the summary CSV)").format(count=len(outcome.failures) - 20)
        )
    stdout().print(_("manifest {file}").format(file=escape(str(outcome.manifest))))
    stdout().print(_("summary  {file}").format(file=escape(str(outcome.summary))))
    if outcome.interrupted is not None:
        import signal

        stopped_by = signal.Signals(outcome.interrupted)
        cause = "Ctrl-C" if stopped_by is signal.SIGINT else stopped_by.name
        counts = _("{rendered} rendered").format(rendered=outcome.rendered)
        if outcome.recovered:
            counts += " " + _("({count} recovered)").format(count=outcome.recovered)
        stderr().print(
            _(
                "interrupted ({cause}); written and recorded before stopping: {counts}; "
                "manifest {manifest} and summary {summary} are up to date"
            ).format(
                cause=cause,
                counts=counts,
                manifest=escape(str(outcome.manifest)),
                summary=escape(str(outcome.summary)),
            )
            + "\n  [yellow]→[/] "
            + _("run the same command again to go on; what is done is skipped")
        )


mandate_app = typer.Typer(
    help=_("Check and show chains of authority (who may sign for whom)."),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(mandate_app, name="mandate")

ChainFile = Annotated[
    Path,
    typer.Argument(
        metavar="bevoegdheid.yaml|STATEMENT.pdf",
        help=_("bevoegdheid.yaml, or a statement PDF (reads the chain it carries)."),
    ),
]


@mandate_app.command(
    "check",
    short_help=_("Check that a chain of authority authorises the signer."),
    help=_("Check a chain of authority; exit 0 when it authorises, 1 with the reasons when not."),
)
def mandate_check(
    file: ChainFile,
    at: AtOption = None,
    signer: Annotated[
        Path | None,
        typer.Option(
            "--signer",
            metavar="CERT.pem",
            help=_("Certificate (PEM/DER) that must match the last grantee."),
        ),
    ] = None,
    request: Annotated[
        Path | None,
        typer.Option(
            "--for",
            metavar="verzoek.yaml",
            help=_("Statement request (verzoek.yaml): covenant, party, decision."),
        ),
    ] = None,
    consent: Annotated[
        bool,
        typer.Option(
            "--consent",
            help=_(
                "Check the coordinating party's chain for its consent (from a statement PDF "
                "or the covenant named by --for) instead of the party's."
            ),
        ),
    ] = False,
) -> None:
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
        who = escape(verdict.signer)
        if consent and chain.coordinator:
            said = _("the chain authorises {signer} to consent for {coordinator}").format(
                signer=who, coordinator=escape(chain.coordinator)
            )
        elif chain.party_name:
            said = _("the chain authorises {signer} for {party}").format(
                signer=who, party=escape(chain.party_name)
            )
        else:
            said = _("the chain authorises {signer}").format(signer=who)
        stdout().print(f"[green]✓[/] {said} " + _("(rules: {rules})").format(rules=rules))
        stdout().print(_("chain sha256 {digest}").format(digest=verdict.chain_digest))
        return
    stderr().print(
        "[bold red]✗[/] "
        + _("the chain does not authorise {signer}:").format(signer=escape(verdict.signer))
    )
    for breach in verdict.breaches:
        stderr().print("  - " + escape(f"[{breach.rule}] {breach}"))
    raise typer.Exit(1)


@mandate_app.command(
    "show",
    short_help=_("Show a chain of authority as a tree."),
    help=_("Show a chain of authority as a tree, from the organ that decided to the signer."),
)
def mandate_show(file: ChainFile) -> None:
    def action() -> object:
        from ..authority import load_chain

        return load_chain(file)

    chain = call(action)
    from rich.tree import Tree

    from ..authority import LoadedChain

    assert isinstance(chain, LoadedChain)
    authority = chain.authority
    decisions = {d.id: d for d in authority.decisions}
    # kinds (mandaat, vertegenwoordiging …), functions and legal bases are the chain's own
    # Dutch legal terms; only the connecting words follow the user's language
    origin = authority.chain[0].grantor or _("the law (article 171, first paragraph, Gemeentewet)")
    root = Tree(f"[bold]{escape(origin)}[/]")
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
                _("decision of {organ}, {date} ({reference})").format(
                    organ=escape(decision.organ),
                    date=decision.date,
                    reference=escape(decision.reference),
                )
            )
        period = _("valid from {start} up to and including {end}").format(
            start=link.valid_from or "…", end=link.valid_until or "…"
        )
        if link.revoked_on:
            period += ", [red]" + _("withdrawn on {date}").format(date=link.revoked_on) + "[/]"
        node.add(period)
        if link.scope:
            node.add(_("scope: {scope}").format(scope=escape(", ".join(link.scope))))
        if link.submandate_allowed:
            node.add(_("sub-mandate allowed"))
        if link.grantee.certificate is not None:
            identity = link.grantee.certificate
            shown = ", ".join(f"{k}={v}" for k, v in identity.subject.items())
            if identity.serial_number:
                shown += f" serial={identity.serial_number}"
            node.add(_("certificate: {identity}").format(identity=escape(shown or "fingerprint")))
    stdout().print(root, soft_wrap=False)


def run() -> None:
    """Entry point with the exit-code contract (usage errors → 2, handled by Typer)."""
    # pydantic looks for plugins (observability hooks) by scanning the entry points of
    # every installed distribution when it builds its first validator: ≈ 0.15 s of every
    # command on a machine with a hundred packages (issue #16). The CLI uses none; a user
    # who sets the variable keeps their choice.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from .one_command import app_for

    try:
        app_for(app, sys.argv[1:], os.environ)()
    except KeyboardInterrupt as stop:
        stderr().print("[red]" + _("interrupted") + "[/]")
        # the shell's convention: 130 for Ctrl-C, 143 for a SIGTERM the leader handled
        raise SystemExit(128 + getattr(stop, "signal_number", 2)) from None
