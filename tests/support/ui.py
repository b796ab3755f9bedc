"""Opening the main window against the training service and signing in, for the UI tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from teller_client.ui.app import build_window
from teller_client.ui.main_window import MainWindow
from tests.support.central import TRAINING_PASSWORD

WAIT = 30_000
"""Generous upper bound for waits; each test takes about a second."""

Opener = Callable[..., MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, tmp_path: Path) -> Opener:
    """``open_window(url=..., training=..., idle_lock_ms=...)``: a shown window, ready for a sign-in unless ``ready=False``."""

    def make(*, training: bool = True, url: str | None = None, ready: bool = True, **kwargs: object) -> MainWindow:
        window = build_window(training, tmp_path, interactive_errors=False, central_url=url, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        boxes: list[tuple[str, str]] = []
        window.context.errors.shown.connect(lambda title, text: boxes.append((title, text)))
        window.message_boxes = boxes  # type: ignore[attr-defined]
        window.show()
        if ready:
            qtbot.waitUntil(lambda: window.endpoint is not None, timeout=WAIT)
        return window

    return make


def type_credentials(qtbot: QtBot, window: MainWindow, user_id: str, password: str) -> None:
    page = window.login_page
    page.user_id.clear()
    qtbot.keyClicks(page.user_id, user_id)
    qtbot.keyClicks(page.password, password)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)


def sign_in(qtbot: QtBot, window: MainWindow, user_id: str = "T0001", password: str = TRAINING_PASSWORD) -> None:
    with qtbot.waitSignal(window.signed_in, timeout=WAIT):
        type_credentials(qtbot, window, user_id, password)
