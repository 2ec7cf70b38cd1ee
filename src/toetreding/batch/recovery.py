"""Recording as work happens, and finding what an interrupted run left unrecorded.

The leader owns the register: each party's entry is appended right after that party's
file is renamed into place (:class:`Recorder`). A kill -9 between the rename and the
append leaves a file the register does not know, and the manifest — saved every few
seconds — may not know it either. So before each stage the run looks at the files that
are there and asks the register (:class:`RegisterIndex`, read once per run):

* a file the register knows, made from the same inputs, is adopted into the manifest and
  not made again;
* a signed file the register does not know is kept when it is the signed form of the
  current statement — its bytes begin with the statement's bytes (a signature is an
  incremental update) and it carries a filled party signature field — and recorded now,
  marked ``hersteld_na_onderbreking``. It is never signed again and replaced. (The verify
  stage then checks it like any other.) A signed file that is *not* over the current
  statement is recorded the same way before it is replaced, so it leaves a trace;
* a statement the register does not know is rendered again, since its inputs are
  unknown; rendering is deterministic, so when the new file is byte-identical its entry
  is marked recovered, and otherwise the found file is recorded as replaced.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import _
from ..register import Entry, EntryKind, Register, RegisterError
from .lifeline import Interrupts

RECOVERED = "hersteld_na_onderbreking"
"""Payload flag of an entry recorded after the fact: the file was written, its entry not."""

Item = tuple[EntryKind, dict[str, Any]]


class RegisterIndex:
    """What the register says about files, returns and renders, read once per run
    (``Register.find_document`` reads the whole register per call; a batch asks hundreds)."""

    def __init__(self, register: Register | None) -> None:
        self.enabled = register is not None
        self._made: dict[str, list[Entry]] = {}
        self._returned: dict[str, Entry] = {}
        self._rendered: dict[str, set[str]] = {}
        if register is not None:
            for entry in register.entries():
                self.add(entry)

    def add(self, entry: Entry) -> None:
        """Take a new entry into account."""
        made = entry.payload.get("uitvoer_sha256")
        if isinstance(made, str):
            self._made.setdefault(made, []).append(entry)
        checked = entry.payload.get("document_sha256")
        if entry.kind == EntryKind.RETURN.value and isinstance(checked, str):
            self._returned[checked] = entry
        if entry.kind == EntryKind.RENDER.value and isinstance(made, str):
            code = party_code_of(entry.payload.get("partij"))
            if code:
                self._rendered.setdefault(code, set()).add(made)

    def rendered(self, code: str) -> set[str]:
        """SHA-256 of every statement the register records as rendered for this party."""
        return self._rendered.get(code, set())

    def returned(self, digest: str) -> Entry | None:
        """The newest entry recording a returned file with this SHA-256 (see `collect`)."""
        return self._returned.get(digest)

    def made(self, digest: str, kind: EntryKind) -> Entry | None:
        """The newest entry of ``kind`` that produced a file with this SHA-256."""
        found = [e for e in self._made.get(digest, []) if e.kind == kind.value]
        return found[-1] if found else None


def party_code_of(label: object) -> str | None:
    """The CBS code in a register entry's party label, 'Huizen (GM0406)' → 'GM0406'."""
    if not isinstance(label, str) or not label.endswith(")") or "(" not in label:
        return None
    return label.rsplit("(", 1)[1][:-1].strip().upper() or None


class Recorder:
    """Appends one entry per step as it happens (nothing when the register is off).

    An append is never cut short by Ctrl-C or SIGTERM (the signal waits until the entry
    and the register's head file are both written).
    """

    def __init__(
        self,
        register: Register | None,
        interrupts: Interrupts,
        responsible: dict[str, Any] | None = None,
    ) -> None:
        self._register = register
        self.responsible = responsible
        """The official who answers for the validations this run records (Archiefregeling
        art. 24 under c), as :func:`toetreding.archive_config.official_record` gives it."""
        self.interrupts = interrupts
        self.index = RegisterIndex(register)
        self.recovered = 0
        """Entries recorded after the fact (flagged :data:`RECOVERED`)."""

    def stored_path(self, path: Path) -> str:
        """How the register records ``path`` (relative to the workspace when inside it)."""
        if self._register is None:
            return str(path.resolve())
        return self._register.stored_path(path)

    def record(self, item: Item, made: Path | None = None) -> Entry | None:
        """Append ``item`` and return its entry (None when the register is off). If that
        fails, the file ``made`` for it is removed again (no unrecorded output is left
        behind) and the error stops the run."""
        if self._register is None:
            return None
        try:
            with self.interrupts.deferred():
                (entry,) = self._register.append_many([item])
        except RegisterError as error:
            if made is not None:
                made.unlink(missing_ok=True)
            message = error.message
            if made is not None:
                message = _("{message}; '{file}' was removed again").format(
                    message=message, file=made
                )
            raise RegisterError(message, hint=error.hint) from None
        self.index.add(entry)
        if entry.payload.get(RECOVERED):
            self.recovered += 1
        return entry


@dataclass(frozen=True)
class FoundSignature:
    """What a signed file left by an interrupted run says about its party signature."""

    field: str
    signer: Any
    """A :class:`toetreding.pki.certificates.CertificateSummary`, or None if unreadable."""
    signing_time: dt.datetime | None


def party_signature_over(signed: Path, statement: bytes, field: str) -> FoundSignature | None:
    """The signature in ``field`` when ``signed`` is ``statement`` with signatures added
    (an incremental update: the statement's bytes come first, unchanged), else None."""
    try:
        data = signed.read_bytes()
    except OSError:
        return None
    if len(data) <= len(statement) or not data.startswith(statement):
        return None
    from pyhanko.pdf_utils.reader import PdfFileReader

    from ..pki.certificates import summarise
    from ..verify.reading import read_signatures

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        for signature in read_signatures(reader, []):
            if str(signature.field_name) == field:
                return FoundSignature(
                    field, summarise(signature.signer_cert), signature.self_reported_timestamp
                )
    except Exception:  # unreadable: not a signed statement we can keep
        return None
    return None


def recovered_signature(
    found: FoundSignature | None,
    source: Path,
    source_sha256: str | None,
    output: Path,
    digest: str,
) -> Item:
    """The entry for a signed file found unrecorded: kept (``found``, over the statement
    ``source_sha256``), or not over the current statement and about to be replaced."""
    payload: dict[str, Any] = {
        "document": str(source.resolve()),
        "uitvoer": str(output.resolve()),
        "uitvoer_sha256": digest,
        RECOVERED: True,
        "toelichting": "found in the batch output after an interrupted run: the file was "
        "written, its entry was not",
    }
    if source_sha256 is not None:
        payload["invoer_sha256"] = source_sha256
    else:
        payload["vervangen"] = True  # not over the current statement: it is signed again
    if found is not None:
        payload["veld"] = found.field
        if found.signer is not None:
            payload["ondertekenaar"] = found.signer.common_name
            payload["onderwerp"] = found.signer.subject
            payload["certificaat"] = {
                "uitgever": found.signer.issuer,
                "serienummer": found.signer.serial_number,
                "sha256": found.signer.sha256_fingerprint,
            }
        if found.signing_time is not None:
            payload["tijdstip"] = found.signing_time.isoformat()
    return EntryKind.SIGNATURE, payload


def recovered_render(party: str, batch: Path, output: Path, digest: str, **known: Any) -> Item:
    """The entry for a statement found unrecorded (``known``: what else is certain)."""
    return EntryKind.RENDER, {
        "batch": str(batch.resolve()),
        "partij": party,
        "uitvoer": str(output.resolve()),
        "uitvoer_sha256": digest,
        RECOVERED: True,
        "toelichting": "found in the batch output after an interrupted run: the file was "
        "written, its entry was not",
        **known,
    }
