"""Crash safety of `batch` (issue #12; since #15 it prepares a round and signs nothing):
a real `python -m toetreding batch` process is killed (kill -9), interrupted (Ctrl-C) or
stopped (SIGTERM) while rendering and run again.

After every run the output folder, the manifest and the register must agree: each
statement on disk has its register entry and its round file, no entry names a file that is
not there (unless a later entry replaced it), the chain is intact, and a statement that
survived is kept. A killed leader takes its forkserver and workers along, an interrupt says
exactly what was written, and a full disk fails only the party it hit. (Crash safety of
collect and accept: tests/test_round_crash.py.)
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from toetreding.batch import BatchOptions, load_batch, run_batch
from toetreding.config import Settings, load_settings
from toetreding.register import Entry, Register

from .conftest import ROOT

STATEMENT = "verklaring.pdf"
ROUND_FILE = "ronde.json"
BATCH_FILE = "batch/alle-gemeenten.yaml"


def party_codes(count: int) -> list[str]:
    """The first ``count`` municipalities of the example batch."""
    with (ROOT / "examples" / "batch" / "gemeenten.csv").open(encoding="utf-8") as stream:
        return [row["cbs_code"] for row in csv.DictReader(stream)][:count]


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace (batch files, the demo PKI), made once."""
    from toetreding.demo import create_demo

    folder = tmp_path_factory.mktemp("crash") / "werkmap"
    create_demo(folder)
    return folder


@dataclass
class Workspace:
    """A private copy of the demo workspace with its own register and temporary folder."""

    root: Path
    register: Path
    temp: Path

    @property
    def output(self) -> Path:
        return self.root / "uit"

    def env(self, register: str | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("TOETREDING_DEBUG", None)
        env.update(
            TOETREDING_REGISTER=register or str(self.register),
            TMPDIR=str(self.temp),
            COLUMNS="200",
        )
        return env

    def start(self, codes: list[str], *extra: str, session: bool = False) -> BatchProcess:
        arguments = [BATCH_FILE, "-o", "uit", "--only", ",".join(codes), *extra]
        return BatchProcess(arguments, self.root, self.env(), session)

    def run(self, codes: list[str], *extra: str, register: str | None = None) -> BatchProcess:
        arguments = [BATCH_FILE, "-o", "uit", "--only", ",".join(codes), *extra]
        process = BatchProcess(arguments, self.root, self.env(register), False)
        process.finish()
        return process


@pytest.fixture
def ws(demo_workspace: Path, tmp_path: Path) -> Workspace:
    root = tmp_path / "werkmap"
    shutil.copytree(demo_workspace, root)
    temp = tmp_path / "tmp"
    temp.mkdir()
    return Workspace(root, tmp_path / "register.sqlite", temp)


@dataclass
class BatchProcess:
    """A `toetreding batch` subprocess whose stderr (progress lines) is watched live."""

    arguments: list[str]
    cwd: Path
    env: dict[str, str]
    session: bool
    lines: list[str] = field(default_factory=list)
    stdout: str = ""

    def __post_init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "toetreding", "batch", *self.arguments],
            cwd=self.cwd,
            env={**self.env, "TOETREDING_TAAL": "en"},  # the progress words watched below
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=self.session,
        )
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read_stderr, daemon=True),
            threading.Thread(target=self._read_stdout, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        self.stdout = self.process.stdout.read()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, at_least: int = 0, timeout: float = 120) -> int:
        """Wait for a progress line ``pattern`` (with a (\\d+) count ≥ at_least)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    match = regex.search(line)
                    if match and (not match.groups() or int(match.group(1)) >= at_least):
                        return int(match.group(1)) if match.groups() else 0
                seen = len(self.lines)
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"never saw {pattern!r}:\n{self.stderr}")
                self._changed.wait(0.05)

    def finish(self, timeout: float = 180) -> int:
        code = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(10)
        return code

    def signal(self, number: int) -> None:
        if self.session:
            os.killpg(self.pid, number)
        else:
            os.kill(self.pid, number)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def register_entries(ws: Workspace) -> list[Entry]:
    with Register(ws.register) as register:
        return list(register.entries())


def assert_agree(ws: Workspace, codes: list[str], *, complete: bool, in_flight: int = 0) -> None:
    """Files, manifest and register tell the same story (see the module docstring).

    ``in_flight``: right after a kill -9, up to this many files may be on disk without
    their entry yet (renamed into place, the leader killed before it recorded them); the
    next run records them, which the tests check after it.
    """
    verify = subprocess.run(
        [sys.executable, "-m", "toetreding", "register", "verify"],
        cwd=ws.root,
        env=ws.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0 and "register intact" in verify.stdout, verify.stderr
    entries = register_entries(ws)
    made: dict[str, list[Entry]] = {}
    for entry in entries:
        if "uitvoer_sha256" in entry.payload:
            made.setdefault(entry.payload["uitvoer_sha256"], []).append(entry)
    unrecorded = []
    for code in codes:
        path = ws.output / code / STATEMENT
        if path.is_file():
            if "render" not in [e.kind for e in made.get(sha256(path), [])]:
                unrecorded.append(path)
        elif complete:
            raise AssertionError(f"{path} is missing after a complete run")
        if complete:  # the round file sent with it names exactly this statement
            sent = json.loads((ws.output / code / ROUND_FILE).read_text(encoding="utf-8"))
            assert sent["verklaring_sha256"] == sha256(path)
    assert len(unrecorded) <= in_flight, f"on disk but not in the register: {unrecorded}"
    by_output: dict[str, list[Entry]] = {}
    for entry in entries:
        if "uitvoer" in entry.payload:
            by_output.setdefault(entry.payload["uitvoer"], []).append(entry)
    for name, recorded in by_output.items():
        path = Path(name)
        if ws.output not in path.parents:
            continue
        assert path.is_file(), f"the register names {path}, which does not exist"
        assert recorded[-1].payload["uitvoer_sha256"] == sha256(path), (
            f"the newest entry for {path} does not match the file"
        )
    manifest_file = ws.output / "manifest.json"
    # a kill in the first seconds may come before the first save; the register has it all
    assert manifest_file.is_file() or not complete
    saved = json.loads(manifest_file.read_text(encoding="utf-8")) if manifest_file.is_file() else {}
    for code, record in saved.get("partijen", {}).items():
        if "render" in record:
            assert sha256(ws.output / code / STATEMENT) == record["render"]["sha256"]
            assert not Path(record["render"]["bestand"]).is_absolute()
    if not in_flight:  # a killed writer may leave its temporary file: the next run removes it
        assert not list(ws.output.rglob("*.part")), "half-written files were left behind"
    if complete:
        summary = (ws.output / "overzicht.csv").read_text(encoding="utf-8-sig").splitlines()
        assert len(summary) == len(codes) + 1
        assert all(",opgemaakt," in row for row in summary[1:]), summary


def statements(ws: Workspace, codes: list[str]) -> dict[str, bytes]:
    return {
        code: (ws.output / code / STATEMENT).read_bytes()
        for code in codes
        if (ws.output / code / STATEMENT).is_file()
    }


def assert_kept(ws: Workspace, before: dict[str, bytes]) -> None:
    for code, data in before.items():
        assert (ws.output / code / STATEMENT).read_bytes() == data, f"{code} was made again"


# --- processes: what a killed leader leaves behind ---------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree = _children()
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def assert_all_end(pids: set[int], within: float = 10) -> None:
    deadline = time.monotonic() + within
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = {p for p in pids if alive(p)}
    for pid in left:  # do not leave them running for the other tests
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running {within:.0f} s after the leader died: {sorted(left)}"


def sandboxes(ws: Workspace) -> list[str]:
    return sorted(p.name for p in ws.temp.iterdir() if p.name.startswith("toetreding-"))


@pytest.fixture
def linux_proc() -> None:
    if not Path("/proc/self/stat").is_file():
        pytest.skip("needs Linux /proc to find the batch's processes")


# --- kill -9 in each stage, then resume ----------------------------------------------------


@pytest.mark.slow
def test_kill_9_while_rendering_then_resume(ws: Workspace, linux_proc: None) -> None:
    codes = party_codes(40)
    run = ws.start(codes, "--jobs", "1")
    run.wait_for(r"rendering: (\d+)/40", at_least=8)
    helpers = descendants(run.pid)
    run.signal(signal.SIGKILL)
    run.finish()
    assert_all_end(helpers)
    rendered = [c for c in codes if (ws.output / c / STATEMENT).is_file()]
    assert 0 < len(rendered) < len(codes), "the kill did not land in the render stage"
    assert_agree(ws, codes, complete=False, in_flight=2)
    again = ws.run(codes)
    assert again.process.returncode == 0, again.stderr
    assert_agree(ws, codes, complete=True)


@contextlib.contextmanager
def register_held(path: Path) -> Iterator[sqlite3.Connection]:
    """Another writer holds the register's write lock (as `toetreding sign` in the same
    workspace would for a moment): the batch's next append has to wait."""
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    finally:
        db.execute("ROLLBACK")
        db.close()


def test_a_kill_between_a_file_and_its_entry_is_repaired(ws: Workspace, linux_proc: None) -> None:
    """The exact window: a file renamed into place, its entry not yet written (the leader
    waits for the register), then kill -9. The next run records it and keeps it."""
    codes = party_codes(6)
    run = ws.start(codes, "--jobs", "1")
    run.wait_for("rendering: 0/6")
    with register_held(ws.register) as db:
        (recorded,) = db.execute("SELECT COUNT(*) FROM entries WHERE kind = 'render'")
        deadline = time.monotonic() + 60
        while sum((ws.output / c / STATEMENT).is_file() for c in codes) <= recorded[0]:
            assert time.monotonic() < deadline, run.stderr
            time.sleep(0.02)
        run.signal(signal.SIGKILL)
        run.finish()
    known = {e.payload.get("uitvoer_sha256") for e in register_entries(ws)}
    unrecorded = {
        code: data
        for code, data in statements(ws, codes).items()
        if hashlib.sha256(data).hexdigest() not in known
    }
    assert unrecorded, "no file was left without its entry"
    again = ws.run(codes)
    assert again.process.returncode == 0, again.stderr
    recovered = {
        e.payload["uitvoer_sha256"]
        for e in register_entries(ws)
        if e.kind == "render" and e.payload.get("hersteld_na_onderbreking")
    }
    for code, data in unrecorded.items():
        assert (ws.output / code / STATEMENT).read_bytes() == data, f"{code} changed"
        assert hashlib.sha256(data).hexdigest() in recovered
    assert_agree(ws, codes, complete=True)


def test_killed_leader_takes_forkserver_and_workers_along(ws: Workspace, linux_proc: None) -> None:
    codes = party_codes(40)
    run = ws.start(codes, "--jobs", "2")
    run.wait_for(r"rendering: (\d+)/40", at_least=4)
    helpers = descendants(run.pid)
    assert len(helpers) >= 3, f"expected a forkserver and workers, found {helpers}"
    run.signal(signal.SIGKILL)
    run.finish()
    assert_all_end(helpers)
    assert not any(n.startswith("toetreding-typst-") for n in sandboxes(ws)), sandboxes(ws)


def test_a_normal_run_leaves_no_sandbox(ws: Workspace) -> None:
    codes = party_codes(3)
    run = ws.run(codes)
    assert run.process.returncode == 0, run.stderr
    assert sandboxes(ws) == []


# --- Ctrl-C and SIGTERM ------------------------------------------------------------------

REPORT = re.compile(r"(?P<rendered>\d+) rendered")


def _reported(run: BatchProcess) -> dict[str, int]:
    match = REPORT.search(run.stderr)
    assert match, run.stderr
    return {k: int(v) for k, v in match.groupdict().items()}


@pytest.mark.slow
def test_ctrl_c_reports_what_was_written_and_resumes(ws: Workspace, linux_proc: None) -> None:
    codes = party_codes(40)
    run = ws.start(codes, "--jobs", "1", session=True)  # Ctrl-C reaches the whole group
    run.wait_for(r"rendering: (\d+)/40", at_least=4)
    helpers = descendants(run.pid)
    run.signal(signal.SIGINT)
    assert run.finish() == 130, run.stderr
    assert "Traceback" not in run.stderr and "nothing was written" not in run.stderr
    reported = _reported(run)
    written = statements(ws, codes)
    # the one worker may have renamed its file just before it stopped and never handed it
    # over; the next run records it
    assert 4 <= reported["rendered"] <= len(written) <= reported["rendered"] + 1 < len(codes)
    entries = register_entries(ws)
    assert sum(e.kind == "render" for e in entries) == reported["rendered"]
    assert "manifest" in run.stderr and "overzicht.csv" in run.stderr
    assert_all_end(helpers, within=5)
    assert sandboxes(ws) == []
    assert_agree(ws, codes, complete=False, in_flight=1)
    again = ws.run(codes)
    assert again.process.returncode == 0, again.stderr
    assert_kept(ws, written)
    assert_agree(ws, codes, complete=True)


@pytest.mark.parametrize("whole_group", [False, True], ids=["leader", "process-group"])
def test_sigterm_while_rendering_cleans_up_and_reports(
    ws: Workspace, linux_proc: None, whole_group: bool
) -> None:
    codes = party_codes(40)
    run = ws.start(codes, "--jobs", "2", session=whole_group)
    run.wait_for(r"rendering: (\d+)/40", at_least=4)
    helpers = descendants(run.pid)
    run.signal(signal.SIGTERM)
    assert run.finish() == 143, run.stderr
    assert "Traceback" not in run.stderr
    reported = _reported(run)
    rendered = [c for c in codes if (ws.output / c / STATEMENT).is_file()]
    # stopped with the leader, a worker may have renamed its file just before it ended and
    # never handed it over (one per worker at most); the next run records it
    in_flight = 2 if whole_group else 0
    assert 0 < reported["rendered"] <= len(rendered) <= reported["rendered"] + in_flight
    assert_all_end(helpers, within=5)
    assert sandboxes(ws) == [], "the Typst sandbox (names, e-mail addresses) was left behind"
    assert_agree(ws, codes, complete=False, in_flight=in_flight)
    again = ws.run(codes)
    assert again.process.returncode == 0, again.stderr
    assert_agree(ws, codes, complete=False)


# --- where the batch is started from -----------------------------------------------------


def test_a_rerun_from_another_folder_does_nothing(ws: Workspace) -> None:
    codes = party_codes(4)
    first = ws.run(codes)
    assert first.process.returncode == 0, first.stderr
    entries = len(register_entries(ws))
    made = statements(ws, codes)
    (ws.root / "elders").mkdir()
    arguments = ["../" + BATCH_FILE, "-o", "../uit", "--only", ",".join(codes)]
    again = BatchProcess(arguments, ws.root / "elders", ws.env(), False)
    assert again.finish() == 0, again.stderr
    assert len(register_entries(ws)) == entries, "the rerun recorded new work"
    assert_kept(ws, made)
    assert_agree(ws, codes, complete=True)


# --- full disk and other write errors: only that party fails ---------------------------


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[None]:
    """A tmpfs of ``size`` mounted on ``folder``: a real full disk for that folder only."""
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("mount/umount not installed: cannot make a small disk to fill up")
    folder.mkdir(parents=True)
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs (needs root in a privileged container): {made.stderr}"
        )
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_while_rendering_fails_only_that_party(ws: Workspace) -> None:
    codes = party_codes(4)
    full = codes[1]
    # no room for a statement (~50 kB) in that party's folder
    with small_disk(ws.output / full, "16k"):
        run = ws.run(codes)
        assert run.process.returncode == 3, run.stderr
        assert re.search(rf"{full}: render: .*(disk is full|No space left)", run.stderr), run.stderr
        assert "Traceback" not in run.stderr
        assert not (ws.output / full / STATEMENT).exists()
        assert not [p for p in (ws.output / full).iterdir() if p.suffix == ".part"]
        summary = (ws.output / "overzicht.csv").read_text(encoding="utf-8-sig")
        assert re.search(rf"{full},[^,]*,mislukt,render: ", summary), summary
        assert summary.count(",opgemaakt,") == len(codes) - 1
        assert_agree(ws, codes, complete=False)


def test_unwritable_party_outputs_fail_only_those_parties(ws: Workspace) -> None:
    codes = party_codes(4)
    # an earlier run made the folder (a folder that is not a batch's is refused outright)
    assert ws.run([codes[1]]).process.returncode == 0
    (ws.output / codes[0]).write_text("a file where the party's folder belongs\n")
    (ws.output / codes[2] / STATEMENT).mkdir(parents=True)  # a folder where the PDF goes
    run = ws.run(codes)
    assert run.process.returncode == 3, run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert re.search(rf"{codes[0]}: render: ", run.stderr), run.stderr
    assert re.search(rf"{codes[2]}: render: ", run.stderr), run.stderr
    summary = (ws.output / "overzicht.csv").read_text(encoding="utf-8-sig")
    assert summary.count(",opgemaakt,") == 2 and summary.count(",mislukt,") == 2


# --- old manifests, and outputs that were never recorded ----------------------------------


def _settings(ws: Workspace) -> Settings:
    return load_settings(
        ws.root / "toetreding.yaml", environ={"TOETREDING_REGISTER": str(ws.register)}
    )


@pytest.mark.parametrize("style", ["absolute", "relative to another folder"])
def test_old_manifests_are_still_read(ws: Workspace, style: str) -> None:
    codes = party_codes(2)
    settings = _settings(ws)
    plan = load_batch(ws.root / BATCH_FILE, set(codes))
    first = run_batch(settings, plan, BatchOptions(output=ws.output, jobs=1))
    assert first.rendered == 2
    manifest_file = ws.output / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["schema"] = "toetreding-batch/1"
    for code, record in manifest["partijen"].items():
        old = ws.output / code / STATEMENT
        record["render"]["bestand"] = str(old) if style == "absolute" else f"uit/{code}/{STATEMENT}"
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    again = run_batch(settings, plan, BatchOptions(output=ws.output, jobs=1))
    assert (again.rendered, again.skipped) == (0, 2)
    rewritten = json.loads(manifest_file.read_text(encoding="utf-8"))
    assert rewritten["partijen"][codes[0]]["render"]["bestand"] == f"{codes[0]}/{STATEMENT}"


@pytest.mark.slow
def test_outputs_without_entries_are_recorded_not_redone(ws: Workspace) -> None:
    """Outputs on disk that the register does not know (here: made with the register
    switched off, and the manifest lost as in a kill before it was saved) are recorded as
    recovered; rendering is deterministic, so the same statements are found again."""
    codes = party_codes(3)
    off = ws.run(codes, register="off")
    assert off.process.returncode == 0, off.stderr
    made = statements(ws, codes)
    (ws.output / "manifest.json").unlink()  # as if the run was killed before saving it
    found = ws.run(codes)
    assert found.process.returncode == 0, found.stderr
    assert_kept(ws, made)
    entries = register_entries(ws)
    recovered = [e for e in entries if e.payload.get("hersteld_na_onderbreking")]
    assert sorted(e.kind for e in recovered) == ["render"] * 3
    assert_agree(ws, codes, complete=True)


def test_a_signal_waits_while_a_file_and_its_entry_are_written() -> None:
    """The leader's handling in one process: inside deferred() a SIGTERM waits for the
    block to end, then stops the run; afterwards the previous handler is back."""
    from toetreding.batch.lifeline import Interrupted, Interrupts

    before = signal.getsignal(signal.SIGTERM)
    finished = False
    interrupts = Interrupts()
    with interrupts, pytest.raises(Interrupted) as stopped, interrupts.deferred():
        signal.raise_signal(signal.SIGTERM)
        finished = True  # reached: the signal waited
    assert finished and stopped.value.signal_number == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before
    with Interrupts() as winding:
        winding.wind_down()
        signal.raise_signal(signal.SIGINT)  # noted only: the run is finishing its books
        assert winding.pending == signal.SIGINT


def test_one_batch_at_a_time_per_output_folder(ws: Workspace) -> None:
    """A second run on the same folder would write and record twice: it is refused while
    the first holds the folder's lock (which the kernel drops when a process dies)."""
    import fcntl

    from toetreding.errors import OutputError

    ws.output.mkdir()
    with (ws.output / ".batch.lock").open("ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        plan = load_batch(ws.root / BATCH_FILE, set(party_codes(1)))
        with pytest.raises(OutputError, match="another toetreding run"):
            run_batch(_settings(ws), plan, BatchOptions(output=ws.output))
    assert not (ws.output / party_codes(1)[0]).exists()
