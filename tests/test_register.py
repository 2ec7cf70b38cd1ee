"""The register: hash chain, tamper detection (edit, delete, insert, reorder, truncate),
two writers at once, and the CLI on a demo workspace."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
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


@pytest.mark.parametrize(
    ("case", "edit"),
    [
        # a key named twice: Python's JSON reader keeps the last (the hashed value), sqlite's
        # json_extract and other readers the first (found in review: a forged certificate
        # serial number under "register intact, sealed")
        ("a key named twice", """'{"uitvoer":"vervalst.pdf",' || substr(payload, 2)"""),
        ("the same JSON spaced out", "replace(payload, ',', ', ')"),
        ("a key added in front", """'{"zzz":1,' || substr(payload, 2)"""),
    ],
)
def test_a_payload_stored_otherwise_than_written_is_named(
    tmp_path: Path, case: str, edit: str
) -> None:
    """The chain vouches for the payload as written (canonical JSON): any other text,
    even one Python reads to the same value, is an edited entry."""
    path = filled(tmp_path)
    tamper(path, f"UPDATE entries SET payload = {edit} WHERE seq = 3")
    found = problems(path)
    assert any("entry 3" in p and "changed" in p for p in found), (case, found)


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
    # both chains the statement carries: the party's and the coordinating party's
    assert kinds[:7] == [
        "bevoegdheid",
        "bevoegdheid",
        "render",
        "ondertekening",
        "aanvaarding",
        "verlenging",
        "validatie",
    ]
    # then the coordinator's round: five prepared, five returns judged, three consents,
    # each verified (the burgemeesters' own signing is their municipality's record)
    round_kinds = sorted(kinds[7:])
    # … then the archive package's validation and the register's seal
    assert round_kinds == sorted(
        ["render"] * 5
        + ["retour"] * 5
        + ["aanvaarding"] * 3
        + ["validatie"] * 3
        + ["validatie", "verzegeling"]
    )
    assert kinds[-2:] == ["validatie", "verzegeling"]
    result = runner.invoke(
        app, ["register", "verify", "--config", str(demo / "toetreding.yaml")], env=env
    )  # type: ignore[dict-item]
    assert result.exit_code == 0 and "register intact: 25 entries" in result.stdout
    assert "sealed up to entry 24" in result.stdout
    tamper(
        register_file,
        """UPDATE entries SET payload = replace(payload, 'DEMO', 'ECHT') WHERE seq = 4""",
    )
    result = runner.invoke(
        app, ["register", "verify", "--config", str(demo / "toetreding.yaml")], env=env
    )  # type: ignore[dict-item]
    assert result.exit_code == 1 and "entry 4" in result.stderr
    result = runner.invoke(
        app,
        ["register", "export", "--format", "csv", "--config", str(demo / "toetreding.yaml")],
        env=env,
    )  # type: ignore[dict-item]
    assert result.exit_code == 0 and result.stdout.count("\n") == 26  # header + 25 entries


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


# --- the register cannot forget and cannot be healed (issue #12) ---------------------------


def head_file(path: Path) -> Path:
    return path.with_name(path.name + ".head")


def digest_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "damage",
    ["deleted", "emptied", "garbage", "rolled back", "hash swapped"],
)
def test_a_damaged_head_stops_every_ordinary_write(tmp_path: Path, damage: str) -> None:
    from toetreding.register import RegisterError

    path = filled(tmp_path)
    head = head_file(path)
    if damage == "deleted":
        head.unlink()
    elif damage == "emptied":
        head.write_text("")
    elif damage == "garbage":
        head.write_bytes(b"\x00" * 10)
    elif damage == "rolled back":
        tamper(path, "DELETE FROM entries WHERE seq > 3")
    else:
        head.write_text(f"6 {'ab' * 32}\n")
    before = digest_of(path)
    with Register(path) as register, pytest.raises(RegisterError) as refused:
        register.append(EntryKind.RENDER, {"uitvoer": "heal.pdf"})
    assert "register repair" in (refused.value.hint or ""), refused.value
    assert digest_of(path) == before
    # verify still names the damage: nothing was healed by the attempt
    assert problems(path), damage


def test_repair_reanchors_and_stays_visible(tmp_path: Path) -> None:
    path = filled(tmp_path)
    tamper(path, "DELETE FROM entries WHERE seq > 4")
    head_file(path).unlink()  # the attacker also removes the evidence of truncation
    with Register(path) as register:
        entry = register.repair("head file lost in a restore", by="J. Jansen, DIV")
        register.append(EntryKind.RENDER, {"uitvoer": "na-herstel.pdf"})
        check = register.verify()
    assert entry.kind == "herstel" and entry.seq == 5
    assert entry.payload["gevonden"] == [f"the head file '{head_file(path)}' is missing"]
    assert check.intact and check.entries == 6
    assert len(check.repairs) == 1 and "head file lost in a restore" in check.repairs[0]


def test_repair_needs_a_reason(tmp_path: Path) -> None:
    from toetreding.register import RegisterError

    path = filled(tmp_path)
    with Register(path) as register, pytest.raises(RegisterError):
        register.repair("  ")


def test_head_is_replaced_atomically_not_rewritten_in_place(tmp_path: Path) -> None:
    path = filled(tmp_path, 1)
    head = head_file(path)
    inode = head.stat().st_ino
    with Register(path) as register:
        register.append(EntryKind.RENDER, {"uitvoer": "x.pdf"})
    assert head.stat().st_ino != inode  # a new file renamed over the old one
    assert head.read_text().startswith("2 ")
    assert not list(tmp_path.glob("*.part"))


def test_verify_opens_read_only_and_changes_nothing(tmp_path: Path) -> None:
    path = filled(tmp_path)
    before = {p.name: digest_of(p) for p in tmp_path.iterdir()}
    with Register.open_readonly(path) as register:
        assert register.verify().intact
        list(register.entries())
    after = {p.name: digest_of(p) for p in tmp_path.iterdir()}
    assert after == before  # no -wal/-shm created, no byte changed


def register_command(folder: Path, register_name: str, *args: str) -> Result:
    """`toetreding register ARGS` with a config in ``folder`` naming ``register_name``."""
    config = folder / "toetreding.yaml"
    if not config.exists():
        config.write_text(f"register: {register_name}\n")
    return CliRunner().invoke(
        app,
        ["register", *args, "--config", str(config)],
        env={"TOETREDING_REGISTER": None},  # type: ignore[dict-item]
    )


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n%not a register\n", b"SQLite format 3\x00"])
def test_verify_of_something_that_is_not_a_register_alters_nothing(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "toetreding-register.sqlite"
    path.write_bytes(content)
    result = register_command(tmp_path, path.name, "verify")
    assert result.exit_code == 1, result.output
    assert "not a register" in result.stderr and "Traceback" not in result.output
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "toetreding-register.sqlite",
        "toetreding.yaml",
    ]


def test_a_deleted_register_with_its_head_is_reported_lost(tmp_path: Path) -> None:
    from toetreding.register import RegisterError

    path = filled(tmp_path)
    path.unlink()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with pytest.raises(RegisterError, match="lost"):
        Register.open_readonly(path)
    with pytest.raises(RegisterError, match="lost"):
        Register(path)  # a writer does not start a fresh register over the lost one
    assert not path.exists()
    result = register_command(tmp_path, path.name, "log")
    assert result.exit_code == 1 and "was lost" in result.stderr, result.output


def test_cli_repair_is_recorded_and_shown_by_verify(tmp_path: Path) -> None:
    path = filled(tmp_path)
    head_file(path).write_text("")
    result = register_command(tmp_path, path.name, "verify")
    assert result.exit_code == 1 and "empty or unreadable" in result.stderr
    result = register_command(
        tmp_path, path.name, "repair", "--reason", "head emptied by a sync tool"
    )
    assert result.exit_code == 0, result.output
    result = register_command(tmp_path, path.name, "verify")
    assert result.exit_code == 0, result.output
    assert "repaired" in result.stderr and "head emptied by a sync tool" in result.stderr


def test_render_into_a_register_that_refuses_writes_leaves_no_pdf(workspace: Path) -> None:
    runner = CliRunner()
    env = {"TOETREDING_REGISTER": None}
    previous = Path.cwd()
    os.chdir(workspace)
    try:
        first = runner.invoke(app, ["render", "verzoek.yaml", "-o", "eerste.pdf"], env=env)  # type: ignore[arg-type]
        assert first.exit_code == 0, first.output
        head_file(workspace / "toetreding-register.sqlite").unlink()
        second = runner.invoke(app, ["render", "verzoek.yaml", "-o", "tweede.pdf"], env=env)  # type: ignore[arg-type]
    finally:
        os.chdir(previous)
    assert second.exit_code == 1 and "head file" in second.stderr, second.output
    assert not (workspace / "tweede.pdf").exists()
    assert not list(workspace.glob(".tweede.pdf*"))


def test_verify_with_a_pending_wal_still_creates_nothing(tmp_path: Path) -> None:
    import shutil

    path = filled(tmp_path)
    writer = sqlite3.connect(path, isolation_level=None)  # keeps the WAL from being merged
    writer.execute("SELECT 1 FROM entries").fetchall()
    with Register(path) as register:
        register.append(EntryKind.RENDER, {"uitvoer": "in-de-wal.pdf"})
    # what a crash leaves: the database, its pending WAL and the head, but no -shm
    evidence = tmp_path / "bewijs"
    evidence.mkdir()
    for suffix in ("", "-wal", ".head"):
        shutil.copyfile(path.with_name(path.name + suffix), evidence / (path.name + suffix))
    writer.close()
    before = {p.name: digest_of(p) for p in evidence.iterdir()}
    with Register.open_readonly(evidence / path.name) as register:
        check = register.verify()
    assert check.intact and check.entries == 7, check.problems
    assert {p.name: digest_of(p) for p in evidence.iterdir()} == before


def test_a_zero_head_does_not_heal_a_truncated_register(tmp_path: Path) -> None:
    from toetreding.register import RegisterError

    path = filled(tmp_path)
    tamper(path, "DELETE FROM entries WHERE seq >= 4")
    head_file(path).write_text(f"0 {'0' * 64}\n")
    with Register(path) as register, pytest.raises(RegisterError, match="records no entries"):
        register.append(EntryKind.RENDER, {"uitvoer": "heal.pdf"})


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_head_that_is_not_a_file_neither_hangs_nor_crashes(tmp_path: Path, kind: str) -> None:
    from toetreding.register import RegisterError

    path = filled(tmp_path)
    head = head_file(path)
    head.unlink()
    if kind == "fifo":
        os.mkfifo(head)
    else:
        head.mkdir()
    with Register.open_readonly(path) as register:
        assert any("unreadable" in p for p in register.verify().problems)
    with Register(path) as register:
        with pytest.raises(RegisterError):
            register.append(EntryKind.RENDER, {"uitvoer": "x.pdf"})
        with pytest.raises(RegisterError, match="not a regular file"):
            register.repair("head replaced by a " + kind)
        assert register.verify().entries == 6  # the failed repair wrote no entry


def test_paths_are_recorded_relative_to_the_workspace(tmp_path: Path) -> None:
    """No temporary or personal folder names in the record: a file inside the workspace is
    named relative to it (however it was typed), one outside keeps its absolute path."""
    workspace = tmp_path / "werkmap"
    (workspace / "post").mkdir(parents=True)
    outside = tmp_path / "elders" / "v.pdf"
    with Register(workspace / "register.sqlite", workspace=workspace) as register:
        inside = register.append(
            EntryKind.RENDER,
            {"uitvoer": str(workspace / "post" / ".." / "post" / "v.pdf"), "anders": "/x/y"},
        )
        far = register.append(EntryKind.VALIDATION, {"document": str(outside), "pakket": ""})
        cwd = os.getcwd()
        os.chdir(workspace / "post")
        try:
            typed = register.append(EntryKind.VALIDATION, {"document": "v.pdf"})
        finally:
            os.chdir(cwd)
    assert inside.payload["uitvoer"] == "post/v.pdf"
    assert inside.payload["anders"] == "/x/y"  # only path keys are touched
    assert far.payload["document"] == str(outside.resolve())
    assert far.payload["pakket"] == ""
    assert typed.payload["document"] == "post/v.pdf"
    with Register(workspace / "register.sqlite") as register:
        assert register.verify().intact  # stored exactly as hashed
