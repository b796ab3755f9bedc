"""The PKCS#11 driver's error mapping and PIN handling, without a token (no device needed).

SoftHSM has no PIN lockout, no full memory and no write protection: the codes for those are proved here against
the mapping functions, with the ``CKR_*`` values and python-pkcs11 exception classes a real UKey would give.
"""

from __future__ import annotations

import ctypes
import inspect

import pkcs11.exceptions as p11x
import pytest

from drivers.pkcs11 import ERROR_CODES, Pkcs11Error, error_for_exception, error_for_rv, model, pin_attempts
from drivers.pkcs11 import error_map as em
from drivers.pkcs11.errors import MESSAGES
from drivers.pkcs11.pins import Pin, check_pin, pin_buffer, pin_length, wipe

FINAL_TRY = model.CKF_USER_PIN_FINAL_TRY
COUNT_LOW = model.CKF_USER_PIN_COUNT_LOW
LOCKED = model.CKF_USER_PIN_LOCKED


@pytest.mark.parametrize(
    ("rv", "code"),
    [
        (0x0A0, "pin_incorrect"),  # CKR_PIN_INCORRECT
        (0x0A4, "pin_locked"),  # CKR_PIN_LOCKED
        (0x0A1, "pin_invalid"),  # CKR_PIN_INVALID
        (0x0A2, "pin_invalid"),  # CKR_PIN_LEN_RANGE
        (0x1C3, "pin_invalid"),  # CKR_PIN_TOO_WEAK
        (0x0A3, "pin_expired"),
        (0x102, "pin_not_initialised"),
        (0x101, "not_logged_in"),
        (0x100, "already_logged_in"),
        (0x0E0, "token_not_present"),
        (0x032, "token_not_present"),  # CKR_DEVICE_REMOVED
        (0x003, "token_not_present"),  # CKR_SLOT_ID_INVALID: the reader went away
        (0x0E1, "token_not_recognized"),
        (0x031, "token_full"),  # CKR_DEVICE_MEMORY
        (0x0E2, "token_write_protected"),
        (0x0B6, "token_busy"),  # CKR_SESSION_EXISTS
        (0x070, "mechanism_not_supported"),
        (0x062, "mechanism_not_supported"),  # CKR_KEY_SIZE_RANGE
        (0x140, "mechanism_not_supported"),  # CKR_CURVE_NOT_SUPPORTED
        (0x054, "function_not_supported"),
        (0x060, "key_not_found"),
        (0x050, "cancelled"),
        (0x0B0, "session_closed"),
        (0x0B3, "session_closed"),
        (0x190, "session_closed"),  # CKR_CRYPTOKI_NOT_INITIALIZED
        (0x191, "library_in_use"),
        (0x030, "device_error"),
        (0x005, "device_error"),  # CKR_GENERAL_ERROR
        (0x80000123, "device_error"),  # vendor-defined
    ],
)
def test_return_values_map_to_codes(rv: int, code: str) -> None:
    error = error_for_rv(rv, operation="op")
    assert (error.code, error.rv, error.operation) == (code, rv, "op")
    assert error.message == str(error) and error.message


def test_pin_locked_maps_without_a_lockout_on_the_test_token() -> None:
    assert error_for_rv(em.CKR_PIN_LOCKED).code == "pin_locked"
    assert error_for_exception(p11x.PinLocked()).code == "pin_locked"


@pytest.mark.parametrize(
    ("flags", "attempts", "low"),
    [(None, None, False), (0, None, False), (COUNT_LOW, None, True), (FINAL_TRY, 1, True), (FINAL_TRY | COUNT_LOW, 1, True)],
)
def test_wrong_pin_reports_attempts_left_when_the_token_says(flags: int | None, attempts: int | None, low: bool) -> None:
    assert pin_attempts(flags) == (attempts, low)
    for error in (error_for_rv(em.CKR_PIN_INCORRECT, token_flags=flags), error_for_exception(p11x.PinIncorrect(), token_flags=flags)):
        assert (error.code, error.attempts_left, error.pin_count_low) == ("pin_incorrect", attempts, low)
    if attempts == 1:
        assert "1 attempt" in error_for_rv(em.CKR_PIN_INCORRECT, token_flags=flags).message


def test_a_wrong_pin_that_locked_the_token_is_pin_locked() -> None:
    assert error_for_rv(em.CKR_PIN_INCORRECT, token_flags=LOCKED | COUNT_LOW).code == "pin_locked"


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (p11x.PinIncorrect(), "pin_incorrect"),
        (p11x.PinLenRange(), "pin_invalid"),
        (p11x.TokenNotPresent(), "token_not_present"),
        (p11x.DeviceRemoved(), "token_not_present"),
        (p11x.TokenNotRecognised(), "token_not_recognized"),
        (p11x.NoSuchToken(), "token_not_found"),
        (p11x.MultipleTokensReturned(), "token_ambiguous"),
        (p11x.DeviceMemory(), "token_full"),
        (p11x.TokenWriteProtected(), "token_write_protected"),
        (p11x.MechanismInvalid(), "mechanism_not_supported"),
        (p11x.NoSuchKey(), "key_not_found"),
        (p11x.SessionClosed(), "session_closed"),
        (p11x.SessionHandleInvalid(), "session_closed"),
        (p11x.GeneralError(), "device_error"),
        (p11x.PKCS11Error("OS exception while loading /x.so: no such file"), "library_load_failed"),
        (p11x.PKCS11Error("Initialisation error (already initialized). Should never see this."), "library_in_use"),
        (p11x.PKCS11Error("Unmapped error code 0x80000001"), "device_error"),
    ],
)
def test_python_pkcs11_exceptions_map_to_codes(exc: p11x.PKCS11Error, code: str) -> None:
    assert error_for_exception(exc, operation="op").code == code


def test_every_python_pkcs11_exception_class_maps_to_a_known_code() -> None:
    classes = [c for _, c in inspect.getmembers(p11x, inspect.isclass) if issubclass(c, p11x.PKCS11Error)]
    assert len(classes) > 60
    for cls in classes:
        assert error_for_exception(cls()).code in ERROR_CODES


def test_every_code_has_a_message_and_the_mapping_uses_only_known_codes() -> None:
    assert set(MESSAGES) == set(ERROR_CODES)
    assert set(em.RV_CODES.values()) <= set(ERROR_CODES)
    assert set(em.EXCEPTION_CODES.values()) <= set(ERROR_CODES)


def test_our_own_errors_pass_through_unchanged() -> None:
    error = Pkcs11Error("key_mismatch")
    assert error_for_exception(error) is error


def test_check_pin_refuses_empty_and_out_of_range_pins_without_saying_the_pin() -> None:
    cases: list[tuple[Pin, int | None, int | None]] = [("", None, None), (b"123", 4, None), (bytearray(b"1" * 9), None, 8)]
    for pin, low, high in cases:
        with pytest.raises(Pkcs11Error) as caught:
            check_pin(pin, min_length=low, max_length=high)
        assert caught.value.code == "pin_invalid"
        assert "111" not in caught.value.message and "123" not in caught.value.message
    check_pin("1234", min_length=4, max_length=8)
    check_pin("1234", min_length=9, max_length=2)  # nonsense limits: the token decides
    assert pin_length("密码12") == 8
    with pytest.raises(TypeError):
        pin_length(1234)  # type: ignore[arg-type]


def test_a_bytearray_pin_is_lent_in_place_and_can_be_wiped_and_resized_after() -> None:
    pin = bytearray(b"123456")
    with pin_buffer(pin) as (buffer, length):
        assert length == 6
        assert isinstance(buffer, ctypes.Array)
        assert bytes(buffer) == b"123456"
        pin[0] = ord("9")  # the same memory
        assert bytes(buffer)[0] == ord("9")
    del buffer
    wipe(pin)
    assert pin == bytearray(6)
    pin.extend(b"0")  # no buffer export left behind


def test_str_and_bytes_pins_are_lent_too() -> None:
    with pin_buffer("密码") as (buffer, length):
        assert isinstance(buffer, ctypes.Array)
        assert length == 6 and bytes(buffer) == "密码".encode()
    with pin_buffer(b"1234") as (buffer, length):
        assert buffer == b"1234" and length == 4
    with pin_buffer(b"") as (buffer, length):
        assert (buffer, length) == (None, 0)


def test_a_driver_error_pickles_with_every_attribute() -> None:
    import pickle

    error = Pkcs11Error("pin_incorrect", operation="login", rv=0xA0, attempts_left=2)
    again = pickle.loads(pickle.dumps(error))
    assert (again.code, again.message, again.operation, again.rv, again.attempts_left) == ("pin_incorrect", error.message, "login", 0xA0, 2)
    assert pickle.loads(pickle.dumps(Pkcs11Error("pin_locked"))).code == "pin_locked"
