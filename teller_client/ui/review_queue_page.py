"""The branch review queue, for a supervisor's client: remote sign-off of applications tellers sent for approval.

The queue (``GET /approvals?status=pending``) is read on a worker when the page is shown and on F5 or "Refresh".
The table lists each application's customer, masked USCC, maker, request, time waiting and whether a fee waiver
is asked for. Opening an item (Enter, double-click or "Open") reads the application and shows it read-only, with
the snapshot hash the decision is about. The supervisor approves (deciding a requested waiver), returns to the teller
with a reason, or rejects with a reason (:class:`~teller_client.flows.approval.QueueDecision`: an answer lost on
the way is asked again with the same idempotency key). The maker of an item cannot decide it: its buttons are
disabled, with the reason shown (the service refuses the maker too).

The main window adds this page (a menu action "Review queue", Ctrl+R) and passes ``session``, which returns the
signed-in :class:`~teller_client.ui.central.SignedIn` (or ``None``).

Object names: ``refreshQueue``, ``queueTable``, ``openItem``, ``queueDetail`` (read-only text), ``snapshotHash``
(label), ``queueWaiverApprove``, ``queueWaiverRefuse``, ``queueReason``, ``queueApprove``, ``queueReturn``,
``queueReject``, ``queueMakerNote`` (label); the status area ``busy``/``notice``/``inlineError``.
"""

from __future__ import annotations

import html
import itertools
import logging
import re
import threading
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from teller_client.api.errors import ApiError
from teller_client.api.models import ApplicationInfo, QueueItem
from teller_client.domain.bank_time import BANK_TIME
from teller_client.domain.value_labels import value_names
from teller_client.errors import TellerError
from teller_client.flows.approval import QueueDecision
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language, tr
from teller_client.ui.central import SignedIn
from teller_client.ui.error_router import ErrorRouter, error_text
from teller_client.ui.inline_status import InlineStatus
from teller_client.ui.style import make_heading
from teller_client.ui.wizard.review_summary import summary_html
from teller_client.ui.worker import Job, WorkerPool

log = logging.getLogger(__name__)

COLUMNS = 6


def masked_uscc(uscc: str) -> str:
    """A USCC as the queue shows it: the first four and the last four characters."""
    uscc = uscc.strip()
    if len(uscc) <= 8:
        return "*" * len(uscc)
    return uscc[:4] + "*" * (len(uscc) - 8) + uscc[-4:]


def _when(value: datetime) -> str:
    return value.astimezone(BANK_TIME).strftime("%m-%d %H:%M")


def _waited(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return tr("{minutes} min").format(minutes=minutes)
    return tr("{hours} h {minutes} min").format(hours=minutes // 60, minutes=minutes % 60)


_CHANGE_LINK = re.compile(r'\s*(?:&nbsp;\s*)?<a href="page:[^"]*">.*?</a>')


def as_session(info: ApplicationInfo) -> SigningSession:
    """The application as a (never saved) signing session, to show it as the teller's review page does."""
    return SigningSession(
        draft_id=info.id,
        document=info.document,
        teller=info.maker,
        source=info.source,
        verified=info.verified,
        application_id=info.id,
        status=info.status,
        today=datetime.now(BANK_TIME).date(),
    )


def application_html(info: ApplicationInfo, session: SigningSession) -> str:
    """The application read-only: the teller's review text (without its "change" links), the decision's facts, the
    fees as the service computed them, the warnings and the history."""
    e = html.escape

    def row(key: str, value: str) -> str:
        return f"<tr><td style='padding-right:12px;color:#555'>{e(key)}</td><td>{e(value)}</td></tr>"

    customer = info.document.get("customer") or {}
    fees = info.fees or {}
    parts = [f"<h2>{e(str(customer.get('name', '')))}</h2><table>"]
    parts.append(row(tr("Application number"), info.id))
    parts.append(row(tr("Maker"), info.maker))
    parts.append(row(tr("Sent at"), _when(info.updated_at)))
    parts.append(row(tr("Fees (computed by the central service)"), str(fees.get("total", ""))))
    if fees.get("waiver_requested"):
        reason = fees.get("waiver_reason") or tr("(none)")
        parts.append(row(tr("Fee waiver"), tr("requested, reason: {reason}").format(reason=reason)))
    parts.append("</table>")
    parts.append(_CHANGE_LINK.sub("", summary_html(session)))
    if info.warnings:
        parts.append(f"<h3>{e(tr('Warnings the teller confirmed'))}</h3><ul>")
        for warning in info.warnings:
            text = warning.message_zh if language() == "zh" else warning.message
            parts.append(f"<li>{e(text)}</li>")
        parts.append("</ul>")
    if info.history:
        parts.append(f"<h3>{e(tr('History'))}</h3><ul>")
        for entry in info.history:
            reason = f": {entry.reason}" if entry.reason else ""
            parts.append(f"<li>{e(_when(entry.at))} {e(entry.actor)} {e(entry.action)}{e(reason)}</li>")
        parts.append("</ul>")
    return "".join(parts)


class ReviewQueuePage(QWidget):
    """The branch's applications waiting for a supervisor; open one read-only and decide."""

    decided = Signal(object)
    """The service's :class:`~teller_client.api.models.ApplicationInfo` after a decision taken here."""

    def __init__(
        self, workers: WorkerPool, errors: ErrorRouter, session: Callable[[], SignedIn | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewQueuePage")
        self._workers = workers
        self._errors = errors
        self._session = session
        self.items: list[QueueItem] = []
        self.opened: ApplicationInfo | None = None
        self._opened_session: SigningSession | None = None
        self._opened_item: QueueItem | None = None
        self._loading: Job | None = None
        self._deciding: Job | None = None
        self._pending: QueueDecision | None = None
        """A decision whose answer was lost: sent again with the same key when the same decision is taken again."""

        self.heading = QLabel()
        make_heading(self.heading)
        self.who = QLabel()
        self.who.setStyleSheet("color: #555;")
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("refreshQueue")
        self.open_button = QPushButton()
        self.open_button.setObjectName("openItem")
        self.table = QTableWidget(0, COLUMNS)
        self.table.setObjectName("queueTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setTabKeyNavigation(False)
        self.empty = QLabel()
        self.empty.setStyleSheet("color: #555;")
        self.detail = QTextBrowser()
        self.detail.setObjectName("queueDetail")
        self.detail.setOpenLinks(False)
        self.snapshot = QLabel()
        self.snapshot.setObjectName("snapshotHash")
        self.snapshot.setWordWrap(True)
        self.snapshot.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.snapshot.setStyleSheet("font-family: monospace; color: #333;")
        self.maker_note = QLabel()
        self.maker_note.setObjectName("queueMakerNote")
        self.maker_note.setWordWrap(True)
        self.maker_note.setStyleSheet("color: #8a1010; font-weight: 600;")
        self.waiver_box = QGroupBox()
        self.waiver_approve = QRadioButton()
        self.waiver_approve.setObjectName("queueWaiverApprove")
        self.waiver_refuse = QRadioButton()
        self.waiver_refuse.setObjectName("queueWaiverRefuse")
        self.waiver_group = QButtonGroup(self)
        self.waiver_group.addButton(self.waiver_approve)
        self.waiver_group.addButton(self.waiver_refuse)
        waiver_layout = QHBoxLayout(self.waiver_box)
        waiver_layout.addWidget(self.waiver_approve)
        waiver_layout.addWidget(self.waiver_refuse)
        waiver_layout.addStretch(1)
        self.reason = QLineEdit()
        self.reason.setObjectName("queueReason")
        self.reason.setMaxLength(200)
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason)
        self.approve_button = QPushButton()
        self.approve_button.setObjectName("queueApprove")
        self.return_button = QPushButton()
        self.return_button.setObjectName("queueReturn")
        self.reject_button = QPushButton()
        self.reject_button.setObjectName("queueReject")
        self.status = InlineStatus()

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.who, 1)
        top.addWidget(self.refresh_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty)
        open_row = QHBoxLayout()
        open_row.addStretch(1)
        open_row.addWidget(self.open_button)
        left_layout.addLayout(open_row)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addWidget(self.snapshot)
        right_layout.addWidget(self.maker_note)
        right_layout.addWidget(self.waiver_box)
        reason_form = QFormLayout()
        reason_form.addRow(self.reason_label, self.reason)
        right_layout.addLayout(reason_form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        right_layout.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([440, 660])  # the application needs the room; the queue's columns are short
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)

        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_selected)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.approve_button.clicked.connect(lambda: self.decide("approve"))
        self.return_button.clicked.connect(lambda: self.decide("return"))
        self.reject_button.clicked.connect(lambda: self.decide("reject"))
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for keys in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(keys), self.table, self.open_selected, context=Qt.ShortcutContext.WidgetShortcut)
        chain: list[QWidget] = [self.refresh_button, self.table, self.open_button, self.detail, self.waiver_approve, self.waiver_refuse]
        chain += [self.reason, self.approve_button, self.return_button, self.reject_button]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)
        self.detail.setTabChangesFocus(True)
        self._show_item(None)
        self.retranslate()

    # -- words ---------------------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(tr("Branch review queue"))
        self.refresh_button.setText(tr("&Refresh (F5)"))
        self.open_button.setText(tr("&Open"))
        self.table.setHorizontalHeaderLabels(
            [tr("Customer"), tr("USCC"), tr("Maker"), tr("Request"), tr("Waiting since"), tr("Fee waiver")]
        )
        self.table.setAccessibleName(tr("Applications waiting for a supervisor"))
        self.detail.setAccessibleName(tr("The application, read-only"))
        self.waiver_box.setTitle(tr("Fee waiver requested"))
        self.waiver_approve.setText(tr("Appro&ve the fee waiver"))
        self.waiver_refuse.setText(tr("Re&fuse the fee waiver (fees are charged)"))
        self.reason_label.setText(tr("Reaso&n (for a return or a rejection):"))
        self.reason.setPlaceholderText(tr("Required to return or reject; the teller reads it"))
        self.approve_button.setText(tr("&Approve"))
        self.return_button.setText(tr("Re&turn to the teller"))
        self.reject_button.setText(tr("Re&ject"))
        self._show_who()
        self._fill()
        if self.opened is not None and self._opened_session is not None:
            self.detail.setHtml(application_html(self.opened, self._opened_session))
        self._show_item(self._opened_item)
        self.status.retranslate()

    def _show_who(self) -> None:
        signed = self._session()
        if signed is None:
            self.who.setText(tr("Not signed in."))
        else:
            self.who.setText(tr("Signed in: {id} {name}").format(id=signed.login.user.id, name=signed.login.user.name))

    # -- the queue -------------------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def refresh(self) -> None:
        """Read the queue again (on a worker)."""
        signed = self._session()
        self._show_who()
        if signed is None:
            self.status.show_error(lambda: tr("Sign in as a supervisor to see the review queue."))
            return
        if self._loading is not None:
            return
        client = signed.client

        def work(_cancel: threading.Event) -> list[QueueItem]:
            return client.review_queue()

        def done(items: list[QueueItem]) -> None:
            self._loading = None
            self.status.set_busy(None)
            self.status.clear_error()
            self.items = items
            self._fill()
            self._busy_changed()

        def failed(exc: BaseException) -> None:
            self._loading = None
            self.status.set_busy(None)
            self._show_error(exc)
            self._busy_changed()

        self.status.set_busy(lambda: tr("Reading the review queue..."))
        self._loading = self._workers.submit(work, done, failed)
        self._busy_changed()

    def _fill(self) -> None:
        selected = self.selected()
        keep = selected.id if selected is not None else (self._opened_item.id if self._opened_item is not None else None)
        now = datetime.now(BANK_TIME)
        request_names = value_names("request", language())
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            cells = [
                item.customer_name,
                masked_uscc(item.uscc),
                item.maker,
                request_names.get(item.request, item.request),
                f"{_when(item.created_at)} ({_waited(item.created_at, now)})",
                tr("requested") if item.fee_waiver_requested else "",
            ]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.id)
                self.table.setItem(row, column, cell)
        self.empty.setText(tr("No application is waiting for a supervisor.") if not self.items else "")
        self.empty.setVisible(not self.items)
        if keep is not None:
            for row, item in enumerate(self.items):
                if item.id == keep:
                    self.table.selectRow(row)
                    break
        elif self.items and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def selected(self) -> QueueItem | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() is not None else []
        if not rows:
            return None
        row = rows[0].row()
        return self.items[row] if 0 <= row < len(self.items) else None

    def select(self, application_id: str) -> bool:
        """Select the queue's item of ``application_id`` (for the autopilot and tests)."""
        for row, item in enumerate(self.items):
            if item.id == application_id:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self) -> None:
        self._busy_changed()

    # -- one application, read-only ----------------------------------------------------------------------------------------------

    def open_selected(self) -> None:
        item, signed = self.selected(), self._session()
        if item is None or signed is None or self._loading is not None:
            return
        client = signed.client

        def work(_cancel: threading.Event) -> tuple[ApplicationInfo, SigningSession]:
            info = client.application(item.id)
            return info, as_session(info)

        def done(result: tuple[ApplicationInfo, SigningSession]) -> None:
            info, session = result
            self._loading = None
            self.status.set_busy(None)
            self.status.clear_error()
            self.opened, self._opened_session = info, session
            self.detail.setHtml(application_html(info, session))
            self._show_item(item)
            self.reason.clear()
            self.waiver_group.setExclusive(False)
            self.waiver_approve.setChecked(False)
            self.waiver_refuse.setChecked(False)
            self.waiver_group.setExclusive(True)
            target = self.approve_button if self.approve_button.isEnabled() else self.detail
            target.setFocus(Qt.FocusReason.OtherFocusReason)

        def failed(exc: BaseException) -> None:
            self._loading = None
            self.status.set_busy(None)
            self._show_error(exc)
            self._busy_changed()

        self.status.set_busy(lambda: tr("Opening the application..."))
        self._loading = self._workers.submit(work, done, failed)
        self._busy_changed()

    def _show_item(self, item: QueueItem | None) -> None:
        self._opened_item = item
        info = self.opened if item is not None else None
        if info is None:
            self.detail.setPlainText(tr("Choose an application in the queue and open it (Enter)."))
            self.snapshot.clear()
        else:
            self.snapshot.setText(tr("Snapshot hash of what you decide on: {hash}").format(hash=info.snapshot_hash))
        waiver = bool(info is not None and info.fees.get("waiver_requested"))
        self.waiver_box.setVisible(waiver)
        signed = self._session()
        maker = info is not None and signed is not None and info.maker == signed.login.user.id
        if maker:
            assert info is not None
            self.maker_note.setText(tr("You made this application ({maker}): another supervisor decides it.").format(maker=info.maker))
        else:
            self.maker_note.clear()
        self.maker_note.setVisible(maker)
        self._busy_changed()

    def _busy_changed(self) -> None:
        busy = self._loading is not None or self._deciding is not None
        signed = self._session()
        info = self.opened if self._opened_item is not None else None
        can_decide = info is not None and signed is not None and info.maker != signed.login.user.id and not busy
        for widget in (self.approve_button, self.return_button, self.reject_button, self.reason, self.waiver_box):
            widget.setEnabled(can_decide)
        self.refresh_button.setEnabled(not busy)
        self.open_button.setEnabled(not busy and self.selected() is not None)

    # -- deciding -----------------------------------------------------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        info, signed = self.opened if self._opened_item is not None else None, self._session()
        if info is None or signed is None or self._deciding is not None:
            return
        waiver_requested = bool(info.fees.get("waiver_requested"))
        waiver: bool | None = None
        if decision == "approve" and waiver_requested and (self.waiver_approve.isChecked() or self.waiver_refuse.isChecked()):
            waiver = self.waiver_approve.isChecked()
        wanted = QueueDecision(
            info.id,
            info.snapshot_hash,
            info.maker,
            decision,
            self.reason.text().strip() or None,
            fee_waiver_requested=waiver_requested,
            fee_waiver_approved=waiver,
        )
        chosen = self._pending if self._pending is not None and self._pending.same(wanted) else wanted
        try:
            chosen.check(signed.login.user.id)
        except TellerError as refused:
            error: TellerError = refused
            self.status.show_error(lambda: error_text(error))
            focus = self.reason if decision != "approve" else (self.waiver_approve if waiver_requested else self.approve_button)
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        client = signed.client
        words = {
            "approve": lambda: tr("Sending the approval..."),
            "return": lambda: tr("Returning the application to the teller..."),
            "reject": lambda: tr("Rejecting the application..."),
        }

        def work(_cancel: threading.Event) -> ApplicationInfo:
            return chosen.send(client)

        def done(result: ApplicationInfo) -> None:
            self._deciding = None
            self._pending = None
            self.status.set_busy(None)
            self.status.clear_error()
            log.info("application %s: %s by %s from the review queue", result.id, result.status, signed.login.user.id)
            self.opened = None
            self._show_item(None)
            self.reason.clear()
            self.decided.emit(result)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._deciding = None
            self.status.set_busy(None)
            # a refusal means nothing happened: a new decision gets a new key; no answer: the same key next time
            self._pending = None if isinstance(exc, ApiError) else chosen
            self._show_error(exc)
            self._busy_changed()

        self.status.clear_error()
        self.status.set_busy(words[decision])
        self._deciding = self._workers.submit(work, done, failed)
        self._busy_changed()

    def _show_error(self, exc: BaseException) -> None:
        """Inline, worded and logged by the window's error router (a cancellation shows nothing)."""
        if self._errors.describe(exc) is None:
            return
        self.status.show_error(lambda: error_text(exc))
