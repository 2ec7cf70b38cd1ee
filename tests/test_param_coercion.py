"""Command-line values converted without pydantic give what Typer's own coercion gives.

`toetreding.cli.param_coercion` converts plain values itself (issue #16: Typer's pydantic
adapters were ≈ 0.15 s of a cold start). Every parameter of every command is run through
both Typer's coercion and ours on the same inputs, and the results — value or error
message — must be equal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer import _click, core

from toetreding.cli import app, param_coercion

INPUTS = [
    "",
    " ",
    "x",
    "0",
    "7",
    "12",
    "007",
    "-1",
    "+3",
    " 3",
    "3 ",
    "1_000",
    "1.0",
    "1e3",
    "٣",
    "99999999999999999999999",
    "yes",
    "True",
    "B-T",
    "b-lta",
    "nl",
    "EN",
    "json",
    "-",
    "~/x",
    "a\x00b",
    "map/",
    "2026-12-01",
    "2026-12-01T10:00:00+01:00",
    "gisteren",
    "\x1b[31mred",
]


def _parameters() -> list[tuple[str, Any]]:
    group = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: str) -> None:
        for parameter in command.params:
            if hasattr(parameter, "type_descriptor"):
                found.append((f"{path} {parameter.name}", parameter))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(group, "")
    return found


PARAMETERS = _parameters()
GROUP = typer.main.get_command(app)


def _outcome(runtime: Any, value: Any, parameter: Any) -> tuple[str, Any]:
    context = _click.Context(GROUP)
    try:
        return "value", runtime.coerce(value, param=parameter, ctx=context)
    except _click.exceptions.BadParameter as error:
        return "error", error.message
    except Exception as error:  # the same exception either way is what counts
        return "raised", (type(error).__name__, str(error))


def _both(parameter: Any, value: Any) -> tuple[tuple[str, Any], tuple[str, Any]]:
    descriptor = parameter.type_descriptor
    ours = core.build_runtime_param(descriptor)
    typers = core.build_runtime_param.typer_build(descriptor)  # type: ignore[attr-defined]
    return _outcome(ours, value, parameter), _outcome(typers, value, parameter)


def test_installed_on_this_typer() -> None:
    # when a Typer upgrade moves its internals this fails, rather than the start-up
    # quietly getting slower again
    assert param_coercion.install()
    assert getattr(core.build_runtime_param, "toetreding_plain", False)


def test_every_parameter_kind_is_handled_here() -> None:
    handled = [core.build_runtime_param(p.type_descriptor) for _, p in PARAMETERS]
    assert handled
    assert all(type(runtime).__name__ == "PlainRuntimeParam" for runtime in handled)


@pytest.mark.parametrize(("where", "parameter"), PARAMETERS, ids=[w for w, _ in PARAMETERS])
def test_same_result_as_typer(where: str, parameter: Any, tmp_path: Path) -> None:
    (tmp_path / "bestaat.pdf").write_bytes(b"%PDF")
    (tmp_path / "map").mkdir()
    values: list[Any] = [*INPUTS, str(tmp_path / "bestaat.pdf"), str(tmp_path / "map")]
    values += [True, False, None, 3, ("a", "b"), ["1", "x"], (), Path("p.pdf")]
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        for value in values:
            ours, typers = _both(parameter, value)
            assert ours == typers, f"{where} given {value!r}"
    finally:
        os.chdir(old)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=12))
def test_same_result_as_typer_for_any_text(text: str) -> None:
    for where, parameter in PARAMETERS:
        if parameter.multiple or parameter.nargs == -1:
            value: Any = (text, text)
        else:
            value = text
        ours, typers = _both(parameter, value)
        assert ours == typers, f"{where} given {value!r}"


def test_verify_does_not_build_pydantic_adapters(tmp_path: Path) -> None:
    # the start-up gain itself: running a command leaves Typer's pydantic adapters unloaded
    script = (
        "import sys\n"
        "from toetreding.cli import main\n"
        "sys.argv = ['toetreding', 'verify', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('typer._adapters' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
