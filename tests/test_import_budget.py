"""Each command imports only what it needs (issue #16: cold start), and deferring pyHanko's
package initialisers (toetreding/deferred_imports.py) changes nothing but the timing.

The commands run as real processes in a demo workspace; a small wrapper reports, at exit,
which heavy modules the process had loaded. Timings are not asserted here (bench/ measures
them side by side); what is asserted is the import graph, which is what the time follows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("aiohttp", "jinja2", "typst", "pyhanko.sign.signers", "pyhanko", "pydantic", "requests")

REPORT_MODULES = """
import atexit, json, sys
heavy = {heavy!r}
atexit.register(lambda: sys.stderr.write("MODULES " + json.dumps(
    [name for name in heavy if name in sys.modules]) + "\\n"))
sys.argv = ["toetreding", *sys.argv[1:]]
from toetreding.cli import main
main()
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from toetreding.demo import create_demo

    folder = tmp_path_factory.mktemp("import-budget") / "werkmap"
    previous = os.environ.pop("TOETREDING_REGISTER", None)
    try:
        create_demo(folder)
    finally:
        if previous is not None:
            os.environ["TOETREDING_REGISTER"] = previous
    return folder


def loaded_by(cwd: Path, *args: str) -> set[str]:
    """The heavy modules a real `toetreding ARGS…` process had imported when it ended."""
    done = subprocess.run(
        [sys.executable, "-c", REPORT_MODULES.format(heavy=HEAVY), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def test_help_loads_no_engine(demo: Path) -> None:
    assert loaded_by(demo, "--help") == set()


def test_render_loads_no_pyhanko(demo: Path) -> None:
    loaded = loaded_by(demo, "render", "verzoek.yaml", "-o", "budget.pdf", "--overwrite")
    assert {"jinja2", "typst"} <= loaded  # the test can see what render needs
    assert not loaded & {"pyhanko", "aiohttp"}


def test_sign_without_timestamp_loads_no_network_stack_and_no_templates(demo: Path) -> None:
    args = ("sign", "verklaring.pdf", "-o", "budget-getekend.pdf", "--level", "B-B")
    loaded = loaded_by(demo, *args)
    assert "pyhanko.sign.signers" in loaded
    assert not loaded & {"aiohttp", "requests", "jinja2"}


def test_verify_loads_no_signers_network_stack_or_engines(demo: Path) -> None:
    loaded = loaded_by(demo, "verify", "verklaring-met-instemming.pdf", "--offline")
    assert "pyhanko" in loaded
    assert not loaded & {"aiohttp", "requests", "jinja2", "typst", "pyhanko.sign.signers"}


def test_verify_online_still_loads_no_network_stack_when_the_file_holds_the_data(
    demo: Path,
) -> None:
    # fetching is allowed, but the B-LTA file carries every CRL: nothing is fetched
    loaded = loaded_by(demo, "verify", "verklaring-met-instemming.pdf")
    assert not loaded & {"aiohttp", "requests"}


ASN1_MAPS = """
import json, sys
{prelude}
from asn1crypto import algos, cms, x509
maps = {{
    "cms_attributes": cms.CMSAttributeType._map,
    "content_types": cms.ContentType._map,
    "extensions": x509.ExtensionId._map,
    "key_purposes": x509.KeyPurposeId._map,
    "kdf": algos.KdfAlgorithmId._map,
}}
print(json.dumps({{name: sorted(m.items()) for name, m in maps.items()}}))
"""


def asn1_maps(prelude: str) -> object:
    done = subprocess.run(
        [sys.executable, "-c", ASN1_MAPS.format(prelude=prelude)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_deferral_keeps_every_asn1_registration_of_pyhankos_initialiser() -> None:
    # pyHanko's modules register CMS attributes and X.509 extensions with asn1crypto when
    # imported; a deferred initialiser must still register all of them before any
    # pyhanko.sign module is used, or a claimed role would read as an unknown OID
    deferred = asn1_maps("import toetreding.cli\nimport pyhanko.sign.general")
    as_shipped = asn1_maps("import pyhanko.sign")
    assert deferred == as_shipped


def test_deferred_packages_resolve_to_the_same_objects() -> None:
    script = """
import sys
import toetreding.cli  # the CLI's process defers; see the library test below
import pyhanko.sign.validation
from toetreding.deferred_imports import is_deferred
assert is_deferred(sys.modules["pyhanko.sign"])
assert "aiohttp" not in sys.modules
from pyhanko.sign.timestamps import TimeStamper, DummyTimeStamper
from pyhanko.sign.timestamps.api import TimeStamper as TimeStamperItself
assert TimeStamper is TimeStamperItself
assert "aiohttp" not in sys.modules
import pyhanko.sign
from pyhanko.sign.signers import PdfSigner
assert pyhanko.sign.PdfSigner is PdfSigner  # the real __init__ ran on first use
assert not is_deferred(sys.modules["pyhanko.sign"])
from pyhanko_certvalidator.fetchers import _default_fetcher_backend
backend = _default_fetcher_backend()  # pyHanko's own default: a real aiohttp backend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
assert isinstance(backend, AIOHttpFetcherBackend) and "aiohttp" in sys.modules
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def run_python(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_library_user_keeps_pyhanko_as_pyhanko_made_it() -> None:
    # importing toetreding as a library installs only the hex reader, never the deferral
    script = """
import toetreding
import pyhanko.sign
from toetreding.deferred_imports import is_deferred
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
assert not is_deferred(pyhanko.sign) and isinstance(AIOHttpFetcherBackend, type)
assert "PdfSigner" in pyhanko.sign.__all__
print("ok")
"""
    assert run_python(script) == "ok"


def test_a_deferred_package_answers_all_and_star_imports_like_the_real_one() -> None:
    script = """
import toetreding.cli
import pyhanko.sign
from toetreding.deferred_imports import is_deferred
assert is_deferred(pyhanko.sign)
names = {}
exec("from pyhanko.sign import *", names)
assert "PdfSigner" in names and "PdfSigner" in pyhanko.sign.__all__
assert not is_deferred(pyhanko.sign)
print("ok")
"""
    assert run_python(script) == "ok"


def test_threads_reading_a_deferred_package_all_see_its_names() -> None:
    # the initialiser runs once, under a lock: no thread sees a half-made package
    script = """
import threading
import toetreding.cli
import pyhanko.sign
errors = []
barrier = threading.Barrier(8)
def read():
    barrier.wait()
    try:
        pyhanko.sign.PdfSigner
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=read) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors or "ok")
"""
    for _ in range(3):
        assert run_python(script) == "ok"
