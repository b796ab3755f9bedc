"""The one place errors reach the teller.

Every error of a worker, a slot or an uncaught exception on any thread goes
through :meth:`ErrorRouter.report`: a :class:`TellerError` is shown with its
message in the teller's language, a cancellation is silent, anything else is
logged with its traceback (redacted) and shown as an unexpected fault with
the log's location for branch IT.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from teller_client.errors import CancelledError, TellerError
from teller_client.i18n import language, tr

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    """What the teller reads about ``exc``, in the current language (logs nothing; see :meth:`ErrorRouter.describe`)."""
    if isinstance(exc, TellerError):
        return exc.message(language())
    return tr("Something went wrong that the program did not expect. Your work is saved. Details are in the log for branch IT.")


class ErrorRouter(QObject):
    shown = Signal(str, str)
    """(title, text) of each message shown; tests and the status bar listen."""
    _from_thread = Signal(object)

    def __init__(self, parent_widget: QWidget | None = None, *, interactive: bool = True) -> None:
        super().__init__()
        self._parent = parent_widget
        self._interactive = interactive
        self._from_thread.connect(self.report)

    def set_parent_widget(self, widget: QWidget) -> None:
        self._parent = widget

    def report(self, exc: BaseException) -> None:
        """Show ``exc`` in a message box (and emit :attr:`shown`)."""
        described = self.describe(exc)
        if described is None:
            return
        title, text = described
        self.shown.emit(title, text)
        if self._interactive:
            QMessageBox.critical(self._parent, title, text)

    def describe(self, exc: BaseException) -> tuple[str, str] | None:
        """Log ``exc`` and return the (title, text) the teller should read; ``None`` for a cancellation.

        Pages that show an error inline (the login and lock pages) use this
        instead of :meth:`report`, so every error is still logged and worded
        in one place.
        """
        if isinstance(exc, CancelledError):
            return None
        if isinstance(exc, TellerError):
            log.warning("error shown to the teller: %s (%s)", exc.code, exc.message_en)
            return tr("Cannot continue"), error_text(exc)
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        return tr("Unexpected error"), error_text(exc)

    def install_hooks(self) -> None:
        """Route uncaught exceptions of the GUI thread and of every other thread here."""

        def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
            if issubclass(kind, KeyboardInterrupt):
                sys.__excepthook__(kind, exc, tb)
                return
            self._from_thread.emit(exc.with_traceback(tb))

        def thread_hook(args: threading.ExceptHookArgs) -> None:
            if args.exc_value is not None:
                self._from_thread.emit(args.exc_value)

        sys.excepthook = excepthook
        threading.excepthook = thread_hook
