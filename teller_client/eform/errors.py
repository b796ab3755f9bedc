"""The errors of e-form barcode decoding: one stable code each, told in words a teller understands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from teller_client.errors import TellerError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from teller_client.domain.problems import Problem


class EformError(TellerError):
    """An e-form barcode (or a set of them) is refused; ``code`` says why, ``part`` which part if one."""

    code = "eform_error"

    def __init__(self, code: str, message_en: str, message_zh: str, *, part: int | None = None) -> None:
        super().__init__(message_en, message_zh, code=code)
        self.part = part


class NotAnEformError(EformError):
    """The text is not an e-form barcode at all (it may be a UKey serial, an account number, ...)."""

    def __init__(self) -> None:
        super().__init__(
            "not_eform",
            "This is not an e-form barcode (it does not start with EF1:).",
            "这不是电子填单条码（不以 EF1: 开头）。",
        )


class EformInvalidError(EformError):
    """The form decoded and is authentic, but its content fails the application rules."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = self.problems[:3]
        more = len(self.problems) - len(shown)
        en = "; ".join(f"{p.pointer} {p.code}: {p.message_en}" for p in shown)
        zh = "；".join(f"{p.pointer} {p.code}：{p.message_zh}" for p in shown)
        if more:
            en += f"; and {more} more"
            zh += f"；另有 {more} 处"
        super().__init__(
            "invalid_form",
            f"The e-form has {len(self.problems)} error(s): {en}",
            f"电子填单有 {len(self.problems)} 处错误：{zh}",
        )
