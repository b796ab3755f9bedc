"""The service's audit log: every change with time, user, workstation, action, target and idempotency key.

The ``detail`` of an entry is checked with
:func:`teller_client.secret.secret_fields` before it is written: a field
named like a secret (password, authorization code, token) is a programming
error here, so it raises instead of being stored.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from teller_client.secret import secret_fields
from teller_client.training import clock
from teller_client.training.context import Caller, Context
from teller_client.training.db import AuditEntry

log = logging.getLogger(__name__)


def record(ctx: Context, action: str, target: str, **detail: Any) -> None:
    """Write one audit entry for the caller of ``ctx`` in the current transaction."""
    write(ctx.db, ctx.business_date, ctx.caller, action, target, ctx.idempotency_key, detail)


def write(
    session: Session,
    business_date: date,
    caller: Caller | None,
    action: str,
    target: str,
    idempotency_key: str | None,
    detail: dict[str, Any],
    *,
    user_id: str | None = None,
    workstation_id: str | None = None,
) -> None:
    leaked = secret_fields(detail)
    if leaked:
        raise ValueError(f"audit detail for {action} names secret fields {leaked}")
    session.add(
        AuditEntry(
            at=clock.now(),
            business_date=business_date,
            user_id=caller.user_id if caller else user_id,
            workstation_id=caller.workstation_id if caller else workstation_id,
            action=action,
            target=target,
            idempotency_key=idempotency_key,
            detail=detail,
        )
    )
    log.info("audit %s %s by %s", action, target, caller.user_id if caller else user_id or "-")
