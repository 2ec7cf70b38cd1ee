"""MDTO-XML: what we write is valid against Nationaal Archief's XSD and says what we meant.

Validity alone proves little (a document with every optional element missing is valid), so
the realistic statement is also read back with lxml, independently of the writer, to check
that each value landed in the element it belongs in and that the elements come in the order
of the XSD's sequences. The validator is shown to be able to fail: on broken documents, and
on one of Nationaal Archief's own examples, which (at v1.0.2) does not validate.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from toetreding.archive import mdto
from toetreding.archive.mdto import (
    Concept,
    Event,
    FileObject,
    Identification,
    InformationObject,
    Involved,
    Reference,
    RelatedObject,
    Retention,
    add_duration,
    file_xml,
    information_object_xml,
    parse_duration,
    validate,
)

SHARED = Path("/work/shared/data/mdto")
NS = {"m": mdto.NAMESPACE}
XSD_NS = {"xsd": "http://www.w3.org/2001/XMLSchema"}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REGISTER = "Registratie toetredingsverklaringen gemeente Huizen"
TITLE = "Toetredingsverklaring Convenant Duurzame Inkoop Gooi en Vecht 2026–2030"
PDF_NAME = "toetredingsverklaring-2026-0412.pdf"
PDF_BYTES = b"%PDF-1.7 stand-in for the signed statement\n"


def huizen() -> Reference:
    return mdto.tooi_organisation("gemeente Huizen", "gm0406")


def statement(
    *, appraisal: Concept | None = None, retention: Retention | None = None, name: str = TITLE
) -> InformationObject:
    """A signed, validated accession statement of gemeente Huizen."""
    signed_mayor = dt.datetime(2026, 3, 4, 10, 15, 7, 250_000, tzinfo=AMSTERDAM)
    return InformationObject(
        identifications=(Identification("2026/0412", REGISTER),),
        name=name,
        aggregation_level=mdto.aggregation_archiefstuk(),
        classification=(Concept("Toetredingsverklaring", "TV", "Documenttypen gemeente Huizen"),),
        description="Toetreding van de gemeente Huizen tot het convenant.",
        language="nl",
        events=(
            Event(
                mdto.event_type(mdto.CREATION),
                dt.datetime(2026, 3, 2, 9, 30, tzinfo=AMSTERDAM),
                Reference("Afdeling Bestuursondersteuning"),
            ),
            Event(
                mdto.event_type(mdto.SIGNING),
                signed_mayor,
                Reference(
                    "Burgemeester van Huizen", Identification("B-001", "Personeelsregistratie")
                ),
            ),
            Event(
                mdto.event_type(mdto.SIGNING),
                dt.datetime(2026, 3, 4, 11, 2, 0, tzinfo=AMSTERDAM),
                Reference("Gemeentesecretaris van Huizen"),
            ),
            Event(
                mdto.event_type(mdto.SIGNATURE_VALIDATION),
                dt.datetime(2026, 3, 5, 8, 0, 0, tzinfo=dt.UTC),
                Reference("Adviseur informatiebeheer"),
                "geslaagd (PASSED): 2 handtekeningen, PAdES B-LTA",
            ),
        ),
        appraisal=appraisal or mdto.appraisal_permanent(),
        retention=retention,
        information_category=Concept(
            "Overeenkomsten en convenanten", "1.1", "Selectielijst gemeenten (testwaarde)"
        ),
        part_of=(
            Reference("Dossier convenant duurzame inkoop", Identification("Z-2026-88", REGISTER)),
        ),
        representations=(Reference(PDF_NAME, Identification("2026/0412-1", REGISTER)),),
        related=(
            RelatedObject(
                Reference(
                    "Collegebesluit toetreding convenant", Identification("2026/0398", REGISTER)
                ),
                mdto.relation_type("Heeft nodig"),
            ),
            RelatedObject(
                Reference(
                    "Convenant Duurzame Inkoop Gooi en Vecht",
                    Identification("CV-17", "Convenantregister"),
                ),
                mdto.relation_type("Refereert aan"),
            ),
            RelatedObject(
                Reference("Instemming gemeenteraad", Identification("2026/0377", REGISTER)),
                mdto.relation_type("Heeft nodig"),
            ),
        ),
        archive_creator=huizen(),
        involved=(
            Involved(mdto.involved_relation("Belanghebbende"), Reference("Secretariaat convenant")),
        ),
        use_restrictions=(mdto.no_use_restriction(),),
    )


def pdf_file(**changes: Any) -> FileObject:
    values: dict[str, Any] = {
        "identification": Identification("2026/0412-1", REGISTER),
        "name": PDF_NAME,
        "size": len(PDF_BYTES),
        "format": mdto.pronom_pdfa_2a(),
        "checksum_algorithm": mdto.sha256_algorithm(),
        "checksum_value": hashlib.sha256(PDF_BYTES).hexdigest(),
        "checksum_date": dt.datetime(2026, 3, 5, 8, 1, 30, 999_999, tzinfo=AMSTERDAM),
        "represents": Reference(TITLE, Identification("2026/0412", REGISTER)),
    }
    values.update(changes)
    return FileObject(**values)


def read(xml: bytes) -> Any:
    """Parse independently of the writer (lxml, not ElementTree)."""
    return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))


def texts(root: Any, path: str) -> list[str]:
    return [str(element.text) for element in root.xpath(path, namespaces=NS)]


def local(element: Any) -> str:
    return str(etree.QName(element).localname)


def xsd_sequence(type_name: str) -> list[str]:
    """Element names of a complexType, in XSD order (base objectType first for extensions)."""
    xsd = etree.fromstring(
        resources.files("toetreding.archive").joinpath(mdto.XSD_NAME).read_bytes()
    )
    names: list[str] = []
    complex_type = xsd.find(f"xsd:complexType[@name='{type_name}']", XSD_NS)
    extension = complex_type.find(".//xsd:extension", XSD_NS)
    if extension is not None:
        names += xsd_sequence(extension.get("base"))
    names += [el.get("name") for el in complex_type.iterfind(".//xsd:sequence/xsd:element", XSD_NS)]
    return names


def in_xsd_order(children: list[str], order: list[str]) -> bool:
    positions = [order.index(name) for name in children]
    return positions == sorted(positions)


# --- The realistic statement --------------------------------------------------------------


@pytest.mark.parametrize(
    ("appraisal", "retention", "end"),
    [
        (mdto.appraisal_permanent(), None, None),
        (
            mdto.appraisal_temporary(),
            Retention("P10Y", dt.date(2026, 3, 5), mdto.event_type("Bevriezing")),
            "2036-03-05",
        ),
    ],
    ids=["B-blijvend", "V-P10Y"],
)
def test_statement_is_valid_and_every_value_is_where_it_belongs(
    appraisal: Concept, retention: Retention | None, end: str | None
) -> None:
    xml = information_object_xml(statement(appraisal=appraisal, retention=retention))
    assert validate(xml) == []

    root = read(xml)
    assert local(root) == "MDTO"
    assert root.get(f"{{{mdto._XSI}}}schemaLocation") == f"{mdto.NAMESPACE} MDTO-XML1.0.2.xsd"
    (obj,) = root
    assert local(obj) == "informatieobject"
    assert in_xsd_order([local(child) for child in obj], xsd_sequence("informatieobjectType"))

    assert texts(obj, "m:identificatie/m:identificatieKenmerk") == ["2026/0412"]
    assert texts(obj, "m:identificatie/m:identificatieBron") == [REGISTER]
    assert texts(obj, "m:naam") == [TITLE]
    assert texts(obj, "m:aggregatieniveau/m:begripLabel") == ["Archiefstuk"]
    assert texts(obj, "m:aggregatieniveau/m:begripBegrippenlijst/m:verwijzingNaam") == [
        "Begrippenlijst Aggregatieniveaus MDTO"
    ]
    assert texts(obj, "m:taal") == ["nl"]
    assert texts(obj, "m:event/m:eventType/m:begripLabel") == [
        "Creatie",
        "Accordering",
        "Accordering",
        "Validatie Handtekening",
    ]
    assert set(texts(obj, "m:event/m:eventType/m:begripBegrippenlijst/m:verwijzingNaam")) == {
        "Begrippenlijst EventTypeLijst MDTO"
    }
    assert texts(obj, "m:event/m:eventTijd") == [
        "2026-03-02T09:30:00+01:00",
        "2026-03-04T10:15:07+01:00",  # microseconds dropped, offset kept
        "2026-03-04T11:02:00+01:00",
        "2026-03-05T08:00:00+00:00",
    ]
    assert texts(obj, "m:event[2]/m:eventVerantwoordelijkeActor/m:verwijzingNaam") == [
        "Burgemeester van Huizen"
    ]
    assert texts(obj, "m:event[2]/m:eventVerantwoordelijkeActor//m:identificatieKenmerk") == [
        "B-001"
    ]
    assert texts(obj, "m:event/m:eventResultaat") == [
        "geslaagd (PASSED): 2 handtekeningen, PAdES B-LTA"
    ]
    assert obj.xpath("m:event[4]/m:eventResultaat", namespaces=NS)  # on the validation event

    assert texts(obj, "m:waardering/m:begripCode") == [appraisal.code]
    assert texts(obj, "m:waardering/m:begripLabel") == [appraisal.label]
    if retention is None:
        assert obj.xpath("m:bewaartermijn", namespaces=NS) == []
    else:
        assert texts(obj, "m:bewaartermijn/m:termijnLooptijd") == ["P10Y"]
        assert texts(obj, "m:bewaartermijn/m:termijnStartdatumLooptijd") == ["2026-03-05"]
        assert texts(obj, "m:bewaartermijn/m:termijnEinddatum") == [end]
        assert texts(obj, "m:bewaartermijn/m:termijnTriggerStartLooptijd/m:begripLabel") == [
            "Bevriezing"
        ]
    assert texts(obj, "m:informatiecategorie/m:begripCode") == ["1.1"]
    assert texts(obj, "m:isOnderdeelVan//m:identificatieKenmerk") == ["Z-2026-88"]
    assert texts(obj, "m:heeftRepresentatie/m:verwijzingNaam") == [PDF_NAME]

    related = obj.xpath("m:gerelateerdInformatieobject", namespaces=NS)
    assert [
        (
            texts(r, "m:gerelateerdInformatieobjectVerwijzing/m:verwijzingNaam")[0],
            texts(r, "m:gerelateerdInformatieobjectVerwijzing//m:identificatieKenmerk")[0],
            texts(r, "m:gerelateerdInformatieobjectTypeRelatie/m:begripLabel")[0],
        )
        for r in related
    ] == [
        ("Collegebesluit toetreding convenant", "2026/0398", "Heeft nodig"),
        ("Convenant Duurzame Inkoop Gooi en Vecht", "CV-17", "Refereert aan"),
        ("Instemming gemeenteraad", "2026/0377", "Heeft nodig"),
    ]
    for r in related:  # reference before relation type, as the XSD sequence has it
        assert [local(c) for c in r] == xsd_sequence("gerelateerdInformatieobjectGegevens")

    assert texts(obj, "m:archiefvormer/m:verwijzingNaam") == ["gemeente Huizen"]
    assert texts(obj, "m:archiefvormer//m:identificatieKenmerk") == ["gm0406"]
    assert texts(obj, "m:archiefvormer//m:identificatieBron") == ["TOOI"]
    assert texts(obj, "m:betrokkene/m:betrokkeneTypeRelatie/m:begripLabel") == ["Belanghebbende"]
    assert texts(obj, "m:beperkingGebruik/m:beperkingGebruikType/m:begripLabel") == [
        "Geen beperking"
    ]
    assert local(obj[-1]) == "beperkingGebruik"


def test_file_is_valid_and_every_value_is_where_it_belongs() -> None:
    xml = file_xml(pdf_file())
    assert validate(xml) == []
    (bestand,) = read(xml)
    assert local(bestand) == "bestand"
    assert [local(c) for c in bestand] == [
        n for n in xsd_sequence("bestandType") if n != "URLBestand"
    ]
    assert texts(bestand, "m:identificatie/m:identificatieKenmerk") == ["2026/0412-1"]
    assert texts(bestand, "m:naam") == [PDF_NAME]
    assert texts(bestand, "m:omvang") == [str(len(PDF_BYTES))]
    assert texts(bestand, "m:bestandsformaat/m:begripLabel") == ["PDF/A-2a"]
    assert texts(bestand, "m:bestandsformaat/m:begripCode") == ["fmt/476"]
    assert texts(bestand, "m:bestandsformaat//m:verwijzingNaam") == ["PRONOM-register"]
    assert texts(bestand, "m:checksum/m:checksumAlgoritme/m:begripLabel") == ["SHA-256"]
    assert texts(bestand, "m:checksum/m:checksumAlgoritme//m:verwijzingNaam") == [
        "Begrippenlijst ChecksumAlgoritme MDTO"
    ]
    assert texts(bestand, "m:checksum/m:checksumWaarde") == [hashlib.sha256(PDF_BYTES).hexdigest()]
    assert texts(bestand, "m:checksum/m:checksumDatum") == ["2026-03-05T08:01:30+01:00"]
    # The file points back at the informatieobject by the same kenmerk and source.
    assert texts(bestand, "m:isRepresentatieVan//m:identificatieKenmerk") == ["2026/0412"]
    assert texts(bestand, "m:isRepresentatieVan//m:identificatieBron") == [REGISTER]

    with_url = file_xml(pdf_file(url="https://archief.huizen.nl/stukken/2026-0412.pdf"))
    assert validate(with_url) == []
    (bestand,) = read(with_url)
    assert [local(c) for c in bestand] == xsd_sequence("bestandType")


def test_pdfa_3a_and_vocabulary_helpers() -> None:
    assert mdto.pronom_pdfa_3a() == Concept("PDF/A-3a", "fmt/479", "PRONOM-register")
    assert validate(file_xml(pdf_file(format=mdto.pronom_pdfa_3a()))) == []
    assert (
        mdto.event_type("Validatie Handtekening").list_name == "Begrippenlijst EventTypeLijst MDTO"
    )
    with pytest.raises(ValueError, match="'Ondertekening' is not in Begrippenlijst EventTypeLijst"):
        mdto.event_type("Ondertekening")
    with pytest.raises(ValueError, match="Relatietypen"):
        mdto.relation_type("Hoort bij")
    with pytest.raises(ValueError, match="'GM0406'"):
        mdto.tooi_organisation("gemeente Huizen", "GM0406")


# --- The validator can fail ---------------------------------------------------------------


def test_official_bestand_example_validates() -> None:
    example = SHARED / "voorbeeld-bestand.xml"
    if not example.exists():
        pytest.skip(f"{example} is not on this machine")
    assert validate(example.read_bytes()) == []


def test_official_informatieobject_example_fails_only_on_its_second_raadpleeglocatie() -> None:
    """Nationaal Archief's example repeats raadpleeglocatie, which the XSD allows once
    (maxOccurs=1; the choice inside it repeats). With the two merged it validates."""
    example = SHARED / "voorbeeld-archiefstuk-informatieobject.xml"
    if not example.exists():
        pytest.skip(f"{example} is not on this machine")
    raw = example.read_bytes()
    problems = validate(raw)
    assert len(problems) == 1
    assert problems[0].startswith(
        "line 27: Element 'raadpleeglocatie': This element is not expected"
    )

    root = read(raw)
    first, second = root.xpath("//m:raadpleeglocatie", namespaces=NS)
    for child in list(second):
        first.append(child)
    second.getparent().remove(second)
    assert validate(etree.tostring(root)) == []


def broken(xml: bytes, change: Any) -> bytes:
    root = read(xml)
    change(root[0])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def test_wrong_order_fails() -> None:
    def swap_name_and_identification(obj: Any) -> None:
        naam = obj.find("m:naam", NS)
        obj.remove(naam)
        obj.insert(0, naam)

    problems = validate(broken(information_object_xml(statement()), swap_name_and_identification))
    assert problems and "naam" in problems[0] and "not expected" in problems[0]
    assert problems[0].startswith("line ")


def test_events_after_waardering_fail() -> None:
    def move_event_last(obj: Any) -> None:
        event = obj.find("m:event", NS)
        obj.remove(event)
        obj.find("m:waardering", NS).addnext(event)

    problems = validate(broken(information_object_xml(statement()), move_event_last))
    assert any("'event'" in p and "not expected" in p for p in problems)


@pytest.mark.parametrize("required", ["waardering", "archiefvormer", "beperkingGebruik", "naam"])
def test_missing_required_element_fails(required: str) -> None:
    def drop(obj: Any) -> None:
        obj.remove(obj.find(f"m:{required}", NS))

    problems = validate(broken(information_object_xml(statement()), drop))
    assert problems, required
    assert any(required in p for p in problems), problems


def test_checksum_problems() -> None:
    """The XSD requires a checksumWaarde but not its length: an empty one fails the schema,
    a truncated one passes it, which is why FileObject checks the length itself."""
    valid = file_xml(pdf_file())

    def set_checksum(value: str) -> Any:
        def change(bestand: Any) -> None:
            bestand.find("m:checksum/m:checksumWaarde", NS).text = value

        return change

    assert validate(broken(valid, set_checksum("   ")))
    assert any("checksumWaarde" in p for p in validate(broken(valid, set_checksum(""))))
    assert validate(broken(valid, set_checksum("ab" * 31))) == []  # 62 digits: the XSD is blind

    with pytest.raises(ValueError, match="64 hexadecimal digits for SHA-256, got 63"):
        pdf_file(checksum_value="a" * 63)
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        pdf_file(checksum_value="g" * 64)
    # The example's spelling 'SHA256' gets the same check.
    with pytest.raises(ValueError, match="for SHA256"):
        pdf_file(
            checksum_algorithm=Concept("SHA256", None, mdto.CHECKSUM_ALGORITHM_LIST),
            checksum_value="a" * 40,
        )


def test_bad_values_and_bad_xml_fail() -> None:
    def bad_time(obj: Any) -> None:
        obj.find("m:event/m:eventTijd", NS).text = "2026-13-01"

    assert any(
        "eventTijd" in p for p in validate(broken(information_object_xml(statement()), bad_time))
    )

    def bad_size(bestand: Any) -> None:
        bestand.find("m:omvang", NS).text = "-1"

    assert any("omvang" in p for p in validate(broken(file_xml(pdf_file()), bad_size)))

    not_xml = validate(b'<?xml version="1.0"?>\n<MDTO>\n<informatieobject>\n</MDTO>')
    assert len(not_xml) == 1 and not_xml[0].startswith("line 4: ")

    other_namespace = information_object_xml(statement()).replace(
        mdto.NAMESPACE.encode(), b"https://example.org/not-mdto"
    )
    assert validate(other_namespace)


def test_validation_does_not_expand_entities() -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE MDTO [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<MDTO>&b;</MDTO>'
    )
    problems = validate(bomb)
    assert problems  # invalid, and answered without expanding &b;
    assert "aaaaaaaaaa" not in " ".join(problems)


# --- Hostile text -------------------------------------------------------------------------

HOSTILE = (
    "Verklaring <b>bold</b> & co; ]]> \"dubbel\" 'enkel' &amp; "
    "مجلس البلدية \u202eRTL-override\u202c עירייה e\u0301 \U0001f3db\ufe0f\ttab\r\nregel"
)


def test_hostile_text_round_trips_exactly() -> None:
    obj = statement(name=HOSTILE)
    xml = information_object_xml(obj)
    assert validate(xml) == []
    assert texts(read(xml)[0], "m:naam") == [HOSTILE]
    # and through the standard library's parser too
    import xml.etree.ElementTree as ET

    assert ET.fromstring(xml).findtext("m:informatieobject/m:naam", namespaces=NS) == HOSTILE

    actor = Reference(HOSTILE, Identification(HOSTILE, HOSTILE))
    file = file_xml(pdf_file(represents=actor))
    assert validate(file) == []
    assert texts(read(file)[0], "m:isRepresentatieVan/m:verwijzingNaam") == [HOSTILE]
    assert texts(read(file)[0], "m:isRepresentatieVan//m:identificatieBron") == [HOSTILE]


@pytest.mark.parametrize("bad", ["\x01", "\x00", "\x1b", "\ud800", "\ufffe", "\uffff"])
def test_characters_xml_cannot_carry_are_refused_naming_the_field(bad: str) -> None:
    code = re.escape(f"U+{ord(bad):04X}")
    with pytest.raises(ValueError, match=rf"InformationObject\.name contains {code} at position 4"):
        statement(name=f"Titl{bad}e")
    with pytest.raises(ValueError, match=rf"Reference\.name contains {code}"):
        Reference(f"x{bad}")
    with pytest.raises(ValueError, match=rf"Event\.result contains {code}"):
        Event(mdto.event_type(mdto.SIGNATURE_VALIDATION), result=f"ok{bad}")
    with pytest.raises(ValueError, match=rf"Identification\.source contains {code}"):
        Identification("1", f"bron{bad}")


@pytest.mark.parametrize("blank", ["", " ", "\t\r\n "])
def test_blank_required_text_is_refused(blank: str) -> None:
    with pytest.raises(ValueError, match=r"InformationObject\.name is empty or only whitespace"):
        statement(name=blank)
    with pytest.raises(ValueError, match=r"Concept\.label is empty"):
        Concept(blank, None, "lijst")


def test_other_refusals() -> None:
    naive = dt.datetime(2026, 3, 4, 10, 0)
    with pytest.raises(ValueError, match=r"Event\.time is a naive datetime"):
        Event(mdto.event_type(mdto.CREATION), naive)
    with pytest.raises(ValueError, match=r"FileObject\.checksum_date is a naive datetime"):
        pdf_file(checksum_date=naive)
    with pytest.raises(ValueError, match="'4 maart 2026' is not a year"):
        Event(mdto.event_type(mdto.CREATION), "4 maart 2026")
    for fine in (
        "2026",
        "2026-03",
        "2026-03-04",
        "2026-03-04T10:00:00+01:00",
        "2026-03-04T09:00:00Z",
    ):
        Event(mdto.event_type(mdto.CREATION), fine)
    assert (
        validate(
            information_object_xml(
                InformationObject(
                    identifications=(Identification("1", "r"),),
                    name="n",
                    events=(
                        Event(mdto.event_type(mdto.CREATION), "2026"),
                        Event(mdto.event_type(mdto.CREATION), dt.date(2026, 3, 4)),
                    ),
                    appraisal=mdto.appraisal_permanent(),
                    archive_creator=huizen(),
                    use_restrictions=(mdto.no_use_restriction(),),
                )
            )
        )
        == []
    )
    with pytest.raises(ValueError, match="not a language tag"):
        dataclasses.replace(statement(), language="Nederlands!")
    with pytest.raises(ValueError, match="use_restrictions is empty"):
        dataclasses.replace(statement(), use_restrictions=())
    with pytest.raises(ValueError, match="identifications is empty"):
        dataclasses.replace(statement(), identifications=())
    with pytest.raises(ValueError, match="non-negative int"):
        pdf_file(size=-1)


# --- Determinism --------------------------------------------------------------------------


def test_same_input_same_bytes() -> None:
    first = information_object_xml(statement())
    assert information_object_xml(statement()) == first
    assert information_object_xml(copy.deepcopy(statement())) == first
    assert file_xml(pdf_file()) == file_xml(pdf_file())
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<MDTO xmlns="https://')
    assert first.endswith(b"</MDTO>\n")
    assert b"\n        <naam>" in first  # pretty-printed, four spaces a level


# --- Durations and retention --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("P10Y", (10, 0, 0)),
        ("P20Y", (20, 0, 0)),
        ("P6M", (0, 6, 0)),
        ("P1Y6M", (1, 6, 0)),
        ("P1Y2M3D", (1, 2, 3)),
        ("P30D", (0, 0, 30)),
        ("P0D", (0, 0, 0)),
        ("P075Y", (75, 0, 0)),
    ],
)
def test_durations_that_parse(text: str, parts: tuple[int, int, int]) -> None:
    assert parse_duration(text) == parts


@pytest.mark.parametrize(
    "text",
    ["", "P", "10Y", "PT1H", "P1YT1H", "P1W", "P-1Y", "-P1Y", "P+1Y", "p10y", "P1.5Y", "P1,5Y",
     "P1D1M", "P1Y1Y", " P1Y", "P1Y ", "P\u0661Y", "P10Y\n"],
)  # fmt: skip
def test_durations_that_are_refused_name_the_value(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    ("start", "duration", "end"),
    [
        (dt.date(2026, 3, 5), "P10Y", dt.date(2036, 3, 5)),
        (dt.date(2026, 3, 5), "P6M", dt.date(2026, 9, 5)),
        (dt.date(2026, 8, 31), "P6M", dt.date(2027, 2, 28)),
        (dt.date(2024, 2, 29), "P1Y", dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), "P4Y", dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 31), "P1M", dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 31), "P1M1D", dt.date(2026, 3, 1)),
        (dt.date(2026, 12, 31), "P1D", dt.date(2027, 1, 1)),
        (dt.date(2026, 11, 15), "P1Y13M", dt.date(2028, 12, 15)),
        (dt.date(2011, 11, 5), "P75Y", dt.date(2086, 11, 5)),  # the official example's term
    ],
)
def test_add_duration(start: dt.date, duration: str, end: dt.date) -> None:
    assert add_duration(start, duration) == end
    assert Retention(duration, start).end_date == end


def test_add_duration_past_the_calendar_names_the_values() -> None:
    with pytest.raises(ValueError, match=r"9999-06-01 \+ P1Y falls outside the calendar"):
        add_duration(dt.date(9999, 6, 1), "P1Y")
    with pytest.raises(ValueError, match="outside the calendar"):
        add_duration(dt.date(9999, 12, 1), "P30D")


def test_retention_rules() -> None:
    start = dt.date(2026, 3, 5)
    assert Retention("P10Y", start, None, dt.date(2036, 3, 5)).end_date == dt.date(2036, 3, 5)
    with pytest.raises(ValueError, match="is not start_date 2026-03-05 \\+ P10Y = 2036-03-05"):
        Retention("P10Y", start, None, dt.date(2036, 3, 6))
    with pytest.raises(ValueError, match="needs both a trigger and a period"):
        Retention("P10Y")
    with pytest.raises(ValueError, match="needs both a trigger and a period"):
        Retention(None, start, mdto.event_type("Bevriezing"))
    # Trigger and period without a start: the term is known, its end is not yet.
    pending = Retention("P10Y", None, mdto.event_type("Bevriezing"))
    assert pending.end_date is None
    xml = information_object_xml(statement(appraisal=mdto.appraisal_temporary(), retention=pending))
    assert validate(xml) == []
    assert texts(read(xml)[0], "m:bewaartermijn/*/m:begripLabel") == ["Bevriezing"]
    # An end date alone is a complete term.
    assert Retention(end_date=dt.date(2036, 1, 1)).period is None
    with pytest.raises(ValueError, match="duration 'P1W'"):
        Retention("P1W", start)
    with pytest.raises(TypeError, match="not a datetime"):
        Retention("P1Y", dt.datetime(2026, 3, 5, tzinfo=AMSTERDAM))


# --- The shipped schema -------------------------------------------------------------------


def test_shipped_xsd_is_nationaal_archiefs_file() -> None:
    shipped = resources.files("toetreding.archive").joinpath(mdto.XSD_NAME).read_bytes()
    assert b'version="v1.0.2"' in shipped
    original = SHARED / "MDTO-XML1.0.2.xsd"
    if not original.exists():
        pytest.skip(f"{original} is not on this machine to compare with")
    assert shipped == original.read_bytes()
