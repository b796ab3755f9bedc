"""One central call with an outside effect, journaled before it is sent and sent with the journal's idempotency key.

A definite refusal (:class:`~teller_client.api.errors.ApiError`) fails the entry: nothing happened, and a new
attempt gets a new key. Any other failure (no answer) leaves the entry pending, so the next attempt sends the same
key and the service replays its answer instead of acting twice. The journal refuses secrets in ``request``;
``record`` says what of the answer to keep (never a secret either).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from teller_client.api.errors import ApiError
from teller_client.store.journal import Journal

T = TypeVar("T")


def journaled_call(
    journal: Journal,
    kind: str,
    *,
    subject: str,
    actor: str,
    request: dict[str, Any],
    call: Callable[[str], T],
    record: Callable[[T], dict[str, Any]],
) -> T:
    entry = journal.begin(kind, subject=subject, actor=actor, request=request)
    try:
        answer = call(entry.idempotency_key)
    except ApiError as exc:
        journal.fail(entry.idempotency_key, exc.code or "refused")
        raise
    journal.complete(entry.idempotency_key, record(answer))
    return answer
