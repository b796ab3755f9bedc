"""Barcode scanners that are not keyboard wedges: serial (RS-232 or USB-CDC virtual COM port) scanners.

Each scan arrives as a line of text; :class:`SerialScanner` reads the port on one background thread and delivers
each scan's text, and each change of state, by callback. Keyboard-wedge scanners need no driver: they type.
"""

from __future__ import annotations

from drivers.scanner.errors import ERROR_CODES, ScannerError, ScannerErrorCode
from drivers.scanner.framing import Dropped, ScanFramer
from drivers.scanner.serial_port import PortInfo, classify_open_error, list_serial_ports, open_serial_port
from drivers.scanner.serial_scanner import OnScan, OnState, ScannerState, SerialScanner
from drivers.scanner.settings import SerialScannerSettings, Terminator

__all__ = [
    "ERROR_CODES",
    "Dropped",
    "OnScan",
    "OnState",
    "PortInfo",
    "ScanFramer",
    "ScannerError",
    "ScannerErrorCode",
    "ScannerState",
    "SerialScanner",
    "SerialScannerSettings",
    "Terminator",
    "classify_open_error",
    "list_serial_ports",
    "open_serial_port",
]
