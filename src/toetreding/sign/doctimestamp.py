"""Document timestamps (PAdES B-LTA, and B-T by `extend`): one place, one shape.

Each goes into a new, zero-size signature field ``tijdstempel-N`` whose widget shows
nothing (PDF/A-2 forbids the Hidden flag, so the widget is printable but has no area) and
whose accessible name (/TU) is in the document's own language, for PDF/UA readers.
"""

from __future__ import annotations

import io
from typing import Any

TIMESTAMP_FIELD_PREFIX = "tijdstempel-"
"""Document timestamps go into fields tijdstempel-1, tijdstempel-2, …"""

ACCESSIBLE_NAMES = {
    "nl": "Documenttijdstempel: bewijs dat het document op dat moment zo bestond",
    "en": "Document timestamp: proof that the document existed like this at that moment",
}


def document_language(reader: Any) -> str:
    """'nl' or 'en', from the document's /Lang."""
    try:
        lang = str(reader.root.get("/Lang", "nl")).lower()
    except Exception:
        return "nl"
    return "en" if lang.startswith("en") else "nl"


def add_document_timestamp(data: bytes, timestamper: Any, validation_context: Any) -> bytes:
    """``data`` with one more document timestamp (validation data for its TSA included)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import PdfTimeStamper

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    number = len(writer.prev.embedded_timestamp_signatures) + 1
    stamper = PdfTimeStamper(
        timestamper,
        field_name=f"{TIMESTAMP_FIELD_PREFIX}{number}",
        readable_field_name=ACCESSIBLE_NAMES[document_language(writer.prev)],
    )
    output = io.BytesIO()
    stamper.timestamp_pdf(writer, "sha256", validation_context=validation_context, output=output)
    return output.getvalue()
