"""Cells for CSV files that a clerk opens in a spreadsheet.

A cell that starts with '=', '+', '-', '@' (or a tab or carriage return) is read as a
formula by Excel and LibreOffice: a municipality name or a signer's name taken from a
returned file could then run a formula (a link that sends the sheet's contents away) when
the coordinator opens the status table. Such a cell is written with a leading apostrophe,
which spreadsheets show as text and hide.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value: object) -> object:
    """The value as a CSV cell no spreadsheet runs as a formula (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
