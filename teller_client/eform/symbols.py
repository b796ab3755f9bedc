"""One symbol text (``EF1:<FORM_ID>:<I>:<N>:<CRC>:<DATA>``): read it as a scanner typed it, or write it."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from teller_client.eform.errors import EformError, NotAnEformError

TAG = "EF1"
MAX_PARTS = 16
MAX_SYMBOL_CHARS = 65536
"""No barcode holds more; a longer text is refused before anything else is done with it."""

FORM_ID = re.compile(r"[A-Z0-9]{1,32}")
_NUMBER = re.compile(r"[0-9]{1,6}")
_CRC = re.compile(r"[0-9A-F]{8}")
BASE32 = re.compile(r"[A-Z2-7]+")
_JUNK = "".join(chr(c) for c in range(0x21)) + "\x7f" + "\x85\xa0\u2028\u2029\ufeff"
"""White space and control characters a scanner adds around the text (CR, LF, TAB, STX, ETX, ...)."""


@dataclass(frozen=True)
class Symbol:
    """One part of one form, as read (normalised: upper case, no surrounding junk)."""

    form_id: str
    index: int
    total: int
    crc: str
    data: str

    @property
    def text(self) -> str:
        return f"{TAG}:{self.form_id}:{self.index}:{self.total}:{self.crc}:{self.data}"


def crc_of(data: str) -> str:
    """The ``CRC`` field for ``DATA``: CRC-32 of its ASCII bytes, 8 upper-case hex digits."""
    return f"{zlib.crc32(data.encode('ascii')) & 0xFFFFFFFF:08X}"


def normalise(text: str) -> str:
    """Strip surrounding white space and control characters, then upper-case."""
    return text.strip(_JUNK).upper()


def is_eform(text: str) -> bool:
    """Whether ``text`` looks like an e-form barcode (so the caller may treat other scans as something else)."""
    return text.lstrip(_JUNK)[:4].upper() == TAG + ":"


def _bad(what_en: str, what_zh: str, part: int | None = None) -> EformError:
    return EformError(
        "bad_format",
        f"The e-form barcode is damaged or not in the EF1 format ({what_en}); scan it again.",
        f"电子填单条码损坏或不是 EF1 格式（{what_zh}），请重新扫描。",
        part=part,
    )


def parse_symbol(text: str) -> Symbol:
    """Read one scanned symbol text; raise :class:`NotAnEformError` or :class:`EformError` when it cannot be used."""
    if len(text) > MAX_SYMBOL_CHARS + 256:
        if not is_eform(text):
            raise NotAnEformError()
        raise EformError(
            "too_large",
            f"The scanned text is longer than any e-form barcode ({len(text)} characters).",
            f"扫描到的文字比任何电子填单条码都长（{len(text)} 个字符）。",
        )
    clean = normalise(text)
    if not clean.startswith(TAG + ":"):
        raise NotAnEformError()
    fields = clean.split(":", 5)
    if len(fields) != 6:
        raise _bad("fewer than six fields", "字段不足六个")
    _, form_id, index_s, total_s, crc, data = fields
    if not FORM_ID.fullmatch(form_id):
        raise _bad("the form number must be 1 to 32 letters or digits", "表单编号须为 1 到 32 位字母或数字")
    if not (_NUMBER.fullmatch(index_s) and _NUMBER.fullmatch(total_s)):
        raise _bad("the part number and count must be numbers", "分段序号和分段数须为数字")
    index, total = int(index_s), int(total_s)
    if total > MAX_PARTS:
        raise EformError(
            "too_many_parts",
            f"Form {form_id} says it has {total} barcodes; at most {MAX_PARTS} are allowed.",
            f"表单 {form_id} 声称有 {total} 个条码，最多只允许 {MAX_PARTS} 个。",
        )
    if not 1 <= index <= total:
        raise _bad(f"part {index} of {total}", f"第 {index} 段，共 {total} 段")
    if not _CRC.fullmatch(crc):
        raise _bad("the check code must be 8 hexadecimal digits", "校验码须为 8 位十六进制数", part=index)
    if not data:
        raise _bad("the part holds no data", "该段没有数据", part=index)
    if len(data) > MAX_SYMBOL_CHARS:
        raise EformError(
            "too_large",
            f"Part {index} of form {form_id} holds more data than any e-form barcode ({len(data)} characters).",
            f"表单 {form_id} 第 {index} 段的数据比任何电子填单条码都多（{len(data)} 个字符）。",
            part=index,
        )
    if not data.isascii() or crc_of(data) != crc:
        raise EformError(
            "crc_mismatch",
            f"Barcode {index} of {total} of form {form_id} was misread (check code mismatch); scan it again.",
            f"表单 {form_id} 的第 {index}/{total} 个条码读取有误（校验码不符），请重新扫描该条码。",
            part=index,
        )
    if not BASE32.fullmatch(data):
        raise EformError(
            "bad_base32",
            f"Barcode {index} of {total} of form {form_id} holds characters that are not allowed (only A-Z and 2-7).",
            f"表单 {form_id} 的第 {index}/{total} 个条码含有不允许的字符（只能是 A-Z 和 2-7）。",
            part=index,
        )
    return Symbol(form_id, index, total, crc, data)


def make_symbol(form_id: str, index: int, total: int, data: str) -> str:
    """The text of one symbol (for the generator)."""
    return Symbol(form_id, index, total, crc_of(data), data).text
