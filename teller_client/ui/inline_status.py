"""The busy indicator and the inline error under a form (the login and lock pages).

An error is kept as a function that words it, so switching the language
rewords the message on screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

ERROR_STYLE = "color: #8a1010; background: #fdecea; border: 1px solid #e8a5a0; border-radius: 4px; padding: 8px;"
NOTICE_STYLE = "color: #333;"


class InlineStatus(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("busy")
        self.busy_bar.setRange(0, 0)  # indeterminate: "working"
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(6)
        self.busy_bar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setAccessibleName("error")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        self._busy_text: Callable[[], str] | None = None
        self._error_text: Callable[[], str] | None = None
        self.set_busy(None)
        self.clear_error()

    @property
    def busy(self) -> bool:
        return self._busy_text is not None

    def set_busy(self, text: Callable[[], str] | None) -> None:
        """Show the busy indicator with ``text()`` (``None``: not busy)."""
        self._busy_text = text
        self.busy_bar.setVisible(text is not None)
        self.notice.setVisible(text is not None)
        self.notice.setText(text() if text is not None else "")

    def show_error(self, text: Callable[[], str]) -> None:
        self._error_text = text
        self.error.setText(text())
        self.error.setVisible(True)

    def clear_error(self) -> None:
        self._error_text = None
        self.error.clear()
        self.error.setVisible(False)

    def error_shown(self) -> str:
        return self.error.text() if self._error_text is not None else ""

    def retranslate(self) -> None:
        if self._busy_text is not None:
            self.notice.setText(self._busy_text())
        if self._error_text is not None:
            self.error.setText(self._error_text())
