"""Running blocking work off the GUI thread.

``WorkerPool.submit(fn, on_done, on_error)`` runs ``fn`` on a thread of the
pool and delivers its result or exception back on the GUI thread through Qt
signals. Workers never touch widgets and nobody spins ``processEvents``.
Cancellation is cooperative: ``fn`` receives a :class:`threading.Event` it
checks, and a cancelled job's result is dropped.

No Qt object is ever created or destroyed on a worker thread: the pool runs a
plain Python callable, and each job's signal relay belongs to the pool (it
lives on the GUI thread and is deleted there, with ``deleteLater``, once its
answer has been delivered).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from teller_client.errors import CancelledError

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class Job:
    """One piece of blocking work; :meth:`cancel` asks it to stop and drops its result."""

    def __init__(self, fn: Callable[[threading.Event], Any], relay: _Relay) -> None:
        self.fn = fn
        self.cancel_event = threading.Event()
        self.relay = relay

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:
        try:
            result = self.fn(self.cancel_event)
        except BaseException as exc:  # delivered to the GUI thread's error router
            if not self.cancel_event.is_set():
                self.relay.failed.emit(exc)
            else:
                self.relay.failed.emit(CancelledError())
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
        relay = _Relay(self)  # owned by the pool, on the GUI thread
        job = Job(fn, relay)
        self._jobs.add(job)

        def finish() -> None:
            self._jobs.discard(job)
            relay.deleteLater()

        def finished_ok(result: Any) -> None:
            finish()
            on_done(result)

        def finished_error(exc: BaseException) -> None:
            finish()
            if isinstance(exc, CancelledError):
                log.debug("job cancelled")
                return
            on_error(exc)

        relay.done.connect(finished_ok)
        relay.failed.connect(finished_error)
        self._pool.start(job.run)
        return job

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for running jobs (at shutdown and in tests only, never from a GUI handler)."""
        return bool(self._pool.waitForDone(msecs))
