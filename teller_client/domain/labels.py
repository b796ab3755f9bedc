"""Field labels for messages, keyed by JSON pointer with list indices written as ``*``."""

from __future__ import annotations

import re

from teller_client.domain.messages import Bilingual

LABELS: dict[str, tuple[str, str]] = {
    "/schema": ("表单版本", "schema"),
    "/form_id": ("表单编号", "form id"),
    "/created_at": ("填表时间", "created at"),
    "/expires_at": ("失效时间", "expires at"),
    "/request": ("申请类型", "request"),
    "/customer": ("客户信息", "customer"),
    "/customer/name": ("客户名称", "customer name"),
    "/customer/uscc": ("统一社会信用代码", "USCC"),
    "/customer/kind": ("客户类型", "customer kind"),
    "/customer/group_uscc": ("集团统一社会信用代码", "group USCC"),
    "/customer/legal_rep": ("法定代表人", "legal representative"),
    "/customer/legal_rep/name": ("法定代表人姓名", "legal representative's name"),
    "/customer/legal_rep/id_type": ("法定代表人证件类型", "legal representative's ID type"),
    "/customer/legal_rep/id_number": ("法定代表人证件号码", "legal representative's ID number"),
    "/customer/contact": ("联系人", "contact"),
    "/customer/contact/name": ("联系人姓名", "contact name"),
    "/customer/contact/mobile": ("联系人手机", "contact mobile"),
    "/customer/contact/email": ("联系人邮箱", "contact e-mail"),
    "/customer/contact/address": ("联系地址", "contact address"),
    "/accounts": ("账户", "accounts"),
    "/accounts/*": ("账户", "account"),
    "/accounts/*/number": ("账号", "account number"),
    "/accounts/*/relation": ("账户关系", "account relation"),
    "/accounts/*/type": ("账户性质", "account type"),
    "/accounts/*/currency": ("币种", "currency"),
    "/accounts/*/bank_code": ("开户行行号", "bank code"),
    "/accounts/*/rights": ("账户权限", "account rights"),
    "/accounts/*/rights/*": ("账户权限", "account right"),
    "/accounts/*/expires_on": ("账户有效期", "account expiry"),
    "/accounts/*/fx_capable": ("结售汇功能", "FX capable"),
    "/users": ("操作员", "users"),
    "/users/*": ("操作员", "user"),
    "/users/*/name": ("操作员姓名", "operator name"),
    "/users/*/id_type": ("操作员证件类型", "operator ID type"),
    "/users/*/id_number": ("操作员证件号码", "operator ID number"),
    "/users/*/mobile": ("操作员手机", "operator mobile"),
    "/users/*/email": ("操作员邮箱", "operator e-mail"),
    "/users/*/role": ("操作员角色", "operator role"),
    "/users/*/credential": ("认证方式", "credential"),
    "/users/*/accounts": ("可用账户", "operator accounts"),
    "/users/*/accounts/*": ("可用账户", "operator account"),
    "/users/*/limits": ("限额", "limits"),
    "/users/*/limits/per_txn": ("单笔限额", "per-transaction limit"),
    "/users/*/limits/daily": ("日累计限额", "daily limit"),
    "/services": ("签约业务", "services"),
    "/services/*": ("签约业务", "service"),
    "/services/*/channel": ("渠道", "channel"),
    "/services/*/bundle": ("产品套餐", "bundle"),
    "/services/*/mode": ("模式", "mode"),
    "/services/*/functions": ("功能", "functions"),
    "/services/*/functions/*": ("功能", "function"),
    "/fees": ("费用", "fees"),
    "/fees/waiver_requested": ("申请减免", "waiver requested"),
    "/fees/reason": ("减免原因", "waiver reason"),
}

_INDEX = re.compile(r"/\d+(?=/|$)")


def label(pointer: str) -> Bilingual:
    """The (zh, en) label of the field at ``pointer``; the pointer itself when none is known."""
    key = _INDEX.sub("/*", pointer)
    zh, en = LABELS.get(key, (pointer, pointer))
    return Bilingual(zh, en)
