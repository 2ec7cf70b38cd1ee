"""Sealing the register with a real RFC 3161 timestamp (the test PKI's TSA over HTTP on
127.0.0.1), and what `register verify` makes of seals after history was rewritten."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest
from asn1crypto import cms, tsp

from tests.support.cli import toetreding
from tests.support.pki import RunningPki
from toetreding.pki.files import load_certificates
from toetreding.register import EntryKind, Register, RegisterError, entry_hash, write_head
from toetreding.register_seal import check_register, seal_register
from toetreding.sign.services import timestamper_for
from toetreding.signing_config import SignatureLevel


def filled(folder: Path, count: int = 5) -> Path:
    path = folder / "register.sqlite"
    with Register(path) as register:
        for index in range(count):
            register.append(
                EntryKind.RENDER, {"uitvoer": f"v{index}.pdf", "uitvoer_sha256": f"{index:064x}"}
            )
    return path


def sealed(folder: Path, pki: RunningPki, count: int = 5) -> Path:
    path = filled(folder, count)
    with Register(path) as register:
        seal_register(register, timestamper_for(SignatureLevel.B_T, pki.tsa_url), pki.tsa_url)
    return path


def rewrite_history(path: Path, seq: int, payload: dict[str, object]) -> None:
    """What an insider with write access to both files does: change entry ``seq`` and
    recompute every hash after it, and the head file, so the chain is consistent again."""
    db = sqlite3.connect(path)
    rows = db.execute("SELECT seq, recorded_at, kind, payload FROM entries ORDER BY seq").fetchall()
    previous = "0" * 64
    for number, moment, kind, stored in rows:
        content = payload if number == seq else json.loads(stored)
        digest = entry_hash(number, moment, kind, content, previous)
        db.execute(
            "UPDATE entries SET payload = ?, previous_hash = ?, entry_hash = ? WHERE seq = ?",
            (json.dumps(content, sort_keys=True, separators=(",", ":")), previous, digest, number),
        )
        previous = digest
    db.commit()
    db.close()
    write_head(path.with_name(path.name + ".head"), rows[-1][0], previous)


def roots(pki: RunningPki) -> list[object]:
    return list(load_certificates(pki.root_pem))


def test_a_seal_holds_and_names_the_last_sealed_entry(tmp_path: Path, test_pki: RunningPki) -> None:
    path = sealed(tmp_path, test_pki)
    with Register(path) as register:
        seal = next(register.entries(EntryKind.SEAL.value))
        head = next(e for e in register.entries() if e.seq == 5)
    # the token is a real RFC 3161 token whose imprint is the sealed entry's hash itself
    token = cms.ContentInfo.load(base64.b64decode(seal.payload["tijdstempel"]))
    info = token["content"]["encap_content_info"]["content"].parsed
    assert isinstance(info, tsp.TSTInfo)
    assert info["message_imprint"]["hashed_message"].native == bytes.fromhex(head.entry_hash)
    assert seal.payload["verzegeld_volgnummer"] == 5
    report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    assert report.intact, report.problems
    last = report.seals.last_sealed
    assert last is not None and last.sealed_entry == 5 and last.trusted is True
    assert "tsa" in last.authority.lower() or last.authority != "?"


def test_history_rewritten_before_a_seal_fails(tmp_path: Path, test_pki: RunningPki) -> None:
    path = sealed(tmp_path, test_pki)
    rewrite_history(path, 2, {"uitvoer": "vervalst.pdf", "uitvoer_sha256": "f" * 64})
    with Register(path) as register:
        assert register.verify().intact  # the chain alone cannot see a consistent rewrite
    report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    assert not report.intact
    assert any("seal 6" in p and "entry 5" in p and "rewritten" in p for p in report.problems)
    assert report.seals.last_sealed is None


def test_a_seal_over_an_entry_edited_in_place_does_not_hold(
    tmp_path: Path, test_pki: RunningPki
) -> None:
    """An earlier entry's content edited without its hash: the chain names it, and the seal
    that vouches for the history through it no longer holds (found in review: it was
    still reported as "sealed up to entry 5")."""
    path = sealed(tmp_path, test_pki)
    db = sqlite3.connect(path)
    db.execute("""UPDATE entries SET payload = '{"uitvoer":"vervalst.pdf"}' WHERE seq = 2""")
    db.commit()
    db.close()
    report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    assert not report.intact
    assert any("seal 6 vouches for entries that were changed" in p for p in report.problems)
    assert report.seals.last_sealed is None


def test_history_after_the_last_seal_rests_on_the_chain(
    tmp_path: Path, test_pki: RunningPki
) -> None:
    path = sealed(tmp_path, test_pki)
    with Register(path) as register:
        register.append(EntryKind.RENDER, {"uitvoer": "later.pdf"})
    rewrite_history(path, 7, {"uitvoer": "ander.pdf"})
    report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    # not detectable by the seal (it anchors up to entry 5), and reported as such
    assert report.intact
    last = report.seals.last_sealed
    assert last is not None and last.sealed_entry == 5


def test_an_edited_token_fails(tmp_path: Path, test_pki: RunningPki) -> None:
    path = sealed(tmp_path, test_pki)
    with Register(path) as register:
        seal = next(register.entries(EntryKind.SEAL.value))
    der = bytearray(base64.b64decode(seal.payload["tijdstempel"]))
    der[-20] ^= 0x01  # inside the TSA's signature
    payload = {**seal.payload, "tijdstempel": base64.b64encode(bytes(der)).decode()}
    rewrite_history(path, seal.seq, payload)
    report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    assert any("does not verify" in p or "unreadable" in p for p in report.problems), (
        report.problems
    )


@pytest.mark.parametrize(
    "token",
    ["", "bm90IGEgdG9rZW4=", "!!!", base64.b64encode(b"\x30\x03\x02\x01\x01").decode()],
    ids=["empty", "text", "not-base64", "wrong-asn1"],
)
def test_a_junk_token_is_reported_not_a_traceback(
    tmp_path: Path, test_pki: RunningPki, token: str
) -> None:
    path = sealed(tmp_path, test_pki)
    with Register(path) as register:
        seal = next(register.entries(EntryKind.SEAL.value))
    rewrite_history(path, seal.seq, {**seal.payload, "tijdstempel": token})
    report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    assert any("unreadable" in p for p in report.problems), report.problems


def test_a_seal_naming_a_later_entry_is_refused(tmp_path: Path, test_pki: RunningPki) -> None:
    path = sealed(tmp_path, test_pki)
    with Register(path) as register:
        seal = next(register.entries(EntryKind.SEAL.value))
    rewrite_history(path, seal.seq, {**seal.payload, "verzegeld_volgnummer": 99})
    report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    assert any("does not name an earlier entry" in p for p in report.problems)


def test_a_tsa_outside_the_trust_roots_fails(tmp_path: Path, test_pki: RunningPki) -> None:
    from toetreding.demo_pki import create_demo_pki

    path = sealed(tmp_path, test_pki)
    other = create_demo_pki(tmp_path / "andere-pki")
    stranger = load_certificates(other.root)
    report = check_register(path, stranger)
    assert any("does not chain" in p for p in report.problems), report.problems
    untrusted = check_register(path, ())
    assert untrusted.intact and untrusted.seals.seals[0].trusted is None


def test_sealing_needs_entries_and_an_intact_chain(tmp_path: Path, test_pki: RunningPki) -> None:
    stamper = timestamper_for(SignatureLevel.B_T, test_pki.tsa_url)
    with (
        Register(tmp_path / "leeg.sqlite") as register,
        pytest.raises(RegisterError, match="empty"),
    ):
        seal_register(register, stamper, test_pki.tsa_url)
    (tmp_path / "sub").mkdir()
    path = filled(tmp_path / "sub")
    db = sqlite3.connect(path)
    db.execute("""UPDATE entries SET payload = '{"uitvoer":"x"}' WHERE seq = 2""")
    db.commit()
    db.close()
    with Register(path) as register, pytest.raises(RegisterError, match="not intact"):
        seal_register(register, stamper, test_pki.tsa_url)


def test_an_unreachable_tsa_is_a_clear_error(tmp_path: Path) -> None:
    path = filled(tmp_path)
    url = "http://127.0.0.1:9/tsa"  # discard port: nothing listens
    with Register(path) as register, pytest.raises(RegisterError, match="did not seal"):
        seal_register(register, timestamper_for(SignatureLevel.B_T, url), url)
    with Register(path) as register:
        assert [e.kind for e in register.entries()].count(EntryKind.SEAL.value) == 0


def test_the_cli_seals_and_catches_a_rewrite(tmp_path: Path, test_pki: RunningPki) -> None:
    workspace = tmp_path / "werkmap"
    workspace.mkdir()
    (workspace / "root.pem").write_bytes(test_pki.root_pem.read_bytes())
    (workspace / "toetreding.yaml").write_text(
        "ondertekening:\n"
        f"  tijdstempeldienst: {test_pki.tsa_url}\n"
        "  vertrouwensankers: [root.pem]\n"
        "archief:\n"
        "  archiefvormer: {naam: gemeente Huizen, tooi: gm0406}\n"
        "  medewerkers:\n"
        "    adevries: {naam: A. de Vries, functie: adviseur informatiebeheer}\n",
        encoding="utf-8",
    )
    filled(workspace)
    (workspace / "register.sqlite").rename(workspace / "toetreding-register.sqlite")
    (workspace / "register.sqlite.head").rename(workspace / "toetreding-register.sqlite.head")
    unsealed = toetreding(workspace, "register", "verify")
    assert unsealed.returncode == 0 and "not sealed" in unsealed.stdout
    result = toetreding(workspace, "register", "seal", "--by", "adevries")
    assert result.returncode == 0, result.stderr
    assert "sealed entry 5" in result.stdout
    with Register(workspace / "toetreding-register.sqlite") as register:
        seal = next(register.entries(EntryKind.SEAL.value))
    assert seal.payload["door"]["naam"] == "A. de Vries"
    assert seal.payload["door"]["tooi"] == "gm0406"
    good = toetreding(workspace, "register", "verify")
    assert good.returncode == 0 and "sealed up to entry 5" in good.stdout, good.stdout
    rewrite_history(workspace / "toetreding-register.sqlite", 3, {"uitvoer": "vervalst.pdf"})
    bad = toetreding(workspace, "register", "verify")
    assert bad.returncode == 1
    assert "rewritten" in bad.stderr and "Traceback" not in bad.stderr
    nobody = toetreding(workspace, "register", "seal", "--by", "onbekend")
    assert nobody.returncode == 1 and "archief.medewerkers" in nobody.stderr


def test_the_register_exports_as_valid_mdto(tmp_path: Path) -> None:
    """`register export --format mdto`: one event per entry, valid against the shipped XSD,
    also when a payload holds characters XML cannot carry (recorded as given)."""
    from lxml import etree

    from toetreding.archive import mdto

    workspace = tmp_path / "werkmap"
    workspace.mkdir()
    (workspace / "toetreding.yaml").write_text(
        "archief:\n  archiefvormer: {naam: gemeente Huizen, tooi: gm0406}\n"
        "  waardering: V\n  bewaartermijn: P10Y\n",
        encoding="utf-8",
    )
    path = workspace / "toetreding-register.sqlite"
    with Register(path) as register:
        register.append(EntryKind.RENDER, {"uitvoer": "v.pdf", "uitvoer_sha256": "a" * 64})
        register.append(
            EntryKind.VALIDATION,
            {
                "document": "ge\x01vaarlijk\ufffe.pdf",
                "resultaat": "PASSED",
                "verantwoordelijke": {"naam": "A. de Vries", "functie": "adviseur"},
            },
        )
        register.append(EntryKind.SIGNATURE, {"uitvoer": "w.pdf", "ondertekenaar": "<b>&"})
    result = toetreding(workspace, "register", "export", "-o", "register.xml")
    assert result.returncode == 0, result.stderr
    xml = (workspace / "register.xml").read_bytes()
    assert mdto.validate(xml) == []
    document = etree.fromstring(xml)
    ns = "{https://www.nationaalarchief.nl/mdto}"
    events = document.findall(f"{ns}informatieobject/{ns}event")
    assert [e.findtext(f"{ns}eventType/{ns}begripLabel") for e in events] == [
        "Creatie",
        "Validatie Handtekening",
        "Accordering",
    ]
    assert events[1].findtext(f"{ns}eventVerantwoordelijkeActor/{ns}verwijzingNaam") == (
        "A. de Vries, adviseur"
    )
    assert "U+0001" in (events[1].findtext(f"{ns}eventResultaat") or "")
    assert events[2].findtext(f"{ns}eventVerantwoordelijkeActor/{ns}verwijzingNaam") == "<b>&"
    assert document.findtext(f"{ns}informatieobject/{ns}waardering/{ns}begripCode") == "V"
    assert (
        document.findtext(f"{ns}informatieobject/{ns}bewaartermijn/{ns}termijnLooptijd") == "P10Y"
    )
    # the format follows the file name, and a mismatch is a usage error
    clash = toetreding(workspace, "register", "export", "--format", "csv", "-o", "r.xml")
    assert clash.returncode == 2


def test_a_seal_swapped_for_a_fresh_token_over_rewritten_history_fails(
    tmp_path: Path, test_pki: RunningPki
) -> None:
    """The insider rewrites entry 2, then asks the TSA for a new token over the new head
    hash and puts it in the old seal entry: the token's time betrays it."""
    path = sealed(tmp_path, test_pki)
    with Register(path) as register:
        register.append(EntryKind.RENDER, {"uitvoer": "later.pdf"})
    rewrite_history(path, 2, {"uitvoer": "vervalst.pdf"})
    with Register(path) as register:
        seal = next(register.entries(EntryKind.SEAL.value))
        fifth = next(e for e in register.entries() if e.seq == 5)
    import asyncio
    import time

    time.sleep(1.1)  # the forger comes later, however little
    stamper = timestamper_for(SignatureLevel.B_T, test_pki.tsa_url)
    token = asyncio.run(stamper.async_timestamp(bytes.fromhex(fifth.entry_hash), "sha256"))
    forged = {**seal.payload, "tijdstempel": base64.b64encode(token.dump()).decode()}
    rewrite_history(path, seal.seq, forged)
    # the tolerance is minutes on a real clock; here the forgery is seconds late, so the
    # test narrows it to show the check works
    import toetreding.register_seal as register_seal

    saved = register_seal.SEAL_CLOCK_TOLERANCE
    register_seal.SEAL_CLOCK_TOLERANCE = __import__("datetime").timedelta(milliseconds=500)
    try:
        report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    finally:
        register_seal.SEAL_CLOCK_TOLERANCE = saved
    assert any("not from when the seal was recorded" in p for p in report.problems), report.problems


def test_entries_after_a_seal_cannot_claim_earlier_times(
    tmp_path: Path, test_pki: RunningPki
) -> None:
    path = sealed(tmp_path, test_pki)
    with Register(path) as register:
        register.append(EntryKind.RENDER, {"uitvoer": "later.pdf"})
    db = sqlite3.connect(path)
    db.execute("UPDATE entries SET recorded_at = '2020-01-01T00:00:00+00:00' WHERE seq = 7")
    db.commit()
    db.close()
    rewrite_history(path, 7, {"uitvoer": "later.pdf"})  # re-hash, as an insider would
    report = check_register(path, roots(test_pki))  # type: ignore[arg-type]
    assert any("claims an earlier time" in p for p in report.problems), report.problems


def test_no_new_seal_over_a_broken_one(tmp_path: Path, test_pki: RunningPki) -> None:
    path = sealed(tmp_path, test_pki)
    rewrite_history(path, 2, {"uitvoer": "vervalst.pdf"})
    with Register(path) as register, pytest.raises(RegisterError, match="not intact"):
        seal_register(
            register, timestamper_for(SignatureLevel.B_T, test_pki.tsa_url), test_pki.tsa_url
        )
