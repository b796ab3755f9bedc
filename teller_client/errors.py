"""The one error family of the client.

Every error the teller may see is a :class:`TellerError`. It carries a stable
machine-readable ``code`` and a message in Simplified Chinese and in English,
so the UI's single error router can show it in the teller's language without
parsing text. Adapters translate library exceptions into this family with
``raise ... from``. Cancellations are :class:`CancelledError` and are never
shown as failures.

No message here may ever contain a secret (PIN, initial password,
authorization code): callers build messages from field names and codes only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from teller_client.domain.problems import Problem


class TellerError(Exception):
    """Root of every error the client raises on purpose."""

    code: str = "teller_error"

    def __init__(self, message_en: str, message_zh: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh if message_zh is not None else message_en
        if code is not None:
            self.code = code

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.message_zh if lang.startswith("zh") else self.message_en


class CancelledError(TellerError):
    """The teller (or a timeout owner) cancelled the operation. Never shown as a failure."""

    code = "cancelled"

    def __init__(self) -> None:
        super().__init__("Cancelled.", "已取消。")


class InvalidIdentifierError(TellerError, ValueError):
    """An identifier (USCC, ID number, account number, ...) is malformed.

    ``check`` names the rule that failed (``"length"``, ``"charset"``,
    ``"check_character"``, ``"birth_date"``, ...), so callers and tests can
    tell a typo in the check character from a wrong length.
    """

    code = "invalid_identifier"

    def __init__(self, code: str, check: str, message_en: str, message_zh: str) -> None:
        super().__init__(message_en, message_zh, code=code)
        self.check = check


class ApplicationInvalidError(TellerError):
    """An application document cannot be turned into the model; ``problems`` says every reason."""

    code = "application_invalid"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else None
        count = len(self.problems)
        if first is None:
            super().__init__("The application is invalid.", "申请资料有误。")
        else:
            super().__init__(
                f"The application has {count} problem(s); first: {first.pointer}: {first.message_en}",
                f"申请资料有 {count} 处问题，第一处：{first.pointer}：{first.message_zh}",
            )


class CatalogueError(TellerError):
    """The product catalogue data is missing or inconsistent (an installation fault)."""

    code = "catalogue_invalid"


class StoreError(TellerError):
    """The local store could not be opened, migrated or written."""

    code = "store_error"


class ConfigurationError(TellerError):
    """A setting is missing or wrong (an installation fault for branch IT)."""

    code = "configuration_error"
