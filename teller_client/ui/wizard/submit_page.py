"""The submit page: the approved application goes to the central service, which signs the agreement.

"Submit to the central service" (Alt+S) runs :func:`teller_client.flows.approval.submit_approved` on a worker
(:func:`teller_client.flows.media.submit`: journaled first; a lost answer is asked again with the same key and the
service replays its first answer). The certificate mode and key type are the counter's settings
``ukey.certificate_mode`` (``counter`` by default, or ``premade``) and ``ukey.key_type`` (``rsa2048`` by default, or
``ec_p256``). The answer becomes the session's media plan (its authorization codes stay in memory only); the
state is marked submitted, the draft saved, the agreement number shown, and the page asks the wizard to go on to
the media page.

Object names: ``submitSummary`` (label), ``submit`` (button), ``agreementNo`` (label); the status area
``busy``/``notice``/``inlineError``.
"""

from __future__ import annotations

import html
import logging
import threading
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from teller_client.errors import TellerError
from teller_client.flows import approval, media
from teller_client.flows.approval import SubmissionOptions
from teller_client.flows.media import MediaPlan
from teller_client.flows.signing import FlowRefused, Page
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import tr
from teller_client.store.journal import Journal
from teller_client.ui.error_router import error_text
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.worker import Job

log = logging.getLogger(__name__)


class SubmitPage(WizardPage):
    page = Page.SUBMIT

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._job: Job | None = None
        self._agreement_no: str | None = None
        self.summary = QLabel()
        self.summary.setObjectName("submitSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.submit_button = QPushButton()
        self.submit_button.setObjectName("submit")
        self.agreement = QLabel()
        self.agreement.setObjectName("agreementNo")
        self.agreement.setStyleSheet("font-size: 16px; font-weight: 600; color: #1a5e20;")
        self.agreement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = InlineStatus()
        row = QHBoxLayout()
        row.addWidget(self.submit_button)
        row.addStretch(1)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.explain)
        self.body.addLayout(row)
        self.body.addWidget(self.status)
        self.body.addWidget(self.agreement)
        self.body.addStretch(1)
        self.submit_button.clicked.connect(self.submit)
        self.retranslate()

    # -- showing --------------------------------------------------------------------------------------------------------

    def bind(self, session: SigningSession) -> None:
        self._agreement_no = None
        self.status.clear_error()
        super().bind(session)
        self._find_agreement()

    def retranslate(self) -> None:
        super().retranslate()
        self.submit_button.setText(tr("&Submit to the central service"))
        self.submit_button.setToolTip(tr("Submit to the central service (Alt+S)"))
        self.explain.setText(
            tr(
                "Submitting signs the agreement at the central service. It cannot be undone here: after it, the UKeys and "
                "password letters are issued on the next page."
            )
        )
        self.status.retranslate()
        self.refresh()

    def _options(self) -> SubmissionOptions | None:
        try:
            return SubmissionOptions.from_settings(self.context.settings())
        except TellerError as error:
            wrong: TellerError = error
            self.status.show_error(lambda: error_text(wrong))
            return None

    def refresh(self) -> None:
        session = self.session
        if session is None:
            self.summary.clear()
            return
        app = session.application
        rows: list[tuple[str, str]] = []
        if app is not None:
            ukeys = sum(1 for u in app.users if u.credential.value == "ukey")
            rows += [
                (tr("Customer"), f"{app.customer.name} ({app.customer.uscc})"),
                (tr("Accounts"), str(len(app.accounts))),
                (tr("Users"), str(len(app.users))),
                (tr("UKeys to issue"), str(ukeys)),
                (tr("Password letters to print"), str(len(app.users))),  # every new user's first login password
            ]
        if session.application_id:
            rows.append((tr("Application number"), session.application_id))
        try:
            options = SubmissionOptions.from_settings(self.context.settings())
            mode = tr("made at the counter on blank UKeys") if options.certificate_mode == "counter" else tr("pre-made certificate UKeys")
            rows.append((tr("Certificates"), f"{mode} ({options.key_type})"))
        except TellerError:
            rows.append((tr("Certificates"), tr("the UKey settings are wrong: branch IT must correct them")))
        state = session.state
        if state.submitted:
            status = tr("submitted")
        elif state.approved:
            status = tr("approved by a supervisor, ready to submit")
        else:
            status = tr("not approved: go back to sign-off")
        rows.append((tr("Status"), status))
        cells = "".join(
            f"<tr><td style='padding-right:12px;color:#555'>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows
        )
        self.summary.setText(f"<table>{cells}</table>")
        self.submit_button.setEnabled(self._job is None and state.approved and not state.submitted and session.application_id is not None)
        plan = session.media_plan
        number = plan.agreement_no if plan is not None else self._agreement_no
        if number:
            self.agreement.setText(tr("Agreement number: {number}").format(number=number))
            self.agreement.setAccessibleName(self.agreement.text())
            self.agreement.setVisible(True)
        else:
            self.agreement.clear()
            self.agreement.setVisible(False)

    def entered(self) -> None:
        if self.submit_button.isEnabled():
            self.submit_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            super().entered()

    def _find_agreement(self) -> None:
        """A session submitted before a restart: the agreement number from the journal (disk: on a worker)."""
        session, store = self.session, self.context.store()
        if session is None or store is None or not session.state.submitted or session.media_plan is not None or not session.application_id:
            return
        application_id = session.application_id

        def work(_cancel: threading.Event) -> str | None:
            plan = media.submitted_plan(Journal(store), application_id)
            return plan.agreement_no if plan is not None else None

        def done(number: str | None) -> None:
            if self.session is session:
                self._agreement_no = number
                self.refresh()

        self.context.workers.submit(work, done, lambda exc: log.info("agreement number not found: %s", type(exc).__name__))

    # -- submitting -------------------------------------------------------------------------------------------------------

    def submit(self) -> None:
        session, store, signed = self.session, self.context.store(), self.context.session()
        if session is None or self._job is not None or session.state.submitted:
            return
        if store is None or signed is None:
            self.status.show_error(lambda: tr("Sign in again first: the application cannot be submitted now."))
            return
        if not session.state.approved or session.application_id is None:
            self.status.show_error(lambda: tr("A supervisor must approve this application first."))
            return
        options = self._options()
        if options is None:
            return
        client, journal, actor = signed.client, Journal(store), signed.login.user.id
        application_id = session.application_id
        customer_name = session.application.customer.name if session.application is not None else session.title

        def work(_cancel: threading.Event) -> MediaPlan:
            return approval.submit_approved(client, journal, actor, application_id, customer_name, options)

        self.status.clear_error()
        self.status.set_busy(lambda: tr("Submitting to the central service..."))
        self._job = self.context.workers.submit(work, lambda plan: self._submitted(session, plan), self._failed)
        self.refresh()

    def _submitted(self, session: SigningSession, plan: MediaPlan) -> None:
        self._job = None
        self.status.set_busy(None)
        if session is not self.session:
            return
        current = session
        try:
            current.state = current.state.with_submission()
        except FlowRefused:  # the draft was changed while the approved version was being submitted: the service's word stands
            log.warning("application %s submitted while its draft changed; the submitted version is the approved one", plan.application_id)
            current.state = replace(current.state, submitted=True)
        current.status = "submitted"
        current.media_plan = plan
        log.info("application %s submitted: agreement %s, %d media item(s)", plan.application_id, plan.agreement_no, len(plan.items))
        self.changed()
        self.advance.emit()

    def _failed(self, exc: BaseException) -> None:
        self._job = None
        self.status.set_busy(None)
        if not isinstance(exc, TellerError):
            log.error("submission failed", exc_info=(type(exc), exc, exc.__traceback__))
        self.status.show_error(lambda: error_text(exc))
        self.refresh()
