"""The one-pass hex-string reader returns what pyHanko's own reader returns, value and
stream position, and fails where pyHanko fails (toetreding/fast_hex.py)."""

from __future__ import annotations

from io import BytesIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toetreding  # noqa: F401  (installs the import hook before pyHanko is imported)
from toetreding.fast_hex import one_pass_reader


def readers() -> tuple[object, object]:
    from pyhanko.pdf_utils import generic

    fast = generic.read_hex_string_from_stream
    assert getattr(fast, "_toetreding_fast", False), "the import hook did not install it"
    # pyHanko's own function is what the fast one falls back to: rebuild one around a
    # reader that always declines, to run pyHanko's code path alone
    original = fast.__closure__[0].cell_contents  # type: ignore[attr-defined]
    return fast, original


def outcome(reader: object, data: bytes) -> tuple[str, object, int]:
    stream = BytesIO(data)
    try:
        value = reader(stream)  # type: ignore[operator]
    except Exception as error:
        return ("error", type(error).__name__, stream.tell())
    return ("value", (type(value).__name__, bytes(value.original_bytes)), stream.tell())


HOSTILE = [
    b"<>",
    b"<0>",
    b"<abc>",
    b"<41 42\n43\t44\r\x00\x0c>",
    b"<4142",  # no closing '>'
    b"<41x42>",  # not a digit
    b"<41%comment\n42>",  # pyHanko reads '%' as a comment
    b"<41>>>",
    b"<FEFF00680069>",  # a UTF-16 text string
    b"<" + b"0" * 200_000 + b">",  # longer than one read
    b"<" + b"ab" * 70_000,  # long and unterminated
    b"<41(42)>",
    b"",
]


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_same_outcome_as_pyhanko_on_edge_cases(data: bytes) -> None:
    fast, original = readers()
    assert outcome(fast, data + b" trailer") == outcome(original, data + b" trailer")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(list(b"0123456789abcdefABCDEF \n\r\t\x00\x0c%>gz(")), max_size=80).map(
        bytes
    )
)
def test_same_outcome_as_pyhanko_on_random_strings(body: bytes) -> None:
    fast, original = readers()
    data = b"<" + body + b"> 1 0 R"
    assert outcome(fast, data) == outcome(original, data)


def test_a_reader_that_declines_everything_is_pyhankos_own() -> None:
    _, original = readers()
    from pyhanko.pdf_utils import generic

    reader = one_pass_reader(original, generic.pdf_string)  # type: ignore[arg-type]
    assert outcome(reader, b"<4142>") == outcome(original, b"<4142>")


class _CountingStream(BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_an_invalid_string_is_handed_back_without_reading_the_rest_of_the_file() -> None:
    fast, _ = readers()
    stream = _CountingStream(b"<Z" + b"0" * 10_000_000 + b">")
    with pytest.raises(Exception, match="Unexpected token"):
        fast(stream)  # type: ignore[operator]
    assert stream.bytes_read < 200_000  # one 64 KiB look, then pyHanko's own few bytes
