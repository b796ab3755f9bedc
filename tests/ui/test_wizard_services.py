"""The services, fees and review pages of the signing wizard, over a draft in the real store and the training service.

Services: an e-form's bundle is shown; switching to custom and unchecking a branch from the keyboard writes a
custom function list into the saved draft; the search narrows the tree and keeps the branches above each match.
Fees: the quote's total with the currency; a waiver without a reason keeps the teller on the page, with one it
goes on. Review: every section of a large group, the version hash, the supervisor's returned reason, and a jump
to the page that owns a problem.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from teller_client.domain.fees import quote
from teller_client.domain.model import Channel, RequestKind
from teller_client.flows.signing import TITLES, Page, SigningState
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language
from teller_client.store.drafts import DraftRepository
from teller_client.ui.main_window import MainWindow
from teller_client.ui.wizard.fees_page import FeesPage
from teller_client.ui.wizard.review_page import ReviewPage
from teller_client.ui.wizard.review_summary import summary_html
from teller_client.ui.wizard.services_page import CUSTOM, ServicesPage
from teller_client.ui.wizard.signing_wizard import SigningWizard
from tests.benchmarks.test_domain_bench import large_document
from tests.support.documents import OWN_BASIC, TODAY, valid_document
from tests.support.ui import WAIT, Opener, sign_in


def key(widget: QWidget, code: Qt.Key, text: str = "") -> None:
    """One key pressed and released on ``widget``, as the keyboard sends it."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, text))


def type_into(widget: QWidget, text: str) -> None:
    for ch in text:
        key(widget, Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isalnum() else Qt.Key.Key_unknown, ch)


def open_at(qtbot: QtBot, window: MainWindow, page: Page, document: dict[str, Any], **record: Any) -> tuple[SigningWizard, str]:
    """A verified e-form draft in the store, opened in the wizard on ``page`` (the pages before it visited)."""
    qtbot.waitUntil(lambda: window.store is not None, timeout=WAIT)
    assert window.store is not None
    drafts = DraftRepository(window.store)
    draft_id = drafts.create(source="eform", created_by="T0001", verified=True)
    drafts.save(draft_id, document, saved_by="T0001")
    pages = SigningState(RequestKind(document["request"])).pages
    visited = [p.value for p in pages[: pages.index(page) + 1]]
    drafts.set_wizard(draft_id, {"page": page.value, "visited": visited, "intake_done": True, **record})
    window.open_draft(draft_id)
    qtbot.waitUntil(lambda: window.wizard.session is not None and window.wizard.session.draft_id == draft_id, timeout=WAIT)
    wizard = window.wizard
    assert wizard.session is not None and wizard.session.state.page == page
    return wizard, draft_id


def saved_document(qtbot: QtBot, window: MainWindow, wizard: SigningWizard, draft_id: str) -> dict[str, Any]:
    qtbot.waitUntil(lambda: not wizard.saving, timeout=WAIT)
    assert window.store is not None
    latest = DraftRepository(window.store).latest(draft_id)
    assert latest is not None
    return latest.document


# -- services ---------------------------------------------------------------------------------------------------


def test_the_services_page_shows_the_e_forms_bundle_and_a_keyboard_custom_selection_is_saved(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window()
    sign_in(qtbot, window)
    wizard, draft_id = open_at(qtbot, window, Page.SERVICES, valid_document())
    page = wizard.pages[Page.SERVICES]
    assert isinstance(page, ServicesPage)
    session = wizard.session
    assert session is not None
    bundle = session.catalogue.bundles["payments_standard"]

    assert page.channel_list.count() == 1
    assert (bundle.zh if language() == "zh" else bundle.en) in page.channel_list.item(0).text()
    assert page.mode_combo.currentData() == "payments_standard"
    assert "68" in page.count.text() and "311" in page.count.text()
    group = page.tree_view.row("transfers.same_bank")
    assert group is not None and group.checked == group.total == 4

    # custom from the keyboard: End in the mode box picks "custom", keeping the bundle's functions checked
    page.mode_combo.setFocus()
    key(page.mode_combo, Qt.Key.Key_End)
    assert page.mode_combo.currentData() == CUSTOM
    service = session.get("/services/0")
    assert service["mode"] == "custom" and service["bundle"] is None and set(service["functions"]) == set(bundle.functions)

    # search, Down into the tree, Down to the group, Space unchecks the whole branch
    page.search.setFocus()
    type_into(page.search, "transfers.same_bank")
    key(page.search, Qt.Key.Key_Down)
    assert page.window().focusWidget() is page.tree_view
    assert page.tree_view.current_id() == "transfers"
    key(page.tree_view, Qt.Key.Key_Down)
    assert page.tree_view.current_id() == "transfers.same_bank"
    key(page.tree_view, Qt.Key.Key_Space)

    removed = {f.id for f in session.catalogue.functions.values() if f.group_id == "transfers.same_bank"}
    assert len(removed) == 4
    expected = [f for f in bundle.functions if f not in removed]
    group = page.tree_view.row("transfers.same_bank")
    assert group is not None and group.checked == 0
    item = page.tree_view.item("transfers.same_bank")
    assert item is not None and item.checkState(0) == Qt.CheckState.Unchecked
    menu = page.tree_view.item("transfers")
    assert menu is not None and menu.checkState(0) == Qt.CheckState.PartiallyChecked  # tri-state above a change
    assert "64" in page.count.text()

    saved = saved_document(qtbot, window, wizard, draft_id)["services"][0]
    order = [f.id for f in session.catalogue.functions_for(Channel.CORPORATE_ONLINE_BANKING)]
    assert saved["channel"] == "corporate_online_banking" and saved["mode"] == "custom" and saved["bundle"] is None
    assert saved["functions"] == sorted(expected, key=order.index)

    # Space again checks the branch; choosing the bundle again makes it a bundle service once more
    key(page.tree_view, Qt.Key.Key_Space)
    assert len(session.get("/services/0/functions")) == 68
    key(page.mode_combo, Qt.Key.Key_Home)
    assert session.get("/services/0") == {
        "channel": "corporate_online_banking",
        "mode": "standard",
        "bundle": "payments_standard",
        "functions": [],
    }


def test_search_narrows_the_tree_to_matches_and_the_branches_above_them(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window()
    sign_in(qtbot, window)
    wizard, _draft_id = open_at(qtbot, window, Page.SERVICES, valid_document())
    page = wizard.pages[Page.SERVICES]
    assert isinstance(page, ServicesPage)
    tree = page.tree_view
    everything = sum(1 for _ in iter_items(tree))
    assert everything > 311  # every function, with its menus and groups

    function = page.session.catalogue.functions["transfers.inter_bank.bank_lookup"] if page.session else None
    assert function is not None
    type_into(page.search, function.zh)  # Chinese, typed as key events with text
    shown = list(iter_items(tree))
    assert 3 <= len(shown) < everything / 10
    ids = [str(i.data(0, Qt.ItemDataRole.UserRole)) for i in shown]
    assert function.id in ids and "transfers" in ids and "transfers.inter_bank" in ids
    assert all(i.isExpanded() for i in shown if i.childCount())
    for item in shown:
        if item.childCount() == 0:
            assert function.zh in item.text(0) or function.zh in item.toolTip(0)

    page.search.clear()
    assert sum(1 for _ in iter_items(tree)) == everything
    type_into(page.search, "no such function")
    assert list(iter_items(tree)) == []


def iter_items(tree: Any) -> Any:
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.child(i) for i in range(item.childCount()))


def test_adding_and_removing_a_channel(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window()
    sign_in(qtbot, window)
    wizard, draft_id = open_at(qtbot, window, Page.SERVICES, valid_document())
    page = wizard.pages[Page.SERVICES]
    assert isinstance(page, ServicesPage)
    assert page.add_combo.findData("corporate_online_banking") == -1  # already signed
    page.add_combo.setCurrentIndex(page.add_combo.findData("e_bills"))
    page.add_button.click()
    assert page.channel_list.count() == 2 and page.channel_list.currentRow() == 1
    assert page.mode_combo.currentData() == "ebills_standard"
    assert page.session is not None and page.session.get("/services/1/bundle") == "ebills_standard"
    page.remove_button.click()
    assert page.channel_list.count() == 1
    assert [s["channel"] for s in saved_document(qtbot, window, wizard, draft_id)["services"]] == ["corporate_online_banking"]


# -- fees -----------------------------------------------------------------------------------------------------------


def test_fees_show_the_total_and_a_waiver_needs_a_reason(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window()
    sign_in(qtbot, window)
    wizard, draft_id = open_at(qtbot, window, Page.FEES, valid_document())
    page = wizard.pages[Page.FEES]
    assert isinstance(page, FeesPage)
    session = wizard.session
    assert session is not None and session.application is not None
    expected = quote(session.application, session.catalogue)
    assert str(expected.total) == "480.00"  # 300.00 bundle + 3 UKeys at 60.00
    assert "480.00" in page.total.text() and ("CNY" in page.total.text() or "人民币" in page.total.text())
    assert page.table.rowCount() == len(expected.lines)
    assert page.table.item(0, 3).text() == "300.00"

    page.waiver.click()  # a waiver without a reason: the rules refuse it
    assert session.get("/fees/waiver_requested") is True
    assert [p.code for p in session.problems_at("/fees")] == ["waiver_needs_reason"]
    assert page.problems.isVisible()
    wizard.next_button.click()
    assert session.state.page == Page.FEES and wizard.refusal.text()
    assert "480.00" in page.note.text() and "0.00" in page.note.text()

    assert page.reason.isEnabled()
    type_into(page.reason, "长期合作客户，年费减半")
    assert session.get("/fees/reason") == "长期合作客户，年费减半"
    assert session.problems_at("/fees") == ()
    wizard.next_button.click()
    assert session.state.page == Page.REVIEW
    fees = saved_document(qtbot, window, wizard, draft_id)["fees"]
    assert fees == {"waiver_requested": True, "reason": "长期合作客户，年费减半"}


# -- review ---------------------------------------------------------------------------------------------------------


def test_review_shows_every_section_the_version_the_returned_reason_and_jumps_to_a_problems_page(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window()
    sign_in(qtbot, window)
    document = valid_document()
    document["customer"]["contact"]["mobile"] = "123"
    reason = "第二个账户的账号与开户资料不符"
    wizard, _draft_id = open_at(qtbot, window, Page.REVIEW, document, returned_reason=reason)
    page = wizard.pages[Page.REVIEW]
    assert isinstance(page, ReviewPage)
    session = wizard.session
    assert session is not None and session.state.snapshot_hash is not None

    text = page.summary.toPlainText()
    for section in (Page.CUSTOMER, Page.ACCOUNTS, Page.USERS, Page.SERVICES, Page.FEES):
        zh, en = TITLES[section]
        assert (zh if language() == "zh" else en) in text
    assert OWN_BASIC in text and "厦门示例贸易有限公司" in text and "王五" in text and "480.00" in text
    assert "68/311" in text
    assert session.form_id in page.form.text()

    digest = session.state.snapshot_hash
    assert f"{digest[0:4]} {digest[4:8]} {digest[8:12]}" in page.version.text()
    assert page.returned.isVisible() and reason in page.returned.text()

    assert set(page.goto_buttons) == {Page.CUSTOMER}
    assert "123" not in page.goto_buttons[Page.CUSTOMER].text()
    with qtbot.waitSignal(page.open_page, timeout=WAIT, check_params_cb=lambda target: target == Page.CUSTOMER):
        page.goto_buttons[Page.CUSTOMER].click()

    # a change elsewhere makes a new version: the hash shown follows the session
    session.set("/customer/contact/mobile", "13800138000")
    page.refresh()
    assert session.state.snapshot_hash != digest
    assert session.state.snapshot_hash[:4] in page.version.text() and not page.problems.isVisible()


def test_review_of_a_large_group_lists_every_account_and_user() -> None:
    document = large_document()
    session = SigningSession(draft_id="d", document=document, teller="T0001", source="eform", verified=False, today=TODAY)
    session.state = replace(session.state, page=Page.REVIEW)
    html = summary_html(session)
    for account in document["accounts"]:
        assert account["number"] in html
    for user in document["users"]:
        assert user["name"] in html and user["id_number"] in html
    assert "311/311" in html and "5,000.00" in html  # custom online banking (800) + cash pool advanced (3600) + 10 UKeys
