"""`batch`: validation of every row first, a round prepared end to end (statement and round
file per party), resuming after an interruption redoes only what is missing, and a
statement that was answered is never made again. Signing is each party's own act: `batch
--sign` is refused with the way forward."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toetreding.batch import BatchOptions, load_batch, run_batch
from toetreding.cli import app
from toetreding.config import load_settings
from toetreding.register import Register

from .conftest import ROOT, needs_poppler
from .support.readers import info

EXAMPLE_BATCH = ROOT / "examples" / "batch"


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    shutil.copytree(EXAMPLE_BATCH, folder)
    return folder


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
def test_small_batch_prepares_a_round_and_resumes(batch_dir: Path, tmp_path: Path) -> None:
    register = tmp_path / "register.sqlite"
    settings = load_settings(environ={"TOETREDING_REGISTER": str(register)}, cwd=tmp_path)
    plan = load_batch(batch_dir / "ronde.yaml")
    output = tmp_path / "uit"
    outcome = run_batch(settings, plan, BatchOptions(output=output, jobs=2))
    assert not outcome.failures and outcome.rendered == 5
    for party in plan.parties:
        statement = output / party.code / "verklaring.pdf"
        assert int(info(statement)["Pages"]) >= 2  # an independent reader opens it
        sent = json.loads((output / party.code / "ronde.json").read_text(encoding="utf-8"))
        assert sent["schema"] == "toetreding-ronde/1" and sent["ronde"] == "NCTV-PGA-2026-12"
        assert sent["partij"] == {"cbs_code": party.code, "naam": party.name}
        assert sent["verklaring_sha256"] == hashlib.sha256(statement.read_bytes()).hexdigest()
        assert sent["verklaring_grootte"] == statement.stat().st_size
        assert (sent["retour_uiterlijk"], sent["niveau_minimaal"]) == ("2027-01-15", "B-T")
        # each party's chain binds its own burgemeester's certificate, not a shared one
        identity = party.statement.authority.signer.certificate
        assert identity is not None
        assert identity.subject["serial_number"] == f"DEMO-{party.code}-BURGEMEESTER"
    summary = (output / "overzicht.csv").read_text(encoding="utf-8-sig").splitlines()
    assert summary[0] == "cbs_code,gemeente,status,fout,verklaring,verklaring_sha256"
    assert all(",opgemaakt," in row for row in summary[1:])
    with Register(register) as records:
        kinds = [e.kind for e in records.entries()]
        assert records.verify().intact
    assert kinds == ["render"] * 5
    # a rerun with nothing changed does nothing
    again = run_batch(settings, plan, BatchOptions(output=output, jobs=2))
    assert (again.rendered, again.skipped) == (0, 5)
    # a lost round file is written again, the statement is kept
    (output / "GM0376" / "ronde.json").unlink()
    kept = (output / "GM0376" / "verklaring.pdf").read_bytes()
    assert run_batch(settings, plan, BatchOptions(output=output)).rendered == 0
    assert (output / "GM0376" / "ronde.json").is_file()
    assert (output / "GM0376" / "verklaring.pdf").read_bytes() == kept
    # a changed input redoes that party only, and its round file follows
    text = (batch_dir / "ronde.yaml").read_text().replace("A. de Bruin", "A. de Bruin-Smit")
    (batch_dir / "ronde.yaml").write_text(text)
    changed = run_batch(settings, load_batch(batch_dir / "ronde.yaml"), BatchOptions(output=output))
    assert changed.rendered == 1
    sent = json.loads((output / "GM0376" / "ronde.json").read_text(encoding="utf-8"))
    assert sent["verklaring_sha256"] != hashlib.sha256(kept).hexdigest()


def test_an_answered_statement_is_never_made_again(batch_dir: Path, tmp_path: Path) -> None:
    """Once a return came in (or a consent was given), the prepared statement is what it
    answered: a changed input fails that party instead of replacing its statement."""
    settings = load_settings(environ={"TOETREDING_REGISTER": "off"}, cwd=tmp_path)
    output = tmp_path / "uit"
    run_batch(settings, load_batch(batch_dir / "ronde.yaml"), BatchOptions(output=output))
    prepared = (output / "GM0376" / "verklaring.pdf").read_bytes()
    (output / "GM0376" / "retouren").mkdir()
    (output / "GM0376" / "retouren" / "0123.json").write_text("{}")
    text = (batch_dir / "ronde.yaml").read_text().replace("A. de Bruin", "A. de Bruin-Smit")
    (batch_dir / "ronde.yaml").write_text(text)
    outcome = run_batch(settings, load_batch(batch_dir / "ronde.yaml"), BatchOptions(output=output))
    assert set(outcome.failures) == {"GM0376"}
    assert "returns have come in" in outcome.failures["GM0376"]
    assert (output / "GM0376" / "verklaring.pdf").read_bytes() == prepared


def test_batch_sign_is_refused_with_the_way_forward(batch_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["batch", str(batch_dir / "klein.yaml"), "-o", str(tmp_path / "uit"), "--sign", "x"],
        env={"TOETREDING_REGISTER": "off"},
    )
    assert result.exit_code == 2
    assert "each party signs its own statement" in result.stderr
    assert "toetreding collect" in result.stderr and "toetreding accept" in result.stderr
    assert not (tmp_path / "uit").exists()


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
