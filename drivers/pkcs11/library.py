"""A vendor's PKCS#11 module, loaded once per process: list tokens, connect to one, initialise blank ones.

A module is loaded by path (``C_Initialize``) and held until :meth:`Pkcs11Library.close` (``C_Finalize``); one
:class:`Pkcs11Library` per module path per process (Cryptoki allows one initialisation per process). Tokens are
found by serial or label, never by slot number: slots renumber when tokens come and go, and a token made after
the module was loaded is seen only after :meth:`Pkcs11Library.reinitialize`.

Not thread-safe, like the modules themselves: the thread that loads a library owns it and its connections
(``RuntimeError`` from any other thread). Timeouts and cancelling belong to the worker process around it.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from types import TracebackType

import pkcs11
import pkcs11.exceptions as p11x
from pkcs11 import Slot

from drivers.pkcs11.connection import Connection
from drivers.pkcs11.cryptoki import Cryptoki
from drivers.pkcs11.error_map import error_for_exception, translated
from drivers.pkcs11.errors import Pkcs11Error
from drivers.pkcs11.model import LibraryInfo, TokenInfo
from drivers.pkcs11.pins import Pin, check_pin

log = logging.getLogger(__name__)

_LOADED: dict[str, Pkcs11Library] = {}
"""Loaded modules by real path: Cryptoki allows one ``C_Initialize`` per process."""


class Pkcs11Library:
    """One loaded PKCS#11 module. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._owner = threading.get_ident()
        self._connections: list[Connection] = []
        self._closed = False
        key = os.path.realpath(self.path)
        if key in _LOADED:
            raise Pkcs11Error("library_in_use", f"{Path(self.path).name} is already loaded in this process.", operation="load")
        if not os.path.isfile(self.path):
            raise Pkcs11Error("library_load_failed", f"No PKCS#11 library at {self.path}.", operation="load")
        try:
            self._lib = pkcs11.lib(self.path)  # dlopen/LoadLibrary, C_GetFunctionList, C_Initialize
        except p11x.PKCS11Error as exc:
            error = error_for_exception(exc, operation="load")
            code = error.code if error.code == "library_in_use" else "library_load_failed"
            raise Pkcs11Error(code, f"{Path(self.path).name} could not be loaded or initialised.", operation="load", rv=error.rv) from exc
        try:
            self._cryptoki = Cryptoki(self.path)  # the module is mapped already: the same handle, whatever the DLL search path
        except Pkcs11Error:
            pkcs11.unload(self.path)
            raise
        self._key = key
        _LOADED[key] = self
        self.info = LibraryInfo(
            path=self.path,
            manufacturer=self._lib.manufacturer_id.strip(),
            description=self._lib.library_description.strip(),
            cryptoki_version=self._lib.cryptoki_version,
            library_version=self._lib.library_version,
        )
        log.debug("loaded PKCS#11 library %s (%s)", Path(self.path).name, self.info.description)

    # -- tokens ---------------------------------------------------------------------------------------------

    def tokens(self) -> list[TokenInfo]:
        """The tokens present now, initialised or not; slots without a usable token are left out."""
        return [info for _, info in self._present()]

    def find_token(self, *, serial: str | None = None, label: str | None = None) -> TokenInfo:
        """The one token with this serial and/or exact label: ``token_not_found``, ``token_ambiguous``."""
        return self._find(serial=serial, label=label)[1]

    def connect(self, *, serial: str | None = None, label: str | None = None) -> Connection:
        """Open a read-write session on the token with this serial and/or exact label."""
        slot, info = self._find(serial=serial, label=label)
        connection = Connection(self, self._cryptoki, slot, info)
        self._connections.append(connection)
        return connection

    def init_token(self, so_pin: Pin, label: str, *, serial: str | None = None) -> TokenInfo:
        """``C_InitToken``: set the SO PIN and label, erasing the token. The token then has no user PIN.

        ``serial`` picks the token; without it, the one uninitialised token present (SoftHSM's free slot; a
        card fresh from the factory). No session may be open on it (``token_busy``). The label holds at most 32
        bytes of UTF-8 (``ValueError``).
        """
        self._check_usable()
        if len(label.encode("utf-8")) > 32:
            raise ValueError("a token label holds at most 32 bytes of UTF-8")
        if serial is not None:
            slot, info = self._find(serial=serial)
        else:
            blank = [(slot, info) for slot, info in self._present() if not info.initialised]
            if not blank:
                raise Pkcs11Error("token_not_found", "No uninitialised token is present.", operation="init_token")
            if len(blank) > 1:
                raise Pkcs11Error("token_ambiguous", "Several uninitialised tokens are present: give a serial.", operation="init_token")
            slot, info = blank[0]
        if any(c.slot_id == slot.slot_id and not c.closed for c in self._connections):
            raise Pkcs11Error("token_busy", "Close the connections to the token first.", operation="init_token")
        check_pin(so_pin, min_length=info.min_pin_length, max_length=info.max_pin_length, operation="init_token")
        self._cryptoki.init_token(slot.slot_id, so_pin, label)
        log.info("initialised token %s in slot %s", label, slot.slot_id)
        return self.slot_token_info(slot)

    def reinitialize(self) -> None:
        """``C_Finalize`` then ``C_Initialize``: see tokens made or inserted since loading. No connection may be open."""
        self._check_usable()
        if self.open_connections():
            raise Pkcs11Error("library_in_use", "Close every connection before re-initialising the library.", operation="reinitialize")
        with translated("reinitialize"):
            self._lib.reinitialize()

    def open_connections(self) -> list[Connection]:
        self._connections = [c for c in self._connections if not c.closed]
        return list(self._connections)

    # -- life ---------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close every connection, ``C_Finalize`` and unload. Safe to call twice."""
        if self._closed:
            return
        self._check_thread()
        for connection in self.open_connections():
            connection.close()
        self._closed = True
        _LOADED.pop(self._key, None)
        try:
            pkcs11.unload(self.path)
        except p11x.PKCS11Error:
            log.debug("C_Finalize failed while closing %s", Path(self.path).name, exc_info=True)

    def __enter__(self) -> Pkcs11Library:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Pkcs11Library({self.path!r}, closed={self._closed})"

    # -- inside ----------------------------------------------------------------------------------------------

    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise RuntimeError("a PKCS#11 library is used only by the thread that loaded it")

    def _check_usable(self) -> None:
        self._check_thread()
        if self._closed:
            raise Pkcs11Error("session_closed", "The PKCS#11 library has been closed.")

    def slot_token_info(self, slot: Slot) -> TokenInfo:
        """The token in ``slot`` now (for connections; others select tokens by serial or label)."""
        raw = self._cryptoki.token_info(slot.slot_id)
        return TokenInfo(
            label=raw.label,
            serial=raw.serial,
            manufacturer=raw.manufacturer,
            model=raw.model,
            slot_description=slot.slot_description.strip(),
            flags=raw.flags,
            min_pin_length=raw.min_pin_length,
            max_pin_length=raw.max_pin_length,
            total_public_memory=raw.total_public_memory,
            free_public_memory=raw.free_public_memory,
            total_private_memory=raw.total_private_memory,
            free_private_memory=raw.free_private_memory,
            hardware_version=raw.hardware_version,
            firmware_version=raw.firmware_version,
        )

    def _present(self) -> list[tuple[Slot, TokenInfo]]:
        self._check_usable()
        with translated("list_tokens"):
            slots = self._lib.get_slots(token_present=True)
        found = []
        for slot in slots:
            try:
                found.append((slot, self.slot_token_info(slot)))
            except Pkcs11Error as exc:
                if exc.code not in ("token_not_present", "token_not_recognized"):
                    raise
                log.debug("slot %s: %s", slot.slot_id, exc.code)
        return found

    def _find(self, *, serial: str | None = None, label: str | None = None) -> tuple[Slot, TokenInfo]:
        if serial is None and label is None:
            raise ValueError("select a token by serial or label")
        matches = [
            (slot, info)
            for slot, info in self._present()
            if (serial is None or info.serial == serial) and (label is None or info.label == label)
        ]
        wanted = " and ".join(part for part in (serial and f"serial {serial}", label and f"label {label!r}") if part)
        if not matches:
            raise Pkcs11Error("token_not_found", f"No token with {wanted} is present.")
        if len(matches) > 1:
            raise Pkcs11Error("token_ambiguous", f"Several tokens have {wanted}; select by serial.")
        return matches[0]
