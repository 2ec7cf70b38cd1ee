"""PDF syntax read exactly (pdfsyntax.py): the structural parser and the faster scan agree.

``scan_value`` (used by verify/wellformed.py on every object a reader would load) must find
the same end and the same references as ``Parser`` (used by rendering), on any value, and
refuse syntax a reader would have to guess at.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toetreding.pdfsyntax import (
    Parser,
    PdfArray,
    PdfDict,
    PdfSyntaxError,
    PdfValue,
    Raw,
    Ref,
    scan_value,
    serialize,
)

SPACE = st.sampled_from([b" ", b"\n", b"\r\n", b"\t", b"\x0c", b"  ", b"%c\n"])
LEAVES = st.one_of(
    st.integers(-(10**9), 10**9).map(lambda n: Raw(str(n).encode())),
    st.sampled_from([Raw(b"true"), Raw(b"false"), Raw(b"null"), Raw(b"1.5"), Raw(b"-.25")]),
    # names with escapes as readers agree on them ('#' + two hex digits, never NUL: the
    # strict scan refuses the others, see the tests below)
    st.from_regex(rb"/(?:[A-Za-z0-9.]|#[2-7][0-9A-F]){0,8}", fullmatch=True).map(Raw),
    st.from_regex(rb"<[0-9A-F]{0,12}>", fullmatch=True).map(Raw),
    st.from_regex(rb"\((?:[a-z ]|\\\)|\\\(|\([a-z]*\)){0,8}\)", fullmatch=True).map(Raw),
    st.builds(Ref, st.integers(1, 10**6), st.integers(0, 3)),
)


def _values(children: st.SearchStrategy[PdfValue]) -> st.SearchStrategy[PdfValue]:
    names = st.from_regex(rb"/[A-Za-z]{1,6}", fullmatch=True)
    return st.one_of(
        st.lists(children, max_size=5).map(PdfArray),
        st.dictionaries(names, children, max_size=5).map(PdfDict),
    )


VALUES = st.recursive(LEAVES, _values, max_leaves=25)


def _spaced(value: PdfValue, space: bytes) -> bytes:
    """``serialize`` with ``space`` between tokens (readers accept any whitespace)."""
    if isinstance(value, PdfDict):
        inner = space.join(key + space + _spaced(item, space) for key, item in value.items())
        return b"<<" + space + inner + space + b">>"
    if isinstance(value, PdfArray):
        return b"[" + space + space.join(_spaced(item, space) for item in value) + space + b"]"
    return serialize(value)


def _references(value: PdfValue) -> list[tuple[int, int]]:
    if isinstance(value, Ref):
        return [(value.number, value.generation)]
    if isinstance(value, PdfDict):
        return [r for item in value.values() for r in _references(item)]
    if isinstance(value, PdfArray):
        return [r for item in value for r in _references(item)]
    return []


@settings(max_examples=300, deadline=None)
@given(value=VALUES, space=SPACE)
def test_the_scan_ends_where_the_parser_ends_and_finds_the_same_references(
    value: PdfValue, space: bytes
) -> None:
    written = b"1 0 obj" + space + _spaced(value, space) + b"\nendobj"
    parser = Parser(written, 7)
    parsed = parser.value()
    scanned = scan_value(written, 7)
    assert scanned.end == parser.pos
    assert sorted(scanned.references) == sorted(_references(parsed))
    assert scanned.is_dictionary == isinstance(value, PdfDict)


@pytest.mark.parametrize(
    ("written", "length"),
    [
        (b"<< /Length 12 /Filter /FlateDecode >>", 12),
        (b"<< /Filter /FlateDecode /Length 7 0 R >>", (7, 0)),
        (b"<< /Foo [ /Length 3 ] /Length 4 >>", 4),
        (b"<< /Foo << /Length 9 >> >>", None),
        (b"<< /Length /Nine >>", None),
    ],
)
def test_the_top_dictionarys_length_is_found(written: bytes, length: object) -> None:
    assert scan_value(written, 0).length == length


@pytest.mark.parametrize(
    "written",
    [
        b"<< /A 1 ]",  # brackets that do not pair
        b"[ 1 2 >>",
        b"<< 1 2 >>",  # a key that is not a name
        b"<< /A >>",  # a key without a value
        b"<< /A OBJ >>",  # a bare word that is no number, boolean or null
        b"<< /A 1 /A 2 >>",  # a key named twice (pyHanko keeps the first, poppler the last)
        b"<< /B [ << /A 1 /A 2 >> ] >>",  # at any depth
        b"<< /A (open",  # an unterminated string
        b"<< /A 1",  # the end of the data inside a dictionary
        b")",
    ],
)
def test_syntax_a_reader_would_guess_at_is_refused(written: bytes) -> None:
    with pytest.raises(PdfSyntaxError):
        scan_value(written, 0)


@pytest.mark.parametrize(
    "value",
    [b"<< /Pages 1 0 R /P#61ges 2 0 R >>", b"<< /R#6f#6ft 1 0 R /Root 2 0 R >>"],
)
def test_a_key_named_twice_once_escaped_is_refused(value: bytes) -> None:
    """`/P#61ges` is `/Pages` to pyHanko and poppler alike (found in review: a second
    /Pages so written opened a forged page tree in poppler under PASSED)."""
    with pytest.raises(PdfSyntaxError, match="twice"):
        scan_value(value, 0)


def test_a_key_with_a_hash_that_is_no_escape_is_refused() -> None:
    with pytest.raises(PdfSyntaxError, match="not an escape"):
        scan_value(b"<< /A#G1 1 >>", 0)


def test_escaped_keys_that_differ_stay_readable() -> None:
    assert scan_value(b"<< /A#20B 1 /A 2 >>", 0).end == len(b"<< /A#20B 1 /A 2 >>")


@pytest.mark.parametrize(
    "value",
    [b"<< /Root 1 0 R /Root#00 2 0 R >>", b"<< /MediaBox#00 [0 0 1 1] >>", b"<< /Type /Page#00 >>"],
)
def test_a_name_holding_a_nul_is_refused(value: bytes) -> None:
    """poppler keeps names as C strings: `/Root#00` is `/Root` to it and another key to
    pyHanko (found in review: a forged catalog under PASSED)."""
    with pytest.raises(PdfSyntaxError, match="NUL"):
        scan_value(value, 0)
