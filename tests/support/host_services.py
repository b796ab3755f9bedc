"""Services for the device host's tests (tests/device/test_device_host.py), run in its worker processes.

:class:`ToyService` misbehaves on demand like a vendor library can: it hangs, hangs holding the GIL, ignores
SIGTERM, exits, segfaults, raises exceptions that pickle badly or not at all, and dies while idle.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class TypedDeviceError(Exception):
    """Like a driver error: keyword-only attributes, so Python's default exception pickling would lose them."""

    def __init__(self, code: str, message: str, *, attempts_left: int | None = None, reader: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.attempts_left = attempts_left
        self.reader = reader


@dataclass
class DataclassDeviceError(Exception):
    """A dataclass exception made with keywords: its ``args`` are empty."""

    code: str
    attempts_left: int


class UnpicklableError(Exception):
    """Holds a lock, which does not pickle."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


class ToyService:
    """A stand-in for a vendor library adapter. Made (and every method run) on the worker's owner thread."""

    def __init__(self, prefix: str = "", *, close_marker: str | None = None, close_delay: float = 0.0) -> None:
        self.prefix = prefix
        self.count = 0
        self.made_on = threading.get_ident()
        self.recorded: list[str] = []
        self._close_marker = close_marker
        self._close_delay = close_delay
        log.info("toy service made")

    # --- plain calls -----------------------------------------------------------------------------------------

    def echo(self, value: Any) -> Any:
        return value

    def greet(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def add(self, a: int, b: int) -> int:
        return a + b

    def counter(self) -> int:
        self.count += 1
        return self.count

    def record(self, tag: str) -> None:
        self.recorded.append(tag)

    def recording(self) -> list[str]:
        return list(self.recorded)

    def thread_ident(self) -> int:
        return threading.get_ident()

    def made_on_thread(self) -> int:
        return self.made_on

    def main_thread_ident(self) -> int:
        return threading.main_thread().ident or 0

    def pid(self) -> int:
        return os.getpid()

    def log_lines(self, message: str) -> None:
        log.debug("debug: %s", message)
        log.info("info: %s", message)
        log.warning("warning: %s", message)

    def steps(self, n: int, progress: Callable[..., None] | None = None) -> str:
        for i in range(1, n + 1):
            if progress is not None:
                progress(i, n, note=f"step {i}")
        return "done"

    # --- misbehaviour ----------------------------------------------------------------------------------------

    def sleep(self, seconds: float) -> float:
        time.sleep(seconds)
        return seconds

    def sleep_holding_gil(self, seconds: int) -> None:
        """A C call made without releasing the GIL (ctypes.PyDLL), as a stuck vendor library would: no other thread
        of the worker can run Python code until it returns."""
        if sys.platform == "win32":
            ctypes.PyDLL("kernel32").Sleep(seconds * 1000)
        else:
            ctypes.PyDLL(None).sleep(seconds)

    def ignore_sigterm_and_sleep(self, seconds: float) -> None:
        """Ignore SIGTERM at the C level (no Python handler involved), then hang."""
        ctypes.CDLL(None).signal(15, ctypes.c_void_p(1))  # SIG_IGN
        time.sleep(seconds)

    def crash(self, code: int = 3) -> None:
        os._exit(code)

    def segfault(self) -> None:
        ctypes.string_at(0)

    def crash_later(self, delay: float) -> None:
        """Return now; a background thread kills the process after ``delay`` seconds (death while idle)."""
        threading.Timer(delay, os._exit, args=(7,)).start()

    def raise_typed(self, attempts_left: int) -> None:
        raise TypedDeviceError("pin_incorrect", "PIN incorrect", attempts_left=attempts_left, reader="Virtual Reader 0")

    def raise_dataclass(self) -> None:
        raise DataclassDeviceError(code="token_full", attempts_left=0)

    def raise_value_error(self, message: str) -> None:
        raise ValueError(message)

    def raise_unpicklable(self) -> None:
        raise UnpicklableError("holds a lock")

    def raise_local_class(self) -> None:
        class LocalError(Exception):
            pass

        raise LocalError("defined inside a function")

    def raise_system_exit(self) -> None:
        raise SystemExit(4)

    def unpicklable_result(self) -> Any:
        return threading.Lock()

    def close(self) -> None:
        time.sleep(self._close_delay)
        if self._close_marker is not None:
            Path(self._close_marker).write_text(f"closed by {os.getpid()}", encoding="utf-8")


class FailingService:
    """Its constructor raises a typed error, as a driver does when the vendor library is missing."""

    def __init__(self) -> None:
        raise TypedDeviceError("library_missing", "no such PKCS#11 library", reader=None)


class DyingService:
    """Its constructor kills the process."""

    def __init__(self, code: int = 5) -> None:
        os._exit(code)


class SlowService:
    """Its constructor takes ``seconds``."""

    def __init__(self, seconds: float) -> None:
        time.sleep(seconds)

    def ping(self) -> str:
        return "pong"


class HangingPkcs11:
    """Stands in for a vendor PKCS#11 module whose token listing never returns (OpenSC waiting on a stopped pcscd)."""

    def __init__(self, library_path: str) -> None:
        self.library_path = library_path

    def tokens(self) -> list[object]:
        time.sleep(3600)
        return []
