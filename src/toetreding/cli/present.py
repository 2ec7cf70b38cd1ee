"""Showing a verification report: one glance tells pass or fail, and why."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..i18n import _, ngettext
from .console import dutch_time, escape, shown_name, stdout

if TYPE_CHECKING:
    from ..verify import VerificationReport
    from ..verify.report import ChainReport, SignatureReport


def time_words(source: str) -> str:
    """On what a signing moment rests, in words."""
    words = {
        "signature-timestamp": _("proven by timestamp"),
        "document-timestamp": _("document timestamp"),
        "claimed": _("claimed, not proven"),
    }
    return words.get(source, source)


def renewal_words(due: Any) -> str:
    """A renewal schedule (``pki.renewal.RenewalDue``) as people read it."""
    if due is None:
        return "—"
    return renewal_moment_words(due.due, due.reason)


def renewal_moment_words(due: dt.datetime | str, reason: str | None) -> str:
    """By when and why a statement's evidence must be renewed, in words."""
    from ..pki.renewal import ALREADY_DUE

    reasons = {
        "tsa-certificate-expires": _("the timestamp authority's certificate expires"),
        "algorithm-weakens": _("its algorithm is no longer accepted from then"),
        "algorithm-unknown": _("an algorithm the schedule does not know"),
        "no-archive-timestamp": _("no archive timestamp yet"),
        "certificate-expires": _(
            "the signer's certificate expires, and the signature has no timestamp"
        ),
        "unreadable-timestamp": _("a timestamp cannot be read"),
        "unreadable-signature": _("a signature cannot be read"),
    }
    moment = dt.datetime.fromisoformat(due) if isinstance(due, str) else due
    when = (
        _("now") if moment <= ALREADY_DUE else _("by {date}").format(date=moment.date().isoformat())
    )
    return f"{when} ({reasons.get(reason or '', reason or '?')})"


def show_report(report: VerificationReport) -> None:
    """Print one file's report with rich."""
    from rich.panel import Panel

    from ..verify.report import Verdict

    console = stdout()
    if not report.readable:
        console.print(
            f"[bold red]✗ UNREADABLE[/] {escape(shown_name(report.file))}: {escape(report.error or '')}"
        )
        return
    verdict = report.verdict
    document = report.document
    if verdict is Verdict.NOT_A_STATEMENT:
        lines = [
            "[bold yellow]✗ "
            + _("NOT A TOETREDING STATEMENT")
            + f"[/]  {escape(shown_name(report.file))}",
            ngettext(
                "This PDF has no statement fields or statement data, so no accession can be "
                "read from it. Its {count} signature was judged all the same:",
                "This PDF has no statement fields or statement data, so no accession can be "
                "read from it. Its {count} signatures were judged all the same:",
                len(report.signatures),
            ).format(count=len(report.signatures)),
        ]
        console.print(Panel("\n".join(lines), expand=False, border_style="yellow"))
        _signature_table(report)
        return
    ok = verdict is Verdict.PASSED
    mark = "[bold green]✓ PASSED[/]" if ok else "[bold red]✗ FAILED[/]"
    lines = [f"{mark}  {escape(shown_name(report.file))}"]
    if document.party:
        lines.append(f"{escape(document.party)} — {escape(document.covenant or '')}")
    if document.effective_date:
        since = _("in effect since {date}").format(date=document.effective_date)
        basis = (
            _("(consent)")
            if document.effective_date_source == "signature-timestamp"
            else _("(consent, claimed)")
        )
        effect = f"[bold]{since}[/] {basis}"
    elif any(s.field_name == "instemming-coordinator" for s in report.signatures):
        effect = "[red]" + _("not in effect: the consent is not proven or not authorised") + "[/]"
    else:
        effect = "[yellow]" + _("the coordinating party has not yet consented") + "[/]"
    dated = _("statement of {date}").format(date=document.statement_date or _("unknown date"))
    lines.append(f"{dated}; {effect}")
    lines.append(f"{document.pdfa or _('no PDF/A id')} · {document.pdfua or _('no PDF/UA id')}")
    if document.renewal_due:
        lines.append(
            _("archive timestamp: renew {when}").format(
                when=renewal_moment_words(document.renewal_due, document.renewal_reason)
            )
        )
    lines.extend(_chain_lines(_("chain of authority"), report.chain))
    lines.extend(_chain_lines(_("consent"), report.consent_chain))
    lines.extend(f"[red]•[/] {escape(p)}" for p in document.problems)
    stdout().print(
        Panel("\n".join(lines), expand=False, border_style="green" if ok else "red"),
        soft_wrap=False,
    )
    _signature_table(report)


def _chain_lines(label: str, chain: ChainReport | None) -> list[str]:
    """How one chain check reads: the verdict, who and when, on what the moment rests."""
    if chain is None:
        return []
    if not chain.present:
        missing = _("chain missing")
        return [f"{label}: [red]{missing}[/] ({escape('; '.join(chain.breaches))})"]
    state = (
        "[green]" + _("authorised") + "[/]"
        if chain.authorised
        else "[red]" + _("NOT authorised") + "[/]"
    )
    when = ", ".join(chain.checked_at) or _("unknown moment")
    who = _("{signer} on {dates}").format(signer=escape(chain.signer or ""), dates=when)
    from ..textformat import with_article

    lines = [
        f"{label}: {state} — {who}"
        # "namens" is the Awb 10:10 formula itself, not a word of the interface
        + (
            f", namens {escape(with_article(chain.original_mandator))}"
            if chain.original_mandator
            else ""
        )
    ]
    if chain.time_basis:
        lines.append("  " + _("signing moment: {basis}").format(basis=escape(chain.time_basis)))
    if chain.confirmed_by:
        lines.append(
            "  "
            + _("confirmed against the covenant {file}").format(file=escape(chain.confirmed_by))
        )
    lines.extend(f"  [red]•[/] {escape(b)}" for b in chain.breaches)
    return lines


def _signature_table(report: VerificationReport) -> None:
    from rich.table import Table

    if not report.signatures:
        return
    table = Table(_("field"), _("signer / role"), _("time"), _("level"), _("result"))
    for signature in report.signatures:
        table.add_row(
            escape(signature.field_name),
            escape(_who(signature)),
            _when(signature),
            signature.level or "—",
            _result(signature),
        )
    stdout().print(table, soft_wrap=False)


def _who(signature: SignatureReport) -> str:
    who = signature.signer.common_name if signature.signer else "?"
    return who + (f"\n{signature.claimed_role}" if signature.claimed_role else "")


def _when(signature: SignatureReport) -> str:
    when = dutch_time(signature.signing_time)
    source = signature.signing_time_source
    if source is not None:
        when += f"\n({time_words(source.value)})"
    if signature.proven_no_later_than and source == "claimed":
        when += "\n" + _("proven by {moment}").format(
            moment=dutch_time(signature.proven_no_later_than, seconds=False)
        )
    return when


def _result(signature: SignatureReport) -> str:
    from ..verify import Indication

    colour = {
        Indication.PASSED: "green",
        Indication.INDETERMINATE: "yellow",
        Indication.FAILED: "red",
    }[signature.indication]
    result = f"[{colour}]{signature.indication.value}[/]"
    if signature.sub_indication:
        result += f"\n{signature.sub_indication}"
    states = {"good": _("good"), "revoked": _("revoked"), "unknown": _("unknown")}
    state = states.get(signature.revocation, signature.revocation)
    result += "\n" + _("revocation: {state}").format(state=escape(state))
    for problem in signature.problems:
        result += f"\n• {escape(problem)}"
    return result
