"""The whole register as one MDTO informatieobject, for the archive that receives it.

The register is itself an archival record: the proof, per Archiefregeling art. 24 under c,
of who validated which signature when and with what result. Handed over with the
statements, it is described like them: an informatieobject whose events are its entries
(render → Creatie, signature and consent → Accordering, validation and received return →
Validatie Handtekening, renewal and repair → Wijziging, seal → Bevriezing: the moment up
to which the register is fixed by a timestamp), each with its entry number and hash in
the result so that an archivist can find it back in the register file, and the official
who answered for it where the entry names one. The identification is the head hash: the
description belongs to exactly this state of the register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..archive_config import ArchiveOptions
from ..register import Entry
from . import mdto

SOURCE = "toetreding"

EVENT_TYPES = {
    "render": mdto.CREATION,
    "bevoegdheid": mdto.CREATION,
    "ondertekening": mdto.SIGNING,
    "aanvaarding": mdto.SIGNING,
    "validatie": mdto.SIGNATURE_VALIDATION,
    "retour": mdto.SIGNATURE_VALIDATION,
    "verlenging": "Wijziging",
    "herstel": "Wijziging",
    "verzegeling": "Bevriezing",
}
"""Register entry kinds and the MDTO event type each becomes."""


def register_as_mdto(entries: Iterable[Entry], archive: ArchiveOptions, name: str) -> bytes:
    """An MDTO informatieobject for the register with these entries (``name``: its file)."""
    events = []
    head = mdto_genesis = "0" * 64
    count = 0
    for entry in entries:
        count += 1
        head = entry.entry_hash
        events.append(
            mdto.Event(
                mdto.event_type(EVENT_TYPES.get(entry.kind, "Wijziging")),
                _moment(entry.recorded_at),
                _actor(entry.payload),
                _summary(entry),
            )
        )
    creator = archive.creator
    archive_creator = (
        mdto.tooi_organisation(creator.name, creator.tooi)
        if creator is not None and creator.tooi
        else mdto.Reference(creator.name if creator else "onbekende organisatie")
    )
    owner = creator.name if creator else "de werkmap"
    record = mdto.InformationObject(
        identifications=(mdto.Identification(f"register:{head}", SOURCE),),
        name=f"Register van toetredingsverklaringen van {owner} ({count} registraties)",
        aggregation_level=mdto.aggregation_archiefstuk(),
        description=(
            "Hash-geketend register (SQLite) van opmaak, bevoegdheidsketens, ondertekeningen, "
            "instemmingen, validaties (Archiefregeling art. 24 onder c), verlengingen en "
            f"verzegelingen. Kop: {head}."
            if head != mdto_genesis
            else "Leeg register."
        ),
        language="nl",
        events=tuple(events),
        appraisal=mdto.appraisal_temporary()
        if archive.appraisal == "V"
        else mdto.appraisal_permanent(),
        retention=_retention(archive, events),
        representations=(mdto.Reference(name),),
        archive_creator=archive_creator,
        use_restrictions=(mdto.no_use_restriction(),),
    )
    return mdto.information_object_xml(record)


def _retention(archive: ArchiveOptions, events: list[mdto.Event]) -> mdto.Retention | None:
    if archive.appraisal != "V" or archive.retention is None:
        return None
    return mdto.Retention(period=archive.retention, trigger=mdto.event_type(mdto.CREATION))


def _moment(recorded_at: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(recorded_at)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _actor(payload: dict[str, Any]) -> mdto.Reference | None:
    official = payload.get("verantwoordelijke") or payload.get("door")
    if isinstance(official, dict) and official.get("naam"):
        words = [str(official["naam"])]
        words += [
            str(official[key])
            for key in ("functie", "organisatie")
            if str(official.get(key) or "").strip()
        ]
        return mdto.Reference(mdto.printable(", ".join(words)))
    if isinstance(official, str) and official.strip():
        return mdto.Reference(mdto.printable(official))
    signer = payload.get("ondertekenaar")
    if isinstance(signer, str) and signer.strip():
        return mdto.Reference(mdto.printable(signer))
    return None


def _summary(entry: Entry) -> str:
    payload = entry.payload
    what = (
        payload.get("document")
        or payload.get("uitvoer")
        or payload.get("partij")
        or payload.get("keten_sha256")
        or ""
    )
    result = payload.get("resultaat") or payload.get("uitslag") or ""
    words = [f"registratie {entry.seq} ({entry.kind})", str(what), str(result)]
    text = " ".join(word for word in words if word)
    return mdto.printable(f"{text}; hash {entry.entry_hash}")
