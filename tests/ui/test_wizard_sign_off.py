"""Dual control and submission in the wizard, against the training service over real HTTP.

A valid e-form draft is opened on the sign-off page; a supervisor signs off at the teller's desk (re-keying the
USCC and the paying accounts) or from the branch review queue on "another computer" (a second page in the same test,
signed in as the supervisor), while the teller's page waits without blocking. The maker can never approve; a return
comes back to the teller's draft with its reason; submission gives the media plan and the agreement number.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from teller_client.api.errors import PermissionDeniedError
from teller_client.domain.model import RequestKind
from teller_client.flows.sign_off import critical_fields
from teller_client.flows.signing import PAGES, Page
from teller_client.flows.signing_session import SigningSession
from teller_client.secret import Secret
from teller_client.store.drafts import DraftRepository
from teller_client.ui import central
from teller_client.ui.central import SignedIn
from teller_client.ui.main_window import MainWindow
from teller_client.ui.review_queue_page import ReviewQueuePage, masked_uscc
from teller_client.ui.wizard.sign_off_dialog import SignOffDialog
from teller_client.ui.wizard.sign_off_page import SignOffPage
from teller_client.ui.wizard.submit_page import SubmitPage
from tests.support.central import TRAINING_PASSWORD, ClientFactory
from tests.support.documents import valid_document
from tests.support.ui import WAIT, Opener, sign_in


def key(widget: object, qt_key: Qt.Key, text: str = "") -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, qt_key, Qt.KeyboardModifier.NoModifier, text))  # type: ignore[arg-type]


def type_into(widget: object, text: str) -> None:
    for ch in text:
        key(widget, Qt.Key.Key_unknown, ch)


def open_on_sign_off(qtbot: QtBot, window: MainWindow, fees: dict[str, object] | None = None) -> SigningSession:
    """A valid, verified e-form draft of T0001, every page before sign-off done, opened in the wizard."""
    assert window.store is not None
    doc = valid_document()
    doc["form_id"] = "EF" + uuid.uuid4().hex[:14].upper()
    if fees is not None:
        doc["fees"] = fees
    drafts = DraftRepository(window.store)
    draft_id = drafts.create(source="eform", created_by="T0001", form_id=doc["form_id"], verified=True)
    drafts.save(draft_id, doc, saved_by="T0001")
    pages = PAGES[RequestKind.NEW]
    visited = [p.value for p in pages[: pages.index(Page.SIGN_OFF) + 1]]
    drafts.set_wizard(draft_id, {"page": "sign_off", "visited": visited, "intake_done": True})
    window.open_draft(draft_id)
    qtbot.waitUntil(lambda: window.wizard.session is not None and window.wizard.session.draft_id == draft_id, timeout=WAIT)
    session = window.wizard.session
    assert session is not None and session.state.page == Page.SIGN_OFF and not session.state.blocking(Page.REVIEW)
    return session


def shown(window: MainWindow) -> QWidget | None:
    """The page the wizard shows (its stack holds each page in a scroll area)."""
    scroll = window.wizard.stack.currentWidget()
    assert isinstance(scroll, QScrollArea)
    return scroll.widget()


def sign_off_page(window: MainWindow) -> SignOffPage:
    page = window.wizard.pages[Page.SIGN_OFF]
    assert isinstance(page, SignOffPage)
    return page


def open_dialog(qtbot: QtBot, page: SignOffPage) -> SignOffDialog:
    page.desk_button.click()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT)
    assert page.dialog is not None
    return page.dialog


def supervisor_signs_in(qtbot: QtBot, dialog: SignOffDialog, user_id: str = "S0001") -> None:
    dialog.supervisor_id.setText(user_id)
    type_into(dialog.password, TRAINING_PASSWORD)
    key(dialog.password, Qt.Key.Key_Return)
    assert dialog.password.text() == ""  # read into a Secret and emptied at once
    qtbot.waitUntil(lambda: dialog.supervisor is not None, timeout=WAIT)


@pytest.fixture
def window(qtbot: QtBot, open_window: Opener, training_service: str) -> Iterator[MainWindow]:
    window = open_window(url=training_service)
    sign_in(qtbot, window, "T0001")
    yield window
    window.context.workers.wait(WAIT)


def test_the_supervisor_signs_off_at_the_desk_after_re_keying_and_the_teller_submits(
    qtbot: QtBot, window: MainWindow, client_for: ClientFactory
) -> None:
    session = open_on_sign_off(qtbot, window)
    page = sign_off_page(window)
    assert "厦门示例贸易有限公司" in page.summary.text()

    window.wizard.next_button.click()  # not approved: the wizard stays
    assert session.state.page == Page.SIGN_OFF and window.wizard.refusal.text()

    dialog = open_dialog(qtbot, page)
    assert session.application_id is not None and session.status == "pending_approval"
    assert not dialog.rekey_box.isEnabled()  # nothing to re-key before a supervisor signs in
    supervisor_signs_in(qtbot, dialog)
    supervisor = dialog.supervisor
    assert supervisor is not None and supervisor.login.user.id == "S0001" and "S0001" in dialog.signed_in.text()

    assert session.application is not None
    fields = critical_fields(session.application)
    assert len(dialog.rekey_edits) == len(fields) >= 2 and fields[0].key == "customer.uscc"
    for edit, field in zip(dialog.rekey_edits, fields, strict=True):
        type_into(edit, field.expected)
    wrong = fields[-1].expected[:-1] + ("1" if fields[-1].expected[-1] != "1" else "2")
    dialog.rekey_edits[-1].clear()
    type_into(dialog.rekey_edits[-1], wrong)
    dialog.approve_button.click()  # refused here: the last account differs; its name is given, not the value
    assert fields[-1].label_zh in dialog.status.error_shown() and wrong not in dialog.status.error_shown()
    assert all(edit.text() == "" for edit in dialog.rekey_edits)  # compared, then cleared: never kept nor shown back
    assert "✖" in dialog.rekey_results[-1].text() and "✔" in dialog.rekey_results[0].text()
    assert client_for("T0001").application(session.application_id).status == "pending_approval"

    type_into(dialog.rekey_edits[-1], fields[-1].expected)
    with qtbot.waitSignal(dialog.finished, timeout=WAIT):
        dialog.approve_button.click()
    assert session.state.approved and session.status == "approved"
    qtbot.waitUntil(lambda: supervisor.login.token.wiped, timeout=WAIT)  # the supervisor's session ended
    assert "S0001" in page.decision_state.text()

    window.wizard.next_button.click()
    assert session.state.page == Page.SUBMIT
    submit = window.wizard.pages[Page.SUBMIT]
    assert isinstance(submit, SubmitPage) and submit.submit_button.isEnabled()
    codes_held: list[bool] = []  # when the page reports the submission: the plan holds every authorization code
    submit.edited.connect(
        lambda: codes_held.append(
            session.media_plan is not None
            and all(session.media_plan.codes.get(i.order) for i in session.media_plan.items if i.kind == "certificate")
        )
    )
    submit.submit_button.click()
    qtbot.waitUntil(lambda: session.state.page == Page.MEDIA, timeout=WAIT)  # the page asked the wizard to go on
    plan = session.media_plan
    assert plan is not None and plan.agreement_no.startswith("AG") and session.status == "submitted" and session.state.submitted
    assert plan.agreement_no in submit.agreement.text()
    assert sorted(i.kind for i in plan.items) == ["certificate"] * 3 + ["letter"] * 3 and codes_held == [True]
    info = client_for("S0001").application(session.application_id)
    assert info.status == "submitted" and info.agreement_no == plan.agreement_no
    qtbot.waitUntil(lambda: not window.wizard.saving, timeout=WAIT)
    assert window.store is not None
    assert DraftRepository(window.store).summary(session.draft_id).status == "submitted"


def test_the_maker_never_approves_in_the_dialog_nor_at_the_service(qtbot: QtBot, window: MainWindow, client_for: ClientFactory) -> None:
    session = open_on_sign_off(qtbot, window)
    dialog = open_dialog(qtbot, sign_off_page(window))
    dialog.supervisor_id.setText("t0001")  # the maker, whatever the case
    type_into(dialog.password, TRAINING_PASSWORD)
    dialog.sign_in_button.click()
    assert "经办人" in dialog.status.error_shown() and dialog.supervisor is None and not dialog.status.busy
    assert dialog.password.text() == "" and not dialog.approve_button.isEnabled()

    assert session.application_id is not None and session.state.snapshot_hash is not None
    with pytest.raises(PermissionDeniedError) as refused:  # asked directly, the service refuses the maker too
        client_for("T0001").decide(
            session.application_id, snapshot_hash=session.state.snapshot_hash, decision="approve", idempotency_key=str(uuid.uuid4())
        )
    assert refused.value.status == 403 and refused.value.code == "maker_cannot_approve"

    dialog.supervisor_id.setText("T0002")  # another teller signs in, but is not a supervisor: refused and signed out
    type_into(dialog.password, TRAINING_PASSWORD)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: not dialog.status.busy and "主管" in dialog.status.error_shown(), timeout=WAIT)
    assert dialog.supervisor is None and dialog.supervisor_id.isEnabled() and dialog.password.isEnabled()
    dialog.reject()
    assert not session.state.approved and session.status == "pending_approval"
    assert client_for("S0001").application(session.application_id).status == "pending_approval"


def test_a_return_at_the_desk_comes_back_to_the_tellers_draft_with_its_reason(qtbot: QtBot, window: MainWindow) -> None:
    session = open_on_sign_off(qtbot, window)
    page = sign_off_page(window)
    dialog = open_dialog(qtbot, page)
    supervisor_signs_in(qtbot, dialog, "S0002")
    dialog.return_button.click()  # no reason: refused before anything is sent
    assert dialog.status.error_shown() and dialog.isVisible()
    type_into(dialog.reason, "法定代表人证件已过期")
    with qtbot.waitSignal(page.returned, timeout=WAIT):
        dialog.return_button.click()

    assert session.status == "returned" and session.state.page == Page.REVIEW
    assert session.state.returned_reason == "法定代表人证件已过期" and not session.state.approved
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert shown(window) is window.wizard.pages[Page.REVIEW]  # the wizard shows review
    qtbot.waitUntil(lambda: not window.wizard.saving, timeout=WAIT)
    assert window.store is not None
    drafts = DraftRepository(window.store)
    record, application_id = drafts.wizard(session.draft_id)
    assert record["returned_reason"] == "法定代表人证件已过期" and record["page"] == "review"
    assert application_id == session.application_id and drafts.summary(session.draft_id).status == "returned"


def test_remote_sign_off_from_the_review_queue_while_the_tellers_page_waits(qtbot: QtBot, window: MainWindow) -> None:
    session = open_on_sign_off(qtbot, window, fees={"waiver_requested": True, "reason": "战略合作客户"})
    page = sign_off_page(window)
    page.poll_interval_ms = 200
    page.queue_button.click()
    qtbot.waitUntil(lambda: page.waiting, timeout=WAIT)
    assert session.application_id is not None and session.status == "pending_approval"
    assert page.cancel_wait_button.isVisible() and page.status.busy

    # the teller may stop waiting (the application stays in the queue) and wait again
    page.cancel_wait_button.click()
    assert not page.waiting and not page.status.busy
    page.entered()
    assert page.waiting
    qtbot.waitUntil(lambda: "0:0" in page.elapsed_label.text(), timeout=WAIT)

    # a supervisor on another computer: their own sign-in, their own queue page
    assert window.endpoint is not None
    supervisor = central.sign_in(window.endpoint, "S0001", Secret(TRAINING_PASSWORD))
    queue = ReviewQueuePage(window.context.workers, window.context.errors, lambda: supervisor)
    qtbot.addWidget(queue)
    queue.show()
    qtbot.waitUntil(lambda: any(i.id == session.application_id for i in queue.items), timeout=WAIT)
    assert queue.select(session.application_id)
    row = queue.table.currentRow()
    assert queue.table.item(row, 1).text() == masked_uscc(valid_document()["customer"]["uscc"]) != valid_document()["customer"]["uscc"]
    assert queue.table.item(row, 2).text() == "T0001" and queue.table.item(row, 5).text()
    key(queue.table, Qt.Key.Key_Return)  # open it read-only
    qtbot.waitUntil(lambda: queue.opened is not None and queue.opened.id == session.application_id, timeout=WAIT)
    assert queue.detail.isReadOnly() and "厦门示例贸易有限公司" in queue.detail.toPlainText()
    assert session.state.snapshot_hash is not None and session.state.snapshot_hash in queue.snapshot.text()
    assert queue.waiver_box.isVisible() and queue.approve_button.isEnabled()

    queue.approve_button.click()  # the waiver must be decided with the approval
    assert queue.status.error_shown() and page.waiting
    queue.waiver_refuse.setChecked(True)
    with qtbot.waitSignal(queue.decided, timeout=WAIT):
        queue.approve_button.click()

    # the teller's page notices on its own, while the GUI stayed free (the wait ran on timers and workers)
    qtbot.waitUntil(lambda: session.state.approved, timeout=WAIT)
    assert not page.waiting and session.status == "approved" and page.last_decision is not None
    assert page.last_decision.fee_waiver_approved is False and "S0001" in page.decision_state.text()
    qtbot.waitUntil(lambda: all(i.id != session.application_id for i in queue.items) and queue._loading is None, timeout=WAIT)
    window.wizard.next_button.click()
    assert session.state.page == Page.SUBMIT
    central.end_session(window.endpoint, supervisor)


def test_a_remote_return_then_a_rejection_close_the_application(qtbot: QtBot, window: MainWindow, client_for: ClientFactory) -> None:
    session = open_on_sign_off(qtbot, window)
    page = sign_off_page(window)
    page.poll_interval_ms = 200
    page.queue_button.click()
    qtbot.waitUntil(lambda: page.waiting, timeout=WAIT)
    assert session.application_id is not None and session.state.snapshot_hash is not None
    supervisor = client_for("S0002")
    supervisor.decide(
        session.application_id, snapshot_hash=session.state.snapshot_hash, decision="return", reason="请补充联系人邮箱",
        idempotency_key=str(uuid.uuid4()),
    )  # fmt: skip
    with qtbot.waitSignal(page.returned, timeout=WAIT):
        pass
    assert session.status == "returned" and session.state.page == Page.REVIEW and session.state.returned_reason == "请补充联系人邮箱"
    assert shown(window) is window.wizard.pages[Page.REVIEW]  # the wizard shows review

    # the teller corrects the draft, comes back to sign-off and sends it again: the application is changed (PUT)
    assert session.set("/customer/contact/email", "cfo@example.cn")
    window.wizard.next_button.click()
    assert session.state.page == Page.SIGN_OFF and page.isVisible() and "请补充联系人邮箱" in page.decision_state.text()
    page.queue_button.click()
    qtbot.waitUntil(lambda: page.waiting, timeout=WAIT)
    info = supervisor.application(session.application_id)
    assert info.status == "pending_approval" and info.document["customer"]["contact"]["email"] == "cfo@example.cn"
    assert info.snapshot_hash == session.state.snapshot_hash and [h.action for h in info.history][-1] == "changed"

    supervisor.decide(
        session.application_id, snapshot_hash=info.snapshot_hash, decision="reject", reason="客户不符合开通条件",
        idempotency_key=str(uuid.uuid4()),
    )  # fmt: skip
    qtbot.waitUntil(lambda: session.status == "rejected", timeout=WAIT)
    assert not page.waiting and "客户不符合开通条件" in page.decision_state.text()
    assert not page.desk_button.isEnabled() and not page.queue_button.isEnabled()
    qtbot.waitUntil(lambda: not window.wizard.saving, timeout=WAIT)
    assert window.store is not None
    assert DraftRepository(window.store).summary(session.draft_id).status == "rejected"


def test_the_queue_page_disables_the_decision_on_the_supervisors_own_application(qtbot: QtBot, window: MainWindow) -> None:
    session = open_on_sign_off(qtbot, window)
    page = sign_off_page(window)
    page.queue_button.click()
    qtbot.waitUntil(lambda: page.waiting, timeout=WAIT)
    page.cancel_waiting()
    assert window.endpoint is not None
    supervisor = central.sign_in(window.endpoint, "S0002", Secret(TRAINING_PASSWORD))
    # the seeded supervisors never make applications; here the queue page believes the signed-in user is the maker
    as_maker = SignedIn(supervisor.client, replace(supervisor.login, user=replace(supervisor.login.user, id="T0001")), None)
    queue = ReviewQueuePage(window.context.workers, window.context.errors, lambda: as_maker)
    qtbot.addWidget(queue)
    queue.show()
    qtbot.waitUntil(lambda: any(i.id == session.application_id for i in queue.items), timeout=WAIT)
    assert session.application_id is not None and queue.select(session.application_id)
    queue.open_button.click()
    qtbot.waitUntil(lambda: queue.opened is not None and queue.opened.id == session.application_id, timeout=WAIT)
    assert queue.maker_note.isVisible() and "T0001" in queue.maker_note.text()
    assert not queue.approve_button.isEnabled() and not queue.return_button.isEnabled() and not queue.reject_button.isEnabled()
    central.end_session(window.endpoint, supervisor)
