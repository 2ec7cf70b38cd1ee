"""JSON Schemas for the YAML files, so editors can complete keys and flag mistakes as you type.

The schemas come straight from the pydantic models, so they can never drift from what
`render` accepts. The example files point at them with a
``# yaml-language-server: $schema=…`` first line.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

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


class _DocumentedJsonSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, with each field's attribute docstring as its description.

    Why not pydantic's own `use_attribute_docstrings`: it reads every model's source
    when the class is created, which every command paid at start-up (≈ 40 ms of a cold
    `sign` or `verify`, issue #16) for text only the schemas show.
    """

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        properties = json_schema.get("properties")
        model = schema["cls"]
        if isinstance(properties, dict) and issubclass(model, BaseModel):
            for field_name, info in model.model_fields.items():
                documented = attribute_docstrings(model).get(field_name)
                key = info.alias or field_name
                entry = properties.get(key)
                if documented and info.description is None and isinstance(entry, dict):
                    entry.setdefault("description", documented)
        return json_schema


def attribute_docstrings(model: type) -> dict[str, str]:
    """Field name → the string literal that follows its annotation in the class body,
    for the model and the classes it inherits fields from (nearest first)."""
    found: dict[str, str] = {}
    for klass in model.__mro__:
        if klass is BaseModel or not issubclass(klass, BaseModel):
            continue
        for name, text in _own_attribute_docstrings(klass).items():
            found.setdefault(name, text)
    return found


@cache
def _own_attribute_docstrings(klass: type) -> dict[str, str]:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
    except (OSError, TypeError, SyntaxError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for statement, following in pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


def schema_text(model: type[BaseModel], name: str) -> str:
    """The JSON Schema of one model as stable, pretty-printed text."""
    schema: dict[str, Any] = model.model_json_schema(
        by_alias=True, mode="validation", schema_generator=_DocumentedJsonSchema
    )
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
