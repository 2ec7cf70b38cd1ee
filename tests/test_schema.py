"""The JSON Schemas are generated from the models and the shipped copies are current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toetreding.schema import SCHEMAS, schema_text

EXAMPLE_SCHEMAS = Path(__file__).resolve().parent.parent / "examples" / "huizen" / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_shipped_schema_is_current(name: str) -> None:
    shipped = EXAMPLE_SCHEMAS / f"{name}.schema.json"
    assert shipped.read_text(encoding="utf-8") == schema_text(SCHEMAS[name], name), (
        f"{shipped} is out of date: run `toetreding schema examples/huizen/schemas`"
    )


def test_request_schema_uses_dutch_keys_and_forbids_others() -> None:
    schema = json.loads(schema_text(SCHEMAS["verzoek"], "verzoek"))
    assert {"convenant", "bevoegdheid", "partij", "plaats", "datum"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"convenant", "bevoegdheid", "partij", "plaats", "datum"}


def test_examples_point_editors_at_the_schemas() -> None:
    for name in ("verzoek", "convenant", "bevoegdheid", "toetreding"):
        first = (EXAMPLE_SCHEMAS.parent / f"{name}.yaml").read_text().splitlines()[0]
        assert first == f"# yaml-language-server: $schema=schemas/{name}.schema.json"
