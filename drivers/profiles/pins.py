"""User PIN rules from a profile: check a PIN, and make the random one the client sets on a new token.

The client never uses default PINs: a token gets a random user PIN that is printed on the password letter and
never stored. :func:`validate_pin` returns problem *codes* (``too_short``, ...), which the client turns into a
bilingual message; it never echoes the PIN.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from typing import Literal, get_args

from drivers.profiles.model import PinCharset, VendorProfile
from drivers.profiles.text_rules import PIN_ALPHABETS, pin_charset_ok

PinProblem = Literal[
    "empty",  # no PIN at all
    "too_short",  # fewer characters than user_pin.min_length
    "too_long",  # more characters than user_pin.max_length
    "invalid_chars",  # a character outside user_pin.charset (full-width digits, spaces, letters in a digits-only PIN)
    "trivial",  # all one character (000000), a straight run (123456, 654321, abcdef) or two alternating (121212)
    "forbidden",  # listed in user_pin.forbidden
]
PIN_PROBLEMS: tuple[PinProblem, ...] = get_args(PinProblem)

_AMBIGUOUS = frozenset("0O1lI|`'\" ")
GENERATION_ALPHABETS: dict[PinCharset, str] = {
    "digits": PIN_ALPHABETS["digits"],
    "alphanumeric": "".join(c for c in PIN_ALPHABETS["alphanumeric"] if c not in _AMBIGUOUS),
    "ascii_printable": "".join(c for c in PIN_ALPHABETS["ascii_printable"] if c not in _AMBIGUOUS),
}
"""What a generated PIN is drawn from: beyond digits, without characters a customer misreads on a printed letter."""


def is_trivial(pin: str) -> bool:
    """All one character, a straight run up or down (``123456``, ``654321``, ``abcdef``), or two alternating (``121212``)."""
    if len(pin) < 2:
        return False
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {-1}):
        return True
    return len(pin) >= 4 and len(set(pin)) == 2 and all(pin[i] == pin[i % 2] for i in range(len(pin)))


def validate_pin(profile: VendorProfile, pin: str) -> list[PinProblem]:
    """Every rule of ``profile.user_pin`` that ``pin`` breaks, as codes in :data:`PIN_PROBLEMS` order; empty when fine."""
    rules = profile.user_pin
    if not pin:
        return ["empty"]
    problems: list[PinProblem] = []
    if len(pin) < rules.min_length:
        problems.append("too_short")
    if len(pin) > rules.max_length:
        problems.append("too_long")
    if not pin_charset_ok(pin, rules.charset):
        problems.append("invalid_chars")
    if rules.reject_trivial and is_trivial(pin):
        problems.append("trivial")
    if pin in rules.forbidden:
        problems.append("forbidden")
    return problems


def generate_pin(profile: VendorProfile, *, choice: Callable[[str], str] = secrets.choice) -> str:
    """A random user PIN of ``user_pin.generated_length`` that passes :func:`validate_pin` (``choice`` is for tests)."""
    rules = profile.user_pin
    alphabet = GENERATION_ALPHABETS[rules.charset]
    for _ in range(1000):
        pin = "".join(choice(alphabet) for _ in range(rules.generated_length))
        if not validate_pin(profile, pin):
            return pin
    raise RuntimeError(f"profile {profile.id}: no acceptable random PIN in 1000 draws; check user_pin.forbidden and the lengths")
