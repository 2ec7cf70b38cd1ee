"""Reading YAML: valid files load; every kind of bad input is located and explained."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from toetreding.errors import InputFileError, ValidationFailed
from toetreding.inputs import load_request, read_yaml
from toetreding.model import LinkKind
from toetreding.municipalities import all_municipalities, lookup


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(request: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        load_request(request)
    return [str(p) for p in caught.value.problems]


def test_example_loads_into_a_complete_statement(workspace: Path) -> None:
    statement = load_request(workspace / "verzoek.yaml")
    assert statement.municipality_name == "Huizen"
    assert statement.request.date == dt.date(2026, 11, 24)
    assert statement.accession_decision.reference == "Z-2026-04512"
    assert statement.authority.chain[0].kind is LinkKind.REPRESENTATION
    assert statement.authority.chain[0].effective_legal_basis.startswith("artikel 171")
    assert statement.covenant.id == "pga-radicalisering-2018"


def test_municipality_list_has_342_entries_and_official_names() -> None:
    municipalities = all_municipalities()
    assert len(municipalities) == 342
    laren = lookup("GM0417")
    assert laren is not None and laren.cbs_name == "Laren (NH.)"
    assert laren.official_name == "Laren"
    suffixed = [m for m in municipalities.values() if "(" in m.cbs_name]
    assert len(suffixed) == 8
    assert all("(" not in m.official_name for m in suffixed)
    assert lookup("gm0406") is not None  # codes are case-insensitive on input


def test_unknown_key_is_located_with_its_path(workspace: Path) -> None:
    edit(workspace / "verzoek.yaml", "  cbs_code: GM0406\n", "  cbs_code: GM0406\n  kleur: rood\n")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "verzoek.yaml:10:3: partij.kleur: unknown key" in problem
    assert "toetreding schema" in problem


def test_unknown_cbs_code_says_how_to_fix(workspace: Path) -> None:
    edit(workspace / "verzoek.yaml", "GM0406", "GM9999")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert ":9:3: partij.cbs_code:" in problem
    assert "not one of the 342 municipalities" in problem


def test_malformed_cbs_code(workspace: Path) -> None:
    edit(workspace / "verzoek.yaml", "GM0406", "GM406")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "write 'GM' and four digits" in problem


def test_values_are_quoted_as_written_not_as_yaml_read_them(workspace: Path) -> None:
    edit(workspace / "verzoek.yaml", "GM0406", "0406")  # YAML 1.1 reads this as octal 262
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "(found '0406')" in problem and "262" not in problem


def test_impossible_date_is_a_located_error_not_a_crash(workspace: Path) -> None:
    edit(workspace / "verzoek.yaml", "datum: 2026-11-24", "datum: 2019-02-30")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "verzoek.yaml:20:1: datum:" in problem
    assert "YYYY-MM-DD" in problem


def test_wrong_type_suggests_quotes(workspace: Path) -> None:
    edit(workspace / "bevoegdheid.yaml", 'kenmerk: "Z-2026-04512"', "kenmerk: 2019")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "bevoegdheid.yaml:12:5: besluiten[0].kenmerk:" in problem
    assert "quotes" in problem


def test_all_problems_in_a_file_are_reported_at_once(workspace: Path) -> None:
    edit(workspace / "verzoek.yaml", "plaats: Huizen", "plaats: [Huizen]")
    edit(workspace / "verzoek.yaml", "GM0406", "GM9999")
    edit(
        workspace / "verzoek.yaml",
        "  naam: Team Openbare Orde en Veiligheid",
        "  naam: Team Openbare Orde en Veiligheid\n  rol: x",
    )
    assert len(problems_of(workspace / "verzoek.yaml")) == 3


def test_yaml_syntax_error_has_line_and_column(workspace: Path) -> None:
    (workspace / "verzoek.yaml").write_text("convenant: [convenant.yaml\nplaats: x\n")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "YAML syntax error" in problem
    assert problem.startswith(f"{workspace / 'verzoek.yaml'}:2:")


def test_duplicate_key_is_reported(workspace: Path) -> None:
    edit(workspace / "verzoek.yaml", "plaats: Huizen\n", "plaats: Huizen\nplaats: Blaricum\n")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "appears twice" in problem and "verzoek.yaml:18:1: plaats:" in problem


def test_missing_request_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        load_request(tmp_path / "nope.yaml")


def test_missing_referenced_file_points_at_the_key(workspace: Path) -> None:
    (workspace / "convenant.yaml").unlink()
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "verzoek.yaml:5:1: convenant: names 'convenant.yaml', which does not exist" in problem


def test_unreadable_file_is_explained(workspace: Path) -> None:
    (workspace / "verzoek.yaml").write_bytes(b"partij: \xff\xfe\n")
    with pytest.raises(InputFileError, match="not UTF-8"):
        load_request(workspace / "verzoek.yaml")


def test_empty_file(workspace: Path) -> None:
    (workspace / "verzoek.yaml").write_text("# nothing here\n")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "empty" in problem


def test_control_characters_are_refused(workspace: Path) -> None:
    edit(workspace / "verzoek.yaml", "plaats: Huizen", 'plaats: "Hui\\u202ezen"')
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "U+202E" in problem


def test_decision_reference_must_resolve(workspace: Path) -> None:
    edit(
        workspace / "bevoegdheid.yaml",
        "    besluit: kb-benoeming-burgemeester",
        "    besluit: raad-2019",
    )
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "keten[0].besluit names 'raad-2019'" in problem


def test_accession_decision_must_exist(workspace: Path) -> None:
    edit(
        workspace / "verzoek.yaml",
        "toetredingsbesluit: college-2026-11-10",
        "toetredingsbesluit: x",
    )
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "toetredingsbesluit: 'x' is not a decision" in problem


OLD_COVENANT = """\
id: pga-radicalisering-2018
titel: Modelconvenant persoonsgerichte aanpak voorkoming radicalisering en extremisme
versie: "2018"
coordinerende_partij:
  naam: de Minister van Justitie en Veiligheid
  vertegenwoordigd_door: de Nationaal Coördinator Terrorismebestrijding en Veiligheid, namens deze
  plaats: Den Haag
toetredingsartikel: artikel 16
"""


def test_a_covenant_file_of_the_old_form_says_what_to_add(workspace: Path) -> None:
    (workspace / "convenant.yaml").write_text(OLD_COVENANT, encoding="utf-8")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "convenant.yaml" in problem
    for wanted in (
        "'partijvorm'",
        "'datum'",
        "'publicatie'",
        "'coordinerende_partij.bevoegdheid'",
        "examples/huizen/convenant.yaml",
    ):
        assert wanted in problem, problem
    # with those added, the coordinator's old key is named with what replaces it
    text = OLD_COVENANT.replace(
        'versie: "2018"\n',
        'versie: "2018"\ndatum: 2018-12-14\npublicatie: Stcrt. 2019, 1\npartijvorm: rechtspersoon\n',
    )
    (workspace / "convenant.yaml").write_text(text, encoding="utf-8")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "vertegenwoordigd_door" in problem and "'coordinerende_partij.bevoegdheid'" in problem


def test_a_chain_of_the_old_form_says_representation_comes_from_the_law(workspace: Path) -> None:
    edit(
        workspace / "bevoegdheid.yaml",
        "  - soort: vertegenwoordiging          # by law: no 'van'\n",
        "  - soort: vertegenwoordiging\n    van: college van burgemeester en wethouders\n",
    )
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "bevoegdheid.yaml" in problem and "comes from the law" in problem
    assert "remove 'van'" in problem and "geldig_tot" in problem


def test_the_party_form_must_fit_the_organs(workspace: Path) -> None:
    edit(workspace / "convenant.yaml", "partijvorm: rechtspersoon\n", "partijvorm: organen\n")
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "organen" in problem and "college, burgemeester" in problem
    edit(
        workspace / "convenant.yaml",
        "partijvorm: organen\n",
        "partijvorm: organen\norganen: [raad]\n",
    )
    [problem] = problems_of(workspace / "verzoek.yaml")
    assert "organen" in problem


def test_the_organ_form_example_loads(workspace: Path) -> None:
    statement = load_request(workspace / "verzoek-organen.yaml")
    assert statement.covenant.party_form.value == "organen"
    assert statement.authority.chain[0].kind is LinkKind.MANDATE
    assert statement.authority.chain[0].effective_legal_basis == (
        "artikel 10:3 Algemene wet bestuursrecht"
    )


def test_timestamps_stay_text_until_validated(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("datum: 2019-05-14\nnaam: x\n")
    document = read_yaml(path)
    assert document.data == {"datum": "2019-05-14", "naam": "x"}
    assert document.locate(("naam",)) == (2, 1)


def test_decision_document_is_pinned_by_its_hash(workspace: Path) -> None:
    import hashlib

    from toetreding.errors import ValidationFailed
    from toetreding.inputs import load_request

    besluit = workspace / "besluit.pdf"
    besluit.write_bytes(b"%PDF-1.7 het getekende collegebesluit")
    authority = workspace / "bevoegdheid.yaml"
    text = authority.read_text(encoding="utf-8")
    good = hashlib.sha256(besluit.read_bytes()).hexdigest()
    pinned = text.replace(
        '    kenmerk: "Z-2026-04512"\n',
        f'    kenmerk: "Z-2026-04512"\n    document:\n      bestand: besluit.pdf\n      sha256: {good}\n',
    )
    assert pinned != text
    authority.write_text(pinned, encoding="utf-8")
    assert load_request(workspace / "verzoek.yaml").authority.decisions[0].document is not None
    besluit.write_bytes(b"%PDF-1.7 een ander besluit")
    with pytest.raises(ValidationFailed) as caught:
        load_request(workspace / "verzoek.yaml")
    message = str(caught.value)
    assert "bevoegdheid.yaml:" in message and "besluiten[0].document.sha256" in message
    besluit.unlink()
    with pytest.raises(ValidationFailed, match="does not exist"):
        load_request(workspace / "verzoek.yaml")


@pytest.mark.parametrize(
    ("written", "wanted"),
    [
        ("[1, 2]", "toetredingsbesluit[0]: Input should be a valid string"),
        ("{a: b}", "toetredingsbesluit: Input should be a valid list"),
        ("''", "toetredingsbesluit[0]: is empty"),
        ("[college-2026-11-10, college-2026-11-10]", "names one twice"),
    ],
)
def test_a_bad_list_of_decisions_to_join_is_said_plainly(
    workspace: Path, written: str, wanted: str
) -> None:
    edit(
        workspace / "verzoek.yaml",
        "toetredingsbesluit: college-2026-11-10",
        f"toetredingsbesluit: {written}",
    )
    problem = "\n".join(problems_of(workspace / "verzoek.yaml"))
    assert wanted in problem and "function-after" not in problem, problem
