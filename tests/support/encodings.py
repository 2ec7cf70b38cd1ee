"""Legitimate but unusual encodings, made on purpose, to catch false alarms.

Real signing tools produce things our own signer never does: CMS containers in BER with
indefinite lengths (streaming encoders), CA certificates signed with SHA-1 or MD5 (old
hierarchies), several signatures in fields they create themselves plus a document
timestamp. `verify` must accept each encoding and judge it for what it is.
"""

from __future__ import annotations

import io
import re
from typing import Any

from asn1crypto import parser, x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding


def _reencode(data: bytes, depth: int) -> bytes:
    """``data`` (one TLV) with constructed nodes down to ``depth`` in indefinite length."""
    _class, method, _tag, header, content, _trailer = parser.parse(data)
    if method != 1 or depth == 0:
        return data
    identifier = header[: len(header) - _length_octets(header)]
    children = b""
    rest = content
    while rest:
        _c, _m, _t, child_header, child_content, child_trailer = parser.parse(rest, strict=False)
        size = len(child_header) + len(child_content) + len(child_trailer)
        children += _reencode(rest[:size], depth - 1)
        rest = rest[size:]
    return identifier + b"\x80" + children + b"\x00\x00"


def _length_octets(header: bytes) -> int:
    """How many octets of a DER header are the length (identifier is 1 byte for us)."""
    first = header[1]
    return 1 if first < 0x80 else 1 + (first & 0x7F)


def ber_indefinite(cms_der: bytes) -> bytes:
    """The same CMS object with ContentInfo, SignedData and its top-level members in BER
    indefinite-length form, as streaming encoders write it. Signed attributes stay DER
    (their DER encoding is what the signature covers)."""
    return _reencode(cms_der, depth=3)


CONTENTS = re.compile(rb"/Contents\s*<([0-9A-Fa-f]+)>")


def replace_first_container(pdf: bytes, transform: Any) -> bytes:
    """Rewrite the first signature's CMS object in place (same hex length, zero padded)."""
    match = CONTENTS.search(pdf)
    assert match is not None
    hexdata = match.group(1)
    raw = bytes.fromhex(hexdata.decode())
    _class, _method, _tag, head, body, trailer = parser.parse(raw, strict=False)
    new = transform(raw[: len(head) + len(body) + len(trailer)])
    assert len(new) <= len(raw), "no room for the re-encoded container"
    padded = new + b"\x00" * (len(raw) - len(new))
    new_hex = padded.hex().upper().encode()
    return pdf[: match.start(1)] + new_hex + pdf[match.end(1) :]


def weakly_signed(certificate: x509.Certificate, issuer_key: Any, digest: str) -> x509.Certificate:
    """``certificate`` re-signed by its issuer with a weak digest ('sha1' or 'md5').

    The cryptography package refuses to *make* such certificates, so the TBS part is
    signed directly, as an old CA did.
    """
    algorithm = {"sha1": ("sha1_rsa", hashes.SHA1()), "md5": ("md5_rsa", hashes.MD5())}[digest]
    copy = x509.Certificate.load(certificate.dump())
    tbs = copy["tbs_certificate"]
    tbs["signature"] = {"algorithm": algorithm[0]}
    copy["signature_algorithm"] = {"algorithm": algorithm[0]}
    copy["signature_value"] = issuer_key.sign(
        tbs.dump(force=True), padding.PKCS1v15(), algorithm[1]
    )
    return x509.Certificate.load(copy.dump(force=True))


def sign_plain_pdf(
    pdf: bytes, signer: Any, field: str, *, box: Any, timestamper: Any = None
) -> bytes:
    """A signature as another tool makes it: in a new field, PAdES, no statement."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES),
        signer,
        new_field_spec=fields.SigFieldSpec(field, box=box),
        timestamper=timestamper,
    ).sign_pdf(writer, output=output)
    return output.getvalue()


def document_timestamp(pdf: bytes, timestamper: Any) -> bytes:
    """A document timestamp in a new field, as archiving tools add one."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = io.BytesIO()
    signers.PdfTimeStamper(timestamper).timestamp_pdf(writer, "sha256", output=output)
    return output.getvalue()


def sign_existing_field(
    pdf: bytes,
    pkcs12: Any,
    passphrase: str,
    field: str,
    role: str | None = None,
    tsa_url: str | None = None,
    attributes: list[tuple[str, list[str]]] | None = None,
) -> bytes:
    """A signature made with pyHanko directly into an existing field, as an attacker (or
    another tool) would: none of toetreding's checks run before it. ``role`` is the claimed
    role it carries (CAdES signer attributes; ``attributes`` gives them raw as (OID, values)
    pairs), ``tsa_url`` a timestamp authority."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.ades.api import CAdESSignedAttrSpec, SignerAttrSpec
    from pyhanko.sign.timestamps import HTTPTimeStamper

    from toetreding.sign.signing import TITLE_ATTRIBUTE

    signer = signers.SimpleSigner.load_pkcs12(str(pkcs12), passphrase=passphrase.encode())
    assert signer is not None
    spec = None
    if role is not None:
        attributes = [(TITLE_ATTRIBUTE, [role])]
    if attributes is not None:
        from asn1crypto import cms

        claimed = [
            cms.AttCertAttribute(
                {
                    "type": oid,
                    "values": [x509.DirectoryString(name="utf8_string", value=v) for v in values],
                }
            )
            for oid, values in attributes
        ]
        spec = CAdESSignedAttrSpec(
            signer_attributes=SignerAttrSpec(claimed_attrs=claimed, certified_attrs=[])
        )
    output = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name=field,
            subfilter=fields.SigSeedSubFilter.PADES,
            cades_signed_attr_spec=spec,
        ),
        signer,
        timestamper=HTTPTimeStamper(tsa_url) if tsa_url else None,
    ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output, existing_fields_only=True)
    return output.getvalue()


def signer_carrying(pki: Any, label: str, certificates: list[Any]) -> Any:
    """A pyHanko signer for ``label`` that carries exactly ``certificates`` besides its own
    (none, its chain, its chain and more: real tools do all of these)."""
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = pki.keys[label].private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return signers.SimpleSigner(
        signing_cert=x509.Certificate.load(pki.cert_der(label)),
        signing_key=keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(certificates),
    )


def renewed_ca(pki: Any, label: str) -> x509.Certificate:
    """A successor of CA ``label``: the same name, a new key (a CA key rollover), with a
    long extension so that it sorts after its predecessor in a DER SET OF."""
    import datetime as dt

    from cryptography import x509 as pyca
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    old = pki.cert(label)
    now = dt.datetime.now(dt.UTC)
    new = (
        pyca.CertificateBuilder()
        .subject_name(old.subject)
        .issuer_name(old.issuer)
        .public_key(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())
        .serial_number(pyca.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=900))
        .add_extension(pyca.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            pyca.CRLDistributionPoints(
                [
                    pyca.DistributionPoint(
                        [pyca.UniformResourceIdentifier("http://crl.example.nl/" + "g2/" * 60)],
                        None,
                        None,
                        None,
                    )
                ]
            ),
            critical=False,
        )
        .sign(pki.keys["root"], hashes.SHA256())
    )
    return x509.Certificate.load(new.public_bytes(serialization.Encoding.DER))


def with_signing_date_suffix(suffix: str) -> Any:
    """A context in which pyHanko writes /M with ``suffix`` (LibreOffice writes ``Z'``)."""
    import contextlib

    import pyhanko.sign.signers.pdf_byterange as byterange
    from pyhanko.pdf_utils import generic

    @contextlib.contextmanager
    def patched() -> Any:
        original = byterange.pdf_date
        byterange.pdf_date = lambda moment: generic.pdf_string(  # type: ignore[assignment]
            moment.strftime("D:%Y%m%d%H%M%S") + suffix
        )
        try:
            yield
        finally:
            byterange.pdf_date = original

    return patched()
