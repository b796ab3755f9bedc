"""The services page: the e-channels the company signs onto, and per channel a bundle or a custom set of functions.

The list on the left holds the application's channels (``/services/<i>``); the right side edits the one chosen:
its standard or advanced bundle, or a custom selection in the full function tree of the channel (built on the
Qt-free :class:`~teller_client.flows.function_tree.FunctionTree`). Checking or unchecking anything in a bundle's
tree makes the selection custom (the mode box follows); choosing "custom" keeps the functions checked so far.
Every change writes the channel's service entry (``channel``, ``mode``, ``bundle``, ``functions``) through the
session.

Controls (object names) in tab order:

* ``channelList`` - the channels of the application (Alt+C); ``removeChannel`` (Alt+R) removes the chosen one;
* ``channelToAdd`` (Alt+D) - a channel not signed yet; ``addChannel`` (Alt+T) adds it with its standard bundle;
* ``serviceMode`` (Alt+M) - the channel's bundles and "custom", with the annual fee of each;
  ``bundleDescription`` says what the choice contains;
* ``functionSearch`` (Alt+S) - Chinese or English name, or function id; keeps the branches above each match;
  Down or Enter moves into the tree; ``functionCount`` - checked of available functions;
* ``functionTree`` (Alt+U) - menus, groups, functions with tri-state boxes and "checked/total" per branch;
  Space checks or unchecks the current row and everything under it (see :mod:`.services_tree`);
* ``servicesProblems`` (the list as a whole) and ``serviceProblems`` (the chosen channel) - the rule messages.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from teller_client.domain.model import Channel, Service, ServiceMode
from teller_client.domain.problems import Severity
from teller_client.flows.function_tree import FunctionTree
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language, tr
from teller_client.ui.wizard.fields import ProblemLabel
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.wizard.services_text import channel_of, entry_key, entry_of, money, service_of, summarise, zh_or_en
from teller_client.ui.wizard.services_tree import FunctionTreeView

CUSTOM = ""
"""The mode box's data for "custom" (a bundle's id otherwise)."""


class ServicesPage(WizardPage):
    page = Page.SERVICES

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._index = 0
        self._tree: FunctionTree | None = None
        self._tree_key: tuple[Any, ...] | None = None
        self._mode_for: tuple[Any, ...] | None = None
        self._add_for: tuple[Any, ...] | None = None

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("color: #555;")

        self.list_label = QLabel()
        self.channel_list = QListWidget()
        self.channel_list.setObjectName("channelList")
        self.channel_list.setWordWrap(True)
        self.channel_list.setSpacing(2)
        self.channel_list.currentRowChanged.connect(self._chosen)
        self.list_label.setBuddy(self.channel_list)
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("removeChannel")
        self.remove_button.clicked.connect(self._remove)
        self.add_label = QLabel()
        self.add_combo = QComboBox()
        self.add_combo.setObjectName("channelToAdd")
        self.add_label.setBuddy(self.add_combo)
        self.add_button = QPushButton()
        self.add_button.setObjectName("addChannel")
        self.add_button.clicked.connect(self._add)
        self.list_problems = ProblemLabel("/services")
        self.list_problems.setObjectName("servicesProblems")

        left = QVBoxLayout()
        left.addWidget(self.list_label)
        left.addWidget(self.channel_list, 1)
        left.addWidget(self.remove_button)
        left.addSpacing(8)
        left.addWidget(self.add_label)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_combo, 1)
        add_row.addWidget(self.add_button)
        left.addLayout(add_row)
        left.addWidget(self.list_problems)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setMaximumWidth(self.fontMetrics().averageCharWidth() * 48)
        left.setContentsMargins(0, 0, 0, 0)

        self.mode_label = QLabel()
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("serviceMode")
        self.mode_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mode_combo.activated.connect(self._mode_chosen)
        self.mode_label.setBuddy(self.mode_combo)
        self.description = QLabel()
        self.description.setObjectName("bundleDescription")
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: #444;")
        self.search_label = QLabel()
        self.search = QLineEdit()
        self.search.setObjectName("functionSearch")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._show_tree())
        self.search.returnPressed.connect(self._into_tree)
        self.search.installEventFilter(self)
        self.search_label.setBuddy(self.search)
        self.count = QLabel()
        self.count.setObjectName("functionCount")
        self.tree_label = QLabel()
        self.tree_view = FunctionTreeView()
        self.tree_view.toggled.connect(self._toggled)
        self.tree_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.tree_view.setMinimumHeight(self.fontMetrics().height() * 16)
        self.tree_label.setBuddy(self.tree_view)
        self.service_problems = ProblemLabel("/services/0", exact=False)
        self.service_problems.setObjectName("serviceProblems")

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_label)
        mode_row.addWidget(self.mode_combo)
        mode_row.addStretch(1)
        right.addLayout(mode_row)
        right.addWidget(self.description)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_label)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count)
        right.addLayout(search_row)
        right.addWidget(self.tree_label)
        right.addWidget(self.tree_view, 1)
        right.addWidget(self.service_problems)
        self.editor = QWidget()
        self.editor.setLayout(right)

        columns = QHBoxLayout()
        columns.addWidget(left_box, 2)
        columns.addWidget(self.editor, 5)
        self.body.addWidget(self.intro)
        self.body.addLayout(columns, 1)

        for first, second in (
            (self.channel_list, self.remove_button),
            (self.remove_button, self.add_combo),
            (self.add_combo, self.add_button),
            (self.add_button, self.mode_combo),
            (self.mode_combo, self.search),
            (self.search, self.tree_view),
        ):
            QWidget.setTabOrder(first, second)
        self.retranslate()

    # -- language ----------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        super().retranslate()
        self.intro.setText(
            tr(
                "Choose the e-channels the company signs onto. For each channel take the standard or the advanced bundle, "
                "or check the functions one by one (custom)."
            )
        )
        self.list_label.setText(tr("&Channels signed:"))
        self.remove_button.setText(tr("&Remove channel"))
        self.add_label.setText(tr("A&dd a channel:"))
        self.add_button.setText(tr("Add &this channel"))
        self.mode_label.setText(tr("Bundle or &mode:"))
        self.search_label.setText(tr("&Search:"))
        self.search.setPlaceholderText(tr("Chinese or English name, or function id"))
        self.tree_label.setText(tr("F&unctions (Space checks or unchecks a row and everything under it):"))
        self.tree_view.retranslate()
        self._mode_for = None
        self._add_for = None
        self.refresh()

    # -- showing the session -------------------------------------------------------------------------------------

    def bind(self, session: SigningSession) -> None:
        self._index = 0
        self._tree = None
        self._tree_key = None
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        super().bind(session)

    def entered(self) -> None:
        target = self.channel_list if self.channel_list.count() else self.add_combo
        target.setFocus(Qt.FocusReason.TabFocusReason)

    def _entries(self) -> list[Any]:
        value = self.session.get("/services") if self.session is not None else None
        return value if isinstance(value, list) else []

    def refresh(self) -> None:
        session = self.session
        if session is None:
            return
        entries = self._entries()
        self._index = max(0, min(self._index, len(entries) - 1))
        self._show_list(entries)
        self._show_add(entries)
        self._show_current(entries)
        self.list_problems.show_from(session)

    def _show_list(self, entries: list[Any]) -> None:
        session = self.session
        assert session is not None
        self.channel_list.blockSignals(True)
        if self.channel_list.count() != len(entries):
            self.channel_list.clear()
            for _ in entries:
                self.channel_list.addItem(QListWidgetItem())
        for i, entry in enumerate(entries):
            summary = summarise(entry, session.catalogue)
            problems = session.problems_at(f"/services/{i}")
            mark = "" if not problems else "✖ " if any(p.severity is Severity.ERROR for p in problems) else "⚠ "
            text = summary.channel
            if channel_of(entry) is not None:
                text += "\n" + tr("{offer}, {checked}/{total} functions").format(
                    offer=summary.offer, checked=summary.checked, total=summary.total
                )
            item = self.channel_list.item(i)
            if item.text() != mark + text:
                item.setText(mark + text)
        if entries:
            self.channel_list.setCurrentRow(self._index)
        self.channel_list.blockSignals(False)
        self.remove_button.setEnabled(bool(entries))

    def _show_add(self, entries: list[Any]) -> None:
        session = self.session
        assert session is not None
        taken = {channel_of(e) for e in entries}
        free = [c for c in Channel if c not in taken]
        key = (tuple(free), language())
        if key != self._add_for:
            self._add_for = key
            chosen = self.add_combo.currentData()
            self.add_combo.clear()
            for channel in free:
                info = session.catalogue.channels[channel]
                self.add_combo.addItem(zh_or_en(info.zh, info.en), channel.value)
            self.add_combo.setCurrentIndex(max(0, self.add_combo.findData(chosen)))
        self.add_combo.setEnabled(bool(free))
        self.add_button.setEnabled(bool(free))

    def _show_current(self, entries: list[Any]) -> None:
        session = self.session
        assert session is not None
        entry = entries[self._index] if entries else None
        if entry is None:
            self._tree, self._tree_key = None, None
        elif entry_key(entry) != self._tree_key:
            service = service_of(entry, session.catalogue)
            self._tree = FunctionTree.for_service(session.catalogue, service) if service is not None else None
            self._tree_key = entry_key(entry)
        self.editor.setEnabled(self._tree is not None)
        self._show_modes(entry)
        self._show_tree()
        self.service_problems.pointer = f"/services/{self._index}"
        self.service_problems.show_from(session if entry is not None else None)

    def _show_modes(self, entry: Any) -> None:
        session = self.session
        assert session is not None
        channel = channel_of(entry)
        key = (channel, language())
        if key != self._mode_for:
            self._mode_for = key
            self.mode_combo.clear()
            if channel is not None:
                for bundle in session.catalogue.bundles_for(channel):
                    self.mode_combo.addItem(
                        tr("{name} ({fee} a year)").format(name=zh_or_en(bundle.zh, bundle.en), fee=money(bundle.annual_fee)), bundle.id
                    )
                custom_fee = money(session.catalogue.channels[channel].custom_annual_fee)
                self.mode_combo.addItem(tr("Custom selection ({fee} a year)").format(fee=custom_fee), CUSTOM)
        if channel is None or not isinstance(entry, dict):
            self.mode_combo.setCurrentIndex(-1)
            self.description.setText(tr("Add a channel on the left to choose its bundle or functions.") if entry is None else "")
            return
        custom = entry.get("mode") == ServiceMode.CUSTOM.value
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(CUSTOM if custom else entry.get("bundle")))
        chosen = session.catalogue.bundles.get(entry.get("bundle") or "")
        if custom or chosen is None or chosen.channel is not channel:
            self.description.setText(
                tr("Custom: check the functions the company needs in the tree below; a bundle's functions stay checked when you switch.")
            )
        else:
            self.description.setText(zh_or_en(chosen.description_zh, chosen.description_en))

    def _show_tree(self) -> None:
        tree = self._tree
        if tree is None:
            self.tree_view.show_rows((), searching=False)
            self.count.clear()
            return
        search = self.search.text()
        self.tree_view.show_rows(tree.rows(search), searching=bool(search.strip()))
        checked, total = tree.counts
        self.count.setText(tr("{checked} of {total} functions checked").format(checked=checked, total=total))

    # -- what the teller does ----------------------------------------------------------------------------------

    def _chosen(self, row: int) -> None:
        if row < 0 or row == self._index:
            return
        self._index = row
        self._show_current(self._entries())

    def _write(self, tree: FunctionTree) -> None:
        session = self.session
        entries = self._entries()
        if session is None or not 0 <= self._index < len(entries):
            return
        entry = entry_of(tree.service(), entries[self._index])
        self._tree, self._tree_key = tree, entry_key(entry)
        if session.set(f"/services/{self._index}", entry):
            self.changed()
        else:
            self._show_current(entries)

    def _mode_chosen(self, index: int) -> None:
        tree = self._tree
        if tree is None or index < 0:
            return
        data = self.mode_combo.itemData(index)
        self._write(replace(tree, bundle=None) if data == CUSTOM else tree.from_bundle(str(data)))

    def _toggled(self, node_id: str, checked: bool) -> None:
        if self._tree is not None:
            self._write(self._tree.set(node_id, checked))

    def _add(self) -> None:
        session = self.session
        value = self.add_combo.currentData()
        if session is None or value is None:
            return
        channel = Channel(value)
        bundles = session.catalogue.bundles_for(channel)
        standard = next((b for b in bundles if b.mode is ServiceMode.STANDARD), bundles[0] if bundles else None)
        service = Service(channel, standard.mode, standard.id) if standard is not None else Service(channel, ServiceMode.CUSTOM)
        self._index = session.append("/services", entry_of(service))
        self.changed()
        self.mode_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remove(self) -> None:
        session = self.session
        entries = self._entries()
        if session is None or not 0 <= self._index < len(entries):
            return
        session.remove(f"/services/{self._index}")
        self._index = max(0, self._index - 1) if self._index >= len(entries) - 1 else self._index
        self._tree_key = None
        self.changed()
        (self.channel_list if self.channel_list.count() else self.add_combo).setFocus(Qt.FocusReason.OtherFocusReason)

    def _into_tree(self) -> None:
        self.tree_view.setFocus(Qt.FocusReason.TabFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self._into_tree()
            return True
        return super().eventFilter(watched, event)
