"""The CLI in Dutch and English: the catalogue is complete, compiled, and used.

The source language is English (``_("…")``); ``locale/nl/LC_MESSAGES/toetreding.po`` holds
the Dutch. These tests extract every message from the source with Babel, as `make messages`
does, and require a Dutch text for each, with the same ``{fields}``; they require the
shipped ``.mo`` to hold exactly the ``.po``; and they run the real CLI in a subprocess under
a Dutch and an English environment.
"""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from toetreding.i18n import DOMAIN, LOCALE_DIR, language_from

from .conftest import EXAMPLE
from .support.pki import RunningPki

babel = pytest.importorskip("babel", reason="Babel is a test dependency (pip install '.[test]')")

PO = LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")
SOURCE = Path(__file__).resolve().parent.parent / "src" / "toetreding"
FIELD = re.compile(r"\{(\w*)[^{}]*\}")
"""A ``{field}``'s name (a Dutch text may drop an English format such as ``{limit:,}``)."""


def source_messages() -> dict[str, tuple[str, ...]]:
    """Every message in the source: msgid → the forms (one, or singular and plural)."""
    from babel.messages.extract import extract_from_dir

    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE), keywords=keywords, comment_tags=()
    ):
        forms = (message,) if isinstance(message, str) else tuple(message)
        found[forms[0]] = forms
    return found


def dutch_catalogue() -> dict[str, tuple[str, ...]]:
    from babel.messages.pofile import read_po

    with PO.open("rb") as stream:
        catalogue = read_po(stream)
    translated: dict[str, tuple[str, ...]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = (message.string,) if isinstance(message.string, str) else message.string
        translated[key] = tuple(strings)
    return translated


def test_every_message_has_its_dutch_text_with_the_same_fields() -> None:
    messages = source_messages()
    dutch = dutch_catalogue()
    assert len(messages) > 300, "extraction found too little: is the keyword list right?"
    missing = sorted(m for m in messages if not any(dutch.get(m, ())))
    assert not missing, f"{len(missing)} messages lack Dutch (run `make messages`): {missing[:10]}"
    for msgid, forms in messages.items():
        wanted = set(FIELD.findall(forms[-1])) | set(FIELD.findall(forms[0]))
        for text in dutch[msgid]:
            assert set(FIELD.findall(text)) <= wanted, (msgid, text)
            assert text.strip(), msgid
    stale = sorted(set(dutch) - set(messages))
    assert not stale, f"translations for messages no longer in the source: {stale[:10]}"


def test_the_compiled_catalogue_is_the_po_file() -> None:
    with MO.open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    dutch = dutch_catalogue()
    for msgid, strings in dutch.items():
        if len(strings) == 1:
            assert compiled.gettext(msgid) == strings[0], msgid
    assert compiled.gettext("Usage:") == "Gebruik:"


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"TOETREDING_TAAL": "nl"}, "nl"),
        ({"TOETREDING_TAAL": "en", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LC_ALL": "nl_BE.UTF-8", "LANG": "en_GB.UTF-8"}, "nl"),
        ({"LANGUAGE": "en", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"TOETREDING_TAAL": "fr", "LANG": "nl_NL"}, "nl"),
        ({}, "en"),
    ],
)
def test_the_language_follows_the_setting_then_the_locale(
    environment: dict[str, str], expected: str
) -> None:
    assert language_from(environment) == expected


def cli(*args: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TOETREDING_TAAL", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-m", "toetreding", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_speaks_dutch_under_a_dutch_locale(tmp_path: Path) -> None:
    done = cli("--help", cwd=tmp_path, LANG="nl_NL.UTF-8")
    assert done.returncode == 0
    assert "Gebruik:" in done.stdout and "Opdrachten" in done.stdout
    assert "Toetredingsverklaringen opmaken, ondertekenen" in done.stdout
    assert "Usage:" not in done.stdout
    done = cli("sign", "--help", cwd=tmp_path, TOETREDING_TAAL="nl")
    assert "Onderteken een verklaring" in done.stdout
    assert "ondertekenaarsprofiel" in done.stdout.lower()
    # a usage error: Click's own words too, exit 2
    done = cli("verify", "x.pdf", "--at", "gisteren", cwd=tmp_path, TOETREDING_TAAL="nl")
    assert done.returncode == 2, done.stderr
    assert "fout: Ongeldige waarde voor '--at'" in done.stderr
    assert re.search(r"Gebruik: .*toetreding verify", done.stderr), done.stderr
    assert "'gisteren' is geen datum of tijd" in done.stderr
    # a library error with its hint, exit 1
    done = cli("render", "bestaat-niet.yaml", "-o", "v.pdf", cwd=tmp_path, TOETREDING_TAAL="nl")
    assert done.returncode == 1 and done.stderr.startswith("fout:"), done.stderr
    assert "Traceback" not in done.stderr


def test_the_cli_speaks_english_otherwise(tmp_path: Path) -> None:
    done = cli("--help", cwd=tmp_path, LANG="C.UTF-8")
    assert "Usage:" in done.stdout and "Gebruik:" not in done.stdout
    done = cli("render", "missing.yaml", "-o", "v.pdf", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.startswith("error:"), done.stderr


def test_a_dutch_session_renders_and_verifies_in_dutch(
    tmp_path: Path, test_pki: RunningPki
) -> None:
    """A whole clerk's step in Dutch, piped: no colour codes, Dutch words, machine JSON
    unchanged (keys and verdicts stay English)."""
    import shutil

    shutil.copytree(EXAMPLE, tmp_path / "werkmap")
    work = tmp_path / "werkmap"
    done = cli("render", "verzoek.yaml", "-o", "v.pdf", cwd=work, TOETREDING_TAAL="nl")
    assert done.returncode == 0, done.stderr
    assert "geschreven" in done.stdout and "handtekeningvelden" in done.stdout
    assert "\x1b[" not in done.stdout + done.stderr
    trust = str(test_pki.root_pem)
    done = cli("verify", "v.pdf", "--json", "--trust", trust, cwd=work, TOETREDING_TAAL="nl")
    assert done.returncode == 4
    import json

    report = json.loads(done.stdout)
    assert report["schema"] == "toetreding-verify/2" and report["verdict"] in {
        "FAILED",
        "NOT-A-STATEMENT",
    }


def test_every_dutch_text_formats_like_its_english() -> None:
    """A message filled with ``.format`` must format in Dutch too, with the same fields; one
    used as it is (a literal '{' in it) must stay one (else: a crash in Dutch only)."""
    import string

    formatter = string.Formatter()

    def names(text: str) -> set[str] | None:
        try:
            return {
                re.split(r"[.\[!:]", field)[0]
                for _literal, field, _spec, _conversion in formatter.parse(text)
                if field is not None
            }
        except ValueError:
            return None

    dutch = dutch_catalogue()
    for msgid, forms in source_messages().items():
        english = names(forms[0])
        for text in dutch[msgid]:
            found = names(text)
            assert (english is None) == (found is None), (msgid, text)
            if english and found is not None and all(english):
                text.format(**dict.fromkeys(english, "x"))
