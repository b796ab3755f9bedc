"""Identifiers used at the counter: USCC, resident ID and other ID documents,
mobiles, e-mail, account numbers, bank codes, currencies and amounts.

Each ``validate_*`` function returns the normalised value (trimmed, upper-case
where the identifier is case-free) or raises :class:`InvalidIdentifierError`
whose ``code`` is a key of :mod:`teller_client.domain.messages` and whose
``check`` names the rule that failed.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from teller_client.domain.currencies import ISO_4217
from teller_client.domain.messages import render
from teller_client.errors import InvalidIdentifierError

# --- Unified Social Credit Code (GB 32100-2015) ---------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of GB 32100 (no I, O, S, V, Z), in value order."""
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""Weight of position i (1-based) is 3^(i-1) mod 31."""

# Organisation code (GB 11714): 8 body characters and a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _fail(code: str, check: str, **params: object) -> InvalidIdentifierError:
    zh, en = render(code, **params)
    return InvalidIdentifierError(code, check, en, zh)


def _clean(text: str) -> str:
    """Trim white space (including full-width spaces) and upper-case."""
    return text.strip().strip("\u3000").strip().upper()


def uscc_check_character(first17: str) -> str:
    """The GB 32100 check character for 17 characters already known to be in the charset."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str | None:
    """The GB 11714 check character of an 8-character organisation code body, or None if the body is malformed."""
    total = 0
    for ch, weight in zip(body8, _ORG_WEIGHTS, strict=True):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        else:
            return None
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_uscc(text: str) -> str:
    """Return the normalised USCC or raise :class:`InvalidIdentifierError`.

    Hard checks: length 18, GB 32100 charset, a 6-digit division code and the
    check character. The organisation-code part is *not* checked here; see
    :func:`uscc_org_code_ok` (a warning the teller may override).
    """
    value = _clean(text)
    if len(value) != 18:
        raise _fail("uscc_length", "length", length=len(value))
    for position, ch in enumerate(value, start=1):
        if ch not in _USCC_VALUE:
            raise _fail("uscc_charset", "charset", position=position, char=ch)
    if not value[2:8].isdigit():
        raise _fail("uscc_division", "division")
    if uscc_check_character(value[:17]) != value[17]:
        raise _fail("uscc_check_character", "check_character")
    return value


def uscc_org_code_ok(uscc: str) -> bool:
    """Whether characters 9 to 17 of a valid USCC pass the GB 11714 organisation-code check."""
    org = uscc[8:17]
    return len(org) == 9 and org_code_check_character(org[:8]) == org[8]


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (for test data and training forms)."""
    first17 = first17.upper()
    return first17 + uscc_check_character(first17)


# --- Resident ID number (GB 11643-1999) -----------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82", "83",
    }
)  # fmt: skip
"""Province-level division codes, plus 81/82/83 used by residence permits of HK, Macao and Taiwan residents."""


def resident_id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_resident_id(text: str, today: date | None = None) -> str:
    """Return the normalised 18-character resident ID number or raise :class:`InvalidIdentifierError`.

    Checks the length (15-digit legacy numbers are refused with their own
    message), the characters, the province code, a real birth date not after
    ``today``, and the ISO 7064 MOD 11-2 check character.
    """
    value = _clean(text)
    if len(value) == 15 and value.isdigit():
        raise _fail("resident_id_legacy", "legacy")
    if len(value) != 18:
        raise _fail("resident_id_length", "length", length=len(value))
    if not (value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")):
        raise _fail("resident_id_charset", "charset")
    if value[:2] not in PROVINCE_CODES:
        raise _fail("resident_id_region", "region", region=value[:2])
    birth = value[6:14]
    shown = f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        raise _fail("resident_id_birth_date", "birth_date", date=shown) from None
    if born.year < 1900:
        raise _fail("resident_id_birth_date", "birth_date", date=shown)
    if born > (today or date.today()):
        raise _fail("resident_id_birth_future", "birth_date", date=shown)
    if resident_id_check_character(value[:17]) != value[17]:
        raise _fail("resident_id_check_character", "check_character")
    return value


def make_resident_id(first17: str) -> str:
    """Complete 17 digits with their check character (for test data and training forms)."""
    return first17 + resident_id_check_character(first17)


# --- Other ID documents ---------------------------------------------------

_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
_HK_MACAO = re.compile(r"[HM]\d{8}(\d{2})?")
_TAIWAN = re.compile(r"\d{8}|\d{10}[A-Z]?")
_FOREIGN_OLD = re.compile(r"[A-Z]{3}\d{12}")
_FOREIGN_NEW = re.compile(r"9\d{16}[\dX]")

ID_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_permanent_resident")


def validate_id_number(id_type: str, text: str, today: date | None = None) -> str:
    """Validate an ID number by its document type (one of :data:`ID_TYPES`)."""
    if id_type == "resident_id":
        return validate_resident_id(text, today)
    value = _clean(text).replace(" ", "")
    if id_type == "passport":
        if not _PASSPORT.fullmatch(value):
            raise _fail("passport_format", "format")
    elif id_type == "hk_macao_permit":
        if not _HK_MACAO.fullmatch(value):
            raise _fail("hk_macao_permit_format", "format")
    elif id_type == "taiwan_permit":
        if not _TAIWAN.fullmatch(value):
            raise _fail("taiwan_permit_format", "format")
    elif id_type == "foreign_permanent_resident":
        if _FOREIGN_NEW.fullmatch(value):
            if resident_id_check_character(value[:17]) != value[17]:
                raise _fail("resident_id_check_character", "check_character")
        elif not _FOREIGN_OLD.fullmatch(value):
            raise _fail("foreign_permanent_resident_format", "format")
    else:
        raise ValueError(f"unknown ID type {id_type!r}")
    return value


# --- Contact data ---------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def validate_mobile(text: str) -> str:
    """A mainland mobile number: 11 digits starting with 1; spaces, dashes and a +86 prefix are dropped."""
    value = re.sub(r"[\s-]", "", text)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if not _MOBILE.fullmatch(value):
        raise _fail("mobile_format", "format")
    return value


def validate_email(text: str) -> str:
    value = text.strip()
    if len(value) > 254 or ".." in value or not _EMAIL.fullmatch(value):
        raise _fail("email_format", "format")
    local, _, domain = value.rpartition("@")
    if len(local) > 64 or local.startswith(".") or local.endswith("."):
        raise _fail("email_format", "format")
    return f"{local}@{domain.lower()}"


# --- Accounts, banks, money -----------------------------------------------

ACCOUNT_MIN_DIGITS = 8
ACCOUNT_MAX_DIGITS = 32


def validate_account_number(text: str) -> str:
    """Digits only (spaces and dashes dropped), 8 to 32 of them."""
    value = re.sub(r"[\s-]", "", text)
    if not value.isdigit() or not ACCOUNT_MIN_DIGITS <= len(value) <= ACCOUNT_MAX_DIGITS:
        raise _fail("account_number_format", "format", min=ACCOUNT_MIN_DIGITS, max=ACCOUNT_MAX_DIGITS, length=len(value))
    return value


def validate_bank_code(text: str) -> str:
    """A 12-digit CNAPS bank code."""
    value = text.strip()
    if not (len(value) == 12 and value.isdigit()):
        raise _fail("bank_code_format", "format")
    return value


def validate_currency(text: str) -> str:
    value = _clean(text)
    if value not in ISO_4217:
        raise _fail("currency_unknown", "code", value=value)
    return value


_AMOUNT = re.compile(r"\d{1,15}(\.\d{1,2})?")


def validate_amount(text: str) -> Decimal:
    """A positive CNY amount as a decimal string with at most two decimals."""
    value = text.strip()
    if not _AMOUNT.fullmatch(value):
        raise _fail("amount_format", "format")
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes this
        raise _fail("amount_format", "format") from None
    if amount <= 0:
        raise _fail("amount_format", "format")
    return amount.quantize(Decimal("0.01"))
