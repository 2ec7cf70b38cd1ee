"""The slice-reading tokenizer functions return what pyHanko's own return — value, stream
position and error — on ordinary, generated and hostile input (toetreding/fast_tokens.py)."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toetreding  # noqa: F401  (installs the import hook before pyHanko is imported)


def pair(name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The installed function in pyHanko's parser module, and pyHanko's own."""
    from pyhanko.pdf_utils import generic, misc

    fast = getattr(generic, name)
    assert getattr(fast, "_toetreding_fast", False), "the import hook did not install it"
    original = getattr(fast, "_toetreding_original", None) or getattr(misc, name)
    assert original is not fast
    return fast, original


def outcome(call: Callable[[BytesIO], Any], data: bytes, start: int = 0) -> tuple[Any, ...]:
    stream = BytesIO(data)
    stream.seek(start)
    try:
        value = call(stream)
    except Exception as error:
        return ("error", type(error).__name__, stream.tell())
    return ("value", type(value).__name__, value, stream.tell())


DELIMITED = [
    b"",
    b"Type/Page",
    b"Type /Page",
    b"Type\x00x",
    b"Ty%pe",
    b"abc",  # to the end of the stream
    b"a" * 300,  # longer than one slice, then the end
    b"a" * 300 + b"]",
    b"a" * 256 + b" ",  # the delimiter just after a full slice
    b"a" * 255 + b"(",
    b"\xff\xfe[",
    b"#20x>",
    b"()",
]


@pytest.mark.parametrize("data", DELIMITED, ids=range(len(DELIMITED)))
def test_read_until_delimiter_as_pyhanko(data: bytes) -> None:
    fast, original = pair("read_until_delimiter")
    for start in (0, 1):
        assert outcome(fast, data, start) == outcome(original, data, start)


WHITESPACE_CASES = [
    b"",
    b"   ",
    b"x",
    b"  \n\r\t\x0c\x00x",
    b" %comment\n x",
    b"%only a comment",
    b"% comment\r\n%another\n  /Name",
    b" \x00%\n",
]


@pytest.mark.parametrize("data", WHITESPACE_CASES, ids=range(len(WHITESPACE_CASES)))
@pytest.mark.parametrize("seek_back", [False, True])
@pytest.mark.parametrize("allow_eof", [False, True])
def test_read_non_whitespace_as_pyhanko(data: bytes, seek_back: bool, allow_eof: bool) -> None:
    fast, original = pair("read_non_whitespace")

    def with_flags(function: Callable[..., Any]) -> Callable[[BytesIO], Any]:
        return lambda stream: function(stream, seek_back=seek_back, allow_eof=allow_eof)

    assert outcome(with_flags(fast), data) == outcome(with_flags(original), data)


NAMES = [
    b"",
    b"Type",
    b"A;B.C-D_E*F",
    b"Lime#20Green",
    b"paired#28#29parentheses",
    b"bad#2",
    b"bad#zz",
    b"caf\xc3\xa9",  # UTF-8, not allowed unescaped
    b"\x7f",
    b"tab\there",
    b"~!@$^&*+=|\\:;'\",.?`",
]


@pytest.mark.parametrize("data", NAMES, ids=range(len(NAMES)))
def test_decode_name_as_pyhanko(data: bytes) -> None:
    fast, original = pair("_decode_name")

    def decode(function: Callable[[bytes], Any]) -> Callable[[BytesIO], Any]:
        return lambda stream: function(stream.read())

    assert outcome(decode(fast), data) == outcome(decode(original), data)


ALPHABET = list(b"aZ09 \n\r\t\x00\x0c%()<>[]{}/#\x7f\xc3\xa9~")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=300).map(bytes), st.integers(0, 3))
def test_random_input_as_pyhanko(data: bytes, start: int) -> None:
    for name in ("read_until_delimiter", "read_non_whitespace"):
        fast, original = pair(name)
        assert outcome(fast, data, start) == outcome(original, data, start), name
    fast, original = pair("_decode_name")
    assert outcome(lambda s: fast(s.read()), data) == outcome(lambda s: original(s.read()), data)


def test_whole_objects_parse_the_same(huizen_pdf: Any) -> None:
    """Every object of a real statement, parsed with the installed functions and with
    pyHanko's own put back, gives the same objects."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    def all_objects() -> list[str]:
        reader = PdfFileReader(BytesIO(huizen_pdf.pdf), strict=False)
        refs = sorted(reader.xrefs.explicit_refs_in_revision(0), key=lambda r: r.idnum)
        return [repr(reader.get_object(ref)) for ref in refs]

    fast_result = all_objects()
    names = ("read_until_delimiter", "read_non_whitespace", "_decode_name")
    installed = {name: getattr(generic, name) for name in names}
    try:
        for name in names:
            setattr(generic, name, pair(name)[1])
        assert all_objects() == fast_result
        assert len(fast_result) > 50
    finally:
        for name, function in installed.items():
            setattr(generic, name, function)
