"""The 342 Dutch municipalities of 1 January 2025 (CBS gemeentelijke indeling).

The list ships as package data so that a CBS code can be checked offline. CBS adds a
province suffix to eight names that occur more than once in the country, such as
"Laren (NH.)"; documents must print the official name without it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CBS_CODE_PATTERN = re.compile(r"^GM\d{4}$")
_CBS_SUFFIX = re.compile(r"\s*\([A-Z][A-Za-z.]*\.\)$")
REFERENCE_DATE = "1 januari 2025"


@dataclass(frozen=True)
class Municipality:
    """A gemeente as CBS lists it."""

    code: str
    cbs_name: str
    province: str

    @property
    def official_name(self) -> str:
        """The name as the gemeente itself writes it: without the CBS suffix."""
        return _CBS_SUFFIX.sub("", self.cbs_name)


@cache
def all_municipalities() -> dict[str, Municipality]:
    """Every municipality by CBS code, read once from the bundled CSV."""
    raw = (Path(__file__).parent / "data" / "gemeenten-2025.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO(raw))
    return {row["code"]: Municipality(row["code"], row["naam"], row["provincie"]) for row in rows}


def lookup(code: str) -> Municipality | None:
    """The municipality with this CBS code, or None when it did not exist on the reference date."""
    return all_municipalities().get(code.strip().upper())
