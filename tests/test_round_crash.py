"""Crash safety of the round (issue #15): `collect` and `accept` killed (kill -9) at their
most delicate moment — a file written, its register entry not — and run again; and the
other states a kill can leave, made on purpose. Afterwards files, state files and the
register agree: every stored return has its verdict file and exactly one register entry,
every consent has its entry, is verified and has its instemming.json, and nothing already
signed is signed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toetreding.register import Register

from .test_round import by_code, demo, sign_prepared, status_of, toetreding, ws  # noqa: F401

REGISTER = "toetreding-register.sqlite"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entries(folder: Path) -> list[Any]:
    with Register(folder / REGISTER) as register:
        assert register.verify().intact
        return list(register.entries())


def assert_agree(folder: Path) -> None:
    """Files, state files and register tell one story."""
    recorded = entries(folder)
    returns: dict[str, list[Any]] = {}
    for entry in recorded:
        if entry.kind == "retour":
            returns.setdefault(entry.payload["document_sha256"], []).append(entry)
    for pdf in (folder / "ronde").glob("*/retouren/*.pdf"):
        digest = sha256(pdf)
        verdict = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
        assert verdict["sha256"] == digest
        assert len(returns.get(digest, [])) == 1, f"{pdf}: {len(returns.get(digest, []))} entries"
        assert verdict["register_volgnummer"] == returns[digest][0].seq
    made = {e.payload.get("uitvoer_sha256"): e for e in recorded if e.kind == "aanvaarding"}
    for consent in (folder / "ronde").glob("*/verklaring-met-instemming.pdf"):
        digest = sha256(consent)
        assert digest in made, f"{consent} has no register entry"
        state = json.loads((consent.parent / "instemming.json").read_text(encoding="utf-8"))
        assert state["sha256"] == digest and state["verificatie"] == "PASSED"
    assert not list((folder / "ronde").rglob("*.part")), "half-written files were left"


class Running:
    """A `toetreding` subprocess whose stderr (progress lines) is read live."""

    def __init__(self, cwd: Path, *arguments: str) -> None:
        environment = {**os.environ, "TOETREDING_TAAL": "en", "COLUMNS": "200"}
        environment.pop("TOETREDING_REGISTER")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "toetreding", *arguments],
            cwd=cwd,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []

    def wait_for(self, text: str, timeout: float = 120) -> None:
        assert self.process.stderr is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            self.lines.append(line)
            if text in line:
                return
        raise AssertionError(f"never saw {text!r}: {''.join(self.lines)}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)


@contextlib.contextmanager
def register_held(path: Path) -> Iterator[None]:
    """Another writer holds the register's write lock: the next append has to wait."""
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        db.execute("ROLLBACK")
        db.close()


def wait_until(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_kill_9_while_collect_records_then_resume(ws: Path) -> None:  # noqa: F811
    returned = sign_prepared(ws, "GM0317", ws / "inbox-2" / "Eemnes.pdf")
    before = len(entries(ws))
    run = Running(ws, "collect", "inbox-2", "-r", "ronde", "--jobs", "1")
    run.wait_for("checking: 0/1")
    with register_held(ws / REGISTER):
        stored = ws / "ronde" / "GM0317" / "retouren"
        wait_until(lambda: len(list(stored.glob("*.pdf"))) == 2)  # the new one is stored
        time.sleep(3)  # its check finishes in the worker; the leader waits for the register
        run.kill()
    assert len(entries(ws)) == before, "the kill came after the entry"
    new = next(p for p in stored.glob("*.pdf") if p.stem == sha256(returned)[:32])
    assert not new.with_suffix(".json").exists()
    # the next run finishes it, from the round folder, even without the inbox
    (ws / "inbox-2" / "Eemnes.pdf").unlink()
    again = toetreding(ws, "collect", "inbox-2", "-r", "ronde")
    assert again.returncode == 0, again.stdout + again.stderr
    assert by_code(status_of(ws))["GM0317"]["status"] == "retour"
    assert len(entries(ws)) == before + 1
    assert_agree(ws)


def test_a_verdict_file_lost_after_its_entry_is_written_again_from_the_register(
    ws: Path,  # noqa: F811
) -> None:
    sign_prepared(ws, "GM0317", ws / "inbox-2" / "Eemnes.pdf")
    assert toetreding(ws, "collect", "inbox-2", "-r", "ronde").returncode == 0
    recorded = len(entries(ws))
    new = max(
        (ws / "ronde" / "GM0317" / "retouren").glob("*.json"), key=lambda p: p.stat().st_mtime
    )
    written = json.loads(new.read_text())
    new.unlink()  # as if killed between the entry and the verdict file
    again = toetreding(ws, "collect", "inbox-2", "-r", "ronde")
    assert again.returncode == 0 and "finished from the register" in again.stdout, again.stdout
    assert len(entries(ws)) == recorded  # not judged or recorded twice
    rewritten = json.loads(new.read_text())
    assert rewritten["register_volgnummer"] == written["register_volgnummer"]
    assert rewritten["uitslag"] == "aanvaardbaar"
    assert_agree(ws)


def test_kill_9_while_accept_records_then_resume(ws: Path) -> None:  # noqa: F811
    sign_prepared(ws, "GM0317", ws / "inbox-2" / "Eemnes.pdf")
    assert toetreding(ws, "collect", "inbox-2", "-r", "ronde").returncode == 0
    target = ws / "ronde" / "GM0317" / "verklaring-met-instemming.pdf"
    run = Running(ws, "accept", "-r", "ronde", "--signer", "coordinator", "--jobs", "1")
    run.wait_for("signing: 0/1")
    with register_held(ws / REGISTER):
        wait_until(target.exists)
        run.kill()
    signed = target.read_bytes()
    assert sha256(target) not in {e.payload.get("uitvoer_sha256") for e in entries(ws)}
    assert not (target.parent / "instemming.json").exists()
    again = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert again.returncode == 0, again.stdout + again.stderr
    assert target.read_bytes() == signed, "the consent was signed again"
    recovered = [
        e
        for e in entries(ws)
        if e.kind == "aanvaarding" and e.payload.get("hersteld_na_onderbreking")
    ]
    assert [e.payload["uitvoer_sha256"] for e in recovered] == [sha256(target)]
    assert by_code(status_of(ws))["GM0317"]["status"] == "aanvaard"
    assert_agree(ws)


def test_a_consent_without_its_state_file_is_verified_not_signed_again(
    ws: Path,  # noqa: F811
) -> None:
    target = ws / "ronde" / "GM0376" / "verklaring-met-instemming.pdf"
    kept = target.read_bytes()
    (target.parent / "instemming.json").unlink()  # as if killed after the entry
    signatures = sum(e.kind == "aanvaarding" for e in entries(ws))
    again = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert again.returncode == 0, again.stdout + again.stderr
    assert target.read_bytes() == kept
    assert sum(e.kind == "aanvaarding" for e in entries(ws)) == signatures
    assert by_code(status_of(ws))["GM0376"]["status"] == "aanvaard"
    assert_agree(ws)


def test_a_foreign_file_where_the_consent_goes_is_recorded_and_replaced(
    ws: Path,  # noqa: F811
) -> None:
    target = ws / "ronde" / "GM0376" / "verklaring-met-instemming.pdf"
    foreign = ws / "verklaring-met-instemming.pdf"  # Huizen's consented statement
    target.write_bytes(foreign.read_bytes())
    (target.parent / "instemming.json").unlink()
    again = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert again.returncode == 0, again.stdout + again.stderr
    assert target.read_bytes() != foreign.read_bytes()
    replaced = [
        e
        for e in entries(ws)
        if e.kind == "aanvaarding"
        and e.payload.get("vervangen")
        and e.payload["uitvoer_sha256"] == hashlib.sha256(foreign.read_bytes()).hexdigest()
    ]
    assert len(replaced) == 1, "the file found there left no trace"
    assert by_code(status_of(ws))["GM0376"]["status"] == "aanvaard"
    assert_agree(ws)


def test_ctrl_c_during_accept_keeps_what_was_done_and_a_rerun_finishes(
    ws: Path,  # noqa: F811
) -> None:
    """Ctrl-C while the pipeline signs: the consent being recorded is finished (file and
    entry together), nothing new starts, the run exits 130; the next run verifies what was
    signed (never signs it again) and accepts the rest."""
    codes = ("GM0317", "GM0417")
    for code in codes:
        sign_prepared(ws, code, ws / "inbox-9" / f"{code}.pdf")
    assert toetreding(ws, "collect", "inbox-9", "-r", "ronde").returncode == 0
    targets = [ws / "ronde" / code / "verklaring-met-instemming.pdf" for code in codes]
    run = Running(ws, "accept", "-r", "ronde", "--signer", "coordinator", "--jobs", "1")
    run.wait_for("signing: 0/1")
    with register_held(ws / REGISTER):
        wait_until(lambda: any(t.exists() for t in targets))  # written; its entry must wait
        run.process.send_signal(signal.SIGINT)
        time.sleep(0.5)
    assert run.process.wait(120) == 130
    assert run.process.stderr is not None
    rest = run.process.stderr.read()
    assert "Traceback" not in rest, rest
    signed = {t: t.read_bytes() for t in targets if t.exists()}
    assert len(signed) == 1, "the interrupt should have stopped the second consent"
    made = {e.payload.get("uitvoer_sha256") for e in entries(ws) if e.kind == "aanvaarding"}
    assert all(hashlib.sha256(data).hexdigest() in made for data in signed.values())
    again = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert again.returncode == 0, again.stdout + again.stderr
    for target, data in signed.items():
        assert target.read_bytes() == data, "the consent was signed again"
    status = by_code(status_of(ws))
    assert all(status[code]["status"] == "aanvaard" for code in codes)
    assert_agree(ws)
