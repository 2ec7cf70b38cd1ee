"""Signing: PAdES signatures (B-B … B-LTA) from PKCS#12 files and PKCS#11 tokens."""

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
