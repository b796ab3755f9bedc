"""Names of the values of the application's enumerations (e-form contract section 4), in Chinese and English.

Documents print them, screens show them; an unknown value is shown as it is.
"""

from __future__ import annotations

VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "request": {"new": ("新签约", "new signing"), "modify": ("信息变更", "change"), "close": ("注销电子渠道", "closure")},
    "customer_kind": {"real": ("实体客户", "legal entity"), "virtual": ("虚拟客户（集团）", "virtual customer (group)")},
    "id_type": {
        "resident_id": ("居民身份证", "resident ID card"),
        "passport": ("护照", "passport"),
        "hk_macao_permit": ("港澳居民来往内地通行证", "Hong Kong/Macao permit"),
        "taiwan_permit": ("台湾居民来往大陆通行证", "Taiwan permit"),
        "foreign_permanent_resident": ("外国人永久居留身份证", "foreign permanent resident ID"),
    },
    "relation": {
        "own": ("本单位账户", "own account"),
        "subsidiary": ("成员单位账户", "group member's account"),
        "other_bank": ("他行账户", "account at another bank"),
        "one_account": ("一户通主账户", "one-account master"),
    },
    "account_type": {
        "basic": ("基本存款账户", "basic deposit account"),
        "general": ("一般存款账户", "general deposit account"),
        "special": ("专用存款账户", "special deposit account"),
        "temporary": ("临时存款账户", "temporary deposit account"),
    },
    "right": {"query": ("查询", "query"), "pay": ("支付", "pay"), "collect": ("收款", "collect")},
    "role": {
        "admin": ("企业管理员", "administrator"),
        "maker": ("录入员", "maker"),
        "checker": ("审核员", "checker"),
        "authorizer": ("授权员", "authorizer"),
        "viewer": ("查询员", "viewer"),
    },
    "credential": {"ukey": ("证书（UKey）", "certificate (UKey)"), "password": ("无证书（密码）", "password only")},
    "mode": {"standard": ("标准版", "standard"), "advanced": ("高级版", "advanced"), "custom": ("自定义", "custom")},
    "currency": {
        "CNY": ("人民币", "CNY"),
        "USD": ("美元", "USD"),
        "EUR": ("欧元", "EUR"),
        "HKD": ("港币", "HKD"),
        "JPY": ("日元", "JPY"),
        "GBP": ("英镑", "GBP"),
    },
}


def value_names(kind: str, lang: str = "zh") -> dict[str, str]:
    """``{value: name}`` of one enumeration in ``lang`` (``zh`` or ``en``)."""
    index = 0 if lang.startswith("zh") else 1
    return {value: names[index] for value, names in VALUE_LABELS[kind].items()}
