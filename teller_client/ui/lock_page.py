"""The lock page: covers the teller's work until the same teller types their password again, or signs out.

The page shows nothing of the work underneath; the main window keeps that
page as it was and shows it again after unlocking.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from teller_client.api.models import UserInfo
from teller_client.i18n import tr
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.login_page import centred_card
from teller_client.ui.style import make_heading


class LockPage(QWidget):
    unlock_requested = Signal()
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockPage")
        self.heading = QLabel()
        make_heading(self.heading, 1.5)
        self.who = QLabel()
        self.who.setObjectName("lockedBy")
        self.who.setWordWrap(True)
        self.password_label = QLabel()
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(128)
        self.password_label.setBuddy(self.password)
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.setAutoDefault(True)
        self.sign_out_button = QPushButton()
        self.sign_out_button.setObjectName("lockSignOut")
        self.status = InlineStatus()

        self.form = QWidget()
        form = QVBoxLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        field_row = QHBoxLayout()
        field_row.addWidget(self.password_label)
        field_row.addWidget(self.password, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.unlock_button)
        form.addLayout(field_row)
        form.addLayout(buttons)

        centred_card(self, [self.heading, self.who, self.form, self.status])

        self.setTabOrder(self.password, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.sign_out_button)
        self.password.returnPressed.connect(self.unlock_requested)
        self.unlock_button.clicked.connect(self.unlock_requested)
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        self._user: UserInfo | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(tr("Screen locked"))
        self.password_label.setText(tr("&Password:"))
        self.unlock_button.setText(tr("&Unlock"))
        self.sign_out_button.setText(tr("Sign &out"))
        if self._user is not None:
            self.who.setText(
                tr("Signed in: {name} ({id}). Type your password to continue, or sign out.").format(name=self._user.name, id=self._user.id)
            )
        self.status.retranslate()

    def show_for(self, user: UserInfo) -> None:
        """Ready for ``user`` to unlock: empty password, no message."""
        self._user = user
        self.password.clear()
        self.status.clear_error()
        self.set_ready(True)
        self.retranslate()

    def set_ready(self, ready: bool) -> None:
        self.form.setEnabled(ready)
        self.status.set_busy(None if ready else (lambda: tr("Checking the password...")))

    def focus_password(self) -> None:
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
