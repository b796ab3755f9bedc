"""The branch's stock of UKeys and pre-numbered letters: items, witnessed movements, the ledger, reconciliation.

Every item has one holder (``vault`` or a staff user id) and a state
(``in_stock``, ``issued``, ``spoiled``, ``returned``). Every change to an item
adds a line to the ledger (:class:`~teller_client.training.db.StockEvent`)
on the business date it happened: ``received``, ``transfer_in``,
``transfer_out``, ``issued``, ``spoiled`` or ``returned``. The day's
reconciliation adds the ledger up per holder and kind and compares it with
what the items say, so a change that bypassed the ledger shows as
unbalanced.

The vault is the only door to the supplier: new serials are received into
the vault, and returns to the supplier leave from it.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teller_client.training import audit, clock
from teller_client.training.auth import witness_of
from teller_client.training.context import Context, Reply
from teller_client.training.db import MovementRow, StockEvent, StockItem, next_number, staff_ids
from teller_client.training.problems import ApiProblem, field_error

log = logging.getLogger(__name__)

VAULT, SUPPLIER, SPOILED = "vault", "supplier", "spoiled"
KINDS = ("ukey", "letter")
STATES = ("in_stock", "issued", "spoiled", "returned")
EVENTS = ("received", "transfer_in", "transfer_out", "issued", "spoiled", "returned")
_SIGN = {"received": 1, "transfer_in": 1, "transfer_out": -1, "issued": -1, "spoiled": -1, "returned": -1}


def item_json(item: StockItem) -> dict[str, Any]:
    return {
        "serial": item.serial,
        "kind": item.kind,
        "holder": item.holder,
        "state": item.state,
        "premade": item.premade,
        "certificate_serial": item.certificate_serial,
    }


def record_event(session: Session, business_date: date, item: StockItem, event: str, holder: str, movement_id: str | None = None) -> None:
    """Add one ledger line for ``item`` at ``holder``."""
    session.add(
        StockEvent(
            branch_id=item.branch_id,
            business_date=business_date,
            serial=item.serial,
            kind=item.kind,
            holder=holder,
            event=event,
            movement_id=movement_id,
            at=clock.now(),
        )
    )


def held(session: Session, serial: str, kind: str, holder: str, *, premade: bool | None = None) -> StockItem | None:
    """The item ``serial`` if ``holder`` holds it in stock (and it is pre-made or blank as asked), else ``None``."""
    item = session.get(StockItem, serial)
    if item is None or item.kind != kind or item.holder != holder or item.state != "in_stock":
        return None
    if premade is not None and item.premade != premade:
        return None
    return item


def consume(session: Session, business_date: date, item: StockItem, event: str) -> None:
    """The item leaves the stock at its holder (``issued`` or ``spoiled``), with its ledger line."""
    item.state = event
    record_event(session, business_date, item, event, item.holder)


# -- GET /stock -------------------------------------------------------------------------------------


def list_stock(ctx: Context) -> Reply:
    holder, kind, state = ctx.query.get("holder"), ctx.query.get("kind"), ctx.query.get("state")
    errors = []
    if kind is not None and kind not in KINDS:
        errors.append(field_error("/kind", "not_allowed", f"kind must be one of {', '.join(KINDS)}.", "kind 取值不允许。"))
    if state is not None and state not in STATES:
        errors.append(field_error("/state", "not_allowed", f"state must be one of {', '.join(STATES)}.", "state 取值不允许。"))
    if errors:
        raise ApiProblem(422, "validation_failed", "The query has errors.", "查询条件有误。", errors)
    query = select(StockItem).where(StockItem.branch_id == ctx.user.branch_id)
    if holder:
        query = query.where(StockItem.holder == holder)
    if kind:
        query = query.where(StockItem.kind == kind)
    if state:
        query = query.where(StockItem.state == state)
    items = ctx.db.scalars(query.order_by(StockItem.serial))
    return Reply(200, {"items": [item_json(i) for i in items]})


# -- POST /stock/movements --------------------------------------------------------------------------


def _holders(ctx: Context, body: dict[str, Any]) -> tuple[str, str]:
    """The movement's two holders, checked; 422 naming the field otherwise."""
    staff = staff_ids(ctx.db, ctx.user.branch_id)
    source, target = str(body["from_holder"]), str(body["to_holder"])
    errors = []
    if source not in staff | {VAULT, SUPPLIER}:
        errors.append(field_error("/from_holder", "holder_unknown", f"Unknown holder {source!r}.", f"未知的持有人“{source}”。"))
    if target not in staff | {VAULT, SPOILED, SUPPLIER}:
        errors.append(field_error("/to_holder", "holder_unknown", f"Unknown holder {target!r}.", f"未知的持有人“{target}”。"))
    if not errors and source == target:
        errors.append(field_error("/to_holder", "same_holder", "From and to are the same holder.", "调出方与调入方相同。"))
    if not errors and SUPPLIER in (source, target) and VAULT not in (source, target):
        errors.append(
            field_error(
                "/to_holder" if source == SUPPLIER else "/from_holder",
                "movement_not_allowed",
                "Items come from and go back to the supplier through the vault only.",
                "与供应商之间的收发只能经由金库。",
            )
        )
    serials: list[str] = body["serials"]
    seen: set[str] = set()
    for i, serial in enumerate(serials):
        if serial in seen:
            errors.append(field_error(f"/serials/{i}", "duplicate_serial", f"{serial} is listed twice.", f"{serial} 重复。"))
        seen.add(serial)
    if errors:
        raise ApiProblem(422, "validation_failed", "The movement has errors.", "调拨信息有误。", errors)
    return source, target


def move(ctx: Context) -> Reply:
    body = ctx.body_dict()
    caller = ctx.user
    source, target = _holders(ctx, body)
    witness = witness_of(ctx.db, caller, body.get("witness_token"))
    kind: str = body["kind"]
    serials: list[str] = body["serials"]

    missing: list[dict[str, Any]] = []
    items: list[StockItem] = []
    for i, serial in enumerate(serials):
        if source == SUPPLIER:
            if ctx.db.get(StockItem, serial) is not None:
                missing.append(
                    field_error(f"/serials/{i}", "serial_not_held", f"{serial} is already in the stock.", f"{serial} 已在库存中。")
                )
            continue
        item = held(ctx.db, serial, kind, source)
        if item is None:
            missing.append(
                field_error(
                    f"/serials/{i}", "serial_not_held", f"{serial} is not in stock at {source}.", f"{serial} 不在“{source}”的库存中。"
                )
            )
        else:
            items.append(item)
    if missing:
        raise ApiProblem(
            409,
            "serial_not_held",
            f"{len(missing)} serial(s) are not held by {source} in stock.",
            f"有 {len(missing)} 个凭证号不在“{source}”的库存中。",
            missing,
        )

    day = ctx.business_date
    movement_id = f"MV{day:%Y%m%d}{next_number(ctx.db, 'movement'):06d}"
    if source == SUPPLIER:
        for serial in serials:
            item = StockItem(serial=serial, kind=kind, branch_id=caller.branch_id, holder=VAULT, state="in_stock", premade=False)
            ctx.db.add(item)
            record_event(ctx.db, day, item, "received", VAULT, movement_id)
    else:
        for item in items:
            if target == SPOILED:
                item.state = "spoiled"
                record_event(ctx.db, day, item, "spoiled", source, movement_id)
            elif target == SUPPLIER:
                item.state = "returned"
                record_event(ctx.db, day, item, "returned", source, movement_id)
            else:
                item.holder = target
                record_event(ctx.db, day, item, "transfer_out", source, movement_id)
                record_event(ctx.db, day, item, "transfer_in", target, movement_id)
    reason: str = body["reason"]
    ctx.db.add(
        MovementRow(
            movement_id=movement_id,
            branch_id=caller.branch_id,
            kind=kind,
            serials=list(serials),
            from_holder=source,
            to_holder=target,
            reason=reason,
            actor=caller.user_id,
            witness=witness,
            business_date=day,
            at=clock.now(),
        )
    )
    audit.record(
        ctx,
        "stock.movement",
        f"movement/{movement_id}",
        kind=kind,
        count=len(serials),
        from_holder=source,
        to_holder=target,
        witness=witness,
    )
    return Reply(
        201,
        {
            "movement_id": movement_id,
            "kind": kind,
            "serials": list(serials),
            "from_holder": source,
            "to_holder": target,
            "reason": reason,
            "actor": caller.user_id,
            "witness": witness,
            "business_date": day.isoformat(),
        },
    )


# -- GET /stock/reconciliation ----------------------------------------------------------------------


def _query_date(ctx: Context) -> date:
    raw = ctx.query.get("date")
    if raw is None or raw == "":
        return ctx.business_date
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or len(raw) != 10:
        raise ApiProblem(
            422,
            "validation_failed",
            "date must be YYYY-MM-DD.",
            "日期格式应为 YYYY-MM-DD。",
            [field_error("/date", "date_format", "date must be YYYY-MM-DD.", "日期格式应为 YYYY-MM-DD。")],
        )
    if day > ctx.business_date:
        raise ApiProblem(
            422,
            "validation_failed",
            "The date is after the business date.",
            "日期晚于当前营业日期。",
            [field_error("/date", "date_in_future", "The date is after the business date.", "日期晚于当前营业日期。")],
        )
    return day


def reconciliation(ctx: Context) -> Reply:
    day = _query_date(ctx)
    branch = ctx.user.branch_id
    opening: Counter[tuple[str, str]] = Counter()
    today: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    rows = ctx.db.execute(
        select(StockEvent.holder, StockEvent.kind, StockEvent.event, StockEvent.business_date < day, func.count())
        .where(StockEvent.branch_id == branch, StockEvent.business_date <= day)
        .group_by(StockEvent.holder, StockEvent.kind, StockEvent.event, StockEvent.business_date < day)
    )
    keys: set[tuple[str, str]] = set()
    for holder, kind, event, before, count in rows:
        keys.add((holder, kind))
        if before:
            opening[(holder, kind)] += _SIGN[event] * count
        else:
            today[(holder, kind)][event] += count
    counted: Counter[tuple[str, str]] = Counter()
    if day == ctx.business_date:
        for holder, kind, count in ctx.db.execute(
            select(StockItem.holder, StockItem.kind, func.count())
            .where(StockItem.branch_id == branch, StockItem.state == "in_stock")
            .group_by(StockItem.holder, StockItem.kind)
        ):
            counted[(holder, kind)] = count
            keys.add((holder, kind))

    lines = []
    for key in sorted(keys, key=lambda k: (k[0] != VAULT, k[0], k[1])):
        moves = today[key]
        expected = opening[key] + sum(_SIGN[e] * n for e, n in moves.items())
        closing = counted[key] if day == ctx.business_date else expected
        lines.append(
            {
                "holder": key[0],
                "kind": key[1],
                "opening": opening[key],
                "received": moves["received"],
                "transferred_in": moves["transfer_in"],
                "transferred_out": moves["transfer_out"],
                "issued": moves["issued"],
                "spoiled": moves["spoiled"],
                "returned": moves["returned"],
                "closing": closing,
                "balanced": expected == closing,
            }
        )
    balanced = all(line["balanced"] for line in lines)
    if not balanced:
        log.warning("stock reconciliation of %s for %s does not balance", branch, day)
    return Reply(200, {"date": day.isoformat(), "branch_id": branch, "lines": lines, "balanced": balanced})
