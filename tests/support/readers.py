"""Independent readers of our PDFs: poppler's command-line tools, parsed.

``pdfsig`` exits 0 even when a digest does not match, so we read its text. Its trust
verdict depends on the system's NSS database, so we use ``-nocert`` and judge only
integrity and coverage here.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PopplerSignature:
    field: str | None
    signed: bool
    signer: str | None
    kind: str | None
    valid: bool
    whole_document: bool
    text: str


def pdfsig(path: Path) -> list[PopplerSignature]:
    """Every signature field as pdfsig reports it."""
    result = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, check=False
    )
    blocks = re.split(r"^Signature #\d+:\n", result.stdout, flags=re.MULTILINE)[1:]
    found = []
    for block in blocks:
        field = re.search(r"Signature Field Name: (.*)", block)
        signer = re.search(r"Signer Certificate Common Name: (.*)", block)
        kind = re.search(r"Signature Type: (.*)", block)
        found.append(
            PopplerSignature(
                field=field.group(1).strip() if field else None,
                signed="is not signed" not in block,
                signer=signer.group(1).strip() if signer else None,
                kind=kind.group(1).strip() if kind else None,
                valid="Signature Validation: Signature is Valid." in block,
                whole_document="Total document signed" in block
                and "Not total document signed" not in block,
                text=block,
            )
        )
    return found


def metadata_xml(path: Path) -> str:
    """The XMP metadata packet (pdfinfo -meta)."""
    return subprocess.run(
        ["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=False
    ).stdout


def info(path: Path) -> dict[str, str]:
    """pdfinfo's key: value lines."""
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False).stdout
    return {
        k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines()) if v
    }


def fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font pdffonts lists."""
    out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=False
    ).stdout
    rows = out.splitlines()[2:]
    listed = []
    for row in rows:
        parts = row.split()
        # columns from the right: object-id gen, uni, sub, emb
        listed.append((parts[0], parts[-5] == "yes"))
    return listed


def field_darkness(path: Path, page: int = 1) -> float:
    """Mean darkness (0 white … 255 black) of a page rendered by pdftoppm (grey, 40 dpi)."""
    out = subprocess.run(
        ["pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page), str(path)],
        capture_output=True,
        check=True,
    ).stdout
    # binary PGM: 'P5\n<w> <h>\n<max>\n' then one byte per pixel
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", out)
    assert header is not None
    pixels = out[header.end() :]
    return 255 - sum(pixels) / len(pixels)
