"""Which party a returned file belongs to, by its content alone.

A party signs the statement it was sent by *adding* to it (a PDF signature is an
incremental update), so a faithful return begins with the prepared statement's exact
bytes, ending where one of the return's revisions ends (after ``%%EOF``). File names,
e-mail subjects and covering letters are never trusted: a return is matched by the SHA-256
of such a prefix, so only a file that really contains the prepared statement matches.

A return that does not begin with any prepared statement may still *say* whose it is (the
statement data in its XMP): it was edited or made again before it was signed. It is then
rejected for that party with the reason, so the clerk can send the right file back; what
it says proves nothing, which is why it can only ever lead to a rejection.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .files import RoundParty

if TYPE_CHECKING:
    from ..embedded import EmbeddedStatement

_END_OF_FILE = re.compile(rb"%%EOF(\r\n|\r|\n)?")


class PreparedIndex:
    """The prepared statements of a round, found by size and SHA-256."""

    def __init__(self, parties: Iterable[RoundParty]) -> None:
        self._by_size: dict[int, dict[str, RoundParty]] = {}
        self.by_code: dict[str, RoundParty] = {}
        for party in parties:
            self._by_size.setdefault(party.statement_size, {})[party.statement_sha256] = party
            self.by_code[party.code] = party

    def prepared_in(self, data: bytes) -> RoundParty | None:
        """The party whose prepared statement ``data`` begins with (at a revision end)."""
        for match in _END_OF_FILE.finditer(data):
            # a revision may end right after %%EOF or after its line break; try both
            for end in {match.start() + 5, match.end()}:
                candidates = self._by_size.get(end)
                if candidates:
                    found = candidates.get(hashlib.sha256(data[:end]).hexdigest())
                    if found is not None:
                        return found
        return None

    def claimed_by(self, data: bytes) -> RoundParty | None:
        """The party a return *says* it is from (its statement data), if one of ours."""
        code = claimed_party_code(data)
        return self.by_code.get(code) if code else None


def claimed_party_code(data: bytes) -> str | None:
    """The CBS code in the newest statement data of a PDF, or None (never raises)."""
    embedded = claimed_statement(data)
    return embedded.party_code.upper() if embedded is not None else None


def claimed_statement(data: bytes) -> EmbeddedStatement | None:
    """The newest statement data of a PDF, or None (never raises)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from ..embedded import read_from_xmp

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        metadata = reader.root.get("/Metadata")
        if metadata is None:
            return None
        return read_from_xmp(metadata.get_object().data)
    except Exception:  # a hostile or broken file simply says nothing
        return None
