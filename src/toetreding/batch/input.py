"""Batch input: one YAML file naming the covenant and shared defaults, and the parties
inline or in a CSV file; every party becomes a full, validated Statement.

Every row is validated before any work starts, and every bad row is reported at once
with its file and line, so a coordinator fixes the spreadsheet in one go.

The covenant and party list a batch file names must lie inside its workspace (the rule of
:mod:`toetreding.inputs`); the party list is read like every input, bounded
(:data:`MAX_CSV_BYTES`, :data:`MAX_CSV_LINES`), as UTF-8 without control characters.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..embedded import EmbeddedStatement
from ..errors import Problem, ValidationFailed
from ..filelimits import read_limited
from ..i18n import _
from ..inputs import (
    LocatedDocument,
    load_model,
    pydantic_message,
    read_yaml,
    referenced_file,
    validate,
    workspace_of,
)
from ..model import (
    CertificateIdentity,
    Contact,
    Covenant,
    Language,
    PartyForm,
    SignatureSlot,
    Statement,
)
from ..municipalities import lookup
from ..safe_yaml import check_characters, decode_utf8
from ..signing_config import SignatureLevel

MAX_CSV_BYTES = 2 * 1024 * 1024
"""A party list is tens of kilobytes (342 municipalities); it is read whole, so capped."""
MAX_CSV_LINES = 10_000
"""Lines in a party list; each becomes a validated statement, so a runaway list is refused."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_alias=True, validate_by_name=False
    )


class SharedDecision(_Model):
    """What every party's college decided (the wording is shared; date and kenmerk per row)."""

    organ: str = Field(default="college van burgemeester en wethouders", alias="orgaan")
    subject: str = Field(alias="onderwerp")
    legal_basis: str | None = Field(default=None, alias="grondslag")
    """With organs as party: the power the organ exercises by joining."""


PARTY_NAME_FIELD = "{gemeente}"
"""Where a batch's signing text names each party."""


class SigningPresentation(_Model):
    """How each party's signature presents the signer; {gemeente} is the party's name.

    Left out, the formula the party's chain asks for is used (Awb 10:10), e.g.
    'burgemeester van Huizen, namens de gemeente Huizen'.
    """

    function: str | None = Field(default=None, alias="functie")
    on_behalf_of: str | None = Field(default=None, alias="namens")

    @field_validator("function", "on_behalf_of")
    @classmethod
    def _only_the_party_name(cls, value: str | None) -> str | None:
        """The text is filled in with ``str.replace``, never ``str.format``: the only field
        is ``{gemeente}``; any other brace is a mistake, said here instead of crashing (or
        running a format specification) later."""
        rest = value.replace(PARTY_NAME_FIELD, "") if value is not None else ""
        if "{" in rest or "}" in rest:
            raise ValueError(
                _("write the party's name as {field}; no other '{{' or '}}' is allowed").format(
                    field=PARTY_NAME_FIELD
                )
            )
        return value


class RoundSection(_Model):
    """The round this batch prepares: its id, when returns are due, the level asked."""

    reference: str = Field(alias="kenmerk", min_length=1, max_length=100)
    due: dt.date | None = Field(default=None, alias="retour_uiterlijk")
    minimum_level: SignatureLevel = Field(default=SignatureLevel.B_T, alias="niveau_minimaal")
    """The lowest PAdES level `collect` accepts for a party's signature (default B-T: the
    moment a party signed is then proven, not claimed by its own computer)."""


class PartyRow(_Model):
    """One party (a CSV row or an inline entry)."""

    cbs_code: str = Field(alias="cbs_code")
    mayor: str = Field(alias="burgemeester")
    decision_date: dt.date = Field(alias="besluit_datum")
    decision_reference: str = Field(alias="besluit_kenmerk")
    appointment_date: dt.date | None = Field(default=None, alias="benoeming_datum")
    """Date of the Royal Decree appointing the burgemeester (legal-person form)."""
    appointment_reference: str | None = Field(default=None, alias="benoeming_kenmerk")
    term_from: dt.date | None = Field(default=None, alias="ambtstermijn_vanaf")
    term_until: dt.date | None = Field(default=None, alias="ambtstermijn_tot")
    place: str | None = Field(default=None, alias="plaats")
    reference: str | None = Field(default=None, alias="kenmerk")
    contact_name: str | None = Field(default=None, alias="contact_naam")
    contact_email: str | None = Field(default=None, alias="contact_email")
    certificate_holder: str | None = Field(default=None, alias="certificaat_serienummer")
    """The serialNumber in the subject of this burgemeester's certificate (PKIoverheid gives
    each holder one); with the batch's ``certificaat.uitgever`` it binds the chain to him."""
    certificate_fingerprint: str | None = Field(
        default=None, alias="certificaat_vingerafdruk", pattern=r"^[0-9A-Fa-f:]{64,95}$"
    )


class BatchFile(_Model):
    """The structure of a batch file."""

    covenant: str = Field(alias="convenant")
    date: dt.date = Field(alias="datum")
    decision: SharedDecision = Field(alias="besluit")
    scope: list[str] | None = Field(default=None, alias="reikwijdte")
    certificate: CertificateIdentity | None = Field(default=None, alias="certificaat")
    contact: Contact | None = Field(default=None, alias="contactpersoon")
    language: Language | None = Field(default=None, alias="taal")
    signing: SigningPresentation = Field(default_factory=SigningPresentation, alias="ondertekening")
    parties: list[dict[str, Any]] = Field(default_factory=list, alias="partijen")
    parties_csv: str | None = Field(default=None, alias="partijen_csv")
    round: RoundSection | None = Field(default=None, alias="ronde")


@dataclass(frozen=True)
class PlannedParty:
    """A party ready to process: its statement and where its row came from."""

    code: str
    name: str
    statement: Statement
    source: str
    function: str
    on_behalf_of: str

    @property
    def input_digest(self) -> str:
        """SHA-256 of everything that determines this party's statement."""
        text = self.statement.model_dump_json(by_alias=True) + self.function + self.on_behalf_of
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BatchPlan:
    """All valid parties, the problems of the invalid ones, and the batch file itself."""

    path: Path
    parties: tuple[PlannedParty, ...]
    problems: tuple[Problem, ...]
    covenant: Covenant
    listed: tuple[str, ...] = ()
    """Every CBS code the batch file lists, in its order (also those `--only` leaves out):
    the summary keeps a row for each, so a partial run never drops the others."""
    round: RoundSection | None = None
    """The batch file's 'ronde' (None: the round is named after the batch file)."""


def load_batch(path: Path, only: set[str] | None = None) -> BatchPlan:
    """Read the batch file and every party; collect every bad row (does not raise for rows).

    The path is made absolute first: it is part of every statement's input digest, so a
    rerun from another folder must see the same batch file as the same input.
    """
    path = path.resolve()
    document = read_yaml(path)
    batch = validate(document, BatchFile)
    root = workspace_of(path.parent)
    covenant_path = referenced_file(
        document,
        path.parent,
        batch.covenant,
        ("convenant",),
        root,
        _("write the path relative to the batch file"),
    )
    covenant = load_model(covenant_path, Covenant)
    rows = list(_inline_rows(document, batch)) + list(_csv_rows(document, batch, path.parent, root))
    if not rows:
        raise ValidationFailed(
            [
                document.problem(
                    (), _("the batch names no parties"), _("add 'partijen' or 'partijen_csv'")
                )
            ]
        )
    parties: list[PlannedParty] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    listed = {str(raw.get("cbs_code", "")).strip().upper() for raw, _where in rows}
    unknown = sorted(only - listed) if only is not None else []
    if unknown:
        raise ValidationFailed(
            [
                document.problem(
                    (),
                    _("--only names {codes}, which the batch does not list").format(
                        codes=", ".join(unknown)
                    ),
                    _(
                        "check the CBS codes (GM and four digits) against the party list; "
                        "nothing was done"
                    ),
                )
            ]
        )
    for raw, where in rows:
        code = str(raw.get("cbs_code", "")).strip().upper()
        if only is not None and code not in only:
            continue
        try:
            party = _plan(raw, batch, covenant, covenant_path, path, where)
        except _RowError as error:
            problems.extend(error.problems)
            continue
        if party.code in seen:
            problems.append(
                _problem(
                    where,
                    _("{code} is listed twice (also at {place})").format(
                        code=party.code, place=seen[party.code]
                    ),
                    "cbs_code",
                )
            )
            continue
        seen[party.code] = where.label
        parties.append(party)
    in_order = tuple(
        dict.fromkeys(str(raw.get("cbs_code", "")).strip().upper() for raw, _where in rows)
    )
    return BatchPlan(
        path=path,
        parties=tuple(parties),
        problems=tuple(problems),
        covenant=covenant,
        listed=in_order,
        round=batch.round,
    )


@dataclass(frozen=True)
class _Where:
    file: str
    line: int | None

    @property
    def label(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class _RowError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def _problem(
    where: _Where, message: str, key: str | None = None, hint: str | None = None
) -> Problem:
    return Problem(message=message, file=where.file, line=where.line, key_path=key, hint=hint)


def _inline_rows(document: LocatedDocument, batch: BatchFile) -> Any:
    for index, row in enumerate(batch.parties):
        line, _column = document.locate(("partijen", index))
        yield row, _Where(str(document.path), line)


def _csv_rows(document: LocatedDocument, batch: BatchFile, base: Path, root: Path) -> Any:
    if batch.parties_csv is None:
        return
    path = referenced_file(
        document,
        base,
        batch.parties_csv,
        ("partijen_csv",),
        root,
        _("write the path relative to the batch file"),
    )
    text = _read_csv_text(path)
    reader = csv.DictReader(io.StringIO(text))
    try:
        for row in reader:
            if reader.line_num > MAX_CSV_LINES:
                raise ValidationFailed(
                    [
                        Problem(
                            _("the party list has more than {limit:,} lines").format(
                                limit=MAX_CSV_LINES
                            ),
                            file=str(path),
                            line=reader.line_num,
                            hint=_(
                                "there are 342 municipalities; check that this is the right file"
                            ),
                        )
                    ]
                )
            cleaned = {
                k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k
            }
            yield (
                {k: v for k, v in cleaned.items() if v not in ("", None)},
                _Where(str(path), reader.line_num),
            )
    except csv.Error as error:
        raise ValidationFailed(
            [
                Problem(
                    _("not a readable CSV line: {reason}").format(reason=error),
                    file=str(path),
                    line=reader.reader.line_num or None,  # DictReader's own lags on errors
                    hint=_(
                        "save the party list as CSV (comma-separated, UTF-8) with one party "
                        "per line"
                    ),
                )
            ]
        ) from None


def _read_csv_text(path: Path) -> str:
    """The party list as text: a regular UTF-8 file of bounded size, without control bytes."""
    text = decode_utf8(
        read_limited(
            path,
            limit=MAX_CSV_BYTES,
            what=_("party list"),
            size_hint=_(
                "a list of parties is tens of kilobytes; check that this is the right file"
            ),
        ),
        path,
    )
    check_characters(text, path)
    return text


def _plan(
    raw: dict[str, Any],
    batch: BatchFile,
    covenant: Covenant,
    covenant_path: Path,
    batch_path: Path,
    where: _Where,
) -> PlannedParty:
    try:
        row = PartyRow.model_validate(raw)
    except ValidationError as error:
        raise _RowError(
            [
                _problem(
                    where,
                    pydantic_message(e),
                    ".".join(str(p) for p in e["loc"]) or None,
                    _("fix this column (dates as YYYY-MM-DD)"),
                )
                for e in error.errors()
            ]
        ) from None
    municipality = lookup(row.cbs_code)
    if municipality is None:
        raise _RowError(
            [
                _problem(
                    where,
                    _("'{code}' is not one of the 342 municipalities of 2025").format(
                        code=row.cbs_code
                    ),
                    "cbs_code",
                )
            ]
        )
    name = municipality.official_name
    decision_id = f"college-{municipality.code.lower()}"
    identity = _identity(row, batch)
    decisions, link = _chain_for(row, batch, covenant, name, decision_id, identity, where)
    data = {
        "request": {
            "convenant": str(covenant_path),
            "bevoegdheid": str(batch_path),
            "toetredingsbesluit": decision_id,
            "partij": {"cbs_code": municipality.code},
            "contactpersoon": _contact(row, batch),
            "plaats": row.place or name,
            "datum": batch.date.isoformat(),
            "kenmerk": row.reference,
            "taal": batch.language.value if batch.language else None,
        },
        "covenant": covenant.model_dump(by_alias=True),
        "authority": {"besluiten": decisions, "keten": [link]},
    }
    try:
        statement = Statement.model_validate(data)
    except ValidationError as error:
        raise _RowError(
            [
                _problem(where, f"{'.'.join(str(p) for p in e['loc'])}: {pydantic_message(e)}")
                for e in error.errors()
            ]
        ) from None
    formula = EmbeddedStatement.from_statement(statement).formula_for(SignatureSlot.PARTY)
    assert formula is not None  # a gemeente's chain always names on whose behalf
    function, on_behalf_of = formula
    if batch.signing.function:
        function = batch.signing.function.replace(PARTY_NAME_FIELD, name)
    if batch.signing.on_behalf_of:
        on_behalf_of = batch.signing.on_behalf_of.replace(PARTY_NAME_FIELD, name)
    return PlannedParty(
        code=municipality.code,
        name=name,
        statement=statement,
        source=where.label,
        function=function,
        on_behalf_of=on_behalf_of,
    )


APPOINTMENT_COLUMNS = (
    "benoeming_datum",
    "benoeming_kenmerk",
    "ambtstermijn_vanaf",
    "ambtstermijn_tot",
)
"""What a row needs when gemeenten join as a legal person: the burgemeester represents the
gemeente by law for his term (art. 171 lid 1 and 61 Gemeentewet), which his appointment sets."""


def _chain_for(
    row: PartyRow,
    batch: BatchFile,
    covenant: Covenant,
    name: str,
    decision_id: str,
    identity: dict[str, Any] | None,
    where: _Where,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The decisions and the one link for a party, in the form its covenant asks for."""
    decision: dict[str, Any] = {
        "id": decision_id,
        "orgaan": batch.decision.organ,
        "datum": row.decision_date.isoformat(),
        "kenmerk": row.decision_reference,
        "onderwerp": batch.decision.subject,
    }
    grantee = {"functie": f"burgemeester van {name}", "naam": row.mayor, "certificaat": identity}
    scope = batch.scope if batch.scope is not None else [covenant.id]
    if covenant.party_form is PartyForm.ORGANS:
        if batch.decision.legal_basis:
            decision["grondslag"] = batch.decision.legal_basis
        link = {
            "soort": "mandaat",
            "van": batch.decision.organ,
            "aan": grantee,
            "besluit": decision_id,
            "reikwijdte": scope,
            "geldig_vanaf": row.decision_date.isoformat(),
        }
        return [decision], link
    missing = [
        column
        for column, value in zip(
            APPOINTMENT_COLUMNS,
            (row.appointment_date, row.appointment_reference, row.term_from, row.term_until),
            strict=True,
        )
        if value is None
    ]
    if missing:
        raise _RowError(
            [
                _problem(
                    where,
                    _(
                        "the covenant has gemeenten join as a legal person, so the burgemeester "
                        "represents the gemeente by law for his term; this row lacks {columns}"
                    ).format(columns=", ".join(missing)),
                    missing[0],
                    _(
                        "add the date and kenmerk of the Royal Decree that appointed the "
                        "burgemeester and the start and end of his term (YYYY-MM-DD)"
                    ),
                )
            ]
        )
    assert row.appointment_date and row.term_from and row.term_until
    appointment = {
        "id": f"benoeming-{decision_id}",
        "orgaan": "de Koning (koninklijk besluit)",
        "datum": row.appointment_date.isoformat(),
        "kenmerk": row.appointment_reference,
        "onderwerp": f"Benoeming van de burgemeester van {name}",
    }
    representation: dict[str, Any] = {
        "soort": "vertegenwoordiging",
        "aan": grantee,
        "besluit": appointment["id"],
        "reikwijdte": scope,
        "geldig_vanaf": row.term_from.isoformat(),
        "geldig_tot": row.term_until.isoformat(),
    }
    return [decision, appointment], representation


def _identity(row: PartyRow, batch: BatchFile) -> dict[str, Any] | None:
    """The certificate identity of this party's burgemeester: the batch's shared part (the
    issuing CA) with the row's own holder serialNumber or fingerprint."""
    identity = batch.certificate.model_dump(by_alias=True) if batch.certificate else {}
    if row.certificate_holder:
        identity["onderwerp"] = {
            **identity.get("onderwerp", {}),
            "serial_number": row.certificate_holder,
        }
    if row.certificate_fingerprint:
        identity["vingerafdruk_sha256"] = row.certificate_fingerprint
    return identity or None


def _contact(row: PartyRow, batch: BatchFile) -> dict[str, Any] | None:
    if row.contact_name:
        return {
            "naam": row.contact_name,
            **({"email": row.contact_email} if row.contact_email else {}),
        }
    return batch.contact.model_dump(by_alias=True, exclude_none=True) if batch.contact else None


def require_valid(plan: BatchPlan) -> None:
    """Refuse the batch when any row is bad (the CLI's default; --skip-invalid goes on)."""
    if plan.problems:
        raise ValidationFailed(list(plan.problems))
