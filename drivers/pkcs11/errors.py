"""The PKCS#11 driver's one error type, with a stable code the client maps to a bilingual message.

``drivers/`` never imports ``teller_client``, so this is not a ``TellerError``; the client translates it
(``raise TellerError(...) from exc``) by :attr:`Pkcs11Error.code`, never by parsing the English message.

Two doors lead here: a raw ``CKR_*`` return value (:func:`error_for_rv`, used for the calls this package makes
through ctypes) and a python-pkcs11 exception (:func:`error_for_exception`). Both give the same codes. No
message ever holds a PIN: messages are fixed English sentences plus, at most, a token label or serial.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

Pkcs11ErrorCode = Literal[
    "pin_incorrect",  # wrong PIN; attempts_left when the token says (final try → 1)
    "pin_locked",  # the user PIN is blocked: unblock with the SO PIN (after-sales "unlock")
    "pin_invalid",  # PIN has a bad length or characters, or is too weak for the token
    "pin_expired",  # the token wants the PIN changed before use
    "pin_not_initialised",  # blank token: the user PIN has not been set yet
    "not_logged_in",  # the operation needs a login first
    "already_logged_in",  # someone (another session of this process) is already logged in to the token
    "token_not_present",  # the token was pulled out (or its reader went away)
    "token_not_recognized",  # a card is in the reader but the library cannot use it
    "token_not_found",  # no token with that serial or label
    "token_ambiguous",  # several tokens carry that label: select by serial
    "token_full",  # no room left on the token
    "token_write_protected",  # the token refuses writes
    "token_busy",  # too many sessions, or sessions are open where none may be (initialising a token)
    "mechanism_not_supported",  # the token cannot do this algorithm, key size or curve
    "function_not_supported",  # the library does not implement this function (e.g. C_InitToken)
    "key_not_found",  # no key (pair) with that id on the token
    "key_ambiguous",  # several private keys share that id
    "key_exists",  # a key pair with that id is already on the token (reuse it: see Connection.find_key_pair)
    "key_mismatch",  # the certificate's public key is not the key on the token
    "certificate_exists",  # a different certificate already sits next to that key
    "certificate_invalid",  # the certificate is not DER X.509
    "cancelled",  # cancelled at the device (PIN pad) or by the library
    "session_closed",  # the session (or the library) was closed under us
    "library_load_failed",  # the vendor module cannot be loaded or is not a PKCS#11 module
    "library_in_use",  # this process already holds the module, or connections are still open
    "device_error",  # anything else the token or library reports as a failure
]

ERROR_CODES: tuple[Pkcs11ErrorCode, ...] = get_args(Pkcs11ErrorCode)

MESSAGES: dict[Pkcs11ErrorCode, str] = {
    "pin_incorrect": "The PIN is incorrect.",
    "pin_locked": "The PIN is locked.",
    "pin_invalid": "The PIN does not meet the token's rules (length or characters).",
    "pin_expired": "The PIN has expired and must be changed.",
    "pin_not_initialised": "The token's user PIN has not been initialised.",
    "not_logged_in": "The token needs a login for this operation.",
    "already_logged_in": "A user is already logged in to the token.",
    "token_not_present": "The token is not present.",
    "token_not_recognized": "The token is not recognised by the library.",
    "token_not_found": "No matching token was found.",
    "token_ambiguous": "Several tokens match; select the token by serial number.",
    "token_full": "The token has no free memory left.",
    "token_write_protected": "The token is write-protected.",
    "token_busy": "The token is busy (sessions are open).",
    "mechanism_not_supported": "The token does not support this algorithm or key size.",
    "function_not_supported": "The PKCS#11 library does not support this function.",
    "key_not_found": "The key was not found on the token.",
    "key_ambiguous": "Several keys on the token share this id.",
    "key_exists": "A key pair with this id is already on the token.",
    "key_mismatch": "The certificate does not belong to the key on the token.",
    "certificate_exists": "A different certificate is already stored for this key.",
    "certificate_invalid": "The certificate cannot be read.",
    "cancelled": "The operation was cancelled.",
    "session_closed": "The session with the token was closed.",
    "library_load_failed": "The PKCS#11 library could not be loaded.",
    "library_in_use": "The PKCS#11 library is in use.",
    "device_error": "The token reported an error.",
}


class Pkcs11Error(Exception):
    """A PKCS#11 library or token failed.

    ``code`` is one of :data:`ERROR_CODES` and stays stable across releases; ``message`` is plain English for
    logs and diagnostics. ``attempts_left`` is set for ``pin_incorrect`` when the token says (``1`` on its final
    try), else ``None``; ``pin_count_low`` tells that the token reported failed attempts without a count.
    ``rv`` is the ``CKR_*`` value when known, ``operation`` the driver operation that failed (``"login"``, ...).
    """

    def __init__(
        self,
        code: Pkcs11ErrorCode,
        message: str | None = None,
        *,
        operation: str | None = None,
        rv: int | None = None,
        attempts_left: int | None = None,
        pin_count_low: bool = False,
    ) -> None:
        text = message or MESSAGES[code]
        super().__init__(text)
        self.code: Pkcs11ErrorCode = code
        self.message = text
        self.operation = operation
        self.rv = rv
        self.attempts_left = attempts_left
        self.pin_count_low = pin_count_low

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles with every attribute (the default would call the class with the message as the code)."""
        return (_rebuild, (self.code, self.message, self.operation, self.rv, self.attempts_left, self.pin_count_low))

    def __repr__(self) -> str:
        rv = None if self.rv is None else f"0x{self.rv:08X}"
        return f"Pkcs11Error(code={self.code!r}, operation={self.operation!r}, rv={rv}, attempts_left={self.attempts_left!r})"


def _rebuild(
    code: Pkcs11ErrorCode, message: str, operation: str | None, rv: int | None, attempts_left: int | None, pin_count_low: bool
) -> Pkcs11Error:
    return Pkcs11Error(code, message, operation=operation, rv=rv, attempts_left=attempts_left, pin_count_low=pin_count_low)
