"""Data never becomes markup: any text from YAML comes out of the PDF exactly as written.

Property-based: hypothesis generates arbitrary text (over the characters the bundled font
can show), we put it into the statement, render a real PDF, and read the text back with
poppler's pdftotext. The text between two fixed neighbours must be the input, character
for character (whitespace aside, since line breaking is the layout's business).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toetreding.model import Statement
from toetreding.render import StatementRenderer
from toetreding.render.escape import finalize, string_literal

from .conftest import needs_poppler, pdf_text, squash

HOSTILE = (
    'Gemeente #read("/etc/passwd") *vet* $x$ <lab> @ref _x_ `c` [a] {b} '
    "{{ 7*7 }} {% if x %}ja{% endif %} \\ \"q\" 'q' ... -- --- // /* x */ = - + ~ ; ) ] #} \\u{41}"
)

# Latin-1 and Latin Extended-A minus controls and invisible characters: what Libertinus shows.
_TEXT = st.characters(
    min_codepoint=0x20,
    max_codepoint=0x17F,
    exclude_characters="\x7f\xa0\xad",
    exclude_categories=("Cc", "Cs"),
)
_SPECIALS = st.sampled_from(list("#*$<>@_`[]{}\\\"'/=-+~;().:,%!?&|^"))


def _with_address(statement: Statement, address: str) -> Statement:
    party = statement.request.party.model_copy(update={"address": address})
    request = statement.request.model_copy(update={"party": party})
    return statement.model_copy(update={"request": request})


def _address_in_pdf(renderer: StatementRenderer, statement: Statement, text: str, tmp: Path) -> str:
    rendered = renderer.render(_with_address(statement, text))
    layer = squash(pdf_text(rendered.pdf, tmp))
    start = layer.index("(CBS-codeGM0406),") + len("(CBS-codeGM0406),")
    end = layer.index(",opgrondvanartikel171")
    return layer[start:end]


def test_finalize_makes_inert_string_expressions() -> None:
    assert finalize('a"b\\c\nd') == '#("a\\"b\\\\c\\nd");'
    assert string_literal("x") == '"x"'
    assert finalize(None) == ""


@needs_poppler
def test_hostile_text_renders_literally(
    renderer: StatementRenderer, example_statement: Statement, tmp_path: Path
) -> None:
    assert _address_in_pdf(renderer, example_statement, HOSTILE, tmp_path) == squash(HOSTILE)


@needs_poppler
def test_hostile_text_does_not_change_the_rest_of_the_document(
    renderer: StatementRenderer, example_statement: Statement, tmp_path: Path
) -> None:
    plain = squash(pdf_text(renderer.render(_with_address(example_statement, "X")).pdf, tmp_path))
    hostile = squash(
        pdf_text(renderer.render(_with_address(example_statement, HOSTILE)).pdf, tmp_path)
    )
    # a longer address may move a block to the next page: compare without the page footers
    footer = re.compile(r"ToetredingsverklaringgemeenteHuizenpagina\d+van\d+")
    assert len(footer.findall(plain)) >= 2
    assert footer.sub("", hostile.replace(squash(HOSTILE), "X", 1)) == footer.sub("", plain)


@needs_poppler
@settings(
    max_examples=int(os.environ.get("TOETREDING_ROUNDTRIP_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(st.one_of(_TEXT, _SPECIALS), min_size=1, max_size=60))
def test_any_text_round_trips_through_the_pdf(
    renderer: StatementRenderer, example_statement: Statement, tmp_path: Path, text: str
) -> None:
    if not text.strip():
        return  # blank text is refused by the model; covered in test_inputs
    assert _address_in_pdf(renderer, example_statement, text.strip(), tmp_path) == squash(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_typst_string_literal_round_trips(text: str) -> None:
    """The literal, read back the way Typst reads string escapes, gives the input."""
    literal = string_literal(text)
    assert literal[0] == literal[-1] == '"'
    body = literal[1:-1]
    decoded, index = [], 0
    escapes = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}
    while index < len(body):
        char = body[index]
        assert char != '"', "an unescaped quote would end the string early"
        if char == "\\":
            decoded.append(escapes[body[index + 1]])
            index += 2
        else:
            decoded.append(char)
            index += 1
    assert "".join(decoded) == text


@pytest.mark.parametrize("value", [True, False, 12, 3.5])
def test_non_text_values_become_text(value: object) -> None:
    assert finalize(value).startswith('#("')
