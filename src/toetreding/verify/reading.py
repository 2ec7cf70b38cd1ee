"""Reading a file's signatures: every one, tolerant where real signers are untidy.

pyHanko's own list of signatures stops at the first field whose value is not a signature
dictionary, silently skips signatures with an unknown sub-filter, and refuses a whole
signature when its /M date is written in a dialect (``Z'``, ``Z00'00'``, ``+0100``) that
LibreOffice and others write. The first two would let an update hide a signature; the
last is a false alarm on an intact signature. This module lists every filled signature
field, says what cannot be read, and reads /M leniently (it is only the signer's claim).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from ..i18n import _

PDF_DATE = re.compile(
    r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?.*$"
)


def lenient_pdf_date(value: Any) -> dt.datetime | None:
    """A PDF date in any of the dialects signers write, or None."""
    match = PDF_DATE.match(str(value or "").strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (
        int(g) if g else d for g, d in zip(match.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True)
    )
    offset = dt.timedelta(0)
    if match.group(8):
        offset = dt.timedelta(hours=int(match.group(9)), minutes=int(match.group(10) or 0))
        if match.group(8) == "-":
            offset = -offset
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.timezone(offset))
    except ValueError:
        return None


def read_signatures(reader: Any, problems: list[str]) -> list[Any]:
    """Every filled signature field as a pyHanko signature, in signing order.

    What cannot be read is appended to ``problems`` as a sentence.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception:
        problems.append(_("the form's signature fields cannot be read: the form is damaged"))
        return []
    lenient = _lenient_class()
    found: list[tuple[int, Any]] = []
    for name, value, field in fields:
        try:
            resolved = value.get_object() if isinstance(value, generic.IndirectObject) else value
            if not isinstance(resolved, generic.DictionaryObject):
                problems.append(
                    _("the signature field '{name}' holds a value that is not a signature").format(
                        name=name
                    )
                )
                continue
            signature = lenient(reader, field, name)
            found.append((int(signature.signed_revision), signature))
        except Exception:
            problems.append(
                _("the signature in field '{name}' cannot be read: it is damaged").format(name=name)
            )
    return [signature for _revision, signature in sorted(found, key=lambda pair: pair[0])]


@functools.cache
def _lenient_class() -> Any:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    class LenientSignature(EmbeddedPdfSignature):
        """A signature whose /M date is read in any dialect signers write."""

        @property
        def self_reported_timestamp(self) -> dt.datetime | None:
            try:
                moment: dt.datetime | None = super().self_reported_timestamp
            except PdfReadError:
                moment = lenient_pdf_date(self.sig_object.get("/M"))
            return moment

    return LenientSignature
