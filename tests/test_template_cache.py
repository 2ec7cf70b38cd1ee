"""Compiled templates kept between runs (toetreding/template_cache.py): used only when safe, never
changing what is rendered, and never loading code another environment compiled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toetreding.config import Settings
from toetreding.model import Statement
from toetreding.render import StatementRenderer
from toetreding.render.templates import make_environment
from toetreding.template_cache import template_cache


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TOETREDING_CACHE_DIR", str(folder))
    return folder


def test_a_second_environment_loads_what_the_first_compiled(cache_dir: Path) -> None:
    first = make_environment(None)
    first.get_template("nl/verklaring.typ.j2")
    entries = {e.name: e.stat().st_mtime_ns for e in (cache_dir / "jinja").iterdir()}
    assert entries, "nothing was cached"
    assert oct((cache_dir / "jinja").stat().st_mode & 0o777) == "0o700"
    second = make_environment(None)
    second.get_template("nl/verklaring.typ.j2")
    assert second.bytecode_cache is not None
    now = {e.name: e.stat().st_mtime_ns for e in (cache_dir / "jinja").iterdir()}
    assert now == entries  # loaded, not compiled and written again


@pytest.mark.parametrize("mode", [0o777, 0o750, 0o705])
def test_a_folder_open_to_others_is_not_used(cache_dir: Path, mode: int) -> None:
    (cache_dir / "jinja").mkdir(parents=True)
    os.chmod(cache_dir / "jinja", mode)
    assert template_cache("statement-sandbox") is None
    make_environment(None).get_template("nl/verklaring.typ.j2")  # still renders
    assert not any((cache_dir / "jinja").iterdir())


def test_a_link_is_not_used(cache_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    cache_dir.mkdir()
    (cache_dir / "jinja").symlink_to(elsewhere)
    assert template_cache("statement-sandbox") is None


def test_an_unwritable_place_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOETREDING_CACHE_DIR", "/proc/toetreding-cannot-be-here")
    assert template_cache("statement-sandbox") is None
    make_environment(None).get_template("nl/verklaring.typ.j2")


def test_another_environment_never_shares_an_entry(cache_dir: Path) -> None:
    sandbox = template_cache("statement-sandbox")
    other = template_cache("other")
    assert sandbox is not None and other is not None
    name, filename = "nl/verklaring.typ.j2", "/x/nl/verklaring.typ.j2"
    assert sandbox.get_cache_key(name, filename) != other.get_cache_key(name, filename)


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
    settings, request = example_settings, example_statement
    with StatementRenderer(settings) as renderer:
        cold = renderer.render(request).pdf
    with StatementRenderer(settings) as renderer:
        cached = renderer.render(request).pdf  # from the cache written just now
    monkeypatch.setenv("TOETREDING_CACHE_DIR", "/proc/toetreding-cannot-be-here")
    with StatementRenderer(settings) as renderer:
        uncached = renderer.render(request).pdf
    assert any((cache_dir / "jinja").iterdir())
    assert cold == cached == uncached
