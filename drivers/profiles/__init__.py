"""UKey vendor profiles: what the client needs to know about each vendor's tokens, kept as data.

Each ``*.toml`` file in this folder describes one vendor (or a test token): its PKCS#11 library per OS, the ATRs
of its cards, the key types it makes, its PIN rules, where its SO PIN comes from, how its tokens are labelled and
what the device itself can do. Branch IT may add their own in a folder of their own; ``README.md`` explains every
field. ``python -m drivers.profiles check FILE...`` checks a profile before it goes to a counter.

This package reads files and compares bytes only; it never loads a vendor library (that is ``drivers.pkcs11``).
"""

from __future__ import annotations

from drivers.profiles.atr import MAX_ATR_BYTES, AtrPattern, AtrPatternSyntaxError, format_atr
from drivers.profiles.errors import LABEL_ERROR_CODES, PROFILE_ERROR_CODES, LabelError, LabelErrorCode, ProfileError, ProfileErrorCode
from drivers.profiles.labels import token_label
from drivers.profiles.library import library_candidates, library_path, os_name
from drivers.profiles.loader import SHIPPED_FOLDER, load_folder, load_profile, load_profiles, parse_profile
from drivers.profiles.matching import (
    AtrMatch,
    TokenInfoMatch,
    atr_matches,
    profile_by_id,
    profile_for_atr,
    profile_for_token,
    token_matches,
)
from drivers.profiles.model import (
    KEY_TYPES,
    SCHEMA_VERSION,
    DeviceCaps,
    KeyRules,
    KeyType,
    LibraryPaths,
    LocalisedName,
    SoPinRules,
    TokenMatch,
    TokenRules,
    UserPinRules,
    VendorProfile,
)
from drivers.profiles.pins import PIN_PROBLEMS, PinProblem, generate_pin, is_trivial, validate_pin

__all__ = [
    "KEY_TYPES",
    "LABEL_ERROR_CODES",
    "MAX_ATR_BYTES",
    "PIN_PROBLEMS",
    "PROFILE_ERROR_CODES",
    "SCHEMA_VERSION",
    "SHIPPED_FOLDER",
    "AtrMatch",
    "AtrPattern",
    "AtrPatternSyntaxError",
    "DeviceCaps",
    "KeyRules",
    "KeyType",
    "LabelError",
    "LabelErrorCode",
    "LibraryPaths",
    "LocalisedName",
    "PinProblem",
    "ProfileError",
    "ProfileErrorCode",
    "SoPinRules",
    "TokenInfoMatch",
    "TokenMatch",
    "TokenRules",
    "UserPinRules",
    "VendorProfile",
    "atr_matches",
    "format_atr",
    "generate_pin",
    "is_trivial",
    "library_candidates",
    "library_path",
    "load_folder",
    "load_profile",
    "load_profiles",
    "os_name",
    "parse_profile",
    "profile_by_id",
    "profile_for_atr",
    "profile_for_token",
    "token_label",
    "token_matches",
    "validate_pin",
]
