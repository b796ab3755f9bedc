"""The services page's function tree over the shipped catalogue: branches, counts, search, bundle or custom."""

from __future__ import annotations

import pytest

from teller_client.domain.catalogue import load_catalogue
from teller_client.domain.model import Channel, Service, ServiceMode
from teller_client.flows.function_tree import Check, FunctionTree

CATALOGUE = load_catalogue()
OB = Channel.CORPORATE_ONLINE_BANKING


def row(tree: FunctionTree, node_id: str, search: str = "") -> object:
    return next(r for r in tree.rows(search) if r.id == node_id)


def test_a_bundle_checks_its_functions_and_stays_the_bundle_until_something_changes() -> None:
    tree = FunctionTree.empty(CATALOGUE, OB).from_bundle("payments_standard")
    assert tree.counts == (68, 311)
    assert tree.service() == Service(OB, ServiceMode.STANDARD, "payments_standard")
    some_function = sorted(tree.selected)[0]
    changed = tree.set(some_function, False)
    assert changed.counts == (67, 311) and changed.bundle is None
    service = changed.service()
    assert service.mode is ServiceMode.CUSTOM and len(service.functions) == 67 and some_function not in service.functions
    assert changed.set(some_function, True).service().mode is ServiceMode.CUSTOM  # back to the same set: custom now, by choice
    assert FunctionTree.for_service(CATALOGUE, tree.service()) == tree


def test_checking_a_menu_checks_every_function_under_it_and_the_counts_follow() -> None:
    tree = FunctionTree.empty(CATALOGUE, OB)
    menu = CATALOGUE.menus[0]
    group = menu.groups[0]
    tree = tree.set(group.id, True)
    assert row(tree, group.id).check is Check.ALL  # type: ignore[attr-defined]
    assert row(tree, menu.id).check is (Check.ALL if len(menu.groups) == 1 else Check.SOME)  # type: ignore[attr-defined]
    tree = tree.toggle(menu.id)  # partly checked → all
    assert row(tree, menu.id).check is Check.ALL  # type: ignore[attr-defined]
    menu_row = row(tree, menu.id)
    assert menu_row.checked == menu_row.total == len(tree.ids_under(menu.id)) > 0  # type: ignore[attr-defined]
    tree = tree.toggle(menu.id)  # all → none
    assert row(tree, menu.id).check is Check.NONE and tree.counts[0] == 0  # type: ignore[attr-defined]


def test_search_keeps_matches_and_the_branches_above_them() -> None:
    tree = FunctionTree.empty(CATALOGUE, OB)
    first = CATALOGUE.menus[0].groups[0].functions[0]
    rows = tree.rows(first.zh)
    assert [r.level for r in rows[:2]] == [0, 1] and first.id in {r.id for r in rows}
    assert {r.id for r in tree.rows(first.en.upper()) if r.level == 2} >= {first.id}
    assert tree.rows("没有这样的功能 no such function") == ()


def test_only_the_channels_functions_are_offered() -> None:
    tree = FunctionTree.empty(CATALOGUE, Channel.BIDDING)
    assert tree.counts == (0, 17)
    assert all(Channel.BIDDING in CATALOGUE.functions[r.id].channels for r in tree.rows() if r.level == 2)
    with pytest.raises(ValueError):
        tree.from_bundle("payments_standard")
    with pytest.raises(KeyError):
        tree.set("no.such.node", True)
