"""``teller-client print-test``: the calibration page and a sample letter with a dummy secret, for branch IT.

Printed on the letter printer (``printer.letter``, or ``--printer SPEC``) or written to a PDF (``--pdf OUT.pdf``,
two pages: calibration, then the sample letter), laid out with this counter's ``printer.letter_layout``. The
sample letter carries :data:`~teller_client.documents.letters.DUMMY_SECRET`, never a real password. Measure the
calibration page's grid on the printed mailer, then set the offsets:
``teller-client settings set printer.letter_layout '{"offset_x_mm": 1.5, "offset_y_mm": -2}'``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]

from drivers.printing import PrintError, PrintJob
from teller_client.documents.letters import DUMMY_SECRET, render_calibration_page, render_password_letter, sample_letter
from teller_client.errors import TellerError
from teller_client.flows import printers
from teller_client.flows.device_errors import device_error
from teller_client.secret import Secret


def run_print_test(args: argparse.Namespace, settings: dict[str, object]) -> int:
    layout = printers.letter_layout(dict(settings))
    pages = [
        ("校准页 calibration page", bytes(render_calibration_page(layout))),
        ("样张 sample letter", bytes(render_password_letter(sample_letter(training=True), Secret(DUMMY_SECRET), layout))),
    ]
    if args.pdf is not None:
        _write_pdf(args.pdf, [data for _, data in pages])
        print(f"wrote {args.pdf} (2 pages: calibration, sample letter with a dummy password)")
        return 0
    printer = printers.printer_for(dict(settings), "letter", args.printer)
    timeout = printers.print_timeout(dict(settings))
    for title, data in pages:
        try:
            result = printer.send(PrintJob(data, title=f"print-test {title}"), timeout=timeout)
        except PrintError as exc:
            error = device_error(exc)
            print(f"teller-client print-test: {error.message_zh} / {error.message_en}", file=sys.stderr)
            return 2
        print(f"{title}: sent to {result.printer} ({result.bytes_sent} bytes{', job ' + result.job_id if result.job_id else ''})")
    return 0


def _write_pdf(path: Path, documents: list[bytes]) -> None:
    merged = pdfium.PdfDocument.new()
    for data in documents:
        merged.import_pages(pdfium.PdfDocument(data))
    try:
        merged.save(str(path))
    except OSError as exc:
        raise TellerError(f"cannot write {path}: {exc}", f"无法写入 {path}：{exc}", code="output_unwritable") from exc
