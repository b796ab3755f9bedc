"""Barcodes read from a file: a scanned form, a phone photo or a PDF (e-form parts, business licence QR codes).

The public entry points and the handling of files. Pictures are opened with Pillow (only
the formats named here; every page of a multi-page TIFF), turned upright (EXIF
orientation), composited on white, made grey and scaled down when huge; PDF pages are
rendered on white with PDFium at 300 dpi, one call into PDFium at a time. Files too
large or too long are refused before their pages are decoded.

Every QR and PDF417 symbol of every page is decoded (see
:mod:`teller_client.eform.barcode_pages` for how, with rotated retries for skewed
PDF417) and the texts are returned once each, in page and reading order.

Refusals are :class:`BarcodeImageError` with a stable ``code``, in words a teller
understands (see :mod:`teller_client.eform.image_errors`). No Qt here.
"""

from __future__ import annotations

import errno
import logging
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PIL import Image, ImageOps, UnidentifiedImageError

from teller_client.eform.barcode_pages import MAX_ROTATIONS, check_cancel, read_pages
from teller_client.eform.image_errors import BarcodeImageError, file_unreadable, image_too_large, refusal
from teller_client.errors import TellerError

__all__ = [
    "MAX_PAGES",
    "MAX_PDF_PAGE_PIXELS",
    "MAX_ROTATIONS",
    "MAX_SOURCE_PIXELS",
    "MAX_WORK_PIXELS",
    "PDF_DPI",
    "BarcodeImageError",
    "prepare_image",
    "read_barcodes_from_file",
    "read_barcodes_from_image",
]

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

_IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "GIF", "WEBP")
"""Picture formats Pillow may open here (never EPS and the like, which run external programs)."""
_PICTURE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"BM", b"II*\x00", b"MM\x00*", b"GIF8", b"RIFF")
_MULTI_PAGE_FORMATS = frozenset({"TIFF"})
"""Formats whose frames are pages (an MPO's second frame, a GIF's animation are not)."""

_PDFIUM = threading.Lock()
"""PDFium is not thread-safe: every call into it holds this lock."""


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
    check_cancel(cancel)
    prepared = prepare_image(image)
    return read_pages([lambda: prepared], cancel)


# --- files -------------------------------------------------------------------------------------------------


def read_barcodes_from_file(path: Path, *, cancel: threading.Event | None = None) -> list[str]:
    """The texts of every QR and PDF417 symbol in an image file (PNG, JPEG, BMP, TIFF with any number of pages,
    GIF, WebP) or a PDF, once each, in page and reading order.

    Refuses (:class:`BarcodeImageError`) a file that cannot be read, is not a picture or PDF, is damaged,
    password-protected, too large or too long, and a file with no barcode at all (``no_barcode``).
    Raises :class:`~teller_client.errors.CancelledError` when ``cancel`` is set.
    """
    name = path.name
    check_cancel(cancel)
    try:
        if path.exists() and not path.is_file():  # a folder, or a pipe that would block the read
            raise IsADirectoryError(errno.EISDIR, "not a regular file")
        with path.open("rb") as stream:
            head = stream.read(1024)
    except OSError as exc:
        raise file_unreadable(name, exc) from exc
    if not head:
        raise refusal("file_empty", name)
    texts = _read_pdf(path, cancel) if _is_pdf(head) else _read_picture(path, cancel)
    if not texts:
        raise refusal("no_barcode", name)
    return texts


def _is_pdf(head: bytes) -> bool:
    """PDF readers accept the header anywhere in the first 1024 bytes; a picture's own signature wins."""
    return b"%PDF-" in head and not head.startswith(_PICTURE_SIGNATURES)


def _read_picture(path: Path, cancel: threading.Event | None) -> list[str]:
    name = path.name
    try:
        with Image.open(path, formats=_IMAGE_FORMATS) as image:
            width, height = image.size
            if width * height > MAX_SOURCE_PIXELS:
                raise image_too_large(name, width, height)
            frames = int(getattr(image, "n_frames", 1)) if image.format in _MULTI_PAGE_FORMATS else 1
            if frames > MAX_PAGES:
                raise refusal("too_many_pages", name, pages=frames, limit=MAX_PAGES)
            loaders = [_frame_loader(image, index, name) for index in range(frames)]
            return read_pages(loaders, cancel)
    except TellerError:
        raise
    except Image.DecompressionBombError as exc:
        raise image_too_large(name) from exc
    except UnidentifiedImageError as exc:
        raise refusal("file_unsupported", name) from exc
    except OSError as exc:
        if exc.errno is not None:
            raise file_unreadable(name, exc) from exc
        raise refusal("image_damaged", name) from exc
    except Exception as exc:  # a malformed file can make a Pillow plugin raise anything
        raise refusal("image_damaged", name) from exc


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
            raise refusal("image_damaged", name) from exc

    return load


# --- PDF ---------------------------------------------------------------------------------------------------


@contextmanager
def _pdf_document(path: Path) -> Iterator[Any]:
    """The PDF open in PDFium, from a stream this module opens (PDFium's own file access fails on
    non-ASCII paths on Windows, and a teller's folders often have Chinese names)."""
    name = path.name
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise file_unreadable(name, exc) from exc
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(stream, autoclose=True)
        except pdfium.PdfiumError as exc:
            stream.close()
            code = getattr(exc, "err_code", None)
            if code in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
                raise refusal("pdf_password", name) from exc
            if code == pdfium.raw.FPDF_ERR_FILE:
                raise file_unreadable(name) from exc
            raise refusal("pdf_damaged", name) from exc
        except Exception as exc:  # PDFium's wrapper raises little else, but no raw exception reaches the teller
            stream.close()
            raise refusal("pdf_damaged", name) from exc
    try:
        yield document
    finally:
        with _PDFIUM:
            document.close()


def _read_pdf(path: Path, cancel: threading.Event | None) -> list[str]:
    name = path.name
    with _pdf_document(path) as document:
        with _PDFIUM:
            pages = len(document)
        if pages > MAX_PAGES:
            raise refusal("too_many_pages", name, pages=pages, limit=MAX_PAGES)
        if pages == 0:
            raise refusal("pdf_damaged", name)
        loaders = [_pdf_page_loader(document, index, name) for index in range(pages)]
        return read_pages(loaders, cancel)


def _pdf_page_loader(document: Any, index: int, name: str) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        with _PDFIUM:
            try:
                picture = _render(document, index)
            except Exception as exc:  # a page PDFium cannot render
                raise refusal("pdf_damaged", name) from exc
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
