"""PKCS#11 tokens (UKeys, SoftHSM): the only package that imports python-pkcs11.

Load a vendor's module with :class:`Pkcs11Library` (one per module path per process), list its tokens
(:class:`TokenInfo`: references, no I/O), and open a :class:`Connection` to one token by serial or label. A
connection logs in, makes key pairs on the token (RSA-2048, EC P-256), builds PKCS#10 requests the token signs,
stores and reads certificates, changes PINs. Every failure is a :class:`Pkcs11Error` with a stable ``code``.
PINs are ``bytes``, ``bytearray`` (wipe it after: :func:`wipe`) or ``str``, and never reach a log or a message.
"""

from __future__ import annotations

from drivers.pkcs11.connection import Connection
from drivers.pkcs11.csr import build_csr, build_name, ecdsa_signature_to_der
from drivers.pkcs11.error_map import error_for_exception, error_for_rv, pin_attempts
from drivers.pkcs11.errors import ERROR_CODES, Pkcs11Error, Pkcs11ErrorCode
from drivers.pkcs11.library import Pkcs11Library
from drivers.pkcs11.model import (
    KEY_ALGORITHMS,
    CertificateInfo,
    KeyAlgorithm,
    KeyPairInfo,
    LibraryInfo,
    PrivateKeyAttributes,
    TokenContents,
    TokenInfo,
)
from drivers.pkcs11.pins import Pin, wipe
from drivers.pkcs11.public_keys import certificate_public_key_info, key_id_for, same_public_key

__all__ = [
    "ERROR_CODES",
    "KEY_ALGORITHMS",
    "CertificateInfo",
    "Connection",
    "KeyAlgorithm",
    "KeyPairInfo",
    "LibraryInfo",
    "Pin",
    "Pkcs11Error",
    "Pkcs11ErrorCode",
    "Pkcs11Library",
    "PrivateKeyAttributes",
    "TokenContents",
    "TokenInfo",
    "build_csr",
    "build_name",
    "certificate_public_key_info",
    "ecdsa_signature_to_der",
    "error_for_exception",
    "error_for_rv",
    "key_id_for",
    "pin_attempts",
    "same_public_key",
    "wipe",
]
