"""What every page of the signing wizard is: a thin view of the :class:`SigningSession` it is given.

A page shows the session's document and problems (:meth:`WizardPage.refresh`), writes the teller's input back
through the session's pointer API and then emits :attr:`WizardPage.edited` (the wizard saves the draft and
updates the step bar), and rewords itself on a language switch (:meth:`WizardPage.retranslate`). Anything slow
(network, devices, printers, disk) goes through ``context.workers``; a page never waits on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from teller_client.flows.signing import TITLES, Page
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language
from teller_client.store.database import Store
from teller_client.ui.error_router import ErrorRouter
from teller_client.ui.style import make_heading
from teller_client.ui.worker import WorkerPool


@dataclass
class WizardContext:
    """What pages need from the window, injected so tests choose each part."""

    workers: WorkerPool
    errors: ErrorRouter
    store: Callable[[], Store | None]
    session: Callable[[], Any]
    """The signed-in teller's :class:`~teller_client.ui.central.SignedIn` (``None`` when signed out or locked)."""
    endpoint: Callable[[], Any] = lambda: None
    """The central service's :class:`~teller_client.ui.central.Endpoint` (a supervisor signs in on it)."""
    training: bool = False
    settings: Callable[[], dict[str, Any]] = field(default=lambda: {})
    """The counter's settings (printers, UKey profile, ...), read when the window opened its store."""


class WizardPage(QWidget):
    """Base of the wizard's pages."""

    page: Page = Page.START
    edited = Signal()
    """The page changed the session's document or state: save the draft, update the step bar."""
    advance = Signal()
    """The page finished its work and asks the wizard to go on (as if Next was pressed)."""

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.session: SigningSession | None = None
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        make_heading(self.heading)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 8, 16, 8)
        self.body.addWidget(self.heading)
        self.setObjectName(f"{self.page.value}Page")

    def bind(self, session: SigningSession) -> None:
        """Show ``session`` (a new application, or one resumed)."""
        self.session = session
        self.refresh()

    def refresh(self) -> None:
        """Show the session's current document and problems (after a change anywhere)."""

    def retranslate(self) -> None:
        zh, en = TITLES[self.page]
        self.heading.setText(zh if language() == "zh" else en)

    def entered(self) -> None:
        """The teller arrived on this page: put the focus on its first control."""
        self.focusNextChild()

    def changed(self) -> None:
        """Call after writing to the session: re-show problems and tell the wizard."""
        self.refresh()
        self.edited.emit()
