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
from typing import Union

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
        data, start, depth = self.data, self.pos, 0
        index = start
        while index < len(data):
            char = data[index]
            if char == ord("\\"):
                index += 2
                continue
            if char == ord("("):
                depth += 1
            elif char == ord(")"):
                depth -= 1
                if depth == 0:
                    self.pos = index + 1
                    return data[start : index + 1]
            index += 1
        raise PdfSyntaxError(_("internal: unterminated string in PDF"))


def serialize(value: PdfValue) -> bytes:
    """The PDF syntax for a value (leaf tokens exactly as they were read)."""
    if isinstance(value, Raw):
        return value.token
    if isinstance(value, Ref):
        return b"%d %d R" % (value.number, value.generation)
    if isinstance(value, PdfDict):
        return b"<<" + b"".join(key + b" " + serialize(item) for key, item in value.items()) + b">>"
    return b"[" + b" ".join(serialize(item) for item in value) + b"]"
