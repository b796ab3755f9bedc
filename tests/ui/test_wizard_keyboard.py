"""Every control of every wizard page can be reached with Tab and has a name a screen reader can say."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from teller_client.flows.signing import Page
from teller_client.store.drafts import DraftRepository
from tests.support.documents import valid_document
from tests.support.ui import WAIT, Opener, sign_in

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QTextEdit)
PAGES = (Page.INTAKE, Page.CUSTOMER, Page.ACCOUNTS, Page.USERS, Page.SERVICES, Page.FEES, Page.REVIEW, Page.SIGN_OFF)


def _controls(page: QWidget) -> list[QWidget]:
    """The page's own controls (not the parts Qt builds into a table: its headers and corner button)."""
    return [
        w
        for w in page.findChildren(QWidget)
        if isinstance(w, CONTROLS)
        and not isinstance(w, QHeaderView)
        and w.objectName() != "qt_tableview_cornerbutton"
        and w.isVisible()
        and w.isEnabled()
    ]


def _by_key(widget: QWidget) -> bool:
    """A control Tab skips is still operable from the keyboard when it has a mnemonic or a shortcut."""
    return isinstance(widget, QAbstractButton) and ("&" in widget.text().replace("&&", "") or not widget.shortcut().isEmpty())


def _tab_chain(window: QWidget, start: QWidget, limit: int = 600) -> set[QWidget]:
    """The widgets Tab visits from ``start`` until it comes round again (the wizard's Next button is in it)."""
    seen: set[QWidget] = set()
    widget = start
    for _ in range(limit):
        seen.add(widget)
        widget = widget.nextInFocusChain()
        while widget is not start and not (widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            widget = widget.nextInFocusChain()
        if widget is start:
            break
    return seen


def _spoken(widget: QWidget) -> str:
    """What a screen reader says: the accessible name, else the text, else the buddy label's text."""
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and widget.text():
        return widget.text()
    for label in widget.window().findChildren(QLabel):
        if label.buddy() is widget and label.text():
            return label.text()
    return ""


def test_each_page_s_controls_are_in_the_tab_chain_and_named(qtbot: QtBot, open_window: Opener, training_service: str) -> None:
    window = open_window(url=training_service)
    sign_in(qtbot, window)
    assert window.store is not None
    drafts = DraftRepository(window.store)
    draft = drafts.create(source="eform", created_by="T0001", verified=True)
    drafts.save(draft, valid_document(), saved_by="T0001")
    window.open_draft(draft)
    qtbot.waitUntil(lambda: window.wizard.session is not None, timeout=WAIT)
    wizard = window.wizard
    session = wizard.session
    assert session is not None
    unnamed: list[str] = []
    unreachable: list[str] = []
    for page in PAGES:
        if session.state.page != page:
            wizard.next()
        assert session.state.page == page, wizard.refusal.text()
        widget = wizard.pages[page]
        QApplication.processEvents()
        controls = _controls(widget)
        assert controls or page == Page.INTAKE, page  # the intake page only says what was read
        chain = _tab_chain(window, wizard.next_button)
        for control in controls:
            where = f"{page.value}: {type(control).__name__} {control.objectName()!r}"
            if control not in chain and not _by_key(control):
                unreachable.append(where)
            if not _spoken(control).strip():
                unnamed.append(where)
    assert not unreachable, unreachable
    assert not unnamed, unnamed
