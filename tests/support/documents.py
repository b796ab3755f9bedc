"""Builders of eform/1 documents for tests: one valid application, changed per test."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

TODAY = date(2026, 11, 23)
"""The business date the tests validate on."""

CUSTOMER_USCC = "91350200M000100Y48"  # from the e-form contract's example
GROUP_USCC = "91350200MA31ABCD0D"
SUBSIDIARY_USCC = "91350200MA2Y3K4LX9"
ORG_CODE_WARNING_USCC = "91350200MA31ABCD1G"  # valid check character, organisation-code part fails GB 11714

ADMIN_ID = "350203198506123013"
MAKER_ID = "350203199001014529"
CHECKER_ID = "440304198811112349"
REP_ID = "11010519491231002X"

OWN_BASIC = "6222021001000012345"
OWN_GENERAL = "6222021001000067890"
SUBSIDIARY_ACCOUNT = "6222021001000099999"
OTHER_BANK_ACCOUNT = "310066771018000123456"
OTHER_BANK_CODE = "301290000007"


def user(name: str, id_number: str, role: str, credential: str = "ukey", accounts: Any = "all", **extra: Any) -> dict[str, Any]:
    doc = {
        "name": name,
        "id_type": "resident_id",
        "id_number": id_number,
        "mobile": "13900139000",
        "role": role,
        "credential": credential,
        "accounts": accounts,
        "limits": {"per_txn": "500000.00", "daily": "2000000.00"},
    }
    doc.update(extra)
    return doc


def account(
    number: str, relation: str = "own", type_: str = "general", rights: tuple[str, ...] = ("query", "pay"), **extra: Any
) -> dict[str, Any]:
    doc = {"number": number, "relation": relation, "type": type_, "currency": "CNY", "bank_code": None, "rights": list(rights)}
    doc.update(extra)
    return doc


_VALID: dict[str, Any] = {
    "schema": "eform/1",
    "form_id": "EF20261122000123",
    "created_at": "2026-11-20T09:12:00+08:00",
    "expires_at": "2026-12-20T00:00:00+08:00",
    "request": "new",
    "customer": {
        "name": "厦门示例贸易有限公司",
        "uscc": CUSTOMER_USCC,
        "kind": "real",
        "group_uscc": None,
        "legal_rep": {"name": "张三", "id_type": "resident_id", "id_number": REP_ID},
        "contact": {"name": "李四", "mobile": "13800138000", "email": "finance@example.cn", "address": "厦门市思明区示例路1号"},
    },
    "accounts": [account(OWN_BASIC, "own", "basic"), account(OWN_GENERAL, "own", "general")],
    "users": [
        user("王五", ADMIN_ID, "admin"),
        user("赵六", MAKER_ID, "maker", accounts=[OWN_BASIC]),
        user("钱七", CHECKER_ID, "checker"),
    ],
    "services": [{"channel": "corporate_online_banking", "bundle": "payments_standard", "mode": "standard", "functions": []}],
    "fees": {"waiver_requested": False, "reason": None},
}


def valid_document() -> dict[str, Any]:
    """A complete, valid application (a fresh deep copy each call)."""
    return copy.deepcopy(_VALID)


def group_document() -> dict[str, Any]:
    """A valid cash-management application for a group (virtual customer with a subsidiary account)."""
    doc = valid_document()
    doc["customer"]["kind"] = "virtual"
    doc["customer"]["group_uscc"] = GROUP_USCC
    doc["accounts"].append(account(SUBSIDIARY_ACCOUNT, "subsidiary", "general"))
    doc["services"].append({"channel": "cash_management", "bundle": "cash_pool_standard", "mode": "standard", "functions": []})
    return doc
