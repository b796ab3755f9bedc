"""Reading and writing the ``eform/1`` JSON document, canonical JSON and the snapshot hash.

:func:`read_document` walks a decoded JSON document and collects *every*
problem of shape and every malformed identifier, each with the JSON pointer
of its field. When the shape is sound it also builds the
:class:`~teller_client.domain.model.Application` (with identifiers normalised
where they are valid), so that the business rules can run on it too.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, TypeVar

from teller_client.domain import identifiers as ids
from teller_client.domain.labels import label
from teller_client.domain.messages import Bilingual
from teller_client.domain.model import (
    ALL_ACCOUNTS,
    SCHEMA,
    Account,
    AccountRelation,
    AccountRight,
    AccountType,
    Application,
    Channel,
    Contact,
    Credential,
    Customer,
    CustomerKind,
    FeeRequest,
    IdType,
    Limits,
    Person,
    RequestKind,
    Role,
    Service,
    ServiceMode,
    User,
)
from teller_client.domain.problems import Problem, Severity, problem
from teller_client.errors import InvalidIdentifierError

E = TypeVar("E", bound=StrEnum)

_FORM_ID = re.compile(r"[A-Z0-9]{1,32}")
_TYPE_NAMES = {
    str: Bilingual("文本", "a string"),
    dict: Bilingual("对象（键值对）", "an object"),
    list: Bilingual("列表", "a list"),
    bool: Bilingual("是/否（true/false）", "true or false"),
}

NAME_MAX = 100
TEXT_MAX = 200


class _Missing:
    pass


MISSING = _Missing()


class _Reader:
    """Walks one document; every ``read_*`` records its problems and returns a value or ``None``."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.problems: list[Problem] = []
        self.shape_ok = True

    # -- recording ----------------------------------------------------------

    def add(self, ptr: str, code: str, severity: Severity = Severity.ERROR, **params: Any) -> None:
        if severity is Severity.ERROR and code in _SHAPE_CODES:
            self.shape_ok = False
        self.problems.append(problem(ptr, code, severity, **params))

    def add_identifier(self, ptr: str, err: InvalidIdentifierError) -> None:
        self.problems.append(Problem(ptr, err.code, err.message_zh, err.message_en))

    # -- primitives ---------------------------------------------------------

    def get(self, obj: Mapping[str, Any], key: str, ptr: str, kind: type, *, required: bool = True) -> Any:
        here = f"{ptr}/{key}"
        value = obj.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.add(here, "required", field=label(here))
            return None
        if kind is str and isinstance(value, str):
            return value
        # bool is an int subclass in Python; JSON true/false must not pass as numbers and vice versa
        if kind is not str and type(value) is kind:
            return value
        self.add(here, "wrong_type", field=label(here), expected_zh=_TYPE_NAMES[kind].zh, expected_en=_TYPE_NAMES[kind].en)
        return None

    def text(self, obj: Mapping[str, Any], key: str, ptr: str, *, required: bool = True, max_len: int = TEXT_MAX) -> str | None:
        value = self.get(obj, key, ptr, str, required=required)
        if value is None:
            return None
        here = f"{ptr}/{key}"
        value = unicodedata.normalize("NFC", value).strip()
        if not value:
            if required:
                self.add(here, "empty", field=label(here))
            return None
        if any(unicodedata.category(c) == "Cc" for c in value):
            self.add(here, "text_format", field=label(here))
        if len(value) > max_len:
            self.add(here, "too_long", field=label(here), max=max_len, length=len(value))
        return value

    def enum(self, obj: Mapping[str, Any], key: str, ptr: str, cls: type[E], *, required: bool = True) -> E | None:
        value = self.get(obj, key, ptr, str, required=required)
        if value is None:
            return None
        try:
            return cls(value)
        except ValueError:
            here = f"{ptr}/{key}"
            allowed = ", ".join(m.value for m in cls)
            self.add(here, "not_allowed", field=label(here), value=value, allowed=allowed)
            return None

    def identifier(self, value: str | None, ptr: str, check: Callable[[str], Any]) -> Any:
        """Normalise ``value`` with ``check``; on failure record it and keep the raw value."""
        if value is None:
            return None
        try:
            return check(value)
        except InvalidIdentifierError as err:
            self.add_identifier(ptr, err)
            return value

    def timestamp(self, obj: Mapping[str, Any], key: str, ptr: str) -> datetime | None:
        value = self.get(obj, key, ptr, str)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None or "T" not in value.upper():
            here = f"{ptr}/{key}"
            self.add(here, "datetime_format", field=label(here))
            return None
        return parsed

    def day(self, obj: Mapping[str, Any], key: str, ptr: str) -> date | None:
        value = self.get(obj, key, ptr, str, required=False)
        if value is None:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            here = f"{ptr}/{key}"
            self.add(here, "date_format", field=label(here))
            return None

    def items(self, obj: Mapping[str, Any], key: str, ptr: str, *, required: bool = True) -> list[tuple[str, dict[str, Any]]]:
        """The object items of a list field, each with its pointer; non-objects are recorded."""
        values = self.get(obj, key, ptr, list, required=required)
        out = []
        for i, item in enumerate(values or []):
            here = f"{ptr}/{key}/{i}"
            if isinstance(item, dict):
                out.append((here, item))
            else:
                self.add(here, "wrong_type", field=label(here), expected_zh="对象（键值对）", expected_en="an object")
        return out

    # -- the document -------------------------------------------------------

    def person(self, obj: Mapping[str, Any], ptr: str) -> tuple[str | None, IdType | None, str | None]:
        name = self.text(obj, "name", ptr, max_len=NAME_MAX)
        id_type = self.enum(obj, "id_type", ptr, IdType)
        raw = self.text(obj, "id_number", ptr, max_len=32)
        number = raw
        if raw is not None and id_type is not None:
            number = self.identifier(raw, f"{ptr}/id_number", lambda t: ids.validate_id_number(id_type, t, self.today))
        return name, id_type, number

    def customer(self, doc: Mapping[str, Any]) -> Customer | None:
        obj = self.get(doc, "customer", "", dict)
        if obj is None:
            return None
        ptr = "/customer"
        name = self.text(obj, "name", ptr, max_len=NAME_MAX)
        uscc = self.text(obj, "uscc", ptr, max_len=32)
        if uscc is not None:
            try:
                uscc = ids.validate_uscc(uscc)
            except InvalidIdentifierError as err:
                self.add_identifier(f"{ptr}/uscc", err)
            else:
                # GB 11714 inside GB 32100: a warning only, never a hard error (old licences carry odd codes)
                if not ids.uscc_org_code_ok(uscc):
                    self.add(f"{ptr}/uscc", "uscc_org_code", Severity.WARNING)
        kind = self.enum(obj, "kind", ptr, CustomerKind)
        group = self.identifier(self.text(obj, "group_uscc", ptr, required=False, max_len=32), f"{ptr}/group_uscc", ids.validate_uscc)

        rep_obj = self.get(obj, "legal_rep", ptr, dict)
        rep = self.person(rep_obj, f"{ptr}/legal_rep") if rep_obj is not None else None

        contact_obj = self.get(obj, "contact", ptr, dict)
        contact = None
        if contact_obj is not None:
            cptr = f"{ptr}/contact"
            cname = self.text(contact_obj, "name", cptr, max_len=NAME_MAX)
            mobile = self.identifier(self.text(contact_obj, "mobile", cptr, max_len=20), f"{cptr}/mobile", ids.validate_mobile)
            email = self.identifier(self.text(contact_obj, "email", cptr, required=False, max_len=254), f"{cptr}/email", ids.validate_email)
            address = self.text(contact_obj, "address", cptr, required=False)
            if cname is not None and mobile is not None:
                contact = Contact(cname, mobile, email, address)

        if None in (name, uscc, kind, contact) or rep is None or None in rep:
            return None
        assert name is not None and uscc is not None and kind is not None and contact is not None
        rep_name, rep_type, rep_number = rep
        assert rep_name is not None and rep_type is not None and rep_number is not None
        return Customer(name, uscc, kind, Person(rep_name, rep_type, rep_number), contact, group)

    def account(self, obj: Mapping[str, Any], ptr: str) -> Account | None:
        number = self.identifier(self.text(obj, "number", ptr, max_len=40), f"{ptr}/number", ids.validate_account_number)
        relation = self.enum(obj, "relation", ptr, AccountRelation)
        kind = self.enum(obj, "type", ptr, AccountType)
        currency = self.identifier(self.text(obj, "currency", ptr, max_len=8), f"{ptr}/currency", ids.validate_currency)
        bank_code = self.identifier(
            self.text(obj, "bank_code", ptr, required=False, max_len=20), f"{ptr}/bank_code", ids.validate_bank_code
        )
        rights: list[AccountRight] = []
        for i, value in enumerate(self.get(obj, "rights", ptr, list) or []):
            here = f"{ptr}/rights/{i}"
            try:
                right = AccountRight(value)
            except ValueError:
                allowed = ", ".join(r.value for r in AccountRight)
                self.add(here, "not_allowed", field=label(here), value=str(value), allowed=allowed)
                continue
            if right in rights:
                self.add(here, "duplicate_right", value=right.value)
            else:
                rights.append(right)
        expires_on = self.day(obj, "expires_on", ptr)
        fx_capable = self.get(obj, "fx_capable", ptr, bool, required=False)
        if None in (number, relation, kind, currency):
            return None
        assert number is not None and relation is not None and kind is not None and currency is not None
        return Account(number, relation, kind, currency, tuple(rights), bank_code, expires_on, bool(fx_capable))

    def limits(self, obj: Mapping[str, Any] | None, ptr: str) -> Limits:
        if obj is None:
            return Limits()
        amounts: dict[str, Decimal | None] = {}
        for key in ("per_txn", "daily"):
            raw = self.text(obj, key, ptr, required=False, max_len=20)
            value = self.identifier(raw, f"{ptr}/{key}", ids.validate_amount)
            amounts[key] = value if isinstance(value, Decimal) else None
        per_txn, daily = amounts["per_txn"], amounts["daily"]
        if per_txn is not None and daily is not None and per_txn > daily:
            self.add(f"{ptr}/per_txn", "limit_order", per_txn=f"{per_txn:.2f}", daily=f"{daily:.2f}")
        return Limits(per_txn, daily)

    def user(self, obj: Mapping[str, Any], ptr: str) -> User | None:
        name, id_type, id_number = self.person(obj, ptr)
        mobile = self.identifier(self.text(obj, "mobile", ptr, max_len=20), f"{ptr}/mobile", ids.validate_mobile)
        email = self.identifier(self.text(obj, "email", ptr, required=False, max_len=254), f"{ptr}/email", ids.validate_email)
        role = self.enum(obj, "role", ptr, Role)
        credential = self.enum(obj, "credential", ptr, Credential)
        accounts: Literal["all"] | tuple[str, ...] | None = None
        raw = obj.get("accounts", MISSING)
        here = f"{ptr}/accounts"
        if raw is MISSING or raw is None:
            self.add(here, "required", field=label(here))
        elif raw == ALL_ACCOUNTS:
            accounts = ALL_ACCOUNTS
        elif isinstance(raw, list):
            numbers = []
            for i, value in enumerate(raw):
                item = f"{here}/{i}"
                if not isinstance(value, str):
                    self.add(item, "wrong_type", field=label(item), expected_zh="文本", expected_en="a string")
                    continue
                numbers.append(self.identifier(value, item, ids.validate_account_number))
            accounts = tuple(numbers)
        else:
            self.add(
                here,
                "wrong_type",
                field=label(here),
                expected_zh="“all”或账号列表",
                expected_en='"all" or a list of account numbers',
            )
        limits = self.limits(self.get(obj, "limits", ptr, dict, required=False), f"{ptr}/limits")
        if None in (name, id_type, id_number, mobile, role, credential, accounts):
            return None
        assert name and id_type and id_number and mobile and role and credential and accounts is not None
        return User(name, id_type, id_number, mobile, role, credential, accounts, limits, email)

    def service(self, obj: Mapping[str, Any], ptr: str) -> Service | None:
        channel = self.enum(obj, "channel", ptr, Channel)
        mode = self.enum(obj, "mode", ptr, ServiceMode)
        bundle = self.text(obj, "bundle", ptr, required=False, max_len=64)
        functions: list[str] = []
        for i, value in enumerate(self.get(obj, "functions", ptr, list, required=False) or []):
            here = f"{ptr}/functions/{i}"
            if isinstance(value, str) and value.strip():
                functions.append(value.strip())
            else:
                self.add(here, "wrong_type", field=label(here), expected_zh="文本", expected_en="a string")
        if channel is None or mode is None:
            return None
        return Service(channel, mode, bundle, tuple(functions))

    def application(self, doc: Mapping[str, Any]) -> Application | None:
        schema = self.get(doc, "schema", "", str)
        if schema is not None and schema != SCHEMA:
            self.add("/schema", "schema_unsupported", value=schema)
            self.shape_ok = False
        form_id = self.get(doc, "form_id", "", str)
        if form_id is not None and not _FORM_ID.fullmatch(form_id):
            self.add("/form_id", "form_id_format")
        created = self.timestamp(doc, "created_at", "")
        expires = self.timestamp(doc, "expires_at", "")
        if created and expires and expires <= created:
            self.add("/expires_at", "expires_before_created")
        request = self.enum(doc, "request", "", RequestKind)
        customer = self.customer(doc)

        accounts = [self.account(obj, p) for p, obj in self.items(doc, "accounts", "")]
        numbers: dict[str, int] = {}
        for i, acc in enumerate(accounts):
            if acc is None:
                continue
            if acc.number in numbers:
                self.add(f"/accounts/{i}/number", "duplicate_account", number=acc.number, first=numbers[acc.number] + 1)
            else:
                numbers[acc.number] = i

        users = [self.user(obj, p) for p, obj in self.items(doc, "users", "")]
        seen_ids: dict[tuple[str, str], int] = {}
        for i, user in enumerate(users):
            if user is None:
                continue
            key = (user.id_type.value, user.id_number)
            if key in seen_ids:
                self.add(f"/users/{i}/id_number", "duplicate_user", first=seen_ids[key] + 1)
            else:
                seen_ids[key] = i

        services = [self.service(obj, p) for p, obj in self.items(doc, "services", "")]
        channels: dict[Channel, int] = {}
        for i, svc in enumerate(services):
            if svc is None:
                continue
            if svc.channel in channels:
                self.add(f"/services/{i}/channel", "duplicate_channel", channel=svc.channel.value, first=channels[svc.channel] + 1)
            else:
                channels[svc.channel] = i

        fees = FeeRequest()
        fees_obj = self.get(doc, "fees", "", dict, required=False)
        if fees_obj is not None:
            waiver = bool(self.get(fees_obj, "waiver_requested", "/fees", bool, required=False))
            reason = self.text(fees_obj, "reason", "/fees", required=False, max_len=500)
            fees = FeeRequest(waiver, reason)

        parts_missing = None in (form_id, created, expires, request, customer) or None in accounts or None in users or None in services
        if not self.shape_ok or parts_missing:
            return None
        assert form_id and created and expires and request and customer
        return Application(
            form_id=form_id,
            created_at=created,
            expires_at=expires,
            request=request,
            customer=customer,
            accounts=tuple(a for a in accounts if a is not None),
            users=tuple(u for u in users if u is not None),
            services=tuple(s for s in services if s is not None),
            fees=fees,
        )


_SHAPE_CODES = frozenset({"required", "empty", "wrong_type", "not_allowed", "schema_unsupported", "datetime_format", "date_format"})


def read_document(doc: Any, today: date | None = None) -> tuple[Application | None, list[Problem]]:
    """Read an ``eform/1`` document (already JSON-decoded).

    Returns the application (``None`` when its shape is broken) and every
    problem of shape and identifiers found, in document order. Business rules
    are not checked here (see :func:`teller_client.domain.validation.validate`).
    """
    reader = _Reader(today or date.today())
    if not isinstance(doc, dict):
        reader.add("", "wrong_type", field=Bilingual("表单", "the form"), expected_zh="对象（键值对）", expected_en="an object")
        return None, reader.problems
    app = reader.application(doc)
    return app, reader.problems


# --- writing ----------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def to_document(app: Application) -> dict[str, Any]:
    """The ``eform/1`` document of ``app`` (the inverse of :func:`read_document` for a valid form)."""
    c = app.customer
    return {
        "schema": SCHEMA,
        "form_id": app.form_id,
        "created_at": _stamp(app.created_at),
        "expires_at": _stamp(app.expires_at),
        "request": app.request.value,
        "customer": {
            "name": c.name,
            "uscc": c.uscc,
            "kind": c.kind.value,
            "group_uscc": c.group_uscc,
            "legal_rep": {"name": c.legal_rep.name, "id_type": c.legal_rep.id_type.value, "id_number": c.legal_rep.id_number},
            "contact": {
                "name": c.contact.name,
                "mobile": c.contact.mobile,
                "email": c.contact.email,
                "address": c.contact.address,
            },
        },
        "accounts": [_account_doc(a) for a in app.accounts],
        "users": [_user_doc(u) for u in app.users],
        "services": [
            {"channel": s.channel.value, "bundle": s.bundle, "mode": s.mode.value, "functions": list(s.functions)} for s in app.services
        ],
        "fees": {"waiver_requested": app.fees.waiver_requested, "reason": app.fees.reason},
    }


def _account_doc(a: Account) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "number": a.number,
        "relation": a.relation.value,
        "type": a.type.value,
        "currency": a.currency,
        "bank_code": a.bank_code,
        "rights": [r.value for r in a.rights],
    }
    # The two extensions are written only when they say something, so plain forms stay as the contract shows them.
    if a.expires_on is not None:
        doc["expires_on"] = a.expires_on.isoformat()
    if a.fx_capable:
        doc["fx_capable"] = True
    return doc


def _user_doc(u: User) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": u.name,
        "id_type": u.id_type.value,
        "id_number": u.id_number,
        "mobile": u.mobile,
        "role": u.role.value,
        "credential": u.credential.value,
        "accounts": u.accounts if u.accounts == ALL_ACCOUNTS else list(u.accounts),
        "limits": {"per_txn": _money(u.limits.per_txn), "daily": _money(u.limits.daily)},
    }
    if u.email is not None:
        doc["email"] = u.email
    return doc


def canonical_json(doc: Any) -> bytes:
    """Canonical JSON: sorted keys, no insignificant white space, UTF-8 (not ``\\u`` escapes)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def snapshot_hash(app: Application) -> str:
    """SHA-256 (hex) of the canonical JSON of ``app``'s document: what a supervisor signs off."""
    return hashlib.sha256(canonical_json(to_document(app))).hexdigest()
