"""Checks on what a signature does not cover: the /Contents hex string and its CMS object.

The byte range leaves out exactly the ``<…>`` that holds the CMS object. PDF readers
ignore whitespace in hex strings, and a CMS object carries unsigned certificates, so
both could be altered without breaking the signature. These checks catch that, and they
accept every legitimate encoding: a CMS object in BER with indefinite lengths (written
by streaming encoders) ends where its end-of-contents octets say, not where a DER length
would; a self-signed root's own signature is never checked (trust in a root is a choice,
not a computation); a certificate signed with SHA-1 or MD5 is a *weak algorithm*, which is
its own finding, not damage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from asn1crypto import x509
from asn1crypto.core import Void

from ..i18n import _
from .report import Indication

Finding = tuple[Indication, str, str]

HEX_CONTAINER = re.compile(rb"<[0-9A-Fa-f]*>")

WEAK_DIGESTS = {"md2": "MD2", "md5": "MD5", "sha1": "SHA-1"}
"""Digest algorithms no longer fit for signatures (ETSI TS 119 312; SOG-IS)."""

WEAK_FINDING = Indication.INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"


def cms_length(data: bytes) -> int | None:
    """Length of the BER/DER object at the start of ``data``, or None if it is not one."""
    from asn1crypto import parser

    if len(data) < 2 or data[0] != 0x30:
        return None
    try:
        _class, _method, _tag, header, content, trailer = parser.parse(data, strict=False)
    except (ValueError, TypeError):
        return None
    return len(header) + len(content) + len(trailer)


def padding_is_clean(contents: bytes) -> bool:
    """The /Contents bytes hold one CMS object followed by zero bytes only."""
    end = cms_length(contents)
    return end is not None and end <= len(contents) and not any(contents[end:])


def container_problems(
    data: bytes, signature: Any, trust_roots: Sequence[x509.Certificate] = ()
) -> list[Finding]:
    """Strict checks on the unsigned gap and the CMS object's carried certificates."""
    from pyhanko.sign.validation.pdf_embedded import extract_contents

    problems: list[Finding] = []
    failed = Indication.FAILED, "FORMAT_FAILURE"
    try:
        start, length, second = (int(v) for v in list(signature.sig_object["/ByteRange"])[:3])
    except (KeyError, TypeError, ValueError):
        return [(*failed, _("the signature has no usable /ByteRange"))]
    gap = data[start + length : second]
    if not HEX_CONTAINER.fullmatch(gap):
        problems.append(
            (
                *failed,
                _("the unsigned gap of the byte range holds more than the hex signature container"),
            )
        )
    elif gap != gap.upper() and gap != gap.lower():
        # signers write the container in one case; mixed case means it was edited afterwards
        problems.append(
            (*failed, _("the signature container was edited after signing (mixed-case hex)"))
        )
    try:
        contents = extract_contents(signature.sig_object)
    except Exception:
        return [*problems, (*failed, _("the signature container cannot be read"))]
    if not padding_is_clean(contents):
        problems.append(
            (
                *failed,
                _("the signature container holds bytes besides the signature (tampered /Contents)"),
            )
        )
    elif not tlv_tiles_exactly(contents[: cms_length(contents)]):
        problems.append(
            (
                *failed,
                _(
                    "the signature container was edited (a length in its structure claims bytes "
                    "that no field holds)"
                ),
            )
        )
    problems.extend(cms_structure_problems(signature))
    problems.extend(certificate_problems(signature, trust_roots))
    return problems


def cms_structure_problems(signature: Any) -> list[Finding]:
    """The CMS fields no signature covers must still be what RFC 5652 prescribes.

    Version numbers and the list of digest algorithms sit outside the signed attributes;
    a signer writes them by rule, so a value off the rule means the container was edited.
    """
    failed = Indication.FAILED, "FORMAT_FAILURE"
    try:
        signed_data = signature.signed_data
        signer_infos = list(signed_data["signer_infos"])
        versions = [int(info["version"].native.removeprefix("v")) for info in signer_infos]
        sids = [info["sid"].name for info in signer_infos]
        digests = {d["algorithm"].native for d in signed_data["digest_algorithms"]}
        used = {info["digest_algorithm"]["algorithm"].native for info in signer_infos}
        version = int(signed_data["version"].native.removeprefix("v"))
        content_type = signed_data["encap_content_info"]["content_type"].native
        certificates = signed_data["certificates"]
        # absent is Void (.native would decode every certificate: the validator reads them)
        other = [] if isinstance(certificates, Void) else [c.name for c in certificates]
    except Exception:
        return [(*failed, _("the signature's CMS structure cannot be read"))]
    expected_signer = {"issuer_and_serial_number": 1, "subject_key_identifier": 3}
    if any(v != expected_signer.get(sid) for v, sid in zip(versions, sids, strict=True)):
        return [
            (
                *failed,
                _("the signature container was edited (a SignerInfo version is off its rule)"),
            )
        ]
    if "other" in other:
        expected = 5
    elif "v2_attr_cert" in other:
        expected = 4
    elif "v1_attr_cert" in other or 3 in versions or content_type != "data":
        expected = 3
    else:
        expected = 1
    if version != expected:
        return [
            (
                *failed,
                _("the signature container was edited (its SignedData version is off its rule)"),
            )
        ]
    if not _sid_matches(signature):
        return [
            (
                *failed,
                _(
                    "the signature container was edited (its signer identifier does not name "
                    "the signer's certificate)"
                ),
            )
        ]
    algorithms = [*signed_data["digest_algorithms"]]
    algorithms += [info["digest_algorithm"] for info in signer_infos]
    if not all(_plain_parameters(a, allow_sequence=False) for a in algorithms) or not all(
        _plain_parameters(info["signature_algorithm"], allow_sequence=True) for info in signer_infos
    ):
        return [
            (
                *failed,
                _(
                    "the signature container was edited (an algorithm's parameters are not "
                    "what the algorithm defines)"
                ),
            )
        ]
    if not used <= digests:
        return [
            (
                *failed,
                _("the signature container was edited (its list of digest algorithms is wrong)"),
            )
        ]
    return []


MAX_TLV_NODES = 100_000
MAX_TLV_DEPTH = 64


def tlv_tiles_exactly(blob: bytes) -> bool:
    """Every constructed BER/DER node is filled exactly by its children.

    A length byte outside the signed attributes can be raised so that a node claims the
    zero padding after it (or an end-of-contents marker stands where no indefinite length
    asked for one): the parsers read the same fields, but the bytes differ, and whatever
    the slack holds rides along unsigned. Indefinite lengths (BER) are fine.
    """
    from asn1crypto import parser

    budget = [MAX_TLV_NODES]

    def tiles(contents: bytes, depth: int) -> bool:
        position = 0
        while position < len(contents):
            budget[0] -= 1
            if budget[0] < 0 or depth > MAX_TLV_DEPTH:
                return False
            try:
                klass, method, tag, header, inner, trailer = parser.parse(
                    contents[position:], strict=False
                )
            except (ValueError, TypeError):
                return False
            if klass == 0 and tag == 0:
                return False  # an end-of-contents marker inside a node of definite length
            if method == 1 and not tiles(inner, depth + 1):
                return False
            position += len(header) + len(inner) + len(trailer)
        return position == len(contents)

    return tiles(blob, 0)


def _plain_parameters(identifier: Any, *, allow_sequence: bool) -> bool:
    """An AlgorithmIdentifier's parameters are absent, NULL, or (RSASSA-PSS) a SEQUENCE:
    nothing else is defined for the digests and signature algorithms PAdES uses (RFC 5754,
    RFC 8017, RFC 5758), and these fields are not signed."""
    try:
        raw: bytes = identifier["parameters"].dump()
    except (ValueError, TypeError):  # asn1crypto expects NULL for this algorithm and found other
        return False
    return raw in (b"", b"\x05\x00") or (allow_sequence and raw[:1] == b"\x30")


def _sid_matches(signature: Any) -> bool:
    """The SignerInfo's signer identifier (unsigned) names exactly the signer's certificate."""
    try:
        sid = signature.signer_info["sid"]
        certificate = signature.signer_cert
        if sid.name == "issuer_and_serial_number":
            chosen = sid.chosen
            # byte for byte: Name equality ignores case, and signers copy the DER anyway
            return bool(
                chosen["issuer"].dump() == certificate.issuer.dump()
                and chosen["serial_number"].native == certificate.serial_number
            )
        identifier = certificate.key_identifier
        return identifier is not None and bool(sid.chosen.native == identifier)
    except Exception:
        return False


def certificate_problems(
    signature: Any,
    trust_roots: Sequence[x509.Certificate],
    known: Sequence[x509.Certificate] = (),
) -> list[Finding]:
    """Every certificate carried in the CMS object must be intact; the signer's chain must
    not rest on a weak algorithm.

    A carried certificate whose issuer is known (carried too, in the document's DSS, or a
    trust root) must verify against one of the certificates with that name (a CA may have
    renewed its key under the same name); one whose issuer is unknown cannot be checked
    here and is left to path validation (signers often carry only their own certificate,
    and may carry more than their path). A self-signed certificate (a root) is not judged
    by its algorithm — trust in a root is a choice, and old roots are SHA-1 — but a carried
    copy must still be intact. "Weak algorithm" is reported only for the signer's own chain.
    """
    from cryptography import x509 as pyca

    try:
        raw = [c.chosen.dump() for c in signature.signed_data["certificates"] or []]
    except Exception:
        return [
            (
                Indication.FAILED,
                "FORMAT_FAILURE",
                _("the list of certificates carried in the signature cannot be read"),
            )
        ]
    certificates = []
    for blob in raw:
        try:
            certificates.append(pyca.load_der_x509_certificate(blob))
        except ValueError:
            return [
                (
                    Indication.FAILED,
                    "FORMAT_FAILURE",
                    _("a certificate carried in the signature is damaged (it cannot be read)"),
                )
            ]
    others = []
    for certificate in [*trust_roots, *known]:
        try:
            others.append(pyca.load_der_x509_certificate(certificate.dump()))
        except ValueError:
            continue
    by_subject: dict[bytes, list[Any]] = {}
    for candidate in [*others, *certificates]:
        by_subject.setdefault(candidate.subject.public_bytes(), []).append(candidate)
    anchor_bytes = {root.dump() for root in trust_roots}
    problems: list[Finding] = []
    for certificate, blob in zip(certificates, raw, strict=True):
        name = _readable_name(certificate)
        if not _algorithm_fields_agree(blob):
            problems.append(
                (
                    *_DAMAGED,
                    _(
                        "the certificate '{name}' carried in the signature is damaged (its two "
                        "signature algorithm fields disagree)"
                    ).format(name=name),
                )
            )
            continue
        if certificate.issuer.public_bytes() == certificate.subject.public_bytes():
            verdict = None if blob in anchor_bytes else _issued_by(certificate, [certificate])
            if verdict is False or (
                verdict is None and _checkable(certificate, blob, anchor_bytes)
            ):
                problems.append(
                    (
                        *_DAMAGED,
                        _(
                            "the certificate '{name}' carried in the signature is damaged (its "
                            "own signature does not match)"
                        ).format(name=name),
                    )
                )
            continue
        issuers = by_subject.get(certificate.issuer.public_bytes(), [])
        if not issuers and _altered_copy(certificate, by_subject):
            problems.append(
                (
                    *_DAMAGED,
                    _(
                        "the certificate '{name}' carried in the signature is damaged (it "
                        "differs from the certificate it copies)"
                    ).format(name=name),
                )
            )
            continue
        verdict = _issued_by(certificate, issuers) if issuers else True
        if verdict is False or (verdict is None and _checkable(certificate, blob, anchor_bytes)):
            problems.append(
                (
                    *_DAMAGED,
                    _(
                        "the certificate '{name}' carried in the signature is damaged (its "
                        "issuer's signature does not match)"
                    ).format(name=name),
                )
            )
    for certificate in _signer_chain(signature, by_subject):
        weak = _weak_digest(certificate)
        if weak is not None:
            problems.append(
                (
                    *WEAK_FINDING,
                    _("weak algorithm in the chain: {algorithm} (certificate '{name}')").format(
                        algorithm=weak, name=_readable_name(certificate)
                    ),
                )
            )
    return problems


_DAMAGED = Indication.FAILED, "FORMAT_FAILURE"


def _altered_copy(certificate: Any, by_subject: dict[bytes, list[Any]]) -> bool:
    """A certificate with the name and key of a known self-signed certificate, whose issuer
    is nowhere to be found: an edited copy of that root (its issuer name was changed)."""
    from cryptography.hazmat.primitives import serialization

    def key(candidate: Any) -> bytes:
        try:
            return bytes(
                candidate.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
        except Exception:
            return b""

    mine = key(certificate)
    return any(
        other is not certificate
        and other.issuer.public_bytes() == other.subject.public_bytes()
        and key(other) == mine
        for other in by_subject.get(certificate.subject.public_bytes(), [])
    )


def _checkable(certificate: Any, blob: bytes, anchor_bytes: set[bytes]) -> bool:
    """Whether a failure to check this certificate's signature means damage.

    A certificate signed with a legacy algorithm (SHA-1, MD5, MD2) may simply be beyond
    what the cryptography library verifies; one with a current algorithm that still cannot
    be checked (an unreadable key, altered parameters) has been edited.
    """
    if blob in anchor_bytes:
        return False
    try:
        algorithm = x509.Certificate.load(blob)["signature_algorithm"]["algorithm"].native
    except Exception:
        return True
    return not any(weak in str(algorithm) for weak in ("md2", "md5", "sha1"))


def _issued_by(certificate: Any, candidates: list[Any]) -> bool | None:
    """True if one candidate's key verifies it, False if every candidate's key refutes it,
    None if none could be checked (an algorithm we cannot verify)."""
    from cryptography.exceptions import InvalidSignature

    refuted = False
    for candidate in candidates:
        try:
            certificate.verify_directly_issued_by(candidate)
        except InvalidSignature:
            refuted = True
        except Exception:
            continue
        else:
            return True
    return False if refuted else None


def _signer_chain(signature: Any, by_subject: dict[bytes, list[Any]]) -> list[Any]:
    """The signer's certificate and the CA certificates above it that are at hand,
    without the self-signed root."""
    from cryptography import x509 as pyca

    try:
        current = pyca.load_der_x509_certificate(signature.signer_cert.dump())
    except Exception:
        return []
    chain: list[Any] = []
    while len(chain) < 16:
        if current.issuer.public_bytes() == current.subject.public_bytes():
            break
        chain.append(current)
        issuers = [
            c
            for c in by_subject.get(current.issuer.public_bytes(), [])
            if _issued_by(current, [c]) is not False
        ]
        if not issuers:
            break
        current = issuers[0]
    return chain


def _algorithm_fields_agree(blob: bytes) -> bool:
    """RFC 5280 4.1.1.2: the outer signatureAlgorithm equals the signed one in the TBS part.

    Only the TBS part is signed, so the outer field is where an edit would go unnoticed.
    """
    try:
        parsed = x509.Certificate.load(blob)
        outer: bytes = parsed["signature_algorithm"].dump()
        inner: bytes = parsed["tbs_certificate"]["signature"].dump()
    except Exception:
        return False
    return outer == inner


def _weak_digest(certificate: Any) -> str | None:
    try:
        algorithm = certificate.signature_hash_algorithm
    except Exception:
        return None
    name = getattr(algorithm, "name", "")
    return WEAK_DIGESTS.get(str(name).lower())


def _readable_name(certificate: Any) -> str:
    from cryptography.x509.oid import NameOID

    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        return str(names[0].value)
    try:
        return str(certificate.subject.rfc4514_string())
    except Exception:
        return "?"
