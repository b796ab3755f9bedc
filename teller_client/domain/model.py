"""The application model: typed, immutable dataclasses for one signing application.

The model mirrors the ``eform/1`` document of ``shared/specs/eform-barcode.md``
(see :mod:`teller_client.domain.document` for reading and writing it). Two
optional account fields extend the contract for rules the bank needs:
``expires_on`` (temporary accounts) and ``fx_capable`` (an account enabled for
foreign exchange). Readers of the contract ignore unknown fields, so forms
carrying them stay valid ``eform/1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from teller_client.domain.currencies import DOMESTIC_CURRENCY

SCHEMA = "eform/1"


class RequestKind(StrEnum):
    NEW = "new"
    MODIFY = "modify"
    CLOSE = "close"


class CustomerKind(StrEnum):
    REAL = "real"
    VIRTUAL = "virtual"


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"


class AccountRelation(StrEnum):
    OWN = "own"
    SUBSIDIARY = "subsidiary"
    OTHER_BANK = "other_bank"
    ONE_ACCOUNT = "one_account"


class AccountType(StrEnum):
    BASIC = "basic"
    GENERAL = "general"
    SPECIAL = "special"
    TEMPORARY = "temporary"


class AccountRight(StrEnum):
    QUERY = "query"
    PAY = "pay"
    COLLECT = "collect"


class Role(StrEnum):
    ADMIN = "admin"
    MAKER = "maker"
    CHECKER = "checker"
    AUTHORIZER = "authorizer"
    VIEWER = "viewer"


class Credential(StrEnum):
    UKEY = "ukey"
    PASSWORD = "password"  # noqa: S105 - a credential kind, not a password


class Channel(StrEnum):
    CORPORATE_ONLINE_BANKING = "corporate_online_banking"
    CASH_MANAGEMENT = "cash_management"
    E_COMMERCE = "e_commerce"
    E_BILLS = "e_bills"
    BIDDING = "bidding"
    CROSS_BORDER_CASH_MANAGEMENT = "cross_border_cash_management"
    BANK_DIRECT_LINK = "bank_direct_link"


class ServiceMode(StrEnum):
    STANDARD = "standard"
    ADVANCED = "advanced"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Person:
    """A natural person identified by an ID document (legal representative)."""

    name: str
    id_type: IdType
    id_number: str


@dataclass(frozen=True)
class Contact:
    name: str
    mobile: str
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Customer:
    name: str
    uscc: str
    kind: CustomerKind
    legal_rep: Person
    contact: Contact
    group_uscc: str | None = None


@dataclass(frozen=True)
class Account:
    number: str
    relation: AccountRelation
    type: AccountType
    currency: str = DOMESTIC_CURRENCY
    rights: tuple[AccountRight, ...] = (AccountRight.QUERY,)
    bank_code: str | None = None
    expires_on: date | None = None
    fx_capable: bool = False

    @property
    def can_pay(self) -> bool:
        return AccountRight.PAY in self.rights

    @property
    def is_fx(self) -> bool:
        """A foreign-currency account or one enabled for foreign exchange."""
        return self.currency != DOMESTIC_CURRENCY or self.fx_capable


@dataclass(frozen=True)
class Limits:
    per_txn: Decimal | None = None
    daily: Decimal | None = None


ALL_ACCOUNTS: Literal["all"] = "all"


@dataclass(frozen=True)
class User:
    """An operator of the company on the e-channels."""

    name: str
    id_type: IdType
    id_number: str
    mobile: str
    role: Role
    credential: Credential
    accounts: Literal["all"] | tuple[str, ...] = ALL_ACCOUNTS
    limits: Limits = field(default_factory=Limits)
    email: str | None = None

    @property
    def is_certificate_user(self) -> bool:
        return self.credential is Credential.UKEY

    def account_numbers(self, application: Application) -> tuple[str, ...]:
        """The numbers of the accounts this user may use in ``application``."""
        if self.accounts == ALL_ACCOUNTS:
            return tuple(a.number for a in application.accounts)
        return self.accounts


@dataclass(frozen=True)
class Service:
    channel: Channel
    mode: ServiceMode
    bundle: str | None = None
    functions: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeeRequest:
    waiver_requested: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class Application:
    """One application as the customer signs it."""

    form_id: str
    created_at: datetime
    expires_at: datetime
    request: RequestKind
    customer: Customer
    accounts: tuple[Account, ...] = ()
    users: tuple[User, ...] = ()
    services: tuple[Service, ...] = ()
    fees: FeeRequest = field(default_factory=FeeRequest)

    def account(self, number: str) -> Account | None:
        return next((a for a in self.accounts if a.number == number), None)

    def user_accounts(self, user: User) -> tuple[Account, ...]:
        numbers = set(user.account_numbers(self))
        return tuple(a for a in self.accounts if a.number in numbers)
