"""Hostile variants of a signed statement, one function per attack family.

Each takes the bytes of a correctly signed statement and returns manipulated bytes. The
attacks follow the published families against PDF signatures: incremental saving
(content, annotations, form fields, page boxes, fonts, page tree or catalog changed after
signing), signature wrapping and ByteRange tricks, and container padding abuse.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

Attack = Callable[[bytes], bytes]


class RawWriter(IncrementalPdfFileWriter):
    """An incremental writer that writes exactly the changes made, nothing more.

    pyHanko's writer brings the XMP and /Info in line with its own idea of the metadata
    on every write, which would quietly undo (or add to) what an attack changes there.
    """

    def _update_meta(self) -> None:
        return None


def _update(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = RawWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_page(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page: generic.DictionaryObject = page_ref.get_object()
    return page


def page_content_replaced(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (Vervalste tekst) Tj ET")
        page["/Contents"] = writer.add_object(stream)
        writer.update_container(page)

    return _update(data, change)


def annotation_over_text(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        annotation = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/FreeText"),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (70, 600, 520, 700)]
                ),
                pdf_name("/Contents"): generic.TextStringObject("De gemeente treedt NIET toe"),
                pdf_name("/F"): generic.NumberObject(4),
                pdf_name("/DA"): generic.TextStringObject("/Helv 14 Tf 0 g"),
            }
        )
        annots = page.get("/Annots", generic.ArrayObject())
        annots = generic.ArrayObject(
            list(annots.get_object())
            if isinstance(annots, generic.IndirectObject)
            else list(annots)
        )
        annots.append(writer.add_object(annotation))
        page["/Annots"] = annots
        writer.update_container(page)

    return _update(data, change)


def form_field_over_text(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        page_ref = writer.root["/Pages"]["/Kids"][0]
        field = generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): generic.TextStringObject("overlay"),
                pdf_name("/V"): generic.TextStringObject("NIET"),
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (70, 600, 520, 700)]
                ),
                pdf_name("/P"): page_ref,
                pdf_name("/F"): generic.NumberObject(4),
            }
        )
        field_ref = writer.add_object(field)
        form = writer.root["/AcroForm"]
        form["/Fields"].append(field_ref)
        writer.update_container(form)
        annots = page.get("/Annots", generic.ArrayObject())
        annots = generic.ArrayObject(
            list(annots.get_object())
            if isinstance(annots, generic.IndirectObject)
            else list(annots)
        )
        annots.append(field_ref)
        page["/Annots"] = annots
        writer.update_container(page)

    return _update(data, change)


def page_box_changed(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        page["/CropBox"] = generic.ArrayObject([generic.FloatObject(v) for v in (0, 400, 595, 842)])
        writer.update_container(page)

    return _update(data, change)


def font_replaced(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        resources = page["/Resources"]
        fonts = resources["/Font"]
        name = next(iter(fonts))
        fonts[name] = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Font"),
                    pdf_name("/Subtype"): pdf_name("/Type1"),
                    pdf_name("/BaseFont"): pdf_name("/Courier"),
                }
            )
        )
        writer.update_container(page)
        for container in (resources, fonts):
            if (
                isinstance(container, generic.DictionaryObject)
                and container.container_ref is not None
            ):
                writer.update_container(container)

    return _update(data, change)


def page_tree_replaced(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        pages = writer.root["/Pages"]
        kids = list(pages["/Kids"])
        new_tree = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Pages"),
                pdf_name("/Kids"): generic.ArrayObject(kids[:1]),  # drop the annex page
                pdf_name("/Count"): generic.NumberObject(1),
            }
        )
        writer.root["/Pages"] = writer.add_object(new_tree)
        writer.update_root()

    return _update(data, change)


def catalog_replaced(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        catalog = generic.DictionaryObject(dict(writer.root))
        catalog[pdf_name("/OpenAction")] = generic.DictionaryObject(
            {
                pdf_name("/S"): pdf_name("/URI"),
                pdf_name("/URI"): generic.TextStringObject("https://example.invalid"),
            }
        )
        new_ref = writer.add_object(catalog)
        writer._root = new_ref  # a new catalog object, as a "catalog replacement" attack does
        writer.trailer["/Root"] = new_ref

    return _update(data, change)


def _xmp_rewritten(edit: Callable[[bytes], bytes]) -> Attack:
    """An attack that puts an edited copy of the XMP packet in a new metadata stream."""

    def attack(data: bytes) -> bytes:
        def change(writer: IncrementalPdfFileWriter) -> None:
            xmp = edit(writer.root["/Metadata"].get_object().data)
            stream = generic.StreamObject(
                {pdf_name("/Type"): pdf_name("/Metadata"), pdf_name("/Subtype"): pdf_name("/XML")},
                stream_data=xmp,
            )
            writer.root["/Metadata"] = writer.add_object(stream)
            writer.update_root()

        return _update(data, change)

    return attack


chain_in_metadata_replaced = _xmp_rewritten(
    lambda xmp: xmp.replace(b"Gemeente Testdorp", b"Gemeente Anderdorp")
)


def _retitled(xmp: bytes) -> bytes:
    """The title a viewer shows (PDF/UA sets DisplayDocTitle), rewritten."""
    start = xmp.index(b"<rdf:li", xmp.index(b"dc:title"))
    end = xmp.index(b"</rdf:li>", start)
    head = xmp[start : xmp.index(b">", start) + 1]
    return xmp[:start] + head + b"INTREKKING van de toetreding" + xmp[end:]


xmp_title_changed = _xmp_rewritten(_retitled)


def byte_range_shifted(data: bytes) -> bytes:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert match is not None
    a, b, c, d = (int(x) for x in match.groups())
    forged = f"/ByteRange [{a} {b - 10} {c - 10} {d + 10}]".encode()
    original = match.group(0)
    forged = forged.ljust(len(original))[: len(original)]
    return data[: match.start()] + forged + data[match.end() :]


def trailing_garbage(data: bytes) -> bytes:
    return data + b"\n1 0 obj\n<< /Vervalst true >>\nendobj\n%%EOF\n"


def padding_smuggled(data: bytes) -> bytes:
    match = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", data)
    assert match is not None
    _hex_start, hex_end = match.start(1), match.end(1)
    payload = b"566572766173742021"  # "Vervalst !" in hex, written into the zero padding
    position = hex_end - len(payload) - 16
    return data[:position] + payload + data[position + len(payload) :]


# --- the families of issue #11: what may never change after a signature ------------------


def _stream(
    writer: IncrementalPdfFileWriter, content: bytes, resources: dict | None = None
) -> generic.IndirectObject:
    """A form XObject as an appearance stream."""
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (0, 0, 450, 100)]
            ),
            pdf_name("/Resources"): generic.DictionaryObject(resources or {}),
        },
        stream_data=content,
    )
    return writer.add_object(stream)


NOT_JOINING = (
    b"q 1 1 1 rg 0 0 450 100 re f Q BT /Helv 16 Tf 0 g 10 40 Td (De gemeente treedt NIET toe) Tj ET"
)


def _helvetica(writer: IncrementalPdfFileWriter) -> dict:
    font = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
            }
        )
    )
    return {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/Helv"): font})}


def _append_annotation(
    writer: IncrementalPdfFileWriter, page: generic.DictionaryObject, ref: generic.IndirectObject
) -> None:
    annots = page.get("/Annots", generic.ArrayObject())
    annots = generic.ArrayObject(
        list(annots.get_object()) if isinstance(annots, generic.IndirectObject) else list(annots)
    )
    annots.append(ref)
    page["/Annots"] = annots


def _new_signature_widget(data: bytes, name: str, rect: tuple[float, float, float, float]) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        page_ref = writer.root["/Pages"]["/Kids"][0]
        widget = generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Sig"),
                pdf_name("/T"): generic.TextStringObject(name),
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
                pdf_name("/P"): page_ref,
                pdf_name("/F"): generic.NumberObject(4),
                pdf_name("/AP"): generic.DictionaryObject(
                    {pdf_name("/N"): _stream(writer, NOT_JOINING, _helvetica(writer))}
                ),
            }
        )
        ref = writer.add_object(widget)
        form = writer.root["/AcroForm"]
        form["/Fields"].append(ref)
        writer.update_container(form)
        _append_annotation(writer, page, ref)
        writer.update_container(page)

    return _update(data, change)


def empty_visible_signature_widget(data: bytes) -> bytes:
    """The critical false pass: a new, empty, visible signature widget paints over the text."""
    return _new_signature_widget(data, "overlay", (70, 600, 520, 700))


def empty_invisible_signature_field(data: bytes) -> bytes:
    return _new_signature_widget(data, "verborgen", (0, 0, 0, 0))


def _statement_field(writer: IncrementalPdfFileWriter, name: str) -> generic.DictionaryObject:
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T")) == name:
            return field
    raise LookupError(name)


def _widget_of(field: generic.DictionaryObject) -> generic.DictionaryObject:
    kids = field.get("/Kids")
    return kids[0].get_object() if kids else field


def _set_on_widget(
    field_name: str, key: str, make: Callable[[IncrementalPdfFileWriter], generic.PdfObject]
) -> Attack:
    """An attack that sets one entry on a statement field's widget."""

    def attack(data: bytes) -> bytes:
        def change(writer: IncrementalPdfFileWriter) -> None:
            widget = _widget_of(_statement_field(writer, field_name))
            widget[pdf_name(key)] = make(writer)
            writer.update_container(widget)

        return _update(data, change)

    return attack


def _painted(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    return generic.DictionaryObject(
        {pdf_name("/N"): _stream(writer, NOT_JOINING, _helvetica(writer))}
    )


appearance_on_unsigned_field = _set_on_widget("instemming-coordinator", "/AP", _painted)
"""Paint over the acceptance field nobody signed yet (only the party has signed)."""
flags_of_unsigned_field_changed = _set_on_widget(
    "instemming-coordinator",
    "/F",
    lambda _w: generic.NumberObject(2),  # hidden
)
unsigned_field_moved = _set_on_widget(
    "instemming-coordinator",
    "/Rect",
    lambda _w: generic.ArrayObject([generic.FloatObject(v) for v in (70, 600, 520, 700)]),
)
signed_appearance_replaced = _set_on_widget("ondertekening-partij", "/AP", _painted)
"""Repaint the party's signed field."""


def _catalog_entry(
    key: str, make: Callable[[IncrementalPdfFileWriter], generic.PdfObject]
) -> Attack:
    def attack(data: bytes) -> bytes:
        def change(writer: IncrementalPdfFileWriter) -> None:
            writer.root[pdf_name(key)] = make(writer)
            writer.update_root()

        return _update(data, change)

    return attack


def _javascript(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    action = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/S"): pdf_name("/JavaScript"),
                pdf_name("/JS"): generic.TextStringObject("app.alert('Vervalst');"),
            }
        )
    )
    return generic.DictionaryObject(
        {
            pdf_name("/JavaScript"): generic.DictionaryObject(
                {pdf_name("/Names"): generic.ArrayObject([generic.TextStringObject("x"), action])}
            )
        }
    )


def _embedded_file(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    file_stream = writer.add_object(
        generic.StreamObject(
            {pdf_name("/Type"): pdf_name("/EmbeddedFile")}, stream_data=b"vervalst"
        )
    )
    spec = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Filespec"),
                pdf_name("/F"): generic.TextStringObject("bijlage.txt"),
                pdf_name("/EF"): generic.DictionaryObject({pdf_name("/F"): file_stream}),
            }
        )
    )
    return generic.DictionaryObject(
        {
            pdf_name("/EmbeddedFiles"): generic.DictionaryObject(
                {
                    pdf_name("/Names"): generic.ArrayObject(
                        [generic.TextStringObject("bijlage.txt"), spec]
                    )
                }
            )
        }
    )


def _optional_content(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    group = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/OCG"),
                pdf_name("/Name"): generic.TextStringObject("laag"),
            }
        )
    )
    return generic.DictionaryObject(
        {
            pdf_name("/OCGs"): generic.ArrayObject([group]),
            pdf_name("/D"): generic.DictionaryObject(
                {pdf_name("/OFF"): generic.ArrayObject([group])}
            ),
        }
    )


def _uri_action(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    return generic.DictionaryObject(
        {
            pdf_name("/S"): pdf_name("/URI"),
            pdf_name("/URI"): generic.TextStringObject("https://example.invalid"),
        }
    )


def need_appearances(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        form = writer.root["/AcroForm"]
        form["/NeedAppearances"] = generic.BooleanObject(True)
        writer.update_container(form)

    return _update(data, change)


def page_actions(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        page["/AA"] = generic.DictionaryObject({pdf_name("/O"): _uri_action(writer)})
        writer.update_container(page)

    return _update(data, change)


def link_added(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        link = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Annot"),
                    pdf_name("/Subtype"): pdf_name("/Link"),
                    pdf_name("/Rect"): generic.ArrayObject(
                        [generic.FloatObject(v) for v in (0, 0, 595, 842)]
                    ),
                    pdf_name("/A"): _uri_action(writer),
                    pdf_name("/F"): generic.NumberObject(4),
                }
            )
        )
        _append_annotation(writer, page, link)
        writer.update_container(page)

    return _update(data, change)


def content_stream_overridden(data: bytes) -> bytes:
    """The 'replace' shadow: the page's content object redefined under the same number."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        contents = page.raw_get("/Contents")
        ref = contents if isinstance(contents, generic.IndirectObject) else contents[0]
        stream = ref.get_object()
        stream.strip_filters()
        stream._data = stream._encoded_data = b"BT /F1 24 Tf 72 700 Td (Vervalst) Tj ET"
        writer.mark_update(ref)  # the same object number, new content

    return _update(data, change)


def title_changed(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        info = writer.trailer["/Info"].get_object()
        info["/Title"] = generic.TextStringObject("De gemeente treedt niet toe")
        writer.update_container(info)

    return _update(data, change)


def info_replaced_by_a_number(data: bytes) -> bytes:
    """The trailer's /Info pointed at an object that holds a number (viewers then show no
    title, author or subject). Written by hand: pyHanko's writer always writes its /Info."""
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    return _raw_update(
        data,
        b"%d 0 obj\n42\nendobj\n" % size,
        b"%d 1\n@OFFSET@" % size,
        edit_trailer=lambda t: re.sub(rb"/Info\s+\d+\s+\d+\s+R", b"/Info %d 0 R" % size, t).replace(
            b"/Size %d" % size, b"/Size %d" % (size + 1)
        ),
    )


def non_signature_value(data: bytes) -> bytes:
    """A signature field whose value is a number (pyHanko's own list stops there)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        field = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/FT"): pdf_name("/Sig"),
                    pdf_name("/T"): generic.TextStringObject("x"),
                    pdf_name("/V"): generic.NumberObject(42),
                }
            )
        )
        form = writer.root["/AcroForm"]
        form["/Fields"].append(field)
        writer.update_container(form)

    return _update(data, change)


def _raw_update(
    data: bytes,
    body: bytes,
    table: bytes,
    pointer_shift: int = 0,
    edit_trailer: Callable[[bytes], bytes] = lambda t: t,
) -> bytes:
    """Append an incremental update written by hand (objects, xref table, trailer).

    ``@OFFSET@`` in ``table`` becomes an in-use entry for the first object of ``body``.
    """
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    trailer = re.findall(rb"trailer\s*(<<.*?>>)\s*startxref", data, re.S)[-1]
    trailer = re.sub(rb"/Prev \d+", b"", trailer).replace(b"<<", b"<< /Prev %d" % prev, 1)
    trailer = edit_trailer(trailer)
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    base = len(out)
    out += body
    xref_at = len(out)
    entry = b"%010d 00000 n \n" % base
    out += b"xref\n0 1\n0000000000 65535 f \n" + table.replace(b"@OFFSET@", entry)
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % (xref_at + pointer_shift)
    return bytes(out)


def _content_ref(data: bytes) -> tuple[int, int]:
    """The first page's content stream: its object number and current offset."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    reference = reader.root["/Pages"]["/Kids"][0].raw_get("/Contents").reference
    offset = reader.xrefs.get_historical_ref(reference, reader.xrefs.total_revisions - 1)
    return reference.idnum, int(offset)


FORGED_CONTENT = b"BT /F1 24 Tf 72 700 Td (De gemeente treedt NIET toe) Tj ET"


def _forged_content_object(number: int) -> bytes:
    """Object ``number`` written as a content stream drawing FORGED_CONTENT."""
    return b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        number,
        len(FORGED_CONTENT),
        FORGED_CONTENT,
    )


def xref_lists_an_object_twice(data: bytes) -> bytes:
    """First entry: a forged page content (viewers keep it); second: the signed one
    (pyHanko keeps it)."""
    number, original = _content_ref(data)
    body = _forged_content_object(number)
    table = b"%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n" % (
        number,
        len(data if data.endswith(b"\n") else data + b"\n"),
        number,
        original,
    )
    return _raw_update(data, body, table)


def unlisted_object_and_a_broken_pointer(data: bytes) -> bytes:
    """A forged object no table lists, and a startxref one byte off: viewers rebuild the
    file by scanning and pick the forged object; pyHanko corrects the pointer and does not."""
    number, _original = _content_ref(data)
    body = _forged_content_object(number)
    return _raw_update(data, body, b"", pointer_shift=1)


INCREMENTAL_ATTACKS: dict[str, tuple[Attack, str]] = {
    "page content replaced": (page_content_replaced, "page 1: its content was changed"),
    "page content object redefined (shadow replace)": (
        content_stream_overridden,
        "page 1: its content was changed",
    ),
    "annotation laid over the text": (annotation_over_text, "new annotation (FreeText)"),
    "link added": (link_added, "new annotation (Link)"),
    "text field laid over the text": (form_field_over_text, "new text field 'overlay'"),
    "empty visible signature widget over the text": (
        empty_visible_signature_widget,
        "new, empty signature field 'overlay' (visible)",
    ),
    "empty invisible signature field": (
        empty_invisible_signature_field,
        "new, empty signature field 'verborgen'",
    ),
    "signed field repainted": (
        signed_appearance_replaced,
        "signature in field 'ondertekening-partij' was changed",
    ),
    "page box changed": (page_box_changed, "page 1: its visible area (/CropBox) was changed"),
    "font replaced": (font_replaced, "page 1: its resources (fonts, images) was changed"),
    "page tree replaced": (page_tree_replaced, "pages were added or removed"),
    "catalog replaced with an open action": (catalog_replaced, "(/OpenAction) was added"),
    "open action added": (_catalog_entry("/OpenAction", _uri_action), "(/OpenAction) was added"),
    "document actions added": (
        _catalog_entry(
            "/AA", lambda w: generic.DictionaryObject({pdf_name("/WC"): _uri_action(w)})
        ),
        "document events (/AA)",
    ),
    "page actions added": (page_actions, "page 1: actions that run when the page is opened"),
    "JavaScript added": (_catalog_entry("/Names", _javascript), "JavaScript (/Names /JavaScript)"),
    "embedded file added": (
        _catalog_entry("/Names", _embedded_file),
        "embedded files (/Names /EmbeddedFiles)",
    ),
    "optional content added": (
        _catalog_entry("/OCProperties", _optional_content),
        "optional content (/OCProperties)",
    ),
    "permissions added": (
        _catalog_entry("/Perms", lambda w: generic.DictionaryObject()),
        "document permissions (/Perms)",
    ),
    "NeedAppearances set": (need_appearances, "/NeedAppearances"),
    "document title changed": (title_changed, "document information entry /Title"),
    "chain in the metadata replaced": (
        chain_in_metadata_replaced,
        "statement data in the metadata was changed",
    ),
    "title in the metadata replaced": (xmp_title_changed, "metadata property dc:title"),
    "document information replaced by a number": (
        info_replaced_by_a_number,
        "the document information (/Info) was removed or replaced",
    ),
    "signature field holding a number": (
        non_signature_value,
        "holds a value that is not a signature",
    ),
}
"""Incremental updates after the signatures, each with the reason `verify` must give."""

PARTY_ONLY_ATTACKS: dict[str, tuple[Attack, str]] = {
    "appearance painted on the unsigned acceptance field": (
        appearance_on_unsigned_field,
        "appearance of field 'instemming-coordinator' was changed although nobody signed it",
    ),
    "unsigned acceptance field hidden": (
        flags_of_unsigned_field_changed,
        "display flags of field 'instemming-coordinator'",
    ),
    "unsigned acceptance field moved over the text": (
        unsigned_field_moved,
        "position or size (/Rect) of field 'instemming-coordinator'",
    ),
}
"""Attacks on a statement only the party has signed (the acceptance field is still empty)."""

STRUCTURE_ATTACKS: dict[str, Attack] = {
    "object listed twice in one xref table": xref_lists_an_object_twice,
    "unlisted object behind a broken startxref": unlisted_object_and_a_broken_pointer,
    "ByteRange shifted": byte_range_shifted,
    "bytes appended after the signed revision": trailing_garbage,
    "bytes smuggled into the signature padding": padding_smuggled,
}

BROKEN_FILES: dict[str, Attack] = {
    "empty file": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "not a PDF": lambda data: b"GIF89a" + data[6:200],
    "header only": lambda data: b"%PDF-1.7\n%%EOF\n",
}


# --- object streams (verify/objectstreams.py) -------------------------------------------
#
# A cross-reference stream can place an object inside an object stream; the object stream
# is an ordinary object found through the newest cross-reference data. The updates below
# are written by hand, as pyHanko's writer does not put objects in object streams.

OBJECT_STREAM = "object stream"
"""Where the first page's dictionary is kept once `compressed_first_page` has run."""


def _serialised(value: generic.PdfObject) -> bytes:
    out = io.BytesIO()
    value.write_to_stream(out, None)
    return out.getvalue()


def _stream_xref_update(
    data: bytes,
    objects: dict[int, bytes],
    compressed: dict[int, tuple[int, int]] | None = None,
    freed: tuple[int, ...] = (),
) -> bytes:
    """Append an update with a cross-reference stream: ``objects`` written as given
    (number → everything between ``N 0 obj`` and ``endobj``), ``compressed`` listed as
    members of object streams (number → (stream number, index)), ``freed`` as free."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    trailer = PdfFileReader(io.BytesIO(data), strict=False).trailer
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    entries: dict[int, bytes] = {}
    for number, body in objects.items():
        entries[number] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    for number, (stream, index) in (compressed or {}).items():
        entries[number] = b"\x02" + stream.to_bytes(4, "big") + index.to_bytes(2, "big")
    for number in freed:
        entries[number] = b"\x00" + (0).to_bytes(4, "big") + (1).to_bytes(2, "big")
    size = max([int(trailer["/Size"]), *(n + 1 for n in entries)])
    xref_number = size
    entries[xref_number] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
    index = b" ".join(b"%d 1" % n for n in sorted(entries))
    table = b"".join(entries[n] for n in sorted(entries))
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    extra = b"/Root %d 0 R" % trailer.raw_get("/Root").idnum
    if "/Info" in trailer:
        extra += b" /Info %d 0 R" % trailer.raw_get("/Info").idnum
    if "/ID" in trailer:
        extra += b" /ID " + _serialised(trailer["/ID"])
    xref_at = len(out)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Prev %d %s /Length %d >>\n"
        % (
            xref_number,
            size + 1,
            index,
            prev,
            extra,
            len(table),
        )
    )
    out += b"stream\n" + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _object_stream(members: dict[int, bytes], length_object: int | None = None) -> bytes:
    """An object stream's body holding ``members`` (number → serialised object)."""
    offsets, position = [], 0
    for number, body in members.items():
        offsets.append(b"%d %d" % (number, position))
        position += len(body) + 1
    header = b" ".join(offsets) + b"\n"
    payload = header + b"\n".join(members.values()) + b"\n"
    length = b"%d 0 R" % length_object if length_object is not None else b"%d" % len(payload)
    return b"<< /Type /ObjStm /N %d /First %d /Length %s >>\nstream\n%s\nendstream" % (
        len(members),
        len(header),
        length,
        payload,
    )


def _first_page_reference(data: bytes) -> tuple[generic.Reference, generic.DictionaryObject, int]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    reference = reader.root["/Pages"]["/Kids"].raw_get(0).reference
    return reference, reader.get_object(reference), int(reader.trailer["/Size"])


def compressed_first_page(data: bytes) -> bytes:
    """Before signing, as some writers save: the first page's dictionary moved into an
    object stream whose /Length is an object of its own (numbers: size, size + 1)."""
    page_ref, page, size = _first_page_reference(data)
    member = _serialised(page)
    stream_number, length_number = size, size + 1
    body = _object_stream({page_ref.idnum: member})
    payload_length = len(body.split(b"stream\n", 1)[1]) - len(b"\nendstream")
    return _stream_xref_update(
        data,
        {
            stream_number: _object_stream({page_ref.idnum: member}, length_object=length_number),
            length_number: b"%d" % payload_length,
        },
        compressed={page_ref.idnum: (stream_number, 0)},
    )


def _signed_object_stream(
    data: bytes,
) -> tuple[generic.Reference, generic.DictionaryObject, int, int]:
    """The first page, and the object stream and /Length object `compressed_first_page` made."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    page_ref = reader.root["/Pages"]["/Kids"].raw_get(0).reference
    location = reader.xrefs[page_ref]
    stream_number = int(location.obj_stream_id)
    stream = reader.get_object(generic.Reference(stream_number, 0, reader))
    return page_ref, reader.get_object(page_ref), stream_number, stream.raw_get("/Length").idnum


def object_stream_defined_again(data: bytes) -> bytes:
    """The object stream written again with a first page that shows the last page's
    content; nothing else changes and the page itself is not listed in the update (this
    PASSED before objectstreams.py)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    page_ref, page, stream_number, _length = _signed_object_stream(data)
    last = PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Kids"][-1]
    forged = generic.DictionaryObject(dict(page))
    forged[pdf_name("/Contents")] = last.raw_get("/Contents")
    return _stream_xref_update(
        data, {stream_number: _object_stream({page_ref.idnum: _serialised(forged)})}
    )


def object_stream_defined_again_with_new_content(data: bytes) -> bytes:
    """The object stream written again with a first page that shows new, forged text."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    page_ref, page, stream_number, _length = _signed_object_stream(data)
    content_number = int(PdfFileReader(io.BytesIO(data), strict=False).trailer["/Size"]) + 1
    forged = generic.DictionaryObject(dict(page))
    forged[pdf_name("/Contents")] = generic.IndirectObject(content_number, 0, None)
    content = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(FORGED_CONTENT), FORGED_CONTENT)
    return _stream_xref_update(
        data,
        {
            stream_number: _object_stream({page_ref.idnum: _serialised(forged)}),
            content_number: content,
        },
    )


def object_stream_freed(data: bytes) -> bytes:
    """The object stream freed: the first page it holds disappears for every reader."""
    _page_ref, _page, stream_number, _length = _signed_object_stream(data)
    return _stream_xref_update(data, {}, freed=(stream_number,))


def object_stream_length_redefined(data: bytes) -> bytes:
    """The object stream's /Length object written again, shorter: readers cut the stream."""
    _page_ref, _page, _stream, length_number = _signed_object_stream(data)
    return _stream_xref_update(data, {length_number: b"20"})


def object_stream_length_written_again(data: bytes) -> bytes:
    """The object stream's /Length object written again with the same value: harmless
    today, but the same move can change what the stream holds."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    _page_ref, _page, _stream, length_number = _signed_object_stream(data)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    value = reader.get_object(generic.Reference(length_number, 0, reader))
    return _stream_xref_update(data, {length_number: b"%d" % int(value)})


def member_moved_to_another_object_stream(data: bytes) -> bytes:
    """The honest way to change a compressed object, listed: the page in a new object
    stream (a listed change of the page, which the change review judges)."""
    page_ref, page, _stream, _length = _signed_object_stream(data)
    from pyhanko.pdf_utils.reader import PdfFileReader

    new_stream = int(PdfFileReader(io.BytesIO(data), strict=False).trailer["/Size"]) + 1
    changed = generic.DictionaryObject(dict(page))
    changed[pdf_name("/Rotate")] = generic.NumberObject(90)
    return _stream_xref_update(
        data,
        {new_stream: _object_stream({page_ref.idnum: _serialised(changed)})},
        compressed={page_ref.idnum: (new_stream, 0)},
    )


OBJECT_STREAM_ATTACKS: dict[str, tuple[Attack, str]] = {
    "object stream defined again": (object_stream_defined_again, OBJECT_STREAM),
    "object stream defined again, with new content": (
        object_stream_defined_again_with_new_content,
        OBJECT_STREAM,
    ),
    "object stream freed": (object_stream_freed, OBJECT_STREAM),
    "object stream's /Length redefined": (object_stream_length_redefined, OBJECT_STREAM),
    "object stream's /Length written again": (object_stream_length_written_again, "depends on"),
    "compressed page moved to a new object stream": (
        member_moved_to_another_object_stream,
        "page 1",
    ),
}
"""Updates after a signature on a statement whose first page is in an object stream,
each with a word of the reason `verify` must give."""


# --- files a reader must repair (verify/wellformed.py) ----------------------------------
#
# Each update below is listed correctly for pyHanko, but makes a repairing reader (poppler,
# pdf.js) scan the file for object definitions; hidden ones then replace page 1's content.


def _raw_object(data: bytes, number: int) -> bytes:
    """Everything between ``N G obj`` and ``endobj`` of an object's current definition."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    offset = int(reader.xrefs[generic.Reference(number, 0, reader)])
    start = data.index(b"obj", offset) + 3
    return data[start : data.index(b"endobj", start)]


def _catalog_number(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return int(reader.trailer.raw_get("/Root").idnum)


def _hidden_content(number: int, separator: bytes) -> bytes:
    """A forged page content as a definition only a scanning reader finds."""
    return separator + _forged_content_object(number)


def _catalog_again(
    data: bytes, header: bytes, hidden: bytes, body_edit: Callable[[bytes], bytes] = lambda b: b
) -> bytes:
    """The catalog written again under ``header`` (listed), ``hidden`` right after it."""
    catalog = _catalog_number(data)
    body = header % catalog + body_edit(_raw_object(data, catalog)) + b"endobj" + hidden
    return _raw_update(data, body, b"%d 1\n@OFFSET@" % catalog)


def header_not_obj(data: bytes) -> bytes:
    """The catalog unchanged under ``N 0 OBJ`` (pyHanko skips those three bytes, poppler
    repairs), the forged content after ``endobj`` on the same line."""
    number, _offset = _content_ref(data)
    return _catalog_again(data, b"%d 0 OBJ", _hidden_content(number, b" "))


def hidden_behind_a_form_feed(data: bytes) -> bytes:
    number, _offset = _content_ref(data)
    return _catalog_again(data, b"%d 0 OBJ", _hidden_content(number, b"\n\x0c"))


def hidden_with_a_padded_number(data: bytes) -> bytes:
    number, _offset = _content_ref(data)
    hidden = _hidden_content(number, b"\n").replace(
        b"\n%d 0 obj" % number, b"\n%011d 0 obj" % number, 1
    )
    return _catalog_again(data, b"%d 0 OBJ", hidden)


def reference_to_a_missing_object(data: bytes) -> bytes:
    """A reference to an object that does not exist, where no comparison looks (the form's
    default resources): readers repair when they load it."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    number, _offset = _content_ref(data)

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    form = reader.root.raw_get("/AcroForm")
    if isinstance(form, generic.IndirectObject):
        form_number = form.idnum
        body = _raw_object(data, form_number).rstrip()
        assert body.endswith(b">>")
        body = body[:-2] + b" /DR << /Font << /ZZ 99999 0 R >> >> >>\n"
        return _raw_update(
            data,
            b"%d 0 obj" % form_number + body + b"endobj" + _hidden_content(number, b" "),
            b"%d 1\n@OFFSET@" % form_number,
        )
    raise AssertionError("the statement's form is expected to be an object of its own")


def object_beyond_the_size(data: bytes) -> bytes:
    """The form's resources point at a new object, listed, but numbered beyond the
    trailer's /Size (left as it was): poppler does not find it and repairs; the forged
    content sits after ``endobj`` on the same line."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    size = int(reader.trailer["/Size"])
    number, _offset = _content_ref(data)
    form_number = reader.root.raw_get("/AcroForm").idnum
    form = _raw_object(data, form_number).rstrip()
    form = form[:-2] + b" /DR << /Font << /ZZ %d 0 R >> >> >>\n" % (size + 5)
    font = b"%d 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj" % (size + 5)
    body = b"%d 0 obj" % form_number + form + b"endobj" + _hidden_content(number, b" ")
    body_end = len(data if data.endswith(b"\n") else data + b"\n") + len(body) + 1
    table = b"%d 1\n@OFFSET@%d 1\n%010d 00000 n \n" % (form_number, size + 5, body_end)
    return _raw_update(data, body + b"\n" + font + b"\n", table)


def stream_length_wrong(data: bytes) -> bytes:
    """Page 1's content written again, listed, with a /Length that misses ``endstream``."""
    number, _offset = _content_ref(data)
    body = b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        number,
        len(FORGED_CONTENT) - 7,
        FORGED_CONTENT,
    )
    return _raw_update(data, body, b"%d 1\n@OFFSET@" % number)


def endobj_missing(data: bytes) -> bytes:
    """The catalog written again without ``endobj``, the forged content behind it."""
    catalog = _catalog_number(data)
    number, _offset = _content_ref(data)
    body = b"%d 0 obj" % catalog + _raw_object(data, catalog) + _hidden_content(number, b"\n")
    return _raw_update(data, body, b"%d 1\n@OFFSET@" % catalog)


REPAIR_ATTACKS: dict[str, tuple[Attack, str]] = {
    "object header not 'obj', forged content after endobj": (header_not_obj, "no '"),
    "forged content behind a form feed": (hidden_behind_a_form_feed, "no '"),
    "forged content with a zero-padded number": (hidden_with_a_padded_number, "no '"),
    "reference to a missing object in the form's resources": (
        reference_to_a_missing_object,
        "does not define it",
    ),
    "object numbered beyond the trailer's /Size": (object_beyond_the_size, "/Size"),
    "stream /Length that misses endstream": (stream_length_wrong, "/Length"),
    "endobj missing, forged content behind it": (endobj_missing, "'endobj'"),
}
"""Updates after the signatures that make a reader repair the file, with a word of the
reason `verify` must give. Before verify/wellformed.py, the first three and the missing
object PASSED: poppler showed the forged content on page 1 (or page 2)."""


# --- values pyHanko and poppler read differently without repair --------------------------


def _object_stream_raw(pairs: list[tuple[int, int]], payload: bytes) -> bytes:
    """An object stream with the table of contents given as is (number, offset)."""
    header = b" ".join(b"%d %d" % pair for pair in pairs) + b"\n"
    data = header + payload
    return b"<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n%s\nendstream" % (
        len(pairs),
        len(header),
        len(data),
        data,
    )


def _forged_first_page(data: bytes) -> tuple[generic.Reference, bytes, bytes]:
    """Page 1's reference, its dictionary as signed, and one that shows the last page's
    content instead."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    kids = reader.root["/Pages"]["/Kids"]
    reference = kids.raw_get(0).reference
    page = reader.get_object(reference)
    forged = generic.DictionaryObject(dict(page))
    forged[pdf_name("/Contents")] = kids[-1].raw_get("/Contents")
    return reference, _serialised(page), _serialised(forged)


def _page_in_a_new_object_stream(
    data: bytes, members: Callable[[bytes, bytes, int], tuple[list[tuple[int, int]], bytes, int]]
) -> bytes:
    """Page 1 moved into a new object stream whose table of contents and payload
    ``members(signed page, forged page, page number)`` gives, with the index the xref
    entry points at."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reference, signed, forged = _forged_first_page(data)
    stream_number = int(PdfFileReader(io.BytesIO(data), strict=False).trailer["/Size"])
    pairs, payload, index = members(signed, forged, reference.idnum)
    return _stream_xref_update(
        data,
        {stream_number: _object_stream_raw(pairs, payload)},
        compressed={reference.idnum: (stream_number, index)},
    )


def object_stream_lists_the_page_twice(data: bytes) -> bytes:
    """A new object stream holding page 1 twice, as signed and forged; the xref points at
    the second. pyHanko takes the first with that number, poppler the one at the index."""
    return _page_in_a_new_object_stream(
        data,
        lambda signed, forged, number: (
            [(number, 0), (number, len(signed) + 1)],
            signed + b"\n" + forged + b"\n",
            1,
        ),
    )


def object_stream_member_past_its_slot(data: bytes) -> bytes:
    """Page 1 in a new object stream whose next entry starts inside it: pyHanko reads the
    whole page, poppler cuts it at the next offset."""
    return _page_in_a_new_object_stream(
        data,
        lambda signed, _forged, number: (
            [(number, 0), (number + 100_000, len(signed) // 2)],
            signed + b"\n",
            0,
        ),
    )


def _page_key_named_twice(second_name: bytes) -> Attack:
    """Page 1 written again with /Contents twice: the signed value first (pyHanko keeps
    it), the forged one last (poppler keeps that), the second key written as
    ``second_name`` (the same name to every reader, e.g. /C#6fntents; found in review with
    /P#61ges)."""

    def attack(data: bytes) -> bytes:
        reference, signed, forged = _forged_first_page(data)
        contents = re.search(rb"/Contents\s*\d+\s+\d+\s+R", forged)
        assert contents is not None
        second = contents.group(0).replace(b"/Contents", second_name, 1)
        body = b"%d 0 obj\n%s\nendobj\n" % (
            reference.idnum,
            signed.rstrip()[:-2] + b" " + second + b" >>",
        )
        return _raw_update(data, body, b"%d 1\n@OFFSET@" % reference.idnum)

    return attack


page_key_named_twice = _page_key_named_twice(b"/Contents")
page_key_named_twice_escaped = _page_key_named_twice(b"/C#6fntents")


AMBIGUOUS_VALUE_ATTACKS: dict[str, tuple[Attack, str]] = {
    "object stream lists page 1 twice": (
        object_stream_lists_the_page_twice,
        "more than once",
    ),
    "object stream member past its slot": (object_stream_member_past_its_slot, "its place"),
    "page dictionary names /Contents twice": (page_key_named_twice, "key twice"),
    "page dictionary names /Contents twice, once escaped": (
        page_key_named_twice_escaped,
        "key twice",
    ),
}
"""Updates after the signatures that pyHanko and poppler read as different values, with no
repair (the first and last PASSED before wellformed.py read object streams and keys itself)."""


# --- xref table entries pyHanko skips and poppler uses -----------------------------------


def _entry_pyhanko_skips(generation: bytes) -> Attack:
    def attack(data: bytes) -> bytes:
        """Page 1's content defined again and listed with ``generation``, which pyHanko
        (not strict) skips as out of range; poppler, not finding ``N 0`` there, repairs the
        file and takes the forged definition."""
        number, _offset = _content_ref(data)
        body = _forged_content_object(number)
        start = len(data if data.endswith(b"\n") else data + b"\n")
        table = b"%d 1\n%010d %s n \n" % (number, start, generation)
        return _raw_update(data, body, table)

    return attack


def entry_line_unreadable(data: bytes) -> bytes:
    """Page 1's content defined again, its entry written with a nine-digit offset."""
    number, _offset = _content_ref(data)
    body = _forged_content_object(number)
    start = len(data if data.endswith(b"\n") else data + b"\n")
    return _raw_update(data, body, b"%d 1\n%09d 00000 n  \n" % (number, start))


XREF_ENTRY_ATTACKS: dict[str, tuple[Attack, str]] = {
    "entry with generation 99999": (_entry_pyhanko_skips(b"99999"), "entry that readers"),
    "entry with generation 65536": (_entry_pyhanko_skips(b"65536"), "entry that readers"),
    "entry line with a nine-digit offset": (entry_line_unreadable, "entry that readers"),
}
"""Updates whose xref table entries pyHanko skips or reads otherwise than poppler (the
first two PASSED before filestructure.py compared the entries with what pyHanko recorded)."""


def _png_up(table: bytes, columns: int) -> bytes:
    """xref stream rows PNG-encoded with the "Up" filter, then deflated."""
    import zlib

    out, previous = bytearray(), bytes(columns)
    for start in range(0, len(table), columns):
        row = table[start : start + columns]
        out += b"\x02" + bytes((b - previous[i]) & 0xFF for i, b in enumerate(row))
        previous = row
    return zlib.compress(bytes(out))


def _xref_stream_entries(
    widths: tuple[int, int, int],
    entries: list[tuple[int, bytes]],
    encoding: bytes = b"",
    encode: Callable[[bytes], bytes] = lambda table: table,
) -> Attack:
    """An update whose xref stream lists page 1's content, defined again with forged text,
    through entries written as given: (object number or -1 for page 1's content, bytes)."""

    def attack(data: bytes) -> bytes:
        from pyhanko.pdf_utils.reader import PdfFileReader

        number, _offset = _content_ref(data)
        trailer = PdfFileReader(io.BytesIO(data), strict=False).trailer
        out = bytearray(data if data.endswith(b"\n") else data + b"\n")
        forged_at = len(out)
        out += _forged_content_object(number)
        xref_number = int(trailer["/Size"])
        xref_at = len(out)
        rows = {xref_number: b"\x01" + xref_at.to_bytes(widths[1], "big") + bytes(widths[2])}
        for listed, raw in entries:
            rows[number if listed < 0 else listed] = raw.replace(
                b"@AT@", forged_at.to_bytes(widths[1], "big")
            )
        table = encode(b"".join(rows[n] for n in sorted(rows)))
        index = b" ".join(b"%d 1" % n for n in sorted(rows))
        prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        out += (
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [%d %d %d] /Index [%s] /Prev %d /Root %d 0 R"
            b" %s /Length %d >>\nstream\n"
            % (
                xref_number,
                xref_number + 1,
                *widths,
                index,
                prev,
                trailer.raw_get("/Root").idnum,
                encoding,
                len(table),
            )
        )
        out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
        return bytes(out)

    return attack


XREF_STREAM_ATTACKS: dict[str, tuple[Attack, str]] = {
    "xref stream entry with generation 70000": (
        _xref_stream_entries((1, 4, 3), [(-1, b"\x01@AT@" + (70000).to_bytes(3, "big"))]),
        "cross-reference stream has an entry",
    ),
    "xref stream entry of an unknown type": (
        _xref_stream_entries((1, 4, 2), [(-1, b"\x07@AT@\x00\x00")]),
        "cross-reference stream has an entry",
    ),
    "xref stream entry cut short": (
        _xref_stream_entries((1, 4, 2), [(-1, b"\x01@AT@")]),
        "cannot be read strictly",
    ),
}
XREF_STREAM_ATTACKS.update(
    {
        f"xref stream encoded with {name}": (
            _xref_stream_entries(
                (1, 4, 2),
                [(-1, b"\x01@AT@\x00\x00")],
                encoding=b"/Filter /FlateDecode /DecodeParms " + parameters,
                encode=lambda table: _png_up(table, 7),
            ),
            "cannot be read strictly",
        )
        for name, parameters in {
            "a real-number predictor": b"<< /Predictor 12.0 /Columns 7 >>",
            "/Colors 0": b"<< /Predictor 12 /Columns 7 /Colors 0 >>",
            "parameters in an array": b"[ << /Predictor 12 /Columns 7 >> ]",
        }.items()
    }
)
"""Updates whose xref stream entries pyHanko reads otherwise than written (the entry cut
short PASSED before: pyHanko fills it with defaults, poppler showed the forged content;
the encodings: pyHanko applies the predictor, poppler drops it — a helper's review built a
PASSED forgery on each)."""


# --- what a file says about itself, which pyHanko and viewers take differently -----------


def _trailer_size(data: bytes) -> int:
    trailer = re.findall(rb"trailer\s*(<<.*?>>)\s*startxref", data, re.S)[-1]
    match = re.search(rb"/Size (\d+)", trailer)
    assert match is not None
    return int(match.group(1))


def _new_size(size: int) -> Callable[[bytes], bytes]:
    return lambda trailer: re.sub(rb"/Size \d+", b"/Size %d" % size, trailer)


def definition_listed_under_another_number(data: bytes) -> bytes:
    """A forged page content written as its own object number and listed under a new, unused
    one: an orphan to pyHanko (which ignores it), the page's content to a reader that
    repairs the file (the last definition wins). With any trigger for a repair (the next
    attacks) this PASSED in review; it is refused on its own."""
    number, _original = _content_ref(data)
    size = _trailer_size(data)
    body = _forged_content_object(number)
    return _raw_update(data, body, b"%d 1\n@OFFSET@" % size, edit_trailer=_new_size(size + 1))


def _new_object(
    body: bytes,
    table_tail: bytes = b"",
    edit_trailer: Callable[[bytes], bytes] = lambda trailer: trailer,
) -> Attack:
    """An update adding one object (``body``), its table followed by ``table_tail`` and
    its trailer edited."""

    def attack(data: bytes) -> bytes:
        size = _trailer_size(data)
        grown = _new_size(size + 1)
        return _raw_update(
            data,
            b"%d 0 obj\n%s\nendobj\n" % (size, body),
            b"%d 1\n@OFFSET@%s" % (size, table_tail),
            edit_trailer=lambda t: edit_trailer(grown(t)),
        )

    return attack


def _harmless_update(edit_trailer: Callable[[bytes], bytes]) -> Attack:
    """An update adding one unused, empty object, its trailer edited."""
    return _new_object(b"<< >>", edit_trailer=edit_trailer)


def _without(key: bytes) -> Callable[[bytes], bytes]:
    return lambda trailer: re.sub(rb"/" + key + rb"\s*(\d+ \d+ R|\[[^\]]*\]|\d+)", b"", trailer)


def _ending(tail: bytes) -> Attack:
    return lambda data: data + tail


FILE_STATEMENT_ATTACKS: dict[str, tuple[Attack, str]] = {
    "a definition listed under another object's number": (
        definition_listed_under_another_number,
        "object definition(s)",
    ),
    "an update's trailer without /Root": (
        _harmless_update(_without(b"Root")),
        "its trailer leaves out /Root",
    ),
    "an update's trailer without /Info": (
        _harmless_update(_without(b"Info")),
        "its trailer leaves out /Info",
    ),
    "an update's trailer without /ID": (
        _harmless_update(_without(b"ID")),
        "its trailer leaves out /ID",
    ),
    "an empty subsection numbered beyond what poppler counts": (
        _new_object(b"<< >>", table_tail=b"2147483648 0\n"),
        "empty subsection or numbers beyond",
    ),
    "the word trailer hidden in a string": (
        _harmless_update(
            lambda t: t.replace(b"<<", b"<< /Note (\ntrailer\n<< /Root 1 0 R >>\n)", 1)
        ),
        "the word 'trailer' outside",
    ),
    "a new object nothing uses (a hidden catalog)": (
        _new_object(b"<< /Type /Catalog /Pages 2 0 R >>"),
        "which nothing in the document uses",
    ),
    "a trailer naming /Root#00 (poppler: /Root) after /Root": (
        _harmless_update(lambda trailer: trailer[: trailer.rindex(b">>")] + b" /Root#00 1 0 R >>"),
        "its trailer cannot be read strictly",
    ),
    "a trailer naming /Root twice, once escaped": (
        _harmless_update(lambda trailer: trailer[: trailer.rindex(b">>")] + b" /R#6fot 1 0 R >>"),
        "its trailer cannot be read strictly",
    ),
    "a trailer naming /Root twice": (
        _harmless_update(lambda trailer: trailer[: trailer.rindex(b">>")] + b" /Root 1 0 R >>"),
        "its trailer cannot be read strictly",
    ),
    "a startxref in a comment after the end": (
        _ending(b"%startxref 0\n"),
        "does not end with the pointer",
    ),
    "a second ending after the end, without %%EOF": (
        _ending(b"startxref\n0\n"),
        "does not end with the pointer",
    ),
    "words after the end": (_ending(b"vervalst\n"), "does not end with the pointer"),
}
"""Found in review: a trailer without /Root (pyHanko takes an earlier one, poppler repairs
the file) or a comment "%startxref 0" after %%EOF (poppler takes the last "startxref" it
finds, even in a comment, and repairs) made poppler show forged definitions that were listed
under other numbers, under PASSED. Every trailer must repeat the document's entries, the
file must end at its newest pointer, and a definition must be listed as what it is."""


# --- the page tree (verify/changes.py) ----------------------------------------------------


def _page_tree_root(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    root: generic.DictionaryObject = writer.root["/Pages"]
    return root


def shadow_page(data: bytes) -> bytes:
    """A new node typed /Pages but with no /Kids, first in the root's /Kids, carrying its
    own content: this review took it for an inner node (no pages), viewers for page 1."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        root = _page_tree_root(writer)
        first = root["/Kids"][0]
        content = writer.add_object(generic.StreamObject(stream_data=FORGED_CONTENT))
        shadow = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Pages"),
                pdf_name("/Parent"): writer.root.raw_get("/Pages"),
                pdf_name("/MediaBox"): first["/MediaBox"],
                pdf_name("/Resources"): generic.DictionaryObject(_helvetica(writer)),
                pdf_name("/Contents"): content,
            }
        )
        root["/Kids"].insert(0, writer.add_object(shadow))
        writer.update_container(root)

    return _update(data, change)


def _page_tree_root_set(key: str, value: generic.PdfObject) -> Attack:
    """One entry set on the root of the page tree (what every page inherits or counts)."""

    def attack(data: bytes) -> bytes:
        def change(writer: IncrementalPdfFileWriter) -> None:
            root = _page_tree_root(writer)
            root[pdf_name(key)] = value
            writer.update_container(root)

        return _update(data, change)

    return attack


page_count_changed = _page_tree_root_set("/Count", generic.NumberObject(1))
"""The root's /Count lowered: viewers show fewer pages."""


def intermediate_node_with_a_crop_box(data: bytes) -> bytes:
    """A new inner node between the root and the pages, with a /CropBox the pages inherit
    in viewers; the pages' own /Parent still names the root."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        root = _page_tree_root(writer)
        node = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Pages"),
                pdf_name("/Parent"): writer.root.raw_get("/Pages"),
                pdf_name("/Kids"): generic.ArrayObject(list(root["/Kids"])),
                pdf_name("/Count"): root["/Count"],
                pdf_name("/CropBox"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (0, 0, 595, 200)]
                ),
            }
        )
        root[pdf_name("/Kids")] = generic.ArrayObject([writer.add_object(node)])
        writer.update_container(root)

    return _update(data, change)


page_tree_rotated = _page_tree_root_set("/Rotate", generic.NumberObject(180))
"""/Rotate 180 on the root of the page tree, inherited by every page."""


PAGE_TREE_ATTACKS: dict[str, Attack] = {
    "a node typed /Pages without /Kids shown as page 1": shadow_page,
    "the page count lowered": page_count_changed,
    "an inner node with a crop box put between root and pages": intermediate_node_with_a_crop_box,
    "the page tree rotated": page_tree_rotated,
}
"""Changes to the page tree after signing (the first three PASSED before: the review took
the first node for an inner node, and compared pages but not the nodes above them)."""
