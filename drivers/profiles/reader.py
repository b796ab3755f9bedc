"""A typed view of one TOML table that knows its key path, so every loading error names the file and the key.

Each getter marks its key as read; :meth:`Table.finish` then rejects any key nobody read, which catches the typos
branch IT will make (``min_lenght``) instead of silently using a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import TypeVar

from drivers.profiles.errors import ProfileError, ProfileErrorCode

T = TypeVar("T", bound=str)


class _Missing(Enum):
    MISSING = "missing"


MISSING = _Missing.MISSING

_TYPE_NAMES: dict[type, str] = {str: "text", bool: "true or false", int: "a whole number", list: "a list", dict: "a table"}


def _type_name(value: object) -> str:
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return type(value).__name__


class Table:
    """One TOML table (``data``) at ``prefix`` (``""`` for the top level) of the file ``path``."""

    def __init__(self, data: Mapping[str, object], *, path: Path | None, prefix: str = "") -> None:
        self._data = data
        self.path = path
        self.prefix = prefix
        self._read: set[str] = set()

    def key(self, name: str) -> str:
        """The dotted key of ``name`` in this table, as error messages show it."""
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, code: ProfileErrorCode, name: str | None, detail: str) -> ProfileError:
        """A :class:`ProfileError` about ``name`` in this table (about the table itself when ``name`` is None)."""
        key = self.key(name) if name is not None else (self.prefix or None)
        return ProfileError(code, detail, path=self.path, key=key)

    def has(self, name: str) -> bool:
        return name in self._data

    def _get(self, name: str, kind: type, default: object) -> object:
        self._read.add(name)
        if name not in self._data:
            if default is MISSING:
                raise self.error("missing_key", name, "this key is required")
            return default
        value = self._data[name]
        if type(value) is not kind:  # exact: TOML's true is not a number
            raise self.error("wrong_type", name, f"expected {_TYPE_NAMES[kind]}, found {_type_name(value)}")
        return value

    def text(self, name: str, default: str | _Missing = MISSING, *, allow_empty: bool = False) -> str:
        value = self._get(name, str, default)
        assert isinstance(value, str)
        if not allow_empty and not value.strip():
            raise self.error("bad_value", name, "must not be empty")
        return value

    def optional_text(self, name: str) -> str | None:
        if self.has(name):
            return self.text(name)
        self._read.add(name)
        return None

    def flag(self, name: str, default: bool | _Missing = MISSING) -> bool:
        value = self._get(name, bool, default)
        assert isinstance(value, bool)
        return value

    def number(self, name: str, default: int | _Missing = MISSING, *, minimum: int, maximum: int) -> int:
        value = self._get(name, int, default)
        assert isinstance(value, int)
        if not minimum <= value <= maximum:
            raise self.error("bad_value", name, f"must be between {minimum} and {maximum}, found {value}")
        return value

    def optional_number(self, name: str, *, minimum: int, maximum: int) -> int | None:
        if self.has(name):
            return self.number(name, minimum=minimum, maximum=maximum)
        self._read.add(name)
        return None

    def choice(self, name: str, choices: tuple[T, ...], default: T | _Missing = MISSING) -> T:
        value = self._get(name, str, default)
        for choice in choices:
            if value == choice:
                return choice
        raise self.error("bad_value", name, f"must be one of {', '.join(choices)}; found {value!r}")

    def texts(self, name: str, default: tuple[str, ...] | _Missing = MISSING) -> list[tuple[str, str]]:
        """A list of text, each with its own key (``match.atr[2]``) for later errors."""
        value = self._get(name, list, list(default) if isinstance(default, tuple) else default)
        assert isinstance(value, list)
        out: list[tuple[str, str]] = []
        for index, item in enumerate(value):
            key = f"{name}[{index}]"
            if type(item) is not str:
                raise self.error("wrong_type", key, f"expected text, found {_type_name(item)}")
            if not item.strip():
                raise self.error("bad_value", key, "must not be empty")
            out.append((key, item))
        return out

    def table(self, name: str, *, required: bool = True) -> Table:
        value = self._get(name, dict, MISSING if required else {})
        assert isinstance(value, dict)
        return Table(value, path=self.path, prefix=self.key(name))

    def tables(self, name: str) -> list[Table]:
        """An array of tables (``[[match.tokens]]`` or ``tokens = [{...}]``); absent means none."""
        value = self._get(name, list, [])
        assert isinstance(value, list)
        out: list[Table] = []
        for index, item in enumerate(value):
            if type(item) is not dict:
                raise self.error("wrong_type", f"{name}[{index}]", f"expected a table, found {_type_name(item)}")
            out.append(Table(item, path=self.path, prefix=self.key(f"{name}[{index}]")))
        return out

    def names(self) -> list[str]:
        """Every key of this table, read or not, in file order (for free-form tables such as ``keys.unsupported``)."""
        self._read.update(self._data)
        return list(self._data)

    def raw(self, name: str) -> object:
        return self._data[name]

    def finish(self) -> None:
        """Reject the first key (in file order) that no getter read."""
        for name in self._data:
            if name not in self._read:
                raise self.error("unknown_key", name, "this key is not part of the profile format (a typo?)")
