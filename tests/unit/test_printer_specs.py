"""Printer settings strings, print errors, jobs, ESC/P layout and the reading of CUPS's answers: no device needed."""

from __future__ import annotations

import pickle

import pytest

from drivers.printing import (
    ERROR_CODES,
    PRINT_ERROR_CODES,
    SPEC_FORMATS,
    CupsPrinter,
    DeviceFilePrinter,
    EscpPrinter,
    PrintError,
    PrintJob,
    RawSocketPrinter,
    WindowsSpoolerPrinter,
    escp_document,
    parse_job_ids,
    parse_queue_status,
    printer_from_spec,
)
from drivers.printing.raw_socket import DEFAULT_PORT

# --- settings strings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "host", "port", "name"),
    [
        ("raw:10.1.2.3:9100", "10.1.2.3", 9100, "raw:10.1.2.3:9100"),
        ("raw:10.1.2.3", "10.1.2.3", DEFAULT_PORT, "raw:10.1.2.3:9100"),
        ("raw:printer-3.branch.example.bank:9101", "printer-3.branch.example.bank", 9101, "raw:printer-3.branch.example.bank:9101"),
        ("raw:[fd00::12]:9100", "fd00::12", 9100, "raw:[fd00::12]:9100"),
        ("raw:[::1]", "::1", 9100, "raw:[::1]:9100"),
        ("  RAW:10.1.2.3:9100 ", "10.1.2.3", 9100, "raw:10.1.2.3:9100"),
    ],
)
def test_raw_specs(spec: str, host: str, port: int, name: str) -> None:
    printer = printer_from_spec(spec)
    assert isinstance(printer, RawSocketPrinter)
    assert (printer.host, printer.port, printer.name) == (host, port, name)
    assert printer_from_spec(printer.name).name == printer.name


def test_cups_windows_and_escp_specs() -> None:
    cups = printer_from_spec("cups:letters")
    assert isinstance(cups, CupsPrinter) and (cups.queue, cups.server, cups.name) == ("letters", None, "cups:letters")
    remote = printer_from_spec("cups:letters@print.branch.example.bank:631")
    assert isinstance(remote, CupsPrinter) and (remote.queue, remote.server) == ("letters", "print.branch.example.bank:631")
    assert printer_from_spec(remote.name).name == remote.name == "cups:letters@print.branch.example.bank:631"

    windows = printer_from_spec(r"windows:\\srv01\柜台 打印机")
    assert isinstance(windows, WindowsSpoolerPrinter) and windows.printer_name == r"\\srv01\柜台 打印机"
    assert windows.name == r"windows:\\srv01\柜台 打印机"

    escp_raw = printer_from_spec("escp+raw:[fd00::7]")
    assert isinstance(escp_raw, EscpPrinter) and isinstance(escp_raw.transport, RawSocketPrinter)
    assert escp_raw.name == "escp+raw:[fd00::7]:9100"
    escp_file = printer_from_spec("escp+file:/dev/usb/lp0")
    assert isinstance(escp_file, EscpPrinter) and isinstance(escp_file.transport, DeviceFilePrinter)
    assert escp_file.transport.path == "/dev/usb/lp0" and escp_file.name == "escp+file:/dev/usb/lp0"
    assert printer_from_spec("escp+file:LPT1").name == "escp+file:LPT1"


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "raw",
        "raw:",
        "10.1.2.3:9100",
        "lpd:10.1.2.3",
        "raw:fd00::12:9100",  # IPv6 without brackets is ambiguous
        "raw:10.1.2.3:0",
        "raw:10.1.2.3:65536",
        "raw:10.1.2.3:port",
        "raw:10.1.2.3:9100/x",
        "raw:[fd00::12",
        "raw:my printer",
        "cups:",
        "cups:my letters",
        "cups:letters/2",
        "cups:letters@",
        "cups:@server",
        "windows:   ",
        "escp+raw:",
        "escp+file:",
        "escp+file: /dev/usb/lp0 x ",
        "escp+lpd:x",
    ],
)
def test_bad_specs_are_invalid_settings_naming_the_formats(spec: str) -> None:
    with pytest.raises(PrintError) as caught:
        printer_from_spec(spec)
    err = caught.value
    assert err.code == "invalid_settings"
    assert SPEC_FORMATS in err.message and repr(spec) in err.message


def test_a_spec_that_is_not_text_is_invalid() -> None:
    with pytest.raises(PrintError) as caught:
        printer_from_spec(None)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_settings"


# --- errors and jobs ----------------------------------------------------------------------------------------------


def test_error_codes_are_stable_and_errors_survive_pickling() -> None:
    assert PRINT_ERROR_CODES == ERROR_CODES == (
        "offline", "refused", "paper_out", "timeout", "cancelled", "not_found", "invalid_settings", "failed",
    )  # fmt: skip
    for code in ERROR_CODES:
        err = PrintError(code, printer="raw:10.1.2.3:9100", bytes_sent=12, job_id="letters-3")
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is PrintError
        assert (back.code, back.message, back.printer, back.bytes_sent, back.job_id) == (code, err.message, err.printer, 12, "letters-3")
        assert str(back) == err.message and err.message.endswith(".") and err.message.isascii()
    assert not PrintError("offline").may_have_printed
    assert PrintError("timeout", bytes_sent=1).may_have_printed and PrintError("offline", job_id="letters-1").may_have_printed


def test_a_job_never_shows_its_data() -> None:
    job = PrintJob(bytearray(b"%PDF secret-password"), "password letter PL00000001")
    assert "secret" not in repr(job) and "size=20" in repr(job)
    job.wipe()
    assert job.data == bytearray(20)
    PrintJob(b"x", "t").wipe()  # bytes cannot be wiped: nothing happens


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"data": "text", "title": "t"}, TypeError),
        ({"data": b"x", "title": ""}, ValueError),
        ({"data": b"x", "title": "a\nb"}, ValueError),
        ({"data": b"x", "title": "t" * 121}, ValueError),
        ({"data": b"x", "title": "t", "content_type": "text/plain"}, ValueError),
    ],
)
def test_bad_jobs_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        PrintJob(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_a_timeout_must_be_positive(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        RawSocketPrinter("127.0.0.1").send(PrintJob(b"x", "t"), timeout=timeout)


# --- ESC/P --------------------------------------------------------------------------------------------------------


def test_escp_defaults_and_western_mode() -> None:
    assert escp_document([]) == b"\x1b@\x1c&\x1b3\x1e\x1bl\x00\x0c"
    assert escp_document(["A"], chinese=False, line_spacing_180ths=24) == b"\x1b@\x1b3\x18\x1bl\x00A\r\n\x0c"
    assert escp_document(["初始密码"]) == b"\x1b@\x1c&\x1b3\x1e\x1bl\x00\xb3\xf5\xca\xbc\xc3\xdc\xc2\xeb\r\n\x0c"


@pytest.mark.parametrize("line", ["a\tb", "a\x1b@", "\x0c", "a\rb", "\x7f", "\ud800"])
def test_escp_refuses_control_characters_without_repeating_the_text(line: str) -> None:
    with pytest.raises(ValueError) as caught:
        escp_document(["ok", line])
    assert str(caught.value).startswith("line 2 ") and line not in str(caught.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"left_margin_cols": -1},
        {"left_margin_cols": 256},
        {"line_spacing_180ths": 300},
        {"form_length_lines": 0},
        {"form_length_lines": 128},
        {"top_margin_lines": -1},
    ],
)
def test_escp_layout_values_are_checked(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        escp_document(["x"], **kwargs)  # type: ignore[arg-type]


# --- what CUPS says -----------------------------------------------------------------------------------------------

IDLE = """printer letters is idle.  enabled since Mon Nov 23 15:30:34 2026
\tForm mounted:
\tContent types: any
\tDescription: letters
\tAlerts: none
\tLocation:
\tConnection: direct
"""
PRINTING_UNREACHABLE = """printer dead now printing dead-4.  enabled since Mon Nov 23 15:31:06 2026
\tThe printer may not exist or is unavailable at this time.
\tForm mounted:
\tAlerts: none
"""
DISABLED = """printer letters disabled since Mon Nov 23 15:30:44 2026 -
\tclosed for the day
\tForm mounted:
\tAlerts: paused media-empty-error
"""


def test_queue_states_are_read() -> None:
    idle = parse_queue_status(IDLE)
    assert idle is not None and (idle.queue, idle.state, idle.reasons, idle.message, idle.job) == ("letters", "idle", (), "", None)
    assert not (idle.paper_out or idle.jammed or idle.unreachable)

    busy = parse_queue_status(PRINTING_UNREACHABLE)
    assert busy is not None and (busy.state, busy.job) == ("printing", "dead-4")
    assert busy.message == "The printer may not exist or is unavailable at this time." and busy.unreachable

    disabled = parse_queue_status(DISABLED)
    assert disabled is not None and disabled.state == "disabled" and disabled.message == "closed for the day"
    assert disabled.reasons == ("paused", "media-empty-error") and disabled.paper_out and not disabled.jammed

    short = parse_queue_status("printer letters is idle.  enabled since Mon\n")  # lpstat -p without -l
    assert short is not None and short.state == "idle" and short.reasons == ()
    assert parse_queue_status("") is None
    assert parse_queue_status('lpstat: Invalid destination name in list "x".\n') is None


def test_job_ids_are_read() -> None:
    out = "test-2                  root              1024   Mon Nov 23 15:30:32 2026\ntest-10   root  2048   Mon Nov 23 15:31:00 2026\n"
    assert parse_job_ids(out) == ["test-2", "test-10"]
    assert parse_job_ids("") == []
