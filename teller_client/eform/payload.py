"""The payload string: base32 (no padding) of a zlib stream of UTF-8 text, one or two lines.

Every limit is enforced here, before anything in the text is trusted: the
decompressed size is bounded (a zlib bomb never allocates more than the limit),
the stream must end exactly, the text must be UTF-8 and line 1 a JSON object.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from typing import Any

from teller_client.eform.errors import EformError
from teller_client.eform.symbols import BASE32

MAX_TEXT_BYTES = 64 * 1024
"""At most 64 KiB decompressed."""


@dataclass(frozen=True)
class Payload:
    document_line: bytes
    """Line 1 exactly as it was signed."""
    document: dict[str, Any]
    signature_line: bytes | None
    """Line 2, or ``None`` on an unsigned form."""


def encode_payload(text: str) -> str:
    """The payload string of ``text`` (for the generator)."""
    return base64.b32encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def decode_base32(payload: str) -> bytes:
    if not BASE32.fullmatch(payload) or len(payload) % 8 in (1, 3, 6):
        raise EformError(
            "bad_base32",
            "The e-form barcodes do not hold valid data (base32); the printed form is damaged or not from the bank.",
            "电子填单条码中的数据无效（base32）；纸质表单已损坏或不是本行打印的。",
        )
    try:
        return base64.b32decode(payload + "=" * (-len(payload) % 8))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - the checks above catch these
        raise EformError("bad_base32", "The e-form data is not valid base32.", "电子填单数据不是有效的 base32。") from exc


def inflate(data: bytes, limit: int = MAX_TEXT_BYTES) -> bytes:
    """Decompress one whole zlib stream of at most ``limit`` bytes, never allocating more."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise _bad_zlib() from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise EformError(
            "too_large",
            f"The e-form holds more than {limit // 1024} KiB of data; it is refused.",
            f"电子填单的数据超过 {limit // 1024} KiB，拒绝受理。",
        )
    if not inflater.eof or inflater.unused_data:
        raise _bad_zlib()
    return out


def _bad_zlib() -> EformError:
    return EformError(
        "bad_zlib",
        "The e-form data cannot be unpacked (zlib); the printed form is damaged or not from the bank.",
        "电子填单数据无法解压（zlib）；纸质表单已损坏或不是本行打印的。",
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_text(raw: bytes) -> Payload:
    """Split the decompressed bytes into the document (line 1) and the signature line (line 2)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EformError(
            "bad_utf8",
            f"The e-form text is not valid UTF-8 (byte {exc.start}).",
            f"电子填单文字不是有效的 UTF-8（第 {exc.start} 字节）。",
        ) from exc
    lines = raw.split(b"\n")
    if len(lines) > 2 or not lines[0] or (len(lines) == 2 and not lines[1]):
        raise EformError(
            "bad_format",
            f"The e-form text must be one or two non-empty lines; it has {len(lines)}.",
            f"电子填单文字须为一行或两行非空文字，实有 {len(lines)} 行。",
        )
    try:
        document = json.loads(lines[0].decode("utf-8"), parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        raise EformError(
            "bad_json",
            f"The e-form document is not valid JSON ({exc}).",
            f"电子填单内容不是有效的 JSON（{exc}）。",
        ) from exc
    if not isinstance(document, dict):
        raise EformError("bad_json", "The e-form document is not a JSON object.", "电子填单内容不是 JSON 对象。")
    return Payload(lines[0], document, lines[1] if len(lines) == 2 else None)


def decode_payload(payload: str) -> Payload:
    """Base32 → zlib (bounded) → UTF-8 → lines → JSON."""
    return parse_text(inflate(decode_base32(payload)))
