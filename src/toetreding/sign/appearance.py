"""The visible signature: drawn by Typst, then placed in the field by pyHanko.

pyHanko's own stamp uses a non-embedded standard font, which breaks PDF/A, and its
embedded-font path needs a font file and rescaling for fonts with 2048 units per em. We
avoid both by letting Typst (which already typeset the statement) draw a one-page PDF the
size of the field, with the signer's name, function, "namens …" and the moment, fonts
embedded and subsetted; that page becomes the widget's appearance stream.

The appearance template is ``common/handtekening.typ``; a workspace can replace it. Data
reaches Typst only as JSON through ``sys.inputs`` and cannot become markup.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle

from ..errors import SigningError

APPEARANCE_TEMPLATE = Path("common") / "handtekening.typ"


@dataclass(frozen=True)
class AppearanceText:
    """What the visible signature says."""

    caption: str
    name: str
    function: str
    on_behalf_line: str
    moment_line: str
    certificate_line: str
    lang: str


@dataclass(frozen=True)
class AppearanceStyle:
    """House style for the appearance (from the workspace settings)."""

    font: str
    font_dir: Path | None
    primary: str
    ink: str
    template: Path


class AppearanceDrawer:
    """Draws appearances in a private Typst sandbox; one fresh compiler per drawing."""

    def __init__(self, style: AppearanceStyle) -> None:
        import typst

        self._typst = typst
        self._style = style
        self._sandbox = Path(tempfile.mkdtemp(prefix="toetreding-stamp-"))
        try:
            shutil.copyfile(style.template, self._sandbox / "handtekening.typ")
        except OSError as error:
            shutil.rmtree(self._sandbox, ignore_errors=True)
            raise SigningError(
                f"cannot read the appearance template '{style.template}': {error.strerror}"
            ) from None
        self._font_paths = [str(style.font_dir)] if style.font_dir else []

    def close(self) -> None:
        """Remove the sandbox."""
        shutil.rmtree(self._sandbox, ignore_errors=True)

    def draw(self, text: AppearanceText, width: float, height: float) -> bytes:
        """A one-page PDF of ``width`` × ``height`` points showing ``text``."""
        data = {
            **asdict(text),
            "width": round(width, 3),
            "height": round(height, 3),
            "font": self._style.font,
            "primary": self._style.primary,
            "ink": self._style.ink,
        }
        # A fresh compiler each time: a reused one can write a wrong ToUnicode map
        # (see render/typesetter.py), and the appearance text must be searchable too.
        compiler = self._typst.Compiler(
            root=str(self._sandbox), font_paths=self._font_paths, ignore_system_fonts=True
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pdf, problems = compiler.compile_with_warnings(
                    input=str(self._sandbox / "handtekening.typ"),
                    format="pdf",
                    sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                    pdf_tags=False,
                )
        except self._typst.TypstError as error:
            raise SigningError(
                f"drawing the visible signature failed: {getattr(error, 'message', error)}",
                hint=f"check the appearance template {self._style.template}",
            ) from None
        if problems:
            details = "; ".join(str(getattr(p, "message", p)) for p in problems)
            raise SigningError(
                f"drawing the visible signature gave warnings (treated as errors): {details}",
                hint="check the font (huisstijl.lettertype) and the appearance template",
            )
        assert isinstance(pdf, bytes)
        return pdf


class TypstPageContent(content.PdfContent):
    """A PDF page (Typst's drawing) imported as a form XObject into the signed document."""

    def __init__(self, drawing: PdfFileReader) -> None:
        super().__init__()
        self._drawing = drawing

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(self._drawing, page_ix=0)
        self.resources.xobject["/Handtekening"] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/Handtekening Do"


def read_drawing(pdf: bytes) -> PdfFileReader:
    """Parse a drawing once; the reader can be imported into many documents."""
    return PdfFileReader(io.BytesIO(pdf))


def stamp_style(drawing: PdfFileReader) -> Any:
    """A pyHanko stamp style that shows exactly the given page, edge to edge, no border."""
    return StaticStampStyle(
        background=TypstPageContent(drawing),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0),
        ),
    )
