"""Every problem code of the domain layer with its Chinese and English message.

Codes are stable: the UI, the central service, tests and branch reports key
on them. Messages use ``{placeholders}`` filled by :func:`render`. A unit test
checks that both languages use the same placeholders.
"""

from __future__ import annotations

import string
from typing import Any, NamedTuple


class Bilingual(NamedTuple):
    """A message parameter that reads differently in each language (a field label, a type name)."""

    zh: str
    en: str


MESSAGES: dict[str, tuple[str, str]] = {
    # --- document shape -------------------------------------------------
    "required": ("必填项“{field}”缺失。", "Required field '{field}' is missing."),
    "empty": ("“{field}”不能为空。", "'{field}' must not be empty."),
    "wrong_type": ("“{field}”应为{expected_zh}。", "'{field}' must be {expected_en}."),
    "not_allowed": (
        "“{field}”的取值“{value}”不允许；可选：{allowed}。",
        "'{field}' cannot be '{value}'; allowed: {allowed}.",
    ),
    "too_long": ("“{field}”最多 {max} 个字符，现有 {length} 个。", "'{field}' has {length} characters; at most {max}."),
    "schema_unsupported": (
        "表单版本“{value}”不受支持，应为 eform/1。",
        "Form schema '{value}' is not supported; expected eform/1.",
    ),
    "form_id_format": (
        "表单编号应为 1–32 位大写字母或数字。",
        "The form id must be 1 to 32 upper-case letters or digits.",
    ),
    "datetime_format": (
        "“{field}”应为带时区的时间，例如 2026-11-20T09:12:00+08:00。",
        "'{field}' must be a date and time with offset, e.g. 2026-11-20T09:12:00+08:00.",
    ),
    "date_format": ("“{field}”应为日期，格式 YYYY-MM-DD。", "'{field}' must be a date as YYYY-MM-DD."),
    "expires_before_created": ("表单失效时间早于填表时间。", "The form expires before it was created."),
    "list_empty": ("至少需要一项“{field}”。", "At least one '{field}' is required."),
    "duplicate_account": (
        "账号 {number} 重复出现（与第 {first} 项相同）。",
        "Account {number} appears twice (same as item {first}).",
    ),
    "duplicate_user": (
        "该证件号码的操作员重复（与第 {first} 位相同）。",
        "This operator's ID number is the same as operator {first}'s.",
    ),
    "duplicate_channel": (
        "渠道“{channel}”重复签约（与第 {first} 项相同）。",
        "Channel '{channel}' is listed twice (same as item {first}).",
    ),
    "duplicate_right": ("账户权限“{value}”重复。", "Account right '{value}' is listed twice."),
    # --- business licence QR codes -----------------------------------------
    "licence_no_uscc": (
        "扫描或输入的内容中没有统一社会信用代码（18 位）。请扫描营业执照上的二维码；如果二维码中不含代码（部分执照只链接到网页），"
        "请手工录入执照上印的统一社会信用代码。",
        "No Unified Social Credit Code (18 characters) was found in what was scanned or typed. Scan the QR code on "
        "the business licence; if it holds no code (some licences link to a web page only), type the code printed on the licence.",
    ),
    "licence_uscc_check_character": (
        "{uscc} 不是有效的统一社会信用代码：校验位（第 18 位）与前 17 位不符，代码有误或读取有误。请与营业执照上印的代码逐位核对。",
        "{uscc} is not a valid Unified Social Credit Code: its check character (the 18th) does not match "
        "the first 17, so the code is wrong or was misread. Compare it with the code printed on the business licence.",
    ),
    "licence_ambiguous_uscc": (
        "扫描或输入的内容中有多个统一社会信用代码（{codes}），请按营业执照上印的代码手工录入。",
        "What was scanned or typed holds more than one Unified Social Credit Code ({codes}); "
        "type the code printed on the business licence.",
    ),
    # --- identifiers ----------------------------------------------------
    "uscc_length": (
        "统一社会信用代码应为 18 位，现为 {length} 位。",
        "A Unified Social Credit Code has 18 characters; this one has {length}.",
    ),
    "uscc_charset": (
        "统一社会信用代码第 {position} 位“{char}”不是允许的字符（数字及除 I、O、S、V、Z 以外的大写字母）。",
        "Character {position} ('{char}') of the Unified Social Credit Code is not allowed "
        "(digits and capital letters except I, O, S, V, Z).",
    ),
    "uscc_division": (
        "统一社会信用代码第 3–8 位应为 6 位数字的行政区划码。",
        "Characters 3 to 8 of the Unified Social Credit Code must be the 6-digit administrative division code.",
    ),
    "uscc_check_character": (
        "统一社会信用代码校验位（第 18 位）与前 17 位不符，请逐位核对营业执照。",
        "The check character (18th) of the Unified Social Credit Code does not match the first 17; "
        "compare each character with the business licence.",
    ),
    "uscc_org_code": (
        "统一社会信用代码中的组织机构代码（第 9–17 位）校验位不符（GB 11714）；请核对营业执照，确认无误可继续。",
        "The organisation code inside the USCC (characters 9 to 17) fails its GB 11714 check; "
        "compare with the business licence, and go on if it is right.",
    ),
    "resident_id_legacy": (
        "15 位旧版身份证号码已停止使用，请提供 18 位居民身份证号码。",
        "15-digit ID numbers are no longer in use; ask for the 18-character resident ID number.",
    ),
    "resident_id_length": (
        "居民身份证号码应为 18 位，现为 {length} 位。",
        "A resident ID number has 18 characters; this one has {length}.",
    ),
    "resident_id_charset": (
        "居民身份证号码前 17 位应为数字，第 18 位为数字或 X。",
        "A resident ID number is 17 digits followed by a digit or X.",
    ),
    "resident_id_region": (
        "居民身份证号码前两位“{region}”不是有效的省级行政区划代码。",
        "The first two digits '{region}' of the resident ID number are not a province code.",
    ),
    "resident_id_birth_date": (
        "居民身份证号码中的出生日期“{date}”不是有效日期。",
        "The birth date '{date}' in the resident ID number is not a real date.",
    ),
    "resident_id_birth_future": (
        "居民身份证号码中的出生日期“{date}”晚于今天。",
        "The birth date '{date}' in the resident ID number is in the future.",
    ),
    "resident_id_check_character": (
        "居民身份证号码校验位（第 18 位）与前 17 位不符，请逐位核对证件。",
        "The check character (18th) of the resident ID number does not match the first 17 digits; compare each digit with the ID card.",
    ),
    "passport_format": (
        "护照号码应为 5–20 位字母或数字。",
        "A passport number has 5 to 20 letters or digits.",
    ),
    "hk_macao_permit_format": (
        "港澳居民来往内地通行证号码应为 H 或 M 加 8 位（旧版 10 位）数字。",
        "A Hong Kong/Macao permit number is H or M followed by 8 (old: 10) digits.",
    ),
    "taiwan_permit_format": (
        "台湾居民来往大陆通行证号码应为 8 位数字（旧版 10 位数字，可带一位字母）。",
        "A Taiwan permit number has 8 digits (old: 10 digits, possibly with a letter).",
    ),
    "foreign_permanent_resident_format": (
        "外国人永久居留身份证号码应为 3 位字母加 12 位数字（旧版），或 9 开头的 18 位号码（新版）。",
        "A foreign permanent resident ID is 3 letters and 12 digits (old) or 18 characters starting with 9 (new).",
    ),
    "mobile_format": (
        "手机号码应为 1 开头的 11 位数字。",
        "A mobile number has 11 digits starting with 1.",
    ),
    "email_format": ("电子邮箱格式不正确。", "The e-mail address is not well formed."),
    "account_number_format": (
        "账号应为 {min}–{max} 位数字，不含字母或符号（现为 {length} 个字符）。",
        "An account number is {min} to {max} digits and nothing else (this has {length} characters).",
    ),
    "bank_code_format": (
        "行号应为 12 位数字的大额支付系统行号（CNAPS）。",
        "A bank code is the 12-digit CNAPS code.",
    ),
    "currency_unknown": (
        "币种“{value}”不是 ISO 4217 币种代码。",
        "Currency '{value}' is not an ISO 4217 code.",
    ),
    "amount_format": (
        "金额应为大于 0、最多两位小数的数字，例如 500000.00。",
        "An amount is a number above 0 with at most two decimals, e.g. 500000.00.",
    ),
    "limit_order": (
        "单笔限额 {per_txn} 大于日累计限额 {daily}。",
        "The per-transaction limit {per_txn} is above the daily limit {daily}.",
    ),
    "text_format": (
        "“{field}”含有不可见的控制字符。",
        "'{field}' contains invisible control characters.",
    ),
    # --- business rules (domain/rules.py) --------------------------------
    "virtual_needs_group": (
        "虚客户必须填写集团统一社会信用代码。",
        "A virtual customer needs the group's Unified Social Credit Code.",
    ),
    "cash_management_needs_group": (
        "现金管理须为集团签约：虚客户，或填写集团统一社会信用代码。",
        "Cash management is for groups: a virtual customer, or a group Unified Social Credit Code.",
    ),
    "cash_management_needs_subsidiary": (
        "现金管理至少需要一个附属账户（集团成员单位账户）。",
        "Cash management needs at least one subsidiary account (a group member's account).",
    ),
    "payment_needs_pay_account": (
        "所选业务含支付功能，须有一个具有“支付”权限的基本或一般存款账户。",
        "The services include payments: a basic or general account with the 'pay' right is required.",
    ),
    "payroll_needs_basic_account": (
        "代发工资须使用客户本单位的基本存款账户，并开通“支付”权限。",
        "Payroll needs the customer's own basic account with the 'pay' right.",
    ),
    "basic_account_not_own": (
        "基本存款账户必须是客户本单位的账户（集团签约时也可为成员单位的账户）。",
        "A basic account must be the customer's own (or, for a group, a member's own) account.",
    ),
    "other_bank_needs_bank_code": (
        "他行账户必须填写开户行行号。",
        "An other-bank account needs its bank code.",
    ),
    "direct_link_needs_bank_code": (
        "银银直联至少需要一个填写了行号的他行账户。",
        "Bank direct link needs at least one other-bank account with a bank code.",
    ),
    "cross_border_needs_fx_account": (
        "跨境现金管理须有外币账户或开通结售汇的账户。",
        "Cross-border cash management needs a foreign-currency or FX-capable account.",
    ),
    "fx_function_needs_fx_account": (
        "所选外汇功能须有外币账户或开通结售汇的账户。",
        "The FX functions chosen need a foreign-currency or FX-capable account.",
    ),
    "temporary_needs_expiry": (
        "临时存款账户必须填写有效期（expires_on）。",
        "A temporary account needs its expiry date (expires_on).",
    ),
    "temporary_expiry_range": (
        "临时存款账户有效期 {date} 应晚于今天且不超过两年（{latest} 之前）。",
        "A temporary account's expiry {date} must be after today and within two years (by {latest}).",
    ),
    "payment_needs_dual_control": (
        "支付业务须企业内部双人控制：至少一名录入员和一名审核员或授权员，或一名企业管理员加另一名证书用户。",
        "Payments need dual control inside the company: a maker and a checker or authorizer, "
        "or an administrator and one more certificate user.",
    ),
    "payment_rights_need_certificate": (
        "该操作员可动用有“支付”权限的账户，必须为证书（UKey）用户。",
        "This operator can act on accounts with the 'pay' right and must be a certificate (UKey) user.",
    ),
    "admin_needs_certificate": (
        "企业管理员必须为证书（UKey）用户。",
        "The company administrator must be a certificate (UKey) user.",
    ),
    "user_account_unknown": (
        "操作员的账户 {number} 不在本申请的账户列表中。",
        "The operator's account {number} is not among this application's accounts.",
    ),
    "bundle_unknown": (
        "产品套餐“{value}”不在渠道“{channel}”的产品目录中。",
        "Bundle '{value}' is not in the catalogue for channel '{channel}'.",
    ),
    "bundle_mode_mismatch": (
        "产品套餐“{value}”为{bundle_mode}版，与所选模式“{mode}”不符。",
        "Bundle '{value}' is the {bundle_mode} bundle, not '{mode}'.",
    ),
    "bundle_required": ("标准或高级模式须选择产品套餐。", "Standard and advanced modes need a bundle."),
    "custom_needs_functions": (
        "自定义模式至少选择一项功能。",
        "Custom mode needs at least one function.",
    ),
    "function_unknown": (
        "功能“{value}”不在产品目录中。",
        "Function '{value}' is not in the catalogue.",
    ),
    "function_wrong_channel": (
        "功能“{value}”不属于渠道“{channel}”。",
        "Function '{value}' does not belong to channel '{channel}'.",
    ),
    "functions_not_allowed": (
        "标准或高级模式的功能由套餐决定，不能另选功能。",
        "In standard and advanced modes the bundle decides the functions; none may be listed.",
    ),
    "waiver_needs_reason": (
        "申请费用减免须填写原因。",
        "A fee waiver request needs a reason.",
    ),
    "close_has_services": (
        "注销申请不应包含新签约的业务。",
        "A closure request must not list services to sign.",
    ),
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(code: str, **params: Any) -> tuple[str, str]:
    """The (Chinese, English) messages of ``code`` with ``params`` filled in."""
    try:
        zh, en = MESSAGES[code]
    except KeyError:  # a programming error: every code must be in the catalogue
        raise KeyError(f"no message for problem code {code!r}") from None
    zh_params = {k: v.zh if isinstance(v, Bilingual) else v for k, v in params.items()}
    en_params = {k: v.en if isinstance(v, Bilingual) else v for k, v in params.items()}
    return zh.format(**zh_params), en.format(**en_params)
