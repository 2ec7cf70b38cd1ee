"""Every object a reader loads is where the cross-reference data says, in strict syntax.

Why: a reader that cannot fetch an object where the cross-reference data points — a header
that is not exactly ``N G obj`` (pyHanko reads any three bytes there), a reference to an
object that is not defined or was freed, a stream whose /Length does not end at
``endstream``, no ``endobj`` — repairs the file. poppler, pdf.js and others then scan every
byte for object definitions, and the last one found wins. Definitions hidden where only
such a scan finds them (after ``endobj`` on the same line, behind a form feed, with a
zero-padded number) then replace what pyHanko — and so our change review — reads. Found in
review: a statement whose first page showed forged text PASSED; the trigger was the catalog
written again, unchanged, under the header ``140 0 OBJ``.

So every object reachable from the latest trailer must be fetchable without repair:

- its number is below the trailer's /Size, and the reference resolves to an object in use,
  of that generation;
- at the offset the cross-reference data gives stands exactly ``N G obj`` for that object;
- its value is plain PDF syntax, a stream's data ends where its /Length says (then
  ``endstream``), and ``endobj`` follows;
- an object kept in an object stream: the object stream itself meets the same rules, its
  table of contents names each object once with offsets in order, and the member at the
  listed index is this object, in strict syntax, inside its own slot.

A legitimate writer meets these; a file that does not is refused, because no one can say
which document its readers will show.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, Final

from ..i18n import _
from ..pdfsyntax import PdfSyntaxError, scan_value
from .plainstreams import decoded_alike

MAX_OBJECTS: Final = 2_000_000
_HEADER: Final = re.compile(rb"(\d{1,10})[\x00\t\n\x0c\r ]+(\d{1,5})[\x00\t\n\x0c\r ]+obj")
_DELIMITER_OR_SPACE: Final = frozenset(b"\x00\t\n\x0c\r ()<>[]{}/%")
_STREAM_START: Final = re.compile(rb"[\x00\t\n\x0c\r ]*stream(?:\r\n|\n)")
# readers skip whitespace before the keyword (the spec asks for one end-of-line marker)
_STREAM_END: Final = re.compile(rb"[\x00\t\n\x0c\r ]*endstream")
_OBJECT_END: Final = re.compile(rb"[\x00\t\n\x0c\r ]*endobj")
_SPACE: Final = b"\x00\t\n\x0c\r "


@dataclass(frozen=True)
class _Contents:
    """An object stream's decoded data and its members: (object number, offset in data)."""

    data: bytes
    entries: list[tuple[int, int]]


class _Unreadable(Exception):
    """Why one object cannot be fetched without repairing the file (a sentence)."""


def repair_problems(
    data: bytes, reader: Any, reached: set[tuple[int, int]] | None = None
) -> list[str]:
    """One sentence naming the first object a reader would have to repair the file for,
    and how many there are; empty when every reachable object reads as it stands.

    ``reached``, when given, receives every object the walk reached from the latest trailer.
    """
    walk = _Walk(data, reader)
    failures = walk.run()
    if reached is not None:
        reached |= walk.seen
    if not failures:
        return []
    number, reason = failures[0]
    sentence = _(
        "object {number} cannot be read unambiguously: {reason}; PDF readers would each "
        "read it their own way (or repair the file), so they could show different documents"
    ).format(number=number, reason=reason)
    if len(failures) > 1:
        sentence += " " + _("({count} objects in all)").format(count=len(failures))
    return [sentence]


class _Walk:
    """Every object reachable from the latest trailer, each checked once."""

    def __init__(self, data: bytes, reader: Any) -> None:
        self.data = data
        self.reader = reader
        self.failures: list[tuple[int, str]] = []
        self.seen: set[tuple[int, int]] = set()
        self.pending: list[tuple[int, int]] = []
        self.size: int | None = None
        self.object_streams: dict[int, _Contents] = {}

    def run(self) -> list[tuple[int, str]]:
        trailer = self.reader.trailer
        try:
            self.size = int(trailer["/Size"])
        except Exception:
            self.size = None
        self._cross_reference_streams()
        for key in ("/Root", "/Info"):
            try:
                value = trailer.raw_get(key)
            except KeyError:
                continue
            self._follow_pyhanko(value)
        while self.pending:
            if len(self.seen) > MAX_OBJECTS:
                # never a silent stop: what was not checked cannot be vouched for
                self.failures.append((self.pending[-1][0], _("the file has too many objects")))
                break
            number, generation = self.pending.pop()
            try:
                self._check(number, generation)
            except _Unreadable as why:
                self.failures.append((number, str(why)))
        return self.failures

    def _cross_reference_streams(self) -> None:
        """Cross-reference streams are objects too: framed exactly, or a reader repairs."""
        for section in getattr(self.reader.xrefs, "_xref_sections", []):
            metas = [section.meta_info]
            hybrid = getattr(section.xref_data, "hybrid", None)
            if hybrid is not None:
                metas.append(hybrid.meta_info)
            for meta in metas:
                reference = getattr(meta, "stream_ref", None)
                if reference is None:
                    continue
                try:
                    self._read_at(int(meta.start_location), reference.idnum, reference.generation)
                except _Unreadable as why:
                    self.failures.append((int(reference.idnum), str(why)))

    def _queue(self, number: int, generation: int) -> None:
        key = (number, generation)
        if key not in self.seen:
            self.seen.add(key)
            self.pending.append(key)

    def _check(self, number: int, generation: int) -> None:
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.xref import ObjStreamRef

        reference = generic.Reference(number, generation, self.reader)
        try:
            location = self.reader.xrefs[reference]
        except Exception:
            location = None
        if location is not None and self.size is not None and number >= self.size:
            # readers size their table by /Size; a number beyond it is "not found" to
            # poppler, which repairs, while pyHanko reads what the xref lists
            raise _Unreadable(
                _("its number is not below the trailer's /Size ({size})").format(size=self.size)
            )
        if isinstance(location, ObjStreamRef):
            if generation != 0:
                raise _Unreadable(
                    _(
                        "it is referenced with generation {generation}, but it is kept in an "
                        "object stream, where every object has generation 0"
                    ).format(generation=generation)
                )
            self._member(number, int(location.obj_stream_id), int(location.ix_in_stream))
            return
        if not isinstance(location, int):
            raise _Unreadable(_("it is referenced, but the file does not define it, or freed it"))
        self._read_at(location, number, generation)

    def _member(self, number: int, stream_number: int, index: int) -> None:
        """An object kept in an object stream: the stream's table of contents must be
        unambiguous, and the member at the index the xref gives must be this object, in
        strict syntax, inside its own slot.

        pyHanko (not strict) takes the first entry with the object's number, whatever the
        index; poppler takes the entry at the index and reads up to the next offset. A
        stream that lists a number twice, or a member that runs past its slot, would show
        each of them another object.
        """
        self._queue(stream_number, 0)
        contents = self._object_stream(stream_number)
        if index >= len(contents.entries) or contents.entries[index][0] != number:
            raise _Unreadable(_("its object stream does not hold it at the place listed"))
        start = contents.entries[index][1]
        end = (
            contents.entries[index + 1][1]
            if index + 1 < len(contents.entries)
            else len(contents.data)
        )
        try:
            scanned = scan_value(contents.data, start)
        except PdfSyntaxError as error:
            raise _Unreadable(str(error)) from None
        if scanned.end > end or contents.data[scanned.end : end].strip(_SPACE):
            raise _Unreadable(_("it does not fit its place in its object stream"))
        for referenced, generation in scanned.references:
            self._queue(referenced, generation)

    def _object_stream(self, stream_number: int) -> _Contents:
        """An object stream's decoded data and table of contents, read once."""
        known = self.object_streams.get(stream_number)
        if known is not None:
            return known
        from pyhanko.pdf_utils import generic

        unreadable = _Unreadable(_("its object stream cannot be read"))
        try:
            stream = self.reader.get_object(generic.Reference(stream_number, 0, self.reader))
            count, first = int(stream["/N"]), int(stream["/First"])
        except Exception:
            raise unreadable from None
        data = decoded_alike(stream)
        if data is None:
            raise _Unreadable(_("its object stream is encoded in a way readers decode differently"))
        pairs = data[:first].split()
        if count < 0 or len(pairs) != 2 * count or not all(p.isdigit() for p in pairs):
            raise _Unreadable(_("its object stream's table of contents cannot be read"))
        entries = [(int(pairs[i]), first + int(pairs[i + 1])) for i in range(0, len(pairs), 2)]
        numbers = [number for number, _offset in entries]
        offsets = [offset for _number, offset in entries]
        if len(set(numbers)) != len(numbers):
            raise _Unreadable(_("its object stream lists an object number more than once"))
        if any(b <= a for a, b in itertools.pairwise(offsets)) or (
            offsets and offsets[-1] >= len(data)
        ):
            raise _Unreadable(_("its object stream's offsets do not rise in order"))
        contents = self.object_streams[stream_number] = _Contents(data, entries)
        return contents

    def _read_at(self, offset: int, number: int, generation: int) -> None:
        data = self.data
        header = _HEADER.match(data, offset)
        if (
            header is None
            or int(header.group(1)) != number
            or int(header.group(2)) != generation
            or (header.end() < len(data) and data[header.end()] not in _DELIMITER_OR_SPACE)
        ):
            raise _Unreadable(
                _(
                    "where the cross-reference data points there is no '{number} {generation} obj'"
                ).format(number=number, generation=generation)
            )
        try:
            scanned = scan_value(data, header.end())
        except PdfSyntaxError as error:
            raise _Unreadable(str(error)) from None
        end = scanned.end
        start = _STREAM_START.match(data, end)
        if start is not None:
            if not scanned.is_dictionary:
                raise _Unreadable(_("a stream follows a value that is not a dictionary"))
            length = self._length(scanned.length)
            closing = _STREAM_END.match(data, start.end() + length)
            if closing is None:
                raise _Unreadable(_("its stream does not end where its /Length says"))
            end = closing.end()
        if _OBJECT_END.match(data, end) is None:
            raise _Unreadable(_("'endobj' does not follow it"))
        for number, generation in scanned.references:
            self._queue(number, generation)

    def _length(self, value: int | tuple[int, int] | None) -> int:
        """A stream's /Length: written in its dictionary, or an object of its own."""
        if isinstance(value, int):
            return value
        if isinstance(value, tuple):
            from pyhanko.pdf_utils import generic

            number, generation = value
            self._queue(number, generation)
            try:
                resolved = self.reader.get_object(
                    generic.Reference(number, generation, self.reader)
                )
            except Exception:
                resolved = None
            if isinstance(resolved, int) and not isinstance(resolved, bool) and resolved >= 0:
                return int(resolved)
        raise _Unreadable(_("its stream does not end where its /Length says"))

    def _follow_pyhanko(self, value: Any) -> None:
        """Queue every reference in a value pyHanko read (trailer, object stream member)."""
        from pyhanko.pdf_utils import generic

        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, generic.IndirectObject):
                self._queue(item.idnum, item.generation)
            elif isinstance(item, generic.DictionaryObject):
                stack.extend(item.raw_get(key) for key in item)
            elif isinstance(item, generic.ArrayObject):
                stack.extend(item.raw_get(index) for index in range(len(item)))
