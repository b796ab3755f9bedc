"""The PKCS#11 driver as a device service: what runs inside a :class:`~drivers.host.DeviceProcess` worker.

One service per vendor library; the host constructs it on the worker's owner thread (the thread that
loads the library, which :class:`~drivers.pkcs11.library.Pkcs11Library` insists on) and calls its public
methods one at a time. Everything returned is plain picklable data; errors are :class:`Pkcs11Error`.

::

    host = DeviceProcess("drivers.pkcs11.service:Pkcs11Service", "/usr/lib/softhsm/libsofthsm2.so", name="softhsm")
    tokens = host.call("tokens", timeout=10.0)
"""

from __future__ import annotations

from drivers.pkcs11.library import Pkcs11Library
from drivers.pkcs11.model import LibraryInfo, TokenInfo


class Pkcs11Service:
    def __init__(self, library_path: str) -> None:
        self._library = Pkcs11Library(library_path)

    def info(self) -> LibraryInfo:
        return self._library.info

    def tokens(self) -> list[TokenInfo]:
        """The tokens present now (the library is re-initialised first, so tokens made since are seen)."""
        if not self._library.open_connections():
            self._library.reinitialize()
        return self._library.tokens()

    def close(self) -> None:
        self._library.close()
