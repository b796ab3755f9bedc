"""Keyboard-wedge barcode scanners: tell a scan from typing, wherever the focus is.

A USB wedge scanner "types" what it reads, far faster than a person, into
whatever has the focus. :class:`WedgeDetector` watches every key press of the
application (an event filter on the top-level windows, so each press is seen
once, before any widget): a press that could begin ``EF1:`` is held back; if
the next characters complete ``EF1:`` within :attr:`max_gap_ms` of each other,
the burst is a scan — every key up to Enter (or Tab) is taken away from the
focused field and the text is emitted as :attr:`scanned`. Anything else (a
slow key, another character, a shortcut) releases the held keys to the field
unchanged, in order, so a teller typing "E" sees their "E" a few tens of
milliseconds later and nothing else.

A burst that stops before its Enter is emitted as :attr:`broken` (a misread to
scan again); nothing of it reaches the field. Caps Lock does not matter: the
prefix is matched in either case and the codec upper-cases the text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication

PREFIX = "EF1:"
DEFAULT_MAX_GAP_MS = 50
"""Wedge scanners type a character every 1–20 ms; a person rarely two within 50 ms."""
DEFAULT_STALL_MS = 400
"""A burst silent this long has lost its end (scanner unplugged, misread)."""
MAX_SCAN_CHARS = 8192
"""Longer than any symbol of the contract; a runaway burst is cut here."""
TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
MODIFIER_KEYS = frozenset(
    {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr, Qt.Key.Key_Meta, Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock}
)
"""Scanners press Shift for capitals (and some toggle Caps Lock): these neither start nor end a burst."""
COMMAND_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


@dataclass(frozen=True)
class _Held:
    window: QWindow
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class WedgeDetector(QObject):
    scanned = Signal(str)
    """A complete scan (the text without its Enter), from the keyboard."""
    broken = Signal(str)
    """A scan that stopped before its end (the characters read so far); it went nowhere else."""

    def __init__(self, parent: QObject | None = None, *, max_gap_ms: int = DEFAULT_MAX_GAP_MS, stall_ms: int = DEFAULT_STALL_MS) -> None:
        super().__init__(parent)
        self.max_gap_ms = max_gap_ms
        self.stall_ms = stall_ms
        self.enabled = True
        self._held: list[_Held] = []
        self._capturing = False
        self._text: list[str] = []
        self._swallow_releases = 0
        self._last = 0.0
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()

    @property
    def busy(self) -> bool:
        """Keys are held back or a scan is being read."""
        return bool(self._held) or self._capturing

    # -- the filter ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or not isinstance(watched, QWindow):
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._press(watched, event)
        if kind == QEvent.Type.KeyRelease and self._swallow_releases > 0:
            self._swallow_releases -= 1
            return True
        return False

    def _press(self, window: QWindow, event: QKeyEvent) -> bool:
        if event.key() in MODIFIER_KEYS:
            if self._capturing or self._held:
                self._swallow_releases += 1
                return True
            return False
        now = time.monotonic()
        gap_ms = (now - self._last) * 1000.0
        self._last = now
        if self._capturing:
            return self._capture(event, gap_ms)
        if not self._held and gap_ms > self.stall_ms:
            self._swallow_releases = 0  # releases of an earlier scan that never came
        text = event.text()
        plain = not (event.modifiers() & COMMAND_MODIFIERS) and len(text) == 1
        position = len(self._held)
        if self.enabled and plain and text.upper() == PREFIX[position] and (position == 0 or gap_ms <= self.max_gap_ms):
            self._held.append(_Held(window, event.key(), event.modifiers(), text))
            self._swallow_releases += 1
            if len(self._held) == len(PREFIX):
                self._held.clear()
                self._capturing = True
                self._text = list(PREFIX)
                self._timer.start(self.stall_ms)
            else:
                self._timer.start(self.max_gap_ms)
            return True
        if self._held:  # not a scan after all: the held keys go to the field first, then this one
            self._release_held()
        return False

    def _capture(self, event: QKeyEvent, gap_ms: float) -> bool:
        self._swallow_releases += 1
        if event.key() in TERMINATORS:
            self._finish()
            return True
        text = event.text()
        if len(text) == 1 and text.isprintable():
            self._text.append(text)
            if len(self._text) > MAX_SCAN_CHARS:
                self._break()
                return True
        self._timer.start(self.stall_ms)
        return True

    def _timed_out(self) -> None:
        if self._capturing:
            self._break()
        elif self._held:
            self._release_held()

    def _finish(self) -> None:
        text = "".join(self._text)
        self._stop_capture()
        self.scanned.emit(text)

    def _break(self) -> None:
        text = "".join(self._text)
        self._stop_capture()
        self.broken.emit(text)

    def _stop_capture(self) -> None:
        self._timer.stop()
        self._capturing = False
        self._text = []

    def _release_held(self) -> None:
        """Give the held key presses (and their releases) to the windows they were meant for, in order."""
        self._timer.stop()
        held, self._held = self._held, []
        self._swallow_releases = 0
        self._replaying = True
        try:
            for h in held:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(h.window, QKeyEvent(kind, h.key, h.modifiers, h.text))
        finally:
            self._replaying = False
