"""Password letters: an initial login password released once, printed on a pre-numbered letter, confirmed.

The life of a letter order::

    pending --release--> released --confirmation--> printed | spoiled
    released | printed | spoiled --reprint (supervisor)--> reprint_allowed --release--> released ...
    pending | released | reprint_allowed --end of day--> expired

The password is generated here (ten characters without look-alikes), shown
in the release answer only, and stored as a salted hash until it expires at
the end of the business date, is spoiled or a reprint voids it. A second
release of the same order is refused, so the secret is never shown twice
(a replay of the first release with the same idempotency key shows null).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teller_client.training import audit, clock, stock
from teller_client.training.context import Context, Reply
from teller_client.training.db import AgreementRow, AgreementUser, LetterOrderRow, StockItem, next_number
from teller_client.training.hashing import hash_secret, new_initial_password
from teller_client.training.problems import ApiProblem, field_error, invalid_state, not_found, reason_required

log = logging.getLogger(__name__)

RELEASED_STATES = ("released", "printed", "spoiled")
OPEN_STATES = ("pending", "released", "reprint_allowed")


def create_order(
    session: Session, business_date: date, *, agreement_no: str, user_no: str, maker: str, application_id: str | None = None
) -> LetterOrderRow:
    row = LetterOrderRow(
        id=f"LO{business_date:%Y%m%d}{next_number(session, 'letter_order'):06d}",
        agreement_no=agreement_no,
        user_no=user_no,
        application_id=application_id,
        maker=maker,
        state="pending",
        ordered_on=business_date,
        created_at=clock.now(),
    )
    session.add(row)
    return row


def order_json(row: LetterOrderRow) -> dict[str, Any]:
    return {"letter_order_id": row.id, "user_no": row.user_no, "state": row.state, "letter_serial": row.letter_serial}


def _order(ctx: Context) -> LetterOrderRow:
    row = ctx.db.get(LetterOrderRow, ctx.param("id"))
    agreement = ctx.db.get(AgreementRow, row.agreement_no) if row else None
    if row is None or agreement is None or agreement.branch_id != ctx.user.branch_id:
        raise not_found("letter_order_not_found", "No such letter order.", "没有该密码信函订单。")
    return row


def _serial_not_held(serial: str, why_en: str, why_zh: str) -> ApiProblem:
    return ApiProblem(409, "serial_not_held", why_en, why_zh, [field_error("/letter_serial", "serial_not_held", why_en, why_zh)])


def release(ctx: Context) -> Reply:
    """``POST /letter-orders/{id}/release``: the initial password, this once."""
    row = _order(ctx)
    if row.state in RELEASED_STATES:
        raise ApiProblem(
            409,
            "already_released",
            "This letter's password was already released; a reprint needs a supervisor.",
            "该密码信函已打印过，不能再次获取密码；如需重打请主管授权。",
        )
    if row.state == "expired" or row.ordered_on < ctx.business_date:
        raise ApiProblem(
            410,
            "letter_order_expired",
            "The letter order has expired (nothing lives overnight); order a password reset.",
            "密码信函已过期（不隔夜），请重新申请密码重置。",
        )
    body = ctx.body_dict()
    serial: str = body["letter_serial"]
    caller = ctx.user
    if stock.held(ctx.db, serial, "letter", caller.user_id) is None:
        raise _serial_not_held(serial, f"Letter {serial} is not in your drawer.", f"信函 {serial} 不在您的尾箱中。")
    busy = ctx.db.scalar(select(LetterOrderRow.id).where(LetterOrderRow.letter_serial == serial, LetterOrderRow.state == "released"))
    if busy is not None:
        raise _serial_not_held(
            serial, f"Letter {serial} already carries another password (not yet confirmed).", f"信函 {serial} 已用于另一份密码，尚未确认。"
        )
    user = ctx.db.get(AgreementUser, row.user_no)
    assert user is not None
    password = new_initial_password()
    expires = clock.end_of_business_date(ctx.business_date)
    row.state = "released"
    row.letter_serial = serial
    row.password_hash = hash_secret(password)
    row.password_expires_at = expires
    row.released_by = caller.user_id
    row.printer_id = str(body["printer_id"])
    audit.record(ctx, "letter.released", f"letter-order/{row.id}", letter_serial=serial, printer_id=row.printer_id)
    return Reply(
        201,
        {
            "letter_order_id": row.id,
            "letter_serial": serial,
            "login_id": user.login_id,
            "initial_password": password,
            "password_expires_at": clock.stamp(expires),
        },
    )


def confirmation(ctx: Context) -> Reply:
    """``POST /letter-orders/{id}/confirmation``: the letter was printed, or spoiled."""
    row = _order(ctx)
    if row.state != "released":
        raise invalid_state("Only a released letter can be confirmed.", "只有已获取密码的信函才能确认打印结果。")
    body = ctx.body_dict()
    serial: str = body["letter_serial"]
    outcome: str = body["outcome"]
    if serial != row.letter_serial:
        raise ApiProblem(
            409,
            "serial_mismatch",
            "The letter serial differs from the one the password was released for.",
            "信函编号与获取密码时的编号不一致。",
            [field_error("/letter_serial", "serial_mismatch", "Not the letter the password was released for.", "不是获取密码时的信函。")],
        )
    item = stock.held(ctx.db, serial, "letter", ctx.user.user_id)
    if item is None:
        raise _serial_not_held(serial, f"Letter {serial} is not in your drawer.", f"信函 {serial} 不在您的尾箱中。")
    if outcome == "printed":
        row.state = "printed"
        stock.consume(ctx.db, ctx.business_date, item, "issued")
    else:
        row.state = "spoiled"
        row.password_hash = None  # the password went onto a spoiled sheet: void
        stock.consume(ctx.db, ctx.business_date, item, "spoiled")
    audit.record(ctx, f"letter.{row.state}", f"letter-order/{row.id}", letter_serial=serial)
    return Reply(200, order_json(row))


def reprint(ctx: Context) -> Reply:
    """``POST /letter-orders/{id}/reprint``: a supervisor voids the password and allows one new release."""
    caller = ctx.user
    caller.require_supervisor()
    row = _order(ctx)
    if caller.user_id in (row.maker, row.released_by):
        raise ApiProblem(
            403,
            "maker_cannot_approve",
            "The maker of the application, or the teller who printed the letter, cannot allow its reprint (dual control).",
            "经办人或打印信函的柜员不能授权重打（双人交叉审核）。",
        )
    if row.state not in RELEASED_STATES:
        raise invalid_state("Only a released, printed or spoiled letter can be reprinted.", "只有已获取密码、已打印或作废的信函才能重打。")
    reason = ctx.body_dict().get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise reason_required()
    if row.state == "released" and row.letter_serial:
        # Released but never confirmed: that sheet carries a password that is now void.
        item = ctx.db.get(StockItem, row.letter_serial)
        if item is not None and item.state == "in_stock":
            stock.consume(ctx.db, ctx.business_date, item, "spoiled")
    old_serial = row.letter_serial
    row.state = "reprint_allowed"
    row.password_hash = None
    row.password_expires_at = None
    row.letter_serial = None
    row.released_by = None
    row.ordered_on = ctx.business_date
    audit.record(ctx, "letter.reprint_allowed", f"letter-order/{row.id}", old_letter_serial=old_serial, reason=reason.strip())
    return Reply(200, order_json(row))
