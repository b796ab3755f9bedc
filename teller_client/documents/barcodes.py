"""2D barcodes drawn as vectors on a reportlab canvas: PDF417 (pdf417gen's module matrix) and QR (reportlab's encoder).

A barcode is built once as a :class:`Symbol` (its module matrix and module
size, quiet zone included) and then drawn as filled rectangles, never as a
bitmap: a bitmap scaled by the printer or a PDF viewer blurs module edges, a
vector prints crisp at any resolution. :class:`SymbolFlowable` puts a symbol
in a platypus story.

:func:`symbol_for` chooses the type. Measured on symbol texts of the ``EF1``
alphabet (``A-Z2-7`` and ``:``), drawn here and read back with zxing-cpp
from a 200 dpi render (also rotated 2° and 3°, blurred, and at 150 dpi):
PDF417 at 0.3 mm modules, rows 3 modules high and at most 8 data columns
decodes every variant up to about 560 characters; longer texts start to fail
when skewed, and wider symbols (more columns) fail at 2° from about 700
characters. QR (error correction M, alphanumeric mode, 0.5 mm modules)
decodes every variant up to the largest tried (1,200 characters). So PDF417
is used up to :data:`PDF417_MAX_CHARS`, QR above.

Placement matters for PDF417 more than size: zxing-cpp's PDF417 locator scans
a page every 8th pixel row from the top and gives up on the whole page when
the first thing it takes for a start pattern is a line of text (about one row
phase in eight per text line). A layout that wants its PDF417 symbols read
from a full-page scan keeps text out of the rows above and between them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from pdf417gen import encode as pdf417_encode  # type: ignore[import-untyped]
from pdf417gen.compaction import compact as pdf417_compact  # type: ignore[import-untyped]
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import Color, black, white
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from teller_client.errors import TellerError

SymbolKind = Literal["pdf417", "qr"]

PDF417_MAX_CHARS = 560
"""Longest text drawn as PDF417 by :func:`symbol_for` (see the module docstring for the measurement)."""
PDF417_MODULE = 0.3 * mm
PDF417_ROW_RATIO = 3
"""Row height in module widths (the usual minimum of ISO/IEC 15438)."""
PDF417_MAX_COLUMNS = 8
"""Data columns at most: narrower symbols tolerate skew better."""
PDF417_QUIET = 4
"""Quiet zone on every side, in module widths (the standard asks for 2)."""
PDF417_MAX_ROWS = 90
QR_MODULE = 0.5 * mm
QR_LEVEL = "M"
QR_QUIET = 4
"""Quiet zone on every side, in modules (the QR standard's minimum)."""
QR_MAX_VERSION = 40

_PDF417_MAX_CODEWORDS = 928
_QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


class BarcodeError(TellerError):
    """A text does not fit the barcode type asked for."""

    code = "barcode_too_large"


@dataclass(frozen=True)
class Symbol:
    """One 2D symbol: dark/light modules row by row from the top, the module size in points, and the quiet zone."""

    kind: SymbolKind
    text: str
    modules: tuple[tuple[bool, ...], ...]
    module_width: float
    module_height: float
    quiet: float
    """Quiet zone in points on every side."""

    @property
    def columns(self) -> int:
        return len(self.modules[0]) if self.modules else 0

    @property
    def rows(self) -> int:
        return len(self.modules)

    @property
    def width(self) -> float:
        """Width in points, quiet zone included."""
        return self.columns * self.module_width + 2 * self.quiet

    @property
    def height(self) -> float:
        """Height in points, quiet zone included."""
        return self.rows * self.module_height + 2 * self.quiet

    @cached_property
    def operators(self) -> str:
        """The dark modules as PDF path operators in module units (x right, y up from the lower left), filled at once."""
        rects = [f"{start} {self.rows - 1 - r} {length} 1 re" for r, row in enumerate(self.modules) for start, length in _dark_runs(row)]
        return "\n".join([*rects, "f"])

    def draw(self, canvas: Canvas, x: float, y: float, *, color: Color = black) -> None:
        """Draw the symbol with the lower left corner of its quiet zone at (``x``, ``y``), on a white ground."""
        canvas.saveState()
        canvas.setFillColor(white)
        canvas.rect(x, y, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(color)
        canvas.transform(self.module_width, 0, 0, self.module_height, x + self.quiet, y + self.quiet)
        canvas.addLiteral(self.operators)  # one path: no seams between abutting modules when rasterized
        canvas.restoreState()


def _dark_runs(row: Sequence[bool]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = -1
    for i, dark in enumerate(row):
        if dark and start < 0:
            start = i
        elif not dark and start >= 0:
            runs.append((start, i - start))
            start = -1
    if start >= 0:
        runs.append((start, len(row) - start))
    return runs


class SymbolFlowable(Flowable):
    """A :class:`Symbol` in a platypus story, its quiet zone included in its size."""

    def __init__(self, symbol: Symbol) -> None:
        super().__init__()
        self.symbol = symbol
        self.width = symbol.width
        self.height = symbol.height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.symbol.width, self.symbol.height

    def draw(self) -> None:
        self.symbol.draw(self.canv, 0, 0)


def pdf417_security_level(data_codewords: int) -> int:
    """The error-correction level ISO/IEC 15438 recommends for ``data_codewords`` data code words."""
    for limit, level in ((40, 2), (160, 3), (320, 4), (863, 5)):
        if data_codewords <= limit:
            return level
    return 6


def _pdf417_layout(text: str, max_columns: int, row_ratio: float) -> tuple[int, int] | None:
    """(columns, security level) for ``text``: the narrowest symbol no taller than wide, or None when none fits."""
    data = len(list(pdf417_compact(text.encode("utf-8"))))
    level = pdf417_security_level(data)
    body = data + 1 + 2 ** (level + 1)  # length descriptor, data, error correction
    if data + 1 > _PDF417_MAX_CODEWORDS:
        return None
    fitting: list[int] = []
    for columns in range(1, max_columns + 1):
        rows = math.ceil(body / columns)
        if 3 <= rows <= PDF417_MAX_ROWS and data + 1 + (rows * columns - body) <= _PDF417_MAX_CODEWORDS:
            fitting.append(columns)
            if rows * row_ratio <= 17 * columns + 69:  # height <= width, in module widths
                return columns, level
    return (fitting[-1], level) if fitting else None


def pdf417_fits(text: str, *, max_columns: int = PDF417_MAX_COLUMNS) -> bool:
    """Whether ``text`` makes a PDF417 symbol of at most ``max_columns`` data columns and 90 rows."""
    return bool(text) and _pdf417_layout(text, max_columns, PDF417_ROW_RATIO) is not None


def pdf417_symbol(
    text: str,
    *,
    module_width: float = PDF417_MODULE,
    row_ratio: float = PDF417_ROW_RATIO,
    max_columns: int = PDF417_MAX_COLUMNS,
    quiet_modules: int = PDF417_QUIET,
) -> Symbol:
    """``text`` as a PDF417 symbol (byte-exact: UTF-8; the ``EF1`` alphabet uses text compaction)."""
    layout = _pdf417_layout(text, max_columns, row_ratio) if text else None
    if layout is None:
        raise BarcodeError(
            f"A text of {len(text)} characters does not fit one PDF417 symbol of at most {max_columns} columns.",
            f"{len(text)} 个字符的内容放不进一个不超过 {max_columns} 列的 PDF417 条码。",
        )
    columns, level = layout
    codes = pdf417_encode(text, columns=columns, security_level=level, encoding="utf-8")
    modules = tuple(tuple(bit == "1" for bit in "".join(format(word, "b") for word in row)) for row in codes)
    return Symbol("pdf417", text, modules, module_width, module_width * row_ratio, quiet_modules * module_width)


def qr_symbol(text: str, *, module_width: float = QR_MODULE, level: str = QR_LEVEL, quiet_modules: int = QR_QUIET) -> Symbol:
    """``text`` as a QR code: alphanumeric mode when every character allows it, else UTF-8 bytes."""
    data = qrencoder.QRAlphaNum(text) if set(text) <= _QR_ALPHANUMERIC else qrencoder.QR8bitByte(text.encode("utf-8"))
    correction = getattr(qrencoder.QRErrorCorrectLevel, level)
    version = _qr_version(data, correction)
    if version is None:
        raise BarcodeError(
            f"A text of {len(text)} characters does not fit one QR code at error correction {level}.",
            f"{len(text)} 个字符的内容放不进一个纠错等级为 {level} 的二维码。",
        )
    code = qrencoder.QRCode(version, correction)
    code.addData(data)
    code.make()
    modules = tuple(tuple(bool(dark) for dark in row) for row in code.modules)
    return Symbol("qr", text, modules, module_width, module_width, quiet_modules * module_width)


def _qr_version(data: object, correction: int) -> int | None:
    """The smallest QR version that holds ``data`` (reportlab's own search stops at version 39)."""
    for version in range(1, QR_MAX_VERSION + 1):
        blocks = qrencoder.QRRSBlock.getRSBlocks(version, correction)  # type: ignore[no-untyped-call]
        capacity = sum(block.dataCount for block in blocks) * 8
        needed = 4 + data.getLengthBits(version) + data.bitlength  # type: ignore[attr-defined]
        if needed <= capacity:
            return version
    return None


@lru_cache(maxsize=64)
def symbol_for(text: str) -> Symbol:
    """PDF417 when ``text`` fits one comfortably (up to :data:`PDF417_MAX_CHARS` characters), QR otherwise.

    Cached: a symbol is immutable, and QR's mask selection is slow in pure Python.
    """
    if len(text) <= PDF417_MAX_CHARS and pdf417_fits(text):
        return pdf417_symbol(text)
    return qr_symbol(text)
