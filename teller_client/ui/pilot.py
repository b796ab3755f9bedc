"""Driving the real window as a person would: key presses and clicks, waits on what the screen shows, counted.

A *script* is a generator: it performs actions (:meth:`Pilot.click`, :meth:`Pilot.press`, :meth:`Pilot.type`,
:meth:`Pilot.scan`) and yields :class:`Wait` conditions; :class:`Pilot` resumes it from a timer on the GUI thread
once the condition holds, so the window keeps working (workers report, pages refresh) while the script waits,
exactly as it does for a teller. Each action is counted for whoever performs it (teller or supervisor), from the
moment :meth:`Pilot.start_counting` is called (the autopilot starts after the scan).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget

log = logging.getLogger(__name__)

POLL_MS = 20


@dataclass(frozen=True)
class Wait:
    """Resume the script when ``until()`` is true; fail with ``what`` after ``timeout`` seconds."""

    until: Callable[[], bool]
    what: str
    timeout: float = 30.0


Script = Generator[Wait, None, None]


class PilotFailed(Exception):
    """The screen did not show what the script waited for (or an action was not possible)."""


@dataclass
class Counts:
    actions: dict[str, int] = field(default_factory=dict)
    typed: dict[str, int] = field(default_factory=dict)

    def add(self, actor: str, typed: bool = False) -> None:
        self.actions[actor] = self.actions.get(actor, 0) + 1
        if typed:
            self.typed[actor] = self.typed.get(actor, 0) + 1


def send_key(target: QWindow | QWidget, key: int, text: str = "", modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press and release one key as the platform delivers it (not QTest: its key calls leak under PySide6 6.12)."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers, text))


class Pilot(QObject):
    finished = Signal(object)
    """``None`` when the script ran to its end, else the exception that stopped it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.counts = Counts()
        self.counting = False
        self.actor = "teller"
        self._script: Script | None = None
        self._wait: Wait | None = None
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    # -- running a script -----------------------------------------------------------------------------------

    def run(self, script: Script) -> None:
        self._script = script
        self._advance()

    def _advance(self) -> None:
        assert self._script is not None
        try:
            self._wait = next(self._script)
        except StopIteration:
            self._stop(None)
            return
        except Exception as exc:  # the script's own failure (a PilotFailed or a bug): report it
            self._stop(exc)
            return
        self._deadline = time.monotonic() + self._wait.timeout
        self._timer.start()

    def _poll(self) -> None:
        wait = self._wait
        if wait is None:
            return
        try:
            ready = wait.until()
        except Exception as exc:
            self._stop(exc)
            return
        if ready:
            self._timer.stop()
            self._wait = None
            self._advance()
        elif time.monotonic() > self._deadline:
            self._stop(PilotFailed(f"timed out after {wait.timeout:.0f} s waiting for: {wait.what}"))

    def _stop(self, error: BaseException | None) -> None:
        self._timer.stop()
        self._wait = None
        if self._script is not None and error is not None:
            self._script.close()
        self._script = None
        self.finished.emit(error)

    # -- acting ------------------------------------------------------------------------------------------------------

    def start_counting(self) -> None:
        self.counting = True

    def as_actor(self, actor: str) -> None:
        """Who performs the next actions (``teller`` or ``supervisor``)."""
        self.actor = actor

    def _count(self, typed: bool = False) -> None:
        if self.counting:
            self.counts.add(self.actor, typed)

    def count_action(self) -> None:
        """Count one action done another way (e.g. opening a queue item with Enter)."""
        self._count()

    def choose(self, combo: QComboBox, index: int) -> None:
        """Pick an entry of a drop-down (counted once), as with the keyboard: the page hears ``activated``."""
        if not combo.isVisible() or not combo.isEnabled():
            raise PilotFailed(f"cannot choose in {combo.objectName()!r}: not visible or not enabled")
        self._count()
        combo.setCurrentIndex(index)
        combo.activated.emit(index)

    def click(self, button: QAbstractButton, what: str = "") -> None:
        """One click (counted): the button must be visible and enabled, as for a person."""
        if not button.isVisible() or not button.isEnabled():
            raise PilotFailed(f"cannot press {what or button.objectName() or button.text()!r}: not visible or not enabled")
        self._count()
        button.click()

    def press(
        self, target: QWindow | QWidget, key: int, text: str = "", modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        """One key press (counted), e.g. Enter or Alt+N."""
        self._count()
        send_key(target, key, text, modifiers)

    def type(self, widget: QWidget, text: str) -> None:
        """Type ``text`` into ``widget`` key by key (counted once, as one typed field)."""
        self._count(typed=True)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        for ch in text:
            send_key(widget, ord(ch.upper()) if ch.isascii() and ch.isalnum() else 0, ch)

    def scan(self, window: QWindow, text: str) -> None:
        """What a keyboard-wedge scanner does: every character as a key press, then Enter (not a teller action)."""
        for ch in text:
            send_key(window, ord(ch.upper()) if ch.isascii() and ch.isalnum() else ord(ch), ch)
        send_key(window, Qt.Key.Key_Return, "\r")
