"""The demo's coordinator round: five municipalities, from preparing to the notice.

The coordinator prepares a statement for each of five municipalities
(examples/batch/ronde.yaml). What comes back into ``inbox/`` is what a coordinator
really gets, under whatever file names people choose:

* Blaricum, Gooise Meren and Hilversum: signed by their own burgemeester with his own
  (demo) key — Blaricum's twice, once forwarded again; Hilversum at B-LTA;
* Eemnes: its clerk added the municipality's own kenmerk and made the statement again
  before the burgemeester signed it — not the statement that was prepared;
* Laren: signed by the gemeentesecretaris, whom Laren's chain does not authorise (with
  another program: toetreding itself refuses to sign for someone outside the chain).

Then `collect` (three acceptable, two rejected with their reasons), `accept` (the
coordinating party's consent, one key for all three), `status` (an HTML page) and
`notice` (the Staatscourant text) run as a coordinator would run them. The burgemeesters'
own signing happens in their municipality, so it is not recorded in the coordinator's
register; everything the coordinator does is.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .batch import BatchOptions, load_batch, run_batch
from .config import Settings
from .demo_pki import OUTSIDER_CODE, DemoPki
from .fileio import write_atomically
from .round.accept import AcceptOutcome, accept
from .round.collect import CollectOutcome, collect
from .round.notice import NoticeOutcome, write_notice
from .round.status import round_status
from .round.status_page import status_page
from .sign import SignerChoice, sign_file
from .signing_config import SignatureLevel

ROUND_BATCH = "batch/ronde.yaml"
ROUND_FOLDER = "ronde"
INBOX = "inbox"
EDITED_CODE = "GM0317"
"""Eemnes: its statement is made again (with its own kenmerk) before it is signed."""
STATUS_PAGE = "ronde-status.html"
NOTICE = "mededeling.pdf"


@dataclass(frozen=True)
class DemoRound:
    """What the demo's round did."""

    folder: Path
    inbox: Path
    collected: CollectOutcome
    accepted: AcceptOutcome
    status_page: Path
    notice: NoticeOutcome


def run_demo_round(workspace: Path, settings: Settings, pki: DemoPki) -> DemoRound:
    """Prepare, return, collect, accept, track and publish the demo round."""
    plan = load_batch(workspace / ROUND_BATCH)
    folder = workspace / ROUND_FOLDER
    run_batch(settings, plan, BatchOptions(output=folder))
    inbox = workspace / INBOX
    inbox.mkdir()
    names = {party.code: party.name for party in plan.parties}
    for code, signer in pki.mayors.items():
        prepared = folder / code / "verklaring.pdf"
        returned = inbox / f"Toetredingsverklaring {names[code]} - getekend.pdf"
        if code == OUTSIDER_CODE:
            _signed_elsewhere(settings, prepared, returned, pki.outsider.pkcs12, pki)
            continue
        if code == EDITED_CODE:
            prepared = _made_again(settings, plan, code, workspace / "tmp-eemnes.pdf")
        level = SignatureLevel.B_LTA if code == "GM0402" else SignatureLevel.B_T
        choice = SignerChoice(pkcs12=signer.pkcs12, secret_file=pki.passphrase_file, level=level)
        sign_file(settings, prepared, returned, choice)
        if code == "GM0376":  # forwarded once more by someone else: the same file again
            shutil.copyfile(returned, inbox / f"FW {returned.name}")
    (workspace / "tmp-eemnes.pdf").unlink(missing_ok=True)
    collected = collect(settings, folder, [inbox])
    accepted = accept(settings, folder, SignerChoice(profile=pki.coordinator.profile))
    page = workspace / STATUS_PAGE
    write_atomically(
        page, status_page(round_status(folder, register=settings.register)).encode("utf-8")
    )
    notice = write_notice(settings, folder, workspace / NOTICE)
    return DemoRound(folder, inbox, collected, accepted, page, notice)


def _made_again(settings: Settings, plan: object, code: str, output: Path) -> Path:
    """The party's statement made again with its own kenmerk added: a different file."""
    from .batch import BatchPlan
    from .render import StatementRenderer

    assert isinstance(plan, BatchPlan)
    party = next(p for p in plan.parties if p.code == code)
    request = party.statement.request.model_copy(update={"reference": "EEM/2026/0815"})
    statement = party.statement.model_copy(update={"request": request})
    with StatementRenderer(settings) as renderer:
        write_atomically(output, renderer.render(statement).pdf)
    return output


def _signed_elsewhere(
    settings: Settings, prepared: Path, output: Path, pkcs12: Path, pki: DemoPki
) -> None:
    """Signed in the party's field by someone outside its chain, with plain pyHanko (at
    B-T, so the chain is the only thing wrong)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from .model import SignatureSlot
    from .sign.services import timestamper_for

    passphrase = pki.passphrase_file.read_text(encoding="utf-8").strip().encode()
    signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        str(pkcs12), passphrase=passphrase
    )
    assert signer is not None
    with prepared.open("rb") as source:
        writer = IncrementalPdfFileWriter(source, strict=False)
        metadata = signers.PdfSignatureMetadata(
            field_name=SignatureSlot.PARTY.value,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        timestamper = timestamper_for(SignatureLevel.B_T, settings.signing.tsa)
        signed = signers.sign_pdf(writer, metadata, signer=signer, timestamper=timestamper)
    write_atomically(output, signed.getvalue())
