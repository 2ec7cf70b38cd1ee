"""`verify`: the good pass, every hostile family fails *with its reason*, and legitimate
encodings from other tools raise no false alarm (exit 4 or 1, never a traceback).

Real parts only: signatures from the test PKI with OCSP/CRL/TSA over HTTP on 127.0.0.1,
and poppler's pdfsig as a second opinion on integrity.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from toetreding.cli import app
from toetreding.config import Settings
from toetreding.demo_pki import DEMO_PASSPHRASE, create_demo_pki
from toetreding.errors import SigningError
from toetreding.pki.files import load_certificates, load_crls
from toetreding.render import RenderedStatement
from toetreding.sign import SignerChoice, sign_file
from toetreding.signing_config import SignatureLevel, VerificationOptions
from toetreding.verify import Indication, VerifyOptions, verify_file

from .conftest import (
    TEST_SIGNER_IDENTITY,
    needs_poppler,
    render_for_test_pki,
    trusted_test_covenants,
)
from .support import encodings, hostile
from .support.pki import PASSPHRASE, RunningPki
from .support.readers import pdfsig

pytestmark = needs_poppler


def choice(
    pki: RunningPki, secret: Path, label: str = "signer-rsa", **extra: object
) -> SignerChoice:
    values: dict[str, object] = {
        "pkcs12": pki.pkcs12(label),
        "secret_file": secret,
        "tsa_url": pki.tsa_url,
        "trust_roots": (pki.root_pem,),
        "function": "burgemeester van Huizen",
        "on_behalf_of": "de gemeente Huizen",
    }
    values.update(extra)
    return SignerChoice(**values)  # type: ignore[arg-type]


def amsterdam_today() -> dt.date:
    """Today where statements are signed: the chain is checked at the Amsterdam date (at
    23:30 UTC it is already tomorrow there)."""
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def amsterdam_date(iso: str) -> str:
    """The Amsterdam date of an ISO moment, as `verify` reports dates."""
    return (
        dt.datetime.fromisoformat(iso).astimezone(ZoneInfo("Europe/Amsterdam")).date().isoformat()
    )


def acceptance(pki: RunningPki, secret: Path, **extra: object) -> SignerChoice:
    values: dict[str, object] = {
        "level": SignatureLevel.B_T,
        "function": "Nationaal Coördinator Terrorismebestrijding en Veiligheid",
        "on_behalf_of": "de Minister van Justitie en Veiligheid",
    }
    values.update(extra)
    return choice(pki, secret, "coordinator", **values)


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("verify-secret") / "pw"
    path.write_text(PASSPHRASE)
    return path


@pytest.fixture(scope="module")
def party_signed(
    tmp_path_factory: pytest.TempPathFactory,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> Path:
    """Only the party has signed (B-T)."""
    path = tmp_path_factory.mktemp("verify-party") / "partij.pdf"
    sign_file(
        example_settings, unsigned_pdf, path, choice(test_pki, secret, level=SignatureLevel.B_T)
    )
    return path


@pytest.fixture(scope="module")
def signed(
    tmp_path_factory: pytest.TempPathFactory,
    party_signed: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> Path:
    """Party signature (B-T) and acceptance (B-T), both by test-PKI signers."""
    path = tmp_path_factory.mktemp("verify-accepted") / "aanvaard.pdf"
    sign_file(example_settings, party_signed, path, acceptance(test_pki, secret))
    return path


def options(pki: RunningPki, **extra: Any) -> VerifyOptions:
    """Trust the test PKI and, for consents, the example covenants as published."""
    extra.setdefault("covenants", trusted_test_covenants(pki))
    return VerifyOptions(trust_roots=tuple(load_certificates(pki.root_pem)), **extra)


def covenant_args(pki: RunningPki) -> list[str]:
    """`--covenant FILE` for each covenant the tests trust."""
    return [arg for t in trusted_test_covenants(pki) for arg in ("--covenant", t.source)]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def all_problems(report: Any) -> list[str]:
    found = [p for s in report.signatures for p in s.problems] + list(report.document.problems)
    if report.chain is not None:
        found += report.chain.breaches
    if report.consent_chain is not None:
        found += report.consent_chain.breaches
    return found


def test_a_good_statement_passes_with_everything_named(signed: Path, test_pki: RunningPki) -> None:
    report = verify_file(signed, options(test_pki))
    assert report.passed, report.to_dict()
    party, accepted = report.signatures
    assert party.indication is Indication.PASSED and party.level == "B-T"
    assert party.digest_matches and party.signature_value_valid and party.certificate_trusted
    assert party.signer is not None and party.signer.common_name == "Test Burgemeester RSA"
    assert party.claimed_role == "burgemeester van Huizen, namens de gemeente Huizen"
    assert party.commitment_type == "proof_of_approval" and party.revocation == "good"
    assert party.signing_time_source == "signature-timestamp"
    later = [(c.description, c.allowed) for c in party.changes_after_signing]
    assert ("later signature in the field 'instemming-coordinator'", True) in later
    assert all(allowed for _text, allowed in later)
    assert accepted.coverage == "entire-file" and accepted.changes_after_signing == []
    assert report.document.pdfa == "PDF/A-2a" and report.document.pdfua == "PDF/UA-1"
    assert report.document.is_statement
    assert report.document.effective_date_source == "signature-timestamp"
    assert accepted.signing_time is not None
    assert report.document.effective_date == amsterdam_date(accepted.signing_time)
    assert report.chain is not None and report.chain.authorised
    assert report.chain.time_basis is not None and "proven" in report.chain.time_basis
    code, out, err = run(
        "verify", signed, "--trust", test_pki.root_pem, *covenant_args(test_pki), "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["schema"] == "toetreding-verify/2" and data["verdict"] == "PASSED"
    assert "intact" not in data["signatures"][0] and data["signatures"][0]["digest_matches"]
    code, out, _ = run("verify", signed, "--trust", test_pki.root_pem, *covenant_args(test_pki))
    assert code == 0 and "PASSED" in out and "in effect since" in out
    assert "confirmed against the covenant" in out


@pytest.mark.parametrize("level", [SignatureLevel.B_LT, SignatureLevel.B_LTA])
def test_levels_are_reported_and_can_be_required(
    level: SignatureLevel,
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    output = tmp_path / "s.pdf"
    sign_file(example_settings, unsigned_pdf, output, choice(test_pki, secret, level=level))
    report = verify_file(output, options(test_pki))
    assert report.passed, report.to_dict()
    assert report.signatures[0].level == level.value
    offline = verify_file(output, options(test_pki, allow_fetching=False))
    assert offline.passed, offline.to_dict()  # the document carries its own validation data


def test_a_required_level_that_is_not_reached_fails(signed: Path, test_pki: RunningPki) -> None:
    code, out, _ = run("verify", signed, "--trust", test_pki.root_pem, "--level", "B-LTA", "--json")
    assert code == 4
    problems = [p for s in json.loads(out)["signatures"] for p in s["problems"]]
    assert any("not the required B-LTA" in p for p in problems)


# --- item 1: a positive list of what may change, each other change named ----------------


@pytest.mark.parametrize("family", sorted(hostile.INCREMENTAL_ATTACKS))
def test_changes_after_the_signatures_fail_with_their_reason(
    family: str, signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    attack, reason = hostile.INCREMENTAL_ATTACKS[family]
    forged = tmp_path / "vervalst.pdf"
    forged.write_bytes(attack(signed.read_bytes()))
    report = verify_file(forged, options(test_pki))
    assert not report.passed, family
    assert any(reason in p for p in all_problems(report)), (reason, all_problems(report))
    code, out, err = run("verify", forged, "--trust", test_pki.root_pem)
    assert code == 4 and "Traceback" not in out + err
    assert "FAILED" in out


@pytest.mark.parametrize("family", sorted(hostile.PARTY_ONLY_ATTACKS))
def test_changes_to_the_empty_acceptance_field_fail_with_their_reason(
    family: str, party_signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    attack, reason = hostile.PARTY_ONLY_ATTACKS[family]
    forged = tmp_path / "vervalst.pdf"
    forged.write_bytes(attack(party_signed.read_bytes()))
    report = verify_file(forged, options(test_pki))
    assert verify_file(party_signed, options(test_pki)).passed
    assert not report.passed
    party = report.signatures[0]
    assert party.indication is Indication.FAILED
    assert any(reason in p for p in party.problems), party.problems


def test_the_critical_overlay_fails_after_the_party_signature_alone(
    party_signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    forged = tmp_path / "niet.pdf"
    forged.write_bytes(hostile.empty_visible_signature_widget(party_signed.read_bytes()))
    report = verify_file(forged, options(test_pki))
    (party,) = report.signatures
    assert party.indication is Indication.FAILED and not report.passed
    forbidden = [c for c in party.changes_after_signing if not c.allowed]
    assert [c.description.split(";")[0] for c in forbidden] == [
        "a new, empty signature field 'overlay' (visible) was added after signing"
    ]


@pytest.fixture(scope="module")
def signed_with_text_field(
    tmp_path_factory: pytest.TempPathFactory,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> Path:
    """A statement that carried a (harmless-looking) text field when the party signed."""
    folder = tmp_path_factory.mktemp("textfield")
    prepared = folder / "voorbereid.pdf"
    prepared.write_bytes(hostile.form_field_over_text(unsigned_pdf.read_bytes()))
    path = folder / "getekend.pdf"
    sign_file(example_settings, prepared, path, choice(test_pki, secret))
    return path


def test_a_changed_form_value_fails(
    signed_with_text_field: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    from pyhanko.pdf_utils import generic

    def change(writer: Any) -> None:
        for reference in writer.root["/AcroForm"]["/Fields"]:
            field = reference.get_object()
            if str(field.get("/T")) == "overlay":
                field["/V"] = generic.TextStringObject("De gemeente treedt NIET toe")
                writer.update_container(field)

    forged = tmp_path / "waarde.pdf"
    forged.write_bytes(hostile._update(signed_with_text_field.read_bytes(), change))
    report = verify_file(forged, options(test_pki))
    assert any(
        "the value of form field 'overlay' was changed" in p for p in report.signatures[0].problems
    ), report.signatures[0].problems


def test_a_third_signature_in_a_new_field_fails_the_statement(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(
        str(test_pki.pkcs12("signer-rsa")), passphrase=PASSPHRASE.encode()
    )
    forged = tmp_path / "derde.pdf"
    forged.write_bytes(
        encodings.sign_plain_pdf(signed.read_bytes(), signer, "extra", box=(70, 600, 520, 700))
    )
    report = verify_file(forged, options(test_pki))
    assert not report.passed
    reason = "a new signature field 'extra' (visible) was added and signed"
    assert any(reason in p for p in report.signatures[0].problems)
    assert report.signatures[2].indication is Indication.PASSED  # the third one itself is fine


def test_signing_out_of_order_fails(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    """The acceptance signed first (by hand, with pyHanko), then the party."""
    first = tmp_path / "eerst-aanvaard.pdf"
    first.write_bytes(
        encodings.sign_existing_field(
            unsigned_pdf.read_bytes(),
            test_pki.pkcs12("coordinator"),
            PASSPHRASE,
            "instemming-coordinator",
        )
    )
    second = tmp_path / "daarna-partij.pdf"
    with pytest.raises(SigningError, match="party's signature must come first"):
        sign_file(example_settings, first, second, choice(test_pki, secret))
    assert not second.exists()
    second.write_bytes(  # with another tool
        encodings.sign_existing_field(
            first.read_bytes(), test_pki.pkcs12("signer-rsa"), PASSPHRASE, "ondertekening-partij"
        )
    )
    report = verify_file(second, options(test_pki))
    accepted = next(s for s in report.signatures if s.field_name == "instemming-coordinator")
    assert any("against the statement's order" in p for p in accepted.problems), accepted.problems
    assert not report.passed


# --- items 2 and 3: revocation hard-fail for real; proven and claimed time ------------


@pytest.fixture(scope="module")
def demo_pki_signed(
    tmp_path_factory: pytest.TempPathFactory,
    huizen_pdf: RenderedStatement,
    example_settings: Settings,
) -> tuple[Path, Any]:
    """A party signature (B-B) from the demo PKI, whose CRL is a file, not a service."""
    folder = tmp_path_factory.mktemp("demo-signed")
    pki = create_demo_pki(folder / "pki")
    (folder / "pw").write_text(DEMO_PASSPHRASE)
    source = folder / "verklaring.pdf"
    source.write_bytes(huizen_pdf.pdf)
    output = folder / "getekend.pdf"
    sign_file(
        example_settings,
        source,
        output,
        SignerChoice(
            pkcs12=pki.party.pkcs12,
            secret_file=folder / "pw",
            trust_roots=(pki.root,),
            crls=(pki.crl,),
            function="burgemeester van Huizen",
            on_behalf_of="de gemeente Huizen",
        ),
    )
    return output, pki


def test_no_revocation_answer_is_indeterminate_try_later(
    demo_pki_signed: tuple[Path, Any],
) -> None:
    path, pki = demo_pki_signed
    roots = tuple(load_certificates(pki.root))
    without = verify_file(path, VerifyOptions(trust_roots=roots, allow_fetching=False))
    party = without.signatures[0]
    assert party.indication is Indication.INDETERMINATE and party.sub_indication == "TRY_LATER"
    assert party.revocation == "unknown" and not without.passed
    assert any("revocation status" in p for p in party.problems)
    crls = tuple(load_crls([pki.crl]))
    with_crl = verify_file(path, VerifyOptions(trust_roots=roots, allow_fetching=False, crls=crls))
    assert with_crl.signatures[0].indication is Indication.PASSED, with_crl.to_dict()
    assert with_crl.signatures[0].revocation == "good"


def test_a_claimed_time_is_told_apart_and_the_acceptance_needs_a_timestamp(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    party, accepted = tmp_path / "partij.pdf", tmp_path / "aanvaard.pdf"
    sign_file(example_settings, unsigned_pdf, party, choice(test_pki, secret))  # B-B
    report = verify_file(party, options(test_pki))
    assert report.signatures[0].signing_time_source == "claimed"
    assert report.chain is not None and "not proven" in (report.chain.time_basis or "")
    assert report.passed  # the party's claimed time is reported, not failed by default
    # an acceptance at B-B cannot prove the effective date: sign refuses it by default …
    unproven = tmp_path / "onbewezen.pdf"
    b_b = acceptance(test_pki, secret, level=SignatureLevel.B_B)
    with pytest.raises(SigningError, match="must be proven by a timestamp"):
        sign_file(example_settings, party, unproven, b_b)
    assert not unproven.exists()
    # … and where the policy is relaxed (old statements), verify still tells it apart
    relaxed_settings = dataclasses.replace(
        example_settings,
        verification=VerificationOptions(aanvaarding_vereist_tijdstempel=False),
    )
    sign_file(relaxed_settings, party, unproven, b_b)
    report = verify_file(unproven, options(test_pki))
    assert not report.passed and report.document.effective_date is None
    assert any("only claimed" in p for p in report.document.problems)
    relaxed = verify_file(unproven, options(test_pki, acceptance_needs_timestamp=False))
    assert relaxed.passed and relaxed.document.effective_date_source == "claimed"
    # a timestamped acceptance proves the party signed no later than that
    sign_file(example_settings, party, accepted, acceptance(test_pki, secret))
    report = verify_file(accepted, options(test_pki))
    assert report.passed, all_problems(report)
    first = report.signatures[0]
    assert first.proven_no_later_than == report.signatures[1].signing_time
    assert "a later timestamp proves" in (report.chain.time_basis or "")  # type: ignore[union-attr]


@pytest.fixture
def withdrawn_mandate_pdf(
    tmp_path: Path, renderer: Any, example_settings: Settings, test_pki: RunningPki
) -> tuple[Path, dt.date]:
    """A statement whose signer's power ended yesterday."""
    ended = amsterdam_today() - dt.timedelta(days=1)
    edits = {"    geldig_tot: 2029-05-31": f"    geldig_tot: {ended.isoformat()}"}
    return render_for_test_pki(tmp_path, renderer, test_pki, authority_edits=edits), ended


def test_a_statement_is_not_signed_before_its_own_date(
    tmp_path: Path,
    renderer: Any,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    """Dated the day after tomorrow and signed today: `sign` refuses; signed by another
    tool, `verify` fails it (one of the two dates is untrue)."""
    dated = amsterdam_today() + dt.timedelta(days=2)
    unsigned = render_for_test_pki(
        tmp_path, renderer, test_pki, request_edits={"datum: 2026-11-24": f"datum: {dated}"}
    )
    with pytest.raises(SigningError, match=rf"dated {dated}, after today"):
        sign_file(example_settings, unsigned, tmp_path / "nee.pdf", choice(test_pki, secret))
    assert not (tmp_path / "nee.pdf").exists()
    party = tmp_path / "voorbarig.pdf"
    party.write_bytes(
        encodings.sign_existing_field(
            unsigned.read_bytes(), test_pki.pkcs12("signer-rsa"), PASSPHRASE, "ondertekening-partij"
        )
    )
    report = verify_file(party, options(test_pki))
    assert not report.passed
    assert any(
        f"before the statement's own date ({dated})" in p for p in report.document.problems
    ), report.document.problems


def test_a_backdated_signature_is_caught_by_a_later_timestamp(
    withdrawn_mandate_pdf: tuple[Path, dt.date],
    tmp_path: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A signer whose power has ended sets the clock back and signs (pyHanko by hand)."""
    import pyhanko.sign.signers.pdf_signer as pdf_signer

    unsigned, ended = withdrawn_mandate_pdf
    backdated = dt.datetime.combine(ended - dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC)

    class SetBack(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> SetBack:  # type: ignore[override]
            return cls.fromtimestamp(backdated.timestamp(), tz)

    monkeypatch.setattr(pdf_signer, "datetime", SetBack)
    signed = encodings.sign_existing_field(
        unsigned.read_bytes(), test_pki.pkcs12("signer-rsa"), PASSPHRASE, "ondertekening-partij"
    )
    monkeypatch.undo()
    party = tmp_path / "teruggedateerd.pdf"
    party.write_bytes(signed)
    alone = verify_file(party, options(test_pki))
    assert alone.signatures[0].signing_time_source == "claimed"
    assert alone.chain is not None and alone.chain.checked_at == [backdated.date().isoformat()]
    accepted = tmp_path / "aanvaard.pdf"
    sign_file(example_settings, party, accepted, acceptance(test_pki, secret))
    report = verify_file(accepted, options(test_pki))
    assert report.chain is not None and not report.chain.authorised
    assert amsterdam_today().isoformat() in report.chain.checked_at
    assert not report.passed


# --- item 4: no false alarms on legitimate encodings; plain reasons ---------------------


def test_a_ber_indefinite_length_container_is_intact(
    party_signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    """A single signature: re-encoding a container changes bytes later signatures cover."""
    ber = tmp_path / "ber.pdf"
    ber.write_bytes(
        encodings.replace_first_container(party_signed.read_bytes(), encodings.ber_indefinite)
    )
    assert ber.read_bytes() != party_signed.read_bytes()
    report = verify_file(ber, options(test_pki))
    party = report.signatures[0]
    assert party.digest_matches and party.signature_value_valid, party.problems
    assert not any("tampered" in p for p in party.problems)
    assert report.passed, all_problems(report)


@pytest.mark.parametrize("digest", ["sha1", "md5"])
def test_a_weakly_signed_ca_certificate_is_a_weak_algorithm_not_damage(
    digest: str, tmp_path: Path, test_pki: RunningPki
) -> None:
    import typst
    from asn1crypto import x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    weak = encodings.weakly_signed(
        x509.Certificate.load(test_pki.cert_der("interm")), test_pki.keys["root"], digest
    )
    key = test_pki.keys["signer-rsa"]
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization

    signer = signers.SimpleSigner(
        signing_cert=x509.Certificate.load(test_pki.cert_der("signer-rsa")),
        signing_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([weak]),
    )
    pdf = encodings.sign_plain_pdf(typst.compile(b"Hallo"), signer, "Handtekening", box=None)
    path = tmp_path / f"{digest}.pdf"
    path.write_bytes(pdf)
    report = verify_file(path, options(test_pki, allow_fetching=False))
    (signature,) = report.signatures
    assert signature.digest_matches and signature.signature_value_valid
    name = {"sha1": "SHA-1", "md5": "MD5"}[digest]
    assert any(f"weak algorithm in the chain: {name}" in p for p in signature.problems)
    assert not any("damaged" in p for p in signature.problems), signature.problems
    assert report.verdict == "NOT-A-STATEMENT"


def test_five_signatures_and_a_document_timestamp_from_another_tool(
    tmp_path: Path, test_pki: RunningPki
) -> None:
    import typst
    from pyhanko.sign import signers
    from pyhanko.sign.timestamps import HTTPTimeStamper

    signer = signers.SimpleSigner.load_pkcs12(
        str(test_pki.pkcs12("signer-rsa")), passphrase=PASSPHRASE.encode()
    )
    stamper = HTTPTimeStamper(test_pki.tsa_url)
    pdf = typst.compile(b"Hallo wereld\n#pagebreak()\nTweede pagina")
    for number in range(5):
        box = (50 + number * 100, 50, 140 + number * 100, 100) if number % 2 == 0 else None
        pdf = encodings.sign_plain_pdf(
            pdf, signer, f"Signature{number + 1}", box=box, timestamper=stamper
        )
    pdf = encodings.document_timestamp(pdf, stamper)
    path = tmp_path / "vijf.pdf"
    path.write_bytes(pdf)
    report = verify_file(path, options(test_pki))
    assert report.readable and report.verdict == "NOT-A-STATEMENT"
    assert [s.kind for s in report.signatures] == ["signature"] * 5 + ["document-timestamp"]
    for signature in report.signatures:
        assert signature.indication is Indication.PASSED, (signature.field_name, signature.problems)
    code, out, err = run("verify", path, "--trust", test_pki.root_pem)
    assert code == 4 and "NOT A TOETREDING STATEMENT" in out and "Traceback" not in out + err
    assert out.index("NOT A TOETREDING STATEMENT") < out.index("Signature1")


@pytest.mark.parametrize(
    "carried", ["only its own", "chain and an unrelated one", "chain and a renewed CA"]
)
def test_carried_certificates_as_other_tools_carry_them(
    carried: str, tmp_path: Path, test_pki: RunningPki
) -> None:
    """Signers carry only their own certificate, or more than their path: no false alarm."""
    import typst
    from asn1crypto import x509

    chain = [x509.Certificate.load(test_pki.cert_der(n)) for n in ("interm", "root")]
    extra = {
        "only its own": [],
        "chain and an unrelated one": [*chain, x509.Certificate.load(test_pki.cert_der("nosign"))],
        "chain and a renewed CA": [chain[0], encodings.renewed_ca(test_pki, "interm"), chain[1]],
    }[carried]
    signer = encodings.signer_carrying(test_pki, "signer-rsa", extra)
    path = tmp_path / "ander.pdf"
    path.write_bytes(encodings.sign_plain_pdf(typst.compile(b"Hallo"), signer, "Sig1", box=None))
    (signature,) = verify_file(path, options(test_pki)).signatures
    assert signature.indication is Indication.PASSED, signature.problems


@pytest.mark.parametrize("suffix", ["Z'", "Z00'00'", "+0100", "+01'00'"])
def test_signing_dates_in_other_dialects_are_read(
    suffix: str, tmp_path: Path, test_pki: RunningPki
) -> None:
    """LibreOffice writes /M (D:…Z'): the signature is intact, and its claimed time is read."""
    import typst
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(
        str(test_pki.pkcs12("signer-rsa")), passphrase=PASSPHRASE.encode()
    )
    with encodings.with_signing_date_suffix(suffix):
        pdf = encodings.sign_plain_pdf(typst.compile(b"Hallo"), signer, "Sig1", box=None)
    path = tmp_path / "datum.pdf"
    path.write_bytes(pdf)
    (signature,) = verify_file(path, options(test_pki)).signatures
    assert signature.indication is Indication.PASSED, signature.problems
    assert signature.signing_time is not None and signature.signing_time_source == "claimed"


def test_a_field_under_an_existing_parent_is_no_false_alarm(
    tmp_path: Path, test_pki: RunningPki
) -> None:
    """Outside a statement, a second signature may sit under the first one's parent field."""
    import typst
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(
        str(test_pki.pkcs12("signer-rsa")), passphrase=PASSPHRASE.encode()
    )
    pdf = typst.compile(b"Hallo")
    for name in ("Handtekeningen.Eerste", "Handtekeningen.Tweede"):
        pdf = encodings.sign_plain_pdf(pdf, signer, name, box=(50, 50, 200, 100))
    path = tmp_path / "genest.pdf"
    path.write_bytes(pdf)
    report = verify_file(path, options(test_pki))
    assert [s.indication for s in report.signatures] == [Indication.PASSED] * 2, all_problems(
        report
    )


def test_a_signature_after_a_final_certification_fails_it(
    tmp_path: Path, test_pki: RunningPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DocMDP P=1 ("no changes"): a later signature breaks the certification; P=2 allows it."""
    import typst
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(
        str(test_pki.pkcs12("signer-rsa")), passphrase=PASSPHRASE.encode()
    )
    verdicts = {}
    for permission in (fields.MDPPerm.NO_CHANGES, fields.MDPPerm.FILL_FORMS):
        out = io.BytesIO()
        signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name="Certificering",
                subfilter=fields.SigSeedSubFilter.PADES,
                certify=True,
                docmdp_permissions=permission,
            ),
            signer,
        ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(typst.compile(b"Hallo"))), output=out)
        path = tmp_path / f"{permission.name}.pdf"
        # pyHanko refuses to sign after P=1; another tool (or an attacker) need not
        monkeypatch.setattr(
            signers.PdfSigner, "_enforce_certification_constraints", lambda self, reader: None
        )
        path.write_bytes(encodings.sign_plain_pdf(out.getvalue(), signer, "Later", box=None))
        monkeypatch.undo()
        verdicts[permission.name] = verify_file(path, options(test_pki)).signatures[0]
    assert verdicts["FILL_FORMS"].indication is Indication.PASSED
    final = verdicts["NO_CHANGES"]
    assert final.indication is Indication.FAILED
    assert any("certified as final" in p for p in final.problems), final.problems


def test_bytes_before_the_header_are_said_plainly(
    party_signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    path = tmp_path / "voorloop.pdf"
    path.write_bytes(b"Content-Type: application/pdf\r\n\r\n" + party_signed.read_bytes())
    report = verify_file(path, options(test_pki))
    assert not report.readable and "bytes before its %PDF- header" in (report.error or "")


INTERNAL_TEXT = re.compile(r"Reference\(|idnum|has no attribute|Error\b|Traceback|0x[0-9a-f]{6}")


def test_no_internal_text_reaches_any_report(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    corpus = [attack(signed.read_bytes()) for attack, _ in hostile.INCREMENTAL_ATTACKS.values()]
    corpus += [attack(signed.read_bytes()) for attack in hostile.STRUCTURE_ATTACKS.values()]
    corpus += [attack(signed.read_bytes()) for attack in hostile.BROKEN_FILES.values()]
    data = signed.read_bytes()
    sig_at = data.index(b"/Type /Sig") if b"/Type /Sig" in data else data.index(b"/Sig")
    corpus.append(data[:sig_at] + b"/Typo" + data[sig_at + 5 :])
    for number, forged in enumerate(corpus):
        path = tmp_path / f"{number}.pdf"
        path.write_bytes(forged)
        report = verify_file(path, options(test_pki))
        texts = [*all_problems(report), report.error or ""]
        leaked = [t for t in texts if INTERNAL_TEXT.search(t)]
        assert not leaked, leaked


@pytest.mark.parametrize("family", sorted(hostile.STRUCTURE_ATTACKS))
def test_signature_structure_tricks_are_rejected(
    family: str, signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    forged = tmp_path / "vervalst.pdf"
    forged.write_bytes(hostile.STRUCTURE_ATTACKS[family](signed.read_bytes()))
    report = verify_file(forged, options(test_pki))
    assert not report.passed, (family, report.to_dict())
    code, out, err = run("verify", forged, "--trust", test_pki.root_pem)
    assert code in (1, 4) and "Traceback" not in out + err


@pytest.mark.parametrize(
    ("family", "reason"),
    [
        ("object listed twice in one xref table", "lists object"),
        ("unlisted object behind a broken startxref", "no cross-reference data lists"),
    ],
)
def test_files_that_readers_read_differently_fail(
    family: str, reason: str, signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    """pyHanko and the viewers would each see a different document: never PASSED."""
    forged = tmp_path / "dubbelzinnig.pdf"
    forged.write_bytes(hostile.STRUCTURE_ATTACKS[family](signed.read_bytes()))
    report = verify_file(forged, options(test_pki))
    assert not report.passed
    assert any(reason in p for p in report.document.problems), report.document.problems


@pytest.fixture(scope="module")
def party_signed_with_object_stream(
    tmp_path_factory: pytest.TempPathFactory,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> Path:
    """The party signed (B-T) a statement whose first page had been put in an object
    stream, as some writers save a file."""
    folder = tmp_path_factory.mktemp("verify-objstm")
    source = folder / "gecomprimeerd.pdf"
    source.write_bytes(hostile.compressed_first_page(unsigned_pdf.read_bytes()))
    path = folder / "partij.pdf"
    sign_file(example_settings, source, path, choice(test_pki, secret, level=SignatureLevel.B_T))
    return path


def test_a_statement_with_an_object_stream_passes(
    party_signed_with_object_stream: Path, test_pki: RunningPki
) -> None:
    """Object streams are ordinary PDF: the rule against rewriting them raises no false alarm."""
    report = verify_file(party_signed_with_object_stream, options(test_pki))
    assert report.passed, report.to_dict()


@pytest.mark.parametrize("family", sorted(hostile.OBJECT_STREAM_ATTACKS))
def test_an_object_stream_rewritten_after_signing_fails(
    family: str, party_signed_with_object_stream: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    """An update that redefines, frees or cuts short the object stream holding signed
    objects changes them without listing them: FAILED, with the object stream named."""
    attack, reason = hostile.OBJECT_STREAM_ATTACKS[family]
    forged = tmp_path / "vervalst.pdf"
    forged.write_bytes(attack(party_signed_with_object_stream.read_bytes()))
    report = verify_file(forged, options(test_pki))
    assert not report.passed, (family, report.to_dict())
    assert any(reason in p for p in all_problems(report)), all_problems(report)
    code, out, err = run("verify", forged, "--trust", test_pki.root_pem)
    assert code in (1, 4) and "Traceback" not in out + err and "✓ PASSED" not in out


READ_DIFFERENTLY = {
    **hostile.REPAIR_ATTACKS,
    **hostile.AMBIGUOUS_VALUE_ATTACKS,
    **hostile.XREF_ENTRY_ATTACKS,
    **hostile.XREF_STREAM_ATTACKS,
    **hostile.FILE_STATEMENT_ATTACKS,
}


@pytest.mark.parametrize("family", sorted(READ_DIFFERENTLY))
def test_a_file_readers_read_differently_fails(
    family: str, party_signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    """An update that makes a reader repair the file (which then finds definitions no
    cross-reference data lists), or that pyHanko and poppler read as different values, is
    refused, whatever pyHanko makes of it."""
    attack, reason = READ_DIFFERENTLY[family]
    forged = tmp_path / "hersteld.pdf"
    forged.write_bytes(attack(party_signed.read_bytes()))
    report = verify_file(forged, options(test_pki))
    assert not report.passed, (family, report.to_dict())
    assert any(reason in p for p in report.document.problems), report.document.problems
    code, out, err = run("verify", forged, "--trust", test_pki.root_pem)
    assert code in (1, 4) and "Traceback" not in out + err and "✓ PASSED" not in out


@pytest.mark.parametrize("family", sorted(hostile.PAGE_TREE_ATTACKS))
def test_a_page_tree_changed_after_signing_fails(
    family: str, party_signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    """The page tree's inner nodes (counts, kids, what pages inherit) are compared too, and
    a node read one way by this review and another by viewers is refused."""
    forged = tmp_path / "paginaboom.pdf"
    forged.write_bytes(hostile.PAGE_TREE_ATTACKS[family](party_signed.read_bytes()))
    report = verify_file(forged, options(test_pki))
    assert not report.passed, (family, report.to_dict())
    named = [p for s in report.signatures for p in s.problems]
    assert any("page tree" in p or "page-tree" in p or "rotation" in p for p in named), named


@pytest.mark.parametrize("family", sorted(hostile.BROKEN_FILES))
def test_broken_files_are_unreadable_not_crashes(
    family: str, signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    broken = tmp_path / "kapot.pdf"
    broken.write_bytes(hostile.BROKEN_FILES[family](signed.read_bytes()))
    code, out, err = run("verify", broken, "--trust", test_pki.root_pem)
    assert (
        code in (1, 4)
        and "Traceback" not in out + err
        and "PASSED" not in out.replace("FAILED", "")
    )


def test_a_folder_or_a_device_is_refused_without_hanging(
    tmp_path: Path, test_pki: RunningPki
) -> None:
    for target in (tmp_path, Path("/dev/zero")):
        report = verify_file(target, options(test_pki))
        assert not report.readable and report.error and "cannot read" in report.error
    code, _out, err = run("verify", tmp_path, "--trust", test_pki.root_pem)
    assert code == 1 and "Traceback" not in err


def test_encrypted_pdf_is_refused(
    tmp_path: Path, huizen_pdf: RenderedStatement, test_pki: RunningPki
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(huizen_pdf.pdf)))
    writer.encrypt("eigenaar", "gebruiker")
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "versleuteld.pdf"
    path.write_bytes(out.getvalue())
    code, out_text, _ = run("verify", path, "--trust", test_pki.root_pem)
    assert code == 1 and "encrypted" in out_text


def test_second_signature_by_an_untrusted_key_fails(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    first = tmp_path / "partij.pdf"
    sign_file(example_settings, unsigned_pdf, first, choice(test_pki, secret))
    stranger = create_demo_pki(tmp_path / "vreemd")
    pw = tmp_path / "vreemd-pw"
    pw.write_text(DEMO_PASSPHRASE)
    second = tmp_path / "aanvaard.pdf"
    with pytest.raises(SigningError, match="to consent for"):  # `sign` refuses it up front
        sign_file(
            example_settings,
            first,
            second,
            SignerChoice(
                pkcs12=stranger.coordinator.pkcs12,
                secret_file=pw,
                level=SignatureLevel.B_T,
                tsa_url=test_pki.tsa_url,
            ),
        )
    assert not second.exists()
    second.write_bytes(  # made with another tool
        encodings.sign_existing_field(
            first.read_bytes(),
            stranger.coordinator.pkcs12,
            DEMO_PASSPHRASE,
            "instemming-coordinator",
            role=CONSENT_ROLE,
            tsa_url=test_pki.tsa_url,
        )
    )
    report = verify_file(second, options(test_pki))
    assert not report.passed
    # (pyHanko itself declares PDF 2.0 for this EC key, which the party's signature reports
    # as a change; toetreding's own signing keeps PDF 1.7 — so only the consent is judged here)
    assert report.signatures[1].indication is Indication.INDETERMINATE
    assert report.signatures[1].sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"
    assert report.consent_chain is not None and not report.consent_chain.authorised


CONSENT_ROLE = (
    "Nationaal Coördinator Terrorismebestrijding en Veiligheid, namens de Minister van Justitie "
    "en Veiligheid"
)


def signed_by_the_party(
    tmp_path: Path, unsigned: Path, settings: Settings, pki: RunningPki, secret: Path
) -> Path:
    """The statement signed by the party at B-T (the test PKI's burgemeester)."""
    party = tmp_path / "partij.pdf"
    sign_file(settings, unsigned, party, choice(pki, secret, level=SignatureLevel.B_T))
    return party


def consent_by_hand(data: bytes, pki: RunningPki, label: str, path: Path, **extra: Any) -> Path:
    """A timestamped consent made with pyHanko directly (none of toetreding's checks)."""
    path.write_bytes(
        encodings.sign_existing_field(
            data,
            pki.pkcs12(label),
            PASSPHRASE,
            "instemming-coordinator",
            tsa_url=pki.tsa_url,
            **extra,
        )
    )
    return path


@pytest.mark.parametrize(
    ("label", "role", "rule"),
    [
        # the party's own, trusted key "consents" to its own statement, claiming the role
        ("signer-rsa", CONSENT_ROLE, "certificate"),
        # with the party's own formula
        ("signer-rsa", "burgemeester van Huizen, namens de gemeente Huizen", "formula"),
        # the coordinator's key, but presented as someone the chain does not name
        (
            "coordinator",
            "directeur-generaal, namens de Minister van Justitie en Veiligheid",
            "formula",
        ),
        # the coordinator's key acting for another minister
        (
            "coordinator",
            "Nationaal Coördinator Terrorismebestrijding en Veiligheid, namens de Minister van "
            "Binnenlandse Zaken",
            "formula",
        ),
    ],
)
def test_a_consent_outside_the_coordinators_chain_fails(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
    label: str,
    role: str,
    rule: str,
) -> None:
    """Trusted, intact, timestamped — and still not a consent: the chain says who consents."""
    party = signed_by_the_party(tmp_path, unsigned_pdf, example_settings, test_pki, secret)
    forged = tmp_path / "instemming.pdf"
    with pytest.raises(SigningError, match=r"to consent for|also made the party's signature"):
        function, on_behalf_of = role.split(", namens ")
        sign_file(
            example_settings,
            party,
            forged,
            choice(
                test_pki,
                secret,
                label,
                level=SignatureLevel.B_T,
                function=function,
                on_behalf_of=on_behalf_of,
            ),
        )
    assert not forged.exists()
    consent_by_hand(party.read_bytes(), test_pki, label, forged, role=role)
    report = verify_file(forged, options(test_pki))
    consent = report.signatures[1]
    assert consent.digest_matches and consent.signature_value_valid and consent.certificate_trusted
    assert report.chain is not None and report.chain.authorised  # the party's signature is fine
    assert report.consent_chain is not None and not report.consent_chain.authorised
    assert any(f"{rule}" in b or "signing certificate" in b for b in report.consent_chain.breaches)
    assert report.document.effective_date is None
    assert not report.passed and report.verdict == "FAILED"
    assert any("has not taken effect" in p for p in report.document.problems)


def test_the_coordinators_consent_passes_and_is_reported(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    party = signed_by_the_party(tmp_path, unsigned_pdf, example_settings, test_pki, secret)
    accepted = tmp_path / "instemming.pdf"
    # no --function/--on-behalf-of: the consent presents the formula its chain asks for
    sign_file(
        example_settings,
        party,
        accepted,
        choice(
            test_pki,
            secret,
            "coordinator",
            level=SignatureLevel.B_T,
            function=None,
            on_behalf_of=None,
        ),
    )
    report = verify_file(accepted, options(test_pki))
    assert report.passed, all_problems(report)
    assert report.signatures[1].claimed_role == CONSENT_ROLE
    assert report.consent_chain is not None and report.consent_chain.authorised
    assert report.document.effective_date is not None
    assert report.to_dict()["consent_chain"]["authorised"] is True


def test_revoked_signer_fails(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    output = tmp_path / "ingetrokken.pdf"
    # signed without trust roots, so sign cannot look the revocation up (it refuses otherwise)
    sign_file(
        example_settings, unsigned_pdf, output, choice(test_pki, secret, "revoked", trust_roots=())
    )
    report = verify_file(output, options(test_pki))
    assert report.signatures[0].indication is Indication.FAILED
    assert report.signatures[0].sub_indication == "REVOKED" and not report.passed


def test_expired_signer_without_proof_of_time_is_not_passed(
    tmp_path: Path, unsigned_pdf: Path, test_pki: RunningPki
) -> None:
    # toetreding refuses an expired certificate, so sign with pyHanko directly, as an attacker would
    path = tmp_path / "verlopen.pdf"
    path.write_bytes(
        encodings.sign_existing_field(
            unsigned_pdf.read_bytes(),
            test_pki.pkcs12("expired"),
            PASSPHRASE,
            "ondertekening-partij",
        )
    )
    report = verify_file(path, options(test_pki))
    assert report.signatures[0].indication is not Indication.PASSED and not report.passed


def test_an_invalid_signature_timestamp_is_not_passed(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    from asn1crypto import cms

    data = bytearray(signed.read_bytes())
    match = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", data)
    assert match is not None
    container = bytes.fromhex(match.group(1).decode())
    info = cms.ContentInfo.load(container.rstrip(b"\x00"))
    token = info["content"]["signer_infos"][0]["unsigned_attrs"][0]["values"][0]
    token_signature = token["content"]["signer_infos"][0]["signature"].native
    offset = container.index(token_signature) + len(token_signature) // 2
    hex_position = match.start(1) + 2 * offset
    data[hex_position] = ord("0") if data[hex_position] != ord("0") else ord("1")
    broken = tmp_path / "tijdstempel.pdf"
    broken.write_bytes(bytes(data))
    report = verify_file(broken, options(test_pki))
    party = report.signatures[0]
    assert party.intact  # the signature itself is fine; only the timestamp was damaged
    assert party.indication is not Indication.PASSED and not report.passed
    assert any("timestamp" in p for p in party.problems)
    assert party.signing_time_source == "claimed"  # an invalid timestamp proves nothing


def test_pdfsig_agrees_on_integrity(signed: Path, tmp_path: Path, test_pki: RunningPki) -> None:
    corpus = {"good": signed.read_bytes()}
    for name, (attack, _reason) in hostile.INCREMENTAL_ATTACKS.items():
        corpus[name] = attack(signed.read_bytes())
    for name, plain_attack in hostile.STRUCTURE_ATTACKS.items():
        corpus[name] = plain_attack(signed.read_bytes())
    compared = 0
    for name, data in corpus.items():
        path = tmp_path / f"{re.sub(r'[^a-z]+', '-', name)}.pdf"
        path.write_bytes(data)
        report = verify_file(path, options(test_pki))
        if not report.readable:
            assert not report.passed  # we refuse to read it at all: stricter than pdfsig
            continue
        compared += 1
        ours = {s.field_name: s.intact for s in report.signatures if s.kind == "signature"}
        theirs = {
            s.field: s.valid for s in pdfsig(path) if s.signed and s.kind == "ETSI.CAdES.detached"
        }
        assert ours == theirs, (name, ours, theirs)
    assert compared >= len(corpus) - 1


ARCHIVE_CONFIG = """archief:
  archiefvormer: {naam: gemeente Huizen, tooi: gm0406}
  medewerkers:
    archivaris:
      naam: mr. A. Archivaris
      functie: adviseur informatiebeheer
      kenmerk: P-1234
"""


def test_record_writes_an_archiefregeling_entry(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    """Art. 24 under c: who answers for the validation is a declared official (name,
    function, organisation), and the document's path is recorded relative to the workspace."""
    import shutil

    from toetreding.register import Register

    workspace = tmp_path / "werkmap"
    (workspace / "post").mkdir(parents=True)
    (workspace / "toetreding.yaml").write_text(ARCHIVE_CONFIG, encoding="utf-8")
    document = workspace / "post" / "verklaring.pdf"
    shutil.copyfile(signed, document)
    register_path = workspace / "register.sqlite"
    arguments = [
        "verify",
        str(document),
        "--trust",
        str(test_pki.root_pem),
        *covenant_args(test_pki),
        "--record",
        "--config",
        str(workspace / "toetreding.yaml"),
    ]
    environment = {"TOETREDING_REGISTER": str(register_path)}
    result = CliRunner().invoke(app, [*arguments, "--by", "archivaris"], env=environment)
    assert result.exit_code == 0, result.stderr
    with Register(register_path) as register:
        (entry,) = register.entries()
    assert entry.kind == "validatie"
    assert entry.payload["verantwoordelijke"] == {
        "sleutel": "archivaris",
        "naam": "mr. A. Archivaris",
        "functie": "adviseur informatiebeheer",
        "organisatie": "gemeente Huizen",
        "tooi": "gm0406",
        "kenmerk": "P-1234",
    }
    assert entry.payload["document"] == "post/verklaring.pdf"
    assert entry.payload["resultaat"] == "PASSED"
    holders = [s["houder"] for s in entry.payload["handtekeningen"]]
    assert holders == ["Test Burgemeester RSA", "Test Coordinator"]
    assert entry.payload["handtekeningen"][0]["certificaat"]["serienummer"]

    # a name that is not a declared official is refused before anything is verified
    unknown = CliRunner().invoke(app, [*arguments, "--by", "mr. A. Archivaris"], env=environment)
    assert unknown.exit_code == 1
    assert "no official 'mr. A. Archivaris' in archief.medewerkers" in unknown.stderr
    assert "known: archivaris" in unknown.stderr and "Traceback" not in unknown.stderr
    with Register(register_path) as register:
        assert len(list(register.entries())) == 1


def test_fuzzed_files_never_crash_and_never_pass(
    demo_pki_signed: tuple[Path, Any], tmp_path: Path
) -> None:
    """1000 random byte flips of a signed statement: each is rejected, none crashes."""
    path, pki = demo_pki_signed
    verify_options = VerifyOptions(
        trust_roots=tuple(load_certificates(pki.root)),
        allow_fetching=False,
        crls=tuple(load_crls([pki.crl])),
    )
    assert verify_file(path, verify_options).passed  # the unmutated file passes
    original = path.read_bytes()
    rng = random.Random(20261128)
    target = tmp_path / "gemuteerd.pdf"
    outcomes: dict[str, int] = {}
    for _ in range(1000):
        data = bytearray(original)
        for _flip in range(rng.choice((1, 1, 2, 4))):
            position = rng.randrange(len(data))
            data[position] ^= 1 << rng.randrange(8)
        target.write_bytes(bytes(data))
        report = verify_file(target, verify_options)  # must not raise
        assert not report.passed, f"a mutation passed (seed 20261128): {report.to_dict()}"
        outcomes[report.verdict] = outcomes.get(report.verdict, 0) + 1
    assert sum(outcomes.values()) == 1000


def test_a_coordinator_chain_swapped_in_later_metadata_does_not_authorise_a_consent(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    """After the party signed, someone rewrites the XMP so the coordinator's chain names
    the party's own key, then consents with it: the consent is judged by the chain the
    party signed, never by a later one."""
    import hashlib

    from .support.hostile import _xmp_rewritten

    party = signed_by_the_party(tmp_path, unsigned_pdf, example_settings, test_pki, secret)
    coordinator = hashlib.sha256(test_pki.cert_der("coordinator")).hexdigest().encode()
    own = hashlib.sha256(test_pki.cert_der("signer-rsa")).hexdigest().encode()
    swap = _xmp_rewritten(lambda xmp: xmp.replace(coordinator, own))
    swapped = swap(party.read_bytes())
    assert own in swapped
    (tmp_path / "omgewisseld.pdf").write_bytes(swapped)
    with pytest.raises(SigningError, match="changed after the party signed"):
        sign_file(
            example_settings,
            tmp_path / "omgewisseld.pdf",
            tmp_path / "x.pdf",
            choice(test_pki, secret, "coordinator", level=SignatureLevel.B_T),
        )
    forged = consent_by_hand(
        swapped, test_pki, "signer-rsa", tmp_path / "instemming.pdf", role=CONSENT_ROLE
    )
    report = verify_file(forged, options(test_pki))
    assert report.consent_chain is not None and not report.consent_chain.authorised
    assert any("signing certificate" in b for b in report.consent_chain.breaches)
    assert not report.passed and report.document.effective_date is None


def test_the_organ_form_is_signed_in_the_form_of_awb_10_10_and_passes(
    tmp_path: Path,
    renderer: Any,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    """The other party form end to end: the college joins, the burgemeester signs by its
    mandate, the signature names the college (Awb 10:10), the coordinator consents."""
    unsigned = render_for_test_pki(tmp_path, renderer, test_pki, form="-organen")
    party = tmp_path / "partij.pdf"
    as_legal_person = choice(test_pki, secret, level=SignatureLevel.B_T)  # 'namens de gemeente'
    with pytest.raises(SigningError, match="formula"):
        sign_file(example_settings, unsigned, party, as_legal_person)
    sign_file(
        example_settings,
        unsigned,
        party,
        choice(test_pki, secret, level=SignatureLevel.B_T, function=None, on_behalf_of=None),
    )
    accepted = tmp_path / "instemming.pdf"
    sign_file(example_settings, party, accepted, acceptance(test_pki, secret))
    report = verify_file(accepted, options(test_pki))
    assert report.passed, all_problems(report)
    assert report.signatures[0].claimed_role == (
        "burgemeester van Huizen, namens het college van burgemeester en wethouders van Huizen"
    )
    assert report.chain is not None and report.chain.original_mandator == (
        "college van burgemeester en wethouders"
    )
    assert report.document.party == "college van burgemeester en wethouders van Huizen (GM0406)"


def test_a_consent_counts_only_against_the_covenant_as_published(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    """The party draws the statement up, coordinator's chain included: without the covenant
    the verifier trusts, a consent cannot be confirmed; against another one it fails."""
    party = signed_by_the_party(tmp_path, unsigned_pdf, example_settings, test_pki, secret)
    accepted = tmp_path / "instemming.pdf"
    sign_file(example_settings, party, accepted, acceptance(test_pki, secret))
    confirmed = verify_file(accepted, options(test_pki))
    assert confirmed.passed, all_problems(confirmed)
    assert confirmed.consent_chain is not None and confirmed.consent_chain.confirmed_by
    unconfirmed = verify_file(accepted, options(test_pki, covenants=()))
    assert not unconfirmed.passed and unconfirmed.document.effective_date is None
    assert unconfirmed.consent_chain is not None
    assert any("--covenant" in b for b in unconfirmed.consent_chain.breaches)
    # the covenant as published names the demo coordinator, not the key that consented
    from toetreding.inputs import load_model
    from toetreding.model import Covenant
    from toetreding.verify.options import TrustedCovenant

    from .conftest import EXAMPLE

    published = TrustedCovenant("convenant.yaml", load_model(EXAMPLE / "convenant.yaml", Covenant))
    other = verify_file(accepted, options(test_pki, covenants=(published,)))
    assert not other.passed and other.consent_chain is not None
    assert any("does not match the covenant you trust" in b for b in other.consent_chain.breaches)


@pytest.mark.parametrize(
    ("case", "update", "said"),
    [
        (
            "the covenant lets organs join",
            {"party_form": "organen", "organs": ["college"]},
            "the statement has the party join as 'rechtspersoon', the covenant as 'organen'",
        ),
        ("another version of the covenant", {"version": "2.0"}, "the covenant's version is"),
    ],
)
def test_the_party_form_is_the_covenants_as_published(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
    case: str,
    update: dict[str, Any],
    said: str,
) -> None:
    """Who joins (the gemeente itself or its organs) decides whose chain authorises the
    signer, and the party drew the statement up: against a trusted covenant that says
    otherwise, the party's chain is not authorised (found in review: a college mandate was
    reported as authorised under a covenant only the gemeente itself may join)."""
    from toetreding.model import Organ, PartyForm
    from toetreding.verify.options import TrustedCovenant

    party = signed_by_the_party(tmp_path, unsigned_pdf, example_settings, test_pki, secret)
    accepted = tmp_path / "instemming.pdf"
    sign_file(example_settings, party, accepted, acceptance(test_pki, secret))
    values = dict(update)
    if "party_form" in values:
        values["party_form"] = PartyForm(values["party_form"])
        values["organs"] = [Organ(o) for o in values["organs"]]
    trusted = [
        TrustedCovenant(t.source, t.covenant.model_copy(update=values))
        for t in trusted_test_covenants(test_pki)
    ]
    for path in (party, accepted):
        report = verify_file(path, options(test_pki, covenants=tuple(trusted)))
        assert not report.passed, (case, path.name)
        assert report.chain is not None and not report.chain.authorised
        assert any(said in b for b in report.chain.breaches), report.chain.breaches


def test_the_party_cannot_consent_with_its_own_certificate(
    tmp_path: Path,
    renderer: Any,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    """The party binds the coordinator's chain to its own certificate in its covenant copy:
    `sign` refuses the consent (the same holder), and a consent made with another tool
    fails `verify` — both for the same holder and against the covenant as published."""
    import hashlib

    from toetreding.inputs import load_request

    from .conftest import EXAMPLE

    folder = tmp_path / "werkmap"
    shutil.copytree(EXAMPLE, folder)
    authority = folder / "bevoegdheid.yaml"
    text = authority.read_text(encoding="utf-8")
    start = text.index("      certificaat:")
    end = text.index("    besluit:", start)
    authority.write_text(text[:start] + TEST_SIGNER_IDENTITY + text[end:], encoding="utf-8")
    covenant = folder / "convenant.yaml"
    own = hashlib.sha256(test_pki.cert_der("signer-rsa")).hexdigest()
    text = covenant.read_text(encoding="utf-8")
    demo = (
        "onderwerp:\n              serial_number: DEMO-NCTV-COORDINATOR\n"
        "            uitgever:\n              common_name: DEMO — niet voor productie"
    )
    covenant.write_text(text.replace(demo, f"vingerafdruk_sha256: {own}"), encoding="utf-8")
    unsigned = tmp_path / "verklaring.pdf"
    unsigned.write_bytes(renderer.render(load_request(folder / "verzoek.yaml")).pdf)
    party = tmp_path / "partij.pdf"
    sign_file(example_settings, unsigned, party, choice(test_pki, secret, level=SignatureLevel.B_T))
    with pytest.raises(SigningError, match="also made the party's signature"):
        sign_file(
            example_settings,
            party,
            tmp_path / "zelf.pdf",
            choice(test_pki, secret, level=SignatureLevel.B_T, function=None, on_behalf_of=None),
        )
    forged = consent_by_hand(
        party.read_bytes(), test_pki, "signer-rsa", tmp_path / "zelf.pdf", role=CONSENT_ROLE
    )
    report = verify_file(forged, options(test_pki))
    assert not report.passed and report.consent_chain is not None
    breaches = " ".join(report.consent_chain.breaches)
    assert "holder of the party's signature" in breaches
    assert "does not match the covenant you trust" in breaches
    assert report.document.effective_date is None


@pytest.mark.parametrize(
    "attributes",
    [
        # the role in another attribute type, next to a title that refuses
        [("2.5.4.3", [CONSENT_ROLE]), ("2.5.4.12", ["geen instemming (weigering)"])],
        # two titles: a reader could show either
        [("2.5.4.12", [CONSENT_ROLE]), ("2.5.4.12", ["geen instemming (weigering)"])],
        # one title with two values
        [("2.5.4.12", [CONSENT_ROLE, "geen instemming (weigering)"])],
        # the role as commonName only
        [("2.5.4.3", [CONSENT_ROLE])],
    ],
)
def test_a_claimed_role_is_one_title_with_one_value(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
    attributes: list[tuple[str, list[str]]],
) -> None:
    party = signed_by_the_party(tmp_path, unsigned_pdf, example_settings, test_pki, secret)
    forged = consent_by_hand(
        party.read_bytes(),
        test_pki,
        "coordinator",
        tmp_path / "instemming.pdf",
        attributes=attributes,
    )
    report = verify_file(forged, options(test_pki))
    assert report.signatures[1].claimed_role is None
    assert report.consent_chain is not None and not report.consent_chain.authorised
    assert any("does not say on whose behalf" in b for b in report.consent_chain.breaches)
    assert not report.passed


def test_a_consent_dated_before_the_party_signed_sets_no_date(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the policy that accepts a claimed moment, the claimed moment must still follow
    the party's signature (and not lie in the future)."""
    import pyhanko.sign.signers.pdf_signer as pdf_signer

    party = signed_by_the_party(tmp_path, unsigned_pdf, example_settings, test_pki, secret)
    for days, words in ((-3, "lies before the party's signature"), (200, "lies after this")):
        moment = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)

        class Clock(dt.datetime):
            fixed = moment

            @classmethod
            def now(cls, tz: Any = None) -> Clock:  # type: ignore[override]
                return cls.fromtimestamp(cls.fixed.timestamp(), tz)

        monkeypatch.setattr(pdf_signer, "datetime", Clock)
        forged_bytes = encodings.sign_existing_field(
            party.read_bytes(),
            test_pki.pkcs12("coordinator"),
            PASSPHRASE,
            "instemming-coordinator",
            role=CONSENT_ROLE,
        )
        monkeypatch.undo()
        forged = tmp_path / f"instemming{days}.pdf"
        forged.write_bytes(forged_bytes)
        report = verify_file(forged, options(test_pki, acceptance_needs_timestamp=False))
        assert any(words in p for p in report.document.problems), report.document.problems
        assert not report.passed and report.document.effective_date is None


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ("outer length claims the padding", "claims bytes that no field holds"),
        ("digest algorithm parameters retyped", "parameters are not what the algorithm defines"),
    ],
)
def test_unsigned_cms_fields_cannot_be_retyped_or_stretched(
    edit: str, reason: str, demo_pki_signed: tuple[Path, Any], tmp_path: Path
) -> None:
    """Found by the fuzzer: a length byte or the tag of an unused NULL in the CMS object
    lies outside the signed attributes; readers see the same signature, but the bytes of
    the file differ and carry what the edit put there. Both fail, with their reason."""
    path, pki = demo_pki_signed
    data = path.read_bytes()
    found = re.search(rb"/Contents\s*<(3082[0-9A-Fa-f]{4})", data)
    assert found is not None
    start = found.start(1)
    mutated = bytearray(data)
    if edit == "outer length claims the padding":
        length = int(data[start + 4 : start + 8], 16) + 16  # 16 more bytes: padding zeros
        mutated[start + 4 : start + 8] = f"{length:04X}".encode()
    else:
        sha256_null = re.compile(rb"(?i)0609608648016503040201(0500)")
        null = sha256_null.search(data, start)
        assert null is not None
        mutated[null.start(1) + 1] ^= 0x01  # 05 00 (NULL) becomes 04 00 (empty OCTET STRING)
    target = tmp_path / "bewerkt.pdf"
    target.write_bytes(bytes(mutated))
    options = VerifyOptions(
        trust_roots=tuple(load_certificates(pki.root)),
        allow_fetching=False,
        crls=tuple(load_crls([pki.crl])),
    )
    assert verify_file(path, options).passed
    report = verify_file(target, options)
    assert not report.passed
    assert any(reason in p for p in report.signatures[0].problems), report.signatures[0].problems


# --- many files: folders, workers (issue #16) ------------------------------------------


def test_a_folder_is_verified_in_workers_in_order_with_a_summary(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    from toetreding.verify.many import PARALLEL_FROM

    archive = tmp_path / "archief"
    (archive / "2026").mkdir(parents=True)
    names = [f"2026/verklaring-{i:02d}.pdf" for i in range(PARALLEL_FROM)]
    for name in names:
        shutil.copyfile(signed, archive / name)
    tampered = bytearray(signed.read_bytes())
    position = tampered.index(b"Huizen")  # in the signed bytes: the signature breaks
    tampered[position : position + 6] = b"Laren "
    (archive / "gewijzigd.PDF").write_bytes(bytes(tampered))
    (archive / "leesmij.txt").write_text("geen pdf")
    (archive / "link.pdf").symlink_to("/dev/zero")  # a link is not part of the archive

    code, out, err = run(
        "verify", archive, "--trust", test_pki.root_pem, "--json", *covenant_args(test_pki)
    )
    assert code == 4 and "Traceback" not in out + err
    reports = json.loads(out)
    files = [Path(r["file"]).relative_to(archive).as_posix() for r in reports]
    assert files == sorted([*names, "gewijzigd.PDF"])  # every PDF below, sorted, no link
    verdicts = {Path(r["file"]).name: r["verdict"] for r in reports}
    assert verdicts.pop("gewijzigd.PDF") != "PASSED"
    assert set(verdicts.values()) == {"PASSED"}

    code, out, _ = run("verify", archive, "--trust", test_pki.root_pem, *covenant_args(test_pki))
    assert code == 4
    assert f"{PARALLEL_FROM + 1} files verified: {PARALLEL_FROM} passed, 1 not" in out


def test_workers_give_the_same_reports_as_one_process(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    from toetreding.verify.many import verify_files

    paths = []
    for index in range(3):
        paths.append(tmp_path / f"v{index}.pdf")
        shutil.copyfile(signed, paths[-1])
    moment = dt.datetime.now(dt.UTC)
    opts = options(test_pki, at=moment)
    from toetreding.verify import many

    alone = [r.to_dict() for r in verify_files(paths, opts, jobs=1)]
    saved = many.PARALLEL_FROM
    many.PARALLEL_FROM = 2  # force the pool for three files
    try:
        pooled = [r.to_dict() for r in verify_files(paths, opts, jobs=2)]
    finally:
        many.PARALLEL_FROM = saved
    for report in (*alone, *pooled):
        report.pop("validated_at")
    assert pooled == alone


def test_a_folder_without_pdfs_is_an_error_not_a_pass(tmp_path: Path, test_pki: RunningPki) -> None:
    (tmp_path / "leeg").mkdir()
    (tmp_path / "leeg" / "notities.txt").write_text("x")
    code, out, err = run("verify", tmp_path / "leeg", "--trust", test_pki.root_pem)
    assert code == 1 and "holds no PDF files" in out + err and "Traceback" not in out + err


def test_an_unreadable_subfolder_stops_the_run_instead_of_passing_without_it(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to read a folder without root's override")
    archive = tmp_path / "archief"
    (archive / "dicht").mkdir(parents=True)
    shutil.copyfile(signed, archive / "open.pdf")
    shutil.copyfile(signed, archive / "dicht" / "verborgen.pdf")
    (archive / "dicht").chmod(0)
    try:
        done = subprocess.run(
            [
                setpriv, "--bounding-set=-dac_override,-dac_read_search", "--",
                sys.executable, "-m", "toetreding", "verify", str(archive),
                "--trust", str(test_pki.root_pem),
            ],
            capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
        )  # fmt: skip
    finally:
        (archive / "dicht").chmod(0o755)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cannot be read" in done.stdout + done.stderr and "dicht" in done.stdout + done.stderr
    assert "passed" not in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_a_file_named_twice_is_verified_once_and_a_folder_gives_a_json_list(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    (tmp_path / "map").mkdir()
    only = tmp_path / "map" / "enige.pdf"
    shutil.copyfile(signed, only)
    relative = Path(os.path.relpath(only))
    covenants = covenant_args(test_pki)
    code, out, _ = run(
        "verify",
        only,
        relative,
        tmp_path / "map",
        "--trust",
        test_pki.root_pem,
        "--json",
        *covenants,
    )
    assert code == 0 and len(json.loads(out)) == 1  # one file, three names for it
    code, out, _ = run(
        "verify", tmp_path / "map", "--trust", test_pki.root_pem, "--json", *covenants
    )
    assert code == 0 and isinstance(json.loads(out), list)  # a folder: always a list


def test_a_file_name_cannot_forge_a_result_line(tmp_path: Path, test_pki: RunningPki) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "x.pdf\n3 files verified: 3 passed, 0 not\n#.pdf").write_bytes(b"not a pdf")
    code, out, err = run("verify", folder, "--trust", test_pki.root_pem)
    assert code == 1 and "Traceback" not in out + err
    assert "\n3 files verified" not in out and "\\n3 files verified" in out


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    queue = [pid]
    while queue:
        parent = queue.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            if child not in found:
                found.add(child)
                queue.append(child)
    return found


def _verify_in_background(folder: Path, root: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "toetreding", "verify", str(folder), "--trust", str(root), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _busy_workers(leader: int, deadline: float) -> list[int]:
    """The leader's worker processes, once they are running (or [] at the deadline)."""
    import time

    while time.monotonic() < deadline:
        # leader → fork server, resource tracker → workers (forked by the server)
        nested = [p for p in _descendants(leader) if _descendants(p) == set()]
        workers = [p for p in nested if p not in set(map(int, _children(leader)))]
        if workers:
            return workers
        time.sleep(0.05)
    return []


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _copies(signed: Path, tmp_path: Path, count: int) -> Path:
    archive = tmp_path / "archief"
    archive.mkdir()
    for index in range(count):
        shutil.copyfile(signed, archive / f"v{index:02d}.pdf")
    return archive


def _workers_or_skip(process: subprocess.Popen[str]) -> list[int]:
    import time

    workers = _busy_workers(process.pid, time.monotonic() + 60)
    if not workers:
        process.kill()
        pytest.skip("no worker process appeared within a minute (machine too slow?)")
    return workers


def test_a_killed_worker_costs_no_report(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    import time

    archive = _copies(signed, tmp_path, 40)
    process = _verify_in_background(archive, test_pki.root_pem, "--json", *covenant_args(test_pki))
    workers = _workers_or_skip(process)
    time.sleep(1.0)  # let some files finish first
    os.kill(workers[0], signal.SIGKILL)  # as the OOM killer would
    out, err = process.communicate(timeout=300)
    assert "Traceback" not in out + err
    reports = json.loads(out)
    # the files the stopped pool had not finished are verified again in a new one: every
    # file has its real report, none is lost for another file's worker
    assert [r["verdict"] for r in reports] == ["PASSED"] * 40
    assert process.returncode == 0


def test_sigterm_stops_a_parallel_verify_with_143_and_leaves_no_workers(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    import time

    process = _verify_in_background(_copies(signed, tmp_path, 60), test_pki.root_pem)
    _workers_or_skip(process)
    family = _descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, out + err
    assert "Traceback" not in out + err
    deadline = time.monotonic() + 15  # workers end with their leader (a 5 s grace at most)
    while time.monotonic() < deadline and [p for p in family if _running(p)]:
        time.sleep(0.2)
    assert not [p for p in family if _running(p)]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_ctrl_c_while_the_workers_start_prints_no_traceback(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    # Ctrl-C reaches the whole process group: the fork server and starting workers too
    import time

    archive = _copies(signed, tmp_path, 30)
    for delay in (0.3, 0.7, 1.1, 1.5, 2.0):
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "toetreding", "verify", str(archive)),
                *("--trust", str(test_pki.root_pem)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, as a terminal's job
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 130, (delay, out + err)
        assert "Traceback" not in out + err, (delay, err)


def test_options_reach_a_fresh_worker_process_whole(test_pki: RunningPki) -> None:
    """Workers get the options pickled; a fresh process that never built an asn1crypto key
    structure the usual way must still be able to use the trust roots and CRLs."""
    import pickle
    import subprocess
    import sys

    sent = pickle.dumps(options(test_pki, crls=()))
    probe = (
        "import pickle, sys; o = pickle.loads(sys.stdin.buffer.read()); "
        "print(sum(len(r.public_key.dump()) + len(r.subject.hashable) for r in o.trust_roots))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], input=sent, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    assert int(done.stdout) > 100


def _drop_vri(writer: Any) -> None:
    from pyhanko.pdf_utils import generic

    raw = writer.root.raw_get("/DSS")
    store = raw.get_object()
    del store["/VRI"]
    if isinstance(raw, generic.IndirectObject):
        writer.update_container(store)
    else:
        writer.update_root()


def _drop_dss(writer: Any) -> None:
    del writer.root["/DSS"]
    writer.update_root()


@pytest.mark.parametrize("change", [_drop_vri, _drop_dss], ids=["VRI removed", "DSS removed"])
def test_validation_data_removed_after_the_last_timestamp_fails(
    demo_workspace: Path, change: Any
) -> None:
    """Found in review: with pyHanko's second opinion asked only from the earliest
    signature (which has no DSS yet), removing the DSS after the last archive timestamp
    looked like an addition and the statement PASSED, because the positive list let any
    DSS change through. Now the list refuses it itself, and pyHanko is asked per signature."""
    from toetreding.config import load_settings
    from toetreding.verify import options_from_settings, verify_file

    from .support import hostile

    renewed = (demo_workspace / "verklaring-verlengd.pdf").read_bytes()
    settings = load_settings(demo_workspace / "toetreding.yaml")
    opts = options_from_settings(settings, offline=True)
    assert verify_file(demo_workspace / "verklaring-verlengd.pdf", opts).passed
    target = demo_workspace.parent / f"dss-{change.__name__}.pdf"
    target.write_bytes(hostile._update(renewed, change))
    report = verify_file(target, opts)
    assert not report.passed
    last = max((s for s in report.signatures if s.revision is not None), key=lambda s: s.revision)
    assert last.indication is not Indication.PASSED, last
    # named by the positive list itself now (the DSS may grow, not shrink); pyHanko's
    # second opinion, asked per signature, says the same
    assert any("changed after signing" in p for p in last.problems), last.problems
