"""The users page of the signing wizard: the company's operators on the e-channels, one row each.

A table of the operators (name, ID, mobile, role, credential, accounts, limits) with each row's problems, and
below it the selected operator's editor, as on the accounts page (the same
:class:`~teller_client.ui.wizard.section_table.SectionTable`: Insert or Ctrl+Shift+A adds, Delete removes after a
question, Enter edits, Esc back to the table). An operator may use all the application's accounts or a chosen
subset (check boxes, Space toggles); limits are decimal strings ("500000.00") or left empty (``null``).

Object names: the section's (``userTable``, ``userAdd``, ``userRemove``, ``userRemoveConfirm``,
``userRemoveCancel``, ``userEditor``, ``userRowProblems``, ``userListProblems``, ``userEmpty``) and the editor's
fields ``user_name``, ``user_id_type``, ``user_id_number``, ``user_mobile``, ``user_email``, ``user_role``,
``user_credential``, ``user_per_txn``, ``user_daily``, ``user_accounts`` (its parts ``user_accounts_all``, the
check box for every account, and ``user_accounts_list``, the accounts to choose from); each field's problems are
in ``<field>_problem``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QCheckBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from teller_client.domain.model import ALL_ACCOUNTS
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import tr
from teller_client.ui.wizard.accounts_page import value_name
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.wizard.section_form import BoundForm, ChoiceField, TextField, upper_strip
from teller_client.ui.wizard.section_table import Column, SectionTable, SectionTexts

LIST_ROWS = 6
"""The account list shows this many rows, then scrolls."""


class AccountsChoice(QWidget):
    """``users[].accounts``: ``"all"`` (one check box) or a subset of the application's account numbers."""

    def __init__(self, pointer: str, on_change: Callable[[], None], *, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pointer = pointer
        self.session: SigningSession | None = None
        self._on_change = on_change
        self._numbers: list[str] = []
        self._updating = False
        self.all = QCheckBox()
        self.all.setObjectName(f"{object_name}_all")
        self.all.clicked.connect(self._all_clicked)
        self.list = QListWidget()
        self.list.setObjectName(f"{object_name}_list")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemChanged.connect(self._item_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.all)
        layout.addWidget(self.list)
        self.setFocusProxy(self.all)
        self.retranslate()

    def retranslate(self) -> None:
        self.all.setText(tr("All accounts (also those added later)"))
        self.list.setAccessibleName(tr("Accounts this user may use"))
        self._numbers = []  # relabel the rows
        self.show_from(self.session)

    def _application_accounts(self) -> list[tuple[str, Any]]:
        accounts = self.session.get("/accounts") if self.session is not None else None
        out: list[tuple[str, Any]] = []
        for account in accounts if isinstance(accounts, list) else []:
            number = account.get("number") if isinstance(account, dict) else None
            if isinstance(number, str) and number.strip() and number not in (n for n, _ in out):
                out.append((number, account.get("type")))
        return out

    def show_from(self, session: SigningSession | None) -> None:
        self.session = session
        value = session.get(self.pointer) if session is not None else None
        chosen = [n for n in value if isinstance(n, str)] if isinstance(value, list) else []
        accounts = self._application_accounts()
        known = [n for n, _ in accounts]
        rows = known + [n for n in chosen if n not in known]
        self._updating = True
        try:
            if rows != self._numbers:
                self._numbers = rows
                types = dict(accounts)
                self.list.clear()
                for number in rows:
                    if number in types:
                        text = f"{number}  {value_name('account_type', types[number])}"
                    else:
                        text = tr("{number} (not among the accounts)").format(number=number)
                    item = QListWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, number)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
                    self.list.addItem(item)
            everything = value == ALL_ACCOUNTS
            for row in range(self.list.count()):
                item = self.list.item(row)
                checked = everything or item.data(Qt.ItemDataRole.UserRole) in chosen
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                if item.checkState() != state:
                    item.setCheckState(state)
            self.all.setChecked(everything)
            self.list.setEnabled(not everything)
            if self.list.currentRow() < 0 and self.list.count():
                self.list.setCurrentRow(0)
            height = self.list.sizeHintForRow(0) if self.list.count() else self.fontMetrics().height()
            self.list.setFixedHeight(height * min(max(self.list.count(), 1), LIST_ROWS) + 2 * self.list.frameWidth() + 4)
        finally:
            self._updating = False

    def _all_clicked(self, checked: bool) -> None:
        if self.session is None:
            return
        if self.session.set(self.pointer, ALL_ACCOUNTS if checked else []):
            self._on_change()
        if not checked:
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _item_changed(self, _item: QListWidgetItem) -> None:
        if self._updating or self.session is None:
            return
        chosen = [
            str(self.list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]
        if self.session.set(self.pointer, chosen):
            self._on_change()


def _field(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _text(item: Any, key: str) -> str:
    value = _field(item, key)
    return "" if value is None else str(value)


def _amount(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        return "—"
    try:
        return f"{Decimal(value.strip()):,.2f}"
    except InvalidOperation:
        return value


def _limits(item: Any) -> str:
    limits = _field(item, "limits")
    limits = limits if isinstance(limits, dict) else {}
    return f"{_amount(limits.get('per_txn'))} / {_amount(limits.get('daily'))}"


def _accounts(item: Any) -> str:
    value = _field(item, "accounts")
    if value == ALL_ACCOUNTS:
        return tr("all")
    if not isinstance(value, list):
        return ""
    numbers = [str(n) for n in value]
    if len(numbers) > 2:
        return tr("{count} accounts").format(count=len(numbers))
    return ", ".join("…" + n[-4:] if len(n) > 4 else n for n in numbers)


def new_user(session: SigningSession) -> dict[str, Any]:
    """An operator as added at the counter: the company's administrator first, then makers; a UKey; all accounts;
    no limits."""
    users = session.get("/users")
    role = "maker" if isinstance(users, list) and users else "admin"
    return {
        "name": "",
        "id_type": "resident_id",
        "id_number": "",
        "mobile": "",
        "role": role,
        "credential": "ukey",
        "accounts": ALL_ACCOUNTS,
        "limits": {"per_txn": None, "daily": None},
    }


def _confirm(index: int, item: Any) -> str:
    name = _text(item, "name")
    if name:
        return tr("Remove user {index} ({name})?").format(index=index, name=name)
    return tr("Remove user {index}?").format(index=index)


class UsersPage(WizardPage):
    page = Page.USERS

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        form = BoundForm("/users/0", columns=2)
        self.name = form.add("name", TextField("", self.changed), object_name="user_name", mnemonic="m")
        self.id_type = form.add("id_type", ChoiceField("", "id_type", self.changed), object_name="user_id_type", mnemonic="t")
        self.id_number = form.add(
            "id_number", TextField("", self.changed, normalise=upper_strip), object_name="user_id_number", mnemonic="u"
        )
        self.mobile = form.add("mobile", TextField("", self.changed), object_name="user_mobile", mnemonic="e")
        self.email = form.add("email", TextField("", self.changed, absent_when_empty=True), object_name="user_email", mnemonic="k")
        form.new_column()
        self.role = form.add("role", ChoiceField("", "role", self.changed), object_name="user_role", mnemonic="r")
        self.credential = form.add("credential", ChoiceField("", "credential", self.changed), object_name="user_credential", mnemonic="g")
        self.per_txn = form.add("limits/per_txn", TextField("", self.changed, optional=True), object_name="user_per_txn", mnemonic="p")
        self.daily = form.add("limits/daily", TextField("", self.changed, optional=True), object_name="user_daily", mnemonic="x")
        self.accounts = form.add(
            "accounts",
            AccountsChoice("", self.changed, object_name="user_accounts"),
            object_name="user_accounts",
            exact=False,
            mnemonic="s",
        )
        columns = [
            Column(lambda: tr("Name"), lambda item: _text(item, "name")),
            Column(lambda: tr("ID type"), lambda item: value_name("id_type", _field(item, "id_type"))),
            Column(lambda: tr("ID number"), lambda item: _text(item, "id_number")),
            Column(lambda: tr("Mobile"), lambda item: _text(item, "mobile")),
            Column(lambda: tr("Role"), lambda item: value_name("role", _field(item, "role"))),
            Column(lambda: tr("Credential"), lambda item: value_name("credential", _field(item, "credential"))),
            Column(lambda: tr("Usable accounts"), _accounts),
            Column(lambda: tr("Limits (per transaction / daily)"), _limits),
        ]
        self.section = SectionTable(
            "/users",
            name="user",
            columns=columns,
            form=form,
            new_item=new_user,
            on_change=self.changed,
            texts=self._texts,
        )
        self.body.addWidget(self.section, 1)
        self.retranslate()

    @staticmethod
    def _texts() -> SectionTexts:
        return SectionTexts(
            heading=tr("User &list"),
            add=tr("&Add user (Insert)"),
            remove=tr("Remove user (&Delete)"),
            editor=lambda index, count: tr("User {index} of {count}").format(index=index, count=count),
            confirm=_confirm,
            empty=tr("No users yet: press Insert or Ctrl+Shift+A to add one."),
        )

    def refresh(self) -> None:
        self.section.show_from(self.session)

    def retranslate(self) -> None:
        super().retranslate()
        for field in (self.per_txn, self.daily):
            field.setPlaceholderText(tr("e.g. 500000.00; empty for no limit"))
        self.email.setPlaceholderText(tr("optional"))
        self.section.retranslate()

    def entered(self) -> None:
        target = self.section.table if self.section.items() else self.section.add_button
        target.setFocus(Qt.FocusReason.TabFocusReason)
