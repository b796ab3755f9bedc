"""ATR patterns: the pcsc-tools ``smartcard_list.txt`` notation, with an optional OpenSC-style mask.

A pattern is hex bytes separated by spaces or colons (``3B 8F 80 01 ..`` or ``3B:8F:80:01``); a ``.`` stands
for one hex digit that may be anything, so ``..`` is a wildcard byte and ``0.`` fixes the high nibble only. A
pattern may end with ``/`` and a mask of the same length (``3B 9F 95 / FF FF 00``): a bit the mask clears is not
compared. A pattern matches an ATR of exactly its length whose compared bits are equal. Its *specificity* is the
number of compared bits; where several profiles match one ATR the most specific pattern wins (see
:mod:`drivers.profiles.matching`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ATR_BYTES = 33
"""ISO/IEC 7816-3: TS plus at most 32 bytes."""

_SEPARATORS = re.compile(r"[\s:]+")
_HEX_OR_DOT = re.compile(r"[0-9A-Fa-f.]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")


class AtrPatternSyntaxError(ValueError):
    """The text is not an ATR pattern; the message says why (the loader adds the file and the key)."""


@dataclass(frozen=True)
class AtrPattern:
    """One compiled ATR pattern: ``value`` and ``mask`` have the same length; ``text`` is what the profile says."""

    text: str
    value: bytes
    mask: bytes

    @classmethod
    def parse(cls, text: str) -> AtrPattern:
        """Compile ``text``; raises :class:`AtrPatternSyntaxError`."""
        body, slash, mask_text = text.partition("/")
        digits = _SEPARATORS.sub("", body)
        if not digits:
            raise AtrPatternSyntaxError("the pattern is empty")
        if not _HEX_OR_DOT.fullmatch(digits):
            raise AtrPatternSyntaxError("only hex digits, '.' wildcards, spaces or colons and one '/' before a mask are allowed")
        if len(digits) % 2:
            raise AtrPatternSyntaxError("the pattern has an odd number of hex digits; every byte needs two")
        size = len(digits) // 2
        if size > MAX_ATR_BYTES:
            raise AtrPatternSyntaxError(f"the pattern is {size} bytes long; an ATR has at most {MAX_ATR_BYTES}")
        value_hex = digits.replace(".", "0")
        mask_hex = "".join("0" if c == "." else "F" for c in digits)
        value = bytes.fromhex(value_hex)
        mask = bytes.fromhex(mask_hex)
        if slash:
            explicit = _SEPARATORS.sub("", mask_text)
            if not explicit or not _HEX.fullmatch(explicit) or len(explicit) % 2:
                raise AtrPatternSyntaxError("the mask after '/' must be hex bytes")
            if len(explicit) != len(digits):
                raise AtrPatternSyntaxError(f"the mask is {len(explicit) // 2} bytes long but the pattern is {size}")
            mask = bytes(a & b for a, b in zip(mask, bytes.fromhex(explicit), strict=True))
        if value[0] & mask[0] not in (0x3B & mask[0], 0x3F & mask[0]):
            raise AtrPatternSyntaxError("an ATR starts with 3B (direct convention) or 3F (inverse convention)")
        return cls(text=text, value=bytes(v & m for v, m in zip(value, mask, strict=True)), mask=mask)

    @property
    def specificity(self) -> int:
        """How many bits of the ATR this pattern compares; more is more specific."""
        return sum(bin(byte).count("1") for byte in self.mask)

    def matches(self, atr: bytes) -> bool:
        """Whether ``atr`` (the raw bytes a reader reports) fits this pattern."""
        if len(atr) != len(self.value):
            return False
        return all(a & m == v for a, m, v in zip(atr, self.mask, self.value, strict=True))


def format_atr(atr: bytes) -> str:
    """``3B 95 13 ...``: the way readers, pcsc-tools and this folder's profiles write an ATR."""
    return atr.hex(" ").upper()
