"""The customer, accounts and users pages: they show a read e-form exactly, check as the teller types, and take a
paper form typed entirely from the keyboard into the saved draft."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget, QTableWidgetItem, QWidget
from pytestqt.qtbot import QtBot

from teller_client.flows.signing import Page
from teller_client.store.drafts import DraftRepository
from teller_client.ui.main_window import MainWindow
from teller_client.ui.wizard.accounts_page import AccountsPage
from teller_client.ui.wizard.customer_page import CustomerPage
from teller_client.ui.wizard.section_table import ERROR_TINT
from teller_client.ui.wizard.signing_wizard import SigningWizard
from teller_client.ui.wizard.users_page import UsersPage
from tests.support.documents import (
    ADMIN_ID,
    CHECKER_ID,
    CUSTOMER_USCC,
    MAKER_ID,
    OTHER_BANK_CODE,
    OWN_BASIC,
    OWN_GENERAL,
    REP_ID,
    valid_document,
)
from tests.support.ui import WAIT, Opener, sign_in

# -- the keyboard ---------------------------------------------------------------------------------------------------


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(key: Qt.Key, text: str = "", modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """One key pressed and released on the focused control, as the keyboard would send it."""
    target = focused()
    QApplication.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, key, modifiers, text))
    QApplication.sendEvent(target, QKeyEvent(QEvent.Type.KeyRelease, key, modifiers, text))


def type_text(text: str) -> None:
    for ch in text:
        key = Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isprintable() else Qt.Key.Key_unknown
        press(key, ch)


def tab(expected: str) -> None:
    """Tab to the next control, which must be ``expected`` (an object name)."""
    press(Qt.Key.Key_Tab)
    assert focused().objectName() == expected, f"Tab went to {focused().objectName()!r}, not {expected!r}"


def fill(expected: str, text: str) -> None:
    tab(expected)
    type_text(text)


def label(page: QWidget, name: str) -> QLabel:
    found = page.findChild(QLabel, name)
    assert isinstance(found, QLabel), name
    return found


def on_page(wizard: SigningWizard) -> Page:
    assert wizard.session is not None
    return wizard.session.state.page


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None, f"no cell at {row}, {column}"
    return item


# -- opening --------------------------------------------------------------------------------------------------------


def open_eform(qtbot: QtBot, window: MainWindow, document: dict[str, Any] | None = None) -> SigningWizard:
    """A verified e-form draft opened in the wizard, on its customer page."""
    assert window.store is not None
    drafts = DraftRepository(window.store)
    draft_id = drafts.create(source="eform", created_by="T0001", verified=True)
    drafts.save(draft_id, document or valid_document(), saved_by="T0001")
    window.open_draft(draft_id)
    qtbot.waitUntil(lambda: window.wizard.session is not None and window.wizard.session.draft_id == draft_id, timeout=WAIT)
    wizard = window.wizard
    wizard.next_button.click()
    assert wizard.session is not None and on_page(wizard) == Page.CUSTOMER
    return wizard


def signed_in_window(qtbot: QtBot, open_window: Opener) -> MainWindow:
    window = open_window()
    sign_in(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    return window


# -- the tests ------------------------------------------------------------------------------------------------------


def test_a_verified_eform_shows_its_customer_accounts_and_users(qtbot: QtBot, open_window: Opener) -> None:
    window = signed_in_window(qtbot, open_window)
    wizard = open_eform(qtbot, window)
    customer = wizard.pages[Page.CUSTOMER]
    assert isinstance(customer, CustomerPage)
    assert customer.name.text() == "厦门示例贸易有限公司"
    assert customer.uscc.text() == CUSTOMER_USCC
    assert customer.kind.currentData() == "real" and customer.kind.currentText() == "实体客户"
    assert customer.group_uscc.text() == ""
    assert (customer.rep_name.text(), customer.rep_id_type.currentData(), customer.rep_id_number.text()) == ("张三", "resident_id", REP_ID)
    assert customer.contact_name.text() == "李四" and customer.contact_mobile.text() == "13800138000"
    assert customer.contact_email.text() == "finance@example.cn" and customer.contact_address.text() == "厦门市思明区示例路1号"
    assert not label(customer, "customer_uscc_problem").isVisible()

    wizard.next_button.click()
    accounts = wizard.pages[Page.ACCOUNTS]
    assert isinstance(accounts, AccountsPage) and wizard.session is not None and on_page(wizard) == Page.ACCOUNTS
    table = accounts.section.table
    assert table.rowCount() == 2
    assert [cell(table, row, 0).text() for row in range(2)] == [OWN_BASIC, OWN_GENERAL]
    assert [cell(table, row, 2).text() for row in range(2)] == ["基本存款账户", "一般存款账户"]
    assert cell(table, 0, 5).text() == "查询、支付"
    assert cell(table, 0, table.columnCount() - 1).text() == ""  # no problem
    assert accounts.number.text() == OWN_BASIC and accounts.type.currentData() == "basic"
    assert accounts.rights.boxes["pay"].isChecked() and not accounts.rights.boxes["collect"].isChecked()
    assert accounts.expires_on.text() == "" and not accounts.fx_capable.isChecked()

    wizard.next_button.click()
    users = wizard.pages[Page.USERS]
    assert isinstance(users, UsersPage) and on_page(wizard) == Page.USERS
    table = users.section.table
    assert [cell(table, row, 0).text() for row in range(3)] == ["王五", "赵六", "钱七"]
    assert [cell(table, row, 4).text() for row in range(3)] == ["企业管理员", "录入员", "审核员"]
    assert cell(table, 0, 7).text() == "500,000.00 / 2,000,000.00"
    assert users.accounts.all.isChecked()
    table.setFocus()
    press(Qt.Key.Key_Down)  # the maker, who may use the basic account only
    assert users.name.text() == "赵六" and users.id_number.text() == MAKER_ID
    assert users.per_txn.text() == "500000.00" and users.daily.text() == "2000000.00"
    assert not users.accounts.all.isChecked()
    listed = users.accounts.list
    checked = {listed.item(i).data(Qt.ItemDataRole.UserRole): listed.item(i).checkState() == Qt.CheckState.Checked for i in range(2)}
    assert checked == {OWN_BASIC: True, OWN_GENERAL: False}
    assert wizard.session.report.ok

    window.switch_language("en")
    try:  # the page words itself again, the data stays
        header = table.horizontalHeaderItem(4)
        assert header is not None and header.text() == "Role"
        assert cell(table, 1, 4).text() == "maker" and users.role.currentText() == "maker"
        assert users.section.editor.title() == "User 2 of 3" and users.name.text() == "赵六"
        assert users.section.add_button.text() == "&Add user (Insert)"
    finally:
        window.switch_language("zh")


def test_a_wrong_uscc_check_character_is_shown_beside_the_field_and_keeps_the_teller_on_the_page(qtbot: QtBot, open_window: Opener) -> None:
    window = signed_in_window(qtbot, open_window)
    wizard = open_eform(qtbot, window)
    customer = wizard.pages[Page.CUSTOMER]
    assert isinstance(customer, CustomerPage) and wizard.session is not None
    problem = label(customer, "customer_uscc_problem")
    customer.uscc.setFocus()
    press(Qt.Key.Key_End)
    press(Qt.Key.Key_Backspace)
    type_text("7")  # the right check character is 8
    assert wizard.session.get("/customer/uscc") == CUSTOMER_USCC[:-1] + "7"
    expected = [p for p in wizard.session.report.problems if p.pointer == "/customer/uscc"]
    assert [p.code for p in expected] == ["uscc_check_character"]
    assert problem.isVisible() and expected[0].message("zh") in problem.text()

    wizard.next_button.click()
    assert on_page(wizard) == Page.CUSTOMER
    assert wizard.refusal.text()

    press(Qt.Key.Key_Backspace)
    type_text("8")
    assert not problem.isVisible()
    wizard.next_button.click()
    assert on_page(wizard) == Page.ACCOUNTS


def test_a_paper_form_typed_from_the_keyboard_is_saved_as_typed(qtbot: QtBot, open_window: Opener) -> None:
    window = signed_in_window(qtbot, open_window)
    window.new_paper_action.trigger()
    qtbot.waitUntil(lambda: window.wizard.session is not None, timeout=WAIT)
    wizard = window.wizard
    session = wizard.session
    assert session is not None
    wizard.next_button.click()
    assert on_page(wizard) == Page.CUSTOMER

    assert focused().objectName() == "customer_name"
    type_text("厦门示例贸易有限公司")
    fill("customer_uscc", CUSTOMER_USCC.lower())  # typed in lower case, written as the code is
    tab("customer_kind")
    tab("customer_group_uscc")
    fill("legal_rep_name", "张三")
    tab("legal_rep_id_type")
    fill("legal_rep_id_number", REP_ID)
    fill("contact_name", "李四")
    fill("contact_mobile", "13800138000")
    wizard.next_button.click()
    assert on_page(wizard) == Page.ACCOUNTS, wizard.refusal.text()

    accounts = wizard.pages[Page.ACCOUNTS]
    assert isinstance(accounts, AccountsPage)
    assert focused().objectName() == "accountAdd"
    press(Qt.Key.Key_Insert)
    assert focused().objectName() == "account_number"
    type_text(OWN_BASIC)
    tab("account_relation")
    tab("account_type")
    press(Qt.Key.Key_Up)  # general -> basic
    tab("account_currency")
    tab("account_bank_code")
    tab("account_rights_query")
    tab("account_rights_pay")
    press(Qt.Key.Key_Space)
    press(Qt.Key.Key_A, "\x01", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # the second account
    type_text("6222021001000055555")  # one to remove
    press(Qt.Key.Key_Insert)
    type_text("6222 0210 0100 0067 890")  # typed in groups: written as digits
    for name in ("account_relation", "account_type", "account_currency", "account_bank_code", "account_rights_query"):
        tab(name)
    tab("account_rights_pay")
    press(Qt.Key.Key_Space)
    tab("account_rights_collect")
    press(Qt.Key.Key_Space)
    assert accounts.section.table.rowCount() == 3

    press(Qt.Key.Key_Escape)  # back to the table, on the third account
    assert focused() is accounts.section.table
    press(Qt.Key.Key_Up)
    assert accounts.number.text() == "6222021001000055555"
    press(Qt.Key.Key_Delete)
    assert accounts.section.confirm_bar.isVisible() and focused().objectName() == "accountRemoveConfirm"
    assert "6222021001000055555" in accounts.section.question.text()
    press(Qt.Key.Key_Escape)  # not yet
    assert not accounts.section.confirm_bar.isVisible() and accounts.section.table.rowCount() == 3
    press(Qt.Key.Key_Delete)
    press(Qt.Key.Key_Return)
    assert accounts.section.table.rowCount() == 2 and focused() is accounts.section.table
    assert accounts.number.text() == OWN_GENERAL  # the next one is shown
    wizard.next_button.click()
    assert on_page(wizard) == Page.USERS, wizard.refusal.text()

    users = wizard.pages[Page.USERS]
    assert isinstance(users, UsersPage)
    press(Qt.Key.Key_Insert)
    assert focused().objectName() == "user_name"
    type_text("王五")
    tab("user_id_type")
    fill("user_id_number", ADMIN_ID)
    fill("user_mobile", "13900139000")
    tab("user_email")
    tab("user_role")
    tab("user_credential")
    fill("user_per_txn", "500000.00")
    fill("user_daily", "2000000.00")

    press(Qt.Key.Key_Insert)
    type_text("赵六")
    tab("user_id_type")
    fill("user_id_number", MAKER_ID)
    fill("user_mobile", "13900139001")
    fill("user_email", "zhao@example.cn")
    tab("user_role")  # a second user is a maker
    tab("user_credential")
    tab("user_per_txn")
    tab("user_daily")
    tab("user_accounts_all")
    press(Qt.Key.Key_Space)  # not all accounts: choose
    assert focused().objectName() == "user_accounts_list"
    press(Qt.Key.Key_Space)  # the first, the basic account

    press(Qt.Key.Key_Insert)
    type_text("钱七")
    tab("user_id_type")
    fill("user_id_number", CHECKER_ID)
    fill("user_mobile", "13900139002")
    tab("user_email")
    tab("user_role")
    press(Qt.Key.Key_Down)  # maker -> checker
    tab("user_credential")
    press(Qt.Key.Key_Down)  # UKey -> password
    assert users.section.table.rowCount() == 3
    assert cell(users.section.table, 1, 6).text() == "…2345"

    qtbot.waitUntil(lambda: not wizard.saving, timeout=WAIT)
    assert window.store is not None
    saved = DraftRepository(window.store).latest(session.draft_id)
    assert saved is not None
    document = saved.document
    assert document["customer"] == {
        "name": "厦门示例贸易有限公司",
        "uscc": CUSTOMER_USCC,
        "kind": "real",
        "group_uscc": None,
        "legal_rep": {"name": "张三", "id_type": "resident_id", "id_number": REP_ID},
        "contact": {"name": "李四", "mobile": "13800138000", "email": None, "address": None},
    }
    assert document["accounts"] == [
        {"number": OWN_BASIC, "relation": "own", "type": "basic", "currency": "CNY", "bank_code": None, "rights": ["query", "pay"]},
        {
            "number": OWN_GENERAL,
            "relation": "own",
            "type": "general",
            "currency": "CNY",
            "bank_code": None,
            "rights": ["query", "pay", "collect"],
        },
    ]
    person = {"id_type": "resident_id"}
    assert document["users"] == [
        {
            **person,
            "name": "王五",
            "id_number": ADMIN_ID,
            "mobile": "13900139000",
            "role": "admin",
            "credential": "ukey",
            "accounts": "all",
            "limits": {"per_txn": "500000.00", "daily": "2000000.00"},
        },
        {
            **person,
            "name": "赵六",
            "id_number": MAKER_ID,
            "mobile": "13900139001",
            "email": "zhao@example.cn",
            "role": "maker",
            "credential": "ukey",
            "accounts": [OWN_BASIC],
            "limits": {"per_txn": None, "daily": None},
        },
        {
            **person,
            "name": "钱七",
            "id_number": CHECKER_ID,
            "mobile": "13900139002",
            "role": "checker",
            "credential": "password",
            "accounts": "all",
            "limits": {"per_txn": None, "daily": None},
        },
    ]
    assert not session.problems_at("/accounts") and not session.problems_at("/users")


def test_a_rule_about_an_account_is_shown_on_its_row(qtbot: QtBot, open_window: Opener) -> None:
    window = signed_in_window(qtbot, open_window)
    wizard = open_eform(qtbot, window)
    wizard.next_button.click()
    accounts = wizard.pages[Page.ACCOUNTS]
    assert isinstance(accounts, AccountsPage) and wizard.session is not None
    table = accounts.section.table
    problems = table.columnCount() - 1
    bank_code_problem = label(accounts, "account_bank_code_problem")
    relation_problem = label(accounts, "account_relation_problem")

    assert focused() is table
    press(Qt.Key.Key_Down)  # the general account
    press(Qt.Key.Key_Return)
    tab("account_relation")
    press(Qt.Key.Key_Down)  # own -> group member's
    press(Qt.Key.Key_Down)  # -> another bank's, without its bank code
    assert wizard.session.get("/accounts/1/relation") == "other_bank"
    [rule] = wizard.session.problems_at("/accounts/1")
    assert rule.code == "other_bank_needs_bank_code" and rule.pointer == "/accounts/1/bank_code"
    assert rule.message("zh") in cell(table, 1, problems).text()
    assert rule.message("zh") in cell(table, 1, 0).toolTip()
    assert cell(table, 1, 0).background().color().name() == ERROR_TINT
    assert cell(table, 0, problems).text() == ""  # the other row is fine
    assert bank_code_problem.isVisible() and rule.message("zh") in bank_code_problem.text()

    tab("account_type")
    tab("account_currency")
    fill("account_bank_code", OTHER_BANK_CODE)
    assert cell(table, 1, problems).text() == "" and not bank_code_problem.isVisible()
    assert cell(table, 1, 4).text() == OTHER_BANK_CODE

    press(Qt.Key.Key_Escape)
    press(Qt.Key.Key_Up)  # the basic account may not be another company's (the customer is no group)
    press(Qt.Key.Key_Return)
    tab("account_relation")
    press(Qt.Key.Key_Down)
    [rule] = wizard.session.problems_at("/accounts/0")
    assert rule.code == "basic_account_not_own"
    assert rule.message("zh") in cell(table, 0, problems).text() and relation_problem.isVisible()
    wizard.next_button.click()
    assert on_page(wizard) == Page.ACCOUNTS  # an error keeps the teller here
