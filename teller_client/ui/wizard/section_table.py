"""A list of the document (accounts, users) as a table, with an editor below bound to the selected row.

Shared by the accounts and users pages. The table shows one row per item with the columns the page gives and a
last column with the item's problems (the first one, and how many more); a row with an error is tinted red, one
with only warnings amber, and its tooltip lists every problem. The editor below is a
:class:`~teller_client.ui.wizard.section_form.BoundForm` whose pointers follow the selected row; each field shows
its own problems, and the problems of the row no field shows (the item itself) are listed under the form.

Keyboard (the table is one tab stop; Tab goes on to the buttons and the editor):

* Insert or Ctrl+Shift+A anywhere in the section adds an item, selects it and puts the focus in its first field;
* Delete on the table asks to remove the selected item (an inline question: Enter or Alt+Y removes, Esc keeps);
* Enter on the table goes to the editor's first field; Esc in the editor goes back to the table;
* Up/Down on the table choose the row the editor shows.

Object names (``NAME`` is the page's, e.g. ``account`` or ``user``): ``NAMETable``, ``NAMEAdd``, ``NAMERemove``,
``NAMERemoveConfirm``, ``NAMERemoveCancel``, ``NAMERemoveQuestion``, ``NAMEEditor`` (the group box),
``NAMERowProblems`` (the selected row's problems no field shows), ``NAMEListProblems`` (the list's own, e.g.
"at least one account"), ``NAMEEmpty`` (the hint shown while the list is empty).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teller_client.domain.problems import Problem, Severity
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import tr
from teller_client.ui.wizard.fields import ERROR_COLOUR, WARNING_COLOUR, ProblemLabel, problem_lines
from teller_client.ui.wizard.section_form import BoundForm, plain

ERROR_TINT = "#fbe3e3"
WARNING_TINT = "#fdf0d5"
MIN_VISIBLE_ROWS = 8
"""A long list's table shows at least this many rows (more when the window has room), then scrolls."""


@dataclass(frozen=True)
class Column:
    """One column of the table: its header and the text of an item (a ``dict`` when the document is well formed)."""

    title: Callable[[], str]
    text: Callable[[Any], str]


@dataclass(frozen=True)
class SectionTexts:
    """The words of one section, in the teller's language (asked again on a language switch)."""

    heading: str
    """Above the table, with a mnemonic: the table is its buddy."""
    add: str
    remove: str
    editor: Callable[[int, int], str]
    """The editor's title for item ``index`` (1-based) of ``count``."""
    confirm: Callable[[int, Any], str]
    """The question before removing item ``index`` (1-based)."""
    empty: str


def show_problems(target: QLabel, problems: Sequence[Problem]) -> None:
    """Show ``problems`` in a label (red for errors, amber for warnings); hidden when there are none."""
    text = problem_lines(problems)
    if target.text() == text and target.isHidden() != bool(problems):
        return
    errors = any(p.severity is Severity.ERROR for p in problems)
    target.setText(text)
    target.setStyleSheet(f"color: {ERROR_COLOUR if errors else WARNING_COLOUR};")
    target.setAccessibleName(text)
    target.setVisible(bool(problems))


def summary(problems: Sequence[Problem]) -> str:
    """The first problem, and how many more there are."""
    if not problems:
        return ""
    text = problem_lines(problems[:1])
    if len(problems) > 1:
        text += " " + tr("(+{count} more)").format(count=len(problems) - 1)
    return text


class SectionTable(QWidget):
    """The items of the list at ``list_pointer``: a table, the buttons to add and remove, the selected item's editor."""

    def __init__(
        self,
        list_pointer: str,
        *,
        name: str,
        columns: Sequence[Column],
        form: BoundForm,
        new_item: Callable[[SigningSession], dict[str, Any]],
        on_change: Callable[[], None],
        texts: Callable[[], SectionTexts],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.list_pointer = list_pointer
        self.name = name
        self.columns = list(columns)
        self.form = form
        self.new_item = new_item
        self.on_change = on_change
        self.texts = texts
        self.session: SigningSession | None = None
        self.current = -1
        self._updating = False

        self.heading = QLabel()
        self.heading.setObjectName(f"{name}Heading")
        self.heading.setStyleSheet("font-weight: 600;")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        self.list_problems = ProblemLabel(list_pointer, exact=True)
        self.list_problems.setObjectName(f"{name}ListProblems")

        self.table = QTableWidget(0, len(self.columns) + 1)
        self.table.setObjectName(f"{name}Table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(False)
        self.table.setStyleSheet("QTableWidget::item { padding: 2px 6px; } QHeaderView::section { padding: 2px 6px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentCellChanged.connect(self._current_changed)
        self.table.installEventFilter(self)
        self.heading.setBuddy(self.table)
        self.empty = QLabel()
        self.empty.setObjectName(f"{name}Empty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #555; padding: 0.5em;")
        self.empty.setVisible(False)

        self.add_button = QPushButton()
        self.add_button.setObjectName(f"{name}Add")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton()
        self.remove_button.setObjectName(f"{name}Remove")
        self.remove_button.clicked.connect(self.ask_remove)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        self.confirm_bar = QFrame()
        self.confirm_bar.setObjectName(f"{name}RemoveBar")
        self.confirm_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.confirm_bar.setStyleSheet(f"QFrame#{name}RemoveBar {{ border: 1px solid {ERROR_COLOUR}; border-radius: 3px; }}")
        self.question = QLabel()
        self.question.setObjectName(f"{name}RemoveQuestion")
        self.question.setWordWrap(True)
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName(f"{name}RemoveConfirm")
        self.confirm_button.setAutoDefault(True)
        self.confirm_button.clicked.connect(self.remove_selected)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName(f"{name}RemoveCancel")
        self.cancel_button.setAutoDefault(True)
        self.cancel_button.clicked.connect(self.cancel_remove)
        bar = QHBoxLayout(self.confirm_bar)
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(self.question, 1)
        bar.addWidget(self.confirm_button)
        bar.addWidget(self.cancel_button)
        self.confirm_bar.setVisible(False)

        self.editor = QGroupBox()
        self.editor.setObjectName(f"{name}Editor")
        self.row_problems = ProblemLabel("", exact=True)
        self.row_problems.setObjectName(f"{name}RowProblems")
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.addWidget(form)
        editor_layout.addWidget(self.row_problems)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.list_problems)
        layout.addWidget(self.table, 100)  # a long list takes the room the window has; the rest stays below the editor
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(self.confirm_bar)
        layout.addWidget(self.editor)
        layout.addStretch(1)

        QWidget.setTabOrder(self.table, self.add_button)
        QWidget.setTabOrder(self.add_button, self.remove_button)
        QWidget.setTabOrder(self.remove_button, self.confirm_button)
        QWidget.setTabOrder(self.confirm_button, self.cancel_button)
        first = form.first()
        if first is not None:
            QWidget.setTabOrder(self.cancel_button, first)
        self.retranslate()

    # -- the items ------------------------------------------------------------------------------------------------

    def items(self) -> list[Any]:
        value = self.session.get(self.list_pointer) if self.session is not None else None
        return value if isinstance(value, list) else []

    def item_pointer(self, index: int) -> str:
        return f"{self.list_pointer}/{index}"

    def show_from(self, session: SigningSession | None) -> None:
        """Show the list's items and problems, the selected one in the editor."""
        self.session = session
        items = self.items()
        self._updating = True
        try:
            self.table.setRowCount(len(items))
            for row, item in enumerate(items):
                problems = session.problems_at(self.item_pointer(row)) if session is not None else ()
                self._show_row(row, item, problems)
            if not items:
                self.current = -1
            elif not 0 <= self.current < len(items):
                self.current = min(max(self.current, 0), len(items) - 1)
            if self.current >= 0 and self.table.currentRow() != self.current:
                self.table.setCurrentCell(self.current, 0)
        finally:
            self._updating = False
        self.list_problems.show_from(session)
        self._fit_height(len(items))
        if self.table.isHidden() == bool(items):
            self.table.setVisible(bool(items))
            self.empty.setVisible(not items)
            self.remove_button.setEnabled(bool(items))
        if self.confirm_bar.isVisible() and not 0 <= self.current < len(items):
            self.confirm_bar.setVisible(False)
        self._show_editor()

    def _fit_height(self, count: int) -> None:
        """As tall as its rows (at least a few), and never less than :data:`MIN_VISIBLE_ROWS` rows when it scrolls."""
        row = self.table.rowHeight(0) if count else self.table.verticalHeader().defaultSectionSize()
        chrome = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        scrollbar = self.table.horizontalScrollBar()
        if scrollbar.isVisible():
            chrome += scrollbar.sizeHint().height()
        lowest = chrome + row * max(3, min(count, MIN_VISIBLE_ROWS))
        highest = chrome + row * max(3, count)
        if (self.table.minimumHeight(), self.table.maximumHeight()) != (lowest, highest):
            self.table.setMinimumHeight(lowest)
            self.table.setMaximumHeight(highest)

    def _show_row(self, row: int, item: Any, problems: Sequence[Problem]) -> None:
        texts = [column.text(item) for column in self.columns] + [summary(problems)]
        tooltip = problem_lines(problems)
        errors = any(p.severity is Severity.ERROR for p in problems)
        tint = QBrush(QColor(ERROR_TINT if errors else WARNING_TINT)) if problems else QBrush()
        ink = QBrush(QColor(ERROR_COLOUR if errors else WARNING_COLOUR))
        # Only what changed is set: a keystroke re-shows every row (and PySide6 6.12 on Python 3.11 drops a reference to
        # None on every call of a Qt method that returns nothing).
        for column, text in enumerate(texts):
            cell = self.table.item(row, column)
            if cell is None:
                cell = QTableWidgetItem()
                cell.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, cell)
            if cell.text() != text:
                cell.setText(text)
            if cell.toolTip() != tooltip:
                cell.setToolTip(tooltip)
            if cell.background() != tint:
                cell.setBackground(tint)
            if column == len(self.columns) and cell.foreground() != ink:
                cell.setForeground(ink)

    def _show_editor(self) -> None:
        session = self.session
        items = self.items()
        index = self.current
        self.editor.setVisible(0 <= index < len(items))
        if not 0 <= index < len(items):
            self.form.rebind(self.item_pointer(0))
            return
        title = self.texts().editor(index + 1, len(items))
        if self.editor.title() != title:
            self.editor.setTitle(title)
        self.form.rebind(self.item_pointer(index))
        if self.form.isEnabled() != isinstance(items[index], dict):
            self.form.setEnabled(isinstance(items[index], dict))
        self.form.show_from(session)
        self.row_problems.pointer = self.item_pointer(index)
        others = [p for p in (session.problems_at(self.item_pointer(index)) if session else ()) if not self.form.covers(p.pointer)]
        show_problems(self.row_problems, others)

    def _current_changed(self, row: int, _column: int, _previous_row: int, _previous_column: int) -> None:
        if self._updating or row < 0:
            return
        self.current = row
        self.confirm_bar.setVisible(False)
        self._show_editor()

    def select(self, index: int) -> None:
        """Show item ``index`` in the editor (and select its row)."""
        self.current = index
        self.show_from(self.session)

    # -- adding and removing --------------------------------------------------------------------------------------

    def add(self) -> None:
        """Append a new item, select it and put the focus in its first field."""
        session = self.session
        if session is None:
            return
        self.confirm_bar.setVisible(False)
        self.current = session.append(self.list_pointer, self.new_item(session))
        self.on_change()
        first = self.form.first()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def ask_remove(self) -> None:
        """Ask, in a bar under the table, whether the selected item goes."""
        items = self.items()
        if not 0 <= self.current < len(items):
            return
        self.question.setText(self.texts().confirm(self.current + 1, items[self.current]))
        self.question.setAccessibleName(self.question.text())
        self.confirm_bar.setVisible(True)
        self.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def cancel_remove(self) -> None:
        self.confirm_bar.setVisible(False)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_selected(self) -> None:
        session = self.session
        items = self.items()
        self.confirm_bar.setVisible(False)
        if session is None or not 0 <= self.current < len(items):
            return
        index, count = self.current, len(items)
        session.remove(self.item_pointer(index))
        self.current = min(index, count - 2)  # the one after it, or the one before the last
        self.on_change()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- keyboard -------------------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Delete and not _modified(event):
                self.ask_remove()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not _modified(event):
                first = self.form.first()
                if first is not None and self.editor.isVisible():
                    first.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys the focused control did not use come here (they bubble up from the editor's fields)."""
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        control_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if (key == Qt.Key.Key_Insert and not _modified(event)) or (key == Qt.Key.Key_A and mods == control_shift):
            self.add()
            event.accept()
        elif key == Qt.Key.Key_Escape and not _modified(event):
            if self.confirm_bar.isVisible():
                self.cancel_remove()
            else:
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            event.accept()
        else:
            super().keyPressEvent(event)

    # -- language -------------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        texts = self.texts()
        self.heading.setText(texts.heading)
        self.hint.setText(
            tr("Insert or Ctrl+Shift+A adds a row, Delete removes the selected one, Enter edits it and Esc goes back to the table.")
        )
        self.add_button.setText(texts.add)
        self.remove_button.setText(texts.remove)
        self.confirm_button.setText(tr("&Yes, remove"))
        self.cancel_button.setText(tr("Keep (Esc)"))
        self.empty.setText(texts.empty)
        self.table.setAccessibleName(plain(texts.heading))
        self.table.setHorizontalHeaderLabels([column.title() for column in self.columns] + [tr("Problems")])
        self.table.horizontalHeader().setSectionResizeMode(len(self.columns), QHeaderView.ResizeMode.Stretch)
        self.form.retranslate()
        self.show_from(self.session)


def _modified(event: QKeyEvent) -> bool:
    """Whether Ctrl, Alt, Shift or Meta is held (the keypad flag does not count)."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return mods != Qt.KeyboardModifier.NoModifier
