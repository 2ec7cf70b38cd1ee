"""Compare X.500 names once per pair of encodings (asn1crypto), not once per comparison.

Why: validating one signature compares distinguished names dozens of times — finding a
certificate's issuer, the CRL issuer, the signer among the CMS certificates, the trust
anchor — and asn1crypto prepares both names for every comparison (RFC 5280 §7.1: each
value through the LDAP string preparation of RFC 4518, in pure Python). On a returned
statement (one B-T signature, CRL checked) these comparisons were a quarter of
`verify` (py-spy, issue #16).

How: `Name.__eq__` and `Name.hashable` are pure functions of the two names' DER encodings,
so their results are remembered by encoding (bounded). The first comparison of two
encodings runs asn1crypto's own code on the names themselves; an exception is never
remembered, so a name that asn1crypto cannot prepare fails every time, as before. `tests/test_fast_names.py` compares
both on equal, differently-encoded-but-equal, unequal and malformed names. Installed by
:mod:`toetreding.deferred_imports` when `asn1crypto.x509` is imported (or at once when it
already was).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

REMEMBERED = 8192
"""Results kept (then forgotten all at once); a round meets a handful of CAs."""


def install(x509: types.ModuleType) -> None:
    """Replace `x509.Name.__eq__` and `x509.Name.hashable` with the remembering ones."""
    name_class = x509.Name
    if getattr(name_class.__eq__, "_toetreding_fast", False):
        return
    name_class.__eq__ = remembering_equality(name_class.__eq__, name_class)
    name_class.hashable = property(remembering_hashable(name_class.hashable.fget))


class _Remembered(dict[Any, Any]):
    """Results by key, forgotten all at once when full."""

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        result = self.get(key)
        if result is None:
            result = compute()  # raises as asn1crypto raises: nothing kept
            if len(self) >= REMEMBERED:
                self.clear()
            self[key] = result
        return result


def remembering_equality(original: Callable[[Any, Any], bool], name_class: type[Any]) -> Any:
    """`Name.__eq__` with its result remembered per pair of DER encodings."""
    remembered = _Remembered()

    def __eq__(self: Any, other: Any) -> bool:
        if not isinstance(other, name_class):
            return False
        key = (self.dump(), other.dump())
        return bool(remembered.get_or_compute(key, lambda: bool(original(self, other))))

    __eq__._toetreding_fast = True  # type: ignore[attr-defined]
    __eq__._toetreding_original = original  # type: ignore[attr-defined]
    return __eq__


def remembering_hashable(original: Callable[[Any], str]) -> Callable[[Any], str]:
    """`Name.hashable` with its result remembered per DER encoding."""
    remembered = _Remembered()

    def hashable(self: Any) -> str:
        return str(remembered.get_or_compute(self.dump(), lambda: original(self)))

    hashable._toetreding_fast = True  # type: ignore[attr-defined]
    hashable._toetreding_original = original  # type: ignore[attr-defined]
    return hashable
