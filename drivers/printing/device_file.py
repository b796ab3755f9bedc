"""A printer reached through a device file: ``/dev/usb/lp0`` or ``/dev/lp0`` on Linux, ``LPT1`` on Windows.

The bytes are written as they are (ESC/P for a dot-matrix printer) by a thread of the job's own, so that the
caller's timeout and cancel hold even while the device blocks (a printer that is off, busy or out of paper makes
a write wait). A write that the device keeps blocked past the timeout leaves that thread waiting in the system
call until the device answers; it writes nothing more afterwards.

On Linux the path must be a character device (or a FIFO, for tests): a regular file is refused, since a letter's
bytes must never land on a disk. The device is opened without creating anything. The Linux ``lp`` drivers report
paper out as ``ENOSPC``, which gives ``paper_out``.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import threading

from drivers.printing._deadline import Deadline
from drivers.printing.errors import PrintError
from drivers.printing.model import PrintJob, PrintResult

log = logging.getLogger(__name__)

CHUNK = 4096


class _Transfer:
    def __init__(self) -> None:
        self.sent = 0
        self.error: OSError | None = None
        self.done = threading.Event()
        self.stop = threading.Event()


class DeviceFilePrinter:
    """A printer behind the device file ``path``. ``name`` is ``file:PATH``."""

    def __init__(self, path: str) -> None:
        if not path or path != path.strip() or "\x00" in path:
            raise PrintError("invalid_settings", "The printer device path is empty or starts or ends with spaces.")
        self.path = path
        self.name = f"file:{path}"

    def __repr__(self) -> str:
        return f"DeviceFilePrinter({self.path!r})"

    def send(self, job: PrintJob, *, timeout: float, cancel: threading.Event | None = None) -> PrintResult:
        deadline = Deadline(self.name, timeout, cancel)
        deadline.check()
        self._check_device()
        transfer = _Transfer()
        worker = threading.Thread(target=self._write, args=(memoryview(job.data), transfer), name=f"print {self.name}", daemon=True)
        worker.start()
        try:
            while not transfer.done.wait(deadline.slice()):
                deadline.check(bytes_sent=transfer.sent)
        except PrintError:
            transfer.stop.set()
            raise
        if transfer.error is not None:
            raise _os_error(transfer.error, self.name, transfer.sent) from transfer.error
        log.debug("printer %s: %d bytes written", self.name, transfer.sent)
        return PrintResult(self.name, transfer.sent, None)

    def _check_device(self) -> None:
        if os.name == "nt":
            return  # LPT1, COM1, \\.\USB001 ...: os.stat says little there; opening tells
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError as exc:
            raise PrintError("not_found", "The printer device does not exist (is the printer plugged in?).", printer=self.name) from exc
        except OSError as exc:
            raise _os_error(exc, self.name, 0) from exc
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise PrintError("invalid_settings", "The printer device path is not a device (a regular file or folder).", printer=self.name)

    def _write(self, data: memoryview, transfer: _Transfer) -> None:
        flags = os.O_WRONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags)  # no O_CREAT: only an existing device is opened
            try:
                while transfer.sent < len(data) and not transfer.stop.is_set():
                    transfer.sent += os.write(fd, data[transfer.sent : transfer.sent + CHUNK])
            finally:
                os.close(fd)
        except OSError as exc:
            transfer.error = exc
        finally:
            data.release()
            transfer.done.set()


def _os_error(exc: OSError, printer: str, sent: int) -> PrintError:
    name = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    if exc.errno == errno.ENOENT:
        return PrintError("not_found", "The printer device does not exist (is the printer plugged in?).", printer=printer, bytes_sent=sent)
    if exc.errno == errno.ENOSPC:
        return PrintError("paper_out", printer=printer, bytes_sent=sent)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return PrintError(
            "failed", "This user may not write to the printer device (Linux: the lp group).", printer=printer, bytes_sent=sent
        )
    if exc.errno in (errno.ENXIO, errno.ENODEV, errno.EIO, errno.EBUSY, errno.EPIPE):
        return PrintError("offline", f"The printer device is not ready ({name}).", printer=printer, bytes_sent=sent)
    return PrintError("failed", f"Writing to the printer device failed ({name}).", printer=printer, bytes_sent=sent)
