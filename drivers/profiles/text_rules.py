"""Which characters a PIN or a token label may hold, by the charset names profiles use.

ASCII only where the name says so: ``str.isdigit`` would accept full-width digits (１２３) that a Chinese input
method can produce and that a token compares byte by byte.
"""

from __future__ import annotations

import string

from drivers.profiles.model import LabelCharset, PinCharset

_DIGITS = frozenset(string.digits)
_ALNUM = frozenset(string.ascii_letters + string.digits)
_ALNUM_DASH = _ALNUM | frozenset("-_.")
_PRINTABLE_NO_SPACE = frozenset(chr(c) for c in range(0x21, 0x7F))
_PRINTABLE = _PRINTABLE_NO_SPACE | {" "}

PIN_ALPHABETS: dict[PinCharset, str] = {
    "digits": string.digits,
    "alphanumeric": string.ascii_letters + string.digits,
    "ascii_printable": "".join(sorted(_PRINTABLE_NO_SPACE)),
}
"""What the client draws a random PIN from, per charset."""

_PIN_ALLOWED: dict[PinCharset, frozenset[str]] = {name: frozenset(chars) for name, chars in PIN_ALPHABETS.items()}
_LABEL_ALLOWED: dict[LabelCharset, frozenset[str] | None] = {
    "alphanumeric": _ALNUM,
    "alphanumeric_dash": _ALNUM_DASH,
    "ascii_printable": _PRINTABLE,
    "utf8": None,
}


def pin_charset_ok(pin: str, charset: PinCharset) -> bool:
    return all(c in _PIN_ALLOWED[charset] for c in pin)


def label_charset_problem(text: str, charset: LabelCharset) -> str | None:
    """``None`` when ``text`` fits ``charset``, else which characters do not (never the whole text)."""
    allowed = _LABEL_ALLOWED[charset]
    bad = sorted({c for c in text if (not c.isprintable() if allowed is None else c not in allowed)})
    if not bad:
        return None
    return "not allowed: " + " ".join(repr(c) for c in bad)
