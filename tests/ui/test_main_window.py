from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from teller_client.errors import StoreError
from teller_client.i18n import set_language
from teller_client.store.database import STORE_FILE, open_store
from teller_client.store.drafts import DraftRepository
from teller_client.store.settings import SettingsRepository
from teller_client.ui.app import build_window
from teller_client.ui.main_window import MainWindow
from tests.support.documents import valid_document


@pytest.fixture(autouse=True)
def _chinese_by_default() -> None:
    set_language("zh")


def _window(qtbot: QtBot, data_dir: Path, **kwargs: object) -> MainWindow:
    window = build_window(True, data_dir, interactive_errors=False, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def test_window_opens_in_chinese_with_training_banner_and_empty_drafts(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.store is not None, timeout=30_000)
    assert "培训" in window.windowTitle()
    assert window.banner.isVisible() and "培训模式" in window.banner.text()
    assert window.start_page.heading.text() == "对公电子渠道一站式签约"
    assert window.start_page.stack.currentWidget() is window.start_page.empty
    assert window.start_page.empty.text() == "暂无未完成的草稿。"
    assert window.store_status.text() == "本地数据库：就绪"
    assert (tmp_path / STORE_FILE).exists()


def test_open_drafts_are_listed_newest_first(qtbot: QtBot, tmp_path: Path) -> None:
    store = open_store(tmp_path / STORE_FILE)
    drafts = DraftRepository(store)
    first = drafts.create(source="eform", created_by="T0001", form_id="EF1", title="厦门示例贸易有限公司")
    drafts.save(first, valid_document(), saved_by="T0001", step="customer")
    second = drafts.create(source="paper", created_by="T0001", title="厦门第二贸易有限公司")
    drafts.save(second, valid_document(), saved_by="T0001", step="accounts")
    store.close()

    window = _window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.start_page.table.rowCount() == 2, timeout=30_000)
    table = window.start_page.table
    assert table.item(0, 0).text() == "厦门第二贸易有限公司"
    assert table.item(0, 1).text() == "纸质表单"
    assert table.item(1, 1).text() == "电子表单"
    assert table.item(1, 2).text() == "录入中"
    assert window.start_page.stack.currentWidget() is table


def test_language_switch_retranslates_and_is_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.store is not None, timeout=30_000)
    window.english_action.trigger()
    assert window.start_page.heading.text() == "One-stop corporate e-channel signing"
    assert window.file_menu.title() == "&File"
    assert "Training" in window.windowTitle()
    store = window.store
    assert store is not None
    qtbot.waitUntil(lambda: SettingsRepository(store).get("ui.language") == "en", timeout=30_000)
    window.close()

    set_language("zh")
    again = _window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: again.start_page.heading.text() == "One-stop corporate e-channel signing", timeout=30_000)
    assert again.english_action.isChecked()


def test_every_menu_action_has_a_keyboard_shortcut(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    for menu in (window.file_menu, window.view_menu, window.help_menu):
        assert "&" in menu.title()  # Alt mnemonic
    session = (window.lock_action, window.sign_out_action)
    for action in (*session, window.quit_action, window.about_action, window.chinese_action, window.english_action):
        assert not action.shortcut().isEmpty(), action.text()


def test_a_store_that_cannot_be_opened_is_reported_not_fatal(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / STORE_FILE).write_bytes(b"this is not an SQLite database" * 100)
    window = _window(qtbot, tmp_path)
    with qtbot.waitSignal(window.context.errors.shown, timeout=30_000) as shown:
        pass
    title, text = shown.args
    assert title == "无法继续"
    assert str(tmp_path) in text
    assert window.store is None
    assert window.store_status.text() == "本地数据库：不可用"


def test_store_error_is_a_teller_error_with_both_languages(tmp_path: Path) -> None:
    (tmp_path / "bad.sqlite").write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreError) as err:
        open_store(tmp_path / "bad.sqlite")
    assert "无法" in err.value.message_zh and "cannot" in err.value.message_en


def _self_test(data_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TELLER_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "teller_client.cli", *(options or ("--training",)), "--self-test"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_the_program_starts_opens_its_store_and_exits_in_self_test(tmp_path: Path) -> None:
    done = _self_test(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "main window shown" in done.stderr and "self-test passed" in done.stderr
    assert (tmp_path / "training" / STORE_FILE).exists()
    assert "Traceback" not in done.stderr and "Error calling Python override" not in done.stderr


def test_self_test_fails_when_the_store_is_broken(tmp_path: Path) -> None:
    (tmp_path / "training").mkdir()
    (tmp_path / "training" / STORE_FILE).write_bytes(b"not a database" * 500)
    done = _self_test(tmp_path)
    assert done.returncode == 2
    assert "self-test failed" in done.stderr


def test_self_test_in_production_needs_a_central_service_that_answers(tmp_path: Path, training_service: str) -> None:
    done = _self_test(tmp_path, "--lang", "en")  # production, no --central-url and no setting: nobody could sign in
    assert done.returncode == 2
    assert "self-test failed: No central service is configured" in done.stderr
    done = _self_test(tmp_path, "--central-url", training_service)
    assert done.returncode == 0, done.stderr
    assert "self-test passed" in done.stderr and "GET /health -> 200" in done.stderr
