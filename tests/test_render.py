"""Rendering the Huizen example: text, archival structure, signature fields, reproducibility.

Poppler (an independent PDF reader) extracts text, fonts and form fields; pyHanko's
reader is used only for structure the poppler tools do not show (XMP, structure tree).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from toetreding.config import Settings, load_settings
from toetreding.errors import ConfigError, OutputError, RenderError, TemplateError
from toetreding.inputs import load_request
from toetreding.model import Language, OutputProfile, Statement
from toetreding.render import RenderedStatement, StatementRenderer, render_statement

from .conftest import EXAMPLE as EXAMPLE_DIR
from .conftest import ROOT as ROOT_DIR
from .conftest import needs_poppler, pdf_text, run_tool

GOLDEN = Path(__file__).parent / "golden"


def _read(pdf: bytes) -> PdfFileReader:
    from io import BytesIO

    return PdfFileReader(BytesIO(pdf))


def _xmp(pdf: bytes) -> str:
    return _read(pdf).root["/Metadata"].get_object().data.decode("utf-8")


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@needs_poppler
@pytest.mark.parametrize("language", ["nl", "en"])
def test_text_matches_golden(
    renderer: StatementRenderer, example_statement: Statement, language: str, tmp_path: Path
) -> None:
    rendered = renderer.render(example_statement, Language(language))
    text = _normalise(pdf_text(rendered.pdf, tmp_path))
    golden = GOLDEN / f"huizen-{language}.txt"
    if os.environ.get("TOETREDING_UPDATE_GOLDEN"):
        golden.write_text(text + "\n", encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8").strip(), (
        f"rendered text differs from {golden}; if the change is intended, rerun with "
        "TOETREDING_UPDATE_GOLDEN=1 and review the diff"
    )


NEVER_IN_A_STATEMENT = (
    "Aldus verklaard",  # a date the tool invents; the signature carries the date
    "Reikwijdte",  # internal identifiers do not belong in a legal annex
    "pga-radicalisering",
    "maakt het mogelijk",  # a covenant is no legal basis for exchanging data
    "andere partijen",
    "10:1 ",  # a mandate rests on Awb 10:3 (10:1 only defines it)
    "stemt door ondertekening hiernaast in",  # the consent is the coordinator's own text
)


@needs_poppler
def test_dutch_statement_of_a_legal_person_says_what_the_law_requires(
    huizen_pdf: RenderedStatement, tmp_path: Path
) -> None:
    text = re.sub(r"\s+", " ", pdf_text(huizen_pdf.pdf, tmp_path))
    for phrase in (
        "Toetredingsverklaring tot het Convenant persoonsgerichte aanpak voorkoming radicalisering "
        "en extremisme van 14 december 2018 (Stcrt. 2019, 12345), met bijlagen",
        "De gemeente Huizen (CBS-code GM0406)",
        "op grond van artikel 171, eerste lid, Gemeentewet vertegenwoordigd door haar burgemeester, mr. J. de Vries",
        "besluit van het college van burgemeester en wethouders van 10 november 2026 (kenmerk "
        "Z-2026-04512), genomen op grond van artikel 160, eerste lid, onder e, Gemeentewet",
        "de rechten en verplichtingen die daaruit voor haar voortvloeien zonder voorbehoud te aanvaarden,",
        "Verzoekt de Minister van Justitie en Veiligheid met deze toetreding in te stemmen,",
        "en neemt ervan kennis dat zij overeenkomstig artikel 16 van het convenant partij wordt met "
        "ingang van de dag waarop de Minister van Justitie en Veiligheid schriftelijk met de "
        "toetreding instemt (de datum van de elektronische handtekening onder de instemming), en dat "
        "de toetreding daarna in de Staatscourant wordt bekendgemaakt.",
        "Aldus elektronisch ondertekend te Huizen op de datum vermeld bij de elektronische handtekening.",
        "De gemeente Huizen, de burgemeester,",
        "De Minister van Justitie en Veiligheid stemt in met de toetreding van de gemeente Huizen",
        "Aldus elektronisch ondertekend te Den Haag op de datum vermeld bij de elektronische handtekening.",
        "De Minister van Justitie en Veiligheid, namens deze, de Nationaal Coördinator "
        "Terrorismebestrijding en Veiligheid,",
        "Contactpersoon Team Openbare Orde en Veiligheid",
        "Bijlage: bevoegdheid tot ondertekening",
        "In de elektronische handtekening vermelde hoedanigheid: burgemeester van Huizen, namens de gemeente Huizen.",
        "Wie ondertekende en de datum van instemming, die de datum van toetreding is, staan in de "
        "elektronische handtekening in dit document.",
    ):
        assert phrase in text, phrase
    for phrase in (*NEVER_IN_A_STATEMENT, "namens deze, de burgemeester"):
        assert phrase not in text, phrase


@needs_poppler
def test_the_annex_cites_the_article_each_step_rests_on(
    huizen_pdf: RenderedStatement, tmp_path: Path
) -> None:
    annex = re.sub(r"\s+", " ", pdf_text(huizen_pdf.pdf, tmp_path).split("Bijlage:")[1])
    party, consent = annex.split("Instemming door")
    assert "Besluit tot toetreding artikel 160, eerste lid, onder e, Gemeentewet" in party
    assert "Vertegenwoordiging van rechtswege artikel 171, eerste lid, Gemeentewet" in party
    assert (
        "Benoemd bij besluit van de Koning (koninklijk besluit) van 22 mei 2023 "
        "(kenmerk KB 2023/000123)" in party
    )
    assert "Ambtstermijn vanaf 1 juni 2023 tot en met 31 mei 2029 (artikel 61 Gemeentewet)" in party
    assert (
        "College van burgemeester en wethouders →" not in party
    )  # the law represents, not the college
    assert "Mandaat artikel 10:3 Algemene wet bestuursrecht" in consent
    assert "Stcrt. 2020, 1234" in consent  # the mandate regulation, where it was published


@needs_poppler
def test_dutch_statement_of_organs_signs_in_the_form_of_awb_10_10(
    renderer: StatementRenderer, workspace: Path, tmp_path: Path
) -> None:
    from toetreding.inputs import load_request

    rendered = renderer.render(load_request(workspace / "verzoek-organen.yaml"))
    text = re.sub(r"\s+", " ", pdf_text(rendered.pdf, tmp_path))
    for phrase in (
        "Het college van burgemeester en wethouders van Huizen (gemeente Huizen, CBS-code GM0406)",
        "ter uitvoering van zijn besluit van 10 november 2026 (kenmerk Z-2026-04512), genomen op "
        "grond van artikel 160, eerste lid, onder a, Gemeentewet",
        "krachtens mandaat (artikel 10:3 Algemene wet bestuursrecht), verleend bij datzelfde besluit",
        "die daaruit voor het college voortvloeien",
        "en neemt ervan kennis dat het college overeenkomstig artikel 16",
        "Burgemeester en wethouders van Huizen, namens deze, de burgemeester,",
        "De Minister van Justitie en Veiligheid stemt in met de toetreding van het college van "
        "burgemeester en wethouders van Huizen",
        "Mandaat artikel 10:3 Algemene wet bestuursrecht",
        "In de elektronische handtekening vermelde hoedanigheid: burgemeester van Huizen, namens het "
        "college van burgemeester en wethouders van Huizen.",
    ):
        assert phrase in text, phrase
    for phrase in (
        *NEVER_IN_A_STATEMENT,
        "vertegenwoordigd door haar burgemeester",
        "De gemeente Huizen,",
    ):
        assert phrase not in text, phrase


def test_xmp_declares_pdfa_2a_and_pdfua_1(huizen_pdf: RenderedStatement) -> None:
    xmp = _xmp(huizen_pdf.pdf)
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>A</pdfaid:conformance>" in xmp
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "Toetredingsverklaring gemeente Huizen" in xmp  # dc:title
    assert "<rdf:li>Gemeente Huizen</rdf:li>" in xmp  # dc:creator


def test_catalog_has_language_tags_and_output_intent(huizen_pdf: RenderedStatement) -> None:
    root = _read(huizen_pdf.pdf).root
    assert root["/Lang"] == "nl-NL"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    [intent] = root["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intent.get_object()


def test_document_info_matches_xmp(huizen_pdf: RenderedStatement) -> None:
    reader = _read(huizen_pdf.pdf)
    info = reader.trailer["/Info"].get_object()
    assert info["/Title"] in _xmp(huizen_pdf.pdf)
    assert "/Producer" not in info or info["/Producer"] in _xmp(huizen_pdf.pdf)


@needs_poppler
def test_every_font_is_embedded(huizen_pdf: RenderedStatement, tmp_path: Path) -> None:
    path = tmp_path / "v.pdf"
    path.write_bytes(huizen_pdf.pdf)
    rows = run_tool("pdffonts", path).splitlines()[2:]
    assert rows, "pdffonts listed no fonts"
    for row in rows:
        columns = row.split()
        assert columns[-5] == "yes", f"font not embedded: {row}"


@needs_poppler
def test_two_empty_signature_fields_seen_by_poppler(
    huizen_pdf: RenderedStatement, tmp_path: Path
) -> None:
    path = tmp_path / "v.pdf"
    path.write_bytes(huizen_pdf.pdf)
    report = run_tool("pdfsig", "-nocert", path)
    assert "Signature Field Name: ondertekening-partij" in report
    assert "Signature Field Name: instemming-coordinator" in report
    assert report.count("The signature form field is not signed.") == 2


def test_signature_fields_are_tagged_printable_and_where_the_template_put_them(
    huizen_pdf: RenderedStatement,
) -> None:
    reader = _read(huizen_pdf.pdf)
    root = reader.root
    tree = root["/StructTreeRoot"]
    parent_tree = tree["/ParentTree"]["/Nums"]
    fields = [ref.get_object() for ref in root["/AcroForm"]["/Fields"]]
    assert [f["/T"] for f in fields] == ["ondertekening-partij", "instemming-coordinator"]
    placements = {p.name: p for p in huizen_pdf.fields}
    widgets = []
    for field in fields:
        # the field holds the value; its only kid is the widget the structure tree tags
        assert field["/FT"] == "/Sig" and "/Subtype" not in field
        assert field["/TU"], "PDF/UA 7.18.4 asks for a readable field name"
        (widget_ref,) = field["/Kids"]
        widget = widget_ref.get_object()
        widgets.append(widget)
        assert widget["/Subtype"] == "/Widget" and "/V" not in widget
        assert "/Parent" not in widget, "poppler 22 then reads the widget as its own field"
        flags = int(widget["/F"])
        assert flags & 4, "PDF/A requires the Print flag"
        assert not flags & (1 | 2 | 32), "PDF/A forbids Invisible, Hidden and NoView"
        assert "/N" in widget["/AP"], "PDF/A requires an appearance stream"
        key = int(widget["/StructParent"])
        form = parent_tree[parent_tree.index(key) + 1].get_object()
        assert form["/S"] == "/Form"
        assert form["/K"][0]["/Type"] == "/OBJR"
        assert form["/K"][0].raw_get("/Obj").idnum == widget_ref.idnum
        page = widget["/P"]
        assert page["/Tabs"] == "/S"
        assert widget_ref.idnum in [a.idnum for a in page["/Annots"]]
        placement = placements[field["/T"]]
        llx, lly, urx, ury = (float(v) for v in widget["/Rect"])
        assert urx - llx == pytest.approx(placement.width, abs=0.02)
        assert ury - lly == pytest.approx(placement.height, abs=0.02)
        assert float(page["/MediaBox"][3]) - ury == pytest.approx(placement.y, abs=0.02)
    assert int(tree["/ParentTreeNextKey"]) > max(int(w["/StructParent"]) for w in widgets)


def test_same_input_gives_identical_bytes(
    example_settings: Settings, example_statement: Statement, huizen_pdf: RenderedStatement
) -> None:
    with StatementRenderer(example_settings) as fresh:
        again = fresh.render(example_statement)
    assert again.pdf == huizen_pdf.pdf
    assert again.sha256 == hashlib.sha256(huizen_pdf.pdf).hexdigest()


def test_bytes_are_identical_across_processes(
    workspace: Path, huizen_pdf: RenderedStatement
) -> None:
    output = workspace / "other-process.pdf"
    subprocess.run(
        [sys.executable, "-m", "toetreding", "render", "verzoek.yaml", "-o", str(output)],
        cwd=workspace,
        check=True,
        capture_output=True,
    )
    assert hashlib.sha256(output.read_bytes()).hexdigest() == huizen_pdf.sha256


def test_document_date_comes_from_the_data(huizen_pdf: RenderedStatement) -> None:
    info = _read(huizen_pdf.pdf).trailer["/Info"].get_object()
    assert str(info["/CreationDate"]).startswith("D:20261124")


def test_pdfa3_profile(workspace: Path) -> None:
    settings = load_settings(workspace / "toetreding.yaml").with_overrides(
        profile=OutputProfile.PDFA_3A
    )
    with StatementRenderer(settings) as renderer:
        rendered = renderer.render(load_request(workspace / "verzoek.yaml"))
    xmp = _xmp(rendered.pdf)
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfuaid:part>1</pdfuaid:part>" in xmp


def test_english_document_language(
    renderer: StatementRenderer, example_statement: Statement
) -> None:
    rendered = renderer.render(example_statement, Language.ENGLISH)
    assert _read(rendered.pdf).root["/Lang"] == "en-GB"


def test_render_statement_writes_pdf_and_preview(workspace: Path) -> None:
    settings = load_settings(workspace / "toetreding.yaml")
    outcome = render_statement(
        workspace / "verzoek.yaml", workspace / "uit.pdf", settings, preview=workspace / "p1.png"
    )
    data = (workspace / "uit.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and outcome.sha256 == hashlib.sha256(data).hexdigest()
    assert (workspace / "p1.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert not list(workspace.glob(".*.part")), "temporary files left behind"


def test_user_templates_override_bundled_ones(workspace: Path) -> None:
    custom = workspace / "sjablonen" / "nl"
    custom.mkdir(parents=True)
    (custom / "verklaring.typ.j2").write_text(
        '{% include "common/stijl.typ.j2" %}\n#set document(title: "Eigen")\n= Eigen sjabloon\n'
        "{{ party.name }}\n"
    )
    settings = load_settings(workspace / "toetreding.yaml").with_overrides(
        templates_dir=workspace / "sjablonen"
    )
    with StatementRenderer(settings) as renderer:
        source = renderer.typst_source(load_request(workspace / "verzoek.yaml"))
    assert "= Eigen sjabloon" in source and '#("Huizen");' in source


def _broken_template(workspace: Path, body: str) -> StatementRenderer:
    custom = workspace / "sjablonen" / "nl"
    custom.mkdir(parents=True)
    (custom / "verklaring.typ.j2").write_text(body)
    settings = load_settings(workspace / "toetreding.yaml").with_overrides(
        templates_dir=workspace / "sjablonen"
    )
    return StatementRenderer(settings)


def test_template_syntax_error_names_file_and_line(workspace: Path) -> None:
    renderer = _broken_template(workspace, "= Kop\n\n{% if party.name %}\nopen blok\n")
    with pytest.raises(TemplateError, match=r"verklaring\.typ\.j2:\d+: template syntax error"):
        renderer.typst_source(load_request(workspace / "verzoek.yaml"))


def test_template_unknown_variable_names_file_and_line(workspace: Path) -> None:
    renderer = _broken_template(workspace, "= Kop\n\n{{ partij.naam }}\n")
    with pytest.raises(
        TemplateError, match=r"verklaring\.typ\.j2:3: template uses an unknown value"
    ):
        renderer.typst_source(load_request(workspace / "verzoek.yaml"))


def test_typst_error_in_template_is_a_render_error(workspace: Path) -> None:
    with (
        _broken_template(workspace, "#set document(title: \n= Kop\n") as renderer,
        pytest.raises(RenderError, match="typesetting failed"),
    ):
        renderer.render(load_request(workspace / "verzoek.yaml"))


def test_missing_logo_is_a_config_error(workspace: Path) -> None:
    (workspace / "logo.svg").unlink()
    with pytest.raises(ConfigError, match=r"huisstijl\.logo .* does not exist"):
        load_settings(workspace / "toetreding.yaml")


def test_logo_outside_the_workspace_is_refused(workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elders.svg"
    outside.write_text((workspace / "logo.svg").read_text())
    config = workspace / "toetreding.yaml"
    config.write_text(config.read_text().replace("logo: logo.svg", f"logo: {outside}"))
    with pytest.raises(ConfigError, match="outside the workspace"):
        StatementRenderer(load_settings(config))


def test_unknown_font_is_an_error_not_a_silent_fallback(workspace: Path) -> None:
    config = workspace / "toetreding.yaml"
    config.write_text(config.read_text().replace("Libertinus Serif", "Geen Bestaand Font"))
    with (
        StatementRenderer(load_settings(config)) as renderer,
        pytest.raises(RenderError, match="unknown font family"),
    ):
        renderer.render(load_request(workspace / "verzoek.yaml"))


def test_missing_font_folder_is_a_config_error(workspace: Path) -> None:
    config = workspace / "toetreding.yaml"
    config.write_text(
        config.read_text().replace(
            "  lettertype: Libertinus Serif",
            "  lettertype: Libertinus Serif\n  lettertypemap: fonts",
        )
    )
    with pytest.raises(ConfigError, match=r"lettertypemap .* is not a folder"):
        load_settings(config)


def test_missing_output_folder_writes_nothing(workspace: Path) -> None:
    settings = load_settings(workspace / "toetreding.yaml")
    with pytest.raises(OutputError, match="does not exist"):
        render_statement(workspace / "verzoek.yaml", workspace / "nee" / "uit.pdf", settings)
    assert not (workspace / "nee").exists()


def test_input_is_never_overwritten(workspace: Path) -> None:
    settings = load_settings(workspace / "toetreding.yaml")
    with pytest.raises(OutputError, match="also the input"):
        render_statement(workspace / "verzoek.yaml", workspace / "verzoek.yaml", settings)


def test_failed_render_leaves_nothing_behind(workspace: Path) -> None:
    config = workspace / "toetreding.yaml"
    config.write_text(config.read_text().replace("Libertinus Serif", "Geen Bestaand Font"))
    with pytest.raises(RenderError):
        render_statement(workspace / "verzoek.yaml", workspace / "uit.pdf", load_settings(config))
    assert not (workspace / "uit.pdf").exists()
    assert not list(workspace.glob(".*.part"))


def test_templates_hold_no_covenant_specific_words() -> None:
    """Everything about a covenant is data: its names may not be written into a template."""
    from toetreding.inputs import load_model
    from toetreding.model import Covenant

    covenant = load_model(EXAMPLE_DIR / "convenant.yaml", Covenant)
    coordinator = covenant.coordinator
    facts = [
        covenant.title,
        covenant.short_title or "",
        covenant.publication,
        covenant.accession_article,
        covenant.announcement or "",
        coordinator.name.removeprefix("de "),
        coordinator.place,
        coordinator.authority.signer.function,
        "radicalisering",
        "Justitie",
        *covenant.parties,
    ]
    templates = sorted((ROOT_DIR / "templates").rglob("*.typ*"))
    assert len(templates) >= 4
    for template in templates:
        text = template.read_text(encoding="utf-8").lower()
        for fact in facts:
            assert fact.strip().lower() not in text, f"{template}: {fact!r} belongs in the data"
