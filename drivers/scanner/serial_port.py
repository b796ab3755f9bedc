"""The one module that imports pyserial: open a port for a scanner, list the ports, translate pyserial's errors.

Everything pyserial raises leaves this module as a :class:`ScannerError` with a stable code. On POSIX pyserial
passes the ``errno`` on; on Windows it only formats the Windows error into its message
(``could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)``), so the Windows error number
is read from there (never the localized text).
"""

from __future__ import annotations

import errno
import logging
import re
from dataclasses import dataclass
from typing import Any, Protocol

import serial
from serial.tools import list_ports

from drivers.scanner.errors import ScannerError, ScannerErrorCode
from drivers.scanner.settings import SerialScannerSettings

log = logging.getLogger(__name__)

_MAX_READ = 4096
_POSIX_CODES: dict[int, ScannerErrorCode] = {
    errno.ENOENT: "port_not_found",
    errno.ENODEV: "port_not_found",
    errno.ENXIO: "port_not_found",
    errno.EBUSY: "port_busy",
    errno.EAGAIN: "port_busy",  # the exclusive lock (flock) is held by another opener
    errno.EWOULDBLOCK: "port_busy",
    errno.EACCES: "permission_denied",
    errno.EPERM: "permission_denied",
}
_WINDOWS_CODES: dict[int, ScannerErrorCode] = {
    2: "port_not_found",  # ERROR_FILE_NOT_FOUND
    3: "port_not_found",  # ERROR_PATH_NOT_FOUND
    55: "port_not_found",  # ERROR_DEV_NOT_EXIST
    433: "port_not_found",  # ERROR_NO_SUCH_DEVICE
    5: "port_busy",  # ERROR_ACCESS_DENIED: Windows opens COM ports exclusively; this means another program has it
    32: "port_busy",  # ERROR_SHARING_VIOLATION
}
_WINERROR = re.compile(r"\b\w+\((-?\d+), .*, None, (-?\d+)\)")
_MESSAGES: dict[ScannerErrorCode, str] = {
    "port_not_found": "Serial port {port} was not found. Check that the scanner is plugged in and that the port name is right.",
    "port_busy": "Serial port {port} is in use by another program. Close that program, or choose another port.",
    "permission_denied": "Permission denied to open serial port {port}. On Linux, add the user to the port's group (usually 'dialout').",
    "port_error": "Serial port {port} could not be opened: {reason}",
}


@dataclass(frozen=True)
class PortInfo:
    """One serial port the system knows, for settings and diagnostics. ``name`` is what to put in the settings."""

    name: str
    description: str
    hardware_id: str
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None


class SerialPort(Protocol):
    """What a scanner needs from an open port. Every method raises only :class:`ScannerError`."""

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes; waits at most the read timeout for the first one; ``b""`` on timeout or cancel."""
        ...

    def waiting(self) -> int:
        """Bytes received and not read yet."""
        ...

    def cancel_read(self) -> None:
        """Make a read in progress (in another thread) return at once. Never raises."""
        ...

    def close(self) -> None:
        """Release the port. Never raises."""
        ...


def classify_open_error(exc: BaseException) -> ScannerErrorCode:
    """The code for a failure to open a port: from the Windows error number if there is one, else the errno."""
    winerror = getattr(exc, "winerror", None)
    if not isinstance(winerror, int) and (match := _WINERROR.search(str(exc))):
        winerror = int(match.group(2))
    if isinstance(winerror, int):
        return _WINDOWS_CODES.get(winerror, "port_error")
    number = getattr(exc, "errno", None)
    if isinstance(number, int):
        return _POSIX_CODES.get(number, "port_error")
    return "port_error"


class PySerialPort:
    """A pyserial port reduced to :class:`SerialPort`; a failed read is a ``disconnected`` :class:`ScannerError`."""

    def __init__(self, raw: Any, name: str) -> None:  # raw: serial.Serial (pyserial has no type hints)
        self._raw = raw
        self.name = name

    def read(self, size: int) -> bytes:
        try:
            return bytes(self._raw.read(min(max(size, 1), _MAX_READ)))
        except (OSError, ValueError, TypeError) as exc:  # SerialException is an OSError
            raise ScannerError("disconnected", f"Lost serial port {self.name}: {exc}", port=self.name, reason=str(exc)) from exc

    def waiting(self) -> int:
        try:
            return int(self._raw.in_waiting)
        except (OSError, ValueError, TypeError) as exc:
            raise ScannerError("disconnected", f"Lost serial port {self.name}: {exc}", port=self.name, reason=str(exc)) from exc

    def cancel_read(self) -> None:
        try:
            self._raw.cancel_read()
        except (OSError, ValueError, TypeError, AttributeError):
            log.debug("cancel_read on %s failed (port already closing)", self.name, exc_info=True)

    def close(self) -> None:
        try:
            self._raw.close()
        except (OSError, ValueError, TypeError, AttributeError):
            log.debug("closing %s failed (device already gone)", self.name, exc_info=True)


def open_serial_port(settings: SerialScannerSettings) -> PySerialPort:
    """Open and configure ``settings.port`` for reading, exclusively. Does not block: a missing, busy or
    forbidden port fails at once with a :class:`ScannerError` (``port_not_found``, ``port_busy``,
    ``permission_denied``, ``port_error``, ``invalid_settings``)."""
    port = settings.port
    try:
        raw = serial.Serial(
            port=port,
            baudrate=settings.baudrate,
            bytesize=settings.bytesize,
            parity=settings.parity,
            stopbits=settings.stopbits,
            timeout=settings.read_timeout,
            write_timeout=settings.read_timeout,
            xonxoff=settings.xonxoff,
            rtscts=settings.rtscts,
            exclusive=True,
        )
    except ValueError as exc:
        raise ScannerError("invalid_settings", f"Serial port {port} rejected the settings {settings.line_settings}: {exc}",
                           port=port, reason=str(exc)) from exc  # fmt: skip
    except OSError as exc:  # serial.SerialException is an OSError
        code = classify_open_error(exc)
        raise ScannerError(code, _MESSAGES[code].format(port=port, reason=exc), port=port, reason=str(exc)) from exc
    return PySerialPort(raw, port)


def list_serial_ports() -> list[PortInfo]:
    """The serial ports the system lists now (USB-CDC, RS-232, adapters), sorted by name. Reads no port."""
    try:
        found = list_ports.comports()
    except OSError as exc:
        raise ScannerError("port_error", f"The serial ports could not be listed: {exc}", reason=str(exc)) from exc
    return sorted((port_info(p) for p in found), key=lambda p: p.name)


def port_info(raw: Any) -> PortInfo:
    """One pyserial ``ListPortInfo`` as a :class:`PortInfo`."""
    return PortInfo(
        name=str(raw.device),
        description=str(raw.description or ""),
        hardware_id=str(raw.hwid or ""),
        vid=raw.vid if isinstance(raw.vid, int) else None,
        pid=raw.pid if isinstance(raw.pid, int) else None,
        serial_number=str(raw.serial_number) if raw.serial_number else None,
    )
