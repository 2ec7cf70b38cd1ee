"""Signing: PAdES signatures (B-B … B-LTA) from PKCS#12 files and PKCS#11 tokens.

Names load on first use, so that importing the package costs nothing until a signing
step runs: pyHanko's signing stack, its HTTP client and Typst load only then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .document import StatementPdf, read_statement
    from .extend import ExtendOutcome, extend_statement
    from .setup import SignerChoice, open_statement_signer, sign_file
    from .signing import (
        SignedStatement,
        SignerPresentation,
        SignOptions,
        SignOutcome,
        StatementSigner,
        sign_statement,
    )

_LAZY = {
    "StatementPdf": "document",
    "read_statement": "document",
    "ExtendOutcome": "extend",
    "extend_statement": "extend",
    "SignerChoice": "setup",
    "open_statement_signer": "setup",
    "sign_file": "setup",
    "SignedStatement": "signing",
    "SignerPresentation": "signing",
    "SignOptions": "signing",
    "SignOutcome": "signing",
    "StatementSigner": "signing",
    "sign_statement": "signing",
}

__all__ = [
    "ExtendOutcome",
    "SignOptions",
    "SignOutcome",
    "SignedStatement",
    "SignerChoice",
    "SignerPresentation",
    "StatementPdf",
    "StatementSigner",
    "extend_statement",
    "open_statement_signer",
    "read_statement",
    "sign_file",
    "sign_statement",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
