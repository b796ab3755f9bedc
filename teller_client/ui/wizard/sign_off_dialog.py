"""Dual control at the teller's desk: the supervisor signs in on the teller's screen, re-keys, decides.

The supervisor types their own ID and password (the password field is emptied as it is read, the
:class:`~teller_client.secret.Secret` wiped after the sign-in; nothing is stored), re-keys the critical fields from
the customer's documents (the USCC and the number of every account with ``pay`` rights: compared by
:meth:`~teller_client.flows.sign_off.DeskSignOff.rekey`, never shown back and not kept: each field is emptied once
compared, and only "matches" or "differs" is shown), then approves (deciding a requested fee waiver), returns to the
teller with a reason, or rejects with a reason. The maker of the application is refused before the service is
asked (which refuses them too). Whatever happens, the supervisor's session is ended when the dialog closes.

Everything that waits (sign-in, decision, sign-out) runs on the worker pool.

Object names: ``supervisorId``, ``supervisorPassword``, ``supervisorSignIn``, ``supervisorSignedIn`` (label),
``rekey0``, ``rekey1``, ... (one per critical field, USCC first) with ``rekeyResult0``, ... beside them,
``waiverApprove``, ``waiverRefuse`` (only when a waiver is requested), ``decisionReason``, ``approve``,
``returnApplication``, ``reject``, ``cancelSignOff``; the status area ``busy``/``notice``/``inlineError``.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from teller_client.api.models import ApplicationInfo
from teller_client.domain.model import Application
from teller_client.errors import TellerError
from teller_client.flows.sign_off import CriticalField, DeskSignOff, SignOffRefused, critical_fields
from teller_client.i18n import language, tr
from teller_client.store.journal import Journal
from teller_client.ui import central
from teller_client.ui.central import Endpoint, SignedIn
from teller_client.ui.error_router import error_text
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.login_page import take_password
from teller_client.ui.worker import WorkerPool

log = logging.getLogger(__name__)

OK_STYLE = "color: #1a6b1a;"
BAD_STYLE = "color: #a01010;"


class SignOffDialog(QDialog):
    """One supervisor's sign-off of one application snapshot at the teller's desk."""

    decided = Signal(object)
    """The service's :class:`~teller_client.api.models.ApplicationInfo` after the supervisor's decision."""

    def __init__(
        self,
        *,
        workers: WorkerPool,
        endpoint: Endpoint,
        application: Application,
        application_id: str,
        snapshot_hash: str,
        maker: str,
        journal: Journal,
        waiver_requested: bool = False,
        waiver_reason: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signOffDialog")
        self.setModal(True)
        self.setMinimumWidth(560)
        self._workers = workers
        self._endpoint = endpoint
        self._application = application
        self._application_id = application_id
        self._snapshot_hash = snapshot_hash
        self._maker = maker
        self._journal = journal
        self._waiver_requested = waiver_requested
        self._waiver_reason = waiver_reason
        self._signed: SignedIn | None = None
        self._desk: DeskSignOff | None = None
        self._busy = False
        self._closed = False
        self.result_info: ApplicationInfo | None = None
        self._rekey_state: dict[int, bool] = {}
        """Per re-key field: whether the last value typed matched (never the value)."""
        self.fields: tuple[CriticalField, ...] = critical_fields(application)

        self.intro = QLabel()
        self.intro.setWordWrap(True)

        # -- who signs off
        self.sign_in_box = QGroupBox()
        self.supervisor_id = QLineEdit()
        self.supervisor_id.setObjectName("supervisorId")
        self.supervisor_id.setMaxLength(32)
        self.password = QLineEdit()
        self.password.setObjectName("supervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(128)
        self.sign_in_button = QPushButton()
        self.sign_in_button.setObjectName("supervisorSignIn")
        self.sign_in_button.setAutoDefault(False)
        self.signed_in = QLabel()
        self.signed_in.setObjectName("supervisorSignedIn")
        self.signed_in.setWordWrap(True)
        self.id_label = QLabel()
        self.id_label.setBuddy(self.supervisor_id)
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)
        form = QFormLayout(self.sign_in_box)
        form.addRow(self.id_label, self.supervisor_id)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.sign_in_button)
        form.addRow(self.password_label, row)
        form.addRow(self.signed_in)

        # -- the critical fields, re-keyed
        self.rekey_box = QGroupBox()
        self.rekey_intro = QLabel()
        self.rekey_intro.setWordWrap(True)
        rekey_form = QFormLayout()
        self.rekey_labels: list[QLabel] = []
        self.rekey_edits: list[QLineEdit] = []
        self.rekey_results: list[QLabel] = []
        for index, _field in enumerate(self.fields):
            edit = QLineEdit()
            edit.setObjectName(f"rekey{index}")
            edit.setMaxLength(40)
            edit.editingFinished.connect(lambda index=index: self._rekeyed(index))
            result = QLabel()
            result.setObjectName(f"rekeyResult{index}")
            label = QLabel()
            label.setBuddy(edit)
            line = QHBoxLayout()
            line.addWidget(edit, 1)
            line.addWidget(result)
            rekey_form.addRow(label, line)
            self.rekey_labels.append(label)
            self.rekey_edits.append(edit)
            self.rekey_results.append(result)
        rekey_layout = QVBoxLayout(self.rekey_box)
        rekey_layout.addWidget(self.rekey_intro)
        rekey_layout.addLayout(rekey_form)

        # -- the fee waiver
        self.waiver_box = QGroupBox()
        self.waiver_text = QLabel()
        self.waiver_text.setWordWrap(True)
        self.waiver_approve = QRadioButton()
        self.waiver_approve.setObjectName("waiverApprove")
        self.waiver_refuse = QRadioButton()
        self.waiver_refuse.setObjectName("waiverRefuse")
        self.waiver_group = QButtonGroup(self)
        self.waiver_group.addButton(self.waiver_approve)
        self.waiver_group.addButton(self.waiver_refuse)
        waiver_layout = QVBoxLayout(self.waiver_box)
        waiver_layout.addWidget(self.waiver_text)
        waiver_layout.addWidget(self.waiver_approve)
        waiver_layout.addWidget(self.waiver_refuse)
        self.waiver_box.setVisible(waiver_requested)

        # -- the decision
        self.reason = QLineEdit()
        self.reason.setObjectName("decisionReason")
        self.reason.setMaxLength(200)
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason)
        reason_row = QFormLayout()
        reason_row.addRow(self.reason_label, self.reason)
        self.approve_button = QPushButton()
        self.approve_button.setObjectName("approve")
        self.return_button = QPushButton()
        self.return_button.setObjectName("returnApplication")
        self.reject_button = QPushButton()
        self.reject_button.setObjectName("reject")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelSignOff")
        for button in (self.approve_button, self.return_button, self.reject_button, self.cancel_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        self.decision_box = QWidget()
        decision_layout = QVBoxLayout(self.decision_box)
        decision_layout.setContentsMargins(0, 0, 0, 0)
        decision_layout.addLayout(reason_row)

        self.status = InlineStatus()

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.sign_in_box)
        layout.addWidget(self.rekey_box)
        layout.addWidget(self.waiver_box)
        layout.addWidget(self.decision_box)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.supervisor_id.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.sign_in)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.approve_button.clicked.connect(self.approve)
        self.return_button.clicked.connect(self.send_back)
        self.reject_button.clicked.connect(self.reject_application)
        self.cancel_button.clicked.connect(self.reject)

        chain: list[QWidget] = [self.supervisor_id, self.password, self.sign_in_button, *self.rekey_edits]
        chain += [self.waiver_approve, self.waiver_refuse, self.reason, self.approve_button, self.return_button]
        chain += [self.reject_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)
        self._show_stage()
        self.retranslate()

    # -- words ----------------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Supervisor sign-off at the desk"))
        self.intro.setText(
            tr(
                "Application {id}. The supervisor signs in with their own ID and password, types the fields below again "
                "from the customer's documents, and decides. The maker ({maker}) cannot sign off."
            ).format(id=self._application_id, maker=self._maker)
        )
        self.sign_in_box.setTitle(tr("1. Supervisor"))
        self.id_label.setText(tr("Supervisor's own &ID:"))
        self.password_label.setText(tr("&Password:"))
        self.sign_in_button.setText(tr("&Sign in"))
        self.rekey_box.setTitle(tr("2. Re-key from the customer's documents"))
        self.rekey_intro.setText(
            tr("Type each value again from the original documents. What is typed is compared and then cleared; it is never shown.")
        )
        zh = language() == "zh"
        for index, field in enumerate(self.fields):
            mnemonic = f"&{index + 1}" if index < 9 else str(index + 1)
            name = field.label_zh if zh else field.label_en
            self.rekey_labels[index].setText(f"{name}({mnemonic})：" if zh else f"{mnemonic} {name}:")
            self.rekey_edits[index].setAccessibleName(field.label_zh if zh else field.label_en)
            self._show_rekey(index)
        self.waiver_box.setTitle(tr("3. Fee waiver"))
        self.waiver_text.setText(
            tr("The customer asks for the fees to be waived. Reason given: {reason}").format(reason=self._waiver_reason or tr("(none)"))
        )
        self.waiver_approve.setText(tr("Appro&ve the fee waiver"))
        self.waiver_refuse.setText(tr("Re&fuse the fee waiver (fees are charged)"))
        self.reason_label.setText(tr("Reaso&n (for a return or a rejection):"))
        self.reason.setPlaceholderText(tr("Required to return or reject; the teller reads it"))
        self.approve_button.setText(tr("&Approve"))
        self.return_button.setText(tr("&Return to the teller"))
        self.reject_button.setText(tr("Re&ject"))
        self.cancel_button.setText(tr("Cancel"))
        self._show_signed_in()
        self.status.retranslate()

    def _show_signed_in(self) -> None:
        signed = self._signed
        if signed is None:
            self.signed_in.setText(tr("Not signed in."))
        else:
            self.signed_in.setText(tr("Signed in: {id} {name}").format(id=signed.login.user.id, name=signed.login.user.name))

    def _show_rekey(self, index: int) -> None:
        label = self.rekey_results[index]
        ok = self._rekey_state.get(index)
        if ok is None:
            label.clear()
            label.setAccessibleName("")
            return
        label.setText(tr("✔ matches") if ok else tr("✖ differs: type it again"))
        label.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        label.setAccessibleName(label.text())

    # -- stages ---------------------------------------------------------------------------------------------------

    def _show_stage(self) -> None:
        signed_in = self._desk is not None
        idle = not self._busy
        for widget in (self.supervisor_id, self.password, self.sign_in_button, self.id_label, self.password_label):
            widget.setEnabled(idle and not signed_in)
        self.rekey_box.setEnabled(idle and signed_in)
        self.waiver_box.setEnabled(idle and signed_in)
        self.decision_box.setEnabled(idle and signed_in)
        for button in (self.approve_button, self.return_button, self.reject_button):
            button.setEnabled(idle and signed_in)
        self.cancel_button.setEnabled(idle or not signed_in)

    def _set_busy(self, text: Callable[[], str] | None) -> None:
        self._busy = text is not None
        self.status.set_busy(text)
        self._show_stage()

    def _fail(self, exc: BaseException) -> None:
        self._set_busy(None)
        if isinstance(exc, TellerError):
            log.info("desk sign-off: %s", exc.code)
        else:
            log.error("desk sign-off failed", exc_info=(type(exc), exc, exc.__traceback__))
        self.status.show_error(lambda: error_text(exc))

    # -- signing in -------------------------------------------------------------------------------------------------

    def sign_in(self) -> None:
        if self._busy or self._desk is not None:
            return
        user_id = self.supervisor_id.text().strip().upper()
        if not user_id:
            self.password.clear()
            self.status.show_error(lambda: tr("Type the supervisor's own ID."))
            self.supervisor_id.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if user_id == self._maker.upper():
            self.password.clear()
            refused = SignOffRefused(
                "The maker of an application never approves it: another supervisor signs in.",
                "经办人不能审批自己经办的申请，请由其他主管登录审批。",
                code="maker_cannot_approve",
            )
            log.warning("desk sign-off: the maker %s tried to sign off their own application", user_id)
            self.status.show_error(lambda: error_text(refused))
            self.supervisor_id.selectAll()
            self.supervisor_id.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        password = take_password(self.password)
        if not len(password):
            password.wipe()
            self.status.show_error(lambda: tr("Type the supervisor's password."))
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        endpoint = self._endpoint
        self.status.clear_error()
        self._set_busy(lambda: tr("Signing the supervisor in..."))

        def work(_cancel: threading.Event) -> SignedIn:
            return central.sign_in(endpoint, user_id, password)  # wipes the password whatever happens

        self._workers.submit(work, self._signed_in, self._sign_in_failed)

    def _signed_in(self, signed: SignedIn) -> None:
        self._set_busy(None)
        if self._closed:  # the dialog went away while the sign-in ran: end that session at once
            self._end(signed)
            return
        try:
            desk = DeskSignOff(self._application, self._application_id, self._snapshot_hash, self._maker, signed.client, self._journal)
        except TellerError as refused:
            self._end(signed)
            error: TellerError = refused
            self.status.show_error(lambda: error_text(error))
            self.supervisor_id.selectAll()
            self.supervisor_id.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._signed, self._desk = signed, desk
        self._show_signed_in()
        self._show_stage()
        self.status.clear_error()
        target = self.rekey_edits[0] if self.rekey_edits else self.reason
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _sign_in_failed(self, exc: BaseException) -> None:
        self._fail(exc)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- re-keying ------------------------------------------------------------------------------------------------------

    def _rekeyed(self, index: int) -> None:
        desk, edit = self._desk, self.rekey_edits[index]
        if desk is None or not edit.text().strip():
            return
        self._rekey_state[index] = desk.rekey(self.fields[index].key, edit.text())
        edit.clear()  # compared; never kept nor shown back
        self._show_rekey(index)

    def rekey_all(self) -> None:
        """Compare whatever is still in the re-key fields (the focus may still be in the last one)."""
        for index in range(len(self.rekey_edits)):
            self._rekeyed(index)

    # -- deciding ------------------------------------------------------------------------------------------------------

    def approve(self) -> None:
        desk = self._desk
        if desk is None or self._busy:
            return
        self.rekey_all()
        missing = desk.mismatches()
        if missing:
            zh = language() == "zh"
            names = ("、" if zh else ", ").join(f.label_zh if zh else f.label_en for f in missing)
            self.status.show_error(lambda: tr("Re-key these fields from the customer's documents first: {fields}").format(fields=names))
            self.rekey_edits[self.fields.index(missing[0])].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        waiver: bool | None = None
        if self._waiver_requested:
            if not (self.waiver_approve.isChecked() or self.waiver_refuse.isChecked()):
                self.status.show_error(lambda: tr("Approve or refuse the fee waiver first."))
                self.waiver_approve.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            waiver = self.waiver_approve.isChecked()
        self._decide(lambda: desk.approve(fee_waiver_approved=waiver), lambda: tr("Sending the approval..."))

    def send_back(self) -> None:
        desk = self._desk
        if desk is None or self._busy:
            return
        reason = self.reason.text().strip()
        if not reason:
            self.status.show_error(lambda: tr("Say why the application goes back to the teller."))
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._decide(lambda: desk.send_back(reason), lambda: tr("Returning the application to the teller..."))

    def reject_application(self) -> None:
        desk = self._desk
        if desk is None or self._busy:
            return
        reason = self.reason.text().strip()
        if not reason:
            self.status.show_error(lambda: tr("Say why the application is rejected."))
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._decide(lambda: desk.reject(reason), lambda: tr("Rejecting the application..."))

    def _decide(self, call: Callable[[], ApplicationInfo], busy: Callable[[], str]) -> None:
        self.status.clear_error()
        self._set_busy(busy)
        self._workers.submit(lambda _cancel: call(), self._decided, self._fail)

    def _decided(self, info: ApplicationInfo) -> None:
        self._set_busy(None)
        self.result_info = info
        self.decided.emit(info)
        self.accept()

    # -- closing: the supervisor's session ends whatever happened ------------------------------------------------------------

    def done(self, result: int) -> None:
        if self._busy and self._desk is not None:
            return  # a decision is on its way: its answer closes the dialog
        self._closed = True
        signed, self._signed, self._desk = self._signed, None, None
        if signed is not None:
            self._end(signed)
        self.password.clear()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy and self._desk is not None:
            event.ignore()
            return
        super().closeEvent(event)

    def _end(self, signed: SignedIn) -> None:
        endpoint = self._endpoint

        def work(_cancel: threading.Event) -> None:
            central.end_session(endpoint, signed)

        def told(exc: BaseException) -> None:
            log.info("the supervisor's session was not ended at the service: %s", getattr(exc, "code", type(exc).__name__))

        self._workers.submit(work, lambda _none: log.info("supervisor signed out after the desk sign-off"), told)

    @property
    def supervisor(self) -> SignedIn | None:
        """The signed-in supervisor while the dialog is open (``None`` before the sign-in and after closing)."""
        return self._signed
