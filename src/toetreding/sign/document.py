"""Reading the PDF that is to be signed: is it a toetreding statement, which fields are free.

A statement carries two signature fields placed at render time (see
:class:`~toetreding.model.SignatureSlot`). Signing fills one of them; it never creates a
new field, so the signature lands where the text says "namens deze", already tagged for
PDF/UA. Anything else (not a PDF, encrypted, no statement fields, the field taken) is
refused before a key is touched.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from ..embedded import EmbeddedDataError, EmbeddedStatement, read_from_xmp
from ..errors import InputFileError, SigningError
from ..filelimits import read_limited
from ..i18n import _
from ..model import SignatureSlot


@dataclass(frozen=True)
class FieldState:
    """One signature field of the statement."""

    name: str
    signed: bool
    width: float
    height: float


@dataclass(frozen=True)
class StatementPdf:
    """A statement PDF read into memory, with its signature fields."""

    path: Path
    data: bytes
    fields: dict[str, FieldState]
    language: str
    """'nl' or 'en', from the document's /Lang (for the visible signature's wording)."""
    embedded: EmbeddedStatement | None
    """The statement's data and chain of authority from the XMP (None if absent)."""
    party_certificate: Any = None
    """The certificate of the party's signature, once there is one (asn1crypto)."""

    @property
    def signed_slots(self) -> list[SignatureSlot]:
        """The statement's fields that already hold a signature."""
        return [s for s in SignatureSlot if s.value in self.fields and self.fields[s.value].signed]


MAX_STATEMENT_BYTES = 256 * 1024 * 1024
"""A statement is a few hundred kilobytes; far larger is not a statement (or a device)."""


def read_pdf_bytes(path: Path) -> bytes:
    """The file's bytes, refusing what is plainly not a PDF."""
    data = read_limited(
        path,
        limit=MAX_STATEMENT_BYTES,
        what=_("the PDF"),
        missing_hint=_("check the file name"),
    )
    if b"%PDF-" not in data[:1024]:
        raise InputFileError(
            _("'{path}' is not a PDF (no %PDF header)").format(path=path),
            hint=_("give the statement rendered by `toetreding render`"),
        )
    return data


def refuse_ambiguous_structure(data: bytes, reader: Any, path: Path) -> None:
    """Refuse, before any PIN is asked, a statement that viewers and pyHanko read as
    different documents: the signer would approve what the viewer shows and sign what
    pyHanko read (found in review: a page naming /Contents twice showed the clean text in
    poppler, and the signature was made over the version with a forged line — which then
    passed verify, the ambiguity now sitting in the signed part). The same rules `verify`
    applies to a file's latest revision."""
    from ..verify.filestructure import structure_problems

    problems = structure_problems(data, reader, None)
    if problems:
        raise InputFileError(
            _(
                "'{path}' is not signed: PDF readers would read it as different documents "
                "({problem})"
            ).format(path=path, problem=problems[0]),
            hint=_(
                "sign the statement as `toetreding render` made it; ask whoever sent this "
                "file for the original"
            ),
        )


def open_reader(data: bytes, path: Path) -> PdfFileReader:
    """A pyHanko reader over ``data``; damaged or encrypted files are refused."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise InputFileError(
                _("'{path}' is encrypted; statements are never encrypted").format(path=path),
                hint=_("use the unencrypted statement as rendered by `toetreding render`"),
            )
        _unused = reader.root  # forces reading the catalog
    except InputFileError:
        raise
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        raise InputFileError(
            _("'{path}' is a damaged PDF: {error}").format(path=path, error=error),
            hint=_("render the statement again with `toetreding render`"),
        ) from None
    return reader


def read_statement(path: Path, *, check_structure: bool = True) -> StatementPdf:
    """Read a statement and its signature fields; refuse other PDFs.

    ``check_structure``: refuse a file that PDF readers would read differently (see
    :func:`refuse_ambiguous_structure`); off only where the file was just verified whole.
    """
    data = read_pdf_bytes(path)
    reader = open_reader(data, path)
    if check_structure:
        refuse_ambiguous_structure(data, reader, path)
    fields: dict[str, FieldState] = {}
    try:
        for name, value, field_ref in enumerate_sig_fields(reader):
            field = field_ref.get_object()
            kids = field.get("/Kids")
            widget = kids[0].get_object() if kids else field  # the field's one widget
            x1, y1, x2, y2 = (float(v) for v in widget.get("/Rect", [0, 0, 0, 0]))
            fields[str(name)] = FieldState(
                name=str(name), signed=value is not None, width=abs(x2 - x1), height=abs(y2 - y1)
            )
    except (PdfError, ValueError, KeyError, TypeError) as error:
        raise InputFileError(
            _("'{path}' has a damaged form: {error}").format(path=path, error=error)
        ) from None
    if not any(slot.value in fields for slot in SignatureSlot):
        if _is_unsigned_rendering(reader):
            raise SigningError(
                _(
                    "'{path}' is a rendering without signature fields, such as the unofficial "
                    "English translation: only the authentic (Dutch) statement is signed"
                ).format(path=path),
                hint=_("render the statement in Dutch (--lang nl) and sign that one"),
            )
        raise SigningError(
            _(
                "'{path}' is not a toetreding statement: it has no field "
                "'{party_field}' or '{consent_field}'"
            ).format(
                path=path,
                party_field=SignatureSlot.PARTY.value,
                consent_field=SignatureSlot.COORDINATOR.value,
            ),
            hint=_("sign the PDF made by `toetreding render`, which places these fields"),
        )
    lang = str(reader.root.get("/Lang", "nl")).lower()
    embedded = read_embedded(reader, path)
    party_certificate = None
    if fields.get(SignatureSlot.PARTY.value, FieldState("", False, 0, 0)).signed:
        signed_data, party_certificate = _embedded_the_party_signed(reader, path)
        if signed_data != embedded:
            raise SigningError(
                _(
                    "the statement data in '{path}' was changed after the party signed it, so "
                    "the chain it now names is not the one the party signed"
                ).format(path=path),
                hint=_("sign the statement as the party signed it (ask for the original file)"),
            )
    return StatementPdf(
        path=path,
        data=data,
        fields=fields,
        language="en" if lang.startswith("en") else "nl",
        embedded=embedded,
        party_certificate=party_certificate,
    )


def _is_unsigned_rendering(reader: PdfFileReader) -> bool:
    """A toetreding rendering that carries statement data but no fields (a translation)."""
    try:
        metadata = reader.root.get("/Metadata")
        return metadata is not None and read_from_xmp(metadata.get_object().data) is not None
    except (EmbeddedDataError, PdfError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _embedded_the_party_signed(
    reader: PdfFileReader, path: Path
) -> tuple[EmbeddedStatement | None, Any]:
    """The statement record in the revision the party's signature covers (the chains that
    bind the consent are the ones the party signed, as `verify` reads them), and the
    certificate the party signed with."""
    try:
        signature = next(
            s
            for s in reader.embedded_regular_signatures
            if str(s.field_name) == SignatureSlot.PARTY.value
        )
        view = reader.get_historical_resolver(signature.signed_revision)
        metadata = view.root.get("/Metadata")
        record = read_from_xmp(metadata.get_object().data) if metadata is not None else None
        return record, signature.signer_cert
    except (StopIteration, EmbeddedDataError, PdfError, ValueError, KeyError, TypeError) as error:
        raise InputFileError(
            _("'{path}': the party's signed revision cannot be read ({error})").format(
                path=path, error=error
            ),
            hint=_("use the statement as the party signed it"),
        ) from None


def read_embedded(reader: PdfFileReader, path: Path) -> EmbeddedStatement | None:
    """The embedded statement record from the document's current XMP, if any."""
    try:
        metadata = reader.root.get("/Metadata")
        if metadata is None:
            return None
        return read_from_xmp(metadata.get_object().data)
    except EmbeddedDataError as error:
        raise InputFileError(f"'{path}': {error}", hint=_("render the statement again")) from None
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputFileError(
            _("'{path}' has unreadable XMP metadata: {error}").format(path=path, error=error)
        ) from None


def choose_slot(statement: StatementPdf, requested: str | None) -> SignatureSlot:
    """The field to sign: the one asked for, else the first free one in signing order."""
    if requested is not None:
        try:
            slot = SignatureSlot(requested)
        except ValueError:
            known = ", ".join(s.value for s in SignatureSlot)
            raise SigningError(
                _("'{requested}' is not a statement signature field").format(requested=requested),
                hint=_("use one of: {fields}").format(fields=known),
            ) from None
        state = statement.fields.get(slot.value)
        if state is None:
            raise SigningError(
                _("'{path}' has no field '{field}'").format(path=statement.path, field=slot.value),
                hint=_("render the statement again with the current templates"),
            )
        if state.signed:
            raise SigningError(
                _("field '{field}' in '{path}' is already signed").format(
                    field=slot.value, path=statement.path
                ),
                hint=_(
                    "a signed field cannot be signed again; sign the other field or start "
                    "from the unsigned statement"
                ),
            )
    else:
        free = [
            s
            for s in SignatureSlot
            if s.value in statement.fields and not statement.fields[s.value].signed
        ]
        if not free:
            raise SigningError(
                _("every signature field in '{path}' is already signed").format(
                    path=statement.path
                ),
                hint=_("nothing left to sign; use `toetreding extend` to raise the level"),
            )
        slot = free[0]
    if slot is SignatureSlot.PARTY and SignatureSlot.COORDINATOR in statement.signed_slots:
        raise SigningError(
            _(
                "the consent is already signed; the party's signature must come first, so this "
                "statement cannot be completed"
            ),
            hint=_("start from the statement as the party signs it (before any consent)"),
        )
    if slot is SignatureSlot.COORDINATOR and SignatureSlot.PARTY not in statement.signed_slots:
        raise SigningError(
            _(
                "the consent can only follow the party's signature, and the party has not "
                "signed yet"
            ),
            hint=_("first sign field '{field}' (the party's signature)").format(
                field=SignatureSlot.PARTY.value
            ),
        )
    return slot
