"""A raw-socket printer for training, demos and tests: a "port 9100" listener on 127.0.0.1 that keeps every job.

The client prints to it as to any network printer (settings ``printer.letter`` / ``printer.documents`` =
``raw:127.0.0.1:PORT``, :attr:`PrinterSink.spec`; or a CUPS queue with the device URI :attr:`PrinterSink.uri`).
Each connection's bytes, up to the client's clean close, are one job in :attr:`PrinterSink.jobs` (a PDF or ESC/P
stream, exactly as sent); a connection the client resets (a cancelled job) goes to :attr:`PrinterSink.aborted`.
:meth:`PrinterSink.report` lists the jobs (number, size, kind, time). Served by daemon threads; :meth:`close` stops
them and closes every socket.

Jobs stay in memory. With ``save_to`` each finished job is also written there (``job-001.pdf``, ...): only for
documents a demo wants to look at afterwards. **Password letters carry the customer's initial password**, so a sink
that receives letters must not save its jobs (the bench's default); nothing here logs a job's content.

Faults, for the connections that come next: :meth:`stall` (accept, never read: the client's sends block once the
small receive buffer is full), :meth:`slow` (read ``chunk`` bytes every ``delay`` seconds), :meth:`reset` (accept and
reset at once: a printer that drops the job), :meth:`refuse` (stop listening: connecting is refused, an offline
printer), :meth:`normal` (back to reading jobs).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Literal

from teller_client.domain.bank_time import BANK_TIME

log = logging.getLogger(__name__)

WAIT = 10.0
"""Default upper bound of the ``wait_for_*`` methods."""

Mode = Literal["normal", "stall", "slow", "reset"]
JobKind = Literal["pdf", "escp", "raw"]
_SUFFIX: dict[JobKind, str] = {"pdf": "pdf", "escp": "prn", "raw": "bin"}


def job_kind(data: bytes) -> JobKind:
    """What a job is by its first bytes: a PDF, an ESC/P stream (starts with ESC), anything else."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\x1b"):
        return "escp"
    return "raw"


@dataclass(frozen=True)
class ReceivedJob:
    """One finished job as :meth:`PrinterSink.report` lists it (never its content)."""

    number: int
    """1 for the first job received, and so on."""
    size: int
    kind: JobKind
    received_at: datetime
    path: Path | None
    """Where the job was saved, when the sink saves jobs."""

    def to_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "size": self.size,
            "kind": self.kind,
            "received_at": self.received_at.isoformat(timespec="seconds"),
            "path": str(self.path) if self.path is not None else None,
        }


class PrinterSink:
    """A raw TCP printer on ``host`` (default 127.0.0.1) and ``port`` (default: a free one) that keeps each job.

    ``recv_buffer`` sets the sockets' receive buffer (small values make :meth:`stall` block a client soon);
    ``save_to`` writes each finished job to that folder as well (see the module's note on letters).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, recv_buffer: int | None = None, save_to: Path | None = None) -> None:
        self.host = host
        self.save_to = save_to
        self.jobs: list[bytes] = []
        self.aborted: list[bytes] = []
        self.connections = 0
        self.mode: Mode = "normal"
        self.slow_chunk = 4096
        self.slow_delay = 0.01
        self._records: list[ReceivedJob] = []
        self._changed = threading.Condition()
        self._open: list[socket.socket] = []
        self._closing = threading.Event()
        self._refusing = threading.Event()
        if save_to is not None:
            save_to.mkdir(parents=True, exist_ok=True)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if recv_buffer is not None:
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, recv_buffer)  # inherited by accepted sockets
            listener.bind((host, port))
            listener.listen(16)
            listener.settimeout(0.05)
        except OSError:
            listener.close()
            raise
        self._listener: socket.socket | None = listener
        self.port: int = listener.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, name=f"printer-sink-{self.port}", daemon=True)]
        self._threads[0].start()
        log.info("printer sink listening on %s:%d", host, self.port)

    # -- what the client is told -------------------------------------------------------------------------

    @property
    def spec(self) -> str:
        """The printer setting of this sink (``raw:HOST:PORT``)."""
        return f"raw:{self.host}:{self.port}"

    @property
    def uri(self) -> str:
        """The CUPS device URI of this sink."""
        return f"socket://{self.host}:{self.port}"

    @property
    def listening(self) -> bool:
        return self._listener is not None

    # -- faults for the next connections -------------------------------------------------------------------

    def normal(self) -> None:
        self.mode = "normal"

    def stall(self) -> None:
        self.mode = "stall"

    def slow(self, chunk: int = 4096, delay: float = 0.01) -> None:
        self.slow_chunk, self.slow_delay, self.mode = chunk, delay, "slow"

    def reset(self) -> None:
        self.mode = "reset"

    def refuse(self) -> None:
        """Stop listening: connecting to the port is refused from now on (once this returns)."""
        self._refusing.set()
        self._threads[0].join(timeout=5.0)  # the accept loop holds the socket while it waits: let it go first
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    # -- what was received ---------------------------------------------------------------------------------

    def report(self) -> list[ReceivedJob]:
        """The finished jobs so far, in the order they arrived."""
        with self._changed:
            return list(self._records)

    def wait_for_jobs(self, count: int = 1, timeout: float = WAIT) -> list[bytes]:
        """The jobs once at least ``count`` have arrived; :class:`TimeoutError` after ``timeout`` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.jobs) >= count, timeout):
                raise TimeoutError(f"{len(self.jobs)} job(s) received within {timeout} s, expected {count}")
            return list(self.jobs)

    def wait_for_connections(self, count: int = 1, timeout: float = WAIT) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self.connections >= count, timeout):
                raise TimeoutError(f"{self.connections} connection(s) within {timeout} s, expected {count}")

    def wait_for_aborted(self, count: int = 1, timeout: float = WAIT) -> list[bytes]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.aborted) >= count, timeout):
                raise TimeoutError(f"{len(self.aborted)} aborted connection(s) within {timeout} s, expected {count}")
            return list(self.aborted)

    # -- life --------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop listening, close every connection and wait for the threads. Safe to call twice."""
        self._closing.set()
        self.refuse()
        for conn in list(self._open):
            with contextlib.suppress(OSError):
                conn.close()
        for thread in list(self._threads):
            thread.join(timeout=5.0)

    @property
    def threads_alive(self) -> int:
        """How many of the sink's threads still run (0 after :meth:`close`)."""
        return sum(thread.is_alive() for thread in self._threads)

    def __enter__(self) -> PrinterSink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- inside --------------------------------------------------------------------------------------------------

    def _accept(self) -> None:
        listener = self._listener
        assert listener is not None
        while not (self._closing.is_set() or self._refusing.is_set()):
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._changed:
                self.connections += 1
                self._changed.notify_all()
            mode = self.mode
            if mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                continue
            self._open.append(conn)
            if mode == "stall":
                continue  # never read; closed by close()
            thread = threading.Thread(target=self._read, args=(conn, mode == "slow"), name="printer-sink-job", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _read(self, conn: socket.socket, slow: bool) -> None:
        data = bytearray()
        conn.settimeout(0.1)
        try:
            while not self._closing.is_set():
                try:
                    chunk = conn.recv(self.slow_chunk if slow else 1 << 16)
                except TimeoutError:
                    continue
                if not chunk:
                    self._finished(bytes(data))
                    return
                data += chunk
                if slow:
                    time.sleep(self.slow_delay)
        except OSError:  # reset by the client: a cancelled job
            with self._changed:
                self.aborted.append(bytes(data))
                self._changed.notify_all()
        finally:
            data[:] = bytes(len(data))  # the sink's working copy (a letter holds a password); the job itself is kept
            conn.close()
            with contextlib.suppress(ValueError):
                self._open.remove(conn)

    def _finished(self, job: bytes) -> None:
        with self._changed:
            number = len(self._records) + 1
            kind = job_kind(job)
            path = None
            if self.save_to is not None:
                path = self.save_to / f"job-{number:03d}.{_SUFFIX[kind]}"
                try:
                    path.write_bytes(job)
                except OSError:
                    log.warning("printer sink: job %d could not be saved to %s", number, self.save_to, exc_info=True)
                    path = None
            self._records.append(ReceivedJob(number, len(job), kind, datetime.now(BANK_TIME), path))
            self.jobs.append(job)
            self._changed.notify_all()
        log.info("printer sink %d: job %d received (%d bytes, %s)", self.port, number, len(job), kind)
