"""Scanning at the counter: wedge-scanner bursts typed into the main window, the status area, licence lookups.

Key presses are sent to the window's ``QWindow`` (as the platform delivers a
scanner's keys), so they pass the application's event filter exactly as in
production. The forms are the shipped training samples, read against the
training central service over real HTTP.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from teller_client.i18n import set_language
from teller_client.resources import resource_path
from teller_client.store.database import STORE_FILE, open_store
from teller_client.store.drafts import DraftRepository
from teller_client.store.settings import SettingsRepository
from teller_client.training.seed import training_uscc
from teller_client.ui.main_window import MainWindow
from tests.support.ui import WAIT, Opener, sign_in

SAMPLES = resource_path("samples")


@pytest.fixture(autouse=True)
def _chinese_by_default() -> None:
    set_language("zh")


def sample_parts(name: str) -> list[str]:
    return [line for line in (SAMPLES / f"{name}.txt").read_text(encoding="ascii").splitlines() if line]


def key(window: QWindow, key: int, text: str = "", modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press and release one key on the window, as the platform delivers it.

    Not ``QTest.keyClick``: with PySide6 6.12 on Python 3.11 every QTest key call drops a reference to
    ``None``, and the thousands of key presses of a form take ``None``'s count to zero (a crash at exit).
    """
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(window, QKeyEvent(kind, key, modifiers, text))


def type_text(window: QWindow, text: str) -> None:
    for ch in text:
        key(window, ord(ch.upper()), ch)


def scanner_types(window: QWindow, text: str, *, enter: bool = True, shift: bool = False) -> None:
    """What a wedge scanner does: every character as a key press, as fast as the event loop takes them, then Enter.

    With ``shift`` it presses and releases Shift around each capital letter, as US-layout scanners do.
    """
    for ch in text:
        if shift and ch.isupper():
            QApplication.sendEvent(window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier))
            key(window, ord(ch), ch, Qt.KeyboardModifier.ShiftModifier)
            QApplication.sendEvent(window, QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier))
        else:
            type_text(window, ch)
    if enter:
        key(window, Qt.Key.Key_Return, "\r")


def signed_in_window(qtbot: QtBot, open_window: Opener, url: str) -> tuple[MainWindow, QWindow, QLineEdit]:
    window = open_window(url=url)
    sign_in(qtbot, window)
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    field = window.start_page.lookup.field
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=WAIT)
    handle = window.windowHandle()
    assert handle is not None
    return window, handle, field


def test_a_multi_part_form_typed_by_a_wedge_scanner_is_assembled_and_the_focused_field_is_untouched(
    qtbot: QtBot, open_window: Opener, training_service: str, tmp_path: Path
) -> None:
    window, handle, field = signed_in_window(qtbot, open_window, training_service)
    field.setText("abc")
    parts = sample_parts("eform-large-group")
    assert len(parts) > 2
    order = list(range(len(parts)))
    random.Random(5).shuffle(order)
    panel = window.scan_panel
    assert panel.isVisible()

    for n, i in enumerate(order[:-1], start=1):
        scanner_types(handle, parts[i])
        assert panel.progress.value() == n and panel.progress.maximum() == len(parts)
        assert f"{n}/{len(parts)}" in panel.status_text or f"已读取 {n}/{len(parts)}" in panel.status_text
        assert str(order[-1] + 1) in panel.missing.text()
    scanner_types(handle, parts[order[0]])  # the same part again: harmless
    assert "已读取过" in panel.status_text
    with qtbot.waitSignal(window.scanning.form_saved, timeout=WAIT) as saved:
        scanner_types(handle, parts[order[-1]])
    assert field.text() == "abc"
    assert QApplication.focusWidget() is field
    assert "厦门" in panel.status_text and "签名已验证" in panel.status_text and "已保存为新草稿" in panel.status_text
    store = window.store
    assert store is not None
    drafts = DraftRepository(store).open_drafts("T0001")
    assert [d.id for d in drafts] == [saved.args[0].draft_id]
    assert drafts[0].source == "eform" and drafts[0].form_id == parts[0].split(":")[1]
    qtbot.waitUntil(lambda: window.start_page.table.rowCount() == 1, timeout=WAIT)

    # the same form scanned again is the same draft
    with qtbot.waitSignal(window.scanning.form_saved, timeout=WAIT) as again:
        for part in parts:
            scanner_types(handle, part)
    assert again.args[0].draft_id == saved.args[0].draft_id and not again.args[0].new
    assert len(DraftRepository(store).open_drafts("T0001")) == 1


def test_a_bad_part_is_refused_with_a_message_and_the_parts_read_are_kept(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, handle, field = signed_in_window(qtbot, open_window, training_service)
    large, small = sample_parts("eform-large-group"), sample_parts("eform-small")
    scanner_types(handle, large[0])
    scanner_types(handle, large[1])
    panel = window.scanning.panel

    with qtbot.waitSignal(window.scanning.scan_refused, timeout=WAIT) as refused:
        scanner_types(handle, small[0])  # another form while this one is incomplete
    assert refused.args[0].code == "other_form"
    assert "尚未扫完" in panel.status_text
    assert panel.progress.value() == 2

    damaged = large[2][:-1] + ("A" if large[2][-1] != "A" else "B")
    with qtbot.waitSignal(window.scanning.scan_refused, timeout=WAIT) as refused:
        scanner_types(handle, damaged)
    assert refused.args[0].code == "crc_mismatch"
    assert panel.progress.value() == 2
    assert field.text() == ""

    window.scan_reset_action.trigger()
    assert panel.progress.isHidden() and "就绪" in panel.status_text


def test_caps_lock_lower_case_scans_are_read(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, handle, field = signed_in_window(qtbot, open_window, training_service)
    with qtbot.waitSignal(window.scanning.form_saved, timeout=WAIT):
        for part in sample_parts("eform-small"):
            scanner_types(handle, part.lower())
    assert field.text() == ""


def test_scanners_that_press_shift_for_capitals_are_read(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, handle, field = signed_in_window(qtbot, open_window, training_service)
    with qtbot.waitSignal(window.scanning.form_saved, timeout=WAIT):
        for part in sample_parts("eform-small"):
            scanner_types(handle, part, shift=True)
    assert field.text() == ""
    scanner_types(handle, "Q", enter=False, shift=True)
    qtbot.waitUntil(lambda: field.text() == "Q", timeout=WAIT)


def test_typing_by_hand_reaches_the_field_even_when_it_starts_like_a_scan(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, handle, field = signed_in_window(qtbot, open_window, training_service)
    for ch in "EF":  # a person: far slower than a scanner
        type_text(handle, ch)
        QTest.qWait(150)
    type_text(handle, "X")
    qtbot.waitUntil(lambda: field.text() == "EFX", timeout=WAIT)
    scanner_types(handle, "EFG", enter=False)  # fast, but not the prefix: released in order
    qtbot.waitUntil(lambda: field.text() == "EFXEFG", timeout=WAIT)
    assert window.scanning.session.progress.total == 0


def test_a_burst_cut_off_before_its_enter_is_a_misread_and_goes_nowhere(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, handle, field = signed_in_window(qtbot, open_window, training_service)
    with qtbot.waitSignal(window.scanning.scan_refused, timeout=WAIT) as refused:
        scanner_types(handle, sample_parts("eform-small")[0][:30], enter=False)
    assert refused.args[0].code == "scan_incomplete"
    assert field.text() == ""
    type_text(handle, "Z")
    qtbot.waitUntil(lambda: field.text() == "Z", timeout=WAIT)


def test_scans_are_ignored_when_nobody_is_signed_in(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    window.login_page.user_id.setFocus()
    handle = window.windowHandle()
    assert handle is not None
    scanner_types(handle, sample_parts("eform-small")[0])
    assert window.login_page.user_id.text() == ""
    assert window.scanning.session.progress.total == 0
    assert "请先登录" in window.statusBar().currentMessage()


def test_a_business_licence_qr_code_fills_the_uscc_and_finds_the_customer(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, _handle, field = signed_in_window(qtbot, open_window, training_service)
    uscc = training_uscc("70543217")
    lookup = window.start_page.lookup
    qtbot.keyClicks(field, f"http://www.gsxt.gov.cn/index.html?uniscid={uscc.lower()}&type=1")
    with qtbot.waitSignal(window.scanning.customer_found, timeout=WAIT) as found:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert found.args[0]["uscc"] == uscc
    assert field.text() == uscc
    assert uscc in lookup.result_text and "协议" in lookup.result_text


def test_a_licence_scanned_from_the_serial_scanner_looks_the_customer_up(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, _handle, _field = signed_in_window(qtbot, open_window, training_service)
    uscc = training_uscc("70543217")
    with qtbot.waitSignal(window.scanning.customer_found, timeout=WAIT):
        window.scanning.serial_text.emit(f"https://www.gsxt.gov.cn/corp?creditCode={uscc}")
    assert window.start_page.lookup.field.text() == uscc


def test_an_unknown_customer_and_a_wrong_code_are_told_apart(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, _handle, field = signed_in_window(qtbot, open_window, training_service)
    lookup = window.start_page.lookup
    qtbot.keyClicks(field, "91350200M000100Y48")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "尚未签约" in lookup.result_text, timeout=WAIT)
    field.clear()
    qtbot.keyClicks(field, "91350200M000100Y47")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lookup.status.error_shown() != "", timeout=WAIT)
    assert "校验" in lookup.status.error_shown()


def test_ctrl_f_goes_to_the_customer_search(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window, _handle, field = signed_in_window(qtbot, open_window, training_service)
    window.start_page.table.setFocus()
    assert window.find_customer_action.shortcut().toString() == "Ctrl+F"
    window.find_customer_action.trigger()
    assert QApplication.focusWidget() is field


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (Linux) to stand in for the COM port")
def test_a_configured_serial_scanner_on_a_real_tty_feeds_the_window(
    qtbot: QtBot, open_window: Opener, training_service: str, tmp_path: Path
) -> None:
    master, slave = os.openpty()
    try:
        store = open_store(tmp_path / STORE_FILE)
        SettingsRepository(store).set("scanner.serial_port", os.ttyname(slave))
        SettingsRepository(store).set("scanner.serial_baud", 9600)
        store.close()
        window, _handle, field = signed_in_window(qtbot, open_window, training_service)
        qtbot.waitUntil(lambda: "已连接" in window.scanner_status.text(), timeout=WAIT)
        assert os.ttyname(slave) in window.scanner_status.text()

        parts = sample_parts("eform-small")
        with qtbot.waitSignal(window.scanning.form_saved, timeout=WAIT):
            for part in reversed(parts):
                os.write(master, b"\x02" + part.encode("ascii") + b"\r\n")
        assert field.text() == ""
        uscc = training_uscc("70543217")
        with qtbot.waitSignal(window.scanning.customer_found, timeout=WAIT):
            os.write(master, f"http://www.gsxt.gov.cn/?uniscid={uscc}\r".encode("ascii"))
        window.close()
    finally:
        os.close(master)
        os.close(slave)


def test_a_serial_port_that_does_not_exist_is_reported_in_the_tellers_words(
    qtbot: QtBot, open_window: Opener, training_service: str, tmp_path: Path
) -> None:
    store = open_store(tmp_path / STORE_FILE)
    SettingsRepository(store).set("scanner.serial_port", str(tmp_path / "no-such-port"))
    store.close()
    window = open_window(url=training_service)
    qtbot.waitUntil(lambda: bool(window.message_boxes), timeout=WAIT)  # type: ignore[attr-defined]
    _title, text = window.message_boxes[0]  # type: ignore[attr-defined]
    assert "本机没有端口" in text and "no-such-port" in text
    assert not window.scanner_status.isVisible()


def test_scan_from_image_reads_the_sample_pdf_into_a_draft_off_the_gui_thread(
    qtbot: QtBot, open_window: Opener, training_service: str
) -> None:
    window, _handle, field = signed_in_window(qtbot, open_window, training_service)
    assert window.scan_image_action.shortcut().toString() == "Ctrl+O"
    with qtbot.waitSignal(window.scanning.form_saved, timeout=WAIT) as saved:
        window.scanning.scan_image(SAMPLES / "eform-large-group.pdf")
        assert "正在从 eform-large-group.pdf 识别条码" in window.scan_panel.status_text  # shown at once; the work is on a worker
        assert window.scan_panel.cancel_button.isVisibleTo(window.scan_panel)
    assert saved.args[0].title == "厦门示例贸易有限公司"
    assert field.text() == ""


def test_a_file_without_barcodes_is_refused_in_the_scan_area(
    qtbot: QtBot, open_window: Opener, training_service: str, tmp_path: Path
) -> None:
    window, _handle, _field = signed_in_window(qtbot, open_window, training_service)
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (800, 600), 255).save(blank)
    with qtbot.waitSignal(window.scanning.scan_refused, timeout=WAIT) as refused:
        window.scanning.scan_image(blank)
    assert refused.args[0].code == "no_barcode"
    assert "blank.png" in window.scan_panel.status_text
