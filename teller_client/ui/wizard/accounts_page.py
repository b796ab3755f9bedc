"""The accounts page of the signing wizard: the accounts the company signs on, one row each.

A table of the application's accounts (number, relation, type, currency, bank code, rights, the optional
extensions expiry and FX) with each row's problems, and below it the selected account's editor; see
:mod:`teller_client.ui.wizard.section_table` for the keys (Insert or Ctrl+Shift+A adds, Delete removes after a
question, Enter edits, Esc back to the table). Every edit is written to the session as the teller types.

Object names: the section's (``accountTable``, ``accountAdd``, ``accountRemove``, ``accountRemoveConfirm``,
``accountRemoveCancel``, ``accountEditor``, ``accountRowProblems``, ``accountListProblems``, ``accountEmpty``)
and the editor's fields ``account_number``, ``account_relation``, ``account_type``, ``account_currency``,
``account_bank_code``, ``account_rights`` (check boxes ``account_rights_query``, ``account_rights_pay``,
``account_rights_collect``), ``account_expires_on``, ``account_fx_capable``; each field's problems are in
``<field>_problem``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from teller_client.domain.value_labels import value_names
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language, tr
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.wizard.section_form import BoundForm, ChoiceField, FlagField, RightsField, TextField, digits_only
from teller_client.ui.wizard.section_table import Column, SectionTable, SectionTexts


def value_name(kind: str, value: Any) -> str:
    """The name of an enumeration's value in the teller's language (an unknown value as it is)."""
    if value is None:
        return ""
    return value_names(kind, language()).get(str(value), str(value))


def _field(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _text(item: Any, key: str) -> str:
    value = _field(item, key)
    return "" if value is None else str(value)


def _rights(item: Any) -> str:
    rights = _field(item, "rights")
    if not isinstance(rights, list):
        return ""
    return ("、" if language() == "zh" else ", ").join(value_name("right", r) for r in rights)


def new_account(_session: SigningSession) -> dict[str, Any]:
    """An account as added at the counter: the number to type, an own general CNY account with the query right."""
    return {"number": "", "relation": "own", "type": "general", "currency": "CNY", "bank_code": None, "rights": ["query"]}


def _confirm(index: int, item: Any) -> str:
    number = _text(item, "number")
    if number:
        return tr("Remove account {index} ({number})?").format(index=index, number=number)
    return tr("Remove account {index}?").format(index=index)


class AccountsPage(WizardPage):
    page = Page.ACCOUNTS

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        form = BoundForm("/accounts/0", columns=2)
        self.number = form.add("number", TextField("", self.changed, normalise=digits_only), object_name="account_number", mnemonic="u")
        self.relation = form.add("relation", ChoiceField("", "relation", self.changed), object_name="account_relation", mnemonic="r")
        self.type = form.add("type", ChoiceField("", "account_type", self.changed), object_name="account_type", mnemonic="t")
        self.currency = form.add("currency", ChoiceField("", "currency", self.changed), object_name="account_currency", mnemonic="e")
        form.new_column()
        self.bank_code = form.add("bank_code", TextField("", self.changed, optional=True), object_name="account_bank_code", mnemonic="k")
        self.rights = form.add(
            "rights",
            RightsField("", "right", self.changed, object_name="account_rights"),
            object_name="account_rights",
            exact=False,
            mnemonic="g",
        )
        self.expires_on = form.add(
            "expires_on", TextField("", self.changed, absent_when_empty=True), object_name="account_expires_on", mnemonic="p"
        )
        self.fx_capable = form.add(
            "fx_capable", FlagField("", self.changed, absent_when_false=True), object_name="account_fx_capable", mnemonic="x"
        )
        columns = [
            Column(lambda: tr("Number"), lambda item: _text(item, "number")),
            Column(lambda: tr("Relation"), lambda item: value_name("relation", _field(item, "relation"))),
            Column(lambda: tr("Type"), lambda item: value_name("account_type", _field(item, "type"))),
            Column(lambda: tr("Currency"), lambda item: value_name("currency", _field(item, "currency"))),
            Column(lambda: tr("Bank code"), lambda item: _text(item, "bank_code")),
            Column(lambda: tr("Rights"), _rights),
            Column(lambda: tr("Expiry"), lambda item: _text(item, "expires_on")),
            Column(lambda: tr("FX"), lambda item: tr("yes") if _field(item, "fx_capable") is True else ""),
        ]
        self.section = SectionTable(
            "/accounts",
            name="account",
            columns=columns,
            form=form,
            new_item=new_account,
            on_change=self.changed,
            texts=self._texts,
        )
        self.body.addWidget(self.section, 1)
        self.retranslate()

    @staticmethod
    def _texts() -> SectionTexts:
        return SectionTexts(
            heading=tr("Account &list"),
            add=tr("&Add account (Insert)"),
            remove=tr("Remove account (&Delete)"),
            editor=lambda index, count: tr("Account {index} of {count}").format(index=index, count=count),
            confirm=_confirm,
            empty=tr("No accounts yet: press Insert or Ctrl+Shift+A to add one."),
        )

    def refresh(self) -> None:
        self.section.show_from(self.session)

    def retranslate(self) -> None:
        super().retranslate()
        self.bank_code.setPlaceholderText(tr("12 digits, for an account at another bank"))
        self.expires_on.setPlaceholderText(tr("YYYY-MM-DD, for a temporary account"))
        self.fx_capable.setText(tr("Enabled for foreign exchange"))
        self.section.retranslate()

    def entered(self) -> None:
        target = self.section.table if self.section.items() else self.section.add_button
        target.setFocus(Qt.FocusReason.TabFocusReason)
