"""Who may sign what: the chain-of-authority rules, as pure functions.

Dutch law in short (see DESIGN.md §2): the college decides to join a covenant (Gemeentewet
art. 160); the burgemeester represents the gemeente (art. 171 lid 1) and may assign that
to someone else (171 lid 2); a locoburgemeester or appointed substitute acts when the
burgemeester cannot (art. 77/78); authority can be passed on by mandaat, volmacht or
machtiging (Awb 10:1, 10:12), and onward by ondermandaat only where the mandator allows it
(10:9); a general mandate is granted in writing (10:5); and the act names on whose behalf
it is done, always the original mandator (10:10).

Each rule takes the data and returns the ways the data breaks it, written for a legal
officer, with the article. :func:`check_chain` runs them all. Nothing here reads files,
keys or clocks: `sign` and `verify` feed in the moment and the certificate, so both apply
exactly the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .model import Authority, AuthorityLink, CertificateIdentity, Decision, LinkKind

MANDATE_KINDS = frozenset(
    {LinkKind.MANDATE, LinkKind.POWER_OF_ATTORNEY, LinkKind.AUTHORISATION, LinkKind.SUBMANDATE}
)
"""Links by which authority is passed on (Awb 10:1, 10:12, 10:9)."""

WRITTEN_DECISION_KINDS = MANDATE_KINDS | {LinkKind.ASSIGNMENT}
"""Links that must rest on a written decision (Awb 10:5; art. 171 lid 2 is an act too)."""

FIRST_LINK_KINDS = frozenset(
    {LinkKind.REPRESENTATION, LinkKind.MANDATE, LinkKind.POWER_OF_ATTORNEY, LinkKind.AUTHORISATION}
)
"""How authority can leave the competent organ: representation, or a first mandate."""


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says about its holder (read by the caller, not here)."""

    subject: dict[str, str]
    """Subject attributes by asn1crypto name: common_name, serial_number, title, …"""
    serial_number: str
    """Certificate serial number, hexadecimal."""
    sha256_fingerprint: str
    """SHA-256 of the DER certificate, hexadecimal."""
    issuer: dict[str, str] = field(default_factory=dict)
    """Issuer attributes by asn1crypto name."""


@dataclass(frozen=True)
class RuleBreach:
    """One way the chain fails one rule."""

    rule: str
    """Stable id, e.g. 'in-force'."""
    message: str
    """What is wrong, in words a legal officer understands."""
    article: str
    """The provision the rule comes from."""
    link: int | None = None
    """1-based position of the offending link, if one."""

    def __str__(self) -> str:
        where = f"link {self.link}: " if self.link else ""
        return f"{where}{self.message} ({self.article})"


@dataclass(frozen=True)
class ChainContext:
    """What the chain is checked against."""

    at: dt.date
    """The signing moment (date)."""
    covenant_id: str | None = None
    """The covenant signed; without it the scope rule is not applied."""
    party_name: str | None = None
    """The joining party's name, e.g. 'Huizen' (the formula must name it)."""
    accession_decision: str | None = None
    """Id of the decision to join; its organ is where the chain must start."""
    certificate: CertificateFacts | None = None
    formula: str | None = None
    """The signing formula, e.g. 'burgemeester van Huizen, namens de gemeente Huizen'."""


@dataclass(frozen=True)
class ChainVerdict:
    """The outcome of checking a chain."""

    breaches: tuple[RuleBreach, ...]
    checked: tuple[str, ...]
    """Ids of the rules that were applied (some need a certificate or formula)."""
    signer: str
    original_mandator: str | None
    chain_digest: str

    @property
    def authorised(self) -> bool:
        """True when no rule is broken."""
        return not self.breaches


def normalise(text: str) -> str:
    """Lower case, single spaces, no leading article: for comparing functions and organs."""
    text = re.sub(r"\s+", " ", text.strip().lower())
    return re.sub(r"^(de|het|the) ", "", text)


def chain_digest(authority: Authority) -> str:
    """SHA-256 over the canonical JSON of decisions and chain (what the register records)."""
    canonical = json.dumps(
        authority.model_dump(mode="json", by_alias=True),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def original_mandator(chain: Sequence[AuthorityLink]) -> str | None:
    """Who a mandate-based signature must name as acting 'namens' (Awb 10:10).

    The grantor of the first mandate-like link: a submandate still acts on behalf of the
    organ that granted the original mandate, never on behalf of the intermediate mandatee.
    """
    for link in chain:
        if link.kind in MANDATE_KINDS:
            return link.grantor
    return None


# --------------------------------------------------------------------------- rules


def starts_at_competent_organ(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """The first link leaves the organ that decided to join, by representation or mandate."""
    first = authority.chain[0]
    breaches = []
    if first.kind not in FIRST_LINK_KINDS:
        breaches.append(
            RuleBreach(
                "competent-organ",
                f"the chain starts with a {first.kind.value}, which can only pass on authority "
                "someone already has; it must start with the representation by the burgemeester "
                "or a mandate of the competent organ",
                "artikel 160 en 171 Gemeentewet; artikel 10:1 Awb",
                1,
            )
        )
    if context.accession_decision is not None:
        decision = _decision(authority, context.accession_decision)
        if decision is not None and normalise(first.grantor) != normalise(decision.organ):
            breaches.append(
                RuleBreach(
                    "competent-organ",
                    f"the chain starts at '{first.grantor}', but the decision to join was taken by "
                    f"'{decision.organ}'; authority must come from the organ that decided",
                    "artikel 160, eerste lid, onder e, Gemeentewet",
                    1,
                )
            )
    return breaches


def links_connect(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Each link is granted by whoever received the previous one."""
    breaches = []
    for index in range(1, len(authority.chain)):
        previous, link = authority.chain[index - 1], authority.chain[index]
        if normalise(link.grantor) != normalise(previous.grantee.function):
            breaches.append(
                RuleBreach(
                    "connected",
                    f"'{link.grantor}' grants this {link.kind.value}, but the previous link gave "
                    f"authority to '{previous.grantee.function}'; only who holds authority can "
                    "pass it on",
                    "artikel 10:1 en 10:9 Awb",
                    index + 1,
                )
            )
    return breaches


def submandate_allowed(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Ondermandaat only where the previous mandate allows it."""
    breaches = []
    for index, link in enumerate(authority.chain):
        if link.kind is not LinkKind.SUBMANDATE:
            continue
        previous = authority.chain[index - 1] if index else None
        if previous is None or previous.kind not in MANDATE_KINDS:
            breaches.append(
                RuleBreach(
                    "submandate",
                    "an ondermandaat must follow a mandate, volmacht or machtiging",
                    "artikel 10:9 Awb",
                    index + 1,
                )
            )
        elif not previous.submandate_allowed:
            breaches.append(
                RuleBreach(
                    "submandate",
                    f"'{previous.grantee.function}' passes the {previous.kind.value} on, but the "
                    f"{previous.kind.value} it received does not allow ondermandaat "
                    "(ondermandaat_toegestaan is not set)",
                    "artikel 10:9, eerste lid, Awb",
                    index + 1,
                )
            )
    return breaches


def in_force(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Every link (and the decision it rests on) is in force at the signing moment."""
    at = context.at
    breaches = []
    for index, link in enumerate(authority.chain, 1):
        what = f"the {link.kind.value} to '{link.grantee.function}'"
        if link.valid_from and at < link.valid_from:
            breaches.append(
                RuleBreach(
                    "in-force",
                    f"{what} takes effect on {link.valid_from}, after {at}",
                    "artikel 10:1 Awb (geldigheid)",
                    index,
                )
            )
        if link.valid_until and at > link.valid_until:
            breaches.append(
                RuleBreach(
                    "in-force",
                    f"{what} ended on {link.valid_until}, before {at}",
                    "artikel 10:1 Awb (geldigheid)",
                    index,
                )
            )
        if link.revoked_on and at >= link.revoked_on:
            breaches.append(
                RuleBreach(
                    "in-force",
                    f"{what} was withdrawn on {link.revoked_on}",
                    "artikel 10:8 Awb",
                    index,
                )
            )
        if link.decision:
            decision = _decision(authority, link.decision)
            if decision is not None and at < decision.date:
                breaches.append(
                    RuleBreach(
                        "in-force",
                        f"{what} rests on the decision of {decision.date} ({decision.reference}), "
                        f"which had not been taken yet on {at}",
                        "artikel 10:5 Awb",
                        index,
                    )
                )
    return breaches


def written_decisions(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """A mandate, volmacht, machtiging, ondermandaat or assignment rests on a written decision."""
    return [
        RuleBreach(
            "written",
            f"the {link.kind.value} to '{link.grantee.function}' names no decision; a general "
            "mandate is granted in writing — add 'besluit' with the id of that decision",
            "artikel 10:5, tweede lid, Awb",
            index,
        )
        for index, link in enumerate(authority.chain, 1)
        if link.kind in WRITTEN_DECISION_KINDS and not link.decision
    ]


def scope_covers(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """Every link's scope covers this covenant (an empty scope is unlimited)."""
    return [
        RuleBreach(
            "scope",
            f"the {link.kind.value} to '{link.grantee.function}' covers "
            f"{', '.join(link.scope)}, not the covenant '{context.covenant_id}'",
            "artikel 10:1 en 10:6 Awb (reikwijdte en instructies)",
            index,
        )
        for index, link in enumerate(authority.chain, 1)
        if link.scope and context.covenant_id is not None and context.covenant_id not in link.scope
    ]


def certificate_matches(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """The signing certificate is the one that proves the last grantee."""
    certificate = context.certificate
    assert certificate is not None
    grantee = authority.signer
    identity = grantee.certificate
    last = len(authority.chain)
    if identity is None or not (
        identity.subject or identity.serial_number or identity.fingerprint_sha256
    ):
        return [
            RuleBreach(
                "certificate",
                f"the chain does not say which certificate proves '{grantee.name}' "
                f"({grantee.function}); add 'certificaat' (onderwerp, serienummer or "
                "vingerafdruk_sha256) to the last link",
                "Aanwijzingen voor convenanten (bevoegdheid blijkt uit de stukken)",
                last,
            )
        ]
    if not _identifies_one_holder(identity):
        return [
            RuleBreach(
                "certificate",
                f"the chain binds the certificate of '{grantee.name}' by name or organisation "
                f"only ({', '.join(sorted(identity.subject)) or 'nothing unique'}), which other "
                "certificates can carry too; add 'vingerafdruk_sha256', 'onderwerp.serial_number' "
                "(the holder's serialNumber) or 'serienummer' with 'uitgever' to the last link",
                "Aanwijzingen voor convenanten (bevoegdheid blijkt uit de stukken)",
                last,
            )
        ]
    problems = []
    for key, wanted in identity.subject.items():
        found = certificate.subject.get(key)
        if found is None or normalise(found) != normalise(wanted):
            problems.append(f"{key} is {found!r}, the chain expects {wanted!r}")
    for key, wanted in identity.issuer.items():
        found = certificate.issuer.get(key)
        if found is None or normalise(found) != normalise(wanted):
            problems.append(f"issuer {key} is {found!r}, the chain expects {wanted!r}")
    if identity.serial_number and _hex(identity.serial_number) != _hex(certificate.serial_number):
        problems.append(
            f"serial number is {certificate.serial_number}, the chain expects {identity.serial_number}"
        )
    if identity.fingerprint_sha256 and _hex(identity.fingerprint_sha256) != _hex(
        certificate.sha256_fingerprint
    ):
        problems.append("SHA-256 fingerprint differs from the one in the chain")
    if not problems:
        return []
    return [
        RuleBreach(
            "certificate",
            f"the signing certificate is not the one of '{grantee.name}' ({grantee.function}): "
            + "; ".join(problems),
            "Aanwijzingen voor convenanten (bevoegdheid blijkt uit de stukken)",
            last,
        )
    ]


FORMULA_SEPARATOR = re.compile(r",\s*namens\s+", re.IGNORECASE)


def parse_formula(formula: str) -> tuple[str, str] | None:
    """'FUNCTION, namens ON-BEHALF-OF' → (function, on behalf of); None without 'namens'."""
    parts = FORMULA_SEPARATOR.split(formula.strip(), maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        return None
    return parts[0].strip(), parts[1].strip().rstrip(",")


def _forms(name: str, party: str | None) -> set[str]:
    """A function or organ as it may be written: bare, or followed by 'van PARTY'."""
    bare = normalise(name)
    if party is None:
        return {bare}
    suffix = f" van {normalise(party)}"
    return {bare, bare + suffix, bare.removesuffix(suffix)}


def formula_names_mandator(authority: Authority, context: ChainContext) -> list[RuleBreach]:
    """The formula is exactly 'FUNCTION, namens WHOM' for this chain (Awb 10:10).

    Compared as whole phrases (normalised), never as substrings: 'gemeente Enkhuizen' does
    not contain 'gemeente Huizen' in this sense. FUNCTION is the last grantee's function;
    WHOM is the original mandator when authority was passed on by mandate (10:10 names
    the mandator, not an intermediate), otherwise the party itself ('de gemeente Huizen').
    """
    formula = context.formula
    assert formula is not None
    parsed = parse_formula(formula)
    if parsed is None:
        return [
            RuleBreach(
                "formula",
                f"the signing formula '{formula}' does not say on whose behalf the signer acts; "
                "write 'FUNCTION, namens WHOM', e.g. 'burgemeester van Huizen, namens de "
                "gemeente Huizen'",
                "artikel 10:10 Awb",
            )
        ]
    function, behalf = parsed
    party = context.party_name
    breaches = []
    grantee = authority.signer
    if normalise(function) not in _forms(grantee.function, party):
        breaches.append(
            RuleBreach(
                "formula",
                f"the signing formula names the function '{function}', but the chain authorises "
                f"'{grantee.function}'",
                "artikel 10:10 Awb",
                len(authority.chain),
            )
        )
    mandator = original_mandator(authority.chain)
    if mandator is not None:
        expected = _forms(mandator, party)
        wanted = f"{mandator} van {party}" if party else mandator
    elif party is not None:
        expected = {normalise(f"gemeente {party}")}
        wanted = f"de gemeente {party}"
    else:
        return breaches
    if normalise(behalf) not in expected:
        breaches.append(
            RuleBreach(
                "formula",
                f"the signing formula acts 'namens {behalf}', but for this chain it must be "
                f"'namens {wanted}'" + (" (the original mandator)" if mandator is not None else ""),
                "artikel 10:10 Awb",
            )
        )
    return breaches


Rule = Callable[[Authority, ChainContext], list[RuleBreach]]

RULES: tuple[tuple[str, Rule], ...] = (
    ("competent-organ", starts_at_competent_organ),
    ("connected", links_connect),
    ("submandate", submandate_allowed),
    ("in-force", in_force),
    ("written", written_decisions),
    ("scope", scope_covers),
)


@dataclass(frozen=True)
class _Applied:
    breaches: list[RuleBreach] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


def check_chain(authority: Authority, context: ChainContext) -> ChainVerdict:
    """Apply every rule; the certificate and formula rules only when those are given."""
    applied = _Applied()
    rules = [(i, r) for i, r in RULES if i != "scope" or context.covenant_id is not None]
    if context.certificate is not None:
        rules.append(("certificate", certificate_matches))
    if context.formula is not None:
        rules.append(("formula", formula_names_mandator))
    for rule_id, rule in rules:
        applied.checked.append(rule_id)
        applied.breaches.extend(rule(authority, context))
    signer = authority.signer
    return ChainVerdict(
        breaches=tuple(applied.breaches),
        checked=tuple(applied.checked),
        signer=f"{signer.name} ({signer.function})",
        original_mandator=original_mandator(authority.chain),
        chain_digest=chain_digest(authority),
    )


def _identifies_one_holder(identity: CertificateIdentity) -> bool:
    """Whether the identity names something unique to one person or key (see the model)."""
    return bool(
        identity.fingerprint_sha256
        or identity.subject.get("serial_number", "").strip()
        or (identity.serial_number and identity.issuer)
    )


def _decision(authority: Authority, decision_id: str) -> Decision | None:
    return next((d for d in authority.decisions if d.id == decision_id), None)


def _hex(value: str) -> str:
    return re.sub(r"[^0-9a-f]", "", value.lower()).lstrip("0")
