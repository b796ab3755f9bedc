"""Noticing that nobody has used the program for a while (the idle lock).

An application-wide event filter notes the time of every keyboard and mouse
input; one single-shot timer checks when the interval could have run out and
either reports :attr:`IdleWatcher.idle` or waits for the rest. The filter
does no more than read a clock, so it costs nothing per event.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    idle = Signal()
    """No input for the whole interval while armed; the watcher disarms itself."""

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = max(1, interval_ms)
        self._last_input = time.monotonic()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def armed(self) -> bool:
        return self._armed

    def set_interval(self, interval_ms: int) -> None:
        self.interval_ms = max(1, interval_ms)
        if self._armed:
            self._check()

    def start(self) -> None:
        """Count from now."""
        self._last_input = time.monotonic()
        self._armed = True
        self._timer.start(self.interval_ms)

    def stop(self) -> None:
        self._armed = False
        self._timer.stop()

    def uninstall(self) -> None:
        self.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False

    def _check(self) -> None:
        if not self._armed:
            return
        quiet_ms = (time.monotonic() - self._last_input) * 1000
        remaining = self.interval_ms - quiet_ms
        if remaining > 1:
            self._timer.start(max(1, math.ceil(remaining)))
            return
        self._armed = False
        self.idle.emit()
