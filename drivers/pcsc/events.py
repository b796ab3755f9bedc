"""What a :class:`~drivers.pcsc.watcher.ReaderWatcher` reports: reader and card events, and the service's health."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["OnEvent", "ReaderEvent", "ReaderEventKind"]


class ReaderEventKind(StrEnum):
    CARD_INSERTED = "card_inserted"
    """A card is in ``reader``; ``atr`` is its ATR (``None`` for a card that does not answer)."""
    CARD_REMOVED = "card_removed"
    """The card left ``reader``; ``atr`` is the ATR it had."""
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    SERVICE_LOST = "service_lost"
    """The smart card service stopped (or was not running at start): every reader and card is gone from view."""
    SERVICE_BACK = "service_back"
    """The service runs again; ``reader_added`` and ``card_inserted`` for what is there now follow at once."""


@dataclass(frozen=True)
class ReaderEvent:
    """One event. ``at`` is the watcher's monotonic clock (``time.monotonic()``) when it saw the change."""

    kind: ReaderEventKind
    reader: str | None = None
    atr: bytes | None = None
    at: float = 0.0
    message: str = ""
    """Plain English detail, e.g. why the service was lost."""

    @property
    def atr_hex(self) -> str | None:
        return None if self.atr is None else self.atr.hex().upper()


OnEvent = Callable[[ReaderEvent], None]
