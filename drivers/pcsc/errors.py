"""The PC/SC driver's one error type, with a stable code the client maps to a bilingual message.

``drivers/`` never imports ``teller_client``, so this is not a ``TellerError``; the client translates it
(``raise TellerError(...) from exc``) by :attr:`PcscError.code`, never by parsing the English message. A
``cancelled`` error is the caller's own doing and should be handled silently.
"""

from __future__ import annotations

from typing import Literal, get_args

PcscErrorCode = Literal[
    "service_unavailable",  # the smart card service (pcscd / Windows "Smart Card" service) is not running or went away
    "no_readers",  # the service runs but no reader is connected at all
    "reader_unavailable",  # the named reader is not connected (unplugged, renamed) or cannot be used
    "card_removed",  # there is no card in the reader (never inserted, or pulled out)
    "timeout",  # the call did not finish within its timeout (a hung service, or no card came in time)
    "cancelled",  # the caller's cancel event was set
    "pcsc_error",  # any other PC/SC failure; ``hresult`` and ``reason`` say which
]

ERROR_CODES: tuple[PcscErrorCode, ...] = get_args(PcscErrorCode)


class PcscError(Exception):
    """A PC/SC call failed.

    ``code`` is one of :data:`ERROR_CODES` and stays stable across releases; ``message`` is plain English for logs
    and diagnostics; ``reader`` names the reader when there is one; ``hresult`` is the PC/SC return code when the
    failure came from the PC/SC layer (an unsigned 32-bit value, e.g. ``0x8010001D``); ``reason`` is the PC/SC
    library's own text for it.
    """

    def __init__(
        self,
        code: PcscErrorCode,
        message: str,
        *,
        reader: str | None = None,
        hresult: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code: PcscErrorCode = code
        self.message = message
        self.reader = reader
        self.hresult = hresult
        self.reason = reason

    def __repr__(self) -> str:
        hr = None if self.hresult is None else f"{self.hresult:#010x}"
        return f"PcscError(code={self.code!r}, message={self.message!r}, reader={self.reader!r}, hresult={hr})"


def timeout_error(what: str, seconds: float, reader: str | None = None) -> PcscError:
    return PcscError("timeout", f"The smart card service did not finish {what} within {seconds:g} seconds.", reader=reader)


def cancelled_error(what: str, reader: str | None = None) -> PcscError:
    return PcscError("cancelled", f"{what[:1].upper()}{what[1:]} was cancelled.", reader=reader)
