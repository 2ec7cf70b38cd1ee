"""Our one addition to pyHanko's difference rules (verify/diffpolicy.py), tried as an attacker.

Statements signed before fields were split into a field and a widget have *merged* signature
fields that the structure tree refers to. Signing the second one updates an object the
structure tree reaches, which pyHanko's default policy calls unexplained; the extra rule
clears exactly the structure-tree paths to a widget *that revision signs*. These tests show
the rule is needed, and that it clears nothing else.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, SuspiciousModification

from toetreding.render import RenderedStatement
from toetreding.verify.diffpolicy import STATEMENT_DIFF_POLICY

from .support.hostile import _update


def _fields(writer: IncrementalPdfFileWriter) -> list[Any]:
    return [ref.get_object() for ref in writer.root["/AcroForm"]["/Fields"]]


def merge_fields(writer: IncrementalPdfFileWriter) -> None:
    """Rewrite each field + widget pair as one merged field/widget (the older layout)."""
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    annotations = list(page["/Annots"])
    for field_ref in writer.root["/AcroForm"]["/Fields"]:
        field = field_ref.get_object()
        widget_ref = field.raw_get("/Kids").raw_get(0)
        widget = widget_ref.get_object()
        for key in ("/Type", "/Subtype", "/F", "/Rect", "/P", "/AP", "/StructParent"):
            field[pdf_name(key)] = widget.raw_get(key)
        del field["/Kids"]
        writer.update_container(field)
        annotations = [field_ref if a.idnum == widget_ref.idnum else a for a in annotations]
        key = int(widget["/StructParent"])
        nums = writer.root["/StructTreeRoot"]["/ParentTree"]["/Nums"]
        form = nums[list(nums).index(key) + 1].get_object()
        form["/K"][0][pdf_name("/Obj")] = field_ref
        writer.update_container(form)
    page["/Annots"] = generic.ArrayObject(annotations)
    writer.update_container(page)


def sign_merged(
    name: str, also: Callable[[IncrementalPdfFileWriter], None] | None = None
) -> Callable[[IncrementalPdfFileWriter], None]:
    """Fill a merged field as a signer does: a new value and a new appearance."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        field = next(f for f in _fields(writer) if str(f["/T"]) == name)
        field["/V"] = writer.add_object(
            generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Sig")})
        )
        appearance = generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(
                    [generic.NumberObject(0)] * 2 + [generic.NumberObject(10)] * 2
                ),
            },
            stream_data=b"0 g 0 0 10 10 re f",
        )
        field["/AP"] = generic.DictionaryObject({pdf_name("/N"): writer.add_object(appearance)})
        writer.update_container(field)
        if also is not None:
            also(writer)

    return change


@pytest.fixture(scope="module")
def legacy(huizen_pdf: RenderedStatement) -> tuple[bytes, int]:
    """A statement with merged fields whose party field is (as if) signed."""
    merged = _update(huizen_pdf.pdf, merge_fields)
    party_signed = _update(merged, sign_merged("ondertekening-partij"))
    revisions = PdfFileReader(io.BytesIO(party_signed)).xrefs.total_revisions
    return party_signed, revisions - 1


def review(pdf: bytes, base: int, policy: Any) -> Any:
    return policy.review_file(PdfFileReader(io.BytesIO(pdf), strict=False), base)


def test_signing_a_tagged_merged_field_needs_the_rule(legacy: tuple[bytes, int]) -> None:
    pdf, base = legacy
    accepted = _update(pdf, sign_merged("instemming-coordinator"))
    assert isinstance(review(accepted, base, DEFAULT_DIFF_POLICY), SuspiciousModification)
    assert not isinstance(review(accepted, base, STATEMENT_DIFF_POLICY), SuspiciousModification)


def test_the_rule_does_not_clear_another_tagged_widget(legacy: tuple[bytes, int]) -> None:
    """Signing one field may not be used to repaint another (signed) tagged field."""
    pdf, base = legacy

    def repaint_party(writer: IncrementalPdfFileWriter) -> None:
        party = next(f for f in _fields(writer) if str(f["/T"]) == "ondertekening-partij")
        party["/F"] = generic.NumberObject(2)
        writer.update_container(party)

    forged = _update(pdf, sign_merged("instemming-coordinator", repaint_party))
    assert isinstance(review(forged, base, STATEMENT_DIFF_POLICY), SuspiciousModification)


def test_the_rule_does_not_clear_a_widget_changed_without_signing(
    legacy: tuple[bytes, int],
) -> None:
    pdf, base = legacy

    def move(writer: IncrementalPdfFileWriter) -> None:
        field = next(f for f in _fields(writer) if str(f["/T"]) == "instemming-coordinator")
        field["/Rect"] = generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 595, 842)])
        writer.update_container(field)

    assert isinstance(
        review(_update(pdf, move), base, STATEMENT_DIFF_POLICY), SuspiciousModification
    )


def test_the_rule_does_not_clear_changes_to_the_structure_tree(legacy: tuple[bytes, int]) -> None:
    pdf, base = legacy

    def retag(writer: IncrementalPdfFileWriter) -> None:
        field = next(f for f in _fields(writer) if str(f["/T"]) == "instemming-coordinator")
        nums = writer.root["/StructTreeRoot"]["/ParentTree"]["/Nums"]
        form = nums[list(nums).index(int(field["/StructParent"])) + 1].get_object()
        form["/Alt"] = generic.TextStringObject("De gemeente treedt niet toe")
        writer.update_container(form)

    forged = _update(pdf, sign_merged("instemming-coordinator", retag))
    assert isinstance(review(forged, base, STATEMENT_DIFF_POLICY), SuspiciousModification)
