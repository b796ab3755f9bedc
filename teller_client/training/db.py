"""The training service's database: SQLAlchemy 2 models in ``<data>/central.sqlite``.

This is a disposable practice database, not the client's local store: it is
created with ``create_all`` on first start and needs no Alembic migrations
(delete the data folder to start afresh; a later release may change it at
will). It has its own :class:`TrainingBase`, so it never mixes with the
client's models.

SQLite in WAL mode, so that readers (GET) run beside the one writer. The
service serialises every write transaction with one lock
(:attr:`Database.write_lock`) and keeps the response of an idempotent POST in
the same transaction as its effect. No column holds a secret in clear: staff
passwords, initial passwords and authorization codes are salted scrypt
hashes (:mod:`.hashing`), session tokens SHA-256 digests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, create_engine, event, select
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from teller_client.training.clock import CHINA

DB_FILE = "central.sqlite"


class AwareDateTime(TypeDecorator[datetime]):
    """An aware datetime kept as ISO 8601 text in +08:00 (sortable as text, offset kept)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the training database")
        return value.astimezone(CHINA).isoformat(timespec="microseconds")

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


class TrainingBase(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: AwareDateTime,
        date: Date,
        dict[str, Any]: JSON,
        list[Any]: JSON,
        list[str]: JSON,
    }


class Meta(TrainingBase):
    """Small service state: the business date, counters, the seed mark."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Staff(TrainingBase):
    """A bank employee who logs in (teller, supervisor, ...)."""

    __tablename__ = "staff"
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]]
    branch_id: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))


class StaffSession(TrainingBase):
    """A live login; the token itself is never stored, only its SHA-256."""

    __tablename__ = "sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("staff.user_id"), index=True)
    workstation_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class CustomerRow(TrainingBase):
    __tablename__ = "customers"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    group_uscc: Mapped[str | None] = mapped_column(String(18))
    customer_ebank_id: Mapped[str | None] = mapped_column(String(16))
    branch_id: Mapped[str] = mapped_column(String(16))


class CustomerAccount(TrainingBase):
    __tablename__ = "customer_accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_uscc: Mapped[str] = mapped_column(ForeignKey("customers.uscc"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    relation: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    rights: Mapped[list[str]]


class AgreementRow(TrainingBase):
    """A customer's e-channel agreement (what a submission signs)."""

    __tablename__ = "agreements"
    agreement_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_uscc: Mapped[str] = mapped_column(ForeignKey("customers.uscc"), index=True)
    branch_id: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    channels: Mapped[list[str]]
    signed_on: Mapped[date]
    closed_on: Mapped[date | None]
    application_id: Mapped[str | None] = mapped_column(String(32))


class AgreementUser(TrainingBase):
    """An operator of the company on the e-channels."""

    __tablename__ = "agreement_users"
    user_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    agreement_no: Mapped[str] = mapped_column(ForeignKey("agreements.agreement_no"), index=True)
    login_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    id_type: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    credential: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    certificate_serial: Mapped[str | None] = mapped_column(String(64))


class ApplicationRow(TrainingBase):
    __tablename__ = "applications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(16))
    form_id: Mapped[str] = mapped_column(String(32))
    verified: Mapped[bool] = mapped_column(Boolean)
    maker: Mapped[str] = mapped_column(String(32))
    branch_id: Mapped[str] = mapped_column(String(16))
    agreement_no: Mapped[str | None] = mapped_column(String(32))
    customer_name: Mapped[str] = mapped_column(String(100))
    uscc: Mapped[str] = mapped_column(String(18))
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]
    """The normalised ``eform/1`` document the hash is taken of."""
    fees: Mapped[dict[str, Any]]
    """The fee quote: lines, total, waiver_requested, waiver_reason (the decision is a column)."""
    warnings: Mapped[list[Any]]
    fee_waiver_approved: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HistoryRow(TrainingBase):
    __tablename__ = "application_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    workstation_id: Mapped[str | None] = mapped_column(String(64))


class CertificateOrderRow(TrainingBase):
    """A certificate to make (``issue``) or a pre-made one to bind (``binding``) for one user."""

    __tablename__ = "certificate_orders"
    reference_no: Mapped[str] = mapped_column(String(10), primary_key=True)
    agreement_no: Mapped[str] = mapped_column(ForeignKey("agreements.agreement_no"), index=True)
    user_no: Mapped[str] = mapped_column(ForeignKey("agreement_users.user_no"), index=True)
    application_id: Mapped[str | None] = mapped_column(String(32))
    key_type: Mapped[str] = mapped_column(String(16))
    premade: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16))
    """pending, issued, expired, cancelled."""
    code_hash: Mapped[str | None] = mapped_column(String(200))
    code_business_date: Mapped[date]
    code_expires_at: Mapped[datetime]
    token_serial: Mapped[str | None] = mapped_column(String(32))
    certificate_serial: Mapped[str | None] = mapped_column(String(64))
    public_key_sha256: Mapped[str | None] = mapped_column(String(64))
    certificate_pem: Mapped[str | None] = mapped_column(Text)
    not_after: Mapped[datetime | None]
    replaces_serial: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class CertificateRow(TrainingBase):
    """A certificate in force for a user, or revoked."""

    __tablename__ = "certificates"
    serial_hex: Mapped[str] = mapped_column(String(64), primary_key=True)
    agreement_no: Mapped[str] = mapped_column(String(32), index=True)
    user_no: Mapped[str] = mapped_column(String(32))
    reference_no: Mapped[str | None] = mapped_column(String(10))
    token_serial: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    """active, revoked."""
    not_after: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LetterOrderRow(TrainingBase):
    """An initial login password to print on a pre-numbered letter."""

    __tablename__ = "letter_orders"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agreement_no: Mapped[str] = mapped_column(ForeignKey("agreements.agreement_no"), index=True)
    user_no: Mapped[str] = mapped_column(ForeignKey("agreement_users.user_no"))
    application_id: Mapped[str | None] = mapped_column(String(32))
    maker: Mapped[str] = mapped_column(String(32))
    """The maker of the application (or whoever ordered the reset): never the one who allows a reprint."""
    state: Mapped[str] = mapped_column(String(16))
    """pending, released, printed, spoiled, reprint_allowed, expired, cancelled."""
    letter_serial: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_expires_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(32))
    printer_id: Mapped[str | None] = mapped_column(String(64))
    ordered_on: Mapped[date]
    """The business date the order (or its reprint permission) belongs to."""
    created_at: Mapped[datetime]


class StockItem(TrainingBase):
    """A UKey or a pre-numbered letter in the branch's custody."""

    __tablename__ = "stock_items"
    serial: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    branch_id: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(16))
    premade: Mapped[bool] = mapped_column(Boolean, default=False)
    key_type: Mapped[str | None] = mapped_column(String(16))
    certificate_serial: Mapped[str | None] = mapped_column(String(64))
    certificate_pem: Mapped[str | None] = mapped_column(Text)
    certificate_not_after: Mapped[datetime | None]


class StockEvent(TrainingBase):
    """One line of the stock ledger: what happened to one serial at one holder on one business date."""

    __tablename__ = "stock_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    branch_id: Mapped[str] = mapped_column(String(16))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    serial: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(16))
    """received, transfer_in, transfer_out, issued, spoiled, returned."""
    movement_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]


class MovementRow(TrainingBase):
    __tablename__ = "stock_movements"
    movement_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    serials: Mapped[list[str]]
    from_holder: Mapped[str] = mapped_column(String(32))
    to_holder: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(32))
    witness: Mapped[str] = mapped_column(String(32))
    business_date: Mapped[date]
    at: Mapped[datetime]


class IdempotencyRecord(TrainingBase):
    """The first response to a POST, replayed for the same key and body; secrets are nulled before storing."""

    __tablename__ = "idempotency_records"
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(36), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(200))
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class AuditEntry(TrainingBase):
    """Who did what, when, from which workstation, with which idempotency key. Never a secret."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    business_date: Mapped[date]
    user_id: Mapped[str | None] = mapped_column(String(32))
    workstation_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any]]


def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN, so that reads are inside the transaction too (pysqlite's
    # own handling starts a transaction only before the first write).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
    finally:
        cursor.close()


class Database:
    """The engine, a session factory and the lock that serialises writers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", _on_connect)
        event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        TrainingBase.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_lock = threading.Lock()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads (no lock; WAL gives it a consistent snapshot)."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without an exception, under the write lock."""
        with self.write_lock, self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return None if row is None else row.value


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def next_number(session: Session, counter: str) -> int:
    """The next value of a named counter (1, 2, ...); safe because writers are serialised."""
    value = int(get_meta(session, f"counter:{counter}") or "0") + 1
    set_meta(session, f"counter:{counter}", str(value))
    return value


def business_date(session: Session) -> date:
    value = get_meta(session, "business_date")
    if value is None:
        raise RuntimeError("the training database has no business date (not seeded)")
    return date.fromisoformat(value)


def staff_ids(session: Session, branch_id: str) -> set[str]:
    return set(session.scalars(select(Staff.user_id).where(Staff.branch_id == branch_id)))
