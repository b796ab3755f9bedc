"""The branch's serial (COM port) scanner, when one is configured: opened off the GUI thread, its scans and state as signals.

Settings: ``scanner.serial_port`` (``COM3``, ``/dev/ttyACM0``; empty: no serial
scanner), ``scanner.serial_baud`` (default 9600) and ``scanner.serial_terminator``
(``any``, ``cr``, ``lf``, ``crlf``, ``etx``; default ``any``). The driver
(:mod:`drivers.scanner`) reads on its own thread; this object only relays what
it says to the GUI thread and words it in the teller's language.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from drivers.scanner import ScannerError, ScannerState, SerialScanner, SerialScannerSettings, Terminator
from teller_client.errors import ConfigurationError
from teller_client.flows.device_errors import device_error
from teller_client.i18n import N_, tr
from teller_client.ui.worker import WorkerPool

log = logging.getLogger(__name__)

STATE_WORDS = {
    ScannerState.OPEN: N_("Scanner {port}: connected"),
    ScannerState.DISCONNECTED: N_("Scanner {port}: disconnected, waiting for it to come back"),
    ScannerState.REOPENING: N_("Scanner {port}: disconnected, waiting for it to come back"),
    ScannerState.CLOSED: N_("Scanner {port}: closed"),
}


def read_settings(get: Callable[[str], Any]) -> SerialScannerSettings | None:
    """The configured serial scanner, or ``None`` when there is none."""
    port = get("scanner.serial_port")
    if port is None or (isinstance(port, str) and not port.strip()):
        return None
    baud, terminator = get("scanner.serial_baud"), get("scanner.serial_terminator")
    try:
        return SerialScannerSettings(
            port=str(port).strip(),
            baudrate=int(baud) if baud is not None else 9600,
            terminator=Terminator(str(terminator or "any").strip().lower()),
        )
    except (ScannerError, TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"The serial scanner settings (scanner.serial_*) are not valid: {exc}",
            f"串口扫描枪设置（scanner.serial_*）无效：{exc}",
            code="bad_setting",
        ) from exc


class SerialLink(QObject):
    scanned = Signal(str)
    """A scan from the serial scanner (emitted on the reader thread; connected slots run on the GUI thread)."""
    state_changed = Signal(str, str)
    """``(state, detail)`` from the driver; notes such as a dropped partial scan too."""

    def __init__(self, workers: WorkerPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workers = workers
        self.scanner: SerialScanner | None = None
        self.port = ""
        self.state = ""
        self.state_changed.connect(self._remember)

    def start(self, get: Callable[[str], Any], failed: Callable[[BaseException], None]) -> None:
        """Read the settings and open the port, on a worker; ``failed`` gets the reason when it cannot be opened."""

        def work(_cancel: threading.Event) -> SerialScanner | None:
            settings = read_settings(get)
            if settings is None:
                return None
            scanner = SerialScanner(settings, self.scanned.emit, lambda state, detail: self.state_changed.emit(state.value, detail))
            try:
                scanner.open()
            except ScannerError as exc:
                raise device_error(exc, port=settings.port) from exc
            return scanner

        def opened(scanner: SerialScanner | None) -> None:
            self.scanner = scanner
            if scanner is not None:
                self.port = scanner.settings.port
                log.info("serial scanner on %s (%s)", self.port, scanner.settings.line_settings)
                self.state_changed.emit(ScannerState.OPEN.value, "")

        self.workers.submit(work, opened, failed)

    def stop(self) -> None:
        """Close the port on a worker (the driver returns within its close timeout)."""
        scanner, self.scanner = self.scanner, None
        if scanner is not None:
            self.workers.submit(lambda _cancel: scanner.close(), lambda _r: None, lambda _exc: None)

    def _remember(self, state: str, detail: str) -> None:
        self.state = state
        if detail:
            log.info("serial scanner %s: %s", state, detail)

    def status_text(self) -> str:
        """The connection state in the teller's language ('' when no serial scanner is configured)."""
        try:
            state = ScannerState(self.state)
        except ValueError:
            return ""
        if not self.port:
            return ""
        return tr(STATE_WORDS[ScannerState.OPEN if state.is_note else state]).format(port=self.port)
