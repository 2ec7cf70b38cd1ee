"""`toetreding archive`: ingest packages checked by independent means — the MDTO files
against Nationaal Archief's XSD (lxml, read from the shipped file), the manifest by
coreutils' `sha256sum -c`, the report PDF by poppler — and hostile names and paths."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from toetreding.archive.package import _read_pinned
from toetreding.register import EntryKind, Register

from .support.cli import toetreding

MDTO = "{https://www.nationaalarchief.nl/mdto}"
ACCEPTED = "verklaring-verlengd.pdf"


@pytest.fixture
def demo(demo_workspace: Path) -> Path:
    """The session's demo workspace (read-only here)."""
    return demo_workspace


@pytest.fixture
def ws(demo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "werkmap"
    shutil.copytree(demo, copy, symlinks=True)
    # the demo itself archives its statement; these tests make their own packages
    shutil.rmtree(copy / "archief", ignore_errors=True)
    return copy


def schema() -> Any:
    shipped = resources.files("toetreding.archive").joinpath("MDTO-XML1.0.2.xsd")
    return etree.XMLSchema(etree.parse(str(shipped)))


def assert_valid_mdto(path: Path) -> Any:
    document = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    checker = schema()
    assert checker.validate(document), (path.name, [str(e) for e in checker.error_log])
    return document


def texts(document: Any, path: str) -> list[str]:
    return [str(element.text) for element in document.iterfind(path)]


def test_the_package_holds_statement_mdto_report_and_manifest(ws: Path) -> None:
    result = toetreding(ws, "archive", ACCEPTED, "-o", "archief", "--by", "archivaris")
    assert result.returncode == 0, result.stderr
    package = ws / "archief" / "verklaring-verlengd"
    names = sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file())
    assert names == [
        "manifest-sha256.txt",
        "validatierapport.json",
        "validatierapport.json.mdto.xml",
        "validatierapport.mdto.xml",
        "validatierapport.pdf",
        "validatierapport.pdf.mdto.xml",
        "verklaring-verlengd.mdto.xml",
        "verklaring-verlengd.pdf",
        "verklaring-verlengd.pdf.mdto.xml",
    ]
    # the statement byte for byte
    assert (package / ACCEPTED).read_bytes() == (ws / ACCEPTED).read_bytes()
    # every file is in the manifest, and coreutils agrees with it
    check = subprocess.run(
        ["sha256sum", "--strict", "-c", "manifest-sha256.txt"],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    listed = [
        line.split("  ", 1)[1]
        for line in (package / "manifest-sha256.txt").read_text().splitlines()
    ]
    assert sorted(listed) == [n for n in names if n != "manifest-sha256.txt"]
    # every MDTO file validates against the shipped XSD
    for xml in package.glob("*.mdto.xml"):
        assert_valid_mdto(xml)


def test_the_mdto_describes_the_statement_as_signed(ws: Path) -> None:
    assert toetreding(ws, "archive", ACCEPTED, "-o", "archief").returncode == 0
    package = ws / "archief" / "verklaring-verlengd"
    record = assert_valid_mdto(package / "verklaring-verlengd.mdto.xml")
    io = f"{MDTO}informatieobject"
    assert "U-2026-07788" in texts(record, f"{io}/{MDTO}identificatie/{MDTO}identificatieKenmerk")
    assert texts(
        record, f"{io}/{MDTO}archiefvormer/{MDTO}verwijzingIdentificatie/{MDTO}identificatieKenmerk"
    ) == ["gm0406"]
    assert texts(record, f"{io}/{MDTO}aggregatieniveau/{MDTO}begripLabel") == ["Archiefstuk"]
    assert texts(record, f"{io}/{MDTO}waardering/{MDTO}begripCode") == ["B"]
    events = texts(record, f"{io}/{MDTO}event/{MDTO}eventType/{MDTO}begripLabel")
    # creation, the party's signature and the consent, then the demo's two validations
    # (verify --record and its own archive package) and ours
    assert events == ["Creatie", "Accordering", "Accordering"] + ["Validatie Handtekening"] * 3
    actors = texts(
        record, f"{io}/{MDTO}event/{MDTO}eventVerantwoordelijkeActor/{MDTO}verwijzingNaam"
    )
    assert actors[1].startswith("mr. J. de Vries (DEMO), burgemeester van Huizen")
    assert actors[-1] == "A. de Archivaris (DEMO), adviseur informatiebeheer, gemeente Huizen"
    assert texts(record, f"{io}/{MDTO}event/{MDTO}eventResultaat")[-1] == "PASSED"
    related = texts(
        record,
        f"{io}/{MDTO}gerelateerdInformatieobject/{MDTO}gerelateerdInformatieobjectVerwijzing/"
        f"{MDTO}verwijzingIdentificatie/{MDTO}identificatieKenmerk",
    )
    assert "Z-2026-04512" in related  # the college decision to join
    assert "pga-radicalisering-2018" in related  # the covenant
    # the bestand: size, PRONOM fmt/476 and the SHA-256 of the very bytes in the package
    pdf = (package / ACCEPTED).read_bytes()
    file_record = assert_valid_mdto(package / f"{ACCEPTED}.mdto.xml")
    bestand = f"{MDTO}bestand"
    assert texts(file_record, f"{bestand}/{MDTO}omvang") == [str(len(pdf))]
    assert texts(file_record, f"{bestand}/{MDTO}bestandsformaat/{MDTO}begripCode") == ["fmt/476"]
    assert texts(file_record, f"{bestand}/{MDTO}checksum/{MDTO}checksumWaarde") == [
        hashlib.sha256(pdf).hexdigest()
    ]


def test_the_report_is_a_pdfa_people_can_read(ws: Path) -> None:
    assert toetreding(ws, "archive", ACCEPTED, "-o", "archief").returncode == 0
    package = ws / "archief" / "verklaring-verlengd"
    report = json.loads((package / "validatierapport.json").read_text())
    assert (
        report["verdict"] == "PASSED"
        and report["sha256"] == hashlib.sha256((ws / ACCEPTED).read_bytes()).hexdigest()
    )
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext, pdfinfo) not installed: run `make system-deps`")
    text = subprocess.run(
        ["pdftotext", "-layout", str(package / "validatierapport.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "PASSED" in text and "A. de Archivaris (DEMO)" in text and "ondertekening-partij" in text
    assert report["sha256"] in text
    meta = subprocess.run(
        ["pdfinfo", "-meta", str(package / "validatierapport.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "pdfaid:part" in meta and "pdfuaid:part" in meta  # veraPDF judges it in conformance/
    info = subprocess.run(
        ["pdfinfo", str(package / "validatierapport.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Tagged:          yes" in info


def test_the_validation_is_recorded_with_its_official_and_relative_paths(ws: Path) -> None:
    assert toetreding(ws, "archive", ACCEPTED, "-o", "archief").returncode == 0
    with Register(ws / "toetreding-register.sqlite") as register:
        entry = list(register.entries("validatie"))[-1]
    assert entry.payload["verantwoordelijke"]["sleutel"] == "archivaris"  # the default
    assert entry.payload["document"] == ACCEPTED
    assert entry.payload["pakket"] == "archief/verklaring-verlengd"


def test_a_failing_statement_is_packaged_with_its_verdict_and_exit_4(ws: Path) -> None:
    returned = ws / "inbox" / "Toetredingsverklaring Laren - getekend.pdf"
    result = toetreding(ws, "archive", str(returned), "-o", "archief")
    assert result.returncode == 4, result.stdout + result.stderr
    package = ws / "archief" / "Toetredingsverklaring_Laren_-_getekend"
    record = assert_valid_mdto(package / "Toetredingsverklaring_Laren_-_getekend.mdto.xml")
    results = texts(record, f"{MDTO}informatieobject/{MDTO}event/{MDTO}eventResultaat")
    assert results[-1] == "FAILED"


def test_unknown_official_or_none_configured_is_refused_before_anything(ws: Path) -> None:
    result = toetreding(ws, "archive", ACCEPTED, "-o", "archief", "--by", "iemand")
    assert result.returncode == 1 and "no official 'iemand'" in result.stderr
    assert "Traceback" not in result.stderr and not (ws / "archief").exists()
    config = ws / "toetreding.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  verantwoordelijke: archivaris\n", ""),
        encoding="utf-8",
    )
    result = toetreding(ws, "archive", ACCEPTED, "-o", "archief")
    assert result.returncode == 1 and "archief.verantwoordelijke" in result.stderr
    assert not (ws / "archief").exists()


def test_a_damaged_register_puts_no_history_into_a_package(ws: Path) -> None:
    """The MDTO's validation events come from the register: only from one whose hash chain
    holds (found in review: an edited validation entry put an official who never validated
    into a package, exit 0)."""
    import json
    import sqlite3

    db = sqlite3.connect(ws / "toetreding-register.sqlite")
    seq, payload = db.execute(
        "SELECT seq, payload FROM entries WHERE kind = 'validatie' ORDER BY seq LIMIT 1"
    ).fetchone()
    edited = json.loads(payload)
    edited["verantwoordelijke"] = {"naam": "Q. Fraude", "functie": "gemeentesecretaris"}
    canonical = json.dumps(edited, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    db.execute("UPDATE entries SET payload = ? WHERE seq = ?", (canonical, seq))
    db.commit()
    db.close()
    result = toetreding(ws, "archive", ACCEPTED, "-o", "archief")
    assert result.returncode == 1 and "register is damaged" in result.stderr, result.stderr
    assert f"entry {seq}" in result.stderr and "Traceback" not in result.stderr
    assert not (ws / "archief").exists()


def test_existing_folders_are_never_replaced_unless_ours_and_asked(ws: Path) -> None:
    # a statement named like a workspace folder must not replace that folder
    shutil.copyfile(ws / ACCEPTED, ws / "pki.pdf")
    keys = sorted(p.name for p in (ws / "pki").iterdir())
    result = toetreding(ws, "archive", "pki.pdf", "-o", ".", "--overwrite")
    assert result.returncode == 1 and "not an archive package" in result.stderr
    assert sorted(p.name for p in (ws / "pki").iterdir()) == keys
    # our own package: refused without --overwrite, replaced with it
    assert toetreding(ws, "archive", ACCEPTED, "-o", "archief").returncode == 0
    again = toetreding(ws, "archive", ACCEPTED, "-o", "archief")
    assert again.returncode == 1 and "exists already" in again.stderr
    replaced = toetreding(ws, "archive", ACCEPTED, "-o", "archief", "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    leftovers = [p.name for p in (ws / "archief").iterdir() if p.name.startswith(".")]
    assert leftovers == []
    # -o naming a file
    file_output = toetreding(ws, "archive", ACCEPTED, "-o", "toetreding.yaml")
    assert file_output.returncode == 1 and "not a folder" in file_output.stderr


def test_hostile_file_names_become_safe_package_names(ws: Path) -> None:
    hostile = ws / "post"
    hostile.mkdir()
    names = ["ver\nklaring.pdf", "\u202egnirelk.pdf", "a b;rm -rf.pdf", "...pdf"]
    for name in names:
        shutil.copyfile(ws / ACCEPTED, hostile / name)
    result = toetreding(ws, "archive", "post", "-o", "archief")
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in (ws / "archief").iterdir())
    assert len(made) == len(names)
    assert all(all(c.isalnum() or c in "._-" for c in name) for name in made), made
    for folder in (ws / "archief").iterdir():
        for xml in folder.glob("*.mdto.xml"):
            assert_valid_mdto(xml)


def test_pinned_decision_documents_only_from_inside_the_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "werkmap"
    (workspace / "besluiten").mkdir(parents=True)
    document = workspace / "besluiten" / "collegebesluit.pdf"
    document.write_bytes(b"%PDF-1.7 het besluit")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    outside = tmp_path / "geheim.pdf"
    outside.write_bytes(b"%PDF-1.7 buiten")
    outside_digest = hashlib.sha256(outside.read_bytes()).hexdigest()
    (workspace / "link.pdf").symlink_to(outside)
    (workspace / "link-binnen.pdf").symlink_to(document)
    os.mkfifo(workspace / "pijp.pdf")

    assert _read_pinned(workspace, "besluiten/collegebesluit.pdf", digest) == (
        document.read_bytes(),
        None,
    )
    refused = {
        "../geheim.pdf": outside_digest,
        str(outside): outside_digest,
        "link.pdf": outside_digest,
        "link-binnen.pdf": digest,
        "pijp.pdf": digest,
        "besluiten/ontbreekt.pdf": digest,
        "besluiten/collegebesluit.pdf\x00.txt": digest,
        "besluiten": digest,
    }
    for path, pinned in refused.items():
        data, problem = _read_pinned(workspace, path, pinned)
        assert data is None and problem, path
    data, problem = _read_pinned(workspace, "besluiten/collegebesluit.pdf", "0" * 64)
    assert data is None and problem is not None and "SHA-256" in problem


def test_decision_documents_the_signed_chain_pins_go_along(ws: Path) -> None:
    besluit = ws / "besluiten" / "collegebesluit.pdf"
    besluit.parent.mkdir()
    besluit.write_bytes(b"%PDF-1.7\n% het collegebesluit (voorbeeld)\n")
    digest = hashlib.sha256(besluit.read_bytes()).hexdigest()
    chain = ws / "bevoegdheid.yaml"
    text = chain.read_text(encoding="utf-8")
    pinned = (
        '    kenmerk: "Z-2026-04512"\n'
        "    document:\n"
        "      bestand: besluiten/collegebesluit.pdf\n"
        f"      sha256: {digest}\n"
    )
    assert '    kenmerk: "Z-2026-04512"\n' in text
    chain.write_text(text.replace('    kenmerk: "Z-2026-04512"\n', pinned), encoding="utf-8")
    for arguments in (
        ("render", "verzoek.yaml", "-o", "nieuw.pdf"),
        ("sign", "nieuw.pdf", "-o", "nieuw-getekend.pdf"),
    ):
        step = toetreding(ws, *arguments)
        assert step.returncode == 0, step.stderr
    result = toetreding(ws, "archive", "nieuw-getekend.pdf", "-o", "archief")
    assert result.returncode == 0, result.stderr
    package = ws / "archief" / "nieuw-getekend"
    taken = package / "besluiten" / "college-2026-11-10-collegebesluit.pdf"
    assert taken.read_bytes() == besluit.read_bytes()
    record = assert_valid_mdto(
        package / "besluiten" / "college-2026-11-10-collegebesluit.pdf.mdto.xml"
    )
    assert texts(
        record,
        f"{MDTO}bestand/{MDTO}isRepresentatieVan/{MDTO}verwijzingIdentificatie/{MDTO}identificatieKenmerk",
    ) == ["Z-2026-04512"]
    assert (
        "besluiten/college-2026-11-10-collegebesluit.pdf"
        in (package / "manifest-sha256.txt").read_text()
    )
    # the same file changed after signing is not what the chain pins: left out, and said
    besluit.write_bytes(b"%PDF-1.7\n% een ander besluit\n")
    again = toetreding(ws, "archive", "nieuw-getekend.pdf", "-o", "archief2")
    assert again.returncode == 0, again.stderr
    assert "not the one the signed chain pins" in again.stderr
    assert not (ws / "archief2" / "nieuw-getekend" / "besluiten").exists()


def test_the_demo_ends_with_a_valid_archive_package_and_a_sealed_register(demo: Path) -> None:
    package = demo / "archief" / "verklaring-verlengd"
    names = {p.name for p in package.iterdir()}
    assert {
        "verklaring-verlengd.pdf",
        "verklaring-verlengd.mdto.xml",
        "verklaring-verlengd.pdf.mdto.xml",
        "validatierapport.json",
        "validatierapport.pdf",
        "manifest-sha256.txt",
    } <= names
    for xml in package.glob("*.mdto.xml"):
        assert_valid_mdto(xml)
    check = subprocess.run(
        ["sha256sum", "--strict", "-c", "manifest-sha256.txt"],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    verified = toetreding(demo, "register", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "sealed up to entry" in verified.stdout


def validations(folder: Path) -> int:
    with Register(folder / "toetreding-register.sqlite") as register:
        return len(list(register.entries("validatie")))


def test_refusals_come_before_anything_is_recorded(ws: Path) -> None:
    """A refused run records nothing: a package that exists, a folder with files the
    manifest does not list, a PDF that is no statement, a pipe."""
    assert toetreding(ws, "archive", ACCEPTED, "-o", "archief").returncode == 0
    count = validations(ws)
    again = toetreding(ws, "archive", ACCEPTED, "-o", "archief")
    assert again.returncode == 1 and "exists already" in again.stderr
    # a package with a file someone added is never replaced, not even with --overwrite
    notes = ws / "archief" / "verklaring-verlengd" / "notulen.docx"
    notes.write_text("eigen aantekeningen")
    kept = toetreding(ws, "archive", ACCEPTED, "-o", "archief", "--overwrite")
    assert kept.returncode == 1 and "notulen.docx" in kept.stderr
    assert notes.read_text() == "eigen aantekeningen"
    # a PDF that is not a statement (the package's own report), and a pipe
    report = ws / "archief" / "verklaring-verlengd" / "validatierapport.pdf"
    plain = toetreding(ws, "archive", str(report), "-o", "ander")
    assert plain.returncode == 1 and "not toetreding statements" in plain.stderr
    os.mkfifo(ws / "pijp.pdf")
    piped = toetreding(ws, "archive", "pijp.pdf", "-o", "ander")
    assert piped.returncode == 1 and "Traceback" not in piped.stderr
    assert validations(ws) == count
    assert not (ws / "ander").exists()  # a refused run leaves no empty folder behind


def test_an_interrupted_runs_leftovers_are_cleaned_and_modes_are_usual(ws: Path) -> None:
    (ws / "archief").mkdir()
    stale = ws / "archief" / ".verklaring-verlengd.abc123.partial"
    stale.mkdir()
    (stale / "half.xml").write_text("<half")
    old = os.umask(0o022)
    try:
        result = toetreding(ws, "archive", ACCEPTED, "-o", "archief")
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (ws / "archief").iterdir()] == ["verklaring-verlengd"]
    package = ws / "archief" / "verklaring-verlengd"
    assert package.stat().st_mode & 0o777 == 0o755
    assert (package / ACCEPTED).stat().st_mode & 0o777 == 0o644


def test_a_pinned_secret_is_never_packaged(tmp_path: Path) -> None:
    """The statement's author chooses the pinned path and hash; a guessed passphrase file
    or key must not travel to the e-Depot."""
    workspace = tmp_path / "werkmap"
    (workspace / "pki").mkdir(parents=True)
    secret = workspace / "pki" / "wachtwoord.txt"
    secret.write_text("geheim\n")
    disguised = workspace / "pki" / "sleutel.pdf"
    disguised.write_bytes(b"%PDF-1.7 eigenlijk een sleutel")
    for path, protected in ((secret, frozenset()), (disguised, frozenset({disguised}))):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        data, problem = _read_pinned(
            workspace, path.relative_to(workspace).as_posix(), digest, protected
        )
        assert data is None and problem, path


@pytest.mark.parametrize(
    ("section", "said"),
    [
        ("  archiefvormer: {naam: gemeente Huizen, tooi: GM0406}\n", "archief.archiefvormer.tooi"),
        ("  waardering: V\n  bewaartermijn: P10X\n", "'P10X' is not a retention period"),
        ("  waardering: V\n  bewaartermijn: P0D\n", "'P0D' is not a retention period"),
        ("  waardering: V\n", "needs a bewaartermijn"),
        ("  bewaartermijn: P10Y\n", "goes with waardering V"),
        ("  verantwoordelijke: niemand\n", "'niemand' is not one of the medewerkers"),
        ("  medewerkers:\n    a: {naam: A}\n", "archief.medewerkers.a.functie"),
        ("  medewerkers:\n    a: {naam: '  ', functie: x}\n", "may not be empty"),
        ('  medewerkers:\n    a: {naam: "A\\u0001B", functie: x}\n', "control character U+0001"),
        ("  classificatie: {label: x, lijst: ' '}\n", "archief.classificatie.lijst"),
    ],
)
def test_a_wrong_archive_section_is_named(tmp_path: Path, section: str, said: str) -> None:
    config = tmp_path / "toetreding.yaml"
    config.write_text("archief:\n" + section, encoding="utf-8")
    result = toetreding(tmp_path, "register", "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert said in result.stderr and str(config) in result.stderr
    assert "Traceback" not in result.stderr


def test_an_old_entry_with_control_characters_does_not_block_archiving(ws: Path) -> None:
    """A validation recorded long ago under a name XML cannot carry is shown with its code
    point; it never stops the statement from being archived."""
    digest = hashlib.sha256((ws / ACCEPTED).read_bytes()).hexdigest()
    with Register(ws / "toetreding-register.sqlite") as register:
        register.append(
            EntryKind.VALIDATION,
            {
                "document": ACCEPTED,
                "document_sha256": digest,
                "resultaat": "PASSED\x1b[2J",
                "verantwoordelijke": {"naam": "A\x01B", "functie": " "},
            },
        )
    result = toetreding(ws, "archive", ACCEPTED, "-o", "archief")
    assert result.returncode == 0, result.stderr
    record = assert_valid_mdto(
        ws / "archief" / "verklaring-verlengd" / "verklaring-verlengd.mdto.xml"
    )
    actors = texts(
        record,
        f"{MDTO}informatieobject/{MDTO}event/{MDTO}eventVerantwoordelijkeActor/{MDTO}verwijzingNaam",
    )
    assert "AU+0001B" in actors
    results = texts(record, f"{MDTO}informatieobject/{MDTO}event/{MDTO}eventResultaat")
    assert "PASSEDU+001B[2J" in results


def test_an_interrupted_overwrite_gets_its_old_package_back(ws: Path) -> None:
    """Killed between moving the old package aside and placing the new one: the next run
    puts the old one back instead of deleting the only copy."""
    assert toetreding(ws, "archive", ACCEPTED, "-o", "archief").returncode == 0
    package = ws / "archief" / "verklaring-verlengd"
    before = (package / "manifest-sha256.txt").read_text()
    package.rename(ws / "archief" / ".verklaring-verlengd.old-99999")
    shutil.copyfile(ws / "verklaring-met-instemming.pdf", ws / "ander.pdf")
    assert toetreding(ws, "archive", "ander.pdf", "-o", "archief").returncode == 0
    assert (package / "manifest-sha256.txt").read_text() == before
    assert sorted(p.name for p in (ws / "archief").iterdir()) == ["ander", "verklaring-verlengd"]


def test_a_hard_link_to_a_protected_file_is_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "werkmap"
    (workspace / "pki").mkdir(parents=True)
    key = workspace / "pki" / "sleutel.pdf"
    key.write_bytes(b"%PDF-1.7 een sleutel in vermomming")
    os.link(key, workspace / "besluit.pdf")
    digest = hashlib.sha256(key.read_bytes()).hexdigest()
    data, problem = _read_pinned(workspace, "besluit.pdf", digest, frozenset({key}))
    assert data is None and problem is not None and "protected" in problem


def test_a_decision_file_is_described_as_its_own_decision(demo: Path) -> None:
    """Two decisions whose ids start alike ('college' and 'college-2026-11-10'): each file
    is described as the decision it belongs to (found in review: matching on the id as a
    prefix described the accession decision's file as the royal decree)."""
    from types import SimpleNamespace

    from toetreding.archive.package import _decision_file_name, _decision_reference
    from toetreding.model import DocumentReference
    from toetreding.verify.statement import signed_statement_data

    statement = signed_statement_data((demo / "verklaring-verlengd.pdf").read_bytes())
    assert statement is not None
    first, second = statement.authority.decisions[:2]
    pinned = {"bestand": "besluit.pdf", "sha256": "0" * 64}
    short = first.model_copy(
        update={"id": "college", "document": DocumentReference.model_validate(pinned)}
    )
    long = second.model_copy(
        update={
            "id": "college-2026-11-10",
            "document": DocumentReference.model_validate({**pinned, "bestand": "b.pdf"}),
        }
    )
    authority = statement.authority.model_copy(update={"decisions": [short, long]})
    item = SimpleNamespace(statement=statement.model_copy(update={"authority": authority}))
    for decision in (short, long):
        reference = _decision_reference(item, _decision_file_name(decision))  # type: ignore[arg-type]
        assert decision.subject in str(reference), (decision.id, reference)


def test_verify_records_only_what_it_read_and_names_any_file_in_its_json(ws: Path) -> None:
    """A file name that is not UTF-8 reaches JSON and the register as text (it broke both,
    with a traceback), and a file that was never read is not recorded as validated (found
    in review: 'UNREADABLE' entries without a hash)."""
    folder = ws / "map"
    folder.mkdir()
    odd = os.fsdecode(b"\xff oneven.pdf")
    shutil.copyfile(ws / ACCEPTED, folder / odd)
    os.mkfifo(folder / "pijp.pdf")
    with Register(ws / "toetreding-register.sqlite") as register:
        before = len(list(register.entries("validatie")))
    env = {"PYTHONIOENCODING": "utf-8:strict"}
    shown = toetreding(ws, "verify", "--json", "map", env=env)
    assert "Traceback" not in shown.stderr, shown.stderr
    names = [item["file"] for item in json.loads(shown.stdout)]
    assert any(name.endswith("\\xff oneven.pdf") for name in names), names
    recorded = toetreding(
        ws, "verify", "map", str(folder / "pijp.pdf"), "--record", "--by", "archivaris", env=env
    )
    assert "Traceback" not in recorded.stderr, recorded.stderr
    with Register(ws / "toetreding-register.sqlite") as register:
        added = list(register.entries("validatie"))[before:]
    assert [e.payload["document_sha256"] is not None for e in added] == [True]
    assert added[0].payload["document"].endswith("\\xff oneven.pdf")
