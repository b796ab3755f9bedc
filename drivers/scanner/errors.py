"""The scanner driver's one error type, with a stable code the client maps to a bilingual message.

``drivers/`` never imports ``teller_client``, so this is not a ``TellerError``; the client translates it
(``raise TellerError(...) from exc``) by :attr:`ScannerError.code`, never by parsing the English message.
"""

from __future__ import annotations

from typing import Literal, get_args

ScannerErrorCode = Literal[
    "port_not_found",  # no such port (unplugged, wrong name)
    "port_busy",  # another program (or another scanner object) has the port
    "permission_denied",  # the user may not open the port (Linux: not in the "dialout" group)
    "port_error",  # any other failure to open or configure the port
    "invalid_settings",  # the settings cannot describe a serial port (baud rate, parity, ...)
    "disconnected",  # reading failed: the device went away; reported as a state, not raised to callers
]

ERROR_CODES: tuple[ScannerErrorCode, ...] = get_args(ScannerErrorCode)


class ScannerError(Exception):
    """A scanner could not be opened or used.

    ``code`` is one of :data:`ERROR_CODES` and stays stable across releases; ``message`` is plain English for
    logs and diagnostics; ``port`` names the port when there is one; ``reason`` is the underlying library's text.
    """

    def __init__(self, code: ScannerErrorCode, message: str, *, port: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.code: ScannerErrorCode = code
        self.message = message
        self.port = port
        self.reason = reason

    def __repr__(self) -> str:
        return f"ScannerError(code={self.code!r}, message={self.message!r}, port={self.port!r})"
