"""`batch`: validation of every row first, render/sign/verify end to end, failures isolated,
and resuming after an interruption redoes only what is missing."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toetreding.batch import BatchOptions, load_batch, run_batch
from toetreding.cli import app
from toetreding.config import load_settings
from toetreding.demo_pki import DEMO_PASSPHRASE, create_demo_pki
from toetreding.register import Register
from toetreding.sign import SignerChoice

from .conftest import ROOT, needs_poppler
from .support.readers import pdfsig

EXAMPLE_BATCH = ROOT / "examples" / "batch"


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    shutil.copytree(EXAMPLE_BATCH, folder)
    return folder


@pytest.fixture
def demo_signer(tmp_path: Path) -> tuple[SignerChoice, Path]:
    pki = create_demo_pki(tmp_path / "pki")
    secret = tmp_path / "pw"
    secret.write_text(DEMO_PASSPHRASE)
    choice = SignerChoice(
        pkcs12=pki.batch.pkcs12, secret_file=secret, trust_roots=(pki.root,), crls=(pki.crl,)
    )
    return choice, pki.root


def test_the_full_example_is_valid() -> None:
    plan = load_batch(EXAMPLE_BATCH / "alle-gemeenten.yaml")
    assert not plan.problems and len(plan.parties) == 342
    assert len({p.code for p in plan.parties}) == 342
    laren = next(p for p in plan.parties if p.code == "GM0417")
    assert laren.name == "Laren" and laren.on_behalf_of == "de gemeente Laren"


def test_bad_rows_are_all_reported_with_their_lines(batch_dir: Path) -> None:
    csv_file = batch_dir / "gemeenten.csv"
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    lines[3] = "GM9999,A. Niemand,2026-10-01,Z-1"  # unknown municipality (file line 4)
    lines[7] = lines[7].split(",")[0] + ",B. Iemand,2026-02-30,Z-2"  # impossible date (line 8)
    lines.append(lines[1])  # duplicate party (last line)
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = load_batch(batch_dir / "alle-gemeenten.yaml")
    found = sorted((p.line, p.message[:40]) for p in plan.problems)
    assert [line for line, _ in found] == [4, 8, len(lines)]
    assert len(plan.parties) == 342 - 2  # two rows replaced by bad ones; the duplicate is extra
    result = CliRunner().invoke(
        app, ["batch", str(batch_dir / "alle-gemeenten.yaml"), "-o", str(batch_dir / "uit")]
    )
    assert result.exit_code == 1 and "3 invalid rows" in result.stderr
    assert "gemeenten.csv:4" in result.stderr and not (batch_dir / "uit").exists()


@needs_poppler
def test_small_batch_end_to_end_and_resume(
    batch_dir: Path, tmp_path: Path, demo_signer: tuple[SignerChoice, Path]
) -> None:
    choice, root = demo_signer
    register = tmp_path / "register.sqlite"
    settings = load_settings(environ={"TOETREDING_REGISTER": str(register)}, cwd=tmp_path)
    plan = load_batch(batch_dir / "klein.yaml")
    output = tmp_path / "uit"
    outcome = run_batch(
        settings,
        plan,
        BatchOptions(output=output, jobs=2, sign=choice, trust_roots=(root,), crls=choice.crls),
    )
    assert not outcome.failures and (outcome.rendered, outcome.signed, outcome.verified) == (
        3,
        3,
        3,
    )
    for code in ("GM0406", "GM0376", "GM0417"):
        signed = output / code / "verklaring-ondertekend.pdf"
        (party,) = [s for s in pdfsig(signed) if s.signed]
        assert party.valid and party.field == "ondertekening-partij"
    summary = (output / "overzicht.csv").read_text(encoding="utf-8-sig").splitlines()
    assert summary[0].startswith("cbs_code,gemeente,status") and all(
        ",geverifieerd," in row for row in summary[1:]
    )
    with Register(register) as records:
        kinds = [e.kind for e in records.entries()]
        assert records.verify().intact
    assert (
        kinds.count("render") == 3
        and kinds.count("ondertekening") == 3
        and kinds.count("validatie") == 3
    )
    # a rerun with nothing changed does nothing
    again = run_batch(
        settings,
        plan,
        BatchOptions(output=output, jobs=2, sign=choice, trust_roots=(root,), crls=choice.crls),
    )
    assert (again.rendered, again.signed, again.verified, again.skipped) == (0, 0, 0, 3)
    # an interrupted run: one party's outputs and manifest entry are missing → only it is redone
    (output / "GM0376" / "verklaring-ondertekend.pdf").unlink()
    manifest = json.loads((output / "manifest.json").read_text())
    del manifest["partijen"]["GM0376"]["sign"]
    (output / "manifest.json").write_text(json.dumps(manifest))
    resumed = run_batch(
        settings,
        plan,
        BatchOptions(output=output, jobs=2, sign=choice, trust_roots=(root,), crls=choice.crls),
    )
    assert (resumed.rendered, resumed.signed, resumed.verified) == (0, 1, 1)
    # a changed input redoes that party only
    text = (batch_dir / "klein.yaml").read_text().replace("A. Smit", "A. Smit-de Graaf")
    (batch_dir / "klein.yaml").write_text(text)
    changed = run_batch(
        settings,
        load_batch(batch_dir / "klein.yaml"),
        BatchOptions(output=output, jobs=2, sign=choice, trust_roots=(root,), crls=choice.crls),
    )
    assert (changed.rendered, changed.signed, changed.verified) == (1, 1, 1)
    # a changed input rendered again without signing: its earlier signature and
    # verification belong to the old statement, and the summary must not count them
    text = (batch_dir / "klein.yaml").read_text().replace("A. Smit-de Graaf", "A. de Graaf")
    (batch_dir / "klein.yaml").write_text(text)
    run_batch(settings, load_batch(batch_dir / "klein.yaml"), BatchOptions(output=output))
    rows = {
        row.split(",")[0]: row.split(",")[2]
        for row in (output / "overzicht.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    }
    changed_code = next(code for code, status in rows.items() if status != "geverifieerd")
    assert rows[changed_code] == "opgemaakt" and list(rows.values()).count("geverifieerd") == 2


@needs_poppler
def test_a_failing_party_does_not_stop_the_others(
    batch_dir: Path, tmp_path: Path, demo_signer: tuple[SignerChoice, Path]
) -> None:
    choice, root = demo_signer
    text = (batch_dir / "klein.yaml").read_text()
    # Blaricum's decision to join is dated after today: the chain check refuses to sign it
    (batch_dir / "klein.yaml").write_text(
        text.replace("besluit_datum: 2026-10-21", "besluit_datum: 2027-01-05")
    )
    settings = load_settings(environ={"TOETREDING_REGISTER": "off"}, cwd=tmp_path)
    outcome = run_batch(
        settings,
        load_batch(batch_dir / "klein.yaml"),
        BatchOptions(
            output=tmp_path / "uit", jobs=2, sign=choice, trust_roots=(root,), crls=choice.crls
        ),
    )
    assert set(outcome.failures) == {"GM0376"} and "sign:" in outcome.failures["GM0376"]
    assert outcome.signed == 2 and outcome.verified == 2
    summary = (tmp_path / "uit" / "overzicht.csv").read_text(encoding="utf-8-sig")
    assert "GM0376,Blaricum,mislukt" in summary


def test_cli_batch_render_only_exit_codes(batch_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["batch", str(batch_dir / "klein.yaml"), "-o", str(tmp_path / "uit"), "--only", "GM0406"],
        env={"TOETREDING_REGISTER": "off"},
    )
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "uit" / "GM0406" / "verklaring.pdf").is_file()
    assert not (tmp_path / "uit" / "GM0376").exists()


def test_a_partial_run_keeps_the_other_parties_in_the_summary(
    batch_dir: Path, tmp_path: Path
) -> None:
    """A run with --only updates its parties' rows in overzicht.csv; the other parties'
    rows stay as the manifest has them (the summary and the manifest tell one story)."""
    output = tmp_path / "uit"

    def run(*extra: str) -> list[list[str]]:
        result = CliRunner().invoke(
            app,
            ["batch", str(batch_dir / "klein.yaml"), "-o", str(output), *extra],
            env={"TOETREDING_REGISTER": "off"},
        )
        assert result.exit_code == 0, result.stderr
        text = (output / "overzicht.csv").read_text(encoding="utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    everyone = run()
    codes = [row[0] for row in everyone[1:]]
    assert len(codes) == 3 and all(row[2] == "opgemaakt" for row in everyone[1:])
    (output / "GM0406" / "verklaring.pdf").unlink()  # make GM0406's row change on the rerun
    partial = run("--only", "GM0406")
    assert [row[0] for row in partial[1:]] == codes
    assert partial[1:] == everyone[1:]
    first_only = run("--only", codes[0])
    assert len(first_only) == 4
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["partijen"]) == sorted(codes)
