"""The refusals of reading barcodes from a file: :class:`BarcodeImageError` and its messages, one a code.

Codes are stable; each message says in English and Chinese, in words a teller understands,
what is wrong with the file and what to do. Messages use ``{placeholders}``, ``{name}``
always the file's name. No Qt here.
"""

from __future__ import annotations

import errno

from teller_client.eform.errors import EformError

_MESSAGES: dict[str, tuple[str, str]] = {
    "file_unreadable": ("Cannot read the file {name}{why_en}.", "无法读取文件 {name}{why_zh}。"),
    "file_empty": ("The file {name} is empty.", "文件 {name} 是空的（0 字节）。"),
    "file_unsupported": (
        "{name} is not a picture or PDF file the client can read; save the scan as PDF, PNG, JPEG, BMP or TIFF.",
        "{name} 不是本系统能读取的图片或 PDF 文件，请将扫描件保存为 PDF、PNG、JPEG、BMP 或 TIFF 格式。",
    ),
    "no_barcode": (
        "No barcode found in {name}; scan the form at 300 dpi, or take the photo with the form flat, in focus and filling the picture.",
        "在 {name} 中未找到条码。请以 300 dpi 扫描表单，或将表单放平、对准焦距、使其占满画面后重新拍照。",
    ),
    "too_many_pages": (
        "{name} has {pages} pages; at most {limit} are read. Scan only the pages with the barcodes.",
        "{name} 共 {pages} 页，最多读取 {limit} 页。请只扫描带条码的页。",
    ),
    "image_damaged": (
        "The picture {name} is damaged or incomplete; scan or photograph the form again.",
        "图片 {name} 已损坏或不完整，请重新扫描或拍照。",
    ),
    "image_too_large": (
        "The picture {name} is too large{size_en}; scan at 300 dpi, or take the photo at a lower resolution (12 megapixels is plenty).",
        "图片 {name} 太大{size_zh}。请以 300 dpi 扫描，或降低分辨率拍照（1200 万像素足够）。",
    ),
    "pdf_password": (
        "The PDF file {name} is protected by a password; save it without the password, or scan the paper form.",
        "PDF 文件 {name} 设有密码保护，请另存为无密码的文件，或直接扫描纸质表单。",
    ),
    "pdf_damaged": (
        "The PDF file {name} is damaged and cannot be opened; save or scan it again.",
        "PDF 文件 {name} 已损坏，无法打开，请重新保存或扫描。",
    ),
}
"""Code → (English, Chinese) message."""

_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("it does not exist", "文件不存在"),
    errno.EACCES: ("permission denied", "没有读取权限"),
    errno.EPERM: ("permission denied", "没有读取权限"),
    errno.EISDIR: ("it is not a file", "这不是文件"),
}
"""Why a file cannot be read, by ``errno``: (English, Chinese)."""


class BarcodeImageError(EformError):
    """A file could not be read for barcodes, or holds none; ``code`` says why, ``name`` which file."""

    def __init__(self, code: str, message_en: str, message_zh: str, *, name: str) -> None:
        super().__init__(code, message_en, message_zh)
        self.name = name


def refusal(code: str, name: str, **values: object) -> BarcodeImageError:
    """The refusal ``code`` (a key of :data:`_MESSAGES`) of the file ``name``, its message filled with ``values``."""
    en, zh = _MESSAGES[code]
    return BarcodeImageError(code, en.format(name=name, **values), zh.format(name=name, **values), name=name)


def file_unreadable(name: str, exc: OSError | None = None) -> BarcodeImageError:
    """The file cannot be read; why, when ``exc`` is given."""
    if exc is None:
        return refusal("file_unreadable", name, why_en="", why_zh="")
    why_en, why_zh = _REASONS.get(exc.errno or 0, (exc.strerror or "read error", "读取出错"))
    return refusal("file_unreadable", name, why_en=f": {why_en}", why_zh=f"：{why_zh}")


def image_too_large(name: str, width: int = 0, height: int = 0) -> BarcodeImageError:
    """The picture has too many pixels; its size is told when known (``width`` not 0)."""
    size_en = f" ({width} x {height} pixels)" if width else ""
    size_zh = f"（{width} × {height} 像素）" if width else ""
    return refusal("image_too_large", name, size_en=size_en, size_zh=size_zh)
