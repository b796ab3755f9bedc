"""The PKCS#11 driver as a device service: what runs inside a :class:`~drivers.host.DeviceProcess` worker.

One service per vendor library; the host constructs it on the worker's owner thread (the thread that
loads the library, which :class:`~drivers.pkcs11.library.Pkcs11Library` insists on) and calls its public
methods one at a time. Everything returned is plain picklable data; errors are :class:`Pkcs11Error`.

Every token operation names its token by serial and is complete in itself: it sees the tokens present
now (the library is initialised again first, so a UKey inserted or pulled since the last call is seen),
opens a session, logs in where the operation needs it, does its work and closes the session. Nothing
is remembered between calls, so a worker that was killed and started again, or a UKey pulled out and
put back, changes nothing for the caller. PINs arrive as ``bytearray`` (pickled across the pipe) and are
overwritten with zeros when the call ends, whatever happened.

::

    host = DeviceProcess("drivers.pkcs11.service:Pkcs11Service", "/usr/lib/softhsm/libsofthsm2.so", name="softhsm")
    tokens = host.call("tokens", timeout=10.0)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from drivers.pkcs11.connection import Connection
from drivers.pkcs11.errors import Pkcs11Error
from drivers.pkcs11.library import Pkcs11Library
from drivers.pkcs11.model import CertificateInfo, KeyAlgorithm, KeyPairInfo, LibraryInfo, TokenContents, TokenInfo
from drivers.pkcs11.pins import Pin, wipe


class Pkcs11Service:
    def __init__(self, library_path: str) -> None:
        self._library = Pkcs11Library(library_path)

    def info(self) -> LibraryInfo:
        return self._library.info

    def tokens(self) -> list[TokenInfo]:
        """The tokens present now (the library is re-initialised first, so tokens made since are seen)."""
        self._refresh()
        return self._library.tokens()

    def token(self, serial: str) -> TokenInfo:
        """The token with this serial as it is now: ``token_not_found`` when it is not present."""
        self._refresh()
        return self._library.find_token(serial=serial)

    # -- making a blank UKey the customer's -----------------------------------------------------------

    def initialise_token(self, serial: str, so_pin: Pin, label: str, user_pin: Pin) -> TokenInfo:
        """``C_InitToken`` (erases the token, sets its label) then ``C_InitPIN`` with the new user PIN."""
        try:
            self._refresh()
            self._library.init_token(so_pin, label, serial=serial)
            with self._library.connect(serial=serial) as connection:
                return connection.init_user_pin(so_pin, user_pin)
        finally:
            _wipe(so_pin, user_pin)

    def reset_user_pin(self, serial: str, so_pin: Pin, user_pin: Pin) -> TokenInfo:
        """``C_InitPIN`` by the security officer: a new user PIN, the token's keys and certificates kept."""
        try:
            with self._connect(serial) as connection:
                return connection.init_user_pin(so_pin, user_pin)
        finally:
            _wipe(so_pin, user_pin)

    def contents(self, serial: str, pin: Pin) -> TokenContents:
        """The token's info, key pairs and certificates (logged in: private keys are private objects)."""
        with self._logged_in(serial, pin) as connection:
            return TokenContents(
                info=connection.refresh_info(),
                key_pairs=tuple(connection.key_pairs()),
                certificates=tuple(connection.certificates()),
            )

    def generate_key_pair(self, serial: str, pin: Pin, algorithm: KeyAlgorithm, key_id: bytes, label: str) -> KeyPairInfo:
        """The key pair ``key_id`` on the token: made there now, or the one an earlier call made (never a second)."""
        with self._logged_in(serial, pin) as connection:
            existing = connection.find_key_pair(key_id)
            if existing is not None:
                return existing
            return connection.generate_key_pair(algorithm, key_id=key_id, label=label)

    def delete_key_pairs(self, serial: str, pin: Pin, key_ids: Sequence[bytes]) -> int:
        """Destroy the objects with these ids (strays of an interrupted generation); returns how many."""
        with self._logged_in(serial, pin) as connection:
            return sum(connection.delete(key_id) for key_id in key_ids)

    def build_csr(self, serial: str, pin: Pin, key_id: bytes, subject: Sequence[tuple[str, str]]) -> bytes:
        """A DER PKCS#10 request signed by the token's key ``key_id``."""
        with self._logged_in(serial, pin) as connection:
            return connection.build_csr(key_id, subject)

    def install_certificate(self, serial: str, pin: Pin, certificate: bytes, label: str, key_id: bytes) -> CertificateInfo:
        """Store the certificate next to its key (the same one again is kept as it is)."""
        with self._logged_in(serial, pin) as connection:
            return connection.import_certificate(certificate, label=label, key_id=key_id)

    def proves_possession(self, serial: str, pin: Pin, key_id: bytes, public_key_info: bytes) -> bool:
        """Whether the token's key ``key_id`` signs a fresh challenge that ``public_key_info`` verifies."""
        with self._logged_in(serial, pin) as connection:
            return connection.proves_possession(key_id, public_key_info)

    def close(self) -> None:
        self._library.close()

    # -- inside -------------------------------------------------------------------------------------

    def _refresh(self) -> None:
        if not self._library.open_connections():
            self._library.reinitialize()

    @contextmanager
    def _connect(self, serial: str) -> Iterator[Connection]:
        self._refresh()
        with self._library.connect(serial=serial) as connection:
            yield connection

    @contextmanager
    def _logged_in(self, serial: str, pin: Pin) -> Iterator[Connection]:
        try:
            with self._connect(serial) as connection:
                if not connection.logged_in:
                    connection.login(pin)
                yield connection
        finally:
            _wipe(pin)


def _wipe(*pins: Pin) -> None:
    for pin in pins:
        if isinstance(pin, bytearray):
            wipe(pin)


__all__ = ["Pkcs11Error", "Pkcs11Service"]
