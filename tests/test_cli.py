"""The command line: each command end to end, exit codes from the table, no tracebacks."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toetreding import __version__
from toetreding.cli import app

runner = CliRunner()


def invoke(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(app, list(args))
    finally:
        os.chdir(previous)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"toetreding {__version__}"


def test_help_lists_commands_and_exit_codes() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for command in ("render", "schema", "demo"):
        assert command in out
    assert "Exit codes" in out


def test_render_in_a_workspace_finds_its_config_and_prints_the_hash(workspace: Path) -> None:
    code, out, err = invoke("render", "verzoek.yaml", "-o", "verklaring.pdf", cwd=workspace)
    assert code == 0, err
    data = (workspace / "verklaring.pdf").read_bytes()
    assert f"sha256 {hashlib.sha256(data).hexdigest()}" in out
    assert "ondertekening-partij" in out


def test_render_english_with_preview(workspace: Path) -> None:
    code, _, err = invoke(
        "render",
        "verzoek.yaml",
        "-o",
        "en.pdf",
        "--lang",
        "en",
        "--preview",
        "p.png",
        cwd=workspace,
    )
    assert code == 0, err
    assert (workspace / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_bad_input_exits_1_with_location_and_no_traceback(workspace: Path) -> None:
    request = workspace / "verzoek.yaml"
    request.write_text(request.read_text().replace("GM0406", "GM9999"))
    code, out, err = invoke("render", "verzoek.yaml", "-o", "x.pdf", cwd=workspace)
    assert code == 1
    assert "verzoek.yaml:9:3: partij.cbs_code" in err
    assert "Traceback" not in out + err
    assert not (workspace / "x.pdf").exists()


def test_missing_file_exits_1(workspace: Path) -> None:
    code, _, err = invoke("render", "bestaat-niet.yaml", "-o", "x.pdf", cwd=workspace)
    assert code == 1 and "file not found" in err


def test_missing_output_folder_exits_1(workspace: Path) -> None:
    code, _, err = invoke("render", "verzoek.yaml", "-o", "geen/map/x.pdf", cwd=workspace)
    assert code == 1 and "does not exist" in err


def test_unknown_option_is_a_usage_error() -> None:
    code, _, _ = invoke("render", "--kleur", "rood")
    assert code == 2


def test_bad_language_value_is_a_usage_error(workspace: Path) -> None:
    code, _, _ = invoke("render", "verzoek.yaml", "-o", "x.pdf", "--lang", "fr", cwd=workspace)
    assert code == 2


def test_missing_templates_folder(workspace: Path) -> None:
    code, _, err = invoke(
        "render", "verzoek.yaml", "-o", "x.pdf", "--templates", "nergens", cwd=workspace
    )
    assert code == 1 and "templates folder" in err


def test_bad_environment_setting(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOETREDING_PROFILE", "pdfx")
    code, _, err = invoke("render", "verzoek.yaml", "-o", "x.pdf", cwd=workspace)
    assert code == 1 and "TOETREDING_PROFILE='pdfx'" in err


def test_schema_writes_one_file_per_yaml_kind(tmp_path: Path) -> None:
    code, _, err = invoke("schema", str(tmp_path / "s"))
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert names == [
        "bevoegdheid.schema.json",
        "convenant.schema.json",
        "toetreding.schema.json",
        "verzoek.schema.json",
    ]


def test_demo_creates_a_workspace_that_renders(tmp_path: Path) -> None:
    code, out, err = invoke("demo", str(tmp_path / "demo"))
    assert code == 0, err
    assert "not for production" in out and "DEMO — niet voor productie" in out
    demo = tmp_path / "demo"
    assert (demo / "verklaring.pdf").read_bytes().startswith(b"%PDF-")
    assert (demo / "schemas" / "verzoek.schema.json").is_file()
    # the demo signs as the burgemeester and adds the coordinating party's acceptance
    if shutil.which("pdfsig"):
        from .support.readers import pdfsig

        # B-LTA: each signature is followed by a document timestamp in its own field
        found = {s.field: s for s in pdfsig(demo / "verklaring-met-instemming.pdf")}
        assert sorted(found) == [
            "instemming-coordinator",
            "ondertekening-partij",
            "tijdstempel-1",
            "tijdstempel-2",
        ]
        party, acceptance = found["ondertekening-partij"], found["instemming-coordinator"]
        assert party.valid and acceptance.valid
        assert party.kind == acceptance.kind == "ETSI.CAdES.detached"
        assert found["tijdstempel-1"].signed and found["tijdstempel-2"].signed
    assert "PASSED" in out
    # verification inside the workspace checks revocation for real (the demo CRL), at B-LTA
    code, out, err = invoke(
        "verify", "verklaring-met-instemming.pdf", "--offline", "--json", cwd=demo
    )
    assert code == 0, out + err
    report = json.loads(out)
    assert [s["revocation"] for s in report["signatures"]] == ["good"] * 4
    assert [s["level"] for s in report["signatures"] if s["kind"] == "signature"] == ["B-LTA"] * 2
    assert report["document"]["effective_date_source"] == "signature-timestamp"
    # commands inside the workspace find its signer profiles and trust root
    code, out, err = invoke("sign", "verklaring.pdf", "-o", "zelf.pdf", cwd=demo)
    assert code == 0, err
    assert "burgemeester van Huizen" in out
    code, out, err = invoke("sign", "zelf.pdf", "-o", "zelf-aanvaard.pdf", cwd=demo)
    assert code == 0, err
    assert "instemming-coordinator" in out
    # the signed demo statement carries its chain of authority: readable from the PDF alone
    code, out, err = invoke("mandate", "check", "verklaring-met-instemming.pdf", cwd=demo)
    assert code == 0 and "authorises mr. J. de Vries" in out, err
    # commands run inside the workspace find its config
    code, _, err = invoke("render", "verzoek.yaml", "-o", "opnieuw.pdf", cwd=demo)
    assert code == 0, err
    assert (demo / "opnieuw.pdf").read_bytes() == (demo / "verklaring.pdf").read_bytes()
    # the renewal: every signature and timestamp still passes, under a third document timestamp
    code, out, err = invoke("verify", "verklaring-verlengd.pdf", "--offline", "--json", cwd=demo)
    assert code == 0, out + err
    renewed = json.loads(out)
    assert [s["field_name"] for s in renewed["signatures"]][-1] == "tijdstempel-3"
    assert {s["indication"] for s in renewed["signatures"]} == {"TOTAL-PASSED"}
    # running the demo again never replaces the keys that made those signatures
    keys = {p.name: p.read_bytes() for p in (demo / "pki").iterdir()}
    code, _, err = invoke("demo", str(demo))
    assert code == 1 and "already holds a demo workspace" in err, err
    assert {p.name: p.read_bytes() for p in (demo / "pki").iterdir()} == keys
    # without a folder name it makes the next free one beside it
    code, out, err = invoke("demo", cwd=tmp_path)
    assert code == 0, err
    code, out, err = invoke("demo", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "toetreding-demo-2" / "verklaring-verlengd.pdf").is_file()
    assert {p.name: p.read_bytes() for p in (demo / "pki").iterdir()} == keys


def test_demo_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "iets.txt").write_text("van iemand anders")
    code, _, err = invoke("demo", str(tmp_path))
    assert code == 1 and "not a toetreding demo" in err


def test_cli_choices_match_the_model() -> None:
    from toetreding.cli.app import LanguageChoice, ProfileChoice
    from toetreding.model import Language, OutputProfile

    assert {c.value for c in LanguageChoice} == {c.value for c in Language}
    assert {c.value for c in ProfileChoice} == {c.value for c in OutputProfile}


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "toetreding", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == f"toetreding {__version__}"


def test_file_names_that_look_like_markup_are_printed_literally(workspace: Path) -> None:
    code, out, err = invoke("render", "verzoek.yaml", "-o", "v[bold][red].pdf", cwd=workspace)
    assert code == 0, err
    assert "v[bold][red].pdf" in out and "Traceback" not in out + err


@pytest.mark.parametrize(
    "args",
    [
        ("verify", "x.pdf", "--at", "gisteren"),
        ("verify", "x.pdf", "--at", "2026-13-01"),
        ("mandate", "check", "bevoegdheid.yaml", "--at", "2026-13-01"),
        ("verify", "x.pdf", "--by", "mr. A. Archivaris"),  # --by without --record
        ("extend", "x.pdf", "-o", "y.pdf", "--level", "B-B"),  # extend cannot reach B-B
        ("batch", "b.yaml", "-o", "uit", "--jobs", "-3"),
    ],
)
def test_a_bad_option_value_is_a_usage_error(workspace: Path, args: tuple[str, ...]) -> None:
    """Exit 2 with Typer's usage message, never 'internal error' (issue #14)."""
    code, out, err = invoke(*args, cwd=workspace)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "internal error" not in err
    assert "Usage:" in err or "Error" in err


def test_at_takes_one_syntax_everywhere(workspace: Path) -> None:
    for at in ("2026-11-30", "2026-11-30T14:30", "2026-11-30T14:30+01:00"):
        code, _, err = invoke(
            "mandate",
            "check",
            "bevoegdheid.yaml",
            "--for",
            "verzoek.yaml",
            "--at",
            at,
            cwd=workspace,
        )
        assert code == 0, (at, err)
    # 23:30 UTC on 30 November is already 1 December in the Netherlands: both sides of it
    code, _, err = invoke(
        "mandate", "check", "bevoegdheid.yaml", "--at", "2023-05-31T23:30+00:00", cwd=workspace
    )
    assert code == 0, err  # the term starts on 1 June 2023 (Dutch date)
    code, _, _ = invoke(
        "mandate", "check", "bevoegdheid.yaml", "--at", "2023-05-31T21:30+00:00", cwd=workspace
    )
    assert code == 1


def test_batch_only_with_an_unknown_code_does_nothing(tmp_path: Path) -> None:
    from .conftest import ROOT

    batch = tmp_path / "batch"
    shutil.copytree(ROOT / "examples" / "batch", batch)
    code, _, err = invoke(
        "batch", str(batch / "klein.yaml"), "-o", str(tmp_path / "uit"), "--only", "GM9999"
    )
    assert code == 1 and "GM9999" in err and "does not list" in err
    assert not (tmp_path / "uit").exists()


def test_demo_refuses_a_folder_others_can_write_to(tmp_path: Path) -> None:
    """Someone who can write to the folder could plant links while the demo writes keys."""
    shared = tmp_path / "gedeeld"
    shared.mkdir()
    shared.chmod(0o777)
    code, _, err = invoke("demo", str(shared))
    assert code == 1 and "others can write to it" in err, err
    assert list(shared.iterdir()) == []


def test_data_never_drives_the_terminal() -> None:
    """Certificate names, token labels and file names can hold ESC, CR or rich markup: they
    are shown as text, and a hostile time does not crash the report."""
    from toetreding.cli.console import dutch_time, escape
    from toetreding.cli.tokens_view import profile_line

    shown = escape("Evil\x1b[2J\x1b]0;T\r\nfake: line [red]x\x9b")
    assert "\x1b" not in shown and "\r" not in shown and "\x9b" not in shown
    assert "\\x1b" in shown and "\\[red]" in shown and "\n" in shown
    assert dutch_time("9999-12-31T23:30:00+00:00") == "9999-12-31T23:30:00+00:00"
    assert dutch_time("2026-07-01T10:00:00+00:00") == "2026-07-01 12:00:00 CEST"
    line = profile_line("/usr/lib/x.so", "kaart", "k, sleutel_id: 02")
    import yaml

    assert yaml.safe_load(line) == {
        "module": "/usr/lib/x.so",
        "token": "kaart",
        "sleutel": "k, sleutel_id: 02",
    }


@pytest.mark.parametrize(
    "text", ["{x}", "{gemeente:>300000000}", "{gemeente", "{gemeente.__class__}"]
)
def test_a_batch_signing_text_names_the_party_only_as_gemeente(text: str) -> None:
    """The text is filled in by replacement, never by str.format: any other brace is refused."""
    from pydantic import ValidationError

    from toetreding.batch.input import SigningPresentation

    with pytest.raises(ValidationError, match="write the party's name as"):
        SigningPresentation.model_validate({"functie": text})
    assert SigningPresentation.model_validate({"namens": "de gemeente {gemeente}"})
