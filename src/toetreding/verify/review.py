"""The change checks of one file, shared by all its signatures.

Each signature is reviewed against the positive list of :mod:`.changes` from its own signed
revision (sharing what the reviews read, :class:`.changes.RevisionCache`). pyHanko's
structural difference analysis, the second opinion for statements, is asked once per file,
from the earliest signed revision: that window covers every object written after any
signature. Only when it objects is it asked again per signature, to say which signatures
the objection concerns.
"""

from __future__ import annotations

from typing import Any

from .changes import Change, ChangePolicy, RevisionCache, review_changes


class FileReview:
    """Change reviews for the signatures of one file."""

    def __init__(self, reader: Any, policy: ChangePolicy, signed_revisions: list[int]) -> None:
        self.reader = reader
        self.policy = policy
        self._earliest = min(signed_revisions) if signed_revisions else None
        self._cache = RevisionCache(reader, self._earliest)
        self._whole_history_suspicious: bool | None = None

    def changes_after(self, revision: int) -> list[Change]:
        """Every difference after a signed revision, judged against the positive list."""
        return review_changes(self.reader, revision, self.policy, self._cache)

    def pyhanko_objects_after(self, revision: int) -> bool:
        """Whether pyHanko's difference analysis calls what followed ``revision`` suspicious."""
        if self._whole_history_suspicious is None:
            widest = self._earliest if self._earliest is not None else revision
            self._whole_history_suspicious = _suspicious(self.reader, min(widest, revision))
        if not self._whole_history_suspicious:
            return False
        return _suspicious(self.reader, revision)


def _suspicious(reader: Any, revision: int) -> bool:
    from pyhanko.sign.diff_analysis import SuspiciousModification

    from .diffpolicy import STATEMENT_DIFF_POLICY

    try:
        outcome = STATEMENT_DIFF_POLICY.review_file(reader, revision)
    except Exception:
        return True  # unreadable for pyHanko: its opinion is "cannot explain"
    return isinstance(outcome, SuspiciousModification)
