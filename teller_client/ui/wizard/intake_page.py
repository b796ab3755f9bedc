"""The intake page: what was read (an e-form, verified or not) or that a paper form is being typed.

Reading happens in the scan area at the foot of the window (scanner, keyboard-wedge or an image file, Ctrl+O):
a complete e-form is saved as a draft and opened here. A verified e-form fills every page; an unverified one
is marked so on every page (the wizard's banner) and on the confirmation.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from teller_client.flows.signing import Page
from teller_client.i18n import sentences, tr
from teller_client.ui.wizard.page import WizardContext, WizardPage


class IntakePage(WizardPage):
    page = Page.INTAKE

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.source = QLabel()
        self.source.setObjectName("intakeSource")
        self.source.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("intakeSummary")
        self.summary.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        for widget in (self.source, self.summary, self.hint):
            self.body.addWidget(widget)
        self.body.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.refresh()

    def refresh(self) -> None:
        session = self.session
        if session is None:
            return
        if session.source == "eform":
            trust = tr("Signature verified.") if session.verified else tr("NOT verified: check every page against the signed paper form.")
            self.source.setText(sentences(tr("E-form {form}").format(form=session.form_id), trust))
        elif session.source == "existing":
            self.source.setText(tr("Existing customer: a change to their e-channel services."))
        else:
            self.source.setText(tr("Paper form {form}: type it on the next pages.").format(form=session.form_id))
        accounts = len(session.get("/accounts") or [])
        users = len(session.get("/users") or [])
        services = len(session.get("/services") or [])
        self.summary.setText(
            tr("{name}: {accounts} account(s), {users} user(s), {services} channel(s).").format(
                name=session.title, accounts=accounts, users=users, services=services
            )
        )
        self.hint.setText(
            tr("Check each page and press Next (Alt+N). Problems are shown beside the field they concern and at the foot of the page.")
        )
