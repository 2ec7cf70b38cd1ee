"""Verification: signatures, document and chain of authority, in one report."""

from .options import VerifyOptions, options_from_settings
from .report import SCHEMA, Indication, VerificationReport
from .statement import verify_file

__all__ = [
    "SCHEMA",
    "Indication",
    "VerificationReport",
    "VerifyOptions",
    "options_from_settings",
    "verify_file",
]
