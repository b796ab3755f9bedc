"""The autopilot's driver: a scenario as key presses and clicks on the real pages (a :class:`Pilot` script)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from teller_client.flows.autopilot_report import AutopilotReport, MediaCount, StepClock
from teller_client.flows.media import SUBMISSION_KIND, ItemState, MediaPlan
from teller_client.flows.scenario import Intake, Scenario, TypedField
from teller_client.flows.sign_off import critical_fields
from teller_client.flows.signing import Page
from teller_client.store.journal import Journal
from teller_client.training.bench import TrainingBench, training_password
from teller_client.ui import central
from teller_client.ui.autopilot_typing import type_field
from teller_client.ui.pilot import PilotFailed, Script, Wait, send_key
from teller_client.ui.review_queue_page import ReviewQueuePage

log = logging.getLogger(__name__)

PAGE_TIMEOUT = 60.0
MEDIA_TIMEOUT = 300.0


class Driver:
    """The scenario as key presses and clicks on the real pages (a generator script for :class:`Pilot`)."""

    def __init__(
        self,
        scenario: Scenario,
        bench: TrainingBench,
        window: Any,
        pilot: Any,
        report: AutopilotReport,
        *,
        screenshots: Path | None,
        lang: str,
        resume: bool = False,
    ) -> None:
        self.scenario = scenario
        self.bench = bench
        self.window = window
        self.pilot = pilot
        self.report = report
        self.screenshots = screenshots
        self.lang = lang
        self.clock = StepClock()
        self.retyped: list[str] = []
        self.application_id: str | None = None
        self.agreement_no: str | None = None
        self.rejected = False
        self.resume = resume
        self.intake: Intake = scenario.intake(bench.business_date)
        self._shots = 0
        self._supervisor_window: Any = None
        window.wizard.moved.connect(self._moved)

    # -- bookkeeping ------------------------------------------------------------------------------------------------

    def _moved(self, page: Page) -> None:
        self.clock.enter(page.value)

    def finish(self) -> None:
        self.clock.stop()
        self.report.steps = self.clock.steps
        session = self.window.wizard.session
        if session is not None:
            self.application_id = self.application_id or session.application_id
            if session.media_plan is not None:  # a resumed run never passes the submit page
                self.agreement_no = self.agreement_no or session.media_plan.agreement_no
        if self._supervisor_window is not None:
            self._supervisor_window.close()

    def media_count(self) -> MediaCount:
        store = self.window.store
        if store is None or self.application_id is None:
            return MediaCount()
        journal = Journal(store)
        plans = [MediaPlan.from_record(e.result or {}) for e in journal.done_of_kind(SUBMISSION_KIND) if e.result]
        plan = next((p for p in plans if p.application_id == self.application_id), None)
        if plan is None:
            return MediaCount()
        done = [item for item in plan.items if plan.state(journal, item) == ItemState.DONE]
        ukeys = sum(1 for item in done if item.kind == "certificate")
        return MediaCount(ukeys=ukeys, letters=len(done) - ukeys)  # password letters (a UKey's PIN letter comes with it)

    def shot(self, name: str, widget: Any = None) -> None:
        if self.screenshots is None:
            return
        QApplication.processEvents()
        self._shots += 1
        self.screenshots.mkdir(parents=True, exist_ok=True)
        target = widget or self.window
        target.grab().save(str(self.screenshots / f"{self.lang}-{self._shots:02d}-{name}.png"))

    # -- the script --------------------------------------------------------------------------------------------------

    def script(self) -> Script:

        window, pilot = self.window, self.pilot
        wizard = window.wizard
        yield Wait(lambda: window.endpoint is not None and window.store is not None, "the training service and the store", 120)
        self.shot("login")
        yield from self.sign_in(self.scenario.teller)
        self.shot("start")
        if self.resume:
            yield from self.open_draft()
        elif self.intake.kind == "eform":
            yield from self.scan()
        else:
            pilot.start_counting()
            pilot.click(window.start_page.paper, "new paper form")
            yield Wait(lambda: wizard.session is not None, "the paper form opened in the wizard", PAGE_TIMEOUT)
        pilot.start_counting()
        returned_once = False
        while True:
            session = wizard.session
            page = session.state.page
            if page == Page.SIGN_OFF:
                self.shot("sign_off")
                self.application_id = session.application_id
                if self.scenario.faults.return_once and not returned_once:
                    returned_once = True
                    yield from self.sign_off(return_reason=self.scenario.faults.return_once)
                    continue
                yield from self.sign_off()
                if self.rejected:
                    return
                continue
            if page == Page.SUBMIT:
                yield from self.submit()
                continue
            if page == Page.MEDIA:
                yield from self.media()
                continue
            if page == Page.COMPLETION:
                yield from self.completion()
                return
            self.shot(page.value)
            yield from self.fill(page)
            yield from self.next_page(page)

    # -- pieces ------------------------------------------------------------------------------------------------------

    def sign_in(self, user: str) -> Any:

        page = self.window.login_page
        page.user_id.setText(user)
        with training_password() as password:
            page.password.setText(password.reveal())
        send_key(page.password, Qt.Key.Key_Return, "\r")
        yield Wait(lambda: self.window.session is not None, f"{user} signed in", PAGE_TIMEOUT)

    def open_draft(self) -> Script:
        """After a restart: the open draft on the start page, opened with Enter (where it was left)."""
        window = self.window
        table = window.start_page.table
        yield Wait(lambda: table.rowCount() > 0, "the open draft listed on the start page", PAGE_TIMEOUT)
        table.setFocus()
        table.selectRow(0)
        self.pilot.start_counting()
        self.pilot.press(table, Qt.Key.Key_Return, "\r")
        yield Wait(lambda: window.wizard.session is not None, "the draft opened in the wizard", PAGE_TIMEOUT)
        self.application_id = window.wizard.session.application_id

    def scan(self) -> Script:

        window = self.window
        window.activateWindow()
        window.start_page.table.setFocus()
        handle = window.windowHandle()
        form_id = self.intake.document["form_id"]
        for text in self.intake.barcode_texts:
            self.pilot.scan(handle, text)
        yield Wait(
            lambda: window.wizard.session is not None and window.wizard.session.form_id == form_id,
            f"the scanned e-form {form_id} opened in the wizard",
            PAGE_TIMEOUT,
        )

    def fill(self, page: Page) -> Any:
        """Type the scenario's fields of a paper form on this page (nothing for an e-form)."""
        fields = [f for f in self.intake.typed if f.page == page]
        if not fields:
            return
        for field in fields:
            yield from type_field(self, field)

    def typed(self, field: TypedField) -> None:
        """Called for every field the teller types: one that the e-form already held is re-typed."""
        if self.intake.kind == "eform":
            self.retyped.append(field.pointer)

    def next_page(self, page: Page) -> Any:

        wizard = self.window.wizard
        if wizard.problems.confirm.isVisible():
            self.pilot.click(wizard.problems.confirm, "confirm the warnings")
        self.pilot.click(wizard.next_button, "Next")
        yield Wait(lambda: wizard.session.state.page != page or bool(wizard.refusal.text()), f"leaving the {page.value} page", 10)
        if wizard.session.state.page == page:
            raise PilotFailed(f"Next refused on the {page.value} page: {wizard.refusal.text()} {wizard.problems.text.text()}")

    def sign_off(self, return_reason: str | None = None) -> Any:
        if self.scenario.sign_off == "desk":
            yield from self.desk_sign_off(return_reason)
        else:
            yield from self.queue_sign_off(return_reason)
        session = self.window.wizard.session
        if return_reason:
            yield Wait(lambda: session.state.page == Page.REVIEW, "the return reaching the teller", PAGE_TIMEOUT)
        else:
            yield Wait(lambda: session.state.page == Page.SUBMIT, "the approval moving on to the submission", PAGE_TIMEOUT)

    def decide(self, panel: Any, return_reason: str | None) -> None:
        """The supervisor's decision on the desk dialog or the queue page (both name their controls alike)."""
        if return_reason:
            self.pilot.type(panel.reason, return_reason)
            self.pilot.click(panel.return_button, "return to the teller")
        else:
            if panel.waiver_approve.isVisible():
                self.pilot.click(panel.waiver_approve, "approve the waiver")
            self.pilot.click(panel.approve_button, "approve")

    def desk_sign_off(self, return_reason: str | None) -> Any:
        wizard, pilot = self.window.wizard, self.pilot
        page = wizard.pages[Page.SIGN_OFF]
        pilot.click(page.desk_button, "supervisor signs off here")
        yield Wait(lambda: page.dialog is not None and page.dialog.isVisible(), "the sign-off dialog", PAGE_TIMEOUT)
        dialog = page.dialog
        pilot.as_actor("supervisor")
        pilot.type(dialog.supervisor_id, self.scenario.supervisor)
        with training_password() as password:
            pilot.type(dialog.password, password.reveal())
        pilot.click(dialog.sign_in_button, "supervisor sign-in")
        yield Wait(
            lambda: (dialog.approve_button.isVisible() and dialog.approve_button.isEnabled()) or not dialog.isVisible(),
            "supervisor signed in",
            PAGE_TIMEOUT,
        )
        self.shot("sign_off_dialog", dialog)
        application = wizard.session.application
        for index, field in enumerate(critical_fields(application)):
            edit = dialog.findChild(QLineEdit, f"rekey{index}")
            pilot.type(edit, field.expected)
            send_key(edit, Qt.Key.Key_Tab, "\t")
        self.decide(dialog, return_reason)
        pilot.as_actor("teller")

    def queue_sign_off(self, return_reason: str | None) -> Any:
        wizard, pilot = self.window.wizard, self.pilot
        page = wizard.pages[Page.SIGN_OFF]
        pilot.click(page.queue_button, "send to the review queue")
        yield Wait(lambda: page.waiting, "waiting for a supervisor", PAGE_TIMEOUT)
        self.shot("sign_off_waiting")
        yield from self.supervisor_decides(return_reason)

    def supervisor_decides(self, return_reason: str | None) -> Any:
        """A supervisor at another computer: their own client's review queue page, signed in, deciding."""
        window, pilot = self.window, self.pilot
        signed: list[Any] = []
        failed: list[BaseException] = []
        endpoint = window.endpoint
        password = training_password()

        def sign_in(_cancel: object) -> Any:
            with password:
                return central.sign_in(endpoint, self.scenario.supervisor, password)

        window.context.workers.submit(sign_in, signed.append, failed.append)
        yield Wait(lambda: bool(signed or failed), "the supervisor's sign-in", PAGE_TIMEOUT)
        if failed:
            raise failed[0]
        queue = ReviewQueuePage(window.context.workers, window.context.errors, lambda: signed[0])
        queue.resize(1100, 700)
        queue.show()
        self._supervisor_window = queue
        queue.refresh()
        application_id = window.wizard.session.application_id
        yield Wait(lambda: any(item.id == application_id for item in queue.items), "the application in the review queue", PAGE_TIMEOUT)
        pilot.as_actor("supervisor")
        queue.select(application_id)
        pilot.click(queue.open_button, "open the application")
        yield Wait(lambda: queue.opened is not None and queue.opened.id == application_id, "the application opened read-only", PAGE_TIMEOUT)
        self.shot("review_queue", queue)
        self.decide(queue, return_reason)
        pilot.as_actor("teller")
        yield Wait(lambda: not any(item.id == application_id for item in queue.items), "the decision recorded", PAGE_TIMEOUT)
        queue.close()
        window.context.workers.submit(lambda _cancel: central.end_session(endpoint, signed[0]), lambda _r: None, lambda _e: None)

    def submit(self) -> Any:

        wizard = self.window.wizard
        page = wizard.pages[Page.SUBMIT]
        self.shot("submit")
        self.pilot.click(page.submit_button, "submit")
        session = wizard.session
        yield Wait(lambda: session.state.page == Page.MEDIA, "the submission and the media page", PAGE_TIMEOUT)
        if session.media_plan is not None:
            self.agreement_no = session.media_plan.agreement_no
        self.application_id = session.application_id

    def media(self) -> Any:
        from teller_client.ui.autopilot_media import hand_over_media

        yield from hand_over_media(self)

    def completion(self) -> Any:
        from teller_client.ui.autopilot_media import complete

        yield from complete(self)
