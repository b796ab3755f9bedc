"""Starting the desktop program."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from teller_client.api.models import Health
from teller_client.errors import TellerError
from teller_client.i18n import language
from teller_client.store.database import STORE_FILE, Store
from teller_client.store.settings import SettingsRepository
from teller_client.ui.central import Endpoint
from teller_client.ui.error_router import ErrorRouter
from teller_client.ui.main_window import AppContext, MainWindow
from teller_client.ui.spooler_printer import install as install_spooler_printers
from teller_client.ui.translations import apply_language
from teller_client.ui.worker import WorkerPool

log = logging.getLogger(__name__)


def build_window(
    training: bool,
    data_dir: Path,
    *,
    interactive_errors: bool = True,
    lang: str | None = None,
    central_url: str | None = None,
    ca_bundle: Path | None = None,
    idle_lock_ms: int | None = None,
) -> MainWindow:
    """The main window with its services (the QApplication must exist).

    ``central_url``/``ca_bundle`` (the command line) win over the settings
    ``central.url``/``central.ca_bundle``; in training mode without either the
    window starts the training service under ``data_dir/central`` itself.
    """
    apply_language(lang if lang is not None else language())
    errors = ErrorRouter(interactive=interactive_errors)
    workers = WorkerPool()
    context = AppContext(
        training=training,
        store_path=data_dir / STORE_FILE,
        workers=workers,
        errors=errors,
        central_url=central_url,
        ca_bundle=ca_bundle,
        idle_lock_ms=idle_lock_ms,
        central_dir=data_dir / "central",
    )
    window = MainWindow(context)
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


def _health(endpoint: Endpoint) -> Health:
    client = endpoint.client()
    try:
        return client.health()
    finally:
        client.http.close()


def run_gui(
    *,
    training: bool,
    data_dir: Path,
    lang: str | None,
    self_test: bool = False,
    central_url: str | None = None,
    ca_bundle: Path | None = None,
) -> int:
    """Show the main window and run until it closes.

    ``self_test`` (branch IT's installation check) shows the window, opens the
    store, finds the central service (starting the training service in
    training mode), asks it for its health and exits: 0 when everything came
    up, 2 when an error was reported or tellers could not sign in.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("teller-client")
    app.setOrganizationName("teller-client")
    install_spooler_printers()  # qt:NAME printer settings print through the system's spooler
    window = build_window(training, data_dir, lang=lang, interactive_errors=not self_test, central_url=central_url, ca_bundle=ca_bundle)
    window.context.errors.install_hooks()
    if self_test:
        came_up: set[str] = set()

        def up(what: str) -> None:
            came_up.add(what)
            if came_up == {"store", "central"}:
                log.info("self-test passed")
                app.exit(0)

        def failed(_title: str, text: str) -> None:
            log.error("self-test failed: %s", text)
            app.exit(2)

        def central_failed(exc: object) -> None:
            log.error("self-test failed: %s", exc.message_en if isinstance(exc, TellerError) else exc)
            app.exit(2)

        def central_ready(endpoint: Endpoint) -> None:  # does the service answer (and is its certificate trusted)?
            window.context.workers.submit(lambda _cancel: _health(endpoint), lambda _health: up("central"), central_failed)

        window.store_ready.connect(lambda _store: up("store"))
        window.central_ready.connect(central_ready)
        window.context.errors.shown.connect(failed)
        window.central_failed.connect(central_failed)
    window.show()
    log.info("main window shown (training=%s, language=%s)", training, language())
    code = int(app.exec())
    window.close()  # signs out, stops the training service, waits for running jobs and closes the store (once)
    return code
