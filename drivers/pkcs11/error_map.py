"""Every PKCS#11 failure to a :class:`~drivers.pkcs11.errors.Pkcs11Error` code.

:func:`error_for_rv` maps a raw ``CKR_*`` value (from the calls made through ctypes); :func:`error_for_exception`
maps python-pkcs11's exception classes. A wrong PIN reads the token's PIN flags (``CKF_USER_PIN_COUNT_LOW``,
``CKF_USER_PIN_FINAL_TRY``, ``CKF_USER_PIN_LOCKED``) to tell how many attempts are left, where the token says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pkcs11.exceptions as p11x

from drivers.pkcs11.errors import Pkcs11Error, Pkcs11ErrorCode
from drivers.pkcs11.model import CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED

# CKR_* values (PKCS#11 v2.40 / v3.0 headers).
CKR_OK = 0x000
CKR_CANCEL = 0x001
CKR_HOST_MEMORY = 0x002
CKR_SLOT_ID_INVALID = 0x003
CKR_GENERAL_ERROR = 0x005
CKR_FUNCTION_FAILED = 0x006
CKR_ARGUMENTS_BAD = 0x007
CKR_ATTRIBUTE_READ_ONLY = 0x010
CKR_ACTION_PROHIBITED = 0x01B
CKR_DEVICE_ERROR = 0x030
CKR_DEVICE_MEMORY = 0x031
CKR_DEVICE_REMOVED = 0x032
CKR_FUNCTION_CANCELED = 0x050
CKR_FUNCTION_NOT_SUPPORTED = 0x054
CKR_KEY_HANDLE_INVALID = 0x060
CKR_KEY_SIZE_RANGE = 0x062
CKR_KEY_TYPE_INCONSISTENT = 0x063
CKR_KEY_FUNCTION_NOT_PERMITTED = 0x068
CKR_MECHANISM_INVALID = 0x070
CKR_MECHANISM_PARAM_INVALID = 0x071
CKR_OBJECT_HANDLE_INVALID = 0x082
CKR_PIN_INCORRECT = 0x0A0
CKR_PIN_INVALID = 0x0A1
CKR_PIN_LEN_RANGE = 0x0A2
CKR_PIN_EXPIRED = 0x0A3
CKR_PIN_LOCKED = 0x0A4
CKR_SESSION_CLOSED = 0x0B0
CKR_SESSION_COUNT = 0x0B1
CKR_SESSION_HANDLE_INVALID = 0x0B3
CKR_SESSION_READ_ONLY = 0x0B5
CKR_SESSION_EXISTS = 0x0B6
CKR_SESSION_READ_ONLY_EXISTS = 0x0B7
CKR_SESSION_READ_WRITE_SO_EXISTS = 0x0B8
CKR_TOKEN_NOT_PRESENT = 0x0E0
CKR_TOKEN_NOT_RECOGNIZED = 0x0E1
CKR_TOKEN_WRITE_PROTECTED = 0x0E2
CKR_USER_ALREADY_LOGGED_IN = 0x100
CKR_USER_NOT_LOGGED_IN = 0x101
CKR_USER_PIN_NOT_INITIALIZED = 0x102
CKR_USER_ANOTHER_ALREADY_LOGGED_IN = 0x104
CKR_USER_TOO_MANY_TYPES = 0x105
CKR_DOMAIN_PARAMS_INVALID = 0x130
CKR_CURVE_NOT_SUPPORTED = 0x140
CKR_CRYPTOKI_NOT_INITIALIZED = 0x190
CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191
CKR_LIBRARY_LOAD_FAILED = 0x1C2
CKR_PIN_TOO_WEAK = 0x1C3
CKR_FUNCTION_REJECTED = 0x200
CKR_TOKEN_RESOURCE_EXCEEDED = 0x201

RV_CODES: dict[int, Pkcs11ErrorCode] = {
    CKR_PIN_INCORRECT: "pin_incorrect",
    CKR_PIN_LOCKED: "pin_locked",
    CKR_PIN_INVALID: "pin_invalid",
    CKR_PIN_LEN_RANGE: "pin_invalid",
    CKR_PIN_TOO_WEAK: "pin_invalid",
    CKR_PIN_EXPIRED: "pin_expired",
    CKR_USER_PIN_NOT_INITIALIZED: "pin_not_initialised",
    CKR_USER_NOT_LOGGED_IN: "not_logged_in",
    CKR_USER_ALREADY_LOGGED_IN: "already_logged_in",
    CKR_USER_ANOTHER_ALREADY_LOGGED_IN: "already_logged_in",
    CKR_USER_TOO_MANY_TYPES: "already_logged_in",
    CKR_SESSION_READ_WRITE_SO_EXISTS: "already_logged_in",
    CKR_TOKEN_NOT_PRESENT: "token_not_present",
    CKR_DEVICE_REMOVED: "token_not_present",
    CKR_SLOT_ID_INVALID: "token_not_present",
    CKR_TOKEN_NOT_RECOGNIZED: "token_not_recognized",
    CKR_DEVICE_MEMORY: "token_full",
    CKR_TOKEN_RESOURCE_EXCEEDED: "token_full",
    CKR_TOKEN_WRITE_PROTECTED: "token_write_protected",
    CKR_SESSION_READ_ONLY: "token_write_protected",
    CKR_SESSION_COUNT: "token_busy",
    CKR_SESSION_EXISTS: "token_busy",
    CKR_SESSION_READ_ONLY_EXISTS: "token_busy",
    CKR_MECHANISM_INVALID: "mechanism_not_supported",
    CKR_MECHANISM_PARAM_INVALID: "mechanism_not_supported",
    CKR_KEY_SIZE_RANGE: "mechanism_not_supported",
    CKR_KEY_TYPE_INCONSISTENT: "mechanism_not_supported",
    CKR_KEY_FUNCTION_NOT_PERMITTED: "mechanism_not_supported",
    CKR_DOMAIN_PARAMS_INVALID: "mechanism_not_supported",
    CKR_CURVE_NOT_SUPPORTED: "mechanism_not_supported",
    CKR_FUNCTION_NOT_SUPPORTED: "function_not_supported",
    CKR_KEY_HANDLE_INVALID: "key_not_found",
    CKR_OBJECT_HANDLE_INVALID: "key_not_found",
    CKR_CANCEL: "cancelled",
    CKR_FUNCTION_CANCELED: "cancelled",
    CKR_SESSION_CLOSED: "session_closed",
    CKR_SESSION_HANDLE_INVALID: "session_closed",
    CKR_CRYPTOKI_NOT_INITIALIZED: "session_closed",
    CKR_CRYPTOKI_ALREADY_INITIALIZED: "library_in_use",
    CKR_LIBRARY_LOAD_FAILED: "library_load_failed",
}
"""``CKR_*`` values with a code of their own; anything else (``CKR_DEVICE_ERROR``, ``CKR_GENERAL_ERROR``,
``CKR_FUNCTION_FAILED``, vendor-defined values, ...) is ``device_error``."""

EXCEPTION_CODES: dict[type[p11x.PKCS11Error], Pkcs11ErrorCode] = {
    p11x.PinIncorrect: "pin_incorrect",
    p11x.PinLocked: "pin_locked",
    p11x.PinInvalid: "pin_invalid",
    p11x.PinLenRange: "pin_invalid",
    p11x.PinTooWeak: "pin_invalid",
    p11x.PinExpired: "pin_expired",
    p11x.UserPinNotInitialized: "pin_not_initialised",
    p11x.UserNotLoggedIn: "not_logged_in",
    p11x.UserAlreadyLoggedIn: "already_logged_in",
    p11x.AnotherUserAlreadyLoggedIn: "already_logged_in",
    p11x.UserTooManyTypes: "already_logged_in",
    p11x.SessionReadWriteSOExists: "already_logged_in",
    p11x.TokenNotPresent: "token_not_present",
    p11x.DeviceRemoved: "token_not_present",
    p11x.SlotIDInvalid: "token_not_present",
    p11x.TokenNotRecognised: "token_not_recognized",
    p11x.NoSuchToken: "token_not_found",
    p11x.MultipleTokensReturned: "token_ambiguous",
    p11x.DeviceMemory: "token_full",
    p11x.TokenWriteProtected: "token_write_protected",
    p11x.SessionReadOnly: "token_write_protected",
    p11x.SessionCount: "token_busy",
    p11x.SessionExists: "token_busy",
    p11x.SessionReadOnlyExists: "token_busy",
    p11x.MechanismInvalid: "mechanism_not_supported",
    p11x.MechanismParamInvalid: "mechanism_not_supported",
    p11x.KeySizeRange: "mechanism_not_supported",
    p11x.KeyTypeInconsistent: "mechanism_not_supported",
    p11x.DomainParamsInvalid: "mechanism_not_supported",
    p11x.FunctionNotSupported: "function_not_supported",
    p11x.NoSuchKey: "key_not_found",
    p11x.KeyHandleInvalid: "key_not_found",
    p11x.ObjectHandleInvalid: "key_not_found",
    p11x.FunctionCancelled: "cancelled",
    p11x.SessionClosed: "session_closed",
    p11x.SessionHandleInvalid: "session_closed",
}
"""python-pkcs11 exception classes with a code of their own; other ``PKCS11Error`` subclasses are ``device_error``
(python-pkcs11 raises the bare ``PKCS11Error`` for a few return values: see :func:`error_for_exception`)."""


def pin_attempts(token_flags: int | None) -> tuple[int | None, bool]:
    """Attempts left and "count low" from ``CK_TOKEN_INFO.flags``: ``(1, True)`` on the final try, ``(None, low)`` else.

    PKCS#11 has no counter: ``CKF_USER_PIN_COUNT_LOW`` only says that attempts have failed since the last good
    login, ``CKF_USER_PIN_FINAL_TRY`` that one attempt is left. A vendor profile may know the maximum.
    """
    if token_flags is None:
        return None, False
    if token_flags & CKF_USER_PIN_FINAL_TRY:
        return 1, True
    return None, bool(token_flags & CKF_USER_PIN_COUNT_LOW)


def error_for_rv(rv: int, *, operation: str | None = None, token_flags: int | None = None) -> Pkcs11Error:
    """The driver error for a failing ``CKR_*`` value.

    ``token_flags`` are the token's flags read *after* the failure; with them a wrong PIN reports attempts left,
    and a wrong PIN that locked the token (``CKF_USER_PIN_LOCKED``) reports ``pin_locked``.
    """
    code: Pkcs11ErrorCode = RV_CODES.get(rv, "device_error")
    return _with_pin_state(code, operation=operation, rv=rv, token_flags=token_flags)


def error_for_exception(exc: BaseException, *, operation: str | None = None, token_flags: int | None = None) -> Pkcs11Error:
    """The driver error for a python-pkcs11 exception (or one of ours, returned unchanged)."""
    if isinstance(exc, Pkcs11Error):
        return exc
    code: Pkcs11ErrorCode = "device_error"
    for cls in type(exc).__mro__:
        if cls in EXCEPTION_CODES:
            code = EXCEPTION_CODES[cls]
            break
    else:
        text = str(exc).lower()
        if "already initialized" in text:
            code = "library_in_use"
        elif "not initialized" in text:
            code = "session_closed"
        elif "while loading" in text:
            code = "library_load_failed"
    return _with_pin_state(code, operation=operation, rv=None, token_flags=token_flags)


def _with_pin_state(code: Pkcs11ErrorCode, *, operation: str | None, rv: int | None, token_flags: int | None) -> Pkcs11Error:
    if code == "pin_incorrect" and token_flags is not None and token_flags & CKF_USER_PIN_LOCKED:
        return Pkcs11Error("pin_locked", operation=operation, rv=rv)
    if code == "pin_incorrect":
        attempts, low = pin_attempts(token_flags)
        message = "The PIN is incorrect." if attempts is None else f"The PIN is incorrect; {attempts} attempt(s) left."
        return Pkcs11Error(code, message, operation=operation, rv=rv, attempts_left=attempts, pin_count_low=low)
    return Pkcs11Error(code, operation=operation, rv=rv)


@contextmanager
def translated(operation: str) -> Iterator[None]:
    """Turn python-pkcs11's exceptions into :class:`Pkcs11Error` (``raise ... from``) for the calls inside."""
    try:
        yield
    except p11x.PKCS11Error as exc:
        raise error_for_exception(exc, operation=operation) from exc
