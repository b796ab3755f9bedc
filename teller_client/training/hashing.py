"""Secrets the service must recognise but never keep: salted scrypt hashes, SHA-256 token digests, random codes.

Staff passwords, initial passwords and certificate authorization codes are
stored as ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`` (stdlib
``hashlib.scrypt``) and compared with :func:`hmac.compare_digest`. Session
tokens are long random strings, so a plain SHA-256 is enough to look them up
and useless to whoever reads the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1
_DKLEN = 32

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Authorization codes: upper case and digits without the look-alikes 0/O, 1/I/L."""
PASSWORD_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz"  # noqa: S105 - an alphabet, not a password
"""Initial passwords: no 0/O/o, 1/I/l/L, which a customer misreads on a printed letter."""


def hash_secret(value: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(value.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_secret(value: str, stored: str | None) -> bool:
    """Whether ``value`` is the secret ``stored`` was made from (False for no stored hash or a malformed one)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            value.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p), dklen=len(digest_hex) // 2
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def token_digest(token: str) -> str:
    """SHA-256 hex of a session token: how the token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_authorization_code() -> str:
    """Ten characters from :data:`CODE_ALPHABET` (50 bits)."""
    return random_text(CODE_ALPHABET, 10)


def new_initial_password() -> str:
    """Ten characters without look-alikes, with at least one digit, one upper- and one lower-case letter."""
    while True:
        value = random_text(PASSWORD_ALPHABET, 10)
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value) and any(c.islower() for c in value):
            return value
