"""Serial barcode scanners (drivers/scanner) against real pseudo-terminals standing in for the COM port.

``os.openpty()`` gives a master/slave pair: the scanner opens the slave's path as its serial port, and the test
writes what a scanner would send to the master. A pulled-out USB-CDC scanner is a closed master; its return under
the same name is a udev-style symlink re-pointed at a new pty. Waits use queues with timeouts, never fixed sleeps.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from drivers.scanner import (
    ERROR_CODES,
    Dropped,
    PortInfo,
    ScanFramer,
    ScannerError,
    ScannerState,
    SerialScanner,
    SerialScannerSettings,
    Terminator,
    classify_open_error,
    list_serial_ports,
)
from drivers.scanner.serial_port import port_info

pytestmark = [pytest.mark.device, pytest.mark.timeout(120)]

needs_pty = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals stand in for serial ports on Linux only")

WAIT = 5.0
"""Upper bound for anything that should happen at once; only reached when a test is about to fail."""


class Pty:
    """One pseudo-terminal: the scanner reads the slave (``path``), the test writes to the master."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def unplug(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.master = self.slave = -1


class Recorder:
    """The scanner's callbacks: every scan and every state, with the reader thread that delivered it."""

    def __init__(self) -> None:
        self.scans: queue.Queue[tuple[str, float]] = queue.Queue()
        self.states: queue.Queue[tuple[ScannerState, str]] = queue.Queue()
        self.seen: list[tuple[ScannerState, str]] = []
        self.threads: set[str] = set()

    def on_scan(self, text: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.scans.put((text, time.perf_counter()))

    def on_state(self, state: ScannerState, detail: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.states.put((state, detail))

    def scan(self, timeout: float = WAIT) -> str:
        return self.scans.get(timeout=timeout)[0]

    def state(self, wanted: ScannerState, timeout: float = WAIT) -> str:
        """Wait for ``wanted``; returns its detail. States before it are kept in ``seen``."""
        deadline = time.monotonic() + timeout
        while True:
            state, detail = self.states.get(timeout=max(0.0, deadline - time.monotonic()))
            self.seen.append((state, detail))
            if state is wanted:
                return detail

    def no_more_scans(self) -> bool:
        return self.scans.empty()


@pytest.fixture
def pty() -> Iterator[Pty]:
    p = Pty()
    yield p
    p.unplug()


@pytest.fixture
def make_scanner() -> Iterator[Callable[..., tuple[SerialScanner, Recorder]]]:
    made: list[SerialScanner] = []

    def make(port: str, on_scan: Callable[[str], None] | None = None, **overrides: object) -> tuple[SerialScanner, Recorder]:
        options: dict[str, object] = {"read_timeout": 0.05, "reopen_interval": 0.05} | overrides
        recorder = Recorder()
        settings = SerialScannerSettings(port, **options)  # type: ignore[arg-type]
        scanner = SerialScanner(settings, on_scan or recorder.on_scan, recorder.on_state)
        made.append(scanner)
        return scanner, recorder

    yield make
    for scanner in made:
        scanner.close()
        assert not scanner.is_running


@pytest.fixture
def open_scanner(pty: Pty, make_scanner: Callable[..., tuple[SerialScanner, Recorder]]) -> Callable[..., tuple[SerialScanner, Recorder]]:
    def start(**overrides: object) -> tuple[SerialScanner, Recorder]:
        scanner, recorder = make_scanner(pty.path, **overrides)
        scanner.open()
        recorder.state(ScannerState.OPEN)
        return scanner, recorder

    return start


# --- framing on the wire --------------------------------------------------------------------------------


@needs_pty
@pytest.mark.parametrize(
    ("terminator", "wire", "expected"),
    [
        (Terminator.CR, b"EF1:AB:1:1:00000000:X\r", "EF1:AB:1:1:00000000:X"),
        (Terminator.LF, b"EF1:AB:1:1:00000000:X\n", "EF1:AB:1:1:00000000:X"),
        (Terminator.CRLF, b"EF1:AB:1:1:00000000:X\r\n", "EF1:AB:1:1:00000000:X"),
        (Terminator.CRLF, b"A\rB\r\n", "A\rB"),
        (Terminator.ETX, b"\x02EF1:AB:1:1:00000000:X\x03", "EF1:AB:1:1:00000000:X"),
        (Terminator.ETX, b"\x02EF1:AB\x03\r\n", "EF1:AB"),
        (Terminator.ANY, b"\x02EF1:AB\x03", "EF1:AB"),
        (Terminator.ANY, b"\tEF1:AB\t\r", "EF1:AB"),
        (Terminator.ANY, b"ACCOUNT 6222 0001\n", "ACCOUNT 6222 0001"),
    ],
)
def test_each_terminator_ends_a_scan(open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty,
                                     terminator: Terminator, wire: bytes, expected: str) -> None:  # fmt: skip
    _, rec = open_scanner(terminator=terminator)
    pty.write(wire)
    assert rec.scan() == expected
    pty.write(b"\x02END\x03" if terminator is Terminator.ETX else b"END\r\n")
    assert rec.scan() == "END"
    assert rec.no_more_scans()


@needs_pty
def test_crlf_from_a_scanner_set_to_any_gives_one_scan_each_and_no_empty_ones(
    open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty
) -> None:
    _, rec = open_scanner()
    pty.write(b"ONE\r\n\r\n\n\rTWO\r\nTHREE\r\n")
    assert [rec.scan(), rec.scan(), rec.scan()] == ["ONE", "TWO", "THREE"]
    pty.write(b"END\r")
    assert rec.scan() == "END"


@needs_pty
def test_several_scans_in_one_write(open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    _, rec = open_scanner()
    texts = [f"EF1:FORM{i}:1:1:00000000:DATA{i}" for i in range(50)]
    pty.write(b"".join(t.encode() + b"\r\n" for t in texts))
    assert [rec.scan() for _ in texts] == texts


@needs_pty
def test_one_scan_split_over_several_writes(open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    _, rec = open_scanner(inter_char_timeout=10.0)  # the pauses below must never count as a stall
    for piece in (b"\x02EF1:", b"FORM1:1", b":1:0000", b"0000:DA", b"TA", b"\x03"):
        pty.write(piece)
        time.sleep(0.01)  # lets the reader take each piece in its own read; correctness does not depend on it
    assert rec.scan() == "EF1:FORM1:1:1:00000000:DATA"
    assert rec.no_more_scans()


@needs_pty
def test_a_stalled_partial_scan_is_dropped_not_glued_to_the_next(
    open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty
) -> None:
    scanner, rec = open_scanner(inter_char_timeout=0.3)
    started = time.monotonic()
    pty.write(b"EF1:HALF")
    detail = rec.state(ScannerState.PARTIAL_DROPPED)
    assert time.monotonic() - started >= 0.3
    assert "incomplete scan of 8 bytes" in detail
    pty.write(b"EF1:WHOLE\r")
    assert rec.scan() == "EF1:WHOLE"
    assert scanner.state is ScannerState.OPEN


@needs_pty
def test_stx_starts_a_new_scan_and_drops_the_unfinished_one(open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    _, rec = open_scanner(terminator=Terminator.ETX, inter_char_timeout=None)
    pty.write(b"\x02EF1:CUT SHORT\x02EF1:GOOD\x03")
    assert rec.scan() == "EF1:GOOD"
    assert "began (STX)" in rec.state(ScannerState.PARTIAL_DROPPED)


@needs_pty
def test_an_overlong_scan_is_discarded_and_the_next_still_arrives(
    open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty
) -> None:
    scanner, rec = open_scanner(inter_char_timeout=5.0)  # a pause of a loaded machine must not split the runaway line
    limit = scanner.settings.max_scan_bytes
    assert limit == 8192
    pty.write(b"Y" * limit + b"\r")  # exactly at the cap: delivered
    assert rec.scan() == "Y" * limit
    pty.write(b"X" * 100_000 + b"\rEF1:NEXT\r")  # a runaway device: 100 kB without a terminator
    assert "longer than 8192 bytes" in rec.state(ScannerState.OVERLONG_DISCARDED)
    assert rec.scan() == "EF1:NEXT"
    assert rec.no_more_scans()
    assert [s for s, _ in rec.seen].count(ScannerState.OVERLONG_DISCARDED) == 1


@needs_pty
def test_binary_garbage_does_not_crash_the_reader(open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    scanner, rec = open_scanner()
    noise = bytes(range(256)) * 4 + random.Random(20240511).randbytes(64 * 1024)
    pty.write(noise + b"\rEF1:AFTER:NOISE\r")
    got: list[str] = []
    while "EF1:AFTER:NOISE" not in got:
        got.append(rec.scan())
    assert all(isinstance(t, str) and t.strip() for t in got)
    assert scanner.is_running and scanner.state is ScannerState.OPEN
    pty.write(b"caf\xe9 \xff\r")  # latin-1 maps every byte
    assert rec.scan() == "caf\xe9 \xff"


@needs_pty
def test_undecodable_bytes_are_replaced_in_a_strict_encoding(open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    _, rec = open_scanner(encoding="utf-8")
    pty.write("编号".encode() + b"\xff\xfe\r")
    assert rec.scan() == "编号\ufffd\ufffd"


@needs_pty
def test_callbacks_run_on_the_one_reader_thread_and_a_failing_callback_is_survived(make_scanner: Callable[..., tuple[SerialScanner, Recorder]],
                                                                                   pty: Pty) -> None:  # fmt: skip
    delivered = Recorder()

    def flaky(text: str) -> None:
        if text == "FIRST":
            raise RuntimeError("the UI dropped this one")
        delivered.on_scan(text)

    scanner, rec = make_scanner(pty.path, on_scan=flaky)
    scanner.open()
    rec.state(ScannerState.OPEN)
    pty.write(b"FIRST\rSECOND\r")
    assert delivered.scan() == "SECOND"
    assert scanner.is_running
    reader = f"serial-scanner {pty.path}"
    assert delivered.threads == rec.threads == {reader}
    assert threading.current_thread().name != reader


# --- opening, closing, errors ---------------------------------------------------------------------------


@needs_pty
def test_close_is_prompt_and_the_reader_thread_ends(make_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    scanner, rec = make_scanner(pty.path, read_timeout=1.0)  # a long read: close() must cancel it, not wait it out
    scanner.open()
    rec.state(ScannerState.OPEN)
    thread_name = f"serial-scanner {pty.path}"
    assert thread_name in {t.name for t in threading.enumerate()}
    started = time.monotonic()
    scanner.close()
    elapsed = time.monotonic() - started
    assert elapsed < 0.5, elapsed
    assert not scanner.is_running
    assert thread_name not in {t.name for t in threading.enumerate()}
    assert scanner.state is ScannerState.CLOSED
    assert rec.state(ScannerState.CLOSED, timeout=0.1).startswith("Closed serial port")
    scanner.close()  # twice is harmless
    # the port is free again: reopening the same scanner works
    scanner.open()
    rec.state(ScannerState.OPEN)
    pty.write(b"AGAIN\r")
    assert rec.scan() == "AGAIN"


@needs_pty
def test_close_from_a_callback_does_not_deadlock(make_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    holder: list[SerialScanner] = []
    scanner, rec = make_scanner(pty.path, on_scan=lambda text: holder[0].close())
    holder.append(scanner)
    scanner.open()
    rec.state(ScannerState.OPEN)
    pty.write(b"STOP\r")
    rec.state(ScannerState.CLOSED)
    scanner.close()  # from the test's thread: waits for the reader, which has already finished
    assert not scanner.is_running
    assert scanner.state is ScannerState.CLOSED


@needs_pty
def test_context_manager_opens_and_closes(pty: Pty) -> None:
    rec = Recorder()
    with SerialScanner(SerialScannerSettings(pty.path, read_timeout=0.05), rec.on_scan, rec.on_state) as scanner:
        rec.state(ScannerState.OPEN)
        pty.write(b"INSIDE\n")
        assert rec.scan() == "INSIDE"
    assert not scanner.is_running
    rec.state(ScannerState.CLOSED, timeout=0.1)


@pytest.mark.parametrize("name", ["/dev/ttyNOSUCHSCANNER0", "missing"])
def test_opening_a_port_that_does_not_exist_is_port_not_found(make_scanner: Callable[..., tuple[SerialScanner, Recorder]], tmp_path: Path,
                                                               name: str) -> None:  # fmt: skip
    port = name if name.startswith("/") else str(tmp_path / name)
    if sys.platform == "win32":
        port = "COM254"
    scanner, rec = make_scanner(port)
    with pytest.raises(ScannerError) as caught:
        scanner.open()
    assert caught.value.code == "port_not_found"
    assert caught.value.port == port
    assert "was not found" in caught.value.message
    assert not scanner.is_running and scanner.state is ScannerState.CLOSED
    assert rec.states.empty()


@needs_pty
def test_a_port_already_in_use_is_port_busy(open_scanner: Callable[..., tuple[SerialScanner, Recorder]],
                                             make_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:  # fmt: skip
    open_scanner()
    second, _ = make_scanner(pty.path)
    with pytest.raises(ScannerError) as caught:
        second.open()
    assert caught.value.code == "port_busy"


@needs_pty
def test_a_forbidden_port_is_permission_denied(make_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    os.chmod(pty.path, 0)
    try:
        os.close(os.open(pty.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK))
    except PermissionError:
        pass
    else:
        pytest.skip("this user opens any port (root, or CAP_DAC_OVERRIDE); run as a normal user")
    scanner, _ = make_scanner(pty.path)
    with pytest.raises(ScannerError) as caught:
        scanner.open()
    assert caught.value.code == "permission_denied"
    assert "dialout" in caught.value.message


@needs_pty
def test_a_file_that_is_not_a_serial_port_is_port_error(
    make_scanner: Callable[..., tuple[SerialScanner, Recorder]], tmp_path: Path
) -> None:
    plain = tmp_path / "not-a-tty"
    plain.write_bytes(b"")
    scanner, _ = make_scanner(str(plain))
    with pytest.raises(ScannerError) as caught:
        scanner.open()
    assert caught.value.code == "port_error"


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (OSError(errno.ENOENT, "could not open port /dev/ttyACM9"), "port_not_found"),
        (OSError(errno.ENODEV, "no such device"), "port_not_found"),
        (OSError(errno.EAGAIN, "Could not exclusively lock port /dev/ttyACM0"), "port_busy"),
        (OSError(errno.EBUSY, "busy"), "port_busy"),
        (OSError(errno.EACCES, "could not open port /dev/ttyS0: [Errno 13] Permission denied"), "permission_denied"),
        (OSError(errno.EIO, "I/O error"), "port_error"),
        (OSError("Could not configure port: (25, 'Inappropriate ioctl for device')"), "port_error"),
        # pyserial on Windows formats the Windows error into the text only; localized texts must not matter
        (
            OSError("could not open port 'COM9': FileNotFoundError(2, 'The system cannot find the file specified.', None, 2)"),
            "port_not_found",
        ),
        (OSError("could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)"), "port_busy"),
        (OSError("could not open port 'COM3': PermissionError(13, '拒绝访问。', None, 5)"), "port_busy"),
        (OSError("could not open port 'COM4': OSError(22, 'The semaphore timeout period has expired.', None, 121)"), "port_error"),
    ],
)
def test_open_errors_are_classified(exc: OSError, code: str) -> None:
    assert classify_open_error(exc) == code
    assert code in ERROR_CODES


@pytest.mark.parametrize(
    "bad",
    [
        {"baudrate": 0},
        {"baudrate": "9600"},
        {"bytesize": 9},
        {"parity": "X"},
        {"stopbits": 3},
        {"terminator": "semicolon"},
        {"encoding": "no-such-codec"},
        {"max_scan_bytes": 0},
        {"inter_char_timeout": 0},
        {"reopen_interval": -1},
        {"read_timeout": 5},
        {"port": " "},
    ],
)
def test_invalid_settings_are_a_typed_error(bad: dict[str, object]) -> None:
    options: dict[str, object] = {"port": "COM3"} | bad
    with pytest.raises(ScannerError) as caught:
        SerialScannerSettings(**options)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_settings"


def test_settings_defaults_are_9600_8n1_and_accept_terminator_names() -> None:
    settings = SerialScannerSettings("COM3", terminator="crlf")  # type: ignore[arg-type]  # as read from a config file
    assert settings.line_settings == "9600 8N1"
    assert settings.terminator is Terminator.CRLF
    assert SerialScannerSettings("COM3").terminator is Terminator.ANY


def test_list_serial_ports_returns_port_infos() -> None:
    ports = list_serial_ports()
    assert all(isinstance(p, PortInfo) and p.name for p in ports)
    assert [p.name for p in ports] == sorted(p.name for p in ports)
    raw = SimpleNamespace(device="COM7", description="USB Serial Device (COM7)", hwid="USB VID:PID=0C2E:0B61 SER=123",
                          vid=0x0C2E, pid=0x0B61, serial_number="123")  # fmt: skip
    assert port_info(raw) == PortInfo("COM7", "USB Serial Device (COM7)", "USB VID:PID=0C2E:0B61 SER=123", 0x0C2E, 0x0B61, "123")


def test_framer_bounds_memory_and_reports_in_order() -> None:
    framer = ScanFramer(max_scan_bytes=16, inter_char_timeout=0.3)
    events = framer.feed(b"A" * 40 + b"\rOK\r", now=0.0)
    assert events == [Dropped("overlong", 17, "Discarded a scan longer than 16 bytes; the rest of it is skipped."), "OK"]
    assert framer.feed(b"PART", now=1.0) == []
    assert framer.check(now=1.2) == []
    (note,) = framer.check(now=1.3)
    assert isinstance(note, Dropped) and note.reason == "partial" and note.size == 4
    assert not framer.pending


# --- unplugging and coming back -------------------------------------------------------------------------


@needs_pty
def test_a_pulled_out_scanner_is_reported_and_reopened_when_it_comes_back(make_scanner: Callable[..., tuple[SerialScanner, Recorder]],
                                                                          tmp_path: Path) -> None:  # fmt: skip
    link = tmp_path / "ttyScanner"  # what udev would call /dev/serial/by-id/usb-...-if00
    first = Pty()
    second: Pty | None = None
    try:
        link.symlink_to(first.path)
        scanner, rec = make_scanner(str(link), reopen_interval=0.05)
        scanner.open()
        rec.state(ScannerState.OPEN)
        first.write(b"BEFORE\r")
        assert rec.scan() == "BEFORE"

        first.write(b"HALF A SCAN")  # in flight when the cable is pulled
        link.unlink()  # udev removes the name ...
        first.unplug()  # ... and the device is gone
        detail = rec.state(ScannerState.DISCONNECTED)
        assert detail.startswith(f"Lost serial port {link}")
        assert rec.state(ScannerState.REOPENING).startswith(f"Trying to reopen serial port {link}")
        assert scanner.is_running

        second = Pty()  # plugged back in: a new device node, the same name
        link.symlink_to(second.path)
        assert "Reopened" in rec.state(ScannerState.OPEN)
        assert scanner.state is ScannerState.OPEN
        second.write(b"AFTER\r")
        assert rec.scan() == "AFTER"
        assert rec.no_more_scans()  # the half scan was not glued on
        states = [s for s, _ in rec.seen]
        assert states.index(ScannerState.DISCONNECTED) < states.index(ScannerState.REOPENING)
    finally:
        first.unplug()
        if second is not None:
            second.unplug()


@needs_pty
def test_close_while_waiting_to_reopen_is_prompt(make_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    scanner, rec = make_scanner(pty.path, reopen_interval=30.0)
    scanner.open()
    rec.state(ScannerState.OPEN)
    pty.unplug()
    rec.state(ScannerState.REOPENING)
    assert scanner.state is ScannerState.REOPENING
    started = time.monotonic()
    scanner.close()
    assert time.monotonic() - started < 0.5
    assert not scanner.is_running
    rec.state(ScannerState.CLOSED, timeout=0.1)


# --- latency --------------------------------------------------------------------------------------------


@needs_pty
def test_latency_from_write_to_callback(open_scanner: Callable[..., tuple[SerialScanner, Recorder]], pty: Pty) -> None:
    _, rec = open_scanner()
    latencies = []
    for i in range(200):
        started = time.perf_counter()
        pty.write(f"EF1:LATENCY{i}:1:1:00000000:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567\r\n".encode())
        text, arrived = rec.scans.get(timeout=WAIT)
        assert text.startswith(f"EF1:LATENCY{i}:")
        latencies.append(arrived - started)
    latencies.sort()
    median, p95, worst = statistics.median(latencies), latencies[189], latencies[-1]
    print(f"\nserial scanner write->callback latency over 200 scans: median {median * 1000:.3f} ms, "
          f"p95 {p95 * 1000:.3f} ms, max {worst * 1000:.3f} ms")  # fmt: skip
    assert median < 0.1
