"""A timeout and a cancel event together: what every blocking step of a backend checks."""

from __future__ import annotations

import math
import threading
import time

from drivers.printing.errors import PrintError

POLL_INTERVAL = 0.05
"""How often a blocking step wakes to look at the cancel event: the upper bound of how late a cancel is seen."""


class Deadline:
    """``timeout`` seconds from now, or earlier when ``cancel`` is set."""

    def __init__(self, printer: str, timeout: float, cancel: threading.Event | None) -> None:
        if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
            raise ValueError("timeout must be a positive number of seconds")
        self.printer = printer
        self.timeout = float(timeout)
        self.cancel = cancel
        self._end = time.monotonic() + self.timeout

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def slice(self, limit: float = POLL_INTERVAL) -> float:
        """How long the next wait may block: ``limit`` at most, and never past the deadline."""
        return min(limit, self.remaining())

    def check(self, *, bytes_sent: int = 0, job_id: str | None = None, what: str = "the job") -> None:
        """Raise ``cancelled`` or ``timeout`` when it is time to stop."""
        if self.cancelled():
            raise PrintError("cancelled", printer=self.printer, bytes_sent=bytes_sent, job_id=job_id)
        if self.remaining() <= 0:
            raise self.timeout_error(bytes_sent=bytes_sent, job_id=job_id, what=what)

    def timeout_error(self, *, bytes_sent: int = 0, job_id: str | None = None, what: str = "the job") -> PrintError:
        return PrintError(
            "timeout",
            f"The printer did not finish {what} within {self.timeout:g} seconds.",
            printer=self.printer,
            bytes_sent=bytes_sent,
            job_id=job_id,
        )

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (never past the deadline), returning early when cancel is set."""
        wait = min(seconds, self.remaining())
        if self.cancel is not None:
            self.cancel.wait(wait)
        elif wait > 0:
            time.sleep(wait)
