"""Cold start, side by side: `toetreding sign`/`verify` against the pyHanko CLI doing the
same to the same file, as pairs run in turn (issue #16).

Run by hand, or with `make bench` (which also rewrites the table in bench/README.md):

    python bench/bench_cli.py                 # table; --json; --pairs N (default 7)
    python bench/bench_cli.py --write-readme  # and replace the table in bench/README.md

Each pair runs toetreding, then the peer, as new processes, one after the other, so
both see the same machine state; the figure is the median of each side and the ratio of
the medians. Goal: toetreding ≤ 0.8 × the peer. The peers:

- sign: `pyhanko sign addsig --field ondertekening-partij pkcs12` with the same PKCS#12
  key on the same rendered statement (toetreding also checks the chain of authority,
  draws the Typst appearance and records the signature in the register);
- verify: `pyhanko sign validate --trust ROOT --trust-replace` on the statement
  toetreding signed (toetreding also checks the document, the chain of authority and
  the demo CRL).

Bytecode is written (PYTHONDONTWRITEBYTECODE is dropped for the children) and every
command runs once before timing, as on an installed system. Both programs are started as
installed beside this Python, not through a version manager's shim on PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from peers import pyhanko_addsig, pyhanko_validate

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
BEGIN, END = "<!-- bench_cli:begin -->", "<!-- bench_cli:end -->"
GOAL_RATIO = 0.8


def installed(program: str) -> str:
    """The script as installed beside this Python, as a user's venv runs it.

    Found on PATH instead, it may be a version manager's shim (pyenv's takes ≈ 90 ms on
    this machine), which would add the same constant to both sides of every pair."""
    beside = Path(sys.executable).parent / program
    return str(beside) if beside.exists() else (shutil.which(program) or program)


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    if command[:2] == ["toetreding", "sign"]:
        # a signed PDF is evidence: --overwrite never replaces one, so the earlier output
        # is removed first (outside the timing)
        (cwd / command[command.index("-o") + 1]).unlink(missing_ok=True)
    command = [installed(command[0]), *command[1:]]
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    return (time.perf_counter() - start) * 1000


def commands(workspace: Path) -> dict[str, tuple[list[str], list[str] | None]]:
    pki = workspace / "pki"
    signed = "bench-getekend.pdf"
    return {
        "sign": (
            ["toetreding", "sign", "verklaring.pdf", "-o", signed, "--level", "B-B"],
            pyhanko_addsig(
                pki / "wachtwoord.txt",
                "verklaring.pdf",
                "bench-pyhanko.pdf",
                pki / "burgemeester.p12",
            ),
        ),
        "verify": (
            ["toetreding", "verify", signed],
            pyhanko_validate(pki / "demo-root.pem", signed),
        ),
        "render": (
            ["toetreding", "render", "verzoek.yaml", "-o", "bench-render.pdf", "--overwrite"],
            None,
        ),
        "help": (["toetreding", "--help"], None),
    }


GOALS_MS = {"render": 500.0, "help": 300.0}


def measure(pairs: int) -> dict[str, Any]:
    from toetreding.demo import create_demo

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env.pop("TOETREDING_REGISTER", None)
    env["COLUMNS"] = "120"
    folder = Path(tempfile.mkdtemp(prefix="toetreding-bench-cli-"))
    results: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "pairs": pairs,
        "commands": {},
    }
    try:
        create_demo(folder / "demo")
        workspace = folder / "demo"
        plan = commands(workspace)
        have_peer = Path(installed("pyhanko")).exists()
        for ours, peer in plan.values():  # warm-up: bytecode, page cache
            timed(ours, workspace, env)
            if peer and have_peer:
                timed(peer, workspace, env)
        for name, (ours, peer) in plan.items():
            own: list[float] = []
            other: list[float] = []
            for _ in range(pairs):
                own.append(timed(ours, workspace, env))
                if peer and have_peer:
                    other.append(timed(peer, workspace, env))
            entry: dict[str, Any] = {"toetreding_ms": statistics.median(own)}
            if other:
                entry["peer_ms"] = statistics.median(other)
                entry["ratio"] = entry["toetreding_ms"] / entry["peer_ms"]
                entry["goal"] = f"≤ {GOAL_RATIO}× peer"
                entry["met"] = entry["ratio"] <= GOAL_RATIO
            else:
                entry["goal"] = f"≤ {GOALS_MS[name]:.0f} ms"
                entry["met"] = entry["toetreding_ms"] <= GOALS_MS[name]
            results["commands"][name] = entry
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


PEERS = {
    "sign": "`pyhanko sign addsig … pkcs12`",
    "verify": "`pyhanko sign validate --trust`",
}


def table(results: dict[str, Any]) -> str:
    lines = [
        f"Measured {results['date']} on {results['machine']}, median of "
        f"{results['pairs']} pairs run in turn (`python bench/bench_cli.py`):",
        "",
        "| command (one file, new process) | toetreding | peer | ratio | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in results["commands"].items():
        peer = f"{entry['peer_ms']:.0f} ms ({PEERS[name]})" if "peer_ms" in entry else "—"
        ratio = f"{entry['ratio']:.2f}×" if "ratio" in entry else "—"
        met = "yes" if entry["met"] else "**no**"
        lines.append(
            f"| `toetreding {name}` | {entry['toetreding_ms']:.0f} ms | {peer} | {ratio} "
            f"| {entry['goal']} | {met} |"
        )
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    README.write_text(readme[:start] + "\n" + text + "\n" + readme[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    results = measure(args.pairs)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(table(results))
    if args.write_readme:
        write_readme(table(results))


if __name__ == "__main__":
    sys.exit(main())
