"""Errors of the central API, mapped from RFC 9457 problems to typed :class:`TellerError` subclasses.

Each class carries the problem's ``status``, stable ``code`` and field errors
(``FieldError`` with a JSON pointer). The teller's message comes from this
module's own bilingual table for the contract's codes, so it reads well
whatever the server wrote; other codes fall back to the server's ``detail``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from teller_client.errors import TellerError


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str
    message_zh: str
    severity: str = "error"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FieldError:
        message = str(data.get("message", ""))
        return cls(
            field=str(data.get("field", "")),
            code=str(data.get("code", "")),
            message=message,
            message_zh=str(data.get("message_zh") or message),
            severity=str(data.get("severity", "error")),
        )


class ApiError(TellerError):
    """The central service refused a call (an RFC 9457 problem)."""

    code = "api_error"
    status = 0

    def __init__(self, message_en: str, message_zh: str, *, code: str, status: int, errors: tuple[FieldError, ...] = ()) -> None:
        super().__init__(message_en, message_zh, code=code)
        self.status = status
        self.errors = errors


class BadRequestError(ApiError):
    """400: the client sent something malformed (a programming or configuration fault)."""


class AuthenticationError(ApiError):
    """401: wrong credentials, or the session is missing or expired."""


class PermissionDeniedError(ApiError):
    """403: this user may not do this (dual control, role, witness, authorization code)."""


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409: the state does not allow it (already done, changed meanwhile, not held)."""


class ExpiredError(ApiError):
    """410: an authorization or password did not live overnight."""


class ValidationFailedError(ApiError):
    """422: the body has field errors or breaks business rules; ``errors`` names each field."""


class ServiceUnavailableError(TellerError):
    """The central service could not be reached or answered with a server fault; nothing is known to have happened."""

    code = "service_unavailable"


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: ExpiredError,
    422: ValidationFailedError,
}

MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_credentials": ("柜员号或密码不正确。", "The user ID or password is not right."),
    "unauthenticated": ("尚未登录或登录已失效，请重新登录。", "You are not signed in; please sign in again."),
    "session_expired": ("登录已超时，请重新登录。", "Your session has expired; please sign in again."),
    "idempotency_key_required": ("请求缺少幂等键（程序故障）。", "The request lacks an idempotency key (a program fault)."),
    "idempotency_key_reused": (
        "同一操作编号被用于不同的内容，已拒绝（程序故障）。",
        "The same operation key was used for different content and was refused (a program fault).",
    ),
    "validation_failed": ("申请资料有误，请按提示逐项修改。", "The application has errors; correct each field shown."),
    "rule_violated": ("申请不符合业务规则，请按提示修改。", "The application breaks business rules; correct what is shown."),
    "customer_not_found": ("中心系统中没有该统一社会信用代码的客户。", "The central service has no customer with this USCC."),
    "invalid_state": ("该申请当前状态不允许此操作。", "The application's current state does not allow this."),
    "not_the_maker": ("只有经办柜员可以修改退回的申请。", "Only the maker can change a returned application."),
    "maker_cannot_approve": ("经办人不能审核自己经办的业务（双人交叉审核）。", "The maker cannot approve their own work (dual control)."),
    "snapshot_changed": (
        "申请内容在审核期间已被修改，请重新核对后再审核。",
        "The application changed while it was being reviewed; review it again.",
    ),
    "not_a_supervisor": ("此操作须由主管办理。", "A supervisor must do this."),
    "reason_required": ("退回或拒绝须填写原因。", "Returning or rejecting needs a reason."),
    "waiver_decision_required": ("请对费用减免申请作出决定。", "Decide on the fee waiver request."),
    "not_approved": ("申请尚未审核通过，不能提交。", "The application is not approved yet and cannot be submitted."),
    "authorization_expired": (
        "授权码已过期（授权不隔夜），请主管重新授权。",
        "The authorization code has expired (nothing lives overnight); a supervisor must reauthorize.",
    ),
    "authorization_code_invalid": ("授权码不正确。", "The authorization code is not right."),
    "csr_invalid": ("证书请求无效，请重新制证。", "The certificate request is invalid; make the certificate again."),
    "already_issued": ("该参考号已为另一把密钥签发证书。", "This order was already fulfilled for another key."),
    "token_not_in_stock": ("该 UKey 不在您的尾箱库存中。", "This UKey is not in your drawer's stock."),
    "certificate_mismatch": ("UKey 中的预制证书与订单不符。", "The pre-made certificate on the UKey does not match."),
    "already_released": (
        "该密码信函已打印过，不能再次获取密码；如需重打请主管授权。",
        "This letter's password was already released; a reprint needs a supervisor.",
    ),
    "serial_not_held": ("该凭证号不在您的尾箱中。", "This serial is not in your drawer."),
    "serial_mismatch": ("信函编号与打印时的编号不一致。", "The letter serial differs from the one printed."),
    "letter_order_expired": ("密码信函已过期（不隔夜），请重新申请。", "The letter order has expired (nothing lives overnight)."),
    "witness_required": ("库存调拨须由另一人在场复核并登录确认。", "A stock movement needs a second person as witness."),
    "open_obligations": ("尚有未完成的证书或密码信函，不能注销。", "Certificate or letter orders are still open; cannot close."),
    "agreement_not_found": ("没有该协议号。", "No such agreement."),
    "order_not_found": ("没有该参考号的证书订单。", "No certificate order with this reference number."),
    "application_not_found": ("没有该申请。", "No such application."),
    "not_a_teller": ("此操作须由柜员办理。", "A teller must do this."),
    "letter_order_not_found": ("没有该密码信函订单。", "No such letter order."),
    "invalid_json": ("请求内容不是有效的 JSON（程序故障）。", "The request is not valid JSON (a program fault)."),
    "idempotency_key_invalid": ("操作编号格式不正确（程序故障）。", "The operation key is malformed (a program fault)."),
    "user_not_found": ("该协议下没有此用户。", "No such user under this agreement."),
    "not_a_certificate_user": ("该用户不是证书用户。", "This user is not a certificate user."),
    "date_not_after": ("新的营业日期必须晚于当前营业日期。", "The new business date must be after the current one."),
}


def problem_error(status: int, body: Any) -> ApiError:
    """The typed error for an HTTP error ``status`` with its (parsed) problem body."""
    data = body if isinstance(body, dict) else {}
    code = str(data.get("code") or f"http_{status}")
    errors = tuple(FieldError.from_json(e) for e in data.get("errors") or () if isinstance(e, dict))
    detail = str(data.get("detail") or data.get("title") or f"HTTP {status}")
    zh, en = MESSAGES.get(code, (str(data.get("detail_zh") or detail), detail))
    cls = _BY_STATUS.get(status, ApiError)
    return cls(en, zh, code=code, status=status, errors=errors)
