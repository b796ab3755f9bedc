"""The main window: menus, the training banner and watermark, the login, start and lock pages, the status bar.

The window opens on the login page. Its pages sit in one stack: the login
page, the *workspace* (the start page and, later, the signing pages) and the
lock page. Locking shows the lock page instead of the workspace without
touching it, so unlocking brings back exactly what was on screen.

Every call to the central service and every start or stop of the training
service runs on the worker pool (:mod:`teller_client.ui.central` holds that
work); the window only reacts to the results.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGridLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teller_client import __version__
from teller_client.api.models import LoginResult
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import N_, language, tr
from teller_client.secret import Secret
from teller_client.store.database import Store, open_store
from teller_client.store.drafts import DraftRepository, DraftSummary
from teller_client.store.settings import SettingsRepository
from teller_client.ui import central
from teller_client.ui.central import Endpoint, Settings, SignedIn, TrainingServerLike, TrainingService
from teller_client.ui.customer_lookup import CustomerLookup
from teller_client.ui.error_router import ErrorRouter, error_text
from teller_client.ui.idle import IdleWatcher
from teller_client.ui.lock_page import LockPage
from teller_client.ui.login_page import LoginPage, take_password
from teller_client.ui.review_queue_page import ReviewQueuePage
from teller_client.ui.scan_panel import ScanPanel
from teller_client.ui.scanning import ScanController, ScanHost
from teller_client.ui.style import make_heading
from teller_client.ui.translations import apply_language
from teller_client.ui.watermark import WatermarkOverlay
from teller_client.ui.wizard.page import WizardContext
from teller_client.ui.wizard.signing_wizard import SigningWizard
from teller_client.ui.worker import Job, WorkerPool

log = logging.getLogger(__name__)

SOURCE_NAMES = {"eform": N_("E-form"), "paper": N_("Paper form"), "existing": N_("Existing customer")}
STATUS_NAMES = {
    "editing": N_("Being entered"),
    "pending_approval": N_("Awaiting approval"),
    "returned": N_("Returned for changes"),
    "approved": N_("Approved"),
    "submitted": N_("Submitted: UKeys and letters to hand over"),
}

SHUTDOWN_WAIT_MS = 5000
"""How long closing the window waits for the sign-out and the training service's stop (their own timeouts are shorter)."""


@dataclass
class AppContext:
    """What the window needs from outside, injected so tests choose each part."""

    training: bool
    store_path: Path
    workers: WorkerPool
    errors: ErrorRouter
    open_store: Callable[[Path], Store] = open_store
    central_url: str | None = None
    """The central service from the command line; wins over the setting ``central.url``."""
    ca_bundle: Path | None = None
    """Its CA bundle (PEM) from the command line; wins over the setting ``central.ca_bundle``."""
    idle_lock_ms: int | None = None
    """The idle-lock interval; ``None`` reads the setting ``ui.idle_lock_minutes`` (default 10, at most 15)."""
    central_dir: Path | None = None
    """Where the embedded training service keeps its data; default ``<store folder>/central``."""
    training_server: Callable[[Path], TrainingServerLike] = field(default=central.make_training_server)
    """Makes the embedded training service (used in training mode without a configured URL)."""


class StartPage(QWidget):
    """Open drafts of this workstation, newest first; an empty state when there are none."""

    draft_chosen = Signal(str)
    """The teller opened a draft (Enter or a double click on its row)."""
    paper_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paper = QPushButton()
        self.paper.setObjectName("newPaperForm")
        self.paper.clicked.connect(self.paper_requested.emit)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        make_heading(self.heading, 1.5)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.drafts_label = QLabel()
        self.drafts_label.setStyleSheet("font-weight: 600; margin-top: 12px;")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("drafts")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.activated.connect(self._activated)
        self.table.doubleClicked.connect(self._activated)
        self.empty = QLabel()
        self.empty.setObjectName("empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #666; padding: 24px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.drafts_label.setBuddy(self.table)
        self.lookup = CustomerLookup()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.lookup)
        layout.addWidget(self.paper, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.drafts_label)
        layout.addWidget(self.stack, 1)
        self._drafts: list[DraftSummary] = []
        self._loaded = False
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(tr("One-stop corporate e-channel signing"))
        self.intro.setText(
            tr(
                "Sign a company onto corporate online banking, cash management, e-commerce, e-bills and the other e-channels "
                "in one visit, and hand over the UKeys and password letters at the counter."
            )
        )
        self.drafts_label.setText(tr("&Open drafts"))
        self.paper.setText(tr("New application on a &paper form (Ctrl+N)"))
        self.table.setHorizontalHeaderLabels([tr("Customer"), tr("Source"), tr("Status"), tr("Last saved")])
        self.empty.setText(tr("No open drafts.") if self._loaded else tr("Loading drafts..."))
        self.lookup.retranslate()
        self.show_drafts(self._drafts, loaded=self._loaded)

    def _activated(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self._drafts):
            self.draft_chosen.emit(self._drafts[index.row()].id)

    def show_drafts(self, drafts: list[DraftSummary], *, loaded: bool = True) -> None:
        self._drafts = drafts
        self._loaded = loaded
        self.table.setRowCount(len(drafts))
        for row, d in enumerate(drafts):
            when = d.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
            cells = [
                d.title or d.form_id or d.id[:8],
                tr(SOURCE_NAMES.get(d.source, d.source)),
                tr(STATUS_NAMES.get(d.status, d.status)),
                when,
            ]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.stack.setCurrentWidget(self.table if drafts else self.empty)
        if not drafts:
            self.empty.setText(tr("No open drafts.") if loaded else tr("Loading drafts..."))


class MainWindow(QMainWindow):
    store_ready = Signal(object)
    """Emitted with the :class:`Store` once it is open (off the GUI thread)."""
    central_ready = Signal(object)
    """Emitted with the :class:`Endpoint` once tellers can sign in (the training service has started)."""
    central_failed = Signal(object)
    """Emitted with the error when tellers cannot sign in at all (not configured, training service down)."""
    signed_in = Signal(object)
    """Emitted with the :class:`SignedIn` session after a successful sign-in."""
    signed_out = Signal()
    """Emitted when the sign-out call has finished (whether or not the service answered)."""
    lock_changed = Signal(bool)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.store: Store | None = None
        self.endpoint: Endpoint | None = None
        self.session: SignedIn | None = None
        self.training_service: TrainingService | None = None
        self.locked = False
        self._session_job: Job | None = None
        self._closed = False
        self.setObjectName("MainWindow")
        self.resize(1100, 720)

        self.banner = QLabel()
        self.banner.setObjectName("trainingBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #f5a623; color: #222; font-weight: 600; padding: 6px;")
        self.banner.setVisible(context.training)
        self.login_page = LoginPage()
        self.start_page = StartPage()
        self.workspace = QStackedWidget()
        self.workspace.setObjectName("workspace")
        self.workspace.addWidget(self.start_page)
        self.wizard = SigningWizard(
            WizardContext(
                workers=context.workers,
                errors=context.errors,
                store=lambda: self.store,
                session=lambda: None if self.locked else self.session,
                endpoint=lambda: self.endpoint,
                training=context.training,
                settings=lambda: self.counter_settings,
            )
        )
        self.workspace.addWidget(self.wizard)
        self.review_queue = ReviewQueuePage(context.workers, context.errors, lambda: None if self.locked else self.session)
        self.workspace.addWidget(self.review_queue)
        self.wizard.closed.connect(self.show_start)
        self.wizard.saved.connect(lambda _version: self._refresh_drafts())
        self.start_page.draft_chosen.connect(self.open_draft)
        self.start_page.paper_requested.connect(self.new_paper_form)
        self.counter_settings: dict[str, object] = {}
        self._opening: Job | None = None
        self.lock_page = LockPage()
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        for page in (self.login_page, self.workspace, self.lock_page):
            self.pages.addWidget(page)
        self.pages.setCurrentWidget(self.login_page)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        self.scan_panel = ScanPanel()
        self.scan_panel.setVisible(False)
        layout.addWidget(self.scan_panel)
        central_widget = QWidget()
        grid = QGridLayout(central_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(content, 0, 0)
        self.watermark: WatermarkOverlay | None = None
        if context.training:  # the same cell, added last: over every page
            self.watermark = WatermarkOverlay()
            grid.addWidget(self.watermark, 0, 0)
        self.setCentralWidget(central_widget)

        self.store_status = QLabel()
        self.store_status.setObjectName("storeStatus")
        self.teller_status = QLabel()
        self.teller_status.setObjectName("tellerStatus")
        self.date_status = QLabel()
        self.date_status.setObjectName("businessDate")
        self.scanner_status = QLabel()
        self.scanner_status.setObjectName("scannerStatus")
        self.scanner_status.setVisible(False)
        self.statusBar().addPermanentWidget(self.scanner_status)
        self.statusBar().addPermanentWidget(self.teller_status)
        self.statusBar().addPermanentWidget(self.date_status)
        self.statusBar().addPermanentWidget(self.store_status)

        self.idle = IdleWatcher(context.idle_lock_ms or central.idle_lock_ms(None), self)
        self.idle.idle.connect(self.lock)
        self.login_page.submitted.connect(self.sign_in)
        self.lock_page.unlock_requested.connect(self.unlock)
        self.lock_page.sign_out_requested.connect(self.sign_out)

        self.scanning = ScanController(
            ScanHost(
                widget=self,
                workers=context.workers,
                errors=context.errors,
                training=context.training,
                store=lambda: self.store,
                session=lambda: None if self.locked else self.session,
                drafts_changed=self._refresh_drafts,
                notify=lambda text: self.statusBar().showMessage(text, 5000),
            ),
            self.scan_panel,
            self.start_page.lookup,
        )
        self.scanning.install()
        self.scanning.form_saved.connect(lambda saved: self.open_draft(saved.draft_id))
        self.scanning.scanner_status.connect(self._show_scanner_status)
        self._build_actions()
        self._store_state = "opening"
        self._focus_before_lock: QWidget | None = None
        self.login_page.set_workstation(central.default_workstation_id())
        self.login_page.set_service(self._service_text)
        self.login_page.set_ready(False, self._preparing_text)
        self.retranslate()
        self._update_actions()
        self._open_store()

    # -- actions ---------------------------------------------------------------

    def _build_actions(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.scan_menu = bar.addMenu("")
        self.view_menu = bar.addMenu("")
        self.help_menu = bar.addMenu("")

        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.sign_out_action = QAction(self)
        self.sign_out_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.sign_out_action.triggered.connect(self.sign_out)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addAction(self.sign_out_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.scan_image_action = QAction(self)
        self.scan_image_action.setShortcut(QKeySequence("Ctrl+O"))
        self.scan_image_action.triggered.connect(self.scanning.choose_image)
        self.scan_reset_action = QAction(self)
        self.scan_reset_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.scan_reset_action.triggered.connect(self.scanning.reset)
        self.review_queue_action = QAction(self)
        self.review_queue_action.setShortcut(QKeySequence("Ctrl+R"))
        self.review_queue_action.triggered.connect(self.show_review_queue)
        self.start_action = QAction(self)
        self.start_action.setShortcut(QKeySequence("Ctrl+Home"))
        self.start_action.triggered.connect(self.show_start)
        self.new_paper_action = QAction(self)
        self.new_paper_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_paper_action.triggered.connect(self.new_paper_form)
        self.file_menu.insertAction(self.lock_action, self.new_paper_action)
        self.file_menu.insertAction(self.lock_action, self.start_action)
        self.file_menu.insertAction(self.lock_action, self.review_queue_action)
        self.file_menu.insertSeparator(self.lock_action)
        self.find_customer_action = QAction(self)
        self.find_customer_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_customer_action.triggered.connect(self._find_customer)
        for action in (self.scan_image_action, self.scan_reset_action, self.find_customer_action):
            self.scan_menu.addAction(action)

        self.language_menu = self.view_menu.addMenu("")
        group = QActionGroup(self)
        self.chinese_action = QAction("中文", self, checkable=True)
        self.chinese_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.english_action = QAction("English", self, checkable=True)
        self.english_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        for action, lang in ((self.chinese_action, "zh"), (self.english_action, "en")):
            group.addAction(action)
            self.language_menu.addAction(action)
            action.setChecked(language() == lang)
            action.triggered.connect(lambda _checked=False, lang=lang: self.switch_language(lang))

        self.about_action = QAction(self)
        self.about_action.setShortcut(QKeySequence("F1"))
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)

    def _update_actions(self) -> None:
        working = self.session is not None and not self.locked
        self.lock_action.setEnabled(working)
        self.sign_out_action.setEnabled(self.session is not None)
        for action in (
            self.scan_image_action,
            self.scan_reset_action,
            self.find_customer_action,
            self.new_paper_action,
            self.review_queue_action,
            self.start_action,
        ):
            action.setEnabled(working)
        self.scan_panel.setVisible(working)

    def _find_customer(self) -> None:
        self.workspace.setCurrentWidget(self.start_page)
        self.start_page.lookup.field.setFocus()
        self.start_page.lookup.field.selectAll()

    def retranslate(self) -> None:
        mode = tr("Training") if self.context.training else tr("Production")
        self.setWindowTitle(tr("Teller client - one-stop e-channel signing") + f" [{mode}]")
        self.banner.setText(tr("TRAINING MODE - no bank system is contacted; everything done here is for practice only."))
        self.file_menu.setTitle(tr("&File"))
        self.scan_menu.setTitle(tr("S&can"))
        self.scan_image_action.setText(tr("Scan from &image..."))
        self.scan_reset_action.setText(tr("Start the scan &over"))
        self.find_customer_action.setText(tr("&Find a customer..."))
        self.new_paper_action.setText(tr("&New application on a paper form"))
        self.review_queue_action.setText(tr("Branch &review queue (supervisors)"))
        self.start_action.setText(tr("Start &page"))
        self.scan_panel.retranslate()
        self.view_menu.setTitle(tr("&View"))
        self.help_menu.setTitle(tr("&Help"))
        self.language_menu.setTitle(tr("&Language"))
        self.lock_action.setText(tr("&Lock screen"))
        self.sign_out_action.setText(tr("Sign &out"))
        self.quit_action.setText(tr("&Quit"))
        self.about_action.setText(tr("&About"))
        self._show_teller()
        self._show_store_state()
        self._show_scanner_status(self.scanning.serial.status_text())
        self.start_page.retranslate()
        self.wizard.retranslate()
        self.review_queue.retranslate()
        self.login_page.retranslate()
        self.lock_page.retranslate()

    def switch_language(self, lang: str) -> None:
        apply_language(lang)
        self.chinese_action.setChecked(lang == "zh")
        self.english_action.setChecked(lang == "en")
        self.retranslate()
        if self.store is not None:
            store = self.store
            self.context.workers.submit(
                lambda _cancel: SettingsRepository(store).set("ui.language", lang), lambda _r: None, self.context.errors.report
            )

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            tr("About"),
            tr("Teller client {version}\nLocal store: {path}").format(version=__version__, path=self.context.store_path),
        )

    # -- the signing wizard ------------------------------------------------------------

    def _teller_id(self) -> str | None:
        return self.session.login.user.id if self.session is not None and not self.locked else None

    def _business_date(self) -> date | None:
        return self.session.business_date if self.session is not None else None

    def new_paper_form(self) -> None:
        """Start a new application typed from a paper form (the draft is made on a worker)."""
        store, teller, today = self.store, self._teller_id(), self._business_date()
        if store is None or teller is None or self._opening is not None:
            return
        self._opening = self.context.workers.submit(
            lambda _cancel: SigningSession.start_paper(store, teller, today=today), self._session_opened, self._open_failed
        )

    def open_draft(self, draft_id: str) -> None:
        """Resume a draft on the page where it was left (read on a worker)."""
        store, teller, today = self.store, self._teller_id(), self._business_date()
        if store is None or teller is None or self._opening is not None:
            return
        if self.wizard.session is not None and self.wizard.session.draft_id == draft_id:
            self.workspace.setCurrentWidget(self.wizard)
            return
        self._opening = self.context.workers.submit(
            lambda _cancel: SigningSession.resume(store, draft_id, teller, today=today), self._session_opened, self._open_failed
        )

    def _session_opened(self, session: SigningSession) -> None:
        self._opening = None
        if self.session is None:
            return
        self.wizard.save_now()
        self.wizard.open(session)
        self.workspace.setCurrentWidget(self.wizard)
        self._refresh_drafts()

    def _open_failed(self, exc: BaseException) -> None:
        self._opening = None
        self.context.errors.report(exc)

    def show_review_queue(self) -> None:
        """The branch's applications waiting for a supervisor (a maker's own are shown, never decidable by them)."""
        if self.session is None or self.locked:
            return
        self.workspace.setCurrentWidget(self.review_queue)

    def show_start(self) -> None:
        self.workspace.setCurrentWidget(self.start_page)
        self.start_page.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._refresh_drafts()

    # -- the store, opened off the GUI thread -------------------------------------

    def _open_store(self) -> None:
        path = self.context.store_path
        opener = self.context.open_store

        def work(_cancel: threading.Event) -> tuple[Store, list[DraftSummary], dict[str, object]]:
            store = opener(path)
            return store, DraftRepository(store).open_drafts(), SettingsRepository(store).all()

        self.context.workers.submit(work, self._store_opened, self._store_failed)

    def _store_opened(self, result: tuple[Store, list[DraftSummary], dict[str, object]]) -> None:
        self.store, drafts, self.counter_settings = result
        if self._closed:
            self.store.close()
            return
        self._store_state = "ready"
        self._show_store_state()
        self.start_page.show_drafts(drafts)
        self.store_ready.emit(self.store)
        self.scanning.start_serial(self.store)
        self._prepare_central()

    def _store_failed(self, exc: BaseException) -> None:
        self._store_state = "failed"
        self._show_store_state()
        self.start_page.show_drafts([], loaded=True)
        self.context.errors.report(exc)
        self._prepare_central()

    def _show_scanner_status(self, text: str) -> None:
        self.scanner_status.setText(text)
        self.scanner_status.setVisible(bool(text))

    def _show_store_state(self) -> None:
        text = {
            "opening": tr("Local store: opening..."),
            "ready": tr("Local store: ready"),
            "failed": tr("Local store: unavailable"),
        }[self._store_state]
        self.store_status.setText(text)

    def _refresh_drafts(self) -> None:
        store = self.store
        if store is None:
            return
        workers, errors = self.context.workers, self.context.errors
        workers.submit(lambda _cancel: DraftRepository(store).open_drafts(), self.start_page.show_drafts, errors.report)

    # -- the central service: configured, or the embedded training service -----------------

    def _preparing_text(self) -> str:
        if self.context.training and not self.context.central_url:
            return tr("Starting the training service...")
        return tr("Preparing to sign in...")

    def _service_text(self) -> str:
        endpoint = self.endpoint
        if endpoint is None:
            return tr("Training service (starting...)") if self.context.training and not self.context.central_url else "-"
        if endpoint.embedded:
            return tr("Training service on this computer ({url})").format(url=endpoint.url)
        if self.context.training:
            return tr("Training service at {url}").format(url=endpoint.url)
        return endpoint.url

    def _prepare_central(self) -> None:
        """Read the settings, then find the service or start the training one (on a worker)."""
        store = self.store
        context = self.context
        if context.training:
            self.training_service = TrainingService(context.central_dir or context.store_path.parent / "central", context.training_server)
        service = self.training_service

        def work(cancel: threading.Event) -> tuple[Settings, Endpoint]:
            settings = Settings()
            if store is not None:
                try:
                    settings = Settings.read(SettingsRepository(store).get)
                except Exception:
                    log.exception("settings could not be read; using the defaults")
            station = settings.workstation_id or central.default_workstation_id()
            endpoint = central.resolve_endpoint(
                training=context.training, cli_url=context.central_url, cli_ca_bundle=context.ca_bundle, settings=settings
            )
            if endpoint is None:
                assert service is not None
                endpoint = service.start(station, cancel)
            return settings, endpoint

        self._session_job = context.workers.submit(work, self._central_prepared, self._central_unavailable)

    def _central_prepared(self, result: tuple[Settings, Endpoint]) -> None:
        settings, endpoint = result
        self._session_job = None
        self.endpoint = endpoint
        if self.context.idle_lock_ms is None:
            self.idle.set_interval(central.idle_lock_ms(settings.idle_lock_minutes))
        self.login_page.set_workstation(endpoint.workstation_id)
        self.login_page.set_service(self._service_text)
        self.login_page.set_ready(True)
        self.login_page.focus_first_empty()
        log.info("central service %s, workstation %s, idle lock after %d ms", endpoint.url, endpoint.workstation_id, self.idle.interval_ms)
        self.central_ready.emit(endpoint)

    def _central_unavailable(self, exc: BaseException) -> None:
        self._session_job = None
        described = self.context.errors.describe(exc)
        self.login_page.set_service(self._service_text)
        self.login_page.set_ready(False, None)
        if described is not None:
            self.login_page.status.show_error(lambda: error_text(exc))
        self.central_failed.emit(exc)

    # -- signing in and out ------------------------------------------------------------

    def sign_in(self) -> None:
        endpoint = self.endpoint
        page = self.login_page
        if endpoint is None or self.session is not None or self._session_job is not None or self._closed:
            return
        user_id = page.user_id.text().strip()
        if not user_id:
            page.fail(lambda: tr("Type your teller ID."), focus_user=True)
            return
        if not page.password.text():
            page.fail(lambda: tr("Type your password."))
            return
        password = Secret(page.password.text())

        def work(cancel: threading.Event) -> SignedIn:
            session = central.sign_in(endpoint, user_id, password)
            if cancel.is_set():  # the window closed meanwhile: do not leave the session open
                central.end_session(endpoint, session)
            return session

        page.status.clear_error()
        page.set_ready(False, lambda: tr("Signing in..."))
        self._session_job = self.context.workers.submit(work, self._signed_in, self._sign_in_failed)
        page.password.clear()

    def _signed_in(self, session: SignedIn) -> None:
        self._session_job = None
        self.session = session
        self.locked = False
        self.login_page.reset()
        self.login_page.set_ready(True)
        self.workspace.setCurrentWidget(self.start_page)
        self.pages.setCurrentWidget(self.workspace)
        self.start_page.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._show_teller()
        self._update_actions()
        self.idle.start()
        self._refresh_drafts()
        self.signed_in.emit(session)

    def _sign_in_failed(self, exc: BaseException) -> None:
        self._session_job = None
        if self.context.errors.describe(exc) is not None:
            self.login_page.fail(lambda: error_text(exc))
        else:
            self.login_page.set_ready(True)

    def sign_out(self) -> None:
        """End the session here at once and at the service on a worker; back to the login page."""
        session, endpoint = self.session, self.endpoint
        if session is None or endpoint is None:
            return
        if self._session_job is not None:  # an unlock in flight: its answer no longer matters
            self._session_job.cancel()
            self._session_job = None
        self.session = None
        self.locked = False
        self.idle.stop()
        self.lock_page.show_for(session.login.user)
        self.login_page.reset()
        self.login_page.set_ready(True)
        self.pages.setCurrentWidget(self.login_page)
        self.workspace.setCurrentWidget(self.start_page)
        self.login_page.focus_first_empty()
        self._show_teller()
        self._update_actions()
        self.lock_changed.emit(False)

        def ended(_result: object) -> None:
            self.signed_out.emit()

        def not_told(exc: BaseException) -> None:
            described = self.context.errors.describe(exc)
            if described is not None and self.session is None and not self.login_page.status.busy:
                self.login_page.status.show_error(
                    lambda: tr("You are signed out on this computer; the central service could not be told: {reason}").format(
                        reason=error_text(exc)
                    )
                )
            self.signed_out.emit()

        self.context.workers.submit(lambda _cancel: central.end_session(endpoint, session), ended, not_told)

    # -- locking ------------------------------------------------------------------------

    def lock(self) -> None:
        """Cover the work with the lock page (the work stays as it is underneath)."""
        session = self.session
        if session is None or self.locked:
            return
        focus = QApplication.focusWidget()
        self._focus_before_lock = focus if focus is not None and self.workspace.isAncestorOf(focus) else None
        self.locked = True
        self.idle.stop()
        self.lock_page.show_for(session.login.user)
        self.pages.setCurrentWidget(self.lock_page)
        self.lock_page.focus_password()
        self._update_actions()
        log.info("screen locked for %s", session.login.user.id)
        self.lock_changed.emit(True)

    def unlock(self) -> None:
        session, endpoint, page = self.session, self.endpoint, self.lock_page
        if session is None or endpoint is None or not self.locked or self._session_job is not None:
            return
        if not page.password.text():
            page.status.show_error(lambda: tr("Type your password."))
            page.focus_password()
            return
        password = take_password(page.password)

        def work(cancel: threading.Event) -> LoginResult:
            login = central.unlock(endpoint, session, password)
            if cancel.is_set():  # signed out meanwhile: end the session this unlock opened
                central.end_session(endpoint, SignedIn(session.client, login, session.business_date))
            return login

        page.status.clear_error()
        page.set_ready(False)
        self._session_job = self.context.workers.submit(work, lambda login: self._unlocked(session, login), self._unlock_failed)

    def _unlocked(self, session: SignedIn, login: LoginResult) -> None:
        self._session_job = None
        if self.session is not session:
            return
        session.login = login
        self.locked = False
        self.lock_page.show_for(login.user)
        self.pages.setCurrentWidget(self.workspace)
        focus, self._focus_before_lock = self._focus_before_lock, None
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_actions()
        self.idle.start()
        self.lock_changed.emit(False)

    def _unlock_failed(self, exc: BaseException) -> None:
        self._session_job = None
        page = self.lock_page
        page.password.clear()
        page.set_ready(True)
        if self.context.errors.describe(exc) is not None:
            page.status.show_error(lambda: error_text(exc))
        page.focus_password()

    def _show_teller(self) -> None:
        session = self.session
        if session is None:
            self.teller_status.setText(tr("Teller: not signed in"))
            self.date_status.clear()
            self.date_status.setVisible(False)
            return
        user = session.login.user
        self.teller_status.setText(tr("Teller: {name} ({id})").format(name=user.name, id=user.id))
        day = session.business_date
        self.date_status.setText(tr("Business date: {date}").format(date=day.isoformat()) if day else "")
        self.date_status.setVisible(day is not None)

    # -- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Sign out (best effort, briefly), stop the training service, wait for running jobs, close the store."""
        if self._closed:
            return
        self._closed = True
        self.idle.uninstall()
        self.scanning.uninstall()
        self.wizard.shutdown()
        if self._session_job is not None:
            self._session_job.cancel()
            self._session_job = None
        session, endpoint, service = self.session, self.endpoint, self.training_service
        self.session = None
        if session is not None or service is not None:

            def work(_cancel: threading.Event) -> None:
                try:
                    if session is not None and endpoint is not None:
                        central.end_session(endpoint, session)
                except Exception as exc:  # closing goes on whatever the service says
                    log.info("sign-out at close: %s", getattr(exc, "code", type(exc).__name__))
                finally:
                    if service is not None:
                        service.stop()

            self.context.workers.submit(work, lambda _r: None, lambda _exc: None)
        self.context.workers.wait(SHUTDOWN_WAIT_MS)
        if self.store is not None:
            self.store.close()
