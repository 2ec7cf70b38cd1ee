"""The change checks of one file, shared by all its signatures.

Each signature is reviewed against the positive list of :mod:`.changes` from its own signed
revision, the reviews sharing what they read (:class:`.changes.RevisionCache`), and
pyHanko's structural difference analysis, the second opinion for statements, is asked from
that same revision. It must be asked per signature: pyHanko judges each later revision
against the base it is given, and from the earliest signature (whose revision has no
validation data yet) a later removal of the DSS or its /VRI looks like an addition, while
from the document timestamp before it it is the suspicious change it is.
"""

from __future__ import annotations

from typing import Any

from .changes import Change, ChangePolicy, RevisionCache, review_changes


class FileReview:
    """Change reviews for the signatures of one file."""

    def __init__(self, reader: Any, policy: ChangePolicy, signed_revisions: list[int]) -> None:
        self.reader = reader
        self.policy = policy
        self._cache = RevisionCache(reader, min(signed_revisions) if signed_revisions else None)

    def changes_after(self, revision: int) -> list[Change]:
        """Every difference after a signed revision, judged against the positive list."""
        return review_changes(self.reader, revision, self.policy, self._cache)

    def pyhanko_objects_after(self, revision: int) -> bool:
        """Whether pyHanko's difference analysis calls what followed ``revision`` suspicious."""
        from pyhanko.sign.diff_analysis import SuspiciousModification

        from .diffpolicy import STATEMENT_DIFF_POLICY

        try:
            outcome = STATEMENT_DIFF_POLICY.review_file(self.reader, revision)
        except Exception:
            return True  # unreadable for pyHanko: its opinion is "cannot explain"
        return isinstance(outcome, SuspiciousModification)
