"""Code 128 barcodes drawn as vectors on a reportlab canvas: letter serials, agreement and slip numbers.

python-barcode computes the bar pattern (start code, the shortest mix of code
sets A/B/C, check character, stop pattern); this module draws each run of
dark modules as one filled rectangle of a single path, never a bitmap, so the
bars print crisp at any resolution (python-barcode's own PNG output did not
decode reliably at 200 dpi or less: see ``shared/docs/test-rig.md``).

Sizes: modules of :data:`MODULE` (0.3 mm, inside the 0.25–0.33 mm that
office laser and dot-matrix printers hold), a quiet zone of
:data:`QUIET_MODULES` modules left and right (the standard asks for 10), and
the human-readable text centred under the bars in the embedded document font.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import barcode  # type: ignore[import-untyped]
from barcode.errors import BarcodeError as PythonBarcodeError  # type: ignore[import-untyped]
from reportlab.lib.colors import Color, black, white
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from teller_client.documents.fonts import document_fonts
from teller_client.errors import TellerError

MODULE = 0.3 * mm
"""Width of the narrowest bar or space, in points."""
QUIET_MODULES = 10
"""Quiet zone left and right, in modules."""
BAR_HEIGHT = 10 * mm
TEXT_SIZE = 8.0
TEXT_GAP = 1.2 * mm
"""Between the bars and the top of the human-readable text."""
MAX_CHARS = 48


class Code128Error(TellerError):
    """A text cannot be a Code 128 barcode (empty, too long, or outside ASCII)."""

    code = "barcode_text"


@dataclass(frozen=True)
class Code128:
    """One Code 128 symbol: the bar pattern (``"1"`` dark module, ``"0"`` light) and how large to draw it."""

    text: str
    pattern: str
    module_width: float = MODULE
    bar_height: float = BAR_HEIGHT
    quiet_modules: int = QUIET_MODULES
    text_size: float = TEXT_SIZE
    """Size of the human-readable text; 0 draws none."""

    @property
    def quiet(self) -> float:
        """Quiet zone in points, left and right."""
        return self.quiet_modules * self.module_width

    @property
    def bars_width(self) -> float:
        return len(self.pattern) * self.module_width

    @property
    def width(self) -> float:
        """Width in points, quiet zones included."""
        return self.bars_width + 2 * self.quiet

    @property
    def height(self) -> float:
        """Height in points: the bars and, when drawn, the text under them (its descent included)."""
        return self.bar_height + (TEXT_GAP + self.text_size * 1.15 if self.text_size else 0)

    @cached_property
    def operators(self) -> str:
        """The dark runs as PDF rectangles in module units (one unit high), filled as one path."""
        return "\n".join([*(f"{start} 0 {length} 1 re" for start, length in _dark_runs(self.pattern)), "f"])

    def draw(self, canvas: Canvas, x: float, y: float, *, color: Color = black) -> None:
        """Draw with the lower left corner of the quiet zone at (``x``, ``y``), on a white ground; the text at the bottom."""
        bars_y = y + self.height - self.bar_height
        canvas.saveState()
        canvas.setFillColor(white)
        canvas.rect(x, y, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(color)
        if self.text_size:
            canvas.setFont(document_fonts().regular, self.text_size)
            canvas.drawCentredString(x + self.width / 2, y + self.text_size * 0.25, self.text)
        canvas.transform(self.module_width, 0, 0, self.bar_height, x + self.quiet, bars_y)
        canvas.addLiteral(self.operators)  # one path: no hairline seams between abutting rectangles when rasterized
        canvas.restoreState()


def _dark_runs(pattern: str) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = -1
    for i, bit in enumerate(pattern + "0"):
        if bit == "1" and start < 0:
            start = i
        elif bit != "1" and start >= 0:
            runs.append((start, i - start))
            start = -1
    return runs


@lru_cache(maxsize=256)
def code128_pattern(text: str) -> str:
    """The module pattern of ``text`` (``"1101001…"``: start, data, check character, stop); bad text raises :class:`Code128Error`."""
    if not text or len(text) > MAX_CHARS or not text.isascii() or not text.isprintable():
        raise Code128Error(
            f"A Code 128 barcode needs 1 to {MAX_CHARS} printable ASCII characters; got {len(text)} characters.",
            f"Code 128 条码内容须为 1 到 {MAX_CHARS} 个可打印的 ASCII 字符，现为 {len(text)} 个字符。",
        )
    try:
        built: list[str] = barcode.get_barcode_class("code128")(text).build()
    except (PythonBarcodeError, ValueError, KeyError) as exc:
        raise Code128Error(f"Cannot make a Code 128 barcode of this text: {exc}", f"无法为该内容生成 Code 128 条码：{exc}") from exc
    return built[0]


def code128(text: str, *, module_width: float = MODULE, bar_height: float = BAR_HEIGHT, text_size: float = TEXT_SIZE) -> Code128:
    """``text`` as a :class:`Code128` symbol ready to draw; ``text_size`` 0 leaves out the human-readable line."""
    return Code128(text, code128_pattern(text), module_width, bar_height, QUIET_MODULES, text_size)
