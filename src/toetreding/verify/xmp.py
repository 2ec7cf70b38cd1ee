"""XMP metadata as plain properties, so two packets can be compared by meaning.

Signing rewrites the XMP packet: pyHanko turns elements into attributes, nested
``rdf:parseType="Resource"`` into ``rdf:Description``, literals into ``rdf:resource``,
and renames prefixes. None of that changes a property, but a viewer shows some of them to
the reader (``dc:title`` with DisplayDocTitle, which PDF/UA sets). This module reads a
packet into ``{"{namespace}name": value}``, where a value is a string, a tuple of values
(``rdf:Seq``, ``rdf:Bag``, ``rdf:Alt``; language alternatives as ``(lang, text)``) or a
sorted tuple of ``(name, value)`` pairs for a structure, and changes.py compares the
properties that signing may not change.
"""

from __future__ import annotations

import functools
from typing import Any
from xml.etree import ElementTree

from ..i18n import _

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_XMP_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32

SIGNING_UPDATES = frozenset(
    {
        "{http://ns.adobe.com/xap/1.0/}ModifyDate",
        "{http://ns.adobe.com/xap/1.0/}MetadataDate",
        "{http://ns.adobe.com/pdf/1.3/}Producer",
    }
)
"""Properties a signing tool legitimately rewrites (the /Info /ModDate and /Producer)."""

PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/pdf/1.3/": "pdf",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://www.aiim.org/pdfa/ns/id/": "pdfaid",
    "http://www.aiim.org/pdfua/ns/id/": "pdfuaid",
    "http://www.aiim.org/pdfa/ns/extension/": "pdfaExtension",
    "http://ns.toetreding.nl/verklaring/1.0/": "toetreding",
}


class XmpError(ValueError):
    """The packet is not XMP that can be read safely."""


def properties(packet: bytes) -> dict[str, Any]:
    """The packet's properties by expanded name; raises XmpError for anything else.

    The reviews of one file compare the same few packets again and again (each signature
    against each later revision), so the last packets read are remembered by their bytes;
    errors are not remembered (they are raised anew, in the language of the moment).
    """
    return dict(_properties(bytes(packet)))


@functools.lru_cache(maxsize=8)
def _properties(packet: bytes) -> dict[str, Any]:
    if len(packet) > MAX_XMP_BYTES:
        raise XmpError(_("the metadata packet is too large"))
    if b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
        raise XmpError(_("the metadata packet declares entities"))
    try:
        root = ElementTree.fromstring(packet)
    except ElementTree.ParseError:
        raise XmpError(_("the metadata packet is not well-formed XML")) from None
    if root.tag != "{adobe:ns:meta/}xmpmeta":
        raise XmpError(_("the metadata packet is not XMP"))
    # the one shape XMP writers use: x:xmpmeta holding rdf:RDF holding rdf:Description —
    # a description beside rdf:RDF, or a typed node, carried a second title that lenient
    # readers show while this reading did not see it (found in review)
    if any(child.tag != f"{{{RDF}}}RDF" for child in root):
        raise XmpError(_("the metadata packet holds something beside its RDF"))
    found: dict[str, Any] = {}
    for rdf in root.iter(f"{{{RDF}}}RDF"):
        if any(child.tag != f"{{{RDF}}}Description" for child in rdf):
            raise XmpError(_("the metadata packet's RDF holds something besides descriptions"))
        for description in rdf.findall(f"{{{RDF}}}Description"):
            for name, value in _fields(description, 0):
                if name in found and found[name] != value:
                    raise XmpError(
                        _("the metadata packet states {name} twice").format(name=readable(name))
                    )
                found[name] = value
    return found


def readable(name: str) -> str:
    """'{http://purl.org/dc/elements/1.1/}title' → 'dc:title'."""
    namespace, _separator, local = name[1:].partition("}")
    return f"{PREFIXES.get(namespace, namespace)}:{local}"


def _fields(element: ElementTree.Element, depth: int) -> list[tuple[str, Any]]:
    if depth > MAX_DEPTH:
        raise XmpError(_("the metadata packet is nested too deeply"))
    fields = [
        (name, value)
        for name, value in element.attrib.items()
        if not name.startswith(f"{{{RDF}}}") and name != XML_LANG
    ]
    fields += [(child.tag, _value(child, depth + 1)) for child in element]
    return fields


def _value(element: ElementTree.Element, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise XmpError(_("the metadata packet is nested too deeply"))
    resource = element.get(f"{{{RDF}}}resource")
    if resource is not None:
        return resource
    children = list(element)
    if element.get(f"{{{RDF}}}parseType") == "Resource":
        return _structure(element, depth)
    if len(children) == 1 and children[0].tag == f"{{{RDF}}}Description":
        return _structure(children[0], depth)
    if len(children) == 1 and children[0].tag in (
        f"{{{RDF}}}Seq",
        f"{{{RDF}}}Bag",
        f"{{{RDF}}}Alt",
    ):
        items = []
        for item in children[0].findall(f"{{{RDF}}}li"):
            value = _value(item, depth + 1)
            language = item.get(XML_LANG)
            items.append((language, value) if language is not None else value)
        return tuple(items)
    if children:
        return _structure(element, depth)
    qualifiers = [
        key for key in element.attrib if not key.startswith(f"{{{RDF}}}") and key != XML_LANG
    ]
    if qualifiers:
        return _structure(element, depth)
    return (element.text or "").strip()


def _structure(element: ElementTree.Element, depth: int) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(_fields(element, depth), key=lambda pair: pair[0]))
