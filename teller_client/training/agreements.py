"""Customers and their agreements, and what comes after signing.

Information changes go through the same checks and dual control as a new
signing (an application with ``request: "modify"`` linked to the agreement).
A certificate replacement is a new certificate order (the old certificate is
revoked when the new one is issued); a password reset a new letter order;
an unlock puts a locked user back to active. Closure is refused while the
agreement still has open orders (certificates to make, letters to print);
otherwise every certificate of the agreement is revoked and its users
closed.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from teller_client.domain.identifiers import validate_uscc
from teller_client.errors import InvalidIdentifierError
from teller_client.training import applications, audit, certificates, clock, letters
from teller_client.training.context import Context, Reply
from teller_client.training.db import (
    AgreementRow,
    AgreementUser,
    CertificateOrderRow,
    CertificateRow,
    CustomerAccount,
    CustomerRow,
    LetterOrderRow,
)
from teller_client.training.problems import ApiProblem, field_error, invalid_state, not_found

log = logging.getLogger(__name__)


def agreement_json(row: AgreementRow) -> dict[str, Any]:
    return {"agreement_no": row.agreement_no, "status": row.status, "channels": list(row.channels), "signed_on": row.signed_on.isoformat()}


def user_json(row: AgreementUser) -> dict[str, Any]:
    return {
        "user_no": row.user_no,
        "login_id": row.login_id,
        "name": row.name,
        "role": row.role,
        "credential": row.credential,
        "state": row.state,
        "certificate_serial": row.certificate_serial,
    }


# -- GET /customers -------------------------------------------------------------------------------


def customer(ctx: Context) -> Reply:
    raw = ctx.query.get("uscc", "")
    try:
        uscc = validate_uscc(raw)
    except InvalidIdentifierError as exc:
        raise ApiProblem(
            422,
            "validation_failed",
            "The USCC is not valid.",
            "统一社会信用代码有误。",
            [field_error("/uscc", exc.code, exc.message_en, exc.message_zh)],
        ) from None
    row = ctx.db.get(CustomerRow, uscc)
    if row is None or row.branch_id != ctx.user.branch_id:
        raise not_found(
            "customer_not_found", "The central service has no customer with this USCC.", "中心系统中没有该统一社会信用代码的客户。"
        )
    agreements = list(ctx.db.scalars(select(AgreementRow).where(AgreementRow.customer_uscc == uscc).order_by(AgreementRow.agreement_no)))
    numbers = [a.agreement_no for a in agreements]
    users = ctx.db.scalars(select(AgreementUser).where(AgreementUser.agreement_no.in_(numbers)).order_by(AgreementUser.user_no))
    accounts = ctx.db.scalars(select(CustomerAccount).where(CustomerAccount.customer_uscc == uscc).order_by(CustomerAccount.id))
    return Reply(
        200,
        {
            "uscc": row.uscc,
            "name": row.name,
            "kind": row.kind,
            "group_uscc": row.group_uscc,
            "customer_ebank_id": row.customer_ebank_id,
            "agreements": [agreement_json(a) for a in agreements],
            "users": [user_json(u) for u in users],
            "accounts": [
                {"number": a.number, "relation": a.relation, "type": a.type, "currency": a.currency, "rights": list(a.rights)}
                for a in accounts
            ],
        },
    )


# -- after-sales ----------------------------------------------------------------------------------


def _agreement(ctx: Context, *, active: bool = True) -> AgreementRow:
    row = ctx.db.get(AgreementRow, ctx.param("agreement_no"))
    if row is None or row.branch_id != ctx.user.branch_id:
        raise not_found("agreement_not_found", "No such agreement.", "没有该协议号。")
    if active and row.status != "active":
        raise invalid_state("The agreement is closed.", "该协议已注销。")
    return row


def _user(ctx: Context, agreement: AgreementRow, user_no: str) -> AgreementUser:
    row = ctx.db.get(AgreementUser, user_no)
    if row is None or row.agreement_no != agreement.agreement_no or row.state == "closed":
        raise ApiProblem(
            422,
            "user_not_found",
            f"The agreement has no user {user_no}.",
            f"该协议下没有用户 {user_no}。",
            [field_error("/user_no", "user_not_found", "No such user in this agreement.", "该协议下没有此用户。")],
        )
    return row


def change(ctx: Context) -> Reply:
    """``POST /agreements/{agreement_no}/changes``: an information change, through the approval flow."""
    ctx.user.require_teller()
    agreement = _agreement(ctx)
    body = ctx.body_dict()
    document = body.get("document")
    uscc = document.get("customer", {}).get("uscc") if isinstance(document, dict) else None
    if isinstance(uscc, str):
        try:
            same = validate_uscc(uscc) == agreement.customer_uscc
        except InvalidIdentifierError:
            same = True  # the document check names the malformed code
        if not same:
            raise ApiProblem(
                422,
                "rule_violated",
                "The document is for another customer than the agreement's.",
                "申请书的客户与协议的客户不一致。",
                [
                    field_error(
                        "/document/customer/uscc",
                        "customer_mismatch",
                        "Not the agreement's customer.",
                        "不是该协议的客户。",
                        severity="error",
                    )
                ],
            )
    row = applications.create_row(ctx, body, "modify", agreement.agreement_no)
    return Reply(201, applications.application_json(ctx, row))


def certificate_replacement(ctx: Context) -> Reply:
    """``POST /agreements/{agreement_no}/certificate-replacements``: a new certificate order for a user."""
    ctx.user.require_teller()
    agreement = _agreement(ctx)
    body = ctx.body_dict()
    user = _user(ctx, agreement, body["user_no"])
    if user.credential != "ukey":
        raise ApiProblem(
            422,
            "not_a_certificate_user",
            f"User {user.user_no} logs in with a password and has no certificate.",
            f"用户 {user.user_no} 为无证书用户，不能更换证书。",
            [field_error("/user_no", "not_a_certificate_user", "Not a certificate user.", "不是证书用户。")],
        )
    pending = ctx.db.scalar(
        select(CertificateOrderRow.reference_no).where(CertificateOrderRow.user_no == user.user_no, CertificateOrderRow.state == "pending")
    )
    if pending is not None:
        raise invalid_state(
            f"User {user.user_no} already has an open certificate order ({pending}).",
            f"用户 {user.user_no} 已有未完成的证书订单（{pending}）。",
        )
    order, code = certificates.create_order(
        ctx.db,
        ctx.business_date,
        agreement_no=agreement.agreement_no,
        user_no=user.user_no,
        key_type=body.get("key_type") or "rsa2048",
        premade=False,
        created_by=ctx.user.user_id,
        replaces_serial=user.certificate_serial,
    )
    audit.record(
        ctx, "certificate.replacement_ordered", f"certificate-order/{order.reference_no}", user_no=user.user_no, reason=body.get("reason")
    )
    return Reply(201, certificates.order_json(order, code))


def password_reset(ctx: Context) -> Reply:
    """``POST /agreements/{agreement_no}/password-resets``: a new letter order for a user."""
    ctx.user.require_teller()
    agreement = _agreement(ctx)
    body = ctx.body_dict()
    user = _user(ctx, agreement, body["user_no"])
    order = letters.create_order(
        ctx.db, ctx.business_date, agreement_no=agreement.agreement_no, user_no=user.user_no, maker=ctx.user.user_id
    )
    audit.record(ctx, "letter.reset_ordered", f"letter-order/{order.id}", user_no=user.user_no, reason=body.get("reason"))
    return Reply(201, letters.order_json(order))


def unlock(ctx: Context) -> Reply:
    """``POST /agreements/{agreement_no}/unlocks``: a locked user becomes active again."""
    ctx.user.require_teller()
    agreement = _agreement(ctx, active=False)  # a closed agreement's users are closed: 422 user_not_found
    body = ctx.body_dict()
    user = _user(ctx, agreement, body["user_no"])
    was = user.state
    user.state = "active"
    audit.record(ctx, "user.unlocked", f"agreement-user/{user.user_no}", previous_state=was, reason=body.get("reason"))
    return Reply(200, user_json(user))


def closure(ctx: Context) -> Reply:
    """``POST /agreements/{agreement_no}/closure``: close e-banking; revokes the agreement's certificates."""
    caller = ctx.user
    if not (caller.has("teller") or caller.has("supervisor")):
        caller.require_teller()
    agreement = _agreement(ctx)
    number = agreement.agreement_no
    open_certificates = list(
        ctx.db.scalars(
            select(CertificateOrderRow.reference_no).where(
                CertificateOrderRow.agreement_no == number, CertificateOrderRow.state == "pending"
            )
        )
    )
    open_letters = list(
        ctx.db.scalars(
            select(LetterOrderRow.id).where(LetterOrderRow.agreement_no == number, LetterOrderRow.state.in_(letters.OPEN_STATES))
        )
    )
    if open_certificates or open_letters:
        errors = [
            field_error("", "open_certificate_order", f"Certificate order {r} is still open.", f"证书订单 {r} 尚未完成。")
            for r in open_certificates
        ] + [field_error("", "open_letter_order", f"Letter order {i} is still open.", f"密码信函 {i} 尚未完成。") for i in open_letters]
        raise ApiProblem(
            409,
            "open_obligations",
            "Certificate or letter orders of this agreement are still open; finish them first.",
            "尚有未完成的证书或密码信函，不能注销。",
            errors,
        )
    now = clock.now()
    revoked = []
    for cert in ctx.db.scalars(
        select(CertificateRow)
        .where(CertificateRow.agreement_no == number, CertificateRow.state == "active")
        .order_by(CertificateRow.serial_hex)
    ):
        cert.state, cert.revoked_at = "revoked", now
        revoked.append(cert.serial_hex)
    for order in ctx.db.scalars(
        select(CertificateOrderRow).where(CertificateOrderRow.agreement_no == number, CertificateOrderRow.state == "expired")
    ):
        order.state = "cancelled"
    for user in ctx.db.scalars(select(AgreementUser).where(AgreementUser.agreement_no == number)):
        user.state = "closed"
        user.certificate_serial = None
    agreement.status = "closed"
    agreement.closed_on = ctx.business_date
    reason = ctx.body_dict().get("reason")
    audit.record(ctx, "agreement.closed", f"agreement/{number}", revoked_certificates=revoked, reason=reason)
    return Reply(200, {"agreement_no": number, "status": "closed", "revoked_certificates": revoked})
