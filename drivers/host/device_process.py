"""Run a device service in a worker process of its own, and call its methods with a timeout and a cancel event.

See :mod:`drivers.host` for the overview. In short: ``DeviceProcess("drivers.x.module:Service", arg)`` starts (on first
use) a ``spawn`` child that imports ``drivers.x.module``, makes ``Service(arg)`` on its one owner thread and runs every
:meth:`DeviceProcess.call` there, one at a time. A call that outlives its timeout or is cancelled takes the worker
down with it; a worker that died is replaced by a fresh one on the next call, with a fresh vendor context.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import math
import multiprocessing
import multiprocessing.util
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from drivers.host import protocol
from drivers.host.errors import (
    DeviceCallError,
    DeviceCancelledError,
    DeviceClosedError,
    DeviceCrashedError,
    DeviceStartError,
    DeviceTimeoutError,
    describe_exitcode,
)
from drivers.host.remote import RemoteError, RemoteTraceback, rebuild
from drivers.host.turnstile import POLL_INTERVAL, Turnstile, Wait
from drivers.host.worker import EOF, Worker

log = logging.getLogger(__name__)

OnRestart = Callable[[int], None]
Progress = Callable[..., None]


class DeviceProcess:
    """A service object living in its own worker process. Thread-safe; see :meth:`call` for the ordering rules.

    ``service`` is ``"package.module:ClassName"`` (a nested class or any callable returning the service is fine);
    the parent never imports it. ``args`` and ``service_kwargs`` go to its constructor and must pickle.

    ``name`` names the host in logs and errors (default: the class name). ``start_timeout`` bounds a worker's start:
    spawning the interpreter, importing the module and constructing the service. ``close_timeout`` bounds a graceful
    stop (the service's optional ``close()`` included); ``kill_grace`` is how long a terminated worker gets before it
    is killed, and again how long the kill may take. Records the worker logs at ``log_level`` or above reach the
    parent's logging. ``on_restart(generation)`` is called, on the thread that caused it, whenever a worker starts
    after an earlier one ended; it must not call this host. ``kill_with_parent`` also has the OS kill the worker when
    this process dies (see :mod:`drivers.host.guard`); it is on unless a test needs to see the pipe check alone.
    """

    def __init__(
        self,
        service: str,
        *args: Any,
        name: str | None = None,
        service_kwargs: Mapping[str, Any] | None = None,
        start_timeout: float = 30.0,
        close_timeout: float = 5.0,
        kill_grace: float = 1.0,
        log_level: int = logging.INFO,
        on_restart: OnRestart | None = None,
        kill_with_parent: bool = True,
    ) -> None:
        protocol.split_service(service)
        for label, value in (("start_timeout", start_timeout), ("close_timeout", close_timeout), ("kill_grace", kill_grace)):
            _check_seconds(label, value)
        self._service = service
        self._name = name or service.rpartition(":")[2]
        self._constructor = protocol.dumps((args, dict(service_kwargs or {})))  # fails here if they do not pickle
        self._start_timeout = start_timeout
        self._close_timeout = close_timeout
        self._kill_grace = kill_grace
        self._log_level = log_level
        self._on_restart = on_restart
        self._kill_with_parent = kill_with_parent
        self._context = multiprocessing.get_context("spawn")
        self._state = threading.Lock()
        self._turns = Turnstile()
        self._holder: int | None = None
        self._current = _Current()
        self._closed = False
        self._generation = 0
        self._ids = itertools.count(1)
        weakref.finalize(self, self._current.abandon).atexit = False
        _live.add(self)

    # --- what callers see ----------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def service(self) -> str:
        return self._service

    @property
    def generation(self) -> int:
        """How many workers have started so far: a change means a new service object (a new vendor context)."""
        return self._generation

    @property
    def pid(self) -> int | None:
        """The current worker's process id, or None when no worker runs."""
        worker = self._current.worker
        return worker.pid if worker is not None else None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> bool:
        """Whether a call (or a start or restart) is under way."""
        return self._turns.busy

    @property
    def queued(self) -> int:
        """How many calls wait for their turn behind the running one."""
        return self._turns.waiting

    def start(self, *, cancel: threading.Event | None = None) -> None:
        """Start the worker now, if none runs, instead of on the first call. Raises :class:`DeviceStartError`."""
        self._take_turn(None, time.monotonic() + self._start_timeout, self._start_timeout, cancel)
        try:
            self._ensure_worker(None, cancel)
        finally:
            self._give_turn()

    def call(
        self,
        method: str,
        /,
        *args: Any,
        timeout: float,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call ``service.method(*args, **kwargs)`` in the worker and return its result.

        **Ordering.** Calls run one at a time on the worker's owner thread, in the order they entered ``call``
        (first come, first served across all threads of this process).

        **Timeout.** ``timeout`` seconds bound the wait for this call's turn and the call itself. Starting a worker,
        when one is needed, is bounded by ``start_timeout`` instead, on top. If the time runs out while the call runs
        in the worker, the worker is presumed hung and stopped (terminated, killed after ``kill_grace``), and
        :class:`DeviceTimeoutError` is raised with ``sent=True``; if it runs out while waiting for the turn, nothing
        was sent and the worker is left alone (``sent=False``). ``cancel`` works the same way and raises
        :class:`DeviceCancelledError`. The next call starts a fresh worker.

        **Errors.** The service's exceptions are raised as themselves (their worker traceback is the
        ``__cause__``) or, when they cannot cross, as :class:`DeviceCallError`; the worker keeps running. A worker
        that dies during the call gives :class:`DeviceCrashedError`. Arguments that do not pickle raise here
        (``TypeError`` or ``pickle.PicklingError``) before anything is sent.

        **Progress.** With ``progress``, the service method gets a ``progress`` keyword argument: a function whose
        arguments (which must pickle) are passed on to ``progress`` on the calling thread, while the call runs. The
        names ``timeout``, ``cancel`` and ``progress`` cannot be passed as keywords to the service (pass them
        positionally).
        """
        _check_method(method)
        _check_seconds("timeout", timeout)
        began = time.monotonic()
        deadline = began + timeout
        blob = protocol.dumps((args, kwargs))
        self._take_turn(method, deadline, timeout, cancel)
        try:
            if cancel is not None and cancel.is_set():  # set before the turn came free: nothing is sent
                raise DeviceCancelledError(f"{self._name}: {method} was cancelled before it started", service=self._name, method=method)
            worker, start_took = self._ensure_worker(method, cancel)
            return self._exchange(worker, method, blob, deadline + start_took, timeout, cancel, progress, began)
        finally:
            self._give_turn()

    def restart(self, *, timeout: float | None = None, cancel: threading.Event | None = None) -> None:
        """Stop the worker gracefully (if one runs) and start a new one, after the calls ahead of this one.

        ``timeout`` bounds the wait for the turn (default ``start_timeout``); the stop and the start are bounded by
        ``close_timeout`` and ``start_timeout``.
        """
        budget = self._start_timeout if timeout is None else timeout
        _check_seconds("timeout", budget)
        self._take_turn("restart", time.monotonic() + budget, budget, cancel)
        try:
            with self._state:
                worker, self._current.worker = self._current.worker, None
            if worker is not None:
                worker.stop(self._close_timeout, self._kill_grace)
                log.info("%s: worker pid %d stopped for a restart", self._name, worker.pid)
            self._start_worker("restart", cancel)
        finally:
            self._give_turn()

    def close(self, timeout: float | None = None) -> None:
        """Stop the worker: the service's ``close()`` runs after the call in progress, if any; after ``timeout``
        (default ``close_timeout``) the worker is terminated. Calls waiting for their turn, and later calls, raise
        :class:`DeviceClosedError`. Safe to call twice and from any thread."""
        budget = self._close_timeout if timeout is None else timeout
        with self._state:
            already, self._closed = self._closed, True
            worker, self._current.worker = self._current.worker, None
        self._turns.close()
        _live.discard(self)
        if already and worker is None:
            return
        deadline = time.monotonic() + budget
        if worker is not None:
            code = worker.stop(budget, self._kill_grace)
            log.info("%s: worker pid %d stopped (%s)", self._name, worker.pid, describe_exitcode(code))
        if self._holder != threading.get_ident():  # a progress callback may close the host it is called from
            self._turns.wait_idle(deadline + self._kill_grace)

    def __enter__(self) -> DeviceProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DeviceProcess({self._service!r}, name={self._name!r}, pid={self.pid}, generation={self._generation})"

    # --- turns ---------------------------------------------------------------------------------------------

    def _take_turn(self, method: str | None, deadline: float, timeout: float, cancel: threading.Event | None) -> None:
        if self._holder == threading.get_ident():
            raise RuntimeError(f"{self._name}: a call from inside a call (a progress or restart callback) would wait for itself")
        outcome = self._turns.acquire(deadline, cancel)
        if outcome is Wait.ACQUIRED:
            self._holder = threading.get_ident()
            return
        what = method or "start"
        if outcome is Wait.CLOSED:
            raise DeviceClosedError(f"{self._name} is closed", service=self._name, method=method)
        if outcome is Wait.CANCELLED:
            raise DeviceCancelledError(f"{self._name}: {what} was cancelled before it started", service=self._name, method=method)
        raise DeviceTimeoutError(
            f"{self._name}: {what} did not get its turn within {timeout:g} s (the device is busy)",
            service=self._name, method=method, timeout=timeout, sent=False,
        )  # fmt: skip

    def _give_turn(self) -> None:
        self._holder = None
        self._turns.release()

    # --- workers -------------------------------------------------------------------------------------------

    def _ensure_worker(self, method: str | None, cancel: threading.Event | None) -> tuple[Worker, float]:
        """The running worker, or a new one; also how long starting it took (0 when none was started)."""
        with self._state:
            if self._closed:
                raise DeviceClosedError(f"{self._name} is closed", service=self._name, method=method)
            worker = self._current.worker
        if worker is not None:
            if worker.alive():
                return worker, 0.0
            code = worker.kill(self._kill_grace)
            log.warning("%s: worker pid %d ended while idle (%s); starting a new one", self._name, worker.pid, describe_exitcode(code))
            self._discard(worker)
        began = time.monotonic()
        worker = self._start_worker(method, cancel)
        return worker, time.monotonic() - began

    def _start_worker(self, method: str | None, cancel: threading.Event | None) -> Worker:
        spec = protocol.WorkerSpec(
            service=self._service, constructor=self._constructor, name=self._name, log_level=self._log_level,
            parent_pid=os.getpid(), kill_with_parent=self._kill_with_parent, close_grace=self._close_timeout,
        )  # fmt: skip
        began = time.monotonic()
        try:
            worker = Worker.spawn(self._context, spec, f"device {self._name}")
        except Exception as exc:
            raise DeviceStartError(f"{self._name}: could not start a worker process: {exc}", service=self._name, method=method) from exc
        deadline = began + self._start_timeout
        while True:
            if self.closed:
                worker.kill(self._kill_grace)
                raise DeviceClosedError(f"{self._name} was closed while its worker started", service=self._name, method=method)
            if cancel is not None and cancel.is_set():
                worker.kill(self._kill_grace)
                raise DeviceCancelledError(f"{self._name}: cancelled while the worker started", service=self._name, method=method)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                worker.kill(self._kill_grace)
                raise DeviceStartError(
                    f"{self._name}: the worker did not start within {self._start_timeout:g} s", service=self._name, method=method
                )
            message = worker.next_message(min(remaining, POLL_INTERVAL))
            if message is None:
                continue
            if message[0] == protocol.READY:
                break
            if message[0] == protocol.START_FAILED:
                raise self._start_failed(worker, method, message[1])
            if message[0] == EOF:
                code = worker.kill(self._kill_grace)
                raise DeviceStartError(
                    f"{self._name}: the worker died while starting ({describe_exitcode(code)})",
                    service=self._name, method=method, exitcode=code,
                )  # fmt: skip
        with self._state:
            closed = self._is_closed()
            if not closed:
                self._current.worker = worker
                self._generation += 1
            generation = self._generation
        if closed:
            worker.kill(self._kill_grace)
            raise DeviceClosedError(f"{self._name} was closed while its worker started", service=self._name, method=method)
        log.info("%s: worker pid %d ready in %.2f s (generation %d)", self._name, worker.pid, time.monotonic() - began, generation)
        if generation > 1 and self._on_restart is not None:
            try:
                self._on_restart(generation)
            except Exception:
                log.exception("%s: on_restart callback failed", self._name)
        return worker

    def _start_failed(self, worker: Worker, method: str | None, error: RemoteError) -> DeviceStartError:
        code = worker.exitcode(self._kill_grace)
        if code is None:
            code = worker.kill(self._kill_grace)
        else:
            worker.kill(self._kill_grace)  # only tidies up: joins the reader, closes the pipe
        failure = DeviceStartError(
            f"{self._name}: making the service {self._service} raised {error.type_name}: {error.message}",
            service=self._name, method=method, exitcode=code, remote_type=error.type_name, remote_message=error.message,
        )  # fmt: skip
        cause = rebuild(error)
        if cause is not None:
            cause.__cause__ = RemoteTraceback(error.traceback)
            failure.__cause__ = cause
        return failure

    def _is_closed(self) -> bool:
        return self._closed  # a method, so that type checkers do not carry an earlier check over a wait

    def _discard(self, worker: Worker) -> None:
        with self._state:
            if self._current.worker is worker:
                self._current.worker = None

    # --- one call ------------------------------------------------------------------------------------------

    def _exchange(
        self,
        worker: Worker,
        method: str,
        blob: bytes,
        deadline: float,
        timeout: float,
        cancel: threading.Event | None,
        progress: Progress | None,
        began: float,
    ) -> Any:
        request_id = next(self._ids)
        try:
            worker.send(protocol.dumps((protocol.CALL, request_id, method, progress is not None, blob)))
        except (OSError, ValueError):
            raise self._ended(worker, method, sent=False) from None
        while True:
            remaining = deadline - time.monotonic()
            message = worker.next_message(min(remaining, POLL_INTERVAL) if cancel is not None else remaining)
            if message is not None:  # a reply that is already there wins over a timeout or cancel found below
                kind = message[0]
                if kind == EOF:
                    raise self._ended(worker, method, sent=True)
                if message[1] == request_id:
                    if kind == protocol.OK:
                        log.debug("%s: %s took %.3f s", self._name, method, time.monotonic() - began)
                        return self._result(method, message[2])
                    if kind == protocol.ERROR:
                        raise self._remote_error(method, message[2])
                    if kind == protocol.PROGRESS:
                        self._report(progress, method, message[2])
            if cancel is not None and cancel.is_set():
                self._stop_hung(worker, method, "was cancelled")
                raise DeviceCancelledError(f"{self._name}: {method} was cancelled; its worker was stopped",
                                           service=self._name, method=method, sent=True)  # fmt: skip
            if time.monotonic() >= deadline:
                self._stop_hung(worker, method, f"did not return within {timeout:g} s")
                raise DeviceTimeoutError(
                    f"{self._name}: {method} did not return within {timeout:g} s; its worker was stopped",
                    service=self._name, method=method, timeout=timeout, sent=True,
                )  # fmt: skip

    def _result(self, method: str, blob: bytes) -> Any:
        try:
            return protocol.loads(blob)
        except Exception as exc:
            raise DeviceCallError(
                f"{self._name}: the result of {method} cannot be unpickled here: {exc}",
                service=self._name, method=method, remote_type=type(exc).__name__, remote_message=str(exc),
            ) from exc  # fmt: skip

    def _report(self, progress: Progress | None, method: str, blob: bytes) -> None:
        if progress is None:
            return
        try:
            args, kwargs = protocol.loads(blob)
            progress(*args, **kwargs)
        except Exception:
            log.warning("%s: the progress callback of %s failed", self._name, method, exc_info=True)

    def _remote_error(self, method: str, error: RemoteError) -> Exception:
        exc = rebuild(error)
        if exc is None:
            log.debug("%s: %s raised %s, which cannot be carried back", self._name, method, error.type_name)
            return DeviceCallError(
                f"{self._name}: {method} raised {error.type_name}: {error.message}",
                service=self._name, method=method, remote_type=error.type_name, remote_message=error.message,
                remote_traceback=error.traceback,
            )  # fmt: skip
        log.debug("%s: %s raised %s", self._name, method, error.type_name)
        if error.traceback:
            exc.__cause__ = RemoteTraceback(error.traceback)
        return exc

    def _stop_hung(self, worker: Worker, method: str, why: str) -> None:
        log.warning("%s: %s %s; stopping worker pid %d", self._name, method, why, worker.pid)
        code = worker.kill(self._kill_grace)
        log.info("%s: worker pid %d stopped (%s)", self._name, worker.pid, describe_exitcode(code))
        self._discard(worker)

    def _ended(self, worker: Worker, method: str, *, sent: bool) -> Exception:
        code = worker.exitcode(self._kill_grace)
        worker.kill(self._kill_grace)  # tidy up; kills only if the process somehow still runs
        self._discard(worker)
        if self._closed:
            return DeviceClosedError(f"{self._name} was closed during {method}", service=self._name, method=method)
        log.error("%s: worker pid %d died during %s (%s)", self._name, worker.pid, method, describe_exitcode(code))
        return DeviceCrashedError(
            f"{self._name}: the worker died during {method} ({describe_exitcode(code)})",
            service=self._name, method=method, exitcode=code, sent=sent,
        )  # fmt: skip


class _Current:
    """The host's current worker, kept apart from the host so that a finalizer can reach it."""

    def __init__(self) -> None:
        self.worker: Worker | None = None

    def abandon(self) -> None:
        """The host was garbage-collected without close(): ask its worker to stop, without waiting."""
        worker, self.worker = self.worker, None
        if worker is not None:
            with contextlib.suppress(OSError, ValueError):
                worker.send(protocol.dumps((protocol.CLOSE,)))


def _check_method(method: str) -> None:
    if not isinstance(method, str) or not method.isidentifier() or method.startswith("_"):
        raise ValueError(f"not a public method name: {method!r}")


def _check_seconds(label: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{label} must be a finite number of seconds above zero, not {value!r}")


_live: weakref.WeakSet[DeviceProcess] = weakref.WeakSet()


@atexit.register
def _close_all_at_exit() -> None:
    """Close hosts nobody closed, gracefully but briefly. Registered after ``multiprocessing.util`` (imported
    above), so it runs before that module's own exit hook terminates daemonic children."""
    for host in list(_live):
        try:
            host.close(timeout=min(host._close_timeout, 2.0))
        except Exception:
            log.exception("%s: closing at exit failed", host.name)
