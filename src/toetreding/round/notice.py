"""`toetreding notice`: the notice of accession (mededeling van toetreding) for the
Staatscourant, for the parties whose accession took effect in a period.

Under the Aanwijzingen voor convenanten (aanwijzing 6, toelichting) an accession takes
effect on the coordinating party's written consent and is announced in the Staatscourant.
The notice is made from data only: the covenant's facts and each party's designation come
from the round files (written when the round was prepared), the effective dates from the
consents `verify` proved. It is written twice: as PDF/A (Typst, with the archival profile)
for the record, and as plain text to hand to the publisher. The notice is a Dutch legal
text, so it is always in Dutch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..embedded import EmbeddedStatement
from ..errors import OutputError
from ..fileio import write_atomically
from ..i18n import _
from ..model import Covenant
from ..resources import bundled
from ..textformat import long_date
from .files import ACCEPTED_FILE, RoundParty, acceptance_of, round_parties
from .status import PartyState, RoundStatus, round_status

NOTICE_DATA = "mededeling.json"
TEMPLATE = "mededeling.typ"


@dataclass(frozen=True)
class Accession:
    """One party whose accession took effect."""

    code: str
    designation: str
    effective: dt.date
    statement: EmbeddedStatement
    """The statement data of the consented statement the register confirmed."""


@dataclass(frozen=True)
class NoticeOutcome:
    """What `notice` wrote."""

    pdf: Path
    text: Path
    accessions: list[Accession]


def accessions_in(
    status: RoundStatus, since: dt.date | None, until: dt.date | None
) -> list[Accession]:
    """The accessions the register confirms took effect in [since, until], by date then
    name (a state file alone never puts a party in the Staatscourant)."""
    by_code = {party.code: party for party in round_parties(status.folder)}
    found = []
    for row in status.parties:
        if row.state is not PartyState.ACCEPTED or row.effective_date is None:
            continue
        try:
            effective = dt.date.fromisoformat(row.effective_date)
        except ValueError:
            continue
        if (since and effective < since) or (until and effective > until):
            continue
        statement = _consented_statement(by_code[row.code])
        found.append(Accession(row.code, statement.party_designation, effective, statement))
    return sorted(found, key=lambda a: (a.effective, a.designation))


def _consented_statement(party: RoundParty) -> EmbeddedStatement:
    """Who joined, from the consented statement itself — the file whose hash the register
    confirmed — never from the round's own files, which anyone with the folder can edit
    (found in review: an edited round file put 'gemeente Amsterdam' in the notice for
    Hilversum's accession)."""
    from .matching import claimed_statement

    acceptance = acceptance_of(party) or {}
    path = party.folder / ACCEPTED_FILE
    statement = None
    try:
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
    except OSError:
        data = b""
    if data and hashlib.sha256(data).hexdigest() == acceptance.get("sha256"):
        statement = claimed_statement(data)
    if statement is None or statement.party_code.upper() != party.code.upper():
        raise OutputError(
            _(
                "the consented statement of {code} is not the one the register confirmed, or "
                "does not name {code}; the notice is not made"
            ).format(code=party.code),
            hint=_("run `toetreding status` and look into {folder}").format(folder=party.folder),
        )
    return statement


def notice_text(covenant: Covenant, accessions: list[Accession]) -> dict[str, object]:
    """The notice's parts: title, introduction, one item per party, closing, signature.

    Every fact about the covenant comes from the covenant as published that the coordinator
    trusts (``verificatie.convenanten``), never from the round's own files: found in review,
    an edited round file changed the article the notice cites and dropped "met bijlagen".
    """
    title = covenant.title
    coordinator = covenant.coordinator.name
    dated = f" van {long_date(covenant.date)}"
    published = f" ({covenant.publication})" if covenant.publication else ""
    article = covenant.accession_article
    by_article = f", overeenkomstig {article} van het convenant" if article else ""
    annexes = ", met bijlagen," if covenant.with_annexes else ","
    items = [
        f"de {a.designation}, met ingang van {long_date(a.effective)}"
        + (";" if index < len(accessions) - 1 else ".")
        for index, a in enumerate(accessions)
    ]
    return {
        "title": f"Mededeling van toetreding tot het {title}",
        "author": _capital(coordinator),
        "intro": (
            f"{_capital(coordinator)} maakt bekend dat de volgende partijen zijn toegetreden tot "
            f"het {title}{dated}{published}{annexes} met ingang van de datum waarop met "
            f"hun toetreding is ingestemd{by_article}:"
        ),
        "items": items,
        "closing": [
            "De toetredingsverklaringen en de instemmingen daarmee worden in afschrift bij het "
            "convenant gevoegd."
        ],
        "signature": f"{_capital(coordinator)},",
    }


def _trusted_covenant(settings: Settings, statement: EmbeddedStatement) -> Covenant:
    """The covenant as published the accessions are to, as the coordinator trusts it; its
    facts must be what the consented statements carry (verify confirmed them at accept)."""
    from ..verify.options import load_trusted_covenants

    paths = tuple(settings.signing.path(p) for p in settings.verification.covenants)
    for trusted in load_trusted_covenants(paths):
        covenant = trusted.covenant
        if covenant.id != statement.covenant_id:
            continue
        if (covenant.title, covenant.date, covenant.publication) != (
            statement.covenant_title,
            statement.covenant_date,
            statement.covenant_publication,
        ):
            break
        return covenant
    raise OutputError(
        _(
            "the covenant '{covenant}' as published is not among the covenants you trust, or "
            "differs from what the consented statements carry; the notice quotes it"
        ).format(covenant=statement.covenant_id),
        hint=_("list its file under 'verificatie.convenanten' in the configuration"),
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def as_plain_text(parts: dict[str, object]) -> str:
    """The notice as plain text for the publisher."""
    items = parts["items"]
    closing = parts["closing"]
    assert isinstance(items, list) and isinstance(closing, list)
    lines = [str(parts["title"]), "", str(parts["intro"]), ""]
    lines += [f"– {item}" for item in items]
    lines += ["", *[str(c) for c in closing], "", str(parts["signature"]), ""]
    return "\n".join(lines)


def write_notice(
    settings: Settings,
    folder: Path,
    output: Path,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> NoticeOutcome:
    """Write ``output`` (PDF/A) and the same name with ``.txt`` for the period's accessions."""
    from ..render.typesetter import Typesetter

    if output.suffix.lower() != ".pdf":
        raise OutputError(
            _("the notice is written as PDF; '{file}' does not end in .pdf").format(file=output),
            hint=_("give a file name ending in .pdf; the plain text goes beside it as .txt"),
        )
    status = round_status(folder, register=settings.register)
    if settings.register is None or status.note:
        raise OutputError(
            _("the accessions cannot be confirmed against the register: {reason}").format(
                reason=status.note or _("no register is configured")
            ),
            hint=_(
                "run `toetreding notice` from the round's workspace (or give its --config); "
                "a notice is only made from accessions the register records"
            ),
        )
    accessions = accessions_in(status, since, until)
    if not accessions:
        raise OutputError(
            _("no accession in the round took effect in this period"),
            hint=_(
                "run `toetreding status` to see which parties are accepted, and widen --from/--until"
            ),
        )
    parts = notice_text(_trusted_covenant(settings, accessions[0].statement), accessions)
    text = output.with_suffix(".txt")
    template = (bundled("templates") / "round" / TEMPLATE).read_text(encoding="utf-8")
    with Typesetter([Path(settings.font_dir)] if settings.font_dir else []) as typesetter:
        typesetter.add_data(NOTICE_DATA, json.dumps(parts, ensure_ascii=False).encode("utf-8"))
        newest = max(a.effective for a in accessions)
        pdf = typesetter.pdf(template, settings.profile.pdf_standards, newest).pdf
    write_atomically(text, as_plain_text(parts).encode("utf-8"))
    write_atomically(output, pdf)
    return NoticeOutcome(output, text, accessions)
