"""The register: hash chain, tamper detection (edit, delete, insert, reorder, truncate),
two writers at once, and the CLI on a demo workspace."""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toetreding.cli import app
from toetreding.register import EntryKind, Register


def filled(tmp_path: Path, count: int = 6) -> Path:
    path = tmp_path / "register.sqlite"
    with Register(path) as register:
        for index in range(count):
            register.append(
                EntryKind.RENDER, {"uitvoer": f"v{index}.pdf", "uitvoer_sha256": f"{index:064x}"}
            )
    return path


def problems(path: Path) -> list[str]:
    with Register(path) as register:
        return list(register.verify().problems)


def tamper(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def test_an_untouched_register_is_intact(tmp_path: Path) -> None:
    path = filled(tmp_path)
    with Register(path) as register:
        check = register.verify()
        entries = list(register.entries())
    assert check.intact and check.entries == 6
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].previous_hash == "0" * 64
    assert all(b.previous_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    assert check.head_hash == entries[-1].entry_hash


def test_an_edited_entry_is_named(tmp_path: Path) -> None:
    path = filled(tmp_path)
    tamper(path, """UPDATE entries SET payload = '{"uitvoer":"vals.pdf"}' WHERE seq = 3""")
    found = problems(path)
    assert any("entry 3" in p and "changed" in p for p in found), found


def test_a_deleted_entry_is_named(tmp_path: Path) -> None:
    path = filled(tmp_path)
    tamper(path, "DELETE FROM entries WHERE seq = 4")
    found = problems(path)
    assert any("entry 4 is missing" in p for p in found), found
    assert any("entry 5" in p and "does not follow" in p for p in found), found


def test_an_inserted_entry_is_named(tmp_path: Path) -> None:
    path = filled(tmp_path)
    # make room after entry 2 and slip a forged entry in, copying a real hash
    tamper(
        path,
        "UPDATE entries SET seq = seq + 100 WHERE seq > 2",
        "UPDATE entries SET seq = seq - 99 WHERE seq > 100",
        'INSERT INTO entries SELECT 3, recorded_at, kind, \'{"uitvoer":"ingevoegd.pdf"}\', '
        "previous_hash, entry_hash FROM entries WHERE seq = 4",
    )
    found = problems(path)
    assert any("entry 3" in p for p in found) and any("entry 4" in p for p in found), found


def test_reordered_entries_are_named(tmp_path: Path) -> None:
    path = filled(tmp_path)
    tamper(
        path,
        "UPDATE entries SET seq = 100 WHERE seq = 2",
        "UPDATE entries SET seq = 2 WHERE seq = 5",
        "UPDATE entries SET seq = 5 WHERE seq = 100",
    )
    found = problems(path)
    assert any("entry 2" in p for p in found) and any("entry 5" in p for p in found), found


def test_truncation_is_caught_by_the_head(tmp_path: Path) -> None:
    path = filled(tmp_path)
    tamper(path, "DELETE FROM entries WHERE seq > 4")
    found = problems(path)
    assert any("truncated" in p and "entry 6" in p for p in found), found


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite"
    Register(path).close()
    script = (
        "import sys; from pathlib import Path; from toetreding.register import Register, EntryKind\n"
        "with Register(Path(sys.argv[1])) as r:\n"
        "    for i in range(60):\n"
        "        r.append(EntryKind.VALIDATION, {'proces': sys.argv[2], 'i': i})\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(path), name]) for name in ("a", "b")
    ]
    assert all(w.wait(timeout=120) == 0 for w in writers)
    with Register(path) as register:
        check = register.verify()
        entries = list(register.entries())
    assert check.intact, check.problems
    assert len(entries) == 120
    assert {(e.payload["proces"], e.payload["i"]) for e in entries} == {
        (name, i) for name in ("a", "b") for i in range(60)
    }


def test_export_formats(tmp_path: Path) -> None:
    path = filled(tmp_path, 2)
    with Register(path) as register:
        lines = register.export("jsonl").splitlines()
        table = register.export("csv").splitlines()
    assert len(lines) == 2 and '"kind":"render"' in lines[0]
    assert table[0].startswith("seq,recorded_at,kind") and len(table) == 3


def test_demo_workspace_register_via_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    demo = tmp_path / "demo"
    env = {"TOETREDING_REGISTER": None}
    result = runner.invoke(app, ["demo", str(demo)], env=env)  # type: ignore[dict-item]
    assert result.exit_code == 0, result.stderr
    register_file = demo / "toetreding-register.sqlite"
    assert register_file.is_file()
    with Register(register_file) as register:
        kinds = [e.kind for e in register.entries()]
    assert kinds == ["bevoegdheid", "render", "ondertekening", "aanvaarding", "validatie"]
    result = runner.invoke(
        app, ["register", "verify", "--config", str(demo / "toetreding.yaml")], env=env
    )  # type: ignore[dict-item]
    assert result.exit_code == 0 and "register intact: 5 entries" in result.stdout
    tamper(
        register_file,
        """UPDATE entries SET payload = replace(payload, 'DEMO', 'ECHT') WHERE seq = 3""",
    )
    result = runner.invoke(
        app, ["register", "verify", "--config", str(demo / "toetreding.yaml")], env=env
    )  # type: ignore[dict-item]
    assert result.exit_code == 1 and "entry 3" in result.stderr
    result = runner.invoke(
        app,
        ["register", "export", "--format", "csv", "--config", str(demo / "toetreding.yaml")],
        env=env,
    )  # type: ignore[dict-item]
    assert result.exit_code == 0 and result.stdout.count("\n") == 6


@pytest.mark.usefixtures("test_pki")
def test_sign_says_when_the_pdf_is_not_in_the_register(
    tmp_path: Path, unsigned_pdf: Path, test_pki: object
) -> None:
    from toetreding.config import load_settings
    from toetreding.sign import SignerChoice
    from toetreding.workflow import sign_recorded

    from .support.pki import PASSPHRASE, RunningPki

    assert isinstance(test_pki, RunningPki)
    secret = tmp_path / "pw"
    secret.write_text(PASSPHRASE)
    settings = load_settings(
        environ={"TOETREDING_REGISTER": str(tmp_path / "r.sqlite")}, cwd=tmp_path
    )
    choice = SignerChoice(
        pkcs12=test_pki.pkcs12("signer-rsa"),
        secret_file=secret,
        function="burgemeester van Huizen",
        on_behalf_of="de gemeente Huizen",
    )
    recorded = sign_recorded(settings, unsigned_pdf, tmp_path / "getekend.pdf", choice)
    assert recorded.warnings and "not in this workspace's register" in recorded.warnings[0]
    with Register(tmp_path / "r.sqlite") as register:
        (entry,) = register.entries()
    assert entry.kind == "ondertekening" and entry.payload["certificaat"]["serienummer"]
    assert entry.payload["keten_sha256"]
