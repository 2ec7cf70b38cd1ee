"""Verification: signatures, document and chain of authority, in one report."""

from .report import SCHEMA, Indication, VerificationReport
from .signatures import VerifyOptions
from .statement import verify_file

__all__ = ["SCHEMA", "Indication", "VerificationReport", "VerifyOptions", "verify_file"]
