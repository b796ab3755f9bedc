"""Every code every driver can raise has a message for the teller, in both languages."""

from __future__ import annotations

import pytest

from drivers import host, pcsc, pkcs11, printing, scanner
from drivers.host import DeviceTimeoutError
from drivers.pcsc import PcscError
from drivers.pkcs11 import Pkcs11Error
from drivers.printing import PrintError
from drivers.scanner import ScannerError
from teller_client.errors import CancelledError
from teller_client.flows.device_errors import HOST, PCSC, PKCS11, PRINTER, SCANNER, TABLES, device_error


@pytest.mark.parametrize(
    ("codes", "table"),
    [
        (pkcs11.ERROR_CODES, PKCS11),
        (pcsc.ERROR_CODES, PCSC),
        (host.ERROR_CODES, HOST),
        (scanner.ERROR_CODES, SCANNER),
        (printing.ERROR_CODES, PRINTER),
    ],
)
def test_every_driver_code_has_a_bilingual_message(codes: tuple[str, ...], table: dict[str, tuple[str, str]]) -> None:
    assert set(codes) == set(table)
    for zh, en in table.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) or zh == "已取消。"
        assert en.isascii() and en.endswith(".")


def test_a_wrong_pin_says_how_many_attempts_are_left() -> None:
    err = device_error(Pkcs11Error("pin_incorrect", attempts_left=2))
    assert err.code == "pkcs11_pin_incorrect"
    assert err.message_zh.endswith("还可尝试 2 次。") and err.message_en.endswith("2 attempt(s) left.")
    assert "attempt" not in device_error(Pkcs11Error("pin_incorrect")).message_en


def test_codes_are_prefixed_by_driver_and_cancellations_stay_silent() -> None:
    assert device_error(PcscError("card_removed", "x")).code == "pcsc_card_removed"
    assert device_error(DeviceTimeoutError("no answer", method="tokens", timeout=5.0, sent=True)).code == "device_timeout"
    scanned = device_error(ScannerError("port_busy", "busy"), port="COM3")
    assert scanned.code == "scanner_port_busy" and "COM3" in scanned.message_zh and "COM3" in scanned.message_en
    assert isinstance(device_error(PcscError("cancelled", "x")), CancelledError)
    assert set(TABLES) == {"pkcs11", "pcsc", "device", "scanner", "printer"}
    offline = device_error(PrintError("offline", printer="raw:10.1.2.3:9100"))
    assert offline.code == "printer_offline" and "raw:10.1.2.3:9100" in offline.message_zh and "offline" in offline.message_en
