"""Read PDF names and skip whitespace without going one byte at a time (pyHanko's parser).

Why: every object of a signed statement is parsed at least once during verification (the
difference analysis reads them all), and pyHanko's tokenizer reads each name byte by byte
through a generator (`read_until_delimiter`), decodes it byte by byte (`_decode_name`)
and skips whitespace the same way (`read_non_whitespace`). In the reading of a statement's
≈ 170 objects these three took about half the time (py-spy, issue #16).

How: the same functions, reading a slice and matching it with one regular expression built
from pyHanko's own character classes. Anything unusual — a comment ('%'), the end of the
stream, a name with a '#' escape or a byte outside printable ASCII — is handed to
pyHanko's own function from the same position, so values, stream positions and errors are
exactly pyHanko's. `tests/test_fast_tokens.py` compares both on generated and hostile
input. Installed by :mod:`toetreding.deferred_imports` when `pyhanko.pdf_utils.generic`
is imported; only the parser in that module calls these replacements.
"""

from __future__ import annotations

import os
import re
import types
from collections.abc import Callable
from typing import IO, Any

_SLICE = 256
"""Bytes read at a time: longer than nearly every name (PDF limits names to 127 bytes)."""


def install(generic: types.ModuleType) -> None:
    """Replace the tokenizer functions `generic` calls with the slice-reading ones."""
    from pyhanko.pdf_utils import misc

    if getattr(generic.read_until_delimiter, "_toetreding_fast", False):
        return
    delimiters = misc.PDF_WHITESPACE + misc.PDF_DELIMITERS
    replacements = {
        "read_until_delimiter": until_delimiter_reader(delimiters),
        "read_non_whitespace": non_whitespace_reader(
            generic.read_non_whitespace, misc.PDF_WHITESPACE
        ),
        "_decode_name": name_decoder(generic._decode_name, generic.NameObject, delimiters),
    }
    for name, function in replacements.items():
        setattr(generic, name, function)


def until_delimiter_reader(stop: bytes) -> Callable[[IO[bytes]], bytes]:
    """`read_until_delimiter`: the bytes before the first of ``stop``, the stream left at it
    (or at the end of the stream when none comes)."""
    regular = re.compile(b"[^" + re.escape(stop) + b"]*")

    def read_until_delimiter(stream: IO[bytes]) -> bytes:
        start = stream.tell()
        parts: list[bytes] = []
        read = 0
        while True:
            chunk = stream.read(_SLICE)
            match = regular.match(chunk)
            length = match.end() if match else 0
            if length < len(chunk):
                stream.seek(start + read + length)
                parts.append(chunk[:length])
                return b"".join(parts)
            parts.append(chunk)
            read += len(chunk)
            if len(chunk) < _SLICE:
                return b"".join(parts)  # the end of the stream, where pyHanko leaves it too

    read_until_delimiter._toetreding_fast = True  # type: ignore[attr-defined]
    return read_until_delimiter


def non_whitespace_reader(
    original: Callable[..., bytes], whitespace: bytes
) -> Callable[..., bytes]:
    """`read_non_whitespace`: the next byte that is not whitespace; comments and the end of
    the stream are left to pyHanko's function."""
    spaces = frozenset(whitespace[i : i + 1] for i in range(len(whitespace)))

    def read_non_whitespace(
        stream: IO[bytes], seek_back: bool = False, allow_eof: bool = False
    ) -> bytes:
        read = stream.read
        token = read(1)
        while token in spaces:
            token = read(1)
        if not token or token == b"%":
            stream.seek(-len(token), os.SEEK_CUR)
            return original(stream, seek_back=seek_back, allow_eof=allow_eof)
        if seek_back:
            stream.seek(-1, os.SEEK_CUR)
        return token

    read_non_whitespace._toetreding_fast = True  # type: ignore[attr-defined]
    read_non_whitespace._toetreding_original = original  # type: ignore[attr-defined]
    return read_non_whitespace


def name_decoder(
    original: Callable[[bytes], Any], name_type: type, delimiters: bytes
) -> Callable[[bytes], Any]:
    """`_decode_name`: a name of plain printable ASCII without escapes is itself."""
    stop = re.escape(delimiters + b"#")
    plain = re.compile(b"[^" + stop + b"\\x7f-\\xff\\x00-\\x20]*")

    def decode_name(name_bytes: bytes) -> Any:
        if plain.fullmatch(name_bytes):
            return name_type("/" + name_bytes.decode("ascii"))
        return original(name_bytes)

    decode_name._toetreding_fast = True  # type: ignore[attr-defined]
    decode_name._toetreding_original = original  # type: ignore[attr-defined]
    return decode_name
