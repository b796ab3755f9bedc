"""Every business rule with an application that passes it and one that fails it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from teller_client.domain.messages import MESSAGES
from teller_client.domain.rules import RULES
from teller_client.domain.validation import validate
from tests.support.documents import (
    OTHER_BANK_ACCOUNT,
    OTHER_BANK_CODE,
    OWN_BASIC,
    OWN_GENERAL,
    SUBSIDIARY_ACCOUNT,
    TODAY,
    account,
    group_document,
    user,
    valid_document,
)

Doc = dict[str, Any]


def problems(doc: Doc) -> set[tuple[str, str]]:
    report = validate(doc, today=TODAY)
    assert report.application is not None, report.problems
    return {(p.pointer, p.code) for p in report.errors}


def with_service(doc: Doc, channel: str, bundle: str | None, mode: str = "standard", functions: list[str] | None = None) -> Doc:
    doc["services"].append({"channel": channel, "bundle": bundle, "mode": mode, "functions": functions or []})
    return doc


def custom(functions: list[str], channel: str = "corporate_online_banking") -> Doc:
    doc = valid_document()
    doc["services"] = [{"channel": channel, "bundle": None, "mode": "custom", "functions": functions}]
    return doc


QUERY_ONLY = ["account_enquiry.balance.current", "account_enquiry.balance.history"]
TRANSFER = "transfers.same_bank.entry"
PAYROLL = "payroll.salary.entry"
FX = "fx_business.fx_remittance.entry"


def _set(doc: Doc, path: str, value: Any) -> Doc:
    target: Any = doc
    keys = path.strip("/").split("/")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return doc


CASES: list[tuple[str, Callable[[], Doc], set[tuple[str, str]]]] = [
    # customer and group
    ("virtual customer without group", lambda: _set(group_document(), "/customer/group_uscc", None),
     {("/customer/group_uscc", "virtual_needs_group")}),
    ("cash management for a lone company", lambda: with_service(
        _set(valid_document(), "/accounts/1", account(SUBSIDIARY_ACCOUNT, "subsidiary")), "cash_management", "cash_pool_standard"),
     {("/services/1/channel", "cash_management_needs_group")}),
    ("cash management without subsidiary account", lambda: _set(group_document(), "/accounts/2/relation", "own"),
     {("/services/1/channel", "cash_management_needs_subsidiary")}),
    # payment accounts
    ("payments with query-only accounts", lambda: _set(_set(valid_document(), "/accounts/0/rights", ["query"]), "/accounts/1/rights", ["query"]),
     {("/accounts", "payment_needs_pay_account"), ("/accounts", "payroll_needs_basic_account")}),
    ("payments from a special account only", lambda: _set(_set(valid_document(), "/accounts/0/rights", ["query"]), "/accounts/1/type", "special"),
     {("/accounts", "payment_needs_pay_account"), ("/accounts", "payroll_needs_basic_account")}),
    ("payroll without a basic account", lambda: _set(custom([PAYROLL]), "/accounts/0/type", "general"),
     {("/accounts", "payroll_needs_basic_account")}),
    ("payroll with a subsidiary's basic account only", lambda: _set(_set(group_document(), "/accounts/0/type", "general"), "/accounts/2/type", "basic"),
     {("/accounts", "payroll_needs_basic_account")}),
    # account kinds
    ("basic account at another bank", lambda: _set(valid_document(), "/accounts/1",
        account(OTHER_BANK_ACCOUNT, "other_bank", "basic", ("query",), bank_code=OTHER_BANK_CODE)),
     {("/accounts/1/relation", "basic_account_not_own")}),
    ("subsidiary basic account for a lone company", lambda: _set(valid_document(), "/accounts/1", account(SUBSIDIARY_ACCOUNT, "subsidiary", "basic")),
     {("/accounts/1/relation", "basic_account_not_own")}),
    ("other-bank account without bank code", lambda: _set(valid_document(), "/accounts/1", account(OTHER_BANK_ACCOUNT, "other_bank", "general", ("query",))),
     {("/accounts/1/bank_code", "other_bank_needs_bank_code")}),
    ("temporary account without expiry", lambda: _set(valid_document(), "/accounts/1/type", "temporary"),
     {("/accounts/1/expires_on", "temporary_needs_expiry")}),
    ("temporary account expiring in 3 years", lambda: _set(_set(valid_document(), "/accounts/1/type", "temporary"), "/accounts/1/expires_on", "2029-11-23"),
     {("/accounts/1/expires_on", "temporary_expiry_range")}),
    ("temporary account already expired", lambda: _set(_set(valid_document(), "/accounts/1/type", "temporary"), "/accounts/1/expires_on", "2026-11-23"),
     {("/accounts/1/expires_on", "temporary_expiry_range")}),
    # channels that need particular accounts
    ("bank direct link without bank code", lambda: with_service(valid_document(), "bank_direct_link", "direct_link_standard"),
     {("/services/1/channel", "direct_link_needs_bank_code")}),
    ("cross-border without FX account", lambda: with_service(valid_document(), "cross_border_cash_management", "cross_border_standard"),
     {("/services/1/channel", "cross_border_needs_fx_account")}),
    ("custom FX function without FX account", lambda: custom([*QUERY_ONLY, FX]),
     {("/services/0/functions/2", "fx_function_needs_fx_account")}),
    # users
    ("payments with a maker only", lambda: _set(valid_document(), "/users", [user("赵六", "350203199001014529", "maker")]),
     {("/users", "payment_needs_dual_control")}),
    ("payments with an admin and password viewers", lambda: _set(_set(_set(valid_document(), "/users/1/role", "viewer"), "/users/1/credential", "password"),
        "/users/2", user("钱七", "440304198811112349", "viewer", "password")),
     {("/users", "payment_needs_dual_control")}),
    ("password user who can pay", lambda: _set(valid_document(), "/users/1/credential", "password"),
     {("/users/1/credential", "payment_rights_need_certificate")}),
    ("password administrator", lambda: _set(valid_document(), "/users/0/credential", "password"),
     {("/users/0/credential", "admin_needs_certificate")}),
    ("user with an account not in the application", lambda: _set(valid_document(), "/users/1/accounts", ["6222021001000055555"]),
     {("/users/1/accounts/0", "user_account_unknown")}),
    # services and the catalogue
    ("standard mode without bundle", lambda: _set(valid_document(), "/services/0/bundle", None),
     {("/services/0/bundle", "bundle_required")}),
    ("bundle of another channel", lambda: _set(valid_document(), "/services/0/bundle", "ebills_standard"),
     {("/services/0/bundle", "bundle_unknown")}),
    ("advanced bundle in standard mode", lambda: _set(valid_document(), "/services/0/bundle", "payments_advanced"),
     {("/services/0/bundle", "bundle_mode_mismatch")}),
    ("functions listed in standard mode", lambda: _set(valid_document(), "/services/0/functions", QUERY_ONLY),
     {("/services/0/functions", "functions_not_allowed")}),
    ("custom mode with nothing chosen", lambda: custom([]),
     {("/services/0/functions", "custom_needs_functions")}),
    ("custom function not in the catalogue", lambda: custom([*QUERY_ONLY, "account_enquiry.balance.teleport"]),
     {("/services/0/functions/2", "function_unknown")}),
    ("custom function of another channel", lambda: custom(["cash_pool.pool_setup.members", *QUERY_ONLY]),
     {("/services/0/functions/0", "function_wrong_channel")}),
    # request kinds and fees
    ("new signing without services", lambda: _set(valid_document(), "/services", []),
     {("/services", "list_empty")}),
    ("new signing without accounts and users", lambda: _set(_set(valid_document(), "/accounts", []), "/users", []),
     {("/accounts", "list_empty"), ("/users", "list_empty")}),
    ("closure listing services", lambda: _set(valid_document(), "/request", "close"),
     {("/services", "close_has_services")}),
    ("waiver without reason", lambda: _set(valid_document(), "/fees", {"waiver_requested": True, "reason": " "}),
     {("/fees/reason", "waiver_needs_reason")}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule_fails(name: str, make: Callable[[], Doc], expected: set[tuple[str, str]]) -> None:
    assert problems(make()) == expected


PASSING: list[tuple[str, Callable[[], Doc]]] = [
    ("standard payments for a company", valid_document),
    ("cash management for a group", group_document),
    ("query-only custom service needs no pay account", lambda: _set(_set(custom(QUERY_ONLY), "/accounts/0/rights", ["query"]), "/accounts/1/rights", ["query"])),
    ("query-only service lets password users act", lambda: _set(_set(custom(QUERY_ONLY), "/users/1/credential", "password"), "/users/2/credential", "password")),
    ("payments with an admin and one more certificate user", lambda: _set(_set(valid_document(), "/users/1/role", "viewer"), "/users/2/role", "viewer")),
    ("payments with a maker and an authorizer", lambda: _set(_set(valid_document(), "/users/0/role", "viewer"), "/users/2/role", "authorizer")),
    ("password viewer alongside payments", lambda: _set(valid_document(), "/users", [*valid_document()["users"], user("孙八", "110101197501010012", "viewer", "password")])),
    ("payments from a general account without payroll", lambda: _set(custom([TRANSFER]), "/accounts/0/rights", ["query"])),
    ("other-bank account with bank code and direct link", lambda: with_service(
        _set(valid_document(), "/accounts/1", account(OTHER_BANK_ACCOUNT, "other_bank", "general", ("query",), bank_code=OTHER_BANK_CODE)),
        "bank_direct_link", "direct_link_standard")),
    ("temporary account valid for a year", lambda: _set(_set(valid_document(), "/accounts/1/type", "temporary"), "/accounts/1/expires_on", "2027-11-22")),
    ("cross-border with a USD account", lambda: with_service(_set(valid_document(), "/accounts/1/currency", "USD"), "cross_border_cash_management", "cross_border_standard")),
    ("cross-border with an FX-capable CNY account", lambda: with_service(_set(valid_document(), "/accounts/1/fx_capable", True), "cross_border_cash_management", "cross_border_standard")),
    ("custom FX function with FX account", lambda: _set(custom([*QUERY_ONLY, FX]), "/accounts/1/currency", "USD")),
    ("advanced bundle", lambda: _set(_set(valid_document(), "/services/0/bundle", "payments_advanced"), "/services/0/mode", "advanced")),
    ("closure without services", lambda: _set(_set(valid_document(), "/request", "close"), "/services", [])),
    ("waiver with reason", lambda: _set(valid_document(), "/fees", {"waiver_requested": True, "reason": "战略客户首年减免"})),
    ("user limited to the accounts listed", lambda: _set(valid_document(), "/users/2/accounts", [OWN_BASIC, OWN_GENERAL])),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make"), PASSING, ids=[p[0] for p in PASSING])
def test_rule_passes(name: str, make: Callable[[], Doc]) -> None:
    assert problems(make()) == set()


def test_every_rule_is_exercised_by_a_failing_case() -> None:
    failing_codes = {code for _, _, expected in CASES for _, code in expected}
    for fn in RULES:
        codes_in_rule = {c for c in fn.__code__.co_consts if isinstance(c, str) and c in MESSAGES}
        assert codes_in_rule <= failing_codes, f"rule {fn.__name__}: no failing case for {codes_in_rule - failing_codes}"


def test_rules_use_the_business_date() -> None:
    doc = _set(_set(valid_document(), "/accounts/1/type", "temporary"), "/accounts/1/expires_on", "2027-11-22")
    assert validate(doc, today=TODAY).ok
    assert not validate(doc, today=date(2025, 11, 1)).ok  # more than two years ahead of that date
