"""Empty signature fields, added right after typesetting and tagged for PDF/UA.

Typst writes no form fields, so the fields the template placed are added here, in one
incremental update on top of Typst's bytes (see :mod:`.pdfupdate`):

- one signature field per signatory, at the rectangle the template reserved, so the
  signing step only fills a field (it never has to guess where a signature fits);
- each widget printable and not hidden (PDF/A-2), with an empty appearance stream;
- each widget tagged: a ``/Form`` structure element holding an object reference to the
  widget, ``/StructParent`` on the widget and the matching ParentTree entry, ``/TU``
  with a readable name on the field and ``/Tabs /S`` on its page (PDF/UA-1 7.18).

The update is deterministic: document metadata stays exactly as Typst wrote it (adding
empty fields is part of producing the document) and the second trailer ID is derived from
the input, so the same input always yields the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from ..errors import RenderError
from ..i18n import _, ngettext
from ..pdfsyntax import PdfArray, PdfDict, Raw, Ref, name, number, text_string
from .pdfupdate import IncrementalUpdate, Stream
from .typesetter import FieldPlacement

_PRINT = 4
_LOCKED = 128


def add_signature_fields(
    pdf: bytes,
    placements: Sequence[FieldPlacement],
    metadata: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """Return ``pdf`` with a tagged, empty signature field at every placement.

    ``metadata``, if given, rewrites the XMP packet in the same update (render uses it to
    embed the statement's data and chain of authority).
    """
    if not placements and metadata is None:
        return pdf
    names = [p.name for p in placements]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise RenderError(
            ngettext(
                "the template places signature field(s) {fields} more than once",
                "the template places signature field(s) {fields} more than once",
                len(duplicates),
            ).format(fields=", ".join(duplicates)),
            hint=_("give every sigfield(...) call in the template its own name"),
        )
    update = IncrementalUpdate(pdf)
    pages = update.pages()
    root_ref = _ref(update.trailer[b"/Root"])
    root = update.get(root_ref)
    form = PdfDict({b"/Fields": PdfArray(), b"/SigFlags": number(1)})  # SignaturesExist
    root[b"/AcroForm"] = update.add(form)
    if metadata is not None:
        metadata_ref = _ref(root[b"/Metadata"])
        xmp = metadata(update.stream_data(metadata_ref))
        root[b"/Metadata"] = update.add(
            Stream(PdfDict({b"/Type": name("Metadata"), b"/Subtype": name("XML")}), xmp)
        )
    update.put(root_ref, root)
    for placement in placements:
        if not 1 <= placement.page <= len(pages):
            raise RenderError(
                _("internal: field {name} on page {page}?").format(
                    name=repr(placement.name), page=placement.page
                )
            )
        field_ref, widget_ref = _add_field(update, pages[placement.page - 1], placement)
        fields = form[b"/Fields"]
        assert isinstance(fields, PdfArray)
        fields.append(field_ref)
        _tag_widget(update, pages, widget_ref, pages[placement.page - 1], placement.label)
    first_id = update.trailer[b"/ID"]
    assert isinstance(first_id, PdfArray)
    second = Raw(b"<" + hashlib.sha256(pdf).hexdigest()[:32].upper().encode() + b">")
    return update.write(PdfArray([first_id[0], second]))


def _ref(value: object) -> Ref:
    if not isinstance(value, Ref):
        raise RenderError(_("internal: expected an indirect reference"))
    return value


def _add_field(
    update: IncrementalUpdate, page_ref: Ref, placement: FieldPlacement
) -> tuple[Ref, Ref]:
    page = update.get(page_ref)
    media_box = page[b"/MediaBox"]
    assert isinstance(media_box, PdfArray)
    page_top = float(update.leaf(media_box[3]))
    left, top = placement.x, page_top - placement.y
    rect = [left, top - placement.height, left + placement.width, top]
    appearance = Stream(
        PdfDict(
            {
                b"/Type": name("XObject"),
                b"/Subtype": name("Form"),
                b"/BBox": PdfArray(
                    [number(0), number(0), number(placement.width), number(placement.height)]
                ),
                b"/Resources": PdfDict(),
            }
        ),
        b"",
    )
    # The field and its widget are separate objects. The structure tree refers to the
    # widget only, so when a signature fills the field (/V on the field) no object that the
    # structure tree reaches gets a new value; EU DSS calls such changes "undefined". The
    # widget, the field's only kid, has no /Parent (ISO 32000-2 Table 191 makes it
    # optional for a single widget): with one, poppler 22 (Evince, Okular, pdfsig) reads
    # the widget as a field of its own and shows the signature as "not signed".
    field_ref = update.add(
        PdfDict(
            {
                b"/FT": name("Sig"),
                b"/T": text_string(placement.name),
                b"/TU": text_string(placement.label),
            }
        )
    )
    widget_ref = update.add(
        PdfDict(
            {
                b"/Type": name("Annot"),
                b"/Subtype": name("Widget"),
                b"/F": number(_PRINT | _LOCKED),
                b"/Rect": PdfArray([number(round(v, 2)) for v in rect]),
                b"/P": page_ref,
                b"/AP": PdfDict({b"/N": update.add(appearance)}),
            }
        )
    )
    field = update.get(field_ref)
    field[b"/Kids"] = PdfArray([widget_ref])
    update.put(field_ref, field)
    annotations = page.get(b"/Annots", PdfArray())
    if not isinstance(annotations, PdfArray):
        raise RenderError(_("internal: indirect /Annots arrays are not supported here"))
    page[b"/Annots"] = PdfArray([*annotations, widget_ref])
    page[b"/Tabs"] = name("S")
    update.put(page_ref, page)
    return field_ref, widget_ref


def _tag_widget(
    update: IncrementalUpdate, pages: list[Ref], widget_ref: Ref, page_ref: Ref, label: str
) -> None:
    root = update.get(_ref(update.trailer[b"/Root"]))
    tree_ref = _ref(root.get(b"/StructTreeRoot"))
    tree = update.get(tree_ref)
    kids_of_root = tree[b"/K"]
    document_ref = _ref(kids_of_root[0] if isinstance(kids_of_root, PdfArray) else kids_of_root)
    document = update.get(document_ref)

    form_ref = update.add(
        PdfDict(
            {
                b"/Type": name("StructElem"),
                b"/S": name("Form"),
                b"/P": document_ref,
                b"/Pg": page_ref,
                b"/Alt": text_string(label),
                b"/K": PdfArray(
                    [PdfDict({b"/Type": name("OBJR"), b"/Obj": widget_ref, b"/Pg": page_ref})]
                ),
            }
        )
    )
    kids = document.get(b"/K")
    if not isinstance(kids, PdfArray):
        kids = PdfArray([] if kids is None else [kids])
    kids.insert(_reading_position(update, pages, kids, page_ref), form_ref)
    document[b"/K"] = kids
    update.put(document_ref, document)

    key = int(update.leaf(tree.get(b"/ParentTreeNextKey", Raw(b"0"))))
    parent_tree = tree[b"/ParentTree"]
    if isinstance(parent_tree, Ref):
        parent_tree_ref: Ref | None = parent_tree
        parent_tree = update.get(parent_tree)
    else:
        parent_tree_ref = None
    if not isinstance(parent_tree, PdfDict) or b"/Nums" not in parent_tree:
        raise RenderError(_("internal: unexpected structure ParentTree layout (no /Nums)"))
    nums = parent_tree[b"/Nums"]
    assert isinstance(nums, PdfArray)
    nums.extend([number(key), form_ref])
    if parent_tree_ref is not None:
        update.put(parent_tree_ref, parent_tree)
    tree[b"/ParentTreeNextKey"] = number(key + 1)
    update.put(tree_ref, tree)

    widget = update.get(widget_ref)
    widget[b"/StructParent"] = number(key)
    update.put(widget_ref, widget)


def _reading_position(
    update: IncrementalUpdate, pages: list[Ref], kids: PdfArray, page_ref: Ref
) -> int:
    """Index in the Document element where the field belongs in reading order.

    Right after the content of its own page: before the first top-level element that
    starts on a later page (for our templates, before the annex), else at the end.
    """
    page_numbers = {ref.number: index for index, ref in enumerate(pages)}
    field_page = page_numbers[page_ref.number]
    for position, kid in enumerate(kids):
        if not isinstance(kid, Ref):
            continue
        element_page = update.get(kid).get(b"/Pg")
        if isinstance(element_page, Ref) and page_numbers.get(element_page.number, -1) > field_page:
            return position
    return len(kids)
