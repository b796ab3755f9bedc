"""One line of the media page: a certificate order or a password letter, with its own state, progress and actions.

A :class:`MediaRow` only shows an :class:`~teller_client.ui.wizard.media_state.ItemView` (the page decides what
happens); its buttons are wired by the page. Object names inside each row (the rows themselves are ``mediaRow0``,
``mediaRow1``, ... in the plan's order): ``mediaTitle``, ``mediaState``, ``mediaSteps``, ``mediaProgress``,
``mediaPrompt``, ``mediaToken`` (the UKeys present to choose from), ``mediaConfirm`` (start with the chosen UKey;
Enter), ``mediaAction`` (Issue / Print / Retry / Supervisor ...), ``mediaCancel``, ``mediaError``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from drivers.pkcs11.model import TokenInfo
from teller_client.i18n import tr
from teller_client.ui.error_router import error_text
from teller_client.ui.inline_status import ERROR_STYLE
from teller_client.ui.wizard.media_state import STEP_NAMES, ItemView, Mode

DONE_COLOUR = "#1e7b34"
PENDING_COLOUR = "#777"


class MediaRow(QFrame):
    """One item's line. ``confirmed`` is emitted by Enter (or the confirm button) while a UKey is chosen."""

    confirmed = Signal()

    def __init__(self, view: ItemView, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"mediaRow{index}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"#mediaRow{index} {{ border: 1px solid #ccc; border-radius: 4px; }}")
        self.view = view
        self.title = QLabel()
        self.title.setObjectName("mediaTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.state = QLabel()
        self.state.setObjectName("mediaState")
        self.state.setWordWrap(True)
        self.steps = QLabel()
        self.steps.setObjectName("mediaSteps")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("mediaProgress")
        self.progress.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.prompt = QLabel()
        self.prompt.setObjectName("mediaPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setStyleSheet("background: #fff7d6; border: 1px solid #e6c65c; border-radius: 3px; padding: 6px;")
        self.token_label = QLabel()
        self.token = QComboBox()
        self.token.setObjectName("mediaToken")
        self.token.setMinimumWidth(260)
        self.token_label.setBuddy(self.token)
        self.confirm = QPushButton()
        self.confirm.setObjectName("mediaConfirm")
        self.confirm.setAutoDefault(True)  # Enter on the focused button starts
        self.confirm.clicked.connect(self.confirmed.emit)
        self.action = QPushButton()
        self.action.setObjectName("mediaAction")
        self.cancel = QPushButton()
        self.cancel.setObjectName("mediaCancel")
        self.error = QLabel()
        self.error.setObjectName("mediaError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.action)
        head.addWidget(self.cancel)
        choose = QHBoxLayout()
        choose.addWidget(self.token_label)
        choose.addWidget(self.token, 1)
        choose.addWidget(self.confirm)
        self.choose_row = QWidget()
        self.choose_row.setLayout(choose)
        choose.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.state)
        layout.addWidget(self.steps)
        layout.addWidget(self.progress)
        layout.addWidget(self.prompt)
        layout.addWidget(self.choose_row)
        layout.addWidget(self.error)
        self.setTabOrder(self.action, self.cancel)
        self.setTabOrder(self.cancel, self.token)
        self.setTabOrder(self.token, self.confirm)
        self.show_view(view, [])

    # -- showing ------------------------------------------------------------------------------------------------

    def show_view(self, view: ItemView, free_tokens: list[TokenInfo]) -> None:
        """Show ``view``; ``free_tokens`` are the UKeys present that no other item of the plan uses."""
        self.view = view
        item = view.item
        kind = tr("UKey certificate") if view.is_certificate else tr("Password letter")
        who = tr("{name}, login ID {login}").format(name=html.escape(item.user_name or item.user_no), login=html.escape(item.login_id))
        self.title.setText(f"<b>{html.escape(kind)}</b> &nbsp; {who}")
        self.title.setAccessibleName(f"{kind} {item.user_name} {item.login_id}")
        self.state.setText(self._state_text(view))
        self.state.setStyleSheet(f"color: {DONE_COLOUR}; font-weight: 600;" if view.done else "")
        self._show_steps(view)
        self._show_choice(view, free_tokens)
        self._show_actions(view)
        message = error_text(view.error) if view.error is not None and view.mode not in (Mode.DONE, Mode.RUNNING) else ""
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _state_text(self, view: ItemView) -> str:
        mode = view.mode
        current = tr(STEP_NAMES[view.current]) if view.current is not None else ""
        if mode == Mode.DONE:
            if view.is_certificate:
                return tr("Handed over: UKey {token}, certificate {certificate}.").format(
                    token=view.token or "", certificate=view.certificate_serial or ""
                )
            return tr("Printed on letter {serial}.").format(serial=view.letter_serial or "")
        if mode == Mode.RUNNING:
            if view.note:  # stopping
                return tr(view.note)
            if view.is_certificate:
                return tr("Working on UKey {token}: {step}...").format(token=view.token or "", step=current or tr("Check UKey"))
            return tr("Printing the letter...")
        if mode == Mode.CHOOSING:
            return tr("Waiting for a UKey.")
        if mode == Mode.WAITING:
            return tr("Waiting for UKey {token}.").format(token=view.token or "")
        if mode == Mode.AUTHORIZATION:
            return tr("Stopped: a supervisor must re-authorize the certificate order.")
        if mode == Mode.REPRINT:
            if view.letter_serial:
                return tr("Letter {serial} is spoiled and its password void: a supervisor must allow a reprint.").format(
                    serial=view.letter_serial
                )
            return tr("Spoiled: a supervisor must allow a reprint.")
        if mode == Mode.FAILED:
            return tr("Failed; nothing else is affected. Correct the cause and try again.")
        if view.note:
            return tr(view.note)
        if view.interrupted:
            if view.is_certificate and view.token:
                return tr("Begun earlier on UKey {token}; not finished.").format(token=view.token)
            return tr("Begun earlier; not finished.")
        return tr("To do.")

    def _show_steps(self, view: ItemView) -> None:
        steps = view.steps
        self.steps.setVisible(bool(steps))
        if not steps:
            running = view.mode == Mode.RUNNING
            self.progress.setVisible(running)
            self.progress.setRange(0, 0 if running else 1)
            return
        parts = []
        for step in steps:
            name = html.escape(tr(STEP_NAMES[step]))
            if step in view.done_steps:
                parts.append(f'<span style="color:{DONE_COLOUR}">✓ {name}</span>')
            elif step == view.current and view.mode == Mode.RUNNING:
                parts.append(f"<b>▶ {name}</b>")
            elif step == view.failed_at and view.mode in (Mode.FAILED, Mode.AUTHORIZATION, Mode.WAITING):
                parts.append(f'<b style="color:#a01010">✗ {name}</b>')
            else:
                parts.append(f'<span style="color:{PENDING_COLOUR}">{name}</span>')
        self.steps.setText(" → ".join(parts))
        done = sum(1 for step in steps if step in view.done_steps)
        self.progress.setVisible(True)
        self.progress.setRange(0, len(steps))
        self.progress.setValue(done)
        self.progress.setAccessibleName(tr("{done} of {total} steps").format(done=done, total=len(steps)))

    def _show_choice(self, view: ItemView, free_tokens: list[TokenInfo]) -> None:
        item = view.item
        if view.mode == Mode.CHOOSING:
            kind = tr("a pre-made certificate UKey") if item.premade else tr("a blank UKey")
            self.prompt.setText(
                tr("Insert {kind} from your drawer for {name} (login ID {login}), choose it and press Enter.").format(
                    kind=kind, name=item.user_name or item.user_no, login=item.login_id
                )
            )
        elif view.mode == Mode.WAITING:
            self.prompt.setText(
                tr(
                    "Insert UKey {token} (for {name}) again: issuing goes on by itself when it is back. "
                    "Only if that UKey is broken, insert another one, choose it and press Start."
                ).format(token=view.token or "", name=item.user_name or item.user_no)
            )
        self.prompt.setVisible(view.mode in (Mode.CHOOSING, Mode.WAITING))
        choosing = view.mode in (Mode.CHOOSING, Mode.WAITING)
        self.choose_row.setVisible(choosing)
        if not choosing:
            return
        wanted = self.token.currentData()
        serials = [t.serial for t in free_tokens]
        if [self.token.itemData(i) for i in range(self.token.count())] != serials:
            self.token.blockSignals(True)
            self.token.clear()
            for info in free_tokens:
                label = info.label.strip()
                self.token.addItem(f"{info.serial}  {label}" if label else info.serial, info.serial)
            self.token.blockSignals(False)
        if wanted in serials:
            self.token.setCurrentIndex(serials.index(wanted))
        if not serials:
            self.token.setPlaceholderText(tr("No free UKey is inserted yet"))
        self.confirm.setEnabled(bool(serials))

    def select_token(self, serial: str) -> None:
        index = self.token.findData(serial)
        if index >= 0:
            self.token.setCurrentIndex(index)

    def chosen_token(self) -> str | None:
        data = self.token.currentData()
        return str(data) if data else None

    def _show_actions(self, view: ItemView) -> None:
        mode, certificate = view.mode, view.is_certificate
        texts = {
            Mode.TODO: tr("&Issue") if certificate else tr("&Print"),
            Mode.AUTHORIZATION: tr("&Supervisor re-authorization..."),
            Mode.REPRINT: tr("&Supervisor: allow a reprint..."),
            Mode.FAILED: tr("Re&try"),
        }
        text = texts.get(mode)
        self.action.setVisible(text is not None)
        if text is not None:
            self.action.setText(text)
        self.cancel.setVisible(mode in (Mode.CHOOSING, Mode.WAITING, Mode.RUNNING))
        self.cancel.setText(tr("&Cancel"))
        self.cancel.setToolTip(tr("Stops safely between two steps; nothing done is lost."))
        self.token_label.setText(tr("&UKey:"))
        self.confirm.setText(tr("Start (Enter)"))

    def set_busy(self, busy: bool) -> None:
        """Another item is running: this one's actions wait."""
        self.action.setEnabled(not busy)
        if busy:
            self.confirm.setEnabled(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.view.mode == Mode.CHOOSING and self.confirm.isEnabled():
            self.confirmed.emit()
            return
        super().keyPressEvent(event)
