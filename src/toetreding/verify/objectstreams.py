"""Object streams that a later update rewrites: refused, because they rewrite signed objects.

A cross-reference stream can say "object 124 is member 0 of object stream 156". The object
stream is itself an ordinary object, found through the newest cross-reference data. So an
update after a signature that defines object 156 again (or frees it, or changes the
``/Length`` it points to) changes what object 124 is for every reader — without listing
object 124, so a comparison object by object sees no change. pyHanko reads a historical
revision's compressed objects through the newest object stream as well, so even the
signed revision would seem to hold the new object 124 (found in review: a statement whose
first page showed other content PASSED).

A legitimate writer never does this: an update that changes a compressed object writes
the object anew (in a new object stream or on its own), and leaves the old stream alone.
So every object stream that holds objects, and every object its dictionary points to
(``/Length``, filters), must be in use at the first revision that uses the stream, and
no later revision may define it again or free it.
"""

from __future__ import annotations

from typing import Any

from ..i18n import _

MAX_FOLLOWED = 1000


def object_stream_problems(reader: Any, sections: list[Any]) -> list[str]:
    """Sentences for every object stream a later revision could rewrite; empty if none."""
    definitions = _definitions(sections)
    first_use: dict[int, int] = {}
    for revision, section in enumerate(sections):
        for part in _parts(section.xref_data):
            for stream_number in part.obj_streams_used:
                first_use.setdefault(stream_number, revision)
    problems: list[str] = []
    for stream_number, revision in sorted(first_use.items()):
        if not _defined_once(definitions, stream_number, revision):
            problems.append(
                _(
                    "object stream {number}, which holds objects of revision {revision}, is "
                    "defined again, freed or missing in a later revision: that rewrites "
                    "objects of the signed document without listing them"
                ).format(number=stream_number, revision=revision)
            )
            continue
        needs = _objects_its_dictionary_needs(reader, stream_number)
        if needs is None:
            problems.append(
                _(
                    "object stream {number}, which holds objects of revision {revision}, "
                    "cannot be read in the file as it now is, so the objects it holds cannot "
                    "be checked"
                ).format(number=stream_number, revision=revision)
            )
            continue
        rewritable = [
            number for number in needs if not _defined_once(definitions, number, revision)
        ]
        if rewritable:
            problems.append(
                _(
                    "object stream {number}, which holds objects of revision {revision}, "
                    "depends on object {other}, which a later revision defines again or "
                    "frees: that rewrites objects of the signed document without listing them"
                ).format(number=stream_number, revision=revision, other=rewritable[0])
            )
    return problems


def _parts(xref_data: Any) -> list[Any]:
    """A section's own entries and, in a hybrid file, its stream part's."""
    hybrid = getattr(xref_data, "hybrid", None)
    return [xref_data] if hybrid is None else [xref_data, hybrid.xref_data]


def _definitions(sections: list[Any]) -> dict[int, list[tuple[int, tuple[Any, ...]]]]:
    """Every entry each object number gets: (revision, what the entry says)."""
    found: dict[int, list[tuple[int, tuple[Any, ...]]]] = {}
    for revision, section in enumerate(sections):
        for part in _parts(section.xref_data):
            for number, (generation, offset) in part.standard_xrefs.items():
                found.setdefault(number, []).append((revision, ("in use", generation, offset)))
            for number, location in part.xrefs_in_objstm.items():
                entry = ("compressed", location.obj_stream_id, location.ix_in_stream)
                found.setdefault(number, []).append((revision, entry))
            for number, generation in part.freed.items():
                found.setdefault(number, []).append((revision, ("free", generation)))
    return found


def _defined_once(
    definitions: dict[int, list[tuple[int, tuple[Any, ...]]]], number: int, used_from: int
) -> bool:
    """Whether ``number`` is in use at revision ``used_from`` and no later revision gives it
    another entry.

    What the number was before is not our concern (a number may be reused for a new
    object), and a later section that repeats the same entry changes nothing (some writers
    list their whole table again).
    """
    entries = definitions.get(number, [])
    in_effect = [entry for revision, entry in entries if revision <= used_from]
    if not in_effect or in_effect[-1][0] != "in use":
        return False
    return all(entry == in_effect[-1] for revision, entry in entries if revision > used_from)


def _objects_its_dictionary_needs(reader: Any, stream_number: int) -> list[int] | None:
    """Object numbers that reading the object stream depends on (its dictionary's
    indirect values, followed through); None if it cannot be read (e.g. its /Length
    object was made to cut it short)."""
    from pyhanko.pdf_utils import generic

    try:
        stream = reader.get_object(generic.Reference(stream_number, 0, reader))
        if not isinstance(stream, generic.StreamObject):
            return None
        stream.data  # noqa: B018 - reading it is the check
    except Exception:
        return None
    needed: list[int] = []
    pending: list[Any] = [stream]
    seen: set[int] = {stream_number}
    while pending:
        if len(seen) >= MAX_FOLLOWED:
            return None  # a dictionary that needs so much cannot be vouched for
        value = pending.pop()
        if isinstance(value, generic.IndirectObject):
            if value.idnum in seen:
                continue
            seen.add(value.idnum)
            needed.append(value.idnum)
            try:
                pending.append(value.get_object())
            except Exception:
                continue
        elif isinstance(value, generic.DictionaryObject):
            pending.extend(value.raw_get(key) for key in value)
        elif isinstance(value, generic.ArrayObject):
            pending.extend(value.raw_get(index) for index in range(len(value)))
    return sorted(needed)
