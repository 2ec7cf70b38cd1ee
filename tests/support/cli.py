"""The real `toetreding` command in a subprocess, as a user in a workspace runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def toetreding(
    cwd: Path, *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``toetreding ARGUMENTS`` from ``cwd``, in English, with the workspace's own
    register (the test session's TOETREDING_REGISTER is dropped), and capture its output."""
    environment = {**os.environ, "TOETREDING_TAAL": "en", "COLUMNS": "200"}
    environment.pop("TOETREDING_REGISTER", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "toetreding", *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
