"""How a serial scanner is reached and how its scans are framed: one validated, immutable record.

The defaults are the usual ones for branch scanners: 9600 baud, 8 data bits, no parity, 1 stop bit (9600 8N1),
a scan ends with CR, LF or ETX (whichever the device sends), and an STX before a scan is removed.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from enum import StrEnum

from drivers.scanner.errors import ScannerError

PARITIES = ("N", "E", "O", "M", "S")
"""None, even, odd, mark, space (pyserial's letters)."""
BYTESIZES = (5, 6, 7, 8)
STOPBITS = (1, 1.5, 2)
MAX_SCAN_BYTES_LIMIT = 1 << 20


class Terminator(StrEnum):
    """What ends one scan on the wire."""

    CR = "cr"
    LF = "lf"
    CRLF = "crlf"
    ETX = "etx"
    ANY = "any"
    """CR, LF or ETX, whichever comes first; the LF of a CRLF pair then ends an empty line, which is ignored."""


@dataclass(frozen=True)
class SerialScannerSettings:
    """One serial scanner's settings. Invalid values raise :class:`ScannerError` with code ``invalid_settings``.

    ``port`` is what the system calls the port (``COM3``, ``/dev/ttyACM0``, or a udev symlink).
    ``max_scan_bytes`` caps one scan; a longer one is discarded and reported. A partial scan that receives no byte
    for ``inter_char_timeout`` seconds is dropped and reported (``None`` waits for ever). After the device goes
    away the port is reopened every ``reopen_interval`` seconds. ``read_timeout`` bounds each read, and with it how
    late a stall is noticed; ``close_timeout`` bounds how long ``close()`` waits for the reader thread.
    """

    port: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    rtscts: bool = False
    xonxoff: bool = False
    terminator: Terminator = Terminator.ANY
    stx_starts_scan: bool = True
    encoding: str = "latin-1"
    max_scan_bytes: int = 8192
    inter_char_timeout: float | None = 0.3
    reopen_interval: float = 2.0
    read_timeout: float = 0.1
    close_timeout: float = 1.0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "terminator", Terminator(self.terminator))
        except ValueError:
            self._invalid(f"terminator must be one of {', '.join(t.value for t in Terminator)}, not {self.terminator!r}")
        if not isinstance(self.port, str) or not self.port.strip():
            self._invalid("the port name is empty")
        if isinstance(self.baudrate, bool) or not isinstance(self.baudrate, int) or not 0 < self.baudrate <= 4_000_000:
            self._invalid(f"baud rate must be a whole number from 1 to 4000000, not {self.baudrate!r}")
        if self.bytesize not in BYTESIZES:
            self._invalid(f"data bits must be one of 5, 6, 7, 8, not {self.bytesize!r}")
        if self.parity not in PARITIES:
            self._invalid(f"parity must be one of {', '.join(PARITIES)}, not {self.parity!r}")
        if self.stopbits not in STOPBITS:
            self._invalid(f"stop bits must be 1, 1.5 or 2, not {self.stopbits!r}")
        try:
            codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            self._invalid(f"unknown text encoding {self.encoding!r}")
        if isinstance(self.max_scan_bytes, bool) or not isinstance(self.max_scan_bytes, int):
            self._invalid(f"the longest scan must be a whole number of bytes, not {self.max_scan_bytes!r}")
        if not 0 < self.max_scan_bytes <= MAX_SCAN_BYTES_LIMIT:
            self._invalid(f"the longest scan must be from 1 to {MAX_SCAN_BYTES_LIMIT} bytes, not {self.max_scan_bytes}")
        if self.inter_char_timeout is not None and not self.inter_char_timeout > 0:
            self._invalid(f"the inter-character timeout must be positive or None, not {self.inter_char_timeout!r}")
        if not self.reopen_interval > 0:
            self._invalid(f"the reopen interval must be positive, not {self.reopen_interval!r}")
        if not 0 < self.read_timeout <= 1:
            self._invalid(f"the read timeout must be more than 0 and at most 1 second, not {self.read_timeout!r}")
        if not self.close_timeout > 0:
            self._invalid(f"the close timeout must be positive, not {self.close_timeout!r}")

    def _invalid(self, why: str) -> None:
        raise ScannerError("invalid_settings", f"Invalid serial scanner settings for {self.port!r}: {why}.", port=str(self.port))

    @property
    def line_settings(self) -> str:
        """The line settings in the usual short form, e.g. ``9600 8N1``."""
        return f"{self.baudrate} {self.bytesize}{self.parity}{self.stopbits:g}"
