"""The one base of every toetreding.yaml section's model.

Why one: each section (ondertekening, verificatie, archief, …) must reject unknown keys
(a typo is an error, not a silently ignored setting), stay frozen once read, take only
the Dutch YAML names, and build its validator on first use rather than at import (so
`toetreding --help` stays fast). Field docstrings become JSON-schema descriptions in
schema.py.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ConfigModel(BaseModel):
    """Base of the config file's sections: strict, frozen, by Dutch alias, built lazily."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_alias=True,
        validate_by_name=False,
        defer_build=True,
    )
