"""The CJK font every document embeds: WenQuanYi Micro Hei, registered with reportlab once per process.

reportlab's built-in CJK fonts (``STSong-Light``) are not embedded, so a PDF
would depend on the viewer's fonts; this module registers the shipped
TrueType collection instead, and reportlab embeds the subset each document
uses. The font has a single weight: ``DocumentFonts.bold`` names the same
face, and layouts that want emphasis draw it with :func:`draw_bold_string`
(glyphs filled and stroked) or a larger size.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import Color, black
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from teller_client.errors import TellerError
from teller_client.resources import resource_path

FONT_FILE = ("fonts", "wqy-microhei.ttc")
FONT_NAME = "WenQuanYiMicroHei"
"""The name layouts pass to ``setFont`` or a ``ParagraphStyle``."""
FAKE_BOLD_STROKE = 0.035
"""Stroke width for faux bold, as a fraction of the font size."""


@dataclass(frozen=True)
class DocumentFonts:
    """The registered font names: ``regular`` for text; ``bold`` is the same face (one weight shipped)."""

    regular: str
    bold: str
    family: str


class FontMissingError(TellerError):
    """The shipped font file is missing or unreadable (an installation fault for branch IT)."""

    code = "font_missing"


_lock = threading.RLock()
_fonts: DocumentFonts | None = None


def document_fonts() -> DocumentFonts:
    """Register the shipped CJK font (once per process; thread-safe) and return its names."""
    global _fonts
    if _fonts is None:
        with _lock:
            if _fonts is None:
                _fonts = register_font(resource_path(*FONT_FILE))
    return _fonts


def register_font(path: Path, name: str = FONT_NAME) -> DocumentFonts:
    """Register the TrueType collection at ``path`` (its first face) as ``name``; a missing or broken file raises.

    Registering a name again replaces its font; :func:`document_fonts` does it once.
    """
    if not path.is_file():
        raise FontMissingError(
            f"The document font {path} is missing; reinstall the client.",
            f"缺少文档字体文件 {path}，请重新安装客户端。",
        )
    try:
        font = TTFont(name, str(path), subfontIndex=0)
    except (OSError, TTFError) as exc:
        raise FontMissingError(
            f"The document font {path} cannot be used ({exc}); reinstall the client.",
            f"文档字体文件 {path} 无法使用（{exc}），请重新安装客户端。",
        ) from exc
    family = f"{name}Family"
    with _lock:
        pdfmetrics.registerFont(font)
        for family_name in (family, name):  # <b> and <i> in a paragraph map to the one face
            pdfmetrics.registerFontFamily(family_name, normal=name, bold=name, italic=name, boldItalic=name)
    return DocumentFonts(regular=name, bold=name, family=family)


def draw_bold_string(canvas: Canvas, x: float, y: float, text: str, size: float, *, align: str = "left", color: Color = black) -> None:
    """Draw ``text`` in faux bold (filled and stroked glyphs) with its baseline at ``y``; ``align`` is left, centre or right."""
    width = string_width(text, size)
    start = x - width / 2 if align == "centre" else x - width if align == "right" else x
    canvas.saveState()
    canvas.setFillColor(color)
    canvas.setStrokeColor(color)
    canvas.setLineWidth(size * FAKE_BOLD_STROKE)
    text_object = canvas.beginText(start, y)
    text_object.setFont(document_fonts().bold, size)
    text_object.setTextRenderMode(2)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()


def string_width(text: str, size: float) -> float:
    """Width in points of ``text`` in the document font at ``size``."""
    return float(pdfmetrics.stringWidth(text, document_fonts().regular, size))
