"""The coordinator's round at scale: 342 parties prepared, returned, collected, accepted,
tracked — each step timed — against the same work done file by file with the pyHanko CLI.

Run by hand (not in the test suite):

    python bench/bench_round.py              # 342 parties
    python bench/bench_round.py --parties 1000 --parties 2000   # growth (synthetic rows)

Every party gets its own burgemeester key (a demo PKI with one key per party); each return
is signed by that key at B-T (the demo TSA, in process) — that is the parties' work and is
timed apart. Targets (issue #15), 2 cores: prepare ≤ 3 s; collect ≤ 4 s; accept at B-T ≤ 5 s;
`status --html` ≤ 0.5 s; peak memory ≤ 300 MB; the whole round ≥ 50× faster than per file.
The peer ("per file") is what a coordinator without toetreding would run for every party:
`pyhanko sign validate` on the return and `pyhanko sign addsig` for the consent (a few files
timed, multiplied by the number of parties; stated as an estimate).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from toetreding.batch import BatchOptions, load_batch, run_batch
from toetreding.config import load_settings
from toetreding.demo import create_demo
from toetreding.demo_pki import DEMO_PASSPHRASE, create_demo_pki
from toetreding.round.accept import accept
from toetreding.round.collect import collect
from toetreding.round.status import round_status
from toetreding.round.status_page import status_page
from toetreding.sign import SignerChoice, sign_file
from toetreding.signing_config import SignatureLevel


def peak_mb() -> float:
    """Peak RSS of this process and of its (finished) children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def round_file(workspace: Path, count: int) -> tuple[Path, dict[str, tuple[str, str]]]:
    """A batch file with ``count`` parties (the 342 municipalities, repeated with a new
    statement date per pass when more are asked) and their burgemeesters."""
    source = workspace / "batch" / "gemeenten.csv"
    rows = list(csv.DictReader(source.open(encoding="utf-8")))[:count]
    # the sample data is fictional and some terms of office have ended by now: a benchmark
    # of the round wants every party able to sign, so their terms run on in this copy
    later = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    for row in rows:
        row["ambtstermijn_tot"] = max(row["ambtstermijn_tot"], later)
    mayors = {row["cbs_code"]: (row["burgemeester"], row["cbs_code"]) for row in rows}
    text = (workspace / "batch" / "alle-gemeenten.yaml").read_text(encoding="utf-8")
    text += "\nronde: {kenmerk: BENCH, retour_uiterlijk: 2027-01-15, niveau_minimaal: B-T}\n"
    batch = workspace / "batch" / "bench.yaml"
    batch.write_text(text.replace("partijen_csv: gemeenten.csv", "partijen_csv: bench.csv"))
    with (workspace / "batch" / "bench.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return batch, mayors


def timed(label: str, results: dict[str, float], action: object) -> object:
    start = time.perf_counter()
    value = action()  # type: ignore[operator]
    results[label] = time.perf_counter() - start
    return value


def per_file_peer(workspace: Path, returned: list[Path], runs: int) -> float | None:
    """Median seconds per party with the pyHanko CLI: validate the return, add the consent."""
    if shutil.which("pyhanko") is None:
        return None
    passfile = workspace / "pki" / "wachtwoord-peer.txt"
    passfile.write_text(DEMO_PASSPHRASE)
    timings = []
    for index, path in enumerate(returned[:runs]):
        start = time.perf_counter()
        subprocess.run(
            ["pyhanko", "sign", "validate", "--trust", "pki/demo-root.pem", str(path)],
            cwd=workspace,
            capture_output=True,
            check=False,
        )
        subprocess.run(
            [
                "pyhanko",
                "sign",
                "addsig",
                "--field",
                "instemming-coordinator",
                "pkcs12",
                "--passfile",
                str(passfile),
                str(path),
                f"peer-{index}.pdf",
                "pki/coordinator.p12",
            ],
            cwd=workspace,
            capture_output=True,
            check=True,
        )
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def one_round(count: int, peer_runs: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="toetreding-bench-round-"))
    results: dict[str, float] = {}
    try:
        workspace = create_demo(folder / "demo").workspace
        batch, mayors = round_file(workspace, count)
        # one key per burgemeester, holder DEMO-<code>-BURGEMEESTER as the chains name; the
        # coordinator's workspace trusts this PKI's root and CRL too
        pki = create_demo_pki(workspace / "bench-pki", mayors)  # inside the workspace
        config = workspace / "toetreding.yaml"
        config.write_text(
            config.read_text(encoding="utf-8")
            .replace(
                "vertrouwensankers: [pki/demo-root.pem]",
                "vertrouwensankers: [pki/demo-root.pem, bench-pki/demo-root.pem]",
            )
            .replace(
                "intrekkingslijsten: [pki/demo-root.crl]",
                "intrekkingslijsten: [pki/demo-root.crl, bench-pki/demo-root.crl]",
            ),
            encoding="utf-8",
        )
        os.environ["TOETREDING_REGISTER"] = str(folder / "register.sqlite")
        settings = load_settings(config)
        plan = load_batch(batch)
        ronde = workspace / "bench-ronde"
        timed("prepare", results, lambda: run_batch(settings, plan, BatchOptions(output=ronde)))
        inbox = workspace / "bench-inbox"
        inbox.mkdir()
        start = time.perf_counter()
        for code, signer in pki.mayors.items():
            choice = SignerChoice(
                pkcs12=signer.pkcs12, secret_file=pki.passphrase_file, level=SignatureLevel.B_T
            )
            sign_file(settings, ronde / code / "verklaring.pdf", inbox / f"{code}.pdf", choice)
        results["parties sign (their work)"] = time.perf_counter() - start
        collected = timed("collect", results, lambda: collect(settings, ronde, [inbox]))
        assert len(collected.acceptable) == count, collected.rejected  # type: ignore[attr-defined]
        coordinator = SignerChoice(profile="coordinator", level=SignatureLevel.B_T)
        accepted = timed("accept (B-T)", results, lambda: accept(settings, ronde, coordinator))
        assert len(accepted.accepted) == count, accepted.failures  # type: ignore[attr-defined]
        print(results, flush=True)
        start = time.perf_counter()
        page = status_page(round_status(ronde, register=settings.register))
        results["status page (in process)"] = time.perf_counter() - start
        assert page.count('class="state state-aanvaard"') == count
        # a new process each time, bytecode written (as installed), median of 5 after one
        children = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cold: list[float] = []
        for _ in range(6):
            start = time.perf_counter()
            shown = subprocess.run(
                [
                    *("toetreding", "status", "-r", str(ronde)),
                    *("--html", str(folder / "s.html"), "--overwrite"),
                ],
                cwd=workspace,
                check=False,
                capture_output=True,
                text=True,
                env=children,
            )
            cold.append(time.perf_counter() - start)
            assert shown.returncode == 0, shown.stderr
        results["status --html (cold CLI)"] = statistics.median(cold[1:])
        results["peak MB"] = peak_mb()
        peer = per_file_peer(workspace, sorted(inbox.glob("*.pdf")), peer_runs)
        if peer is not None:
            results["peer per party (pyhanko CLI)"] = peer
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def status_scaling(sizes: list[int]) -> list[tuple[int, float, float]]:
    """(parties, seconds for status + page, peak MB) on synthetic round folders: each party
    a round file, one rejected and one acceptable return verdict, and a consent file."""
    from toetreding.round.files import RoundParty, encode, write_round_file

    results = []
    for size in sizes:
        folder = Path(tempfile.mkdtemp(prefix="toetreding-bench-status-"))
        try:
            for number in range(size):
                code = f"X{number:06d}"
                party_folder = folder / code
                (party_folder / "retouren").mkdir(parents=True)
                write_round_file(
                    RoundParty(
                        "BENCH", code, f"Partij {number}", "c", "0" * 64, 1000,
                        dt.date(2026, 12, 1), dt.date(2027, 1, 15), "B-T", party_folder,
                    )
                )  # fmt: skip
                for index, outcome in enumerate(("afgewezen", "aanvaardbaar")):
                    verdict = {"sha256": f"{index}" * 64, "bestand": f"{index}.pdf",
                               "ontvangen": f"2026-12-0{index + 1}", "uitslag": outcome,
                               "redenen": ["x"] if index == 0 else []}  # fmt: skip
                    (party_folder / "retouren" / f"{index}.json").write_bytes(encode(verdict))
                if number % 2:
                    consent = {"verificatie": "PASSED", "ingangsdatum": "2026-12-02"}
                    (party_folder / "instemming.json").write_bytes(encode(consent))
            start = time.perf_counter()
            status_page(round_status(folder))
            results.append((size, time.perf_counter() - start, peak_mb()))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, action="append", help="round sizes (≤ 342)")
    parser.add_argument("--peer-runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--status-scaling", action="store_true", help="status of 1 000 … 10 000 parties only"
    )
    args = parser.parse_args()
    if args.status_scaling:
        for size, seconds, memory in status_scaling([1000, 2500, 5000, 10000]):
            print(f"status + page, {size:6d} parties   {seconds:6.2f} s   peak {memory:5.0f} MB")
        return
    sizes = args.parties or [342]
    everything = {}
    for size in sizes:
        results = one_round(min(size, 342), args.peer_runs)
        everything[size] = results
        if args.json:
            continue
        print(f"--- {size} parties")
        for label, value in results.items():
            unit = "MB" if label == "peak MB" else "s"
            print(f"{label:32s} {value:8.2f} {unit}")
        ours = sum(results[k] for k in ("prepare", "collect", "accept (B-T)"))
        if "peer per party (pyhanko CLI)" in results:
            estimate = size * results["peer per party (pyhanko CLI)"]
            print(f"{'per file, estimated':32s} {estimate:8.1f} s  → ratio {estimate / ours:5.1f}×")
    if args.json:
        print(json.dumps(everything, indent=1))


if __name__ == "__main__":
    main()
