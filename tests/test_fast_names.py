"""Remembered X.500 name comparisons give asn1crypto's own answers (toetreding/fast_names.py):
equal, equal under RFC 5280's rules but differently encoded, unequal, and names
asn1crypto cannot prepare — the last fail every time, as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asn1crypto import x509
from hypothesis import given, settings
from hypothesis import strategies as st

import toetreding  # noqa: F401  (installs the speed-up)


def originals() -> tuple[Callable[[Any, Any], bool], Callable[[Any], str]]:
    fast_equal, fast_hashable = x509.Name.__eq__, x509.Name.hashable.fget
    assert getattr(fast_equal, "_toetreding_fast", False), "the import hook did not install it"
    assert getattr(fast_hashable, "_toetreding_fast", False)
    return fast_equal._toetreding_original, fast_hashable._toetreding_original  # type: ignore[attr-defined]


def name(common_name: str, organisation: str = "Gemeente", kind: str = "utf8_string") -> Any:
    """A Name whose attribute values use the given string type (the encoding differs)."""
    built = x509.Name.build({"common_name": common_name, "organization_name": organisation})
    if kind != "utf8_string":
        for rdn in built.chosen:
            for pair in rdn:
                pair["value"] = x509.DirectoryString(name=kind, value=pair["value"].native)
    return x509.Name.load(built.dump(force=True))


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("value", call())
    except Exception as error:
        return ("error", type(error).__name__)


PAIRS = [
    (name("Burgemeester"), name("Burgemeester")),
    (name("Burgemeester"), name("burgemeester  ")),  # case and spaces fold in RFC 5280
    (name("Burgemeester"), name("Burgemeester", kind="printable_string")),
    (name("Burgemeester"), name("Secretaris")),
    (name("Burgemeester"), name("Burgemeester", organisation="Andere gemeente")),
]


@pytest.mark.parametrize("index", range(len(PAIRS)))
def test_equality_and_hashable_as_asn1crypto(index: int) -> None:
    equal, hashable = originals()
    left, right = PAIRS[index]
    for _ in range(2):  # the second time from what was remembered
        assert (left == right) is equal(left, right)
        assert (right == left) is equal(right, left)
        assert left.hashable == hashable(left)
        assert right.hashable == hashable(right)


def test_a_name_asn1crypto_cannot_prepare_fails_every_time() -> None:
    _equal, hashable = originals()
    broken = name("Burgemeester")
    # a private-use character is prohibited (RFC 4518 §2.4, stringprep table C.3)
    bad = x509.Name.load(x509.Name.build({"common_name": "Burge\ue000meester"}).dump(force=True))
    expected = outcome(lambda: hashable(bad))
    assert expected[0] == "error", "the test needs a name asn1crypto refuses to prepare"
    for _ in range(2):
        assert outcome(lambda: bad.hashable) == expected
        assert outcome(lambda: bad == broken) == outcome(lambda: originals()[0](bad, broken))


def test_not_a_name_is_not_equal() -> None:
    assert name("A") != "A"
    assert (name("A") == x509.Certificate()) is False


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="aAbB  -éZ0", min_size=1, max_size=12),
    st.text(alphabet="aAbB  -éZ0", min_size=1, max_size=12),
    st.sampled_from(["utf8_string", "printable_string", "teletex_string"]),
)
def test_random_names_as_asn1crypto(left_text: str, right_text: str, kind: str) -> None:
    equal, hashable = originals()
    if not (left_text + right_text).isascii():
        kind = "utf8_string"  # the other string types cannot hold é
    left, right = name(left_text), name(right_text, kind=kind)
    assert outcome(lambda: left == right) == outcome(lambda: equal(left, right))
    assert outcome(lambda: right.hashable) == outcome(lambda: hashable(right))
