"""Signing with a real PKCS#11 token (SoftHSM2, initialised by the fixtures).

The keys are the test PKI's signers, imported into the token, so the same OCSP/CRL/TSA
services apply and the token can sign up to B-LTA.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from toetreding.config import Settings
from toetreding.errors import CredentialError
from toetreding.secrets import Secret
from toetreding.sign import SignerChoice, sign_file
from toetreding.sign.credentials import open_pkcs11
from toetreding.signing_config import Pkcs11Location, SignatureLevel

from .conftest import needs_poppler
from .support.pki import RunningPki
from .support.readers import pdfsig
from .support.softhsm import SoftToken
from .test_sign import document_timestamps_valid, run_cli

pytestmark = needs_poppler


def location(token: SoftToken, **names: str) -> Pkcs11Location:
    values = {"module": str(token.module), "token": token.label, **names}
    return Pkcs11Location.model_validate(values)


def pin_file(folder: Path, pin: str) -> Path:
    path = folder / "pin.txt"
    path.write_text(pin + "\n")
    return path


@pytest.mark.parametrize(
    ("names", "signer", "level"),
    [
        ({"sleutel": "burgemeester-rsa"}, "Test Burgemeester RSA", SignatureLevel.B_B),
        ({"sleutel_id": "02"}, "Test Burgemeester EC", SignatureLevel.B_T),
        ({"sleutel": "burgemeester-rsa"}, "Test Burgemeester RSA", SignatureLevel.B_LTA),
    ],
)
def test_token_signs(
    names: dict[str, str],
    signer: str,
    level: SignatureLevel,
    tmp_path: Path,
    soft_token: SoftToken,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
) -> None:
    output = tmp_path / "token.pdf"
    choice = SignerChoice(
        pkcs11=location(soft_token, **names),
        secret_file=pin_file(tmp_path, soft_token.pin),
        level=level,
        tsa_url=test_pki.tsa_url,
        trust_roots=(test_pki.root_pem,),
        function="burgemeester van Huizen",
        on_behalf_of="de gemeente Huizen",
    )
    outcome = sign_file(example_settings, unsigned_pdf, output, choice)
    assert outcome.signed.signer.common_name == signer
    party = pdfsig(output)[0]
    assert party.valid and party.kind == "ETSI.CAdES.detached" and party.signer == signer
    if level is SignatureLevel.B_LTA:
        assert document_timestamps_valid(output, test_pki) == 1


def test_wrong_pin_is_tried_once_and_does_not_lock(soft_token: SoftToken) -> None:
    where = location(soft_token, sleutel="burgemeester-rsa")
    with pytest.raises(CredentialError, match=r"PIN .* is wrong .*tried once") as caught:
        open_pkcs11(where, Secret("000000"))
    assert "000000" not in str(caught.value)
    credential = open_pkcs11(where, Secret(soft_token.pin))  # still usable afterwards
    try:
        assert credential.certificate.subject.native["common_name"] == "Test Burgemeester RSA"
    finally:
        credential.close()


def test_token_and_key_must_exist(soft_token: SoftToken) -> None:
    with pytest.raises(
        CredentialError, match=r"(?s)no token labelled 'elders'.*present: toetreding-test —"
    ):
        open_pkcs11(
            Pkcs11Location.model_validate(
                {"module": str(soft_token.module), "token": "elders", "sleutel": "x"}
            ),
            Secret(soft_token.pin),
        )
    with pytest.raises(CredentialError, match="no private key 'wethouder'"):
        open_pkcs11(location(soft_token, sleutel="wethouder"), Secret(soft_token.pin))
    with pytest.raises(CredentialError, match=r"PKCS#11 module .* not found"):
        open_pkcs11(
            Pkcs11Location.model_validate({"module": "/nergens/lib.so", "sleutel": "x"}),
            Secret("1"),
        )


def test_cli_signs_with_token_pin_from_environment(
    tmp_path: Path, soft_token: SoftToken, unsigned_pdf: Path
) -> None:
    output = tmp_path / "cli-token.pdf"
    code, out, err = run_cli(
        "sign",
        unsigned_pdf,
        "-o",
        output,
        "--pkcs11-module",
        soft_token.module,
        "--token",
        soft_token.label,
        "--key",
        "burgemeester-ec",
        "--function",
        "burgemeester van Huizen",
        "--on-behalf-of",
        "de gemeente Huizen",
        env={"TOETREDING_PIN": soft_token.pin, **soft_token.environment},
    )
    assert code == 0, err
    assert soft_token.pin not in out + err
    assert pdfsig(output)[0].valid
    code, _, err = run_cli(
        "sign",
        unsigned_pdf,
        "-o",
        tmp_path / "x.pdf",
        "--pkcs11-module",
        soft_token.module,
        "--function",
        "f",
        "--on-behalf-of",
        "o",
        env={"TOETREDING_PIN": soft_token.pin, **soft_token.environment},
    )
    assert code == 1 and "--key LABEL" in err and "Traceback" not in err
