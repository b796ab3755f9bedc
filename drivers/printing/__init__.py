"""Printers: send a document (PDF, or ESC/P text for dot-matrix printers) to a printer, with a timeout and a cancel.

For branch IT, the backends, each chosen by a settings string (:func:`printer_from_spec`; one printer per
document kind in the client's settings):

* ``raw:HOST[:PORT]`` (:class:`RawSocketPrinter`): the PDF goes straight to a network printer's raw TCP port
  (9100, "JetDirect", "AppSocket"). The printer must print PDF directly. No spooler: nothing is stored on the
  way, and nothing reports paper out (the printer's panel does).
* ``cups:QUEUE[@SERVER]`` (:class:`CupsPrinter`, Linux): a CUPS queue, through ``lp``/``lpstat``/``cancel``
  (Debian: ``cups-client``). The CUPS server spools the job until it is printed; for letters set
  ``PreserveJobFiles No`` and ``PreserveJobHistory No`` in its ``cupsd.conf``. Disabled queues, queues not
  accepting jobs and printers out of paper are reported before the job is queued.
* ``windows:NAME`` (:class:`WindowsSpoolerPrinter`, Windows): a Windows printer by name, datatype RAW (the printer
  must take PDF, or ESC/P). Needs pywin32. Turn "Keep printed documents" off on that printer.
* ``escp+raw:HOST[:PORT]`` and ``escp+file:PATH`` (:class:`EscpPrinter`): dot-matrix mailer printers; text laid
  out by :func:`escp_document` (GB18030, Chinese mode), sent over raw TCP or to a device such as
  ``/dev/usb/lp0`` or ``LPT1`` (:class:`DeviceFilePrinter`).

Every backend's ``send(job, timeout=..., cancel=...)`` blocks (run it off the GUI thread), never writes the
document to disk, never logs or repeats its bytes, and raises :class:`PrintError` with a stable ``code``
(:data:`PRINT_ERROR_CODES`): ``offline``, ``refused``, ``paper_out``, ``timeout``, ``cancelled``, ``not_found``,
``invalid_settings``, ``failed``. ``PrintError.bytes_sent`` or ``job_id`` tell that a failed job may still have
printed in part (a password letter is then spoiled).
"""

from __future__ import annotations

from drivers.printing.cups import CupsPrinter, QueueStatus, list_queues, parse_job_ids, parse_queue_status
from drivers.printing.device_file import DeviceFilePrinter
from drivers.printing.errors import ERROR_CODES, PRINT_ERROR_CODES, PrintError, PrintErrorCode
from drivers.printing.escp import EscpPrinter, escp_document, escp_job
from drivers.printing.model import CONTENT_TYPES, ContentType, Printer, PrintJob, PrintResult
from drivers.printing.raw_socket import RawSocketPrinter
from drivers.printing.settings import SPEC_FORMATS, printer_from_spec
from drivers.printing.windows import WindowsSpoolerPrinter, list_windows_printers

__all__ = [
    "CONTENT_TYPES",
    "ERROR_CODES",
    "PRINT_ERROR_CODES",
    "SPEC_FORMATS",
    "ContentType",
    "CupsPrinter",
    "DeviceFilePrinter",
    "EscpPrinter",
    "PrintError",
    "PrintErrorCode",
    "PrintJob",
    "PrintResult",
    "Printer",
    "QueueStatus",
    "RawSocketPrinter",
    "WindowsSpoolerPrinter",
    "escp_document",
    "escp_job",
    "list_queues",
    "list_windows_printers",
    "parse_job_ids",
    "parse_queue_status",
    "printer_from_spec",
]
