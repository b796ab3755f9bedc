"""The sign-off page (dual control): what goes to the supervisor, and the two ways a supervisor signs it off.

* **At the desk** ("Supervisor signs off here"): the application is sent (created centrally the first time, changed
  after a return) and :class:`~teller_client.ui.wizard.sign_off_dialog.SignOffDialog` opens on the teller's screen,
  where the supervisor signs in, re-keys the critical fields and decides.
* **From the branch review queue** ("Send to the branch review queue"): the application is sent and waits for a
  supervisor on another computer (:class:`~teller_client.ui.review_queue_page.ReviewQueuePage`); this page asks the
  service for the decision every few seconds on a worker (never blocking), shows the time waited, and the teller may
  stop waiting (the application stays in the queue; coming back to the page waits again).

What the decision does (:func:`teller_client.flows.approval.accept`): an approval of the draft's exact snapshot
moves the wizard on to the submission (:attr:`WizardPage.advance`); a return puts the reason in the draft and the
state on the review page, and this page emits :attr:`SignOffPage.returned` (the wizard shows the review page; pages
do not move the wizard themselves); a rejection closes the application (draft status ``rejected``). Sending again after a return
changes the application (``PUT``) and asks for approval again.

Object names: ``signOffSummary`` (label), ``decisionState`` (label), ``deskSignOff``, ``sendToQueue``,
``cancelWaiting``, ``waitingElapsed`` (label); the status area ``busy``/``notice``/``inlineError``; the dialog, once
open, is :attr:`SignOffPage.dialog` (object name ``signOffDialog``).
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from teller_client.api.models import ApplicationInfo
from teller_client.domain.fees import quote
from teller_client.errors import TellerError
from teller_client.flows import approval
from teller_client.flows.approval import ApprovalRequest, Decision
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language, tr
from teller_client.store.journal import Journal
from teller_client.ui.error_router import error_text
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.wizard.sign_off_dialog import SignOffDialog
from teller_client.ui.worker import Job

log = logging.getLogger(__name__)

POLL_MS = 3000
"""How often the page asks the service for the decision while it waits."""

STATE_STYLE = "padding: 8px; border-radius: 4px; background: {bg}; color: {fg};"
STYLES = {
    "none": STATE_STYLE.format(bg="#f3f3f3", fg="#333"),
    "pending_approval": STATE_STYLE.format(bg="#eef4fb", fg="#14406e"),
    "approved": STATE_STYLE.format(bg="#e8f5e9", fg="#1a5e20"),
    "returned": STATE_STYLE.format(bg="#fff4e0", fg="#7a4a00"),
    "rejected": STATE_STYLE.format(bg="#fdecea", fg="#8a1010"),
}


def _elapsed(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60:d}:{seconds % 60:02d}"


class SignOffPage(WizardPage):
    page = Page.SIGN_OFF
    returned = Signal()
    """A supervisor returned the application: the session's state is on the review page with the reason (and the
    draft saved). The wizard connects this to show the review page."""

    poll_interval_ms = POLL_MS

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.dialog: SignOffDialog | None = None
        self.last_decision: Decision | None = None
        self._job: Job | None = None
        self._poll_job: Job | None = None
        self._waiting = False
        self._poll_failures = 0
        self._resume = False

        self.summary = QLabel()
        self.summary.setObjectName("signOffSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.decision_state = QLabel()
        self.decision_state.setObjectName("decisionState")
        self.decision_state.setWordWrap(True)
        self.decision_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ways = QLabel()
        self.ways.setWordWrap(True)
        self.desk_button = QPushButton()
        self.desk_button.setObjectName("deskSignOff")
        self.queue_button = QPushButton()
        self.queue_button.setObjectName("sendToQueue")
        self.cancel_wait_button = QPushButton()
        self.cancel_wait_button.setObjectName("cancelWaiting")
        self.elapsed_label = QLabel()
        self.elapsed_label.setObjectName("waitingElapsed")
        self.status = InlineStatus()
        buttons = QHBoxLayout()
        buttons.addWidget(self.desk_button)
        buttons.addWidget(self.queue_button)
        buttons.addStretch(1)
        waiting = QHBoxLayout()
        waiting.addWidget(self.elapsed_label, 1)
        waiting.addWidget(self.cancel_wait_button)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.decision_state)
        self.body.addWidget(self.ways)
        self.body.addLayout(buttons)
        self.body.addWidget(self.status)
        self.body.addLayout(waiting)
        self.body.addStretch(1)

        self.desk_button.clicked.connect(self.sign_off_here)
        self.queue_button.clicked.connect(self.send_to_queue)
        self.cancel_wait_button.clicked.connect(self.cancel_waiting)
        self.poll_timer = QTimer(self)
        self.poll_timer.setSingleShot(True)
        self.poll_timer.timeout.connect(self._poll)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._show_elapsed)
        self._since = QElapsedTimer()
        self.setTabOrder(self.desk_button, self.queue_button)
        self.setTabOrder(self.queue_button, self.cancel_wait_button)
        self.retranslate()

    # -- showing -----------------------------------------------------------------------------------------------------------

    def bind(self, session: SigningSession) -> None:
        self._stop_waiting()
        self._resume = False
        self.last_decision = None
        self.status.clear_error()
        super().bind(session)

    def retranslate(self) -> None:
        super().retranslate()
        self.ways.setText(
            tr(
                "Either the supervisor signs off here, on this screen, with their own ID and password; or the application "
                "goes to the branch review queue and a supervisor decides from their own computer while this page waits."
            )
        )
        self.cancel_wait_button.setText(tr("Stop &waiting"))
        self.cancel_wait_button.setToolTip(tr("The application stays in the review queue; come back to this page to wait again."))
        self.status.retranslate()
        self.refresh()

    def refresh(self) -> None:
        session = self.session
        if session is None:
            self.summary.clear()
            return
        self.summary.setText(self._summary_html())
        status = session.status
        again = status == approval.RETURNED
        self.desk_button.setText(tr("Supervisor signs off &here (send again)") if again else tr("Supervisor signs off &here"))
        if again:
            self.queue_button.setText(tr("Send again to the branch review &queue"))
        elif status == approval.PENDING and session.application_id:
            self.queue_button.setText(tr("Wait for the decision from the review &queue"))
        else:
            self.queue_button.setText(tr("Send to the branch review &queue"))
        closed = status == approval.REJECTED or session.state.submitted
        approved = session.state.approved
        idle = self._job is None
        self.desk_button.setEnabled(idle and not closed and not approved)
        self.queue_button.setEnabled(idle and not closed and not approved and not self._waiting)
        for widget in (self.ways, self.desk_button, self.queue_button):
            widget.setVisible(not closed and not approved)
        self.cancel_wait_button.setVisible(self._waiting)
        self.elapsed_label.setVisible(self._waiting)
        self._show_elapsed()
        self._show_decision()

    def _summary_html(self) -> str:
        session = self.session
        assert session is not None
        app = session.application
        rows: list[tuple[str, str]] = []
        if app is None:
            rows.append((tr("Application"), tr("not complete: finish the pages before sign-off")))
        else:
            paying = sum(1 for a in app.accounts if a.can_pay)
            ukeys = sum(1 for u in app.users if u.credential.value == "ukey")
            rows += [
                (tr("Customer"), f"{app.customer.name} ({app.customer.uscc})"),
                (tr("Accounts"), tr("{count} ({paying} with pay rights)").format(count=len(app.accounts), paying=paying)),
                (tr("Users"), tr("{count} ({ukeys} with a UKey)").format(count=len(app.users), ukeys=ukeys)),
                (tr("Channels"), str(len(app.services))),
            ]  # fmt: skip
            total = quote(app, session.catalogue).total
            rows.append((tr("Fees"), tr("{amount} CNY").format(amount=f"{total:,.2f}")))
            if app.fees.waiver_requested:
                reason = app.fees.reason or tr("(none)")
                rows.append((tr("Fee waiver"), tr("requested, reason: {reason}; the supervisor decides").format(reason=reason)))
            else:
                rows.append((tr("Fee waiver"), tr("not requested")))
            if session.source == "eform" and not session.verified:
                rows.append((tr("E-form"), tr("unverified: the supervisor compares it with the signed paper form")))
        if session.application_id:
            rows.append((tr("Application number"), session.application_id))
        cells = "".join(
            f"<tr><td style='padding-right:12px;color:#555'>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows
        )
        title = html.escape(tr("What goes to the supervisor"))
        return f"<p style='font-weight:600'>{title}</p><table>{cells}</table>"

    def _show_decision(self) -> None:
        session = self.session
        if session is None:
            return
        decision = self.last_decision
        who = decision.decided_by if decision is not None and decision.decided_by else None
        status = session.status
        if session.state.approved:
            key = "approved"
            if who:
                text = tr("Approved by the supervisor {who}. Press Next to submit.").format(who=who)
            else:
                text = tr("Approved by a supervisor. Press Next to submit.")
        elif status == approval.REJECTED:
            key = "rejected"
            if who and decision is not None:
                text = tr("Rejected by the supervisor {who}: {reason}. This application is closed.").format(
                    who=who, reason=decision.reason or ""
                )
            else:
                text = tr("A supervisor rejected this application. It is closed.")
        elif status == approval.RETURNED:
            key = "returned"
            reason = session.state.returned_reason or (decision.reason if decision is not None else None) or ""
            text = tr("Returned by the supervisor: {reason}. Correct the application, then send it again.").format(reason=reason)
        elif status == approval.PENDING and session.application_id:
            key = "pending_approval"
            text = tr("Sent: waiting for a supervisor's decision in the branch review queue.")
        else:
            key, text = "none", tr("Not sent to a supervisor yet.")
        if key == "approved" and decision is not None and decision.fee_waiver_approved is not None:
            text += ("" if language() == "zh" else " ") + (
                tr("The fee waiver is approved.") if decision.fee_waiver_approved else tr("The fee waiver is refused: fees are charged.")
            )
        self.decision_state.setStyleSheet(STYLES[key])
        self.decision_state.setText(text)
        self.decision_state.setAccessibleName(text)

    def entered(self) -> None:
        session = self.session
        if session is not None and session.application_id and not session.state.approved:
            if session.status == approval.PENDING:
                self._start_waiting()
            elif session.status == approval.REJECTED and self.last_decision is None:
                self._check_once()  # who rejected it, and why
        (self.desk_button if self.desk_button.isEnabled() else self.cancel_wait_button).setFocus(Qt.FocusReason.OtherFocusReason)

    def _check_once(self) -> None:
        session, signed = self.session, self.context.session()
        if session is None or session.application_id is None or signed is None or self._poll_job is not None:
            return
        client, application_id = signed.client, session.application_id

        def done(info: ApplicationInfo) -> None:
            self._poll_job = None
            self._accept(info)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._poll_job = None
            log.info("the decision could not be read: %s", getattr(exc, "code", type(exc).__name__))

        self._poll_job = self.context.workers.submit(lambda _cancel: approval.fetch(client, application_id), done, failed)

    # -- sending ------------------------------------------------------------------------------------------------------------

    def _prepare(self) -> tuple[ApprovalRequest, Journal] | None:
        """What to send, and the journal; ``None`` (with the reason shown) when it cannot be sent now."""
        session, store, signed = self.session, self.context.store(), self.context.session()
        if session is None:
            return None
        if store is None or signed is None:
            self.status.show_error(lambda: tr("Sign in again first: the application cannot be sent now."))
            return None
        try:
            request = ApprovalRequest.of(session, signed.login.user.id)
        except TellerError as refused:
            error: TellerError = refused
            self.status.show_error(lambda: error_text(error))
            return None
        return request, Journal(store)

    def _send(self, then: Callable[[Decision], None], busy: Callable[[], str]) -> None:
        prepared = self._prepare()
        signed = self.context.session()
        if prepared is None or signed is None:
            return
        request, journal = prepared
        client = signed.client
        self.status.clear_error()
        self.status.set_busy(busy)

        def work(_cancel: threading.Event) -> ApplicationInfo:
            return approval.send(request, client, journal)

        def done(info: ApplicationInfo) -> None:
            self._job = None
            self.status.set_busy(None)
            decision = self._accept(info, sent_hash=request.snapshot_hash)
            if decision is not None:
                then(decision)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._job = None
            self.status.set_busy(None)
            self._show_error(exc)
            self.refresh()

        self._job = self.context.workers.submit(work, done, failed)
        self.refresh()

    def _accept(self, info: ApplicationInfo, *, sent_hash: str | None = None) -> Decision | None:
        """Apply the service's answer to the session; tell the wizard (save, step bar), and the teller."""
        session = self.session
        if session is None or (session.application_id not in (None, info.id)):
            return None  # an answer about an application this page no longer shows
        try:
            decision = approval.accept(session, info, sent_hash=sent_hash)
        except TellerError as refused:
            self._stop_waiting()
            self.changed()  # the application id and status are known even so: keep them in the draft
            self._show_error(refused)
            return None
        self.last_decision = decision
        if decision.changed:
            self.changed()
        if decision.status == approval.RETURNED:
            self._stop_waiting()
            if decision.changed:
                log.info("application %s returned by %s", info.id, decision.decided_by)
                self.returned.emit()
        elif decision.status in (approval.APPROVED, approval.SUBMITTED, approval.REJECTED):
            self._stop_waiting()
            if decision.status == approval.APPROVED and decision.changed and session.state.approved:
                self.advance.emit()  # approved: on to the submission, nothing for the teller to press
        return decision

    def _show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, TellerError):
            log.error("sign-off failed", exc_info=(type(exc), exc, exc.__traceback__))
        self.status.show_error(lambda: error_text(exc))

    # -- at the desk -----------------------------------------------------------------------------------------------------------

    def sign_off_here(self) -> None:
        if self._job is not None:
            return
        self._stop_waiting()
        self._send(self._open_dialog, lambda: tr("Sending the application to the central service..."))

    def _open_dialog(self, decision: Decision) -> None:
        session, endpoint, store, signed = self.session, self.context.endpoint(), self.context.store(), self.context.session()
        if decision.status != approval.PENDING:
            return  # decided already (approved, returned or rejected): shown as such
        if session is None or session.application is None or endpoint is None or store is None or signed is None:
            return
        fees = session.application.fees
        dialog = SignOffDialog(
            workers=self.context.workers,
            endpoint=endpoint,
            application=session.application,
            application_id=decision.application_id,
            snapshot_hash=decision.snapshot_hash,
            maker=signed.login.user.id,
            journal=Journal(store),
            waiver_requested=fees.waiver_requested,
            waiver_reason=fees.reason,
            parent=self,
        )
        dialog.decided.connect(self._desk_decided)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        dialog.supervisor_id.setFocus(Qt.FocusReason.OtherFocusReason)

    def _desk_decided(self, info: ApplicationInfo) -> None:
        decision = self._accept(info)
        if decision is not None and decision.status == approval.APPROVED:
            log.info("application %s approved at the desk by %s", info.id, decision.decided_by)
        self.refresh()

    def _dialog_closed(self, dialog: SignOffDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        if self.session is not None and self.session.status == approval.PENDING and not self.session.state.approved:
            self.status.show_error(
                lambda: tr("No decision was taken at the desk. The application waits in the branch review queue; sign off again, or wait.")
            )
        self.refresh()

    # -- from the queue -------------------------------------------------------------------------------------------------------------

    def send_to_queue(self) -> None:
        if self._job is not None:
            return

        def then(decision: Decision) -> None:
            if decision.status == approval.PENDING:
                self._start_waiting()

        self._send(then, lambda: tr("Sending the application to the branch review queue..."))

    def _start_waiting(self) -> None:
        if self._waiting:
            return
        self._waiting = True
        self._poll_failures = 0
        self._since.start()
        self.clock.start()
        self.status.set_busy(lambda: tr("Waiting for a supervisor..."))
        self.poll_timer.start(0)
        self.refresh()

    def _stop_waiting(self) -> None:
        was = self._waiting
        self._waiting = False
        self.poll_timer.stop()
        self.clock.stop()
        if self._poll_job is not None:
            self._poll_job.cancel()
            self._poll_job = None
        if was:
            self.status.set_busy(None)
            self.refresh()

    def cancel_waiting(self) -> None:
        """Stop asking; the application stays in the queue (coming back to this page waits again)."""
        if not self._waiting:
            return
        self._stop_waiting()
        self.status.clear_error()
        self.decision_state.setText(
            tr("Not waiting any more. The application stays in the branch review queue; come back to this page to wait for the decision.")
        )
        self.queue_button.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def waiting(self) -> bool:
        return self._waiting

    def _show_elapsed(self) -> None:
        if self._waiting and self._since.isValid():
            self.elapsed_label.setText(tr("Waited {time} (min:s)").format(time=_elapsed(int(self._since.elapsed()))))
        else:
            self.elapsed_label.clear()

    def _poll(self) -> None:
        session, signed = self.session, self.context.session()
        if not self._waiting or session is None or session.application_id is None or self._poll_job is not None:
            return
        if signed is None:  # locked or signed out: ask again when the teller is back
            self.poll_timer.start(self.poll_interval_ms)
            return
        client, application_id = signed.client, session.application_id

        def work(_cancel: threading.Event) -> ApplicationInfo:
            return approval.fetch(client, application_id)

        def done(info: ApplicationInfo) -> None:
            self._poll_job = None
            if not self._waiting:
                return
            self._poll_failures = 0
            self.status.clear_error()
            self._accept(info)
            if self._waiting:
                self.poll_timer.start(self.poll_interval_ms)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._poll_job = None
            if not self._waiting:
                return
            self._poll_failures += 1
            log.info("asking for the decision failed (%d): %s", self._poll_failures, getattr(exc, "code", type(exc).__name__))
            error = exc
            self.status.show_error(
                lambda: tr("Could not ask the central service ({reason}); asking again.").format(reason=error_text(error))
            )
            self.poll_timer.start(min(self.poll_interval_ms * (1 + self._poll_failures), 30_000))

        self._poll_job = self.context.workers.submit(work, done, failed)

    # -- the page shown or not: only a page on screen asks the service -------------------------------------------------------------------

    def hideEvent(self, event: QHideEvent) -> None:
        if self._waiting and not event.spontaneous():  # another page, the start page or the lock screen: stop asking
            self._stop_waiting()
            self._resume = True
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._resume:
            self._resume = False
            session = self.session
            if session is not None and session.status == approval.PENDING and session.application_id and not session.state.approved:
                self._start_waiting()
