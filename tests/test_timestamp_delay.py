"""A signature timestamp must follow the moment the signer claimed, and soon after.

The token is outside what the signature covers: found in review, the consent's token was
replaced by a new one a day later (over the same signature value) and the statement
extended again, which moved the effective date under PASSED. The claimed moment (/M) is
signed, so it bounds what a token may prove.
"""

from __future__ import annotations

import datetime as dt

import pytest

from toetreding.verify.report import Indication, SignatureReport
from toetreding.verify.signatures import (
    CLOCK_SKEW,
    MAX_TIMESTAMP_DELAY,
    _judge_timestamp_delay,
)

CLAIMED = dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC)


def judged(delay: dt.timedelta) -> SignatureReport:
    report = SignatureReport(field_name="instemming-coordinator", kind="signature")
    report.indication = Indication.PASSED
    _judge_timestamp_delay(report, CLAIMED + delay, CLAIMED)
    return report


@pytest.mark.parametrize(
    "delay",
    [
        dt.timedelta(0),
        dt.timedelta(seconds=3),
        dt.timedelta(minutes=20),
        MAX_TIMESTAMP_DELAY,
        -CLOCK_SKEW,  # the signer's clock a little ahead
    ],
)
def test_a_timestamp_made_at_signing_proves_the_moment(delay: dt.timedelta) -> None:
    report = judged(delay)
    assert report.indication is Indication.PASSED and not report.problems


@pytest.mark.parametrize(
    ("delay", "sub_indication", "said"),
    [
        (
            MAX_TIMESTAMP_DELAY + dt.timedelta(seconds=1),
            "SIG_CONSTRAINTS_FAILURE",
            "more than an hour after",
        ),
        (dt.timedelta(days=1), "SIG_CONSTRAINTS_FAILURE", "can be replaced by anyone"),
        (-CLOCK_SKEW - dt.timedelta(seconds=1), "TIMESTAMP_ORDER_FAILURE", "earlier than"),
        (-dt.timedelta(hours=22), "TIMESTAMP_ORDER_FAILURE", "made after signing"),
    ],
)
def test_a_timestamp_far_from_the_claimed_moment_proves_nothing(
    delay: dt.timedelta, sub_indication: str, said: str
) -> None:
    report = judged(delay)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication == sub_indication
    assert any(said in p for p in report.problems), report.problems
