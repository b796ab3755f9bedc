"""The services page's function tree for one channel, Qt-free: menus → groups → functions, checked by branch.

The teller starts from a bundle (standard or advanced: its functions checked) or from nothing (custom), checks or
unchecks a whole menu or group at once or single functions, and searches by name (Chinese or English) or id; every
node says how many of its functions are checked (``12/30``) and whether it is all, some or none. The result is the
:class:`~teller_client.domain.model.Service` the application carries: the bundle as it is when nothing changed, a
custom selection otherwise. Immutable: every change returns a new tree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from teller_client.domain.catalogue import Catalogue, FunctionInfo
from teller_client.domain.model import Channel, Service, ServiceMode


class Check(StrEnum):
    ALL = "all"
    SOME = "some"
    NONE = "none"


@dataclass(frozen=True)
class NodeView:
    """One row of the tree as a page shows it."""

    id: str
    level: int
    """0 menu, 1 group, 2 function."""
    zh: str
    en: str
    checked: int
    total: int

    @property
    def check(self) -> Check:
        return Check.ALL if self.checked == self.total and self.total else Check.SOME if self.checked else Check.NONE


@dataclass(frozen=True)
class FunctionTree:
    catalogue: Catalogue
    channel: Channel
    selected: frozenset[str]
    bundle: str | None = None
    """The bundle the selection started from; kept only while the selection is exactly the bundle's."""

    @classmethod
    def for_service(cls, catalogue: Catalogue, service: Service) -> FunctionTree:
        ids = frozenset(f.id for f in catalogue.service_functions(service))
        return cls(catalogue, service.channel, ids, service.bundle if service.mode is not ServiceMode.CUSTOM else None)

    @classmethod
    def empty(cls, catalogue: Catalogue, channel: Channel) -> FunctionTree:
        return cls(catalogue, channel, frozenset())

    def from_bundle(self, bundle_id: str) -> FunctionTree:
        bundle = self.catalogue.bundles[bundle_id]
        if bundle.channel is not self.channel:
            raise ValueError(f"bundle {bundle_id} is not for {self.channel}")
        return replace(self, selected=frozenset(bundle.functions) & self._available_ids(), bundle=bundle_id)

    # -- the tree --------------------------------------------------------------------------------------------

    def _functions(self, group_functions: tuple[FunctionInfo, ...]) -> list[FunctionInfo]:
        return [f for f in group_functions if self.channel in f.channels]

    def _available_ids(self) -> frozenset[str]:
        return frozenset(f.id for f in self.catalogue.functions_for(self.channel))

    def ids_under(self, node_id: str) -> frozenset[str]:
        """The channel's function ids under a menu, a group, or the function itself."""
        for menu in self.catalogue.menus:
            if menu.id == node_id:
                return frozenset(f.id for g in menu.groups for f in self._functions(g.functions))
            for group in menu.groups:
                if group.id == node_id:
                    return frozenset(f.id for f in self._functions(group.functions))
        if node_id in self._available_ids():
            return frozenset({node_id})
        raise KeyError(node_id)

    def rows(self, search: str = "") -> tuple[NodeView, ...]:
        """The tree as rows (menus, their groups, their functions) for this channel; ``search`` keeps matching
        functions and the menus and groups above them (case-insensitive, Chinese, English or id)."""
        needle = search.strip().lower()
        out: list[NodeView] = []
        for menu in self.catalogue.menus:
            menu_rows: list[NodeView] = []
            for group in menu.groups:
                functions = self._functions(group.functions)
                shown = [f for f in functions if not needle or needle in f.zh.lower() or needle in f.en.lower() or needle in f.id.lower()]
                if not shown:
                    continue
                group_ids = {f.id for f in functions}
                menu_rows.append(NodeView(group.id, 1, group.zh, group.en, len(group_ids & self.selected), len(group_ids)))
                menu_rows += [NodeView(f.id, 2, f.zh, f.en, int(f.id in self.selected), 1) for f in shown]
            if menu_rows:
                ids = self.ids_under(menu.id)
                out.append(NodeView(menu.id, 0, menu.zh, menu.en, len(ids & self.selected), len(ids)))
                out += menu_rows
        return tuple(out)

    @property
    def counts(self) -> tuple[int, int]:
        """(checked, available) functions of the channel."""
        available = self._available_ids()
        return len(self.selected & available), len(available)

    # -- changes ------------------------------------------------------------------------------------------------

    def set(self, node_id: str, checked: bool) -> FunctionTree:
        """Check or uncheck a node and everything under it."""
        ids = self.ids_under(node_id)
        selected = self.selected | ids if checked else self.selected - ids
        return self._with(selected)

    def toggle(self, node_id: str) -> FunctionTree:
        """Space on a row: a partly or un-checked node becomes all checked; an all-checked one none."""
        ids = self.ids_under(node_id)
        return self.set(node_id, not ids <= self.selected)

    def _with(self, selected: frozenset[str]) -> FunctionTree:
        bundle = self.bundle
        if bundle is not None and selected != frozenset(self.catalogue.bundles[bundle].functions) & self._available_ids():
            bundle = None
        return replace(self, selected=selected, bundle=bundle)

    def service(self) -> Service:
        """The application's service for this channel: the bundle when unchanged, else the custom selection in catalogue order."""
        if self.bundle is not None:
            return Service(self.channel, self.catalogue.bundles[self.bundle].mode, self.bundle)
        ordered = tuple(f.id for f in self.catalogue.functions_for(self.channel) if f.id in self.selected)
        return Service(self.channel, ServiceMode.CUSTOM, None, ordered)
