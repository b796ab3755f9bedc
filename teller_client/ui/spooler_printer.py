"""Printing a PDF through the operating system's spooler with Qt: any printer with a driver (Windows, CUPS).

Settings spec ``qt:NAME`` (``NAME`` as Windows or CUPS lists the printer). The PDF's pages are rendered with
PDFium at the printer's resolution (300 dpi by default) and painted full-page on a :class:`QPrinter`, so a
printer that cannot take PDF itself (most Windows GDI drivers) prints it the same way as the others. The
work runs on a thread of its own: ``send`` waits for it with the caller's timeout and cancel event (between
pages the job is aborted at once; a driver stuck inside a page is left to finish while the caller gets
``timeout``). The rendered rasters hold the letter's secret as pixels: each is overwritten after it is painted.
Qt's printing classes may be used off the GUI thread; a :class:`QGuiApplication` must exist.

Secrets: on Windows the job goes to the spooler like any document (its spool folder holds it while it prints);
on Linux Qt passes it to CUPS through a temporary file it deletes afterwards. Letters on Linux print better
through ``cups:QUEUE`` (:mod:`drivers.printing.cups`, a pipe to ``lp``).
"""

from __future__ import annotations

import io
import threading

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from drivers.printing import PrintError, PrintJob, PrintResult
from teller_client.flows.printers import register_backend

POLL = 0.05


def spooler_printer_names() -> list[str]:
    """The printers the operating system's spooler offers (what ``qt:NAME`` takes)."""
    return [str(name) for name in QPrinterInfo.availablePrinterNames()]


class QtSpoolerPrinter:
    """A printer of the operating system's spooler, driven through Qt."""

    def __init__(self, printer_name: str, *, dpi: int = 300) -> None:
        if not printer_name.strip():
            raise PrintError("invalid_settings", "qt:NAME needs the printer's name", printer="qt:")
        self.printer_name = printer_name
        self.dpi = dpi

    @property
    def name(self) -> str:
        return f"qt:{self.printer_name}"

    def send(self, job: PrintJob, *, timeout: float, cancel: threading.Event | None = None) -> PrintResult:
        if job.content_type != "application/pdf":
            raise PrintError("invalid_settings", "the spooler through Qt prints PDF only", printer=self.name)
        info = QPrinterInfo.printerInfo(self.printer_name)
        if info.isNull():
            raise PrintError("not_found", "the spooler has no such printer", printer=self.name)
        abort = threading.Event()
        outcome: list[BaseException | int] = []
        worker = threading.Thread(target=self._print, args=(job, info, abort, outcome), name="qt-spooler", daemon=True)
        worker.start()
        waited = 0.0
        while worker.is_alive():
            worker.join(POLL)
            waited += POLL
            if cancel is not None and cancel.is_set():
                abort.set()
                worker.join(2.0)
                raise PrintError("cancelled", printer=self.name)
            if waited >= timeout:
                abort.set()
                raise PrintError("timeout", f"the spooler did not take the job within {timeout:g} s", printer=self.name)
        result = outcome[0] if outcome else PrintError("failed", "the print thread ended without an answer", printer=self.name)
        if isinstance(result, BaseException):
            raise result
        return PrintResult(self.name, result)

    def _print(self, job: PrintJob, info: QPrinterInfo, abort: threading.Event, outcome: list[BaseException | int]) -> None:
        try:
            outcome.append(self._paint(job, info, abort))
        except PrintError as exc:
            outcome.append(exc)
        except Exception as exc:  # a driver's failure: never its text (it might quote the document)
            outcome.append(PrintError("failed", f"the spooler failed ({type(exc).__name__})", printer=self.name))

    def _paint(self, job: PrintJob, info: QPrinterInfo, abort: threading.Event) -> int:
        stream = io.BytesIO(job.data)  # PDFium reads a stream, which (unlike bytes) can be wiped afterwards
        document = pdfium.PdfDocument(stream)
        try:
            printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
            printer.setDocName(job.title)
            printer.setFullPage(True)
            printer.setResolution(self.dpi)
            painter = QPainter()
            for index in range(len(document)):
                page = document[index]
                width_pt, height_pt = page.get_size()
                size = QPageSize(QSizeF(width_pt, height_pt), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)
                printer.setPageSize(size)
                printer.setPageOrientation(QPageLayout.Orientation.Portrait)
                if index == 0:
                    if not painter.begin(printer):
                        raise PrintError("offline", "the spooler did not open the printer", printer=self.name)
                else:
                    printer.newPage()
                if abort.is_set():
                    printer.abort()
                    painter.end()
                    raise PrintError("cancelled", printer=self.name)
                _draw_page(painter, page, self.dpi, QRectF(printer.pageLayout().fullRectPixels(printer.resolution())))
            if not painter.end():
                raise PrintError("failed", "the spooler did not accept the job", printer=self.name)
            return len(job.data)
        finally:
            document.close()
            _wipe(stream.getbuffer())
            stream.close()


def _draw_page(painter: QPainter, page: object, dpi: int, target: QRectF) -> None:
    """Render one PDF page to an RGB raster, paint it over ``target``, then overwrite the raster."""
    bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # type: ignore[attr-defined]
    try:
        buffer = bitmap.buffer
        image = QImage(buffer, bitmap.width, bitmap.height, bitmap.stride, _image_format(bitmap.n_channels))
        painter.drawImage(target, image)
        del image
        _wipe(buffer)
    finally:
        bitmap.close()


def _image_format(channels: int) -> QImage.Format:
    return QImage.Format.Format_RGBX8888 if channels == 4 else QImage.Format.Format_RGB888


def _wipe(buffer: object) -> None:
    view = memoryview(buffer)  # type: ignore[arg-type]
    try:
        view.cast("B")[:] = bytes(view.nbytes)
    finally:
        view.release()


def install() -> None:
    """Make ``qt:NAME`` printer specs work in this process (a :class:`QGuiApplication` is made if none exists)."""
    if QGuiApplication.instance() is None:
        QGuiApplication.setApplicationName("teller-client")
        _APP.append(QGuiApplication([]))
    register_backend("qt", QtSpoolerPrinter)


_APP: list[QGuiApplication] = []
