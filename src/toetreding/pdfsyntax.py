"""PDF object syntax, read exactly: the values of one object, token by token.

Two parts of toetreding read PDF syntax themselves rather than through pyHanko: rendering
adds signature fields to the PDF Typst wrote (render/pdfupdate.py), and verification checks
that every object a reader will load sits exactly where the cross-reference data says, in
strict syntax, so no reader has to repair the file (verify/wellformed.py). Leaf tokens are
kept as the exact bytes they were written as.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple, Union

from .i18n import _


class PdfSyntaxError(ValueError):
    """The bytes are not the PDF syntax expected at that place."""


@dataclass(frozen=True)
class Raw:
    """A leaf token exactly as written: number, name, string, boolean or null."""

    token: bytes


@dataclass(frozen=True)
class Ref:
    """An indirect reference ``n g R``."""

    number: int
    generation: int = 0


PdfValue = Union[Raw, Ref, "PdfDict", "PdfArray"]


class PdfArray(list[PdfValue]):
    """A PDF array."""


class PdfDict(dict[bytes, PdfValue]):
    """A PDF dictionary; keys are names with the slash, e.g. ``b'/Type'``. Order is kept."""


def name(text: str) -> Raw:
    """A PDF name from plain ASCII text, e.g. ``name('Sig')`` → ``/Sig``."""
    return Raw(b"/" + text.encode("ascii"))


def number(value: float) -> Raw:
    """A PDF number; integers stay integers, reals get at most 2 decimals."""
    if float(value).is_integer():
        return Raw(str(int(value)).encode())
    return Raw(f"{value:.2f}".rstrip("0").rstrip(".").encode())


def text_string(text: str) -> Raw:
    """A PDF text string: UTF-16BE with BOM as a hex string (exact for any character)."""
    return Raw(b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">")


_TOKEN_END = re.compile(rb"[\x00\t\n\x0c\r ()<>\[\]{}/%]")
_REFERENCE_TAIL = re.compile(rb"\s+(\d+)\s+R(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)")
OBJECT_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj")
_SPACE_AND_COMMENTS = re.compile(rb"(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)*")


class Parser:
    """Reads one PDF value at a time from ``data``, starting at ``position``."""

    def __init__(self, data: bytes, position: int) -> None:
        self.data = data
        self.pos = position

    def skip_space(self) -> None:
        # whitespace and comments in one match (a comment ends at CR or LF, as readers read it)
        self.pos = _SPACE_AND_COMMENTS.match(self.data, self.pos).end()  # type: ignore[union-attr]

    def value(self) -> PdfValue:
        self.skip_space()
        data, start = self.data, self.pos
        if data.startswith(b"<<", start):
            self.pos += 2
            result = PdfDict()
            while True:
                self.skip_space()
                if data.startswith(b">>", self.pos):
                    self.pos += 2
                    return result
                key = self.value()
                if not isinstance(key, Raw) or not key.token.startswith(b"/"):
                    raise PdfSyntaxError(
                        _("internal: PDF dictionary key expected at byte {position}").format(
                            position=self.pos
                        )
                    )
                result[key.token] = self.value()
        if data.startswith(b"[", start):
            self.pos += 1
            items = PdfArray()
            while True:
                self.skip_space()
                if data.startswith(b"]", self.pos):
                    self.pos += 1
                    return items
                items.append(self.value())
        if data.startswith(b"(", start):
            return Raw(self._literal_string())
        if data.startswith(b"<", start):
            end = data.index(b">", start)
            self.pos = end + 1
            return Raw(data[start : end + 1])
        if data.startswith(b"/", start):
            match = _TOKEN_END.search(data, start + 1)
            self.pos = match.start() if match else len(data)
            return Raw(data[start : self.pos])
        match = _TOKEN_END.search(data, start)
        self.pos = match.start() if match else len(data)
        token = data[start : self.pos]
        if token.isdigit():
            reference = _REFERENCE_TAIL.match(data, self.pos)
            if reference:
                self.pos = reference.end()
                return Ref(int(token), int(reference.group(1)))
        if not token:
            raise PdfSyntaxError(
                _("internal: unexpected byte in PDF at {position}").format(position=start)
            )
        return Raw(token)

    def _literal_string(self) -> bytes:
        start = self.pos
        self.pos = literal_string_end(self.data, start)
        return self.data[start : self.pos]


def serialize(value: PdfValue) -> bytes:
    """The PDF syntax for a value (leaf tokens exactly as they were read)."""
    if isinstance(value, Raw):
        return value.token
    if isinstance(value, Ref):
        return b"%d %d R" % (value.number, value.generation)
    if isinstance(value, PdfDict):
        return b"<<" + b"".join(key + b" " + serialize(item) for key, item in value.items()) + b">>"
    return b"[" + b" ".join(serialize(item) for item in value) + b"]"


# --- a faster read for checking: where a value ends and what it refers to -------------

_SPACE_CLASS = rb"\x00\t\n\x0c\r "
_DELIMITER_CLASS = rb"()<>\[\]{}/%"
# each token with the whitespace before it (half the matches otherwise are whitespace)
_TOKEN = re.compile(
    rb"[" + _SPACE_CLASS + rb"]*(?:"
    rb"(?P<space>%[^\r\n]*)"
    rb"|(?P<ref>(\d+)[" + _SPACE_CLASS + rb"]+(\d+)[" + _SPACE_CLASS + rb"]+R"
    rb"(?![^" + _SPACE_CLASS + _DELIMITER_CLASS + rb"]))"
    rb"|(?P<dict><<)|(?P<enddict>>>)|(?P<array>\[)|(?P<endarray>\])"
    rb"|(?P<hex><[0-9A-Fa-f" + _SPACE_CLASS + rb"]*>)"
    rb"|(?P<string>\()"
    rb"|(?P<name>/[^" + _SPACE_CLASS + _DELIMITER_CLASS + rb"]*)"
    rb"|(?P<word>[^" + _SPACE_CLASS + _DELIMITER_CLASS + rb"]+)"
    rb")"
)
_LEAF_WORD = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)|true|false|null")
_CLOSES = {"dict": "enddict", "array": "endarray"}


class Scanned(NamedTuple):
    """One value, scanned: where it ends, the references in it, and for a dictionary its
    /Length (a number, or a reference as (number, generation))."""

    end: int
    references: list[tuple[int, int]]
    length: int | tuple[int, int] | None
    is_dictionary: bool


def scan_value(data: bytes, position: int) -> Scanned:
    """Scan one value from ``position`` in strict syntax, without building it.

    Stricter than ``Parser``: brackets must pair, a dictionary must alternate names and
    values and may not name a key twice (pyHanko keeps the first value, poppler the last),
    and a bare word must be a number, ``true``, ``false`` or ``null``.
    """
    references: list[tuple[int, int]] = []
    frames: list[_Frame] = []
    length: int | tuple[int, int] | None = None
    is_dictionary = False
    match = _TOKEN.match
    while True:
        token = match(data, position)
        if token is None:
            raise PdfSyntaxError(
                _("unreadable PDF syntax at byte {position}").format(position=position)
            )
        kind = token.lastgroup or ""
        position = token.end()
        if kind == "space":
            continue
        frame = frames[-1] if frames else None
        if kind == "enddict" or kind == "endarray":
            if frame is None or frame.closer != kind:
                raise PdfSyntaxError(_("brackets that do not pair"))
            if frame.keys is not None and not frame.expecting_key:
                raise PdfSyntaxError(_("a dictionary key without a value"))
            frames.pop()
            if not frames:
                return Scanned(position, references, length, is_dictionary)
            frames[-1].value_done()
            continue
        if frame is not None and frame.keys is not None and frame.expecting_key:
            if kind != "name":
                raise PdfSyntaxError(_("a dictionary key must be a name"))
            key = _decoded_name(token.group(kind))
            if key in frame.keys:
                raise PdfSyntaxError(_("a dictionary names a key twice"))
            frame.keys.add(key)
            frame.key = key
            frame.expecting_key = False
            continue
        if kind == "dict" or kind == "array":
            if not frames:
                is_dictionary = kind == "dict"
            frames.append(_Frame(_CLOSES[kind], set() if kind == "dict" else None))
            continue
        if kind == "string":
            position = literal_string_end(data, token.start(kind))
        elif kind == "word" and not _LEAF_WORD.fullmatch(token.group(kind)):
            raise PdfSyntaxError(
                _("unknown word in PDF syntax at byte {position}").format(
                    position=token.start(kind)
                )
            )
        elif kind == "ref":
            references.append((int(token.group(3)), int(token.group(4))))
        elif kind == "name":
            _decoded_name(token.group(kind))  # a value name must read alike too
        if frame is None:
            return Scanned(position, references, None, False)
        if len(frames) == 1 and frame.key == b"/Length" and frame.keys is not None:
            if kind == "ref":
                length = references[-1]
            elif kind == "word" and token.group(kind).isdigit():
                length = int(token.group(kind))
        frame.value_done()


_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _decoded_name(name: bytes) -> bytes:
    """A name as readers understand it: ``/P#61ges`` is ``/Pages`` (found in review: a
    second /Pages written that way slipped past a byte-wise duplicate check, and poppler
    opened the forged page tree). A '#' that is not followed by two hex digits is read
    differently by different readers, and refused."""
    if b"#" not in name:
        return name
    decoded = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
    if b"#" in _NAME_ESCAPE.sub(b"", name):
        raise PdfSyntaxError(_("a name with a '#' that is not an escape"))
    if b"\x00" in decoded:
        # poppler keeps names as C strings: /Root#00 is /Root to it, another key to pyHanko
        raise PdfSyntaxError(_("a name holding a NUL byte"))
    return decoded


class _Frame:
    """One open dictionary or array while scanning."""

    __slots__ = ("closer", "expecting_key", "key", "keys")

    def __init__(self, closer: str, keys: set[bytes] | None) -> None:
        self.closer = closer
        self.keys = keys  # None for an array
        self.expecting_key = keys is not None
        self.key = b""

    def value_done(self) -> None:
        if self.keys is not None:
            self.expecting_key = True


def literal_string_end(data: bytes, start: int) -> int:
    """Where the literal string ``(…)`` that starts at ``start`` ends (after its ``)``)."""
    depth = 0
    index = start
    while index < len(data):
        char = data[index]
        if char == 0x5C:  # backslash: the next byte is escaped
            index += 2
            continue
        if char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise PdfSyntaxError(_("internal: unterminated string in PDF"))
