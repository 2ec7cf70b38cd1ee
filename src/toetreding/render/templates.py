"""The Jinja environment: bundled templates, user overrides, and escaping that cannot be forgotten.

User templates (config ``sjablonen`` or ``--templates DIR``) are searched first, so a
municipality can replace one template (say ``nl/verklaring.typ.j2``) and keep the rest.
``StrictUndefined`` makes a misspelt variable an error instead of an empty gap in a legal
text.

Templates are data, not code. A templates folder can come from anywhere a config can (a
colleague's share, a planted folder), so the environment is Jinja's immutable sandbox —
no attribute access to Python internals (``cycler.__init__.__globals__`` …), no calling
methods that change data — and the loader reads only regular files that really lie inside
their templates folder: a template that is a link out of it, or a name with ``..``, is
refused. What Typst then does with the result is confined by Typst's own sandbox.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.exceptions
import jinja2.runtime
import jinja2.sandbox

from ..errors import TemplateError
from ..i18n import _
from ..resources import bundled
from ..template_cache import template_cache
from .escape import code_filter, finalize, ucfirst_filter

MAIN_TEMPLATE = "{language}/verklaring.typ.j2"
MAX_TEMPLATE_BYTES = 1024 * 1024
"""No template needs more; a larger file is a mistake (or a device) and is not read."""


def template_dirs(user_dir: Path | None) -> list[Path]:
    """Search path: the user's folder (if any) before the bundled templates."""
    dirs = [bundled("templates")]
    return [user_dir, *dirs] if user_dir is not None else dirs


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates from folders, refusing anything that resolves outside its folder."""

    def __init__(self, folders: list[Path]) -> None:
        self.searchpath = [str(folder) for folder in folders]
        self._roots = [folder.resolve() for folder in folders]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)  # refuses '..' segments
        for root in self._roots:
            candidate = root.joinpath(*pieces)
            if not os.path.lexists(candidate):
                continue
            resolved = candidate.resolve()
            if not resolved.is_relative_to(root):
                raise TemplateError(
                    _(
                        "template '{name}' in {folder} is a link to {target}, outside its "
                        "templates folder; it is not read"
                    ).format(name=template, folder=root, target=resolved),
                    hint=_("put the template file itself in the templates folder"),
                )
            return _read_template(resolved, template), str(candidate), lambda: True
        raise jinja2.TemplateNotFound(template)


def _read_template(path: Path, name: str) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise TemplateError(
                _("template '{name}' ({path}) is not a regular file").format(name=name, path=path)
            )
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise TemplateError(
                _("template '{name}' ({path}) is larger than {size} KB").format(
                    name=name, path=path, size=MAX_TEMPLATE_BYTES // 1024
                )
            )
        with path.open("rb") as stream:
            data = stream.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as error:
        raise TemplateError(
            _("template '{name}' ({path}) cannot be read: {reason}").format(
                name=name, path=path, reason=error.strerror
            )
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TemplateError(
            _("template '{name}' ({path}) is not UTF-8 text (byte {position})").format(
                name=name, path=path, position=error.start
            ),
            hint=_("save the template as UTF-8"),
        ) from None


MAX_OUTPUT_CHARS = 8 * 1024 * 1024
"""A statement's Typst source is some tens of kilobytes; far more is a runaway template."""
MAX_REPEAT = 100_000
"""The longest text or list ``*`` may make (e.g. a rule of 80 dashes is fine)."""
_HUGE_WIDTH = re.compile(r"(%[^a-zA-Z%]*\d{5,})|(\{[^{}]*\d{5,}[^{}]*\})")
"""A format directive with a width or precision of 10 000 or more."""


class BoundedSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The immutable sandbox, also refusing the operations that make gigabytes from a line.

    ``'a' * 10**9``, ``2 ** 10**9`` and ``'%999999999d' | format(1)`` are one short line
    each; the sandbox alone lets them exhaust the machine's memory.
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise jinja2.exceptions.SecurityError(
                _("the exponent {exponent} is too large").format(exponent=right)
            )
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeats = isinstance(sequence, (str, list, tuple)) and isinstance(count, int)
                if repeats and len(sequence) * count > MAX_REPEAT:
                    raise jinja2.exceptions.SecurityError(
                        _("repeating a value {count} times makes more than {limit} items").format(
                            count=count, limit=MAX_REPEAT
                        )
                    )
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str):
            _refuse_huge_format(owner)
        wrapped: Callable[..., str] | None = super().wrap_str_format(value)
        return wrapped


def _refuse_huge_format(spec: str) -> None:
    if _HUGE_WIDTH.search(spec):
        raise jinja2.exceptions.SecurityError(
            _("the format '{spec}' asks for a huge width").format(spec=spec[:40])
        )


def _bounded_format(value: str, *args: Any, **kwargs: Any) -> str:
    """Jinja's ``format`` filter (printf style), refusing huge widths."""
    _refuse_huge_format(str(value))
    if args and kwargs:
        raise jinja2.exceptions.FilterArgumentError(_("format takes positional or named values"))
    return str(value) % (kwargs or args)


def make_environment(user_dir: Path | None) -> jinja2.Environment:
    """A sandboxed, markup-safe environment: neither templates nor data can run code."""
    environment = BoundedSandbox(
        loader=ConfinedLoader(template_dirs(user_dir)),
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.bytecode_cache = template_cache(environment)
    environment.filters["code"] = code_filter
    environment.filters["format"] = _bounded_format
    environment.filters["ucfirst"] = ucfirst_filter
    return environment


def render_template(environment: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    """Render one template; template mistakes come back as TemplateError with file and line."""
    try:
        template = environment.get_template(name)
        return _bounded_render(template, context, name)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            _("template '{name}' not found").format(name=exc.name),
            hint=_("templates are looked up in: {folders}").format(
                folders=", ".join(getattr(environment.loader, "searchpath", []))
            ),
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            _("{file}:{line}: template syntax error: {reason}").format(
                file=exc.filename or exc.name, line=exc.lineno, reason=exc.message
            ),
            hint=_("fix the Jinja syntax at that line"),
        ) from None
    except RecursionError:
        raise TemplateError(
            _("{template}: the template calls or includes itself without end").format(
                template=name
            ),
            hint=_("check macros and includes for a loop"),
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(
            _(
                "{position}: the template tries to reach Python internals "
                "({reason}); templates are data, not code, and this is refused"
            ).format(position=_template_position(exc, name), reason=exc),
            hint=_("use only the values documented in templates/README.md and Jinja's filters"),
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            _("{position}: template uses an unknown value: {reason}").format(
                position=_template_position(exc, name), reason=exc.message
            ),
            hint=_("check the variable name against the context documented in templates/README.md"),
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(
            _("{position}: template error: {reason}").format(
                position=_template_position(exc, name), reason=exc
            ),
            hint=_("fix the template at that line"),
        ) from None


def _bounded_render(template: jinja2.Template, context: dict[str, object], name: str) -> str:
    """Render, stopping a template whose output runs away (a loop over a huge range)."""
    parts: list[str] = []
    size = 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateError(
                _(
                    "{template}: the template produces more than {millions} "
                    "million characters; a statement is far smaller"
                ).format(template=name, millions=MAX_OUTPUT_CHARS // (1024 * 1024)),
                hint=_("check the template's loops"),
            )
        parts.append(chunk)
    return "".join(parts)


def _template_position(exc: BaseException, fallback: str) -> str:
    """'file:line' of the innermost template frame in the traceback (Jinja maps these)."""
    position = fallback
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            position = f"{filename}:{trace.tb_lineno}"
        trace = trace.tb_next
    return position


def templates_digest(user_dir: Path | None) -> str:
    """SHA-256 over every template file in the search path: the 'template version'.

    Stored with each render so that 'same inputs + same template version → same bytes'
    can be checked later.
    """
    digest = hashlib.sha256()
    for folder in template_dirs(user_dir):
        root = folder.resolve()
        for path in sorted(_template_files(root)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(_read_template(path, str(path.relative_to(root))).encode())
    return digest.hexdigest()


def _template_files(root: Path) -> list[Path]:
    """Regular files in the folder tree, not following links out of it (they are refused)."""
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and path.resolve().is_relative_to(root):
                found.append(path)
    return found
