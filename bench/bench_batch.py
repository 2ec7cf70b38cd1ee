"""Batch speed and scale: all 342 municipalities rendered + signed + verified, a rerun, the
plain per-file alternative, and render-only scaling.

Run by hand (not in the test suite):

    python bench/bench_batch.py             # 342 batch + rerun + peer + scaling to 4 000
    python bench/bench_batch.py --full      # scaling to 10 000 statements (a few minutes)

Targets (issue #6): 342 rendered + signed (B-B, PKCS#12) + verified in ≤ 15 s wall with
peak memory ≤ 500 MB; ≥ 20× faster than rendering per party and then `pyhanko sign addsig`
once per file; render-only time growing linearly with memory flat.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from toetreding.config import load_settings
from toetreding.demo import create_demo
from toetreding.demo_pki import DEMO_PASSPHRASE
from toetreding.inputs import load_request
from toetreding.municipalities import all_municipalities
from toetreding.render import StatementRenderer


def peak_mb() -> float:
    """Peak RSS of this process and of its (finished) children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def full_batch(workspace: Path) -> tuple[float, float, float]:
    command = [
        "toetreding",
        "batch",
        "batch/alle-gemeenten.yaml",
        "-o",
        "uit",
        "--sign",
        "batch",
        "--level",
        "B-B",  # the demo workspace defaults to B-LTA since issue #11
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=workspace, check=True, capture_output=True)
    first = time.perf_counter() - start
    memory = peak_mb()
    start = time.perf_counter()
    subprocess.run(command, cwd=workspace, check=True, capture_output=True)
    return first, time.perf_counter() - start, memory


def plain_per_file(workspace: Path, runs: int) -> float | None:
    """Median seconds for one party done the plain way: a cold render, then pyhanko addsig."""
    if shutil.which("pyhanko") is None:
        return None
    passfile = workspace / "pki" / "wachtwoord-plain.txt"
    passfile.write_text(DEMO_PASSPHRASE)
    timings = []
    for index in range(runs):
        start = time.perf_counter()
        subprocess.run(
            ["toetreding", "render", "verzoek.yaml", "-o", f"plain-{index}.pdf"],
            cwd=workspace,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                "pyhanko",
                "sign",
                "addsig",
                "--field",
                "ondertekening-partij",
                "pkcs12",
                "--passfile",
                str(passfile),
                f"plain-{index}.pdf",
                f"plain-{index}-signed.pdf",
                "pki/burgemeester.p12",
            ],
            cwd=workspace,
            check=True,
            capture_output=True,
        )
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def render_scaling(workspace: Path, sizes: list[int]) -> list[tuple[int, float, float]]:
    """(statements, seconds, RSS MB after) for one warm renderer, in one process."""
    settings = load_settings(workspace / "toetreding.yaml")
    base = load_request(workspace / "verzoek.yaml")
    codes = list(all_municipalities())
    results = []
    with StatementRenderer(settings) as renderer:
        renderer.render(base)
        done = 0
        start = time.perf_counter()
        for size in sizes:
            while done < size:
                party = base.request.party.model_copy(update={"cbs_code": codes[done % len(codes)]})
                request = base.request.model_copy(
                    update={"party": party, "reference": f"SYN-{done:05d}"}
                )
                renderer.render(base.model_copy(update={"request": request}))
                done += 1
            results.append(
                (
                    size,
                    time.perf_counter() - start,
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                )
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="scale render-only to 10 000")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="toetreding-bench-batch-"))
    try:
        demo = create_demo(folder / "demo")
        first, rerun, memory = full_batch(demo.workspace)
        print(
            f"342 parties, render + sign (B-B) + verify   {first:6.1f} s wall   peak {memory:5.0f} MB"
        )
        print(f"rerun, nothing changed                      {rerun:6.1f} s")
        plain = plain_per_file(demo.workspace, 5)
        if plain is not None:
            print(
                f"plain: cold render + pyhanko addsig / party {plain:6.2f} s  → 342 parties ≈ {342 * plain:5.0f} s"
            )
            print(f"ratio plain ÷ batch                         {342 * plain / first:6.1f}×")
        sizes = [1000, 2500, 5000, 10000] if args.full else [500, 1000, 2000, 4000]
        for size, seconds, rss in render_scaling(demo.workspace, sizes):
            print(
                f"render-only {size:6d} statements   {seconds:7.1f} s  ({seconds / size * 1000:5.1f} ms each)   RSS {rss:5.0f} MB"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
