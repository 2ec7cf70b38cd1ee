"""Checking one returned statement for its party: the judgement `collect` records.

A return is acceptable only when all of these hold, and each one that fails becomes a
reason a clerk can send back:

* the party's signature is the *first* thing added to the prepared statement (nothing was
  changed between preparing and signing: the signed revision is the prepared statement,
  byte for byte, plus that signature);
* `verify` passes it: signature intact and trusted, chain of authority for this party
  and this certificate, nothing changed after signing but validation data and timestamps;
* its PAdES level is at least the round's minimum;
* the consent field is still empty (only the coordinating party fills it, in `accept`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _
from ..model import SignatureSlot
from ..signing_config import SignatureLevel
from .files import ACCEPTABLE, REJECTED

if TYPE_CHECKING:
    from ..verify import VerifyOptions


@dataclass
class ReturnVerdict:
    """What `collect` concluded about one return."""

    outcome: str
    """:data:`ACCEPTABLE` or :data:`REJECTED`."""
    reasons: list[str] = field(default_factory=list)
    verification: str | None = None
    """The `verify` verdict (PASSED, FAILED, …), when it was verified."""
    signer: str | None = None
    level: str | None = None
    signed_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "uitslag": self.outcome,
            "redenen": self.reasons,
            "verificatie": self.verification,
            "ondertekenaar": self.signer,
            "niveau": self.level,
            "ondertekend": self.signed_at,
        }


def check_return(
    path: Path,
    stored_sha256: str,
    prepared: Path,
    prepared_sha256: str,
    minimum_level: str,
    options: VerifyOptions,
) -> ReturnVerdict:
    """Judge the return stored at ``path`` against the party's ``prepared`` statement
    (which must still be the one its round file names).

    The bytes are read once and must be the ones stored (``stored_sha256``): what is
    matched, verified and — at accept — signed over is one and the same content, even if
    someone changes the file in the round folder meanwhile."""
    import hashlib

    from ..verify.statement import verify_data

    try:
        statement = prepared.read_bytes()
        returned = path.read_bytes()
    except OSError as error:
        return ReturnVerdict(
            REJECTED,
            [
                _("'{file}' cannot be read ({reason}); run collect again").format(
                    file=error.filename or path.name, reason=error.strerror or error
                )
            ],
        )
    if hashlib.sha256(returned).hexdigest() != stored_sha256:
        return ReturnVerdict(
            REJECTED,
            [
                _(
                    "the stored return '{file}' was changed after it was collected; run "
                    "collect again"
                ).format(file=path.name)
            ],
        )
    if hashlib.sha256(statement).hexdigest() != prepared_sha256:
        return ReturnVerdict(
            REJECTED,
            [
                _(
                    "the prepared statement in the round folder is not the one its round file "
                    "names (it was replaced after the round was prepared); nothing can be "
                    "matched against it"
                )
            ],
        )
    if not returned.startswith(statement):
        return ReturnVerdict(
            REJECTED,
            [
                _(
                    "this is not the statement prepared for this party: it does not begin "
                    "with the prepared statement"
                )
            ],
        )
    prepared_revisions = revisions_of(statement)
    report = verify_data(returned, path, options)  # the bytes checked above, not the file again
    verdict = ReturnVerdict(ACCEPTABLE, verification=report.verdict.value)
    party = next((s for s in report.signatures if s.field_name == SignatureSlot.PARTY.value), None)
    if party is None:
        verdict.reasons.append(
            _("the statement came back without the party's signature; have it signed and sent back")
        )
    else:
        verdict.signer = party.signer.common_name if party.signer else None
        verdict.level = party.level
        verdict.signed_at = party.signing_time
        if party.revision != prepared_revisions:
            verdict.reasons.append(
                _(
                    "the statement was changed after it was prepared and before it was signed "
                    "(the signature covers more than the prepared statement); have the prepared "
                    "statement signed unchanged"
                )
            )
        else:
            verdict.reasons.extend(
                _changed_with_the_signature(returned, len(statement), prepared_revisions)
            )
        wanted = SignatureLevel(minimum_level)
        if party.level is None or SignatureLevel(party.level).rank < wanted.rank:
            verdict.reasons.append(
                _(
                    "the signature is at level {found}; this round asks for {wanted} or higher "
                    "(a timestamp proves when it was signed); have it signed again at {wanted}"
                ).format(found=party.level or _("below B-B"), wanted=wanted.value)
            )
    if any(s.field_name == SignatureSlot.COORDINATOR.value for s in report.signatures):
        verdict.reasons.append(
            _(
                "the consent field is already signed; only the coordinating party signs it, "
                "after this check; have the prepared statement signed in the party's field only"
            )
        )
    if not report.passed:
        chain = report.chain
        if party is not None and chain is not None and chain.present and not chain.authorised:
            # first, in words a clerk can pass on: who signed, and whom the chain names
            verdict.reasons.append(
                _(
                    "signed by {signer}, but the chain of authority names {expected}: have "
                    "the prepared statement signed by {expected} with that person's own "
                    "certificate"
                ).format(
                    signer=verdict.signer or _("an unknown signer"),
                    expected=chain.signer or _("the party's authorised signer"),
                )
            )
        verdict.reasons.extend(verify_reasons(report))
    if verdict.reasons:
        verdict.outcome = REJECTED
    return verdict


def verify_reasons(report: Any) -> list[str]:
    """Why `verify` did not pass the file, as sentences (the first few)."""
    reasons: list[str] = []
    if report.error:
        reasons.append(report.error)
    for signature in report.signatures:
        reasons.extend(signature.problems)
    reasons.extend(report.document.problems)
    if report.chain is not None:
        reasons.extend(report.chain.breaches)
        if not report.chain.authorised and not report.chain.breaches:
            reasons.append(_("the signer is not authorised by the party's chain of authority"))
    if not reasons:
        reasons.append(_("`verify` does not pass it ({verdict})").format(verdict=report.verdict))
    unique = list(dict.fromkeys(reasons))
    return [_("verify: {problem}").format(problem=reason) for reason in unique[:6]]


def _changed_with_the_signature(
    returned: bytes, prepared_end: int, prepared_revisions: int
) -> list[str]:
    """What the return changed in the prepared statement besides the party's signature.

    The signature's own revision may carry more than the signature: found in review, a
    mayor's signing revision also painted over page 1, and another signer's rewrote the
    chain of authority in the statement data to name himself — `verify` judges the chain
    the party signed, so both passed, were accepted and published. Judged by the same
    positive list as any change after a signature, from the prepared statement on.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    from ..verify.changes import ChangePolicy, forbidden, review_changes
    from ..verify.filestructure import structure_problems

    policy = ChangePolicy(
        statement_fields=(SignatureSlot.PARTY.value, SignatureSlot.COORDINATOR.value)
    )
    try:
        reader = PdfFileReader(io.BytesIO(returned), strict=False)
        changes = [
            c.description for c in forbidden(review_changes(reader, prepared_revisions - 1, policy))
        ]
        # and what verify asks of everything after a signed part, from the prepared
        # statement on (the party's own revision is part of what its signature covers)
        changes += structure_problems(returned, reader, prepared_end)
    except Exception:  # unreadable here means: not shown to be the prepared statement
        return [_("the return cannot be compared with the prepared statement")]
    return [
        _(
            "the party's signature came with another change to the prepared statement: "
            "{change}; have the prepared statement signed unchanged"
        ).format(change=change)
        for change in list(dict.fromkeys(changes))[:3]
    ]


def revisions_of(statement: bytes) -> int:
    """How many revisions a prepared statement has (pyHanko's count)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(statement), strict=False)
    return int(reader.xrefs.total_revisions)
