"""A throwaway PKI for the demo workspace: clearly marked, never for production.

`toetreding demo` needs signers, a timestamp authority and revocation data without asking
anyone for anything. This module makes a root CA named "DEMO — niet voor productie", a
signature certificate for the Huizen burgemeester, one for the coordinating party, one
for each burgemeester of the demo round and one for a gemeentesecretaris whom no chain
authorises (each in a PKCS#12 file protected by the documented passphrase
:data:`DEMO_PASSPHRASE`), a timestamp authority (``demo-tsa.pem``, used
in-process: ``tijdstempeldienst: demo:pki/demo-tsa.pem``) and the root's certificate
revocation list (``demo-root.crl``), so signatures can be checked hard-fail and reach
PAdES B-LTA offline. Certificates name a CRL distribution point and the issuer's
certificate under ``demo.toetreding.invalid`` (a name that can never resolve), as real
certificates do; the CRL itself travels in the workspace. Nothing here chains to a real
trust list, so no real verifier will ever trust these signatures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from .fileio import write_atomically

DEMO_PASSPHRASE = "demo-niet-voor-productie"
"""Passphrase of the demo PKCS#12 files (documented in README and in the workspace)."""

ROOT_NAME = "DEMO — niet voor productie"

DEMO_HOST = "http://demo.toetreding.invalid"
"""Where a real CA would publish; ``.invalid`` never resolves (RFC 6761)."""

CRL_URL = f"{DEMO_HOST}/demo-root.crl"
ISSUER_URL = f"{DEMO_HOST}/demo-root.crt"


@dataclass(frozen=True)
class DemoSigner:
    """One demo signer: where its key is and how it is presented."""

    profile: str
    pkcs12: Path
    common_name: str


@dataclass(frozen=True)
class DemoPki:
    """The files the demo PKI wrote."""

    root: Path
    passphrase_file: Path
    crl: Path
    tsa: Path
    party: DemoSigner
    coordinator: DemoSigner
    mayors: dict[str, DemoSigner]
    """The round's burgemeesters (see :data:`ROUND_MAYORS`), by CBS code."""
    outsider: DemoSigner
    """A gemeentesecretaris whom no chain authorises to sign a statement."""


PARTY_HOLDER = "DEMO-GM0406-BURGEMEESTER"
COORDINATOR_HOLDER = "DEMO-NCTV-COORDINATOR"
"""Subject serialNumbers of the demo signers; the bundled example chains name them."""

ROUND_MAYORS = {
    "GM0376": ("A. de Bruin", "Blaricum"),
    "GM0317": ("E. van der Wal", "Eemnes"),
    "GM1942": ("G. van den Berg", "Gooise Meren"),
    "GM0402": ("N. Dekker", "Hilversum"),
    "GM0417": ("F. Hoekstra", "Laren"),
}
"""The burgemeesters of the demo round (examples/batch/ronde.yaml): each has a key of his
own, bound to his party's chain by the holder serialNumber DEMO-<code>-BURGEMEESTER."""
OUTSIDER_CODE = "GM0417"
"""The party whose gemeentesecretaris signs in the demo round: someone outside its chain."""


def mayor_holder(code: str) -> str:
    """The holder serialNumber of a demo burgemeester (the batch examples name it)."""
    return f"DEMO-{code}-BURGEMEESTER"


def _name(
    common_name: str, organisation: str, title: str | None = None, holder: str | None = None
) -> x509.Name:
    """A subject; ``holder`` is the serialNumber that identifies the person (as PKIoverheid
    gives each holder one), which the example chains bind to."""
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if holder:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, holder))
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _signature_certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    now: dt.datetime,
    *,
    timestamping: bool = False,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not timestamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(CRL_URL)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(ISSUER_URL),
                    )
                ]
            ),
            critical=False,
        )
    )
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _revocation_list(
    root: x509.Certificate, root_key: ec.EllipticCurvePrivateKey, now: dt.datetime
) -> bytes:
    """The root's CRL: nothing revoked, valid as long as the demo certificates are."""
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=2 * 365))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.PEM)


def create_demo_pki(folder: Path, mayors: dict[str, tuple[str, str]] | None = None) -> DemoPki:
    """Write a fresh demo root and its signers' PKCS#12 files into ``folder``.

    ``mayors`` (CBS code → (name, municipality)) are the burgemeesters who get a key of
    their own; default :data:`ROUND_MAYORS` (the benchmark gives all 342)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(ROOT_NAME, "toetreding demo (geen echte CA)")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=5 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    root_path = folder / "demo-root.pem"
    write_atomically(root_path, root.public_bytes(serialization.Encoding.PEM))
    passphrase_file = folder / "wachtwoord.txt"
    write_atomically(passphrase_file, f"{DEMO_PASSPHRASE}\n".encode())
    crl_path = folder / "demo-root.crl"
    write_atomically(crl_path, _revocation_list(root, root_key, now))
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_certificate = _signature_certificate(
        _name("DEMO tijdstempeldienst", "toetreding demo (DEMO)"),
        tsa_key,
        root,
        root_key,
        now,
        timestamping=True,
    )
    tsa_path = folder / "demo-tsa.pem"
    write_atomically(
        tsa_path,
        tsa_certificate.public_bytes(serialization.Encoding.PEM)
        + root.public_bytes(serialization.Encoding.PEM)
        + tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )

    def signer(
        profile: str,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        subject: x509.Name,
        common_name: str,
    ) -> DemoSigner:
        certificate = _signature_certificate(subject, key, root, root_key, now)
        blob = pkcs12.serialize_key_and_certificates(
            profile.encode(),
            key,
            certificate,
            [root],
            serialization.BestAvailableEncryption(DEMO_PASSPHRASE.encode()),
        )
        path = folder / f"{profile}.p12"
        write_atomically(path, blob)
        return DemoSigner(profile=profile, pkcs12=path, common_name=common_name)

    party = signer(
        "burgemeester",
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        _name(
            "mr. J. de Vries (DEMO)",
            "Gemeente Huizen (DEMO)",
            "burgemeester van Huizen",
            PARTY_HOLDER,
        ),
        "mr. J. de Vries (DEMO)",
    )
    coordinator = signer(
        "coordinator",
        ec.generate_private_key(ec.SECP256R1()),
        _name(
            "A. Bakker (DEMO)",
            "Ministerie van Justitie en Veiligheid (DEMO)",
            "Nationaal Coördinator Terrorismebestrijding en Veiligheid",
            COORDINATOR_HOLDER,
        ),
        "A. Bakker (DEMO)",
    )
    mayor_signers = {
        code: signer(
            f"burgemeester-{code.lower()}",
            ec.generate_private_key(ec.SECP256R1()),
            _name(
                f"{mayor} (DEMO)",
                f"Gemeente {place} (DEMO)",
                f"burgemeester van {place}",
                mayor_holder(code),
            ),
            f"{mayor} (DEMO)",
        )
        for code, (mayor, place) in (mayors or ROUND_MAYORS).items()
    }
    outsider_place = ROUND_MAYORS[OUTSIDER_CODE][1]
    outsider = signer(
        f"secretaris-{OUTSIDER_CODE.lower()}",
        ec.generate_private_key(ec.SECP256R1()),
        _name(
            "P. Visser (DEMO)",
            f"Gemeente {outsider_place} (DEMO)",
            f"gemeentesecretaris van {outsider_place}",
            f"DEMO-{OUTSIDER_CODE}-SECRETARIS",
        ),
        "P. Visser (DEMO)",
    )
    (folder / "LEESMIJ.txt").write_text(
        "DEMO-PKI — NIET VOOR PRODUCTIE / DEMO PKI — NOT FOR PRODUCTION\n\n"
        "Made by `toetreding demo`. Keys and certificates are generated on every run and\n"
        "chain to a self-made root that no real verifier trusts.\n"
        f"Passphrase of the .p12 files: {DEMO_PASSPHRASE} (also in wachtwoord.txt).\n"
        "demo-tsa.pem: the demo's own timestamp authority (its key is not protected: it is a\n"
        "throwaway). demo-root.crl: the root's revocation list, so signatures are checked\n"
        "hard-fail without a network.\n",
        encoding="utf-8",
    )
    return DemoPki(
        root=root_path,
        passphrase_file=passphrase_file,
        crl=crl_path,
        tsa=tsa_path,
        party=party,
        coordinator=coordinator,
        mayors=mayor_signers,
        outsider=outsider,
    )


DEMO_SIGNING_CONFIG = """
# ---------------------------------------------------------------------------------------
# Signing — DEMO PKI, NOT FOR PRODUCTION. Added by `toetreding demo`: the keys in pki/ are
# throwaway keys under a self-made root ("DEMO — niet voor productie"), with the demo's
# own timestamp authority and revocation list, so everything up to B-LTA works offline.
# Passphrase of the .p12 files: {passphrase} (read from pki/wachtwoord.txt).
ondertekening:
  niveau: B-LTA                   # timestamped, validation data embedded, archive timestamp
  tijdstempeldienst: demo:pki/demo-tsa.pem   # DEMO ONLY; a real workspace gives a TSA URL
  vertrouwensankers: [pki/demo-root.pem]
  intrekkingslijsten: [pki/demo-root.crl]    # the demo root's CRL (real CAs publish online)
  standaard: burgemeester
  ondertekenaars:
    burgemeester:
      pkcs12: pki/burgemeester.p12
      wachtwoordbestand: pki/wachtwoord.txt
      naam: mr. J. de Vries
      functie: burgemeester van Huizen
      namens: de gemeente Huizen
      plaats: Huizen
      veld: ondertekening-partij
    coordinator:
      pkcs12: pki/coordinator.p12
      wachtwoordbestand: pki/wachtwoord.txt
      naam: A. Bakker
      functie: Nationaal Coördinator Terrorismebestrijding en Veiligheid
      namens: de Minister van Justitie en Veiligheid
      plaats: Den Haag
      veld: instemming-coordinator
# Who may consent: a consent is checked against the coordinating party's chain in the
# covenant as published, not only against the copy the statement carries.
verificatie:
  convenanten: [convenant.yaml]
# Archive (DEMO values): whose archive this is, and who answers for validations
# (Archiefregeling art. 24 under c): `verify --record --by archivaris`; collect and accept
# record the 'verantwoordelijke'.
archief:
  archiefvormer:
    naam: gemeente Huizen
    tooi: gm0406
  medewerkers:
    archivaris:
      naam: A. de Archivaris (DEMO)
      functie: adviseur informatiebeheer
    coordinator:
      naam: A. Bakker (DEMO)
      functie: medewerker convenantensecretariaat
      organisatie: Nationaal Coördinator Terrorismebestrijding en Veiligheid
  verantwoordelijke: archivaris
  waardering: B                   # blijvend te bewaren
"""
