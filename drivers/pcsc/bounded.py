"""Run one PC/SC job on a thread of its own, bounded by a timeout and a cancel event.

libpcsclite has no client-side timeout (a hung pcscd blocks every call), so a call that must return in time
cannot run its context on the caller's thread. :func:`run_bounded` starts a short-lived daemon thread that owns
the job's context from establishment to release (one owner thread per context), and waits for it in slices of
:data:`POLL` seconds, checking the caller's cancel event between slices. On timeout or cancel it interrupts the
job's blocking wait with ``SCardCancel`` and raises at once; a job stuck inside a hung service is abandoned (it
ends, and releases its context, when the service answers or dies).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from drivers.pcsc.context import ContextLike, PcscContext
from drivers.pcsc.errors import PcscError, cancelled_error, timeout_error

__all__ = ["POLL", "Job", "cancel_in_background", "run_bounded"]

log = logging.getLogger(__name__)

T = TypeVar("T")

POLL = 0.05
"""Seconds between two looks at the caller's cancel event while a job runs."""

MAX_STUCK = 8
"""Jobs given up while still inside the service; beyond this many, calls fail at once instead of adding threads."""

_stuck = 0
_stuck_lock = threading.Lock()


def _count_stuck(delta: int) -> None:
    global _stuck
    with _stuck_lock:
        _stuck += delta


class Job:
    """What a job's body gets: its context, and whether the caller has given up on it."""

    def __init__(self, context: ContextLike, deadline: float) -> None:
        self.context = context
        self.deadline = deadline
        self._abandoned = threading.Event()

    @property
    def abandoned(self) -> bool:
        """True once the caller timed out or cancelled; a looping body should stop."""
        return self._abandoned.is_set()

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def abandon(self) -> None:
        self._abandoned.set()
        cancel_in_background(self.context)


def cancel_in_background(context: ContextLike, name: str = "pcsc-cancel") -> threading.Thread:
    """Call ``context.cancel()`` on a daemon thread of its own, and return that thread.

    ``SCardCancel`` is not always quick: libpcsclite sends it to pcscd and waits for the answer, and it takes the
    library's one global lock, which a call stuck in a hung pcscd (``SCardEstablishContext`` holds it throughout)
    keeps. Only a throw-away thread may wait for that; the caller must not.
    """
    thread = threading.Thread(target=context.cancel, name=name, daemon=True)
    thread.start()
    return thread


class _Outcome(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None
        self.job: Job | None = None
        self.lock = threading.Lock()
        self.given_up = False


def run_bounded(
    body: Callable[[Job], T],
    *,
    what: str,
    timeout: float,
    cancel: threading.Event | None = None,
    reader: str | None = None,
    establish: Callable[[], ContextLike] = PcscContext.establish,
) -> T:
    """Establish a context, run ``body(job)`` with it and release it, all on one new thread; return its result.

    Raises the body's :class:`PcscError`, or ``timeout`` after ``timeout`` seconds, or ``cancelled`` soon after
    ``cancel`` is set (within :data:`POLL` seconds). ``what`` names the job in English for the messages.
    """
    if cancel is not None and cancel.is_set():
        raise cancelled_error(what, reader)
    with _stuck_lock:
        stuck = _stuck
    if stuck >= MAX_STUCK:
        raise PcscError("timeout", f"The smart card service is not answering ({stuck} calls still wait for it).", reader=reader)
    deadline = time.monotonic() + timeout
    outcome: _Outcome[T] = _Outcome()

    def work() -> None:
        context: ContextLike | None = None
        try:
            context = establish()
            with outcome.lock:
                if outcome.given_up:
                    return
                outcome.job = Job(context, deadline)
            outcome.value = body(outcome.job)
        except BaseException as exc:  # handed to the caller, who re-raises it
            outcome.error = exc
        finally:
            if context is not None:
                context.release()
            with outcome.lock:
                outcome.done.set()
                if outcome.given_up:
                    _count_stuck(-1)

    thread = threading.Thread(target=work, name=f"pcsc-{what}", daemon=True)
    thread.start()
    while not outcome.done.wait(min(POLL, max(0.0, deadline - time.monotonic()))):
        if cancel is not None and cancel.is_set() and _give_up(outcome):
            raise cancelled_error(what, reader)
        if time.monotonic() >= deadline and _give_up(outcome):
            raise timeout_error(what, timeout, reader)
    if outcome.error is not None:
        if isinstance(outcome.error, PcscError):
            raise outcome.error
        raise PcscError("pcsc_error", f"The smart card service failed while {what}.", reader=reader, reason=repr(outcome.error)) from (
            outcome.error
        )
    return cast(T, outcome.value)  # set whenever no error was


def _give_up(outcome: _Outcome[T]) -> bool:
    """Abandon the job unless it has just finished; True when abandoned."""
    with outcome.lock:
        if outcome.done.is_set():
            return False
        outcome.given_up = True
        _count_stuck(+1)
        job = outcome.job
    if job is not None:
        job.abandon()
    log.debug("PC/SC job given up; its thread ends when the service answers")
    return True
