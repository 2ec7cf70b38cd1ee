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


def _update(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
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


def chain_in_metadata_replaced(data: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        metadata = writer.root["/Metadata"].get_object()
        xmp = metadata.data.replace(b"Gemeente Testdorp", b"Gemeente Anderdorp")
        stream = generic.StreamObject(
            {pdf_name("/Type"): pdf_name("/Metadata"), pdf_name("/Subtype"): pdf_name("/XML")},
            stream_data=xmp,
        )
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()

    return _update(data, change)


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


INCREMENTAL_ATTACKS: dict[str, Attack] = {
    "page content replaced": page_content_replaced,
    "annotation laid over the text": annotation_over_text,
    "form field laid over the text": form_field_over_text,
    "page box changed": page_box_changed,
    "font replaced": font_replaced,
    "page tree replaced": page_tree_replaced,
    "catalog replaced": catalog_replaced,
    "chain in the metadata replaced": chain_in_metadata_replaced,
}

STRUCTURE_ATTACKS: dict[str, Attack] = {
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
