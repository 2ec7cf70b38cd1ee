"""Showing a verification report: one glance tells pass or fail, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .console import dutch_time, escape, stdout

if TYPE_CHECKING:
    from ..verify import VerificationReport
    from ..verify.report import ChainReport, SignatureReport

TIME_WORDS = {
    "signature-timestamp": "proven by timestamp",
    "document-timestamp": "document timestamp",
    "claimed": "claimed, not proven",
}


def show_report(report: VerificationReport) -> None:
    """Print one file's report with rich."""
    from rich.panel import Panel

    from ..verify.report import Verdict

    console = stdout()
    if not report.readable:
        console.print(
            f"[bold red]✗ UNREADABLE[/] {escape(report.file)}: {escape(report.error or '')}"
        )
        return
    verdict = report.verdict
    document = report.document
    if verdict is Verdict.NOT_A_STATEMENT:
        lines = [
            f"[bold yellow]✗ NOT A TOETREDING STATEMENT[/]  {escape(report.file)}",
            "This PDF has no statement fields or statement data, so no accession can be "
            f"read from it. Its {len(report.signatures)} signature(s) were judged all the same:",
        ]
        console.print(Panel("\n".join(lines), expand=False, border_style="yellow"))
        _signature_table(report)
        return
    ok = verdict is Verdict.PASSED
    mark = "[bold green]✓ PASSED[/]" if ok else "[bold red]✗ FAILED[/]"
    lines = [f"{mark}  {escape(report.file)}"]
    if document.party:
        lines.append(f"{escape(document.party)} — {escape(document.covenant or '')}")
    if document.effective_date:
        basis = "" if document.effective_date_source == "signature-timestamp" else " (claimed)"
        effect = f"[bold]in effect since {document.effective_date}[/] (consent{basis})"
    elif any(s.field_name == "instemming-coordinator" for s in report.signatures):
        effect = "[red]not in effect: the consent is not proven or not authorised[/]"
    else:
        effect = "[yellow]the coordinating party has not yet consented[/]"
    lines.append(f"statement of {document.statement_date or 'unknown date'}; {effect}")
    lines.append(f"{document.pdfa or 'no PDF/A id'} · {document.pdfua or 'no PDF/UA id'}")
    lines.extend(_chain_lines("chain of authority", report.chain))
    lines.extend(_chain_lines("consent", report.consent_chain))
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
        return [f"{label}: [red]chain missing[/] ({escape('; '.join(chain.breaches))})"]
    state = "[green]authorised[/]" if chain.authorised else "[red]NOT authorised[/]"
    when = ", ".join(chain.checked_at) or "unknown moment"
    lines = [
        f"{label}: {state} — {escape(chain.signer or '')} on {when}"
        + (f", namens {escape(chain.original_mandator)}" if chain.original_mandator else "")
    ]
    if chain.time_basis:
        lines.append(f"  signing moment: {escape(chain.time_basis)}")
    if chain.confirmed_by:
        lines.append(f"  confirmed against the covenant {escape(chain.confirmed_by)}")
    lines.extend(f"  [red]•[/] {escape(b)}" for b in chain.breaches)
    return lines


def _signature_table(report: VerificationReport) -> None:
    from rich.table import Table

    if not report.signatures:
        return
    table = Table("field", "signer / role", "time", "level", "result")
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
        when += f"\n({TIME_WORDS.get(source.value, source.value)})"
    if signature.proven_no_later_than and source == "claimed":
        when += f"\nproven by {dutch_time(signature.proven_no_later_than, seconds=False)}"
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
    result += f"\nrevocation: {escape(signature.revocation)}"
    for problem in signature.problems:
        result += f"\n• {escape(problem)}"
    return result
