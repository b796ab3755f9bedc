"""The function tree of one channel as a Qt view of :class:`~teller_client.flows.function_tree.FunctionTree` rows.

The view only shows rows and reports what the teller asked for (:attr:`FunctionTreeView.toggled`); the page
changes the tree and writes the service, then shows the new rows. Showing rows with the same ids as before (a
check changed) updates the items in place; a new search or channel rebuilds them (311 functions of corporate
online banking take a few milliseconds either way, see ``tests/benchmarks/test_services_page_bench.py``).

Keyboard: arrows move and open or close branches, Space checks or unchecks the current row and everything under
it (a partly checked branch becomes all checked), ``*`` opens everything under the current branch. A mouse click
on a box does the same as Space.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from teller_client.flows.function_tree import Check, NodeView
from teller_client.i18n import language, tr

NAME, COUNT, ID = 0, 1, 2
_STATES = {Check.ALL: Qt.CheckState.Checked, Check.SOME: Qt.CheckState.PartiallyChecked, Check.NONE: Qt.CheckState.Unchecked}
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable


class FunctionTreeView(QTreeWidget):
    toggled = Signal(str, bool)
    """The teller checked (``True``) or unchecked a node (menu, group or function id) and everything under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("functionTree")
        self.setColumnCount(3)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAllColumnsShowFocus(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COUNT, QHeaderView.ResizeMode.Fixed)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._rows: dict[str, NodeView] = {}
        self._order: tuple[str, ...] = ()
        self._searching = False
        self._filling = False
        self._language = ""
        self._expanded: set[str] | None = None
        """Branches the teller opened (``None``: not chosen yet, the menus are shown open)."""
        self.itemChanged.connect(self._item_changed)
        self.itemExpanded.connect(lambda item: self._expansion(item, True))
        self.itemCollapsed.connect(lambda item: self._expansion(item, False))
        self._size_columns()
        self.retranslate()

    def retranslate(self) -> None:
        self.setHeaderLabels([tr("Function"), tr("Checked / total"), tr("Function id")])
        self.setAccessibleName(tr("Function tree"))
        self.setAccessibleDescription(tr("Space checks or unchecks the current row and everything under it."))

    def _size_columns(self) -> None:
        metrics = self.fontMetrics()
        self.setColumnWidth(NAME, metrics.horizontalAdvance("M" * 34))
        self.setColumnWidth(COUNT, metrics.horizontalAdvance("888/888") + 3 * metrics.averageCharWidth())

    # -- showing rows ----------------------------------------------------------------------------------------

    def show_rows(self, rows: tuple[NodeView, ...], *, searching: bool) -> None:
        """Show ``rows`` (a search's result keeps every branch open)."""
        order = tuple(r.id for r in rows)
        if order == self._order and searching == self._searching and language() == self._language:
            self._update(rows)
        else:
            self._rebuild(rows, searching)

    def _update(self, rows: tuple[NodeView, ...]) -> None:
        self._filling = True
        try:
            for row in rows:
                item = self._items[row.id]
                state = _STATES[row.check]
                if item.checkState(NAME) != state:
                    item.setCheckState(NAME, state)
                if self._rows[row.id] != row and row.level < 2:
                    item.setText(COUNT, f"{row.checked}/{row.total}")
                self._rows[row.id] = row
        finally:
            self._filling = False

    def _rebuild(self, rows: tuple[NodeView, ...], searching: bool) -> None:
        current = self.current_id()
        zh = language() == "zh"
        self._filling = True
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            self._items = {}
            top: list[QTreeWidgetItem] = []
            parents: list[QTreeWidgetItem] = []
            for row in rows:
                item = QTreeWidgetItem()
                item.setFlags(_FLAGS)
                item.setText(NAME, row.zh if zh else row.en)
                item.setToolTip(NAME, row.en if zh else row.zh)
                item.setCheckState(NAME, _STATES[row.check])
                item.setData(NAME, Qt.ItemDataRole.UserRole, row.id)
                if row.level < 2:
                    item.setText(COUNT, f"{row.checked}/{row.total}")
                    item.setTextAlignment(COUNT, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setText(ID, row.id)
                self._items[row.id] = item
                if row.level == 0:
                    top.append(item)
                    parents = [item]
                else:
                    parents[row.level - 1].addChild(item)
                    parents = [*parents[: row.level], item]
            self.addTopLevelItems(top)
            if searching:
                self.expandAll()
            else:
                opened = self._expanded if self._expanded is not None else {r.id for r in rows if r.level == 0}
                for node in opened:
                    if node in self._items:
                        self._items[node].setExpanded(True)
            self._rows = {r.id: r for r in rows}
            self._order = tuple(r.id for r in rows)
            self._searching = searching
            self._language = language()
            chosen = self._items.get(current or "") or (top[0] if top else None)
            if chosen is not None:
                self.setCurrentItem(chosen)
        finally:
            self.setUpdatesEnabled(True)
            self._filling = False

    # -- what the teller does ----------------------------------------------------------------------------------

    def current_id(self) -> str | None:
        item = self.currentItem()
        return str(item.data(NAME, Qt.ItemDataRole.UserRole)) if item is not None else None

    def item(self, node_id: str) -> QTreeWidgetItem | None:
        return self._items.get(node_id)

    def row(self, node_id: str) -> NodeView | None:
        return self._rows.get(node_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select) and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            node = self.current_id()
            row = self._rows.get(node or "")
            if row is not None:
                self.toggled.emit(row.id, row.check is not Check.ALL)
            event.accept()
            return
        super().keyPressEvent(event)

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != NAME:
            return
        row = self._rows.get(str(item.data(NAME, Qt.ItemDataRole.UserRole)))
        if row is None:
            return
        wanted = item.checkState(NAME) == Qt.CheckState.Checked
        if (wanted and row.check is not Check.ALL) or (not wanted and row.check is not Check.NONE):
            self.toggled.emit(row.id, wanted)

    def _expansion(self, item: QTreeWidgetItem, opened: bool) -> None:
        if self._filling or self._searching:
            return
        if self._expanded is None:
            self._expanded = {node for node, it in self._items.items() if it.isExpanded()}
        node = str(item.data(NAME, Qt.ItemDataRole.UserRole))
        if opened:
            self._expanded.add(node)
        else:
            self._expanded.discard(node)
