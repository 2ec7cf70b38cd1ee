"""Drives the Java conformance harness (tests/conformance): EU DSS and veraPDF.

The harness is built once (``mvn -q -B package``; the first build downloads the libraries
from Maven Central) and started once per test session; each PDF is one request line and
one JSON answer, so the JVM's start-up is paid once, not per file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HARNESS = Path(__file__).resolve().parent.parent / "conformance"
CLASSES = HARNESS / "target" / "classes"
LIBS = HARNESS / "target" / "lib"


def missing_reason() -> str | None:
    """Why the harness cannot run here, or None."""
    if shutil.which("java") is None:
        return "java is not installed (Java 17; .ci/run installs default-jdk-headless)"
    if shutil.which("mvn") is None and not _built():
        return "maven is not installed (.ci/run installs it), so the harness cannot be built"
    return None


def _built() -> bool:
    if not (CLASSES / "nl" / "toetreding" / "conformance" / "Harness.class").is_file():
        return False
    if not LIBS.is_dir():
        return False
    newest_source = max(
        p.stat().st_mtime for p in [HARNESS / "pom.xml", *HARNESS.glob("src/**/*.java")]
    )
    return (
        CLASSES / "nl" / "toetreding" / "conformance" / "Harness.class"
    ).stat().st_mtime >= newest_source


def build() -> None:
    """Compile the harness and copy its libraries (skipped when up to date)."""
    if _built():
        return
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(HARNESS / "pom.xml"), "package", "-DskipTests"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"building the conformance harness failed:\n{result.stdout}\n{result.stderr}"
        )


class Judge:
    """One running harness: ask it about PDFs, one at a time."""

    def __init__(self, trust_roots: Sequence[Path]) -> None:
        command = ["java", "-cp", f"{CLASSES}:{LIBS}/*", "nl.toetreding.conformance.Harness"]
        for root in trust_roots:
            command += ["--trust", str(root)]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )

    def judge(self, pdf: Path, flavours: Sequence[str] = ("2a", "ua1")) -> dict[str, Any]:
        """DSS's verdict on every signature and veraPDF's for each flavour."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(f"{','.join(flavours) or '-'}\t{pdf}\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the conformance harness stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait(timeout=30)
