"""Plain data the driver hands out: tokens, key pairs, certificates. No I/O, no python-pkcs11 objects.

A :class:`TokenInfo` is a *reference*: it names a token by serial and label; the slot it was seen in is not
part of it (slots renumber), and a connection finds the token again by serial or label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

KeyAlgorithm = Literal["rsa2048", "ec_p256"]
"""Key pairs the driver makes on a token; vendor profiles list the ones their tokens support."""

KEY_ALGORITHMS: tuple[KeyAlgorithm, ...] = get_args(KeyAlgorithm)

# CK_TOKEN_INFO.flags
CKF_WRITE_PROTECTED = 1 << 1
CKF_LOGIN_REQUIRED = 1 << 2
CKF_USER_PIN_INITIALIZED = 1 << 3
CKF_PROTECTED_AUTHENTICATION_PATH = 1 << 8
CKF_TOKEN_INITIALIZED = 1 << 10
CKF_USER_PIN_COUNT_LOW = 1 << 16
CKF_USER_PIN_FINAL_TRY = 1 << 17
CKF_USER_PIN_LOCKED = 1 << 18
CKF_USER_PIN_TO_BE_CHANGED = 1 << 19
CKF_SO_PIN_LOCKED = 1 << 22


@dataclass(frozen=True)
class LibraryInfo:
    """What a loaded PKCS#11 module says about itself (``C_GetInfo``)."""

    path: str
    manufacturer: str
    description: str
    cryptoki_version: tuple[int, int]
    library_version: tuple[int, int]


@dataclass(frozen=True)
class TokenInfo:
    """One token as listed (``C_GetTokenInfo``). Memory figures are ``None`` where the token does not report them."""

    label: str
    serial: str
    manufacturer: str
    model: str
    slot_description: str  # for smart-card modules, the reader's name
    flags: int
    min_pin_length: int | None = None
    max_pin_length: int | None = None
    total_public_memory: int | None = None
    free_public_memory: int | None = None
    total_private_memory: int | None = None
    free_private_memory: int | None = None
    hardware_version: tuple[int, int] = (0, 0)
    firmware_version: tuple[int, int] = (0, 0)

    @property
    def initialised(self) -> bool:
        return bool(self.flags & CKF_TOKEN_INITIALIZED)

    @property
    def user_pin_initialised(self) -> bool:
        """False on a blank UKey from the vault: initialised with an SO PIN, no user PIN yet."""
        return bool(self.flags & CKF_USER_PIN_INITIALIZED)

    @property
    def login_required(self) -> bool:
        return bool(self.flags & CKF_LOGIN_REQUIRED)

    @property
    def protected_authentication_path(self) -> bool:
        """The PIN is entered on the device (PIN pad), not given by the client."""
        return bool(self.flags & CKF_PROTECTED_AUTHENTICATION_PATH)

    @property
    def write_protected(self) -> bool:
        return bool(self.flags & CKF_WRITE_PROTECTED)

    @property
    def user_pin_count_low(self) -> bool:
        return bool(self.flags & CKF_USER_PIN_COUNT_LOW)

    @property
    def user_pin_final_try(self) -> bool:
        return bool(self.flags & CKF_USER_PIN_FINAL_TRY)

    @property
    def user_pin_locked(self) -> bool:
        return bool(self.flags & CKF_USER_PIN_LOCKED)

    @property
    def user_pin_to_be_changed(self) -> bool:
        return bool(self.flags & CKF_USER_PIN_TO_BE_CHANGED)

    @property
    def so_pin_locked(self) -> bool:
        return bool(self.flags & CKF_SO_PIN_LOCKED)


@dataclass(frozen=True)
class KeyPairInfo:
    """A private key on the token with its public half.

    ``public_key_info`` is the DER ``SubjectPublicKeyInfo`` (from the public key object, or for RSA from the
    private key's public attributes); ``None`` when the token holds neither (an EC private key alone).
    ``algorithm`` is a :data:`KeyAlgorithm` or a description of another kind of key (``"rsa1024"``, ``"ec"``).
    """

    key_id: bytes
    label: str
    algorithm: str
    public_key_info: bytes | None = field(repr=False)
    has_public_key_object: bool = True


@dataclass(frozen=True)
class PrivateKeyAttributes:
    """The protection attributes of a private key, as the token reports them."""

    sensitive: bool
    extractable: bool
    always_sensitive: bool | None
    never_extractable: bool | None
    local: bool | None  # generated on the token
    token: bool
    private: bool
    can_sign: bool
    can_decrypt: bool


@dataclass(frozen=True)
class CertificateInfo:
    """An X.509 certificate object on the token."""

    key_id: bytes
    label: str
    der: bytes = field(repr=False)


@dataclass(frozen=True)
class TokenContents:
    """What a logged-in look at a token finds: its info, key pairs and certificates."""

    info: TokenInfo
    key_pairs: tuple[KeyPairInfo, ...]
    certificates: tuple[CertificateInfo, ...]
