"""`toetreding status`: where every party of a round stands, from the round's files alone.

Only the small state files are read (round file, return verdicts, consent), never a PDF,
so the status of thousands of parties is instant and can be asked at any moment — also
while nothing else runs, and years later from a copy of the folder. The states, as machine
values (JSON, CSV) that never change with the language:

``voorbereid``  prepared and sent, nothing back yet
``retour``      a return passed `collect`'s checks; waiting for `accept`
``afgewezen``   only rejected returns so far (with the reasons to send back)
``te-laat``     nothing acceptable back and the due date has passed
``aanvaard``    the coordinating party consented; `verify` proved the effective date
``mislukt``     a consent was signed but did not pass `verify` (see the reasons)
``onbevestigd`` a state file the register does not confirm (a planted or edited file)

With a register (the workspace's), every verdict and consent file is checked against it:
a state file says what happened, the hash-chained register proves it. A file the register
does not confirm never shows as returned or accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..i18n import N_, _
from ..spreadsheet import as_text_cell
from .files import (
    ACCEPTABLE,
    ACCEPTED_FILE,
    RoundParty,
    acceptance_of,
    returns_of,
    round_parties,
    unreadable_party_folders,
)

STATUS_SCHEMA = "toetreding-ronde-status/1"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class PartyState(StrEnum):
    PREPARED = "voorbereid"
    RETURNED = "retour"
    REJECTED = "afgewezen"
    OVERDUE = "te-laat"
    ACCEPTED = "aanvaard"
    FAILED = "mislukt"
    UNCONFIRMED = "onbevestigd"


STATE_WORDS = {
    PartyState.PREPARED: N_("prepared"),
    PartyState.RETURNED: N_("returned, to accept"),
    PartyState.REJECTED: N_("rejected"),
    PartyState.OVERDUE: N_("overdue"),
    PartyState.ACCEPTED: N_("accepted"),
    PartyState.FAILED: N_("consent failed"),
    PartyState.UNCONFIRMED: N_("not confirmed by the register"),
}
"""What each state is called on screen (translated where shown)."""

STATE_ORDER = (
    PartyState.ACCEPTED,
    PartyState.RETURNED,
    PartyState.REJECTED,
    PartyState.OVERDUE,
    PartyState.PREPARED,
    PartyState.FAILED,
    PartyState.UNCONFIRMED,
)


@dataclass(frozen=True)
class PartyStatus:
    """One party's row."""

    code: str
    name: str
    state: PartyState
    due: str | None
    returns: int
    last_return: str | None
    """When the newest return was collected (ISO, UTC)."""
    signer: str | None
    """Who signed the acceptable (or newest) return."""
    reasons: list[str]
    """Why the newest return was rejected, or why the consent failed."""
    effective_date: str | None
    """The date the accession took effect (the consent's proven moment, Amsterdam)."""
    renewal_due: str | None = None
    """By when the accepted statement needs a new archive timestamp (`extend --due`), as
    `accept` found when it verified the consent."""


@dataclass(frozen=True)
class RoundStatus:
    """The whole round."""

    round_id: str
    covenant: str
    covenant_title: str
    folder: Path
    as_of: dt.date
    due: str | None
    parties: list[PartyStatus] = field(default_factory=list)
    note: str | None = None
    """Why the states could not be checked against the register (None: they were)."""

    @property
    def counts(self) -> dict[PartyState, int]:
        found = Counter(party.state for party in self.parties)
        return {state: found.get(state, 0) for state in STATE_ORDER}

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": STATUS_SCHEMA,
            "ronde": self.round_id,
            "convenant": self.covenant,
            "convenant_titel": self.covenant_title,
            "map": str(self.folder),
            "peildatum": self.as_of.isoformat(),
            "retour_uiterlijk": self.due,
            "opmerking": self.note,
            "aantallen": {state.value: count for state, count in self.counts.items()},
            "partijen": [
                {
                    "cbs_code": p.code,
                    "naam": p.name,
                    "status": p.state.value,
                    "retour_uiterlijk": p.due,
                    "retouren": p.returns,
                    "laatste_retour": p.last_return,
                    "ondertekenaar": p.signer,
                    "redenen": p.reasons,
                    "ingangsdatum": p.effective_date,
                    "vernieuwen_voor": p.renewal_due,
                }
                for p in self.parties
            ],
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        columns = [
            "cbs_code",
            "naam",
            "status",
            "retour_uiterlijk",
            "retouren",
            "laatste_retour",
            "ondertekenaar",
            "ingangsdatum",
            "vernieuwen_voor",
            "redenen",
        ]
        writer.writerow(columns)
        for party in self.parties:
            row = asdict(party)
            writer.writerow(
                as_text_cell(cell)
                for cell in [
                    party.code,
                    party.name,
                    party.state.value,
                    row["due"] or "",
                    party.returns,
                    party.last_return or "",
                    party.signer or "",
                    party.effective_date or "",
                    party.renewal_due or "",
                    " | ".join(party.reasons),
                ]
            )
        return out.getvalue()


def amsterdam_today() -> dt.date:
    return dt.datetime.now(dt.UTC).astimezone(AMSTERDAM).date()


def round_status(
    folder: Path, as_of: dt.date | None = None, register: Path | None = None
) -> RoundStatus:
    """Every party's state in the round in ``folder`` on ``as_of`` (default: today),
    each state file checked against ``register`` when one is given."""
    today = as_of or amsterdam_today()
    parties = round_parties(folder)
    proof = _RegisterProof(register, parties[0].round_id)
    rows = [_party_status(party, today, proof) for party in parties]
    first = parties[0]
    dues = sorted({p.due.isoformat() for p in parties if p.due})
    broken = unreadable_party_folders(folder)
    note = proof.note
    if broken:
        missing = _(
            "{count} folder(s) have no valid round file and are not shown: {folders}; "
            "prepare them again with `toetreding batch`"
        ).format(count=len(broken), folders=", ".join(broken[:10]))
        note = f"{note} — {missing}" if note else missing
    return RoundStatus(
        round_id=first.round_id,
        covenant=first.covenant,
        covenant_title=first.covenant_title,
        folder=folder,
        as_of=today,
        due=dues[-1] if dues else None,
        parties=rows,
        note=note,
    )


_VERDICT_FIELDS = ("uitslag", "redenen", "ondertekenaar", "niveau")
"""What a verdict file says that the register must say too (the words a clerk relies on)."""


class _RegisterProof:
    """What the register recorded for this round, read once: the prepared statements, the
    verdict of every return, and the verification of every consent."""

    def __init__(self, path: Path | None, round_id: str) -> None:
        self.enabled = False
        self.note: str | None = None
        self.round_id = round_id
        self.rendered: dict[str, set[str]] = {}
        self.returns: dict[str, list[dict[str, Any]]] = {}
        self.validations: dict[str, list[dict[str, Any]]] = {}
        if path is None:
            return
        from ..batch.recovery import party_code_of
        from ..register import EntryKind, Register, RegisterError

        if not path.is_file():
            self.note = _(
                "the register '{path}' does not exist, so these states are not confirmed; "
                "ask from the round's workspace, or give its --config"
            ).format(path=path)
            return
        try:
            register = Register(path, readonly=True)  # status never writes, nor creates one
        except RegisterError as error:
            self.note = error.message
            return
        mine = 0
        with register:
            for entry in register.entries():
                payload = entry.payload
                if entry.kind == EntryKind.RENDER.value:
                    code = party_code_of(payload.get("partij"))
                    if code and isinstance(payload.get("uitvoer_sha256"), str):
                        self.rendered.setdefault(code, set()).add(payload["uitvoer_sha256"])
                    continue
                digest = payload.get("document_sha256")
                if not isinstance(digest, str):
                    continue
                if entry.kind == EntryKind.RETURN.value:
                    self.returns.setdefault(digest, []).append(payload)
                    mine += payload.get("ronde") == round_id
                elif entry.kind == EntryKind.VALIDATION.value:
                    self.validations.setdefault(digest, []).append(payload)
        self.enabled = True
        if not mine:
            self.note = _(
                "the register '{path}' holds no return of round {round}; if returns were "
                "collected, they were recorded in another workspace's register"
            ).format(path=path, round=round_id)

    def unconfirmed(
        self, party: RoundParty, returns: list[dict[str, Any]], acceptance: dict[str, Any] | None
    ) -> str:
        """Why the party's state files are not what the register recorded ('' when all
        agree): its prepared statement, each verdict (for this party, this round, the same
        words — the newest judgement of that return counts) and its consent (verified for
        this party and round, with this effective date)."""
        if not self.enabled:
            return ""
        if party.statement_sha256 not in self.rendered.get(party.code, set()):
            return _("the register does not record this prepared statement for this party")
        for item in returns:
            recorded = [
                p
                for p in self.returns.get(str(item.get("sha256")), [])
                if p.get("cbs_code") == party.code and p.get("ronde") == self.round_id
            ]
            newest = recorded[-1] if recorded else None
            if newest is None or any(newest.get(k) != item.get(k) for k in _VERDICT_FIELDS):
                return _("the register has no such verdict for return {id}").format(
                    id=str(item.get("bestand"))
                )
        if acceptance is None:
            return ""
        # a consent file says what its verification found, passed or failed: either must be
        # what the register recorded (found in review: a planted "consent failed" showed a
        # party as failed, and accept skipped it for good)
        label = f"({party.code})"
        verified = [
            p
            for p in self.validations.get(str(acceptance.get("sha256")), [])
            if p.get("resultaat") == acceptance.get("verificatie")
            and str(p.get("partij", "")).endswith(label)
            and p.get("ronde") == self.round_id
            and p.get("ingangsdatum") == acceptance.get("ingangsdatum")
        ]
        if acceptance.get("verificatie") != "PASSED":
            return "" if verified else _("the register has no such verification of a consent")
        consented = party.folder / ACCEPTED_FILE
        if not verified or consented.is_symlink() or not consented.is_file():
            return _("the register has no passed verification of the consented statement")
        return ""


def _party_status(party: RoundParty, today: dt.date, proof: _RegisterProof) -> PartyStatus:
    returns = returns_of(party)
    acceptance = acceptance_of(party)
    doubt = proof.unconfirmed(party, returns, acceptance)
    good = [r for r in returns if r.get("uitslag") == ACCEPTABLE]
    reasons: list[str] = []
    effective: str | None = None
    renewal: str | None = None
    signer = (good[-1] if good else returns[-1] if returns else {}).get("ondertekenaar")
    if doubt:
        state = PartyState.UNCONFIRMED
        reasons = [doubt]
    elif acceptance is not None and acceptance.get("verificatie") == "PASSED":
        state = PartyState.ACCEPTED
        effective = _text(acceptance.get("ingangsdatum"))
        renewal = _text(acceptance.get("vernieuwen_voor"))
    elif acceptance is not None:
        state = PartyState.FAILED
        reasons = [str(r) for r in acceptance.get("redenen") or []]
    elif good:
        state = PartyState.RETURNED
    else:
        state = PartyState.REJECTED if returns else PartyState.PREPARED
        if returns:
            reasons = [str(r) for r in returns[-1].get("redenen") or []]
        if party.due is not None and today > party.due:
            state = PartyState.OVERDUE
    return PartyStatus(
        code=party.code,
        name=party.name,
        state=state,
        due=party.due.isoformat() if party.due else None,
        returns=len(returns),
        last_return=_text(returns[-1].get("ontvangen")) if returns else None,
        signer=_text(signer),
        reasons=reasons,
        effective_date=effective,
        renewal_due=renewal,
    )


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None
