"""Signing in, locking and signing out, against the training central service over real HTTP.

Most tests share one training service per module (``training_service`` from
``tests/support/central.py``) and build the window in training mode pointed
at it; the tests of the embedded service let the window start its own.
Only ASCII is typed (test-rig.md: ``keyClicks`` with Chinese aborts).
"""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from teller_client.i18n import set_language
from teller_client.store.database import STORE_FILE, open_store
from teller_client.store.drafts import DraftRepository
from teller_client.store.settings import SettingsRepository
from teller_client.ui.central import idle_lock_ms
from teller_client.ui.main_window import MainWindow
from teller_client.ui.watermark import WatermarkOverlay
from tests.support.central import BUSINESS_DATE, TRAINING_PASSWORD
from tests.support.documents import valid_document
from tests.support.ui import WAIT, Opener, sign_in, type_credentials


@pytest.fixture(autouse=True)
def _chinese_by_default() -> None:
    set_language("zh")


def call_with_token(base_url: str, token: str) -> int:
    """The status of an authenticated call made with ``token`` (only tests ever hold a token's value)."""
    return requests.get(f"{base_url}/api/v1/catalogue", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code


def current_token(window: MainWindow) -> str:
    assert window.session is not None
    token = window.session.client.token()
    assert token is not None
    return token.reveal()


# --- the login page --------------------------------------------------------------------------


def test_the_window_opens_on_the_login_page(open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    page = window.login_page
    assert window.pages.currentWidget() is page
    assert page.password.echoMode() == QLineEdit.EchoMode.Password
    assert page.workstation.text() and page.workstation.text() == page.workstation.text().upper()
    assert training_service in page.service.text()
    assert page.form.isEnabled() and not page.status.busy
    assert page.user_label.buddy() is page.user_id and "&" in page.user_label.text()
    assert page.password_label.buddy() is page.password and "&" in page.password_label.text()
    assert page.sign_in_button.isDefault() and "&" in page.sign_in_button.text()
    assert window.teller_status.text() == "柜员：未登录"
    assert not window.lock_action.isEnabled() and not window.sign_out_action.isEnabled()


def test_wrong_password_is_shown_inline_in_chinese_and_the_password_is_cleared(
    qtbot: QtBot, open_window: Opener, training_service: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    window = open_window(url=training_service)
    page = window.login_page
    type_credentials(qtbot, window, "T0001", "Wr0ngPassXYZ")
    qtbot.waitUntil(lambda: page.status.error_shown() != "", timeout=WAIT)
    assert page.status.error_shown() == "柜员号或密码不正确。"
    assert page.status.error.isVisible()
    assert window.pages.currentWidget() is page and window.session is None
    assert page.password.text() == "" and page.user_id.text() == "T0001"
    assert QApplication.focusWidget() is page.password
    assert page.form.isEnabled()
    assert window.message_boxes == []  # type: ignore[attr-defined]  # inline, not a message box
    assert "Wr0ngPassXYZ" not in caplog.text

    window.english_action.trigger()  # the message follows the teller's language
    assert page.status.error_shown() == "The user ID or password is not right."


def test_right_password_shows_the_start_page_and_the_teller(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    sign_in(qtbot, window)
    assert window.pages.currentWidget() is window.workspace
    assert window.workspace.currentWidget() is window.start_page
    assert window.teller_status.text().endswith("（T0001）") and window.teller_status.text().startswith("柜员：")
    assert window.date_status.text() == f"营业日期：{BUSINESS_DATE.isoformat()}"
    assert window.login_page.password.text() == "" and window.login_page.user_id.text() == ""
    assert window.lock_action.isEnabled() and window.sign_out_action.isEnabled()
    assert window.session is not None and window.session.client.logged_in


def test_empty_fields_are_named_before_anything_is_sent(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    page = window.login_page
    qtbot.keyClick(page.user_id, Qt.Key.Key_Return)
    assert page.status.error_shown() == "请输入柜员号。"
    qtbot.keyClicks(page.user_id, "T0001")
    qtbot.keyClick(page.user_id, Qt.Key.Key_Return)
    assert page.status.error_shown() == "请输入密码。" and QApplication.focusWidget() is page.password
    assert not page.status.busy


# --- training and production mode -----------------------------------------------------------


def test_training_mode_starts_its_own_service_and_paints_a_watermark_that_takes_no_input(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window(ready=False)
    assert window.login_page.status.notice.text() == "正在启动培训服务…"
    assert not window.login_page.form.isEnabled()
    qtbot.waitUntil(lambda: window.endpoint is not None, timeout=WAIT)
    endpoint = window.endpoint
    assert endpoint is not None and endpoint.embedded
    assert window.training_service is not None and window.training_service.running
    assert "本机培训服务" in window.login_page.service.text() and endpoint.url in window.login_page.service.text()

    overlay = window.watermark
    assert isinstance(overlay, WatermarkOverlay) and overlay.text == "培训 TRAINING"
    assert overlay.isVisible()
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus
    central = window.centralWidget()
    assert overlay.geometry() == central.rect()
    button = window.login_page.sign_in_button
    assert central.childAt(button.mapTo(central, button.rect().center())) is button  # clicks go through to the page
    image = overlay.grab().toImage()
    assert any(image.pixelColor(x, y).alpha() > 0 for x in range(0, image.width(), 7) for y in range(0, image.height(), 7))

    sign_in(qtbot, window)  # the embedded service answers
    assert overlay.isVisible() and overlay.geometry() == central.rect()  # over the start page too
    url = endpoint.url
    window.close()
    assert not window.training_service.running
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/api/v1/health", timeout=5)


def test_production_mode_with_a_url_has_no_watermark_and_no_training_service(
    qtbot: QtBot, open_window: Opener, training_service: str
) -> None:
    window = open_window(training=False, url=training_service)
    assert window.watermark is None and window.findChildren(WatermarkOverlay) == []
    assert not window.banner.isVisible()
    assert window.training_service is None
    assert window.login_page.service.text() == training_service
    assert "生产" in window.windowTitle()
    sign_in(qtbot, window)


def test_production_mode_without_a_url_says_branch_it_must_configure_it(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window(training=False, ready=False)
    with qtbot.waitSignal(window.central_failed, timeout=WAIT):
        pass
    page = window.login_page
    assert "中心系统" in page.status.error_shown() and "网点科技人员" in page.status.error_shown()
    assert not page.form.isEnabled() and not page.status.busy
    assert window.pages.currentWidget() is page and window.message_boxes == []  # type: ignore[attr-defined]
    window.english_action.trigger()
    assert "Branch IT must set the central service" in page.status.error_shown()


def test_a_missing_ca_bundle_is_named_on_the_login_page(qtbot: QtBot, open_window: Opener, training_service: str, tmp_path: Path) -> None:
    window = open_window(training=False, url=training_service.replace("http:", "https:"), ca_bundle=tmp_path / "bank-ca.pem", ready=False)
    with qtbot.waitSignal(window.central_failed, timeout=WAIT):
        pass
    assert "bank-ca.pem" in window.login_page.status.error_shown() and "CA" in window.login_page.status.error_shown()


def test_the_workstation_setting_is_shown(open_window: Opener, training_service: str, tmp_path: Path) -> None:
    store = open_store(tmp_path / STORE_FILE)
    SettingsRepository(store).set("workstation.id", "XM-0102-03")
    store.close()
    window = open_window(url=training_service)
    assert window.login_page.workstation.text() == "XM-0102-03"
    assert window.endpoint is not None and window.endpoint.workstation_id == "XM-0102-03"


def test_an_unreachable_service_is_shown_inline_and_the_gui_stays_responsive(qtbot: QtBot, open_window: Opener) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    window = open_window(training=False, url=f"http://127.0.0.1:{port}")
    page = window.login_page
    ticks: list[bool] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(page.status.busy))
    timer.start(20)
    type_credentials(qtbot, window, "T0001", TRAINING_PASSWORD)
    assert page.status.busy and page.status.busy_bar.isVisible() and page.status.notice.text() == "正在登录…"
    assert not page.form.isEnabled() and page.password.text() == ""
    qtbot.waitUntil(lambda: page.status.error_shown() != "", timeout=WAIT)
    timer.stop()
    assert "无法连接中心系统" in page.status.error_shown()
    assert ticks.count(True) >= 3  # the event loop ran while the call was waiting
    assert window.pages.currentWidget() is page and window.session is None
    assert page.form.isEnabled() and QApplication.focusWidget() is page.password
    assert window.message_boxes == []  # type: ignore[attr-defined]


# --- idle lock -------------------------------------------------------------------------------


def _two_drafts(data_dir: Path) -> None:
    store = open_store(data_dir / STORE_FILE)
    drafts = DraftRepository(store)
    for title in ("厦门示例贸易有限公司", "厦门第二贸易有限公司"):
        draft = drafts.create(source="eform", created_by="T0001", form_id="EF1", title=title)
        drafts.save(draft, valid_document(), saved_by="T0001", step="customer")
    store.close()


def test_idle_lock_covers_the_page_and_unlocking_brings_it_back_unchanged(
    qtbot: QtBot, open_window: Opener, training_service: str, tmp_path: Path
) -> None:
    _two_drafts(tmp_path)
    window = open_window(url=training_service, idle_lock_ms=300)
    sign_in(qtbot, window)
    qtbot.waitUntil(lambda: window.start_page.table.rowCount() == 2, timeout=WAIT)
    page_before, table = window.start_page, window.start_page.table
    table.selectRow(1)
    table.setFocus()
    old_token = current_token(window)

    with qtbot.waitSignal(window.lock_changed, timeout=WAIT) as locked:
        pass
    assert locked.args == [True] and window.locked
    assert window.pages.currentWidget() is window.lock_page
    assert not window.workspace.isVisible()  # nothing of the work shows while locked
    assert "T0001" in window.lock_page.who.text()
    assert QApplication.focusWidget() is window.lock_page.password
    assert not window.lock_action.isEnabled()

    qtbot.keyClicks(window.lock_page.password, "Wr0ngPassXYZ")
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.lock_page.status.error_shown() != "", timeout=WAIT)
    assert window.lock_page.status.error_shown() == "柜员号或密码不正确。"
    assert window.locked and window.pages.currentWidget() is window.lock_page
    assert window.lock_page.password.text() == "" and QApplication.focusWidget() is window.lock_page.password

    with qtbot.waitSignal(window.lock_changed, timeout=WAIT) as unlocked:
        qtbot.keyClicks(window.lock_page.password, TRAINING_PASSWORD)
        qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    assert unlocked.args == [False] and not window.locked
    assert window.pages.currentWidget() is window.workspace
    assert window.workspace.currentWidget() is page_before and window.start_page is page_before
    assert table.rowCount() == 2 and table.currentRow() == 1
    assert QApplication.focusWidget() is table
    new_token = current_token(window)
    assert new_token != old_token  # the new token replaced the old one, which no longer works
    assert call_with_token(training_service, new_token) == 200
    assert call_with_token(training_service, old_token) == 401


def test_ctrl_l_locks_at_once_and_only_when_signed_in(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)
    qtbot.keyClick(window.login_page.user_id, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not window.locked and window.pages.currentWidget() is window.login_page
    sign_in(qtbot, window)
    assert window.idle.interval_ms == 10 * 60_000  # the default
    qtbot.keyClick(window.start_page.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and window.pages.currentWidget() is window.lock_page


def test_idle_lock_minutes_setting_is_clamped(qtbot: QtBot, open_window: Opener, training_service: str, tmp_path: Path) -> None:
    store = open_store(tmp_path / STORE_FILE)
    SettingsRepository(store).set("ui.idle_lock_minutes", 30)
    store.close()
    window = open_window(url=training_service)
    assert window.idle.interval_ms == 15 * 60_000


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(None, 10), (5, 5), (0.5, 0.5), (15, 15), (16, 15), (600, 15), (0, 15), (-3, 15), ("ten", 10), (True, 10)],
)
def test_idle_lock_interval_rules(minutes: object, expected: float) -> None:
    assert idle_lock_ms(minutes) == int(expected * 60_000)


# --- signing out and closing ------------------------------------------------------------------


def test_sign_out_returns_to_the_login_page_and_ends_the_token(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    window.activateWindow()
    sign_in(qtbot, window)
    token = current_token(window)
    assert call_with_token(training_service, token) == 200
    with qtbot.waitSignal(window.signed_out, timeout=WAIT):
        qtbot.keyClick(window.start_page.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    page = window.login_page
    assert window.pages.currentWidget() is page and window.session is None
    assert page.user_id.text() == "" and page.password.text() == "" and page.status.error_shown() == ""
    assert page.form.isEnabled() and QApplication.focusWidget() is page.user_id
    assert window.teller_status.text() == "柜员：未登录" and not window.date_status.isVisible()
    assert not window.sign_out_action.isEnabled() and not window.lock_action.isEnabled()
    assert call_with_token(training_service, token) == 401

    sign_in(qtbot, window, "T0002")  # the next teller
    assert "T0002" in window.teller_status.text()


def test_sign_out_from_the_lock_page(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    sign_in(qtbot, window)
    token = current_token(window)
    window.lock()
    assert window.lock_page.sign_out_button.text() == "签退(&O)"
    with qtbot.waitSignal(window.signed_out, timeout=WAIT):
        qtbot.mouseClick(window.lock_page.sign_out_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.login_page and not window.locked
    assert call_with_token(training_service, token) == 401


def test_a_service_gone_away_does_not_keep_the_teller_signed_in(qtbot: QtBot, open_window: Opener) -> None:
    window = open_window()  # the embedded training service, which the test then stops
    sign_in(qtbot, window)
    assert window.session is not None and window.training_service is not None
    secret = window.session.login.token
    window.training_service.stop()
    with qtbot.waitSignal(window.signed_out, timeout=WAIT):
        window.sign_out_action.trigger()
    assert window.session is None and secret.wiped
    assert window.pages.currentWidget() is window.login_page
    assert "本机已签退" in window.login_page.status.error_shown()


def test_closing_while_signed_in_signs_out_quickly(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    sign_in(qtbot, window)
    token = current_token(window)
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 5
    assert call_with_token(training_service, token) == 401


def test_closing_does_not_wait_long_for_a_service_that_stopped_answering(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    sign_in(qtbot, window)
    assert window.session is not None and window.endpoint is not None
    secret = window.session.login.token
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        window.endpoint = replace(window.endpoint, url=f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        window.close()
        assert time.monotonic() - started < 5
    assert secret.wiped


# --- keyboard ----------------------------------------------------------------------------------


def test_session_actions_have_shortcuts_and_mnemonics(open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    assert window.sign_out_action.shortcut().toString() == "Ctrl+Shift+L"
    assert window.lock_action in window.file_menu.actions() and window.sign_out_action in window.file_menu.actions()
    for text in (window.lock_action.text(), window.sign_out_action.text(), window.lock_page.unlock_button.text()):
        assert "&" in text
    assert window.lock_page.password_label.buddy() is window.lock_page.password
    assert window.lock_page.unlock_button.isDefault()
