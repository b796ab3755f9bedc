"""The product catalogue: channels, bundles, the function tree and the fee schedule.

Read from ``resources/catalogue/*.toml`` (zh and en names). The same data is
served by the central service's ``GET /api/v1/catalogue``; the client keeps
the shipped copy for training and offline validation. Loading checks the
data's own consistency and raises :class:`CatalogueError` naming the fault,
because a broken catalogue is an installation problem for branch IT, not a
teller's.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from teller_client.domain.model import Channel, Service, ServiceMode
from teller_client.errors import CatalogueError
from teller_client.resources import resource_path

TAGS = frozenset({"query", "payment", "payroll", "collect", "fx", "admin", "pooling", "bill"})
"""Function tags the business rules read (see ``functions.toml``)."""


@dataclass(frozen=True)
class FunctionInfo:
    id: str
    zh: str
    en: str
    tags: frozenset[str]
    menu_id: str
    group_id: str
    channels: frozenset[Channel]

    @property
    def is_payment(self) -> bool:
        return "payment" in self.tags


@dataclass(frozen=True)
class FunctionGroup:
    id: str
    zh: str
    en: str
    functions: tuple[FunctionInfo, ...]


@dataclass(frozen=True)
class Menu:
    id: str
    zh: str
    en: str
    channels: frozenset[Channel]
    groups: tuple[FunctionGroup, ...]


@dataclass(frozen=True)
class ChannelInfo:
    id: Channel
    zh: str
    en: str
    needs_group: bool
    needs_bank_code: bool
    needs_fx_account: bool
    custom_annual_fee: Decimal


@dataclass(frozen=True)
class Bundle:
    id: str
    channel: Channel
    mode: ServiceMode
    zh: str
    en: str
    description_zh: str
    description_en: str
    annual_fee: Decimal
    functions: tuple[str, ...]


@dataclass(frozen=True)
class MediaFee:
    zh: str
    en: str
    unit_fee: Decimal


@dataclass(frozen=True)
class Catalogue:
    version: str
    channels: Mapping[Channel, ChannelInfo]
    menus: tuple[Menu, ...]
    functions: Mapping[str, FunctionInfo]
    bundles: Mapping[str, Bundle]
    ukey_fee: MediaFee
    letter_fee: MediaFee

    def bundles_for(self, channel: Channel) -> tuple[Bundle, ...]:
        return tuple(b for b in self.bundles.values() if b.channel is channel)

    def functions_for(self, channel: Channel) -> tuple[FunctionInfo, ...]:
        return tuple(f for f in self.functions.values() if channel in f.channels)

    def service_functions(self, service: Service) -> tuple[FunctionInfo, ...]:
        """The catalogue functions a service grants (its bundle's, or the custom list); unknown ids are skipped."""
        if service.mode is ServiceMode.CUSTOM:
            ids: Iterable[str] = service.functions
        else:
            bundle = self.bundles.get(service.bundle or "")
            ids = bundle.functions if bundle is not None else ()
        return tuple(self.functions[i] for i in ids if i in self.functions)

    @property
    def counts(self) -> tuple[int, int, int]:
        """(first-level menus, second-level groups, functions)."""
        return len(self.menus), sum(len(m.groups) for m in self.menus), len(self.functions)


def _money(value: Any, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise CatalogueError(f"catalogue: {where} is not a decimal amount: {value!r}") from None
    if amount < 0:
        raise CatalogueError(f"catalogue: {where} is negative")
    return amount.quantize(Decimal("0.01"))


def _channel(value: Any, where: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise CatalogueError(f"catalogue: {where} names unknown channel {value!r}") from None


def _read(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise CatalogueError(f"catalogue file missing: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"catalogue file {path} is not valid TOML: {exc}") from exc


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Load and check the catalogue in ``folder`` (default: the shipped ``resources/catalogue``)."""
    if folder is None:
        return _shipped()
    return _load(folder)


@lru_cache(maxsize=1)
def _shipped() -> Catalogue:
    return _load(resource_path("catalogue"))


def _load(folder: Path) -> Catalogue:
    try:
        return _build(folder)
    except (KeyError, TypeError) as exc:
        raise CatalogueError(f"catalogue in {folder} lacks or mistypes a field: {exc}") from exc


def _build(folder: Path) -> Catalogue:
    channels_doc = _read(folder, "channels.toml")
    functions_doc = _read(folder, "functions.toml")
    bundles_doc = _read(folder, "bundles.toml")
    fees_doc = _read(folder, "fees.toml")

    channels: dict[Channel, ChannelInfo] = {}
    for item in channels_doc["channels"]:
        cid = _channel(item["id"], "channels.toml")
        channels[cid] = ChannelInfo(
            cid,
            item["zh"],
            item["en"],
            bool(item["needs_group"]),
            bool(item["needs_bank_code"]),
            bool(item["needs_fx_account"]),
            _money(item["custom_annual_fee"], f"custom_annual_fee of {cid}"),
        )
    missing = set(Channel) - set(channels)
    if missing:
        raise CatalogueError(f"catalogue: channels.toml lacks {sorted(missing)}")

    menus: list[Menu] = []
    functions: dict[str, FunctionInfo] = {}
    seen: set[str] = set()

    def unique(identifier: str) -> None:
        if identifier in seen:
            raise CatalogueError(f"catalogue: id {identifier!r} appears twice in functions.toml")
        seen.add(identifier)

    for m in functions_doc["menus"]:
        unique(m["id"])
        menu_channels = frozenset(_channel(c, f"menu {m['id']}") for c in m["channels"])
        groups = []
        for g in m["groups"]:
            unique(g["id"])
            if not g["id"].startswith(m["id"] + "."):
                raise CatalogueError(f"catalogue: group {g['id']!r} is not under menu {m['id']!r}")
            group_functions = []
            for f in g["functions"]:
                unique(f["id"])
                tags = frozenset(f.get("tags", ()))
                if not tags <= TAGS:
                    raise CatalogueError(f"catalogue: function {f['id']!r} has unknown tags {sorted(tags - TAGS)}")
                info = FunctionInfo(f["id"], f["zh"], f["en"], tags, m["id"], g["id"], menu_channels)
                functions[info.id] = info
                group_functions.append(info)
            groups.append(FunctionGroup(g["id"], g["zh"], g["en"], tuple(group_functions)))
        menus.append(Menu(m["id"], m["zh"], m["en"], menu_channels, tuple(groups)))

    bundles: dict[str, Bundle] = {}
    for b in bundles_doc["bundles"]:
        channel = _channel(b["channel"], f"bundle {b['id']}")
        mode = ServiceMode(b["mode"])
        if mode is ServiceMode.CUSTOM:
            raise CatalogueError(f"catalogue: bundle {b['id']!r} cannot be custom")
        for fid in b["functions"]:
            listed = functions.get(fid)
            if listed is None or channel not in listed.channels:
                raise CatalogueError(f"catalogue: bundle {b['id']!r} lists {fid!r}, not a {channel} function")
        bundles[b["id"]] = Bundle(
            b["id"],
            channel,
            mode,
            b["zh"],
            b["en"],
            b.get("description_zh", ""),
            b.get("description_en", ""),
            _money(b["annual_fee"], f"annual_fee of bundle {b['id']}"),
            tuple(b["functions"]),
        )

    def media(key: str) -> MediaFee:
        item = fees_doc[key]
        return MediaFee(item["zh"], item["en"], _money(item["unit_fee"], f"{key} unit_fee"))

    return Catalogue(
        version=str(functions_doc.get("version", channels_doc.get("version", "unknown"))),
        channels=channels,
        menus=tuple(menus),
        functions=functions,
        bundles=bundles,
        ukey_fee=media("ukey"),
        letter_fee=media("letter"),
    )
