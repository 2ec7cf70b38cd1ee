"""The statement data and chain travel inside the PDF: XMP (always) and JSON attachments
(PDF/A-3 only)."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from toetreding.config import load_settings
from toetreding.embedded import EmbeddedDataError, EmbeddedStatement, add_to_xmp, read_from_xmp
from toetreding.model import Statement
from toetreding.render import RenderedStatement, render_statement

from .conftest import needs_poppler


def xmp_of(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    data: bytes = reader.root["/Metadata"].get_object().data
    return data


def test_xmp_carries_the_statement_and_its_chain(
    huizen_pdf: RenderedStatement, example_statement: Statement
) -> None:
    found = read_from_xmp(xmp_of(huizen_pdf.pdf))
    expected = EmbeddedStatement.from_statement(example_statement)
    assert found == expected
    assert (
        found is not None
        and found.party_code == "GM0406"
        and found.chain_digest == expected.chain_digest
    )
    assert found.authority.chain[0].grantee.name == "mr. J. de Vries"


def test_a_changed_chain_no_longer_matches_its_digest(example_statement: Statement) -> None:
    template = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""><pdfaExtension:schemas xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><rdf:Bag></rdf:Bag></pdfaExtension:schemas></rdf:Description></rdf:RDF></x:xmpmeta>'
    xmp = add_to_xmp(template, EmbeddedStatement.from_statement(example_statement))
    assert read_from_xmp(xmp) is not None
    forged = xmp.replace(b"mr. J. de Vries", b"K. Klaas")
    with pytest.raises(EmbeddedDataError, match="digest"):
        read_from_xmp(forged)
    assert read_from_xmp(template) is None


@needs_poppler
def test_pdfa_3_attaches_statement_and_chain_as_json(tmp_path: Path, workspace: Path) -> None:
    config = workspace / "toetreding.yaml"
    config.write_text(config.read_text().replace("pdfa-2a", "pdfa-3a"))
    output = tmp_path / "a3.pdf"
    render_statement(workspace / "verzoek.yaml", output, load_settings(config, environ={}))
    listing = subprocess.run(
        ["pdfdetach", "-list", str(output)], capture_output=True, text=True
    ).stdout
    assert "verklaring.json" in listing and "bevoegdheid.json" in listing
    saved = tmp_path / "verklaring.json"
    subprocess.run(
        ["pdfdetach", "-savefile", "verklaring.json", "-o", str(saved), str(output)], check=True
    )
    data = json.loads(saved.read_text())
    assert data["partij_cbs_code"] == "GM0406" and data["bevoegdheid"]["keten"]
    raw = output.read_bytes()
    assert b"/AFRelationship /Data" in raw or b"/AFRelationship/Data" in raw
    assert b"Supplement" in raw


@needs_poppler
def test_pdfa_2_has_no_attachments(tmp_path: Path, huizen_pdf: RenderedStatement) -> None:
    path = tmp_path / "a2.pdf"
    path.write_bytes(huizen_pdf.pdf)
    listing = subprocess.run(
        ["pdfdetach", "-list", str(path)], capture_output=True, text=True
    ).stdout
    assert listing.startswith("0 embedded files")
