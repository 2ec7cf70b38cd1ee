"""The peer commands the benches time toetreding against (pyhanko-cli, the `bench` extra)."""

from __future__ import annotations

from pathlib import Path

FIELD = "ondertekening-partij"


def pyhanko_addsig(passfile: Path, source: Path | str, output: Path | str, p12: Path) -> list[str]:
    """`pyhanko sign addsig` of the party's field with a PKCS#12 key (passphrase in a file)."""
    return [
        *("pyhanko", "sign", "addsig", "--field", FIELD, "pkcs12"),
        *("--passfile", str(passfile), str(source), str(output), str(p12)),
    ]


def pyhanko_validate(root: Path, pdf: Path | str) -> list[str]:
    """`pyhanko sign validate` trusting only ``root``."""
    return ["pyhanko", "sign", "validate", "--trust", str(root), "--trust-replace", str(pdf)]
