"""Cut a serial scanner's byte stream into scans. Pure: no I/O, no threads; the caller passes the time.

A scan ends with the configured terminator (CR, LF, CRLF, ETX, or any of CR, LF and ETX). With
``stx_starts_scan`` an STX byte marks the start of a scan: it is removed, and an unfinished scan before it is
dropped. Control characters around the text (CR, LF, TAB, STX, ETX, NUL, ...) are trimmed; inner ones and spaces
are kept. A scan that is empty after trimming is ignored. Bytes are decoded leniently (``errors="replace"``;
the default latin-1 maps every byte), so no input can raise.

Memory is bounded: a scan longer than ``max_scan_bytes`` is discarded, and the rest of it, up to the next
terminator, STX or stall, is skipped without being stored. A partial scan that receives no byte for
``inter_char_timeout`` seconds is dropped, so it is never glued to the next scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from drivers.scanner.settings import Terminator

STX = 0x02
ETX = 0x03
LF = 0x0A
CR = 0x0D

_TRIM = "".join(chr(c) for c in range(0x20)) + "\x7f"
_BLANK = bytes(range(0x21)) + b"\x7f"
_ENDS: dict[Terminator, frozenset[int]] = {
    Terminator.CR: frozenset({CR}),
    Terminator.LF: frozenset({LF}),
    Terminator.CRLF: frozenset(),  # handled as a pair
    Terminator.ETX: frozenset({ETX}),
    Terminator.ANY: frozenset({CR, LF, ETX}),
}


@dataclass(frozen=True)
class Dropped:
    """Bytes thrown away instead of delivered: a ``partial`` scan that stalled or was cut short, or an ``overlong`` one."""

    reason: Literal["partial", "overlong"]
    size: int
    """Bytes thrown away so far (for ``overlong``, the cap plus one: the rest is skipped unseen)."""
    detail: str


FrameEvent = str | Dropped
"""A complete scan's text, or a note that something was dropped."""


class ScanFramer:
    """Turns chunks of bytes into scan texts and :class:`Dropped` notes. Not thread-safe: one reader feeds it."""

    def __init__(
        self,
        *,
        terminator: Terminator = Terminator.ANY,
        stx_starts_scan: bool = True,
        encoding: str = "latin-1",
        max_scan_bytes: int = 8192,
        inter_char_timeout: float | None = 0.3,
    ) -> None:
        self._terminator = Terminator(terminator)
        self._ends = _ENDS[self._terminator]
        self._crlf = self._terminator is Terminator.CRLF
        self._stx = stx_starts_scan
        self._encoding = encoding
        self._max = max_scan_bytes
        self._stall = inter_char_timeout
        self._buf = bytearray()
        self._pending_cr = False
        self._discarding = False
        self._last_byte_at: float | None = None

    @property
    def pending(self) -> bool:
        """Whether bytes of an unfinished scan (or of a discarded one) are being held or skipped."""
        return bool(self._buf) or self._pending_cr or self._discarding

    def feed(self, data: bytes, now: float) -> list[FrameEvent]:
        """Take ``data`` received at ``now`` (a monotonic clock, in seconds); return what it completed, in order."""
        out = self.check(now)
        if data:
            self._last_byte_at = now
            for byte in data:
                self._take(byte, out)
        return out

    def check(self, now: float) -> list[FrameEvent]:
        """Drop a partial scan that has received no byte for the inter-character timeout."""
        out: list[FrameEvent] = []
        last = self._last_byte_at
        if self._stall is not None and last is not None and self.pending and now - last >= self._stall:
            self._restart(out, f"no more bytes for {self._stall * 1000:.0f} ms before its terminator")
        return out

    def reset(self, why: str = "the port was lost") -> list[FrameEvent]:
        """Forget anything pending (e.g. when the port is lost); a non-empty partial scan is reported."""
        out: list[FrameEvent] = []
        self._restart(out, why)
        return out

    def _take(self, byte: int, out: list[FrameEvent]) -> None:
        if byte == STX and self._stx:
            self._restart(out, "a new scan began (STX) before its terminator")
        elif self._crlf:
            if self._pending_cr:
                self._pending_cr = False
                if byte == LF:
                    self._finish(out)
                    return
                self._append(CR, out)
            if byte == CR:
                self._pending_cr = True
            else:
                self._append(byte, out)
        elif byte in self._ends:
            self._finish(out)
        else:
            self._append(byte, out)

    def _append(self, byte: int, out: list[FrameEvent]) -> None:
        if self._discarding:
            return
        if len(self._buf) >= self._max:
            size = len(self._buf) + 1
            self._buf = bytearray()
            self._discarding = True
            out.append(Dropped("overlong", size, f"Discarded a scan longer than {self._max} bytes; the rest of it is skipped."))
            return
        self._buf.append(byte)

    def _finish(self, out: list[FrameEvent]) -> None:
        if self._discarding:
            self._discarding = False
            return
        raw, self._buf = bytes(self._buf), bytearray()
        text = raw.decode(self._encoding, errors="replace").strip(_TRIM)
        if text.strip():
            out.append(text)

    def _restart(self, out: list[FrameEvent], why: str) -> None:
        held = bytes(self._buf) + (b"\r" if self._pending_cr else b"")
        was_discarding = self._discarding
        self._buf = bytearray()
        self._pending_cr = False
        self._discarding = False
        if not was_discarding and held.strip(_BLANK):
            out.append(Dropped("partial", len(held), f"Dropped an incomplete scan of {len(held)} bytes: {why}."))
