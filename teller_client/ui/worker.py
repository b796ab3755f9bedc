"""Running blocking work off the GUI thread.

``WorkerPool.submit(fn, on_done, on_error)`` runs ``fn`` on a thread of the
pool and delivers its result or exception back on the GUI thread through Qt
signals. Workers never touch widgets and nobody spins ``processEvents``.
Cancellation is cooperative: ``fn`` receives a :class:`threading.Event` it
checks, and a cancelled job's result is dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from teller_client.errors import CancelledError

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class Job(QRunnable):
    def __init__(self, fn: Callable[[threading.Event], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.cancel_event = threading.Event()
        self.relay = _Relay()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:
        try:
            result = self.fn(self.cancel_event)
        except BaseException as exc:  # delivered to the GUI thread's error router
            if not self.cancel_event.is_set():
                self.relay.failed.emit(exc)
            return
        if self.cancel_event.is_set():
            self.relay.failed.emit(CancelledError())
        else:
            self.relay.done.emit(result)


class WorkerPool(QObject):
    """The one facility for blocking work; keeps the jobs it runs alive until they report."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job] = set()

    def submit(
        self,
        fn: Callable[[threading.Event], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> Job:
        job = Job(fn)
        self._jobs.add(job)

        def finished_ok(result: Any) -> None:
            self._jobs.discard(job)
            on_done(result)

        def finished_error(exc: BaseException) -> None:
            self._jobs.discard(job)
            if isinstance(exc, CancelledError):
                log.debug("job cancelled")
                return
            on_error(exc)

        job.relay.done.connect(finished_ok)
        job.relay.failed.connect(finished_error)
        self._pool.start(job)
        return job

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for running jobs (at shutdown and in tests only, never from a GUI handler)."""
        return bool(self._pool.waitForDone(msecs))
