"""Certificate orders: making a certificate on a blank UKey (issue), binding a pre-made one, reauthorization.

An order is one user's certificate, identified by a 10-digit reference number
and unlocked by an authorization code ("两码"). The code is random, shown
once (in the submission, a replacement or a reauthorization), stored only as
a salted hash, and lives until the end of the business date it was made on:
the next business date it is expired and a supervisor must renew it.

The certificate's subject always comes from the order (CN = the user's name,
O = the customer's name, serialNumber = the user number), whatever the
request says. The same request again returns the same certificate; another
key for a fulfilled order is refused. A replacement order revokes the user's
old certificate when the new one is issued.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from teller_client.training import audit, clock, stock
from teller_client.training.ca import CsrInvalidError
from teller_client.training.context import Context, Reply
from teller_client.training.db import (
    AgreementRow,
    AgreementUser,
    CertificateOrderRow,
    CertificateRow,
    CustomerRow,
)
from teller_client.training.hashing import hash_secret, new_authorization_code, verify_secret
from teller_client.training.problems import ApiProblem, field_error, invalid_state, not_found

log = logging.getLogger(__name__)


def new_reference_no(session: Session) -> str:
    """A fresh random 10-digit reference number (never starting with 0)."""
    while True:
        candidate = str(secrets.randbelow(9 * 10**9) + 10**9)
        if session.get(CertificateOrderRow, candidate) is None:
            return candidate


def create_order(
    session: Session,
    business_date: date,
    *,
    agreement_no: str,
    user_no: str,
    key_type: str,
    premade: bool,
    created_by: str,
    application_id: str | None = None,
    replaces_serial: str | None = None,
) -> tuple[CertificateOrderRow, str]:
    """A new order and its authorization code (the only time the code exists in clear)."""
    code = new_authorization_code()
    row = CertificateOrderRow(
        reference_no=new_reference_no(session),
        agreement_no=agreement_no,
        user_no=user_no,
        application_id=application_id,
        key_type=key_type,
        premade=premade,
        state="pending",
        code_hash=hash_secret(code),
        code_business_date=business_date,
        code_expires_at=clock.end_of_business_date(business_date),
        replaces_serial=replaces_serial,
        created_by=created_by,
        created_at=clock.now(),
    )
    session.add(row)
    return row, code


def order_json(row: CertificateOrderRow, code: str | None) -> dict[str, Any]:
    """Schema ``CertificateOrder``; ``code`` is the clear code right after it was made, else ``None``."""
    return {
        "reference_no": row.reference_no,
        "authorization_code": code,
        "user_no": row.user_no,
        "key_type": row.key_type,
        "expires_at": clock.stamp(row.code_expires_at),
        "premade": row.premade,
    }


def _result_json(ctx: Context, row: CertificateOrderRow) -> dict[str, Any]:
    assert row.certificate_pem and row.certificate_serial and row.token_serial and row.not_after
    return {
        "reference_no": row.reference_no,
        "certificate": row.certificate_pem,
        "chain": ctx.services.ca.chain(),
        "certificate_serial": row.certificate_serial,
        "token_serial": row.token_serial,
        "not_after": clock.stamp(row.not_after),
    }


def _order(ctx: Context) -> CertificateOrderRow:
    row = ctx.db.get(CertificateOrderRow, ctx.param("reference_no"))
    agreement = ctx.db.get(AgreementRow, row.agreement_no) if row else None
    if row is None or agreement is None or agreement.branch_id != ctx.user.branch_id or row.state == "cancelled":
        raise not_found("order_not_found", "No certificate order with this reference number.", "没有该参考号的证书订单。")
    return row


def _check_authorization(ctx: Context, row: CertificateOrderRow) -> None:
    """410 when the order's authorization did not survive the business date."""
    if row.state == "expired" or row.code_business_date < ctx.business_date:
        raise ApiProblem(
            410,
            "authorization_expired",
            "The authorization code has expired (nothing lives overnight); a supervisor must reauthorize.",
            "授权码已过期（授权不隔夜），请主管重新授权。",
        )


def _fulfil(ctx: Context, row: CertificateOrderRow, *, token: str, serial: str, pem: str, key_sha256: str | None, not_after: Any) -> None:
    """Record a certificate made or bound for the order's user; revoke the one it replaces."""
    now = clock.now()
    row.state = "issued"
    row.token_serial = token
    row.certificate_serial = serial
    row.certificate_pem = pem
    row.public_key_sha256 = key_sha256
    row.not_after = not_after
    user = ctx.db.get(AgreementUser, row.user_no)
    assert user is not None
    if row.replaces_serial:
        old = ctx.db.get(CertificateRow, row.replaces_serial)
        if old is not None and old.state == "active":
            old.state, old.revoked_at = "revoked", now
            audit.record(ctx, "certificate.revoked", f"certificate/{old.serial_hex}", reference_no=row.reference_no)
    user.certificate_serial = serial
    ctx.db.add(
        CertificateRow(
            serial_hex=serial,
            agreement_no=row.agreement_no,
            user_no=row.user_no,
            reference_no=row.reference_no,
            token_serial=token,
            state="active",
            not_after=not_after,
            revoked_at=None,
        )
    )


def issue(ctx: Context) -> Reply:
    """``POST /certificate-orders/{reference_no}/issue``."""
    row = _order(ctx)
    if row.premade:
        raise invalid_state(
            "This order is for a pre-made certificate: bind the UKey instead.", "该订单为预制证书，请使用绑定，而非现场制证。"
        )
    body = ctx.body_dict()
    csr_pem: str = body["csr"]
    token: str = body["token_serial"]
    if row.state != "issued":
        _check_authorization(ctx, row)  # a fulfilled order may still hand back its certificate on a later day
    if not verify_secret(str(body["authorization_code"]), row.code_hash):
        raise ApiProblem(403, "authorization_code_invalid", "The authorization code is not right.", "授权码不正确。")
    try:
        key_sha256 = ctx.services.ca.csr_public_key_sha256(csr_pem)
    except CsrInvalidError as exc:
        raise csr_problem(exc) from None
    if row.state == "issued":
        if key_sha256 == row.public_key_sha256:
            return Reply(201, _result_json(ctx, row))
        raise ApiProblem(409, "already_issued", "This order was already fulfilled for another key.", "该参考号已为另一把密钥签发证书。")
    item = stock.held(ctx.db, token, "ukey", ctx.user.user_id, premade=False)
    if item is None:
        raise _token_not_in_stock(token)
    user = ctx.db.get(AgreementUser, row.user_no)
    agreement = ctx.db.get(AgreementRow, row.agreement_no)
    customer = ctx.db.get(CustomerRow, agreement.customer_uscc) if agreement else None
    assert user is not None and customer is not None
    try:
        cert = ctx.services.ca.issue(
            csr_pem,
            common_name=user.name,
            organization=customer.name,
            key_type=row.key_type,
            token_serial=token,
            user_no=user.user_no,
        )
    except CsrInvalidError as exc:
        raise csr_problem(exc) from None
    _fulfil(ctx, row, token=token, serial=cert.serial_hex, pem=cert.pem, key_sha256=cert.public_key_sha256, not_after=cert.not_after)
    stock.consume(ctx.db, ctx.business_date, item, "issued")
    audit.record(ctx, "certificate.issued", f"certificate-order/{row.reference_no}", token_serial=token, certificate_serial=cert.serial_hex)
    return Reply(201, _result_json(ctx, row))


def binding(ctx: Context) -> Reply:
    """``POST /certificate-orders/{reference_no}/binding``: a pre-made certificate UKey becomes the user's."""
    row = _order(ctx)
    if not row.premade:
        raise invalid_state(
            "This order is for a certificate made at the counter: issue it on a blank UKey.", "该订单须现场制证，不能绑定预制证书。"
        )
    body = ctx.body_dict()
    token: str = body["token_serial"]
    serial = str(body["certificate_serial"]).strip().upper()
    if row.state == "issued":
        if row.token_serial == token and row.certificate_serial == serial:
            return Reply(201, _result_json(ctx, row))
        raise ApiProblem(409, "already_issued", "This order was already fulfilled with another UKey.", "该参考号已绑定其他 UKey。")
    _check_authorization(ctx, row)
    item = stock.held(ctx.db, token, "ukey", ctx.user.user_id, premade=True)
    if item is None:
        raise _token_not_in_stock(token)
    if (item.certificate_serial or "").upper() != serial or item.certificate_pem is None:
        raise ApiProblem(
            422,
            "certificate_mismatch",
            "The certificate serial does not match the pre-made certificate on this UKey.",
            "UKey 中的预制证书与订单不符。",
            [
                field_error(
                    "/certificate_serial", "certificate_mismatch", "Not the certificate minted for this UKey.", "不是该 UKey 的预制证书。"
                )
            ],
        )
    if item.key_type and item.key_type != row.key_type:
        raise ApiProblem(
            422,
            "certificate_mismatch",
            f"This UKey holds a {item.key_type} key; the order is for {row.key_type}.",
            f"该 UKey 的密钥类型为 {item.key_type}，订单要求 {row.key_type}。",
            [field_error("/token_serial", "certificate_mismatch", "The pre-made key is of another type.", "预制密钥类型与订单不符。")],
        )
    assert item.certificate_not_after is not None
    _fulfil(ctx, row, token=token, serial=serial, pem=item.certificate_pem, key_sha256=None, not_after=item.certificate_not_after)
    stock.consume(ctx.db, ctx.business_date, item, "issued")
    audit.record(ctx, "certificate.bound", f"certificate-order/{row.reference_no}", token_serial=token, certificate_serial=serial)
    return Reply(201, _result_json(ctx, row))


def reauthorization(ctx: Context) -> Reply:
    """``POST /certificate-orders/{reference_no}/reauthorization``: a supervisor renews the code for today.

    Also for an order already fulfilled: a counter client that crashed after ``issue`` but before the answer
    arrived has lost both the code (never stored) and the certificate; with a new code the same request
    (the same key) gets the same certificate back, and another key is still refused with ``already_issued``.
    """
    ctx.user.require_supervisor()
    row = _order(ctx)
    code = new_authorization_code()
    if row.state != "issued":  # a fulfilled order stays fulfilled: the new code only lets the same key fetch its certificate again
        row.state = "pending"
    row.code_hash = hash_secret(code)
    row.code_business_date = ctx.business_date
    row.code_expires_at = clock.end_of_business_date(ctx.business_date)
    reason = ctx.body_dict().get("reason")
    audit.record(ctx, "certificate.reauthorized", f"certificate-order/{row.reference_no}", reason=reason)
    return Reply(201, order_json(row, code))


def csr_problem(exc: CsrInvalidError) -> ApiProblem:
    return ApiProblem(
        422,
        "csr_invalid",
        str(exc.message_en),
        str(exc.message_zh),
        [field_error("/csr", exc.reason, exc.message_en, exc.message_zh)],
    )


def _token_not_in_stock(token: str) -> ApiProblem:
    return ApiProblem(
        409,
        "token_not_in_stock",
        f"UKey {token} is not in your drawer's stock (or is not of the kind this order needs).",
        f"UKey {token} 不在您的尾箱库存中（或类型与订单不符）。",
        [field_error("/token_serial", "token_not_in_stock", f"{token} is not held by you in stock.", f"{token} 不在您的库存中。")],
    )
