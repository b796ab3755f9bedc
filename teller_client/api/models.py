"""Typed responses of the central API (the shapes of ``resources/openapi/central-api.yaml``).

Secrets in responses (authorization codes, initial passwords) arrive as
:class:`~teller_client.secret.Secret`, never as plain strings, so they cannot
be printed or logged by accident; a replayed response carries ``None`` there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from teller_client.api.errors import FieldError
from teller_client.secret import Secret


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _secret(value: Any) -> Secret | None:
    return Secret(value) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Health:
    status: str
    version: str
    business_date: date
    training: bool

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Health:
        return cls(d["status"], d["version"], date.fromisoformat(d["business_date"]), bool(d.get("training", False)))


@dataclass(frozen=True)
class UserInfo:
    id: str
    name: str
    roles: tuple[str, ...]
    branch_id: str

    @property
    def is_supervisor(self) -> bool:
        return "supervisor" in self.roles

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> UserInfo:
        return cls(d["id"], d["name"], tuple(d["roles"]), d["branch_id"])


@dataclass(frozen=True)
class LoginResult:
    token: Secret
    user: UserInfo
    expires_at: datetime
    business_date: date | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LoginResult:
        day = d.get("business_date")
        return cls(Secret(d["token"]), UserInfo.from_json(d["user"]), _when(d["expires_at"]), date.fromisoformat(day) if day else None)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    reason: str | None
    snapshot_hash: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> HistoryEntry:
        return cls(_when(d["at"]), d["actor"], d["action"], d.get("reason"), d["snapshot_hash"])


@dataclass(frozen=True)
class ApplicationInfo:
    id: str
    request: str
    status: str
    source: str
    form_id: str
    verified: bool
    maker: str
    branch_id: str
    snapshot_hash: str
    document: dict[str, Any]
    fees: dict[str, Any]
    warnings: tuple[FieldError, ...]
    history: tuple[HistoryEntry, ...]
    agreement_no: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ApplicationInfo:
        return cls(
            d["id"],
            d["request"],
            d["status"],
            d["source"],
            d["form_id"],
            bool(d["verified"]),
            d["maker"],
            d["branch_id"],
            d["snapshot_hash"],
            d["document"],
            d["fees"],
            tuple(FieldError.from_json(w) for w in d.get("warnings", ())),
            tuple(HistoryEntry.from_json(h) for h in d.get("history", ())),
            d.get("agreement_no"),
            _when(d["created_at"]),
            _when(d["updated_at"]),
        )


@dataclass(frozen=True)
class QueueItem:
    id: str
    request: str
    customer_name: str
    uscc: str
    maker: str
    status: str
    snapshot_hash: str
    created_at: datetime
    fee_waiver_requested: bool

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> QueueItem:
        return cls(
            d["id"], d["request"], d["customer_name"], d["uscc"], d["maker"], d["status"], d["snapshot_hash"],
            _when(d["created_at"]), bool(d["fee_waiver_requested"]),
        )  # fmt: skip


@dataclass(frozen=True)
class CertificateOrder:
    reference_no: str
    authorization_code: Secret | None
    """None in a replayed answer: ask a supervisor for reauthorization."""
    user_no: str
    key_type: str
    expires_at: datetime
    premade: bool

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CertificateOrder:
        return cls(
            d["reference_no"], _secret(d.get("authorization_code")), d["user_no"], d["key_type"], _when(d["expires_at"]), bool(d["premade"])
        )


@dataclass(frozen=True)
class LetterOrder:
    letter_order_id: str
    user_no: str
    state: str
    letter_serial: str | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LetterOrder:
        return cls(d["letter_order_id"], d["user_no"], d["state"], d.get("letter_serial"))


@dataclass(frozen=True)
class SubmissionUser:
    user_no: str
    login_id: str
    name: str | None
    role: str | None
    credential: str | None


@dataclass(frozen=True)
class Submission:
    application_id: str
    agreement_no: str
    customer_ebank_id: str
    users: tuple[SubmissionUser, ...]
    certificate_orders: tuple[CertificateOrder, ...]
    letter_orders: tuple[LetterOrder, ...]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Submission:
        return cls(
            d["application_id"],
            d["agreement_no"],
            d["customer_ebank_id"],
            tuple(SubmissionUser(u["user_no"], u["login_id"], u.get("name"), u.get("role"), u.get("credential")) for u in d["users"]),
            tuple(CertificateOrder.from_json(o) for o in d["certificate_orders"]),
            tuple(LetterOrder.from_json(o) for o in d["letter_orders"]),
        )


@dataclass(frozen=True)
class CertificateResult:
    reference_no: str
    certificate: str
    chain: tuple[str, ...]
    certificate_serial: str
    token_serial: str
    not_after: datetime

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CertificateResult:
        return cls(
            d["reference_no"], d["certificate"], tuple(d["chain"]), d["certificate_serial"], d["token_serial"], _when(d["not_after"])
        )


@dataclass(frozen=True)
class ReleaseResult:
    letter_order_id: str
    letter_serial: str
    login_id: str
    initial_password: Secret | None
    """Shown this once; None in a replayed answer (the letter is then spoiled and reprinted)."""
    password_expires_at: datetime

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ReleaseResult:
        return cls(
            d["letter_order_id"], d["letter_serial"], d["login_id"], _secret(d.get("initial_password")), _when(d["password_expires_at"])
        )


@dataclass(frozen=True)
class StockItem:
    serial: str
    kind: str
    holder: str
    state: str
    premade: bool
    certificate_serial: str | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StockItem:
        return cls(d["serial"], d["kind"], d["holder"], d["state"], bool(d["premade"]), d.get("certificate_serial"))


@dataclass(frozen=True)
class Movement:
    movement_id: str
    kind: str
    serials: tuple[str, ...]
    from_holder: str
    to_holder: str
    reason: str
    actor: str
    witness: str
    business_date: date

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Movement:
        return cls(
            d["movement_id"], d["kind"], tuple(d["serials"]), d["from_holder"], d["to_holder"], d["reason"], d["actor"], d["witness"],
            date.fromisoformat(d["business_date"]),
        )  # fmt: skip


@dataclass(frozen=True)
class ReconciliationLine:
    holder: str
    kind: str
    opening: int
    received: int
    transferred_in: int
    transferred_out: int
    issued: int
    spoiled: int
    returned: int
    closing: int
    balanced: bool


@dataclass(frozen=True)
class Reconciliation:
    date: date
    branch_id: str
    lines: tuple[ReconciliationLine, ...]
    balanced: bool

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Reconciliation:
        fields = ReconciliationLine.__dataclass_fields__
        lines = tuple(ReconciliationLine(**{k: line[k] for k in fields}) for line in d["lines"])
        return cls(date.fromisoformat(d["date"]), d["branch_id"], lines, bool(d["balanced"]))
