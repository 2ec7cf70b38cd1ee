"""The coordinator's round (issue #15): prepare, collect, accept, status, notice.

The demo runs a real round once per module (five municipalities, real keys, the demo TSA
and CRL): three good returns, one statement made again before signing, one signed by
someone outside the chain. The tests check what a coordinator relies on — each verdict,
each reason, the consents, the register — with independent readers (poppler) where a file
is looked at, and try the hostile returns a coordinator can receive: edited, pre-consented,
too weak, unsigned, renamed, broken, planted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from toetreding.config import Settings, load_settings
from toetreding.register import Register

from .conftest import needs_poppler
from .support.cli import toetreding
from .support.readers import info, pdfsig

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ACCEPTED = ("GM0376", "GM0402", "GM1942")
REJECTED = ("GM0317", "GM0417")


@pytest.fixture
def demo(demo_workspace: Path) -> Path:
    """The session's demo workspace (read-only here)."""
    return demo_workspace


@pytest.fixture
def ws(demo: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace (its register is inside it)."""
    copy = tmp_path / "werkmap"
    shutil.copytree(demo, copy, symlinks=True)
    return copy


def status_of(folder: Path) -> dict[str, Any]:
    result = toetreding(folder, "status", "-r", "ronde", "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_code(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["cbs_code"]: p for p in status["partijen"]}


def entries(folder: Path) -> list[Any]:
    with Register(folder / "toetreding-register.sqlite") as register:
        return list(register.entries())


def settings_of(folder: Path) -> Settings:
    return load_settings(folder / "toetreding.yaml", environ={})


def amsterdam_today() -> str:
    return dt.datetime.now(dt.UTC).astimezone(AMSTERDAM).date().isoformat()


# --- the demo round ------------------------------------------------------------------------


def test_the_demo_round_ends_with_three_accepted_and_two_reasoned_rejections(demo: Path) -> None:
    status = status_of(demo)
    assert status["ronde"] == "NCTV-PGA-2026-12"
    assert status["aantallen"]["aanvaard"] == 3 and status["aantallen"]["afgewezen"] == 2
    parties = by_code(status)
    for code in ACCEPTED:
        assert parties[code]["status"] == "aanvaard"
        assert parties[code]["ingangsdatum"] == amsterdam_today()
        # the next archive-timestamp renewal, from the consented statement itself: the demo
        # TSA's certificate (two years) ends first
        from toetreding.pki.renewal import renewal_due

        consented = (demo / "ronde" / code / "verklaring-met-instemming.pdf").read_bytes()
        schedule = renewal_due(consented)
        assert schedule is not None
        assert parties[code]["vernieuwen_voor"] == schedule.due.isoformat()
        assert parties[eemnes_code := "GM0317"]["vernieuwen_voor"] is None, eemnes_code
    eemnes, laren = parties["GM0317"], parties["GM0417"]
    assert eemnes["status"] == "afgewezen"
    assert any("not the statement prepared for Eemnes" in r for r in eemnes["redenen"])
    assert laren["status"] == "afgewezen" and laren["ondertekenaar"] == "P. Visser (DEMO)"
    assert laren["redenen"][0].startswith(
        "signed by P. Visser (DEMO), but the chain of authority names F. Hoekstra "
        "(burgemeester van Laren)"
    ), laren["redenen"]
    assert any(
        "DEMO-GM0417-SECRETARIS" in r and "DEMO-GM0417-BURGEMEESTER" in r for r in laren["redenen"]
    ), laren["redenen"]


@needs_poppler
@pytest.mark.parametrize("code", ACCEPTED)
def test_every_accepted_statement_passes_verify_and_poppler(demo: Path, code: str) -> None:
    accepted = demo / "ronde" / code / "verklaring-met-instemming.pdf"
    result = toetreding(demo, "verify", str(accepted), "--json")
    assert result.returncode == 0, result.stdout[-2000:]
    report = json.loads(result.stdout)
    assert report["verdict"] == "PASSED"
    assert report["document"]["effective_date"] == amsterdam_today()
    assert report["consent_chain"]["authorised"] and report["chain"]["authorised"]
    fields = {s.field: s for s in pdfsig(accepted) if s.signed}
    party, consent = fields["ondertekening-partij"], fields["instemming-coordinator"]
    assert party.valid and consent.valid
    # the consented file begins with the party's return, which begins with the prepared
    # statement: nothing of what the party signed was changed
    prepared = (demo / "ronde" / code / "verklaring.pdf").read_bytes()
    assert accepted.read_bytes().startswith(prepared)


def test_the_register_holds_every_return_and_every_consent(demo: Path) -> None:
    result = toetreding(demo, "register", "verify")
    assert result.returncode == 0 and "register intact" in result.stdout, result.stderr
    recorded = entries(demo)
    returns = [e for e in recorded if e.kind == "retour"]
    # six files came in; Blaricum's twice with the same bytes: five returns
    assert len(returns) == 5
    assert {e.payload["cbs_code"] for e in returns} == set(ACCEPTED + REJECTED)
    assert all(e.payload["ronde"] == "NCTV-PGA-2026-12" for e in returns)
    verdicts = {e.payload["cbs_code"]: e.payload["uitslag"] for e in returns}
    assert sorted(c for c, v in verdicts.items() if v == "aanvaardbaar") == sorted(ACCEPTED)
    consents = [
        e for e in recorded if e.kind == "aanvaarding" and e.payload["uitvoer"].startswith("ronde/")
    ]
    assert len(consents) == 3 and all(e.payload["niveau"] == "B-LTA" for e in consents)
    checked = [e for e in recorded if e.payload.get("stap") == "toetreding accept"]
    assert sorted(e.payload["resultaat"] for e in checked) == ["PASSED"] * 3
    # who answers for each verdict is the configured official, identified (art. 24 under c)
    for entry in returns + checked:
        official = entry.payload["verantwoordelijke"]
        assert official["sleutel"] == "archivaris" and official["tooi"] == "gm0406", official
        assert official["functie"] == "adviseur informatiebeheer"
    # paths are recorded relative to the workspace: no temporary folder names in the record
    assert not any(str(demo) in json.dumps(e.payload) for e in recorded)
    # the verdict files name their register entry
    for entry in returns:
        code = entry.payload["cbs_code"]
        verdict_file = demo / entry.payload["uitvoer"]
        verdict_file = verdict_file.with_suffix(".json")
        assert json.loads(verdict_file.read_text())["register_volgnummer"] == entry.seq, code


@needs_poppler
def test_the_notice_names_exactly_the_accessions_with_their_dates(demo: Path) -> None:
    text = (demo / "mededeling.txt").read_text(encoding="utf-8")
    assert text.startswith("Mededeling van toetreding tot het Convenant persoonsgerichte")
    assert "De Minister van Justitie en Veiligheid maakt bekend" in text
    assert "(Stcrt. 2019, 12345)" in text and "artikel 16" in text
    today = dt.date.fromisoformat(amsterdam_today())
    from toetreding.textformat import long_date

    for name in ("Blaricum", "Gooise Meren", "Hilversum"):
        assert f"– de gemeente {name}, met ingang van {long_date(today)}" in text
    for name in ("Eemnes", "Laren", "Huizen"):
        assert name not in text
    pdf = demo / "mededeling.pdf"
    shown = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "de gemeente Gooise Meren, met ingang van" in shown
    described = info(pdf)
    assert described["Tagged"] == "yes" and described["Title"].startswith("Mededeling van")
    metadata = subprocess.run(
        ["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "pdfaid:part" in metadata and "pdfuaid:part" in metadata


def test_status_from_another_folder_uses_the_rounds_own_workspace(
    demo: Path, tmp_path: Path
) -> None:
    """Asked from elsewhere, status finds the round's workspace (and its register) from
    the round folder, and creates nothing where it was asked."""
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    result = toetreding(elsewhere, "status", "-r", str(demo / "ronde"), "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["aantallen"]["aanvaard"] == 3 and found["opmerking"] is None
    assert list(elsewhere.iterdir()) == []
    # a copy of the round without its workspace: the states are shown, and said unconfirmed
    shutil.copytree(demo / "ronde", elsewhere / "ronde")
    copy = toetreding(elsewhere, "status", "-r", "ronde", "--json")
    assert "not confirmed" in json.loads(copy.stdout)["opmerking"]
    assert not list(elsewhere.glob("*.sqlite*")) and not list(elsewhere.glob("ronde/*.sqlite*"))


def test_the_notice_names_the_party_its_consented_statement_names(ws: Path) -> None:
    """Who joined comes from the consented statement the register confirmed, and the
    covenant's facts from the covenant as published the coordinator trusts, not from the
    round's own files (found in review: an edited round file put 'gemeente Amsterdam' in
    the Staatscourant notice for Hilversum's accession, and another cited 'artikel 99')."""
    round_file = ws / "ronde" / "GM0402" / "ronde.json"
    data = json.loads(round_file.read_text(encoding="utf-8"))
    data["gegevens"]["partij_aanduiding"] = "gemeente Amsterdam"
    data["gegevens"]["convenant_publicatie"] = "Stcrt. 1999, 1"
    data["gegevens"]["toetredingsartikel"] = "artikel 99, onder voorbehoud"
    data["gegevens"]["met_bijlagen"] = "nee"
    data["partij"]["naam"] = "Amsterdam"
    round_file.write_text(json.dumps(data), encoding="utf-8")
    result = toetreding(ws, "notice", "-r", "ronde", "-o", "mededeling-2.pdf")
    assert result.returncode == 0, result.stderr
    text = (ws / "mededeling-2.txt").read_text(encoding="utf-8")
    assert "de gemeente Hilversum, met ingang van" in text and "Amsterdam" not in text
    assert "(Stcrt. 2019, 12345)" in text and "1999" not in text
    assert "met bijlagen" in text and "artikel 16" in text and "artikel 99" not in text


def test_a_notice_is_not_made_from_a_consented_statement_the_register_did_not_confirm(
    ws: Path,
) -> None:
    """Another party's consented statement put in Hilversum's folder: not the file whose
    hash the register confirmed, so no notice (rather than one that names the wrong party)."""
    consented = ws / "ronde" / "GM0402" / "verklaring-met-instemming.pdf"
    consented.write_bytes((ws / "ronde" / "GM0376" / "verklaring-met-instemming.pdf").read_bytes())
    result = toetreding(ws, "notice", "-r", "ronde", "-o", "mededeling-3.pdf")
    assert result.returncode == 1 and "GM0402" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (ws / "mededeling-3.pdf").exists()


def test_a_planted_failed_consent_is_not_confirmed(ws: Path) -> None:
    """A consent file saying the verification failed must be the register's word too
    (found in review: a planted one showed an accepted party as failed)."""
    for code in ("GM0402", "GM0317"):  # accepted, and never consented
        (ws / "ronde" / code / "instemming.json").write_text(
            json.dumps({"verificatie": "FAILED", "redenen": ["geplant"]}), encoding="utf-8"
        )
    parties = by_code(status_of(ws))
    for code in ("GM0402", "GM0317"):
        assert parties[code]["status"] == "onbevestigd", parties[code]


def test_the_notice_for_a_period_without_accessions_is_refused(ws: Path) -> None:
    result = toetreding(ws, "notice", "-r", "ronde", "-o", "leeg.pdf", "--until", "2020-01-01")
    assert result.returncode == 1 and "no accession" in result.stderr
    assert "Traceback" not in result.stderr and not (ws / "leeg.pdf").exists()
    again = toetreding(ws, "notice", "-r", "ronde", "-o", "mededeling.pdf")
    assert again.returncode == 1 and "--overwrite" in again.stderr  # an earlier notice is kept


# --- running it again, and a late good return ------------------------------------------------


def test_collect_and_accept_again_change_nothing(ws: Path) -> None:
    before = len(entries(ws))
    collected = toetreding(ws, "collect", "inbox", "-r", "ronde")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "6 seen before" in collected.stdout
    dry = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator", "--dry-run")
    assert dry.returncode == 0 and "nothing to accept" in dry.stdout
    again = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert again.returncode == 0 and "nothing to accept" in again.stdout
    assert len(entries(ws)) == before


def sign_prepared(
    ws: Path, code: str, output: Path, *, level: str = "B-T", source: Path | None = None
) -> Path:
    """The party's burgemeester signs (with toetreding, as a municipality would)."""
    from toetreding.demo_pki import DEMO_PASSPHRASE
    from toetreding.sign import SignerChoice, sign_file
    from toetreding.signing_config import SignatureLevel

    secret = ws / "pki" / "wachtwoord.txt"
    assert secret.read_text().strip() == DEMO_PASSPHRASE
    choice = SignerChoice(
        pkcs12=ws / "pki" / f"burgemeester-{code.lower()}.p12",
        secret_file=secret,
        level=SignatureLevel(level),
    )
    prepared = source or ws / "ronde" / code / "verklaring.pdf"
    output.parent.mkdir(parents=True, exist_ok=True)
    sign_file(settings_of(ws), prepared, output, choice)
    return output


def test_a_good_return_after_a_rejection_is_accepted(ws: Path) -> None:
    sign_prepared(ws, "GM0317", ws / "inbox-2" / "Eemnes opnieuw.pdf")
    collected = toetreding(ws, "collect", "inbox-2", "-r", "ronde")
    assert collected.returncode == 0, collected.stdout
    assert "GM0317: acceptable" in collected.stdout
    dry = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator", "--dry-run")
    assert "would accept 1 statement" in dry.stdout and "GM0317" in dry.stdout
    assert not (ws / "ronde" / "GM0317" / "verklaring-met-instemming.pdf").exists()
    accepted = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    parties = by_code(status_of(ws))
    assert parties["GM0317"]["status"] == "aanvaard"
    assert parties["GM0317"]["retouren"] == 2


# --- hostile and careless returns ----------------------------------------------------------


def _painted_over(writer: Any, generic: Any) -> None:
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    cover = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 40 300 520 120 re f Q"))
    contents = page.raw_get("/Contents")
    listed = contents.get_object() if isinstance(contents, generic.IndirectObject) else contents
    page["/Contents"] = generic.ArrayObject(
        [*(listed if isinstance(listed, generic.ArrayObject) else [contents]), cover]
    )
    writer.update_container(page)


def _retitled(writer: Any, generic: Any) -> None:
    packet = writer.root["/Metadata"].get_object().data
    start = packet.index(b"<rdf:li", packet.index(b"dc:title"))
    end = packet.index(b"</rdf:li>", start)
    edited = packet[: packet.index(b">", start) + 1] + b"Een andere verklaring" + packet[end:]
    stream = generic.StreamObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/XML"),
        },
        stream_data=edited,
    )
    writer.root["/Metadata"] = writer.add_object(stream)
    writer.update_root()


@pytest.mark.parametrize(
    ("change", "said"),
    [(_painted_over, "page 1: its content was changed"), (_retitled, "metadata property")],
    ids=["page painted over", "statement data rewritten"],
)
def test_a_signature_that_came_with_other_changes_is_rejected(
    ws: Path, monkeypatch: pytest.MonkeyPatch, change: Any, said: str
) -> None:
    """The party's own signing revision may carry only the signature: found in review, a
    mayor's revision that painted over page 1, and a secretary's that rewrote the chain in
    the statement data to name himself, both passed verify and were collected, accepted
    and published (the revision count was all collect compared)."""
    import toetreding.sign.signing as signing

    plain = signing._align_producer

    def with_more(writer: Any, generic: Any, vendor: str) -> None:
        plain(writer, generic, vendor)
        change(writer, generic)

    monkeypatch.setattr(signing, "_align_producer", with_more)
    sign_prepared(ws, "GM0376", ws / "inbox-3" / "Blaricum.pdf")
    collected = toetreding(ws, "collect", "inbox-3", "-r", "ronde")
    assert "GM0376: rejected" in collected.stdout, collected.stdout
    assert "came with another change" in collected.stdout and said in collected.stdout


def _pyhanko_sign(source: Path, output: Path, pkcs12: Path, field: str, ws: Path) -> None:
    """Sign with plain pyHanko (another program), timestamped by the demo TSA."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from toetreding.sign.services import timestamper_for
    from toetreding.signing_config import SignatureLevel

    passphrase = (ws / "pki" / "wachtwoord.txt").read_text().strip().encode()
    signer = signers.SimpleSigner.load_pkcs12(str(pkcs12), passphrase=passphrase)
    with source.open("rb") as stream:
        writer = IncrementalPdfFileWriter(stream, strict=False)
        signed = signers.sign_pdf(
            writer,
            signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES),
            signer=signer,
            timestamper=timestamper_for(SignatureLevel.B_T, f"demo:{ws / 'pki/demo-tsa.pem'}"),
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(signed.getvalue())


def _edited_after_preparing(ws: Path, code: str, output: Path) -> Path:
    """The prepared statement with an incremental update on top (its title changed)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with (ws / "ronde" / code / "verklaring.pdf").open("rb") as stream:
        writer = IncrementalPdfFileWriter(stream, strict=False)
        info_dict = generic.DictionaryObject(
            {generic.NameObject("/Title"): generic.TextStringObject("Onder voorbehoud")}
        )
        writer.trailer["/Info"] = writer.add_object(info_dict)
        out = output.with_name("edited-unsigned.pdf")
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as target:
            writer.write(target)
    return out


def collect_one(ws: Path, return_file: Path) -> tuple[Any, dict[str, dict[str, Any]]]:
    result = toetreding(ws, "collect", str(return_file.parent), "-r", "ronde")
    assert "Traceback" not in result.stderr, result.stderr
    return result, by_code(status_of(ws))


@pytest.mark.parametrize(
    "case",
    ["edited-before-signing", "consent-already-signed", "level-too-low", "came-back-unsigned"],
)
def test_hostile_returns_are_rejected_with_a_reason(ws: Path, case: str) -> None:
    code = "GM0317"  # Eemnes: rejected so far, no consent yet
    inbox = ws / f"inbox-{case}"
    returned = inbox / "retour.pdf"
    if case == "edited-before-signing":
        edited = _edited_after_preparing(ws, code, ws / "tmp" / "x.pdf")
        sign_prepared(ws, code, returned, source=edited)
        expected = "changed after it was prepared"
    elif case == "consent-already-signed":
        party_signed = sign_prepared(ws, code, ws / "tmp" / "signed.pdf")
        _pyhanko_sign(
            party_signed, returned, ws / "pki" / "secretaris-gm0417.p12",
            "instemming-coordinator", ws,
        )  # fmt: skip
        expected = "consent field is already signed"
    elif case == "level-too-low":
        sign_prepared(ws, code, returned, level="B-B")
        expected = "this round asks for B-T or higher"
    else:
        inbox.mkdir()
        shutil.copyfile(ws / "ronde" / code / "verklaring.pdf", returned)
        expected = "without the party's signature"
    result, parties = collect_one(ws, returned)
    assert result.returncode == 3, result.stdout
    assert f"{code}: rejected" in result.stdout and expected in result.stdout, result.stdout
    assert parties[code]["status"] == "afgewezen"
    assert any(expected in r for r in parties[code]["redenen"])
    dry = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator", "--dry-run")
    assert "nothing to accept" in dry.stdout


def test_returns_are_matched_by_content_never_by_name(ws: Path) -> None:
    """Blaricum's signed return, saved as 'Hilversum.pdf', is Blaricum's (already
    collected); an unrelated statement and junk are reported, never stored or accepted."""
    inbox = ws / "inbox-3"
    inbox.mkdir()
    blaricum = next((ws / "inbox").glob("Toetredingsverklaring Blaricum*"))
    shutil.copyfile(blaricum, inbox / "Hilversum.pdf")
    shutil.copyfile(ws / "verklaring-met-instemming.pdf", inbox / "huizen.pdf")  # not ours
    (inbox / "leeg.pdf").write_bytes(b"")
    (inbox / "tekst.pdf").write_text("geen pdf\n")
    os.symlink("/dev/zero", inbox / "nul.pdf")
    os.mkfifo(inbox / "pijp.pdf")
    (inbox / "map.pdf").mkdir()
    before = len(entries(ws))
    result = toetreding(ws, "collect", "inbox-3", "-r", "ronde")
    assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
    assert "1 seen before" in result.stdout
    assert "huizen.pdf: not a statement of this round" in result.stdout
    assert (
        "tekst.pdf: not a PDF" in result.stdout and "nul.pdf: not a regular file" in result.stdout
    )
    assert "pijp.pdf: not a regular file" in result.stdout
    assert len(entries(ws)) == before  # nothing of this round came in
    stored = sorted(p.name for p in (ws / "ronde").rglob("retouren/*.pdf"))
    assert len(stored) == 5


def test_damaged_returns_never_crash_and_never_pass(ws: Path) -> None:
    """Bit flips across a good return: each copy is rejected or not recognised, and no
    damaged file ever becomes acceptable."""
    import random

    good = (ws / "ronde" / "GM0376" / "verklaring-met-instemming.pdf").read_bytes()
    prepared = (ws / "ronde" / "GM0317" / "verklaring.pdf").read_bytes()
    # a good Eemnes return, to damage
    data = sign_prepared(ws, "GM0317", ws / "tmp" / "eemnes.pdf").read_bytes()
    generator = random.Random(15)
    inbox = ws / "inbox-damaged"
    inbox.mkdir()
    for number in range(12):
        damaged = bytearray(data)
        at = generator.randrange(len(prepared), len(damaged))  # in the party's signature
        damaged[at] ^= 1 << generator.randrange(8)
        (inbox / f"kapot-{number}.pdf").write_bytes(bytes(damaged))
    (inbox / "ander.pdf").write_bytes(good[: len(good) // 2])  # truncated
    result = toetreding(ws, "collect", "inbox-damaged", "-r", "ronde")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert by_code(status_of(ws))["GM0317"]["status"] == "afgewezen"
    assert "acceptable" not in result.stdout.split("\n", 1)[1]


def test_a_planted_verdict_never_gets_a_consent(ws: Path) -> None:
    """Someone copies Blaricum's good return and its verdict file into Laren's folder:
    accept judges every return again before the PIN, so Laren gets no consent."""
    source = next((ws / "ronde" / "GM0376" / "retouren").glob("*.pdf"))
    target = ws / "ronde" / "GM0417" / "retouren"
    shutil.copyfile(source, target / source.name)
    verdict = json.loads(source.with_suffix(".json").read_text())
    verdict["ontvangen"] = "2099-01-01T00:00:00+00:00"  # the newest: the one accept picks
    (target / source.with_suffix(".json").name).write_text(json.dumps(verdict))
    result = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "GM0417" in result.stderr and "checked again before the consent" in result.stderr
    assert "not the statement prepared for this party" in result.stderr
    assert not (ws / "ronde" / "GM0417" / "verklaring-met-instemming.pdf").exists()


def test_state_files_the_register_does_not_confirm_never_show_as_done(ws: Path) -> None:
    """Status reads the small state files, and checks each against the hash-chained
    register: an edited verdict or a planted consent file shows as unconfirmed."""
    verdict_file = next((ws / "ronde" / "GM0317" / "retouren").glob("*.json"))
    verdict = json.loads(verdict_file.read_text())
    verdict.update(uitslag="aanvaardbaar", redenen=[])
    verdict_file.write_text(json.dumps(verdict))
    planted = json.loads((ws / "ronde" / "GM0376" / "instemming.json").read_text())
    planted["sha256"] = "0" * 64
    (ws / "ronde" / "GM0417" / "instemming.json").write_text(json.dumps(planted))
    parties = by_code(status_of(ws))
    assert parties["GM0317"]["status"] == "onbevestigd"
    assert parties["GM0417"]["status"] == "onbevestigd"
    assert "register has no" in parties["GM0417"]["redenen"][0]
    assert [parties[c]["status"] for c in ACCEPTED] == ["aanvaard"] * 3
    # and accept does not take the edited verdict's word for it
    result = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert "checked again before the consent" in result.stderr, result.stdout + result.stderr
    assert not (ws / "ronde" / "GM0317" / "verklaring-met-instemming.pdf").exists()


def test_the_inbox_cannot_be_the_round_folder(ws: Path) -> None:
    result = toetreding(ws, "collect", "ronde", "-r", "ronde")
    assert result.returncode == 1 and "inside the round folder" in result.stderr
    result = toetreding(ws, "collect", "inbox", "-r", "batch")
    assert result.returncode == 1 and "holds no round" in result.stderr


def test_accept_refuses_an_untimestamped_consent_before_any_secret(ws: Path) -> None:
    sign_prepared(ws, "GM0317", ws / "inbox-4" / "eemnes.pdf")
    assert toetreding(ws, "collect", "inbox-4", "-r", "ronde").returncode == 0
    result = toetreding(
        ws, "accept", "-r", "ronde", "--signer", "coordinator", "--level", "B-B",
        env={"TOETREDING_PASSPHRASE": ""},
    )  # fmt: skip
    assert result.returncode == 1 and "proven by a timestamp" in result.stderr
    assert not (ws / "ronde" / "GM0317" / "verklaring-met-instemming.pdf").exists()


# --- status: machine forms and the page ------------------------------------------------------


def test_status_csv_and_overdue(ws: Path) -> None:
    result = toetreding(ws, "status", "-r", "ronde", "--csv", "stand.csv", "--on", "2027-02-01")
    assert result.returncode == 0, result.stderr
    import csv

    rows = list(csv.DictReader((ws / "stand.csv").open(encoding="utf-8-sig")))
    states = {row["cbs_code"]: row["status"] for row in rows}
    # after the due date a party with only rejected returns is overdue; accepted stays
    assert states == {**dict.fromkeys(ACCEPTED, "aanvaard"), **dict.fromkeys(REJECTED, "te-laat")}
    assert rows[0].keys() >= {"cbs_code", "naam", "status", "ingangsdatum", "redenen"}
    again = toetreding(ws, "status", "-r", "ronde", "--csv", "stand.csv")
    assert again.returncode == 1 and "--overwrite" in again.stderr
    bad = toetreding(ws, "status", "-r", "ronde", "--html", "toetreding.yaml")
    assert bad.returncode == 1 and "does not end in .html" in bad.stderr


def test_the_status_page_escapes_what_returns_say(tmp_path: Path) -> None:
    from toetreding.round.status import PartyState, PartyStatus, RoundStatus
    from toetreding.round.status_page import status_page

    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    status = RoundStatus(
        round_id=hostile,
        covenant="c",
        covenant_title=hostile,
        folder=tmp_path,
        as_of=dt.date(2026, 12, 1),
        due=None,
        parties=[
            PartyStatus("GM0376", hostile, PartyState.REJECTED, None, 1, None, hostile,
                        [hostile], None),
        ],
    )  # fmt: skip
    page = status_page(status)
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


# --- the status page in a real browser ------------------------------------------------------

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _browser() -> str:
    """Debian's Chromium; a missing one skips, unless the run requires the browser (CI)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = None
    if found is None:
        missing = "Chromium is not installed (apt-get install chromium)"
    elif not AXE.is_file():
        missing = "axe-core is not installed (npm ci --prefix tests/browser; make test does it)"
    if missing:
        if os.environ.get("TOETREDING_REQUIRE_BROWSER"):
            pytest.fail(missing + "; this run requires the browser test")
        pytest.skip(missing)
    assert found is not None
    return found


def _chromium(browser: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with every network request sent to a port nobody listens on: a
    page that needed the network would show it."""
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--proxy-server=127.0.0.1:9",
            "--allow-file-access-from-files",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_status_page_opens_offline_and_passes_axe(demo: Path, tmp_path: Path) -> None:
    import html
    import re

    browser = _browser()
    page = demo / "ronde-status.html"
    source = page.read_text(encoding="utf-8")
    # self-contained: no scripts, nothing fetched
    assert "<script" not in source.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", source, re.I)
    shown = _chromium(browser, "--dump-dom", page.as_uri())
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert re.search(r'<span class="number">3</span>\s*accepted', shown.stdout), shown.stdout
    assert re.search(r'<span class="number">2</span>\s*rejected', shown.stdout)
    assert 'id="partij-GM0317"' in shown.stdout and "not the statement prepared" in shown.stdout
    # axe-core, run on a copy of the page with the checker added at its end
    checker = (
        f'<script src="{AXE.as_uri()}"></script><script>'
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}).then(r => {"
        "const out = document.createElement('pre'); out.id = 'axe-result';"
        "out.textContent = JSON.stringify({violations: r.violations.map(v => ({id: v.id, "
        "impact: v.impact, nodes: v.nodes.map(n => n.target)})), passes: r.passes.length});"
        "document.body.appendChild(out);});</script>"
    )

    def axe(page_source: str) -> dict[str, Any]:
        harness = tmp_path / "harness.html"
        harness.write_text(page_source.replace("</body>", checker + "</body>"), encoding="utf-8")
        checked = _chromium(browser, "--virtual-time-budget=20000", "--dump-dom", harness.as_uri())
        found = re.search(r'<pre id="axe-result">(.*?)</pre>', checked.stdout, re.S)
        assert found, checked.stderr[-2000:]
        result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
        return result

    result = axe(source)
    assert result["violations"] == [], result["violations"]
    assert result["passes"] >= 20  # axe really looked (headings, table, contrast, landmarks)
    # the check can fail: pale text on white is found
    pale = source.replace("<footer>", '<footer><p style="color:#cccccc">bleek</p>')
    assert "color-contrast" in {v["id"] for v in axe(pale)["violations"]}
    # a picture for people: kept as a test artifact
    ARTIFACTS.mkdir(exist_ok=True)
    picture = ARTIFACTS / "ronde-status.png"
    taken = _chromium(browser, "--window-size=1280,1100", f"--screenshot={picture}", page.as_uri())
    assert taken.returncode == 0 and picture.stat().st_size > 10_000, taken.stderr[-2000:]


# --- a round folder someone else can write in (review findings) ------------------------------


def test_a_prepared_statement_swapped_in_the_folder_is_never_accepted(ws: Path) -> None:
    """A statement whose chain names the gemeentesecretaris, made outside the register and
    put with a matching round file into Laren's folder: collect rejects what is signed
    against it, accept signs nothing, status says the register does not confirm it."""
    text = (ws / "batch" / "ronde.yaml").read_text(encoding="utf-8")
    evil = text.replace("DEMO-GM0417-BURGEMEESTER", "DEMO-GM0417-SECRETARIS").replace(
        "burgemeester: F. Hoekstra", "burgemeester: P. Visser"
    )
    (ws / "batch" / "evil.yaml").write_text(evil, encoding="utf-8")
    made = toetreding(
        ws, "batch", "batch/evil.yaml", "-o", str(ws / "elders"), "--only", "GM0417",
        env={"TOETREDING_REGISTER": "off"},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    for name in ("verklaring.pdf", "ronde.json"):
        shutil.copyfile(ws / "elders" / "GM0417" / name, ws / "ronde" / "GM0417" / name)
    signed = ws / "inbox-evil" / "laren.pdf"
    _pyhanko_sign(
        ws / "ronde" / "GM0417" / "verklaring.pdf", signed, ws / "pki" / "secretaris-gm0417.p12",
        "ondertekening-partij", ws,
    )  # fmt: skip
    collected = toetreding(ws, "collect", "inbox-evil", "-r", "ronde")
    assert collected.returncode == 3 and "GM0417: rejected" in collected.stdout
    assert "not one the register recorded" in collected.stdout, collected.stdout
    accepted = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert "nothing to accept" in accepted.stdout, accepted.stdout + accepted.stderr
    assert not (ws / "ronde" / "GM0417" / "verklaring-met-instemming.pdf").exists()
    laren = by_code(status_of(ws))["GM0417"]
    assert laren["status"] == "onbevestigd"


def test_copied_or_edited_consent_files_are_never_announced(ws: Path) -> None:
    """Blaricum's instemming.json copied to Eemnes, and Hilversum's date edited: status
    does not confirm either, and the notice leaves both out (and then refuses nothing
    else: Blaricum and Gooise Meren are still announced)."""
    shutil.copyfile(
        ws / "ronde" / "GM0376" / "instemming.json", ws / "ronde" / "GM0317" / "instemming.json"
    )
    hilversum = ws / "ronde" / "GM0402" / "instemming.json"
    edited = json.loads(hilversum.read_text())
    edited["ingangsdatum"] = "2025-06-30"
    hilversum.write_text(json.dumps(edited))
    parties = by_code(status_of(ws))
    assert parties["GM0317"]["status"] == "onbevestigd"
    assert parties["GM0402"]["status"] == "onbevestigd"
    assert parties["GM0376"]["status"] == parties["GM1942"]["status"] == "aanvaard"
    result = toetreding(ws, "notice", "-r", "ronde", "-o", "m2.pdf")
    assert result.returncode == 0, result.stderr
    text = (ws / "m2.txt").read_text(encoding="utf-8")
    assert "Blaricum" in text and "Gooise Meren" in text
    assert "Eemnes" not in text and "Hilversum" not in text and "2025" not in text


def test_copied_or_edited_verdict_files_are_not_confirmed(ws: Path) -> None:
    good = next((ws / "ronde" / "GM0376" / "retouren").glob("*.json"))
    shutil.copyfile(good, ws / "ronde" / "GM0317" / "retouren" / good.name)  # without its PDF
    laren = next((ws / "ronde" / "GM0417" / "retouren").glob("*.json"))
    verdict = json.loads(laren.read_text())
    verdict["redenen"] = ["Alles in orde; bel 0900-1234 met uw pincode"]
    laren.write_text(json.dumps(verdict))
    parties = by_code(status_of(ws))
    assert parties["GM0317"]["status"] == parties["GM0417"]["status"] == "onbevestigd"
    result = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "nothing to accept" in result.stdout  # a verdict without its return is no return


def test_a_return_rejected_at_accept_is_recorded_and_not_offered_again(ws: Path) -> None:
    """A return that passed collect but not accept's second look (here: its prepared
    statement was replaced since) gets the new verdict in the register and its file."""
    sign_prepared(ws, "GM0317", ws / "inbox-5" / "eemnes.pdf")
    assert toetreding(ws, "collect", "inbox-5", "-r", "ronde").returncode == 0
    prepared = ws / "ronde" / "GM0317" / "verklaring.pdf"
    prepared.write_bytes(prepared.read_bytes() + b"\n% changed\n")
    first = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator")
    assert first.returncode == 3 and "checked again before the consent" in first.stderr
    eemnes = by_code(status_of(ws))["GM0317"]
    assert eemnes["status"] == "afgewezen" and "replaced" in eemnes["redenen"][0]
    again = toetreding(ws, "accept", "-r", "ronde", "--signer", "coordinator", "--dry-run")
    assert "nothing to accept" in again.stdout


def test_a_second_round_folder_with_the_same_id_is_judged_anew(ws: Path) -> None:
    text = (ws / "batch" / "ronde.yaml").read_text(encoding="utf-8")
    (ws / "batch" / "lta.yaml").write_text(
        text.replace("niveau_minimaal: B-T", "niveau_minimaal: B-LTA")
    )
    assert toetreding(ws, "batch", "batch/lta.yaml", "-o", "ronde-lta").returncode == 0
    result = toetreding(ws, "collect", "inbox", "-r", "ronde-lta")
    assert "finished from the register" not in result.stdout
    parties = {p["cbs_code"]: p for p in json.loads(
        toetreding(ws, "status", "-r", "ronde-lta", "--json").stdout)["partijen"]}  # fmt: skip
    # Hilversum signed at B-LTA; Blaricum and Gooise Meren at B-T, too low for this round
    assert parties["GM0402"]["status"] == "retour"
    assert parties["GM0376"]["status"] == parties["GM1942"]["status"] == "afgewezen"


def test_careless_and_hostile_folder_states_give_messages_not_crashes(ws: Path) -> None:
    # a line break in a file name cannot fake a result line
    inbox = ws / "inbox-names"
    inbox.mkdir()
    (inbox / "x\n✓ GM0317: acceptable\nx.pdf").write_text("geen pdf")
    named = toetreding(ws, "collect", "inbox-names", "-r", "ronde")
    assert "\n✓ GM0317" not in named.stdout and "\\n✓ GM0317" in named.stdout
    # a prepared statement gone missing, with a return waiting: a reason, not a crash
    sign_prepared(ws, "GM0317", ws / "ronde" / "GM0317" / "retouren" / "tmp.pdf")
    waiting = ws / "ronde" / "GM0317" / "retouren" / "tmp.pdf"
    import hashlib

    digest = hashlib.sha256(waiting.read_bytes()).hexdigest()
    waiting.rename(waiting.with_name(f"{digest[:32]}.pdf"))
    (ws / "ronde" / "GM0317" / "verklaring.pdf").rename(ws / "weg.pdf")
    (ws / "inbox-empty").mkdir()
    left = toetreding(ws, "collect", "inbox-empty", "-r", "ronde")
    assert "Traceback" not in left.stderr and "internal error" not in left.stderr, left.stderr
    assert "GM0317: rejected" in left.stdout and "cannot be read" in left.stdout
    # a broken round file: the party is named, not dropped; a broken date does not crash
    (ws / "ronde" / "GM0417" / "ronde.json").write_text("{")
    accepted = json.loads((ws / "ronde" / "GM0376" / "instemming.json").read_text())
    accepted["ingangsdatum"] = "garbage"
    (ws / "ronde" / "GM0376" / "instemming.json").write_text(json.dumps(accepted))
    shown = toetreding(ws, "status", "-r", "ronde", "--json", "--html", "s.html")
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert "GM0417" in found["opmerking"]
    assert by_code(found)["GM0376"]["status"] == "onbevestigd"


def test_a_consent_key_the_chain_does_not_name_stops_accept_once(ws: Path) -> None:
    sign_prepared(ws, "GM0317", ws / "inbox-6" / "eemnes.pdf")
    assert toetreding(ws, "collect", "inbox-6", "-r", "ronde").returncode == 0
    result = toetreding(
        ws, "accept", "-r", "ronde", "--pkcs12", "pki/burgemeester.p12",
        "--secret-file", "pki/wachtwoord.txt",
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.count("does not authorise") == 1 and "Traceback" not in result.stderr
    assert not (ws / "ronde" / "GM0317" / "verklaring-met-instemming.pdf").exists()


def test_a_wrong_passphrase_stops_accept_with_nothing_signed(ws: Path) -> None:
    """The key is opened when the first return passes its check again, while the workers
    are still checking the others: a wrong passphrase must still end the run at once, with
    one clear message, nothing signed and nothing recorded as accepted."""
    for code in REJECTED:  # two acceptable returns, so checks are still running
        sign_prepared(ws, code, ws / "inbox-8" / f"{code}.pdf")
    assert toetreding(ws, "collect", "inbox-8", "-r", "ronde").returncode == 0
    (ws / "fout-wachtwoord.txt").write_text("dit-is-het-niet\n")
    before = len(entries(ws))
    result = toetreding(
        ws, "accept", "-r", "ronde", "--pkcs12", "pki/coordinator.p12",
        "--secret-file", "fout-wachtwoord.txt",
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "dit-is-het-niet" not in result.stderr
    assert "passphrase" in result.stderr.lower(), result.stderr
    for code in REJECTED:
        assert not (ws / "ronde" / code / "verklaring-met-instemming.pdf").exists()
        assert not (ws / "ronde" / code / "instemming.json").exists()
    assert not [e for e in entries(ws)[before:] if e.kind == "aanvaarding"]


def test_a_return_is_judged_by_the_bytes_collected_not_whatever_is_there_now(ws: Path) -> None:
    """The check reads the stored return once and judges those bytes only if they are the
    ones collected (found in review: the file was read for the prefix, again for verify and
    again for the consent, so a swap in the round folder between the reads went unseen)."""
    import hashlib

    from toetreding.round.returns import check_return
    from toetreding.verify import options_from_settings

    stored = sign_prepared(ws, "GM0317", ws / "inbox-10" / "eemnes.pdf")
    prepared = ws / "ronde" / "GM0317" / "verklaring.pdf"
    digest = hashlib.sha256(prepared.read_bytes()).hexdigest()
    opts = options_from_settings(settings_of(ws))
    collected = hashlib.sha256(stored.read_bytes()).hexdigest()
    good = check_return(stored, collected, prepared, digest, "B-T", opts)
    assert good.outcome == "aanvaardbaar", good.reasons
    swapped = check_return(stored, "0" * 64, prepared, digest, "B-T", opts)
    assert swapped.outcome == "afgewezen"
    assert any("changed after it was collected" in r for r in swapped.reasons), swapped.reasons
