"""What keeps the teller on this page: its errors and unconfirmed warnings, with one key to confirm the warnings."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from teller_client.domain.problems import Severity
from teller_client.flows.signing import SigningState
from teller_client.i18n import tr
from teller_client.ui.wizard.fields import ERROR_COLOUR, WARNING_COLOUR, problem_lines

MAX_LINES = 6


class ProblemPanel(QWidget):
    confirm_warnings = Signal()
    """The teller checked the warnings shown and goes on with them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemPanel")
        self.text = QLabel()
        self.text.setObjectName("pageProblems")
        self.text.setWordWrap(True)
        self.confirm = QPushButton()
        self.confirm.setObjectName("confirmWarnings")
        self.confirm.clicked.connect(self.confirm_warnings.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 4, 16, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.confirm)
        self.setVisible(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.confirm.setText(tr("I have checked the &warnings"))

    def show_state(self, state: SigningState) -> None:
        page = state.page
        problems = state.blocking(page)
        shown = problems[:MAX_LINES]
        more = len(problems) - len(shown)
        text = problem_lines(shown)
        if more:
            text += "\n" + tr("... and {count} more").format(count=more)
        errors = any(p.severity is Severity.ERROR for p in problems)
        self.text.setText(text)
        self.text.setAccessibleName(text)
        self.text.setStyleSheet(f"color: {ERROR_COLOUR if errors else WARNING_COLOUR};")
        self.confirm.setVisible(any(p.overridable for p in problems))
        self.setVisible(bool(problems))
