"""Hostile inputs (issue #12): files built to hang, exhaust memory, smuggle data or read
outside the workspace are refused quickly, located and explained — never a traceback, never
"this is a bug".

Families: YAML (alias bombs, depth, size, tags, merge keys, characters, encodings), files
that are not files (FIFOs, devices, folders, oversized files) named as YAML, secret, trust
root, CRL or PKCS#12 file, and paths in a request or batch that leave the workspace.
Whatever could hang runs in a thread or a subprocess with a deadline, so a regression fails
the test instead of stalling the suite.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from toetreding import safe_yaml
from toetreding.authority import load_chain
from toetreding.batch import load_batch
from toetreding.cli import app
from toetreding.config import load_settings
from toetreding.errors import (
    CredentialError,
    InputFileError,
    ToetredingError,
    ValidationFailed,
)
from toetreding.inputs import load_request, read_yaml
from toetreding.pki.files import MAX_FILE_BYTES, load_certificates, load_crls, load_trust_roots
from toetreding.render import RenderedStatement
from toetreding.secrets import SecretKind, SecretRequest, obtain_secret
from toetreding.sign.credentials import MAX_PKCS12_BYTES, open_pkcs12

from .conftest import ROOT

DEADLINE = 20.0
"""Seconds any refusal may take; each takes well under one."""

PIN = SecretRequest(SecretKind.PIN, "token 'kaart'")


# --- helpers ---------------------------------------------------------------------------


def within(action: Callable[[], Any], seconds: float = DEADLINE) -> BaseException | None:
    """Run ``action`` in a thread; fail if it does not end in time. Returns what it raised."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            action()
        except BaseException as error:  # handed to the test to judge
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (hangs or never ends)"
    return outcome[0]


def refused(action: Callable[[], Any], kind: type[ToetredingError] = ToetredingError) -> str:
    """The message of the error ``action`` raises within the deadline (it must raise)."""
    error = within(action)
    assert isinstance(error, kind), f"expected {kind.__name__}, got {error!r}"
    text = str(error)
    assert "this is a bug" not in text
    return text


def yaml_file(folder: Path, text: str | bytes, name: str = "x.yaml") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def yaml_problems(path: Path) -> str:
    return refused(lambda: read_yaml(path), ValidationFailed)


def laughs(levels: int = 9, width: int = 9, mapping: bool = False) -> str:
    """The classic alias bomb: each level repeats the one before ``width`` times."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        refs = [f"*a{level - 1}"] * width
        body = (
            "{" + ", ".join(f"k{i}: {r}" for i, r in enumerate(refs)) + "}"
            if mapping
            else "[" + ", ".join(refs) + "]"
        )
        lines.append(f"a{level}: &a{level} {body}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes need a POSIX system")
    path = tmp_path / "pijp"
    os.mkfifo(path)
    return path


def sparse(path: Path, size: int) -> Path:
    """A file that claims ``size`` bytes without using the disk."""
    with path.open("wb") as stream:
        stream.truncate(size)
    return path


DEVICES = [d for d in ("/dev/zero", "/dev/urandom", "/dev/null") if os.path.exists(d)]


# --- YAML: alias bombs -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(laughs(), id="lists-9x9"),
        pytest.param(laughs(mapping=True), id="mappings-9x9"),
        pytest.param(laughs(levels=20, width=2), id="binary-20-deep"),
        pytest.param(
            "a: &a [" + ",".join(["x"] * 2000) + "]\nb: [" + ",".join(["*a"] * 99) + "]\n",
            id="one-wide-list-repeated",
        ),
    ],
)
def test_alias_bombs_are_refused_quickly_at_the_first_alias(tmp_path: Path, text: str) -> None:
    path = yaml_file(tmp_path, text)
    started = time.monotonic()
    message = yaml_problems(path)
    assert time.monotonic() - started < 5
    assert "expand to more than 100,000 values" in message
    assert f"{path}:2:" in message  # the first alias is on line 2
    assert "write the values out" in message


def test_one_long_text_repeated_by_aliases_is_refused(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, f"a: &a {'tekst ' * 100_000}\nb: [{', '.join(['*a'] * 99)}]\n")
    message = yaml_problems(path)
    assert "expand to more than 4,194,304 characters of text" in message
    assert f"{path}:2:" in message


def test_more_aliases_than_allowed_are_refused(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, "a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n")
    message = yaml_problems(path)
    assert "more than 100 aliases" in message and f"{path}:2:" in message


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, "a: &a {x: 1}\nb: *a\nc: [*a, *a]\n")
    assert read_yaml(path).data == {"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 1}]}


@pytest.mark.parametrize(
    "text", ["a: &a [1, *a]\n", "a: &a {b: *a}\n", "a: &a\n  - b: [*a]\n"], ids=str
)
def test_alias_inside_its_own_anchor_is_refused(tmp_path: Path, text: str) -> None:
    message = yaml_problems(yaml_file(tmp_path, text))
    assert "alias *a is inside the value it refers to" in message and "never ends" in message


def test_undefined_alias_and_reused_anchor_are_located(tmp_path: Path) -> None:
    assert "x.yaml:2:4: alias *nope refers to no anchor" in yaml_problems(
        yaml_file(tmp_path, "a: 1\nb: *nope\n")
    )
    message = yaml_problems(yaml_file(tmp_path, "a: &x 1\nb: &x 2\n"))
    assert "x.yaml:2:4: anchor &x is defined twice (first at line 1, column 4)" in message


# --- YAML: depth, size, number of values ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 10_000 + "]" * 10_000 + "\n", id="flow-lists"),
        pytest.param("{a: " * 10_000 + "x" + "}" * 10_000 + "\n", id="flow-mappings"),
        pytest.param(
            "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n",
            id="block-mappings",
        ),
        pytest.param(
            "".join("  " * i + "-\n" for i in range(200)) + "  " * 200 + "- x\n", id="block-lists"
        ),
    ],
)
def test_deep_nesting_is_refused_without_a_crash(tmp_path: Path, text: str) -> None:
    message = yaml_problems(yaml_file(tmp_path, text))
    assert "nested more than 64 levels deep" in message
    assert "x.yaml:" in message and "[' or '{'" in message


def test_nesting_at_the_limit_is_fine(tmp_path: Path) -> None:
    read_yaml(yaml_file(tmp_path, "a: " + "[" * 63 + "]" * 63 + "\n"))


def test_deep_nesting_through_aliases_is_refused(tmp_path: Path) -> None:
    text = "a: &a " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 10 + "*a" + "]" * 10 + "\n"
    message = yaml_problems(yaml_file(tmp_path, text))
    assert "through aliases" in message and "more than 64 levels" in message


def test_too_many_values_are_refused(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, "a: [" + ",".join(["x"] * 150_000) + "]\n")
    started = time.monotonic()
    message = yaml_problems(path)
    assert time.monotonic() - started < 10
    assert "more than 100,000 values" in message and f"{path}:1:" in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "groot.yaml"
    path.write_text("# " + "x" * 98 + "\n" * 1)
    sparse(path, safe_yaml.MAX_YAML_BYTES + 1)
    message = refused(lambda: read_yaml(path), InputFileError)
    assert f"'{path}' is larger than 2 MB" in message and "few kilobytes" in message


# --- YAML: tags and merge keys ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "said", "hint"),
    [
        ("!!binary SHVpemVu", "!!binary (base64-encoded data) is not accepted", "not base64"),
        ("!<tag:yaml.org,2002:binary> SHVpemVu", "!!binary (base64", "not base64"),
        (
            "!!python/object/apply:os.system [ls]",
            "!!python/object/apply:os.system names program code",
            "remove the tag",
        ),
        ("!!python/name:os.system ''", "!!python/name:os.system names program", "remove the tag"),
        ("!!python/tuple [1, 2]", "!!python/tuple names program code", "remove the tag"),
        ("!foo bar", "unknown tag '!foo'", "remove the tag"),
        ("!!timestamp 2019-02-30", "!!timestamp is not accepted", "YYYY-MM-DD"),
        ("!!set {a, b}", "!!set is not accepted", "plain list"),
        ("!!omap [a: 1]", "!!omap is not accepted", "plain list"),
        ("!!pairs [a: 1]", "!!pairs is not accepted", "plain list"),
        ("!!seq tekst", "!!seq does not fit this value", "remove the tag"),
        ("!!str [a]", "!!str does not fit this value", "remove the tag"),
    ],
)
def test_refused_tags_are_located_and_say_what_to_write(
    tmp_path: Path, value: str, said: str, hint: str
) -> None:
    message = yaml_problems(yaml_file(tmp_path, f"naam: ok\nplaats: {value}\n"))
    assert f"x.yaml:2:9: {said}" in message and hint in message


def test_tags_defined_by_a_directive_are_refused(tmp_path: Path) -> None:
    text = "%TAG !! tag:evil.example,2024:\n---\nplaats: !!str Huizen\n"
    assert "x.yaml:3:9: unknown tag 'tag:evil.example,2024:str'" in yaml_problems(
        yaml_file(tmp_path, text)
    )


def test_every_refused_tag_is_reported_at_once(tmp_path: Path) -> None:
    message = yaml_problems(yaml_file(tmp_path, "a: !!binary eA==\nb: !x y\nc: !!set {}\n"))
    assert message.startswith("3 problems")


def test_the_standard_tags_are_accepted(tmp_path: Path) -> None:
    text = "a: !!str 0406\nb: !!int '12'\nc: !!float 1.5\nd: !!bool yes\ne: !!null\n"
    text += "f: !!seq [1]\ng: !!map {x: 1}\n"
    data = read_yaml(yaml_file(tmp_path, text)).data
    assert data == {
        "a": "0406",
        "b": 12,
        "c": 1.5,
        "d": True,
        "e": None,
        "f": [1],
        "g": {"x": 1},
    }


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("!!int twaalf", "'twaalf' is not a whole number"),
        ("!!float veel", "'veel' is not a number"),
        ("!!bool misschien", "'misschien' is not true or false"),
        ("!!null iets", "'iets' is not empty (null)"),
    ],
)
def test_values_that_do_not_fit_their_tag_are_located(
    tmp_path: Path, value: str, said: str
) -> None:
    message = yaml_problems(yaml_file(tmp_path, f"a: 1\nkenmerk: {value}\n"))
    assert f"x.yaml:2:10: kenmerk: {said}" in message


@pytest.mark.parametrize(
    "text",
    [
        "basis: &b {x: 1}\nander:\n  <<: *b\n  y: 2\n",
        "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n",
        "c: {<<: {x: 1}}\n",
    ],
)
def test_merge_keys_are_refused(tmp_path: Path, text: str) -> None:
    message = yaml_problems(yaml_file(tmp_path, text))
    assert "merge keys ('<<') are not supported" in message
    assert "write the keys out in full" in message


def test_a_quoted_merge_key_is_just_text(tmp_path: Path) -> None:
    assert read_yaml(yaml_file(tmp_path, "'<<': x\n")).data == {"<<": "x"}


@pytest.mark.parametrize(
    ("text", "where"),
    [("? [a, b]\n: x\n", "1:3"), ("a: &a [1]\n? *a\n: x\n", "2:3"), ("{[1]: x}\n", "1:2")],
)
def test_keys_that_are_lists_or_mappings_are_refused(tmp_path: Path, text: str, where: str) -> None:
    assert f"x.yaml:{where}: a key must be a word or text" in yaml_problems(
        yaml_file(tmp_path, text)
    )


# --- YAML: characters, encodings, numbers, documents ------------------------------------


@pytest.mark.parametrize(
    ("character", "said"),
    [
        ("\x00", "a NUL byte (U+0000)"),
        ("\x07", "the control character U+0007"),
        ("\x1b", "the control character U+001B"),
        ("\x7f", "the control character U+007F"),
        ("\x9b", "the control character U+009B"),
        ("\ufffe", "the non-character U+FFFE"),
    ],
)
def test_control_characters_are_located(tmp_path: Path, character: str, said: str) -> None:
    path = yaml_file(tmp_path, f"naam: x\nplaats: Hui{character}zen\n")
    message = yaml_problems(path)
    assert f"{path}:2:12: the file holds {said}" in message and "remove it" in message


def test_control_characters_after_other_line_breaks_are_located(tmp_path: Path) -> None:
    message = yaml_problems(yaml_file(tmp_path, b"a: 1\r\nb: 2\rc: \x00\n"))
    assert "x.yaml:3:4: the file holds a NUL byte" in message


def test_tab_newline_carriage_return_and_bom_are_fine(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, b"\xef\xbb\xbfa:\tb\r\nc: 'd\te'\r\n")
    assert read_yaml(path).data == {"a": "b", "c": "d\te"}


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, "naam: één\nplaats: Caf".encode() + b"\xe9\n")
    message = refused(lambda: read_yaml(path), InputFileError)
    assert (
        f"{path}:2:12: not UTF-8 text (byte 0xE9)" in message
        and "save the file as UTF-8" in message
    )


def test_utf16_is_recognised(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, "naam: x\n".encode("utf-16"))
    assert "saved as UTF-16" in refused(lambda: read_yaml(path), InputFileError)


@pytest.mark.parametrize(
    "number", ["1" * 5000, "1_" * 3000 + "1", ":".join(["1"] + ["30"] * 200), "1." + "5" * 5000]
)
def test_numbers_too_long_to_be_numbers_are_refused(tmp_path: Path, number: str) -> None:
    message = yaml_problems(yaml_file(tmp_path, f"kenmerk: {number}\n"))
    assert "x.yaml:1:10: kenmerk: a number of" in message and "put it in quotes" in message


def test_a_second_document_is_refused(tmp_path: Path) -> None:
    message = yaml_problems(yaml_file(tmp_path, "a: 1\n---\nb: 2\n"))
    assert "x.yaml:2:1: the file holds more than one YAML document" in message


def test_the_python_parser_applies_the_same_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without libyaml the pure-Python parser feeds the same composer; nothing else changes."""
    monkeypatch.setattr(safe_yaml, "_EventLoader", yaml.SafeLoader)
    assert "expand to more than" in yaml_problems(yaml_file(tmp_path, laughs()))
    assert "64 levels" in yaml_problems(yaml_file(tmp_path, "[" * 5000 + "]" * 5000))
    assert "!!binary" in yaml_problems(yaml_file(tmp_path, "a: !!binary eA==\n"))
    message = yaml_problems(yaml_file(tmp_path, "a: [b\nc: d\n"))
    assert "YAML syntax error" in message and "x.yaml:2:" in message


# --- files that are not files ----------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
def test_a_device_as_yaml_file_is_refused(device: str) -> None:
    message = refused(lambda: read_yaml(Path(device)), InputFileError)
    assert "is a character device, not a regular file" in message
    assert "devices, named pipes and sockets are never read" in message


def test_a_fifo_as_yaml_file_is_refused_without_blocking(fifo: Path) -> None:
    message = refused(lambda: read_yaml(fifo), InputFileError)
    assert "is a named pipe (FIFO), not a regular file" in message


def test_a_folder_as_yaml_file_is_refused(tmp_path: Path) -> None:
    assert "is a folder, not a regular file" in refused(lambda: read_yaml(tmp_path))


@pytest.mark.parametrize("device", DEVICES)
def test_a_device_as_secret_file_is_refused(device: str) -> None:
    message = refused(lambda: obtain_secret(PIN, secret_file=Path(device)), CredentialError)
    assert f"the file with the PIN for token 'kaart' '{device}' is a character device" in message


def test_a_fifo_as_secret_file_is_refused_without_blocking(fifo: Path) -> None:
    message = refused(lambda: obtain_secret(PIN, secret_file=fifo), CredentialError)
    assert "named pipe (FIFO)" in message


def test_a_secret_file_must_be_small(tmp_path: Path) -> None:
    secret = tmp_path / "pin.txt"
    secret.write_text("1234\n" + "x" * 5000)
    message = refused(lambda: obtain_secret(PIN, secret_file=secret), CredentialError)
    assert "is larger than 4 KB" in message and "holds one line" in message
    secret.write_text("1234\n")
    assert obtain_secret(PIN, secret_file=secret).reveal() == "1234"


def test_a_secret_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "pin.bin"
    secret.write_bytes(b"\xff\xfe\x00")
    assert "not UTF-8" in refused(lambda: obtain_secret(PIN, secret_file=secret), CredentialError)


@pytest.mark.parametrize(
    "load", [lambda p: load_trust_roots([p]), lambda p: load_crls([p]), load_certificates]
)
def test_trust_roots_and_crls_refuse_pipes_and_devices(
    fifo: Path, load: Callable[[Path], Any]
) -> None:
    assert "named pipe (FIFO)" in refused(lambda: load(fifo), CredentialError)
    for device in map(Path, DEVICES):
        assert "character device" in refused(lambda d=device: load(d), CredentialError)


def test_a_huge_certificate_file_is_refused_unread(tmp_path: Path) -> None:
    path = sparse(tmp_path / "root.pem", MAX_FILE_BYTES + 1)
    assert "is larger than 16 MB" in refused(lambda: load_trust_roots([path]), CredentialError)


def test_a_pkcs12_file_must_be_a_small_regular_file(tmp_path: Path, fifo: Path) -> None:
    assert "named pipe (FIFO)" in refused(lambda: open_pkcs12(fifo, None), CredentialError)
    for device in map(Path, DEVICES):
        message = refused(lambda d=device: open_pkcs12(d, None), CredentialError)
        assert "character device" in message
    big = sparse(tmp_path / "sleutel.p12", MAX_PKCS12_BYTES + 1)
    assert "is larger than 1 MB" in refused(lambda: open_pkcs12(big, None), CredentialError)
    assert "not found" in refused(lambda: open_pkcs12(tmp_path / "weg.p12", None))


def test_a_statement_pdf_that_is_a_pipe_is_refused_by_mandate(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes need a POSIX system")
    pipe = tmp_path / "verklaring.pdf"
    os.mkfifo(pipe)
    assert "not a regular file" in refused(lambda: load_chain(pipe), InputFileError)


# --- every YAML reader goes through the limits ------------------------------------------


def test_a_config_with_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    config = yaml_file(tmp_path, laughs(), "toetreding.yaml")
    assert "expand to more than" in refused(lambda: load_settings(config), ValidationFailed)
    assert "expand to more than" in refused(lambda: load_settings(None, {}, tmp_path))


def test_batch_and_authority_files_go_through_the_limits(workspace: Path) -> None:
    bomb = yaml_file(workspace, laughs(), "bomb.yaml")
    assert "expand to more than" in refused(lambda: load_batch(bomb), ValidationFailed)
    assert "expand to more than" in refused(lambda: load_chain(bomb), ValidationFailed)
    (workspace / "convenant.yaml").write_text("a: !!binary eA==\n")
    assert "convenant.yaml:1:4: !!binary" in refused(
        lambda: load_request(workspace / "verzoek.yaml")
    )


# --- paths in a request stay inside the workspace --------------------------------------


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pin_document(workspace: Path, name: str, digest: str = "0" * 64) -> None:
    edit(
        workspace / "bevoegdheid.yaml",
        '    kenmerk: "Z-2026-04512"\n',
        f'    kenmerk: "Z-2026-04512"\n    document:\n      bestand: "{name}"\n'
        f'      sha256: "{digest}"\n',
    )


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file next to the workspace (tmp_path/werkmap), i.e. outside it."""
    path = tmp_path / "geheim.txt"
    path.write_text("niet voor de aanvrager\n")
    return path


def escapes(workspace: Path, outside: Path) -> dict[str, str]:
    """Ways to name ``outside`` from inside the workspace."""
    link = workspace / "besluit.pdf"
    link.symlink_to(outside)
    (workspace / "map").symlink_to(outside.parent, target_is_directory=True)
    ups = "../" * (len(workspace.parts) + 2)
    return {
        "dotdot": "../geheim.txt",
        "many-dotdots": f"{ups}{str(outside).lstrip('/')}",
        "absolute": str(outside),
        "symlinked-file": "besluit.pdf",
        "symlinked-folder": "map/geheim.txt",
        "dotdot-inside-then-out": "schemas/../../geheim.txt",
    }


ESCAPES = [
    "dotdot",
    "many-dotdots",
    "absolute",
    "symlinked-file",
    "symlinked-folder",
    "dotdot-inside-then-out",
]


@pytest.mark.parametrize("how", ESCAPES)
def test_a_decision_document_outside_the_workspace_is_refused_and_not_hashed(
    workspace: Path, outside: Path, how: str
) -> None:
    pin_document(workspace, escapes(workspace, outside)[how])
    message = refused(lambda: load_request(workspace / "verzoek.yaml"), ValidationFailed)
    assert "bevoegdheid.yaml:" in message and "besluiten[0].document.bestand:" in message
    assert f"resolves to {outside}, outside the workspace {workspace.resolve()}" in message
    assert f"copy the file into {workspace.resolve()}" in message
    assert hashlib.sha256(outside.read_bytes()).hexdigest() not in message
    if how.startswith("symlinked"):
        assert "through a symbolic link" in message


def test_a_system_file_as_decision_document_is_refused(workspace: Path) -> None:
    pin_document(workspace, "../../../../../../../../../../etc/passwd")
    message = refused(lambda: load_request(workspace / "verzoek.yaml"), ValidationFailed)
    assert "resolves to /etc/passwd, outside the workspace" in message
    if Path("/etc/passwd").is_file():
        assert hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest() not in message


@pytest.mark.parametrize("key", ["convenant", "bevoegdheid"])
@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlinked-file"])
def test_covenant_and_authority_outside_the_workspace_are_refused(
    workspace: Path, outside: Path, key: str, how: str
) -> None:
    shutil.copy(workspace / f"{key}.yaml", outside)  # a valid file: only its place is wrong
    edit(
        workspace / "verzoek.yaml",
        f"{key}: {key}.yaml",
        f'{key}: "{escapes(workspace, outside)[how]}"',
    )
    message = refused(lambda: load_request(workspace / "verzoek.yaml"), ValidationFailed)
    assert f"verzoek.yaml:{5 if key == 'convenant' else 6}:1: {key}:" in message
    assert "outside the workspace" in message


def test_outside_files_get_the_same_answer_whether_they_exist_or_not(
    workspace: Path, outside: Path
) -> None:
    """A request cannot probe the machine: existence outside the workspace is not revealed."""
    pin_document(workspace, "../geheim.txt")
    exists = refused(lambda: load_request(workspace / "verzoek.yaml"))
    outside.unlink()
    missing = refused(lambda: load_request(workspace / "verzoek.yaml"))
    assert exists == missing and "does not exist" not in missing


def test_a_shared_folder_inside_the_workspace_is_allowed(workspace: Path) -> None:
    """Requests in subfolders may share files in a sibling folder under toetreding.yaml."""
    (workspace / "gedeeld").mkdir()
    (workspace / "huizen").mkdir()
    shutil.move(workspace / "convenant.yaml", workspace / "gedeeld" / "convenant.yaml")
    shutil.move(workspace / "verzoek.yaml", workspace / "huizen" / "verzoek.yaml")
    shutil.move(workspace / "bevoegdheid.yaml", workspace / "huizen" / "bevoegdheid.yaml")
    besluit = workspace / "gedeeld" / "besluit.pdf"
    besluit.write_bytes(b"%PDF-1.7 besluit")
    pin_document(
        workspace / "huizen",
        "../gedeeld/besluit.pdf",
        hashlib.sha256(besluit.read_bytes()).hexdigest(),
    )
    edit(
        workspace / "huizen" / "verzoek.yaml",
        "convenant: convenant.yaml",
        "convenant: ../gedeeld/convenant.yaml",
    )
    statement = load_request(workspace / "huizen" / "verzoek.yaml")
    assert statement.covenant.id == "pga-radicalisering-2018"


def test_a_link_that_stays_inside_the_workspace_is_fine(workspace: Path) -> None:
    (workspace / "kopie.yaml").symlink_to(workspace / "convenant.yaml")
    edit(workspace / "verzoek.yaml", "convenant: convenant.yaml", "convenant: kopie.yaml")
    assert load_request(workspace / "verzoek.yaml").covenant.id == "pga-radicalisering-2018"


def test_without_a_config_the_requests_own_folder_is_the_workspace(workspace: Path) -> None:
    (workspace / "toetreding.yaml").unlink()
    (workspace / "sub").mkdir()
    for name in ("verzoek.yaml", "bevoegdheid.yaml"):
        shutil.move(workspace / name, workspace / "sub" / name)
    edit(
        workspace / "sub" / "verzoek.yaml",
        "convenant: convenant.yaml",
        "convenant: ../convenant.yaml",
    )
    message = refused(lambda: load_request(workspace / "sub" / "verzoek.yaml"), ValidationFailed)
    assert f"outside the workspace {(workspace / 'sub').resolve()}" in message


def test_a_decision_document_that_is_a_pipe_is_refused(workspace: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes need a POSIX system")
    os.mkfifo(workspace / "besluit.pdf")
    pin_document(workspace, "besluit.pdf")
    message = refused(lambda: load_request(workspace / "verzoek.yaml"), ValidationFailed)
    assert "besluiten[0].document.bestand: decision document" in message
    assert "named pipe (FIFO)" in message


# --- batch files: the same rules --------------------------------------------------------


@pytest.fixture
def batch_workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "werkmap"
    shutil.copytree(ROOT / "examples" / "batch", folder)
    (folder / "toetreding.yaml").write_text("uitvoer:\n  taal: nl\n")
    return folder


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlinked-file"])
def test_a_batch_covenant_or_party_list_outside_the_workspace_is_refused(
    batch_workspace: Path, outside: Path, how: str
) -> None:
    shutil.copy(batch_workspace / "gemeenten.csv", outside)
    named = escapes(batch_workspace, outside)[how]
    batch = batch_workspace / "alle-gemeenten.yaml"
    edit(batch, "partijen_csv: gemeenten.csv", f'partijen_csv: "{named}"')
    message = refused(lambda: load_batch(batch), ValidationFailed)
    lines = batch.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("partijen_csv:"))
    assert f"alle-gemeenten.yaml:{line}:1: partijen_csv:" in message
    assert "outside the workspace" in message
    shutil.copy(batch_workspace / "convenant.yaml", outside)
    edit(batch, "convenant: convenant.yaml", f'convenant: "{named}"')
    message = refused(lambda: load_batch(batch), ValidationFailed)
    assert "alle-gemeenten.yaml:5:1: convenant:" in message and "outside the workspace" in message


def test_a_party_list_that_is_a_pipe_is_refused(batch_workspace: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes need a POSIX system")
    (batch_workspace / "gemeenten.csv").unlink()
    os.mkfifo(batch_workspace / "gemeenten.csv")
    message = refused(lambda: load_batch(batch_workspace / "alle-gemeenten.yaml"), InputFileError)
    assert "party list" in message and "named pipe (FIFO)" in message


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("GM0406,A\x00B,2026-10-01,Z-1", "a NUL byte"),
        ('GM0406,"' + "x" * 200_000 + '",2026-10-01,Z-1', "not a readable CSV line"),
    ],
)
def test_a_broken_party_list_is_located(batch_workspace: Path, row: str, said: str) -> None:
    csv_file = batch_workspace / "gemeenten.csv"
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    lines[4] = row
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = refused(lambda: load_batch(batch_workspace / "alle-gemeenten.yaml"), ValidationFailed)
    assert "gemeenten.csv:5" in message and said in message


def test_a_party_list_in_latin1_is_located(batch_workspace: Path) -> None:
    csv_file = batch_workspace / "gemeenten.csv"
    csv_file.write_bytes(
        csv_file.read_bytes() + "GM0406,Frédérique,2026-10-01,Z-1\n".encode("latin-1")
    )
    message = refused(lambda: load_batch(batch_workspace / "alle-gemeenten.yaml"), InputFileError)
    assert "gemeenten.csv:" in message and "not UTF-8" in message


# --- through the command line -----------------------------------------------------------


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process, with a deadline (a hang fails, it does not stall)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "toetreding", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert time.monotonic() - started < 60
    assert "Traceback" not in done.stdout + done.stderr
    assert "this is a bug" not in done.stderr and "internal error" not in done.stderr
    return done


def test_cli_render_of_an_alias_bomb_exits_1_quickly(workspace: Path) -> None:
    yaml_file(workspace, laughs(), "bom.yaml")
    done = run_cli("render", "bom.yaml", "-o", "x.pdf", cwd=workspace)
    assert done.returncode == 1
    assert "bom.yaml:2:" in done.stderr and "expand to more than 100,000 values" in done.stderr
    assert not (workspace / "x.pdf").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["render", "verzoek.yaml", "-o", "x.pdf"],
        ["register", "log"],
        ["verify", "verklaring.pdf"],
        ["batch", "verzoek.yaml", "-o", "uit"],
    ],
    ids=lambda c: c[0],
)
def test_cli_a_planted_config_bomb_exits_1_on_commands_that_load_it(
    workspace: Path, command: list[str]
) -> None:
    (workspace / "toetreding.yaml").write_text(laughs())
    done = run_cli(*command, cwd=workspace)
    assert done.returncode == 1
    assert "toetreding.yaml:2:" in done.stderr and "expand to more than" in done.stderr


@pytest.mark.parametrize("secret", ["/dev/zero", "fifo"])
def test_cli_sign_with_an_endless_secret_file_exits_1_quickly(
    workspace: Path, huizen_pdf: RenderedStatement, secret: str
) -> None:
    if secret == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("named pipes need a POSIX system")
        os.mkfifo(workspace / "pin")
        secret = "pin"
    elif not os.path.exists(secret):
        pytest.skip(f"{secret} does not exist here")
    (workspace / "verklaring.pdf").write_bytes(huizen_pdf.pdf)
    (workspace / "sleutel.p12").write_bytes(b"not read: the secret is refused first")
    done = run_cli(
        "sign", "verklaring.pdf", "-o", "getekend.pdf", "--pkcs12", "sleutel.p12",
        "--secret-file", secret, cwd=workspace,
    )  # fmt: skip
    assert done.returncode == 1
    assert "not a regular file" in done.stderr
    assert not (workspace / "getekend.pdf").exists()


def test_cli_render_with_a_decision_document_outside_exits_1(
    workspace: Path, outside: Path
) -> None:
    pin_document(workspace, str(outside))
    result = CliRunner().invoke(
        app, ["render", str(workspace / "verzoek.yaml"), "-o", str(workspace / "x.pdf")]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "this is a bug" not in result.stderr
    assert (
        "besluiten[0].document.bestand" in result.stderr
        and "outside the workspace" in result.stderr
    )
