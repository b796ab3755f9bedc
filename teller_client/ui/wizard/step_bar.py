"""The step bar: where the teller is and what is left (seed 004's progress), one button per page.

A step already reached can be opened with a click or from the keyboard (Tab to it, Space); the colours say
done, current, still to do, needs attention (with the number of problems) and locked (after submission).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from teller_client.flows.signing import Page, SigningState, StepProgress, StepView
from teller_client.i18n import language, tr

STYLES = {
    StepProgress.DONE: "background: #e3f1e6; color: #1d5c2c; border: 1px solid #9fcfa9;",
    StepProgress.CURRENT: "background: #1f5fa8; color: white; border: 1px solid #1f5fa8; font-weight: 600;",
    StepProgress.TODO: "background: #f4f4f4; color: #555; border: 1px solid #d0d0d0;",
    StepProgress.NEEDS_ATTENTION: "background: #fff1d6; color: #7a4a00; border: 1px solid #e0b060;",
    StepProgress.LOCKED: "background: #ececec; color: #888; border: 1px solid #d0d0d0;",
}
MARKS = {
    StepProgress.DONE: "✓",
    StepProgress.CURRENT: "▶",
    StepProgress.TODO: "",
    StepProgress.NEEDS_ATTENTION: "!",
    StepProgress.LOCKED: "✓",  # done and no longer editable (the colour says locked; an emoji lock is missing from CJK fonts)
}
PROGRESS_NAMES = {
    StepProgress.DONE: ("已完成", "done"),
    StepProgress.CURRENT: ("当前步骤", "current step"),
    StepProgress.TODO: ("未开始", "to do"),
    StepProgress.NEEDS_ATTENTION: ("需要处理", "needs attention"),
    StepProgress.LOCKED: ("已锁定", "locked"),
}


class StepBar(QWidget):
    chosen = Signal(object)
    """A :class:`Page` the teller clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepBar")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(8, 6, 8, 6)
        self.row.setSpacing(4)
        self.summary = QLabel()
        self.summary.setObjectName("stepSummary")
        self.buttons: dict[Page, QPushButton] = {}
        self.views: tuple[StepView, ...] = ()

    def show_state(self, state: SigningState) -> None:
        self.views = state.steps()
        pages = [v.page for v in self.views]
        if list(self.buttons) != pages:
            for button in self.buttons.values():
                button.deleteLater()
            self.buttons = {}
            while self.row.count():
                self.row.takeAt(0)
            for page in pages:
                button = QPushButton()
                button.setObjectName(f"step_{page.value}")
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                button.clicked.connect(lambda _checked=False, page=page: self.chosen.emit(page))
                self.buttons[page] = button
                self.row.addWidget(button)
            self.row.addWidget(self.summary)
        zh = language() == "zh"
        for number, view in enumerate(self.views, start=1):
            button = self.buttons[view.page]
            title = view.title_zh if zh else view.title_en
            mark = MARKS[view.progress]
            extra = f" ({view.problems})" if view.progress is StepProgress.NEEDS_ATTENTION and view.problems else ""
            button.setText(f"{number} {title}{extra} {mark}".strip())
            button.setStyleSheet(f"QPushButton {{ {STYLES[view.progress]} border-radius: 3px; padding: 4px 6px; }}")
            name = PROGRESS_NAMES[view.progress][0 if zh else 1]
            button.setAccessibleName(f"{title}: {name}")
            button.setToolTip(name)
            reachable = view.page in state.visited and view.progress is not StepProgress.LOCKED and view.page is not Page.START
            button.setEnabled(reachable or view.progress is StepProgress.CURRENT)
        done = sum(1 for v in self.views if v.progress in (StepProgress.DONE, StepProgress.LOCKED))
        self.summary.setText(tr("{done} of {total} steps done").format(done=done, total=len(self.views)))

    def set_focusable(self, focusable: bool) -> None:
        for button in self.buttons.values():
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus if focusable else Qt.FocusPolicy.NoFocus)
