"""The validation report as a PDF/A-2a + PDF/UA-1 document, for the archive.

An e-Depot keeps the human-readable report next to the statement: in twenty years a reader
may have neither toetreding nor a JSON viewer. The report is typeset by Typst from a
template shipped beside this module; every value goes in through a JSON file and is placed
as text, so nothing a hostile PDF put in a name or a role can become Typst markup.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from ..i18n import _
from ..textformat import dutch_time
from ..verify.report import VerificationReport

TEMPLATE = "validatierapport.typ"
STANDARDS = ["a-2a", "ua-1"]


def report_view(
    report: VerificationReport, official: dict[str, Any], file_name: str, language: str
) -> dict[str, Any]:
    """What the PDF shows, as plain strings in the user's language."""
    document = report.document
    passed = report.passed
    facts: list[list[str]] = [
        [_("file"), file_name],
        ["SHA-256", report.sha256 or "—"],
        [_("party"), document.party or "—"],
        [_("covenant"), document.covenant or "—"],
        [_("statement date"), document.statement_date or "—"],
        [_("effective date"), document.effective_date or "—"],
        [_("PDF/A · PDF/UA"), f"{document.pdfa or '—'} · {document.pdfua or '—'}"],
        [_("validated at"), dutch_time(report.validated_at)],
        [_("validated by"), _official_words(official)],
    ]
    sections = [
        {"title": _("chain of authority"), "items": _chain_items(report.chain)},
        {"title": _("consent"), "items": _chain_items(report.consent_chain)},
        {"title": _("document problems"), "items": list(document.problems)},
    ]
    if report.error:
        sections.insert(0, {"title": _("unreadable"), "items": [report.error]})
    return {
        "title": _("Validation report: {name}").format(name=file_name),
        "author": official.get("organisatie") or official.get("naam") or "toetreding",
        "lang": language,
        "footer": _("toetreding validation report · {moment}").format(
            moment=dutch_time(report.validated_at)
        ),
        "passed": passed,
        "verdict": ("✓ " if passed else "✗ ") + str(report.verdict),
        "facts_header": [_("item"), _("value")],
        "facts": facts,
        "sections": sections,
        "none_found": _("nothing to report"),
        "signatures_heading": _("signatures and timestamps"),
        "signature_header": [_("field"), _("signer / role"), _("time"), _("level"), _("result")],
        "signatures": [_signature_row(s) for s in report.signatures],
    }


def report_pdf(
    report: VerificationReport, official: dict[str, Any], file_name: str, language: str
) -> bytes:
    """The report typeset as PDF/A-2a + PDF/UA-1 (dated the day of validation)."""
    from ..render.typesetter import Typesetter

    view = _printable(report_view(report, official, file_name, language))
    source = resources.files(__package__).joinpath(TEMPLATE).read_text(encoding="utf-8")
    moment = _moment(report.validated_at)
    with Typesetter() as typesetter:
        typesetter.add_data("rapport.json", json.dumps(view, ensure_ascii=False).encode())
        return typesetter.pdf(source, STANDARDS, moment.date()).pdf


def _printable(value: Any) -> Any:
    """Every string in the view with its control characters shown as code points: a
    certificate's name or the PDF's own data may hold them, and the report must still be
    made (they are shown, not hidden)."""
    from .mdto import printable

    if isinstance(value, str):
        return printable(value, empty=value)
    if isinstance(value, list):
        return [_printable(item) for item in value]
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    return value


def _official_words(official: dict[str, Any]) -> str:
    parts = [str(official.get("naam") or "?")]
    if official.get("functie"):
        parts.append(str(official["functie"]))
    if official.get("organisatie"):
        parts.append(str(official["organisatie"]))
    return ", ".join(parts)


def _chain_items(chain: Any) -> list[str]:
    if chain is None:
        return []
    if not chain.present:
        return [_("chain missing")] + [str(b) for b in chain.breaches]
    state = _("authorised") if chain.authorised else _("NOT authorised")
    when = ", ".join(chain.checked_at) or _("unknown moment")
    items = [f"{state} — " + _("{signer} on {dates}").format(signer=chain.signer or "", dates=when)]
    if chain.original_mandator:
        from ..textformat import with_article

        items.append(f"namens {with_article(chain.original_mandator)}")
    if chain.time_basis:
        items.append(_("signing moment: {basis}").format(basis=chain.time_basis))
    items.extend(str(b) for b in chain.breaches)
    return items


def _signature_row(signature: Any) -> list[str]:
    who = signature.signer.common_name if signature.signer else "?"
    if signature.claimed_role:
        who += f"\n{signature.claimed_role}"
    when = dutch_time(signature.signing_time)
    if signature.signing_time_source is not None:
        when += f"\n({signature.signing_time_source.value})"
    result = signature.indication.value
    if signature.sub_indication:
        result += f"\n{signature.sub_indication}"
    result += "\n" + _("revocation: {state}").format(state=signature.revocation)
    for problem in signature.problems:
        result += f"\n• {problem}"
    return [signature.field_name, who, when, signature.level or "—", result]


def _moment(iso: str | None) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(iso or "")
    except ValueError:
        return dt.datetime.now(dt.UTC)
