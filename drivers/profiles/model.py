"""The vendor profile as typed, immutable data; :mod:`drivers.profiles.loader` builds it from a ``.toml`` file.

Every field is described for branch IT in this folder's ``README.md``; keep the two in step. Secrets a profile
may carry for training tokens (a default SO PIN, a transport PIN) are left out of ``repr`` so a logged profile
never shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from drivers.profiles.atr import AtrPattern

SCHEMA_VERSION = 1

KeyType = Literal["rsa1024", "rsa2048", "rsa3072", "rsa4096", "ec_p256", "ec_p384", "sm2"]
KEY_TYPES: tuple[KeyType, ...] = get_args(KeyType)

OsName = Literal["windows", "linux", "macos"]
OS_NAMES: tuple[OsName, ...] = get_args(OsName)

PinCharset = Literal["digits", "alphanumeric", "ascii_printable"]
PIN_CHARSETS: tuple[PinCharset, ...] = get_args(PinCharset)

InitialPinPolicy = Literal["random_by_client"]
INITIAL_PIN_POLICIES: tuple[InitialPinPolicy, ...] = get_args(InitialPinPolicy)

TransportPinSource = Literal["none", "stock_record", "default", "so_reset"]
TRANSPORT_PIN_SOURCES: tuple[TransportPinSource, ...] = get_args(TransportPinSource)

SoPinSource = Literal["fixed_per_batch", "default", "derived", "ask_supervisor", "not_needed"]
SO_PIN_SOURCES: tuple[SoPinSource, ...] = get_args(SoPinSource)

Initialisation = Literal["at_counter", "pre_initialised", "either"]
INITIALISATIONS: tuple[Initialisation, ...] = get_args(Initialisation)

LabelCharset = Literal["alphanumeric", "alphanumeric_dash", "ascii_printable", "utf8"]
LABEL_CHARSETS: tuple[LabelCharset, ...] = get_args(LabelCharset)

LabelField = Literal["customer_no", "user_no", "branch_no", "token_serial"]
LABEL_FIELDS: tuple[LabelField, ...] = get_args(LabelField)

SelectBy = Literal["serial", "label"]
SELECT_BY: tuple[SelectBy, ...] = get_args(SelectBy)

DeviceKind = Literal["usb_token", "smart_card", "software"]
DEVICE_KINDS: tuple[DeviceKind, ...] = get_args(DeviceKind)

PKCS11_LABEL_BYTES = 32
"""CK_TOKEN_INFO.label is 32 bytes of UTF-8, blank padded."""


@dataclass(frozen=True)
class LocalisedName:
    """The profile's name as the teller (``zh``) and the logs (``en``) show it."""

    zh: str
    en: str


@dataclass(frozen=True)
class LibraryPaths:
    """Candidate paths of the vendor's PKCS#11 library per OS, first existing one wins; may hold ``%VAR%``/``$VAR``."""

    windows: tuple[str, ...] = ()
    linux: tuple[str, ...] = ()
    macos: tuple[str, ...] = ()

    def for_os(self, os_name: OsName) -> tuple[str, ...]:
        return {"windows": self.windows, "linux": self.linux, "macos": self.macos}[os_name]


@dataclass(frozen=True)
class TokenMatch:
    """Matches a token by CK_TOKEN_INFO ``manufacturerID`` and, optionally, ``model`` (for tokens that are not cards)."""

    manufacturer: str
    model: str | None = None

    @property
    def specificity(self) -> int:
        return 2 if self.model is not None else 1


@dataclass(frozen=True)
class KeyRules:
    """Which key pairs the token holds and makes."""

    types: tuple[KeyType, ...]
    default_type: KeyType
    on_token_keygen: bool
    unsupported: tuple[tuple[KeyType, str], ...] = ()
    """Key types known *not* to work, each with the reason shown in diagnostics (``sm2``: "no SM2 mechanism")."""
    max_key_pairs: int | None = None
    max_certificates: int | None = None

    def supports(self, key_type: KeyType) -> bool:
        return key_type in self.types

    def unsupported_reason(self, key_type: KeyType) -> str | None:
        return dict(self.unsupported).get(key_type)


@dataclass(frozen=True)
class UserPinRules:
    """The rules for the user PIN: what a PIN may look like, how the first one is set, how the token locks."""

    min_length: int
    max_length: int
    charset: PinCharset
    generated_length: int
    initial: InitialPinPolicy = "random_by_client"
    reject_trivial: bool = True
    forbidden: tuple[str, ...] = field(default=(), repr=False)
    max_attempts: int | None = None
    """Wrong PINs before the token locks; ``0`` means it never locks (SoftHSM); ``None`` means unknown."""
    transport: TransportPinSource = "none"
    transport_value: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SoPinRules:
    """Where the security officer PIN (needed to initialise a token or reset its user PIN) comes from."""

    source: SoPinSource
    value: str | None = field(default=None, repr=False)
    derivation: str | None = None


@dataclass(frozen=True)
class TokenRules:
    """How tokens of this vendor are initialised, labelled and found."""

    initialisation: Initialisation
    label_format: str
    label_fields: tuple[LabelField, ...]
    label_max_bytes: int = PKCS11_LABEL_BYTES
    label_charset: LabelCharset = "alphanumeric_dash"
    select_by: tuple[SelectBy, ...] = ("serial", "label")


@dataclass(frozen=True)
class DeviceCaps:
    """What the device itself does, so the UI can tell the teller what to expect."""

    kind: DeviceKind
    button_to_sign: bool = False
    display: bool = False
    pin_pad: bool = False
    confirm_timeout_seconds: int | None = None


@dataclass(frozen=True)
class VendorProfile:
    """Everything the client needs to drive one vendor's UKeys (or a test token)."""

    id: str
    name: LocalisedName
    vendor: str
    verified: bool
    library: LibraryPaths
    atr_patterns: tuple[AtrPattern, ...]
    token_match: tuple[TokenMatch, ...]
    keys: KeyRules
    user_pin: UserPinRules
    so_pin: SoPinRules
    token: TokenRules
    device: DeviceCaps
    priority: int = 0
    notes: str = ""
    schema: int = SCHEMA_VERSION
    source: Path | None = field(default=None, compare=False)
    """The file the profile was read from (for diagnostics), ``None`` when built in code."""
