"""The parent's side of one worker process: start it, send it requests, read what it sends, stop it.

One :class:`Worker` is one generation: when the process ends, for whatever reason, the host makes a new one. A
reader thread takes every message off the reply pipe: log records go straight to the parent's logging, everything
else into :attr:`Worker.messages` for the thread that holds the host's turn. When the process ends the reader drains
what is left and puts :data:`EOF`. It watches the process handle as well as the pipe, so a process the vendor library
started cannot hide the worker's death by holding the pipe open.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing.connection
import queue
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

from drivers.host import guard, protocol, worker_main
from drivers.host.protocol import WorkerSpec

log = logging.getLogger(__name__)

EOF = "eof"
"""Put in :attr:`Worker.messages` after the worker's last message: the process has ended."""


class Worker:
    """A started worker process. Made by :meth:`spawn`; everything else is safe to call from any thread."""

    def __init__(self, process: SpawnProcess, requests: Connection, replies: Connection, name: str) -> None:
        self.process = process
        self.pid: int = process.pid or 0
        self.name = name
        self.messages: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._requests = requests
        self._replies = replies
        self._send_lock = threading.Lock()
        self._process_lock = threading.Lock()
        self._ended = threading.Event()
        self._reader = threading.Thread(target=self._read, name=f"device-host-reader {name} pid {self.pid}", daemon=True)
        self._reader.start()

    @classmethod
    def spawn(cls, context: SpawnContext, spec: WorkerSpec, process_name: str) -> Worker:
        """Start a worker process; it then makes the service and sends ``ready`` or ``start_failed``."""
        request_reader, request_writer = context.Pipe(duplex=False)
        reply_reader, reply_writer = context.Pipe(duplex=False)
        process = context.Process(target=worker_main.main, args=(request_reader, reply_writer, spec), name=process_name, daemon=True)
        try:
            guard.start_on_spawner_thread(process.start)
        except BaseException:
            for conn in (request_reader, request_writer, reply_reader, reply_writer):
                conn.close()
            raise
        request_reader.close()  # the worker's ends: only the worker may hold them, or end of file never comes
        reply_writer.close()
        if spec.kill_with_parent and process.pid is not None:
            guard.bind_to_parent(process.pid)
        return cls(process, request_writer, reply_reader, spec.name)

    @property
    def ended(self) -> bool:
        """True once the reader saw the process end (the last message is then in :attr:`messages`)."""
        return self._ended.is_set()

    def alive(self) -> bool:
        with self._process_lock:
            return not self._ended.is_set() and self.process.is_alive()

    def send(self, data: bytes) -> None:
        """Write one pickled request. Raises ``OSError`` (or ``ValueError``) when the worker is gone."""
        with self._send_lock:
            if self._requests.closed:
                raise OSError("the worker's request pipe is closed")
            self._requests.send_bytes(data)

    def next_message(self, timeout: float) -> tuple[Any, ...] | None:
        try:
            return self.messages.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def exitcode(self, wait: float = 0.0) -> int | None:
        """The exit code, waiting up to ``wait`` seconds for the process to end; None while it runs."""
        with self._process_lock:
            return self._reap(wait)

    def stop(self, timeout: float, grace: float) -> int | None:
        """Ask the worker to close the service and exit; after ``timeout`` seconds terminate it, after ``grace`` more
        kill it. Returns the exit code (None if even the kill did not end it within ``grace``)."""
        with contextlib.suppress(OSError, ValueError):
            self.send(protocol.dumps((protocol.CLOSE,)))
        with self._process_lock:
            code = self._reap(timeout)
            if code is None:
                log.warning("%s: worker pid %d did not stop within %.1f s; terminating it", self.name, self.pid, timeout)
                code = self._terminate(grace)
        self._finish()
        return code

    def kill(self, grace: float) -> int | None:
        """Terminate the worker now (SIGTERM / TerminateProcess); kill it if it is still there after ``grace``."""
        with self._process_lock:
            code = self._terminate(grace)
        self._finish()
        return code

    def _terminate(self, grace: float) -> int | None:
        if self.process.exitcode is None:
            self.process.terminate()
            code = self._reap(grace)
            if code is not None:
                return code
            log.warning("%s: worker pid %d ignored SIGTERM for %.1f s; killing it", self.name, self.pid, grace)
            self.process.kill()
        code = self._reap(grace)
        if code is None:
            log.error("%s: worker pid %d is still there after SIGKILL (stuck in the kernel?); giving up on it", self.name, self.pid)
        return code

    def _reap(self, wait: float) -> int | None:
        """Exit code, after waiting up to ``wait`` s for the process's handle. Another thread's ``waitpid`` (the one
        ``multiprocessing`` runs in ``Process.start``) may reap it first: then ``exitcode`` shows a moment later."""
        code = self.process.exitcode
        if code is not None:
            return code
        if not multiprocessing.connection.wait([self.process.sentinel], max(0.0, wait)):
            return None
        for _ in range(100):
            code = self.process.exitcode
            if code is not None:
                return code
            time.sleep(0.001)
        return self.process.exitcode

    def _finish(self) -> None:
        self._reader.join(1.0)
        with self._send_lock:  # several threads may finish the same worker; a second close() would hit a reused fd
            if not self._requests.closed:
                self._requests.close()

    def _read(self) -> None:
        conn = self._replies
        sentinel = self.process.sentinel
        try:
            while True:
                ready = multiprocessing.connection.wait([conn, sentinel])
                if conn in ready:
                    self._dispatch(protocol.loads(conn.recv_bytes()))
                elif sentinel in ready:
                    while conn.poll(0):  # what the worker sent before it ended
                        self._dispatch(protocol.loads(conn.recv_bytes()))
                    break
        except (EOFError, OSError):
            pass
        except Exception:
            log.exception("%s: unreadable message from worker pid %d; treating the worker as ended", self.name, self.pid)
        finally:
            self._replies.close()
            self._ended.set()
            self.messages.put((EOF,))

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        if message[0] == protocol.LOG:
            record = protocol.dict_to_record(message[1])
            logger = logging.getLogger(record.name)
            if logger.isEnabledFor(record.levelno):
                logger.handle(record)
        else:
            self.messages.put(message)
