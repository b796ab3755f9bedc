"""Printing through the operating system's spooler with Qt: a private cupsd's raw queue into a socket listener.

Runs in a child process so that libcups in it is pointed at the test's cupsd (``CUPS_SERVER``) from the start.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from tests.support.entry_point import ENTRY_POINT
from tests.support.printer import CupsServer, PrinterListener

pytestmark = pytest.mark.device

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from drivers.printing import PrintError, PrintJob
from teller_client.documents.letters import DUMMY_SECRET, LetterLayout, render_password_letter, sample_letter
from teller_client.secret import Secret
from teller_client.ui.spooler_printer import QtSpoolerPrinter, spooler_printer_names
out = {"names": spooler_printer_names()}
pdf = render_password_letter(sample_letter(), Secret(DUMMY_SECRET), LetterLayout())
out["sent"] = QtSpoolerPrinter(sys.argv[1]).send(PrintJob(pdf, title="密码函 LT00000031"), timeout=30).bytes_sent
try:
    QtSpoolerPrinter("no-such-printer").send(PrintJob(pdf, title="x"), timeout=5)
except PrintError as exc:
    out["missing"] = exc.code
print(json.dumps(out))
"""


def test_a_letter_printed_through_the_spooler_with_qt_arrives_as_a_pdf_with_its_pages(
    cups: CupsServer, printer_listener: PrinterListener
) -> None:
    env = {**cups.env, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD, cups.queue], env=env, capture_output=True, text=True, timeout=90, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert cups.queue in out["names"] and out["sent"] > 0 and out["missing"] == "not_found"
    [job] = printer_listener.wait_for_jobs(1, timeout=30)
    assert job.startswith(b"%PDF")
    document = pdfium.PdfDocument(job)
    width, height = document[0].get_size()
    assert len(document) == 1 and abs(width / 72 * 25.4 - 241) < 2 and abs(height / 72 * 25.4 - 140) < 2  # the mailer's size
    image = document[0].render(scale=300 / 72).to_pil()
    assert "LT00000031" in {code.text for code in zxingcpp.read_barcodes(image)}  # the serial still scans after the raster


def test_print_test_prints_through_the_spooler_with_a_qt_printer_spec(
    cups: CupsServer, printer_listener: PrinterListener, tmp_path: Path
) -> None:
    env = {**cups.env, "QT_QPA_PLATFORM": "offscreen", "TELLER_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [str(ENTRY_POINT), "print-test", "--printer", f"qt:{cups.queue}"], env=env, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr[-3000:]
    calibration, letter = printer_listener.wait_for_jobs(2, timeout=30)
    assert calibration.startswith(b"%PDF") and letter.startswith(b"%PDF")
    missing = subprocess.run(
        [str(ENTRY_POINT), "print-test", "--printer", "qt:no-such-printer"], env=env, capture_output=True, text=True, timeout=90
    )
    assert missing.returncode == 2 and "找不到打印机" in missing.stderr
