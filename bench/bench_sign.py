"""Signing speed: B-B per statement in one process (PKCS#12 and PKCS#11), and the ratio
against pyHanko's CLI run once per file, on the same statement.

Run by hand (not in the test suite — these machines are noisy):

    python bench/bench_sign.py            # table; --json for machine output

Targets (issue #3): ≤ 30 ms per statement with PKCS#12 (B-B), ≤ 40 ms with PKCS#11 on
SoftHSM2, measured with the key opened once. The peer is `pyhanko sign addsig --field …
pkcs12` (pyhanko-cli, the `bench` extra), one process per file as people use it today.
All signers are the throwaway demo PKI's RSA-2048 burgemeester key.
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

from peers import pyhanko_addsig

from toetreding.config import load_settings
from toetreding.demo_pki import DEMO_PASSPHRASE
from toetreding.secrets import Secret
from toetreding.sign import SignerPresentation, SignOptions, StatementSigner, read_statement
from toetreding.sign.credentials import SigningCredential, open_pkcs11, open_pkcs12
from toetreding.sign.setup import appearance_style
from toetreding.signing_config import Pkcs11Location

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "huizen"
PRESENTATION = SignerPresentation(
    function="burgemeester van Huizen", on_behalf_of="de gemeente Huizen"
)


def per_statement_ms(
    credential: SigningCredential, pdf: Path, count: int, *, invisible: bool
) -> dict[str, float]:
    """Median and p90 ms per signature, one signer for all (key opened once)."""
    settings = load_settings(EXAMPLE / "toetreding.yaml")
    options = SignOptions(presentation=PRESENTATION, invisible=invisible)
    statement = read_statement(pdf)
    timings = []
    with StatementSigner(credential, options, appearance_style(settings)) as signer:
        signer.sign(statement)  # warm-up: imports, Typst fonts
        for _ in range(count):
            start = time.perf_counter()
            signer.sign(statement)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"median_ms": statistics.median(timings), "p90_ms": timings[int(0.9 * len(timings))]}


def softhsm_credential(folder: Path, pki_p12: Path) -> SigningCredential | None:
    """The demo key on a fresh SoftHSM2 token, or None when SoftHSM2 is missing."""
    sys.path.insert(0, str(ROOT))
    from tests.support.softhsm import import_key, init_token, softhsm_missing_reason

    if softhsm_missing_reason():
        return None
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    key, certificate, _ = pkcs12.load_key_and_certificates(
        pki_p12.read_bytes(), DEMO_PASSPHRASE.encode()
    )
    assert certificate is not None
    token = init_token(folder / "softhsm")
    import_key(token, key, certificate.public_bytes(Encoding.DER), "bench", b"\x01")
    location = Pkcs11Location.model_validate(
        {"module": str(token.module), "token": token.label, "sleutel": "bench"}
    )
    return open_pkcs11(location, Secret(token.pin))


def pyhanko_cli_ms(pdf: Path, p12: Path, folder: Path, count: int) -> float | None:
    """Median ms for `pyhanko sign addsig … pkcs12` as one process per file."""
    if shutil.which("pyhanko") is None:
        return None
    passfile = folder / "pass.txt"
    passfile.write_text(DEMO_PASSPHRASE)
    timings = []
    for index in range(count):
        output = folder / f"pyhanko-{index}.pdf"
        start = time.perf_counter()
        subprocess.run(
            pyhanko_addsig(passfile, pdf, output, p12),
            check=True,
            capture_output=True,
        )
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def toetreding_cli_ms(pdf: Path, workspace: Path, count: int) -> float:
    """Median ms for `toetreding sign` as one process per file (for completeness)."""
    timings = []
    for index in range(count):
        start = time.perf_counter()
        subprocess.run(
            [
                "toetreding",
                "sign",
                str(pdf),
                "-o",
                str(workspace / f"cli-{index}.pdf"),
                "--level",
                "B-B",
            ],
            check=True,
            capture_output=True,
            cwd=workspace,
        )
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="toetreding-bench-sign-"))
    results: dict[str, Any] = {}
    try:
        from toetreding.demo import create_demo

        demo = create_demo(folder / "demo")  # renders, and writes the demo PKI + profiles
        pdf = demo.rendered.output
        p12 = demo.pki.party.pkcs12
        results["pkcs12_visible"] = per_statement_ms(
            open_pkcs12(p12, Secret(DEMO_PASSPHRASE)), pdf, args.count, invisible=False
        )
        results["pkcs12_invisible"] = per_statement_ms(
            open_pkcs12(p12, Secret(DEMO_PASSPHRASE)), pdf, args.count, invisible=True
        )
        token = softhsm_credential(folder, p12)
        if token is not None:
            results["pkcs11_softhsm_visible"] = per_statement_ms(
                token, pdf, args.count, invisible=False
            )
        runs = max(5, args.count // 20)
        results["toetreding_cli_per_file_ms"] = toetreding_cli_ms(pdf, demo.workspace, runs)
        peer = pyhanko_cli_ms(pdf, p12, folder, runs)
        if peer is not None:
            results["pyhanko_cli_per_file_ms"] = peer
            results["ratio_pyhanko_cli_vs_toetreding_in_process"] = (
                peer / results["pkcs12_visible"]["median_ms"]
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("SOFTHSM2_CONF", None)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, value in results.items():
        if isinstance(value, dict):
            print(f"{name:45s} median {value['median_ms']:7.1f} ms   p90 {value['p90_ms']:7.1f} ms")
        elif name.startswith("ratio"):
            print(f"{name:45s} {value:7.1f}×")
        else:
            print(f"{name:45s} {value:7.1f} ms")


if __name__ == "__main__":
    main()
