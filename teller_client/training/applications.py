"""Applications: creation by a teller (the maker), dual-control decisions, submission into an agreement.

The status machine::

    pending_approval --approve--> approved --submission--> submitted
    pending_approval --return (reason)--> returned --PUT by the maker--> pending_approval
    pending_approval --reject (reason)--> rejected

The document is checked with the domain layer exactly as the client checks
it (:func:`~teller_client.domain.document.read_document`, then
:func:`~teller_client.domain.rules.check_rules` on the business date), and
the service keeps the *normalised* document and its snapshot hash: what a
supervisor signs off is that hash, so an approval of anything else is
refused (``snapshot_changed``). The maker never approves their own work,
whatever roles they hold.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from teller_client.domain.document import read_document, snapshot_hash, to_document
from teller_client.domain.fees import quote
from teller_client.domain.model import Application
from teller_client.domain.problems import Problem, Severity
from teller_client.domain.rules import check_rules
from teller_client.training import audit, certificates, clock, letters
from teller_client.training.context import Caller, Context, Reply
from teller_client.training.db import (
    AgreementRow,
    AgreementUser,
    ApplicationRow,
    CertificateRow,
    CustomerAccount,
    CustomerRow,
    HistoryRow,
    next_number,
)
from teller_client.training.problems import ApiProblem, domain_errors, field_error, invalid_state, not_found, reason_required

log = logging.getLogger(__name__)


# -- checking a document --------------------------------------------------------------------------


class Checked:
    """A document that passed: the model, its normalised document and hash, the fee quote, the warnings."""

    def __init__(self, app: Application, fees: dict[str, Any], warnings: list[dict[str, Any]]) -> None:
        self.app = app
        self.document = to_document(app)
        self.snapshot_hash = snapshot_hash(app)
        self.fees = fees
        self.warnings = warnings


def check_document(ctx: Context, doc: Any, request: str) -> Checked:
    """Validate an ``eform/1`` document for a ``request`` (``new`` or ``modify``); 422 with every problem otherwise.

    Shape and identifier errors give ``validation_failed``; otherwise business
    rule errors give ``rule_violated``. Each error names its field as a
    pointer under ``/document``. Warnings (e.g. ``uscc_org_code``) pass and
    are returned with the application.
    """
    catalogue = ctx.services.catalogue
    app, read_problems = read_document(doc, ctx.business_date)
    rule_problems = check_rules(app, catalogue, ctx.business_date) if app is not None else []
    problems: list[Problem] = [*read_problems, *rule_problems]
    extra: list[dict[str, Any]] = []
    if app is not None and app.request.value != request:
        extra.append(
            field_error(
                "/document/request",
                "request_not_allowed",
                f"This call takes a '{request}' request, not '{app.request.value}'.",
                f"此处只受理“{request}”类申请，而非“{app.request.value}”。",
                severity="error",
            )
        )
    read_errors = [p for p in read_problems if p.severity is Severity.ERROR]
    if app is None or read_errors or extra:
        raise ApiProblem(
            422,
            "validation_failed",
            f"The application has {len(read_errors) + len(extra)} error(s); each field is named.",
            f"申请资料有 {len(read_errors) + len(extra)} 处错误，请按提示逐项修改。",
            extra + domain_errors(problems),
        )
    rule_errors = [p for p in rule_problems if p.severity is Severity.ERROR]
    if rule_errors:
        raise ApiProblem(
            422,
            "rule_violated",
            f"The application breaks {len(rule_errors)} business rule(s).",
            f"申请不符合 {len(rule_errors)} 条业务规则，请按提示修改。",
            domain_errors(problems),
        )
    fee_quote = quote(app, catalogue)
    fees = {
        "lines": [
            {
                "code": line.code,
                "zh": line.zh,
                "en": line.en,
                "quantity": line.quantity,
                "unit": f"{line.unit:.2f}",
                "amount": f"{line.amount:.2f}",
            }
            for line in fee_quote.lines
        ],
        "total": f"{fee_quote.total:.2f}",
        "waiver_requested": fee_quote.waiver_requested,
        "waiver_reason": fee_quote.waiver_reason,
    }
    warnings = domain_errors([p for p in problems if p.severity is Severity.WARNING])
    return Checked(app, fees, warnings)


# -- shapes ---------------------------------------------------------------------------------------


def _fees_json(row: ApplicationRow) -> dict[str, Any]:
    fees = dict(row.fees)
    waived = bool(fees.get("waiver_requested")) and row.fee_waiver_approved is True
    fees["payable"] = "0.00" if waived else fees["total"]
    fees["waiver_approved"] = row.fee_waiver_approved
    return fees


def application_json(ctx: Context, row: ApplicationRow) -> dict[str, Any]:
    history = ctx.db.scalars(select(HistoryRow).where(HistoryRow.application_id == row.id).order_by(HistoryRow.id))
    return {
        "id": row.id,
        "request": row.request,
        "status": row.status,
        "source": row.source,
        "form_id": row.form_id,
        "verified": row.verified,
        "maker": row.maker,
        "branch_id": row.branch_id,
        "agreement_no": row.agreement_no,
        "customer_name": row.customer_name,
        "uscc": row.uscc,
        "snapshot_hash": row.snapshot_hash,
        "document": row.document,
        "fees": _fees_json(row),
        "warnings": row.warnings,
        "history": [
            {
                "at": clock.stamp(h.at),
                "actor": h.actor,
                "action": h.action,
                "reason": h.reason,
                "snapshot_hash": h.snapshot_hash,
                "workstation_id": h.workstation_id,
            }
            for h in history
        ],
        "created_at": clock.stamp(row.created_at),
        "updated_at": clock.stamp(row.updated_at),
    }


def _history(ctx: Context, row: ApplicationRow, action: str, reason: str | None = None) -> None:
    caller = ctx.user
    now = clock.now()
    row.updated_at = now
    ctx.db.add(
        HistoryRow(
            application_id=row.id,
            at=now,
            actor=caller.user_id,
            action=action,
            reason=reason,
            snapshot_hash=row.snapshot_hash,
            workstation_id=caller.workstation_id,
        )
    )


def _get(ctx: Context) -> ApplicationRow:
    row = ctx.db.get(ApplicationRow, ctx.param("id"))
    if row is None or row.branch_id != ctx.user.branch_id:
        raise not_found("application_not_found", "No such application.", "没有该申请。")
    return row


# -- creating, reading, changing --------------------------------------------------------------------


def create_row(ctx: Context, body: dict[str, Any], request: str, agreement_no: str | None = None) -> ApplicationRow:
    """Check ``body`` (schema ``ApplicationCreate``) and store a new application made by the caller."""
    caller = ctx.user
    checked = check_document(ctx, body["document"], request)
    now = clock.now()
    row = ApplicationRow(
        id=f"AP{ctx.business_date:%Y%m%d}{next_number(ctx.db, 'application'):06d}",
        request=request,
        status="pending_approval",
        source=body["source"],
        form_id=body["form_id"],
        verified=bool(body["verified"]),
        maker=caller.user_id,
        branch_id=caller.branch_id,
        agreement_no=agreement_no,
        customer_name=checked.app.customer.name,
        uscc=checked.app.customer.uscc,
        snapshot_hash=checked.snapshot_hash,
        document=checked.document,
        fees=checked.fees,
        warnings=checked.warnings,
        fee_waiver_approved=None,
        created_at=now,
        updated_at=now,
    )
    ctx.db.add(row)
    ctx.db.flush()
    _history(ctx, row, "created")
    audit.record(ctx, "application.created", f"application/{row.id}", request=request, snapshot_hash=row.snapshot_hash)
    return row


def create(ctx: Context) -> Reply:
    """``POST /applications``: a teller enters a new signing; the caller is its maker."""
    ctx.user.require_teller()
    row = create_row(ctx, ctx.body_dict(), "new")
    return Reply(201, application_json(ctx, row))


def read(ctx: Context) -> Reply:
    return Reply(200, application_json(ctx, _get(ctx)))


def update(ctx: Context) -> Reply:
    """``PUT /applications/{id}``: the maker corrects a returned application; it goes back for approval."""
    row = _get(ctx)
    if row.maker != ctx.user.user_id:
        raise ApiProblem(403, "not_the_maker", "Only the maker can change a returned application.", "只有经办柜员可以修改退回的申请。")
    if row.status != "returned":
        raise invalid_state("Only a returned application can be changed.", "只有被退回的申请才能修改。")
    body = ctx.body_dict()
    checked = check_document(ctx, body["document"], row.request)
    row.document = checked.document
    row.snapshot_hash = checked.snapshot_hash
    row.fees = checked.fees
    row.warnings = checked.warnings
    row.customer_name = checked.app.customer.name
    row.uscc = checked.app.customer.uscc
    row.fee_waiver_approved = None
    if "verified" in body:
        row.verified = bool(body["verified"])
    row.status = "pending_approval"
    _history(ctx, row, "changed")
    audit.record(ctx, "application.changed", f"application/{row.id}", snapshot_hash=row.snapshot_hash)
    return Reply(200, application_json(ctx, row))


# -- dual control ----------------------------------------------------------------------------------


def decide(ctx: Context) -> Reply:
    """``POST /applications/{id}/approvals``: a supervisor approves, returns or rejects the snapshot they reviewed."""
    caller = ctx.user
    row = _get(ctx)
    if caller.user_id == row.maker:
        raise ApiProblem(
            403,
            "maker_cannot_approve",
            "The maker cannot approve their own work (dual control).",
            "经办人不能审核自己经办的业务（双人交叉审核）。",
        )
    caller.require_supervisor()
    if row.status != "pending_approval":
        raise invalid_state(f"The application is {row.status}, not pending approval.", "该申请当前不在待审核状态。")
    body = ctx.body_dict()
    if body["snapshot_hash"] != row.snapshot_hash:
        raise ApiProblem(
            409,
            "snapshot_changed",
            "The application changed while it was being reviewed; review it again.",
            "申请内容在审核期间已被修改，请重新核对后再审核。",
            [field_error("/snapshot_hash", "snapshot_changed", "Not the current snapshot.", "不是当前的申请快照。")],
        )
    decision: str = body["decision"]
    raw_reason = body.get("reason")
    reason = raw_reason.strip() if isinstance(raw_reason, str) and raw_reason.strip() else None
    if decision in ("return", "reject") and reason is None:
        raise reason_required()
    waiver = body.get("fee_waiver_approved")
    if decision == "approve":
        if row.fees.get("waiver_requested"):
            if waiver is None:
                raise ApiProblem(
                    422,
                    "waiver_decision_required",
                    "Decide on the fee waiver request.",
                    "请对费用减免申请作出决定。",
                    [
                        field_error(
                            "/fee_waiver_approved", "waiver_decision_required", "Approve or refuse the waiver.", "请批准或拒绝费用减免。"
                        )
                    ],
                )
            row.fee_waiver_approved = bool(waiver)
        row.status = "approved"
    else:
        row.status = "returned" if decision == "return" else "rejected"
    _history(ctx, row, row.status, reason)
    audit.record(
        ctx,
        f"application.{row.status}",
        f"application/{row.id}",
        snapshot_hash=row.snapshot_hash,
        fee_waiver_approved=row.fee_waiver_approved,
    )
    return Reply(200, application_json(ctx, row))


def queue(ctx: Context) -> Reply:
    """``GET /approvals?status=pending``: the branch's review queue, oldest first."""
    caller = ctx.user
    caller.require_supervisor()
    rows = ctx.db.scalars(
        select(ApplicationRow)
        .where(ApplicationRow.branch_id == caller.branch_id, ApplicationRow.status == "pending_approval")
        .order_by(ApplicationRow.created_at, ApplicationRow.id)
    )
    items = [
        {
            "id": r.id,
            "request": r.request,
            "customer_name": r.customer_name,
            "uscc": r.uscc,
            "maker": r.maker,
            "status": r.status,
            "snapshot_hash": r.snapshot_hash,
            "created_at": clock.stamp(r.created_at),
            "fee_waiver_requested": bool(r.fees.get("waiver_requested")),
        }
        for r in rows
    ]
    return Reply(200, {"items": items})


# -- submission ------------------------------------------------------------------------------------


def _customer(ctx: Context, doc: dict[str, Any], branch_id: str) -> CustomerRow:
    """The customer of the document, created or brought up to date, with its accounts."""
    c = doc["customer"]
    row = ctx.db.get(CustomerRow, c["uscc"])
    if row is None:
        row = CustomerRow(uscc=c["uscc"], branch_id=branch_id)
        ctx.db.add(row)
    row.name, row.kind, row.group_uscc = c["name"], c["kind"], c.get("group_uscc")
    ctx.db.flush()  # before the accounts that point at it
    if row.customer_ebank_id is None:
        row.customer_ebank_id = f"35{next_number(ctx.db, 'customer_ebank'):08d}"
    known = {a.number: a for a in ctx.db.scalars(select(CustomerAccount).where(CustomerAccount.customer_uscc == row.uscc))}
    for acc in doc["accounts"]:
        fields = {"relation": acc["relation"], "type": acc["type"], "currency": acc["currency"], "rights": list(acc["rights"])}
        existing = known.get(acc["number"])
        if existing is None:
            ctx.db.add(CustomerAccount(customer_uscc=row.uscc, number=acc["number"], **fields))
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
    return row


def _new_user(ctx: Context, agreement_no: str, customer: CustomerRow, user: dict[str, Any]) -> AgreementUser:
    taken = ctx.db.scalar(
        select(func.count())
        .select_from(AgreementUser)
        .join(AgreementRow, AgreementRow.agreement_no == AgreementUser.agreement_no)
        .where(AgreementRow.customer_uscc == customer.uscc)
    )
    row = AgreementUser(
        user_no=f"U{next_number(ctx.db, 'agreement_user'):08d}",
        agreement_no=agreement_no,
        login_id=f"{customer.customer_ebank_id}{int(taken or 0) + 1:03d}",
        name=user["name"],
        id_type=user["id_type"],
        id_number=user["id_number"],
        role=user["role"],
        credential=user["credential"],
        state="active",
        certificate_serial=None,
    )
    ctx.db.add(row)
    ctx.db.flush()
    return row


def _revoke_user_certificates(ctx: Context, user: AgreementUser) -> list[str]:
    revoked = []
    for cert in ctx.db.scalars(select(CertificateRow).where(CertificateRow.user_no == user.user_no, CertificateRow.state == "active")):
        cert.state, cert.revoked_at = "revoked", clock.now()
        revoked.append(cert.serial_hex)
    user.certificate_serial = None
    return revoked


def submit(ctx: Context) -> Reply:
    """``POST /applications/{id}/submission``: sign the agreement; orders for certificates and letters."""
    caller: Caller = ctx.user
    caller.require_teller()
    row = _get(ctx)
    if row.status != "approved":
        raise ApiProblem(
            409,
            "not_approved",
            "The application is not approved and cannot be submitted.",
            "申请尚未审核通过，不能提交。",
        )
    body = ctx.body_dict()
    premade = body.get("certificate_mode", "counter") == "premade"
    key_type: str = body.get("key_type", "rsa2048")
    doc = row.document
    day = ctx.business_date
    customer = _customer(ctx, doc, row.branch_id)
    channels = [s["channel"] for s in doc["services"]]

    if row.agreement_no is None:
        agreement = AgreementRow(
            agreement_no=f"AG{day:%Y%m%d}{next_number(ctx.db, 'agreement'):06d}",
            customer_uscc=customer.uscc,
            branch_id=row.branch_id,
            status="active",
            channels=channels,
            signed_on=day,
            closed_on=None,
            application_id=row.id,
        )
        ctx.db.add(agreement)
        ctx.db.flush()
    else:
        found = ctx.db.get(AgreementRow, row.agreement_no)
        if found is None or found.status != "active":
            raise invalid_state("The agreement is closed; the change cannot be signed.", "协议已注销，不能办理变更。")
        agreement = found
        agreement.channels = channels

    existing = {
        (u.id_type, u.id_number): u
        for u in ctx.db.scalars(
            select(AgreementUser).where(AgreementUser.agreement_no == agreement.agreement_no, AgreementUser.state != "closed")
        )
    }
    wanted: list[tuple[AgreementUser, bool]] = []  # (user, needs a new certificate)
    new_users: list[AgreementUser] = []
    for user in doc["users"]:
        current = existing.pop((user["id_type"], user["id_number"]), None)
        if current is None:
            current = _new_user(ctx, agreement.agreement_no, customer, user)
            new_users.append(current)
            wanted.append((current, user["credential"] == "ukey"))
            continue
        became_ukey = current.credential != "ukey" and user["credential"] == "ukey"
        if current.credential == "ukey" and user["credential"] != "ukey":
            _revoke_user_certificates(ctx, current)
        current.name, current.role, current.credential = user["name"], user["role"], user["credential"]
        wanted.append((current, became_ukey))
    for gone in existing.values():  # users the change leaves out
        gone.state = "closed"
        _revoke_user_certificates(ctx, gone)

    cert_orders = []
    for user_row, needs_certificate in wanted:
        if needs_certificate:
            order, code = certificates.create_order(
                ctx.db,
                day,
                agreement_no=agreement.agreement_no,
                user_no=user_row.user_no,
                key_type=key_type,
                premade=premade,
                created_by=caller.user_id,
                application_id=row.id,
            )
            cert_orders.append(certificates.order_json(order, code))
    letter_orders = [
        letters.order_json(
            letters.create_order(
                ctx.db, day, agreement_no=agreement.agreement_no, user_no=u.user_no, maker=row.maker, application_id=row.id
            )
        )
        for u in new_users
    ]
    row.status = "submitted"
    row.agreement_no = agreement.agreement_no
    _history(ctx, row, "submitted")
    audit.record(
        ctx,
        "application.submitted",
        f"application/{row.id}",
        agreement_no=agreement.agreement_no,
        certificate_orders=[o["reference_no"] for o in cert_orders],
        letter_orders=[o["letter_order_id"] for o in letter_orders],
    )
    users = [u for u, _ in wanted]
    assert customer.customer_ebank_id is not None
    return Reply(
        201,
        {
            "application_id": row.id,
            "agreement_no": agreement.agreement_no,
            "customer_ebank_id": customer.customer_ebank_id,
            "users": [
                {"user_no": u.user_no, "login_id": u.login_id, "name": u.name, "role": u.role, "credential": u.credential} for u in users
            ],
            "certificate_orders": cert_orders,
            "letter_orders": letter_orders,
        },
    )
