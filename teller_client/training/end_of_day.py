"""End of the business day: nothing lives overnight.

Moving the business date forward (``POST /training/clock``, or a start on a
later calendar day) closes the old day first:

* certificate authorizations not used yet expire (a supervisor renews them
  with a reauthorization);
* initial passwords expire and their hashes are removed (nobody logs in to
  a training e-bank, so every password is still unused at the end of its
  day; a printed letter keeps its state ``printed``);
* letter orders not yet released, or released but not confirmed, expire
  (the customer needs a password reset);
* idempotency records are purged: a key lives one business date.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teller_client.training import audit, idempotency
from teller_client.training.context import Context, Reply
from teller_client.training.db import CertificateOrderRow, LetterOrderRow, set_meta
from teller_client.training.problems import ApiProblem, field_error

log = logging.getLogger(__name__)


def close_day(session: Session, new_date: date) -> dict[str, int]:
    """Expire what belongs to earlier business dates and move the date to ``new_date``; the counts of what expired."""
    authorizations = passwords = letter_orders = 0
    for order in session.scalars(select(CertificateOrderRow).where(CertificateOrderRow.state == "pending")):
        order.state = "expired"
        order.code_hash = None
        authorizations += 1
    for letter in session.scalars(
        select(LetterOrderRow).where(LetterOrderRow.state.in_(("pending", "released", "reprint_allowed", "printed")))
    ):
        if letter.password_hash is not None:
            letter.password_hash = None
            passwords += 1
        if letter.state != "printed":
            letter.state = "expired"
            letter_orders += 1
    purged = idempotency.purge(session)
    set_meta(session, "business_date", new_date.isoformat())
    log.info(
        "End of day: business date now %s; %d authorizations, %d passwords, %d letter orders expired; %d idempotency records purged",
        new_date,
        authorizations,
        passwords,
        letter_orders,
        purged,
    )
    return {"authorizations": authorizations, "passwords": passwords, "letter_orders": letter_orders}


def move_clock(ctx: Context) -> Reply:
    """``POST /training/clock``: any logged-in user moves the training business date forward."""
    new_date = date.fromisoformat(ctx.body_dict()["business_date"])
    if new_date <= ctx.business_date:
        raise ApiProblem(
            422,
            "date_not_after",
            f"The new business date must be after {ctx.business_date.isoformat()}.",
            f"新的营业日期必须晚于 {ctx.business_date.isoformat()}。",
            [field_error("/business_date", "date_not_after", "Not after the current business date.", "不晚于当前营业日期。")],
        )
    old = ctx.business_date
    expired: dict[str, Any] = close_day(ctx.db, new_date)
    ctx.business_date = new_date
    audit.record(ctx, "training.clock", "business-date", previous=old.isoformat(), new=new_date.isoformat(), expired=expired)
    return Reply(200, {"business_date": new_date.isoformat(), "expired": expired})
