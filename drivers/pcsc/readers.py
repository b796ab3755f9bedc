"""Card readers as references: list them and read a card's ATR, each call bounded by a timeout and a cancel.

A :class:`ReaderInfo` is a plain value (a reference): the reader's name and what the service last knew of its
card. Both calls ask the service for the state it already holds (``SCardGetStatusChange`` with the states
unknown); neither connects to the card, so neither disturbs a program that holds it, nor powers it up again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from drivers.pcsc.bounded import Job, run_bounded
from drivers.pcsc.context import STATE_UNAWARE, ContextLike, PcscContext, RawReaderState
from drivers.pcsc.errors import PcscError

__all__ = ["DEFAULT_TIMEOUT", "ReaderInfo", "list_readers", "read_atr", "snapshot"]

DEFAULT_TIMEOUT = 3.0
"""Seconds a listing may take; a healthy service answers in about a millisecond."""

SLICE = 0.5
"""Longest single wait inside :func:`read_atr` when it waits for a card (the caller can always interrupt sooner)."""


@dataclass(frozen=True)
class ReaderInfo:
    """One reader and its card. ``atr`` is the card's Answer To Reset when a card answered (else ``None``)."""

    name: str
    card_present: bool = False
    atr: bytes | None = None
    mute: bool = False
    """A card is in the reader but did not answer (no ATR): inserted the wrong way round, or broken."""
    in_use: bool = False
    """Another program has the card open (shared)."""
    exclusive: bool = False
    """Another program holds the card exclusively; others cannot use it until it lets go."""

    @property
    def atr_hex(self) -> str | None:
        """The ATR as upper-case hex without separators (``3B9513...``), or ``None``."""
        return None if self.atr is None else self.atr.hex().upper()

    @classmethod
    def from_state(cls, state: RawReaderState) -> ReaderInfo:
        present = state.present
        return cls(
            name=state.name,
            card_present=present,
            atr=state.atr if present and state.atr else None,
            mute=present and state.mute,
            in_use=present and state.in_use,
            exclusive=present and state.exclusive,
        )


def snapshot(context: ContextLike, names: list[str] | None = None) -> list[RawReaderState]:
    """The current state of ``names`` (all connected readers when ``None``), without waiting."""
    if names is None:
        names = context.list_readers()
    if not names:
        return []
    return context.get_status_change(0.0, [(name, STATE_UNAWARE) for name in names])


def list_readers(
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cancel: threading.Event | None = None,
    establish: Callable[[], ContextLike] = PcscContext.establish,
) -> list[ReaderInfo]:
    """The connected readers, each with its card state; empty when the service runs but no reader is connected.

    Raises :class:`PcscError`: ``service_unavailable`` (the service is not running), ``timeout``, ``cancelled``.
    """

    def body(job: Job) -> list[ReaderInfo]:
        for _ in range(3):  # a reader may go between the listing and the status query: list again
            try:
                return [ReaderInfo.from_state(state) for state in snapshot(job.context)]
            except PcscError as exc:
                if exc.code != "reader_unavailable" or job.abandoned:
                    raise
        return [ReaderInfo.from_state(state) for state in snapshot(job.context)]

    return run_bounded(body, what="listing the card readers", timeout=timeout, cancel=cancel, establish=establish)


def read_atr(
    reader_name: str,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    cancel: threading.Event | None = None,
    wait_for_card: bool = False,
    establish: Callable[[], ContextLike] = PcscContext.establish,
) -> bytes:
    """The ATR of the card in ``reader_name``.

    With ``wait_for_card`` the call waits, up to ``timeout`` seconds, for a card to be inserted; without it an
    empty reader fails at once. Raises :class:`PcscError`: ``service_unavailable``, ``no_readers`` (no reader
    at all), ``reader_unavailable`` (no reader of that name), ``card_removed`` (no card), ``pcsc_error`` (a card
    that does not answer), ``timeout``, ``cancelled``.
    """
    what = f"reading the card in {reader_name}"

    def body(job: Job) -> bytes:
        names = job.context.list_readers()
        if not names:
            raise PcscError("no_readers", "No card reader is connected.", reader=reader_name)
        if reader_name not in names:
            raise PcscError("reader_unavailable", f"The card reader {reader_name} is not connected.", reader=reader_name)
        (state,) = snapshot(job.context, [reader_name])
        while True:
            if state.unknown:
                raise PcscError("reader_unavailable", f"The card reader {reader_name} was disconnected.", reader=reader_name)
            info = ReaderInfo.from_state(state)
            if info.atr is not None:
                return info.atr
            if info.card_present and not wait_for_card:
                raise PcscError("pcsc_error", f"The card in {reader_name} does not answer (no ATR).", reader=reader_name)
            if not wait_for_card:
                raise PcscError("card_removed", f"There is no card in the reader {reader_name}.", reader=reader_name)
            if job.abandoned or job.remaining() <= 0:  # the caller has already raised its timeout or cancel
                raise PcscError("cancelled", f"{what} was given up.", reader=reader_name)
            try:
                (state,) = job.context.get_status_change(min(SLICE, job.remaining()), [(reader_name, state.current)])
            except PcscError as exc:
                if exc.code != "timeout":
                    raise

    return run_bounded(body, what=what, timeout=timeout, cancel=cancel, reader=reader_name, establish=establish)
