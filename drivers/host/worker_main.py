"""The worker process: makes the service on its one owner thread and runs the parent's calls there, one at a time.

Threads in the worker:

* the **main thread** reads the request pipe and queues each call for the owner thread. End of file means the
  parent is gone (it died, or closed the pipe): the worker then asks the owner thread to close the service, waits at
  most ``close_timeout`` and exits. A ``close`` request does the same. The worker never outlives its parent by more
  than that, and :mod:`drivers.host.guard` covers the case where the main thread cannot run at all.
* the **owner thread** imports the service's module, constructs the service, reports ``ready`` (or
  ``start_failed``), then executes calls strictly in the order they arrive. Every service method runs on it, so a
  vendor library that is not thread-safe only ever sees one thread.
* any threads the service starts. Their log records are forwarded like the owner thread's.

Log records at or above the spec's level go to the parent through the reply pipe, message pre-formatted. This
module logs method names and durations only, never arguments or results (they may hold PINs).

The worker ignores SIGINT: Ctrl+C in a console reaches every process of the console, and the parent decides when its
workers stop. It ends with ``os._exit`` so that threads a vendor library left running cannot keep it alive.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, NoReturn

from drivers.host import guard, protocol
from drivers.host.protocol import WorkerSpec
from drivers.host.remote import RemoteError, capture, type_name

log = logging.getLogger(__name__)

_Job = tuple[int, str, bool, bytes]


class _Sender:
    """Sends messages to the parent from any thread; a broken pipe (parent gone) is ignored."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def send(self, message: tuple[Any, ...]) -> bool:
        data = protocol.dumps(message)
        with self._lock:
            try:
                self._conn.send_bytes(data)
            except (OSError, ValueError):
                return False
        return True


class _ForwardingHandler(logging.Handler):
    """Sends every record it gets to the parent, which hands it to its own logging."""

    def __init__(self, sender: _Sender, level: int) -> None:
        super().__init__(level)
        self._sender = sender

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # logging must never break the worker
            self._sender.send((protocol.LOG, protocol.record_to_dict(record)))


def main(requests: Connection, replies: Connection, spec: WorkerSpec) -> None:
    """Entry point of the worker process (the ``target`` of its ``multiprocessing.Process``)."""
    if spec.kill_with_parent:
        guard.die_with_parent(spec.parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.name == "posix":  # processes the vendor library starts must not hold our pipes open
        os.set_inheritable(requests.fileno(), False)
        os.set_inheritable(replies.fileno(), False)
    sender = _Sender(replies)
    root = logging.getLogger()
    root.handlers[:] = [_ForwardingHandler(sender, spec.log_level)]
    root.setLevel(spec.log_level)
    threading.excepthook = _log_thread_exception
    jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
    owner = threading.Thread(target=_owner, args=(spec, jobs, sender), name=f"device-owner {spec.name}", daemon=True)
    owner.start()
    parent_gone = False
    while True:
        try:
            message = protocol.loads(requests.recv_bytes())
        except (EOFError, OSError):
            parent_gone = True
            break
        if message[0] == protocol.CLOSE:
            break
        jobs.put(message[1:])
    jobs.put(None)
    if parent_gone:
        log.info("%s: the parent process is gone; the worker stops", spec.name)
    owner.join(spec.close_grace)
    if owner.is_alive():
        log.warning("%s: the service did not stop within %.1f s; the worker exits anyway", spec.name, spec.close_grace)
    _exit(0)


def _owner(spec: WorkerSpec, jobs: queue.SimpleQueue[_Job | None], sender: _Sender) -> None:
    started = time.perf_counter()
    try:
        service = _make_service(spec)
    except BaseException as exc:
        log.error("%s: could not start the service %s: %s", spec.name, spec.service, type_name(type(exc)))
        sender.send((protocol.START_FAILED, capture(exc)))
        _exit(1)
    log.debug("%s: service %s made in %.3f s", spec.name, spec.service, time.perf_counter() - started)
    sender.send((protocol.READY, os.getpid(), threading.get_ident()))
    while (job := jobs.get()) is not None:
        request_id, method, want_progress, blob = job
        sender.send(_run(service, spec.name, request_id, method, want_progress, blob, sender))
    close = getattr(service, "close", None)
    if callable(close):
        try:
            close()
        except Exception as exc:
            log.warning("%s: the service's close() raised %s", spec.name, type_name(type(exc)))


def _make_service(spec: WorkerSpec) -> Any:
    module_name, attribute = protocol.split_service(spec.service)
    factory: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        factory = getattr(factory, part)
    args, kwargs = protocol.loads(spec.constructor)
    return factory(*args, **kwargs)


def _run(service: Any, name: str, request_id: int, method: str, want_progress: bool, blob: bytes, sender: _Sender) -> tuple[Any, ...]:
    started = time.perf_counter()
    try:
        args, kwargs = protocol.loads(blob)
        function = getattr(service, method)
        if want_progress:
            kwargs["progress"] = _progress_reporter(sender, request_id)
        result = function(*args, **kwargs)
    except BaseException as exc:
        log.debug("%s: %s raised %s after %.3f s", name, method, type_name(type(exc)), time.perf_counter() - started)
        return (protocol.ERROR, request_id, capture(exc))
    log.debug("%s: %s took %.3f s", name, method, time.perf_counter() - started)
    try:
        return (protocol.OK, request_id, protocol.dumps(result))
    except Exception as exc:
        message = f"the result of {method} ({type_name(type(result))}) cannot be pickled: {exc}"
        return (protocol.ERROR, request_id, RemoteError(type_name(type(exc)), message, ""))


def _progress_reporter(sender: _Sender, request_id: int) -> Callable[..., None]:
    def progress(*args: Any, **kwargs: Any) -> None:
        sender.send((protocol.PROGRESS, request_id, protocol.dumps((args, kwargs))))

    return progress


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    name = args.thread.name if args.thread is not None else "?"
    exc_info = (args.exc_type, args.exc_value, args.exc_traceback) if args.exc_value is not None else None
    log.error("unhandled %s in worker thread %s", args.exc_type.__name__, name, exc_info=exc_info)


def _exit(code: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # nothing useful to do with a broken stream while exiting
            if stream is not None:
                stream.flush()
    os._exit(code)
