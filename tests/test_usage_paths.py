"""Our map of where each object is used (verify/usage_paths.py) against pyHanko's own.

pyHanko's difference analysis, the second opinion after every signature, rests on this
map; ours must be exactly the map pyHanko computes (every reference, every path) or give
way to pyHanko's. Compared on the demo's signed statements, on the rendered statement and
on every hostile update of the test families (page tree, forms, object streams, …).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from toetreding.render import RenderedStatement
from toetreding.verify import usage_paths
from toetreding.verify.diffpolicy import STATEMENT_DIFF_POLICY
from toetreding.verify.review import remember_last_changes

from .support import hostile

DEMO_FILES = (
    "verklaring-ondertekend.pdf",
    "verklaring-met-instemming.pdf",
    "verklaring-verlengd.pdf",
)


def _attacks() -> dict[str, Any]:
    families: dict[str, Any] = {}
    for family in (
        hostile.INCREMENTAL_ATTACKS,
        hostile.OBJECT_STREAM_ATTACKS,
        hostile.REPAIR_ATTACKS,
        hostile.AMBIGUOUS_VALUE_ATTACKS,
        hostile.FILE_STATEMENT_ATTACKS,
    ):
        families.update({name: attack for name, (attack, _reason) in family.items()})
    families.update(hostile.PAGE_TREE_ATTACKS)
    return families


ATTACKS = _attacks()


def pyhankos_map(data: bytes, revision: int) -> dict[tuple[int, int], set[tuple[Any, ...]]] | str:
    """pyHanko's own map of a revision (or the error it raises)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    resolver = reader.get_historical_resolver(revision)
    try:
        resolver._load_reverse_xref_cache()
    except Exception as error:  # the map pyHanko cannot make: ours must give way
        return type(error).__name__
    return _plain(resolver._indirect_object_access_cache)


def our_map(data: bytes, revision: int) -> dict[tuple[int, int], set[tuple[Any, ...]]] | None:
    """Our map, or None where ours gives way to pyHanko's."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    resolver = reader.get_historical_resolver(revision)
    usage_paths.precompute(resolver)
    computed = resolver._indirect_object_access_cache
    return None if computed is None else _plain(computed)


def _plain(usages: Any) -> dict[tuple[int, int], set[tuple[Any, ...]]]:
    return {
        (int(ref.idnum), int(ref.generation)): {tuple(path) for path in usages[ref]}
        for ref in usages
    }


def assert_same_maps(data: bytes) -> int:
    """Ours equals pyHanko's for every revision (or gives way); the revisions compared."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    compared = 0
    for revision in range(reader.xrefs.total_revisions):
        theirs = pyhankos_map(data, revision)
        ours = our_map(data, revision)
        if isinstance(theirs, str):
            assert ours is None, (revision, theirs)
            continue
        if ours is not None:
            assert ours == theirs, revision
            compared += 1
    return compared


@pytest.mark.parametrize("name", DEMO_FILES)
def test_the_map_is_pyhankos_on_signed_statements(demo_workspace: Path, name: str) -> None:
    data = (demo_workspace / name).read_bytes()
    revisions = PdfFileReader(io.BytesIO(data), strict=False).xrefs.total_revisions
    assert assert_same_maps(data) == revisions  # none given way to: they are plain files


def test_the_map_is_pyhankos_on_the_rendered_statement(huizen_pdf: RenderedStatement) -> None:
    assert assert_same_maps(huizen_pdf.pdf) >= 1


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_map_is_pyhankos_on_hostile_updates(
    demo_workspace: Path, huizen_pdf: RenderedStatement, name: str
) -> None:
    """Every hostile update of the test families, on the demo's signed statement (or, for
    the builders that aim at an object stream, on the rendered statement with its first
    page in one)."""
    signed = (demo_workspace / "verklaring-ondertekend.pdf").read_bytes()
    compressed = hostile.compressed_first_page(huizen_pdf.pdf)  # for object-stream attacks
    try:
        forged = ATTACKS[name](signed)
    except (AttributeError, KeyError, AssertionError):
        forged = ATTACKS[name](compressed)
    assert_same_maps(forged)


def _opinion(reader: PdfFileReader, revision: int) -> tuple[str, str]:
    try:
        outcome: Any = STATEMENT_DIFF_POLICY.review_file(reader, revision)
    except Exception as error:
        outcome = error
    return type(outcome).__name__, str(outcome)


@pytest.mark.parametrize("name", DEMO_FILES)
def test_the_second_opinion_is_unchanged(demo_workspace: Path, name: str) -> None:
    """pyHanko's verdict from every revision of the demo's statements, with our map and
    with its own."""
    data = (demo_workspace / name).read_bytes()
    own = PdfFileReader(io.BytesIO(data), strict=False)
    helped = PdfFileReader(io.BytesIO(data), strict=False)
    for revision in range(own.xrefs.total_revisions - 1):
        usage_paths.precompute(helped.get_historical_resolver(revision))
        assert isinstance(
            helped.get_historical_resolver(revision)._indirect_object_access_cache,
            usage_paths.Usages,
        )
        assert _opinion(helped, revision) == _opinion(own, revision), revision


@pytest.mark.parametrize("name", DEMO_FILES)
def test_remembered_last_changes_are_pyhankos(demo_workspace: Path, name: str) -> None:
    """The remembered answer (or KeyError) for every object number in use, a freed or
    unknown one and a wrong generation, asked twice, is pyHanko's."""
    data = (demo_workspace / name).read_bytes()
    own = PdfFileReader(io.BytesIO(data), strict=False)
    helped = PdfFileReader(io.BytesIO(data), strict=False)
    remember_last_changes(helped)
    remember_last_changes(helped)  # once is enough; twice changes nothing
    size = int(own.trailer["/Size"])
    asked = 0
    for number in range(size + 3):
        for generation in (0, 1):
            ref = generic.Reference(number, generation)
            for _twice in range(2):
                try:
                    theirs: int | str = own.xrefs.get_last_change(ref)
                except KeyError:
                    theirs = "KeyError"
                try:
                    ours: int | str = helped.xrefs.get_last_change(ref)
                except KeyError:
                    ours = "KeyError"
                assert ours == theirs, (number, generation)
                asked += 1
    assert asked > 100
