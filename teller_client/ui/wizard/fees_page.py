"""The fees page: what the application costs (``domain/fees.py`` quote), and a waiver or discount request.

The quote is computed from the application as it stands (annual fee per channel: its bundle's, or the
channel's custom fee; a UKey per certificate user), with two decimals and the currency. A waiver or discount is a
*request* written to ``/fees/waiver_requested`` and ``/fees/reason``: the domain rules want a reason whenever one
is requested (``waiver_needs_reason``), and the supervisor approves or refuses it at sign-off; until then the full
amount is owed.

Controls (object names): ``feeTable`` (read-only lines: item, quantity, unit price, amount), ``feeTotal``,
``feeUnavailable`` (shown while the application is too incomplete to quote), ``waiverRequested`` (Alt+V),
``waiverReason`` (Alt+R), ``waiverNote`` (what happens to the request), ``feesProblems``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QWidget

from teller_client.domain.fees import FeeQuote, quote
from teller_client.flows.signing import Page
from teller_client.i18n import sentences, tr
from teller_client.ui.wizard.fields import WARNING_COLOUR, PointerCheck, PointerLineEdit, ProblemLabel
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.wizard.services_text import amount_text, money, zh_or_en

ITEM, QUANTITY, UNIT, AMOUNT = range(4)


class FeesPage(WizardPage):
    page = Page.FEES

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.quote: FeeQuote | None = None
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("color: #555;")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("feeTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ITEM, QHeaderView.ResizeMode.Stretch)
        for column in (QUANTITY, UNIT, AMOUNT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.total = QLabel()
        self.total.setObjectName("feeTotal")
        self.total.setStyleSheet("font-weight: 600;")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.unavailable = QLabel()
        self.unavailable.setObjectName("feeUnavailable")
        self.unavailable.setWordWrap(True)
        self.unavailable.setStyleSheet(f"color: {WARNING_COLOUR};")

        self.waiver = PointerCheck("/fees/waiver_requested", self._waiver_changed)
        self.waiver.setObjectName("waiverRequested")
        self.reason_label = QLabel()
        self.reason = PointerLineEdit("/fees/reason", self.changed, optional=True)
        self.reason.setObjectName("waiverReason")
        self.reason.setMaxLength(500)
        self.reason_label.setBuddy(self.reason)
        self.problems = ProblemLabel("/fees", exact=False)
        self.problems.setObjectName("feesProblems")
        self.note = QLabel()
        self.note.setObjectName("waiverNote")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.body.addWidget(self.intro)
        self.body.addWidget(self.table)
        self.body.addWidget(self.total)
        self.body.addWidget(self.unavailable)
        self.body.addSpacing(12)
        self.body.addWidget(self.waiver)
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.reason_label)
        reason_row.addWidget(self.reason, 1)
        self.body.addLayout(reason_row)
        self.body.addWidget(self.problems)
        self.body.addWidget(self.note)
        self.body.addStretch(1)
        QWidget.setTabOrder(self.table, self.waiver)
        QWidget.setTabOrder(self.waiver, self.reason)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.intro.setText(
            tr("The fees of this application, from the bank's fee schedule. A waiver or discount is a request the supervisor decides.")
        )
        self.table.setHorizontalHeaderLabels([tr("Fee item"), tr("Units"), tr("Unit price (CNY)"), tr("Amount (CNY)")])
        self.table.setAccessibleName(tr("Fee lines"))
        self.waiver.setText(tr("Request a fee wai&ver or discount"))
        self.reason_label.setText(tr("&Reason, and the discount asked for if not all is waived:"))
        self.reason.setPlaceholderText(tr("e.g. strategic customer, 50% off the annual fee for the first year"))
        self.unavailable.setText(
            tr("The fees are computed once the customer, accounts, users and services can be read: see the problems below.")
        )
        self.refresh()

    def entered(self) -> None:
        self.waiver.setFocus(Qt.FocusReason.TabFocusReason)

    def _waiver_changed(self) -> None:
        self.changed()
        if self.waiver.isChecked():
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        session = self.session
        if session is None:
            return
        for control in (self.waiver, self.reason):
            control.show_from(session)
        self.problems.show_from(session)
        requested = bool(session.get("/fees/waiver_requested"))
        self.reason.setEnabled(requested or bool(session.get("/fees/reason")))
        app = session.application
        self.quote = quote(app, session.catalogue) if app is not None else None
        self._show_quote()
        self._show_note(requested)

    def _show_quote(self) -> None:
        fee_quote = self.quote
        self.unavailable.setVisible(fee_quote is None)
        self.table.setVisible(fee_quote is not None)
        self.total.setVisible(fee_quote is not None)
        if fee_quote is None:
            self.table.setRowCount(0)
            return
        self.table.setRowCount(len(fee_quote.lines))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, line in enumerate(fee_quote.lines):
            cells = (zh_or_en(line.zh, line.en), str(line.quantity), amount_text(line.unit), amount_text(line.amount))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column != ITEM:
                    item.setTextAlignment(right)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        rows = self.table.verticalHeader().length() or self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + rows + 2 * self.table.frameWidth() + 2)
        self.total.setText(tr("Total: {amount}").format(amount=money(fee_quote.total)))
        self.total.setAccessibleName(self.total.text())

    def _show_note(self, requested: bool) -> None:
        fee_quote = self.quote
        if not requested:
            text = tr("A waiver or discount needs a reason; the supervisor approves or refuses it at sign-off.")
            style = "color: #555;"
        elif fee_quote is not None and not fee_quote.needs_supervisor_approval:
            text = tr("There is nothing to waive: the total is {amount}.").format(amount=money(fee_quote.total))
            style = "color: #555;"
        else:
            text = tr("Waiver requested: the supervisor approves or refuses it at sign-off. Until then the customer owes the full amount.")
            if fee_quote is not None:
                text = sentences(
                    text,
                    tr("If approved the customer pays {waived}; if refused, {full}.").format(
                        waived=money(fee_quote.payable(waiver_approved=True)), full=money(fee_quote.payable(waiver_approved=False))
                    ),
                )
            style = f"color: {WARNING_COLOUR}; background: #fff6e0; border: 1px solid #e8c070; padding: 6px; font-weight: 600;"
        self.note.setText(text)
        self.note.setStyleSheet(style)
        self.note.setAccessibleName(text)
