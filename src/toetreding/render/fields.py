"""Empty signature fields, added right after typesetting and tagged for PDF/UA.

Typst writes no form fields, so the fields the template placed are added here, in one
incremental update on top of Typst's bytes:

- one signature field per signatory, at the rectangle the template reserved, so the
  signing step only fills a field (it never has to guess where a signature fits);
- each widget printable and not hidden (PDF/A-2), with an empty appearance stream;
- each widget tagged: a ``/Form`` structure element holding an object reference to the
  widget, ``/StructParent`` on the widget and the matching ParentTree entry, ``/TU``
  with a readable name on the field and ``/Tabs /S`` on its page (PDF/UA-1 7.18).

The field objects are built here with pyHanko's PDF object layer only: importing its
signing package would cost a cold `toetreding render` 0.4 s for a few dictionaries.

The update is made deterministic: document metadata is left exactly as Typst wrote it
(it describes the document, which this step does not change) and the trailer ID is
derived from the input, so the same input always yields the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from ..errors import RenderError
from .typesetter import FieldPlacement


class _FieldWriter(IncrementalPdfFileWriter):
    """Incremental writer that leaves metadata alone and derives the trailer ID from the input."""

    def __init__(self, original: bytes) -> None:
        super().__init__(BytesIO(original))
        first_id = self._document_id[0]
        second_id = generic.ByteStringObject(hashlib.sha256(original).digest()[:16])
        self._document_id = generic.ArrayObject([first_id, second_id])

    def _update_meta(self) -> None:
        """Keep Info and XMP exactly as typeset: adding empty fields is part of producing it."""


def add_signature_fields(pdf: bytes, placements: Sequence[FieldPlacement]) -> bytes:
    """Return ``pdf`` with a tagged, empty signature field at every placement."""
    if not placements:
        return pdf
    names = [p.name for p in placements]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise RenderError(
            f"the template places signature field(s) {', '.join(duplicates)} more than once",
            hint="give every sigfield(...) call in the template its own name",
        )
    writer = _FieldWriter(pdf)
    for placement in placements:
        _add_field(writer, placement)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


_PRINT = 4
_LOCKED = 128


def _add_field(writer: _FieldWriter, placement: FieldPlacement) -> None:
    page_index = placement.page - 1
    page_ref = writer.find_page_for_modification(page_index)[0]
    page = page_ref.get_object()
    page_top = float(page["/MediaBox"][3])
    width, height = round(placement.width, 2), round(placement.height, 2)
    left, top = round(placement.x, 2), round(page_top - placement.y, 2)
    rect = [left, round(top - height, 2), round(left + width, 2), top]

    appearance = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                [
                    generic.FloatObject(0),
                    generic.FloatObject(0),
                    generic.FloatObject(width),
                    generic.FloatObject(height),
                ]
            ),
            pdf_name("/Resources"): generic.DictionaryObject(),
        },
        stream_data=b"",
    )
    # one dictionary that is both the field and its widget, as signing tools expect
    field = generic.DictionaryObject(
        {
            pdf_name("/FT"): pdf_name("/Sig"),
            pdf_name("/T"): generic.TextStringObject(placement.name),
            pdf_name("/TU"): generic.TextStringObject(placement.label),
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/F"): generic.NumberObject(_PRINT | _LOCKED),
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
            pdf_name("/P"): page_ref,
            pdf_name("/AP"): generic.DictionaryObject(
                {pdf_name("/N"): writer.add_object(appearance)}
            ),
        }
    )
    field_ref = writer.add_object(field)
    _register_in_acroform(writer, field_ref)
    annotations = page.get("/Annots")
    if annotations is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([field_ref])
    else:
        annotations = annotations.get_object()
        annotations.append(field_ref)
        if isinstance(page.raw_get("/Annots"), generic.IndirectObject):
            writer.update_container(annotations)
    writer.update_container(page)
    _tag_widget(writer, field_ref, page_ref, placement.label)


def _register_in_acroform(writer: _FieldWriter, field_ref: generic.IndirectObject) -> None:
    root = writer.root
    form = root.get("/AcroForm")
    if form is None:
        form = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    else:
        form = form.get_object()
    fields = form["/Fields"]
    for existing in fields:
        if existing.get_object().get("/T") == field_ref.get_object()["/T"]:
            raise RenderError(f"the PDF already has a field named {field_ref.get_object()['/T']!r}")
    fields.append(field_ref)
    form[pdf_name("/SigFlags")] = generic.NumberObject(1)  # SignaturesExist
    writer.update_container(form)


def _reading_position(
    writer: _FieldWriter, kids: generic.ArrayObject, page_ref: generic.IndirectObject
) -> int:
    """Index in the Document element where the field belongs in reading order.

    Right after the content of its own page: before the first top-level element that
    starts on a later page (for our templates, before the annex), else at the end.
    """
    page_numbers = {
        writer.find_page_for_modification(index)[0].idnum: index
        for index in range(int(writer.root["/Pages"]["/Count"]))
    }
    field_page = page_numbers[page_ref.idnum]
    for position, kid in enumerate(kids):
        element = kid.get_object() if isinstance(kid, generic.IndirectObject) else kid
        if not isinstance(element, generic.DictionaryObject):
            continue
        element_page = element.raw_get("/Pg") if "/Pg" in element else None
        if (
            isinstance(element_page, generic.IndirectObject)
            and page_numbers.get(element_page.idnum, -1) > field_page
        ):
            return position
    return len(kids)


def _tag_widget(
    writer: _FieldWriter,
    widget_ref: generic.IndirectObject,
    page_ref: generic.IndirectObject,
    label: str,
) -> None:
    root = writer.root
    tree_root = root.get("/StructTreeRoot")
    if tree_root is None:
        raise RenderError("internal: the typeset PDF has no structure tree to tag fields in")
    tree_root = tree_root.get_object()
    document_ref = tree_root["/K"][0] if isinstance(tree_root["/K"], list) else tree_root["/K"]
    document_elem = document_ref.get_object()

    form_elem = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/StructElem"),
            pdf_name("/S"): pdf_name("/Form"),
            pdf_name("/P"): document_ref,
            pdf_name("/Pg"): page_ref,
            pdf_name("/Alt"): generic.TextStringObject(label),
            pdf_name("/K"): generic.ArrayObject(
                [
                    generic.DictionaryObject(
                        {
                            pdf_name("/Type"): pdf_name("/OBJR"),
                            pdf_name("/Obj"): widget_ref,
                            pdf_name("/Pg"): page_ref,
                        }
                    )
                ]
            ),
        }
    )
    form_ref = writer.add_object(form_elem)

    kids = document_elem["/K"]
    if not isinstance(kids, generic.ArrayObject):
        kids = generic.ArrayObject([kids])
        document_elem[pdf_name("/K")] = kids
    kids.insert(_reading_position(writer, kids, page_ref), form_ref)
    writer.update_container(document_elem)

    key = int(tree_root.get("/ParentTreeNextKey", 0))
    parent_tree = tree_root["/ParentTree"].get_object()
    if "/Nums" not in parent_tree:
        raise RenderError("internal: unexpected structure ParentTree layout (no /Nums)")
    parent_tree["/Nums"].extend([generic.NumberObject(key), form_ref])
    writer.update_container(parent_tree)
    tree_root[pdf_name("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.update_container(tree_root)

    widget = widget_ref.get_object()
    widget[pdf_name("/StructParent")] = generic.NumberObject(key)
    writer.update_container(widget)

    page = page_ref.get_object()
    if page.get("/Tabs") != "/S":
        page[pdf_name("/Tabs")] = pdf_name("/S")
        writer.update_container(page)
