"""The English statement: a complete, clearly labelled unofficial translation.

Every sentence is English; Dutch appears only in brackets, as the legal term beside its
translation ("Mayor (burgemeester)") or as the authentic title. The check that proves it
reads the PDF's text layer with poppler, removes what is in brackets, and looks for Dutch
words; it is itself checked against the Dutch statement, so it cannot pass by being blind.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from toetreding.config import load_settings
from toetreding.errors import InputFileError
from toetreding.inputs import load_model, load_request
from toetreding.model import Covenant, Language
from toetreding.render import StatementRenderer
from toetreding.render.english import (
    make_glossary,
    translate_citation,
    translate_publication,
    translate_role,
    translate_term,
)

from .conftest import ROOT, needs_poppler, pdf_text, squash

DUTCH = (
    "namens",
    "Overwegende",
    "verklaart",
    "verklaren",
    "de gemeente",
    "van de",
    "het",
    "en",
    "van",
    "ondertekend",
    "Aldus",
    "artikel",
    "lid",
    "onder",
    "Bijlage",
    "Ondertekening",
    "Ondergetekende",
    "Instemming",
    "instemt",
    "toetreding",
    "toe te treden",
    "besluit",
    "kenmerk",
    "Stap",
    "Geldig",
    "burgemeester",
    "wethouders",
    "college",
    "Gemeentewet",
    "Algemene wet bestuursrecht",
    "Staatscourant",
    "Contactpersoon",
    "bijlagen",
    "zonder voorbehoud",
)
"""Dutch words and phrases that a Dutch sentence of a statement can hardly do without."""

ENGLISH_BLOCK = re.compile(
    r"^# The covenant's text in English.*?(?=^# The coordinating party)", re.M | re.S
)


def _render(workspace: Path, request: str, language: Language = Language.ENGLISH) -> bytes:
    settings = load_settings(workspace / "toetreding.yaml")
    with StatementRenderer(settings) as renderer:
        return renderer.render(load_request(workspace / request), language).pdf


def _text(pdf: bytes, tmp_path: Path) -> str:
    return re.sub(r"\s+", " ", pdf_text(pdf, tmp_path))


def _outside_brackets(text: str) -> str:
    """The text with every bracketed part removed, innermost first."""
    while True:
        stripped = re.sub(r"\([^()]*\)", " ", text)
        if stripped == text:
            return text
        text = stripped


def dutch_found(text: str) -> list[str]:
    """The Dutch words and phrases in ``text`` outside brackets, as whole words."""
    outside = _outside_brackets(text)
    return [
        phrase
        for phrase in DUTCH
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", outside, re.IGNORECASE)
    ]


# ---------------------------------------------------------------- the whole statement


@needs_poppler
def test_the_dutch_check_sees_dutch(workspace: Path, tmp_path: Path) -> None:
    """The check is not blind: the Dutch statement trips it on almost every word."""
    text = _text(_render(workspace, "verzoek.yaml", Language.DUTCH), tmp_path)
    found = dutch_found(text)
    assert {"namens", "Overwegende", "Aldus", "artikel", "het", "en", "Instemming"} <= set(found)
    assert dutch_found("Mayor (burgemeester van Huizen, namens deze) of Huizen") == []
    assert dutch_found("the Mayor (burgemeester (van Huizen)) en") == ["en"]


@needs_poppler
@pytest.mark.parametrize("request_file", ["verzoek.yaml", "verzoek-organen.yaml"])
def test_every_sentence_is_english(workspace: Path, tmp_path: Path, request_file: str) -> None:
    text = _text(_render(workspace, request_file), tmp_path)
    # the contact is the workspace's own name for its mailbox (a name, not a sentence)
    contact = text[text.index("Contact person") : text.index("Signature Signed")]
    assert "Team Openbare Orde en Veiligheid" in contact
    assert dutch_found(text.replace(contact, " ")) == [], text


@needs_poppler
@pytest.mark.parametrize("request_file", ["verzoek.yaml", "verzoek-organen.yaml"])
def test_headed_as_an_unofficial_translation(
    workspace: Path, tmp_path: Path, request_file: str
) -> None:
    text = _text(_render(workspace, request_file), tmp_path)
    head = text[: text.index("The undersigned")]
    assert "Unofficial translation." in head
    assert "Only the Dutch text is authentic." in head
    assert "(Convenant persoonsgerichte aanpak voorkoming radicalisering en extremisme)" in head
    assert text.count("unofficial translation") >= 3, "every page footer says so"


@needs_poppler
def test_legal_person_statement_says_what_the_dutch_says(workspace: Path, tmp_path: Path) -> None:
    text = squash(_text(_render(workspace, "verzoek.yaml"), tmp_path))
    for phrase in (
        "The municipality of Huizen (gemeente Huizen, CBS code GM0406)",
        "represented under Article 171(1) of the Municipalities Act (Gemeentewet) by its Mayor "
        "(burgemeester), mr. J. de Vries",
        "the decision of the Municipal Executive (college van burgemeester en wethouders) of "
        "10 November 2026 (reference Z-2026-04512), taken under Article 160(1)(e) of the "
        "Municipalities Act (Gemeentewet)",
        "the Covenant on the person-centred approach to preventing radicalisation and extremism "
        "of 14 December 2018 (Government Gazette, Stcrt. 2019, 12345), with annexes",
        "accepts without reservation the rights and obligations",
        "Requests the Minister of Justice and Security to consent to this accession,",
        "and takes note that under Article 16 of the covenant it becomes a party from the day on "
        "which the Minister of Justice and Security consents to the accession in writing (the "
        "date of the electronic signature under the consent)",
        "announced in the Government Gazette (Staatscourant)",
        "Signed electronically at Huizen on the date shown in the electronic signature (in the "
        "Dutch original).",
        "The municipality of Huizen, the Mayor (burgemeester),",
        "The Minister of Justice and Security consents to the accession of the municipality of Huizen",
        "Signed electronically at The Hague on the date shown in the electronic signature (in the "
        "Dutch original).",
        "The Minister of Justice and Security, on behalf of the above (namens deze), the National "
        "Coordinator for Security and Counterterrorism",
        "This translation carries no signatures",
        "Annex: authority to sign",
        "Representation by operation of law (vertegenwoordiging van rechtswege)",
        "Appointment: The King (Royal Decree, koninklijk besluit), 22 May 2023",
        "Term of office from 1 June 2023 up to and including 31 May 2029",
        "Signing formula in the electronic signature: Mayor of Huizen, on behalf of the "
        "municipality of Huizen",
    ):
        assert squash(phrase) in text, phrase
    assert squash("Toetreden tot het convenant") not in text, "decision subjects stay out"


@needs_poppler
def test_organs_statement_has_the_awb_10_10_formula_in_english(
    workspace: Path, tmp_path: Path
) -> None:
    text = squash(_text(_render(workspace, "verzoek-organen.yaml"), tmp_path))
    for phrase in (
        "The Municipal Executive (college van burgemeester en wethouders) of Huizen "
        "(municipality of Huizen, CBS code GM0406)",
        "acting herein through mr. J. de Vries, Mayor (burgemeester) of Huizen, by mandate "
        "(mandaat) under Article 10:3 of the General Administrative Law Act (Algemene wet "
        "bestuursrecht), granted by decision of 10 November 2026 (reference Z-2026-04512)",
        "The Municipal Executive (burgemeester en wethouders) of Huizen, for the Municipal "
        "Executive (namens deze), the Mayor (burgemeester),",
        "consents to the accession of the Municipal Executive (college van burgemeester en "
        "wethouders) of Huizen",
        "Mandate (mandaat)",
    ):
        assert squash(phrase) in text, phrase


def test_the_translation_cannot_be_signed(workspace: Path, tmp_path: Path) -> None:
    """Only the Dutch text is authentic: the translation has no fields, and `sign` says why."""
    from toetreding.errors import SigningError
    from toetreding.sign import SignerChoice, sign_file

    settings = load_settings(workspace / "toetreding.yaml")
    with StatementRenderer(settings) as renderer:
        for request in ("verzoek.yaml", "verzoek-organen.yaml"):
            rendered = renderer.render(load_request(workspace / request), Language.ENGLISH)
            assert [f.name for f in rendered.fields] == []
            dutch = renderer.render(load_request(workspace / request), Language.DUTCH)
            assert [f.name for f in dutch.fields] == [
                "ondertekening-partij",
                "instemming-coordinator",
            ]
    english = tmp_path / "translation.pdf"
    english.write_bytes(rendered.pdf)
    with pytest.raises(SigningError, match="unofficial English translation") as refused:
        sign_file(settings, english, tmp_path / "signed.pdf", SignerChoice())
    assert "--lang nl" in (refused.value.hint or "")
    assert not (tmp_path / "signed.pdf").exists()


def test_every_example_covenant_has_a_complete_english_text() -> None:
    for path in (
        ROOT / "examples" / "huizen" / "convenant.yaml",
        ROOT / "examples" / "huizen" / "convenant-organen.yaml",
        ROOT / "examples" / "batch" / "convenant.yaml",
    ):
        covenant = load_model(path, Covenant)
        assert covenant.english is not None, path
        assert len(covenant.english.recitals) == len(covenant.recitals), path
        assert len(covenant.english.parties) == len(covenant.parties), path


# ------------------------------------------------------------ when English is missing


def _without_english(workspace: Path) -> None:
    covenant = workspace / "convenant.yaml"
    text, count = ENGLISH_BLOCK.subn("", covenant.read_text(encoding="utf-8"))
    assert count == 1
    covenant.write_text(text, encoding="utf-8")


def test_missing_english_text_is_a_clear_input_error(workspace: Path) -> None:
    _without_english(workspace)
    with pytest.raises(InputFileError, match="vertaling_en") as caught:
        _render(workspace, "verzoek.yaml")
    assert "titel" in str(caught.value) and "overwegingen" in str(caught.value)
    _render(workspace, "verzoek.yaml", Language.DUTCH)  # Dutch does not need it


def test_missing_english_text_on_the_command_line(workspace: Path) -> None:
    _without_english(workspace)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "toetreding",
            "render",
            "verzoek.yaml",
            "--lang",
            "en",
            "-o",
            "en.pdf",
        ],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "vertaling_en" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (workspace / "en.pdf").exists()


def test_english_recitals_must_match_the_dutch_ones(workspace: Path) -> None:
    covenant = workspace / "convenant.yaml"
    text = covenant.read_text(encoding="utf-8")
    cut = re.sub(r"(\n  overwegingen:[^\n]*\n    - [^\n]*\n)    - [^\n]*\n", r"\1", text, count=1)
    assert cut != text
    covenant.write_text(cut, encoding="utf-8")
    with pytest.raises(InputFileError, match=r"vertaling_en\.overwegingen' has 1 item"):
        _render(workspace, "verzoek.yaml")


def test_untranslated_extra_recitals_are_refused(workspace: Path) -> None:
    request = workspace / "verzoek.yaml"
    request.write_text(
        request.read_text(encoding="utf-8")
        + "aanvullende_overwegingen:\n  - de gemeente een eigen aanpak heeft;\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match="aanvullende_overwegingen"):
        _render(workspace, "verzoek.yaml")


# ---------------------------------------------------------------- names and citations


@pytest.mark.parametrize(
    ("dutch", "english"),
    [
        (
            "artikel 171, eerste lid, Gemeentewet",
            "Article 171(1) of the Municipalities Act (Gemeentewet)",
        ),
        (
            "artikel 160, eerste lid, onder e, Gemeentewet",
            "Article 160(1)(e) of the Municipalities Act (Gemeentewet)",
        ),
        (
            "artikel 10:3 Algemene wet bestuursrecht",
            "Article 10:3 of the General Administrative Law Act (Algemene wet bestuursrecht)",
        ),
        ("artikel 16", "Article 16"),
        ("artikel 16 van het convenant", "Article 16 of the covenant"),
        ("art. 171 lid 2 Gemw", "Article 171(2) of the Municipalities Act (Gemeentewet)"),
        (
            "artikel 3.3, tweede lid, onder f, Woo",
            "Article 3.3(2)(f) of the Open Government Act (Wet open overheid)",
        ),
        (
            "artikel 6 AVG",
            "Article 6 of the General Data Protection Regulation "
            "(Algemene verordening gegevensbescherming)",
        ),
        ("artikel 2 Mandaatregeling JenV", "Article 2 of Mandaatregeling JenV"),
        ("aanwijzing 6", "aanwijzing 6"),
        ("Reclassering Nederland", "Reclassering Nederland"),
    ],
)
def test_citations(dutch: str, english: str) -> None:
    assert translate_citation(dutch) == english


@pytest.mark.parametrize(
    ("dutch", "english"),
    [
        (
            "college van burgemeester en wethouders",
            "Municipal Executive (college van burgemeester en wethouders)",
        ),
        ("burgemeester van Huizen", "Mayor (burgemeester) of Huizen"),
        ("locoburgemeester van Laren", "Deputy Mayor (locoburgemeester) of Laren"),
        ("wethouder van de gemeente Ede", "Alderman (wethouder) of the municipality of Ede"),
        ("De gemeente Huizen", "The municipality of Huizen"),
        ("de Koning (koninklijk besluit)", "the King (Royal Decree, koninklijk besluit)"),
        ("gemeentesecretaris", "Municipal Secretary (gemeentesecretaris)"),
        ("de Staatscourant", "the Government Gazette (Staatscourant)"),
        ("Den Haag", "The Hague"),
        ("Raad van State", "Raad van State"),
        ("College van Beroep voor het bedrijfsleven", "College van Beroep voor het bedrijfsleven"),
        ("burgemeester van de raad", "burgemeester van de raad"),
        ("mr. J. de Vries", "mr. J. de Vries"),
    ],
)
def test_built_in_terms(dutch: str, english: str) -> None:
    assert translate_term(dutch) == english


def test_covenant_terms_extend_and_override_the_glossary() -> None:
    words = make_glossary(
        {
            "de Minister van Justitie en Veiligheid": "the Minister of Justice and Security",
            "burgemeester": "Burgomaster",
        }
    )
    assert translate_term("Minister van Justitie en Veiligheid", words) == (
        "Minister of Justice and Security"
    )
    assert translate_term("de Minister van Justitie en Veiligheid", words) == (
        "the Minister of Justice and Security"
    )
    assert translate_term("burgemeester van Huizen", words) == "Burgomaster of Huizen"
    assert translate_term("Minister van Justitie en Veiligheid") == (
        "Minister van Justitie en Veiligheid"
    )


def test_signing_formula_and_publication() -> None:
    assert translate_role("burgemeester van Huizen, namens de gemeente Huizen") == (
        "Mayor of Huizen, on behalf of the municipality of Huizen"
    )
    assert translate_role(
        "burgemeester van Huizen, namens het college van burgemeester en wethouders van Huizen"
    ) == ("Mayor of Huizen, on behalf of the Municipal Executive of Huizen")
    assert translate_publication("Stcrt. 2019, 12345") == "Government Gazette, Stcrt. 2019, 12345"
    assert (
        translate_publication("Staatsblad 2019, 1") == "Bulletin of Acts and Decrees, Stb. 2019, 1"
    )
    assert translate_publication("https://example.org/c") == "https://example.org/c"
