"""The autopilot types a paper form: each value into the control a teller would use, found by its JSON pointer.

Controls are the pages' bound fields (:class:`~teller_client.ui.wizard.section_form.BoundForm` rows: text fields,
choices, check boxes, the rights boxes, a user's accounts); a value under ``/accounts/<n>`` or ``/users/<n>`` first
selects row ``n`` of the page's table, adding it with the table's Add button when it is not there yet. A value the
control already shows (a default such as CNY or "all accounts") takes no action. The services page is driven by
its channel list and bundle choice. Every click, key press and typed field is counted by the :class:`Pilot`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QAbstractButton, QCheckBox, QComboBox, QLineEdit, QPushButton, QWidget

from teller_client.flows.scenario import TypedField
from teller_client.flows.signing import Page
from teller_client.ui.pilot import PilotFailed, Wait
from teller_client.ui.wizard.section_form import BoundForm, RightsField
from teller_client.ui.wizard.section_table import SectionTable

if TYPE_CHECKING:
    from teller_client.ui.autopilot_driver import Driver

_ROW = re.compile(r"^/(accounts|users)/(\d+)(/.*)$")


def type_field(driver: Driver, field: TypedField) -> Iterator[Wait]:
    session = driver.window.wizard.session
    page = driver.window.wizard.pages[field.page]
    if session.get(field.pointer) == field.value:
        return  # already so (a default of a new row or of the paper form)
    if field.page == Page.SERVICES:
        yield from _service(driver, page, field)
        return
    match = _ROW.match(field.pointer)
    if match:
        yield from _row(driver, page, int(match.group(2)))
    widget = _widget(page, field.pointer)
    _put(driver, widget, field.value)
    driver.typed(field)
    if session.get(field.pointer) != field.value:
        raise PilotFailed(f"typing {field.pointer}: the form holds {session.get(field.pointer)!r}, not {field.value!r}")


def _row(driver: Driver, page: QWidget, index: int) -> Iterator[Wait]:
    table = page.findChild(SectionTable)
    if table is None:
        raise PilotFailed(f"no table on the {page.objectName()} page")
    while len(table.items()) <= index:
        add = next(b for b in table.findChildren(QPushButton) if b.objectName().endswith("Add"))
        driver.pilot.click(add, "add a row")
    table.select(index)
    yield Wait(lambda: True, "the row selected", 1)


def _widget(page: QWidget, pointer: str) -> QWidget:
    for form in page.findChildren(BoundForm):
        prefix = form.prefix + "/"
        if pointer.startswith(prefix):
            key = pointer[len(prefix) :]
            if any(row.key == key for row in form.rows):
                return form.widget_for(key)
    raise PilotFailed(f"no field for {pointer} on the {page.objectName()} page")


def _put(driver: Driver, widget: QWidget, value: Any) -> None:
    pilot = driver.pilot
    if isinstance(widget, RightsField):
        wanted = set(value or ())
        for name, box in widget.boxes.items():
            if box.isChecked() != (name in wanted):
                pilot.click(box, f"right {name}")
    elif isinstance(widget, QComboBox):
        index = widget.findData(value)
        if index < 0:
            raise PilotFailed(f"{widget.objectName()}: no choice {value!r}")
        pilot.choose(widget, index)
    elif isinstance(widget, QCheckBox):
        if widget.isChecked() != bool(value):
            pilot.click(widget)
    elif isinstance(widget, QLineEdit):
        widget.clear()
        pilot.type(widget, "" if value is None else str(value))
    else:
        choose = getattr(widget, "choose_for_autopilot", None)
        if not callable(choose):
            raise PilotFailed(f"the autopilot cannot fill {type(widget).__name__} {widget.objectName()}")
        pilot.count_action()
        choose(value)


def _service(driver: Driver, page: Any, field: TypedField) -> Iterator[Wait]:
    """A paper form's channel: added with the page's "add channel" control (its standard bundle comes with it)."""
    if not field.pointer.endswith("/channel"):
        return  # the bundle and mode come with the channel; a custom selection is not typed by the scenarios
    chooser = page.findChild(QComboBox, "channelToAdd")
    add = page.findChild(QAbstractButton, "addChannel")
    if chooser is None or add is None:
        raise PilotFailed("the services page has no channel chooser")
    index = chooser.findData(field.value)
    if index < 0:
        raise PilotFailed(f"no channel {field.value!r} to add")
    driver.pilot.choose(chooser, index)
    driver.pilot.click(add, "add the channel")
    yield Wait(lambda: bool(driver.window.wizard.session.get("/services")), "the channel added", 5)
