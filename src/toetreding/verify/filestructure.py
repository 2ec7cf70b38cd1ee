"""Structure that PDF readers would read differently: refused, so all readers see one file.

Both our checks (changes.py and pyHanko's) read the file through pyHanko's reader. Viewers
read it their own way where the file is ambiguous, and an attacker who controls a later
update can make them disagree:

- a ``startxref`` (or ``/Prev``) that does not point exactly at cross-reference data:
  pyHanko corrects a near miss quietly, viewers rebuild the file by scanning it, and then
  an object no table lists can win;
- one object listed twice in one cross-reference section: pyHanko keeps the last entry,
  poppler, pdf.js and MuPDF the first;
- an object definition (``N G obj``) after the signed part that no cross-reference section
  lists at that position: invisible to pyHanko, found by a viewer that repairs the file;
- an object stream that a later update defines again (objectstreams.py): it rewrites the
  signed objects it holds without listing them;
- an object a reader would have to repair the file to fetch (wellformed.py): repairing
  readers scan for definitions that no cross-reference data lists.

A legitimate writer produces none of these; each is a reason the document in hand may not
be the one every reader sees.
"""

from __future__ import annotations

import re
from typing import Any

from ..i18n import _, ngettext
from ..pdfsyntax import PdfSyntaxError, scan_value
from .objectstreams import object_stream_problems
from .plainstreams import decoded_alike
from .wellformed import repair_problems

# anywhere, not only at the start of a line: a repairing reader also finds a definition
# after "endobj" on the same line, behind a form feed, or with a zero-padded number
OBJECT_HEADER = re.compile(rb"(?<!\d)(\d+)[\x00\t\n\x0b\x0c\r ]+(\d+)[\x00\t\n\x0b\x0c\r ]+obj")
STREAM_HEADER = re.compile(rb"\d{1,10}[ \t\r\n]+\d{1,5}[ \t\r\n]+obj\b")
SUBSECTION = re.compile(rb"\s*(\d{1,10})\s+(\d{1,10})\s*[\r\n]")
ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n|\n|\r)")
MAX_GENERATION = 65535
_Entry = tuple[int, int, int, bytes]
"""One xref table entry as written: number, generation, offset, kind (n, f, ? unreadable)."""
MAX_ENTRIES = 10_000_000


def structure_problems(data: bytes, reader: Any, signed_end: int | None) -> list[str]:
    """Sentences for every ambiguity; empty when all readers must read the same file.

    ``signed_end``: where the earliest signed revision ends (object definitions after it
    must all be listed); None when nothing is signed.
    """
    problems: list[str] = []
    sections = list(getattr(reader.xrefs, "_xref_sections", []))
    listed: dict[int, tuple[int, int]] = {}
    """offset → the object number and generation a cross-reference entry lists there"""
    trailer_keywords: set[int] = set()
    """where each table's own 'trailer' keyword is"""
    reached: set[tuple[int, int]] = set()
    for number, section in enumerate(sections):
        meta = section.meta_info
        kind = getattr(meta.xref_section_type, "name", "")
        table = kind in ("STANDARD", "HYBRID_MAIN")
        declared = int(meta.declared_startxref)
        if not _points_at_xref(data, declared, table):
            problems.append(
                _(
                    "revision {number}: its pointer to the cross-reference data (startxref or "
                    "/Prev) does not point at it; readers repair such a file in different ways"
                ).format(number=number)
            )
        if table:
            numbers, entries, table_end = _table_entries(data, declared)
            trailer_keyword = _skip_whitespace(data, table_end)
            if data.startswith(b"trailer", trailer_keyword):
                trailer_keywords.add(trailer_keyword)
                # strictly, like every object: a key named twice (a second /Root) is read
                # first by pyHanko and last by poppler, which then opened another catalog
                # with no repair at all (found in review)
                try:
                    scan_value(data, trailer_keyword + len(b"trailer"))
                except PdfSyntaxError as error:
                    problems.append(
                        _(
                            "revision {number}: its trailer cannot be read strictly ({reason}); "
                            "readers would each read it their own way"
                        ).format(number=number, reason=error)
                    )
            if not _subsections_fit(data, declared):
                problems.append(
                    _(
                        "revision {number}: its cross-reference table has an empty subsection "
                        "or numbers beyond what readers can count; a reader would repair the file"
                    ).format(number=number)
                )
            differing = _entries_differ(entries, section.xref_data)
            if differing is not None:
                problems.append(
                    _(
                        "revision {number}: its cross-reference table has an entry that readers "
                        "read differently (object {object}); they could each show a different "
                        "document"
                    ).format(number=number, object=differing)
                )
            duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
            if duplicates:
                problems.append(
                    _(
                        "revision {number}: its cross-reference table lists object {objects} "
                        "more than once; readers disagree about which one counts"
                    ).format(number=number, objects=", ".join(str(n) for n in duplicates[:5]))
                )
        else:
            differing = _stream_entries_differ(reader, meta, section.xref_data)
            if differing == -1:
                problems.append(
                    _(
                        "revision {number}: its cross-reference stream cannot be read strictly "
                        "(an encoding readers decode differently, or /W, /Index and data that do "
                        "not fit together); readers could each read it differently"
                    ).format(number=number)
                )
            elif differing is not None:
                problems.append(
                    _(
                        "revision {number}: its cross-reference stream has an entry that readers "
                        "read differently (object {object}); they could each show a different "
                        "document"
                    ).format(number=number, object=differing)
                )
            if _stream_duplicates(reader, meta):
                problems.append(
                    _(
                        "revision {number}: its cross-reference stream lists objects more than "
                        "once; readers disagree about which one counts"
                    ).format(number=number)
                )
            if meta.stream_ref is not None:
                listed[meta.start_location] = _key(meta.stream_ref)
        for number, (generation, offset) in section.xref_data.standard_xrefs.items():
            listed[offset] = (int(number), int(generation))
    problems.extend(_trailer_problems(reader))
    problems.extend(_ending_problems(data, sections))
    problems.extend(object_stream_problems(reader, sections))
    problems.extend(repair_problems(data, reader, reached))
    if signed_end is not None:
        problems.extend(_stray_trailers(data, signed_end, trailer_keywords))
        problems.extend(_unused_objects(reader, sections, signed_end, reached))
        # listed means listed *as that object*: a forged "115 0 obj" listed under a new,
        # unused number is an orphan to pyHanko and object 115 to a reader that repairs
        unlisted = [
            match
            for match in OBJECT_HEADER.finditer(data, signed_end)
            if listed.get(match.start(1)) != (int(match.group(1)), int(match.group(2)))
        ]
        if unlisted:
            first = unlisted[0]
            problems.append(
                ngettext(
                    "after the signed part the file holds {count} object definition(s) that no "
                    "cross-reference data lists as that object (first: object {first}); a "
                    "reader that repairs the file would show them",
                    "after the signed part the file holds {count} object definition(s) that no "
                    "cross-reference data lists as that object (first: object {first}); a "
                    "reader that repairs the file would show them",
                    len(unlisted),
                ).format(count=len(unlisted), first=int(first.group(1)))
            )
    return problems


DOCUMENT_TRAILER_KEYS = ("/Size", "/Root", "/Encrypt", "/Info", "/ID")
"""Trailer entries about the document, not about one cross-reference section."""
FILE_END = re.compile(rb"startxref[\r\n]+(\d{1,10})[\r\n]+%%EOF[\x00\t\n\x0c\r ]*\Z")
"""How a file ends: its last startxref, the offset, %%EOF, at most white space after it."""


def _trailer_problems(reader: Any) -> list[str]:
    """Trailers that leave out what an earlier one said (or /Root and /Size at all).

    An update's trailer must repeat the document's entries (ISO 32000-1, 7.5.6). pyHanko
    takes a missing one from an earlier trailer; a viewer reads only the newest and, with
    no /Root there, repairs the file by scanning every byte for object definitions.
    """
    trailers = list(getattr(reader.trailer, "_trailer_revisions", []))[::-1]
    problems: list[str] = []
    expected = {"/Root", "/Size"}
    for number, trailer in enumerate(trailers):
        present = {str(key) for key in trailer}
        missing = sorted(expected - present)
        if missing:
            problems.append(
                _(
                    "revision {number}: its trailer leaves out {keys}; readers would each take "
                    "them from somewhere else"
                ).format(number=number, keys=", ".join(missing))
            )
        expected = {"/Root", "/Size"} | (present & set(DOCUMENT_TRAILER_KEYS))
    return problems


def _ending_problems(data: bytes, sections: list[Any]) -> list[str]:
    """The file must end as its newest revision says: startxref, the offset of that
    revision's cross-reference data, %%EOF, then nothing but white space.

    Viewers look for the last "startxref" near the end, comments included; pyHanko for the
    last %%EOF line. Anything after the end could make them start from different places.
    """
    ending = FILE_END.search(data[-2048:])
    newest = sections[-1].meta_info.declared_startxref if sections else None
    if ending is not None and newest is not None and int(ending.group(1)) == int(newest):
        return []
    return [
        _(
            "the file does not end with the pointer to its newest cross-reference data and "
            "%%EOF (something follows it, or it points elsewhere); readers could start reading "
            "from different places"
        )
    ]


def _key(reference: Any) -> tuple[int, int]:
    return (int(reference.idnum), int(reference.generation))


def _points_at_xref(data: bytes, offset: int, table: bool) -> bool:
    if table:
        return data.startswith(b"xref", offset)
    return STREAM_HEADER.match(data, offset) is not None


def _stray_trailers(data: bytes, signed_end: int, keywords: set[int]) -> list[str]:
    """The word 'trailer' after the signed part anywhere but as a table's own keyword.

    A reader that repairs a file (poppler rebuilds on any table it cannot read) takes the
    document's catalog from the last line starting with 'trailer' it finds — one hidden in
    a string named a catalog no check had looked at, under PASSED (found in review).
    """
    stray = [m.start() for m in re.finditer(rb"trailer", data[signed_end:])]
    if any(signed_end + offset not in keywords for offset in stray):
        return [
            _(
                "after the signed part the file holds the word 'trailer' outside the trailer "
                "of a cross-reference table; a reader that repairs the file would take the "
                "document from there"
            )
        ]
    return []


def _unused_objects(
    reader: Any, sections: list[Any], signed_end: int, reached: set[tuple[int, int]]
) -> list[str]:
    """Objects an update after the signed part writes that nothing in the document uses.

    No writer needs them, and a reader that repairs the file can take them up: a hidden
    catalog with its own pages was what a stray 'trailer' pointed at. One that was in use in
    the revision that wrote it (and let go by a later one) is fine.
    """
    from .changes import reachable_objects

    stream_objects = {
        _key(section.meta_info.stream_ref)
        for section in sections
        if section.meta_info.stream_ref is not None
    }
    for revision, section in enumerate(sections):
        if int(section.meta_info.start_location) < signed_end:
            continue
        written = {_key(r) for r in reader.xrefs.explicit_refs_in_revision(revision)}
        containers = {_key(r) for r in reader.xrefs.object_streams_used_in(revision)}
        unused = written - reached - containers - stream_objects
        if unused:
            unused -= reachable_objects(reader.get_historical_resolver(revision))
        if unused:
            return [
                _(
                    "revision {number} writes object {object}, which nothing in the document "
                    "uses; a reader that repairs the file could take it up"
                ).format(number=revision, object=min(unused)[0])
            ]
    return []


def _skip_whitespace(data: bytes, position: int) -> int:
    while position < len(data) and data[position] in b"\x00\t\n\x0c\r ":
        position += 1
    return position


MAX_COUNTABLE = 2**31 - 1
"""poppler reads subsection numbers as C ints; beyond this it repairs the file."""


def _subsections_fit(data: bytes, start: int) -> bool:
    """Every subsection of the table at ``start`` lists objects and numbers them below 2^31."""
    position = start + 4
    while True:
        match = SUBSECTION.match(data, position)
        if match is None:
            return True
        first, count = int(match.group(1)), int(match.group(2))
        if count == 0 or first + count > MAX_COUNTABLE:
            return False
        position = match.end()
        for _index in range(min(count, MAX_ENTRIES)):
            entry = ENTRY.match(data, position)
            if entry is None:
                return True  # reported as an entry read differently
            position = entry.end()


def _table_entries(data: bytes, start: int) -> tuple[list[int], list[_Entry], int]:
    """Object numbers (with repeats) and the entries of a classic xref table, as written.

    An entry is ``oooooooooo ggggg n`` (or ``f``) and its end of line; 19-byte entries (one
    end-of-line byte) are read too. Anything else ends the reading, and is then an entry
    pyHanko did not record either (see ``_entries_differ``).
    """
    position = start
    if not data.startswith(b"xref", position):
        return [], [], position
    position += 4
    numbers: list[int] = []
    entries: list[_Entry] = []
    while len(numbers) < MAX_ENTRIES:
        match = SUBSECTION.match(data, position)
        if match is None:
            break
        first, count = int(match.group(1)), int(match.group(2))
        position = match.end()
        for index in range(min(count, MAX_ENTRIES)):
            numbers.append(first + index)
            entry = ENTRY.match(data, position)
            if entry is None:
                entries.append((first + index, -1, -1, b"?"))
                return numbers, entries, position
            offset, generation, kind = entry.groups()
            entries.append((first + index, int(generation), int(offset), kind))
            position = entry.end()
    return numbers, entries, position


def _entries_differ(entries: list[_Entry], recorded: Any) -> int | None:
    """The first object whose entry, as written, pyHanko did not record the same way.

    pyHanko (not strict) skips an entry it finds odd — a generation above 65535, a line it
    cannot read — while poppler uses it, or repairs the file: then each reads a different
    object. A table whose every entry pyHanko recorded as written is read alike.
    """
    for number, generation, offset, kind in entries:
        if number == 0:
            continue  # the head of the free list, which pyHanko does not record
        if kind == b"?" or generation > MAX_GENERATION:
            return number
        if kind == b"n" and recorded.standard_xrefs.get(number) != (generation, offset):
            return number
        if kind == b"f" and recorded.freed.get(number) != generation:
            return number
    return None


def _stream_entries_differ(reader: Any, meta: Any, recorded: Any) -> int | None:
    """The first object whose entry in a cross-reference stream, as written, pyHanko did
    not record the same way (-1: the stream's entries cannot be read strictly).

    pyHanko (not strict) fills a cut-off entry with defaults, ignores unknown entry types and
    skips generations above 65535; another reader may do otherwise. Compared strictly:
    three widths, the offset field present, exactly as many bytes as the entries need.
    """
    reference = getattr(meta, "stream_ref", None)
    if reference is None:
        return None
    try:
        stream = reader.get_object(reference)
        widths = [int(w) for w in stream["/W"]]
        size = int(stream["/Size"])
        index = [int(v) for v in stream.get("/Index", [0, size])]
    except Exception:
        return -1
    data = decoded_alike(stream)
    if data is None:
        return -1
    if len(widths) != 3 or min(widths) < 0 or widths[1] == 0 or len(index) % 2:
        return -1
    pairs = list(zip(index[0::2], index[1::2], strict=True))
    if any(count < 0 or count > MAX_ENTRIES for _first, count in pairs):
        return -1
    width = sum(widths)
    if len(data) != width * sum(count for _first, count in pairs):
        return -1
    position = 0
    for first, count in pairs:
        for number in range(first, first + count):
            fields = []
            for field_width in widths:
                fields.append(int.from_bytes(data[position : position + field_width], "big"))
                position += field_width
            kind = fields[0] if widths[0] else 1
            if number == 0:
                continue
            if not _stream_entry_recorded(kind, fields[1], fields[2], number, recorded):
                return number
    return None


def _stream_entry_recorded(kind: int, second: int, third: int, number: int, recorded: Any) -> bool:
    if kind == 1:
        return third <= MAX_GENERATION and recorded.standard_xrefs.get(number) == (third, second)
    if kind == 2:
        location = recorded.xrefs_in_objstm.get(number)
        return location is not None and (
            int(location.obj_stream_id),
            int(location.ix_in_stream),
        ) == (second, third)
    if kind == 0:
        return bool(recorded.freed.get(number) == third)
    return False  # an entry type no reader agrees on


def _stream_duplicates(reader: Any, meta: Any) -> bool:
    """Whether an xref stream's /Index ranges overlap."""
    reference = getattr(meta, "stream_ref", None)
    if reference is None:
        return False
    try:
        stream = reader.get_object(reference)
        index = stream.get("/Index")
        if index is None:
            return False
        values = [int(v) for v in index]
    except Exception:
        return False
    seen: set[int] = set()
    for first, count in zip(values[0::2], values[1::2], strict=False):
        span = set(range(first, first + min(count, MAX_ENTRIES)))
        if seen & span:
            return True
        seen |= span
    return False
