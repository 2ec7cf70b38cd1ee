"""JSON Schemas for the YAML files, so editors can complete keys and flag mistakes as you type.

The schemas come straight from the pydantic models, so they can never drift from what
`render` accepts. The example files point at them with a
``# yaml-language-server: $schema=…`` first line.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .config import ConfigFile
from .fileio import write_atomically
from .model import Authority, Covenant, StatementRequest

SCHEMAS: dict[str, type[BaseModel]] = {
    "verzoek": StatementRequest,
    "convenant": Covenant,
    "bevoegdheid": Authority,
    "toetreding": ConfigFile,
}
"""File stem of each YAML kind → the model that validates it."""


def schema_text(model: type[BaseModel], name: str) -> str:
    """The JSON Schema of one model as stable, pretty-printed text."""
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://toetreding.example/schemas/{name}.schema.json",
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder`` (created if needed); return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / f"{name}.schema.json"
        write_atomically(path, schema_text(model, name).encode("utf-8"))
        written.append(path)
    return written
