"""The media page: every UKey and password letter of the submission handed over, each item on its own.

One line per certificate order and per letter (:class:`~teller_client.ui.wizard.media_rows.MediaRow`), in the
plan's order, each with its own state, progress and action:

* a certificate: **Issue** asks the teller to insert a blank UKey from their drawer for that user; the page
  watches the UKeys present (``TokenGateway.tokens()`` on a worker about every second, only while a line waits
  for a UKey and nothing runs) and offers those no other item of the plan uses, the newest inserted chosen; Enter
  starts the issuance saga on a worker, its steps shown as they go (Cancel stops safely between steps). A UKey
  pulled out makes the line wait for that UKey, and issuing goes on by itself when it is back. An expired or lost
  authorization code (always so after a restart) asks for a **supervisor re-authorization** (a supervisor signs in
  on this screen, :mod:`~teller_client.ui.wizard.media_supervisor`), then issuing goes on. A failure shows why and
  **Retry** goes on from where it stopped. The UKey's PIN goes straight to the PIN letter on the letter printer
  (:func:`~teller_client.flows.letters.pin_letter_sink`); it is never shown.
* a password letter: **Print** (Alt+P) releases, prints and confirms it on a worker; a spoiled letter needs a
  supervisor to allow the reprint, then Print again.
* **Do all remaining** (Alt+A) goes through the items not finished, in order: for each UKey it waits for the teller
  to insert one and press Enter, letters print by themselves, a supervisor is asked for where needed; it stops at
  a failure.

A failed item never redoes the others. When every item is done the page records it (``with_media_done``); the
wizard goes on to the completion page by itself when "Do all remaining" finished the last item, else the teller
presses Next. After a restart (no plan in the session) the plan is read from the journal and each
line shows where its item stands (:mod:`~teller_client.ui.wizard.media_state`). Devices come from the counter's
settings (:mod:`teller_client.flows.counter`).

Object names: ``mediaIntro``, ``mediaStatus``, ``mediaReload``, ``mediaRunAll``, ``mediaDone``, the rows
``mediaRow0``... (see :mod:`~teller_client.ui.wizard.media_rows` for the controls in a row); the supervisor's
dialog is :attr:`MediaPage.supervisor_dialog` while open.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from drivers.pkcs11.model import TokenInfo
from teller_client.errors import ConfigurationError, TellerError
from teller_client.flows import counter, media
from teller_client.flows.issuance import IssuanceOutcome, Status, Step, StepEvent
from teller_client.flows.issuance_record import SagaRecord
from teller_client.flows.letters import LetterOutcome, LetterStation, LetterStatus, PasswordLetters, pin_letter_sink
from teller_client.flows.media import MediaPlan, MediaRunner
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import SigningSession
from teller_client.flows.token_gateway import TokenGateway
from teller_client.i18n import N_, tr
from teller_client.store.journal import Journal
from teller_client.ui.error_router import error_text
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.wizard.media_rows import MediaRow
from teller_client.ui.wizard.media_state import ItemView, Mode, plan_error, read_item
from teller_client.ui.wizard.media_supervisor import SupervisorDialog
from teller_client.ui.wizard.page import WizardContext, WizardPage

log = logging.getLogger(__name__)

POLL_MS = 1000
"""How often the UKeys present are listed while a line waits for one."""

CANCELLED_NOTE = N_("Stopped. Press the item's action to go on from where it stopped.")
REPRINT_NOTE = N_("Reprint allowed: load the next letter and press Print.")
STOPPING_NOTE = N_("Stopping after the current step...")


@dataclass
class _Loaded:
    plan: MediaPlan
    views: list[ItemView]
    gateway: TokenGateway | None
    station: LetterStation | None
    certificate_error: ConfigurationError | None
    letter_error: ConfigurationError | None


class _Bridge(QObject):
    """Carries the saga's step events from the worker to the GUI thread."""

    step = Signal(object)


def _fits(view: ItemView, token: TokenInfo) -> bool:
    """Whether the UKey looks like what the order needs: a pre-made one has its factory PIN, a blank one none yet."""
    return token.user_pin_initialised == view.item.premade


def _not_signed_in() -> TellerError:
    return TellerError("Sign in again to go on.", "请重新登录后继续。", code="signed_out")


class MediaPage(WizardPage):
    page = Page.MEDIA

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.intro = QLabel()
        self.intro.setObjectName("mediaIntro")
        self.intro.setWordWrap(True)
        self.status = InlineStatus()
        self.status.setObjectName("mediaStatus")
        self.reload_button = QPushButton()
        self.reload_button.setObjectName("mediaReload")
        self.reload_button.clicked.connect(self.reload)
        self.run_all_button = QPushButton()
        self.run_all_button.setObjectName("mediaRunAll")
        self.run_all_button.clicked.connect(self.run_all)
        self.done_label = QLabel()
        self.done_label.setObjectName("mediaDone")
        self.done_label.setWordWrap(True)
        self.done_label.setStyleSheet("color: #1e7b34;")
        font = self.done_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)  # grows with the system font size
        font.setBold(True)
        self.done_label.setFont(font)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_all_button)
        buttons.addWidget(self.reload_button)
        buttons.addStretch(1)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(8)
        self.body.addWidget(self.intro)
        self.body.addLayout(buttons)
        self.body.addWidget(self.status)
        self.body.addLayout(self.rows_box)
        self.body.addWidget(self.done_label)
        self.body.addStretch(1)

        self._bridge = _Bridge(self)
        self._bridge.step.connect(self._on_step)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.supervisor_dialog: SupervisorDialog | None = None
        self.step_hook: Callable[[StepEvent], None] | None = None
        """Called on the worker thread with each of the saga's step events, before the page hears of it (demonstrations
        inject faults here: the autopilot pulls a UKey out as a step begins)."""
        self._generation = 0
        self._plan: MediaPlan | None = None
        self._views: dict[str, ItemView] = {}
        self._rows: dict[str, MediaRow] = {}
        self._gateway: TokenGateway | None = None
        self._station: LetterStation | None = None
        self._certificate_error: ConfigurationError | None = None
        self._letter_error: ConfigurationError | None = None
        self._load_error: BaseException | None = None
        self._loading = False
        self._loaded_for: str | None = None
        self._running: str | None = None
        self._stop: threading.Event | None = None
        self._present: list[TokenInfo] = []
        self._seen: set[str] = set()
        self._polling = False
        self._poll_error: BaseException | None = None
        self._batch = False
        self.retranslate()

    @property
    def busy(self) -> bool:
        """Reading the plan, or an item's work running."""
        return self._loading or self._running is not None

    @property
    def batch_running(self) -> bool:
        """Do all remaining is going through the items."""
        return self._batch

    @property
    def rows(self) -> list[MediaRow]:
        """The lines, in the plan's order (empty until the plan is read)."""
        return list(self._rows.values())

    # -- the session ------------------------------------------------------------------------------------------

    def bind(self, session: SigningSession) -> None:
        if session is not self.session:
            self._reset()
        super().bind(session)

    def refresh(self) -> None:
        session = self.session
        if session is None or not session.state.submitted or session.application_id is None:
            return
        if session.state.page == Page.MEDIA and self._loaded_for != session.application_id and not self._loading:
            self.reload()
            return
        self._render()

    def entered(self) -> None:
        for widget in (self.run_all_button, *(row.action for row in self._rows.values())):
            if widget.isVisible() and widget.isEnabled():
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        super().entered()

    def retranslate(self) -> None:
        super().retranslate()
        self.reload_button.setText(tr("&Try again"))
        self.run_all_button.setText(tr("Do &all remaining"))
        self.run_all_button.setToolTip(
            tr("Issues and prints every item not finished, in order: insert each UKey when asked and press Enter.")
        )
        self.status.retranslate()
        self._render()

    def shutdown(self) -> None:
        """Stop what runs and close the UKey library's worker (the wizard shows another application, or closes)."""
        self._reset()

    def _reset(self) -> None:
        self._generation += 1
        if self._stop is not None:
            self._stop.set()
        self._timer.stop()
        if self.supervisor_dialog is not None:
            self.supervisor_dialog.reject()
        self._close_gateway()
        for row in self._rows.values():
            row.setParent(None)
            row.deleteLater()
        self._rows, self._views, self._plan = {}, {}, None
        self._station = self._certificate_error = self._letter_error = self._load_error = None
        self._loading, self._loaded_for, self._running, self._stop = False, None, None, None
        self._present, self._seen, self._polling, self._batch = [], set(), False, False
        self._poll_error = None
        self.status.set_busy(None)
        self.status.clear_error()
        self.done_label.clear()

    def _close_gateway(self) -> None:
        gateway, self._gateway = self._gateway, None
        if gateway is not None:
            self.context.workers.submit(lambda _cancel: gateway.close(), lambda _result: None, self.context.errors.report)

    # -- loading the plan and the devices ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the plan (the session's, or the journal's after a restart), each item's state and the devices."""
        session = self.session
        if session is None or session.application_id is None or self._running is not None:
            return
        store = self.context.store()
        if store is None:
            self.status.show_error(lambda: tr("The local store is not open yet."))
            return
        self._reset()
        generation = self._generation
        plan, application_id = session.media_plan, session.application_id
        settings, training = dict(self.context.settings()), self.context.training

        def work(_cancel: threading.Event) -> _Loaded:
            journal = Journal(store)
            found = plan or media.submitted_plan(journal, application_id)
            if found is None:
                raise plan_error()
            views = [read_item(found, journal, item) for item in found.items]
            station: LetterStation | None = None
            gateway: TokenGateway | None = None
            letter_error = certificate_error = None
            try:
                station = counter.letter_station(settings, training=training)
            except ConfigurationError as exc:
                letter_error = exc
            if any(view.is_certificate and not view.done for view in views):
                try:
                    gateway = counter.token_gateway(settings, training=training)
                except ConfigurationError as exc:
                    certificate_error = exc
            return _Loaded(found, views, gateway, station, certificate_error, letter_error)

        self._loading = True
        self._loaded_for = application_id
        self.status.set_busy(lambda: tr("Reading what was handed over so far..."))
        self.context.workers.submit(work, partial(self._loaded, generation), partial(self._load_failed, generation))

    def _loaded(self, generation: int, loaded: _Loaded) -> None:
        if generation != self._generation:
            if loaded.gateway is not None:
                gateway = loaded.gateway
                self.context.workers.submit(lambda _cancel: gateway.close(), lambda _result: None, self.context.errors.report)
            return
        self._loading = False
        self.status.set_busy(None)
        session = self.session
        if session is not None and session.media_plan is None:
            session.media_plan = loaded.plan  # the completion page reads it too (memory only)
        self._plan, self._gateway, self._station = loaded.plan, loaded.gateway, loaded.station
        self._certificate_error, self._letter_error = loaded.certificate_error, loaded.letter_error
        for index, view in enumerate(loaded.views):
            row = MediaRow(view, index)
            order = view.item.order
            row.action.clicked.connect(lambda _checked=False, order=order: self.act(order))
            row.cancel.clicked.connect(lambda _checked=False, order=order: self.cancel(order))
            row.confirmed.connect(lambda order=order: self.confirm(order))
            self._views[order] = view
            self._rows[order] = row
            self.rows_box.addWidget(row)
        self._render()
        self._check_done()
        self.entered()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._load_error = exc
        self.status.set_busy(None)
        self._render()

    # -- showing -------------------------------------------------------------------------------------------------

    def _show_problems(self) -> None:
        """The page's own problems (loading, settings, listing the UKeys) above the lines, reworded on a language switch."""
        errors = [e for e in (self._load_error, self._certificate_error, self._letter_error) if e is not None]
        poll_error = self._poll_error

        def text() -> str:
            lines = [error_text(e) for e in errors]
            if poll_error is not None:
                lines.append(tr("The UKeys cannot be listed: {reason}").format(reason=error_text(poll_error)))
            return "\n".join(lines)

        if errors or poll_error is not None:
            self.status.show_error(text)
        else:
            self.status.clear_error()

    def _render(self) -> None:
        plan = self._plan
        if plan is None:
            self.intro.setText(tr("Reading the submission...") if self._loading else "")
            self.run_all_button.setVisible(False)
            self.reload_button.setVisible(self._load_error is not None)
            self._show_problems()
            return
        self.intro.setText(
            tr(
                "Agreement {agreement} for {customer}: hand over each UKey and letter below. Each item goes on its own; "
                "a failed one is retried or handed to a supervisor without redoing the others."
            ).format(agreement=plan.agreement_no, customer=plan.customer_name)
        )
        errors = [e for e in (self._certificate_error, self._letter_error) if e is not None]
        self._show_problems()
        remaining = [v for v in self._views.values() if not v.done]
        self.run_all_button.setVisible(bool(remaining))
        self.run_all_button.setEnabled(self._running is None and not self._batch)
        self.reload_button.setVisible(bool(errors) or self._load_error is not None)
        self.reload_button.setEnabled(self._running is None)
        used = {v.item.order: v.token for v in self._views.values() if v.token}
        for order, row in self._rows.items():
            view = self._views[order]
            others = {token for other, token in used.items() if other != order}
            free = [t for t in self._present if t.serial not in others]
            free.sort(key=lambda token: not _fits(view, token))  # the right kind first: blank, or pre-made
            row.show_view(view, free)
            row.set_busy(self._running is not None)
        if plan.items and not remaining:
            self.done_label.setText(tr("Every UKey and letter is handed over. Press Next for the confirmation."))
        elif not plan.items:
            self.done_label.setText(tr("This application hands over no UKey and no letter. Press Next."))
        else:
            self.done_label.clear()
        self.done_label.setVisible(bool(self.done_label.text()))

    def _set(self, order: str, **changes: Any) -> ItemView:
        view = replace(self._views[order], **changes)
        self._views[order] = view
        return view

    # -- the items' actions -------------------------------------------------------------------------------------------

    def act(self, order: str) -> None:
        """The line's action button: Issue / Print / Retry / the supervisor."""
        view = self._views.get(order)
        if view is None or self._running is not None:
            return
        if view.mode in (Mode.AUTHORIZATION, Mode.REPRINT):
            self._supervise(order)
        elif view.mode in (Mode.TODO, Mode.FAILED):
            self._start(order)

    def run_all(self) -> None:
        """Go through every item not finished, in order, pausing where the teller or a supervisor must act."""
        if self._plan is None or self._running is not None:
            return
        self._batch = True
        self._continue_batch()

    def _continue_batch(self) -> None:
        if not self._batch or self._running is not None:
            return
        for order, view in self._views.items():
            if view.done:
                continue
            if view.mode in (Mode.TODO, Mode.FAILED):
                self._start(order)
            elif view.mode == Mode.AUTHORIZATION:
                self._supervise(order)
            elif view.mode == Mode.REPRINT:
                self._batch = False
            self._render()
            return
        self._batch = False
        self._render()

    def _start(self, order: str) -> None:
        view = self._views[order]
        if view.is_certificate:
            error = self._certificate_error or self._letter_error
            if error is not None:  # no UKey library, or no printer for the PIN letter
                self._fail(order, error)
                return
            # an order begun on a UKey goes on with that UKey (another one only if the saga allows the switch)
            self._set(order, mode=Mode.WAITING if view.token is not None else Mode.CHOOSING, error=None, note="")
            self._poll_now()
            self._render()
            row = self._rows[order]
            (row.confirm if row.confirm.isEnabled() else row.token).setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._print(order)

    def confirm(self, order: str) -> None:
        """Enter on a line waiting for a UKey: issue onto the UKey chosen."""
        view, row = self._views.get(order), self._rows.get(order)
        if view is None or row is None or view.mode not in (Mode.CHOOSING, Mode.WAITING) or self._running is not None:
            return
        serial = row.chosen_token()
        if serial:
            self._issue(order, serial)

    def cancel(self, order: str) -> None:
        view = self._views.get(order)
        if view is None:
            return
        self._batch = False
        if view.mode == Mode.RUNNING and self._running == order and self._stop is not None:
            self._stop.set()
            self._set(order, note=STOPPING_NOTE)
        elif view.mode in (Mode.CHOOSING, Mode.WAITING):
            self._set(order, mode=Mode.TODO, note="")
        self._render()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter anywhere on the page while one line waits for a UKey to be confirmed starts it."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            waiting = [order for order, view in self._views.items() if view.mode == Mode.CHOOSING]
            if len(waiting) == 1:
                self.confirm(waiting[0])
                return
        super().keyPressEvent(event)

    def _fail(self, order: str, exc: BaseException) -> None:
        self._batch = False
        self._set(order, mode=Mode.FAILED, error=exc)
        self._render()

    def _issue(self, order: str, serial: str) -> None:
        plan, view = self._plan, self._views[order]
        try:
            runner = self._runner()
        except TellerError as exc:
            self._fail(order, exc)
            return
        assert plan is not None
        item = view.item
        stop = threading.Event()
        self._running, self._stop = order, stop
        self._set(order, mode=Mode.RUNNING, token=serial, error=None, failed_at=None, current=None, note="")
        self._render()
        generation, steps, store = self._generation, view.steps, self.context.store()

        def work(_cancel: threading.Event) -> tuple[IssuanceOutcome, str | None, frozenset[Step]]:
            outcome = runner.issue(item, serial, cancel=stop)
            chosen = runner.ukey_in_use(item)
            record = SagaRecord(Journal(store), item.order, chosen) if chosen is not None and store is not None else None
            done = frozenset(step for step in steps if record is not None and record.done(step))
            return outcome, chosen, done

        self.context.workers.submit(work, partial(self._issued, generation, order, serial), partial(self._run_failed, generation, order))

    def _issued(self, generation: int, order: str, serial: str, result: tuple[IssuanceOutcome, str | None, frozenset[Step]]) -> None:
        if generation != self._generation:
            return
        outcome, chosen, done = result
        self._running, self._stop = None, None
        self._set(order, token=chosen, done_steps=done, error=outcome.error, failed_at=outcome.step, current=None, note="")
        status = outcome.status
        if status == Status.ISSUED:
            self._set(order, mode=Mode.DONE, certificate_serial=outcome.certificate_serial, error=None)
        elif status == Status.NEEDS_UKEY:
            self._set(order, mode=Mode.WAITING, token=chosen or serial)
            self._poll_now()
        elif status == Status.NEEDS_AUTHORIZATION:
            self._set(order, mode=Mode.AUTHORIZATION)
        elif status == Status.CANCELLED:
            self._batch = False
            self._set(order, mode=Mode.TODO, error=None, interrupted=bool(done), note=CANCELLED_NOTE)
        else:
            self._batch = False
            self._set(order, mode=Mode.FAILED)
        self._after_item(order)

    def _print(self, order: str) -> None:
        plan, view = self._plan, self._views[order]
        signed, station, store = self.context.session(), self._station, self.context.store()
        if self._letter_error is not None or station is None:
            self._fail(order, self._letter_error or _not_signed_in())
            return
        if signed is None or store is None:
            self._fail(order, _not_signed_in())
            return
        assert plan is not None
        letters = PasswordLetters(signed.client, Journal(store), station)
        job = plan.letter_job(view.item)
        stop = threading.Event()
        self._running, self._stop = order, stop
        self._set(order, mode=Mode.RUNNING, error=None, note="")
        self._render()
        generation = self._generation
        self.context.workers.submit(
            lambda _cancel: letters.print_letter(job, cancel=stop),
            partial(self._printed, generation, order),
            partial(self._run_failed, generation, order),
        )

    def _printed(self, generation: int, order: str, outcome: LetterOutcome) -> None:
        if generation != self._generation:
            return
        self._running, self._stop = None, None
        self._set(order, error=outcome.error, letter_serial=outcome.letter_serial, note="")
        if outcome.status == LetterStatus.PRINTED:
            self._set(order, mode=Mode.DONE, error=None)
        elif outcome.status == LetterStatus.NEEDS_REPRINT:
            self._batch = False
            self._set(order, mode=Mode.REPRINT)
        elif outcome.status == LetterStatus.CANCELLED:
            self._batch = False
            self._set(order, mode=Mode.TODO, error=None, note=CANCELLED_NOTE)
        else:
            self._batch = False
            self._set(order, mode=Mode.FAILED)
        self._after_item(order)

    def _run_failed(self, generation: int, order: str, exc: BaseException) -> None:
        if generation != self._generation:
            return
        log.warning("media item failed unexpectedly: %s", getattr(exc, "code", type(exc).__name__))
        self._running, self._stop = None, None
        if not isinstance(exc, TellerError):
            self.context.errors.report(exc)
        self._fail(order, exc)
        self._after_item(order)

    def _after_item(self, order: str) -> None:
        self._render()
        if self._check_done():
            return
        if self._batch:
            self._continue_batch()
        elif self._views[order].mode in (Mode.FAILED, Mode.AUTHORIZATION, Mode.REPRINT):
            self._rows[order].action.setFocus(Qt.FocusReason.OtherFocusReason)

    def _check_done(self) -> bool:
        plan, session = self._plan, self.session
        if plan is None or session is None or not all(view.done for view in self._views.values()):
            return False
        batch, self._batch = self._batch, False
        self._timer.stop()
        self._close_gateway()
        if not session.state.media_done:
            session.state = session.state.with_media_done()
            self.changed()
            if batch:  # "Do all remaining" finished everything: on to the papers, nothing for the teller to press
                self.advance.emit()
        self._render()
        return True

    # -- the saga's progress -------------------------------------------------------------------------------------------

    def _on_step(self, event: StepEvent) -> None:
        view = self._views.get(event.reference_no)
        if view is None or view.mode != Mode.RUNNING:
            return
        done, current = view.done_steps, event.step
        if event.phase == "done":  # what comes next is what runs now
            done = done | {event.step}
            current = next((step for step in view.steps if step not in done), event.step)
        self._set(event.reference_no, current=current, done_steps=done)
        row = self._rows.get(event.reference_no)
        if row is not None:
            row.show_view(self._views[event.reference_no], [])

    def _observe(self, event: StepEvent) -> None:
        """The saga's observer, on the worker thread: the hook, then the page (through a queued signal)."""
        hook = self.step_hook
        if hook is not None:
            hook(event)
        self._bridge.step.emit(event)

    def _runner(self) -> MediaRunner:
        plan, gateway, station = self._plan, self._gateway, self._station
        signed, store = self.context.session(), self.context.store()
        if signed is None or store is None:
            raise _not_signed_in()
        if plan is None or gateway is None or station is None:
            raise self._certificate_error or self._letter_error or plan_error()
        journal = Journal(store)
        letters = PasswordLetters(signed.client, journal, station)
        users = {item.user_no: (item.user_name, item.login_id) for item in plan.items}
        return MediaRunner(
            plan,
            central=signed.client,
            journal=journal,
            actor=signed.login.user.id,
            gateway=gateway,
            letters=letters,
            pin_sink=pin_letter_sink(letters, customer_name=plan.customer_name, users=users),
            observer=self._observe,
        )

    # -- watching the UKeys present -------------------------------------------------------------------------------------

    def _poll_now(self) -> None:
        if not self._timer.isActive():
            self._timer.start()
        self._poll()

    def _poll(self) -> None:
        gateway = self._gateway
        if not any(view.mode in (Mode.CHOOSING, Mode.WAITING) for view in self._views.values()) or gateway is None:
            self._timer.stop()
            return
        if self._polling or self._running is not None:
            return
        self._polling = True
        generation = self._generation
        self.context.workers.submit(
            lambda cancel: gateway.tokens(cancel=cancel), partial(self._polled, generation), partial(self._poll_failed, generation)
        )

    def _polled(self, generation: int, tokens: list[TokenInfo]) -> None:
        if generation != self._generation:
            return
        self._polling = False
        self._poll_error = None
        present = [token for token in tokens if token.serial]
        inserted = [token.serial for token in present if token.serial not in self._seen]
        self._present, self._seen = present, {token.serial for token in present}
        serials = set(self._seen)
        if self._running is None:
            for order, view in self._views.items():
                if view.mode == Mode.WAITING and view.token in serials:
                    self._issue(order, view.token)
                    return
        self._render()
        for order, view in self._views.items():
            if view.mode != Mode.CHOOSING:
                continue
            row = self._rows[order]
            free = [row.token.itemData(i) for i in range(row.token.count())]
            newest = [token for token in present if token.serial in inserted and token.serial in free]
            newest.sort(key=lambda token: _fits(view, token))
            if newest:  # the UKey just inserted is the one meant (of the right kind, when several went in)
                row.select_token(newest[-1].serial)
                if row.confirm.isEnabled():
                    row.confirm.setFocus(Qt.FocusReason.OtherFocusReason)

    def _poll_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._polling = False
        self._poll_error = exc
        self._show_problems()

    # -- a supervisor on the teller's screen ------------------------------------------------------------------------------

    def _supervise(self, order: str) -> None:
        plan, view = self._plan, self._views[order]
        signed, store = self.context.session(), self.context.store()
        if plan is None or signed is None or store is None:
            self._fail(order, _not_signed_in())
            return
        item = view.item
        name = item.user_name or item.user_no
        action: Callable[[Any, str], Any]
        if view.is_certificate:
            serial = view.token
            if serial is None:
                self._start(order)
                return
            try:
                runner = self._runner()
            except TellerError as exc:
                self._fail(order, exc)
                return
            title = tr("Supervisor re-authorization")
            explanation = tr(
                "The certificate order of {name} (UKey {token}) needs a new authorization code. A supervisor signs in with "
                "their own ID and password and gives the reason; issuing then goes on."
            ).format(name=name, token=serial)
            action = partial(runner.reauthorize, item, serial)
            after: Callable[[], None] = partial(self._issue, order, serial)
        else:
            station = self._station
            if station is None:
                self._fail(order, self._letter_error or plan_error())
                return
            letters = PasswordLetters(signed.client, Journal(store), station)
            job = plan.letter_job(item)
            title = tr("Supervisor: allow a reprint")
            explanation = tr(
                "The letter for {name} was spoiled and its password is void. A supervisor signs in with their own ID and "
                "password and gives the reason; then the letter is printed again on the next serial."
            ).format(name=name)
            action = partial(letters.allow_reprint, job)

            def after() -> None:
                self._set(order, mode=Mode.TODO, error=None, note=REPRINT_NOTE)
                self._render()
                self._rows[order].action.setFocus(Qt.FocusReason.OtherFocusReason)

        dialog = SupervisorDialog(
            self.context.workers,
            self.context.endpoint,
            teller_id=signed.login.user.id,
            title=title,
            explanation=explanation,
            action=action,
            parent=self,
        )
        generation = self._generation

        def succeeded() -> None:
            if generation == self._generation:
                after()

        def closed() -> None:
            if self.supervisor_dialog is dialog:
                self.supervisor_dialog = None
            dialog.deleteLater()

        dialog.succeeded.connect(succeeded)
        dialog.finished.connect(closed)
        self.supervisor_dialog = dialog
        dialog.open()
        dialog.user_id.setFocus(Qt.FocusReason.OtherFocusReason)
