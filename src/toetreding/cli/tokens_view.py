"""Showing `toetreding tokens`: per token a table of what a signer profile can name."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..i18n import _
from ..sign.tokens import pin_state_words
from .console import escape, stdout

if TYPE_CHECKING:
    from ..sign.tokens import TokenOverview


def show_tokens(overview: TokenOverview, *, as_json: bool) -> None:
    """Print the tokens as tables (or JSON), ending with a profile snippet to copy."""
    console = stdout()
    if as_json:
        console.print_json(json.dumps(overview.as_json(), ensure_ascii=False))
        return
    from rich.table import Table

    console.print(_("PKCS#11 module {module}").format(module=escape(str(overview.module))))
    if not overview.tokens:
        console.print(
            "[yellow]" + _("no token present: insert the card, or check the reader") + "[/]"
        )
        return
    for token in overview.tokens:
        state = ""
        if token.pin_state != "ok":
            state = (
                ", [red]"
                + _("PIN: {state}").format(state=escape(pin_state_words(token.pin_state)))
                + "[/]"
            )
        console.print(
            "\n[bold]"
            + _("token '{label}'").format(label=escape(token.label))
            + "[/] — "
            + _("slot {slot} ({description}), {manufacturer} {model}, serial {serial}").format(
                slot=token.slot_id,
                description=escape(token.slot_description),
                manufacturer=escape(token.manufacturer),
                model=escape(token.model),
                serial=escape(token.serial),
            )
            + state
        )
        if not token.initialised:
            console.print("  " + _("not initialised (empty): nothing to sign with"))
            continue
        if not token.certificates:
            console.print("  " + _("no certificates readable without a PIN"))
            continue
        table = Table(show_lines=False)
        # the names are meant to be copied into a profile: never cut them short
        widest = max(len(c.label) for c in token.certificates)
        table.add_column("sleutel (label)", no_wrap=True, min_width=max(widest, 15))
        table.add_column("sleutel_id", no_wrap=True)
        for header in (_("holder"), _("issuer"), _("valid until"), _("signs")):
            table.add_column(header, overflow="fold")
        for item in token.certificates:
            table.add_row(
                escape(item.label),
                item.id_hex,
                escape(item.common_name),
                escape(item.issuer),
                f"{item.valid_until:%Y-%m-%d}",
                _("yes") if item.can_sign else _("no (not a signing certificate)"),
            )
        console.print(table)
    first = next((t for t in overview.tokens if t.certificates), None)
    if first is not None:
        signing = next((c for c in first.certificates if c.can_sign), first.certificates[0])
        console.print(
            "\n"
            + _("In a signer profile (toetreding.yaml, under ondertekening.ondertekenaars):")
            + "\n  pkcs11: "
            + escape(profile_line(str(overview.module), first.label, signing.label)),
            soft_wrap=True,
        )


def profile_line(module: str, token: str, key: str) -> str:
    """The signer profile's ``pkcs11`` value as YAML (quoted where needed), so a label such
    as ``k, sleutel_id: 02`` is copied as the label it is, not as an extra key."""
    import yaml

    value = {"module": module, "token": token, "sleutel": key}
    dumped: str = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1_000_000
    )
    return dumped.strip()
