"""The autopilot on the media and completion pages: what a teller (and, where needed, a supervisor) does there.

Used by :class:`teller_client.ui.autopilot_driver.Driver` (a :class:`~teller_client.ui.pilot.Pilot` script):

:func:`hand_over_media`
    presses **Do all remaining** once; then, each time a line asks for a UKey and the page has one to offer (the
    bench's UKeys are all in, as if the teller had just put the next one in), presses Enter; when the page asks for a
    supervisor (a re-authorization, a reprint) the scenario's supervisor signs in on the dialog and gives a reason
    (counted as the supervisor's actions). The scenario's fault ``pull_ukey_at_step`` pulls the first UKey out on the
    worker as its issuance begins that step (so the step really meets the missing UKey), and puts it back when the
    line asks for it (inserting a UKey is not a key press or a click: not counted). A line that fails stops the run
    with its message. Then Next.
:func:`complete`
    prints the confirmation on the documents printer and presses Finish.

Teller actions: 1 + one Enter per UKey on the media page (the wizard goes on by itself), and 2 on the completion page.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt

from teller_client.flows.issuance import StepEvent
from teller_client.flows.signing import Page
from teller_client.training.bench import training_password
from teller_client.ui.pilot import PilotFailed, Wait
from teller_client.ui.wizard.completion_page import CompletionPage
from teller_client.ui.wizard.media_page import MediaPage
from teller_client.ui.wizard.media_rows import MediaRow
from teller_client.ui.wizard.media_state import Mode
from teller_client.ui.wizard.media_supervisor import SupervisorDialog

if TYPE_CHECKING:
    from teller_client.ui.autopilot_driver import Driver

PAGE_TIMEOUT = 60.0
MEDIA_TIMEOUT = 300.0
REASONS = {
    Mode.AUTHORIZATION: "授权码已失效，重新授权。Authorization code lost; renewed.",
    Mode.REPRINT: "信函打印失败，作废后重打。Letter spoiled in printing; reprinted.",
}

Script = Generator[Wait, None, None]


def _media_page(driver: Driver) -> MediaPage:
    page = driver.window.wizard.pages[Page.MEDIA]
    if not isinstance(page, MediaPage):
        raise PilotFailed("the wizard has no media page")
    return page


def _to_confirm(page: MediaPage) -> MediaRow | None:
    """The line waiting for Enter on the UKey it offers."""
    for row in page.rows:
        if row.view.mode == Mode.CHOOSING and row.confirm.isEnabled() and row.chosen_token():
            return row
    return None


def _failed(page: MediaPage) -> MediaRow | None:
    return next((row for row in page.rows if row.view.mode == Mode.FAILED), None)


def _dialog(page: MediaPage) -> SupervisorDialog | None:
    dialog = page.supervisor_dialog
    return dialog if dialog is not None and dialog.isVisible() and not dialog.busy else None


def hand_over_media(driver: Driver) -> Script:
    window, pilot, scenario = driver.window, driver.pilot, driver.scenario
    wizard = window.wizard
    session = wizard.session
    page = _media_page(driver)
    yield Wait(lambda: bool(page.rows) or bool(page.status.error_shown()), "the submission's UKeys and letters", PAGE_TIMEOUT)
    if not page.rows:
        raise PilotFailed(f"the media page shows no items: {page.status.error_shown()}")
    if page.status.error_shown():
        raise PilotFailed(f"the media page cannot hand over: {page.status.error_shown()}")

    fault = scenario.faults.pull_ukey_at_step
    first = next((row.view.item.order for row in page.rows if row.view.is_certificate), None)
    pulled: list[str] = []
    lock = threading.Lock()

    def pull(event: StepEvent) -> None:  # on the worker thread, as the step begins
        with lock:
            if pulled or event.reference_no != first or event.step != fault or event.phase != "begun":
                return
            pulled.append(event.token_serial)
        driver.bench.pull(event.token_serial)

    if fault is not None and first is not None:
        page.step_hook = pull
    driver.shot("media")
    try:
        if not session.state.media_done:
            pilot.click(page.run_all_button, "do all remaining")
        put_back: list[str] = []

        def waiting_for_pulled() -> bool:
            return bool(pulled) and not put_back and any(r.view.mode == Mode.WAITING and r.view.token == pulled[0] for r in page.rows)

        while not session.state.media_done:
            yield Wait(
                lambda: (
                    session.state.media_done
                    or waiting_for_pulled()
                    or _to_confirm(page) is not None
                    or _dialog(page) is not None
                    or _failed(page) is not None
                    or (not page.batch_running and not page.busy)
                ),
                "the next UKey, letter or supervisor on the media page",
                MEDIA_TIMEOUT,
            )
            if session.state.media_done:
                break
            failed = _failed(page)
            if failed is not None:
                raise PilotFailed(f"a media item failed: {failed.state.text()} {failed.error.text()}")
            if waiting_for_pulled():
                driver.shot("media_ukey_pulled")
                driver.bench.insert(pulled[0])  # the teller puts the UKey back: the page goes on by itself
                put_back.append(pulled[0])
                continue
            dialog = _dialog(page)
            if dialog is not None:
                yield from _supervisor_acts(driver, page, dialog)
                continue
            row = _to_confirm(page)
            if row is not None:
                yield from _confirm(driver, row)
                continue
            if page.batch_running or page.busy:
                continue
            stopped = next((r for r in page.rows if r.view.mode in REASONS), None)
            if stopped is not None:  # a supervisor is needed: the teller opens the dialog
                pilot.click(stopped.action, "ask a supervisor")
                yield Wait(lambda: _dialog(page) is not None, "the supervisor's dialog", PAGE_TIMEOUT)
                continue
            pilot.click(page.run_all_button, "do all remaining")  # paused (a reprint allowed, say): go on
    finally:
        page.step_hook = None
    driver.shot("media_done")
    session = driver.window.wizard.session
    yield Wait(lambda: session.state.media_done, "every UKey and letter done", PAGE_TIMEOUT)
    if session.state.page == Page.MEDIA:  # items done one by one (not all through "Do all"): the teller presses Next
        yield from driver.next_page(Page.MEDIA)


def _confirm(driver: Driver, row: MediaRow) -> Script:
    """Enter on the UKey the line offers."""
    driver.shot("media_ukey")
    driver.pilot.press(row.confirm, Qt.Key.Key_Return, "\r")
    yield Wait(lambda: row.view.mode != Mode.CHOOSING, "the issuance to start", PAGE_TIMEOUT)


def _supervisor_acts(driver: Driver, page: MediaPage, dialog: SupervisorDialog) -> Script:
    pilot = driver.pilot
    mode = next((row.view.mode for row in page.rows if row.view.mode in REASONS), Mode.AUTHORIZATION)
    driver.shot("media_supervisor", dialog)
    pilot.as_actor("supervisor")
    try:
        pilot.type(dialog.user_id, driver.scenario.supervisor)
        password = training_password()
        try:
            pilot.type(dialog.password, password.reveal())
        finally:
            password.wipe()
        pilot.type(dialog.reason, REASONS[mode])
        pilot.click(dialog.ok, "authorize")
    finally:
        pilot.as_actor("teller")
    # once done the page closes the dialog and deletes it (deleteLater): gone is as good as closed
    yield Wait(lambda: _closed(dialog) or bool(dialog.status.error_shown()), "the supervisor's authorization", PAGE_TIMEOUT)
    if not _closed(dialog):
        raise PilotFailed(f"the supervisor could not authorize: {dialog.status.error_shown()}")


def _closed(dialog: SupervisorDialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def complete(driver: Driver) -> Script:
    window, pilot = driver.window, driver.pilot
    page = window.wizard.pages[Page.COMPLETION]
    if not isinstance(page, CompletionPage):
        raise PilotFailed("the wizard has no completion page")
    session: Any = window.wizard.session
    yield Wait(lambda: page.print_confirmation.isEnabled() or bool(page.status.error_shown()), "what the customer takes away", PAGE_TIMEOUT)
    if not page.print_confirmation.isEnabled():
        raise PilotFailed(f"the completion page cannot print: {page.status.error_shown()}")
    driver.shot("completion")
    pilot.click(page.print_confirmation, "print the confirmation")
    yield Wait(lambda: page.finish_button.isEnabled() or bool(page.status.error_shown()), "the confirmation printed", PAGE_TIMEOUT)
    if not page.finish_button.isEnabled():
        raise PilotFailed(f"the confirmation did not print: {page.status.error_shown()}")
    driver.shot("completion_printed")
    pilot.click(page.finish_button, "finish")
    yield Wait(lambda: session.status == "completed", "the application completed", PAGE_TIMEOUT)
