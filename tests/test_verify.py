"""`verify`: the good pass, and every hostile family is rejected (exit 4 or 1, no traceback).

Real parts only: signatures from the test PKI with OCSP/CRL/TSA over HTTP on 127.0.0.1,
and poppler's pdfsig as a second opinion on integrity.
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toetreding.cli import app
from toetreding.config import Settings
from toetreding.demo_pki import DEMO_PASSPHRASE, create_demo_pki
from toetreding.render import RenderedStatement
from toetreding.sign import SignerChoice, sign_file
from toetreding.sign.credentials import load_certificates
from toetreding.signing_config import SignatureLevel
from toetreding.verify import Indication, VerifyOptions, verify_file

from .conftest import needs_poppler
from .support import hostile
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


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("verify-secret") / "pw"
    path.write_text(PASSPHRASE)
    return path


@pytest.fixture(scope="module")
def signed(
    tmp_path_factory: pytest.TempPathFactory,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> Path:
    """Party signature (B-T) and acceptance (B-T), both by test-PKI signers."""
    folder = tmp_path_factory.mktemp("verify")
    first, second = folder / "partij.pdf", folder / "aanvaard.pdf"
    sign_file(
        example_settings, unsigned_pdf, first, choice(test_pki, secret, level=SignatureLevel.B_T)
    )
    sign_file(
        example_settings,
        first,
        second,
        choice(
            test_pki,
            secret,
            "coordinator",
            level=SignatureLevel.B_T,
            function="Nationaal Coördinator",
            on_behalf_of="de Minister van Justitie en Veiligheid",
        ),
    )
    return second


def options(pki: RunningPki, **extra: object) -> VerifyOptions:
    return VerifyOptions(trust_roots=tuple(load_certificates(pki.root_pem)), **extra)  # type: ignore[arg-type]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_a_good_statement_passes_with_everything_named(signed: Path, test_pki: RunningPki) -> None:
    report = verify_file(signed, options(test_pki))
    assert report.passed, report.to_dict()
    party, acceptance = report.signatures
    assert party.indication is Indication.PASSED and party.level == "B-T"
    assert party.signer is not None and party.signer.common_name == "Test Burgemeester RSA"
    assert party.claimed_role == "burgemeester van Huizen, namens de gemeente Huizen"
    assert party.commitment_type == "proof_of_approval" and party.revocation == "good"
    assert party.signing_time_source == "timestamp" and party.modifications_after == "form-filling"
    assert acceptance.coverage == "entire-file"
    assert report.document.pdfa == "PDF/A-2a" and report.document.pdfua == "PDF/UA-1"
    assert report.document.effective_date == acceptance.signing_time[:10]  # type: ignore[index]
    assert report.chain is not None and report.chain.authorised
    code, out, err = run("verify", signed, "--trust", test_pki.root_pem, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema"] == "toetreding-verify/1" and data["verdict"] == "PASSED"
    code, out, _ = run("verify", signed, "--trust", test_pki.root_pem)
    assert code == 0 and "PASSED" in out and "in effect since" in out


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


@pytest.mark.parametrize("family", sorted(hostile.INCREMENTAL_ATTACKS))
def test_changes_after_signing_are_rejected(
    family: str, signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    forged = tmp_path / "vervalst.pdf"
    forged.write_bytes(hostile.INCREMENTAL_ATTACKS[family](signed.read_bytes()))
    report = verify_file(forged, options(test_pki))
    assert not report.passed, family
    code, out, err = run("verify", forged, "--trust", test_pki.root_pem)
    assert code == 4 and "Traceback" not in out + err
    assert "FAILED" in out


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
    sign_file(
        example_settings,
        first,
        second,
        SignerChoice(
            pkcs12=stranger.coordinator.pkcs12, secret_file=pw, function="x", on_behalf_of="y"
        ),
    )
    report = verify_file(second, options(test_pki))
    assert not report.passed
    assert report.signatures[0].indication is Indication.PASSED
    assert report.signatures[1].indication is Indication.INDETERMINATE


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
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    # toetreding refuses an expired certificate, so sign with pyHanko directly, as an attacker would
    signer = signers.SimpleSigner.load_pkcs12(
        str(test_pki.pkcs12("expired")), passphrase=PASSPHRASE.encode()
    )
    assert signer is not None
    meta = signers.PdfSignatureMetadata(
        field_name="ondertekening-partij", subfilter=SigSeedSubFilter.PADES
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(unsigned_pdf.read_bytes())),
        output=out,
        existing_fields_only=True,
    )
    path = tmp_path / "verlopen.pdf"
    path.write_bytes(out.getvalue())
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


def test_pdfsig_agrees_on_integrity(signed: Path, tmp_path: Path, test_pki: RunningPki) -> None:
    corpus = {"good": signed.read_bytes()}
    for name, attack in {**hostile.INCREMENTAL_ATTACKS, **hostile.STRUCTURE_ATTACKS}.items():
        corpus[name] = attack(signed.read_bytes())
    compared = 0
    for name, data in corpus.items():
        path = tmp_path / f"{re.sub(r'[^a-z]+', '-', name)}.pdf"
        path.write_bytes(data)
        report = verify_file(path, options(test_pki))
        if not report.readable:
            assert not report.passed  # we refuse to read it at all: stricter than pdfsig
            continue
        compared += 1
        ours = {
            s.field_name: s.intact
            for s in verify_file(path, options(test_pki)).signatures
            if s.kind == "signature"
        }
        theirs = {
            s.field: s.valid for s in pdfsig(path) if s.signed and s.kind == "ETSI.CAdES.detached"
        }
        assert ours == theirs, (name, ours, theirs)
    assert compared >= len(corpus) - 1


def test_record_writes_an_archiefregeling_entry(
    signed: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    from toetreding.register import Register

    register_path = tmp_path / "register.sqlite"
    result = CliRunner().invoke(
        app,
        [
            "verify",
            str(signed),
            "--trust",
            str(test_pki.root_pem),
            "--record",
            "--by",
            "mr. A. Archivaris",
        ],
        env={"TOETREDING_REGISTER": str(register_path)},
    )
    assert result.exit_code == 0, result.stderr
    with Register(register_path) as register:
        (entry,) = register.entries()
    assert entry.kind == "validatie" and entry.payload["verantwoordelijke"] == "mr. A. Archivaris"
    assert entry.payload["resultaat"] == "PASSED"
    holders = [s["houder"] for s in entry.payload["handtekeningen"]]
    assert holders == ["Test Burgemeester RSA", "Test Coordinator"]
    assert entry.payload["handtekeningen"][0]["certificaat"]["serienummer"]


@pytest.fixture(scope="module")
def offline_signed(
    tmp_path_factory: pytest.TempPathFactory,
    huizen_pdf: RenderedStatement,
    example_settings: Settings,
) -> tuple[Path, Path]:
    """A statement signed by the demo PKI (no network needed to verify it)."""
    folder = tmp_path_factory.mktemp("fuzz")
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
            function="burgemeester van Huizen",
            on_behalf_of="de gemeente Huizen",
        ),
    )
    return output, pki.root


def test_fuzzed_files_never_crash_and_never_pass(
    offline_signed: tuple[Path, Path], tmp_path: Path
) -> None:
    """1000 random byte flips of a signed statement: each is rejected, none crashes."""
    path, root = offline_signed
    verify_options = VerifyOptions(trust_roots=tuple(load_certificates(root)), allow_fetching=False)
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
