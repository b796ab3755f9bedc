"""Drafts: every version of an application being entered, so nothing typed is lost."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from teller_client.domain.document import canonical_json
from teller_client.errors import StoreError
from teller_client.store.database import Store
from teller_client.store.models import Draft, DraftVersion, utcnow

SOURCES = ("eform", "paper", "existing")
OPEN_STATUSES = ("editing", "pending_approval", "returned", "approved", "submitted")
"""Drafts the start page lists to resume; ``completed`` and ``rejected`` ones are done."""
STATUSES = (*OPEN_STATUSES, "completed", "rejected")


@dataclass(frozen=True)
class DraftSummary:
    id: str
    source: str
    form_id: str | None
    verified: bool
    title: str
    status: str
    created_by: str
    updated_at: datetime
    version: int
    step: str | None


@dataclass(frozen=True)
class SavedVersion:
    draft_id: str
    version: int
    saved_at: datetime
    saved_by: str
    step: str | None
    document: dict[str, Any]
    snapshot_hash: str


def _summary(d: Draft, step: str | None) -> DraftSummary:
    return DraftSummary(d.id, d.source, d.form_id, d.verified, d.title, d.status, d.created_by, d.updated_at, d.current_version, step)


def _version(v: DraftVersion) -> SavedVersion:
    return SavedVersion(v.draft_id, v.version, v.saved_at, v.saved_by, v.step, json.loads(v.document), v.snapshot_hash)


def _get(s: Any, draft_id: str) -> Draft:
    draft = s.get(Draft, draft_id)
    if draft is None:
        raise StoreError(f"No draft {draft_id}.", f"没有编号为 {draft_id} 的草稿。", code="draft_not_found")
    assert isinstance(draft, Draft)
    return draft


class DraftRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, *, source: str, created_by: str, form_id: str | None = None, verified: bool = False, title: str = "") -> str:
        if source not in SOURCES:
            raise ValueError(f"unknown draft source {source!r}")
        draft_id = str(uuid.uuid4())
        with self._store.session() as s:
            s.add(Draft(id=draft_id, source=source, form_id=form_id, verified=verified, title=title[:200], created_by=created_by))
        return draft_id

    def save(self, draft_id: str, document: dict[str, Any], *, saved_by: str, step: str | None = None, title: str | None = None) -> int:
        """Store ``document`` as the next version; an unchanged document (same hash) keeps the current version."""
        body = canonical_json(document)
        digest = hashlib.sha256(body).hexdigest()
        with self._store.session() as s:
            draft = _get(s, draft_id)
            latest = s.get(DraftVersion, (draft_id, draft.current_version)) if draft.current_version else None
            if latest is not None and latest.snapshot_hash == digest and latest.step == step:
                return draft.current_version
            draft.current_version += 1
            draft.updated_at = utcnow()
            if title is not None:
                draft.title = title[:200]
            s.add(
                DraftVersion(
                    draft_id=draft_id,
                    version=draft.current_version,
                    saved_by=saved_by,
                    step=step,
                    document=body.decode("utf-8"),
                    snapshot_hash=digest,
                )
            )
            return draft.current_version

    def set_status(self, draft_id: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown draft status {status!r}")
        with self._store.session() as s:
            draft = _get(s, draft_id)
            draft.status = status
            draft.updated_at = utcnow()

    def wizard(self, draft_id: str) -> tuple[dict[str, Any], str | None]:
        """Where the wizard stood (its JSON) and the central application id."""
        with self._store.session() as s:
            draft = _get(s, draft_id)
            state: dict[str, Any] = json.loads(draft.wizard or "{}")
            return state, draft.application_id

    def set_wizard(self, draft_id: str, state: dict[str, Any], *, application_id: str | None = None, status: str | None = None) -> None:
        """Remember where the wizard stands (plain data, never a secret); also the central id and status once known."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown draft status {status!r}")
        with self._store.session() as s:
            draft = _get(s, draft_id)
            draft.wizard = json.dumps(state, sort_keys=True, ensure_ascii=False)
            if application_id is not None:
                draft.application_id = application_id
            if status is not None and draft.status != status:
                draft.status = status
                draft.updated_at = utcnow()

    def summary(self, draft_id: str) -> DraftSummary:
        with self._store.session() as s:
            draft = _get(s, draft_id)
            v = s.get(DraftVersion, (draft.id, draft.current_version)) if draft.current_version else None
            return _summary(draft, v.step if v else None)

    def latest(self, draft_id: str) -> SavedVersion | None:
        with self._store.session() as s:
            draft = s.get(Draft, draft_id)
            if draft is None or not draft.current_version:
                return None
            version = s.get(DraftVersion, (draft_id, draft.current_version))
            return _version(version) if version is not None else None

    def history(self, draft_id: str) -> list[SavedVersion]:
        with self._store.session() as s:
            rows = s.scalars(select(DraftVersion).where(DraftVersion.draft_id == draft_id).order_by(DraftVersion.version))
            return [_version(v) for v in rows]

    def open_drafts(self, created_by: str | None = None) -> list[DraftSummary]:
        """Drafts still being worked on, newest first (the "resume a draft" list)."""
        with self._store.session() as s:
            query = (
                select(Draft).where(Draft.status.in_(OPEN_STATUSES)).order_by(Draft.updated_at.desc(), Draft.created_at.desc(), Draft.id)
            )
            if created_by is not None:
                query = query.where(Draft.created_by == created_by)
            out = []
            for d in s.scalars(query):
                v = s.get(DraftVersion, (d.id, d.current_version)) if d.current_version else None
                out.append(_summary(d, v.step if v else None))
            return out
