"""Render speed: warm per-statement time, a cold `toetreding render`, and `toetreding --help`.

Run by hand (not in the test suite — these machines are noisy):

    python bench/bench_render.py            # prints a table; add --json for machine output

Targets (issue #2): ≤ 20 ms per statement warm, ≤ 0.6 s for a cold `toetreding render`,
≤ 0.3 s for `toetreding --help`. Warm renders use different municipalities each time so
Typst's caches cannot simply replay an identical document.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from toetreding.config import load_settings
from toetreding.inputs import load_request
from toetreding.municipalities import all_municipalities
from toetreding.render import StatementRenderer

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "huizen"


def warm_render_ms(count: int) -> dict[str, float]:
    """Median and p90 milliseconds per statement with one warm renderer (PDF incl. fields)."""
    settings = load_settings(EXAMPLE / "toetreding.yaml")
    base = load_request(EXAMPLE / "verzoek.yaml")
    codes = list(all_municipalities())
    timings = []
    with StatementRenderer(settings) as renderer:
        renderer.render(base)  # warm-up: fonts, caches
        for index in range(count):
            party = base.request.party.model_copy(update={"cbs_code": codes[index % len(codes)]})
            statement = base.model_copy(
                update={"request": base.request.model_copy(update={"party": party})}
            )
            start = time.perf_counter()
            renderer.render(statement)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"median_ms": statistics.median(timings), "p90_ms": timings[int(0.9 * len(timings))]}


def command_seconds(args: list[str], cwd: Path, repeat: int) -> float:
    """Median wall time of a whole command in a fresh process."""
    children = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=children)  # warm-up
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=children)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="warm renders to time")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Path(scratch) / "ws"
        shutil.copytree(EXAMPLE, workspace)
        results = {
            "warm_render": warm_render_ms(options.count),
            "cold_render_s": command_seconds(
                ["toetreding", "render", "verzoek.yaml", "-o", "out.pdf", "--overwrite"],
                workspace,
                7,
            ),
            "help_s": command_seconds(["toetreding", "--help"], workspace, 11),
        }
    if options.json:
        print(json.dumps(results, indent=2))
        return
    warm = results["warm_render"]
    print(
        f"warm render, per statement : median {warm['median_ms']:.1f} ms, p90 {warm['p90_ms']:.1f} ms  (target ≤ 20 ms)"
    )
    print(f"cold `toetreding render`   : {results['cold_render_s']:.3f} s  (target ≤ 0.6 s)")
    print(f"`toetreding --help`        : {results['help_s']:.3f} s  (target ≤ 0.3 s)")


if __name__ == "__main__":
    main()
