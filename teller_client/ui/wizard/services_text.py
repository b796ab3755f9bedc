"""What the services, fees and review pages say about a service entry and an amount (no widgets).

A service entry is one item of the document's ``services`` list (``channel``, ``mode``, ``bundle``, ``functions``).
The pages read it leniently: an entry the domain validation rejects (an unknown channel or bundle) is still
shown, as it is, with the validation's problem beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from teller_client.domain.catalogue import Catalogue
from teller_client.domain.currencies import DOMESTIC_CURRENCY
from teller_client.domain.model import Channel, Service, ServiceMode
from teller_client.domain.value_labels import value_names
from teller_client.i18n import language, tr

CURRENCY = DOMESTIC_CURRENCY
"""The currency of every fee in the catalogue (``fees.toml``)."""


def amount_text(amount: Decimal) -> str:
    """An amount with two decimals and thousands separators, no currency (table cells under a currency header)."""
    return format(amount.quantize(Decimal("0.01")), ",.2f")


def money(amount: Decimal) -> str:
    """An amount with two decimals and the currency, in the teller's language."""
    return tr("CNY {amount}").format(amount=amount_text(amount))


def zh_or_en(zh: str, en: str) -> str:
    return zh if language() == "zh" else en


def channel_of(entry: Any) -> Channel | None:
    value = entry.get("channel") if isinstance(entry, dict) else None
    return Channel(value) if value in set(Channel) else None


def channel_name(catalogue: Catalogue, entry: Any) -> str:
    """The channel's name in the teller's language, or the raw value of an unknown channel."""
    channel = channel_of(entry)
    if channel is None:
        raw = entry.get("channel") if isinstance(entry, dict) else None
        return tr("Unknown channel {value}").format(value=raw)
    info = catalogue.channels[channel]
    return zh_or_en(info.zh, info.en)


def service_of(entry: Any, catalogue: Catalogue) -> Service | None:
    """The entry as a :class:`Service` the function tree can start from; ``None`` for an unknown channel.

    A bundle the catalogue does not have for this channel is left out (the tree then starts empty and the
    validation's ``bundle_unknown`` is shown); an unknown mode is read as custom.
    """
    channel = channel_of(entry)
    if channel is None:
        return None
    mode_value = entry.get("mode")
    mode = ServiceMode(mode_value) if mode_value in set(ServiceMode) else ServiceMode.CUSTOM
    bundle_id = entry.get("bundle")
    bundle = catalogue.bundles.get(bundle_id) if isinstance(bundle_id, str) else None
    functions = tuple(f for f in entry.get("functions") or () if isinstance(f, str))
    if mode is ServiceMode.CUSTOM:
        return Service(channel, mode, None, functions)
    if bundle is None or bundle.channel is not channel:
        return Service(channel, ServiceMode.CUSTOM, None, ())
    return Service(channel, mode, bundle.id, ())


def entry_of(service: Service, old: Any = None) -> dict[str, Any]:
    """The document's entry for ``service`` (fields of ``old`` the contract does not know are kept)."""
    entry = dict(old) if isinstance(old, dict) else {}
    entry.update(
        {"channel": service.channel.value, "mode": service.mode.value, "bundle": service.bundle, "functions": list(service.functions)}
    )
    return entry


def entry_key(entry: Any) -> tuple[Any, ...]:
    """What of an entry the function tree shows (to tell whether the document changed under the page)."""
    if not isinstance(entry, dict):
        return (None,)
    functions = entry.get("functions")
    return (entry.get("channel"), entry.get("mode"), entry.get("bundle"), tuple(functions) if isinstance(functions, list) else None)


@dataclass(frozen=True)
class ServiceSummary:
    """One service as the review and the channel list show it."""

    channel: str
    offer: str
    """The bundle's name (it says standard or advanced), "custom", or what is wrong with the bundle."""
    checked: int
    total: int


def summarise(entry: Any, catalogue: Catalogue) -> ServiceSummary:
    name = channel_name(catalogue, entry)
    channel = channel_of(entry)
    if channel is None:
        return ServiceSummary(name, "", 0, 0)
    available = {f.id for f in catalogue.functions_for(channel)}
    if entry.get("mode") == ServiceMode.CUSTOM.value:
        functions = {f for f in entry.get("functions") or () if isinstance(f, str)}
        return ServiceSummary(name, value_names("mode", language())["custom"], len(functions & available), len(available))
    bundle = catalogue.bundles.get(entry.get("bundle") or "")
    if bundle is None or bundle.channel is not channel:
        return ServiceSummary(name, tr("unknown bundle {value}").format(value=entry.get("bundle")), 0, len(available))
    return ServiceSummary(name, zh_or_en(bundle.zh, bundle.en), len(set(bundle.functions) & available), len(available))
