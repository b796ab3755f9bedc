"""The login page: the first page of the main window.

The teller types their ID and password; the workstation and the central
service are shown, not edited. The page only collects input and shows state:
the main window runs the sign-in on the worker pool.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from teller_client.i18n import tr
from teller_client.secret import Secret
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.style import make_heading

CARD_STYLE = "QFrame#card { background: palette(base); border: 1px solid #c8c8c8; border-radius: 6px; }"


def centred_card(page: QWidget, widgets: list[QWidget]) -> QFrame:
    """Lay ``widgets`` out in a framed card centred on ``page`` (the sign-in and lock pages share this look)."""
    card = QFrame()
    card.setObjectName("card")
    card.setStyleSheet(CARD_STYLE)
    card.setMinimumWidth(440)
    card.setMaximumWidth(560)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(28, 24, 28, 24)
    inner.setSpacing(14)
    for widget in widgets:
        inner.addWidget(widget)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 3)
    row.addStretch(1)
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return card


def take_password(field: QLineEdit) -> Secret:
    """The typed password as a :class:`Secret`; the field is cleared (the text is never logged or kept)."""
    secret = Secret(field.text())
    field.clear()
    return secret


class LoginPage(QWidget):
    submitted = Signal()
    """The teller asked to sign in (Enter in a field, or the Sign-in button)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginPage")
        self.heading = QLabel()
        make_heading(self.heading, 1.5)
        self.user_id = QLineEdit()
        self.user_id.setObjectName("userId")
        self.user_id.setMaxLength(32)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(128)
        self.workstation = QLabel()
        self.workstation.setObjectName("workstation")
        self.workstation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.service = QLabel()
        self.service.setObjectName("service")
        self.service.setWordWrap(True)
        self.service.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sign_in_button = QPushButton()
        self.sign_in_button.setObjectName("signIn")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        self.sign_in_button.setMinimumWidth(120)
        self.status = InlineStatus()

        self.user_label = QLabel()
        self.user_label.setBuddy(self.user_id)
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)
        self.workstation_label = QLabel()
        self.service_label = QLabel()

        self.form = QWidget()
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.user_label, self.user_id)
        form.addRow(self.password_label, self.password)
        form.addRow(self.workstation_label, self.workstation)
        form.addRow(self.service_label, self.service)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        form.addRow(buttons)

        centred_card(self, [self.heading, self.form, self.status])

        self.setTabOrder(self.user_id, self.password)
        self.setTabOrder(self.password, self.sign_in_button)
        self.user_id.returnPressed.connect(self.submitted)
        self.password.returnPressed.connect(self.submitted)
        self.sign_in_button.clicked.connect(self.submitted)
        self._service_text: Callable[[], str] = lambda: ""
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(tr("Sign in"))
        self.user_label.setText(tr("&Teller ID:"))
        self.password_label.setText(tr("&Password:"))
        self.workstation_label.setText(tr("Workstation:"))
        self.service_label.setText(tr("Central service:"))
        self.sign_in_button.setText(tr("&Sign in"))
        self.user_id.setPlaceholderText(tr("e.g. T0001"))
        self.service.setText(self._service_text())
        self.status.retranslate()

    # -- state shown -------------------------------------------------------------------

    def set_workstation(self, workstation_id: str) -> None:
        self.workstation.setText(workstation_id)

    def set_service(self, text: Callable[[], str]) -> None:
        self._service_text = text
        self.service.setText(text())

    def set_ready(self, ready: bool, busy: Callable[[], str] | None = None) -> None:
        """Let the teller type (``ready``), or show ``busy()`` with the form disabled."""
        self.form.setEnabled(ready)
        self.status.set_busy(None if ready else busy)

    def focus_first_empty(self) -> None:
        field = self.password if self.user_id.text().strip() else self.user_id
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def fail(self, text: Callable[[], str], *, focus_user: bool = False) -> None:
        """Show an error under the form; the password is cleared and the teller types again."""
        self.password.clear()
        self.set_ready(True)
        self.status.show_error(text)
        (self.user_id if focus_user else self.password).setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        """Empty fields and no message: ready for the next teller."""
        self.user_id.clear()
        self.password.clear()
        self.status.clear_error()
