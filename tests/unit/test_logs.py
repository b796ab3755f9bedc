"""Logs redact by default: what reaches the real log file, through the handlers configure_logging installs."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from teller_client.logs import TRACE, PersonalName, configure_logging
from teller_client.secret import Secret
from tests.support.documents import CUSTOMER_USCC, GROUP_USCC, OWN_BASIC, REP_ID

log = logging.getLogger(__name__)

LogFile = Callable[..., Path]
_ASCTIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", re.MULTILINE)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[LogFile]:
    """``log_file(level)`` configures logging into ``tmp_path`` and returns the file; the root logger is restored after."""
    root = logging.getLogger()
    level = root.level

    def configure(level: int = logging.INFO) -> Path:
        configure_logging(tmp_path, level, console=False)
        return tmp_path / "teller-client.log"

    yield configure
    for handler in list(root.handlers):
        if getattr(handler, "_teller", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def _read(path: Path) -> str:
    """The file without the time stamps, whose digits could pass for a short secret."""
    return _ASCTIME.sub("", path.read_text(encoding="utf-8"))


def test_identifiers_are_masked(log_file: LogFile) -> None:
    path = log_file()
    log.info("legal rep id %s, mobile %s, account %s", REP_ID, "13800138000", OWN_BASIC)
    log.warning(f"inline: {REP_ID} 13800138000 {OWN_BASIC} finance@example.cn")  # noqa: G004 - already formatted, as careless code does
    text = _read(path)
    for clear in (REP_ID, "13800138000", OWN_BASIC, "finance@"):
        assert clear not in text
    assert text.count("110105********002X") == 2
    assert text.count("138****8000") == 2
    assert text.count("6222***********2345") == 2
    assert "***@example.cn" in text
    assert "legal rep id" in text and "INFO" in text and __name__ in text


def test_company_identifiers_stay_readable(log_file: LogFile) -> None:
    path = log_file()
    log.info("customer %s in group %s", CUSTOMER_USCC, GROUP_USCC)
    text = _read(path)
    assert CUSTOMER_USCC in text and GROUP_USCC in text


def test_person_names_keep_only_the_first_character(log_file: LogFile) -> None:
    path = log_file()
    log.info("legal rep %s, contact %s", PersonalName("张三"), PersonalName("欧阳娜娜"))
    log.info("named %(who)s", {"who": PersonalName("李四")})
    text = _read(path)
    assert "legal rep 张*, contact 欧***" in text
    assert "named 李*" in text
    for clear in ("张三", "欧阳娜娜", "李四"):
        assert clear not in text


def test_a_secret_argument_never_reaches_the_file(log_file: LogFile) -> None:
    path = log_file(TRACE)
    pin = Secret("123456")
    log.info("user PIN set to %s", pin)
    log.log(TRACE, "apdu with %r", pin)
    log.info("as a mapping %(pin)s", {"pin": pin})
    text = _read(path)
    assert "123456" not in text
    assert "user PIN set to ******" in text
    assert "as a mapping ******" in text
    assert pin.reveal() == "123456"  # logging neither reveals nor wipes it


@pytest.mark.parametrize(
    ("message", "secrets", "kept"),
    [
        ('{"initial_password": "Abc12345", "user_pin":"99887766"}', ["Abc12345", "99887766"], ['"initial_password": "******"']),
        ("password=hunter2 pin=4321", ["hunter2", "4321"], ["password=******", "pin=******"]),
        ("Authorization: Bearer abc.def.ghi", ["abc.def.ghi", "abc.def"], ["Authorization: Bearer ******"]),
        ('{"authorization_code": "7X9Q2M", "token": "tok-\\"quoted\\"-end"}', ["7X9Q2M", "tok-", "quoted", "-end"], []),
        # A JSON number is still a PIN.
        ('{"pin": 4321, "so_pin": 87654321}', ["4321", "87654321"], ['"pin": "******"']),
        # A dict logged with %s is Python's repr, single quotes.
        (str({"initial_password": "Abc12345", "pin": "4321", "serial": "HS0001"}), ["Abc12345", "4321"], ["HS0001"]),
        # A quoted value with a space must go whole.
        ('so_pin = "12 34" next', ["12", "34"], ["so_pin = ******", "next"]),
        ("witness_token: w-9f8e7d, PASSWD:s3cr3t;", ["w-9f8e7d", "s3cr3t"], ["witness_token: ******", "PASSWD:******"]),
    ],
)
def test_secret_values_in_text_are_removed(log_file: LogFile, message: str, secrets: list[str], kept: list[str]) -> None:
    path = log_file()
    log.info("request body %s", message)
    text = _read(path)
    for secret in secrets:
        assert secret not in text
    for part in kept:
        assert part in text
    assert "request body" in text


def test_exception_tracebacks_are_masked(log_file: LogFile) -> None:
    path = log_file()
    try:
        raise ValueError("no customer with id 11010519491231002X, password=hunter2")
    except ValueError:
        log.exception("lookup failed for %s", "13800138000")
    text = _read(path)
    assert "Traceback (most recent call last)" in text and "ValueError" in text
    assert "lookup failed for 138****8000" in text
    assert REP_ID not in text and "hunter2" not in text
    # Masked in both the source line of the traceback and the exception message.
    assert text.count("110105********002X") == 2


def test_third_party_loggers_are_masked(log_file: LogFile) -> None:
    path = log_file()
    logging.getLogger("urllib3.connectionpool").warning("POST /sign?account=%s&pin=4321", OWN_BASIC)
    text = _read(path)
    assert OWN_BASIC not in text and "4321" not in text
    assert "POST /sign?account=6222***********2345&pin=******" in text


def test_trace_is_written_only_when_the_level_is_trace(log_file: LogFile) -> None:
    path = log_file(logging.INFO)
    log.log(TRACE, "apdu 00A4040008A000000003000000")
    log.debug("debug line")
    log.info("info line")
    text = _read(path)
    assert "info line" in text
    assert "apdu" not in text and "debug line" not in text

    log_file(TRACE)
    log.log(TRACE, "apdu 00A4040008A000000003000000")
    text = _read(path)
    assert f"TRACE {__name__} [MainThread] apdu 00A4" in text


def _teller_file_handlers() -> list[logging.FileHandler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_teller", False) and isinstance(h, logging.FileHandler)]


def test_configuring_again_replaces_the_handlers(log_file: LogFile) -> None:
    path = log_file()
    [first] = _teller_file_handlers()
    log.info("first configuration")
    assert first.stream is not None

    log_file()
    [second] = _teller_file_handlers()
    assert second is not first
    assert first.stream is None, "the replaced handler must close its file"
    log.info("exactly once")
    assert _read(path).count("exactly once") == 1


@pytest.mark.parametrize(("message", "clear", "masked"), [
    ("mobile 138-0013-8000", "0013", "138****8000"),
    ("mobile 138 0013 8000", "0013", "138****8000"),
    ("short account 12345678", "12345678", "****5678"),
    ("Authorization: Basic dGVsbGVyOnRyYWluaW5n", "dGVsbGVyOnRyYWluaW5n", "Basic ******"),
])  # fmt: skip
def test_other_shapes_of_personal_data_and_credentials(log_file: LogFile, message: str, clear: str, masked: str) -> None:
    path = log_file()
    log.info(message)
    text = _read(path)
    assert clear not in text
    assert masked in text
