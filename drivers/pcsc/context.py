"""One PC/SC context: the only module that imports pyscard (its low-level ``smartcard.scard`` API).

A :class:`PcscContext` wraps one ``SCARDCONTEXT``. It is **not** thread-safe: one thread owns it and makes every
call, except :meth:`PcscContext.cancel`, which PC/SC allows from any thread to interrupt a blocking
``SCardGetStatusChange``. Every failure is raised as a :class:`~drivers.pcsc.errors.PcscError` with a stable code.

A context is dead once the service stops (pcsc-lite answers ``SCARD_E_NO_SERVICE`` on it for ever, even after
pcscd is back; Windows stops its service when the last reader goes): release it and establish a new one.

Beware that libpcsclite has no client-side timeout: while pcscd is alive but hung (e.g. stopped with SIGSTOP),
every call, even ``SCardGetStatusChange`` with a timeout, blocks until pcscd answers. Callers that must not hang
run the context on a thread of its own (see :mod:`drivers.pcsc.bounded`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from smartcard import scard  # type: ignore[import-untyped]

from drivers.pcsc.errors import PcscError, PcscErrorCode

__all__ = [
    "PNP_NOTIFICATION",
    "STATE_CHANGED",
    "STATE_EMPTY",
    "STATE_EXCLUSIVE",
    "STATE_IGNORE",
    "STATE_INUSE",
    "STATE_MUTE",
    "STATE_PRESENT",
    "STATE_UNAVAILABLE",
    "STATE_UNAWARE",
    "STATE_UNKNOWN",
    "ContextLike",
    "PcscContext",
    "RawReaderState",
    "error_from_hresult",
]

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
r"""The special reader name (``\\?PnP?\Notification``) whose state changes when a reader is added or removed."""

STATE_UNAWARE: int = scard.SCARD_STATE_UNAWARE
STATE_IGNORE: int = scard.SCARD_STATE_IGNORE
STATE_CHANGED: int = scard.SCARD_STATE_CHANGED
STATE_UNKNOWN: int = scard.SCARD_STATE_UNKNOWN
STATE_UNAVAILABLE: int = scard.SCARD_STATE_UNAVAILABLE
STATE_EMPTY: int = scard.SCARD_STATE_EMPTY
STATE_PRESENT: int = scard.SCARD_STATE_PRESENT
STATE_EXCLUSIVE: int = scard.SCARD_STATE_EXCLUSIVE
STATE_INUSE: int = scard.SCARD_STATE_INUSE
STATE_MUTE: int = scard.SCARD_STATE_MUTE

_U32 = 0xFFFFFFFF


def _u32(value: int) -> int:
    return int(value) & _U32


_SUCCESS = _u32(scard.SCARD_S_SUCCESS)
_CODES: dict[int, PcscErrorCode] = {
    _u32(scard.SCARD_E_NO_SERVICE): "service_unavailable",
    _u32(scard.SCARD_E_SERVICE_STOPPED): "service_unavailable",
    _u32(scard.SCARD_F_COMM_ERROR): "service_unavailable",  # pcsc-lite: the daemon closed the socket (it exited)
    _u32(scard.SCARD_E_NO_READERS_AVAILABLE): "no_readers",
    _u32(scard.SCARD_E_UNKNOWN_READER): "reader_unavailable",
    _u32(scard.SCARD_E_READER_UNAVAILABLE): "reader_unavailable",
    _u32(scard.SCARD_W_REMOVED_CARD): "card_removed",
    _u32(scard.SCARD_E_NO_SMARTCARD): "card_removed",
    _u32(scard.SCARD_E_TIMEOUT): "timeout",
    _u32(scard.SCARD_E_CANCELLED): "cancelled",
}


def _reason(hresult: int) -> str:
    try:
        return str(scard.SCardGetErrorMessage(hresult))
    except Exception:  # pyscard builds differ; the code alone still identifies the error
        return f"PC/SC error {_u32(hresult):#010x}"


def error_from_hresult(hresult: int, action: str, *, reader: str | None = None) -> PcscError:
    """The :class:`PcscError` for a failed PC/SC call; ``action`` says in English what was being done."""
    hr = _u32(hresult)
    code: PcscErrorCode = _CODES.get(hr, "pcsc_error")
    where = f" {reader}" if reader else ""
    messages: dict[PcscErrorCode, str] = {
        "service_unavailable": "The smart card service (PC/SC) is not running.",
        "no_readers": "No card reader is connected.",
        "reader_unavailable": f"The card reader{where} is not connected or cannot be used.",
        "card_removed": f"There is no card in the reader{where}.",
        "timeout": f"The smart card service did not finish {action} in time.",
        "cancelled": f"{action[:1].upper()}{action[1:]} was cancelled.",
    }
    reason = _reason(hresult)
    message = messages.get(code) or f"The smart card service failed while {action}: {reason} ({hr:#010x})."
    return PcscError(code, message, reader=reader, hresult=hr, reason=reason)


@dataclass(frozen=True)
class RawReaderState:
    """One reader's state as ``SCardGetStatusChange`` reports it.

    ``event_state`` holds the ``SCARD_STATE_*`` bits in its low 16 bits and, on pcsc-lite and Windows, a counter
    of card events (insertions and removals) in its high 16 bits. Pass it back (as :attr:`current`) to wait for
    the next change.
    """

    name: str
    event_state: int
    atr: bytes

    @property
    def current(self) -> int:
        return self.event_state & ~STATE_CHANGED

    @property
    def changed(self) -> bool:
        return bool(self.event_state & STATE_CHANGED)

    @property
    def event_count(self) -> int:
        return (self.event_state >> 16) & 0xFFFF

    @property
    def unknown(self) -> bool:
        """The reader is gone (or never existed)."""
        return bool(self.event_state & (STATE_UNKNOWN | STATE_IGNORE))

    @property
    def unavailable(self) -> bool:
        return bool(self.event_state & STATE_UNAVAILABLE)

    @property
    def present(self) -> bool:
        return bool(self.event_state & STATE_PRESENT) and not self.unknown

    @property
    def mute(self) -> bool:
        return bool(self.event_state & STATE_MUTE)

    @property
    def in_use(self) -> bool:
        return bool(self.event_state & STATE_INUSE)

    @property
    def exclusive(self) -> bool:
        return bool(self.event_state & STATE_EXCLUSIVE)


class ContextLike(Protocol):
    """What the readers and the watcher need of a context; :class:`PcscContext` is the real one."""

    def list_readers(self) -> list[str]: ...

    def get_status_change(self, timeout: float, states: Sequence[tuple[str, int]]) -> list[RawReaderState]: ...

    def cancel(self) -> None: ...

    def release(self) -> None: ...


class PcscContext:
    """One established PC/SC context. Use :meth:`establish`; release with :meth:`release` or ``with``."""

    def __init__(self, handle: int) -> None:
        self._handle = handle
        self._released = False

    @classmethod
    def establish(cls) -> PcscContext:
        """Connect to the smart card service; ``service_unavailable`` when it is not running."""
        try:
            hresult, handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        except scard.error as exc:  # pyscard raises this when it cannot even load the PC/SC library
            raise PcscError("service_unavailable", "The smart card service (PC/SC) is not installed.", reason=str(exc)) from exc
        if _u32(hresult) != _SUCCESS:
            raise error_from_hresult(hresult, "connecting to the smart card service")
        return cls(int(handle))

    def list_readers(self) -> list[str]:
        """The names of the connected readers; empty when there are none."""
        hresult, names = scard.SCardListReaders(self._handle, [])
        hr = _u32(hresult)
        if hr == _u32(scard.SCARD_E_NO_READERS_AVAILABLE):
            return []
        if hr != _SUCCESS:
            raise error_from_hresult(hresult, "listing the card readers")
        return [str(name) for name in names]

    def get_status_change(self, timeout: float, states: Sequence[tuple[str, int]]) -> list[RawReaderState]:
        """Block until a reader's state differs from its given current state, or ``timeout`` seconds pass.

        Raises ``timeout`` when nothing changed in time and ``cancelled`` when :meth:`cancel` interrupted it.
        """
        millis = max(0, round(timeout * 1000))
        hresult, new_states = scard.SCardGetStatusChange(self._handle, millis, list(states))
        if _u32(hresult) != _SUCCESS:
            reader = states[0][0] if len(states) == 1 else None
            raise error_from_hresult(hresult, "waiting for a card reader", reader=reader)
        return [RawReaderState(str(name), _u32(event), bytes(atr)) for name, event, atr in new_states]

    def cancel(self) -> None:
        """Interrupt a blocking :meth:`get_status_change` on this context; safe from any thread, never raises."""
        if self._released:
            return
        try:
            hresult = scard.SCardCancel(self._handle)
        except Exception:  # pragma: no cover - pyscard only raises on bad arguments
            log.debug("SCardCancel raised", exc_info=True)
            return
        if _u32(hresult) != _SUCCESS:
            log.debug("SCardCancel returned %#010x", _u32(hresult))

    def release(self) -> None:
        """Release the context; idempotent, never raises (a context of a stopped service cannot be released)."""
        if self._released:
            return
        self._released = True
        try:
            scard.SCardReleaseContext(self._handle)
        except Exception:  # pragma: no cover - pyscard only raises on bad arguments
            log.debug("SCardReleaseContext raised", exc_info=True)

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
