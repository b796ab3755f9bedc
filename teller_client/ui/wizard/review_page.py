"""The review page: the whole application on one page, every rule checked again, the version the supervisor approves.

On arrival the session re-validates the whole application (:meth:`SigningSession.check`); the page then shows,
top to bottom: the supervisor's reason when the application came back from sign-off; the snapshot hash (first
12 hex characters, grouped) labelled as the version the supervisor will approve; every problem grouped by the
page that owns it, each group with a button that asks to open that page; and the application itself as
read-only rich text (the form and its verification, customer, accounts, users, services with function counts,
fees), each section headed by a "change" link to its page.

**Wiring**: the page does not move the wizard itself. It emits :attr:`ReviewPage.open_page` with the
:class:`~teller_client.flows.signing.Page` to open; the wizard connects it to
:meth:`~teller_client.ui.wizard.signing_wizard.SigningWizard.go_to`.

Controls (object names): ``returnedReason`` (shown only after a return), ``snapshotHash``, ``formState`` (the
e-form's verification), ``reviewAllClear`` (no problems), ``reviewProblems`` (the groups), per group
``problems_<page>`` (the lines; ``problems_form`` for the form's own fields) and ``goto_<page>`` (the button),
``reviewSummary`` (a keyboard-scrollable text browser: arrows and Page Up/Down scroll, Tab moves through its
"change" links, Enter opens one).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QTextBrowser, QWidget

from teller_client.domain.problems import Problem, Severity
from teller_client.flows.signing import Page, problem_key
from teller_client.i18n import sentences, tr
from teller_client.ui.wizard.fields import ERROR_COLOUR, WARNING_COLOUR, problem_lines
from teller_client.ui.wizard.page import WizardContext, WizardPage
from teller_client.ui.wizard.review_summary import form_state, grouped, short_hash, summary_html, title

OK_COLOUR = "#1a5e20"


class ReviewPage(WizardPage):
    page = Page.REVIEW
    open_page = Signal(object)
    """The teller asked to open a page (a :class:`Page`) to change what it owns; connect to the wizard's ``go_to``."""

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.returned = QLabel()
        self.returned.setObjectName("returnedReason")
        self.returned.setWordWrap(True)
        self.returned.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.returned.setStyleSheet(
            f"background: #fdecea; color: {ERROR_COLOUR}; border: 2px solid #e0a0a0; padding: 8px; font-weight: 600; font-size: 110%;"
        )
        self.returned.setVisible(False)
        self.version = QLabel()
        self.version.setObjectName("snapshotHash")
        self.version.setWordWrap(True)
        self.version.setTextFormat(Qt.TextFormat.RichText)
        self.version.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QLabel()
        self.form.setObjectName("formState")
        self.form.setWordWrap(True)
        self.all_clear = QLabel()
        self.all_clear.setObjectName("reviewAllClear")
        self.all_clear.setWordWrap(True)
        self.all_clear.setStyleSheet(f"color: {OK_COLOUR}; font-weight: 600;")
        self.problems = QWidget()
        self.problems.setObjectName("reviewProblems")
        self.problem_grid = QGridLayout(self.problems)
        self.problem_grid.setContentsMargins(0, 0, 0, 0)
        self.problem_grid.setColumnStretch(1, 1)
        self.goto_buttons: dict[Page | None, QPushButton] = {}
        self.summary = QTextBrowser()
        self.summary.setObjectName("reviewSummary")
        self.summary.setOpenLinks(False)
        self.summary.setOpenExternalLinks(False)
        self.summary.anchorClicked.connect(self._link)
        self.summary.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.summary.setMinimumHeight(self.fontMetrics().height() * 18)
        self.summary.setTabChangesFocus(False)

        for widget in (self.returned, self.version, self.form, self.all_clear, self.problems):
            self.body.addWidget(widget)
        self.body.addWidget(self.summary, 1)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.summary.setAccessibleName(tr("The whole application"))
        self.refresh()

    def entered(self) -> None:
        """Every rule is checked again on arrival (the business date may have moved, the catalogue changed)."""
        session = self.session
        if session is not None:
            before = session.state.problems
            session.check()
            if session.state.problems != before:
                self.changed()
        buttons = [b for b in self.goto_buttons.values() if b.isEnabled()]
        (buttons[0] if buttons else self.summary).setFocus(Qt.FocusReason.TabFocusReason)

    def refresh(self) -> None:
        session = self.session
        if session is None:
            return
        state = session.state
        reason = state.returned_reason
        self.returned.setVisible(bool(reason))
        if reason:
            self.returned.setText(tr("Returned by the supervisor: {reason}").format(reason=reason))
            self.returned.setAccessibleName(self.returned.text())
        if state.snapshot_hash:
            version = tr("Version the supervisor will approve: {hash}").format(hash=short_hash(state.snapshot_hash))
            note = tr("Any change makes a new version.")
            self.version.setText(f'<b>{escape(version)}</b> &nbsp; <span style="color: #555;">{escape(note)}</span>')
            self.version.setAccessibleName(sentences(version, note))
            self.version.setStyleSheet("font-size: 110%;")
        else:
            self.version.setText(tr("No version to approve yet: the application cannot be read until the errors below are corrected."))
            self.version.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: 600;")
            self.version.setAccessibleName(self.version.text())
        unverified = session.source == "eform" and not session.verified
        self.form.setText(form_state(session))
        self.form.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: 600;" if unverified else "color: #333;")
        self._show_problems(state.problems, state.pages, state.confirmed_warnings)
        scroll = self.summary.verticalScrollBar().value()
        self.summary.setHtml(summary_html(session))
        self.summary.verticalScrollBar().setValue(scroll)

    def _show_problems(self, problems: tuple[Problem, ...], pages: tuple[Page, ...], confirmed: frozenset[str]) -> None:
        while self.problem_grid.count():
            item = self.problem_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.goto_buttons = {}
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        warnings = len(problems) - errors
        if not problems:
            self.all_clear.setText(tr("Every rule was checked again: no problems."))
            self.all_clear.setStyleSheet(f"color: {OK_COLOUR}; font-weight: 600;")
        else:
            self.all_clear.setText(
                tr("Every rule was checked again: {errors} error(s) and {warnings} warning(s), by page below.").format(
                    errors=errors, warnings=warnings
                )
            )
            self.all_clear.setStyleSheet(f"color: {ERROR_COLOUR if errors else WARNING_COLOUR}; font-weight: 600;")
        self.all_clear.setAccessibleName(self.all_clear.text())
        previous: QWidget | None = None
        for row, (page, group) in enumerate(grouped(problems)):
            name = page.value if page is not None else "form"
            button = QPushButton(tr("Go to {page}").format(page=title(page)) if page is not None else title(None))
            button.setObjectName(f"goto_{name}")
            button.setEnabled(page is not None and page in pages)
            button.setToolTip(tr("Open the page to correct these problems."))
            if page is not None:
                button.clicked.connect(lambda _checked=False, page=page: self.open_page.emit(page))
            lines = QLabel(
                "\n".join(
                    problem_lines([p]) + (" " + tr("(confirmed)") if p.overridable and problem_key(p) in confirmed else "") for p in group
                )
            )
            lines.setObjectName(f"problems_{name}")
            lines.setWordWrap(True)
            lines.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            has_error = any(p.severity is Severity.ERROR for p in group)
            lines.setStyleSheet(f"color: {ERROR_COLOUR if has_error else WARNING_COLOUR};")
            lines.setAccessibleName(lines.text())
            self.problem_grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            self.problem_grid.addWidget(lines, row, 1)
            self.goto_buttons[page] = button
            if previous is not None:
                QWidget.setTabOrder(previous, button)
            previous = button
        if previous is not None:
            QWidget.setTabOrder(previous, self.summary)
        self.problems.setVisible(bool(problems))

    def _link(self, url: QUrl) -> None:
        if url.scheme() == "page":
            try:
                page = Page(url.path())
            except ValueError:
                return
            self.open_page.emit(page)
