"""Work a round does in worker processes: checking returns and verifying acceptances.

Workers only read files and return plain data; the leader writes the state files and the
register (as in a batch, see :mod:`toetreding.batch.workers`). Every worker is tied to the
leader and ends with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..batch.lifeline import prepare_worker, until_stopped

_STATE: dict[str, Any] = {}


def init_checker(settings: Any, leader: int) -> None:
    """Process initialiser: the verification options of the workspace (trust roots,
    revocation lists, the trusted covenants a consent is checked against), loaded once."""
    prepare_worker(leader)  # first: Ctrl-C is the leader's to handle, also during imports
    from ..verify import options_from_settings

    _STATE["options"] = options_from_settings(settings)


@until_stopped
def check_one_return(
    key: str,
    stored: str,
    stored_sha256: str,
    prepared: str,
    prepared_sha256: str,
    minimum_level: str,
) -> tuple[str, dict[str, Any]]:
    """Judge one stored return (the bytes with that SHA-256): (key, the verdict as JSON)."""
    from .returns import check_return

    verdict = check_return(
        Path(stored),
        stored_sha256,
        Path(prepared),
        prepared_sha256,
        minimum_level,
        _STATE["options"],
    )
    return key, verdict.to_json()


@until_stopped
def verify_acceptance(key: str, path: str) -> tuple[str, dict[str, Any]]:
    """Verify one accepted statement: (key, verdict, problems, effective date, consent time)."""
    from ..verify import verify_file
    from ..verify.report import Verdict
    from .returns import verify_reasons

    report = verify_file(Path(path), _STATE["options"])
    consent = next((s for s in report.signatures if s.field_name.startswith("instemming")), None)
    return key, {
        "verificatie": report.verdict.value,
        "redenen": [] if report.verdict is Verdict.PASSED else verify_reasons(report),
        "ingangsdatum": report.document.effective_date,
        "ingang_bron": report.document.effective_date_source,
        "instemming_tijdstip": consent.signing_time if consent else None,
        "ondertekenaar": consent.signer.common_name if consent and consent.signer else None,
        "sha256": report.sha256,
        "vernieuwen_voor": report.document.renewal_due,
    }


def check_call(key: str, stored: Path, stored_sha256: str, party: Any) -> tuple[Any, ...]:
    """The worker call that judges one stored return against its party's statement."""
    return (
        check_one_return,
        (
            key,
            str(stored),
            stored_sha256,
            str(party.statement),
            party.statement_sha256,
            party.minimum_level,
        ),
    )
