"""The Jinja environment: bundled templates, user overrides, and escaping that cannot be forgotten.

User templates (config ``sjablonen`` or ``--templates DIR``) are searched first, so a
municipality can replace one template (say ``nl/verklaring.typ.j2``) and keep the rest.
``StrictUndefined`` makes a misspelt variable an error instead of an empty gap in a legal
text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from ..errors import TemplateError
from ..resources import bundled
from .escape import code_filter, finalize, ucfirst_filter

MAIN_TEMPLATE = "{language}/verklaring.typ.j2"


def template_dirs(user_dir: Path | None) -> list[Path]:
    """Search path: the user's folder (if any) before the bundled templates."""
    dirs = [bundled("templates")]
    return [user_dir, *dirs] if user_dir is not None else dirs


def make_environment(user_dir: Path | None) -> jinja2.Environment:
    """A sandbox-free but markup-safe environment (templates are trusted, data is not)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(user_dir)]),
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters["code"] = code_filter
    environment.filters["ucfirst"] = ucfirst_filter
    return environment


def render_template(environment: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    """Render one template; template mistakes come back as TemplateError with file and line."""
    try:
        template = environment.get_template(name)
        return template.render(context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"template '{exc.name}' not found",
            hint="templates are looked up in: "
            + ", ".join(str(p) for p in environment.loader.searchpath),  # type: ignore[union-attr]
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}",
            hint="fix the Jinja syntax at that line",
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"{_template_position(exc, name)}: template uses an unknown value: {exc.message}",
            hint="check the variable name against the context documented in templates/README.md",
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(
            f"{_template_position(exc, name)}: template error: {exc}",
            hint="fix the template at that line",
        ) from None


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
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()
