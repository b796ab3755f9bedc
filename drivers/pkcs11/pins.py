"""PINs: accepted as ``bytes``, ``bytearray`` or ``str``; handed to the module without copies where possible.

A ``bytearray`` is lent to the library in place (``ctypes`` ``from_buffer``), so the caller can :func:`wipe` it
when done; ``bytes`` are lent in place too (but cannot be wiped); a ``str`` is encoded as UTF-8 into a temporary
``bytearray`` that is wiped after the call (the ``str`` itself stays the caller's). PINs never reach a log or an
exception text: functions here only say *that* a PIN is unacceptable, never what it is.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeAlias

from drivers.pkcs11.errors import Pkcs11Error

Pin: TypeAlias = bytes | bytearray | str


def wipe(buffer: bytearray) -> None:
    """Overwrite a PIN buffer with zeros (its length is kept)."""
    buffer[:] = bytes(len(buffer))


def pin_length(pin: Pin) -> int:
    """The PIN's length in bytes as the module sees it (UTF-8 for a ``str``)."""
    if isinstance(pin, str):
        return len(pin.encode("utf-8"))
    if isinstance(pin, bytes | bytearray):
        return len(pin)
    raise TypeError("a PIN is bytes, bytearray or str")


def check_pin(pin: Pin, *, min_length: int | None = None, max_length: int | None = None, operation: str | None = None) -> None:
    """Raise ``pin_invalid`` for an empty PIN, or one outside the token's length limits, before it reaches the token.

    Checking first saves a try on tokens that count a wrong-length PIN as a wrong PIN.
    """
    length = pin_length(pin)
    if length == 0:
        raise Pkcs11Error("pin_invalid", "The PIN is empty.", operation=operation)
    if min_length is not None and max_length is not None and min_length > max_length:
        return  # the token reports nonsense limits: let it decide
    if min_length is not None and length < min_length:
        raise Pkcs11Error("pin_invalid", f"The PIN is shorter than the token's minimum of {min_length}.", operation=operation)
    if max_length is not None and length > max_length:
        raise Pkcs11Error("pin_invalid", f"The PIN is longer than the token's maximum of {max_length}.", operation=operation)


PinArgument: TypeAlias = "ctypes.Array[ctypes.c_ubyte] | bytes | None"
"""What :func:`pin_buffer` lends: a ctypes array over the caller's ``bytearray``, the caller's ``bytes``, or NULL."""


@contextmanager
def pin_buffer(pin: Pin) -> Iterator[tuple[PinArgument, int]]:
    """Lend the PIN to a C call (a ``c_void_p`` argument) with its length; a temporary copy (``str`` only) is wiped after."""
    owned: bytearray | None = None
    if isinstance(pin, str):
        owned = bytearray(pin, "utf-8")
        source: bytes | bytearray = owned
    elif isinstance(pin, bytes | bytearray):
        source = pin
    else:
        raise TypeError("a PIN is bytes, bytearray or str")
    length = len(source)
    array: ctypes.Array[ctypes.c_ubyte] | None = None
    try:
        if length == 0:
            yield None, 0
        elif isinstance(source, bytearray):
            array = (ctypes.c_ubyte * length).from_buffer(source)
            yield array, length
        else:
            yield source, length
    finally:
        del array  # release the buffer export so the caller may resize the bytearray
        if owned is not None:
            wipe(owned)
