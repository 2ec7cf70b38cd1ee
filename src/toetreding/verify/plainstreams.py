"""The streams that say where objects are, decoded alike by every reader — or refused.

Cross-reference streams and object streams are decoded before anything else is read, so a
reader that decodes one differently finds other objects altogether. pyHanko and poppler
disagree on more than one encoding: pyHanko applies a PNG predictor given as a real number
(``/Predictor 12.0``), ignores ``/Colors`` and ``/BitsPerComponent``, accepts
``/DecodeParms`` as an array beside a single filter, and (0.38) decodes PNG rows tagged
"None" as zeros and "Sub" rows wrongly — only "Up" rows are decoded right; poppler drops a
predictor it finds invalid, and reads ``/F`` and ``/DP`` as short names. Found in review: an xref stream whose predictor pyHanko applied and poppler dropped
pointed poppler at a forged page content, under PASSED.

So these streams must use the one encoding that writers use and every reader decodes the
same way — no filter, or ``/FlateDecode`` with at most a PNG predictor on bytes (integer
``/Predictor`` 1 or 10–15, integer ``/Columns``, ``/Colors`` 1 and ``/BitsPerComponent``
8 when given) — and our own decoding (zlib, nothing after its end; PNG rows by the book)
must give exactly the bytes pyHanko read.
"""

from __future__ import annotations

import zlib
from typing import Any

_FORBIDDEN_KEYS = ("/F", "/DP", "/FFilter", "/FDecodeParms")
_PARAMETER_KEYS = {"/Predictor", "/Columns", "/Colors", "/BitsPerComponent"}


def decoded_alike(stream: Any) -> bytes | None:
    """The stream's decoded data if every reader decodes it alike; None otherwise."""
    from pyhanko.pdf_utils import generic

    if any(key in stream for key in _FORBIDDEN_KEYS):
        return None
    raw_filter = stream.raw_get("/Filter") if "/Filter" in stream else None
    raw_parameters = stream.raw_get("/DecodeParms") if "/DecodeParms" in stream else None
    try:
        theirs = bytes(stream.data)
    except Exception:
        return None
    encoded = bytes(stream.encoded_data)
    if raw_filter is None:
        return theirs if raw_parameters is None and encoded == theirs else None
    if not (isinstance(raw_filter, generic.NameObject) and raw_filter == "/FlateDecode"):
        return None
    inflated = _inflate(encoded)
    if inflated is None:
        return None
    if raw_parameters is None:
        ours: bytes | None = inflated
    else:
        columns = _png_columns(raw_parameters)
        if columns is None:
            return None
        ours = inflated if columns == 0 else _unpredict(inflated, columns)
    return ours if ours is not None and ours == theirs else None


def _inflate(encoded: bytes) -> bytes | None:
    """zlib data that ends where the stream ends (nothing hidden behind it)."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(encoded)
        data += inflater.flush()
    except zlib.error:
        return None
    if not inflater.eof or inflater.unused_data.strip(b"\r\n"):
        return None
    return data


def _png_columns(parameters: Any) -> int | None:
    """The row width for a PNG predictor (0: no predictor), or None for anything a
    reader might read otherwise."""
    from pyhanko.pdf_utils import generic

    if not isinstance(parameters, generic.DictionaryObject):
        return None
    if set(parameters.keys()) - _PARAMETER_KEYS:
        return None
    values = {key: parameters.raw_get(key) for key in parameters}
    if not all(
        isinstance(value, generic.NumberObject) and not isinstance(value, generic.FloatObject)
        for value in values.values()
    ):
        return None
    if int(values.get("/Colors", 1)) != 1 or int(values.get("/BitsPerComponent", 8)) != 8:
        return None
    predictor = int(values.get("/Predictor", 1))
    if predictor == 1:
        return 0
    if not 10 <= predictor <= 15:
        return None
    columns = int(values.get("/Columns", 1))
    return columns if columns > 0 else None


def _unpredict(data: bytes, columns: int) -> bytes | None:
    """PNG rows (a tag byte, then ``columns`` bytes) undone as the PNG specification says."""
    width = columns + 1
    if len(data) % width:
        return None
    previous = bytearray(columns)
    out = bytearray()
    for start in range(0, len(data), width):
        tag = data[start]
        row = bytearray(data[start + 1 : start + width])
        for index in range(columns):
            left = row[index - 1] if index else 0
            up = previous[index]
            up_left = previous[index - 1] if index else 0
            if tag == 0:
                continue
            if tag == 1:
                row[index] = (row[index] + left) & 0xFF
            elif tag == 2:
                row[index] = (row[index] + up) & 0xFF
            elif tag == 3:
                row[index] = (row[index] + (left + up) // 2) & 0xFF
            elif tag == 4:
                row[index] = (row[index] + _paeth(left, up, up_left)) & 0xFF
            else:
                return None
        out += row
        previous = row
    return bytes(out)


def _paeth(left: int, up: int, up_left: int) -> int:
    estimate = left + up - up_left
    to_left, to_up, to_up_left = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
    if to_left <= to_up and to_left <= to_up_left:
        return left
    return up if to_up <= to_up_left else up_left
