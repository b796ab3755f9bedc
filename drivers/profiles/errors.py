"""The vendor-profile errors, each with a stable code the client maps to a bilingual message.

``drivers/`` never imports ``teller_client``, so these are not ``TellerError``s; the client translates them by
``code``, never by parsing the English message. A :class:`ProfileError` names the file and, where there is one,
the key (``user_pin.min_length``, ``match.atr[1]``) so branch IT can fix a profile they wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

ProfileErrorCode = Literal[
    "unreadable",  # the file cannot be read or is not UTF-8
    "bad_toml",  # the file is not valid TOML (the message gives line and column)
    "missing_key",  # a required key is absent
    "unknown_key",  # a key the schema does not know (usually a typo)
    "wrong_type",  # a value of the wrong TOML type (text where a number belongs, ...)
    "bad_value",  # a value of the right type outside what is allowed
    "unknown_key_type",  # a key type that is not one of KEY_TYPES
    "bad_atr_pattern",  # an ATR pattern that cannot be parsed
    "bad_library_path",  # a PKCS#11 library candidate that is not an absolute path
    "bad_label_format",  # a token label format that does not parse or names an unknown field
    "inconsistent",  # values that contradict each other (a default key type that is not supported, ...)
    "duplicate_id",  # two files in one folder declare the same profile id
    "not_a_folder",  # a profile folder that exists but is not a directory
]

PROFILE_ERROR_CODES: tuple[ProfileErrorCode, ...] = get_args(ProfileErrorCode)

LabelErrorCode = Literal[
    "missing_field",  # the label format needs a field the caller did not give
    "too_long",  # the label is longer than the profile allows (counted in UTF-8 bytes)
    "invalid_chars",  # the label has characters outside the profile's label charset
    "empty",  # the label came out empty
]

LABEL_ERROR_CODES: tuple[LabelErrorCode, ...] = get_args(LabelErrorCode)


class ProfileError(Exception):
    """A vendor profile could not be loaded.

    ``code`` is one of :data:`PROFILE_ERROR_CODES` and stays stable across releases; ``message`` is plain English
    for logs and for branch IT, and starts with the file and the key; ``path`` is the file (or folder); ``key`` is
    the dotted key inside the file, ``None`` when the problem is the whole file (unreadable, bad TOML).
    """

    def __init__(self, code: ProfileErrorCode, detail: str, *, path: Path | None, key: str | None = None) -> None:
        where = ": ".join(part for part in (str(path) if path is not None else None, f"key '{key}'" if key else None) if part)
        message = f"{where}: {detail}" if where else detail
        super().__init__(message)
        self.code: ProfileErrorCode = code
        self.message = message
        self.detail = detail
        self.path = path
        self.key = key

    def __repr__(self) -> str:
        return f"ProfileError(code={self.code!r}, path={self.path!r}, key={self.key!r}, detail={self.detail!r})"


class LabelError(ValueError):
    """A token label cannot be made from the given fields under the profile's rules.

    ``code`` is one of :data:`LABEL_ERROR_CODES`; ``message`` is plain English; ``label`` is the label as formatted
    (``None`` when a field was missing); ``profile_id`` names the profile.
    """

    def __init__(self, code: LabelErrorCode, message: str, *, profile_id: str, label: str | None = None) -> None:
        super().__init__(message)
        self.code: LabelErrorCode = code
        self.message = message
        self.profile_id = profile_id
        self.label = label

    def __repr__(self) -> str:
        return f"LabelError(code={self.code!r}, profile_id={self.profile_id!r}, message={self.message!r})"
