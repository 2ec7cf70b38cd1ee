"""Signing with a real PKCS#11 token (SoftHSM2, initialised by the fixtures).

The keys are the test PKI's signers, imported into the token, so the same OCSP/CRL/TSA
services apply and the token can sign up to B-LTA.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from toetreding.config import Settings
from toetreding.errors import ConfigError, CredentialError, SigningError
from toetreding.render import RenderedStatement
from toetreding.secrets import Secret, SecretPrompt, SecretRequest
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


def refusing_prompt(asked: list[str]) -> SecretPrompt:
    """A prompt that notes the question; the tests below require it is never reached."""

    def prompt(request: SecretRequest) -> Secret:
        asked.append(request.question)
        raise AssertionError(f"asked for a secret: {request.question}")

    return prompt


def statement_not_bound_to_test_pki(folder: Path, huizen_pdf: RenderedStatement) -> Path:
    """The example statement, whose chain names the demo mayor (not the token's keys)."""
    path = folder / "demo-chain.pdf"
    path.write_bytes(huizen_pdf.pdf)
    return path


SETUP_FAULTS = {
    "unreachable TSA": (
        {"level": SignatureLevel.B_LTA, "tsa_url": "http://127.0.0.1:9/tsa"},
        {},
        SigningError,
        r"timestamp authority at http://127\.0\.0\.1:9/tsa could not be reached",
    ),
    "no TSA for B-T": (
        {"level": SignatureLevel.B_T, "tsa_url": None},
        {},
        ConfigError,
        "B-T needs a timestamp authority",
    ),
    "B-LTA without trust roots": (
        {"level": SignatureLevel.B_LTA, "trust_roots": ()},
        {},
        ConfigError,
        "no trust root is configured",
    ),
    "unknown key": (
        {},
        {"sleutel": "wethouder"},
        CredentialError,
        "no certificate labelled 'wethouder'",
    ),
    "unknown key id": ({}, {"sleutel_id": "7f"}, CredentialError, "no certificate with id 7f"),
    "unknown token": ({}, {"token": "elders"}, CredentialError, "no token labelled 'elders'"),
    "missing module": ({}, {"module": "/nergens/lib.so"}, CredentialError, "not found"),
    "unknown field": ({"field": "bestaat-niet"}, {}, SigningError, "bestaat-niet"),
    "signer outside the chain": (
        {"statement": "demo-chain"},
        {},
        SigningError,
        "does not authorise",
    ),
}


@pytest.mark.parametrize("fault", sorted(SETUP_FAULTS))
def test_setup_is_checked_before_the_pin_is_asked(
    fault: str,
    tmp_path: Path,
    soft_token: SoftToken,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    huizen_pdf: RenderedStatement,
    example_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Module, token, key's certificate, chain of authority, TSA and field are all checked
    first: a clerk never types a PIN (and spends a card attempt) for a doomed signature."""
    monkeypatch.delenv("TOETREDING_PIN", raising=False)
    options, names, error, message = SETUP_FAULTS[fault]
    options = dict(options)
    field = options.pop("field", None)
    source = unsigned_pdf
    if options.pop("statement", None):
        source = statement_not_bound_to_test_pki(tmp_path, huizen_pdf)
    where = {
        "module": str(soft_token.module),
        "token": soft_token.label,
        "sleutel": "burgemeester-rsa",
    }
    where.update(names)
    if "sleutel_id" in names:
        del where["sleutel"]
    choice_values: dict[str, Any] = {
        "pkcs11": Pkcs11Location.model_validate(where),
        "level": SignatureLevel.B_T,
        "tsa_url": test_pki.tsa_url,
        "trust_roots": (test_pki.root_pem,),
        "function": "burgemeester van Huizen",
        "on_behalf_of": "de gemeente Huizen",
    }
    choice_values.update(options)
    asked: list[str] = []
    output = tmp_path / "never.pdf"
    with pytest.raises(error, match=message):
        sign_file(
            example_settings,
            source,
            output,
            SignerChoice(**choice_values),
            slot_name=field,
            prompt=refusing_prompt(asked),
        )
    assert asked == [] and not output.exists()


def test_a_good_setup_asks_for_the_pin_once_after_the_checks(
    tmp_path: Path,
    soft_token: SoftToken,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: with nothing wrong the same path reaches the prompt, and signs."""
    monkeypatch.delenv("TOETREDING_PIN", raising=False)
    asked: list[str] = []

    def prompt(request: SecretRequest) -> Secret:
        asked.append(request.question)
        return Secret(soft_token.pin)

    output = tmp_path / "signed.pdf"
    sign_file(
        example_settings,
        unsigned_pdf,
        output,
        SignerChoice(
            pkcs11=location(soft_token, sleutel="burgemeester-rsa"),
            level=SignatureLevel.B_T,
            tsa_url=test_pki.tsa_url,
            trust_roots=(test_pki.root_pem,),
            function="burgemeester van Huizen",
            on_behalf_of="de gemeente Huizen",
        ),
        prompt=prompt,
    )
    assert len(asked) == 1 and "toetreding-test" in asked[0]
    assert pdfsig(output)[0].valid


def test_passphrase_is_asked_only_after_the_tsa_answered(
    tmp_path: Path,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    example_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A .p12 keeps its certificate behind the passphrase, but the TSA is still asked first."""
    monkeypatch.delenv("TOETREDING_PASSPHRASE", raising=False)
    asked: list[str] = []
    with pytest.raises(SigningError, match="could not be reached"):
        sign_file(
            example_settings,
            unsigned_pdf,
            tmp_path / "never.pdf",
            SignerChoice(
                pkcs12=test_pki.pkcs12("signer-rsa"),
                level=SignatureLevel.B_T,
                tsa_url="http://127.0.0.1:9/tsa",
                function="burgemeester van Huizen",
                on_behalf_of="de gemeente Huizen",
            ),
            prompt=refusing_prompt(asked),
        )
    assert asked == []


def test_tokens_lists_slots_certificates_and_names(soft_token: SoftToken) -> None:
    """`toetreding tokens` shows what a signer profile needs: token label, key labels, ids."""
    code, out, err = run_cli("tokens", "--module", soft_token.module, env=soft_token.environment)
    assert code == 0, err
    for expected in (
        "toetreding-test",
        "burgemeester-rsa",
        "burgemeester-ec",
        "01",
        "02",
    ):
        assert expected in out
    code, out, err = run_cli("tokens", "--module", "/nergens/lib.so")
    assert code == 1 and "not found" in err and "Traceback" not in err
    code, out, err = run_cli(
        "tokens", "--module", soft_token.module, "--json", env=soft_token.environment
    )
    assert code == 0, err
    listed = json.loads(out)
    token = next(t for t in listed["tokens"] if t["label"] == "toetreding-test")
    assert {c["label"]: c["id"] for c in token["certificates"]} == {
        "burgemeester-rsa": "01",
        "burgemeester-ec": "02",
    }
    assert token["pin"] == "ok"
    holders = {c["holder"] for c in token["certificates"]}
    assert holders == {"Test Burgemeester RSA", "Test Burgemeester EC"}


def test_a_found_config_never_loads_a_module_from_the_folder(
    tmp_path: Path, soft_token: SoftToken, unsigned_pdf: Path
) -> None:
    """A folder handed to a clerk carries a toetreding.yaml and a library beside it (the
    unpacked files are the clerk's own): neither `tokens` nor `sign` may load that library,
    before or after a PIN. Named with --config, the config is trusted."""
    folder = tmp_path / "ontvangen"
    folder.mkdir()
    shutil.copyfile(soft_token.module, folder / "lib.so")
    (folder / "toetreding.yaml").write_text(
        "ondertekening:\n  ondertekenaars:\n    kaart:\n"
        f"      pkcs11: {{module: lib.so, token: {soft_token.label}, sleutel: burgemeester-rsa}}\n"
        "      functie: burgemeester van Huizen\n      namens: de gemeente Huizen\n",
        encoding="utf-8",
    )
    shutil.copyfile(unsigned_pdf, folder / "verklaring.pdf")
    env = {"TOETREDING_PIN": soft_token.pin, **soft_token.environment}
    for command in (
        ("tokens",),
        ("tokens", "--signer", "kaart"),
        ("sign", "verklaring.pdf", "-o", "uit.pdf"),
    ):
        code, out, err = run_cli(*command, env=env, cwd=folder)
        assert code == 1 and "lies inside the workspace" in err, (command, out, err)
        assert "--config" in err and "Traceback" not in err
    assert not (folder / "uit.pdf").exists()
    code, out, err = run_cli("tokens", "--config", folder / "toetreding.yaml", env=env, cwd=folder)
    assert code == 0 and soft_token.label in out, err
