"""Where secrets come from (and that they never show), and the `ondertekening` config."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from toetreding.config import load_settings
from toetreding.errors import ConfigError, CredentialError, ValidationFailed
from toetreding.secrets import Secret, SecretKind, SecretRequest, obtain_secret
from toetreding.signing_config import SignatureLevel

PIN = SecretRequest(SecretKind.PIN, "token 'kaart'")


def test_secret_never_shows_its_value() -> None:
    secret = Secret("1234-geheim")
    assert "1234" not in repr(secret) and "1234" not in str(secret) and "1234" not in f"{secret}"
    assert secret.reveal() == "1234-geheim"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_file_beats_environment_beats_prompt(tmp_path: Path) -> None:
    file = tmp_path / "pin.txt"
    file.write_text("uit-bestand\ntweede regel\n")
    asked: list[SecretRequest] = []

    def prompt(request: SecretRequest) -> Secret:
        asked.append(request)
        return Secret("gevraagd")

    env = {"TOETREDING_PIN": "uit-omgeving"}
    assert (
        obtain_secret(PIN, secret_file=file, environ=env, prompt=prompt).reveal() == "uit-bestand"
    )
    assert obtain_secret(PIN, environ=env, prompt=prompt).reveal() == "uit-omgeving"
    assert not asked
    assert obtain_secret(PIN, environ={}, prompt=prompt).reveal() == "gevraagd"
    assert asked == [PIN] and asked[0].question == "PIN for token 'kaart'"


def test_missing_or_empty_secret_says_how_to_give_one(tmp_path: Path) -> None:
    with pytest.raises(CredentialError, match="TOETREDING_PIN"):
        obtain_secret(PIN, environ={})
    empty = tmp_path / "leeg.txt"
    empty.write_text("")
    with pytest.raises(CredentialError, match="is empty"):
        obtain_secret(PIN, secret_file=empty, environ={})
    with pytest.raises(CredentialError, match="does not exist"):
        obtain_secret(PIN, secret_file=tmp_path / "weg.txt", environ={})


def test_passphrase_uses_its_own_variable() -> None:
    request = SecretRequest(SecretKind.PASSPHRASE, "'sleutel.p12'")
    env = {"TOETREDING_PIN": "pin", "TOETREDING_PASSPHRASE": "zin"}
    assert obtain_secret(request, environ=env).reveal() == "zin"


def write_config(folder: Path, body: str) -> Path:
    path = folder / "toetreding.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_signing_section_is_read_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "root.pem").write_text("x")
    config = write_config(
        tmp_path,
        "ondertekening:\n"
        "  niveau: B-LTA\n"
        "  tijdstempeldienst: http://tsa.example/\n"
        "  vertrouwensankers: [pki/root.pem]\n"
        "  ondertekenaars:\n"
        "    bm:\n"
        "      pkcs12: pki/bm.p12\n"
        "      functie: burgemeester van Huizen\n"
        "      namens: de gemeente Huizen\n",
    )
    settings = load_settings(config, environ={})
    assert settings.signing.level is SignatureLevel.B_LTA
    assert settings.signing.trust_roots == ((tmp_path / "pki" / "root.pem").resolve(),)
    assert settings.signing.path("pki/bm.p12") == (tmp_path / "pki" / "bm.p12").resolve()
    overridden = load_settings(
        config, environ={"TOETREDING_LEVEL": "b-t", "TOETREDING_TSA": "http://x/"}
    )
    assert overridden.signing.level is SignatureLevel.B_T and overridden.signing.tsa == "http://x/"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "ondertekening:\n  ondertekenaars:\n    bm:\n      functie: f\n      namens: n\n",
            "exactly one key store",
        ),
        (
            "ondertekening:\n  ondertekenaars:\n    bm:\n      pkcs12: a.p12\n      pkcs11:\n"
            "        module: /x.so\n        sleutel: k\n      functie: f\n      namens: n\n",
            "exactly one key store",
        ),
        ("ondertekening:\n  niveau: B-C\n", "niveau"),
        ("ondertekening:\n  standaard: niemand\n", "not among 'ondertekenaars'"),
        (
            "ondertekening:\n  ondertekenaars:\n    bm:\n      pkcs11:\n        module: /x.so\n"
            "      functie: f\n      namens: n\n",
            "name the key",
        ),
        ("ondertekening:\n  pincode: 1234\n", "pincode"),
    ],
)
def test_bad_signing_sections_are_located(tmp_path: Path, body: str, message: str) -> None:
    config = write_config(tmp_path, body)
    with pytest.raises(ValidationFailed) as caught:
        load_settings(config, environ={})
    text = str(caught.value)
    assert message in text and "toetreding.yaml:" in text


def test_missing_trust_root_file_is_reported(tmp_path: Path) -> None:
    config = write_config(tmp_path, "ondertekening:\n  vertrouwensankers: [weg.pem]\n")
    with pytest.raises(ConfigError, match=r"vertrouwensankers.*weg.pem"):
        load_settings(config, environ={})


def test_bad_level_in_environment(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="TOETREDING_LEVEL"):
        load_settings(
            write_config(tmp_path, "uitvoer: {taal: nl}\n"), environ={"TOETREDING_LEVEL": "hoog"}
        )
