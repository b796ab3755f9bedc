"""Find an existing customer by USCC: typed, or scanned from the business licence's QR code.

A licence QR code usually carries the code inside a URL; whatever is typed or
scanned here is searched for a valid Unified Social Credit Code
(:func:`~teller_client.domain.licence.uscc_from_licence_text`) before the
central service is asked. The lookup runs on a worker; the result stays on the
page until the next search.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from teller_client.i18n import tr
from teller_client.ui.inline_status import InlineStatus

Words = Callable[[], str]


def describe_customer(customer: dict[str, Any]) -> str:
    """One line on a customer found at the central service (name, code, agreements, users, accounts)."""
    agreements = customer.get("agreements") or []
    active = sum(1 for a in agreements if a.get("status") == "active")
    return tr("{name} ({uscc}): {agreements} agreement(s), {active} active; {users} user(s); {accounts} account(s).").format(
        name=customer.get("name", ""),
        uscc=customer.get("uscc", ""),
        agreements=len(agreements),
        active=active,
        users=len(customer.get("users") or []),
        accounts=len(customer.get("accounts") or []),
    )


class CustomerLookup(QWidget):
    search_requested = Signal(str)
    """The text typed or scanned (not yet checked)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setStyleSheet("font-weight: 600; margin-top: 12px;")
        self.field = QLineEdit()
        self.field.setObjectName("customerSearch")
        self.field.setMaxLength(512)  # a licence URL, not a document
        self.field.returnPressed.connect(self._search)
        self.button = QPushButton()
        self.button.setObjectName("customerSearchButton")
        self.button.clicked.connect(self._search)
        self.label.setBuddy(self.field)
        self.result = QLabel()
        self.result.setObjectName("customerResult")
        self.result.setWordWrap(True)
        self.status = InlineStatus()
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.result)
        self._result: Words = lambda: ""
        self.retranslate()

    def _search(self) -> None:
        text = self.field.text().strip()
        if text:
            self.search_requested.emit(text)

    def show_searching(self, uscc: str) -> None:
        self.field.setText(uscc)
        self.status.clear_error()
        self.status.set_busy(lambda: tr("Looking up {uscc} at the central service...").format(uscc=uscc))
        self._set_result(lambda: "")

    def show_found(self, customer: dict[str, Any]) -> None:
        self.status.set_busy(None)
        self._set_result(lambda: describe_customer(customer))

    def show_not_found(self, uscc: str) -> None:
        self.status.set_busy(None)
        self._set_result(lambda: tr("{uscc} is not yet a customer of the e-channels: start a new signing.").format(uscc=uscc))

    def show_error(self, text: Words) -> None:
        self.status.set_busy(None)
        self._set_result(lambda: "")
        self.status.show_error(text)

    @property
    def result_text(self) -> str:
        return self.result.text()

    def _set_result(self, text: Words) -> None:
        self._result = text
        self.result.setText(text())
        self.result.setVisible(bool(self.result.text()))

    def retranslate(self) -> None:
        self.label.setText(tr("Find a c&ustomer (USCC, or scan the business licence)"))
        self.field.setPlaceholderText(tr("91350200... or scan the QR code on the business licence"))
        self.field.setAccessibleName(tr("USCC or business licence"))
        self.button.setText(tr("Find"))
        self.status.retranslate()
        self._set_result(self._result)
