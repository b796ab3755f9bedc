"""ESC/P text for the dot-matrix printers some branches still use for pre-printed mailer (password letter) forms.

:func:`escp_document` lays text lines out as ESC/P bytes: initialise the printer (``ESC @``), enter Chinese
character mode (``FS &``, on the Chinese-capable 24-pin printers such as the Epson LQ-…K and the Start/Jolimark/
OKI models sold in China; ``chinese=False`` leaves it out for printers set to Chinese mode by DIP switch or panel),
set the line spacing (``ESC 3 n``: n/180 inch on 24-pin printers), optionally the page length in lines
(``ESC C n``), the left margin in columns (``ESC l n``), then the top margin as blank lines, the text encoded in
GB18030 (GBK characters take two bytes; the rare four-byte characters print only on GB18030-certified printers),
each line ended by CR LF, and a form feed (``FF``) to eject the form. The mailer form's calibration (margins,
spacing) comes from the branch's settings for that printer.

:class:`EscpPrinter` sends such bytes, unchanged, through a transport: a :class:`~drivers.printing.RawSocketPrinter`
(a print server or network dot-matrix printer) or a :class:`~drivers.printing.DeviceFilePrinter` (``/dev/usb/lp0``,
``LPT1``); a CUPS raw queue or a Windows printer work too.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence

from drivers.printing.errors import PrintError
from drivers.printing.model import ContentType, Printer, PrintJob, PrintResult

ESC = b"\x1b"
FS = b"\x1c"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CRLF = b"\r\n"
FORM_FEED = b"\x0c"
ENCODING = "gb18030"
CONTENT_TYPE: ContentType = "application/vnd.escp"


def _byte_param(name: str, value: int, low: int, high: int) -> bytes:
    if not (isinstance(value, int) and low <= value <= high):
        raise ValueError(f"{name} must be a whole number from {low} to {high}")
    return bytes((value,))


def escp_document(
    lines: Sequence[str],
    *,
    left_margin_cols: int = 0,
    top_margin_lines: int = 0,
    line_spacing_180ths: int = 30,
    form_length_lines: int | None = None,
    chinese: bool = True,
) -> bytearray:
    """The ESC/P bytes that print ``lines`` (see the module's description); a ``bytearray``, so it can be wiped.

    Lines must not hold control characters (tabs included: lay columns out with spaces). ``ValueError`` names the
    line's number, never its text.
    """
    out = bytearray(INIT)
    if chinese:
        out += CHINESE_ON
    out += ESC + b"3" + _byte_param("line_spacing_180ths", line_spacing_180ths, 0, 255)
    if form_length_lines is not None:
        out += ESC + b"C" + _byte_param("form_length_lines", form_length_lines, 1, 127)
    out += ESC + b"l" + _byte_param("left_margin_cols", left_margin_cols, 0, 255)
    _byte_param("top_margin_lines", top_margin_lines, 0, 255)
    out += CRLF * top_margin_lines
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, str):
            raise TypeError(f"line {number} is not text")
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in line):
            raise ValueError(f"line {number} holds a control character")
        try:
            out += line.encode(ENCODING)
        except UnicodeEncodeError:
            raise ValueError(f"line {number} cannot be encoded in {ENCODING}") from None  # the exception would hold the text
        out += CRLF
    out += FORM_FEED
    return out


def escp_job(
    lines: Sequence[str],
    *,
    title: str,
    left_margin_cols: int = 0,
    top_margin_lines: int = 0,
    line_spacing_180ths: int = 30,
    form_length_lines: int | None = None,
    chinese: bool = True,
) -> PrintJob:
    """A :class:`PrintJob` of :func:`escp_document` (same layout arguments), for an :class:`EscpPrinter`."""
    data = escp_document(
        lines,
        left_margin_cols=left_margin_cols,
        top_margin_lines=top_margin_lines,
        line_spacing_180ths=line_spacing_180ths,
        form_length_lines=form_length_lines,
        chinese=chinese,
    )
    return PrintJob(data, title, CONTENT_TYPE)


class EscpPrinter:
    """A dot-matrix printer that takes ESC/P: sends ``application/vnd.escp`` jobs through ``transport`` unchanged.

    ``name`` is ``escp+`` and the transport's name (``escp+raw:10.1.2.3:9100``, ``escp+file:/dev/usb/lp0``).
    A PDF job is refused with ``invalid_settings``: this printer cannot print PDF.
    """

    def __init__(self, transport: Printer) -> None:
        self.transport = transport
        self.name = f"escp+{transport.name}"

    def __repr__(self) -> str:
        return f"EscpPrinter({self.transport!r})"

    def send(self, job: PrintJob, *, timeout: float, cancel: threading.Event | None = None) -> PrintResult:
        if job.content_type != CONTENT_TYPE:
            raise PrintError("invalid_settings", "This printer takes ESC/P text (a dot-matrix printer), not PDF.", printer=self.name)
        try:
            result = self.transport.send(job, timeout=timeout, cancel=cancel)
        except PrintError as exc:
            exc.printer = self.name
            raise
        return PrintResult(self.name, result.bytes_sent, result.job_id)
