"""Dual control at the desk: the supervisor signs in on the teller's screen, re-keys the critical fields, decides.

The critical fields (:func:`critical_fields`) are the customer's USCC and the number of every account with ``pay``
rights: the supervisor types them again from the customer's documents without seeing the teller's entry, and
:class:`DeskSignOff` compares (ignoring spaces and case). Only when every re-keyed field matches may they approve;
a mismatch names the field, not the value typed. The maker of an application never approves it: refused here
before asking the central service (which refuses it too). ``return`` needs a reason and brings the application
back to the teller; ``reject`` ends it. Fee waivers are approved with the application.

Remote sign-off (the branch review queue) uses the same decisions from the supervisor's own client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from teller_client.api.client import CentralClient
from teller_client.api.models import ApplicationInfo, UserInfo
from teller_client.domain.model import Application
from teller_client.errors import TellerError
from teller_client.flows.journaled import journaled_call
from teller_client.store.journal import Journal


@dataclass(frozen=True)
class CriticalField:
    key: str
    """``customer.uscc`` or ``accounts.<n>.number``."""
    label_zh: str
    label_en: str
    expected: str


def critical_fields(application: Application) -> tuple[CriticalField, ...]:
    """What the supervisor re-keys: the USCC and the accounts that can pay."""
    fields = [CriticalField("customer.uscc", "统一社会信用代码", "USCC", application.customer.uscc)]
    for index, account in enumerate(application.accounts):
        if account.can_pay:
            fields.append(
                CriticalField(
                    f"accounts.{index}.number", f"账户 {index + 1} 账号（可支付）", f"account {index + 1} number (pay)", account.number
                )
            )
    return tuple(fields)


def _normal(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


class SignOffRefused(TellerError):
    pass


def _refuse(code: str, en: str, zh: str) -> SignOffRefused:
    return SignOffRefused(en, zh, code=code)


def check_second_person(user: UserInfo, maker: str) -> None:
    """Dual control: whoever signs in to act as supervisor on an application (sign it off, re-authorize a UKey,
    allow a reprint) is a supervisor and not its maker; else :class:`SignOffRefused`."""
    if user.id.upper() == maker.upper():
        raise _refuse(
            "maker_cannot_approve",
            "The maker of an application never acts as its supervisor: another supervisor signs in.",
            "经办人不能为自己经办的申请担任主管，须由其他主管登录。",
        )
    if not user.is_supervisor:
        raise _refuse(
            "not_a_supervisor", f"{user.id} is not a supervisor; a supervisor signs in here.", f"{user.id} 不是主管，须由主管登录。"
        )


def required_reason(decision: str, reason: str | None) -> str:
    """The reason a return or a rejection must give, stripped; :class:`SignOffRefused` when there is none."""
    text = (reason or "").strip()
    if not text:
        if decision == "return":
            raise _refuse("reason_required", "Say why the application goes back to the teller.", "请填写退回原因。")
        raise _refuse("reason_required", "Say why the application is rejected.", "请填写拒绝原因。")
    return text


class DeskSignOff:
    """One supervisor's sign-off of one application snapshot at the teller's desk."""

    def __init__(
        self, application: Application, application_id: str, snapshot_hash: str, maker: str, supervisor: CentralClient, journal: Journal
    ) -> None:
        if supervisor.user is None:
            raise ValueError("the supervisor must be signed in")
        check_second_person(supervisor.user, maker)
        self.application_id = application_id
        self.snapshot_hash = snapshot_hash
        self.fields = critical_fields(application)
        self._supervisor = supervisor
        self._journal = journal
        self._rekeyed: dict[str, bool] = {}

    def rekey(self, key: str, typed: str) -> bool:
        """Record what the supervisor typed for ``key``; whether it matches (the value is not kept)."""
        field = next((f for f in self.fields if f.key == key), None)
        if field is None:
            raise KeyError(key)
        matches = _normal(typed) == _normal(field.expected)
        self._rekeyed[key] = matches
        return matches

    def mismatches(self) -> tuple[CriticalField, ...]:
        """Fields re-keyed differently or not yet re-keyed."""
        return tuple(f for f in self.fields if not self._rekeyed.get(f.key, False))

    def approve(self, *, fee_waiver_approved: bool | None = None) -> ApplicationInfo:
        missing = self.mismatches()
        if missing:
            names_zh = "、".join(f.label_zh for f in missing)
            names_en = ", ".join(f.label_en for f in missing)
            raise _refuse(
                "rekey_mismatch",
                f"Re-key these fields from the customer's documents first (they differ or are missing): {names_en}.",
                f"请先根据客户证件重新录入以下字段（不一致或未录入）：{names_zh}。",
            )
        return self._decide("approve", None, fee_waiver_approved)

    def send_back(self, reason: str) -> ApplicationInfo:
        return self._decide("return", required_reason("return", reason), None)

    def reject(self, reason: str) -> ApplicationInfo:
        return self._decide("reject", required_reason("reject", reason), None)

    def _decide(self, decision: str, reason: str | None, fee_waiver_approved: bool | None) -> ApplicationInfo:
        """The decision, journaled first (a lost answer is asked again with the same key)."""
        assert self._supervisor.user is not None
        return journaled_call(
            self._journal,
            "sign_off.decision",
            subject=f"{self.application_id}@{self.snapshot_hash}",
            actor=self._supervisor.user.id,
            request={"decision": decision, "reason": reason, "fee_waiver_approved": fee_waiver_approved},
            call=lambda key: self._supervisor.decide(
                self.application_id,
                snapshot_hash=self.snapshot_hash,
                decision=decision,
                reason=reason,
                fee_waiver_approved=fee_waiver_approved,
                idempotency_key=key,
            ),
            record=lambda info: {"status": info.status},
        )
