"""The request resolved into a Statement: located errors, and files kept inside the workspace.

Every YAML file goes through :func:`read_yaml`, which reads it with the limits of
:mod:`toetreding.safe_yaml` (size, aliases, depth, tags, characters). PyYAML forgets where
values came from once it builds Python objects, so the reader keeps a map from key path to
(line, column); pydantic's error locations are then turned back into
``file:line:column: key.path: message — fix``.

**Files a request names stay inside its workspace.** A request (verzoek.yaml) names its
covenant (``convenant``) and authority file (``bevoegdheid``); an authority file names
decision documents (``besluiten[].document.bestand``); a batch file names its covenant and
a party CSV. Such a path is relative to the file that names it, and it must resolve —
after following every symbolic link — inside that file's *workspace*: the nearest folder,
from the naming file's own folder upwards, that holds a ``toetreding.yaml`` belonging to the
current user (or root); without one, the naming file's own folder. So ``../gedeeld/convenant.yaml`` is fine in a workspace
whose ``toetreding.yaml`` sits above both, while ``../../../../etc/passwd``, ``/etc/passwd``
or a link pointing out of the workspace is refused — before anything is read or even
checked for existence, so a request cannot learn anything about other files either. The
same rule as for a logo in the house style (``render/pipeline.py``): copy the file into
the workspace.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import InputFileError, Problem, ValidationFailed
from .filelimits import sha256_of_file
from .i18n import _, ui_language
from .model import Authority, Covenant, Statement, StatementRequest
from .safe_yaml import KeyPath, format_key_path, load_yaml

ModelT = TypeVar("ModelT", bound=BaseModel)

__all__ = [
    "KeyPath",
    "LocatedDocument",
    "format_key_path",
    "load_model",
    "load_request",
    "read_yaml",
    "referenced_file",
    "validate",
    "workspace_of",
]


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


def read_yaml(path: Path) -> LocatedDocument:
    """Read one YAML file within the reader's limits, keeping positions; errors located."""
    loaded = load_yaml(path)
    if loaded is None:
        raise ValidationFailed([Problem(_("the file is empty"), file=str(path))])
    return LocatedDocument(path=path, data=loaded.data, marks=loaded.marks, sources=loaded.sources)


def _hint(kind: str) -> str | None:
    """What to do about a pydantic error of this type, in the user's language."""
    hints: dict[str, str] = {
        "extra_forbidden": _(
            "remove it or check its spelling; `toetreding schema` lists the allowed keys"
        ),
        "missing": _("add this key"),
        "string_type": _("write text; put numbers and codes such as kenmerken in quotes"),
        "date_from_datetime_parsing": _("write a real date as YYYY-MM-DD, e.g. 2019-05-14"),
        "date_parsing": _("write a real date as YYYY-MM-DD, e.g. 2019-05-14"),
        "date_type": _("write a date as YYYY-MM-DD, e.g. 2019-05-14"),
        "bool_type": _("write true or false"),
        "bool_parsing": _("write true or false"),
        "list_type": _("write a list: one item per line, each starting with '- '"),
        "dict_type": _("write a mapping of keys to values (indented under this key)"),
        "model_type": _("write a mapping of keys to values (indented under this key)"),
        "enum": _("use one of the listed values"),
        "literal_error": _("use one of the listed values"),
        "string_pattern_mismatch": _("see the schema (`toetreding schema`) for the expected form"),
        "too_short": _("add at least one item"),
    }
    return hints.get(kind)


def pydantic_message(error: ErrorDetails) -> str:
    """pydantic's message for one error, in the user's language.

    pydantic writes English only. In English its own (detailed) text is kept; in another
    language the kinds clerks meet are said in that language, and other kinds keep
    pydantic's text. Our own validators' messages (``value_error``) are translated already.
    """
    message = str(error["msg"])
    kind = error["type"]
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if ui_language() == "en":
        return message
    context = error.get("ctx") or {}
    words: dict[str, str] = {
        "date_from_datetime_parsing": _("not a valid date"),
        "date_from_datetime_inexact": _("not a valid date"),
        "date_parsing": _("not a valid date"),
        "date_type": _("not a date"),
        "datetime_parsing": _("not a valid date and time"),
        "datetime_from_date_parsing": _("not a valid date and time"),
        "string_type": _("not text"),
        "string_pattern_mismatch": _("does not have the expected form"),
        "string_too_short": _("too short"),
        "string_too_long": _("too long"),
        "int_parsing": _("not a whole number"),
        "int_type": _("not a whole number"),
        "bool_parsing": _("not true or false"),
        "bool_type": _("not true or false"),
        "list_type": _("not a list"),
        "dict_type": _("not a mapping of keys to values"),
        "model_type": _("not a mapping of keys to values"),
        "too_short": _("too few items"),
        "too_long": _("too many items"),
        "enum": _("not one of the allowed values: {expected}").format(
            expected=context.get("expected", "")
        ),
        "literal_error": _("not one of the allowed values: {expected}").format(
            expected=context.get("expected", "")
        ),
        "greater_than_equal": _("must be {limit} or more").format(limit=context.get("ge", "")),
        "less_than_equal": _("must be {limit} or less").format(limit=context.get("le", "")),
        "url_parsing": _("not a valid URL"),
    }
    return words.get(kind, message)


def _problem_from_error(doc: LocatedDocument, error: ErrorDetails) -> Problem:
    key_path: KeyPath = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
    kind = error["type"]
    message = pydantic_message(error)
    if kind == "extra_forbidden":
        message = _("unknown key")
    elif kind == "value_error":
        pass  # our own validator's sentence says it all
    elif kind == "missing":
        message = _("required key is missing")
    elif "input" in error and kind not in ("model_type", "dict_type", "list_type"):
        written = doc.sources.get(key_path)
        found = written if written is not None else error["input"]
        message = _("{message} (found {value})").format(message=message, value=repr(found))
    return doc.problem(key_path, message, _hint(kind))


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
    root = workspace_of(base)
    covenant_path = referenced_file(request_doc, base, request.covenant_file, ("convenant",), root)
    covenant_doc = read_yaml(covenant_path)
    covenant = validate(covenant_doc, Covenant)
    authority_path = referenced_file(
        request_doc, base, request.authority_file, ("bevoegdheid",), root
    )
    authority_doc = read_yaml(authority_path)
    authority = validate(authority_doc, Authority)
    _check_decision_documents(authority_doc, authority, authority_path.parent, root)
    _check_decision_documents(
        covenant_doc,
        covenant.coordinator.authority,
        covenant_path.parent,
        root,
        ("coordinerende_partij", "bevoegdheid"),
    )
    _check_accession_decision(request_doc, request, authority)
    return Statement(request=request, covenant=covenant, authority=authority)


def workspace_of(folder: Path) -> Path:
    """The workspace of a file in ``folder``: the nearest folder at or above it holding a
    toetreding.yaml of the current user's (or root's), else ``folder`` itself (resolved).

    A config that belongs to someone else does not widen the workspace: it could have been
    planted above a folder handed to the user (the same suspicion as in :mod:`.config`).
    """
    from .config import CONFIG_FILE_NAME  # config imports this module

    start = folder.resolve()
    for candidate in (start, *start.parents):
        if _own_config(candidate / CONFIG_FILE_NAME):
            return candidate
    return start


def _own_config(path: Path) -> bool:
    try:
        info = path.stat()
    except OSError:  # absent, or a folder on the way up we may not look into
        return False
    getuid = getattr(os, "getuid", None)
    owners = (getuid(), 0) if getuid is not None else (info.st_uid,)
    return stat.S_ISREG(info.st_mode) and info.st_uid in owners


def referenced_file(
    doc: LocatedDocument,
    base: Path,
    name: str,
    key_path: KeyPath,
    root: Path,
    missing_hint: str | None = None,
) -> Path:
    """The file ``name`` (relative to ``base``) that ``doc`` names at ``key_path``: resolved,
    inside the workspace ``root``, and existing; otherwise a located refusal."""
    if missing_hint is None:
        missing_hint = _("write the path relative to this file")
    written = base / name
    try:
        target = written.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise ValidationFailed(
            [
                doc.problem(
                    key_path,
                    _("'{name}' cannot be resolved (a loop of symbolic links?)").format(name=name),
                )
            ]
        ) from None
    if not target.is_relative_to(root):
        raise ValidationFailed([_outside(doc, key_path, name, written, target, root)])
    if not target.exists():  # what else it may be (a folder, a pipe) its reader says
        raise ValidationFailed(
            [
                doc.problem(
                    key_path,
                    _("names '{name}', which does not exist (looked for {target})").format(
                        name=name, target=target
                    ),
                    missing_hint,
                )
            ]
        )
    return target


def _outside(
    doc: LocatedDocument, key_path: KeyPath, name: str, written: Path, target: Path, root: Path
) -> Problem:
    """The refusal for a path that leaves the workspace (saying how, if by a link)."""
    through_link = Path(os.path.normpath(written.absolute())).is_relative_to(root)
    if through_link:
        message = _(
            "'{name}' through a symbolic link, resolves to {target}, outside the workspace "
            "{workspace}; files named in a request are read only from inside its workspace"
        )
    else:
        message = _(
            "'{name}' resolves to {target}, outside the workspace {workspace}; files named in "
            "a request are read only from inside its workspace"
        )
    return doc.problem(
        key_path,
        message.format(name=name, target=target, workspace=root),
        _("copy the file into {workspace} and give its path relative to this file").format(
            workspace=root
        ),
    )


def _check_decision_documents(
    doc: LocatedDocument,
    authority: Authority,
    base: Path,
    root: Path,
    within: tuple[str, ...] = (),
) -> None:
    """A decision document named in the chain must be there, byte for byte (its SHA-256).

    ``within`` is where the chain sits in ``doc`` (the coordinator's chain lies inside the
    covenant file)."""
    problems = []
    for index, decision in enumerate(authority.decisions):
        if decision.document is None:
            continue
        key: KeyPath = (*within, "besluiten", index, "document")
        try:
            path = referenced_file(
                doc,
                base,
                decision.document.file,
                (*key, "bestand"),
                root,
                _(
                    "put the signed decision in the workspace and give its path relative to "
                    "this file, or remove 'document'"
                ),
            )
            digest = sha256_of_file(path, what=_("decision document"))
        except ValidationFailed as refused:
            problems.extend(refused.problems)
            continue
        except InputFileError as unreadable:
            problems.append(doc.problem((*key, "bestand"), unreadable.message, unreadable.hint))
            continue
        if digest != decision.document.sha256:
            problems.append(
                doc.problem(
                    (*key, "sha256"),
                    _(
                        "'{file}' has SHA-256 {digest}, not the one recorded here: "
                        "the document was changed or replaced"
                    ).format(file=decision.document.file, digest=digest),
                    _(
                        "check which version of the decision is the adopted one; record its "
                        "SHA-256 (sha256sum FILE)"
                    ),
                )
            )
    if problems:
        raise ValidationFailed(problems)


def _check_accession_decision(
    doc: LocatedDocument, request: StatementRequest, authority: Authority
) -> None:
    ids = [d.id for d in authority.decisions]
    wanted = request.accession_decision
    if wanted is None:
        if len(ids) > 1:
            raise ValidationFailed(
                [
                    doc.problem(
                        (),
                        _(
                            "the authority file has several decisions, so the request must say "
                            "which one is the decision to join"
                        ),
                        _("add 'toetredingsbesluit: <id>' with one of: {ids}").format(
                            ids=", ".join(ids)
                        ),
                    )
                ]
            )
        return
    if not wanted or len(set(wanted)) != len(wanted):
        raise ValidationFailed(
            [
                doc.problem(
                    ("toetredingsbesluit",),
                    _("the list of decisions to join is empty or names one twice"),
                    _("name each organ's decision to join once"),
                )
            ]
        )
    written_as_list = isinstance(doc.data.get("toetredingsbesluit"), list)
    for index, one in enumerate(wanted):
        if one not in ids:
            raise ValidationFailed(
                [
                    doc.problem(
                        ("toetredingsbesluit", index)
                        if written_as_list
                        else ("toetredingsbesluit",),
                        _("'{id}' is not a decision in {file}").format(
                            id=one, file=request.authority_file
                        ),
                        _("use one of: {ids}").format(ids=", ".join(ids)),
                    )
                ]
            )
