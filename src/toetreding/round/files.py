"""Where a round keeps its state: one folder per party, small JSON files beside the PDFs.

A round folder is the output folder of `toetreding batch`. Per party (``<folder>/<CBS code>``):

* ``verklaring.pdf`` — the prepared statement, and ``ronde.json`` — the round file sent
  out with it (round id, party, the statement's SHA-256, the due date, the level asked);
* ``retouren/<id>.pdf`` and ``retouren/<id>.json`` — every distinct returned file, stored
  under its own SHA-256 (so a duplicate or a re-send is the same file), with the verdict
  `collect` gave it and the reasons a clerk can send back;
* ``verklaring-met-instemming.pdf`` and ``instemming.json`` — the coordinating party's
  consent, with the effective date its timestamp proves.

Every file is written atomically and the JSON files are written *after* the register
entry they stand for, so a JSON file present means "done and recorded"; what a kill left
half-way (a PDF without its JSON) is finished by the next run. Status reads these files
alone — never the PDFs — so it is instant for thousands of parties.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OutputError
from ..fileio import write_atomically
from ..i18n import _

ACCEPTABLE = "aanvaardbaar"
"""A return's verdict when it may be consented to (machine value in the state files)."""
REJECTED = "afgewezen"
"""A return's verdict when it may not (the reasons say why)."""
ROUND_SCHEMA = "toetreding-ronde/1"
ROUND_FILE = "ronde.json"
STATEMENT_FILE = "verklaring.pdf"
RETURNS_FOLDER = "retouren"
ACCEPTED_FILE = "verklaring-met-instemming.pdf"
ACCEPTANCE_FILE = "instemming.json"
MAX_STATE_BYTES = 256 * 1024
"""A state file is a few hundred bytes; anything larger was not written by us."""


@dataclass(frozen=True)
class RoundParty:
    """One party's round file: what was sent to it and what the round asks back."""

    round_id: str
    code: str
    name: str
    covenant: str
    statement_sha256: str
    statement_size: int
    statement_date: dt.date
    due: dt.date | None
    minimum_level: str
    folder: Path
    covenant_title: str = ""
    facts: dict[str, str] | None = None
    """What the notice of accession says about the covenant and the party: the covenant's
    date, publication, accession article, the coordinating party, the party's designation."""

    @property
    def statement(self) -> Path:
        return self.folder / STATEMENT_FILE

    def to_json(self) -> dict[str, Any]:
        """The round file's content (paths relative to the party's folder)."""
        return {
            "schema": ROUND_SCHEMA,
            "ronde": self.round_id,
            "partij": {"cbs_code": self.code, "naam": self.name},
            "convenant": self.covenant,
            "convenant_titel": self.covenant_title,
            "gegevens": self.facts or {},
            "verklaring": STATEMENT_FILE,
            "verklaring_sha256": self.statement_sha256,
            "verklaring_grootte": self.statement_size,
            "verklaring_datum": self.statement_date.isoformat(),
            "retour_uiterlijk": self.due.isoformat() if self.due else None,
            "niveau_minimaal": self.minimum_level,
        }


def encode(data: dict[str, Any]) -> bytes:
    """How every round state file is written: sorted, indented, UTF-8."""
    return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def write_round_file(party: RoundParty) -> bool:
    """Write the party's round file when it is missing or differs; True when written."""
    path = party.folder / ROUND_FILE
    wanted = encode(party.to_json())
    try:
        if path.is_file() and not path.is_symlink() and path.read_bytes() == wanted:
            return False
    except OSError:
        pass
    write_atomically(path, wanted)
    return True


def read_state(path: Path) -> dict[str, Any] | None:
    """A state file's content, or None when it is missing, a link, too large or not ours."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with path.open("rb") as stream:
            raw = stream.read(MAX_STATE_BYTES + 1)
        if len(raw) > MAX_STATE_BYTES:
            return None
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_round_party(folder: Path) -> RoundParty | None:
    """The round file in a party's folder, or None when there is none (or it is not valid)."""
    data = read_state(folder / ROUND_FILE)
    if data is None or data.get("schema") != ROUND_SCHEMA:
        return None
    try:
        party = data["partij"]
        code = str(party["cbs_code"])
        if code != folder.name:
            return None  # a round file moved into another party's folder says nothing
        due = data.get("retour_uiterlijk")
        return RoundParty(
            round_id=str(data["ronde"]),
            code=code,
            name=str(party["naam"]),
            covenant=str(data["convenant"]),
            statement_sha256=str(data["verklaring_sha256"]).lower(),
            statement_size=int(data["verklaring_grootte"]),
            statement_date=dt.date.fromisoformat(str(data["verklaring_datum"])),
            due=dt.date.fromisoformat(str(due)) if due else None,
            minimum_level=str(data["niveau_minimaal"]),
            folder=folder,
            covenant_title=str(data.get("convenant_titel") or ""),
            facts={str(k): str(v) for k, v in (data.get("gegevens") or {}).items()},
        )
    except (KeyError, TypeError, ValueError):
        return None


def round_parties(folder: Path) -> list[RoundParty]:
    """Every party of the round in ``folder``, by CBS code.

    Refuses a folder that is not a round (no party has a round file), with the fix.
    """
    if not folder.is_dir():
        raise OutputError(
            _("'{folder}' is not a folder").format(folder=folder),
            hint=_("give the round's folder: the output folder of `toetreding batch`"),
        )
    parties = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.is_symlink():
            party = read_round_party(child)
            if party is not None:
                parties.append(party)
    if not parties:
        raise OutputError(
            _("'{folder}' holds no round: no party folder has a {file}").format(
                folder=folder, file=ROUND_FILE
            ),
            hint=_("prepare the round first: toetreding batch BATCH.yaml -o {folder}").format(
                folder=folder
            ),
        )
    return parties


def unreadable_party_folders(folder: Path) -> list[str]:
    """Folders that hold a round's files (a statement, returns, a consent) but no valid
    round file: a party that must not silently drop out of status and the notice."""
    found = []
    for child in sorted(folder.iterdir()):
        if not child.is_dir() or child.is_symlink() or read_round_party(child) is not None:
            continue
        if any((child / name).exists() for name in (STATEMENT_FILE, RETURNS_FOLDER)):
            found.append(child.name)
    return found


def returns_of(party: RoundParty) -> list[dict[str, Any]]:
    """The verdicts `collect` wrote for the party's returns, oldest first."""
    folder = party.folder / RETURNS_FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for path in folder.glob("*.json"):
        data = read_state(path)
        if data is not None and isinstance(data.get("ontvangen"), str):
            found.append(data)
    return sorted(found, key=lambda item: (str(item["ontvangen"]), str(item.get("sha256"))))


def acceptance_of(party: RoundParty) -> dict[str, Any] | None:
    """What `accept` wrote for the party, or None."""
    return read_state(party.folder / ACCEPTANCE_FILE)
