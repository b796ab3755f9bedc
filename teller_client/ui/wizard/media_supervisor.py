"""A supervisor acts on the teller's screen: signs in with their own ID and password, gives a reason, and the action runs.

Used by the media page for a certificate order's re-authorization (a new authorization code) and a spoiled
letter's reprint. The supervisor signs in with a client of their own (:func:`teller_client.ui.central.sign_in`),
on a worker; the password is taken from its field into a :class:`~teller_client.secret.Secret` and the field is
cleared at once; the secret is wiped by the sign-in whatever happens. The teller of the application cannot act
as the supervisor, nor can anyone without the supervisor role. The supervisor's session ends (on the worker) as
soon as the action is done or failed.

Object names: ``supervisorId``, ``supervisorPassword``, ``supervisorReason``, ``supervisorOk``, ``supervisorCancel``;
the inline status is ``supervisorStatus``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from teller_client.api.client import CentralClient
from teller_client.errors import CancelledError, TellerError
from teller_client.flows.sign_off import check_second_person
from teller_client.i18n import tr
from teller_client.ui.central import end_session, sign_in
from teller_client.ui.error_router import error_text
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.login_page import take_password
from teller_client.ui.worker import Job, WorkerPool

log = logging.getLogger(__name__)

SupervisorAction = Callable[[CentralClient, str], Any]
"""Runs on a worker with the signed-in supervisor's client and the reason they gave."""


class SupervisorDialog(QDialog):
    """Window-modal, never blocking: :meth:`open` it; :attr:`succeeded` says the action was done."""

    succeeded = Signal()

    def __init__(
        self,
        workers: WorkerPool,
        endpoint: Callable[[], Any],
        *,
        teller_id: str,
        title: str,
        explanation: str,
        action: SupervisorAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supervisorDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._workers = workers
        self._endpoint = endpoint
        self._teller_id = teller_id
        self._action = action
        self._job: Job | None = None

        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.user_id = QLineEdit()
        self.user_id.setObjectName("supervisorId")
        self.user_id.setMaxLength(32)
        self.password = QLineEdit()
        self.password.setObjectName("supervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        self.reason = QLineEdit()
        self.reason.setObjectName("supervisorReason")
        self.reason.setMaxLength(200)
        self.status = InlineStatus()
        self.status.setObjectName("supervisorStatus")
        self.ok = QPushButton()
        self.ok.setObjectName("supervisorOk")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.submit)
        self.cancel = QPushButton()
        self.cancel.setObjectName("supervisorCancel")
        self.cancel.clicked.connect(self.reject)

        self.id_label = QLabel()
        self.id_label.setBuddy(self.user_id)
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason)
        form = QFormLayout()
        form.addRow(self.id_label, self.user_id)
        form.addRow(self.password_label, self.password)
        form.addRow(self.reason_label, self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setTabOrder(self.user_id, self.password)
        self.setTabOrder(self.password, self.reason)
        self.setTabOrder(self.reason, self.ok)
        self.setTabOrder(self.ok, self.cancel)
        self.retranslate()

    def retranslate(self) -> None:
        self.id_label.setText(tr("Supervisor &ID:"))
        self.password_label.setText(tr("&Password:"))
        self.reason_label.setText(tr("&Reason:"))
        self.ok.setText(tr("&Authorize"))
        self.cancel.setText(tr("Cancel"))
        self.status.retranslate()

    @property
    def busy(self) -> bool:
        return self._job is not None

    def submit(self) -> None:
        if self._job is not None:
            return
        user_id = self.user_id.text().strip()
        reason = self.reason.text().strip()
        if not user_id:
            self._refuse(lambda: tr("Type the supervisor's ID."), self.user_id)
            return
        if not self.password.text():
            self._refuse(lambda: tr("The supervisor types their password."), self.password)
            return
        if not reason:
            self._refuse(lambda: tr("Give the reason."), self.reason)
            return
        endpoint = self._endpoint()
        if endpoint is None:
            self._refuse(lambda: tr("The central service is not available yet."), self.user_id)
            return
        password = take_password(self.password)  # the only copy left is the secret, wiped by the sign-in
        teller_id, action = self._teller_id, self._action

        def work(cancel: threading.Event) -> str:
            signed = sign_in(endpoint, user_id, password)
            try:
                user = signed.login.user
                check_second_person(user, teller_id)
                if cancel.is_set():
                    raise CancelledError()
                action(signed.client, reason)
                return user.id
            finally:
                try:
                    end_session(endpoint, signed)
                except TellerError as exc:
                    log.info("the supervisor's session was not ended at the service: %s", exc.code)

        self.status.clear_error()
        self.status.set_busy(lambda: tr("Checking the supervisor's password and asking the central service..."))
        self._enable(False)
        self._job = self._workers.submit(work, self._done, self._failed)

    def reject(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.password.clear()
        super().reject()

    def _done(self, supervisor_id: str) -> None:
        self._job = None
        self.status.set_busy(None)
        log.info("supervisor %s acted on the teller's screen", supervisor_id)
        self.accept()
        self.succeeded.emit()

    def _failed(self, exc: BaseException) -> None:
        self._job = None
        self.status.set_busy(None)
        self._enable(True)
        self.status.show_error(lambda: error_text(exc))
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _refuse(self, text: Callable[[], str], field: QWidget) -> None:
        self.status.show_error(text)
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _enable(self, enabled: bool) -> None:
        for widget in (self.user_id, self.password, self.reason, self.ok):
            widget.setEnabled(enabled)
