"""Raw TCP printing ("port 9100", HP JetDirect, AppSocket): the job's bytes go straight to the printer.

The printer must understand the bytes as they are: PDF for printers that print PDF directly (most current
network laser printers; check the model's "PDF direct print" or "PDF via port 9100"), ESC/P for dot-matrix
printers behind a print server. There is no spooler, so there is no job id and no status: paper out or a jam is
not reported here (the printer shows it on its panel).

A job is sent on one connection: connect, send every byte (checking the cancel event and the deadline between
chunks), close the sending side, then wait a little for the printer to close its side (the sign that it read
everything). A cancelled or timed-out job is ended with a TCP reset rather than a clean close, so that the
printer does not mistake the truncated bytes for a whole job. Nothing is written anywhere but the socket.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import math
import os
import select
import socket
import struct
import threading
from typing import Any

from drivers.printing._deadline import Deadline
from drivers.printing.errors import PrintError
from drivers.printing.model import PrintJob, PrintResult

log = logging.getLogger(__name__)

DEFAULT_PORT = 9100
CHUNK = 64 * 1024
SEND_BUFFER = 256 * 1024
"""The socket's send buffer: small enough that ``bytes_sent`` is close to what the printer took, and that a
cancel leaves little in flight; plenty for a printer's speed."""
CLOSE_WAIT = 5.0
"""After the last byte: how long to wait for the printer to close the connection (never past the deadline).
A printer that keeps it open longer is not an error: every byte was handed over."""

_OFFLINE_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "WSAECONNREFUSED", "WSAEHOSTUNREACH")
    if hasattr(errno, name)
)
_IN_PROGRESS = frozenset(
    getattr(errno, name) for name in ("EINPROGRESS", "EWOULDBLOCK", "EAGAIN", "EALREADY", "WSAEWOULDBLOCK") if hasattr(errno, name)
)
_RESET_ERRNOS = frozenset(getattr(errno, name) for name in ("ECONNRESET", "EPIPE", "ECONNABORTED", "WSAECONNRESET") if hasattr(errno, name))


def format_host(host: str) -> str:
    """``host`` as it stands before ``:PORT``: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host


class RawSocketPrinter:
    """A printer reached by raw TCP at ``host``:``port``. ``name`` is ``raw:HOST:PORT``."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, *, close_wait: float = CLOSE_WAIT) -> None:
        if not host or any(ch.isspace() for ch in host):
            raise PrintError("invalid_settings", "The printer's host name is empty or holds spaces.")
        if not (isinstance(port, int) and 0 < port < 65536):
            raise PrintError("invalid_settings", "The printer's TCP port must be a number from 1 to 65535.")
        self.host = host
        self.port = port
        self.close_wait = close_wait
        self.name = f"raw:{format_host(host)}:{port}"

    def __repr__(self) -> str:
        return f"RawSocketPrinter({self.host!r}, {self.port})"

    def send(self, job: PrintJob, *, timeout: float, cancel: threading.Event | None = None) -> PrintResult:
        deadline = Deadline(self.name, timeout, cancel)
        deadline.check()
        sock = self._connect(deadline)
        sent = 0
        clean = False
        try:
            sent = self._send_all(sock, memoryview(job.data), deadline)
            self._finish(sock, deadline, sent)
            clean = True
        finally:
            if not clean:
                _abort(sock)
            sock.close()
        log.debug("printer %s: %d bytes sent", self.name, sent)
        return PrintResult(self.name, sent, None)

    def _connect(self, deadline: Deadline) -> socket.socket:
        infos = self._resolve(deadline)
        last: OSError | None = None
        for family, kind, proto, _canon, address in infos:
            sock = socket.socket(family, kind, proto)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
                sock.setblocking(False)
                self._connect_one(sock, address, deadline)
                return sock
            except PrintError:
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                last = exc
        if last is None:
            raise PrintError("not_found", "The printer's host name has no address.", printer=self.name)
        raise _io_error(last, self.name, 0) from last

    def _resolve(self, deadline: Deadline) -> list[tuple[Any, ...]]:
        """The printer's addresses; a name is looked up on a thread of its own, so the deadline holds for DNS too."""
        found: list[list[tuple[Any, ...]]] = []
        failed: list[OSError] = []
        done = threading.Event()

        def look_up() -> None:
            try:
                found.append(list(socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)))
            except OSError as exc:
                failed.append(exc)
            finally:
                done.set()

        if _is_address(self.host):
            look_up()  # numeric: no lookup, no wait
        else:
            threading.Thread(target=look_up, name=f"resolve {self.name}", daemon=True).start()
        while not done.wait(deadline.slice()):
            deadline.check(what="looking up the printer's address")
        if failed:
            exc = failed[0]
            raise PrintError(
                "not_found", f"The printer's host name cannot be resolved ({_os_error_name(exc)}).", printer=self.name
            ) from exc
        return found[0]

    @staticmethod
    def _connect_one(sock: socket.socket, address: tuple[object, ...], deadline: Deadline) -> None:
        code = sock.connect_ex(address)
        if code == 0:
            return
        if code not in _IN_PROGRESS:
            raise OSError(code, errno.errorcode.get(code, "connect failed"))
        while True:
            deadline.check(what="connecting")
            if _ready(sock, write=True, timeout=deadline.slice()):
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, errno.errorcode.get(code, "connect failed"))
                return

    @staticmethod
    def _send_all(sock: socket.socket, data: memoryview, deadline: Deadline) -> int:
        sent = 0
        while sent < len(data):
            deadline.check(bytes_sent=sent)
            if not _ready(sock, write=True, timeout=deadline.slice()):
                continue
            try:
                sent += sock.send(data[sent : sent + CHUNK])
            except BlockingIOError:
                continue
            except OSError as exc:
                raise _io_error(exc, deadline.printer, sent) from exc
        return sent

    def _finish(self, sock: socket.socket, deadline: Deadline, sent: int) -> None:
        """Close the sending side and wait (bounded) for the printer to close its side."""
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise _io_error(exc, deadline.printer, sent) from exc
        waited = Deadline(deadline.printer, min(self.close_wait, deadline.remaining()) or 1e-3, deadline.cancel)
        while True:
            if deadline.cancelled():
                raise PrintError("cancelled", printer=deadline.printer, bytes_sent=sent)
            if waited.remaining() <= 0:
                log.debug("printer %s kept the connection open after the job", deadline.printer)
                return
            if not _ready(sock, write=False, timeout=waited.slice()):
                continue
            try:
                chunk = sock.recv(4096)  # the printer's back channel, if any: read and dropped
            except BlockingIOError:
                continue
            except OSError as exc:
                raise _io_error(exc, deadline.printer, sent) from exc
            if not chunk:
                return


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    return True


def _ready(sock: socket.socket, *, write: bool, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``sock`` to be writable (``write``) or readable; errors count as ready."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLOUT if write else select.POLLIN)
        return bool(poller.poll(max(0, math.ceil(timeout * 1000))))
    want = [sock]
    readable, writable, failed = select.select([] if write else want, want if write else [], want, timeout)
    return bool(readable or writable or failed)


def _abort(sock: socket.socket) -> None:
    """Make the coming close a reset (SO_LINGER 0): the printer sees an aborted job, not a short one."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("HH" if os.name == "nt" else "ii", 1, 0))


def _io_error(exc: OSError, printer: str, sent: int) -> PrintError:
    if exc.errno in _RESET_ERRNOS:
        return PrintError(
            "refused", f"The printer closed the connection during the job ({_os_error_name(exc)}).", printer=printer, bytes_sent=sent
        )
    if exc.errno in _OFFLINE_ERRNOS:
        return PrintError("offline", f"The printer cannot be reached ({_os_error_name(exc)}).", printer=printer, bytes_sent=sent)
    return PrintError("failed", f"Talking to the printer failed ({_os_error_name(exc)}).", printer=printer, bytes_sent=sent)


def _os_error_name(exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return f"EAI {exc.errno}"
    if exc.errno is not None and exc.errno in errno.errorcode:
        return errno.errorcode[exc.errno]
    return type(exc).__name__
