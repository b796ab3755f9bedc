"""A first-come, first-served lock whose waiters give up on a deadline, a cancel event, or when it is closed.

``threading.Lock`` wakes waiters in no particular order; device calls must run in the order they were made, and a
caller waiting behind a long call must still honour its own timeout and cancel event.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from enum import Enum

POLL_INTERVAL = 0.02
"""How often a waiter with a cancel event looks at it (``threading.Event`` cannot be waited on with a condition)."""


class Wait(Enum):
    """Why :meth:`Turnstile.acquire` returned."""

    ACQUIRED = "acquired"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class Turnstile:
    """One holder at a time, served in arrival order."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[object] = deque()
        self._busy = False
        self._closed = False

    def acquire(self, deadline: float, cancel: threading.Event | None) -> Wait:
        """Wait for this caller's turn until ``deadline`` (``time.monotonic()``), ``cancel`` is set, or close."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            try:
                while True:
                    if self._closed:
                        return Wait.CLOSED
                    if not self._busy and self._queue[0] is ticket:
                        self._queue.popleft()
                        self._busy = True
                        return Wait.ACQUIRED
                    if cancel is not None and cancel.is_set():
                        return Wait.CANCELLED
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return Wait.TIMEOUT
                    self._cond.wait(min(remaining, POLL_INTERVAL) if cancel is not None else remaining)
            finally:
                if self._queue and ticket in self._queue:
                    self._queue.remove(ticket)
                    self._cond.notify_all()  # the next in line may be free to go now

    def release(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()

    def close(self) -> None:
        """Make every waiter, present and future, return ``CLOSED``. The current holder keeps its turn."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_idle(self, deadline: float) -> bool:
        """Wait until nobody holds the turnstile, at most until ``deadline``; True when idle."""
        with self._cond:
            while self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    @property
    def busy(self) -> bool:
        """Whether somebody holds the turnstile."""
        return self._busy

    @property
    def waiting(self) -> int:
        """How many callers wait for their turn (not counting the holder)."""
        with self._cond:
            return len(self._queue)
