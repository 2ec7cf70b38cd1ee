"""`sign` and `extend` against a real PKI: TSA, OCSP and CRLs over HTTP on 127.0.0.1.

Every signed file is read back by poppler (pdfsig, pdfinfo, pdffonts) as an independent
reader: the signature must be a valid ETSI.CAdES.detached one, and the PDF/A
identification, output intent, structure tree and embedded fonts must survive signing.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toetreding.cli import app
from toetreding.config import Settings
from toetreding.errors import CredentialError, InputFileError, SigningError
from toetreding.pki.files import load_certificates
from toetreding.sign import SignerChoice, extend_statement, sign_file
from toetreding.sign.extend import has_signature_timestamp
from toetreding.signing_config import SignatureLevel

from .conftest import needs_poppler
from .support import hostile
from .support.pki import PASSPHRASE, RunningPki
from .support.readers import field_darkness, fonts, info, metadata_xml, pdfsig

pytestmark = needs_poppler


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "wachtwoord.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


def choice(
    pki: RunningPki,
    label: str,
    secret: Path,
    level: SignatureLevel = SignatureLevel.B_B,
    **extra: object,
) -> SignerChoice:
    values: dict[str, object] = {
        "pkcs12": pki.pkcs12(label),
        "secret_file": secret,
        "level": level,
        "tsa_url": pki.tsa_url,
        "trust_roots": (pki.root_pem,),
        "function": "burgemeester van Huizen",
        "on_behalf_of": "de gemeente Huizen",
        "location": "Huizen",
    }
    values.update(extra)
    return SignerChoice(**values)  # type: ignore[arg-type]


def assert_still_archival(original: Path, signed: Path) -> None:
    """PDF/A identification, output intent, tags and embedded fonts survive signing."""
    xmp = metadata_xml(signed)
    assert re.search(r"pdfaid:part[>=\"']+2", xmp), xmp[:400]
    assert re.search(r"pdfaid:conformance[>=\"']+A", xmp), xmp[:400]
    assert "pdfuaid:part" in xmp
    meta = info(signed)
    assert meta["Tagged"] == "yes"
    raw = signed.read_bytes()
    assert b"/OutputIntents" in raw and b"/StructTreeRoot" in raw
    assert all(embedded for _, embedded in fonts(signed)), fonts(signed)
    # PDF/A: Info /Producer must equal XMP pdf:Producer
    producer = re.search(r"pdf:Producer(?:>([^<]*)<|=\"([^\"]*)\")", xmp)
    assert producer is not None
    assert (producer.group(1) or producer.group(2)) == meta["Producer"]
    # the signed revision starts with the original bytes, untouched
    assert raw.startswith(original.read_bytes())


@pytest.mark.parametrize("level", list(SignatureLevel))
def test_each_level_signs_a_valid_pades_signature(
    level: SignatureLevel,
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    output = tmp_path / f"signed-{level.value}.pdf"
    outcome = sign_file(
        example_settings, unsigned_pdf, output, choice(test_pki, "signer-rsa", secret_file, level)
    )
    assert outcome.signed.level is level and outcome.signed.slot.value == "ondertekening-partij"
    signatures = pdfsig(output)
    party = next(s for s in signatures if s.field == "ondertekening-partij")
    assert party.signed and party.valid and party.kind == "ETSI.CAdES.detached"
    assert party.signer == "Test Burgemeester RSA"
    raw = output.read_bytes()
    stamps = [s for s in signatures if (s.field or "").startswith("tijdstempel-")]
    if level is SignatureLevel.B_B:
        assert party.whole_document
        assert b"/DSS" not in raw and not stamps
    if level is SignatureLevel.B_T:
        assert party.whole_document and b"/DSS" not in raw
    if level in (SignatureLevel.B_LT, SignatureLevel.B_LTA):
        assert b"/DSS" in raw and (b"/OCSPs" in raw or b"/CRLs" in raw)
    if level is SignatureLevel.B_LTA:
        assert [s.field for s in stamps] == ["tijdstempel-1"]
        assert document_timestamps_valid(output, test_pki) == 1
    assert_still_archival(unsigned_pdf, output)
    _assert_signature_attributes(output, timestamped=level is not SignatureLevel.B_B)


def document_timestamps_valid(path: Path, pki: RunningPki) -> int:
    """Count the document timestamps, asserting each is intact and trusted.

    poppler does not verify RFC 3161 document timestamps (it reports their type as
    unknown), so pyHanko's validator checks them here; EU DSS judges them in the
    conformance tests.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    stamps = reader.embedded_timestamp_signatures
    for stamp in stamps:
        assert str(stamp.field_name).startswith("tijdstempel-")
        context = ValidationContext(
            trust_roots=load_certificates(pki.root_pem), allow_fetching=True
        )
        status = validate_pdf_timestamp(stamp, validation_context=context)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    return len(stamps)


def _assert_signature_attributes(path: Path, *, timestamped: bool) -> None:
    """PAdES sub-filter, approval (not certification), proof of approval, claimed role."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    signature = reader.embedded_regular_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "/Perms" not in reader.root or "/DocMDP" not in reader.root["/Perms"]
    assert signature.sig_object.get("/Reference") is None  # no DocMDP transform: approval
    signed_attrs = signature.signer_info["signed_attrs"]
    types = {attr["type"].native for attr in signed_attrs}
    assert "commitment_type" in types and "signer_attributes_v2" in types
    assert "signing_certificate_v2" in types  # required for PAdES/CAdES baseline
    commitment = next(a for a in signed_attrs if a["type"].native == "commitment_type")
    assert commitment["values"][0]["commitment_type_id"].native == "proof_of_approval"
    role = next(a for a in signed_attrs if a["type"].native == "signer_attributes_v2")
    claimed = role["values"][0]["claimed_attributes"][0]
    assert claimed["values"][0].native == "burgemeester van Huizen, namens de gemeente Huizen"
    assert has_signature_timestamp(signature) is timestamped
    assert signature.sig_object["/Location"] == "Huizen"
    # PAdES baseline: no /Reason next to a commitment type (EU DSS rejects the combination)
    assert "/Reason" not in signature.sig_object


def test_ecdsa_key_signs_at_b_t(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    output = tmp_path / "ec.pdf"
    sign_file(
        example_settings,
        unsigned_pdf,
        output,
        choice(test_pki, "signer-ec", secret_file, SignatureLevel.B_T),
    )
    party = pdfsig(output)[0]
    assert party.valid and party.signer == "Test Burgemeester EC"


@pytest.mark.parametrize("label", ["signer-rsa", "signer-ec"])
def test_signing_keeps_the_file_pdf_1_7_for_pdfa(
    label: str,
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    """PDF/A-2 is based on PDF 1.7: an EC key must not turn the file into PDF 2.0."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    output = tmp_path / f"{label}.pdf"
    sign_file(
        example_settings,
        unsigned_pdf,
        output,
        choice(test_pki, label, secret_file, SignatureLevel.B_LTA),
    )
    data = output.read_bytes()
    assert data.startswith(b"%PDF-1.7")
    root = PdfFileReader(io.BytesIO(data)).root
    assert str(root.get("/Version", "/1.7")) == "/1.7"
    extensions = root.get("/Extensions", {})
    assert set(extensions) <= {"/ESIC"}, dict(extensions)  # ETSI's PAdES extension only
    assert int(extensions["/ESIC"]["/ExtensionLevel"]) == 1
    assert str(extensions["/ESIC"]["/BaseVersion"]) == "/1.7"
    assert info(output)["PDF version"] == "1.7"  # poppler reads the catalog version too


@pytest.mark.parametrize(
    ("language", "name"), [("nl", "Documenttijdstempel"), ("en", "Document timestamp")]
)
def test_document_timestamps_are_zero_size_and_named_in_the_documents_language(
    language: str,
    name: str,
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    source = unsigned_pdf
    if language == "en":  # the same statement, its /Lang set to English
        source = tmp_path / "en.pdf"

        def english(writer: Any) -> None:
            writer.root["/Lang"] = generic.TextStringObject("en-GB")
            writer.update_root()

        source.write_bytes(hostile._update(unsigned_pdf.read_bytes(), english))
    output = tmp_path / "lta.pdf"
    sign_file(
        example_settings,
        source,
        output,
        choice(test_pki, "signer-rsa", secret_file, SignatureLevel.B_LTA),
    )
    reader = PdfFileReader(io.BytesIO(output.read_bytes()))
    (stamp,) = reader.embedded_timestamp_signatures
    field = stamp.sig_field
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    assert (x2 - x1) * (y2 - y1) == 0, "a document timestamp shows nothing"
    assert not int(field["/F"]) & 2, "PDF/A forbids the Hidden flag: zero size instead"
    assert str(field["/TU"]).startswith(name)


def test_visible_and_invisible_appearance(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    visible, invisible = tmp_path / "zichtbaar.pdf", tmp_path / "onzichtbaar.pdf"
    sign_file(example_settings, unsigned_pdf, visible, choice(test_pki, "signer-rsa", secret_file))
    sign_file(
        example_settings,
        unsigned_pdf,
        invisible,
        choice(test_pki, "signer-rsa", secret_file, invisible=True),
    )
    assert pdfsig(invisible)[0].valid
    blank = field_darkness(unsigned_pdf)
    assert field_darkness(invisible) == pytest.approx(blank, abs=0.01)
    assert field_darkness(visible) > blank + 0.05  # the drawn appearance adds ink
    # the appearance's fonts are embedded subsets made by Typst
    names = [name for name, _ in fonts(visible)]
    assert len(names) > len(fonts(unsigned_pdf))


def test_acceptance_is_a_second_signature_and_keeps_the_first_valid(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    first, second = tmp_path / "partij.pdf", tmp_path / "aanvaard.pdf"
    sign_file(
        example_settings,
        unsigned_pdf,
        first,
        choice(test_pki, "signer-rsa", secret_file, SignatureLevel.B_T),
    )
    outcome = sign_file(
        example_settings,
        first,
        second,
        choice(
            test_pki,
            "coordinator",
            secret_file,
            SignatureLevel.B_T,
            function="Nationaal Coördinator Terrorismebestrijding en Veiligheid",
            on_behalf_of="de Minister van Justitie en Veiligheid",
        ),
    )
    assert outcome.signed.slot.value == "instemming-coordinator"
    party, coordinator = pdfsig(second)
    assert party.valid and not party.whole_document
    assert coordinator.valid and coordinator.whole_document
    assert coordinator.signer == "Test Coordinator"
    # the effective date is the acceptance's signing moment, readable from the signature
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(second.read_bytes()))
    acceptance = reader.embedded_regular_signatures[1]
    assert acceptance.field_name == "instemming-coordinator"
    party_signature = reader.embedded_regular_signatures[0]
    assert acceptance.self_reported_timestamp is not None
    assert party_signature.self_reported_timestamp is not None
    assert acceptance.self_reported_timestamp >= party_signature.self_reported_timestamp
    assert_still_archival(first, second)


def test_extend_b_b_to_b_lta_and_renew(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    signed, extended, renewed = tmp_path / "bb.pdf", tmp_path / "lta.pdf", tmp_path / "lta2.pdf"
    sign_file(example_settings, unsigned_pdf, signed, choice(test_pki, "signer-rsa", secret_file))
    roots = load_certificates(test_pki.root_pem)
    outcome = extend_statement(
        signed, extended, SignatureLevel.B_LTA, tsa_url=test_pki.tsa_url, trust_roots=roots
    )
    assert len(outcome.steps) == 3
    reports = pdfsig(extended)
    assert all(r.valid for r in reports if r.signed and r.kind == "ETSI.CAdES.detached")
    assert document_timestamps_valid(extended, test_pki) == 2
    assert extended.read_bytes().startswith(signed.read_bytes())
    # archive renewal: a new document timestamp over the previous chain
    extend_statement(
        extended, renewed, SignatureLevel.B_LTA, tsa_url=test_pki.tsa_url, trust_roots=roots
    )
    assert document_timestamps_valid(renewed, test_pki) == 3
    assert pdfsig(renewed)[0].valid
    assert_still_archival(unsigned_pdf, renewed)


# --- refusals: a clear message, exit code 1, and nothing written ----------------------


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("expired", "expired on"),
        ("future", "not valid yet"),
        ("nosign", "not meant for signing"),
        ("revoked", "revoked"),
    ],
)
def test_unusable_certificates_are_refused(
    label: str,
    message: str,
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    output = tmp_path / "out.pdf"
    with pytest.raises((CredentialError, SigningError), match=message):
        sign_file(example_settings, unsigned_pdf, output, choice(test_pki, label, secret_file))
    assert list(tmp_path.iterdir()) == []


def test_revoked_signer_refused_at_b_lt(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    with pytest.raises(SigningError, match="revoked"):
        sign_file(
            example_settings,
            unsigned_pdf,
            tmp_path / "out.pdf",
            choice(test_pki, "revoked", secret_file, SignatureLevel.B_LT),
        )
    assert list(tmp_path.iterdir()) == []


def test_untrusted_signer_refused_at_b_lt(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    other_root = tmp_path / "ander.pem"
    other_root.write_bytes(test_pki.pem("tsa").read_bytes())  # not a CA of the signer
    with pytest.raises(SigningError, match="could not be validated"):
        sign_file(
            example_settings,
            unsigned_pdf,
            tmp_path / "out.pdf",
            choice(
                test_pki, "signer-rsa", secret_file, SignatureLevel.B_LT, trust_roots=(other_root,)
            ),
        )
    assert not (tmp_path / "out.pdf").exists()


def test_unreachable_tsa_is_refused_and_nothing_written(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    import socket

    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/tsa"
    with pytest.raises(SigningError, match="timestamp authority"):
        sign_file(
            example_settings,
            unsigned_pdf,
            tmp_path / "out.pdf",
            choice(test_pki, "signer-rsa", secret_file, SignatureLevel.B_T, tsa_url=dead),
        )
    assert list(tmp_path.iterdir()) == []


def test_wrong_passphrase_is_refused_without_showing_it(
    tmp_path: Path, test_pki: RunningPki, unsigned_pdf: Path, example_settings: Settings
) -> None:
    wrong = tmp_path / "fout.txt"
    wrong.write_text("Geheim-123-fout\n")
    with pytest.raises(CredentialError, match=r"passphrase .* is wrong") as caught:
        sign_file(
            example_settings,
            unsigned_pdf,
            tmp_path / "out.pdf",
            choice(test_pki, "signer-rsa", wrong),
        )
    assert "Geheim-123-fout" not in str(caught.value)
    assert not (tmp_path / "out.pdf").exists()


def test_not_a_pdf_and_not_a_statement_are_refused(
    tmp_path: Path, test_pki: RunningPki, example_settings: Settings, secret_file: Path
) -> None:
    text = tmp_path / "brief.pdf"
    text.write_text("Dit is geen PDF.\n")
    with pytest.raises(InputFileError, match="not a PDF"):
        sign_file(
            example_settings,
            text,
            tmp_path / "uit.pdf",
            choice(test_pki, "signer-rsa", secret_file),
        )
    import typst

    plain = tmp_path / "ander.pdf"
    plain.write_bytes(typst.compile(b"#set page(width: 10cm, height: 5cm)\nHallo"))
    with pytest.raises(SigningError, match="not a toetreding statement"):
        sign_file(
            example_settings,
            plain,
            tmp_path / "uit.pdf",
            choice(test_pki, "signer-rsa", secret_file),
        )
    assert not (tmp_path / "uit.pdf").exists()


def test_field_rules(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    # the acceptance cannot come before the party's signature
    with pytest.raises(SigningError, match="party has not signed"):
        sign_file(
            example_settings,
            unsigned_pdf,
            tmp_path / "x.pdf",
            choice(test_pki, "signer-rsa", secret_file),
            "instemming-coordinator",
        )
    signed = tmp_path / "getekend.pdf"
    sign_file(example_settings, unsigned_pdf, signed, choice(test_pki, "signer-rsa", secret_file))
    with pytest.raises(SigningError, match="already signed"):
        sign_file(
            example_settings,
            signed,
            tmp_path / "y.pdf",
            choice(test_pki, "signer-rsa", secret_file),
            "ondertekening-partij",
        )
    # an acceptance without a timestamp is refused before any key is opened (here the key
    # file does not even exist: the refusal comes first, so no PIN is ever asked for)
    with pytest.raises(SigningError, match="must be proven by a timestamp"):
        sign_file(
            example_settings,
            signed,
            tmp_path / "b-b.pdf",
            choice(test_pki, "coordinator", secret_file, pkcs12=tmp_path / "bestaat-niet.p12"),
        )
    with pytest.raises(SigningError, match="not a statement signature field"):
        sign_file(
            example_settings,
            signed,
            tmp_path / "z.pdf",
            choice(test_pki, "signer-rsa", secret_file),
            "Signature1",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["getekend.pdf"]


# --- the command line ------------------------------------------------------------------


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[int, str, str]:
    import os

    previous = Path.cwd()
    if cwd:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    finally:
        os.chdir(previous)
    return result.exit_code, result.stdout, result.stderr


def test_cli_sign_and_extend(tmp_path: Path, test_pki: RunningPki, unsigned_pdf: Path) -> None:
    env = {"TOETREDING_PASSPHRASE": PASSPHRASE}
    signed = tmp_path / "ondertekend.pdf"
    code, out, err = run_cli(
        "sign",
        unsigned_pdf,
        "-o",
        signed,
        "--pkcs12",
        test_pki.pkcs12("signer-rsa"),
        "--level",
        "B-T",
        "--tsa",
        test_pki.tsa_url,
        "--trust",
        test_pki.root_pem,
        "--function",
        "burgemeester van Huizen",
        "--on-behalf-of",
        "de gemeente Huizen",
        env=env,
    )
    assert code == 0, err
    assert "PAdES B-T" in out and "ondertekening-partij" in out
    assert PASSPHRASE not in out + err
    code, out, err = run_cli(
        "extend",
        signed,
        "-o",
        tmp_path / "lta.pdf",
        "--level",
        "B-LTA",
        "--tsa",
        test_pki.tsa_url,
        "--trust",
        test_pki.root_pem,
    )
    assert code == 0, err
    assert pdfsig(tmp_path / "lta.pdf")[0].valid
    assert document_timestamps_valid(tmp_path / "lta.pdf", test_pki) == 1


def test_cli_refusals_exit_1_without_traceback(
    tmp_path: Path, test_pki: RunningPki, unsigned_pdf: Path
) -> None:
    env = {"TOETREDING_PASSPHRASE": "fout"}
    code, _, err = run_cli(
        "sign",
        unsigned_pdf,
        "-o",
        tmp_path / "x.pdf",
        "--pkcs12",
        test_pki.pkcs12("signer-rsa"),
        "--function",
        "f",
        "--on-behalf-of",
        "o",
        env=env,
    )
    assert code == 1 and "passphrase" in err and "Traceback" not in err
    code, _, err = run_cli(
        "sign", unsigned_pdf, "-o", unsigned_pdf, "--pkcs12", test_pki.pkcs12("signer-rsa")
    )
    assert code == 1 and "never overwritten" in err
    code, _, err = run_cli(
        "sign",
        unsigned_pdf,
        "-o",
        tmp_path / "x.pdf",
        "--pkcs12",
        test_pki.pkcs12("signer-rsa"),
        "--level",
        "B-T",
        env={"TOETREDING_PASSPHRASE": PASSPHRASE, "TOETREDING_TSA": ""},
        cwd=tmp_path,
    )
    assert code == 1 and "timestamp authority" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    # without a terminal and without a secret, it says how to give one
    code, _, err = run_cli(
        "sign",
        unsigned_pdf,
        "-o",
        tmp_path / "x.pdf",
        "--pkcs12",
        test_pki.pkcs12("signer-rsa"),
        env={"TOETREDING_PASSPHRASE": ""},
    )
    assert code == 1 and "TOETREDING_PASSPHRASE" in err


def test_cli_has_no_option_that_takes_a_secret() -> None:
    code, out, _ = run_cli("sign", "--help")
    assert code == 0
    options = set(re.findall(r"--[a-z0-9-]+", out))
    assert not {o for o in options if re.search(r"pin$|passphrase|password|wachtwoord", o)}


AMBIGUOUS_INPUTS = {
    "a page naming /Contents twice": hostile.page_key_named_twice,
    "a page naming /Contents twice, once escaped": hostile.page_key_named_twice_escaped,
    "an object listed twice in one cross-reference section": hostile.xref_lists_an_object_twice,
}


@pytest.mark.parametrize("case", sorted(AMBIGUOUS_INPUTS))
def test_a_statement_readers_read_differently_is_not_signed(
    case: str,
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    secret_file: Path,
) -> None:
    """The signer approves what the viewer shows; pyHanko signs what it read: found in
    review, a page naming /Contents twice showed the clean text in poppler and was signed
    with a forged line (which then passed verify, the ambiguity now being signed)."""
    prepared = tmp_path / "ontvangen.pdf"
    prepared.write_bytes(AMBIGUOUS_INPUTS[case](unsigned_pdf.read_bytes()))
    wrong = tmp_path / "nooit-gelezen.txt"  # the key is never opened: no PIN for a bad file
    wrong.write_text("fout\n")
    with pytest.raises(InputFileError, match="read it as different documents"):
        sign_file(
            example_settings, prepared, tmp_path / "uit.pdf", choice(test_pki, "signer-rsa", wrong)
        )
    assert not (tmp_path / "uit.pdf").exists()
