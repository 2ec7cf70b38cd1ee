"""Every shell example in README's "Using it" part runs as written, in a demo workspace.

The examples are run in order by bash, exactly as a reader would paste them (continuation
lines joined), from a fresh folder: the first one is `toetreding demo`, the next `cd`s into
it. The smartcard example needs a token labelled `kaart` holding the demo burgemeester's
key as `handtekening`: it is made here with SoftHSM2's and OpenSC's own tools (in a private
SOFTHSM2_CONF), right before that example runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from toetreding.demo_pki import DEMO_PASSPHRASE

from .conftest import ROOT
from .support.softhsm import softhsm_missing_reason, softhsm_module

README = ROOT / "README.md"
CARD_PIN = "135790"


def readme_commands() -> list[str]:
    """The command lines of every ```sh block from "## Using it" up to "## Exit codes"."""
    text = README.read_text(encoding="utf-8")
    body = text[text.index("## Using it") : text.index("## Exit codes")]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", body, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip():
                commands.append(" ".join(line.split()))
    return commands


def make_card(folder: Path, workspace: Path) -> Path:
    """A SoftHSM2 token 'kaart' with the demo burgemeester's key and certificate."""
    config = folder / "softhsm2.conf"
    (folder / "tokens").mkdir(parents=True)
    config.write_text(
        f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n",
        encoding="utf-8",
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(config)}
    key, certificate, _ = pkcs12.load_key_and_certificates(
        (workspace / "pki" / "burgemeester.p12").read_bytes(), DEMO_PASSPHRASE.encode()
    )
    assert key is not None and certificate is not None
    key_file = folder / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    certificate_file = folder / "cert.der"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    module = str(softhsm_module())
    for command in (
        f"softhsm2-util --init-token --free --label kaart --so-pin 12345678 --pin {CARD_PIN}",
        f"softhsm2-util --import {key_file} --token kaart --label handtekening --id 01 "
        f"--pin {CARD_PIN}",
        f"pkcs11-tool --module {module} --token-label kaart --login --pin {CARD_PIN} "
        f"--write-object {certificate_file} --type cert --label handtekening --id 01",
    ):
        done = subprocess.run(command.split(), env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    key_file.unlink()
    return config


def test_readme_lists_the_examples_we_run() -> None:
    """The extraction itself: a README without examples must not pass by running nothing."""
    commands = [c.split(" #")[0].strip() for c in readme_commands()]
    assert commands[0] == "toetreding demo" and commands[1] == "cd toetreding-demo"
    for expected in (
        "render",
        "sign",
        "tokens",
        "extend",
        "verify",
        "batch",
        "mandate",
        "register",
    ):
        assert any(c.startswith(f"toetreding {expected}") for c in commands), expected
    assert len(commands) >= 25


def test_readme_starts_with_the_two_commands() -> None:
    """A newcomer reads the apt line and the two commands first; CI runs the same two."""
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first is not None
    lines = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert lines == ["sudo apt-get install make python3-venv", "make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").split()
    assert ci[-4:] == ["make", "demo", "make", "test"]


@pytest.mark.skipif(softhsm_missing_reason() is not None, reason=str(softhsm_missing_reason()))
@pytest.mark.skipif(
    shutil.which("pkcs11-tool") is None,
    reason="pkcs11-tool (Debian package opensc) is not installed; .ci/run installs it",
)
def test_every_readme_example_runs_as_written(tmp_path: Path) -> None:
    start = tmp_path / "start"
    start.mkdir()
    bin_folder = str(Path(sys.executable).parent)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TOETREDING_") and key != "SOFTHSM2_CONF"
    }
    env.update(PATH=f"{bin_folder}{os.pathsep}{env.get('PATH', '')}", TOETREDING_PIN=CARD_PIN)
    cwd = start
    ran = 0
    for command in readme_commands():
        if command.startswith("cd "):
            cwd = cwd / command.split()[1]
            assert cwd.is_dir(), command
            continue
        if "--token kaart" in command and "SOFTHSM2_CONF" not in env:
            env["SOFTHSM2_CONF"] = str(make_card(tmp_path / "kaart", cwd))
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"$ {command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        ran += 1
    assert ran >= 23
    workspace = start / "toetreding-demo"
    for made in (
        "mijn-verklaring.pdf",
        "met-kaart.pdf",
        "archief.pdf",
        "rapport.json",
        "register.csv",
    ):
        assert (workspace / made).is_file(), made
