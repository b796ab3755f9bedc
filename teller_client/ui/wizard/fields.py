"""Form controls bound to a JSON pointer of the session's document, and the problem text beside them.

Each control writes what the teller typed into the session as they type (``textEdited``, never a programmatic
change), then calls ``on_change`` (the page's :meth:`~teller_client.ui.wizard.page.WizardPage.changed`). The
domain layer's field-level messages appear in a :class:`ProblemLabel` beside the field they concern.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from teller_client.domain.problems import Problem, Severity
from teller_client.domain.value_labels import value_names
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language

ERROR_COLOUR = "#a01010"
WARNING_COLOUR = "#8a5a00"


def problem_lines(problems: Iterable[Problem]) -> str:
    """The problems as lines in the teller's language, errors marked ✖ and warnings ⚠."""
    return "\n".join(("✖ " if p.severity is Severity.ERROR else "⚠ ") + p.message(language()) for p in problems)


class ProblemLabel(QLabel):
    """The problems of one field (``exact``) or of everything under a pointer, in red (errors) or amber."""

    def __init__(self, pointer: str = "", *, exact: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pointer = pointer
        self.exact = exact
        self.setWordWrap(True)
        self.setObjectName("problem")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)

    def show_from(self, session: SigningSession | None) -> None:
        if session is None:
            problems: tuple[Problem, ...] = ()
        elif self.exact:
            problems = tuple(p for p in session.report.problems if p.pointer == self.pointer)
        else:
            problems = session.problems_at(self.pointer)
        errors = any(p.severity is Severity.ERROR for p in problems)
        text = problem_lines(problems)
        if text == self.text() and self.isVisibleTo(self.parentWidget() or self) == bool(problems):
            return
        self.setStyleSheet(f"color: {ERROR_COLOUR if errors else WARNING_COLOUR};")
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(problems))


class PointerLineEdit(QLineEdit):
    """A text field for one string of the document; an empty optional field is written as ``null``."""

    def __init__(
        self,
        pointer: str,
        on_change: Callable[[], None],
        *,
        optional: bool = False,
        normalise: Callable[[str], str] = str.strip,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.pointer = pointer
        self.optional = optional
        self.normalise = normalise
        self.session: SigningSession | None = None
        self._on_change = on_change
        self.textEdited.connect(self._edited)

    def show_from(self, session: SigningSession | None) -> None:
        self.session = session
        value = session.get(self.pointer) if session is not None else None
        text = "" if value is None else str(value)
        if self.normalise(self.text()) != text:  # keep what the teller is typing (spaces, case) when it means the same
            self.setText(text)

    def _edited(self, text: str) -> None:
        if self.session is None:
            return
        value: Any = self.normalise(text)
        if value == "" and self.optional:
            value = None
        if self.session.set(self.pointer, value):
            self._on_change()


class PointerCombo(QComboBox):
    """A choice among an enumeration's values (``value_labels`` kind), shown by name in the teller's language."""

    def __init__(
        self,
        pointer: str,
        kind: str,
        on_change: Callable[[], None],
        *,
        values: Iterable[str] | None = None,
        optional: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.pointer = pointer
        self.kind = kind
        self.values = list(values if values is not None else value_names(kind))
        self.optional = optional
        self.session: SigningSession | None = None
        self._on_change = on_change
        self.retranslate()
        self.activated.connect(self._chosen)

    def retranslate(self) -> None:
        names = value_names(self.kind, language())
        current = self.currentIndex()
        self.blockSignals(True)
        self.clear()
        if self.optional:
            self.addItem("—", None)
        for value in self.values:
            self.addItem(names.get(value, value), value)
        self.setCurrentIndex(current)
        self.blockSignals(False)

    def show_from(self, session: SigningSession | None) -> None:
        self.session = session
        value = session.get(self.pointer) if session is not None else None
        index = self.findData(value)
        if index != self.currentIndex():
            self.setCurrentIndex(index)

    def _chosen(self, index: int) -> None:
        if self.session is None or index < 0:
            return
        if self.session.set(self.pointer, self.itemData(index)):
            self._on_change()


class PointerCheck(QCheckBox):
    """A yes/no field of the document."""

    def __init__(self, pointer: str, on_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pointer = pointer
        self.session: SigningSession | None = None
        self._on_change = on_change
        self.clicked.connect(self._clicked)

    def show_from(self, session: SigningSession | None) -> None:
        self.session = session
        checked = bool(session.get(self.pointer)) if session is not None else False
        if checked != self.isChecked():
            self.setChecked(checked)

    def _clicked(self, checked: bool) -> None:
        if self.session is not None and self.session.set(self.pointer, checked):
            self._on_change()
