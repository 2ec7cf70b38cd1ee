"""Verification speed: the demo's statements validated in one process, side by side with
`pyhanko sign validate` run once per file, and (with --dss) EU DSS in one JVM.

Run by hand (not in the test suite — these machines are noisy):

    python bench/bench_verify.py            # table; --json; --count N; --dss (needs Java)

Files: the demo's statements (since issue #11 signed at B-LTA, with the demo TSA and
CRL): the party's signature alone, and party + acceptance (each followed by a document
timestamp). Verification checks revocation hard-fail and every change after each
signature (verify/changes.py), so it reads every object of the file. Peers on the same
files: pyHanko's CLI as one process per file (pyhanko-cli, the `bench` extra), and EU DSS
via the conformance harness (issue #7), one JVM for all files, timed per file after
warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from peers import pyhanko_validate

from toetreding.config import load_settings
from toetreding.demo import create_demo
from toetreding.verify import VerifyOptions, options_from_settings, verify_file

ROOT = Path(__file__).resolve().parent.parent


def median_ms(timings: list[float]) -> float:
    return statistics.median(timings) * 1000


def in_process(path: Path, options: VerifyOptions, count: int) -> dict[str, float]:
    assert verify_file(path, options).passed
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        verify_file(path, options)
        timings.append(time.perf_counter() - start)
    timings.sort()
    return {"median_ms": median_ms(timings), "p90_ms": timings[int(0.9 * len(timings))] * 1000}


def per_process(command: list[str], count: int) -> float:
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        timings.append(time.perf_counter() - start)
    return median_ms(timings)


def many_files(statement: Path, config: Path, folder: Path, count: int) -> float:
    """Seconds for `toetreding verify FOLDER --offline` over ``count`` copies of one signed
    statement, as a new process (worker processes, one per core; issue #16 asks 342 in ≤ 4 s).

    Copies, not distinct statements: every copy is verified in full (nothing is cached
    between files but the X.500 name comparisons, which a round's statements share anyway:
    the same CA and timestamp authority)."""
    folder.mkdir()
    for number in range(count):
        shutil.copyfile(statement, folder / f"verklaring-{number:04d}.pdf")
    children = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = ["toetreding", "verify", str(folder), "--offline", "--config", str(config)]
    subprocess.run(command, capture_output=True, check=False, env=children)  # bytecode, caches
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, env=children)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"verify of the folder failed: {done.stdout!r} {done.stderr!r}")
    return seconds


def dss_per_file(path: Path, root: Path, count: int) -> float | None:
    sys.path.insert(0, str(ROOT))
    from tests.support import conformance

    if conformance.missing_reason():
        return None
    conformance.build()
    judge = conformance.Judge([root])
    try:
        judge.judge(path, ())  # warm-up: class loading, policy parsing
        timings = []
        for _ in range(count):
            start = time.perf_counter()
            judge.judge(path, ())
            timings.append(time.perf_counter() - start)
    finally:
        judge.close()
    return median_ms(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--dss", action="store_true", help="also time EU DSS (needs Java + Maven)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--many",
        type=int,
        default=342,
        help="files for `toetreding verify FOLDER` (copies of the party-signed statement; 0: skip)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="toetreding-bench-verify-"))
    results: dict[str, Any] = {}
    try:
        demo = create_demo(folder / "demo")
        path, root = demo.signed.output, demo.pki.root  # one B-LTA signature
        options = options_from_settings(
            load_settings(demo.workspace / "toetreding.yaml"), offline=True
        )
        results["toetreding_in_process_b_lta"] = in_process(path, options, args.count)
        results["toetreding_in_process_accepted"] = in_process(
            demo.accepted.output, options, max(10, args.count // 5)
        )
        runs = max(5, args.count // 20)
        results["toetreding_cli_per_file_ms"] = per_process(
            [
                "toetreding",
                "verify",
                str(path),
                "--offline",
                "--config",
                str(demo.workspace / "toetreding.yaml"),
            ],
            runs,
        )
        if args.many:
            results["toetreding_verify_folder_s"] = many_files(
                path, demo.workspace / "toetreding.yaml", folder / "many", args.many
            )
        if shutil.which("pyhanko"):
            peer = per_process(
                pyhanko_validate(root, path),
                runs,
            )
            results["pyhanko_cli_per_file_ms"] = peer
            results["ratio_pyhanko_cli_vs_toetreding_in_process"] = (
                peer / results["toetreding_in_process_b_lta"]["median_ms"]
            )
        if args.dss:
            dss = dss_per_file(path, root, max(10, args.count // 5))
            if dss is not None:
                results["dss_one_jvm_per_file_ms"] = dss
                results["ratio_dss_vs_toetreding_in_process"] = (
                    dss / results["toetreding_in_process_b_lta"]["median_ms"]
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, value in results.items():
        if isinstance(value, dict):
            print(f"{name:45s} median {value['median_ms']:7.1f} ms   p90 {value['p90_ms']:7.1f} ms")
        elif name.endswith("_s"):
            print(f"{name:45s} {value:7.1f} s  ({args.many} files)")
        elif name.startswith("ratio"):
            print(f"{name:45s} {value:7.1f}×")
        else:
            print(f"{name:45s} {value:7.1f} ms")


if __name__ == "__main__":
    main()
