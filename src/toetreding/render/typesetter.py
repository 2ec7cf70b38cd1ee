"""The Typst adapter: Typst source in, PDF (or PNG) bytes out, warnings treated as errors.

A :class:`Typesetter` keeps its sandbox folder and font list for many statements, but gives
every PDF a *fresh* ``typst.Compiler``. Reusing one warm compiler is several milliseconds
faster, but with typst 0.15 it intermittently writes a wrong text layer: after earlier
documents, a glyph such as 'ô' or 'ć' is mapped back to another character ('´', 'Ç') in
the ToUnicode table, so search, copy and screen readers get different text than the page
shows. Our property-based round-trip test found it; a fresh compiler per document never
showed it (3 × 120 random statements). An archival, accessible document must not risk that.
What made a fresh compiler slow was its own font search (about half of its 7 ms); the
compilers now share one `typst.Fonts`, searched once per typesetter, which the round-trip
test passed 400 random statements with, so the layout state stays per document and the
font state is shared. The cause is thereby narrowed down (issue #16, 2026-12-01): one
reused compiler *with* the shared fonts broke the text layer again within 300 random
statements ('êŵVFûrġ', failing on first render and not on a retry), while fresh
compilers with the same fonts never did — so it is the compiler's per-world state (its
caches of laid-out text), not the font search. Typst's global memoisation still makes a
statement identical to an earlier one compile in ≈ 3.5 ms; a different statement takes
≈ 15 ms to compile. `bench/typst_reused_compiler.py` reproduces the fault with plain
Typst and typst-py alone (the last character of a line mapped to a neighbouring glyph's
text, a few in a few hundred documents): a report for Typst's maintainers.

Typst may only read files from a private sandbox folder that holds the generated source
and copies of the declared assets (the logo), so a template — let alone data — cannot read
anything else on the machine. System fonts are ignored: the fonts are Typst's own plus an
optional configured folder, so the output is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from ..errors import RenderError
from ..i18n import _, ngettext

MAIN_FILE = "statement.typ"
SANDBOX_PREFIX = "toetreding-typst-"
"""Sandbox folders are named ``<prefix><pid>-…``: a process that is stopped while one is
being made can still find and remove its own (see toetreding.batch.workers)."""
SIGNATURE_FIELD_LABEL = "<toetreding-signature-field>"


@dataclass(frozen=True)
class FieldPlacement:
    """Where the template placed an (empty) signature field, in PDF points from the top left."""

    name: str
    label: str
    page: int  # 1-based, as Typst counts
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class TypesetResult:
    """The PDF bytes and the signature fields the template placed."""

    pdf: bytes
    fields: tuple[FieldPlacement, ...]


class Typesetter:
    """A warm Typst compiler working in a sandbox folder. Use as a context manager."""

    def __init__(self, font_dirs: list[Path] | None = None) -> None:
        import typst  # heavy native module: imported only when typesetting

        self._typst = typst
        self._sandbox = Path(tempfile.mkdtemp(prefix=f"{SANDBOX_PREFIX}{os.getpid()}-"))
        self._assets: dict[Path, str] = {}
        self._font_paths = [str(d) for d in font_dirs or []]
        # searched once, shared by every compiler (a compiler that searches itself spends
        # about half its compile time on it)
        self._fonts = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=True, font_paths=self._font_paths
        )

    def _fresh_compiler(self) -> Any:
        """A new compiler for one document (see the module docstring for why)."""
        return self._typst.Compiler(
            root=str(self._sandbox), font_paths=self._fonts, ignore_system_fonts=True
        )

    def __enter__(self) -> Typesetter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the sandbox folder."""
        shutil.rmtree(self._sandbox, ignore_errors=True)

    def add_data(self, name: str, data: bytes) -> str:
        """Write generated data (e.g. an attachment) into the sandbox; return its Typst path."""
        if name == MAIN_FILE or name.startswith("asset-") or "/" in name:
            raise RenderError(
                _("internal: '{name}' cannot be used for generated data").format(name=name)
            )
        (self._sandbox / name).write_bytes(data)  # the path becomes the attachment's name
        return name

    def add_asset(self, source: Path) -> str:
        """Copy a file into the sandbox (once) and return the path Typst should use for it."""
        source = source.resolve()
        if source not in self._assets:
            # the suffix tells Typst the format; anything but a plain one is dropped (a name
            # is data: 'logo.svg",…' once ended the string it was put in)
            suffix = source.suffix.lower()
            suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
            name = f"asset-{len(self._assets)}{suffix}"
            shutil.copyfile(source, self._sandbox / name)
            self._assets[source] = f"/{name}"
        return self._assets[source]

    def pdf(self, source: str, standards: list[str], document_date: dt.date) -> TypesetResult:
        """Typeset ``source`` to PDF under ``standards``; the date fixes every timestamp."""
        (self._sandbox / MAIN_FILE).write_text(source, encoding="utf-8")
        timestamp = dt.datetime.combine(document_date, dt.time(12, 0), tzinfo=dt.UTC)
        compiler = self._fresh_compiler()
        pdf = self._run(
            lambda: compiler.compile_with_warnings(
                input=str(self._sandbox / MAIN_FILE),
                format="pdf",
                pdf_standards=cast(Any, standards),
                timestamp=timestamp,
            )
        )
        assert isinstance(pdf, bytes)
        return TypesetResult(pdf=pdf, fields=_field_placements(compiler))

    def png(self, source: str, page: int = 1, ppi: float = 110) -> bytes:
        """Typeset ``source`` to a PNG of one page (for previews)."""
        (self._sandbox / MAIN_FILE).write_text(source, encoding="utf-8")
        compiler = self._fresh_compiler()
        pages = self._run(
            lambda: compiler.compile_with_warnings(
                input=str(self._sandbox / MAIN_FILE), format="png", ppi=ppi
            )
        )
        images = pages if isinstance(pages, list) else [pages]
        if not 1 <= page <= len(images):
            raise RenderError(
                ngettext(
                    "the document has {count} page(s); there is no page {page}",
                    "the document has {count} page(s); there is no page {page}",
                    len(images),
                ).format(count=len(images), page=page)
            )
        image = images[page - 1]
        assert isinstance(image, bytes)
        return image

    def _run(self, compile_call: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                output, problems = compile_call()
        except self._typst.TypstError as exc:
            raise RenderError(
                _("typesetting failed: {reason}").format(reason=_describe(exc)),
                hint=_hint_for(str(exc.message)),
            ) from None
        except RuntimeError as exc:
            raise RenderError(_("typesetting failed: {reason}").format(reason=exc)) from None
        if problems:
            # an unknown font is only a warning in Typst, but would silently change the
            # document; under PDF/A every such warning is a defect, so refuse
            details = "; ".join(_describe(w) for w in problems)
            raise RenderError(
                _("typesetting gave warnings, treated as errors: {details}").format(
                    details=details
                ),
                hint=_hint_for(details),
            )
        return output


def _field_placements(compiler: Any) -> tuple[FieldPlacement, ...]:
    raw = compiler.query(SIGNATURE_FIELD_LABEL, field="value", format="json")
    return tuple(
        FieldPlacement(
            name=item["name"],
            label=item["label"],
            page=int(item["page"]),
            x=float(item["x"]),
            y=float(item["y"]),
            width=float(item["width"]),
            height=float(item["height"]),
        )
        for item in json.loads(raw)
    )


def _describe(problem: Any) -> str:
    message = str(getattr(problem, "message", problem))
    hints = [str(h) for h in getattr(problem, "hints", []) or []]
    return message + "".join(" " + _("(hint: {hint})").format(hint=h) for h in hints)


def _hint_for(message: str) -> str | None:
    lowered = message.lower()
    if "font" in lowered and ("unknown" in lowered or "family" in lowered):
        return _(
            "name a font family that is installed for toetreding: Typst's own fonts "
            "(e.g. 'Libertinus Serif') or one in huisstijl.lettertypemap"
        )
    if "glyph" in lowered or "could not be displayed" in lowered or "not found in font" in lowered:
        return _(
            "a character in the input cannot be shown by the font; PDF/A forbids missing "
            "glyphs — remove the character or configure a font that has it"
        )
    return None
