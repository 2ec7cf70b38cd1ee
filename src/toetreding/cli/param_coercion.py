"""Typer's parameter coercion, without pydantic, for the plain values toetreding's commands take.

Why: Typer (≥ 0.26) turns every command-line value into its annotated type through a
pydantic ``TypeAdapter`` built per parameter when the command runs. For a command such as
``verify`` that is a dozen adapters and pydantic's import: ≈ 0.13–0.17 s of a cold start of
≈ 0.8 s on the 2-core machine this was measured on (issue #16), spent turning ``"x.pdf"``
into ``Path("x.pdf")``.

What this does: for the parameter kinds our commands use — ``str``, ``int`` (with Typer's
``min``/``max``), ``Path``, an ``Enum`` of choices, and lists of these — a valid value given
as text is converted here, by the same Typer helpers that Typer's adapters call (path
checks, choice matching). Everything else goes to Typer's own coercion, unchanged: a value
that is not text, a value that does not convert (so every error message is Typer's own,
word for word), and every other kind of parameter. ``tests/test_param_coercion.py``
compares both on the same inputs.

It depends on Typer internals (``typer.core.build_runtime_param``, ``typer._coercion``,
``typer._param_types``); when they are not there, ``install`` leaves Typer as it is and the
commands only start slower. Kept to this one module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Final, get_args, get_origin

# only ASCII digits, as many as an int64 holds: anything else (signs, underscores,
# whitespace, "1.0", other scripts' digits) goes to Typer, which accepts some of it
_PLAIN_INTEGER: Final = re.compile(r"[0-9]{1,18}")


class _Unusual(Exception):
    """The value is not plain text of the expected form: Typer's own coercion decides."""


Convert = Callable[[str, Any, Any], Any]
"""One command-line text → its value (text, the Typer parameter, the Click context)."""


def install() -> bool:
    """Route Typer's coercion of plain values through this module; False if Typer's
    internals are not as expected (then Typer keeps coercing with pydantic)."""
    try:
        from typer import _coercion, _param_types
        from typer import core as typer_core
    except ImportError:
        return False
    core: Any = typer_core  # its internals are not typed as exported
    needed = (
        hasattr(core, "build_runtime_param"),
        hasattr(_coercion, "RuntimeParam"),
        hasattr(_coercion, "TypeDescriptor"),
        hasattr(_param_types, "coerce_cli_path"),
        hasattr(_param_types, "coerce_cli_choice"),
        hasattr(_param_types, "routes_to_path"),
    )
    if not all(needed):
        return False
    typer_build = core.build_runtime_param
    if getattr(typer_build, "toetreding_plain", False):
        return True
    runtime_param = _runtime_param_class(_coercion.RuntimeParam)

    def build_runtime_param(descriptor: Any) -> Any:
        convert = _converter(descriptor, _param_types)
        if convert is None:
            return typer_build(descriptor)
        return runtime_param(
            annotation=descriptor.annotation,
            parameter_info=descriptor.parameter_info,
            convert=convert,
            many=descriptor.is_list,
            typer_build=lambda: typer_build(descriptor),
            ready=bool if descriptor.annotation is bool else None,
        )

    build_runtime_param.toetreding_plain = True  # type: ignore[attr-defined]
    build_runtime_param.typer_build = typer_build  # type: ignore[attr-defined]
    core.build_runtime_param = build_runtime_param
    return True


def _runtime_param_class(base: type) -> type:
    """A Typer ``RuntimeParam`` that converts plain text here and hands the rest on."""

    @dataclass(frozen=True)
    class PlainRuntimeParam(base):  # type: ignore[misc]
        convert: Convert
        many: bool
        typer_build: Callable[[], Any]
        ready: type | None = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                if not self.many:
                    return self._one(value, param, ctx)
                if isinstance(value, (list, tuple)):
                    return [self._one(item, param, ctx) for item in value]
            except _Unusual:
                pass
            return self.typer_build()._coerce_value(value, param=param, ctx=ctx)

        def _one(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.ready is not None and type(value) is self.ready:
                return value
            if type(value) is not str:
                raise _Unusual
            try:
                return self.convert(value, param, ctx)
            except (ValueError, AssertionError):
                # e.g. a path with a NUL byte, which os.stat refuses: Typer's pydantic
                # adapter turns such errors into its usage message
                raise _Unusual from None

    return PlainRuntimeParam


def _converter(descriptor: Any, param_types: Any) -> Convert | None:
    """The conversion for a parameter of a kind handled here, else None (Typer's own)."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None:
        return None
    if info.parser is not None:
        return _parsed(info.parser)
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    if get_origin(annotation) is not None:
        return None
    if annotation is str:
        return _text
    if annotation is bool:
        return _not_plain  # a flag's value is a bool already; text such as "yes" is Typer's
    if annotation is int and not info.clamp:
        return _integer(info.min, info.max)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(list(annotation), info.case_sensitive, param_types)
    if isinstance(annotation, type) and issubclass(annotation, Path):
        if not param_types.routes_to_path(annotation, info):
            return None
        path_type = info.path_type or annotation
        if not (isinstance(path_type, type) and issubclass(path_type, Path)):
            return None
        return _path(path_type, info, param_types)
    return None


def _text(value: str, param: Any, ctx: Any) -> str:
    return value


def _not_plain(value: str, param: Any, ctx: Any) -> Any:
    raise _Unusual


def _parsed(parser: Callable[[str], Any]) -> Convert:
    def convert(value: str, param: Any, ctx: Any) -> Any:
        try:
            return parser(value)
        except Exception:
            raise _Unusual from None  # Typer calls the parser again and words its error

    return convert


def _integer(low: float | None, high: float | None) -> Convert:
    def convert(value: str, param: Any, ctx: Any) -> int:
        if not _PLAIN_INTEGER.fullmatch(value):
            raise _Unusual
        number = int(value)
        if (low is not None and number < low) or (high is not None and number > high):
            raise _Unusual  # Typer words the range error
        return number

    return convert


def _choice(choices: list[Any], case_sensitive: bool, param_types: Any) -> Convert:
    def convert(value: str, param: Any, ctx: Any) -> Any:
        try:
            return param_types.coerce_cli_choice(
                value, choices=choices, case_sensitive=case_sensitive, ctx=ctx
            )
        except ValueError:
            raise _Unusual from None  # Typer words "… is not one of …"

    return convert


def _path(path_type: type[Path], info: Any, param_types: Any) -> Convert:
    def convert(value: str, param: Any, ctx: Any) -> Any:
        # given a path object, Typer's own path check skips its pydantic conversion of
        # the text (which is path_type(text)); its existence and kind checks are the same
        return param_types.coerce_cli_path(
            path_type(value), info, path_type=path_type, param=param, ctx=ctx
        )

    return convert
