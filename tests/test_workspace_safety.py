"""A workspace nobody can break (issue #12): a mistyped -o never destroys the register, a key,
a secret or the configuration, and an earlier output is replaced only with --overwrite.

Every case runs the real CLI in a copy of a real demo workspace and then checks, byte for
byte, that every file in the workspace is as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toetreding.cli import app

runner = CliRunner()
NO_TEST_REGISTER = {"TOETREDING_REGISTER": None}  # use the workspace's own register


@pytest.fixture(scope="module")
def demo_original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "werkmap"
    env = {k: v for k, v in os.environ.items() if k != "TOETREDING_REGISTER"}
    done = subprocess.run(
        [sys.executable, "-m", "toetreding", "demo", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def demo(demo_original: Path, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "werkmap"
    shutil.copytree(demo_original, folder, symlinks=True)
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(previous)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file (and link) in the workspace with its content hash."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(folder))] = "link→" + os.readlink(path)
        elif path.is_file():
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def cite_decision_document(workspace: Path, name: str, content: bytes) -> None:
    """Put a decision document in the workspace and cite it (with its SHA-256) in the chain."""
    (workspace / name).write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    authority = workspace / "bevoegdheid.yaml"
    authority.write_text(
        authority.read_text().replace(
            '    kenmerk: "Z-2026-04512"\n',
            '    kenmerk: "Z-2026-04512"\n'
            f"    document:\n      bestand: {name}\n      sha256: {digest}\n",
        )
    )


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=NO_TEST_REGISTER)  # type: ignore[arg-type]
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


PROTECTED = [
    "toetreding-register.sqlite",
    "toetreding-register.sqlite.head",
    "toetreding.yaml",
    "convenant.yaml",
    "verzoek.yaml",
    "bevoegdheid.yaml",
    "pki/burgemeester.p12",
    "pki/coordinator.p12",
    "pki/wachtwoord.txt",
    "pki/demo-root.pem",
    "pki/demo-root.crl",
    "pki/demo-tsa.pem",
    "logo.svg",
]


@pytest.mark.parametrize("target", PROTECTED)
@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "--overwrite"])
def test_sign_never_writes_over_a_workspace_file(demo: Path, target: str, overwrite: bool) -> None:
    before = snapshot(demo)
    extra = ["--overwrite"] if overwrite else []
    code, err = cli("sign", "verklaring.pdf", "-o", target, *extra)
    assert code == 1, err
    assert target.split("/")[-1] in err or "does not end in .pdf" in err, err
    assert snapshot(demo) == before


@pytest.mark.parametrize(
    "command",
    [
        ["render", "verzoek.yaml"],
        ["extend", "verklaring-ondertekend.pdf", "--level", "B-LTA"],
        ["register", "export", "--format", "csv"],
    ],
    ids=["render", "extend", "register-export"],
)
@pytest.mark.parametrize(
    "target", ["toetreding-register.sqlite", "pki/burgemeester.p12", "toetreding.yaml"]
)
def test_other_commands_never_write_over_a_workspace_file(
    demo: Path, command: list[str], target: str
) -> None:
    before = snapshot(demo)
    code, err = cli(*command, "-o", target, "--overwrite")
    assert code == 1, err
    assert snapshot(demo) == before


@pytest.mark.parametrize("target", ["toetreding-register.sqlite", "pki/burgemeester.p12"])
def test_a_hard_link_or_symlink_to_a_protected_file_is_recognised(demo: Path, target: str) -> None:
    os.link(demo / target, demo / "hard.pdf")
    (demo / "soft.pdf").symlink_to(demo / target)
    before = snapshot(demo)
    for alias in ("hard.pdf", "soft.pdf"):
        code, err = cli("sign", "verklaring.pdf", "-o", alias, "--overwrite")
        assert code == 1 and "protected workspace file" in err, err
    assert snapshot(demo) == before


def test_the_signing_key_named_by_a_profile_elsewhere_is_protected(demo: Path) -> None:
    """A key store with a .pdf name is still a key store: protection is by what the config names."""
    config = demo / "toetreding.yaml"
    os.rename(demo / "pki" / "burgemeester.p12", demo / "pki" / "sleutel.pdf")
    config.write_text(config.read_text().replace("pki/burgemeester.p12", "pki/sleutel.pdf"))
    before = snapshot(demo)
    code, err = cli("sign", "verklaring.pdf", "-o", "pki/sleutel.pdf", "--overwrite")
    assert code == 1 and "protected workspace file" in err, err
    assert snapshot(demo) == before


def test_an_earlier_output_is_replaced_only_with_overwrite(demo: Path) -> None:
    earlier = demo / "eerder.pdf"
    earlier.write_bytes(b"%PDF-1.7\n% an earlier, unsigned draft\n")
    before = snapshot(demo)
    code, err = cli("render", "verzoek.yaml", "-o", "eerder.pdf")
    assert code == 1 and "already exists" in err and "--overwrite" in err, err
    assert snapshot(demo) == before
    code, err = cli("render", "verzoek.yaml", "-o", "eerder.pdf", "--overwrite")
    assert code == 0, err
    assert earlier.read_bytes() == (demo / "verklaring.pdf").read_bytes()


EVIDENCE = [
    ("render", "verzoek.yaml", "-o", "verklaring-met-instemming.pdf", "a signed PDF"),
    ("render", "verzoek.yaml", "-o", "verklaring-ondertekend.pdf", "a signed PDF"),
    ("render", "verzoek.yaml", "-o", "ronde/GM0376/verklaring.pdf", "round"),
    ("register", "export", "-o", "ronde/manifest.json", "round"),
    ("register", "export", "-o", "ronde/GM0402/instemming.json", "round"),
    (
        "render",
        "verzoek.yaml",
        "-o",
        "archief/verklaring-verlengd/verklaring-verlengd.pdf",
        "archive package",
    ),
    (
        "register",
        "export",
        "-o",
        "archief/verklaring-verlengd/validatierapport.json",
        "archive package",
    ),
]


@pytest.mark.parametrize("case", EVIDENCE, ids=[c[3] for c in EVIDENCE])
def test_overwrite_never_replaces_evidence(demo: Path, case: tuple[str, ...]) -> None:
    """A signed PDF (a party's or coordinator's act), a round's files and an archive
    package's files are never an "earlier output" (found in review: `render -o` on the
    consented original replaced it with a blank statement, exit 0)."""
    *command, what = case
    before = snapshot(demo)
    code, err = cli(*command, "--overwrite")
    assert code == 1 and what in err and "never evidence" in err, err
    assert snapshot(demo) == before


def test_the_register_is_never_replaced_even_by_library_code(demo: Path) -> None:
    """The last line of defence in fileio: whatever the caller, a database is not overwritten."""
    from toetreding.errors import OutputError
    from toetreding.fileio import write_atomically

    register = demo / "toetreding-register.sqlite"
    before = register.read_bytes()
    with pytest.raises(OutputError, match="database"):
        write_atomically(register, b"%PDF-1.7\n")
    assert register.read_bytes() == before


def test_a_refused_output_costs_no_pin_and_no_register_entry(demo: Path) -> None:
    """The refusal comes before the key store is opened: a wrong secret file is never read."""
    (demo / "pki" / "wachtwoord.txt").write_text("fout\n")  # opening the key would fail
    code, err = cli("sign", "verklaring.pdf", "-o", "toetreding.yaml")
    assert code == 1 and "does not end in .pdf" in err, err
    assert "passphrase" not in err.lower()


def test_render_never_writes_over_a_decision_document_it_cites(demo: Path) -> None:
    cite_decision_document(demo, "besluit-college.pdf", b"%PDF-1.7\n% the college decision\n")
    before = snapshot(demo)
    code, err = cli("render", "verzoek.yaml", "-o", "besluit-college.pdf", "--overwrite")
    assert code == 1 and "is also the input" in err, err
    assert snapshot(demo) == before


@pytest.mark.parametrize("source", ["/dev/zero", "/dev/urandom", "pijp", "schemas"])
@pytest.mark.parametrize("command", ["sign", "extend"])
def test_a_device_pipe_or_folder_given_as_the_pdf_is_refused_at_once(
    demo: Path, source: str, command: str
) -> None:
    os.mkfifo(demo / "pijp")
    done = subprocess.run(
        [sys.executable, "-m", "toetreding", command, source, "-o", "uit.pdf"],
        cwd=demo,
        env={k: v for k, v in os.environ.items() if k != "TOETREDING_REGISTER"},
        capture_output=True,
        text=True,
        timeout=60,  # a blocking read would hang here
    )
    assert done.returncode == 1, done.stderr
    assert "not a regular file" in done.stderr or "is a folder" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "this is a bug" not in done.stderr
    assert not (demo / "uit.pdf").exists()


@pytest.mark.parametrize("target", [".", "pki", "batch"])
def test_batch_output_into_a_folder_that_is_not_a_batchs_is_refused(
    demo: Path, target: str
) -> None:
    before = snapshot(demo)
    code, err = cli("batch", "batch/klein.yaml", "-o", target)
    assert code == 1 and "not a batch's" in err, err
    assert snapshot(demo) == before


@pytest.mark.parametrize("key", ["register", "sjablonen", "huisstijl:\n  logo"])
def test_a_nul_in_a_config_path_is_a_located_error(demo: Path, key: str) -> None:
    config = demo / "toetreding.yaml"
    text = config.read_text()
    if key.startswith("huisstijl"):
        text = text.replace("  logo: logo.svg", '  logo: "lo\\0go.svg"')
    else:
        text += f'\n{key}: "a\\0b"\n'
    config.write_text(text)
    code, err = cli("render", "verzoek.yaml", "-o", "nul.pdf")
    assert code == 1 and "NUL" in err and "this is a bug" not in err, err


def test_an_output_name_too_long_for_the_file_system_is_a_clear_error(demo: Path) -> None:
    name = "v" * 300 + ".pdf"
    code, err = cli("render", "verzoek.yaml", "-o", name)
    assert code == 1 and "too long" in err and "this is a bug" not in err, err
    assert not list(demo.glob(".v*.part"))


def test_preview_never_writes_over_a_decision_document(demo: Path) -> None:
    cite_decision_document(demo, "besluit-college.png", b"\x89PNG\r\n\x1a\n the scan")
    before = snapshot(demo)
    code, err = cli(
        "render", "verzoek.yaml", "-o", "p.pdf", "--preview", "besluit-college.png", "--overwrite"
    )
    assert code == 1 and "is also the input" in err, err
    assert snapshot(demo) == before


def test_sign_never_writes_over_a_trust_root_given_on_the_command_line(demo: Path) -> None:
    shutil.copyfile(demo / "pki" / "demo-root.pem", demo / "anker.pdf")
    before = snapshot(demo)
    code, err = cli(
        "sign", "verklaring.pdf", "-o", "anker.pdf", "--trust", "anker.pdf", "--overwrite"
    )
    assert code == 1 and "is also the input" in err, err
    assert snapshot(demo) == before


def test_demo_refresh_never_follows_a_link_out_of_its_folder(tmp_path: Path) -> None:
    victim = tmp_path / "slachtoffer"
    victim.mkdir()
    (victim / "notities.txt").write_text("kostbaar\n")
    evil = tmp_path / "demo"
    evil.mkdir()
    (evil / ".toetreding-demo").write_text("")
    (evil / "verzoek.yaml").symlink_to(victim / "notities.txt")
    (evil / "pki").symlink_to(victim)
    code, err = cli("demo", str(evil))
    assert code == 1 and "already holds a demo workspace" in err, err
    assert sorted(p.name for p in victim.iterdir()) == ["notities.txt"]
    assert (victim / "notities.txt").read_text() == "kostbaar\n"


def test_batch_never_writes_through_a_link_planted_in_its_folder(
    demo: Path, tmp_path: Path
) -> None:
    code, err = cli("batch", "batch/klein.yaml", "-o", "uit")
    assert code == 0, err
    victim = tmp_path / "elders"
    victim.mkdir()
    shutil.rmtree(demo / "uit" / "GM0406")
    (demo / "uit" / "GM0406").symlink_to(victim)
    (demo / "uit" / "GM0376" / "verklaring.pdf").unlink()
    (demo / "uit" / "GM0376" / "verklaring.pdf").symlink_to(demo / "verklaring-met-instemming.pdf")
    before = snapshot(demo)
    code, err = cli("batch", "batch/klein.yaml", "-o", "uit")
    assert code == 3 and "symbolic link" in err, err
    assert list(victim.iterdir()) == []
    after = snapshot(demo)
    assert after["verklaring-met-instemming.pdf"] == before["verklaring-met-instemming.pdf"]


def test_a_status_page_in_the_round_folder_may_be_replaced(demo: Path) -> None:
    """Only the round's own files there are evidence: the coordinator's status page is an
    output like any other."""
    code, err = cli("status", "-r", "ronde", "--html", "ronde/status.html")
    assert code == 0, err
    code, err = cli("status", "-r", "ronde", "--html", "ronde/status.html", "--overwrite")
    assert code == 0, err


def test_the_evidence_names_are_the_ones_the_round_and_archive_write() -> None:
    """outputs.py names these files without importing their (heavy) modules."""
    from toetreding import outputs
    from toetreding.archive.package import MANIFEST
    from toetreding.batch.manifest import MANIFEST_NAME
    from toetreding.batch.run import SUMMARY_FILE
    from toetreding.round.files import ROUND_FILE

    assert (outputs.ROUND_FILE, outputs.ROUND_MANIFEST) == (ROUND_FILE, MANIFEST_NAME)
    assert (outputs.ROUND_SUMMARY, outputs.PACKAGE_MANIFEST) == (SUMMARY_FILE, MANIFEST)
