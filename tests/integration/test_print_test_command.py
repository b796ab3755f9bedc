"""``teller-client print-test``: the calibration page and a dummy letter, to a PDF or through a raw-socket printer."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from teller_client.documents.letters import DUMMY_SECRET
from tests.support.entry_point import ENTRY_POINT
from tests.support.printer import PrinterListener

pytestmark = pytest.mark.integration


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TELLER_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([str(ENTRY_POINT), *args], capture_output=True, text=True, env=env, timeout=60, check=False)


def texts(pdf: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]


def test_print_test_writes_the_calibration_page_and_a_dummy_letter_laid_out_with_the_counters_offsets(tmp_path: Path) -> None:
    assert run(tmp_path, "settings", "set", "printer.letter_layout", json.dumps({"offset_x_mm": 2.5, "offset_y_mm": -1})).returncode == 0
    out = tmp_path / "test.pdf"
    done = run(tmp_path, "print-test", "--pdf", str(out))
    assert done.returncode == 0, done.stderr
    calibration, letter = texts(out.read_bytes())
    assert "校准" in calibration and DUMMY_SECRET in letter and DUMMY_SECRET not in calibration
    assert run(tmp_path, "settings", "set", "printer.letter_layout", json.dumps({"offset_x_mm": 99})).returncode == 0
    refused = run(tmp_path, "print-test", "--pdf", str(out))
    assert refused.returncode == 2 and "offset_x_mm" in refused.stderr


def test_print_test_sends_both_pages_to_the_letter_printer_or_says_why_not(tmp_path: Path, printer_listener: PrinterListener) -> None:
    unset = run(tmp_path, "print-test")
    assert unset.returncode == 2 and "printer.letter" in unset.stderr
    assert run(tmp_path, "settings", "set", "printer.letter", printer_listener.spec).returncode == 0
    done = run(tmp_path, "print-test")
    assert done.returncode == 0, done.stderr
    calibration, letter = printer_listener.wait_for_jobs(2)
    assert calibration.startswith(b"%PDF") and DUMMY_SECRET in texts(letter)[0]
    printer_listener.refuse()
    offline = run(tmp_path, "print-test")
    assert offline.returncode == 2 and "脱机" in offline.stderr and "offline" in offline.stderr
