"""Every shell example in README's "Using it" part runs as written, in a demo workspace.

The examples are pasted, in order, into one bash session (as a reader would, continuation
lines and all), started in a fresh folder with a clean environment: the first example is
`toetreding demo`, the next `cd`s into it, and the smartcard example makes its own SoftHSM2
token with the commands README gives. The session stops at the first failing command,
which the test then names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .support.softhsm import softhsm_missing_reason

README = ROOT / "README.md"


def readme_blocks() -> list[str]:
    """The ```sh blocks from "## Using it" up to "## Exit codes", in order."""
    text = README.read_text(encoding="utf-8")
    body = text[text.index("## Using it") : text.index("## Exit codes")]
    return re.findall(r"```sh\n(.*?)```", body, re.S)


def readme_commands() -> list[str]:
    """Their command lines (continuations joined), without comments."""
    commands = []
    for block in readme_blocks():
        for line in block.replace("\\\n", " ").splitlines():
            command = line.split(" #")[0].strip()
            if command:
                commands.append(" ".join(command.split()))
    return commands


def test_readme_lists_the_examples_we_run() -> None:
    """The extraction itself: a README without examples must not pass by running nothing."""
    commands = readme_commands()
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
    assert len(commands) >= 30


def test_readme_starts_with_the_two_commands() -> None:
    """A newcomer reads the apt line and the two commands first; CI runs the same two."""
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first is not None
    lines = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert lines == ["sudo apt-get install make python3-venv", "make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").split()
    assert ci[-4:] == ["make", "demo", "make", "test"]


MISSING_TOOLS = [
    tool for tool in ("openssl", "pkcs11-tool", "softhsm2-util") if not shutil.which(tool)
]


@pytest.mark.skipif(softhsm_missing_reason() is not None, reason=str(softhsm_missing_reason()))
@pytest.mark.skipif(
    bool(MISSING_TOOLS),
    reason=f"{', '.join(MISSING_TOOLS)} not installed (Debian packages openssl, opensc; "
    ".ci/run installs them)",
)
def test_every_readme_example_runs_as_written(tmp_path: Path) -> None:
    script = "set -euo pipefail\ntrap 'echo \"README EXAMPLE FAILED: $BASH_COMMAND\" >&2' ERR\n"
    script += "\n".join(readme_blocks())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TOETREDING_") and key != "SOFTHSM2_CONF"
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    workspace = tmp_path / "toetreding-demo"
    for made in (
        "mijn-verklaring.pdf",
        "met-p12.pdf",
        "met-kaart.pdf",
        "archief.pdf",
        "rapport.json",
        "register.csv",
    ):
        assert (workspace / made).is_file(), made
    assert not (workspace / "sleutel.pem").exists()  # the example removes the bare key again
