"""Batch: statements for many parties at once — parallel, resumable, with a manifest."""

from .input import BatchPlan, PlannedParty, load_batch, require_valid
from .run import BatchInterrupted, BatchOptions, BatchOutcome, run_batch

__all__ = [
    "BatchInterrupted",
    "BatchOptions",
    "BatchOutcome",
    "BatchPlan",
    "PlannedParty",
    "load_batch",
    "require_valid",
    "run_batch",
]
