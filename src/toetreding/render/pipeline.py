"""From a Statement to archival PDF bytes: context → Jinja → Typst → signature fields.

:class:`StatementRenderer` holds what is expensive to set up (the Jinja environment, a warm
Typst compiler, the template digest) so a batch renders many statements with one of it;
:func:`render_statement` is the one-call form the CLI uses for a single file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ..config import Settings
from ..embedded import EmbeddedStatement, add_to_xmp, canonical_json
from ..errors import ConfigError
from ..fileio import check_output_path, write_atomically
from ..i18n import _
from ..inputs import load_request
from ..model import Language, OutputProfile, Statement
from ..resources import bundled
from .escape import TypstCode, string_literal
from .fields import add_signature_fields
from .templates import MAIN_TEMPLATE, make_environment, render_template, templates_digest
from .typesetter import FieldPlacement, Typesetter


@dataclass(frozen=True)
class RenderedStatement:
    """A rendered statement in memory."""

    pdf: bytes
    sha256: str
    language: str
    profile: str
    fields: tuple[FieldPlacement, ...]
    template_digest: str
    typst_source: str


@dataclass(frozen=True)
class RenderOutcome:
    """What `render_statement` wrote."""

    output: Path
    sha256: str
    size: int
    language: str
    profile: str
    fields: tuple[str, ...]
    preview: Path | None
    template_digest: str = ""
    """Digest of the templates used (the "template version" for the register)."""
    embedded_digest: str = ""
    """SHA-256 of the statement data embedded in the PDF."""
    chain_digest: str = ""
    """SHA-256 of the chain of authority embedded in the PDF."""
    inputs: tuple[tuple[str, str], ...] = ()
    """(file, SHA-256) of the request and the files it names."""
    summary: dict[str, str] | None = None
    """Party, covenant and date, for records."""


class StatementRenderer:
    """Renders statements with one set of settings; reuse it for many statements."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._environment = make_environment(settings.templates_dir)
        self._typesetter: Typesetter | None = None
        self._digest: str | None = None
        _check_inside_workspace(settings)

    def __enter__(self) -> StatementRenderer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the Typst sandbox."""
        if self._typesetter is not None:
            self._typesetter.close()
            self._typesetter = None

    @property
    def template_digest(self) -> str:
        """SHA-256 over the templates in use (the template version)."""
        if self._digest is None:
            self._digest = templates_digest(self.settings.templates_dir)
        return self._digest

    def _typesetter_ready(self) -> Typesetter:
        if self._typesetter is None:
            fonts = [self.settings.font_dir] if self.settings.font_dir else []
            self._typesetter = Typesetter(fonts)
        return self._typesetter

    def language_for(self, statement: Statement, language: Language | None = None) -> str:
        """Argument > request's `taal` > configured language."""
        return (language or statement.request.language or self.settings.language).value

    def typst_source(self, statement: Statement, language: Language | None = None) -> str:
        """The Typst source for a statement (useful for debugging templates)."""
        lang = self.language_for(statement, language)
        from .context import build_context

        context = build_context(
            statement, lang, self._style(), profile_label=self.settings.profile.label
        )
        context["attachments"] = self._attachments(statement)
        return render_template(self._environment, MAIN_TEMPLATE.format(language=lang), context)

    def render(self, statement: Statement, language: Language | None = None) -> RenderedStatement:
        """Typeset one statement to PDF bytes with its empty signature fields."""
        lang = self.language_for(statement, language)
        source = self.typst_source(statement, language)
        typeset = self._typesetter_ready().pdf(
            source, self.settings.profile.pdf_standards, statement.request.date
        )
        embedded = EmbeddedStatement.from_statement(statement)
        pdf = add_signature_fields(
            typeset.pdf, typeset.fields, lambda xmp: add_to_xmp(xmp, embedded)
        )
        return RenderedStatement(
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            language=lang,
            profile=self.settings.profile.value,
            fields=typeset.fields,
            template_digest=self.template_digest,
            typst_source=source,
        )

    def preview_png(
        self, statement: Statement, language: Language | None = None, page: int = 1
    ) -> bytes:
        """A PNG of one page, for a quick look without a PDF viewer."""
        return self._typesetter_ready().png(self.typst_source(statement, language), page=page)

    def _attachments(self, statement: Statement) -> list[dict[str, str]]:
        """Under PDF/A-3 only: the statement data and the chain as JSON attachments.

        PDF/A-2 forbids attachments (and the Nationaal Archief prefers it), so the default
        profile carries the same data in the XMP metadata instead (see embedded.py).
        """
        if self.settings.profile is not OutputProfile.PDFA_3A:
            return []
        embedded = EmbeddedStatement.from_statement(statement)
        chain = canonical_json(embedded.authority.model_dump(mode="json", by_alias=True))
        typesetter = self._typesetter_ready()
        return [
            {
                "path": typesetter.add_data("verklaring.json", embedded.canonical_json().encode()),
                "relationship": "data",
                "description": "Statement data and chain of authority (toetreding, JSON)",
            },
            {
                "path": typesetter.add_data("bevoegdheid.json", chain.encode()),
                "relationship": "supplement",
                "description": "Chain of authority: decisions and links (JSON)",
            },
        ]

    def _style(self) -> dict[str, Any]:
        settings = self.settings
        logo = self._typesetter_ready().add_asset(settings.logo) if settings.logo else None
        return {
            "font": TypstCode(string_literal(settings.font)),
            "primary": TypstCode(f'rgb("{settings.colours.primary}")'),
            "text": TypstCode(f'rgb("{settings.colours.text}")'),
            "logo": TypstCode(string_literal(logo)) if logo else None,
        }


def _check_inside_workspace(settings: Settings) -> None:
    """Templates may read only the workspace and the package: refuse paths outside both."""
    allowed = [settings.workspace, bundled("examples").resolve(), bundled("config").resolve()]
    for key, path in (
        ("huisstijl.logo", settings.logo),
        ("huisstijl.lettertypemap", settings.font_dir),
    ):
        if path is not None and not any(path.resolve().is_relative_to(a) for a in allowed):
            raise ConfigError(
                _("{key} points outside the workspace: {path}").format(key=key, path=path),
                hint=_("copy the file into {workspace} and refer to it from there").format(
                    workspace=settings.workspace
                ),
            )


def render_statement(
    request: Path,
    output: Path,
    settings: Settings,
    *,
    language: Language | None = None,
    preview: Path | None = None,
) -> RenderOutcome:
    """Read a request, render it, and write the PDF (and optional PNG preview) atomically."""
    check_output_path(output, request)
    if preview is not None:
        check_output_path(preview, request, output)
    statement = load_request(request)
    check_output_path(output, *_input_files(request, statement))
    if preview is not None:
        check_output_path(preview, output, *_input_files(request, statement))
    with StatementRenderer(settings) as renderer:
        rendered = renderer.render(statement, language)
        preview_png = renderer.preview_png(statement, language) if preview is not None else None
    sha256 = write_atomically(output, rendered.pdf)
    if preview is not None and preview_png is not None:
        write_atomically(preview, preview_png)
    embedded = EmbeddedStatement.from_statement(statement)
    base = request.parent
    inputs = tuple(
        (str(path), hashlib.sha256(path.read_bytes()).hexdigest())
        for path in (
            request,
            (base / statement.request.covenant_file).resolve(),
            (base / statement.request.authority_file).resolve(),
        )
    )
    return RenderOutcome(
        output=output,
        sha256=sha256,
        size=len(rendered.pdf),
        language=rendered.language,
        profile=rendered.profile,
        fields=tuple(f.name for f in rendered.fields),
        preview=preview,
        template_digest=rendered.template_digest,
        embedded_digest=embedded.digest,
        chain_digest=embedded.chain_digest,
        inputs=inputs,
        summary={
            "partij": f"{embedded.party_name} ({embedded.party_code})",
            "convenant": embedded.covenant_id,
            "datum": embedded.date.isoformat(),
        },
    )


def _input_files(request: Path, statement: Statement) -> list[Path]:
    """Every file the request draws on (the output may be none of them)."""
    base = request.parent
    authority = (base / statement.request.authority_file).resolve()
    files = [request, (base / statement.request.covenant_file).resolve(), authority]
    for decision in statement.authority.decisions:
        if decision.document is not None:
            files.append((authority.parent / decision.document.file).resolve())
    return files
