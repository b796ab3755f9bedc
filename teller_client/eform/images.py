"""Barcodes read from a file: a scanned form, a phone photo or a PDF (e-form parts, business licence QR codes).

Every QR and PDF417 symbol of every page is decoded with zxing-cpp and the texts are
returned once each, in page and reading order. Pictures are turned upright (EXIF
orientation), composited on white, made grey and scaled down when huge; PDF pages
are rendered on white with PDFium at 300 dpi.

QR tolerates rotation; PDF417 does not: in trials it failed from about 2° of skew
(1.5° at 200 dpi), yet zxing-cpp still *locates* it up to about 10°. So every page is
decoded straight first, asking zxing-cpp for the symbols it located but could not
read, and the page is tried again rotated only where something may be missing:

* a symbol located but not read: rotate by the skew measured on its corners, then
  by steps around the page's skew (±0.5° ... ±6°);
* an e-form whose parts on this page were read but which lacks other parts: the
  page's measured skew, then small steps around it (±0.5°, ±1°);
* nothing read in the whole file: a short blind ladder (±1.5°, ±3°).

What is read at any angle is merged. The work is bounded (pixels, pages, rotated
attempts per page and per file) and ``cancel`` is checked before every attempt.
An e-form part read with a wrong check code counts as not read (it is returned only
if nothing better is read there, so that the teller is told it was misread).

Refusals are :class:`BarcodeImageError` with a stable ``code``, in words a teller
understands. No Qt here.
"""

from __future__ import annotations

import errno
import logging
import math
import statistics
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from teller_client.eform.errors import EformError
from teller_client.eform.symbols import is_eform, parse_symbol
from teller_client.errors import CancelledError, TellerError

log = logging.getLogger(__name__)

MAX_PAGES = 20
"""Pages of a PDF or multi-page TIFF that are read; a longer file is refused."""
MAX_SOURCE_PIXELS = 120_000_000
"""A picture larger than this is refused (a 108-megapixel phone photo still passes)."""
MAX_WORK_PIXELS = 16_000_000
"""Pictures are scaled down to at most this many pixels before decoding (an A4 page at 300 dpi has 8.7 million)."""
PDF_DPI = 300
"""Resolution PDF pages are rendered at; vector PDF417 at 200 dpi decodes, with less margin for skew."""
MAX_PDF_PAGE_PIXELS = 12_000_000
"""Larger PDF pages (posters, drawings) are rendered at a lower resolution than :data:`PDF_DPI`."""

NEAR_LADDER = (0.5, -0.5, 1.0, -1.0)
"""Steps (degrees) around the page's measured skew, tried after the measured skews themselves where a form has
parts on the page but lacks others: a marginal PDF417 may need its skew within a quarter of a degree."""
ROTATION_LADDER = (*NEAR_LADDER, 1.5, -1.5, 3.0, -3.0, 4.5, -4.5, 6.0, -6.0)
"""Steps around the page's measured skew (or around 0°), tried after the measured skews where a symbol was located
but not read."""
BLIND_LADDER = (1.5, -1.5, 3.0, -3.0)
"""Angles tried on a page where nothing at all was located, when nothing was read in the whole file.

Kept short on purpose: zxing-cpp locates PDF417 skewed by up to about 10° even when it cannot read
it (and QR at any angle), so on such a page rotating has not helped in any trial; it costs about
0.2 s an attempt on an A4 page at 200 dpi."""
MAX_ANGLE = 20.0
"""Skew estimates beyond this are not followed (zxing-cpp's own rotation covers multiples of 90°)."""
MAX_ROTATIONS_PER_PAGE = 10
MAX_ROTATIONS = 24
"""Rotated attempts in all for one file. One takes about 0.2 s on an A4 page at 200 dpi and 0.4 to 0.8 s at
300 dpi; a skewed page usually needs one (at its measured skew)."""
MIN_SKEW = 0.5
"""Measured skew below this is not worth a rotated attempt."""
HINT_TOLERANCE = 0.2
"""An angle this close to one tried or planned already adds no attempt."""

_FORMATS = zxingcpp.barcode_formats_from_str("QRCode,PDF417")
_IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "GIF", "WEBP")
"""Picture formats Pillow may open here (never EPS and the like, which run external programs)."""
_PICTURE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"BM", b"II*\x00", b"MM\x00*", b"GIF8", b"RIFF")
_MULTI_PAGE_FORMATS = frozenset({"TIFF"})
"""Formats whose frames are pages (an MPO's second frame, a GIF's animation are not)."""

_PDFIUM = threading.Lock()
"""PDFium is not thread-safe: every call into it holds this lock."""


class BarcodeImageError(EformError):
    """A file could not be read for barcodes, or holds none; ``code`` says why, ``name`` which file."""

    def __init__(self, code: str, message_en: str, message_zh: str, *, name: str) -> None:
        super().__init__(code, message_en, message_zh)
        self.name = name


# --- results of one page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    """Where a symbol is on the page as given (axis-aligned bounds of its corners)."""

    x: float
    y: float
    half_width: float
    half_height: float

    def holds(self, other: _Box) -> bool:
        return abs(other.x - self.x) <= self.half_width and abs(other.y - self.y) <= self.half_height


@dataclass
class _Page:
    number: int
    found: dict[str, _Box] = field(default_factory=dict)
    """Texts read, where first read."""
    unread: list[_Box] = field(default_factory=list)
    """Symbols located but not read in any attempt so far."""
    hints: list[float] = field(default_factory=list)
    """Rotations to try next (degrees, counter-clockwise), measured on located symbols."""
    tried: set[float] = field(default_factory=set)
    skew: float = 0.0
    """The page's skew measured on the symbols read straight, else on those located (the rotation that levels them)."""
    misread: dict[str, _Box] = field(default_factory=dict)
    """E-form parts read with a wrong check code, where read."""


@dataclass
class _Budget:
    left: int = MAX_ROTATIONS

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError()


# --- decoding ------------------------------------------------------------------------------------------


def _rotate(image: Image.Image, angle: float) -> Image.Image:
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)  # bicubic: twice the time, no better


def _back(x: float, y: float, angle: float, rotated: tuple[int, int], original: tuple[int, int]) -> tuple[float, float]:
    """A point of ``image.rotate(angle, expand=True)`` in the coordinates of ``image``."""
    theta = math.radians(angle)
    dx, dy = x - rotated[0] / 2, y - rotated[1] / 2
    return (
        original[0] / 2 + dx * math.cos(theta) - dy * math.sin(theta),
        original[1] / 2 + dx * math.sin(theta) + dy * math.cos(theta),
    )


def _box(barcode: zxingcpp.Barcode, angle: float, rotated: tuple[int, int], original: tuple[int, int]) -> _Box:
    p = barcode.position
    corners = [(float(c.x), float(c.y)) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
    if angle:
        corners = [_back(x, y, angle, rotated, original) for x, y in corners]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return _Box((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (max(xs) - min(xs)) / 2 + 1, (max(ys) - min(ys)) / 2 + 1)


def _skew(barcode: zxingcpp.Barcode) -> float:
    """The rotation (degrees, counter-clockwise, as :meth:`PIL.Image.Image.rotate` takes it) that levels ``barcode``.

    Measured on its top and bottom edges; on a symbol zxing-cpp could not read one edge may be
    reported flat, so the steeper edge is taken.
    """
    p = barcode.position
    top = math.degrees(math.atan2(p.top_right.y - p.top_left.y, p.top_right.x - p.top_left.x))
    bottom = math.degrees(math.atan2(p.bottom_right.y - p.bottom_left.y, p.bottom_right.x - p.bottom_left.x))
    angle = top if abs(top) >= abs(bottom) else bottom
    return ((angle + 45.0) % 90.0) - 45.0  # zxing-cpp itself reads symbols turned by 90°, 180° and 270°


def _decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(
        image,
        formats=_FORMATS,
        try_rotate=True,
        try_downscale=True,
        try_invert=False,  # forms are printed dark on light; trying inverted doubles the time at 200 dpi
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=zxingcpp.Binarizer.LocalAverage,  # GlobalHistogram lost every skewed PDF417 at 200 dpi
        return_errors=True,  # symbols located but not read: their skew says which rotation to try
    )


def _attempt(page: _Page, image: Image.Image, angle: float) -> None:
    """Decode ``image`` turned by ``angle``; merge what is read into ``page`` and note what is not."""
    page.tried.add(angle)
    work = image if angle == 0 else _rotate(image, angle)
    located: list[tuple[_Box, float]] = []
    read_skews: list[float] = []
    for barcode in _decode(work):
        box = _box(barcode, angle, work.size, image.size)
        skew = angle + _skew(barcode)
        if not barcode.valid:
            located.append((box, skew))
        elif barcode.text and barcode.text not in page.found:
            read_skews.append(skew - angle)
            if not _keep(page, barcode.text, box):
                located.append((box, skew))
    for box, skew in located:
        if _overlaps(box, page.found.values()):
            continue
        if not _overlaps(box, page.unread):
            page.unread.append(box)
        _hint(page, skew, first=True)
    if read_skews:  # the page's skew, measured on what was read: worth a try if parts are missing
        _hint(page, angle + statistics.median(read_skews))
    if angle == 0 and (read_skews or located):
        page.skew = statistics.median(read_skews or [skew for _, skew in located])
    page.unread = [u for u in page.unread if not _overlaps(u, page.found.values())]
    log.debug("page %d at %.2f°: %d read, %d located but unread", page.number, angle, len(page.found), len(page.unread))


def _keep(page: _Page, text: str, box: _Box) -> bool:
    """Record a text read at ``box``; ``False`` when it is a misread (then the symbol counts as not read yet).

    Skewed PDF417 is now and then "read" as a wrong text that passes its error correction. An e-form part
    has its own check code: a part failing it is kept aside (returned only if nothing better is read there,
    so that the teller hears "misread, scan again"). A second, different text at the very place of one
    already read is a misread of one of them, unless both are e-form parts that pass their check (zxing-cpp
    places a skewed PDF417 roughly, so two real symbols may seem to overlap): the part wins, else the first.
    """
    if is_eform(text) and not _intact(text):
        page.misread.setdefault(text, box)
        return False
    clash = next((other for other, where in page.found.items() if where.holds(box) and box.holds(where)), None)
    if clash is not None and not (is_eform(text) and is_eform(clash)):
        if is_eform(clash) or not is_eform(text):
            log.debug("page %d: a second, different reading of one symbol dropped", page.number)
            return True
        del page.found[clash]
    page.found[text] = box
    return True


def _intact(text: str) -> bool:
    try:
        parse_symbol(text)
    except EformError:
        return False
    return True


def _overlaps(box: _Box, others: Iterable[_Box]) -> bool:
    """Whether ``box`` and one of ``others`` are one symbol (or one holds the other's centre, as a merged detection does)."""
    return any(other.holds(box) or box.holds(other) for other in others)


def _hint(page: _Page, angle: float, *, first: bool = False) -> None:
    """Plan a rotated attempt, unless one at nearly that angle is tried or planned already."""
    hint = round(angle, 1)
    if not MIN_SKEW <= abs(hint) <= MAX_ANGLE or _near(hint, (0.0, *page.tried, *page.hints)):
        return
    if first:
        page.hints.insert(0, hint)
    else:
        page.hints.append(hint)


def _missing_forms(pages: Sequence[_Page]) -> set[str]:
    """Form numbers of the e-forms read in part only."""
    parts: dict[str, tuple[int, set[int]]] = {}
    for page in pages:
        for text in page.found:
            try:
                symbol = parse_symbol(text)
            except EformError:
                continue
            total, seen = parts.setdefault(symbol.form_id, (symbol.total, set()))
            seen.add(symbol.index)
            parts[symbol.form_id] = (max(total, symbol.total), seen)
    return {form for form, (total, seen) in parts.items() if len(seen) < total}


def _has_parts_of(page: _Page, forms: set[str]) -> bool:
    for text in page.found:
        try:
            if parse_symbol(text).form_id in forms:
                return True
        except EformError:
            continue
    return False


def _complete(pages: Sequence[_Page]) -> bool:
    """Nothing more to look for: something was read, no symbol is left unread, no e-form lacks a part."""
    if not any(page.found for page in pages) or any(page.unread for page in pages):
        return False
    return not _missing_forms(pages)


def _page_done(page: _Page, pages: Sequence[_Page]) -> bool:
    """Whether rotating ``page`` again can no longer help."""
    if _complete(pages):
        return True
    return not page.unread and bool(page.found) and not _has_parts_of(page, _missing_forms(pages))


def _retry(page: _Page, load: Callable[[], Image.Image], pages: Sequence[_Page], budget: _Budget, cancel: threading.Event | None) -> None:
    """Rotated attempts on one page: measured skews first, then the ladder; until done or out of attempts."""
    ladder = [page.skew + step for step in ROTATION_LADDER]
    near = [page.skew + step for step in NEAR_LADDER]
    blind = list(BLIND_LADDER)
    image: Image.Image | None = None
    for _ in range(MAX_ROTATIONS_PER_PAGE):
        if _page_done(page, pages):
            return
        # After the measured skews: the ladder where a symbol was located but not read, a short one where nothing
        # was read anywhere, small steps around the page's skew where a form has parts on this page but lacks others.
        if page.unread:
            angle = _next_angle(page, ladder)
        elif not any(p.found for p in pages):
            angle = _next_angle(page, blind)
        else:
            angle = _next_angle(page, near)
        if angle is None:
            return
        _check(cancel)
        if not budget.take():
            return
        if image is None:
            image = load()
        _attempt(page, image, angle)


def _next_angle(page: _Page, ladder: list[float]) -> float | None:
    while page.hints or ladder:
        angle = page.hints.pop(0) if page.hints else round(ladder.pop(0), 1)
        if not _near(angle, (0.0, *page.tried)):
            return angle
    return None


def _near(angle: float, others: Iterable[float]) -> bool:
    return any(abs(angle - other) < HINT_TOLERANCE for other in others)


def _ordered(pages: Sequence[_Page]) -> list[str]:
    """Texts in page order, then reading order (rows top to bottom, left to right in a row), once each.

    A misread e-form part is included only where nothing else was read, so that the part is named as misread.
    """
    out: list[str] = []
    seen: set[str] = set()
    for page in pages:
        items = list(page.found.items())
        for text, box in page.misread.items():
            if not _overlaps(box, page.found.values()) and not _overlaps(box, [b for t, b in items if t in page.misread]):
                items.append((text, box))
        rows: list[list[tuple[str, _Box]]] = []
        for text, box in sorted(items, key=lambda item: item[1].y):
            if rows and abs(box.y - rows[-1][0][1].y) < max(rows[-1][0][1].half_height, box.half_height):
                rows[-1].append((text, box))
            else:
                rows.append([(text, box)])
        for row in rows:
            for text, _ in sorted(row, key=lambda item: item[1].x):
                if text not in seen:
                    seen.add(text)
                    out.append(text)
    return out


def _read_pages(loaders: Sequence[Callable[[], Image.Image]], cancel: threading.Event | None) -> list[str]:
    """Every page straight, then rotated attempts on the pages where something may be missing."""
    pages: list[_Page] = []
    for number, load in enumerate(loaders, start=1):
        _check(cancel)
        page = _Page(number)
        _attempt(page, load(), 0.0)
        pages.append(page)
    if _complete(pages):
        return _ordered(pages)
    budget = _Budget()
    missing = _missing_forms(pages)
    # Pages with symbols located but not read first, then pages with parts of incomplete forms, then pages with nothing read.
    order = sorted(pages, key=lambda p: (not p.unread, not _has_parts_of(p, missing), bool(p.found), p.number))
    for page in order:
        if _complete(pages) or budget.left <= 0:
            break
        _retry(page, loaders[page.number - 1], pages, budget, cancel)
    return _ordered(pages)


# --- pictures --------------------------------------------------------------------------------------------


def prepare_image(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation), composited on white, 8-bit grey, at most :data:`MAX_WORK_PIXELS`, with a white margin."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # a damaged EXIF block must not stop the decoding of the picture
        log.debug("EXIF orientation unreadable; decoding the picture as stored")
        upright = image
    grey = _grey(upright if upright is not None else image)
    pixels = grey.width * grey.height
    if pixels > MAX_WORK_PIXELS:
        factor = math.sqrt(MAX_WORK_PIXELS / pixels)
        size = (max(1, int(grey.width * factor)), max(1, int(grey.height * factor)))
        grey = grey.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    margin = max(16, min(grey.size) // 50)  # a quiet zone for barcodes cropped tight
    return ImageOps.expand(grey, border=margin, fill=255)


def _grey(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if mode.startswith("I") or mode == "F":  # 16-bit and float scans
        _, high = image.getextrema()
        if isinstance(high, (int, float)) and high > 255:
            scale = 255.0 / float(high)
            return image.convert("F").point(lambda v: v * scale).convert("L")
        return image.convert("F").convert("L")
    if mode in ("L", "1", "P", "RGB"):
        return image.convert("L")
    return image.convert("RGB").convert("L")


def read_barcodes_from_image(image: Image.Image, *, cancel: threading.Event | None = None) -> list[str]:
    """The texts of the QR and PDF417 symbols in one picture, once each, in reading order; ``[]`` when none.

    The picture may be in any mode and orientation (see :func:`prepare_image`). Raises
    :class:`~teller_client.errors.CancelledError` when ``cancel`` is set.
    """
    _check(cancel)
    prepared = prepare_image(image)
    return _read_pages([lambda: prepared], cancel)


# --- files -------------------------------------------------------------------------------------------------


def read_barcodes_from_file(path: Path, *, cancel: threading.Event | None = None) -> list[str]:
    """The texts of every QR and PDF417 symbol in an image file (PNG, JPEG, BMP, TIFF with any number of pages,
    GIF, WebP) or a PDF, once each, in page and reading order.

    Refuses (:class:`BarcodeImageError`) a file that cannot be read, is not a picture or PDF, is damaged,
    password-protected, too large or too long, and a file with no barcode at all (``no_barcode``).
    Raises :class:`~teller_client.errors.CancelledError` when ``cancel`` is set.
    """
    name = path.name
    _check(cancel)
    try:
        if path.exists() and not path.is_file():  # a folder, or a pipe that would block the read
            raise IsADirectoryError(errno.EISDIR, "not a regular file")
        with path.open("rb") as stream:
            head = stream.read(1024)
    except OSError as exc:
        raise _unreadable(name, exc) from exc
    if not head:
        raise BarcodeImageError("file_empty", f"The file {name} is empty.", f"文件 {name} 是空的（0 字节）。", name=name)
    texts = _read_pdf(path, cancel) if _is_pdf(head) else _read_picture(path, cancel)
    if not texts:
        raise BarcodeImageError(
            "no_barcode",
            f"No barcode found in {name}; scan the form at 300 dpi, or take the photo with the form flat, "
            "in focus and filling the picture.",
            f"在 {name} 中未找到条码。请以 300 dpi 扫描表单，或将表单放平、对准焦距、使其占满画面后重新拍照。",
            name=name,
        )
    return texts


def _is_pdf(head: bytes) -> bool:
    """PDF readers accept the header anywhere in the first 1024 bytes; a picture's own signature wins."""
    return b"%PDF-" in head and not head.startswith(_PICTURE_SIGNATURES)


def _unreadable(name: str, exc: OSError) -> BarcodeImageError:
    if exc.errno == errno.ENOENT:
        why_en, why_zh = "it does not exist", "文件不存在"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why_en, why_zh = "permission denied", "没有读取权限"
    elif exc.errno == errno.EISDIR:
        why_en, why_zh = "it is not a file", "这不是文件"
    else:
        why_en, why_zh = exc.strerror or "read error", "读取出错"
    return BarcodeImageError("file_unreadable", f"Cannot read the file {name}: {why_en}.", f"无法读取文件 {name}：{why_zh}。", name=name)


def _too_many_pages(name: str, pages: int) -> BarcodeImageError:
    return BarcodeImageError(
        "too_many_pages",
        f"{name} has {pages} pages; at most {MAX_PAGES} are read. Scan only the pages with the barcodes.",
        f"{name} 共 {pages} 页，最多读取 {MAX_PAGES} 页。请只扫描带条码的页。",
        name=name,
    )


def _damaged_picture(name: str) -> BarcodeImageError:
    return BarcodeImageError(
        "image_damaged",
        f"The picture {name} is damaged or incomplete; scan or photograph the form again.",
        f"图片 {name} 已损坏或不完整，请重新扫描或拍照。",
        name=name,
    )


def _unsupported(name: str) -> BarcodeImageError:
    return BarcodeImageError(
        "file_unsupported",
        f"{name} is not a picture or PDF file the client can read; save the scan as PDF, PNG, JPEG, BMP or TIFF.",
        f"{name} 不是本系统能读取的图片或 PDF 文件，请将扫描件保存为 PDF、PNG、JPEG、BMP 或 TIFF 格式。",
        name=name,
    )


def _read_picture(path: Path, cancel: threading.Event | None) -> list[str]:
    name = path.name
    try:
        with Image.open(path, formats=_IMAGE_FORMATS) as image:
            width, height = image.size
            if width * height > MAX_SOURCE_PIXELS:
                raise _picture_too_large(name, width, height)
            frames = int(getattr(image, "n_frames", 1)) if image.format in _MULTI_PAGE_FORMATS else 1
            if frames > MAX_PAGES:
                raise _too_many_pages(name, frames)
            loaders = [_frame_loader(image, index, name) for index in range(frames)]
            return _read_pages(loaders, cancel)
    except TellerError:
        raise
    except Image.DecompressionBombError as exc:
        raise _picture_too_large(name, 0, 0) from exc
    except UnidentifiedImageError as exc:
        raise _unsupported(name) from exc
    except OSError as exc:
        if exc.errno is not None:
            raise _unreadable(name, exc) from exc
        raise _damaged_picture(name) from exc
    except Exception as exc:  # a malformed file can make a Pillow plugin raise anything
        raise _damaged_picture(name) from exc


def _frame_loader(image: Image.Image, index: int, name: str) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        try:
            image.seek(index)
            if image.format in ("JPEG", "MPO") and image.width * image.height > 2 * MAX_WORK_PIXELS:
                image.draft("L", (image.width // 2, image.height // 2))  # let libjpeg scale a huge photo down
            image.load()
            return prepare_image(image)
        except TellerError:
            raise
        except Exception as exc:  # truncated data, bad compression, ... in whichever plugin
            raise _damaged_picture(name) from exc

    return load


def _picture_too_large(name: str, width: int, height: int) -> BarcodeImageError:
    size_en = f" ({width} x {height} pixels)" if width else ""
    size_zh = f"（{width} × {height} 像素）" if width else ""
    return BarcodeImageError(
        "image_too_large",
        f"The picture {name} is too large{size_en}; scan at 300 dpi, or take the photo at a lower resolution (12 megapixels is plenty).",
        f"图片 {name} 太大{size_zh}。请以 300 dpi 扫描，或降低分辨率拍照（1200 万像素足够）。",
        name=name,
    )


# --- PDF ---------------------------------------------------------------------------------------------------


@contextmanager
def _pdf_document(path: Path) -> Iterator[Any]:
    """The PDF open in PDFium, from a stream this module opens (PDFium's own file access fails on
    non-ASCII paths on Windows, and a teller's folders often have Chinese names)."""
    name = path.name
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise _unreadable(name, exc) from exc
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(stream, autoclose=True)
        except pdfium.PdfiumError as exc:
            stream.close()
            code = getattr(exc, "err_code", None)
            if code in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
                raise BarcodeImageError(
                    "pdf_password",
                    f"The PDF file {name} is protected by a password; save it without the password, or scan the paper form.",
                    f"PDF 文件 {name} 设有密码保护，请另存为无密码的文件，或直接扫描纸质表单。",
                    name=name,
                ) from exc
            if code == pdfium.raw.FPDF_ERR_FILE:
                raise BarcodeImageError("file_unreadable", f"Cannot read the file {name}.", f"无法读取文件 {name}。", name=name) from exc
            raise _damaged_pdf(name) from exc
        except Exception as exc:  # PDFium's wrapper raises little else, but no raw exception reaches the teller
            stream.close()
            raise _damaged_pdf(name) from exc
    try:
        yield document
    finally:
        with _PDFIUM:
            document.close()


def _damaged_pdf(name: str) -> BarcodeImageError:
    return BarcodeImageError(
        "pdf_damaged",
        f"The PDF file {name} is damaged and cannot be opened; save or scan it again.",
        f"PDF 文件 {name} 已损坏，无法打开，请重新保存或扫描。",
        name=name,
    )


def _read_pdf(path: Path, cancel: threading.Event | None) -> list[str]:
    name = path.name
    with _pdf_document(path) as document:
        with _PDFIUM:
            pages = len(document)
        if pages > MAX_PAGES:
            raise _too_many_pages(name, pages)
        if pages == 0:
            raise _damaged_pdf(name)
        loaders = [_pdf_page_loader(document, index, name) for index in range(pages)]
        return _read_pages(loaders, cancel)


def _pdf_page_loader(document: Any, index: int, name: str) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        with _PDFIUM:
            try:
                picture = _render(document, index)
            except Exception as exc:  # a page PDFium cannot render
                raise _damaged_pdf(name) from exc
        return prepare_image(picture)

    return load


def _render(document: Any, index: int) -> Image.Image:
    """Page ``index`` in grey on white, at :data:`PDF_DPI` or less for very large pages. Hold :data:`_PDFIUM`."""
    page = document[index]
    try:
        width, height = page.get_size()
        scale = PDF_DPI / 72
        if width * height * scale * scale > MAX_PDF_PAGE_PIXELS:
            scale = math.sqrt(MAX_PDF_PAGE_PIXELS / max(width * height, 1.0))
        bitmap = page.render(scale=scale, grayscale=True, fill_color=(255, 255, 255, 255))
        try:
            picture: Image.Image = bitmap.to_pil().convert("L")  # a copy: the bitmap's memory is freed below
        finally:
            bitmap.close()
    finally:
        page.close()
    return picture
