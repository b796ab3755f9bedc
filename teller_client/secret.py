"""A secret (PIN, initial password, authorization code) that is never shown, logged or stored.

The value lives in a ``bytearray`` that :meth:`Secret.wipe` overwrites with
zeros; ``repr``/``str``/format print a mask, the object cannot be pickled or
compared by value, and a ``with`` block wipes it on the way out. Python
strings cannot be wiped, so :meth:`reveal` should be used only at the last
moment (handing the value to a PKCS#11 call or a letter layout) and its
result dropped at once.
"""

from __future__ import annotations

import hmac
from types import TracebackType
from typing import Any, NoReturn

SECRET_FIELD_NAMES = (
    "password", "passwd", "pin", "user_pin", "so_pin", "initial_password",
    "authorization_code", "auth_code", "token", "witness_token", "secret",
)  # fmt: skip
"""Field names whose values are secrets: masked in logs, refused by the journal and the store."""


def secret_fields(data: Any, path: str = "") -> list[str]:
    """Paths of fields in ``data`` (nested dicts and lists) named like a secret or holding a :class:`Secret`."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}/{key}"
            if str(key).lower() in SECRET_FIELD_NAMES or isinstance(value, Secret):
                found.append(here)
            else:
                found.extend(secret_fields(value, here))
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            found.extend(secret_fields(value, f"{path}/{i}"))
    elif isinstance(data, Secret):
        found.append(path or "/")
    return found


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str | bytes | bytearray) -> None:
        self._value: bytearray | None = None
        if not isinstance(value, (str, bytes, bytearray)):
            raise TypeError(f"a Secret holds text or bytes, not {type(value).__name__}")
        data = value.encode("utf-8") if isinstance(value, str) else value
        self._value = bytearray(data)
        if isinstance(value, bytearray):
            value[:] = b"\0" * len(value)  # the caller's buffer is ours now

    def reveal(self) -> str:
        if self._value is None:
            raise ValueError("secret already wiped")
        return self._value.decode("utf-8")

    def reveal_bytes(self) -> bytes:
        if self._value is None:
            raise ValueError("secret already wiped")
        return bytes(self._value)

    def lend(self) -> bytearray:
        """A copy in a ``bytearray`` for a call that takes bytes (a PKCS#11 PIN); the borrower wipes it after."""
        if self._value is None:
            raise ValueError("secret already wiped")
        return bytearray(self._value)

    def matches(self, other: Secret) -> bool:
        """Constant-time comparison with another secret."""
        return hmac.compare_digest(self.reveal_bytes(), other.reveal_bytes())

    @property
    def wiped(self) -> bool:
        return self._value is None

    def __len__(self) -> int:
        return 0 if self._value is None else len(self._value)

    def wipe(self) -> None:
        if self._value is not None:
            self._value[:] = b"\0" * len(self._value)
            self._value = None

    def __enter__(self) -> Secret:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.wipe()

    def __del__(self) -> None:
        self.wipe()

    def __repr__(self) -> str:
        return "Secret(******)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "******"

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled or copied to disk")
