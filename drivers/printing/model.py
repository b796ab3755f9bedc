"""What every printer backend takes and gives back: :class:`PrintJob`, :class:`PrintResult`, :class:`Printer`."""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

ContentType = Literal["application/pdf", "application/vnd.escp"]
"""``application/pdf`` for printers (or spoolers) that take PDF; ``application/vnd.escp`` for printer-ready
ESC/P bytes (dot-matrix mailer printers, see :mod:`drivers.printing.escp`), sent as they are."""
CONTENT_TYPES: tuple[ContentType, ...] = get_args(ContentType)
MAX_TITLE_CHARS = 120


@dataclass(frozen=True)
class PrintJob:
    """One document to print.

    ``data`` is the whole document in memory (PDF, or printer-ready bytes); pass a ``bytearray`` when it holds a
    secret, and :meth:`wipe` it once printing is over: backends never copy it to disk and never log or repeat it
    (not even in ``repr``). ``title`` names the job in spooler queues and logs, so it is a document kind and
    maybe a serial number (``"密码函 PL00012345"``), never personal data.
    """

    data: bytes | bytearray = field(repr=False)
    title: str
    content_type: ContentType = "application/pdf"

    def __post_init__(self) -> None:
        if not isinstance(self.data, bytes | bytearray):
            raise TypeError("PrintJob.data must be bytes or bytearray")
        if self.content_type not in CONTENT_TYPES:
            raise ValueError(f"PrintJob.content_type must be one of {', '.join(CONTENT_TYPES)}")
        if not self.title or len(self.title) > MAX_TITLE_CHARS:
            raise ValueError(f"PrintJob.title must have 1 to {MAX_TITLE_CHARS} characters")
        if any(unicodedata.category(ch).startswith("C") for ch in self.title):
            raise ValueError("PrintJob.title must not hold control characters")

    def __repr__(self) -> str:
        return f"PrintJob(title={self.title!r}, content_type={self.content_type!r}, size={len(self.data)})"

    def wipe(self) -> None:
        """Overwrite the data with zero bytes when it is a ``bytearray`` (``bytes`` cannot be wiped)."""
        if isinstance(self.data, bytearray):
            self.data[:] = bytes(len(self.data))


@dataclass(frozen=True)
class PrintResult:
    """A job handed over: to the printer itself (raw socket, device file) or to a spooler (CUPS, Windows).

    ``bytes_sent`` is the job's size as sent; ``job_id`` is the spooler's id for the job (``"letters-12"`` for
    CUPS, the Windows job number as text), ``None`` where there is no spooler.
    """

    printer: str
    bytes_sent: int
    job_id: str | None = None


class Printer(Protocol):
    """A printer the client can send a job to.

    ``name`` is the printer's settings string (``raw:10.1.2.3:9100``, ``cups:letters``; see
    :func:`drivers.printing.printer_from_spec`). :meth:`send` blocks until the job is handed over, for at most
    ``timeout`` seconds, and returns early with a ``cancelled`` :class:`~drivers.printing.PrintError` soon after
    ``cancel`` is set. Every failure is a :class:`~drivers.printing.PrintError`. Call it off the GUI thread.
    """

    @property
    def name(self) -> str: ...

    def send(self, job: PrintJob, *, timeout: float, cancel: threading.Event | None = None) -> PrintResult: ...
