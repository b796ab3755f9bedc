"""The main window: menus, the training banner, the start page with the teller's open drafts, the status bar."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teller_client import __version__
from teller_client.i18n import N_, language, set_language, tr
from teller_client.store.database import Store, open_store
from teller_client.store.drafts import DraftRepository, DraftSummary
from teller_client.store.settings import SettingsRepository
from teller_client.ui.error_router import ErrorRouter
from teller_client.ui.worker import WorkerPool

SOURCE_NAMES = {"eform": N_("E-form"), "paper": N_("Paper form"), "existing": N_("Existing customer")}
STATUS_NAMES = {
    "editing": N_("Being entered"),
    "pending_approval": N_("Awaiting approval"),
    "returned": N_("Returned for changes"),
}


@dataclass
class AppContext:
    """What the window needs from outside, injected so tests choose each part."""

    training: bool
    store_path: Path
    workers: WorkerPool
    errors: ErrorRouter
    open_store: Callable[[Path], Store] = open_store


class StartPage(QWidget):
    """Open drafts of this workstation, newest first; an empty state when there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.heading.setStyleSheet("font-size: 20px; font-weight: 600;")
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
        self.empty = QLabel()
        self.empty.setObjectName("empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #666; padding: 24px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.drafts_label.setBuddy(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
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
        self.table.setHorizontalHeaderLabels([tr("Customer"), tr("Source"), tr("Status"), tr("Last saved")])
        self.empty.setText(tr("No open drafts.") if self._loaded else tr("Loading drafts..."))
        self.show_drafts(self._drafts, loaded=self._loaded)

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

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.store: Store | None = None
        self.setObjectName("MainWindow")
        self.resize(1100, 720)

        self.banner = QLabel()
        self.banner.setObjectName("trainingBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet("background: #f5a623; color: #222; font-weight: 600; padding: 6px;")
        self.banner.setVisible(context.training)
        self.start_page = StartPage()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.start_page, 1)
        self.setCentralWidget(central)

        self.store_status = QLabel()
        self.store_status.setObjectName("storeStatus")
        self.teller_status = QLabel()
        self.statusBar().addPermanentWidget(self.teller_status)
        self.statusBar().addPermanentWidget(self.store_status)

        self._build_actions()
        self._store_state = "opening"
        self.retranslate()
        self._open_store()

    # -- actions ---------------------------------------------------------------

    def _build_actions(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.view_menu = bar.addMenu("")
        self.help_menu = bar.addMenu("")

        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

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

    def retranslate(self) -> None:
        mode = tr("Training") if self.context.training else tr("Production")
        self.setWindowTitle(tr("Teller client - one-stop e-channel signing") + f" [{mode}]")
        self.banner.setText(tr("TRAINING MODE - no bank system is contacted; everything done here is for practice only."))
        self.file_menu.setTitle(tr("&File"))
        self.view_menu.setTitle(tr("&View"))
        self.help_menu.setTitle(tr("&Help"))
        self.language_menu.setTitle(tr("&Language"))
        self.quit_action.setText(tr("&Quit"))
        self.about_action.setText(tr("&About"))
        self.teller_status.setText(tr("Teller: not signed in"))
        self._show_store_state()
        self.start_page.retranslate()

    def switch_language(self, lang: str) -> None:
        set_language(lang)
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

    # -- the store, opened off the GUI thread -------------------------------------

    def _open_store(self) -> None:
        path = self.context.store_path
        opener = self.context.open_store

        def work(_cancel: threading.Event) -> tuple[Store, list[DraftSummary]]:
            store = opener(path)
            return store, DraftRepository(store).open_drafts()

        self.context.workers.submit(work, self._store_opened, self._store_failed)

    def _store_opened(self, result: tuple[Store, list[DraftSummary]]) -> None:
        self.store, drafts = result
        self._store_state = "ready"
        self._show_store_state()
        self.start_page.show_drafts(drafts)
        self.store_ready.emit(self.store)

    def _store_failed(self, exc: BaseException) -> None:
        self._store_state = "failed"
        self._show_store_state()
        self.start_page.show_drafts([], loaded=True)
        self.context.errors.report(exc)

    def _show_store_state(self) -> None:
        text = {
            "opening": tr("Local store: opening..."),
            "ready": tr("Local store: ready"),
            "failed": tr("Local store: unavailable"),
        }[self._store_state]
        self.store_status.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.context.workers.wait(3000)
        if self.store is not None:
            self.store.close()
        event.accept()
