"""``Idempotency-Key``: the same POST with the same key has its effect once.

A record is keyed by (user, key) and remembers the method, the path, the
SHA-256 of the body's canonical JSON and the first successful response. The
dispatcher writes it in the same transaction as the effect, so a crash
between the two cannot double an effect: either both are in the database or
neither is. Refusals (4xx) are not recorded: nothing happened, and the same
request may be tried again once the obstacle is gone.

A stored response never holds a secret: every ``authorization_code`` and
``initial_password`` in it is set to null first, so a replay shows null
there, as the contract says (the client then asks for a reauthorization or a
reprint).
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from teller_client.domain.document import canonical_json
from teller_client.training import clock
from teller_client.training.context import Reply
from teller_client.training.db import IdempotencyRecord
from teller_client.training.problems import ApiProblem

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
SECRET_RESPONSE_FIELDS = frozenset({"authorization_code", "initial_password"})


def require_key(value: str | None) -> str:
    """The request's key, normalised; 400 when it is missing or not a UUID."""
    if value is None or not value.strip():
        raise ApiProblem(
            400,
            "idempotency_key_required",
            "This request needs an Idempotency-Key header (a UUID made by the client).",
            "请求缺少幂等键（Idempotency-Key，程序故障）。",
        )
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise ApiProblem(
            400,
            "idempotency_key_invalid",
            "The Idempotency-Key header must be a UUID.",
            "幂等键必须是 UUID（程序故障）。",
        ) from None


def body_digest(body: Any) -> str:
    """SHA-256 hex of the canonical JSON of a body (``None`` for an absent one)."""
    return hashlib.sha256(canonical_json(body)).hexdigest()


def scrub(body: Any) -> Any:
    """A deep copy of ``body`` with every secret field set to null."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (None if k in SECRET_RESPONSE_FIELDS else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(copy.deepcopy(body))


def replay(session: Session, user_id: str, key: str, method: str, path: str, digest: str) -> Reply | None:
    """The stored reply for this key (a replay), ``None`` for a new key, 422 for a key used for something else."""
    record = session.get(IdempotencyRecord, (user_id, key))
    if record is None:
        return None
    if record.method != method or record.path != path or record.body_sha256 != digest:
        raise ApiProblem(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request.",
            "同一操作编号被用于不同的内容，已拒绝（程序故障）。",
            [
                {
                    "field": "",
                    "code": "idempotency_key_reused",
                    "message": "The key was first used for another body or path.",
                    "message_zh": "该幂等键已用于其他请求。",
                }
            ],
        )
    body = record.response.get("body")
    return Reply(record.status, body, {REPLAYED_HEADER: "true"})


def remember(session: Session, user_id: str, key: str, method: str, path: str, digest: str, reply: Reply) -> None:
    """Keep ``reply`` (secrets nulled) for later replays, in the caller's transaction."""
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            method=method,
            path=path,
            body_sha256=digest,
            status=reply.status,
            response={"body": scrub(reply.body)},
            created_at=clock.now(),
        )
    )


def purge(session: Session) -> int:
    """Forget every record (end of day: a key lives one business date)."""
    result = session.execute(delete(IdempotencyRecord))
    return int(getattr(result, "rowcount", 0) or 0)
