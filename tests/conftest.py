"""Shared fixtures: a fresh copy of the Huizen example per test, one warm renderer, PDF readers.

Independent readers check our PDFs: poppler's pdftotext/pdffonts/pdfinfo/pdfsig (the
`poppler-utils` Debian package, installed by .ci/run). Tests that need them skip with
that reason when they are missing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# The tests read messages in English (the source language), whatever the machine's locale;
# tests/test_language.py checks the Dutch catalogue and runs the CLI in Dutch explicitly.
os.environ["TOETREDING_TAAL"] = "en"

from toetreding.config import Settings, load_settings
from toetreding.inputs import load_request
from toetreding.model import Statement
from toetreding.render import RenderedStatement, StatementRenderer
from toetreding.verify.options import TrustedCovenant, load_trusted_covenants

from .support.conformance import Judge
from .support.conformance import build as build_harness
from .support.conformance import missing_reason as conformance_missing_reason
from .support.pki import RunningPki, start_test_pki
from .support.softhsm import SoftToken, import_key, init_token, softhsm_missing_reason

# Every render and signature is recorded in a register; tests keep theirs out of the
# repository (examples/ is a workspace too). Tests that need a workspace register unset it.
os.environ["TOETREDING_REGISTER"] = str(
    Path(tempfile.mkdtemp(prefix="toetreding-test-register-")) / "register.sqlite"
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "huizen"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftotext, pdffonts, pdfsig) not installed; .ci/run installs it",
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A private copy of the Huizen example that a test may edit freely."""
    target = tmp_path / "werkmap"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.fixture(scope="session")
def example_settings() -> Settings:
    return load_settings(EXAMPLE / "toetreding.yaml")


@pytest.fixture(scope="session")
def example_statement() -> Statement:
    return load_request(EXAMPLE / "verzoek.yaml")


@pytest.fixture(scope="session")
def renderer(example_settings: Settings) -> Iterator[StatementRenderer]:
    with StatementRenderer(example_settings) as warm:
        yield warm


@pytest.fixture(scope="session")
def huizen_pdf(renderer: StatementRenderer, example_statement: Statement) -> RenderedStatement:
    return renderer.render(example_statement)


def run_tool(*args: str | Path, data: bytes | None = None) -> str:
    """Run a poppler tool and return its stdout as text."""
    result = subprocess.run([str(a) for a in args], input=data, capture_output=True, check=False)
    return result.stdout.decode("utf-8", errors="replace") + result.stderr.decode(
        "utf-8", errors="replace"
    )


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "doc.pdf") -> str:
    """The text layer as poppler reads it."""
    path = tmp_path / name
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")


def squash(text: str) -> str:
    """Text with all whitespace (including line breaks chosen by the layout) removed."""
    return re.sub(r"\s+", "", text)


# --- signing: a real PKI over HTTP, a real PKCS#11 token, the unsigned statement ---------


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPki]:
    """Root, intermediate, signers, OCSP, CRLs and a TSA, served on 127.0.0.1."""
    pki = start_test_pki(tmp_path_factory.mktemp("pki"))
    yield pki
    pki.stop()


@pytest.fixture(scope="session")
def soft_token(tmp_path_factory: pytest.TempPathFactory, test_pki: RunningPki) -> SoftToken:
    """A SoftHSM2 token holding the RSA and EC test signers (ids 01 and 02)."""
    reason = softhsm_missing_reason()
    if reason:
        pytest.skip(reason)
    token = init_token(tmp_path_factory.mktemp("softhsm"))
    import_key(
        token,
        test_pki.keys["signer-rsa"],
        test_pki.cert_der("signer-rsa"),
        "burgemeester-rsa",
        b"\x01",
    )
    import_key(
        token,
        test_pki.keys["signer-ec"],
        test_pki.cert_der("signer-ec"),
        "burgemeester-ec",
        b"\x02",
    )
    return token


TEST_SIGNER_IDENTITY = """      certificaat:
        onderwerp:
          serial_number: TEST-HOUDER
          organization_name: Gemeente Testdorp
        uitgever:
          common_name: Test Intermediate CA toetreding
"""
"""Matches every signer of the test PKI (tests/support/pki.py), so the chain check passes."""


def bind_consent_to_test_pki(
    workspace: Path, pki: RunningPki, covenant_file: str = "convenant.yaml"
) -> None:
    """Let the test PKI's 'coordinator' certificate, and only that one (by its SHA-256
    fingerprint), give the coordinator's consent: the covenant's chain names it."""
    covenant = workspace / covenant_file
    text = covenant.read_text(encoding="utf-8")
    demo = (
        "onderwerp:\n              serial_number: DEMO-NCTV-COORDINATOR\n"
        "            uitgever:\n              common_name: DEMO — niet voor productie"
    )
    assert demo in text
    fingerprint = hashlib.sha256(pki.cert_der("coordinator")).hexdigest()
    covenant.write_text(text.replace(demo, f"vingerafdruk_sha256: {fingerprint}"), encoding="utf-8")


def trusted_test_covenants(pki: RunningPki) -> tuple[TrustedCovenant, ...]:
    """The example covenants as a verifier would trust them, with the consent bound to the
    test PKI's coordinator (as in the statements the tests render)."""
    folder = Path(tempfile.mkdtemp(prefix="toetreding-trusted-"))
    for name in ("convenant.yaml", "convenant-organen.yaml"):
        shutil.copyfile(EXAMPLE / name, folder / name)
        bind_consent_to_test_pki(folder, pki, name)
    return load_trusted_covenants((folder / "convenant.yaml", folder / "convenant-organen.yaml"))


@pytest.fixture(scope="session")
def unsigned_pdf(
    tmp_path_factory: pytest.TempPathFactory, renderer: StatementRenderer, test_pki: RunningPki
) -> Path:
    """The Huizen statement whose chain names the test PKI's signers (read-only for tests)."""
    return render_for_test_pki(tmp_path_factory.mktemp("unsigned"), renderer, test_pki)


def render_for_test_pki(
    folder: Path,
    renderer: StatementRenderer,
    pki: RunningPki,
    authority_edits: dict[str, str] | None = None,
    request_edits: dict[str, str] | None = None,
    form: str = "",
) -> Path:
    """The example statement (``form="-organen"``: the organ form) with its chain naming the
    test PKI's signers and its consent bound to the test coordinator, after replacing whole
    lines in the chain and the request (each must be there); rendered to folder/verklaring.pdf."""
    work = folder / "werkmap"
    shutil.copytree(EXAMPLE, work)
    for name, edits in (
        (f"bevoegdheid{form}.yaml", authority_edits),
        (f"verzoek{form}.yaml", request_edits),
    ):
        path = work / name
        text = path.read_text(encoding="utf-8")
        if name.startswith("bevoegdheid"):
            start = text.index("      certificaat:")
            end = text.index("    besluit:", start)
            text = text[:start] + TEST_SIGNER_IDENTITY + text[end:]
        for old, new in (edits or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    bind_consent_to_test_pki(work, pki, f"convenant{form}.yaml")
    pdf = folder / "verklaring.pdf"
    pdf.write_bytes(renderer.render(load_request(work / f"verzoek{form}.yaml")).pdf)
    return pdf


@pytest.fixture(scope="session")
def reference_tools(test_pki: RunningPki) -> Iterator[Judge]:
    """EU DSS and veraPDF in one JVM, trusting the test PKI's root (skips without Java)."""
    reason = conformance_missing_reason()
    if reason:
        pytest.skip(f"conformance checks not run: {reason}")
    build_harness()
    judge = Judge([test_pki.root_pem])
    yield judge
    judge.close()


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`toetreding demo` run once for the session: statement, round, archive package and a
    sealed register (read-only for the tests; copy it to change anything)."""
    from toetreding.demo import create_demo

    folder = tmp_path_factory.mktemp("demo") / "werkmap"
    saved = os.environ.pop("TOETREDING_REGISTER")  # the workspace's own register records
    try:
        create_demo(folder)
    finally:
        os.environ["TOETREDING_REGISTER"] = saved
    return folder
