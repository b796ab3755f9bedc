"""Forms of the section pages (customer, accounts, users): fields bound to JSON pointers, each with its problems.

A :class:`BoundForm` lays out pointer-bound controls (those of :mod:`teller_client.ui.wizard.fields` and the few
kinds added here) in one or two columns. Each field has the domain layer's label (``label(pointer)`` in the
teller's language, with a mnemonic) and, under it, a :class:`~teller_client.ui.wizard.fields.ProblemLabel` with the
domain's messages for that field. The pointers of a form can be moved to another item of a list
(:meth:`BoundForm.rebind`): the accounts and users editors show the selected row that way.

Field kinds added here:

* :class:`TextField`: a :class:`PointerLineEdit` that can leave its key out of the document when emptied (the
  optional ``eform/1`` extensions, so a plain form stays as the contract shows it);
* :class:`ChoiceField`: a :class:`PointerCombo` that also shows a value it does not know (as read from a form);
* :class:`FlagField`: a :class:`PointerCheck` that can leave its key out when unchecked;
* :class:`RightsField`: a subset of values (account rights) as one check box each, written as a JSON list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from teller_client.domain.labels import label
from teller_client.domain.value_labels import value_names
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language
from teller_client.ui.wizard.fields import PointerCheck, PointerCombo, PointerLineEdit, ProblemLabel


class BoundField(Protocol):
    """What a form field is: a control showing the value at ``pointer`` of the session's document."""

    pointer: str

    def show_from(self, session: SigningSession | None) -> None: ...


def with_mnemonic(text: str, letter: str) -> str:
    """``text`` with ``&`` before ``letter``: in Chinese as ``(&X)`` after it, in English on the letter (a word's first
    letter where one fits, else one in the last word, else anywhere; ``(&X)`` after it when the text has none).

    The pages avoid the letters of the window's menus and buttons (F, C, V, H, O, I, N, B, W)."""
    if not letter:
        return text
    if language() == "zh":
        return f"{text}(&{letter.upper()})"
    pattern = re.escape(letter)
    last_word = text.rfind(" ") + 1
    match = (
        re.search(rf"\b{pattern}", text, re.IGNORECASE)
        or re.compile(pattern, re.IGNORECASE).search(text, last_word)
        or re.search(pattern, text, re.IGNORECASE)
    )
    if match is None:
        return f"{text} (&{letter.upper()})"
    return text[: match.start()] + "&" + text[match.start() :]


def field_title(pointer: str, mnemonic: str = "") -> str:
    """The domain's label of the field at ``pointer`` in the teller's language, capitalised, with a mnemonic."""
    names = label(pointer)
    text = names.zh if language() == "zh" else names.en[:1].upper() + names.en[1:]
    return with_mnemonic(text, mnemonic)


def plain(text: str) -> str:
    """A label's text without its mnemonic (for accessible names)."""
    return re.sub(r"\([A-Z]\)$", "", text.replace("&", ""))


def upper_strip(text: str) -> str:
    """How codes are typed: trimmed and upper-case (USCC, ID numbers with an X)."""
    return text.strip().upper()


def digits_only(text: str) -> str:
    """An account number as typed with spaces or dashes between groups of digits: the digits."""
    return re.sub(r"[\s-]", "", text)


class TextField(PointerLineEdit):
    """A text field; with ``absent_when_empty`` an emptied field removes its key instead of writing ``null``."""

    def __init__(
        self,
        pointer: str,
        on_change: Callable[[], None],
        *,
        optional: bool = False,
        absent_when_empty: bool = False,
        normalise: Callable[[str], str] = str.strip,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(pointer, on_change, optional=optional or absent_when_empty, normalise=normalise, parent=parent)
        self.absent_when_empty = absent_when_empty

    def _edited(self, text: str) -> None:
        session = self.session
        if session is not None and self.absent_when_empty and self.normalise(text) == "":
            if session.get(self.pointer, _ABSENT) is not _ABSENT:
                session.remove(self.pointer)
                self._on_change()
            return
        super()._edited(text)


class ChoiceField(PointerCombo):
    """A choice among an enumeration's values; a value read from a form that is not among them is shown as it is."""

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
        super().__init__(pointer, kind, on_change, values=values, optional=optional, parent=parent)
        self.known = list(self.values)

    def show_from(self, session: SigningSession | None) -> None:
        value = session.get(self.pointer) if session is not None else None
        values = self.known + ([value] if isinstance(value, str) and value not in self.known else [])
        if values != self.values:
            self.values = values
            self.retranslate()
        super().show_from(session)


class FlagField(PointerCheck):
    """A yes/no field; with ``absent_when_false`` unchecking removes its key (an optional extension)."""

    def __init__(
        self, pointer: str, on_change: Callable[[], None], *, absent_when_false: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(pointer, on_change, parent)
        self.absent_when_false = absent_when_false

    def _clicked(self, checked: bool) -> None:
        session = self.session
        if session is not None and not checked and self.absent_when_false:
            if session.get(self.pointer, _ABSENT) is not _ABSENT:
                session.remove(self.pointer)
                self._on_change()
            return
        super()._clicked(checked)


class RightsField(QWidget):
    """A subset of an enumeration's values (``kind``) as check boxes, written as a list at ``pointer``.

    The order the document has is kept; a value checked is added at the end, one unchecked is removed. Values the
    enumeration does not know stay in the list as they are (the domain reports them)."""

    def __init__(self, pointer: str, kind: str, on_change: Callable[[], None], *, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pointer = pointer
        self.kind = kind
        self.session: SigningSession | None = None
        self._on_change = on_change
        self.boxes: dict[str, QCheckBox] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for value in value_names(kind):
            box = QCheckBox()
            box.setObjectName(f"{object_name}_{value}")
            box.clicked.connect(lambda checked, value=value: self._toggled(value, checked))
            self.boxes[value] = box
            row.addWidget(box)
        row.addStretch(1)
        self.setFocusProxy(next(iter(self.boxes.values())))
        self.retranslate()

    def retranslate(self) -> None:
        names = value_names(self.kind, language())
        for value, box in self.boxes.items():
            box.setText(names[value])

    def current(self) -> list[Any]:
        value = self.session.get(self.pointer) if self.session is not None else None
        return list(value) if isinstance(value, list) else []

    def show_from(self, session: SigningSession | None) -> None:
        self.session = session
        chosen = self.current()
        for value, box in self.boxes.items():
            box.setChecked(value in chosen)

    def _toggled(self, value: str, checked: bool) -> None:
        if self.session is None:
            return
        chosen = self.current()
        if checked and value not in chosen:
            chosen.append(value)
        elif not checked:
            chosen = [v for v in chosen if v != value]
        if self.session.set(self.pointer, chosen):
            self._on_change()


@dataclass
class _Row:
    key: str
    field: BoundField
    widget: QWidget
    label: QLabel
    problems: ProblemLabel
    mnemonic: str


class BoundForm(QWidget):
    """Fields of one object of the document (at ``prefix``), each with its label and its problems.

    Fields fill a column top-down; :meth:`new_column` starts the next one."""

    def __init__(self, prefix: str = "", *, columns: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefix = prefix
        self.columns = columns
        self.rows: list[_Row] = []
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(6)
        for column in range(columns):
            self.grid.setColumnStretch(column * 2 + 1, 1)
        self._column = 0
        self._next_row = 0

    def new_column(self) -> None:
        """The fields added next go in the next column, from the top (the tab order follows the adding order)."""
        self._column = min(self._column + 1, self.columns - 1)
        self._next_row = 0

    def pointer(self, key: str) -> str:
        return f"{self.prefix}/{key}"

    def add(
        self,
        key: str,
        field: Any,
        *,
        object_name: str,
        mnemonic: str = "",
        exact: bool = True,
    ) -> Any:
        """Lay out ``field`` (bound to ``prefix/key``) with its label and problems; returns it."""
        widget: QWidget = field
        field.pointer = self.pointer(key)
        widget.setObjectName(object_name)
        label_widget = QLabel()
        label_widget.setBuddy(widget)
        # level with the control (a tall one, as a list, keeps its label at the top)
        label_widget.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        label_widget.setMinimumHeight((widget.focusProxy() or widget).sizeHint().height())
        problems = ProblemLabel(self.pointer(key), exact=exact)
        problems.setObjectName(f"{object_name}_problem")
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addWidget(widget)
        cell.addWidget(problems)
        row, column = self._next_row, self._column
        self._next_row += 1
        top = Qt.AlignmentFlag.AlignTop
        self.grid.addWidget(label_widget, row, column * 2, top | Qt.AlignmentFlag.AlignLeft)
        self.grid.addLayout(cell, row, column * 2 + 1, top)
        previous = self.rows[-1].widget if self.rows else None
        self.rows.append(_Row(key, field, widget, label_widget, problems, mnemonic))
        if previous is not None:
            QWidget.setTabOrder(previous, widget)
        self._title(self.rows[-1])
        return field

    def first(self) -> QWidget | None:
        return self.rows[0].widget if self.rows else None

    def last(self) -> QWidget | None:
        return self.rows[-1].widget if self.rows else None

    def widget_for(self, key: str) -> QWidget:
        return next(r.widget for r in self.rows if r.key == key)

    def rebind(self, prefix: str) -> None:
        """Move every field to the same key under another object (another row of a list)."""
        self.prefix = prefix
        for row in self.rows:
            row.field.pointer = self.pointer(row.key)
            row.problems.pointer = self.pointer(row.key)

    def covers(self, pointer: str) -> bool:
        """Whether a field of this form shows the problems at ``pointer``."""
        for row in self.rows:
            here = self.pointer(row.key)
            if pointer == here or (not row.problems.exact and pointer.startswith(here + "/")):
                return True
        return False

    def show_from(self, session: SigningSession | None) -> None:
        for row in self.rows:
            row.field.show_from(session)
            row.problems.show_from(session)

    def retranslate(self) -> None:
        for row in self.rows:
            self._title(row)
            retranslate = getattr(row.widget, "retranslate", None)
            if callable(retranslate):
                retranslate()

    def _title(self, row: _Row) -> None:
        text = field_title(self.pointer(row.key), row.mnemonic)
        row.label.setText(text)
        row.widget.setAccessibleName(plain(text))


class _Absent:
    pass


_ABSENT = _Absent()
