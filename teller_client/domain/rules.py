"""Business rules: which services need which accounts, users and data.

Each rule is a function over a well-formed application and the catalogue
that yields :class:`Problem` values; it reads channel flags and function tags
from the catalogue data rather than naming products in code. The central
service runs the same rules on submission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from teller_client.domain.catalogue import Catalogue, FunctionInfo
from teller_client.domain.messages import Bilingual
from teller_client.domain.model import (
    AccountRelation,
    AccountRight,
    AccountType,
    Application,
    CustomerKind,
    RequestKind,
    Role,
    ServiceMode,
)
from teller_client.domain.problems import Problem, problem

Rule = Callable[[Application, Catalogue, date], Iterator[Problem]]
RULES: list[Rule] = []

TEMPORARY_ACCOUNT_MAX_DAYS = 731
"""A temporary deposit account is valid for at most two years (PBOC rules)."""


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def _is_group(app: Application) -> bool:
    return app.customer.kind is CustomerKind.VIRTUAL or app.customer.group_uscc is not None


def _granted(app: Application, catalogue: Catalogue) -> list[tuple[int, FunctionInfo]]:
    """Every catalogue function the application's services grant, with the service's index."""
    return [(i, f) for i, s in enumerate(app.services) for f in catalogue.service_functions(s)]


def _has_payments(app: Application, catalogue: Catalogue) -> bool:
    return any(f.is_payment for _, f in _granted(app, catalogue))


@rule
def required_parts(app: Application, catalogue: Catalogue, today: date) -> Iterator[Problem]:
    if app.request is RequestKind.CLOSE:
        if app.services:
            yield problem("/services", "close_has_services")
        return
    for key, label_zh, label_en, items in (
        ("accounts", "账户", "account", app.accounts),
        ("users", "操作员", "user", app.users),
        ("services", "签约业务", "service", app.services),
    ):
        if not items:
            yield problem(f"/{key}", "list_empty", field=Bilingual(label_zh, label_en))


@rule
def customer_group(app: Application, catalogue: Catalogue, today: date) -> Iterator[Problem]:
    if app.customer.kind is CustomerKind.VIRTUAL and app.customer.group_uscc is None:
        yield problem("/customer/group_uscc", "virtual_needs_group")
    for i, service in enumerate(app.services):
        if not catalogue.channels[service.channel].needs_group:
            continue
        if not _is_group(app):
            yield problem(f"/services/{i}/channel", "cash_management_needs_group")
        if not any(a.relation is AccountRelation.SUBSIDIARY for a in app.accounts):
            yield problem(f"/services/{i}/channel", "cash_management_needs_subsidiary")


@rule
def service_catalogue(app: Application, catalogue: Catalogue, today: date) -> Iterator[Problem]:
    for i, service in enumerate(app.services):
        here = f"/services/{i}"
        if service.mode is ServiceMode.CUSTOM:
            if not service.functions:
                yield problem(f"{here}/functions", "custom_needs_functions")
            for j, fid in enumerate(service.functions):
                info = catalogue.functions.get(fid)
                if info is None:
                    yield problem(f"{here}/functions/{j}", "function_unknown", value=fid)
                elif service.channel not in info.channels:
                    yield problem(f"{here}/functions/{j}", "function_wrong_channel", value=fid, channel=service.channel.value)
            continue
        if service.functions:
            yield problem(f"{here}/functions", "functions_not_allowed")
        if service.bundle is None:
            yield problem(f"{here}/bundle", "bundle_required")
            continue
        bundle = catalogue.bundles.get(service.bundle)
        if bundle is None or bundle.channel is not service.channel:
            yield problem(f"{here}/bundle", "bundle_unknown", value=service.bundle, channel=service.channel.value)
        elif bundle.mode is not service.mode:
            yield problem(f"{here}/bundle", "bundle_mode_mismatch", value=bundle.id, bundle_mode=bundle.mode.value, mode=service.mode.value)


@rule
def payment_accounts(app: Application, catalogue: Catalogue, today: date) -> Iterator[Problem]:
    if not app.accounts:
        return  # "at least one account" is already said; more about accounts would be noise
    granted = [f for _, f in _granted(app, catalogue)]
    pay_account = any(a.can_pay and a.type in (AccountType.BASIC, AccountType.GENERAL) for a in app.accounts)
    if any(f.is_payment for f in granted) and not pay_account:
        yield problem("/accounts", "payment_needs_pay_account")
    own_basic = any(a.can_pay and a.type is AccountType.BASIC and a.relation is AccountRelation.OWN for a in app.accounts)
    if any("payroll" in f.tags for f in granted) and not own_basic:
        yield problem("/accounts", "payroll_needs_basic_account")


@rule
def account_kinds(app: Application, catalogue: Catalogue, today: date) -> Iterator[Problem]:
    group = _is_group(app)
    latest = date.fromordinal(today.toordinal() + TEMPORARY_ACCOUNT_MAX_DAYS)
    for i, account in enumerate(app.accounts):
        here = f"/accounts/{i}"
        if account.type is AccountType.BASIC:
            allowed = {AccountRelation.OWN} | ({AccountRelation.SUBSIDIARY} if group else set())
            if account.relation not in allowed:
                yield problem(f"{here}/relation", "basic_account_not_own")
        if account.relation is AccountRelation.OTHER_BANK and account.bank_code is None:
            yield problem(f"{here}/bank_code", "other_bank_needs_bank_code")
        if account.type is AccountType.TEMPORARY:
            if account.expires_on is None:
                yield problem(f"{here}/expires_on", "temporary_needs_expiry")
            elif not today < account.expires_on <= latest:
                yield problem(
                    f"{here}/expires_on", "temporary_expiry_range", date=account.expires_on.isoformat(), latest=latest.isoformat()
                )


@rule
def channel_accounts(app: Application, catalogue: Catalogue, today: date) -> Iterator[Problem]:
    has_fx = any(a.is_fx for a in app.accounts)
    for i, service in enumerate(app.services):
        info = catalogue.channels[service.channel]
        if info.needs_bank_code and not any(a.bank_code for a in app.accounts):
            yield problem(f"/services/{i}/channel", "direct_link_needs_bank_code")
        if info.needs_fx_account and not has_fx:
            yield problem(f"/services/{i}/channel", "cross_border_needs_fx_account")
        elif service.mode is ServiceMode.CUSTOM and not has_fx:
            # Chosen one by one, an FX function is a request the accounts must support.
            fx = [j for j, fid in enumerate(service.functions) if "fx" in getattr(catalogue.functions.get(fid), "tags", ())]
            if fx:
                yield problem(f"/services/{i}/functions/{fx[0]}", "fx_function_needs_fx_account")


@rule
def users(app: Application, catalogue: Catalogue, today: date) -> Iterator[Problem]:
    numbers = {a.number for a in app.accounts}
    payments = _has_payments(app, catalogue)
    for i, user in enumerate(app.users):
        here = f"/users/{i}"
        if user.accounts != "all":
            for j, number in enumerate(user.accounts):
                if number not in numbers:
                    yield problem(f"{here}/accounts/{j}", "user_account_unknown", number=number)
        if user.role is Role.ADMIN and not user.is_certificate_user:
            yield problem(f"{here}/credential", "admin_needs_certificate")
        elif (
            payments
            and user.role in (Role.MAKER, Role.CHECKER, Role.AUTHORIZER)
            and not user.is_certificate_user
            and any(AccountRight.PAY in a.rights for a in app.user_accounts(user))
        ):
            yield problem(f"{here}/credential", "payment_rights_need_certificate")
    if payments and app.users:
        roles = [u.role for u in app.users]
        maker_checker = Role.MAKER in roles and (Role.CHECKER in roles or Role.AUTHORIZER in roles)
        certificate_users = [u for u in app.users if u.is_certificate_user]
        admin_plus_one = any(u.role is Role.ADMIN for u in certificate_users) and len(certificate_users) >= 2
        if not (maker_checker or admin_plus_one):
            yield problem("/users", "payment_needs_dual_control")


@rule
def fee_request(app: Application, catalogue: Catalogue, today: date) -> Iterator[Problem]:
    if app.fees.waiver_requested and not app.fees.reason:
        yield problem("/fees/reason", "waiver_needs_reason")


def check_rules(app: Application, catalogue: Catalogue, today: date) -> list[Problem]:
    """Every business-rule problem of ``app``, in rule order."""
    return [p for fn in RULES for p in fn(app, catalogue, today)]
