"""The completion page: the confirmation for the customer's signatures, the handover slip, what the customer takes away.

What was handed over is read from the journal (:mod:`teller_client.flows.completion`): the UKeys with their
certificate serials, the letters with their serials, and the agreement number. The confirmation and the
handover slip are laid out on a worker and printed on the documents printer (setting ``printer.documents``, see
:mod:`teller_client.flows.counter`), or saved as PDF where the office has no printer; printing can be cancelled.
The supervisor named on the confirmation is the one who approved the application at the central service.

**Finish** (once the confirmation was printed or saved) marks the draft completed (``session.status =
"completed"``, saved by the wizard) and emits :attr:`CompletionPage.finished`, which the window connects to
go back to its start page.

Object names: ``completionIntro``, ``completionAgreement``, ``completionItems`` (the table of what the customer
takes away), ``completionReceiverName``, ``completionReceiverIdType``, ``completionReceiverId``,
``completionPrintConfirmation``, ``completionSaveConfirmation``, ``completionPrintSlip``, ``completionSaveSlip``,
``completionStatus``, ``completionNotice`` (what was printed or saved), ``completionCancel``, ``completionFinish``,
``completionHint``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from drivers.printing import PrintError, PrintJob
from teller_client.api.models import HistoryEntry
from teller_client.documents.confirmation import render_confirmation
from teller_client.documents.custody import render_handover_slip
from teller_client.domain.value_labels import value_names
from teller_client.errors import CancelledError, TellerError
from teller_client.flows import completion, counter, media
from teller_client.flows.completion import Desk
from teller_client.flows.device_errors import device_error
from teller_client.flows.media import MediaPlan
from teller_client.flows.printers import print_timeout
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language, tr
from teller_client.store.journal import Journal
from teller_client.ui.error_router import error_text
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.wizard.media_state import plan_error
from teller_client.ui.wizard.page import WizardContext, WizardPage

log = logging.getLogger(__name__)

Paper = Literal["confirmation", "slip"]


@dataclass(frozen=True)
class _Handed:
    plan: MediaPlan
    ukeys: list[tuple[str, str, str]]
    letters: list[tuple[str, str]]


def approver(history: Sequence[HistoryEntry]) -> str:
    """The user ID of the supervisor whose approval the application was submitted under (the latest approval)."""
    for entry in reversed(history):
        if entry.action == "approved":
            return str(entry.actor)
    return ""


class CompletionPage(WizardPage):
    page = Page.COMPLETION
    finished = Signal()
    """The teller pressed Finish: the draft is completed (the wizard saves it); show the start page."""

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.intro = QLabel()
        self.intro.setObjectName("completionIntro")
        self.intro.setWordWrap(True)
        self.agreement = QLabel()
        self.agreement.setObjectName("completionAgreement")
        font = self.agreement.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)  # grows with the system font size
        font.setBold(True)
        self.agreement.setFont(font)
        self.agreement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.items_caption = QLabel()
        self.items = QTableWidget(0, 4)
        self.items.setObjectName("completionItems")
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.verticalHeader().setVisible(False)
        self.items.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.items.horizontalHeader().setStretchLastSection(True)
        self.items_caption.setBuddy(self.items)

        self.receiver_box = QGroupBox()
        self.receiver_name = QLineEdit()
        self.receiver_name.setObjectName("completionReceiverName")
        self.receiver_id_type = QComboBox()
        self.receiver_id_type.setObjectName("completionReceiverIdType")
        self.receiver_id = QLineEdit()
        self.receiver_id.setObjectName("completionReceiverId")
        self.receiver_name_label = QLabel()
        self.receiver_name_label.setBuddy(self.receiver_name)
        self.receiver_id_type_label = QLabel()
        self.receiver_id_type_label.setBuddy(self.receiver_id_type)
        self.receiver_id_label = QLabel()
        self.receiver_id_label.setBuddy(self.receiver_id)
        receiver = QFormLayout(self.receiver_box)
        receiver.addRow(self.receiver_name_label, self.receiver_name)
        receiver.addRow(self.receiver_id_type_label, self.receiver_id_type)
        receiver.addRow(self.receiver_id_label, self.receiver_id)

        self.papers_box = QGroupBox()
        self.confirmation_label = QLabel()
        self.slip_label = QLabel()
        self.print_confirmation = QPushButton()
        self.print_confirmation.setObjectName("completionPrintConfirmation")
        self.print_confirmation.clicked.connect(lambda _checked=False: self.produce("confirmation"))
        self.save_confirmation = QPushButton()
        self.save_confirmation.setObjectName("completionSaveConfirmation")
        self.save_confirmation.clicked.connect(lambda _checked=False: self._ask_path("confirmation"))
        self.print_slip = QPushButton()
        self.print_slip.setObjectName("completionPrintSlip")
        self.print_slip.clicked.connect(lambda _checked=False: self.produce("slip"))
        self.save_slip = QPushButton()
        self.save_slip.setObjectName("completionSaveSlip")
        self.save_slip.clicked.connect(lambda _checked=False: self._ask_path("slip"))
        papers = QGridLayout(self.papers_box)
        papers.addWidget(self.confirmation_label, 0, 0)
        papers.addWidget(self.print_confirmation, 0, 1)
        papers.addWidget(self.save_confirmation, 0, 2)
        papers.addWidget(self.slip_label, 1, 0)
        papers.addWidget(self.print_slip, 1, 1)
        papers.addWidget(self.save_slip, 1, 2)
        papers.setColumnStretch(0, 1)

        self.status = InlineStatus()
        self.status.setObjectName("completionStatus")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("completionCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        self.notice = QLabel()
        self.notice.setObjectName("completionNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #1e7b34;")
        self.hint = QLabel()
        self.hint.setObjectName("completionHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        self.finish_button = QPushButton()
        self.finish_button.setObjectName("completionFinish")
        self.finish_button.clicked.connect(self.finish)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        finish_row = QHBoxLayout()
        finish_row.addWidget(self.hint, 1)
        finish_row.addWidget(self.finish_button)

        self.body.addWidget(self.intro)
        self.body.addWidget(self.agreement)
        self.body.addWidget(self.items_caption)
        self.body.addWidget(self.items)
        self.body.addWidget(self.receiver_box)
        self.body.addWidget(self.papers_box)
        self.body.addLayout(status_row)
        self.body.addWidget(self.notice)
        self.body.addLayout(finish_row)
        self.body.addStretch(1)
        for first, second in (
            (self.items, self.receiver_name),
            (self.receiver_name, self.receiver_id_type),
            (self.receiver_id_type, self.receiver_id),
            (self.receiver_id, self.print_confirmation),
            (self.print_confirmation, self.save_confirmation),
            (self.save_confirmation, self.print_slip),
            (self.print_slip, self.save_slip),
            (self.save_slip, self.cancel_button),
            (self.cancel_button, self.finish_button),
        ):
            self.setTabOrder(first, second)

        self._generation = 0
        self._handed: _Handed | None = None
        self._loading = False
        self._loaded_for: str | None = None
        self._load_error: BaseException | None = None
        self._stop: threading.Event | None = None
        self._confirmation_out = False
        self.retranslate()

    # -- the session ------------------------------------------------------------------------------------------------

    def bind(self, session: SigningSession) -> None:
        if session is not self.session:
            self._generation += 1
            if self._stop is not None:
                self._stop.set()
            self._handed, self._loading, self._loaded_for, self._load_error, self._stop = None, False, None, None, None
            self._confirmation_out = False
            self.notice.clear()
            self.status.set_busy(None)
            self.status.clear_error()
            self._fill_receiver(session)
        super().bind(session)

    def refresh(self) -> None:
        session = self.session
        if session is None:
            return
        if (
            session.state.page == Page.COMPLETION
            and session.application_id is not None
            and self._loaded_for != session.application_id
            and not self._loading
        ):
            self.reload()
        self._render()

    def entered(self) -> None:
        target = self.print_confirmation if self.print_confirmation.isEnabled() else self.save_confirmation
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def retranslate(self) -> None:
        super().retranslate()
        self.items_caption.setText(tr("What the customer takes a&way:"))
        self.items.setHorizontalHeaderLabels([tr("Item"), tr("Serial"), tr("For"), tr("Details")])
        self.receiver_box.setTitle(tr("Handed to (for the handover slip)"))
        self.receiver_name_label.setText(tr("Receiver's na&me:"))
        self.receiver_id_type_label.setText(tr("ID &type:"))
        self.receiver_id_label.setText(tr("ID n&umber:"))
        current = self.receiver_id_type.currentData()
        self.receiver_id_type.clear()
        for value, name in value_names("id_type", language()).items():
            self.receiver_id_type.addItem(name, value)
        if current is not None:
            self.receiver_id_type.setCurrentIndex(max(0, self.receiver_id_type.findData(current)))
        self.papers_box.setTitle(tr("Papers"))
        self.confirmation_label.setText(tr("Confirmation, for the customer's signatures and seal"))
        self.slip_label.setText(tr("Handover slip, signed by the receiver"))
        self.print_confirmation.setText(tr("&Print confirmation"))
        self.print_confirmation.setToolTip(tr("On the documents printer (Alt+P)"))
        self.save_confirmation.setText(tr("Save confirmation as P&DF..."))
        self.print_slip.setText(tr("Print &handover slip"))
        self.save_slip.setText(tr("Sa&ve handover slip as PDF..."))
        self.cancel_button.setText(tr("&Cancel"))
        self.finish_button.setText(tr("&Finish"))
        self.status.retranslate()
        self._render()

    def _fill_receiver(self, session: SigningSession) -> None:
        """The legal representative by default: whoever else comes is typed in."""
        rep = session.get("/customer/legal_rep") or {}
        self.receiver_name.setText(str(rep.get("name") or ""))
        self.receiver_id.setText(str(rep.get("id_number") or ""))
        index = self.receiver_id_type.findData(rep.get("id_type") or "resident_id")
        self.receiver_id_type.setCurrentIndex(max(0, index))

    # -- what was handed over ------------------------------------------------------------------------------------------

    def reload(self) -> None:
        session, store = self.session, self.context.store()
        if session is None or session.application_id is None:
            return
        if store is None:
            self.status.show_error(lambda: tr("The local store is not open yet."))
            return
        plan, application_id = session.media_plan, session.application_id
        generation = self._generation

        def work(_cancel: threading.Event) -> _Handed:
            journal = Journal(store)
            found = plan or media.submitted_plan(journal, application_id)
            if found is None:
                raise plan_error()
            return _Handed(found, completion.handed_ukeys(journal, found), completion.handed_letters(journal, found))

        self._loading, self._loaded_for, self._load_error = True, application_id, None
        self.status.set_busy(lambda: tr("Reading what was handed over..."))
        self.context.workers.submit(work, partial(self._loaded, generation), partial(self._load_failed, generation))

    def _loaded(self, generation: int, handed: _Handed) -> None:
        if generation != self._generation:
            return
        self._loading, self._handed = False, handed
        self.status.set_busy(None)
        if self.session is not None and self.session.media_plan is None:
            self.session.media_plan = handed.plan
        self._render()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading, self._load_error = False, exc
        self.status.set_busy(None)
        self.status.show_error(lambda: error_text(exc))
        self._render()

    def _render(self) -> None:
        session, handed = self.session, self._handed
        completed = session is not None and session.status == "completed"
        busy = self._stop is not None
        ready = handed is not None and session is not None and session.application is not None
        for button in (self.print_confirmation, self.save_confirmation, self.print_slip, self.save_slip):
            button.setEnabled(ready and not busy)
        self.cancel_button.setVisible(busy)
        self.finish_button.setEnabled(ready and not busy and self._confirmation_out and not completed)
        if completed:
            self.hint.setText(tr("This application is complete."))
        elif self._confirmation_out:
            self.hint.setText(tr("Once the customer has signed and taken the items, press Finish."))
        else:
            self.hint.setText(tr("Print or save the confirmation first; the customer signs it."))
        if handed is None:
            self.intro.setText("")
            self.agreement.clear()
            self.items.setRowCount(0)
            return
        plan = handed.plan
        self.intro.setText(
            tr(
                "{customer} is signed on. Print the confirmation for the customer's signatures and seal, hand over the items "
                "below against the handover slip, then press Finish."
            ).format(customer=plan.customer_name)
        )
        self.agreement.setText(tr("Agreement number: {agreement}").format(agreement=plan.agreement_no))
        sealed = tr("Sealed; the customer changes it at first sign-in")
        rows = [(tr("UKey"), token, name, tr("Certificate {serial}").format(serial=cert)) for name, token, cert in handed.ukeys]
        rows += [(tr("Password letter"), serial, name, sealed) for name, serial in handed.letters]
        self.items.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.items.setItem(row, column, QTableWidgetItem(value))
        header = self.items.horizontalHeader().sizeHint().height()
        shown = sum(self.items.rowHeight(row) for row in range(min(len(rows), 12)))
        self.items.setFixedHeight(header + shown + 2 * self.items.frameWidth() + 4)
        counts = tr("{ukeys} UKey(s), {letters} letter(s)").format(ukeys=len(handed.ukeys), letters=len(handed.letters))
        self.items.setAccessibleName(counts)

    # -- the papers ---------------------------------------------------------------------------------------------------

    def _ask_path(self, paper: Paper) -> None:
        handed = self._handed
        if handed is None:
            return
        name = f"{handed.plan.agreement_no}-{'confirmation' if paper == 'confirmation' else 'handover'}.pdf"
        title = tr("Save the confirmation as PDF") if paper == "confirmation" else tr("Save the handover slip as PDF")
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), tr("PDF documents (*.pdf)"))
        if path:
            self.produce(paper, Path(path))

    def produce(self, paper: Paper, path: Path | None = None) -> None:
        """Lay out ``paper`` and print it on the documents printer, or write it to ``path`` (on a worker)."""
        session, handed, signed, store = self.session, self._handed, self.context.session(), self.context.store()
        if session is None or handed is None or self._stop is not None:
            return
        application = session.application
        if signed is None or store is None or application is None:
            self.status.show_error(lambda: tr("Sign in again to go on."))
            return
        receiver = (self.receiver_name.text().strip(), str(self.receiver_id_type.currentData() or ""), self.receiver_id.text().strip())
        if paper == "slip" and not (receiver[0] and receiver[2]):
            self.status.show_error(lambda: tr("Type the receiver's name and ID number for the handover slip."))
            (self.receiver_name if not receiver[0] else self.receiver_id).setFocus(Qt.FocusReason.OtherFocusReason)
            return
        settings, training = dict(self.context.settings()), self.context.training
        teller = signed.login.user
        client = signed.client
        unverified = session.source == "eform" and not session.verified
        plan = handed.plan
        stop = threading.Event()

        def work(_cancel: threading.Event) -> bool:
            bank, branch = counter.bank_names(settings, training=training)
            journal = Journal(store)
            if paper == "confirmation":
                info = client.application(plan.application_id)
                desk = Desk(bank, branch, teller.id, teller.name, approver(info.history), "", training)
                waived = bool(info.fees.get("waiver_approved"))
                data = completion.confirmation(application, plan, journal, desk, waiver_approved=waived, eform_unverified=unverified)
                pdf, title = render_confirmation(data), f"业务确认书 {plan.agreement_no}"
            else:
                desk = Desk(bank, branch, teller.id, teller.name, "", "", training)
                name, id_type, id_number = receiver
                slip = completion.handover_slip(
                    application, plan, journal, desk, receiver_name=name, receiver_id_type=id_type, receiver_id_number=id_number
                )
                pdf, title = render_handover_slip(slip), f"介质交接单 {plan.agreement_no}"
            if path is not None:
                try:
                    path.write_bytes(pdf)
                except OSError as exc:
                    raise TellerError(
                        f"{path} cannot be written ({exc.strerror or type(exc).__name__}); choose another folder.",
                        f"无法写入 {path}（{exc.strerror or type(exc).__name__}），请选择其他文件夹。",
                        code="pdf_not_saved",
                    ) from None
                return True
            printer = counter.documents_printer(settings)
            try:
                printer.send(PrintJob(pdf, title=title), timeout=print_timeout(settings), cancel=stop)
            except PrintError as exc:
                error = device_error(exc)
                if isinstance(error, CancelledError):
                    return False
                raise error from None
            return True

        self._stop = stop
        self.status.clear_error()
        self.notice.clear()
        if path is not None:
            self.status.set_busy(lambda: tr("Saving {file}...").format(file=path.name))
        elif paper == "confirmation":
            self.status.set_busy(lambda: tr("Printing the confirmation..."))
        else:
            self.status.set_busy(lambda: tr("Printing the handover slip..."))
        self._render()
        generation = self._generation
        self.context.workers.submit(work, partial(self._produced, generation, paper, path), partial(self._failed, generation))

    def cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def _produced(self, generation: int, paper: Paper, path: Path | None, out: bool) -> None:
        if generation != self._generation:
            return
        self._stop = None
        if out and paper == "confirmation":
            self._confirmation_out = True
        self.status.set_busy(None)
        if not out:
            self.notice.clear()
        elif path is not None:
            self.notice.setText(tr("Saved as {file}.").format(file=str(path)))
        elif paper == "confirmation":
            self.notice.setText(tr("The confirmation was sent to the printer."))
        else:
            self.notice.setText(tr("The handover slip was sent to the printer."))
        self._render()
        if self.finish_button.isEnabled():
            self.finish_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._stop = None
        self.status.set_busy(None)
        if not isinstance(exc, TellerError):
            self.context.errors.report(exc)
        self.status.show_error(lambda: error_text(exc))
        self._render()

    # -- finishing -----------------------------------------------------------------------------------------------------------

    def finish(self) -> None:
        """Mark the draft completed and hand back to the start page."""
        session = self.session
        if session is None or not self.finish_button.isEnabled():
            return
        session.status = "completed"
        log.info("application %s completed", session.application_id)
        self.changed()
        self.finished.emit()
