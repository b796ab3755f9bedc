"""A serial (RS-232 or USB-CDC virtual COM port) barcode scanner: one reader thread, scans and states by callback.

``open()`` opens the port in the caller's thread (it does not block: a missing, busy or forbidden port fails at
once with a :class:`ScannerError`) and starts the one reader thread. Every callback runs on that reader thread:
``on_scan(text)`` for each complete scan, ``on_state(state, detail)`` for each change of state and each note. A UI
marshals them to its own thread (a Qt signal) and must not block in them. A callback that raises is logged and
the reader carries on.

If the device goes away (a read fails), the reader reports ``DISCONNECTED`` then ``REOPENING`` and tries to open
the same port name every ``reopen_interval`` seconds (USB-CDC scanners come back under the same name) until it
succeeds (``OPEN``) or ``close()`` is called. ``close()`` returns within ``close_timeout`` (1 s by default) and
the reader reports ``CLOSED`` as its last act.

Scan texts may hold customer data: this module never logs them, only their lengths.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from types import TracebackType

from drivers.scanner.errors import ScannerError
from drivers.scanner.framing import Dropped, FrameEvent, ScanFramer
from drivers.scanner.serial_port import PortInfo, SerialPort, list_serial_ports, open_serial_port
from drivers.scanner.settings import SerialScannerSettings

__all__ = ["OnScan", "OnState", "PortInfo", "ScannerState", "SerialScanner", "list_serial_ports"]

log = logging.getLogger(__name__)


class ScannerState(StrEnum):
    """States of a scanner's connection, and notes (``is_note``) that leave the connection as it was."""

    OPEN = "open"
    DISCONNECTED = "disconnected"
    REOPENING = "reopening"
    CLOSED = "closed"
    PARTIAL_DROPPED = "partial_dropped"
    """Note: an incomplete scan stalled (or was cut short) and was dropped; the teller should scan again."""
    OVERLONG_DISCARDED = "overlong_discarded"
    """Note: a scan longer than the cap was discarded; the teller should scan again."""

    @property
    def is_note(self) -> bool:
        return self in (ScannerState.PARTIAL_DROPPED, ScannerState.OVERLONG_DISCARDED)


OnScan = Callable[[str], None]
OnState = Callable[[ScannerState, str], None]
PortOpener = Callable[[SerialScannerSettings], SerialPort]


class SerialScanner:
    """One serial scanner. Use ``open()`` and ``close()``, or ``with SerialScanner(...) as scanner:``.

    ``opener`` opens the port (pyserial by default); ``clock`` is a monotonic clock in seconds. Both are there
    so that tests and other transports can supply their own.
    """

    def __init__(
        self,
        settings: SerialScannerSettings,
        on_scan: OnScan,
        on_state: OnState | None = None,
        *,
        opener: PortOpener = open_serial_port,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._on_scan = on_scan
        self._on_state = on_state
        self._opener = opener
        self._clock = clock
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._port: SerialPort | None = None
        self._thread: threading.Thread | None = None
        self._state = ScannerState.CLOSED

    @property
    def settings(self) -> SerialScannerSettings:
        return self._settings

    @property
    def state(self) -> ScannerState:
        """The connection's state: ``OPEN``, ``DISCONNECTED``, ``REOPENING`` or ``CLOSED`` (never a note)."""
        return self._state

    @property
    def is_running(self) -> bool:
        """Whether the reader thread is alive."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def open(self) -> None:
        """Open the port and start the reader thread. Raises :class:`ScannerError` if the port cannot be opened."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            if not self._closing.is_set():
                raise RuntimeError(f"scanner on {self._settings.port} is already open")
            raise ScannerError("port_busy", f"Serial port {self._settings.port} is still closing; try again.", port=self._settings.port)
        port = self._opener(self._settings)
        self._closing.clear()
        with self._lock:
            self._port = port
        self._state = ScannerState.OPEN
        self._thread = threading.Thread(target=self._run, name=f"serial-scanner {self._settings.port}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the reader and release the port; returns within ``close_timeout``. Safe to call at any time, twice,
        or from a callback (then it does not wait)."""
        self._closing.set()
        with self._lock:
            if self._port is not None:
                self._port.cancel_read()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return
        thread.join(self._settings.close_timeout)
        if thread.is_alive():
            log.warning("reader of %s did not stop within %.1f s; it will stop when the device call returns",
                        self._settings.port, self._settings.close_timeout)  # fmt: skip

    def __enter__(self) -> SerialScanner:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # --- the reader thread -------------------------------------------------------------------------------

    def _run(self) -> None:
        settings = self._settings
        framer = self._new_framer()
        closed_detail = f"Closed serial port {settings.port}."
        try:
            self._emit(ScannerState.OPEN, f"Opened serial port {settings.port} ({settings.line_settings}).")
            while not self._closing.is_set():
                port = self._port
                if port is None:
                    if not self._reopen():
                        break
                    framer = self._new_framer()
                    continue
                try:
                    chunk = port.read(1)
                    if chunk and (waiting := port.waiting()):
                        chunk += port.read(waiting)
                except ScannerError as exc:
                    self._lost(exc, framer)
                    continue
                self._deliver(framer.feed(chunk, self._clock()) if chunk else framer.check(self._clock()))
        except Exception:
            log.exception("reader of serial port %s stopped on an unexpected error", settings.port)
            closed_detail = f"Serial port {settings.port} was closed after an unexpected error in the scanner driver."
        finally:
            with self._lock:
                port, self._port = self._port, None
            if port is not None:
                port.close()
            self._emit(ScannerState.CLOSED, closed_detail)

    def _new_framer(self) -> ScanFramer:
        s = self._settings
        return ScanFramer(terminator=s.terminator, stx_starts_scan=s.stx_starts_scan, encoding=s.encoding,
                          max_scan_bytes=s.max_scan_bytes, inter_char_timeout=s.inter_char_timeout)  # fmt: skip

    def _lost(self, exc: ScannerError, framer: ScanFramer) -> None:
        with self._lock:
            port, self._port = self._port, None
        if port is not None:
            port.close()
        if self._closing.is_set():
            return
        self._deliver(framer.reset("the port was lost"))
        log.warning("serial port %s lost: %s", self._settings.port, exc.reason or exc.message)
        self._emit(ScannerState.DISCONNECTED, exc.message)

    def _reopen(self) -> bool:
        """Try to reopen the port every ``reopen_interval`` seconds; False once ``close()`` was called."""
        settings = self._settings
        self._emit(ScannerState.REOPENING, f"Trying to reopen serial port {settings.port} every {settings.reopen_interval:g} s.")
        attempts = 0
        while not self._closing.wait(settings.reopen_interval):
            attempts += 1
            try:
                port = self._opener(settings)
            except ScannerError as exc:
                log.debug("reopening %s failed (attempt %d): %s", settings.port, attempts, exc.code)
                continue
            with self._lock:
                if self._closing.is_set():
                    port.close()
                    return False
                self._port = port
            log.info("serial port %s reopened after %d attempt(s)", settings.port, attempts)
            self._emit(ScannerState.OPEN, f"Reopened serial port {settings.port} after {attempts} attempt(s).")
            return True
        return False

    def _deliver(self, events: list[FrameEvent]) -> None:
        for event in events:
            if isinstance(event, Dropped):
                log.info("serial port %s: %s", self._settings.port, event.detail)
                state = ScannerState.OVERLONG_DISCARDED if event.reason == "overlong" else ScannerState.PARTIAL_DROPPED
                self._emit(state, event.detail)
                continue
            try:
                self._on_scan(event)
            except Exception:
                log.exception("on_scan callback failed for a scan of %d characters from %s", len(event), self._settings.port)

    def _emit(self, state: ScannerState, detail: str) -> None:
        if not state.is_note:
            self._state = state
        if self._on_state is None:
            return
        try:
            self._on_state(state, detail)
        except Exception:
            log.exception("on_state callback failed for %s on %s", state.value, self._settings.port)
