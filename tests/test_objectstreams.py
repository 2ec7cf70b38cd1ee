"""When an object stream counts as rewritten (verify/objectstreams.py), entry by entry.

The whole-file cases — a signed statement with an object stream, and updates that
redefine, free or cut it short — are in tests/test_verify.py.
"""

from __future__ import annotations

from typing import Any

from toetreding.verify.objectstreams import _defined_once

IN_USE = ("in use", 0, 1000)
ELSEWHERE = ("in use", 0, 2000)
FREE = ("free", 1)


def test_one_definition_before_its_use_is_fine() -> None:
    assert _defined_once({7: [(1, IN_USE)]}, 7, used_from=1)
    assert _defined_once({7: [(0, IN_USE)]}, 7, used_from=3)


def test_a_later_section_repeating_the_same_entry_is_fine() -> None:
    assert _defined_once({7: [(1, IN_USE), (2, IN_USE), (3, IN_USE)]}, 7, used_from=1)


def test_what_the_number_was_before_its_use_does_not_matter() -> None:
    assert _defined_once({7: [(0, FREE), (1, IN_USE)]}, 7, used_from=1)
    assert _defined_once({7: [(0, ELSEWHERE), (2, IN_USE)]}, 7, used_from=2)


def test_defined_again_after_its_use_is_refused() -> None:
    assert not _defined_once({7: [(1, IN_USE), (3, ELSEWHERE)]}, 7, used_from=1)
    # even when a later revision goes back to the first definition in between
    assert not _defined_once({7: [(1, IN_USE), (2, ELSEWHERE), (3, IN_USE)]}, 7, used_from=1)


def test_freed_after_its_use_is_refused() -> None:
    assert not _defined_once({7: [(1, IN_USE), (2, FREE)]}, 7, used_from=1)


def test_missing_or_defined_only_later_is_refused() -> None:
    assert not _defined_once({}, 7, used_from=1)
    assert not _defined_once({7: [(2, IN_USE)]}, 7, used_from=1)
    assert not _defined_once({7: [(0, IN_USE), (1, FREE)]}, 7, used_from=1)


def test_the_well_formedness_walk_never_stops_silently(huizen_pdf: Any, monkeypatch: Any) -> None:
    """Past its limit the walk reports the file, rather than vouching for what it skipped."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    from toetreding.verify import wellformed

    pdf = huizen_pdf.pdf
    assert wellformed.repair_problems(pdf, PdfFileReader(io.BytesIO(pdf), strict=False)) == []
    monkeypatch.setattr(wellformed, "MAX_OBJECTS", 5)
    found = wellformed.repair_problems(pdf, PdfFileReader(io.BytesIO(pdf), strict=False))
    assert found and "too many objects" in found[0]
