"""Templates are data, not code (issue #12): a template or a planted config can neither run a
command nor read a file outside the workspace.

Each escape is tried for real through the CLI; success for the attacker would leave a marker
file behind or put a foreign file's text into the PDF, and both are checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toetreding.cli import app

from .conftest import EXAMPLE, ROOT

runner = CliRunner()
SECRET = "GEHEIM-BUITEN-DE-WERKMAP-7d1c"


def cli(*args: str, cwd: Path) -> tuple[int, str]:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(app, list(args))
    finally:
        os.chdir(previous)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stderr


def user_templates(folder: Path, prefix: str) -> Path:
    """A copy of the bundled templates with ``prefix`` put before the Dutch main template."""
    shutil.copytree(ROOT / "templates", folder)
    main = folder / "nl" / "verklaring.typ.j2"
    main.write_text(prefix + "\n" + main.read_text())
    return folder


PAYLOADS = {
    "cycler globals": "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "joiner globals": "{{ joiner.__init__.__globals__['os'].system('touch {marker}') }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].system('touch {marker}') }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ 'touch {marker}' }}",
    "namespace init": "{{ namespace.__init__.__globals__ }}{{ '{marker}' }}",
    "template context": "{{ self._TemplateReference__context.cycler.__init__ }}{{ '{marker}' }}",
    "format string": "{{ '{0.__init__.__globals__}'.format(cycler) }}{{ '{marker}' }}",
    "mutating a list": "{% set l = [] %}{{ l.append('{marker}') }}",
    "attr filter": "{{ cycler|attr('__init__')|attr('__globals__') }}{{ '{marker}' }}",
}


@pytest.mark.parametrize("payload", list(PAYLOADS), ids=list(PAYLOADS))
def test_a_template_cannot_reach_python(workspace: Path, tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "uitgevoerd"
    templates = user_templates(
        tmp_path / "sjablonen", PAYLOADS[payload].replace("{marker}", str(marker))
    )
    code, err = cli(
        "render", "verzoek.yaml", "-o", "v.pdf", "--templates", str(templates), cwd=workspace
    )
    assert code == 1, err
    assert "template" in err
    assert not marker.exists()
    assert not (workspace / "v.pdf").exists()


def test_a_template_linked_out_of_its_folder_is_not_read(workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elders.typ.j2"
    outside.write_text(SECRET)
    templates = user_templates(tmp_path / "sjablonen", '{% include "common/extra.typ.j2" %}')
    (templates / "common" / "extra.typ.j2").symlink_to(outside)
    code, err = cli(
        "render", "verzoek.yaml", "-o", "v.pdf", "--templates", str(templates), cwd=workspace
    )
    assert code == 1 and "outside its templates folder" in err, err
    assert not (workspace / "v.pdf").exists()


@pytest.mark.parametrize(
    "name", ["../../../../../../etc/hostname", "/etc/hostname", "common/../../elders.typ.j2"]
)
def test_an_include_cannot_climb_out(workspace: Path, tmp_path: Path, name: str) -> None:
    (tmp_path / "elders.typ.j2").write_text(SECRET)
    templates = user_templates(tmp_path / "sjablonen", f'{{% include "{name}" %}}')
    code, err = cli(
        "render", "verzoek.yaml", "-o", "v.pdf", "--templates", str(templates), cwd=workspace
    )
    assert code == 1 and "not found" in err, err


def test_a_template_that_is_a_fifo_is_refused_without_hanging(
    workspace: Path, tmp_path: Path
) -> None:
    templates = user_templates(tmp_path / "sjablonen", '{% include "common/pijp.typ.j2" %}')
    os.mkfifo(templates / "common" / "pijp.typ.j2")
    code, err = cli(
        "render", "verzoek.yaml", "-o", "v.pdf", "--templates", str(templates), cwd=workspace
    )
    assert code == 1 and "not a regular file" in err, err


def test_typst_cannot_read_outside_its_sandbox(workspace: Path, tmp_path: Path) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text(SECRET)
    templates = user_templates(tmp_path / "sjablonen", f'#read("{secret}")')
    code, err = cli(
        "render", "verzoek.yaml", "-o", "v.pdf", "--templates", str(templates), cwd=workspace
    )
    assert code == 1, err
    assert not (workspace / "v.pdf").exists()


def test_config_templates_folder_linked_out_of_the_workspace_is_refused(
    workspace: Path, tmp_path: Path
) -> None:
    user_templates(tmp_path / "elders", "")
    (workspace / "sjablonen").symlink_to(tmp_path / "elders")
    config = workspace / "toetreding.yaml"
    config.write_text(config.read_text() + "\nsjablonen: sjablonen\n")
    code, err = cli("render", "verzoek.yaml", "-o", "v.pdf", cwd=workspace)
    assert code == 1 and "sjablonen points outside the workspace" in err, err


# --- a config planted in a parent folder -----------------------------------------------------


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder a clerk is handed, inside a parent that holds a planted toetreding.yaml."""
    parent = tmp_path / "gedeeld"
    folder = parent / "inbox"
    shutil.copytree(EXAMPLE, folder)
    (folder / "toetreding.yaml").unlink()  # the clerk's folder has no config of its own
    return folder


def plant(inbox: Path, text: str) -> Path:
    config = inbox.parent / "toetreding.yaml"
    config.write_text(text)
    return config


def test_planted_parent_templates_cannot_run_code(inbox: Path, tmp_path: Path) -> None:
    marker = tmp_path / "uitgevoerd"
    user_templates(
        inbox.parent / "sjablonen", PAYLOADS["cycler globals"].replace("{marker}", str(marker))
    )
    plant(inbox, "sjablonen: sjablonen\n")
    code, err = cli("render", "verzoek.yaml", "-o", "v.pdf", cwd=inbox)
    assert code == 1 and "Python internals" in err, err
    assert not marker.exists()


@pytest.mark.parametrize(
    "line",
    [
        "sjablonen: ../../../../../../tmp\n",
        "sjablonen: /etc\n",
        "huisstijl:\n  logo: /usr/share/pixmaps/debian-logo.png\n",
        "register: /tmp/elders-register.sqlite\n",
        "ondertekening:\n  vertrouwensankers: [/etc/ssl/certs/ca-certificates.crt]\n",
        "ondertekening:\n  ondertekenaars:\n    x:\n      pkcs12: ../../sleutel.p12\n"
        "      functie: f\n      namens: n\n",
    ],
    ids=["templates-up", "templates-abs", "logo", "register", "trust", "pkcs12"],
)
def test_planted_parent_config_may_not_name_files_outside_its_tree(inbox: Path, line: str) -> None:
    config = plant(inbox, line)
    code, err = cli("render", "verzoek.yaml", "-o", "v.pdf", cwd=inbox)
    assert code == 1 and "outside the config's own folder" in err, err
    assert str(config) in err and "--config" in err
    assert not (inbox / "v.pdf").exists()


def test_planted_parent_config_may_not_name_a_pkcs11_module(inbox: Path) -> None:
    (inbox.parent / "evil.so").write_bytes(b"\x7fELF")
    plant(
        inbox,
        "ondertekening:\n  ondertekenaars:\n    kaart:\n      pkcs11:\n        module: evil.so\n"
        "        sleutel: k\n      functie: f\n      namens: n\n",
    )
    code, err = cli("render", "verzoek.yaml", "-o", "v.pdf", cwd=inbox)
    assert code == 1 and "PKCS#11 module" in err and "parent folder" in err, err


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the planted file another owner")
def test_a_found_config_owned_by_another_user_is_not_used(inbox: Path) -> None:
    config = plant(inbox, "uitvoer:\n  taal: en\n")
    os.chown(config, 65534, 65534)  # nobody
    code, err = cli("render", "verzoek.yaml", "-o", "v.pdf", cwd=inbox)
    assert code == 1 and "belongs to another user" in err, err
    # named explicitly, the user takes responsibility for it
    code, err = cli("render", "verzoek.yaml", "-o", "v.pdf", "--config", str(config), cwd=inbox)
    assert code == 0, err


def test_a_pkcs11_module_others_can_change_is_not_loaded(workspace: Path) -> None:
    module = workspace / "kaart.so"
    module.write_bytes(b"\x7fELF")
    module.chmod(0o666)
    config = workspace / "toetreding.yaml"
    config.write_text(
        config.read_text() + "\nondertekening:\n  ondertekenaars:\n    kaart:\n      pkcs11:\n"
        "        module: kaart.so\n        sleutel: k\n      functie: f\n      namens: n\n"
    )
    code, err = cli("render", "verzoek.yaml", "-o", "v.pdf", cwd=workspace)
    assert code == 1 and "can be changed by other users" in err, err


def test_the_workspace_config_still_works_from_a_subfolder(workspace: Path) -> None:
    """The ordinary case is not broken: a subfolder of a workspace uses its config."""
    sub = workspace / "uitvoer"
    sub.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "toetreding", "render", "../verzoek.yaml", "-o", "v.pdf"],
        cwd=sub,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (sub / "v.pdf").is_file()


def test_a_pkcs11_module_from_the_command_line_others_can_change_is_refused_before_the_pin(
    workspace: Path, tmp_path: Path, unsigned_pdf: Path
) -> None:
    module = tmp_path / "kaart.so"
    module.write_bytes(b"\x7fELF")
    module.chmod(0o646)
    result = runner.invoke(
        app,
        [
            "sign",
            str(unsigned_pdf),
            "-o",
            str(tmp_path / "s.pdf"),
            "--pkcs11-module",
            str(module),
            "--key",
            "k",
        ],
        env={"TOETREDING_PIN": ""},
    )
    assert result.exit_code == 1 and "can be changed by other users" in result.stderr, result.output
    assert "PIN" not in result.stderr.split("can be changed")[0]


RUNAWAY = {
    "string repeat": "{{ 'a' * 10**9 }}",
    "list repeat": "{{ ([1] * 1000000) | length }}",
    "power": "{{ 2 ** 100000000 }}",
    "printf width": "{{ '%999999999d' | format(1) }}",
    "str.format width": "{{ '{:999999999}'.format(1) }}",
    "huge output": "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
    "self-calling macro": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "self-include": '{% include "nl/verklaring.typ.j2" %}',
}


@pytest.mark.parametrize("payload", list(RUNAWAY), ids=list(RUNAWAY))
def test_a_runaway_template_stops_with_a_message(
    workspace: Path, tmp_path: Path, payload: str
) -> None:
    templates = user_templates(tmp_path / "sjablonen", RUNAWAY[payload])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "toetreding",
            "render",
            "verzoek.yaml",
            "-o",
            "v.pdf",
            "--templates",
            str(templates),
        ],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=120,
        # a memory cap, so a regression fails the test instead of the machine
        preexec_fn=lambda: __import__("resource").setrlimit(
            __import__("resource").RLIMIT_AS, (3 * 1024**3, 3 * 1024**3)
        ),
    )
    assert done.returncode == 1, done.stderr
    assert "template" in done.stderr and "this is a bug" not in done.stderr, done.stderr
    assert not (workspace / "v.pdf").exists()


def test_a_logo_file_name_cannot_become_typst_code(workspace: Path) -> None:
    """The logo's name is data: a name with a quote once ended the Typst string it was put
    in, and the rest of the name was read as code (found in review)."""
    name = 'logo.svg",height:1cm)#text(fill:red)[INJECTED]#box(width:0pt,"'
    shutil.copyfile(workspace / "logo.svg", workspace / name)
    config = workspace / "toetreding.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("logo: logo.svg", f"logo: '{name}'"),
        encoding="utf-8",
    )
    code, err = cli("render", "verzoek.yaml", "-o", "v.pdf", cwd=workspace)
    assert code == 0, err  # the odd name is only a name: the logo is drawn as ever
    shown = subprocess.run(
        ["pdftotext", str(workspace / "v.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "INJECTED" not in shown and "Toetredingsverklaring" in shown
