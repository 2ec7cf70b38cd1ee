"""What a PKCS#11 module offers, read *without* logging in.

A secretariat needs the token's label and the key's label (or id) for its signer profile,
and `sign` needs to know, before it asks for a PIN, that the module loads, the token is
there, its PIN is not locked and the certificate belonging to the key is on it and usable.
All of that is public on a smartcard: certificates (and usually public keys) can be read in
a session without a PIN. Private keys only become visible after logging in; `sign` finds
the key right after the login, before anything is signed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509

from ..config import unsafe_module_reason
from ..errors import CredentialError
from ..i18n import _
from ..signing_config import Pkcs11Location

KNOWN_MODULES = (
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
)
"""Where Debian puts OpenSC (most smartcards) and SoftHSM2, tried when none is configured."""


class PinState:
    """How many PIN attempts a token has left, in words (stable English values, also in
    ``tokens --json``; :func:`pin_state_words` gives them in the user's language)."""

    OK = "ok"
    COUNT_LOW = "a wrong PIN was entered before"
    FINAL_TRY = "one attempt left"
    LOCKED = "locked"


def pin_state_words(state: str) -> str:
    """A :class:`PinState` value in the user's language, for display."""
    words = {
        PinState.OK: _("ok"),
        PinState.COUNT_LOW: _("a wrong PIN was entered before"),
        PinState.FINAL_TRY: _("one attempt left"),
        PinState.LOCKED: _("locked"),
    }
    return words.get(state, state)


@dataclass(frozen=True)
class TokenCertificate:
    """A certificate stored on a token, with the label and id that name it."""

    label: str
    id_hex: str
    certificate: asn1_x509.Certificate

    @property
    def common_name(self) -> str:
        """The holder's name."""
        return str(self.certificate.subject.native.get("common_name", ""))

    @property
    def issuer(self) -> str:
        """The issuing CA's name."""
        return str(self.certificate.issuer.native.get("common_name", ""))

    @property
    def valid_until(self) -> dt.datetime:
        """The end of its validity."""
        value: dt.datetime = self.certificate["tbs_certificate"]["validity"]["not_after"].native
        return value

    @property
    def can_sign(self) -> bool:
        """Whether its key usage allows signing documents."""
        usage = self.certificate.key_usage_value
        names = set(usage.native) if usage is not None else set()
        return bool(names & {"digital_signature", "non_repudiation"}) or usage is None


@dataclass(frozen=True)
class TokenInfo:
    """One slot with a token in it."""

    slot_id: int
    slot_description: str
    label: str
    manufacturer: str
    model: str
    serial: str
    initialised: bool
    pin_state: str
    certificates: tuple[TokenCertificate, ...]
    public_keys: tuple[tuple[str, str], ...]
    """(label, id in hex) of every public key object."""


def default_module() -> Path | None:
    """The first PKCS#11 module Debian installs at its usual place."""
    for candidate in KNOWN_MODULES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def load_module(module: Path) -> tuple[Any, Any]:
    """Load a PKCS#11 module after checking it is safe to load; (library, pkcs11 package)."""
    import pkcs11

    unsafe = unsafe_module_reason(module)
    if unsafe is not None:
        raise CredentialError(
            _("PKCS#11 module '{module}' {problem}").format(module=module, problem=unsafe),
            hint=_("give the PKCS#11 library installed by the card's software or the system"),
        )
    if not module.is_file():
        raise CredentialError(
            _("PKCS#11 module '{module}' not found").format(module=module),
            hint=_(
                "give the token's PKCS#11 library, e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so "
                "(Debian package opensc) or the card vendor's .so file"
            ),
        )
    try:
        return pkcs11.lib(str(module)), pkcs11
    except Exception as error:
        raise CredentialError(
            _("cannot load PKCS#11 module '{module}': {error}").format(
                module=module, error=type(error).__name__
            ),
            hint=_("is it a PKCS#11 library for this machine (64-bit Linux)?"),
        ) from None


def pin_state(token: Any, pkcs11: Any) -> str:
    """The token's PIN counter as its flags tell it."""
    flags = token.flags
    if flags & pkcs11.TokenFlag.USER_PIN_LOCKED:
        return PinState.LOCKED
    if flags & pkcs11.TokenFlag.USER_PIN_FINAL_TRY:
        return PinState.FINAL_TRY
    if flags & pkcs11.TokenFlag.USER_PIN_COUNT_LOW:
        return PinState.COUNT_LOW
    return PinState.OK


def list_tokens(module: Path) -> tuple[TokenInfo, ...]:
    """Every slot with a token, and the certificates and public keys readable without PIN."""
    library, pkcs11 = load_module(module)
    found: list[TokenInfo] = []
    try:
        slots = library.get_slots(token_present=True)
    except pkcs11.PKCS11Error as error:
        raise CredentialError(
            _("the PKCS#11 module cannot list its slots: {error}").format(
                error=type(error).__name__
            )
        ) from None
    for slot in slots:
        try:
            token = slot.get_token()
        except pkcs11.PKCS11Error:
            continue  # a card pulled out while listing
        initialised = bool(token.flags & pkcs11.TokenFlag.TOKEN_INITIALIZED)
        certificates: tuple[TokenCertificate, ...] = ()
        public_keys: tuple[tuple[str, str], ...] = ()
        if initialised:
            certificates, public_keys = _public_objects(token, pkcs11)
        found.append(
            TokenInfo(
                slot_id=int(slot.slot_id),
                slot_description=str(slot.slot_description).strip(),
                label=str(token.label).strip(),
                manufacturer=str(token.manufacturer_id).strip(),
                model=str(token.model).strip(),
                serial=_text(token.serial),
                initialised=initialised,
                pin_state=pin_state(token, pkcs11),
                certificates=certificates,
                public_keys=public_keys,
            )
        )
    return tuple(found)


def find_token(library: Any, label: str | None, pkcs11: Any) -> Any:
    """The token with this label (or the only initialised one)."""
    tokens = [
        token
        for token in (slot.get_token() for slot in library.get_slots(token_present=True))
        if token.flags & pkcs11.TokenFlag.TOKEN_INITIALIZED  # skip empty, uninitialised slots
    ]
    labels = [t.label.strip() for t in tokens]
    present = ", ".join(labels) or _("none")
    if label is not None:
        matching = [t for t in tokens if t.label.strip() == label]
        if not matching:
            raise CredentialError(
                _("no token labelled '{label}' is present").format(label=label),
                hint=_(
                    "tokens present: {labels} — insert the card or fix "
                    "the label (`toetreding tokens` lists them)"
                ).format(labels=present),
            )
        if len(matching) > 1:
            raise CredentialError(
                _("more than one token is labelled '{label}'").format(label=label)
            )
        return matching[0]
    if not tokens:
        raise CredentialError(
            _("no token is present in any slot of this PKCS#11 module"),
            hint=_(
                "insert the card (or connect the USB token) and check the reader; "
                "`toetreding tokens` shows what the module sees"
            ),
        )
    if len(tokens) > 1:
        raise CredentialError(
            _("{count} tokens present; toetreding needs to know which to use").format(
                count=len(tokens)
            ),
            hint=_(
                "name it with --token LABEL (present: {labels}; `toetreding tokens` lists them)"
            ).format(labels=present),
        )
    return tokens[0]


def refuse_locked_pin(token: Any, pkcs11: Any) -> None:
    """A locked PIN, or one attempt left: refused before anyone types a PIN."""
    label = token.label.strip()
    state = pin_state(token, pkcs11)
    if state == PinState.LOCKED:
        raise CredentialError(
            _("the PIN of token '{token}' is locked after too many wrong attempts").format(
                token=label
            ),
            hint=_("unblock it with the PUK using the card's own software, then try again"),
        )
    if state == PinState.FINAL_TRY:
        raise CredentialError(
            _(
                "token '{token}' allows one more PIN attempt only; toetreding will not spend it"
            ).format(token=label),
            hint=_(
                "log in once with the card's own software (which resets the counter), "
                "then sign again"
            ),
        )


@dataclass(frozen=True)
class TokenCheck:
    """What `sign` learnt about a token before asking for its PIN."""

    token_label: str
    certificate: asn1_x509.Certificate
    others: tuple[asn1_x509.Certificate, ...]
    """The token's other certificates (often the CA chain)."""


def check_token(location: Pkcs11Location) -> TokenCheck:
    """Module loads, token present, PIN not locked, the key's certificate readable.

    The certificate is found as the signer will find it: by ``certificaat`` (label), else
    the key's label, else the key's id.
    """
    library, pkcs11 = load_module(Path(location.module))
    token = find_token(library, location.token, pkcs11)
    refuse_locked_pin(token, pkcs11)
    token_label = token.label.strip()
    certificates, _unused = _public_objects(token, pkcs11)
    label = location.cert_label or location.key_label
    key_id = location.key_id.lower() if location.key_id else None
    if label is not None:
        matching = [c for c in certificates if c.label == label]
    elif key_id is not None:
        matching = [c for c in certificates if c.id_hex == key_id]
    else:
        raise CredentialError(
            _("the key on the token is not named"),
            hint=_(
                "give --key LABEL (or 'sleutel'/'sleutel_id' in the profile); "
                "`toetreding tokens` lists the names"
            ),
        )
    if not matching:
        present = ", ".join(f"'{c.label}' (id {c.id_hex})" for c in certificates) or _("none")
        if label is not None:
            message = _(
                "no certificate labelled '{label}' on token '{token}', so there is no key to "
                "sign with under that name"
            ).format(label=label, token=token_label)
        else:
            message = _(
                "no certificate with id {key_id} on token '{token}', so there is no key to "
                "sign with under that name"
            ).format(key_id=key_id, token=token_label)
        raise CredentialError(
            message,
            hint=_(
                "certificates on the token: {certificates}; fix --key/'sleutel' (or name the "
                "certificate with 'certificaat')"
            ).format(certificates=present),
        )
    if len(matching) > 1:
        if label is not None:
            message = _("more than one certificate labelled '{label}' on token '{token}'").format(
                label=label, token=token_label
            )
        else:
            message = _("more than one certificate with id {key_id} on token '{token}'").format(
                key_id=key_id, token=token_label
            )
        raise CredentialError(message, hint=_("name the key by both label and id"))
    chosen = matching[0]
    others = tuple(c.certificate for c in certificates if c is not chosen)
    return TokenCheck(token_label, chosen.certificate, others)


def _public_objects(
    token: Any, pkcs11: Any
) -> tuple[tuple[TokenCertificate, ...], tuple[tuple[str, str], ...]]:
    from pkcs11 import Attribute, ObjectClass

    certificates: list[TokenCertificate] = []
    public_keys: list[tuple[str, str]] = []
    try:
        with token.open() as session:
            for item in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
                try:
                    parsed = asn1_x509.Certificate.load(bytes(item[Attribute.VALUE]))
                    parsed.native  # noqa: B018 - parse it all now: a broken one is skipped
                except Exception:
                    continue
                certificates.append(
                    TokenCertificate(_attribute(item, Attribute.LABEL), _id(item), parsed)
                )
            for item in session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY}):
                public_keys.append((_attribute(item, Attribute.LABEL), _id(item)))
    except pkcs11.PKCS11Error as error:
        raise CredentialError(
            _("cannot read token '{token}': {error}").format(
                token=token.label.strip(), error=type(error).__name__
            ),
            hint=_("is the card inserted and the reader connected?"),
        ) from None
    return tuple(certificates), tuple(public_keys)


def _attribute(item: Any, name: Any) -> str:
    try:
        return str(item[name]).strip()
    except Exception:
        return ""


def _id(item: Any) -> str:
    from pkcs11 import Attribute

    try:
        return bytes(item[Attribute.ID]).hex()
    except Exception:
        return ""


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").strip()
    return str(value).strip()


@dataclass(frozen=True)
class TokenOverview:
    """What `toetreding tokens` shows: the module it loaded and what it found."""

    module: Path
    tokens: tuple[TokenInfo, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "module": str(self.module),
            "tokens": [
                {
                    "slot": token.slot_id,
                    "slot_description": token.slot_description,
                    "label": token.label,
                    "manufacturer": token.manufacturer,
                    "model": token.model,
                    "serial": token.serial,
                    "initialised": token.initialised,
                    "pin": token.pin_state,
                    "certificates": [
                        {
                            "label": item.label,
                            "id": item.id_hex,
                            "holder": item.common_name,
                            "issuer": item.issuer,
                            "valid_until": item.valid_until.isoformat(),
                            "can_sign": item.can_sign,
                        }
                        for item in token.certificates
                    ],
                    "public_keys": [
                        {"label": label, "id": key_id} for label, key_id in token.public_keys
                    ],
                }
                for token in self.tokens
            ],
        }


def module_to_list(explicit: Path | None, configured: tuple[Path, ...]) -> Path:
    """The module given, else the first one the signer profiles name, else Debian's usual one."""
    if explicit is not None:
        return explicit
    if configured:
        return configured[0]
    found = default_module()
    if found is None:
        raise CredentialError(
            _("no PKCS#11 module is configured and none is installed at the usual places"),
            hint=_(
                "install the card's software (Debian: apt-get install opensc) or give "
                "--module /path/to/pkcs11-library.so"
            ),
        )
    return found


def tokens_overview(explicit: Path | None, configured: tuple[Path, ...] = ()) -> TokenOverview:
    """List the tokens of the module to use (see :func:`module_to_list`)."""
    module = module_to_list(explicit, configured)
    return TokenOverview(module, list_tokens(module))
