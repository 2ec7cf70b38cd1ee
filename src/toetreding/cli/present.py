"""Showing a verification report: one glance tells pass or fail, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .console import escape, stdout

if TYPE_CHECKING:
    from ..verify import VerificationReport


def show_report(report: VerificationReport) -> None:
    """Print one file's report with rich."""
    from rich.panel import Panel
    from rich.table import Table

    from ..verify import Indication

    console = stdout()
    if not report.readable:
        console.print(
            f"[bold red]✗ UNREADABLE[/] {escape(report.file)}: {escape(report.error or '')}"
        )
        return
    ok = report.passed
    mark = "[bold green]✓ PASSED[/]" if ok else "[bold red]✗ FAILED[/]"
    document = report.document
    lines = [f"{mark}  {escape(report.file)}"]
    if document.party:
        lines.append(f"{escape(document.party)} — {escape(document.covenant or '')}")
    lines.append(
        f"statement of {document.statement_date or '?'}; "
        + (
            f"[bold]in effect since {document.effective_date}[/] (acceptance)"
            if document.effective_date
            else "[yellow]not yet accepted by the coordinating party[/]"
        )
    )
    lines.append(f"{document.pdfa or 'no PDF/A id'} · {document.pdfua or 'no PDF/UA id'}")
    chain = report.chain
    if chain is not None and chain.present:
        verdict = "[green]authorised[/]" if chain.authorised else "[red]NOT authorised[/]"
        lines.append(
            f"chain of authority: {verdict} — {escape(chain.signer or '')} on {chain.checked_at}"
            + (f", namens {escape(chain.original_mandator)}" if chain.original_mandator else "")
        )
        lines.extend(f"  [red]•[/] {escape(b)}" for b in chain.breaches)
    elif chain is not None:
        lines.append(f"chain of authority: [red]missing[/] ({escape('; '.join(chain.breaches))})")
    lines.extend(f"[red]•[/] {escape(p)}" for p in document.problems)
    console.print(
        Panel("\n".join(lines), expand=False, border_style="green" if ok else "red"),
        soft_wrap=False,
    )
    if not report.signatures:
        return
    table = Table("field", "signer / role", "time", "level", "result")
    for signature in report.signatures:
        colour = {
            Indication.PASSED: "green",
            Indication.INDETERMINATE: "yellow",
            Indication.FAILED: "red",
        }[signature.indication]
        who = signature.signer.common_name if signature.signer else "?"
        if signature.claimed_role:
            who += f"\n{signature.claimed_role}"
        when = (signature.signing_time or "?")[:19].replace("T", " ")
        when += f"\n({signature.signing_time_source})" if signature.signing_time_source else ""
        result = f"[{colour}]{signature.indication.value}[/]"
        if signature.sub_indication:
            result += f"\n{signature.sub_indication}"
        result += f"\nrevocation: {escape(signature.revocation)}"
        for problem in signature.problems:
            result += f"\n• {escape(problem)}"
        table.add_row(
            escape(signature.field_name), escape(who), when, signature.level or "—", result
        )
    console.print(table, soft_wrap=False)
