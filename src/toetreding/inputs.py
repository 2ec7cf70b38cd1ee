"""The only YAML reader: safe loading, located errors, and the request resolved into a Statement.

PyYAML forgets where values came from once it builds Python objects, so we compose the
node tree ourselves and keep a map from key path to (line, column). Pydantic's error
locations are then turned back into ``file:line:column: key.path: message — fix``.

Implicit timestamps are switched off: dates stay strings until pydantic parses them, so
an impossible date such as 2019-02-30 becomes a located validation error instead of a
constructor crash. Duplicate keys, which PyYAML silently lets the last one win, are
reported too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import InputFileError, Problem, ValidationFailed
from .model import Authority, Covenant, Statement, StatementRequest

ModelT = TypeVar("ModelT", bound=BaseModel)
KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps (pydantic parses dates, with good errors)."""


_scalar_constructor = yaml.constructor.SafeConstructor()

_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class LocatedDocument:
    """Plain data from one YAML file plus where each key path sits in it."""

    path: Path
    data: Any
    marks: dict[KeyPath, tuple[int, int]]
    sources: dict[KeyPath, str]
    """Scalar values as written in the file (YAML reads 0406 as the number 262)."""

    def locate(self, key_path: KeyPath) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the deepest known prefix of ``key_path``."""
        for end in range(len(key_path), -1, -1):
            mark = self.marks.get(key_path[:end])
            if mark is not None:
                return mark
        return None, None

    def problem(self, key_path: KeyPath, message: str, hint: str | None = None) -> Problem:
        """A problem located at ``key_path`` in this document."""
        line, column = self.locate(key_path)
        return Problem(
            message=message,
            file=str(self.path),
            line=line,
            column=column,
            key_path=format_key_path(key_path) or None,
            hint=hint,
        )


def format_key_path(key_path: KeyPath) -> str:
    """``('keten', 0, 'aan')`` → ``keten[0].aan``, as a user would write it."""
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def read_yaml(path: Path) -> LocatedDocument:
    """Read one YAML file safely, keeping positions; raise a located error on bad syntax."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(
            f"{path}: file not found",
            hint="check the path; relative paths start at the file that names them",
        ) from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a folder, not a YAML file") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        node = yaml.compose(raw, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ValidationFailed(
            [
                Problem(
                    message=f"YAML syntax error: {exc.problem}",
                    file=str(path),
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                    hint="check indentation and quoting near this position; "
                    "text with ':' or '#' needs quotes",
                )
            ]
        ) from None
    if node is None:
        raise ValidationFailed([Problem("the file is empty", file=str(path))])
    marks: dict[KeyPath, tuple[int, int]] = {}
    sources: dict[KeyPath, str] = {}
    problems: list[Problem] = []
    data = _build(node, (), marks, sources, problems, path)
    if problems:
        raise ValidationFailed(problems)
    return LocatedDocument(path=path, data=data, marks=marks, sources=sources)


def _build(
    node: yaml.Node,
    key_path: KeyPath,
    marks: dict[KeyPath, tuple[int, int]],
    sources: dict[KeyPath, str],
    problems: list[Problem],
    path: Path,
) -> Any:
    """Turn a node into plain Python data, recording positions and duplicate keys."""
    marks[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar_constructor.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in result:
                problems.append(
                    Problem(
                        f"key '{key}' appears twice in the same mapping",
                        file=str(path),
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        key_path=format_key_path((*key_path, key)),
                        hint="keep one of them; YAML would silently use the last",
                    )
                )
            child_path = (*key_path, key)
            result[key] = _build(value_node, child_path, marks, sources, problems, path)
            # point errors about a key at the key itself, not at its value
            marks[child_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*key_path, index), marks, sources, problems, path)
            for index, item in enumerate(node.value)
        ]
    sources[key_path] = str(node.value)
    return _scalar_constructor.construct_object(node, deep=True)


_HINTS: dict[str, str] = {
    "extra_forbidden": "remove it or check its spelling; `toetreding schema` lists the allowed keys",
    "missing": "add this key",
    "string_type": "write text; put numbers and codes such as kenmerken in quotes",
    "date_from_datetime_parsing": "write a real date as YYYY-MM-DD, e.g. 2019-05-14",
    "date_parsing": "write a real date as YYYY-MM-DD, e.g. 2019-05-14",
    "date_type": "write a date as YYYY-MM-DD, e.g. 2019-05-14",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "list_type": "write a list: one item per line, each starting with '- '",
    "dict_type": "write a mapping of keys to values (indented under this key)",
    "model_type": "write a mapping of keys to values (indented under this key)",
    "enum": "use one of the listed values",
    "literal_error": "use one of the listed values",
    "string_pattern_mismatch": "see the schema (`toetreding schema`) for the expected form",
    "too_short": "add at least one item",
}


def _problem_from_error(doc: LocatedDocument, error: ErrorDetails) -> Problem:
    key_path: KeyPath = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
    kind = error["type"]
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required key is missing"
    elif "input" in error and kind not in ("model_type", "dict_type", "list_type"):
        written = doc.sources.get(key_path)
        message = f"{message} (found {written if written is not None else error['input']!r})"
    return doc.problem(key_path, message, _HINTS.get(kind))


def validate(doc: LocatedDocument, model: type[ModelT]) -> ModelT:
    """Validate a located document against ``model``; every problem located in the file."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise ValidationFailed([_problem_from_error(doc, e) for e in exc.errors()]) from None


def load_model(path: Path, model: type[ModelT]) -> ModelT:
    """Read and validate one YAML file as ``model``."""
    return validate(read_yaml(path), model)


def load_request(path: Path | str) -> Statement:
    """Read a statement request and the files it names, cross-checked into one Statement."""
    request_path = Path(path)
    request_doc = read_yaml(request_path)
    request = validate(request_doc, StatementRequest)
    base = request_path.parent
    covenant = load_model(
        _referenced(request_doc, base, request.covenant_file, "convenant"), Covenant
    )
    authority_path = _referenced(request_doc, base, request.authority_file, "bevoegdheid")
    authority_doc = read_yaml(authority_path)
    authority = validate(authority_doc, Authority)
    _check_decision_documents(authority_doc, authority, authority_path.parent)
    _check_accession_decision(request_doc, request, authority)
    return Statement(request=request, covenant=covenant, authority=authority)


def _check_decision_documents(doc: LocatedDocument, authority: Authority, base: Path) -> None:
    """A decision document named in the chain must be there, byte for byte (its SHA-256)."""
    problems = []
    for index, decision in enumerate(authority.decisions):
        if decision.document is None:
            continue
        path = (base / decision.document.file).resolve()
        key = ("besluiten", index, "document")
        if not path.is_file():
            problems.append(
                doc.problem(
                    (*key, "bestand"),
                    f"names '{decision.document.file}', which does not exist (looked for {path})",
                    "put the signed decision next to this file, or remove 'document'",
                )
            )
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != decision.document.sha256:
            problems.append(
                doc.problem(
                    (*key, "sha256"),
                    f"'{decision.document.file}' has SHA-256 {digest}, not the one recorded here: "
                    "the document was changed or replaced",
                    "check which version of the decision is the adopted one; record its SHA-256 "
                    "(sha256sum FILE)",
                )
            )
    if problems:
        raise ValidationFailed(problems)


def _referenced(doc: LocatedDocument, base: Path, name: str, key: str) -> Path:
    target = (base / name).resolve()
    if not target.is_file():
        raise ValidationFailed(
            [
                doc.problem(
                    (key,),
                    f"names '{name}', which does not exist (looked for {target})",
                    "write the path relative to this file",
                )
            ]
        )
    return target


def _check_accession_decision(
    doc: LocatedDocument, request: StatementRequest, authority: Authority
) -> None:
    ids = [d.id for d in authority.decisions]
    wanted = request.accession_decision
    if wanted is None and len(ids) > 1:
        raise ValidationFailed(
            [
                doc.problem(
                    (),
                    "the authority file has several decisions, so the request must say which "
                    "one is the decision to join",
                    f"add 'toetredingsbesluit: <id>' with one of: {', '.join(ids)}",
                )
            ]
        )
    if wanted is not None and wanted not in ids:
        raise ValidationFailed(
            [
                doc.problem(
                    ("toetredingsbesluit",),
                    f"'{wanted}' is not a decision in {request.authority_file}",
                    f"use one of: {', '.join(ids)}",
                )
            ]
        )
