"""A non-editable install (the wheel) carries templates, config, examples and data, and renders."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("toetreding-*.whl")
    return built


def test_wheel_contains_bundled_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "toetreding/_bundled/templates/nl/verklaring.typ.j2",
        "toetreding/_bundled/templates/en/verklaring.typ.j2",
        "toetreding/_bundled/templates/common/stijl.typ.j2",
        "toetreding/_bundled/config/toetreding.yaml",
        "toetreding/_bundled/examples/huizen/verzoek.yaml",
        "toetreding/data/gemeenten-2025.csv",
        "toetreding/locale/nl/LC_MESSAGES/toetreding.mo",
    ):
        assert needed in names, needed


@pytest.mark.slow
def test_installed_wheel_runs_the_demo(wheel: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    # the dependencies come from the environment running the tests (which may itself be a
    # venv, whose packages system_site_packages would not see); toetreding from the wheel
    purelib = sysconfig.get_paths()["purelib"]
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(purelib + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    where = subprocess.run(
        [str(python), "-c", "import toetreding; print(toetreding.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout
    assert str(environment) in where, f"the wheel was not the one imported: {where}"
    result = subprocess.run(
        [str(environment / "bin" / "toetreding"), "demo", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo" / "verklaring.pdf").read_bytes().startswith(b"%PDF-")
