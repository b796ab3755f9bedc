"""Custody of valuable stock: UKeys and pre-numbered letters, from the supplier to the vault to a teller's drawer.

Every movement is countersigned: a second person of the branch, signed in on this counter, watched the count
(their session token goes with the request as ``witness_token`` and is never stored). Every movement is journaled
before it is sent (``custody.movement``) and sent with the journal's idempotency key, so a movement whose answer
was lost is asked again and happens once. Serials are given one by one or as ranges (``LT00000201-LT00000300``).

* :meth:`Custody.receive` — a box from the supplier into the vault;
* :meth:`Custody.to_drawer` / :meth:`Custody.to_vault` — the day's stock out to a teller and back;
* :meth:`Custody.spoil` — a damaged letter or UKey, with the reason;
* :meth:`Custody.reconcile` — the end-of-day reconciliation against the central stock ledger.

The witness must be another person than the one moving the stock; the central service refuses the teller as
their own witness too, but the client says so first, in the teller's words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from teller_client.api.client import CentralClient
from teller_client.api.models import Movement, Reconciliation
from teller_client.documents.custody import CustodyLine, CustodyReport, ItemKind, SpoiledItem
from teller_client.domain.bank_time import BANK_TIME
from teller_client.errors import TellerError
from teller_client.flows.journaled import journaled_call
from teller_client.store.journal import Journal

VAULT, SUPPLIER, SPOILED = "vault", "supplier", "spoiled"
KINDS = ("ukey", "letter")
MAX_SERIALS = 1000
"""The most serials one movement takes (a box of letters is 100 to 500)."""

_RANGE = re.compile(r"^\s*([A-Za-z0-9]*?)(\d+)\s*(?:-|~|\.\.|至|到)\s*([A-Za-z0-9]*?)(\d+)\s*$")


class CustodyError(TellerError):
    pass


def _refuse(code: str, en: str, zh: str) -> CustodyError:
    return CustodyError(en, zh, code=code)


def expand_serials(text: str) -> list[str]:
    """Serials from ``"LT00000001-LT00000100, LT00000150"`` (ranges keep the prefix and the width), in order.

    Ranges may be written ``A-B``, ``A~B``, ``A..B``, ``A至B``; items are separated by commas, semicolons,
    spaces or new lines. Refused with a specific message: a range whose ends have different prefixes or widths,
    a backwards range, a serial listed twice, more than :data:`MAX_SERIALS`.
    """
    serials: list[str] = []
    for item in re.split(r"[,，;；\s]+", text.replace(" - ", "-").strip()):
        if not item:
            continue
        match = _RANGE.match(item)
        if match is None:
            if not re.fullmatch(r"[A-Za-z0-9]{1,32}", item):
                raise _refuse("serial_invalid", f"{item!r} is not a serial number.", f"“{item}”不是有效的凭证编号。")
            serials.append(item.upper())
            continue
        prefix, first, prefix_end, last = match.groups()
        if prefix.upper() != prefix_end.upper() or len(first) != len(last):
            raise _refuse(
                "serial_range_invalid",
                f"{item}: both ends of a range must have the same prefix and the same number of digits.",
                f"{item}：号段两端的前缀与位数必须一致。",
            )
        start, end = int(first), int(last)
        if end < start:
            raise _refuse("serial_range_invalid", f"{item}: the range runs backwards.", f"{item}：号段起止颠倒。")
        if end - start + 1 + len(serials) > MAX_SERIALS:
            raise _refuse("too_many_serials", f"At most {MAX_SERIALS} serials per movement.", f"每次调拨最多 {MAX_SERIALS} 个编号。")
        serials.extend(f"{prefix.upper()}{n:0{len(first)}d}" for n in range(start, end + 1))
    if len(serials) > MAX_SERIALS:
        raise _refuse("too_many_serials", f"At most {MAX_SERIALS} serials per movement.", f"每次调拨最多 {MAX_SERIALS} 个编号。")
    seen: set[str] = set()
    for serial in serials:
        if serial in seen:
            raise _refuse("duplicate_serial", f"{serial} is listed twice.", f"{serial} 重复。")
        seen.add(serial)
    if not serials:
        raise _refuse("serials_empty", "Give at least one serial number.", "请至少输入一个编号。")
    return serials


@dataclass(frozen=True)
class Witness:
    """The second person: their user id and live session (signed in on this counter for this movement)."""

    user_id: str
    client: CentralClient


class Custody:
    """Stock movements of one signed-in person (``central``), each witnessed and journaled."""

    def __init__(self, central: CentralClient, journal: Journal) -> None:
        if central.user is None:
            raise ValueError("custody needs a signed-in client")
        self._central = central
        self._journal = journal
        self.actor = central.user.id

    def receive(self, kind: str, serials: list[str], witness: Witness, reason: str) -> Movement:
        return self.move(kind, serials, SUPPLIER, VAULT, witness, reason)

    def to_drawer(self, kind: str, serials: list[str], teller_id: str, witness: Witness, reason: str) -> Movement:
        return self.move(kind, serials, VAULT, teller_id, witness, reason)

    def to_vault(self, kind: str, serials: list[str], teller_id: str, witness: Witness, reason: str) -> Movement:
        return self.move(kind, serials, teller_id, VAULT, witness, reason)

    def spoil(self, kind: str, serials: list[str], holder: str, witness: Witness, reason: str) -> Movement:
        return self.move(kind, serials, holder, SPOILED, witness, reason)

    def move(self, kind: str, serials: list[str], from_holder: str, to_holder: str, witness: Witness, reason: str) -> Movement:
        """One witnessed movement, journaled before it is sent; asking again after a lost answer moves nothing twice."""
        if kind not in KINDS:
            raise _refuse("kind_invalid", f"Unknown stock kind {kind!r}.", f"未知的库存类别“{kind}”。")
        if not reason.strip():
            raise _refuse("reason_required", "Say why the stock moves.", "请填写调拨原因。")
        if not serials:
            raise _refuse("serials_empty", "Give at least one serial number.", "请至少输入一个编号。")
        if witness.user_id == self.actor or witness.client.user is None or witness.client.user.id != witness.user_id:
            raise _refuse(
                "witness_required",
                "A second person, signed in, must witness the count (not the person moving the stock).",
                "须由另一人（非调拨人）登录复核清点。",
            )
        token = witness.client.token()
        if token is None:
            raise _refuse("witness_required", "The witness is no longer signed in.", "复核人已退出登录。")
        request = {"kind": kind, "serials": serials, "from_holder": from_holder, "to_holder": to_holder, "reason": reason.strip()}
        return journaled_call(
            self._journal,
            "custody.movement",
            subject=movement_subject(kind, serials, from_holder, to_holder),
            actor=self.actor,
            request={**request, "witness": witness.user_id},
            call=lambda key: self._central.move_stock(
                kind=kind,
                serials=serials,
                from_holder=from_holder,
                to_holder=to_holder,
                reason=reason.strip(),
                witness_token=token,
                idempotency_key=key,
            ),
            record=lambda movement: {"movement_id": movement.movement_id, "count": len(movement.serials)},
        )

    def reconcile(self, day: date | None = None) -> Reconciliation:
        """The central ledger's reconciliation for ``day`` (default: the business date)."""
        return self._central.reconciliation(day)

    def end_of_day_report(self, staff: ReportStaff, *, day: date | None = None, generated_at: datetime | None = None) -> CustodyReport:
        """The end-of-day custody report: the central reconciliation per holder and kind, each closing figure checked
        against the items the ledger lists as held now, and the spoiled items with the reasons this counter recorded."""
        reconciliation = self.reconcile(day)
        held: dict[tuple[str, str], int] = {}
        for item in self._central.stock(state="in_stock"):
            held[(item.holder, item.kind)] = held.get((item.holder, item.kind), 0) + 1
        lines = tuple(
            CustodyLine(
                holder=line.holder,
                holder_name=staff.names.get(line.holder, "网点库房 Vault" if line.holder == VAULT else line.holder),
                kind=cast(ItemKind, line.kind),
                opening=line.opening,
                received=line.received,
                transferred_in=line.transferred_in,
                transferred_out=line.transferred_out,
                issued=line.issued,
                spoiled=line.spoiled,
                returned=line.returned,
                closing=line.closing,
                ledger_closing=held.get((line.holder, line.kind), 0),
            )
            for line in reconciliation.lines
        )
        when = generated_at or datetime.now(BANK_TIME)
        return CustodyReport(
            report_no=f"CR{reconciliation.date:%Y%m%d}{reconciliation.branch_id}",
            business_date=reconciliation.date,
            lines=lines,
            spoiled=self._spoiled_today(staff, when),
            teller_name=staff.names.get(self.actor, self.actor),
            teller_id=self.actor,
            supervisor_name=staff.names.get(staff.supervisor_id, staff.supervisor_id),
            supervisor_id=staff.supervisor_id,
            generated_at=when,
            bank_name=staff.bank_name,
            branch_name=staff.branch_name,
            training=staff.training,
        )

    def _spoiled_today(self, staff: ReportStaff, when: datetime) -> tuple[SpoiledItem, ...]:
        """Items the central ledger lists as spoiled, with the reason this counter's journal has for them."""
        reasons: dict[str, tuple[str, str, str]] = {}
        for entry in self._journal.done_of_kind("custody.movement"):
            if entry.request.get("to_holder") == SPOILED:
                for serial in entry.request.get("serials", []):
                    reasons[serial] = (
                        entry.request.get("reason", ""),
                        entry.request.get("from_holder", ""),
                        entry.request.get("witness", ""),
                    )
        for entry in self._journal.done_of_kind("letter.confirm"):
            if entry.request.get("outcome") == "spoiled":
                serial = entry.request.get("letter_serial", "")
                reasons.setdefault(serial, ("打印失败或密码遗失，信函作废 print failed or password lost", entry.actor, ""))
        spoiled = []
        for item in self._central.stock(state="spoiled"):
            reason, holder, witness = reasons.get(item.serial, ("", item.holder, ""))
            spoiled.append(
                SpoiledItem(
                    kind=cast(ItemKind, item.kind),
                    serial=item.serial,
                    holder_name=staff.names.get(holder, holder),
                    reason=reason or "—",
                    at=when,
                    witness=witness,
                )
            )
        return tuple(spoiled)


@dataclass(frozen=True)
class ReportStaff:
    """Who the report names: people by user ID, the supervisor who signs it, the bank and branch."""

    names: Mapping[str, str]
    supervisor_id: str
    bank_name: str
    branch_name: str
    training: bool


def movement_subject(kind: str, serials: list[str], from_holder: str, to_holder: str) -> str:
    """The journal subject of a movement: the same serials between the same holders are the same movement."""
    digest = hashlib.sha256("\n".join(serials).encode()).hexdigest()[:16]
    return f"{kind}:{from_holder}>{to_holder}:{digest}"
