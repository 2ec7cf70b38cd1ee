"""Sealing the register: an RFC 3161 timestamp over its head, kept in the register itself.

The hash chain shows any edit that was not carried through to the end, but whoever can
rewrite both the database and its head file can rewrite history consistently. A seal
anchors the chain outside toetreding's reach: a timestamp authority signs the head hash
(the SHA-256 of the newest entry, used directly as the token's message imprint, so
anyone can check it with ``openssl ts -verify -digest HEADHASH``) and the time. The token
is stored as an entry of kind ``verzegeling``.

``register verify`` then checks every seal: the token is intact (its signature and the
TSA certificate it carries; against the configured trust roots when there are any), its
imprint equals the hash the chain holds *now* at the sealed entry, and its time is not
before that entry was recorded. A rewrite of anything up to a sealed entry changes that
entry's hash, and the TSA will not sign the new hash with the old time: the seal fails.
History after the last seal is protected by the chain alone, so the check reports the
last sealed point.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asn1crypto import cms, tsp, x509  # tsp: registers TSTInfo as a CMS content type

from .errors import ToetredingError
from .i18n import _
from .register import Entry, EntryKind, Register, RegisterCheck, RegisterError

if TYPE_CHECKING:
    from .config import Settings


SEAL_CLOCK_TOLERANCE = dt.timedelta(minutes=10)
"""How far the TSA's time may lie from the seal entry's own time (the entry is written the
moment the token arrives; clocks differ a little). A token fetched later for rewritten
history carries the later time, and is found out by this."""


@dataclass(frozen=True)
class Seal:
    """One seal as `register verify` found it."""

    entry: int
    """The register entry that holds the seal."""
    sealed_entry: int
    """The entry whose hash was sealed (everything up to it is anchored)."""
    sealed_at: dt.datetime | None
    """The TSA's time (genTime); None when the token is unreadable."""
    authority: str
    """The TSA certificate's subject, for the reader."""
    problems: tuple[str, ...]
    trusted: bool | None
    """True/False against configured trust roots; None when none are configured."""

    @property
    def intact(self) -> bool:
        """Whether the seal still holds."""
        return not self.problems


@dataclass(frozen=True)
class SealCheck:
    """Every seal in a register."""

    seals: tuple[Seal, ...]

    @property
    def problems(self) -> tuple[str, ...]:
        """Every broken seal's findings, for the register's verdict."""
        return tuple(problem for seal in self.seals for problem in seal.problems)

    @property
    def last_sealed(self) -> Seal | None:
        """The newest seal that holds (history up to its entry is anchored)."""
        holding = [seal for seal in self.seals if seal.intact]
        return max(holding, key=lambda seal: seal.sealed_entry) if holding else None


@dataclass(frozen=True)
class RegisterReport:
    """What `register verify` found: the chain and its seals."""

    chain: RegisterCheck
    seals: SealCheck

    @property
    def intact(self) -> bool:
        """Whether the chain and every seal hold."""
        return self.chain.intact and not self.seals.problems

    @property
    def problems(self) -> tuple[str, ...]:
        """The chain's problems, then the seals'."""
        return self.chain.problems + self.seals.problems


def check_register(
    path: Path, trust_roots: Sequence[x509.Certificate] = (), crls: Sequence[Any] = ()
) -> RegisterReport:
    """Open the register read-only and check its chain, head and every seal."""
    with Register.open_readonly(path) as register:
        chain = register.verify()
        has_seals = any(True for _entry in register.entries(EntryKind.SEAL.value))
        seals = check_seals(register, trust_roots, crls) if has_seals else SealCheck(())
    return RegisterReport(chain, seals)


def seal_register(
    register: Register, timestamper: Any, authority: str, by: dict[str, Any] | None = None
) -> Entry:
    """Timestamp the register's head and append the token as a seal entry.

    ``timestamper``: a pyHanko RFC 3161 client (see
    :func:`toetreding.sign.services.timestamper_for`); ``authority``: its URL, recorded.
    The seal names the newest entry when the head was read; anything another process
    appends meanwhile is anchored by the next seal.
    """
    entries = list(register.entries())
    if not entries:
        raise RegisterError(
            _("the register '{path}' is empty: there is nothing to seal yet").format(
                path=register.path
            )
        )
    check = register.verify()
    broken = check_seals(register).problems
    if not check.intact or broken:
        raise RegisterError(
            _("the register '{path}' is not intact, and a seal would anchor that").format(
                path=register.path
            ),
            hint=_("run `toetreding register verify` and resolve what it reports first"),
        )
    head = entries[-1]
    try:
        token = asyncio.run(timestamper.async_timestamp(bytes.fromhex(head.entry_hash), "sha256"))
    except ToetredingError:
        raise
    except Exception as error:
        raise RegisterError(
            _("the timestamp authority '{tsa}' did not seal the register: {error}").format(
                tsa=authority, error=error
            ),
            hint=_("check that the TSA is reachable, or configure another one (--tsa URL)"),
        ) from None
    der = token.dump()
    info = _tst_info(token)
    payload: dict[str, Any] = {
        "verzegeld_volgnummer": head.seq,
        "verzegeld_hash": head.entry_hash,
        "tijdstempel": base64.b64encode(der).decode("ascii"),
        "tijdstempel_sha256": hashlib.sha256(der).hexdigest(),
        "tijdstip": info["gen_time"].native.isoformat() if info is not None else None,
        "tijdstempeldienst": authority,
        "door": by,
    }
    return register.append(EntryKind.SEAL, payload)


def check_seals(
    register: Register, trust_roots: Sequence[x509.Certificate] = (), crls: Sequence[Any] = ()
) -> SealCheck:
    """Check every seal against the chain as it stands (see the module docstring).

    A seal vouches for its entry's hash, and through the chain for every entry before it:
    it holds only if each of those entries still hashes to what it stores and follows the
    one before (found in review: with an earlier entry's content edited, the seal was still
    reported as holding, since it was compared with the stored hash alone). The TSA is
    judged with the configured revocation lists: one revoked before the seal was made
    cannot vouch for it."""
    entries = {entry.seq: entry for entry in register.entries()}
    sound = register.sound_up_to()
    seals = []
    for entry in entries.values():
        if entry.kind != EntryKind.SEAL.value:
            continue
        seal = _check(entry, entries, trust_roots, crls)
        if seal.sealed_entry > sound and seal.intact:
            seal = replace(
                seal,
                problems=(
                    _(
                        "seal {seq} vouches for entries that were changed after it was made "
                        "(the history up to entry {sealed} no longer hashes as it did)"
                    ).format(seq=entry.seq, sealed=seal.sealed_entry),
                ),
            )
        seals.append(seal)
    return SealCheck(tuple(seals))


def _check(
    seal: Entry,
    entries: dict[int, Entry],
    trust_roots: Sequence[x509.Certificate],
    crls: Sequence[Any] = (),
) -> Seal:
    payload = seal.payload
    sealed_seq = payload.get("verzegeld_volgnummer")
    problems: list[str] = []
    if not isinstance(sealed_seq, int) or not 0 < sealed_seq < seal.seq:
        return Seal(
            seal.seq,
            0,
            None,
            "",
            (_("seal {seq} does not name an earlier entry").format(seq=seal.seq),),
            None,
        )
    try:
        der = base64.b64decode(str(payload.get("tijdstempel", "")), validate=True)
        token = cms.ContentInfo.load(der)
        info = _tst_info(token)
    except (ValueError, TypeError):
        info = None
    if info is None:
        return Seal(
            seal.seq,
            sealed_seq,
            None,
            "",
            (_("seal {seq}: the timestamp token is unreadable").format(seq=seal.seq),),
            None,
        )
    signed_data = token["content"]
    sealed_at: dt.datetime = info["gen_time"].native
    authority = _authority(signed_data)
    sealed = entries.get(sealed_seq)
    imprint = info["message_imprint"]
    if sealed is None:
        problems.append(
            _("seal {seq}: the sealed entry {sealed} is gone").format(
                seq=seal.seq, sealed=sealed_seq
            )
        )
    elif imprint["hash_algorithm"]["algorithm"].native != "sha256" or imprint[
        "hashed_message"
    ].native != bytes.fromhex(sealed.entry_hash):
        problems.append(
            _(
                "seal {seq} ({moment}) does not match entry {sealed} as it is now: the register "
                "was rewritten up to or before entry {sealed} after it was sealed"
            ).format(
                seq=seal.seq, moment=sealed_at.isoformat(timespec="seconds"), sealed=sealed_seq
            )
        )
    elif _recorded(sealed) > sealed_at + dt.timedelta(minutes=5):
        problems.append(
            _(
                "seal {seq}: entry {sealed} claims to be recorded at {recorded}, after the seal's "
                "time {moment}"
            ).format(
                seq=seal.seq,
                sealed=sealed_seq,
                recorded=sealed.recorded_at[:19],
                moment=sealed_at.isoformat(timespec="seconds"),
            )
        )
    recorded = _recorded(seal)
    if abs(recorded - sealed_at) > SEAL_CLOCK_TOLERANCE:
        problems.append(
            _(
                "seal {seq}: its timestamp ({moment}) is not from when the seal was recorded "
                "({recorded}): the seal was replaced"
            ).format(
                seq=seal.seq,
                moment=sealed_at.isoformat(timespec="seconds"),
                recorded=seal.recorded_at[:19],
            )
        )
    later = [e for e in entries.values() if e.seq > seal.seq and _recorded(e) < recorded]
    if later:
        problems.append(
            _(
                "seal {seq}: entry {entry} after it claims an earlier time ({moment}): the "
                "entries after the seal were rewritten"
            ).format(seq=seal.seq, entry=later[0].seq, moment=later[0].recorded_at[:19])
        )
    intact, trusted = _token_status(signed_data, imprint, sealed_at, trust_roots, crls)
    if not intact:
        problems.append(
            _("seal {seq}: the timestamp token's signature does not verify").format(seq=seal.seq)
        )
    elif trusted is False:
        problems.append(
            _(
                "seal {seq}: the timestamp authority '{tsa}' does not chain to the configured "
                "trust roots"
            ).format(seq=seal.seq, tsa=authority)
        )
    return Seal(seal.seq, sealed_seq, sealed_at, authority, tuple(problems), trusted)


def _tst_info(token: Any) -> Any:
    """The TSTInfo inside a token, or None when it holds none."""
    try:
        if token["content_type"].native != "signed_data":
            return None
        content = token["content"]["encap_content_info"]["content"]
        parsed = content.parsed
        parsed.native  # noqa: B018 - parse it all now, so damage shows here
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return parsed if isinstance(parsed, tsp.TSTInfo) else None


def _authority(signed_data: Any) -> str:
    try:
        certificates = [c.chosen for c in signed_data["certificates"] or []]
        sid = signed_data["signer_infos"][0]["sid"]
        for certificate in certificates:
            if sid.name == "issuer_and_serial_number":
                if certificate.serial_number == sid.chosen["serial_number"].native:
                    return _common_name(certificate)
            elif certificate.key_identifier == sid.chosen.native:
                return _common_name(certificate)
    except (ValueError, TypeError, KeyError, IndexError):
        pass
    return "?"


def _common_name(certificate: x509.Certificate) -> str:
    name = certificate.subject.native.get("common_name")
    return str(name) if name else str(certificate.subject.human_friendly)


def _token_status(
    signed_data: Any,
    imprint: Any,
    moment: dt.datetime,
    trust_roots: Sequence[x509.Certificate],
    crls: Sequence[Any] = (),
) -> tuple[bool, bool | None]:
    """(intact, trusted): the token's signature, and its TSA against the trust roots
    at the token's own time (None when no roots are configured)."""
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    own = [c.chosen for c in signed_data["certificates"] or []]
    roots = list(trust_roots) or own  # without roots: integrity only
    context = ValidationContext(
        trust_roots=roots,
        other_certs=own,
        allow_fetching=False,
        moment=moment,
        crls=list(crls),
        revocation_mode="soft-fail",  # offline: what the configured lists say counts
    )
    expected = imprint["hashed_message"].native
    try:
        status: dict[str, Any] = asyncio.run(
            validate_tst_signed_data(signed_data, context, lambda _algorithm: expected)
        )
    except Exception:  # a hostile or damaged token: not intact, never a traceback
        return False, None
    intact = bool(status.get("intact")) and bool(status.get("valid"))
    if not trust_roots:
        return intact, None
    path = status.get("validation_path")
    return intact, path is not None and bool(status.get("trust_problem_indic") is None)


def _recorded(entry: Entry) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(entry.recorded_at)
    except ValueError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def seal_with_settings(settings: Settings, *, tsa: str | None, by: str | None) -> Entry:
    """`register seal` as configured: the TSA from ``tsa`` or the config, the official
    ``by`` (a key of archief.medewerkers; default the configured responsible official)."""
    from .archive_config import official_record
    from .errors import ConfigError
    from .sign.services import timestamper_for
    from .signing_config import SignatureLevel

    if settings.register is None:
        raise ConfigError(_("the register is switched off ('register: null')"))
    url = tsa or settings.signing.tsa
    if not url:
        raise ConfigError(
            _("sealing the register needs a timestamp authority, and none is configured"),
            hint=_("give --tsa URL, or set 'ondertekening.tijdstempeldienst' in toetreding.yaml"),
        )
    key = by or settings.archive.responsible
    official = official_record(settings.archive, key) if key else None
    timestamper = timestamper_for(SignatureLevel.B_T, url)
    with Register(settings.register, workspace=settings.workspace) as register:
        register.check_writable()
        shown = url
        if url.startswith("demo:"):  # a file: recorded like every other path
            shown = "demo:" + register.stored_path(url.removeprefix("demo:"))
        return seal_register(register, timestamper, shown, official)
