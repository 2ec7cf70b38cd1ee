"""A small incremental-update writer for Typst's output (objects read by pdfsyntax.py).

Rendering only has to add a few objects (signature fields, their tags) to the PDF Typst
just wrote. Doing that with pyHanko costs a cold `toetreding render` a quarter of a second
of imports (its PDF layer loads its certificate validator, asyncio and cryptography), so
this module does the little that is needed itself:

- read the classic cross-reference table Typst writes and parse individual objects
  (``pdfsyntax.Parser``);
- keep every leaf token (strings, names, numbers) as the exact bytes it was written as,
  so an object that is re-written changes only where we changed it;
- append one incremental update (new and changed objects, an xref section, a trailer with
  ``/Prev``), leaving Typst's bytes untouched.

Anything it does not understand (an xref stream, a compressed object) is refused with an
error rather than guessed at; signing, which must read arbitrary PDFs, uses pyHanko.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import RenderError
from ..i18n import _
from ..pdfsyntax import OBJECT_HEADER as _OBJECT_HEADER
from ..pdfsyntax import Parser as _Parser
from ..pdfsyntax import (
    PdfArray,
    PdfDict,
    PdfValue,
    Raw,
    Ref,
    serialize,
)


@dataclass
class Stream:
    """A new stream object to add (dictionary without /Length, and its data)."""

    dictionary: PdfDict
    data: bytes


@dataclass
class IncrementalUpdate:
    """Reads objects of one PDF and collects changes to append as one incremental update."""

    original: bytes
    trailer: PdfDict = field(init=False)
    _offsets: dict[int, int] = field(init=False, default_factory=dict)
    _changed: dict[int, PdfDict | Stream] = field(init=False, default_factory=dict)
    _parsed: dict[int, PdfDict] = field(init=False, default_factory=dict)
    _next_number: int = field(init=False)
    _startxref: int = field(init=False)

    def __post_init__(self) -> None:
        data = self.original
        tail = data.rfind(b"startxref")
        if tail < 0:
            raise RenderError(_("internal: no startxref in the typeset PDF"))
        self._startxref = int(data[tail + 9 :].split()[0])
        if not data.startswith(b"xref", self._startxref):
            raise RenderError(
                _("internal: the typeset PDF uses an xref stream; not supported here")
            )
        self._read_xref_table(self._startxref)
        trailer_at = data.index(b"trailer", self._startxref)
        trailer = _value(data, trailer_at + 7)
        if not isinstance(trailer, PdfDict):
            raise RenderError(_("internal: unreadable trailer"))
        if b"/Prev" in trailer:
            raise RenderError(
                _("internal: the typeset PDF already has updates; not supported here")
            )
        self.trailer = trailer
        self._next_number = int(self.leaf(trailer[b"/Size"]))

    def _read_xref_table(self, offset: int) -> None:
        lines = self.original[offset:].split(b"trailer", 1)[0].split()
        index = 1  # skip 'xref'
        while index < len(lines):
            first, count = int(lines[index]), int(lines[index + 1])
            index += 2
            for number in range(first, first + count):
                position, _generation, kind = lines[index : index + 3]
                index += 3
                if kind == b"n":
                    self._offsets[number] = int(position)

    @staticmethod
    def leaf(value: PdfValue) -> str:
        """The text of a leaf token."""
        if not isinstance(value, Raw):
            raise RenderError(_("internal: expected a plain PDF value"))
        return value.token.decode("latin-1")

    def get(self, reference: Ref) -> PdfDict:
        """A dictionary object (changed version if we changed it)."""
        changed = self._changed.get(reference.number)
        if isinstance(changed, PdfDict):
            return changed
        if reference.number in self._parsed:
            return self._parsed[reference.number]
        offset = self._offsets.get(reference.number)
        if offset is None:
            raise RenderError(
                _("internal: object {number} not in the PDF").format(number=reference.number)
            )
        header = _OBJECT_HEADER.match(self.original, offset)
        if header is None or int(header.group(1)) != reference.number:
            raise RenderError(
                _("internal: object {number} not where the xref says").format(
                    number=reference.number
                )
            )
        value = _value(self.original, header.end())
        if not isinstance(value, PdfDict):
            raise RenderError(
                _("internal: object {number} is not a dictionary").format(number=reference.number)
            )
        self._parsed[reference.number] = value
        return value

    def stream_data(self, reference: Ref) -> bytes:
        """The raw (unfiltered) data of a stream object in the original PDF."""
        dictionary = self.get(reference)
        length = dictionary.get(b"/Length")
        if not isinstance(length, Raw) or b"/Filter" in dictionary:
            raise RenderError(
                _("internal: stream {number} is filtered or has no direct length").format(
                    number=reference.number
                )
            )
        offset = self._offsets[reference.number]
        start = self.original.index(b"stream", offset) + len(b"stream")
        if self.original.startswith(b"\r\n", start):
            start += 2
        elif self.original.startswith(b"\n", start):
            start += 1
        return self.original[start : start + int(self.leaf(length))]

    def resolve(self, value: PdfValue) -> PdfValue:
        """Follow a reference to its dictionary; other values as they are."""
        return self.get(value) if isinstance(value, Ref) else value

    def put(self, reference: Ref, dictionary: PdfDict) -> None:
        """Record a changed dictionary object."""
        self._changed[reference.number] = dictionary

    def add(self, obj: PdfDict | Stream) -> Ref:
        """Add a new object and return its reference."""
        reference = Ref(self._next_number)
        self._next_number += 1
        self._changed[reference.number] = obj
        return reference

    def pages(self) -> list[Ref]:
        """Page references in document order."""
        root = self.get(_as_ref(self.trailer[b"/Root"]))
        found: list[Ref] = []

        def walk(node_ref: Ref) -> None:
            node = self.get(node_ref)
            if self.leaf(node.get(b"/Type", Raw(b""))) == "/Pages":
                kids = node[b"/Kids"]
                assert isinstance(kids, PdfArray)
                for kid in kids:
                    walk(_as_ref(kid))
            else:
                found.append(node_ref)

        walk(_as_ref(root[b"/Pages"]))
        return found

    def write(self, trailer_id: PdfArray) -> bytes:
        """The original bytes plus one incremental update with every change."""
        out = bytearray(self.original)
        if not out.endswith(b"\n"):
            out += b"\n"
        positions: dict[int, int] = {}
        for number in sorted(self._changed):
            positions[number] = len(out)
            obj = self._changed[number]
            out += b"%d 0 obj\n" % number
            if isinstance(obj, Stream):
                dictionary = PdfDict(obj.dictionary)
                dictionary[b"/Length"] = number_raw(len(obj.data))
                out += serialize(dictionary) + b"\nstream\n" + obj.data + b"\nendstream"
            else:
                out += serialize(obj)
            out += b"\nendobj\n"
        xref_at = len(out)
        out += b"xref\n"
        for number in sorted(positions):
            out += b"%d 1\n%010d 00000 n\r\n" % (number, positions[number])
        trailer = PdfDict(
            {
                b"/Size": number_raw(self._next_number),
                b"/Root": self.trailer[b"/Root"],
                **({b"/Info": self.trailer[b"/Info"]} if b"/Info" in self.trailer else {}),
                b"/ID": trailer_id,
                b"/Prev": number_raw(self._startxref),
            }
        )
        out += b"trailer\n" + serialize(trailer) + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
        return bytes(out)


def number_raw(value: int) -> Raw:
    """An integer token."""
    return Raw(str(value).encode())


def _as_ref(value: PdfValue) -> Ref:
    if not isinstance(value, Ref):
        raise RenderError(_("internal: expected an indirect reference in the PDF"))
    return value


def _value(data: bytes, position: int) -> PdfValue:
    """One value of the typeset PDF; a syntax error there is ours to report."""
    try:
        return _Parser(data, position).value()
    except ValueError as error:
        raise RenderError(str(error)) from None
