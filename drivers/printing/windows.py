"""Printing through the Windows print spooler, with pywin32's ``win32print``, datatype RAW.

**Untested here**: no Windows in the test rig; this module is kept small and is checked only by reading it and
by type checks. ``win32print`` is imported on the first job, and only on Windows, so the module imports anywhere.

RAW means the spooler hands the job's bytes to the printer unchanged: PDF for printers that print PDF
directly, ESC/P for dot-matrix printers. A printer that takes neither needs the PDF rendered through its driver
(GDI) first, which is not done here. The name is the printer's name as Windows shows it (``HP LaserJet M404``,
or ``\\\\server\\share`` for a shared printer); :func:`list_windows_printers` lists them.

The spooler calls run on a thread of the job's own with the caller's timeout and cancel; a job that is cancelled
or times out after the spooler took it is deleted from the queue (``AbortPrinter``). The spooler keeps its own
spool file until the job is printed; letters need the printer's "Keep printed documents" option off.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from typing import Any

from drivers.printing._deadline import Deadline
from drivers.printing.errors import PrintError
from drivers.printing.model import PrintJob, PrintResult

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
_NOT_FOUND = {1801, 3012, 2}  # ERROR_INVALID_PRINTER_NAME, ERROR_PRINTER_NOT_FOUND, ERROR_FILE_NOT_FOUND
_REFUSED = {5, 1804, 1796}  # ERROR_ACCESS_DENIED, ERROR_INVALID_DATATYPE, ERROR_UNKNOWN_PORT
_OFFLINE = {21, 1722, 1726, 53}  # ERROR_NOT_READY, RPC_S_SERVER_UNAVAILABLE, RPC_S_CALL_FAILED, ERROR_BAD_NETPATH
_PAPER_OUT = {28}  # ERROR_OUT_OF_PAPER
_CANCELLED = {63, 1223}  # ERROR_PRINT_CANCELLED, ERROR_CANCELLED


def _win32print() -> Any:
    if os.name != "nt":
        raise PrintError("invalid_settings", "Windows printers can be used only on Windows.")
    try:
        return importlib.import_module("win32print")
    except ImportError as exc:
        raise PrintError("failed", "pywin32 (win32print) is not installed.") from exc


def list_windows_printers() -> list[str]:
    """The names of the local and connected printers (``EnumPrinters``, level 4)."""
    win32print = _win32print()
    flags = win32print.PRINTER_ENUM_LOCAL | win32print.PRINTER_ENUM_CONNECTIONS
    return [str(entry["pPrinterName"]) for entry in win32print.EnumPrinters(flags, None, 4)]


class _Spooling:
    def __init__(self) -> None:
        self.sent = 0
        self.job_id: int | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.stop = threading.Event()


class WindowsSpoolerPrinter:
    """The Windows printer ``printer_name``; ``name`` is ``windows:NAME``. Untested (see the module's notes)."""

    def __init__(self, printer_name: str) -> None:
        if not printer_name.strip():
            raise PrintError("invalid_settings", "The Windows printer name is empty.")
        self.printer_name = printer_name
        self.name = f"windows:{printer_name}"

    def __repr__(self) -> str:
        return f"WindowsSpoolerPrinter({self.printer_name!r})"

    def send(self, job: PrintJob, *, timeout: float, cancel: threading.Event | None = None) -> PrintResult:
        deadline = Deadline(self.name, timeout, cancel)
        win32print = _win32print()
        deadline.check()
        spooling = _Spooling()
        worker = threading.Thread(target=self._spool, args=(win32print, job, spooling), name=f"print {self.name}", daemon=True)
        worker.start()
        try:
            while not spooling.done.wait(deadline.slice()):
                deadline.check(bytes_sent=spooling.sent, job_id=_text(spooling.job_id))
        except PrintError:
            spooling.stop.set()  # the thread aborts the job at its next chunk
            raise
        if spooling.error is not None:
            raise _error(spooling.error, self.name, spooling.sent, _text(spooling.job_id)) from spooling.error
        return PrintResult(self.name, spooling.sent, _text(spooling.job_id))

    def _spool(self, win32print: Any, job: PrintJob, spooling: _Spooling) -> None:
        data = memoryview(job.data)
        try:
            handle = win32print.OpenPrinter(self.printer_name)
            try:
                spooling.job_id = int(win32print.StartDocPrinter(handle, 1, (job.title, None, "RAW")))
                finished = False
                try:
                    win32print.StartPagePrinter(handle)
                    while spooling.sent < len(data) and not spooling.stop.is_set():
                        spooling.sent += int(win32print.WritePrinter(handle, bytes(data[spooling.sent : spooling.sent + CHUNK])))
                    if not spooling.stop.is_set():
                        win32print.EndPagePrinter(handle)
                        win32print.EndDocPrinter(handle)
                        finished = True
                finally:
                    if not finished:
                        win32print.AbortPrinter(handle)
            finally:
                win32print.ClosePrinter(handle)
        except BaseException as exc:  # handed to the caller's thread
            spooling.error = exc
        finally:
            data.release()
            spooling.done.set()


def _text(job_id: int | None) -> str | None:
    return None if job_id is None else str(job_id)


def _error(exc: BaseException, printer: str, sent: int, job_id: str | None) -> PrintError:
    if isinstance(exc, PrintError):
        return exc
    code = getattr(exc, "winerror", None)
    if code is None and getattr(exc, "args", None):
        code = exc.args[0] if isinstance(exc.args[0], int) else None
    detail = f"Windows error {code}" if code is not None else type(exc).__name__
    if code in _NOT_FOUND:
        return PrintError("not_found", "Windows has no printer of this name.", printer=printer, bytes_sent=sent, job_id=job_id)
    if code in _REFUSED:
        return PrintError("refused", f"The Windows spooler refused the job ({detail}).", printer=printer, bytes_sent=sent, job_id=job_id)
    if code in _OFFLINE:
        return PrintError(
            "offline", f"The printer or print server cannot be reached ({detail}).", printer=printer, bytes_sent=sent, job_id=job_id
        )
    if code in _PAPER_OUT:
        return PrintError("paper_out", printer=printer, bytes_sent=sent, job_id=job_id)
    if code in _CANCELLED:
        return PrintError("cancelled", printer=printer, bytes_sent=sent, job_id=job_id)
    return PrintError("failed", f"Windows printing failed ({detail}).", printer=printer, bytes_sent=sent, job_id=job_id)
