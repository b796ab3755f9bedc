"""The few Cryptoki calls python-pkcs11 0.10 lacks or makes with copies of the PIN, through ctypes.

python-pkcs11 has no ``C_InitToken``, does not return the token's memory figures or PIN length limits, and turns
every PIN into a ``str`` before encoding it. This module reaches the same module's function list
(``C_GetFunctionList`` of the already loaded library: ``dlopen`` of the same path gives the same handle) and
calls ``C_GetTokenInfo``, ``C_InitToken``, ``C_InitPIN``, ``C_SetPIN``, ``C_Login``, ``C_Logout`` and
``C_GetSessionInfo``; PINs go in as the caller's own buffer (see :mod:`drivers.pkcs11.pins`).

On Windows, Cryptoki structures are packed to 1 byte (``#pragma pack(1)``) and ``CK_ULONG`` is 32 bits; ctypes'
``c_ulong`` follows the platform's ``unsigned long``, and the structures here set ``_pack_`` accordingly.
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass
from pathlib import Path

from drivers.pkcs11.error_map import error_for_rv
from drivers.pkcs11.errors import Pkcs11Error
from drivers.pkcs11.pins import Pin, pin_buffer

_WINDOWS = sys.platform == "win32"

CK_ULONG = ctypes.c_ulong
CK_RV = ctypes.c_ulong
CK_UNAVAILABLE_INFORMATION = ctypes.c_ulong(-1).value
CKU_SO = 0
CKU_USER = 1
CKS_RO_USER_FUNCTIONS = 1
CKS_RW_USER_FUNCTIONS = 3
CKS_RW_SO_FUNCTIONS = 4
_SO_PIN_FLAGS = 0xF << 20  # CKF_SO_PIN_COUNT_LOW, _FINAL_TRY, _LOCKED, _TO_BE_CHANGED


class CK_VERSION(ctypes.Structure):
    if _WINDOWS:
        _pack_ = 1
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte)]


class CK_TOKEN_INFO(ctypes.Structure):
    if _WINDOWS:
        _pack_ = 1
    _fields_ = [
        ("label", ctypes.c_char * 32),
        ("manufacturerID", ctypes.c_char * 32),
        ("model", ctypes.c_char * 16),
        ("serialNumber", ctypes.c_char * 16),
        ("flags", CK_ULONG),
        ("ulMaxSessionCount", CK_ULONG),
        ("ulSessionCount", CK_ULONG),
        ("ulMaxRwSessionCount", CK_ULONG),
        ("ulRwSessionCount", CK_ULONG),
        ("ulMaxPinLen", CK_ULONG),
        ("ulMinPinLen", CK_ULONG),
        ("ulTotalPublicMemory", CK_ULONG),
        ("ulFreePublicMemory", CK_ULONG),
        ("ulTotalPrivateMemory", CK_ULONG),
        ("ulFreePrivateMemory", CK_ULONG),
        ("hardwareVersion", CK_VERSION),
        ("firmwareVersion", CK_VERSION),
        ("utcTime", ctypes.c_char * 16),
    ]


class CK_SESSION_INFO(ctypes.Structure):
    if _WINDOWS:
        _pack_ = 1
    _fields_ = [("slotID", CK_ULONG), ("state", CK_ULONG), ("flags", CK_ULONG), ("ulDeviceError", CK_ULONG)]


_PIN = ctypes.c_void_p  # a PIN argument: see drivers.pkcs11.pins.pin_buffer
_F_GET_TOKEN_INFO = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, ctypes.POINTER(CK_TOKEN_INFO))
_F_INIT_TOKEN = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _PIN, CK_ULONG, ctypes.c_char_p)
_F_INIT_PIN = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _PIN, CK_ULONG)
_F_SET_PIN = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _PIN, CK_ULONG, _PIN, CK_ULONG)
_F_GET_SESSION_INFO = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, ctypes.POINTER(CK_SESSION_INFO))
_F_LOGIN = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, CK_ULONG, _PIN, CK_ULONG)
_F_LOGOUT = ctypes.CFUNCTYPE(CK_RV, CK_ULONG)
_ANY = ctypes.c_void_p


class CK_FUNCTION_LIST(ctypes.Structure):
    if _WINDOWS:
        _pack_ = 1
    _fields_ = [
        ("version", CK_VERSION),
        ("C_Initialize", _ANY),
        ("C_Finalize", _ANY),
        ("C_GetInfo", _ANY),
        ("C_GetFunctionList", _ANY),
        ("C_GetSlotList", _ANY),
        ("C_GetSlotInfo", _ANY),
        ("C_GetTokenInfo", _F_GET_TOKEN_INFO),
        ("C_GetMechanismList", _ANY),
        ("C_GetMechanismInfo", _ANY),
        ("C_InitToken", _F_INIT_TOKEN),
        ("C_InitPIN", _F_INIT_PIN),
        ("C_SetPIN", _F_SET_PIN),
        ("C_OpenSession", _ANY),
        ("C_CloseSession", _ANY),
        ("C_CloseAllSessions", _ANY),
        ("C_GetSessionInfo", _F_GET_SESSION_INFO),
        ("C_GetOperationState", _ANY),
        ("C_SetOperationState", _ANY),
        ("C_Login", _F_LOGIN),
        ("C_Logout", _F_LOGOUT),
    ]


@dataclass(frozen=True)
class RawTokenInfo:
    """``CK_TOKEN_INFO`` as Python values; numbers the token does not report are ``None``."""

    label: str
    manufacturer: str
    model: str
    serial: str
    flags: int
    max_pin_length: int | None
    min_pin_length: int | None
    total_public_memory: int | None
    free_public_memory: int | None
    total_private_memory: int | None
    free_private_memory: int | None
    hardware_version: tuple[int, int]
    firmware_version: tuple[int, int]


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip(" \x00")


def _number(value: int) -> int | None:
    return None if value == CK_UNAVAILABLE_INFORMATION else value


class Cryptoki:
    """The function list of one loaded module; every method raises :class:`Pkcs11Error` on a failing ``CKR_*``."""

    def __init__(self, path: str) -> None:
        try:
            self._dll = ctypes.CDLL(path)
            get_function_list = self._dll.C_GetFunctionList
        except (OSError, AttributeError) as exc:
            raise Pkcs11Error("library_load_failed", f"Cannot load {Path(path).name} as a PKCS#11 library.", operation="load") from exc
        get_function_list.restype = CK_RV
        get_function_list.argtypes = [ctypes.POINTER(ctypes.POINTER(CK_FUNCTION_LIST))]
        pointer = ctypes.POINTER(CK_FUNCTION_LIST)()
        rv = get_function_list(ctypes.byref(pointer))
        if rv != 0 or not pointer:
            raise Pkcs11Error("library_load_failed", f"{Path(path).name} gave no PKCS#11 function list.", operation="load", rv=rv)
        self._functions = pointer.contents

    def token_info(self, slot_id: int, *, operation: str = "token_info") -> RawTokenInfo:
        info = CK_TOKEN_INFO()
        self._check(self._functions.C_GetTokenInfo(slot_id, ctypes.byref(info)), operation)
        return RawTokenInfo(
            label=_text(info.label),
            manufacturer=_text(info.manufacturerID),
            model=_text(info.model),
            serial=_text(info.serialNumber),
            flags=int(info.flags),
            max_pin_length=_number(info.ulMaxPinLen),
            min_pin_length=_number(info.ulMinPinLen),
            total_public_memory=_number(info.ulTotalPublicMemory),
            free_public_memory=_number(info.ulFreePublicMemory),
            total_private_memory=_number(info.ulTotalPrivateMemory),
            free_private_memory=_number(info.ulFreePrivateMemory),
            hardware_version=(info.hardwareVersion.major, info.hardwareVersion.minor),
            firmware_version=(info.firmwareVersion.major, info.firmwareVersion.minor),
        )

    def token_flags(self, slot_id: int) -> int | None:
        """The token's flags, or ``None`` when they cannot be read (token gone): used after a failure."""
        info = CK_TOKEN_INFO()
        if self._functions.C_GetTokenInfo(slot_id, ctypes.byref(info)) != 0:
            return None
        return int(info.flags)

    def init_token(self, slot_id: int, so_pin: Pin, label: str) -> None:
        padded = label.encode("utf-8").ljust(32, b" ")
        if len(padded) > 32:
            raise ValueError("a token label holds at most 32 bytes of UTF-8")
        with pin_buffer(so_pin) as (pin, length):
            rv = self._functions.C_InitToken(slot_id, pin, length, padded)
        self._check(rv, "init_token", slot_id, so=True)

    def init_pin(self, session: int, slot_id: int, pin: Pin) -> None:
        with pin_buffer(pin) as (buffer, length):
            rv = self._functions.C_InitPIN(session, buffer, length)
        self._check(rv, "init_user_pin", slot_id)

    def set_pin(self, session: int, slot_id: int, old_pin: Pin, new_pin: Pin) -> None:
        with pin_buffer(old_pin) as (old, old_length), pin_buffer(new_pin) as (new, new_length):
            rv = self._functions.C_SetPIN(session, old, old_length, new, new_length)
        self._check(rv, "change_pin", slot_id)

    def login(self, session: int, slot_id: int, user_type: int, pin: Pin) -> None:
        with pin_buffer(pin) as (buffer, length):
            rv = self._functions.C_Login(session, user_type, buffer, length)
        self._check(rv, "login" if user_type == CKU_USER else "login_so", slot_id, so=user_type == CKU_SO)

    def logout(self, session: int) -> int:
        """``C_Logout``; returns the ``CKR_*`` value (callers closing a session do not raise)."""
        return int(self._functions.C_Logout(session))

    def session_state(self, session: int) -> int:
        info = CK_SESSION_INFO()
        self._check(self._functions.C_GetSessionInfo(session, ctypes.byref(info)), "session_info")
        return int(info.state)

    def _check(self, rv: int, operation: str, slot_id: int | None = None, *, so: bool = False) -> None:
        if rv != 0:
            flags = self.token_flags(slot_id) if slot_id is not None else None
            if flags is not None and so:
                flags = (flags & _SO_PIN_FLAGS) >> 4  # the SO PIN's bits sit 4 above the user PIN's
            raise error_for_rv(rv, operation=operation, token_flags=flags)
