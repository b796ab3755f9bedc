"""A connection to one token: a read-write session that owns all I/O with it, closed on leaving the ``with``.

Made by :meth:`Pkcs11Library.connect <drivers.pkcs11.library.Pkcs11Library.connect>`; higher code receives a
connection and never opens one. PINs go through ctypes (see :mod:`drivers.pkcs11.cryptoki`), everything else
through python-pkcs11; every failure is a :class:`~drivers.pkcs11.errors.Pkcs11Error`. Closing logs out (if
this connection logged in) and closes the session whatever happened before, so a failed login leaves nothing
open. Login state in PKCS#11 belongs to the token, not the session: one login per token per process.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from pkcs11 import Mechanism, ObjectClass, Session, Slot

from drivers.pkcs11 import token_objects as objects
from drivers.pkcs11.cryptoki import CKS_RO_USER_FUNCTIONS, CKS_RW_USER_FUNCTIONS, CKU_SO, CKU_USER, Cryptoki
from drivers.pkcs11.csr import build_csr as build_csr_der
from drivers.pkcs11.error_map import CKR_USER_NOT_LOGGED_IN, error_for_rv, translated
from drivers.pkcs11.errors import Pkcs11Error
from drivers.pkcs11.model import CertificateInfo, KeyAlgorithm, KeyPairInfo, PrivateKeyAttributes, TokenInfo
from drivers.pkcs11.pins import Pin, check_pin
from drivers.pkcs11.public_keys import certificate_public_key_info, same_public_key, verify_sha256

if TYPE_CHECKING:
    from drivers.pkcs11.library import Pkcs11Library

log = logging.getLogger(__name__)

ALL_OBJECTS = (ObjectClass.CERTIFICATE, ObjectClass.PRIVATE_KEY, ObjectClass.PUBLIC_KEY)


class Connection:
    """A session on one token. Not thread-safe: used by the thread that loaded the library."""

    def __init__(self, library: Pkcs11Library, cryptoki: Cryptoki, slot: Slot, info: TokenInfo) -> None:
        self._library = library
        self._cryptoki = cryptoki
        self._owner = threading.get_ident()
        self.slot_id = slot.slot_id
        self._slot = slot
        self.token = info
        self._logged_in_as: int | None = None
        self._mechanisms: set[Mechanism] | None = None
        self._closed = True
        with translated("open_session"):
            self._session: Session = slot.get_token().open(rw=True)
        self._handle = int(cast(Any, self._session).handle)  # the Cython session's CK_SESSION_HANDLE
        self._closed = False
        try:
            now = self.refresh_info()
        except Pkcs11Error:
            self.close()
            raise
        if now.serial != info.serial:  # another UKey went into the reader between listing and opening
            self.close()
            raise Pkcs11Error("token_not_found", "The token was replaced while connecting.", operation="open_session")
        log.debug("opened a session on token %s", info.serial)

    # -- state ----------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def logged_in(self) -> bool:
        """Whether the token is logged in as user (by this connection or another session of this process)."""
        self._check_open()
        return self._cryptoki.session_state(self._handle) in (CKS_RO_USER_FUNCTIONS, CKS_RW_USER_FUNCTIONS)

    def refresh_info(self) -> TokenInfo:
        """Read the token's info again (PIN flags, free memory); also updates :attr:`token`."""
        self._check_open()
        self.token = self._library.slot_token_info(self._slot)
        return self.token

    def supported_algorithms(self) -> frozenset[KeyAlgorithm]:
        """The :data:`KeyAlgorithm` values this token can generate and sign with, from its mechanism list."""
        mechanisms = self._mechanism_set()
        found: set[KeyAlgorithm] = set()
        rsa_signing = mechanisms & {Mechanism.SHA256_RSA_PKCS, Mechanism.RSA_PKCS}
        if Mechanism.RSA_PKCS_KEY_PAIR_GEN in mechanisms and rsa_signing and self._key_size_allowed(Mechanism.RSA_PKCS_KEY_PAIR_GEN, 2048):
            found.add("rsa2048")
        ec_signing = mechanisms & {Mechanism.ECDSA, Mechanism.ECDSA_SHA256}
        if Mechanism.EC_KEY_PAIR_GEN in mechanisms and ec_signing and self._key_size_allowed(Mechanism.EC_KEY_PAIR_GEN, 256):
            found.add("ec_p256")
        return frozenset(found)

    # -- PINs -------------------------------------------------------------------------------------------------

    def login(self, pin: Pin) -> TokenInfo:
        """Log in as the user. ``pin_incorrect`` (with attempts left where the token says), ``pin_locked``, ..."""
        info = self.refresh_info()
        check_pin(pin, min_length=info.min_pin_length, max_length=info.max_pin_length, operation="login")
        self._cryptoki.login(self._handle, self.slot_id, CKU_USER, pin)
        self._logged_in_as = CKU_USER
        log.info("logged in to token %s", info.serial)
        return self.refresh_info()

    def logout(self) -> None:
        self._check_open()
        if self._logged_in_as is None:
            return
        rv = self._cryptoki.logout(self._handle)
        self._logged_in_as = None
        if rv not in (0, CKR_USER_NOT_LOGGED_IN):
            raise error_for_rv(rv, operation="logout")

    def change_pin(self, old_pin: Pin, new_pin: Pin) -> None:
        """``C_SetPIN`` for the user PIN (logged in or not). A wrong old PIN counts as a failed try."""
        info = self.refresh_info()
        check_pin(old_pin, operation="change_pin")
        check_pin(new_pin, min_length=info.min_pin_length, max_length=info.max_pin_length, operation="change_pin")
        self._cryptoki.set_pin(self._handle, self.slot_id, old_pin, new_pin)
        log.info("changed the user PIN of token %s", info.serial)

    def init_user_pin(self, so_pin: Pin, user_pin: Pin) -> TokenInfo:
        """Log in as SO, ``C_InitPIN``, log out: gives a blank UKey its user PIN (or resets a locked one)."""
        info = self.refresh_info()
        if self._logged_in_as is not None:
            raise Pkcs11Error("already_logged_in", "Log out before initialising the user PIN.", operation="init_user_pin")
        check_pin(so_pin, min_length=info.min_pin_length, max_length=info.max_pin_length, operation="login_so")
        check_pin(user_pin, min_length=info.min_pin_length, max_length=info.max_pin_length, operation="init_user_pin")
        self._cryptoki.login(self._handle, self.slot_id, CKU_SO, so_pin)
        self._logged_in_as = CKU_SO
        try:
            self._cryptoki.init_pin(self._handle, self.slot_id, user_pin)
        finally:
            self.logout()
        log.info("initialised the user PIN of token %s", info.serial)
        return self.refresh_info()

    # -- keys -------------------------------------------------------------------------------------------------

    def generate_key_pair(self, algorithm: KeyAlgorithm, *, key_id: bytes | None = None, label: str = "") -> KeyPairInfo:
        """Make a key pair on the token: private key sensitive, not extractable, signing only.

        Without ``key_id`` the id is the SHA-1 of the public key (see :func:`~drivers.pkcs11.public_keys.key_id_for`).
        ``key_exists`` if a private key with ``key_id`` is already there: resume with :meth:`find_key_pair` instead.
        A failure after the token made the pair (token pulled while its id was being set) may leave the pair on
        the token under a random id: a resumed issuance looks with :meth:`key_pairs` before generating again.
        """
        self._check_open()
        with translated("generate_key_pair"):
            if key_id is not None and objects.private_keys(self._session, key_id):
                raise Pkcs11Error("key_exists", operation="generate_key_pair")
            pair = objects.generate_key_pair(self._session, algorithm, key_id, label)
        log.info("generated a %s key pair on token %s", algorithm, self.token.serial)
        return pair

    def key_pairs(self) -> list[KeyPairInfo]:
        """Every private key on the token with its public half (log in first: private keys are private objects)."""
        self._check_open()
        with translated("list_keys"):
            return [objects.key_pair_info(self._session, key) for key in objects.private_keys(self._session)]

    def find_key_pair(self, key_id: bytes) -> KeyPairInfo | None:
        self._check_open()
        with translated("find_key"):
            keys = objects.private_keys(self._session, key_id)
            return objects.key_pair_info(self._session, keys[0]) if keys else None

    def private_key_attributes(self, key_id: bytes) -> PrivateKeyAttributes:
        self._check_open()
        with translated("key_attributes"):
            return objects.private_key_attributes(objects.one_private_key(self._session, key_id))

    def sign(self, key_id: bytes, data: bytes) -> bytes:
        """A SHA-256 signature by the token's key, encoded as X.509 carries it (PKCS#1 v1.5, or DER ECDSA)."""
        self._check_open()
        with translated("sign"):
            private = objects.one_private_key(self._session, key_id)
            return objects.sign_sha256(private, data, self._mechanism_set())

    def build_csr(self, key_id: bytes, subject: Sequence[tuple[str, str]]) -> bytes:
        """A DER PKCS#10 request for the key pair ``key_id``, signed on the token and checked before it is returned."""
        pair = self.find_key_pair(key_id)
        if pair is None:
            raise Pkcs11Error("key_not_found", operation="build_csr")
        spki = pair.public_key_info
        if spki is None:
            raise Pkcs11Error("key_not_found", "The token holds no public key for this private key.", operation="build_csr")

        def sign(to_be_signed: bytes) -> bytes:
            signature = self.sign(key_id, to_be_signed)
            if not verify_sha256(spki, to_be_signed, signature):
                raise Pkcs11Error("device_error", "The token's signature does not verify.", operation="build_csr")
            return signature

        return build_csr_der(spki, subject, sign)

    def proves_possession(self, key_id: bytes, public_key_info: bytes) -> bool:
        """Whether the token's key ``key_id`` signs a fresh challenge that ``public_key_info`` verifies."""
        challenge = b"teller-client possession check " + os.urandom(32)
        return verify_sha256(public_key_info, challenge, self.sign(key_id, challenge))

    # -- certificates -----------------------------------------------------------------------------------------

    def certificates(self) -> list[CertificateInfo]:
        self._check_open()
        with translated("list_certificates"):
            return objects.certificates(self._session)

    def key_pair_for_certificate(self, certificate: bytes) -> KeyPairInfo | None:
        """The token's key pair whose public key is the certificate's, or ``None``."""
        spki = certificate_public_key_info(certificate)
        return next((pair for pair in self.key_pairs() if pair.public_key_info and same_public_key(pair.public_key_info, spki)), None)

    def import_certificate(self, certificate: bytes, *, label: str, key_id: bytes | None = None, replace: bool = False) -> CertificateInfo:
        """Store a DER certificate next to its key (same ``CKA_ID``).

        Without ``key_id`` the key is found by the certificate's public key. ``key_not_found``, ``key_mismatch``
        (the key ``key_id`` is not the certificate's). Storing the same certificate again returns the stored one;
        a different certificate already at that id is ``certificate_exists`` unless ``replace``.
        """
        spki = certificate_public_key_info(certificate)
        if key_id is None:
            pair = self.key_pair_for_certificate(certificate)
            if pair is None:
                raise Pkcs11Error("key_not_found", "No key on the token belongs to this certificate.", operation="import_certificate")
        else:
            pair = self.find_key_pair(key_id)
            if pair is None:
                raise Pkcs11Error("key_not_found", operation="import_certificate")
            if pair.public_key_info is None or not same_public_key(pair.public_key_info, spki):
                raise Pkcs11Error("key_mismatch", operation="import_certificate")
        with translated("import_certificate"):
            present = objects.certificates(self._session, pair.key_id)
            same = next((cert for cert in present if cert.der == certificate), None)
            if same is not None:
                return same
            if present and not replace:
                raise Pkcs11Error("certificate_exists", operation="import_certificate")
            if present:
                objects.destroy(self._session, pair.key_id, (ObjectClass.CERTIFICATE,))
            stored = objects.store_certificate(self._session, certificate, pair.key_id, label)
        log.info("stored a certificate on token %s", self.token.serial)
        return stored

    def delete(self, key_id: bytes) -> int:
        """Destroy the certificates, private and public keys with this id (log in first); returns how many."""
        self._check_open()
        with translated("delete"):
            return objects.destroy(self._session, key_id, ALL_OBJECTS)

    # -- life -------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Log out (if this connection logged in) and close the session; never raises. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._logged_in_as is not None:
            rv = self._cryptoki.logout(self._handle)
            if rv not in (0, CKR_USER_NOT_LOGGED_IN):
                log.debug("C_Logout gave 0x%X while closing", rv)
            self._logged_in_as = None
        try:
            self._session.close()
        except Exception:  # the token may be gone: the session is gone with it
            log.debug("C_CloseSession failed while closing", exc_info=True)
        log.debug("closed the session on token %s", self.token.serial)

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Connection(serial={self.token.serial!r}, label={self.token.label!r}, closed={self._closed})"

    # -- inside -----------------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if threading.get_ident() != self._owner:
            raise RuntimeError("a PKCS#11 connection is used only by the thread that loaded the library")
        if self._closed or self._library.closed:
            raise Pkcs11Error("session_closed")

    def _mechanism_set(self) -> set[Mechanism]:
        self._check_open()
        if self._mechanisms is None:
            with translated("mechanisms"):
                self._mechanisms = set(self._slot.get_mechanisms())
        return self._mechanisms

    def _key_size_allowed(self, mechanism: Mechanism, bits: int) -> bool:
        with translated("mechanisms"):
            info = self._slot.get_mechanism_info(mechanism)
        low, high = info.min_key_length or 0, info.max_key_length or 0
        if high == 0:  # not reported
            return True
        if mechanism == Mechanism.RSA_PKCS_KEY_PAIR_GEN and high < 512:  # some modules report bytes
            low, high = low * 8, high * 8
        return low <= bits <= high
