"""The customer page of the signing wizard: the company, its group, its legal representative and its contact.

Every field is written to the session as the teller types and checked at once by the domain layer (the USCC's
check character, ID numbers by their type, mobiles, e-mails, the group a virtual customer needs); the domain's
message for a field is shown under it.

Object names: ``customer_name``, ``customer_uscc``, ``customer_kind``, ``customer_group_uscc``,
``legal_rep_name``, ``legal_rep_id_type``, ``legal_rep_id_number``, ``contact_name``, ``contact_mobile``,
``contact_email``, ``contact_address``; each field's problems are in ``<field>_problem``; problems of the customer
no field shows (a part missing from a form) are in ``customerOtherProblems``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from teller_client.flows.signing import Page
from teller_client.i18n import tr
from teller_client.ui.wizard.fields import ProblemLabel
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.wizard.section_form import BoundForm, ChoiceField, TextField, field_title, upper_strip
from teller_client.ui.wizard.section_table import show_problems


class CustomerPage(WizardPage):
    page = Page.CUSTOMER

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        company = BoundForm("/customer", columns=2)
        self.name = company.add("name", TextField("", self.changed), object_name="customer_name", mnemonic="a")
        self.uscc = company.add("uscc", TextField("", self.changed, normalise=upper_strip), object_name="customer_uscc", mnemonic="u")
        company.new_column()
        self.kind = company.add("kind", ChoiceField("", "customer_kind", self.changed), object_name="customer_kind", mnemonic="k")
        self.group_uscc = company.add(
            "group_uscc", TextField("", self.changed, optional=True, normalise=upper_strip), object_name="customer_group_uscc", mnemonic="g"
        )

        rep = BoundForm("/customer/legal_rep", columns=2)
        self.rep_name = rep.add("name", TextField("", self.changed), object_name="legal_rep_name", mnemonic="r")
        self.rep_id_type = rep.add("id_type", ChoiceField("", "id_type", self.changed), object_name="legal_rep_id_type", mnemonic="t")
        rep.new_column()
        self.rep_id_number = rep.add(
            "id_number", TextField("", self.changed, normalise=upper_strip), object_name="legal_rep_id_number", mnemonic="d"
        )

        contact = BoundForm("/customer/contact", columns=2)
        self.contact_name = contact.add("name", TextField("", self.changed), object_name="contact_name", mnemonic="m")
        self.contact_mobile = contact.add("mobile", TextField("", self.changed), object_name="contact_mobile", mnemonic="l")
        contact.new_column()
        self.contact_email = contact.add("email", TextField("", self.changed, optional=True), object_name="contact_email", mnemonic="e")
        self.contact_address = contact.add(
            "address", TextField("", self.changed, optional=True), object_name="contact_address", mnemonic="s"
        )

        self.forms = (company, rep, contact)
        self.boxes: list[QGroupBox] = []
        for form in self.forms:
            box = QGroupBox()
            QVBoxLayout(box).addWidget(form)
            self.boxes.append(box)
            self.body.addWidget(box)
        for before, after in zip(self.forms, self.forms[1:], strict=False):
            last, first = before.last(), after.first()
            if last is not None and first is not None:
                QWidget.setTabOrder(last, first)
        self.other_problems = ProblemLabel("/customer", exact=False)
        self.other_problems.setObjectName("customerOtherProblems")
        self.body.addWidget(self.other_problems)
        self.body.addStretch(1)
        self.retranslate()

    def refresh(self) -> None:
        session = self.session
        for form in self.forms:
            form.show_from(session)
        others = [p for p in (session.problems_at("/customer") if session else ()) if not any(f.covers(p.pointer) for f in self.forms)]
        show_problems(self.other_problems, others)

    def retranslate(self) -> None:
        super().retranslate()
        self.boxes[0].setTitle(tr("Company"))
        self.boxes[1].setTitle(field_title("/customer/legal_rep"))
        self.boxes[2].setTitle(field_title("/customer/contact"))
        self.uscc.setPlaceholderText(tr("18 characters, as printed on the business licence"))
        self.group_uscc.setPlaceholderText(tr("The group's USCC; needed for a virtual customer"))
        self.contact_email.setPlaceholderText(tr("optional"))
        self.contact_address.setPlaceholderText(tr("optional"))
        for form in self.forms:
            form.retranslate()
        self.refresh()

    def entered(self) -> None:
        self.name.setFocus(Qt.FocusReason.TabFocusReason)
