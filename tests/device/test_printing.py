"""Printers (drivers/printing) against real sockets, devices and a real CUPS server.

The raw printer is the ``printer_listener`` fixture (a TCP listener on 127.0.0.1 that keeps each connection's
bytes); the CUPS tests run a private ``cupsd`` of this test run with a raw queue ``test`` that prints to that
listener (tests/support/printer.py). Device files are FIFOs. Timings are measured, with margins for a busy CI.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from drivers.printing import (
    CupsPrinter,
    DeviceFilePrinter,
    EscpPrinter,
    PrintError,
    PrintJob,
    RawSocketPrinter,
    escp_document,
    escp_job,
    list_queues,
    printer_from_spec,
)
from tests.support.printer import CupsServer, PrinterListener, free_port

pytestmark = [pytest.mark.device, pytest.mark.timeout(60)]

SECRET = "DUMMY-SECRET-4711"
MARGIN = 0.5
"""How late a timeout or a cancel may be noticed, at most (the drivers poll every 50 ms; CI machines are busy)."""
BIG = 4 * 1024 * 1024
"""More than a stalled printer's socket buffers and ours hold together, so that sending it blocks."""


def letter_pdf(secret: str = SECRET) -> bytearray:
    """A one-page PDF that shows ``secret`` (uncompressed, so the bytes can be searched for it)."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pageCompression=0)
    pdf.drawString(100, 700, f"Initial password: {secret}")
    pdf.showPage()
    pdf.save()
    return bytearray(out.getvalue())


def pdf_job(data: bytes | bytearray | None = None) -> PrintJob:
    return PrintJob(letter_pdf() if data is None else data, "密码函 PL00000001")


_writes: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _writes is None or event != "open":
        return
    path, mode, flags = args
    if isinstance(path, int):
        return  # wraps a descriptor already open (a pipe to lp), not a file
    writing = isinstance(mode, str) and any(ch in mode for ch in "wax+")
    writing |= isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND))
    if writing and str(path) != os.devnull:
        _writes.append(str(path))


sys.addaudithook(_audit)  # inert outside no_disk_writes()


@contextlib.contextmanager
def no_disk_writes() -> Iterator[None]:
    """Fails when this process opens a file for writing, or a file appears in the temporary directory, inside."""
    global _writes  # the audit hook cannot be removed, so it reads a module flag
    tmp = Path(tempfile.gettempdir())
    before = set(os.listdir(tmp))
    _writes = []
    try:
        yield
    finally:
        writes, _writes = _writes, None
    assert writes == []
    assert set(os.listdir(tmp)) - before == set()


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.monotonic()
    try:
        result: object = fn()
    except PrintError as exc:
        result = exc
    return result, time.monotonic() - start


def cancel_after(seconds: float) -> threading.Event:
    event = threading.Event()
    timer = threading.Timer(seconds, event.set)
    timer.daemon = True
    timer.start()
    return event


# --- raw socket ---------------------------------------------------------------------------------------------------


def test_a_pdf_arrives_byte_identical_and_nothing_touches_the_disk(printer_listener: PrinterListener) -> None:
    job = pdf_job()
    printer = RawSocketPrinter("127.0.0.1", printer_listener.port)
    with no_disk_writes():
        result = printer.send(job, timeout=5.0)
    assert printer_listener.wait_for_jobs(1) == [bytes(job.data)]
    assert (result.printer, result.bytes_sent, result.job_id) == (printer_listener.spec, len(job.data), None)
    assert printer.name == printer_listener.spec
    job.wipe()
    assert job.data == bytes(len(job.data)) and SECRET not in repr(job)


def test_the_settings_string_gives_the_same_printer(printer_listener: PrinterListener) -> None:
    printer = printer_from_spec(printer_listener.spec)
    assert isinstance(printer, RawSocketPrinter)
    printer.send(pdf_job(b"%PDF-1.4 tiny"), timeout=5.0)
    assert printer_listener.wait_for_jobs(1) == [b"%PDF-1.4 tiny"]


def test_a_printer_that_is_not_listening_is_offline_at_once(printer_listener: PrinterListener) -> None:
    printer_listener.refuse()
    err, elapsed = timed(lambda: RawSocketPrinter("127.0.0.1", printer_listener.port).send(pdf_job(), timeout=5.0))
    assert isinstance(err, PrintError) and err.code == "offline"
    assert err.printer == printer_listener.spec and err.bytes_sent == 0 and "ECONNREFUSED" in err.message
    assert SECRET not in str(err) and SECRET not in repr(err)
    assert elapsed < 1.0


def test_a_stalled_printer_times_out_on_time(printer_listener: PrinterListener) -> None:
    printer_listener.stall()
    err, elapsed = timed(lambda: RawSocketPrinter("127.0.0.1", printer_listener.port).send(pdf_job(bytes(BIG)), timeout=1.0))
    assert isinstance(err, PrintError) and err.code == "timeout", err
    assert 1.0 <= elapsed < 1.0 + MARGIN
    assert 0 < err.bytes_sent < BIG  # part of it left: the letter may be spoiled


def test_cancel_from_another_thread_stops_the_job_and_resets_the_connection(printer_listener: PrinterListener) -> None:
    printer_listener.slow(chunk=4096, delay=0.01)  # about 400 KB/s: 4 MB would take ten seconds
    cancel = cancel_after(0.3)
    err, elapsed = timed(
        lambda: RawSocketPrinter("127.0.0.1", printer_listener.port).send(pdf_job(bytes(BIG)), timeout=30.0, cancel=cancel)
    )
    assert isinstance(err, PrintError) and err.code == "cancelled"
    assert 0.3 <= elapsed < 0.3 + MARGIN
    aborted = printer_listener.wait_for_aborted(1)  # a reset, not a clean end: the printer drops the partial job
    assert 0 < len(aborted[0]) < BIG and printer_listener.jobs == []


def test_a_job_cancelled_before_it_starts_never_connects(printer_listener: PrinterListener) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(PrintError) as caught:
        RawSocketPrinter("127.0.0.1", printer_listener.port).send(pdf_job(), timeout=5.0, cancel=cancel)
    assert caught.value.code == "cancelled" and printer_listener.connections == 0


def test_a_slow_printer_gets_every_byte(printer_listener: PrinterListener) -> None:
    printer_listener.slow(chunk=16384, delay=0.002)
    data = os.urandom(600 * 1024)
    result = RawSocketPrinter("127.0.0.1", printer_listener.port).send(pdf_job(data), timeout=20.0)
    assert result.bytes_sent == len(data)
    assert printer_listener.wait_for_jobs(1) == [data]


def test_a_printer_that_resets_the_connection_refused_the_job(printer_listener: PrinterListener) -> None:
    printer_listener.reset()
    with pytest.raises(PrintError) as caught:
        RawSocketPrinter("127.0.0.1", printer_listener.port).send(pdf_job(bytes(BIG)), timeout=5.0)
    assert caught.value.code == "refused"


def test_an_unknown_host_is_not_found() -> None:
    with pytest.raises(PrintError) as caught:
        RawSocketPrinter("printer.invalid", 9100).send(pdf_job(), timeout=5.0)
    assert caught.value.code == "not_found"


# --- ESC/P --------------------------------------------------------------------------------------------------------

ESCP_LINES = ["密码函 PL00000001", "户名：€", "", "𠀀 Login ID: A1"]
ESCP_BYTES = (
    b"\x1b@"  # ESC @: initialise
    b"\x1c&"  # FS &: Chinese character mode
    b"\x1b3\x1e"  # ESC 3 30: line spacing 30/180 inch
    b"\x1bC\x15"  # ESC C 21: form length 21 lines
    b"\x1bl\x05"  # ESC l 5: left margin 5 columns
    b"\r\n\r\n"  # top margin: two lines
    b"\xc3\xdc\xc2\xeb\xba\xaf PL00000001\r\n"  # 密码函 in GB18030 (GB2312 range)
    b"\xbb\xa7\xc3\xfb\xa3\xba\xa2\xe3\r\n"  # 户名：€ (€ is A2E3 in GB18030, 80 in GBK)
    b"\r\n"
    b"\x95\x32\x82\x36 Login ID: A1\r\n"  # U+20000: a four-byte GB18030 character
    b"\x0c"  # form feed: eject the mailer
)


def test_an_escp_document_reaches_a_raw_printer_byte_for_byte(printer_listener: PrinterListener) -> None:
    data = escp_document(ESCP_LINES, left_margin_cols=5, top_margin_lines=2, form_length_lines=21)
    assert data == ESCP_BYTES
    printer = printer_from_spec(f"escp+raw:127.0.0.1:{printer_listener.port}")
    assert isinstance(printer, EscpPrinter) and printer.name == f"escp+{printer_listener.spec}"
    result = printer.send(PrintJob(data, "mailer PL00000001", "application/vnd.escp"), timeout=5.0)
    assert printer_listener.wait_for_jobs(1) == [ESCP_BYTES]
    assert result.printer == printer.name and result.bytes_sent == len(ESCP_BYTES)


def test_an_escp_printer_refuses_pdf_and_names_itself_in_errors(printer_listener: PrinterListener) -> None:
    printer = EscpPrinter(RawSocketPrinter("127.0.0.1", printer_listener.port))
    with pytest.raises(PrintError) as caught:
        printer.send(pdf_job(), timeout=5.0)
    assert caught.value.code == "invalid_settings" and printer_listener.connections == 0
    printer_listener.refuse()
    with pytest.raises(PrintError) as caught:
        printer.send(escp_job(["x"], title="mailer"), timeout=5.0)
    assert caught.value.code == "offline" and caught.value.printer == printer.name


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / "lp0"
    os.mkfifo(path)
    yield path
    # a writer still blocked in open() (the stalled test) gets its reader, sees that it must stop, and ends
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))


def read_fifo(path: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as reader:
            got.append(reader.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


def test_escp_through_a_device_file(fifo: Path) -> None:
    thread, got = read_fifo(fifo)
    printer = printer_from_spec(f"escp+file:{fifo}")
    assert printer.name == f"escp+file:{fifo}"
    result = printer.send(escp_job(ESCP_LINES, title="mailer", left_margin_cols=5, top_margin_lines=2, form_length_lines=21), timeout=5.0)
    thread.join(5.0)
    assert got == [ESCP_BYTES] and result.bytes_sent == len(ESCP_BYTES)


def test_a_device_nobody_reads_times_out_and_a_cancel_is_prompt(fifo: Path) -> None:
    printer = DeviceFilePrinter(str(fifo))
    err, elapsed = timed(lambda: printer.send(escp_job(["x"], title="mailer"), timeout=0.5))
    assert isinstance(err, PrintError) and err.code == "timeout" and 0.5 <= elapsed < 0.5 + MARGIN
    err, elapsed = timed(lambda: printer.send(escp_job(["x"], title="mailer"), timeout=30.0, cancel=cancel_after(0.2)))
    assert isinstance(err, PrintError) and err.code == "cancelled" and 0.2 <= elapsed < 0.2 + MARGIN


def test_a_device_path_must_be_a_device(tmp_path: Path) -> None:
    regular = tmp_path / "letter.prn"
    regular.write_bytes(b"")
    with pytest.raises(PrintError) as caught:
        DeviceFilePrinter(str(regular)).send(escp_job(["x"], title="mailer"), timeout=1.0)
    assert caught.value.code == "invalid_settings" and regular.read_bytes() == b""
    with pytest.raises(PrintError) as caught:
        DeviceFilePrinter(str(tmp_path / "lp9")).send(escp_job(["x"], title="mailer"), timeout=1.0)
    assert caught.value.code == "not_found" and not (tmp_path / "lp9").exists()


# --- CUPS, with stand-in programs (no cupsd needed) -----------------------------------------------------------------


def script(path: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def stand_ins(tmp_path: Path) -> dict[str, str]:
    if os.name != "posix":
        pytest.skip("shell scripts stand in for the CUPS programs")
    marker = tmp_path / "lp-ran"
    sleep, touch, cat = (shutil.which(tool, path=os.defpath) or tool for tool in ("sleep", "touch", "cat"))
    return {
        "hung_lp": script(tmp_path / "hung-lp", f"{touch} {marker}; exec {sleep} 30"),
        "lp": script(tmp_path / "lp", f"{touch} {marker}; {cat} >/dev/null; echo 'request id is letters-7 (0 file(s))'"),
        "paper_out": script(
            tmp_path / "lpstat-paper", "printf 'printer letters is idle.  enabled since Mon\\n\\tAlerts: media-empty-error\\n'"
        ),
        "marker": str(marker),
    }


def test_a_hung_lp_is_killed_on_cancel_and_on_timeout(stand_ins: dict[str, str]) -> None:
    printer = CupsPrinter("letters", lp=stand_ins["hung_lp"], check_queue=False)
    err, elapsed = timed(lambda: printer.send(pdf_job(), timeout=30.0, cancel=cancel_after(0.3)))
    assert isinstance(err, PrintError) and err.code == "cancelled" and 0.3 <= elapsed < 0.3 + MARGIN
    assert err.may_have_printed  # lp may have handed the job to the server before it was killed
    err, elapsed = timed(lambda: printer.send(pdf_job(), timeout=0.5))
    assert isinstance(err, PrintError) and err.code == "timeout" and 0.5 <= elapsed < 0.5 + MARGIN


def test_no_paper_is_reported_before_the_job_is_queued(stand_ins: dict[str, str]) -> None:
    printer = CupsPrinter("letters", lp=stand_ins["lp"], lpstat=stand_ins["paper_out"])
    with pytest.raises(PrintError) as caught:
        printer.send(pdf_job(), timeout=5.0)
    assert caught.value.code == "paper_out" and not Path(stand_ins["marker"]).exists()
    result = CupsPrinter("letters", lp=stand_ins["lp"], check_queue=False).send(pdf_job(), timeout=5.0)
    assert result.job_id == "letters-7"


# --- CUPS, a real cupsd ---------------------------------------------------------------------------------------------


def files_holding(root: Path, needle: bytes) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_socket():
            with contextlib.suppress(OSError):
                if needle in path.read_bytes():
                    found.append(str(path.relative_to(root)))
    return found


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_cups_prints_a_pdf_byte_identical_and_keeps_no_copy(cups: CupsServer, printer_listener: PrinterListener) -> None:
    job = pdf_job()
    assert SECRET.encode() in job.data  # so that the search of the server's files below means something
    printer = cups.printer()
    with no_disk_writes():
        result = printer.send(job, timeout=10.0)
    assert result.job_id is not None and re.fullmatch(r"test-\d+", result.job_id)
    assert (result.printer, result.bytes_sent) == (f"cups:test@{cups.server}", len(job.data))
    assert printer_listener.wait_for_jobs(1) == [bytes(job.data)]
    printer.wait_until_done(result.job_id, timeout=10.0)
    assert result.job_id not in cups.jobs()
    # PreserveJobFiles No: the server's copy of the letter is gone once it is printed
    assert wait_for(lambda: [f for f in cups.spool_files() if f.startswith("d")] == []), cups.spool_files()
    assert files_holding(cups.root, SECRET.encode()) == []


def test_cups_over_tcp_and_escp_as_raw(cups: CupsServer, printer_listener: PrinterListener) -> None:
    printer = cups.printer(server=cups.tcp)  # lp -h 127.0.0.1:PORT
    result = printer.send(
        PrintJob(escp_document(ESCP_LINES, left_margin_cols=5, top_margin_lines=2, form_length_lines=21), "mailer", "application/vnd.escp"),
        timeout=10.0,
    )
    assert printer_listener.wait_for_jobs(1) == [ESCP_BYTES]
    assert result.job_id is not None and result.job_id.startswith("test-")
    assert "test" in list_queues(server=cups.tcp, lpstat=cups.tools["lpstat"])


def test_cups_unknown_queue_is_not_found(cups: CupsServer) -> None:
    for check in (True, False):
        with pytest.raises(PrintError) as caught:
            cups.printer("nosuchqueue", check_queue=check).send(pdf_job(), timeout=10.0)
        assert caught.value.code == "not_found", caught.value


def test_cups_rejecting_queue_refuses_and_disabled_queue_is_offline(cups: CupsServer, printer_listener: PrinterListener) -> None:
    cups.run("cupsreject", "-r", "closed for the day", "test")
    with pytest.raises(PrintError) as caught:
        cups.printer().send(pdf_job(), timeout=10.0)
    assert caught.value.code == "refused"
    cups.run("cupsaccept", "test")
    cups.run("cupsdisable", "test")
    with pytest.raises(PrintError) as caught:
        cups.printer().send(pdf_job(), timeout=10.0)
    assert caught.value.code == "offline" and "disabled" in caught.value.message
    assert cups.jobs() == []  # nothing was left waiting in the paused queue
    assert printer_listener.connections == 0


def test_no_cups_server_is_offline(cups: CupsServer, tmp_path: Path) -> None:
    gone = str(tmp_path / "no-cupsd.sock")
    for check in (True, False):
        with pytest.raises(PrintError) as caught:
            cups.printer(server=gone, check_queue=check).send(pdf_job(), timeout=10.0)
        assert caught.value.code == "offline", caught.value
    with pytest.raises(PrintError) as caught:
        list_queues(server=gone, lpstat=cups.tools["lpstat"])
    assert caught.value.code == "offline"


def test_cups_job_that_cannot_reach_its_printer_is_cancelled(cups: CupsServer) -> None:
    cups.add_queue("dead", f"socket://127.0.0.1:{free_port()}")
    printer = cups.printer("dead")
    result = printer.send(pdf_job(), timeout=10.0)
    assert result.job_id is not None
    err, elapsed = timed(lambda: printer.wait_until_done(str(result.job_id), timeout=1.5))
    assert isinstance(err, PrintError) and err.code == "offline", err
    assert err.job_id == result.job_id and 1.5 <= elapsed < 1.5 + 2 * MARGIN
    assert cups.jobs("dead") == []  # cancelled, so it cannot come out later

    second = printer.send(pdf_job(), timeout=10.0)
    err, elapsed = timed(lambda: printer.wait_until_done(str(second.job_id), timeout=30.0, cancel=cancel_after(0.3)))
    assert isinstance(err, PrintError) and err.code == "cancelled" and elapsed < 0.3 + 2 * MARGIN
    assert cups.jobs("dead") == []
