"""The scan status area at the foot of the workspace: what was scanned, how far the form is, what is missing.

Every text is kept as a function that words it, so switching the language
rewords what is on screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from teller_client.i18n import sentences, tr
from teller_client.ui.inline_status import ERROR_STYLE

PANEL_STYLE = "QFrame#scanPanel { border-top: 1px solid #c8ccd2; background: #f4f6f8; }"
OK_STYLE = "color: #1d5e20;"
PLAIN_STYLE = "color: #333;"

Words = Callable[[], str]


class ScanPanel(QFrame):
    image_requested = Signal()
    reset_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanPanel")
        self.setStyleSheet(PANEL_STYLE)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.status = QLabel()
        self.status.setObjectName("scanStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.missing = QLabel()
        self.missing.setObjectName("scanMissing")
        self.progress = QProgressBar()
        self.progress.setObjectName("scanProgress")
        self.progress.setFixedWidth(180)
        self.progress.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.image_button = QPushButton()
        self.image_button.setObjectName("scanImage")
        self.image_button.clicked.connect(self.image_requested)
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("scanReset")
        self.reset_button.clicked.connect(self.reset_requested)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("scanCancel")
        self.cancel_button.clicked.connect(self.cancel_requested)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.status)
        text.addWidget(self.missing)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 8, 24, 8)
        layout.addWidget(self.title)
        layout.addLayout(text, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.reset_button)
        layout.addWidget(self.image_button)
        self._status: Words = lambda: ""
        self._missing: Words = lambda: ""
        self._style = PLAIN_STYLE
        self.show_idle()

    # -- states ---------------------------------------------------------------------------

    def show_idle(self) -> None:
        self._show(lambda: tr("Ready: scan the e-form's barcodes or a business licence, or open a scanned image."), PLAIN_STYLE)
        self._set_progress(None)

    def show_progress(self, form_id: str, received: int, total: int, missing: list[int], note: Words | None = None) -> None:
        def status() -> str:
            line = tr("E-form {form}: {received} of {total} parts read.").format(form=form_id, received=received, total=total)
            return sentences(line, note()) if note is not None else line

        def still() -> str:
            parts = ", ".join(str(i) for i in missing)
            return tr("Still to scan: part {parts}").format(parts=parts) if missing else ""

        self._show(status, PLAIN_STYLE, still)
        self._set_progress((received, total))

    def show_error(self, text: Words, *, keep_progress: bool = True) -> None:
        self._show(text, ERROR_STYLE, self._missing if keep_progress else None)
        if not keep_progress:
            self._set_progress(None)

    def show_busy(self, text: Words, *, cancellable: bool = False) -> None:
        self._show(text, PLAIN_STYLE, self._missing)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(cancellable)

    def show_done(self, text: Words) -> None:
        self._show(text, OK_STYLE)
        self._set_progress(None)

    @property
    def status_text(self) -> str:
        return self.status.text()

    # -- drawing --------------------------------------------------------------------------

    def _show(self, status: Words, style: str, missing: Words | None = None) -> None:
        self._status, self._style = status, style
        self._missing = missing or (lambda: "")
        self.cancel_button.setVisible(False)
        self.retranslate()

    def _set_progress(self, value: tuple[int, int] | None) -> None:
        self.progress.setVisible(value is not None)
        if value is not None:
            self.progress.setRange(0, value[1])
            self.progress.setValue(value[0])
            self.progress.setFormat("%v / %m")
        self.reset_button.setEnabled(value is not None)

    def retranslate(self) -> None:
        self.title.setText(tr("Scan"))
        self.image_button.setText(tr("Scan from &image..."))
        self.reset_button.setText(tr("Start &over"))
        self.cancel_button.setText(tr("Cancel"))
        self.status.setText(self._status())
        self.status.setStyleSheet(self._style)
        self.missing.setText(self._missing())
        self.missing.setVisible(bool(self.missing.text()))
