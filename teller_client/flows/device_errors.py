"""Driver errors in the teller's words: every code of every driver, in Chinese and English.

Drivers cannot import the client (layering), so they raise their own errors with stable codes and English
for logs. :func:`device_error` turns any of them into a :class:`~teller_client.errors.TellerError` whose code
is ``<driver>_<code>`` and whose message says what happened and what to do. A cancellation stays a
:class:`~teller_client.errors.CancelledError`, which is never shown as a failure.
"""

from __future__ import annotations

from drivers.host import DeviceHostError
from drivers.pcsc import PcscError
from drivers.pkcs11 import Pkcs11Error
from drivers.printing import PrintError
from drivers.scanner import ScannerError
from teller_client.errors import CancelledError, TellerError

PKCS11: dict[str, tuple[str, str]] = {
    "pin_incorrect": ("UKey 密码不正确。", "The UKey PIN is not correct."),
    "pin_locked": ("UKey 密码已锁定，需由主管办理解锁。", "The UKey PIN is locked; a supervisor must unlock it."),
    "pin_invalid": ("UKey 密码不符合该 UKey 的长度或字符要求。", "The PIN does not meet this UKey's length or character rules."),
    "pin_expired": ("UKey 密码已过期，须先修改。", "The UKey PIN has expired and must be changed first."),
    "pin_not_initialised": ("该 UKey 尚未设置用户密码（空白 UKey）。", "This UKey has no user PIN yet (a blank UKey)."),
    "not_logged_in": ("操作前须先登录 UKey。", "The UKey must be logged in to first."),
    "already_logged_in": (
        "该 UKey 已被本机其他操作登录，请稍后重试。",
        "Another operation on this computer is logged in to the UKey; try again shortly.",
    ),
    "token_not_present": (
        "未检测到 UKey：已拔出或读卡器断开。请插入 UKey 后继续。",
        "The UKey is not there: it was pulled out or its reader went away. Insert it to continue.",
    ),
    "token_not_recognized": (
        "读卡器中的卡无法识别，请确认插入的是本行 UKey。",
        "The card in the reader is not recognised; check that it is one of the bank's UKeys.",
    ),
    "token_not_found": (
        "找不到指定序列号的 UKey，请插入正确的 UKey。",
        "No UKey with that serial number is connected; insert the right one.",
    ),
    "token_ambiguous": ("有多个同名 UKey，请只插入一个。", "Several UKeys carry that label; insert only one."),
    "token_full": ("UKey 存储空间已满。", "The UKey has no room left."),
    "token_write_protected": ("UKey 处于写保护状态。", "The UKey is write-protected."),
    "token_busy": ("UKey 正忙（会话过多），请稍后重试。", "The UKey is busy (too many sessions); try again shortly."),
    "mechanism_not_supported": ("该 UKey 不支持所需的密钥类型或算法。", "This UKey does not support the key type or algorithm needed."),
    "function_not_supported": ("该 UKey 的驱动不支持此操作。", "This UKey's driver does not support this operation."),
    "key_not_found": ("UKey 上找不到对应的密钥。", "The key is not on the UKey."),
    "key_ambiguous": ("UKey 上有多个相同标识的密钥。", "Several keys on the UKey share that identifier."),
    "key_exists": ("UKey 上已有该密钥。", "That key is already on the UKey."),
    "key_mismatch": ("证书与 UKey 中的密钥不匹配。", "The certificate does not belong to the key on the UKey."),
    "certificate_exists": ("UKey 上已有另一张证书。", "Another certificate is already on the UKey."),
    "certificate_invalid": ("证书格式无效。", "The certificate is not valid."),
    "cancelled": ("操作已在 UKey 上取消。", "The operation was cancelled on the UKey."),
    "session_closed": ("与 UKey 的连接已断开，请重试。", "The connection to the UKey was closed; try again."),
    "library_load_failed": ("无法加载 UKey 驱动，请联系网点 IT。", "The UKey driver cannot be loaded; call branch IT."),
    "library_in_use": ("UKey 驱动正被占用，请稍后重试。", "The UKey driver is in use; try again shortly."),
    "device_error": ("UKey 报告错误。", "The UKey reported an error."),
}
PCSC: dict[str, tuple[str, str]] = {
    "service_unavailable": ("智能卡服务未运行或未连接读卡器。", "The smart card service is not running, or no reader is connected."),
    "no_readers": ("未连接读卡器。", "No card reader is connected."),
    "reader_unavailable": ("读卡器已断开或无法使用。", "The card reader is disconnected or cannot be used."),
    "card_removed": ("读卡器中没有 UKey 或卡片。", "There is no UKey or card in the reader."),
    "timeout": ("读卡器无响应（超时）。", "The card reader did not answer in time."),
    "cancelled": ("已取消。", "Cancelled."),
    "pcsc_error": ("读卡器报告错误。", "The card reader reported an error."),
}
HOST: dict[str, tuple[str, str]] = {
    "timeout": ("设备驱动无响应，已中止；可重试。", "The device driver stopped answering and was stopped; you can try again."),
    "cancelled": ("已取消。", "Cancelled."),
    "crashed": ("设备驱动异常退出，已重新启动；可重试。", "The device driver crashed and was restarted; you can try again."),
    "start_failed": ("设备驱动无法启动，请联系网点 IT。", "The device driver cannot start; call branch IT."),
    "call_failed": ("设备驱动返回了无法识别的结果。", "The device driver gave an answer the client cannot use."),
    "closed": ("设备连接已关闭。", "The device connection was closed."),
}
SCANNER: dict[str, tuple[str, str]] = {
    "port_not_found": ("本机没有端口 {port}。", "There is no port {port} on this computer."),
    "port_busy": ("端口 {port} 正被其他程序占用。", "Port {port} is in use by another program."),
    "permission_denied": ("当前用户无权打开端口 {port}。", "This user may not open port {port}."),
    "port_error": ("无法打开端口 {port}。", "Port {port} cannot be opened."),
    "invalid_settings": ("端口 {port} 的扫描枪设置无效。", "The scanner settings for port {port} are not valid."),
    "disconnected": ("扫描枪 {port} 已断开。", "The scanner on {port} was disconnected."),
}
PRINTER: dict[str, tuple[str, str]] = {
    "offline": (
        "打印机{printer}脱机或无法连接，请检查电源、网线和纸盒后重试。",
        "The printer{printer} is offline or cannot be reached; check power, cable and trays, then retry.",
    ),
    "refused": (
        "打印机{printer}拒绝了打印任务（队列暂停或不接受任务），请联系网点 IT。",
        "The printer{printer} refused the job (queue paused or not accepting jobs); call branch IT.",
    ),
    "paper_out": ("打印机{printer}缺纸，请装纸。", "The printer{printer} is out of paper; load paper."),
    "timeout": ("打印机{printer}未在规定时间内完成打印。", "The printer{printer} did not finish in time."),
    "cancelled": ("打印已取消。", "Printing was cancelled."),
    "not_found": ("找不到打印机{printer}，请检查打印机设置。", "The printer{printer} was not found; check the printer settings."),
    "invalid_settings": ("打印机设置无效，请网点 IT 检查打印机设置。", "The printer settings are not valid; branch IT must check them."),
    "failed": ("打印失败{printer}。", "Printing failed{printer}."),
}
TABLES: dict[str, dict[str, tuple[str, str]]] = {"pkcs11": PKCS11, "pcsc": PCSC, "device": HOST, "scanner": SCANNER, "printer": PRINTER}


def device_error(exc: Pkcs11Error | PcscError | DeviceHostError | ScannerError | PrintError, *, port: str | None = None) -> TellerError:
    """The teller's error for a driver's error (``raise device_error(exc) from exc``); ``port`` names a scanner's port."""
    if exc.code == "cancelled":
        return CancelledError()
    if isinstance(exc, Pkcs11Error):
        zh, en = PKCS11[exc.code]
        if exc.code == "pin_incorrect" and exc.attempts_left is not None:
            zh += f"还可尝试 {exc.attempts_left} 次。"
            en += f" {exc.attempts_left} attempt(s) left."
        return TellerError(en, zh, code=f"pkcs11_{exc.code}")
    if isinstance(exc, PcscError):
        zh, en = PCSC[exc.code]
        return TellerError(en, zh, code=f"pcsc_{exc.code}")
    if isinstance(exc, ScannerError):
        zh, en = SCANNER[exc.code]
        port = port or exc.port or ""
        return TellerError(en.format(port=port), zh.format(port=port), code=f"scanner_{exc.code}")
    if isinstance(exc, PrintError):
        zh, en = PRINTER[exc.code]
        name = f" {exc.printer}" if exc.printer else ""
        return TellerError(en.format(printer=name), zh.format(printer=name), code=f"printer_{exc.code}")
    zh, en = HOST[exc.code]
    return TellerError(en, zh, code=f"device_{exc.code}")
