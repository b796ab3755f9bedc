"""The wizard's shell in the main window: a paper form opens on the intake, moves are checked, drafts are saved."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from teller_client.flows.signing import Page
from teller_client.store.drafts import DraftRepository
from tests.support.ui import WAIT, Opener, sign_in


def test_a_paper_form_opens_in_the_wizard_and_next_is_refused_while_the_customer_is_empty(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window()
    sign_in(qtbot, window)
    window.new_paper_action.trigger()
    qtbot.waitUntil(lambda: window.wizard.session is not None, timeout=WAIT)
    wizard = window.wizard
    assert window.workspace.currentWidget() is wizard
    assert wizard.session is not None and wizard.session.state.page == Page.INTAKE
    assert wizard.step_bar.buttons[Page.INTAKE].text().startswith("2 ")

    wizard.next_button.click()
    assert wizard.session.state.page == Page.CUSTOMER
    wizard.next_button.click()  # the customer page has required fields left empty
    assert wizard.session.state.page == Page.CUSTOMER
    assert "问题" in wizard.refusal.text()
    assert wizard.problems.isVisible()

    qtbot.waitUntil(lambda: not wizard.saving, timeout=WAIT)
    assert window.store is not None
    draft = DraftRepository(window.store).summary(wizard.session.draft_id)
    assert draft.step == "customer" and draft.source == "paper"

    wizard.back_button.click()
    wizard.back_button.click()  # back from the intake: the start page, the draft listed
    assert window.workspace.currentWidget() is window.start_page
    qtbot.waitUntil(lambda: window.start_page.table.rowCount() == 1, timeout=WAIT)
