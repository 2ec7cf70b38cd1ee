"""Streams that locate objects must be decoded alike by every reader (verify/plainstreams.py).

pyHanko decodes each stream here; our own decoder must agree byte for byte, and encodings
that pyHanko and poppler read differently are refused even when pyHanko reads them well.
"""

from __future__ import annotations

import zlib

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

from toetreding.verify.plainstreams import _unpredict, decoded_alike

ROWS = [bytes([1, 0, index, 0, 7]) for index in range(1, 40)]  # xref-like rows, W [1 3 1]


def _png(rows: list[bytes], tag: int) -> bytes:
    """Rows encoded with one PNG filter type (0 None, 1 Sub, 2 Up)."""
    out, previous = bytearray(), bytes(len(rows[0]))
    for row in rows:
        if tag == 0:
            encoded = row
        elif tag == 1:
            encoded = bytes((b - (row[i - 1] if i else 0)) & 0xFF for i, b in enumerate(row))
        else:
            encoded = bytes((b - previous[i]) & 0xFF for i, b in enumerate(row))
        out += bytes([tag]) + encoded
        previous = row
    return bytes(out)


def _stream(encoded: bytes, **entries: generic.PdfObject) -> generic.StreamObject:
    dictionary = {pdf_name("/" + key): value for key, value in entries.items()}
    return generic.StreamObject(dictionary, encoded_data=encoded)


def _params(**entries: generic.PdfObject) -> generic.DictionaryObject:
    return generic.DictionaryObject({pdf_name("/" + k): v for k, v in entries.items()})


FLATE = generic.NameObject("/FlateDecode")
PLAIN = b"".join(ROWS)


def test_plain_and_flate_streams_decode_alike() -> None:
    assert decoded_alike(_stream(PLAIN)) == PLAIN
    assert decoded_alike(_stream(zlib.compress(PLAIN), Filter=FLATE)) == PLAIN


def test_png_up_rows_decode_alike() -> None:
    """PNG "Up" rows, as writers of xref streams use them, are decoded alike."""
    encoded = zlib.compress(_png(ROWS, 2))
    parameters = _params(Predictor=generic.NumberObject(12), Columns=generic.NumberObject(5))
    assert decoded_alike(_stream(encoded, Filter=FLATE, DecodeParms=parameters)) == PLAIN


def test_our_png_decoder_follows_the_specification() -> None:
    assert _unpredict(_png(ROWS, 0), 5) == PLAIN
    assert _unpredict(_png(ROWS, 1), 5) == PLAIN
    assert _unpredict(_png(ROWS, 2), 5) == PLAIN
    assert _unpredict(b"\x05" + bytes(5), 5) is None  # no such PNG filter type


@pytest.mark.parametrize(
    ("case", "stream"),
    [
        (
            "a real-number predictor (pyHanko applies it, poppler drops it)",
            _stream(
                zlib.compress(_png(ROWS, 2)),
                Filter=FLATE,
                DecodeParms=_params(
                    Predictor=generic.FloatObject(12.0), Columns=generic.NumberObject(5)
                ),
            ),
        ),
        (
            "/Colors 0 (pyHanko ignores it, poppler drops the predictor)",
            _stream(
                zlib.compress(_png(ROWS, 2)),
                Filter=FLATE,
                DecodeParms=_params(
                    Predictor=generic.NumberObject(12),
                    Columns=generic.NumberObject(5),
                    Colors=generic.NumberObject(0),
                ),
            ),
        ),
        (
            "parameters as an array beside a single filter",
            _stream(
                zlib.compress(_png(ROWS, 2)),
                Filter=FLATE,
                DecodeParms=generic.ArrayObject(
                    [_params(Predictor=generic.NumberObject(12), Columns=generic.NumberObject(5))]
                ),
            ),
        ),
        (
            "the short key /F (poppler reads it as /Filter)",
            _stream(PLAIN, F=FLATE),
        ),
        (
            "a filter array",
            _stream(zlib.compress(PLAIN), Filter=generic.ArrayObject([FLATE])),
        ),
        (
            "bytes after the end of the zlib data",
            _stream(zlib.compress(PLAIN) + b"\x01\x02hidden", Filter=FLATE),
        ),
        (
            "PNG rows tagged Sub (pyHanko 0.38 adds the undecoded neighbour)",
            _stream(
                zlib.compress(_png(ROWS, 1)),
                Filter=FLATE,
                DecodeParms=_params(
                    Predictor=generic.NumberObject(12), Columns=generic.NumberObject(5)
                ),
            ),
        ),
        (
            "PNG rows tagged None (pyHanko decodes them as zeros)",
            _stream(
                zlib.compress(_png(ROWS, 0)),
                Filter=FLATE,
                DecodeParms=_params(
                    Predictor=generic.NumberObject(12), Columns=generic.NumberObject(5)
                ),
            ),
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_encodings_readers_decode_differently_are_refused(
    case: str, stream: generic.StreamObject
) -> None:
    assert decoded_alike(stream) is None, case
