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

from pyhanko.pdf_utils.reader import PdfFileReader

from ..errors import SigningError
from ..i18n import _

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
                _("cannot read the appearance template '{template}': {error}").format(
                    template=style.template, error=error.strerror
                )
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
                _("drawing the visible signature failed: {error}").format(
                    error=getattr(error, "message", error)
                ),
                hint=_("check the appearance template {template}").format(
                    template=self._style.template
                ),
            ) from None
        if problems:
            details = "; ".join(str(getattr(p, "message", p)) for p in problems)
            raise SigningError(
                _(
                    "drawing the visible signature gave warnings (treated as errors): {details}"
                ).format(details=details),
                hint=_("check the font (huisstijl.lettertype) and the appearance template"),
            )
        assert isinstance(pdf, bytes)
        return pdf


def read_drawing(pdf: bytes) -> PdfFileReader:
    """Parse a drawing once; the reader can be imported into many documents."""
    return PdfFileReader(io.BytesIO(pdf))


def place_appearance(writer: Any, field_name: str, drawing: PdfFileReader) -> None:
    """Make ``drawing`` the appearance of the statement's field ``field_name``.

    Done in the same incremental update as the signature, before pyHanko signs it (with
    no stamp of its own). The new appearance keeps the pre-placed one's dictionary —
    same /Type, /Subtype and /BBox, resources only added — so that a validator comparing
    the revisions (EU DSS) sees an appearance *created* for the signed field, never a
    modified one. The drawing is scaled into that box.
    """
    from pyhanko.pdf_utils import generic

    widget = _widget(writer, field_name)
    previous = widget["/AP"]["/N"]
    box = [float(v) for v in previous["/BBox"]]
    drawn = writer.import_page_as_xobject(drawing, page_ix=0)
    dx1, dy1, dx2, dy2 = (float(v) for v in drawn.get_object()["/BBox"])
    bx1, by1, bx2, by2 = (
        min(box[0], box[2]),
        min(box[1], box[3]),
        max(box[0], box[2]),
        max(box[1], box[3]),
    )
    sx = (bx2 - bx1) / ((dx2 - dx1) or 1)
    sy = (by2 - by1) / ((dy2 - dy1) or 1)
    tx, ty = bx1 - dx1 * sx, by1 - dy1 * sy
    command = f"q {sx:.6f} 0 0 {sy:.6f} {tx:.4f} {ty:.4f} cm /Handtekening Do Q".encode()
    resources = generic.DictionaryObject(
        {
            generic.NameObject("/XObject"): generic.DictionaryObject(
                {generic.NameObject("/Handtekening"): drawn}
            )
        }
    )
    appearance = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): previous.raw_get("/BBox"),
            generic.NameObject("/Resources"): resources,
        },
        stream_data=command,
    )
    widget["/AP"] = generic.DictionaryObject(
        {generic.NameObject("/N"): writer.add_object(appearance)}
    )
    writer.update_container(widget)


def _widget(writer: Any, field_name: str) -> Any:
    for reference in writer.root["/AcroForm"]["/Fields"]:
        field = reference.get_object()
        if str(field.get("/T")) == field_name:
            kids = field.get("/Kids")
            return kids[0].get_object() if kids else field
    raise SigningError(_("the statement has no field '{field}'").format(field=field_name))
