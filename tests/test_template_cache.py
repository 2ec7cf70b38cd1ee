"""Compiled templates kept between runs (toetreding/template_cache.py): used only when nobody
else can have written them, never changing what is rendered, and never loading code that
another environment (or another Jinja) compiled. Several cases come from a review that ran
planted code through an earlier version of this cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from toetreding.config import Settings
from toetreding.model import Statement
from toetreding.render import StatementRenderer
from toetreding.render.templates import BoundedSandbox, make_environment
from toetreding.template_cache import environment_fingerprint, template_cache

NOBODY = 65534


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    os.chmod(tmp_path, 0o755)  # pytest's folders are the user's; keep them closed to others
    folder = tmp_path / "cache"
    monkeypatch.setenv("TOETREDING_CACHE_DIR", str(folder))
    return folder


def entries(cache_dir: Path) -> dict[str, int]:
    return {e.name: e.stat().st_mtime_ns for e in (cache_dir / "jinja").iterdir()}


def test_a_second_environment_loads_what_the_first_compiled(cache_dir: Path) -> None:
    make_environment(None).get_template("nl/verklaring.typ.j2")
    first = entries(cache_dir)
    assert first, "nothing was cached"
    assert oct((cache_dir / "jinja").stat().st_mode & 0o777) == "0o700"
    second = make_environment(None)
    assert second.bytecode_cache is not None
    second.get_template("nl/verklaring.typ.j2")
    assert entries(cache_dir) == first  # loaded, not compiled and written again


@pytest.mark.parametrize("mode", [0o777, 0o750, 0o705])
def test_a_cache_folder_open_to_others_is_not_used(cache_dir: Path, mode: int) -> None:
    (cache_dir / "jinja").mkdir(parents=True)
    os.chmod(cache_dir / "jinja", mode)
    assert template_cache(make_environment(None)) is None
    make_environment(None).get_template("nl/verklaring.typ.j2")  # still renders
    assert not any((cache_dir / "jinja").iterdir())


def test_a_folder_above_it_that_others_may_change_is_not_trusted(cache_dir: Path) -> None:
    cache_dir.mkdir()
    os.chmod(cache_dir, 0o777)  # anyone could move 'jinja' aside and put their own there
    assert template_cache(make_environment(None)) is None


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give a folder to another user")
def test_a_folder_above_it_owned_by_someone_else_is_not_trusted(cache_dir: Path) -> None:
    cache_dir.mkdir()
    os.chown(cache_dir, NOBODY, NOBODY)
    assert template_cache(make_environment(None)) is None


def test_a_relative_cache_path_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative path would trust whatever folder a clerk happens to be in (a folder
    unpacked from someone's archive)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOETREDING_CACHE_DIR", "planted-cache")
    assert template_cache(make_environment(None)) is None
    monkeypatch.delenv("TOETREDING_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "planted-xdg")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cache = template_cache(make_environment(None))
    assert cache is not None and not (tmp_path / "planted-xdg").exists()


def test_a_link_is_followed_only_to_a_place_that_is_ours(cache_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o777)
    os.chmod(elsewhere, 0o777)
    cache_dir.mkdir()
    (cache_dir / "jinja").symlink_to(elsewhere)
    assert template_cache(make_environment(None)) is None


def test_an_unwritable_place_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOETREDING_CACHE_DIR", "/proc/toetreding-cannot-be-here")
    assert template_cache(make_environment(None)) is None
    make_environment(None).get_template("nl/verklaring.typ.j2")


def test_code_compiled_by_another_environment_is_never_loaded(cache_dir: Path) -> None:
    """The review's case: a template compiled by an environment without the sandbox's
    limits must not be run by the sandbox under the same template name."""
    loader = jinja2.DictLoader({"t.j2": "{{ 'a' * 300000 }}"})
    plain = jinja2.Environment(loader=loader)
    plain.bytecode_cache = template_cache(plain)
    assert len(plain.get_template("t.j2").render()) == 300000
    sandbox = BoundedSandbox(loader=loader)
    sandbox.bytecode_cache = template_cache(sandbox)
    with pytest.raises(jinja2.exceptions.SecurityError):
        sandbox.get_template("t.j2").render()
    assert environment_fingerprint(plain) != environment_fingerprint(sandbox)


def test_a_compile_time_setting_changes_the_key() -> None:
    one = make_environment(None)
    other = make_environment(None)
    other.trim_blocks = False
    assert environment_fingerprint(one) != environment_fingerprint(other)


def test_an_entry_someone_else_may_write_is_not_loaded(cache_dir: Path) -> None:
    make_environment(None).get_template("nl/verklaring.typ.j2")
    for entry in (cache_dir / "jinja").iterdir():
        os.chmod(entry, 0o666)
    before = entries(cache_dir)
    make_environment(None).get_template("nl/verklaring.typ.j2")
    assert entries(cache_dir) != before  # compiled and written anew, not loaded


def test_planted_code_does_not_run(cache_dir: Path, tmp_path: Path) -> None:
    """An entry for the statement template holding other code, in a file that is not this
    user's alone: rendering compiles the template instead of running that code. (The same
    entry as the user's own 0600 file does run — as Python runs __pycache__ — which shows
    the planted entry is a valid one.)"""
    marker = tmp_path / "ran"
    environment = make_environment(None)
    cache = environment.bytecode_cache
    assert cache is not None and environment.loader is not None
    source, filename, _ = environment.loader.get_source(environment, "nl/verklaring.typ.j2")
    bucket = cache.get_bucket(environment, "nl/verklaring.typ.j2", filename, source)
    bucket.code = compile(f"open({str(marker)!r}, 'w').write('x')", "planted", "exec")
    cache.set_bucket(bucket)
    (target,) = (cache_dir / "jinja").iterdir()
    os.chmod(target, 0o664)  # group-writable: someone else could have put it there
    make_environment(None).get_template("nl/verklaring.typ.j2")
    assert not marker.exists(), "code from a cache entry others may write ran"
    cache.set_bucket(bucket)
    os.chmod(target, 0o600)
    with pytest.raises(Exception):  # noqa: B017 - the planted module is no template
        make_environment(None).get_template("nl/verklaring.typ.j2")
    assert marker.exists(), "the planted entry was not a valid one: the test proves nothing"


def test_damaged_entries_are_compiled_again(cache_dir: Path) -> None:
    make_environment(None).get_template("nl/verklaring.typ.j2")
    whole = {e.name: e.read_bytes() for e in (cache_dir / "jinja").iterdir()}
    for name, data in whole.items():
        (cache_dir / "jinja" / name).write_bytes(data[: len(data) // 3])  # a write cut short
    make_environment(None).get_template("nl/verklaring.typ.j2")
    again = {e.name: e.read_bytes() for e in (cache_dir / "jinja").iterdir()}
    assert again == whole  # compiled again and written whole


def test_the_statement_is_the_same_with_and_without_the_cache(
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    example_settings: Settings,
    example_statement: Statement,
) -> None:
    with StatementRenderer(example_settings) as renderer:
        cold = renderer.render(example_statement).pdf
    with StatementRenderer(example_settings) as renderer:
        cached = renderer.render(example_statement).pdf  # from the cache written just now
    monkeypatch.setenv("TOETREDING_CACHE_DIR", "/proc/toetreding-cannot-be-here")
    with StatementRenderer(example_settings) as renderer:
        uncached = renderer.render(example_statement).pdf
    assert any((cache_dir / "jinja").iterdir())
    assert cold == cached == uncached


def test_the_cli_renders_with_a_cache_in_a_fresh_process(cache_dir: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import toetreding.render.templates as t; "
         "t.make_environment(None).get_template('nl/verklaring.typ.j2')"],
        capture_output=True, text=True, timeout=120, env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert any((cache_dir / "jinja").iterdir())
