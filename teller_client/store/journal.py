"""The action journal: an outside effect is written down before it happens, so a retry repeats it exactly once.

Use::

    entry = journal.begin("submit_application", subject=draft_id, actor="T0001", request={...})
    # send entry.idempotency_key with the call
    journal.complete(entry.idempotency_key, result={...})   # or journal.fail(...)

``begin`` returns the *same* pending entry (and key) when an earlier attempt
for the same kind and subject never finished, so a crash between the call
and its answer is resolved by asking again with the same key.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from teller_client.errors import StoreError
from teller_client.secret import secret_fields
from teller_client.store.database import Store
from teller_client.store.models import JournalEntry, utcnow

PENDING, DONE, FAILED, ABANDONED = "pending", "done", "failed", "abandoned"


@dataclass(frozen=True)
class JournalRecord:
    idempotency_key: str
    kind: str
    subject: str
    state: str
    attempts: int
    actor: str
    request: dict[str, Any]
    result: dict[str, Any] | None
    error_code: str | None
    created_at: datetime
    updated_at: datetime


def _record(e: JournalEntry) -> JournalRecord:
    return JournalRecord(
        e.idempotency_key,
        e.kind,
        e.subject,
        e.state,
        e.attempts,
        e.actor,
        json.loads(e.request),
        json.loads(e.result) if e.result is not None else None,
        e.error_code,
        e.created_at,
        e.updated_at,
    )


class Journal:
    def __init__(self, store: Store) -> None:
        self._store = store

    def begin(self, kind: str, *, subject: str, actor: str, request: dict[str, Any] | None = None) -> JournalRecord:
        """Record an attempt before the effect; reuses an unfinished entry of the same kind and subject.

        ``request`` is what the journal keeps of the call: never a secret. A field named like one
        (password, PIN, authorization code, token, ...) or holding a :class:`Secret` is refused.
        """
        leaked = secret_fields(request or {})
        if leaked:
            raise ValueError(f"the journal keeps no secrets; remove {leaked} from the {kind} request")
        for _ in range(2):  # a concurrent begin() may win the insert; then its entry is the one to reuse
            try:
                return self._begin(kind, subject, actor, request)
            except IntegrityError:
                continue
        raise StoreError(
            f"Cannot record {kind} for {subject} in the journal.",
            f"无法在操作日志中记录 {kind}（{subject}）。",
            code="journal_busy",
        )

    def _begin(self, kind: str, subject: str, actor: str, request: dict[str, Any] | None) -> JournalRecord:
        with self._store.session() as s:
            entry = s.scalars(
                select(JournalEntry).where(JournalEntry.kind == kind, JournalEntry.subject == subject, JournalEntry.state == PENDING)
            ).first()
            if entry is None:
                entry = JournalEntry(
                    idempotency_key=str(uuid.uuid4()),
                    kind=kind,
                    subject=subject,
                    actor=actor,
                    request=json.dumps(request or {}, ensure_ascii=False, sort_keys=True),
                    state=PENDING,
                    attempts=0,
                )
                s.add(entry)
            entry.attempts += 1
            entry.updated_at = utcnow()
            s.flush()
            return _record(entry)

    def _finish(self, key: str, state: str, result: dict[str, Any] | None, error_code: str | None) -> JournalRecord:
        with self._store.session() as s:
            entry = s.scalars(select(JournalEntry).where(JournalEntry.idempotency_key == key)).first()
            if entry is None:
                raise StoreError(f"No journal entry {key}.", f"日志中没有 {key}。", code="journal_entry_not_found")
            entry.state = state
            entry.result = json.dumps(result, ensure_ascii=False, sort_keys=True) if result is not None else None
            entry.error_code = error_code
            entry.updated_at = utcnow()
            s.flush()
            return _record(entry)

    def complete(self, key: str, result: dict[str, Any] | None = None) -> JournalRecord:
        return self._finish(key, DONE, result, None)

    def fail(self, key: str, error_code: str) -> JournalRecord:
        """A definite refusal: the effect did not happen; a new attempt gets a new key."""
        return self._finish(key, FAILED, None, error_code)

    def abandon(self, key: str) -> JournalRecord:
        return self._finish(key, ABANDONED, None, None)

    def get(self, key: str) -> JournalRecord | None:
        with self._store.session() as s:
            entry = s.scalars(select(JournalEntry).where(JournalEntry.idempotency_key == key)).first()
            return _record(entry) if entry else None

    def pending(self) -> list[JournalRecord]:
        """Unfinished actions, oldest first: what to resume after a crash."""
        with self._store.session() as s:
            rows = s.scalars(select(JournalEntry).where(JournalEntry.state == PENDING).order_by(JournalEntry.id))
            return [_record(e) for e in rows]

    def for_subject_prefix(self, prefix: str) -> list[JournalRecord]:
        """Entries whose subject starts with ``prefix`` (a letter's print rounds: ``<order>#0``, ``<order>#1``...)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._store.session() as s:
            rows = s.scalars(select(JournalEntry).where(JournalEntry.subject.like(escaped + "%", escape="\\")).order_by(JournalEntry.id))
            return [_record(e) for e in rows]

    def done_of_kind(self, kind: str) -> list[JournalRecord]:
        """Completed actions of one kind, oldest first."""
        with self._store.session() as s:
            rows = s.scalars(select(JournalEntry).where(JournalEntry.kind == kind, JournalEntry.state == DONE).order_by(JournalEntry.id))
            return [_record(e) for e in rows]

    def for_subject(self, subject: str) -> list[JournalRecord]:
        with self._store.session() as s:
            rows = s.scalars(select(JournalEntry).where(JournalEntry.subject == subject).order_by(JournalEntry.id))
            return [_record(e) for e in rows]
