"""The signing wizard: the step bar, the pages, what keeps the teller on a page, Back and Next; saving drafts.

The wizard shows one :class:`~teller_client.flows.signing_session.SigningSession` at a time. Moves go through
the session's :class:`~teller_client.flows.signing.SigningState` (a refusal is shown beside the buttons in the
teller's words). Every change a page reports is saved to the draft on a worker, one save at a time and the
latest last (a change made while a save runs is saved right after it), so nothing typed is lost and the disk
never holds up the teller.

Keyboard: Next is Alt+N or Ctrl+Enter, Back is Alt+B or Ctrl+Backspace; Ctrl+1..9 open a step already reached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from teller_client.errors import TellerError
from teller_client.flows.signing import FlowRefused, Page, SigningState
from teller_client.flows.signing_session import SigningSession, Snapshot, save_snapshot
from teller_client.i18n import tr
from teller_client.ui.error_router import error_text
from teller_client.ui.wizard.completion_page import CompletionPage
from teller_client.ui.wizard.media_page import MediaPage
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.wizard.pages import PAGE_CLASSES
from teller_client.ui.wizard.problem_panel import ProblemPanel
from teller_client.ui.wizard.review_page import ReviewPage
from teller_client.ui.wizard.sign_off_page import SignOffPage
from teller_client.ui.wizard.step_bar import StepBar

log = logging.getLogger(__name__)


class SigningWizard(QWidget):
    closed = Signal()
    """The teller went back past the intake (or closed the application): show the start page."""
    saved = Signal(int)
    """A draft version was written (its number)."""
    moved = Signal(object)
    """The wizard shows another :class:`Page`."""

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signingWizard")
        self.context = context
        self.session: SigningSession | None = None
        self.step_bar = StepBar()
        self.step_bar.chosen.connect(self.go_to)
        self.stack = QStackedWidget()
        self.pages: dict[Page, WizardPage] = {}
        for page, cls in PAGE_CLASSES.items():
            widget = cls(context)
            widget.edited.connect(self._edited)
            widget.advance.connect(self.next)
            self.pages[page] = widget
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(widget)
            self.stack.addWidget(scroll)
        self._wire_pages()
        self.unverified = QLabel()
        self.unverified.setObjectName("unverifiedBanner")
        self.unverified.setWordWrap(True)
        self.unverified.setStyleSheet("background: #fdecea; color: #8a1010; font-weight: 600; padding: 4px 16px;")
        self.unverified.setVisible(False)
        self.problems = ProblemPanel()
        self.problems.confirm_warnings.connect(self.confirm_warnings)
        self.refusal = QLabel()
        self.refusal.setObjectName("refusal")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet("color: #a01010;")
        self.save_state = QLabel()
        self.save_state.setObjectName("saveState")
        self.save_state.setStyleSheet("color: #666;")
        self.back_button = QPushButton()
        self.back_button.setObjectName("back")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton()
        self.next_button.setObjectName("next")
        self.next_button.setDefault(False)
        self.next_button.clicked.connect(self.next)
        nav = QHBoxLayout()
        nav.setContentsMargins(16, 4, 16, 8)
        nav.addWidget(self.save_state)
        nav.addWidget(self.refusal, 1)
        nav.addWidget(self.back_button)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.step_bar)
        layout.addWidget(self.unverified)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.problems)
        layout.addLayout(nav)

        for keys, slot in (("Ctrl+Return", self.next), ("Ctrl+Enter", self.next), ("Ctrl+Backspace", self.back)):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for number in range(1, 10):
            QShortcut(
                QKeySequence(f"Ctrl+{number}"),
                self,
                lambda number=number: self._go_to_number(number),
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )
        self._saving = False
        self._dirty = False
        self._saved_at: datetime | None = None
        self.retranslate()

    def _wire_pages(self) -> None:
        """The pages that ask the wizard to move: review's "go to" links, a supervisor's return, the finish."""
        review, sign_off, completion = self.pages[Page.REVIEW], self.pages[Page.SIGN_OFF], self.pages[Page.COMPLETION]
        assert isinstance(review, ReviewPage) and isinstance(sign_off, SignOffPage) and isinstance(completion, CompletionPage)
        review.open_page.connect(self.go_to)
        sign_off.returned.connect(self._show_page)  # the state is on review already (SigningState.with_return)
        completion.finished.connect(self.closed.emit)

    def shutdown(self) -> None:
        """The window closes: stop what the media page runs and close the UKey library's worker process."""
        media = self.pages[Page.MEDIA]
        assert isinstance(media, MediaPage)
        media.shutdown()

    # -- showing a session -------------------------------------------------------------------------------------

    def open(self, session: SigningSession) -> None:
        """Show ``session`` on the page it stands at (a new application, or a draft resumed)."""
        self.session = session
        self._saved_at = None
        for page in self.pages.values():
            page.bind(session)
        self._show_page()

    def current_page(self) -> WizardPage | None:
        if self.session is None:
            return None
        return self.pages.get(self.session.state.page)

    def _show_page(self) -> None:
        session = self.session
        if session is None:
            return
        page = session.state.page
        widget = self.pages.get(page)
        if widget is None:
            return
        self.stack.setCurrentIndex(list(self.pages).index(page))
        widget.refresh()
        self._update()
        widget.entered()
        self.moved.emit(page)

    def _update(self) -> None:
        session = self.session
        if session is None:
            return
        self.step_bar.show_state(session.state)
        self.unverified.setVisible(session.source == "eform" and not session.verified)
        self.problems.show_state(session.state)
        pages = session.state.pages
        index = pages.index(session.state.page)
        self.back_button.setEnabled(index > 0 and not session.state.locked(pages[index - 1]))
        self.next_button.setEnabled(index < len(pages) - 1)

    # -- moving ---------------------------------------------------------------------------------------------------

    def next(self) -> None:
        if self.session is not None:
            self._move(self.session.state.next)

    def back(self) -> None:
        session = self.session
        if session is None:
            return
        if session.state.pages.index(session.state.page) <= 1:  # back from the intake: to the start page
            self.save_now()
            self.closed.emit()
            return
        self._move(session.state.back)

    def go_to(self, page: Page) -> None:
        session = self.session
        if session is not None and page != session.state.page:
            self._move(lambda: session.state.go_to(page))

    def _move(self, move: Callable[[], SigningState]) -> None:
        """Apply one move of the state machine: show the new page and save, or show why it is refused."""
        assert self.session is not None
        try:
            self.session.state = move()
        except FlowRefused as refused:
            self._refuse(refused)
            return
        self.refusal.clear()
        self._show_page()
        self.save_now()

    def _go_to_number(self, number: int) -> None:
        if self.session is not None and number <= len(self.session.state.pages):
            self.go_to(self.session.state.pages[number - 1])

    def confirm_warnings(self) -> None:
        session = self.session
        if session is None:
            return
        for problem in session.state.blocking(session.state.page):
            if problem.overridable:
                session.state = session.state.confirm_warning(problem)
        self._edited()

    def _refuse(self, error: TellerError) -> None:
        self.refusal.setText(error_text(error))
        self.refusal.setAccessibleName(self.refusal.text())

    # -- saving -----------------------------------------------------------------------------------------------------

    def _edited(self) -> None:
        self.refusal.clear()
        self._update()
        self.save_now()

    def save_now(self) -> None:
        """Save the session's draft on a worker: one save at a time, the latest change last."""
        if self.session is None:
            return
        if self._saving:
            self._dirty = True
            return
        store = self.context.store()
        if store is None:
            return
        snapshot = self.session.snapshot()
        self._saving = True
        self._dirty = False

        def work(_cancel: threading.Event) -> int:
            return save_snapshot(store, snapshot)

        self.context.workers.submit(work, lambda version: self._saved(snapshot, version), self._save_failed)

    def _saved(self, _snapshot: Snapshot, version: int) -> None:
        self._saving = False
        self._saved_at = datetime.now()
        self._show_saved()
        self.saved.emit(version)
        if self._dirty:
            self.save_now()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        log.error("draft not saved: %s", getattr(exc, "code", type(exc).__name__))
        self.save_state.setText(tr("Not saved: {reason}").format(reason=error_text(exc)))
        self.save_state.setStyleSheet("color: #a01010;")
        self.context.errors.report(exc)

    @property
    def saving(self) -> bool:
        return self._saving or self._dirty

    def _show_saved(self) -> None:
        self.save_state.setStyleSheet("color: #666;")
        if self._saved_at is None:
            self.save_state.clear()
        else:
            self.save_state.setText(tr("Draft saved at {time}").format(time=self._saved_at.strftime("%H:%M:%S")))

    # -- language --------------------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.back_button.setText(tr("< &Back"))
        self.back_button.setToolTip(tr("Back (Alt+B, Ctrl+Backspace)"))
        self.next_button.setText(tr("&Next >"))
        self.next_button.setToolTip(tr("Next (Alt+N, Ctrl+Enter)"))
        self.problems.retranslate()
        self.unverified.setText(tr("Unverified e-form: its signature was not checked. Compare every page with the signed paper form."))
        for page in self.pages.values():
            page.retranslate()
        self._show_saved()
        self.refusal.clear()
        if self.session is not None:
            self._update()
