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
        remember_last_changes(reader)
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
        from .usage_paths import precompute

        try:
            # the map of usages pyHanko would build by copying every object (or its own)
            precompute(self.reader.get_historical_resolver(revision))
            outcome = STATEMENT_DIFF_POLICY.review_file(self.reader, revision)
        except Exception:
            return True  # unreadable for pyHanko: its opinion is "cannot explain"
        return isinstance(outcome, SuspiciousModification)


def remember_last_changes(reader: Any) -> None:
    """Answer "in which revision was this object last written?" once per object.

    Every historical read (ours and pyHanko's) asks it, and pyHanko answers by trying every
    cross-reference section from the newest back (≈ 5–10 % of verifying a statement with
    four signatures). The sections of a file being read never change, so the answer, or
    the KeyError for an object no section has, is remembered as it was given.
    """
    xrefs = reader.xrefs
    if getattr(xrefs, "_toetreding_remembers", False):
        return
    ask = xrefs.get_last_change
    answers: dict[tuple[int, int], int | None] = {}

    def get_last_change(ref: Any) -> int:
        key = (int(ref.idnum), int(ref.generation))
        if key not in answers:
            try:
                answers[key] = ask(ref)
            except KeyError:
                answers[key] = None
        answer = answers[key]
        if answer is None:
            raise KeyError(ref)
        return answer

    xrefs.get_last_change = get_last_change
    xrefs._toetreding_remembers = True
