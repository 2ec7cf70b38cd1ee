"""When must a signed statement's evidence be renewed? A schedule read from its own bytes.

A B-LTA statement stays provable only while its *newest* timestamp can still be validated:
the timestamp authority's (TSA's) certificate must not have expired, and the algorithms
of the timestamp must not have become too weak. Before that moment a new document
timestamp with fresh validation data has to be added (ETSI EN 319 142-1, B-LTA; in this
project ``toetreding extend --level B-LTA``, :func:`toetreding.sign.extend.extend_statement`).
:func:`renewal_due` says by when, and why. It reads the document only: nothing is fetched,
nothing is validated against trust roots (that is `verify`'s work).

What counts, in order:

1. **The newest document timestamp** (``/Type /DocTimeStamp``, SubFilter ETSI.RFC3161):
   the one whose ``/ByteRange`` ends last, i.e. the last one in the file. It covers every
   signature and timestamp before it, so older timestamps no longer matter ("the newest
   wins"). It contributes its TSA certificate's notAfter (``tsa-certificate-expires``) and
   the horizon of its algorithms (``algorithm-weakens``, see below).
2. **Signatures it does not cover** (all of them when there is no document timestamp;
   otherwise those appended after it, such as a later acceptance signature). Each is on
   its own, since signatures do not cover each other:

   - with signature timestamp(s) (unsigned attribute signature_time_stamp_token, B-T and
     B-LT): the newest token of that signature counts as in 1.;
   - without any timestamp (B-B): the signer's certificate notAfter
     (``certificate-expires``: after it, revocation data for the signer may no longer be
     obtainable, so the signature cannot be brought to B-T/B-LT/B-LTA any more) and the
     horizon of the signature's own algorithms (``algorithm-weakens``).
3. **No validation data yet**: a timestamped signature whose signer's certificate is not
   in the document security store (``/DSS /Certs``; B-T, whether its time comes from a
   signature timestamp or from a document timestamp added by ``extend``, or a signature
   appended later) still needs its validation data collected, and that is possible only
   while the certificate is valid: its notAfter counts too, as ``no-archive-timestamp``
   (the document must get validation data and an archive timestamp, ``extend --level
   B-LTA``, before then).

The due moment is the earliest of all these, minus ``margin``; the reason is the one of
that earliest moment. The other fields describe the timestamp (or, for
``certificate-expires``, the signature) that set it.

Damaged evidence is never a traceback. A timestamp token that cannot be read (not DER,
not a SignedData with a TSTInfo, no certificates, or without the certificate its
SignerInfo names) makes the document due *now* (:data:`ALREADY_DUE`) with reason
``unreadable-timestamp``: a renewal adds at least one good timestamp. A regular signature
that cannot be read (not DER, not a SignedData, without its signer's certificate) is due
now with reason ``unreadable-signature``, so a person looks at it (no renewal mends it;
`verify` tells what is wrong). An algorithm that is not in the table
below is due now with reason ``algorithm-unknown``: the table cannot vouch for it, and a
validator following the same policy refuses it. Bytes that are not a readable PDF raise
:class:`~toetreding.errors.InputFileError`, as everywhere else in the project.

**The algorithm horizons** are the dates from which an algorithm is no longer acceptable;
a timestamp made with it must be renewed before that moment. They are those of ETSI TS
119 312 V1.5.1 (2024-12), "Cryptographic Suites", the European catalogue behind eIDAS
validation, as encoded in the default validation policy of the European Commission's
reference validator EU DSS 6.4 (``policy/constraint.xml``, ``<AlgoExpirationDate>``, in
``dss-policy-jaxb-6.4.jar``; DSS 6.4 is also this project's conformance judge, so a
renewal scheduled by this table is in time for that validator):

- digests: MD5 (and the older MD2) 2004-08-01; SHA-1 2012-08-01 (a year after ETSI TS
  102 176-1 V2.1.1, 2011-07, stopped recommending it);
  RIPEMD-160 2014-08-01; SHA-224 2029-01-01 (legacy); SHA-256, SHA-384, SHA-512 and
  SHA3-256/384/512: no horizon known (recommended);
- RSA with PKCS#1 v1.5 padding (``sha256WithRSAEncryption``, what most TSAs use): below
  786 bits always unacceptable; 786–1023 bits 2010-08-01; 1024–1899 bits 2019-10-01;
  1900 bits and more (so 2048, 3072 and 4096 alike) 2029-01-01 — DSS 6.4 dates PKCS#1
  v1.5 of 3000 bits and more like 2048 (a legacy scheme until the end of 2028), and
  only PSS of 3000 bits and more as recommended;
- RSASSA-PSS: as RSA, except 3000 bits and more: no horizon known (recommended);
- DSA: 1024–1899 bits 2015-12-01; 1900–2999 bits 2029-01-01; 3000 and more: none known;
- ECDSA: curves of 160–223 bits 2012-08-01; 224–255 bits 2021-10-01; 256 bits and more
  (P-256, P-384, P-521, brainpoolP256r1/384r1/512r1): no horizon known.

Other common guidance is *not* used, on purpose: NIST SP 800-57 Part 1 (table "security
strength time frames") keeps 112-bit strength (RSA 2048) acceptable through 2030, i.e.
until 2031-01-01 — later than the European date, so a schedule on it would leave a
statement failing EU validation for two years. SOG-IS ACM v1.2/1.3 and BSI TR-02102-1 are
stricter than TS 119 312 V1.5.1 for RSA of 1900–2999 bits (legacy until 2025-12-31; see
the Bundesnetzagentur's notice "Zeitnaher Ablauf der Eignung von RSA2048", 2024-09-06).
The table is data: when ETSI publishes new dates, change :data:`DIGEST_HORIZONS` and
:data:`KEY_HORIZONS` (a third-party transcription of TS 119 312 V2.1.1, 2026-06, Annex D,
suggests RSA below 3000 bits only before 2026-01-01; not checked against ETSI's text). Only the timestamp's own algorithms count (SignerInfo digest, the
message imprint's hash, the signature scheme and the TSA key); the algorithms of the
certificate chain above the TSA are left to validation.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms
from asn1crypto.core import Void

from ..errors import ConfigError, InputFileError
from ..i18n import _

UTC = dt.UTC

REASON_TSA_CERTIFICATE = "tsa-certificate-expires"
REASON_ALGORITHM = "algorithm-weakens"
REASON_ALGORITHM_UNKNOWN = "algorithm-unknown"
REASON_NO_ARCHIVE_TIMESTAMP = "no-archive-timestamp"
REASON_CERTIFICATE = "certificate-expires"
REASON_UNREADABLE_TIMESTAMP = "unreadable-timestamp"
REASON_UNREADABLE_SIGNATURE = "unreadable-signature"
REASONS = (
    REASON_UNREADABLE_SIGNATURE,
    REASON_UNREADABLE_TIMESTAMP,
    REASON_ALGORITHM_UNKNOWN,
    REASON_TSA_CERTIFICATE,
    REASON_ALGORITHM,
    REASON_NO_ARCHIVE_TIMESTAMP,
    REASON_CERTIFICATE,
)
"""Every reason :func:`renewal_due` gives (stable English codes, for registers and JSON);
when two moments are equal, the one earlier in this tuple is reported."""

ALREADY_DUE = dt.datetime(1970, 1, 1, tzinfo=UTC)
"""The due moment of what is due *now* (unreadable evidence, an unknown algorithm): a
moment before any ``now``. ``margin`` does not move it."""

DEFAULT_MARGIN = dt.timedelta(0)
"""By default ``due`` is the hard deadline itself; give lead time with the window of
:func:`due_within` (or a ``margin``, which moves ``due`` itself earlier)."""


def _utc(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=UTC)


DIGEST_HORIZONS: dict[str, dt.datetime | None] = {
    "md2": _utc(2004, 8, 1),
    "md5": _utc(2004, 8, 1),
    "sha1": _utc(2012, 8, 1),
    "ripemd160": _utc(2014, 8, 1),
    "sha224": _utc(2029, 1, 1),
    "sha256": None,
    "sha384": None,
    "sha512": None,
    "sha3_256": None,
    "sha3_384": None,
    "sha3_512": None,
}
"""Hash algorithm (asn1crypto's name) → first moment it is no longer acceptable, None for
no horizon known (ETSI TS 119 312 V1.5.1 via EU DSS 6.4; see the module's docstring)."""

KEY_HORIZONS: dict[str, tuple[tuple[int, dt.datetime | None], ...]] = {
    "rsassa_pkcs1v15": (
        (786, _utc(2010, 8, 1)),
        (1024, _utc(2019, 10, 1)),
        (1900, _utc(2029, 1, 1)),
    ),
    "rsassa_pss": (
        (786, _utc(2010, 8, 1)),
        (1024, _utc(2019, 10, 1)),
        (1900, _utc(2029, 1, 1)),
        (3000, None),
    ),
    "dsa": ((1024, _utc(2015, 12, 1)), (1900, _utc(2029, 1, 1)), (3000, None)),
    "ecdsa": ((160, _utc(2012, 8, 1)), (224, _utc(2021, 10, 1)), (256, None)),
}
"""Signature scheme → (minimum key size in bits, horizon) steps, ascending: a key gets the
horizon of the largest step it reaches; a key below the first step is already due."""

CURVE_BITS = {
    "secp192r1": 192,
    "secp224r1": 224,
    "secp256r1": 256,
    "secp384r1": 384,
    "secp521r1": 521,
    "brainpoolp192r1": 192,
    "brainpoolp224r1": 224,
    "brainpoolp256r1": 256,
    "brainpoolp320r1": 320,
    "brainpoolp384r1": 384,
    "brainpoolp512r1": 512,
}
"""The named curves ECDSA keys may use, by size (other curves count as unknown)."""


@dataclass(frozen=True)
class RenewalDue:
    """By when a statement's evidence must be renewed, and why."""

    due: dt.datetime
    """The moment (UTC) by which a new document timestamp must have been added."""
    reason: str
    """One of :data:`REASONS`."""
    timestamp_time: dt.datetime | None = None
    """genTime of the timestamp that set ``due`` (None: no timestamp, or unreadable)."""
    tsa_certificate_expires: dt.datetime | None = None
    """notAfter of that timestamp's TSA certificate."""
    algorithm: str | None = None
    """e.g. ``sha256 / rsassa_pkcs1v15 2048``: of the timestamp, or for
    ``certificate-expires`` of the signature."""
    tsa_subject: str | None = None
    """The TSA certificate's subject, as people read it."""

    def due_by(self, moment: dt.datetime) -> bool:
        """Whether renewal is due at or before ``moment`` (timezone-aware)."""
        return self.due <= moment


# --- reading the evidence ---------------------------------------------------------------


class _Unreadable(Exception):
    """A CMS object (signature or timestamp token) that cannot be used."""


@dataclass(frozen=True)
class _Cms:
    """What one signature or timestamp token says about its own lifetime."""

    certificate: Any  # asn1crypto x509.Certificate of the signer / TSA
    expires: dt.datetime
    """The certificate's notAfter."""
    subject: str
    algorithm: str
    horizon: dt.datetime | None
    algorithm_known: bool
    signer_info: Any
    gen_time: dt.datetime | None = None


@dataclass(frozen=True)
class _Candidate:
    due: dt.datetime
    reason: str
    stamp: _Cms | None = None
    algorithm: str | None = None

    def order(self) -> tuple[dt.datetime, int]:
        return self.due, REASONS.index(self.reason)


def _signer_certificate(signed_data: Any, signer_info: Any) -> Any:
    """The certificate the SignerInfo's sid names, among those the SignedData carries."""
    sid = signer_info["sid"]
    certificates = signed_data["certificates"]
    if isinstance(certificates, Void):  # absent (.native would decode every certificate)
        raise _Unreadable("no certificates")
    for choice in certificates:
        if choice.name != "certificate":
            continue
        certificate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            chosen = sid.chosen
            if (
                chosen["issuer"].dump() == certificate.issuer.dump()
                and chosen["serial_number"].native == certificate.serial_number
            ):
                return certificate
        elif (
            sid.name == "subject_key_identifier" and certificate.key_identifier == sid.chosen.native
        ):
            return certificate
    raise _Unreadable("signer certificate missing")


def _key_size(public_key: Any) -> tuple[str, int | None]:
    """The key's algorithm and its size in bits as the table counts it (None: unknown)."""
    algorithm = str(public_key.algorithm)
    if algorithm == "ec":
        kind, curve = public_key.curve
        return algorithm, CURVE_BITS.get(str(curve)) if kind == "named" else None
    if algorithm in ("rsa", "rsassa_pss", "dsa"):
        return algorithm, int(public_key.bit_size)
    return algorithm, None


_SCHEME_KEYS = {
    "rsassa_pkcs1v15": ("rsa", "rsassa_pss"),
    "rsassa_pss": ("rsa", "rsassa_pss"),
    "dsa": ("dsa",),
    "ecdsa": ("ec",),
}


def _digest_horizon(name: str) -> tuple[dt.datetime | None, bool]:
    if name not in DIGEST_HORIZONS:
        return ALREADY_DUE, False
    return DIGEST_HORIZONS[name], True


def _key_horizon(scheme: str, bits: int | None) -> tuple[dt.datetime | None, bool]:
    steps = KEY_HORIZONS.get(scheme)
    if steps is None or bits is None:
        return ALREADY_DUE, False
    horizon: dt.datetime | None = ALREADY_DUE  # below the first step: never acceptable
    for minimum, moment in steps:
        if bits >= minimum:
            horizon = moment
    return horizon, True


def _earliest(horizons: list[tuple[dt.datetime | None, bool]]) -> tuple[dt.datetime | None, bool]:
    known = all(ok for _moment, ok in horizons)
    moments = [moment for moment, _ok in horizons if moment is not None]
    return (min(moments) if moments else None), known


def _read_cms(der: bytes, *, timestamp: bool) -> _Cms:
    """Parse a CMS signature or RFC 3161 token; :class:`_Unreadable` for anything wrong."""
    try:
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise _Unreadable("not a SignedData")
        signed_data = info["content"]
        signer_infos = signed_data["signer_infos"]
        if len(signer_infos) != 1:
            raise _Unreadable("not exactly one SignerInfo")
        signer_info = signer_infos[0]
        certificate = _signer_certificate(signed_data, signer_info)
        digest = str(signer_info["digest_algorithm"]["algorithm"].native)
        digests = [digest]
        signature_algorithm = signer_info["signature_algorithm"]
        scheme = str(signature_algorithm.signature_algo)
        with contextlib.suppress(ValueError):  # plain rsaEncryption names no digest
            digests.append(str(signature_algorithm.hash_algo))
        gen_time: dt.datetime | None = None
        imprint = digest
        if timestamp:
            content = signed_data["encap_content_info"]
            if content["content_type"].native != "tst_info":
                raise _Unreadable("not a timestamp token")
            tst_info = content["content"].parsed
            gen_time = tst_info["gen_time"].native.astimezone(UTC)
            imprint = str(tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native)
            digests.append(imprint)
        key_algorithm, bits = _key_size(certificate.public_key)
        if key_algorithm not in _SCHEME_KEYS.get(scheme, ()):
            bits = None  # a scheme the key cannot make: nothing to vouch for
        horizon, known = _earliest(
            [
                *(_digest_horizon(name) for name in dict.fromkeys(digests)),
                _key_horizon(scheme, bits),
            ]
        )
        text = f"{digest} / {scheme}" + (f" {bits}" if bits is not None else "")
        if imprint != digest:
            text += f" (imprint {imprint})"
        return _Cms(
            certificate=certificate,
            expires=certificate.not_valid_after.astimezone(UTC),
            subject=str(certificate.subject.human_friendly),
            algorithm=text,
            horizon=horizon,
            algorithm_known=known,
            signer_info=signer_info,
            gen_time=gen_time,
        )
    except _Unreadable:
        raise
    except Exception as error:  # asn1crypto raises many kinds on hostile DER
        raise _Unreadable(str(error)) from None


def _signature_timestamps(signer_info: Any) -> list[bytes]:
    """The DER of each signature timestamp token in the SignerInfo's unsigned attributes."""
    try:
        unsigned = signer_info["unsigned_attrs"]
        if isinstance(unsigned, Void):  # absent (.native would decode every token)
            return []
        return [
            value.dump()
            for attribute in unsigned
            if attribute["type"].native == "signature_time_stamp_token"
            for value in attribute["values"]
        ]
    except Exception as error:  # a damaged unsigned attribute: its tokens are unreadable
        raise _Unreadable(str(error)) from None


@dataclass(frozen=True)
class _Field:
    """One filled signature field, as far as it could be read."""

    is_timestamp: bool
    end: float
    """Where its /ByteRange ends (infinite when unreadable: then it counts as newest)."""
    contents: bytes | None


def _filled_fields(reader: Any) -> list[_Field]:
    from pyhanko.sign.fields import enumerate_sig_fields

    found: list[_Field] = []
    for _name, value, _field in enumerate_sig_fields(reader, filled_status=True):
        signature: Any = value.get_object()
        try:
            kind = str(signature.get("/Type", ""))
            subfilter = str(signature.get("/SubFilter", ""))
        except Exception:
            kind = subfilter = ""
        is_timestamp = kind == "/DocTimeStamp" or subfilter == "/ETSI.RFC3161"
        end: float = math.inf
        contents: bytes | None = None
        try:
            a, b, c, d = (int(number) for number in signature["/ByteRange"])
            if min(a, b, c, d) >= 0:
                end = c + d
            contents = bytes(signature.raw_get("/Contents").original_bytes)
        except Exception:
            contents = None
        found.append(_Field(is_timestamp=is_timestamp, end=end, contents=contents))
    return found


def _timestamp_candidates(stamp: _Cms) -> Iterator[_Candidate]:
    yield _Candidate(stamp.expires, REASON_TSA_CERTIFICATE, stamp, stamp.algorithm)
    if not stamp.algorithm_known:
        yield _Candidate(ALREADY_DUE, REASON_ALGORITHM_UNKNOWN, stamp, stamp.algorithm)
    elif stamp.horizon is not None:
        yield _Candidate(stamp.horizon, REASON_ALGORITHM, stamp, stamp.algorithm)


def _newest_token(tokens: list[bytes]) -> _Cms:
    stamps = [_read_cms(token, timestamp=True) for token in tokens]
    return max(stamps, key=lambda stamp: stamp.gen_time or ALREADY_DUE)


def _signature_candidates(
    field: _Field, covering: _Cms | None, validated: frozenset[bytes]
) -> Iterator[_Candidate]:
    """What one regular signature adds; ``covering`` is the document timestamp over it (if
    any), ``validated`` the certificates whose validation data the DSS holds."""
    if field.contents is None:
        yield _Candidate(ALREADY_DUE, REASON_UNREADABLE_SIGNATURE)
        return
    try:
        signature = _read_cms(field.contents, timestamp=False)
    except _Unreadable:
        yield _Candidate(ALREADY_DUE, REASON_UNREADABLE_SIGNATURE)
        return
    stamp = covering
    if stamp is None:
        try:
            tokens = _signature_timestamps(signature.signer_info)
            stamp = _newest_token(tokens) if tokens else None
        except _Unreadable:
            yield _Candidate(ALREADY_DUE, REASON_UNREADABLE_TIMESTAMP)
            return
        if stamp is None:  # B-B: nothing proves when it was made
            yield _Candidate(signature.expires, REASON_CERTIFICATE, None, signature.algorithm)
            if not signature.algorithm_known:
                yield _Candidate(ALREADY_DUE, REASON_ALGORITHM_UNKNOWN, None, signature.algorithm)
            elif signature.horizon is not None:
                yield _Candidate(signature.horizon, REASON_ALGORITHM, None, signature.algorithm)
            return
        yield from _timestamp_candidates(stamp)
    if signature.certificate.dump() not in validated:
        yield _Candidate(signature.expires, REASON_NO_ARCHIVE_TIMESTAMP, stamp, stamp.algorithm)


def _dss_certificates(reader: Any) -> frozenset[bytes]:
    """The DER of every certificate in the document security store (/DSS /Certs)."""
    try:
        if "/DSS" not in reader.root:
            return frozenset()
        certificates = reader.root["/DSS"].get_object().get("/Certs", ())
        return frozenset(bytes(ref.get_object().data) for ref in certificates)
    except Exception:  # a damaged DSS holds nothing usable
        return frozenset()


def _candidates(reader: Any) -> list[_Candidate] | None:
    fields = _filled_fields(reader)
    if not fields:
        return None
    validated = _dss_certificates(reader)
    stamps = [f for f in fields if f.is_timestamp]
    newest = max(stamps, key=lambda f: f.end) if stamps else None
    candidates: list[_Candidate] = []
    covering: _Cms | None = None
    if newest is not None:
        try:
            if newest.contents is None:
                raise _Unreadable("no /Contents")
            covering = _read_cms(newest.contents, timestamp=True)
        except _Unreadable:
            return [_Candidate(ALREADY_DUE, REASON_UNREADABLE_TIMESTAMP)]
        candidates.extend(_timestamp_candidates(covering))
    for field in fields:
        if not field.is_timestamp:
            covered = newest is not None and field.end <= newest.end
            candidates.extend(
                _signature_candidates(field, covering if covered else None, validated)
            )
    return candidates


def renewal_due(
    data: bytes,
    *,
    margin: dt.timedelta = DEFAULT_MARGIN,
    source: Path | None = None,
) -> RenewalDue | None:
    """By when the PDF ``data`` needs a new archive timestamp, and why (module docstring).

    None for a PDF without any signature or timestamp. ``margin`` (not negative) moves the
    due moment earlier, except a moment that is due now already. ``source`` names the file
    in the error for bytes that are not a readable PDF (:class:`InputFileError`).
    """

    from ..sign.document import open_reader

    if margin < dt.timedelta(0):
        raise ValueError("margin must not be negative")
    path = source or Path("<pdf>")
    return renewal_due_in(open_reader(data, path), margin=margin, source=path)


def renewal_due_in(
    reader: Any, *, margin: dt.timedelta = DEFAULT_MARGIN, source: Path | None = None
) -> RenewalDue | None:
    """:func:`renewal_due` for a PDF already open (``verify`` reads it once for both)."""
    from pyhanko.pdf_utils.misc import PdfError

    path = source or Path("<pdf>")
    try:
        candidates = _candidates(reader)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        # the form tree itself is damaged (the signatures' contents never get here)
        raise InputFileError(
            _("'{path}' is a damaged PDF: {error}").format(path=path, error=error),
            hint=_("render the statement again with `toetreding render`"),
        ) from None
    if candidates is None:
        return None
    chosen = min(candidates, key=_Candidate.order)
    due = chosen.due
    if due != ALREADY_DUE:
        try:
            due -= margin
        except OverflowError:
            due = dt.datetime.min.replace(tzinfo=UTC)
    stamp = chosen.stamp
    return RenewalDue(
        due=due,
        reason=chosen.reason,
        timestamp_time=stamp.gen_time if stamp else None,
        tsa_certificate_expires=stamp.expires if stamp else None,
        algorithm=chosen.algorithm,
        tsa_subject=stamp.subject if stamp else None,
    )


# --- windows: "renew what is due within 12 months" ---------------------------------------

MAX_WINDOW_YEARS = 100
"""The longest window :func:`window_end` accepts."""

_MAX_WINDOW_DAYS = MAX_WINDOW_YEARS * 36525 // 100
_WINDOW = re.compile(r"(\d+)\s*([dwmyj])")
_UNIT_WORDS = {"d": "days", "w": "weeks", "m": "months", "y": "years", "j": "years"}


def window_end(text: str, now: dt.datetime) -> dt.datetime:
    """The end of the window ``text`` starting at ``now`` (timezone-aware).

    ``text`` is a whole number and a unit: ``90d`` (days), ``6w`` (weeks), ``12m``
    (calendar months), ``2y`` or ``2j`` (calendar years, *jaar*); spaces around it and
    between number and unit are allowed, upper case too. Months and years are calendar
    ones relative to ``now``: ``12m`` from 2026-12-01 ends on 2027-12-01, and ``1m`` from
    31 January ends on the last day of February. ``0d`` is ``now`` (what is overdue).
    Anything else, or a window longer than :data:`MAX_WINDOW_YEARS` years, raises
    :class:`~toetreding.errors.ConfigError` with a hint.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    match = _WINDOW.fullmatch(text.strip().lower())
    if match is None:
        raise ConfigError(
            _("'{text}' is not a time window").format(text=text),
            hint=_("write a number and a unit: 90d, 6w, 12m or 2y (days, weeks, months, years)"),
        )
    too_long = ConfigError(
        _("the time window '{text}' is too long").format(text=text),
        hint=_("give at most {years} years").format(years=MAX_WINDOW_YEARS),
    )
    digits, unit = match.group(1).lstrip("0") or "0", _UNIT_WORDS[match.group(2)]
    if len(digits) > 6:
        raise too_long
    count = int(digits)
    days = {"days": count, "weeks": 7 * count}.get(unit, 0)
    months = {"months": count, "years": 12 * count}.get(unit, 0)
    if months > 12 * MAX_WINDOW_YEARS or days > _MAX_WINDOW_DAYS:
        raise too_long
    try:
        return _add_months(now, months) + dt.timedelta(days=days)
    except (OverflowError, ValueError):  # beyond the year 9999
        raise too_long from None


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` that many calendar months later; the day is kept, or the month's last."""
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def due_within(
    data: bytes,
    window: str,
    now: dt.datetime,
    *,
    margin: dt.timedelta = DEFAULT_MARGIN,
) -> bool:
    """Whether the statement ``data`` must be renewed within ``window`` (e.g. ``12m``) from
    ``now``: its due moment is at or before :func:`window_end`. False for a PDF without
    signatures. The window is checked first, so a bad one fails before the PDF is read."""
    end = window_end(window, now)
    due = renewal_due(data, margin=margin)
    return due is not None and due.due_by(end)
