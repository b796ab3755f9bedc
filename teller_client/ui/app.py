"""Starting the desktop program."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from teller_client.i18n import language, set_language
from teller_client.store.database import STORE_FILE, Store
from teller_client.store.settings import SettingsRepository
from teller_client.ui.error_router import ErrorRouter
from teller_client.ui.main_window import AppContext, MainWindow
from teller_client.ui.worker import WorkerPool

log = logging.getLogger(__name__)


def build_window(training: bool, data_dir: Path, *, interactive_errors: bool = True, lang: str | None = None) -> MainWindow:
    """The main window with its services (the QApplication must exist)."""
    if lang is not None:
        set_language(lang)
    errors = ErrorRouter(interactive=interactive_errors)
    workers = WorkerPool()
    window = MainWindow(AppContext(training=training, store_path=data_dir / STORE_FILE, workers=workers, errors=errors))
    errors.set_parent_widget(window)
    workers.setParent(window)
    errors.setParent(window)
    if lang is None:
        window.store_ready.connect(lambda store: _apply_saved_language(window, store))
    return window


def _apply_saved_language(window: MainWindow, store: Store) -> None:
    def read(_cancel: object) -> object:
        return SettingsRepository(store).get("ui.language")

    def apply(saved: object) -> None:
        if isinstance(saved, str) and saved != language() and saved in ("zh", "en"):
            window.switch_language(saved)

    window.context.workers.submit(read, apply, window.context.errors.report)


def run_gui(*, training: bool, data_dir: Path, lang: str | None, self_test: bool = False) -> int:
    """Show the main window and run until it closes.

    ``self_test`` (branch IT's installation check) shows the window, opens the
    store and exits: 0 when everything came up, 2 when an error was reported.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("teller-client")
    app.setOrganizationName("teller-client")
    window = build_window(training, data_dir, lang=lang, interactive_errors=not self_test)
    window.context.errors.install_hooks()
    if self_test:

        def passed(_store: object) -> None:
            log.info("self-test passed")
            app.exit(0)

        def failed(_title: str, text: str) -> None:
            log.error("self-test failed: %s", text)
            app.exit(2)

        window.store_ready.connect(passed)
        window.context.errors.shown.connect(failed)
    window.show()
    log.info("main window shown (training=%s, language=%s)", training, language())
    code = int(app.exec())
    window.close()  # waits for running jobs and closes the store (a no-op when the teller closed it)
    return code
