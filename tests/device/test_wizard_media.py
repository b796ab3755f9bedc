"""The wizard's media and completion pages over real parts: the training service over HTTP, SoftHSM blank UKeys in the
teller's drawer, socket printers for letters and documents, the client's SQLite store.

A submitted application with two UKey users and one password user: both UKeys are issued through the page (insert,
Enter), the PIN letters and the password letters come out of the letter printer, the confirmation out of the
documents printer, and Finish completes the draft. After a restart (a new wizard, the session resumed from the
store, no plan in memory) the page shows each item's state from the journal, and the second UKey, whose
authorization code died with the old session, is re-authorized by a supervisor signing in on the teller's screen.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from teller_client.api.client import CentralClient
from teller_client.flows import media
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import SigningSession, save_snapshot
from teller_client.secret import Secret
from teller_client.store.drafts import DraftRepository
from teller_client.store.journal import Journal
from teller_client.ui.central import Endpoint, SignedIn
from teller_client.ui.error_router import ErrorRouter
from teller_client.ui.wizard.completion_page import CompletionPage
from teller_client.ui.wizard.media_page import MediaPage
from teller_client.ui.wizard.media_rows import MediaRow
from teller_client.ui.wizard.media_state import Mode
from teller_client.ui.wizard.page import WizardContext
from teller_client.ui.wizard.signing_wizard import SigningWizard
from teller_client.ui.worker import WorkerPool
from tests.support.central import BUSINESS_DATE, TRAINING_PASSWORD
from tests.support.documents import CHECKER_ID, TODAY, user, valid_document
from tests.support.issuance import IssuanceRig, key
from tests.support.printer import PrinterListener
from tests.support.qt import _qt_objects_die_on_the_gui_thread  # noqa: F401 - autouse: windows die on the GUI thread

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytestmark = [pytest.mark.device, pytest.mark.timeout(300)]

WAIT = 60_000
"""Upper bound for a UKey's whole issuance (RSA on SoftHSM takes well under a second; the rest is HTTP)."""
PIN_IN_LETTER = re.compile(r"UKey initial PIN\s+(\d{6,16})")


@pytest.fixture
def documents_printer() -> Iterator[PrinterListener]:
    listener = PrinterListener()
    try:
        yield listener
    finally:
        listener.close()


@dataclass
class Counter:
    """One teller's counter: the wizard's context over the rig's store and service, and the application submitted."""

    rig: IssuanceRig
    context: WizardContext
    signed: SignedIn
    draft_id: str
    application_id: str
    errors: list[tuple[str, str]]

    def session(self, *, plan: media.MediaPlan | None) -> SigningSession:
        """The draft as the wizard would resume it (after a restart: no plan in memory)."""
        session = SigningSession.resume(self.rig.store, self.draft_id, "T0001", today=TODAY)
        session.media_plan = plan
        return session

    def wizard(self, qtbot: QtBot, session: SigningSession) -> SigningWizard:
        wizard = SigningWizard(self.context)
        qtbot.addWidget(wizard)
        wizard.resize(1100, 900)
        wizard.show()
        wizard.open(session)
        return wizard


def make_counter(rig: IssuanceRig, letters: PrinterListener, documents: PrinterListener) -> tuple[Counter, media.MediaPlan]:
    """Two UKey users and one password user, approved by a supervisor and submitted; the draft saved on MEDIA."""
    doc = valid_document()
    doc["form_id"] = "EF" + uuid.uuid4().hex[:12].upper()
    doc["users"][2] = user("钱七", CHECKER_ID, "viewer", credential="password")  # no payment rights: a password suffices
    app = rig.teller.create_application(doc, source="eform", form_id=doc["form_id"], verified=True, idempotency_key=key())
    rig.supervisor.decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=key())
    client = CentralClient(rig.central.server.url, session=rig.central.contract.session(), workstation_id="TEST-WS-01")
    signed = SignedIn(client, client.login("T0001", TRAINING_PASSWORD), BUSINESS_DATE)
    plan = media.submit(client, Journal(rig.store), "T0001", app.id, doc["customer"]["name"])

    drafts = DraftRepository(rig.store)
    draft_id = drafts.create(source="eform", created_by="T0001", form_id=doc["form_id"], verified=True)
    session = SigningSession(
        draft_id=draft_id, document=doc, teller="T0001", source="eform", verified=True,
        application_id=app.id, status="submitted", today=TODAY,
    )  # fmt: skip
    assert session.application is not None, session.report.problems
    pages = session.state.pages
    session.state = replace(
        session.state, page=Page.MEDIA, visited=frozenset(pages[: pages.index(Page.MEDIA) + 1]), intake_done=True,
        approved_hash=session.state.snapshot_hash, submitted=True,
    )  # fmt: skip
    save_snapshot(rig.store, session.snapshot())

    settings: dict[str, Any] = {
        "ukey.profile": "softhsm2",
        "ukey.library": str(rig.softhsm.module),
        "printer.letter": letters.spec,
        "printer.documents": documents.spec,
        "printer.timeout_seconds": 20,
        "bank.name": "示例银行",
        "branch.name": "厦门分行营业部",
    }
    errors = ErrorRouter(interactive=False)
    shown: list[tuple[str, str]] = []
    errors.shown.connect(lambda title, text: shown.append((title, text)))
    endpoint = Endpoint(url=rig.central.server.url, verify=True, workstation_id="TEST-WS-01")
    context = WizardContext(
        workers=WorkerPool(), errors=errors, store=lambda: rig.store, session=lambda: signed, endpoint=lambda: endpoint,
        training=True, settings=lambda: settings,
    )  # fmt: skip
    return Counter(rig, context, signed, draft_id, app.id, shown), plan


def pdf_text(pdf: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))


def media_page(wizard: SigningWizard) -> MediaPage:
    page = wizard.pages[Page.MEDIA]
    assert isinstance(page, MediaPage)
    return page


def press_enter(widget: QWidget) -> None:
    target = QApplication.focusWidget() if widget.isAncestorOf(QApplication.focusWidget() or widget) else widget
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(target or widget, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier))


def wait_for_mode(qtbot: QtBot, page: MediaPage, index: int, *modes: Mode, timeout: int = WAIT) -> MediaRow:
    qtbot.waitUntil(lambda: len(page.rows) > index and page.rows[index].view.mode in modes, timeout=timeout)
    return page.rows[index]


def insert_and_confirm(qtbot: QtBot, page: MediaPage, index: int, serial: str) -> None:
    """The teller inserted ``serial`` (made before or just now): once the page offers it, Enter."""
    row = wait_for_mode(qtbot, page, index, Mode.CHOOSING)
    qtbot.waitUntil(lambda: row.chosen_token() == serial and row.confirm.isEnabled(), timeout=WAIT)
    assert row.view.item.user_name in row.prompt.text() and row.view.item.login_id in row.prompt.text()  # says for whom
    press_enter(row)


def check_ukeys(rig: IssuanceRig, plan: media.MediaPlan, letter_jobs: list[bytes], ukeys: dict[str, str]) -> None:
    """One key pair and one certificate per UKey, logged in with the PIN its PIN letter carries; the certificate is
    the central service's one for the order, on that UKey."""
    pins: dict[str, str] = {}
    for job in letter_jobs:
        text = pdf_text(job)
        found = PIN_IN_LETTER.search(text)
        for serial in ukeys.values():
            if found and serial in text:
                pins[serial] = found.group(1)
    assert set(pins) == set(ukeys.values()), "a PIN letter per UKey"
    for order, serial in ukeys.items():
        rig.pins[serial] = Secret(pins[serial])
        assert rig.ukey_objects(serial) == {"private_keys": 1, "public_keys": 1, "certificates": 1}
        assert [(token, state) for _, token, state in rig.issued_in_central(order)] == [(serial, "active")]
    assert media.open_plans(rig.journal) == []
    assert {i.serial: i.state for i in rig.teller.stock(kind="ukey") if i.serial in ukeys.values()} == dict.fromkeys(
        ukeys.values(), "issued"
    )


def complete(
    qtbot: QtBot, counter: Counter, wizard: SigningWizard, documents: PrinterListener, ukeys: dict[str, str], slip: Path | None = None
) -> None:
    """Next to the completion page (unless "Do all" went on by itself), (save the handover slip to ``slip``,) print the
    confirmation, Finish."""
    assert wizard.session is not None
    if wizard.session.state.page == Page.MEDIA:
        wizard.next_button.click()
    assert wizard.session.state.page == Page.COMPLETION
    page = wizard.pages[Page.COMPLETION]
    assert isinstance(page, CompletionPage)
    qtbot.waitUntil(lambda: page.items.rowCount() == 5 and page.print_confirmation.isEnabled(), timeout=WAIT)
    table = {cell.text() for r in range(page.items.rowCount()) if (cell := page.items.item(r, 1)) is not None}
    assert set(ukeys.values()) <= table
    assert not page.finish_button.isEnabled()  # nothing for the customer to sign yet
    if slip is not None:  # the handover slip, saved as PDF: to whom, what
        page.receiver_name.clear()
        page.produce("slip", slip)
        assert page.status.error_shown() and not slip.exists()  # whom it was handed to is needed
        page.receiver_name.setText("王五")
        page.produce("slip", slip)
        qtbot.waitUntil(lambda: slip.exists() and slip.name in page.notice.text(), timeout=WAIT)
        slip_text = pdf_text(slip.read_bytes())
        assert "王五" in slip_text and all(serial in slip_text for serial in ukeys.values())
        assert not page.finish_button.isEnabled()  # the slip is not what the customer signs for the agreement
    page.print_confirmation.click()
    [confirmation] = documents.wait_for_jobs(1, timeout=30)
    text = pdf_text(confirmation)
    plan = wizard.session.media_plan
    assert plan is not None and plan.agreement_no in text and all(serial in text for serial in ukeys.values())
    assert "S0001" in text  # the approving supervisor
    qtbot.waitUntil(page.finish_button.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(page.finished, timeout=WAIT):
        page.finish_button.click()
    assert wizard.session.status == "completed"
    qtbot.waitUntil(lambda: not wizard.saving, timeout=WAIT)
    assert DraftRepository(counter.rig.store).summary(counter.draft_id).status == "completed"
    assert counter.errors == []


def test_both_ukeys_and_the_letters_are_handed_over_through_the_page_and_the_confirmation_printed(
    qtbot: QtBot, issuance: IssuanceRig, printer_listener: PrinterListener, documents_printer: PrinterListener, tmp_path: Path
) -> None:
    counter, plan = make_counter(issuance, printer_listener, documents_printer)
    issuance.letters_to_drawer(3)
    first = issuance.blank_ukey("K1")
    wizard = counter.wizard(qtbot, counter.session(plan=plan))
    page = media_page(wizard)
    try:
        qtbot.waitUntil(lambda: len(page.rows) == 5, timeout=WAIT)
        kinds = [row.view.item.kind for row in page.rows]
        assert kinds == ["certificate", "certificate", "letter", "letter", "letter"]
        assert all(row.view.mode == Mode.TODO for row in page.rows)
        wizard.next_button.click()  # nothing handed over yet: refused
        assert wizard.session is not None and wizard.session.state.page == Page.MEDIA and wizard.refusal.text()

        page.run_all_button.click()  # one action; then per UKey: insert, Enter
        insert_and_confirm(qtbot, page, 0, first)
        wait_for_mode(qtbot, page, 0, Mode.DONE)
        assert "✓" in page.rows[0].steps.text() and first in page.rows[0].state.text()
        row = wait_for_mode(qtbot, page, 1, Mode.CHOOSING)
        assert row.token.count() == 0 and not row.confirm.isEnabled()  # the first UKey is taken: it is not offered again
        second = issuance.blank_ukey("K2")  # the teller takes the next blank UKey from the drawer
        insert_and_confirm(qtbot, page, 1, second)
        qtbot.waitUntil(lambda: wizard.session is not None and wizard.session.state.media_done, timeout=WAIT)
        assert all(row.view.mode == Mode.DONE for row in page.rows)
        assert page.done_label.text()
        qtbot.waitUntil(lambda: wizard.session.state.page == Page.COMPLETION, timeout=WAIT)  # "Do all" finished: on by itself

        jobs = printer_listener.wait_for_jobs(5)  # 2 PIN letters, 3 password letters
        assert all(job.startswith(b"%PDF") for job in jobs)
        certificates = [item for item in plan.items if item.kind == "certificate"]
        ukeys = {certificates[0].order: first, certificates[1].order: second}
        check_ukeys(issuance, plan, jobs, ukeys)
        printed = [row.view.letter_serial for row in page.rows[2:]]
        assert all(serial and any(serial in pdf_text(job) for job in jobs) for serial in printed)

        complete(qtbot, counter, wizard, documents_printer, ukeys, slip=tmp_path / "handover.pdf")
    finally:
        page.shutdown()
        counter.context.workers.wait(10_000)


def test_after_a_restart_each_item_shows_its_state_from_the_journal_and_a_supervisor_reauthorizes_the_begun_ukey(
    qtbot: QtBot, issuance: IssuanceRig, printer_listener: PrinterListener, documents_printer: PrinterListener
) -> None:
    counter, plan = make_counter(issuance, printer_listener, documents_printer)
    issuance.letters_to_drawer(3)
    first, second = issuance.blank_ukey("K1"), issuance.blank_ukey("K2")
    certificates = [item for item in plan.items if item.kind == "certificate"]

    wizard = counter.wizard(qtbot, counter.session(plan=plan))
    page = media_page(wizard)
    qtbot.waitUntil(lambda: len(page.rows) == 5, timeout=WAIT)
    page.rows[0].action.click()  # Issue the first: both UKeys are present, the teller picks the first one
    row = wait_for_mode(qtbot, page, 0, Mode.CHOOSING)
    qtbot.waitUntil(lambda: row.token.count() == 2, timeout=WAIT)
    row.select_token(first)
    press_enter(row)
    wait_for_mode(qtbot, page, 0, Mode.DONE)
    page.rows[2].action.click()  # one letter printed
    wait_for_mode(qtbot, page, 2, Mode.DONE)
    plan.codes.pop(certificates[1].order).wipe()  # the second order's code is lost (expired overnight, say)
    page.rows[1].action.click()
    insert_and_confirm(qtbot, page, 1, second)  # the first UKey is taken: only the second is offered
    assert page.rows[1].token.count() == 1
    wait_for_mode(qtbot, page, 1, Mode.AUTHORIZATION)  # the key and the request are made; the certificate waits
    page.shutdown()  # the program stops here
    counter.context.workers.wait(10_000)

    wizard = counter.wizard(qtbot, counter.session(plan=None))  # the next start: the plan comes from the journal
    page = media_page(wizard)
    try:
        qtbot.waitUntil(lambda: len(page.rows) == 5, timeout=WAIT)
        assert [row.view.mode for row in page.rows] == [Mode.DONE, Mode.TODO, Mode.DONE, Mode.TODO, Mode.TODO]
        assert first in page.rows[0].state.text() and page.rows[2].view.letter_serial in page.rows[2].state.text()
        begun = page.rows[1]
        assert begun.view.interrupted and begun.view.token == second and second in begun.state.text()
        assert begun.progress.value() == 4 and begun.steps.text().count("✓") == 4  # UKey, initialise, key, request
        assert wizard.session is not None and wizard.session.media_plan is not None and wizard.session.media_plan.codes == {}

        begun.action.click()  # goes on with its own UKey, present: no choice to make
        row = wait_for_mode(qtbot, page, 1, Mode.AUTHORIZATION)
        assert row.action.isVisible() and row.error.text()
        row.action.click()
        dialog = page.supervisor_dialog
        assert dialog is not None and second in dialog.explanation.text()
        dialog.user_id.setText("T0001")  # the teller cannot authorize their own application
        dialog.password.setText(TRAINING_PASSWORD)
        dialog.reason.setText("code expired")
        dialog.ok.click()
        assert dialog.password.text() == ""  # taken into a secret at once
        qtbot.waitUntil(lambda: bool(dialog.status.error_shown()), timeout=WAIT)
        assert dialog.isVisible() and page.rows[1].view.mode == Mode.AUTHORIZATION
        dialog.user_id.setText("S0001")
        dialog.password.setText(TRAINING_PASSWORD)
        dialog.ok.click()
        wait_for_mode(qtbot, page, 1, Mode.DONE)  # re-authorized, then issued without another action
        assert page.supervisor_dialog is None

        page.run_all_button.click()  # the two letters left print by themselves
        qtbot.waitUntil(lambda: wizard.session is not None and wizard.session.state.media_done, timeout=WAIT)
        jobs = printer_listener.wait_for_jobs(5)
        ukeys = {certificates[0].order: first, certificates[1].order: second}
        check_ukeys(issuance, plan, jobs, ukeys)
        assert len(printer_listener.jobs) == 5  # nothing printed twice

        complete(qtbot, counter, wizard, documents_printer, ukeys)
    finally:
        page.shutdown()
        counter.context.workers.wait(10_000)


def test_a_spoiled_letter_is_reprinted_once_a_supervisor_allows_it_and_nothing_else_is_redone(
    qtbot: QtBot, issuance: IssuanceRig, printer_listener: PrinterListener, documents_printer: PrinterListener
) -> None:
    counter, plan = make_counter(issuance, printer_listener, documents_printer)
    issuance.letters_to_drawer(4)
    wizard = counter.wizard(qtbot, counter.session(plan=plan))
    page = media_page(wizard)
    try:
        qtbot.waitUntil(lambda: len(page.rows) == 5, timeout=WAIT)
        page.rows[3].action.click()  # printed fine
        wait_for_mode(qtbot, page, 3, Mode.DONE)
        printed = page.rows[3].view.letter_serial
        printer_listener.reset()  # the printer drops the next job: the letter released for it is spoiled
        page.rows[2].action.click()
        row = wait_for_mode(qtbot, page, 2, Mode.REPRINT)
        spoiled = row.view.letter_serial
        assert spoiled and spoiled != printed and spoiled in row.state.text() and row.error.text()  # and why
        printer_listener.mode = "normal"  # the jam is cleared
        row.action.click()
        dialog = page.supervisor_dialog
        assert dialog is not None
        dialog.user_id.setText("S0002")
        dialog.password.setText(TRAINING_PASSWORD)
        dialog.reason.setText("printer jam")
        dialog.ok.click()
        row = wait_for_mode(qtbot, page, 2, Mode.TODO)
        row.action.click()  # Print again, on the next serial
        wait_for_mode(qtbot, page, 2, Mode.DONE)
        reprinted = page.rows[2].view.letter_serial
        assert reprinted not in (None, spoiled, printed)
        assert [row.view.mode for row in page.rows] == [Mode.TODO, Mode.TODO, Mode.DONE, Mode.DONE, Mode.TODO]
        jobs = printer_listener.wait_for_jobs(2)
        assert len(jobs) == 2 and printed in pdf_text(jobs[0]) and reprinted in pdf_text(jobs[1])
        states = {i.serial: i.state for i in issuance.teller.stock(kind="letter") if i.serial in (printed, spoiled, reprinted)}
        assert states == {printed: "issued", spoiled: "spoiled", reprinted: "issued"}
        assert counter.errors == []
    finally:
        page.shutdown()
        counter.context.workers.wait(10_000)
