"""SQLAlchemy models of the local store: drafts, the action journal, settings.

The schema is created and changed only by the Alembic revisions in
``migrations/``; a test compares these models with the migrated database.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, MetaData, String, Text, TypeDecorator, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as naive UTC (SQLite has no time zones) and read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Draft(Base):
    """An application being entered at the counter; every save adds a :class:`DraftVersion`."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    """``eform``, ``paper`` or ``existing`` (as the central API's ``source``)."""
    form_id: Mapped[str | None] = mapped_column(String(32))
    verified: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="editing")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    application_id: Mapped[str | None] = mapped_column(String(64))
    """The central application once the draft was sent for approval."""
    wizard: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    """Where the signing wizard stands (JSON: page, confirmed warnings, approval, submission); never a secret."""

    versions: Mapped[list[DraftVersion]] = relationship(
        back_populates="draft", order_by="DraftVersion.version", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_drafts_status_updated", "status", "updated_at"),)


class DraftVersion(Base):
    __tablename__ = "draft_versions"

    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    saved_by: Mapped[str] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    """The wizard step the teller was on, to resume there."""
    document: Mapped[str] = mapped_column(Text)
    """The ``eform/1`` document as canonical JSON."""
    snapshot_hash: Mapped[str] = mapped_column(String(64))

    draft: Mapped[Draft] = relationship(back_populates="versions")


class JournalEntry(Base):
    """One action with an outside effect, written *before* the effect happens.

    ``idempotency_key`` is sent with the call (``Idempotency-Key``), so a retry
    after a crash repeats the same request and the effect happens once.
    ``request`` and ``result`` hold JSON without secrets.
    """

    __tablename__ = "journal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(32))
    request: Mapped[str] = mapped_column(Text, default="{}")
    result: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_journal_kind_subject_state", "kind", "subject", "state"),
        # At most one unfinished attempt per action: two windows (or processes) cannot both start it.
        Index("uq_journal_pending_action", "kind", "subject", unique=True, sqlite_where=text("state = 'pending'")),
    )


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    """JSON."""
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
