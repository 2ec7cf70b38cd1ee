"""A real test PKI served over HTTP on 127.0.0.1: CA, OCSP, CRLs and a timestamp authority.

Keys are generated here (RSA and ECDSA) and the hierarchy is declared for certomancer, whose
Animator answers OCSP, CRL and RFC 3161 requests over real HTTP (werkzeug, in a thread).
Nothing in the signing path is mocked: pyHanko talks to these services exactly as it would
to a qualified TSA and a PKIoverheid OCSP responder.

Certificates are issued relative to *now*, so expired, not-yet-valid and revoked signers
are really so when the tests run.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

PASSPHRASE = "test-wachtwoord"
ARCH = "toetreding-test"

RSA_KEYS = (
    "root",
    "interm",
    "tsa",
    "ocsp",
    "signer-rsa",
    "revoked",
    "expired",
    "future",
    "nosign",
    "coordinator",
)
EC_KEYS = ("signer-ec", "tsa-short")
"""``tsa-short`` is a second TSA (P-256, so no algorithm horizon) whose certificate expires
:data:`SHORT_TSA_DAYS` days from now: archive renewal is scheduled by its expiry."""
SHORT_TSA_DAYS = 200


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _ku(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _signer_spec(
    valid_from: dt.datetime, valid_to: dt.datetime, usages: Iterable[str]
) -> dict[str, Any]:
    return {
        "issuer": "interm",
        "validity": {"valid-from": _iso(valid_from), "valid-to": _iso(valid_to)},
        "extensions": [
            _ku(*usages),
            {
                "id": "crl_distribution_points",
                "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["interm"]}},
            },
            {
                "id": "authority_information_access",
                "smart-value": {
                    "schema": "aia-urls",
                    "params": {
                        "ocsp-responder-names": ["interm"],
                        "ca-issuer-links": [{"repo": "interm"}],
                    },
                },
            },
        ],
    }


def certomancer_config(key_dir: Path, url: str, now: dt.datetime) -> dict[str, Any]:
    """The hierarchy: root → intermediate → signers; two TSAs under the root; OCSP for signers."""
    day = dt.timedelta(days=1)
    long_ago, far = now - 400 * day, now + 3650 * day
    keys = {name: {"path": f"{name}.key.pem"} for name in (*RSA_KEYS, *EC_KEYS)}
    entities = {
        "root": {"common-name": "Test Root CA toetreding"},
        "interm": {"common-name": "Test Intermediate CA toetreding"},
        "tsa": {"common-name": "Test Timestamp Authority"},
        "tsa-short": {"common-name": "Test Timestamp Authority (short-lived)"},
        "ocsp": {"common-name": "Test OCSP Responder"},
        "signer-rsa": {"common-name": "Test Burgemeester RSA", "title": "burgemeester van Huizen"},
        "signer-ec": {"common-name": "Test Burgemeester EC"},
        "revoked": {"common-name": "Test Revoked Signer"},
        "expired": {"common-name": "Test Expired Signer"},
        "future": {"common-name": "Test Future Signer"},
        "nosign": {"common-name": "Test Encryption Only"},
        "coordinator": {
            "common-name": "Test Coordinator",
            "organization-name": "Ministerie (test)",
            "serial-number": "TEST-COORDINATOR",
        },
    }
    signing = ("digital_signature", "non_repudiation")
    certs: dict[str, Any] = {
        "root": {
            "subject": "root",
            "issuer": "root",
            "validity": {"valid-from": _iso(long_ago), "valid-to": _iso(far)},
            "extensions": [
                {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                _ku("digital_signature", "key_cert_sign", "crl_sign"),
            ],
        },
        "interm": {
            "issuer": "root",
            "validity": {"valid-from": _iso(long_ago), "valid-to": _iso(far)},
            "extensions": [
                {
                    "id": "basic_constraints",
                    "critical": True,
                    "value": {"ca": True, "path-len-constraint": 0},
                },
                _ku("digital_signature", "key_cert_sign", "crl_sign"),
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
        "ocsp": {
            "issuer": "interm",
            "validity": {"valid-from": _iso(long_ago), "valid-to": _iso(far)},
            "extensions": [
                _ku("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "issuer": "root",
            "validity": {"valid-from": _iso(long_ago), "valid-to": _iso(far)},
            "extensions": [
                _ku("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
        "tsa-short": {
            "issuer": "root",
            "validity": {
                "valid-from": _iso(long_ago),
                "valid-to": _iso(now + SHORT_TSA_DAYS * day),
            },
            "extensions": [
                _ku("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
        "signer-rsa": _signer_spec(now - 30 * day, now + 700 * day, signing),
        "signer-ec": _signer_spec(now - 30 * day, now + 700 * day, signing),
        "coordinator": _signer_spec(now - 30 * day, now + 700 * day, ("non_repudiation",)),
        "revoked": {
            **_signer_spec(now - 30 * day, now + 700 * day, signing),
            "revocation": {"revoked-since": _iso(now - 2 * day), "reason": "key_compromise"},
        },
        "expired": _signer_spec(now - 400 * day, now - 5 * day, signing),
        "future": _signer_spec(now + 5 * day, now + 400 * day, signing),
        "nosign": _signer_spec(now - 30 * day, now + 700 * day, ("key_encipherment",)),
    }
    return {
        "external-url-prefix": url,
        "keysets": {"testkeys": {"path-prefix": str(key_dir), "keys": keys}},
        "pki-architectures": {
            ARCH: {
                "keyset": "testkeys",
                "entity-defaults": {
                    "country-name": "NL",
                    "organization-name": "Gemeente Testdorp",
                    "serial-number": "TEST-HOUDER",
                },
                "entities": entities,
                "certs": certs,
                "services": {
                    "ocsp": {
                        "interm": {
                            "for-issuer": "interm",
                            "responder-cert": "ocsp",
                            "signing-key": "ocsp",
                        }
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P90D",
                        },
                        "interm": {
                            "for-issuer": "interm",
                            "signing-key": "interm",
                            "simulated-update-schedule": "P30D",
                        },
                    },
                    "cert-repo": {
                        "root": {"for-issuer": "root", "publish-issued-certs": True},
                        "interm": {"for-issuer": "interm", "publish-issued-certs": True},
                    },
                    "time-stamping": {
                        "tsa": {"signing-key": "tsa", "signing-cert": "tsa"},
                        "short": {"signing-key": "tsa-short", "signing-cert": "tsa-short"},
                    },
                },
            }
        },
    }


def _write_keys(key_dir: Path) -> dict[str, Any]:
    key_dir.mkdir(parents=True, exist_ok=True)
    keys: dict[str, Any] = {}
    for name in RSA_KEYS:
        keys[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for name in EC_KEYS:
        keys[name] = ec.generate_private_key(ec.SECP256R1())
    for name, key in keys.items():
        (key_dir / f"{name}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return keys


class _Dispatch:
    """A WSGI app whose target is set once the server's port (and so the config) is known."""

    def __init__(self) -> None:
        self.target: Callable[..., Any] | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.target is not None
        return self.target(environ, start_response)


@dataclass
class RunningPki:
    """The running PKI: files for the tests and the URLs of its services."""

    folder: Path
    url: str
    keys: dict[str, Any]
    arch: Any
    server: Any

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    @property
    def tsa_short_url(self) -> str:
        """The second TSA, whose certificate expires in :data:`SHORT_TSA_DAYS` days."""
        return f"{self.url}/{ARCH}/tsa/short"

    def cert_der(self, label: str) -> bytes:
        return bytes(self.arch.get_cert(label).dump())

    def cert(self, label: str) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.cert_der(label))

    def pem(self, label: str) -> Path:
        """The certificate as a PEM file (root, interm, …)."""
        path = self.folder / f"{label}.pem"
        if not path.exists():
            path.write_bytes(self.cert(label).public_bytes(serialization.Encoding.PEM))
        return path

    @property
    def root_pem(self) -> Path:
        return self.pem("root")

    def pkcs12(self, label: str, *, with_chain: bool = True) -> Path:
        """The signer's key and certificate (plus intermediate and root) as PKCS#12."""
        path = self.folder / f"{label}.p12"
        if not path.exists():
            chain = [self.cert("interm"), self.cert("root")] if with_chain else []
            path.write_bytes(
                pkcs12.serialize_key_and_certificates(
                    label.encode(),
                    self.keys[label],
                    self.cert(label),
                    chain,
                    serialization.BestAvailableEncryption(PASSPHRASE.encode()),
                )
            )
        return path

    def stop(self) -> None:
        self.server.shutdown()


def start_test_pki(folder: Path) -> RunningPki:
    """Generate keys, declare the PKI, and serve it on 127.0.0.1 (random free port)."""
    import logging

    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    keys = _write_keys(folder / "keys")
    dispatch = _Dispatch()
    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    config_dict = certomancer_config(folder / "keys", url, now)
    (folder / "certomancer.yml").write_text(yaml.safe_dump(config_dict), encoding="utf-8")
    config = CertomancerConfig(config_dict, key_search_dir=str(folder / "keys"))
    dispatch.target = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, name="test-pki", daemon=True)
    thread.start()
    return RunningPki(
        folder=folder, url=url, keys=keys, arch=config.get_pki_arch(ARCH), server=server
    )
