"""The positive list of changes after a signature (verify/changes.py), tried as an attacker.

These tests build later revisions by hand on an unsigned statement and ask the change
review what it sees, without the cost of real signatures: the review only compares
revisions. Each abuse of an allowed change must be named and refused; each legitimate
update must be allowed and named.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from toetreding.render import RenderedStatement
from toetreding.verify.changes import Change, ChangePolicy, review_changes

from .support import hostile

STATEMENT = ChangePolicy(statement_fields=("ondertekening-partij", "instemming-coordinator"))
FOREIGN = ChangePolicy(statement_fields=None)


def revise(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    return hostile._update(pdf, change)


def review(pdf: bytes, base: int, policy: ChangePolicy = STATEMENT) -> list[Change]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return review_changes(reader, base, policy)


def forbidden(changes: list[Change]) -> list[str]:
    return [c.description for c in changes if not c.allowed]


def field(writer: IncrementalPdfFileWriter, name: str) -> Any:
    for reference in writer.root["/AcroForm"]["/Fields"]:
        candidate = reference.get_object()
        if str(candidate.get("/T")) == name:
            return candidate
    raise LookupError(name)


def fake_signature(writer: IncrementalPdfFileWriter, kind: str = "/Sig") -> Any:
    return writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name(kind),
                pdf_name("/SubFilter"): pdf_name(
                    "/ETSI.RFC3161" if kind == "/DocTimeStamp" else "/ETSI.CAdES.detached"
                ),
            }
        )
    )


@pytest.fixture(scope="module")
def base(huizen_pdf: RenderedStatement) -> tuple[bytes, int]:
    """The unsigned statement; the revision with its fields stands in for a signed one."""
    reader = PdfFileReader(io.BytesIO(huizen_pdf.pdf), strict=False)
    return huizen_pdf.pdf, reader.xrefs.total_revisions - 1


def sign_field(
    name: str, extra: Callable[[Any, IncrementalPdfFileWriter], None] | None = None
) -> Callable[[IncrementalPdfFileWriter], None]:
    def change(writer: IncrementalPdfFileWriter) -> None:
        target = field(writer, name)
        target["/V"] = fake_signature(writer)
        writer.update_container(target)
        if extra is not None:
            extra(target, writer)

    return change


def test_a_later_signature_in_the_statements_field_is_allowed_and_named(
    base: tuple[bytes, int],
) -> None:
    pdf, revision = base
    signed = revise(pdf, sign_field("ondertekening-partij"))
    changes = review(signed, revision)
    assert not forbidden(changes)
    assert "later signature in the field 'ondertekening-partij'" in [c.description for c in changes]


def test_signing_a_field_may_not_move_it(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def move(target: Any, writer: IncrementalPdfFileWriter) -> None:
        widget = target["/Kids"][0].get_object()
        widget["/Rect"] = generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 595, 842)])
        writer.update_container(widget)

    changes = review(revise(pdf, sign_field("ondertekening-partij", move)), revision)
    assert any("changed beyond its signature" in t for t in forbidden(changes))


def test_a_signature_value_may_not_reuse_an_object_of_the_signed_document(
    base: tuple[bytes, int],
) -> None:
    pdf, revision = base

    def reuse(writer: IncrementalPdfFileWriter) -> None:
        target = field(writer, "ondertekening-partij")
        target["/V"] = writer.root.raw_get("/Metadata")  # an old object, posing as a value
        writer.update_container(target)

    assert any("reuses an object" in t for t in forbidden(review(revise(pdf, reuse), revision)))


def test_the_acceptance_may_not_come_before_the_party(base: tuple[bytes, int]) -> None:
    pdf, revision = base
    changes = review(revise(pdf, sign_field("instemming-coordinator")), revision)
    assert any("against the statement's order" in t for t in forbidden(changes))


def test_a_statement_field_may_not_hold_a_document_timestamp(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def stamp(writer: IncrementalPdfFileWriter) -> None:
        target = field(writer, "ondertekening-partij")
        target["/V"] = fake_signature(writer, "/DocTimeStamp")
        writer.update_container(target)

    assert any(
        "document timestamp was put into" in t
        for t in forbidden(review(revise(pdf, stamp), revision))
    )


def _new_timestamp_field(
    rect: tuple[float, ...], actions: bool = False
) -> Callable[[IncrementalPdfFileWriter], None]:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = writer.root["/Pages"]["/Kids"][0]
        values = {
            pdf_name("/FT"): pdf_name("/Sig"),
            pdf_name("/T"): generic.TextStringObject("tijdstempel-1"),
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
            pdf_name("/F"): generic.NumberObject(132),
            pdf_name("/P"): page_ref,
            pdf_name("/V"): fake_signature(writer, "/DocTimeStamp"),
        }
        if actions:
            values[pdf_name("/AA")] = generic.DictionaryObject()
        reference = writer.add_object(generic.DictionaryObject(values))
        form = writer.root["/AcroForm"]
        form["/Fields"].append(reference)
        writer.update_container(form)
        page = page_ref.get_object()
        page["/Annots"].append(reference)
        writer.update_container(page)

    return change


def test_a_document_timestamp_in_a_zero_size_field_is_allowed(base: tuple[bytes, int]) -> None:
    pdf, revision = base
    changes = review(revise(pdf, _new_timestamp_field((0, 0, 0, 0))), revision)
    assert not forbidden(changes)
    assert "document timestamp in the new field 'tijdstempel-1'" in [c.description for c in changes]


@pytest.mark.parametrize(
    ("rect", "actions", "reason"),
    [
        ((70, 600, 520, 700), False, "has a visible appearance"),
        ((0, 0, 0, 0), True, "carries actions"),
    ],
)
def test_a_document_timestamp_field_may_not_show_or_act(
    base: tuple[bytes, int], rect: tuple[float, ...], actions: bool, reason: str
) -> None:
    pdf, revision = base
    changes = review(revise(pdf, _new_timestamp_field(rect, actions)), revision)
    assert any(reason in t for t in forbidden(changes)), changes


def _timestamp_field_with(
    rect: Any, subtype: str = "/Widget"
) -> Callable[[IncrementalPdfFileWriter], None]:
    """A new field holding a (stand-in) document timestamp, its one kid as given."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = writer.root["/Pages"]["/Kids"][0]
        kid = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Annot"),
                    pdf_name("/Subtype"): pdf_name(subtype),
                    pdf_name("/Rect"): rect(writer),
                    pdf_name("/F"): generic.NumberObject(4),
                    pdf_name("/P"): page_ref,
                }
            )
        )
        reference = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/FT"): pdf_name("/Sig"),
                    pdf_name("/T"): generic.TextStringObject("tijdstempel-9"),
                    pdf_name("/V"): fake_signature(writer, "/DocTimeStamp"),
                    pdf_name("/Kids"): generic.ArrayObject([kid]),
                }
            )
        )
        form = writer.root["/AcroForm"]
        form["/Fields"].append(reference)
        writer.update_container(form)
        page = page_ref.get_object()
        page["/Annots"].append(kid)
        writer.update_container(page)

    return change


@pytest.mark.parametrize(
    ("rect", "subtype", "reason"),
    [
        # numbers behind references: readers resolve them and draw the widget
        (
            lambda w: generic.ArrayObject(
                [w.add_object(generic.FloatObject(v)) for v in (70, 600, 520, 700)]
            ),
            "/Widget",
            "has a visible appearance",
        ),
        # five numbers: MuPDF draws it, poppler does not; we count it as visible
        (
            lambda w: generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 0, 0, 700)]),
            "/Widget",
            "has a visible appearance",
        ),
        # a stamp, not a widget, hung under the timestamp field
        (
            lambda w: generic.ArrayObject([generic.FloatObject(0)] * 4),
            "/Stamp",
            "carries annotations that are not form widgets",
        ),
    ],
)
def test_a_timestamp_field_cannot_smuggle_a_visible_annotation(
    base: tuple[bytes, int], rect: Any, subtype: str, reason: str
) -> None:
    pdf, revision = base
    changes = review(revise(pdf, _timestamp_field_with(rect, subtype)), revision)
    assert any(reason in t for t in forbidden(changes)), changes


def test_a_new_signed_field_is_allowed_only_outside_a_statement(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def add(writer: IncrementalPdfFileWriter) -> None:
        _new_timestamp_field((70, 600, 520, 700))(writer)
        target = field(writer, "tijdstempel-1")
        target["/V"] = fake_signature(writer)
        writer.update_container(target)

    forged = revise(pdf, add)
    assert any("added and signed" in t for t in forbidden(review(forged, revision)))
    assert not forbidden(review(forged, revision, FOREIGN))


def test_renaming_a_field_is_a_removal_and_a_new_field(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def rename(writer: IncrementalPdfFileWriter) -> None:
        target = field(writer, "instemming-coordinator")
        target["/T"] = generic.TextStringObject("iets-anders")
        writer.update_container(target)

    reasons = forbidden(review(revise(pdf, rename), revision))
    assert "the form field 'instemming-coordinator' was removed" in reasons
    assert any("new, empty signature field 'iets-anders'" in t for t in reasons)


@pytest.mark.parametrize(
    "xmp",
    [b"<x>niet xmp</x>", b'<!DOCTYPE x [<!ENTITY a "b">]><x:xmpmeta xmlns:x="adobe:ns:meta/"/>'],
)
def test_metadata_must_stay_xmp(base: tuple[bytes, int], xmp: bytes) -> None:
    pdf, revision = base

    def replace(writer: IncrementalPdfFileWriter) -> None:
        stream = generic.StreamObject(
            {pdf_name("/Type"): pdf_name("/Metadata"), pdf_name("/Subtype"): pdf_name("/XML")},
            stream_data=xmp,
        )
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()

    assert any(
        "replaced by something unusable" in t
        for t in forbidden(review(revise(pdf, replace), revision))
    )


def test_signing_tools_may_touch_the_modification_date_and_producer(
    base: tuple[bytes, int],
) -> None:
    pdf, revision = base

    def touch(writer: IncrementalPdfFileWriter) -> None:
        info = writer.trailer["/Info"].get_object()
        info["/ModDate"] = generic.TextStringObject("D:20261130120000Z")
        info["/Producer"] = generic.TextStringObject("een ander programma")
        writer.update_container(info)

    assert not forbidden(review(revise(pdf, touch), revision))


def test_the_tagged_structure_may_not_change(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def retag(writer: IncrementalPdfFileWriter) -> None:
        tree = writer.root["/StructTreeRoot"]
        document = (
            tree["/K"][0].get_object()
            if isinstance(tree["/K"], generic.ArrayObject)
            else tree["/K"].get_object()
        )
        document["/Alt"] = generic.TextStringObject("De gemeente treedt niet toe")
        writer.update_container(document)

    assert any("tagged structure" in t for t in forbidden(review(revise(pdf, retag), revision)))


def test_a_direct_annotation_is_seen(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def add(writer: IncrementalPdfFileWriter) -> None:
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page["/Annots"].append(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Annot"),
                    pdf_name("/Subtype"): pdf_name("/Square"),
                    pdf_name("/Rect"): generic.ArrayObject(
                        [generic.FloatObject(v) for v in (0, 0, 500, 500)]
                    ),
                }
            )
        )
        writer.update_container(page)

    assert any("annotation was added" in t for t in forbidden(review(revise(pdf, add), revision)))


def test_absurd_nesting_is_refused_not_crashed(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def nest(writer: IncrementalPdfFileWriter) -> None:
        value: Any = generic.NullObject()
        for _ in range(500):  # deeper than our limit, shallower than pyHanko's writer can write
            value = generic.ArrayObject([value])
        writer.root["/Collection"] = writer.add_object(
            generic.DictionaryObject({pdf_name("/X"): value})
        )
        writer.update_root()

    reasons = forbidden(review(revise(pdf, nest), revision))
    assert reasons, "a new catalog entry must be reported"


def test_a_page_tree_that_loops_is_refused(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def loop(writer: IncrementalPdfFileWriter) -> None:
        pages = writer.root["/Pages"]
        pages["/Kids"].append(writer.root.raw_get("/Pages"))
        writer.update_container(pages)

    reasons = forbidden(review(revise(pdf, loop), revision))
    assert reasons and all(isinstance(t, str) for t in reasons)


@pytest.mark.parametrize("family", sorted(hostile.INCREMENTAL_ATTACKS))
def test_each_hostile_family_is_forbidden_on_the_unsigned_base(
    base: tuple[bytes, int], family: str
) -> None:
    """The same families, with no signatures at all: the review alone names them."""
    pdf, revision = base
    attack, reason = hostile.INCREMENTAL_ATTACKS[family]
    if family in ("signed field repainted", "chain in the metadata replaced"):
        pytest.skip("needs a signed field / is judged by the statement check, not the change list")
    assert any(reason in t for t in forbidden(review(attack(pdf), revision))), family


# --- one cache for every signature of a file (verify/changes.RevisionCache) ----------------


def _reviews(pdf: bytes, bases: list[int], shared: bool) -> list[list[Change]]:
    """Reviews from each base, in the order given, with one cache or a fresh reader each."""
    from toetreding.verify.changes import RevisionCache

    if not shared:
        return [review(pdf, b) for b in bases]
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    cache = RevisionCache(reader, min(bases))
    return [review_changes(reader, b, STATEMENT, cache) for b in bases]


def _orphan_then_adopted_then_changed(pdf: bytes) -> bytes:
    """Two unreachable objects (A refers to B), A made reachable by a later revision, then
    B rewritten: the case where a derived reference graph could miss that A leads to B."""
    refs: dict[str, Any] = {}

    def orphans(writer: IncrementalPdfFileWriter) -> None:
        refs["b"] = writer.add_object(
            generic.DictionaryObject({pdf_name("/Kind"): pdf_name("/Harmless")})
        )
        refs["a"] = writer.add_object(generic.DictionaryObject({pdf_name("/Next"): refs["b"]}))

    def adopt(writer: IncrementalPdfFileWriter) -> None:
        writer.root["/Adopted"] = generic.IndirectObject(refs["a"].idnum, 0, writer)
        writer.update_root()

    def change(writer: IncrementalPdfFileWriter) -> None:
        target = generic.IndirectObject(refs["b"].idnum, 0, writer).get_object()
        target["/Kind"] = pdf_name("/Changed")
        writer.mark_update(generic.Reference(refs["b"].idnum, 0))

    for step in (orphans, adopt, change):
        pdf = revise(pdf, step)
    return pdf


@pytest.mark.parametrize("family", sorted(hostile.INCREMENTAL_ATTACKS))
def test_a_shared_cache_sees_what_fresh_reviews_see(base: tuple[bytes, int], family: str) -> None:
    """Each attack after a legitimate party signature, reviewed from both signed
    revisions: the shared cache (the later graph derived from the earlier one) must find
    exactly what two independent reviews find, in either order of asking."""
    pdf, revision = base
    signed = revise(pdf, sign_field("ondertekening-partij"))
    attack, _reason = hostile.INCREMENTAL_ATTACKS[family]
    attacked = attack(signed)
    bases = [revision, revision + 1]
    fresh = _reviews(attacked, bases, shared=False)
    assert _reviews(attacked, bases, shared=True) == fresh
    assert _reviews(attacked, bases[::-1], shared=True) == fresh[::-1]


def test_a_shared_cache_follows_an_object_adopted_after_the_first_signature(
    base: tuple[bytes, int],
) -> None:
    pdf, revision = base
    attacked = _orphan_then_adopted_then_changed(pdf)
    bases = [revision, revision + 1, revision + 2]
    fresh = _reviews(attacked, bases, shared=False)
    # from the revision that adopted it, the rewrite of the adopted object must be seen
    assert forbidden(fresh[2]), fresh[2]
    assert _reviews(attacked, bases, shared=True) == fresh
    assert _reviews(attacked, bases[::-1], shared=True) == fresh[::-1]


# --- the document security store may grow, not be rewritten ---------------------------------


def _with_dss(writer: IncrementalPdfFileWriter) -> None:
    certs = [
        writer.add_object(generic.StreamObject(stream_data=f"certificate {n}".encode()))
        for n in range(2)
    ]
    record = generic.DictionaryObject({pdf_name("/Cert"): generic.ArrayObject([certs[0]])})
    store = generic.DictionaryObject(
        {
            pdf_name("/Certs"): generic.ArrayObject(certs),
            pdf_name("/VRI"): generic.DictionaryObject({pdf_name("/ABCDEF"): record}),
        }
    )
    writer.root["/DSS"] = writer.add_object(store)
    writer.update_root()


def _store(writer: IncrementalPdfFileWriter) -> Any:
    return writer.root["/DSS"]


def _grow(writer: IncrementalPdfFileWriter) -> None:
    store = _store(writer)
    store["/Certs"].append(writer.add_object(generic.StreamObject(stream_data=b"another")))
    store["/VRI"]["/012345"] = generic.DictionaryObject()
    writer.update_container(store)


def _drop_one_certificate(writer: IncrementalPdfFileWriter) -> None:
    store = _store(writer)
    del store["/Certs"][1]
    writer.update_container(store)


def _drop_records(writer: IncrementalPdfFileWriter) -> None:
    store = _store(writer)
    del store["/VRI"]
    writer.update_container(store)


def _change_a_record(writer: IncrementalPdfFileWriter) -> None:
    store = _store(writer)
    store["/VRI"]["/ABCDEF"]["/TU"] = generic.pdf_date(__import__("datetime").datetime(2020, 1, 1))
    writer.update_container(store)


def _replace_a_certificate(writer: IncrementalPdfFileWriter) -> None:
    stream = _store(writer)["/Certs"][0]  # resolved: the stream object itself
    stream._data = stream._encoded_data = b"a forged certificate"
    writer.update_container(stream)


def _drop_the_store(writer: IncrementalPdfFileWriter) -> None:
    del writer.root["/DSS"]
    writer.update_root()


def _unexpected_entry(writer: IncrementalPdfFileWriter) -> None:
    store = _store(writer)
    store["/JS"] = generic.TextStringObject("app.alert(1)")
    writer.update_container(store)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_grow, None),
        (_drop_one_certificate, None),  # PAdES allows dropping what is no longer needed
        (_replace_a_certificate, "(/Certs) was replaced"),
        (_drop_records, "validation record (/VRI)"),
        (_change_a_record, "validation record (/VRI)"),
        (_drop_the_store, "validation data (/DSS) was removed"),
        (_unexpected_entry, "unexpected entries: /JS"),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_the_document_security_store_may_grow_not_be_rewritten(
    base: tuple[bytes, int],
    change: Callable[[IncrementalPdfFileWriter], None],
    expected: str | None,
) -> None:
    pdf, _revision = base
    with_store = revise(pdf, _with_dss)
    signed = PdfFileReader(io.BytesIO(with_store), strict=False).xrefs.total_revisions - 1
    found = review(revise(with_store, change), signed)
    if expected is None:
        assert not forbidden(found), forbidden(found)
        assert any("validation data was added" in c.description for c in found)
    else:
        assert any(expected in text for text in forbidden(found)), forbidden(found)


# --- a document timestamp's field may show nothing ---------------------------------------


def _timestamp_field(
    rect: list[bytes],
    appearance: bytes | None,
    caption: bool = False,
    stream_entries: dict[str, generic.PdfObject] | None = None,
) -> Any:
    """A new document-timestamp field on page 1 with a widget at ``rect`` (numbers as
    written; one in parentheses is written as a string) and, if given, an appearance stream
    whose data is ``appearance`` as stored, with ``stream_entries`` in its dictionary."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        widget = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/FT"): pdf_name("/Sig"),
                pdf_name("/T"): generic.TextStringObject("tijdstempel-x"),
                pdf_name("/F"): generic.NumberObject(4),
                pdf_name("/P"): writer.root["/Pages"]["/Kids"].raw_get(0),
                pdf_name("/V"): fake_signature(writer, "/DocTimeStamp"),
                pdf_name("/Rect"): generic.ArrayObject(
                    [
                        generic.TextStringObject(value.decode().strip("()"))
                        if value.startswith(b"(")
                        else generic.FloatObject(value.decode())
                        for value in rect
                    ]
                ),
            }
        )
        if appearance is not None:
            stream = generic.StreamObject(
                {
                    pdf_name("/Type"): pdf_name("/XObject"),
                    pdf_name("/Subtype"): pdf_name("/Form"),
                    pdf_name("/BBox"): generic.ArrayObject(
                        [generic.FloatObject(v) for v in (0, 0, 595, 842)]
                    ),
                    **{pdf_name(k): v for k, v in (stream_entries or {}).items()},
                },
                stream_data=appearance,
            )
            widget[pdf_name("/AP")] = generic.DictionaryObject(
                {pdf_name("/N"): writer.add_object(stream)}
            )
        if caption:
            widget[pdf_name("/MK")] = generic.DictionaryObject(
                {pdf_name("/CA"): generic.TextStringObject("VERVALST")}
            )
        reference = writer.add_object(widget)
        annotations = page.get("/Annots", generic.ArrayObject())
        annotations.append(reference)
        page[pdf_name("/Annots")] = annotations
        writer.update_container(page)
        form = writer.root["/AcroForm"]
        form["/Fields"].append(reference)
        writer.update_container(form)

    return change


FORGED_LINE = b"BT /Helv 14 Tf 72 760 Td (VERVALST: de gemeente treedt NIET toe) Tj ET"


@pytest.mark.parametrize(
    ("case", "rect", "appearance", "caption"),
    [
        (
            "a height of 1e-20, which a float rounds to zero",
            [b"100", b"400", b"300", b"399.99999999999999999999"],
            FORGED_LINE,
            False,
        ),
        (
            "a zero rectangle with text in its appearance",
            [b"0", b"0", b"0", b"0"],
            FORGED_LINE,
            False,
        ),
        ("a zero rectangle with a caption", [b"0", b"0", b"0", b"0"], None, True),
    ],
)
def test_a_document_timestamp_field_that_could_show_anything_is_refused(
    base: tuple[bytes, int], case: str, rect: list[bytes], appearance: bytes | None, caption: bool
) -> None:
    """pdftotext extracts an appearance's text whatever the rectangle (poppler drew one on
    a rectangle a float took for empty, under PASSED): only a field with nothing to draw
    counts as invisible."""
    pdf, revision = base
    found = forbidden(review(revise(pdf, _timestamp_field(rect, appearance, caption)), revision))
    assert any("visible appearance" in t for t in found), (case, found)


# "\r" first: its ASCII85 form starts with "%", a comment to a reader that ignores /F
HIDDEN_DRAWING = base64.a85encode(b"\r" + FORGED_LINE)
TO_PYHANKO_A_COMMENT = [
    ("/F names the filter (pyHanko: an external file)", HIDDEN_DRAWING, {"/F": "/ASCII85Decode"}),
    (
        "/F as a filter array",
        HIDDEN_DRAWING,
        {"/F": generic.ArrayObject([pdf_name("/ASCII85Decode")])},
    ),
    ("/DP beside the comment", b"% DSBlank\n", {"/DP": generic.DictionaryObject()}),
    ("/FFilter (an external file's filter)", b"% DSBlank\n", {"/FFilter": "/FlateDecode"}),
    (
        "a filter other than Flate (written encoded by pyHanko)",
        b"% DSBlank\n",
        {"/Filter": "/ASCII85Decode"},
    ),
]


@pytest.mark.parametrize(
    ("case", "appearance", "entries"),
    TO_PYHANKO_A_COMMENT,
    ids=[c[0] for c in TO_PYHANKO_A_COMMENT],
)
def test_a_timestamp_appearance_readers_decode_differently_counts_as_visible(
    base: tuple[bytes, int], case: str, appearance: bytes, entries: dict[str, Any]
) -> None:
    """A zero-size widget whose appearance pyHanko reads as a comment while poppler decodes
    it with /F (the short name of /Filter) and draws it: with a rectangle that poppler reads
    otherwise (next test) that drew a forged clause over page 1 under PASSED."""
    pdf, revision = base
    stream_entries = {k: pdf_name(v) if isinstance(v, str) else v for k, v in entries.items()}
    change = _timestamp_field([b"0"] * 4, appearance, stream_entries=stream_entries)
    found = forbidden(review(revise(pdf, change), revision))
    assert any("visible appearance" in t for t in found), (case, found)


@pytest.mark.parametrize(
    "rect",
    [
        [b"0", b"842", b"595", b"(842)"],  # poppler reads a string as 1: the whole page
        [b"(0)", b"(0)", b"(0)", b"(0)"],
        [b"0", b"0", b"0", b"(0)"],
    ],
)
def test_a_timestamp_rectangle_with_a_string_counts_as_visible(
    base: tuple[bytes, int], rect: list[bytes]
) -> None:
    """A /Rect entry written as a string: our arithmetic and pyHanko read it as its digits,
    poppler as 1, so "zero height" is a full page to a viewer."""
    pdf, revision = base
    change = _timestamp_field(rect, b"% DSBlank\n")
    found = forbidden(review(revise(pdf, change), revision))
    assert any("visible appearance" in t for t in found), (rect, found)


@pytest.mark.parametrize(
    ("appearance", "entries"),
    [
        (None, {}),
        (b"", {}),
        (b"% DSBlank\n", {}),
        (b"% DSBlank\n", {"/Filter": pdf_name("/FlateDecode")}),  # compressed on writing
    ],
)
def test_an_invisible_document_timestamp_field_stays_allowed(
    base: tuple[bytes, int], appearance: bytes | None, entries: dict[str, Any]
) -> None:
    """No appearance, an empty one, or only a comment (as Acrobat writes, also compressed)
    draws nothing."""
    pdf, revision = base
    change = _timestamp_field([b"0"] * 4, appearance, stream_entries=entries)
    changes = review(revise(pdf, change), revision)
    assert not forbidden(changes), forbidden(changes)
    assert any("document timestamp in the new field" in c.description for c in changes)


def _relisted_through_a_nameless_parent(writer: IncrementalPdfFileWriter) -> None:
    """A signed field listed again under a parent without /T (so with the same name), and
    a new visible field named as the old review renamed a duplicate: found in review, the
    new field went unjudged under PASSED."""
    form = writer.root["/AcroForm"]
    fields = form["/Fields"]
    signed = next(r for r in fields if str(r.get_object().get("/T")) == "ondertekening-partij")
    parent = writer.add_object(
        generic.DictionaryObject({pdf_name("/Kids"): generic.ArrayObject([signed])})
    )
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    overlay = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/FT"): pdf_name("/Sig"),
                pdf_name("/T"): generic.TextStringObject(
                    f"ondertekening-partij (#{len(fields) + 1})"
                ),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (50, 600, 550, 760)]
                ),
                pdf_name("/P"): page_ref,
            }
        )
    )
    fields.append(overlay)
    fields.append(parent)
    writer.update_container(form)
    page = page_ref.get_object()
    page["/Annots"].append(overlay)
    writer.update_container(page)


def _field_named_twice(writer: IncrementalPdfFileWriter) -> None:
    form = writer.root["/AcroForm"]
    copy = generic.DictionaryObject(
        {
            pdf_name("/FT"): pdf_name("/Sig"),
            pdf_name("/T"): generic.TextStringObject("instemming-coordinator"),
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(0)] * 4),
        }
    )
    form["/Fields"].append(writer.add_object(copy))
    writer.update_container(form)


def _field_not_an_object(writer: IncrementalPdfFileWriter) -> None:
    form = writer.root["/AcroForm"]
    form["/Fields"].append(
        generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): generic.TextStringObject("direct"),
                pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(0)] * 4),
            }
        )
    )
    writer.update_container(form)


def _field_not_a_dictionary(writer: IncrementalPdfFileWriter) -> None:
    form = writer.root["/AcroForm"]
    form["/Fields"].append(writer.add_object(generic.NumberObject(7)))
    writer.update_container(form)


FORM_TREE_CASES = {
    "a signed field listed again through a parent without a name": (
        _relisted_through_a_nameless_parent,
        "lists one field more than once",
    ),
    "two fields with one name": (_field_named_twice, "two form fields have the same name"),
    "a field written into /Fields directly": (_field_not_an_object, "not an object"),
    "a field that is a number": (_field_not_a_dictionary, "not a dictionary"),
}


@pytest.mark.parametrize("case", sorted(FORM_TREE_CASES))
def test_a_form_tree_read_two_ways_is_refused(base: tuple[bytes, int], case: str) -> None:
    """Each field dictionary is judged once, under one name of its own: a field reached
    twice, or two fields sharing a name, would let one be judged in the other's place."""
    pdf, revision = base
    change, reason = FORM_TREE_CASES[case]
    found = forbidden(review(revise(pdf, change), revision))
    assert any(reason in t for t in found), (case, found)


@pytest.mark.parametrize(
    "entries",
    [
        {"/F": pdf_name("/ASCIIHexDecode")},
        {"/DP": generic.DictionaryObject()},
        {"/Filter": pdf_name("/ASCIIHexDecode")},
    ],
)
def test_metadata_readers_decode_differently_is_refused(
    base: tuple[bytes, int], entries: dict[str, Any]
) -> None:
    """The same XMP packet in a new stream that pyHanko reads as plain XML and poppler
    decodes with /F first: each would read other metadata (and other statement data)."""
    pdf, revision = base

    def change(writer: IncrementalPdfFileWriter) -> None:
        packet = writer.root["/Metadata"].get_object().data
        stream = generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/Metadata"),
                pdf_name("/Subtype"): pdf_name("/XML"),
                **{pdf_name(k): v for k, v in entries.items()},
            },
            stream_data=packet,
        )
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()

    found = forbidden(review(revise(pdf, change), revision))
    assert any("decoded alike by every reader" in t for t in found), found


def test_the_same_metadata_in_a_new_plain_stream_stays_allowed(base: tuple[bytes, int]) -> None:
    pdf, revision = base

    def change(writer: IncrementalPdfFileWriter) -> None:
        packet = writer.root["/Metadata"].get_object().data
        stream = generic.StreamObject(
            {pdf_name("/Type"): pdf_name("/Metadata"), pdf_name("/Subtype"): pdf_name("/XML")},
            stream_data=packet,
        )
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()

    assert not forbidden(review(revise(pdf, change), revision))


def _metadata_edited(edit: Callable[[bytes], bytes]) -> Callable[[IncrementalPdfFileWriter], None]:
    def change(writer: IncrementalPdfFileWriter) -> None:
        packet = edit(writer.root["/Metadata"].get_object().data)
        stream = generic.StreamObject(
            {pdf_name("/Type"): pdf_name("/Metadata"), pdf_name("/Subtype"): pdf_name("/XML")},
            stream_data=packet,
        )
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()

    return change


SECOND_TITLE = (
    b'<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" rdf:about=""><dc:title><rdf:Alt>'
    b'<rdf:li xml:lang="x-default">VERVALLEN</rdf:li></rdf:Alt></dc:title></rdf:Description>'
)


@pytest.mark.parametrize(
    "edit",
    [
        # a description beside rdf:RDF: lenient readers (exiftool) show its title
        lambda packet: packet.replace(b"</rdf:RDF>", b"</rdf:RDF>" + SECOND_TITLE, 1),
        # a typed node inside rdf:RDF
        lambda packet: packet.replace(
            b"</rdf:RDF>",
            SECOND_TITLE.replace(b"rdf:Description", b"dc:Node").replace(
                b"<dc:Node ", b'<dc:Node xmlns:dc="http://purl.org/dc/elements/1.1/" ', 1
            )
            + b"</rdf:RDF>",
            1,
        ),
    ],
    ids=["a description beside the RDF", "a typed node"],
)
def test_metadata_with_properties_outside_its_descriptions_is_refused(
    base: tuple[bytes, int], edit: Callable[[bytes], bytes]
) -> None:
    pdf, revision = base
    found = forbidden(review(revise(pdf, _metadata_edited(edit)), revision))
    assert any("XMP metadata was replaced by something unusable" in t for t in found), found


def test_a_title_rewritten_in_an_encoding_not_every_reader_knows_is_a_change(
    base: tuple[bytes, int],
) -> None:
    """The same title as UTF-8 with a byte-order mark (PDF 2.0): pyHanko reads the same
    text, poppler shows 'ï»¿…' (found in review)."""
    pdf, revision = base

    def change(writer: IncrementalPdfFileWriter) -> None:
        info = writer.trailer["/Info"].get_object()
        title = str(info["/Title"])
        info["/Title"] = generic.ByteStringObject(b"\xef\xbb\xbf" + title.encode("utf-8"))
        writer.update_container(info)

    found = forbidden(review(revise(pdf, change), revision))
    assert any("/Title" in t or "document information" in t for t in found), found


def _store_with(extra: dict[str, Any]) -> Callable[[IncrementalPdfFileWriter], None]:
    """A document security store added with one 'certificate' whose dictionary holds
    ``extra`` (references made to a new object on the writer)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        entries = {pdf_name(k): v(writer) for k, v in extra.items()}
        certificate = writer.add_object(generic.StreamObject(entries, stream_data=b"0\x82"))
        store = generic.DictionaryObject({pdf_name("/Certs"): generic.ArrayObject([certificate])})
        writer.root["/DSS"] = writer.add_object(store)
        writer.update_root()

    return change


def test_validation_data_that_refers_to_other_objects_is_refused(base: tuple[bytes, int]) -> None:
    """Found in review: a new 'certificate' carrying `/X 200 0 R` made a forged catalog an
    object in use, which a second /Root in the trailer then showed to viewers."""
    pdf, revision = base
    hidden = _store_with(
        {
            "/X": lambda w: w.add_object(
                generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Catalog")})
            )
        }
    )
    found = forbidden(review(revise(pdf, hidden), revision))
    assert any("carries more than data" in t for t in found), found
    odd_key = _store_with({"/Subtype": lambda w: pdf_name("/Anything")})
    assert any(
        "carries more than data" in t for t in forbidden(review(revise(pdf, odd_key), revision))
    )


def test_plain_validation_data_stays_allowed(base: tuple[bytes, int]) -> None:
    pdf, revision = base
    changes = review(revise(pdf, _store_with({})), revision)
    assert not forbidden(changes), forbidden(changes)
    assert any("validation data was added" in c.description for c in changes)


def test_a_producer_that_is_not_text_is_refused(base: tuple[bytes, int]) -> None:
    """/Producer and /ModDate may change with signing, as text: a reference there made a
    forged catalog an object in use (found in review)."""
    pdf, revision = base

    def change(writer: IncrementalPdfFileWriter) -> None:
        info = writer.trailer["/Info"].get_object()
        info["/Producer"] = writer.add_object(generic.DictionaryObject())
        writer.update_container(info)

    found = forbidden(review(revise(pdf, change), revision))
    assert any("/Producer is no longer a plain text" in t for t in found), found
