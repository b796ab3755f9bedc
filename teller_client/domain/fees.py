"""Fee calculation: annual channel fees, UKey fees, and waiver requests.

A waiver (or discount) is a *request*: the quote shows the full amount and
says that a supervisor must approve the waiver at sign-off; the approval
itself is recorded by the central service (``fee_waiver_approved``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from teller_client.domain.catalogue import Catalogue
from teller_client.domain.model import Application, ServiceMode

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FeeLine:
    code: str
    """``annual:<channel>`` or ``ukey``."""
    zh: str
    en: str
    quantity: int
    unit: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.unit * self.quantity).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]
    waiver_requested: bool
    waiver_reason: str | None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def needs_supervisor_approval(self) -> bool:
        """A waiver on a non-zero amount is decided by a supervisor at sign-off."""
        return self.waiver_requested and self.total > ZERO

    def payable(self, waiver_approved: bool = False) -> Decimal:
        return ZERO if (self.waiver_requested and waiver_approved) else self.total


def quote(app: Application, catalogue: Catalogue) -> FeeQuote:
    lines: list[FeeLine] = []
    for service in app.services:
        channel = catalogue.channels[service.channel]
        if service.mode is ServiceMode.CUSTOM:
            zh, en, unit = f"{channel.zh}（自定义）年费", f"{channel.en} (custom) annual fee", channel.custom_annual_fee
        else:
            bundle = catalogue.bundles.get(service.bundle or "")
            if bundle is None:
                continue  # reported by the rules; nothing to charge for an unknown bundle
            zh, en, unit = f"{bundle.zh} 年费", f"{bundle.en} annual fee", bundle.annual_fee
        lines.append(FeeLine(f"annual:{service.channel.value}", zh, en, 1, unit))
    keys = sum(1 for u in app.users if u.is_certificate_user)
    if keys:
        lines.append(FeeLine("ukey", catalogue.ukey_fee.zh, catalogue.ukey_fee.en, keys, catalogue.ukey_fee.unit_fee))
    return FeeQuote(tuple(lines), app.fees.waiver_requested, app.fees.reason)
